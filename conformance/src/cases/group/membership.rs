//! Who is in a group: adding and removing members, leaving (the owner
//! too, by the vendor's rule), the member limit, and a large group paged.

use super::{
    all_added, create_group, describe_members, exactly, expect_app_by, expect_by, joined, needs_public, offline_user,
    page_members, people, public_kind, refused, removed, spec_of, told, users, wait_info, wait_joined, wait_roster,
};
use crate::case::{case_fn, require, Case};
use crate::cases::chat::{ensure_user, text, wait_messages};
use crate::cases::log_in;
use crate::expect::{ensure, Failure, ResultExt};
use crate::harness::Harness;
use crate::harness::SessionSetup;
use unim_core::{ConversationId, ErrorKind, GroupEvent, OutgoingMessage, OwnerLeave, Role};

/// `group.add_remove_members`.
pub fn add_remove_members() -> Case {
    Case {
        name: "group.add_remove_members",
        about: "the owner adds users (one already a member gets AlreadyExists, the others join) and removes one: \
                every online member, the added and the removed ones included, is told, with the owner as `by`",
        needs: needs_public,
        run: case_fn!(group_add_remove_members),
    }
}

/// `group.leave`.
pub fn leave() -> Case {
    Case {
        name: "group.leave",
        about: "a member leaves: the others are told MemberLeft, the group no longer lists them nor they it, and \
                leaving again is refused with PermissionDenied",
        needs: needs_public,
        run: case_fn!(group_leave),
    }
}

/// `group.owner_leave`.
pub fn owner_leave() -> Case {
    Case {
        name: "group.owner_leave",
        about:
            "the owner of a public group leaves without handing it over: per Capabilities::group_owner_leave, \
                Refused is PermissionDenied with the owner still in place, LeavesOwnerless leaves a group with no owner",
        needs: needs_public,
        run: case_fn!(group_owner_leave),
    }
}

/// `group.full`.
pub fn full() -> Case {
    Case {
        name: "group.full",
        about: "a group at its member limit refuses an add that would overfill it with LimitExceeded and adds no one \
                of the batch; an add that fits works; a free join to the full group is refused too",
        needs: |c| {
            needs_public(c)?;
            require(c.max_group_members == 0 || c.max_group_members >= 3, "max_group_members >= 3")
        },
        run: case_fn!(group_full),
    }
}

/// `group.member_paging`.
pub fn member_paging() -> Case {
    Case {
        name: "group.member_paging",
        about: "500 members added in one call are paged (by 100, 37 and 250) in join order, owner first, each \
                exactly once, with no next cursor after the last page; a message to the group reaches a member at \
                its next login",
        needs: |c| {
            needs_public(c)?;
            require(c.max_group_members == 0 || c.max_group_members > PAGED as u32, "max_group_members > 500")
        },
        run: case_fn!(group_member_paging),
    }
}

/// How many members `group.member_paging` adds besides the owner.
const PAGED: usize = 500;

/// Which of them logs in to read the group message.
const LISTENER: usize = PAGED / 2;

