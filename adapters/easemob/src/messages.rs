//! One-to-one messages between the neutral model and Easemob's three shapes
//! of them: the msync protobuf `MessageBody` (the web SDK's sends and
//! receives, docs/protocols/easemob.md 7), the REST send body (`type` +
//! `body`, easemob.md 4.1) and the JSON `payload` of stored records
//! (`{bodies: [..], ext, from, to, type}`, the hourly archive and the
//! conversation list's `meta`).
//!
//! **Custom bodies.** [`MessageBody::Custom`] `{data, description}` is an
//! Easemob `custom` message: `customEvent` is the description when it is a
//! valid event name (`[a-zA-Z0-9-_/.]{1,32}`), else [`DEFAULT_CUSTOM_EVENT`];
//! `customExts` holds `{"data": data}`, plus `{"description": ..}` when the
//! description could not be the event name. Reading back, the description is
//! `customExts.description`, else the event unless it is the default one.
//!
//! **Client ids.** The web SDK's client message id is the `u64`
//! `Meta.id` of the send; [`meta_id_for`] derives it from a neutral client id
//! (a decimal `u64` is used as it is, anything else is hashed), so a retry
//! of the same [`unim_core::OutgoingMessage`] carries the same meta id, and
//! the server stores it once. Receivers never see that meta id, so unim also
//! writes the neutral client id into the message's `ext` as
//! [`CLIENT_ID_EXT`] (a plain message attribute: Easemob delivers and stores
//! `ext` unchanged); a message without it (from another client) takes its
//! server id as client id.

use crate::link::{self, key_value, message_body, Jid, KeyValue};
use serde_json::{json, Map, Value};
use unim_core::MessageBody;

/// The largest message Easemob accepts: body and ext together at most 5 KB
/// (easemob.md 4.1); the neutral [`MessageBody::byte_len`] is what counts.
pub const MAX_MESSAGE_BYTES: usize = 5 * 1024;

/// The `customEvent` of a custom message without a usable description.
pub const DEFAULT_CUSTOM_EVENT: &str = "custom";

/// The `customExts` key that carries [`MessageBody::Custom`]'s data.
pub const CUSTOM_DATA_KEY: &str = "data";

/// The `customExts` key for a description that is not a valid event name.
pub const CUSTOM_DESCRIPTION_KEY: &str = "description";

/// The `ext` attribute that carries unim's client id (module docs).
pub const CLIENT_ID_EXT: &str = "unim_client_id";

/// Whether `event` may be a `customEvent` (easemob.md 4.1).
pub fn is_custom_event(event: &str) -> bool {
    (1..=32).contains(&event.len())
        && event.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/' | '.'))
}

/// The `customEvent` and `customExts` pairs of a custom body.
fn custom_parts(data: &str, description: Option<&str>) -> (String, Vec<(String, String)>) {
    let mut exts = vec![(CUSTOM_DATA_KEY.to_owned(), data.to_owned())];
    let event = match description {
        Some(d) if is_custom_event(d) && d != DEFAULT_CUSTOM_EVENT => d.to_owned(),
        Some(d) => {
            exts.push((CUSTOM_DESCRIPTION_KEY.to_owned(), d.to_owned()));
            DEFAULT_CUSTOM_EVENT.to_owned()
        }
        None => DEFAULT_CUSTOM_EVENT.to_owned(),
    };
    (event, exts)
}

/// A custom body from its event and ext pairs (module docs).
fn custom_from_parts(event: Option<&str>, exts: &[(String, String)]) -> MessageBody {
    let get = |k: &str| exts.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
    let data = get(CUSTOM_DATA_KEY).unwrap_or_else(|| {
        // Sent by someone else's client: keep every pair, as a JSON object.
        let map: Map<String, Value> = exts.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
        Value::Object(map).to_string()
    });
    let description = get(CUSTOM_DESCRIPTION_KEY)
        .or_else(|| event.filter(|e| !e.is_empty() && *e != DEFAULT_CUSTOM_EVENT).map(str::to_owned));
    MessageBody::Custom { data, description }
}

