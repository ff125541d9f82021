//! NetEase's web client protocol, as `@yxim/nim-web-sdk` speaks it
//! (docs/protocols/netease.md): an LBS lookup, a socket.io 0.9 handshake,
//! then JSON packets in socket.io messages. This module only knows bytes; the
//! session and the emulator face decide what to send.

pub mod framing;
pub mod ids;
pub mod packet;
pub mod socketio;

pub use framing::{Frame, Framing, SocketIoJson, WireFrame};
pub use ids::{cmd, ClientType, Command};
pub use packet::{PacketError, Param, Property, Request, Response};
pub use socketio::{Handshake, SioPacket};
