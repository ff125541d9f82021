//! A user's side of the service: the [`Session`] trait and its options.

use crate::{
    BatchItem, Capabilities, Clock, ConnectionState, Conversation, ConversationId, CredentialProvider, Credentials,
    Device, Error, EventStream, Group, GroupSpec, GroupUpdate, HistoryCursor, HistoryPage, JoinOutcome, LoginStatus,
    MemberCursor, MemberPage, Message, MuteDuration, OutgoingMessage, Role, SessionStore, SystemClock,
};
use async_trait::async_trait;
use std::sync::Arc;
use std::time::Duration;

/// One user's connection to a vendor. Object safe: apps hold a
/// `Box<dyn Session>` and switch vendors by configuration.
///
/// The login and connection life cycle every vendor shares, then one-to-one
/// conversations and messages, then groups. The methods an adapter does
/// not support answer `Unsupported`.
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

    /// Creates a group owned by the session's user (`spec.owner` must be
    /// `None` or that user). A (kind, policy) pair the vendor lacks is refused
    /// with `Unsupported` before any network I/O.
    async fn create_group(&self, spec: &GroupSpec) -> Result<Group, Error> {
        let _ = spec;
        Err(self.no_groups())
    }

    /// A group's current settings and member count.
    async fn group_info(&self, group: &str) -> Result<Group, Error> {
        let _ = group;
        Err(self.no_groups())
    }

    /// Changes a group's name or introduction.
    async fn update_group(&self, group: &str, update: &GroupUpdate) -> Result<(), Error> {
        let _ = (group, update);
        Err(self.no_groups())
    }

    /// Adds (invites) users; the outcome is per user (`AlreadyExists` for a
    /// member already in). A batch that would overfill the group fails whole
    /// with `LimitExceeded`.
    async fn add_group_members(&self, group: &str, users: &[String]) -> Result<Vec<BatchItem>, Error> {
        let _ = (group, users);
        Err(self.no_groups())
    }

    /// Removes members; they and the remaining online members are told.
    async fn remove_group_members(&self, group: &str, users: &[String]) -> Result<(), Error> {
        let _ = (group, users);
        Err(self.no_groups())
    }

    /// Applies to join: `Free` joins at once, `Approval` waits, `InviteOnly`
    /// is refused with `PermissionDenied`.
    async fn join_group(&self, group: &str, message: Option<&str>) -> Result<JoinOutcome, Error> {
        let _ = (group, message);
        Err(self.no_groups())
    }

    /// Approves (`accept`) or rejects a pending application (owner or admin).
    async fn decide_join(&self, group: &str, applicant: &str, accept: bool) -> Result<(), Error> {
        let _ = (group, applicant, accept);
        Err(self.no_groups())
    }

    /// Leaves a group (the owner: see `Capabilities::group_owner_leave`).
    async fn leave_group(&self, group: &str) -> Result<(), Error> {
        let _ = group;
        Err(self.no_groups())
    }

    /// Dismisses a group; every online member is told, later calls get `NotFound`.
    async fn dismiss_group(&self, group: &str) -> Result<(), Error> {
        let _ = group;
        Err(self.no_groups())
    }

    /// One page of at most `limit` members: `cursor = None` for the first,
    /// then each page's `next`. Every member appears exactly once.
    async fn group_members(
        &self,
        group: &str,
        cursor: Option<&MemberCursor>,
        limit: usize,
    ) -> Result<MemberPage, Error> {
        let _ = (group, cursor, limit);
        Err(self.no_groups())
    }

    /// Makes a member an admin (`Role::Admin`) or a plain member again
    /// (`Role::Member`); `Role::Owner` is refused: use [`Session::transfer_group`].
    async fn set_group_role(&self, group: &str, user: &str, role: Role) -> Result<(), Error> {
        let _ = (group, user, role);
        Err(self.no_groups())
    }

    /// Hands the group to another member; the old owner stays as a plain member.
    async fn transfer_group(&self, group: &str, new_owner: &str) -> Result<(), Error> {
        let _ = (group, new_owner);
        Err(self.no_groups())
    }

    /// Mutes a member for `duration` (zero unmutes).
    async fn mute_group_member(&self, group: &str, user: &str, duration: MuteDuration) -> Result<(), Error> {
        let _ = (group, user, duration);
        Err(self.no_groups())
    }

    /// The groups the user belongs to.
    async fn joined_groups(&self) -> Result<Vec<Group>, Error> {
        Err(self.no_groups())
    }

    /// The error of an adapter without groups.
    #[doc(hidden)]
    fn no_groups(&self) -> Error {
        Error::unsupported(format!("the {} adapter does not manage groups", self.vendor()))
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
