//! Who may do what: handing the group over, admins, refusals of members and
//! outsiders, and muting a member for a while on the manual clock.

use super::{
    create_group, exactly, expect_by, needs_public, people, public_kind, refused, removed, role_changed, spec_of, told,
    wait_info, wait_roster,
};
use crate::case::{case_fn, require, Case};
use crate::cases::chat::{clock_ms, text};
use crate::expect::{ensure, Failure, ResultExt};
use crate::harness::Harness;
use std::time::Duration;
use unim_core::{ConversationId, ErrorKind, GroupEvent, GroupUpdate, Message, OutgoingMessage, Role};

/// `group.transfer_owner`.
pub fn transfer_owner() -> Case {
    Case {
        name: "group.transfer_owner",
        about: "the owner hands the group to a member: members are told RoleChanged (new owner Owner, old owner \
                Member), group_info names the new owner, and the old owner may no longer dismiss",
        needs: |c| {
            needs_public(c)?;
            require(c.group_transfer, "group_transfer")
        },
        run: case_fn!(group_transfer_owner),
    }
}

/// `group.admins`.
pub fn admins() -> Case {
    Case {
        name: "group.admins",
        about: "the owner makes a member admin (members are told RoleChanged); the admin removes a plain member but \
                not the owner, and sets no admins; made a member again, it removes no one",
        needs: |c| {
            needs_public(c)?;
            require(c.group_admins, "group_admins")
        },
        run: case_fn!(group_admins),
    }
}

/// `group.permissions`.
pub fn permissions() -> Case {
    Case {
        name: "group.permissions",
        about: "a non-member and a plain member of a public group are refused with PermissionDenied (and the vendor's \
                code) to update, add, remove, dismiss and set roles; a non-member's group send is refused too",
        needs: needs_public,
        run: case_fn!(group_permissions),
    }
}

/// `group.mute_member`.
pub fn mutes() -> Case {
    Case {
        name: "group.mute_member",
        about: "a member muted for a minute is told MemberMuted and its group sends are refused with PermissionDenied \
                until the mute ends on the clock; unmuting (zero) lifts a mute at once",
        needs: |c| {
            needs_public(c)?;
            require(c.group_mute, "group_mute")?;
            require(c.group_messages, "group_messages")
        },
        run: case_fn!(group_mute_member),
    }
}

async fn group_transfer_owner(h: &dyn Harness) -> Result<(), Failure> {
    let kind = public_kind(&h.capabilities()).expect("checked by needs");
    let [alice, bob, mut carol] = people(h, ["alice", "bob", "carol"]).await?;
    let g = create_group(&alice, &spec_of("group.transfer_owner", kind, &[&bob, &carol])).await?;
    let mark = carol.on.events.mark();
    alice.s().transfer_group(&g.id, &bob.user).await.ctx("alice: transfer_group to bob")?;
    told(&mut carol.on.events, mark, "RoleChanged of bob to Owner", role_changed(&g.id, &bob.user, Role::Owner))
        .await?;
    told(&mut carol.on.events, mark, "RoleChanged of alice to Member", role_changed(&g.id, &alice.user, Role::Member))
        .await?;
    let after =
        [(alice.user.as_str(), Role::Member), (bob.user.as_str(), Role::Owner), (carol.user.as_str(), Role::Member)];
    wait_roster(&carol, &g.id, "carol: the members after the transfer", exactly(&after)).await?;
    wait_info(&alice, &g.id, "alice: group_info after the transfer", |i| {
        if i.owner.as_deref() == Some(&bob.user) {
            Ok(())
        } else {
            Err("bob should own it".into())
        }
    })
    .await?;
    refused("alice, owner no more: dismiss_group", alice.s().dismiss_group(&g.id).await, ErrorKind::PermissionDenied)?;
    let update = GroupUpdate { name: Some("bob's now".into()), introduction: None };
    bob.s().update_group(&g.id, &update).await.ctx("bob, the new owner: update_group")?;
    Ok(())
}

