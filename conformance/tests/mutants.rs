//! The suite's own test: a correct adapter passes every case, and an adapter
//! with one planted defect fails the cases that pin that behaviour down. Each
//! "mutant" wraps the Tencent harness's sessions and breaks one thing (a
//! duplicated kick, a lost vendor code, a wrong error kind, a reconnect after
//! a kick, ...); a mutant that every case lets through would mean a case
//! whose checks cannot fail.

#![cfg(feature = "tencent")]

use async_trait::async_trait;
use futures::StreamExt;
use std::sync::Arc;
use std::time::Duration;
use unim_conformance::vendors::tencent::TencentHarness;
use unim_conformance::{run_case, Harness, HarnessFactory, Outcome, SessionSetup};
use unim_core::{
    Admin, Capabilities, ConnectionState, Credentials, Device, Disconnect, DisconnectReason, Error, ErrorKind, Event,
    EventBus, EventStream, ManualClock, Platform, ReconnectPolicy, Session,
};

/// One planted defect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mutant {
    /// No defect: the wrapper must be transparent.
    None,
    /// Every `Disconnected` is announced twice.
    DoubleDisconnect,
    /// Disconnect reasons lose the vendor's code.
    NoVendorCode,
    /// A refused expired credential is reported as `Unauthenticated`.
    ExpiredIsUnauthenticated,
    /// The `Authenticating` state is never announced.
    SkipAuthenticating,
    /// `current_user()` always says `None`.
    NoUser,
    /// `Reconnecting` is never announced.
    HideReconnecting,
    /// `CredentialWillExpire` names the wrong expiry.
    WrongWarnTime,
    /// `CredentialRenewed` names another user.
    RenewedForSomeoneElse,
    /// An expiry disconnect is reported as `AuthFailed`.
    ExpiryIsAuthFailure,
    /// Invalid input is reported as `Unauthenticated`.
    InvalidInputIsUnauthenticated,
    /// A concurrent login is refused with `Other` instead of `InvalidState`.
    ConcurrentIsOther,
    /// A login that found the service down is retried once more.
    RetryTwice,
    /// `resume()` forgets why auto-login stopped.
    ResumeForgetsReason,
    /// `device()` reports another platform than the server sees.
    WrongPlatform,
    /// `Disconnected(Requested)` is never announced.
    HideRequested,
    /// A logout while logged out announces a `Disconnected`.
    LogoutTwiceEmits,
    /// A session kicked by another login logs in again by itself.
    ReconnectAfterKick,
}

struct MutantHarness {
    inner: TencentHarness,
    mutant: Mutant,
}

fn factory(mutant: Mutant) -> HarnessFactory {
    HarnessFactory::new(move || async move {
        let inner = TencentHarness::start().await?;
        Ok(Box::new(MutantHarness { inner, mutant }) as Box<dyn Harness>)
    })
}

#[async_trait]
impl Harness for MutantHarness {
    fn vendor(&self) -> &'static str {
        self.inner.vendor()
    }
    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }
    fn clock(&self) -> &ManualClock {
        self.inner.clock()
    }
    fn admin(&self) -> Arc<dyn Admin> {
        self.inner.admin()
    }
    fn session(&self, setup: SessionSetup) -> Box<dyn Session> {
        Box::new(MutantSession::new(Arc::from(self.inner.session(setup)), self.mutant))
    }
    fn platforms(&self) -> Vec<Platform> {
        self.inner.platforms()
    }
    fn fresh_user(&self) -> String {
        self.inner.fresh_user()
    }
    fn unregistered_user(&self) -> String {
        self.inner.unregistered_user()
    }
    fn invalid_user_id(&self) -> String {
        self.inner.invalid_user_id()
    }
    async fn credentials(&self, user: &str, ttl: Duration) -> Result<Credentials, Error> {
        self.inner.credentials(user, ttl).await
    }
    async fn unregistered_credentials(&self, user: &str) -> Result<Credentials, Error> {
        self.inner.unregistered_credentials(user).await
    }
    async fn wrong_credentials(&self, user: &str) -> Result<Credentials, Error> {
        self.inner.wrong_credentials(user).await
    }
    async fn expired_credentials(&self, user: &str) -> Result<Credentials, Error> {
        self.inner.expired_credentials(user).await
    }
    fn drop_links(&self, user: &str) -> usize {
        self.inner.drop_links(user)
    }
    fn refuse_connections(&self, on: bool) {
        self.inner.refuse_connections(on)
    }
    fn connection_attempts(&self) -> u64 {
        self.inner.connection_attempts()
    }
    fn hold_logins(&self) {
        self.inner.hold_logins()
    }
    fn release_logins(&self) {
        self.inner.release_logins()
    }
    fn reconnect_policy(&self) -> ReconnectPolicy {
        self.inner.reconnect_policy()
    }
}

