//! The user's side over NetEase's web client link: [`NeteaseSession`].
//!
//! A login asks the LBS for link addresses, does the socket.io handshake,
//! opens the WebSocket, waits for `1::` and sends `2_3` with the accid and
//! token; every accepted login then syncs (`6_26`, `5_1`, whose reply is
//! "sync done"), so the states always go `Connecting`, `Authenticating`,
//! `Syncing`, `Connected` (docs/protocols/netease.md 2, 4.1, 5.1, 10.1). A
//! supervisor task then sends the `1_2` heartbeat every 30 s on the
//! session's clock, ends the session on a `2_5` kick, keeps the other
//! devices from `2_7`, re-logs-in after a dropped link (`2_3` with
//! `appLogin` 0, the same deviceId and session tags), and watches a dynamic
//! token's lifetime.
//!
//! **Re-logins sync too.** The SDK fires `onconnect` and `onsyncdone` again
//! after every automatic re-login (netease.md 4.6), so a re-login goes
//! `Reconnecting`, `Connecting`, `Authenticating`, `Syncing` (with one
//! `SyncStarted` and one `SyncFinished`), `Connected`, like a first login.
//! A refused re-login ends the session with the code's reason, except the
//! transient ones (416, 5xx: `Network`), which are retried with the backoff.
//!
//! **Dynamic tokens.** A token is taken as dynamic (authType 1, tag 115)
//! exactly when [`crate::sign::DynamicToken::parse`] reads it: base64 of
//! the JSON `{signature, curTime, ttl}`. The static tokens NetEase issues
//! (`user/create`, `refreshToken`, or the app's own up to 128 characters)
//! are never base64 JSON objects, so the test cannot mistake one for the
//! other. A dynamic token's `curTime + ttl` is its lifetime.

mod chats;
mod connection;
mod devices;
mod handshake;
mod messaging;
mod supervisor;
mod teams;
mod token;

use crate::link::{cmd, ClientType, Framing, Param, SocketIoJson};
use crate::{capabilities, VENDOR};
use async_trait::async_trait;
use connection::{Connection, LinkEvent};
use devices::Ports;
use handshake::{Failure, LoggedIn, Target};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use supervisor::Supervisor;
pub(crate) use token::{check_credentials, token_lifetime};
use tokio::sync::mpsc;
use unim_core::supervise::{supervise, LoginGate, Running};
use unim_core::{
    record_disconnect, resume_credentials, Capabilities, ConnectionState, Conversation, ConversationId, Credentials,
    Device, Disconnect, DisconnectReason, Error, ErrorKind, Event, EventBus, EventStream, HistoryCursor, HistoryPage,
    Message, OutgoingMessage, Platform, SavedLogin, Secret, Session, SessionOptions, StateTracker, StoreEntry,
};
use unim_core::{BatchItem, Group, GroupSpec, GroupUpdate, JoinOutcome, MemberCursor, MemberPage, MuteDuration, Role};

/// Where and as what a [`NeteaseSession`] connects.
#[derive(Debug, Clone)]
pub struct NeteaseSessionConfig {
    /// The LBS URL (the SDK's `lbsUrl`): the emulator's `lbs_url`, or
    /// NetEase's `https://lbs.netease.im/lbs/webconf.jsp`.
    pub lbs_url: String,
    /// The app key.
    pub app_key: String,
    /// A link address `host:port` tried after the LBS's (the SDK's
    /// `defaultLink`); the only one when the LBS cannot be reached.
    pub default_link: Option<String>,
    /// `https`/`wss` when true, `http`/`ws` when false.
    pub secure: bool,
    /// The platform this session logs in as (tag 3, the client type). Web
    /// by default; one desktop and one mobile device may be online together.
    pub platform: Platform,
    /// The device id (tag 13); a random one per session when `None`.
    pub device_id: Option<String>,
}

