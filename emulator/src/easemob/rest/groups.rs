//! The face's groups (`chatgroups`, easemob.md section 5): routing, who is
//! calling, the group's own settings (and its announcement) and the engine's
//! refusals in Easemob's words. Members, admins, mutes and joins are in `group_members.rs`, group
//! messages and their history in `group_messages.rs`.
//!
//! **Who calls.** The app token acts as the app admin (no permission check);
//! a user token acts as that user under Easemob's rules ([`RULES`]), because
//! the web SDK manages groups over these same paths with the logged-in
//! user's token (`?resource=` and `?version=v3` are accepted and ignored).
//!
//! **Kinds.** `public: false` is a private group that nobody may apply to;
//! `allowinvites` says whether its plain members may invite.
//! `public: true` is joined freely (`membersonly: false`) or by approval
//! (`membersonly: true`; the SDK sends it as `approval`). Members named at
//! creation or added later join directly (`invite_need_confirm` is kept and
//! shown, not acted on).
//!
//! `GET /chatgroups` lists this face's groups (the engine's groups whose id
//! is one of this face's 15-digit ids).
//!
//! Choices where the documents are silent: details of several groups fail
//! whole with 404 when one is missing; a user may read any group's details
//! and a public group's members, a private group's members only as a member.

use super::{Call, Refusal, Reply};
use crate::easemob::group_push;
use crate::easemob::store::TokenRefusal;
use crate::groups::{Actor, GroupChange, GroupError, GroupRecord, GroupRules};
use axum::http::Method;
use serde_json::{json, Map, Value};
use unim_core::{GroupKind, GroupSpec, JoinPolicy, Role};

/// Easemob's group rules: the engine's managed rules are Easemob's (their
/// doc cites easemob.md section 5).
pub(crate) const RULES: GroupRules = GroupRules::MANAGED;

/// The first group id: ids are 15 decimal digits (easemob.md section 5).
const FIRST_GROUP_ID: u64 = 200_000_000_000_000;
/// The longest group name, in characters.
const MAX_NAME_CHARS: usize = 128;
/// The longest description, in characters.
const MAX_DESCRIPTION_CHARS: usize = 512;
/// The most groups in one details call.
const MAX_DETAILS_IDS: usize = 100;

/// The face's id of the engine's group number `n`.
pub(super) fn group_id(n: u64) -> String {
    format!("{:015}", FIRST_GROUP_ID + n)
}

/// Who makes a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Caller {
    /// The app token.
    App,
    /// A user token of this user.
    User(String),
}

impl Caller {
    pub(super) fn actor(&self) -> Actor<'_> {
        match self {
            Caller::App => Actor::App,
            Caller::User(u) => Actor::User(u),
        }
    }
}

/// The caller of `call`: the app token or a valid user token.
pub(super) fn caller(call: &Call<'_>) -> Result<Caller, Refusal> {
    let token = call.bearer().ok_or_else(|| Refusal::new(401, "unauthorized", super::NO_TOKEN))?;
    let store = &call.face.store;
    let expired = || Refusal::new(401, "unauthorized", super::EXPIRED_TOKEN);
    let corrupt = || Refusal::new(401, "auth_bad_access_token", super::CORRUPT_TOKEN);
    match store.check_app_token(token) {
        Ok(()) => Ok(Caller::App),
        Err(TokenRefusal::Expired) => Err(expired()),
        Err(TokenRefusal::NotAppToken) => match store.check_user_token(token) {
            Ok(login) => Ok(Caller::User(login.user)),
            Err(TokenRefusal::Expired) => Err(expired()),
            Err(_) => Err(corrupt()),
        },
        Err(_) => Err(corrupt()),
    }
}

