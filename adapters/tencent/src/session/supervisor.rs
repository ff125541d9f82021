//! The task that owns a logged-in session: heartbeats, the server's kick and
//! expiry signals, reconnects after a dropped link, and the UserSig's own
//! will-expire and expiry moments with renewal through the provider.

use super::connection::{Connection, LinkEvent};
use super::handshake::{self, Failure};
use super::{lifetime_of, user_sig_of, Inner};
use crate::error::kick_type_reason;
use crate::link::{servcmd, Frame};
use crate::VENDOR;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};
use tokio::sync::{mpsc, oneshot};
use unim_core::{
    ConnectionState, CredentialLifetime, Credentials, Disconnect, DisconnectReason, Event, RenewReason, VendorError,
};

/// How often a quiet link is proven alive (on the session's clock). The server
/// declares a client gone after 400 s without one (tencent.md section 4).
const HEARTBEAT_EVERY: Duration = Duration::from_secs(30);

/// How the supervisor loop goes on after handling something.
enum Next {
    Continue,
    Exit,
}

pub(crate) struct Supervisor {
    inner: Arc<Inner>,
    user: String,
    conn: Arc<Connection>,
    events_tx: mpsc::UnboundedSender<(u64, LinkEvent)>,
    events: mpsc::UnboundedReceiver<(u64, LinkEvent)>,
    credentials: Option<Credentials>,
    lifetime: Option<CredentialLifetime>,
    warned: bool,
}

fn at(secs: u64) -> std::time::SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
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
fn kick_type_name(kick_type: i64) -> &'static str {
    match kick_type {
        1 => "multipleAccount",
        2 => "multipleDevice",
        3 => "REST_API_Kick",
        _ => "unknown",
    }
}

impl Supervisor {
    pub(crate) fn new(
        inner: Arc<Inner>,
        user: String,
        conn: Arc<Connection>,
        events_tx: mpsc::UnboundedSender<(u64, LinkEvent)>,
        events: mpsc::UnboundedReceiver<(u64, LinkEvent)>,
    ) -> Self {
        inner.set_link(Some(Arc::clone(&conn)));
        Supervisor { inner, user, conn, events_tx, events, credentials: None, lifetime: None, warned: false }
    }

    /// The credentials in use and their lifetime (when the UserSig decodes).
    pub(crate) fn credentials(&mut self, credentials: Credentials, lifetime: Option<CredentialLifetime>) {
        self.credentials = Some(credentials);
        self.lifetime = lifetime;
        self.warned = false;
    }

    fn clock(&self) -> &Arc<dyn unim_core::Clock> {
        &self.inner.options.clock
    }

    fn now(&self) -> u64 {
        self.clock().unix_secs()
    }

    fn emit(&self, event: Event) {
        self.inner.tracker.bus().emit(event);
    }

    pub(crate) async fn run(mut self, mut stop: oneshot::Receiver<()>) {
        loop {
            let clock = Arc::clone(self.clock());
            let heartbeat = clock.sleep(HEARTBEAT_EVERY);
            let warn = match (self.lifetime, self.warned) {
                (Some(l), false) => clock.sleep_until(at(l.warn_at())),
                _ => Box::pin(futures::future::pending()),
            };
            let expiry = match self.lifetime {
                // Expired iff now > time + expire (tencent.md 1.2), so the first
                // expired second is one past `expires_at`.
                Some(l) => clock.sleep_until(at(l.expires_at + 1)),
                None => Box::pin(futures::future::pending()),
            };
            let next = tokio::select! {
                _ = &mut stop => {
                    self.log_out().await;
                    Next::Exit
                }
                Some((id, event)) = self.events.recv() => {
                    if id == self.conn.id { self.on_link_event(event, &mut stop).await } else { Next::Continue }
                }
                _ = heartbeat => self.heartbeat(&mut stop).await,
                _ = warn => self.will_expire().await,
                _ = expiry => self.expired(&mut stop).await,
            };
            if let Next::Exit = next {
                return;
            }
        }
    }

    async fn log_out(&mut self) {
        let body = json!({"wslogout_type": 0});
        if let Err(e) = self.conn.request(servcmd::WSLOGOUT, body, self.now()).await {
            tracing::debug!("wslogout went unanswered: {e}");
        }
        self.inner.finish(&self.user, Disconnect::new(DisconnectReason::Requested));
    }

