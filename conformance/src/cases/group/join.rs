//! Getting in without an invitation: free joins, applications the owner
//! decides, and invite-only groups that refuse applicants.

use super::{
    create_group, exactly, expect_by, joined, needs_kind, people, refused, spec_of, told, wait_joined, wait_roster,
};
use crate::case::{case_fn, require, Case};
use crate::expect::{ensure, Failure, ResultExt};
use crate::harness::Harness;
use unim_core::{Capabilities, ErrorKind, GroupEvent, GroupKind, JoinOutcome, JoinPolicy, Role};

/// `group.join_free`.
pub fn join_free() -> Case {
    Case {
        name: "group.join_free",
        about: "a user joins a (Public, Free) group at once: Joined, the owner is told MemberJoined with no `by`, \
                both list the membership; joining again is refused with AlreadyExists",
        needs: |c| {
            needs_kind(c, GroupKind::Public, JoinPolicy::Free)?;
            require(c.group_join, "group_join")
        },
        run: case_fn!(group_join_free),
    }
}

/// `group.join_approval`.
pub fn join_approval() -> Case {
    Case {
        name: "group.join_approval",
        about: "an application to a (Public, Approval) group is Pending: the owner is told JoinRequested with the \
                message and approves, the applicant becomes a member and is told; a rejected applicant stays out",
        needs: |c| {
            needs_kind(c, GroupKind::Public, JoinPolicy::Approval)?;
            require(c.group_join, "group_join")
        },
        run: case_fn!(group_join_approval),
    }
}

/// `group.invite_only`.
pub fn invite_only() -> Case {
    Case {
        name: "group.invite_only",
        about: "applying to an invite-only group is refused with PermissionDenied and the vendor's code; in a \
                (Private, InviteOnly) group a plain member may add people",
        needs: |c| {
            require(invite_only_kind(c).is_some(), "group_kinds: (Private, InviteOnly) or (Public, InviteOnly)")?;
            require(c.groups, "groups")?;
            require(c.group_join, "group_join")
        },
        run: case_fn!(group_invite_only),
    }
}

/// The invite-only pair to create: private first (what most apps use).
fn invite_only_kind(c: &Capabilities) -> Option<(GroupKind, JoinPolicy)> {
    [GroupKind::Private, GroupKind::Public]
        .into_iter()
        .map(|k| (k, JoinPolicy::InviteOnly))
        .find(|&(k, p)| c.group_kinds.supports(k, p))
}

async fn group_join_free(h: &dyn Harness) -> Result<(), Failure> {
    let [mut alice, bob] = people(h, ["alice", "bob"]).await?;
    let g = create_group(&alice, &spec_of("group.join_free", (GroupKind::Public, JoinPolicy::Free), &[])).await?;
    let mark = alice.on.events.mark();
    let outcome = bob.s().join_group(&g.id, Some("hello")).await.ctx("bob: join_group of a free group")?;
    ensure!(outcome == JoinOutcome::Joined, "bob: join_group of a free group answered {outcome:?}, expected Joined");
    let e = told(&mut alice.on.events, mark, "MemberJoined of bob", joined(&g.id, &bob.user)).await?;
    expect_by("alice: MemberJoined of bob, who joined by himself", &e, None)?;
    let both = [(alice.user.as_str(), Role::Owner), (bob.user.as_str(), Role::Member)];
    wait_roster(&bob, &g.id, "bob: the members after joining", exactly(&both)).await?;
    wait_joined(&bob, "bob: joined_groups after joining", |ids| {
        if ids.contains(&g.id.as_str()) {
            Ok(())
        } else {
            Err("the joined group is not listed".into())
        }
    })
    .await?;
    refused("bob: join_group again", bob.s().join_group(&g.id, None).await, ErrorKind::AlreadyExists)?;
    Ok(())
}

