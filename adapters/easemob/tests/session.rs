//! The Easemob session's life cycle against the emulator's msync face, on a
//! manual clock: password and token logins, refusals, logout, the kicks
//! (REST disconnect, password change, the fifth device), a dropped link and
//! the token's will-expire warning. No test sleeps: each awaits events with
//! a timeout.

use futures::StreamExt;
use std::sync::Arc;
use std::time::Duration;
use unim_core::{
    Clock, ConnectionState, Credentials, Disconnect, DisconnectReason, ErrorKind, Event, EventStream, ReconnectPolicy,
    Secret, Session, SessionOptions,
};
use unim_easemob::admin::{EasemobAdmin, EasemobAdminConfig};
use unim_easemob::session::{EasemobSession, EasemobSessionConfig};

/// How long a test waits for something that should happen (real time). Only
/// a hang reaches it.
const WAIT: Duration = Duration::from_secs(20);

const POLICY: ReconnectPolicy =
    ReconnectPolicy { max_attempts: 3, initial_delay: Duration::from_secs(1), max_delay: Duration::from_secs(2) };

mod common;

use common::{Env, PASSWORD};

impl Env {
    async fn user(&self, name: &str) {
        self.users(&[name]).await;
    }

    fn options(&self) -> SessionOptions {
        SessionOptions { reconnect: POLICY, ..self.session_options() }
    }

    fn session_as(&self, resource: Option<&str>) -> EasemobSession {
        let mut config = self.config();
        config.resource = resource.map(str::to_owned);
        EasemobSession::new(config, self.options())
    }

    fn session(&self) -> EasemobSession {
        self.session_as(None)
    }
}

async fn next_event(events: &mut EventStream, what: &str) -> Event {
    match tokio::time::timeout(WAIT, events.next()).await {
        Ok(Some(e)) => e,
        Ok(None) => panic!("{what}: the event stream ended"),
        Err(_) => panic!("{what}: no event within {WAIT:?}"),
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

fn states(events: &[Event]) -> Vec<ConnectionState> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::StateChanged { state, .. } => Some(state.clone()),
            _ => None,
        })
        .collect()
}

async fn login(s: &EasemobSession, creds: Credentials) {
    tokio::time::timeout(WAIT, s.login(creds)).await.expect("login in time").expect("login");
}

/// A password login asks /token, then connects, authenticates and is
/// connected; the link answers pings.
#[tokio::test]
async fn a_password_login_goes_through_the_states_in_order() {
    let env = Env::start().await;
    env.user("alice").await;
    let s = env.session();
    let mut events = s.events();
    login(&s, Credentials::password("Alice", PASSWORD)).await;
    let seen = until(&mut events, "connected", |e| is_state(e, |s| *s == ConnectionState::Connected)).await;
    assert_eq!(
        states(&seen),
        [ConnectionState::Connecting, ConnectionState::Authenticating, ConnectionState::Connected]
    );
    assert_eq!(s.current_user().as_deref(), Some("alice"));
    tokio::time::timeout(WAIT, s.ping()).await.expect("ping in time").expect("ping");
    let online = env.admin.resources("alice").await.expect("resources");
    assert_eq!(online.len(), 1, "{online:?}");
}

/// A token from the app server logs in without a REST call of the session.
#[tokio::test]
async fn a_token_login() {
    let env = Env::start().await;
    env.user("bob").await;
    let grant = env.admin.user_token_password("bob", &Secret::new(PASSWORD), None).await.expect("token");
    let s = env.session();
    login(&s, Credentials::token("bob", grant.access_token.expose())).await;
    assert_eq!(s.state(), ConnectionState::Connected);
    tokio::time::timeout(WAIT, s.ping()).await.expect("ping in time").expect("ping");
}

