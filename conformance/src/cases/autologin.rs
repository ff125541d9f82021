//! Auto-login: a saved login resumes on another device; a kick, an auth
//! failure or a ban stops auto-login for good, and the store says why; a
//! network loss does not.

mod invalidated;

use super::{expect_user, log_in, same_platform_limit};
use crate::case::{case_fn, require, Case};
use crate::expect::{
    ensure, eventually, expect_kind, expect_state, expect_status, Events, Failure, ResultExt, StateChange,
};
use crate::harness::{Harness, SessionSetup};
use std::sync::Arc;
use unim_core::{
    Clock, ConnectionState, DisconnectReason, ErrorKind, LoginStatus, MemoryStore, SavedLogin, SessionStore, StoreEntry,
};

/// `autologin.invalidated`.
pub fn invalidated() -> Case {
    Case {
        name: "autologin.invalidated",
        about: "each way the vendor ends auto-login (another login, an own device's kick, a server kick, voided \
                credentials, a ban) leaves the store Stopped with that reason and resume refuses without connecting; \
                a network loss keeps the saved login",
        needs: |c| require(c.auto_login, "auto_login"),
        run: case_fn!(invalidated::autologin_invalidated),
    }
}

/// `autologin.resume`.
pub fn resume() -> Case {
    Case {
        name: "autologin.resume",
        about: "a saved login resumes on a new device; a kick or an auth failure stops auto-login and resume says why",
        needs: |c| {
            require(c.auto_login, "auto_login")?;
            require(
                same_platform_limit(c).is_some() || c.admin_kick,
                "a device limit or admin_kick (to stop auto-login with a kick)",
            )
        },
        run: case_fn!(autologin_resume),
    }
}

pub(crate) fn load(store: &MemoryStore, when: &str) -> Result<StoreEntry, Failure> {
    store.load().ctx(format!("loading the store {when}"))
}

/// Describes a store entry without its secret (the credentials redact themselves).
pub(crate) fn show(entry: &StoreEntry) -> String {
    match entry {
        StoreEntry::Empty => "Empty".into(),
        StoreEntry::Saved(s) => {
            format!("Saved({:?} for {} of {})", s.credentials.kind(), s.credentials.user(), s.vendor)
        }
        StoreEntry::Stopped { vendor, user, reason } => format!("Stopped({user} of {vendor}: {reason})"),
    }
}

/// Waits (bounded) until the store records that auto-login of `user` stopped with `reason`.
pub(crate) async fn wait_stopped(
    store: &MemoryStore,
    vendor: &str,
    user: &str,
    reason: DisconnectReason,
) -> Result<(), Failure> {
    let what = format!("after {reason:?}, the store should record that auto-login of {user} stopped");
    eventually(&what, || async {
        match store.load() {
            Ok(StoreEntry::Stopped { vendor: v, user: u, reason: r })
                if r.reason == reason && u == user && v == vendor =>
            {
                Ok(())
            }
            Ok(other) => Err(show(&other)),
            Err(e) => Err(e.to_string()),
        }
    })
    .await
}

/// Resumes on a new session with `store`; expects `AutoLoginStopped(reason)`,
/// a message naming the reason, and no connection attempt.
pub(crate) async fn expect_stopped_resume(
    h: &dyn Harness,
    store: Arc<MemoryStore>,
    reason: DisconnectReason,
    keyword: &str,
) -> Result<(), Failure> {
    let s = h.session(SessionSetup::with_store(store));
    let before = h.connection_attempts();
    let what = format!("resume after auto-login was stopped by {reason:?}");
    let err = expect_kind(&what, s.resume().await, ErrorKind::AutoLoginStopped { reason })?;
    ensure!(
        err.message.to_lowercase().contains(keyword),
        "{what}: the error message should name the reason (contain {keyword:?}): {err}"
    );
    let made = h.connection_attempts() - before;
    ensure!(made == 0, "{what}: the session made {made} connection attempt(s); a stopped auto-login must not connect");
    expect_status(&what, &*s, LoginStatus::LoggedOut)
}

