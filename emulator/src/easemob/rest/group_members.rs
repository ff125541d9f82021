//! Who is in a group (easemob.md section 5): the member list, adding and
//! removing members, the web SDK's invite, apply, apply_verify and quit,
//! admins, mutes, and a user's groups.
//!
//! Member pages: `pagenum` (from 1) and `pagesize` (1-1000, default 1000)
//! list `{owner: u}` first and then `{member: u}` in join order (with
//! `joined_time` when asked); the SDK's cursor form (`limit`, `cursor`, no
//! `pagenum`) shows admins as `{admin: u}` and answers `cursor` while more
//! follow.
//!
//! Choices where the documents are silent: a batch add naming an unknown
//! user fails whole (404) before anyone is added; users already in the
//! group are left out of `newmembers`. The SDK's `apply` answers
//! `data.joined` (true: a member now; false: the application waits for the
//! owner and admins).

use super::groups::{
    allows_invites, caller, forbidden, invalid, ordered_members, path_group, path_users, publish, refusal, role_name,
    user_name, usernames, with_data, Caller,
};
use super::{Call, Refusal, Reply};
use crate::groups::{GroupError, GroupRecord};
use serde_json::{json, Value};
use unim_core::{GroupKind, Role};

/// The most users in one batch add (easemob.md section 5).
const MAX_BATCH_ADD: usize = 60;
/// The most users muted in one call (easemob.md section 5).
const MAX_BATCH_MUTE: usize = 10;
/// Largest member page.
const MAX_PAGE: usize = 1000;
/// A mute of `-1` lasts this long (Easemob's "forever").
const FOREVER_SECS: u64 = 100 * 365 * 86_400;

/// A positive number of a query parameter, or `default`.
fn number(call: &Call<'_>, name: &str, default: usize) -> Result<usize, Refusal> {
    match call.param(name) {
        None | Some("") => Ok(default),
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| invalid(format!("{name} must be a positive number"))),
    }
}

/// The `usernames` of a batch call: 1 to `max` of them, else 400.
fn batch(body: &Value, max: usize) -> Result<Vec<String>, Refusal> {
    let users = usernames(body, "usernames")?;
    if users.is_empty() || users.len() > max {
        return Err(invalid(format!("usernames must name 1 to {max} users")));
    }
    Ok(users)
}

/// A group's members may be read by the app, any user for a public group,
/// and only its members for a private one.
fn may_read(who: &Caller, g: &GroupRecord) -> Result<(), Refusal> {
    match who {
        Caller::User(u) if g.kind == GroupKind::Private && g.member(u).is_none() => {
            Err(refusal(GroupError::NotMember(u.clone())))
        }
        _ => Ok(()),
    }
}

/// `GET /chatgroups/{id}/users` (module docs).
pub(super) fn list(call: &Call<'_>, id: &str) -> Reply {
    let who = caller(call)?;
    let g = path_group(call, id)?;
    may_read(&who, &g)?;
    let all = ordered_members(&g);
    let joined_time = call.param("joined_time") == Some("true");
    let cursor_form =
        call.param("pagenum").is_none() && (call.param("cursor").is_some() || call.param("limit").is_some());
    let (start, size) = if cursor_form {
        let start = match call.param("cursor") {
            None | Some("") | Some("undefined") => 0,
            Some(c) => c.parse::<usize>().map_err(|_| invalid(format!("cursor {c:?} is not valid")))?,
        };
        (start, number(call, "limit", 50)?.min(MAX_PAGE))
    } else {
        let page = number(call, "pagenum", 1)?;
        let size = number(call, "pagesize", MAX_PAGE)?;
        if size > MAX_PAGE {
            return Err(invalid(format!("pagesize must be 1 to {MAX_PAGE}")));
        }
        ((page - 1).saturating_mul(size), size)
    };
    let data: Vec<Value> = all
        .iter()
        .skip(start)
        .take(size)
        .map(|m| {
            let key = match m.role {
                Role::Admin if cursor_form => "admin",
                Role::Owner => "owner",
                _ => "member",
            };
            let mut entry = json!({ key: m.user });
            if joined_time {
                entry["joined_time"] = json!(m.joined_ms);
            }
            entry
        })
        .collect();
    let mut reply = super::to_value(call.full::<Value>("get", &format!("/chatgroups/{id}/users")));
    reply["count"] = json!(data.len());
    let end = start + data.len();
    if cursor_form && end < all.len() {
        reply["cursor"] = json!(end.to_string());
    }
    reply["data"] = Value::Array(data);
    Ok(reply)
}