/// An engine refusal in Easemob's words (easemob.md 1.5 and section 5, and
/// the texts the web SDK recognises).
pub(super) fn refusal(e: GroupError) -> Refusal {
    match e {
        GroupError::NoSuchGroup(id) => Refusal::new(404, "resource_not_found", format!("grpID {id} does not exist!")),
        GroupError::NoSuchUser(u) => Refusal::new(404, "resource_not_found", format!("username {u} doesn't exist!")),
        GroupError::NotMember(u) => forbidden(format!("users [{u}] are not members of this group!")),
        GroupError::Denied(why) => forbidden(format!("forbidden operation: {why}")),
        GroupError::Full { .. } => Refusal::new(403, "exceed_limit", "group member list is full!"),
        GroupError::AlreadyMember(u) => {
            forbidden(format!("can not join this group, reason:user: {u} already in group"))
        }
        GroupError::Muted { .. } => forbidden("the user is muted in this group"),
        GroupError::OwnerCannotLeave => forbidden("forbidden operation on group owner!"),
        GroupError::InviteOnly => forbidden("can not join this group, reason: the group is private"),
        GroupError::NoApplication(u) => invalid(format!("{u} has not applied to join this group")),
        GroupError::Invalid(why) => invalid(why),
    }
}

/// The full envelope of `action` on `path` carrying `data`: the whole answer
/// of most group calls, built in one place so that they all look alike.
pub(super) fn with_data(call: &Call<'_>, action: &str, path: &str, data: Value) -> Reply {
    let mut reply = super::to_value(call.full::<Value>(action, path));
    reply["data"] = data;
    Ok(reply)
}

/// The users of a `{u1,u2,...}` path segment (at least one), else 400.
pub(super) fn path_users(users: &str) -> Result<Vec<String>, Refusal> {
    let names = users.split(',').filter(|s| !s.is_empty()).map(user_name).collect::<Result<Vec<_>, _>>()?;
    if names.is_empty() {
        return Err(invalid("name at least one user"));
    }
    Ok(names)
}

pub(super) fn forbidden(description: impl Into<String>) -> Refusal {
    Refusal::new(403, "forbidden_op", description)
}

pub(super) fn invalid(description: impl Into<String>) -> Refusal {
    Refusal::new(400, "invalid_parameter", description)
}

/// Tells the members of each change over their links.
pub(super) fn publish(call: &Call<'_>, changes: &[GroupChange]) {
    group_push::publish(call.face, changes);
}

/// The group calls: `Some` when `rest` (after `/{org}/{app}`) is one of them.
pub(super) fn answer(call: &Call<'_>, rest: &[String], v6: bool) -> Option<Reply> {
    let seg: Vec<&str> = rest.iter().map(String::as_str).collect();
    let m = &call.method;
    let not_allowed = || Err(Refusal::new(405, "web_application", "HTTP 405 Method Not Allowed"));
    use super::group_members as members;
    use super::group_messages as messages;
    if v6 {
        return match seg.as_slice() {
            ["roaming", "group"] if m == Method::POST => Some(messages::roaming(call)),
            ["roaming", "group"] => Some(not_allowed()),
            _ => None,
        };
    }
    Some(match (seg.as_slice(), m.clone()) {
        (["chatgroups"], Method::POST) => create(call),
        (["chatgroups"], Method::GET) => list(call),
        (["messages", "chatgroups"], Method::POST) => messages::send(call),
        (["users", u, "joined_chatgroups"], Method::GET) => members::joined(call, u, true),
        (["chatgroups", "user", u], Method::GET) => members::joined(call, u, false),
        (["chatgroups", "user", u, "joined_count"], Method::GET) => members::joined_count(call, u),
        (["chatgroups", ids], Method::GET) => details(call, ids),
        (["chatgroups", id], Method::PUT) => modify(call, id),
        (["chatgroups", id], Method::DELETE) => delete(call, id),
        (["chatgroups", id, "announcement"], Method::GET) => announcement(call, id),
        (["chatgroups", id, "announcement"], Method::POST) => set_announcement(call, id),
        (["chatgroups", id, "users"], Method::GET) => members::list(call, id),
        (["chatgroups", id, "users"], Method::POST) => members::add_batch(call, id),
        (["chatgroups", id, "users", u], Method::POST) => members::add_one(call, id, u),
        (["chatgroups", id, "users", users], Method::DELETE) => members::remove(call, id, users),
        (["chatgroups", id, "invite"], Method::POST) => members::invite(call, id),
        (["chatgroups", id, "apply"], Method::POST) => members::apply(call, id),
        (["chatgroups", id, "apply_verify"], Method::POST) => members::apply_verify(call, id),
        (["chatgroups", id, "quit"], Method::DELETE) => members::quit(call, id),
        (["chatgroups", id, "admin"], Method::GET) => members::admins(call, id),
        (["chatgroups", id, "admin"], Method::POST) => members::add_admin(call, id),
        (["chatgroups", id, "admin", u], Method::DELETE) => members::remove_admin(call, id, u),
        (["chatgroups", id, "mute"], Method::GET) => members::mutes(call, id),
        (["chatgroups", id, "mute"], Method::POST) => members::mute(call, id),
        (["chatgroups", id, "mute", users], Method::DELETE) => members::unmute(call, id, users),
        (["chatgroups"], _)
        | (["messages", "chatgroups"], _)
        | (["users", _, "joined_chatgroups"], _)
        | (["chatgroups", "user", _], _)
        | (["chatgroups", _], _)
        | (
            ["chatgroups", _, "users" | "invite" | "apply" | "apply_verify" | "quit" | "admin" | "mute" | "announcement"],
            _,
        )
        | (["chatgroups", _, "users" | "admin" | "mute", _], _) => not_allowed(),
        _ => return None,
    })
}