impl NeteaseSessionConfig {
    /// A Web config for `lbs_url` and `app_key`, over plain `http`/`ws`
    /// (set `secure` for NetEase's own servers), with a random device id.
    pub fn new(lbs_url: impl Into<String>, app_key: impl Into<String>) -> Self {
        NeteaseSessionConfig {
            lbs_url: lbs_url.into(),
            app_key: app_key.into(),
            default_link: None,
            secure: false,
            platform: Platform::Web,
            device_id: None,
        }
    }

    /// The same config with a fallback link address `host:port`.
    pub fn with_default_link(mut self, link: impl Into<String>) -> Self {
        self.default_link = Some(link.into());
        self
    }

    /// The same config logging in as `platform`.
    pub fn on(mut self, platform: Platform) -> Self {
        self.platform = platform;
        self
    }

    /// The same config with a fixed device id.
    pub fn with_device_id(mut self, device_id: impl Into<String>) -> Self {
        self.device_id = Some(device_id.into());
        self
    }
}

/// A NetEase user session over the web client link.
pub struct NeteaseSession {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for NeteaseSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NeteaseSession")
            .field("config", &self.inner.config)
            .field("device_id", &self.inner.device_id)
            .field("user", &self.inner.user())
            .field("state", &self.inner.tracker.get())
            .finish()
    }
}

pub(crate) struct Inner {
    config: NeteaseSessionConfig,
    options: SessionOptions,
    framing: Arc<dyn Framing>,
    device_id: String,
    /// The per-session id (tag 26): the same instance coming back after a drop.
    session_tag: String,
    /// The request serial, for the life of the session (netease.md 3).
    ser: Arc<AtomicU64>,
    tracker: StateTracker,
    logging_in: LoginGate,
    control: tokio::sync::Mutex<Option<Running>>,
    user: Mutex<Option<String>>,
    link: Mutex<Option<Arc<Connection>>>,
    ports: Arc<Mutex<Ports>>,
    abort: Mutex<Option<tokio::task::AbortHandle>>,
    /// Unread counts and the ids of messages already announced.
    chats: Mutex<chats::Chats>,
}

fn random_hex32() -> String {
    format!("{:032x}", rand::random::<u128>())
}

impl NeteaseSession {
    /// A logged-out session.
    pub fn new(config: NeteaseSessionConfig, options: SessionOptions) -> Self {
        let device_id = config.device_id.clone().unwrap_or_else(random_hex32);
        let inner = Inner {
            config,
            options,
            framing: Arc::new(SocketIoJson),
            device_id,
            session_tag: random_hex32(),
            ser: Arc::new(AtomicU64::new(1)),
            tracker: StateTracker::new(EventBus::new()),
            logging_in: LoginGate::new(),
            control: tokio::sync::Mutex::new(None),
            user: Mutex::new(None),
            link: Mutex::new(None),
            ports: Arc::default(),
            abort: Mutex::new(None),
            chats: Mutex::default(),
        };
        NeteaseSession { inner: Arc::new(inner) }
    }
}

