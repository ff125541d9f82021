//! `autologin.invalidated`: every way the vendor can end auto-login, one
//! fresh user and store each, and the one way that must not (a network loss).
//! Which reasons were exercised is named in any failure.

use super::{expect_stopped_resume, load, show, wait_stopped};
use crate::cases::multidevice::platforms_for;
use crate::cases::{expect_user, log_in, reasons, same_platform_limit, wait_other_devices, wait_presence, Online, TTL};
use crate::expect::{ensure, expect_kind_in, Events, Failure, ResultExt, StateChange};
use crate::harness::{Harness, SessionSetup};
use std::sync::Arc;
use std::time::Duration;
use unim_core::{
    ConnectionState, DisconnectReason, Error, ErrorKind, MemoryStore, PresenceStatus, Session, SessionStore, StoreEntry,
};

/// What one scenario came to.
enum Scenario {
    /// It ran and passed.
    Exercised(&'static str),
    /// The vendor or the harness cannot provoke it (why).
    NotProvoked(&'static str, String),
}

/// The word the resume error must contain for `reason`.
fn keyword(reason: DisconnectReason) -> &'static str {
    match reason {
        DisconnectReason::TooManyDevices => "device",
        DisconnectReason::AuthFailed => "auth",
        DisconnectReason::Banned => "banned",
        DisconnectReason::ServiceRestricted => "restricted",
        _ => "kick",
    }
}

/// `Ok(None)` when `result` is an `Unsupported` error (the harness cannot do it).
fn supported<T>(result: Result<T, Error>, what: &str) -> Result<Option<T>, Failure> {
    match result {
        Err(e) if e.kind == ErrorKind::Unsupported => Ok(None),
        other => other.ctx(what).map(Some),
    }
}

/// Expects the store to hold the saved login of `user`.
fn expect_saved(store: &MemoryStore, user: &str, when: &str) -> Result<(), Failure> {
    let entry = load(store, when)?;
    ensure!(
        matches!(&entry, StoreEntry::Saved(l) if l.credentials.user() == user),
        "{when}: the store holds {}, expected the saved login of {user}",
        show(&entry)
    );
    Ok(())
}

/// Drops `session` (the device goes away without logging out) and, where the
/// admin can tell, waits until the backend no longer sees `user` online, so
/// that nothing done to the account afterwards reaches the dropped session.
async fn go_away(h: &dyn Harness, session: Box<dyn Session>, user: &str) -> Result<(), Failure> {
    drop(session);
    if h.capabilities().admin_online_status {
        wait_presence(h, user, PresenceStatus::Offline, "after the saving session was dropped").await?;
    }
    Ok(())
}

/// Waits for the online `on` (saving into `store`) to end with one of
/// `accepted`, then expects the store stopped with it and resume refused.
async fn expect_ended(
    h: &dyn Harness,
    store: Arc<MemoryStore>,
    on: &mut Online,
    user: &str,
    accepted: &[DisconnectReason],
    why: &str,
) -> Result<DisconnectReason, Failure> {
    let ended = on.events.wait_state(&format!("Disconnected ({why})"), StateChange::is_disconnected).await?;
    let reason = ended.disconnect_reason().filter(|r| accepted.contains(r)).ok_or_else(|| {
        on.events.failure(format!("{why}: expected Disconnected({}), got {ended}", reasons(accepted)))
    })?;
    wait_stopped(&store, h.vendor(), user, reason).await?;
    expect_stopped_resume(h, store, reason, keyword(reason)).await?;
    Ok(reason)
}

/// A network loss keeps the saved login, and a new device resumes it.
async fn network_loss(h: &dyn Harness) -> Result<Scenario, Failure> {
    let store = Arc::new(MemoryStore::new());
    let user = h.fresh_user();
    let mut on = log_in(h, "saving session", SessionSetup::with_store(store.clone()), &user).await?;
    let dropped = h.drop_links(&user);
    ensure!(dropped >= 1, "the backend had no live link of {user} to drop after a successful login");
    if h.capabilities().auto_reconnect {
        on.events
            .wait_state("Connected again after the link dropped", |c| c.state == ConnectionState::Connected)
            .await?;
    } else {
        let ended = on.events.wait_state("Disconnected after the link dropped", StateChange::is_disconnected).await?;
        ensure!(
            ended.is_disconnected_with(DisconnectReason::Network),
            "after the link dropped: expected Disconnected(Network), got {ended}"
        );
    }
    expect_saved(&store, &user, "after a network loss")?;
    go_away(h, on.session, &user).await?;

    let resumed = h.session(SessionSetup::with_store(store.clone()));
    let mut events = Events::of("resumed session", &*resumed);
    resumed.resume().await.ctx("resume after a network loss")?;
    events.wait_state("Connected after resume", |c| c.state == ConnectionState::Connected).await?;
    expect_user("after resume", &*resumed, &user)?;
    expect_saved(&store, &user, "after resuming")?;
    Ok(Scenario::Exercised("Network (kept)"))
}

/// Newer logins of the same user on the same platform push the saving session out.
async fn other_login(h: &dyn Harness) -> Result<Scenario, Failure> {
    let Some(limit) = same_platform_limit(&h.capabilities()) else {
        return Ok(Scenario::NotProvoked("KickedByOtherLogin", "no device limit is claimed".into()));
    };
    let store = Arc::new(MemoryStore::new());
    let user = h.fresh_user();
    let mut on = log_in(h, "saving session", SessionSetup::with_store(store.clone()), &user).await?;
    let mut others = Vec::new();
    for i in 0..limit {
        others.push(log_in(h, &format!("newer login {}", i + 1), SessionSetup::default(), &user).await?);
    }
    let evicted = [DisconnectReason::KickedByOtherLogin, DisconnectReason::TooManyDevices];
    expect_ended(h, store, &mut on, &user, &evicted, "newer logins beyond the device limit").await?;
    Ok(Scenario::Exercised("KickedByOtherLogin"))
}

/// Another device of the user kicks the saving session.
async fn own_device(h: &dyn Harness) -> Result<Scenario, Failure> {
    let caps = h.capabilities();
    if !caps.kick_own_device {
        return Ok(Scenario::NotProvoked("KickedByOwnDevice", "kick_own_device is not claimed".into()));
    }
    let platforms = platforms_for(h, &caps, 2).ok_or_else(|| {
        Failure::new("kick_own_device is claimed but the device limits and platforms do not allow two devices at once")
    })?;
    let store = Arc::new(MemoryStore::new());
    let user = h.fresh_user();
    let setup = SessionSetup { platform: Some(platforms[0].clone()), ..SessionSetup::with_store(store.clone()) };
    let mut on = log_in(h, "saving session", setup, &user).await?;
    let kicker = log_in(h, "kicking device", SessionSetup::on(platforms[1].clone()), &user).await?;
    if caps.list_own_devices {
        let saving = on.session.device();
        let what = "the kicking device's other_devices() should list the saving session";
        wait_other_devices(&*kicker.session, what, |l| l.iter().any(|d| d.platform == saving.platform)).await?;
    }
    kicker.session.kick_other_devices().await.ctx("the other device kicks the saving session")?;
    let why = "another device of the user kicked it";
    expect_ended(h, store, &mut on, &user, &[DisconnectReason::KickedByOwnDevice], why).await?;
    Ok(Scenario::Exercised("KickedByOwnDevice"))
}

/// The app server kicks the user.
async fn server_kick(h: &dyn Harness) -> Result<Scenario, Failure> {
    if !h.capabilities().admin_kick {
        return Ok(Scenario::NotProvoked("KickedByServer", "admin_kick is not claimed".into()));
    }
    let store = Arc::new(MemoryStore::new());
    let user = h.fresh_user();
    let mut on = log_in(h, "saving session", SessionSetup::with_store(store.clone()), &user).await?;
    h.clock().advance(Duration::from_secs(1));
    h.admin().kick(&user).await.ctx(format!("admin kick of {user}"))?;
    expect_ended(h, store, &mut on, &user, &[DisconnectReason::KickedByServer], "the admin kicked the user").await?;
    Ok(Scenario::Exercised("KickedByServer"))
}

/// The app server voids the saved credentials while the user is away.
async fn voided_credentials(h: &dyn Harness) -> Result<Scenario, Failure> {
    let user = h.fresh_user();
    let Some(creds) = supported(h.token_credentials(&user, TTL).await, "an app-issued token")? else {
        return Ok(Scenario::NotProvoked("AuthFailed", "the harness has no app-issued tokens".into()));
    };
    let store = Arc::new(MemoryStore::new());
    let s = h.session(SessionSetup::with_store(store.clone()));
    let mut events = Events::of("saving session", &*s);
    s.login(creds).await.ctx(format!("login as {user} with an app-issued token"))?;
    events.wait_state("Connected", |c| c.state == ConnectionState::Connected).await?;
    expect_saved(&store, &user, "after the token login")?;
    drop(events);
    go_away(h, s, &user).await?;
    let what = format!("the app server voiding {user}'s token");
    if supported(h.invalidate_credentials(&user).await, &what)?.is_none() {
        return Ok(Scenario::NotProvoked("AuthFailed", "the harness cannot void credentials".into()));
    }

    let resumed = h.session(SessionSetup::with_store(store.clone()));
    let what = "resume with a saved token the app server voided";
    expect_kind_in(what, resumed.resume().await, &[ErrorKind::Unauthenticated])?;
    wait_stopped(&store, h.vendor(), &user, DisconnectReason::AuthFailed).await?;
    expect_stopped_resume(h, store, DisconnectReason::AuthFailed, keyword(DisconnectReason::AuthFailed)).await?;
    Ok(Scenario::Exercised("AuthFailed"))
}

/// The app server bans the user while it is away; the resume is refused.
async fn banned(h: &dyn Harness) -> Result<Scenario, Failure> {
    let store = Arc::new(MemoryStore::new());
    let user = h.fresh_user();
    let on = log_in(h, "saving session", SessionSetup::with_store(store.clone()), &user).await?;
    go_away(h, on.session, &user).await?;
    if supported(h.ban(&user).await, &format!("the app server banning {user}"))?.is_none() {
        return Ok(Scenario::NotProvoked("Banned", "the harness cannot ban users".into()));
    }
    let checked = async {
        let resumed = h.session(SessionSetup::with_store(store.clone()));
        let what = "resume of a banned user";
        expect_kind_in(what, resumed.resume().await, &[ErrorKind::PermissionDenied])?;
        let ban = [DisconnectReason::Banned, DisconnectReason::ServiceRestricted];
        let what = "after a resume refused by a ban, the store should record that auto-login stopped";
        let reason = crate::expect::eventually(what, || async {
            match store.load() {
                Ok(StoreEntry::Stopped { reason, .. }) if ban.contains(&reason.reason) => Ok(reason.reason),
                Ok(other) => Err(show(&other)),
                Err(e) => Err(e.to_string()),
            }
        })
        .await?;
        wait_stopped(&store, h.vendor(), &user, reason).await?;
        expect_stopped_resume(h, store.clone(), reason, keyword(reason)).await
    }
    .await;
    // Lift the ban whatever happened; the first failure is the one to report.
    let lifted = h.unban(&user).await.ctx(format!("the app server lifting the ban of {user}"));
    checked?;
    lifted?;
    Ok(Scenario::Exercised("Banned"))
}

/// One scenario, runnable on any harness.
type Step = for<'a> fn(&'a dyn Harness) -> futures::future::BoxFuture<'a, Result<Scenario, Failure>>;