/// A session whose events pass through a forwarding task that applies the mutant.
struct MutantSession {
    inner: Arc<dyn Session>,
    mutant: Mutant,
    bus: EventBus,
    forward: tokio::task::JoinHandle<()>,
}

impl Drop for MutantSession {
    fn drop(&mut self) {
        self.forward.abort();
    }
}

/// The events a mutant announces for one event of the real session.
fn mutate(mutant: Mutant, event: Event) -> Vec<Event> {
    let is_disconnect = matches!(&event, Event::StateChanged { state: ConnectionState::Disconnected, .. });
    match (mutant, event) {
        (Mutant::DoubleDisconnect, e) if is_disconnect => vec![e.clone(), e],
        (Mutant::NoVendorCode, Event::StateChanged { state, reason: Some(d) }) => {
            vec![Event::StateChanged { state, reason: Some(Disconnect { vendor: None, ..d }) }]
        }
        (Mutant::SkipAuthenticating, Event::StateChanged { state: ConnectionState::Authenticating, .. }) => vec![],
        (Mutant::HideReconnecting, Event::StateChanged { state: ConnectionState::Reconnecting { .. }, .. }) => vec![],
        (Mutant::WrongWarnTime, Event::CredentialWillExpire { user, expires_at }) => {
            vec![Event::CredentialWillExpire { user, expires_at: expires_at + 1 }]
        }
        (Mutant::RenewedForSomeoneElse, Event::CredentialRenewed { expires_at, .. }) => {
            vec![Event::CredentialRenewed { user: "someone-else".into(), expires_at }]
        }
        (Mutant::ExpiryIsAuthFailure, Event::StateChanged { state, reason: Some(d) })
            if d.reason == DisconnectReason::CredentialExpired =>
        {
            vec![Event::StateChanged { state, reason: Some(Disconnect { reason: DisconnectReason::AuthFailed, ..d }) }]
        }
        (Mutant::HideRequested, Event::StateChanged { reason: Some(d), .. })
            if d.reason == DisconnectReason::Requested =>
        {
            vec![]
        }
        (_, e) => vec![e],
    }
}

impl MutantSession {
    fn new(inner: Arc<dyn Session>, mutant: Mutant) -> Self {
        let bus = EventBus::new();
        let mut upstream = inner.events();
        let out = bus.clone();
        let forward = tokio::spawn(async move {
            while let Some(event) = upstream.next().await {
                for e in mutate(mutant, event) {
                    out.emit(e);
                }
            }
        });
        MutantSession { inner, mutant, bus, forward }
    }
}

#[async_trait]
impl Session for MutantSession {
    fn vendor(&self) -> &'static str {
        self.inner.vendor()
    }

    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }

    async fn login(&self, credentials: Credentials) -> Result<(), Error> {
        let result = self.inner.login(credentials.clone()).await;
        let remap = |e: Error, from: ErrorKind, to: ErrorKind| if e.kind == from { Error { kind: to, ..e } } else { e };
        match (self.mutant, result) {
            (Mutant::ExpiredIsUnauthenticated, Err(e)) => {
                Err(remap(e, ErrorKind::CredentialExpired, ErrorKind::Unauthenticated))
            }
            (Mutant::InvalidInputIsUnauthenticated, Err(e)) => {
                Err(remap(e, ErrorKind::InvalidInput, ErrorKind::Unauthenticated))
            }
            (Mutant::ConcurrentIsOther, Err(e)) => Err(remap(e, ErrorKind::InvalidState, ErrorKind::Other)),
            (Mutant::RetryTwice, Err(e)) if e.kind == ErrorKind::Unavailable => self.inner.login(credentials).await,
            (Mutant::ReconnectAfterKick, Ok(())) => {
                let (inner, creds) = (Arc::downgrade(&self.inner), credentials);
                let mut events = self.inner.events();
                tokio::spawn(async move {
                    while let Some(e) = events.next().await {
                        let kicked = matches!(&e, Event::StateChanged { reason: Some(d), .. }
                            if d.reason == DisconnectReason::KickedByOtherLogin);
                        if let (true, Some(s)) = (kicked, inner.upgrade()) {
                            let _ = s.login(creds).await;
                            return;
                        }
                    }
                });
                Ok(())
            }
            (_, r) => r,
        }
    }

    async fn resume(&self) -> Result<(), Error> {
        match (self.mutant, self.inner.resume().await) {
            (Mutant::ResumeForgetsReason, Err(e)) if matches!(e.kind, ErrorKind::AutoLoginStopped { .. }) => {
                Err(Error::invalid_state("nothing to resume"))
            }
            (_, r) => r,
        }
    }

    async fn logout(&self) -> Result<(), Error> {
        let was_out = self.inner.state() == ConnectionState::Disconnected;
        let r = self.inner.logout().await;
        if self.mutant == Mutant::LogoutTwiceEmits && was_out {
            self.bus.emit(Event::StateChanged {
                state: ConnectionState::Disconnected,
                reason: Some(Disconnect::new(DisconnectReason::Requested)),
            });
        }
        r
    }

    fn events(&self) -> EventStream {
        self.bus.subscribe()
    }

    fn state(&self) -> ConnectionState {
        self.inner.state()
    }

    fn current_user(&self) -> Option<String> {
        if self.mutant == Mutant::NoUser {
            None
        } else {
            self.inner.current_user()
        }
    }

    fn device(&self) -> Device {
        let d = self.inner.device();
        if self.mutant == Mutant::WrongPlatform {
            Device { platform: Platform::Other("toaster".into()), ..d }
        } else {
            d
        }
    }

    async fn ping(&self) -> Result<(), Error> {
        self.inner.ping().await
    }
}

