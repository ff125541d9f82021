//! The Tencent face's web client protocol (`/binfo`, `/info`), driven by a raw
//! WebSocket client that speaks it the way `@tencentcloud/chat` does.

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use unim_core::{Clock, DisconnectReason, ManualClock, Platform};
use unim_emulator::{Emulator, EmulatorConfig};
use unim_tencent::link::Frame;
use unim_tencent::usersig::UserSigKey;

/// How long any single expected frame may take.
const WAIT: Duration = Duration::from_secs(5);

struct Env {
    emu: Emulator,
    clock: ManualClock,
    key: UserSigKey,
    ws_url: String,
    sdkappid: u64,
}

impl Env {
    async fn start() -> Env {
        let clock = ManualClock::at_unix(1_700_000_000);
        let emu = Emulator::start(EmulatorConfig::tencent().with_clock(Arc::new(clock.clone()))).await.unwrap();
        let ep = emu.tencent().unwrap();
        let key = UserSigKey::new(ep.sdkappid, &ep.secret_key);
        let (ws_url, sdkappid) = (ep.ws_url.clone(), ep.sdkappid);
        Env { emu, clock, key, ws_url, sdkappid }
    }

    /// A UserSig for `user` issued now, valid for `expire` seconds.
    fn sig(&self, user: &str, expire: u64) -> String {
        self.key.gen(user, expire, self.clock.unix_secs())
    }

    fn url(&self, path: &str, instance: &str) -> String {
        format!(
            "{}/{path}?sdkappid={}&instanceid={instance}&random=0.42&platform=7&host=unknown&version=-1\
             &sdkversion=3.6.6&compress=gzip",
            self.ws_url, self.sdkappid
        )
    }

    async fn connect(&self, instance: &str) -> Client {
        self.connect_on("binfo", instance).await
    }

    async fn connect_on(&self, path: &str, instance: &str) -> Client {
        let (ws, _) = tokio_tungstenite::connect_async(self.url(path, instance)).await.expect("upgrade");
        Client { ws, seq: 0, sdkappid: self.sdkappid, session: None }
    }

    /// Connects as `instance` and logs `user` in with a fresh one-day UserSig.
    async fn online(&self, user: &str, instance: &str) -> Client {
        let mut c = self.connect(instance).await;
        let reply = c.login(user, &self.sig(user, 86_400)).await;
        assert_eq!(reply.error_code(), 0, "{}", reply.error_info());
        c
    }
}

/// What the login reply gave: sent back in every later head.
struct SessionHead {
    a2: String,
    tinyid: String,
    instid: u64,
}

struct Client {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    seq: u64,
    sdkappid: u64,
    session: Option<SessionHead>,
}

impl Client {
    /// Sends a request the way the SDK does (binary UTF-8 JSON); returns its seq.
    async fn send(&mut self, servcmd: &str, body: Value, extra_head: Value) -> u64 {
        self.seq += 1;
        let mut head = json!({
            "ver": "v4", "platform": 7, "websdkappid": 537048168, "websdkversion": "1.7.3",
            "sdkappid": self.sdkappid, "contenttype": "json", "reqtime": 1_700_000_000, "servcmd": servcmd,
            "seq": self.seq, "status_instid": 0,
        });
        if let Some(s) = &self.session {
            head["a2"] = json!(s.a2);
            head["tinyid"] = json!(s.tinyid);
            head["status_instid"] = json!(s.instid);
        }
        if let (Some(head), Value::Object(extra)) = (head.as_object_mut(), extra_head) {
            head.extend(extra);
        }
        let bytes = serde_json::to_vec(&json!({ "head": head, "body": body })).unwrap();
        self.ws.send(Message::Binary(bytes.into())).await.unwrap();
        self.seq
    }

    /// The next raw WebSocket message (pings skipped); `None` when the stream ended.
    async fn next_message(&mut self) -> Option<Result<Message, tungstenite::Error>> {
        loop {
            let msg = tokio::time::timeout(WAIT, self.ws.next()).await.expect("no frame in time");
            match msg {
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                other => return other,
            }
        }
    }

    /// The next protocol frame.
    async fn frame(&mut self) -> Frame {
        match self.next_message().await {
            Some(Ok(Message::Binary(bytes))) => Frame::decode(&bytes).expect("a frame"),
            other => panic!("expected a binary frame, got {other:?}"),
        }
    }

