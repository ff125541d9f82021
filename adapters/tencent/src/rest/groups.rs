//! Groups in Tencent's shapes (`vendors/tencent.md` 2.6, 2.7): the service
//! `group_open_http_svc`, its limits, the neutral (kind, policy) ↔ `Type` /
//! `ApplyJoinOption` mapping (docs/groups.md), and request builders and reply
//! parsers shared by the admin (REST), the session (the web link sends the
//! same JSON bodies under `group_open_http_svc.<command>`) and the emulator.
//!
//! Mapping: (Private, InviteOnly) = `Private` (Work); (Public, Approval) =
//! `Public` + `NeedPermission`; (Public, Free) = `Public` + `FreeAccess`;
//! (Public, InviteOnly) = `Public` + `DisableApply`. A Work group only grows
//! by invitation, so Private + Approval or Free has no Tencent equivalent
//! and is refused with `Unsupported` before anything is sent. `ChatRoom`
//! (Meeting) reads back as (Public, Free).

use crate::msg::{body_from_elems, msg_key};
use serde::{Deserialize, Deserializer};
use serde_json::{json, Map, Value};
use unim_core::{
    ConversationId, Direction, Error, Group, GroupKind, GroupMember, GroupSpec, JoinPolicy, MemberCursor, MemberPage,
    Message, MessageStatus, Role,
};

/// The group service of the REST API and of the web link.
pub const GROUP_SVC: &str = "group_open_http_svc";
/// Most members in a `create_group` `MemberList`.
pub const MAX_CREATE_MEMBERS: usize = 100;
/// Most members per `add_group_member` the server accepts (API doc: 300).
pub const MAX_ADD_MEMBERS: usize = 300;
/// Members per `add_group_member` the admin sends (the limits doc says 100).
pub const ADD_CHUNK: usize = 100;
/// Most accounts per `delete_group_member` (API doc: 100; limits doc: 500).
pub const MAX_DELETE_MEMBERS: usize = 100;
/// Most accounts per `forbid_send_msg`.
pub const MAX_MUTE_MEMBERS: usize = 500;
/// Most groups per `get_group_info`.
pub const MAX_INFO_GROUPS: usize = 50;
/// Most messages per `group_msg_get_simple`.
pub const MAX_HISTORY_MESSAGES: usize = 20;
/// Members per `get_group_member_info` page the admin asks for ("max 200, recommend 100").
pub const MEMBER_PAGE: usize = 100;
/// `Name` limit, bytes.
pub const MAX_NAME_BYTES: usize = 30;
/// `Introduction` limit, bytes.
pub const MAX_INTRODUCTION_BYTES: usize = 240;
/// `Notification` limit, bytes.
pub const MAX_NOTIFICATION_BYTES: usize = 300;
/// `FaceUrl` limit, bytes.
pub const MAX_FACE_URL_BYTES: usize = 100;
/// A custom `GroupId` is shorter than this many bytes.
pub const MAX_GROUP_ID_BYTES: usize = 48;
/// Automatic group ids start with this; a custom one may not.
pub const AUTO_ID_PREFIX: &str = "@TGS#";
/// `MuteTime` meaning "for ever".
pub const MUTE_FOREVER_SECS: u64 = 4_294_967_295;
/// The largest member limit (Ultimate edition, raised).
pub const MAX_MEMBER_LIMIT: u32 = 6000;

/// Tencent's group types (legacy REST names; the SDK's `Work`/`Meeting` are read too).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupType {
    /// Work group.
    Private,
    /// Public group.
    Public,
    /// Meeting group.
    ChatRoom,
    /// Live-stream group.
    AvChatRoom,
    /// Community.
    Community,
}

impl GroupType {
    /// The type of a `Type` field (`Work` and `Meeting` are the new names).
    pub fn from_wire(s: &str) -> Option<GroupType> {
        Some(match s {
            "Private" | "Work" => GroupType::Private,
            "Public" => GroupType::Public,
            "ChatRoom" | "Meeting" => GroupType::ChatRoom,
            "AVChatRoom" => GroupType::AvChatRoom,
            "Community" => GroupType::Community,
            _ => return None,
        })
    }

