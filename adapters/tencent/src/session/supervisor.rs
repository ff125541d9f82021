//! The task that owns a logged-in session: heartbeats, the server's kick and
//! expiry signals, reconnects after a dropped link, and the UserSig's own
//! will-expire and expiry moments with renewal through the provider.

use super::connection::{Connection, LinkEvent, Ticket};
use super::handshake::{self, Failure};
use super::{lifetime_of, user_sig_of, Inner};
use crate::error::kick_type_reason;
use crate::link::{servcmd, Frame};
use crate::VENDOR;
use async_trait::async_trait;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::sync::{mpsc, oneshot};
use unim_core::supervise::{self, Deadlines, Next, Wake};
use unim_core::{
    Clock, ConnectionState, CredentialLifetime, Disconnect, DisconnectReason, Event, Recovery, RenewReason, Secret,
    VendorError,
};

/// How often the link is proven alive (on the session's clock), busy or not:
/// the server declares a client gone after 400 s without a heartbeat
/// (vendors/tencent.md), and incoming pushes do not count as one.
const HEARTBEAT_EVERY: Duration = Duration::from_secs(30);

pub(crate) struct Supervisor {
    inner: Arc<Inner>,
    user: String,
    user_sig: Secret,
    conn: Arc<Connection>,
    events_tx: mpsc::UnboundedSender<(u64, LinkEvent)>,
    events: mpsc::UnboundedReceiver<(u64, LinkEvent)>,
    lifetime: Option<CredentialLifetime>,
    warned: bool,
    next_heartbeat: SystemTime,
}

/// The `KickType` of a `KickoutMsgNotify` anywhere in a push's `EventArray`
/// (kick-signals.md section 1: the SDK routes on the array key, not on `Event`).
fn kick_type(body: &Value) -> Option<i64> {
    body.get("EventArray")?.as_array()?.iter().find_map(|event| {
        event
            .get("C2cNotifyMsgArray")?
            .as_array()?
            .iter()
            .find_map(|n| n.get("KickoutMsgNotify")?.get("KickType")?.as_i64())
    })
}

/// The official SDK's name for each kick type (its `KICKED_OUT` event payload).
pub(crate) fn kick_type_name(kick_type: i64) -> &'static str {
    match kick_type {
        1 => "multipleAccount",
        2 => "multipleDevice",
        3 => "REST_API_Kick",
        _ => "unknown",
    }
}

#[async_trait]
impl supervise::Supervisor for Supervisor {
    type LinkEvent = LinkEvent;

    async fn wait(&mut self, stop: &mut oneshot::Receiver<()>) -> Wake<LinkEvent> {
        let deadlines = Deadlines::new(self.next_heartbeat, self.lifetime, self.warned);
        let clock = Arc::clone(self.clock());
        supervise::next_wake(&clock, stop, &mut self.events, self.conn.id, deadlines).await
    }

    async fn handle(&mut self, wake: Wake<LinkEvent>) -> Next {
        match wake {
            Wake::Stop => Next::Exit,
            Wake::Link(event) => self.on_link_event(event).await,
            Wake::Heartbeat => self.heartbeat().await,
            Wake::Warn => self.will_expire().await,
            Wake::Expiry => self.expired().await,
        }
    }

    async fn log_out(&mut self) {
        let body = json!({"wslogout_type": 0});
        if let Err(e) = self.conn.request(servcmd::WSLOGOUT, body, self.now()).await {
            tracing::debug!("wslogout went unanswered: {e}");
        }
        self.inner.finish(&self.user, Disconnect::new(DisconnectReason::Requested));
    }
}

