//! The engine's groups: members and roles, join applications, mutes, and
//! who may do what. Each face passes its vendor's [`GroupRules`] when it
//! creates a group and maps [`GroupError`]s to its vendor's codes; every
//! change comes back as [`GroupChange`]s (a neutral [`GroupEvent`] and the
//! users to tell) for the face to push over its own links.

use std::collections::HashMap;
use unim_core::{GroupEvent, GroupKind, GroupSpec, JoinOutcome, JoinPolicy, OwnerLeave, Role};

/// Who asks: the app server's admin (owner-equivalent everywhere) or a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor<'a> {
    /// The app admin (REST with the app's credentials).
    App,
    /// A user (a client link, or a REST call naming its operator).
    User(&'a str),
}

impl<'a> Actor<'a> {
    /// The user, when it is one.
    pub fn user(&self) -> Option<&'a str> {
        match self {
            Actor::App => None,
            Actor::User(u) => Some(u),
        }
    }
}

/// A vendor's group rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupRules {
    /// In a `Private` group any member may add people (else owner and admins only).
    pub private_members_invite: bool,
    /// In a `Private` group any member may change the name and introduction.
    pub private_members_edit: bool,
    /// In a `Private` group the owner may dismiss it (else the app admin only).
    pub private_owner_dismiss: bool,
    /// `Private` groups have admins and mutes.
    pub private_admins_and_mutes: bool,
    /// What happens when the owner of a `Private` group leaves.
    pub private_owner_leave: OwnerLeave,
    /// What happens when the owner of a `Public` group leaves.
    pub public_owner_leave: OwnerLeave,
    /// Admins besides the owner (0: no limit).
    pub max_admins: u32,
    /// The member limit of a group created without one.
    pub default_max_members: u32,
    /// The largest member limit allowed.
    pub max_members_cap: u32,
}

impl GroupRules {
    /// Rules where the owner and admins manage, members may not, and the owner
    /// must hand over before leaving: Easemob's as they are (easemob.md
    /// section 5: at most 99 admins besides the owner, `maxusers` 200 unless
    /// asked, 3000 on the flagship plan), NetEase's with its own limits.
    pub const MANAGED: GroupRules = GroupRules {
        private_members_invite: true,
        private_members_edit: false,
        private_owner_dismiss: true,
        private_admins_and_mutes: true,
        private_owner_leave: OwnerLeave::Refused,
        public_owner_leave: OwnerLeave::Refused,
        max_admins: 99,
        default_max_members: 200,
        max_members_cap: 3000,
    };
}

/// One member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRecord {
    /// The user.
    pub user: String,
    /// Owner, admin or member.
    pub role: Role,
    /// When they joined, Unix milliseconds.
    pub joined_ms: u64,
    /// Until when they may not send, Unix milliseconds (0: not muted).
    pub muted_until_ms: u64,
}

/// A group as the engine keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupRecord {
    /// The face's id.
    pub id: String,
    /// The engine's creation order (faces build ids from it).
    pub number: u64,
    /// Private or public.
    pub kind: GroupKind,
    /// How others join.
    pub join_policy: JoinPolicy,
    /// The name.
    pub name: String,
    /// The introduction.
    pub introduction: Option<String>,
    /// The owner (`None` after a Tencent Work owner left).
    pub owner: Option<String>,
    /// Members in the order they joined, owner included.
    pub members: Vec<MemberRecord>,
    /// The member limit.
    pub max_members: u32,
    /// When it was created, Unix milliseconds.
    pub created_ms: u64,
    /// When its settings last changed, Unix milliseconds.
    pub updated_ms: u64,
    /// Applications waiting for approval: (applicant, message).
    pub pending: Vec<(String, Option<String>)>,
    /// The vendor's rules for it.
    pub rules: GroupRules,
    /// Vendor fields the engine does not interpret (Tencent `Notification`,
    /// NetEase `custom`, ...), kept for the face that set them.
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl GroupRecord {
    /// The member record of `user`.
    pub fn member(&self, user: &str) -> Option<&MemberRecord> {
        self.members.iter().find(|m| m.user == user)
    }

    /// The role of `user`, when a member.
    pub fn role_of(&self, user: &str) -> Option<Role> {
        self.member(user).map(|m| m.role)
    }

    /// Every member's user id, in join order.
    pub fn member_ids(&self) -> Vec<String> {
        self.members.iter().map(|m| m.user.clone()).collect()
    }

    /// The owner and admins: who hears of join applications.
    pub fn managers(&self) -> Vec<String> {
        self.members.iter().filter(|m| m.role != Role::Member).map(|m| m.user.clone()).collect()
    }

    fn member_mut(&mut self, user: &str) -> Option<&mut MemberRecord> {
        self.members.iter_mut().find(|m| m.user == user)
    }

    fn private(&self) -> bool {
        self.kind == GroupKind::Private
    }
}

