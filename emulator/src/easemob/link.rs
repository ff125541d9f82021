//! The server side of Easemob's web client link, msync, as `easemob-websdk`
//! speaks it (docs/protocols/easemob.md 3-12): a WebSocket upgrade at
//! `/websocket` carrying one protobuf `MSync` per binary message
//! ([`unim_easemob::link`]).
//!
//! One task per connection ([`conn`]) reads the socket, the engine's signals
//! for its link and its expiry timer, and is the socket's only writer. The
//! socket is the session: PROVISION binds a user and a device (its
//! `resource`) to the connection, and every later frame speaks for them.
//!
//! Message queues, the per-user offline store and the list of online devices
//! live in [`queues::Queues`], one per face. A connection that stores a meta
//! for another connection tells it through the engine
//! ([`crate::Engine::push`] with [`notice_payload`]); the receiving
//! connection then sends its client a NOTICE for that queue.

mod conn;
mod group_send;
mod queues;

use super::Face;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
pub(crate) use queues::{group_queue, Queues};
use serde_json::{json, Value};
use std::sync::Arc;

/// The largest frame a client may send (the SDK's messages stay far below).
const MAX_MESSAGE_BYTES: usize = 1 << 20;

/// What every connection of one face shares.
pub(crate) struct Shared {
    pub(crate) face: Arc<Face>,
    pub(crate) queues: Arc<Queues>,
}

/// The route of the msync link: the WebSocket upgrade at `/websocket`,
/// serving the face's `queues` (shared with the test controls).
pub(crate) fn routes(face: Arc<Face>, queues: Arc<Queues>) -> Router {
    let shared = Arc::new(Shared { face, queues });
    Router::new().route("/websocket", get(upgrade)).with_state(shared)
}

/// The test control behind [`crate::Emulator::easemob_inject_text`]: stores a
/// one-to-one text message from `from` to `to` exactly as a SYNC send by a
/// device of `from` would (a 19-digit server id, a chat meta whose payload is
/// an encoded `MessageBody` of type chat with one text content), without a
/// device: the meta's `from` is the sender's bare JID. Both users must exist.
/// Returns the server id.
pub(crate) fn inject_text(face: &Face, queues: &Queues, from: &str, to: &str, text: &str) -> Result<u64, String> {
    let sender = from.to_ascii_lowercase();
    let receiver = to.to_ascii_lowercase();
    for user in [&sender, &receiver] {
        if face.engine.account(user).is_none() {
            return Err(format!("no Easemob user {user:?}"));
        }
    }
    let out = super::chat::Outgoing {
        sender: &sender,
        resource: None,
        receiver: &receiver,
        client_id: format!("inject-{:016x}", rand::random::<u64>()),
        body: unim_core::MessageBody::text(text),
        payload: None,
        copy_to_sender: true,
        own_link: None,
        refuse_unknown: true,
    };
    super::chat::send(face, queues, out).map(|sent| sent.server_id).map_err(|e| format!("refused: {e:?}"))
}

/// The engine push that tells a connection of this face to NOTICE its
/// client about queue `queue`.
pub(crate) fn notice_payload(queue: &str) -> Value {
    json!({ "notice": queue })
}

async fn upgrade(
    State(shared): State<Arc<Shared>>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let faults = shared.face.engine.faults();
    faults.note_connection_attempt();
    if faults.refusing() {
        tracing::debug!("easemob link: refusing a connection (fault injected)");
        return (StatusCode::SERVICE_UNAVAILABLE, "service unavailable").into_response();
    }
    let ws = match ws {
        Ok(ws) => ws,
        Err(rejection) => return rejection.into_response(),
    };
    ws.max_message_size(MAX_MESSAGE_BYTES)
        .on_failed_upgrade(|e| tracing::debug!("easemob link: upgrade failed: {e}"))
        .on_upgrade(move |socket| conn::run(socket, shared))
}
