//! One client connection: a task that reads the socket, the engine's signals
//! for the link it carries and its timers, and is the socket's only writer.
//!
//! Requests are authenticated by their `a2` against the face's sessions
//! ([`super::store`]), because the SDK resends requests still pending from a
//! lost socket on the new one before it logs in again there
//! (docs/protocols/tencent.md sections 3 and 9). A connection *carries* at most
//! one session: the one its last `wslogin` logged in, whose engine link it
//! holds and whose pushes and kicks it delivers.
//!
//! Logins are parked while the fault controls hold them; the connection keeps
//! answering heartbeats meanwhile, as the real service would.

use super::groups;
use super::messages;
use super::replies;
use super::store::{Session, SessionState, Standing};
use super::{ConnParams, Shared};
use crate::tencent::tiny_id;
use crate::{AttachedLink, LinkSignal};
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures::future::BoxFuture;
use rand::Rng;
use serde_json::{json, Map, Value};
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};
use tokio::time::Instant;
use unim_core::{Device, DisconnectReason, Platform};
use unim_tencent::error::{kick_type_for, KICK_TYPE_REST_API};
use unim_tencent::link::{servcmd, Frame, Head};

/// Seconds between the client's `wshello`s, told in the login reply.
const HELLO_INTERVAL_SECS: u64 = 120;
/// How long a client kicked with KickType 1 or 2 has to send its `wslogout`
/// (the SDK sends it at once, and tells the app only once it is answered).
const KICKED_LOGOUT_WAIT: Duration = Duration::from_secs(5);
/// How long the socket of a client kicked with KickType 3 stays open after the
/// push (that client sends no `wslogout`; it closes and reopens by itself).
const KICKED_GRACE: Duration = Duration::from_secs(1);
/// The largest InstId (the SDK keeps it in a JavaScript number).
const INSTID_LIMIT: u64 = 1 << 53;
/// Fire-and-forget acknowledgement of a push with `NeedAck`: never answered.
const PUSH_ACK: &str = "openim.ws_msg_push_ack";

