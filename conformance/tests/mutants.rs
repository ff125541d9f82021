//! The suite's own test: a correct adapter passes every case, and an adapter
//! with one planted defect fails the cases that pin that behaviour down. Each
//! "mutant" wraps a harness's sessions (Tencent's, and NetEase's for the
//! cases only it supports) and breaks one thing (a duplicated kick, a lost
//! vendor code, a wrong error kind, a reconnect after a kick, a hidden sync,
//! a duplicated or reordered message, a wrong unread count, a history page
//! that loses a message, a hidden group event, a member listed twice across
//! pages, an ignored mute, ...); a mutant that every case lets through would mean a case whose
//! checks cannot fail.

#![cfg(feature = "tencent")]

use async_trait::async_trait;
use futures::StreamExt;
use std::sync::Arc;
use std::time::Duration;
use unim_conformance::vendors::tencent::TencentHarness;
use unim_conformance::{run_case, Harness, HarnessFactory, Outcome, SessionSetup};
use unim_core::{
    Admin, BatchItem, Capabilities, ConnectionState, Conversation, ConversationId, Credentials, Device, Disconnect,
    DisconnectReason, Error, ErrorKind, Event, EventBus, EventStream, Group, GroupEvent, GroupMember, GroupSpec,
    GroupUpdate, HistoryCursor, HistoryPage, JoinOutcome, ManualClock, MemberCursor, MemberPage, Message, MessageBody,
    MuteDuration, OutgoingMessage, Platform, Presence, ReconnectPolicy, Role, Session,
};

/// One planted defect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mutant {
    /// No defect: the wrapper must be transparent.
    None,
    /// Every `Disconnected` is announced twice.
    DoubleDisconnect,
    /// Disconnect reasons lose the vendor's code.
    NoVendorCode,
    /// A refused expired credential is reported as `Unauthenticated`.
    ExpiredIsUnauthenticated,
    /// The `Authenticating` state is never announced.
    SkipAuthenticating,
    /// `current_user()` always says `None`.
    NoUser,
    /// `Reconnecting` is never announced.
    HideReconnecting,
    /// `CredentialWillExpire` names the wrong expiry.
    WrongWarnTime,
    /// `CredentialRenewed` names another user.
    RenewedForSomeoneElse,
    /// An expiry disconnect is reported as `AuthFailed`.
    ExpiryIsAuthFailure,
    /// Invalid input is reported as `Unauthenticated`.
    InvalidInputIsUnauthenticated,
    /// A concurrent login is refused with `Other` instead of `InvalidState`.
    ConcurrentIsOther,
    /// A login that found the service down is retried once more.
    RetryTwice,
    /// `resume()` forgets why auto-login stopped.
    ResumeForgetsReason,
    /// `device()` reports another platform than the server sees.
    WrongPlatform,
    /// `Disconnected(Requested)` is never announced.
    HideRequested,
    /// A logout while logged out announces a `Disconnected`.
    LogoutTwiceEmits,
    /// A session kicked by another login logs in again by itself.
    ReconnectAfterKick,
    /// `SyncStarted` and `SyncFinished` are never announced.
    #[cfg_attr(not(feature = "netease"), allow(dead_code))]
    HideSync,
    /// `SyncFinished` is announced twice.
    #[cfg_attr(not(feature = "netease"), allow(dead_code))]
    DoubleSyncFinished,
    /// An eviction by another login does not say which device caused it.
    #[cfg_attr(not(feature = "netease"), allow(dead_code))]
    EvictionWithoutKicker,
    /// Every `MessageReceived` is announced twice.
    DoubleMessage,
    /// Every second `MessageReceived` is announced after the one behind it.
    SwapMessages,
    /// The first `MessageReceived` after a `Reconnecting` is lost.
    LoseMessageAfterReconnect,
    /// Messages that arrive while syncing are held back until `Connected`.
    #[cfg_attr(not(feature = "netease"), allow(dead_code))]
    MessagesAfterSync,
    /// The sending device announces its own send as a `MessageReceived`.
    EchoOwnSend,
    /// `send()` gives every call a fresh client id, so a retry is stored again.
    RetryWithFreshClientId,
    /// `send()` returns a copy with another client id.
    ForgetClientId,
    /// A refusal of `send()` loses the vendor's code.
    SendErrorWithoutCode,
    /// A too-large message is refused with `Other` instead of `InvalidInput`.
    TooLargeIsOther,
    /// `conversations()` counts one unread message too many.
    UnreadOffByOne,
    /// `conversations()` lists the oldest conversation first.
    OldestConversationFirst,
    /// `mark_read()` succeeds without doing anything.
    MarkReadDoesNothing,
    /// `delete_conversation()` succeeds without doing anything.
    DeleteDoesNothing,
    /// `history()` drops the oldest message of every page.
    HistoryDropsOne,
    /// `history()` pages come newest first.
    HistoryNewestFirst,
    /// The admin's `history()` and `group_history()` drop the oldest message of every page.
    AdminHistoryDropsOne,
    /// The admin's `send_message()` returns a copy that names the peer as the sender.
    AdminSendWrongSender,
    /// The admin's `conversations()` lists nothing.
    AdminConversationsEmpty,
    /// `MemberRemoved` group events are never announced.
    HideMemberRemoved,
    /// `JoinRequested` group events are never announced.
    HideJoinRequested,
    /// `Dismissed` group events are never announced.
    HideDismissed,
    /// Every group event is announced twice.
    DoubleGroupEvent,
    /// `group_members()` lists the last member of a page again at the start of the next.
    MemberListedTwice,
    /// `group_members()` drops the last member of every page that has a next one.
    MemberPageDropsOne,
    /// `mute_group_member()` succeeds without doing anything.
    MuteDoesNothing,
    /// Group refusals for permission come back as `NotFound`.
    GroupDeniedIsNotFound,
    /// A full group's refusal comes back as `InvalidInput`.
    FullIsInvalidInput,
    /// `leave_group()` succeeds without doing anything.
    LeaveDoesNothing,
    /// `transfer_group()` succeeds without doing anything.
    TransferDoesNothing,
    /// `add_group_members()` reports a member already in as added.
    AlreadyMemberIsAdded,
}

