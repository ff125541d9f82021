//! One-to-one messages and conversations, session and admin, against the
//! emulator on a manual clock: both directions, custom bodies, offline
//! delivery, retries, limits, conversation lists, history paging, deletion,
//! admin sends, and a link dropped in the middle of a stream.

use std::time::Duration;
use unim_core::{
    Admin, ConversationId, Direction, ErrorKind, EventStream, HistoryCursor, Message, MessageBody, MessageStatus,
    OutgoingMessage, Session,
};
use unim_tencent::msg::MAX_MESSAGE_BYTES;
use unim_tencent::session::TencentSession;

mod common;

use common::{next_message, AdminEnv as Env, WAIT};

impl Env {
    async fn register(&self, users: &[&str]) {
        for u in users {
            self.admin.register(u).await.expect("register");
        }
    }
}

fn text(t: &str) -> MessageBody {
    MessageBody::text(t)
}

fn texts(messages: &[Message]) -> Vec<String> {
    messages
        .iter()
        .map(|m| match &m.body {
            MessageBody::Text { text } => text.clone(),
            other => format!("{other:?}"),
        })
        .collect()
}

async fn send(s: &TencentSession, to: &str, body: MessageBody) -> Message {
    let m = OutgoingMessage::new(ConversationId::direct(to), body);
    tokio::time::timeout(WAIT, s.send(&m)).await.expect("send in time").expect("send")
}

/// Sends a barrier message and waits for it: pushes on one link arrive in
/// order, so anything announced before it was announced already.
async fn barrier(from: &TencentSession, to: &str, events: &mut EventStream) {
    let b = send(from, to, text("barrier")).await;
    let got = next_message(events, "the barrier").await;
    assert_eq!(got.server_id, b.server_id, "a message arrived between the last one and the barrier: {got:?}");
}

#[tokio::test]
async fn texts_and_custom_bodies_go_both_ways() {
    let env = Env::start().await;
    let (alice, mut alice_events) = env.online("alice").await;
    let (bob, mut bob_events) = env.online("bob").await;

    let sent = send(&alice, "bob", text("hi bob")).await;
    assert_eq!((sent.direction, sent.status), (Direction::Outgoing, MessageStatus::Sent));
    assert_eq!(sent.conversation, ConversationId::direct("bob"));
    let got = next_message(&mut bob_events, "bob's message").await;
    assert_eq!(got.server_id, sent.server_id);
    assert_eq!((got.from.as_str(), got.to.as_str()), ("alice", "bob"));
    assert_eq!((got.direction, got.status), (Direction::Incoming, MessageStatus::Unread));
    assert_eq!(got.conversation, ConversationId::direct("alice"));
    assert_eq!(got.body, text("hi bob"));
    assert_eq!(got.server_time_ms, sent.server_time_ms);

    let card = MessageBody::custom("{\"card\":1}", Some("a card".into()));
    let sent = send(&bob, "alice", card.clone()).await;
    let got = next_message(&mut alice_events, "alice's custom message").await;
    assert_eq!((got.server_id, got.body), (sent.server_id, card));
    barrier(&alice, "bob", &mut bob_events).await;
}

#[tokio::test]
async fn messages_sent_while_offline_arrive_at_login_in_order_once() {
    let env = Env::start().await;
    env.register(&["bob"]).await;
    let (alice, _alice_events) = env.online("alice").await;
    let mut sent = Vec::new();
    for t in ["one", "two", "three"] {
        sent.push(send(&alice, "bob", text(t)).await.server_id);
    }
    let (bob, mut bob_events) = env.online("bob").await;
    let mut got = Vec::new();
    for _ in 0..3 {
        got.push(next_message(&mut bob_events, "an offline message").await);
    }
    assert_eq!(texts(&got), ["one", "two", "three"]);
    assert_eq!(got.iter().map(|m| m.server_id.clone()).collect::<Vec<_>>(), sent);
    barrier(&alice, "bob", &mut bob_events).await;

    // Logging out and in again brings nothing old back.
    bob.logout().await.unwrap();
    send(&alice, "bob", text("four")).await;
    tokio::time::timeout(WAIT, bob.login(env.creds("bob", 86_400))).await.unwrap().unwrap();
    assert_eq!(texts(&[next_message(&mut bob_events, "the new offline message").await]), ["four"]);
    barrier(&alice, "bob", &mut bob_events).await;
}

