//! Members: `add_group_member`, `delete_group_member`,
//! `get_group_member_info`, `modify_group_member_info` and `forbid_send_msg`.

use super::{check_batch, check_len, publish, refuse, require_member, Fields, ERR_NO_USER, ERR_PARAM, ERR_PERMISSION};
use crate::groups::{Actor, GroupError, GroupRecord, MemberRecord};
use crate::tencent::rest::{ok, Refusal, Reply};
use crate::tencent::Face;
use serde_json::{json, Map, Value};
use unim_core::{ConversationKind, Role};
use unim_tencent::rest::groups::{role_from_wire, role_to_wire, MAX_ADD_MEMBERS, MAX_MUTE_MEMBERS, MUTE_FOREVER_SECS};

/// Most accounts per `delete_group_member` this server takes (the limits
/// doc's 500; the API doc says 100, which clients send at most).
const MAX_DELETE: usize = 500;
/// The largest page of `get_group_member_info`.
const MAX_PAGE: usize = 6000;
/// `NameCard` limit, bytes.
const MAX_NAME_CARD_BYTES: usize = 50;
/// Per-member fields kept in the group's extra map, keyed by user.
const NAME_CARDS: &str = "unim.NameCard";
const MSG_FLAGS: &str = "unim.MsgFlag";
/// Where the last send time of each member is kept (see [`super::messages`]).
pub(super) const LAST_SENDS: &str = "unim.LastSendMsgTime";

fn per_member<'a>(g: &'a GroupRecord, map: &str, user: &str) -> Option<&'a Value> {
    g.extra.get(map).and_then(|m| m.get(user))
}

/// A `MemberList` item of `m`, with the fields `filter` names (none: all).
pub(super) fn member_item(
    face: &Face,
    g: &GroupRecord,
    m: &MemberRecord,
    filter: Option<&[String]>,
    now_ms: u64,
) -> Map<String, Value> {
    let wanted = |name: &str| filter.is_none_or(|f| f.iter().any(|n| n == name));
    let mut item = Map::new();
    item.insert("Member_Account".into(), json!(m.user));
    let mute_until = if m.muted_until_ms > now_ms { m.muted_until_ms.div_ceil(1000) } else { 0 };
    let mut put = |name: &str, value: Value| {
        if wanted(name) {
            item.insert(name.into(), value);
        }
    };
    put("Role", json!(role_to_wire(m.role)));
    put("JoinTime", json!(m.joined_ms / 1000));
    put("MuteUntil", json!(mute_until));
    // The older docs' name of the same field.
    put("ShutUpUntil", json!(mute_until));
    put("MsgFlag", per_member(g, MSG_FLAGS, &m.user).cloned().unwrap_or_else(|| json!("AcceptAndNotify")));
    put("LastSendMsgTime", per_member(g, LAST_SENDS, &m.user).cloned().unwrap_or_else(|| json!(0)));
    put("NameCard", per_member(g, NAME_CARDS, &m.user).cloned().unwrap_or_else(|| json!("")));
    put("AppMemberDefinedData", json!([]));
    if wanted("MsgSeq") {
        item.insert("MsgSeq".into(), json!(read_seq(face, g, &m.user)));
    }
    item
}

/// The newest `MsgSeq` `user` has read in `g`.
fn read_seq(face: &Face, g: &GroupRecord, user: &str) -> u64 {
    let last = face.engine.group_history(&g.id, None, 1).last().map_or(0, |m| m.group_seq);
    let unread = face
        .engine
        .conversations(user)
        .iter()
        .find(|c| c.kind == ConversationKind::Group && c.peer == g.id)
        .map_or(0, |c| u64::from(c.unread));
    last.saturating_sub(unread)
}

