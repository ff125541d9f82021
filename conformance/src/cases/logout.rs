//! Logging out: once with `Disconnected(Requested)`, then idempotently.

use super::{expect_user, TTL};
use crate::case::{case_fn, needs_nothing, Case};
use crate::expect::{describe_changes, ensure, expect_kind, expect_status, Events, Failure, ResultExt, StateChange};
use crate::harness::{Harness, SessionSetup};
use unim_core::{ConnectionState, DisconnectReason, ErrorKind, LoginStatus};

/// `logout.ok`.
pub fn ok() -> Case {
    Case {
        name: "logout.ok",
        about: "logout ends the login with Disconnected(Requested); logging out again succeeds and emits nothing",
        needs: needs_nothing,
        run: case_fn!(logout_ok),
    }
}

/// The states a login passes, checking that the first change is `Connecting`
/// (proving that nothing was emitted since the previous step).
async fn login_path_after(events: &mut Events, after: &str) -> Result<(), Failure> {
    let path = events.states_until("Connected", |c| c.state == ConnectionState::Connected).await?;
    match path.first() {
        Some(c) if c.state == ConnectionState::Connecting => {}
        _ => {
            return Err(events.failure(format!(
                "{after} must emit nothing, so the next login's first state change must be Connecting; got {}",
                describe_changes(&path)
            )))
        }
    }
    if path.iter().any(StateChange::is_disconnected) {
        return Err(events.failure(format!("login after {after} went {}", describe_changes(&path))));
    }
    Ok(())
}

async fn logout_ok(h: &dyn Harness) -> Result<(), Failure> {
    let s = h.session(SessionSetup::default());
    let mut events = Events::of("session", &*s);
    s.logout().await.ctx("logout of a session that never logged in")?;

    let user = h.fresh_user();
    let creds = h.credentials(&user, TTL).await.ctx("minting credentials")?;
    s.login(creds).await.ctx(format!("login as {user}"))?;
    login_path_after(&mut events, "a logout while logged out").await?;
    expect_user("after login", &*s, &user)?;

    s.logout().await.ctx("logout")?;
    let bye = events.wait_state("Disconnected after logout", StateChange::is_disconnected).await?;
    if !bye.is_disconnected_with(DisconnectReason::Requested) {
        return Err(events.failure(format!("logout: expected Disconnected(Requested), got {bye}")));
    }
    expect_status("after logout", &*s, LoginStatus::LoggedOut)?;
    ensure!(s.current_user().is_none(), "after logout: current_user() is {:?}, expected None", s.current_user());
    expect_kind("ping after logout", s.ping().await, ErrorKind::InvalidState)?;

    s.logout().await.ctx("a second logout")?;
    expect_status("after a second logout", &*s, LoginStatus::LoggedOut)?;
    let creds = h.credentials(&user, TTL).await.ctx("minting credentials")?;
    s.login(creds).await.ctx("login after logging out twice")?;
    login_path_after(&mut events, "a second logout").await?;
    s.ping().await.ctx("ping after logging in again")?;
    Ok(())
}