/// The msync `MessageBody` of a one-to-one message from `from` to `to`
/// (names only, as the SDK sets them).
pub fn to_pb(body: &MessageBody, from: &str, to: &str) -> link::MessageBody {
    let content = match body {
        MessageBody::Text { text } => message_body::Content::text_content(text.clone()),
        MessageBody::Custom { data, description } => {
            let (event, exts) = custom_parts(data, description.as_deref());
            message_body::Content {
                r#type: Some(message_body::content::Type::Custom as i32),
                custom_event: Some(event),
                custom_exts: exts.into_iter().map(|(k, v)| KeyValue::string(k, v)).collect(),
                ..message_body::Content::default()
            }
        }
    };
    link::MessageBody {
        r#type: Some(message_body::Type::Chat as i32),
        from: Some(Jid::named(from)),
        to: Some(Jid::named(to)),
        contents: vec![content],
        ..link::MessageBody::default()
    }
}

/// [`to_pb`] with the client id in `ext` ([`CLIENT_ID_EXT`]).
pub fn to_pb_with_client_id(body: &MessageBody, from: &str, to: &str, client_id: &str) -> link::MessageBody {
    let mut pb = to_pb(body, from, to);
    pb.ext.push(KeyValue::string(CLIENT_ID_EXT, client_id));
    pb
}

/// The client id a message's `ext` carries, if any.
pub fn client_id_of(body: &link::MessageBody) -> Option<String> {
    body.ext.iter().find(|kv| kv.key.as_deref() == Some(CLIENT_ID_EXT)).map(key_value_text).filter(|s| !s.is_empty())
}

/// A message's `ext` as the JSON object of the REST and record shapes
/// (strings stay strings, JSON texts are parsed, numbers are numbers).
pub fn ext_json(body: &link::MessageBody) -> Map<String, Value> {
    body.ext
        .iter()
        .filter_map(|kv| {
            let key = kv.key.clone()?;
            let value = match &kv.value {
                Some(key_value::Value::StringValue(s))
                    if kv.r#type == Some(key_value::ValueType::JsonString as i32) =>
                {
                    serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.clone()))
                }
                Some(key_value::Value::StringValue(s)) => Value::String(s.clone()),
                Some(key_value::Value::VarintValue(v)) if kv.r#type == Some(key_value::ValueType::Bool as i32) => {
                    Value::Bool(*v != 0)
                }
                Some(key_value::Value::VarintValue(v)) => json!(v),
                Some(key_value::Value::DoubleValue(v)) => json!(v),
                Some(key_value::Value::FloatValue(v)) => json!(v),
                None => Value::Null,
            };
            Some((key, value))
        })
        .collect()
}

/// The `ext` attributes of a REST send's `ext` object, as the web SDK
/// encodes JS values (docs/protocols/easemob.md 7.1).
pub fn ext_from_json(ext: &Map<String, Value>) -> Vec<KeyValue> {
    ext.iter()
        .map(|(k, v)| match v {
            Value::String(s) => KeyValue::string(k.clone(), s.clone()),
            Value::Bool(b) => KeyValue::bool(k.clone(), *b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => KeyValue::int(k.clone(), i),
                None => KeyValue::double(k.clone(), n.as_f64().unwrap_or_default()),
            },
            other => KeyValue::json(k.clone(), other.to_string()),
        })
        .collect()
}

/// [`to_pb`], encoded: the bytes of a chat `Meta.payload`.
pub fn to_pb_bytes(body: &MessageBody, from: &str, to: &str) -> Vec<u8> {
    encode_body(&to_pb(body, from, to))
}

/// The bytes of an msync `MessageBody` (a chat `Meta.payload`).
pub fn encode_body(body: &link::MessageBody) -> Vec<u8> {
    use prost::Message as _;
    body.encode_to_vec()
}

