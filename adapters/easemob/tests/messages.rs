//! One-to-one messages through the Easemob session (msync) and admin (REST)
//! against the emulator, on a manual clock: both directions, custom bodies,
//! offline delivery, retries, other devices, limits, conversations, unread
//! counts, history paging, deletion, admin sends and history, and a link
//! dropped mid-stream. No test sleeps: each awaits events with a timeout.

use futures::StreamExt;
use std::collections::HashSet;
use std::time::Duration;
use unim_core::{
    Admin, ConnectionState, ConversationId, Direction, ErrorKind, Event, EventStream, Message, MessageBody,
    MessageStatus, OutgoingMessage, ReconnectPolicy, Session, SessionOptions,
};
use unim_easemob::session::EasemobSession;

/// How long a test waits for something that should happen (real time).
const WAIT: Duration = Duration::from_secs(30);

const POLICY: ReconnectPolicy =
    ReconnectPolicy { max_attempts: 5, initial_delay: Duration::from_secs(1), max_delay: Duration::from_secs(2) };

mod common;

use common::Env;

impl Env {
    fn session(&self) -> EasemobSession {
        EasemobSession::new(self.config(), SessionOptions { reconnect: POLICY, ..self.session_options() })
    }

    /// A logged-in session of `user` and its event stream (subscribed before the login).
    async fn online(&self, user: &str) -> (EasemobSession, EventStream) {
        self.log_in(self.session(), user).await
    }
}

fn text(to: &str, text: &str) -> OutgoingMessage {
    OutgoingMessage::new(ConversationId::direct(to), MessageBody::text(text))
}

async fn send(s: &EasemobSession, message: &OutgoingMessage) -> Message {
    tokio::time::timeout(WAIT, s.send(message)).await.expect("send in time").expect("send")
}

/// The next `n` received messages (other events are skipped).
async fn received(events: &mut EventStream, n: usize, what: &str) -> Vec<Message> {
    let mut out = Vec::new();
    while out.len() < n {
        match tokio::time::timeout(WAIT, events.next()).await {
            Ok(Some(Event::MessageReceived { message })) => out.push(*message),
            Ok(Some(_)) => {}
            Ok(None) => panic!("{what}: the event stream ended"),
            Err(_) => panic!("{what}: {} of {n} messages within {WAIT:?}", out.len()),
        }
    }
    out
}

