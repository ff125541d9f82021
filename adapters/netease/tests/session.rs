//! The NetEase session's life cycle against the emulator's NetEase face, on
//! a manual clock: the login phases with their sync, refusals (wrong token,
//! unknown accid, ban, expired dynamic token), logout, a dropped link and
//! the re-login (which syncs again), the kicks (another Web login, the
//! server, an own device), one desktop and one mobile device together, and
//! a dynamic token's will-expire, renewal and expiry. No test sleeps: each
//! awaits events with a timeout.

use async_trait::async_trait;
use futures::StreamExt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use unim_core::{
    Clock, ConnectionState, CredentialProvider, Credentials, Disconnect, DisconnectReason, Error, ErrorKind, Event,
    EventStream, ManualClock, MemoryStore, Platform, ReconnectPolicy, RenewReason, Secret, Session, SessionOptions,
    SessionStore, StoreEntry,
};
use unim_netease::admin::{NeteaseAdmin, NeteaseAdminConfig};
use unim_netease::session::{NeteaseSession, NeteaseSessionConfig};

// Not every shared helper is used here (the session helpers serve the message tests).
#[allow(dead_code)]
mod common;

use common::{next_event, Env, WAIT};

const POLICY: ReconnectPolicy =
    ReconnectPolicy { max_attempts: 3, initial_delay: Duration::from_secs(1), max_delay: Duration::from_secs(2) };

const TOKEN: &str = "tok-Zq9-static-7";

impl Env {
    async fn user(&self, accid: &str) {
        self.users(&[accid], TOKEN).await;
    }

    fn options(&self) -> SessionOptions {
        SessionOptions {
            clock: Arc::new(self.clock.clone()),
            reconnect: POLICY,
            request_timeout: Duration::from_secs(10),
            ..SessionOptions::default()
        }
    }

    fn session_with(&self, platform: Platform, options: SessionOptions) -> NeteaseSession {
        NeteaseSession::new(self.config(platform), options)
    }

    fn session(&self) -> NeteaseSession {
        self.session_with(Platform::Web, self.options())
    }

    fn with_store(&self, store: Arc<MemoryStore>) -> NeteaseSession {
        self.session_with(Platform::Web, SessionOptions { store: Some(store), ..self.options() })
    }

    async fn online_count(&self, accid: &str) -> usize {
        let online = self.admin.online_clients(&[accid.to_owned()]).await.expect("online clients");
        online.accounts.iter().map(|(_, clients)| clients.len()).sum()
    }
}

/// Waits for the first event matching `pred`, returning every event up to it.
async fn until(events: &mut EventStream, what: &str, pred: impl Fn(&Event) -> bool) -> Vec<Event> {
    let mut seen = Vec::new();
    loop {
        let e = next_event(events, what).await;
        let done = pred(&e);
        seen.push(e);
        if done {
            return seen;
        }
    }
}

fn is_state(e: &Event, want: impl Fn(&ConnectionState) -> bool) -> bool {
    matches!(e, Event::StateChanged { state, .. } if want(state))
}

fn is_connected(e: &Event) -> bool {
    is_state(e, |s| *s == ConnectionState::Connected)
}

fn disconnect_of(e: &Event) -> Option<Disconnect> {
    match e {
        Event::StateChanged { state: ConnectionState::Disconnected, reason } => {
            Some(reason.clone().unwrap_or_else(|| Disconnect::new(DisconnectReason::Other)))
        }
        _ => None,
    }
}

async fn disconnected(events: &mut EventStream, what: &str) -> Disconnect {
    let seen = until(events, what, |e| disconnect_of(e).is_some()).await;
    disconnect_of(seen.last().unwrap()).unwrap()
}

/// Nothing more arrives on `events` once everything pending has run.
async fn quiet(events: &mut EventStream, what: &str) {
    for _ in 0..50 {
        tokio::task::yield_now().await;
    }
    if let Some(Some(e)) = futures::FutureExt::now_or_never(events.next()) {
        panic!("{what}: unexpected event {e:?}");
    }
}

async fn login(s: &NeteaseSession, creds: Credentials) {
    tokio::time::timeout(WAIT, s.login(creds)).await.expect("login in time").expect("login");
}

