//! Groups through the Easemob session against the emulator, on a manual
//! clock: management over the `chatgroups` REST calls with the user's token,
//! group events from the MUC notifications on the link, group messages over
//! msync (online once, offline at login, unread counts, mark read), joins by
//! policy, mutes that end on the clock, roles and dismissal. No test sleeps:
//! each awaits events with a timeout.

use futures::StreamExt;
use std::time::Duration;
use unim_core::Clock;
use unim_core::{
    ConversationId, Direction, ErrorKind, Event, EventStream, GroupEvent, GroupKind, GroupSpec, JoinOutcome,
    JoinPolicy, Message, MessageBody, OutgoingMessage, Role, Session,
};
use unim_easemob::session::EasemobSession;

/// How long a test waits for something that should happen (real time).
const WAIT: Duration = Duration::from_secs(30);

mod common;

use common::Env;

impl Env {
    /// A logged-in session of `user` and its event stream (subscribed before the login).
    async fn online(&self, user: &str) -> (EasemobSession, EventStream) {
        self.log_in(EasemobSession::new(self.config(), self.session_options()), user).await
    }
}

/// Waits for the first group event that `pred` accepts (others are skipped).
async fn group_event(events: &mut EventStream, what: &str, pred: impl Fn(&GroupEvent) -> bool) -> GroupEvent {
    loop {
        match tokio::time::timeout(WAIT, events.next()).await {
            Ok(Some(Event::Group { change })) if pred(&change) => return change,
            Ok(Some(_)) => {}
            Ok(None) => panic!("{what}: the event stream ended"),
            Err(_) => panic!("{what}: not within {WAIT:?}"),
        }
    }
}

/// Waits for the next received message (other events are skipped).
async fn message(events: &mut EventStream, what: &str) -> Message {
    loop {
        match tokio::time::timeout(WAIT, events.next()).await {
            Ok(Some(Event::MessageReceived { message })) => return *message,
            Ok(Some(_)) => {}
            Ok(None) => panic!("{what}: the event stream ended"),
            Err(_) => panic!("{what}: no message within {WAIT:?}"),
        }
    }
}

/// No message is left once a ping round trip is done (the server answers in order on one socket).
async fn no_more_messages(s: &EasemobSession, events: &mut EventStream, what: &str) {
    tokio::time::timeout(WAIT, s.ping()).await.expect("ping in time").expect("ping");
    while let Some(Some(e)) = futures::FutureExt::now_or_never(events.next()) {
        assert!(!matches!(e, Event::MessageReceived { .. }), "{what}: unexpected {e:?}");
    }
}

fn to_group(group: &str, text: &str) -> OutgoingMessage {
    OutgoingMessage::new(ConversationId::group(group), MessageBody::text(text))
}

fn users(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| n.to_string()).collect()
}

