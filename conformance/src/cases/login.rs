//! Logging in: the happy path, every way a login is refused, a concurrent
//! login, and switching accounts on one session.

use super::{expect_user, log_in, wait_presence, TTL};
use crate::case::{case_fn, needs_nothing, require, Case};
use crate::expect::{
    describe_changes, ensure, expect_kind, expect_kind_in, expect_state, expect_status, with_user, Events, Failure,
    ResultExt, StateChange, TaskGuard, WAIT,
};
use crate::harness::{Harness, SessionSetup};
use std::sync::Arc;
use unim_core::{ConnectionState, Credentials, DisconnectReason, ErrorKind, LoginStatus, PresenceStatus, Session};

/// `login.ok`.
pub fn ok() -> Case {
    Case {
        name: "login.ok",
        about: "a login goes Connecting, Authenticating, (Syncing,) Connected and the session is logged in as the user",
        needs: needs_nothing,
        run: case_fn!(login_ok),
    }
}

/// `login.password`.
pub fn password() -> Case {
    Case {
        name: "login.password",
        about: "a registered user logs in with Credentials::Password and the session is logged in as the user",
        needs: |c| require(c.login_password, "login_password"),
        run: case_fn!(login_password),
    }
}

/// `login.token`.
pub fn token() -> Case {
    Case {
        name: "login.token",
        about: "a user logs in with an app-issued Credentials::Token and the session is logged in as the user",
        needs: |c| require(c.login_token, "login_token"),
        run: case_fn!(login_token),
    }
}

/// `login.wrong_secret`.
pub fn wrong_secret() -> Case {
    Case {
        name: "login.wrong_secret",
        about: "a wrongly signed credential fails with Unauthenticated and ends with Disconnected(AuthFailed)",
        needs: needs_nothing,
        run: case_fn!(login_wrong_secret),
    }
}

/// `login.expired_credential`.
pub fn expired_credential() -> Case {
    Case {
        name: "login.expired_credential",
        about:
            "an expired credential fails with CredentialExpired (not Unauthenticated), Disconnected(CredentialExpired)",
        needs: needs_nothing,
        run: case_fn!(login_expired_credential),
    }
}

/// `login.unknown_user`.
pub fn unknown_user() -> Case {
    Case {
        name: "login.unknown_user",
        about: "a never-registered user is registered by the login where the vendor auto-registers, refused otherwise",
        needs: needs_nothing,
        run: case_fn!(login_unknown_user),
    }
}

/// `login.invalid_user_id`.
pub fn invalid_user_id() -> Case {
    Case {
        name: "login.invalid_user_id",
        about: "a user id the vendor refuses fails with InvalidInput before any network I/O",
        needs: needs_nothing,
        run: case_fn!(login_invalid_user_id),
    }
}

/// `login.concurrent`.
pub fn concurrent() -> Case {
    Case {
        name: "login.concurrent",
        about: "a second login while one is in progress fails fast with InvalidState and leaves the first alone",
        needs: needs_nothing,
        run: case_fn!(login_concurrent),
    }
}

/// `login.switch_account`.
pub fn switch_account() -> Case {
    Case {
        name: "login.switch_account",
        about: "logging in another user ends the current login with Disconnected(Requested), then connects the new one",
        needs: needs_nothing,
        run: case_fn!(login_switch_account),
    }
}

/// True for `Connecting, Authenticating, [Syncing,] Connected`.
fn is_login_path(path: &[StateChange]) -> bool {
    let states: Vec<&ConnectionState> = path.iter().map(|c| &c.state).collect();
    use ConnectionState::*;
    matches!(
        states.as_slice(),
        [Connecting, Authenticating, Connected] | [Connecting, Authenticating, Syncing, Connected]
    )
}

async fn login_ok(h: &dyn Harness) -> Result<(), Failure> {
    let s = h.session(SessionSetup::default());
    let mut events = Events::of("session", &*s);
    expect_state("a new session", &*s, ConnectionState::Disconnected)?;
    expect_status("a new session", &*s, LoginStatus::LoggedOut)?;
    ensure!(s.current_user().is_none(), "a new session: current_user() is {:?}, expected None", s.current_user());

    let user = h.fresh_user();
    let creds = h.credentials(&user, TTL).await.ctx("minting credentials")?;
    s.login(creds).await.ctx(format!("login as {user}"))?;
    let path = events.states_until("Connected", |c| c.state == ConnectionState::Connected).await?;
    if !is_login_path(&path) {
        return Err(events.failure(format!(
            "expected the states Connecting, Authenticating, [Syncing,] Connected; got {}",
            describe_changes(&path)
        )));
    }
    expect_state("after login", &*s, ConnectionState::Connected)?;
    expect_status("after login", &*s, LoginStatus::LoggedIn)?;
    expect_user("after login", &*s, &user)?;
    s.ping().await.ctx("ping after login")?;
    Ok(())
}

