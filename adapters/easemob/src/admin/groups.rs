//! The admin's groups: the neutral [`unim_core::Admin`] group calls over
//! [`crate::rest::groups`] with the app token.
//!
//! - Easemob needs an owner for every group (`owner` is required, easemob.md
//!   section 5), so a spec without one is [`ErrorKind::InvalidInput`].
//! - Adding is `POST /chatgroups/{id}/users` in batches of 60; removing
//!   `DELETE /chatgroups/{id}/users/{u1,u2}` in batches of 60.
//! - A mute of zero unmutes (`DELETE .../mute/{u}`).
//! - Group messages are `POST /messages/chatgroups`; history is the v6
//!   roaming API. Easemob's server does not check that the sender is a
//!   member (easemob.md 4.1), and REST sends have no client message id, so
//!   a retried call may store twice.

use super::EasemobAdmin;
use crate::rest::groups::{self as api, Auth};
use unim_core::{
    BatchItem, Error, ErrorKind, Group, GroupSpec, GroupUpdate, HistoryCursor, HistoryPage, MemberCursor, MemberPage,
    Message, MessageBody, MuteDuration, Role,
};

impl EasemobAdmin {
    /// `POST /chatgroups` for `spec` (its owner is required), then the new group's details.
    pub async fn create_group(&self, spec: &GroupSpec) -> Result<Group, Error> {
        let owner = spec
            .owner
            .as_deref()
            .ok_or_else(|| Error::new(ErrorKind::InvalidInput, "an Easemob group needs an owner (GroupSpec::owner)"))?;
        api::create_group(self.rest(), Auth::App, spec, owner).await
    }

    /// `GET /chatgroups/{id}`.
    pub async fn group_info(&self, group: &str) -> Result<Group, Error> {
        api::group_info(self.rest(), Auth::App, group).await
    }

    /// `PUT /chatgroups/{id}`.
    pub async fn update_group(&self, group: &str, update: &GroupUpdate) -> Result<(), Error> {
        api::update_group(self.rest(), Auth::App, group, update).await
    }

    /// `POST /chatgroups/{id}/users` in batches of 60; per user outcome.
    pub async fn add_group_members(&self, group: &str, users: &[String]) -> Result<Vec<BatchItem>, Error> {
        api::add_group_members(self.rest(), Auth::App, group, users).await
    }

    /// `DELETE /chatgroups/{id}/users/{u1,u2,...}` in batches of 60.
    pub async fn remove_group_members(&self, group: &str, users: &[String]) -> Result<(), Error> {
        api::remove_group_members(self.rest(), Auth::App, group, users).await
    }

    /// `DELETE /chatgroups/{id}`.
    pub async fn dismiss_group(&self, group: &str) -> Result<(), Error> {
        api::dismiss_group(self.rest(), Auth::App, group).await
    }

    /// One page of members (cursor = Easemob's `pagenum`).
    pub async fn group_members(
        &self,
        group: &str,
        cursor: Option<&MemberCursor>,
        limit: usize,
    ) -> Result<MemberPage, Error> {
        api::group_members(self.rest(), Auth::App, group, cursor, limit).await
    }

    /// `POST`/`DELETE /chatgroups/{id}/admin`.
    pub async fn set_group_role(&self, group: &str, user: &str, role: Role) -> Result<(), Error> {
        api::set_group_role(self.rest(), Auth::App, group, user, role).await
    }

    /// `PUT /chatgroups/{id}` with `newowner`.
    pub async fn transfer_group(&self, group: &str, new_owner: &str) -> Result<(), Error> {
        api::transfer_group(self.rest(), Auth::App, group, new_owner).await
    }

    /// `POST /chatgroups/{id}/mute` (zero: `DELETE .../mute/{u}`).
    pub async fn mute_group_member(&self, group: &str, user: &str, duration: MuteDuration) -> Result<(), Error> {
        api::mute_group_member(self.rest(), Auth::App, group, user, duration).await
    }

    /// `GET /chatgroups/user/{u}` and the groups' details.
    pub async fn joined_groups(&self, user: &str) -> Result<Vec<Group>, Error> {
        api::joined_groups(self.rest(), Auth::App, user).await
    }

    /// `POST /messages/chatgroups`.
    pub async fn send_group_message(
        &self,
        from: Option<&str>,
        group: &str,
        body: &MessageBody,
        client_id: &str,
    ) -> Result<Message, Error> {
        api::send_group_message(self.rest(), from, group, body, client_id).await
    }

    /// The v6 group roaming history, backwards.
    pub async fn group_history(
        &self,
        group: &str,
        older: Option<&HistoryCursor>,
        limit: usize,
    ) -> Result<HistoryPage, Error> {
        api::group_history(self.rest(), group, older, limit).await
    }
}
