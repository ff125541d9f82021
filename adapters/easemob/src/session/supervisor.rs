//! The task that owns a logged-in session: the `UNREAD` heartbeat, the
//! queues to pull (after `UNREAD` and `NOTICE`), the STATISTIC metas that
//! end a login (kicks), reconnects after a dropped link, and the token's
//! will-expire and expiry moments with renewal through the provider.

use super::code;
use super::connection::{Connection, LinkEvent};
use super::handshake::{self, Failure};
use super::{check_credentials, Inner};
use crate::error::{error_from_client_code, kick_operation_reason};
use crate::link::{msync, statistics_body::Operation, CommSyncDl, CommUnreadDl, Jid, Logout, MSync, Meta};
use crate::rest::types::platform_from_resource;
use crate::VENDOR;
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::sync::{mpsc, oneshot};
use unim_core::supervise::{self, Deadlines, Next, Wake};
use unim_core::{
    Clock, ConnectionState, CredentialLifetime, Device, Disconnect, DisconnectReason, Error, Event, Recovery,
    RenewReason, Secret, VendorError,
};

/// How often `UNREAD` proves the link alive (on the session's clock), busy
/// or not: the web SDK's default `heartBeatWait` (easemob.md section 6).
const HEARTBEAT_EVERY: Duration = Duration::from_secs(30);

/// A kick read from a STATISTIC meta: the end of this login.
#[derive(Debug)]
pub(crate) struct Kick(pub(crate) Box<Disconnect>);

pub(crate) struct Supervisor {
    inner: Arc<Inner>,
    user: String,
    token: Secret,
    conn: Arc<Connection>,
    events_tx: mpsc::UnboundedSender<(u64, LinkEvent)>,
    events: mpsc::UnboundedReceiver<(u64, LinkEvent)>,
    lifetime: Option<CredentialLifetime>,
    warned: bool,
    next_heartbeat: SystemTime,
    /// Queues being pulled, by their JID's text, with the last `nextKey`
    /// asked for (the SDK's loop guard, easemob.md 7.2).
    pulling: HashMap<String, Option<u64>>,
    /// An offline sync was announced (`SyncStarted`) and is not finished.
    syncing: bool,
    /// The `UNREAD` sent after the login is not answered yet.
    unread_pending: bool,
}

/// The web SDK's code for a kick operation (easemob.md section 8).
fn kick_code(op: Operation) -> i64 {
    match op {
        Operation::UserRemoved => code::USER_REMOVED,
        Operation::UserLoginAnotherDevice => code::USER_LOGIN_ANOTHER_DEVICE,
        Operation::UserKickedByChangePassword => code::USER_KICKED_BY_CHANGE_PASSWORD,
        Operation::UserKickedByOtherDevice => code::USER_KICKED_BY_OTHER_DEVICE,
        Operation::Information => 0,
    }
}

/// The kick a meta carries, if it is a STATISTIC meta with operation 1 to 4
/// (easemob.md section 8): the neutral reason, the web SDK's code (207, 206,
/// 216, 217) with the operation's name, and for 206 the kicking login's
/// `reason` text (its custom login text, else its device name) as the name
/// of the device that did it.
pub(crate) fn kick_of(meta: &Meta) -> Option<Disconnect> {
    let body = meta.statistics_body().ok()?;
    let op = body.try_operation().ok()?;
    let reason = kick_operation_reason(op as i32)?;
    let sdk_code = kick_code(op);
    let info = error_from_client_code(sdk_code, "").message;
    let mut vendor = VendorError::new(VENDOR, sdk_code, info);
    vendor.name = Some(op.as_str_name().to_owned());
    let mut why = Disconnect::new(reason).with_vendor(vendor);
    if op == Operation::UserLoginAnotherDevice {
        if let Some(by) = body.reason.as_deref().filter(|r| !r.is_empty()) {
            let mut device = Device::new(platform_from_resource(by));
            device.name = Some(by.to_owned());
            why.by = Some(device);
        }
    }
    Some(why)
}

