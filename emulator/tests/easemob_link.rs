//! The Easemob face's msync link (`/websocket`), driven by a raw WebSocket
//! client that speaks it the way easemob-websdk does
//! (docs/protocols/easemob.md), with the `unim_easemob::link` codec. Users and
//! tokens come from the face's REST API.

use futures::{SinkExt, StreamExt};
use serde_json::json;
use std::time::Duration;
use tokio_tungstenite::tungstenite::{self, Message};
use unim_easemob::link::{
    self, message_body, msync, statistics_body, status::ErrorCode, CommSyncDl, Jid, MSync, MessageBody, Provision,
};
use unim_emulator::{Emulator, EmulatorConfig};

/// How long any single expected frame may take.
const WAIT: Duration = Duration::from_secs(5);

#[allow(dead_code)]
mod common;

use common::{EasemobApp as Env, EasemobClient as Client, T0};

impl Env {
    /// Connects and logs `user` in as `resource` with a fresh one-day token.
    async fn online(&self, user: &str, resource: &str) -> Client {
        let token = self.token(user, Some(86_400)).await;
        let mut c = self.connect().await;
        let reply = c.provision(user, resource, &token).await;
        assert_eq!(reply.status.as_ref().map(|s| s.code()), Some(0), "{reply:?}");
        c
    }
}

impl Client {
    async fn provision(&mut self, user: &str, resource: &str, token: &str) -> Provision {
        let guid = Jid::user(self.app_key.clone(), user).with_resource(resource);
        self.send(&MSync::provision_request(guid, token, &Provision::login(resource, token))).await;
        let reply = self.frame().await;
        assert_eq!(reply.try_command().unwrap(), msync::Command::Provision);
        reply.read_provision().unwrap()
    }

    async fn unread(&mut self) -> link::CommUnreadDl {
        self.send(&MSync::unread()).await;
        self.frame().await.read_unread_down().expect("an UNREAD reply")
    }

    /// Sends a text to `to`; returns the ack.
    async fn text(&mut self, from: &str, to: &str, text: &str) -> CommSyncDl {
        let body = MessageBody::text_message(message_body::Type::Chat, Jid::named(from), Jid::named(to), text);
        let id = self.next_meta;
        self.next_meta += 1;
        self.sync(id, to, &body).await
    }

    async fn pull(&mut self, queue: &str) -> CommSyncDl {
        let dl = self.pull_reply(queue).await;
        assert!(dl.status.as_ref().is_some_and(|s| s.is_ok()), "{dl:?}");
        assert_eq!(dl.queue.as_ref().and_then(|q| q.name.as_deref()), Some(queue));
        dl
    }

    async fn expect_notice(&mut self) -> String {
        let frame = self.frame().await;
        frame.read_notice().expect("a NOTICE").name.unwrap_or_default()
    }

    async fn expect_closed(&mut self) {
        match self.next_message().await {
            Some(Ok(Message::Close(_))) => {}
            other => panic!("expected a close frame, got {other:?}"),
        }
        assert!(matches!(self.next_message().await, None | Some(Err(_))));
    }

    /// Waits for a kick: NOTICE of `admin`, the pull with one STATISTIC meta
    /// whose operation is returned, the follow-up pull, then the close.
    async fn expect_kick(&mut self) -> (i32, Option<String>) {
        assert_eq!(self.expect_notice().await, "admin");
        let dl = self.pull("admin").await;
        assert_eq!(dl.is_last, Some(true));
        assert_eq!(dl.metas.len(), 1, "{dl:?}");
        let body = dl.metas[0].statistics_body().expect("a STATISTIC meta");
        assert_eq!(dl.metas[0].from.as_ref().and_then(|f| f.name.as_deref()), Some("admin"));
        let follow_up = self.pull("admin").await;
        assert!(follow_up.metas.is_empty());
        self.expect_closed().await;
        (body.operation.unwrap_or(0), body.reason)
    }
}

