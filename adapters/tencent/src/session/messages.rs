//! The session's messages over the web client protocol
//! (docs/protocols/tencent.md sections 5.5, 5.6, 5.10-5.13, 7.1 and
//! "Groups"): receiving (`im_open_push.msg_push` and the `openim.getmsg` sync
//! after every login and reconnect, one-to-one and group messages alike, and
//! group tips and notices as [`Event::Group`]), and the requests behind
//! `send`, `conversations`, `mark_read`, `history` and `delete_conversation`
//! for both kinds of conversation.
//!
//! Every message is announced once: the [`Inbox`] remembers the `MsgKey`s
//! already announced (a sync after a lost link may repeat what a push
//! brought) and the sync cookie, which is this client instance's cursor on
//! the server. Both belong to the instance and its user, so they outlive
//! reconnects and a logout followed by a login of the same user.

use super::connection::Connection;
use super::group_push::{group_events, group_messages, GroupMsg};
use super::Inner;
use crate::error::error_from_code;
use crate::link::servcmd;
use crate::msg::{body_to_elems, msg_key, msg_random, C2cMsg};
use crate::rest::groups::{group_msg_id, GROUP_SVC};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet, VecDeque};
use unim_core::{
    Conversation, ConversationId, ConversationKind, Direction, Error, Event, HistoryCursor, HistoryPage, Message,
    MessageStatus, OutgoingMessage,
};

/// Mark a C2C conversation read.
const MSG_READED: &str = "openim.msgreaded";
/// Page a C2C conversation's roaming history.
const GETROAMMSG: &str = "openim.getroammsg";
/// Page the conversation list.
const PAGE_GET: &str = "recentcontact.page_get";
/// Delete conversations.
const BATCH_DELETE: &str = "recentcontact.batch_delete";
/// Page a group's history backwards.
const GROUP_MSG_GET: &str = "group_msg_get";
/// Report a group read up to a `MsgSeq`.
const MSG_READ_REPORT: &str = "msg_read_report";
/// Send a group message.
const SEND_GROUP_MSG: &str = "send_group_msg";
/// Message keys remembered for de-duplication; beyond this the oldest go.
const SEEN_LIMIT: usize = 20_000;
/// Most sync or list pages followed before giving up on a server that never
/// says it is done.
const MAX_PAGES: usize = 10_000;

/// What the session has announced, and where its sync stands.
#[derive(Debug, Default)]
pub(crate) struct Inbox {
    user: String,
    cookie: String,
    seen: HashSet<String>,
    order: VecDeque<String>,
    /// Group sends of this instance waiting for their reply, by (group,
    /// Random): a push of one of them is this instance's own copy.
    sending: HashSet<(String, u64)>,
    /// Per group, the newest `MsgSeq` this instance has had (pushed, pulled or sent).
    group_seqs: HashMap<String, u64>,
}

impl Inbox {
    /// Starts over when the session now belongs to another user.
    pub(crate) fn for_user(&mut self, user: &str) {
        if self.user != user {
            *self = Inbox { user: user.to_owned(), ..Inbox::default() };
        }
    }

    /// True the first time `key` is seen.
    fn first_time(&mut self, key: &str) -> bool {
        if !self.seen.insert(key.to_owned()) {
            return false;
        }
        self.order.push_back(key.to_owned());
        while self.order.len() > SEEN_LIMIT {
            if let Some(old) = self.order.pop_front() {
                self.seen.remove(&old);
            }
        }
        true
    }
}

impl Inbox {
    /// Notes that this instance has had message `seq` of `group`.
    pub(crate) fn had_group_seq(&mut self, group: &str, seq: u64) {
        let known = self.group_seqs.entry(group.to_owned()).or_default();
        *known = (*known).max(seq);
    }

    /// The newest `MsgSeq` of `group` this instance has had (0: none).
    pub(crate) fn group_seq(&self, group: &str) -> u64 {
        self.group_seqs.get(group).copied().unwrap_or(0)
    }
}

