//! Easemob's group REST calls (`chatgroups`, `vendors/easemob.md` section 5)
//! with neutral types in and out. Each call takes the token to use
//! ([`Auth`]): the app token for the admin, the user's own token for a
//! session (the web SDK manages groups over these paths with it). Every
//! request made here emits one `unim::calls` debug event naming the call.
//!
//! **Kinds.** The neutral (kind, join policy) pairs Easemob has:
//! (Private, InviteOnly) → `public: false, allowinvites: true`;
//! (Public, Approval) → `public: true, membersonly: true`;
//! (Public, Free) → `public: true, membersonly: false`. The others are
//! [`ErrorKind::Unsupported`] before any request. Members are added without
//! their consent (`invite_need_confirm: false`).
//!
//! **Member pages.** The cursor is Easemob's `pagenum`; a page is
//! `GET /chatgroups/{id}/users?pagenum&pagesize&joined_time=true` (the owner
//! first, then members in join order), with roles from `GET .../admin` and
//! mutes from `GET .../mute`; after a full page the group's member count
//! (`GET /chatgroups/{id}`) says whether another follows.

use super::{normalize_username, Method, RestClient};
use crate::messages::{client_id_of_payload, from_payload_json, to_rest, CLIENT_ID_EXT, MAX_MESSAGE_BYTES};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use unim_core::{
    BatchItem, ConversationId, Direction, Error, ErrorKind, Group, GroupKind, GroupMember, GroupSpec, GroupUpdate,
    HistoryCursor, HistoryPage, JoinOutcome, JoinPolicy, MemberCursor, MemberPage, Message, MessageBody, MessageStatus,
    MuteDuration, Role, Secret,
};

/// Most users in one batch add (easemob.md section 5: `usernames` ≤ 60).
pub const MAX_ADD_BATCH: usize = 60;
/// Most users in one batch removal (easemob.md section 5: "≤60 advised").
pub const MAX_REMOVE_BATCH: usize = 60;
/// Most group ids in one details call (easemob.md section 5).
pub const MAX_DETAILS_IDS: usize = 100;
/// Largest member page (easemob.md section 5: `pagesize` 1-1000).
pub const MAX_MEMBER_PAGE: usize = 1000;
/// Longest group name, in characters (easemob.md section 5).
pub const MAX_GROUP_NAME_CHARS: usize = 128;
/// Longest description, in characters (easemob.md section 5).
pub const MAX_DESCRIPTION_CHARS: usize = 512;
/// Largest roaming page asked for.
const MAX_ROAMING_LIMIT: usize = 50;
/// Groups asked for per page of the user's groups.
const JOINED_PAGE: usize = 100;

/// Which token a call carries.
#[derive(Clone, Copy, Debug)]
pub enum Auth<'a> {
    /// The app token (the admin).
    App,
    /// A user's token (a session, acting as that user).
    User(&'a Secret),
}

/// Easemob's `public`, `membersonly` and `allowinvites` for a neutral pair,
/// or [`ErrorKind::Unsupported`].
pub fn vendor_flags(kind: GroupKind, policy: JoinPolicy) -> Result<(bool, bool, bool), Error> {
    match (kind, policy) {
        (GroupKind::Private, JoinPolicy::InviteOnly) => Ok((false, false, true)),
        (GroupKind::Public, JoinPolicy::Approval) => Ok((true, true, false)),
        (GroupKind::Public, JoinPolicy::Free) => Ok((true, false, false)),
        (kind, policy) => Err(Error::unsupported(format!(
            "Easemob has no {kind:?} group with the {policy:?} join policy: a private group is invite-only, a public one is joined freely or by approval"
        ))),
    }
}

/// Checks a group id: Easemob's are decimal digits.
pub fn check_group_id(group: &str) -> Result<(), Error> {
    if group.is_empty() || !group.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid_input(format!("an Easemob group id is decimal digits, not {group:?}")));
    }
    Ok(())
}

/// Makes one call with `auth`, after naming it on `unim::calls`.
async fn call(
    rest: &RestClient,
    auth: Auth<'_>,
    name: &'static str,
    method: Method,
    segments: &[&str],
    query: &[(&str, String)],
    body: Option<&Value>,
) -> Result<Value, Error> {
    tracing::debug!(target: "unim::calls", call = name);
    match auth {
        Auth::App => rest.call(method, segments, query, body).await,
        Auth::User(token) => rest.call_with_token(token, method, segments, query, body).await,
    }
}