fn op(o: statistics_body::Operation) -> i32 {
    o as i32
}

#[tokio::test]
async fn provision_ok_echoes_the_resource_and_the_absolute_expiry() {
    let env = Env::start().await;
    env.register(&["alice"]).await;
    let token = env.token("alice", Some(3600)).await;
    let mut c = env.connect().await;
    let reply = c.provision("alice", "webim_web_1", &token).await;
    assert!(reply.status.as_ref().unwrap().is_ok());
    assert_eq!(reply.resource.as_deref(), Some("webim_web_1"));
    assert_eq!(reply.token_expiry(), Some((T0 + 3600) * 1000));
    assert!(reply.protocol_compress_type.is_empty());
    let links = env.emu.engine().links_of("alice");
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].device.id.as_deref(), Some("webim_web_1"));
    assert_eq!(links[0].device.platform, unim_core::Platform::Web);
}

#[tokio::test]
async fn refused_logins_get_their_status_and_a_close() {
    let env = Env::start().await;
    env.register(&["alice"]).await;

    let mut c = env.connect().await;
    let reply = c.provision("alice", "r", "YWMt-not-a-token").await;
    assert_eq!(reply.status.unwrap().code(), ErrorCode::Unauthorized as i32);
    c.expect_closed().await;

    // Someone else's token.
    env.register(&["bob"]).await;
    let bobs = env.token("bob", Some(3600)).await;
    let mut c = env.connect().await;
    assert_eq!(c.provision("alice", "r", &bobs).await.status.unwrap().code(), ErrorCode::Unauthorized as i32);
    c.expect_closed().await;

    let short = env.token("alice", Some(10)).await;
    env.clock.advance(Duration::from_secs(11));
    let mut c = env.connect().await;
    let status = c.provision("alice", "r", &short).await.status.unwrap();
    assert_eq!((status.code(), status.reason.as_deref()), (ErrorCode::Fail as i32, Some("Sorry, token expired")));
    c.expect_closed().await;

    let token = env.token("alice", Some(3600)).await;
    let (code, reply) = env.app("POST", "/users/alice/deactivate", None).await;
    assert_eq!(code, 200, "{reply}");
    let mut c = env.connect().await;
    assert_eq!(c.provision("alice", "r", &token).await.status.unwrap().code(), ErrorCode::ImForbidden as i32);
    c.expect_closed().await;

    let (code, _) = env.app("POST", "/users/alice/activate", None).await;
    assert_eq!(code, 200);
    env.emu.faults().inject_error(7, "Sorry, the app online count limit", 1);
    let mut c = env.connect().await;
    let status = c.provision("alice", "r", &token).await.status.unwrap();
    assert_eq!((status.code(), status.reason.as_deref()), (7, Some("Sorry, the app online count limit")));
    c.expect_closed().await;
    assert!(env.emu.engine().links_of("alice").is_empty());
}

#[tokio::test]
async fn unread_answers_with_the_clock_and_expiry_pushes_one() {
    let env = Env::start().await;
    env.register(&["alice"]).await;
    let token = env.token("alice", Some(100)).await;
    let mut c = env.connect().await;
    assert!(c.provision("alice", "r", &token).await.status.unwrap().is_ok());
    let unread = c.unread().await;
    assert!(unread.status.unwrap().is_ok());
    assert!(unread.unread.is_empty());
    assert_eq!(unread.timestamp, Some(T0 * 1000));

    // The virtual clock passes the expiry: the face pushes an UNREAD reply
    // whose timestamp is past it, which makes the SDK fire onTokenExpired.
    env.clock.advance(Duration::from_secs(101));
    let pushed = c.frame().await.read_unread_down().expect("an unsolicited UNREAD reply");
    assert!(pushed.timestamp.unwrap() >= (T0 + 100) * 1000);
}

