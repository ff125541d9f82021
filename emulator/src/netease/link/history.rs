//! The message commands besides sending (5.4, 5.9): the 4_5 delivery
//! acknowledgement, history (7_6), the server session list (7_19), marking a
//! session read (7_16, 7_25) and deleting sessions (7_22). Sessions and
//! unread counts are the engine's; a session id is `p2p|<accid>` or
//! `team|<tid>` (scene 1), and team history (8_23) pages the same way.
//!
//! Choices where the SDK leaves the server free: 7_16 marks the whole
//! conversation read (the engine counts unread per conversation, not per
//! timetag); 7_6 with `lastMsgId` leaves out that message and every one on
//! its side of it, so paging by (endTime, lastMsgId) returns each message once.

use super::super::store::Refusal;
use super::super::Face;
use super::mailbox::{self, Shown};
use super::{bad, param, property_array};
use serde_json::Value;
use unim_core::{ConversationId, ConversationKind};
use unim_netease::link::ids::{scene, session as stag, session_req as rtag};
use unim_netease::link::{Param, Property, Request};
use unim_netease::message::number;

/// The most messages or sessions one request returns.
const MAX_LIMIT: u64 = 100;
/// Session ids of one-to-one conversations start with this.
const P2P_PREFIX: &str = "p2p|";
/// Session ids of team conversations start with this.
const TEAM_PREFIX: &str = "team|";

type Answer = Result<Vec<Value>, Refusal>;

/// A number parameter (sent as a number or a decimal string); 0 when absent.
fn number_param(request: &Request, i: usize) -> u64 {
    request.param(i).ok().and_then(|p| number(&p.v)).unwrap_or(0)
}

/// 4_5 `[Byte sid, Byte cid, LongArray ids]`: the client has these messages.
pub(super) fn batch_mark_read(face: &Face, accid: &str, instance: &str, request: &Request) -> Answer {
    let ids = param(request, 2, "the ids")?.as_strings().map_err(|e| bad(e.to_string()))?;
    let ids: Vec<u64> = ids.iter().filter_map(|id| id.parse().ok()).collect();
    mailbox::acknowledge(face, accid, instance, &ids);
    Ok(Vec::new())
}

/// 7_6 `[String to, Long beginTime, Long endTime, Long lastMsgId, Int
/// limit, Bool reverse, LongArray msgTypes]` → `[PropertyArray msgs]`:
/// `reverse` false pages back from endTime (newest first), true forward from
/// beginTime (oldest first).
pub(super) fn history(face: &Face, accid: &str, request: &Request) -> Answer {
    let to =
        param(request, 0, "to")?.v.as_str().map(str::to_ascii_lowercase).ok_or_else(|| bad("to is not a string"))?;
    page(mailbox::between(face, accid, &to), request)
}

/// One page of `all` (oldest first) per the `7_6` / `8_23` parameters
/// `[to, beginTime, endTime, lastMsgId, limit, reverse, msgTypes]`.
pub(super) fn page(all: Vec<Shown>, request: &Request) -> Answer {
    let (begin, end, last_id) = (number_param(request, 1), number_param(request, 2), number_param(request, 3));
    let limit = match number_param(request, 4) {
        0 => MAX_LIMIT,
        n if n <= MAX_LIMIT => n,
        _ => return Err(bad("limit is over 100")),
    };
    let ascending = request.param(5).ok().and_then(|p| p.v.as_bool()).unwrap_or(false);
    if end != 0 && begin > end {
        return Err(bad("bad time"));
    }
    let in_window = |m: &Shown| m.timetag() >= begin && (end == 0 || m.timetag() <= end);
    let past_last = |m: &Shown| last_id == 0 || if ascending { m.id() > last_id } else { m.id() < last_id };
    let mut msgs: Vec<Shown> = all.into_iter().filter(|m| in_window(m) && past_last(m)).collect();
    if !ascending {
        msgs.reverse();
    }
    msgs.truncate(limit as usize);
    Ok(vec![property_array(msgs.iter().map(Shown::to_wire))])
}

/// The conversation of session id `p2p|<accid>` or `team|<tid>`.
fn conversation_of(id: &str) -> Result<ConversationId, Refusal> {
    if let Some(tid) = id.strip_prefix(TEAM_PREFIX).filter(|t| !t.is_empty()) {
        return Ok(ConversationId::group(tid));
    }
    id.strip_prefix(P2P_PREFIX)
        .filter(|p| !p.is_empty())
        .map(|p| ConversationId::direct(p.to_ascii_lowercase()))
        .ok_or_else(|| bad("not a p2p or team session id"))
}

