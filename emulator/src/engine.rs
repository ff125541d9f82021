//! The one in-memory IM engine behind every vendor face: accounts, credential
//! revocation, live links (devices) with per-vendor multi-device policies.
//!
//! Faces translate their vendor's protocol into calls here and turn the
//! [`LinkSignal`]s they receive back into their vendor's frames.

use crate::faults::Faults;
use crate::groups::{Actor, Changes, GroupError, GroupRecord, GroupRules, Groups};
use crate::messages::{ConversationEntry, Messages, Stored, StoredMessage};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;
use unim_core::{Clock, ConversationId, Device, DisconnectReason, GroupSpec, JoinOutcome, MessageBody, Role};

/// The engine's handle of one live client link.
pub type LinkId = u64;

/// What the engine tells a face about one of its links.
#[derive(Debug, Clone)]
pub enum LinkSignal {
    /// Tell the client it was kicked, then end the link.
    Kicked {
        /// Why.
        reason: DisconnectReason,
        /// The device whose login caused it, when one did.
        by: Option<Device>,
    },
    /// End the link abruptly, as a network failure would (no goodbye frame).
    Drop,
    /// The same device connected again on a new link; end this one quietly.
    Replaced,
    /// A vendor-specific push for this link (the face that attached it knows the shape).
    Push(serde_json::Value),
}

/// How many devices a user may have online at once, and what the device
/// pushed out by a new login is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DevicePolicy {
    /// Devices per platform (0: no limit).
    pub per_platform: u32,
    /// Devices per device class, desktop or mobile (0: no limit).
    pub per_class: u32,
    /// Devices across all platforms (0: no limit).
    pub total: u32,
    /// The reason given to the device that a new login pushes out.
    pub evicted_reason: DisconnectReason,
}

impl DevicePolicy {
    /// One device in all: a new login kicks the previous device, whatever its
    /// platform (Tencent's default, tencent.md section 4).
    pub const SINGLE_DEVICE: DevicePolicy =
        DevicePolicy { per_platform: 1, per_class: 0, total: 1, evicted_reason: DisconnectReason::KickedByOtherLogin };

    /// At most one desktop (PC, Web) and one mobile (Android, iOS) device; a
    /// new login evicts the old one of its class (NetEase's default mode,
    /// netease.md 4.4).
    pub const ONE_DESKTOP_ONE_MOBILE: DevicePolicy =
        DevicePolicy { per_platform: 0, per_class: 1, total: 0, evicted_reason: DisconnectReason::KickedByOtherLogin };
}

/// A registered account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The user id.
    pub user: String,
    /// Display name, when set.
    pub nick: Option<String>,
    /// Avatar URL, when set.
    pub face_url: Option<String>,
    /// Creation time, Unix seconds.
    pub created_at: u64,
    /// Credentials issued before this second no longer log in (set by a server kick).
    pub revoked_before: Option<u64>,
}

/// A live link as others see it.
#[derive(Debug, Clone)]
pub struct LinkInfo {
    /// The engine's id.
    pub id: LinkId,
    /// Whose link.
    pub user: String,
    /// The device at the other end.
    pub device: Device,
    /// When it logged in, Unix seconds.
    pub since: u64,
}

struct Link {
    info: LinkInfo,
    order: u64,
    tx: mpsc::UnboundedSender<LinkSignal>,
}

#[derive(Default)]
struct State {
    accounts: HashMap<String, Account>,
    links: HashMap<LinkId, Link>,
    next_link: u64,
}

/// The engine. Cheap to share: faces hold an `Arc<Engine>`.
pub struct Engine {
    clock: Arc<dyn Clock>,
    faults: Faults,
    state: Mutex<State>,
    messages: Mutex<Messages>,
    groups: Mutex<Groups>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("clock", &self.clock).finish_non_exhaustive()
    }
}

/// A client link attached to the engine. Dropping it detaches the link.
#[derive(Debug)]
pub struct AttachedLink {
    engine: Arc<Engine>,
    /// The link's id.
    pub id: LinkId,
    /// Signals for this link.
    pub signals: mpsc::UnboundedReceiver<LinkSignal>,
}

