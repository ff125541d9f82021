//! NetEase one-to-one messages end to end against the emulator's NetEase
//! face, on a manual clock: sessions over the web link (7_1, 7_2, 7_101,
//! 4_4, 7_6, 7_16, 7_19, 7_22) and the admin over the server API
//! (msg/sendMsg, history/querySessionMsg, history/querySessionList). No test
//! sleeps: each awaits events with a timeout; "nothing else arrived" is
//! proven by a marker message sent afterwards being the next one.

use std::collections::HashSet;
use std::sync::Arc;
use unim_core::{
    Admin, ConnectionState, ConversationId, Direction, ErrorKind, Event, EventStream, HistoryCursor, Message,
    MessageBody, MessageStatus, OutgoingMessage, Platform, Session,
};
use unim_netease::session::NeteaseSession;

mod common;

use common::{next_event, Env, WAIT};

const TOKEN: &str = "tok-msg-static-1";

impl Env {
    async fn users_with_token(&self, accids: &[&str]) {
        self.users(accids, TOKEN).await;
    }

    /// A logged-in Web session of `accid`, with its event stream from before the login.
    async fn online(&self, accid: &str) -> (NeteaseSession, EventStream) {
        self.online_on(accid, Platform::Web).await
    }

    async fn online_on(&self, accid: &str, platform: Platform) -> (NeteaseSession, EventStream) {
        self.login_on(accid, TOKEN, platform).await
    }
}

fn text(to: &str, t: &str) -> OutgoingMessage {
    OutgoingMessage::new(ConversationId::direct(to), MessageBody::text(t))
}

async fn send(s: &NeteaseSession, to: &str, t: &str) -> Message {
    tokio::time::timeout(WAIT, s.send(&text(to, t))).await.expect("send in time").expect("send")
}

/// The next `n` messages announced on `events` (other events skipped).
async fn messages(events: &mut EventStream, n: usize) -> Vec<Message> {
    let mut out = Vec::new();
    while out.len() < n {
        if let Event::MessageReceived { message } = next_event(events, "a message").await {
            out.push(*message);
        }
    }
    out
}

fn texts(msgs: &[Message]) -> Vec<String> {
    msgs.iter()
        .map(|m| match &m.body {
            MessageBody::Text { text } => text.clone(),
            other => format!("{other:?}"),
        })
        .collect()
}

/// Sends a marker from `from` to the owner of `events` and checks it is the
/// next message there: nothing else (no duplicate) came before it.
async fn nothing_before_marker(from: &NeteaseSession, to: &str, events: &mut EventStream) {
    let marker = send(from, to, "marker").await;
    let next = messages(events, 1).await;
    assert_eq!(next[0].server_id, marker.server_id, "an unexpected message came first: {next:?}");
}

#[tokio::test]
async fn texts_and_custom_bodies_go_both_ways_live() {
    let env = Env::start().await;
    env.users_with_token(&["alice", "bob"]).await;
    let (alice, mut alice_events) = env.online("alice").await;
    let (bob, mut bob_events) = env.online("bob").await;
    let sent = send(&alice, "bob", "hello bob").await;
    assert_eq!((sent.direction, sent.status, sent.from.as_str()), (Direction::Outgoing, MessageStatus::Sent, "alice"));
    assert!(sent.server_id.parse::<u64>().is_ok(), "{sent:?}");
    let got = messages(&mut bob_events, 1).await.remove(0);
    assert_eq!((got.server_id.as_str(), got.client_id.as_str()), (sent.server_id.as_str(), sent.client_id.as_str()));
    assert_eq!((got.direction, got.status, got.from.as_str()), (Direction::Incoming, MessageStatus::Unread, "alice"));
    assert_eq!((got.conversation.clone(), got.server_time_ms), (ConversationId::direct("alice"), sent.server_time_ms));

    let custom = MessageBody::custom("{\"card\":7}", Some("a card".into()));
    let reply =
        tokio::time::timeout(WAIT, bob.send(&OutgoingMessage::new(ConversationId::direct("alice"), custom.clone())))
            .await
            .unwrap()
            .unwrap();
    let got = messages(&mut alice_events, 1).await.remove(0);
    assert_eq!((got.body, got.server_id), (custom, reply.server_id));
}