impl Drop for NeteaseSession {
    /// Dropping a session ends its link without logging out, so a saved
    /// login stays resumable (as when an app is killed).
    fn drop(&mut self) {
        if let Some(abort) = lock(&self.inner.abort).take() {
            abort.abort();
        }
        if let Some(conn) = lock(&self.inner.link).take() {
            conn.close();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Inner {
    fn user(&self) -> Option<String> {
        lock(&self.user).clone()
    }

    fn now(&self) -> u64 {
        self.options.clock.unix_secs()
    }

    fn emit(&self, event: Event) {
        self.tracker.bus().emit(event);
    }

    fn client_type(&self) -> Result<ClientType, Error> {
        ClientType::from_platform(&self.config.platform).ok_or_else(|| {
            Error::invalid_input(format!("NetEase has no client type for the platform {:?}", self.config.platform))
        })
    }

    pub(crate) fn set_link(&self, conn: Option<Arc<Connection>>) {
        *lock(&self.link) = conn;
    }

    /// Ends the link for good with `why`: the event, the store, the user.
    pub(crate) fn finish(&self, user: &str, why: Disconnect) {
        if let Some(conn) = lock(&self.link).take() {
            conn.close();
        }
        lock(&self.ports).clear();
        if let Some(store) = &self.options.store {
            if let Err(e) = record_disconnect(store.as_ref(), VENDOR, user, &why) {
                tracing::warn!("could not update the session store: {e}");
            }
        }
        *lock(&self.user) = None;
        self.tracker.disconnect(why);
    }

    /// Saves the login for [`Session::resume`].
    pub(crate) fn save_login(&self, user: &str, token: &Secret) {
        if let Some(store) = &self.options.store {
            let credentials = Credentials::Token { user: user.to_owned(), token: token.clone() };
            let saved = SavedLogin { vendor: VENDOR.to_owned(), credentials, saved_at: self.now() };
            if let Err(e) = store.put(StoreEntry::Saved(saved)) {
                tracing::warn!("could not save the login: {e}");
            }
        }
    }

    /// One `2_3` login on the first of `links` that answers; `app_login`
    /// false for an automatic re-login.
    pub(crate) async fn attempt(
        &self,
        accid: &str,
        token: &Secret,
        links: &[String],
        app_login: bool,
        events: mpsc::UnboundedSender<(u64, LinkEvent)>,
        on_auth: impl Fn(),
    ) -> Result<LoggedIn, Failure> {
        let client_type = self.client_type().map_err(|e| {
            let why = Disconnect::new(DisconnectReason::Other);
            Failure::Refused(e, Box::new(why))
        })?;
        let target = Target {
            app_key: &self.config.app_key,
            accid,
            token,
            dynamic: token_lifetime(token).is_some(),
            client_type,
            device_id: &self.device_id,
            session_tag: &self.session_tag,
            app_login,
            secure: self.config.secure,
            timeout: self.options.request_timeout,
            ports: Arc::clone(&self.ports),
        };
        handshake::login(&target, links, Arc::clone(&self.framing), Arc::clone(&self.ser), events, on_auth).await
    }

    /// Makes an accepted login the session's link, with its loginPorts.
    pub(crate) fn adopt(&self, logged_in: &LoggedIn) {
        lock(&self.ports).reset(&logged_in.ports, logged_in.connection_id.as_deref());
        self.set_link(Some(Arc::clone(&logged_in.conn)));
    }

    /// The sync after a login: `Syncing` and [`Event::SyncStarted`], the
    /// `5_1` round trip, the messages pushed before its reply (`4_4`, and any
    /// `7_2` that came meanwhile) announced in order, then
    /// [`Event::SyncFinished`]. Returns the link's other events received
    /// meanwhile, for the supervisor. A kick pushed before a failed sync is
    /// the reason it failed.
    pub(crate) async fn run_sync(
        &self,
        conn: &Connection,
        events: &mut mpsc::UnboundedReceiver<(u64, LinkEvent)>,
    ) -> Result<Vec<LinkEvent>, Failure> {
        self.tracker.set(ConnectionState::Syncing);
        self.emit(Event::SyncStarted);
        match handshake::sync(conn, self.options.request_timeout).await {
            Ok(()) => {
                // The reader queued every push before it handed over the
                // reply. A 7_2 sent between the login and the 4_4 may be newer
                // than the 4_4's messages: all are announced in their order.
                let mut backlog = Vec::new();
                let mut msgs = Vec::new();
                while let Ok((id, event)) = events.try_recv() {
                    match event {
                        _ if id != conn.id => {}
                        LinkEvent::Push(push) => match self.messages_of(&push) {
                            Some(some) => msgs.extend(some),
                            None => backlog.push(LinkEvent::Push(push)),
                        },
                        other => backlog.push(other),
                    }
                }
                msgs.sort_by_key(messaging::key);
                self.take_in(conn, msgs);
                self.emit(Event::SyncFinished);
                Ok(backlog)
            }
            Err(e) => {
                conn.close();
                match pending_kick(events, conn.id) {
                    Some(why) => Err(Failure::Refused(handshake::kick_error(&why), Box::new(why))),
                    None => Err(Failure::Network(e)),
                }
            }
        }
    }

    /// LBS, link and login, retrying the connection per the policy (never
    /// a refused login: the SDK does not retry one either), then the sync.
    async fn connect(self: &Arc<Self>, accid: &str, token: &Secret) -> Result<Supervisor, (Error, Disconnect)> {
        let policy = self.options.reconnect;
        let attempts = policy.max_attempts.max(1);
        let (events_tx, mut events_rx) = mpsc::unbounded_channel();
        let mut links: Vec<String> = Vec::new();
        let mut last = None;
        for attempt in 1..=attempts {
            if attempt > 1 {
                self.options.clock.sleep(policy.delay(attempt)).await;
            }
            self.tracker.set(ConnectionState::Connecting);
            if links.is_empty() {
                match handshake::links(
                    &self.config.lbs_url,
                    &self.config.app_key,
                    accid,
                    self.config.default_link.as_deref(),
                    self.options.request_timeout,
                )
                .await
                {
                    Ok(found) => links = found,
                    Err(e) if e.kind == ErrorKind::InvalidInput => {
                        return Err((e, Disconnect::new(DisconnectReason::Other)))
                    }
                    Err(e) => {
                        last = Some(e);
                        continue;
                    }
                }
            }
            let result = self
                .attempt(accid, token, &links, true, events_tx.clone(), || {
                    self.tracker.set(ConnectionState::Authenticating);
                })
                .await;
            match result {
                Ok(logged_in) => {
                    self.adopt(&logged_in);
                    let backlog = self.run_sync(&logged_in.conn, &mut events_rx).await.map_err(Failure::into_parts)?;
                    return Ok(Supervisor::new(
                        Arc::clone(self),
                        accid.to_owned(),
                        token.clone(),
                        logged_in.conn,
                        links,
                        (events_tx, events_rx),
                        backlog,
                    ));
                }
                Err(Failure::Network(e)) => last = Some(e),
                Err(refused) => return Err(self.expired_or(token, refused.into_parts())),
            }
        }
        let detail = last.map(|e| e.message).unwrap_or_default();
        let e = Error::unavailable(format!("could not reach NetEase after {attempts} attempt(s): {detail}"));
        Err((e, Disconnect::new(DisconnectReason::Network)))
    }

    /// A refused login, unless it is a 302 for a dynamic token that has
    /// expired by the session's clock: then the server refused it for its
    /// age (netease.md 8), which is `CredentialExpired`, the code kept.
    fn expired_or(&self, token: &Secret, (error, why): (Error, Disconnect)) -> (Error, Disconnect) {
        let expired = token_lifetime(token).is_some_and(|l| l.is_expired_at(self.now()));
        if !expired || why.reason != DisconnectReason::AuthFailed {
            return (error, why);
        }
        let mut e =
            Error::new(ErrorKind::CredentialExpired, "the dynamic token has expired (its curTime + ttl is past)");
        e.vendor = error.vendor;
        let mut expired_why = Disconnect::new(DisconnectReason::CredentialExpired);
        expired_why.vendor = why.vendor;
        (e, expired_why)
    }

    /// The other devices as of now: a `1_2` round trip first, so that every
    /// `2_7` the server sent before it is applied.
    async fn current_ports(&self) -> Result<Vec<Device>, Error> {
        self.live_link()?.heartbeat(self.options.request_timeout).await?;
        Ok(lock(&self.ports).list())
    }

    /// The live link; `InvalidState` when logged out, `Unavailable` while reconnecting.
    fn live_link(&self) -> Result<Arc<Connection>, Error> {
        lock(&self.link).clone().ok_or_else(|| match self.tracker.get() {
            ConnectionState::Reconnecting { .. } => Error::unavailable("the link is down; the session is reconnecting"),
            _ => Error::invalid_state("not logged in"),
        })
    }

    /// Sends `2_8` with `device_ids`; the ids the server kicked.
    async fn kick(&self, device_ids: Vec<String>) -> Result<Vec<String>, Error> {
        let conn = self.live_link()?;
        let reply = conn.request(cmd::KICK, vec![Param::str_array(device_ids)], self.options.request_timeout).await?;
        if reply.code != crate::error::code::OK {
            return Err(crate::error::error_from_api(reply.code, "2_8 kick refused"));
        }
        let kicked = match reply.value(0) {
            Ok(v) => Param { t: "StrArray".into(), v: v.clone() }
                .as_strings()
                .map_err(|e| Error::protocol(format!("the 2_8 reply is malformed: {e}")))?,
            Err(_) => Vec::new(),
        };
        lock(&self.ports).remove_ids(&kicked);
        Ok(kicked)
    }
}

/// A `2_5` kick of connection `conn_id` already waiting in `events`.
pub(crate) fn pending_kick(events: &mut mpsc::UnboundedReceiver<(u64, LinkEvent)>, conn_id: u64) -> Option<Disconnect> {
    while let Ok((id, event)) = events.try_recv() {
        if let (true, LinkEvent::Push(push)) = (id == conn_id, event) {
            if push.command == cmd::KICKED {
                return Some(handshake::kick_of(&push));
            }
        }
    }
    None
}

/// Ends a login whose caller gave up on it (its future was dropped before it
/// finished): the session goes back to logged out instead of staying
/// `Connecting` or `Authenticating`. The store is left alone: nobody logged out.
struct Abandoned<'a> {
    inner: &'a Inner,
    armed: bool,
}

impl Drop for Abandoned<'_> {
    fn drop(&mut self) {
        if self.armed {
            if let Some(conn) = lock(&self.inner.link).take() {
                conn.close();
            }
            lock(&self.inner.ports).clear();
            *lock(&self.inner.user) = None;
            self.inner.tracker.disconnect(Disconnect::new(DisconnectReason::Requested));
        }
    }
}

#[async_trait]
impl Session for NeteaseSession {
    fn vendor(&self) -> &'static str {
        VENDOR
    }

