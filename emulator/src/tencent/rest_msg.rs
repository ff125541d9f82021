//! The REST API's message and conversation calls (vendors/tencent.md 2.4,
//! 2.5): `openim/sendmsg`, `openim/admin_getroammsg`,
//! `openim/get_c2c_unread_msg_num`, `recentcontact/get_list` and
//! `recentcontact/delete`. Authentication and the envelope are
//! [`super::rest`]'s.

use super::history::{self, RoamQuery};
use super::mailbox::SendRequest;
use super::rest::{ok, Refusal, Reply};
use super::Face;
use serde_json::{json, Map, Value};

/// `To_Account` is missing or not a string.
const ERR_TO_ACCOUNT: i64 = 90003;
/// `MsgRandom` is missing or not an integer.
const ERR_MSG_RANDOM: i64 = 90005;
/// `MsgBody` is missing or not an array.
const ERR_MSG_BODY: i64 = 90007;
/// The recipient was never imported.
const ERR_TO_NOT_IMPORTED: i64 = 90012;
/// The account does not exist (an openim query about it).
const ERR_NO_ACCOUNT: i64 = 90048;
/// The account was never imported (recentcontact).
const ERR_CONTACT_NO_ACCOUNT: i64 = 50001;
/// Invalid parameter (a field of the wrong type).
const ERR_INVALID_PARAM: i64 = 70402;
/// A roaming page holds at most this many messages whatever `MaxCnt` says
/// (Tencent limits a page by size, about 13 KB).
const ROAM_PAGE_MAX: usize = 100;

fn str_field<'a>(body: &'a Map<String, Value>, key: &str, code: i64) -> Result<&'a str, Refusal> {
    body.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| Refusal::new(code, format!("{key} is missing or not a string")))
}

fn u64_field(body: &Map<String, Value>, key: &str) -> Result<Option<u64>, Refusal> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v.as_u64().map(Some).ok_or_else(|| {
            Refusal::new(ERR_INVALID_PARAM, format!("invalid parameter: {key} must be an unsigned integer"))
        }),
    }
}

fn account(face: &Face, user: &str, code: i64) -> Result<(), Refusal> {
    match face.engine.account(user) {
        Some(_) => Ok(()),
        None => Err(Refusal::new(code, format!("account {user:?} does not exist"))),
    }
}

/// `openim/sendmsg`: `From_Account` (absent: the App admin), `To_Account`,
/// `MsgRandom` (the dedupe key with the sender), `MsgSeq`?, `MsgBody`,
/// `SyncOtherMachine` (1: also to the sender's online devices; otherwise
/// only to its roaming history). Reply: `MsgTime`, `MsgKey`.
pub(super) fn sendmsg(face: &Face, body: Map<String, Value>) -> Reply {
    let to = str_field(&body, "To_Account", ERR_TO_ACCOUNT)?.to_owned();
    let random = u64_field(&body, "MsgRandom")
        .map_err(|_| Refusal::new(ERR_MSG_RANDOM, "MsgRandom must be an unsigned 32-bit integer"))?
        .filter(|r| *r <= u64::from(u32::MAX))
        .ok_or_else(|| Refusal::new(ERR_MSG_RANDOM, "MsgRandom is missing"))?;
    let elems = match body.get("MsgBody") {
        Some(Value::Array(elems)) => elems.clone(),
        _ => return Err(Refusal::new(ERR_MSG_BODY, "MsgBody is missing or not an array")),
    };
    let from = match body.get("From_Account") {
        None | Some(Value::Null) => {
            // The App admin is an account of the app too.
            face.engine.create_account(&face.settings.admin, None, None);
            face.settings.admin.clone()
        }
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(_) => return Err(Refusal::new(ERR_INVALID_PARAM, "invalid parameter: From_Account must be a string")),
    };
    let sync = u64_field(&body, "SyncOtherMachine")?;
    let mut extra = Map::new();
    if let Some(v) = body.get("CloudCustomData") {
        extra.insert("CloudCustomData".into(), v.clone());
    }
    let req = SendRequest {
        from,
        to,
        random,
        seq: u64_field(&body, "MsgSeq")?,
        elems,
        client_time: None,
        origin: None,
        sync_sender: sync == Some(1),
        unknown_recipient: ERR_TO_NOT_IMPORTED,
        extra,
    };
    let sent = face.mailbox.send(face, req).map_err(|r| Refusal::new(r.code, r.info))?;
    Ok(ok(json!({ "MsgTime": sent.time, "MsgKey": sent.key })))
}

