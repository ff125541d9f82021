//! The Easemob harness: the Easemob adapter (`unim-easemob`) against a fresh
//! emulator's Easemob face, both on one manual clock.

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
use unim_easemob::admin::{EasemobAdmin, EasemobAdminConfig};
use unim_easemob::session::{EasemobSession, EasemobSessionConfig};
use unim_emulator::{EasemobEndpoint, Emulator, EmulatorConfig};

/// The Easemob adapter on its own emulator. Dropping it stops the emulator.
pub struct EasemobHarness {
    emulator: Emulator,
    endpoint: EasemobEndpoint,
    clock: ManualClock,
    admin: Arc<EasemobAdmin>,
    capabilities: Capabilities,
    nonce: u32,
    users: AtomicU64,
    devices: AtomicU64,
    /// The passwords [`Harness::change_password`] set, by user.
    changed_passwords: Mutex<HashMap<String, Secret>>,
}

impl std::fmt::Debug for EasemobHarness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EasemobHarness").field("endpoint", &self.endpoint).field("clock", &self.clock).finish()
    }
}

impl EasemobHarness {
    /// Starts an emulator with only the Easemob face on a manual clock standing
    /// at the current time (whole seconds), and an admin for it.
    pub async fn start() -> Result<EasemobHarness, Error> {
        let (emulator, endpoint, clock, nonce) =
            super::start_emulator(EmulatorConfig::easemob(), "Easemob", Emulator::easemob).await?;
        let admin = EasemobAdmin::new(
            EasemobAdminConfig::new(
                endpoint.rest_url.clone(),
                endpoint.app_key.clone(),
                endpoint.client_id.clone(),
                Secret::new(endpoint.client_secret.clone()),
            )
            .with_clock(Arc::new(clock.clone())),
        )?;
        let mut harness = EasemobHarness {
            emulator,
            endpoint,
            clock,
            admin: Arc::new(admin),
            capabilities: Capabilities::default(),
            nonce,
            users: AtomicU64::new(0),
            devices: AtomicU64::new(0),
            changed_passwords: Mutex::new(HashMap::new()),
        };
        harness.capabilities = harness.session(SessionSetup::default()).capabilities();
        Ok(harness)
    }

    /// The password `user` has: the one this harness registers it with, or
    /// the one [`Harness::change_password`] set last.
    fn password(&self, user: &str) -> Secret {
        let changed = self.changed_passwords.lock().unwrap_or_else(|e| e.into_inner()).get(user).cloned();
        changed.unwrap_or_else(|| Secret::new(format!("pw-{:08x}-{user}", self.nonce)))
    }

    /// Registers `user` unless it exists already.
    async fn ensure_registered(&self, user: &str) -> Result<(), Error> {
        match self.admin.register(user, &self.password(user), None).await {
            Ok(_) => Ok(()),
            Err(e) if e.kind == ErrorKind::AlreadyExists => Ok(()),
            Err(e) => Err(e),
        }
    }

    fn next_user(&self, prefix: &str) -> String {
        let n = self.users.fetch_add(1, Ordering::Relaxed) + 1;
        format!("{prefix}{:08x}_{n}", self.nonce)
    }
}

#[async_trait]
impl Harness for EasemobHarness {
    fn vendor(&self) -> &'static str {
        unim_easemob::VENDOR
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
        let mut config = EasemobSessionConfig::new(e.rest_url.clone(), e.ws_url.clone(), e.app_key.clone());
        // The session speaks the web SDK's protocol: every device is a web one.
        debug_assert!(matches!(setup.platform, None | Some(Platform::Web)), "Easemob sessions are web only");
        // A distinct resource makes each session a new device.
        config.resource = Some(format!("webim_web_{:08x}{n}", self.nonce));
        let options = SessionOptions {
            clock: Arc::new(self.clock.clone()),
            store: setup.store,
            credential_provider: setup.provider,
            reconnect: RECONNECT,
            request_timeout: REQUEST_TIMEOUT,
        };
        Box::new(EasemobSession::new(config, options))
    }

    fn platforms(&self) -> Vec<Platform> {
        vec![Platform::Web]
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
        // Easemob needs registration first; then a user token for `ttl`, as an
        // app server would hand out.
        self.ensure_registered(user).await?;
        let grant = self.admin.user_token_password(user, &self.password(user), Some(ttl)).await?;
        Ok(Credentials::Token { user: user.to_owned(), token: grant.access_token })
    }

    async fn password_credentials(&self, user: &str) -> Result<Credentials, Error> {
        self.ensure_registered(user).await?;
        Ok(Credentials::password(user, self.password(user)))
    }

    async fn token_credentials(&self, user: &str, ttl: Duration) -> Result<Credentials, Error> {
        // `credentials` already hands out an app-issued user token.
        self.credentials(user, ttl).await
    }

    async fn change_password(&self, user: &str) -> Result<(), Error> {
        let n = self.users.fetch_add(1, Ordering::Relaxed) + 1;
        let new = Secret::new(format!("pw{n}-{:08x}-{user}", self.nonce));
        self.admin.change_password(user, &new).await?;
        self.changed_passwords.lock().unwrap_or_else(|e| e.into_inner()).insert(user.to_owned(), new);
        Ok(())
    }

    async fn ban(&self, user: &str) -> Result<(), Error> {
        // Easemob's ban is a deactivation (easemob.md 3.3).
        self.admin.deactivate(user).await.map(|_| ())
    }

    async fn unban(&self, user: &str) -> Result<(), Error> {
        self.admin.activate(user).await
    }

    async fn unregistered_credentials(&self, user: &str) -> Result<Credentials, Error> {
        Ok(Credentials::password(user, self.password(user)))
    }

    async fn wrong_credentials(&self, user: &str) -> Result<Credentials, Error> {
        self.ensure_registered(user).await?;
        Ok(Credentials::password(user, format!("not-{}", self.password(user).expose())))
    }

    async fn expired_credentials(&self, user: &str) -> Result<Credentials, Error> {
        // A token valid for one second, then the clock moves past it.
        let credentials = self.credentials(user, Duration::from_secs(1)).await?;
        self.clock.advance(Duration::from_secs(2));
        Ok(credentials)
    }

    async fn queue_offline_messages(&self, from: &str, to: &str, count: usize) -> Result<(), Error> {
        self.ensure_registered(from).await?;
        self.ensure_registered(to).await?;
        for i in 0..count {
            self.emulator
                .easemob_inject_text(from, to, &format!("offline message {} of {count}", i + 1))
                .map_err(|e| Error::new(ErrorKind::Other, format!("queueing a message from {from} to {to}: {e}")))?;
        }
        Ok(())
    }

    emulator_controls!();
}

/// A factory starting a fresh [`EasemobHarness`] (a fresh emulator) per case.
pub fn easemob_factory() -> HarnessFactory {
    HarnessFactory::new(|| async { EasemobHarness::start().await.map(|h| Box::new(h) as Box<dyn Harness>) })
}
