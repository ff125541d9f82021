//! The link's group commands (docs/protocols/tencent.md, "Groups"). The web
//! client sends the server API's `group_open_http_svc` commands with the same
//! JSON bodies, as the logged-in user: those go to the face's one group entry
//! point ([`crate::tencent::groups::answer`]). The ones the server API does
//! not have are answered here: `group_msg_get` (a group's history, backwards
//! by `MsgSeq`), `msg_read_report` (the user read a group up to a `MsgSeq`)
//! and `get_pendency` (applications waiting for the user's decision).

use super::replies::{self, u64_field};
use super::store::Session;
use crate::groups::Actor;
use crate::tencent::group_push::message_item;
use crate::tencent::Face;
use serde_json::{json, Map, Value};
use unim_core::ConversationId;

/// The service of the group commands.
pub(crate) const SERVICE: &str = "group_open_http_svc.";
/// Page a group's history backwards (the link's form of `group_msg_get_simple`).
const GROUP_MSG_GET: &str = "group_msg_get";
/// Report a group read up to a `MsgSeq`.
const MSG_READ_REPORT: &str = "msg_read_report";
/// The join applications waiting for the user's decision.
const GET_PENDENCY: &str = "get_pendency";
/// Messages in one `group_msg_get` reply at most.
const HISTORY_PAGE_MAX: usize = 100;

/// Invalid parameter.
const ERR_PARAM: i64 = 10004;
/// Not a member (or not allowed).
const ERR_PERMISSION: i64 = 10007;
/// No such group.
const ERR_NO_GROUP: i64 = 10010;

/// The server API's name of a link command: the web client asks for group
/// profiles with `get_group_self_member_info` (and `get_group_public_info`
/// when searching) and the `get_group_info` body.
fn server_name(command: &str) -> &str {
    match command {
        "get_group_self_member_info" | "get_group_public_info" => "get_group_info",
        other => other,
    }
}

/// Serves `group_open_http_svc.<command>` for `session`.
pub(crate) fn serve(face: &Face, session: &Session, command: &str, body: &Map<String, Value>) -> Value {
    let actor = Actor::User(&session.user);
    if let Some(reply) = crate::tencent::groups::answer(face, actor, server_name(command), body) {
        return match reply {
            Ok(mut fields) => {
                if command == "get_joined_group_list" {
                    mark_complete(&mut fields, body);
                }
                replies::ok_with(fields)
            }
            Err(r) => replies::error(r.code, r.info),
        };
    }
    match command {
        GROUP_MSG_GET => history(face, session, body),
        MSG_READ_REPORT => read_report(face, session, body),
        GET_PENDENCY => pendency(face, session),
        other => replies::startup(&format!("{SERVICE}{other}"), body, &session.user),
    }
}

/// The web client pages its group list until `CompleteFlag` is 1
/// (official-sdks.md 3.3): set it once this page reaches the last group.
fn mark_complete(fields: &mut Value, body: &Map<String, Value>) {
    let offset = body.get("Offset").and_then(Value::as_u64).unwrap_or(0);
    let listed = fields["GroupIdList"].as_array().map_or(0, Vec::len) as u64;
    let total = fields["TotalCount"].as_u64().unwrap_or(0);
    fields["CompleteFlag"] = json!(u64::from(offset + listed >= total));
}

/// The group a request names, if `session`'s user is a member.
fn member_group(face: &Face, session: &Session, body: &Map<String, Value>) -> Result<String, Value> {
    let Some(id) = body.get("GroupId").and_then(Value::as_str) else {
        return Err(replies::error(ERR_PARAM, "GroupId is missing or not a string"));
    };
    let group = face.engine.group(id).map_err(|e| replies::error(ERR_NO_GROUP, e.to_string()))?;
    if group.member(&session.user).is_none() {
        return Err(replies::error(ERR_PERMISSION, format!("{} is not a member of {id}", session.user)));
    }
    Ok(id.to_owned())
}

/// `group_msg_get`: `GroupId`, `ReqMsgSeq` (the newest `MsgSeq` wanted,
/// inclusive; absent or 0: the newest), `ReqMsgNumber`. The reply's
/// `RspMsgList` is newest first; `IsFinished` 1 once nothing older remains.
fn history(face: &Face, session: &Session, body: &Map<String, Value>) -> Value {
    let id = match member_group(face, session, body) {
        Ok(id) => id,
        Err(refusal) => return refusal,
    };
    let upto = u64_field(body, "ReqMsgSeq").filter(|s| *s > 0).unwrap_or(u64::MAX);
    let want = u64_field(body, "ReqMsgNumber").map_or(15, |n| n as usize).clamp(1, HISTORY_PAGE_MAX);
    let group = face.engine.group(&id).ok();
    let all: Vec<_> =
        face.engine.group_history(&id, None, usize::MAX).into_iter().filter(|m| m.group_seq <= upto).collect();
    let from = all.len().saturating_sub(want);
    let items: Vec<Value> = all[from..].iter().rev().map(|m| message_item(m, group.as_ref())).collect();
    replies::ok_with(json!({ "GroupId": id, "IsFinished": u8::from(from == 0), "RspMsgList": items }))
}

/// `msg_read_report`: `GroupId`, `MsgReadedSeq`; the user's unread count of
/// the group goes to zero (the emulator keeps one read mark per conversation).
fn read_report(face: &Face, session: &Session, body: &Map<String, Value>) -> Value {
    match member_group(face, session, body) {
        Ok(id) => {
            face.engine.mark_conversation_read(&session.user, &ConversationId::group(id));
            replies::ok()
        }
        Err(refusal) => refusal,
    }
}

/// `get_pendency`: the applications waiting in the groups `session`'s user
/// owns or administers, in one page (`NextStartTime` 0 ends the SDK's paging).
fn pendency(face: &Face, session: &Session) -> Value {
    let user = &session.user;
    let items: Vec<Value> = face
        .engine
        .joined_groups(user)
        .into_iter()
        .filter(|g| g.role_of(user).is_some_and(|r| r != unim_core::Role::Member))
        .flat_map(|g| {
            g.pending
                .iter()
                .map(|(applicant, message)| {
                    json!({
                        "GroupId": g.id, "GroupName": g.name, "From_Account": applicant, "To_Account": user,
                        "Handled": 0, "HandleResult": 0, "PendencyType": 0, "AddTime": g.updated_ms / 1000,
                        "ApplyInviteMsg": message.clone().unwrap_or_default(), "Authentication": "",
                    })
                })
                .collect::<Vec<_>>()
        })
        .collect();
    replies::ok_with(json!({ "PendencyList": items, "TotalNum": items.len(), "NextStartTime": 0 }))
}
