//! The one place that turns packets into WebSocket frames and back. Today
//! that is socket.io 0.9 text (`3:::` + JSON); NetEase's binary framing
//! (the NG SDK's default) would be a second [`Framing`], nothing else changes.

use super::packet::{PacketError, Request, Response};
use super::socketio::SioPacket;

/// A WebSocket frame, independent of the WebSocket library.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WireFrame {
    /// A text frame.
    Text(String),
    /// A binary frame.
    Binary(Vec<u8>),
}

/// What one frame held.
#[derive(Clone, Debug, PartialEq)]
pub enum Frame<T> {
    /// An application packet.
    Packet(T),
    /// The transport accepted the socket (socket.io `1::`).
    Connect,
    /// A transport keep-alive (socket.io `2::`); answer with the same.
    Heartbeat,
    /// The other side ends the session (socket.io `0::`).
    Disconnect,
    /// Nothing the application needs (noop, unused packet kinds).
    Ignore,
}

/// Packets to frames and back, for both directions.
pub trait Framing: Send + Sync + std::fmt::Debug {
    /// A client request as a frame.
    fn encode_request(&self, request: &Request) -> WireFrame;
    /// A frame from the client.
    fn decode_request(&self, frame: &WireFrame) -> Result<Frame<Request>, PacketError>;
    /// A server response or push as a frame.
    fn encode_response(&self, response: &Response) -> WireFrame;
    /// A frame from the server.
    fn decode_response(&self, frame: &WireFrame) -> Result<Frame<Response>, PacketError>;
    /// A transport-level frame (connect, heartbeat, disconnect).
    fn encode_control(&self, control: &Frame<()>) -> WireFrame;
}

/// Socket.IO 0.9 text frames carrying JSON packets: what `@yxim/nim-web-sdk` speaks.
#[derive(Clone, Copy, Debug, Default)]
pub struct SocketIoJson;

impl SocketIoJson {
    fn decode<T>(
        frame: &WireFrame,
        parse: impl FnOnce(&str) -> Result<T, PacketError>,
    ) -> Result<Frame<T>, PacketError> {
        let WireFrame::Text(text) = frame else {
            return Err(PacketError::new("a binary frame on a socket.io text link"));
        };
        let packet = SioPacket::parse(text).map_err(|e| PacketError::new(e.to_string()))?;
        Ok(match packet {
            SioPacket::Message(data) => Frame::Packet(parse(&data)?),
            SioPacket::Connect => Frame::Connect,
            SioPacket::Heartbeat => Frame::Heartbeat,
            SioPacket::Disconnect => Frame::Disconnect,
            SioPacket::Error(reason) => return Err(PacketError::new(format!("socket.io error packet: {reason}"))),
            SioPacket::Noop | SioPacket::Other { .. } => Frame::Ignore,
        })
    }
}

impl Framing for SocketIoJson {
    fn encode_request(&self, request: &Request) -> WireFrame {
        WireFrame::Text(SioPacket::Message(request.to_json()).encode())
    }

    fn decode_request(&self, frame: &WireFrame) -> Result<Frame<Request>, PacketError> {
        Self::decode(frame, Request::from_json)
    }

    fn encode_response(&self, response: &Response) -> WireFrame {
        WireFrame::Text(SioPacket::Message(response.to_json()).encode())
    }

    fn decode_response(&self, frame: &WireFrame) -> Result<Frame<Response>, PacketError> {
        Self::decode(frame, Response::from_json)
    }

    fn encode_control(&self, control: &Frame<()>) -> WireFrame {
        let packet = match control {
            Frame::Connect => SioPacket::Connect,
            Frame::Heartbeat => SioPacket::Heartbeat,
            Frame::Disconnect => SioPacket::Disconnect,
            Frame::Packet(()) | Frame::Ignore => SioPacket::Noop,
        };
        WireFrame::Text(packet.encode())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::ids::cmd;
    use crate::link::packet::{Param, Property};

    #[test]
    fn requests_and_responses_travel_as_socket_io_messages() {
        let f = SocketIoJson;
        let req = Request::new(cmd::SEND_MSG, 4, vec![Param::property(Property::new().with(1, "bob"))]);
        let frame = f.encode_request(&req);
        assert!(matches!(&frame, WireFrame::Text(t) if t.starts_with("3:::{")));
        assert_eq!(f.decode_request(&frame).unwrap(), Frame::Packet(req));
        let resp = Response::ok(cmd::SEND_MSG, 4, vec![]);
        assert_eq!(f.decode_response(&f.encode_response(&resp)).unwrap(), Frame::Packet(resp));
        assert_eq!(f.decode_response(&f.encode_control(&Frame::Connect)).unwrap(), Frame::Connect);
        assert_eq!(f.decode_request(&WireFrame::Text("2::".into())).unwrap(), Frame::Heartbeat);
        assert_eq!(f.decode_request(&WireFrame::Text("0::".into())).unwrap(), Frame::Disconnect);
    }

    #[test]
    fn bad_frames_are_errors() {
        let f = SocketIoJson;
        assert!(f.decode_response(&WireFrame::Binary(vec![1, 2])).is_err());
        assert!(f.decode_response(&WireFrame::Text("3:::{oops".into())).is_err());
        assert!(f.decode_response(&WireFrame::Text("7:::boom".into())).is_err());
    }
}