fn vendor_code(why: &Disconnect) -> Option<i64> {
    why.vendor.as_ref().map(|v| v.code)
}

/// Connecting, Authenticating, Syncing (with one SyncStarted and one
/// SyncFinished), Connected; ping works; logout ends with Requested and
/// the server closes the link (the account is offline).
#[tokio::test]
async fn a_login_goes_through_the_phases_in_order_and_logs_out() {
    let env = Env::start().await;
    env.user("alice").await;
    let s = env.session();
    let mut events = s.events();
    login(&s, Credentials::token("Alice", TOKEN)).await;
    let seen = until(&mut events, "connected", is_connected).await;
    let expected = [
        Event::StateChanged { state: ConnectionState::Connecting, reason: None },
        Event::StateChanged { state: ConnectionState::Authenticating, reason: None },
        Event::StateChanged { state: ConnectionState::Syncing, reason: None },
        Event::SyncStarted,
        Event::SyncFinished,
        Event::StateChanged { state: ConnectionState::Connected, reason: None },
    ];
    assert_eq!(seen, expected);
    assert_eq!(s.current_user().as_deref(), Some("alice"));
    tokio::time::timeout(WAIT, s.ping()).await.expect("ping in time").expect("ping");
    assert_eq!(env.online_count("alice").await, 1);

    tokio::time::timeout(WAIT, s.logout()).await.expect("logout in time").expect("logout");
    let why = disconnected(&mut events, "logout").await;
    assert_eq!(why.reason, DisconnectReason::Requested);
    assert_eq!(s.current_user(), None);
    assert_eq!(env.online_count("alice").await, 0, "the server closed the link");
    quiet(&mut events, "after logout").await;
    s.logout().await.expect("a second logout is a no-op");
    assert_eq!(s.ping().await.unwrap_err().kind, ErrorKind::InvalidState);
}

/// A wrong token: 302, Unauthenticated, Disconnected(AuthFailed) with the
/// code, and no second attempt.
#[tokio::test]
async fn a_wrong_token_is_auth_failed_without_retry() {
    let env = Env::start().await;
    env.user("carol").await;
    let s = env.session();
    let mut events = s.events();
    let before = env.emulator.faults().connection_attempts();
    let e = s.login(Credentials::token("carol", "Zq9-not-it-7")).await.expect_err("refused");
    assert_eq!(e.kind, ErrorKind::Unauthenticated, "{e}");
    assert_eq!(e.vendor.as_ref().map(|v| v.code), Some(302));
    assert!(!format!("{e:?} {e}").contains("Zq9-not-it-7"), "the token leaked: {e:?}");
    let why = disconnected(&mut events, "refused").await;
    assert_eq!((why.reason, vendor_code(&why)), (DisconnectReason::AuthFailed, Some(302)));
    assert_eq!(env.emulator.faults().connection_attempts() - before, 1, "a refused login is not retried");
    assert_eq!(s.state(), ConnectionState::Disconnected);
    assert_eq!(s.current_user(), None);
}

/// An accid nobody created is refused like a wrong token (302).
#[tokio::test]
async fn an_unknown_accid_is_302() {
    let env = Env::start().await;
    let s = env.session();
    let e = s.login(Credentials::token("nobody", TOKEN)).await.expect_err("refused");
    assert_eq!((e.kind, e.vendor.map(|v| v.code)), (ErrorKind::Unauthenticated, Some(302)));
}

/// A blocked account is refused with 422: Banned.
#[tokio::test]
async fn a_banned_login_is_422() {
    let env = Env::start().await;
    env.user("dave").await;
    env.admin.block("dave", false, None).await.expect("block");
    let s = env.session();
    let mut events = s.events();
    let e = s.login(Credentials::token("dave", TOKEN)).await.expect_err("refused");
    assert_eq!((e.kind, e.vendor.as_ref().map(|v| v.code)), (ErrorKind::PermissionDenied, Some(422)), "{e}");
    let why = disconnected(&mut events, "banned").await;
    assert_eq!((why.reason, vendor_code(&why)), (DisconnectReason::Banned, Some(422)));
}