    fn capabilities(&self) -> Capabilities {
        capabilities()
    }

    async fn login(&self, credentials: Credentials) -> Result<(), Error> {
        let (accid, token) = check_credentials(&credentials)?;
        let inner = &self.inner;
        inner.client_type()?;
        let _ticket = inner.logging_in.enter()?;
        let mut control = inner.control.lock().await;
        Running::stop(&mut control).await;
        *lock(&inner.user) = Some(accid.clone());
        lock(&inner.chats).for_user(&accid);
        let mut abandoned = Abandoned { inner, armed: true };
        let result = inner.connect(&accid, &token).await;
        abandoned.armed = false;
        match result {
            Ok(supervisor) => {
                inner.save_login(&accid, &token);
                inner.tracker.set(ConnectionState::Connected);
                let running = Running::spawn(|stop| supervise(supervisor, stop));
                *lock(&inner.abort) = Some(running.abort_handle());
                *control = Some(running);
                Ok(())
            }
            Err((error, why)) => {
                inner.finish(&accid, why);
                Err(error)
            }
        }
    }

    async fn resume(&self) -> Result<(), Error> {
        let store =
            self.inner.options.store.as_ref().ok_or_else(|| {
                Error::invalid_state("this session has no session store, so there is nothing to resume")
            })?;
        let credentials = resume_credentials(store.as_ref(), VENDOR)?;
        // A saved dynamic token may have expired meanwhile: a provider brings
        // a fresh one rather than a login the server would refuse with 302.
        let expired = token_lifetime(credentials.secret()).is_some_and(|l| l.is_expired_at(self.inner.now()));
        match (&self.inner.options.credential_provider, expired) {
            (Some(provider), true) => {
                let (accid, _) = check_credentials(&credentials)?;
                let fresh = provider.fresh_credentials(&accid, unim_core::RenewReason::Expired).await?;
                if check_credentials(&fresh)?.0 != accid {
                    return Err(Error::invalid_input(format!(
                        "the credential provider returned credentials for {}, not {accid}",
                        fresh.user()
                    )));
                }
                self.login(fresh).await
            }
            _ => self.login(credentials).await,
        }
    }

