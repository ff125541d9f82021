//! The admin's groups: NetEase advanced teams over the v1 server API
//! (netease.md 3.3), behind the neutral [`unim_core::Admin`] group methods.
//!
//! **Kinds and policies** (docs/groups.md): every (kind, policy) pair
//! exists. `joinmode` is 2 for invite only, 1 for approval, 0 for free;
//! `invitemode` is 1 (every member invites) for `Private`, 0 (the owner and
//! managers) for `Public`; `beinvitemode` 1 and `magree` 0, so invitees join
//! without being asked.
//!
//! **The operator.** NetEase's team calls always name the member who acts
//! (`owner`), and the team's rules apply to it: there is no app admin above
//! them. The neutral admin acts as the app, so every call that needs an
//! operator first asks `team/query.action` for the team's current owner and
//! acts as the owner. A group message with no sender is sent as the owner
//! too, and the history is read as the owner (`queryTeamMsg` wants a member).
//!
//! **Members.** Accounts NetEase could not add at creation (`faccid`) are
//! left out of the team with a warning. `team/add.action` takes 200 accids a call (larger adds are
//! batched); accids already in the team are reported `AlreadyExists` (809)
//! from a `team/query.action` made first, and `faccid` (accounts that do not
//! exist) `NotFound`. An add that would overfill the team is refused whole
//! by NetEase (801, `LimitExceeded`). Member pages come from
//! `team/queryDetail.action`: the owner, managers and members merged in the
//! order they joined (`createtime`), the cursor an index into that list.
//!
//! **Mutes.** NetEase's member mute (`team/muteTlist.action`) has no
//! duration: against NetEase's cloud a timed mute lasts until it is lifted.
//! The call also carries `muteDuration` (seconds), which the unim emulator
//! honours and NetEase ignores. A muted member's page entry says
//! `muted_until_ms: Some(u64::MAX)` (NetEase does not report an end).
//!
//! Every server API call emits one `tracing::debug!` on the target
//! `unim::calls` naming the endpoint.

mod messages;

pub(crate) use messages::{group_history, send_group_message};

use crate::accid;
use crate::error::{code, error_from_api};
use crate::rest::client::payload;
use crate::rest::teams::{
    invitemode, joinmode, JoinedTeam, TeamDetail, TeamInfo, TeamMemberInfo, MAX_ADD_MEMBERS, MAX_INTRO_CHARS,
    MAX_TNAME_CHARS, MIN_MEMBER_LIMIT,
};
use crate::rest::RestClient;
use serde_json::{Map, Value};
use std::collections::HashSet;
use unim_core::{
    BatchItem, Error, ErrorKind, Group, GroupKind, GroupMember, GroupSpec, GroupUpdate, JoinPolicy, MemberCursor,
    MemberPage, MuteDuration, Role,
};

/// The invitation text `team/create` and `team/add` require.
const INVITE_MSG: &str = "You were added to the team";
/// Most tids asked in one `team/query.action`.
const QUERY_TIDS: usize = 30;

/// Calls the v1 `path`, naming it on the `unim::calls` trace first.
pub(crate) async fn call(
    rest: &RestClient,
    path: &'static str,
    fields: &[(&str, &str)],
) -> Result<Map<String, Value>, Error> {
    tracing::debug!(target: "unim::calls", call = path);
    rest.call_form(path, fields).await
}

/// NetEase's `joinmode` and `invitemode` for a neutral (kind, policy).
pub(crate) fn modes(kind: GroupKind, policy: JoinPolicy) -> (i64, i64) {
    let join = match policy {
        JoinPolicy::InviteOnly => joinmode::INVITE_ONLY,
        JoinPolicy::Approval => joinmode::APPROVAL,
        JoinPolicy::Free => joinmode::FREE,
    };
    let invite = match kind {
        GroupKind::Private => invitemode::ALL,
        GroupKind::Public => invitemode::MANAGERS,
    };
    (join, invite)
}