/// Makes one call on `/chatgroups/{group}/{tail...}` (no query): most group
/// calls name one group, and this keeps their paths alike.
async fn group_call(
    rest: &RestClient,
    auth: Auth<'_>,
    name: &'static str,
    method: Method,
    group: &str,
    tail: &[&str],
    body: Option<&Value>,
) -> Result<Value, Error> {
    let mut segments = Vec::with_capacity(tail.len() + 2);
    segments.extend(["chatgroups", group]);
    segments.extend_from_slice(tail);
    call(rest, auth, name, method, &segments, &[], body).await
}

/// The SDK's `POST /chatgroups/{id}/invite` `{"usernames": [...]}`: one
/// request for a batch, and again per user when the batch is refused.
async fn invite(rest: &RestClient, auth: Auth<'_>, group: &str, users: &[String]) -> Result<Value, Error> {
    let body = json!({ "usernames": users });
    group_call(rest, auth, "POST /chatgroups/{group_id}/invite", Method::Post, group, &["invite"], Some(&body)).await
}

/// An id Easemob gives as a string or a number, as text.
fn id_text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn data(reply: &Value, what: &str) -> Result<Value, Error> {
    reply.get("data").cloned().ok_or_else(|| Error::protocol(format!("Easemob's answer to {what} has no data")))
}

/// A username as Easemob shows it: plain, or `org#app_user` in some lists.
fn plain_user(name: &str) -> String {
    match name.split_once('#').and_then(|(_, rest)| rest.split_once('_')) {
        Some((_, user)) => user.to_owned(),
        None => name.to_owned(),
    }
}

fn bool_of(v: &Value, key: &str) -> bool {
    match v.get(key) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s == "true",
        _ => false,
    }
}

fn u64_of(v: &Value, key: &str) -> u64 {
    match v.get(key) {
        Some(Value::Number(n)) => n.as_u64().unwrap_or(0),
        Some(Value::String(s)) => s.parse().unwrap_or(0),
        _ => 0,
    }
}

/// A group of a details answer.
pub fn parse_group(item: &Value) -> Result<Group, Error> {
    let id = id_text(item.get("id").or_else(|| item.get("groupid")))
        .ok_or_else(|| Error::protocol("an Easemob group has no id"))?;
    let public = bool_of(item, "public");
    let (kind, join_policy) = match (public, bool_of(item, "membersonly")) {
        (false, _) => (GroupKind::Private, JoinPolicy::InviteOnly),
        (true, true) => (GroupKind::Public, JoinPolicy::Approval),
        (true, false) => (GroupKind::Public, JoinPolicy::Free),
    };
    let text = |k: &str| item.get(k).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned);
    Ok(Group {
        id,
        name: text("name").unwrap_or_default(),
        introduction: text("description"),
        kind,
        join_policy,
        owner: text("owner").map(|o| plain_user(&o)),
        member_count: u32::try_from(u64_of(item, "affiliations_count")).unwrap_or(u32::MAX),
        max_members: u32::try_from(u64_of(item, "maxusers")).unwrap_or(u32::MAX),
        created_at_ms: u64_of(item, "created"),
    })
}

/// The body of `POST /chatgroups` for `spec` owned by `owner`.
pub fn create_body(spec: &GroupSpec, owner: &str) -> Result<Value, Error> {
    let (public, membersonly, allowinvites) = vendor_flags(spec.kind, spec.join_policy)?;
    let owner = normalize_username(owner)?;
    check_text("group name", &spec.name, MAX_GROUP_NAME_CHARS)?;
    if let Some(d) = &spec.introduction {
        check_text("group introduction", d, MAX_DESCRIPTION_CHARS)?;
    }
    let members = spec
        .members
        .iter()
        .map(|m| normalize_username(m))
        .filter(|m| m.as_ref().map_or(true, |m| *m != owner))
        .collect::<Result<Vec<_>, _>>()?;
    let mut body = json!({
        "groupname": spec.name,
        "description": spec.introduction.clone().unwrap_or_default(),
        "public": public,
        "membersonly": membersonly,
        "allowinvites": allowinvites,
        "invite_need_confirm": false,
        "owner": owner,
        "members": members,
    });
    if let Some(max) = spec.max_members {
        if max == 0 {
            return Err(Error::invalid_input("a group's member limit must be at least 1"));
        }
        body["maxusers"] = json!(max);
    }
    Ok(body)
}