/// The items of a reply's `key` array that read as `T`. A malformed item is
/// skipped, as on the push path: one odd message must not stall a sync.
pub(crate) fn reply_items<T: DeserializeOwned>(reply: &Value, key: &str) -> Vec<T> {
    reply
        .get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|m| serde_json::from_value(m.clone()).ok())
        .collect()
}

pub(crate) fn lock(inner: &Inner) -> std::sync::MutexGuard<'_, Inbox> {
    inner.inbox.lock().unwrap_or_else(|e| e.into_inner())
}

/// Announces each message of `items` not announced before, in order.
fn announce(inner: &Inner, user: &str, items: impl IntoIterator<Item = C2cMsg>) {
    for item in items {
        let message = match item.to_message(user) {
            Ok(m) => m,
            Err(e) => {
                tracing::debug!("skipping a message unim cannot represent: {e}");
                continue;
            }
        };
        if lock(inner).first_time(&message.server_id) {
            inner.tracker.bus().emit(Event::MessageReceived { message: Box::new(message) });
        }
    }
}

/// Announces each group message of `items` not announced before, in order
/// (this instance's own sends excepted: `send` returned them); `group` for
/// items that do not name theirs (history pages).
pub(crate) fn announce_group(
    inner: &Inner,
    user: &str,
    group: Option<&str>,
    items: impl IntoIterator<Item = GroupMsg>,
) {
    for item in items {
        let message = match item.to_message(user, group) {
            Ok(m) => m,
            Err(e) => {
                tracing::debug!("skipping a group message unim cannot represent: {e}");
                continue;
            }
        };
        let fresh = {
            let mut inbox = lock(inner);
            inbox.had_group_seq(&message.to, item.seq);
            let own = message.from == user && inbox.sending.contains(&(message.to.clone(), item.random));
            inbox.first_time(&message.server_id) && !own
        };
        if fresh {
            inner.tracker.bus().emit(Event::MessageReceived { message: Box::new(message) });
        }
    }
}

/// Announces the group tips and notices of a push or sync body.
fn announce_group_events(inner: &Inner, user: &str, body: &Value) {
    for change in group_events(body, user) {
        inner.tracker.bus().emit(Event::Group { change });
    }
}

/// The `C2cMsgArray` items of a push body, in order.
pub(crate) fn pushed_messages(body: &Value) -> Vec<C2cMsg> {
    let Some(events) = body.get("EventArray").and_then(Value::as_array) else { return Vec::new() };
    events
        .iter()
        .filter_map(|e| e.get("C2cMsgArray").and_then(Value::as_array))
        .flatten()
        .filter_map(|m| serde_json::from_value(m.clone()).ok())
        .collect()
}

/// Announces the messages, group messages and group events of an `im_open_push.msg_push`.
pub(crate) fn on_push(inner: &Inner, user: &str, body: &Value) {
    announce(inner, user, pushed_messages(body));
    announce_group(inner, user, None, group_messages(body));
    announce_group_events(inner, user, body);
}

/// Sends `body` as `servcmd` and returns the reply body, or the error its
/// `ErrorCode` stands for.
pub(crate) async fn call(inner: &Inner, conn: &Connection, servcmd: &str, body: Value) -> Result<Value, Error> {
    let reply = conn.request(servcmd, body, inner.now()).await?;
    match reply.error_code() {
        0 => Ok(reply.body),
        code => Err(error_from_code(code, reply.error_info())),
    }
}

/// `openim.getmsg` from the saved cookie until the server says it is done,
/// announcing what is new. Run after every login and reconnect.
pub(crate) async fn sync(inner: &Inner, conn: &Connection, user: &str) -> Result<(), Error> {
    for _ in 0..MAX_PAGES {
        let cookie = {
            let mut inbox = lock(inner);
            inbox.for_user(user);
            inbox.cookie.clone()
        };
        let body = json!({
            "Cookie": cookie, "SyncFlag": 0, "NeedAbstract": 1, "IsOnlineSync": 0, "NeedSignaling": 1,
            "NeedCachedMsg": 1,
        });
        let reply = call(inner, conn, servcmd::GETMSG, body).await?;
        let items: Vec<C2cMsg> = reply_items(&reply, "MsgList");
        announce(inner, user, items);
        if let Some(next) = reply.get("Cookie").and_then(Value::as_str).filter(|c| !c.is_empty()) {
            lock(inner).cookie = next.to_owned();
        }
        // 0 or 1: more to come; 2 (or anything else): done.
        if !matches!(reply.get("SyncFlag").and_then(Value::as_i64), Some(0 | 1)) {
            return Ok(());
        }
    }
    Err(Error::protocol(format!("Tencent's openim.getmsg did not finish within {MAX_PAGES} pages")))
}