#[tokio::test]
async fn a_retried_send_is_stored_and_delivered_once() {
    let env = Env::start().await;
    let (alice, _a) = env.online("alice").await;
    let (_bob, mut bob_events) = env.online("bob").await;
    let m = OutgoingMessage::new(ConversationId::direct("bob"), text("once"));
    let first = alice.send(&m).await.unwrap();
    let again = alice.send(&m).await.unwrap();
    assert_eq!(first.server_id, again.server_id);
    assert_eq!(first.client_id, m.client_id);
    assert_eq!(next_message(&mut bob_events, "the message").await.server_id, first.server_id);
    barrier(&alice, "bob", &mut bob_events).await;
    let history = env.admin.history("alice", "bob", None, 10).await.unwrap();
    assert_eq!(texts(&history.messages), ["once", "barrier"]);
}

#[tokio::test]
async fn too_large_and_unknown_recipients_are_refused_with_the_vendor_codes() {
    let env = Env::start().await;
    let (alice, _a) = env.online("alice").await;
    env.register(&["bob"]).await;
    let big = text(&"x".repeat(MAX_MESSAGE_BYTES + 1));
    let e = alice.send(&OutgoingMessage::new(ConversationId::direct("bob"), big.clone())).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput, "{e}");
    assert_eq!(e.vendor.as_ref().map(|v| v.code), Some(93000));
    let e = env.admin.send_message(Some("alice"), "bob", &big, "c1").await.unwrap_err();
    assert_eq!((e.kind, e.vendor.as_ref().map(|v| v.code)), (ErrorKind::InvalidInput, Some(93000)));
    // Exactly the limit is fine.
    send(&alice, "bob", text(&"x".repeat(MAX_MESSAGE_BYTES))).await;

    let e = alice.send(&OutgoingMessage::new(ConversationId::direct("nobody"), text("hi"))).await.unwrap_err();
    assert_eq!((e.kind, e.vendor.as_ref().map(|v| v.code)), (ErrorKind::NotFound, Some(20003)), "{e}");
    let e = env.admin.send_message(Some("alice"), "nobody", &text("hi"), "c2").await.unwrap_err();
    assert_eq!((e.kind, e.vendor.as_ref().map(|v| v.code)), (ErrorKind::NotFound, Some(90012)), "{e}");
    let e = env.admin.send_message(Some("ghost"), "bob", &text("hi"), "c3").await.unwrap_err();
    assert_eq!((e.kind, e.vendor.as_ref().map(|v| v.code)), (ErrorKind::NotFound, Some(20003)), "{e}");
}

#[tokio::test]
async fn conversation_lists_count_unread_until_marked_read() {
    let env = Env::start().await;
    let (alice, _a) = env.online("alice").await;
    let (bob, mut bob_events) = env.online("bob").await;
    send(&alice, "bob", text("first")).await;
    let last = send(&alice, "bob", text("second")).await;
    next_message(&mut bob_events, "first").await;
    next_message(&mut bob_events, "second").await;

    let list = bob.conversations().await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].id, ConversationId::direct("alice"));
    assert_eq!(list[0].unread, 2);
    let shown = list[0].last_message.as_ref().expect("the last message");
    assert_eq!((shown.server_id.as_str(), shown.direction), (last.server_id.as_str(), Direction::Incoming));
    let theirs = alice.conversations().await.unwrap();
    assert_eq!((theirs[0].id.peer.as_str(), theirs[0].unread), ("bob", 0));
    assert_eq!(theirs[0].last_message.as_ref().map(|m| m.direction), Some(Direction::Outgoing));
    let by_admin = env.admin.conversations("bob").await.unwrap();
    assert_eq!((by_admin[0].id.peer.as_str(), by_admin[0].unread), ("alice", 2));
    assert_eq!(by_admin[0].last_message.as_ref().map(|m| m.server_id.clone()), Some(last.server_id.clone()));

    bob.mark_read(&ConversationId::direct("alice")).await.unwrap();
    assert_eq!(bob.conversations().await.unwrap()[0].unread, 0);
    assert_eq!(env.admin.conversations("bob").await.unwrap()[0].unread, 0);

    // Most recent first.
    env.register(&["carol"]).await;
    env.admin.send_message(Some("carol"), "bob", &text("from carol"), "c1").await.unwrap();
    let peers: Vec<String> = bob.conversations().await.unwrap().into_iter().map(|c| c.id.peer).collect();
    assert_eq!(peers, ["carol", "alice"]);
}