    async fn logout(&self) -> Result<(), Error> {
        let mut control = self.inner.control.lock().await;
        Running::stop(&mut control).await;
        Ok(())
    }

    fn events(&self) -> EventStream {
        self.inner.tracker.bus().subscribe()
    }

    fn state(&self) -> ConnectionState {
        self.inner.tracker.get()
    }

    fn current_user(&self) -> Option<String> {
        self.inner.user()
    }

    fn device(&self) -> Device {
        Device {
            platform: self.inner.config.platform.clone(),
            id: Some(self.inner.device_id.clone()),
            name: Some(std::env::consts::OS.to_owned()),
        }
    }

    /// A `1_2` heartbeat round trip.
    async fn ping(&self) -> Result<(), Error> {
        let conn = self.inner.live_link()?;
        conn.heartbeat(self.inner.options.request_timeout).await
    }

    /// The other online devices from the login's loginPorts and the `2_7`
    /// pushes since (netease.md 4.5).
    async fn other_devices(&self) -> Result<Vec<Device>, Error> {
        self.inner.current_ports().await
    }

    /// `2_8` with the device's id (netease.md 6.2); the kicked device ends
    /// with `KickedByOwnDevice`. `NotFound` when no such device is online.
    async fn kick_device(&self, device: &Device) -> Result<(), Error> {
        let id = device
            .id
            .as_deref()
            .filter(|id| !id.is_empty())
            .ok_or_else(|| Error::invalid_input("the device to kick has no id (its NetEase deviceId)"))?;
        if id == self.inner.device_id {
            return Err(Error::invalid_input("a session cannot kick its own device; log out instead"));
        }
        let user = self.inner.user().unwrap_or_default();
        let online = self.inner.current_ports().await?.iter().any(|d| d.id.as_deref() == Some(id));
        if !online {
            return Err(Error::new(ErrorKind::NotFound, format!("no device {id} of {user} is online")));
        }
        let kicked = self.inner.kick(vec![id.to_owned()]).await?;
        if kicked.iter().any(|k| k == id) {
            Ok(())
        } else {
            Err(Error::new(ErrorKind::NotFound, format!("no device {id} of {user} is online")))
        }
    }