/// The error a login gets when it is kicked before it finished.
fn kick_error(why: &Disconnect) -> Error {
    let (code, text) = why.vendor.as_ref().map(|v| (v.code, v.message.clone())).unwrap_or((0, String::new()));
    error_from_client_code(code, &text)
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
            Wake::Link(LinkEvent::Frame(frame)) => match self.on_frame(*frame, false) {
                Ok(()) => Next::Continue,
                Err(Kick(why)) => {
                    self.inner.finish(&self.user, *why);
                    Next::Exit
                }
            },
            Wake::Link(LinkEvent::Closed(why)) => {
                tracing::info!("easemob link lost: {why}");
                self.reconnect().await
            }
            Wake::Heartbeat => self.heartbeat().await,
            Wake::Warn => self.will_expire().await,
            Wake::Expiry => self.expired().await,
        }
    }

    async fn log_out(&mut self) {
        self.send_logout("inner:logout");
        self.inner.finish(&self.user, Disconnect::new(DisconnectReason::Requested));
    }
}

impl Supervisor {
    /// The supervisor of a login that just succeeded on `conn` with `token`.
    pub(crate) fn new(
        inner: Arc<Inner>,
        user: String,
        token: Secret,
        lifetime: Option<CredentialLifetime>,
        conn: Arc<Connection>,
        events_tx: mpsc::UnboundedSender<(u64, LinkEvent)>,
        events: mpsc::UnboundedReceiver<(u64, LinkEvent)>,
    ) -> Self {
        inner.set_link(Some(Arc::clone(&conn)));
        let next_heartbeat = inner.options.clock.now() + HEARTBEAT_EVERY;
        Supervisor {
            inner,
            user,
            token,
            conn,
            events_tx,
            events,
            lifetime,
            warned: false,
            next_heartbeat,
            pulling: HashMap::new(),
            syncing: false,
            unread_pending: false,
        }
    }