/// A dynamic token past its ttl is refused (302).
#[tokio::test]
async fn an_expired_dynamic_token_is_refused() {
    let env = Env::start().await;
    env.user("erin").await;
    let token = env.admin.dynamic_token("erin", Duration::from_secs(1));
    env.clock.advance(Duration::from_secs(2));
    let s = env.session();
    let e = s.login(Credentials::token("erin", token)).await.expect_err("refused");
    assert_eq!(e.vendor.map(|v| v.code), Some(302));
}

/// Password and UserSig credentials are not NetEase's; a bad accid is
/// refused before any I/O.
#[tokio::test]
async fn other_credentials_are_unsupported() {
    let env = Env::start().await;
    let s = env.session();
    let e = s.login(Credentials::password("bob", "pw-secret-1")).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unsupported);
    assert!(!e.to_string().contains("pw-secret-1"));
    assert_eq!(s.login(Credentials::user_sig("bob", "sig")).await.unwrap_err().kind, ErrorKind::Unsupported);
    assert_eq!(s.login(Credentials::token("a b", "t")).await.unwrap_err().kind, ErrorKind::InvalidInput);
    assert_eq!(s.state(), ConnectionState::Disconnected);
}

/// A dropped link: Reconnecting, then the re-login (appLogin 0) syncs again
/// (Syncing, SyncStarted, SyncFinished) and is Connected; the saved login stays.
#[tokio::test]
async fn a_dropped_link_relogs_in_and_syncs_again() {
    let env = Env::start().await;
    env.user("frank").await;
    let store = Arc::new(MemoryStore::new());
    let s = env.with_store(store.clone());
    login(&s, Credentials::token("frank", TOKEN)).await;
    let mut events = s.events();
    assert_eq!(env.emulator.engine().drop_links("frank"), 1);
    let seen = until(&mut events, "reconnected", is_connected).await;
    assert!(
        matches!(seen[0], Event::StateChanged { state: ConnectionState::Reconnecting { attempt: 1, .. }, .. }),
        "{seen:?}"
    );
    let syncs = seen.iter().filter(|e| matches!(e, Event::SyncStarted | Event::SyncFinished)).count();
    assert_eq!(syncs, 2, "{seen:?}");
    assert!(seen.iter().any(|e| is_state(e, |s| *s == ConnectionState::Syncing)), "{seen:?}");
    assert!(seen.iter().all(|e| disconnect_of(e).is_none()), "{seen:?}");
    tokio::time::timeout(WAIT, s.ping()).await.expect("ping in time").expect("ping");
    assert!(matches!(store.load().unwrap(), StoreEntry::Saved(_)));
    assert_eq!(env.online_count("frank").await, 1);
}

/// With the server refusing connections, the re-login gives up after the
/// policy's attempts: Disconnected(Network), the saved login kept.
#[tokio::test]
async fn reconnects_give_up_after_the_policy() {
    let env = Env::start().await;
    env.user("gina").await;
    let store = Arc::new(MemoryStore::new());
    let s = env.with_store(store.clone());
    login(&s, Credentials::token("gina", TOKEN)).await;
    let mut events = s.events();
    env.emulator.faults().refuse_connections(true);
    env.emulator.engine().drop_links("gina");
    let mut attempts = 0;
    loop {
        let e = next_event(&mut events, "reconnecting").await;
        if let Some(why) = disconnect_of(&e) {
            assert_eq!(why.reason, DisconnectReason::Network);
            break;
        }
        if let Event::StateChanged { state: ConnectionState::Reconnecting { attempt, retry_in }, .. } = e {
            attempts += 1;
            assert_eq!(attempt, attempts);
            // The backoff runs on the session's clock.
            env.clock.advance(retry_in);
        }
    }
    assert_eq!(attempts, POLICY.max_attempts);
    assert!(matches!(store.load().unwrap(), StoreEntry::Saved(_)), "a network loss keeps the saved login");
}

