//! The task that owns a logged-in session: the `1_2` heartbeat, the `2_5`
//! kick, the `2_7` device changes, offline messages, re-logins after a
//! dropped link, and a dynamic token's will-expire and expiry moments with
//! renewal through the provider (docs/protocols/netease.md 4.3-4.6, 6.1).

use super::connection::{Connection, LinkEvent};
use super::handshake::{kick_of, Failure};
use super::{check_credentials, lock, pending_kick, token_lifetime, Inner};
use crate::link::{cmd, Response};
use crate::VENDOR;
use async_trait::async_trait;
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::sync::{mpsc, oneshot};
use unim_core::supervise::{self, Deadlines, Next, Wake};
use unim_core::{
    Clock, ConnectionState, CredentialLifetime, Disconnect, DisconnectReason, Error, Event, Recovery, RenewReason,
    Secret, VendorError,
};

/// How often `1_2` proves the link alive, on the session's clock (netease.md 4.3).
const HEARTBEAT_EVERY: Duration = Duration::from_secs(30);

/// How long a heartbeat reply may take (real time, at most the request
/// timeout); two misses in a row mean the link is dead (netease.md 4.3).
/// Real time, not the session clock: a test moving a manual clock by hours
/// must not make a reply that is on its way count as missed.
const HEARTBEAT_TIMEOUT: Duration = Duration::from_secs(5);

/// Both ends of the channel the login's connections report to.
pub(crate) type LinkEvents = (mpsc::UnboundedSender<(u64, LinkEvent)>, mpsc::UnboundedReceiver<(u64, LinkEvent)>);

pub(crate) struct Supervisor {
    inner: Arc<Inner>,
    user: String,
    token: Secret,
    lifetime: Option<CredentialLifetime>,
    warned: bool,
    conn: Arc<Connection>,
    /// The link addresses of the login's LBS answer, reused by re-logins
    /// (the SDK asks the LBS once, netease.md 2.1).
    links: Vec<String>,
    events_tx: mpsc::UnboundedSender<(u64, LinkEvent)>,
    events: mpsc::UnboundedReceiver<(u64, LinkEvent)>,
    next_heartbeat: SystemTime,
    /// Events of the current link that came during its sync, handled first.
    backlog: VecDeque<LinkEvent>,
}

#[async_trait]
impl supervise::Supervisor for Supervisor {
    type LinkEvent = LinkEvent;

    /// Events of earlier connections are dropped; the timers keep their
    /// deadlines across them.
    async fn wait(&mut self, stop: &mut oneshot::Receiver<()>) -> Wake<LinkEvent> {
        if let Some(event) = self.backlog.pop_front() {
            return Wake::Link(event);
        }
        let deadlines = Deadlines::new(self.next_heartbeat, self.lifetime, self.warned);
        let clock = Arc::clone(self.clock());
        supervise::next_wake(&clock, stop, &mut self.events, self.conn.id, deadlines).await
    }

    async fn handle(&mut self, wake: Wake<LinkEvent>) -> Next {
        match wake {
            Wake::Stop => Next::Exit,
            Wake::Link(event) => match event {
                LinkEvent::Push(push) => self.on_push(*push),
                LinkEvent::Devices(changed) => {
                    self.devices_changed(changed);
                    Next::Continue
                }
                LinkEvent::Closed(why) => {
                    tracing::info!("netease link lost: {why}");
                    self.reconnect().await
                }
            },
            Wake::Heartbeat => self.heartbeat().await,
            Wake::Warn => self.will_expire().await,
            Wake::Expiry => self.expired().await,
        }
    }

    /// A requested logout: `2_6`, then the server closes the socket
    /// (netease.md 4.4); the client closes it too if the server does not.
    async fn log_out(&mut self) {
        let conn = lock(&self.inner.link).clone();
        if let Some(conn) = conn {
            let timeout = self.inner.options.request_timeout;
            match conn.request(cmd::LOGOUT, Vec::new(), timeout).await {
                Ok(_) => {
                    if !conn.closed_by_server(timeout).await {
                        tracing::debug!("the server did not close the link after 2_6");
                    }
                }
                Err(e) => tracing::debug!("2_6 went unanswered: {e}"),
            }
        }
        self.inner.finish(&self.user, Disconnect::new(DisconnectReason::Requested));
    }
}

