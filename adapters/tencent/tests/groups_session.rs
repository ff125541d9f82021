//! Groups through sessions against the emulator's Tencent face on a manual
//! clock: creating and adding (members are told), group messages (each
//! online member once, an offline member at its next login, unread counts),
//! removal, the three join policies, mutes that end on the clock, and
//! dismissal. Tencent's default login policy allows one device per user, so
//! every session here is a different user.

use futures::StreamExt;
use std::time::Duration;
use unim_core::{
    Admin, Clock, ConversationId, Direction, ErrorKind, Event, EventStream, GroupEvent, GroupKind, GroupSpec,
    GroupUpdate, JoinOutcome, JoinPolicy, Message, MessageBody, OutgoingMessage, Role, Session,
};
use unim_tencent::session::TencentSession;

mod common;

use common::{next_message, AdminEnv as Env, WAIT};

/// Runs `f` with the test's patience.
async fn timely<T>(what: &str, f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(WAIT, f).await.unwrap_or_else(|_| panic!("{what}: no answer within {WAIT:?}"))
}

/// The next group event, skipping other events.
async fn next_group_event(events: &mut EventStream, what: &str) -> GroupEvent {
    loop {
        match tokio::time::timeout(WAIT, events.next()).await {
            Ok(Some(Event::Group { change })) => return change,
            Ok(Some(_)) => continue,
            Ok(None) => panic!("{what}: the event stream ended"),
            Err(_) => panic!("{what}: no group event within {WAIT:?}"),
        }
    }
}

/// Waits for a group event that `pick` accepts, skipping others.
async fn group_event_where(events: &mut EventStream, what: &str, pick: impl Fn(&GroupEvent) -> bool) -> GroupEvent {
    loop {
        let e = next_group_event(events, what).await;
        if pick(&e) {
            return e;
        }
    }
}

async fn send(s: &TencentSession, group: &str, text: &str) -> Result<Message, unim_core::Error> {
    let m = OutgoingMessage::new(ConversationId::group(group), MessageBody::text(text));
    timely("send", s.send(&m)).await
}

fn text_of(m: &Message) -> &str {
    match &m.body {
        MessageBody::Text { text } => text,
        _ => "",
    }
}