fn check_text(what: &str, text: &str, max: usize) -> Result<(), Error> {
    let n = text.chars().count();
    if n > max {
        return Err(Error::invalid_input(format!("an Easemob {what} is at most {max} characters, not {n}")));
    }
    Ok(())
}

/// `POST /chatgroups`, then the details of the new group.
pub async fn create_group(rest: &RestClient, auth: Auth<'_>, spec: &GroupSpec, owner: &str) -> Result<Group, Error> {
    let body = create_body(spec, owner)?;
    let reply = call(rest, auth, "POST /chatgroups", Method::Post, &["chatgroups"], &[], Some(&body)).await?;
    let id = id_text(data(&reply, "the group creation")?.get("groupid"))
        .ok_or_else(|| Error::protocol("Easemob's group creation answer has no groupid"))?;
    group_info(rest, auth, &id).await
}

/// `GET /chatgroups/{id1,id2,...}` (at most 100 ids).
pub async fn groups_info(rest: &RestClient, auth: Auth<'_>, groups: &[String]) -> Result<Vec<Group>, Error> {
    let mut out = Vec::with_capacity(groups.len());
    for chunk in groups.chunks(MAX_DETAILS_IDS) {
        for g in chunk {
            check_group_id(g)?;
        }
        let ids = chunk.join(",");
        let reply =
            call(rest, auth, "GET /chatgroups/{group_ids}", Method::Get, &["chatgroups", &ids], &[], None).await?;
        let items = data(&reply, "the group details")?;
        for item in items.as_array().ok_or_else(|| Error::protocol("Easemob's group details are not a list"))? {
            out.push(parse_group(item)?);
        }
    }
    Ok(out)
}

/// `GET /chatgroups/{id}`.
pub async fn group_info(rest: &RestClient, auth: Auth<'_>, group: &str) -> Result<Group, Error> {
    groups_info(rest, auth, &[group.to_owned()])
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| Error::protocol(format!("Easemob's details of group {group} are empty")))
}

/// `PUT /chatgroups/{id}` with `groupname` and/or `description`.
pub async fn update_group(rest: &RestClient, auth: Auth<'_>, group: &str, update: &GroupUpdate) -> Result<(), Error> {
    check_group_id(group)?;
    let mut body = serde_json::Map::new();
    if let Some(name) = &update.name {
        check_text("group name", name, MAX_GROUP_NAME_CHARS)?;
        body.insert("groupname".into(), json!(name));
    }
    if let Some(intro) = &update.introduction {
        check_text("group introduction", intro, MAX_DESCRIPTION_CHARS)?;
        body.insert("description".into(), json!(intro));
    }
    if body.is_empty() {
        return Ok(());
    }
    let body = Value::Object(body);
    let reply = group_call(rest, auth, "PUT /chatgroups/{group_id}", Method::Put, group, &[], Some(&body)).await?;
    let answered = data(&reply, "the group change")?;
    for key in body.as_object().into_iter().flat_map(|o| o.keys()) {
        if answered.get(key).and_then(Value::as_bool) == Some(false) {
            return Err(Error::new(ErrorKind::Other, format!("Easemob did not change the group's {key}")));
        }
    }
    Ok(())
}

/// The username of an Easemob "username X doesn't exist" refusal.
fn missing_user(e: &Error) -> Option<String> {
    let text = &e.vendor.as_ref()?.message;
    let rest = text.strip_prefix("username ")?;
    let (user, _) = rest.split_once(' ')?;
    (e.kind == ErrorKind::NotFound).then(|| user.to_ascii_lowercase())
}