/// `add_group_member`: `GroupId`, `MemberList` [{`Member_Account`}] (≤300),
/// `Silence`? (1: nobody is told). Each member's `Result`: 1 added, 2
/// already a member, 0 failed (the account does not exist). A batch that
/// would overfill the group fails whole with 10014; one whose accounts
/// all do not exist with 10019.
pub(super) fn add_group_member(face: &Face, actor: Actor<'_>, f: Fields<'_>) -> Reply {
    let g = f.group(face)?;
    let items = match f.get("MemberList") {
        Some(Value::Array(items)) => items,
        _ => return Err(Refusal::new(ERR_PARAM, "invalid parameter: MemberList is required")),
    };
    check_batch("MemberList", items.len(), MAX_ADD_MEMBERS)?;
    let users =
        items
            .iter()
            .map(|i| {
                i.get("Member_Account").and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned).ok_or_else(
                    || Refusal::new(ERR_PARAM, "invalid parameter: each MemberList item needs Member_Account"),
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
    let silence = f.u64_opt("Silence")? == Some(1);
    let (outcome, changes) = face.engine.add_group_members(actor, &g.id, &users).map_err(refuse)?;
    if outcome.iter().all(|(_, r)| matches!(r, Err(GroupError::NoSuchUser(_)))) {
        return Err(Refusal::new(ERR_NO_USER, "none of the accounts in MemberList exists"));
    }
    if !silence {
        publish(face, &changes);
    }
    let list: Vec<Value> = outcome
        .iter()
        .map(|(user, r)| {
            let result = match r {
                Ok(true) => 1,
                Ok(false) => 2,
                Err(_) => 0,
            };
            json!({ "Member_Account": user, "Result": result })
        })
        .collect();
    Ok(ok(json!({ "MemberList": list })))
}

/// `delete_group_member`: `GroupId`, `MemberToDel_Account` [str],
/// `Silence`?, `Reason`?. Accounts that are not members are skipped.
pub(super) fn delete_group_member(face: &Face, actor: Actor<'_>, f: Fields<'_>) -> Reply {
    let g = f.group(face)?;
    let users = f.list("MemberToDel_Account")?.unwrap_or_default();
    check_batch("MemberToDel_Account", users.len(), MAX_DELETE)?;
    let silence = f.u64_opt("Silence")? == Some(1);
    let changes = face.engine.remove_group_members(actor, &g.id, &users).map_err(refuse)?;
    if !silence {
        publish(face, &changes);
    }
    Ok(ok(json!({})))
}

/// `get_group_member_info`: `GroupId`, `MemberInfoFilter`?,
/// `MemberRoleFilter`?, `Limit`?, `Offset`?. Members in the order they
/// joined; `MemberNum` is the group's whole count. Over the web link only
/// members may list.
pub(super) fn get_group_member_info(face: &Face, actor: Actor<'_>, f: Fields<'_>) -> Reply {
    let g = f.group(face)?;
    require_member(&g, actor)?;
    let fields = f.list("MemberInfoFilter")?;
    let roles = match f.list("MemberRoleFilter")? {
        None => None,
        Some(names) => Some(
            names
                .iter()
                .map(|n| role_from_wire(n))
                .collect::<Option<Vec<Role>>>()
                .ok_or_else(|| Refusal::new(ERR_PARAM, "invalid parameter: MemberRoleFilter"))?,
        ),
    };
    let offset = f.u64_opt("Offset")?.unwrap_or(0) as usize;
    let limit = f.u64_opt("Limit")?.filter(|l| *l > 0).map_or(MAX_PAGE, |l| (l as usize).min(MAX_PAGE));
    let now_ms = face.engine.now_ms();
    let list: Vec<Value> = g
        .members
        .iter()
        .filter(|m| roles.as_ref().is_none_or(|r| r.contains(&m.role)))
        .skip(offset)
        .take(limit)
        .map(|m| Value::Object(member_item(face, &g, m, fields.as_deref(), now_ms)))
        .collect();
    Ok(ok(json!({ "MemberNum": g.members.len(), "MemberList": list })))
}

/// A mute duration field: `MuteTime`, or the older docs' `ShutUpTime`, in seconds.
fn mute_time(f: Fields<'_>) -> Result<Option<u64>, Refusal> {
    let secs = match f.u64_opt("MuteTime")? {
        Some(s) => Some(s),
        None => f.u64_opt("ShutUpTime")?,
    };
    if secs.is_some_and(|s| s > MUTE_FOREVER_SECS) {
        return Err(Refusal::new(ERR_PARAM, "invalid parameter: MuteTime is at most 4294967295"));
    }
    Ok(secs)
}

/// `modify_group_member_info`: `GroupId`, `Member_Account`, `Role`?
/// (`Admin`/`Member`), `MuteTime`? seconds (0 unmutes), `NameCard`?,
/// `MsgFlag`?. Everything is checked before anything changes.
pub(super) fn modify_group_member_info(face: &Face, actor: Actor<'_>, f: Fields<'_>) -> Reply {
    let g = f.group(face)?;
    let user = f.str_req("Member_Account")?;
    if g.member(user).is_none() {
        return Err(Refusal::new(ERR_PERMISSION, format!("{user} is not a member of group {}", g.id)));
    }
    let role = match f.str_opt("Role")? {
        None => None,
        Some(r) => match role_from_wire(r) {
            Some(role @ (Role::Admin | Role::Member)) => Some(role),
            _ => return Err(Refusal::new(ERR_PARAM, "invalid parameter: Role must be Admin or Member")),
        },
    };
    let mute = mute_time(f)?;
    let name_card = f.str_opt("NameCard")?;
    check_len("NameCard", name_card.unwrap_or(""), MAX_NAME_CARD_BYTES)?;
    let msg_flag = f.str_opt("MsgFlag")?;
    if msg_flag.is_some_and(|m| !matches!(m, "AcceptAndNotify" | "AcceptNotNotify" | "Discard")) {
        return Err(Refusal::new(ERR_PARAM, "invalid parameter: MsgFlag"));
    }
    if name_card.is_some() || msg_flag.is_some() {
        let allowed = match actor {
            Actor::App => true,
            Actor::User(u) if u == user => true,
            Actor::User(u) => matches!(g.role_of(u), Some(Role::Owner | Role::Admin)),
        };
        if !allowed {
            return Err(Refusal::new(ERR_PERMISSION, "only the member itself, the owner and admins change this"));
        }
    }
    let mut changes = Vec::new();
    if let Some(role) = role {
        changes.extend(face.engine.set_group_role(actor, &g.id, user, role).map_err(refuse)?);
    }
    if let Some(secs) = mute {
        match face.engine.mute_group_member(actor, &g.id, user, secs) {
            Ok(more) => changes.extend(more),
            Err(e) => {
                publish(face, &changes);
                return Err(refuse(e));
            }
        }
    }
    let _ = face.engine.with_group_extra(&g.id, |extra| {
        for (map, value) in [(NAME_CARDS, name_card), (MSG_FLAGS, msg_flag)] {
            if let Some(v) = value {
                let entry = extra.entry(map).or_insert_with(|| json!({}));
                if let Value::Object(m) = entry {
                    m.insert(user.to_owned(), json!(v));
                }
            }
        }
    });
    publish(face, &changes);
    Ok(ok(json!({})))
}

/// `forbid_send_msg`: `GroupId`, `Members_Account` [str] (≤500), `MuteTime`
/// (or `ShutUpTime`) seconds: 0 unmutes, 4294967295 is for ever. Every
/// account must be a member (10007 before anyone is muted).
pub(super) fn forbid_send_msg(face: &Face, actor: Actor<'_>, f: Fields<'_>) -> Reply {
    let g = f.group(face)?;
    let users = f.list("Members_Account")?.unwrap_or_default();
    check_batch("Members_Account", users.len(), MAX_MUTE_MEMBERS)?;
    let secs = mute_time(f)?.ok_or_else(|| Refusal::new(ERR_PARAM, "invalid parameter: MuteTime is required"))?;
    if let Some(stranger) = users.iter().find(|u| g.member(u).is_none()) {
        return Err(Refusal::new(ERR_PERMISSION, format!("{stranger} is not a member of group {}", g.id)));
    }
    let mut changes = Vec::new();
    for user in &users {
        match face.engine.mute_group_member(actor, &g.id, user, secs) {
            Ok(more) => changes.extend(more),
            Err(e) => {
                publish(face, &changes);
                return Err(refuse(e));
            }
        }
    }
    publish(face, &changes);
    Ok(ok(json!({})))
}
