//! Group messages over REST (easemob.md 4.1, 4.2):
//!
//! - `POST /messages/chatgroups` (app token): `from` (default `admin`), `to`
//!   (1-3 group ids), `type` `txt` or `custom`, `body`, `ext`. The server
//!   does not check that the sender is a member (4.1), so it sends as the app.
//!   Each group is stored once (the body as sent, `ext` included, is kept
//!   for history and delivery) and pushed to its members' links
//!   (`group_push::deliver`); `data` maps each group id to its message id.
//!   Every group must exist (404 `resource_not_found` otherwise, nothing sent).
//! - `POST /api/server/v6/{org}/{app}/roaming/group` (app token):
//!   `{groupId, limit, order, cursor?}` → `data.messages` (archive-style
//!   records with `chat_type: "groupchat"`) and `data.pagination.cursor`.

use super::groups::{invalid, path_group, refusal, with_data};
use super::{Call, Refusal, Reply};
use crate::easemob::{chat, group_push};
use crate::groups::Actor;
use crate::StoredMessage;
use serde_json::{json, Value};
use unim_easemob::link::message_body;
use unim_easemob::messages::{encode_body, ext_from_json, from_rest, to_pb, MAX_MESSAGE_BYTES};

/// The most groups of one send (easemob.md 4.1).
const MAX_GROUPS_PER_SEND: usize = 3;

/// `POST /messages/chatgroups`.
pub(super) fn send(call: &Call<'_>) -> Reply {
    call.app_auth(super::NO_TOKEN)?;
    let req = call.json()?;
    let from = match req.get("from") {
        None | Some(Value::Null) => "admin".to_owned(),
        Some(Value::String(s)) if !s.is_empty() => s.to_ascii_lowercase(),
        Some(_) => return Err(Refusal::new(400, "message_send_error", "param from can't be empty")),
    };
    let to: Vec<String> = match req.get("to") {
        Some(Value::Array(items)) if !items.is_empty() => items
            .iter()
            .map(|v| v.as_str().filter(|s| !s.is_empty()).map(str::to_owned))
            .collect::<Option<_>>()
            .ok_or_else(|| Refusal::new(400, "message_send_error", "param to can't be empty"))?,
        _ => return Err(Refusal::new(400, "message_send_error", "param to can't be empty")),
    };
    if to.len() > MAX_GROUPS_PER_SEND {
        return Err(Refusal::new(
            400,
            "message_send_error",
            format!("params to's size can't exceed limit {MAX_GROUPS_PER_SEND}"),
        ));
    }
    let kind = req.get("type").and_then(Value::as_str).ok_or_else(|| Refusal::illegal("type is required"))?;
    let body = req.get("body").ok_or_else(|| Refusal::illegal("body is required"))?;
    let neutral = from_rest(kind, body).map_err(Refusal::illegal)?;
    let ext = match req.get("ext") {
        None | Some(Value::Null) => serde_json::Map::new(),
        Some(Value::Object(ext)) => ext.clone(),
        Some(_) => return Err(Refusal::illegal("ext must be an object")),
    };
    let ext_len = if ext.is_empty() { 0 } else { Value::Object(ext.clone()).to_string().len() };
    if neutral.byte_len() + ext_len > MAX_MESSAGE_BYTES {
        return Err(Refusal::illegal("message is too large"));
    }
    for group in &to {
        path_group(call, group)?;
    }
    let mut data = serde_json::Map::new();
    for group in &to {
        // No client message id in REST: every call is a new message.
        let client_id = format!("rest-{:016x}", rand::random::<u64>());
        let queues = &call.face.queues;
        let (stored, members) = call
            .face
            .engine
            .send_group_message(Actor::App, &from, group, &client_id, neutral.clone(), |_, time, _| {
                queues.next_id(time).to_string()
            })
            .map_err(refusal)?;
        if !stored.duplicate {
            // Members get what was sent, `ext` included, as a group chat body.
            let mut pb = to_pb(&neutral, &from, group);
            pb.r#type = Some(message_body::Type::Groupchat as i32);
            pb.ext = ext_from_json(&ext);
            if let Ok(id) = stored.message.server_id.parse::<u64>() {
                call.face.payloads.put(id, encode_body(&pb));
            }
            group_push::deliver(call.face, &stored.message, &members);
        }
        data.insert(group.clone(), Value::String(stored.message.server_id.clone()));
    }
    with_data(call, "post", "/messages/chatgroups", Value::Object(data))
}

/// A stored group message as a roaming record.
fn record(call: &Call<'_>, m: &StoredMessage) -> Value {
    json!({
        "msg_id": m.server_id,
        "timestamp": m.time_ms,
        "direction": "outgoing",
        "from": m.from,
        "to": m.to,
        "chat_type": "groupchat",
        "payload": chat::stored_payload_json(call.face, m),
    })
}

/// `POST /api/server/v6/{org}/{app}/roaming/group`.
pub(super) fn roaming(call: &Call<'_>) -> Reply {
    call.app_auth(super::NO_TOKEN)?;
    let req = call.json()?;
    let group = match req.get("groupId") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err(invalid("groupId is required")),
    };
    let (limit, backwards) = super::messages::roaming_window(&req)?;
    let engine = &call.face.engine;
    let at = match req.get("cursor").and_then(Value::as_str).filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(
            engine
                .message_by_server_id(c)
                .filter(|m| m.to == group)
                .map(|m| m.seq)
                .ok_or_else(|| Refusal::illegal(format!("cursor {c:?} is not valid")))?,
        ),
    };
    let all = engine.group_history(&group, None, usize::MAX);
    if all.is_empty() {
        // A group that never existed (a dismissed one keeps its history).
        path_group(call, &group)?;
    }
    let messages: Vec<&StoredMessage> = if backwards {
        all.iter().rev().filter(|m| at.is_none_or(|s| m.seq < s)).take(limit).collect()
    } else {
        all.iter().filter(|m| at.is_none_or(|s| m.seq > s)).take(limit).collect()
    };
    let next = messages.last().and_then(|last| {
        let more = if backwards {
            all.first().is_some_and(|f| f.seq < last.seq)
        } else {
            all.last().is_some_and(|l| l.seq > last.seq)
        };
        more.then(|| last.server_id.clone())
    });
    super::messages::roaming_reply(call, messages.iter().map(|m| record(call, m)).collect(), next, limit)
}
