//! Setup shared by the NetEase session and message tests: the emulator's
//! NetEase face on a manual clock with an admin signed by the same clock,
//! users, session configs and awaiting the next event with a timeout.

use futures::StreamExt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use unim_core::{
    Credentials, Event, EventStream, ManualClock, Platform, ReconnectPolicy, Secret, Session, SessionOptions,
};
use unim_emulator::{Emulator, EmulatorConfig, NeteaseEndpoint};
use unim_netease::admin::{NeteaseAdmin, NeteaseAdminConfig, NewUser};
use unim_netease::session::{NeteaseSession, NeteaseSessionConfig};

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

    /// A session for this emulator on `platform`, on the manual clock, with
    /// short reconnect delays (1 s then 2 s, 5 tries) so tests that drop a
    /// link see it come back within [`WAIT`].
    pub fn session_on(&self, platform: Platform) -> NeteaseSession {
        let options = SessionOptions {
            clock: Arc::new(self.clock.clone()),
            reconnect: ReconnectPolicy {
                max_attempts: 5,
                initial_delay: Duration::from_secs(1),
                max_delay: Duration::from_secs(2),
            },
            request_timeout: Duration::from_secs(10),
            ..SessionOptions::default()
        };
        NeteaseSession::new(self.config(platform), options)
    }

    /// A session of `accid` on `platform` logged in with the static `token`,
    /// with its event stream taken before the login (so it has every event).
    pub async fn login_on(&self, accid: &str, token: &str, platform: Platform) -> (NeteaseSession, EventStream) {
        let s = self.session_on(platform);
        let events = s.events();
        tokio::time::timeout(WAIT, s.login(Credentials::token(accid, token)))
            .await
            .expect("login in time")
            .expect("login");
        (s, events)
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
