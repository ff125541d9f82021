//! The NetEase face's web client link (LBS, socket.io 0.9, JSON packets),
//! driven by a raw WebSocket client that speaks it the way
//! `@yxim/nim-web-sdk` does (docs/protocols/netease.md), with the
//! `unim_netease::link` codec. Accounts come from the face's server API.

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::time::{Duration, UNIX_EPOCH};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use unim_core::{Clock, DisconnectReason};
use unim_emulator::{EmulatorConfig, NeteaseEndpoint};
use unim_netease::link::ids::{login as tag, login_port, login_res, msg as msg_tag};
use unim_netease::link::{
    cmd, Command, Frame, Framing, Handshake, Param, Property, Request, Response, SocketIoJson, WireFrame,
};
use unim_netease::sign::{checksum, DynamicToken};

/// How long any single expected frame may take.
const WAIT: Duration = Duration::from_secs(5);
const WEB: i64 = 16;
const ANDROID: i64 = 1;
const SERVER: i64 = 32;

#[allow(dead_code)]
mod common;

use common::Face as Env;

impl Env {
    async fn start() -> Env {
        Env::launch(EmulatorConfig::netease()).await
    }

    fn ep(&self) -> &NeteaseEndpoint {
        self.emulator.netease().unwrap()
    }

    fn now_ms(&self) -> u64 {
        self.clock.now().duration_since(UNIX_EPOCH).unwrap().as_millis() as u64
    }

    /// `POST {rest_url}/{path}` with the four signed headers of the clock's now.
    fn signed(&self, path: &str) -> reqwest::RequestBuilder {
        let ep = self.ep();
        let (nonce, cur_time) = ("n0nce", self.clock.unix_secs().to_string());
        self.http
            .post(format!("{}/{path}", ep.rest_url))
            .header("AppKey", &ep.app_key)
            .header("Nonce", nonce)
            .header("CurTime", &cur_time)
            .header("CheckSum", checksum(&ep.app_secret, nonce, &cur_time))
    }

    /// Sends `req`; the reply's JSON.
    async fn reply_of(req: reqwest::RequestBuilder) -> Value {
        let reply = tokio::time::timeout(WAIT, req.send()).await.expect("REST in time").expect("REST reply");
        reply.json().await.expect("JSON")
    }

    /// A signed server API call `{rest_url}/{path}` with a form body; the reply's JSON.
    async fn rest(&self, path: &str, form: &[(&str, &str)]) -> Value {
        Env::reply_of(self.signed(path).form(form)).await
    }

    /// A signed v2 call `POST {rest_url}/{path}` with a JSON body; the reply's JSON.
    async fn rest_v2(&self, path: &str, body: Value) -> Value {
        Env::reply_of(self.signed(path).json(&body)).await
    }

    async fn create(&self, accid: &str, token: &str) {
        let reply = self.rest("user/create.action", &[("accid", accid), ("token", token), ("name", accid)]).await;
        assert_eq!(reply["code"], 200, "{reply}");
    }

    /// The handshake and the upgrade; the `1::` that must come first is checked.
    async fn connect(&self) -> Client {
        let base = format!("http://{}", self.ep().link);
        let body = self.http.get(format!("{base}/socket.io/1/?t=1")).send().await.unwrap().text().await.unwrap();
        let hs = Handshake::parse(&body).unwrap();
        assert!(hs.offers_websocket() && hs.heartbeat_secs.unwrap() >= 35, "{body}");
        let url = format!("ws://{}/socket.io/1/websocket/{}", self.ep().link, hs.sid);
        let (ws, _) = tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(url.as_str()))
            .await
            .expect("upgrade in time")
            .expect("upgrade");
        let mut c = Client { ws, ser: 0, pushes: Vec::new() };
        match c.frame().await {
            Some(Frame::Connect) => {}
            other => panic!("expected 1:: first, got {other:?}"),
        }
        c
    }

    fn login_property(&self, accid: &str, token: &str, client_type: i64, device_id: &str, session: &str) -> Property {
        Property::new()
            .with(tag::CLIENT_TYPE, client_type)
            .with(tag::OS, "linux")
            .with(tag::APP_LOGIN, 1)
            .with(tag::DEVICE_ID, device_id)
            .with(tag::APP_KEY, self.ep().app_key.clone())
            .with(tag::ACCOUNT, accid)
            .with(tag::SESSION, session)
            .with(tag::TOKEN, token)
    }

    /// Connects and sends a 2_3 login; the reply.
    async fn login(&self, login: Property) -> (Client, Response) {
        let mut c = self.connect().await;
        let reply = c.call(cmd::LOGIN, vec![Param::property(login)]).await;
        (c, reply)
    }

    /// A good login of `accid` (token `pw`) as `client_type` with its own device and session ids.
    async fn online(&self, accid: &str, client_type: i64, instance: &str) -> (Client, Response) {
        let (c, reply) =
            self.login(self.login_property(accid, "pw", client_type, &format!("dev-{instance}"), instance)).await;
        assert_eq!(reply.code, 200, "{reply:?}");
        (c, reply)
    }
}