    /// The token the login uses.
    pub(crate) fn token(&self) -> &Secret {
        &self.token
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

    /// After a `PROVISION`: sends `UNREAD` and pulls every queue it names
    /// until each answered `isLast`, announcing the sync (and the `Syncing`
    /// state) when there is something to pull. A kick met on the way ends
    /// the login ([`Failure::Refused`]); a lost link or silence is
    /// [`Failure::Network`].
    pub(crate) async fn initial_sync(&mut self) -> Result<(), Failure> {
        self.pulling.clear();
        self.syncing = false;
        self.unread_pending = true;
        self.conn.send(&MSync::unread()).map_err(Failure::Network)?;
        let timeout = self.inner.options.request_timeout;
        while self.unread_pending || !self.pulling.is_empty() {
            let next = tokio::time::timeout(timeout, self.events.recv()).await;
            let event = match next {
                Err(_) => {
                    self.conn.close();
                    return Err(Failure::Network(Error::timeout(format!("the offline sync stalled for {timeout:?}"))));
                }
                Ok(None) => return Err(Failure::Network(Error::unavailable("the link's events ended"))),
                Ok(Some((id, _))) if id != self.conn.id => continue,
                Ok(Some((_, event))) => event,
            };
            match event {
                LinkEvent::Frame(frame) => {
                    if let Err(Kick(why)) = self.on_frame(*frame, true) {
                        self.conn.close();
                        return Err(Failure::Refused(kick_error(&why), *why));
                    }
                }
                LinkEvent::Closed(why) => {
                    return Err(Failure::Network(Error::unavailable(format!("the link ended during the sync: {why}"))))
                }
            }
        }
        Ok(())
    }

    /// Sends `LOGOUT` with `reason` as the SDK does on `close()` and on
    /// token expiry (easemob.md sections 9 and 10); no reply is awaited.
    fn send_logout(&self, reason: &str) {
        let logout = Logout { session_id: None, reason: Some(reason.into()), status: None };
        let guid = Jid::user(&self.inner.config.app_key, &self.user).with_resource(&self.inner.resource);
        let frame = MSync {
            version: Some(msync::Version::MsyncV1 as i32),
            guid: Some(guid),
            auth: Some(format!("{}{}", crate::link::TOKEN_PREFIX, self.token.expose())),
            device_id: Some(0),
            encrypt_type: vec![crate::link::EncryptType::EncryptNone as i32],
            ..MSync::with_payload(msync::Command::Logout, &logout)
        };
        if let Err(e) = self.conn.send(&frame) {
            tracing::debug!("LOGOUT could not be sent: {e}");
        }
    }

    /// Handles one server frame. `initial`: during the sync after a login,
    /// whose start moves the state to `Syncing`.
    fn on_frame(&mut self, frame: MSync, initial: bool) -> Result<(), Kick> {
        match frame.try_command() {
            Ok(msync::Command::Unread) => match frame.read_unread_down() {
                Ok(dl) => self.on_unread(dl, initial),
                Err(e) => tracing::debug!("unreadable UNREAD reply: {e}"),
            },
            Ok(msync::Command::Notice) => match frame.read_notice() {
                Ok(queue) => self.on_notice(queue),
                Err(e) => tracing::debug!("unreadable NOTICE: {e}"),
            },
            Ok(msync::Command::Sync) => match frame.read_sync_down() {
                Ok(dl) => return self.on_sync_down(dl),
                Err(e) => tracing::debug!("unreadable SYNC: {e}"),
            },
            Ok(other) => tracing::debug!(command = other.as_str_name(), "msync frame not handled"),
            Err(e) => tracing::debug!("ignoring an msync frame: {e}"),
        }
        Ok(())
    }

    fn on_unread(&mut self, dl: CommUnreadDl, initial: bool) {
        self.inner.pong();
        self.unread_pending = false;
        let mut started = false;
        for entry in dl.unread {
            if let Some(queue) = entry.queue {
                started |= self.pull(queue);
            }
        }
        if started && !self.syncing {
            self.syncing = true;
            if initial {
                self.inner.tracker.set(ConnectionState::Syncing);
            }
            self.emit(Event::SyncStarted);
        }
        self.maybe_sync_finished();
    }

    /// A `NOTICE`: pull its queue, unless it is already being pulled or is
    /// this login's own queue (easemob.md 7.2).
    fn on_notice(&mut self, queue: Jid) {
        let own = queue.name.as_deref() == Some(self.user.as_str())
            && queue.client_resource.as_deref() == Some(self.inner.resource.as_str());
        if !own {
            self.pull(queue);
        }
    }

    /// Starts pulling `queue` (no key: from the server's cursor); false when
    /// it is already being pulled.
    fn pull(&mut self, queue: Jid) -> bool {
        let key = queue.to_string();
        if self.pulling.contains_key(&key) {
            return false;
        }
        if let Err(e) = self.conn.send(&MSync::sync_up(&crate::link::CommSyncUl::pull(queue, None))) {
            tracing::debug!("pull not sent: {e}");
            return false;
        }
        self.pulling.insert(key, None);
        true
    }

    fn maybe_sync_finished(&mut self) {
        if self.syncing && self.pulling.is_empty() && !self.unread_pending {
            self.syncing = false;
            self.emit(Event::SyncFinished);
        }
    }

    /// A server `SYNC`: the ack of a send, or a page of a pulled queue whose
    /// chat metas are announced in order (kicks end the login).
    fn on_sync_down(&mut self, dl: CommSyncDl) -> Result<(), Kick> {
        if dl.meta_id.unwrap_or(0) > 0 {
            self.inner.acked(&dl);
            return Ok(());
        }
        let Some(queue) = dl.queue.clone() else { return Ok(()) };
        let key = queue.to_string();
        for meta in &dl.metas {
            if let Some(why) = kick_of(meta) {
                return Err(Kick(Box::new(why)));
            }
            if meta.ns == Some(crate::link::meta::NameSpace::Chat as i32) {
                self.inner.received(meta, &self.user);
            } else if meta.ns == Some(crate::link::meta::NameSpace::Muc as i32) {
                self.inner.group_notice(meta, &self.user);
            } else {
                tracing::debug!(ns = ?meta.ns, "meta of a kind the session does not handle");
            }
        }
        let last_key = self.pulling.get(&key).copied().flatten();
        match (dl.is_last.unwrap_or(false), dl.next_key) {
            (false, Some(next)) if last_key != Some(next) => {
                let pull = crate::link::CommSyncUl::pull(queue, Some(next));
                if self.conn.send(&MSync::sync_up(&pull)).is_ok() {
                    self.pulling.insert(key, Some(next));
                } else {
                    self.pulling.remove(&key);
                }
            }
            // Drained, or the same nextKey twice (the SDK's loop guard).
            _ => {
                self.pulling.remove(&key);
            }
        }
        self.maybe_sync_finished();
        Ok(())
    }

    async fn heartbeat(&mut self) -> Next {
        self.next_heartbeat = self.clock().now() + HEARTBEAT_EVERY;
        match self.conn.send(&MSync::unread()) {
            Ok(()) => Next::Continue,
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
                tracing::warn!("early token renewal failed: {e}");
            }
        }
        Next::Continue
    }

