//! The user's side over Easemob's msync web client protocol: [`EasemobSession`].
//!
//! A password login first asks the REST API for a user token (`POST
//! /{org}/{app}/token`, `grant_type=password`); a token login skips that.
//! Then a WebSocket opens at `ws_url` and sends `PROVISION` with `$t$<token>`
//! and the session's resource (docs/protocols/easemob.md sections 2 to 4).
//! After the login the session sends `UNREAD` and pulls every queue it
//! names (the offline sync, [`unim_core::Event::SyncStarted`] /
//! [`unim_core::Event::SyncFinished`]); a supervisor task then sends `UNREAD`
//! as the heartbeat every 30 s, pulls the queues that `NOTICE`s name, ends
//! the session on the STATISTIC metas that carry kicks, reconnects after a
//! dropped link (a new `PROVISION` with the same token and resource), and
//! warns about and renews the token at 80% of its lifetime.
//!
//! Messages (docs/protocols/easemob.md 16): sends are SYNC metas acked by
//! meta id (`chat.rs`); pulled chat metas become
//! [`unim_core::Event::MessageReceived`], once per server id; mark-read is
//! the SDK's `channel` message; the conversation list, history and delete
//! are the SDK's user-token REST calls (`conversations.rs`).
//!
//! Groups (docs/protocols/easemob.md, "Groups"): management is the SDK's
//! `chatgroups` REST calls with the user token (`groups.rs`); group messages
//! are chat metas to the group's JID with a `GROUPCHAT` body, received from
//! the group's queue like any other; the `MUC` metas in that queue become
//! [`unim_core::Event::Group`] (`group_events.rs`).

mod chat;
mod connection;
mod conversations;
mod devices;
mod group_events;
mod groups;
mod handshake;
mod supervisor;

pub(crate) use crate::error::code;

use crate::link::{message_body, CommSyncDl, CommSyncUl, Jid, MSync, Meta};
use crate::messages::{meta_id_for, to_pb, to_pb_with_client_id};
use crate::rest::AppKey;
use crate::user_id::normalize_username;
use crate::{capabilities, VENDOR};
use async_trait::async_trait;
use connection::Connection;
use std::sync::{Arc, Mutex};
use supervisor::Supervisor;
use tokio::sync::{mpsc, oneshot};
use unim_core::supervise::{supervise, LoginGate, Running};
use unim_core::{
    record_disconnect, resume_credentials, BatchItem, Capabilities, ConnectionState, Conversation, ConversationId,
    ConversationKind, CredentialLifetime, Credentials, Device, Direction, Disconnect, DisconnectReason, Error,
    ErrorKind, Event, EventBus, EventStream, Group, GroupSpec, GroupUpdate, HistoryCursor, HistoryPage, JoinOutcome,
    MemberCursor, MemberPage, Message, MessageStatus, MuteDuration, OutgoingMessage, Platform, RenewReason, Role,
    SavedLogin, Secret, Session, SessionOptions, StateTracker, StoreEntry,
};

/// Where an [`EasemobSession`] connects.
#[derive(Debug, Clone)]
pub struct EasemobSessionConfig {
    /// The REST base (the SDK's `apiUrl`): the emulator's `rest_url`, or an
    /// Easemob REST host such as `https://a1.easemob.com`.
    pub rest_url: String,
    /// The WebSocket URL, used verbatim (the SDK's `url`).
    pub ws_url: String,
    /// The app key, `org_name#app_name`.
    pub app_key: String,
    /// The login's resource (the device id, `MSync.guid.clientResource`);
    /// a random `webim_web_…` one when `None`. A login with the same
    /// resource is the same device coming back, not another device.
    pub resource: Option<String>,
}

impl EasemobSessionConfig {
    /// A config for `rest_url`, `ws_url` and `app_key` with a random resource.
    pub fn new(rest_url: impl Into<String>, ws_url: impl Into<String>, app_key: impl Into<String>) -> Self {
        EasemobSessionConfig {
            rest_url: rest_url.into(),
            ws_url: ws_url.into(),
            app_key: app_key.into(),
            resource: None,
        }
    }
}

/// An Easemob user session over the msync web client protocol.
pub struct EasemobSession {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for EasemobSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EasemobSession")
            .field("ws_url", &self.inner.config.ws_url)
            .field("app_key", &self.inner.config.app_key)
            .field("resource", &self.inner.resource)
            .field("user", &self.inner.user())
            .field("state", &self.inner.tracker.get())
            .finish()
    }
}