    /// Sends a request and returns its reply, which must be the next frame.
    async fn call(&mut self, servcmd: &str, body: Value) -> Frame {
        let seq = self.send(servcmd, body, json!({})).await;
        let reply = self.frame().await;
        assert_eq!((reply.head.servcmd.as_str(), reply.head.seq), (servcmd, seq), "reply matches the request");
        reply
    }

    /// Sends `wslogin` with `user` and `sig`; remembers A2/TinyId/InstId on success.
    async fn send_login(&mut self, user: &str, sig: &str) -> u64 {
        let body = json!({ "State": "Online", "is_web_uniapp": 0, "InstType": 0, "CustomInfo": "" });
        self.send("im_open_status.wslogin", body, json!({ "identifier": user, "usersig": sig })).await
    }

    fn remember(&mut self, reply: &Frame) {
        if reply.error_code() == 0 {
            self.session = Some(SessionHead {
                a2: reply.body["A2Key"].as_str().unwrap().to_owned(),
                tinyid: reply.body["TinyId"].as_str().unwrap().to_owned(),
                instid: reply.body["InstId"].as_u64().unwrap(),
            });
        }
    }

    async fn login(&mut self, user: &str, sig: &str) -> Frame {
        let seq = self.send_login(user, sig).await;
        let reply = self.frame().await;
        assert_eq!((reply.head.servcmd.as_str(), reply.head.seq), ("im_open_status.wslogin", seq));
        self.remember(&reply);
        reply
    }

    /// The server closed with a close frame, then the stream ended.
    async fn expect_closed(&mut self) {
        match self.next_message().await {
            Some(Ok(Message::Close(_))) => {}
            other => panic!("expected a close frame, got {other:?}"),
        }
        match self.next_message().await {
            None | Some(Err(_)) => {}
            other => panic!("expected the end of the stream, got {other:?}"),
        }
    }
}

fn c2c_text(from: &str, to: &str, seq: u64, random: u64, text: &str) -> Value {
    json!({
        "From_Account": from, "To_Account": to, "MsgSeq": seq, "MsgRandom": random,
        "MsgBody": [{ "MsgType": "TIMTextElem", "MsgContent": { "Text": text } }],
        "CloudCustomData": "", "MsgClientTime": 1_700_000_000, "IsNeedReadReceipt": 0,
    })
}

#[tokio::test]
async fn login_reply_carries_what_the_sdk_needs() {
    let env = Env::start().await;
    let mut c = env.connect("0123456789abcdef0123456789abcdef").await;
    assert_eq!(c.call("heartbeat.alive", json!({})).await.error_code(), 0, "heartbeat before login");

    let reply = c.login("alice", &env.sig("alice", 86_400)).await;
    let b = &reply.body;
    assert_eq!(b["ErrorCode"], 0);
    assert_eq!(b["ErrorInfo"], "");
    assert!(!b["A2Key"].as_str().unwrap().is_empty());
    let tiny = b["TinyId"].as_str().unwrap();
    assert!(!tiny.is_empty() && tiny.bytes().all(|c| c.is_ascii_digit()), "{tiny}");
    let inst = b["InstId"].as_u64().unwrap();
    assert!(inst > 0 && inst < 1 << 53);
    assert!(b["HelloInterval"].as_u64().unwrap() > 0);
    assert_eq!(b["TimeStamp"].as_u64(), Some(1_700_000_000));

    // First login registers; the link is the client instance.
    assert!(env.emu.engine().account("alice").is_some());
    let links = env.emu.engine().links_of("alice");
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].device.platform, Platform::Web);
    assert_eq!(links[0].device.id.as_deref(), Some("0123456789abcdef0123456789abcdef"));

    // The same user gets the same TinyId on another connection.
    let tiny = tiny.to_owned();
    let mut again = env.connect("1123456789abcdef0123456789abcdef").await;
    assert_eq!(again.login("alice", &env.sig("alice", 86_400)).await.body["TinyId"].as_str(), Some(tiny.as_str()));
}

