//! The Tencent session's life cycle against the emulator, on a manual clock:
//! races between logout, login and the supervisor; reconnects after a kick or
//! revocation that happened while the link was down; timers; cancellation.

use async_trait::async_trait;
use futures::StreamExt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use unim_core::{
    Clock, ConnectionState, CredentialProvider, Credentials, DisconnectReason, Error, ErrorKind, Event, EventStream,
    ManualClock, MemoryStore, ReconnectPolicy, RenewReason, SavedLogin, Session, SessionOptions, SessionStore,
    StoreEntry,
};
use unim_tencent::session::TencentSession;
use unim_tencent::usersig::UserSigKey;

mod common;

use common::{Env, WAIT};

const POLICY: ReconnectPolicy =
    ReconnectPolicy { max_attempts: 3, initial_delay: Duration::from_secs(1), max_delay: Duration::from_secs(2) };

impl Env {
    fn options(&self) -> SessionOptions {
        SessionOptions {
            clock: Arc::new(self.clock.clone()),
            reconnect: POLICY,
            request_timeout: Duration::from_secs(60),
            ..SessionOptions::default()
        }
    }

    fn session_with(&self, options: SessionOptions) -> TencentSession {
        TencentSession::new(self.config(), options)
    }

    fn session(&self) -> TencentSession {
        self.session_with(self.options())
    }