pub(crate) struct Inner {
    config: EasemobSessionConfig,
    options: SessionOptions,
    resource: String,
    tracker: StateTracker,
    logging_in: LoginGate,
    control: tokio::sync::Mutex<Option<Running>>,
    user: Mutex<Option<String>>,
    /// The user token in use while logged in (for the device REST calls).
    token: Mutex<Option<Secret>>,
    link: Mutex<Option<Arc<Connection>>>,
    abort: Mutex<Option<tokio::task::AbortHandle>>,
    /// Pings waiting for the next `UNREAD` reply.
    pongs: Mutex<Vec<oneshot::Sender<()>>>,
    /// Sends and channel acks waiting for the server's ack.
    pending: Mutex<chat::Pending>,
    /// Server ids of the messages already announced.
    seen: Mutex<chat::Seen>,
    /// The REST client of the group calls.
    groups: groups::GroupRest,
}

impl EasemobSession {
    /// A logged-out session.
    pub fn new(config: EasemobSessionConfig, options: SessionOptions) -> Self {
        let resource =
            config.resource.clone().unwrap_or_else(|| format!("webim_web_unim{:016x}", rand::random::<u64>()));
        let inner = Inner {
            config,
            options,
            resource,
            tracker: StateTracker::new(EventBus::new()),
            logging_in: LoginGate::new(),
            control: tokio::sync::Mutex::new(None),
            user: Mutex::new(None),
            token: Mutex::new(None),
            link: Mutex::new(None),
            abort: Mutex::new(None),
            pongs: Mutex::new(Vec::new()),
            pending: Mutex::new(chat::Pending::default()),
            seen: Mutex::new(chat::Seen::default()),
            groups: groups::GroupRest::default(),
        };
        EasemobSession { inner: Arc::new(inner) }
    }
}

impl Drop for EasemobSession {
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

/// Checks credentials for this vendor before anything is sent: a password
/// or a token, for a valid username (returned normalized).
pub(crate) fn check_credentials(credentials: &Credentials) -> Result<String, Error> {
    if !matches!(credentials, Credentials::Password { .. } | Credentials::Token { .. }) {
        return Err(Error::invalid_input(format!(
            "Easemob logs in with a password or a user token, not {:?} credentials",
            credentials.kind()
        )));
    }
    let user = normalize_username(credentials.user())?;
    if credentials.secret().is_empty() {
        return Err(Error::invalid_input(format!("the {:?} is empty", credentials.kind())));
    }
    Ok(user)
}

/// A user token and what is known of its lifetime.
pub(crate) struct Token {
    pub(crate) token: Secret,
    pub(crate) lifetime: Option<CredentialLifetime>,
}

impl Inner {
    fn user(&self) -> Option<String> {
        lock(&self.user).clone()
    }

    fn now(&self) -> u64 {
        self.options.clock.unix_secs()
    }

    fn now_ms(&self) -> u64 {
        self.options.clock.now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
    }

    pub(crate) fn set_link(&self, conn: Option<Arc<Connection>>) {
        *lock(&self.link) = conn;
    }

    /// Ends the link for good with `why`: the event, the store, the user.
    pub(crate) fn finish(&self, user: &str, why: Disconnect) {
        if let Some(conn) = lock(&self.link).take() {
            conn.close();
        }
        lock(&self.pongs).clear();
        lock(&self.pending).clear();
        if let Some(store) = &self.options.store {
            if let Err(e) = record_disconnect(store.as_ref(), VENDOR, user, &why) {
                tracing::warn!("could not update the session store: {e}");
            }
        }
        *lock(&self.user) = None;
        *lock(&self.token) = None;
        self.tracker.disconnect(why);
    }

    /// Saves the login for [`Session::resume`]: always as the user token in
    /// use, never as a password, so no password rests in the store.
    pub(crate) fn save_login(&self, user: &str, token: &Secret) {
        *lock(&self.token) = Some(token.clone());
        if let Some(store) = &self.options.store {
            let credentials = Credentials::Token { user: user.to_owned(), token: token.clone() };
            let saved = SavedLogin { vendor: VENDOR.to_owned(), credentials, saved_at: self.now() };
            if let Err(e) = store.put(StoreEntry::Saved(saved)) {
                tracing::warn!("could not save the login: {e}");
            }
        }
    }