#[tokio::test]
async fn start_up_queries_get_complete_empty_answers() {
    let env = Env::start().await;
    let mut c = env.online("alice", "a0").await;
    for cmd in [
        "profile.portrait_get_all",
        "sns.black_list_get",
        "recentcontact.page_get",
        "group_open_http_svc.get_joined_group_list",
        "million_group_open_http_svc.get_joined_group_list",
        "sns.friend_get",
        "sns.group_get",
        "sns.pendency_get",
        "im_sdk_config_mgr.fetch_config",
        "recentcontact.get_contact_group",
        "im_sdk_config_mgr.fetch_imsdk_purchase_bitsv2",
        "openim.get_peer_read_time",
        "openim.get_c2c_peer_mute_notifications",
        "recentcontact.search_contact_group",
        "no_such_service.no_such_command",
    ] {
        let reply = c.call(cmd, json!({})).await;
        assert_eq!(reply.error_code(), 0, "{cmd}");
        if cmd != "profile.portrait_get_all" {
            // Without it the SDK pages again and again (official-sdks.md 3.3).
            assert_eq!(reply.body["CompleteFlag"], 1, "{cmd}");
        }
    }
    assert_eq!(c.call("imopenstat.tim_web_report_v2", json!({})).await.error_code(), 0);
    assert_eq!(c.call("im_open_status.wshello", json!({})).await.error_code(), 0);
    let sync = c.call("openim.getmsg", json!({ "Cookie": "", "SyncFlag": 0 })).await;
    assert_eq!((sync.error_code(), sync.body["SyncFlag"].as_i64()), (0, Some(2)));
    assert!(!sync.body["Cookie"].as_str().unwrap().is_empty(), "an empty cookie stops the SDK's sync");
    assert_eq!(sync.body["MsgList"], json!([]));
    let blocks = c.call("sns.black_list_get", json!({ "StartIndex": 0 })).await;
    assert_eq!(blocks.body["StartIndex"], 0, "any other StartIndex makes the SDK page forever");
    let profiles = c.call("profile.portrait_get_all", json!({ "UserItem": [{ "To_Account": "alice" }] })).await;
    assert_eq!(profiles.body["UserProfileItem"][0]["To_Account"], "alice");
}

#[tokio::test]
async fn a_usersig_signed_with_another_key_is_70009() {
    let env = Env::start().await;
    let mut c = env.connect("a0").await;
    let forged = UserSigKey::new(env.sdkappid, "not-the-app-key").gen("alice", 86_400, env.clock.unix_secs());
    let reply = c.login("alice", &forged).await;
    assert_eq!(reply.error_code(), 70009);
    assert!(env.emu.engine().links_of("alice").is_empty());
    assert!(env.emu.engine().account("alice").is_none(), "a refused login registers nobody");
}

#[tokio::test]
async fn an_expired_usersig_is_70001() {
    let env = Env::start().await;
    let mut c = env.connect("a0").await;
    let old = env.key.gen("alice", 10, env.clock.unix_secs() - 100);
    assert_eq!(c.login("alice", &old).await.error_code(), 70001);
}

#[tokio::test]
async fn bad_logins_are_refused_with_their_codes() {
    let env = Env::start().await;
    let mut c = env.connect("a0").await;
    assert_eq!(c.login("alice", "").await.error_code(), 70002, "empty UserSig");
    assert_eq!(c.login("alice", "not a usersig").await.error_code(), 70003, "garbage UserSig");
    assert_eq!(c.login("bob", &env.sig("alice", 60)).await.error_code(), 70013, "someone else's UserSig");
    assert_eq!(c.login(&"x".repeat(33), &env.sig(&"x".repeat(33), 60)).await.error_code(), 70402, "bad UserID");
    let seq = c
        .send(
            "im_open_status.wslogin",
            json!({}),
            json!({ "identifier": "alice", "usersig": env.sig("alice", 60),
                                                            "sdkappid": 1_400_009_999u64 }),
        )
        .await;
    let reply = c.frame().await;
    assert_eq!((reply.head.seq, reply.error_code()), (seq, 70014), "another app's SDKAppID");
    // The connection is still usable.
    assert_eq!(c.login("alice", &env.sig("alice", 60)).await.error_code(), 0);
}

