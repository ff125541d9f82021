//! Time as sessions and emulators see it: the system clock, or a manual clock
//! that tests move forward to make credentials expire without sleeping.

use futures::future::BoxFuture;
use std::fmt::Debug;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::watch;

/// A source of wall-clock time and of timers on that time.
pub trait Clock: Send + Sync + Debug {
    /// The current time.
    fn now(&self) -> SystemTime;

    /// A future that completes once the clock reaches `deadline`.
    fn sleep_until(&self, deadline: SystemTime) -> BoxFuture<'static, ()>;

    /// The current time in whole Unix seconds.
    fn unix_secs(&self) -> u64 {
        self.now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
    }

    /// A future that completes after `duration` of this clock's time.
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        self.sleep_until(self.now() + duration)
    }
}

/// The machine's clock; timers run on tokio.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }

    fn sleep_until(&self, deadline: SystemTime) -> BoxFuture<'static, ()> {
        let wait = deadline.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO);
        Box::pin(tokio::time::sleep(wait))
    }
}

/// A clock that only moves when told to. Timers waiting on it fire as soon as
/// [`ManualClock::advance`] or [`ManualClock::set`] passes their deadline.
/// Clones share the same time.
#[derive(Clone, Debug)]
pub struct ManualClock {
    now: watch::Sender<SystemTime>,
}

impl ManualClock {
    /// A clock standing at `start`.
    pub fn new(start: SystemTime) -> Self {
        let (now, _) = watch::channel(start);
        ManualClock { now }
    }

    /// A clock standing at `secs` Unix seconds.
    pub fn at_unix(secs: u64) -> Self {
        Self::new(UNIX_EPOCH + Duration::from_secs(secs))
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        self.now.send_modify(|t| *t += by);
    }

    /// Sets the clock to `to` (which may be earlier: clocks do jump).
    pub fn set(&self, to: SystemTime) {
        self.now.send_replace(to);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        *self.now.borrow()
    }

    fn sleep_until(&self, deadline: SystemTime) -> BoxFuture<'static, ()> {
        let mut rx = self.now.subscribe();
        Box::pin(async move {
            while *rx.borrow_and_update() < deadline {
                if rx.changed().await.is_err() {
                    // The clock is gone: nothing will ever move it again.
                    futures::future::pending::<()>().await;
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::FutureExt;

    #[tokio::test]
    async fn manual_timers_fire_when_the_clock_passes_them() {
        let clock = ManualClock::at_unix(1_700_000_000);
        let mut timer = clock.sleep(Duration::from_secs(10));
        assert!((&mut timer).now_or_never().is_none());
        clock.advance(Duration::from_secs(9));
        assert!((&mut timer).now_or_never().is_none());
        clock.advance(Duration::from_secs(1));
        tokio::time::timeout(Duration::from_secs(5), timer).await.expect("timer fired");
        assert_eq!(clock.unix_secs(), 1_700_000_010);
    }
}