async fn group_join_approval(h: &dyn Harness) -> Result<(), Failure> {
    let [mut alice, mut bob, carol] = people(h, ["alice", "bob", "carol"]).await?;
    let kind = (GroupKind::Public, JoinPolicy::Approval);
    let g = create_group(&alice, &spec_of("group.join_approval", kind, &[])).await?;

    let mark = alice.on.events.mark();
    let note = "please let me in · 请";
    let outcome = bob.s().join_group(&g.id, Some(note)).await.ctx("bob: join_group (approval needed)")?;
    ensure!(outcome == JoinOutcome::Pending, "bob: join_group of an approval group answered {outcome:?}");
    let e = told(
        &mut alice.on.events,
        mark,
        "JoinRequested by bob",
        |e| matches!(e, GroupEvent::JoinRequested { group, applicant, .. } if group == &g.id && applicant == &bob.user),
    )
    .await?;
    let GroupEvent::JoinRequested { message, .. } = &e else { unreachable!("matched JoinRequested") };
    ensure!(
        message.as_deref() == Some(note),
        "alice: JoinRequested carries the message {message:?}, expected {note:?}"
    );
    let alone = [(alice.user.as_str(), Role::Owner)];
    wait_roster(&alice, &g.id, "alice: the members while bob waits", exactly(&alone)).await?;

    let marks = (alice.on.events.mark(), bob.on.events.mark());
    alice.s().decide_join(&g.id, &bob.user, true).await.ctx("alice: approve bob")?;
    told(&mut alice.on.events, marks.0, "MemberJoined of the approved bob", joined(&g.id, &bob.user)).await?;
    told(&mut bob.on.events, marks.1, "MemberJoined of himself, approved", joined(&g.id, &bob.user)).await?;
    let both = [(alice.user.as_str(), Role::Owner), (bob.user.as_str(), Role::Member)];
    wait_roster(&bob, &g.id, "bob: the members after the approval", exactly(&both)).await?;

    // A rejected applicant stays out.
    let mark = alice.on.events.mark();
    let outcome = carol.s().join_group(&g.id, None).await.ctx("carol: join_group (approval needed)")?;
    ensure!(outcome == JoinOutcome::Pending, "carol: join_group of an approval group answered {outcome:?}");
    told(&mut alice.on.events, mark, "JoinRequested by carol", |e| {
        matches!(e, GroupEvent::JoinRequested { group, applicant, .. } if group == &g.id && applicant == &carol.user)
    })
    .await?;
    alice.s().decide_join(&g.id, &carol.user, false).await.ctx("alice: reject carol")?;
    wait_roster(&alice, &g.id, "alice: the members after rejecting carol", exactly(&both)).await?;
    wait_joined(&carol, "carol: joined_groups after the rejection", |ids| {
        if ids.contains(&g.id.as_str()) {
            Err("the group that rejected her is listed".into())
        } else {
            Ok(())
        }
    })
    .await?;
    Ok(())
}

async fn group_invite_only(h: &dyn Harness) -> Result<(), Failure> {
    let kind = invite_only_kind(&h.capabilities()).expect("checked by needs");
    let [alice, bob, carol] = people(h, ["alice", "bob", "carol"]).await?;
    let g = create_group(&alice, &spec_of("group.invite_only", kind, &[&bob])).await?;
    let what = format!("carol: join_group of a ({:?}, InviteOnly) group", kind.0);
    refused(&what, carol.s().join_group(&g.id, Some("may I?")).await, ErrorKind::PermissionDenied)?;
    let both = [(alice.user.as_str(), Role::Owner), (bob.user.as_str(), Role::Member)];
    wait_roster(&alice, &g.id, "alice: the members after carol's refused application", exactly(&both)).await?;

    if kind.0 == GroupKind::Private {
        // A working group: any member brings people in.
        let items = bob
            .s()
            .add_group_members(&g.id, std::slice::from_ref(&carol.user))
            .await
            .ctx("bob, a plain member: add carol")?;
        super::all_added("bob: add carol to a private group", std::slice::from_ref(&carol.user), &items)?;
        let three = [both[0], both[1], (carol.user.as_str(), Role::Member)];
        wait_roster(&carol, &g.id, "carol: the members after bob added her", exactly(&three)).await?;
    }
    Ok(())
}