#[tokio::test]
async fn requests_need_a_login_and_this_logins_a2() {
    let env = Env::start().await;
    let mut c = env.connect("a0").await;
    // Garbage is ignored: the connection keeps answering.
    c.ws.send(Message::Binary(b"\xff not json".to_vec().into())).await.unwrap();
    c.ws.send(Message::Text("{\"head\":{}}".into())).await.unwrap();
    assert_eq!(c.call("sns.friend_get", json!({})).await.error_code(), 6014);
    assert_eq!(c.call("openim.sendmsg", c2c_text("alice", "bob", 1, 1, "hi")).await.error_code(), 6014);

    let mut c = env.online("alice", "a1").await;
    if let Some(s) = c.session.as_mut() {
        s.a2 = "not-my-a2".into();
    }
    assert_eq!(c.call("sns.friend_get", json!({})).await.error_code(), 20002);
}

#[tokio::test]
async fn injected_errors_answer_the_next_requests() {
    let env = Env::start().await;
    let mut c = env.online("alice", "a0").await;
    env.emu.faults().inject_error(70500, "internal error", 1);
    let reply = c.call("sns.friend_get", json!({})).await;
    assert_eq!((reply.error_code(), reply.error_info()), (70500, "internal error"));
    assert_eq!(c.call("sns.friend_get", json!({})).await.error_code(), 0);
}

#[tokio::test]
async fn a_second_login_kicks_the_first_which_logs_out_and_is_closed() {
    let env = Env::start().await;
    let mut first = env.online("alice", "aaaa").await;
    let mut second = env.online("alice", "bbbb").await;

    let push = first.frame().await;
    assert_eq!((push.head.servcmd.as_str(), push.head.seq), ("im_open_status.stat_forceoffline", 0));
    let notify = &push.body["EventArray"][0]["C2cNotifyMsgArray"][0]["KickoutMsgNotify"];
    assert_eq!(notify["KickType"], 1, "{}", push.body);
    assert!(notify["NewInstInfo"].is_object());

    // Requests now say "kicked" (1002 with the KickType); keep-alives are still answered.
    let reply = first.call("im_open_status.wshello", json!({ "is_web_uniapp": 0 })).await;
    assert_eq!((reply.error_code(), reply.body["KickType"].as_i64()), (1002, Some(1)));
    assert_eq!(first.call("heartbeat.alive", json!({})).await.error_code(), 0);

    // The kicked SDK logs out and waits for the answer; then the server closes.
    assert_eq!(first.call("im_open_status.wslogout", json!({ "wslogout_type": 1 })).await.error_code(), 0);
    first.expect_closed().await;

    assert_eq!(second.call("heartbeat.alive", json!({})).await.error_code(), 0);
    let links = env.emu.engine().links_of("alice");
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].device.id.as_deref(), Some("bbbb"));
}

#[tokio::test]
async fn a_server_kick_is_kick_type_3_and_voids_the_old_usersig() {
    let env = Env::start().await;
    let old_sig = env.sig("alice", 86_400);
    let mut c = env.connect("a0").await;
    assert_eq!(c.login("alice", &old_sig).await.error_code(), 0);
    env.clock.advance(Duration::from_secs(1));
    assert_eq!(env.emu.engine().revoke_and_kick("alice", DisconnectReason::KickedByServer), 1);

    let push = c.frame().await;
    assert_eq!(push.head.servcmd, "im_open_status.stat_forceoffline");
    assert_eq!(push.body["EventArray"][0]["C2cNotifyMsgArray"][0]["KickoutMsgNotify"]["KickType"], 3);
    // The SDK sends no logout for KickType 3: the server closes after a short grace.
    c.expect_closed().await;

    let mut again = env.connect("a0").await;
    assert_eq!(again.login("alice", &old_sig).await.error_code(), 70001, "issued before the kick");
    assert_eq!(again.login("alice", &env.sig("alice", 60)).await.error_code(), 0, "issued after it");
}

#[tokio::test]
async fn a_dropped_link_ends_without_a_close_frame() {
    let env = Env::start().await;
    let mut c = env.online("alice", "a0").await;
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
    match tokio_tungstenite::connect_async(env.url("binfo", "a0")).await {
        Err(tungstenite::Error::Http(resp)) => assert_eq!(resp.status(), 503),
        other => panic!("expected HTTP 503, got {:?}", other.map(|_| ())),
    }
    assert_eq!(env.emu.faults().connection_attempts(), before + 1);
    env.emu.faults().refuse_connections(false);
    let mut c = env.connect("a0").await;
    assert_eq!(env.emu.faults().connection_attempts(), before + 2);
    assert_eq!(c.call("heartbeat.alive", json!({})).await.error_code(), 0);
}

