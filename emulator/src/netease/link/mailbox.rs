//! One-to-one messages (5.3-5.6, 11.4): stored through the engine (one
//! history, one conversation list and unread count per user for every
//! face), with NetEase's ids and times, delivered over the link.
//!
//! - **Ids and times.** `idServer`/`msgid` is a long decimal made from the
//!   engine's sequence, so ids grow with the order of sending. The timetag
//!   is the engine's time in ms, but never equal to or before the previous
//!   message's: every message has its own timetag, so paging by
//!   (endtime, msgid) is exact (the face's choice; NetEase does not promise
//!   unique timetags).
//! - **Resends.** A message with the idClient (tag 11) a sender used before
//!   is the engine's duplicate: the first send's message is the answer and
//!   nothing is delivered again. Server API sends have no client id and get
//!   a fresh one each.
//! - **Exactly once per client instance.** A message is pushed (7_2) to the
//!   recipient's online clients and owed to their instances (login tag 26)
//!   until each acknowledges it with 4_5; when no client was online it is
//!   owed to whichever instance syncs next. A 5_1 sync hands an instance
//!   what it is owed as one 4_4 push, so a client that lost its link before
//!   acknowledging gets the message again at its re-login, and one that
//!   acknowledged does not. The sender's other clients get a 7_101 copy.

use super::super::store::Refusal;
use super::super::Face;
use super::push_frame;
use crate::groups::Actor;
use crate::messages::StoredMessage;
use crate::LinkId;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use unim_core::{ConversationKind, MessageBody};
use unim_netease::error::code;
use unim_netease::link::ids::{msg as tag, scene};
use unim_netease::link::{cmd, ClientType, Property, Response};
use unim_netease::message::{to_wire, MAX_BODY_CHARS, MAX_PUSH_CONTENT_CHARS, SCENE_P2P, TYPE_CUSTOM, TYPE_TEXT};

/// Server ids are this plus the engine's sequence, so they look like the
/// vendor's long decimal ids.
const FIRST_ID_SERVER: u64 = 10_000_000_000;

/// Who sends a message.
pub(in crate::netease) struct Sender {
    /// The account, lower-cased.
    pub(in crate::netease) accid: String,
    /// The sending client's link (`None`: the server API or a test control).
    pub(in crate::netease) link: Option<LinkId>,
    /// The sending client's type number.
    pub(in crate::netease) client_type: i64,
    /// The sending client's deviceId (login tag 13).
    pub(in crate::netease) device_id: String,
    /// The sender's nickname.
    pub(in crate::netease) nick: String,
}

impl Sender {
    /// A sender without a client (the server API's type, no device).
    pub(in crate::netease) fn server(accid: &str, nick: String) -> Sender {
        Sender {
            accid: accid.to_owned(),
            link: None,
            client_type: ClientType::Rest.code(),
            device_id: String::new(),
            nick,
        }
    }
}

/// What the engine does not keep: NetEase's timetag and the sender's client.
#[derive(Clone, Debug)]
struct Meta {
    timetag: u64,
    client_type: i64,
    device_id: String,
    nick: String,
}

/// A message owed to some of its recipient's instances.
#[derive(Debug)]
struct Owed {
    seq: u64,
    /// Instances that were sent it and have not acknowledged it.
    instances: HashSet<String>,
    /// No client had it yet: the next instance to sync gets it.
    unclaimed: bool,
}

#[derive(Default)]
struct State {
    last_timetag: u64,
    meta: HashMap<u64, Meta>,
    /// Per recipient, oldest first.
    owed: HashMap<String, Vec<Owed>>,
}

/// The face's message side.
#[derive(Default)]
pub(in crate::netease) struct Mailbox(Mutex<State>);

impl State {
    /// `stored` as the face shows it: with the meta kept when it was sent,
    /// or plain meta for a message this face has no record of.
    fn show(&self, stored: StoredMessage) -> Shown {
        let meta = self.meta.get(&stored.seq).cloned().unwrap_or_else(|| plain_meta(&stored));
        Shown { stored, meta }
    }
}

impl Mailbox {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A message as the face shows it: the engine's copy and NetEase's extras.
#[derive(Clone, Debug)]
pub(in crate::netease) struct Shown {
    /// The engine's copy.
    pub(in crate::netease) stored: StoredMessage,
    meta: Meta,
}

impl Shown {
    /// The idServer / msgid.
    pub(in crate::netease) fn id(&self) -> u64 {
        FIRST_ID_SERVER + self.stored.seq
    }