/// The neutral (kind, policy) of a team's modes.
fn neutral(join: i64, invite: i64) -> (GroupKind, JoinPolicy) {
    let kind = if invite == invitemode::ALL { GroupKind::Private } else { GroupKind::Public };
    let policy = match join {
        joinmode::FREE => JoinPolicy::Free,
        joinmode::APPROVAL => JoinPolicy::Approval,
        _ => JoinPolicy::InviteOnly,
    };
    (kind, policy)
}

/// A tid is a decimal number; anything else names no team.
pub(crate) fn check_tid(tid: &str) -> Result<(), Error> {
    if tid.is_empty() || !tid.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::new(ErrorKind::NotFound, format!("{tid:?} is not a NetEase tid, so no such team")));
    }
    Ok(())
}

fn json_array(items: &[String]) -> String {
    Value::from(items.to_vec()).to_string()
}

fn group_of(t: &TeamInfo) -> Group {
    let (kind, join_policy) = neutral(t.joinmode, t.invitemode);
    Group {
        id: t.tid.clone(),
        name: t.tname.clone(),
        introduction: t.intro.clone().filter(|i| !i.is_empty()),
        kind,
        join_policy,
        owner: Some(t.owner.clone()).filter(|o| !o.is_empty()),
        member_count: t.size.max(0) as u32,
        max_members: t.maxusers.max(0) as u32,
        created_at_ms: t.createtime.max(0) as u64,
    }
}

/// `team/query.action` of `tids` (`ope` 1: with member accids); unknown
/// tids are left out (`ignoreInvalid`).
async fn query(rest: &RestClient, tids: &[String], with_members: bool) -> Result<Vec<TeamInfo>, Error> {
    const PATH: &str = "team/query.action";
    let list = json_array(tids);
    let ope = if with_members { "1" } else { "0" };
    let mut reply = call(rest, PATH, &[("tids", &list), ("ope", ope), ("ignoreInvalid", "true")]).await?;
    payload(PATH, "tinfos", reply.remove("tinfos"))
}

/// The team `tid` (803 → `NotFound` when NetEase does not list it).
pub(crate) async fn team(rest: &RestClient, tid: &str, with_members: bool) -> Result<TeamInfo, Error> {
    check_tid(tid)?;
    query(rest, &[tid.to_owned()], with_members)
        .await?
        .into_iter()
        .find(|t| t.tid == tid)
        .ok_or_else(|| error_from_api(code::TEAM_NOT_FOUND, "team does not exist"))
}

/// The team's current owner: the operator the admin acts as.
pub(crate) async fn owner_of(rest: &RestClient, tid: &str) -> Result<String, Error> {
    let t = team(rest, tid, false).await?;
    Some(t.owner)
        .filter(|o| !o.is_empty())
        .ok_or_else(|| Error::protocol(format!("NetEase lists team {tid} without an owner")))
}

