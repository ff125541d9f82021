//! The harnesses of the vendors compiled in (one cargo feature each).

use crate::harness::HarnessFactory;
use std::time::Duration;
use unim_core::ReconnectPolicy;

/// The retry policy of every harness's sessions: few attempts and short
/// waits, so that a case driving the manual clock through a failing login is quick.
pub const RECONNECT: ReconnectPolicy =
    ReconnectPolicy { max_attempts: 3, initial_delay: Duration::from_secs(1), max_delay: Duration::from_secs(2) };

/// How long a harness's session waits for one reply (real time).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The [`crate::Harness`] methods that every emulator-backed harness answers
/// the same way, from its `emulator` field's engine and faults, with the
/// shared [`RECONNECT`] policy. Expands inside `impl Harness for ...`.
#[cfg_attr(not(any(feature = "tencent", feature = "easemob", feature = "netease")), allow(unused_macros))]
macro_rules! emulator_controls {
    () => {
        fn drop_links(&self, user: &str) -> usize {
            self.emulator.engine().drop_links(user)
        }

        fn refuse_connections(&self, on: bool) {
            self.emulator.faults().refuse_connections(on);
        }

        fn connection_attempts(&self) -> u64 {
            self.emulator.faults().connection_attempts()
        }

        fn hold_logins(&self) {
            self.emulator.faults().hold_logins();
        }

        fn release_logins(&self) {
            self.emulator.faults().release_logins();
        }

        fn reconnect_policy(&self) -> unim_core::ReconnectPolicy {
            RECONNECT
        }
    };
}

/// A fresh emulator for one vendor's face on a manual clock standing at the
/// current time (whole seconds), with that face's endpoint and a nonce (the
/// sub-second part of now) that keeps user names unique across harnesses.
#[cfg(any(feature = "tencent", feature = "easemob", feature = "netease"))]
pub(crate) async fn start_emulator<E: Clone>(
    config: unim_emulator::EmulatorConfig,
    vendor: &str,
    face: impl Fn(&unim_emulator::Emulator) -> Option<&E>,
) -> Result<(unim_emulator::Emulator, E, unim_core::ManualClock, u32), unim_core::Error> {
    use unim_core::{Error, ErrorKind};
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let clock = unim_core::ManualClock::at_unix(now.as_secs());
    let emulator = unim_emulator::Emulator::start(config.with_clock(std::sync::Arc::new(clock.clone())))
        .await
        .map_err(|e| Error::unavailable(format!("cannot start the {vendor} emulator: {e}")))?;
    let endpoint = face(&emulator)
        .cloned()
        .ok_or_else(|| Error::new(ErrorKind::Other, format!("the emulator started without its {vendor} face")))?;
    Ok((emulator, endpoint, clock, now.subsec_nanos()))
}

#[cfg(feature = "easemob")]
pub mod easemob;
#[cfg(feature = "netease")]
pub mod netease;
#[cfg(feature = "tencent")]
pub mod tencent;

/// Every vendor compiled in, by name, with the factory of its harness.
pub fn factories() -> Vec<(&'static str, HarnessFactory)> {
    vec![
        #[cfg(feature = "tencent")]
        ("tencent", tencent::tencent_factory()),
        #[cfg(feature = "easemob")]
        ("easemob", easemob::easemob_factory()),
        #[cfg(feature = "netease")]
        ("netease", netease::netease_factory()),
    ]
}