struct Client {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    ser: u64,
    /// Pushes read while waiting for a reply, oldest first.
    pushes: Vec<Response>,
}

impl Client {
    /// The next socket.io frame; `None` when the socket closed.
    async fn frame(&mut self) -> Option<Frame<Response>> {
        loop {
            let msg = tokio::time::timeout(WAIT, self.ws.next()).await.expect("no frame in time");
            match msg {
                Some(Ok(Message::Text(text))) => {
                    return Some(SocketIoJson.decode_response(&WireFrame::Text(text.to_string())).expect("a frame"))
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return None,
                Some(Ok(other)) => panic!("unexpected frame {other:?}"),
            }
        }
    }

    async fn packet(&mut self) -> Response {
        match self.frame().await {
            Some(Frame::Packet(p)) => p,
            other => panic!("expected a packet, got {other:?}"),
        }
    }

    async fn send(&mut self, command: Command, q: Vec<Param>) -> u64 {
        self.ser += 1;
        let ser = if command == cmd::HEARTBEAT { 0 } else { self.ser };
        self.send_raw(Request::new(command, ser, q)).await;
        ser
    }

    async fn send_raw(&mut self, request: Request) {
        let WireFrame::Text(text) = SocketIoJson.encode_request(&request) else { unreachable!("text framing") };
        self.ws.send(Message::Text(text.into())).await.unwrap();
    }

    /// Sends a request and returns its reply; pushes before it are kept in `pushes`.
    async fn call(&mut self, command: Command, q: Vec<Param>) -> Response {
        let ser = self.send(command, q).await;
        loop {
            let p = self.packet().await;
            if p.ser == Some(ser) && p.command == command {
                return p;
            }
            assert!(p.ser.is_none(), "a reply to another request: {p:?}");
            self.pushes.push(p);
        }
    }

    /// A heartbeat round trip: every push sent before it has arrived after it.
    async fn barrier(&mut self) {
        let reply = self.call(cmd::HEARTBEAT, vec![]).await;
        assert_eq!((reply.code, reply.ser, reply.r.len()), (200, Some(0), 0));
    }

    /// The pushes of `command` received so far (taken).
    fn take(&mut self, command: Command) -> Vec<Response> {
        let (hit, rest) = std::mem::take(&mut self.pushes).into_iter().partition(|p| p.command == command);
        self.pushes = rest;
        hit
    }

    /// The next push (kept pushes first).
    async fn push(&mut self) -> Response {
        if !self.pushes.is_empty() {
            return self.pushes.remove(0);
        }
        let p = self.packet().await;
        assert!(p.ser.is_none(), "expected a push, got {p:?}");
        p
    }

    /// Reads until the server closes the socket; only 2_7 pushes may come first.
    async fn expect_closed(&mut self) {
        while let Some(frame) = self.frame().await {
            match frame {
                Frame::Packet(p) if p.command == cmd::MULTI_PORT_LOGIN => {}
                other => panic!("expected the socket to close, got {other:?}"),
            }
        }
    }

    /// Waits for a 2_5 push (after any 2_7), then the close; `[from, reason, custom, customClientType]`.
    async fn expect_kicked(&mut self) -> (i64, i64, String, i64) {
        let kick = loop {
            let p = self.push().await;
            if p.command == cmd::KICKED {
                break p;
            }
            assert_eq!(p.command, cmd::MULTI_PORT_LOGIN, "{p:?}");
        };
        assert_eq!(kick.code, 200);
        let custom = kick.value(2).unwrap().as_str().unwrap().to_owned();
        let out = (kick.int(0).unwrap(), kick.int(1).unwrap(), custom, kick.int(3).unwrap());
        self.expect_closed().await;
        out
    }

    async fn send_text(&mut self, to: &str, text: &str, id_client: &str) -> Response {
        let msg = Property::new()
            .with(msg_tag::SCENE, 0)
            .with(msg_tag::TO, to)
            .with(msg_tag::TYPE, 0)
            .with(msg_tag::BODY, text)
            .with(msg_tag::ID_CLIENT, id_client);
        self.call(cmd::SEND_MSG, vec![Param::property(msg)]).await
    }
}

fn device_ids(ports: &[Property]) -> Vec<String> {
    ports.iter().map(|p| p.str(login_port::DEVICE_ID).unwrap()).collect()
}

#[tokio::test]
async fn lbs_names_the_link_and_refuses_other_app_keys() {
    let env = Env::start().await;
    let ep = env.ep();
    let conf: Value = env
        .http
        .get(format!("{}?k={}&id=alice&sv=92112", ep.lbs_url, ep.app_key))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(conf["common"]["link"], json!([ep.link]));
    assert_eq!(conf["common"]["link.default"], json!([ep.link]));
    let other: Value =
        env.http.get(format!("{}?k=nope&id=alice", ep.lbs_url)).send().await.unwrap().json().await.unwrap();
    assert_eq!(other, json!({"code": 414, "desc": "appkey"}));
}

#[tokio::test]
async fn handshake_faults_and_unknown_sids() {
    let env = Env::start().await;
    let base = format!("http://{}", env.ep().link);
    let before = env.emulator.faults().connection_attempts();
    env.emulator.faults().refuse_connections(true);
    let refused = env.http.get(format!("{base}/socket.io/1/?t=1")).send().await.unwrap();
    assert_eq!(refused.status().as_u16(), 503);
    env.emulator.faults().refuse_connections(false);
    let _c = env.connect().await;
    assert_eq!(env.emulator.faults().connection_attempts(), before + 2);
    let url = format!("ws://{}/socket.io/1/websocket/never-issued", env.ep().link);
    match tokio_tungstenite::connect_async(url.as_str()).await {
        Err(tungstenite::Error::Http(resp)) => assert_eq!(resp.status().as_u16(), 404),
        other => panic!("an unknown sid must be refused, got {other:?}"),
    }
}

#[tokio::test]
async fn login_ok_then_heartbeat_and_unknown_commands() {
    let env = Env::start().await;
    env.create("alice", "pw").await;
    let (mut c, reply) = env.online("alice", WEB, "a1").await;
    let res = reply.property(0).unwrap();
    assert!(res.str(login_res::CONNECTION_ID).is_some_and(|c| !c.is_empty()), "{res:?}");
    assert_eq!(res.str(login_res::IP).as_deref(), Some("127.0.0.1"));
    assert!(res.int(login_res::PORT).is_some());
    assert!(reply.properties(1).unwrap().is_empty());
    assert_eq!(reply.value(2).unwrap(), &json!({}));
    c.barrier().await;
    let nos = c.call(cmd::NOS_CDN_HOST, vec![]).await;
    assert_eq!((nos.code, nos.r.len()), (200, 0));
    let links = env.emulator.engine().links_of("alice");
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].device.id.as_deref(), Some("a1"), "the engine knows the instance (session tag 26)");
    assert_eq!(links[0].device.platform, unim_core::Platform::Web);
    // getUsers returns the profile.
    let users = c.call(cmd::GET_USERS, vec![Param::str_array(["alice", "nobody"])]).await;
    let users = users.properties(0).unwrap();
    assert_eq!(users.len(), 1);
    assert_eq!((users[0].str(1).as_deref(), users[0].str(3).as_deref()), (Some("alice"), Some("alice")));
}