/// A group id of the path: digits only, else 404 like an unknown one.
pub(super) fn path_group(call: &Call<'_>, id: &str) -> Result<GroupRecord, Refusal> {
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(refusal(GroupError::NoSuchGroup(id.to_owned())));
    }
    call.face.engine.group(id).map_err(refusal)
}

/// A lower-cased username of a body or path, else 400.
pub(super) fn user_name(name: &str) -> Result<String, Refusal> {
    super::path_user(name).ok_or_else(|| invalid(format!("username {name} is not legal")))
}

/// A boolean field: JSON `true`/`false` or the strings `"true"`/`"false"`.
fn flag(body: &Value, key: &str) -> Result<Option<bool>, Refusal> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) if s == "true" || s == "false" => Ok(Some(s == "true")),
        Some(_) => Err(invalid(format!("{key} must be true or false"))),
    }
}

/// A string field, `None` when absent or null.
fn text(body: &Value, key: &str) -> Result<Option<String>, Refusal> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(invalid(format!("{key} must be a string"))),
    }
}

/// `maxusers`: a positive number (or its decimal string).
fn max_users(body: &Value) -> Result<Option<u32>, Refusal> {
    let bad = || invalid("maxusers must be a positive number");
    match body.get("maxusers") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => {
            n.as_u64().and_then(|n| u32::try_from(n).ok()).filter(|n| *n > 0).map(Some).ok_or_else(bad)
        }
        Some(Value::String(s)) => s.parse::<u32>().ok().filter(|n| *n > 0).map(Some).ok_or_else(bad),
        Some(_) => Err(bad()),
    }
}

fn check_len(what: &str, value: Option<&String>, max: usize) -> Result<(), Refusal> {
    match value {
        Some(v) if v.chars().count() > max => Err(invalid(format!("{what} is longer than {max} characters"))),
        _ => Ok(()),
    }
}

/// A list of usernames: a JSON array of strings.
pub(super) fn usernames(body: &Value, key: &str) -> Result<Vec<String>, Refusal> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str().ok_or_else(|| invalid(format!("{key} must be an array of usernames"))).and_then(user_name)
            })
            .collect(),
        Some(_) => Err(invalid(format!("{key} must be an array of usernames"))),
    }
}

