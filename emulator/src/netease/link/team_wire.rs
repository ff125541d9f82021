//! Teams on the web link as `@yxim/nim-web-sdk` reads them: the team and
//! teamMember Properties, the team notifications (team messages of type 5
//! with the attach `{"id": op, "data": {...}}`) and the application system
//! message (docs/protocols/netease.md, "Teams").
//!
//! The SDK reads `validToCurrentUser`, `mute` and `muteType` of a team as
//! the strings `"1"`/`"0"`, everything else as numbers or strings alike.

use crate::groups::{GroupRecord, MemberRecord};
use serde_json::{json, Map, Value};
use unim_core::{GroupKind, JoinPolicy, Role};
use unim_netease::link::ids::{member_type, msg as mtag, scene, sys_msg, team as ttag, team_member as mbtag};
use unim_netease::link::{ClientType, Property};
use unim_netease::rest::teams::{invitemode, joinmode};

/// Notification and system message ids start here, apart from the message ids.
pub(super) const FIRST_NOTE_ID: u64 = 20_000_000_000;
/// Team type 1: advanced (the only kind the face serves; a `normal` team is kept as asked).
const TYPE_ADVANCED: i64 = 1;

/// The joinmode of a join policy.
pub(super) fn joinmode_of(policy: JoinPolicy) -> i64 {
    match policy {
        JoinPolicy::Free => joinmode::FREE,
        JoinPolicy::Approval => joinmode::APPROVAL,
        JoinPolicy::InviteOnly => joinmode::INVITE_ONLY,
    }
}

/// The join policy of a joinmode (`None`: not one).
pub(super) fn policy_of(mode: i64) -> Option<JoinPolicy> {
    match mode {
        joinmode::FREE => Some(JoinPolicy::Free),
        joinmode::APPROVAL => Some(JoinPolicy::Approval),
        joinmode::INVITE_ONLY => Some(JoinPolicy::InviteOnly),
        _ => None,
    }
}

/// The group kind of an invitemode: every member invites = `Private`.
pub(super) fn kind_of(mode: i64) -> Option<GroupKind> {
    match mode {
        invitemode::ALL => Some(GroupKind::Private),
        invitemode::MANAGERS => Some(GroupKind::Public),
        _ => None,
    }
}

fn extra_int(g: &GroupRecord, name: &str, default: i64) -> i64 {
    g.extra.get(name).and_then(Value::as_i64).unwrap_or(default)
}

fn extra_str(g: &GroupRecord, name: &str) -> Option<String> {
    g.extra.get(name).and_then(Value::as_str).map(str::to_owned)
}

/// The team Property of `g` as `reader` sees it.
pub(super) fn team(g: &GroupRecord, reader: &str) -> Property {
    let invite = match g.kind {
        GroupKind::Private => invitemode::ALL,
        GroupKind::Public => invitemode::MANAGERS,
    };
    let member_update = g.members.iter().map(|m| m.joined_ms).max().unwrap_or(g.created_ms).max(g.updated_ms);
    let mut p = Property::new()
        .with(ttag::TEAM_ID, g.id.clone())
        .with(ttag::NAME, g.name.clone())
        .with(ttag::TYPE, extra_int(g, "type", TYPE_ADVANCED))
        .with(ttag::OWNER, g.owner.clone().unwrap_or_default())
        .with(ttag::LEVEL, g.max_members)
        .with(ttag::VALID, 1)
        .with(ttag::MEMBER_NUM, g.members.len() as u64)
        .with(ttag::MEMBER_UPDATE_TIME, member_update)
        .with(ttag::CREATE_TIME, g.created_ms)
        .with(ttag::UPDATE_TIME, g.updated_ms.max(member_update))
        .with(ttag::VALID_TO_CURRENT_USER, if g.member(reader).is_some() { "1" } else { "0" })
        .with(ttag::INTRO, g.introduction.clone().unwrap_or_default())
        .with(ttag::JOIN_MODE, joinmode_of(g.join_policy))
        .with(ttag::BE_INVITE_MODE, extra_int(g, "beinvitemode", 1))
        .with(ttag::INVITE_MODE, invite)
        .with(ttag::UPDATE_TEAM_MODE, extra_int(g, "uptinfomode", 0))
        .with(ttag::UPDATE_CUSTOM_MODE, extra_int(g, "upcustommode", 0))
        .with(ttag::MUTE, "0")
        .with(ttag::MUTE_TYPE, "0");
    for (tag, name) in [(ttag::ANNOUNCEMENT, "announcement"), (ttag::CUSTOM, "custom"), (ttag::AVATAR, "icon")] {
        if let Some(v) = extra_str(g, name) {
            p.set(tag, v);
        }
    }
    p
}

/// The type number of a role.
pub(super) fn member_type_of(role: Role) -> i64 {
    match role {
        Role::Owner => member_type::OWNER,
        Role::Admin => member_type::MANAGER,
        Role::Member => member_type::NORMAL,
    }
}

