//! The app server's side of the service: the [`Admin`] trait.

use crate::{Capabilities, Conversation, Credentials, Device, Error, HistoryCursor, HistoryPage, Message, MessageBody};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Whether a user can be reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PresenceStatus {
    /// A live connection exists.
    Online,
    /// No live connection, but the vendor can still push to the device
    /// (Tencent `PushOnline`).
    Background,
    /// Not reachable.
    Offline,
}

/// A user's presence as the admin sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Presence {
    /// The user.
    pub user: String,
    /// Overall status (online if any device is online).
    pub status: PresenceStatus,
    /// The devices, with their own status, when the vendor gives detail.
    pub devices: Vec<(Device, PresenceStatus)>,
}

/// The per-user outcome of a batch call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchItem {
    /// The user.
    pub user: String,
    /// What happened to that user.
    pub result: Result<(), Error>,
}

/// The app server's side: accounts, credentials, kicks and presence, spoken in
/// the vendor's documented server API so it works against the real cloud.
/// Object safe, like [`crate::Session`].
#[async_trait]
pub trait Admin: Send + Sync {
    /// The vendor's short name.
    fn vendor(&self) -> &'static str;

    /// What this adapter's admin can do.
    fn capabilities(&self) -> Capabilities;

    /// Registers (imports) one account. Registering an existing one succeeds.
    async fn register(&self, user: &str) -> Result<(), Error>;

    /// Registers several accounts; the outcome is per user.
    async fn register_many(&self, users: &[String]) -> Result<Vec<BatchItem>, Error>;

    /// Whether each account exists, in the order asked.
    async fn exists(&self, users: &[String]) -> Result<Vec<(String, bool)>, Error>;

    /// Deletes accounts; the outcome is per user.
    async fn delete(&self, users: &[String]) -> Result<Vec<BatchItem>, Error>;

    /// Issues login credentials for `user`, valid for `ttl`.
    async fn issue_credentials(&self, user: &str, ttl: Duration) -> Result<Credentials, Error>;

    /// Kicks `user` off every device; the credentials they held stop working,
    /// except those a vendor checks by signature alone until they expire
    /// (NetEase's dynamic tokens; the adapter's capability docs say which).
    async fn kick(&self, user: &str) -> Result<(), Error>;

    /// The presence of each user, with per-device detail where the vendor has it.
    async fn online_status(&self, users: &[String]) -> Result<Vec<Presence>, Error>;

    /// Sends a one-to-one message as `from` (`None`: the app's admin account)
    /// to `to`, with the sender's `client_id` (a retry with the same one is
    /// stored once). Returns the sender's copy.
    async fn send_message(
        &self,
        from: Option<&str>,
        to: &str,
        body: &MessageBody,
        client_id: &str,
    ) -> Result<Message, Error> {
        let _ = (from, to, body, client_id);
        Err(Error::unsupported(format!("the {} admin does not send messages yet", self.vendor())))
    }

    /// One page of the one-to-one history between `user` and `peer`, seen
    /// from `user`, backwards like [`crate::Session::history`].
    async fn history(
        &self,
        user: &str,
        peer: &str,
        older: Option<&HistoryCursor>,
        limit: usize,
    ) -> Result<HistoryPage, Error> {
        let _ = (user, peer, older, limit);
        Err(Error::unsupported(format!("the {} admin does not read history yet", self.vendor())))
    }

    /// A user's conversations, where the vendor's server API lists them.
    async fn conversations(&self, user: &str) -> Result<Vec<Conversation>, Error> {
        let _ = user;
        Err(Error::unsupported(format!("the {} admin does not list conversations", self.vendor())))
    }
}
