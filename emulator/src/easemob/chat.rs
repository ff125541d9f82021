//! One-to-one messages of the Easemob face, whichever way they come in (an
//! msync SYNC send, a REST `POST /messages/users`, the test control): stored
//! once through the engine with a 19-digit id, then queued as a chat meta
//! for the receiver's devices (the offline store when none is online) and,
//! when asked, for the sender's other devices, each told by a NOTICE
//! (docs/protocols/easemob.md 7.3, 7.4). Group messages are stored by the
//! engine's group calls and delivered by `group_push`; the helpers here
//! (`group_jid`, `stored_payload`, `stored_meta`) give them their JID and shape.

use super::link::{notice_payload, Queues};
use super::Face;
use crate::{LinkId, StoredMessage};
use std::collections::HashMap;
use std::sync::Mutex;
use unim_core::{ConversationKind, MessageBody};
use unim_easemob::link::{self, message_body, meta, Jid, Meta};
use unim_easemob::messages::{ext_json, payload_json, to_pb_bytes, MAX_MESSAGE_BYTES};

/// A message to store and deliver.
pub(crate) struct Outgoing<'a> {
    /// The sender (lower case; `admin` for the REST default).
    pub(crate) sender: &'a str,
    /// The sending device's resource, when a device sent it.
    pub(crate) resource: Option<&'a str>,
    /// The receiver (lower case).
    pub(crate) receiver: &'a str,
    /// The sender's id for it: the SDK's meta id, or a fresh one per REST call.
    pub(crate) client_id: String,
    pub(crate) body: MessageBody,
    /// The encoded msync `MessageBody` as the sender's client wrote it; built
    /// from `body` when `None`.
    pub(crate) payload: Option<Vec<u8>>,
    /// Also queue it for the sender's online devices (except `own_link`).
    pub(crate) copy_to_sender: bool,
    pub(crate) own_link: Option<LinkId>,
    /// Refuse a receiver that does not exist (msync does; REST does not check, easemob.md 4.1).
    pub(crate) refuse_unknown: bool,
}

/// The msync `MessageBody` bytes of every stored message, by server id: what
/// history and conversation lists give back (with the sender's `ext`).
#[derive(Default)]
pub(crate) struct Payloads(Mutex<HashMap<u64, Vec<u8>>>);

impl Payloads {
    pub(crate) fn put(&self, id: u64, payload: Vec<u8>) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).insert(id, payload);
    }

    fn get(&self, id: u64) -> Option<Vec<u8>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).get(&id).cloned()
    }
}

/// What [`send`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sent {
    pub(crate) server_id: u64,
    pub(crate) time_ms: u64,
    /// A retry of a message already stored: nothing was delivered again.
    pub(crate) duplicate: bool,
}

/// Why a message was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refused {
    /// Over [`MAX_MESSAGE_BYTES`].
    TooLarge,
    /// The receiver does not exist.
    UnknownUser,
}

/// The app's JID of `name`.
pub(crate) fn jid(face: &Face, name: &str) -> Jid {
    Jid::user(face.app_key.to_string(), name)
}

/// The app's JID of group `id` (domain `conference.easemob.com`).
pub(crate) fn group_jid(face: &Face, id: &str) -> Jid {
    Jid::group(face.app_key.to_string(), id)
}

/// Stores `out` once and delivers it (module docs).
pub(crate) fn send(face: &Face, queues: &Queues, out: Outgoing<'_>) -> Result<Sent, Refused> {
    if out.body.byte_len() > MAX_MESSAGE_BYTES {
        return Err(Refused::TooLarge);
    }
    let known = face.engine.account(out.receiver).is_some();
    if !known && out.refuse_unknown {
        return Err(Refused::UnknownUser);
    }
    let stored = face.engine.store_message(out.sender, out.receiver, &out.client_id, out.body.clone(), |_, time| {
        queues.next_id(time).to_string()
    });
    let server_id = stored.message.server_id.parse::<u64>().unwrap_or_default();
    let sent = Sent { server_id, time_ms: stored.message.time_ms, duplicate: stored.duplicate };
    if stored.duplicate {
        return Ok(sent);
    }
    let mut from = jid(face, out.sender);
    if let Some(resource) = out.resource {
        from = from.with_resource(resource);
    }
    let payload = out.payload.unwrap_or_else(|| to_pb_bytes(&out.body, out.sender, out.receiver));
    face.payloads.put(server_id, payload.clone());
    let meta = Meta {
        id: Some(server_id),
        from: Some(from),
        to: Some(jid(face, out.receiver)),
        timestamp: Some(sent.time_ms),
        ns: Some(meta::NameSpace::Chat as i32),
        payload: Some(payload),
        ..Meta::default()
    };
    if !known {
        // Easemob does not check recipients (easemob.md 4.1): stored, never delivered.
        tracing::debug!(receiver = out.receiver, "easemob: a message to an unknown user is not delivered");
    } else {
        for link in queues.deliver(out.receiver, out.sender, &meta, None, true) {
            face.engine.push(link, notice_payload(out.sender));
        }
    }
    if out.copy_to_sender && out.receiver != out.sender {
        for link in queues.deliver(out.sender, out.receiver, &meta, out.own_link, false) {
            face.engine.push(link, notice_payload(out.receiver));
        }
    }
    Ok(sent)
}

/// The msync `MessageBody` bytes of a stored message: as its sender wrote
/// them, else rebuilt from the neutral body (type `GROUPCHAT` for a group's).
pub(crate) fn stored_payload(face: &Face, m: &StoredMessage) -> Vec<u8> {
    m.server_id.parse().ok().and_then(|id| face.payloads.get(id)).unwrap_or_else(|| {
        if m.kind == ConversationKind::Group {
            let mut pb = unim_easemob::messages::to_pb(&m.body, &m.from, &m.to);
            pb.r#type = Some(message_body::Type::Groupchat as i32);
            unim_easemob::messages::encode_body(&pb)
        } else {
            to_pb_bytes(&m.body, &m.from, &m.to)
        }
    })
}

/// The record `payload` JSON of a stored message (easemob.md 4.2), with its `ext`.
pub(crate) fn stored_payload_json(face: &Face, m: &StoredMessage) -> serde_json::Value {
    let ext =
        link::decode_message::<link::MessageBody>(&stored_payload(face, m)).map(|pb| ext_json(&pb)).unwrap_or_default();
    let mut payload = payload_json(&m.body, ext, &m.from, &m.to);
    if m.kind == ConversationKind::Group {
        payload["type"] = serde_json::Value::String("groupchat".into());
    }
    payload
}

/// The chat meta of a stored message (for history and conversation lists);
/// a group message is addressed to the group's JID.
pub(crate) fn stored_meta(face: &Face, m: &StoredMessage) -> Meta {
    let to = if m.kind == ConversationKind::Group { group_jid(face, &m.to) } else { jid(face, &m.to) };
    Meta {
        id: Some(m.server_id.parse().unwrap_or_default()),
        from: Some(jid(face, &m.from)),
        to: Some(to),
        timestamp: Some(m.time_ms),
        ns: Some(meta::NameSpace::Chat as i32),
        payload: Some(stored_payload(face, m)),
        ..Meta::default()
    }
}
