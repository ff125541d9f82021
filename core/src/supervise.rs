//! The machinery every adapter's session shares, so that each vendor writes
//! only what its protocol needs:
//!
//! - [`LoginGate`]: one login at a time per session;
//! - [`Running`]: a login's supervisor task and its cancel-safe stop;
//! - [`supervise`]: the supervisor loop — wait for the next thing to do (a
//!   link event, the heartbeat, the credential's warning or expiry moment,
//!   all on the session's [`Clock`]), handle it, and obey a stop (logout, a
//!   new login) whatever is under way.

use crate::{Clock, CredentialLifetime, Error};
use async_trait::async_trait;
use futures::future::BoxFuture;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::{mpsc, oneshot};
use tokio::task::{AbortHandle, JoinHandle};

/// Lets one login run at a time on a session.
#[derive(Debug, Default)]
pub struct LoginGate {
    busy: AtomicBool,
}

/// Held while a login runs; dropping it opens the gate again.
#[derive(Debug)]
pub struct LoginTicket<'a> {
    busy: &'a AtomicBool,
}

impl Drop for LoginTicket<'_> {
    fn drop(&mut self) {
        self.busy.store(false, Ordering::SeqCst);
    }
}

impl LoginGate {
    /// An open gate.
    pub fn new() -> Self {
        Self::default()
    }

    /// Enters the gate, or `InvalidState` when a login is already under way.
    pub fn enter(&self) -> Result<LoginTicket<'_>, Error> {
        if self.busy.swap(true, Ordering::SeqCst) {
            return Err(Error::invalid_state("a login is already in progress on this session"));
        }
        Ok(LoginTicket { busy: &self.busy })
    }
}

/// The running part of a login: its supervisor task and how to stop it.
#[derive(Debug)]
pub struct Running {
    /// Taken once the stop was sent.
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl Running {
    /// Spawns `run`, which receives the stop signal.
    pub fn spawn<F>(run: impl FnOnce(oneshot::Receiver<()>) -> F) -> Running
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let (stop, stopped) = oneshot::channel();
        Running { stop: Some(stop), task: tokio::spawn(run(stopped)) }
    }

    /// A handle that ends the task without a goodbye (a dropped session).
    pub fn abort_handle(&self) -> AbortHandle {
        self.task.abort_handle()
    }

    /// Stops the login in `slot` (if any) and waits until its task ended.
    /// Cancel safe: if the caller gives up meanwhile, the next call waits for
    /// the same task, so no new login starts while an old supervisor may
    /// still report its end.
    pub async fn stop(slot: &mut Option<Running>) {
        if let Some(r) = slot.as_mut() {
            if let Some(stop) = r.stop.take() {
                let _ = stop.send(());
            }
            let _ = (&mut r.task).await;
        }
        *slot = None;
    }
}

/// The moment `secs` Unix seconds, unless it is beyond what the system can
/// represent (a credential may say it never expires).
fn at(secs: u64) -> Option<SystemTime> {
    UNIX_EPOCH.checked_add(Duration::from_secs(secs))
}

/// A timer for Unix second `secs` on `clock`; never for `None` or an
/// unrepresentable moment.
pub fn timer(clock: &Arc<dyn Clock>, secs: Option<u64>) -> BoxFuture<'static, ()> {
    match secs.and_then(at) {
        Some(deadline) => clock.sleep_until(deadline),
        None => Box::pin(futures::future::pending()),
    }
}

/// What woke a supervisor.
#[derive(Debug)]
pub enum Wake<E> {
    /// Stop: a logout or a new login.
    Stop,
    /// Something happened on the current link.
    Link(E),
    /// Time for a heartbeat.
    Heartbeat,
    /// The credential's will-expire moment.
    Warn,
    /// The credential's expiry moment.
    Expiry,
}

/// How the supervisor loop goes on after handling something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Wait for the next thing.
    Continue,
    /// The login ended (its end was already reported).
    Exit,
}