/// The conversation of a scene and a `to`.
fn conversation(scene_num: i64, to: &str) -> ConversationId {
    if scene_num == scene::TEAM {
        ConversationId::group(to)
    } else {
        ConversationId::direct(to.to_ascii_lowercase())
    }
}

/// 7_16 `[Byte scene, String to, Long timetag]`: the session is read.
pub(super) fn mark_session_ack(face: &Face, accid: &str, request: &Request) -> Answer {
    let scene_num = request.param(0).ok().and_then(|p| number(&p.v)).unwrap_or(0) as i64;
    let to = param(request, 1, "to")?;
    let to = to.v.as_str().map(str::to_owned).or_else(|| number(&to.v).map(|n| n.to_string()));
    let to = to.ok_or_else(|| bad("to is not a string"))?;
    face.engine.mark_conversation_read(accid, &conversation(scene_num, &to));
    Ok(Vec::new())
}

/// 7_25 `[PropertyArray sessionAckTags {1 scene, 2 to, 3 timetag}]`.
pub(super) fn mark_session_ack_batch(face: &Face, accid: &str, request: &Request) -> Answer {
    for tag in properties(param(request, 0, "the sessions")?)? {
        if let Some(to) = tag.str(2) {
            face.engine.mark_conversation_read(accid, &conversation(tag.int(1).unwrap_or(0), &to));
        }
    }
    Ok(Vec::new())
}

fn properties(p: &Param) -> Result<Vec<Property>, Refusal> {
    match &p.v {
        Value::Array(items) => items.iter().map(|i| Property::from_value(i).map_err(|e| bad(e.to_string()))).collect(),
        _ => Err(bad("not a PropertyArray")),
    }
}

/// 7_19 `[Property {1 minTimestamp, 2 maxTimestamp, 3 needLastMsg, 4
/// limit}]` → `[the same with 5 hasMore, PropertyArray sessions]`, the most
/// recently updated first.
pub(super) fn server_sessions(face: &Face, accid: &str, request: &Request) -> Answer {
    let req = param(request, 0, "the request")?.as_property().map_err(|e| bad(e.to_string()))?;
    let num = |t: u32| req.get(t).and_then(number).unwrap_or(0);
    let (min, max) = (num(rtag::MIN_TIMESTAMP), num(rtag::MAX_TIMESTAMP));
    let need_last = num(rtag::NEED_LAST_MSG) != 0;
    let limit = match num(rtag::LIMIT) {
        0 => MAX_LIMIT,
        n => n.min(MAX_LIMIT),
    } as usize;
    let mut sessions: Vec<Property> = Vec::new();
    let mut more = false;
    for entry in face.engine.conversations(accid) {
        let Some(last) = mailbox::shown(face, entry.last.seq) else { continue };
        let updated = last.timetag();
        if updated < min || (max != 0 && updated > max) {
            continue;
        }
        if sessions.len() == limit {
            more = true;
            break;
        }
        let prefix = if entry.kind == ConversationKind::Group { TEAM_PREFIX } else { P2P_PREFIX };
        let mut s = Property::new().with(stag::ID, format!("{prefix}{}", entry.peer)).with(stag::UPDATE_TIME, updated);
        if need_last {
            s.set(stag::LAST_MSG, last.to_wire().to_value().to_string());
            s.set(stag::LAST_MSG_TYPE, "0");
        }
        sessions.push(s);
    }
    let mut reply = req.clone();
    reply.set(rtag::HAS_MORE, i64::from(more));
    Ok(vec![reply.to_value(), property_array(sessions)])
}

/// 7_22 `[PropertyArray sessions {1 id}]`: gone from the list (the history stays).
pub(super) fn delete_server_sessions(face: &Face, accid: &str, request: &Request) -> Answer {
    for session in properties(param(request, 0, "the sessions")?)? {
        let id = session.str(stag::ID).ok_or_else(|| bad("a session has no id"))?;
        face.engine.delete_conversation_of(accid, &conversation_of(&id)?);
    }
    Ok(Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use unim_netease::error::code;

    #[test]
    fn session_ids_are_p2p_or_team() {
        assert_eq!(conversation_of("p2p|Bob").unwrap(), ConversationId::direct("bob"));
        assert_eq!(conversation_of("team|3000000001").unwrap(), ConversationId::group("3000000001"));
        assert_eq!(conversation_of("team|").unwrap_err().code, code::BAD_PARAM);
        assert_eq!(conversation_of("p2p|").unwrap_err().code, code::BAD_PARAM);
        assert_eq!(conversation(1, "7"), ConversationId::group("7"));
    }
}