/// Serves one upgraded connection until it ends.
pub(crate) async fn run(socket: WebSocket, shared: Arc<Shared>, params: ConnParams) {
    let instance = params.instance.clone().unwrap_or_else(|| random_hex(32));
    tracing::debug!(instance, "tencent link: connected");
    let mut conn = Conn {
        shared,
        params,
        instance,
        carried: None,
        kicked: false,
        parked: VecDeque::new(),
        gate: None,
        close_at: None,
        socket,
    };
    let end = conn.serve().await;
    tracing::debug!(instance = conn.instance, ?end, "tencent link: connection ended");
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

/// The session a connection carries: its engine link and its expiry timer.
/// Dropping it detaches the link; the session itself lives on in the store.
struct Carried {
    shared: Arc<Shared>,
    a2: String,
    link: AttachedLink,
    /// Fires when the engine's clock passes the UserSig's expiry.
    expiry: BoxFuture<'static, ()>,
}

impl Drop for Carried {
    fn drop(&mut self) {
        self.shared.store.unregister_link(self.link.id);
    }
}

/// What woke the connection.
enum Wake {
    Socket(Option<Result<Message, axum::Error>>),
    Signal(Option<LinkSignal>),
    Expired,
    LoginsReleased,
    Deadline,
}

struct Conn {
    shared: Arc<Shared>,
    params: ConnParams,
    instance: String,
    carried: Option<Box<Carried>>,
    /// This connection's session was forced offline: close once its `wslogout` is answered.
    kicked: bool,
    /// `wslogin`s waiting for the fault controls, oldest first.
    parked: VecDeque<Frame>,
    gate: Option<BoxFuture<'static, ()>>,
    /// When set, the connection closes at this (real) time.
    close_at: Option<Instant>,
    socket: WebSocket,
}

impl Conn {
    async fn serve(&mut self) -> End {
        loop {
            let wake = tokio::select! {
                // Engine signals first: a push queued before a request arrived goes out before its reply.
                biased;
                wake = carried_wake(&mut self.carried) => wake,
                msg = self.socket.recv() => Wake::Socket(msg),
                () = gate(&mut self.gate) => Wake::LoginsReleased,
                () = deadline(self.close_at) => Wake::Deadline,
            };
            let end = match wake {
                Wake::Socket(None) | Wake::Socket(Some(Err(_))) => Some(End::ClientGone),
                Wake::Socket(Some(Ok(msg))) => self.on_message(msg).await,
                Wake::Signal(signal) => self.on_signal(signal).await,
                Wake::Expired => {
                    self.expire_carried();
                    None
                }
                Wake::LoginsReleased => self.run_parked_logins().await,
                Wake::Deadline => {
                    tracing::debug!(instance = self.instance, "tencent link: closing a kicked connection");
                    Some(End::Graceful)
                }
            };
            if let Some(end) = end {
                return end;
            }
        }
    }

    async fn on_message(&mut self, msg: Message) -> Option<End> {
        let frame = match &msg {
            Message::Binary(bytes) => Frame::decode(bytes),
            Message::Text(text) => Frame::decode(text.as_bytes()),
            Message::Close(_) => return Some(End::ClientGone),
            Message::Ping(_) | Message::Pong(_) => return None,
        };
        match frame {
            Ok(frame) if !frame.head.servcmd.is_empty() => self.on_request(frame).await,
            Ok(_) => {
                tracing::debug!(instance = self.instance, "tencent link: ignored a frame without servcmd");
                None
            }
            Err(e) => {
                tracing::debug!(instance = self.instance, "tencent link: ignored an undecodable frame: {e}");
                None
            }
        }
    }

    async fn on_request(&mut self, frame: Frame) -> Option<End> {
        let cmd = frame.head.servcmd.as_str();
        tracing::debug!(instance = self.instance, servcmd = cmd, seq = frame.head.seq, "tencent link: request");
        if cmd == PUSH_ACK {
            return None;
        }
        if let Some(injected) = self.shared.face.engine.faults().take_injected() {
            return self.reply(&frame, replies::error(injected.code, injected.message)).await;
        }
        match cmd {
            servcmd::WSLOGIN => {
                self.parked.push_back(frame);
                if self.gate.is_none() {
                    let shared = Arc::clone(&self.shared);
                    self.gate = Some(Box::pin(async move { shared.face.engine.faults().login_gate().await }));
                }
                None
            }
            servcmd::WSLOGOUT => self.logout(&frame).await,
            servcmd::HEARTBEAT => {
                let body = self.heartbeat(&frame.head);
                self.reply(&frame, body).await
            }
            cmd if cmd.starts_with("imopenstat.") => self.reply(&frame, replies::ok()).await,
            _ => {
                let body = match self.authorize(&frame.head) {
                    Ok(session) => self.serve_command(&frame, &session),
                    Err(refusal) => refusal,
                };
                self.reply(&frame, body).await
            }
        }
    }

    /// `heartbeat.alive` is answered whatever the credentials (it comes before
    /// login and, after a logout or kick, with a stale `a2`), except that the
    /// first request after the session's UserSig expired learns it (70001).
    fn heartbeat(&mut self, head: &Head) -> Value {
        let Some(a2) = a2_of(head) else { return replies::ok() };
        let now = self.shared.face.engine.now();
        match self.shared.store.standing(&self.shared.face.engine, a2, now) {
            Standing::Expired { reported_before: false } => {
                self.drop_carried_if(a2);
                replies::error(replies::USERSIG_EXPIRED, "UserSig expired")
            }
            _ => replies::ok(),
        }
    }

    /// Finds the live session of a request by its `a2`, or the reply that refuses it.
    fn authorize(&mut self, head: &Head) -> Result<Session, Value> {
        let Some(a2) = a2_of(head) else {
            return Err(replies::error(replies::NOT_LOGGED_IN, "not logged in: send im_open_status.wslogin first"));
        };
        let now = self.shared.face.engine.now();
        match self.shared.store.standing(&self.shared.face.engine, a2, now) {
            Standing::Live(session) => Ok(session),
            Standing::Unknown => Err(replies::error(replies::A2_INVALID, "A2 is unknown: log in again")),
            // The SDK still sends start-up queries just after its own logout: refuse them
            // with a code that means nothing more to it (20002 would report an expiry).
            Standing::LoggedOut => Err(replies::error(replies::NOT_LOGGED_IN, "logged out: log in again")),
            Standing::Kicked { kick_type, new_inst } => Err(replies::kicked(kick_type, &new_inst)),
            Standing::Expired { .. } => {
                self.drop_carried_if(a2);
                Err(replies::error(replies::USERSIG_EXPIRED, "UserSig expired"))
            }
        }
    }

    /// Serves an authorized request of `session`.
    fn serve_command(&self, frame: &Frame, session: &Session) -> Value {
        let empty = Map::new();
        let body = frame.body.as_object().unwrap_or(&empty);
        match frame.head.servcmd.as_str() {
            servcmd::WSHELLO => replies::ok(),
            servcmd::SENDMSG => messages::send(&self.shared.face, session, body),
            servcmd::GETMSG => messages::getmsg(&self.shared.face, session, body),
            messages::MSG_READED => messages::mark_read(&self.shared.face, session, body),
            messages::GETROAMMSG => messages::roam(&self.shared.face, session, body),
            messages::PAGE_GET => messages::page_get(&self.shared.face, session),
            messages::BATCH_DELETE => messages::delete(&self.shared.face, session, body),
            "profile.portrait_get_all" | "profile.portrait_get" => self.profiles(body),
            cmd if cmd.starts_with(groups::SERVICE) => {
                groups::serve(&self.shared.face, session, &cmd[groups::SERVICE.len()..], body)
            }
            other => replies::startup(other, body, &session.user),
        }
    }

    /// The profiles asked for: each requested user that exists, with its nick
    /// and avatar when set.
    fn profiles(&self, body: &Map<String, Value>) -> Value {
        let engine = &self.shared.face.engine;
        let items: Vec<Value> = body
            .get("UserItem")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|item| item.get("To_Account").and_then(Value::as_str))
            .map(|user| {
                let mut tags = Vec::new();
                if let Some(acc) = engine.account(user) {
                    if let Some(nick) = acc.nick {
                        tags.push(json!({ "Tag": "Tag_Profile_IM_Nick", "Value": nick }));
                    }
                    if let Some(url) = acc.face_url {
                        tags.push(json!({ "Tag": "Tag_Profile_IM_Image", "Value": url }));
                    }
                }
                json!({ "To_Account": user, "ProfileItem": tags })
            })
            .collect();
        replies::ok_with(json!({ "UserProfileItem": items }))
    }

    /// Answers every parked `wslogin`, in order, now that logins may proceed.
    async fn run_parked_logins(&mut self) -> Option<End> {
        self.gate = None;
        while let Some(frame) = self.parked.pop_front() {
            let body = self.login(&frame.head);
            if let Some(end) = self.reply(&frame, body).await {
                return Some(end);
            }
        }
        None
    }

    /// `wslogin`: a first login with identifier + UserSig, or the same
    /// instance coming back with its `a2` after a reconnect. Returns the reply.
    fn login(&mut self, head: &Head) -> Value {
        let face = &self.shared.face;
        let sdkappid = head.sdkappid.or(self.params.sdkappid);
        if sdkappid != Some(face.settings.sdkappid) {
            let found = sdkappid.map_or_else(|| "none".to_owned(), |a| a.to_string());
            return replies::error(
                replies::APP_MISMATCH,
                format!("SDKAppID {found} is not this app's ({})", face.settings.sdkappid),
            );
        }
        let has_sig = head.usersig.as_ref().is_some_and(|s| !s.is_empty());
        match a2_of(head) {
            Some(a2) if !has_sig => {
                let a2 = a2.to_owned();
                self.relogin(&a2)
            }
            _ => self.login_with_usersig(head),
        }
    }

    fn login_with_usersig(&mut self, head: &Head) -> Value {
        let shared = Arc::clone(&self.shared);
        let (face, store) = (&shared.face, &shared.store);
        let user = head.identifier.as_deref().unwrap_or("");
        if let Err(why) = check_user_id(user) {
            return replies::error(replies::INVALID_PARAMETER, format!("invalid identifier: {why}"));
        }
        let sig = head.usersig.as_ref().map_or("", |s| s.expose());
        let decoded = match face.check_user_sig(user, sig) {
            Ok(decoded) => decoded,
            Err(refusal) => {
                tracing::debug!(user, code = refusal.code, "tencent link: login refused");
                return replies::error(refusal.code, refusal.message);
            }
        };
        // A new login of this instance replaces whatever it was logged in as.
        self.carried = None;
        self.kicked = false;
        self.close_at = None;
        store.supersede_instance(&self.instance);
        face.engine.create_account(user, None, None);
        let platform = self.params.platform.clone();
        let device = Device::new(platform.clone()).with_id(self.instance.clone());
        let new_inst = new_inst_info(&device);
        let link = face.engine.attach(user, device, face.settings.policy);
        store.register_link(link.id);
        let evicted = store.evict_detached(&face.engine, user, &platform, face.settings.policy, &new_inst);
        if evicted > 0 {
            tracing::debug!(user, evicted, "tencent link: kicked disconnected sessions of the user");
        }
        let a2 = random_hex(64);
        let session = Session {
            user: user.to_owned(),
            instance: self.instance.clone(),
            platform,
            instid: rand::thread_rng().gen_range(1..INSTID_LIMIT),
            issued_at: decoded.time,
            expires_at: decoded.expires_at(),
            link: Some(link.id),
            order: 0,
            state: SessionState::Live,
        };
        tracing::debug!(user, link = link.id, instid = session.instid, "tencent link: logged in");
        let reply = self.login_reply(&a2, &session);
        store.open_session(&a2, session.clone());
        self.carry(a2, link, &session);
        reply
    }

    /// A re-login with `a2`: the same session on a new socket. No new login,
    /// no kick; the same A2Key, TinyId and InstId.
    fn relogin(&mut self, a2: &str) -> Value {
        let shared = Arc::clone(&self.shared);
        let (face, store) = (&shared.face, &shared.store);
        let now = face.engine.now();
        match store.standing(&face.engine, a2, now) {
            Standing::Live(session) => {
                let already = self.carried.as_ref().is_some_and(|c| c.a2 == a2 && face.engine.is_attached(c.link.id));
                if !already {
                    self.carried = None;
                    let device = Device::new(session.platform.clone()).with_id(session.instance.clone());
                    let link = face.engine.attach(&session.user, device, face.settings.policy);
                    store.register_link(link.id);
                    store.set_link(a2, link.id);
                    tracing::debug!(user = session.user, link = link.id, "tencent link: logged in again with A2");
                    self.carry(a2.to_owned(), link, &session);
                }
                self.login_reply(a2, &session)
            }
            Standing::Kicked { kick_type, new_inst } => replies::kicked(kick_type, &new_inst),
            Standing::Expired { .. } => replies::error(replies::USERSIG_EXPIRED, "UserSig expired"),
            Standing::Unknown | Standing::LoggedOut => {
                replies::error(replies::A2_INVALID, "A2 is unknown or logged out: log in with a UserSig")
            }
        }
    }

    fn login_reply(&self, a2: &str, session: &Session) -> Value {
        replies::ok_with(json!({
            "A2Key": a2,
            "TinyId": tiny_id(&session.user).to_string(),
            "InstId": session.instid,
            "HelloInterval": HELLO_INTERVAL_SECS,
            "TimeStamp": self.shared.face.engine.now(),
        }))
    }

    /// Makes this connection carry the session of `a2` on `link`.
    fn carry(&mut self, a2: String, link: AttachedLink, session: &Session) {
        // A UserSig valid past what the clock can represent never expires.
        let deadline = UNIX_EPOCH.checked_add(Duration::from_secs(session.expires_at.saturating_add(1)));
        let expiry = match deadline {
            Some(deadline) => self.shared.face.engine.clock().sleep_until(deadline),
            None => Box::pin(futures::future::pending()),
        };
        self.carried = Some(Box::new(Carried { shared: Arc::clone(&self.shared), a2, link, expiry }));
    }

    /// Stops carrying the session of `a2` (detaching its link), if this connection carries it.
    fn drop_carried_if(&mut self, a2: &str) {
        if self.carried.as_ref().is_some_and(|c| c.a2 == a2) {
            self.carried = None;
        }
    }

    /// The carried session's UserSig expired: its link leaves the engine, and
    /// its next request is answered with 70001.
    fn expire_carried(&mut self) {
        if let Some(c) = self.carried.take() {
            tracing::debug!(instance = self.instance, "tencent link: UserSig expired, link detached");
            self.shared.store.set_state(&c.a2, SessionState::Expired { reported: false });
        }
    }

    /// `wslogout`: ends only the session of the request's `a2`. The socket
    /// stays open (the SDK keeps sending heartbeats on it), unless this
    /// connection was kicked: then it is closed once the answer is out.
    async fn logout(&mut self, frame: &Frame) -> Option<End> {
        if let Some(a2) = a2_of(&frame.head) {
            let a2 = a2.to_owned();
            self.shared.store.set_state(&a2, SessionState::LoggedOut);
            self.drop_carried_if(&a2);
            tracing::debug!(instance = self.instance, "tencent link: logged out");
        }
        self.parked.clear();
        self.gate = None;
        let end = self.reply(frame, replies::ok()).await;
        if self.kicked {
            return Some(end.unwrap_or(End::Graceful));
        }
        end
    }

    async fn on_signal(&mut self, signal: Option<LinkSignal>) -> Option<End> {
        match signal {
            // The engine forgot the link without a word: nothing more will come on it.
            None => {
                self.carried = None;
                None
            }
            // The session stays: the client will reconnect and log in again with its A2.
            Some(LinkSignal::Drop) => Some(End::Abrupt),
            // The same instance is back on another socket.
            Some(LinkSignal::Replaced) => {
                self.carried = None;
                Some(End::Graceful)
            }
            Some(LinkSignal::Push(payload)) => {
                let servcmd = payload.get("servcmd").and_then(Value::as_str).unwrap_or("");
                if servcmd.is_empty() {
                    tracing::debug!(instance = self.instance, "tencent link: ignored a push without servcmd");
                    return None;
                }
                let body = payload.get("body").cloned().unwrap_or_else(|| json!({}));
                self.send(&Frame::new(servcmd, 0, body)).await
            }
            // Not a kick for the SDK: the next request learns it (70001).
            Some(LinkSignal::Kicked { reason: DisconnectReason::CredentialExpired, .. }) => {
                self.expire_carried();
                None
            }
            Some(LinkSignal::Kicked { reason, by }) => self.kick(reason, by).await,
        }
    }

    /// Pushes `stat_forceoffline` and waits for the client's `wslogout`
    /// (KickType 1 and 2) or a short grace (KickType 3) before closing.
    async fn kick(&mut self, reason: DisconnectReason, by: Option<Device>) -> Option<End> {
        let kick_type = kick_type_for(reason);
        let new_inst = by.as_ref().map_or_else(|| json!({}), new_inst_info);
        if let Some(c) = self.carried.take() {
            let state = SessionState::Kicked { kick_type, new_inst: new_inst.clone() };
            self.shared.store.set_state(&c.a2, state);
        }
        tracing::debug!(instance = self.instance, kick_type, %reason, "tencent link: forced offline");
        self.kicked = true;
        self.parked.clear();
        self.gate = None;
        let wait = if kick_type == KICK_TYPE_REST_API { KICKED_GRACE } else { KICKED_LOGOUT_WAIT };
        self.close_at = Some(Instant::now() + wait);
        let notify = json!({ "KickoutMsgNotify": { "KickType": kick_type, "NewInstInfo": new_inst } });
        let body = json!({ "EventArray": [{ "Event": 9, "C2cNotifyMsgArray": [notify] }] });
        self.send(&Frame::new(servcmd::FORCE_OFFLINE, 0, body)).await
    }

    /// Sends the reply to `request` with `body`.
    async fn reply(&mut self, request: &Frame, body: Value) -> Option<End> {
        let frame = Frame::new(request.head.servcmd.clone(), request.head.seq, body);
        self.send(&frame).await
    }

    /// Sends a frame: binary on `/binfo` (the SDK drops text frames there),
    /// text on `/info`.
    async fn send(&mut self, frame: &Frame) -> Option<End> {
        let bytes = frame.encode();
        let msg = if self.params.binary {
            Message::Binary(bytes.into())
        } else {
            match String::from_utf8(bytes) {
                Ok(text) => Message::Text(text.into()),
                Err(_) => return None,
            }
        };
        match self.socket.send(msg).await {
            Ok(()) => None,
            Err(e) => {
                tracing::debug!(instance = self.instance, "tencent link: send failed: {e}");
                Some(End::ClientGone)
            }
        }
    }
}

