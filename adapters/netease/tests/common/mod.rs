//! Setup shared by the NetEase session and message tests: the emulator's
//! NetEase face on a manual clock with an admin signed by the same clock,
//! users, session configs and awaiting the next event with a timeout.

use futures::StreamExt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use unim_core::{Event, EventStream, ManualClock, Platform, Secret};
use unim_emulator::{Emulator, EmulatorConfig, NeteaseEndpoint};
use unim_netease::admin::{NeteaseAdmin, NeteaseAdminConfig, NewUser};
use unim_netease::session::NeteaseSessionConfig;

/// How long a test waits for something that should happen (real time). Only
/// a hang reaches it.
pub const WAIT: Duration = Duration::from_secs(20);

/// A running emulator, its NetEase endpoint, the manual clock it runs on and
/// an admin for it.
pub struct Env {
    pub emulator: Emulator,
    pub endpoint: NeteaseEndpoint,
    pub clock: ManualClock,
    pub admin: NeteaseAdmin,
}

impl Env {
    /// Starts the emulator on a manual clock set to now.
    pub async fn start() -> Env {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
        let clock = ManualClock::at_unix(now);
        let emulator =
            Emulator::start(EmulatorConfig::netease().with_clock(Arc::new(clock.clone()))).await.expect("emulator");
        let endpoint = emulator.netease().cloned().expect("netease face");
        let config = NeteaseAdminConfig::new(
            endpoint.rest_url.clone(),
            endpoint.app_key.clone(),
            Secret::new(endpoint.app_secret.clone()),
        )
        .with_clock(Arc::new(clock.clone()));
        let admin = NeteaseAdmin::new(config).expect("admin");
        Env { emulator, endpoint, clock, admin }
    }

    /// Creates each of `accids` with the static `token`.
    pub async fn users(&self, accids: &[&str], token: &str) {
        for accid in accids {
            self.admin.create_user(&NewUser::new(*accid).with_token(Secret::new(token))).await.expect("create user");
        }
    }

    /// A session config for this emulator on `platform`.
    pub fn config(&self, platform: Platform) -> NeteaseSessionConfig {
        NeteaseSessionConfig::new(self.endpoint.lbs_url.clone(), self.endpoint.app_key.clone())
            .with_default_link(self.endpoint.link.clone())
            .on(platform)
    }
}

/// The next event on `events`; panics naming `what` if the stream ends or
/// nothing arrives within [`WAIT`].
pub async fn next_event(events: &mut EventStream, what: &str) -> Event {
    match tokio::time::timeout(WAIT, events.next()).await {
        Ok(Some(e)) => e,
        Ok(None) => panic!("{what}: the event stream ended"),
        Err(_) => panic!("{what}: no event within {WAIT:?}"),
    }
}
