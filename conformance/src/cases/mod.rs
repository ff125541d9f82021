//! The cases, one module per area. Each case is a plain `async fn` over a
//! [`Harness`]; its constructor (listed in `__for_each_case!`) says what it
//! needs.

pub mod account;
pub mod admin;
pub mod autologin;
mod chat;
pub mod conversation;
pub mod credential;
pub mod delivery;
pub mod group;
pub mod kick;
pub mod login;
pub mod logout;
pub mod message;
pub mod multidevice;
pub mod network;
pub mod sync;

use crate::expect::{describe_changes, eventually, expect_status, Events, Failure, ResultExt, StateChange};
use crate::harness::{Harness, SessionSetup};
use std::time::Duration;
use unim_core::{
    Capabilities, ConnectionState, Credentials, Device, DisconnectReason, LoginStatus, Presence, PresenceStatus,
    Session,
};

/// The lifetime of credentials in cases that do not care about expiry: long
/// enough that no clock move of any case gets near it.
pub(crate) const TTL: Duration = Duration::from_secs(365 * 86_400);

/// How many devices of one platform may be online at once, when the vendor
/// limits it at all: the smallest of the per-platform, per-class (a platform
/// is in one class) and total limits.
pub(crate) fn same_platform_limit(c: &Capabilities) -> Option<u32> {
    [c.devices_per_platform, c.devices_per_class, c.devices_total].into_iter().filter(|&n| n > 0).min()
}

/// A session that a helper logged in.
pub(crate) struct Online {
    /// The session.
    pub session: Box<dyn Session>,
    /// Its events, subscribed before the login.
    pub events: Events,
    /// The credentials it used.
    pub credentials: Credentials,
}

/// Opens a session with `setup`, logs `user` in with fresh credentials valid
/// for `ttl`, and waits for the `Connected` event.
pub(crate) async fn log_in_for(
    h: &dyn Harness,
    label: &str,
    setup: SessionSetup,
    user: &str,
    ttl: Duration,
) -> Result<Online, Failure> {
    let session = h.session(setup);
    let mut events = Events::of(label, &*session);
    let credentials = h.credentials(user, ttl).await.ctx(format!("{label}: minting credentials for {user}"))?;
    session.login(credentials.clone()).await.ctx(format!("{label}: login as {user}"))?;
    events.wait_state("Connected after a successful login", |c| c.state == ConnectionState::Connected).await?;
    expect_status(&format!("{label} after login"), &*session, LoginStatus::LoggedIn)?;
    Ok(Online { session, events, credentials })
}

/// [`log_in_for`] with long-lived credentials.
pub(crate) async fn log_in(h: &dyn Harness, label: &str, setup: SessionSetup, user: &str) -> Result<Online, Failure> {
    log_in_for(h, label, setup, user, TTL).await
}

/// The admin's view of `user`'s presence.
pub(crate) async fn presence(h: &dyn Harness, user: &str) -> Result<Presence, Failure> {
    let list = h.admin().online_status(&[user.to_owned()]).await.ctx(format!("admin online_status of {user}"))?;
    list.into_iter()
        .find(|p| p.user == user)
        .ok_or_else(|| Failure::new(format!("admin online_status of {user}: the answer has no entry for {user}")))
}

/// Waits (bounded, real time) until the admin sees `user` with `status`.
/// Presence is updated by the backend when it notices a link's end, which may
/// trail the client's own view by a round trip.
pub(crate) async fn wait_presence(
    h: &dyn Harness,
    user: &str,
    status: PresenceStatus,
    why: &str,
) -> Result<Presence, Failure> {
    let what = format!("{why}: the admin should see {user} {status:?}");
    eventually(&what, || async move {
        match presence(h, user).await {
            Ok(p) if p.status == status => Ok(p),
            Ok(p) => Err(format!("{:?} with devices {:?}", p.status, p.devices)),
            Err(f) => Err(f.to_string()),
        }
    })
    .await
}

/// Expects `user` to be the session's current user.
pub(crate) fn expect_user(label: &str, session: &dyn Session, user: &str) -> Result<(), Failure> {
    let current = session.current_user();
    crate::expect::ensure!(
        current.as_deref() == Some(user),
        "{label}: current_user() is {current:?}, expected {user:?}"
    );
    Ok(())
}

/// Expects `status` to be the one the admin reports for `user` right now.
pub(crate) async fn expect_presence(
    h: &dyn Harness,
    user: &str,
    status: PresenceStatus,
    why: &str,
) -> Result<Presence, Failure> {
    let p = presence(h, user).await?;
    crate::expect::ensure!(
        p.status == status,
        "{why}: the admin sees {user} {:?} (devices {:?}), expected {status:?}",
        p.status,
        p.devices
    );
    Ok(p)
}

/// Expects exactly one `Disconnected` so far on `events`, with one of the
/// `accepted` reasons.
pub(crate) fn exactly_one_disconnect(events: &Events, accepted: &[DisconnectReason]) -> Result<(), Failure> {
    let disconnects: Vec<StateChange> =
        events.seen().iter().filter_map(StateChange::from_event).filter(StateChange::is_disconnected).collect();
    match disconnects.as_slice() {
        [only] if only.disconnect_reason().is_some_and(|r| accepted.contains(&r)) => Ok(()),
        _ => Err(events.failure(format!(
            "expected exactly one Disconnected({}), got {}",
            reasons(accepted),
            describe_changes(&disconnects)
        ))),
    }
}

/// `A or B` for failure messages.
pub(crate) fn reasons(accepted: &[DisconnectReason]) -> String {
    accepted.iter().map(|r| format!("{r:?}")).collect::<Vec<_>>().join(" or ")
}

/// Waits (bounded, real time) until `session`'s `other_devices()` satisfies
/// `pred`, and returns that list. A device learns of its user's other
/// devices from the vendor's pushes (or asks the server), so the list may
/// trail another device's login or logout by a round trip.
pub(crate) async fn wait_other_devices(
    session: &dyn Session,
    what: &str,
    pred: impl Fn(&[Device]) -> bool,
) -> Result<Vec<Device>, Failure> {
    let pred = &pred;
    eventually(what, || async move {
        match session.other_devices().await {
            Ok(list) if pred(&list) => Ok(list),
            Ok(list) => Err(format!("other_devices() = {list:?}")),
            Err(e) => Err(format!("other_devices() failed: {e}")),
        }
    })
    .await
}