#[tokio::test]
async fn refused_logins_get_their_code_and_a_close() {
    let env = Env::start().await;
    env.create("alice", "pw").await;
    let cases: Vec<(Property, i64)> = vec![
        (env.login_property("alice", "wrong", WEB, "d", "s"), 302),
        (env.login_property("nobody", "pw", WEB, "d", "s"), 302),
        (env.login_property("alice", "pw", WEB, "d", "s").with(tag::APP_KEY, "another-app"), 302),
        (env.login_property("alice", "pw", WEB, "d", "s").with(tag::AUTH_TYPE, 2), 403),
    ];
    for (login, code) in cases {
        let (mut c, reply) = env.login(login).await;
        assert_eq!((reply.code, reply.command), (code, cmd::LOGIN), "{reply:?}");
        c.expect_closed().await;
    }

    // Dynamic tokens: a fresh one logs in; one past its ttl is 302.
    let ep = env.ep();
    let fresh = DynamicToken::mint(&ep.app_key, "alice", env.now_ms(), 600, &ep.app_secret).encode();
    let (_ok, reply) = env.login(env.login_property("alice", &fresh, WEB, "d", "s").with(tag::AUTH_TYPE, 1)).await;
    assert_eq!(reply.code, 200, "{reply:?}");
    let stale = DynamicToken::mint(&ep.app_key, "alice", env.now_ms() - 700_000, 600, &ep.app_secret).encode();
    let (mut c, reply) = env.login(env.login_property("alice", &stale, WEB, "d2", "s2").with(tag::AUTH_TYPE, 1)).await;
    assert_eq!(reply.code, 302);
    c.expect_closed().await;

    let blocked = env.rest("user/block.action", &[("accid", "alice"), ("needkick", "false")]).await;
    assert_eq!(blocked["code"], 200, "{blocked}");
    let (mut c, reply) = env.login(env.login_property("alice", "pw", WEB, "d3", "s3")).await;
    assert_eq!(reply.code, 422);
    c.expect_closed().await;

    let unblocked = env.rest("user/unblock.action", &[("accid", "alice")]).await;
    assert_eq!(unblocked["code"], 200, "{unblocked}");
    env.emulator.faults().inject_error(416, "frequency control", 1);
    let (mut c, reply) = env.login(env.login_property("alice", "pw", WEB, "d4", "s4")).await;
    assert_eq!(reply.code, 416);
    c.expect_closed().await;
}

