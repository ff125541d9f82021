//! Expectations: await events with real-time timeouts (never a sleep), drive a
//! manual clock while a future is pending, and turn what went wrong into a
//! [`Failure`] that says what was expected and what came instead.

use futures::future::FutureExt;
use futures::StreamExt;
use std::fmt;
use std::future::Future;
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;
use unim_core::{
    ConnectionState, Credentials, Disconnect, DisconnectReason, Error, ErrorKind, Event, EventStream, GroupEvent,
    LoginStatus, ManualClock, Session,
};

/// How long (real time) a case waits for something that should happen promptly.
pub const WAIT: Duration = Duration::from_secs(10);

/// How long (real time) [`drive_clock_until`] keeps moving the clock.
pub const DRIVE_LIMIT: Duration = Duration::from_secs(30);

/// How many times the helpers yield to the runtime to let pending work land
/// before they conclude that nothing more is coming.
const SETTLE_YIELDS: usize = 32;

/// Why a case failed: one message naming what was expected and what came.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    message: String,
}

impl Failure {
    /// A failure with `message`.
    pub fn new(message: impl Into<String>) -> Self {
        Failure { message: message.into() }
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The same failure, prefixed with what was being done (`context: message`).
    pub fn context(self, context: impl fmt::Display) -> Self {
        Failure { message: format!("{context}: {}", self.message) }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

/// Fails the case with a formatted message unless the condition holds.
///
/// ```ignore
/// ensure!(s.login_status() == LoginStatus::LoggedIn, "after login: status {:?}", s.login_status());
/// ```
macro_rules! ensure {
    ($cond:expr, $($fmt:tt)+) => {
        if !$cond {
            return Err($crate::expect::Failure::new(format!($($fmt)+)));
        }
    };
}
pub(crate) use ensure;

/// Turns any error into a [`Failure`] that says what was being done.
pub trait ResultExt<T> {
    /// `Err(e)` becomes a failure `"{what}: {e}"`.
    fn ctx(self, what: impl fmt::Display) -> Result<T, Failure>;
}

impl<T, E: fmt::Display> ResultExt<T> for Result<T, E> {
    fn ctx(self, what: impl fmt::Display) -> Result<T, Failure> {
        self.map_err(|e| Failure::new(format!("{what}: unexpected error: {e}")))
    }
}

/// Expects `result` to be an error of exactly `expected` kind and returns it.
pub fn expect_kind<T>(what: &str, result: Result<T, Error>, expected: ErrorKind) -> Result<Error, Failure> {
    expect_kind_in(what, result, &[expected])
}

/// Expects `result` to be an error of one of the `accepted` kinds and returns it.
pub fn expect_kind_in<T>(what: &str, result: Result<T, Error>, accepted: &[ErrorKind]) -> Result<Error, Failure> {
    let wanted = accepted.iter().map(|k| format!("{k:?}")).collect::<Vec<_>>().join(" or ");
    match result {
        Ok(_) => Err(Failure::new(format!("{what}: expected an error of kind {wanted}, but it succeeded"))),
        Err(e) if accepted.contains(&e.kind) => Ok(e),
        Err(e) => Err(Failure::new(format!("{what}: expected an error of kind {wanted}, got kind {:?}: {e}", e.kind))),
    }
}

/// Expects the session's login status to be `expected`.
pub fn expect_status(label: &str, session: &dyn Session, expected: LoginStatus) -> Result<(), Failure> {
    let status = session.login_status();
    ensure!(
        status == expected,
        "{label}: expected login status {expected:?}, got {status:?} (state {})",
        describe_state(&session.state())
    );
    Ok(())
}

/// Expects the session's connection state to be `expected`.
pub fn expect_state(label: &str, session: &dyn Session, expected: ConnectionState) -> Result<(), Failure> {
    let state = session.state();
    ensure!(state == expected, "{label}: expected state {}, got {}", describe_state(&expected), describe_state(&state));
    Ok(())
}

/// The same credentials (kind and secret) for another user id.
pub fn with_user(credentials: &Credentials, user: &str) -> Credentials {
    match credentials {
        Credentials::Password { password, .. } => Credentials::password(user, password.clone()),
        Credentials::Token { token, .. } => Credentials::token(user, token.clone()),
        Credentials::UserSig { user_sig, .. } => Credentials::user_sig(user, user_sig.clone()),
    }
}

/// One `StateChanged` event, as a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateChange {
    /// The new state.
    pub state: ConnectionState,
    /// Why, on `Disconnected`.
    pub reason: Option<Disconnect>,
}

impl StateChange {
    /// The state change in `event`, if it is one.
    pub fn from_event(event: &Event) -> Option<StateChange> {
        match event {
            Event::StateChanged { state, reason } => Some(StateChange { state: state.clone(), reason: reason.clone() }),
            _ => None,
        }
    }

    /// True for `Disconnected`, whatever the reason.
    pub fn is_disconnected(&self) -> bool {
        self.state == ConnectionState::Disconnected
    }

    /// True for `Disconnected` with `reason`.
    pub fn is_disconnected_with(&self, reason: DisconnectReason) -> bool {
        self.is_disconnected() && self.reason.as_ref().is_some_and(|d| d.reason == reason)
    }

    /// The neutral disconnect reason, on `Disconnected` with a reason.
    pub fn disconnect_reason(&self) -> Option<DisconnectReason> {
        self.reason.as_ref().map(|d| d.reason)
    }
}

impl fmt::Display for StateChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&describe_state(&self.state))?;
        match &self.reason {
            Some(d) => write!(f, "({:?}{})", d.reason, d.vendor.as_ref().map(|v| format!(", {v}")).unwrap_or_default()),
            None if self.is_disconnected() => f.write_str("(no reason)"),
            None => Ok(()),
        }
    }
}

