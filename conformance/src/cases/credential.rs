//! Credential lifetime while online: the warning before expiry, renewal
//! through a provider without dropping the link, and expiry without one.
//! Time moves only on the harness's manual clock.

use super::log_in_for;
use crate::case::{case_fn, require, Case};
use crate::expect::{describe_all, ensure, expect_state, expect_status, Events, Failure, ResultExt, StateChange};
use crate::harness::{Harness, SessionSetup};
use async_trait::async_trait;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use unim_core::{
    Admin, Clock, ConnectionState, CredentialProvider, Credentials, DisconnectReason, Error, Event, LoginStatus,
    RenewReason,
};

/// The lifetime of the credentials these cases watch expire.
const LIFE: Duration = Duration::from_secs(1000);

/// When the warning is due: after four fifths of the lifetime
/// ([`unim_core::CredentialLifetime::warn_at`]).
const WARN_AFTER: Duration = Duration::from_secs(800);

/// `credential.will_expire`.
pub fn will_expire() -> Case {
    Case {
        name: "credential.will_expire",
        about: "after 4/5 of its lifetime the credential is announced with CredentialWillExpire; the link stays up",
        needs: |c| require(c.credential_expiry, "credential_expiry"),
        run: case_fn!(credential_will_expire),
    }
}

/// `credential.renewed`.
pub fn renewed() -> Case {
    Case {
        name: "credential.renewed",
        about:
            "a provider renews the credential before it expires, CredentialRenewed, and the link outlives the old one",
        needs: |c| {
            require(c.credential_renewal, "credential_renewal")?;
            require(c.admin_issue_credentials, "admin_issue_credentials (the test provider mints through the admin)")
        },
        run: case_fn!(credential_renewed),
    }
}

/// `credential.expired_online`.
pub fn expired_online() -> Case {
    Case {
        name: "credential.expired_online",
        about:
            "without a provider an expiring credential gives CredentialExpired, then Disconnected(CredentialExpired)",
        needs: |c| require(c.credential_expiry, "credential_expiry"),
        run: case_fn!(credential_expired_online),
    }
}

/// A provider that mints through the admin (as an app server would) and
/// records every call.
struct RecordingProvider {
    admin: Arc<dyn Admin>,
    ttl: Duration,
    calls: Mutex<Vec<(String, RenewReason)>>,
}