impl Drop for AttachedLink {
    fn drop(&mut self) {
        self.engine.detach(self.id);
    }
}

impl Engine {
    /// A new, empty engine on `clock`.
    pub fn new(clock: Arc<dyn Clock>) -> Arc<Self> {
        Arc::new(Engine {
            clock,
            faults: Faults::default(),
            state: Mutex::new(State::default()),
            messages: Mutex::new(Messages::default()),
            groups: Mutex::new(Groups::default()),
        })
    }

    /// The engine's clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Now, in Unix seconds of the engine's clock.
    pub fn now(&self) -> u64 {
        self.clock.unix_secs()
    }

    /// Now, in Unix milliseconds of the engine's clock.
    pub fn now_ms(&self) -> u64 {
        self.clock.now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
    }

    fn messages(&self) -> std::sync::MutexGuard<'_, Messages> {
        self.messages.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stores a one-to-one message now, unless `from` already sent
    /// `client_id` (a retry: the earlier copy comes back, marked duplicate).
    /// `server_id` makes the face's id from the engine's seq and the time (ms).
    /// Updates both users' conversation lists; the recipient's unread count grows.
    pub fn store_message(
        &self,
        from: &str,
        to: &str,
        client_id: &str,
        body: MessageBody,
        server_id: impl FnOnce(u64, u64) -> String,
    ) -> Stored {
        let now = self.now_ms();
        self.messages().store(from, to, client_id, body, now, server_id)
    }

    /// The message whose face id is `server_id`.
    pub fn message_by_server_id(&self, server_id: &str) -> Option<StoredMessage> {
        self.messages().by_server_id(server_id)
    }

    /// Up to `limit` of the newest messages between `a` and `b` older than
    /// engine seq `before_seq` (`None`: the newest), oldest first.
    pub fn history(&self, a: &str, b: &str, before_seq: Option<u64>, limit: usize) -> Vec<StoredMessage> {
        self.messages().history(a, b, before_seq, limit)
    }

    /// `user`'s conversations, most recently updated first.
    pub fn conversations(&self, user: &str) -> Vec<ConversationEntry> {
        self.messages().conversations(user)
    }

    /// Marks `user`'s one-to-one conversation with `peer` read; false when there is none.
    pub fn mark_read(&self, user: &str, peer: &str) -> bool {
        self.messages().mark_read(user, &ConversationId::direct(peer))
    }

    /// Marks any of `user`'s conversations read; false when there is none.
    pub fn mark_conversation_read(&self, user: &str, conversation: &ConversationId) -> bool {
        self.messages().mark_read(user, conversation)
    }

    /// Removes `peer` from `user`'s conversation list (the history stays);
    /// false when it was not there.
    pub fn delete_conversation(&self, user: &str, peer: &str) -> bool {
        self.messages().delete_conversation(user, &ConversationId::direct(peer))
    }

    /// Removes any conversation from `user`'s list (the history stays).
    pub fn delete_conversation_of(&self, user: &str, conversation: &ConversationId) -> bool {
        self.messages().delete_conversation(user, conversation)
    }

    /// Stores a group message now for `members` (see [`Engine::send_group_message`],
    /// which checks membership and mutes first).
    pub(crate) fn store_group_message(
        &self,
        from: &str,
        group: &str,
        members: &[String],
        client_id: &str,
        body: MessageBody,
        server_id: impl FnOnce(u64, u64, u64) -> String,
    ) -> Stored {
        let now = self.now_ms();
        self.messages().store_group(from, group, members, client_id, body, now, server_id)
    }

    /// Up to `limit` of the newest messages of `group` older than engine seq
    /// `before_seq` (`None`: the newest), oldest first.
    pub fn group_history(&self, group: &str, before_seq: Option<u64>, limit: usize) -> Vec<StoredMessage> {
        self.messages().group_history(group, before_seq, limit)
    }