    /// The token expired (by its lifetime, or the server refused it).
    async fn expired(&mut self) -> Next {
        if self.inner.options.credential_provider.is_some() {
            match self.renew(RenewReason::Expired).await {
                Ok(()) => return Next::Continue,
                Err(e) => tracing::warn!("token renewal after expiry failed: {e}"),
            }
        }
        self.emit(Event::CredentialExpired { user: self.user.clone() });
        self.send_logout("inner:token expired");
        let vendor = VendorError::new(VENDOR, code::TOKEN_EXPIRED, "the token has expired");
        self.inner.finish(&self.user, Disconnect::new(DisconnectReason::CredentialExpired).with_vendor(vendor));
        Next::Exit
    }

    /// Makes `conn` the session's link.
    fn adopt(&mut self, conn: Arc<Connection>) {
        self.conn = conn;
        self.inner.set_link(Some(Arc::clone(&self.conn)));
        self.next_heartbeat = self.clock().now() + HEARTBEAT_EVERY;
        self.pulling.clear();
    }

    /// Gets fresh credentials and logs in with them on a new link of the
    /// same resource, then retires the old link: make before break, so the
    /// session stays connected throughout.
    async fn renew(&mut self, reason: RenewReason) -> Result<(), Error> {
        let provider = self
            .inner
            .options
            .credential_provider
            .clone()
            .ok_or_else(|| Error::invalid_state("no credential provider to renew the token with"))?;
        let fresh = provider.fresh_credentials(&self.user, reason).await?;
        let user = check_credentials(&fresh)?;
        if user != self.user {
            return Err(Error::invalid_input(format!(
                "the credential provider returned credentials for {user}, not {}",
                self.user
            )));
        }
        let token = self.inner.token_for(&self.user, &fresh).await.map_err(|(e, _)| e)?;
        let target = self.inner.target(&self.user, &token.token);
        let logged_in = handshake::login(&target, self.events_tx.clone(), || {}).await.map_err(|f| f.into_parts().0)?;
        self.conn.close();
        self.adopt(logged_in.conn);
        if let Err(e) = self.conn.send(&MSync::unread()) {
            tracing::debug!("UNREAD after renewal not sent: {e}");
        }
        let lifetime = self.inner.lifetime_from(logged_in.expires_at_ms, token.lifetime);
        self.inner.save_login(fresh.user(), &token.token);
        self.token = token.token;
        self.lifetime = lifetime;
        // A credential already past its warning point is not warned about
        // (and renewed) again: that would ask the provider in a loop.
        self.warned = lifetime.is_some_and(|l| l.warn_at() <= self.now());
        if self.warned {
            tracing::warn!("the credential provider returned a token that is already due for renewal");
        }
        self.emit(Event::CredentialRenewed { user: self.user.clone(), expires_at: lifetime.map(|l| l.expires_at) });
        Ok(())
    }