/// Why a group operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GroupError {
    /// No such group (or it was dismissed).
    #[error("group {0} does not exist")]
    NoSuchGroup(String),
    /// The user does not exist.
    #[error("user {0} does not exist")]
    NoSuchUser(String),
    /// The actor (or the target) is not a member.
    #[error("{0} is not a member of the group")]
    NotMember(String),
    /// The actor may not do this.
    #[error("permission denied: {0}")]
    Denied(String),
    /// The group would exceed its member limit.
    #[error("the group is full ({limit} members)")]
    Full {
        /// The limit.
        limit: u32,
    },
    /// The user is a member already.
    #[error("{0} is already a member")]
    AlreadyMember(String),
    /// The sender is muted until `until_ms`.
    #[error("muted until {until_ms} ms")]
    Muted {
        /// When the mute ends, Unix milliseconds.
        until_ms: u64,
    },
    /// The owner may not leave without handing the group over.
    #[error("the owner cannot leave the group; transfer or dismiss it first")]
    OwnerCannotLeave,
    /// Applying is not allowed in this group.
    #[error("this group does not accept applications")]
    InviteOnly,
    /// No application of that user is waiting.
    #[error("no pending application from {0}")]
    NoApplication(String),
    /// The request itself is wrong.
    #[error("invalid request: {0}")]
    Invalid(String),
}

/// One thing to tell: the event and the users to tell it to.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupChange {
    /// What happened.
    pub event: GroupEvent,
    /// Who should hear it (online links of these users).
    pub notify: Vec<String>,
    /// The group after the change (before it, for a dismissal).
    pub group: GroupRecord,
}

/// What an operation did.
pub type Changes = Vec<GroupChange>;

/// The store behind the engine's group methods.
#[derive(Debug, Default)]
pub(crate) struct Groups {
    next_number: u64,
    by_id: HashMap<String, GroupRecord>,
}

type Outcome<T> = Result<(T, Changes), GroupError>;

fn change(event: GroupEvent, notify: Vec<String>, group: &GroupRecord) -> GroupChange {
    GroupChange { event, notify, group: group.clone() }
}

fn by(actor: Actor<'_>) -> Option<String> {
    actor.user().map(str::to_owned)
}

impl Groups {
    /// The group, when it exists.
    pub(crate) fn get(&self, id: &str) -> Result<&GroupRecord, GroupError> {
        self.by_id.get(id).ok_or_else(|| GroupError::NoSuchGroup(id.to_owned()))
    }

    fn get_mut(&mut self, id: &str) -> Result<&mut GroupRecord, GroupError> {
        self.by_id.get_mut(id).ok_or_else(|| GroupError::NoSuchGroup(id.to_owned()))
    }