/// The string a group keeps in `extra` under `key`.
fn extra_text(g: &GroupRecord, key: &str) -> String {
    g.extra.get(key).and_then(Value::as_str).unwrap_or_default().to_owned()
}

/// `allowinvites` of a group (private groups default to true).
pub(super) fn allows_invites(g: &GroupRecord) -> bool {
    g.extra.get("allowinvites").and_then(Value::as_bool).unwrap_or(g.kind == GroupKind::Private)
}

/// Easemob's name of a role.
pub(super) fn role_name(role: Role) -> &'static str {
    match role {
        Role::Owner => "owner",
        Role::Admin => "admin",
        Role::Member => "member",
    }
}

/// Members as the member list shows them: the owner first, then the others
/// in the order they joined.
pub(super) fn ordered_members(g: &GroupRecord) -> Vec<&crate::groups::MemberRecord> {
    let owner = g.members.iter().filter(|m| m.role == Role::Owner);
    owner.chain(g.members.iter().filter(|m| m.role != Role::Owner)).collect()
}

/// One group of a details answer, seen by `viewer`.
fn details_of(g: &GroupRecord, viewer: &Caller, joined_time: bool) -> Value {
    let permission = match viewer {
        Caller::App => "owner",
        Caller::User(u) => g.role_of(u).map_or("none", role_name),
    };
    let affiliations: Vec<Value> = ordered_members(g)
        .into_iter()
        .map(|m| {
            let key = if m.role == Role::Owner { "owner" } else { "member" };
            let mut entry = json!({ key: m.user });
            if joined_time {
                entry["joined_time"] = json!(m.joined_ms);
            }
            entry
        })
        .collect();
    json!({
        "id": g.id,
        "name": g.name,
        "description": g.introduction.clone().unwrap_or_default(),
        "membersonly": g.join_policy == JoinPolicy::Approval,
        "allowinvites": allows_invites(g),
        "invite_need_confirm": g.extra.get("invite_need_confirm").and_then(Value::as_bool).unwrap_or(false),
        "maxusers": g.max_members,
        "owner": g.owner.clone().unwrap_or_default(),
        "created": g.created_ms,
        "custom": extra_text(g, "custom"),
        "avatar": extra_text(g, "avatar"),
        "mute": false,
        "affiliations_count": g.members.len(),
        "disabled": false,
        "public": g.kind == GroupKind::Public,
        "permission": permission,
        "affiliations": affiliations,
    })
}

/// `POST /chatgroups` (easemob.md section 5; the web SDK sends `desc` and
/// `approval` for `description` and `membersonly`).
fn create(call: &Call<'_>) -> Reply {
    let who = caller(call)?;
    let body = call.json()?;
    if !body.is_object() {
        return Err(invalid("the request body must be a JSON object"));
    }
    let public = flag(&body, "public")?.ok_or_else(|| invalid("group must contain public field!"))?;
    let owner = text(&body, "owner")?.filter(|o| !o.is_empty()).ok_or_else(|| invalid("owner must be provided"))?;
    let owner = user_name(&owner)?;
    let name = text(&body, "groupname")?.unwrap_or_default();
    let description = match text(&body, "description")? {
        Some(d) => Some(d),
        None => text(&body, "desc")?,
    };
    check_len("groupname", Some(&name), MAX_NAME_CHARS)?;
    check_len("description", description.as_ref(), MAX_DESCRIPTION_CHARS)?;
    let approval = match flag(&body, "membersonly")? {
        Some(b) => b,
        None => flag(&body, "approval")?.unwrap_or(false),
    };
    let allowinvites = flag(&body, "allowinvites")?.unwrap_or(false);
    let (kind, policy) = match (public, approval) {
        (false, _) => (GroupKind::Private, JoinPolicy::InviteOnly),
        (true, true) => (GroupKind::Public, JoinPolicy::Approval),
        (true, false) => (GroupKind::Public, JoinPolicy::Free),
    };
    let members = usernames(&body, "members")?;
    let mut spec = GroupSpec::new(name, kind, policy).with_owner(owner.clone()).with_members(members);
    spec.max_members = max_users(&body)?;
    spec.introduction = description.filter(|d| !d.is_empty());
    let (record, changes) =
        call.face.engine.create_group(who.actor(), &spec, RULES, group_id).map_err(|e| match e {
            GroupError::Full { .. } => {
                Refusal::new(403, "exceed_limit", "members size is greater than max user size !")
            }
            GroupError::Denied(_) => forbidden(format!("a user can only create groups it owns, not for {owner}")),
            other => refusal(other),
        })?;
    let mut extra = Map::new();
    // Public groups never let plain members invite (easemob.md section 5: forced false at create).
    extra.insert("allowinvites".into(), Value::Bool(!public && allowinvites));
    let confirm = flag(&body, "invite_need_confirm")?.unwrap_or(true);
    extra.insert("invite_need_confirm".into(), Value::Bool(confirm));
    for key in ["custom", "avatar"] {
        if let Some(v) = text(&body, key)? {
            extra.insert(key.into(), Value::String(v));
        }
    }
    let _ = call.face.engine.with_group_extra(&record.id, |map| map.extend(extra));
    publish(call, &changes);
    with_data(call, "post", "/chatgroups", json!({ "groupid": record.id }))
}