#[tokio::test]
async fn members_hear_of_changes_and_get_group_messages_once() {
    let env = Env::start().await;
    env.users(&["alice", "bob", "carol", "dave"]).await;
    let (alice, _alice_events) = env.online("alice").await;
    let (bob, mut bob_events) = env.online("bob").await;
    let (carol, mut carol_events) = env.online("carol").await;

    let spec = GroupSpec::new("team", GroupKind::Private, JoinPolicy::InviteOnly).with_members(["bob"]);
    let g = alice.create_group(&spec).await.expect("create");
    assert_eq!((g.owner.as_deref(), g.member_count, g.kind), (Some("alice"), 2, GroupKind::Private));
    assert!(g.id.len() == 15 && g.id.bytes().all(|b| b.is_ascii_digit()), "id {}", g.id);
    let e =
        group_event(&mut bob_events, "bob added at creation", |e| matches!(e, GroupEvent::MemberJoined { .. })).await;
    assert_eq!(e, GroupEvent::MemberJoined { group: g.id.clone(), user: "bob".into(), by: Some("alice".into()) });

    let added = alice.add_group_members(&g.id, &users(&["carol", "dave", "bob"])).await.expect("add");
    assert!(added[0].result.is_ok() && added[1].result.is_ok());
    assert_eq!(added[2].result.as_ref().unwrap_err().kind, ErrorKind::AlreadyExists);
    let stored = env.emulator.engine().group(&g.id).expect("the engine's group");
    assert_eq!(stored.member_ids(), users(&["alice", "bob", "carol", "dave"]));
    for (who, events) in [("bob", &mut bob_events), ("carol", &mut carol_events)] {
        let e = group_event(
            events,
            &format!("{who}: carol joined"),
            |e| matches!(e, GroupEvent::MemberJoined { user, .. } if user == "carol"),
        )
        .await;
        assert_eq!(e, GroupEvent::MemberJoined { group: g.id.clone(), user: "carol".into(), by: Some("alice".into()) });
    }

    // Online members get it once; dave, offline, at his login.
    let sent = alice.send(&to_group(&g.id, "hello team")).await.expect("send");
    assert_eq!((sent.conversation.clone(), sent.direction), (ConversationId::group(&g.id), Direction::Outgoing));
    for (who, s, events) in [("bob", &bob, &mut bob_events), ("carol", &carol, &mut carol_events)] {
        let m = message(events, who).await;
        assert_eq!((m.server_id.as_str(), m.from.as_str()), (sent.server_id.as_str(), "alice"));
        assert_eq!((m.conversation.clone(), m.direction), (ConversationId::group(&g.id), Direction::Incoming));
        assert_eq!(m.client_id, sent.client_id);
        no_more_messages(s, events, who).await;
    }
    // A retry with the same client id is stored once and delivered once.
    let mut again = to_group(&g.id, "hello team");
    again.client_id = sent.client_id.clone();
    assert_eq!(alice.send(&again).await.expect("retry").server_id, sent.server_id);
    no_more_messages(&bob, &mut bob_events, "bob after the retry").await;

    let (dave, mut dave_events) = env.online("dave").await;
    let m = message(&mut dave_events, "dave at login").await;
    assert_eq!((m.server_id, m.conversation), (sent.server_id.clone(), ConversationId::group(&g.id)));
    no_more_messages(&dave, &mut dave_events, "dave").await;

    // Unread counts per member; mark_read clears them.
    let unread = |list: Vec<unim_core::Conversation>| {
        list.into_iter().find(|c| c.id == ConversationId::group(&g.id)).map(|c| c.unread)
    };
    assert_eq!(unread(bob.conversations().await.expect("bob's list")), Some(1));
    assert_eq!(unread(alice.conversations().await.expect("alice's list")), Some(0));
    bob.mark_read(&ConversationId::group(&g.id)).await.expect("mark read");
    assert_eq!(unread(bob.conversations().await.expect("bob's list")), Some(0));
    let page = carol.history(&ConversationId::group(&g.id), None, 10).await.expect("history");
    assert_eq!(page.messages.iter().map(|m| m.server_id.as_str()).collect::<Vec<_>>(), vec![sent.server_id.as_str()]);

    // Removed: everyone, carol included, is told; then carol may not send.
    alice.remove_group_members(&g.id, &users(&["carol"])).await.expect("remove");
    for (who, events) in [("bob", &mut bob_events), ("carol", &mut carol_events)] {
        let e =
            group_event(events, &format!("{who}: carol removed"), |e| matches!(e, GroupEvent::MemberRemoved { .. }))
                .await;
        assert_eq!(
            e,
            GroupEvent::MemberRemoved { group: g.id.clone(), user: "carol".into(), by: Some("alice".into()) }
        );
    }
    let refused = carol.send(&to_group(&g.id, "still here?")).await.unwrap_err();
    assert_eq!(refused.kind, ErrorKind::PermissionDenied, "{refused}");
    assert_eq!(refused.vendor.map(|v| v.code), Some(602));

    // The owner may not leave; dismissing tells everyone, then the group is gone.
    assert_eq!(alice.leave_group(&g.id).await.unwrap_err().kind, ErrorKind::PermissionDenied);
    alice.dismiss_group(&g.id).await.expect("dismiss");
    let e = group_event(&mut bob_events, "bob: dismissed", |e| matches!(e, GroupEvent::Dismissed { .. })).await;
    assert_eq!(e, GroupEvent::Dismissed { group: g.id.clone(), by: Some("alice".into()) });
    assert_eq!(bob.group_info(&g.id).await.unwrap_err().kind, ErrorKind::NotFound);
    let gone = bob.send(&to_group(&g.id, "anyone?")).await.unwrap_err();
    assert_eq!(gone.kind, ErrorKind::NotFound, "{gone}");
}