struct MutantHarness {
    inner: Box<dyn Harness>,
    mutant: Mutant,
}

/// Mutants of the Tencent harness.
fn factory(mutant: Mutant) -> HarnessFactory {
    HarnessFactory::new(move || async move {
        let inner = Box::new(TencentHarness::start().await?);
        Ok(Box::new(MutantHarness { inner, mutant }) as Box<dyn Harness>)
    })
}

/// Mutants of the NetEase harness (sync phase, device classes, more ways to end auto-login).
#[cfg(feature = "netease")]
fn netease_factory(mutant: Mutant) -> HarnessFactory {
    HarnessFactory::new(move || async move {
        let inner = Box::new(unim_conformance::vendors::netease::NeteaseHarness::start().await?);
        Ok(Box::new(MutantHarness { inner, mutant }) as Box<dyn Harness>)
    })
}

#[async_trait]
impl Harness for MutantHarness {
    fn vendor(&self) -> &'static str {
        self.inner.vendor()
    }
    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }
    fn clock(&self) -> &ManualClock {
        self.inner.clock()
    }
    fn admin(&self) -> Arc<dyn Admin> {
        Arc::new(MutantAdmin { inner: self.inner.admin(), mutant: self.mutant })
    }
    fn session(&self, setup: SessionSetup) -> Box<dyn Session> {
        Box::new(MutantSession::new(Arc::from(self.inner.session(setup)), self.mutant))
    }
    fn platforms(&self) -> Vec<Platform> {
        self.inner.platforms()
    }
    fn fresh_user(&self) -> String {
        self.inner.fresh_user()
    }
    fn unregistered_user(&self) -> String {
        self.inner.unregistered_user()
    }
    fn invalid_user_id(&self) -> String {
        self.inner.invalid_user_id()
    }
    async fn credentials(&self, user: &str, ttl: Duration) -> Result<Credentials, Error> {
        self.inner.credentials(user, ttl).await
    }
    async fn unregistered_credentials(&self, user: &str) -> Result<Credentials, Error> {
        self.inner.unregistered_credentials(user).await
    }
    async fn wrong_credentials(&self, user: &str) -> Result<Credentials, Error> {
        self.inner.wrong_credentials(user).await
    }
    async fn expired_credentials(&self, user: &str) -> Result<Credentials, Error> {
        self.inner.expired_credentials(user).await
    }
    async fn revocable_credentials(&self, user: &str) -> Result<Credentials, Error> {
        self.inner.revocable_credentials(user).await
    }
    async fn password_credentials(&self, user: &str) -> Result<Credentials, Error> {
        self.inner.password_credentials(user).await
    }
    async fn token_credentials(&self, user: &str, ttl: Duration) -> Result<Credentials, Error> {
        self.inner.token_credentials(user, ttl).await
    }
    async fn change_password(&self, user: &str) -> Result<(), Error> {
        self.inner.change_password(user).await
    }
    async fn invalidate_credentials(&self, user: &str) -> Result<(), Error> {
        self.inner.invalidate_credentials(user).await
    }
    async fn ban(&self, user: &str) -> Result<(), Error> {
        self.inner.ban(user).await
    }
    async fn unban(&self, user: &str) -> Result<(), Error> {
        self.inner.unban(user).await
    }
    async fn queue_offline_messages(&self, from: &str, to: &str, count: usize) -> Result<(), Error> {
        self.inner.queue_offline_messages(from, to, count).await
    }
    fn drop_links(&self, user: &str) -> usize {
        self.inner.drop_links(user)
    }
    fn refuse_connections(&self, on: bool) {
        self.inner.refuse_connections(on)
    }
    fn connection_attempts(&self) -> u64 {
        self.inner.connection_attempts()
    }
    fn hold_logins(&self) {
        self.inner.hold_logins()
    }
    fn release_logins(&self) {
        self.inner.release_logins()
    }
    fn reconnect_policy(&self) -> ReconnectPolicy {
        self.inner.reconnect_policy()
    }
}

