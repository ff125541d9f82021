//! Kicks: by another login of the same account, and by the app server. A
//! kicked session hears it exactly once, keeps the vendor's code, and does not
//! reconnect by itself.

use super::{exactly_one_disconnect, log_in, Online, TTL};
use crate::case::{case_fn, require, Case};
use crate::expect::{ensure, expect_kind_in, expect_state, expect_status, Events, Failure, ResultExt, StateChange};
use crate::harness::{Harness, SessionSetup};
use std::time::Duration;
use unim_core::{Capabilities, ConnectionState, DisconnectReason, ErrorKind, LoginStatus};

/// `kick.other_login`.
pub fn other_login() -> Case {
    Case {
        name: "kick.other_login",
        about: "a second device of the same user kicks the first exactly once with KickedByOtherLogin; no reconnect",
        needs: needs_single_device_per_platform,
        run: case_fn!(kick_other_login),
    }
}

/// `kick.by_server`.
pub fn by_server() -> Case {
    Case {
        name: "kick.by_server",
        about: "an admin kick ends the login with KickedByServer, voids the old credentials, and fresh ones work",
        needs: |c| require(c.admin_kick, "admin_kick"),
        run: case_fn!(kick_by_server),
    }
}

fn needs_single_device_per_platform(c: &Capabilities) -> Result<(), &'static str> {
    require(c.devices_per_platform == 1, "devices_per_platform == 1 (a new login on the same platform kicks the old)")
}

async fn kick_other_login(h: &dyn Harness) -> Result<(), Failure> {
    let user = h.fresh_user();
    let mut a = log_in(h, "session A", SessionSetup::default(), &user).await?;
    let b = log_in(h, "session B (same user, another device)", SessionSetup::default(), &user).await?;
    let mut b_events = b.events;

    let kicked = a.events.wait_state("Disconnected on A after B logged in", StateChange::is_disconnected).await?;
    if !kicked.is_disconnected_with(DisconnectReason::KickedByOtherLogin) {
        return Err(a.events.failure(format!("expected Disconnected(KickedByOtherLogin), got {kicked}")));
    }
    ensure!(
        kicked.reason.as_ref().is_some_and(|d| d.vendor.is_some()),
        "session A: the kick carries no vendor code ({kicked}); the vendor's original code must be kept"
    );
    let attempts = h.connection_attempts();
    b.session.ping().await.ctx("ping on session B after it kicked A")?;
    a.events.expect_no_state_change("after being kicked (a kick is fatal: no reconnect)").await?;
    exactly_one_disconnect(&a.events, &[DisconnectReason::KickedByOtherLogin])?;
    let made = h.connection_attempts() - attempts;
    ensure!(made == 0, "session A made {made} connection attempt(s) after being kicked; a kick is fatal");
    expect_status("session A after the kick", &*a.session, LoginStatus::LoggedOut)?;

    b_events.expect_no_state_change("session B after kicking A").await?;
    expect_state("session B", &*b.session, ConnectionState::Connected)?;
    b.session.ping().await.ctx("a second ping on session B")?;
    Ok(())
}

async fn kick_by_server(h: &dyn Harness) -> Result<(), Failure> {
    let user = h.fresh_user();
    // Credentials of the kind the vendor's kick voids.
    let credentials = h.revocable_credentials(&user).await.ctx(format!("minting revocable credentials for {user}"))?;
    let session = h.session(SessionSetup::default());
    let events = Events::of("session", &*session);
    let mut on = Online { session, events, credentials };
    on.session.login(on.credentials.clone()).await.ctx(format!("login as {user}"))?;
    on.events.wait_state("Connected after a successful login", |c| c.state == ConnectionState::Connected).await?;
    let admin = h.admin();
    // The kick voids credentials issued before it; let a second pass so the
    // old credentials are unambiguously older than the kick.
    h.clock().advance(Duration::from_secs(1));
    admin.kick(&user).await.ctx(format!("admin kick of {user}"))?;

    let kicked = on.events.wait_state("Disconnected after the admin kick", StateChange::is_disconnected).await?;
    if !kicked.is_disconnected_with(DisconnectReason::KickedByServer) {
        return Err(on.events.failure(format!("expected Disconnected(KickedByServer), got {kicked}")));
    }
    let attempts = h.connection_attempts();
    admin.exists(std::slice::from_ref(&user)).await.ctx("an admin round trip after the kick")?;
    on.events.expect_no_state_change("after a server kick (a kick is fatal: no reconnect)").await?;
    exactly_one_disconnect(&on.events, &[DisconnectReason::KickedByServer])?;
    let made = h.connection_attempts() - attempts;
    ensure!(made == 0, "the session made {made} connection attempt(s) after a server kick; a kick is fatal");
    expect_status("after the server kick", &*on.session, LoginStatus::LoggedOut)?;

    h.clock().advance(Duration::from_secs(1));
    let what = "login with the credentials issued before the server kick";
    expect_kind_in(
        what,
        on.session.login(on.credentials.clone()).await,
        &[ErrorKind::Unauthenticated, ErrorKind::CredentialExpired],
    )?;
    let fresh = h.credentials(&user, TTL).await.ctx("minting fresh credentials after the kick")?;
    on.session.login(fresh).await.ctx("login with fresh credentials after the server kick")?;
    on.events.wait_state("Connected with fresh credentials", |c| c.state == ConnectionState::Connected).await?;
    on.session.ping().await.ctx("ping after logging in again")?;
    Ok(())
}