    /// Answers the pings waiting for an `UNREAD` reply.
    pub(crate) fn pong(&self) {
        for waiter in lock(&self.pongs).drain(..) {
            let _ = waiter.send(());
        }
    }

    /// The token for `credentials` (checked, `user` normalized): a password
    /// is exchanged for one at the REST API; a token is used as it is.
    pub(crate) async fn token_for(&self, user: &str, credentials: &Credentials) -> Result<Token, (Error, Disconnect)> {
        match credentials {
            Credentials::Password { password, .. } => {
                let app_key =
                    AppKey::parse(&self.config.app_key).map_err(|e| (e, Disconnect::new(DisconnectReason::Other)))?;
                let granted = handshake::password_grant(
                    &self.config.rest_url,
                    &app_key,
                    user,
                    password,
                    self.now_ms(),
                    self.options.request_timeout,
                )
                .await
                .map_err(|e| {
                    let why = handshake::grant_disconnect(&e);
                    (e, why)
                })?;
                let now = self.now();
                let lifetime = (granted.expires_in > 0)
                    .then(|| CredentialLifetime { issued_at: now, expires_at: now.saturating_add(granted.expires_in) });
                Ok(Token { token: granted.token, lifetime })
            }
            other => Ok(Token { token: other.secret().clone(), lifetime: None }),
        }
    }

    /// Hands a SYNC ack to the send waiting for it.
    pub(crate) fn acked(&self, dl: &CommSyncDl) {
        lock(&self.pending).ack(dl);
    }

    /// Fails the sends waiting for an ack: their link is gone.
    pub(crate) fn drop_pending(&self) {
        lock(&self.pending).clear();
    }

    /// Announces the message of a pulled chat meta, once per server id.
    pub(crate) fn received(&self, meta: &Meta, user: &str) {
        let Some(message) = chat::message_of(meta, user) else {
            tracing::debug!("a chat meta that is not a one-to-one or group text or custom message is skipped");
            return;
        };
        let Some(id) = meta.id else { return };
        if lock(&self.seen).first_time(id) {
            self.tracker.bus().emit(Event::MessageReceived { message: Box::new(message) });
        } else {
            tracing::debug!(id, "a message already announced came again; dropped");
        }
    }

    /// Announces the group events of a pulled `MUC` meta.
    pub(crate) fn group_notice(&self, meta: &Meta, user: &str) {
        for change in group_events::events_of(meta, user) {
            self.tracker.bus().emit(Event::Group { change });
        }
    }

    /// Sends the chat meta `meta` and waits for its ack (`InvalidState` when
    /// logged out, `Unavailable` while reconnecting, `Timeout` without an ack).
    async fn sync_send(&self, meta: Meta) -> Result<CommSyncDl, Error> {
        self.logged_in()?;
        let conn = lock(&self.link)
            .clone()
            .ok_or_else(|| Error::unavailable("the link is down; the session is reconnecting"))?;
        let meta_id = meta.id.unwrap_or(0);
        let ack = lock(&self.pending).wait(meta_id);
        conn.send(&MSync::sync_up(&CommSyncUl::send(meta)))?;
        match tokio::time::timeout(self.options.request_timeout, ack).await {
            Ok(Ok(dl)) if dl.status.as_ref().is_some_and(|s| s.is_ok()) => Ok(dl),
            Ok(Ok(dl)) => Err(chat::send_refusal(&dl)),
            Ok(Err(_)) => Err(Error::unavailable("the link ended before the server acknowledged the message")),
            Err(_) => Err(Error::timeout(format!(
                "no acknowledgement within {:?}; retry with the same client id",
                self.options.request_timeout
            ))),
        }
    }

    /// The conversation normalized: a user name in lower case, or a group
    /// id (decimal digits) checked.
    fn normalized(conversation: &ConversationId) -> Result<ConversationId, Error> {
        match conversation.kind {
            ConversationKind::Direct => Ok(ConversationId::direct(normalize_username(&conversation.peer)?)),
            ConversationKind::Group => {
                crate::rest::groups::check_group_id(&conversation.peer)?;
                Ok(conversation.clone())
            }
        }
    }