    /// Creates a group; `id` makes the face's id from the engine's number
    /// (`None`: an id the face already holds is taken). `exists` says which
    /// users exist.
    pub(crate) fn create(
        &mut self,
        actor: Actor<'_>,
        spec: &GroupSpec,
        rules: GroupRules,
        now_ms: u64,
        id: impl FnOnce(u64) -> String,
        exists: impl Fn(&str) -> bool,
    ) -> Outcome<GroupRecord> {
        let owner = match (actor, spec.owner.as_deref()) {
            (Actor::User(u), None) => Some(u.to_owned()),
            (Actor::User(u), Some(o)) if o == u => Some(u.to_owned()),
            (Actor::User(_), Some(_)) => return Err(GroupError::Denied("a user creates groups it owns".into())),
            (Actor::App, owner) => owner.map(str::to_owned),
        };
        let max_members = spec.max_members.unwrap_or(rules.default_max_members);
        if max_members == 0 || max_members > rules.max_members_cap {
            return Err(GroupError::Invalid(format!(
                "member limit {max_members} is outside 1..={}",
                rules.max_members_cap
            )));
        }
        let mut users: Vec<String> = owner.iter().cloned().collect();
        for m in &spec.members {
            if !users.contains(m) {
                users.push(m.clone());
            }
        }
        if let Some(missing) = users.iter().find(|u| !exists(u)) {
            return Err(GroupError::NoSuchUser(missing.clone()));
        }
        if users.len() > max_members as usize {
            return Err(GroupError::Full { limit: max_members });
        }
        self.next_number += 1;
        let number = self.next_number;
        let id = id(number);
        if self.by_id.contains_key(&id) {
            return Err(GroupError::Invalid(format!("group id {id} is in use")));
        }
        let members = users
            .iter()
            .map(|u| MemberRecord {
                user: u.clone(),
                role: if Some(u) == owner.as_ref() { Role::Owner } else { Role::Member },
                joined_ms: now_ms,
                muted_until_ms: 0,
            })
            .collect();
        let record = GroupRecord {
            id: id.clone(),
            number,
            kind: spec.kind,
            join_policy: spec.join_policy,
            name: spec.name.clone(),
            introduction: spec.introduction.clone(),
            owner: owner.clone(),
            members,
            max_members,
            created_ms: now_ms,
            updated_ms: now_ms,
            pending: Vec::new(),
            rules,
            extra: serde_json::Map::new(),
        };
        self.by_id.insert(id.clone(), record.clone());
        let everyone = record.member_ids();
        let changes = spec
            .members
            .iter()
            .filter(|m| Some(*m) != owner.as_ref())
            .map(|m| {
                change(
                    GroupEvent::MemberJoined { group: id.clone(), user: m.clone(), by: owner.clone() },
                    everyone.clone(),
                    &record,
                )
            })
            .collect();
        Ok((record, changes))
    }

    fn require_member(group: &GroupRecord, actor: Actor<'_>) -> Result<Option<Role>, GroupError> {
        match actor {
            Actor::App => Ok(None),
            Actor::User(u) => group.role_of(u).map(Some).ok_or_else(|| GroupError::NotMember(u.to_owned())),
        }
    }

    /// `None` role = the app admin.
    fn is_manager(role: Option<Role>) -> bool {
        !matches!(role, Some(Role::Member))
    }

    /// Changes the name and introduction.
    pub(crate) fn update(
        &mut self,
        actor: Actor<'_>,
        id: &str,
        name: Option<String>,
        introduction: Option<String>,
        now_ms: u64,
    ) -> Outcome<()> {
        let group = self.get_mut(id)?;
        let role = Self::require_member(group, actor)?;
        let members_may = group.private() && group.rules.private_members_edit;
        if !(Self::is_manager(role) || members_may) {
            return Err(GroupError::Denied("only the owner and admins may change the group".into()));
        }
        if let Some(n) = &name {
            group.name = n.clone();
        }
        if let Some(i) = &introduction {
            group.introduction = Some(i.clone());
        }
        group.updated_ms = now_ms;
        let event = GroupEvent::InfoChanged { group: id.to_owned(), name, introduction };
        Ok(((), vec![change(event, group.member_ids(), group)]))
    }

    /// Adds users; per user: `Ok(true)` added, `Ok(false)` already a member.
    /// A batch that would overfill the group is refused whole.
    pub(crate) fn add(
        &mut self,
        actor: Actor<'_>,
        id: &str,
        users: &[String],
        now_ms: u64,
        exists: impl Fn(&str) -> bool,
    ) -> Outcome<Vec<(String, Result<bool, GroupError>)>> {
        let group = self.get_mut(id)?;
        let role = Self::require_member(group, actor)?;
        let members_may = group.private() && group.rules.private_members_invite;
        if !(Self::is_manager(role) || members_may) {
            return Err(GroupError::Denied("only the owner and admins may add members".into()));
        }
        let mut fresh: Vec<&String> = Vec::new();
        for u in users {
            if exists(u) && group.member(u).is_none() && !fresh.contains(&u) {
                fresh.push(u);
            }
        }
        if group.members.len() + fresh.len() > group.max_members as usize {
            return Err(GroupError::Full { limit: group.max_members });
        }
        let mut outcome = Vec::new();
        let mut changes = Vec::new();
        for u in users {
            let result = if !exists(u) {
                Err(GroupError::NoSuchUser(u.clone()))
            } else if group.member(u).is_some() {
                Ok(false)
            } else {
                group.members.push(MemberRecord {
                    user: u.clone(),
                    role: Role::Member,
                    joined_ms: now_ms,
                    muted_until_ms: 0,
                });
                group.pending.retain(|(a, _)| a != u);
                let event = GroupEvent::MemberJoined { group: id.to_owned(), user: u.clone(), by: by(actor) };
                changes.push(change(event, group.member_ids(), group));
                Ok(true)
            };
            outcome.push((u.clone(), result));
        }
        Ok((outcome, changes))
    }

