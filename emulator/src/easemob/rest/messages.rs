//! The face's message and conversation REST calls (easemob.md 4; section
//! numbers below are that note's, "SDK" means what easemob-websdk calls):
//!
//! - `POST /messages/users` (4.1, app token): `txt` and `custom` bodies,
//!   `from` (default `admin`), `to` (1-600 users), `ext`, `sync_device`. Body
//!   and ext over 5 KB: 400 `illegal_argument` `message is too large`.
//!   Recipients are not checked (4.1): an unknown one still gets an id.
//!   There is no client message id, so each call stores anew.
//! - `POST /api/server/v6/{org}/{app}/roaming/chat` (4.2, app token):
//!   `{username, to, limit, order, cursor?}` → `data.messages` (archive-style
//!   records) and `data.pagination.cursor` (empty at the end). `order: "up"`
//!   reads backwards from the newest, newest first; `"down"` forwards.
//! - `DELETE /users/{u}/user_channel` (4.3, app token) and the SDK's
//!   `DELETE /user/{u}/user_channel?resource=` (user token): `{channel,
//!   type, delete_roam}` → `data.result: "ok"`. The history stays (the
//!   engine keeps it; `delete_roam` is accepted and not acted on).
//! - SDK `GET /sdk/user/{u}/user_channels/list?limit&cursor` (user token):
//!   `data.channel_infos` with `session_to`, `session_type`, `unread_num`
//!   and the last message as `meta` (`payload` is JSON text), most recent
//!   first; `data.cursor` pages on (empty at the end).
//! - SDK `POST /users/{u}/messageroaming` (user token): `{queue:
//!   "<peer>@easemob.com", start (-1: newest, else the `next_key` of the page
//!   before), pull_number, is_positive}` → `data.msgs: [{msg: base64(Meta)}]`
//!   newest first, `next_key`, `is_last`. A group's queue
//!   (`<id>@conference.easemob.com`) pages the group's history the same way
//!   (backwards only). Group conversations are listed with `session_type`
//!   `groupchat` and deleted with `type` `groupchat`.
//!
//! Conversation lists count REST-sent messages too (the console switch of
//! 4.1 "REST-sent messages into conversations" is on).

use super::{Call, Refusal, Reply};
use crate::easemob::chat::{self, Outgoing, Refused};
use crate::StoredMessage;
use serde_json::{json, Value};
use unim_easemob::messages::{encode_body, ext_from_json, from_rest, meta_to_base64, to_pb, MAX_MESSAGE_BYTES};

/// The most recipients of one send (easemob.md 4.1).
const MAX_RECIPIENTS: usize = 600;
/// The most conversations in one list page (the SDK's `pageSize` range).
const MAX_LIST_PAGE: usize = 50;
/// The most messages in one history page.
const MAX_HISTORY_PAGE: usize = 50;

fn lower(name: &str) -> String {
    name.to_ascii_lowercase()
}