    /// The REST name.
    pub fn as_str(self) -> &'static str {
        match self {
            GroupType::Private => "Private",
            GroupType::Public => "Public",
            GroupType::ChatRoom => "ChatRoom",
            GroupType::AvChatRoom => "AVChatRoom",
            GroupType::Community => "Community",
        }
    }
}

/// `ApplyJoinOption` for a join policy.
pub fn join_option_to_wire(policy: JoinPolicy) -> &'static str {
    match policy {
        JoinPolicy::InviteOnly => "DisableApply",
        JoinPolicy::Approval => "NeedPermission",
        JoinPolicy::Free => "FreeAccess",
    }
}

/// The join policy of an `ApplyJoinOption`.
pub fn join_option_from_wire(s: &str) -> Option<JoinPolicy> {
    Some(match s {
        "DisableApply" => JoinPolicy::InviteOnly,
        "NeedPermission" => JoinPolicy::Approval,
        "FreeAccess" => JoinPolicy::Free,
        _ => return None,
    })
}

/// `Role` on the wire.
pub fn role_to_wire(role: Role) -> &'static str {
    match role {
        Role::Owner => "Owner",
        Role::Admin => "Admin",
        Role::Member => "Member",
    }
}

/// The role of a `Role` field (Tencent's own samples pad it: `"Member "`).
pub fn role_from_wire(s: &str) -> Option<Role> {
    Some(match s.trim() {
        "Owner" => Role::Owner,
        "Admin" => Role::Admin,
        "Member" => Role::Member,
        _ => return None,
    })
}

/// The Tencent `Type` and `ApplyJoinOption` of a neutral pair; `Unsupported`
/// where Tencent has none (see the module docs).
pub fn wire_type_for(kind: GroupKind, policy: JoinPolicy) -> Result<(GroupType, Option<&'static str>), Error> {
    match (kind, policy) {
        (GroupKind::Private, JoinPolicy::InviteOnly) => Ok((GroupType::Private, None)),
        (GroupKind::Public, p) => Ok((GroupType::Public, Some(join_option_to_wire(p)))),
        (GroupKind::Private, p) => Err(Error::unsupported(format!(
            "Tencent Work (Private) groups grow only by invitation: a private group with join policy {p:?} has no \
             Tencent equivalent"
        ))),
    }
}

/// The neutral pair of a Tencent group.
pub fn neutral_kind(kind: GroupType, apply_join_option: Option<&str>) -> (GroupKind, JoinPolicy) {
    match kind {
        GroupType::Private => (GroupKind::Private, JoinPolicy::InviteOnly),
        GroupType::ChatRoom | GroupType::AvChatRoom | GroupType::Community => (GroupKind::Public, JoinPolicy::Free),
        GroupType::Public => {
            (GroupKind::Public, apply_join_option.and_then(join_option_from_wire).unwrap_or(JoinPolicy::Approval))
        }
    }
}

/// Checks a text field's byte limit.
pub fn check_len(field: &str, value: &str, max: usize) -> Result<(), Error> {
    if value.len() > max {
        return Err(Error::invalid_input(format!(
            "a Tencent group's {field} is at most {max} bytes, not {}",
            value.len()
        )));
    }
    Ok(())
}

/// The `create_group` body for `spec` (`Owner_Account` only when
/// `spec.owner` names one: without it an admin-created group has no owner and
/// a link-created one belongs to the user). Refuses unsupported pairs,
/// invalid UserIDs and oversize fields before anything is sent.
pub(crate) fn create_group_body(spec: &GroupSpec) -> Result<Value, Error> {
    let (kind, apply) = wire_type_for(spec.kind, spec.join_policy)?;
    if spec.name.is_empty() {
        return Err(Error::invalid_input("a Tencent group needs a name"));
    }
    check_len("Name", &spec.name, MAX_NAME_BYTES)?;
    if let Some(intro) = &spec.introduction {
        check_len("Introduction", intro, MAX_INTRODUCTION_BYTES)?;
    }
    if spec.members.len() > MAX_CREATE_MEMBERS {
        return Err(Error::invalid_input(format!(
            "Tencent's create_group takes at most {MAX_CREATE_MEMBERS} initial members, not {}",
            spec.members.len()
        )));
    }
    if let Some(max) = spec.max_members {
        if max == 0 || max > MAX_MEMBER_LIMIT {
            return Err(Error::invalid_input(format!("a Tencent group's member limit is 1 to {MAX_MEMBER_LIMIT}")));
        }
    }
    let mut body = Map::new();
    body.insert("Type".into(), json!(kind.as_str()));
    body.insert("Name".into(), json!(spec.name));
    if let Some(owner) = &spec.owner {
        crate::user_id::validate_user_id(owner)?;
        body.insert("Owner_Account".into(), json!(owner));
    }
    if let Some(intro) = &spec.introduction {
        body.insert("Introduction".into(), json!(intro));
    }
    if let Some(max) = spec.max_members {
        body.insert("MaxMemberCount".into(), json!(max));
    }
    if let Some(apply) = apply {
        body.insert("ApplyJoinOption".into(), json!(apply));
    }
    if !spec.members.is_empty() {
        let list = spec
            .members
            .iter()
            .map(|m| crate::user_id::validate_user_id(m).map(|()| json!({ "Member_Account": m })))
            .collect::<Result<Vec<_>, _>>()?;
        body.insert("MemberList".into(), Value::Array(list));
    }
    Ok(Value::Object(body))
}