#[tokio::test]
async fn offline_messages_arrive_in_order_once_inside_the_sync() {
    let env = Env::start().await;
    env.users_with_token(&["carl", "dora"]).await;
    let (carl, _) = env.online("carl").await;
    for t in ["one", "two", "three"] {
        send(&carl, "dora", t).await;
    }
    let (_dora, mut events) = env.online("dora").await;
    let mut seen = Vec::new();
    loop {
        let e = next_event(&mut events, "dora's login").await;
        let done = matches!(&e, Event::StateChanged { state: ConnectionState::Connected, .. });
        seen.push(e);
        if done {
            break;
        }
    }
    let pos = |pred: &dyn Fn(&Event) -> bool| seen.iter().position(pred).unwrap_or_else(|| panic!("{seen:?}"));
    let started = pos(&|e| matches!(e, Event::SyncStarted));
    let finished = pos(&|e| matches!(e, Event::SyncFinished));
    let got: Vec<Message> = seen[started..finished]
        .iter()
        .filter_map(|e| match e {
            Event::MessageReceived { message } => Some((**message).clone()),
            _ => None,
        })
        .collect();
    assert_eq!(texts(&got), ["one", "two", "three"], "{seen:?}");
    assert_eq!(seen.iter().filter(|e| matches!(e, Event::MessageReceived { .. })).count(), 3);
    nothing_before_marker(&carl, "dora", &mut events).await;
}

#[tokio::test]
async fn a_retried_send_is_stored_and_delivered_once() {
    let env = Env::start().await;
    env.users_with_token(&["eve", "finn"]).await;
    let (eve, _) = env.online("eve").await;
    let (_finn, mut finn_events) = env.online("finn").await;
    let message = text("finn", "only once");
    let first = eve.send(&message).await.unwrap();
    let again = eve.send(&message).await.unwrap();
    assert_eq!(first.server_id, again.server_id);
    assert_eq!(messages(&mut finn_events, 1).await[0].server_id, first.server_id);
    nothing_before_marker(&eve, "finn", &mut finn_events).await;
    let history = eve.history(&ConversationId::direct("finn"), None, 10).await.unwrap();
    assert_eq!(texts(&history.messages), ["only once", "marker"]);
}

#[tokio::test]
async fn the_senders_other_device_gets_a_copy() {
    let env = Env::start().await;
    env.users_with_token(&["gus", "hana"]).await;
    let (gus_web, _) = env.online_on("gus", Platform::Web).await;
    let (_gus_phone, mut phone_events) = env.online_on("gus", Platform::Android).await;
    let sent = send(&gus_web, "hana", "from the web").await;
    let copy = messages(&mut phone_events, 1).await.remove(0);
    assert_eq!((copy.server_id, copy.direction), (sent.server_id, Direction::Outgoing));
    assert_eq!(copy.conversation, ConversationId::direct("hana"));
}

#[tokio::test]
async fn too_large_and_unknown_recipients_are_typed_errors() {
    let env = Env::start().await;
    env.users_with_token(&["ivan"]).await;
    let (ivan, _) = env.online("ivan").await;
    let big = "x".repeat(unim_netease::message::MAX_BODY_CHARS + 1);
    let e = ivan.send(&text("ivan", &big)).await.unwrap_err();
    assert_eq!((e.kind, e.vendor.map(|v| v.code)), (ErrorKind::InvalidInput, Some(414)));
    assert!(ivan.send(&text("ivan", &"x".repeat(unim_netease::message::MAX_BODY_CHARS))).await.is_ok());
    let e = ivan.send(&text("nobody-here", "hi")).await.unwrap_err();
    assert_eq!((e.kind, e.vendor.map(|v| v.code)), (ErrorKind::NotFound, Some(404)));
    let big = MessageBody::text("y".repeat(5000));
    let e = env.admin.send_message(Some("ivan"), "ivan", &big, "c").await.unwrap_err();
    assert_eq!((e.kind, e.vendor.map(|v| v.code)), (ErrorKind::InvalidInput, Some(414)));
    let e = env.admin.send_message(Some("ivan"), "nobody-here", &MessageBody::text("x"), "c").await.unwrap_err();
    assert_eq!((e.kind, e.vendor.map(|v| v.code)), (ErrorKind::NotFound, Some(404)));
    let e = ivan.send(&OutgoingMessage::new(ConversationId::group("1"), MessageBody::text("x"))).await.unwrap_err();
    assert_eq!((e.kind, e.vendor.map(|v| v.code)), (ErrorKind::NotFound, Some(803)));
}

