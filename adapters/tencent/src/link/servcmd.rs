//! The `servcmd` names of the commands and pushes unim uses
//! (docs/protocols/tencent.md).

/// Log in with identifier + UserSig; the reply carries A2Key, TinyId, InstId.
pub const WSLOGIN: &str = "im_open_status.wslogin";
/// Log out; also sent by a kicked client, which waits for the answer.
pub const WSLOGOUT: &str = "im_open_status.wslogout";
/// Keep-alive, sent on connect and when the link is quiet.
pub const HEARTBEAT: &str = "heartbeat.alive";
/// Periodic hello, every HelloInterval seconds from the login reply.
pub const WSHELLO: &str = "im_open_status.wshello";
/// Push: this instance was forced offline (KickType 1, 2 or 3).
pub const FORCE_OFFLINE: &str = "im_open_status.stat_forceoffline";
/// Push: new messages.
pub const MSG_PUSH: &str = "im_open_push.msg_push";
/// Send a one-to-one message.
pub const SENDMSG: &str = "openim.sendmsg";
/// Pull messages (offline sync) with a cookie.
pub const GETMSG: &str = "openim.getmsg";
/// Acknowledge a push that asked for it (`NeedAck`); it gets no reply.
pub const PUSH_ACK: &str = "openim.ws_msg_push_ack";