/// The `get_group_info` body for one group: the base fields a [`Group`] needs, no members.
pub(crate) fn group_info_body(group: &str) -> Value {
    json!({
        "GroupIdList": [group],
        "ResponseFilter": { "GroupBaseInfoFilter": BASE_FIELDS },
    })
}

/// The base fields [`parse_group`] reads.
pub(crate) const BASE_FIELDS: [&str; 9] = [
    "Type",
    "Name",
    "Introduction",
    "Owner_Account",
    "CreateTime",
    "MemberNum",
    "MaxMemberNum",
    "ApplyJoinOption",
    "NextMsgSeq",
];

/// A number, or a string of digits (some replies quote their integers); an
/// empty string or null reads as 0. Shared by the REST replies and the
/// pushed group items, which quote the same fields the same ways.
pub(crate) fn lenient_u64<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    match Value::deserialize(d)? {
        Value::Number(n) => n.as_u64().ok_or_else(|| serde::de::Error::custom("not an unsigned integer")),
        Value::String(s) if s.trim().is_empty() => Ok(0),
        Value::String(s) => s.trim().parse().map_err(serde::de::Error::custom),
        Value::Null => Ok(0),
        _ => Err(serde::de::Error::custom("not an integer")),
    }
}

/// One `GroupInfo` item (also a `get_joined_group_list` `GroupIdList` item).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct GroupInfoItem {
    pub(crate) group_id: String,
    #[serde(default)]
    pub(crate) error_code: i64,
    #[serde(default)]
    pub(crate) error_info: String,
    #[serde(rename = "Type", default)]
    pub(crate) kind: String,
    #[serde(default)]
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) introduction: String,
    #[serde(rename = "Owner_Account", default)]
    pub(crate) owner: String,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub(crate) create_time: u64,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub(crate) member_num: u64,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub(crate) max_member_num: u64,
    #[serde(default)]
    pub(crate) apply_join_option: String,
}

/// The neutral group of a `GroupInfo` item; its per-group error when it has one.
pub(crate) fn parse_group(item: &GroupInfoItem) -> Result<Group, Error> {
    if item.error_code != 0 {
        return Err(crate::error::error_from_code(item.error_code, &item.error_info));
    }
    let kind = GroupType::from_wire(&item.kind).ok_or_else(|| {
        Error::protocol(format!("Tencent group {} has an unknown Type {:?}", item.group_id, item.kind))
    })?;
    let apply = (!item.apply_join_option.is_empty()).then_some(item.apply_join_option.as_str());
    let (kind, join_policy) = neutral_kind(kind, apply);
    Ok(Group {
        id: item.group_id.clone(),
        name: item.name.clone(),
        introduction: (!item.introduction.is_empty()).then(|| item.introduction.clone()),
        kind,
        join_policy,
        owner: (!item.owner.is_empty()).then(|| item.owner.clone()),
        member_count: item.member_num.min(u64::from(u32::MAX)) as u32,
        max_members: item.max_member_num.min(u64::from(u32::MAX)) as u32,
        created_at_ms: item.create_time.saturating_mul(1000),
    })
}

