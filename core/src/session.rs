//! A user's side of the service: the [`Session`] trait and its options.

use crate::{
    Capabilities, Clock, ConnectionState, Conversation, ConversationId, CredentialProvider, Credentials, Device, Error,
    EventStream, HistoryCursor, HistoryPage, LoginStatus, Message, OutgoingMessage, SessionStore, SystemClock,
};
use async_trait::async_trait;
use std::sync::Arc;
use std::time::Duration;

/// One user's connection to a vendor. Object safe: apps hold a
/// `Box<dyn Session>` and switch vendors by configuration.
///
/// The login and connection life cycle every vendor shares, then one-to-one
/// conversations and messages; groups join in a later version. The methods
/// an adapter does not support yet answer `Unsupported`.
#[async_trait]
pub trait Session: Send + Sync {
    /// The vendor's short name (`tencent`, ...).
    fn vendor(&self) -> &'static str;

    /// What this adapter can do.
    fn capabilities(&self) -> Capabilities;

    /// Logs in, replacing any current login (the old one ends with
    /// `Requested`). Resolves once the session is `Connected`. Invalid input is
    /// refused before any network I/O; a second call while one is in progress
    /// fails with `InvalidState`.
    async fn login(&self, credentials: Credentials) -> Result<(), Error>;

    /// Logs in again with the login saved in the session's store. Fails with
    /// `AutoLoginStopped` (and the reason) when an earlier kick or auth failure
    /// ended auto-login, and with `InvalidState` when nothing is saved.
    async fn resume(&self) -> Result<(), Error>;

    /// Logs out. Idempotent: logging out while logged out succeeds and emits nothing.
    async fn logout(&self) -> Result<(), Error>;

    /// A new stream of this session's events, from now on.
    fn events(&self) -> EventStream;

    /// The current connection state.
    fn state(&self) -> ConnectionState;

    /// The login status derived from the state.
    fn login_status(&self) -> LoginStatus {
        LoginStatus::from(&self.state())
    }

    /// The logged-in (or logging-in) user.
    fn current_user(&self) -> Option<String>;

    /// This session's own device.
    fn device(&self) -> Device;

    /// One round trip to the server, proving the link and credentials work.
    async fn ping(&self) -> Result<(), Error>;

    /// The user's other online devices, where the vendor tells a client.
    async fn other_devices(&self) -> Result<Vec<Device>, Error> {
        Err(Error::unsupported(format!("{} does not list a user's other devices to a client", self.vendor())))
    }

    /// Kicks another of the user's devices, where the vendor allows it.
    async fn kick_device(&self, device: &Device) -> Result<(), Error> {
        let _ = device;
        Err(Error::unsupported(format!("{} does not let a client kick its other devices", self.vendor())))
    }

    /// Kicks every other device of the user, keeping this one logged in,
    /// where the vendor allows it. Returns how many devices were kicked; each
    /// of them ends with `KickedByOwnDevice`.
    async fn kick_other_devices(&self) -> Result<usize, Error> {
        Err(Error::unsupported(format!("{} does not let a client kick its other devices", self.vendor())))
    }

    /// Sends a message and returns the sender's copy once the server stored
    /// it. Retrying the same [`OutgoingMessage`] (same client id) after a lost
    /// reply stores and delivers it once.
    async fn send(&self, message: &OutgoingMessage) -> Result<Message, Error> {
        let _ = message;
        Err(Error::unsupported(format!("the {} adapter does not send messages yet", self.vendor())))
    }

    /// The user's conversations, most recently updated first.
    async fn conversations(&self) -> Result<Vec<Conversation>, Error> {
        Err(Error::unsupported(format!("the {} adapter does not list conversations yet", self.vendor())))
    }

    /// Marks every message of a conversation read: its unread count drops to 0.
    async fn mark_read(&self, conversation: &ConversationId) -> Result<(), Error> {
        let _ = conversation;
        Err(Error::unsupported(format!("the {} adapter does not mark conversations read yet", self.vendor())))
    }

    /// One page of a conversation's history, backwards: `older = None` for
    /// the newest page, then each page's `older` cursor; at most `limit` messages.
    async fn history(
        &self,
        conversation: &ConversationId,
        older: Option<&HistoryCursor>,
        limit: usize,
    ) -> Result<HistoryPage, Error> {
        let _ = (conversation, older, limit);
        Err(Error::unsupported(format!("the {} adapter does not read history yet", self.vendor())))
    }

    /// Deletes a conversation from the user's list.
    async fn delete_conversation(&self, conversation: &ConversationId) -> Result<(), Error> {
        let _ = conversation;
        Err(Error::unsupported(format!("the {} adapter does not delete conversations yet", self.vendor())))
    }
}

/// How a session retries: the connection attempts of one login, and the
/// reconnects after a dropped link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReconnectPolicy {
    /// Attempts before giving up (at least 1).
    pub max_attempts: u32,
    /// The wait before the second attempt; the first retry after a drop is immediate.
    pub initial_delay: Duration,
    /// The longest wait between attempts.
    pub max_delay: Duration,
}

impl Default for ReconnectPolicy {
    fn default() -> Self {
        ReconnectPolicy { max_attempts: 8, initial_delay: Duration::from_secs(1), max_delay: Duration::from_secs(30) }
    }
}

impl ReconnectPolicy {
    /// The wait before attempt `attempt` (1-based): none for the first, then
    /// doubling from `initial_delay` up to `max_delay`.
    pub fn delay(&self, attempt: u32) -> Duration {
        if attempt <= 1 {
            return Duration::ZERO;
        }
        let doublings = (attempt - 2).min(31);
        self.initial_delay.saturating_mul(1u32 << doublings).min(self.max_delay)
    }
}

/// What every adapter's session is built with besides its vendor settings.
#[derive(Clone)]
pub struct SessionOptions {
    /// The clock for expiry and timers.
    pub clock: Arc<dyn Clock>,
    /// Where to save the login for auto-login.
    pub store: Option<Arc<dyn SessionStore>>,
    /// Who renews credentials before or after they expire.
    pub credential_provider: Option<Arc<dyn CredentialProvider>>,
    /// Retry and reconnect behaviour.
    pub reconnect: ReconnectPolicy,
    /// How long to wait for any one reply from the server (real time).
    pub request_timeout: Duration,
}

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions {
            clock: Arc::new(SystemClock),
            store: None,
            credential_provider: None,
            reconnect: ReconnectPolicy::default(),
            request_timeout: Duration::from_secs(15),
        }
    }
}

impl std::fmt::Debug for SessionOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionOptions")
            .field("clock", &self.clock)
            .field("store", &self.store.is_some())
            .field("credential_provider", &self.credential_provider.is_some())
            .field("reconnect", &self.reconnect)
            .field("request_timeout", &self.request_timeout)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_immediate_then_doubles_to_a_cap() {
        let p = ReconnectPolicy {
            max_attempts: 10,
            initial_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(5),
        };
        let d: Vec<u64> = (1..=6).map(|a| p.delay(a).as_secs()).collect();
        assert_eq!(d, [0, 1, 2, 4, 5, 5]);
        assert_eq!(p.delay(1000), Duration::from_secs(5));
    }

    #[test]
    fn session_is_object_safe() {
        fn _takes(_: Box<dyn Session>) {}
    }
}
