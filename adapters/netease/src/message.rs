//! Neutral messages in NetEase's two shapes: the web link's msg Property
//! (`7_1`, `7_2`, `7_101`, `4_4`, `7_6`; docs/protocols/netease.md 5.5,
//! 5.6) and the server API's form fields and history entries
//! (docs/protocols/netease.md 11.4). The session and the emulator both use these, so the mapping is
//! written once.
//!
//! - Text: type 0; on the link the text itself is tag 9; in the server API
//!   `body` is the JSON text `{"msg": "..."}`.
//! - Custom: type 100; the data is the link's attach (tag 10) and the
//!   server API's `body` (which NetEase requires to be JSON text); the
//!   description rides as the push text (link tag 17, API `pushcontent`).
//! - Other types (images, files, ...) arrive as `Custom` with the attach
//!   (or body) as data and `netease type N` as the description.

use crate::link::ids::msg as tag;
use crate::link::Property;
use serde_json::Value;
use unim_core::{ConversationId, Direction, Error, Message, MessageBody, MessageStatus};

/// Scene 0: one-to-one (`p2p`).
pub const SCENE_P2P: i64 = 0;
/// Message type 0: text.
pub const TYPE_TEXT: i64 = 0;
/// Message type 100: custom.
pub const TYPE_CUSTOM: i64 = 100;
/// The longest body NetEase takes, in characters: the text on the link,
/// the JSON `body` of the server API, a custom message's data (netease.md 3.2).
pub const MAX_BODY_CHARS: usize = 5000;
/// The longest push text (a custom message's description), in characters
/// (`pushcontent`, netease.md 3.2).
pub const MAX_PUSH_CONTENT_CHARS: usize = 500;

/// The type, body, attach and push text tags of `body`, as `7_1` sends them.
pub fn to_wire(body: &MessageBody) -> Property {
    match body {
        MessageBody::Text { text } => Property::new().with(tag::TYPE, TYPE_TEXT).with(tag::BODY, text.as_str()),
        MessageBody::Custom { data, description } => {
            let mut p = Property::new().with(tag::TYPE, TYPE_CUSTOM).with(tag::ATTACH, data.as_str());
            if let Some(d) = description {
                p.set(tag::PUSH_CONTENT, d.as_str());
            }
            p
        }
    }
}

/// The body of a link msg Property.
pub fn body_of_wire(msg: &Property) -> MessageBody {
    let text = |t: u32| msg.str(t).unwrap_or_default();
    match msg.int(tag::TYPE).unwrap_or(TYPE_TEXT) {
        TYPE_TEXT => MessageBody::Text { text: text(tag::BODY) },
        TYPE_CUSTOM => MessageBody::Custom { data: text(tag::ATTACH), description: msg.str(tag::PUSH_CONTENT) },
        other => {
            let data = msg.str(tag::ATTACH).filter(|a| !a.is_empty()).unwrap_or_else(|| text(tag::BODY));
            MessageBody::Custom { data, description: Some(format!("netease type {other}")) }
        }
    }
}

/// A link msg Property (a `7_1` reply, `7_2`, `7_101`, `4_4` or `7_6`
/// entry) as `me` sees it. A `7_1` reply has no `from`: it is `me`'s own.
pub fn message_of_wire(msg: &Property, me: &str) -> Result<Message, Error> {
    let server_id = msg.str(tag::ID_SERVER).filter(|s| !s.is_empty());
    let server_id = server_id.ok_or_else(|| Error::protocol("a NetEase message has no idServer (tag 12)"))?;
    let from = msg.str(tag::FROM).filter(|f| !f.is_empty()).unwrap_or_else(|| me.to_owned());
    let to = msg.str(tag::TO).unwrap_or_default();
    let time = msg.get(tag::TIME).and_then(number).unwrap_or(0);
    let outgoing = from == me;
    let peer = if outgoing { to.clone() } else { from.clone() };
    Ok(Message {
        server_id,
        client_id: msg.str(tag::ID_CLIENT).unwrap_or_default(),
        from,
        to,
        conversation: ConversationId::direct(peer),
        body: body_of_wire(msg),
        server_time_ms: time,
        direction: if outgoing { Direction::Outgoing } else { Direction::Incoming },
        status: if outgoing { MessageStatus::Sent } else { MessageStatus::Unread },
    })
}