    /// `7_1` with the client id as idClient; a resend of the same client id
    /// is answered with the first copy (stored and delivered once).
    async fn send(&self, message: &OutgoingMessage) -> Result<Message, Error> {
        self.inner.send_message(message).await
    }

    /// The server's session list (`7_19`) with the last messages; unread
    /// counts are this session's own (see [`crate::capabilities`]).
    async fn conversations(&self) -> Result<Vec<Conversation>, Error> {
        self.inner.conversations().await
    }

    /// `7_16` markSessionAck; the unread count drops to 0.
    async fn mark_read(&self, conversation: &ConversationId) -> Result<(), Error> {
        self.inner.mark_read(conversation).await
    }

    /// `7_6` getHistoryMsgs, backwards (at most 100 a page).
    async fn history(
        &self,
        conversation: &ConversationId,
        older: Option<&HistoryCursor>,
        limit: usize,
    ) -> Result<HistoryPage, Error> {
        self.inner.history(conversation, older, limit).await
    }

    /// `7_22` deleteServerSessions; the history stays.
    async fn delete_conversation(&self, conversation: &ConversationId) -> Result<(), Error> {
        self.inner.delete_conversation(conversation).await
    }

    /// `8_1` createTeam (docs/protocols/netease.md "Teams"); every (kind,
    /// policy) pair maps to NetEase's modes.
    async fn create_group(&self, spec: &GroupSpec) -> Result<Group, Error> {
        self.inner.create_team(spec).await
    }

    /// `8_9` getTeam.
    async fn group_info(&self, group: &str) -> Result<Group, Error> {
        self.inner.team_info(group).await
    }

    /// `8_7` updateTeam.
    async fn update_group(&self, group: &str, update: &GroupUpdate) -> Result<(), Error> {
        self.inner.update_team(group, update).await
    }

