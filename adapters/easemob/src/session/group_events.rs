//! Group notifications: `MUC` metas pulled from a group's queue, as the web
//! SDK reads them for `onGroupEvent` (docs/protocols/easemob.md, "Groups"),
//! turned into neutral [`GroupEvent`]s. `from` is who acted (empty: the app
//! admin), `to` whom it was done to.

use crate::link::{muc_body::Operation, Jid, Meta};
use unim_core::{GroupEvent, Role};

/// A JID's user name, lower case; `None` when empty.
fn name(jid: Option<&Jid>) -> Option<String> {
    jid.and_then(|j| j.name.as_deref()).filter(|n| !n.is_empty()).map(str::to_ascii_lowercase)
}

/// The events a `MUC` meta tells `me`; none for chat rooms, threads and
/// operations without a neutral event (announcements, files, allow lists...).
pub(crate) fn events_of(meta: &Meta, me: &str) -> Vec<GroupEvent> {
    let Ok(body) = meta.muc_body() else {
        tracing::debug!("an unreadable MUC meta is skipped");
        return Vec::new();
    };
    if body.is_chatroom == Some(true) || body.is_thread == Some(true) {
        return Vec::new();
    }
    let Some(group) = name(body.muc_id.as_ref()) else { return Vec::new() };
    let from = name(body.from.as_ref());
    let to = name(body.to.first());
    let Ok(op) = body.operation.map_or(Ok(Operation::Create), Operation::try_from) else {
        tracing::debug!(op = ?body.operation, "a MUC operation the session does not know");
        return Vec::new();
    };
    let event = match op {
        // The SDK's directJoined: `me` was added by `from`.
        Operation::DirectJoined => {
            GroupEvent::MemberJoined { group, user: to.unwrap_or_else(|| me.to_owned()), by: from }
        }
        // memberPresence: `from` joined (`to`: who added them, if anyone).
        Operation::Presence => match from {
            Some(user) => GroupEvent::MemberJoined { group, user, by: to },
            None => return Vec::new(),
        },
        // acceptRequest: `me`'s application was approved by `from`.
        Operation::ApplyAccept => GroupEvent::MemberJoined { group, user: me.to_owned(), by: from },
        Operation::Absence | Operation::Leave => match from {
            Some(user) => GroupEvent::MemberLeft { group, user },
            None => return Vec::new(),
        },
        // removeMember: `to` (or `me`) was removed by `from`.
        Operation::Kick => GroupEvent::MemberRemoved { group, user: to.unwrap_or_else(|| me.to_owned()), by: from },
        Operation::AddAdmin | Operation::RemoveAdmin => {
            let Some(user) = to else { return Vec::new() };
            let role = if op == Operation::AddAdmin { Role::Admin } else { Role::Member };
            GroupEvent::RoleChanged { group, user, role }
        }
        // changeOwner: `to` owns the group now; `from`, the old owner, is a member.
        Operation::AssignOwner => {
            let Some(new_owner) = to else { return Vec::new() };
            let mut events = Vec::new();
            if let Some(old) = from.filter(|o| *o != new_owner) {
                events.push(GroupEvent::RoleChanged { group: group.clone(), user: old, role: Role::Member });
            }
            events.push(GroupEvent::RoleChanged { group, user: new_owner, role: Role::Owner });
            return events;
        }
        Operation::AddMute | Operation::RemoveMute => {
            let Some(user) = to else { return Vec::new() };
            let until_ms = (op == Operation::AddMute).then(|| mute_until(body.ext.as_deref())).flatten();
            // A mute whose end is not told still is a mute: "until further notice".
            let until_ms = if op == Operation::AddMute { until_ms.or(Some(u64::MAX)) } else { None };
            GroupEvent::MemberMuted { group, user, until_ms }
        }
        Operation::Update => {
            let ext = body.event_info.as_ref().and_then(|i| i.ext.as_deref()).unwrap_or("{}");
            let info: serde_json::Value = serde_json::from_str(ext).unwrap_or_default();
            let text = |k: &str| info.get(k).and_then(|v| v.as_str()).map(str::to_owned);
            GroupEvent::InfoChanged {
                group,
                name: text("name").or_else(|| text("title")),
                introduction: text("description"),
            }
        }
        Operation::Destroy => GroupEvent::Dismissed { group, by: from },
        // requestToJoin: `from` applied, with `reason` as the message.
        Operation::Apply => match from {
            Some(applicant) => {
                GroupEvent::JoinRequested { group, applicant, message: body.reason.clone().filter(|r| !r.is_empty()) }
            }
            None => return Vec::new(),
        },
        other => {
            tracing::debug!(op = other.as_str_name(), "a MUC operation without a neutral group event");
            return Vec::new();
        }
    };
    vec![event]
}