impl Supervisor {
    /// The supervisor of a login that just succeeded on `conn` with `user_sig`.
    pub(crate) fn new(
        inner: Arc<Inner>,
        user: String,
        user_sig: Secret,
        conn: Arc<Connection>,
        events_tx: mpsc::UnboundedSender<(u64, LinkEvent)>,
        events: mpsc::UnboundedReceiver<(u64, LinkEvent)>,
    ) -> Self {
        inner.set_link(Some(Arc::clone(&conn)));
        let lifetime = lifetime_of(&user_sig);
        let next_heartbeat = inner.options.clock.now() + HEARTBEAT_EVERY;
        Supervisor { inner, user, user_sig, conn, events_tx, events, lifetime, warned: false, next_heartbeat }
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

    async fn on_link_event(&mut self, event: LinkEvent) -> Next {
        match event {
            LinkEvent::Push(frame) => self.on_push(frame).await,
            LinkEvent::Ending(frame) => match frame.error_code() {
                1002 => {
                    let k = frame.body.get("KickType").and_then(Value::as_i64).unwrap_or(1);
                    self.kicked(k, 1002, frame.error_info().to_owned()).await
                }
                _ => self.expired().await,
            },
            LinkEvent::Closed(why) => {
                tracing::info!("tencent link lost: {why}");
                self.reconnect().await
            }
        }
    }

    async fn on_push(&mut self, frame: Frame) -> Next {
        if let Some(k) = kick_type(&frame.body) {
            // The server's own words for a kick are the KickType; keep them.
            let text = format!("{} KickType {k}", frame.head.servcmd);
            return self.kicked(k, k, text).await;
        }
        if frame.head.servcmd.ends_with(".msg_push") {
            super::messages::on_push(&self.inner, &self.user, &frame.body);
        } else {
            tracing::debug!(servcmd = %frame.head.servcmd, "push not handled");
        }
        Next::Continue
    }

    /// A kick (by push or by a 1002 reply): for the "another login" kinds the
    /// official SDK first sends `wslogout` and waits for the answer
    /// (kick-signals.md section 1, items 1 and 2).
    async fn kicked(&mut self, kick_type: i64, code: i64, text: String) -> Next {
        let Some(reason) = kick_type_reason(kick_type) else {
            tracing::debug!("ignoring a kick with unknown KickType {kick_type}");
            return Next::Continue;
        };
        if reason == DisconnectReason::KickedByOtherLogin {
            let body = json!({"wslogout_type": 1});
            if let Err(e) = self.conn.request(servcmd::WSLOGOUT, body, self.now()).await {
                tracing::debug!("the kicked link's wslogout went unanswered: {e}");
            }
        }
        let mut vendor = VendorError::new(VENDOR, code, text);
        vendor.name = Some(kick_type_name(kick_type).to_owned());
        self.inner.finish(&self.user, Disconnect::new(reason).with_vendor(vendor));
        Next::Exit
    }

    async fn heartbeat(&mut self) -> Next {
        self.next_heartbeat = self.clock().now() + HEARTBEAT_EVERY;
        match self.conn.request(servcmd::HEARTBEAT, json!({}), self.now()).await {
            // Session-ending codes also arrive as link events and are handled there.
            Ok(_) => Next::Continue,
            Err(e) => {
                tracing::info!("heartbeat failed, reconnecting: {e}");
                self.conn.close();
                self.reconnect().await
            }
        }
    }

    async fn will_expire(&mut self) -> Next {
        self.warned = true;
        let Some(lifetime) = self.lifetime else { return Next::Continue };
        self.emit(Event::CredentialWillExpire { user: self.user.clone(), expires_at: lifetime.expires_at });
        if self.inner.options.credential_provider.is_some() {
            if let Err(e) = self.renew(RenewReason::WillExpire).await {
                // The link is still good; try again at expiry.
                tracing::warn!("early UserSig renewal failed: {e}");
            }
        }
        Next::Continue
    }

    /// The UserSig expired (by its own time + expire, or the server said so).
    async fn expired(&mut self) -> Next {
        if self.inner.options.credential_provider.is_some() {
            match self.renew(RenewReason::Expired).await {
                Ok(()) => return Next::Continue,
                Err(e) => tracing::warn!("UserSig renewal after expiry failed: {e}"),
            }
        }
        self.emit(Event::CredentialExpired { user: self.user.clone() });
        let _ = self.conn.request(servcmd::WSLOGOUT, json!({"wslogout_type": 0}), self.now()).await;
        let vendor = VendorError::new(VENDOR, 70001, "UserSig expired");
        self.inner.finish(&self.user, Disconnect::new(DisconnectReason::CredentialExpired).with_vendor(vendor));
        Next::Exit
    }

    /// Makes `conn` the session's link.
    fn adopt(&mut self, conn: Arc<Connection>) {
        self.conn = conn;
        self.inner.set_link(Some(Arc::clone(&self.conn)));
        self.next_heartbeat = self.clock().now() + HEARTBEAT_EVERY;
    }

    /// Gets fresh credentials and logs in with them on a new link of the same
    /// instance, then retires the old link: make before break, so the session
    /// stays connected throughout.
    async fn renew(&mut self, reason: RenewReason) -> Result<(), unim_core::Error> {
        let provider = self
            .inner
            .options
            .credential_provider
            .clone()
            .ok_or_else(|| unim_core::Error::invalid_state("no credential provider to renew the UserSig with"))?;
        let fresh = provider.fresh_credentials(&self.user, reason).await?;
        let (user, user_sig) = user_sig_of(&fresh)?;
        if user != self.user {
            return Err(unim_core::Error::invalid_input(format!(
                "the credential provider returned credentials for {user}, not {}",
                self.user
            )));
        }
        let target = self.inner.target(&self.user, user_sig, None);
        let conn = handshake::login(&target, self.events_tx.clone(), || {}).await.map_err(|f| f.into_parts().0)?;
        self.conn.close();
        self.adopt(conn);
        // A push may have gone to the old link while the new one logged in.
        self.inner.sync_messages(&self.conn, &self.user).await;
        let lifetime = lifetime_of(user_sig);
        self.inner.save_login(&fresh);
        self.user_sig = user_sig.clone();
        self.lifetime = lifetime;
        // A credential already past its warning point is not warned about (and
        // renewed) again: that would ask the provider in a loop. Its expiry
        // still renews it.
        self.warned = lifetime.is_some_and(|l| l.warn_at() <= self.now());
        if self.warned {
            tracing::warn!("the credential provider returned a UserSig that is already due for renewal");
        }
        self.emit(Event::CredentialRenewed { user: self.user.clone(), expires_at: lifetime.map(|l| l.expires_at) });
        Ok(())
    }

    /// Logs in again after a lost link: with the login's A2 ticket, as the
    /// official SDK does, so that a login kicked or revoked while the link was
    /// down learns it (1002) instead of logging in afresh and kicking the
    /// newer login. Only when the server no longer knows the ticket while the
    /// UserSig is still good does it log in with the UserSig.
    async fn relogin(&self, ticket: Option<&Ticket>) -> Result<Arc<Connection>, Failure> {
        if let Some(ticket) = ticket {
            let target = self.inner.target(&self.user, &self.user_sig, Some(ticket));
            match handshake::login(&target, self.events_tx.clone(), || {}).await {
                Err(Failure::Refused(e, why))
                    if why.reason == DisconnectReason::CredentialExpired && !self.user_sig_expired() =>
                {
                    tracing::info!("the server refused the A2 ticket ({e}); logging in again with the UserSig");
                }
                other => return other,
            }
        }
        let target = self.inner.target(&self.user, &self.user_sig, None);
        handshake::login(&target, self.events_tx.clone(), || {}).await
    }

    fn user_sig_expired(&self) -> bool {
        self.lifetime.is_some_and(|l| l.is_expired_at(self.now()))
    }

    /// Reconnects after a lost link, per the policy; a refusal ends the
    /// session with the server's reason.
    async fn reconnect(&mut self) -> Next {
        self.inner.set_link(None);
        let ticket = self.conn.ticket();
        let policy = self.inner.options.reconnect;
        for attempt in 1..=policy.max_attempts.max(1) {
            let retry_in = policy.delay(attempt);
            self.inner.tracker.set(ConnectionState::Reconnecting { attempt, retry_in });
            self.clock().sleep(retry_in).await;
            match self.relogin(ticket.as_ref()).await {
                Ok(conn) => {
                    self.adopt(conn);
                    self.inner.tracker.set(ConnectionState::Connected);
                    // What arrived while the link was down (and any push lost with it).
                    self.inner.sync_messages(&self.conn, &self.user).await;
                    return Next::Continue;
                }
                Err(failure) => {
                    let (e, why) = failure.into_parts();
                    // The one rule (unim_core::DisconnectReason::recovery):
                    // only a network failure is worth another attempt.
                    match why.reason.recovery() {
                        Recovery::Reconnect => tracing::info!("reconnect attempt {attempt} failed: {e}"),
                        Recovery::RenewCredentials => {
                            tracing::info!("reconnect refused: {e}");
                            // A renewal logs in on a new link of its own.
                            let next = self.expired().await;
                            if let Next::Continue = next {
                                self.inner.tracker.set(ConnectionState::Connected);
                            }
                            return next;
                        }
                        Recovery::Stop => {
                            tracing::info!("reconnect refused: {e}");
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

#[cfg(test)]
mod tests {
    use super::*;
    use futures::FutureExt;
    use unim_core::supervise::timer;
    use unim_core::ManualClock;

    #[test]
    fn a_usersig_that_never_expires_has_no_timers() {
        // TLS.time + TLS.expire saturates at u64::MAX in the decoder.
        let clock: Arc<dyn Clock> = Arc::new(ManualClock::at_unix(1_700_000_000));
        let lifetime = CredentialLifetime { issued_at: 1_700_000_000, expires_at: u64::MAX };
        assert!(lifetime.expires_at.checked_add(1).is_none());
        assert!(timer(&clock, Some(lifetime.warn_at())).now_or_never().is_none());
        assert!(timer(&clock, None).now_or_never().is_none());
        assert!(timer(&clock, Some(1_699_999_999)).now_or_never().is_some());
    }

    #[test]
    fn kick_types_are_found_under_their_array_key_only() {
        let push = json!({"EventArray": [
            {"Event": 9, "C2cMsgArray": [{"KickoutMsgNotify": {"KickType": 2}}]},
            {"Event": 9, "C2cNotifyMsgArray": [{"Other": 1}, {"KickoutMsgNotify": {"KickType": 3}}]}
        ]});
        assert_eq!(kick_type(&push), Some(3));
        for odd in [
            json!(null),
            json!([]),
            json!({"EventArray": {}}),
            json!({"EventArray": [null, 1, "x"]}),
            json!({"EventArray": [{"C2cNotifyMsgArray": "x"}]}),
            json!({"EventArray": [{"C2cNotifyMsgArray": [{"KickoutMsgNotify": {"KickType": "1"}}]}]}),
        ] {
            assert_eq!(kick_type(&odd), None, "{odd}");
        }
    }
}