#[tokio::test]
async fn history_pages_backwards_each_message_once() {
    let env = Env::start().await;
    let (alice, _a) = env.online("alice").await;
    env.register(&["bob"]).await;
    let mut sent = Vec::new();
    for i in 0..150 {
        sent.push(send(&alice, "bob", text(&format!("m{i}"))).await.server_id);
        if i % 40 == 0 {
            // Several seconds, so that times differ across pages too.
            env.clock.advance(Duration::from_secs(1));
        }
    }
    let (bob, _b) = env.online("bob").await;
    let conv = ConversationId::direct("alice");
    let mut pages = Vec::new();
    let mut cursor: Option<HistoryCursor> = None;
    loop {
        let page = bob.history(&conv, cursor.as_ref(), 40).await.unwrap();
        assert!(page.messages.len() <= 40);
        pages.push(page.messages);
        match page.older {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    let all: Vec<String> = pages.iter().rev().flatten().map(|m| m.server_id.clone()).collect();
    assert_eq!(all, sent, "every message once, oldest first across pages");
    assert_eq!(pages.len(), 4);

    let mut by_admin = Vec::new();
    let mut cursor: Option<HistoryCursor> = None;
    loop {
        let page = env.admin.history("bob", "alice", cursor.as_ref(), 50).await.unwrap();
        by_admin.splice(0..0, page.messages.iter().map(|m| m.server_id.clone()));
        match page.older {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(by_admin, sent);
    let e = bob.history(&conv, Some(&HistoryCursor("nonsense".into())), 10).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
}

#[tokio::test]
async fn deleting_a_conversation_keeps_its_history() {
    let env = Env::start().await;
    let (alice, _a) = env.online("alice").await;
    let (bob, _b) = env.online("bob").await;
    send(&alice, "bob", text("hello")).await;
    bob.delete_conversation(&ConversationId::direct("alice")).await.unwrap();
    assert!(bob.conversations().await.unwrap().is_empty());
    assert_eq!(alice.conversations().await.unwrap().len(), 1);
    let page = bob.history(&ConversationId::direct("alice"), None, 10).await.unwrap();
    assert_eq!(texts(&page.messages), ["hello"]);

    env.admin.delete_recent_contact("alice", "bob").await.unwrap();
    assert!(env.admin.conversations("alice").await.unwrap().is_empty());
}

#[tokio::test]
async fn admin_sends_as_a_user_and_as_the_admin_arrive_live() {
    let env = Env::start().await;
    let (_alice, mut alice_events) = env.online("alice").await;
    let (_bob, mut bob_events) = env.online("bob").await;

    let sent = env.admin.send_message(Some("alice"), "bob", &text("from the server"), "k1").await.unwrap();
    assert_eq!((sent.from.as_str(), sent.direction), ("alice", Direction::Outgoing));
    let got = next_message(&mut bob_events, "bob's copy").await;
    assert_eq!((got.server_id.as_str(), got.direction), (sent.server_id.as_str(), Direction::Incoming));
    // SyncOtherMachine 1: the sender's online device gets its copy.
    let copy = next_message(&mut alice_events, "alice's copy").await;
    assert_eq!((copy.server_id.as_str(), copy.direction), (sent.server_id.as_str(), Direction::Outgoing));
    assert_eq!(copy.conversation, ConversationId::direct("bob"));

    // The same client id again: stored once.
    let again = env.admin.send_message(Some("alice"), "bob", &text("from the server"), "k1").await.unwrap();
    assert_eq!(again.server_id, sent.server_id);

    let notice = env.admin.send_message(None, "bob", &text("notice"), "k2").await.unwrap();
    let got = next_message(&mut bob_events, "the admin's notice").await;
    assert_eq!((got.from.as_str(), got.server_id.as_str()), (env.endpoint.admin.as_str(), notice.server_id.as_str()));

    let history = env.admin.history("bob", "alice", None, 10).await.unwrap();
    assert_eq!(history.messages.iter().map(|m| &m.server_id).collect::<Vec<_>>(), [&sent.server_id]);
    assert!(history.older.is_none());
}

#[tokio::test]
async fn a_link_dropped_mid_stream_still_gets_every_message_once_in_order() {
    let env = Env::start().await;
    let (alice, _a) = env.online("alice").await;
    let (bob, mut bob_events) = env.online("bob").await;
    let mut sent = Vec::new();
    for i in 0..30 {
        if i == 10 {
            assert_eq!(env.emulator.engine().drop_links("bob"), 1, "bob's link is up before the drop");
        }
        if i == 20 {
            // Bob may still be reconnecting from the first drop; then this one finds no link.
            env.emulator.engine().drop_links("bob");
        }
        sent.push(send(&alice, "bob", text(&format!("n{i}"))).await.server_id);
    }
    let mut got = Vec::new();
    while got.len() < sent.len() {
        got.push(next_message(&mut bob_events, "a message of the stream").await.server_id);
    }
    assert_eq!(got, sent, "every message once, in order");
    // Reconnected or not, the barrier reaches bob after everything else (by push or by sync).
    barrier(&alice, "bob", &mut bob_events).await;
    assert_eq!(bob.current_user().as_deref(), Some("bob"));
}
