//! The harness: everything vendor-specific a case needs, behind one trait.
//!
//! A harness owns one backend (normally a fresh emulator with a manual clock)
//! and knows how to open sessions on it as new devices, how to mint good,
//! wrong and expired credentials, and how to pull the emulator's fault
//! switches. Cases see only this trait and the neutral model.

use async_trait::async_trait;
use futures::future::BoxFuture;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use unim_core::{
    Admin, Capabilities, CredentialProvider, Credentials, Error, ManualClock, Platform, ReconnectPolicy, Session,
    SessionStore,
};

/// How to build one session (one new device).
#[derive(Clone, Default)]
pub struct SessionSetup {
    /// The auto-login store, if the session should save its login.
    pub store: Option<Arc<dyn SessionStore>>,
    /// Who renews credentials, if anyone.
    pub provider: Option<Arc<dyn CredentialProvider>>,
    /// The device's platform, one of [`Harness::platforms`]; `None` is the
    /// harness's default (the first of them).
    pub platform: Option<Platform>,
}

impl SessionSetup {
    /// A session saving its login in `store`.
    pub fn with_store(store: Arc<dyn SessionStore>) -> Self {
        SessionSetup { store: Some(store), ..Self::default() }
    }

    /// A session renewing its credentials through `provider`.
    pub fn with_provider(provider: Arc<dyn CredentialProvider>) -> Self {
        SessionSetup { provider: Some(provider), ..Self::default() }
    }

    /// A session on `platform`.
    pub fn on(platform: Platform) -> Self {
        SessionSetup { platform: Some(platform), ..Self::default() }
    }
}

impl fmt::Debug for SessionSetup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionSetup")
            .field("store", &self.store.is_some())
            .field("provider", &self.provider.is_some())
            .field("platform", &self.platform)
            .finish()
    }
}

/// One vendor's backend as the cases see it. Each case gets its own harness,
/// so nothing a case does (users, kicks, faults, clock moves) leaks into the next.
#[async_trait]
pub trait Harness: Send + Sync {
    /// The vendor's short name (`tencent`, ...), as its sessions report it.
    fn vendor(&self) -> &'static str;

    /// What the adapter claims; cases whose needs are not claimed are unsupported.
    fn capabilities(&self) -> Capabilities;

    /// The clock shared by the backend and every session of this harness.
    /// Cases move it to make credentials expire and backoffs elapse.
    fn clock(&self) -> &ManualClock;

    /// The app server's side, on the same backend.
    fn admin(&self) -> Arc<dyn Admin>;

    /// A new session: a new device, never logged in, built with
    /// [`Harness::reconnect_policy`] and the harness's clock.
    fn session(&self, setup: SessionSetup) -> Box<dyn Session>;

    /// The platforms this harness can open sessions as, the default first.
    /// Cases ask [`Harness::session`] only for these. A web-protocol adapter
    /// typically offers only [`Platform::Web`].
    fn platforms(&self) -> Vec<Platform> {
        vec![Platform::Web]
    }

    /// A user id no other call of this harness returned (valid for the vendor).
    fn fresh_user(&self) -> String;

    /// A user id that was never registered (for the auto-registration case).
    fn unregistered_user(&self) -> String;

    /// A user id the vendor refuses outright (too long, bad characters).
    fn invalid_user_id(&self) -> String;

    /// Valid credentials for `user`, issued now and good for `ttl`. Registers
    /// the user first when the vendor requires registration.
    async fn credentials(&self, user: &str, ttl: Duration) -> Result<Credentials, Error>;

    /// Credentials an app would present for `user` without registering it
    /// (for vendors that auto-register, simply valid credentials; for the
    /// others, what a client would send for an account that does not exist).
    async fn unregistered_credentials(&self, user: &str) -> Result<Credentials, Error>;

    /// Credentials for `user` whose secret is wrong (for Tencent: a UserSig
    /// signed with another key), not expired.
    async fn wrong_credentials(&self, user: &str) -> Result<Credentials, Error>;

    /// Credentials for `user` that were valid once and have expired at the
    /// clock's current time.
    async fn expired_credentials(&self, user: &str) -> Result<Credentials, Error>;

    /// Long-lived credentials for `user` of a kind that an [`Admin::kick`]
    /// voids, registering the user first when needed. The default is
    /// [`Harness::credentials`] valid for a year; a harness whose
    /// [`Harness::credentials`] are of a kind the vendor's kick cannot void
    /// (NetEase's dynamic tokens, checked by signature alone) hands out the
    /// kind it does void.
    async fn revocable_credentials(&self, user: &str) -> Result<Credentials, Error> {
        self.credentials(user, Duration::from_secs(365 * 86_400)).await
    }