/// A second Web login of the same account evicts the first: it ends once
/// with KickedByOtherLogin by a Web device, does not reconnect, and its
/// auto-login stops.
#[tokio::test]
async fn another_web_login_kicks_the_first_once() {
    let env = Env::start().await;
    env.user("hank").await;
    let store = Arc::new(MemoryStore::new());
    let first = env.with_store(store.clone());
    login(&first, Credentials::token("hank", TOKEN)).await;
    let mut events = first.events();
    let second = env.session();
    login(&second, Credentials::token("hank", TOKEN)).await;
    let why = disconnected(&mut events, "kicked").await;
    assert_eq!(why.reason, DisconnectReason::KickedByOtherLogin);
    assert_eq!(why.by.as_ref().map(|d| &d.platform), Some(&Platform::Web));
    let vendor = why.vendor.as_ref().expect("vendor detail");
    assert_eq!((vendor.code, vendor.name.as_deref()), (1, Some("samePlatformKick")));
    assert!(vendor.message.contains("Web"), "{}", vendor.message);
    quiet(&mut events, "after the kick").await;
    assert_eq!(first.state(), ConnectionState::Disconnected);
    assert_eq!(second.state(), ConnectionState::Connected);
    assert!(matches!(store.load().unwrap(), StoreEntry::Stopped { .. }));
    let e = first.resume().await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::AutoLoginStopped { reason: DisconnectReason::KickedByOtherLogin });
}

/// A ban with needkick reaches the live client as serverKick: KickedByServer.
#[tokio::test]
async fn a_ban_with_kick_is_kicked_by_server() {
    let env = Env::start().await;
    env.user("ivy").await;
    let s = env.session();
    login(&s, Credentials::token("ivy", TOKEN)).await;
    let mut events = s.events();
    env.admin.block("ivy", true, Some("banned")).await.expect("block");
    let why = disconnected(&mut events, "kicked").await;
    assert_eq!((why.reason, vendor_code(&why)), (DisconnectReason::KickedByServer, Some(2)));
    assert!(why.vendor.unwrap().message.contains("Server"));
    quiet(&mut events, "after the kick").await;
}

/// A Web and an Android login coexist and see each other (loginPorts, then
/// 2_7); the Web one kicks the Android one (KickedByOwnDevice, by Web), which
/// then goes offline for the Web one.
#[tokio::test]
async fn desktop_and_mobile_coexist_and_kick_each_other() {
    let env = Env::start().await;
    env.user("jack").await;
    let web = env.session();
    login(&web, Credentials::token("jack", TOKEN)).await;
    assert!(web.other_devices().await.expect("devices").is_empty());
    let mut web_events = web.events();
    let phone = env.session_with(Platform::Android, env.options());
    login(&phone, Credentials::token("jack", TOKEN)).await;
    let mut phone_events = phone.events();

    let online = until(&mut web_events, "2_7 online", |e| matches!(e, Event::DeviceOnline { .. })).await;
    let Some(Event::DeviceOnline { device }) = online.last() else { unreachable!() };
    assert_eq!((device.platform.clone(), device.id.clone()), (Platform::Android, phone.device().id));
    assert_eq!(web.state(), ConnectionState::Connected);
    let others = web.other_devices().await.expect("devices");
    assert_eq!(others.len(), 1, "{others:?}");
    assert_eq!(others[0].id, phone.device().id);
    let seen_by_phone = phone.other_devices().await.expect("devices");
    assert_eq!(seen_by_phone.len(), 1, "{seen_by_phone:?}");
    assert_eq!((seen_by_phone[0].platform.clone(), seen_by_phone[0].id.clone()), (Platform::Web, web.device().id));

    web.kick_device(&others[0]).await.expect("kick the phone");
    let why = disconnected(&mut phone_events, "phone kicked").await;
    assert_eq!(why.reason, DisconnectReason::KickedByOwnDevice);
    assert_eq!(why.by.as_ref().map(|d| &d.platform), Some(&Platform::Web));
    assert_eq!(vendor_code(&why), Some(3));
    quiet(&mut phone_events, "after the kick").await;
    assert!(web.other_devices().await.expect("devices").is_empty());
    let e = web.kick_device(&others[0]).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert_eq!(web.state(), ConnectionState::Connected);
}