    /// Reconnects after a lost link, per the policy: a new `PROVISION` with
    /// the same token and resource, then `UNREAD` and its pulls. A refusal
    /// or a kick ends the session with the server's reason.
    async fn reconnect(&mut self) -> Next {
        self.inner.set_link(None);
        self.inner.drop_pending();
        let policy = self.inner.options.reconnect;
        for attempt in 1..=policy.max_attempts.max(1) {
            let retry_in = policy.delay(attempt);
            self.inner.tracker.set(ConnectionState::Reconnecting { attempt, retry_in });
            self.clock().sleep(retry_in).await;
            let target = self.inner.target(&self.user, &self.token);
            let result = match handshake::login(&target, self.events_tx.clone(), || {}).await {
                Ok(logged_in) => {
                    self.adopt(logged_in.conn);
                    if logged_in.expires_at_ms.is_some() {
                        self.lifetime = self.inner.lifetime_from(logged_in.expires_at_ms, self.lifetime);
                    }
                    self.initial_sync().await
                }
                Err(failure) => Err(failure),
            };
            match result {
                Ok(()) => {
                    self.inner.set_link(Some(Arc::clone(&self.conn)));
                    self.inner.tracker.set(ConnectionState::Connected);
                    return Next::Continue;
                }
                Err(failure) => {
                    let (e, why) = failure.into_parts();
                    // The one rule (unim_core::DisconnectReason::recovery).
                    match why.reason.recovery() {
                        Recovery::Reconnect => tracing::info!("reconnect attempt {attempt} failed: {e}"),
                        Recovery::RenewCredentials => {
                            tracing::info!("reconnect refused: {e}");
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
    use crate::link::StatisticsBody;

    fn statistic(op: Operation, reason: Option<&str>) -> Meta {
        Meta::statistic(1, &StatisticsBody::new(op, reason.map(str::to_owned)))
    }

    #[test]
    fn statistic_metas_are_kicks_with_the_web_codes() {
        for (op, reason, sdk) in [
            (Operation::UserRemoved, DisconnectReason::AccountRemoved, 207),
            (Operation::UserLoginAnotherDevice, DisconnectReason::KickedByOtherLogin, 206),
            (Operation::UserKickedByChangePassword, DisconnectReason::PasswordChanged, 216),
            (Operation::UserKickedByOtherDevice, DisconnectReason::KickedByOwnDevice, 217),
        ] {
            let why = kick_of(&statistic(op, None)).expect("a kick");
            assert_eq!(why.reason, reason);
            let vendor = why.vendor.expect("vendor detail");
            assert_eq!((vendor.code, vendor.name.as_deref()), (sdk, Some(op.as_str_name())));
            assert_eq!(why.by, None);
        }
        assert!(kick_of(&statistic(Operation::Information, None)).is_none());
        let chat = Meta::chat(1, Jid::user("unim#demo", "bob"), &Default::default());
        assert!(kick_of(&chat).is_none());
    }

    #[test]
    fn a_206_names_the_kicking_device() {
        let why = kick_of(&statistic(Operation::UserLoginAnotherDevice, Some("webim_web_2"))).expect("a kick");
        let by = why.by.expect("kicking device");
        assert_eq!((by.name.as_deref(), by.id), (Some("webim_web_2"), None));
        assert_eq!(by.platform, unim_core::Platform::Web);
        let e = kick_error(&kick_of(&statistic(Operation::UserKickedByChangePassword, None)).unwrap());
        assert_eq!(e.vendor.map(|v| v.code), Some(216));
    }
}