#[tokio::test]
async fn held_logins_wait_for_release() {
    let env = Env::start().await;
    env.create("alice", "pw").await;
    env.emulator.faults().hold_logins();
    let mut c = env.connect().await;
    let ser = c.send(cmd::LOGIN, vec![Param::property(env.login_property("alice", "pw", WEB, "d", "s"))]).await;
    // Nothing is answered while held: the engine has no link yet.
    assert!(env.emulator.engine().links_of("alice").is_empty());
    env.emulator.faults().release_logins();
    let reply = c.packet().await;
    assert_eq!((reply.command, reply.ser, reply.code), (cmd::LOGIN, Some(ser), 200));
}

#[tokio::test]
async fn sync_pushes_offline_messages_before_sync_done_exactly_once() {
    let env = Env::start().await;
    env.create("alice", "pw").await;
    env.create("bob", "pw").await;
    let (mut alice, _) = env.online("alice", WEB, "a1").await;
    let sent = alice.send_text("bob", "while you were away", "c-1").await;
    assert_eq!(sent.code, 200);
    let injected = env.emulator.netease_inject_text("alice", "bob", "second").unwrap();

    let (mut bob, _) = env.online("bob", WEB, "b1").await;
    let ser = bob.send(cmd::SYNC, vec![Param::property(Property::new().with(2, 0).with(7, 0))]).await;
    let offline = bob.packet().await;
    assert_eq!((offline.command, offline.ser), (cmd::SYNC_OFFLINE_MSGS, None), "4_4 comes before sync done");
    let msgs = offline.properties(0).unwrap();
    let bodies: Vec<String> = msgs.iter().map(|m| m.str(msg_tag::BODY).unwrap()).collect();
    assert_eq!(bodies, ["while you were away", "second"]);
    assert_eq!(msgs[0].str(msg_tag::FROM).as_deref(), Some("alice"));
    assert_eq!(msgs[0].str(msg_tag::ID_SERVER), sent.property(0).unwrap().str(msg_tag::ID_SERVER));
    assert_eq!(msgs[1].str(msg_tag::ID_SERVER).as_deref(), Some(injected.as_str()));
    let done = bob.packet().await;
    assert_eq!((done.command, done.ser, done.code), (cmd::SYNC, Some(ser), 200));
    assert_eq!(done.int(0).unwrap() as u64, env.now_ms());

    // The instance acknowledges the first only (4_5), then its link drops:
    // its re-login's sync brings what it did not acknowledge, once more.
    let ids = |ms: &[Property]| ms.iter().map(|m| m.str(msg_tag::ID_SERVER).unwrap()).collect::<Vec<_>>();
    let ack = |ids: Vec<String>| vec![Param::scalar("Byte", 7), Param::scalar("Byte", 2), Param::str_array(ids)];
    let first = ids(&msgs[..1]);
    assert_eq!(bob.call(cmd::BATCH_MARK_READ, ack(first)).await.code, 200);
    drop(bob);
    let (mut again, _) = env.online("bob", WEB, "b1").await;
    let done = again.call(cmd::SYNC, vec![Param::property(Property::new())]).await;
    assert_eq!(done.code, 200);
    let resent = again.take(cmd::SYNC_OFFLINE_MSGS);
    assert_eq!(resent.len(), 1, "{resent:?}");
    let resent = resent[0].properties(0).unwrap();
    assert_eq!(ids(&resent), ids(&msgs[1..]));
    assert_eq!(again.call(cmd::BATCH_MARK_READ, ack(ids(&resent))).await.code, 200);
    drop(again);
    // Everything acknowledged: nothing is delivered twice.
    let (mut third, _) = env.online("bob", WEB, "b1").await;
    assert_eq!(third.call(cmd::SYNC, vec![Param::property(Property::new())]).await.code, 200);
    assert!(third.pushes.is_empty(), "{:?}", third.pushes);
}