/// When a supervisor's timers fire.
#[derive(Debug, Clone, Copy)]
pub struct Deadlines {
    /// The next heartbeat.
    pub heartbeat: SystemTime,
    /// The credential's will-expire moment (Unix seconds), unless already announced.
    pub warn: Option<u64>,
    /// The first moment (Unix seconds) the credential counts as expired.
    pub expiry: Option<u64>,
}

impl Deadlines {
    /// The deadlines of a login holding a credential with `lifetime`: the
    /// warning at [`CredentialLifetime::warn_at`] unless `warned` already, and
    /// expiry one second past `expires_at` (a credential is expired once now
    /// is beyond its last valid second).
    pub fn new(heartbeat: SystemTime, lifetime: Option<CredentialLifetime>, warned: bool) -> Self {
        Deadlines {
            heartbeat,
            warn: lifetime.filter(|_| !warned).map(|l| l.warn_at()),
            expiry: lifetime.and_then(|l| l.expires_at.checked_add(1)),
        }
    }
}

/// Waits for the next thing a supervisor must do. Link events are tagged with
/// the id of the link they came from; those of earlier links (before a
/// reconnect) are dropped here, while the timers keep their deadlines.
pub async fn next_wake<E>(
    clock: &Arc<dyn Clock>,
    stop: &mut oneshot::Receiver<()>,
    events: &mut mpsc::UnboundedReceiver<(u64, E)>,
    current_link: u64,
    deadlines: Deadlines,
) -> Wake<E> {
    let mut heartbeat = clock.sleep_until(deadlines.heartbeat);
    let mut warn = timer(clock, deadlines.warn);
    let mut expiry = timer(clock, deadlines.expiry);
    loop {
        tokio::select! {
            biased;
            _ = &mut *stop => return Wake::Stop,
            Some((id, event)) = events.recv() => {
                if id == current_link {
                    return Wake::Link(event);
                }
            }
            _ = &mut expiry => return Wake::Expiry,
            _ = &mut warn => return Wake::Warn,
            _ = &mut heartbeat => return Wake::Heartbeat,
        }
    }
}

/// A vendor's supervisor, driven by [`supervise`].
#[async_trait]
pub trait Supervisor: Send {
    /// What the link reports.
    type LinkEvent: Send;

    /// Waits for the next thing to do (normally through [`next_wake`]).
    async fn wait(&mut self, stop: &mut oneshot::Receiver<()>) -> Wake<Self::LinkEvent>;

    /// Handles it. Never called with [`Wake::Stop`].
    async fn handle(&mut self, wake: Wake<Self::LinkEvent>) -> Next;

    /// Logs out because the app asked (a logout or a new login) and reports
    /// the end of the login.
    async fn log_out(&mut self);
}