/// Checks who may add to `g` beyond the engine's rules: a plain member of a
/// private group only when `allowinvites` is on.
fn may_invite(who: &Caller, g: &GroupRecord) -> Result<(), Refusal> {
    match who {
        Caller::User(u) if g.role_of(u) == Some(Role::Member) && !allows_invites(g) => {
            Err(forbidden("forbidden operation: members of this group may not invite"))
        }
        _ => Ok(()),
    }
}

/// Adds `users` as `who`: every one must exist (404 otherwise, before any is
/// added). Returns each user and whether it was added (false: a member already).
fn add(call: &Call<'_>, who: &Caller, g: &GroupRecord, users: &[String]) -> Result<Vec<(String, bool)>, Refusal> {
    may_invite(who, g)?;
    if let Some(missing) = users.iter().find(|u| call.face.store.user(u).is_none()) {
        return Err(refusal(GroupError::NoSuchUser(missing.clone())));
    }
    let (outcome, changes) = call.face.engine.add_group_members(who.actor(), &g.id, users).map_err(refusal)?;
    publish(call, &changes);
    outcome.into_iter().map(|(u, r)| r.map(|added| (u, added)).map_err(refusal)).collect()
}

/// `POST /chatgroups/{id}/users` `{"usernames": [...]}` (at most 60).
pub(super) fn add_batch(call: &Call<'_>, id: &str) -> Reply {
    let who = caller(call)?;
    let body = call.json()?;
    let users = batch(&body, MAX_BATCH_ADD)?;
    let g = path_group(call, id)?;
    let added = add(call, &who, &g, &users)?;
    let fresh: Vec<&String> = added.iter().filter(|(_, a)| *a).map(|(u, _)| u).collect();
    with_data(
        call,
        "post",
        &format!("/chatgroups/{id}/users"),
        json!({ "newmembers": fresh, "groupid": id, "action": "add_member" }),
    )
}

/// `POST /chatgroups/{id}/users/{u}`: a member already is 403 `forbidden_op`.
pub(super) fn add_one(call: &Call<'_>, id: &str, user: &str) -> Reply {
    let who = caller(call)?;
    let user = user_name(user)?;
    let g = path_group(call, id)?;
    if g.member(&user).is_some() {
        return Err(forbidden(format!("invite users to join group failed, reason: user {user} already in group {id}")));
    }
    add(call, &who, &g, std::slice::from_ref(&user))?;
    with_data(
        call,
        "post",
        &format!("/chatgroups/{id}/users/{user}"),
        json!({ "result": true, "groupid": id, "action": "add_member", "user": user }),
    )
}

/// The SDK's `POST /chatgroups/{id}/invite` `{"usernames": [...]}`: added
/// directly (module docs of `groups.rs`).
pub(super) fn invite(call: &Call<'_>, id: &str) -> Reply {
    let who = caller(call)?;
    let body = call.json()?;
    let users = batch(&body, MAX_BATCH_ADD)?;
    let g = path_group(call, id)?;
    if let Some(u) = users.iter().find(|u| g.member(u).is_some()) {
        return Err(forbidden(format!("invite users to join group failed, reason: user {u} already in group {id}")));
    }
    let added = add(call, &who, &g, &users)?;
    let data: Vec<Value> =
        added.iter().map(|(u, _)| json!({ "result": true, "action": "invite", "user": u, "groupid": id })).collect();
    with_data(call, "post", &format!("/chatgroups/{id}/invite"), Value::Array(data))
}