/// Checks a conversation's peer: a valid UserID, or a non-empty group id.
fn check_peer(id: &ConversationId) -> Result<&str, Error> {
    match id.kind {
        ConversationKind::Direct => crate::user_id::validate_user_id(&id.peer)?,
        ConversationKind::Group if id.peer.is_empty() => return Err(Error::invalid_input("the group id is empty")),
        ConversationKind::Group => {}
    }
    Ok(&id.peer)
}

/// Sends `group_open_http_svc.<command>`.
pub(crate) async fn group_call(inner: &Inner, conn: &Connection, command: &str, body: Value) -> Result<Value, Error> {
    let servcmd = format!("{GROUP_SVC}.{command}");
    tracing::debug!(target: "unim::calls", call = %format!("ws {servcmd}"));
    call(inner, conn, &servcmd, body).await
}

/// `send_group_msg` with `Random` from the client id, so a retry is stored
/// once; the sender's copy once the server stored it.
async fn send_group(inner: &Inner, conn: &Connection, user: &str, m: &OutgoingMessage) -> Result<Message, Error> {
    let group = check_peer(&m.to)?;
    let random = u64::from(msg_random(&m.client_id));
    let now = inner.now();
    let body = json!({
        "From_Account": user, "GroupId": group, "Random": random, "MsgPriority": "", "MsgBody": body_to_elems(&m.body),
        "CloudCustomData": "", "OnlineOnlyFlag": 0, "MsgClientTime": now, "NeedReadReceipt": 0,
    });
    let pending = (group.to_owned(), random);
    lock(inner).sending.insert(pending.clone());
    let reply = group_call(inner, conn, SEND_GROUP_MSG, body).await;
    let reply = match reply {
        Ok(r) => r,
        Err(e) => {
            lock(inner).sending.remove(&pending);
            return Err(e);
        }
    };
    let time = reply.get("MsgTime").and_then(Value::as_u64).unwrap_or(now);
    let seq = reply.get("MsgSeq").and_then(Value::as_u64).unwrap_or(0);
    let key = match reply.get("MsgKey").and_then(Value::as_str) {
        Some(k) if !k.is_empty() => k.to_owned(),
        _ => group_msg_id(seq, random, time),
    };
    {
        // Seen first, then no longer pending: a late push of it stays quiet either way.
        let mut inbox = lock(inner);
        inbox.first_time(&key);
        inbox.had_group_seq(group, seq);
        inbox.sending.remove(&pending);
    }
    Ok(Message {
        server_id: key,
        client_id: m.client_id.clone(),
        from: user.to_owned(),
        to: group.to_owned(),
        conversation: m.to.clone(),
        body: m.body.clone(),
        server_time_ms: time.saturating_mul(1000),
        direction: Direction::Outgoing,
        status: MessageStatus::Sent,
    })
}