#[tokio::test]
async fn a_text_is_delivered_once_through_notice_and_pull() {
    let env = Env::start().await;
    env.register(&["alice"]).await;
    env.register(&["bob"]).await;
    let mut alice = env.online("alice", "webim_web_a").await;
    let mut bob = env.online("bob", "webim_web_b").await;

    let ack = alice.text("alice", "bob", "hello").await;
    assert!(ack.status.unwrap().is_ok());
    let server_id = ack.server_id.unwrap();
    assert_eq!(server_id.to_string().len(), 19);

    assert_eq!(bob.expect_notice().await, "alice");
    let dl = bob.pull("alice").await;
    assert_eq!((dl.metas.len(), dl.is_last, dl.next_key), (1, Some(true), None));
    let meta = &dl.metas[0];
    assert_eq!(meta.id, Some(server_id));
    assert_eq!(meta.from.as_ref().unwrap().name.as_deref(), Some("alice"));
    assert_eq!(meta.from.as_ref().unwrap().client_resource.as_deref(), Some("webim_web_a"));
    assert_eq!(meta.to.as_ref().unwrap().name.as_deref(), Some("bob"));
    assert_eq!(meta.message_body().unwrap().text(), Some("hello"));

    // Consumed on write: the follow-up pull is empty.
    assert!(bob.pull("alice").await.metas.is_empty());
    // Garbage and stray frames change nothing.
    bob.ws.send(Message::Binary(vec![0xff, 0xff, 0xff].into())).await.unwrap();
    bob.ws.send(Message::Text("hi".into())).await.unwrap();
    assert!(bob.unread().await.unread.is_empty());
}

#[tokio::test]
async fn an_offline_message_waits_for_the_next_login_once() {
    let env = Env::start().await;
    env.register(&["alice"]).await;
    env.register(&["bob"]).await;
    let mut alice = env.online("alice", "webim_web_a").await;
    let server_id = alice.text("alice", "bob", "while you were away").await.server_id;

    let mut bob = env.online("bob", "webim_web_b").await;
    let unread = bob.unread().await;
    assert_eq!(unread.unread.len(), 1);
    assert_eq!(unread.unread[0].queue.as_ref().unwrap().name.as_deref(), Some("alice"));
    assert_eq!(unread.unread[0].n, Some(1));
    let dl = bob.pull("alice").await;
    assert_eq!(dl.metas.iter().map(|m| m.id).collect::<Vec<_>>(), vec![server_id]);

    // A second device of bob logging in later gets nothing more.
    let mut bob2 = env.online("bob", "webim_web_c").await;
    assert!(bob2.unread().await.unread.is_empty());
    assert!(bob.unread().await.unread.is_empty());
}

