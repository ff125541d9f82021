//! NetEase teams end to end through sessions over the web link against the
//! emulator's NetEase face, on a manual clock: team commands (service 8),
//! team notifications as group events, team messages (8_2, 8_3, 8_102, the
//! login's 4_4) and team sessions (7_19, 7_16, 8_23). No test sleeps: each
//! awaits events with a timeout; "nothing else arrived" is proven by a
//! marker sent afterwards being the next message.

use std::time::Duration;
use unim_core::{
    ConnectionState, ConversationId, Credentials, Direction, ErrorKind, Event, EventStream, GroupEvent, GroupKind,
    GroupSpec, GroupUpdate, JoinOutcome, JoinPolicy, Message, MessageBody, OutgoingMessage, Platform, Role, Session,
};
use unim_netease::session::NeteaseSession;

// The shared setup has parts these tests do not use.
#[allow(dead_code)]
mod common;

use common::{next_event, Env, WAIT};

const TOKEN: &str = "tok-team-static-1";

impl Env {
    async fn online_on(&self, accid: &str, platform: Platform) -> (NeteaseSession, EventStream) {
        self.login_on(accid, TOKEN, platform).await
    }

    async fn online(&self, accid: &str) -> (NeteaseSession, EventStream) {
        self.online_on(accid, Platform::Web).await
    }
}

/// The next group event on `events` (other events skipped).
async fn group_event(events: &mut EventStream, what: &str) -> GroupEvent {
    loop {
        if let Event::Group { change } = next_event(events, what).await {
            return change;
        }
    }
}

/// Waits for `expected` on `events`, skipping other events.
async fn expect_group(events: &mut EventStream, expected: &GroupEvent) {
    while group_event(events, &format!("{expected:?}")).await != *expected {}
}

/// The next message on `events` (other events skipped).
async fn message(events: &mut EventStream, what: &str) -> Message {
    loop {
        if let Event::MessageReceived { message } = next_event(events, what).await {
            return *message;
        }
    }
}

fn text_of(m: &Message) -> &str {
    match &m.body {
        MessageBody::Text { text } => text,
        MessageBody::Custom { data, .. } => data,
    }
}

async fn say(s: &NeteaseSession, tid: &str, text: &str) -> Result<Message, unim_core::Error> {
    let out = OutgoingMessage::new(ConversationId::group(tid), MessageBody::text(text));
    tokio::time::timeout(WAIT, s.send(&out)).await.expect("send in time")
}

fn spec(kind: GroupKind, policy: JoinPolicy, members: &[&str]) -> GroupSpec {
    GroupSpec::new("crew", kind, policy).with_members(members.iter().copied())
}