/// The `GroupInfoItem`s under `key` of a `command` reply (none when the key
/// is missing): `get_group_info`'s `GroupInfo` and a web client's
/// `get_joined_group_list` `GroupIdList` read the same items.
pub(crate) fn group_items(reply: &Value, key: &str, command: &str) -> Result<Vec<GroupInfoItem>, Error> {
    Ok(reply
        .get(key)
        .cloned()
        .map(serde_json::from_value)
        .transpose()
        .map_err(|e| Error::protocol(format!("Tencent's {command} reply is malformed: {e}")))?
        .unwrap_or_default())
}

/// The `get_group_info` reply's one group.
pub(crate) fn parse_group_info(reply: &Value, group: &str) -> Result<Group, Error> {
    let items = group_items(reply, "GroupInfo", "get_group_info")?;
    let item = items
        .iter()
        .find(|i| i.group_id == group)
        .ok_or_else(|| Error::protocol(format!("Tencent's get_group_info reply has no GroupInfo for {group}")))?;
    parse_group(item)
}

/// Where a member page starts and the `get_group_member_info` body that asks
/// for it: at most `max` members (each caller's own page limit) from the
/// cursor's `Offset`. The admin and the session page members the same way.
pub(crate) fn member_page_request(
    group: &str,
    cursor: Option<&MemberCursor>,
    limit: usize,
    max: usize,
) -> Result<(usize, Value), Error> {
    if limit == 0 {
        return Err(Error::invalid_input("a member page must hold at least one member"));
    }
    let offset = member_offset(cursor)?;
    Ok((offset, member_info_body(group, offset, limit.min(max))))
}

