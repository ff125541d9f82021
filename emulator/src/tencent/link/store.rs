//! What all connections of one face share: the login sessions (keyed by their
//! A2Key) and which engine links are this face's (so that pushes go only to
//! them). Messages live in the engine and the face's
//! [`super::super::mailbox::Mailbox`].
//!
//! Sessions outlive sockets: the SDK reconnects with the same `instanceid` and
//! logs in again with its `a2` (docs/protocols/tencent.md section 9), and it
//! sends requests still pending from the old socket, with that `a2`, before
//! the re-login. So a request is authenticated by its `a2` here, not by the
//! connection it came on.
//!
//! One [`Store`] is created per face when it is served, and is shared by the
//! REST API (which pushes messages too) and the link; it goes away with the face's server.

use crate::{DevicePolicy, Engine, LinkId};
use serde_json::Value;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Mutex, MutexGuard};
use unim_core::Platform;
use unim_tencent::error::{kick_type_for, KICK_TYPE_REST_API};

/// Ended sessions remembered (so a stale `a2` still gets its precise answer);
/// beyond this the oldest are forgotten and their `a2` becomes unknown.
const ENDED_LIMIT: usize = 10_000;

/// Where a login session stands.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum SessionState {
    /// Logged in (attached to the engine while a connection carries it).
    Live,
    /// Logged out, or replaced by a new login of the same instance.
    LoggedOut,
    /// Forced offline with this KickType; requests get 1002 until the client logs out.
    Kicked { kick_type: i64, new_inst: Value },
    /// The UserSig expired; `reported` once a reply has said so (70001).
    Expired { reported: bool },
}

/// A login session, created by a `wslogin` with a UserSig.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    /// The user.
    pub(crate) user: String,
    /// The client instance (`instanceid` of the upgrade URL).
    pub(crate) instance: String,
    /// The instance's platform.
    pub(crate) platform: Platform,
    /// The server's id of this login (`InstId`).
    pub(crate) instid: u64,
    /// The UserSig's issue time (a REST kick voids older UserSigs).
    pub(crate) issued_at: u64,
    /// The UserSig's last valid second.
    pub(crate) expires_at: u64,
    /// The engine link that carries it, when one was attached (it may have gone since).
    pub(crate) link: Option<LinkId>,
    /// Creation order, oldest first.
    pub(crate) order: u64,
    /// Where it stands.
    pub(crate) state: SessionState,
}

/// What a request's `a2` stands for.
#[derive(Debug, Clone)]
pub(crate) enum Standing {
    /// No session has this `a2` (never issued, or long forgotten).
    Unknown,
    /// A live session (a copy).
    Live(Session),
    /// Logged out or replaced.
    LoggedOut,
    /// Forced offline.
    Kicked { kick_type: i64, new_inst: Value },
    /// The UserSig expired; `reported_before` if an earlier reply already said so.
    Expired { reported_before: bool },
}

#[derive(Default)]
struct Inner {
    sessions: HashMap<String, Session>,
    ended: VecDeque<String>,
    next_order: u64,
    links: HashSet<LinkId>,
}

impl Inner {
    /// Moves the session of `a2` to `state`; ended sessions are remembered up to a limit.
    fn set_state(&mut self, a2: &str, state: SessionState) {
        let Some(session) = self.sessions.get_mut(a2) else { return };
        let was_live = session.state == SessionState::Live;
        session.state = state;
        if was_live && session.state != SessionState::Live {
            self.ended.push_back(a2.to_owned());
            while self.ended.len() > ENDED_LIMIT {
                if let Some(old) = self.ended.pop_front() {
                    self.sessions.remove(&old);
                }
            }
        }
    }
}

/// The face-wide state of the web client protocol.
#[derive(Default)]
pub(crate) struct Store {
    inner: Mutex<Inner>,
}

impl Store {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stores a new live session under `a2` (its `order` is assigned here).
    pub(crate) fn open_session(&self, a2: &str, mut session: Session) {
        let mut inner = self.lock();
        inner.next_order += 1;
        session.order = inner.next_order;
        session.state = SessionState::Live;
        inner.sessions.insert(a2.to_owned(), session);
    }

