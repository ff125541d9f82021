//! Messages on the msync link (docs/protocols/easemob.md 7):
//!
//! - **Send**: a SYNC with a chat `Meta` whose `id` is
//!   [`crate::messages::meta_id_for`] of the client id; the server's ack (a
//!   SYNC DL naming that meta id) gives the server id and time, or a refusal
//!   status. Acks are matched to their sends by meta id ([`Pending`]).
//! - **Mark read**: the SDK's `channel` message, a chat meta whose body has
//!   type `CHANNEL_ACK`, acked like a send.
//! - **Receive**: chat metas in pulled queues become messages; the sender's
//!   own copies from its other devices are `Outgoing`. Each server id is
//!   announced once per session ([`Seen`]), whatever the server resends.

use crate::link::{message_body, CommSyncDl, Jid, Meta};
use crate::messages::{client_id_of, from_pb};
use crate::VENDOR;
use std::collections::{HashMap, HashSet, VecDeque};
use tokio::sync::oneshot;
use unim_core::{ConversationId, Direction, Error, ErrorKind, Message, MessageBody, MessageStatus, VendorError};

/// How many received server ids a session remembers for de-duplication.
const SEEN_CAPACITY: usize = 16_384;

/// Sends waiting for their ack, by meta id.
#[derive(Default)]
pub(crate) struct Pending(HashMap<u64, Vec<oneshot::Sender<CommSyncDl>>>);

impl Pending {
    /// A receiver for the ack of `meta_id`.
    pub(crate) fn wait(&mut self, meta_id: u64) -> oneshot::Receiver<CommSyncDl> {
        let (tx, rx) = oneshot::channel();
        self.0.entry(meta_id).or_default().push(tx);
        rx
    }

    /// Hands `dl` to the sends of its meta id.
    pub(crate) fn ack(&mut self, dl: &CommSyncDl) {
        let Some(meta_id) = dl.meta_id else { return };
        for waiter in self.0.remove(&meta_id).unwrap_or_default() {
            let _ = waiter.send(dl.clone());
        }
    }

    /// Fails every waiting send (the link is gone; their acks will not come).
    pub(crate) fn clear(&mut self) {
        self.0.clear();
    }
}

/// Server ids already announced, the oldest forgotten first.
#[derive(Default)]
pub(crate) struct Seen {
    ids: HashSet<u64>,
    order: VecDeque<u64>,
}

impl Seen {
    /// Whether `id` is new (and remembers it).
    pub(crate) fn first_time(&mut self, id: u64) -> bool {
        if !self.ids.insert(id) {
            return false;
        }
        self.order.push_back(id);
        if self.order.len() > SEEN_CAPACITY {
            if let Some(old) = self.order.pop_front() {
                self.ids.remove(&old);
            }
        }
        true
    }
}

/// The error of a refused send (docs/protocols/easemob.md 7.1): the web
/// SDK's type for the status and reason, with the server's words.
pub(crate) fn send_refusal(dl: &CommSyncDl) -> Error {
    use crate::link::status::ErrorCode;
    let status = dl.status.clone().unwrap_or_default();
    let reason = status.reason.clone().unwrap_or_default();
    let lower = reason.to_ascii_lowercase();
    let (kind, sdk_type, words) = match ErrorCode::try_from(status.code()) {
        Ok(ErrorCode::PermissionDenied) if lower.contains("too large") => {
            (ErrorKind::InvalidInput, 511, "the message is too large (body and ext at most 5 KB)")
        }
        Ok(ErrorCode::PermissionDenied) if lower.contains("mute") => {
            (ErrorKind::PermissionDenied, 219, "the user is muted")
        }
        Ok(ErrorCode::PermissionDenied) if lower.contains("traffic") => {
            (ErrorKind::RateLimited { retry_after: None }, 509, "the message rate limit is reached")
        }
        Ok(ErrorCode::PermissionDenied) => (ErrorKind::PermissionDenied, 502, "the message was refused"),
        Ok(ErrorCode::UserMuted) => (ErrorKind::PermissionDenied, 507, "the user is muted"),
        Ok(ErrorCode::Fail) if lower.contains("blocked") => {
            (ErrorKind::PermissionDenied, 603, "the peer blocked the user")
        }
        Ok(ErrorCode::Fail) if lower.contains("nonroster") => {
            (ErrorKind::PermissionDenied, 221, "the peer is not a contact")
        }
        // The SDK's rule: "username" and "doesn't exist!" in the reason is USER_NOT_FOUND.
        Ok(ErrorCode::Fail) if lower.contains("username") && lower.contains("doesn't exist") => {
            (ErrorKind::NotFound, 204, "the recipient does not exist")
        }
        Ok(ErrorCode::Fail) if lower.contains("not in group") => {
            (ErrorKind::PermissionDenied, 602, "the user is not a member of the group")
        }
        Ok(ErrorCode::Fail) if lower.contains("group not found") => {
            (ErrorKind::NotFound, 605, "the group does not exist")
        }
        _ => (ErrorKind::Other, 604, "the message was refused"),
    };
    let mut vendor = VendorError::new(VENDOR, sdk_type, reason);
    vendor.name = ErrorCode::try_from(status.code()).ok().map(|c| c.as_str_name().to_owned());
    Error::new(kind, format!("Easemob refused the message: {words}")).with_vendor(vendor)
}