#[tokio::test]
async fn a_held_login_stays_unanswered_until_released() {
    let env = Env::start().await;
    let mut c = env.connect("a0").await;
    env.emu.faults().hold_logins();
    let login_seq = c.send_login("alice", &env.sig("alice", 60)).await;
    // The heartbeat sent after the login is answered first: the login is still held.
    assert_eq!(c.call("heartbeat.alive", json!({})).await.error_code(), 0);
    assert!(env.emu.engine().links_of("alice").is_empty());

    env.emu.faults().release_logins();
    let reply = c.frame().await;
    assert_eq!((reply.head.servcmd.as_str(), reply.head.seq), ("im_open_status.wslogin", login_seq));
    assert_eq!(reply.error_code(), 0);
    assert_eq!(env.emu.engine().links_of("alice").len(), 1);
}

#[tokio::test]
async fn a_message_between_two_links_is_delivered_exactly_once() {
    let env = Env::start().await;
    let mut alice = env.online("alice", "a0").await;
    let mut bob = env.online("bob", "b0").await;

    let reply = alice.call("openim.sendmsg", c2c_text("alice", "bob", 11, 4242, "hello bob")).await;
    assert_eq!(reply.error_code(), 0);
    assert_eq!(reply.body["MsgSeq"], 11);
    let time = reply.body["MsgTime"].as_u64().unwrap();
    assert_eq!(time, 1_700_000_000);

    let push = bob.frame().await;
    assert_eq!((push.head.servcmd.as_str(), push.head.seq), ("im_open_push.msg_push", 0));
    let msg = &push.body["EventArray"][0]["C2cMsgArray"][0];
    assert_eq!(msg["From_Account"], "alice");
    assert_eq!(msg["To_Account"], "bob");
    assert_eq!((msg["MsgSeq"].as_u64(), msg["MsgRandom"].as_u64()), (Some(11), Some(4242)));
    assert_eq!(msg["MsgTimeStamp"].as_u64(), Some(time));
    assert_eq!(msg["MsgBody"][0]["MsgContent"]["Text"], "hello bob");

    // A resend (same sender, MsgRandom, MsgSeq) gets the original answer and is not delivered again.
    env.clock.advance(Duration::from_secs(30));
    let resent = alice.call("openim.sendmsg", c2c_text("alice", "bob", 11, 4242, "hello bob")).await;
    assert_eq!((resent.error_code(), resent.body["MsgTime"].as_u64()), (0, Some(time)));
    // Nothing else is waiting for bob: his next frame is the answer to his own request.
    assert_eq!(bob.call("heartbeat.alive", json!({})).await.error_code(), 0);
    let sync = bob.call("openim.getmsg", json!({ "Cookie": "" })).await;
    assert_eq!(sync.body["MsgList"], json!([]), "an online delivery is not queued");
}

#[tokio::test]
async fn a_message_to_an_unknown_user_is_refused() {
    let env = Env::start().await;
    let mut alice = env.online("alice", "a0").await;
    let reply = alice.call("openim.sendmsg", c2c_text("alice", "nobody", 1, 1, "hi")).await;
    assert_eq!(reply.error_code(), 20003);
    let reply = alice.call("openim.sendmsg", json!({ "MsgRandom": 1, "MsgBody": [] })).await;
    assert_eq!(reply.error_code(), 90003);
}

#[tokio::test]
async fn an_offline_message_is_handed_out_by_getmsg_once() {
    let env = Env::start().await;
    env.emu.engine().create_account("bob", None, None);
    let mut alice = env.online("alice", "a0").await;
    let reply = alice.call("openim.sendmsg", c2c_text("alice", "bob", 5, 77, "while you were out")).await;
    assert_eq!(reply.error_code(), 0);

    let mut bob = env.online("bob", "b0").await;
    let sync = bob.call("openim.getmsg", json!({ "Cookie": "", "SyncFlag": 0 })).await;
    assert_eq!((sync.error_code(), sync.body["SyncFlag"].as_i64()), (0, Some(2)));
    let list = sync.body["MsgList"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["From_Account"], "alice");
    assert_eq!(list[0]["MsgBody"][0]["MsgContent"]["Text"], "while you were out");

    let again = bob.call("openim.getmsg", json!({ "Cookie": sync.body["Cookie"].clone() })).await;
    assert_eq!(again.body["MsgList"], json!([]));
}