/// The `get_group_member_info` body for the page at `offset`.
fn member_info_body(group: &str, offset: usize, limit: usize) -> Value {
    json!({
        "GroupId": group,
        "MemberInfoFilter": ["Role", "JoinTime", "MuteUntil", "ShutUpUntil"],
        "Limit": limit,
        "Offset": offset,
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MemberItem {
    #[serde(rename = "Member_Account")]
    account: String,
    #[serde(default)]
    role: String,
    #[serde(default, deserialize_with = "lenient_u64")]
    join_time: u64,
    #[serde(default, deserialize_with = "lenient_u64")]
    mute_until: u64,
    /// The older docs' name for `MuteUntil`.
    #[serde(default, deserialize_with = "lenient_u64")]
    shut_up_until: u64,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MemberInfoReply {
    #[serde(default, deserialize_with = "lenient_u64")]
    member_num: u64,
    #[serde(default)]
    member_list: Vec<MemberItem>,
}

/// The cursor of a member page: the next `Offset`.
fn member_offset(cursor: Option<&MemberCursor>) -> Result<usize, Error> {
    match cursor {
        None => Ok(0),
        Some(c) => c.0.parse().map_err(|_| Error::invalid_input(format!("{:?} is not a Tencent member cursor", c.0))),
    }
}

/// A `get_group_member_info` reply as a page that started at `offset`; the
/// next cursor is the offset after it while `MemberNum` says more remain.
/// Mutes that ended before `now_secs` read as none.
pub(crate) fn parse_member_page(reply: &Value, offset: usize, now_secs: u64) -> Result<MemberPage, Error> {
    let reply = MemberInfoReply::deserialize(reply)
        .map_err(|e| Error::protocol(format!("Tencent's get_group_member_info reply is malformed: {e}")))?;
    let members = reply
        .member_list
        .into_iter()
        .map(|m| {
            let role = role_from_wire(&m.role).ok_or_else(|| {
                Error::protocol(format!("Tencent member {} has an unknown Role {:?}", m.account, m.role))
            })?;
            let until = m.mute_until.max(m.shut_up_until);
            Ok(GroupMember {
                user: m.account,
                role,
                joined_at_ms: m.join_time.saturating_mul(1000),
                muted_until_ms: (until > now_secs).then(|| until.saturating_mul(1000)),
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let end = offset + members.len();
    let more = !members.is_empty() && (end as u64) < reply.member_num;
    Ok(MemberPage { members, next: more.then(|| MemberCursor(end.to_string())) })
}

/// One `group_msg_get_simple` `RspMsgList` item.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct GroupMsgItem {
    #[serde(rename = "From_Account", default)]
    pub(crate) from: String,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub(crate) msg_seq: u64,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub(crate) msg_random: u64,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub(crate) msg_time_stamp: u64,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub(crate) is_place_msg: u64,
    #[serde(default)]
    pub(crate) msg_body: Vec<Value>,
}

/// A group message's server id: `<MsgSeq>_<Random>_<MsgTime>`, the shape
/// of a one-to-one `MsgKey`, with the group's own `MsgSeq`.
pub fn group_msg_id(seq: u64, random: u64, time: u64) -> String {
    msg_key(seq, random, time)
}

/// A group message as `me` sees it (`me` = the admin for the admin's history).
pub(crate) fn group_message(group: &str, item: &GroupMsgItem, me: &str) -> Result<Message, Error> {
    let body = body_from_elems(&item.msg_body)
        .map_err(|e| Error::protocol(format!("Tencent group {group} message {}: {e}", item.msg_seq)))?;
    let outgoing = item.from == me;
    Ok(Message {
        server_id: group_msg_id(item.msg_seq, item.msg_random, item.msg_time_stamp),
        client_id: item.msg_random.to_string(),
        from: item.from.clone(),
        to: group.to_owned(),
        conversation: ConversationId::group(group),
        body,
        server_time_ms: item.msg_time_stamp.saturating_mul(1000),
        direction: if outgoing { Direction::Outgoing } else { Direction::Incoming },
        status: if outgoing { MessageStatus::Sent } else { MessageStatus::Unread },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_neutral_mapping_both_ways() {
        for (kind, policy, ty, apply) in [
            (GroupKind::Private, JoinPolicy::InviteOnly, GroupType::Private, None),
            (GroupKind::Public, JoinPolicy::Approval, GroupType::Public, Some("NeedPermission")),
            (GroupKind::Public, JoinPolicy::Free, GroupType::Public, Some("FreeAccess")),
            (GroupKind::Public, JoinPolicy::InviteOnly, GroupType::Public, Some("DisableApply")),
        ] {
            assert_eq!(wire_type_for(kind, policy).unwrap(), (ty, apply));
            assert_eq!(neutral_kind(ty, apply), (kind, policy));
        }
        for p in [JoinPolicy::Approval, JoinPolicy::Free] {
            assert_eq!(wire_type_for(GroupKind::Private, p).unwrap_err().kind, unim_core::ErrorKind::Unsupported);
        }
        assert_eq!(neutral_kind(GroupType::ChatRoom, None), (GroupKind::Public, JoinPolicy::Free));
        assert_eq!(GroupType::from_wire("Work"), Some(GroupType::Private));
        assert_eq!(role_from_wire("Member "), Some(Role::Member));
    }

    #[test]
    fn create_bodies_follow_the_doc() {
        let spec = GroupSpec::new("team", GroupKind::Public, JoinPolicy::Free)
            .with_owner("alice")
            .with_members(["bob"])
            .with_max_members(50)
            .with_introduction("hi");
        let v = create_group_body(&spec).unwrap();
        assert_eq!(v["Type"], "Public");
        assert_eq!(v["ApplyJoinOption"], "FreeAccess");
        assert_eq!(v["Owner_Account"], "alice");
        assert_eq!(v["MemberList"][0]["Member_Account"], "bob");
        assert_eq!(v["MaxMemberCount"], 50);
        let long = GroupSpec::new("x".repeat(31), GroupKind::Public, JoinPolicy::Free);
        assert_eq!(create_group_body(&long).unwrap_err().kind, unim_core::ErrorKind::InvalidInput);
    }

    #[test]
    fn member_pages_carry_the_next_offset() {
        let reply = json!({"MemberNum": 3, "MemberList": [
            {"Member_Account": "a", "Role": "Owner", "JoinTime": 10, "MuteUntil": 0},
            {"Member_Account": "b", "Role": "Member ", "JoinTime": "11", "ShutUpUntil": 500},
        ]});
        let page = parse_member_page(&reply, 0, 100).unwrap();
        assert_eq!(page.members.len(), 2);
        assert_eq!(page.members[1].muted_until_ms, Some(500_000));
        assert_eq!(page.next, Some(MemberCursor("2".into())));
        let last = json!({"MemberNum": 3, "MemberList": [{"Member_Account": "c", "Role": "Admin"}]});
        assert_eq!(parse_member_page(&last, 2, 100).unwrap().next, None);
        assert!(member_offset(Some(&MemberCursor("x".into()))).is_err());
    }
}