    /// Removes members (never the owner; an admin only plain members).
    pub(crate) fn remove(&mut self, actor: Actor<'_>, id: &str, users: &[String]) -> Outcome<()> {
        let group = self.get_mut(id)?;
        let role = Self::require_member(group, actor)?;
        for u in users {
            let target = group.role_of(u);
            match (role, target) {
                (_, None) => {}
                (_, Some(Role::Owner)) => return Err(GroupError::Denied("the owner cannot be removed".into())),
                (None | Some(Role::Owner), _) => {}
                (Some(Role::Admin), Some(Role::Member)) => {}
                (Some(Role::Admin), Some(Role::Admin)) => {
                    return Err(GroupError::Denied("an admin may remove only plain members".into()))
                }
                (Some(Role::Member), _) => {
                    return Err(GroupError::Denied("only the owner and admins may remove members".into()))
                }
            }
        }
        let mut changes = Vec::new();
        for u in users {
            if group.member(u).is_some() {
                // Told before the removal, so the removed member hears of it too.
                let notify = group.member_ids();
                group.members.retain(|m| &m.user != u);
                let event = GroupEvent::MemberRemoved { group: id.to_owned(), user: u.clone(), by: by(actor) };
                changes.push(change(event, notify, group));
            }
        }
        Ok(((), changes))
    }

    /// Applies to join.
    pub(crate) fn apply(&mut self, user: &str, id: &str, message: Option<String>, now_ms: u64) -> Outcome<JoinOutcome> {
        let group = self.get_mut(id)?;
        if group.member(user).is_some() {
            return Err(GroupError::AlreadyMember(user.to_owned()));
        }
        match group.join_policy {
            JoinPolicy::InviteOnly => Err(GroupError::InviteOnly),
            JoinPolicy::Free => {
                if group.members.len() >= group.max_members as usize {
                    return Err(GroupError::Full { limit: group.max_members });
                }
                group.members.push(MemberRecord {
                    user: user.to_owned(),
                    role: Role::Member,
                    joined_ms: now_ms,
                    muted_until_ms: 0,
                });
                let event = GroupEvent::MemberJoined { group: id.to_owned(), user: user.to_owned(), by: None };
                Ok((JoinOutcome::Joined, vec![change(event, group.member_ids(), group)]))
            }
            JoinPolicy::Approval => {
                group.pending.retain(|(a, _)| a != user);
                group.pending.push((user.to_owned(), message.clone()));
                let event = GroupEvent::JoinRequested { group: id.to_owned(), applicant: user.to_owned(), message };
                Ok((JoinOutcome::Pending, vec![change(event, group.managers(), group)]))
            }
        }
    }

    /// Approves or rejects a pending application.
    pub(crate) fn decide(
        &mut self,
        actor: Actor<'_>,
        id: &str,
        applicant: &str,
        accept: bool,
        now_ms: u64,
    ) -> Outcome<()> {
        let group = self.get_mut(id)?;
        let role = Self::require_member(group, actor)?;
        if !Self::is_manager(role) {
            return Err(GroupError::Denied("only the owner and admins decide applications".into()));
        }
        let Some(at) = group.pending.iter().position(|(a, _)| a == applicant) else {
            return Err(GroupError::NoApplication(applicant.to_owned()));
        };
        if !accept {
            group.pending.remove(at);
            return Ok(((), Vec::new()));
        }
        if group.members.len() >= group.max_members as usize {
            return Err(GroupError::Full { limit: group.max_members });
        }
        group.pending.remove(at);
        group.members.push(MemberRecord {
            user: applicant.to_owned(),
            role: Role::Member,
            joined_ms: now_ms,
            muted_until_ms: 0,
        });
        let event = GroupEvent::MemberJoined { group: id.to_owned(), user: applicant.to_owned(), by: by(actor) };
        Ok(((), vec![change(event, group.member_ids(), group)]))
    }