/// A short name for a state: `Connected`, `Reconnecting#2`.
pub fn describe_state(state: &ConnectionState) -> String {
    match state {
        ConnectionState::Reconnecting { attempt, retry_in } => format!("Reconnecting#{attempt}(in {retry_in:?})"),
        other => format!("{other:?}"),
    }
}

/// A short description of an event for failure messages.
pub fn describe(event: &Event) -> String {
    match event {
        Event::StateChanged { .. } => StateChange::from_event(event).map(|c| c.to_string()).unwrap_or_default(),
        Event::CredentialWillExpire { user, expires_at } => format!("CredentialWillExpire({user}, at {expires_at})"),
        Event::CredentialExpired { user } => format!("CredentialExpired({user})"),
        Event::CredentialRenewed { user, expires_at } => format!("CredentialRenewed({user}, until {expires_at:?})"),
        Event::SyncStarted => "SyncStarted".into(),
        Event::SyncFinished => "SyncFinished".into(),
        Event::DeviceOnline { device } => format!("DeviceOnline({:?})", device.platform),
        Event::DeviceOffline { device } => format!("DeviceOffline({:?})", device.platform),
        Event::MessageReceived { message } => {
            // Who and which message, never what it says.
            format!("MessageReceived({} -> {}, {})", message.from, message.to, message.server_id)
        }
        Event::Group { change } => format!("Group({change:?})"),
        Event::Lagged { missed } => format!("Lagged({missed})"),
    }
}

/// The group change of an `Event::Group`.
pub fn group_change(event: &Event) -> Option<&GroupEvent> {
    match event {
        Event::Group { change } => Some(change),
        _ => None,
    }
}

/// Describes a list of events as `[A, B, C]`.
pub fn describe_all<'a>(events: impl IntoIterator<Item = &'a Event>) -> String {
    let parts: Vec<String> = events.into_iter().map(describe).collect();
    format!("[{}]", parts.join(", "))
}

/// Describes a list of state changes as `[A, B, C]`.
pub fn describe_changes(changes: &[StateChange]) -> String {
    let parts: Vec<String> = changes.iter().map(|c| c.to_string()).collect();
    format!("[{}]", parts.join(", "))
}

/// One subscriber's events, with a record of everything it received so that a
/// failure can say what came instead of what was expected.
pub struct Events {
    label: String,
    stream: EventStream,
    seen: Vec<Event>,
    wait: Duration,
}