#[tokio::test]
async fn joins_follow_the_groups_policy() {
    let env = Env::start().await;
    env.users(&["alice", "bob", "carol"]).await;
    let (alice, mut alice_events) = env.online("alice").await;
    let (bob, mut bob_events) = env.online("bob").await;

    let free = alice.create_group(&GroupSpec::new("free", GroupKind::Public, JoinPolicy::Free)).await.expect("free");
    assert_eq!(bob.join_group(&free.id, None).await.expect("join free"), JoinOutcome::Joined);
    let e = group_event(&mut alice_events, "bob joined", |e| matches!(e, GroupEvent::MemberJoined { .. })).await;
    assert_eq!(e, GroupEvent::MemberJoined { group: free.id.clone(), user: "bob".into(), by: None });
    assert_eq!(bob.join_group(&free.id, None).await.unwrap_err().kind, ErrorKind::AlreadyExists);

    let asked = GroupSpec::new("asked", GroupKind::Public, JoinPolicy::Approval);
    let asked = alice.create_group(&asked).await.expect("approval group");
    assert_eq!(bob.join_group(&asked.id, Some("let me in")).await.expect("apply"), JoinOutcome::Pending);
    let e = group_event(&mut alice_events, "the request", |e| matches!(e, GroupEvent::JoinRequested { .. })).await;
    assert_eq!(
        e,
        GroupEvent::JoinRequested {
            group: asked.id.clone(),
            applicant: "bob".into(),
            message: Some("let me in".into())
        }
    );
    alice.decide_join(&asked.id, "bob", true).await.expect("approve");
    group_event(
        &mut bob_events,
        "bob let in",
        |e| matches!(e, GroupEvent::MemberJoined { group, user, .. } if group == &asked.id && user == "bob"),
    )
    .await;
    let mine: Vec<String> = bob.joined_groups().await.expect("bob's groups").into_iter().map(|g| g.id).collect();
    assert!(mine.contains(&free.id) && mine.contains(&asked.id), "{mine:?}");

    let closed = GroupSpec::new("closed", GroupKind::Private, JoinPolicy::InviteOnly);
    let closed = alice.create_group(&closed).await.expect("invite-only group");
    assert_eq!(bob.join_group(&closed.id, None).await.unwrap_err().kind, ErrorKind::PermissionDenied);
    let public_invite = GroupSpec::new("x", GroupKind::Public, JoinPolicy::InviteOnly);
    assert_eq!(alice.create_group(&public_invite).await.unwrap_err().kind, ErrorKind::Unsupported);
}

