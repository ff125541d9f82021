//! Fault injection: what tests do to the emulator to see how clients cope.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use tokio::sync::watch;

/// A vendor error code to answer with instead of doing the work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InjectedError {
    /// The vendor's code.
    pub code: i64,
    /// The vendor's text.
    pub message: String,
}

/// The switches tests flip. Every face consults them.
#[derive(Debug)]
pub struct Faults {
    refuse: AtomicBool,
    attempts: AtomicU64,
    hold_logins: watch::Sender<bool>,
    injected: Mutex<VecDeque<InjectedError>>,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            refuse: AtomicBool::new(false),
            attempts: AtomicU64::new(0),
            hold_logins: watch::channel(false).0,
            injected: Mutex::new(VecDeque::new()),
        }
    }
}

impl Faults {
    /// While on, client links are refused (HTTP 503 on the upgrade), as if the service were down.
    pub fn refuse_connections(&self, on: bool) {
        self.refuse.store(on, Ordering::SeqCst);
    }

    /// Whether links are being refused.
    pub fn refusing(&self) -> bool {
        self.refuse.load(Ordering::SeqCst)
    }

    /// Counts a client's attempt to open a link (refused or not).
    pub fn note_connection_attempt(&self) {
        self.attempts.fetch_add(1, Ordering::SeqCst);
    }

    /// How many link attempts clients made so far.
    pub fn connection_attempts(&self) -> u64 {
        self.attempts.load(Ordering::SeqCst)
    }

    /// Makes login requests wait (unanswered) until [`Faults::release_logins`].
    pub fn hold_logins(&self) {
        self.hold_logins.send_replace(true);
    }

    /// Lets held and future logins through.
    pub fn release_logins(&self) {
        self.hold_logins.send_replace(false);
    }

    /// Waits while logins are held.
    pub async fn login_gate(&self) {
        let mut rx = self.hold_logins.subscribe();
        // The sender lives as long as `self`, so `wait_for` only fails if it is gone.
        let _ = rx.wait_for(|held| !*held).await;
    }

    /// Answers the next `times` requests (REST or link) with `code` and `message`.
    pub fn inject_error(&self, code: i64, message: impl Into<String>, times: usize) {
        let mut q = self.injected.lock().unwrap_or_else(|e| e.into_inner());
        let e = InjectedError { code, message: message.into() };
        q.extend(std::iter::repeat_n(e, times));
    }

    /// Takes the next injected error, if any.
    pub fn take_injected(&self) -> Option<InjectedError> {
        self.injected.lock().unwrap_or_else(|e| e.into_inner()).pop_front()
    }
}
