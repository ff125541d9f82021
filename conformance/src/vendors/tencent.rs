//! The Tencent harness: the Tencent adapter (`unim-tencent`) against a fresh
//! emulator's Tencent face, both on one manual clock.

use super::{RECONNECT, REQUEST_TIMEOUT};
use crate::harness::{Harness, HarnessFactory, SessionSetup};
use async_trait::async_trait;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use unim_core::{
    Admin, Capabilities, Clock, Credentials, Error, ManualClock, Platform, Secret, Session, SessionOptions,
};
use unim_emulator::{Emulator, EmulatorConfig, TencentEndpoint};
use unim_tencent::admin::{TencentAdmin, TencentAdminConfig};
use unim_tencent::session::{TencentSession, TencentSessionConfig};
use unim_tencent::usersig::UserSigKey;

/// The longest UserID Tencent accepts, in bytes (tencent.md, error 7003), used
/// when the adapter does not say.
const MAX_USER_ID: usize = 32;

/// The Tencent adapter on its own emulator. Dropping it stops the emulator.
pub struct TencentHarness {
    emulator: Emulator,
    endpoint: TencentEndpoint,
    clock: ManualClock,
    admin: Arc<TencentAdmin>,
    key: UserSigKey,
    wrong_key: UserSigKey,
    capabilities: Capabilities,
    nonce: u32,
    users: AtomicU64,
    devices: AtomicU64,
}

impl std::fmt::Debug for TencentHarness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TencentHarness").field("endpoint", &self.endpoint).field("clock", &self.clock).finish()
    }
}

impl TencentHarness {
    /// Starts an emulator with only the Tencent face on a manual clock standing
    /// at the current time (whole seconds), and an admin for it.
    pub async fn start() -> Result<TencentHarness, Error> {
        let (emulator, endpoint, clock, nonce) =
            super::start_emulator(EmulatorConfig::tencent(), "Tencent", Emulator::tencent).await?;
        let admin = TencentAdmin::new(TencentAdminConfig {
            rest_url: endpoint.rest_url.clone(),
            sdkappid: endpoint.sdkappid,
            secret_key: Secret::new(endpoint.secret_key.clone()),
            admin: endpoint.admin.clone(),
            clock: Arc::new(clock.clone()),
        })?;
        let key = UserSigKey::new(endpoint.sdkappid, &endpoint.secret_key);
        // Any other key: the app's own key with one more character is never it.
        let wrong_key = UserSigKey::new(endpoint.sdkappid, format!("{}0", endpoint.secret_key));
        let mut harness = TencentHarness {
            emulator,
            endpoint,
            clock,
            admin: Arc::new(admin),
            key,
            wrong_key,
            capabilities: Capabilities::default(),
            nonce,
            users: AtomicU64::new(0),
            devices: AtomicU64::new(0),
        };
        // The adapter's session says what it can do.
        harness.capabilities = harness.session(SessionSetup::default()).capabilities();
        Ok(harness)
    }

    /// The emulator behind this harness.
    pub fn emulator(&self) -> &Emulator {
        &self.emulator
    }

    /// Where the emulator's Tencent face listens, and its app settings.
    pub fn endpoint(&self) -> &TencentEndpoint {
        &self.endpoint
    }

    fn user_sig(&self, key: &UserSigKey, user: &str, expire_secs: u64, issued_at: u64) -> Credentials {
        Credentials::user_sig(user, key.gen(user, expire_secs, issued_at))
    }
}

#[async_trait]
impl Harness for TencentHarness {
    fn vendor(&self) -> &'static str {
        unim_tencent::VENDOR
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
        let mut config = TencentSessionConfig::new(self.endpoint.ws_url.clone(), self.endpoint.sdkappid);
        // The web client protocol always reports platform Web (7), so
        // `platforms()` offers only Web and `setup.platform` has nothing to change.
        debug_assert!(matches!(setup.platform, None | Some(Platform::Web)), "Tencent sessions are web only");
        // An instance id is 32 hex digits; a distinct one makes each session a new device.
        config.instance_id = Some(format!("{:08x}{n:024x}", self.nonce));
        let options = SessionOptions {
            clock: Arc::new(self.clock.clone()),
            store: setup.store,
            credential_provider: setup.provider,
            reconnect: RECONNECT,
            request_timeout: REQUEST_TIMEOUT,
        };
        Box::new(TencentSession::new(config, options))
    }

    fn platforms(&self) -> Vec<Platform> {
        vec![Platform::Web]
    }

    fn fresh_user(&self) -> String {
        let n = self.users.fetch_add(1, Ordering::Relaxed) + 1;
        format!("u{:08x}_{n}", self.nonce)
    }

    fn unregistered_user(&self) -> String {
        // Tencent needs no registration: any fresh id has never been seen.
        let n = self.users.fetch_add(1, Ordering::Relaxed) + 1;
        format!("new{:08x}_{n}", self.nonce)
    }

    fn invalid_user_id(&self) -> String {
        let max = if self.capabilities.max_user_id_len > 0 { self.capabilities.max_user_id_len } else { MAX_USER_ID };
        "x".repeat(max + 1)
    }

    async fn credentials(&self, user: &str, ttl: Duration) -> Result<Credentials, Error> {
        // Tencent auto-registers on first login: no import needed. Mint through
        // the admin, as an app server would.
        self.admin.issue_credentials(user, ttl).await
    }

    async fn unregistered_credentials(&self, user: &str) -> Result<Credentials, Error> {
        // A UserSig is signed locally; nothing is registered by minting it.
        Ok(self.user_sig(&self.key, user, 86_400, self.clock.unix_secs()))
    }

    async fn wrong_credentials(&self, user: &str) -> Result<Credentials, Error> {
        Ok(self.user_sig(&self.wrong_key, user, 86_400, self.clock.unix_secs()))
    }

    async fn expired_credentials(&self, user: &str) -> Result<Credentials, Error> {
        // Issued two minutes ago, valid for one: expired a minute ago.
        Ok(self.user_sig(&self.key, user, 60, self.clock.unix_secs().saturating_sub(120)))
    }

    emulator_controls!();
}

/// A factory starting a fresh [`TencentHarness`] (a fresh emulator) per case.
pub fn tencent_factory() -> HarnessFactory {
    HarnessFactory::new(|| async { TencentHarness::start().await.map(|h| Box::new(h) as Box<dyn Harness>) })
}