/// An admin with the mutant's defect, if it is an admin one.
struct MutantAdmin {
    inner: Arc<dyn Admin>,
    mutant: Mutant,
}

#[async_trait]
impl Admin for MutantAdmin {
    fn vendor(&self) -> &'static str {
        self.inner.vendor()
    }
    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }
    async fn register(&self, user: &str) -> Result<(), Error> {
        self.inner.register(user).await
    }
    async fn register_many(&self, users: &[String]) -> Result<Vec<BatchItem>, Error> {
        self.inner.register_many(users).await
    }
    async fn exists(&self, users: &[String]) -> Result<Vec<(String, bool)>, Error> {
        self.inner.exists(users).await
    }
    async fn delete(&self, users: &[String]) -> Result<Vec<BatchItem>, Error> {
        self.inner.delete(users).await
    }
    async fn issue_credentials(&self, user: &str, ttl: Duration) -> Result<Credentials, Error> {
        self.inner.issue_credentials(user, ttl).await
    }
    async fn kick(&self, user: &str) -> Result<(), Error> {
        self.inner.kick(user).await
    }
    async fn online_status(&self, users: &[String]) -> Result<Vec<Presence>, Error> {
        self.inner.online_status(users).await
    }
    async fn send_message(
        &self,
        from: Option<&str>,
        to: &str,
        body: &MessageBody,
        client_id: &str,
    ) -> Result<Message, Error> {
        let sent = self.inner.send_message(from, to, body, client_id).await?;
        if self.mutant == Mutant::AdminSendWrongSender {
            return Ok(Message { from: to.to_owned(), ..sent });
        }
        Ok(sent)
    }
    async fn history(
        &self,
        user: &str,
        peer: &str,
        older: Option<&HistoryCursor>,
        limit: usize,
    ) -> Result<HistoryPage, Error> {
        let mut page = self.inner.history(user, peer, older, limit).await?;
        if self.mutant == Mutant::AdminHistoryDropsOne && !page.messages.is_empty() {
            page.messages.remove(0);
        }
        Ok(page)
    }
    async fn conversations(&self, user: &str) -> Result<Vec<Conversation>, Error> {
        let list = self.inner.conversations(user).await?;
        Ok(if self.mutant == Mutant::AdminConversationsEmpty { Vec::new() } else { list })
    }
    async fn create_group(&self, spec: &GroupSpec) -> Result<Group, Error> {
        self.inner.create_group(spec).await
    }
    async fn group_info(&self, group: &str) -> Result<Group, Error> {
        self.inner.group_info(group).await
    }
    async fn update_group(&self, group: &str, update: &GroupUpdate) -> Result<(), Error> {
        self.inner.update_group(group, update).await
    }
    async fn add_group_members(&self, group: &str, users: &[String]) -> Result<Vec<BatchItem>, Error> {
        self.inner.add_group_members(group, users).await
    }
    async fn remove_group_members(&self, group: &str, users: &[String]) -> Result<(), Error> {
        self.inner.remove_group_members(group, users).await
    }
    async fn dismiss_group(&self, group: &str) -> Result<(), Error> {
        self.inner.dismiss_group(group).await
    }
    async fn group_members(
        &self,
        group: &str,
        cursor: Option<&MemberCursor>,
        limit: usize,
    ) -> Result<MemberPage, Error> {
        self.inner.group_members(group, cursor, limit).await
    }
    async fn set_group_role(&self, group: &str, user: &str, role: Role) -> Result<(), Error> {
        self.inner.set_group_role(group, user, role).await
    }
    async fn transfer_group(&self, group: &str, new_owner: &str) -> Result<(), Error> {
        self.inner.transfer_group(group, new_owner).await
    }
    async fn mute_group_member(&self, group: &str, user: &str, duration: MuteDuration) -> Result<(), Error> {
        self.inner.mute_group_member(group, user, duration).await
    }
    async fn joined_groups(&self, user: &str) -> Result<Vec<Group>, Error> {
        self.inner.joined_groups(user).await
    }
    async fn send_group_message(
        &self,
        from: Option<&str>,
        group: &str,
        body: &MessageBody,
        client_id: &str,
    ) -> Result<Message, Error> {
        self.inner.send_group_message(from, group, body, client_id).await
    }
    async fn group_history(
        &self,
        group: &str,
        older: Option<&HistoryCursor>,
        limit: usize,
    ) -> Result<HistoryPage, Error> {
        let mut page = self.inner.group_history(group, older, limit).await?;
        if self.mutant == Mutant::AdminHistoryDropsOne && !page.messages.is_empty() {
            page.messages.remove(0);
        }
        Ok(page)
    }
}