/// `openim/admin_getroammsg`: `Operator_Account`, `Peer_Account`, `MaxCnt`,
/// `MinTime`, `MaxTime`, `LastMsgKey`? (continue before it). Pages go
/// backwards in time; `MsgList` is oldest first; `LastMsgTime` and
/// `LastMsgKey` are the oldest returned message's, `Complete` 1 when nothing
/// older remains in the range.
pub(super) fn admin_getroammsg(face: &Face, body: Map<String, Value>) -> Reply {
    let user = str_field(&body, "Operator_Account", ERR_TO_ACCOUNT)?;
    let peer = str_field(&body, "Peer_Account", ERR_TO_ACCOUNT)?;
    account(face, user, ERR_NO_ACCOUNT)?;
    let max_cnt = u64_field(&body, "MaxCnt")?.ok_or_else(|| Refusal::new(ERR_INVALID_PARAM, "MaxCnt is missing"))?;
    let q = RoamQuery {
        max_cnt: (max_cnt as usize).clamp(1, ROAM_PAGE_MAX),
        min_time: u64_field(&body, "MinTime")?.unwrap_or(0),
        max_time: u64_field(&body, "MaxTime")?.unwrap_or(0),
        last_key: body.get("LastMsgKey").and_then(Value::as_str).filter(|k| !k.is_empty()).map(str::to_owned),
    };
    let page = history::roam(&face.engine, user, peer, &q);
    Ok(ok(json!({
        "Complete": u8::from(page.complete),
        "MsgCnt": page.items.len(),
        "LastMsgTime": page.last_time,
        "LastMsgKey": page.last_key,
        "MsgList": page.items,
    })))
}

/// `openim/get_c2c_unread_msg_num`: `To_Account` (whose counts),
/// `Peer_Account`? (only these peers). Reply: `AllC2CUnreadMsgNum` and
/// `C2CUnreadMsgNumList: [{Peer_Account, C2CUnreadMsgNum}]`.
pub(super) fn get_c2c_unread_msg_num(face: &Face, body: Map<String, Value>) -> Reply {
    let user = str_field(&body, "To_Account", ERR_TO_ACCOUNT)?;
    account(face, user, ERR_NO_ACCOUNT)?;
    let peers: Option<Vec<String>> = match body.get("Peer_Account") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => Some(items.iter().filter_map(Value::as_str).map(str::to_owned).collect()),
        Some(_) => return Err(Refusal::new(ERR_INVALID_PARAM, "invalid parameter: Peer_Account must be an array")),
    };
    let list = face.engine.conversations(user);
    let all: u64 = list.iter().map(|c| u64::from(c.unread)).sum();
    let items: Vec<Value> = match peers {
        Some(peers) => peers
            .iter()
            .map(|p| {
                let n = list.iter().find(|c| &c.peer == p).map_or(0, |c| c.unread);
                json!({ "Peer_Account": p, "C2CUnreadMsgNum": n })
            })
            .collect(),
        None => list
            .iter()
            .filter(|c| c.unread > 0)
            .map(|c| json!({ "Peer_Account": c.peer, "C2CUnreadMsgNum": c.unread }))
            .collect(),
    };
    Ok(ok(json!({ "AllC2CUnreadMsgNum": all, "C2CUnreadMsgNumList": items })))
}

/// `recentcontact/get_list`: `From_Account` and the four paging cursors;
/// the whole list comes in one page (`CompleteFlag` 1), most recent first,
/// each item `Type` 1, `To_Account`, `MsgTime`, `TopFlag` 0.
pub(super) fn get_list(face: &Face, body: Map<String, Value>) -> Reply {
    let user = str_field(&body, "From_Account", ERR_CONTACT_NO_ACCOUNT)?;
    account(face, user, ERR_CONTACT_NO_ACCOUNT)?;
    let items: Vec<Value> = face.engine.conversations(user).iter().map(|c| history::session_item(c, false)).collect();
    Ok(ok(json!({
        "SessionItem": items, "CompleteFlag": 1, "TimeStamp": 0, "StartIndex": 0, "TopTimeStamp": 0,
        "TopStartIndex": 0, "ErrorDisplay": "",
    })))
}

/// `recentcontact/delete`: `From_Account`, `Type` (1: C2C), `To_Account`;
/// removes the conversation from the user's list (the history stays).
pub(super) fn delete(face: &Face, body: Map<String, Value>) -> Reply {
    let user = str_field(&body, "From_Account", ERR_CONTACT_NO_ACCOUNT)?;
    account(face, user, ERR_CONTACT_NO_ACCOUNT)?;
    let peer = str_field(&body, "To_Account", ERR_TO_ACCOUNT)?;
    if u64_field(&body, "Type")? != Some(1) {
        return Err(Refusal::new(ERR_INVALID_PARAM, "invalid parameter: Type must be 1 (C2C)"));
    }
    face.engine.delete_conversation(user, peer);
    Ok(ok(json!({ "ErrorDisplay": "" })))
}