    /// Leaves a group.
    pub(crate) fn leave(&mut self, user: &str, id: &str) -> Outcome<()> {
        let group = self.get_mut(id)?;
        let role = group.role_of(user).ok_or_else(|| GroupError::NotMember(user.to_owned()))?;
        if role == Role::Owner {
            let rule = if group.private() { group.rules.private_owner_leave } else { group.rules.public_owner_leave };
            if rule == OwnerLeave::Refused {
                return Err(GroupError::OwnerCannotLeave);
            }
            group.owner = None;
        }
        let notify = group.member_ids();
        group.members.retain(|m| m.user != user);
        let event = GroupEvent::MemberLeft { group: id.to_owned(), user: user.to_owned() };
        Ok(((), vec![change(event, notify, group)]))
    }

    /// Dismisses a group.
    pub(crate) fn dismiss(&mut self, actor: Actor<'_>, id: &str) -> Outcome<()> {
        let group = self.get(id)?;
        let role = Self::require_member(group, actor)?;
        let allowed = match role {
            None => true,
            Some(Role::Owner) => !group.private() || group.rules.private_owner_dismiss,
            Some(_) => false,
        };
        if !allowed {
            return Err(GroupError::Denied("only the owner may dismiss the group".into()));
        }
        let group = self.by_id.remove(id).expect("checked above");
        let event = GroupEvent::Dismissed { group: id.to_owned(), by: by(actor) };
        Ok(((), vec![change(event, group.member_ids(), &group)]))
    }

    /// Sets a member's role to admin or member (owner or app admin only).
    pub(crate) fn set_role(&mut self, actor: Actor<'_>, id: &str, user: &str, role: Role) -> Outcome<()> {
        let group = self.get_mut(id)?;
        let mine = Self::require_member(group, actor)?;
        if !matches!(mine, None | Some(Role::Owner)) {
            return Err(GroupError::Denied("only the owner sets admins".into()));
        }
        if group.private() && !group.rules.private_admins_and_mutes {
            return Err(GroupError::Denied("this kind of group has no admins".into()));
        }
        let current = group.role_of(user).ok_or_else(|| GroupError::NotMember(user.to_owned()))?;
        match (current, role) {
            (_, Role::Owner) => return Err(GroupError::Invalid("make an owner by transferring the group".into())),
            (Role::Owner, _) => return Err(GroupError::Denied("the owner's role cannot be changed".into())),
            (c, r) if c == r => return Ok(((), Vec::new())),
            _ => {}
        }
        let admins = group.members.iter().filter(|m| m.role == Role::Admin).count() as u32;
        if role == Role::Admin && group.rules.max_admins > 0 && admins >= group.rules.max_admins {
            return Err(GroupError::Full { limit: group.rules.max_admins });
        }
        group.member_mut(user).expect("member checked").role = role;
        let event = GroupEvent::RoleChanged { group: id.to_owned(), user: user.to_owned(), role };
        Ok(((), vec![change(event, group.member_ids(), group)]))
    }

    /// Hands the group to another member; the old owner becomes a member.
    pub(crate) fn transfer(&mut self, actor: Actor<'_>, id: &str, new_owner: &str) -> Outcome<()> {
        let group = self.get_mut(id)?;
        let mine = Self::require_member(group, actor)?;
        if !matches!(mine, None | Some(Role::Owner)) {
            return Err(GroupError::Denied("only the owner may transfer the group".into()));
        }
        if group.member(new_owner).is_none() {
            return Err(GroupError::NotMember(new_owner.to_owned()));
        }
        let mut changes = Vec::new();
        if let Some(old) = group.owner.clone() {
            if old == new_owner {
                return Ok(((), changes));
            }
            if let Some(m) = group.member_mut(&old) {
                m.role = Role::Member;
            }
            let event = GroupEvent::RoleChanged { group: id.to_owned(), user: old, role: Role::Member };
            changes.push(change(event, group.member_ids(), group));
        }
        group.member_mut(new_owner).expect("member checked").role = Role::Owner;
        group.owner = Some(new_owner.to_owned());
        let event = GroupEvent::RoleChanged { group: id.to_owned(), user: new_owner.to_owned(), role: Role::Owner };
        changes.push(change(event, group.member_ids(), group));
        Ok(((), changes))
    }