/// A session whose events pass through a forwarding task that applies the mutant.
struct MutantSession {
    inner: Arc<dyn Session>,
    mutant: Mutant,
    bus: EventBus,
    forward: tokio::task::JoinHandle<()>,
    /// The last member of the page `group_members()` answered before.
    last_member: std::sync::Mutex<Option<GroupMember>>,
}

impl Drop for MutantSession {
    fn drop(&mut self) {
        self.forward.abort();
    }
}

/// The events a mutant announces for one event of the real session.
fn mutate(mutant: Mutant, event: Event) -> Vec<Event> {
    let is_disconnect = matches!(&event, Event::StateChanged { state: ConnectionState::Disconnected, .. });
    match (mutant, event) {
        (Mutant::DoubleDisconnect, e) if is_disconnect => vec![e.clone(), e],
        (Mutant::NoVendorCode, Event::StateChanged { state, reason: Some(d) }) => {
            vec![Event::StateChanged { state, reason: Some(Disconnect { vendor: None, ..d }) }]
        }
        (Mutant::SkipAuthenticating, Event::StateChanged { state: ConnectionState::Authenticating, .. }) => vec![],
        (Mutant::HideReconnecting, Event::StateChanged { state: ConnectionState::Reconnecting { .. }, .. }) => vec![],
        (Mutant::WrongWarnTime, Event::CredentialWillExpire { user, expires_at }) => {
            vec![Event::CredentialWillExpire { user, expires_at: expires_at + 1 }]
        }
        (Mutant::RenewedForSomeoneElse, Event::CredentialRenewed { expires_at, .. }) => {
            vec![Event::CredentialRenewed { user: "someone-else".into(), expires_at }]
        }
        (Mutant::ExpiryIsAuthFailure, Event::StateChanged { state, reason: Some(d) })
            if d.reason == DisconnectReason::CredentialExpired =>
        {
            vec![Event::StateChanged { state, reason: Some(Disconnect { reason: DisconnectReason::AuthFailed, ..d }) }]
        }
        (Mutant::HideRequested, Event::StateChanged { reason: Some(d), .. })
            if d.reason == DisconnectReason::Requested =>
        {
            vec![]
        }
        (Mutant::HideSync, Event::SyncStarted | Event::SyncFinished) => vec![],
        (Mutant::HideMemberRemoved, Event::Group { change: GroupEvent::MemberRemoved { .. } }) => vec![],
        (Mutant::HideJoinRequested, Event::Group { change: GroupEvent::JoinRequested { .. } }) => vec![],
        (Mutant::HideDismissed, Event::Group { change: GroupEvent::Dismissed { .. } }) => vec![],
        (Mutant::DoubleGroupEvent, e @ Event::Group { .. }) => vec![e.clone(), e],
        (Mutant::DoubleSyncFinished, Event::SyncFinished) => vec![Event::SyncFinished, Event::SyncFinished],
        (Mutant::EvictionWithoutKicker, Event::StateChanged { state, reason: Some(d) })
            if d.reason == DisconnectReason::KickedByOtherLogin =>
        {
            vec![Event::StateChanged { state, reason: Some(Disconnect { by: None, ..d }) }]
        }
        (_, e) => vec![e],
    }
}

/// The message mutants that need to remember what came before.
#[derive(Default)]
struct MessageMutator {
    /// A message held back to be announced after the next one.
    held: Option<Event>,
    /// Messages held back until `Connected`.
    buffered: Vec<Event>,
    /// True between `Reconnecting` and the first message after it.
    reconnected: bool,
}

impl MessageMutator {
    fn apply(&mut self, mutant: Mutant, event: Event) -> Vec<Event> {
        let is_message = matches!(event, Event::MessageReceived { .. });
        match (mutant, &event) {
            (Mutant::DoubleMessage, _) if is_message => vec![event.clone(), event],
            (Mutant::SwapMessages, _) if is_message => match self.held.take() {
                Some(first) => vec![event, first],
                None => {
                    self.held = Some(event);
                    vec![]
                }
            },
            (
                Mutant::LoseMessageAfterReconnect,
                Event::StateChanged { state: ConnectionState::Reconnecting { .. }, .. },
            ) => {
                self.reconnected = true;
                vec![event]
            }
            (Mutant::LoseMessageAfterReconnect, _) if is_message && self.reconnected => {
                self.reconnected = false;
                vec![]
            }
            (Mutant::MessagesAfterSync, Event::StateChanged { state: ConnectionState::Syncing, .. }) => {
                self.reconnected = true;
                vec![event]
            }
            (Mutant::MessagesAfterSync, _) if is_message && self.reconnected => {
                self.buffered.push(event);
                vec![]
            }
            (Mutant::MessagesAfterSync, Event::StateChanged { state: ConnectionState::Connected, .. }) => {
                self.reconnected = false;
                let mut out = vec![event];
                out.append(&mut self.buffered);
                out
            }
            _ => vec![event],
        }
    }
}

