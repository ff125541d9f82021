//! Group events and group messages on this face's client links, in the
//! shapes `@tencentcloud/chat` reads (docs/protocols/tencent.md, "Groups").
//!
//! Everything goes out as `im_open_push.msg_push`, routed by array key:
//! - a group message: `{Event: 3, GroupMsgArray: [item]}`;
//! - a group tip (seen by every member: joined, quit, kicked, admin set or
//!   unset, profile or owner changed, member muted): `{Event: 4, GroupTips:
//!   [item]}` with `MsgBody.OpType` 1-7;
//! - a group system notice (told to one user: a join application to the
//!   managers, "you were removed", "the group was dismissed"): `{Event: 5,
//!   GroupTips: [item]}` with `MsgBody.OpType` 1, 4 or 5.
//!
//! A member that was offline finds what it missed from its read position
//! and the group's history (docs/protocols/tencent.md 13.4).

use super::link::push_payload;
use super::Face;
use crate::groups::{GroupChange, GroupRecord};
use crate::messages::StoredMessage;
use rand::Rng;
use serde_json::{json, Map, Value};
use unim_core::{GroupEvent, GroupKind, Role};
use unim_tencent::link::servcmd;
use unim_tencent::msg::body_to_elems;

/// `Event` of a push carrying group messages.
pub(crate) const EVENT_GROUP_MSG: u32 = 3;
/// `Event` of a push carrying group tips (every member sees them).
pub(crate) const EVENT_GROUP_TIPS: u32 = 4;
/// `Event` of a push carrying group system notices (one user's).
pub(crate) const EVENT_GROUP_NOTICE: u32 = 5;

/// Group tip `OpType`s (the SDK's `GRP_TIP_*`).
pub(crate) mod tip {
    /// Members joined.
    pub(crate) const JOIN: u32 = 1;
    /// A member quit.
    pub(crate) const QUIT: u32 = 2;
    /// Members were removed.
    pub(crate) const KICKED: u32 = 3;
    /// Members were made admins.
    pub(crate) const SET_ADMIN: u32 = 4;
    /// Members are no longer admins.
    pub(crate) const CANCEL_ADMIN: u32 = 5;
    /// The group's profile changed (name, introduction, owner).
    pub(crate) const PROFILE: u32 = 6;
    /// Members' profiles changed (a mute).
    pub(crate) const MEMBER_PROFILE: u32 = 7;
}

/// Group system notice `OpType`s.
pub(crate) mod notice {
    /// Someone applied to join (to the owner and admins).
    pub(crate) const JOIN_REQUEST: u32 = 1;
    /// You were removed.
    pub(crate) const KICKED: u32 = 4;
    /// The group was dismissed.
    pub(crate) const DISMISSED: u32 = 5;
}

/// Tells each change's online members, over their links, in the vendor's
/// own notification shape.
pub(crate) fn publish(face: &Face, changes: &[GroupChange]) {
    for change in changes {
        for user in &change.notify {
            let payload = push_payload(servcmd::MSG_PUSH, notification(change, user, face.engine.now()));
            face.store.push_to(&face.engine, user, None, &payload);
        }
    }
}

/// Delivers a stored group message to `members`: pushed to their online
/// links, the sender's included (its clients know their own sends by
/// `Random` and drop that copy, as the web client does; its other devices
/// keep it). Nothing is queued for members who are offline: the group's
/// history and their read position (`SelfInfo.MsgSeq` in
/// `get_joined_group_list`, the unread count in the conversation list) are
/// what a returning client pulls from, with `group_msg_get`.
pub(crate) fn deliver(face: &Face, message: &StoredMessage, members: &[String]) {
    let group = face.engine.group(&message.to).ok();
    let item = message_item(message, group.as_ref());
    let push = push_payload(
        servcmd::MSG_PUSH,
        json!({ "EventArray": [{ "Event": EVENT_GROUP_MSG, "GroupMsgArray": [item] }] }),
    );
    let pushed: usize = members.iter().map(|m| face.store.push_to(&face.engine, m, None, &push)).sum();
    tracing::debug!(group = message.to, members = members.len(), pushed, "tencent: group message pushed");
}

/// The Tencent group type of a neutral kind (Work groups are `Private` on the wire).
pub(crate) fn group_type(kind: GroupKind) -> &'static str {
    match kind {
        GroupKind::Private => "Private",
        GroupKind::Public => "Public",
    }
}

