//! Setup shared by the Tencent session and message tests: the emulator's
//! Tencent face on a manual clock, session configs and UserSigs minted on
//! that clock, and for the tests that mix sessions and admin calls an admin
//! on the same clock. Every test binary compiles this module on its own and
//! uses only part of it, hence the `dead_code` allowances.

use futures::StreamExt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use unim_core::{
    Clock, Credentials, Event, EventStream, ManualClock, Message, ReconnectPolicy, Session, SessionOptions,
};
use unim_emulator::{Emulator, EmulatorConfig, TencentEndpoint};
use unim_tencent::admin::{TencentAdmin, TencentAdminConfig};
use unim_tencent::session::{TencentSession, TencentSessionConfig};
use unim_tencent::usersig::UserSigKey;

/// How long a test waits for something that should happen (real time). Only
/// a hang reaches it.
pub const WAIT: Duration = Duration::from_secs(20);

/// A running emulator, its Tencent endpoint, the manual clock it runs on and
/// the key that signs its UserSigs.
pub struct Env {
    pub emulator: Emulator,
    pub endpoint: TencentEndpoint,
    pub clock: ManualClock,
    pub key: UserSigKey,
}

impl Env {
    /// Starts the emulator on a manual clock set to now.
    pub async fn start() -> Env {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
        let clock = ManualClock::at_unix(now);
        let emulator =
            Emulator::start(EmulatorConfig::tencent().with_clock(Arc::new(clock.clone()))).await.expect("emulator");
        let endpoint = emulator.tencent().cloned().expect("tencent face");
        let key = UserSigKey::new(endpoint.sdkappid, &endpoint.secret_key);
        Env { emulator, endpoint, clock, key }
    }

    /// A session config for this emulator.
    pub fn config(&self) -> TencentSessionConfig {
        TencentSessionConfig::new(self.endpoint.ws_url.clone(), self.endpoint.sdkappid)
    }

    /// UserSig credentials of `user` valid for `ttl` seconds from the clock's now.
    pub fn creds(&self, user: &str, ttl: u64) -> Credentials {
        Credentials::user_sig(user, self.key.gen(user, ttl, self.clock.unix_secs()))
    }
}

/// The shared setup plus an admin signed on the same clock.
#[allow(dead_code)]
pub struct AdminEnv {
    /// The emulator, its clock and its UserSig key.
    pub base: Env,
    /// The App admin, signing on `base`'s clock.
    pub admin: TencentAdmin,
}

impl std::ops::Deref for AdminEnv {
    type Target = Env;

    fn deref(&self) -> &Env {
        &self.base
    }
}

#[allow(dead_code)]
impl AdminEnv {
    /// Starts the emulator and an admin whose UserSigs follow its clock.
    pub async fn start() -> AdminEnv {
        let base = Env::start().await;
        let config = TencentAdminConfig::new(
            base.endpoint.rest_url.clone(),
            base.endpoint.sdkappid,
            base.endpoint.secret_key.clone(),
            base.endpoint.admin.clone(),
        )
        .with_clock(Arc::new(base.clock.clone()));
        let admin = TencentAdmin::new(config).expect("admin");
        AdminEnv { base, admin }
    }

    /// A logged-in session of `user` and its events (subscribed before login,
    /// so nothing sent at login is missed).
    pub async fn online(&self, user: &str) -> (TencentSession, EventStream) {
        let options = SessionOptions {
            clock: Arc::new(self.clock.clone()),
            reconnect: ReconnectPolicy {
                max_attempts: 3,
                initial_delay: Duration::from_secs(1),
                max_delay: Duration::from_secs(2),
            },
            request_timeout: Duration::from_secs(20),
            ..SessionOptions::default()
        };
        let s = TencentSession::new(self.config(), options);
        let events = s.events();
        tokio::time::timeout(WAIT, s.login(self.creds(user, 86_400))).await.expect("login in time").expect("login");
        (s, events)
    }
}

/// The next `MessageReceived`, skipping other events.
#[allow(dead_code)]
pub async fn next_message(events: &mut EventStream, what: &str) -> Message {
    loop {
        match tokio::time::timeout(WAIT, events.next()).await {
            Ok(Some(Event::MessageReceived { message })) => return *message,
            Ok(Some(_)) => continue,
            Ok(None) => panic!("{what}: the event stream ended"),
            Err(_) => panic!("{what}: no message within {WAIT:?}"),
        }
    }
}