/// `DELETE /chatgroups/{id}/users/{u}` (one: an object, a non-member 403) or
/// `{u1,u2}` (several: one entry per user with `result` and `reason`).
pub(super) fn remove(call: &Call<'_>, id: &str, users: &str) -> Reply {
    let who = caller(call)?;
    let names = path_users(users)?;
    let g = path_group(call, id)?;
    if names.iter().any(|u| g.role_of(u) == Some(Role::Owner)) {
        return Err(forbidden("forbidden operation on group owner!"));
    }
    let path = format!("/chatgroups/{id}/users/{users}");
    if names.len() == 1 {
        let user = &names[0];
        if g.member(user).is_none() {
            return Err(refusal(GroupError::NotMember(user.clone())));
        }
        let changes = call.face.engine.remove_group_members(who.actor(), id, &names).map_err(refusal)?;
        publish(call, &changes);
        return with_data(
            call,
            "delete",
            &path,
            json!({ "result": true, "action": "remove_member", "user": user, "groupid": id }),
        );
    }
    let present: Vec<String> = names.iter().filter(|u| g.member(u).is_some()).cloned().collect();
    let changes = call.face.engine.remove_group_members(who.actor(), id, &present).map_err(refusal)?;
    publish(call, &changes);
    let data: Vec<Value> = names
        .iter()
        .map(|u| {
            if present.contains(u) {
                json!({ "result": true, "action": "remove_member", "user": u, "groupid": id })
            } else {
                json!({ "result": false, "action": "remove_member", "reason": format!("user: {u} doesn't exist in group: {id}"), "user": u, "groupid": id })
            }
        })
        .collect();
    with_data(call, "delete", &path, Value::Array(data))
}

/// The user of a user-token call (the SDK's own paths take no app token).
fn user_only(who: Caller, what: &str) -> Result<String, Refusal> {
    match who {
        Caller::User(u) => Ok(u),
        Caller::App => Err(invalid(format!("{what} is a user's call: use the user's token"))),
    }
}

/// The SDK's `POST /chatgroups/{id}/apply` `{"message": "..."}`.
pub(super) fn apply(call: &Call<'_>, id: &str) -> Reply {
    let user = user_only(caller(call)?, "applying to a group")?;
    let body = call.json().unwrap_or(Value::Null);
    let message = body.get("message").and_then(Value::as_str).filter(|m| !m.is_empty()).map(str::to_owned);
    path_group(call, id)?;
    let (outcome, changes) = call.face.engine.apply_to_group(&user, id, message).map_err(|e| match e {
        GroupError::AlreadyMember(u) => {
            forbidden(format!("can not join this group, reason:user: {u} already in group: {id}"))
        }
        other => refusal(other),
    })?;
    publish(call, &changes);
    let joined = outcome == unim_core::JoinOutcome::Joined;
    with_data(
        call,
        "post",
        &format!("/chatgroups/{id}/apply"),
        json!({ "result": true, "groupid": id, "action": "apply", "user": user, "joined": joined }),
    )
}

/// The SDK's `POST /chatgroups/{id}/apply_verify` `{applicant, verifyResult, reason}`.
pub(super) fn apply_verify(call: &Call<'_>, id: &str) -> Reply {
    let who = caller(call)?;
    let body = call.json()?;
    let applicant =
        body.get("applicant").and_then(Value::as_str).ok_or_else(|| invalid("applicant must be provided"))?;
    let applicant = user_name(applicant)?;
    let accept = body
        .get("verifyResult")
        .and_then(Value::as_bool)
        .ok_or_else(|| invalid("verifyResult must be true or false"))?;
    path_group(call, id)?;
    let changes = call.face.engine.decide_group_application(who.actor(), id, &applicant, accept).map_err(refusal)?;
    publish(call, &changes);
    with_data(
        call,
        "post",
        &format!("/chatgroups/{id}/apply_verify"),
        json!({ "result": true, "groupid": id, "applicant": applicant, "verifyResult": accept }),
    )
}