/// Whether `g` is one of this face's groups (the engine holds every face's).
fn ours(g: &GroupRecord) -> bool {
    g.id.len() == 15 && g.id.parse::<u64>().is_ok_and(|n| n > FIRST_GROUP_ID)
}

/// `GET /chatgroups?limit=&cursor=` (app token): the app's groups, oldest
/// first, `limit` 1-100 (default 10); `cursor` while more follow.
fn list(call: &Call<'_>) -> Reply {
    call.app_auth(super::NO_TOKEN)?;
    let limit = match call.param("limit") {
        None | Some("") => 10,
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=100).contains(n))
            .ok_or_else(|| invalid("limit must be 1 to 100"))?,
    };
    let start = match call.param("cursor") {
        None | Some("") => 0,
        Some(c) => super::decode_cursor(c).ok_or_else(|| invalid(format!("cursor {c:?} is not valid")))? as usize,
    };
    let all = call.face.engine.all_groups(ours);
    let key = &call.face.app_key;
    let data: Vec<Value> = all
        .iter()
        .skip(start)
        .take(limit)
        .map(|g| {
            json!({
                "owner": format!("{key}_{}", g.owner.clone().unwrap_or_default()),
                "groupid": g.id,
                "affiliations": g.members.len(),
                "type": "group",
                "last_modified": g.updated_ms.to_string(),
                "groupname": g.name,
            })
        })
        .collect();
    let end = start + data.len();
    let mut reply = super::to_value(call.full::<Value>("get", "/chatgroups"));
    reply["count"] = json!(data.len());
    if end < all.len() {
        reply["cursor"] = json!(super::encode_cursor(end as u64));
    }
    reply["data"] = Value::Array(data);
    Ok(reply)
}

/// `GET /chatgroups/{id1,id2,...}`.
fn details(call: &Call<'_>, ids: &str) -> Reply {
    let who = caller(call)?;
    let ids: Vec<&str> = ids.split(',').filter(|s| !s.is_empty()).collect();
    if ids.is_empty() || ids.len() > MAX_DETAILS_IDS {
        return Err(invalid(format!("name 1 to {MAX_DETAILS_IDS} group ids")));
    }
    let joined_time = call.param("joined_time") == Some("true");
    let groups = ids.iter().map(|id| path_group(call, id)).collect::<Result<Vec<_>, _>>()?;
    let mut reply = super::to_value(call.full::<Value>("get", "/chatgroups"));
    reply["data"] = Value::Array(groups.iter().map(|g| details_of(g, &who, joined_time)).collect());
    reply["count"] = json!(groups.len());
    Ok(reply)
}

