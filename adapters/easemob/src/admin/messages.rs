//! The admin's messages over the server REST API (easemob.md 4):
//!
//! - [`EasemobAdmin::send_to_users`]: `POST /messages/users` with `from`
//!   (left out for the app admin: Easemob's default sender `admin`), `to`,
//!   `type` `txt` or `custom` ([`crate::messages`] has the body mapping) and
//!   `sync_device: true` (the sender's online devices get a copy). The reply's
//!   `data` maps each recipient to its 19-digit message id.
//! - [`EasemobAdmin::roaming_history`]: `POST /api/server/v6/{org}/{app}/roaming/chat`
//!   with `{username, to, limit, order: "up", cursor}`: `data.messages`
//!   (archive-style records: `msg_id`, `timestamp`, `from`, `to`, `payload`)
//!   and `data.pagination.cursor` for the next, older page (empty at the end).
//!
//! **Retries.** The REST send has no client message id: Easemob stores every
//! call anew, so the neutral client id is kept in the returned message but a
//! retried call may store the message twice. Only session sends are deduplicated.
//!
//! **Unknown recipients.** Easemob does not check that `to` exists (4.1): the
//! raw [`EasemobAdmin::send_to_users`] succeeds with an id and nobody
//! receives it. The neutral [`unim_core::Admin::send_message`] first asks
//! `GET /users/{to}`, so an unknown recipient is [`unim_core::ErrorKind::NotFound`]
//! (404 `service_resource_not_found`).
//!
//! **Client ids.** The neutral client id travels in `ext`
//! ([`crate::messages::CLIENT_ID_EXT`]) so receivers see the same client id.

use super::{about, EasemobAdmin};
use crate::messages::{client_id_of_payload, from_payload_json, to_rest, CLIENT_ID_EXT, MAX_MESSAGE_BYTES};
use crate::rest::{normalize_username, Method};
use serde_json::{json, Value};
use unim_core::{ConversationId, Direction, Error, HistoryCursor, HistoryPage, Message, MessageBody, MessageStatus};

/// The app admin's sender name (the REST default `from`).
pub const ADMIN_SENDER: &str = "admin";

/// The largest roaming page asked for.
const MAX_ROAMING_LIMIT: usize = 50;

impl EasemobAdmin {
    /// `POST /messages/users`: sends `body` from `from` (`None`: the app
    /// admin) to each of `to`, with `client_id` (when given) in `ext` as
    /// [`crate::messages::CLIENT_ID_EXT`]; returns each recipient's message
    /// id and the server time (ms). A body over 5 KB is refused before sending
    /// ([`unim_core::ErrorKind::InvalidInput`]), as the server would (400
    /// `message is too large`).
    pub async fn send_to_users(
        &self,
        from: Option<&str>,
        to: &[String],
        body: &MessageBody,
        client_id: Option<&str>,
        sync_device: bool,
    ) -> Result<(Vec<(String, String)>, u64), Error> {
        let from = from.map(normalize_username).transpose()?;
        let to = to.iter().map(|u| normalize_username(u)).collect::<Result<Vec<_>, _>>()?;
        if to.is_empty() {
            return Err(Error::invalid_input("a message needs at least one recipient"));
        }
        if body.byte_len() > MAX_MESSAGE_BYTES {
            let mut e = Error::invalid_input(format!(
                "the message is {} bytes; Easemob takes at most {MAX_MESSAGE_BYTES}",
                body.byte_len()
            ));
            let mut vendor = unim_core::VendorError::new(crate::VENDOR, 400, "message is too large");
            vendor.name = Some("illegal_argument".into());
            e = e.with_vendor(vendor);
            return Err(e);
        }
        let (kind, rest_body) = to_rest(body);
        let mut request = json!({ "to": to, "type": kind, "body": rest_body, "sync_device": sync_device });
        if let Some(from) = &from {
            request["from"] = Value::String(from.clone());
        }
        if let Some(id) = client_id {
            request["ext"] = json!({ CLIENT_ID_EXT: id });
        }
        let reply: Value = self
            .rest
            .call(Method::Post, &["messages", "users"], &[], Some(&request))
            .await
            .map_err(|e| about(e, "send a message to", &to.join(",")))?;
        let data = reply.get("data").and_then(Value::as_object);
        let mut ids = Vec::with_capacity(to.len());
        for user in &to {
            let id = data
                .and_then(|d| d.get(user))
                .and_then(Value::as_str)
                .ok_or_else(|| Error::protocol(format!("Easemob's send reply has no message id for {user}")))?;
            ids.push((user.clone(), id.to_owned()));
        }
        let time = reply.get("timestamp").and_then(Value::as_u64).unwrap_or(0);
        Ok((ids, time))
    }