/// kick_other_devices kicks every other device and counts them.
#[tokio::test]
async fn kick_other_devices_counts() {
    let env = Env::start().await;
    env.user("kate").await;
    let web = env.session();
    login(&web, Credentials::token("kate", TOKEN)).await;
    assert_eq!(web.kick_other_devices().await.expect("nothing to kick"), 0);
    let phone = env.session_with(Platform::Ios, env.options());
    login(&phone, Credentials::token("kate", TOKEN)).await;
    let mut phone_events = phone.events();
    let mut web_events = web.events();
    until(&mut web_events, "2_7 online", |e| matches!(e, Event::DeviceOnline { .. })).await;
    assert_eq!(web.kick_other_devices().await.expect("kick"), 1);
    assert_eq!(disconnected(&mut phone_events, "kicked").await.reason, DisconnectReason::KickedByOwnDevice);
}

/// Hands out dynamic tokens from the admin, counting the calls.
struct Provider {
    admin: NeteaseAdmin,
    ttl: Duration,
    calls: AtomicUsize,
}

#[async_trait]
impl CredentialProvider for Provider {
    async fn fresh_credentials(&self, user: &str, _reason: RenewReason) -> Result<Credentials, Error> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        Ok(Credentials::token(user, self.admin.dynamic_token(user, self.ttl)))
    }
}

/// A dynamic token warns at 80% of its ttl and is renewed by the provider
/// while the link stays up; a drop after the old token's expiry re-logs-in
/// with the renewed one.
#[tokio::test]
async fn a_dynamic_token_is_renewed_before_expiry() {
    let env = Env::start().await;
    env.user("liam").await;
    let provider_admin = NeteaseAdmin::new(
        NeteaseAdminConfig::new(
            env.endpoint.rest_url.clone(),
            env.endpoint.app_key.clone(),
            Secret::new(env.endpoint.app_secret.clone()),
        )
        .with_clock(Arc::new(env.clock.clone())),
    )
    .expect("admin");
    let provider =
        Arc::new(Provider { admin: provider_admin, ttl: Duration::from_secs(1000), calls: AtomicUsize::new(0) });
    let options = SessionOptions { credential_provider: Some(provider.clone()), ..env.options() };
    let s = env.session_with(Platform::Web, options);
    let token = env.admin.dynamic_token("liam", Duration::from_secs(100));
    login(&s, Credentials::token("liam", token)).await;
    let mut events = s.events();
    env.clock.advance(Duration::from_secs(81));
    let seen = until(&mut events, "renewed", |e| matches!(e, Event::CredentialRenewed { .. })).await;
    assert!(seen.iter().any(|e| matches!(e, Event::CredentialWillExpire { user, .. } if user == "liam")), "{seen:?}");
    assert_eq!(provider.calls.load(Ordering::SeqCst), 1);
    assert_eq!(s.state(), ConnectionState::Connected);
    // Past the first token's expiry: the session is still up, and a
    // re-login uses the renewed token.
    env.clock.advance(Duration::from_secs(30));
    env.emulator.engine().drop_links("liam");
    until(&mut events, "reconnected", is_connected).await;
    tokio::time::timeout(WAIT, s.ping()).await.expect("ping in time").expect("ping");
}

/// Without a provider, an expired dynamic token ends the live session:
/// CredentialWillExpire, CredentialExpired, Disconnected(CredentialExpired).
#[tokio::test]
async fn an_expired_dynamic_token_ends_the_session_without_a_provider() {
    let env = Env::start().await;
    env.user("mia").await;
    let store = Arc::new(MemoryStore::new());
    let s = env.with_store(store.clone());
    login(&s, Credentials::token("mia", env.admin.dynamic_token("mia", Duration::from_secs(100)))).await;
    let mut events = s.events();
    env.clock.advance(Duration::from_secs(85));
    until(&mut events, "will expire", |e| matches!(e, Event::CredentialWillExpire { .. })).await;
    assert_eq!(s.state(), ConnectionState::Connected);
    env.clock.advance(Duration::from_secs(20));
    let seen = until(&mut events, "expired", |e| disconnect_of(e).is_some()).await;
    assert!(seen.iter().any(|e| matches!(e, Event::CredentialExpired { .. })), "{seen:?}");
    assert_eq!(disconnect_of(seen.last().unwrap()).unwrap().reason, DisconnectReason::CredentialExpired);
    assert!(matches!(store.load().unwrap(), StoreEntry::Saved(_)), "an expired token keeps the saved login");
}