/// May `who` change `g`'s settings (the owner and admins; the app)?
fn may_manage(who: &Caller, g: &GroupRecord) -> Result<(), Refusal> {
    match who {
        Caller::App => Ok(()),
        Caller::User(u) => match g.role_of(u) {
            None => Err(refusal(GroupError::NotMember(u.clone()))),
            Some(Role::Member) => Err(forbidden("forbidden operation: only the owner and admins may change the group")),
            Some(_) => Ok(()),
        },
    }
}

/// `PUT /chatgroups/{id}`: a transfer (`newowner`) or per-field changes.
fn modify(call: &Call<'_>, id: &str) -> Reply {
    let who = caller(call)?;
    let body = call.json()?;
    let fields = body.as_object().ok_or_else(|| invalid("the request body must be a JSON object"))?;
    let group = path_group(call, id)?;
    if let Some(new_owner) = text(&body, "newowner")? {
        return transfer(call, &who, &group, &new_owner);
    }
    const KNOWN: [&str; 9] = [
        "groupname",
        "description",
        "maxusers",
        "membersonly",
        "allowinvites",
        "invite_need_confirm",
        "public",
        "custom",
        "avatar",
    ];
    let unknown: Vec<&str> = fields.keys().map(String::as_str).filter(|k| !KNOWN.contains(k)).collect();
    if !unknown.is_empty() || fields.is_empty() {
        return Err(invalid(format!("some of [{}] are not valid fields", unknown.join(", "))));
    }
    may_manage(&who, &group)?;
    let name = text(&body, "groupname")?;
    let description = text(&body, "description")?;
    check_len("groupname", name.as_ref(), MAX_NAME_CHARS)?;
    check_len("description", description.as_ref(), MAX_DESCRIPTION_CHARS)?;
    let mut data = Map::new();
    if name.is_some() || description.is_some() {
        let changes =
            call.face.engine.update_group(who.actor(), id, name.clone(), description.clone()).map_err(refusal)?;
        publish(call, &changes);
        if name.is_some() {
            data.insert("groupname".into(), Value::Bool(true));
        }
        if description.is_some() {
            data.insert("description".into(), Value::Bool(true));
        }
    }
    let mut extra = Map::new();
    if let Some(b) = flag(&body, "allowinvites")? {
        // Public groups keep it false (easemob.md section 5).
        let ok = group.kind == GroupKind::Private || !b;
        if ok {
            extra.insert("allowinvites".into(), Value::Bool(b));
        }
        data.insert("allowinvites".into(), Value::Bool(ok));
    }
    if let Some(b) = flag(&body, "invite_need_confirm")? {
        extra.insert("invite_need_confirm".into(), Value::Bool(b));
        data.insert("invite_need_confirm".into(), Value::Bool(true));
    }
    for key in ["custom", "avatar"] {
        if let Some(v) = text(&body, key)? {
            extra.insert(key.into(), Value::String(v));
            data.insert(key.into(), Value::Bool(true));
        }
    }
    // The engine keeps a group's kind, policy and limit for its life: such
    // changes are answered false (not made) unless they change nothing.
    if let Some(n) = max_users(&body)? {
        data.insert("maxusers".into(), Value::Bool(n == group.max_members));
    }
    if let Some(b) = flag(&body, "membersonly")? {
        data.insert("membersonly".into(), Value::Bool(b == (group.join_policy == JoinPolicy::Approval)));
    }
    if let Some(b) = flag(&body, "public")? {
        data.insert("public".into(), Value::Bool(b == (group.kind == GroupKind::Public)));
    }
    if !extra.is_empty() {
        call.face.engine.with_group_extra(id, |map| map.extend(extra)).map_err(refusal)?;
    }
    with_data(call, "put", "/chatgroups", Value::Object(data))
}