    async fn on_link_event(&mut self, event: LinkEvent, stop: &mut oneshot::Receiver<()>) -> Next {
        match event {
            LinkEvent::Push(frame) => self.on_push(frame).await,
            LinkEvent::Ending(frame) => match frame.error_code() {
                1002 => {
                    let k = frame.body.get("KickType").and_then(Value::as_i64).unwrap_or(1);
                    self.kicked(k, 1002, frame.error_info().to_owned(), false).await
                }
                _ => self.expired(stop).await,
            },
            LinkEvent::Closed(why) => {
                tracing::info!("tencent link lost: {why}");
                self.reconnect(stop).await
            }
        }
    }

    async fn on_push(&mut self, frame: Frame) -> Next {
        if let Some(k) = kick_type(&frame.body) {
            // The server's own words for a kick are the KickType; keep them.
            let text = format!("{} KickType {k}", frame.head.servcmd);
            return self.kicked(k, k, text, true).await;
        }
        tracing::debug!(servcmd = %frame.head.servcmd, "push not handled yet");
        Next::Continue
    }

    /// A kick: for the "another login" kinds the official SDK first sends
    /// `wslogout` and waits for the answer (kick-signals.md section 1).
    async fn kicked(&mut self, kick_type: i64, code: i64, text: String, say_goodbye: bool) -> Next {
        let Some(reason) = kick_type_reason(kick_type) else {
            tracing::debug!("ignoring a kick with unknown KickType {kick_type}");
            return Next::Continue;
        };
        if say_goodbye && reason == DisconnectReason::KickedByOtherLogin {
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

    async fn heartbeat(&mut self, stop: &mut oneshot::Receiver<()>) -> Next {
        match self.conn.request(servcmd::HEARTBEAT, json!({}), self.now()).await {
            // Session-ending codes also arrive as link events and are handled there.
            Ok(_) => Next::Continue,
            Err(e) => {
                tracing::info!("heartbeat failed, reconnecting: {e}");
                self.conn.close();
                self.reconnect(stop).await
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
    async fn expired(&mut self, _stop: &mut oneshot::Receiver<()>) -> Next {
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
        let target = self.inner.target(&self.user, user_sig);
        let conn = handshake::login(&target, self.events_tx.clone(), || {}).await.map_err(|f| f.into_parts().0)?;
        let old = std::mem::replace(&mut self.conn, conn);
        old.close();
        self.inner.set_link(Some(Arc::clone(&self.conn)));
        let lifetime = lifetime_of(user_sig);
        self.inner.save_login(&fresh);
        self.credentials(fresh, lifetime);
        self.emit(Event::CredentialRenewed { user: self.user.clone(), expires_at: lifetime.map(|l| l.expires_at) });
        Ok(())
    }

    /// Reconnects after a lost link with the current credentials, per the
    /// policy; a refusal ends the session with the server's reason.
    async fn reconnect(&mut self, stop: &mut oneshot::Receiver<()>) -> Next {
        self.inner.set_link(None);
        let Some(credentials) = self.credentials.clone() else { return Next::Exit };
        let Ok((_, user_sig)) = user_sig_of(&credentials) else { return Next::Exit };
        let policy = self.inner.options.reconnect;
        for attempt in 1..=policy.max_attempts.max(1) {
            let retry_in = policy.delay(attempt);
            self.inner.tracker.set(ConnectionState::Reconnecting { attempt, retry_in });
            let wait = self.clock().sleep(retry_in);
            tokio::select! {
                _ = &mut *stop => {
                    self.inner.finish(&self.user, Disconnect::new(DisconnectReason::Requested));
                    return Next::Exit;
                }
                _ = wait => {}
            }
            let target = self.inner.target(&self.user, user_sig);
            match handshake::login(&target, self.events_tx.clone(), || {}).await {
                Ok(conn) => {
                    self.conn = conn;
                    self.inner.set_link(Some(Arc::clone(&self.conn)));
                    self.inner.tracker.set(ConnectionState::Connected);
                    return Next::Continue;
                }
                Err(Failure::Network(e)) => tracing::info!("reconnect attempt {attempt} failed: {e}"),
                Err(Failure::Refused(e, why)) => {
                    if why.reason == DisconnectReason::CredentialExpired {
                        return self.expired(stop).await;
                    }
                    tracing::info!("reconnect refused: {e}");
                    self.inner.finish(&self.user, why);
                    return Next::Exit;
                }
            }
        }
        self.inner.finish(&self.user, Disconnect::new(DisconnectReason::Network));
        Next::Exit
    }
}