impl Supervisor {
    /// The supervisor of a login that just succeeded on `conn` with `token`.
    pub(crate) fn new(
        inner: Arc<Inner>,
        user: String,
        token: Secret,
        conn: Arc<Connection>,
        links: Vec<String>,
        (events_tx, events): LinkEvents,
        backlog: Vec<LinkEvent>,
    ) -> Self {
        let lifetime = token_lifetime(&token);
        let next_heartbeat = inner.options.clock.now() + HEARTBEAT_EVERY;
        Supervisor {
            inner,
            user,
            token,
            lifetime,
            warned: false,
            conn,
            links,
            events_tx,
            events,
            next_heartbeat,
            backlog: backlog.into(),
        }
    }

    fn clock(&self) -> &Arc<dyn Clock> {
        &self.inner.options.clock
    }

    fn now(&self) -> u64 {
        self.clock().unix_secs()
    }

    fn emit(&self, event: Event) {
        self.inner.tracker.bus().emit(event);
    }

    fn on_push(&mut self, push: Response) -> Next {
        match push.command {
            cmd::KICKED => {
                self.kicked(&push);
                Next::Exit
            }
            _ if self.inner.on_message_push(&self.conn, &push) => Next::Continue,
            other => {
                tracing::debug!(command = %other, code = push.code, "push not handled");
                Next::Continue
            }
        }
    }

    /// A `2_5` kick: the SDK sends `0::`, closes the socket itself and never
    /// comes back (netease.md 6.1).
    fn kicked(&mut self, push: &Response) {
        let why = kick_of(push);
        tracing::info!("netease session kicked: {why}");
        self.inner.finish(&self.user, why);
    }

    /// Other devices came online or went offline (a `2_7` push the
    /// connection has applied to the list already).
    fn devices_changed(&self, changed: Vec<(unim_core::Device, bool)>) {
        for (device, online) in changed {
            if online {
                self.emit(Event::DeviceOnline { device });
            } else {
                self.emit(Event::DeviceOffline { device });
            }
        }
    }

    /// `1_2` and its reply; after a miss one more at once, and after two the
    /// link is taken as dead (netease.md 4.3).
    async fn heartbeat(&mut self) -> Next {
        self.next_heartbeat = self.clock().now() + HEARTBEAT_EVERY;
        let wait = HEARTBEAT_TIMEOUT.min(self.inner.options.request_timeout);
        for attempt in 1..=2 {
            match self.conn.heartbeat(wait).await {
                Ok(()) => return Next::Continue,
                Err(e) if attempt == 1 && e.kind == unim_core::ErrorKind::Timeout => {
                    tracing::info!("heartbeat missed, trying once more: {e}");
                }
                Err(e) => {
                    tracing::info!("heartbeat failed, reconnecting: {e}");
                    break;
                }
            }
        }
        self.conn.close();
        self.reconnect().await
    }

    async fn will_expire(&mut self) -> Next {
        self.warned = true;
        let Some(lifetime) = self.lifetime else { return Next::Continue };
        self.emit(Event::CredentialWillExpire { user: self.user.clone(), expires_at: lifetime.expires_at });
        if self.inner.options.credential_provider.is_some() {
            if let Err(e) = self.renew(RenewReason::WillExpire).await {
                // The link is still good; try again at expiry.
                tracing::warn!("early token renewal failed: {e}");
            }
        }
        Next::Continue
    }

    /// The dynamic token expired. NetEase checks a token only at login, so
    /// the link would stay up; unim ends it anyway (unless a provider renews
    /// the token) so the app learns now, not when a later re-login fails.
    async fn expired(&mut self) -> Next {
        if self.renewed_after_expiry().await {
            return Next::Continue;
        }
        self.expire_now()
    }

    /// Ends the session because its token expired and nothing renewed it.
    fn expire_now(&mut self) -> Next {
        self.emit(Event::CredentialExpired { user: self.user.clone() });
        if let Some(conn) = lock(&self.inner.link).clone() {
            if let Err(e) = conn.send(cmd::LOGOUT, Vec::new()) {
                tracing::debug!("2_6 after expiry not sent: {e}");
            }
        }
        let vendor = VendorError::new(VENDOR, crate::error::code::BAD_LOGIN, "the dynamic token has expired");
        self.inner.finish(&self.user, Disconnect::new(DisconnectReason::CredentialExpired).with_vendor(vendor));
        Next::Exit
    }