#[tokio::test]
async fn mutes_end_on_the_clock_and_roles_move() {
    let env = Env::start().await;
    env.users(&["alice", "bob", "carol"]).await;
    let (alice, mut alice_events) = env.online("alice").await;
    let (bob, mut bob_events) = env.online("bob").await;
    let spec = GroupSpec::new("muted", GroupKind::Public, JoinPolicy::Free).with_members(["bob", "carol"]);
    let g = alice.create_group(&spec).await.expect("create");

    alice.mute_group_member(&g.id, "bob", Duration::from_secs(60)).await.expect("mute");
    let e = group_event(&mut bob_events, "bob muted", |e| matches!(e, GroupEvent::MemberMuted { .. })).await;
    let GroupEvent::MemberMuted { user, until_ms: Some(until), .. } = e else { panic!("not a mute: {e:?}") };
    assert_eq!(user, "bob");
    let now_ms = env.clock.now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64;
    assert!(until.abs_diff(now_ms + 60_000) <= 2_000, "mute until {until}, clock {now_ms}");
    let refused = bob.send(&to_group(&g.id, "let me talk")).await.unwrap_err();
    assert_eq!((refused.kind, refused.vendor.map(|v| v.code)), (ErrorKind::PermissionDenied, Some(507)));
    env.clock.advance(Duration::from_secs(61));
    bob.send(&to_group(&g.id, "back")).await.expect("the mute ended");
    let m = message(&mut alice_events, "alice gets bob's message").await;
    assert_eq!(m.body, MessageBody::text("back"));

    alice.set_group_role(&g.id, "bob", Role::Admin).await.expect("admin");
    group_event(
        &mut bob_events,
        "bob is admin",
        |e| matches!(e, GroupEvent::RoleChanged { user, role: Role::Admin, .. } if user == "bob"),
    )
    .await;
    assert_eq!(
        bob.remove_group_members(&g.id, &users(&["alice"])).await.unwrap_err().kind,
        ErrorKind::PermissionDenied
    );
    alice.transfer_group(&g.id, "bob").await.expect("transfer");
    for role in [Role::Member, Role::Owner] {
        let who = if role == Role::Owner { "bob" } else { "alice" };
        group_event(
            &mut bob_events,
            "the transfer",
            |e| matches!(e, GroupEvent::RoleChanged { user, role: r, .. } if user == who && *r == role),
        )
        .await;
    }
    assert_eq!(bob.group_info(&g.id).await.expect("info").owner.as_deref(), Some("bob"));
    alice.leave_group(&g.id).await.expect("a plain member leaves");
    let e = group_event(&mut bob_events, "alice left", |e| matches!(e, GroupEvent::MemberLeft { .. })).await;
    assert_eq!(e, GroupEvent::MemberLeft { group: g.id.clone(), user: "alice".into() });
}

#[tokio::test]
async fn the_senders_other_device_gets_its_copy_and_renames_are_told() {
    let env = Env::start().await;
    env.users(&["alice", "bob"]).await;
    let (alice, mut alice_events) = env.online("alice").await;
    let (alice_too, mut alice_too_events) = env.online("alice").await;
    let (bob, mut bob_events) = env.online("bob").await;
    let spec = GroupSpec::new("devices", GroupKind::Public, JoinPolicy::Approval).with_members(["bob"]);
    let g = alice.create_group(&spec).await.expect("create");

    let sent = alice.send(&to_group(&g.id, "from my phone")).await.expect("send");
    let copy = message(&mut alice_too_events, "alice's other device").await;
    assert_eq!((copy.server_id.as_str(), copy.direction), (sent.server_id.as_str(), Direction::Outgoing));
    assert_eq!(copy.conversation, ConversationId::group(&g.id));
    no_more_messages(&alice_too, &mut alice_too_events, "alice's other device").await;
    no_more_messages(&alice, &mut alice_events, "the sending device (it has the ack)").await;
    assert_eq!(message(&mut bob_events, "bob").await.server_id, sent.server_id);

    let update = unim_core::GroupUpdate { name: Some("renamed".into()), introduction: Some("about".into()) };
    assert_eq!(bob.update_group(&g.id, &update).await.unwrap_err().kind, ErrorKind::PermissionDenied);
    alice.update_group(&g.id, &update).await.expect("rename");
    let e = group_event(&mut bob_events, "renamed", |e| matches!(e, GroupEvent::InfoChanged { .. })).await;
    assert_eq!(
        e,
        GroupEvent::InfoChanged {
            group: g.id.clone(),
            name: Some("renamed".into()),
            introduction: Some("about".into())
        }
    );
    let info = bob.group_info(&g.id).await.expect("info");
    assert_eq!((info.name.as_str(), info.introduction.as_deref()), ("renamed", Some("about")));
}