impl MutantSession {
    fn new(inner: Arc<dyn Session>, mutant: Mutant) -> Self {
        let bus = EventBus::new();
        let mut upstream = inner.events();
        let out = bus.clone();
        let forward = tokio::spawn(async move {
            let mut stream = MessageMutator::default();
            while let Some(event) = upstream.next().await {
                for e in mutate(mutant, event) {
                    for e in stream.apply(mutant, e) {
                        out.emit(e);
                    }
                }
            }
        });
        MutantSession { inner, mutant, bus, forward, last_member: std::sync::Mutex::new(None) }
    }
}

#[async_trait]
impl Session for MutantSession {
    fn vendor(&self) -> &'static str {
        self.inner.vendor()
    }

    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }

    async fn login(&self, credentials: Credentials) -> Result<(), Error> {
        let result = self.inner.login(credentials.clone()).await;
        let remap = |e: Error, from: ErrorKind, to: ErrorKind| if e.kind == from { Error { kind: to, ..e } } else { e };
        match (self.mutant, result) {
            (Mutant::ExpiredIsUnauthenticated, Err(e)) => {
                Err(remap(e, ErrorKind::CredentialExpired, ErrorKind::Unauthenticated))
            }
            (Mutant::InvalidInputIsUnauthenticated, Err(e)) => {
                Err(remap(e, ErrorKind::InvalidInput, ErrorKind::Unauthenticated))
            }
            (Mutant::ConcurrentIsOther, Err(e)) => Err(remap(e, ErrorKind::InvalidState, ErrorKind::Other)),
            (Mutant::RetryTwice, Err(e)) if e.kind == ErrorKind::Unavailable => self.inner.login(credentials).await,
            (Mutant::ReconnectAfterKick, Ok(())) => {
                let (inner, creds) = (Arc::downgrade(&self.inner), credentials);
                let mut events = self.inner.events();
                tokio::spawn(async move {
                    while let Some(e) = events.next().await {
                        let kicked = matches!(&e, Event::StateChanged { reason: Some(d), .. }
                            if d.reason == DisconnectReason::KickedByOtherLogin);
                        if let (true, Some(s)) = (kicked, inner.upgrade()) {
                            let _ = s.login(creds).await;
                            return;
                        }
                    }
                });
                Ok(())
            }
            (_, r) => r,
        }
    }

    async fn resume(&self) -> Result<(), Error> {
        match (self.mutant, self.inner.resume().await) {
            (Mutant::ResumeForgetsReason, Err(e)) if matches!(e.kind, ErrorKind::AutoLoginStopped { .. }) => {
                Err(Error::invalid_state("nothing to resume"))
            }
            (_, r) => r,
        }
    }

    async fn logout(&self) -> Result<(), Error> {
        let was_out = self.inner.state() == ConnectionState::Disconnected;
        let r = self.inner.logout().await;
        if self.mutant == Mutant::LogoutTwiceEmits && was_out {
            self.bus.emit(Event::StateChanged {
                state: ConnectionState::Disconnected,
                reason: Some(Disconnect::new(DisconnectReason::Requested)),
            });
        }
        r
    }

    fn events(&self) -> EventStream {
        self.bus.subscribe()
    }

    fn state(&self) -> ConnectionState {
        self.inner.state()
    }

    fn current_user(&self) -> Option<String> {
        if self.mutant == Mutant::NoUser {
            None
        } else {
            self.inner.current_user()
        }
    }

    fn device(&self) -> Device {
        let d = self.inner.device();
        if self.mutant == Mutant::WrongPlatform {
            Device { platform: Platform::Other("toaster".into()), ..d }
        } else {
            d
        }
    }

    async fn ping(&self) -> Result<(), Error> {
        self.inner.ping().await
    }

    async fn other_devices(&self) -> Result<Vec<Device>, Error> {
        self.inner.other_devices().await
    }

    async fn kick_device(&self, device: &Device) -> Result<(), Error> {
        self.inner.kick_device(device).await
    }

    async fn kick_other_devices(&self) -> Result<usize, Error> {
        self.inner.kick_other_devices().await
    }

    async fn send(&self, message: &OutgoingMessage) -> Result<Message, Error> {
        let fresh;
        let message = if self.mutant == Mutant::RetryWithFreshClientId {
            fresh = OutgoingMessage::new(message.to.clone(), message.body.clone());
            &fresh
        } else {
            message
        };
        match (self.mutant, self.inner.send(message).await) {
            (Mutant::EchoOwnSend, Ok(m)) => {
                self.bus.emit(Event::MessageReceived { message: Box::new(m.clone()) });
                Ok(m)
            }
            (Mutant::ForgetClientId, Ok(m)) => Ok(Message { client_id: format!("{}x", m.client_id), ..m }),
            (Mutant::SendErrorWithoutCode, Err(e)) => Err(Error { vendor: None, ..e }),
            (Mutant::TooLargeIsOther, Err(e)) if e.kind == ErrorKind::InvalidInput => {
                Err(Error { kind: ErrorKind::Other, ..e })
            }
            (_, r) => r,
        }
    }

    async fn conversations(&self) -> Result<Vec<Conversation>, Error> {
        let mut list = self.inner.conversations().await?;
        match self.mutant {
            Mutant::UnreadOffByOne => list.iter_mut().for_each(|c| c.unread += 1),
            Mutant::OldestConversationFirst => list.reverse(),
            _ => {}
        }
        Ok(list)
    }

    async fn mark_read(&self, conversation: &ConversationId) -> Result<(), Error> {
        if self.mutant == Mutant::MarkReadDoesNothing {
            return Ok(());
        }
        self.inner.mark_read(conversation).await
    }

    async fn history(
        &self,
        conversation: &ConversationId,
        older: Option<&HistoryCursor>,
        limit: usize,
    ) -> Result<HistoryPage, Error> {
        let mut page = self.inner.history(conversation, older, limit).await?;
        match self.mutant {
            Mutant::HistoryDropsOne if !page.messages.is_empty() => {
                page.messages.remove(0);
            }
            Mutant::HistoryNewestFirst => page.messages.reverse(),
            _ => {}
        }
        Ok(page)
    }

    async fn delete_conversation(&self, conversation: &ConversationId) -> Result<(), Error> {
        if self.mutant == Mutant::DeleteDoesNothing {
            return Ok(());
        }
        self.inner.delete_conversation(conversation).await
    }

    async fn create_group(&self, spec: &GroupSpec) -> Result<Group, Error> {
        self.group_error(self.inner.create_group(spec).await)
    }

    async fn group_info(&self, group: &str) -> Result<Group, Error> {
        self.group_error(self.inner.group_info(group).await)
    }

    async fn update_group(&self, group: &str, update: &GroupUpdate) -> Result<(), Error> {
        self.group_error(self.inner.update_group(group, update).await)
    }

    async fn add_group_members(&self, group: &str, users: &[String]) -> Result<Vec<BatchItem>, Error> {
        let mut items = self.group_error(self.inner.add_group_members(group, users).await)?;
        if self.mutant == Mutant::AlreadyMemberIsAdded {
            items.iter_mut().for_each(|i| i.result = Ok(()));
        }
        Ok(items)
    }

    async fn remove_group_members(&self, group: &str, users: &[String]) -> Result<(), Error> {
        self.group_error(self.inner.remove_group_members(group, users).await)
    }

    async fn join_group(&self, group: &str, message: Option<&str>) -> Result<JoinOutcome, Error> {
        self.group_error(self.inner.join_group(group, message).await)
    }

    async fn decide_join(&self, group: &str, applicant: &str, accept: bool) -> Result<(), Error> {
        self.group_error(self.inner.decide_join(group, applicant, accept).await)
    }

    async fn leave_group(&self, group: &str) -> Result<(), Error> {
        if self.mutant == Mutant::LeaveDoesNothing {
            return Ok(());
        }
        self.group_error(self.inner.leave_group(group).await)
    }

    async fn dismiss_group(&self, group: &str) -> Result<(), Error> {
        self.group_error(self.inner.dismiss_group(group).await)
    }

    async fn group_members(
        &self,
        group: &str,
        cursor: Option<&MemberCursor>,
        limit: usize,
    ) -> Result<MemberPage, Error> {
        let mut page = self.group_error(self.inner.group_members(group, cursor, limit).await)?;
        match self.mutant {
            Mutant::MemberListedTwice => {
                let mut last = self.last_member.lock().unwrap();
                if let (Some(_), Some(previous)) = (cursor, last.take()) {
                    page.members.insert(0, previous);
                    page.members.truncate(limit);
                }
                *last = page.members.last().cloned();
            }
            Mutant::MemberPageDropsOne if page.next.is_some() => {
                page.members.pop();
            }
            _ => {}
        }
        Ok(page)
    }

    async fn set_group_role(&self, group: &str, user: &str, role: Role) -> Result<(), Error> {
        self.group_error(self.inner.set_group_role(group, user, role).await)
    }

    async fn transfer_group(&self, group: &str, new_owner: &str) -> Result<(), Error> {
        if self.mutant == Mutant::TransferDoesNothing {
            return Ok(());
        }
        self.group_error(self.inner.transfer_group(group, new_owner).await)
    }

    async fn mute_group_member(&self, group: &str, user: &str, duration: MuteDuration) -> Result<(), Error> {
        if self.mutant == Mutant::MuteDoesNothing {
            return Ok(());
        }
        self.group_error(self.inner.mute_group_member(group, user, duration).await)
    }

    async fn joined_groups(&self) -> Result<Vec<Group>, Error> {
        self.group_error(self.inner.joined_groups().await)
    }
}