async fn group_add_remove_members(h: &dyn Harness) -> Result<(), Failure> {
    let c = h.capabilities();
    let kind = public_kind(&c).expect("checked by needs");
    let [alice, mut bob, mut carol, mut dave] = people(h, ["alice", "bob", "carol", "dave"]).await?;
    let g = create_group(&alice, &spec_of("group.add_remove_members", kind, &[&bob])).await?;

    // Bob's news of his own joining at creation must not count as news of the add below.
    told(&mut bob.on.events, 0, "MemberJoined of bob at creation", joined(&g.id, &bob.user)).await?;
    let marks = [bob.on.events.mark(), carol.on.events.mark(), dave.on.events.mark()];
    let asked = users(&[&carol, &dave, &bob]);
    let items = alice.s().add_group_members(&g.id, &asked).await.ctx("alice: add carol, dave and bob (a member)")?;
    let what = "alice: add_group_members";
    all_added(what, &asked[..2], &items[..items.len().min(2)])?;
    ensure!(items.len() == 3, "{what}: {} outcomes for 3 users", items.len());
    let bob_again = items[2].result.clone();
    crate::expect::expect_kind(&format!("{what}: bob, a member already"), bob_again, ErrorKind::AlreadyExists)?;

    // Bob, a member already, hears of both; each newcomer at least of itself
    // (whether one hears of another added in the same batch is the vendor's
    // business).
    let (c_user, d_user) = (carol.user.clone(), dave.user.clone());
    for (who, mark, news) in [
        (&mut bob.on.events, marks[0], vec![&c_user, &d_user]),
        (&mut carol.on.events, marks[1], vec![&c_user]),
        (&mut dave.on.events, marks[2], vec![&d_user]),
    ] {
        for added in &news {
            let e = told(who, mark, &format!("MemberJoined of {added}"), joined(&g.id, added)).await?;
            expect_by(&format!("{}: MemberJoined of {added}", who.label()), &e, Some(&alice.user))?;
        }
        who.settle().await;
        let again = who.groups_since(mark, joined(&g.id, &bob.user));
        ensure!(again.is_empty(), "{}: told that bob, a member already, joined: {again:?}", who.label());
        for added in [&c_user, &d_user] {
            let n = who.groups_since(mark, joined(&g.id, added)).len();
            ensure!(n <= 1, "{}: told {n} times that {added} joined, expected once", who.label());
        }
    }
    let four = [
        (alice.user.as_str(), Role::Owner),
        (bob.user.as_str(), Role::Member),
        (carol.user.as_str(), Role::Member),
        (dave.user.as_str(), Role::Member),
    ];
    wait_roster(&carol, &g.id, "carol: the members after the add", exactly(&four)).await?;

    let marks = [bob.on.events.mark(), carol.on.events.mark(), dave.on.events.mark()];
    alice.s().remove_group_members(&g.id, std::slice::from_ref(&dave.user)).await.ctx("alice: remove dave")?;
    for (who, mark) in
        [(&mut bob.on.events, marks[0]), (&mut carol.on.events, marks[1]), (&mut dave.on.events, marks[2])]
    {
        let e = told(who, mark, "MemberRemoved of dave", removed(&g.id, &dave.user)).await?;
        expect_by(&format!("{}: MemberRemoved of dave", who.label()), &e, Some(&alice.user))?;
    }
    wait_roster(&bob, &g.id, "bob: the members after dave's removal", exactly(&four[..3])).await?;
    wait_joined(&dave, "dave: joined_groups after his removal", |ids| {
        if ids.contains(&g.id.as_str()) {
            Err("the group is still listed".into())
        } else {
            Ok(())
        }
    })
    .await?;

    if c.admin_groups {
        let marks = [bob.on.events.mark(), carol.on.events.mark()];
        h.admin().remove_group_members(&g.id, std::slice::from_ref(&carol.user)).await.ctx("admin: remove carol")?;
        for (who, mark) in [(&mut bob.on.events, marks[0]), (&mut carol.on.events, marks[1])] {
            let e = told(who, mark, "MemberRemoved of carol by the app admin", removed(&g.id, &carol.user)).await?;
            expect_app_by(&format!("{}: MemberRemoved by the app admin", who.label()), &e, &alice.user)?;
        }
        let mark = bob.on.events.mark();
        let items =
            h.admin().add_group_members(&g.id, std::slice::from_ref(&dave.user)).await.ctx("admin: add dave back")?;
        all_added("admin: add_group_members", std::slice::from_ref(&dave.user), &items)?;
        let e =
            told(&mut bob.on.events, mark, "MemberJoined of dave by the app admin", joined(&g.id, &dave.user)).await?;
        expect_app_by("bob: MemberJoined by the app admin", &e, &alice.user)?;
    }
    Ok(())
}

async fn group_leave(h: &dyn Harness) -> Result<(), Failure> {
    let c = h.capabilities();
    let kind = public_kind(&c).expect("checked by needs");
    let [mut alice, bob, mut carol] = people(h, ["alice", "bob", "carol"]).await?;
    let g = create_group(&alice, &spec_of("group.leave", kind, &[&bob, &carol])).await?;

    let marks = (alice.on.events.mark(), carol.on.events.mark());
    bob.s().leave_group(&g.id).await.ctx("bob: leave_group")?;
    let left =
        |e: &GroupEvent| matches!(e, GroupEvent::MemberLeft { group, user } if group == &g.id && user == &bob.user);
    told(&mut alice.on.events, marks.0, "MemberLeft of bob", left).await?;
    told(&mut carol.on.events, marks.1, "MemberLeft of bob", left).await?;
    let two = [(alice.user.as_str(), Role::Owner), (carol.user.as_str(), Role::Member)];
    wait_roster(&carol, &g.id, "carol: the members after bob left", exactly(&two)).await?;
    wait_info(&alice, &g.id, "alice: group_info after bob left", |i| {
        if i.member_count == 2 {
            Ok(())
        } else {
            Err("expected 2 members".into())
        }
    })
    .await?;
    wait_joined(&bob, "bob: joined_groups after leaving", |ids| {
        if ids.contains(&g.id.as_str()) {
            Err("the group he left is still listed".into())
        } else {
            Ok(())
        }
    })
    .await?;
    refused(
        "bob: leave_group again, no longer a member",
        bob.s().leave_group(&g.id).await,
        ErrorKind::PermissionDenied,
    )?;
    Ok(())
}