/// The heartbeat runs on the session clock and keeps the link up.
#[tokio::test]
async fn heartbeats_keep_the_link_up() {
    let env = Env::start().await;
    env.user("noah").await;
    let s = env.session();
    login(&s, Credentials::token("noah", TOKEN)).await;
    let mut events = s.events();
    for _ in 0..3 {
        env.clock.advance(Duration::from_secs(31));
        tokio::time::timeout(WAIT, s.ping()).await.expect("ping in time").expect("ping");
    }
    quiet(&mut events, "heartbeats").await;
    assert_eq!(s.state(), ConnectionState::Connected);
}

/// Resume logs in again with the saved login.
#[tokio::test]
async fn resume_uses_the_saved_login() {
    let env = Env::start().await;
    env.user("olga").await;
    let store = Arc::new(MemoryStore::new());
    {
        let s = env.with_store(store.clone());
        login(&s, Credentials::token("olga", TOKEN)).await;
    }
    let s = env.with_store(store.clone());
    tokio::time::timeout(WAIT, s.resume()).await.expect("resume in time").expect("resume");
    assert_eq!(s.state(), ConnectionState::Connected);
    s.logout().await.expect("logout");
    assert_eq!(store.load().unwrap(), StoreEntry::Empty);
    assert_eq!(s.resume().await.unwrap_err().kind, ErrorKind::InvalidState);
}

/// Debug output and errors never show tokens.
#[tokio::test]
async fn secrets_never_show() {
    let env = Env::start().await;
    env.user("pam").await;
    let s = env.session();
    login(&s, Credentials::token("pam", TOKEN)).await;
    let printed = format!("{s:?} {:?}", Credentials::token("pam", TOKEN));
    assert!(!printed.contains(TOKEN), "{printed}");
    assert!(printed.contains(&env.endpoint.app_key));
}

/// A minimal scripted NetEase link server (LBS, socket.io handshake,
/// WebSocket) for what the emulator does not do on demand: leave heartbeats
/// unanswered, and boot a client with `0::`. It records every `2_3`.
mod fake {
    use futures::{SinkExt, StreamExt};
    use std::net::SocketAddr;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};
    use tokio::sync::Notify;
    use tokio_tungstenite::tungstenite::Message;
    use unim_netease::link::ids::login_res;
    use unim_netease::link::{cmd, Frame, Framing, Property, Request, Response, SocketIoJson, WireFrame};

    #[derive(Default)]
    pub struct State {
        /// Every 2_3: its ser and login Property.
        pub logins: Mutex<Vec<(u64, Property)>>,
        pub heartbeats: AtomicUsize,
        pub answer_heartbeats: AtomicBool,
        pub boot: Notify,
    }

    pub struct Fake {
        pub addr: SocketAddr,
        pub state: Arc<State>,
    }

    pub async fn start() -> Fake {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let state = Arc::new(State::default());
        state.answer_heartbeats.store(true, Ordering::SeqCst);
        let shared = Arc::clone(&state);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, addr, Arc::clone(&shared)));
            }
        });
        Fake { addr, state }
    }

    async fn serve(mut stream: TcpStream, addr: SocketAddr, state: Arc<State>) {
        let mut head = [0u8; 512];
        let Ok(n) = stream.peek(&mut head).await else { return };
        let line = String::from_utf8_lossy(&head[..n]).lines().next().unwrap_or_default().to_owned();
        if line.contains("/socket.io/1/websocket/") {
            if let Ok(ws) = tokio_tungstenite::accept_async(stream).await {
                link(ws, state).await;
            }
            return;
        }
        let mut request = Vec::new();
        let mut buf = [0u8; 1024];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => request.extend_from_slice(&buf[..n]),
            }
        }
        let body = if line.contains("/lbs/") {
            format!(r#"{{"common":{{"link":["{addr}"],"link.default":["{addr}"]}}}}"#)
        } else {
            "sid-fake:60:60:websocket".to_owned()
        };
        let response = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
        let _ = stream.write_all(response.as_bytes()).await;
    }

    fn text(frame: WireFrame) -> Message {
        match frame {
            WireFrame::Text(t) => Message::Text(t.into()),
            WireFrame::Binary(b) => Message::Binary(b.into()),
        }
    }

    async fn link(ws: tokio_tungstenite::WebSocketStream<TcpStream>, state: Arc<State>) {
        let (mut tx, mut rx) = ws.split();
        let f = SocketIoJson;
        if tx.send(text(f.encode_control(&Frame::Connect))).await.is_err() {
            return;
        }
        loop {
            let msg = tokio::select! {
                msg = rx.next() => msg,
                () = state.boot.notified() => {
                    let _ = tx.send(text(f.encode_control(&Frame::Disconnect))).await;
                    return;
                }
            };
            let Some(Ok(Message::Text(t))) = msg else { return };
            let Ok(Frame::Packet(req)) = f.decode_request(&WireFrame::Text(t.to_string())) else { continue };
            let Some(reply) = answer(&req, &state) else { continue };
            if tx.send(text(f.encode_response(&reply))).await.is_err() {
                return;
            }
        }
    }

    fn answer(req: &Request, state: &State) -> Option<Response> {
        match req.command {
            cmd::HEARTBEAT => {
                state.heartbeats.fetch_add(1, Ordering::SeqCst);
                state.answer_heartbeats.load(Ordering::SeqCst).then(|| Response::ok(cmd::HEARTBEAT, 0, vec![]))
            }
            cmd::LOGIN => {
                let login = req.param(0).ok()?.as_property().ok()?;
                let mut logins = state.logins.lock().unwrap();
                logins.push((req.ser, login));
                let res = Property::new().with(login_res::CONNECTION_ID, format!("conn-{}", logins.len()));
                Some(Response::ok(cmd::LOGIN, req.ser, vec![res.into(), serde_json::json!([]), serde_json::json!({})]))
            }
            _ => Some(Response::ok(req.command, req.ser, vec![])),
        }
    }
}