#[tokio::test]
async fn members_hear_of_changes_and_get_each_team_message_once() {
    let env = Env::start().await;
    env.users(&["alice", "bob", "carol"], TOKEN).await;
    let (alice, _alice_events) = env.online("alice").await;
    let (alice_phone, mut phone_events) = env.online_on("alice", Platform::Android).await;
    let (bob, mut bob_events) = env.online("bob").await;

    let team = alice.create_group(&spec(GroupKind::Private, JoinPolicy::InviteOnly, &["bob"])).await.unwrap();
    assert_eq!((team.kind, team.join_policy, team.member_count), (GroupKind::Private, JoinPolicy::InviteOnly, 2));
    assert_eq!(team.owner.as_deref(), Some("alice"));
    let tid = team.id.clone();
    let joined = GroupEvent::MemberJoined { group: tid.clone(), user: "bob".into(), by: Some("alice".into()) };
    assert_eq!(group_event(&mut bob_events, "bob joined").await, joined);

    // carol is added while offline; bob hears of it.
    let added = alice.add_group_members(&tid, &["carol".into(), "bob".into()]).await.unwrap();
    assert!(added[0].result.is_ok());
    assert_eq!(added[1].result.as_ref().unwrap_err().kind, ErrorKind::AlreadyExists);
    let carol_joined = GroupEvent::MemberJoined { group: tid.clone(), user: "carol".into(), by: Some("alice".into()) };
    assert_eq!(group_event(&mut bob_events, "carol joined").await, carol_joined);

    // One team message: bob gets it once, alice's phone its outgoing copy.
    let sent = say(&alice, &tid, "hello team").await.unwrap();
    assert_eq!(sent.conversation, ConversationId::group(&tid));
    let got = message(&mut bob_events, "bob's team message").await;
    assert_eq!(
        (got.conversation.clone(), got.direction, text_of(&got)),
        (ConversationId::group(&tid), Direction::Incoming, "hello team")
    );
    assert_eq!(got.server_id, sent.server_id);
    let copy = message(&mut phone_events, "the phone's copy").await;
    assert_eq!((copy.direction, copy.server_id.clone()), (Direction::Outgoing, sent.server_id.clone()));
    // A retry with the same client id is not delivered again: the marker comes next.
    let retry = OutgoingMessage {
        client_id: sent.client_id.clone(),
        ..OutgoingMessage::new(ConversationId::group(&tid), MessageBody::text("hello team"))
    };
    assert_eq!(alice.send(&retry).await.unwrap().server_id, sent.server_id);
    say(&alice, &tid, "marker").await.unwrap();
    assert_eq!(text_of(&message(&mut bob_events, "the marker").await), "marker");

    // carol gets both at her login, before Connected, and counts them unread.
    let carol = env.session_on(Platform::Web);
    let mut carol_events = carol.events();
    carol.login(Credentials::token("carol", TOKEN)).await.unwrap();
    let mut before_connected = Vec::new();
    loop {
        match next_event(&mut carol_events, "carol's login").await {
            Event::MessageReceived { message } => before_connected.push(text_of(&message).to_owned()),
            Event::StateChanged { state: ConnectionState::Connected, .. } => break,
            _ => {}
        }
    }
    assert_eq!(before_connected, vec!["hello team".to_string(), "marker".to_string()]);
    let list = carol.conversations().await.unwrap();
    let entry = list.iter().find(|c| c.id == ConversationId::group(&tid)).expect("the team in carol's list");
    assert_eq!(entry.unread, 2);
    carol.mark_read(&ConversationId::group(&tid)).await.unwrap();
    let list = carol.conversations().await.unwrap();
    assert_eq!(list.iter().find(|c| c.id == ConversationId::group(&tid)).unwrap().unread, 0);
    let bob_list = bob.conversations().await.unwrap();
    assert_eq!(bob_list.iter().find(|c| c.id == ConversationId::group(&tid)).unwrap().unread, 2);
    let page = bob.history(&ConversationId::group(&tid), None, 10).await.unwrap();
    assert_eq!(page.messages.iter().map(text_of).collect::<Vec<_>>(), vec!["hello team", "marker"]);

    // Info changes, removal (the removed member is told) and dismissal.
    let update = GroupUpdate { name: Some("renamed".into()), introduction: None };
    assert_eq!(bob.update_group(&tid, &update).await.unwrap_err().kind, ErrorKind::PermissionDenied);
    alice.update_group(&tid, &update).await.unwrap();
    match group_event(&mut bob_events, "info changed").await {
        GroupEvent::InfoChanged { name, .. } => assert_eq!(name.as_deref(), Some("renamed")),
        other => panic!("expected InfoChanged, got {other:?}"),
    }
    assert_eq!(bob.group_info(&tid).await.unwrap().name, "renamed");
    alice.remove_group_members(&tid, &["carol".into()]).await.unwrap();
    let removed = GroupEvent::MemberRemoved { group: tid.clone(), user: "carol".into(), by: Some("alice".into()) };
    expect_group(&mut carol_events, &removed).await;
    expect_group(&mut bob_events, &removed).await;
    assert_eq!(say(&carol, &tid, "still here?").await.unwrap_err().kind, ErrorKind::PermissionDenied);
    alice.dismiss_group(&tid).await.unwrap();
    let dismissed = GroupEvent::Dismissed { group: tid.clone(), by: Some("alice".into()) };
    assert_eq!(group_event(&mut bob_events, "dismissed").await, dismissed);
    assert_eq!(alice.group_info(&tid).await.unwrap_err().kind, ErrorKind::NotFound);
    assert_eq!(say(&bob, &tid, "anyone?").await.unwrap_err().kind, ErrorKind::NotFound);
    drop(alice_phone);
}