impl fmt::Debug for Events {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Events").field("label", &self.label).field("seen", &self.seen.len()).finish()
    }
}

impl Events {
    /// Wraps `stream`; `label` names the session in failure messages.
    pub fn new(label: impl Into<String>, stream: EventStream) -> Self {
        Events { label: label.into(), stream, seen: Vec::new(), wait: WAIT }
    }

    /// Subscribes to `session`'s events from now on.
    pub fn of(label: impl Into<String>, session: &dyn Session) -> Self {
        Self::new(label, session.events())
    }

    /// The label used in messages.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Every event received so far, oldest first.
    pub fn seen(&self) -> &[Event] {
        &self.seen
    }

    fn history(&self) -> String {
        const SHOWN: usize = 24;
        let skip = self.seen.len().saturating_sub(SHOWN);
        let more = if skip > 0 { format!("{skip} earlier events, then ") } else { String::new() };
        format!("{more}{}", describe_all(&self.seen[skip..]))
    }

    /// A failure about this subscriber, with its event history appended.
    pub fn failure(&self, message: impl fmt::Display) -> Failure {
        Failure::new(format!("{}: {message}; events received so far: {}", self.label, self.history()))
    }

    /// The next event, waiting at most [`WAIT`] real time.
    pub async fn next(&mut self, what: &str) -> Result<Event, Failure> {
        match tokio::time::timeout(self.wait, self.stream.next()).await {
            Ok(Some(event)) => {
                self.seen.push(event.clone());
                Ok(event)
            }
            Ok(None) => Err(self.failure(format!("the event stream ended while waiting for {what}"))),
            Err(_) => Err(self.failure(format!("no event within {:?} while waiting for {what}", self.wait))),
        }
    }

    /// Skips events until one matches `pred`, and returns it.
    pub async fn wait_for(&mut self, what: &str, mut pred: impl FnMut(&Event) -> bool) -> Result<Event, Failure> {
        let deadline = tokio::time::Instant::now() + self.wait;
        loop {
            let next = tokio::time::timeout_at(deadline, self.stream.next()).await;
            match next {
                Ok(Some(event)) => {
                    self.seen.push(event.clone());
                    if pred(&event) {
                        return Ok(event);
                    }
                }
                Ok(None) => return Err(self.failure(format!("the event stream ended while waiting for {what}"))),
                Err(_) => return Err(self.failure(format!("waited {:?} for {what}, it did not come", self.wait))),
            }
        }
    }

    /// Skips events until a state change matches `pred`, and returns it.
    pub async fn wait_state(
        &mut self,
        what: &str,
        mut pred: impl FnMut(&StateChange) -> bool,
    ) -> Result<StateChange, Failure> {
        let event = self.wait_for(what, |e| StateChange::from_event(e).is_some_and(|c| pred(&c))).await?;
        Ok(StateChange::from_event(&event).expect("matched a state change"))
    }

    /// Every event up to and including the first that matches `stop`.
    pub async fn events_until(
        &mut self,
        what: &str,
        mut stop: impl FnMut(&Event) -> bool,
    ) -> Result<Vec<Event>, Failure> {
        let start = self.seen.len();
        self.wait_for(what, &mut stop).await?;
        Ok(self.seen[start..].to_vec())
    }

    /// The state changes up to and including the first that matches `stop`
    /// (other events are skipped but recorded).
    pub async fn states_until(
        &mut self,
        what: &str,
        mut stop: impl FnMut(&StateChange) -> bool,
    ) -> Result<Vec<StateChange>, Failure> {
        let events = self.events_until(what, |e| StateChange::from_event(e).is_some_and(|c| stop(&c))).await?;
        Ok(events.iter().filter_map(StateChange::from_event).collect())
    }

    /// The events that have already arrived, without waiting.
    pub fn drain(&mut self) -> Vec<Event> {
        let mut out = Vec::new();
        while let Some(Some(event)) = self.stream.next().now_or_never() {
            self.seen.push(event.clone());
            out.push(event);
        }
        out
    }

