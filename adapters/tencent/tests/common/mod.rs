//! Setup shared by the Tencent session and message tests: the emulator's
//! Tencent face on a manual clock, session configs and UserSigs minted on
//! that clock.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use unim_core::{Clock, Credentials, ManualClock};
use unim_emulator::{Emulator, EmulatorConfig, TencentEndpoint};
use unim_tencent::session::TencentSessionConfig;
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
