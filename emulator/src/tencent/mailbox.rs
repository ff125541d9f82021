//! One-to-one messages on the Tencent face: sending (REST `openim/sendmsg`
//! and the link's `openim.sendmsg` both come here), live delivery as
//! `im_open_push.msg_push`, and the `openim.getmsg` sync.
//!
//! Messages are stored once, in the engine, deduped on (sender, `MsgRandom`)
//! (the engine's client id is the `MsgRandom` in decimal); the server id is
//! the `MsgKey` `<MsgSeq>_<MsgRandom>_<MsgTime>`.
//!
//! Each user has a feed here: every message a device of theirs may have to
//! sync (received ones, and their own sent ones for their other devices), in
//! engine order. `openim.getmsg` cookies are `unim-<seq>`: a device's cookie
//! is its own cursor in the feed, so each device syncs every message once
//! (a message already pushed to it may come again in a sync after a lost
//! link; clients drop it by its identity, as the official SDK does). A
//! first sync (empty cookie) starts after the newest message any device of
//! the user was already handed: what arrived while the user was offline.
//!
//! One lock is held from storing to pushing, so pushes leave in engine order.

use super::link::push_payload;
use super::Face;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use unim_tencent::link::servcmd;
use unim_tencent::msg::{body_from_elems, msg_key, parse_msg_key, ERR_TOO_LARGE, MAX_MESSAGE_BYTES};

/// `MsgBody` is missing or malformed.
pub(crate) const ERR_BODY_INVALID: i64 = 90002;
/// A message element is invalid (an unsupported type, a missing field).
pub(crate) const ERR_ELEM_INVALID: i64 = 90010;
/// The sender or the recipient does not exist.
pub(crate) const ERR_ACCOUNT_INVALID: i64 = 20003;

/// Most messages in one `openim.getmsg` reply; `SyncFlag 1` says more follow.
const SYNC_PAGE: usize = 100;

/// A send, from either entry point.
#[derive(Debug, Clone)]
pub(crate) struct SendRequest {
    pub(crate) from: String,
    pub(crate) to: String,
    pub(crate) random: u64,
    /// The sender's `MsgSeq`; the engine's sequence when absent.
    pub(crate) seq: Option<u64>,
    pub(crate) elems: Vec<Value>,
    pub(crate) client_time: Option<u64>,
    /// The client instance that sent it (none for REST).
    pub(crate) origin: Option<String>,
    /// Copy it to the sender's other devices (SyncOtherMachine 1; always on the link).
    pub(crate) sync_sender: bool,
    /// The code for a recipient that does not exist (REST 90012, link 20003).
    pub(crate) unknown_recipient: i64,
    /// Extra item fields passed through (CloudCustomData, nick, avatar).
    pub(crate) extra: Map<String, Value>,
}

/// A stored send, as the reply reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Sent {
    pub(crate) key: String,
    pub(crate) seq: u64,
    /// `MsgTime`, Unix seconds.
    pub(crate) time: u64,
}

/// A send refused with Tencent's code.
#[derive(Debug, Clone)]
pub(crate) struct SendRefusal {
    pub(crate) code: i64,
    pub(crate) info: String,
}

fn refuse(code: i64, info: impl Into<String>) -> SendRefusal {
    SendRefusal { code, info: info.into() }
}

/// One page of a sync.
#[derive(Debug, Clone)]
pub(crate) struct SyncPage {
    pub(crate) items: Vec<Value>,
    pub(crate) cookie: String,
    pub(crate) more: bool,
}

struct Entry {
    seq: u64,
    origin: Option<String>,
    item: Value,
}

#[derive(Default)]
struct Inner {
    feeds: HashMap<String, Vec<Entry>>,
    /// The newest seq some device of the user was handed.
    handed: HashMap<String, u64>,
}

impl Inner {
    fn handed(&mut self, user: &str, seq: u64) {
        let w = self.handed.entry(user.to_owned()).or_default();
        *w = (*w).max(seq);
    }
}

/// The face's message feeds.
#[derive(Default)]
pub(crate) struct Mailbox {
    inner: Mutex<Inner>,
}

/// The cursor of a cookie this face issued.
fn cookie_seq(cookie: &str) -> Option<u64> {
    cookie.strip_prefix("unim-")?.parse().ok()
}

