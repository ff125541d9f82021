//! The server side of NetEase's web client link as `@yxim/nim-web-sdk`
//! speaks it (docs/protocols/netease.md; section numbers below are that
//! note's): the LBS (`lbs.rs`), the socket.io 0.9 handshake and WebSocket
//! upgrade (`handshake.rs`), and one task per connection (`conn.rs`) that
//! answers the JSON packets.
//!
//! Connections tell each other things (a message, a 2_7 device change)
//! through the engine: [`crate::Engine::push`] with a ready socket.io frame
//! as a JSON string ([`push_frame`]), which the receiving connection writes
//! as is. The face's online clients (`ports.rs`) and its message store
//! (`mailbox.rs`) are shared by all connections in [`Links`].
//!
//! Every packet is built and read with `unim_netease::link`, the codec the
//! client session uses too.

mod conn;
mod handshake;
mod history;
mod lbs;
mod login;
pub(super) mod mailbox;
mod ports;
pub(super) mod team_push;
mod team_wire;
mod teams;

use super::store::Refusal;
use super::Face;
use crate::LinkId;
use axum::routing::get;
use axum::Router;
use serde_json::Value;
use std::sync::Arc;
use unim_core::DisconnectReason;
use unim_netease::error::code;
use unim_netease::link::{Framing, Param, Property, Request, Response, SocketIoJson, WireFrame};

/// The link side's state: issued socket.io sessions, online clients and messages.
#[derive(Default)]
pub(crate) struct Links {
    sids: handshake::Sids,
    ports: ports::Ports,
    pub(super) mailbox: mailbox::Mailbox,
    /// Ids of team notifications and system messages.
    pub(super) notes: team_push::NoteIds,
}

/// The LBS, socket.io handshake and WebSocket routes.
pub(crate) fn routes(face: Arc<Face>) -> Router {
    Router::new()
        .route("/lbs/webconf.jsp", get(lbs::webconf))
        .route("/socket.io/1/", get(handshake::handshake))
        .route("/socket.io/1/websocket/{sid}", get(handshake::upgrade))
        .with_state(face)
}

/// Test control: a text from `from` to `to`, delivered like a 7_1 send by a
/// client of `from` (7_2 to `to`'s online clients or kept for its next
/// sync, a copy to `from`'s online clients). Both accids must exist.
/// Returns the message's idServer.
pub(crate) fn inject_text(face: &Face, from: &str, to: &str, text: &str) -> Result<String, String> {
    let sender = face.store.get(from).ok_or_else(|| format!("no NetEase accid {from:?}"))?;
    if face.store.get(to).is_none() {
        return Err(format!("no NetEase accid {to:?}"));
    }
    let msg = mailbox::text(&to.to_ascii_lowercase(), text);
    let from = mailbox::Sender::server(&sender.accid, sender.name.clone().unwrap_or_default());
    let sent = mailbox::send(face, &from, msg).map_err(|refusal| refusal.desc)?;
    Ok(sent.id().to_string())
}

/// Which of an account's clients a server kick hits (the v2 kick API's `type`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum KickTarget {
    /// Every client (`type` 1, `user/block.action` with `needkick`).
    All,
    /// The clients whose deviceId (login tag 13) is listed (`type` 2).
    Only(Vec<String>),
    /// Every client but those listed (`type` 3).
    AllBut(Vec<String>),
}

/// A kick by the server (the server API): every client of `accid` that
/// `target` selects gets the 2_5 push `[32, 2, ext, 0]` (6.1) and is closed.
/// Returns the deviceIds of the clients kicked.
pub(crate) fn server_kick(face: &Face, accid: &str, target: &KickTarget, ext: &str) -> Vec<String> {
    let accid = accid.to_ascii_lowercase();
    let mut kicked = Vec::new();
    for port in face.links.ports.of_user(&accid) {
        let hit = match target {
            KickTarget::All => true,
            KickTarget::Only(ids) => ids.contains(&port.device_id),
            KickTarget::AllBut(ids) => !ids.contains(&port.device_id),
        };
        if !hit {
            continue;
        }
        face.links.ports.set_kick_ext(port.link, ext);
        if face.engine.kick_link(port.link, DisconnectReason::KickedByServer) {
            kicked.push(port.device_id);
        }
    }
    kicked.dedup();
    kicked
}

/// Sends `response` (a push) to the connection that carries `link`, as a
/// ready socket.io frame; false when that link is gone.
fn push_frame(face: &Face, link: LinkId, response: &Response) -> bool {
    match SocketIoJson.encode_response(response) {
        WireFrame::Text(text) => face.engine.push(link, Value::String(text)),
        WireFrame::Binary(_) => false,
    }
}

/// Now on the engine's clock, Unix milliseconds.
fn now_ms(face: &Face) -> u64 {
    let now = face.engine.clock().now();
    now.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// A 414 refusal of a link request: a missing or malformed parameter.
fn bad(what: impl Into<String>) -> Refusal {
    Refusal::new(code::BAD_PARAM, what)
}

/// Parameter `i` of `request` (named `what` in the refusal when missing).
fn param<'a>(request: &'a Request, i: usize, what: &str) -> Result<&'a Param, Refusal> {
    request.param(i).map_err(|_| bad(format!("{what} is missing")))
}

/// A PropertyArray value of the r list.
pub(super) fn property_array(items: impl IntoIterator<Item = Property>) -> Value {
    Value::Array(items.into_iter().map(Value::from).collect())
}