impl RecordingProvider {
    fn calls(&self) -> Vec<(String, RenewReason)> {
        self.calls.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

#[async_trait]
impl CredentialProvider for RecordingProvider {
    async fn fresh_credentials(&self, user: &str, reason: RenewReason) -> Result<Credentials, Error> {
        self.calls.lock().unwrap_or_else(|e| e.into_inner()).push((user.to_owned(), reason));
        self.admin.issue_credentials(user, self.ttl).await
    }
}

/// Fails if a `Disconnected` or `CredentialExpired` event has arrived.
fn expect_no_expiry(events: &Events, why: &str) -> Result<(), Failure> {
    let bad: Vec<&Event> = events
        .seen()
        .iter()
        .filter(|e| {
            matches!(e, Event::CredentialExpired { .. })
                || StateChange::from_event(e).is_some_and(|c| c.is_disconnected())
        })
        .collect();
    if bad.is_empty() {
        Ok(())
    } else {
        Err(events.failure(format!("{why}: expected no expiry and no disconnect, got {}", describe_all(bad))))
    }
}

async fn credential_will_expire(h: &dyn Harness) -> Result<(), Failure> {
    let user = h.fresh_user();
    let issued = h.clock().unix_secs();
    let mut on = log_in_for(h, "session", SessionSetup::default(), &user, LIFE).await?;
    let expires_at = issued + LIFE.as_secs();

    h.clock().advance(WARN_AFTER - Duration::from_secs(1));
    let early: Vec<Event> =
        on.events.settle().await.into_iter().filter(|e| matches!(e, Event::CredentialWillExpire { .. })).collect();
    ensure!(
        early.is_empty(),
        "CredentialWillExpire came before 4/5 of the credential's lifetime had passed: {}",
        describe_all(&early)
    );

    h.clock().advance(Duration::from_secs(1));
    let warned =
        on.events.wait_for("CredentialWillExpire", |e| matches!(e, Event::CredentialWillExpire { .. })).await?;
    if let Event::CredentialWillExpire { user: who, expires_at: at } = &warned {
        ensure!(*who == user, "CredentialWillExpire names user {who:?}, expected {user:?}");
        ensure!(
            *at == expires_at,
            "CredentialWillExpire says the credential expires at {at}, expected {expires_at} (issued {issued}, ttl {})",
            LIFE.as_secs()
        );
    }
    on.session.ping().await.ctx("ping after the warning")?;
    expect_no_expiry(&on.events, "after the warning")?;
    expect_state("after the warning", &*on.session, ConnectionState::Connected)
}

async fn credential_renewed(h: &dyn Harness) -> Result<(), Failure> {
    let provider = Arc::new(RecordingProvider { admin: h.admin(), ttl: LIFE, calls: Mutex::new(Vec::new()) });
    let user = h.fresh_user();
    let issued = h.clock().unix_secs();
    let setup = SessionSetup::with_provider(provider.clone());
    let mut on = log_in_for(h, "session", setup, &user, LIFE).await?;

    h.clock().advance(WARN_AFTER);
    let renewed = on.events.wait_for("CredentialRenewed", |e| matches!(e, Event::CredentialRenewed { .. })).await?;
    let renewed_at = issued + WARN_AFTER.as_secs();
    if let Event::CredentialRenewed { user: who, expires_at } = &renewed {
        ensure!(*who == user, "CredentialRenewed names user {who:?}, expected {user:?}");
        if let Some(at) = expires_at {
            let want = renewed_at + LIFE.as_secs();
            ensure!(*at == want, "CredentialRenewed says the new credential expires at {at}, expected {want}");
        }
    }
    let calls = provider.calls();
    ensure!(!calls.is_empty(), "CredentialRenewed came but the provider was never asked");
    ensure!(
        calls.iter().all(|(who, _)| *who == user),
        "the provider was asked for other users' credentials: {calls:?}"
    );
    ensure!(
        calls[0].1 == RenewReason::WillExpire,
        "the first renewal should be asked for with RenewReason::WillExpire (the link was up), got {:?}",
        calls[0].1
    );

    // Past the old credential's expiry (issued + 1000): the renewed one carries the link.
    h.clock().advance(Duration::from_secs(300));
    on.events.settle().await;
    on.session.ping().await.ctx("ping after the old credential's expiry")?;
    on.events.settle().await;
    expect_no_expiry(&on.events, "after the old credential's expiry, with a renewed one in use")?;
    expect_state("after the old credential's expiry", &*on.session, ConnectionState::Connected)
}

async fn credential_expired_online(h: &dyn Harness) -> Result<(), Failure> {
    let user = h.fresh_user();
    let mut on = log_in_for(h, "session", SessionSetup::default(), &user, LIFE).await?;

    h.clock().advance(LIFE + Duration::from_secs(1));
    let what = "Disconnected after the credential expired";
    let events =
        on.events.events_until(what, |e| StateChange::from_event(e).is_some_and(|c| c.is_disconnected())).await?;
    let expired = events.iter().position(|e| matches!(e, Event::CredentialExpired { .. }));
    let disconnected = events.len() - 1;
    match expired {
        Some(i) if i < disconnected => {
            if let Event::CredentialExpired { user: who } = &events[i] {
                ensure!(*who == user, "CredentialExpired names user {who:?}, expected {user:?}");
            }
        }
        _ => {
            return Err(on.events.failure(format!(
                "expected a CredentialExpired event before the Disconnected, got {}",
                describe_all(&events)
            )))
        }
    }
    let last = StateChange::from_event(&events[disconnected]).expect("stopped on a state change");
    if !last.is_disconnected_with(DisconnectReason::CredentialExpired) {
        return Err(on.events.failure(format!(
            "an expired credential must end the link with Disconnected(CredentialExpired), got {last}"
        )));
    }
    expect_status("after the credential expired", &*on.session, LoginStatus::LoggedOut)?;
    on.events.expect_no_state_change("after expiry without a provider (no reconnect)").await
}
