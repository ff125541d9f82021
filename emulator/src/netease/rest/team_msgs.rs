//! Team messages over the v1 server API (netease.md 3.2): `msg/sendMsg.action`
//! with `ope` 1 (`to` is the tid) and `history/queryTeamMsg.action`.
//!
//! The sender must be in the team (804) and not muted (812); a message is
//! stored once in the engine's team history and handed to the link side
//! (`group_push::deliver`) for the members' clients. Its `msgid` comes from
//! the engine's sequence exactly as a one-to-one message's does, so ids grow
//! with the order of sending across both; its timetag is the engine's time.

use super::super::group_push;
use super::super::Face;
use super::form::Form;
use super::teams::refusal;
use super::{bad, object, Refusal};
use crate::groups::Actor;
use crate::messages::StoredMessage;
use serde_json::{json, Map, Value};
use unim_core::MessageBody;
use unim_netease::accid::check_accid;
use unim_netease::error::code;
use unim_netease::link::ClientType;
use unim_netease::message::{TYPE_CUSTOM, TYPE_TEXT};

type Reply = Result<Map<String, Value>, Refusal>;

/// The base of every message id: the same one the link's one-to-one ids use,
/// so ids form one sequence.
const FIRST_ID_SERVER: u64 = 10_000_000_000;
/// The most messages one query returns.
const MAX_LIMIT: u64 = 100;

/// The msgid of a stored message.
fn msgid(m: &StoredMessage) -> u64 {
    FIRST_ID_SERVER + m.seq
}

/// `msg/sendMsg.action` with `ope` 1: `from` (an existing accid) sends `body`
/// to the team `tid` → `data {msgid, timetag, antispam}`.
pub(super) fn send(face: &Face, from: &str, tid: &str, body: MessageBody) -> Reply {
    if tid.is_empty() || !tid.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad("to must be a tid"));
    }
    let client_id = unim_core::new_client_id();
    let (stored, members) = face
        .engine
        .send_group_message(Actor::User(from), from, tid, &client_id, body, |seq, _, _| {
            (FIRST_ID_SERVER + seq).to_string()
        })
        .map_err(refusal)?;
    if !stored.duplicate {
        group_push::deliver(face, &stored.message, &members);
    }
    let m = &stored.message;
    Ok(object(json!({"data": {"msgid": msgid(m), "timetag": m.time_ms, "antispam": false}})))
}

/// A history entry: text bodies as the JSON object `{"msg": ...}`, custom
/// ones as the JSON text that was sent (like the one-to-one history).
fn entry(m: &StoredMessage) -> Value {
    let (kind, body, push) = match &m.body {
        MessageBody::Text { text } => (TYPE_TEXT, json!({ "msg": text }), None),
        MessageBody::Custom { data, description } => (TYPE_CUSTOM, json!(data), description.clone()),
    };
    let mut e = json!({
        "from": m.from, "to": m.to, "msgid": msgid(m), "msgidclient": m.client_id, "sendtime": m.time_ms,
        "type": kind, "fromclienttype": ClientType::Rest.code(), "body": body,
    });
    if let Some(p) = push {
        e["pushcontent"] = json!(p);
    }
    e
}

fn int(form: &Form, name: &str) -> Result<Option<u64>, Refusal> {
    form.get(name).map(|v| v.parse::<u64>().map_err(|_| bad(format!("{name} is not a number")))).transpose()
}

/// `history/queryTeamMsg.action`: `tid`, `accid` (in the team, 804),
/// `begintime` < `endtime` (ms, both included), `limit` 1..100, `reverse`
/// 1 oldest first / 2 newest first (default) → `size`, `msgs`.
pub(super) fn query_team_msg(face: &Face, form: &Form) -> Reply {
    let tid = form.required("tid")?;
    let accid = check_accid(form.required("accid")?).map_err(|p| bad(format!("accid: {p}")))?;
    let begin = int(form, "begintime")?.ok_or_else(|| bad("begintime is missing"))?;
    let end = int(form, "endtime")?.ok_or_else(|| bad("endtime is missing"))?;
    if begin >= end {
        return Err(bad("bad time"));
    }
    let limit = match int(form, "limit")?.unwrap_or(MAX_LIMIT) {
        n @ 1..=MAX_LIMIT => n as usize,
        _ => return Err(bad("limit must be 1 to 100")),
    };
    let ascending = match form.get("reverse").unwrap_or("2") {
        "1" => true,
        "2" => false,
        _ => return Err(bad("reverse must be 1 or 2")),
    };
    let team = face.engine.group(tid).map_err(refusal)?;
    if team.member(&accid).is_none() {
        return Err(Refusal::new(code::NOT_IN_TEAM, "accid is not in the team"));
    }
    let mut msgs: Vec<StoredMessage> = face
        .engine
        .group_history(tid, None, usize::MAX)
        .into_iter()
        .filter(|m| (begin..=end).contains(&m.time_ms))
        .collect();
    if !ascending {
        msgs.reverse();
    }
    msgs.truncate(limit);
    let msgs: Vec<Value> = msgs.iter().map(entry).collect();
    Ok(object(json!({"size": msgs.len(), "msgs": msgs})))
}
