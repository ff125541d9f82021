//! The server side of Tencent's web client protocol, the one `@tencentcloud/chat`
//! speaks (docs/protocols/tencent.md; official-sdks.md section 3): WebSocket
//! upgrades at `/binfo` (binary frames) and `/info` (text frames), each carrying
//! UTF-8 JSON `{head, body}` frames ([`unim_tencent::link::Frame`]).
//!
//! `/binfo` is what the SDK uses under Node and in browsers; it drops text
//! frames there. `/info` is its path for platforms without binary frames.
//!
//! One task per connection ([`conn`]) reads the socket, the engine's signals
//! for its link and its timers, and is the only writer of the socket.
//!
//! State shared by all connections of one face lives in its [`Store`]: the
//! login sessions keyed by A2Key (they outlive sockets: a reconnecting SDK
//! logs in again with its `a2`, and requests are authenticated by `a2`) and
//! the ids of the links this face attached. Messages are the face's
//! mailbox's ([`super::mailbox`]); the message commands are in [`messages`].
//!
//! Engine pushes ([`crate::LinkSignal::Push`]) to links of this face are JSON
//! objects `{"servcmd": "<service>.<command>", "body": {...}}` (see
//! [`push_payload`]); the connection sends them as a push frame (`seq: 0`).

mod conn;
mod groups;
mod messages;
mod replies;
pub(crate) mod store;

use super::Face;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;
use store::Store;
use unim_core::Platform;

/// The largest frame a client may send (Tencent refuses JSON packets over
/// roughly 90 KB with 93000; this leaves room and still bounds memory).
const MAX_MESSAGE_BYTES: usize = 1 << 20;

/// What every connection of one face shares.
pub(crate) struct Shared {
    pub(crate) face: Arc<Face>,
    pub(crate) store: Arc<Store>,
}

/// The routes of the web client protocol: WebSocket upgrades at `/binfo`
/// (the SDK's default, binary frames) and `/info` (text frames).
pub(crate) fn routes(face: Arc<Face>) -> Router {
    let store = Arc::clone(&face.store);
    let shared = Arc::new(Shared { face, store });
    Router::new().route("/binfo", get(upgrade_binary)).route("/info", get(upgrade_text)).with_state(shared)
}

/// The body of an engine push to a link of this face: the connection sends
/// `body` as a push frame of `servcmd` with `seq: 0`.
pub(crate) fn push_payload(servcmd: &str, body: Value) -> Value {
    json!({ "servcmd": servcmd, "body": body })
}

/// The query parameters the SDK puts on the upgrade URL that matter here.
#[derive(Debug, Clone)]
pub(crate) struct ConnParams {
    /// `instanceid`: identifies the client instance; reconnects reuse it.
    pub(crate) instance: Option<String>,
    /// `platform` (7 = web).
    pub(crate) platform: Platform,
    /// `sdkappid`, used when the login head does not carry one.
    pub(crate) sdkappid: Option<u64>,
    /// Downlink frames are binary (`/binfo`) rather than text (`/info`).
    pub(crate) binary: bool,
}

impl ConnParams {
    fn from_query(query: &HashMap<String, String>, binary: bool) -> Self {
        let instance = query.get("instanceid").map(|s| s.trim()).filter(|s| !s.is_empty()).map(str::to_owned);
        let platform = match query.get("platform").map(|s| s.trim()) {
            None | Some("") | Some("7") => Platform::Web,
            Some(other) => Platform::Other(other.to_owned()),
        };
        let sdkappid = query.get("sdkappid").and_then(|s| s.trim().parse().ok());
        ConnParams { instance, platform, sdkappid, binary }
    }
}

async fn upgrade_binary(
    State(shared): State<Arc<Shared>>,
    query: Result<Query<HashMap<String, String>>, axum::extract::rejection::QueryRejection>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    upgrade(shared, query, ws, true)
}

async fn upgrade_text(
    State(shared): State<Arc<Shared>>,
    query: Result<Query<HashMap<String, String>>, axum::extract::rejection::QueryRejection>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    upgrade(shared, query, ws, false)
}

fn upgrade(
    shared: Arc<Shared>,
    query: Result<Query<HashMap<String, String>>, axum::extract::rejection::QueryRejection>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
    binary: bool,
) -> Response {
    let faults = shared.face.engine.faults();
    faults.note_connection_attempt();
    if faults.refusing() {
        tracing::debug!("tencent link: refusing a connection (fault injected)");
        return (StatusCode::SERVICE_UNAVAILABLE, "service unavailable").into_response();
    }
    let ws = match ws {
        Ok(ws) => ws,
        Err(rejection) => return rejection.into_response(),
    };
    let query = query.map(|Query(q)| q).unwrap_or_default();
    let params = ConnParams::from_query(&query, binary);
    ws.max_message_size(MAX_MESSAGE_BYTES)
        .on_failed_upgrade(|e| tracing::debug!("tencent link: upgrade failed: {e}"))
        .on_upgrade(move |socket| conn::run(socket, shared, params))
}