/// A wrong password is refused by /token: Unauthenticated, and the session
/// ends with AuthFailed.
#[tokio::test]
async fn a_wrong_password_is_auth_failed() {
    let env = Env::start().await;
    env.user("carol").await;
    let s = env.session();
    let mut events = s.events();
    let e = s.login(Credentials::password("carol", "Zq9-not-it-7")).await.expect_err("refused");
    assert_eq!(e.kind, ErrorKind::Unauthenticated, "{e}");
    assert!(!format!("{e:?}").contains("Zq9-not-it-7"), "the password leaked: {e:?}");
    let why = disconnected(&mut events, "refused").await;
    assert_eq!(why.reason, DisconnectReason::AuthFailed);
    assert_eq!(s.state(), ConnectionState::Disconnected);
    assert_eq!(s.current_user(), None);
}

/// A bad token is refused by PROVISION (UNAUTHORIZED): AuthFailed.
#[tokio::test]
async fn a_bad_token_is_auth_failed() {
    let env = Env::start().await;
    env.user("cora").await;
    let s = env.session();
    let mut events = s.events();
    let e = s.login(Credentials::token("cora", "not-a-token")).await.expect_err("refused");
    assert_eq!(e.kind, ErrorKind::Unauthenticated, "{e}");
    assert_eq!(disconnected(&mut events, "refused").await.reason, DisconnectReason::AuthFailed);
}

/// Logout ends the link with Requested, once; a second logout is silent.
#[tokio::test]
async fn logout_ends_the_session_once() {
    let env = Env::start().await;
    env.user("dave").await;
    let s = env.session();
    login(&s, Credentials::password("dave", PASSWORD)).await;
    let mut events = s.events();
    tokio::time::timeout(WAIT, s.logout()).await.expect("logout in time").expect("logout");
    assert_eq!(disconnected(&mut events, "logout").await.reason, DisconnectReason::Requested);
    tokio::time::timeout(WAIT, s.logout()).await.expect("second logout in time").expect("second logout");
    quiet(&mut events, "after logout").await;
    assert_eq!(s.current_user(), None);
    assert!(s.ping().await.is_err());
}

/// The REST `disconnect` reaches the session as operation 4 (web 217), the
/// only kick the web SDK has for it, exactly once, without a reconnect.
#[tokio::test]
async fn a_rest_disconnect_ends_the_session_once() {
    let env = Env::start().await;
    env.user("erin").await;
    let s = env.session();
    login(&s, Credentials::password("erin", PASSWORD)).await;
    let mut events = s.events();
    assert!(env.admin.disconnect("erin").await.expect("disconnect"));
    let seen = until(&mut events, "kicked", |e| disconnect_of(e).is_some()).await;
    assert!(seen.iter().all(|e| !is_state(e, |s| matches!(s, ConnectionState::Reconnecting { .. }))), "{seen:?}");
    let why = disconnect_of(seen.last().unwrap()).unwrap();
    assert_eq!(why.reason, DisconnectReason::KickedByOwnDevice);
    assert_eq!(why.vendor.map(|v| v.code), Some(217));
    quiet(&mut events, "after the kick").await;
    assert_eq!(s.state(), ConnectionState::Disconnected);
}

/// A password change kicks with operation 3 (216).
#[tokio::test]
async fn a_password_change_is_password_changed() {
    let env = Env::start().await;
    env.user("fay").await;
    let s = env.session();
    login(&s, Credentials::password("fay", PASSWORD)).await;
    let mut events = s.events();
    env.admin.change_password("fay", &Secret::new("n3w-pw")).await.expect("change password");
    let why = disconnected(&mut events, "kicked").await;
    assert_eq!(why.reason, DisconnectReason::PasswordChanged);
    assert_eq!(why.vendor.map(|v| v.code), Some(216));
    quiet(&mut events, "after the kick").await;
}