#[tokio::test]
async fn members_hear_of_joins_and_get_each_group_message_once() {
    let env = Env::start().await;
    assert!(env.emulator.tencent().is_some());
    for u in ["alice", "bob", "carol"] {
        env.admin.register(u).await.expect("register");
    }
    let (alice, mut alice_events) = env.online("alice").await;
    let (bob, mut bob_events) = env.online("bob").await;

    let spec = GroupSpec::new("team", GroupKind::Public, JoinPolicy::Free).with_introduction("hello");
    let group = timely("create", alice.create_group(&spec)).await.expect("create");
    assert!(group.id.starts_with("@TGS#"), "{}", group.id);
    assert_eq!((group.owner.as_deref(), group.member_count), (Some("alice"), 1));
    assert_eq!((group.kind, group.join_policy), (GroupKind::Public, JoinPolicy::Free));

    let added = timely("add", alice.add_group_members(&group.id, &["bob".into(), "carol".into()])).await.expect("add");
    assert!(added.iter().all(|b| b.result.is_ok()), "{added:?}");
    let again = timely("add again", alice.add_group_members(&group.id, &["bob".into()])).await.expect("add again");
    assert_eq!(again[0].result.as_ref().unwrap_err().kind, ErrorKind::AlreadyExists);
    let joined = next_group_event(&mut bob_events, "bob joined").await;
    assert_eq!(
        joined,
        GroupEvent::MemberJoined { group: group.id.clone(), user: "bob".into(), by: Some("alice".into()) }
    );

    // Online members get it once; the sender's send is its copy.
    let sent = send(&alice, &group.id, "hi all").await.expect("send");
    assert_eq!(sent.conversation, ConversationId::group(&group.id));
    let got = next_message(&mut bob_events, "bob's group message").await;
    assert_eq!(
        (got.server_id.as_str(), got.from.as_str(), text_of(&got)),
        (sent.server_id.as_str(), "alice", "hi all")
    );
    assert_eq!((got.direction, got.conversation.clone()), (Direction::Incoming, ConversationId::group(&group.id)));
    // A retry with the same client id is stored once.
    let retry = OutgoingMessage {
        client_id: sent.client_id.clone(),
        ..OutgoingMessage::new(sent.conversation.clone(), sent.body.clone())
    };
    let again = timely("retry", alice.send(&retry)).await.expect("retry");
    assert_eq!(again.server_id, sent.server_id);
    let second = send(&bob, &group.id, "from bob").await.expect("bob sends");
    let got = next_message(&mut alice_events, "alice's group message").await;
    assert_eq!(got.server_id, second.server_id, "alice got something before bob's message: {got:?}");
    // Bob's own send does not come back to him: the next he gets is alice's barrier.
    let barrier = send(&alice, &group.id, "barrier").await.expect("barrier");
    let got = next_message(&mut bob_events, "bob's next").await;
    assert_eq!(got.server_id, barrier.server_id, "bob got {got:?} before the barrier");

    // Carol was offline: she gets both at login, once each.
    let (carol, mut carol_events) = env.online("carol").await;
    let mut got = Vec::new();
    for i in 0..3 {
        got.push(next_message(&mut carol_events, &format!("carol's message {i}")).await);
    }
    assert_eq!(got.iter().map(text_of).collect::<Vec<_>>(), ["hi all", "from bob", "barrier"]);
    let list = timely("conversations", carol.conversations()).await.expect("conversations");
    let conv = list.iter().find(|c| c.id == ConversationId::group(&group.id)).expect("the group is listed");
    assert_eq!(conv.unread, 3);
    assert_eq!(conv.last_message.as_ref().map(|m| m.server_id.clone()), Some(barrier.server_id.clone()));
    timely("mark read", carol.mark_read(&ConversationId::group(&group.id))).await.expect("mark read");
    let list = timely("conversations", carol.conversations()).await.expect("conversations");
    assert_eq!(list.iter().find(|c| c.id.peer == group.id).map(|c| c.unread), Some(0));
    let bobs = timely("bob's conversations", bob.conversations()).await.expect("conversations");
    assert_eq!(bobs.iter().find(|c| c.id.peer == group.id).map(|c| c.unread), Some(2));

    let page = timely("history", carol.history(&ConversationId::group(&group.id), None, 2)).await.expect("history");
    assert_eq!(page.messages.iter().map(text_of).collect::<Vec<_>>(), ["from bob", "barrier"]);
    let older = page.older.expect("an older page");
    let page =
        timely("older", carol.history(&ConversationId::group(&group.id), Some(&older), 10)).await.expect("older");
    assert_eq!(page.messages.iter().map(text_of).collect::<Vec<_>>(), ["hi all"]);
    assert!(page.older.is_none());

    let mine = timely("joined", carol.joined_groups()).await.expect("joined");
    assert_eq!(mine.iter().map(|g| g.id.as_str()).collect::<Vec<_>>(), [group.id.as_str()]);
    let info = timely("info", bob.group_info(&group.id)).await.expect("info");
    assert_eq!((info.member_count, info.introduction.as_deref()), (3, Some("hello")));
}

