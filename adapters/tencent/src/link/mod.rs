//! Tencent's web client protocol, the one `@tencentcloud/chat` speaks: framing
//! and command names. The session and the emulator both go through here, so a
//! protocol revision is one change in one place.

pub mod frame;
pub mod servcmd;

pub use frame::{Frame, FrameError, Head};
