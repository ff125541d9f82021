//! Team changes told over the link, as NetEase tells them: each change is a
//! team notification (an `8_3` team message of type 5, see `team_wire.rs`)
//! pushed to the online clients of the members concerned; an application is
//! a `7_3` system message to the owner and managers. Notifications are not
//! kept for offline members (the engine's group is what a later login reads).
//!
//! The engine reports one change per member; NetEase announces a batch at
//! once, so consecutive joins or removals by the same operator become one
//! notification with every accid, and a transfer (the old owner's and the
//! new owner's role change) becomes one `transferTeam`.

use super::super::Face;
use super::{now_ms, push_frame, team_wire};
use crate::groups::{GroupChange, GroupRecord};
use serde_json::{json, Map, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use unim_core::{GroupEvent, Role};
use unim_netease::link::ids::team_notification as op;
use unim_netease::link::{cmd, Response};

/// Ids of notifications and system messages.
#[derive(Default)]
pub(in crate::netease) struct NoteIds(AtomicU64);

impl NoteIds {
    fn next(&self) -> u64 {
        team_wire::FIRST_NOTE_ID + self.0.fetch_add(1, Ordering::Relaxed) + 1
    }
}

/// One notification to send: operator, op, data, the group and who hears it.
struct Note<'a> {
    group: &'a GroupRecord,
    from: String,
    op: i64,
    data: Map<String, Value>,
    notify: Vec<String>,
}