/// The kind of `creds`, for failure messages (never the secret).
fn credential_kind(creds: &Credentials) -> &'static str {
    match creds {
        Credentials::Password { .. } => "Password",
        Credentials::Token { .. } => "Token",
        Credentials::UserSig { .. } => "UserSig",
    }
}

/// Logs `user` in with `creds` of the `expected` kind on a new session and
/// expects it connected and logged in as `user`.
async fn login_with(h: &dyn Harness, user: &str, creds: Credentials, expected: &str) -> Result<(), Failure> {
    let kind = credential_kind(&creds);
    ensure!(kind == expected, "the harness handed out {kind} credentials for {user}, expected {expected}");
    let s = h.session(SessionSetup::default());
    let mut events = Events::of("session", &*s);
    s.login(creds).await.ctx(format!("login as {user} with {expected} credentials"))?;
    let path = events.states_until("Connected", |c| c.state == ConnectionState::Connected).await?;
    if path.iter().any(StateChange::is_disconnected) {
        return Err(events.failure(format!(
            "a {expected} login went through Disconnected before Connected: {}",
            describe_changes(&path)
        )));
    }
    let label = format!("after a {expected} login");
    expect_status(&label, &*s, LoginStatus::LoggedIn)?;
    expect_user(&label, &*s, user)?;
    s.ping().await.ctx(format!("ping {label}"))?;
    Ok(())
}

async fn login_password(h: &dyn Harness) -> Result<(), Failure> {
    let user = h.fresh_user();
    let creds = h.password_credentials(&user).await.ctx(format!("the password credentials of {user}"))?;
    login_with(h, &user, creds, "Password").await
}

async fn login_token(h: &dyn Harness) -> Result<(), Failure> {
    let user = h.fresh_user();
    let creds = h.token_credentials(&user, TTL).await.ctx(format!("an app-issued token for {user}"))?;
    login_with(h, &user, creds, "Token").await
}

/// Logs in with `creds`, expects the error `kind` and a `Disconnected(reason)`
/// ending a path that never reached `Connected`.
async fn refused_login(
    s: &dyn Session,
    events: &mut Events,
    what: &str,
    creds: unim_core::Credentials,
    kind: ErrorKind,
    reason: DisconnectReason,
) -> Result<(), Failure> {
    expect_kind(what, s.login(creds).await, kind)?;
    let path = events.states_until(&format!("Disconnected({reason:?})"), StateChange::is_disconnected).await?;
    let last = path.last().expect("states_until returns the stopping change");
    if !last.is_disconnected_with(reason) {
        return Err(events.failure(format!("{what}: expected Disconnected({reason:?}), got {last}")));
    }
    if path.iter().any(|c| c.state == ConnectionState::Connected) {
        return Err(events.failure(format!("{what}: the refused login reached Connected: {}", describe_changes(&path))));
    }
    expect_status(what, s, LoginStatus::LoggedOut)
}

async fn login_wrong_secret(h: &dyn Harness) -> Result<(), Failure> {
    let s = h.session(SessionSetup::default());
    let mut events = Events::of("session", &*s);
    let user = h.fresh_user();
    let creds = h.wrong_credentials(&user).await.ctx("minting wrong credentials")?;
    let what = "login with a credential signed by the wrong secret";
    refused_login(&*s, &mut events, what, creds, ErrorKind::Unauthenticated, DisconnectReason::AuthFailed).await
}

async fn login_expired_credential(h: &dyn Harness) -> Result<(), Failure> {
    let s = h.session(SessionSetup::default());
    let mut events = Events::of("session", &*s);
    let user = h.fresh_user();
    let creds = h.expired_credentials(&user).await.ctx("minting expired credentials")?;
    let what = "login with an expired credential";
    refused_login(&*s, &mut events, what, creds, ErrorKind::CredentialExpired, DisconnectReason::CredentialExpired)
        .await
}

async fn login_unknown_user(h: &dyn Harness) -> Result<(), Failure> {
    let caps = h.capabilities();
    let admin = h.admin();
    let user = h.unregistered_user();
    let exists = |answer: Vec<(String, bool)>| answer.iter().any(|(u, e)| *u == user && *e);
    let before = admin.exists(std::slice::from_ref(&user)).await.ctx("admin exists before the login")?;
    ensure!(!exists(before), "the harness's unregistered user {user} already exists before any login");

    let s = h.session(SessionSetup::default());
    let mut events = Events::of("session", &*s);
    let creds = h.unregistered_credentials(&user).await.ctx("minting credentials for an unregistered user")?;
    let result = s.login(creds).await;
    if caps.auto_register {
        result.ctx(format!("the first login of the unregistered user {user} (the adapter claims auto_register)"))?;
        events.wait_state("Connected", |c| c.state == ConnectionState::Connected).await?;
        expect_user("after the first login", &*s, &user)?;
        let after = admin.exists(std::slice::from_ref(&user)).await.ctx("admin exists after the login")?;
        ensure!(
            exists(after.clone()),
            "after the first login of {user} the admin says the account does not exist ({after:?}); \
             the adapter claims auto_register"
        );
    } else {
        let what = "login of a never-registered user (the adapter does not claim auto_register)";
        expect_kind_in(what, result, &[ErrorKind::Unauthenticated, ErrorKind::NotFound])?;
        expect_status(what, &*s, LoginStatus::LoggedOut)?;
    }
    Ok(())
}