/// The fifth web device pushes the oldest out with operation 2 (206), naming
/// the newcomer by what the server puts in `StatisticsBody.reason` (its
/// custom login text, else its device name, `webim` for web logins); the
/// others stay.
#[tokio::test]
async fn a_fifth_device_kicks_the_oldest() {
    let env = Env::start().await;
    env.user("gus").await;
    let mut sessions = Vec::new();
    for i in 1..=4 {
        let s = env.session_as(Some(&format!("webim_web_dev{i}")));
        login(&s, Credentials::password("gus", PASSWORD)).await;
        sessions.push(s);
    }
    let mut oldest = sessions[0].events();
    let mut second = sessions[1].events();
    let fifth = env.session_as(Some("webim_web_dev5"));
    login(&fifth, Credentials::password("gus", PASSWORD)).await;
    let why = disconnected(&mut oldest, "oldest kicked").await;
    assert_eq!(why.reason, DisconnectReason::KickedByOtherLogin);
    assert_eq!(why.vendor.as_ref().map(|v| v.code), Some(206));
    let by = why.by.expect("the kicking device");
    assert_eq!((by.platform, by.name.as_deref()), (unim_core::Platform::Web, Some("webim")));
    quiet(&mut second, "the second device").await;
    assert_eq!(sessions[1].state(), ConnectionState::Connected);
}

/// A dropped link reconnects with the same token and resource, and the
/// session is Connected again without a Disconnected.
#[tokio::test]
async fn a_dropped_link_reconnects() {
    let env = Env::start().await;
    env.user("hal").await;
    let s = env.session();
    login(&s, Credentials::password("hal", PASSWORD)).await;
    let mut events = s.events();
    assert_eq!(env.emulator.engine().drop_links("hal"), 1);
    let seen = until(&mut events, "reconnected", |e| is_state(e, |s| *s == ConnectionState::Connected)).await;
    assert!(seen.iter().all(|e| disconnect_of(e).is_none()), "{seen:?}");
    assert!(seen.iter().any(|e| is_state(e, |s| matches!(s, ConnectionState::Reconnecting { attempt: 1, .. }))));
    tokio::time::timeout(WAIT, s.ping()).await.expect("ping in time").expect("ping after the reconnect");
    let online = env.admin.resources("hal").await.expect("resources");
    assert_eq!(online.len(), 1, "the same device came back: {online:?}");
}

/// The token's will-expire warning comes at 80% of its lifetime, on the
/// session's clock.
#[tokio::test]
async fn the_token_will_expire_at_80_percent() {
    let env = Env::start().await;
    env.user("ivy").await;
    let ttl = Duration::from_secs(1000);
    let grant = env.admin.user_token_password("ivy", &Secret::new(PASSWORD), Some(ttl)).await.expect("token");
    let s = env.session();
    let start = env.clock.unix_secs();
    login(&s, Credentials::token("ivy", grant.access_token.expose())).await;
    let mut events = s.events();
    env.clock.advance(Duration::from_secs(790));
    quiet(&mut events, "before 80%").await;
    env.clock.advance(Duration::from_secs(15));
    let seen = until(&mut events, "will expire", |e| matches!(e, Event::CredentialWillExpire { .. })).await;
    let Some(Event::CredentialWillExpire { user, expires_at }) = seen.last() else { unreachable!() };
    assert_eq!(user, "ivy");
    assert!(expires_at.abs_diff(start + 1000) <= 1, "expires_at {expires_at}, start {start}");
    assert_eq!(s.state(), ConnectionState::Connected);
}

