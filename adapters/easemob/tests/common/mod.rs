//! Setup shared by the Easemob session and message tests: the emulator's
//! Easemob face on a manual clock with an admin signed by the same clock,
//! registered users and session configs.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use unim_core::{Credentials, EventStream, ManualClock, Secret, Session, SessionOptions};
use unim_easemob::admin::{EasemobAdmin, EasemobAdminConfig};
use unim_easemob::session::{EasemobSession, EasemobSessionConfig};
use unim_emulator::{EasemobEndpoint, Emulator, EmulatorConfig};

/// The password every test user is registered with.
pub const PASSWORD: &str = "s3cret-pw";

/// How long a login may take (real time).
const LOGIN_WAIT: Duration = Duration::from_secs(30);

/// A running emulator, its Easemob endpoint, the manual clock it runs on and
/// an admin for it.
pub struct Env {
    pub emulator: Emulator,
    pub endpoint: EasemobEndpoint,
    pub clock: ManualClock,
    pub admin: EasemobAdmin,
}

impl Env {
    /// Starts the emulator on a manual clock set to now.
    pub async fn start() -> Env {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
        let clock = ManualClock::at_unix(now);
        let emulator =
            Emulator::start(EmulatorConfig::easemob().with_clock(Arc::new(clock.clone()))).await.expect("emulator");
        let endpoint = emulator.easemob().cloned().expect("easemob face");
        let config = EasemobAdminConfig::new(
            endpoint.rest_url.clone(),
            endpoint.app_key.clone(),
            endpoint.client_id.clone(),
            Secret::new(endpoint.client_secret.clone()),
        )
        .with_clock(Arc::new(clock.clone()));
        let admin = EasemobAdmin::new(config).expect("admin");
        Env { emulator, endpoint, clock, admin }
    }

    /// Registers each of `names` with [`PASSWORD`].
    pub async fn users(&self, names: &[&str]) {
        for name in names {
            self.admin.register(name, &Secret::new(PASSWORD), None).await.expect("register");
        }
    }

    /// Session options on this emulator's clock, with a request timeout that
    /// a loaded machine still meets.
    pub fn session_options(&self) -> SessionOptions {
        SessionOptions {
            clock: Arc::new(self.clock.clone()),
            request_timeout: Duration::from_secs(20),
            ..SessionOptions::default()
        }
    }

    /// Logs `session` in as `user` and returns it with its event stream,
    /// subscribed before the login so that no event of it is missed.
    // Not every test crate that shares this module logs in this way.
    #[allow(dead_code)]
    pub async fn log_in(&self, session: EasemobSession, user: &str) -> (EasemobSession, EventStream) {
        let events = session.events();
        tokio::time::timeout(LOGIN_WAIT, session.login(Credentials::password(user, PASSWORD)))
            .await
            .expect("login in time")
            .expect("login");
        (session, events)
    }

    /// A session config for this emulator.
    pub fn config(&self) -> EasemobSessionConfig {
        EasemobSessionConfig::new(
            self.endpoint.rest_url.clone(),
            self.endpoint.ws_url.clone(),
            self.endpoint.app_key.clone(),
        )
    }
}
