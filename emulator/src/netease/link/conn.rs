//! One client connection: a task that reads the socket and the engine's
//! signals for the link it carries, and is the socket's only writer.
//!
//! - `1::` goes out first (2.3); then the client's `3:::` packets are
//!   answered by command (`SID_CID`), replies echoing `ser`.
//! - 2_3 waits for the fault controls, then checks the login; a refusal is
//!   answered with its code and the socket closed shortly after (the SDK
//!   closes it itself on the reply, 4.2). A good login attaches an engine link
//!   whose device id is the SDK instance (login tag 26), announces the
//!   client to the account's others (2_7 state 2) and answers loginRes,
//!   the others as loginPorts and `{}`. An automatic re-login (tag 8 = 0) of
//!   an instance that was kicked is refused with 417 (6.3); a manual one
//!   clears that.
//! - 5_1 hands out what this instance is owed as one 4_4 push, then replies
//!   (sync done); 7_1 sends, and 4_5, 7_6, 7_16, 7_19, 7_22, 7_25 are the
//!   message commands (`mailbox.rs`, `history.rs`); service 8 is teams
//!   (`teams.rs`), whose teams and own member records the sync pushes first
//!   (8_109, 8_126).
//! - 2_6 is answered, the client leaves (2_7 state 3 to the others) and the
//!   socket closes soon after: the SDK waits for that close (4.4).
//! - A kick from the engine becomes the 2_5 push (6.1), then the socket
//!   closes; `Drop` ends the TCP connection without a close frame (the SDK
//!   reconnects); `Replaced` (the same instance logged in again elsewhere)
//!   closes quietly.
//!
//! Frames that do not decode are logged and ignored; commands the face does
//! not serve get `code 200, r: []` (5.8).

use super::super::store::Refusal;
use super::super::Face;
use super::history;
use super::login::Login;
use super::mailbox::{self, Sender};
use super::ports::{self, Port, OFFLINE, ONLINE};
use super::teams;
use super::{now_ms, property_array};
use crate::{AttachedLink, LinkSignal};
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;
use unim_core::{Device, DisconnectReason, Platform};
use unim_netease::error::{code, kick_reason_code};
use unim_netease::link::ids::login_res;
use unim_netease::link::{cmd, ClientType, Frame, Framing, Property, Request, Response, SocketIoJson, WireFrame};

/// How long a kicked or refused connection stays open after the push or
/// reply, for the client to close it itself (6.1).
const CLOSE_AFTER_KICK: Duration = Duration::from_millis(200);
/// How long after answering 2_6 the socket closes (4.4).
const CLOSE_AFTER_LOGOUT: Duration = Duration::from_millis(100);
/// The 2_5 reason of a kick by the server (6.1).
const KICK_BY_SERVER: i64 = 2;
/// loginRes tag 109: the login time, ms (4.1).
const LOGIN_TIME: u32 = 109;