/// `POST /messages/users`.
pub(super) fn send(call: &Call<'_>) -> Reply {
    call.app_auth(super::NO_TOKEN)?;
    let req = call.json()?;
    let from = match req.get("from") {
        None | Some(Value::Null) => "admin".to_owned(),
        Some(Value::String(s)) if !s.is_empty() => lower(s),
        Some(_) => return Err(Refusal::illegal("from must be a non-empty string")),
    };
    let to: Vec<String> = match req.get("to") {
        Some(Value::Array(items)) if !items.is_empty() => items
            .iter()
            .map(|v| v.as_str().filter(|s| !s.is_empty()).map(lower))
            .collect::<Option<_>>()
            .ok_or_else(|| Refusal::illegal("to must be an array of usernames"))?,
        _ => return Err(Refusal::illegal("to must be a non-empty array of usernames")),
    };
    if to.len() > MAX_RECIPIENTS {
        return Err(Refusal::illegal(format!("to takes at most {MAX_RECIPIENTS} users")));
    }
    let kind = req.get("type").and_then(Value::as_str).ok_or_else(|| Refusal::illegal("type is required"))?;
    let body = req.get("body").ok_or_else(|| Refusal::illegal("body is required"))?;
    let neutral = from_rest(kind, body).map_err(Refusal::illegal)?;
    let ext = match req.get("ext") {
        None => serde_json::Map::new(),
        Some(Value::Object(ext)) => ext.clone(),
        Some(_) => return Err(Refusal::illegal("ext must be an object")),
    };
    let ext_len = if ext.is_empty() { 0 } else { Value::Object(ext.clone()).to_string().len() };
    if neutral.byte_len() + ext_len > MAX_MESSAGE_BYTES {
        return Err(Refusal::illegal("message is too large"));
    }
    let sync_device = req.get("sync_device").and_then(Value::as_bool).unwrap_or(false);
    let mut data = serde_json::Map::new();
    for receiver in &to {
        let mut pb = to_pb(&neutral, &from, receiver);
        pb.ext = ext_from_json(&ext);
        let out = Outgoing {
            sender: &from,
            resource: None,
            receiver,
            // No client message id in REST: every call is a new message.
            client_id: format!("rest-{:016x}", rand::random::<u64>()),
            body: neutral.clone(),
            payload: Some(encode_body(&pb)),
            copy_to_sender: sync_device,
            own_link: None,
            refuse_unknown: false,
        };
        match chat::send(call.face, &call.face.queues, out) {
            Ok(sent) => data.insert(receiver.clone(), Value::String(sent.server_id.to_string())),
            Err(Refused::TooLarge) => return Err(Refusal::illegal("message is too large")),
            Err(Refused::UnknownUser) => return Err(Refusal::no_user()),
        };
    }
    let mut reply = super::to_value(call.full::<Value>("post", "/messages/users"));
    reply["data"] = Value::Object(data);
    Ok(reply)
}

/// A stored message as a roaming record seen by `viewer` (the hourly
/// archive's fields, easemob.md 4.2).
fn record(call: &Call<'_>, viewer: &str, m: &StoredMessage) -> Value {
    json!({
        "msg_id": m.server_id,
        "timestamp": m.time_ms,
        "direction": if m.from == viewer { "outgoing" } else { "incoming" },
        "from": m.from,
        "to": m.to,
        "chat_type": "chat",
        "payload": chat::stored_payload_json(call.face, m),
    })
}

/// The engine seq of the message with id `cursor` (a history position).
fn seq_of(call: &Call<'_>, cursor: &str) -> Result<u64, Refusal> {
    call.face
        .engine
        .message_by_server_id(cursor)
        .map(|m| m.seq)
        .ok_or_else(|| Refusal::illegal(format!("cursor {cursor:?} is not valid")))
}

/// Up to `limit` messages of `a` and `b`: older than `cursor` (newest first)
/// when backwards, else newer than it (oldest first); and the next cursor.
fn page(
    call: &Call<'_>,
    a: &str,
    b: &str,
    cursor: Option<&str>,
    limit: usize,
    backwards: bool,
) -> Result<(Vec<StoredMessage>, Option<String>), Refusal> {
    let engine = &call.face.engine;
    let at = cursor.map(|c| seq_of(call, c)).transpose()?;
    let mut messages = if backwards {
        let mut older = engine.history(a, b, at, limit);
        older.reverse();
        older
    } else {
        let all = engine.history(a, b, None, usize::MAX);
        all.into_iter().filter(|m| at.is_none_or(|s| m.seq > s)).take(limit).collect()
    };
    messages.truncate(limit);
    let next = messages.last().and_then(|last| {
        let more = if backwards {
            !engine.history(a, b, Some(last.seq), 1).is_empty()
        } else {
            engine.history(a, b, None, 1).first().is_some_and(|newest| newest.seq > last.seq)
        };
        more.then(|| last.server_id.clone())
    });
    Ok((messages, next))
}