/// A chat `Meta` as the roaming APIs carry it: protobuf, then base64
/// (standard alphabet, padded), in `msgs[].msg`.
pub fn meta_to_base64(meta: &link::Meta) -> String {
    use base64::Engine as _;
    use prost::Message as _;
    base64::engine::general_purpose::STANDARD.encode(meta.encode_to_vec())
}

/// The `Meta` of a roaming record's `msg`; `Err` says what is wrong.
pub fn meta_from_base64(text: &str) -> Result<link::Meta, String> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD.decode(text).map_err(|e| format!("not base64: {e}"))?;
    link::decode_message::<link::Meta>(&bytes).map_err(|e| e.to_string())
}

/// The text of a `KeyValue`'s value (numbers and booleans as JSON text).
fn key_value_text(kv: &KeyValue) -> String {
    match &kv.value {
        Some(key_value::Value::StringValue(s)) => s.clone(),
        Some(key_value::Value::VarintValue(v)) => v.to_string(),
        Some(key_value::Value::DoubleValue(v)) => v.to_string(),
        Some(key_value::Value::FloatValue(v)) => v.to_string(),
        None => String::new(),
    }
}

/// The neutral body of an msync `MessageBody`: its first text or custom
/// content; `None` for the kinds unim does not model (images, files, ...).
pub fn from_pb(body: &link::MessageBody) -> Option<MessageBody> {
    let content = body.contents.first()?;
    match message_body::content::Type::try_from(content.r#type.unwrap_or(0)).ok()? {
        message_body::content::Type::Text => Some(MessageBody::text(content.text.clone().unwrap_or_default())),
        message_body::content::Type::Custom => {
            let exts: Vec<(String, String)> =
                content.custom_exts.iter().map(|kv| (kv.key.clone().unwrap_or_default(), key_value_text(kv))).collect();
            Some(custom_from_parts(content.custom_event.as_deref(), &exts))
        }
        _ => None,
    }
}

/// The REST send's `type` and `body` (easemob.md 4.1): `txt` `{msg}` or
/// `custom` `{customEvent, customExts}`.
pub fn to_rest(body: &MessageBody) -> (&'static str, Value) {
    match body {
        MessageBody::Text { text } => ("txt", json!({ "msg": text })),
        MessageBody::Custom { data, description } => {
            let (event, exts) = custom_parts(data, description.as_deref());
            let exts: Map<String, Value> = exts.into_iter().map(|(k, v)| (k, Value::String(v))).collect();
            ("custom", json!({ "customEvent": event, "customExts": exts }))
        }
    }
}

/// The neutral body of a REST send's `type` and `body`; `Err` names what is
/// wrong (a missing `msg`, an unsupported type, ...).
pub fn from_rest(kind: &str, body: &Value) -> Result<MessageBody, String> {
    match kind {
        "txt" => body
            .get("msg")
            .and_then(Value::as_str)
            .map(MessageBody::text)
            .ok_or_else(|| "a txt message needs body.msg (a string)".to_owned()),
        "custom" => {
            let event = body.get("customEvent").and_then(Value::as_str);
            if event.is_some_and(|e| !is_custom_event(e)) {
                return Err("customEvent must match [a-zA-Z0-9-_/\\.]{1,32}".to_owned());
            }
            let exts = match body.get("customExts") {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Object(map)) => map
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
                    .collect(),
                Some(_) => return Err("customExts must be an object of strings".to_owned()),
            };
            if exts.len() > 16 {
                return Err("customExts takes at most 16 pairs".to_owned());
            }
            Ok(custom_from_parts(event, &exts))
        }
        other => Err(format!("message type {other:?} is not supported here (txt and custom are)")),
    }
}

/// The JSON `payload` of a stored one-to-one record (easemob.md 4.2): the
/// REST body with its `type` inside `bodies`, and `ext`, `from`, `to`, `type: "chat"`.
pub fn payload_json(body: &MessageBody, ext: Map<String, Value>, from: &str, to: &str) -> Value {
    let (kind, mut rest) = to_rest(body);
    if let Value::Object(map) = &mut rest {
        map.insert("type".into(), Value::String(kind.into()));
    }
    json!({ "bodies": [rest], "ext": ext, "from": from, "to": to, "type": "chat" })
}