/// `team/create.action` (then `team/add.action` beyond 200 members) and the
/// created team.
pub(crate) async fn create(rest: &RestClient, spec: &GroupSpec) -> Result<Group, Error> {
    let owner = spec
        .owner
        .as_deref()
        .ok_or_else(|| Error::invalid_input("a NetEase team needs an owner: GroupSpec::with_owner"))?;
    let owner = accid::validate(owner)?;
    if spec.name.is_empty() || spec.name.chars().count() > MAX_TNAME_CHARS {
        return Err(Error::invalid_input(format!("a NetEase team name has 1 to {MAX_TNAME_CHARS} characters")));
    }
    if spec.introduction.as_ref().is_some_and(|i| i.chars().count() > MAX_INTRO_CHARS) {
        return Err(Error::invalid_input(format!(
            "a NetEase team introduction has at most {MAX_INTRO_CHARS} characters"
        )));
    }
    if spec.max_members.is_some_and(|m| m < MIN_MEMBER_LIMIT) {
        return Err(Error::invalid_input(format!("a NetEase team holds at least {MIN_MEMBER_LIMIT} members")));
    }
    let mut members = Vec::new();
    for m in &spec.members {
        let m = accid::validate(m)?;
        if m != owner && !members.contains(&m) {
            members.push(m);
        }
    }
    let first: Vec<String> = members.iter().take(MAX_ADD_MEMBERS).cloned().collect();
    let (join, invite) = modes(spec.kind, spec.join_policy);
    let (join, invite, list) = (join.to_string(), invite.to_string(), json_array(&first));
    let limit = spec.max_members.map(|m| m.to_string());
    let mut fields = vec![
        ("tname", spec.name.as_str()),
        ("owner", owner.as_str()),
        ("members", list.as_str()),
        ("msg", INVITE_MSG),
        ("magree", "0"),
        ("joinmode", join.as_str()),
        ("invitemode", invite.as_str()),
        ("beinvitemode", "1"),
    ];
    if let Some(intro) = spec.introduction.as_deref() {
        fields.push(("intro", intro));
    }
    if let Some(limit) = limit.as_deref() {
        fields.push(("teamMemberLimit", limit));
    }
    const PATH: &str = "team/create.action";
    let mut reply = call(rest, PATH, &fields).await?;
    let tid = match reply.remove("tid") {
        Some(Value::String(s)) => s,
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err(Error::protocol("the team/create.action reply has no tid")),
    };
    if let Some(failed) = reply.get("faccid").and_then(|f| f.get("accid")) {
        tracing::warn!("NetEase team {tid} was created without these accounts (faccid): {failed}");
    }
    for chunk in members[first.len()..].chunks(MAX_ADD_MEMBERS) {
        add_chunk(rest, &tid, &owner, chunk).await?;
    }
    team(rest, &tid, false).await.map(|t| group_of(&t))
}

/// `team/add.action` of at most 200 accids as `owner`; returns the accids
/// NetEase did not add (`faccid`).
async fn add_chunk(rest: &RestClient, tid: &str, owner: &str, chunk: &[String]) -> Result<Vec<String>, Error> {
    let list = json_array(chunk);
    let fields = [("tid", tid), ("owner", owner), ("members", list.as_str()), ("magree", "0"), ("msg", INVITE_MSG)];
    let reply = call(rest, "team/add.action", &fields).await?;
    let failed = reply.get("faccid").and_then(|f| f.get("accid")).and_then(Value::as_array);
    Ok(failed.map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect()).unwrap_or_default())
}

/// The team's info as a neutral group.
pub(crate) async fn info(rest: &RestClient, tid: &str) -> Result<Group, Error> {
    team(rest, tid, false).await.map(|t| group_of(&t))
}

/// `team/update.action` of `tname` and `intro`, as the owner.
pub(crate) async fn update(rest: &RestClient, tid: &str, update: &GroupUpdate) -> Result<(), Error> {
    if update.name.as_ref().is_some_and(|n| n.is_empty() || n.chars().count() > MAX_TNAME_CHARS) {
        return Err(Error::invalid_input(format!("a NetEase team name has 1 to {MAX_TNAME_CHARS} characters")));
    }
    if update.introduction.as_ref().is_some_and(|i| i.chars().count() > MAX_INTRO_CHARS) {
        return Err(Error::invalid_input(format!(
            "a NetEase team introduction has at most {MAX_INTRO_CHARS} characters"
        )));
    }
    let owner = owner_of(rest, tid).await?;
    let mut fields = vec![("tid", tid), ("owner", owner.as_str())];
    if let Some(name) = update.name.as_deref() {
        fields.push(("tname", name));
    }
    if let Some(intro) = update.introduction.as_deref() {
        fields.push(("intro", intro));
    }
    if fields.len() == 2 {
        return Ok(());
    }
    call(rest, "team/update.action", &fields).await?;
    Ok(())
}

/// Everyone in a `team/query.action` (ope 1) answer.
fn everyone(t: &TeamInfo) -> HashSet<String> {
    std::iter::once(t.owner.clone()).chain(t.admins.iter().cloned()).chain(t.members.iter().cloned()).collect()
}