/// Adds users: the app with `POST /chatgroups/{id}/users` in batches of 60
/// (`newmembers` names who joined; the others were members already), a user
/// with the SDK's `POST /chatgroups/{id}/invite`. Per user: `Ok`, or
/// [`ErrorKind::AlreadyExists`], [`ErrorKind::NotFound`] (no such user) or
/// [`ErrorKind::InvalidInput`] (a bad id, never sent).
pub async fn add_group_members(
    rest: &RestClient,
    auth: Auth<'_>,
    group: &str,
    users: &[String],
) -> Result<Vec<BatchItem>, Error> {
    check_group_id(group)?;
    let slots: Vec<Result<String, Error>> = users.iter().map(|u| normalize_username(u)).collect();
    let mut wanted: Vec<String> = Vec::new();
    for name in slots.iter().flatten() {
        if !wanted.contains(name) {
            wanted.push(name.clone());
        }
    }
    let mut outcome: HashMap<String, Result<(), Error>> = HashMap::new();
    for chunk in wanted.chunks(MAX_ADD_BATCH) {
        let mut left: Vec<String> = chunk.to_vec();
        // An unknown user fails the whole batch: it is set aside and the rest retried.
        while !left.is_empty() {
            match add_chunk(rest, auth, group, &left).await {
                Ok(results) => {
                    outcome.extend(results);
                    break;
                }
                Err(e) => match missing_user(&e).filter(|u| left.contains(u)) {
                    Some(user) => {
                        left.retain(|u| *u != user);
                        outcome.insert(user, Err(e));
                    }
                    None => return Err(e),
                },
            }
        }
    }
    Ok(users
        .iter()
        .zip(slots)
        .map(|(user, slot)| {
            let result = slot.and_then(|name| {
                outcome.get(&name).cloned().unwrap_or_else(|| Err(Error::protocol(format!("no answer for {name}"))))
            });
            BatchItem { user: user.clone(), result }
        })
        .collect())
}

fn already(user: &str, group: &str) -> Error {
    Error::new(ErrorKind::AlreadyExists, format!("{user} is already a member of group {group}"))
}

async fn add_chunk(
    rest: &RestClient,
    auth: Auth<'_>,
    group: &str,
    users: &[String],
) -> Result<Vec<(String, Result<(), Error>)>, Error> {
    match auth {
        Auth::App => {
            let body = json!({ "usernames": users });
            let reply = group_call(
                rest,
                auth,
                "POST /chatgroups/{group_id}/users",
                Method::Post,
                group,
                &["users"],
                Some(&body),
            )
            .await?;
            let d = data(&reply, "the member addition")?;
            let fresh: HashSet<String> = d
                .get("newmembers")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).map(str::to_ascii_lowercase).collect())
                .unwrap_or_default();
            Ok(users
                .iter()
                .map(|u| (u.clone(), if fresh.contains(u) { Ok(()) } else { Err(already(u, group)) }))
                .collect())
        }
        Auth::User(_) => {
            let invited = invite(rest, auth, group, users).await;
            match invited {
                Ok(_) => Ok(users.iter().map(|u| (u.clone(), Ok(()))).collect()),
                // One member already refuses the batch: invite one by one.
                Err(e) if e.kind == ErrorKind::AlreadyExists && users.len() > 1 => {
                    let mut out = Vec::with_capacity(users.len());
                    for u in users {
                        let one = invite(rest, auth, group, std::slice::from_ref(u)).await;
                        match one {
                            Ok(_) => out.push((u.clone(), Ok(()))),
                            Err(e) if matches!(e.kind, ErrorKind::AlreadyExists | ErrorKind::NotFound) => {
                                out.push((u.clone(), Err(e)))
                            }
                            Err(e) => return Err(e),
                        }
                    }
                    Ok(out)
                }
                Err(e) if e.kind == ErrorKind::AlreadyExists => Ok(vec![(users[0].clone(), Err(e))]),
                Err(e) => Err(e),
            }
        }
    }
}