    fn groups(&self) -> std::sync::MutexGuard<'_, Groups> {
        self.groups.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn user_exists(&self, user: &str) -> bool {
        self.state().accounts.contains_key(user)
    }

    /// Creates a group under the face's `rules`; `id` makes the face's id
    /// from the engine's group number. Every user named must exist.
    pub fn create_group(
        &self,
        actor: Actor<'_>,
        spec: &GroupSpec,
        rules: GroupRules,
        id: impl FnOnce(u64) -> String,
    ) -> Result<(GroupRecord, Changes), GroupError> {
        let now = self.now_ms();
        let exists = |u: &str| self.user_exists(u);
        self.groups().create(actor, spec, rules, now, id, exists)
    }

    /// The group `id`.
    pub fn group(&self, id: &str) -> Result<GroupRecord, GroupError> {
        self.groups().get(id).cloned()
    }

    /// Changes a group's name and introduction (the owner and admins; any
    /// member of a private group when the rules say so).
    pub fn update_group(
        &self,
        actor: Actor<'_>,
        id: &str,
        name: Option<String>,
        introduction: Option<String>,
    ) -> Result<Changes, GroupError> {
        let now = self.now_ms();
        self.groups().update(actor, id, name, introduction, now).map(|(_, c)| c)
    }

    /// Adds users to a group; per user `Ok(true)` added, `Ok(false)` already
    /// a member, or why not. A batch that would overfill it fails whole.
    #[allow(clippy::type_complexity)]
    pub fn add_group_members(
        &self,
        actor: Actor<'_>,
        id: &str,
        users: &[String],
    ) -> Result<(Vec<(String, Result<bool, GroupError>)>, Changes), GroupError> {
        let now = self.now_ms();
        let exists = |u: &str| self.user_exists(u);
        self.groups().add(actor, id, users, now, exists)
    }

    /// Removes members (never the owner; an admin removes only plain members).
    /// Users who are not members are skipped.
    pub fn remove_group_members(&self, actor: Actor<'_>, id: &str, users: &[String]) -> Result<Changes, GroupError> {
        self.groups().remove(actor, id, users).map(|(_, c)| c)
    }

    /// `user` applies to join: joined at once, pending, or refused by the group's policy.
    pub fn apply_to_group(
        &self,
        user: &str,
        id: &str,
        message: Option<String>,
    ) -> Result<(JoinOutcome, Changes), GroupError> {
        let now = self.now_ms();
        self.groups().apply(user, id, message, now)
    }

    /// Approves or rejects `applicant`'s pending application.
    pub fn decide_group_application(
        &self,
        actor: Actor<'_>,
        id: &str,
        applicant: &str,
        accept: bool,
    ) -> Result<Changes, GroupError> {
        let now = self.now_ms();
        self.groups().decide(actor, id, applicant, accept, now).map(|(_, c)| c)
    }

    /// `user` leaves the group (the owner only where the rules allow).
    pub fn leave_group(&self, user: &str, id: &str) -> Result<Changes, GroupError> {
        self.groups().leave(user, id).map(|(_, c)| c)
    }

    /// Dismisses a group (its owner, or the app admin).
    pub fn dismiss_group(&self, actor: Actor<'_>, id: &str) -> Result<Changes, GroupError> {
        self.groups().dismiss(actor, id).map(|(_, c)| c)
    }

    /// Makes a member an admin or a plain member (the owner or the app admin).
    pub fn set_group_role(&self, actor: Actor<'_>, id: &str, user: &str, role: Role) -> Result<Changes, GroupError> {
        self.groups().set_role(actor, id, user, role).map(|(_, c)| c)
    }

    /// Hands a group to another member.
    pub fn transfer_group(&self, actor: Actor<'_>, id: &str, new_owner: &str) -> Result<Changes, GroupError> {
        self.groups().transfer(actor, id, new_owner).map(|(_, c)| c)
    }

