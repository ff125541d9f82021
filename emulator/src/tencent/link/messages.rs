//! The link's message and conversation commands (docs/protocols/tencent.md
//! sections 5.5, 5.6 and 5.10-5.13): `openim.sendmsg`, `openim.getmsg`,
//! `openim.msgreaded`, `openim.getroammsg`, `recentcontact.page_get` and
//! `recentcontact.batch_delete`. Each takes the logged-in session and the
//! request body and returns the reply body.

use super::replies::{self, u64_field};
use super::store::Session;
use crate::tencent::history::{self, RoamQuery};
use crate::tencent::mailbox::{SendRequest, ERR_ACCOUNT_INVALID, ERR_BODY_INVALID};
use crate::tencent::Face;
use rand::Rng;
use serde_json::{json, Map, Value};
use unim_core::{ConversationId, ConversationKind};

/// Mark a C2C conversation read up to a time.
pub(crate) const MSG_READED: &str = "openim.msgreaded";
/// Page a C2C conversation's roaming history backwards.
pub(crate) const GETROAMMSG: &str = "openim.getroammsg";
/// Page the conversation list.
pub(crate) const PAGE_GET: &str = "recentcontact.page_get";
/// Delete conversations.
pub(crate) const BATCH_DELETE: &str = "recentcontact.batch_delete";

/// `To_Account` is missing or not a string.
const TO_ACCOUNT_MISSING: i64 = 90003;
/// `MsgRandom` is missing or not an integer.
const MSG_RANDOM_MISSING: i64 = 90005;
/// `MsgBody` is not an array.
const MSG_BODY_NOT_ARRAY: i64 = 90007;
/// A roaming history page at most this long, whatever `MaxCnt` says.
const ROAM_PAGE_MAX: usize = 100;

/// `openim.sendmsg` (§5.5): stored once per (sender, `MsgRandom`), pushed to
/// the recipient's links and to the sender's other links.
pub(crate) fn send(face: &Face, session: &Session, body: &Map<String, Value>) -> Value {
    let Some(to) = body.get("To_Account").and_then(Value::as_str) else {
        return replies::error(TO_ACCOUNT_MISSING, "To_Account is missing or not a string");
    };
    let elems = match body.get("MsgBody") {
        Some(Value::Array(elems)) => elems.clone(),
        None => return replies::error(ERR_BODY_INVALID, "MsgBody is missing"),
        Some(_) => return replies::error(MSG_BODY_NOT_ARRAY, "MsgBody is not an array"),
    };
    let Some(random) = u64_field(body, "MsgRandom") else {
        return replies::error(MSG_RANDOM_MISSING, "MsgRandom is missing or not an integer");
    };
    let seq = u64_field(body, "MsgSeq").unwrap_or_else(|| rand::thread_rng().gen_range(1..u64::from(u32::MAX)));
    let mut extra = Map::new();
    for key in ["CloudCustomData", "From_AccountNick", "From_AccountHeadurl"] {
        if let Some(v) = body.get(key) {
            extra.insert(key.into(), v.clone());
        }
    }
    let req = SendRequest {
        from: session.user.clone(),
        to: to.to_owned(),
        random,
        seq: Some(seq),
        elems,
        client_time: u64_field(body, "MsgClientTime"),
        origin: Some(session.instance.clone()),
        sync_sender: true,
        unknown_recipient: ERR_ACCOUNT_INVALID,
        extra,
    };
    match face.mailbox.send(face, req) {
        Ok(sent) => replies::ok_with(json!({ "MsgTime": sent.time, "MsgSeq": sent.seq, "MsgKey": sent.key })),
        Err(r) => replies::error(r.code, r.info),
    }
}

/// `openim.getmsg` (§5.6): the next page of the session's feed after its
/// cookie; on a first sync also the unread count per conversation
/// (`C2CPairUnreadCount`), which is where the web client takes them from.
pub(crate) fn getmsg(face: &Face, session: &Session, body: &Map<String, Value>) -> Value {
    let cookie = body.get("Cookie").and_then(Value::as_str).unwrap_or("");
    let page = face.mailbox.sync(&session.user, &session.instance, cookie);
    let mut reply = json!({
        "Cookie": page.cookie,
        "SyncFlag": if page.more { 1 } else { 2 },
        "MsgList": page.items,
    });
    if cookie.is_empty() {
        let unread: Vec<Value> = face
            .engine
            .conversations(&session.user)
            .into_iter()
            .filter(|c| c.unread > 0 && c.kind == ConversationKind::Direct)
            .map(|c| json!({ "From_Account": c.peer, "UnreadCount": c.unread, "LastMsgTime": c.last.time_ms / 1000 }))
            .collect();
        reply["C2CPairUnreadCount"] = Value::Array(unread);
    }
    replies::ok_with(reply)
}