/// `DELETE /chatgroups/{id}/users/{u}` or `/{u1,u2,...}` in batches of 60.
/// Users who are not members are skipped; removing the owner is
/// [`ErrorKind::PermissionDenied`].
pub async fn remove_group_members(
    rest: &RestClient,
    auth: Auth<'_>,
    group: &str,
    users: &[String],
) -> Result<(), Error> {
    check_group_id(group)?;
    let names = users.iter().map(|u| normalize_username(u)).collect::<Result<Vec<_>, _>>()?;
    for chunk in names.chunks(MAX_REMOVE_BATCH) {
        let list = chunk.join(",");
        let result = group_call(
            rest,
            auth,
            "DELETE /chatgroups/{group_id}/users/{usernames}",
            Method::Delete,
            group,
            &["users", &list],
            None,
        )
        .await;
        match result {
            Ok(_) => {}
            // A single user who is not a member: nothing to do.
            Err(e) if chunk.len() == 1 && not_member_refusal(&e, &chunk[0]) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Whether `e` says that `user` (not the caller) is not a member.
fn not_member_refusal(e: &Error, user: &str) -> bool {
    e.vendor.as_ref().is_some_and(|v| v.message.contains(&format!("[{user}] are not members")))
}

/// `DELETE /chatgroups/{id}`.
pub async fn dismiss_group(rest: &RestClient, auth: Auth<'_>, group: &str) -> Result<(), Error> {
    check_group_id(group)?;
    group_call(rest, auth, "DELETE /chatgroups/{group_id}", Method::Delete, group, &[], None).await?;
    Ok(())
}

/// The page number of a member cursor (the first page without one).
pub fn page_of(cursor: Option<&MemberCursor>) -> Result<usize, Error> {
    match cursor {
        None => Ok(1),
        Some(c) => {
            c.0.parse::<usize>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| Error::invalid_input(format!("{:?} is not an Easemob member cursor", c.0)))
        }
    }
}

/// One page of members (module docs): `limit` per page (1-1000; the same
/// limit must be used for every page of one listing).
pub async fn group_members(
    rest: &RestClient,
    auth: Auth<'_>,
    group: &str,
    cursor: Option<&MemberCursor>,
    limit: usize,
) -> Result<MemberPage, Error> {
    check_group_id(group)?;
    if limit == 0 {
        return Err(Error::invalid_input("a member page holds at least one member"));
    }
    let size = limit.min(MAX_MEMBER_PAGE);
    let page = page_of(cursor)?;
    let query = [("pagenum", page.to_string()), ("pagesize", size.to_string()), ("joined_time", "true".to_owned())];
    let reply = call(
        rest,
        auth,
        "GET /chatgroups/{group_id}/users",
        Method::Get,
        &["chatgroups", group, "users"],
        &query,
        None,
    )
    .await?;
    let items = data(&reply, "the member list")?;
    let items = items.as_array().ok_or_else(|| Error::protocol("Easemob's member list is not a list"))?.clone();
    let admins_reply =
        group_call(rest, auth, "GET /chatgroups/{group_id}/admin", Method::Get, group, &["admin"], None).await?;
    let admins: HashSet<String> = data(&admins_reply, "the admin list")?
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).map(plain_user).collect())
        .unwrap_or_default();
    let mutes = muted(rest, auth, group).await?;
    let mut members = Vec::with_capacity(items.len());
    for item in &items {
        let (role, user) = if let Some(u) = item.get("owner").and_then(Value::as_str) {
            (Role::Owner, plain_user(u))
        } else if let Some(u) = item.get("admin").and_then(Value::as_str) {
            (Role::Admin, plain_user(u))
        } else if let Some(u) = item.get("member").and_then(Value::as_str) {
            let u = plain_user(u);
            (if admins.contains(&u) { Role::Admin } else { Role::Member }, u)
        } else {
            return Err(Error::protocol("an Easemob member entry names no owner, admin or member"));
        };
        members.push(GroupMember {
            muted_until_ms: mutes.get(&user).copied(),
            user,
            role,
            joined_at_ms: u64_of(item, "joined_time"),
        });
    }
    // A full page may be the last: the group's member count says.
    let more = items.len() == size && {
        let total = group_info(rest, auth, group).await?.member_count as usize;
        total > page.saturating_mul(size)
    };
    let next = more.then(|| MemberCursor((page + 1).to_string()));
    Ok(MemberPage { members, next })
}