    /// Lets pending work on the runtime land (a few yields), then drains.
    pub async fn settle(&mut self) -> Vec<Event> {
        settle().await;
        self.drain()
    }

    /// How many events have been received so far: a mark to pass to
    /// [`Events::wait_group_since`] before an action whose events it awaits.
    pub fn mark(&self) -> usize {
        self.seen.len()
    }

    /// The group changes received since `mark` that match `pred`, oldest first.
    pub fn groups_since(&self, mark: usize, pred: impl Fn(&GroupEvent) -> bool) -> Vec<GroupEvent> {
        self.seen.get(mark..).unwrap_or_default().iter().filter_map(group_change).filter(|g| pred(g)).cloned().collect()
    }

    /// The first group change since `mark` that matches `pred`: one received
    /// already (while waiting for something else), or the next to come.
    pub async fn wait_group_since(
        &mut self,
        mark: usize,
        what: &str,
        pred: impl Fn(&GroupEvent) -> bool,
    ) -> Result<GroupEvent, Failure> {
        if let Some(found) = self.groups_since(mark, &pred).into_iter().next() {
            return Ok(found);
        }
        let event = self.wait_for(what, |e| group_change(e).is_some_and(&pred)).await?;
        Ok(group_change(&event).expect("matched a group change").clone())
    }

    /// Fails if any state change arrived (after [`Events::settle`]): the
    /// session was expected to stay as it is.
    pub async fn expect_no_state_change(&mut self, why: &str) -> Result<(), Failure> {
        let events = self.settle().await;
        let changes: Vec<StateChange> = events.iter().filter_map(StateChange::from_event).collect();
        if changes.is_empty() {
            Ok(())
        } else {
            Err(self.failure(format!("{why}: expected no state change, got {}", describe_changes(&changes))))
        }
    }
}

/// Yields to the runtime a few times so that already-runnable work (a frame
/// that arrived, a task that was woken) gets to run. Not a sleep: no time passes
/// by intent, and nothing is awaited that could take long.
pub async fn settle() {
    for _ in 0..SETTLE_YIELDS {
        tokio::task::yield_now().await;
    }
}

/// Polls `fut` to completion while moving `clock` forward by `step` whenever
/// the future is still pending after the runtime has had a chance to run: for
/// code that waits on the manual clock (a backoff between connection attempts)
/// while the case has nothing else to do. Gives up after [`DRIVE_LIMIT`] of
/// real time.
pub async fn drive_clock_until<F: Future>(fut: F, clock: &ManualClock, step: Duration) -> Result<F::Output, Failure> {
    let started = Instant::now();
    let mut fut = std::pin::pin!(fut);
    let mut advanced = Duration::ZERO;
    loop {
        for _ in 0..SETTLE_YIELDS {
            if let std::task::Poll::Ready(out) = futures::poll!(fut.as_mut()) {
                return Ok(out);
            }
            tokio::task::yield_now().await;
        }
        if started.elapsed() > DRIVE_LIMIT {
            return Err(Failure::new(format!(
                "still pending after {DRIVE_LIMIT:?} of real time and {advanced:?} of clock time"
            )));
        }
        clock.advance(step);
        advanced += step;
    }
}

/// Retries `probe` until it returns `Ok`, yielding between tries, for at most
/// [`WAIT`] real time. For state that another party updates asynchronously
/// (the admin's view of presence after a link closed). `probe` returns `Err`
/// with what it saw, which ends up in the failure message.
pub async fn eventually<T, Fut>(what: &str, mut probe: impl FnMut() -> Fut) -> Result<T, Failure>
where
    Fut: Future<Output = Result<T, String>>,
{
    let started = Instant::now();
    loop {
        match probe().await {
            Ok(value) => return Ok(value),
            Err(seen) if started.elapsed() > WAIT => {
                return Err(Failure::new(format!("{what}: still not so after {WAIT:?}; last seen: {seen}")))
            }
            Err(_) => settle().await,
        }
    }
}

/// A spawned task that is aborted if the case ends (or fails) before joining it.
#[derive(Debug)]
pub struct TaskGuard<T> {
    handle: Option<JoinHandle<T>>,
}

