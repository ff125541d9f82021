//! Conversations and messages, the same for every vendor.
//!
//! A [`Message`] is seen from one user's side: `direction` and
//! `conversation` say whose copy it is. Ids are the vendor's own (Tencent
//! `MsgKey`, Easemob's 19-digit id, NetEase `msgid`), kept as text. Times are
//! Unix milliseconds (Tencent's seconds are scaled).

use serde::{Deserialize, Serialize};
use std::fmt;

/// One-to-one or group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConversationKind {
    /// A one-to-one conversation with another user (Tencent C2C, Easemob
    /// `chat`, NetEase p2p).
    Direct,
    /// A group conversation.
    Group,
}

/// A conversation as one user sees it: the kind and the other side (the peer
/// user, or the group id).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ConversationId {
    /// One-to-one or group.
    pub kind: ConversationKind,
    /// The other user, or the group.
    pub peer: String,
}

impl ConversationId {
    /// The one-to-one conversation with `peer`.
    pub fn direct(peer: impl Into<String>) -> Self {
        ConversationId { kind: ConversationKind::Direct, peer: peer.into() }
    }

    /// The conversation of group `group`.
    pub fn group(group: impl Into<String>) -> Self {
        ConversationId { kind: ConversationKind::Group, peer: group.into() }
    }
}

impl fmt::Display for ConversationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            ConversationKind::Direct => write!(f, "direct:{}", self.peer),
            ConversationKind::Group => write!(f, "group:{}", self.peer),
        }
    }
}

/// What a message says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MessageBody {
    /// Plain text.
    Text {
        /// The text.
        text: String,
    },
    /// App-defined data (Tencent `TIMCustomElem`, Easemob `custom`, NetEase type 100).
    Custom {
        /// The payload, opaque to unim.
        data: String,
        /// A short human-readable description, when given.
        description: Option<String>,
    },
}

impl MessageBody {
    /// A text body.
    pub fn text(text: impl Into<String>) -> Self {
        MessageBody::Text { text: text.into() }
    }

    /// A custom body.
    pub fn custom(data: impl Into<String>, description: Option<String>) -> Self {
        MessageBody::Custom { data: data.into(), description }
    }

    /// The size the vendors' limits count: the UTF-8 bytes of the text, or
    /// of the data and the description.
    pub fn byte_len(&self) -> usize {
        match self {
            MessageBody::Text { text } => text.len(),
            MessageBody::Custom { data, description } => data.len() + description.as_ref().map_or(0, String::len),
        }
    }
}

/// Whose copy a message is, from the viewing user's side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// The viewing user sent it (on this device or another).
    Outgoing,
    /// The viewing user received it.
    Incoming,
}

/// Where a message stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageStatus {
    /// Outgoing: the server accepted and stored it.
    Sent,
    /// Incoming: not read yet.
    Unread,
    /// Incoming: read (the conversation was marked read).
    Read,
}

/// A message as one user sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// The server's id (Tencent `MsgKey`, Easemob message id, NetEase `msgid`).
    pub server_id: String,
    /// The sender's id for it (Tencent `MsgRandom`, Easemob client message id,
    /// NetEase `msgidclient`): a send retried with the same client id is stored once.
    pub client_id: String,
    /// The sender.
    pub from: String,
    /// The recipient user or group.
    pub to: String,
    /// The conversation it belongs to, seen from the viewing user.
    pub conversation: ConversationId,
    /// What it says.
    pub body: MessageBody,
    /// When the server stored it, Unix milliseconds.
    pub server_time_ms: u64,
    /// Whose copy this is.
    pub direction: Direction,
    /// Where it stands.
    pub status: MessageStatus,
}

/// A message to send. Keep it to retry: a retry with the same `client_id`
/// (after a lost reply, say) is stored and delivered once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingMessage {
    /// Where it goes.
    pub to: ConversationId,
    /// What it says.
    pub body: MessageBody,
    /// The sender's id for it, fixed at creation.
    pub client_id: String,
}

impl OutgoingMessage {
    /// A message for `to` with a fresh random client id.
    pub fn new(to: ConversationId, body: MessageBody) -> Self {
        OutgoingMessage { to, body, client_id: new_client_id() }
    }

    /// The same message with `client_id` (a vendor may require a shape; the
    /// adapter checks it).
    pub fn with_client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = client_id.into();
        self
    }
}

/// A fresh client message id: 32 random hex digits.
pub fn new_client_id() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// A conversation in a user's list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conversation {
    /// Which conversation.
    pub id: ConversationId,
    /// The newest message, when the vendor reports it.
    pub last_message: Option<Message>,
    /// Incoming messages not read yet.
    pub unread: u32,
    /// When it last changed, Unix milliseconds.
    pub updated_at_ms: u64,
}

/// Where the next (older) page of a history starts. Opaque: only the adapter
/// that made it reads it (Tencent `LastMsgKey` + time, Easemob's cursor,
/// NetEase's end time and id).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct HistoryCursor(pub String);

/// One page of a conversation's history, read backwards from the newest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryPage {
    /// The page's messages, oldest first; every one is older than those of
    /// the page before.
    pub messages: Vec<Message>,
    /// The cursor of the next, older page; `None` when this was the oldest.
    pub older: Option<HistoryCursor>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_ids_are_fresh_and_hex() {
        let a = OutgoingMessage::new(ConversationId::direct("bob"), MessageBody::text("hi"));
        let b = OutgoingMessage::new(ConversationId::direct("bob"), MessageBody::text("hi"));
        assert_ne!(a.client_id, b.client_id);
        assert_eq!(a.client_id.len(), 32);
        assert!(a.client_id.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(a.clone().with_client_id("x").client_id, "x");
    }

    #[test]
    fn bodies_serialize_tagged_and_count_bytes() {
        let custom = MessageBody::custom("{\"k\":1}", Some("card".into()));
        let json = serde_json::to_string(&custom).unwrap();
        assert!(json.contains("\"type\":\"custom\""), "{json}");
        assert_eq!(serde_json::from_str::<MessageBody>(&json).unwrap(), custom);
        assert_eq!(MessageBody::text("é").byte_len(), 2);
        assert_eq!(custom.byte_len(), 11);
        assert_eq!(ConversationId::direct("bob").to_string(), "direct:bob");
    }
}