#[tokio::test]
async fn removal_roles_and_dismissal_are_told_and_later_calls_fail() {
    let env = Env::start().await;
    let (alice, _alice_events) = env.online("alice").await;
    let (bob, mut bob_events) = env.online("bob").await;
    let (carol, mut carol_events) = env.online("carol").await;
    let spec = GroupSpec::new("team", GroupKind::Public, JoinPolicy::Approval).with_members(["bob", "carol"]);
    let group = timely("create", alice.create_group(&spec)).await.expect("create");
    let g = group.id.clone();

    timely("update", alice.update_group(&g, &GroupUpdate { name: Some("crew".into()), introduction: None }))
        .await
        .expect("update");
    let info = group_event_where(&mut bob_events, "info", |e| matches!(e, GroupEvent::InfoChanged { .. })).await;
    assert_eq!(info, GroupEvent::InfoChanged { group: g.clone(), name: Some("crew".into()), introduction: None });

    timely("admin", alice.set_group_role(&g, "bob", Role::Admin)).await.expect("set admin");
    let role = group_event_where(&mut carol_events, "role", |e| matches!(e, GroupEvent::RoleChanged { .. })).await;
    assert_eq!(role, GroupEvent::RoleChanged { group: g.clone(), user: "bob".into(), role: Role::Admin });
    let owner_removal = timely("remove owner", bob.remove_group_members(&g, &["alice".into()])).await;
    assert_eq!(owner_removal.unwrap_err().kind, ErrorKind::PermissionDenied);
    let plain = timely("member removes", carol.remove_group_members(&g, &["bob".into()])).await;
    assert_eq!(plain.unwrap_err().kind, ErrorKind::PermissionDenied);

    timely("remove", bob.remove_group_members(&g, &["carol".into()])).await.expect("admin removes a member");
    let removed =
        group_event_where(&mut carol_events, "carol removed", |e| matches!(e, GroupEvent::MemberRemoved { .. })).await;
    assert_eq!(removed, GroupEvent::MemberRemoved { group: g.clone(), user: "carol".into(), by: Some("bob".into()) });
    assert_eq!(send(&carol, &g, "still here?").await.unwrap_err().kind, ErrorKind::PermissionDenied);

    let owner_leaves = timely("owner leaves", alice.leave_group(&g)).await;
    assert_eq!(owner_leaves.unwrap_err().kind, ErrorKind::PermissionDenied);
    timely("transfer", alice.transfer_group(&g, "bob")).await.expect("transfer");
    let new_owner =
        group_event_where(&mut bob_events, "owner", |e| matches!(e, GroupEvent::RoleChanged { role: Role::Owner, .. }))
            .await;
    assert_eq!(new_owner, GroupEvent::RoleChanged { group: g.clone(), user: "bob".into(), role: Role::Owner });
    timely("leave", alice.leave_group(&g)).await.expect("the old owner leaves");

    timely("dismiss", bob.dismiss_group(&g)).await.expect("dismiss");
    let gone = group_event_where(&mut bob_events, "dismissed", |e| matches!(e, GroupEvent::Dismissed { .. })).await;
    assert_eq!(gone, GroupEvent::Dismissed { group: g.clone(), by: Some("bob".into()) });
    assert_eq!(timely("info", bob.group_info(&g)).await.unwrap_err().kind, ErrorKind::NotFound);
    assert_eq!(send(&bob, &g, "anyone?").await.unwrap_err().kind, ErrorKind::NotFound);
}

#[tokio::test]
async fn joining_follows_the_groups_policy() {
    let env = Env::start().await;
    let (alice, mut alice_events) = env.online("alice").await;
    let (dave, _dave_events) = env.online("dave").await;

    let free = timely("free", alice.create_group(&GroupSpec::new("free", GroupKind::Public, JoinPolicy::Free)))
        .await
        .expect("create");
    assert_eq!(timely("join", dave.join_group(&free.id, None)).await.expect("join"), JoinOutcome::Joined);
    let joined = next_group_event(&mut alice_events, "dave joined").await;
    assert_eq!(joined, GroupEvent::MemberJoined { group: free.id.clone(), user: "dave".into(), by: None });
    assert_eq!(timely("again", dave.join_group(&free.id, None)).await.unwrap_err().kind, ErrorKind::AlreadyExists);

    let spec = GroupSpec::new("gated", GroupKind::Public, JoinPolicy::Approval);
    let gated = timely("gated", alice.create_group(&spec)).await.expect("create");
    let outcome = timely("apply", dave.join_group(&gated.id, Some("let me in"))).await.expect("apply");
    assert_eq!(outcome, JoinOutcome::Pending);
    let request = next_group_event(&mut alice_events, "the application").await;
    assert_eq!(
        request,
        GroupEvent::JoinRequested {
            group: gated.id.clone(),
            applicant: "dave".into(),
            message: Some("let me in".into())
        }
    );
    timely("approve", alice.decide_join(&gated.id, "dave", true)).await.expect("approve");
    let page = timely("members", alice.group_members(&gated.id, None, 10)).await.expect("members");
    assert_eq!(page.members.iter().map(|m| m.user.as_str()).collect::<Vec<_>>(), ["alice", "dave"]);
    assert_eq!(page.members[0].role, Role::Owner);
    assert!(page.next.is_none());

    for (kind, name) in [(GroupKind::Public, "closed"), (GroupKind::Private, "work")] {
        let spec = GroupSpec::new(name, kind, JoinPolicy::InviteOnly);
        let closed = timely("closed", alice.create_group(&spec)).await.expect("create");
        let refused = timely("apply", dave.join_group(&closed.id, None)).await.unwrap_err();
        assert_eq!(refused.kind, ErrorKind::PermissionDenied, "{name}: {refused:?}");
        assert!(refused.vendor.is_some());
    }
    let unsupported = GroupSpec::new("x", GroupKind::Private, JoinPolicy::Free);
    assert_eq!(timely("unsupported", alice.create_group(&unsupported)).await.unwrap_err().kind, ErrorKind::Unsupported);
}

