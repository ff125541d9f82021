//! The conversation calls the web SDK makes over REST with the user token
//! (docs/protocols/easemob.md 16):
//!
//! - `getServerConversations`: `GET /sdk/user/{u}/user_channels/list?limit&cursor&need_mark&needEmptySession`,
//!   `data.channel_infos[]` (`session_to`, `session_type`, `unread_num`, the
//!   last message as `meta` with `payload` as JSON text), paged by `data.cursor`.
//! - `getHistoryMessages`: `POST /users/{u}/messageroaming` with
//!   `{queue: "<peer>@easemob.com" (a group's: "<id>@conference.easemob.com"), start, pull_number, is_positive: false}`,
//!   `data.msgs[].msg` (base64 protobuf `Meta`s, newest first), `next_key`,
//!   `is_last`. The [`HistoryCursor`] is `next_key`.
//! - `deleteConversation`: `DELETE /user/{u}/user_channel?resource=` with
//!   `{channel, type: "chat", delete_roam: false}` (the history stays).

use super::chat::message_of;
use super::devices::DeviceApi;
use crate::messages::{client_id_of_payload, from_payload_json, meta_from_base64};
use serde_json::{json, Value};
use unim_core::{
    Conversation, ConversationId, ConversationKind, Direction, Error, HistoryCursor, HistoryPage, Message,
    MessageStatus,
};

/// The largest conversation page the SDK asks for.
const LIST_PAGE: usize = 50;
/// The most pages of conversations read (the server keeps 100 per user).
const MAX_LIST_PAGES: usize = 20;

fn malformed(what: &str) -> Error {
    Error::protocol(format!("Easemob's {what} is malformed"))
}

/// The last message of a `channel_infos` entry, seen by `me` (`group`: the
/// entry is that group's conversation).
fn last_message(meta: &Value, me: &str, group: Option<&str>) -> Option<Message> {
    let payload: Value = match meta.get("payload")? {
        Value::String(text) => serde_json::from_str(text).ok()?,
        other => other.clone(),
    };
    let body = from_payload_json(&payload)?;
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_ascii_lowercase);
    let from = text(payload.get("from")).or_else(|| text(meta.get("from")))?;
    let to = text(payload.get("to")).or_else(|| text(meta.get("to")))?;
    let id = match meta.get("id")? {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let outgoing = from == me;
    Some(Message {
        client_id: client_id_of_payload(&payload).unwrap_or_else(|| id.clone()),
        server_id: id,
        conversation: match group {
            Some(g) => ConversationId::group(g),
            None => ConversationId::direct(if outgoing { to.clone() } else { from.clone() }),
        },
        from,
        to,
        body,
        server_time_ms: meta.get("timestamp").and_then(Value::as_u64).unwrap_or(0),
        direction: if outgoing { Direction::Outgoing } else { Direction::Incoming },
        status: if outgoing { MessageStatus::Sent } else { MessageStatus::Unread },
    })
}

/// One `channel_infos` entry as a conversation: `session_type` `chat` or
/// `groupchat` (`session_to` is then the group id); `None` for others (rooms).
fn conversation_of(info: &Value, me: &str) -> Option<Conversation> {
    let group = match info.get("session_type").and_then(Value::as_str)? {
        "chat" => false,
        "groupchat" | "groupChat" => true,
        _ => return None,
    };
    let to = info.get("session_to")?.as_str()?;
    let id = if group { ConversationId::group(to) } else { ConversationId::direct(to.to_ascii_lowercase()) };
    let unread = info.get("unread_num").and_then(Value::as_u64).unwrap_or(0);
    let last = info.get("meta").and_then(|m| last_message(m, me, group.then_some(to)));
    let mut last = last;
    if let Some(m) = last.as_mut() {
        if m.direction == Direction::Incoming && unread == 0 {
            m.status = MessageStatus::Read;
        }
    }
    Some(Conversation {
        id,
        updated_at_ms: last.as_ref().map_or(0, |m| m.server_time_ms),
        last_message: last,
        unread: u32::try_from(unread).unwrap_or(u32::MAX),
    })
}