    /// Mutes a member for `seconds` from now on the engine's clock (0 unmutes).
    pub fn mute_group_member(
        &self,
        actor: Actor<'_>,
        id: &str,
        user: &str,
        seconds: u64,
    ) -> Result<Changes, GroupError> {
        let until = if seconds == 0 { 0 } else { self.now_ms().saturating_add(seconds.saturating_mul(1000)) };
        self.groups().mute(actor, id, user, until).map(|(_, c)| c)
    }

    /// The groups `user` belongs to, oldest first.
    pub fn joined_groups(&self, user: &str) -> Vec<GroupRecord> {
        self.groups().joined(user)
    }

    /// Every group `keep` accepts (a face picks its own), oldest first.
    pub fn all_groups(&self, keep: impl Fn(&GroupRecord) -> bool) -> Vec<GroupRecord> {
        self.groups().all(keep)
    }

    /// Changes a group's kind, join policy or member limit; the face checks
    /// who may (no event: the neutral model has none for these).
    pub fn reconfigure_group(
        &self,
        id: &str,
        kind: Option<unim_core::GroupKind>,
        policy: Option<unim_core::JoinPolicy>,
        max_members: Option<u32>,
    ) -> Result<(), GroupError> {
        let now = self.now_ms();
        self.groups().reconfigure(id, kind, policy, max_members, now)
    }

    /// Face fields kept on a group (read or change them under the lock).
    pub fn with_group_extra<T>(
        &self,
        id: &str,
        f: impl FnOnce(&mut serde_json::Map<String, serde_json::Value>) -> T,
    ) -> Result<T, GroupError> {
        Ok(f(self.groups().extra_mut(id)?))
    }

    /// Sends a group message now: `actor` must be a member and not muted (the
    /// app admin always may); `sender` is who it is stored from. A retry of
    /// the same (sender, client id) returns the stored copy, marked
    /// duplicate. `server_id` gets the engine seq, the time (ms) and the
    /// message's place in the group's history (from 1). Returns the members
    /// to deliver to with it.
    pub fn send_group_message(
        &self,
        actor: Actor<'_>,
        sender: &str,
        id: &str,
        client_id: &str,
        body: MessageBody,
        server_id: impl FnOnce(u64, u64, u64) -> String,
    ) -> Result<(Stored, Vec<String>), GroupError> {
        let now = self.now_ms();
        let members = self.groups().check_send(actor.user(), id, now)?;
        let stored = self.store_group_message(sender, id, &members, client_id, body, server_id);
        Ok((stored, members))
    }

    /// The fault-injection controls tests use.
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Creates `user` unless it exists; returns whether it was created.
    /// Existing accounts keep their profile unless new values are given.
    pub fn create_account(&self, user: &str, nick: Option<String>, face_url: Option<String>) -> bool {
        let now = self.now();
        let mut st = self.state();
        match st.accounts.get_mut(user) {
            Some(acc) => {
                acc.nick = nick.or(acc.nick.take());
                acc.face_url = face_url.or(acc.face_url.take());
                false
            }
            None => {
                let acc = Account { user: user.to_owned(), nick, face_url, created_at: now, revoked_before: None };
                st.accounts.insert(user.to_owned(), acc);
                true
            }
        }
    }

    /// The account, if it exists.
    pub fn account(&self, user: &str) -> Option<Account> {
        self.state().accounts.get(user).cloned()
    }

    /// Deletes `user`, kicking its links with `AccountRemoved`; returns whether it existed.
    pub fn delete_account(&self, user: &str) -> bool {
        let existed = self.state().accounts.remove(user).is_some();
        if existed {
            self.kick_user(user, DisconnectReason::AccountRemoved);
        }
        existed
    }

    /// Makes every credential of `user` issued before now stop working, and
    /// kicks its links with `reason`. Returns how many links were kicked.
    pub fn revoke_and_kick(&self, user: &str, reason: DisconnectReason) -> usize {
        let now = self.now();
        if let Some(acc) = self.state().accounts.get_mut(user) {
            acc.revoked_before = Some(now);
        }
        self.kick_user(user, reason)
    }