async fn autologin_resume(h: &dyn Harness) -> Result<(), Failure> {
    let vendor = h.vendor();

    // Nothing saved: nothing to resume, and nothing is tried.
    let empty = h.session(SessionSetup::with_store(Arc::new(MemoryStore::new())));
    let before = h.connection_attempts();
    expect_kind("resume with an empty store", empty.resume().await, ErrorKind::InvalidState)?;
    ensure!(h.connection_attempts() == before, "resume with an empty store made a connection attempt");

    // Session 1 logs in and saves the login.
    let store = Arc::new(MemoryStore::new());
    let user = h.fresh_user();
    let first = log_in(h, "session 1", SessionSetup::with_store(store.clone()), &user).await?;
    match load(&store, "after session 1 logged in")? {
        StoreEntry::Saved(SavedLogin { vendor: v, credentials, .. }) if credentials.user() == user && v == vendor => {}
        other => {
            return Err(Failure::new(format!(
                "after session 1 logged in as {user} the store holds {}, expected Saved({user} of {vendor})",
                show(&other)
            )))
        }
    }
    drop(first);
    let after_drop = load(&store, "after session 1 was dropped")?;
    ensure!(
        matches!(after_drop, StoreEntry::Saved(_)),
        "dropping session 1 changed its store to {}; only a logout or a fatal disconnect may",
        show(&after_drop)
    );

    // Session 2, a new device with the same store, resumes.
    let second = h.session(SessionSetup::with_store(store.clone()));
    let mut second_events = Events::of("session 2", &*second);
    second.resume().await.ctx("resume on a new device from the saved login")?;
    second_events.wait_state("Connected after resume", |c| c.state == ConnectionState::Connected).await?;
    expect_user("session 2 after resume", &*second, &user)?;
    expect_status("session 2 after resume", &*second, LoginStatus::LoggedIn)?;
    second.ping().await.ctx("ping on session 2 after resume")?;
    let saved = load(&store, "after session 2 resumed")?;
    ensure!(
        matches!(&saved, StoreEntry::Saved(l) if l.credentials.user() == user),
        "after session 2 resumed the store holds {}, expected the saved login (did the dropped session 1 keep \
         its link and get kicked?)",
        show(&saved)
    );

    // More logins of the same user (no store) evict session 2, or, where the
    // vendor has no device limit, the admin kicks: either way auto-login stops.
    let mut others = Vec::new();
    match same_platform_limit(&h.capabilities()) {
        Some(limit) => {
            for i in 0..limit {
                let label = format!("session {} (same user, no store)", 3 + i);
                others.push(log_in(h, &label, SessionSetup::default(), &user).await?);
            }
        }
        None => {
            h.clock().advance(std::time::Duration::from_secs(1));
            h.admin().kick(&user).await.ctx(format!("admin kick of {user}"))?;
        }
    }
    let kicked = second_events.wait_state("Disconnected on session 2", StateChange::is_disconnected).await?;
    let fatal =
        [DisconnectReason::KickedByOtherLogin, DisconnectReason::TooManyDevices, DisconnectReason::KickedByServer];
    let reason = kicked.disconnect_reason().filter(|r| fatal.contains(r)).ok_or_else(|| {
        second_events.failure(format!(
            "expected Disconnected(KickedByOtherLogin, TooManyDevices or KickedByServer), got {kicked}"
        ))
    })?;
    wait_stopped(&store, vendor, &user, reason).await?;
    let keyword = if reason == DisconnectReason::TooManyDevices { "device" } else { "kick" };
    expect_stopped_resume(h, store, reason, keyword).await?;
    if let Some(last) = others.last() {
        expect_state("the newest session after the refused resume", &*last.session, ConnectionState::Connected)?;
    }

    // A saved login whose credentials are wrong: the resume fails, and auto-login stops.
    let user2 = h.fresh_user();
    let wrong = h.wrong_credentials(&user2).await.ctx("minting wrong credentials")?;
    let store2 = Arc::new(MemoryStore::new());
    let entry =
        StoreEntry::Saved(SavedLogin { vendor: vendor.into(), credentials: wrong, saved_at: h.clock().unix_secs() });
    store2.put(entry).ctx("seeding the store")?;
    let fifth = h.session(SessionSetup::with_store(store2.clone()));
    let what = "resume with saved credentials that are wrong";
    expect_kind(what, fifth.resume().await, ErrorKind::Unauthenticated)?;
    expect_status(what, &*fifth, LoginStatus::LoggedOut)?;
    wait_stopped(&store2, vendor, &user2, DisconnectReason::AuthFailed).await?;
    expect_stopped_resume(h, store2, DisconnectReason::AuthFailed, "auth").await
}
