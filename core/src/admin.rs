//! The app server's side of the service: the [`Admin`] trait.

use crate::{
    Capabilities, Conversation, Credentials, Device, Error, Group, GroupSpec, GroupUpdate, HistoryCursor, HistoryPage,
    MemberCursor, MemberPage, Message, MessageBody, MuteDuration, Role,
};
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

    /// Creates a group as the app admin; `spec.owner` names the owner.
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

    /// Adds users; the outcome is per user, like [`crate::Session::add_group_members`].
    async fn add_group_members(&self, group: &str, users: &[String]) -> Result<Vec<BatchItem>, Error> {
        let _ = (group, users);
        Err(self.no_groups())
    }

    /// Removes members (never the owner).
    async fn remove_group_members(&self, group: &str, users: &[String]) -> Result<(), Error> {
        let _ = (group, users);
        Err(self.no_groups())
    }

    /// Dismisses a group.
    async fn dismiss_group(&self, group: &str) -> Result<(), Error> {
        let _ = group;
        Err(self.no_groups())
    }

    /// One page of members, like [`crate::Session::group_members`].
    async fn group_members(
        &self,
        group: &str,
        cursor: Option<&MemberCursor>,
        limit: usize,
    ) -> Result<MemberPage, Error> {
        let _ = (group, cursor, limit);
        Err(self.no_groups())
    }

    /// Sets a member's role to `Admin` or `Member`.
    async fn set_group_role(&self, group: &str, user: &str, role: Role) -> Result<(), Error> {
        let _ = (group, user, role);
        Err(self.no_groups())
    }

    /// Hands the group to another member.
    async fn transfer_group(&self, group: &str, new_owner: &str) -> Result<(), Error> {
        let _ = (group, new_owner);
        Err(self.no_groups())
    }

    /// Mutes a member for `duration` (zero unmutes).
    async fn mute_group_member(&self, group: &str, user: &str, duration: MuteDuration) -> Result<(), Error> {
        let _ = (group, user, duration);
        Err(self.no_groups())
    }

    /// The groups `user` belongs to.
    async fn joined_groups(&self, user: &str) -> Result<Vec<Group>, Error> {
        let _ = user;
        Err(self.no_groups())
    }

    /// Sends a group message as `from` (`None`: the app admin) with the
    /// sender's `client_id`. Returns the sender's copy.
    async fn send_group_message(
        &self,
        from: Option<&str>,
        group: &str,
        body: &MessageBody,
        client_id: &str,
    ) -> Result<Message, Error> {
        let _ = (from, group, body, client_id);
        Err(self.no_groups())
    }

    /// One page of a group's history, backwards like [`crate::Session::history`].
    async fn group_history(
        &self,
        group: &str,
        older: Option<&HistoryCursor>,
        limit: usize,
    ) -> Result<HistoryPage, Error> {
        let _ = (group, older, limit);
        Err(self.no_groups())
    }

    /// The error of an admin without groups.
    #[doc(hidden)]
    fn no_groups(&self) -> Error {
        Error::unsupported(format!("the {} admin does not manage groups", self.vendor()))
    }
}