/// Sends `count` one-to-one texts from `from` to `to` over a raw msync link
/// (the session has no messaging face yet), waiting for each ack.
async fn send_texts(env: &Env, from: &str, to: &str, count: u64) {
    use futures::SinkExt;
    use tokio_tungstenite::tungstenite::Message;
    use unim_easemob::link::{self, message_body, Jid, MSync, MessageBody, Meta, Provision};

    let grant = env.admin.user_token_password(from, &Secret::new(PASSWORD), None).await.expect("sender token");
    let token = grant.access_token.expose().to_owned();
    let (mut ws, _) = tokio_tungstenite::connect_async(env.endpoint.ws_url.as_str()).await.expect("sender link");
    let app_key = env.endpoint.app_key.clone();
    let resource = "webim_web_sender";
    let guid = Jid::user(&app_key, from).with_resource(resource);
    let login = MSync::provision_request(guid, &token, &Provision::login(resource, &token));
    ws.send(Message::Binary(link::encode(&login).into())).await.expect("send PROVISION");
    let mut acked = 0;
    let mut sent = false;
    while acked < count {
        let msg = tokio::time::timeout(WAIT, ws.next()).await.expect("sender frame in time");
        let Some(Ok(Message::Binary(bytes))) = msg else { panic!("sender link: {msg:?}") };
        let frame = link::decode(&bytes).expect("frame");
        if frame.command == Some(link::msync::Command::Provision as i32) {
            assert!(frame.provision_status().expect("status").is_ok());
        } else if let Ok(dl) = frame.read_sync_down() {
            if dl.meta_id.unwrap_or(0) > 0 {
                acked += 1;
            }
        }
        if !sent {
            sent = true;
            for i in 0..count {
                let body = MessageBody::text_message(
                    message_body::Type::Chat,
                    Jid::user(&app_key, from),
                    Jid::user(&app_key, to),
                    format!("hello {i}"),
                );
                let meta = Meta::chat(1000 + i, Jid::user(&app_key, to), &body);
                let frame = MSync::sync_up(&link::CommSyncUl::send(meta));
                ws.send(Message::Binary(link::encode(&frame).into())).await.expect("send text");
            }
        }
    }
    let _ = ws.close(None).await;
}

/// Messages that waited for an offline user are synced at login: Syncing
/// between Authenticating and Connected, with SyncStarted and SyncFinished.
#[tokio::test]
async fn offline_messages_are_synced_before_connected() {
    let env = Env::start().await;
    env.user("jack").await;
    env.user("kate").await;
    send_texts(&env, "jack", "kate", 3).await;
    let s = env.session();
    let mut events = s.events();
    login(&s, Credentials::password("kate", PASSWORD)).await;
    let seen = until(&mut events, "connected", |e| is_state(e, |s| *s == ConnectionState::Connected)).await;
    assert_eq!(
        states(&seen),
        [
            ConnectionState::Connecting,
            ConnectionState::Authenticating,
            ConnectionState::Syncing,
            ConnectionState::Connected
        ]
    );
    let started = seen.iter().position(|e| *e == Event::SyncStarted).expect("SyncStarted");
    let finished = seen.iter().position(|e| *e == Event::SyncFinished).expect("SyncFinished");
    assert!(started < finished, "{seen:?}");
    // Nothing is left to pull: a second login syncs nothing.
    s.logout().await.expect("logout");
    let mut events = s.events();
    login(&s, Credentials::password("kate", PASSWORD)).await;
    let seen = until(&mut events, "connected again", |e| is_state(e, |s| *s == ConnectionState::Connected)).await;
    assert!(!seen.contains(&Event::SyncStarted), "{seen:?}");
}

/// A provider that asks the REST API for a fresh token.
struct Renewer {
    admin: EasemobAdmin,
    calls: std::sync::atomic::AtomicUsize,
}

#[async_trait::async_trait]
impl unim_core::CredentialProvider for Renewer {
    async fn fresh_credentials(
        &self,
        user: &str,
        _reason: unim_core::RenewReason,
    ) -> Result<Credentials, unim_core::Error> {
        self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let grant =
            self.admin.user_token_password(user, &Secret::new(PASSWORD), Some(Duration::from_secs(1000))).await?;
        Ok(Credentials::token(user, grant.access_token.expose()))
    }
}