    /// Asks the provider, if any, for a token after expiry; whether it worked.
    async fn renewed_after_expiry(&mut self) -> bool {
        if self.inner.options.credential_provider.is_none() {
            return false;
        }
        match self.renew(RenewReason::Expired).await {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!("token renewal after expiry failed: {e}");
                false
            }
        }
    }

    /// Gets fresh credentials for future re-logins. The link stays as it
    /// is: NetEase checks the token only at login.
    async fn renew(&mut self, reason: RenewReason) -> Result<(), Error> {
        let provider = self
            .inner
            .options
            .credential_provider
            .clone()
            .ok_or_else(|| Error::invalid_state("no credential provider to renew the token with"))?;
        let fresh = provider.fresh_credentials(&self.user, reason).await?;
        let (accid, token) = check_credentials(&fresh)?;
        if accid != self.user {
            return Err(Error::invalid_input(format!(
                "the credential provider returned credentials for {accid}, not {}",
                self.user
            )));
        }
        let lifetime = token_lifetime(&token);
        if lifetime.is_some_and(|l| l.is_expired_at(self.now())) {
            return Err(Error::new(
                unim_core::ErrorKind::CredentialExpired,
                "the credential provider returned a dynamic token that has already expired",
            ));
        }
        self.inner.save_login(&self.user, &token);
        self.token = token;
        self.lifetime = lifetime;
        // A token already past its warning point is not warned about (and
        // renewed) again: that would ask the provider in a loop.
        self.warned = lifetime.is_some_and(|l| l.warn_at() <= self.now());
        if self.warned {
            tracing::warn!("the credential provider returned a token that is already due for renewal");
        }
        self.emit(Event::CredentialRenewed { user: self.user.clone(), expires_at: lifetime.map(|l| l.expires_at) });
        Ok(())
    }

    fn token_expired(&self) -> bool {
        self.lifetime.is_some_and(|l| l.is_expired_at(self.now()))
    }

    /// One re-login: `2_3` with `appLogin` 0 on a new link, then the sync.
    async fn relogin(&mut self) -> Result<(), Failure> {
        self.inner.tracker.set(ConnectionState::Connecting);
        let tracker = &self.inner.tracker;
        let logged_in = self
            .inner
            .attempt(&self.user, &self.token, &self.links, false, self.events_tx.clone(), || {
                tracker.set(ConnectionState::Authenticating);
            })
            .await?;
        self.inner.adopt(&logged_in);
        self.conn = Arc::clone(&logged_in.conn);
        self.next_heartbeat = self.clock().now() + HEARTBEAT_EVERY;
        let backlog = self.inner.run_sync(&logged_in.conn, &mut self.events).await?;
        // What is left of an earlier link's events is stale now.
        self.backlog = backlog.into();
        Ok(())
    }

    /// Re-logs-in after a lost link, per the policy, on the session's clock
    /// (netease.md 4.6). A transient refusal (416, 5xx) is retried like a
    /// network failure; any other refusal ends the session with its reason.
    async fn reconnect(&mut self) -> Next {
        // A kick pushed just before the link closed is why it closed.
        if let Some(why) = pending_kick(&mut self.events, self.conn.id) {
            tracing::info!("netease session kicked: {why}");
            self.inner.finish(&self.user, why);
            return Next::Exit;
        }
        self.inner.set_link(None);
        let policy = self.inner.options.reconnect;
        for attempt in 1..=policy.max_attempts.max(1) {
            let retry_in = policy.delay(attempt);
            self.inner.tracker.set(ConnectionState::Reconnecting { attempt, retry_in });
            self.clock().sleep(retry_in).await;
            if self.token_expired() && !self.renewed_after_expiry().await {
                return self.expire_now();
            }
            match self.relogin().await {
                Ok(()) => {
                    self.inner.tracker.set(ConnectionState::Connected);
                    return Next::Continue;
                }
                Err(failure) => {
                    self.inner.set_link(None);
                    let (e, why) = failure.into_parts();
                    // The one rule (unim_core::DisconnectReason::recovery).
                    match why.reason.recovery() {
                        Recovery::Reconnect => tracing::info!("re-login attempt {attempt} failed: {e}"),
                        Recovery::RenewCredentials | Recovery::Stop => {
                            if why.reason == DisconnectReason::AuthFailed && self.token_expired() {
                                return self.expired().await;
                            }
                            tracing::info!("re-login refused: {e}");
                            self.inner.finish(&self.user, why);
                            return Next::Exit;
                        }
                    }
                }
            }
        }
        self.inner.finish(&self.user, Disconnect::new(DisconnectReason::Network));
        Next::Exit
    }
}
