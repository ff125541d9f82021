//! A group's life: created with members, renamed, listed among the user's
//! groups, dismissed.

use super::{
    create_group, exactly, expect_app_by, expect_by, joined, needs_public, offline_user, people, public_kind, refused,
    spec_of, told, wait_info, wait_joined, wait_roster, Person,
};
use crate::case::{case_fn, Case};
use crate::cases::chat::{clock_ms, text};
use crate::expect::{ensure, Failure, ResultExt};
use crate::harness::Harness;
use unim_core::{
    ConversationId, ErrorKind, GroupEvent, GroupKind, GroupSpec, GroupUpdate, JoinPolicy, OutgoingMessage, Role,
};

/// `group.create`.
pub fn create() -> Case {
    Case {
        name: "group.create",
        about: "the creator owns the new group with the members it named; online members are told MemberJoined by \
                the owner; a (kind, policy) pair the vendor lacks is refused with Unsupported",
        needs: needs_public,
        run: case_fn!(group_create),
    }
}

/// `group.info_update`.
pub fn info_update() -> Case {
    Case {
        name: "group.info_update",
        about: "the owner renames the group and changes its introduction: members are told InfoChanged and every \
                group_info shows the change; a change of the name alone keeps the introduction",
        needs: needs_public,
        run: case_fn!(group_info_update),
    }
}

/// `group.dismiss`.
pub fn dismiss() -> Case {
    Case {
        name: "group.dismiss",
        about: "the owner dismisses the group: every online member is told Dismissed by the owner, and later calls \
                on it (info, send, dismiss) get NotFound; the app admin's dismissal is told with no actor",
        needs: needs_public,
        run: case_fn!(group_dismiss),
    }
}

/// `group.joined_list`.
pub fn joined_list() -> Case {
    Case {
        name: "group.joined_list",
        about: "joined_groups lists exactly the groups the user belongs to, and drops one the user left",
        needs: needs_public,
        run: case_fn!(group_joined_list),
    }
}

/// The slack allowed between a group's creation time and the harness clock
/// (a vendor may keep whole seconds).
const TIME_SLACK_MS: u64 = 60_000;

async fn group_create(h: &dyn Harness) -> Result<(), Failure> {
    let c = h.capabilities();
    let kind = public_kind(&c).expect("checked by needs");
    let [alice, mut bob] = people(h, ["alice", "bob"]).await?;
    let carol = offline_user(h).await?;
    let mark = bob.on.events.mark();
    let spec = spec_of("group.create", kind, &[&bob])
        .with_members([bob.user.clone(), carol.clone()])
        .with_max_members(50)
        .with_introduction("made by the conformance suite · 群");
    let g = create_group(&alice, &spec).await?;
    let what = "alice: create_group";
    ensure!(g.member_count == 3, "{what}: member_count is {}, expected 3 (the owner and two members)", g.member_count);
    ensure!(g.max_members == 50, "{what}: max_members is {}, expected the 50 asked", g.max_members);
    ensure!(g.introduction == spec.introduction, "{what}: the introduction is {:?}", g.introduction);
    let now = clock_ms(h);
    ensure!(
        g.created_at_ms.abs_diff(now) <= TIME_SLACK_MS,
        "{what}: created_at_ms {} is far from the clock's {now}",
        g.created_at_ms
    );

    let e = told(&mut bob.on.events, mark, "bob added at creation", joined(&g.id, &bob.user)).await?;
    expect_by("bob: MemberJoined of himself at creation", &e, Some(&alice.user))?;
    let want = [(alice.user.as_str(), Role::Owner), (bob.user.as_str(), Role::Member), (carol.as_str(), Role::Member)];
    for viewer in [&alice, &bob] {
        let what = format!("{}: the members of the new group", viewer.label);
        let list = wait_roster(viewer, &g.id, &what, exactly(&want)).await?;
        ensure!(list[0].user == alice.user, "{what}: the owner should come first (joined first), got {}", list[0].user);
        let info = wait_info(viewer, &g.id, &format!("{}: group_info", viewer.label), |i| {
            if i.member_count == 3 && i.name == spec.name && i.owner.as_deref() == Some(&alice.user) {
                Ok(())
            } else {
                Err("expected 3 members, the spec's name and alice as owner".into())
            }
        })
        .await?;
        ensure!(info.id == g.id, "{}: group_info answers for {}, asked {}", viewer.label, info.id, g.id);
    }
    if c.admin_groups {
        let info = h.admin().group_info(&g.id).await.ctx("admin: group_info")?;
        ensure!(
            info.member_count == 3 && info.owner.as_deref() == Some(&alice.user),
            "admin: group_info says {info:?}"
        );
    }

    // Every pair the vendor lacks is refused up front.
    for kind in [GroupKind::Private, GroupKind::Public] {
        for policy in [JoinPolicy::InviteOnly, JoinPolicy::Approval, JoinPolicy::Free] {
            if !c.group_kinds.supports(kind, policy) {
                let what = format!("alice: create_group ({kind:?}, {policy:?}), which the adapter does not claim");
                let result = alice.s().create_group(&GroupSpec::new("unsupported", kind, policy)).await;
                crate::expect::expect_kind(&what, result, ErrorKind::Unsupported)?;
            }
        }
    }
    Ok(())
}

