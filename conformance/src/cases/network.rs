//! The network: a dropped link is recovered by the session alone; a service
//! that refuses connections fails the login after the policy's attempts.

use super::{expect_user, log_in, TTL};
use crate::case::{case_fn, needs_nothing, require, Case};
use crate::expect::{
    describe_changes, drive_clock_until, ensure, expect_kind, expect_status, settle, Events, Failure, ResultExt,
    StateChange,
};
use crate::harness::{Harness, SessionSetup};
use unim_core::{ConnectionState, DisconnectReason, ErrorKind, LoginStatus};

/// `network.drop_reconnect`.
pub fn drop_reconnect() -> Case {
    Case {
        name: "network.drop_reconnect",
        about: "a dropped link goes Reconnecting then Connected by itself; the user is never logged out meanwhile",
        needs: |c| require(c.auto_reconnect, "auto_reconnect"),
        run: case_fn!(network_drop_reconnect),
    }
}

/// `network.unavailable`.
pub fn unavailable() -> Case {
    Case {
        name: "network.unavailable",
        about: "when the service refuses links, login makes exactly max_attempts attempts, then fails retryably",
        needs: needs_nothing,
        run: case_fn!(network_unavailable),
    }
}

async fn network_drop_reconnect(h: &dyn Harness) -> Result<(), Failure> {
    let user = h.fresh_user();
    let mut on = log_in(h, "session", SessionSetup::default(), &user).await?;
    let dropped = h.drop_links(&user);
    ensure!(dropped >= 1, "the backend had no live link of {user} to drop after a successful login");

    let path = on.events.states_until("Connected again", |c| c.state == ConnectionState::Connected).await?;
    if let Some(out) = path.iter().find(|c| LoginStatus::from(&c.state) == LoginStatus::LoggedOut) {
        return Err(on.events.failure(format!(
            "a dropped link must not log the user out, but the session went {out} (path {})",
            describe_changes(&path)
        )));
    }
    match path.iter().find(|c| matches!(c.state, ConnectionState::Reconnecting { .. })) {
        Some(StateChange { state: ConnectionState::Reconnecting { attempt: 1, .. }, .. }) => {}
        Some(other) => {
            return Err(on.events.failure(format!("the first Reconnecting should be attempt 1, got {other}")))
        }
        None => {
            return Err(on
                .events
                .failure(format!("expected Reconnecting before Connected again, got {}", describe_changes(&path))))
        }
    }
    expect_status("after reconnecting", &*on.session, LoginStatus::LoggedIn)?;
    expect_user("after reconnecting", &*on.session, &user)?;
    on.session.ping().await.ctx("ping after reconnecting")?;
    Ok(())
}

async fn network_unavailable(h: &dyn Harness) -> Result<(), Failure> {
    let policy = h.reconnect_policy();
    let s = h.session(SessionSetup::default());
    let mut events = Events::of("session", &*s);
    let user = h.fresh_user();
    let creds = h.credentials(&user, TTL).await.ctx("minting credentials")?;

    h.refuse_connections(true);
    let before = h.connection_attempts();
    let what = "login while the service refuses connections";
    let result = drive_clock_until(s.login(creds.clone()), h.clock(), policy.max_delay).await;
    let result = result.map_err(|f| f.context(what))?;
    let err = expect_kind(what, result, ErrorKind::Unavailable)?;
    ensure!(err.is_retryable(), "{what}: the error is not retryable: {err}");
    settle().await;
    let made = h.connection_attempts() - before;
    ensure!(
        made == u64::from(policy.max_attempts),
        "{what}: the session made {made} connection attempt(s); its policy allows exactly {} ({policy:?})",
        policy.max_attempts
    );
    let path = events.states_until("Disconnected after the failed login", StateChange::is_disconnected).await?;
    let last = path.last().expect("states_until returns the stopping change");
    if !last.is_disconnected_with(DisconnectReason::Network)
        || path.iter().any(|c| c.state == ConnectionState::Connected)
    {
        return Err(events.failure(format!(
            "{what}: expected the attempts to end with Disconnected(Network), got {}",
            describe_changes(&path)
        )));
    }
    expect_status(&format!("after the failed {what}"), &*s, LoginStatus::LoggedOut)?;

    h.refuse_connections(false);
    let result = drive_clock_until(s.login(creds), h.clock(), policy.max_delay).await;
    result.map_err(|f| f.context("login after the service came back"))?.ctx("login after the service came back")?;
    events.wait_state("Connected", |c| c.state == ConnectionState::Connected).await?;
    s.ping().await.ctx("ping after the service came back")?;
    Ok(())
}