    /// True when a credential of `user` issued at `issued_at` was revoked.
    pub fn is_revoked(&self, user: &str, issued_at: u64) -> bool {
        self.state().accounts.get(user).and_then(|a| a.revoked_before).is_some_and(|cut| issued_at < cut)
    }

    /// Attaches a logged-in link of `user` on `device`, applying `policy`.
    ///
    /// A device whose id matches a live link of the same user is the same
    /// client reconnecting: the old link is ended quietly (`Replaced`). Otherwise
    /// the oldest links beyond the policy's limits are kicked with the policy's
    /// reason, naming the new device.
    pub fn attach(self: &Arc<Self>, user: &str, device: Device, policy: DevicePolicy) -> AttachedLink {
        let now = self.now();
        let (tx, signals) = mpsc::unbounded_channel();
        let mut st = self.state();
        st.next_link += 1;
        let id = st.next_link;

        let mut mine: Vec<&Link> = st.links.values().filter(|l| l.info.user == user).collect();
        mine.sort_by_key(|l| l.order);
        let mut evict: Vec<(LinkId, LinkSignal)> = Vec::new();
        let mut kept: Vec<&Link> = Vec::new();
        for l in mine {
            if device.id.is_some() && l.info.device.id == device.id {
                evict.push((l.info.id, LinkSignal::Replaced));
            } else {
                kept.push(l);
            }
        }
        let kicked = LinkSignal::Kicked { reason: policy.evicted_reason, by: Some(device.clone()) };
        if policy.per_platform > 0 {
            let same: Vec<&&Link> = kept.iter().filter(|l| l.info.device.platform == device.platform).collect();
            let excess = (same.len() + 1).saturating_sub(policy.per_platform as usize);
            evict.extend(same.iter().take(excess).map(|l| (l.info.id, kicked.clone())));
        }
        if policy.per_class > 0 {
            let class = device.platform.class();
            let same: Vec<&&Link> = kept
                .iter()
                .filter(|l| l.info.device.platform.class() == class && !evict.iter().any(|(id, _)| *id == l.info.id))
                .collect();
            let excess = (same.len() + 1).saturating_sub(policy.per_class as usize);
            evict.extend(same.iter().take(excess).map(|l| (l.info.id, kicked.clone())));
        }
        if policy.total > 0 {
            let left: Vec<&&Link> = kept.iter().filter(|l| !evict.iter().any(|(id, _)| *id == l.info.id)).collect();
            let excess = (left.len() + 1).saturating_sub(policy.total as usize);
            evict.extend(left.iter().take(excess).map(|l| (l.info.id, kicked.clone())));
        }
        for (victim, signal) in evict {
            if let Some(l) = st.links.remove(&victim) {
                let _ = l.tx.send(signal);
            }
        }
        let info = LinkInfo { id, user: user.to_owned(), device, since: now };
        st.links.insert(id, Link { info, order: id, tx });
        AttachedLink { engine: Arc::clone(self), id, signals }
    }

    /// Detaches a link (normally by dropping its [`AttachedLink`]).
    pub fn detach(&self, id: LinkId) {
        self.state().links.remove(&id);
    }

    /// The live links of `user`, oldest first.
    pub fn links_of(&self, user: &str) -> Vec<LinkInfo> {
        let st = self.state();
        let mut links: Vec<(u64, LinkInfo)> =
            st.links.values().filter(|l| l.info.user == user).map(|l| (l.order, l.info.clone())).collect();
        links.sort_by_key(|(order, _)| *order);
        links.into_iter().map(|(_, info)| info).collect()
    }

    /// Is `id` still attached?
    pub fn is_attached(&self, id: LinkId) -> bool {
        self.state().links.contains_key(&id)
    }