impl<T: Send + 'static> TaskGuard<T> {
    /// Spawns `fut` on the current runtime.
    pub fn spawn(fut: impl Future<Output = T> + Send + 'static) -> Self {
        TaskGuard { handle: Some(tokio::spawn(fut)) }
    }

    /// True once the task has finished.
    pub fn is_finished(&self) -> bool {
        match &self.handle {
            Some(h) => h.is_finished(),
            None => true,
        }
    }

    /// Waits (at most [`WAIT`]) for the task's output; a panic is a failure.
    pub async fn join(mut self, what: &str) -> Result<T, Failure> {
        let handle = self.handle.take().expect("joined once");
        let abort = handle.abort_handle();
        match tokio::time::timeout(WAIT, handle).await {
            Ok(Ok(out)) => Ok(out),
            Ok(Err(e)) => Err(Failure::new(format!("{what}: the task failed: {}", join_error_message(e)))),
            Err(_) => {
                abort.abort();
                Err(Failure::new(format!("{what}: did not finish within {WAIT:?}")))
            }
        }
    }
}

impl<T> Drop for TaskGuard<T> {
    fn drop(&mut self) {
        if let Some(h) = &self.handle {
            h.abort();
        }
    }
}

/// What a failed task says: its panic message, or that it was cancelled.
pub fn join_error_message(e: tokio::task::JoinError) -> String {
    if e.is_panic() {
        format!("panicked: {}", panic_message(e.into_panic()))
    } else {
        "cancelled".into()
    }
}

/// The text of a panic payload.
pub fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(a panic without a message)".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use unim_core::{Clock, EventBus};

    #[test]
    fn kinds_are_checked_and_explained() {
        let err: Result<(), Error> = Err(Error::new(ErrorKind::Unauthenticated, "bad sig"));
        assert!(expect_kind("login", err.clone(), ErrorKind::Unauthenticated).is_ok());
        let f = expect_kind("login", err, ErrorKind::CredentialExpired).unwrap_err();
        assert!(f.message().contains("expected an error of kind CredentialExpired"), "{f}");
        assert!(f.message().contains("got kind Unauthenticated"), "{f}");
        let f = expect_kind("login", Ok::<(), Error>(()), ErrorKind::InvalidInput).unwrap_err();
        assert!(f.message().contains("but it succeeded"), "{f}");
    }

    #[tokio::test]
    async fn waiting_reports_what_came_instead() {
        let bus = EventBus::new();
        let mut events = Events::new("alice", bus.subscribe());
        events.wait = Duration::from_millis(50);
        bus.emit(Event::SyncStarted);
        let f = events.wait_state("Connected", |c| c.state == ConnectionState::Connected).await.unwrap_err();
        assert!(f.message().starts_with("alice: waited"), "{f}");
        assert!(f.message().contains("[SyncStarted]"), "{f}");
    }

    #[tokio::test]
    async fn states_until_collects_the_path() {
        let bus = EventBus::new();
        let mut events = Events::new("s", bus.subscribe());
        for state in [ConnectionState::Connecting, ConnectionState::Authenticating, ConnectionState::Connected] {
            bus.emit(Event::StateChanged { state, reason: None });
            bus.emit(Event::SyncFinished);
        }
        let path = events.states_until("Connected", |c| c.state == ConnectionState::Connected).await.unwrap();
        assert_eq!(describe_changes(&path), "[Connecting, Authenticating, Connected]");
        assert_eq!(events.drain(), vec![Event::SyncFinished]);
    }

    #[tokio::test]
    async fn the_clock_is_driven_until_the_future_completes() {
        let clock = ManualClock::at_unix(1_000);
        let timer = clock.sleep(Duration::from_secs(7));
        drive_clock_until(timer, &clock, Duration::from_secs(2)).await.unwrap();
        assert_eq!(clock.unix_secs(), 1_008);
    }

    #[tokio::test]
    async fn a_panicking_task_is_a_failure() {
        let task = TaskGuard::spawn(async { panic!("boom") });
        let f: Failure = task.join("login task").await.unwrap_err();
        assert_eq!(f.message(), "login task: the task failed: panicked: boom");
    }
}
