//! The user's side over Tencent's web client protocol: [`TencentSession`].
//!
//! A login opens a WebSocket at `<ws_url>/binfo` and sends
//! `im_open_status.wslogin` with the identifier and UserSig; a supervisor task
//! then keeps the link alive (heartbeats), follows the server's kick and expiry
//! signals, reconnects after a dropped link, and warns about and renews the
//! UserSig from its own time + expire, before Tencent would notice.

mod connection;
mod group_push;
mod group_sync;
mod groups;
mod handshake;
mod messages;
mod supervisor;

use crate::user_id::validate_user_id;
use crate::usersig;
use crate::{capabilities, VENDOR};
use async_trait::async_trait;
use connection::Connection;
use std::sync::{Arc, Mutex};
use supervisor::Supervisor;
use tokio::sync::mpsc;
use unim_core::supervise::{supervise, LoginGate, Running};
use unim_core::{
    record_disconnect, resume_credentials, BatchItem, Capabilities, ConnectionState, Conversation, ConversationId,
    CredentialLifetime, Credentials, Device, Disconnect, DisconnectReason, Error, ErrorKind, EventBus, EventStream,
    Group, GroupSpec, GroupUpdate, HistoryCursor, HistoryPage, JoinOutcome, MemberCursor, MemberPage, Message,
    MuteDuration, OutgoingMessage, Platform, RenewReason, Role, SavedLogin, Secret, Session, SessionOptions,
    StateTracker, StoreEntry,
};

/// Where a [`TencentSession`] connects.
#[derive(Debug, Clone)]
pub struct TencentSessionConfig {
    /// The WebSocket base: the emulator's `ws_url`, or the Tencent access
    /// point the official SDK would use (its `proxyServer` option).
    pub ws_url: String,
    /// The app's SDKAppID.
    pub sdkappid: u64,
    /// The client instance id (32 hex digits); a random one when `None`.
    /// The server treats a login with the same instance id as the same client
    /// coming back, not as another device.
    pub instance_id: Option<String>,
}

impl TencentSessionConfig {
    /// A config for `ws_url` and `sdkappid` with a random instance id.
    pub fn new(ws_url: impl Into<String>, sdkappid: u64) -> Self {
        TencentSessionConfig { ws_url: ws_url.into(), sdkappid, instance_id: None }
    }
}

/// A Tencent Cloud IM user session over the web client protocol.
pub struct TencentSession {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for TencentSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TencentSession")
            .field("ws_url", &self.inner.config.ws_url)
            .field("sdkappid", &self.inner.config.sdkappid)
            .field("user", &self.inner.user())
            .field("state", &self.inner.tracker.get())
            .finish()
    }
}

pub(crate) struct Inner {
    config: TencentSessionConfig,
    options: SessionOptions,
    instance_id: String,
    tracker: StateTracker,
    logging_in: LoginGate,
    control: tokio::sync::Mutex<Option<Running>>,
    user: Mutex<Option<String>>,
    link: Mutex<Option<Arc<Connection>>>,
    abort: Mutex<Option<tokio::task::AbortHandle>>,
    inbox: Mutex<messages::Inbox>,
}

impl TencentSession {
    /// A logged-out session.
    pub fn new(config: TencentSessionConfig, options: SessionOptions) -> Self {
        let instance_id = config.instance_id.clone().unwrap_or_else(|| format!("{:032x}", rand::random::<u128>()));
        let inner = Inner {
            config,
            options,
            instance_id,
            tracker: StateTracker::new(EventBus::new()),
            logging_in: LoginGate::new(),
            control: tokio::sync::Mutex::new(None),
            user: Mutex::new(None),
            link: Mutex::new(None),
            abort: Mutex::new(None),
            inbox: Mutex::new(messages::Inbox::default()),
        };
        TencentSession { inner: Arc::new(inner) }
    }
}

impl Drop for TencentSession {
    /// Dropping a session ends its link without logging out, so a saved login
    /// stays resumable (as when an app is killed).
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

/// The UserSig's own lifetime, when it decodes.
pub(crate) fn lifetime_of(user_sig: &Secret) -> Option<CredentialLifetime> {
    usersig::decode(user_sig.expose())
        .ok()
        .map(|d| CredentialLifetime { issued_at: d.time, expires_at: d.expires_at() })
}

/// Checks credentials for this vendor before anything is sent.
fn user_sig_of(credentials: &Credentials) -> Result<(&str, &Secret), Error> {
    let Credentials::UserSig { user, user_sig } = credentials else {
        return Err(Error::invalid_input(format!(
            "Tencent logs in with a UserSig, not {:?} credentials",
            credentials.kind()
        )));
    };
    validate_user_id(user)?;
    if user_sig.is_empty() {
        return Err(Error::invalid_input("the UserSig is empty"));
    }
    Ok((user, user_sig))
}

impl Inner {
    fn user(&self) -> Option<String> {
        lock(&self.user).clone()
    }

