//! One msync connection: a task that reads the socket, the engine's signals
//! for the link it carries and the token's expiry timer, and is the socket's
//! only writer (docs/protocols/easemob.md; section numbers below are that
//! note's).
//!
//! - PROVISION (4) waits for the fault controls, then checks the token and
//!   binds user + resource to the connection (an engine link with the face's
//!   device policy). A refusal is answered with its `Status` and the socket
//!   is closed.
//!   The reply's `authToken` tells the SDK the token's expiry in Unix ms: the
//!   `expires_at` second of the store's token record (issue time + ttl, what
//!   REST's `expires_in` counts).
//! - UNREAD (5) lists the device's non-empty queues with the engine clock's
//!   time; when the virtual clock passes the token's expiry the connection
//!   pushes such a reply by itself, which makes the SDK fire
//!   `onTokenExpired` and log out (9).
//! - SYNC with a meta addressed to a group's JID: a group message or a
//!   group's channel ack (`group_send.rs`).
//! - SYNC with a meta (7.1): a chat message is stored once through the
//!   engine (`chat.rs`; the meta id, or unim's `ext` client id, names it, so
//!   a resend is acked with the same server id and not delivered again) and
//!   queued for the receiver's devices and the sender's other devices, each
//!   told by a NOTICE; a `CHANNEL_ACK` body marks the conversation read
//!   (16.2); a body over 5 KB or an unknown receiver is refused in the ack
//!   (16.1). SYNC with a queue (7.2) takes the next page off it (7.4).
//! - A kick (8) becomes a STATISTIC meta in queue `admin` and a NOTICE; the
//!   socket closes shortly after the client pulled it, or after
//!   [`KICK_GRACE`] if it never does. Kick reasons that have no STATISTIC
//!   operation (a ban, a service restriction) just close the socket: the SDK
//!   reconnects, and its next PROVISION is refused (a deactivated user gets
//!   12 IM_FORBIDDEN, web type 57), which is as close as the web SDK comes
//!   to a ban signal.
//! - `LinkSignal::Drop` ends the TCP connection without a close frame (the
//!   SDK reconnects); `LinkSignal::Replaced` (the same resource logged in on
//!   another socket) closes quietly.
//!
//! Frames that do not decode, commands sent before a login and commands the
//! face does not serve are logged and ignored.

use super::super::chat;
use super::group_send;
use super::queues::{group_queue, queue_group, DeviceKey};
use super::Shared;
use crate::easemob::store::TokenRefusal;
use crate::{AttachedLink, LinkSignal};
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures::future::BoxFuture;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};
use tokio::time::Instant;
use unim_core::{Device, DisconnectReason, Platform};
use unim_easemob::error::kick_operation_for;
use unim_easemob::link::{
    self, message_body, meta, msync, provision, statistics_body, status::ErrorCode, CommSyncDl, CommSyncUl,
    CommUnreadDl, Jid, MSync, Meta, MetaQueue, Provision, StatisticsBody, Status,
};
use unim_easemob::messages::{client_id_of, from_pb};

/// How long a kicked connection stays open when its client does not pull the kick.
pub(crate) const KICK_GRACE: Duration = Duration::from_secs(2);
/// How long a kicked connection stays open after the client pulled the kick,
/// waiting for the SDK's follow-up pull (7.2 step 5).
const KICK_AFTER_PULL: Duration = Duration::from_millis(300);
/// The refusal of a message over the size limit (docs/protocols/easemob.md 7.1: web type 511).
pub(crate) const TOO_LARGE: &str = "Sorry, data is too large";
/// The queue (and sender) of kick metas.
const ADMIN: &str = "admin";

/// Serves one upgraded connection until it ends.
pub(crate) async fn run(socket: WebSocket, shared: Arc<Shared>) {
    let mut conn = Conn { shared, socket, session: None, kick: None, close_at: None };
    let end = conn.serve().await;
    tracing::debug!(device = conn.describe(), ?end, "easemob link: connection ended");
    match end {
        // Dropping the socket without a close frame is what a network failure looks like.
        End::Abrupt => drop(conn),
        End::Graceful => {
            let _ = conn.socket.send(Message::Close(Some(CloseFrame { code: 1000, reason: "".into() }))).await;
        }
        End::ClientGone => {}
    }
}

