//! The NetEase harness: the NetEase adapter (`unim-netease`) against a fresh
//! emulator's NetEase face, both on one manual clock.
//!
//! Accounts are created through the server API with a static token the
//! harness chooses and remembers ([`Harness::token_credentials`], wrong
//! tokens, [`Harness::invalidate_credentials`] by a token refresh);
//! [`Harness::credentials`] hands out dynamic tokens (authType 1), which carry
//! their own expiry, as an app server would mint them.

use super::{RECONNECT, REQUEST_TIMEOUT};
use crate::harness::{Harness, HarnessFactory, SessionSetup};
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use unim_core::{
    Admin, Capabilities, Credentials, Error, ErrorKind, ManualClock, Platform, Secret, Session, SessionOptions,
};
use unim_emulator::{Emulator, EmulatorConfig, NeteaseEndpoint};
use unim_netease::admin::{NeteaseAdmin, NeteaseAdminConfig, NewUser};
use unim_netease::session::{NeteaseSession, NeteaseSessionConfig};

/// The account the harness's admin sends from when a case sends as the app admin.
pub const ADMIN_ACCOUNT: &str = "app_admin";

/// The NetEase adapter on its own emulator. Dropping it stops the emulator.
pub struct NeteaseHarness {
    emulator: Emulator,
    endpoint: NeteaseEndpoint,
    clock: ManualClock,
    admin: Arc<NeteaseAdmin>,
    capabilities: Capabilities,
    nonce: u32,
    users: AtomicU64,
    devices: AtomicU64,
    /// The static token of every account this harness created, by accid
    /// (updated by [`Harness::invalidate_credentials`]).
    tokens: Mutex<HashMap<String, Secret>>,
}

impl std::fmt::Debug for NeteaseHarness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NeteaseHarness").field("endpoint", &self.endpoint).field("clock", &self.clock).finish()
    }
}

impl NeteaseHarness {
    /// Starts an emulator with only the NetEase face on a manual clock
    /// standing at the current time (whole seconds), and an admin for it.
    pub async fn start() -> Result<NeteaseHarness, Error> {
        let (emulator, endpoint, clock, nonce) =
            super::start_emulator(EmulatorConfig::netease(), "NetEase", Emulator::netease).await?;
        let admin = NeteaseAdmin::new(
            NeteaseAdminConfig::new(
                endpoint.rest_url.clone(),
                endpoint.app_key.clone(),
                Secret::new(endpoint.app_secret.clone()),
            )
            .with_clock(Arc::new(clock.clone()))
            .with_admin_account(ADMIN_ACCOUNT),
        )?;
        // NetEase has no built-in app admin: an app sends "as the system"
        // from an account of its own, created like any other.
        admin.register(ADMIN_ACCOUNT).await?;
        let mut harness = NeteaseHarness {
            emulator,
            endpoint,
            clock,
            admin: Arc::new(admin),
            capabilities: Capabilities::default(),
            nonce,
            users: AtomicU64::new(0),
            devices: AtomicU64::new(0),
            tokens: Mutex::new(HashMap::new()),
        };
        // The adapter's session says what it can do.
        harness.capabilities = harness.session(SessionSetup::default()).capabilities();
        Ok(harness)
    }

    fn tokens(&self) -> std::sync::MutexGuard<'_, HashMap<String, Secret>> {
        self.tokens.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Creates `user` with a static token of the harness's choosing unless
    /// this harness created it already; returns its current static token.
    async fn ensure_registered(&self, user: &str) -> Result<Secret, Error> {
        if let Some(token) = self.tokens().get(user).cloned() {
            return Ok(token);
        }
        let chosen = Secret::new(format!("tk{:08x}{}", self.nonce, self.users.fetch_add(1, Ordering::Relaxed)));
        let created = self.admin.create_user(&NewUser::new(user).with_token(chosen)).await?;
        // The server lowercases accids; the harness only hands out lowercase ones.
        if created.accid != user {
            return Err(Error::new(
                ErrorKind::Other,
                format!("the server created {user} as {:?}; harness user ids must already be lowercase", created.accid),
            ));
        }
        self.tokens().insert(user.to_owned(), created.token.clone());
        Ok(created.token)
    }

    fn next_user(&self, prefix: &str) -> String {
        let n = self.users.fetch_add(1, Ordering::Relaxed) + 1;
        format!("{prefix}{:08x}_{n}", self.nonce)
    }
}

