//! Setup shared by the emulator's face tests: the fixed start time, a guard
//! against hangs, a face started on a manual clock with an HTTP client, and
//! the Easemob app (app token, users, user tokens) that the Easemob link and
//! message tests both log in through. Not every test file uses every helper.

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use unim_core::ManualClock;
use unim_easemob::link::{self, CommSyncDl, CommSyncUl, Jid, MSync, Meta};
use unim_emulator::{Emulator, EmulatorConfig};

/// The manual clock's start, in Unix seconds.
pub const T0: u64 = 1_700_000_000;

/// How long a REST call or an expected frame may take before the test fails
/// instead of hanging.
const IO_WAIT: Duration = Duration::from_secs(10);

/// Fails the test instead of hanging when something never answers.
pub async fn within<F: Future>(f: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(30), f).await.expect("no answer within 30 s")
}

/// An emulator started on a manual clock at [`T0`], with an HTTP client for
/// its REST face.
pub struct Face {
    pub emulator: Emulator,
    pub clock: ManualClock,
    pub http: reqwest::Client,
}

impl Face {
    /// Starts `config` on a manual clock at [`T0`].
    pub async fn launch(config: EmulatorConfig) -> Face {
        let clock = ManualClock::at_unix(T0);
        let emulator =
            within(Emulator::start(config.with_clock(Arc::new(clock.clone())))).await.expect("emulator starts");
        Face { emulator, clock, http: reqwest::Client::new() }
    }
}

/// The Easemob face on a manual clock at [`T0`], with its app token.
pub struct EasemobApp {
    pub emu: Emulator,
    pub clock: ManualClock,
    pub http: reqwest::Client,
    pub app_token: String,
}

impl EasemobApp {
    /// Starts the Easemob face and takes an app token.
    pub async fn start() -> EasemobApp {
        let Face { emulator, clock, http } = Face::launch(EmulatorConfig::easemob()).await;
        let mut app = EasemobApp { emu: emulator, clock, http, app_token: String::new() };
        let ep = app.emu.easemob().unwrap();
        let body = json!({"grant_type":"client_credentials","client_id":ep.client_id,"client_secret":ep.client_secret});
        let (status, reply) = app.call("POST", "/token", None, Some(body)).await;
        assert_eq!(status, 200, "{reply}");
        app.app_token = reply["access_token"].as_str().unwrap().to_owned();
        app
    }

    /// The face's `org#app` key.
    pub fn app_key(&self) -> String {
        self.emu.easemob().unwrap().app_key.clone()
    }

    /// A REST call to `url`, with `token` as the bearer when given.
    pub async fn raw(&self, method: &str, url: String, token: Option<&str>, body: Option<Value>) -> (u16, Value) {
        let mut req = self.http.request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), url);
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let reply = tokio::time::timeout(IO_WAIT, req.send()).await.expect("REST in time").expect("REST reply");
        let status = reply.status().as_u16();
        (status, reply.json().await.expect("JSON"))
    }

    /// A REST call to `{rest_url}/{org}/{app}{path}` with `token`.
    pub async fn call(&self, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> (u16, Value) {
        let ep = self.emu.easemob().unwrap();
        let (org, app) = ep.app_key.split_once('#').unwrap();
        self.raw(method, format!("{}/{org}/{app}{path}", ep.rest_url), token, body).await
    }

    /// [`EasemobApp::call`] with the app token.
    pub async fn app(&self, method: &str, path: &str, body: impl Into<Option<Value>>) -> (u16, Value) {
        self.call(method, path, Some(&self.app_token), body.into()).await
    }

    /// Registers each of `users` with the password `pw`.
    pub async fn register(&self, users: &[&str]) {
        let body: Vec<Value> = users.iter().map(|u| json!({"username": u, "password": "pw"})).collect();
        let (status, reply) = self.app("POST", "/users", Value::Array(body)).await;
        assert_eq!(status, 200, "{reply}");
    }

    /// A raw msync WebSocket to the face, not yet logged in.
    pub async fn connect(&self) -> EasemobClient {
        let url = &self.emu.easemob().unwrap().ws_url;
        let (ws, _) = tokio::time::timeout(IO_WAIT, tokio_tungstenite::connect_async(url.as_str()))
            .await
            .expect("upgrade in time")
            .expect("upgrade");
        EasemobClient { ws, app_key: self.app_key(), next_meta: 1 }
    }

    /// A user token from the password grant, valid `ttl` seconds when given.
    pub async fn token(&self, user: &str, ttl: Option<u64>) -> String {
        let mut body = json!({"grant_type":"password","username":user,"password":"pw"});
        if let Some(ttl) = ttl {
            body["ttl"] = json!(ttl);
        }
        let (status, reply) = self.call("POST", "/token", None, Some(body)).await;
        assert_eq!(status, 200, "{reply}");
        reply["access_token"].as_str().unwrap().to_owned()
    }
}

/// A raw msync client speaking protobuf frames over the face's WebSocket.
pub struct EasemobClient {
    pub ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    pub app_key: String,
    /// The meta id the next send uses.
    pub next_meta: u64,
}

impl EasemobClient {
    /// Sends one MSync frame.
    pub async fn send(&mut self, frame: &MSync) {
        self.ws.send(Message::Binary(link::encode(frame).into())).await.unwrap();
    }

    /// The next raw WebSocket message (pings skipped); `None` when the stream ended.
    pub async fn next_message(&mut self) -> Option<Result<Message, tungstenite::Error>> {
        loop {
            let msg = tokio::time::timeout(IO_WAIT, self.ws.next()).await.expect("no frame in time");
            match msg {
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                other => return other,
            }
        }
    }

    /// The next binary frame, decoded.
    pub async fn frame(&mut self) -> MSync {
        match self.next_message().await {
            Some(Ok(Message::Binary(bytes))) => link::decode(&bytes).expect("an MSync"),
            other => panic!("expected a binary frame, got {other:?}"),
        }
    }

    /// Sends a chat meta with `body` to `to` as meta `id`; returns the ack.
    pub async fn sync(&mut self, id: u64, to: &str, body: &link::MessageBody) -> CommSyncDl {
        let meta = Meta::chat(id, Jid::user(self.app_key.clone(), to), body);
        self.send(&MSync::sync_up(&CommSyncUl::send(meta))).await;
        let ack = self.frame().await.read_sync_down().expect("an ack");
        assert_eq!(ack.meta_id, Some(id));
        ack
    }

    /// Pulls `queue` once; the reply as it came.
    pub async fn pull_reply(&mut self, queue: &str) -> CommSyncDl {
        self.send(&MSync::sync_up(&CommSyncUl::pull(Jid::user(self.app_key.clone(), queue), None))).await;
        self.frame().await.read_sync_down().expect("a pull reply")
    }
}