    /// The live link and its user, or why there is none.
    fn live(&self) -> Result<(Arc<Connection>, String), Error> {
        let conn = lock(&self.link).clone().ok_or_else(|| match self.tracker.get() {
            ConnectionState::Reconnecting { .. } => Error::unavailable("the link is down; the session is reconnecting"),
            _ => Error::invalid_state("not logged in"),
        })?;
        let user = self.user().ok_or_else(|| Error::invalid_state("not logged in"))?;
        Ok((conn, user))
    }

    /// Pulls what arrived while this instance was away (`openim.getmsg`, then
    /// each group's missed messages). A failure is left to the supervisor: a
    /// broken link reconnects and syncs again.
    pub(crate) async fn sync_messages(&self, conn: &Connection, user: &str) {
        if let Err(e) = messages::sync(self, conn, user).await {
            tracing::info!("message sync failed: {e}");
        }
        if let Err(e) = group_sync::sync_groups(self, conn, user).await {
            tracing::info!("group message sync failed: {e}");
        }
    }

    fn now(&self) -> u64 {
        self.options.clock.unix_secs()
    }

    pub(crate) fn set_link(&self, conn: Option<Arc<Connection>>) {
        *lock(&self.link) = conn;
    }

    /// Ends the link for good with `why`: the event, the store, the user.
    pub(crate) fn finish(&self, user: &str, why: Disconnect) {
        if let Some(conn) = lock(&self.link).take() {
            conn.close();
        }
        if let Some(store) = &self.options.store {
            if let Err(e) = record_disconnect(store.as_ref(), VENDOR, user, &why) {
                tracing::warn!("could not update the session store: {e}");
            }
        }
        *lock(&self.user) = None;
        self.tracker.disconnect(why);
    }

    pub(crate) fn save_login(&self, credentials: &Credentials) {
        if let Some(store) = &self.options.store {
            let saved =
                SavedLogin { vendor: VENDOR.to_owned(), credentials: credentials.clone(), saved_at: self.now() };
            if let Err(e) = store.put(StoreEntry::Saved(saved)) {
                tracing::warn!("could not save the login: {e}");
            }
        }
    }

    /// Opens a link and logs in, retrying the connection per the policy
    /// (never the login itself: a refusal will not change by retrying).
    async fn connect(self: &Arc<Self>, user: &str, user_sig: &Secret) -> Result<Supervisor, (Error, Disconnect)> {
        let policy = self.options.reconnect;
        let attempts = policy.max_attempts.max(1);
        let (events_tx, events_rx) = mpsc::unbounded_channel();
        let mut last = None;
        for attempt in 1..=attempts {
            if attempt > 1 {
                self.options.clock.sleep(policy.delay(attempt)).await;
            }
            self.tracker.set(ConnectionState::Connecting);
            let target = self.target(user, user_sig, None);
            match handshake::login(&target, events_tx.clone(), || {
                self.tracker.set(ConnectionState::Authenticating);
            })
            .await
            {
                Ok(conn) => {
                    let (user, user_sig) = (user.to_owned(), user_sig.clone());
                    return Ok(Supervisor::new(Arc::clone(self), user, user_sig, conn, events_tx, events_rx));
                }
                Err(handshake::Failure::Network(e)) => last = Some(e),
                Err(refused) => return Err(refused.into_parts()),
            }
        }
        let detail = last.map(|e| e.message).unwrap_or_default();
        let e = Error::unavailable(format!(
            "could not reach Tencent at {} after {attempts} attempt(s): {detail}",
            self.config.ws_url
        ));
        Err((e, Disconnect::new(DisconnectReason::Network)))
    }

    pub(crate) fn target<'a>(
        &'a self,
        user: &'a str,
        user_sig: &'a Secret,
        ticket: Option<&'a connection::Ticket>,
    ) -> handshake::Target<'a> {
        handshake::Target {
            ws_url: &self.config.ws_url,
            sdkappid: self.config.sdkappid,
            instance_id: &self.instance_id,
            user,
            user_sig,
            ticket,
            now: self.now(),
            timeout: self.options.request_timeout,
        }
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
            self.inner.tracker.disconnect(Disconnect::new(DisconnectReason::Requested));
        }
    }
}