/// `openim.sendmsg` (or `send_group_msg` for a group): the sender's copy once the server stored it.
pub(crate) async fn send(inner: &Inner, conn: &Connection, user: &str, m: &OutgoingMessage) -> Result<Message, Error> {
    if m.to.kind == ConversationKind::Group {
        return send_group(inner, conn, user, m).await;
    }
    let to = check_peer(&m.to)?;
    let random = msg_random(&m.client_id);
    let seq = u64::from(rand::random::<u32>() | 1);
    let now = inner.now();
    let body = json!({
        "From_Account": user, "To_Account": to, "MsgSeq": seq, "MsgRandom": random,
        "MsgBody": body_to_elems(&m.body), "CloudCustomData": "", "SupportMessageExtension": 0,
        "From_AccountNick": "", "From_AccountHeadurl": "", "SendMsgControl": [], "MsgClientTime": now,
        "IsNeedReadReceipt": 0,
    });
    let reply = call(inner, conn, servcmd::SENDMSG, body).await?;
    let time = reply.get("MsgTime").and_then(Value::as_u64).unwrap_or(now);
    let seq = reply.get("MsgSeq").and_then(Value::as_u64).unwrap_or(seq);
    let key = match reply.get("MsgKey").and_then(Value::as_str) {
        Some(k) if !k.is_empty() => k.to_owned(),
        _ => msg_key(seq, u64::from(random), time),
    };
    // A copy of it may come back in a sync: it is not news.
    lock(inner).first_time(&key);
    Ok(Message {
        server_id: key,
        client_id: m.client_id.clone(),
        from: user.to_owned(),
        to: to.to_owned(),
        conversation: m.to.clone(),
        body: m.body.clone(),
        server_time_ms: time.saturating_mul(1000),
        direction: Direction::Outgoing,
        status: MessageStatus::Sent,
    })
}

/// `recentcontact.page_get`, every page.
pub(crate) async fn conversations(inner: &Inner, conn: &Connection, user: &str) -> Result<Vec<Conversation>, Error> {
    let mut out = Vec::new();
    let mut cursors = json!({ "TimeStamp": 0, "StartIndex": 0, "TopTimeStamp": 0, "TopStartIndex": 0 });
    for _ in 0..MAX_PAGES {
        let mut body = json!({ "From_Account": user, "OrderType": 1, "MsgAssistFlags": 15, "AssistFlags": 31 });
        if let (Some(b), Some(c)) = (body.as_object_mut(), cursors.as_object()) {
            b.extend(c.clone());
        }
        let reply = call(inner, conn, PAGE_GET, body).await?;
        for item in reply.get("SessionItem").and_then(Value::as_array).into_iter().flatten() {
            if item.get("Type").and_then(Value::as_u64) == Some(2) {
                out.extend(group_conversation(item, user));
                continue;
            }
            if item.get("Type").and_then(Value::as_u64) != Some(1) {
                continue;
            }
            let Some(peer) = item.get("To_Account").and_then(Value::as_str) else { continue };
            let last = item
                .get("LastMsg")
                .and_then(|m| serde_json::from_value::<C2cMsg>(m.clone()).ok())
                .and_then(|m| m.to_message(user).ok());
            let time = item.get("MsgTime").and_then(Value::as_u64).unwrap_or(0);
            out.push(Conversation {
                id: ConversationId::direct(peer),
                updated_at_ms: last.as_ref().map_or(time.saturating_mul(1000), |m| m.server_time_ms),
                last_message: last,
                unread: item.get("UnreadMsgCount").and_then(Value::as_u64).map_or(0, |n| n as u32),
            });
        }
        if reply.get("CompleteFlag").and_then(Value::as_i64) == Some(1) {
            out.sort_by_key(|c| std::cmp::Reverse(c.updated_at_ms));
            return Ok(out);
        }
        for k in ["TimeStamp", "StartIndex", "TopTimeStamp", "TopStartIndex"] {
            cursors[k] = reply.get(k).cloned().unwrap_or(json!(0));
        }
    }
    Err(Error::protocol(format!("Tencent's recentcontact.page_get did not complete within {MAX_PAGES} pages")))
}

/// A `Type 2` conversation item: the group under `ToAccount` (what the web
/// client reads) or `GroupId`, its unread count and last message.
fn group_conversation(item: &Value, user: &str) -> Option<Conversation> {
    let group = item.get("ToAccount").or_else(|| item.get("GroupId")).and_then(Value::as_str)?;
    let last = item
        .get("LastMsg")
        .and_then(|m| serde_json::from_value::<GroupMsg>(m.clone()).ok())
        .and_then(|m| m.to_message(user, Some(group)).ok());
    let time = item.get("MsgTime").and_then(Value::as_u64).unwrap_or(0);
    let unread = item.get("UnreadMsgCount").and_then(Value::as_u64).unwrap_or(0);
    let ignored = item.get("GroupIgnoredUnreadSeqCount").and_then(Value::as_u64).unwrap_or(0);
    Some(Conversation {
        id: ConversationId::group(group),
        updated_at_ms: last.as_ref().map_or(time.saturating_mul(1000), |m| m.server_time_ms),
        last_message: last,
        unread: unread.saturating_sub(ignored).min(u64::from(u32::MAX)) as u32,
    })
}