#[async_trait]
impl Harness for NeteaseHarness {
    fn vendor(&self) -> &'static str {
        unim_netease::VENDOR
    }

    fn capabilities(&self) -> Capabilities {
        self.capabilities
    }

    fn clock(&self) -> &ManualClock {
        &self.clock
    }

    fn admin(&self) -> Arc<dyn Admin> {
        self.admin.clone()
    }

    fn session(&self, setup: SessionSetup) -> Box<dyn Session> {
        let n = self.devices.fetch_add(1, Ordering::Relaxed) + 1;
        let e = &self.endpoint;
        let platform = setup.platform.unwrap_or(Platform::Web);
        // A distinct device id makes each session a new device.
        let config = NeteaseSessionConfig::new(e.lbs_url.clone(), e.app_key.clone())
            .with_default_link(e.link.clone())
            .on(platform)
            .with_device_id(format!("dev{:08x}{n}", self.nonce));
        let options = SessionOptions {
            clock: Arc::new(self.clock.clone()),
            store: setup.store,
            credential_provider: setup.provider,
            reconnect: RECONNECT,
            request_timeout: REQUEST_TIMEOUT,
        };
        Box::new(NeteaseSession::new(config, options))
    }

    fn platforms(&self) -> Vec<Platform> {
        // The session sends any client type; one desktop and two mobile
        // classes' worth, for the per-class multi-device rule.
        vec![Platform::Web, Platform::Android, Platform::Ios, Platform::Windows]
    }

    fn fresh_user(&self) -> String {
        self.next_user("u")
    }

    fn unregistered_user(&self) -> String {
        self.next_user("new")
    }

    fn invalid_user_id(&self) -> String {
        "x".repeat(self.capabilities.max_user_id_len.max(64) + 1)
    }

    async fn credentials(&self, user: &str, ttl: Duration) -> Result<Credentials, Error> {
        // Registered first, then a dynamic token for `ttl`, as an app server
        // would mint it.
        self.ensure_registered(user).await?;
        self.admin.issue_credentials(user, ttl).await
    }

    async fn token_credentials(&self, user: &str, ttl: Duration) -> Result<Credentials, Error> {
        // A static token never expires, so it outlives any `ttl`.
        let _ = ttl;
        let token = self.ensure_registered(user).await?;
        Ok(Credentials::token(user, token))
    }

    async fn revocable_credentials(&self, user: &str) -> Result<Credentials, Error> {
        // The admin kick refreshes the static token; a dynamic token is
        // checked by its signature alone, so no kick can void it. (After such
        // a kick this harness's record of the static token is stale; cases
        // log in again with `credentials`.)
        self.token_credentials(user, crate::cases::TTL).await
    }

    async fn invalidate_credentials(&self, user: &str) -> Result<(), Error> {
        self.ensure_registered(user).await?;
        let fresh = self.admin.refresh_token(user).await?;
        self.tokens().insert(user.to_owned(), fresh);
        Ok(())
    }

    async fn ban(&self, user: &str) -> Result<(), Error> {
        // NetEase's ban is user/block.action, kicking the online devices.
        self.ensure_registered(user).await?;
        self.admin.block(user, true, None).await
    }

    async fn unban(&self, user: &str) -> Result<(), Error> {
        self.admin.unblock(user).await
    }

    async fn unregistered_credentials(&self, user: &str) -> Result<Credentials, Error> {
        // What a client would send for an account nobody created: a token of its own making.
        Ok(Credentials::token(user, format!("tk{:08x}unregistered", self.nonce)))
    }

    async fn wrong_credentials(&self, user: &str) -> Result<Credentials, Error> {
        let token = self.ensure_registered(user).await?;
        Ok(Credentials::token(user, format!("not{}", token.expose())))
    }

    async fn expired_credentials(&self, user: &str) -> Result<Credentials, Error> {
        // A dynamic token valid for one second, then the clock moves past it.
        let credentials = self.credentials(user, Duration::from_secs(1)).await?;
        self.clock.advance(Duration::from_secs(2));
        Ok(credentials)
    }

    async fn queue_offline_messages(&self, from: &str, to: &str, count: usize) -> Result<(), Error> {
        self.ensure_registered(from).await?;
        self.ensure_registered(to).await?;
        for i in 0..count {
            self.emulator
                .netease_inject_text(from, to, &format!("offline message {} of {count}", i + 1))
                .map_err(|e| Error::new(ErrorKind::Other, format!("queueing a message from {from} to {to}: {e}")))?;
        }
        Ok(())
    }

    emulator_controls!();
}

/// A factory starting a fresh [`NeteaseHarness`] (a fresh emulator) per case.
pub fn netease_factory() -> HarnessFactory {
    HarnessFactory::new(|| async { NeteaseHarness::start().await.map(|h| Box::new(h) as Box<dyn Harness>) })
}