async fn group_owner_leave(h: &dyn Harness) -> Result<(), Failure> {
    let c = h.capabilities();
    let kind = public_kind(&c).expect("checked by needs");
    let [alice, mut bob] = people(h, ["alice", "bob"]).await?;
    let g = create_group(&alice, &spec_of("group.owner_leave", kind, &[&bob])).await?;
    let mark = bob.on.events.mark();
    let result = alice.s().leave_group(&g.id).await;
    match c.group_owner_leave {
        OwnerLeave::Refused => {
            refused("alice, the owner: leave_group", result, ErrorKind::PermissionDenied)?;
            let both = [(alice.user.as_str(), Role::Owner), (bob.user.as_str(), Role::Member)];
            wait_roster(&bob, &g.id, "bob: the members after the owner's refused leave", exactly(&both)).await?;
            wait_info(&bob, &g.id, "bob: group_info after the refused leave", |i| {
                if i.owner.as_deref() == Some(&alice.user) {
                    Ok(())
                } else {
                    Err("alice should still own it".into())
                }
            })
            .await?;
            bob.on.events.settle().await;
            let left = bob.on.events.groups_since(mark, |e| matches!(e, GroupEvent::MemberLeft { .. }));
            ensure!(left.is_empty(), "bob: told of a leave that was refused: {left:?}");
        }
        OwnerLeave::LeavesOwnerless => {
            result.ctx("alice, the owner: leave_group (the vendor lets the owner leave)")?;
            told(
                &mut bob.on.events,
                mark,
                "MemberLeft of the owner",
                |e| matches!(e, GroupEvent::MemberLeft { group, user } if group == &g.id && user == &alice.user),
            )
            .await?;
            wait_roster(&bob, &g.id, "bob: the members after the owner left", exactly(&[(&bob.user, Role::Member)]))
                .await?;
            wait_info(&bob, &g.id, "bob: group_info after the owner left", |i| {
                if i.owner.is_none() && i.member_count == 1 {
                    Ok(())
                } else {
                    Err("expected no owner and one member".into())
                }
            })
            .await?;
        }
    }
    Ok(())
}

async fn group_full(h: &dyn Harness) -> Result<(), Failure> {
    let c = h.capabilities();
    let kind = public_kind(&c).expect("checked by needs");
    let [alice, bob] = people(h, ["alice", "bob"]).await?;
    let (carol, dave) = (offline_user(h).await?, offline_user(h).await?);
    let g = create_group(&alice, &spec_of("group.full", kind, &[&bob]).with_max_members(3)).await?;
    ensure!(g.max_members == 3, "alice: create_group with max_members 3 made a group of {}", g.max_members);

    let what = "alice: add carol and dave to a group of 2 with room for 3";
    let result = alice.s().add_group_members(&g.id, &[carol.clone(), dave.clone()]).await;
    refused(what, result, ErrorKind::LimitExceeded)?;
    let two = [(alice.user.as_str(), Role::Owner), (bob.user.as_str(), Role::Member)];
    wait_roster(&alice, &g.id, "alice: the members after the refused add (no one of it added)", exactly(&two)).await?;

    let items =
        alice.s().add_group_members(&g.id, std::slice::from_ref(&carol)).await.ctx("alice: add carol, who fits")?;
    all_added("alice: add carol", std::slice::from_ref(&carol), &items)?;
    let three = [two[0], two[1], (carol.as_str(), Role::Member)];
    wait_roster(&alice, &g.id, "alice: the members at the limit", exactly(&three)).await?;
    let result = alice.s().add_group_members(&g.id, std::slice::from_ref(&dave)).await;
    refused("alice: add dave to the full group", result, ErrorKind::LimitExceeded)?;

    if c.group_join && c.group_kinds.supports(unim_core::GroupKind::Public, unim_core::JoinPolicy::Free) {
        let [eve] = people(h, ["eve"]).await?;
        let open =
            unim_core::GroupSpec::new("full and free", unim_core::GroupKind::Public, unim_core::JoinPolicy::Free)
                .with_members([bob.user.clone()])
                .with_max_members(2);
        let g2 = create_group(&alice, &open).await?;
        refused(
            "eve: join_group of a full free group",
            eve.s().join_group(&g2.id, None).await,
            ErrorKind::LimitExceeded,
        )?;
        let pair = [(alice.user.as_str(), Role::Owner), (bob.user.as_str(), Role::Member)];
        wait_roster(&alice, &g2.id, "alice: the members after eve's refused join", exactly(&pair)).await?;
    }
    Ok(())
}