/// `GET /chatgroups/{id}/mute`: who is muted until when (ms).
async fn muted(rest: &RestClient, auth: Auth<'_>, group: &str) -> Result<HashMap<String, u64>, Error> {
    let reply = group_call(rest, auth, "GET /chatgroups/{group_id}/mute", Method::Get, group, &["mute"], None).await?;
    Ok(data(&reply, "the mute list")?
        .as_array()
        .map(|a| a.iter().filter_map(|m| Some((plain_user(m.get("user")?.as_str()?), u64_of(m, "expire")))).collect())
        .unwrap_or_default())
}

/// `POST /chatgroups/{id}/admin` (Admin) or `DELETE .../admin/{u}` (Member);
/// `Owner` is [`ErrorKind::InvalidInput`] (transfer the group instead).
pub async fn set_group_role(
    rest: &RestClient,
    auth: Auth<'_>,
    group: &str,
    user: &str,
    role: Role,
) -> Result<(), Error> {
    check_group_id(group)?;
    let user = normalize_username(user)?;
    match role {
        Role::Owner => Err(Error::invalid_input("make an owner by transferring the group")),
        Role::Admin => {
            let body = json!({ "newadmin": user });
            group_call(rest, auth, "POST /chatgroups/{group_id}/admin", Method::Post, group, &["admin"], Some(&body))
                .await
                .map(|_| ())
        }
        Role::Member => group_call(
            rest,
            auth,
            "DELETE /chatgroups/{group_id}/admin/{username}",
            Method::Delete,
            group,
            &["admin", &user],
            None,
        )
        .await
        .map(|_| ()),
    }
}

/// `PUT /chatgroups/{id}` with `{"newowner": u}`.
pub async fn transfer_group(rest: &RestClient, auth: Auth<'_>, group: &str, new_owner: &str) -> Result<(), Error> {
    check_group_id(group)?;
    let body = json!({ "newowner": normalize_username(new_owner)? });
    let reply =
        group_call(rest, auth, "PUT /chatgroups/{group_id} (newowner)", Method::Put, group, &[], Some(&body)).await?;
    match data(&reply, "the transfer")?.get("newowner").and_then(Value::as_bool) {
        Some(true) => Ok(()),
        _ => Err(Error::new(ErrorKind::Other, format!("Easemob did not transfer group {group}"))),
    }
}

/// `POST /chatgroups/{id}/mute` `{usernames, mute_duration}` (ms), or
/// `DELETE .../mute/{u}` for a zero duration.
pub async fn mute_group_member(
    rest: &RestClient,
    auth: Auth<'_>,
    group: &str,
    user: &str,
    duration: MuteDuration,
) -> Result<(), Error> {
    check_group_id(group)?;
    let user = normalize_username(user)?;
    if duration.is_zero() {
        group_call(
            rest,
            auth,
            "DELETE /chatgroups/{group_id}/mute/{usernames}",
            Method::Delete,
            group,
            &["mute", &user],
            None,
        )
        .await?;
        return Ok(());
    }
    let ms = u64::try_from(duration.as_millis()).unwrap_or(u64::MAX).max(1);
    let body = json!({ "usernames": [user], "mute_duration": ms });
    group_call(rest, auth, "POST /chatgroups/{group_id}/mute", Method::Post, group, &["mute"], Some(&body)).await?;
    Ok(())
}

/// The groups of `user`: `GET /chatgroups/user/{u}` page by page, then their
/// details (`GET /chatgroups/{ids}`), oldest first as listed.
pub async fn joined_groups(rest: &RestClient, auth: Auth<'_>, user: &str) -> Result<Vec<Group>, Error> {
    let user = normalize_username(user)?;
    let mut ids: Vec<String> = Vec::new();
    for page in 1.. {
        let query = [("pagenum", page.to_string()), ("pagesize", JOINED_PAGE.to_string())];
        let reply = call(
            rest,
            auth,
            "GET /chatgroups/user/{username}",
            Method::Get,
            &["chatgroups", "user", &user],
            &query,
            None,
        )
        .await?;
        let items = data(&reply, "the user's groups")?;
        let items = items.as_array().ok_or_else(|| Error::protocol("Easemob's group list is not a list"))?;
        for item in items {
            ids.push(
                id_text(item.get("groupid")).ok_or_else(|| Error::protocol("an Easemob group entry has no groupid"))?,
            );
        }
        if items.len() < JOINED_PAGE {
            break;
        }
    }
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    groups_info(rest, auth, &ids).await
}