/// No message was announced once a ping round trip is done: the server
/// answers in order on the one socket, and the session handles frames in
/// order, so anything sent before the ping's reply has been announced by then.
async fn no_more_messages(s: &EasemobSession, events: &mut EventStream, what: &str) {
    tokio::time::timeout(WAIT, s.ping()).await.expect("ping in time").expect("ping");
    while let Some(Some(e)) = futures::FutureExt::now_or_never(events.next()) {
        assert!(!matches!(e, Event::MessageReceived { .. }), "{what}: unexpected {e:?}");
    }
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

#[tokio::test]
async fn texts_and_custom_bodies_go_both_ways() {
    let env = Env::start().await;
    env.users(&["alice", "bob"]).await;
    let (alice, mut alice_events) = env.online("alice").await;
    let (bob, mut bob_events) = env.online("bob").await;

    let sent = send(&alice, &text("bob", "hello bob")).await;
    assert_eq!((sent.from.as_str(), sent.to.as_str()), ("alice", "bob"));
    assert_eq!((sent.direction, sent.status), (Direction::Outgoing, MessageStatus::Sent));
    assert_eq!(sent.server_id.len(), 19, "a 19-digit id: {}", sent.server_id);
    let got = received(&mut bob_events, 1, "bob gets the text").await.remove(0);
    assert_eq!((got.server_id.as_str(), got.from.as_str()), (sent.server_id.as_str(), "alice"));
    assert_eq!((got.direction, got.status), (Direction::Incoming, MessageStatus::Unread));
    assert_eq!(got.conversation, ConversationId::direct("alice"));
    assert_eq!(got.server_time_ms, sent.server_time_ms);
    assert_eq!(got.client_id, sent.client_id, "the client id travels in ext");

    let custom = MessageBody::custom("{\"card\":7}", Some("card".into()));
    let reply = OutgoingMessage::new(ConversationId::direct("alice"), custom.clone());
    let sent = send(&bob, &reply).await;
    let got = received(&mut alice_events, 1, "alice gets the custom body").await.remove(0);
    assert_eq!((got.body, got.server_id), (custom, sent.server_id));
    let no_description = OutgoingMessage::new(ConversationId::direct("alice"), MessageBody::custom("x", None));
    send(&bob, &no_description).await;
    assert_eq!(received(&mut alice_events, 1, "custom without description").await[0].body, no_description.body);
}

#[tokio::test]
async fn offline_messages_arrive_at_login_in_order_once() {
    let env = Env::start().await;
    env.users(&["carl", "dana"]).await;
    let (carl, _) = env.online("carl").await;
    let mut ids = Vec::new();
    for i in 1..=3 {
        ids.push(send(&carl, &text("dana", &format!("m{i}"))).await.server_id);
    }
    let (dana, mut events) = env.online("dana").await;
    let got = received(&mut events, 3, "offline messages").await;
    assert_eq!(texts(&got), ["m1", "m2", "m3"]);
    assert_eq!(got.iter().map(|m| m.server_id.clone()).collect::<Vec<_>>(), ids);
    no_more_messages(&dana, &mut events, "after the offline sync").await;

    // They came inside the Syncing phase, before Connected.
    let (dana2, mut events2) = {
        dana.logout().await.expect("logout");
        for i in 4..=5 {
            send(&carl, &text("dana", &format!("m{i}"))).await;
        }
        env.online("dana").await
    };
    let mut order = Vec::new();
    loop {
        match tokio::time::timeout(WAIT, events2.next()).await.expect("events").expect("stream") {
            Event::StateChanged { state: ConnectionState::Syncing, .. } => order.push("syncing".to_owned()),
            Event::MessageReceived { message } => order.push(texts(&[*message]).remove(0)),
            Event::StateChanged { state: ConnectionState::Connected, .. } => {
                order.push("connected".to_owned());
                break;
            }
            _ => {}
        }
    }
    assert_eq!(order, ["syncing", "m4", "m5", "connected"]);
    no_more_messages(&dana2, &mut events2, "the second login").await;
}

#[tokio::test]
async fn a_retried_send_is_stored_and_delivered_once() {
    let env = Env::start().await;
    env.users(&["erin", "finn"]).await;
    let (erin, _) = env.online("erin").await;
    let (finn, mut events) = env.online("finn").await;
    let message = text("finn", "only once");
    let first = send(&erin, &message).await;
    let again = send(&erin, &message).await;
    assert_eq!(first.server_id, again.server_id);
    assert_eq!(received(&mut events, 1, "the message").await[0].server_id, first.server_id);
    no_more_messages(&finn, &mut events, "the retry").await;
    let page = finn.history(&ConversationId::direct("erin"), None, 10).await.expect("history");
    assert_eq!(page.messages.len(), 1);
}

#[tokio::test]
async fn the_senders_other_devices_get_a_copy() {
    let env = Env::start().await;
    env.users(&["gail", "hank"]).await;
    let (phone, mut phone_events) = env.online("gail").await;
    let (desk, mut desk_events) = env.online("gail").await;
    let sent = send(&phone, &text("hank", "from the phone")).await;
    let copy = received(&mut desk_events, 1, "the copy").await.remove(0);
    assert_eq!((copy.server_id.as_str(), copy.direction), (sent.server_id.as_str(), Direction::Outgoing));
    assert_eq!(copy.conversation, ConversationId::direct("hank"));
    no_more_messages(&phone, &mut phone_events, "the sending device").await;
    drop(desk);
}

#[tokio::test]
async fn too_large_and_unknown_recipients() {
    let env = Env::start().await;
    env.users(&["ivan"]).await;
    let (ivan, _) = env.online("ivan").await;
    let big = OutgoingMessage::new(ConversationId::direct("ivan"), MessageBody::text("x".repeat(5 * 1024 + 1)));
    let e = ivan.send(&big).await.expect_err("too large");
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    assert_eq!(e.vendor.map(|v| v.code), Some(511));
    let fits = OutgoingMessage::new(ConversationId::direct("ivan"), MessageBody::text("x".repeat(5 * 1024)));
    send(&ivan, &fits).await;
    let e = env.admin.send_message(None, "ivan", &big.body, "c1").await.expect_err("REST too large");
    assert_eq!((e.kind, e.vendor.map(|v| v.code)), (ErrorKind::InvalidInput, Some(400)));

    // msync refuses an unknown recipient ("username … doesn't exist!", web type 204).
    let e = ivan.send(&text("nobody-here", "hello?")).await.expect_err("unknown recipient");
    assert_eq!((e.kind, e.vendor.map(|v| v.code)), (ErrorKind::NotFound, Some(204)));
    // The neutral admin asks GET /users first; the raw REST send does not check (easemob.md 4.1).
    let e = env.admin.send_message(Some("ivan"), "nobody-here", &MessageBody::text("?"), "c2").await.expect_err("404");
    assert_eq!((e.kind, e.vendor.map(|v| v.code)), (ErrorKind::NotFound, Some(404)));
    let (ids, _) = env
        .admin
        .send_to_users(Some("ivan"), &["nobody-here".to_owned()], &MessageBody::text("?"), None, false)
        .await
        .expect("the raw send does not check");
    assert_eq!(ids[0].1.len(), 19);
    let bad = ivan.send(&text("not a name", "x")).await.expect_err("invalid username");
    assert_eq!(bad.kind, ErrorKind::InvalidInput);
}

#[tokio::test]
async fn conversations_count_unread_and_mark_read() {
    let env = Env::start().await;
    env.users(&["jade", "kurt", "lena"]).await;
    let (jade, _) = env.online("jade").await;
    let (kurt, mut kurt_events) = env.online("kurt").await;
    let (lena, _) = env.online("lena").await;
    send(&jade, &text("kurt", "one")).await;
    env.clock.advance(Duration::from_secs(1));
    let last = send(&jade, &text("kurt", "two")).await;
    env.clock.advance(Duration::from_secs(1));
    send(&lena, &text("kurt", "from lena")).await;
    received(&mut kurt_events, 3, "kurt's messages").await;

    let list = kurt.conversations().await.expect("list");
    assert_eq!(list.iter().map(|c| c.id.peer.as_str()).collect::<Vec<_>>(), ["lena", "jade"]);
    let with_jade = &list[1];
    assert_eq!(with_jade.unread, 2);
    let last_seen = with_jade.last_message.as_ref().expect("last message");
    assert_eq!((last_seen.server_id.as_str(), last_seen.direction), (last.server_id.as_str(), Direction::Incoming));
    assert_eq!(with_jade.updated_at_ms, last.server_time_ms);
    let sender_side = jade.conversations().await.expect("jade's list");
    assert_eq!(sender_side.len(), 1);
    assert_eq!((sender_side[0].id.peer.as_str(), sender_side[0].unread), ("kurt", 0));
    assert_eq!(sender_side[0].last_message.as_ref().map(|m| m.direction), Some(Direction::Outgoing));

    kurt.mark_read(&ConversationId::direct("jade")).await.expect("mark read");
    let list = kurt.conversations().await.expect("list");
    let unread: Vec<(String, u32)> = list.iter().map(|c| (c.id.peer.clone(), c.unread)).collect();
    assert_eq!(unread, [("lena".to_owned(), 1), ("jade".to_owned(), 0)]);
}

#[tokio::test]
async fn history_pages_backwards_each_message_once() {
    let env = Env::start().await;
    env.users(&["mona", "nick"]).await;
    let (mona, _) = env.online("mona").await;
    let (nick, _) = env.online("nick").await;
    let mut sent = Vec::new();
    for i in 0..150 {
        let from = if i % 3 == 0 { &nick } else { &mona };
        let to = if i % 3 == 0 { "mona" } else { "nick" };
        sent.push(send(from, &text(to, &format!("h{i}"))).await.server_id);
        if i % 7 == 0 {
            env.clock.advance(Duration::from_millis(3));
        }
    }
    let mut pages = Vec::new();
    let mut cursor = None;
    loop {
        let page = nick.history(&ConversationId::direct("mona"), cursor.as_ref(), 40).await.expect("page");
        assert!(page.messages.len() <= 40);
        pages.push(page.messages);
        match page.older {
            Some(older) => cursor = Some(older),
            None => break,
        }
        assert!(pages.len() < 10, "paging does not end");
    }
    assert_eq!(pages[0].len(), 40);
    let seen: Vec<String> = pages.into_iter().rev().flatten().map(|m| m.server_id).collect();
    assert_eq!(seen, sent, "every message once, in order");

    // The admin's v6 roaming history matches what the sessions saw.
    let mut admin_seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = env.admin.history("nick", "mona", cursor.as_ref(), 50).await.expect("admin page");
        for m in page.messages.iter().rev() {
            admin_seen.push(m.clone());
        }
        match page.older {
            Some(older) => cursor = Some(older),
            None => break,
        }
    }
    admin_seen.reverse();
    assert_eq!(admin_seen.iter().map(|m| m.server_id.clone()).collect::<Vec<_>>(), sent);
    assert_eq!(admin_seen[0].direction, Direction::Outgoing, "h0 is nick's own");
    assert_eq!(admin_seen[1].direction, Direction::Incoming, "h1 came from mona");
}

