//! Reading stored messages back in Tencent's shapes: roaming history pages
//! (REST `openim/admin_getroammsg`, the link's `openim.getroammsg`) and
//! conversation list items (REST `recentcontact/get_list`, the link's
//! `recentcontact.page_get`).

use crate::messages::{ConversationEntry, StoredMessage};
use crate::Engine;
use serde_json::{json, Value};
use unim_core::ConversationKind;
use unim_tencent::msg::{body_to_elems, parse_msg_key};

/// A stored message as a `MsgList` item.
pub(crate) fn item(m: &StoredMessage, peer_read: bool) -> Value {
    let (seq, random, time) = parse_msg_key(&m.server_id).unwrap_or((m.seq, 0, m.time_ms / 1000));
    json!({
        "From_Account": m.from,
        "To_Account": m.to,
        "MsgSeq": seq,
        "MsgRandom": random,
        "MsgTimeStamp": time,
        "MsgClientTime": time,
        "MsgKey": m.server_id,
        "MsgFlagBits": 0,
        "IsPeerRead": u8::from(peer_read),
        "MsgBody": body_to_elems(&m.body),
        "CloudCustomData": "",
    })
}

/// What a roaming history request asks for.
#[derive(Debug, Clone, Default)]
pub(crate) struct RoamQuery {
    pub(crate) max_cnt: usize,
    /// Oldest time wanted, Unix seconds (0: no bound).
    pub(crate) min_time: u64,
    /// Newest time wanted, Unix seconds (0: now).
    pub(crate) max_time: u64,
    /// Continue strictly before this message (the previous page's `LastMsgKey`).
    pub(crate) last_key: Option<String>,
}

/// One page, oldest first.
#[derive(Debug, Clone)]
pub(crate) struct RoamPage {
    pub(crate) items: Vec<Value>,
    /// No older message remains in the range.
    pub(crate) complete: bool,
    /// The oldest returned message's time and key (the continuation).
    pub(crate) last_time: u64,
    pub(crate) last_key: String,
}

/// The newest `max_cnt` messages between `user` and `peer` in the query's
/// range (older than `last_key` when given), oldest first.
pub(crate) fn roam(engine: &Engine, user: &str, peer: &str, q: &RoamQuery) -> RoamPage {
    let before = q.last_key.as_deref().and_then(|k| engine.message_by_server_id(k)).map(|m| m.seq);
    let in_range = |m: &StoredMessage| {
        let t = m.time_ms / 1000;
        t >= q.min_time && (q.max_time == 0 || t <= q.max_time)
    };
    let all: Vec<StoredMessage> = engine.history(user, peer, before, usize::MAX).into_iter().filter(in_range).collect();
    let from = all.len().saturating_sub(q.max_cnt.max(1));
    let page = &all[from..];
    let read_up_to = engine.conversations(peer).into_iter().find(|c| c.peer == user).map_or(0, |c| c.read_up_to);
    let items = page.iter().map(|m| item(m, m.from == user && m.seq <= read_up_to)).collect();
    let (last_time, last_key) = page.first().map_or((0, String::new()), |m| (m.time_ms / 1000, m.server_id.clone()));
    RoamPage { items, complete: from == 0, last_time, last_key }
}

/// A conversation list item: the documented `Type`, `To_Account`, `MsgTime`
/// and `TopFlag`; with `detail`, also `UnreadMsgCount` and the last message
/// under `LastMsg` (what the web client reads).
pub(crate) fn session_item(c: &ConversationEntry, detail: bool) -> Value {
    if c.kind == ConversationKind::Group {
        return group_session_item(c, detail);
    }
    let mut v = json!({ "Type": 1, "To_Account": c.peer, "MsgTime": c.last.time_ms / 1000, "TopFlag": 0 });
    if detail {
        v["UnreadMsgCount"] = json!(c.unread);
        v["LastMsg"] = item(&c.last, false);
        v["LastC2CMsgFromAccount"] = json!(c.last.from);
    }
    v
}

/// A group conversation item: `Type 2` with the group under `GroupId` (the
/// REST API's name) and `ToAccount` (the name the web client reads); with
/// `detail`, also the unread count, the last message (a `GroupMsgArray`
/// item), its sender and the group's next `MsgSeq`.
fn group_session_item(c: &ConversationEntry, detail: bool) -> Value {
    let mut v = json!({
        "Type": 2, "GroupId": c.peer, "ToAccount": c.peer, "MsgTime": c.last.time_ms / 1000, "TopFlag": 0,
    });
    if detail {
        v["UnreadMsgCount"] = json!(c.unread);
        v["LastMsg"] = super::group_push::message_item(&c.last, None);
        v["MsgGroupFromAccount"] = json!(c.last.from);
        v["MsgSeq"] = json!(c.last.group_seq);
        v["GroupNextMsgSeq"] = json!(c.last.group_seq + 1);
    }
    v
}