#[tokio::test]
async fn conversations_count_unread_until_marked_read() {
    let env = Env::start().await;
    env.users_with_token(&["jack", "kate", "liam"]).await;
    let (jack, _) = env.online("jack").await;
    send(&jack, "kate", "first").await;
    let last = send(&jack, "kate", "second").await;
    let (kate, mut kate_events) = env.online("kate").await;
    messages(&mut kate_events, 2).await;
    let (liam, _) = env.online("liam").await;
    let newest = send(&liam, "kate", "from liam").await;
    messages(&mut kate_events, 1).await;

    let list = kate.conversations().await.unwrap();
    let peers: Vec<&str> = list.iter().map(|c| c.id.peer.as_str()).collect();
    assert_eq!(peers, ["liam", "jack"], "{list:?}");
    assert_eq!((list[0].unread, list[1].unread), (1, 2));
    assert_eq!(list[1].last_message.as_ref().map(|m| m.server_id.clone()), Some(last.server_id.clone()));
    assert_eq!(list[0].last_message.as_ref().map(|m| m.server_id.clone()), Some(newest.server_id));
    assert_eq!(env.emulator.engine().conversations("kate")[1].unread, 2);

    let theirs = jack.conversations().await.unwrap();
    assert_eq!((theirs[0].id.peer.as_str(), theirs[0].unread), ("kate", 0));
    assert_eq!(theirs[0].last_message.as_ref().map(|m| m.direction), Some(Direction::Outgoing));

    kate.mark_read(&ConversationId::direct("jack")).await.unwrap();
    let list = kate.conversations().await.unwrap();
    assert_eq!((list[0].unread, list[1].unread), (1, 0));
    assert_eq!(env.emulator.engine().conversations("kate").iter().find(|c| c.peer == "jack").unwrap().unread, 0);
}