/// The test control `easemob_inject_text` stores a chat meta as alice's
/// SYNC send would: kept for bob's next login while he is offline, NOTICEd
/// to his device while he is online.
#[tokio::test]
async fn injected_texts_wait_offline_like_sent_ones() {
    let env = Env::start().await;
    env.register(&["alice"]).await;
    env.register(&["bob"]).await;
    let first = env.emu.easemob_inject_text("alice", "bob", "one").unwrap();
    let second = env.emu.easemob_inject_text("Alice", "bob", "two").unwrap();
    assert_eq!(first.to_string().len(), 19);
    assert!(first < second);

    let mut bob = env.online("bob", "webim_web_b").await;
    let unread = bob.unread().await;
    assert_eq!(unread.unread.len(), 1, "{unread:?}");
    assert_eq!(unread.unread[0].queue.as_ref().unwrap().name.as_deref(), Some("alice"));
    assert_eq!(unread.unread[0].n, Some(2));
    let dl = bob.pull("alice").await;
    assert_eq!(dl.is_last, Some(true));
    assert_eq!(dl.metas.iter().map(|m| m.id).collect::<Vec<_>>(), vec![Some(first), Some(second)]);
    let texts: Vec<Option<String>> =
        dl.metas.iter().map(|m| m.message_body().unwrap().text().map(str::to_owned)).collect();
    assert_eq!(texts, vec![Some("one".to_owned()), Some("two".to_owned())]);
    let meta = &dl.metas[0];
    assert_eq!(meta.ns, Some(link::meta::NameSpace::Chat as i32));
    assert_eq!(meta.timestamp, Some(T0 * 1000));
    assert_eq!(meta.from.as_ref().unwrap().name.as_deref(), Some("alice"));
    assert_eq!(meta.to.as_ref().unwrap().name.as_deref(), Some("bob"));
    let body = meta.message_body().unwrap();
    assert_eq!(body.r#type, Some(message_body::Type::Chat as i32));
    assert_eq!(body.to.as_ref().and_then(|j| j.name.as_deref()), Some("bob"));
    assert!(bob.pull("alice").await.metas.is_empty());

    // Online: NOTICEd and pulled at once, nothing kept for a later login.
    let live = env.emu.easemob_inject_text("alice", "bob", "live").unwrap();
    assert_eq!(bob.expect_notice().await, "alice");
    assert_eq!(bob.pull("alice").await.metas.iter().map(|m| m.id).collect::<Vec<_>>(), vec![Some(live)]);
    let mut bob2 = env.online("bob", "webim_web_c").await;
    assert!(bob2.unread().await.unread.is_empty());

    // Unknown users are refused, and nothing is stored.
    assert!(env.emu.easemob_inject_text("nobody", "bob", "x").is_err());
    assert!(env.emu.easemob_inject_text("alice", "nobody", "x").is_err());
    assert!(bob.unread().await.unread.is_empty());
    let tencent = Emulator::start(EmulatorConfig::tencent()).await.unwrap();
    assert!(tencent.easemob_inject_text("alice", "bob", "x").is_err());
}

#[tokio::test]
async fn rest_disconnect_kicks_with_operation_4() {
    let env = Env::start().await;
    env.register(&["alice"]).await;
    let mut c = env.online("alice", "r").await;
    let (code, reply) = env.app("GET", "/users/alice/disconnect", None).await;
    assert_eq!(code, 200, "{reply}");
    assert_eq!(c.expect_kick().await.0, op(statistics_body::Operation::UserKickedByOtherDevice));
    assert!(env.emu.engine().links_of("alice").is_empty());
}

#[tokio::test]
async fn a_password_change_kicks_with_operation_3() {
    let env = Env::start().await;
    env.register(&["alice"]).await;
    let mut c = env.online("alice", "r").await;
    let (code, reply) = env.app("PUT", "/users/alice/password", Some(json!({"newpassword": "pw2"}))).await;
    assert_eq!(code, 200, "{reply}");
    assert_eq!(c.expect_kick().await.0, op(statistics_body::Operation::UserKickedByChangePassword));
}

#[tokio::test]
async fn a_deletion_kicks_with_operation_1() {
    let env = Env::start().await;
    env.register(&["alice"]).await;
    let mut c = env.online("alice", "r").await;
    let (code, reply) = env.app("DELETE", "/users/alice", None).await;
    assert_eq!(code, 200, "{reply}");
    assert_eq!(c.expect_kick().await.0, op(statistics_body::Operation::UserRemoved));
}

#[tokio::test]
async fn an_unpulled_kick_still_closes() {
    let env = Env::start().await;
    env.register(&["alice"]).await;
    let mut c = env.online("alice", "r").await;
    env.app("GET", "/users/alice/disconnect", None).await;
    assert_eq!(c.expect_notice().await, "admin");
    // The client never pulls: the face closes after its grace period (2 s).
    c.expect_closed().await;
}

#[tokio::test]
async fn a_fifth_web_device_kicks_the_oldest_web_device_only() {
    let env = Env::start().await;
    env.register(&["alice"]).await;
    let mut devices = Vec::new();
    for i in 1..=4 {
        devices.push(env.online("alice", &format!("webim_web_{i}")).await);
    }
    let mut fifth = env.online("alice", "webim_web_5").await;
    let (operation, reason) = devices[0].expect_kick().await;
    assert_eq!(operation, op(statistics_body::Operation::UserLoginAnotherDevice));
    assert_eq!(reason.as_deref(), Some("webim"), "the kicking device's name");
    for d in &mut devices[1..] {
        assert!(d.unread().await.unread.is_empty(), "still logged in");
    }
    assert!(fifth.unread().await.unread.is_empty());
    let mut left: Vec<String> = env.emu.engine().links_of("alice").into_iter().filter_map(|l| l.device.id).collect();
    left.sort();
    assert_eq!(left, ["webim_web_2", "webim_web_3", "webim_web_4", "webim_web_5"]);
}

#[tokio::test]
async fn the_same_resource_replaces_its_old_socket_quietly() {
    let env = Env::start().await;
    env.register(&["alice"]).await;
    let mut old = env.online("alice", "r").await;
    let _new = env.online("alice", "r").await;
    old.expect_closed().await;
    assert_eq!(env.emu.engine().links_of("alice").len(), 1);
}

#[tokio::test]
async fn a_drop_closes_without_a_close_frame() {
    let env = Env::start().await;
    env.register(&["alice"]).await;
    let mut c = env.online("alice", "r").await;
    assert_eq!(env.emu.engine().drop_links("alice"), 1);
    match c.next_message().await {
        None
        | Some(Err(tungstenite::Error::Protocol(tungstenite::error::ProtocolError::ResetWithoutClosingHandshake))) => {}
        Some(Err(tungstenite::Error::Io(_))) => {}
        other => panic!("expected the connection to vanish, got {other:?}"),
    }
}

#[tokio::test]
async fn refused_connections_get_503_and_are_counted() {
    let env = Env::start().await;
    let before = env.emu.faults().connection_attempts();
    env.emu.faults().refuse_connections(true);
    let url = env.emu.easemob().unwrap().ws_url.clone();
    match tokio_tungstenite::connect_async(url.as_str()).await {
        Err(tungstenite::Error::Http(resp)) => assert_eq!(resp.status(), 503),
        other => panic!("expected HTTP 503, got {:?}", other.map(|_| ())),
    }
    assert_eq!(env.emu.faults().connection_attempts(), before + 1);
    env.emu.faults().refuse_connections(false);
    let _c = env.connect().await;
    assert_eq!(env.emu.faults().connection_attempts(), before + 2);
}

#[tokio::test]
async fn logout_ends_the_login_and_later_messages_wait_offline() {
    let env = Env::start().await;
    env.register(&["alice"]).await;
    env.register(&["bob"]).await;
    let mut bob = env.online("bob", "rb").await;
    bob.send(&MSync::with_payload(msync::Command::Logout, &link::Logout::default())).await;
    // The face handles frames in order, so once it answered a ping sent after
    // the LOGOUT, bob is offline.
    bob.ws.send(Message::Ping(b"sync".to_vec().into())).await.unwrap();
    loop {
        match tokio::time::timeout(WAIT, bob.ws.next()).await.expect("a pong in time") {
            Some(Ok(Message::Pong(_))) => break,
            Some(Ok(_)) => continue,
            other => panic!("expected a pong, got {other:?}"),
        }
    }
    assert!(env.emu.engine().links_of("bob").is_empty());
    let mut alice = env.online("alice", "ra").await;
    alice.text("alice", "bob", "later").await;
    let mut back = env.online("bob", "rb").await;
    assert_eq!(back.unread().await.unread.len(), 1);
}

#[tokio::test]
async fn the_senders_other_devices_get_a_copy() {
    let env = Env::start().await;
    env.register(&["alice"]).await;
    env.register(&["bob"]).await;
    let mut phone = env.online("alice", "webim_web_1").await;
    let mut laptop = env.online("alice", "webim_web_2").await;
    let mut bob = env.online("bob", "webim_web_b").await;
    let server_id = phone.text("alice", "bob", "hi").await.server_id;

    assert_eq!(laptop.expect_notice().await, "bob");
    let copy = laptop.pull("bob").await;
    assert_eq!(copy.metas.iter().map(|m| m.id).collect::<Vec<_>>(), vec![server_id]);
    let from = copy.metas[0].from.as_ref().unwrap();
    assert_eq!((from.name.as_deref(), from.client_resource.as_deref()), (Some("alice"), Some("webim_web_1")));
    assert_eq!(bob.expect_notice().await, "alice");
    assert_eq!(bob.pull("alice").await.metas.len(), 1);
    // The sending device itself gets no copy.
    assert!(phone.unread().await.unread.is_empty());
}

#[tokio::test]
async fn a_kick_by_a_new_login_carries_its_custom_text() {
    let env = Env::start().await;
    env.register(&["alice"]).await;
    let mut first = env.online("alice", "webim_web_1").await;
    let mut others = Vec::new();
    for i in 2..=4 {
        others.push(env.online("alice", &format!("webim_web_{i}")).await);
    }
    let token = env.token("alice", Some(3600)).await;
    let mut c = env.connect().await;
    let provision = Provision { reason: Some("moved to the kiosk".into()), ..Provision::login("webim_web_5", &token) };
    let guid = Jid::user(env.app_key(), "alice").with_resource("webim_web_5");
    c.send(&MSync::provision_request(guid, &token, &provision)).await;
    assert!(c.frame().await.provision_status().unwrap().is_ok());
    let (operation, reason) = first.expect_kick().await;
    assert_eq!(operation, op(statistics_body::Operation::UserLoginAnotherDevice));
    assert_eq!(reason.as_deref(), Some("moved to the kiosk"));
}

#[tokio::test]
async fn a_held_login_stays_unanswered_until_released() {
    let env = Env::start().await;
    env.register(&["alice"]).await;
    let token = env.token("alice", Some(3600)).await;
    let mut c = env.connect().await;
    env.emu.faults().hold_logins();
    let guid = Jid::user(env.app_key(), "alice").with_resource("r");
    c.send(&MSync::provision_request(guid, &token, &Provision::login("r", &token))).await;
    // A ping sent after the login is answered first: the login is still held.
    c.ws.send(Message::Ping(b"held".to_vec().into())).await.unwrap();
    match tokio::time::timeout(WAIT, c.ws.next()).await.expect("a pong in time") {
        Some(Ok(Message::Pong(_))) => {}
        other => panic!("expected a pong before the login reply, got {other:?}"),
    }
    assert!(env.emu.engine().links_of("alice").is_empty());

    env.emu.faults().release_logins();
    assert!(c.frame().await.provision_status().unwrap().is_ok());
    assert_eq!(env.emu.engine().links_of("alice").len(), 1);
}

#[tokio::test]
async fn a_ban_closes_the_socket_and_the_next_login_is_forbidden() {
    let env = Env::start().await;
    env.register(&["alice"]).await;
    let token = env.token("alice", Some(3600)).await;
    let mut c = env.connect().await;
    assert!(c.provision("alice", "r", &token).await.status.unwrap().is_ok());
    let (code, reply) = env.app("POST", "/users/alice/deactivate", None).await;
    assert_eq!(code, 200, "{reply}");
    // No STATISTIC operation means a ban: the socket just closes...
    c.expect_closed().await;
    // ...and the SDK's reconnect is refused with IM_FORBIDDEN (web type 57).
    let mut again = env.connect().await;
    assert_eq!(again.provision("alice", "r", &token).await.status.unwrap().code(), ErrorCode::ImForbidden as i32);
    again.expect_closed().await;
}