fn fake_session(fake: &fake::Fake, clock: &ManualClock) -> NeteaseSession {
    let options = SessionOptions {
        clock: Arc::new(clock.clone()),
        reconnect: POLICY,
        request_timeout: Duration::from_millis(500),
        ..SessionOptions::default()
    };
    NeteaseSession::new(NeteaseSessionConfig::new(format!("http://{}/lbs/webconf.jsp", fake.addr), "key"), options)
}

fn now_clock() -> ManualClock {
    ManualClock::at_unix(SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs())
}

/// Two unanswered `1_2` heartbeats (the first due 30 s into the session's
/// clock) take the link as dead; the re-login sends `2_3` with appLogin 0,
/// the same deviceId and session tags, and a serial that kept counting.
#[tokio::test]
async fn unanswered_heartbeats_relogin_as_the_same_instance() {
    use unim_netease::link::ids::login as tag;
    let fake = fake::start().await;
    let clock = now_clock();
    let s = fake_session(&fake, &clock);
    login(&s, Credentials::token("zed", "static-token")).await;
    let mut events = s.events();
    fake.state.answer_heartbeats.store(false, std::sync::atomic::Ordering::SeqCst);
    clock.advance(Duration::from_secs(29));
    quiet(&mut events, "before the heartbeat is due").await;
    clock.advance(Duration::from_secs(2));
    let seen = until(&mut events, "reconnected", is_connected).await;
    assert!(
        matches!(seen[0], Event::StateChanged { state: ConnectionState::Reconnecting { attempt: 1, .. }, .. }),
        "{seen:?}"
    );
    assert_eq!(fake.state.heartbeats.load(std::sync::atomic::Ordering::SeqCst), 2, "one retry after a miss");
    let logins = fake.state.logins.lock().unwrap().clone();
    assert_eq!(logins.len(), 2);
    let ((ser1, first), (ser2, again)) = (&logins[0], &logins[1]);
    assert_eq!((first.int(tag::APP_LOGIN), again.int(tag::APP_LOGIN)), (Some(1), Some(0)));
    assert_eq!(first.str(tag::DEVICE_ID), again.str(tag::DEVICE_ID));
    assert_eq!(first.str(tag::SESSION), again.str(tag::SESSION));
    assert_eq!(first.str(tag::DEVICE_ID), s.device().id);
    assert!(ser2 > ser1, "the serial is not reset on a reconnect ({ser1} then {ser2})");
    assert_eq!(again.get(tag::AUTH_TYPE), None, "a static token sends no authType");
}

