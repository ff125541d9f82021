//! Group events and group messages on this face's client links
//! (docs/protocols/easemob.md, "Groups"). Both go into the group's msync
//! queue (its JID, `<appKey>_<id>@conference.easemob.com`) of each member's
//! online devices, each told by a NOTICE; a message also waits for offline
//! members' next login.
//!
//! Events are `MUC` metas whose `MUCBody` carries the operation the web SDK
//! turns into `onGroupEvent`: a member added by someone is told
//! `DIRECT_JOINED` (from the operator), everyone else `PRESENCE` (from the new
//! member; `to` names who added them); `ABSENCE` (left), `KICK` (removed: from
//! the operator, `to` the removed member, told to every member),
//! `ADD_ADMIN` / `REMOVE_ADMIN`, `ASSIGN_OWNER` (from the old owner, `to` the
//! new one), `ADD_MUTE` (`ext` `{"user_mute_time": ms}`) / `REMOVE_MUTE`,
//! `UPDATE` (`eventInfo.ext` with the changed `name` / `description`),
//! `DESTROY`, `APPLY` (from the applicant, `reason` their message). The app
//! admin acts with an empty `from` name.

use super::chat::{group_jid, jid, stored_payload};
use super::link::{group_queue, notice_payload};
use super::Face;
use crate::groups::{GroupChange, GroupRecord};
use crate::messages::StoredMessage;
use crate::LinkId;
use serde_json::json;
use unim_core::{GroupEvent, Role};
use unim_easemob::link::{meta, muc_body, Jid, Meta, MucBody};

/// Tells each change's online members, over their links, in the vendor's
/// own notification shape.
pub(crate) fn publish(face: &Face, changes: &[GroupChange]) {
    // A transfer is two changes: the old owner's demotion (made while the
    // group still names them owner), then the new owner; one ASSIGN_OWNER tells both.
    let mut old_owner: Option<&str> = None;
    for change in changes {
        if let GroupEvent::RoleChanged { user, role: Role::Member, .. } = &change.event {
            if change.group.owner.as_deref() == Some(user.as_str()) {
                old_owner = Some(user);
                continue;
            }
        }
        for user in &change.notify {
            push_muc(face, &change.group, user, &muc_for(face, change, user, old_owner));
        }
    }
}

/// Delivers a stored group message to `members`: pushed to their online
/// links (the sender's other links get their copy), kept for the next login
/// of those offline.
pub(crate) fn deliver(face: &Face, message: &StoredMessage, members: &[String]) {
    deliver_from(face, message, members, None);
}

/// [`deliver`] of a message a device sent: `sender` is its resource and link
/// (the link gets the ack, not a copy).
pub(crate) fn deliver_from(face: &Face, message: &StoredMessage, members: &[String], sender: Option<(&str, LinkId)>) {
    let mut from = jid(face, &message.from);
    if let Some((resource, _)) = sender {
        from = from.with_resource(resource);
    }
    let meta = Meta {
        id: Some(message.server_id.parse().unwrap_or_default()),
        from: Some(from),
        to: Some(group_jid(face, &message.to)),
        timestamp: Some(message.time_ms),
        ns: Some(meta::NameSpace::Chat as i32),
        payload: Some(stored_payload(face, message)),
        ..Meta::default()
    };
    let queue = group_queue(&message.to);
    for member in members {
        let own = member == &message.from;
        let skip = if own { sender.map(|(_, link)| link) } else { None };
        for link in face.queues.deliver(member, &queue, &meta, skip, !own) {
            face.engine.push(link, notice_payload(&queue));
        }
    }
}

/// Queues `body` for the online devices of `user` and tells them.
fn push_muc(face: &Face, group: &GroupRecord, user: &str, body: &MucBody) {
    let now = face.engine.now_ms();
    let meta = Meta::muc(face.queues.next_id(now), body)
        .with_from(group_jid(face, &group.id))
        .with_to(jid(face, user))
        .with_timestamp(now);
    let queue = group_queue(&group.id);
    for link in face.queues.deliver(user, &queue, &meta, None, false) {
        face.engine.push(link, notice_payload(&queue));
    }
}

/// The `MUCBody` that tells `viewer` of `change` (`old_owner`: the owner a
/// transfer in the same batch demoted).
fn muc_for(face: &Face, change: &GroupChange, viewer: &str, old_owner: Option<&str>) -> MucBody {
    use muc_body::Operation as Op;
    let group = &change.group;
    let app = face.app_key.to_string();
    let user = |name: &str| Jid::user(app.clone(), name);
    let actor = |by: &Option<String>| user(by.as_deref().unwrap_or_default());
    let owner = || user(group.owner.as_deref().unwrap_or_default());
    let mut body = MucBody {
        muc_id: Some(group_jid(face, &group.id)),
        muc_name: Some(group.name.clone()),
        muc_member_count: i32::try_from(group.members.len()).ok(),
        is_chatroom: Some(false),
        ..MucBody::default()
    };
    let (op, from, to) = match &change.event {
        GroupEvent::MemberJoined { user: joined, by: Some(by), .. } if joined == viewer => {
            (Op::DirectJoined, user(by), vec![user(joined)])
        }
        GroupEvent::MemberJoined { user: joined, by, .. } => {
            (Op::Presence, user(joined), by.iter().map(|b| user(b)).collect())
        }
        GroupEvent::MemberLeft { user: left, .. } => (Op::Absence, user(left), Vec::new()),
        GroupEvent::MemberRemoved { user: removed, by, .. } => (Op::Kick, actor(by), vec![user(removed)]),
        GroupEvent::RoleChanged { user: who, role: Role::Owner, .. } => {
            (Op::AssignOwner, user(old_owner.unwrap_or_default()), vec![user(who)])
        }
        GroupEvent::RoleChanged { user: who, role: Role::Admin, .. } => (Op::AddAdmin, owner(), vec![user(who)]),
        GroupEvent::RoleChanged { user: who, .. } => (Op::RemoveAdmin, owner(), vec![user(who)]),
        GroupEvent::MemberMuted { user: who, until_ms: Some(until), .. } => {
            body.ext = Some(json!({ "user_mute_time": until }).to_string());
            (Op::AddMute, owner(), vec![user(who)])
        }
        GroupEvent::MemberMuted { user: who, until_ms: None, .. } => (Op::RemoveMute, owner(), vec![user(who)]),
        GroupEvent::InfoChanged { name, introduction, .. } => {
            let mut ext = serde_json::Map::new();
            if let Some(n) = name {
                ext.insert("name".into(), json!(n));
            }
            if let Some(i) = introduction {
                ext.insert("description".into(), json!(i));
            }
            ext.insert("last_modified".into(), json!(group.updated_ms.to_string()));
            body.event_info = Some(muc_body::EventInfo {
                event_type: Some(muc_body::event_info::EventType::EventNone as i32),
                ext: Some(serde_json::Value::Object(ext).to_string()),
            });
            (Op::Update, owner(), Vec::new())
        }
        GroupEvent::Dismissed { by, .. } => (Op::Destroy, actor(by), Vec::new()),
        GroupEvent::JoinRequested { applicant, message, .. } => {
            body.reason = message.clone();
            (Op::Apply, user(applicant), vec![owner()])
        }
    };
    body.operation = Some(op as i32);
    body.from = Some(from);
    body.to = to;
    body
}