/// A non-negative number, or a decimal string of one (ids and times may come either way).
pub fn number(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// What `msg/sendMsg.action` sends for `body`: `type`, `body` and the
/// optional `pushcontent`. A custom message's data must be JSON text
/// (NetEase's rule for `body`); `InvalidInput` otherwise.
pub fn to_rest(body: &MessageBody) -> Result<(i64, String, Option<String>), Error> {
    match body {
        MessageBody::Text { text } => Ok((TYPE_TEXT, serde_json::json!({ "msg": text }).to_string(), None)),
        MessageBody::Custom { data, description } => {
            if serde_json::from_str::<Value>(data).is_err() {
                return Err(Error::invalid_input(
                    "NetEase's server API takes a custom message's data only as JSON text (its `body`)",
                ));
            }
            Ok((TYPE_CUSTOM, data.clone(), description.clone()))
        }
    }
}

/// The body of a server API message of `kind` whose `body` is `value` (a
/// JSON object or its text, netease.md 3.2) and push text `push_content`.
pub fn body_of_rest(kind: i64, value: &Value, push_content: Option<String>) -> MessageBody {
    let parsed = match value {
        Value::String(s) => serde_json::from_str::<Value>(s).unwrap_or_else(|_| Value::String(s.clone())),
        other => other.clone(),
    };
    let as_text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    match kind {
        TYPE_TEXT => match parsed.get("msg") {
            Some(Value::String(text)) => MessageBody::Text { text: text.clone() },
            _ => MessageBody::Text { text: as_text(&parsed) },
        },
        TYPE_CUSTOM => MessageBody::Custom { data: as_text(value), description: push_content },
        other => MessageBody::Custom { data: as_text(value), description: Some(format!("netease type {other}")) },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bodies_round_trip_on_the_link() {
        for body in [
            MessageBody::text("hi"),
            MessageBody::custom("{\"k\":1}", Some("card".into())),
            MessageBody::custom("raw", None),
        ] {
            assert_eq!(body_of_wire(&to_wire(&body)), body);
        }
        let image = Property::new().with(tag::TYPE, 1).with(tag::ATTACH, "{\"url\":\"x\"}");
        assert_eq!(body_of_wire(&image), MessageBody::custom("{\"url\":\"x\"}", Some("netease type 1".into())));
    }

    #[test]
    fn wire_messages_take_the_viewers_side() {
        let p = to_wire(&MessageBody::text("yo"))
            .with(tag::FROM, "bob")
            .with(tag::TO, "alice")
            .with(tag::ID_SERVER, "10000000001")
            .with(tag::ID_CLIENT, "c1")
            .with(tag::TIME, 1_700_000_000_000_u64);
        let alice = message_of_wire(&p, "alice").unwrap();
        assert_eq!((alice.direction, alice.status), (Direction::Incoming, MessageStatus::Unread));
        assert_eq!(alice.conversation, ConversationId::direct("bob"));
        assert_eq!((alice.server_time_ms, alice.client_id.as_str()), (1_700_000_000_000, "c1"));
        let bob = message_of_wire(&p, "bob").unwrap();
        assert_eq!((bob.direction, bob.conversation.peer.as_str()), (Direction::Outgoing, "alice"));
        let no_id = to_wire(&MessageBody::text("x"));
        assert_eq!(message_of_wire(&no_id, "a").unwrap_err().kind, unim_core::ErrorKind::Protocol);
    }

    #[test]
    fn rest_bodies_round_trip_and_custom_data_must_be_json() {
        let (kind, body, push) = to_rest(&MessageBody::text("a \"quoted\" text")).unwrap();
        assert_eq!((kind, push), (TYPE_TEXT, None));
        assert_eq!(body_of_rest(kind, &Value::String(body.clone()), None), MessageBody::text("a \"quoted\" text"));
        let parsed: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body_of_rest(kind, &parsed, None), MessageBody::text("a \"quoted\" text"));
        let custom = MessageBody::custom("{\"k\":[1,2]}", Some("d".into()));
        let (kind, body, push) = to_rest(&custom).unwrap();
        assert_eq!(body_of_rest(kind, &Value::String(body), push), custom);
        assert_eq!(
            to_rest(&MessageBody::custom("not json", None)).unwrap_err().kind,
            unim_core::ErrorKind::InvalidInput
        );
        assert_eq!(number(&json!("12")), Some(12));
        assert_eq!(number(&json!(-1)), None);
    }
}