/// Runs `supervisor` until its login ends. `stop` is obeyed whatever the
/// supervisor is doing: a heartbeat, a reconnect or a renewal waiting on the
/// provider is abandoned for the logout.
pub async fn supervise<S: Supervisor>(mut supervisor: S, mut stop: oneshot::Receiver<()>) {
    loop {
        let handled = match supervisor.wait(&mut stop).await {
            Wake::Stop => None,
            wake => {
                let work = supervisor.handle(wake);
                tokio::select! {
                    biased;
                    _ = &mut stop => None,
                    next = work => Some(next),
                }
            }
        };
        match handled {
            None => {
                supervisor.log_out().await;
                return;
            }
            Some(Next::Exit) => return,
            Some(Next::Continue) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ManualClock;
    use std::sync::Mutex;

    #[test]
    fn timers_fire_for_past_moments_and_never_for_unknown_ones() {
        use futures::FutureExt;
        let clock: Arc<dyn Clock> = Arc::new(ManualClock::at_unix(1_700_000_000));
        assert!(timer(&clock, None).now_or_never().is_none());
        assert!(timer(&clock, Some(u64::MAX)).now_or_never().is_none());
        assert!(timer(&clock, Some(1_800_000_000)).now_or_never().is_none());
        assert!(timer(&clock, Some(1_699_999_999)).now_or_never().is_some());
    }

    #[test]
    fn deadlines_follow_the_lifetime() {
        let at = UNIX_EPOCH + Duration::from_secs(50);
        let lifetime = CredentialLifetime { issued_at: 0, expires_at: 1000 };
        let d = Deadlines::new(at, Some(lifetime), false);
        assert_eq!((d.heartbeat, d.warn, d.expiry), (at, Some(800), Some(1001)));
        assert_eq!(Deadlines::new(at, Some(lifetime), true).warn, None);
        let forever = CredentialLifetime { issued_at: 0, expires_at: u64::MAX };
        assert_eq!(Deadlines::new(at, Some(forever), false).expiry, None);
        assert_eq!((Deadlines::new(at, None, false).warn, Deadlines::new(at, None, false).expiry), (None, None));
    }

    #[test]
    fn the_gate_admits_one_login_at_a_time() {
        let gate = LoginGate::new();
        let ticket = gate.enter().unwrap();
        assert_eq!(gate.enter().unwrap_err().kind, crate::ErrorKind::InvalidState);
        drop(ticket);
        assert!(gate.enter().is_ok());
    }

    /// Records what it handled; exits after `exit_after` link events.
    struct Recorder {
        clock: Arc<dyn Clock>,
        events: mpsc::UnboundedReceiver<(u64, &'static str)>,
        seen: Arc<Mutex<Vec<String>>>,
        heartbeat: SystemTime,
    }

    #[async_trait]
    impl Supervisor for Recorder {
        type LinkEvent = &'static str;

        async fn wait(&mut self, stop: &mut oneshot::Receiver<()>) -> Wake<&'static str> {
            let deadlines = Deadlines { heartbeat: self.heartbeat, warn: None, expiry: None };
            next_wake(&self.clock, stop, &mut self.events, 2, deadlines).await
        }

        async fn handle(&mut self, wake: Wake<&'static str>) -> Next {
            let entry = match wake {
                Wake::Link("end") => return Next::Exit,
                Wake::Link(e) => e.to_owned(),
                Wake::Heartbeat => {
                    self.heartbeat += Duration::from_secs(30);
                    "heartbeat".to_owned()
                }
                other => format!("{other:?}"),
            };
            self.seen.lock().unwrap().push(entry);
            Next::Continue
        }

        async fn log_out(&mut self) {
            self.seen.lock().unwrap().push("logged out".into());
        }
    }

    #[tokio::test]
    async fn the_loop_drops_old_links_events_fires_timers_and_obeys_stop() {
        let clock = ManualClock::at_unix(1_000);
        let (tx, events) = mpsc::unbounded_channel();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let heartbeat = clock.now() + Duration::from_secs(30);
        let recorder = Recorder { clock: Arc::new(clock.clone()), events, seen: Arc::clone(&seen), heartbeat };
        let mut running = Some(Running::spawn(|stop| supervise(recorder, stop)));
        tx.send((1, "from an old link")).unwrap();
        tx.send((2, "frame")).unwrap();
        let wait_for = |n: usize| {
            let seen = Arc::clone(&seen);
            async move {
                tokio::time::timeout(Duration::from_secs(5), async {
                    while seen.lock().unwrap().len() < n {
                        tokio::task::yield_now().await;
                    }
                })
                .await
                .expect("the supervisor should have handled it");
            }
        };
        wait_for(1).await;
        clock.advance(Duration::from_secs(30));
        wait_for(2).await;
        Running::stop(&mut running).await;
        assert!(running.is_none());
        assert_eq!(*seen.lock().unwrap(), ["frame", "heartbeat", "logged out"]);
    }

    #[tokio::test]
    async fn an_exit_ends_the_loop_without_a_logout() {
        let clock = ManualClock::at_unix(1_000);
        let (tx, events) = mpsc::unbounded_channel();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let heartbeat = clock.now() + Duration::from_secs(30);
        let recorder = Recorder { clock: Arc::new(clock.clone()), events, seen: Arc::clone(&seen), heartbeat };
        let (_stop, stopped) = oneshot::channel();
        tx.send((2, "end")).unwrap();
        tokio::time::timeout(Duration::from_secs(5), supervise(recorder, stopped)).await.unwrap();
        assert!(seen.lock().unwrap().is_empty());
    }
}