    /// Ends every live session of client instance `instance`: a new login of
    /// the same instance replaces them.
    pub(crate) fn supersede_instance(&self, instance: &str) {
        let mut inner = self.lock();
        let old: Vec<String> = inner
            .sessions
            .iter()
            .filter(|(_, s)| s.instance == instance && s.state == SessionState::Live)
            .map(|(a2, _)| a2.clone())
            .collect();
        for a2 in old {
            inner.set_state(&a2, SessionState::LoggedOut);
        }
    }

    /// Notes the engine link that now carries the session of `a2`.
    pub(crate) fn set_link(&self, a2: &str, id: LinkId) {
        if let Some(s) = self.lock().sessions.get_mut(a2) {
            s.link = Some(id);
        }
    }

    /// Moves the session of `a2` to `state` (no effect for an unknown `a2`).
    pub(crate) fn set_state(&self, a2: &str, state: SessionState) {
        self.lock().set_state(a2, state);
    }

    /// What `a2` stands for at `now`. A live session whose UserSig expired,
    /// was revoked by a REST kick, or whose account is gone moves to expired
    /// or kicked here. An expired one is marked reported: the caller answers 70001.
    pub(crate) fn standing(&self, engine: &Engine, a2: &str, now: u64) -> Standing {
        let mut inner = self.lock();
        let Some(session) = inner.sessions.get(a2) else { return Standing::Unknown };
        if session.state == SessionState::Live {
            let gone = engine.account(&session.user).is_none() || engine.is_revoked(&session.user, session.issued_at);
            if gone {
                let kicked =
                    SessionState::Kicked { kick_type: KICK_TYPE_REST_API, new_inst: Value::Object(Default::default()) };
                inner.set_state(a2, kicked);
            } else if now > session.expires_at {
                inner.set_state(a2, SessionState::Expired { reported: false });
            }
        }
        let Some(session) = inner.sessions.get_mut(a2) else { return Standing::Unknown };
        match &mut session.state {
            SessionState::Live => Standing::Live(session.clone()),
            SessionState::LoggedOut => Standing::LoggedOut,
            SessionState::Kicked { kick_type, new_inst } => {
                Standing::Kicked { kick_type: *kick_type, new_inst: new_inst.clone() }
            }
            SessionState::Expired { reported } => {
                let reported_before = *reported;
                *reported = true;
                Standing::Expired { reported_before }
            }
        }
    }

    /// After a new login of `user` on `platform` was attached: applies `policy`
    /// to the user's live sessions that no connection carries right now (their
    /// socket is gone, they may come back with their `a2`). The oldest beyond
    /// the policy's limits are kicked, as the engine kicked attached links, so
    /// that they cannot come back and push out the newer login.
    pub(crate) fn evict_detached(
        &self,
        engine: &Engine,
        user: &str,
        platform: &Platform,
        policy: DevicePolicy,
        new_inst: &Value,
    ) -> usize {
        let attached = engine.links_of(user);
        let mut inner = self.lock();
        let mut detached: Vec<(u64, String, Platform)> = inner
            .sessions
            .iter()
            .filter(|(_, s)| s.user == user && s.state == SessionState::Live)
            .filter(|(_, s)| !s.link.is_some_and(|id| engine.is_attached(id)))
            .map(|(a2, s)| (s.order, a2.clone(), s.platform.clone()))
            .collect();
        detached.sort();
        let mut evict: Vec<String> = Vec::new();
        if policy.per_platform > 0 {
            let same_attached = attached.iter().filter(|l| l.device.platform == *platform).count();
            let same: Vec<&(u64, String, Platform)> = detached.iter().filter(|d| d.2 == *platform).collect();
            let excess = (same_attached + same.len()).saturating_sub(policy.per_platform as usize);
            evict.extend(same.iter().take(excess).map(|d| d.1.clone()));
        }
        if policy.total > 0 {
            let left: Vec<&(u64, String, Platform)> = detached.iter().filter(|d| !evict.contains(&d.1)).collect();
            let excess = (attached.len() + left.len()).saturating_sub(policy.total as usize);
            evict.extend(left.iter().take(excess).map(|d| d.1.clone()));
        }
        let kick_type = kick_type_for(policy.evicted_reason);
        for a2 in &evict {
            inner.set_state(a2, SessionState::Kicked { kick_type, new_inst: new_inst.clone() });
        }
        evict.len()
    }