/// Every one-to-one conversation of the user, most recent first.
pub(crate) async fn list(api: &DeviceApi<'_>) -> Result<Vec<Conversation>, Error> {
    let mut out = Vec::new();
    let mut cursor = String::new();
    for _ in 0..MAX_LIST_PAGES {
        let query = [
            ("limit", LIST_PAGE.to_string()),
            ("cursor", cursor.clone()),
            ("need_mark", "true".to_owned()),
            ("needEmptySession", "false".to_owned()),
        ];
        let reply = api
            .request(reqwest::Method::GET, &["sdk", "user", api.user, "user_channels", "list"], &query, None)
            .await?;
        let data = reply.get("data").ok_or_else(|| malformed("conversation list"))?;
        let infos = data.get("channel_infos").and_then(Value::as_array).cloned().unwrap_or_default();
        out.extend(infos.iter().filter_map(|info| conversation_of(info, api.user)));
        cursor = data.get("cursor").and_then(Value::as_str).unwrap_or_default().to_owned();
        if cursor.is_empty() || infos.is_empty() {
            break;
        }
    }
    out.sort_by_key(|c| std::cmp::Reverse(c.updated_at_ms));
    Ok(out)
}

/// One page of the history of `conversation` (a peer's or a group's
/// queue: `<peer>@easemob.com`, `<group>@conference.easemob.com`), backwards
/// from `older` (the newest page when `None`), oldest first.
pub(crate) async fn history(
    api: &DeviceApi<'_>,
    conversation: &ConversationId,
    older: Option<&HistoryCursor>,
    limit: usize,
) -> Result<HistoryPage, Error> {
    let start = older.map_or_else(|| json!(-1), |c| json!(c.0));
    let queue = match conversation.kind {
        ConversationKind::Group => format!("{}@{}", conversation.peer, crate::link::GROUP_DOMAIN),
        ConversationKind::Direct => format!("{}@{}", conversation.peer, crate::link::USER_DOMAIN),
    };
    let body = json!({
        "queue": queue,
        "start": start,
        "pull_number": limit,
        "is_positive": false,
        "msgType": "",
        "end": -1,
        "startTime": null,
        "endTime": null,
        "userId": null,
    });
    let reply = api.request(reqwest::Method::POST, &["users", api.user, "messageroaming"], &[], Some(&body)).await?;
    let data = reply.get("data").ok_or_else(|| malformed("history"))?;
    let mut messages = Vec::new();
    for entry in data.get("msgs").and_then(Value::as_array).cloned().unwrap_or_default() {
        let text = entry.get("msg").and_then(Value::as_str).ok_or_else(|| malformed("history record"))?;
        let meta =
            meta_from_base64(text).map_err(|e| Error::protocol(format!("a history record is unreadable: {e}")))?;
        if let Some(m) = message_of(&meta, api.user) {
            messages.push(m);
        }
    }
    messages.sort_by_key(|m| (m.server_time_ms, m.server_id.parse::<u64>().unwrap_or(0)));
    let is_last = data.get("is_last").and_then(Value::as_bool).unwrap_or(true);
    let next = data.get("next_key").and_then(|k| match k {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    });
    let older = next.filter(|k| !is_last && !k.is_empty()).map(HistoryCursor);
    Ok(HistoryPage { messages, older })
}

/// Deletes `conversation` from the user's list.
pub(crate) async fn delete(api: &DeviceApi<'_>, conversation: &ConversationId, resource: &str) -> Result<(), Error> {
    let kind = if conversation.kind == ConversationKind::Group { "groupchat" } else { "chat" };
    let body = json!({ "channel": conversation.peer, "type": kind, "delete_roam": false });
    api.request(
        reqwest::Method::DELETE,
        &["user", api.user, "user_channel"],
        &[("resource", resource.to_owned())],
        Some(&body),
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_infos_become_conversations() {
        let info = json!({
            "session_to": "Alice", "session_type": "chat", "unread_num": 2,
            "meta": {"id": "99", "from": "alice", "to": "bob", "timestamp": 5,
                     "payload": "{\"bodies\":[{\"type\":\"txt\",\"msg\":\"hi\"}],\"from\":\"alice\",\"to\":\"bob\",\"type\":\"chat\"}"}
        });
        let c = conversation_of(&info, "bob").expect("a conversation");
        assert_eq!((c.id.peer.as_str(), c.unread, c.updated_at_ms), ("alice", 2, 5));
        let last = c.last_message.expect("last");
        assert_eq!((last.server_id.as_str(), last.direction), ("99", Direction::Incoming));
        let g = conversation_of(&json!({"session_to": "123", "session_type": "groupchat", "unread_num": 1}), "bob");
        assert_eq!(g.map(|c| (c.id, c.unread)), Some((ConversationId::group("123"), 1)));
        assert!(conversation_of(&json!({"session_to": "r", "session_type": "chatroom"}), "bob").is_none());
    }
}