/// How a connection ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// Send a close frame.
    Graceful,
    /// Close the TCP connection with no close frame.
    Abrupt,
    /// The client closed or the socket failed: nothing left to send.
    ClientGone,
}

/// The login a connection carries. Dropping it detaches the engine link and
/// takes the device offline (its queues stay).
struct Session {
    shared: Arc<Shared>,
    key: DeviceKey,
    link: AttachedLink,
    /// Fires when the engine's clock reaches the token's expiry; `None` once
    /// fired, or for a token that never expires.
    expiry: Option<BoxFuture<'static, ()>>,
}

impl Drop for Session {
    fn drop(&mut self) {
        self.shared.queues.logout(self.link.id);
    }
}

/// A kick waiting in queue `admin`.
struct Kick {
    meta: Meta,
    /// The client pulled it.
    delivered: bool,
}

/// What woke the connection.
enum Wake {
    Socket(Option<Result<Message, axum::Error>>),
    Signal(Option<LinkSignal>),
    Expired,
    Deadline,
}

struct Conn {
    shared: Arc<Shared>,
    socket: WebSocket,
    session: Option<Session>,
    kick: Option<Kick>,
    /// When set, the connection closes at this (real) time.
    close_at: Option<Instant>,
}

impl Conn {
    /// `user/resource` for logs, or `-` before a login.
    fn describe(&self) -> String {
        self.session.as_ref().map_or_else(|| "-".into(), |s| format!("{}/{}", s.key.user, s.key.resource))
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.shared.face.store.now_ms()).unwrap_or(0)
    }

    fn user_jid(&self, name: &str) -> Jid {
        Jid::user(self.shared.face.app_key.to_string(), name)
    }

    /// The JID of queue `name`: a group's queue is the group's JID.
    fn queue_jid(&self, name: &str) -> Jid {
        match queue_group(name) {
            Some(group) => chat::group_jid(&self.shared.face, group),
            None => self.user_jid(name),
        }
    }

    async fn serve(&mut self) -> End {
        loop {
            let wake = tokio::select! {
                // Engine signals first: a NOTICE queued before a request arrived goes out before its reply.
                biased;
                wake = session_wake(&mut self.session) => wake,
                msg = self.socket.recv() => Wake::Socket(msg),
                () = deadline(self.close_at) => Wake::Deadline,
            };
            let end = match wake {
                Wake::Socket(None) | Wake::Socket(Some(Err(_))) => Some(End::ClientGone),
                Wake::Socket(Some(Ok(msg))) => self.on_message(msg).await,
                Wake::Signal(signal) => self.on_signal(signal).await,
                Wake::Expired => self.on_expired().await,
                Wake::Deadline => {
                    tracing::debug!("easemob link: closing a kicked connection");
                    Some(End::Graceful)
                }
            };
            if let Some(end) = end {
                return end;
            }
        }
    }

    /// Writes one frame; `Some(ClientGone)` when the socket is gone.
    async fn send(&mut self, frame: &MSync) -> Option<End> {
        match self.socket.send(Message::Binary(link::encode(frame).into())).await {
            Ok(()) => None,
            Err(_) => Some(End::ClientGone),
        }
    }

    async fn on_message(&mut self, msg: Message) -> Option<End> {
        let bytes = match msg {
            Message::Binary(bytes) => bytes,
            Message::Close(_) => return Some(End::ClientGone),
            Message::Text(_) => {
                tracing::debug!("easemob link: ignored a text frame");
                return None;
            }
            Message::Ping(_) | Message::Pong(_) => return None,
        };
        let frame = match link::decode(&bytes) {
            Ok(frame) => frame,
            Err(e) => {
                tracing::debug!("easemob link: ignored an undecodable frame: {e}");
                return None;
            }
        };
        match frame.try_command() {
            Ok(msync::Command::Provision) => self.provision(&frame).await,
            Ok(msync::Command::Unread) => self.unread().await,
            Ok(msync::Command::Sync) => match frame.read_sync_up() {
                Ok(ul) => self.sync(ul).await,
                Err(e) => {
                    tracing::debug!("easemob link: ignored an undecodable SYNC: {e}");
                    None
                }
            },
            Ok(msync::Command::Logout) => {
                // The SDK closes the socket itself and expects no reply (10).
                tracing::debug!(device = self.describe(), "easemob link: logout");
                self.session = None;
                None
            }
            Ok(msync::Command::Notice) => {
                tracing::debug!("easemob link: ignored a NOTICE from the client");
                None
            }
            Err(e) => {
                tracing::debug!("easemob link: ignored a frame: {e}");
                None
            }
        }
    }

    /// Waits for the fault controls to let logins through. `false` when the
    /// client went away meanwhile (frames sent while waiting are dropped: the
    /// SDK sends none before the PROVISION reply).
    async fn login_gate(&mut self) -> bool {
        let shared = Arc::clone(&self.shared);
        let gate = shared.face.engine.faults().login_gate();
        tokio::pin!(gate);
        loop {
            tokio::select! {
                () = &mut gate => return true,
                msg = self.socket.recv() => match msg {
                    None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return false,
                    Some(Ok(_)) => tracing::debug!("easemob link: dropped a frame sent while logins are held"),
                },
            }
        }
    }

    /// PROVISION: log in (4).
    async fn provision(&mut self, frame: &MSync) -> Option<End> {
        if !self.login_gate().await {
            return Some(End::ClientGone);
        }
        let request = match frame.read_provision() {
            Ok(p) => p,
            Err(e) => {
                tracing::debug!("easemob link: unreadable PROVISION: {e}");
                return self.refuse(None, Status::error(ErrorCode::WrongParameter, "bad provision")).await;
            }
        };
        let resource = request
            .resource
            .clone()
            .or_else(|| frame.guid.as_ref().and_then(|g| g.client_resource.clone()))
            .filter(|r| !r.is_empty());
        let Some(resource) = resource else {
            return self.refuse(None, Status::error(ErrorCode::WrongParameter, "resource is missing")).await;
        };
        if let Some(injected) = self.shared.face.engine.faults().take_injected() {
            let code = i32::try_from(injected.code).unwrap_or(ErrorCode::Fail as i32);
            let status = Status { error_code: Some(code), reason: Some(injected.message), redirect_info: Vec::new() };
            return self.refuse(Some(resource), status).await;
        }
        let (user, expires_at) = match self.authenticate(frame, &request) {
            Ok(login) => login,
            Err(status) => return self.refuse(Some(resource), status).await,
        };

        // A second PROVISION on one socket replaces the first login (and any kick in progress).
        self.session = None;
        self.kick = None;
        self.close_at = None;
        let shared = Arc::clone(&self.shared);
        let face = &shared.face;
        let key = DeviceKey { user: user.clone(), resource: resource.clone() };
        shared.queues.set_login_ext(&key, request.reason.clone().filter(|r| !r.is_empty()));
        let device = Device {
            platform: platform_of(&request),
            id: Some(resource.clone()),
            name: request.device_name.clone().filter(|n| !n.is_empty()),
        };
        let link = face.engine.attach(&user, device, face.settings.policy);
        shared.queues.login(link.id, key.clone());
        let expiry = expires_at
            .and_then(|secs| UNIX_EPOCH.checked_add(Duration::from_secs(secs)))
            .map(|at| face.engine.clock().sleep_until(at));
        tracing::debug!(user, resource, "easemob link: logged in");
        self.session = Some(Session { shared: Arc::clone(&shared), key, link, expiry });

        let mut reply = Provision::reply(Status::ok(), None);
        if let Some(secs) = expires_at {
            reply = reply.with_token_expiry(secs.saturating_mul(1000));
        }
        reply.resource = Some(resource);
        self.send(&MSync::provision_reply(&reply)).await
    }

    /// Checks the login's token: its user and, for an expiring token, the
    /// expiry (Unix seconds); else the refusal's status (4.3).
    fn authenticate(&self, frame: &MSync, request: &Provision) -> Result<(String, Option<u64>), Status> {
        let bad_token = || Status::error(ErrorCode::Unauthorized, "invalid token");
        let token = frame.token().map(str::to_owned).or_else(|| request.token()).ok_or_else(bad_token)?;
        let login = self.shared.face.store.check_user_token(&token).map_err(|refusal| match refusal {
            TokenRefusal::Expired => Status::error(ErrorCode::Fail, "Sorry, token expired"),
            TokenRefusal::Deactivated => Status::error(ErrorCode::ImForbidden, "user is deactivated"),
            TokenRefusal::Unknown | TokenRefusal::Void | TokenRefusal::NotUserToken | TokenRefusal::NotAppToken => {
                bad_token()
            }
        })?;
        let claimed = frame.guid.as_ref().and_then(|g| g.name.as_deref()).filter(|n| !n.is_empty());
        if claimed.is_some_and(|name| !name.eq_ignore_ascii_case(&login.user)) {
            return Err(bad_token());
        }
        Ok((login.user, login.lifetime.map(|l| l.expires_at)))
    }

    /// Answers a login with `status` and closes the socket (4.3).
    async fn refuse(&mut self, resource: Option<String>, status: Status) -> Option<End> {
        tracing::debug!(code = status.code(), reason = status.reason.as_deref(), "easemob link: login refused");
        let mut reply = Provision::reply(status, None);
        reply.resource = resource;
        if let Some(end) = self.send(&MSync::provision_reply(&reply)).await {
            return Some(end);
        }
        Some(End::Graceful)
    }

    /// UNREAD: the device's non-empty queues and the clock's time (5).
    async fn unread(&mut self) -> Option<End> {
        if self.session.is_none() && self.kick.is_none() {
            tracing::debug!("easemob link: ignored an UNREAD before a login");
            return None;
        }
        self.send_unread().await
    }

    /// The token's expiry passed on the engine's clock: an unsolicited UNREAD
    /// reply whose timestamp is past it makes the SDK log out (9).
    async fn on_expired(&mut self) -> Option<End> {
        let session = self.session.as_mut()?;
        session.expiry = None;
        tracing::debug!(device = self.describe(), "easemob link: token expired");
        self.send_unread().await
    }

    /// Writes a `CommUnreadDL`: the non-empty queues of the login's device
    /// (none without a login) and the engine clock's time.
    async fn send_unread(&mut self) -> Option<End> {
        let queues = self.session.as_ref().map(|s| self.shared.queues.unread(&s.key)).unwrap_or_default();
        let unread = queues
            .into_iter()
            .map(|(name, n)| MetaQueue::new(self.queue_jid(&name), u32::try_from(n).unwrap_or(u32::MAX)))
            .collect();
        let reply = CommUnreadDl::ok(unread, self.now_ms());
        self.send(&MSync::unread_reply(&reply)).await
    }

    /// SYNC: a send (with `meta`) or a pull (with `queue`) (7).
    async fn sync(&mut self, ul: CommSyncUl) -> Option<End> {
        if let Some(meta) = ul.meta {
            return self.deliver(meta).await;
        }
        if let Some(queue) = ul.queue {
            return self.pull(queue, ul.key).await;
        }
        tracing::debug!("easemob link: ignored a SYNC with neither meta nor queue");
        None
    }

    /// A meta from the client: acked; a chat meta is stored for its receiver
    /// and the sender's other devices (7.1, 7.3).
    async fn deliver(&mut self, meta: Meta) -> Option<End> {
        let Some(session) = &self.session else {
            tracing::debug!("easemob link: ignored a send before a login");
            return None;
        };
        let (sender, resource, own_link) = (session.key.user.clone(), session.key.resource.clone(), session.link.id);
        let meta_id = meta.id.unwrap_or(0);
        let now = self.now_ms();
        let server_id = self.shared.queues.next_id(now);
        let nack = |status: Status| CommSyncDl {
            status: Some(status),
            meta_id: Some(meta_id),
            timestamp: Some(now),
            ..CommSyncDl::default()
        };
        let ns = meta.ns.unwrap_or(meta::NameSpace::Statistic as i32);
        if ns == meta::NameSpace::Statistic as i32 {
            // The SDK's own statistics: acked, never delivered (5).
            return self.send(&MSync::sync_down(&CommSyncDl::ack(meta_id, server_id, now))).await;
        }
        if ns != meta::NameSpace::Chat as i32 {
            let dl = nack(Status::error(ErrorCode::WrongParameter, "namespace not supported"));
            return self.send(&MSync::sync_down(&dl)).await;
        }
        let to = meta.to.as_ref().filter(|to| to.name.as_deref().is_some_and(|n| !n.is_empty()));
        let Some(to) = to else {
            let dl = nack(Status::error(ErrorCode::WrongParameter, "the receiver is missing"));
            return self.send(&MSync::sync_down(&dl)).await;
        };
        if to.is_group() {
            let group = to.name.clone().unwrap_or_default();
            let from = group_send::Sender { user: &sender, resource: &resource, link: own_link };
            let dl = group_send::sync(&self.shared, from, &group, meta_id, meta.payload.unwrap_or_default(), now);
            return self.send(&MSync::sync_down(&dl)).await;
        }
        let receiver = to.name.as_deref().unwrap_or_default().to_ascii_lowercase();
        let payload = meta.payload.unwrap_or_default();
        let Ok(pb) = link::decode_message::<link::MessageBody>(&payload) else {
            let dl = nack(Status::error(ErrorCode::WrongParameter, "the message body is unreadable"));
            return self.send(&MSync::sync_down(&dl)).await;
        };
        if pb.r#type == Some(message_body::Type::ChannelAck as i32) {
            // The SDK's "channel" message: the whole conversation is read (its unread count drops to 0).
            self.shared.face.engine.mark_read(&sender, &receiver);
            return self.send(&MSync::sync_down(&CommSyncDl::ack(meta_id, server_id, now))).await;
        }
        if pb.r#type.unwrap_or(0) != message_body::Type::Chat as i32 {
            let dl = nack(Status::error(ErrorCode::WrongParameter, "message type not supported"));
            return self.send(&MSync::sync_down(&dl)).await;
        }
        let Some(body) = from_pb(&pb) else {
            let dl = nack(Status::error(ErrorCode::WrongParameter, "only text and custom contents are supported"));
            return self.send(&MSync::sync_down(&dl)).await;
        };
        let out = chat::Outgoing {
            sender: &sender,
            resource: Some(&resource),
            receiver: &receiver,
            // The meta id is the SDK's client message id: a resend is stored once.
            // unim's own client id, when the sender put it in ext, names the message instead.
            client_id: client_id_of(&pb).unwrap_or_else(|| meta_id.to_string()),
            body,
            payload: Some(payload),
            copy_to_sender: true,
            own_link: Some(own_link),
            refuse_unknown: true,
        };
        let dl = match chat::send(&self.shared.face, &self.shared.queues, out) {
            Ok(sent) => CommSyncDl::ack(meta_id, sent.server_id, sent.time_ms),
            // docs/protocols/easemob.md 7.1: the SDK rejects with type 511.
            Err(chat::Refused::TooLarge) => nack(Status::error(ErrorCode::PermissionDenied, TOO_LARGE)),
            // The SDK reads a reason with "username" and "doesn't exist!" as USER_NOT_FOUND (204).
            Err(chat::Refused::UnknownUser) => {
                nack(Status::error(ErrorCode::Fail, format!("username {receiver} doesn't exist!")))
            }
        };
        self.send(&MSync::sync_down(&dl)).await
    }

    /// A pull: the next page of the queue, consumed as it is written (7.2, 7.4).
    async fn pull(&mut self, queue: Jid, key: Option<u64>) -> Option<End> {
        let name = queue.name.clone().unwrap_or_default();
        let name = if queue.is_group() { group_queue(&name) } else { name };
        let now = self.now_ms();
        if let Some(kick) = &mut self.kick {
            let (metas, closing) = if name == ADMIN && !kick.delivered {
                kick.delivered = true;
                (vec![kick.meta.clone()], false)
            } else {
                (Vec::new(), kick.delivered)
            };
            let dl = CommSyncDl::pulled(queue, metas, None, true, now);
            if let Some(end) = self.send(&MSync::sync_down(&dl)).await {
                return Some(end);
            }
            if closing {
                return Some(End::Graceful);
            }
            if self.kick.as_ref().is_some_and(|k| k.delivered) {
                let soon = Instant::now() + KICK_AFTER_PULL;
                self.close_at = Some(self.close_at.map_or(soon, |at| at.min(soon)));
            }
            return None;
        }
        let page = match &self.session {
            Some(s) => self.shared.queues.pull(&s.key, &name),
            None => {
                tracing::debug!("easemob link: ignored a pull before a login");
                return None;
            }
        };
        if key.is_some() {
            tracing::trace!(queue = name, ?key, "easemob link: pull continues from the server's position");
        }
        let next_key = if page.is_last { None } else { page.metas.last().and_then(|m| m.id) };
        let dl = CommSyncDl::pulled(queue, page.metas, next_key, page.is_last || next_key.is_none(), now);
        self.send(&MSync::sync_down(&dl)).await
    }

    async fn on_signal(&mut self, signal: Option<LinkSignal>) -> Option<End> {
        match signal {
            Some(LinkSignal::Kicked { reason, by }) => self.kicked(reason, by).await,
            Some(LinkSignal::Drop) => {
                tracing::debug!(device = self.describe(), "easemob link: dropping the connection");
                Some(End::Abrupt)
            }
            Some(LinkSignal::Replaced) => {
                tracing::debug!(device = self.describe(), "easemob link: replaced by a new login of the device");
                self.session = None;
                Some(End::Graceful)
            }
            Some(LinkSignal::Push(payload)) => match payload.get("notice").and_then(|q| q.as_str()) {
                Some(queue) => {
                    let notice = MSync::notice(self.queue_jid(queue));
                    self.send(&notice).await
                }
                None => {
                    tracing::debug!("easemob link: ignored an engine push it does not know");
                    None
                }
            },
            None => {
                // The engine let go of the link without a word: the login is over.
                self.session = None;
                None
            }
        }
    }

    /// The engine kicked this login (8).
    async fn kicked(&mut self, reason: DisconnectReason, by: Option<Device>) -> Option<End> {
        let session = self.session.take()?;
        let user = session.key.user.clone();
        drop(session);
        if reason == DisconnectReason::AccountRemoved {
            self.shared.queues.forget_user(&user);
        }
        let Some(op) = kick_operation_for(reason) else {
            tracing::debug!(user, ?reason, "easemob link: kicked with no STATISTIC operation; closing");
            return Some(End::Graceful);
        };
        tracing::debug!(user, ?reason, op, "easemob link: kicked");
        let text = match (op, by) {
            (op, Some(by)) if op == statistics_body::Operation::UserLoginAnotherDevice as i32 => {
                let ext = by.id.as_ref().and_then(|resource| {
                    self.shared.queues.login_ext(&DeviceKey { user: user.clone(), resource: resource.clone() })
                });
                ext.or(by.name).or(by.id)
            }
            _ => None,
        };
        let now = self.now_ms();
        let body = StatisticsBody { operation: Some(op), reason: text, ..StatisticsBody::default() };
        let meta = Meta::statistic(self.shared.queues.next_id(now), &body)
            .with_from(self.user_jid(ADMIN))
            .with_to(self.user_jid(&user))
            .with_timestamp(now);
        self.kick = Some(Kick { meta, delivered: false });
        self.close_at = Some(Instant::now() + KICK_GRACE);
        let notice = MSync::notice(self.user_jid(ADMIN));
        self.send(&notice).await
    }
}