/// `openim.msgreaded`: `C2CMsgReaded {Cookie, C2CMsgReadedItem: [{To_Account,
/// LastedMsgTime, Receipt}]}`; each conversation named is marked read.
pub(crate) fn mark_read(face: &Face, session: &Session, body: &Map<String, Value>) -> Value {
    let items = body
        .get("C2CMsgReaded")
        .and_then(|r| r.get("C2CMsgReadedItem"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for item in &items {
        let peer = item.get("To_Account").or_else(|| item.get("ToAccount")).and_then(Value::as_str);
        if let Some(peer) = peer {
            face.engine.mark_read(&session.user, peer);
        }
    }
    replies::ok()
}

/// `openim.getroammsg`: `Peer_Account`, `MaxCnt`, `LastMsgTime` (0: now),
/// `MsgKey` (the previous page's, to continue before it); the reply has
/// `Complete`, `MsgList` (oldest first), `LastMsgTime` and `MsgKey` of the
/// oldest message returned.
pub(crate) fn roam(face: &Face, session: &Session, body: &Map<String, Value>) -> Value {
    let Some(peer) = body.get("Peer_Account").and_then(Value::as_str) else {
        return replies::error(TO_ACCOUNT_MISSING, "Peer_Account is missing or not a string");
    };
    let key = body.get("MsgKey").and_then(Value::as_str).filter(|k| !k.is_empty());
    let q = RoamQuery {
        max_cnt: u64_field(body, "MaxCnt").map_or(15, |n| n as usize).clamp(1, ROAM_PAGE_MAX),
        min_time: 0,
        max_time: u64_field(body, "LastMsgTime").unwrap_or(0),
        last_key: key.map(str::to_owned),
    };
    let page = history::roam(&face.engine, &session.user, peer, &q);
    replies::ok_with(json!({
        "Complete": u8::from(page.complete),
        "MsgCnt": page.items.len(),
        "MsgList": page.items,
        "LastMsgTime": page.last_time,
        "MsgKey": page.last_key,
    }))
}

/// `recentcontact.page_get`: the whole list in one page (`CompleteFlag 1`),
/// each item with its unread count and last message.
pub(crate) fn page_get(face: &Face, session: &Session) -> Value {
    let items: Vec<Value> =
        face.engine.conversations(&session.user).iter().map(|c| history::session_item(c, true)).collect();
    replies::ok_with(json!({
        "SessionItem": items, "TimeStamp": 0, "StartIndex": 0, "TopTimeStamp": 0, "TopStartIndex": 0,
        "CompleteFlag": 1,
    }))
}

/// `recentcontact.batch_delete`: `ContactItem: [{Type: 1, To_Account}]`;
/// a result per item (a conversation that is not in the list is still code 0:
/// the outcome is the same).
pub(crate) fn delete(face: &Face, session: &Session, body: &Map<String, Value>) -> Value {
    let results: Vec<Value> = body
        .get("ContactItem")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|item| {
            // A group conversation is `{Type: 2, ToGroupid}` (the web client's spelling).
            let group = item.get("ToGroupid").or_else(|| item.get("GroupId")).and_then(Value::as_str);
            match group {
                Some(g) => Some(ConversationId::group(g)),
                None => item
                    .get("To_Account")
                    .or_else(|| item.get("ToAccount"))
                    .and_then(Value::as_str)
                    .map(ConversationId::direct),
            }
        })
        .map(|id| {
            face.engine.delete_conversation_of(&session.user, &id);
            match id.kind {
                ConversationKind::Group => {
                    json!({ "Type": 2, "ToGroupid": id.peer, "ResultCode": 0, "ResultInfo": "" })
                }
                ConversationKind::Direct => {
                    json!({ "Type": 1, "To_Account": id.peer, "ResultCode": 0, "ResultInfo": "" })
                }
            }
        })
        .collect();
    replies::ok_with(json!({ "ResultItem": results }))
}
