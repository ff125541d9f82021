//! Groups, the same for every vendor.
//!
//! The three vendors slice groups differently: Tencent by group type (Work,
//! Public, ...), Easemob by flags (`public`, `membersonly`, `allowinvites`),
//! NetEase by modes (`joinmode`, `invitemode`, `beinvitemode`). unim names
//! two kinds and three join policies; [`GroupSpec`] asks for a pair and each
//! adapter maps it to its vendor's settings, or refuses it with
//! `Unsupported` when the vendor has no equivalent. The mapping table is in
//! `docs/groups.md`.

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// What sort of group: who may bring people in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupKind {
    /// A working group: any member may add people (Tencent Work, Easemob
    /// private with `allowinvites`, NetEase `invitemode` 1).
    Private,
    /// A public group: only the owner and admins add people; others apply
    /// (Tencent Public, Easemob `public`, NetEase `invitemode` 0).
    Public,
}

/// How a user who is not invited gets in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JoinPolicy {
    /// Applying is refused; members join only when added.
    InviteOnly,
    /// An application waits for the owner or an admin to approve it.
    Approval,
    /// An application is accepted at once.
    Free,
}

/// A member's standing in a group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The one owner (none after a Tencent Work owner left).
    Owner,
    /// Set by the owner: may remove and mute plain members.
    Admin,
    /// A plain member.
    Member,
}

/// What to create.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupSpec {
    /// The group's name.
    pub name: String,
    /// Private or public.
    pub kind: GroupKind,
    /// How others join.
    pub join_policy: JoinPolicy,
    /// The owner, for a group the app admin creates (`None`: the creating
    /// session's user; an admin-created group without one is refused where
    /// the vendor needs an owner).
    pub owner: Option<String>,
    /// Members besides the owner, added at creation.
    pub members: Vec<String>,
    /// The most members the group may have, owner included (`None`: the vendor's default).
    pub max_members: Option<u32>,
    /// A longer description.
    pub introduction: Option<String>,
}

impl GroupSpec {
    /// A spec with `name`, `kind` and `join_policy`, no members and the vendor's defaults.
    pub fn new(name: impl Into<String>, kind: GroupKind, join_policy: JoinPolicy) -> Self {
        GroupSpec {
            name: name.into(),
            kind,
            join_policy,
            owner: None,
            members: Vec::new(),
            max_members: None,
            introduction: None,
        }
    }

    /// The same spec owned by `owner` (for the app admin).
    pub fn with_owner(mut self, owner: impl Into<String>) -> Self {
        self.owner = Some(owner.into());
        self
    }

    /// The same spec with `members` added at creation.
    pub fn with_members<I, S>(mut self, members: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.members = members.into_iter().map(Into::into).collect();
        self
    }

    /// The same spec with a member limit.
    pub fn with_max_members(mut self, max: u32) -> Self {
        self.max_members = Some(max);
        self
    }

    /// The same spec with an introduction.
    pub fn with_introduction(mut self, introduction: impl Into<String>) -> Self {
        self.introduction = Some(introduction.into());
        self
    }
}

/// A group as the vendor reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    /// The vendor's id (Tencent `@TGS#...`, Easemob's 15 digits, NetEase `tid`).
    pub id: String,
    /// The name.
    pub name: String,
    /// The introduction, when set.
    pub introduction: Option<String>,
    /// Private or public.
    pub kind: GroupKind,
    /// How others join.
    pub join_policy: JoinPolicy,
    /// The owner (`None` when the group has none).
    pub owner: Option<String>,
    /// How many members it has, owner included.
    pub member_count: u32,
    /// The most members it may have.
    pub max_members: u32,
    /// When it was created, Unix milliseconds.
    pub created_at_ms: u64,
}

/// Fields to change; `None` leaves a field as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupUpdate {
    /// A new name.
    pub name: Option<String>,
    /// A new introduction.
    pub introduction: Option<String>,
}

/// One member of a group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupMember {
    /// The user.
    pub user: String,
    /// Owner, admin or member.
    pub role: Role,
    /// When they joined, Unix milliseconds (0 when the vendor does not say).
    pub joined_at_ms: u64,
    /// Until when they may not send, Unix milliseconds; `None` when not muted.
    pub muted_until_ms: Option<u64>,
}