const TIMEOUT: Duration = Duration::from_secs(60);

/// Runs `cases` with `mutant` and expects every one of them to fail.
async fn caught(mutant: Mutant, cases: &[&str]) {
    let f = factory(mutant);
    for name in cases {
        let case = unim_conformance::case::find(name).unwrap_or_else(|| panic!("no case {name}"));
        match run_case(&case, &f, TIMEOUT).await {
            Outcome::Fail(detail) => println!("{mutant:?} caught by {name}: {detail}"),
            other => panic!("the mutant {mutant:?} was not caught by {name}: {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_transparent_wrapper_passes_every_case() {
    let f = factory(Mutant::None);
    for case in unim_conformance::all() {
        let outcome = run_case(&case, &f, TIMEOUT).await;
        assert!(matches!(outcome, Outcome::Pass | Outcome::Unsupported(_)), "{}: {outcome:?}", case.name);
    }
}

macro_rules! mutants {
    ($($test:ident: $mutant:ident => [$($case:literal),+ $(,)?];)*) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $test() {
            caught(Mutant::$mutant, &[$($case),+]).await;
        }
    )*};
}

mutants! {
    a_double_kick_is_caught: DoubleDisconnect => ["kick.other_login", "kick.by_server"];
    a_lost_vendor_code_is_caught: NoVendorCode => ["kick.other_login"];
    expiry_reported_as_auth_failure_is_caught: ExpiredIsUnauthenticated => ["login.expired_credential"];
    a_skipped_state_is_caught: SkipAuthenticating => ["login.ok"];
    a_missing_user_is_caught: NoUser => ["login.ok", "login.switch_account", "network.drop_reconnect"];
    a_hidden_reconnect_is_caught: HideReconnecting => ["network.drop_reconnect"];
    a_wrong_warning_time_is_caught: WrongWarnTime => ["credential.will_expire"];
    a_renewal_for_another_user_is_caught: RenewedForSomeoneElse => ["credential.renewed"];
    expiry_disconnects_as_auth_failures_are_caught: ExpiryIsAuthFailure =>
        ["credential.expired_online", "login.expired_credential"];
    invalid_input_as_auth_failure_is_caught: InvalidInputIsUnauthenticated => ["login.invalid_user_id"];
    a_wrong_concurrent_login_error_is_caught: ConcurrentIsOther => ["login.concurrent"];
    retrying_beyond_the_policy_is_caught: RetryTwice => ["network.unavailable"];
    a_resume_forgetting_why_is_caught: ResumeForgetsReason => ["autologin.resume"];
    a_wrong_platform_is_caught: WrongPlatform => ["multidevice.list"];
    a_hidden_logout_is_caught: HideRequested => ["logout.ok", "login.switch_account"];
    a_noisy_second_logout_is_caught: LogoutTwiceEmits => ["logout.ok"];
    reconnecting_after_a_kick_is_caught: ReconnectAfterKick => ["kick.other_login"];
}
