//! The socket.io 0.9 handshake (2.2) and the WebSocket upgrade (2.3).
//!
//! Each handshake issues a fresh session id, good for one upgrade. The fault
//! controls act here: every handshake counts as a connection attempt, and
//! while connections are refused the handshake (and any upgrade) gets 503.

use super::super::Face;
use super::conn;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use unim_netease::link::Handshake;

/// socket.io's receive timeout told to the client, seconds: it must exceed
/// the SDK's 30 s heartbeat with room to spare (2.2 says at least 35).
pub(super) const HEARTBEAT_SECS: u64 = 60;
/// socket.io's close timeout, seconds (unused by the SDK).
const CLOSE_SECS: u64 = 60;
/// The largest frame a client may send (the SDK's packets stay far below).
const MAX_MESSAGE_BYTES: usize = 1 << 20;
/// How many issued but unused session ids are kept (a client that never
/// upgrades must not grow the set forever).
const MAX_PENDING_SIDS: usize = 4096;

/// Session ids handed out by the handshake and not yet upgraded.
#[derive(Default)]
pub(super) struct Sids(Mutex<HashSet<String>>);

impl Sids {
    fn issue(&self) -> String {
        use rand::Rng;
        let sid = format!("{:024x}", rand::thread_rng().gen::<u128>() >> 32);
        let mut sids = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if sids.len() >= MAX_PENDING_SIDS {
            sids.clear();
        }
        sids.insert(sid.clone());
        sid
    }

    /// Uses up `sid`; false when it was never issued or already used.
    fn take(&self, sid: &str) -> bool {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).remove(sid)
    }
}

fn service_unavailable() -> Response {
    tracing::debug!("netease link: refusing a connection (fault injected)");
    (StatusCode::SERVICE_UNAVAILABLE, "service unavailable").into_response()
}

/// `GET /socket.io/1/?t=<ms>` → `<sid>:60:60:websocket`.
pub(super) async fn handshake(State(face): State<Arc<Face>>) -> Response {
    let faults = face.engine.faults();
    faults.note_connection_attempt();
    if faults.refusing() {
        return service_unavailable();
    }
    let sid = face.links.sids.issue();
    Handshake::websocket(sid, HEARTBEAT_SECS, CLOSE_SECS).to_string().into_response()
}

/// `GET /socket.io/1/websocket/<sid>`: the upgrade, for a session id the
/// handshake issued (anything else: 404 `unknown sid`).
pub(super) async fn upgrade(
    State(face): State<Arc<Face>>,
    Path(sid): Path<String>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    if face.engine.faults().refusing() {
        return service_unavailable();
    }
    let ws = match ws {
        Ok(ws) => ws,
        Err(rejection) => return rejection.into_response(),
    };
    if !face.links.sids.take(&sid) {
        tracing::debug!("netease link: upgrade with an unknown sid");
        return (StatusCode::NOT_FOUND, "unknown sid").into_response();
    }
    ws.max_message_size(MAX_MESSAGE_BYTES)
        .on_failed_upgrade(|e| tracing::debug!("netease link: upgrade failed: {e}"))
        .on_upgrade(move |socket| conn::run(socket, face))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sid_is_good_for_one_upgrade() {
        let sids = Sids::default();
        let sid = sids.issue();
        assert_ne!(sid, sids.issue());
        assert!(sids.take(&sid));
        assert!(!sids.take(&sid));
        assert!(!sids.take("never-issued"));
    }
}