async fn group_admins(h: &dyn Harness) -> Result<(), Failure> {
    let kind = public_kind(&h.capabilities()).expect("checked by needs");
    let [mut alice, bob, mut carol, dave] = people(h, ["alice", "bob", "carol", "dave"]).await?;
    let g = create_group(&alice, &spec_of("group.admins", kind, &[&bob, &carol, &dave])).await?;

    let mark = carol.on.events.mark();
    alice.s().set_group_role(&g.id, &bob.user, Role::Admin).await.ctx("alice: make bob admin")?;
    told(&mut carol.on.events, mark, "RoleChanged of bob to Admin", role_changed(&g.id, &bob.user, Role::Admin))
        .await?;
    let with_admin = [
        (alice.user.as_str(), Role::Owner),
        (bob.user.as_str(), Role::Admin),
        (carol.user.as_str(), Role::Member),
        (dave.user.as_str(), Role::Member),
    ];
    wait_roster(&dave, &g.id, "dave: the members with bob admin", exactly(&with_admin)).await?;

    let marks = (alice.on.events.mark(), carol.on.events.mark());
    bob.s().remove_group_members(&g.id, std::slice::from_ref(&carol.user)).await.ctx("bob, an admin: remove carol")?;
    let e = told(&mut carol.on.events, marks.1, "MemberRemoved of herself by the admin", removed(&g.id, &carol.user))
        .await?;
    expect_by("carol: MemberRemoved by the admin", &e, Some(&bob.user))?;
    told(&mut alice.on.events, marks.0, "MemberRemoved of carol", removed(&g.id, &carol.user)).await?;

    let what = "bob, an admin: remove alice, the owner";
    refused(
        what,
        bob.s().remove_group_members(&g.id, std::slice::from_ref(&alice.user)).await,
        ErrorKind::PermissionDenied,
    )?;
    let what = "bob, an admin: make dave admin (only the owner sets admins)";
    refused(what, bob.s().set_group_role(&g.id, &dave.user, Role::Admin).await, ErrorKind::PermissionDenied)?;
    let three = [with_admin[0], with_admin[1], with_admin[3]];
    wait_roster(&alice, &g.id, "alice: the members after the admin's refused calls", exactly(&three)).await?;

    let mark = alice.on.events.mark();
    alice.s().set_group_role(&g.id, &bob.user, Role::Member).await.ctx("alice: make bob a plain member again")?;
    told(&mut alice.on.events, mark, "RoleChanged of bob to Member", role_changed(&g.id, &bob.user, Role::Member))
        .await?;
    let what = "bob, a plain member again: remove dave";
    refused(
        what,
        bob.s().remove_group_members(&g.id, std::slice::from_ref(&dave.user)).await,
        ErrorKind::PermissionDenied,
    )?;
    let plain = [with_admin[0], (bob.user.as_str(), Role::Member), with_admin[3]];
    wait_roster(&alice, &g.id, "alice: the members at the end", exactly(&plain)).await?;
    Ok(())
}

async fn group_permissions(h: &dyn Harness) -> Result<(), Failure> {
    let c = h.capabilities();
    let kind = public_kind(&c).expect("checked by needs");
    let [alice, bob, carol, eve] = people(h, ["alice", "bob", "carol", "eve"]).await?;
    let spec = spec_of("group.permissions", kind, &[&bob, &carol]).with_introduction("unchanged");
    let g = create_group(&alice, &spec).await?;
    let outsider = super::offline_user(h).await?;

    for who in [&eve, &bob] {
        let role = if who.user == eve.user { "a non-member" } else { "a plain member" };
        let denied = |call: &str| format!("{}, {role}: {call}", who.label);
        let s = who.s();
        let update = GroupUpdate { name: Some("taken over".into()), introduction: None };
        refused(&denied("update_group"), s.update_group(&g.id, &update).await, ErrorKind::PermissionDenied)?;
        let add = s.add_group_members(&g.id, std::slice::from_ref(&outsider)).await;
        refused(&denied("add_group_members to a public group"), add, ErrorKind::PermissionDenied)?;
        let remove = s.remove_group_members(&g.id, std::slice::from_ref(&carol.user)).await;
        refused(&denied("remove carol"), remove, ErrorKind::PermissionDenied)?;
        refused(&denied("dismiss_group"), s.dismiss_group(&g.id).await, ErrorKind::PermissionDenied)?;
        if c.group_admins {
            let promote = s.set_group_role(&g.id, &carol.user, Role::Admin).await;
            refused(&denied("make carol admin"), promote, ErrorKind::PermissionDenied)?;
        }
        if c.group_mute {
            let mute = s.mute_group_member(&g.id, &carol.user, Duration::from_secs(60)).await;
            refused(&denied("mute carol"), mute, ErrorKind::PermissionDenied)?;
        }
    }
    if c.group_messages {
        let out = OutgoingMessage::new(ConversationId::group(&g.id), text(1));
        refused("eve, a non-member: send to the group", eve.s().send(&out).await, ErrorKind::PermissionDenied)?;
    }

    let unchanged =
        [(alice.user.as_str(), Role::Owner), (bob.user.as_str(), Role::Member), (carol.user.as_str(), Role::Member)];
    wait_roster(&alice, &g.id, "alice: the members after the refused calls", exactly(&unchanged)).await?;
    wait_info(&alice, &g.id, "alice: group_info after the refused calls", |i| {
        if i.name == spec.name && i.introduction.as_deref() == Some("unchanged") {
            Ok(())
        } else {
            Err("the refused update changed the group".into())
        }
    })
    .await?;
    Ok(())
}

/// How long `group.mute_member` mutes for.
const MUTE: Duration = Duration::from_secs(60);