    /// `POST /api/server/v6/{org}/{app}/roaming/chat`: up to `limit` records
    /// of `user`'s conversation with `peer`, newest first from `cursor`
    /// (`None`: the newest), and the cursor of the next, older page.
    pub async fn roaming_history(
        &self,
        user: &str,
        peer: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<Value>, Option<String>), Error> {
        let user = normalize_username(user)?;
        let peer = normalize_username(peer)?;
        let mut request =
            json!({ "username": user, "to": peer, "limit": limit.clamp(1, MAX_ROAMING_LIMIT), "order": "up" });
        if let Some(cursor) = cursor {
            request["cursor"] = Value::String(cursor.to_owned());
        }
        let key = self.rest.app_key();
        let reply: Value = self
            .rest
            .call_from_root(
                Method::Post,
                &["api", "server", "v6", key.org(), key.app(), "roaming", "chat"],
                &[],
                Some(&request),
            )
            .await
            .map_err(|e| about(e, "read the history of", &user))?;
        let data = reply.get("data").ok_or_else(|| Error::protocol("Easemob's roaming reply has no data"))?;
        let records = data.get("messages").and_then(Value::as_array).cloned().unwrap_or_default();
        let next =
            data.pointer("/pagination/cursor").and_then(Value::as_str).filter(|c| !c.is_empty()).map(str::to_owned);
        Ok((records, next))
    }
}

/// A roaming record as a message seen by `viewer`.
pub(super) fn record_message(record: &Value, viewer: &str) -> Option<Message> {
    let text = |k: &str| record.get(k).and_then(Value::as_str).map(str::to_ascii_lowercase);
    let from = text("from")?;
    let to = text("to")?;
    let id = match record.get("msg_id")? {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let payload = record.get("payload")?;
    let body = from_payload_json(payload)?;
    let outgoing = from == viewer;
    Some(Message {
        client_id: client_id_of_payload(payload).unwrap_or_else(|| id.clone()),
        server_id: id,
        conversation: ConversationId::direct(if outgoing { to.clone() } else { from.clone() }),
        from,
        to,
        body,
        server_time_ms: record.get("timestamp").and_then(Value::as_u64).unwrap_or(0),
        direction: if outgoing { Direction::Outgoing } else { Direction::Incoming },
        // The roaming API says nothing of read state.
        status: if outgoing { MessageStatus::Sent } else { MessageStatus::Read },
    })
}

/// The neutral admin send (module docs).
pub(super) async fn send_message(
    admin: &EasemobAdmin,
    from: Option<&str>,
    to: &str,
    body: &MessageBody,
    client_id: &str,
) -> Result<Message, Error> {
    // Easemob's send does not check recipients (easemob.md 4.1); the neutral
    // contract refuses unknown ones, so ask first (404 → NotFound).
    admin.get_user(to).await?;
    let (ids, time) = admin.send_to_users(from, &[to.to_owned()], body, Some(client_id), true).await?;
    let (to, server_id) = ids.into_iter().next().ok_or_else(|| Error::protocol("Easemob's send reply is empty"))?;
    let from = match from {
        Some(f) => normalize_username(f)?,
        None => ADMIN_SENDER.to_owned(),
    };
    Ok(Message {
        server_id,
        client_id: client_id.to_owned(),
        from,
        to: to.clone(),
        conversation: ConversationId::direct(to),
        body: body.clone(),
        server_time_ms: time,
        direction: Direction::Outgoing,
        status: MessageStatus::Sent,
    })
}

/// The neutral admin history: one page backwards, oldest first.
pub(super) async fn history(
    admin: &EasemobAdmin,
    user: &str,
    peer: &str,
    older: Option<&HistoryCursor>,
    limit: usize,
) -> Result<HistoryPage, Error> {
    if limit == 0 {
        return Err(Error::invalid_input("the history page limit must be at least 1"));
    }
    let viewer = normalize_username(user)?;
    let (records, next) = admin.roaming_history(user, peer, older.map(|c| c.0.as_str()), limit).await?;
    let mut messages: Vec<Message> = records.iter().filter_map(|r| record_message(r, &viewer)).collect();
    messages.sort_by_key(|m| (m.server_time_ms, m.server_id.parse::<u64>().unwrap_or(0)));
    Ok(HistoryPage { messages, older: next.map(HistoryCursor) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roaming_records_become_messages() {
        let record = json!({
            "msg_id": "1029457500870543736", "timestamp": 7, "direction": "outgoing", "from": "alice", "to": "bob",
            "chat_type": "chat",
            "payload": {"bodies": [{"type": "custom", "customEvent": "card", "customExts": {"data": "{}"}}],
                        "ext": {}, "from": "alice", "to": "bob", "type": "chat"}
        });
        let m = record_message(&record, "bob").expect("a message");
        assert_eq!(m.body, MessageBody::custom("{}", Some("card".into())));
        assert_eq!((m.direction, m.conversation.peer.as_str()), (Direction::Incoming, "alice"));
        assert_eq!(record_message(&record, "alice").unwrap().direction, Direction::Outgoing);
        assert!(record_message(&json!({"from": "a"}), "a").is_none());
    }
}