/// The SDK's `POST /chatgroups/{id}/apply` with the user's token.
pub async fn join_group(
    rest: &RestClient,
    token: &Secret,
    group: &str,
    message: Option<&str>,
) -> Result<JoinOutcome, Error> {
    check_group_id(group)?;
    let body = json!({ "message": message.unwrap_or_default() });
    let reply = group_call(
        rest,
        Auth::User(token),
        "POST /chatgroups/{group_id}/apply",
        Method::Post,
        group,
        &["apply"],
        Some(&body),
    )
    .await?;
    let joined = data(&reply, "the application")?.get("joined").and_then(Value::as_bool).unwrap_or(false);
    Ok(if joined { JoinOutcome::Joined } else { JoinOutcome::Pending })
}

/// The SDK's `POST /chatgroups/{id}/apply_verify` `{applicant, verifyResult, reason}`.
pub async fn decide_join(
    rest: &RestClient,
    auth: Auth<'_>,
    group: &str,
    applicant: &str,
    accept: bool,
) -> Result<(), Error> {
    check_group_id(group)?;
    let body = json!({ "applicant": normalize_username(applicant)?, "verifyResult": accept, "reason": "" });
    group_call(
        rest,
        auth,
        "POST /chatgroups/{group_id}/apply_verify",
        Method::Post,
        group,
        &["apply_verify"],
        Some(&body),
    )
    .await?;
    Ok(())
}

/// The SDK's `DELETE /chatgroups/{id}/quit` with the user's token.
pub async fn leave_group(rest: &RestClient, token: &Secret, group: &str) -> Result<(), Error> {
    check_group_id(group)?;
    group_call(rest, Auth::User(token), "DELETE /chatgroups/{group_id}/quit", Method::Delete, group, &["quit"], None)
        .await?;
    Ok(())
}

/// `POST /messages/chatgroups` (app token): `body` from `from` (`None`: the
/// app admin, Easemob's default sender) to `group`, the client id in `ext`.
/// Returns the sender's copy.
pub async fn send_group_message(
    rest: &RestClient,
    from: Option<&str>,
    group: &str,
    body: &MessageBody,
    client_id: &str,
) -> Result<Message, Error> {
    check_group_id(group)?;
    let from = from.map(normalize_username).transpose()?;
    if body.byte_len() > MAX_MESSAGE_BYTES {
        return Err(Error::invalid_input(format!(
            "the message is {} bytes; Easemob takes at most {MAX_MESSAGE_BYTES}",
            body.byte_len()
        )));
    }
    let (kind, rest_body) = to_rest(body);
    let mut request = json!({ "to": [group], "type": kind, "body": rest_body, "ext": { CLIENT_ID_EXT: client_id } });
    if let Some(from) = &from {
        request["from"] = json!(from);
    }
    let reply = call(
        rest,
        Auth::App,
        "POST /messages/chatgroups",
        Method::Post,
        &["messages", "chatgroups"],
        &[],
        Some(&request),
    )
    .await?;
    let server_id = data(&reply, "the group send")?
        .get(group)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| Error::protocol(format!("Easemob's send answer has no message id for group {group}")))?;
    Ok(Message {
        server_id,
        client_id: client_id.to_owned(),
        from: from.unwrap_or_else(|| crate::admin::ADMIN_SENDER.to_owned()),
        to: group.to_owned(),
        conversation: ConversationId::group(group),
        body: body.clone(),
        server_time_ms: reply.get("timestamp").and_then(Value::as_u64).unwrap_or(0),
        direction: Direction::Outgoing,
        status: MessageStatus::Sent,
    })
}

/// A group roaming record as a message.
fn record_message(record: &Value, group: &str) -> Option<Message> {
    let from = record.get("from")?.as_str()?.to_ascii_lowercase();
    let id = id_text(record.get("msg_id"))?;
    let payload = record.get("payload")?;
    Some(Message {
        client_id: client_id_of_payload(payload).unwrap_or_else(|| id.clone()),
        server_id: id,
        conversation: ConversationId::group(group),
        from,
        to: group.to_owned(),
        body: from_payload_json(payload)?,
        server_time_ms: record.get("timestamp").and_then(Value::as_u64).unwrap_or(0),
        direction: Direction::Incoming,
        status: MessageStatus::Read,
    })
}

