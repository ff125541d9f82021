//! Group management as the web SDK does it: the `chatgroups` REST calls
//! ([`crate::rest::groups`]) with the session's own user token, so the
//! server applies the user's permissions (docs/protocols/easemob.md,
//! "Groups"). Every call emits its `unim::calls` event there.

use super::Inner;
use crate::rest::groups::{self, Auth};
use crate::rest::RestClient;
use std::sync::OnceLock;
use unim_core::{
    BatchItem, Error, Group, GroupSpec, GroupUpdate, JoinOutcome, MemberCursor, MemberPage, MuteDuration, Role, Secret,
};

/// The most members asked for per page: Easemob's page size limit.
const MAX_PAGE: usize = groups::MAX_MEMBER_PAGE;

/// The REST client of a session's group calls, made on first use.
#[derive(Default)]
pub(crate) struct GroupRest(OnceLock<RestClient>);

impl GroupRest {
    /// The client for `inner`'s REST base and app key: it has no app
    /// credentials and only ever sends the user's token.
    fn get(&self, inner: &Inner) -> Result<&RestClient, Error> {
        if let Some(rest) = self.0.get() {
            return Ok(rest);
        }
        let rest =
            RestClient::for_user_tokens(&inner.config.rest_url, &inner.config.app_key, inner.options.clock.clone())?;
        Ok(self.0.get_or_init(|| rest))
    }
}

/// The user, their token and the REST client of a logged-in session.
struct Call<'a> {
    user: String,
    token: Secret,
    rest: &'a RestClient,
}

impl Call<'_> {
    fn auth(&self) -> Auth<'_> {
        Auth::User(&self.token)
    }
}

fn call(inner: &Inner) -> Result<Call<'_>, Error> {
    let (user, token) = inner.logged_in()?;
    Ok(Call { user, token, rest: inner.groups.get(inner)? })
}

/// `POST /chatgroups` owned by the session's user.
pub(crate) async fn create(inner: &Inner, spec: &GroupSpec) -> Result<Group, Error> {
    let c = call(inner)?;
    if let Some(owner) = spec.owner.as_deref() {
        if crate::user_id::normalize_username(owner)? != c.user {
            return Err(Error::invalid_input("a session creates groups its own user owns; leave spec.owner unset"));
        }
    }
    groups::create_group(c.rest, c.auth(), spec, &c.user).await
}

pub(crate) async fn info(inner: &Inner, group: &str) -> Result<Group, Error> {
    let c = call(inner)?;
    groups::group_info(c.rest, c.auth(), group).await
}

pub(crate) async fn update(inner: &Inner, group: &str, update: &GroupUpdate) -> Result<(), Error> {
    let c = call(inner)?;
    groups::update_group(c.rest, c.auth(), group, update).await
}

pub(crate) async fn add(inner: &Inner, group: &str, users: &[String]) -> Result<Vec<BatchItem>, Error> {
    let c = call(inner)?;
    groups::add_group_members(c.rest, c.auth(), group, users).await
}

pub(crate) async fn remove(inner: &Inner, group: &str, users: &[String]) -> Result<(), Error> {
    let c = call(inner)?;
    groups::remove_group_members(c.rest, c.auth(), group, users).await
}

pub(crate) async fn join(inner: &Inner, group: &str, message: Option<&str>) -> Result<JoinOutcome, Error> {
    let c = call(inner)?;
    groups::join_group(c.rest, &c.token, group, message).await
}

pub(crate) async fn decide(inner: &Inner, group: &str, applicant: &str, accept: bool) -> Result<(), Error> {
    let c = call(inner)?;
    groups::decide_join(c.rest, c.auth(), group, applicant, accept).await
}

pub(crate) async fn leave(inner: &Inner, group: &str) -> Result<(), Error> {
    let c = call(inner)?;
    groups::leave_group(c.rest, &c.token, group).await
}

pub(crate) async fn dismiss(inner: &Inner, group: &str) -> Result<(), Error> {
    let c = call(inner)?;
    groups::dismiss_group(c.rest, c.auth(), group).await
}

pub(crate) async fn members(
    inner: &Inner,
    group: &str,
    cursor: Option<&MemberCursor>,
    limit: usize,
) -> Result<MemberPage, Error> {
    if limit == 0 {
        return Err(Error::invalid_input("the member page limit must be at least 1"));
    }
    let c = call(inner)?;
    groups::group_members(c.rest, c.auth(), group, cursor, limit.min(MAX_PAGE)).await
}

pub(crate) async fn set_role(inner: &Inner, group: &str, user: &str, role: Role) -> Result<(), Error> {
    let c = call(inner)?;
    groups::set_group_role(c.rest, c.auth(), group, user, role).await
}

pub(crate) async fn transfer(inner: &Inner, group: &str, new_owner: &str) -> Result<(), Error> {
    let c = call(inner)?;
    groups::transfer_group(c.rest, c.auth(), group, new_owner).await
}

pub(crate) async fn mute(inner: &Inner, group: &str, user: &str, duration: MuteDuration) -> Result<(), Error> {
    let c = call(inner)?;
    groups::mute_group_member(c.rest, c.auth(), group, user, duration).await
}

pub(crate) async fn joined(inner: &Inner) -> Result<Vec<Group>, Error> {
    let c = call(inner)?;
    groups::joined_groups(c.rest, c.auth(), &c.user).await
}