/// The slack allowed on a mute's end (vendors keep whole seconds).
const MUTE_SLACK_MS: u64 = 2_000;

async fn group_mute_member(h: &dyn Harness) -> Result<(), Failure> {
    let kind = public_kind(&h.capabilities()).expect("checked by needs");
    let [alice, bob, mut carol] = people(h, ["alice", "bob", "carol"]).await?;
    let g = create_group(&alice, &spec_of("group.mute_member", kind, &[&bob, &carol])).await?;
    let conv = ConversationId::group(&g.id);

    let mark = carol.on.events.mark();
    let now = clock_ms(h);
    alice.s().mute_group_member(&g.id, &bob.user, MUTE).await.ctx("alice: mute bob for a minute")?;
    let e = told(&mut carol.on.events, mark, "MemberMuted of bob", |e| {
        matches!(e, GroupEvent::MemberMuted { group, user, until_ms: Some(_) } if group == &g.id && user == &bob.user)
    })
    .await?;
    let GroupEvent::MemberMuted { until_ms: Some(until), .. } = e else { unreachable!("matched MemberMuted") };
    let expected = now + MUTE.as_millis() as u64;
    ensure!(
        until.abs_diff(expected) <= MUTE_SLACK_MS,
        "carol: MemberMuted says until {until}, expected about {expected} (the clock's {now} plus a minute)"
    );
    let listed = wait_roster(&alice, &g.id, "alice: the members with bob muted", |l| {
        match l.iter().find(|m| m.user == bob.user).and_then(|m| m.muted_until_ms) {
            Some(t) if t.abs_diff(expected) <= MUTE_SLACK_MS => Ok(()),
            other => Err(format!("bob's muted_until_ms is {other:?}, expected about {expected}")),
        }
    })
    .await?;
    ensure!(
        listed.iter().filter(|m| m.user != bob.user).all(|m| m.muted_until_ms.is_none()),
        "alice: members other than bob are listed as muted"
    );

    let out = OutgoingMessage::new(conv.clone(), text(1));
    refused("bob, muted: send to the group", bob.s().send(&out).await, ErrorKind::PermissionDenied)?;
    h.clock().advance(MUTE / 2);
    let out = OutgoingMessage::new(conv.clone(), text(2));
    refused("bob, muted, half a minute later: send", bob.s().send(&out).await, ErrorKind::PermissionDenied)?;

    h.clock().advance(MUTE / 2 + Duration::from_secs(1));
    let sent = bob.s().send(&OutgoingMessage::new(conv.clone(), text(3))).await.ctx("bob, the mute over: send")?;
    expect_one(&mut carol, &g.id, &sent, "bob's message after the mute ended").await?;

    // A second mute lifted at once by a zero duration.
    alice.s().mute_group_member(&g.id, &bob.user, MUTE).await.ctx("alice: mute bob again")?;
    let out = OutgoingMessage::new(conv.clone(), text(4));
    refused("bob, muted again: send", bob.s().send(&out).await, ErrorKind::PermissionDenied)?;
    let mark = carol.on.events.mark();
    alice.s().mute_group_member(&g.id, &bob.user, Duration::ZERO).await.ctx("alice: unmute bob")?;
    told(
        &mut carol.on.events,
        mark,
        "MemberMuted of bob with no end (unmuted)",
        |e| matches!(e, GroupEvent::MemberMuted { group, user, until_ms: None } if group == &g.id && user == &bob.user),
    )
    .await?;
    let sent = bob.s().send(&OutgoingMessage::new(conv, text(5))).await.ctx("bob, unmuted: send")?;
    expect_one(&mut carol, &g.id, &sent, "bob's message after the unmute").await?;
    carol.on.events.settle().await;
    let got = carol.on.events.seen().iter().filter(|e| is_in(e, &conv_of(&g.id))).count();
    ensure!(got == 2, "carol: {got} group messages came, expected the 2 bob sent unmuted (refused sends leaked)");
    Ok(())
}

fn conv_of(group: &str) -> ConversationId {
    ConversationId::group(group)
}

/// True for a `MessageReceived` in `conv`.
fn is_in(e: &unim_core::Event, conv: &ConversationId) -> bool {
    matches!(e, unim_core::Event::MessageReceived { message } if &message.conversation == conv)
}

/// Waits for `sent` in the group's conversation on `who`'s events.
async fn expect_one(who: &mut super::Person, group: &str, sent: &Message, why: &str) -> Result<(), Failure> {
    let conv = ConversationId::group(group);
    let what = format!("{why} ({})", sent.server_id);
    who.on
        .events
        .wait_for(&what, |e| {
            matches!(e, unim_core::Event::MessageReceived { message } if message.conversation == conv
                && message.server_id == sent.server_id)
        })
        .await?;
    Ok(())
}