#[async_trait]
impl Session for TencentSession {
    fn vendor(&self) -> &'static str {
        VENDOR
    }

    fn capabilities(&self) -> Capabilities {
        capabilities()
    }

    async fn login(&self, credentials: Credentials) -> Result<(), Error> {
        let (user, user_sig) = user_sig_of(&credentials)?;
        let inner = &self.inner;
        let _ticket =
            inner.logging_in.enter().map_err(|e| Error::invalid_state(format!("{} (Tencent 7501)", e.message)))?;
        let mut control = inner.control.lock().await;
        Running::stop(&mut control).await;
        *lock(&inner.user) = Some(user.to_owned());
        let mut abandoned = Abandoned { inner, armed: true };
        let result = inner.connect(user, user_sig).await;
        abandoned.armed = false;
        match result {
            Ok(supervisor) => {
                inner.save_login(&credentials);
                inner.tracker.set(ConnectionState::Connected);
                // Offline messages come after Connected (no sync phase) and before
                // any push that arrived meanwhile, which waits in the supervisor's queue.
                let conn = lock(&inner.link).clone();
                if let Some(conn) = conn {
                    inner.sync_messages(&conn, user).await;
                }
                let running = Running::spawn(|stop| supervise(supervisor, stop));
                *lock(&inner.abort) = Some(running.abort_handle());
                *control = Some(running);
                Ok(())
            }
            Err((error, why)) => {
                inner.finish(user, why);
                Err(error)
            }
        }
    }

    async fn resume(&self) -> Result<(), Error> {
        let store =
            self.inner.options.store.as_ref().ok_or_else(|| {
                Error::invalid_state("this session has no session store, so there is nothing to resume")
            })?;
        let mut credentials = resume_credentials(store.as_ref(), VENDOR)?;
        let (user, user_sig) = user_sig_of(&credentials)?;
        let now = self.inner.now();
        if let Some(lifetime) = lifetime_of(user_sig).filter(|l| l.is_expired_at(now)) {
            let Some(provider) = &self.inner.options.credential_provider else {
                // No point asking the server: say what the app has to do.
                return Err(Error::new(
                    ErrorKind::CredentialExpired,
                    format!(
                        "the saved UserSig of {user} expired at {} (now {now}) and this session has no credential \
                         provider to renew it; log in with a fresh UserSig",
                        lifetime.expires_at
                    ),
                ));
            };
            let user = user.to_owned();
            credentials = provider.fresh_credentials(&user, RenewReason::Expired).await?;
            if credentials.user() != user {
                return Err(Error::invalid_input(format!(
                    "the credential provider returned credentials for {}, not {user}",
                    credentials.user()
                )));
            }
        }
        self.login(credentials).await
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
        Device::new(Platform::Web).with_id(self.inner.instance_id.clone())
    }

    async fn ping(&self) -> Result<(), Error> {
        let (conn, _) = self.inner.live()?;
        let reply = conn.request(crate::link::servcmd::HEARTBEAT, serde_json::json!({}), self.inner.now()).await?;
        match reply.error_code() {
            0 => Ok(()),
            code => Err(crate::error::error_from_code(code, reply.error_info())),
        }
    }

    /// `openim.sendmsg` with the `MsgRandom` of the client id
    /// ([`crate::msg::msg_random`]), so a retry is stored once.
    async fn send(&self, message: &OutgoingMessage) -> Result<Message, Error> {
        let (conn, user) = self.inner.live()?;
        messages::send(&self.inner, &conn, &user, message).await
    }

    /// `recentcontact.page_get`, with unread counts and last messages.
    async fn conversations(&self) -> Result<Vec<Conversation>, Error> {
        let (conn, user) = self.inner.live()?;
        messages::conversations(&self.inner, &conn, &user).await
    }

    /// `openim.msgreaded` up to now.
    async fn mark_read(&self, conversation: &ConversationId) -> Result<(), Error> {
        let (conn, _) = self.inner.live()?;
        messages::mark_read(&self.inner, &conn, conversation).await
    }

    /// `openim.getroammsg`, backwards.
    async fn history(
        &self,
        conversation: &ConversationId,
        older: Option<&HistoryCursor>,
        limit: usize,
    ) -> Result<HistoryPage, Error> {
        let (conn, user) = self.inner.live()?;
        messages::history(&self.inner, &conn, &user, conversation, older, limit).await
    }

    /// `recentcontact.batch_delete`; the history stays.
    async fn delete_conversation(&self, conversation: &ConversationId) -> Result<(), Error> {
        let (conn, user) = self.inner.live()?;
        messages::delete(&self.inner, &conn, &user, conversation).await
    }

    /// `group_open_http_svc.create_group`, then `get_group_info`.
    async fn create_group(&self, spec: &GroupSpec) -> Result<Group, Error> {
        let (conn, user) = self.inner.live()?;
        groups::create(&self.inner, &conn, &user, spec).await
    }

    /// `group_open_http_svc.get_group_info`.
    async fn group_info(&self, group: &str) -> Result<Group, Error> {
        let (conn, _) = self.inner.live()?;
        groups::info(&self.inner, &conn, group).await
    }

    /// `group_open_http_svc.modify_group_base_info`.
    async fn update_group(&self, group: &str, update: &GroupUpdate) -> Result<(), Error> {
        let (conn, _) = self.inner.live()?;
        groups::update(&self.inner, &conn, group, update).await
    }

    /// `group_open_http_svc.add_group_member`, 100 users a call.
    async fn add_group_members(&self, group: &str, users: &[String]) -> Result<Vec<BatchItem>, Error> {
        let (conn, _) = self.inner.live()?;
        groups::add(&self.inner, &conn, group, users).await
    }

    /// `group_open_http_svc.delete_group_member`.
    async fn remove_group_members(&self, group: &str, users: &[String]) -> Result<(), Error> {
        let (conn, _) = self.inner.live()?;
        groups::remove(&self.inner, &conn, group, users).await
    }

    /// `group_open_http_svc.apply_join_group`.
    async fn join_group(&self, group: &str, message: Option<&str>) -> Result<JoinOutcome, Error> {
        let (conn, _) = self.inner.live()?;
        groups::join(&self.inner, &conn, group, message).await
    }

    /// `group_open_http_svc.handle_apply_join_group`.
    async fn decide_join(&self, group: &str, applicant: &str, accept: bool) -> Result<(), Error> {
        let (conn, _) = self.inner.live()?;
        groups::decide(&self.inner, &conn, group, applicant, accept).await
    }

    /// `group_open_http_svc.quit_group` (a Public group's owner is refused: 10009).
    async fn leave_group(&self, group: &str) -> Result<(), Error> {
        let (conn, _) = self.inner.live()?;
        groups::leave(&self.inner, &conn, group).await
    }

    /// `group_open_http_svc.destroy_group`.
    async fn dismiss_group(&self, group: &str) -> Result<(), Error> {
        let (conn, _) = self.inner.live()?;
        groups::dismiss(&self.inner, &conn, group).await
    }

    /// `group_open_http_svc.get_group_member_info`; the cursor is the next `Offset`.
    async fn group_members(
        &self,
        group: &str,
        cursor: Option<&MemberCursor>,
        limit: usize,
    ) -> Result<MemberPage, Error> {
        let (conn, _) = self.inner.live()?;
        groups::members(&self.inner, &conn, group, cursor, limit).await
    }

    /// `group_open_http_svc.modify_group_member_info` with `Role`.
    async fn set_group_role(&self, group: &str, user: &str, role: Role) -> Result<(), Error> {
        let (conn, _) = self.inner.live()?;
        groups::set_role(&self.inner, &conn, group, user, role).await
    }

    /// `group_open_http_svc.change_group_owner`.
    async fn transfer_group(&self, group: &str, new_owner: &str) -> Result<(), Error> {
        let (conn, _) = self.inner.live()?;
        groups::transfer(&self.inner, &conn, group, new_owner).await
    }

    /// `group_open_http_svc.modify_group_member_info` with `ShutUpTime`.
    async fn mute_group_member(&self, group: &str, user: &str, duration: MuteDuration) -> Result<(), Error> {
        let (conn, _) = self.inner.live()?;
        groups::mute(&self.inner, &conn, group, user, duration).await
    }

    /// `group_open_http_svc.get_joined_group_list`, every page.
    async fn joined_groups(&self) -> Result<Vec<Group>, Error> {
        let (conn, user) = self.inner.live()?;
        groups::joined(&self.inner, &conn, &user).await
    }
}