/// Adds `users` as the owner, 200 a call; per user: added, `AlreadyExists`
/// (809), `NotFound` (in `faccid`) or the call's error.
pub(crate) async fn add_members(rest: &RestClient, tid: &str, users: &[String]) -> Result<Vec<BatchItem>, Error> {
    let t = team(rest, tid, true).await?;
    let present = everyone(&t);
    let mut results: Vec<(String, Option<Result<(), Error>>)> = Vec::with_capacity(users.len());
    let mut fresh: Vec<String> = Vec::new();
    for u in users {
        let outcome = match accid::validate(u) {
            Err(e) => Some(Err(e)),
            Ok(a) if present.contains(&a) || fresh.contains(&a) => {
                Some(Err(error_from_api(code::ALREADY_IN_TEAM, "already in the team")))
            }
            Ok(a) => {
                fresh.push(a);
                None
            }
        };
        results.push((u.clone(), outcome));
    }
    let mut refused: Vec<(String, Error)> = Vec::new();
    let mut done_any = false;
    for chunk in fresh.chunks(MAX_ADD_MEMBERS) {
        match add_chunk(rest, tid, &t.owner, chunk).await {
            Ok(failed) => {
                done_any = true;
                for f in failed {
                    refused.push((f, error_from_api(code::NOT_FOUND, "the account does not exist")));
                }
            }
            // Nothing was added yet: the whole call failed (e.g. 801 full).
            Err(e) if !done_any => return Err(e),
            Err(e) => refused.extend(chunk.iter().map(|a| (a.clone(), e.clone()))),
        }
    }
    Ok(results
        .into_iter()
        .map(|(user, outcome)| {
            let result = outcome.unwrap_or_else(|| {
                let lower = user.to_ascii_lowercase();
                match refused.iter().find(|(a, _)| *a == lower) {
                    Some((_, e)) => Err(e.clone()),
                    None => Ok(()),
                }
            });
            BatchItem { user, result }
        })
        .collect())
}

/// `team/kick.action` as the owner, 200 a call; users not in the team are skipped.
pub(crate) async fn remove_members(rest: &RestClient, tid: &str, users: &[String]) -> Result<(), Error> {
    let t = team(rest, tid, true).await?;
    let present = everyone(&t);
    let mut targets = Vec::new();
    for u in users {
        let a = accid::validate(u)?;
        if present.contains(&a) && !targets.contains(&a) {
            targets.push(a);
        }
    }
    for chunk in targets.chunks(MAX_ADD_MEMBERS) {
        let list = json_array(chunk);
        call(rest, "team/kick.action", &[("tid", tid), ("owner", &t.owner), ("members", &list)]).await?;
    }
    Ok(())
}

/// `team/remove.action` as the owner.
pub(crate) async fn dismiss(rest: &RestClient, tid: &str) -> Result<(), Error> {
    let owner = owner_of(rest, tid).await?;
    call(rest, "team/remove.action", &[("tid", tid), ("owner", &owner)]).await?;
    Ok(())
}

fn member_of(m: &TeamMemberInfo, role: Role) -> GroupMember {
    GroupMember {
        user: m.accid.clone(),
        role,
        joined_at_ms: m.createtime.max(0) as u64,
        muted_until_ms: m.mute.then_some(u64::MAX),
    }
}

/// One page of `team/queryDetail.action`'s members in join order.
pub(crate) async fn members(
    rest: &RestClient,
    tid: &str,
    cursor: Option<&MemberCursor>,
    limit: usize,
) -> Result<MemberPage, Error> {
    check_tid(tid)?;
    if limit == 0 {
        return Err(Error::invalid_input("a member page holds at least one member"));
    }
    let start = match cursor {
        None => 0,
        Some(c) => c.0.parse::<usize>().map_err(|_| Error::invalid_input("not a NetEase member cursor"))?,
    };
    const PATH: &str = "team/queryDetail.action";
    let mut reply = call(rest, PATH, &[("tid", tid)]).await?;
    let detail: TeamDetail = payload(PATH, "tinfo", reply.remove("tinfo"))?;
    let mut all: Vec<GroupMember> = detail.owner.iter().map(|o| member_of(o, Role::Owner)).collect();
    all.extend(detail.admins.iter().map(|m| member_of(m, Role::Admin)));
    all.extend(detail.members.iter().map(|m| member_of(m, Role::Member)));
    // Stable: members who joined in the same millisecond keep NetEase's order.
    all.sort_by_key(|m| m.joined_at_ms);
    let end = start.saturating_add(limit).min(all.len());
    let page: Vec<GroupMember> = all.get(start..end).map(<[GroupMember]>::to_vec).unwrap_or_default();
    let next = (end < all.len()).then(|| MemberCursor(end.to_string()));
    Ok(MemberPage { members: page, next })
}