/// The teamMember Property of `m` in `g`, its mute as of `now_ms`.
pub(super) fn member(g: &GroupRecord, m: &MemberRecord, now_ms: u64) -> Property {
    let muted = m.muted_until_ms > now_ms;
    let mut p = Property::new()
        .with(mbtag::TEAM_ID, g.id.clone())
        .with(mbtag::ACCOUNT, m.user.clone())
        .with(mbtag::TYPE, member_type_of(m.role))
        .with(mbtag::NICK_IN_TEAM, "")
        .with(mbtag::BITS, 0)
        .with(mbtag::ACTIVE, 1)
        .with(mbtag::VALID, 1)
        .with(mbtag::JOIN_TIME, m.joined_ms)
        .with(mbtag::UPDATE_TIME, m.joined_ms.max(g.updated_ms))
        .with(mbtag::MUTE, i64::from(muted));
    if muted {
        p.set(mbtag::MUTE_END, m.muted_until_ms);
    }
    p
}

/// A team notification: a type 5 team message from `from` whose attach is
/// `{"id": op, "data": data}`; `data` gets the team's `tinfo` unless it has one.
pub(super) fn notification(
    g: &GroupRecord,
    from: &str,
    op: i64,
    mut data: Map<String, Value>,
    id_server: u64,
    time_ms: u64,
) -> Property {
    data.entry("tinfo").or_insert_with(|| team(g, from).to_value());
    let attach = json!({ "id": op, "data": data }).to_string();
    Property::new()
        .with(mtag::SCENE, scene::TEAM)
        .with(mtag::TO, g.id.clone())
        .with(mtag::FROM, from)
        .with(mtag::FROM_CLIENT_TYPE, ClientType::Rest.code())
        .with(mtag::FROM_NICK, "")
        .with(mtag::TIME, time_ms)
        .with(mtag::TYPE, unim_netease::link::ids::team_notification::MSG_TYPE)
        .with(mtag::ATTACH, attach)
        .with(mtag::ID_CLIENT, format!("note-{id_server}"))
        .with(mtag::ID_SERVER, id_server.to_string())
}

/// The application system message (`7_3`, type 0) to the team's managers.
pub(super) fn application(tid: &str, applicant: &str, ps: &str, id_server: u64, time_ms: u64) -> Property {
    Property::new()
        .with(sys_msg::TIME, time_ms)
        .with(sys_msg::TYPE, sys_msg::TYPE_APPLY_TEAM)
        .with(sys_msg::TO, tid)
        .with(sys_msg::FROM, applicant)
        .with(sys_msg::PS, ps)
        .with(sys_msg::ATTACH, "")
        .with(sys_msg::ID_SERVER, id_server.to_string())
}

/// The rejection system message (`7_3`, type 1) to the applicant.
pub(super) fn rejection(tid: &str, manager: &str, ps: &str, id_server: u64, time_ms: u64) -> Property {
    application(tid, manager, ps, id_server, time_ms).with(sys_msg::TYPE, sys_msg::TYPE_REJECT_TEAM_APPLY)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::groups::GroupRules;

    fn record() -> GroupRecord {
        let m = |u: &str, role| MemberRecord { user: u.into(), role, joined_ms: 5, muted_until_ms: 0 };
        GroupRecord {
            id: "3000000001".into(),
            number: 1,
            kind: GroupKind::Private,
            join_policy: JoinPolicy::Approval,
            name: "g".into(),
            introduction: None,
            owner: Some("alice".into()),
            members: vec![m("alice", Role::Owner), MemberRecord { muted_until_ms: 90, ..m("bob", Role::Member) }],
            max_members: 200,
            created_ms: 1,
            updated_ms: 2,
            pending: Vec::new(),
            rules: GroupRules::MANAGED,
            extra: Map::new(),
        }
    }

    #[test]
    fn teams_members_and_notifications_carry_the_sdk_tags() {
        let g = record();
        let t = team(&g, "bob");
        assert_eq!(t.str(ttag::TEAM_ID).as_deref(), Some("3000000001"));
        assert_eq!(
            (t.int(ttag::JOIN_MODE), t.int(ttag::INVITE_MODE), t.int(ttag::MEMBER_NUM)),
            (Some(1), Some(1), Some(2))
        );
        assert_eq!(team(&g, "zed").str(ttag::VALID_TO_CURRENT_USER).as_deref(), Some("0"));
        let bob = member(&g, &g.members[1], 50);
        assert_eq!(
            (bob.int(mbtag::TYPE), bob.int(mbtag::MUTE), bob.int(mbtag::MUTE_END)),
            (Some(0), Some(1), Some(90))
        );
        assert_eq!(member(&g, &g.members[1], 90).int(mbtag::MUTE), Some(0));
        let note = notification(&g, "alice", 1, Map::new(), FIRST_NOTE_ID + 1, 7);
        let attach: Value = serde_json::from_str(&note.str(mtag::ATTACH).unwrap()).unwrap();
        assert_eq!(attach["id"], 1);
        assert_eq!(attach["data"]["tinfo"]["1"], "3000000001");
        assert_eq!((note.int(mtag::SCENE), note.int(mtag::TYPE)), (Some(1), Some(5)));
        assert_eq!(
            (policy_of(2), kind_of(0), policy_of(7)),
            (Some(JoinPolicy::InviteOnly), Some(GroupKind::Public), None)
        );
    }
}
