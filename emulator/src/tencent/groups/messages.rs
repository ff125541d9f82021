//! Group messages: `send_group_msg` and `group_msg_get_simple`.
//!
//! A group message is stored once in the engine with its place in the
//! group's history (Tencent's per-group `MsgSeq`, from 1). Its server id is
//! `<MsgSeq>_<Random>_<MsgTime>` ([`group_msg_id`]); its engine client id is
//! `<GroupId>:<Random>`, so a resend with the same `Random` by the same
//! sender in the same group is stored once and answered like the first.

use super::members::LAST_SENDS;
use super::{lookup, refuse, require_member, Fields, ERR_MUTED, ERR_PARAM, ERR_PERMISSION, ERR_TOO_LONG};
use crate::groups::Actor;
use crate::messages::StoredMessage;
use crate::tencent::rest::{ok, Refusal, Reply};
use crate::tencent::Face;
use serde_json::{json, Value};
use unim_core::Role;
use unim_tencent::msg::{body_from_elems, body_to_elems, parse_msg_key, MAX_MESSAGE_BYTES};
use unim_tencent::rest::groups::{group_msg_id, MAX_HISTORY_MESSAGES};

/// A stored group message's (`MsgSeq`, `Random`, `MsgTime` in seconds).
pub(crate) fn group_msg_parts(m: &StoredMessage) -> (u64, u64, u64) {
    parse_msg_key(&m.server_id).unwrap_or((m.group_seq, 0, m.time_ms / 1000))
}

/// A stored group message in Tencent's item shape (`group_msg_get_simple`'s
/// `RspMsgList`; the link's group pushes carry the same fields).
pub(crate) fn group_msg_item(m: &StoredMessage) -> Value {
    let (seq, random, time) = group_msg_parts(m);
    json!({
        "GroupId": m.to,
        "From_Account": m.from,
        "IsPlaceMsg": 0,
        "IsSystemMsg": 0,
        "MsgBody": body_to_elems(&m.body),
        "MsgPriority": 1,
        "MsgRandom": random,
        "MsgSeq": seq,
        "MsgTimeStamp": time,
        "CloudCustomData": "",
    })
}

/// `send_group_msg`: `GroupId`, `Random` (u32), `MsgBody`, `From_Account`?
/// (REST: send as that member; absent: as the App admin. Web link: only the
/// user itself). A non-member is 10007, a muted member (or any plain member
/// while `MuteAllMember` is on) 10017, content over 12 KB 80002. Reply:
/// `MsgTime`, `MsgSeq`. The message goes to every member's online links and
/// waits for the others' next login ([`super::super::group_push::deliver`]).
pub(super) fn send_group_msg(face: &Face, actor: Actor<'_>, f: Fields<'_>) -> Reply {
    let g = f.group(face)?;
    let random = f
        .u64_opt("Random")?
        .filter(|r| *r <= u64::from(u32::MAX))
        .ok_or_else(|| Refusal::new(ERR_PARAM, "invalid parameter: Random (a 32-bit unsigned integer) is required"))?;
    let elems = match f.get("MsgBody") {
        Some(Value::Array(elems)) if !elems.is_empty() => elems,
        _ => return Err(Refusal::new(ERR_PARAM, "invalid parameter: MsgBody must be a non-empty array")),
    };
    let body = body_from_elems(elems).map_err(|e| Refusal::new(ERR_PARAM, format!("invalid MsgBody: {e}")))?;
    if body.byte_len() > MAX_MESSAGE_BYTES {
        return Err(Refusal::new(
            ERR_TOO_LONG,
            format!("the message is {} bytes, more than {MAX_MESSAGE_BYTES}", body.byte_len()),
        ));
    }
    let admin = face.settings.admin.as_str();
    let from = f.str_opt("From_Account")?.filter(|s| !s.is_empty());
    let (sender_actor, sender) = match (actor, from) {
        (Actor::App, None) => (Actor::App, admin),
        (Actor::App, Some(a)) if a == admin => (Actor::App, admin),
        (Actor::App, Some(member)) => (Actor::User(member), member),
        (Actor::User(u), None) => (Actor::User(u), u),
        (Actor::User(u), Some(s)) if s == u => (Actor::User(u), u),
        (Actor::User(_), Some(_)) => {
            return Err(Refusal::new(ERR_PERMISSION, "a user sends group messages only as itself"))
        }
    };
    let mute_all = g.extra.get("MuteAllMember").and_then(Value::as_str) == Some("On");
    if mute_all && sender_actor.user().is_some_and(|u| g.role_of(u) == Some(Role::Member)) {
        return Err(Refusal::new(ERR_MUTED, "the whole group is muted"));
    }
    let client_id = format!("{}:{random}", g.id);
    let (stored, members) = face
        .engine
        .send_group_message(sender_actor, sender, &g.id, &client_id, body, |_, ms, group_seq| {
            group_msg_id(group_seq, random, ms / 1000)
        })
        .map_err(refuse)?;
    let (seq, _, time) = group_msg_parts(&stored.message);
    if !stored.duplicate {
        let _ = face.engine.with_group_extra(&g.id, |extra| {
            let entry = extra.entry(LAST_SENDS).or_insert_with(|| json!({}));
            if let Value::Object(m) = entry {
                m.insert(sender.to_owned(), json!(time));
            }
        });
        super::super::group_push::deliver(face, &stored.message, &members);
    }
    Ok(ok(json!({ "MsgTime": time, "MsgSeq": seq })))
}

/// `group_msg_get_simple`: `GroupId`, `ReqMsgNumber` (1-20), `ReqMsgSeq`?
/// (the newest `MsgSeq` wanted, inclusive; absent: the newest). Reply:
/// `GroupId`, `IsFinished` (1 when nothing older remains), `RspMsgList`
/// newest first. Over the web link only members may read.
pub(super) fn group_msg_get_simple(face: &Face, actor: Actor<'_>, f: Fields<'_>) -> Reply {
    let g = lookup(face, f.str_req("GroupId")?)?;
    require_member(&g, actor)?;
    let n = f
        .u64_opt("ReqMsgNumber")?
        .filter(|n| (1..=MAX_HISTORY_MESSAGES as u64).contains(n))
        .ok_or_else(|| Refusal::new(ERR_PARAM, "invalid parameter: ReqMsgNumber must be 1 to 20"))?
        as usize;
    let up_to = f.u64_opt("ReqMsgSeq")?.unwrap_or(u64::MAX);
    let history: Vec<StoredMessage> =
        face.engine.group_history(&g.id, None, usize::MAX).into_iter().filter(|m| m.group_seq <= up_to).collect();
    let from = history.len().saturating_sub(n);
    let items: Vec<Value> = history[from..].iter().rev().map(group_msg_item).collect();
    Ok(ok(json!({ "GroupId": g.id, "IsFinished": u8::from(from == 0), "RspMsgList": items })))
}