    fn attempts(&self) -> u64 {
        self.emulator.faults().connection_attempts()
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

fn disconnect_reason(e: &Event) -> Option<DisconnectReason> {
    match e {
        Event::StateChanged { state: ConnectionState::Disconnected, reason } => {
            Some(reason.as_ref().map_or(DisconnectReason::Other, |d| d.reason))
        }
        _ => None,
    }
}

async fn disconnected(events: &mut EventStream, what: &str) -> DisconnectReason {
    let seen = until(events, what, |e| disconnect_reason(e).is_some()).await;
    disconnect_reason(seen.last().unwrap()).unwrap()
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

async fn login(s: &TencentSession, creds: Credentials) {
    tokio::time::timeout(WAIT, s.login(creds)).await.expect("login in time").expect("login");
}

/// Drops `user`'s link while the service refuses connections, so the
/// session's first (immediate) reconnect fails and it waits for the second.
async fn drop_link_and_fail_first_retry(env: &Env, user: &str, events: &mut EventStream) {
    env.emulator.faults().refuse_connections(true);
    assert_eq!(env.emulator.engine().drop_links(user), 1);
    until(events, "the second reconnect attempt", |e| {
        is_state(e, |s| matches!(s, ConnectionState::Reconnecting { attempt: 2, .. }))
    })
    .await;
    env.emulator.faults().refuse_connections(false);
}

/// A login replaced while this one's link was down must not come back on
/// reconnect and push the newer login out (the official SDK logs in again
/// with its A2 ticket, which the server knows was kicked).
#[tokio::test]
async fn a_login_kicked_while_its_link_was_down_stays_kicked() {
    let env = Env::start().await;
    let a = env.session();
    let mut a_events = a.events();
    login(&a, env.creds("alice", 3600)).await;

    drop_link_and_fail_first_retry(&env, "alice", &mut a_events).await;
    let b = env.session();
    login(&b, env.creds("alice", 3600)).await;
    let mut b_events = b.events();

    env.clock.advance(POLICY.max_delay);
    assert_eq!(disconnected(&mut a_events, "A after its reconnect").await, DisconnectReason::KickedByOtherLogin);
    quiet(&mut b_events, "B after A came back").await;
    assert_eq!(b.state(), ConnectionState::Connected);
    b.ping().await.expect("B still logged in");
}

/// A REST kick while the link was down is a server kick, not an expiry.
#[tokio::test]
async fn a_login_revoked_while_its_link_was_down_is_kicked_by_the_server() {
    let env = Env::start().await;
    let store = Arc::new(MemoryStore::new());
    let a = env.session_with(SessionOptions { store: Some(store.clone()), ..env.options() });
    let mut events = a.events();
    login(&a, env.creds("carol", 3600)).await;

    drop_link_and_fail_first_retry(&env, "carol", &mut events).await;
    // The kick voids UserSigs issued before it (strictly): let a second pass.
    env.clock.advance(Duration::from_secs(1));
    env.emulator.engine().revoke_and_kick("carol", DisconnectReason::KickedByServer);
    env.clock.advance(POLICY.max_delay);
    assert_eq!(disconnected(&mut events, "after the reconnect").await, DisconnectReason::KickedByServer);
    assert!(
        matches!(store.load().unwrap(), StoreEntry::Stopped { reason, .. } if reason.reason == DisconnectReason::KickedByServer)
    );
}

/// A provider that never answers.
struct StuckProvider(AtomicUsize);

#[async_trait]
impl CredentialProvider for StuckProvider {
    async fn fresh_credentials(&self, _user: &str, _reason: RenewReason) -> Result<Credentials, Error> {
        self.0.fetch_add(1, Ordering::SeqCst);
        futures::future::pending().await
    }
}

/// Logging out must not wait for a renewal the provider never finishes.
#[tokio::test]
async fn logout_does_not_wait_for_a_stuck_provider() {
    let env = Env::start().await;
    let provider = Arc::new(StuckProvider(AtomicUsize::new(0)));
    let s = env.session_with(SessionOptions { credential_provider: Some(provider.clone()), ..env.options() });
    let mut events = s.events();
    login(&s, env.creds("erin", 1000)).await;
    env.clock.advance(Duration::from_secs(800));
    until(&mut events, "the warning", |e| matches!(e, Event::CredentialWillExpire { .. })).await;
    while provider.0.load(Ordering::SeqCst) == 0 {
        tokio::task::yield_now().await;
    }
    tokio::time::timeout(WAIT, s.logout()).await.expect("logout in time").expect("logout");
    assert_eq!(disconnected(&mut events, "after logout").await, DisconnectReason::Requested);
    assert_eq!(s.state(), ConnectionState::Disconnected);
}

/// Logging out while a reconnect waits for the server's answer ends at once.
#[tokio::test]
async fn logout_during_a_reconnect_handshake() {
    let env = Env::start().await;
    let s = env.session();
    let mut events = s.events();
    login(&s, env.creds("frank", 3600)).await;
    env.emulator.faults().hold_logins();
    env.emulator.engine().drop_links("frank");
    until(&mut events, "reconnecting", |e| is_state(e, |s| matches!(s, ConnectionState::Reconnecting { .. }))).await;
    tokio::time::timeout(WAIT, s.logout()).await.expect("logout in time").expect("logout");
    assert_eq!(disconnected(&mut events, "after logout").await, DisconnectReason::Requested);
    env.emulator.faults().release_logins();
    quiet(&mut events, "after logout").await;
}

/// A login abandoned by its caller (a timeout around it) leaves the session
/// logged out, not `Authenticating` forever.
#[tokio::test]
async fn an_abandoned_login_leaves_the_session_logged_out() {
    let env = Env::start().await;
    let s = env.session();
    let mut events = s.events();
    env.emulator.faults().hold_logins();
    {
        let attempt = s.login(env.creds("gina", 3600));
        tokio::pin!(attempt);
        tokio::select! {
            r = &mut attempt => panic!("the held login finished: {r:?}"),
            _ = until(&mut events, "authenticating", |e| is_state(e, |s| *s == ConnectionState::Authenticating)) => {}
        }
    }
    assert_eq!(s.state(), ConnectionState::Disconnected);
    assert_eq!(s.current_user(), None);
    assert_eq!(disconnected(&mut events, "after the abandoned login").await, DisconnectReason::Requested);
    env.emulator.faults().release_logins();
    login(&s, env.creds("gina", 3600)).await;
    s.ping().await.expect("ping");
}

/// A provider that signs fresh UserSigs.
struct Signer {
    key: UserSigKey,
    clock: ManualClock,
    calls: AtomicUsize,
}

#[async_trait]
impl CredentialProvider for Signer {
    async fn fresh_credentials(&self, user: &str, _reason: RenewReason) -> Result<Credentials, Error> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        Ok(Credentials::user_sig(user, self.key.gen(user, 1000, self.clock.unix_secs())))
    }
}

/// The credential expired while the link was down: the reconnect renews it and
/// the session is Connected again.
#[tokio::test]
async fn a_renewal_during_a_reconnect_ends_connected() {
    let env = Env::start().await;
    let provider = Arc::new(Signer { key: env.key.clone(), clock: env.clock.clone(), calls: AtomicUsize::new(0) });
    let s = env.session_with(SessionOptions { credential_provider: Some(provider.clone()), ..env.options() });
    let mut events = s.events();
    login(&s, env.creds("hana", 1000)).await;

    drop_link_and_fail_first_retry(&env, "hana", &mut events).await;
    env.clock.advance(Duration::from_secs(1001));
    let seen = until(&mut events, "renewed", |e| matches!(e, Event::CredentialRenewed { .. })).await;
    assert!(seen.iter().all(|e| disconnect_reason(e).is_none()), "{seen:?}");
    until(&mut events, "connected", |e| is_state(e, |s| *s == ConnectionState::Connected)).await;
    assert_eq!(s.state(), ConnectionState::Connected);
    s.ping().await.expect("ping after the renewal");
}

/// A renewal that brings a credential already past its warning point does
/// not renew again and again.
#[tokio::test]
async fn a_stale_renewal_is_not_renewed_in_a_loop() {
    struct Stale {
        creds: Credentials,
        calls: AtomicUsize,
    }
    #[async_trait]
    impl CredentialProvider for Stale {
        async fn fresh_credentials(&self, _user: &str, _reason: RenewReason) -> Result<Credentials, Error> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            Ok(self.creds.clone())
        }
    }
    let env = Env::start().await;
    let creds = env.creds("ivan", 1000);
    let provider = Arc::new(Stale { creds: creds.clone(), calls: AtomicUsize::new(0) });
    let s = env.session_with(SessionOptions { credential_provider: Some(provider.clone()), ..env.options() });
    let mut events = s.events();
    login(&s, creds).await;
    env.clock.advance(Duration::from_secs(800));
    until(&mut events, "renewed", |e| matches!(e, Event::CredentialRenewed { .. })).await;
    quiet(&mut events, "after one renewal").await;
    assert_eq!(provider.calls.load(Ordering::SeqCst), 1);
    assert_eq!(s.state(), ConnectionState::Connected);
}

/// Resuming a saved UserSig that has expired, with no provider to renew it,
/// says so plainly and does not connect.
#[tokio::test]
async fn resuming_an_expired_usersig_without_a_provider() {
    let env = Env::start().await;
    let store = Arc::new(MemoryStore::new());
    let saved = env.creds("judy", 100);
    store
        .put(StoreEntry::Saved(SavedLogin {
            vendor: "tencent".into(),
            credentials: saved,
            saved_at: env.clock.unix_secs(),
        }))
        .unwrap();
    env.clock.advance(Duration::from_secs(101));
    let s = env.session_with(SessionOptions { store: Some(store.clone()), ..env.options() });
    let before = env.attempts();
    let err = s.resume().await.expect_err("an expired UserSig cannot resume");
    assert_eq!(err.kind, ErrorKind::CredentialExpired, "{err}");
    assert!(err.message.contains("expired") && err.message.contains("judy"), "{err}");
    assert!(!err.message.contains(store_secret(&store).as_str()));
    assert_eq!(env.attempts(), before, "resume connected anyway");
    assert!(matches!(store.load().unwrap(), StoreEntry::Saved(_)));
}

fn store_secret(store: &MemoryStore) -> String {
    match store.load().unwrap() {
        StoreEntry::Saved(s) => s.credentials.secret().expose().to_owned(),
        other => panic!("{other:?}"),
    }
}

/// A provider asked to renew a saved login must return the same user.
#[tokio::test]
async fn resume_refuses_renewed_credentials_for_another_user() {
    struct Other(Credentials);
    #[async_trait]
    impl CredentialProvider for Other {
        async fn fresh_credentials(&self, _user: &str, _reason: RenewReason) -> Result<Credentials, Error> {
            Ok(self.0.clone())
        }
    }
    let env = Env::start().await;
    let store = Arc::new(MemoryStore::new());
    store
        .put(StoreEntry::Saved(SavedLogin {
            vendor: "tencent".into(),
            credentials: env.creds("kate", 100),
            saved_at: env.clock.unix_secs(),
        }))
        .unwrap();
    env.clock.advance(Duration::from_secs(101));
    let provider = Arc::new(Other(env.creds("mallory", 1000)));
    let s =
        env.session_with(SessionOptions { store: Some(store), credential_provider: Some(provider), ..env.options() });
    let err = s.resume().await.expect_err("another user's credentials");
    assert_eq!(err.kind, ErrorKind::InvalidInput, "{err}");
    assert_eq!(s.current_user(), None);
}

/// A kick and a logout at once end the session once.
#[tokio::test]
async fn a_kick_racing_a_logout_ends_the_session_once() {
    let env = Env::start().await;
    let s = env.session();
    let mut events = s.events();
    login(&s, env.creds("liam", 3600)).await;
    env.emulator.engine().kick_user("liam", DisconnectReason::KickedByServer);
    tokio::time::timeout(WAIT, s.logout()).await.expect("logout in time").expect("logout");
    let reason = disconnected(&mut events, "after kick + logout").await;
    assert!(matches!(reason, DisconnectReason::KickedByServer | DisconnectReason::Requested), "{reason:?}");
    quiet(&mut events, "after the session ended").await;
    assert_eq!(s.state(), ConnectionState::Disconnected);
    assert_eq!(s.current_user(), None);
}

/// Dropping a logged-in session ends its link: the server sees it go.
#[tokio::test]
async fn dropping_a_session_ends_its_link() {
    let env = Env::start().await;
    let s = env.session();
    login(&s, env.creds("mia", 3600)).await;
    assert_eq!(env.emulator.engine().links_of("mia").len(), 1);
    drop(s);
    tokio::time::timeout(WAIT, async {
        while !env.emulator.engine().links_of("mia").is_empty() {
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("the link ended after the drop");
}