    /// The JID a meta to `conversation` (normalized) is addressed to.
    fn jid_of(&self, conversation: &ConversationId) -> Jid {
        match conversation.kind {
            ConversationKind::Direct => Jid::user(&self.config.app_key, &conversation.peer),
            ConversationKind::Group => Jid::group(&self.config.app_key, &conversation.peer),
        }
    }

    /// The token's lifetime as the `PROVISION` reply tells it (absolute Unix
    /// ms), else as it was known before.
    pub(crate) fn lifetime_from(
        &self,
        expires_at_ms: Option<u64>,
        known: Option<CredentialLifetime>,
    ) -> Option<CredentialLifetime> {
        match expires_at_ms {
            Some(ms) => Some(CredentialLifetime { issued_at: self.now(), expires_at: ms / 1000 }),
            None => known,
        }
    }

    /// The user and token of a live login; `InvalidState` otherwise.
    fn logged_in(&self) -> Result<(String, Secret), Error> {
        if !matches!(self.tracker.get(), ConnectionState::Connected | ConnectionState::Reconnecting { .. }) {
            return Err(Error::invalid_state("not logged in"));
        }
        match (self.user(), lock(&self.token).clone()) {
            (Some(user), Some(token)) => Ok((user, token)),
            _ => Err(Error::invalid_state("not logged in")),
        }
    }

    fn device_api<'a>(&'a self, user: &'a str, token: &'a Secret) -> devices::DeviceApi<'a> {
        devices::DeviceApi {
            rest_url: &self.config.rest_url,
            app_key: &self.config.app_key,
            user,
            token,
            timeout: self.options.request_timeout,
        }
    }

    pub(crate) fn target<'a>(&'a self, user: &'a str, token: &'a Secret) -> handshake::Target<'a> {
        handshake::Target {
            ws_url: &self.config.ws_url,
            app_key: &self.config.app_key,
            user,
            token,
            resource: &self.resource,
            timeout: self.options.request_timeout,
        }
    }

    /// Gets the token, opens a link and logs in, retrying the connection per
    /// the policy (never the login itself: a refusal will not change by
    /// retrying), then runs the offline sync.
    async fn connect(
        self: &Arc<Self>,
        user: &str,
        credentials: &Credentials,
    ) -> Result<Supervisor, (Error, Disconnect)> {
        self.tracker.set(ConnectionState::Connecting);
        let token = self.token_for(user, credentials).await?;
        let policy = self.options.reconnect;
        let attempts = policy.max_attempts.max(1);
        let (events_tx, events_rx) = mpsc::unbounded_channel();
        let mut last = None;
        for attempt in 1..=attempts {
            if attempt > 1 {
                self.options.clock.sleep(policy.delay(attempt)).await;
            }
            self.tracker.set(ConnectionState::Connecting);
            let target = self.target(user, &token.token);
            match handshake::login(&target, events_tx.clone(), || {
                self.tracker.set(ConnectionState::Authenticating);
            })
            .await
            {
                Ok(logged_in) => {
                    let lifetime = self.lifetime_from(logged_in.expires_at_ms, token.lifetime);
                    let mut supervisor = Supervisor::new(
                        Arc::clone(self),
                        user.to_owned(),
                        token.token,
                        lifetime,
                        logged_in.conn,
                        events_tx,
                        events_rx,
                    );
                    supervisor.initial_sync().await.map_err(handshake::Failure::into_parts)?;
                    return Ok(supervisor);
                }
                Err(handshake::Failure::Network(e)) => last = Some(e),
                Err(refused) => return Err(refused.into_parts()),
            }
        }
        let detail = last.map(|e| e.message).unwrap_or_default();
        let e = Error::unavailable(format!(
            "could not reach Easemob at {} after {attempts} attempt(s): {detail}",
            self.config.ws_url
        ));
        Err((e, Disconnect::new(DisconnectReason::Network)))
    }
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
            *lock(&self.inner.user) = None;
            *lock(&self.inner.token) = None;
            self.inner.tracker.disconnect(Disconnect::new(DisconnectReason::Requested));
        }
    }
}