#[tokio::test]
async fn after_the_usersig_expires_a_heartbeat_gets_70001() {
    let env = Env::start().await;
    let mut c = env.connect("a0").await;
    assert_eq!(c.login("alice", &env.sig("alice", 100)).await.error_code(), 0);
    env.clock.advance(Duration::from_secs(100));
    assert_eq!(c.call("heartbeat.alive", json!({})).await.error_code(), 0, "valid at time + expire");
    env.clock.advance(Duration::from_secs(1));
    assert_eq!(c.call("heartbeat.alive", json!({})).await.error_code(), 70001);
    assert_eq!(c.call("sns.friend_get", json!({})).await.error_code(), 70001);
    assert_eq!(c.call("heartbeat.alive", json!({})).await.error_code(), 0, "expiry is reported once to keep-alives");
    assert!(env.emu.engine().links_of("alice").is_empty(), "an expired login is offline");
    // A fresh UserSig on the same connection logs in again.
    assert_eq!(c.login("alice", &env.sig("alice", 100)).await.error_code(), 0);
    assert_eq!(c.call("heartbeat.alive", json!({})).await.error_code(), 0);
}

#[tokio::test]
async fn logout_ends_only_that_session_and_keeps_the_socket() {
    let env = Env::start().await;
    let mut c = env.online("alice", "a0").await;
    let mut other = env.online("bob", "b0").await;
    assert_eq!(
        c.call("im_open_status.wslogout", json!({ "wslogout_type": 0, "is_web_uniapp": 0 })).await.error_code(),
        0
    );
    assert!(env.emu.engine().links_of("alice").is_empty());
    assert_eq!(env.emu.engine().links_of("bob").len(), 1);
    // The SDK keeps the socket and its heartbeats (with the stale A2).
    assert_eq!(c.call("heartbeat.alive", json!({})).await.error_code(), 0);
    // Late requests of the logged-out session are refused, but not as an expiry (70001/20002),
    // which the SDK would report as a kick.
    assert_eq!(c.call("sns.friend_get", json!({})).await.error_code(), 6014);
    // A new login on the same socket works.
    assert_eq!(c.login("alice", &env.sig("alice", 60)).await.error_code(), 0);
    assert_eq!(c.call("sns.friend_get", json!({})).await.error_code(), 0);
    assert_eq!(other.call("sns.friend_get", json!({})).await.error_code(), 0);
}

#[tokio::test]
async fn after_a_drop_the_instance_comes_back_with_its_a2() {
    let env = Env::start().await;
    env.emu.engine().create_account("bob", None, None);
    let mut c = env.online("alice", "0123456789abcdef0123456789abcdef").await;
    let (a2, instid) = {
        let s = c.session.as_ref().unwrap();
        (s.a2.clone(), s.instid)
    };
    assert_eq!(env.emu.engine().drop_links("alice"), 1);
    assert!(matches!(c.next_message().await, None | Some(Err(_))));

    // Same instanceid on a new socket: first the request still pending on the old one, verbatim...
    let mut back = env.connect("0123456789abcdef0123456789abcdef").await;
    back.session = c.session.take();
    let reply = back.call("openim.sendmsg", c2c_text("alice", "bob", 9, 99, "sent during the outage")).await;
    assert_eq!(reply.error_code(), 0, "{}", reply.error_info());
    // ...then the re-login with the A2 (no UserSig); the SDK may send several.
    for _ in 0..2 {
        let reply = back.call("im_open_status.wslogin", json!({ "State": "Online" })).await;
        assert_eq!(reply.error_code(), 0, "{}", reply.error_info());
        assert_eq!(reply.body["A2Key"].as_str(), Some(a2.as_str()));
        assert_eq!(reply.body["InstId"].as_u64(), Some(instid));
    }
    assert_eq!(env.emu.engine().links_of("alice").len(), 1);
    assert_eq!(back.call("heartbeat.alive", json!({})).await.error_code(), 0);
}

