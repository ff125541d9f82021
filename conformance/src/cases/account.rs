//! What the app server does to an account while it is online: a password
//! change, a deletion, a ban. Each ends the online session exactly once with
//! its own reason, keeps the vendor's code, and is fatal (no reconnect); the
//! login that follows is refused until the app server allows it again.

use super::{exactly_one_disconnect, log_in, reasons, Online, TTL};
use crate::case::{case_fn, require, Case};
use crate::expect::{ensure, expect_kind_in, expect_status, Events, Failure, ResultExt, StateChange};
use crate::harness::{Harness, SessionSetup};
use std::time::Duration;
use unim_core::{ConnectionState, DisconnectReason, ErrorKind, LoginStatus};

/// `account.password_changed`.
pub fn password_changed() -> Case {
    Case {
        name: "account.password_changed",
        about: "a password change by the app server ends the login once with PasswordChanged; old credentials fail",
        needs: |c| require(c.disconnect_password_changed, "disconnect_password_changed"),
        run: case_fn!(account_password_changed),
    }
}

/// `account.removed`.
pub fn removed() -> Case {
    Case {
        name: "account.removed",
        about: "deleting the account ends the login once with AccountRemoved, no reconnect; a later login fails",
        needs: |c| {
            require(c.disconnect_account_removed, "disconnect_account_removed")?;
            require(c.admin_delete, "admin_delete")
        },
        run: case_fn!(account_removed),
    }
}

/// `account.banned`.
pub fn banned() -> Case {
    Case {
        name: "account.banned",
        about: "a ban ends the login with Banned (or ServiceRestricted), refuses new logins, and an unban lifts it",
        needs: |c| require(c.disconnect_banned, "disconnect_banned"),
        run: case_fn!(account_banned),
    }
}

/// Waits for the `Disconnected` that `what` causes on `on`, and expects it to
/// be fatal: one of `accepted`, with the vendor's code, exactly once, no
/// connection attempt after it, and the session logged out.
async fn expect_fatal_disconnect(
    h: &dyn Harness,
    user: &str,
    on: &mut Online,
    what: &str,
    accepted: &[DisconnectReason],
) -> Result<(), Failure> {
    let wanted = reasons(accepted);
    let ended = on.events.wait_state(&format!("Disconnected after {what}"), StateChange::is_disconnected).await?;
    if !ended.disconnect_reason().is_some_and(|r| accepted.contains(&r)) {
        return Err(on.events.failure(format!("after {what}: expected Disconnected({wanted}), got {ended}")));
    }
    ensure!(
        ended.reason.as_ref().is_some_and(|d| d.vendor.is_some()),
        "after {what}: the disconnect carries no vendor code ({ended}); the vendor's original code must be kept"
    );
    let attempts = h.connection_attempts();
    h.admin().exists(&[user.to_owned()]).await.ctx(format!("an admin round trip after {what}"))?;
    on.events.expect_no_state_change(&format!("after {what} (it is fatal: no reconnect)")).await?;
    exactly_one_disconnect(&on.events, accepted)?;
    let made = h.connection_attempts() - attempts;
    ensure!(made == 0, "the session made {made} connection attempt(s) after {what}; it is fatal");
    expect_status(&format!("after {what}"), &*on.session, LoginStatus::LoggedOut)
}