impl Mailbox {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Validates, stores and delivers a one-to-one message. A retry (same
    /// sender and `MsgRandom`) answers like the first send and delivers nothing.
    pub(crate) fn send(&self, face: &Face, req: SendRequest) -> Result<Sent, SendRefusal> {
        if req.elems.is_empty() {
            return Err(refuse(ERR_BODY_INVALID, "MsgBody is empty"));
        }
        let body = body_from_elems(&req.elems).map_err(|e| refuse(ERR_ELEM_INVALID, e))?;
        if body.byte_len() > MAX_MESSAGE_BYTES {
            return Err(refuse(
                ERR_TOO_LARGE,
                format!("the message is {} bytes, more than {MAX_MESSAGE_BYTES}", body.byte_len()),
            ));
        }
        let engine = &face.engine;
        if engine.account(&req.from).is_none() {
            return Err(refuse(ERR_ACCOUNT_INVALID, format!("From_Account {:?} does not exist", req.from)));
        }
        if engine.account(&req.to).is_none() {
            return Err(refuse(req.unknown_recipient, format!("To_Account {:?} does not exist", req.to)));
        }
        let mut inner = self.lock();
        let stored = engine.store_message(&req.from, &req.to, &req.random.to_string(), body, |seq, ms| {
            msg_key(req.seq.unwrap_or(seq), req.random, ms / 1000)
        });
        let m = &stored.message;
        let (seq, _, time) = parse_msg_key(&m.server_id).unwrap_or((m.seq, req.random, m.time_ms / 1000));
        let sent = Sent { key: m.server_id.clone(), seq, time };
        if stored.duplicate {
            tracing::debug!(from = req.from, to = req.to, "tencent: a resent message, not delivered again");
            return Ok(sent);
        }
        let mut item = Map::new();
        item.insert("From_Account".into(), json!(req.from));
        item.insert("To_Account".into(), json!(req.to));
        item.insert("MsgSeq".into(), json!(seq));
        item.insert("MsgRandom".into(), json!(req.random));
        item.insert("MsgTimeStamp".into(), json!(time));
        item.insert("MsgKey".into(), json!(sent.key));
        // With the sender's TinyId and MsgClientTime the receiver's message ID equals the sender's.
        item.insert("TinyId".into(), json!(super::tiny_id(&req.from).to_string()));
        item.insert("MsgClientTime".into(), json!(req.client_time.unwrap_or(time)));
        item.insert("MsgBody".into(), Value::Array(req.elems.clone()));
        item.insert("CloudCustomData".into(), json!(""));
        item.extend(req.extra);
        let item = Value::Object(item);
        let push = push_payload(servcmd::MSG_PUSH, json!({ "EventArray": [{ "Event": 9, "C2cMsgArray": [item] }] }));

        inner.feeds.entry(req.to.clone()).or_default().push(Entry { seq: m.seq, origin: None, item: item.clone() });
        let pushed = face.store.push_to(engine, &req.to, None, &push);
        if pushed > 0 {
            inner.handed(&req.to, m.seq);
        }
        if req.sync_sender && req.from != req.to {
            let entry = Entry { seq: m.seq, origin: req.origin.clone(), item };
            inner.feeds.entry(req.from.clone()).or_default().push(entry);
            let copies = face.store.push_to(engine, &req.from, req.origin.as_deref(), &push);
            if copies > 0 || req.origin.is_some() {
                inner.handed(&req.from, m.seq);
            }
        }
        tracing::debug!(from = req.from, to = req.to, pushed, "tencent: message stored");
        Ok(sent)
    }

    /// One page of `openim.getmsg` for `instance` of `user` with `cookie`.
    pub(crate) fn sync(&self, user: &str, instance: &str, cookie: &str) -> SyncPage {
        let mut inner = self.lock();
        let after = match cookie_seq(cookie) {
            Some(seq) => seq,
            None => inner.handed.get(user).copied().unwrap_or(0),
        };
        let mut items = Vec::new();
        let mut cursor = after;
        let mut more = false;
        if let Some(feed) = inner.feeds.get(user) {
            for e in feed.iter().filter(|e| e.seq > after) {
                if items.len() == SYNC_PAGE {
                    more = true;
                    break;
                }
                cursor = e.seq;
                if e.origin.as_deref() != Some(instance) {
                    items.push(e.item.clone());
                }
            }
        }
        inner.handed(user, cursor);
        SyncPage { items, cookie: format!("unim-{cursor}"), more }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_carry_the_cursor() {
        assert_eq!(cookie_seq("unim-42"), Some(42));
        assert_eq!(cookie_seq(""), None);
        assert_eq!(cookie_seq("other"), None);
    }

    #[test]
    fn a_sync_hands_out_each_feed_entry_once_per_cursor() {
        let m = Mailbox::default();
        {
            let mut inner = m.lock();
            let feed = inner.feeds.entry("bob".into()).or_default();
            for seq in 1..=3 {
                let origin = (seq == 2).then(|| "dev-b".to_owned());
                feed.push(Entry { seq, origin, item: json!({ "n": seq }) });
            }
        }
        let first = m.sync("bob", "dev-a", "");
        assert_eq!(first.items, vec![json!({"n": 1}), json!({"n": 2}), json!({"n": 3})]);
        assert_eq!(first.cookie, "unim-3");
        assert!(!first.more);
        // Another device's first sync starts after what was handed out already.
        assert!(m.sync("bob", "dev-b", "").items.is_empty());
        // A device's own send is not synced back to it.
        let again = m.sync("bob", "dev-b", "unim-0");
        assert_eq!(again.items, vec![json!({"n": 1}), json!({"n": 3})]);
        assert!(m.sync("bob", "dev-a", &first.cookie).items.is_empty());
    }
}