#[tokio::test]
async fn p2p_text_reaches_each_link_once_and_the_senders_other_device() {
    let env = Env::start().await;
    env.create("alice", "pw").await;
    env.create("bob", "pw").await;
    let (mut alice_web, _) = env.online("alice", WEB, "aw").await;
    let (mut alice_phone, _) = env.online("alice", ANDROID, "ap").await;
    let (mut bob, _) = env.online("bob", WEB, "bw").await;
    alice_web.barrier().await;
    alice_web.take(cmd::MULTI_PORT_LOGIN);

    let reply = alice_web.send_text("bob", "hi bob", "cli-1").await;
    assert_eq!(reply.code, 200);
    let stamped = reply.property(0).unwrap();
    let id_server = stamped.str(msg_tag::ID_SERVER).unwrap();
    assert!(stamped.int(msg_tag::TIME).is_some());
    assert_eq!(stamped.str(msg_tag::FROM).as_deref(), Some("alice"));

    // A resend (same idClient) is answered with the same message and not delivered again.
    let resent = alice_web.send_text("bob", "hi bob", "cli-1").await;
    assert_eq!(resent.property(0).unwrap().str(msg_tag::ID_SERVER).as_deref(), Some(id_server.as_str()));

    bob.barrier().await;
    let got = bob.take(cmd::MSG);
    assert_eq!(got.len(), 1, "{got:?}");
    let m = got[0].property(0).unwrap();
    assert_eq!(m.str(msg_tag::BODY).as_deref(), Some("hi bob"));
    assert_eq!(m.str(msg_tag::FROM).as_deref(), Some("alice"));
    assert_eq!(m.int(msg_tag::FROM_CLIENT_TYPE), Some(WEB));
    assert_eq!(m.str(msg_tag::FROM_DEVICE_ID).as_deref(), Some("dev-aw"));
    assert_eq!(m.str(msg_tag::ID_SERVER).as_deref(), Some(id_server.as_str()));
    assert!(bob.pushes.is_empty(), "{:?}", bob.pushes);

    alice_phone.barrier().await;
    let copies = alice_phone.take(cmd::SYNC_SEND_MSG);
    assert_eq!(copies.len(), 1, "{:?}", alice_phone.pushes);
    assert_eq!(copies[0].property(0).unwrap().str(msg_tag::ID_SERVER).as_deref(), Some(id_server.as_str()));
    assert!(alice_phone.take(cmd::MSG).is_empty());
    alice_web.barrier().await;
    assert!(alice_web.pushes.is_empty(), "the sending link gets no copy: {:?}", alice_web.pushes);

    // And back.
    let back = bob.send_text("alice", "hi alice", "cli-2").await;
    assert_eq!(back.code, 200);
    for c in [&mut alice_web, &mut alice_phone] {
        c.barrier().await;
        let got = c.take(cmd::MSG);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].property(0).unwrap().str(msg_tag::BODY).as_deref(), Some("hi alice"));
    }

    let nobody = bob.send_text("nobody", "?", "cli-3").await;
    assert_eq!(nobody.code, 404);
}