async fn group_info_update(h: &dyn Harness) -> Result<(), Failure> {
    let c = h.capabilities();
    let kind = public_kind(&c).expect("checked by needs");
    let [alice, mut bob] = people(h, ["alice", "bob"]).await?;
    let spec = spec_of("before", kind, &[&bob]).with_introduction("the old introduction");
    let g = create_group(&alice, &spec).await?;

    let mark = bob.on.events.mark();
    let update =
        GroupUpdate { name: Some("after · 之后".into()), introduction: Some("the new introduction".into()) };
    alice.s().update_group(&g.id, &update).await.ctx("alice: update_group name and introduction")?;
    let e = told(
        &mut bob.on.events,
        mark,
        "InfoChanged",
        |e| matches!(e, GroupEvent::InfoChanged { group, .. } if group == &g.id),
    )
    .await?;
    let GroupEvent::InfoChanged { name, introduction, .. } = &e else { unreachable!("matched InfoChanged") };
    ensure!(
        name == &update.name && introduction == &update.introduction,
        "bob: InfoChanged should carry the new name and introduction, got {e:?}"
    );
    for viewer in [&alice, &bob] {
        wait_info(viewer, &g.id, &format!("{}: group_info after the update", viewer.label), |i| {
            if Some(&i.name) == update.name.as_ref() && i.introduction == update.introduction {
                Ok(())
            } else {
                Err("expected the new name and introduction".into())
            }
        })
        .await?;
    }

    // The name alone: the introduction stays.
    let mark = bob.on.events.mark();
    let rename = GroupUpdate { name: Some("renamed again".into()), introduction: None };
    alice.s().update_group(&g.id, &rename).await.ctx("alice: update_group name only")?;
    let e = told(
        &mut bob.on.events,
        mark,
        "InfoChanged for the name alone",
        |e| matches!(e, GroupEvent::InfoChanged { group, name, .. } if group == &g.id && name == &rename.name),
    )
    .await?;
    let GroupEvent::InfoChanged { introduction, .. } = &e else { unreachable!("matched InfoChanged") };
    ensure!(
        introduction.is_none() || introduction == &update.introduction,
        "bob: a rename announced a changed introduction {introduction:?}"
    );
    wait_info(&bob, &g.id, "bob: group_info after the rename", |i| {
        if i.name == "renamed again" && i.introduction == update.introduction {
            Ok(())
        } else {
            Err("expected the new name and the introduction kept".into())
        }
    })
    .await?;

    if c.admin_groups {
        let mark = bob.on.events.mark();
        let by_admin = GroupUpdate { name: Some("named by the app".into()), introduction: None };
        h.admin().update_group(&g.id, &by_admin).await.ctx("admin: update_group")?;
        told(
            &mut bob.on.events,
            mark,
            "InfoChanged by the app admin",
            |e| matches!(e, GroupEvent::InfoChanged { group, name, .. } if group == &g.id && name == &by_admin.name),
        )
        .await?;
        let info = h.admin().group_info(&g.id).await.ctx("admin: group_info")?;
        ensure!(info.name == "named by the app", "admin: group_info names it {:?} after its update", info.name);
    }
    Ok(())
}