pub(super) async fn autologin_invalidated(h: &dyn Harness) -> Result<(), Failure> {
    let mut exercised: Vec<&'static str> = Vec::new();
    let mut not_provoked: Vec<String> = Vec::new();
    let steps: [(&str, Step); 6] = [
        ("a network loss", |h| Box::pin(network_loss(h))),
        ("newer logins", |h| Box::pin(other_login(h))),
        ("an own device's kick", |h| Box::pin(own_device(h))),
        ("a server kick", |h| Box::pin(server_kick(h))),
        ("voided credentials", |h| Box::pin(voided_credentials(h))),
        ("a ban", |h| Box::pin(banned(h))),
    ];
    for (name, step) in steps {
        match step(h).await {
            Ok(Scenario::Exercised(reason)) => exercised.push(reason),
            Ok(Scenario::NotProvoked(reason, why)) => not_provoked.push(format!("{reason} ({why})")),
            Err(f) => {
                return Err(f.context(format!(
                    "{name} (passed before it: {}; not provoked: {})",
                    list(&exercised),
                    list(&not_provoked)
                )))
            }
        }
    }
    Ok(())
}

fn list<S: AsRef<str>>(items: &[S]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.iter().map(|s| s.as_ref()).collect::<Vec<_>>().join(", ")
    }
}