#[tokio::test]
async fn desktop_and_mobile_coexist_and_a_second_mobile_evicts_the_first() {
    let env = Env::start().await;
    env.create("carol", "pw").await;
    let (mut web, _) = env.online("carol", WEB, "w").await;
    let (mut phone, reply) = env.online("carol", ANDROID, "p1").await;
    assert_eq!(device_ids(&reply.properties(1).unwrap()), ["dev-w"], "loginPorts lists the other client");
    let came = web.push().await;
    assert_eq!((came.command, came.int(0).unwrap()), (cmd::MULTI_PORT_LOGIN, 2));
    let port = &came.properties(1).unwrap()[0];
    assert_eq!(
        (port.int(login_port::TYPE), port.str(login_port::DEVICE_ID).as_deref()),
        (Some(ANDROID), Some("dev-p1"))
    );
    assert_eq!(port.str(login_port::ACCOUNT).as_deref(), Some("carol"));

    let (_phone2, reply) = env.online("carol", ANDROID, "p2").await;
    assert_eq!(device_ids(&reply.properties(1).unwrap()), ["dev-w"], "the evicted phone is not listed");
    assert_eq!(phone.expect_kicked().await, (ANDROID, 1, String::new(), 0));
    web.barrier().await;
    let changes: Vec<(i64, Vec<String>)> = web
        .take(cmd::MULTI_PORT_LOGIN)
        .iter()
        .map(|p| (p.int(0).unwrap(), device_ids(&p.properties(1).unwrap())))
        .collect();
    assert!(changes.contains(&(2, vec!["dev-p2".into()])), "{changes:?}");
    assert!(changes.contains(&(3, vec!["dev-p1".into()])), "{changes:?}");
    assert_eq!(env.emulator.engine().links_of("carol").len(), 2);

    // A second web client evicts the first web client, naming Web.
    let (_web2, _) = env.online("carol", WEB, "w2").await;
    assert_eq!(web.expect_kicked().await, (WEB, 1, String::new(), 0));

    // The evicted phone may not come back automatically (417), only by a manual login.
    let auto = env.login_property("carol", "pw", ANDROID, "dev-p1", "p1").with(tag::APP_LOGIN, 0);
    let (mut c, reply) = env.login(auto).await;
    assert_eq!(reply.code, 417);
    c.expect_closed().await;
    let (_back, reply) = env.login(env.login_property("carol", "pw", ANDROID, "dev-p1", "p1")).await;
    assert_eq!(reply.code, 200);
}

#[tokio::test]
async fn the_same_instance_reconnecting_replaces_its_old_link_quietly() {
    let env = Env::start().await;
    env.create("dave", "pw").await;
    let (mut old, _) = env.online("dave", WEB, "same").await;
    let (_new, reply) = env.online("dave", WEB, "same").await;
    assert!(reply.properties(1).unwrap().is_empty());
    old.expect_closed().await;
    assert_eq!(env.emulator.engine().links_of("dave").len(), 1);
}

#[tokio::test]
async fn bans_kick_with_reason_2_from_the_server() {
    let env = Env::start().await;
    env.create("erin", "pw").await;
    let (mut c, _) = env.online("erin", WEB, "e1").await;
    let reply =
        env.rest("user/block.action", &[("accid", "erin"), ("needkick", "true"), ("kickNotifyExt", "bye")]).await;
    assert_eq!(reply["code"], 200, "{reply}");
    assert_eq!(c.expect_kicked().await, (SERVER, 2, "bye".into(), 0));

    env.rest("user/unblock.action", &[("accid", "erin")]).await;
    let (mut c, _) = env.online("erin", ANDROID, "e2").await;
    assert_eq!(env.emulator.engine().kick_user("erin", DisconnectReason::Banned), 1);
    let (from, reason, _, _) = c.expect_kicked().await;
    assert_eq!((from, reason), (SERVER, 2));
}