/// `PUT /chatgroups/{id}` with `{"newowner": u}`.
fn transfer(call: &Call<'_>, who: &Caller, group: &GroupRecord, new_owner: &str) -> Reply {
    let new_owner = user_name(new_owner)?;
    if group.owner.as_deref() == Some(new_owner.as_str()) {
        return Err(forbidden("new owner and old owner are the same"));
    }
    if let Caller::User(u) = who {
        if group.owner.as_deref() != Some(u.as_str()) {
            return Err(forbidden("forbidden operation: only the owner may transfer the group"));
        }
    }
    let changes = call.face.engine.transfer_group(who.actor(), &group.id, &new_owner).map_err(refusal)?;
    publish(call, &changes);
    with_data(call, "put", "/chatgroups", json!({ "newowner": true }))
}

/// The longest announcement, in characters (the console's limit).
const MAX_ANNOUNCEMENT_CHARS: usize = 512;

/// `GET /chatgroups/{id}/announcement`: members (and the app) read it.
fn announcement(call: &Call<'_>, id: &str) -> Reply {
    let who = caller(call)?;
    let g = path_group(call, id)?;
    if let Caller::User(u) = &who {
        if g.member(u).is_none() {
            return Err(refusal(GroupError::NotMember(u.clone())));
        }
    }
    with_data(
        call,
        "get",
        &format!("/chatgroups/{id}/announcement"),
        json!({ "announcement": extra_text(&g, "announcement") }),
    )
}

/// `POST /chatgroups/{id}/announcement` `{"announcement": "..."}`: the owner
/// and admins (and the app) set it.
fn set_announcement(call: &Call<'_>, id: &str) -> Reply {
    let who = caller(call)?;
    let body = call.json()?;
    let text = text(&body, "announcement")?.ok_or_else(|| invalid("announcement must be provided"))?;
    check_len("announcement", Some(&text), MAX_ANNOUNCEMENT_CHARS)?;
    let g = path_group(call, id)?;
    may_manage(&who, &g)?;
    call.face
        .engine
        .with_group_extra(id, |map| map.insert("announcement".into(), Value::String(text)))
        .map_err(refusal)?;
    with_data(call, "post", &format!("/chatgroups/{id}/announcement"), json!({ "id": id, "result": true }))
}

/// `DELETE /chatgroups/{id}`.
fn delete(call: &Call<'_>, id: &str) -> Reply {
    let who = caller(call)?;
    path_group(call, id)?;
    let changes = call.face.engine.dismiss_group(who.actor(), id).map_err(refusal)?;
    publish(call, &changes);
    with_data(call, "delete", "/chatgroups", json!({ "success": true, "groupid": id }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_fifteen_digits() {
        assert_eq!(group_id(1), "200000000000001");
        assert_eq!(group_id(1).len(), 15);
        assert_eq!(group_id(99_999).len(), 15);
    }

    #[test]
    fn refusals_use_easemob_words() {
        let r = refusal(GroupError::Full { limit: 3 });
        assert_eq!((r.status, r.error.as_str()), (403, "exceed_limit"));
        let r = refusal(GroupError::NoSuchGroup("1".into()));
        assert_eq!((r.status, r.error.as_str()), (404, "resource_not_found"));
        let r = refusal(GroupError::NotMember("bob".into()));
        assert!(r.description.contains("are not members of this group"), "{}", r.description);
        let r = refusal(GroupError::AlreadyMember("bob".into()));
        assert!(r.description.contains("already in group"), "{}", r.description);
    }

    #[test]
    fn flags_take_booleans_and_their_strings() {
        let body = json!({"a": true, "b": "false", "c": 1});
        assert_eq!(flag(&body, "a").unwrap(), Some(true));
        assert_eq!(flag(&body, "b").unwrap(), Some(false));
        assert!(flag(&body, "c").is_err());
        assert_eq!(flag(&body, "d").unwrap(), None);
        assert!(max_users(&json!({"maxusers": 0})).is_err());
        assert_eq!(max_users(&json!({"maxusers": "50"})).unwrap(), Some(50));
    }
}