/// `team/addManager.action` (Admin) or `team/removeManager.action` (Member), as the owner.
pub(crate) async fn set_role(rest: &RestClient, tid: &str, user: &str, role: Role) -> Result<(), Error> {
    let path = match role {
        Role::Admin => "team/addManager.action",
        Role::Member => "team/removeManager.action",
        Role::Owner => return Err(Error::invalid_input("make an owner by transferring the team")),
    };
    let user = accid::validate(user)?;
    let owner = owner_of(rest, tid).await?;
    let list = json_array(&[user]);
    call(rest, path, &[("tid", tid), ("owner", &owner), ("members", &list)]).await?;
    Ok(())
}

/// `team/changeOwner.action` with `leave` 2: the old owner stays as a member.
pub(crate) async fn transfer(rest: &RestClient, tid: &str, new_owner: &str) -> Result<(), Error> {
    let new_owner = accid::validate(new_owner)?;
    let owner = owner_of(rest, tid).await?;
    if owner == new_owner {
        return Ok(());
    }
    let fields = [("tid", tid), ("owner", owner.as_str()), ("newowner", new_owner.as_str()), ("leave", "2")];
    call(rest, "team/changeOwner.action", &fields).await?;
    Ok(())
}

/// `team/muteTlist.action` as the owner; a zero duration unmutes.
pub(crate) async fn mute(rest: &RestClient, tid: &str, user: &str, duration: MuteDuration) -> Result<(), Error> {
    let user = accid::validate(user)?;
    let owner = owner_of(rest, tid).await?;
    // Whole seconds, rounded up so a short mute is not lost.
    let secs = duration.as_secs() + u64::from(duration.subsec_nanos() > 0);
    let secs_text = secs.to_string();
    let mut fields = vec![("tid", tid), ("owner", owner.as_str()), ("accid", user.as_str())];
    if secs == 0 {
        fields.push(("mute", "0"));
    } else {
        fields.push(("mute", "1"));
        fields.push(("muteDuration", secs_text.as_str()));
    }
    call(rest, "team/muteTlist.action", &fields).await?;
    Ok(())
}

/// `team/joinTeams.action`, then `team/query.action` for the full settings.
pub(crate) async fn joined(rest: &RestClient, user: &str) -> Result<Vec<Group>, Error> {
    let user = accid::validate(user)?;
    const PATH: &str = "team/joinTeams.action";
    let mut reply = call(rest, PATH, &[("accid", &user)]).await?;
    let infos: Vec<JoinedTeam> = match reply.remove("infos") {
        None | Some(Value::Null) => Vec::new(),
        v => payload(PATH, "infos", v)?,
    };
    let tids: Vec<String> = infos.into_iter().map(|t| t.tid).collect();
    let mut out = Vec::with_capacity(tids.len());
    for chunk in tids.chunks(QUERY_TIDS) {
        let found = query(rest, chunk, false).await?;
        for tid in chunk {
            if let Some(t) = found.iter().find(|t| &t.tid == tid) {
                out.push(group_of(t));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pair_maps_and_maps_back() {
        for kind in [GroupKind::Private, GroupKind::Public] {
            for policy in [JoinPolicy::InviteOnly, JoinPolicy::Approval, JoinPolicy::Free] {
                let (join, invite) = modes(kind, policy);
                assert_eq!(neutral(join, invite), (kind, policy));
            }
        }
        assert_eq!(modes(GroupKind::Private, JoinPolicy::InviteOnly), (2, 1));
        assert_eq!(modes(GroupKind::Public, JoinPolicy::Free), (0, 0));
        assert_eq!(check_tid("12a").unwrap_err().kind, ErrorKind::NotFound);
        assert!(check_tid("3000000001").is_ok());
    }
}