#[tokio::test]
async fn v2_kick_picks_clients_by_their_device_id_and_carries_the_extension() {
    let env = Env::start().await;
    env.create("gil", "pw").await;
    let (mut web, _) = env.online("gil", WEB, "w").await;
    let (mut phone, _) = env.online("gil", ANDROID, "p").await;
    let kick = |body: Value| env.rest_v2("im/v2/accounts/gil/actions/kick", body);

    let reply = kick(json!({"type": 3, "device_id_list": ["dev-w"], "kick_notify_extension": "not you"})).await;
    assert_eq!(reply["data"]["kicked_device_ids"], json!(["dev-p"]), "{reply}");
    assert_eq!(phone.expect_kicked().await, (SERVER, 2, "not you".into(), 0));

    let reply = kick(json!({"type": 2, "device_id_list": ["dev-nobody"]})).await;
    assert_eq!(reply["data"]["kicked_device_ids"], json!([]), "{reply}");
    let reply = kick(json!({"type": 2, "device_id_list": ["dev-w"]})).await;
    assert_eq!(reply["data"]["kicked_device_ids"], json!(["dev-w"]), "{reply}");
    assert_eq!(web.expect_kicked().await, (SERVER, 2, String::new(), 0));
    assert!(env.emulator.engine().links_of("gil").is_empty());
}

#[tokio::test]
async fn kick_by_device_id_uses_reason_3_and_names_the_kicker() {
    let env = Env::start().await;
    env.create("fay", "pw").await;
    let (mut web, _) = env.online("fay", WEB, "w").await;
    let (mut phone, _) = env.online("fay", ANDROID, "p").await;
    let reply = web.call(cmd::KICK, vec![Param::str_array(["dev-p", "dev-unknown"])]).await;
    assert_eq!((reply.code, reply.value(0).unwrap()), (200, &json!(["dev-p"])));
    assert_eq!(phone.expect_kicked().await, (WEB, 3, String::new(), 0));
    web.barrier().await;
    let gone: Vec<(i64, Vec<String>)> = web
        .take(cmd::MULTI_PORT_LOGIN)
        .iter()
        .map(|p| (p.int(0).unwrap(), device_ids(&p.properties(1).unwrap())))
        .collect();
    assert_eq!(gone, vec![(2, vec!["dev-p".to_string()]), (3, vec!["dev-p".to_string()])]);
    assert_eq!(env.emulator.engine().links_of("fay").len(), 1);
}

#[tokio::test]
async fn logout_answers_then_closes_and_tells_the_others() {
    let env = Env::start().await;
    env.create("gus", "pw").await;
    let (mut web, _) = env.online("gus", WEB, "w").await;
    let (mut phone, _) = env.online("gus", ANDROID, "p").await;
    let reply = phone.call(cmd::LOGOUT, vec![]).await;
    assert_eq!((reply.code, reply.r.len()), (200, 0));
    phone.expect_closed().await;
    web.barrier().await;
    let changes: Vec<i64> = web.take(cmd::MULTI_PORT_LOGIN).iter().map(|p| p.int(0).unwrap()).collect();
    assert_eq!(changes, [2, 3]);
    assert_eq!(env.emulator.engine().links_of("gus").len(), 1);
}

#[tokio::test]
async fn a_dropped_link_closes_without_goodbye() {
    let env = Env::start().await;
    env.create("hal", "pw").await;
    let (mut c, _) = env.online("hal", WEB, "h").await;
    assert_eq!(env.emulator.engine().drop_links("hal"), 1);
    assert!(c.frame().await.is_none(), "no 0:: and no 2_5 on a drop");
}

#[tokio::test]
async fn garbage_is_ignored_and_requests_before_a_login_are_refused() {
    let env = Env::start().await;
    env.create("ivy", "pw").await;
    let mut c = env.connect().await;
    c.ws.send(Message::Text("3:::{oops".into())).await.unwrap();
    c.ws.send(Message::Text("5:::{\"name\":\"event\"}".into())).await.unwrap();
    let early = c.send_text("ivy", "too early", "c-0").await;
    assert_eq!(early.code, 403);
    c.barrier().await;
    let login = c.call(cmd::LOGIN, vec![Param::property(env.login_property("ivy", "pw", WEB, "d", "s"))]).await;
    assert_eq!(login.code, 200);
    let time = c.call(Command::new(6, 23), vec![]).await;
    assert_eq!(time.int(0).unwrap() as u64, env.now_ms());
}