    /// `Credentials::Password` for `user`, registered first when needed, as an
    /// app would let a user type them. Unsupported unless the vendor logs in
    /// with passwords.
    async fn password_credentials(&self, user: &str) -> Result<Credentials, Error> {
        let _ = user;
        Err(Error::unsupported(format!("the {} harness has no password logins", self.vendor())))
    }

    /// A `Credentials::Token` for `user` issued by the app server, valid for
    /// `ttl`, registering the user first when needed. Unsupported unless the
    /// vendor logs in with app-issued tokens.
    async fn token_credentials(&self, user: &str, ttl: Duration) -> Result<Credentials, Error> {
        let _ = (user, ttl);
        Err(Error::unsupported(format!("the {} harness has no token logins", self.vendor())))
    }

    /// The app server changes `user`'s password (to one the harness then uses
    /// for [`Harness::credentials`] and [`Harness::password_credentials`]).
    async fn change_password(&self, user: &str) -> Result<(), Error> {
        let _ = user;
        Err(Error::unsupported(format!("the {} harness cannot change passwords", self.vendor())))
    }

    /// The app server voids the credentials [`Harness::token_credentials`]
    /// handed out for `user` (a token refresh or replacement), without
    /// telling any online device: a later login with them is refused with
    /// `Unauthenticated`. Credentials handed out afterwards work. Unsupported
    /// unless the harness can do this.
    async fn invalidate_credentials(&self, user: &str) -> Result<(), Error> {
        let _ = user;
        Err(Error::unsupported(format!("the {} harness cannot invalidate credentials", self.vendor())))
    }

    /// The app server bans (blocks, deactivates) `user` until [`Harness::unban`].
    async fn ban(&self, user: &str) -> Result<(), Error> {
        let _ = user;
        Err(Error::unsupported(format!("the {} harness cannot ban users", self.vendor())))
    }

    /// The app server lifts a [`Harness::ban`] of `user`.
    async fn unban(&self, user: &str) -> Result<(), Error> {
        let _ = user;
        Err(Error::unsupported(format!("the {} harness cannot unban users", self.vendor())))
    }

    /// Puts `count` one-to-one text messages from `from` to `to` in the
    /// backend, as if `from` had sent them, registering both users first
    /// when needed. While `to` has no device online they wait in its offline
    /// queue, for the offline sync of its next login. It goes through the
    /// backend's test controls, so `sync.offline_messages` needs no
    /// `Session::send` (the `message.*` cases send through sessions).
    /// Unsupported unless the harness can do this.
    async fn queue_offline_messages(&self, from: &str, to: &str, count: usize) -> Result<(), Error> {
        let _ = (from, to, count);
        Err(Error::unsupported(format!("the {} harness cannot queue offline messages", self.vendor())))
    }

    /// Drops every live link of `user` as a network failure would; returns how many.
    fn drop_links(&self, user: &str) -> usize;

    /// While on, the backend refuses new client links (the service is down).
    fn refuse_connections(&self, on: bool);

    /// How many client link attempts the backend has seen (refused ones included).
    fn connection_attempts(&self) -> u64;

    /// Makes the backend hold login requests unanswered until [`Harness::release_logins`].
    fn hold_logins(&self);

    /// Lets held and future login requests through.
    fn release_logins(&self);

    /// The retry policy the harness's sessions are built with.
    fn reconnect_policy(&self) -> ReconnectPolicy;
}

type MakeHarness = dyn Fn() -> BoxFuture<'static, Result<Box<dyn Harness>, Error>> + Send + Sync;

/// Builds a fresh harness (normally a fresh emulator) for each case.
#[derive(Clone)]
pub struct HarnessFactory {
    make: Arc<MakeHarness>,
}

impl fmt::Debug for HarnessFactory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HarnessFactory")
    }
}

impl HarnessFactory {
    /// A factory calling `make` once per case.
    ///
    /// ```ignore
    /// let factory = HarnessFactory::new(|| async { MyHarness::start().await.map(|h| Box::new(h) as Box<dyn Harness>) });
    /// ```
    pub fn new<F, Fut>(make: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Box<dyn Harness>, Error>> + Send + 'static,
    {
        HarnessFactory { make: Arc::new(move || Box::pin(make())) }
    }

    /// Builds one harness.
    pub async fn create(&self) -> Result<Box<dyn Harness>, Error> {
        (self.make)().await
    }
}