/// `msg_read_report` up to the group's newest `MsgSeq` (`NextMsgSeq` - 1).
async fn mark_group_read(inner: &Inner, conn: &Connection, group: &str) -> Result<(), Error> {
    let info = group_call(inner, conn, "get_group_info", crate::rest::groups::group_info_body(group)).await?;
    let item = info.get("GroupInfo").and_then(Value::as_array).and_then(|l| l.first()).cloned().unwrap_or_default();
    let code = item.get("ErrorCode").and_then(Value::as_i64).unwrap_or(0);
    if code != 0 {
        return Err(error_from_code(code, item.get("ErrorInfo").and_then(Value::as_str).unwrap_or("")));
    }
    let next = item.get("NextMsgSeq").and_then(Value::as_u64).unwrap_or(1);
    let body = json!({ "GroupId": group, "MsgReadedSeq": next.saturating_sub(1) });
    group_call(inner, conn, MSG_READ_REPORT, body).await.map(drop)
}

/// `openim.msgreaded` up to now (`msg_read_report` for a group).
pub(crate) async fn mark_read(inner: &Inner, conn: &Connection, id: &ConversationId) -> Result<(), Error> {
    if id.kind == ConversationKind::Group {
        return mark_group_read(inner, conn, check_peer(id)?).await;
    }
    let peer = check_peer(id)?;
    let item = json!({ "To_Account": peer, "LastedMsgTime": inner.now(), "Receipt": 1 });
    call(inner, conn, MSG_READED, json!({ "C2CMsgReaded": { "Cookie": "", "C2CMsgReadedItem": [item] } })).await?;
    Ok(())
}

/// `openim.getroammsg`, backwards; the cursor is `<LastMsgTime>:<MsgKey>`
/// of the previous page's oldest message.
pub(crate) async fn history(
    inner: &Inner,
    conn: &Connection,
    user: &str,
    id: &ConversationId,
    older: Option<&HistoryCursor>,
    limit: usize,
) -> Result<HistoryPage, Error> {
    let peer = check_peer(id)?;
    if limit == 0 {
        return Err(Error::invalid_input("a history page must hold at least one message"));
    }
    if id.kind == ConversationKind::Group {
        return group_history(inner, conn, user, peer, older, limit).await;
    }
    let (time, key) = match older {
        None => (0, String::new()),
        Some(c) => {
            let bad = || Error::invalid_input(format!("{:?} is not a Tencent history cursor", c.0));
            let (t, k) = c.0.split_once(':').ok_or_else(bad)?;
            (t.parse::<u64>().map_err(|_| bad())?, k.to_owned())
        }
    };
    let body = json!({
        "Peer_Account": peer, "MaxCnt": limit, "LastMsgTime": time, "MsgKey": key, "WithRecalledMsg": 1,
        "GetDirection": 0,
    });
    let reply = call(inner, conn, GETROAMMSG, body).await?;
    let mut messages = Vec::new();
    for m in reply.get("MsgList").and_then(Value::as_array).into_iter().flatten() {
        let item: C2cMsg = serde_json::from_value(m.clone())
            .map_err(|e| Error::protocol(format!("a getroammsg item is malformed: {e}")))?;
        messages.push(item.to_message(user)?);
    }
    messages.sort_by_key(|m| m.server_time_ms);
    let last_key = reply.get("MsgKey").and_then(Value::as_str).unwrap_or("");
    let last_time = reply.get("LastMsgTime").and_then(Value::as_u64).unwrap_or(0);
    let complete = reply.get("Complete").and_then(Value::as_i64) == Some(1);
    let older = (!complete && !messages.is_empty() && !last_key.is_empty())
        .then(|| HistoryCursor(format!("{last_time}:{last_key}")));
    Ok(HistoryPage { messages, older })
}