#[tokio::test]
async fn joining_follows_the_join_mode() {
    let env = Env::start().await;
    env.users(&["alice", "bob", "carol", "dave"], TOKEN).await;
    let (alice, mut alice_events) = env.online("alice").await;
    let (bob, _) = env.online("bob").await;
    let (carol, mut carol_events) = env.online("carol").await;
    let (dave, _) = env.online("dave").await;

    let free = alice.create_group(&spec(GroupKind::Public, JoinPolicy::Free, &[])).await.unwrap();
    assert_eq!(bob.join_group(&free.id, None).await.unwrap(), JoinOutcome::Joined);
    let joined = GroupEvent::MemberJoined { group: free.id.clone(), user: "bob".into(), by: None };
    assert_eq!(group_event(&mut alice_events, "bob joined freely").await, joined);
    assert_eq!(bob.join_group(&free.id, None).await.unwrap_err().kind, ErrorKind::AlreadyExists);

    let approval = alice.create_group(&spec(GroupKind::Public, JoinPolicy::Approval, &[])).await.unwrap();
    assert_eq!(carol.join_group(&approval.id, Some("let me in")).await.unwrap(), JoinOutcome::Pending);
    let request = GroupEvent::JoinRequested {
        group: approval.id.clone(),
        applicant: "carol".into(),
        message: Some("let me in".into()),
    };
    assert_eq!(group_event(&mut alice_events, "carol's application").await, request);
    assert_eq!(bob.decide_join(&approval.id, "carol", true).await.unwrap_err().kind, ErrorKind::PermissionDenied);
    alice.decide_join(&approval.id, "carol", true).await.unwrap();
    let in_now =
        GroupEvent::MemberJoined { group: approval.id.clone(), user: "carol".into(), by: Some("alice".into()) };
    assert_eq!(group_event(&mut carol_events, "carol approved").await, in_now);
    let page = alice.group_members(&approval.id, None, 10).await.unwrap();
    assert_eq!(page.members.iter().map(|m| m.user.as_str()).collect::<Vec<_>>(), vec!["alice", "carol"]);

    let closed = alice.create_group(&spec(GroupKind::Public, JoinPolicy::InviteOnly, &[])).await.unwrap();
    let refused = dave.join_group(&closed.id, None).await.unwrap_err();
    assert_eq!(refused.kind, ErrorKind::PermissionDenied);
    assert_eq!(refused.vendor.as_ref().map(|v| v.code), Some(802));
    assert_eq!(dave.join_group("3999999999", None).await.unwrap_err().kind, ErrorKind::NotFound);

    let mine = carol.joined_groups().await.unwrap();
    assert_eq!(mine.iter().map(|g| g.id.as_str()).collect::<Vec<_>>(), vec![approval.id.as_str()]);
}

#[tokio::test]
async fn roles_mutes_and_the_owner_follow_the_team_rules() {
    let env = Env::start().await;
    env.users(&["alice", "bob", "carol", "dave", "erin"], TOKEN).await;
    let (alice, _) = env.online("alice").await;
    let (bob, mut bob_events) = env.online("bob").await;
    let (carol, _) = env.online("carol").await;
    let (erin, _) = env.online("erin").await;
    let team =
        alice.create_group(&spec(GroupKind::Public, JoinPolicy::InviteOnly, &["bob", "carol", "dave"])).await.unwrap();
    let tid = team.id.clone();

    // A plain member and a stranger are refused.
    assert_eq!(carol.remove_group_members(&tid, &["dave".into()]).await.unwrap_err().kind, ErrorKind::PermissionDenied);
    assert_eq!(carol.add_group_members(&tid, &["erin".into()]).await.unwrap_err().kind, ErrorKind::PermissionDenied);
    assert_eq!(say(&erin, &tid, "hi").await.unwrap_err().kind, ErrorKind::PermissionDenied);
    assert_eq!(erin.group_members(&tid, None, 10).await.unwrap_err().kind, ErrorKind::PermissionDenied);

    // An admin removes plain members, not the owner.
    alice.set_group_role(&tid, "carol", Role::Admin).await.unwrap();
    let promoted = GroupEvent::RoleChanged { group: tid.clone(), user: "carol".into(), role: Role::Admin };
    expect_group(&mut bob_events, &promoted).await;
    carol.remove_group_members(&tid, &["dave".into()]).await.unwrap();
    assert_eq!(
        carol.remove_group_members(&tid, &["alice".into()]).await.unwrap_err().kind,
        ErrorKind::PermissionDenied
    );

    // A muted member may not send until the mute ends on the clock.
    alice.mute_group_member(&tid, "bob", Duration::from_secs(60)).await.unwrap();
    loop {
        if let GroupEvent::MemberMuted { user, until_ms, .. } = group_event(&mut bob_events, "bob muted").await {
            assert_eq!(user, "bob");
            assert!(until_ms.is_some());
            break;
        }
    }
    let muted = bob.group_members(&tid, None, 10).await.unwrap();
    assert!(muted.members.iter().find(|m| m.user == "bob").unwrap().muted_until_ms.is_some());
    assert_eq!(say(&bob, &tid, "muted?").await.unwrap_err().kind, ErrorKind::PermissionDenied);
    env.clock.advance(Duration::from_secs(61));
    say(&bob, &tid, "free again").await.unwrap();

    // The owner cannot leave; after a transfer the old one can.
    assert_eq!(alice.leave_group(&tid).await.unwrap_err().kind, ErrorKind::PermissionDenied);
    alice.transfer_group(&tid, "bob").await.unwrap();
    let mut roles = Vec::new();
    while roles.len() < 2 {
        if let GroupEvent::RoleChanged { user, role, .. } = group_event(&mut bob_events, "the transfer").await {
            roles.push((user, role));
        }
    }
    assert_eq!(roles, vec![("bob".to_string(), Role::Owner), ("alice".to_string(), Role::Member)]);
    alice.leave_group(&tid).await.unwrap();
    loop {
        if let GroupEvent::MemberLeft { user, .. } = group_event(&mut bob_events, "alice left").await {
            assert_eq!(user, "alice");
            break;
        }
    }
    assert_eq!(bob.group_info(&tid).await.unwrap().owner.as_deref(), Some("bob"));
}