    /// Mutes `user` until `until_ms` (0 unmutes).
    pub(crate) fn mute(&mut self, actor: Actor<'_>, id: &str, user: &str, until_ms: u64) -> Outcome<()> {
        let group = self.get_mut(id)?;
        let mine = Self::require_member(group, actor)?;
        if group.private() && !group.rules.private_admins_and_mutes {
            return Err(GroupError::Denied("this kind of group has no mutes".into()));
        }
        let target = group.role_of(user).ok_or_else(|| GroupError::NotMember(user.to_owned()))?;
        let allowed = match mine {
            None => target != Role::Owner,
            Some(Role::Owner) => target != Role::Owner,
            Some(Role::Admin) => target == Role::Member,
            Some(Role::Member) => false,
        };
        if !allowed {
            return Err(GroupError::Denied("only the owner and admins mute, and only those below them".into()));
        }
        group.member_mut(user).expect("member checked").muted_until_ms = until_ms;
        let until = (until_ms > 0).then_some(until_ms);
        let event = GroupEvent::MemberMuted { group: id.to_owned(), user: user.to_owned(), until_ms: until };
        Ok(((), vec![change(event, group.member_ids(), group)]))
    }

    /// The groups `user` belongs to, oldest first.
    pub(crate) fn joined(&self, user: &str) -> Vec<GroupRecord> {
        let mut list: Vec<GroupRecord> = self.by_id.values().filter(|g| g.member(user).is_some()).cloned().collect();
        list.sort_by_key(|g| g.number);
        list
    }

    /// Every group `keep` accepts, oldest first.
    pub(crate) fn all(&self, keep: impl Fn(&GroupRecord) -> bool) -> Vec<GroupRecord> {
        let mut list: Vec<GroupRecord> = self.by_id.values().filter(|g| keep(g)).cloned().collect();
        list.sort_by_key(|g| g.number);
        list
    }

    /// Changes a group's kind, join policy or member limit (the face has
    /// checked who may). A limit below the member count, or outside the
    /// rules' cap, is refused.
    pub(crate) fn reconfigure(
        &mut self,
        id: &str,
        kind: Option<GroupKind>,
        policy: Option<JoinPolicy>,
        max_members: Option<u32>,
        now_ms: u64,
    ) -> Result<(), GroupError> {
        let group = self.get_mut(id)?;
        if let Some(max) = max_members {
            if max == 0 || max > group.rules.max_members_cap {
                let cap = group.rules.max_members_cap;
                return Err(GroupError::Invalid(format!("member limit {max} is outside 1..={cap}")));
            }
            if (max as usize) < group.members.len() {
                return Err(GroupError::Invalid(format!("the group has more than {max} members")));
            }
            group.max_members = max;
        }
        if let Some(k) = kind {
            group.kind = k;
        }
        if let Some(p) = policy {
            group.join_policy = p;
        }
        group.updated_ms = now_ms;
        Ok(())
    }

    /// Checks that `from` (`None`: the app admin) may send to the group now;
    /// returns the members to deliver to.
    pub(crate) fn check_send(&self, from: Option<&str>, id: &str, now_ms: u64) -> Result<Vec<String>, GroupError> {
        let group = self.get(id)?;
        if let Some(user) = from {
            let member = group.member(user).ok_or_else(|| GroupError::NotMember(user.to_owned()))?;
            if member.muted_until_ms > now_ms {
                return Err(GroupError::Muted { until_ms: member.muted_until_ms });
            }
        }
        Ok(group.member_ids())
    }