/// `POST /api/server/v6/{org}/{app}/roaming/chat`.
pub(super) fn roaming(call: &Call<'_>) -> Reply {
    call.app_auth(super::NO_TOKEN)?;
    let req = call.json()?;
    let text = |k: &str| req.get(k).and_then(Value::as_str).filter(|s| !s.is_empty()).map(lower);
    let user = text("username").ok_or_else(|| Refusal::illegal("username is required"))?;
    let peer = text("to").ok_or_else(|| Refusal::illegal("to is required"))?;
    let (limit, backwards) = roaming_window(&req)?;
    let cursor = req.get("cursor").and_then(Value::as_str).filter(|c| !c.is_empty());
    let (messages, next) = page(call, &user, &peer, cursor, limit, backwards)?;
    roaming_reply(call, messages.iter().map(|m| record(call, &user, m)).collect(), next, limit)
}

/// The `limit` (1-50, default 10) and the direction (`order`: `up`, the
/// default, is backwards) of a v6 roaming request: the chat and the group
/// roaming paths read them alike.
pub(super) fn roaming_window(req: &Value) -> Result<(usize, bool), Refusal> {
    let limit = req.get("limit").and_then(Value::as_u64).unwrap_or(10) as usize;
    if !(1..=MAX_HISTORY_PAGE).contains(&limit) {
        return Err(Refusal::illegal(format!("limit must be 1 to {MAX_HISTORY_PAGE}")));
    }
    let backwards = match req.get("order").and_then(Value::as_str).unwrap_or("up") {
        "up" => true,
        "down" => false,
        _ => return Err(Refusal::illegal("order must be up or down")),
    };
    Ok((limit, backwards))
}

/// A v6 roaming answer: the page's `records` and the cursor of the next
/// page (empty at the end), alike for chats and groups.
pub(super) fn roaming_reply(call: &Call<'_>, records: Vec<Value>, next: Option<String>, limit: usize) -> Reply {
    let mut reply = super::to_value(call.bare::<Value>("post"));
    reply["data"] = json!({
        "messages": records,
        "pagination": { "cursor": next.unwrap_or_default(), "limit": limit },
    });
    Ok(reply)
}

/// `DELETE /users/{u}/user_channel` and the SDK's `/user/{u}/user_channel`.
pub(super) fn delete_channel(call: &Call<'_>, user: &str) -> Reply {
    call.app_or_own_auth(user)?;
    let user = super::path_user(user).ok_or_else(Refusal::no_user)?;
    let req = call.json()?;
    let channel = req
        .get("channel")
        .and_then(Value::as_str)
        .filter(|c| !c.is_empty())
        .ok_or_else(|| Refusal::illegal("field channel cannot be null or empty"))?;
    match req.get("type").and_then(Value::as_str) {
        Some("chat") => {
            call.face.engine.delete_conversation(&user, &lower(channel));
        }
        Some("groupchat" | "groupChat") => {
            call.face.engine.delete_conversation_of(&user, &unim_core::ConversationId::group(channel));
        }
        _ => return Err(Refusal::new(400, "invalid_request_body", "type must be chat or groupchat")),
    }
    let mut reply = super::to_value(call.full::<Value>("delete", "/users/user_channel"));
    reply["data"] = json!({ "result": "ok" });
    Ok(reply)
}

/// The SDK's `GET /sdk/user/{u}/user_channels/list`.
pub(super) fn list_channels(call: &Call<'_>, user: &str) -> Reply {
    call.app_or_own_auth(user)?;
    let user = super::path_user(user).ok_or_else(Refusal::no_user)?;
    let limit = match call.param("limit") {
        None | Some("") => 20,
        Some(n) => n
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_LIST_PAGE).contains(n))
            .ok_or_else(|| Refusal::illegal(format!("limit must be 1 to {MAX_LIST_PAGE}")))?,
    };
    let start = match call.param("cursor") {
        None | Some("") => 0,
        Some(c) => c.parse::<usize>().map_err(|_| Refusal::illegal(format!("cursor {c:?} is not valid")))?,
    };
    let all = call.face.engine.conversations(&user);
    let infos: Vec<Value> = all
        .iter()
        .skip(start)
        .take(limit)
        .map(|c| {
            let last = &c.last;
            json!({
                "session_to": c.peer,
                "session_type": if c.kind == unim_core::ConversationKind::Group { "groupchat" } else { "chat" },
                "is_top": false,
                "update_top_status_time": 0,
                "unread_num": c.unread,
                "meta": {
                    "id": last.server_id,
                    "from": last.from,
                    "to": last.to,
                    "timestamp": last.time_ms,
                    "payload": chat::stored_payload_json(call.face, last).to_string(),
                },
            })
        })
        .collect();
    let end = start + infos.len();
    let cursor = if end < all.len() { end.to_string() } else { String::new() };
    let mut reply = super::to_value(call.bare::<Value>("get"));
    reply["data"] = json!({ "cursor": cursor, "channel_infos": infos });
    Ok(reply)
}