async fn group_dismiss(h: &dyn Harness) -> Result<(), Failure> {
    let c = h.capabilities();
    let kind = public_kind(&c).expect("checked by needs");
    let [alice, mut bob, mut carol] = people(h, ["alice", "bob", "carol"]).await?;
    let g = create_group(&alice, &spec_of("group.dismiss", kind, &[&bob, &carol])).await?;
    wait_roster(&alice, &g.id, "alice: members before dismissing", |l| {
        if l.len() == 3 {
            Ok(())
        } else {
            Err("expected 3 members".into())
        }
    })
    .await?;

    let marks = (bob.on.events.mark(), carol.on.events.mark());
    alice.s().dismiss_group(&g.id).await.ctx("alice: dismiss_group")?;
    let gone = |e: &GroupEvent| matches!(e, GroupEvent::Dismissed { group, .. } if group == &g.id);
    for (who, mark) in [(&mut bob.on.events, marks.0), (&mut carol.on.events, marks.1)] {
        let e = told(who, mark, "Dismissed", gone).await?;
        expect_by(&format!("{}: Dismissed", who.label()), &e, Some(&alice.user))?;
    }

    refused("alice: group_info of the dismissed group", alice.s().group_info(&g.id).await, ErrorKind::NotFound)?;
    refused("bob: group_info of the dismissed group", bob.s().group_info(&g.id).await, ErrorKind::NotFound)?;
    refused("alice: dismiss_group again", alice.s().dismiss_group(&g.id).await, ErrorKind::NotFound)?;
    if c.group_messages {
        let out = OutgoingMessage::new(ConversationId::group(&g.id), text(1));
        refused("bob: send to the dismissed group", bob.s().send(&out).await, ErrorKind::NotFound)?;
    }
    wait_joined(&bob, "bob: joined_groups after the dismissal", |ids| {
        if ids.contains(&g.id.as_str()) {
            Err("the dismissed group is still listed".into())
        } else {
            Ok(())
        }
    })
    .await?;

    if c.admin_groups {
        refused("admin: group_info of the dismissed group", h.admin().group_info(&g.id).await, ErrorKind::NotFound)?;
        // The app admin dismisses another group: told with no actor.
        let g2 = create_group(&alice, &spec_of("dismissed by the app", kind, &[&bob])).await?;
        let mark = bob.on.events.mark();
        h.admin().dismiss_group(&g2.id).await.ctx("admin: dismiss_group")?;
        let e = told(
            &mut bob.on.events,
            mark,
            "Dismissed by the app admin",
            |e| matches!(e, GroupEvent::Dismissed { group, .. } if group == &g2.id),
        )
        .await?;
        expect_app_by("bob: Dismissed by the app admin", &e, &alice.user)?;
    }
    Ok(())
}

async fn group_joined_list(h: &dyn Harness) -> Result<(), Failure> {
    let c = h.capabilities();
    let kind = public_kind(&c).expect("checked by needs");
    let [alice, bob] = people(h, ["alice", "bob"]).await?;
    let g1 = create_group(&alice, &spec_of("first", kind, &[&bob])).await?;
    let g2 = create_group(&alice, &spec_of("second", kind, &[&bob])).await?;
    let g3 = create_group(&alice, &spec_of("third, alice alone", kind, &[])).await?;

    let same = |want: Vec<String>| {
        move |ids: &[&str]| {
            let (mut got, mut want) = (ids.to_vec(), want.iter().map(String::as_str).collect::<Vec<_>>());
            got.sort_unstable();
            want.sort_unstable();
            if got == want {
                Ok(())
            } else {
                Err(format!("expected exactly {want:?}"))
            }
        }
    };
    let all = vec![g1.id.clone(), g2.id.clone(), g3.id.clone()];
    let list = wait_joined(&alice, "alice: joined_groups", same(all)).await?;
    let named = |p: &Person, id: &str, name: &str| -> Result<(), Failure> {
        let listed = list.iter().find(|g| g.id == id).map(|g| g.name.as_str());
        ensure!(listed == Some(name), "{}: joined_groups names {id} {listed:?}, expected {name:?}", p.label);
        Ok(())
    };
    named(&alice, &g1.id, "first")?;
    named(&alice, &g3.id, "third, alice alone")?;
    wait_joined(&bob, "bob: joined_groups", same(vec![g1.id.clone(), g2.id.clone()])).await?;

    bob.s().leave_group(&g2.id).await.ctx("bob: leave_group")?;
    wait_joined(&bob, "bob: joined_groups after leaving one", same(vec![g1.id.clone()])).await?;
    if c.admin_groups {
        let listed = h.admin().joined_groups(&bob.user).await.ctx("admin: joined_groups of bob")?;
        let ids: Vec<&str> = listed.iter().map(|g| g.id.as_str()).collect();
        ensure!(ids == [g1.id.as_str()], "admin: joined_groups of bob lists {ids:?}, expected only {}", g1.id);
    }
    Ok(())
}