#[tokio::test]
async fn a_muted_member_cannot_send_until_the_mute_ends() {
    let env = Env::start().await;
    let (alice, _alice_events) = env.online("alice").await;
    let (bob, mut bob_events) = env.online("bob").await;
    let spec = GroupSpec::new("quiet", GroupKind::Public, JoinPolicy::Free).with_members(["bob"]);
    let group = timely("create", alice.create_group(&spec)).await.expect("create");

    timely("mute", alice.mute_group_member(&group.id, "bob", Duration::from_secs(60))).await.expect("mute");
    let muted = group_event_where(&mut bob_events, "muted", |e| matches!(e, GroupEvent::MemberMuted { .. })).await;
    let GroupEvent::MemberMuted { user, until_ms: Some(until), .. } = muted else { panic!("{muted:?}") };
    assert_eq!(user, "bob");
    assert!(until >= env.clock.unix_secs() * 1000 + 59_000, "{until}");
    let refused = send(&bob, &group.id, "let me talk").await.unwrap_err();
    assert_eq!(refused.kind, ErrorKind::PermissionDenied);
    assert_eq!(refused.vendor.map(|v| v.code), Some(10017));

    env.clock.advance(Duration::from_secs(61));
    send(&bob, &group.id, "thanks").await.expect("the mute is over");
    let page = timely("members", alice.group_members(&group.id, None, 10)).await.expect("members");
    assert!(page.members.iter().all(|m| m.muted_until_ms.is_none()), "{page:?}");
}

#[tokio::test]
async fn a_member_whose_link_drops_gets_every_group_message_once_in_order() {
    let env = Env::start().await;
    let (alice, _alice_events) = env.online("alice").await;
    let (_bob, mut bob_events) = env.online("bob").await;
    let spec = GroupSpec::new("stream", GroupKind::Private, JoinPolicy::InviteOnly).with_members(["bob"]);
    let group = timely("create", alice.create_group(&spec)).await.expect("create");
    let mut sent = Vec::new();
    for i in 0..30 {
        if i == 10 {
            assert_eq!(env.emulator.engine().drop_links("bob"), 1, "bob's link is up before the drop");
        }
        if i == 20 {
            // Bob may still be reconnecting from the first drop; then this finds no link.
            env.emulator.engine().drop_links("bob");
        }
        sent.push(send(&alice, &group.id, &format!("n{i}")).await.expect("send").server_id);
    }
    let mut got = Vec::new();
    while got.len() < sent.len() {
        got.push(next_message(&mut bob_events, "a message of the stream").await.server_id);
    }
    assert_eq!(got, sent, "every message once, in order");
    let barrier = send(&alice, &group.id, "barrier").await.expect("barrier");
    assert_eq!(next_message(&mut bob_events, "the barrier").await.server_id, barrier.server_id);
}