/// Where the next page of a member list starts. Opaque: only the adapter
/// that made it reads it (Tencent `Offset`, Easemob `pagenum`, NetEase's index).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MemberCursor(pub String);

/// One page of a group's members, in the order they joined.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberPage {
    /// The page's members.
    pub members: Vec<GroupMember>,
    /// The cursor of the next page; `None` after the last.
    pub next: Option<MemberCursor>,
}

/// What an application to join came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JoinOutcome {
    /// The user is a member now.
    Joined,
    /// The application waits for the owner or an admin.
    Pending,
}

/// How long a mute lasts; [`MuteDuration::ZERO`] lifts it.
pub type MuteDuration = Duration;

/// Something that happened in a group one of the session's user belongs to
/// (or, for [`GroupEvent::JoinRequested`], manages).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "group_event", rename_all = "snake_case")]
pub enum GroupEvent {
    /// A user became a member (added by `by`, or joined by applying when `by` is `None`).
    MemberJoined {
        /// The group.
        group: String,
        /// The new member.
        user: String,
        /// Who added them, when someone did.
        by: Option<String>,
    },
    /// A member left of their own accord.
    MemberLeft {
        /// The group.
        group: String,
        /// Who left.
        user: String,
    },
    /// A member was removed by `by` (`None`: the app admin).
    MemberRemoved {
        /// The group.
        group: String,
        /// Who was removed (possibly the session's own user).
        user: String,
        /// Who removed them, when a member did.
        by: Option<String>,
    },
    /// A member's role changed (a transfer announces the new owner as `Owner`).
    RoleChanged {
        /// The group.
        group: String,
        /// Whose role.
        user: String,
        /// The new role.
        role: Role,
    },
    /// A member was muted until `until_ms` (Unix milliseconds), or unmuted (`None`).
    MemberMuted {
        /// The group.
        group: String,
        /// Who.
        user: String,
        /// When the mute ends; `None` when it was lifted.
        until_ms: Option<u64>,
    },
    /// The group's name or introduction changed.
    InfoChanged {
        /// The group.
        group: String,
        /// The new name, when it changed.
        name: Option<String>,
        /// The new introduction, when it changed.
        introduction: Option<String>,
    },
    /// The group was dismissed; it is gone.
    Dismissed {
        /// The group.
        group: String,
        /// Who dismissed it, when a member did (`None`: the app admin).
        by: Option<String>,
    },
    /// A user applied to join and waits for approval (told to the owner and admins).
    JoinRequested {
        /// The group.
        group: String,
        /// Who applied.
        applicant: String,
        /// What they wrote, when anything.
        message: Option<String>,
    },
}

impl GroupEvent {
    /// The group it happened in.
    pub fn group(&self) -> &str {
        match self {
            GroupEvent::MemberJoined { group, .. }
            | GroupEvent::MemberLeft { group, .. }
            | GroupEvent::MemberRemoved { group, .. }
            | GroupEvent::RoleChanged { group, .. }
            | GroupEvent::MemberMuted { group, .. }
            | GroupEvent::InfoChanged { group, .. }
            | GroupEvent::Dismissed { group, .. }
            | GroupEvent::JoinRequested { group, .. } => group,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_build_and_events_serialize_tagged() {
        let spec = GroupSpec::new("team", GroupKind::Public, JoinPolicy::Approval)
            .with_owner("alice")
            .with_members(["bob", "carol"])
            .with_max_members(50)
            .with_introduction("hello");
        assert_eq!(spec.members, vec!["bob".to_string(), "carol".to_string()]);
        assert_eq!((spec.owner.as_deref(), spec.max_members), (Some("alice"), Some(50)));
        let event = GroupEvent::Dismissed { group: "g1".into(), by: None };
        let json = serde_json::to_string(&event).unwrap();
        assert!(json.contains("\"group_event\":\"dismissed\""), "{json}");
        assert_eq!(serde_json::from_str::<GroupEvent>(&json).unwrap(), event);
        assert_eq!(event.group(), "g1");
    }
}