/// The engine platform of a login: the web SDK sends `OS_OTHER`.
fn platform_of(request: &Provision) -> Platform {
    use provision::OsType;
    match request.os_type.map(OsType::try_from) {
        None | Some(Ok(OsType::OsOther)) => Platform::Web,
        Some(Ok(OsType::OsIos)) => Platform::Ios,
        Some(Ok(OsType::OsAndroid)) => Platform::Android,
        Some(Ok(OsType::OsLinux)) => Platform::Linux,
        Some(Ok(OsType::OsOsx)) => Platform::Mac,
        Some(Ok(OsType::OsWin)) => Platform::Windows,
        Some(Ok(OsType::OsCustom)) => {
            Platform::Other(format!("custom_{}", request.os_custom_value.unwrap_or_default()))
        }
        Some(Err(_)) => Platform::Other(format!("os_{}", request.os_type.unwrap_or_default())),
    }
}

/// Waits for the session's next engine signal or its token's expiry;
/// forever without a session.
async fn session_wake(session: &mut Option<Session>) -> Wake {
    match session {
        Some(s) => {
            let Session { link, expiry, .. } = s;
            match expiry {
                Some(expiry) => tokio::select! {
                    biased;
                    signal = link.signals.recv() => Wake::Signal(signal),
                    () = expiry => Wake::Expired,
                },
                None => Wake::Signal(link.signals.recv().await),
            }
        }
        None => std::future::pending().await,
    }
}

/// Waits for `at`; forever when unset.
async fn deadline(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