async fn login_invalid_user_id(h: &dyn Harness) -> Result<(), Failure> {
    let s = h.session(SessionSetup::default());
    let mut events = Events::of("session", &*s);
    let good = h.credentials(&h.fresh_user(), TTL).await.ctx("minting credentials")?;
    let bad_user = h.invalid_user_id();
    let creds = with_user(&good, &bad_user);
    let before = h.connection_attempts();
    let what = format!("login as the invalid user id {bad_user:?}");
    expect_kind(&what, s.login(creds).await, ErrorKind::InvalidInput)?;
    let stray: Vec<StateChange> = events
        .settle()
        .await
        .iter()
        .filter_map(StateChange::from_event)
        .filter(|c| c.state != ConnectionState::Disconnected)
        .collect();
    ensure!(
        stray.is_empty(),
        "{what}: invalid input must be refused before connecting, but the session went {}",
        describe_changes(&stray)
    );
    let made = h.connection_attempts() - before;
    ensure!(made == 0, "{what}: the session made {made} connection attempt(s); invalid input must be refused first");
    expect_status(&what, &*s, LoginStatus::LoggedOut)
}

async fn login_concurrent(h: &dyn Harness) -> Result<(), Failure> {
    let s: Arc<dyn Session> = Arc::from(h.session(SessionSetup::default()));
    let mut events = Events::of("session", &*s);
    let (user_a, user_b) = (h.fresh_user(), h.fresh_user());
    let creds_a = h.credentials(&user_a, TTL).await.ctx("minting credentials for A")?;
    let creds_b = h.credentials(&user_b, TTL).await.ctx("minting credentials for B")?;

    h.hold_logins();
    let first = TaskGuard::spawn({
        let s = Arc::clone(&s);
        async move { s.login(creds_a).await }
    });
    let waited = events
        .wait_state("Authenticating (login A held by the server)", |c| c.state == ConnectionState::Authenticating);
    if let Err(f) = waited.await {
        h.release_logins();
        return Err(f);
    }
    let second = tokio::time::timeout(WAIT, s.login(creds_b)).await;
    h.release_logins();
    let what = "a second login while the first is in progress";
    match second {
        Err(_) => {
            return Err(Failure::new(format!(
                "{what} did not return within {WAIT:?}; it must fail fast with InvalidState"
            )))
        }
        Ok(result) => {
            expect_kind(what, result, ErrorKind::InvalidState)?;
        }
    }
    first.join("login A").await?.ctx("login A, after the server released it")?;
    let path = events.states_until("Connected (login A)", |c| c.state == ConnectionState::Connected).await?;
    if path.iter().any(StateChange::is_disconnected) {
        return Err(events.failure(format!(
            "the refused second login disturbed the first one: after Authenticating the session went {}",
            describe_changes(&path)
        )));
    }
    expect_user("after login A completed", &*s, &user_a)?;
    s.ping().await.ctx("ping after login A")?;
    Ok(())
}

async fn login_switch_account(h: &dyn Harness) -> Result<(), Failure> {
    let alice = h.fresh_user();
    let mut on = log_in(h, "session", SessionSetup::default(), &alice).await?;
    let s = &*on.session;
    let bob = h.fresh_user();
    let creds = h.credentials(&bob, TTL).await.ctx("minting credentials for bob")?;
    s.login(creds).await.ctx(format!("switching the session from {alice} to {bob}"))?;
    let path = on.events.states_until("Connected as bob", |c| c.state == ConnectionState::Connected).await?;
    match path.first() {
        Some(c) if c.is_disconnected_with(DisconnectReason::Requested) => {}
        _ => {
            return Err(on.events.failure(format!(
                "switching accounts must first end {alice}'s login with Disconnected(Requested); the session went {}",
                describe_changes(&path)
            )))
        }
    }
    let disconnects = path.iter().filter(|c| c.is_disconnected()).count();
    ensure!(
        disconnects == 1,
        "switching accounts: expected exactly one Disconnected, got {disconnects}: {}",
        describe_changes(&path)
    );
    expect_user("after switching", s, &bob)?;
    expect_status("after switching", s, LoginStatus::LoggedIn)?;
    s.ping().await.ctx(format!("ping as {bob}"))?;
    if h.capabilities().admin_online_status {
        wait_presence(h, &alice, PresenceStatus::Offline, "after switching to another account").await?;
        wait_presence(h, &bob, PresenceStatus::Online, "after switching to another account").await?;
    }
    Ok(())
}
