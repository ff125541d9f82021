//! Teams (NetEase's groups) over the web link, service 8
//! (docs/protocols/netease.md "Teams"): the session's group calls as team
//! commands, and the team notifications (`8_3` team messages of type 5)
//! and application system messages (`7_3` type 0) as [`Event::Group`].
//!
//! The neutral (kind, policy) pair maps to `inviteMode` (Private = every
//! member invites, Public = managers) and `joinMode` (Free 0, Approval 1,
//! InviteOnly 2); invitees join without consent (`beInviteMode` 1). Every
//! pair exists on NetEase.
//!
//! **Member pages.** `8_11` returns the whole member list; a page is a
//! slice of it in join order, the cursor the offset of the next member.
//! **Mutes.** `8_25` mutes until unmuted; the length rides as a fourth
//! parameter that unim's emulator reads (NetEase's cloud ignores it).

use super::Inner;
use crate::error::{code, error_from_api};
use crate::link::ids::{
    member_type, msg as mtag, sys_msg, team as ttag, team_member as mbtag, team_notification as op,
};
use crate::link::{cmd, Command, Param, Property, Response};
use crate::message::number;
use crate::rest::teams::{invitemode, joinmode, MAX_ADD_MEMBERS};
#[cfg(test)]
use serde_json::json;
use serde_json::Value;
use unim_core::{
    BatchItem, Error, ErrorKind, Event, Group, GroupEvent, GroupKind, GroupMember, GroupSpec, GroupUpdate, JoinOutcome,
    JoinPolicy, MemberCursor, MemberPage, MuteDuration, Role,
};

/// Team type 1: an advanced team.
const TYPE_ADVANCED: i64 = 1;
/// `beInviteMode` 1: invitees join without accepting.
const BE_INVITE_NO_VERIFY: i64 = 1;

/// A tid as the `Long` parameter the team commands take.
pub(crate) fn tid_param(tid: &str) -> Result<Param, Error> {
    let n: u64 = tid.parse().map_err(|_| Error::invalid_input(format!("{tid:?} is not a NetEase tid")))?;
    Ok(Param::scalar("Long", n))
}

fn joinmode_of(policy: JoinPolicy) -> i64 {
    match policy {
        JoinPolicy::Free => joinmode::FREE,
        JoinPolicy::Approval => joinmode::APPROVAL,
        JoinPolicy::InviteOnly => joinmode::INVITE_ONLY,
    }
}

fn malformed(what: &str) -> impl Fn(crate::link::PacketError) -> Error + '_ {
    move |e| Error::protocol(format!("the {what} reply is malformed: {e}"))
}

/// A team Property as a neutral group.
pub(crate) fn group_of(t: &Property) -> Result<Group, Error> {
    let id = t.str(ttag::TEAM_ID).filter(|i| !i.is_empty()).ok_or_else(|| Error::protocol("a team has no tid"))?;
    let num = |tag: u32| t.get(tag).and_then(number).unwrap_or(0);
    let kind = if t.int(ttag::INVITE_MODE) == Some(invitemode::ALL) { GroupKind::Private } else { GroupKind::Public };
    let join_policy = match t.int(ttag::JOIN_MODE) {
        Some(joinmode::FREE) => JoinPolicy::Free,
        Some(joinmode::APPROVAL) => JoinPolicy::Approval,
        _ => JoinPolicy::InviteOnly,
    };
    Ok(Group {
        id,
        name: t.str(ttag::NAME).unwrap_or_default(),
        introduction: t.str(ttag::INTRO).filter(|i| !i.is_empty()),
        kind,
        join_policy,
        owner: t.str(ttag::OWNER).filter(|o| !o.is_empty()),
        member_count: u32::try_from(num(ttag::MEMBER_NUM)).unwrap_or(u32::MAX),
        max_members: u32::try_from(num(ttag::LEVEL)).unwrap_or(u32::MAX),
        created_at_ms: num(ttag::CREATE_TIME),
    })
}