#[tokio::test]
async fn a_newer_login_kicks_a_disconnected_session_too() {
    let env = Env::start().await;
    let mut first = env.online("alice", "aaaa").await;
    env.emu.engine().drop_links("alice");
    assert!(matches!(first.next_message().await, None | Some(Err(_))));
    let _second = env.online("alice", "bbbb").await;

    let mut back = env.connect("aaaa").await;
    back.session = first.session.take();
    let reply = back.call("im_open_status.wslogin", json!({ "State": "Online" })).await;
    assert_eq!((reply.error_code(), reply.body["KickType"].as_i64()), (1002, Some(1)));
    let links = env.emu.engine().links_of("alice");
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].device.id.as_deref(), Some("bbbb"));
}

#[tokio::test]
async fn a_push_ack_is_not_answered() {
    let env = Env::start().await;
    let mut c = env.online("alice", "a0").await;
    c.send("openim.ws_msg_push_ack", json!({ "SessionData": "x" }), json!({})).await;
    // The next frame is the answer to the heartbeat, not to the ack.
    assert_eq!(c.call("heartbeat.alive", json!({})).await.error_code(), 0);
}

#[tokio::test]
async fn the_info_path_speaks_text_frames() {
    let env = Env::start().await;
    let mut c = env.connect_on("info", "a0").await;
    c.send("heartbeat.alive", json!({}), json!({})).await;
    match c.next_message().await {
        Some(Ok(Message::Text(text))) => assert_eq!(Frame::decode(text.as_bytes()).unwrap().error_code(), 0),
        other => panic!("expected a text frame, got {other:?}"),
    }
}

fn custom_elem(data: &str) -> Value {
    json!([{ "MsgType": "TIMCustomElem", "MsgContent": { "Data": data, "Desc": "d", "Ext": "", "Sound": "" } }])
}