/// At 80% the provider's fresh token is used on a new link of the same
/// resource before the old one closes: no disconnect, one device online.
#[tokio::test]
async fn the_token_is_renewed_make_before_break() {
    let env = Env::start().await;
    env.user("liam").await;
    let grant = env
        .admin
        .user_token_password("liam", &Secret::new(PASSWORD), Some(Duration::from_secs(1000)))
        .await
        .expect("token");
    let config = EasemobAdminConfig::new(
        env.endpoint.rest_url.clone(),
        env.endpoint.app_key.clone(),
        env.endpoint.client_id.clone(),
        Secret::new(env.endpoint.client_secret.clone()),
    )
    .with_clock(Arc::new(env.clock.clone()));
    let provider = Arc::new(Renewer { admin: EasemobAdmin::new(config).expect("admin"), calls: Default::default() });
    let s = EasemobSession::new(
        EasemobSessionConfig::new(
            env.endpoint.rest_url.clone(),
            env.endpoint.ws_url.clone(),
            env.endpoint.app_key.clone(),
        ),
        SessionOptions { credential_provider: Some(provider.clone()), ..env.options() },
    );
    login(&s, Credentials::token("liam", grant.access_token.expose())).await;
    let mut events = s.events();
    env.clock.advance(Duration::from_secs(805));
    let seen = until(&mut events, "renewed", |e| matches!(e, Event::CredentialRenewed { .. })).await;
    assert!(seen.iter().any(|e| matches!(e, Event::CredentialWillExpire { .. })), "{seen:?}");
    assert!(seen.iter().all(|e| !matches!(e, Event::StateChanged { .. })), "{seen:?}");
    assert_eq!(provider.calls.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert_eq!(s.state(), ConnectionState::Connected);
    tokio::time::timeout(WAIT, s.ping()).await.expect("ping in time").expect("ping after the renewal");
    let online = env.admin.resources("liam").await.expect("resources");
    assert_eq!(online.len(), 1, "{online:?}");
}

/// Without a provider the token's expiry ends the session: CredentialExpired.
#[tokio::test]
async fn an_expired_token_without_a_provider_ends_the_session() {
    let env = Env::start().await;
    env.user("mia").await;
    let grant = env
        .admin
        .user_token_password("mia", &Secret::new(PASSWORD), Some(Duration::from_secs(1000)))
        .await
        .expect("token");
    let s = env.session();
    login(&s, Credentials::token("mia", grant.access_token.expose())).await;
    let mut events = s.events();
    env.clock.advance(Duration::from_secs(1002));
    let seen = until(&mut events, "expired", |e| disconnect_of(e).is_some()).await;
    assert!(seen.contains(&Event::CredentialExpired { user: "mia".into() }), "{seen:?}");
    assert_eq!(disconnect_of(seen.last().unwrap()).unwrap().reason, DisconnectReason::CredentialExpired);
    quiet(&mut events, "after expiry").await;
}

/// A deactivated user is refused: by /token for a password, by PROVISION
/// (IM_FORBIDDEN) for a token; both end with Banned.
#[tokio::test]
async fn a_deactivated_user_is_banned() {
    let env = Env::start().await;
    env.user("ned").await;
    let grant = env.admin.user_token_password("ned", &Secret::new(PASSWORD), None).await.expect("token");
    env.admin.deactivate("ned").await.expect("deactivate");
    let s = env.session();
    let mut events = s.events();
    let e = s.login(Credentials::token("ned", grant.access_token.expose())).await.expect_err("refused");
    assert_eq!(e.kind, ErrorKind::PermissionDenied, "{e}");
    assert_eq!(disconnected(&mut events, "token refused").await.reason, DisconnectReason::Banned);
    let e = s.login(Credentials::password("ned", PASSWORD)).await.expect_err("refused");
    assert_eq!(e.kind, ErrorKind::PermissionDenied, "{e}");
    assert_eq!(disconnected(&mut events, "password refused").await.reason, DisconnectReason::Banned);
}

/// A login abandoned by its caller leaves the session logged out.
#[tokio::test]
async fn an_abandoned_login_leaves_the_session_logged_out() {
    let env = Env::start().await;
    env.user("olga").await;
    let s = env.session();
    let mut events = s.events();
    env.emulator.faults().hold_logins();
    {
        let attempt = s.login(Credentials::password("olga", PASSWORD));
        tokio::pin!(attempt);
        tokio::select! {
            r = &mut attempt => panic!("the held login finished: {r:?}"),
            _ = until(&mut events, "authenticating", |e| is_state(e, |s| *s == ConnectionState::Authenticating)) => {}
        }
    }
    assert_eq!(s.state(), ConnectionState::Disconnected);
    assert_eq!(s.current_user(), None);
    assert_eq!(disconnected(&mut events, "abandoned").await.reason, DisconnectReason::Requested);
    env.emulator.faults().release_logins();
    login(&s, Credentials::password("olga", PASSWORD)).await;
    tokio::time::timeout(WAIT, s.ping()).await.expect("ping in time").expect("ping");
}

/// A password login is saved as its token (no password in the store) and
/// resumes in a new session; a kick then ends auto-login.
#[tokio::test]
async fn a_saved_login_resumes_until_a_kick() {
    use unim_core::{MemoryStore, SessionStore, StoreEntry};
    let env = Env::start().await;
    env.user("pia").await;
    let store = Arc::new(MemoryStore::new());
    let options = || SessionOptions { store: Some(store.clone()), ..env.options() };
    let config = || {
        EasemobSessionConfig::new(
            env.endpoint.rest_url.clone(),
            env.endpoint.ws_url.clone(),
            env.endpoint.app_key.clone(),
        )
    };
    let first = EasemobSession::new(config(), options());
    login(&first, Credentials::password("pia", PASSWORD)).await;
    match store.load().expect("store") {
        StoreEntry::Saved(saved) => {
            assert_eq!(saved.vendor, unim_easemob::VENDOR);
            assert_eq!(saved.credentials.kind(), unim_core::CredentialKind::Token);
            assert_eq!(saved.credentials.user(), "pia");
        }
        other => panic!("nothing saved: {other:?}"),
    }
    drop(first);

    let second = EasemobSession::new(config(), options());
    tokio::time::timeout(WAIT, second.resume()).await.expect("resume in time").expect("resume");
    assert_eq!(second.state(), ConnectionState::Connected);
    let mut events = second.events();
    env.admin.disconnect("pia").await.expect("disconnect");
    assert_eq!(disconnected(&mut events, "kicked").await.reason, DisconnectReason::KickedByOwnDevice);

    let third = EasemobSession::new(config(), options());
    let e = third.resume().await.expect_err("auto-login stopped");
    assert!(matches!(e.kind, ErrorKind::AutoLoginStopped { .. }), "{e}");
}

/// Reconnect attempts after the first wait on the session's clock: with
/// the service refusing, attempt 2 only comes when the clock moves.
#[tokio::test]
async fn reconnect_backoff_runs_on_the_session_clock() {
    let env = Env::start().await;
    env.user("quin").await;
    let s = env.session();
    login(&s, Credentials::password("quin", PASSWORD)).await;
    let mut events = s.events();
    env.emulator.faults().refuse_connections(true);
    assert_eq!(env.emulator.engine().drop_links("quin"), 1);
    until(&mut events, "attempt 2", |e| is_state(e, |s| matches!(s, ConnectionState::Reconnecting { attempt: 2, .. })))
        .await;
    let attempts = env.emulator.faults().connection_attempts();
    quiet(&mut events, "waiting on the clock").await;
    assert_eq!(env.emulator.faults().connection_attempts(), attempts, "attempt 2 did not wait");
    env.emulator.faults().refuse_connections(false);
    env.clock.advance(POLICY.delay(2));
    let seen = until(&mut events, "reconnected", |e| is_state(e, |s| *s == ConnectionState::Connected)).await;
    assert!(seen.iter().all(|e| disconnect_of(e).is_none()), "{seen:?}");
}

/// Logging out while a reconnect waits for the server ends at once, with
/// one Disconnected.
#[tokio::test]
async fn logout_during_a_reconnect_handshake() {
    let env = Env::start().await;
    env.user("rita").await;
    let s = env.session();
    login(&s, Credentials::password("rita", PASSWORD)).await;
    let mut events = s.events();
    env.emulator.faults().hold_logins();
    env.emulator.engine().drop_links("rita");
    until(&mut events, "reconnecting", |e| is_state(e, |s| matches!(s, ConnectionState::Reconnecting { .. }))).await;
    tokio::time::timeout(WAIT, s.logout()).await.expect("logout in time").expect("logout");
    assert_eq!(disconnected(&mut events, "after logout").await.reason, DisconnectReason::Requested);
    env.emulator.faults().release_logins();
    quiet(&mut events, "after logout").await;
    assert_eq!(s.state(), ConnectionState::Disconnected);
}

/// `other_devices()` lists the user's other devices (REST resources with the
/// session's own token, minus this device); `kick_device` kicks one of them,
/// which ends once with 217 `KickedByOwnDevice`; the kicker stays.
#[tokio::test]
async fn a_device_lists_and_kicks_another_of_its_devices() {
    let env = Env::start().await;
    env.user("kim").await;
    let a = env.session_as(Some("webim_web_kim_a"));
    let b = env.session_as(Some("webim_web_kim_b"));
    assert_eq!(a.other_devices().await.unwrap_err().kind, ErrorKind::InvalidState, "not logged in");
    login(&a, Credentials::password("kim", PASSWORD)).await;
    assert!(a.other_devices().await.expect("other devices").is_empty());
    login(&b, Credentials::password("kim", PASSWORD)).await;
    let listed = a.other_devices().await.expect("other devices");
    let ids: Vec<Option<&str>> = listed.iter().map(|d| d.id.as_deref()).collect();
    assert_eq!(ids, [Some("webim_web_kim_b")]);
    assert_eq!(listed[0].platform, unim_core::Platform::Web);

    assert_eq!(a.kick_device(&a.device()).await.unwrap_err().kind, ErrorKind::InvalidInput, "not itself");
    let mut a_events = a.events();
    let mut b_events = b.events();
    a.kick_device(&listed[0]).await.expect("kick B");
    let seen = until(&mut b_events, "B kicked", |e| disconnect_of(e).is_some()).await;
    assert!(seen.iter().all(|e| !is_state(e, |s| matches!(s, ConnectionState::Reconnecting { .. }))), "{seen:?}");
    let why = disconnect_of(seen.last().unwrap()).unwrap();
    assert_eq!(why.reason, DisconnectReason::KickedByOwnDevice);
    assert_eq!(why.vendor.map(|v| v.code), Some(217));
    quiet(&mut b_events, "B after the kick").await;
    assert_eq!(b.state(), ConnectionState::Disconnected);

    quiet(&mut a_events, "A after kicking B").await;
    assert_eq!(a.state(), ConnectionState::Connected);
    a.ping().await.expect("ping on A");
    assert!(a.other_devices().await.expect("other devices").is_empty());
    let gone = a.kick_device(&listed[0]).await.unwrap_err();
    assert_eq!(gone.kind, ErrorKind::NotFound, "{gone}");
}

/// `kick_other_devices()` kicks every other device of the user (each once,
/// 217) and keeps the kicker.
#[tokio::test]
async fn a_device_kicks_all_the_others() {
    let env = Env::start().await;
    env.user("lee").await;
    let kicker = env.session_as(Some("webim_web_lee_0"));
    login(&kicker, Credentials::password("lee", PASSWORD)).await;
    let mut others = Vec::new();
    for i in 1..=2 {
        let s = env.session_as(Some(&format!("webim_web_lee_{i}")));
        // The others log in with a token, the kicker with a password.
        let grant = env.admin.user_token_inherit("lee", None, false).await.expect("token");
        login(&s, Credentials::Token { user: "lee".into(), token: grant.access_token }).await;
        let events = s.events();
        others.push((s, events));
    }
    let mut kicker_events = kicker.events();
    assert_eq!(kicker.kick_other_devices().await.expect("kick the others"), 2);
    for (s, events) in &mut others {
        let why = disconnected(events, "kicked by the user's own device").await;
        assert_eq!((why.reason, why.vendor.map(|v| v.code)), (DisconnectReason::KickedByOwnDevice, Some(217)));
        quiet(events, "after the kick").await;
        assert_eq!(s.state(), ConnectionState::Disconnected);
    }
    quiet(&mut kicker_events, "the kicker").await;
    assert_eq!(kicker.state(), ConnectionState::Connected);
    assert_eq!(kicker.kick_other_devices().await.expect("nobody left"), 0);
}