/// A group message as a `GroupMsgArray` item (also an `openim.getmsg`
/// `EventArray` item and, with `MsgKey`, what `group_msg_get` returns).
pub(crate) fn message_item(m: &StoredMessage, group: Option<&GroupRecord>) -> Value {
    let (seq, random, time) = super::groups::group_msg_parts(m);
    let mut info = Map::new();
    info.insert("GroupId".into(), json!(m.to));
    if let Some(g) = group {
        info.insert("GroupType".into(), json!(group_type(g.kind)));
        info.insert("GroupName".into(), json!(g.name));
    }
    info.insert("From_AccountNick".into(), json!(""));
    json!({
        "From_Account": m.from,
        "ToGroupId": m.to,
        "GroupInfo": Value::Object(info),
        "MsgSeq": seq,
        "MsgRandom": random,
        "MsgTimeStamp": time,
        "MsgClientTime": time,
        "TinyId": super::tiny_id(&m.from).to_string(),
        "MsgKey": m.server_id,
        "MsgPriority": 1,
        "IsSystemMsg": 0,
        "OnlineOnlyFlag": 0,
        "MsgBody": body_to_elems(&m.body),
        "CloudCustomData": "",
    })
}

/// The push body that tells `user` of `change`.
fn notification(change: &GroupChange, user: &str, now: u64) -> Value {
    let g = &change.group;
    let member_num = g.members.len();
    let (event, body) = match &change.event {
        GroupEvent::MemberJoined { user: who, by, .. } => {
            let op = by.clone().unwrap_or_else(|| who.clone());
            (EVENT_GROUP_TIPS, tip_body(tip::JOIN, &op, &[who], member_num))
        }
        GroupEvent::MemberLeft { user: who, .. } => (EVENT_GROUP_TIPS, tip_body(tip::QUIT, who, &[who], member_num)),
        GroupEvent::MemberRemoved { user: who, by, .. } => {
            let op = by.as_deref().unwrap_or("");
            if who == user {
                (EVENT_GROUP_NOTICE, notice_body(notice::KICKED, op, None))
            } else {
                (EVENT_GROUP_TIPS, tip_body(tip::KICKED, op, &[who], member_num))
            }
        }
        GroupEvent::RoleChanged { user: who, role, .. } => {
            let op = g.owner.as_deref().unwrap_or("");
            match role {
                Role::Admin => (EVENT_GROUP_TIPS, tip_body(tip::SET_ADMIN, op, &[who], member_num)),
                Role::Member => (EVENT_GROUP_TIPS, tip_body(tip::CANCEL_ADMIN, op, &[who], member_num)),
                Role::Owner => {
                    let mut body = tip_body(tip::PROFILE, who, &[], member_num);
                    body["MsgGroupNewInfo"] = json!({ "Owner_Account": who });
                    (EVENT_GROUP_TIPS, body)
                }
            }
        }
        GroupEvent::MemberMuted { user: who, until_ms, .. } => {
            let secs = until_ms.map_or(0, |until| until.saturating_sub(now.saturating_mul(1000)).div_ceil(1000));
            let op = g.owner.as_deref().unwrap_or("");
            let mut body = tip_body(tip::MEMBER_PROFILE, op, &[who], member_num);
            body["MsgMemberInfo"] = json!([{ "User_Account": who, "ShutupTime": secs }]);
            (EVENT_GROUP_TIPS, body)
        }
        GroupEvent::InfoChanged { name, introduction, .. } => {
            let mut info = Map::new();
            if let Some(n) = name {
                info.insert("GroupName".into(), json!(n));
            }
            if let Some(i) = introduction {
                info.insert("GroupIntroduction".into(), json!(i));
            }
            let mut body = tip_body(tip::PROFILE, "", &[], member_num);
            body["MsgGroupNewInfo"] = Value::Object(info);
            (EVENT_GROUP_TIPS, body)
        }
        GroupEvent::Dismissed { by, .. } => {
            (EVENT_GROUP_NOTICE, notice_body(notice::DISMISSED, by.as_deref().unwrap_or(""), None))
        }
        GroupEvent::JoinRequested { applicant, message, .. } => {
            (EVENT_GROUP_NOTICE, notice_body(notice::JOIN_REQUEST, applicant, message.as_deref()))
        }
    };
    let item = json!({
        "ToGroupId": g.id,
        "GroupInfo": { "GroupId": g.id, "GroupType": group_type(g.kind), "GroupName": g.name },
        // Tips and notices have their own identity: the SDK drops a repeat of (seq, random, time).
        "MsgSeq": 0,
        "MsgRandom": rand::thread_rng().gen_range(1..u64::from(u32::MAX)),
        "MsgTimeStamp": now,
        "MsgClientTime": now,
        "MsgBody": body,
    });
    // Tips and system notices both travel under `GroupTips`; `Event` tells them apart.
    json!({ "EventArray": [{ "Event": event, "GroupTips": [item] }] })
}