/// A teamMember Property as a neutral member.
fn member_of(m: &Property) -> Option<GroupMember> {
    let user = m.str(mbtag::ACCOUNT).filter(|a| !a.is_empty())?;
    let role = match m.int(mbtag::TYPE) {
        Some(member_type::OWNER) => Role::Owner,
        Some(member_type::MANAGER) => Role::Admin,
        _ => Role::Member,
    };
    let muted = m.int(mbtag::MUTE) == Some(1);
    Some(GroupMember {
        user,
        role,
        joined_at_ms: m.get(mbtag::JOIN_TIME).and_then(number).unwrap_or(0),
        muted_until_ms: muted.then(|| m.get(mbtag::MUTE_END).and_then(number).unwrap_or(u64::MAX)),
    })
}

/// The accids of a JSON list.
fn accounts(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

/// The group events of a team notification (`None`: not one unim reads).
pub(crate) fn events_of_notification(msg: &Property) -> Option<Vec<GroupEvent>> {
    let group = msg.str(mtag::TO).filter(|t| !t.is_empty())?;
    let from = msg.str(mtag::FROM).unwrap_or_default();
    let attach: Value = serde_json::from_str(&msg.str(mtag::ATTACH)?).ok()?;
    let data = attach.get("data").cloned().unwrap_or(Value::Null);
    let id = data.get("id").and_then(Value::as_str).map(str::to_owned);
    let g = || group.clone();
    let each = |f: &dyn Fn(String) -> GroupEvent| accounts(data.get("ids")).into_iter().map(f).collect::<Vec<_>>();
    let events = match attach.get("id").and_then(Value::as_i64)? {
        op::ADD_MEMBERS => each(&|user| GroupEvent::MemberJoined { group: g(), user, by: Some(from.clone()) }),
        op::REMOVE_MEMBERS => each(&|user| GroupEvent::MemberRemoved { group: g(), user, by: Some(from.clone()) }),
        op::LEAVE => vec![GroupEvent::MemberLeft { group: g(), user: from.clone() }],
        op::UPDATE => {
            let tinfo = data.get("tinfo").cloned().unwrap_or(Value::Null);
            let field = |tag: &str| tinfo.get(tag).and_then(Value::as_str).map(str::to_owned);
            vec![GroupEvent::InfoChanged { group: g(), name: field("3"), introduction: field("14") }]
        }
        op::DISMISS => vec![GroupEvent::Dismissed { group: g(), by: Some(from.clone()) }],
        op::PASS_APPLY => {
            let user = id?;
            let by = (user != from).then(|| from.clone());
            vec![GroupEvent::MemberJoined { group: g(), user, by }]
        }
        op::ACCEPT_INVITE => vec![GroupEvent::MemberJoined { group: g(), user: from.clone(), by: None }],
        op::TRANSFER => vec![
            GroupEvent::RoleChanged { group: g(), user: id?, role: Role::Owner },
            GroupEvent::RoleChanged { group: g(), user: from.clone(), role: Role::Member },
        ],
        op::ADD_MANAGERS => each(&|user| GroupEvent::RoleChanged { group: g(), user, role: Role::Admin }),
        op::REMOVE_MANAGERS => each(&|user| GroupEvent::RoleChanged { group: g(), user, role: Role::Member }),
        op::UPDATE_MUTE => {
            let muted = data.get("mute").and_then(number) == Some(1);
            let end = data.get("muteEnd").and_then(number).unwrap_or(u64::MAX);
            vec![GroupEvent::MemberMuted { group: g(), user: id?, until_ms: muted.then_some(end) }]
        }
        _ => return None,
    };
    Some(events)
}

impl Inner {
    /// One team command; the reply when its code is 200 or one of `also`.
    async fn team_call(&self, command: Command, name: &str, q: Vec<Param>, also: &[i64]) -> Result<Response, Error> {
        let conn = self.live_link()?;
        tracing::debug!(target: "unim::calls", call = %format!("link {command} {name}"));
        let reply = conn.request(command, q, self.options.request_timeout).await?;
        if reply.code == code::OK || also.contains(&reply.code) {
            Ok(reply)
        } else {
            Err(error_from_api(reply.code, &format!("{command} {name} refused")))
        }
    }

    /// Emits the group events of a team notification.
    pub(crate) fn on_team_notification(&self, msg: &Property) {
        match events_of_notification(msg) {
            Some(events) => events.into_iter().for_each(|change| self.emit(Event::Group { change })),
            None => tracing::debug!("ignored a team notification unim does not read"),
        }
    }

    /// A `7_3` system message: a team application becomes `JoinRequested`.
    pub(crate) fn on_sys_msg(&self, push: &Response) {
        let Ok(p) = push.property(0) else {
            tracing::warn!("ignored a malformed 7_3 system message");
            return;
        };
        if p.int(sys_msg::TYPE) != Some(sys_msg::TYPE_APPLY_TEAM) {
            return;
        }
        let (Some(group), Some(applicant)) = (p.str(sys_msg::TO), p.str(sys_msg::FROM)) else { return };
        let message = p.str(sys_msg::PS).filter(|m| !m.is_empty());
        self.emit(Event::Group { change: GroupEvent::JoinRequested { group, applicant, message } });
    }

    /// `8_1` createTeam (and `8_5` for members beyond one call's limit).
    pub(crate) async fn create_team(&self, spec: &GroupSpec) -> Result<Group, Error> {
        let me = self.me()?;
        if spec.owner.as_deref().is_some_and(|o| !o.eq_ignore_ascii_case(&me)) {
            return Err(Error::invalid_input("a session creates teams it owns; leave spec.owner empty"));
        }
        if spec.name.trim().is_empty() {
            return Err(Error::invalid_input("a team needs a name"));
        }
        let invite = match spec.kind {
            GroupKind::Private => invitemode::ALL,
            GroupKind::Public => invitemode::MANAGERS,
        };
        let mut t = Property::new()
            .with(ttag::NAME, spec.name.as_str())
            .with(ttag::TYPE, TYPE_ADVANCED)
            .with(ttag::JOIN_MODE, joinmode_of(spec.join_policy))
            .with(ttag::INVITE_MODE, invite)
            .with(ttag::BE_INVITE_MODE, BE_INVITE_NO_VERIFY);
        if let Some(intro) = &spec.introduction {
            t.set(ttag::INTRO, intro.as_str());
        }
        if let Some(max) = spec.max_members {
            t.set(ttag::LEVEL, max);
        }
        let members: Vec<String> = spec.members.iter().map(|m| m.to_ascii_lowercase()).filter(|m| *m != me).collect();
        let (first, rest) = members.split_at(members.len().min(MAX_ADD_MEMBERS));
        let q = vec![
            Param::property(t),
            Param::str_array(first.to_vec()),
            Param::scalar("String", ""),
            Param::property(Property::new()),
        ];
        let reply = self.team_call(cmd::CREATE_TEAM, "createTeam", q, &[]).await?;
        let mut group = group_of(&reply.property(0).map_err(malformed("8_1"))?)?;
        if !rest.is_empty() {
            for item in self.add_team_members(&group.id, rest).await? {
                item.result?;
            }
            group = self.team_info(&group.id).await?;
        }
        Ok(group)
    }

    /// `8_9` getTeam.
    pub(crate) async fn team_info(&self, tid: &str) -> Result<Group, Error> {
        let reply = self.team_call(cmd::GET_TEAM, "getTeam", vec![tid_param(tid)?], &[]).await?;
        group_of(&reply.property(0).map_err(malformed("8_9"))?)
    }

    /// `8_7` updateTeam with the name and introduction given.
    pub(crate) async fn update_team(&self, tid: &str, update: &GroupUpdate) -> Result<(), Error> {
        tid_param(tid)?;
        let mut t = Property::new().with(ttag::TEAM_ID, tid);
        if let Some(name) = &update.name {
            t.set(ttag::NAME, name.as_str());
        }
        if let Some(intro) = &update.introduction {
            t.set(ttag::INTRO, intro.as_str());
        }
        let q = vec![Param::property(t), Param::property(Property::new())];
        self.team_call(cmd::UPDATE_TEAM, "updateTeam", q, &[]).await.map(drop)
    }

    /// The members of `tid` in join order (`8_11`).
    async fn all_members(&self, tid: &str) -> Result<Vec<GroupMember>, Error> {
        let q = vec![tid_param(tid)?, Param::scalar("Long", 0)];
        let reply = self.team_call(cmd::GET_TEAM_MEMBERS, "getTeamMembers", q, &[]).await?;
        let list = if reply.r.len() > 1 { reply.properties(1).map_err(malformed("8_11"))? } else { Vec::new() };
        let mut members: Vec<GroupMember> = list.iter().filter_map(member_of).collect();
        members.sort_by_key(|m| m.joined_at_ms);
        Ok(members)
    }

    /// `8_5` in batches of at most 200, after `8_11` to tell who is in already.
    pub(crate) async fn add_team_members(&self, tid: &str, users: &[String]) -> Result<Vec<BatchItem>, Error> {
        let current: Vec<String> = self.all_members(tid).await?.into_iter().map(|m| m.user).collect();
        let mut fresh: Vec<String> = Vec::new();
        let mut items: Vec<BatchItem> = Vec::new();
        for user in users {
            let u = user.to_ascii_lowercase();
            if current.contains(&u) {
                let e = Error::new(ErrorKind::AlreadyExists, format!("{user} is in the team already"));
                items.push(BatchItem { user: user.clone(), result: Err(e) });
            } else {
                if !fresh.contains(&u) {
                    fresh.push(u);
                }
                items.push(BatchItem { user: user.clone(), result: Ok(()) });
            }
        }
        let mut aborted: Vec<String> = Vec::new();
        for batch in fresh.chunks(MAX_ADD_MEMBERS) {
            let q = vec![
                tid_param(tid)?,
                Param::str_array(batch.to_vec()),
                Param::scalar("String", ""),
                Param::scalar("String", ""),
            ];
            let reply = self.team_call(cmd::ADD_TEAM_MEMBERS, "addTeamMembers", q, &[]).await?;
            if let Ok(v) = reply.value(1) {
                aborted.extend(Param { t: "StrArray".into(), v: v.clone() }.as_strings().unwrap_or_default());
            }
        }
        for item in &mut items {
            if item.result.is_ok() && aborted.iter().any(|a| a.eq_ignore_ascii_case(&item.user)) {
                item.result = Err(Error::new(ErrorKind::NotFound, format!("no NetEase accid {}", item.user)));
            }
        }
        Ok(items)
    }

    /// `8_6` removeTeamMembers, at most 200 a call.
    pub(crate) async fn remove_team_members(&self, tid: &str, users: &[String]) -> Result<(), Error> {
        let users: Vec<String> = users.iter().map(|u| u.to_ascii_lowercase()).collect();
        for batch in users.chunks(MAX_ADD_MEMBERS) {
            let q = vec![tid_param(tid)?, Param::str_array(batch.to_vec())];
            self.team_call(cmd::REMOVE_TEAM_MEMBERS, "removeTeamMembers", q, &[]).await?;
        }
        Ok(())
    }

    /// `8_13` applyTeam: 200 joined, 808 waiting for a manager.
    pub(crate) async fn apply_team(&self, tid: &str, message: Option<&str>) -> Result<JoinOutcome, Error> {
        let q = vec![tid_param(tid)?, Param::scalar("String", message.unwrap_or_default())];
        let reply = self.team_call(cmd::APPLY_TEAM, "applyTeam", q, &[code::APPLICATION_SENT]).await?;
        Ok(if reply.code == code::APPLICATION_SENT { JoinOutcome::Pending } else { JoinOutcome::Joined })
    }

    /// `8_14` passTeamApply or `8_15` rejectTeamApply.
    pub(crate) async fn decide_team_apply(&self, tid: &str, applicant: &str, accept: bool) -> Result<(), Error> {
        let mut q = vec![tid_param(tid)?, Param::scalar("String", applicant.to_ascii_lowercase())];
        let (command, name) = if accept {
            (cmd::PASS_TEAM_APPLY, "passTeamApply")
        } else {
            q.push(Param::scalar("String", ""));
            (cmd::REJECT_TEAM_APPLY, "rejectTeamApply")
        };
        self.team_call(command, name, q, &[]).await.map(drop)
    }

    /// `8_8` leaveTeam or `8_12` dismissTeam.
    pub(crate) async fn leave_or_dismiss(&self, tid: &str, dismiss: bool) -> Result<(), Error> {
        let (command, name) = if dismiss { (cmd::DISMISS_TEAM, "dismissTeam") } else { (cmd::LEAVE_TEAM, "leaveTeam") };
        self.team_call(command, name, vec![tid_param(tid)?], &[]).await.map(drop)
    }

    /// A page of `8_11`'s list from the cursor's offset.
    pub(crate) async fn team_members(
        &self,
        tid: &str,
        cursor: Option<&MemberCursor>,
        limit: usize,
    ) -> Result<MemberPage, Error> {
        let start: usize = match cursor {
            None => 0,
            Some(c) => c.0.parse().map_err(|_| Error::invalid_input("not a NetEase member cursor"))?,
        };
        let all = self.all_members(tid).await?;
        let end = start.saturating_add(limit.max(1)).min(all.len());
        let members = all.get(start..end).map(<[GroupMember]>::to_vec).unwrap_or_default();
        let next = (end < all.len()).then(|| MemberCursor(end.to_string()));
        Ok(MemberPage { members, next })
    }

    /// `8_16` addTeamManagers or `8_17` removeTeamManagers.
    pub(crate) async fn set_team_role(&self, tid: &str, user: &str, role: Role) -> Result<(), Error> {
        let (command, name) = match role {
            Role::Admin => (cmd::ADD_TEAM_MANAGERS, "addTeamManagers"),
            Role::Member => (cmd::REMOVE_TEAM_MANAGERS, "removeTeamManagers"),
            Role::Owner => return Err(Error::invalid_input("make an owner with transfer_group")),
        };
        let q = vec![tid_param(tid)?, Param::str_array([user.to_ascii_lowercase()])];
        self.team_call(command, name, q, &[]).await.map(drop)
    }

    /// `8_18` transferTeam, the old owner staying as a member.
    pub(crate) async fn transfer_team(&self, tid: &str, new_owner: &str) -> Result<(), Error> {
        let q = vec![
            tid_param(tid)?,
            Param::scalar("String", new_owner.to_ascii_lowercase()),
            Param::scalar("bool", false),
        ];
        self.team_call(cmd::TRANSFER_TEAM, "transferTeam", q, &[]).await.map(drop)
    }

    /// `8_25` updateMuteStateInTeam; zero unmutes.
    pub(crate) async fn mute_team_member(&self, tid: &str, user: &str, duration: MuteDuration) -> Result<(), Error> {
        let secs = duration.as_secs() + u64::from(duration.subsec_nanos() > 0);
        let q = vec![
            tid_param(tid)?,
            Param::scalar("String", user.to_ascii_lowercase()),
            Param::scalar("Int", i64::from(secs > 0)),
            Param::scalar("Long", secs),
        ];
        self.team_call(cmd::UPDATE_MUTE_STATE_IN_TEAM, "updateMuteStateInTeam", q, &[]).await.map(drop)
    }

    /// `8_10` getTeams.
    pub(crate) async fn my_teams(&self) -> Result<Vec<Group>, Error> {
        let reply = self.team_call(cmd::GET_TEAMS, "getTeams", vec![Param::scalar("Long", 0)], &[]).await?;
        let list = if reply.r.is_empty() { Vec::new() } else { reply.properties(0).map_err(malformed("8_10"))? };
        list.iter().map(group_of).collect()
    }
}

/// A check of the wire JSON the tests build notifications with.
#[cfg(test)]
fn note(op: i64, from: &str, data: Value) -> Property {
    Property::new()
        .with(mtag::SCENE, 1)
        .with(mtag::TO, "3000000001")
        .with(mtag::FROM, from)
        .with(mtag::TYPE, op::MSG_TYPE)
        .with(mtag::ATTACH, json!({ "id": op, "data": data }).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notifications_become_group_events() {
        let g = || "3000000001".to_string();
        let added = events_of_notification(&note(op::ADD_MEMBERS, "alice", json!({"ids": ["bob", "carol"]}))).unwrap();
        assert_eq!(added.len(), 2);
        assert_eq!(added[1], GroupEvent::MemberJoined { group: g(), user: "carol".into(), by: Some("alice".into()) });
        let joined = events_of_notification(&note(op::PASS_APPLY, "dave", json!({"id": "dave"}))).unwrap();
        assert_eq!(joined, vec![GroupEvent::MemberJoined { group: g(), user: "dave".into(), by: None }]);
        let moved = events_of_notification(&note(op::TRANSFER, "alice", json!({"id": "bob"}))).unwrap();
        assert_eq!(moved[0], GroupEvent::RoleChanged { group: g(), user: "bob".into(), role: Role::Owner });
        assert_eq!(moved[1], GroupEvent::RoleChanged { group: g(), user: "alice".into(), role: Role::Member });
        let muted =
            events_of_notification(&note(op::UPDATE_MUTE, "alice", json!({"id": "bob", "mute": 1, "muteEnd": 9})))
                .unwrap();
        assert_eq!(muted, vec![GroupEvent::MemberMuted { group: g(), user: "bob".into(), until_ms: Some(9) }]);
        let info =
            events_of_notification(&note(op::UPDATE, "alice", json!({"tinfo": {"1": "3000000001", "3": "new"}})))
                .unwrap();
        assert_eq!(info, vec![GroupEvent::InfoChanged { group: g(), name: Some("new".into()), introduction: None }]);
        assert!(events_of_notification(&note(99, "alice", json!({}))).is_none());
        assert!(events_of_notification(&Property::new().with(mtag::TO, "1").with(mtag::ATTACH, "not json")).is_none());
    }

    #[test]
    fn teams_and_members_read_from_their_properties() {
        let t = Property::new()
            .with(ttag::TEAM_ID, "3000000001")
            .with(ttag::NAME, "g")
            .with(ttag::INVITE_MODE, 1)
            .with(ttag::JOIN_MODE, 1)
            .with(ttag::MEMBER_NUM, 3)
            .with(ttag::LEVEL, "200");
        let g = group_of(&t).unwrap();
        assert_eq!(
            (g.kind, g.join_policy, g.member_count, g.max_members),
            (GroupKind::Private, JoinPolicy::Approval, 3, 200)
        );
        assert!(group_of(&Property::new()).is_err());
        let m = Property::new().with(mbtag::ACCOUNT, "bob").with(mbtag::TYPE, 2).with(mbtag::MUTE, 1);
        let m = member_of(&m).unwrap();
        assert_eq!((m.role, m.muted_until_ms), (Role::Admin, Some(u64::MAX)));
        assert!(tid_param("12x").is_err());
    }
}