impl MutantSession {
    /// A group call's result with the mutant's error defect, if it is one.
    fn group_error<T>(&self, result: Result<T, Error>) -> Result<T, Error> {
        match (self.mutant, result) {
            (Mutant::GroupDeniedIsNotFound, Err(e)) if e.kind == ErrorKind::PermissionDenied => {
                Err(Error { kind: ErrorKind::NotFound, ..e })
            }
            (Mutant::FullIsInvalidInput, Err(e)) if e.kind == ErrorKind::LimitExceeded => {
                Err(Error { kind: ErrorKind::InvalidInput, ..e })
            }
            (_, r) => r,
        }
    }
}

const TIMEOUT: Duration = Duration::from_secs(60);

/// Runs `cases` with `mutant` and expects every one of them to fail.
async fn caught(mutant: Mutant, cases: &[&str]) {
    caught_on(factory(mutant), mutant, cases).await
}

/// Runs `cases` on the mutant harnesses of `f` and expects every one of them to fail.
async fn caught_on(f: HarnessFactory, mutant: Mutant, cases: &[&str]) {
    for name in cases {
        let case = unim_conformance::case::find(name).unwrap_or_else(|| panic!("no case {name}"));
        match run_case(&case, &f, TIMEOUT).await {
            Outcome::Fail(detail) => println!("{mutant:?} caught by {name}: {detail}"),
            other => panic!("the mutant {mutant:?} was not caught by {name}: {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_transparent_wrapper_passes_every_case() {
    let f = factory(Mutant::None);
    for case in unim_conformance::all() {
        let outcome = run_case(&case, &f, TIMEOUT).await;
        assert!(matches!(outcome, Outcome::Pass | Outcome::Unsupported(_)), "{}: {outcome:?}", case.name);
    }
}

macro_rules! mutants {
    ($($test:ident: $mutant:ident => [$($case:literal),+ $(,)?];)*) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $test() {
            caught(Mutant::$mutant, &[$($case),+]).await;
        }
    )*};
}

mutants! {
    a_double_kick_is_caught: DoubleDisconnect => ["kick.other_login", "kick.by_server"];
    a_lost_vendor_code_is_caught: NoVendorCode => ["kick.other_login"];
    expiry_reported_as_auth_failure_is_caught: ExpiredIsUnauthenticated => ["login.expired_credential"];
    a_skipped_state_is_caught: SkipAuthenticating => ["login.ok"];
    a_missing_user_is_caught: NoUser => ["login.ok", "login.switch_account", "network.drop_reconnect"];
    a_hidden_reconnect_is_caught: HideReconnecting => ["network.drop_reconnect"];
    a_wrong_warning_time_is_caught: WrongWarnTime => ["credential.will_expire"];
    a_renewal_for_another_user_is_caught: RenewedForSomeoneElse => ["credential.renewed"];
    expiry_disconnects_as_auth_failures_are_caught: ExpiryIsAuthFailure =>
        ["credential.expired_online", "login.expired_credential"];
    invalid_input_as_auth_failure_is_caught: InvalidInputIsUnauthenticated => ["login.invalid_user_id"];
    a_wrong_concurrent_login_error_is_caught: ConcurrentIsOther => ["login.concurrent"];
    retrying_beyond_the_policy_is_caught: RetryTwice => ["network.unavailable"];
    a_resume_forgetting_why_is_caught: ResumeForgetsReason => ["autologin.resume"];
    a_wrong_platform_is_caught: WrongPlatform => ["multidevice.list"];
    a_hidden_logout_is_caught: HideRequested => ["logout.ok", "login.switch_account"];
    a_noisy_second_logout_is_caught: LogoutTwiceEmits => ["logout.ok"];
    reconnecting_after_a_kick_is_caught: ReconnectAfterKick => ["kick.other_login"];
    a_double_message_is_caught: DoubleMessage =>
        ["message.send_receive", "message.order", "message.offline_delivery", "message.dedupe"];
    swapped_messages_are_caught: SwapMessages => ["message.order", "message.offline_delivery"];
    a_message_lost_in_a_reconnect_is_caught: LoseMessageAfterReconnect => ["message.reconnect_delivery"];
    an_echo_of_the_own_send_is_caught: EchoOwnSend => ["message.send_receive"];
    a_retry_stored_twice_is_caught: RetryWithFreshClientId => ["message.dedupe"];
    a_lost_client_id_is_caught: ForgetClientId => ["message.send_receive", "message.dedupe"];
    a_refusal_without_its_code_is_caught: SendErrorWithoutCode => ["message.too_large", "message.unknown_recipient"];
    too_large_as_another_error_is_caught: TooLargeIsOther => ["message.too_large"];
    a_wrong_unread_count_is_caught: UnreadOffByOne => ["conversation.list", "conversation.mark_read"];
    a_wrong_conversation_order_is_caught: OldestConversationFirst => ["conversation.list"];
    a_mark_read_that_does_nothing_is_caught: MarkReadDoesNothing => ["conversation.mark_read"];
    a_delete_that_does_nothing_is_caught: DeleteDoesNothing => ["conversation.delete"];
    a_history_losing_messages_is_caught: HistoryDropsOne =>
        ["conversation.history", "message.dedupe", "group.message"];
    history_pages_newest_first_are_caught: HistoryNewestFirst => ["conversation.history"];
    an_admin_history_losing_messages_is_caught: AdminHistoryDropsOne => ["admin.history", "group.message"];
    an_admin_copy_from_the_wrong_sender_is_caught: AdminSendWrongSender => ["admin.send_as_user"];
    an_admin_losing_conversations_is_caught: AdminConversationsEmpty => ["admin.conversations"];
    a_hidden_removal_is_caught: HideMemberRemoved => ["group.add_remove_members", "group.admins"];
    a_hidden_join_request_is_caught: HideJoinRequested => ["group.join_approval"];
    a_hidden_dismissal_is_caught: HideDismissed => ["group.dismiss"];
    a_double_group_event_is_caught: DoubleGroupEvent => ["group.add_remove_members"];
    a_double_group_message_is_caught: DoubleMessage => ["group.message"];
    a_wrong_group_unread_count_is_caught: UnreadOffByOne => ["group.message"];
    a_group_mark_read_that_does_nothing_is_caught: MarkReadDoesNothing => ["group.message"];
    a_member_listed_twice_is_caught: MemberListedTwice => ["group.member_paging"];
    a_member_page_losing_one_is_caught: MemberPageDropsOne => ["group.member_paging"];
    an_ignored_mute_is_caught: MuteDoesNothing => ["group.mute_member"];
    a_group_refusal_as_not_found_is_caught: GroupDeniedIsNotFound =>
        ["group.permissions", "group.invite_only", "group.admins", "group.owner_leave"];
    a_full_group_as_invalid_input_is_caught: FullIsInvalidInput => ["group.full"];
    a_leave_that_does_nothing_is_caught: LeaveDoesNothing => ["group.leave", "group.joined_list"];
    a_transfer_that_does_nothing_is_caught: TransferDoesNothing => ["group.transfer_owner"];
    an_already_member_reported_added_is_caught: AlreadyMemberIsAdded => ["group.add_remove_members"];
}

#[cfg(feature = "netease")]
mod netease {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_transparent_wrapper_passes_every_case_on_netease() {
        let f = netease_factory(Mutant::None);
        for case in unim_conformance::all() {
            let outcome = run_case(&case, &f, TIMEOUT).await;
            assert!(matches!(outcome, Outcome::Pass | Outcome::Unsupported(_)), "{}: {outcome:?}", case.name);
        }
    }

    macro_rules! netease_mutants {
        ($($test:ident: $mutant:ident => [$($case:literal),+ $(,)?];)*) => {$(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $test() {
                caught_on(netease_factory(Mutant::$mutant), Mutant::$mutant, &[$($case),+]).await;
            }
        )*};
    }

    netease_mutants! {
        a_hidden_sync_is_caught: HideSync => ["sync.data_sync", "sync.offline_messages"];
        a_double_sync_end_is_caught: DoubleSyncFinished => ["sync.data_sync", "sync.offline_messages"];
        an_eviction_without_its_kicker_is_caught: EvictionWithoutKicker => ["multidevice.mixed_platforms"];
        a_resume_forgetting_why_is_caught_on_every_reason: ResumeForgetsReason => ["autologin.invalidated"];
        a_double_eviction_is_caught: DoubleDisconnect => ["multidevice.mixed_platforms"];
        a_skipped_state_is_caught_in_the_data_sync: SkipAuthenticating => ["sync.data_sync"];
        messages_announced_after_the_sync_are_caught: MessagesAfterSync => ["message.offline_delivery"];
        a_double_copy_on_another_device_is_caught: DoubleMessage => ["message.multi_device_copy"];
    }
}