    /// Sends `signal` to every link of `user` and detaches them. Returns how many.
    fn signal_user(&self, user: &str, signal: LinkSignal) -> usize {
        let mut st = self.state();
        let ids: Vec<LinkId> = st.links.values().filter(|l| l.info.user == user).map(|l| l.info.id).collect();
        for id in &ids {
            if let Some(l) = st.links.remove(id) {
                let _ = l.tx.send(signal.clone());
            }
        }
        ids.len()
    }

    /// Kicks one link with `reason` and detaches it; false when it is gone.
    pub fn kick_link(&self, id: LinkId, reason: DisconnectReason) -> bool {
        match self.state().links.remove(&id) {
            Some(l) => l.tx.send(LinkSignal::Kicked { reason, by: None }).is_ok(),
            None => false,
        }
    }

    /// Kicks one link with `reason`, naming the device that caused it (a
    /// kick from one of the user's own devices), and detaches it; false when
    /// it is gone.
    pub fn kick_link_by(&self, id: LinkId, reason: DisconnectReason, by: Option<Device>) -> bool {
        match self.state().links.remove(&id) {
            Some(l) => l.tx.send(LinkSignal::Kicked { reason, by }).is_ok(),
            None => false,
        }
    }

    /// Kicks every link of `user` with `reason`. Returns how many.
    pub fn kick_user(&self, user: &str, reason: DisconnectReason) -> usize {
        self.signal_user(user, LinkSignal::Kicked { reason, by: None })
    }

    /// Drops every link of `user` as a network failure would. Returns how many.
    pub fn drop_links(&self, user: &str) -> usize {
        self.signal_user(user, LinkSignal::Drop)
    }