async fn account_password_changed(h: &dyn Harness) -> Result<(), Failure> {
    let user = h.fresh_user();
    let mut on = log_in(h, "session", SessionSetup::default(), &user).await?;
    let old_password = if h.capabilities().login_password {
        Some(h.password_credentials(&user).await.ctx(format!("the password credentials of {user}"))?)
    } else {
        None
    };
    // The change voids credentials issued before it; let a second pass so the
    // old ones are unambiguously older than the change.
    h.clock().advance(Duration::from_secs(1));
    h.change_password(&user).await.ctx(format!("the app server changing the password of {user}"))?;
    expect_fatal_disconnect(h, &user, &mut on, "the password change", &[DisconnectReason::PasswordChanged]).await?;

    h.clock().advance(Duration::from_secs(1));
    let what = "login with the credentials used before the password change";
    expect_kind_in(
        what,
        on.session.login(on.credentials.clone()).await,
        &[ErrorKind::Unauthenticated, ErrorKind::CredentialExpired],
    )?;
    expect_status(what, &*on.session, LoginStatus::LoggedOut)?;
    if let Some(old) = old_password {
        let what = "login with the password from before the change";
        expect_kind_in(what, on.session.login(old).await, &[ErrorKind::Unauthenticated])?;
        expect_status(what, &*on.session, LoginStatus::LoggedOut)?;
    }
    let fresh = h.credentials(&user, TTL).await.ctx("minting credentials after the password change")?;
    on.session.login(fresh).await.ctx("login with credentials issued after the password change")?;
    on.events.wait_state("Connected with the new credentials", |c| c.state == ConnectionState::Connected).await?;
    on.session.ping().await.ctx("ping after logging in again")?;
    Ok(())
}

async fn account_removed(h: &dyn Harness) -> Result<(), Failure> {
    let user = h.fresh_user();
    let mut on = log_in(h, "session", SessionSetup::default(), &user).await?;
    let admin = h.admin();
    let items = admin.delete(std::slice::from_ref(&user)).await.ctx(format!("admin delete of {user}"))?;
    match items.iter().find(|i| i.user == user) {
        Some(item) => item.result.clone().ctx(format!("admin delete of {user}: the item of {user}"))?,
        None => return Err(Failure::new(format!("admin delete of {user}: the answer has no item for {user}"))),
    }
    expect_fatal_disconnect(h, &user, &mut on, "the account's deletion", &[DisconnectReason::AccountRemoved]).await?;

    let exists = admin.exists(std::slice::from_ref(&user)).await.ctx("admin exists after the deletion")?;
    ensure!(
        !exists.iter().any(|(u, e)| *u == user && *e),
        "after deleting {user} the admin still says the account exists ({exists:?})"
    );
    let what = "login of the deleted account with its old credentials";
    expect_kind_in(
        what,
        on.session.login(on.credentials.clone()).await,
        &[ErrorKind::Unauthenticated, ErrorKind::NotFound, ErrorKind::CredentialExpired],
    )?;
    expect_status(what, &*on.session, LoginStatus::LoggedOut)?;
    Ok(())
}

async fn account_banned(h: &dyn Harness) -> Result<(), Failure> {
    let user = h.fresh_user();
    let mut on = log_in(h, "session", SessionSetup::default(), &user).await?;
    h.ban(&user).await.ctx(format!("the app server banning {user}"))?;
    let ban = [DisconnectReason::Banned, DisconnectReason::ServiceRestricted];
    let result = expect_fatal_disconnect(h, &user, &mut on, "the ban", &ban).await;
    if let Err(f) = result {
        // Best effort: the ban outlives nothing but this harness, yet say what failed first.
        let _ = h.unban(&user).await;
        return Err(f);
    }

    let s = h.session(SessionSetup::default());
    let mut events = Events::of("a new session of the banned user", &*s);
    let what = "a new login of the banned user";
    expect_kind_in(what, s.login(on.credentials.clone()).await, &[ErrorKind::PermissionDenied])?;
    let refused = events.wait_state(&format!("Disconnected after {what}"), StateChange::is_disconnected).await?;
    if !refused.disconnect_reason().is_some_and(|r| ban.contains(&r)) {
        return Err(events.failure(format!("{what}: expected Disconnected({}), got {refused}", reasons(&ban))));
    }
    expect_status(what, &*s, LoginStatus::LoggedOut)?;

    h.unban(&user).await.ctx(format!("the app server lifting the ban of {user}"))?;
    let fresh = h.credentials(&user, TTL).await.ctx("minting credentials after the ban was lifted")?;
    s.login(fresh).await.ctx("login after the ban was lifted")?;
    events.wait_state("Connected after the ban was lifted", |c| c.state == ConnectionState::Connected).await?;
    expect_status("after the ban was lifted", &*s, LoginStatus::LoggedIn)?;
    s.ping().await.ctx("ping after the ban was lifted")?;
    Ok(())
}