#[async_trait]
impl Session for EasemobSession {
    fn vendor(&self) -> &'static str {
        VENDOR
    }

    fn capabilities(&self) -> Capabilities {
        capabilities()
    }

    async fn login(&self, credentials: Credentials) -> Result<(), Error> {
        let user = check_credentials(&credentials)?;
        let inner = &self.inner;
        let _ticket = inner.logging_in.enter()?;
        let mut control = inner.control.lock().await;
        Running::stop(&mut control).await;
        *lock(&inner.user) = Some(user.clone());
        let mut abandoned = Abandoned { inner, armed: true };
        let result = inner.connect(&user, &credentials).await;
        abandoned.armed = false;
        match result {
            Ok(supervisor) => {
                inner.save_login(credentials.user(), supervisor.token());
                inner.tracker.set(ConnectionState::Connected);
                let running = Running::spawn(|stop| supervise(supervisor, stop));
                *lock(&inner.abort) = Some(running.abort_handle());
                *control = Some(running);
                Ok(())
            }
            Err((error, why)) => {
                inner.finish(&user, why);
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
        let user = credentials.user().to_owned();
        match self.login(credentials).await {
            // An Easemob token is opaque: only the server can say it expired.
            // Then a provider may still bring a fresh one.
            Err(e) if e.kind == ErrorKind::CredentialExpired => {
                let Some(provider) = self.inner.options.credential_provider.clone() else { return Err(e) };
                let fresh = provider.fresh_credentials(&user, RenewReason::Expired).await?;
                if normalize_username(fresh.user())? != normalize_username(&user)? {
                    return Err(Error::invalid_input(format!(
                        "the credential provider returned credentials for {}, not {user}",
                        fresh.user()
                    )));
                }
                self.login(fresh).await
            }
            other => other,
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
        Device::new(Platform::Web).with_id(self.inner.resource.clone())
    }

    /// The user's other online devices: `GET /users/{u}/resources` with the
    /// session's user token, minus this device (docs/protocols/easemob.md 2.5).
    async fn other_devices(&self) -> Result<Vec<Device>, Error> {
        let (user, token) = self.inner.logged_in()?;
        let listed = self.inner.device_api(&user, &token).list().await?;
        Ok(devices::others(listed, &self.inner.resource))
    }

    /// Kicks one other device of the user (`DELETE
    /// /users/{u}/disconnect/{resource}` with the user token, as the native
    /// SDKs' `kickDevice`, easemob.md 6.3); it ends with 217
    /// `KickedByOwnDevice`. `NotFound` when no such device is online.
    async fn kick_device(&self, device: &Device) -> Result<(), Error> {
        let res = device
            .id
            .as_deref()
            .filter(|id| !id.is_empty())
            .ok_or_else(|| Error::invalid_input("the device to kick has no id (its Easemob resource)"))?;
        if res == self.inner.resource {
            return Err(Error::invalid_input("a session cannot kick its own device; log out instead"));
        }
        let (user, token) = self.inner.logged_in()?;
        if self.inner.device_api(&user, &token).kick(res).await? {
            Ok(())
        } else {
            Err(Error::new(ErrorKind::NotFound, format!("no device {res} of {user} is online")))
        }
    }

    /// Kicks every other online device of the user, one `DELETE
    /// /users/{u}/disconnect/{resource}` apiece (`GET /users/{u}/disconnect`,
    /// the SDKs' `kickAllDevices`, would end this session too).
    async fn kick_other_devices(&self) -> Result<usize, Error> {
        let (user, token) = self.inner.logged_in()?;
        let api = self.inner.device_api(&user, &token);
        let mut kicked = 0;
        for device in devices::others(api.list().await?, &self.inner.resource) {
            if let Some(res) = device.id.as_deref() {
                if api.kick(res).await? {
                    kicked += 1;
                }
            }
        }
        Ok(kicked)
    }

    /// A SYNC send of a chat meta whose id is derived from the client id
    /// ([`crate::messages::meta_id_for`]): a retry is stored once and acked
    /// with the same server id. The client id also travels in `ext`
    /// ([`crate::messages::CLIENT_ID_EXT`]) for the receivers. A recipient
    /// that does not exist is [`ErrorKind::NotFound`] (204).
    async fn send(&self, message: &OutgoingMessage) -> Result<Message, Error> {
        let to = Inner::normalized(&message.to)?;
        let peer = to.peer.clone();
        if message.client_id.is_empty() {
            return Err(Error::invalid_input("the client id is empty"));
        }
        let (user, _) = self.inner.logged_in()?;
        let mut body = to_pb_with_client_id(&message.body, &user, &peer, &message.client_id);
        if to.kind == ConversationKind::Group {
            body.r#type = Some(message_body::Type::Groupchat as i32);
            tracing::debug!(target: "unim::calls", call = "msync groupchat SYNC");
        }
        let meta = Meta::chat(meta_id_for(&message.client_id), self.inner.jid_of(&to), &body);
        let dl = self.inner.sync_send(meta).await?;
        let server_id = dl.server_id.ok_or_else(|| Error::protocol("the message ack has no server id"))?;
        // Our own send is known: a copy coming back later is not announced.
        lock(&self.inner.seen).first_time(server_id);
        Ok(Message {
            server_id: server_id.to_string(),
            client_id: message.client_id.clone(),
            from: user,
            to: peer,
            conversation: to,
            body: message.body.clone(),
            server_time_ms: dl.timestamp.unwrap_or(0),
            direction: Direction::Outgoing,
            status: MessageStatus::Sent,
        })
    }

    /// The web SDK's `getServerConversations` (one-to-one ones only).
    async fn conversations(&self) -> Result<Vec<Conversation>, Error> {
        let (user, token) = self.inner.logged_in()?;
        conversations::list(&self.inner.device_api(&user, &token)).await
    }

    /// The SDK's `channel` message: a chat meta with a `CHANNEL_ACK` body
    /// to the peer; the server zeroes the conversation's unread count.
    async fn mark_read(&self, conversation: &ConversationId) -> Result<(), Error> {
        let conversation = Inner::normalized(conversation)?;
        let (user, _) = self.inner.logged_in()?;
        let mut body = to_pb(&unim_core::MessageBody::text(""), &user, &conversation.peer);
        body.r#type = Some(message_body::Type::ChannelAck as i32);
        body.contents.clear();
        if conversation.kind == ConversationKind::Group {
            tracing::debug!(target: "unim::calls", call = "msync groupchat SYNC (CHANNEL_ACK)");
        }
        let id = meta_id_for(&unim_core::new_client_id());
        self.inner.sync_send(Meta::chat(id, self.inner.jid_of(&conversation), &body)).await?;
        Ok(())
    }

    /// The web SDK's `getHistoryMessages`, backwards.
    async fn history(
        &self,
        conversation: &ConversationId,
        older: Option<&HistoryCursor>,
        limit: usize,
    ) -> Result<HistoryPage, Error> {
        let conversation = Inner::normalized(conversation)?;
        if limit == 0 {
            return Err(Error::invalid_input("the history page limit must be at least 1"));
        }
        let (user, token) = self.inner.logged_in()?;
        if conversation.kind == ConversationKind::Group {
            tracing::debug!(target: "unim::calls", call = "POST /users/{username}/messageroaming (group queue)");
        }
        conversations::history(&self.inner.device_api(&user, &token), &conversation, older, limit.min(50)).await
    }

    /// The web SDK's `deleteConversation` (the history stays).
    async fn delete_conversation(&self, conversation: &ConversationId) -> Result<(), Error> {
        let conversation = Inner::normalized(conversation)?;
        let (user, token) = self.inner.logged_in()?;
        conversations::delete(&self.inner.device_api(&user, &token), &conversation, &self.inner.resource).await
    }

    /// `POST /chatgroups` with the user's token (`spec.owner` must be unset or the user).
    async fn create_group(&self, spec: &GroupSpec) -> Result<Group, Error> {
        groups::create(&self.inner, spec).await
    }

    /// `GET /chatgroups/{id}`.
    async fn group_info(&self, group: &str) -> Result<Group, Error> {
        groups::info(&self.inner, group).await
    }

    /// `PUT /chatgroups/{id}` (`groupname`, `description`).
    async fn update_group(&self, group: &str, update: &GroupUpdate) -> Result<(), Error> {
        groups::update(&self.inner, group, update).await
    }

    /// The SDK's `POST /chatgroups/{id}/invite` (added at once: `invite_need_confirm` is off).
    async fn add_group_members(&self, group: &str, users: &[String]) -> Result<Vec<BatchItem>, Error> {
        groups::add(&self.inner, group, users).await
    }

    /// `DELETE /chatgroups/{id}/users/{names}` in batches.
    async fn remove_group_members(&self, group: &str, users: &[String]) -> Result<(), Error> {
        groups::remove(&self.inner, group, users).await
    }

    /// The SDK's `POST /chatgroups/{id}/apply`.
    async fn join_group(&self, group: &str, message: Option<&str>) -> Result<JoinOutcome, Error> {
        groups::join(&self.inner, group, message).await
    }

    /// The SDK's `POST /chatgroups/{id}/apply_verify`.
    async fn decide_join(&self, group: &str, applicant: &str, accept: bool) -> Result<(), Error> {
        groups::decide(&self.inner, group, applicant, accept).await
    }

    /// The SDK's `DELETE /chatgroups/{id}/quit`; the owner is refused (`group_owner_leave` Refused).
    async fn leave_group(&self, group: &str) -> Result<(), Error> {
        groups::leave(&self.inner, group).await
    }

    /// `DELETE /chatgroups/{id}` (the owner only).
    async fn dismiss_group(&self, group: &str) -> Result<(), Error> {
        groups::dismiss(&self.inner, group).await
    }

    /// `GET /chatgroups/{id}/users` pages (the cursor is `pagenum`; keep one `limit` per listing).
    async fn group_members(
        &self,
        group: &str,
        cursor: Option<&MemberCursor>,
        limit: usize,
    ) -> Result<MemberPage, Error> {
        groups::members(&self.inner, group, cursor, limit).await
    }

    /// `POST` / `DELETE /chatgroups/{id}/admin`.
    async fn set_group_role(&self, group: &str, user: &str, role: Role) -> Result<(), Error> {
        groups::set_role(&self.inner, group, user, role).await
    }

    /// `PUT /chatgroups/{id}` with `newowner`.
    async fn transfer_group(&self, group: &str, new_owner: &str) -> Result<(), Error> {
        groups::transfer(&self.inner, group, new_owner).await
    }

    /// `POST` / `DELETE /chatgroups/{id}/mute`.
    async fn mute_group_member(&self, group: &str, user: &str, duration: MuteDuration) -> Result<(), Error> {
        groups::mute(&self.inner, group, user, duration).await
    }

    /// `GET /chatgroups/user/{username}`, then the groups' details.
    async fn joined_groups(&self) -> Result<Vec<Group>, Error> {
        groups::joined(&self.inner).await
    }

    /// Sends `UNREAD` (the SDK's heartbeat) and waits for its reply.
    async fn ping(&self) -> Result<(), Error> {
        let conn = lock(&self.inner.link).clone().ok_or_else(|| match self.inner.tracker.get() {
            ConnectionState::Reconnecting { .. } => Error::unavailable("the link is down; the session is reconnecting"),
            _ => Error::invalid_state("not logged in"),
        })?;
        let (tx, rx) = oneshot::channel();
        lock(&self.inner.pongs).push(tx);
        conn.send(&MSync::unread())?;
        match tokio::time::timeout(self.inner.options.request_timeout, rx).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(Error::unavailable("the link ended before the UNREAD reply")),
            Err(_) => Err(Error::timeout(format!("no UNREAD reply within {:?}", self.inner.options.request_timeout))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_checked_before_any_io() {
        assert_eq!(check_credentials(&Credentials::password("Alice", "pw")).unwrap(), "alice");
        assert_eq!(check_credentials(&Credentials::token("bob", "t")).unwrap(), "bob");
        let wrong = check_credentials(&Credentials::user_sig("bob", "sig")).unwrap_err();
        assert_eq!(wrong.kind, ErrorKind::InvalidInput);
        assert_eq!(check_credentials(&Credentials::token("bob", "")).unwrap_err().kind, ErrorKind::InvalidInput);
        assert_eq!(check_credentials(&Credentials::token("a b", "t")).unwrap_err().kind, ErrorKind::InvalidInput);
    }

    #[test]
    fn debug_shows_no_secrets_and_resources_are_web_style() {
        let s = EasemobSession::new(
            EasemobSessionConfig::new("http://127.0.0.1:1", "ws://127.0.0.1:1/websocket", "unim#demo"),
            SessionOptions::default(),
        );
        assert!(s.inner.resource.starts_with("webim_web_"));
        assert_eq!(s.device().platform, Platform::Web);
        assert_eq!(s.state(), ConnectionState::Disconnected);
        assert!(format!("{s:?}").contains("unim#demo"));
    }
}