/// 7_6 pages the pair's history by (endTime, lastMsgId); 7_19 lists the
/// server sessions with lastMsg; 7_16 clears the engine's unread count;
/// 7_22 removes a session, which a new message brings back.
#[tokio::test]
async fn history_sessions_mark_read_and_delete_follow_the_engine() {
    let env = Env::start().await;
    env.create("alice", "pw").await;
    env.create("bob", "pw").await;
    let (mut alice, _) = env.online("alice", WEB, "a1").await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let reply = alice.send_text("bob", &format!("h{i}"), &format!("c{i}")).await;
        ids.push(reply.property(0).unwrap().str(msg_tag::ID_SERVER).unwrap());
    }
    let (mut bob, _) = env.online("bob", WEB, "b1").await;
    let history = |end: u64, last: &str, limit: i64| {
        vec![
            Param::scalar("String", "alice"),
            Param::scalar("Long", 0),
            Param::scalar("Long", end),
            Param::scalar("Long", last.parse::<u64>().unwrap_or(0)),
            Param::scalar("Int", limit),
            Param::scalar("bool", false),
            Param::str_array(Vec::<String>::new()),
        ]
    };
    let page = bob.call(cmd::GET_HISTORY_MSGS, history(0, "", 2)).await;
    let msgs = page.properties(0).unwrap();
    let got: Vec<String> = msgs.iter().map(|m| m.str(msg_tag::ID_SERVER).unwrap()).collect();
    assert_eq!(got, [ids[4].clone(), ids[3].clone()], "newest first");
    let oldest = &msgs[1];
    let end = oldest.int(msg_tag::TIME).unwrap() as u64;
    let page = bob.call(cmd::GET_HISTORY_MSGS, history(end, &ids[3], 10)).await;
    let got: Vec<String> = page.properties(0).unwrap().iter().map(|m| m.str(msg_tag::ID_SERVER).unwrap()).collect();
    assert_eq!(got, [ids[2].clone(), ids[1].clone(), ids[0].clone()], "each once");
    assert_eq!(bob.call(cmd::GET_HISTORY_MSGS, history(0, "", 101)).await.code, 414);

    let reply = sessions(&mut bob).await;
    let list = reply.properties(1).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].str(1).as_deref(), Some("p2p|alice"));
    let last: Value = serde_json::from_str(&list[0].str(4).unwrap()).unwrap();
    assert_eq!(last["12"].as_str(), Some(ids[4].as_str()));
    assert_eq!(reply.property(0).unwrap().int(5), Some(0), "hasMore");
    assert_eq!(env.emulator.engine().conversations("bob")[0].unread, 5);

    let ack = vec![Param::scalar("Byte", 0), Param::scalar("String", "alice"), Param::scalar("Long", env.now_ms())];
    assert_eq!(bob.call(cmd::MARK_SESSION_ACK, ack).await.code, 200);
    assert_eq!(env.emulator.engine().conversations("bob")[0].unread, 0);

    let gone = vec![Param::property_array(vec![Property::new().with(1, "p2p|alice")])];
    assert_eq!(bob.call(cmd::DELETE_SERVER_SESSIONS, gone).await.code, 200);
    assert!(sessions(&mut bob).await.properties(1).unwrap().is_empty());
    assert_eq!(sessions(&mut alice).await.properties(1).unwrap().len(), 1, "alice keeps hers");
    // Team sessions are deletable too; one bob does not have changes nothing.
    let team = vec![Param::property_array(vec![Property::new().with(1, "team|1")])];
    assert_eq!(bob.call(cmd::DELETE_SERVER_SESSIONS, team).await.code, 200);
    assert_eq!(sessions(&mut alice).await.properties(1).unwrap().len(), 1);
    alice.send_text("bob", "back", "c9").await;
    assert_eq!(sessions(&mut bob).await.properties(1).unwrap().len(), 1);
}

/// 7_19 with no time bounds, the last messages, up to 100 sessions.
async fn sessions(c: &mut Client) -> Response {
    let req = Property::new().with(1, 0).with(2, 0).with(3, 1).with(4, 100);
    c.call(cmd::GET_SERVER_SESSIONS, vec![Param::property(req)]).await
}