/// `group_msg_get` backwards; the cursor is the next `ReqMsgSeq` (the
/// previous page's smallest `MsgSeq` - 1).
async fn group_history(
    inner: &Inner,
    conn: &Connection,
    user: &str,
    group: &str,
    older: Option<&HistoryCursor>,
    limit: usize,
) -> Result<HistoryPage, Error> {
    let mut body = json!({ "GroupId": group, "ReqMsgNumber": limit, "WithRecalledMsg": 1 });
    if let Some(c) = older {
        let seq: u64 =
            c.0.parse()
                .map_err(|_| Error::invalid_input(format!("{:?} is not a Tencent group history cursor", c.0)))?;
        body["ReqMsgSeq"] = json!(seq);
    }
    let reply = group_call(inner, conn, GROUP_MSG_GET, body).await?;
    let mut items = Vec::new();
    for m in reply.get("RspMsgList").and_then(Value::as_array).into_iter().flatten() {
        let item: GroupMsg = serde_json::from_value(m.clone())
            .map_err(|e| Error::protocol(format!("a group_msg_get item is malformed: {e}")))?;
        items.push(item);
    }
    items.sort_by_key(|m| m.seq);
    let oldest = items.first().map(|m| m.seq);
    let messages = items.iter().map(|m| m.to_message(user, Some(group))).collect::<Result<Vec<_>, _>>()?;
    let finished = reply.get("IsFinished").and_then(Value::as_i64).is_some_and(|f| f != 0);
    let older = match oldest {
        Some(seq) if !finished && seq > 1 => Some(HistoryCursor((seq - 1).to_string())),
        _ => None,
    };
    Ok(HistoryPage { messages, older })
}

/// `recentcontact.batch_delete` of one conversation (`Type 2` with `ToGroupid` for a group).
pub(crate) async fn delete(inner: &Inner, conn: &Connection, user: &str, id: &ConversationId) -> Result<(), Error> {
    let peer = check_peer(id)?;
    let item = match id.kind {
        ConversationKind::Direct => json!({ "Type": 1, "To_Account": peer }),
        ConversationKind::Group => json!({ "Type": 2, "ToGroupid": peer }),
    };
    let body = json!({ "From_Account": user, "ContactItem": [item], "ClearRamble": 0 });
    let reply = call(inner, conn, BATCH_DELETE, body).await?;
    let failed = reply
        .get("ResultItem")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|r| r.get("ResultCode").and_then(Value::as_i64).is_some_and(|c| c != 0));
    match failed {
        Some(r) => Err(error_from_code(
            r.get("ResultCode").and_then(Value::as_i64).unwrap_or(0),
            r.get("ResultInfo").and_then(Value::as_str).unwrap_or(""),
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_inbox_remembers_keys_per_user() {
        let mut inbox = Inbox::default();
        inbox.for_user("alice");
        assert!(inbox.first_time("1_2_3"));
        assert!(!inbox.first_time("1_2_3"));
        inbox.cookie = "c".into();
        inbox.for_user("alice");
        assert_eq!(inbox.cookie, "c");
        inbox.for_user("bob");
        assert!(inbox.cookie.is_empty() && inbox.first_time("1_2_3"));
    }

    #[test]
    fn pushes_yield_their_c2c_items_in_order() {
        let body = json!({"EventArray": [
            {"Event": 9, "C2cMsgArray": [
                {"From_Account": "a", "To_Account": "b", "MsgSeq": 1, "MsgRandom": 2, "MsgTimeStamp": 3, "MsgBody": []},
                {"From_Account": "a", "To_Account": "b", "MsgSeq": 4, "MsgRandom": 5, "MsgTimeStamp": 6, "MsgBody": []}
            ]},
            {"Event": 9, "C2cNotifyMsgArray": [{"KickoutMsgNotify": {"KickType": 1}}]}
        ]});
        let keys: Vec<String> = pushed_messages(&body).iter().map(C2cMsg::key).collect();
        assert_eq!(keys, ["1_2_3", "4_5_6"]);
        assert!(pushed_messages(&json!({})).is_empty());
    }
}