#[tokio::test]
async fn conversations_unread_read_history_and_delete_over_the_link() {
    let env = Env::start().await;
    env.emu.engine().create_account("bob", None, None);
    let mut alice = env.online("alice", "a0").await;
    for (seq, text) in [(1, "one"), (2, "two"), (3, "three")] {
        assert_eq!(alice.call("openim.sendmsg", c2c_text("alice", "bob", seq, 100 + seq, text)).await.error_code(), 0);
    }
    let mut bob = env.online("bob", "b0").await;
    let sync = bob.call("openim.getmsg", json!({ "Cookie": "" })).await;
    assert_eq!(sync.body["MsgList"].as_array().map(Vec::len), Some(3));
    assert_eq!(sync.body["MsgList"][0]["MsgKey"], "1_101_1700000000");
    assert_eq!(
        sync.body["C2CPairUnreadCount"],
        json!([{ "From_Account": "alice", "UnreadCount": 3, "LastMsgTime": 1_700_000_000u64 }])
    );

    let list =
        bob.call("recentcontact.page_get", json!({ "From_Account": "bob", "TimeStamp": 0, "StartIndex": 0 })).await;
    assert_eq!(list.body["CompleteFlag"], 1);
    let item = &list.body["SessionItem"][0];
    assert_eq!((item["Type"].as_i64(), item["To_Account"].as_str()), (Some(1), Some("alice")));
    assert_eq!(item["UnreadMsgCount"], 3);
    assert_eq!(item["LastMsg"]["MsgBody"][0]["MsgContent"]["Text"], "three");

    let readed = json!({ "C2CMsgReaded": { "Cookie": "", "C2CMsgReadedItem": [{ "To_Account": "alice", "LastedMsgTime": 1_700_000_000u64, "Receipt": 1 }] } });
    assert_eq!(bob.call("openim.msgreaded", readed).await.error_code(), 0);
    let list = bob.call("recentcontact.page_get", json!({ "From_Account": "bob" })).await;
    assert_eq!(list.body["SessionItem"][0]["UnreadMsgCount"], 0);

    let page = bob
        .call("openim.getroammsg", json!({ "Peer_Account": "alice", "MaxCnt": 2, "LastMsgTime": 0, "MsgKey": "" }))
        .await;
    assert_eq!(page.body["Complete"], 0);
    let texts = |p: &Frame| -> Vec<String> {
        p.body["MsgList"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["MsgBody"][0]["MsgContent"]["Text"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(texts(&page), ["two", "three"]);
    assert_eq!(page.body["MsgKey"], "2_102_1700000000");
    let older = json!({ "Peer_Account": "alice", "MaxCnt": 2, "LastMsgTime": page.body["LastMsgTime"], "MsgKey": page.body["MsgKey"] });
    let page = bob.call("openim.getroammsg", older).await;
    assert_eq!((texts(&page), page.body["Complete"].as_i64()), (vec!["one".to_owned()], Some(1)));

    let del = json!({ "From_Account": "bob", "ContactItem": [{ "Type": 1, "To_Account": "alice" }], "ClearRamble": 0 });
    let reply = bob.call("recentcontact.batch_delete", del).await;
    assert_eq!(reply.body["ResultItem"][0]["ResultCode"], 0);
    let list = bob.call("recentcontact.page_get", json!({ "From_Account": "bob" })).await;
    assert_eq!(list.body["SessionItem"], json!([]));
}

#[tokio::test]
async fn a_send_is_copied_to_the_senders_other_devices_but_not_synced_back_to_its_own() {
    let clock = ManualClock::at_unix(1_700_000_000);
    let mut config = EmulatorConfig::tencent().with_clock(Arc::new(clock.clone()));
    if let Some(t) = config.tencent.as_mut() {
        t.policy = unim_emulator::DevicePolicy {
            per_platform: 0,
            per_class: 0,
            total: 0,
            evicted_reason: DisconnectReason::KickedByOtherLogin,
        };
    }
    let emu = Emulator::start(config).await.unwrap();
    let ep = emu.tencent().unwrap();
    let env = Env {
        key: UserSigKey::new(ep.sdkappid, &ep.secret_key),
        ws_url: ep.ws_url.clone(),
        sdkappid: ep.sdkappid,
        emu,
        clock,
    };
    env.emu.engine().create_account("bob", None, None);
    let mut phone = env.online("alice", "a-phone").await;
    let mut desk = env.online("alice", "a-desk").await;
    let reply = phone.call("openim.sendmsg", c2c_text("alice", "bob", 9, 99, "from my phone")).await;
    assert_eq!(reply.error_code(), 0);
    let copy = desk.frame().await;
    assert_eq!(copy.head.servcmd, "im_open_push.msg_push");
    assert_eq!(copy.body["EventArray"][0]["C2cMsgArray"][0]["From_Account"], "alice");
    // The sending device does not get its own message back, neither pushed nor synced.
    let sync = phone.call("openim.getmsg", json!({ "Cookie": "unim-0" })).await;
    assert_eq!(sync.body["MsgList"], json!([]));
    let sync = desk.call("openim.getmsg", json!({ "Cookie": "unim-0" })).await;
    assert_eq!(sync.body["MsgList"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn bodies_are_checked_custom_passes_too_large_and_unknown_elements_do_not() {
    let env = Env::start().await;
    let mut alice = env.online("alice", "a0").await;
    let mut bob = env.online("bob", "b0").await;
    let mut custom = c2c_text("alice", "bob", 1, 1, "");
    custom["MsgBody"] = custom_elem("{\"k\":1}");
    assert_eq!(alice.call("openim.sendmsg", custom).await.error_code(), 0);
    let push = bob.frame().await;
    assert_eq!(push.body["EventArray"][0]["C2cMsgArray"][0]["MsgBody"][0]["MsgContent"]["Data"], "{\"k\":1}");

    let big = c2c_text("alice", "bob", 2, 2, &"x".repeat(12 * 1024 + 1));
    assert_eq!(alice.call("openim.sendmsg", big).await.error_code(), 93000);
    let mut face = c2c_text("alice", "bob", 3, 3, "");
    face["MsgBody"] = json!([{ "MsgType": "TIMFaceElem", "MsgContent": { "Index": 1 } }]);
    assert_eq!(alice.call("openim.sendmsg", face).await.error_code(), 90010);
    let mut empty = c2c_text("alice", "bob", 4, 4, "");
    empty["MsgBody"] = json!([]);
    assert_eq!(alice.call("openim.sendmsg", empty).await.error_code(), 90002);
}