/// `POST /api/server/v6/{org}/{app}/roaming/group` `{groupId, limit, order:
/// "up", cursor}`: one page backwards, oldest first.
pub async fn group_history(
    rest: &RestClient,
    group: &str,
    older: Option<&HistoryCursor>,
    limit: usize,
) -> Result<HistoryPage, Error> {
    check_group_id(group)?;
    if limit == 0 {
        return Err(Error::invalid_input("the history page limit must be at least 1"));
    }
    let mut request = json!({ "groupId": group, "limit": limit.min(MAX_ROAMING_LIMIT), "order": "up" });
    if let Some(c) = older {
        request["cursor"] = json!(c.0);
    }
    let key = rest.app_key();
    tracing::debug!(target: "unim::calls", call = "POST /api/server/v6/{org}/{app}/roaming/group");
    let reply: Value = rest
        .call_from_root(
            Method::Post,
            &["api", "server", "v6", key.org(), key.app(), "roaming", "group"],
            &[],
            Some(&request),
        )
        .await?;
    let d = data(&reply, "the group history")?;
    let mut messages: Vec<Message> = d
        .get("messages")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|r| record_message(r, group)).collect())
        .unwrap_or_default();
    messages.sort_by_key(|m| (m.server_time_ms, m.server_id.parse::<u64>().unwrap_or(0)));
    let next = d.pointer("/pagination/cursor").and_then(Value::as_str).filter(|c| !c.is_empty());
    Ok(HistoryPage { messages, older: next.map(|c| HistoryCursor(c.to_owned())) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_the_neutral_pairs_and_refuses_the_others() {
        assert_eq!(vendor_flags(GroupKind::Private, JoinPolicy::InviteOnly).unwrap(), (false, false, true));
        assert_eq!(vendor_flags(GroupKind::Public, JoinPolicy::Approval).unwrap(), (true, true, false));
        assert_eq!(vendor_flags(GroupKind::Public, JoinPolicy::Free).unwrap(), (true, false, false));
        for (k, p) in [
            (GroupKind::Private, JoinPolicy::Approval),
            (GroupKind::Private, JoinPolicy::Free),
            (GroupKind::Public, JoinPolicy::InviteOnly),
        ] {
            assert_eq!(vendor_flags(k, p).unwrap_err().kind, ErrorKind::Unsupported);
        }
    }

    #[test]
    fn create_bodies_follow_the_docs() {
        let spec = GroupSpec::new("team", GroupKind::Public, JoinPolicy::Approval)
            .with_members(["Bob", "alice"])
            .with_max_members(50)
            .with_introduction("hi");
        let body = create_body(&spec, "alice").unwrap();
        assert_eq!(body["public"], json!(true));
        assert_eq!(body["membersonly"], json!(true));
        assert_eq!(body["owner"], json!("alice"));
        assert_eq!(body["members"], json!(["bob"]));
        assert_eq!(body["maxusers"], json!(50));
        assert_eq!(body["description"], json!("hi"));
        let long = GroupSpec::new("x".repeat(129), GroupKind::Public, JoinPolicy::Free);
        assert_eq!(create_body(&long, "alice").unwrap_err().kind, ErrorKind::InvalidInput);
    }

    #[test]
    fn parses_details_and_cursors() {
        let item = json!({"id": "200000000000001", "name": "team", "description": "", "public": true,
            "membersonly": false, "owner": "unim#demo_alice", "affiliations_count": 3, "maxusers": 200, "created": 5});
        let g = parse_group(&item).unwrap();
        assert_eq!((g.kind, g.join_policy), (GroupKind::Public, JoinPolicy::Free));
        assert_eq!((g.owner.as_deref(), g.member_count, g.introduction), (Some("alice"), 3, None));
        assert!(parse_group(&json!({"name": "x"})).is_err());
        assert_eq!(page_of(None).unwrap(), 1);
        assert_eq!(page_of(Some(&MemberCursor("3".into()))).unwrap(), 3);
        assert!(page_of(Some(&MemberCursor("0".into()))).is_err());
        assert!(check_group_id("12a").is_err());
    }
}