#[tokio::test]
async fn deleting_a_conversation_keeps_its_history() {
    let env = Env::start().await;
    env.users(&["olga", "paul"]).await;
    let (olga, _) = env.online("olga").await;
    let (paul, _) = env.online("paul").await;
    send(&olga, &text("paul", "hi")).await;
    assert_eq!(paul.conversations().await.expect("list").len(), 1);
    paul.delete_conversation(&ConversationId::direct("olga")).await.expect("delete");
    assert!(paul.conversations().await.expect("list").is_empty());
    assert_eq!(olga.conversations().await.expect("olga's list").len(), 1, "only paul's list changed");
    let page = paul.history(&ConversationId::direct("olga"), None, 10).await.expect("history");
    assert_eq!(texts(&page.messages), ["hi"]);
    send(&olga, &text("paul", "again")).await;
    assert_eq!(paul.conversations().await.expect("list").len(), 1, "a new message brings it back");
}

#[tokio::test]
async fn admin_sends_as_a_user_and_as_the_admin_arrive_live() {
    let env = Env::start().await;
    env.users(&["quin", "rosa"]).await;
    let (_quin, mut quin_events) = env.online("quin").await;
    let (_rosa, mut rosa_events) = env.online("rosa").await;
    let sent = env.admin.send_message(Some("quin"), "rosa", &MessageBody::text("via REST"), "c-1").await.expect("send");
    assert_eq!((sent.from.as_str(), sent.client_id.as_str()), ("quin", "c-1"));
    let got = received(&mut rosa_events, 1, "rosa gets it").await.remove(0);
    assert_eq!((got.server_id.as_str(), got.from.as_str()), (sent.server_id.as_str(), "quin"));
    assert_eq!(got.client_id, "c-1");
    let copy = received(&mut quin_events, 1, "quin's devices get a copy").await.remove(0);
    assert_eq!((copy.server_id, copy.direction), (sent.server_id.clone(), Direction::Outgoing));

    let custom = MessageBody::custom("{\"n\":1}", Some("notice".into()));
    let from_admin = env.admin.send_message(None, "rosa", &custom, "c-2").await.expect("admin send");
    assert_eq!(from_admin.from, "admin");
    let got = received(&mut rosa_events, 1, "rosa gets the admin's message").await.remove(0);
    assert_eq!((got.from.as_str(), got.body), ("admin", custom));
}

#[tokio::test]
async fn a_link_dropped_mid_stream_still_gets_every_message_once() {
    let env = Env::start().await;
    env.users(&["sara", "tony"]).await;
    let (sara, _) = env.online("sara").await;
    let (tony, mut events) = env.online("tony").await;
    let mut sent = Vec::new();
    for i in 0..100 {
        if i == 40 || i == 70 {
            env.emulator.engine().drop_links("tony");
        }
        sent.push(send(&sara, &text("tony", &format!("d{i}"))).await.server_id);
    }
    let got = received(&mut events, 100, "every message").await;
    let ids: Vec<String> = got.iter().map(|m| m.server_id.clone()).collect();
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 100, "no duplicates");
    assert_eq!(ids, sent, "in order");
    no_more_messages(&tony, &mut events, "after the reconnects").await;
}