    /// Sends a vendor push to one link; false when it is gone.
    pub fn push(&self, id: LinkId, payload: serde_json::Value) -> bool {
        self.state().links.get(&id).is_some_and(|l| l.tx.send(LinkSignal::Push(payload)).is_ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use unim_core::{ManualClock, Platform};

    fn engine() -> Arc<Engine> {
        Engine::new(Arc::new(ManualClock::at_unix(1_700_000_000)))
    }

    fn web(id: &str) -> Device {
        Device::new(Platform::Web).with_id(id)
    }

    #[test]
    fn single_device_policy_kicks_the_previous_device() {
        let e = engine();
        let mut a = e.attach("alice", web("a"), DevicePolicy::SINGLE_DEVICE);
        let b = e.attach("alice", Device::new(Platform::Android).with_id("b"), DevicePolicy::SINGLE_DEVICE);
        match a.signals.try_recv() {
            Ok(LinkSignal::Kicked { reason: DisconnectReason::KickedByOtherLogin, by: Some(by) }) => {
                assert_eq!(by.id.as_deref(), Some("b"))
            }
            other => panic!("expected a kick, got {other:?}"),
        }
        assert_eq!(e.links_of("alice").iter().map(|l| l.id).collect::<Vec<_>>(), vec![b.id]);
    }

    #[test]
    fn per_platform_limit_kicks_only_that_platforms_oldest() {
        let e = engine();
        let policy =
            DevicePolicy { per_platform: 2, per_class: 0, total: 0, evicted_reason: DisconnectReason::TooManyDevices };
        let mut w1 = e.attach("bob", web("w1"), policy);
        let mut m1 = e.attach("bob", Device::new(Platform::Ios).with_id("m1"), policy);
        let _w2 = e.attach("bob", web("w2"), policy);
        assert!(w1.signals.try_recv().is_err());
        let _w3 = e.attach("bob", web("w3"), policy);
        assert!(matches!(
            w1.signals.try_recv(),
            Ok(LinkSignal::Kicked { reason: DisconnectReason::TooManyDevices, .. })
        ));
        assert!(m1.signals.try_recv().is_err());
        assert_eq!(e.links_of("bob").len(), 3);
    }

    #[test]
    fn per_class_limit_keeps_one_desktop_and_one_mobile() {
        let e = engine();
        let policy = DevicePolicy::ONE_DESKTOP_ONE_MOBILE;
        let mut web1 = e.attach("carol", web("w1"), policy);
        let mut android = e.attach("carol", Device::new(Platform::Android).with_id("a1"), policy);
        assert!(web1.signals.try_recv().is_err(), "a desktop and a mobile coexist");
        let _ios = e.attach("carol", Device::new(Platform::Ios).with_id("i1"), policy);
        match android.signals.try_recv() {
            Ok(LinkSignal::Kicked { reason: DisconnectReason::KickedByOtherLogin, by: Some(by) }) => {
                assert_eq!(by.platform, Platform::Ios)
            }
            other => panic!("the second mobile should evict the first, got {other:?}"),
        }
        assert!(web1.signals.try_recv().is_err(), "the desktop stays");
        let _pc = e.attach("carol", Device::new(Platform::Windows).with_id("pc"), policy);
        assert!(matches!(web1.signals.try_recv(), Ok(LinkSignal::Kicked { .. })));
        assert_eq!(e.links_of("carol").len(), 2);
    }

    #[test]
    fn the_same_device_reconnecting_replaces_its_old_link_quietly() {
        let e = engine();
        let mut old = e.attach("alice", web("a"), DevicePolicy::SINGLE_DEVICE);
        let _new = e.attach("alice", web("a"), DevicePolicy::SINGLE_DEVICE);
        assert!(matches!(old.signals.try_recv(), Ok(LinkSignal::Replaced)));
    }

    #[test]
    fn one_link_can_be_kicked_alone() {
        let e = engine();
        let policy = DevicePolicy {
            per_platform: 0,
            per_class: 0,
            total: 0,
            evicted_reason: DisconnectReason::KickedByOtherLogin,
        };
        let mut a = e.attach("alice", web("a"), policy);
        let mut b = e.attach("alice", web("b"), policy);
        assert!(e.kick_link(a.id, DisconnectReason::KickedByServer));
        assert!(matches!(
            a.signals.try_recv(),
            Ok(LinkSignal::Kicked { reason: DisconnectReason::KickedByServer, .. })
        ));
        assert!(b.signals.try_recv().is_err());
        assert!(!e.kick_link(a.id, DisconnectReason::KickedByServer));
        assert_eq!(e.links_of("alice").iter().map(|l| l.id).collect::<Vec<_>>(), vec![b.id]);
    }

    #[test]
    fn a_kick_can_name_the_kicking_device() {
        let e = engine();
        let mut a = e.attach("alice", web("a"), DevicePolicy::ONE_DESKTOP_ONE_MOBILE);
        let phone = Device::new(Platform::Android).with_id("p");
        assert!(e.kick_link_by(a.id, DisconnectReason::KickedByOwnDevice, Some(phone)));
        match a.signals.try_recv() {
            Ok(LinkSignal::Kicked { reason: DisconnectReason::KickedByOwnDevice, by: Some(by) }) => {
                assert_eq!((by.platform, by.id.as_deref()), (Platform::Android, Some("p")))
            }
            other => panic!("expected a kick by the phone, got {other:?}"),
        }
        assert!(!e.is_attached(a.id));
        assert!(!e.kick_link_by(a.id, DisconnectReason::KickedByOwnDevice, None));
    }

    #[test]
    fn dropping_the_handle_detaches() {
        let e = engine();
        let a = e.attach("alice", web("a"), DevicePolicy::SINGLE_DEVICE);
        assert_eq!(e.links_of("alice").len(), 1);
        drop(a);
        assert!(e.links_of("alice").is_empty());
    }

    #[test]
    fn revocation_voids_older_credentials_only() {
        let clock = ManualClock::at_unix(1_700_000_000);
        let e = Engine::new(Arc::new(clock.clone()));
        e.create_account("alice", None, None);
        clock.advance(std::time::Duration::from_secs(5));
        e.revoke_and_kick("alice", DisconnectReason::KickedByServer);
        assert!(e.is_revoked("alice", 1_700_000_004));
        assert!(!e.is_revoked("alice", 1_700_000_005));
        assert!(!e.is_revoked("bob", 0));
    }
}