    /// Notes that this face attached `id`.
    pub(crate) fn register_link(&self, id: LinkId) {
        self.lock().links.insert(id);
    }

    /// Forgets `id` (its connection ended or no longer carries a session).
    pub(crate) fn unregister_link(&self, id: LinkId) {
        self.lock().links.remove(&id);
    }

    /// Pushes `payload` (an engine push) to every live link of `user` that
    /// this face attached, except the one of client instance `except`.
    /// Returns how many links it reached.
    pub(crate) fn push_to(&self, engine: &Engine, user: &str, except: Option<&str>, payload: &Value) -> usize {
        let inner = self.lock();
        engine
            .links_of(user)
            .into_iter()
            .filter(|l| inner.links.contains(&l.id))
            .filter(|l| except.is_none() || l.device.id.as_deref() != except)
            .filter(|l| engine.push(l.id, payload.clone()))
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DevicePolicy;
    use serde_json::json;
    use std::sync::Arc;
    use unim_core::{Device, ManualClock};

    fn engine() -> Arc<Engine> {
        Engine::new(Arc::new(ManualClock::at_unix(1_700_000_000)))
    }

    fn session(user: &str, instance: &str) -> Session {
        Session {
            user: user.into(),
            instance: instance.into(),
            platform: Platform::Web,
            instid: 1,
            issued_at: 1_700_000_000,
            expires_at: 1_700_000_100,
            link: None,
            order: 0,
            state: SessionState::Live,
        }
    }

    #[test]
    fn pushes_reach_only_this_faces_links_and_skip_the_sender() {
        let e = engine();
        let s = Store::default();
        let mine = e.attach(
            "bob",
            Device::new(Platform::Web).with_id("i1"),
            DevicePolicy {
                per_platform: 0,
                per_class: 0,
                total: 0,
                evicted_reason: unim_core::DisconnectReason::KickedByOtherLogin,
            },
        );
        let _other_face = e.attach(
            "bob",
            Device::new(Platform::Web).with_id("i2"),
            DevicePolicy {
                per_platform: 0,
                per_class: 0,
                total: 0,
                evicted_reason: unim_core::DisconnectReason::KickedByOtherLogin,
            },
        );
        s.register_link(mine.id);
        assert_eq!(s.push_to(&e, "bob", None, &json!({})), 1);
        assert_eq!(s.push_to(&e, "bob", Some("i1"), &json!({})), 0);
    }

    #[test]
    fn expiry_is_reported_once_and_then_remembered() {
        let e = engine();
        e.create_account("alice", None, None);
        let s = Store::default();
        s.open_session("a2", session("alice", "i1"));
        assert!(matches!(s.standing(&e, "a2", 1_700_000_100), Standing::Live(_)));
        assert!(matches!(s.standing(&e, "a2", 1_700_000_101), Standing::Expired { reported_before: false }));
        assert!(matches!(s.standing(&e, "a2", 1_700_000_101), Standing::Expired { reported_before: true }));
        assert!(matches!(s.standing(&e, "other", 0), Standing::Unknown));
    }

    #[test]
    fn a_new_login_of_the_same_instance_replaces_the_old_session() {
        let e = engine();
        e.create_account("alice", None, None);
        let s = Store::default();
        s.open_session("old", session("alice", "i1"));
        s.supersede_instance("i1");
        assert!(matches!(s.standing(&e, "old", 0), Standing::LoggedOut));
    }

    #[test]
    fn detached_sessions_beyond_the_policy_are_kicked() {
        let e = engine();
        e.create_account("alice", None, None);
        let s = Store::default();
        s.open_session("gone", session("alice", "i1"));
        let _new = e.attach("alice", Device::new(Platform::Web).with_id("i2"), DevicePolicy::SINGLE_DEVICE);
        assert_eq!(s.evict_detached(&e, "alice", &Platform::Web, DevicePolicy::SINGLE_DEVICE, &json!({})), 1);
        assert!(matches!(s.standing(&e, "gone", 0), Standing::Kicked { kick_type: 1, .. }));
    }
}