/// The message a chat meta carries, seen by `me`; `None` for what is not a
/// one-to-one or group text or custom message (acks, images, rooms, ...).
/// A group message (type `GROUPCHAT`, `to` the group's JID) belongs to the
/// group's conversation.
pub(crate) fn message_of(meta: &Meta, me: &str) -> Option<Message> {
    let body = meta.message_body().ok()?;
    let kind = body.r#type.unwrap_or(0);
    let group = kind == message_body::Type::Groupchat as i32
        || (kind == message_body::Type::Chat as i32 && meta.to.as_ref().is_some_and(Jid::is_group));
    if kind != message_body::Type::Chat as i32 && !group {
        return None;
    }
    let neutral: MessageBody = from_pb(&body)?;
    let name = |jid: Option<&Jid>| jid.and_then(|j| j.name.clone()).filter(|n| !n.is_empty());
    let from = name(meta.from.as_ref()).or_else(|| name(body.from.as_ref()))?.to_ascii_lowercase();
    let to = name(meta.to.as_ref()).or_else(|| name(body.to.as_ref()))?.to_ascii_lowercase();
    let server_id = meta.id?;
    let outgoing = from == me;
    let conversation = if group {
        // Group ids are digits: kept as they are.
        let id =
            meta.to.as_ref().and_then(|j| j.name.clone()).or_else(|| body.to.as_ref().and_then(|j| j.name.clone()))?;
        ConversationId::group(id)
    } else {
        ConversationId::direct(if outgoing { to.clone() } else { from.clone() })
    };
    Some(Message {
        server_id: server_id.to_string(),
        // Receivers never see the sender's meta id: unim's ext carries its
        // client id; from other clients the server id is the only id known.
        client_id: client_id_of(&body).unwrap_or_else(|| server_id.to_string()),
        from,
        to,
        conversation,
        body: neutral,
        server_time_ms: meta.timestamp.unwrap_or(0),
        direction: if outgoing { Direction::Outgoing } else { Direction::Incoming },
        status: if outgoing { MessageStatus::Sent } else { MessageStatus::Unread },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::status::ErrorCode;
    use crate::link::Status;
    use crate::messages::to_pb;

    #[test]
    fn seen_ids_are_announced_once() {
        let mut seen = Seen::default();
        assert!(seen.first_time(7));
        assert!(!seen.first_time(7));
        assert!(seen.first_time(8));
    }

    #[test]
    fn chat_metas_become_messages_from_the_viewer_side() {
        let body = crate::messages::to_pb_with_client_id(&MessageBody::text("hi"), "alice", "bob", "c-9");
        let meta = Meta::chat(42, Jid::user("o#a", "bob"), &body)
            .with_from(Jid::user("o#a", "alice").with_resource("r1"))
            .with_timestamp(1_700_000_000_123);
        let incoming = message_of(&meta, "bob").expect("a message");
        assert_eq!((incoming.direction, incoming.status), (Direction::Incoming, MessageStatus::Unread));
        assert_eq!(incoming.conversation, ConversationId::direct("alice"));
        assert_eq!((incoming.server_id.as_str(), incoming.server_time_ms), ("42", 1_700_000_000_123));
        assert_eq!(incoming.client_id, "c-9");
        let copy = message_of(&meta, "alice").expect("a message");
        assert_eq!((copy.direction, copy.conversation.peer.as_str()), (Direction::Outgoing, "bob"));
        let mut ack = to_pb(&MessageBody::text(""), "alice", "bob");
        ack.r#type = Some(message_body::Type::ChannelAck as i32);
        assert!(message_of(&Meta::chat(1, Jid::user("o#a", "bob"), &ack), "bob").is_none());
    }

    #[test]
    fn refusals_map_to_the_web_types() {
        let dl = |code, reason: &str| CommSyncDl { status: Some(Status::error(code, reason)), ..Default::default() };
        let big = send_refusal(&dl(ErrorCode::PermissionDenied, "Sorry, data is too large"));
        assert_eq!((big.kind, big.vendor.map(|v| v.code)), (ErrorKind::InvalidInput, Some(511)));
        assert_eq!(send_refusal(&dl(ErrorCode::Fail, "blocked")).vendor.map(|v| v.code), Some(603));
        assert_eq!(send_refusal(&dl(ErrorCode::WrongParameter, "x")).vendor.map(|v| v.code), Some(604));
        let ghost = send_refusal(&dl(ErrorCode::Fail, "username ghost doesn't exist!"));
        assert_eq!((ghost.kind, ghost.vendor.map(|v| v.code)), (ErrorKind::NotFound, Some(204)));
    }
}