/// The client id in a record `payload`'s `ext`, if any.
pub fn client_id_of_payload(payload: &Value) -> Option<String> {
    payload.get("ext")?.get(CLIENT_ID_EXT)?.as_str().filter(|s| !s.is_empty()).map(str::to_owned)
}

/// The neutral body of a record's `payload` (its first body).
pub fn from_payload_json(payload: &Value) -> Option<MessageBody> {
    let first = payload.get("bodies")?.as_array()?.first()?;
    from_rest(first.get("type")?.as_str()?, first).ok()
}

/// The msync `Meta.id` of a send with the neutral `client_id` (module docs).
pub fn meta_id_for(client_id: &str) -> u64 {
    if let Ok(id) = client_id.parse::<u64>() {
        if id > 0 {
            return id;
        }
    }
    // FNV-1a, 64 bits: stable across runs and builds.
    use std::hash::Hasher;
    let mut hasher = fnv::FnvHasher::default();
    hasher.write(client_id.as_bytes());
    hasher.finish().max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_custom_bodies_round_trip_through_every_shape() {
        let bodies = [
            MessageBody::text("hello é"),
            MessageBody::custom("{\"k\":1}", Some("card".into())),
            MessageBody::custom("x", None),
            MessageBody::custom("x", Some("not an event name!".into())),
        ];
        for body in bodies {
            let pb = to_pb(&body, "alice", "bob");
            assert_eq!(from_pb(&pb).as_ref(), Some(&body));
            let (kind, rest) = to_rest(&body);
            assert_eq!(from_rest(kind, &rest).as_ref(), Ok(&body));
            assert_eq!(from_payload_json(&payload_json(&body, Map::new(), "alice", "bob")).as_ref(), Some(&body));
        }
    }

    #[test]
    fn client_ids_travel_in_ext() {
        let pb = to_pb_with_client_id(&MessageBody::text("hi"), "a", "b", "c-1");
        assert_eq!(client_id_of(&pb).as_deref(), Some("c-1"));
        assert_eq!(client_id_of(&to_pb(&MessageBody::text("hi"), "a", "b")), None);
        let ext = ext_json(&pb);
        let payload = payload_json(&MessageBody::text("hi"), ext.clone(), "a", "b");
        assert_eq!(client_id_of_payload(&payload).as_deref(), Some("c-1"));
        let mut mixed = ext;
        mixed.insert("n".into(), json!(3));
        mixed.insert("ok".into(), json!(true));
        mixed.insert("obj".into(), json!({"k": [1]}));
        let back = link::MessageBody { ext: ext_from_json(&mixed), ..Default::default() };
        assert_eq!(ext_json(&back), mixed);
    }

    #[test]
    fn foreign_custom_messages_keep_their_pairs() {
        let body = from_rest("custom", &json!({"customEvent": "gift", "customExts": {"n": "3"}})).unwrap();
        assert_eq!(body, MessageBody::custom("{\"n\":\"3\"}", Some("gift".into())));
        assert!(from_rest("img", &json!({})).is_err());
        assert!(from_rest("txt", &json!({"msg": 3})).is_err());
        assert!(from_rest("custom", &json!({"customEvent": "a b"})).is_err());
    }

    #[test]
    fn meta_ids_are_stable_and_keep_decimal_ids() {
        assert_eq!(meta_id_for("530342601723"), 530342601723);
        let a = meta_id_for("0123456789abcdef0123456789abcdef");
        assert_eq!(a, meta_id_for("0123456789abcdef0123456789abcdef"));
        assert_ne!(a, meta_id_for("0123456789abcdef0123456789abcdee"));
        assert_ne!(meta_id_for("0"), 0);
    }
}