/// A server `0::` boots the client, which logs in again by itself.
#[tokio::test]
async fn a_server_boot_reconnects() {
    let fake = fake::start().await;
    let clock = now_clock();
    let s = fake_session(&fake, &clock);
    let token = unim_netease::sign::DynamicToken::mint("key", "zoe", clock.unix_secs() * 1000, 3600, "s").encode();
    login(&s, Credentials::token("zoe", token)).await;
    let mut events = s.events();
    fake.state.boot.notify_one();
    let seen = until(&mut events, "reconnected", is_connected).await;
    assert!(seen.iter().all(|e| disconnect_of(e).is_none()), "{seen:?}");
    let logins = fake.state.logins.lock().unwrap().clone();
    assert_eq!(logins.len(), 2);
    use unim_netease::link::ids::login as tag;
    assert_eq!(logins[1].1.int(tag::AUTH_TYPE), Some(1), "a dynamic token logs in with authType 1");
}

/// A transient refusal (416, frequency control) of a re-login is retried
/// with the backoff on the session clock, and the re-login then succeeds.
#[tokio::test]
async fn a_transient_relogin_refusal_is_retried() {
    let env = Env::start().await;
    env.user("quinn").await;
    let s = env.session();
    login(&s, Credentials::token("quinn", TOKEN)).await;
    let mut events = s.events();
    env.emulator.faults().inject_error(416, "frequency control", 1);
    env.emulator.engine().drop_links("quinn");
    let first = until(&mut events, "second attempt", |e| {
        is_state(e, |s| matches!(s, ConnectionState::Reconnecting { attempt: 2, .. }))
    })
    .await;
    assert!(first.iter().all(|e| disconnect_of(e).is_none()), "{first:?}");
    let Some(Event::StateChanged { state: ConnectionState::Reconnecting { retry_in, .. }, .. }) = first.last() else {
        unreachable!()
    };
    assert_eq!(*retry_in, POLICY.delay(2));
    env.clock.advance(*retry_in);
    until(&mut events, "reconnected", is_connected).await;
    tokio::time::timeout(WAIT, s.ping()).await.expect("ping in time").expect("ping");
}

/// A manual login refused with 416 is not retried (the SDK never retries a
/// refused 2_3): RateLimited, and Disconnected(Network) with the code.
#[tokio::test]
async fn a_manual_login_refused_with_416_is_not_retried() {
    let env = Env::start().await;
    env.user("rita").await;
    let s = env.session();
    let mut events = s.events();
    env.emulator.faults().inject_error(416, "frequency control", 1);
    let before = env.emulator.faults().connection_attempts();
    let e = s.login(Credentials::token("rita", TOKEN)).await.expect_err("refused");
    assert!(matches!(e.kind, ErrorKind::RateLimited { .. }), "{e}");
    let why = disconnected(&mut events, "refused").await;
    assert_eq!((why.reason, vendor_code(&why)), (DisconnectReason::Network, Some(416)));
    assert_eq!(env.emulator.faults().connection_attempts() - before, 1);
}

/// An account blocked (without a kick) while its link is down: the re-login
/// is refused with 422, which ends the session as Banned and stops auto-login.
#[tokio::test]
async fn a_relogin_refused_as_banned_ends_auto_login() {
    let env = Env::start().await;
    env.user("sam").await;
    let store = Arc::new(MemoryStore::new());
    let s = env.with_store(store.clone());
    login(&s, Credentials::token("sam", TOKEN)).await;
    let mut events = s.events();
    env.admin.block("sam", false, None).await.expect("block");
    env.emulator.engine().drop_links("sam");
    let why = disconnected(&mut events, "refused re-login").await;
    assert_eq!((why.reason, vendor_code(&why)), (DisconnectReason::Banned, Some(422)));
    quiet(&mut events, "after the refusal").await;
    let e = s.resume().await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::AutoLoginStopped { reason: DisconnectReason::Banned });
}