/// The request's `a2`, when it carries a non-empty one.
fn a2_of(head: &Head) -> Option<&str> {
    head.a2.as_ref().map(|s| s.expose()).filter(|s| !s.is_empty())
}

/// Waits for the carried link's next engine signal or its UserSig's expiry;
/// forever when the connection carries no session.
async fn carried_wake(carried: &mut Option<Box<Carried>>) -> Wake {
    match carried {
        Some(c) => {
            let Carried { link, expiry, .. } = &mut **c;
            tokio::select! {
                biased;
                signal = link.signals.recv() => Wake::Signal(signal),
                () = expiry => Wake::Expired,
            }
        }
        None => std::future::pending().await,
    }
}

/// Waits for the fault controls to let logins through; forever when no login is parked.
async fn gate(gate: &mut Option<BoxFuture<'static, ()>>) {
    match gate {
        Some(g) => g.await,
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

/// Tencent's UserID rule (tencent.md section 3, code 7003): non-empty, at most
/// 32 bytes, printable ASCII.
fn check_user_id(user: &str) -> Result<(), &'static str> {
    if user.is_empty() {
        Err("empty")
    } else if user.len() > 32 {
        Err("longer than 32 bytes")
    } else if !user.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
        Err("not printable ASCII")
    } else {
        Ok(())
    }
}

/// `NewInstInfo` naming the device whose login caused a kick (the SDK only logs it).
fn new_inst_info(device: &Device) -> Value {
    let mut info = Map::new();
    if device.platform == Platform::Web {
        info.insert("Platform".into(), json!(7));
    }
    Value::Object(info)
}

fn random_hex(len: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..len).map(|_| char::from_digit(rng.gen_range(0..16), 16).unwrap_or('0')).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_ids_follow_tencents_rule() {
        assert!(check_user_id("alice_01-x").is_ok());
        assert!(check_user_id("").is_err());
        assert!(check_user_id(&"a".repeat(33)).is_err());
        assert!(check_user_id("al\u{e9}").is_err());
        assert!(check_user_id("a\tb").is_err());
    }
}