fn data(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn owner_or(g: &GroupRecord, by: &Option<String>) -> String {
    by.clone().or_else(|| g.owner.clone()).unwrap_or_default()
}

fn union(into: &mut Vec<String>, more: &[String]) {
    for u in more {
        if !into.contains(u) {
            into.push(u.clone());
        }
    }
}

/// The run of changes from `changes[*i - 1]` that one NetEase notification
/// announces: while `user_of` finds the same event (same kind, group and
/// operator) for another user, that user joins the run. Gives the run's
/// users, everyone it notifies and the group as of its last change; `*i`
/// moves past the run.
fn run<'a>(
    changes: &'a [GroupChange],
    i: &mut usize,
    user_of: impl Fn(&'a GroupEvent) -> Option<&'a String>,
) -> (Vec<String>, Vec<String>, &'a GroupRecord) {
    let first = &changes[*i - 1];
    let (mut ids, mut notify) = (user_of(&first.event).into_iter().cloned().collect::<Vec<_>>(), first.notify.clone());
    while let Some((c, user)) = changes.get(*i).and_then(|c| Some((c, user_of(&c.event)?))) {
        ids.push(user.clone());
        union(&mut notify, &c.notify);
        *i += 1;
    }
    (ids, notify, &changes[*i - 1].group)
}

/// Tells each change's users over their online links.
pub(in crate::netease) fn publish(face: &Face, changes: &[GroupChange]) {
    let mut i = 0;
    while i < changes.len() {
        let c = &changes[i];
        i += 1;
        let note = match &c.event {
            GroupEvent::MemberJoined { group, by: Some(by), .. } => {
                let (ids, notify, group) = run(changes, &mut i, |e| match e {
                    GroupEvent::MemberJoined { group: g2, user, by: Some(b2) } if g2 == group && b2 == by => Some(user),
                    _ => None,
                });
                Note { group, from: by.clone(), op: op::ADD_MEMBERS, data: data(json!({ "ids": ids })), notify }
            }
            GroupEvent::MemberJoined { user, by: None, .. } => {
                let d = data(json!({ "id": user }));
                Note { group: &c.group, from: user.clone(), op: op::PASS_APPLY, data: d, notify: c.notify.clone() }
            }
            GroupEvent::MemberRemoved { group, by, .. } => {
                let (ids, notify, group) = run(changes, &mut i, |e| match e {
                    GroupEvent::MemberRemoved { group: g2, user, by: b2 } if g2 == group && b2 == by => Some(user),
                    _ => None,
                });
                let from = owner_or(group, by);
                Note { group, from, op: op::REMOVE_MEMBERS, data: data(json!({ "ids": ids })), notify }
            }
            GroupEvent::MemberLeft { user, .. } => {
                Note { group: &c.group, from: user.clone(), op: op::LEAVE, data: Map::new(), notify: c.notify.clone() }
            }
            GroupEvent::RoleChanged { group, user, role: Role::Member } => match changes.get(i) {
                // The engine's transfer: the old owner steps down, then the new one is announced.
                Some(GroupChange {
                    event: GroupEvent::RoleChanged { group: g2, user: new, role: Role::Owner },
                    ..
                }) if g2 == group => {
                    i += 1;
                    let next = &changes[i - 1];
                    let mut notify = c.notify.clone();
                    union(&mut notify, &next.notify);
                    let d = data(json!({ "id": new }));
                    Note { group: &next.group, from: user.clone(), op: op::TRANSFER, data: d, notify }
                }
                _ => {
                    let d = data(json!({ "ids": [user] }));
                    let from = owner_or(&c.group, &None);
                    Note { group: &c.group, from, op: op::REMOVE_MANAGERS, data: d, notify: c.notify.clone() }
                }
            },
            GroupEvent::RoleChanged { user, role: Role::Admin, .. } => {
                let d = data(json!({ "ids": [user] }));
                let from = owner_or(&c.group, &None);
                Note { group: &c.group, from, op: op::ADD_MANAGERS, data: d, notify: c.notify.clone() }
            }
            GroupEvent::RoleChanged { user, role: Role::Owner, .. } => {
                let d = data(json!({ "id": user }));
                Note { group: &c.group, from: user.clone(), op: op::TRANSFER, data: d, notify: c.notify.clone() }
            }
            GroupEvent::MemberMuted { user, until_ms, .. } => {
                // `muteEnd` (ms) is the emulator's addition: NetEase's member mute has no end.
                let mut d = data(json!({ "id": user, "mute": i64::from(until_ms.is_some()) }));
                if let Some(end) = until_ms {
                    d.insert("muteEnd".into(), json!(end));
                }
                let from = owner_or(&c.group, &None);
                Note { group: &c.group, from, op: op::UPDATE_MUTE, data: d, notify: c.notify.clone() }
            }
            GroupEvent::InfoChanged { name, introduction, .. } => {
                let g = &c.group;
                let mut tinfo = json!({ "1": g.id, "12": g.updated_ms });
                if let Some(n) = name {
                    tinfo["3"] = json!(n);
                }
                if let Some(intro) = introduction {
                    tinfo["14"] = json!(intro);
                }
                let from = owner_or(g, &None);
                Note { group: g, from, op: op::UPDATE, data: data(json!({ "tinfo": tinfo })), notify: c.notify.clone() }
            }
            GroupEvent::Dismissed { by, .. } => {
                let from = owner_or(&c.group, by);
                Note { group: &c.group, from, op: op::DISMISS, data: Map::new(), notify: c.notify.clone() }
            }
            GroupEvent::JoinRequested { applicant, message, .. } => {
                let ps = message.clone().unwrap_or_default();
                let sys = team_wire::application(&c.group.id, applicant, &ps, face.links.notes.next(), now_ms(face));
                push_to(face, &c.notify, &Response::push(cmd::SYS_MSG, vec![sys.to_value()]));
                continue;
            }
        };
        let msg =
            team_wire::notification(note.group, &note.from, note.op, note.data, face.links.notes.next(), now_ms(face));
        push_to(face, &note.notify, &Response::push(cmd::TEAM_MSG, vec![msg.to_value()]));
    }
}

/// Pushes `push` to every online client of `users`.
pub(super) fn push_to(face: &Face, users: &[String], push: &Response) {
    for user in users {
        for port in face.links.ports.of_user(user) {
            push_frame(face, port.link, push);
        }
    }
}

/// The next id for a system message.
pub(super) fn next_id(face: &Face) -> u64 {
    face.links.notes.next()
}