/// The SDK's `POST /users/{u}/messageroaming`.
pub(super) fn message_roaming(call: &Call<'_>, user: &str) -> Reply {
    call.app_or_own_auth(user)?;
    let user = super::path_user(user).ok_or_else(Refusal::no_user)?;
    let req = call.json()?;
    let queue = req.get("queue").and_then(Value::as_str).ok_or_else(|| Refusal::illegal("queue is required"))?;
    if let Some(group) = queue.strip_suffix("@conference.easemob.com").filter(|g| !g.is_empty()) {
        return group_roaming(call, group, &req);
    }
    let Some(peer) = queue.strip_suffix("@easemob.com").filter(|p| !p.is_empty()) else {
        return Err(Refusal::illegal("only one-to-one queues (<user>@easemob.com) are served here"));
    };
    let peer = lower(peer);
    let limit = req.get("pull_number").and_then(Value::as_u64).unwrap_or(20) as usize;
    let limit = limit.clamp(1, MAX_HISTORY_PAGE);
    let backwards = !req.get("is_positive").and_then(Value::as_bool).unwrap_or(false);
    let start = match req.get("start") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) if n.as_i64() == Some(-1) => None,
        Some(Value::String(s)) if s == "-1" || s.is_empty() => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(_) => return Err(Refusal::illegal("start must be -1 or a message id")),
    };
    let (messages, next) = page(call, &user, &peer, start.as_deref(), limit, backwards)?;
    let msgs: Vec<Value> =
        messages.iter().map(|m| json!({ "msg": meta_to_base64(&chat::stored_meta(call.face, m)) })).collect();
    let mut reply = super::to_value(call.bare::<Value>("post"));
    reply["data"] = json!({ "msgs": msgs, "next_key": next.clone().unwrap_or_default(), "is_last": next.is_none() });
    Ok(reply)
}

/// The SDK's `messageroaming` of a group queue (`<id>@conference.easemob.com`):
/// the group's history, newest first from `start` (-1: the newest); `is_positive` is not served.
fn group_roaming(call: &Call<'_>, group: &str, req: &Value) -> Reply {
    let limit = (req.get("pull_number").and_then(Value::as_u64).unwrap_or(20) as usize).clamp(1, MAX_HISTORY_PAGE);
    let engine = &call.face.engine;
    let before = match req.get("start") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) if n.as_i64() == Some(-1) => None,
        Some(Value::String(s)) if s == "-1" || s.is_empty() => None,
        Some(Value::String(s)) => Some(seq_of(call, s)?),
        Some(Value::Number(n)) => Some(seq_of(call, &n.to_string())?),
        Some(_) => return Err(Refusal::illegal("start must be -1 or a message id")),
    };
    let mut messages = engine.group_history(group, before, limit);
    messages.reverse();
    let next = messages
        .last()
        .filter(|last| !engine.group_history(group, Some(last.seq), 1).is_empty())
        .map(|last| last.server_id.clone());
    let msgs: Vec<Value> =
        messages.iter().map(|m| json!({ "msg": meta_to_base64(&chat::stored_meta(call.face, m)) })).collect();
    let mut reply = super::to_value(call.bare::<Value>("post"));
    reply["data"] = json!({ "msgs": msgs, "next_key": next.clone().unwrap_or_default(), "is_last": next.is_none() });
    Ok(reply)
}