#[tokio::test]
async fn five_hundred_members_page_in_join_order_each_once() {
    let env = Env::start().await;
    let names: Vec<String> = (0..499).map(|i| format!("m{i:03}")).collect();
    let mut all: Vec<&str> = vec!["owner"];
    all.extend(names.iter().map(String::as_str));
    env.users(&all, TOKEN).await;
    let (owner, _) = env.online("owner").await;
    let big = GroupSpec::new("big", GroupKind::Public, JoinPolicy::InviteOnly)
        .with_members(names.clone())
        .with_max_members(1000);
    let team = owner.create_group(&big).await.unwrap();
    assert_eq!(team.member_count, 500);
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = owner.group_members(&team.id, cursor.as_ref(), 100).await.unwrap();
        assert!(page.members.len() <= 100);
        seen.extend(page.members.into_iter().map(|m| m.user));
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(seen.len(), 500);
    assert_eq!(seen[0], "owner");
    assert_eq!(&seen[1..], &names[..]);
    let full = GroupSpec::new("tiny", GroupKind::Public, JoinPolicy::Free).with_max_members(2).with_members(["m000"]);
    let tiny = owner.create_group(&full).await.unwrap();
    let (late, _) = env.online("m001").await;
    assert_eq!(late.join_group(&tiny.id, None).await.unwrap_err().kind, ErrorKind::LimitExceeded);
}

#[tokio::test]
async fn a_member_back_from_away_syncs_only_what_came_meanwhile() {
    let env = Env::start().await;
    env.users(&["alice", "bob"], TOKEN).await;
    let (alice, _) = env.online("alice").await;
    let (bob, mut bob_events) = env.online("bob").await;
    let team = alice.create_group(&spec(GroupKind::Public, JoinPolicy::Free, &["bob"])).await.unwrap();
    say(&alice, &team.id, "seen live").await.unwrap();
    assert_eq!(text_of(&message(&mut bob_events, "the live message").await), "seen live");
    // What bob's first client got stays with it; what came while bob was away goes to his next client.
    bob.logout().await.unwrap();
    say(&alice, &team.id, "while away").await.unwrap();
    let again = env.session_on(Platform::Web);
    let mut events = again.events();
    again.login(Credentials::token("bob", TOKEN)).await.unwrap();
    let mut synced = Vec::new();
    loop {
        match next_event(&mut events, "bob's second login").await {
            Event::MessageReceived { message } => synced.push(text_of(&message).to_owned()),
            Event::StateChanged { state: ConnectionState::Connected, .. } => break,
            _ => {}
        }
    }
    assert_eq!(synced, vec!["while away".to_string()]);
}