fn tip_body(op_type: u32, operator: &str, users: &[&String], member_num: usize) -> Value {
    json!({
        "OpType": op_type,
        "Operator_Account": operator,
        "List_Account": users,
        "MemberNum": member_num,
    })
}

fn notice_body(op_type: u32, operator: &str, remark: Option<&str>) -> Value {
    json!({
        "OpType": op_type,
        "Operator_Account": operator,
        "RemarkInfo": remark.unwrap_or(""),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::groups::GroupRules;
    use unim_core::{JoinPolicy, MessageBody};

    fn group() -> GroupRecord {
        GroupRecord {
            id: "@TGS#1A".into(),
            number: 1,
            kind: GroupKind::Public,
            join_policy: JoinPolicy::Free,
            name: "team".into(),
            introduction: None,
            owner: Some("alice".into()),
            members: Vec::new(),
            max_members: 200,
            created_ms: 0,
            updated_ms: 0,
            pending: Vec::new(),
            rules: GroupRules::MANAGED,
            extra: Map::new(),
        }
    }

    fn change(event: GroupEvent) -> GroupChange {
        GroupChange { event, notify: vec!["alice".into(), "bob".into()], group: group() }
    }

    fn first(body: &Value) -> (&Value, &Value) {
        let e = &body["EventArray"][0];
        (&e["Event"], &e["GroupTips"][0])
    }

    #[test]
    fn a_removal_is_a_tip_for_the_others_and_a_notice_for_the_removed() {
        let c =
            change(GroupEvent::MemberRemoved { group: "@TGS#1A".into(), user: "bob".into(), by: Some("alice".into()) });
        let to_alice = notification(&c, "alice", 100);
        let (event, item) = first(&to_alice);
        assert_eq!((event, &item["MsgBody"]["OpType"]), (&json!(4), &json!(tip::KICKED)));
        assert_eq!(item["MsgBody"]["List_Account"], json!(["bob"]));
        let to_bob = notification(&c, "bob", 100);
        let (event, item) = first(&to_bob);
        assert_eq!((event, &item["MsgBody"]["OpType"]), (&json!(5), &json!(notice::KICKED)));
        assert_eq!(item["GroupInfo"]["GroupId"], "@TGS#1A");
    }

    #[test]
    fn owner_changes_and_mutes_carry_their_details() {
        let owner = change(GroupEvent::RoleChanged { group: "g".into(), user: "bob".into(), role: Role::Owner });
        let body = notification(&owner, "alice", 1);
        assert_eq!(first(&body).1["MsgBody"]["MsgGroupNewInfo"]["Owner_Account"], "bob");
        let mute = change(GroupEvent::MemberMuted { group: "g".into(), user: "bob".into(), until_ms: Some(61_500) });
        let body = notification(&mute, "alice", 1);
        assert_eq!(first(&body).1["MsgBody"]["MsgMemberInfo"][0]["ShutupTime"], 61);
    }

    #[test]
    fn group_messages_carry_their_group_and_place() {
        let m = StoredMessage {
            seq: 9,
            server_id: "3_77_100".into(),
            client_id: "77".into(),
            from: "alice".into(),
            to: "@TGS#1A".into(),
            kind: unim_core::ConversationKind::Group,
            body: MessageBody::text("hi"),
            time_ms: 100_000,
            group_seq: 3,
        };
        let item = message_item(&m, Some(&group()));
        assert_eq!((item["MsgSeq"].clone(), item["MsgRandom"].clone()), (json!(3), json!(77)));
        assert_eq!(item["GroupInfo"]["GroupType"], "Public");
        assert_eq!(item["MsgKey"], "3_77_100");
    }
}