#[tokio::test]
async fn history_pages_150_messages_backwards_each_once() {
    let env = Env::start().await;
    env.users_with_token(&["mia", "noah"]).await;
    let (mia, _) = env.online("mia").await;
    let (noah, _) = env.online("noah").await;
    let mut sent = Vec::new();
    for i in 0..150 {
        let m = if i % 3 == 0 {
            send(&noah, "mia", &format!("m{i}")).await
        } else {
            send(&mia, "noah", &format!("m{i}")).await
        };
        sent.push(m.server_id);
    }
    let conversation = ConversationId::direct("noah");
    let mut got: Vec<Message> = Vec::new();
    let mut cursor: Option<HistoryCursor> = None;
    let mut pages = 0;
    loop {
        let page = mia.history(&conversation, cursor.as_ref(), 40).await.unwrap();
        assert!(page.messages.len() <= 40);
        pages += 1;
        got.splice(0..0, page.messages);
        match page.older {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert!(pages >= 4, "{pages}");
    let ids: Vec<String> = got.iter().map(|m| m.server_id.clone()).collect();
    assert_eq!(ids, sent);
    assert_eq!(texts(&got)[149], "m149");
    assert!(got.iter().all(|m| (m.direction == Direction::Incoming) == (m.from == "noah")));

    // The admin pages the same history with the server API's cursor.
    let mut admin_ids = Vec::new();
    let mut cursor = None;
    loop {
        let page = env.admin.history("mia", "noah", cursor.as_ref(), 33).await.unwrap();
        admin_ids.splice(0..0, page.messages.iter().map(|m| m.server_id.clone()));
        match page.older {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(admin_ids, sent);
}

#[tokio::test]
async fn a_deleted_conversation_leaves_the_list_but_not_the_history() {
    let env = Env::start().await;
    env.users_with_token(&["olga", "pete"]).await;
    let (olga, _) = env.online("olga").await;
    let (pete, mut pete_events) = env.online("pete").await;
    send(&olga, "pete", "keep me").await;
    messages(&mut pete_events, 1).await;
    pete.delete_conversation(&ConversationId::direct("olga")).await.unwrap();
    assert!(pete.conversations().await.unwrap().is_empty());
    assert_eq!(olga.conversations().await.unwrap().len(), 1);
    let history = pete.history(&ConversationId::direct("olga"), None, 10).await.unwrap();
    assert_eq!(texts(&history.messages), ["keep me"]);
    send(&olga, "pete", "back again").await;
    messages(&mut pete_events, 1).await;
    let list = pete.conversations().await.unwrap();
    assert_eq!((list.len(), list[0].unread), (1, 1));
}

#[tokio::test]
async fn the_admin_sends_as_a_user_and_its_history_matches_the_sessions() {
    let env = Env::start().await;
    env.users_with_token(&["quin", "rita"]).await;
    let (rita, mut rita_events) = env.online("rita").await;
    let sent =
        env.admin.send_message(Some("quin"), "rita", &MessageBody::text("from the server"), "c-1").await.unwrap();
    let got = messages(&mut rita_events, 1).await.remove(0);
    assert_eq!((got.server_id.as_str(), got.from.as_str()), (sent.server_id.as_str(), "quin"));
    assert_eq!((got.body.clone(), got.server_time_ms), (MessageBody::text("from the server"), sent.server_time_ms));
    let custom = MessageBody::custom("{\"k\":1}", Some("desc".into()));
    let sent2 = env.admin.send_message(Some("quin"), "rita", &custom, "c-2").await.unwrap();
    assert_eq!(messages(&mut rita_events, 1).await[0].body, custom);
    let mine = send(&rita, "quin", "reply").await;

    let page = env.admin.history("rita", "quin", None, 100).await.unwrap();
    let ids: Vec<&str> = page.messages.iter().map(|m| m.server_id.as_str()).collect();
    assert_eq!(ids, [sent.server_id.as_str(), sent2.server_id.as_str(), mine.server_id.as_str()]);
    assert_eq!(page.messages[1].body, custom);
    assert_eq!(page.messages[2].direction, Direction::Outgoing);
    assert!(page.older.is_none());
    let session_page = rita.history(&ConversationId::direct("quin"), None, 100).await.unwrap();
    let session_ids: Vec<&str> = session_page.messages.iter().map(|m| m.server_id.as_str()).collect();
    assert_eq!(session_ids, ids);

    let list = env.admin.conversations("quin").await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].id, ConversationId::direct("rita"));
    assert_eq!(list[0].last_message.as_ref().map(|m| m.server_id.clone()), Some(mine.server_id));
    let e = env.admin.send_message(None, "rita", &MessageBody::text("x"), "c").await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    let e =
        env.admin.send_message(Some("quin"), "rita", &MessageBody::custom("not json", None), "c").await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
}

#[tokio::test]
async fn a_link_dropped_mid_stream_still_gets_every_message_once() {
    let env = Env::start().await;
    env.users_with_token(&["sara", "tom"]).await;
    let (sara, _) = env.online("sara").await;
    let (_tom, mut tom_events) = env.online("tom").await;
    let sara = Arc::new(sara);
    let sender = Arc::clone(&sara);
    let sending = tokio::spawn(async move {
        let mut ids = Vec::new();
        for i in 0..40 {
            ids.push(send(&sender, "tom", &format!("n{i}")).await.server_id);
        }
        ids
    });
    // Drop tom's link while the messages stream in.
    let first = messages(&mut tom_events, 5).await;
    assert!(env.emulator.engine().drop_links("tom") >= 1);
    let sent = tokio::time::timeout(WAIT, sending).await.unwrap().unwrap();
    let rest = messages(&mut tom_events, sent.len() - first.len()).await;
    let ids: Vec<String> = first.iter().chain(rest.iter()).map(|m| m.server_id.clone()).collect();
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), ids.len(), "a duplicate: {ids:?}");
    assert_eq!(ids, sent);
    nothing_before_marker(&sara, "tom", &mut tom_events).await;
}

/// An offline message goes to the first client instance that syncs; once
/// that one acknowledged it (4_5), a later login of another instance does
/// not get it again (it reads it from the history).
#[tokio::test]
async fn an_offline_message_taken_by_one_device_is_not_synced_again() {
    let env = Env::start().await;
    env.users_with_token(&["uma", "vic"]).await;
    let (uma, _) = env.online("uma").await;
    send(&uma, "vic", "while away").await;
    let (phone, mut phone_events) = env.online_on("vic", Platform::Android).await;
    assert_eq!(texts(&messages(&mut phone_events, 1).await), ["while away"]);
    // A round trip after the fire-and-forget 4_5: the server has read it.
    phone.ping().await.unwrap();
    let (web, mut web_events) = env.online_on("vic", Platform::Web).await;
    let marker = send(&uma, "vic", "marker").await;
    assert_eq!(messages(&mut web_events, 1).await[0].server_id, marker.server_id);
    assert_eq!(messages(&mut phone_events, 1).await[0].server_id, marker.server_id);
    let history = web.history(&ConversationId::direct("uma"), None, 10).await.unwrap();
    assert_eq!(texts(&history.messages), ["while away", "marker"]);
}