/// Serves one upgraded connection until it ends.
pub(super) async fn run(socket: WebSocket, face: Arc<Face>) {
    let mut conn = Conn { face, socket, online: None, close_at: None };
    let end = conn.serve().await;
    tracing::debug!(client = conn.describe(), ?end, "netease link: connection ended");
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

/// The login a connection carries. Dropping it takes the client offline:
/// its port goes and the account's others hear 2_7 state 3 (unless quiet);
/// then the engine link detaches.
struct Online {
    face: Arc<Face>,
    port: Port,
    device: Device,
    nick: String,
    /// Leave without telling the others (the same instance came back elsewhere).
    quiet: bool,
    link: AttachedLink,
}

impl Drop for Online {
    fn drop(&mut self) {
        if let Some(port) = self.face.links.ports.remove(self.link.id) {
            if !self.quiet {
                ports::announce(&self.face, &port, OFFLINE);
            }
        }
    }
}

/// What woke the connection.
enum Wake {
    Socket(Option<Result<Message, axum::Error>>),
    Signal(Option<LinkSignal>),
    Deadline,
}

struct Conn {
    face: Arc<Face>,
    socket: WebSocket,
    online: Option<Online>,
    /// When set, the connection is ending: it closes at this (real) time and
    /// answers nothing more.
    close_at: Option<Instant>,
}

impl Conn {
    /// `accid/connectionId` for logs, or `-` before a login.
    fn describe(&self) -> String {
        self.online.as_ref().map_or_else(|| "-".into(), |o| format!("{}/{}", o.port.accid, o.port.connection_id))
    }

    async fn serve(&mut self) -> End {
        if let Some(end) = self.send_frame(SocketIoJson.encode_control(&Frame::Connect)).await {
            return end;
        }
        loop {
            let wake = tokio::select! {
                // Engine signals first: a push queued before a request arrived goes out before its reply.
                biased;
                signal = next_signal(&mut self.online) => Wake::Signal(signal),
                msg = self.socket.recv() => Wake::Socket(msg),
                () = deadline(self.close_at) => Wake::Deadline,
            };
            let end = match wake {
                Wake::Socket(None) | Wake::Socket(Some(Err(_))) => Some(End::ClientGone),
                Wake::Socket(Some(Ok(msg))) => self.on_message(msg).await,
                Wake::Signal(signal) => self.on_signal(signal).await,
                Wake::Deadline => Some(End::Graceful),
            };
            if let Some(end) = end {
                return end;
            }
        }
    }

    /// Writes one frame; `Some(ClientGone)` when the socket is gone.
    async fn send_frame(&mut self, frame: WireFrame) -> Option<End> {
        let msg = match frame {
            WireFrame::Text(text) => Message::Text(text.into()),
            WireFrame::Binary(bytes) => Message::Binary(bytes.into()),
        };
        self.socket.send(msg).await.err().map(|_| End::ClientGone)
    }

    async fn send(&mut self, response: &Response) -> Option<End> {
        self.send_frame(SocketIoJson.encode_response(response)).await
    }

    async fn ok(&mut self, request: &Request, r: Vec<Value>) -> Option<End> {
        self.send(&Response::ok(request.command, request.ser, r)).await
    }

    async fn error(&mut self, request: &Request, code: i64) -> Option<End> {
        self.send(&Response::error(request.command, request.ser, code)).await
    }

    /// Ends the connection at `after` from now.
    fn close_soon(&mut self, after: Duration) {
        self.close_at = Some(Instant::now() + after);
    }

    async fn on_message(&mut self, msg: Message) -> Option<End> {
        let frame = match msg {
            Message::Text(text) => WireFrame::Text(text.to_string()),
            Message::Close(_) => return Some(End::ClientGone),
            Message::Binary(_) | Message::Ping(_) | Message::Pong(_) => return None,
        };
        match SocketIoJson.decode_request(&frame) {
            Ok(Frame::Packet(request)) if self.close_at.is_none() => self.on_request(request).await,
            Ok(Frame::Packet(request)) => {
                tracing::debug!(command = %request.command, "netease link: ignored a request on a closing connection");
                None
            }
            Ok(Frame::Heartbeat) => self.send_frame(SocketIoJson.encode_control(&Frame::Heartbeat)).await,
            // The client closes the socket itself right after `0::`.
            Ok(Frame::Disconnect) => Some(End::ClientGone),
            Ok(Frame::Connect | Frame::Ignore) => None,
            Err(e) => {
                tracing::debug!("netease link: ignored an undecodable frame: {e}");
                None
            }
        }
    }

    async fn on_request(&mut self, request: Request) -> Option<End> {
        tracing::debug!(client = self.describe(), command = %request.command, ser = request.ser, "netease link: request");
        match request.command {
            cmd::LOGIN => return self.login(&request).await,
            cmd::HEARTBEAT => return self.ok(&request, vec![]).await,
            _ => {}
        }
        if self.online.is_none() {
            tracing::debug!(command = %request.command, "netease link: a request before a login");
            return self.error(&request, code::FORBIDDEN).await;
        }
        match request.command {
            cmd::LOGOUT => {
                let end = self.ok(&request, vec![]).await;
                self.online = None;
                self.close_soon(CLOSE_AFTER_LOGOUT);
                end
            }
            cmd::KICK => self.kick(&request).await,
            cmd::SYNC => self.sync(&request).await,
            cmd::SEND_MSG => self.send_msg(&request).await,
            cmd::BATCH_MARK_READ
            | cmd::GET_HISTORY_MSGS
            | cmd::MARK_SESSION_ACK
            | cmd::MARK_SESSION_ACK_BATCH
            | cmd::GET_SERVER_SESSIONS
            | cmd::DELETE_SERVER_SESSIONS => self.message_command(&request).await,
            cmd::GET_USERS => self.get_users(&request).await,
            c if c.sid == cmd::CREATE_TEAM.sid => self.team_command(&request).await,
            cmd::GET_SERVER_TIME => self.ok(&request, vec![now_ms(&self.face).into()]).await,
            _ => self.ok(&request, vec![]).await,
        }
    }

    /// Waits for the fault controls to let logins through. `false` when the
    /// client went away meanwhile (the SDK sends nothing else before the
    /// login reply; anything it does send is dropped).
    async fn login_gate(&mut self) -> bool {
        let face = Arc::clone(&self.face);
        let gate = face.engine.faults().login_gate();
        tokio::pin!(gate);
        loop {
            tokio::select! {
                () = &mut gate => return true,
                msg = self.socket.recv() => match msg {
                    None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return false,
                    Some(Ok(_)) => tracing::debug!("netease link: dropped a frame sent while logins are held"),
                },
            }
        }
    }

    /// 2_3: log in (4.1, 4.2, 6.3).
    async fn login(&mut self, request: &Request) -> Option<End> {
        if !self.login_gate().await {
            return Some(End::ClientGone);
        }
        let login = match Login::parse(request) {
            Ok(login) => login,
            Err(e) => return self.refuse(request, Refusal::new(code::BAD_PARAM, e.to_string())).await,
        };
        if let Some(injected) = self.face.engine.faults().take_injected() {
            return self.refuse(request, Refusal::new(injected.code, injected.message)).await;
        }
        let accid = match login.check(&self.face) {
            Ok(accid) => accid,
            Err(refusal) => return self.refuse(request, refusal).await,
        };
        // An instance that was kicked may come back only by a manual login (6.3).
        let instance = login.instance_id();
        if let Some(instance) = &instance {
            if login.app_login == 0 && self.face.links.ports.was_kicked(&accid, instance) {
                return self.refuse(request, Refusal::new(code::REPEATED, "auto-login after a kick")).await;
            }
            self.face.links.ports.forget_kicked(&accid, instance);
        }
        // A second login on one socket replaces the first.
        self.online = None;
        let face = Arc::clone(&self.face);
        let platform = ClientType::from_code(login.client_type)
            .map_or_else(|| Platform::Other(login.client_type.to_string()), ClientType::platform);
        let device = Device { platform, id: instance, name: None };
        let link = face.engine.attach(&accid, device.clone(), face.settings.policy);
        let (connection_id, client_port) = face.links.ports.next_connection();
        let ip = face.link_addr.rsplit_once(':').map_or(face.link_addr.as_str(), |(host, _)| host).to_owned();
        let port = Port {
            link: link.id,
            accid: accid.clone(),
            client_type: login.client_type,
            os: login.os.clone(),
            device_id: login.device_id.clone(),
            connection_id: connection_id.clone(),
            ip: ip.clone(),
            time_ms: now_ms(&face),
            instance: device.id.clone().unwrap_or_default(),
        };
        face.links.ports.add(port.clone());
        let others: Vec<Property> = ports::others(&face, &port).iter().map(Port::to_property).collect();
        ports::announce(&face, &port, ONLINE);
        let nick = face.store.get(&accid).and_then(|u| u.name).unwrap_or_default();
        tracing::debug!(accid, connection_id, client_type = login.client_type, "netease link: logged in");
        let login_res = Property::new()
            .with(login_res::CONNECTION_ID, connection_id)
            .with(login_res::IP, ip)
            .with(login_res::PORT, client_port)
            .with(LOGIN_TIME, port.time_ms);
        self.online = Some(Online { face: Arc::clone(&face), port, device, nick, quiet: false, link });
        self.ok(request, vec![login_res.to_value(), property_array(others), json!({})]).await
    }

    /// Answers a login with `refusal`'s code and ends the connection (4.2).
    async fn refuse(&mut self, request: &Request, refusal: Refusal) -> Option<End> {
        tracing::debug!(code = refusal.code, desc = refusal.desc, "netease link: login refused");
        self.online = None;
        self.close_soon(CLOSE_AFTER_KICK);
        self.error(request, refusal.code).await
    }

    /// 2_8: kick the account's other clients with the listed deviceIds,
    /// reason 3 naming this client (6.2).
    async fn kick(&mut self, request: &Request) -> Option<End> {
        let Some(online) = &self.online else { return None };
        let Ok(ids) = request.param(0).and_then(|p| p.as_strings()) else {
            return self.error(request, code::BAD_PARAM).await;
        };
        let mut kicked: Vec<String> = Vec::new();
        for port in self.face.links.ports.of_user(&online.port.accid) {
            if port.link == online.link.id || !ids.contains(&port.device_id) {
                continue;
            }
            let by = Some(online.device.clone());
            if self.face.engine.kick_link_by(port.link, DisconnectReason::KickedByOwnDevice, by)
                && !kicked.contains(&port.device_id)
            {
                kicked.push(port.device_id);
            }
        }
        self.ok(request, vec![json!(kicked)]).await
    }

    /// 5_1: the offline messages as one 4_4 push, then the reply that means
    /// sync done (5.1-5.3).
    async fn sync(&mut self, request: &Request) -> Option<End> {
        let Some(online) = &self.online else { return None };
        // The SDK takes a push as part of the sync when it carries the 5_1 request's ser.
        for push in teams::sync_pushes(&self.face, &online.port.accid) {
            if let Some(end) = self.send(&Response { ser: Some(request.ser), ..push }).await {
                return Some(end);
            }
        }
        let Some(online) = &self.online else { return None };
        let msgs = mailbox::take_owed(&self.face, &online.port.accid, &online.port.instance);
        if !msgs.is_empty() {
            let push = Response::push(cmd::SYNC_OFFLINE_MSGS, vec![property_array(msgs)]);
            if let Some(end) = self.send(&push).await {
                return Some(end);
            }
        }
        self.ok(request, vec![now_ms(&self.face).into()]).await
    }

    /// 7_1: send a message (5.5); the reply is the stamped message.
    async fn send_msg(&mut self, request: &Request) -> Option<End> {
        let Some(online) = &self.online else { return None };
        let Ok(msg) = request.param(0).and_then(|p| p.as_property()) else {
            return self.error(request, code::BAD_PARAM).await;
        };
        let sender = Sender {
            accid: online.port.accid.clone(),
            link: Some(online.link.id),
            client_type: online.port.client_type,
            device_id: online.port.device_id.clone(),
            nick: online.nick.clone(),
        };
        match mailbox::send(&self.face, &sender, msg) {
            Ok(shown) => self.ok(request, vec![shown.to_wire().to_value()]).await,
            Err(refusal) => {
                tracing::debug!(code = refusal.code, desc = refusal.desc, "netease link: send refused");
                self.error(request, refusal.code).await
            }
        }
    }

    /// The team commands, service 8 (`teams.rs`).
    async fn team_command(&mut self, request: &Request) -> Option<End> {
        let Some(online) = &self.online else { return None };
        let caller = Sender {
            accid: online.port.accid.clone(),
            link: Some(online.link.id),
            client_type: online.port.client_type,
            device_id: online.port.device_id.clone(),
            nick: online.nick.clone(),
        };
        match teams::handle(&self.face, &caller, request) {
            Ok((code, r)) => self.send(&Response { code, ..Response::ok(request.command, request.ser, r) }).await,
            Err(refusal) => {
                tracing::debug!(command = %request.command, code = refusal.code, desc = refusal.desc, "netease link: team command refused");
                self.error(request, refusal.code).await
            }
        }
    }

    /// The message commands besides 7_1 (`history.rs`).
    async fn message_command(&mut self, request: &Request) -> Option<End> {
        let Some(online) = &self.online else { return None };
        let (face, accid) = (&self.face, online.port.accid.as_str());
        let answer = match request.command {
            cmd::BATCH_MARK_READ => history::batch_mark_read(face, accid, &online.port.instance, request),
            cmd::GET_HISTORY_MSGS => history::history(face, accid, request),
            cmd::MARK_SESSION_ACK => history::mark_session_ack(face, accid, request),
            cmd::GET_SERVER_SESSIONS => history::server_sessions(face, accid, request),
            cmd::DELETE_SERVER_SESSIONS => history::delete_server_sessions(face, accid, request),
            _ => history::mark_session_ack_batch(face, accid, request),
        };
        match answer {
            Ok(r) => self.ok(request, r).await,
            Err(refusal) => {
                tracing::debug!(command = %request.command, code = refusal.code, desc = refusal.desc, "netease link: refused");
                self.error(request, refusal.code).await
            }
        }
    }

    /// 3_7: the profiles of the listed accounts that exist (5.7).
    async fn get_users(&mut self, request: &Request) -> Option<End> {
        let Ok(accids) = request.param(0).and_then(|p| p.as_strings()) else {
            return self.error(request, code::BAD_PARAM).await;
        };
        let users = accids.iter().filter_map(|a| self.face.store.get(a)).map(|u| {
            let mut p = Property::new().with(1, u.accid).with(6, u.gender);
            let optional =
                [(3, u.name), (4, u.icon), (5, u.sign), (7, u.email), (8, u.birth), (9, u.mobile), (10, u.ex)];
            for (tag, value) in optional {
                if let Some(v) = value {
                    p.set(tag, v);
                }
            }
            p
        });
        self.ok(request, vec![property_array(users.collect::<Vec<_>>())]).await
    }

    async fn on_signal(&mut self, signal: Option<LinkSignal>) -> Option<End> {
        match signal {
            // The engine let go of the link without a word: nothing to tell the client.
            None => Some(End::Graceful),
            Some(LinkSignal::Kicked { reason, by }) => {
                let online = self.online.take()?;
                let from = by
                    .as_ref()
                    .and_then(|d| ClientType::from_platform(&d.platform))
                    .map_or(ClientType::Rest.code(), ClientType::code);
                let reason_code = kick_reason_code(reason);
                // A server kick carries the extension of the server API call (set per link, or on the account).
                let custom = self.face.links.ports.take_kick_ext(online.link.id).or_else(|| {
                    let server = reason_code == KICK_BY_SERVER;
                    server.then(|| self.face.store.get(&online.port.accid).and_then(|u| u.kick_notify_ext)).flatten()
                });
                tracing::debug!(client = %online.port.connection_id, ?reason, from, "netease link: kicked");
                if let Some(instance) = &online.device.id {
                    self.face.links.ports.mark_kicked(&online.port.accid, instance);
                }
                drop(online);
                self.close_soon(CLOSE_AFTER_KICK);
                let push = Response::push(
                    cmd::KICKED,
                    vec![from.into(), reason_code.into(), custom.unwrap_or_default().into(), 0.into()],
                );
                self.send(&push).await
            }
            Some(LinkSignal::Drop) => Some(End::Abrupt),
            Some(LinkSignal::Replaced) => {
                if let Some(online) = self.online.as_mut() {
                    online.quiet = true;
                }
                Some(End::Graceful)
            }
            Some(LinkSignal::Push(Value::String(frame))) => self.send_frame(WireFrame::Text(frame)).await,
            Some(LinkSignal::Push(other)) => {
                tracing::debug!("netease link: ignored a push that is not a frame: {other}");
                None
            }
        }
    }
}

/// The next engine signal of the carried link; never, without one.
async fn next_signal(online: &mut Option<Online>) -> Option<LinkSignal> {
    match online {
        Some(online) => online.link.signals.recv().await,
        None => std::future::pending().await,
    }
}

/// Fires at `at`; never, without one.
async fn deadline(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