    /// The timetag, ms.
    pub(in crate::netease) fn timetag(&self) -> u64 {
        self.meta.timetag
    }

    /// The link's msg Property (7_1 reply, 7_2, 7_101, 4_4, 7_6).
    pub(in crate::netease) fn to_wire(&self) -> Property {
        let m = &self.stored;
        let mut p = to_wire(&m.body);
        let scene = if m.kind == ConversationKind::Group { scene::TEAM } else { SCENE_P2P };
        p.set(tag::SCENE, scene);
        p.set(tag::TO, m.to.clone());
        p.set(tag::FROM, m.from.clone());
        p.set(tag::FROM_CLIENT_TYPE, self.meta.client_type);
        p.set(tag::FROM_DEVICE_ID, self.meta.device_id.clone());
        p.set(tag::FROM_NICK, self.meta.nick.clone());
        p.set(tag::TIME, self.meta.timetag);
        p.set(tag::ID_CLIENT, m.client_id.clone());
        p.set(tag::ID_SERVER, self.id().to_string());
        p
    }

    /// A server API history entry (11.4): text bodies as the JSON object
    /// `{"msg": ...}`, custom ones as the JSON text that was sent.
    pub(in crate::netease) fn to_rest(&self) -> Value {
        let m = &self.stored;
        let (kind, body, push) = match &m.body {
            MessageBody::Text { text } => (TYPE_TEXT, json!({ "msg": text }), None),
            MessageBody::Custom { data, description } => (TYPE_CUSTOM, json!(data), description.clone()),
        };
        let mut entry = json!({
            "from": m.from, "to": m.to, "msgid": self.id(), "msgidclient": m.client_id,
            "sendtime": self.meta.timetag, "type": kind, "fromclienttype": self.meta.client_type, "body": body,
        });
        if let Some(p) = push {
            entry["pushcontent"] = json!(p);
        }
        entry
    }
}

/// The engine seq of idServer `id`.
pub(in crate::netease) fn seq_of(id: u64) -> Option<u64> {
    id.checked_sub(FIRST_ID_SERVER).filter(|s| *s > 0)
}

/// A text message to `to` as a client would send it (with a fresh idClient).
pub(in crate::netease) fn text(to: &str, text: &str) -> Property {
    to_wire(&MessageBody::text(text))
        .with(tag::SCENE, SCENE_P2P)
        .with(tag::TO, to)
        .with(tag::ID_CLIENT, unim_core::new_client_id())
}

/// The body of a 7_1 msg, or 414 when it is too long (5000 characters of
/// text or custom data, 500 of push text).
pub(super) fn checked_body(msg: &Property) -> Result<MessageBody, Refusal> {
    let body = unim_netease::message::body_of_wire(msg);
    let (main, push) = match &body {
        MessageBody::Text { text } => (text.chars().count(), 0),
        MessageBody::Custom { data, description } => {
            (data.chars().count(), description.as_ref().map_or(0, |d| d.chars().count()))
        }
    };
    if main > MAX_BODY_CHARS || push > MAX_PUSH_CONTENT_CHARS {
        return Err(Refusal::new(code::BAD_PARAM, "body too long"));
    }
    Ok(body)
}

/// Sends `msg` (a 7_1 Property) from `sender`. Refusals: not one-to-one or
/// no recipient 414, unknown recipient 404, too long 414.
pub(in crate::netease) fn send(face: &Face, sender: &Sender, msg: Property) -> Result<Shown, Refusal> {
    if msg.int(tag::SCENE).unwrap_or(SCENE_P2P) != SCENE_P2P {
        return Err(Refusal::new(code::BAD_PARAM, "only one-to-one messages are served"));
    }
    let to = msg.str(tag::TO).filter(|t| !t.is_empty()).ok_or_else(|| Refusal::new(code::BAD_PARAM, "no recipient"))?;
    let body = checked_body(&msg)?;
    let client_id = msg.str(tag::ID_CLIENT).filter(|c| !c.is_empty()).unwrap_or_else(unim_core::new_client_id);
    send_body(face, sender, &to, body, &client_id)
}

/// Stores `body` from `sender` to `to` (once per client id) and delivers it.
pub(in crate::netease) fn send_body(
    face: &Face,
    sender: &Sender,
    to: &str,
    body: MessageBody,
    client_id: &str,
) -> Result<Shown, Refusal> {
    let Some(recipient) = face.store.get(to) else {
        return Err(Refusal::new(code::NOT_FOUND, "the recipient does not exist"));
    };
    let to = recipient.accid;
    // The state lock spans the store, so timetags follow the engine's order.
    let mut st = face.links.mailbox.state();
    let stored =
        face.engine.store_message(&sender.accid, &to, client_id, body, |seq, _| (FIRST_ID_SERVER + seq).to_string());
    let seq = stored.message.seq;
    if stored.duplicate {
        return Ok(st.show(stored.message));
    }
    let shown = stamp(&mut st, stored.message, sender);
    let wire = shown.to_wire().to_value();

    let others = |accid: &str| {
        face.links.ports.of_user(accid).into_iter().filter(|p| Some(p.link) != sender.link).collect::<Vec<_>>()
    };
    let push = Response::push(cmd::MSG, vec![wire.clone()]);
    let instances: HashSet<String> =
        others(&to).into_iter().filter(|p| push_frame(face, p.link, &push)).map(|p| p.instance).collect();
    let unclaimed = instances.is_empty();
    st.owed.entry(to.clone()).or_default().push(Owed { seq, instances, unclaimed });
    if to != sender.accid {
        let copy = Response::push(cmd::SYNC_SEND_MSG, vec![wire]);
        for port in others(&sender.accid) {
            push_frame(face, port.link, &copy);
        }
    }
    Ok(shown)
}

/// Meta for a message this face has no record of (not expected).
fn plain_meta(m: &StoredMessage) -> Meta {
    Meta { timetag: m.time_ms, client_type: ClientType::Rest.code(), device_id: String::new(), nick: String::new() }
}

/// The messages `accid`'s `instance` is owed, oldest first; the unclaimed
/// ones are owed to it from now on (until it acknowledges them).
pub(in crate::netease) fn take_owed(face: &Face, accid: &str, instance: &str) -> Vec<Property> {
    let mut st = face.links.mailbox.state();
    let seqs: Vec<u64> = match st.owed.get_mut(accid) {
        Some(list) => list
            .iter_mut()
            .filter(|o| o.unclaimed || o.instances.contains(instance))
            .map(|o| {
                o.instances.insert(instance.to_owned());
                o.seq
            })
            .collect(),
        None => Vec::new(),
    };
    drop(st);
    seqs.into_iter().filter_map(|seq| shown(face, seq)).map(|s| s.to_wire()).collect()
}

/// 4_5: `instance` of `accid` has the messages `ids`; they are not owed to it any more.
pub(in crate::netease) fn acknowledge(face: &Face, accid: &str, instance: &str, ids: &[u64]) {
    let seqs: HashSet<u64> = ids.iter().filter_map(|id| seq_of(*id)).collect();
    let mut st = face.links.mailbox.state();
    if let Some(list) = st.owed.get_mut(accid) {
        for o in list.iter_mut().filter(|o| seqs.contains(&o.seq)) {
            o.instances.remove(instance);
            o.unclaimed = false;
        }
        list.retain(|o| o.unclaimed || !o.instances.is_empty());
    }
}

/// The message with engine seq `seq`, as the face shows it.
pub(in crate::netease) fn shown(face: &Face, seq: u64) -> Option<Shown> {
    let stored = face.engine.message_by_server_id(&(FIRST_ID_SERVER + seq).to_string())?;
    Some(face.links.mailbox.state().show(stored))
}

/// Every message between `a` and `b`, oldest first, as the face shows them.
pub(in crate::netease) fn between(face: &Face, a: &str, b: &str) -> Vec<Shown> {
    show_all(face, face.engine.history(a, b, None, usize::MAX))
}

/// Sends `msg` (an `8_2` Property, `to` the tid) from `sender` to its team.
/// Refusals: no team 803, not a member 804, muted 812, too long or no tid 414.
pub(in crate::netease) fn send_team(face: &Face, sender: &Sender, msg: Property) -> Result<Shown, Refusal> {
    let tid = msg.str(tag::TO).filter(|t| !t.is_empty()).ok_or_else(|| Refusal::new(code::BAD_PARAM, "no tid"))?;
    let body = checked_body(&msg)?;
    let client_id = msg.str(tag::ID_CLIENT).filter(|c| !c.is_empty()).unwrap_or_else(unim_core::new_client_id);
    let mut st = face.links.mailbox.state();
    let (stored, members) = face
        .engine
        .send_group_message(Actor::User(&sender.accid), &sender.accid, &tid, &client_id, body, |seq, _, _| {
            (FIRST_ID_SERVER + seq).to_string()
        })
        .map_err(super::super::rest::teams::refusal)?;
    if stored.duplicate {
        return Ok(st.show(stored.message));
    }
    let shown = stamp(&mut st, stored.message, sender);
    deliver_group(face, &mut st, &shown, &members, sender.link);
    Ok(shown)
}

/// Gives a fresh message its timetag (after the previous one's) and keeps its meta.
fn stamp(st: &mut State, stored: StoredMessage, sender: &Sender) -> Shown {
    let timetag = stored.time_ms.max(st.last_timetag + 1);
    st.last_timetag = timetag;
    let meta = Meta {
        timetag,
        client_type: sender.client_type,
        device_id: sender.device_id.clone(),
        nick: sender.nick.clone(),
    };
    st.meta.insert(stored.seq, meta.clone());
    Shown { stored, meta }
}

/// A team message stored elsewhere (the server API): delivered like a link send
/// from a client-less sender, with its stored time as the timetag.
pub(in crate::netease) fn deliver_stored(face: &Face, message: &StoredMessage, members: &[String]) {
    let mut st = face.links.mailbox.state();
    let meta = st.meta.entry(message.seq).or_insert_with(|| plain_meta(message)).clone();
    st.last_timetag = st.last_timetag.max(meta.timetag);
    let shown = Shown { stored: message.clone(), meta };
    deliver_group(face, &mut st, &shown, members, None);
}

/// Pushes a team message (`8_3`) to every member's online clients but the
/// sending one, owing it to their instances (or to the next one to sync),
/// and a copy (`8_102`) to the sender's other clients.
fn deliver_group(face: &Face, st: &mut State, shown: &Shown, members: &[String], sender_link: Option<LinkId>) {
    let wire = shown.to_wire().to_value();
    let from = shown.stored.from.as_str();
    let push = Response::push(cmd::TEAM_MSG, vec![wire.clone()]);
    let copy = Response::push(cmd::SYNC_SEND_TEAM_MSG, vec![wire]);
    for member in members {
        let ports = face.links.ports.of_user(member).into_iter().filter(|p| Some(p.link) != sender_link);
        if member == from {
            for port in ports {
                push_frame(face, port.link, &copy);
            }
            continue;
        }
        let instances: HashSet<String> =
            ports.filter(|p| push_frame(face, p.link, &push)).map(|p| p.instance).collect();
        let unclaimed = instances.is_empty();
        st.owed.entry(member.clone()).or_default().push(Owed { seq: shown.stored.seq, instances, unclaimed });
    }
}

/// Every message of team `tid`, oldest first, as the face shows them.
pub(in crate::netease) fn in_team(face: &Face, tid: &str) -> Vec<Shown> {
    show_all(face, face.engine.group_history(tid, None, usize::MAX))
}

/// `all` as the face shows them (see [`State::show`]).
fn show_all(face: &Face, all: Vec<StoredMessage>) -> Vec<Shown> {
    let st = face.links.mailbox.state();
    all.into_iter().map(|stored| st.show(stored)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_map_to_engine_seqs() {
        assert_eq!(seq_of(FIRST_ID_SERVER + 7), Some(7));
        assert_eq!(seq_of(FIRST_ID_SERVER), None);
        assert_eq!(seq_of(12), None);
    }

    #[test]
    fn bodies_over_the_limits_are_refused() {
        let ok = text("bob", &"x".repeat(MAX_BODY_CHARS));
        assert!(checked_body(&ok).is_ok());
        let long = text("bob", &"é".repeat(MAX_BODY_CHARS + 1));
        assert_eq!(checked_body(&long).unwrap_err().code, code::BAD_PARAM);
        let push = to_wire(&MessageBody::custom("{}", Some("d".repeat(MAX_PUSH_CONTENT_CHARS + 1))));
        assert_eq!(checked_body(&push).unwrap_err().code, code::BAD_PARAM);
    }
}