/// The SDK's `DELETE /chatgroups/{id}/quit`: the owner may not (403).
pub(super) fn quit(call: &Call<'_>, id: &str) -> Reply {
    let user = user_only(caller(call)?, "leaving a group")?;
    path_group(call, id)?;
    let changes = call.face.engine.leave_group(&user, id).map_err(refusal)?;
    publish(call, &changes);
    with_data(call, "delete", &format!("/chatgroups/{id}/quit"), json!({ "result": true, "groupid": id, "user": user }))
}

/// `GET /chatgroups/{id}/admin`: the admins' names.
pub(super) fn admins(call: &Call<'_>, id: &str) -> Reply {
    let who = caller(call)?;
    let g = path_group(call, id)?;
    may_read(&who, &g)?;
    let names: Vec<&str> = g.members.iter().filter(|m| m.role == Role::Admin).map(|m| m.user.as_str()).collect();
    let mut reply = super::to_value(call.full::<Value>("get", &format!("/chatgroups/{id}/admin")));
    reply["count"] = json!(names.len());
    reply["data"] = json!(names);
    Ok(reply)
}

fn set_role(call: &Call<'_>, who: &Caller, id: &str, user: &str, role: Role) -> Result<(), Refusal> {
    let changes = call.face.engine.set_group_role(who.actor(), id, user, role).map_err(|e| match e {
        GroupError::Full { limit } => {
            Refusal::new(403, "exceed_limit", format!("the group has {limit} admins already"))
        }
        GroupError::Denied(why) if why.contains("owner's role") => forbidden("forbidden operation on group owner!"),
        other => refusal(other),
    })?;
    publish(call, &changes);
    Ok(())
}

/// `POST /chatgroups/{id}/admin` `{"newadmin": u}`.
pub(super) fn add_admin(call: &Call<'_>, id: &str) -> Reply {
    let who = caller(call)?;
    let body = call.json()?;
    let user = body.get("newadmin").and_then(Value::as_str).ok_or_else(|| invalid("newadmin must be provided"))?;
    let user = user_name(user)?;
    path_group(call, id)?;
    set_role(call, &who, id, &user, Role::Admin)?;
    with_data(call, "post", &format!("/chatgroups/{id}/admin"), json!({ "result": "success", "newadmin": user }))
}

/// `DELETE /chatgroups/{id}/admin/{u}`.
pub(super) fn remove_admin(call: &Call<'_>, id: &str, user: &str) -> Reply {
    let who = caller(call)?;
    let user = user_name(user)?;
    let g = path_group(call, id)?;
    if g.role_of(&user) != Some(Role::Admin) {
        return Err(forbidden(format!("user {user} is not an admin of this group")));
    }
    set_role(call, &who, id, &user, Role::Member)?;
    with_data(
        call,
        "delete",
        &format!("/chatgroups/{id}/admin/{user}"),
        json!({ "result": "success", "oldadmin": user }),
    )
}

/// `GET /chatgroups/{id}/mute`: `[{user, expire}]` of mutes still running.
pub(super) fn mutes(call: &Call<'_>, id: &str) -> Reply {
    let who = caller(call)?;
    let g = path_group(call, id)?;
    may_read(&who, &g)?;
    let now = call.face.engine.now_ms();
    let data: Vec<Value> = g
        .members
        .iter()
        .filter(|m| m.muted_until_ms > now)
        .map(|m| json!({ "user": m.user, "expire": m.muted_until_ms }))
        .collect();
    with_data(call, "get", &format!("/chatgroups/{id}/mute"), Value::Array(data))
}