    /// `8_11` to tell who is in, then `8_5` addTeamMembers in batches of 200.
    async fn add_group_members(&self, group: &str, users: &[String]) -> Result<Vec<BatchItem>, Error> {
        self.inner.add_team_members(group, users).await
    }

    /// `8_6` removeTeamMembers.
    async fn remove_group_members(&self, group: &str, users: &[String]) -> Result<(), Error> {
        self.inner.remove_team_members(group, users).await
    }

    /// `8_13` applyTeam (808 = pending).
    async fn join_group(&self, group: &str, message: Option<&str>) -> Result<JoinOutcome, Error> {
        self.inner.apply_team(group, message).await
    }

    /// `8_14` passTeamApply / `8_15` rejectTeamApply.
    async fn decide_join(&self, group: &str, applicant: &str, accept: bool) -> Result<(), Error> {
        self.inner.decide_team_apply(group, applicant, accept).await
    }

    /// `8_8` leaveTeam (the owner is refused with 802).
    async fn leave_group(&self, group: &str) -> Result<(), Error> {
        self.inner.leave_or_dismiss(group, false).await
    }

    /// `8_12` dismissTeam.
    async fn dismiss_group(&self, group: &str) -> Result<(), Error> {
        self.inner.leave_or_dismiss(group, true).await
    }

    /// `8_11` getTeamMembers, paged here in join order.
    async fn group_members(
        &self,
        group: &str,
        cursor: Option<&MemberCursor>,
        limit: usize,
    ) -> Result<MemberPage, Error> {
        self.inner.team_members(group, cursor, limit).await
    }

    /// `8_16` addTeamManagers / `8_17` removeTeamManagers.
    async fn set_group_role(&self, group: &str, user: &str, role: Role) -> Result<(), Error> {
        self.inner.set_team_role(group, user, role).await
    }

    /// `8_18` transferTeam (the old owner stays).
    async fn transfer_group(&self, group: &str, new_owner: &str) -> Result<(), Error> {
        self.inner.transfer_team(group, new_owner).await
    }

    /// `8_25` updateMuteStateInTeam with the length in seconds.
    async fn mute_group_member(&self, group: &str, user: &str, duration: MuteDuration) -> Result<(), Error> {
        self.inner.mute_team_member(group, user, duration).await
    }

    /// `8_10` getTeams.
    async fn joined_groups(&self) -> Result<Vec<Group>, Error> {
        self.inner.my_teams().await
    }

    /// `2_8` with every other device's id; how many the server kicked.
    async fn kick_other_devices(&self) -> Result<usize, Error> {
        let mut ids: Vec<String> = self
            .inner
            .current_ports()
            .await?
            .into_iter()
            .filter_map(|d| d.id)
            .filter(|id| *id != self.inner.device_id)
            .collect();
        ids.sort();
        ids.dedup();
        if ids.is_empty() {
            return Ok(0);
        }
        Ok(self.inner.kick(ids).await?.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_no_secrets_and_devices_are_web_by_default() {
        let s = NeteaseSession::new(
            NeteaseSessionConfig::new("http://127.0.0.1:1/lbs/webconf.jsp", "appkey").with_device_id("dev-1"),
            SessionOptions::default(),
        );
        let d = s.device();
        assert_eq!((d.platform, d.id.as_deref()), (Platform::Web, Some("dev-1")));
        assert_eq!(s.state(), ConnectionState::Disconnected);
        assert_eq!(s.inner.session_tag.len(), 32);
        let printed = format!("{s:?}");
        assert!(printed.contains("appkey") && printed.contains("dev-1"), "{printed}");
        let mobile =
            NeteaseSession::new(NeteaseSessionConfig::new("x", "k").on(Platform::Android), SessionOptions::default());
        assert_eq!(mobile.device().platform, Platform::Android);
        assert_ne!(
            mobile.device().id,
            NeteaseSession::new(NeteaseSessionConfig::new("x", "k"), Default::default()).device().id
        );
    }
}