async fn group_member_paging(h: &dyn Harness) -> Result<(), Failure> {
    let c = h.capabilities();
    let kind = public_kind(&c).expect("checked by needs");
    let [alice] = people(h, ["alice"]).await?;
    let crowd: Vec<String> = (0..PAGED).map(|_| h.fresh_user()).collect();
    // One of the crowd is registered the way the harness logs users in, to
    // read the group message at its login later.
    let (listener, others) = (&crowd[LISTENER], [&crowd[..LISTENER], &crowd[LISTENER + 1..]].concat());
    ensure_user(h, listener).await?;
    if c.admin_register {
        let items =
            h.admin().register_many(&others).await.ctx(format!("admin: register_many of {} users", PAGED - 1))?;
        all_added("admin: register_many", &others, &items)?;
    } else {
        for user in &others {
            ensure_user(h, user).await?;
        }
    }
    let limit = if c.max_group_members == 0 { 1000 } else { c.max_group_members.min(1000) };
    let g = create_group(&alice, &spec_of("group.member_paging", kind, &[]).with_max_members(limit)).await?;
    let items = alice.s().add_group_members(&g.id, &crowd).await.ctx(format!("alice: add {PAGED} members at once"))?;
    all_added(&format!("alice: add_group_members of {PAGED}"), &crowd, &items)?;

    let mut want: Vec<&str> = vec![alice.user.as_str()];
    want.extend(crowd.iter().map(String::as_str));
    for page in [100usize, 37, 250] {
        let what = format!("alice: the members of a group of {} by pages of {page}", PAGED + 1);
        let max_pages = (PAGED + 1) / page + 3;
        let s = alice.s();
        let got = page_members(&what, page, max_pages, |cur| {
            let id = g.id.clone();
            async move { s.group_members(&id, cur.as_ref(), page).await }
        })
        .await?;
        in_join_order(&what, &got, &want)?;
        let owner = &got[0];
        ensure!(owner.role == Role::Owner, "{what}: the first member should be the owner, got {:?}", owner.role);
        ensure!(got[1..].iter().all(|m| m.role == Role::Member), "{what}: an added member is not a plain member");
    }
    if c.admin_groups {
        let what = format!("admin: the members of a group of {} by pages of 100", PAGED + 1);
        let admin = h.admin();
        let got = page_members(&what, 100, 9, |cur| {
            let (admin, id) = (admin.clone(), g.id.clone());
            async move { admin.group_members(&id, cur.as_ref(), 100).await }
        })
        .await?;
        in_join_order(&what, &got, &want)?;
    }
    let info = alice.s().group_info(&g.id).await.ctx("alice: group_info of the large group")?;
    ensure!(info.member_count as usize == PAGED + 1, "alice: group_info counts {} members", info.member_count);

    if c.group_messages {
        // The large group is messaged: stored once, and there for a member's next login.
        let out = OutgoingMessage::new(ConversationId::group(&g.id), text(1));
        let sent = super::message::send_group(alice.s(), "alice", &out).await?;
        let mut member = log_in(h, "a member of the crowd", SessionSetup::default(), listener).await?;
        let what = format!("alice's message to the group of {}", PAGED + 1);
        let got = wait_messages(&mut member.events, &what, 1, |m| m.conversation == out.to).await?;
        ensure!(
            got[0].server_id == sent.server_id,
            "a member of the crowd: got {} in the group, expected alice's {}",
            got[0].server_id,
            sent.server_id
        );
    }
    Ok(())
}

/// Expects `got` to be exactly the users `want`, in that order.
fn in_join_order(what: &str, got: &[unim_core::GroupMember], want: &[&str]) -> Result<(), Failure> {
    let ids: Vec<&str> = got.iter().map(|m| m.user.as_str()).collect();
    if ids == want {
        return Ok(());
    }
    let missing = want.iter().filter(|u| !ids.contains(u)).count();
    let extra = ids.iter().filter(|u| !want.contains(u)).count();
    let first = ids.iter().zip(want).position(|(g, w)| g != w).unwrap_or(ids.len().min(want.len()));
    let around = &got[first.saturating_sub(1)..(first + 2).min(got.len())];
    Err(Failure::new(format!(
        "{what}: expected {} members in join order, got {}: {missing} missing, {extra} unexpected; first difference \
         at #{first} (expected {:?}, got {:?}; around it {})",
        want.len(),
        ids.len(),
        want.get(first),
        ids.get(first),
        describe_members(around)
    )))
}