/// The end of a mute from an `ADD_MUTE` `ext` (`{"user_mute_time": ms}`).
fn mute_until(ext: Option<&str>) -> Option<u64> {
    let value: serde_json::Value = serde_json::from_str(ext?).ok()?;
    match value.get("user_mute_time")? {
        serde_json::Value::Number(n) => n.as_u64(),
        serde_json::Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::MucBody;

    fn muc(op: Operation, from: &str, to: &[&str]) -> MucBody {
        MucBody {
            muc_id: Some(Jid::group("o#a", "123")),
            operation: Some(op as i32),
            from: Some(Jid::user("o#a", from)),
            to: to.iter().map(|t| Jid::user("o#a", *t)).collect(),
            ..MucBody::default()
        }
    }

    fn events(body: &MucBody, me: &str) -> Vec<GroupEvent> {
        events_of(&Meta::muc(1, body), me)
    }

    #[test]
    fn membership_operations_name_the_member_and_the_actor() {
        let joined = events(&muc(Operation::DirectJoined, "alice", &["bob"]), "bob");
        assert_eq!(
            joined,
            vec![GroupEvent::MemberJoined { group: "123".into(), user: "bob".into(), by: Some("alice".into()) }]
        );
        let presence = events(&muc(Operation::Presence, "carol", &[]), "bob");
        assert_eq!(presence, vec![GroupEvent::MemberJoined { group: "123".into(), user: "carol".into(), by: None }]);
        let kicked = events(&muc(Operation::Kick, "", &["dave"]), "bob");
        assert_eq!(kicked, vec![GroupEvent::MemberRemoved { group: "123".into(), user: "dave".into(), by: None }]);
        let left = events(&muc(Operation::Absence, "dave", &[]), "bob");
        assert_eq!(left, vec![GroupEvent::MemberLeft { group: "123".into(), user: "dave".into() }]);
    }

    #[test]
    fn roles_mutes_updates_and_requests() {
        let owner = events(&muc(Operation::AssignOwner, "alice", &["bob"]), "carol");
        assert_eq!(owner.len(), 2);
        assert!(matches!(&owner[1], GroupEvent::RoleChanged { user, role: Role::Owner, .. } if user == "bob"));
        let mut mute = muc(Operation::AddMute, "alice", &["bob"]);
        mute.ext = Some("{\"user_mute_time\":1700000060000}".into());
        assert!(matches!(&events(&mute, "bob")[0], GroupEvent::MemberMuted { until_ms: Some(1_700_000_060_000), .. }));
        let mut update = muc(Operation::Update, "alice", &[]);
        update.event_info =
            Some(crate::link::muc_body::EventInfo { event_type: None, ext: Some("{\"name\":\"n2\"}".into()) });
        assert!(
            matches!(&events(&update, "bob")[0], GroupEvent::InfoChanged { name: Some(n), introduction: None, .. } if n == "n2")
        );
        let mut apply = muc(Operation::Apply, "zed", &["alice"]);
        apply.reason = Some("let me in".into());
        assert!(
            matches!(&events(&apply, "alice")[0], GroupEvent::JoinRequested { applicant, message: Some(_), .. } if applicant == "zed")
        );
        let mut room = muc(Operation::Destroy, "alice", &[]);
        room.is_chatroom = Some(true);
        assert!(events(&room, "bob").is_empty());
    }
}