/// `POST /chatgroups/{id}/mute` `{usernames (≤10), mute_duration (ms; -1: forever)}`.
pub(super) fn mute(call: &Call<'_>, id: &str) -> Reply {
    let who = caller(call)?;
    let body = call.json()?;
    let users = batch(&body, MAX_BATCH_MUTE)?;
    let secs = match body.get("mute_duration").and_then(Value::as_i64) {
        Some(-1) => FOREVER_SECS,
        Some(ms) if ms > 0 => (ms as u64).div_ceil(1000),
        _ => return Err(invalid("mute_duration must be a positive number of milliseconds, or -1")),
    };
    path_group(call, id)?;
    let mut data = Vec::with_capacity(users.len());
    for user in &users {
        let changes = call.face.engine.mute_group_member(who.actor(), id, user, secs).map_err(refusal)?;
        publish(call, &changes);
        let until = call.face.engine.group(id).ok().and_then(|g| g.member(user).map(|m| m.muted_until_ms)).unwrap_or(0);
        data.push(json!({ "result": true, "expire": until, "user": user }));
    }
    with_data(call, "post", &format!("/chatgroups/{id}/mute"), Value::Array(data))
}

/// `DELETE /chatgroups/{id}/mute/{u1,u2}`.
pub(super) fn unmute(call: &Call<'_>, id: &str, users: &str) -> Reply {
    let who = caller(call)?;
    let names = path_users(users)?;
    path_group(call, id)?;
    let mut data = Vec::with_capacity(names.len());
    for user in &names {
        let changes = call.face.engine.mute_group_member(who.actor(), id, user, 0).map_err(refusal)?;
        publish(call, &changes);
        data.push(json!({ "result": true, "user": user }));
    }
    with_data(call, "delete", &format!("/chatgroups/{id}/mute/{users}"), Value::Array(data))
}

/// `GET /users/{u}/joined_chatgroups` (`older`) and `GET /chatgroups/user/{u}`
/// (`pagenum`, `pagesize`; all when not given): `data[]` with `groupid`,
/// `groupname` (and the SDK's `id`, `name`, `permission`, `disabled`); the
/// newer path also lists them as `entities`, as the SDK reads them there.
pub(super) fn joined(call: &Call<'_>, user: &str, older: bool) -> Reply {
    call.app_or_own_auth(user)?;
    let user =
        super::path_user(user).filter(|u| call.face.store.user(u).is_some()).ok_or_else(super::Refusal::no_user)?;
    let groups = call.face.engine.joined_groups(&user);
    let size = number(call, "pagesize", groups.len().max(1))?;
    // The SDK counts pages from 0 or 1 (it refuses only negative numbers).
    let page = match call.param("pagenum") {
        Some("0") => 1,
        _ => number(call, "pagenum", 1)?,
    };
    let shown: Vec<Value> = groups
        .iter()
        .skip((page - 1).saturating_mul(size))
        .take(size)
        .map(|g| {
            let permission = g.role_of(&user).map_or("member", role_name);
            json!({
                "groupid": g.id, "groupname": g.name, "id": g.id, "name": g.name, "groupId": g.id,
                "permission": permission, "disabled": false, "public": g.kind == GroupKind::Public,
                "membersonly": g.join_policy == unim_core::JoinPolicy::Approval, "allowinvites": allows_invites(g),
                "description": g.introduction.clone().unwrap_or_default(), "maxusers": g.max_members,
                "affiliations_count": g.members.len(),
            })
        })
        .collect();
    let path = if older { format!("/users/{user}/joined_chatgroups") } else { format!("/chatgroups/user/{user}") };
    let mut reply = super::to_value(call.full::<Value>("get", &path));
    reply["count"] = json!(shown.len());
    if !older {
        reply["entities"] = Value::Array(shown.clone());
    }
    reply["data"] = Value::Array(shown);
    Ok(reply)
}

/// The SDK's `GET /chatgroups/user/{u}/joined_count`: `data` is the number.
pub(super) fn joined_count(call: &Call<'_>, user: &str) -> Reply {
    call.app_or_own_auth(user)?;
    let user =
        super::path_user(user).filter(|u| call.face.store.user(u).is_some()).ok_or_else(super::Refusal::no_user)?;
    with_data(
        call,
        "get",
        &format!("/chatgroups/user/{user}/joined_count"),
        json!(call.face.engine.joined_groups(&user).len()),
    )
}