    /// Lets a face keep its own fields on a group.
    pub(crate) fn extra_mut(
        &mut self,
        id: &str,
    ) -> Result<&mut serde_json::Map<String, serde_json::Value>, GroupError> {
        Ok(&mut self.get_mut(id)?.extra)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(kind: GroupKind, policy: JoinPolicy) -> GroupSpec {
        GroupSpec::new("g", kind, policy).with_members(["bob"])
    }

    fn anyone(_: &str) -> bool {
        true
    }

    fn setup(kind: GroupKind, policy: JoinPolicy) -> (Groups, String) {
        let mut g = Groups::default();
        let (rec, changes) = g
            .create(Actor::User("alice"), &spec(kind, policy), GroupRules::MANAGED, 1, |n| format!("g{n}"), anyone)
            .unwrap();
        assert_eq!(changes.len(), 1);
        (g, rec.id)
    }

    #[test]
    fn owner_and_admins_manage_members_do_not() {
        let (mut g, id) = setup(GroupKind::Public, JoinPolicy::Free);
        assert_eq!(g.get(&id).unwrap().owner.as_deref(), Some("alice"));
        let users = vec!["carol".to_string(), "dave".to_string()];
        assert!(matches!(g.add(Actor::User("bob"), &id, &users, 2, anyone), Err(GroupError::Denied(_))));
        let (out, changes) = g.add(Actor::User("alice"), &id, &users, 2, anyone).unwrap();
        assert!(out.iter().all(|(_, r)| r == &Ok(true)));
        assert_eq!(changes.len(), 2);
        let (again, _) = g.add(Actor::App, &id, &users[..1], 3, anyone).unwrap();
        assert_eq!(again[0].1, Ok(false));
        g.set_role(Actor::User("alice"), &id, "bob", Role::Admin).unwrap();
        assert!(g.remove(Actor::User("bob"), &id, &["alice".into()]).is_err());
        g.remove(Actor::User("bob"), &id, &["carol".into()]).unwrap();
        assert!(matches!(g.remove(Actor::User("dave"), &id, &["bob".into()]), Err(GroupError::Denied(_))));
        assert!(matches!(g.update(Actor::User("zed"), &id, None, None, 4), Err(GroupError::NotMember(_))));
        assert_eq!(g.get(&id).unwrap().members.len(), 3);
    }

    #[test]
    fn joins_follow_the_policy() {
        let (mut g, free) = setup(GroupKind::Public, JoinPolicy::Free);
        assert_eq!(g.apply("carol", &free, None, 2).unwrap().0, JoinOutcome::Joined);
        assert!(matches!(g.apply("carol", &free, None, 2), Err(GroupError::AlreadyMember(_))));
        let (mut g2, approval) = setup(GroupKind::Public, JoinPolicy::Approval);
        let (outcome, changes) = g2.apply("carol", &approval, Some("hi".into()), 2).unwrap();
        assert_eq!(outcome, JoinOutcome::Pending);
        assert_eq!(changes[0].notify, vec!["alice".to_string()]);
        assert!(g2.decide(Actor::User("bob"), &approval, "carol", true, 3).is_err());
        g2.decide(Actor::User("alice"), &approval, "carol", true, 3).unwrap();
        assert!(g2.get(&approval).unwrap().member("carol").is_some());
        let (mut g3, invite) = setup(GroupKind::Private, JoinPolicy::InviteOnly);
        assert_eq!(g3.apply("carol", &invite, None, 2).unwrap_err(), GroupError::InviteOnly);
        g3.add(Actor::User("bob"), &invite, &["carol".into()], 2, anyone).unwrap();
    }

    #[test]
    fn limits_mutes_leaving_and_dismissal() {
        let mut g = Groups::default();
        let s = spec(GroupKind::Public, JoinPolicy::Free).with_max_members(3);
        let (rec, _) = g.create(Actor::User("alice"), &s, GroupRules::MANAGED, 1, |n| n.to_string(), anyone).unwrap();
        let id = rec.id;
        assert_eq!(
            g.add(Actor::User("alice"), &id, &["c".into(), "d".into()], 2, anyone).unwrap_err(),
            GroupError::Full { limit: 3 }
        );
        g.mute(Actor::User("alice"), &id, "bob", 100).unwrap();
        assert_eq!(g.check_send(Some("bob"), &id, 50).unwrap_err(), GroupError::Muted { until_ms: 100 });
        assert!(g.check_send(Some("bob"), &id, 100).is_ok());
        assert!(matches!(g.check_send(Some("zed"), &id, 1), Err(GroupError::NotMember(_))));
        assert_eq!(g.leave("alice", &id).unwrap_err(), GroupError::OwnerCannotLeave);
        g.transfer(Actor::User("alice"), &id, "bob").unwrap();
        g.leave("alice", &id).unwrap();
        assert_eq!(g.joined("bob").len(), 1);
        assert!(matches!(g.dismiss(Actor::User("alice"), &id), Err(GroupError::NotMember(_))));
        let (_, changes) = g.dismiss(Actor::User("bob"), &id).unwrap();
        assert!(matches!(changes[0].event, GroupEvent::Dismissed { .. }));
        assert!(matches!(g.get(&id), Err(GroupError::NoSuchGroup(_))));
    }
}
