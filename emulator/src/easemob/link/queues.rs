//! The msync face's message queues (docs/protocols/easemob.md 7.4): the
//! server owns every read position, because the SDK keeps no cursor.
//!
//! - Per **device** (user + resource) and per queue name, the metas not yet
//!   written to that device. They outlive the socket: a device that comes
//!   back with the same resource finds them.
//! - Per **user**, the metas sent while none of the user's devices was
//!   online; the next device of that user to log in takes them all.
//! - The **online** devices of this face, by engine link id, so that a sender
//!   can NOTICE each receiving connection (through [`crate::Engine::push`]).
//!
//! A pull takes the next page off the queue: a page counts as read once it is
//! written (7.4, "consume on write").

use crate::LinkId;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};
use unim_easemob::link::Meta;

/// The most metas in one pull reply.
pub(crate) const PAGE: usize = 50;

/// What marks a group's queue name apart from a user's (a group's messages
/// and notifications queue under its JID, `<id>@conference.easemob.com`).
const GROUP_QUEUE_SUFFIX: &str = "@conference";

/// The queue name of group `id`.
pub(crate) fn group_queue(id: &str) -> String {
    format!("{id}{GROUP_QUEUE_SUFFIX}")
}

/// The group a queue name belongs to, when it is a group's.
pub(crate) fn queue_group(name: &str) -> Option<&str> {
    name.strip_suffix(GROUP_QUEUE_SUFFIX)
}

/// A device: lower-case user name and resource.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct DeviceKey {
    pub(crate) user: String,
    pub(crate) resource: String,
}

/// What one device has waiting.
#[derive(Default)]
struct DeviceQueues {
    /// Queue name (a peer's user name) → metas, oldest first.
    queues: BTreeMap<String, VecDeque<Meta>>,
    /// The login's custom text (`Provision.reason`), shown to devices it kicks.
    login_ext: Option<String>,
}

#[derive(Default)]
struct Inner {
    devices: HashMap<DeviceKey, DeviceQueues>,
    /// User → (queue name, meta) sent while the user had no device online.
    offline: HashMap<String, Vec<(String, Meta)>>,
    online: HashMap<LinkId, DeviceKey>,
    last_id: u64,
}

/// One page of a pull.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Page {
    pub(crate) metas: Vec<Meta>,
    /// Whether the queue is now empty.
    pub(crate) is_last: bool,
}

/// The queues of one face.
#[derive(Default)]
pub(crate) struct Queues {
    inner: Mutex<Inner>,
}

impl Queues {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A fresh server id: 19 decimal digits (the clock's milliseconds times a
    /// million, plus a counter), strictly growing.
    pub(crate) fn next_id(&self, now_ms: u64) -> u64 {
        let mut inner = self.lock();
        let base = now_ms.saturating_mul(1_000_000);
        inner.last_id = base.max(inner.last_id.saturating_add(1));
        inner.last_id
    }

    /// Remembers the custom text of the login of `device` (before it
    /// attaches, so that the devices it kicks can read it).
    pub(crate) fn set_login_ext(&self, device: &DeviceKey, login_ext: Option<String>) {
        self.lock().devices.entry(device.clone()).or_default().login_ext = login_ext;
    }

    /// `device` logged in on `link`: it is online from now on and takes every
    /// meta its user got while offline.
    pub(crate) fn login(&self, link: LinkId, device: DeviceKey) {
        let mut inner = self.lock();
        let offline = inner.offline.remove(&device.user).unwrap_or_default();
        let entry = inner.devices.entry(device.clone()).or_default();
        for (queue, meta) in offline {
            entry.queues.entry(queue).or_default().push_back(meta);
        }
        inner.online.insert(link, device);
    }

    /// `link` is no longer online (its metas stay with the device).
    pub(crate) fn logout(&self, link: LinkId) {
        self.lock().online.remove(&link);
    }

    /// Forgets everything waiting for `user` (the account was deleted).
    pub(crate) fn forget_user(&self, user: &str) {
        let mut inner = self.lock();
        inner.devices.retain(|k, _| k.user != user);
        inner.offline.remove(user);
    }

    /// The custom text the login of `device` gave, if any.
    pub(crate) fn login_ext(&self, device: &DeviceKey) -> Option<String> {
        self.lock().devices.get(device).and_then(|d| d.login_ext.clone())
    }

    /// Appends `meta` to queue `queue` of every online device of `user`
    /// except `skip`, and returns their links (to NOTICE). When `offline_too`
    /// and no device got it, keeps it for the user's next login.
    pub(crate) fn deliver(
        &self,
        user: &str,
        queue: &str,
        meta: &Meta,
        skip: Option<LinkId>,
        offline_too: bool,
    ) -> Vec<LinkId> {
        let mut inner = self.lock();
        let Inner { devices, online, offline, .. } = &mut *inner;
        let mut targets: Vec<(LinkId, DeviceKey)> = online
            .iter()
            .filter(|(id, k)| k.user == user && Some(**id) != skip)
            .map(|(id, k)| (*id, k.clone()))
            .collect();
        targets.sort();
        // One copy per device, even if a device shows up on two links.
        targets.dedup_by(|a, b| a.1 == b.1);
        for (_, key) in &targets {
            devices.entry(key.clone()).or_default().queues.entry(queue.to_owned()).or_default().push_back(meta.clone());
        }
        if targets.is_empty() && offline_too {
            offline.entry(user.to_owned()).or_default().push((queue.to_owned(), meta.clone()));
        }
        targets.into_iter().map(|(id, _)| id).collect()
    }

    /// The non-empty queues of `device` and their lengths.
    pub(crate) fn unread(&self, device: &DeviceKey) -> Vec<(String, usize)> {
        let inner = self.lock();
        inner.devices.get(device).map_or_else(Vec::new, |d| {
            d.queues.iter().filter(|(_, q)| !q.is_empty()).map(|(name, q)| (name.clone(), q.len())).collect()
        })
    }

    /// Takes the next page (at most [`PAGE`] metas) off queue `queue` of `device`.
    pub(crate) fn pull(&self, device: &DeviceKey, queue: &str) -> Page {
        let mut inner = self.lock();
        let Some(q) = inner.devices.get_mut(device).and_then(|d| d.queues.get_mut(queue)) else {
            return Page { metas: Vec::new(), is_last: true };
        };
        let n = q.len().min(PAGE);
        let metas: Vec<Meta> = q.drain(..n).collect();
        Page { metas, is_last: q.is_empty() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(user: &str, res: &str) -> DeviceKey {
        DeviceKey { user: user.into(), resource: res.into() }
    }

    fn meta(id: u64) -> Meta {
        Meta { id: Some(id), ..Meta::default() }
    }

    #[test]
    fn group_queues_are_named_apart() {
        assert_eq!(queue_group(&group_queue("123")), Some("123"));
        assert_eq!(queue_group("alice"), None);
    }

    #[test]
    fn ids_grow_and_have_19_digits() {
        let q = Queues::default();
        let a = q.next_id(1_700_000_000_000);
        let b = q.next_id(1_700_000_000_000);
        let c = q.next_id(1_600_000_000_000);
        assert_eq!(a.to_string().len(), 19);
        assert!(a < b && b < c);
    }

    #[test]
    fn offline_metas_go_to_the_next_login_once() {
        let q = Queues::default();
        assert!(q.deliver("bob", "alice", &meta(1), None, true).is_empty());
        q.login(7, key("bob", "r1"));
        assert_eq!(q.unread(&key("bob", "r1")), vec![("alice".to_owned(), 1)]);
        q.login(8, key("bob", "r2"));
        assert!(q.unread(&key("bob", "r2")).is_empty());
        let page = q.pull(&key("bob", "r1"), "alice");
        assert_eq!((page.metas.len(), page.is_last), (1, true));
        assert!(q.pull(&key("bob", "r1"), "alice").metas.is_empty());
    }

    #[test]
    fn pages_are_consumed_when_taken() {
        let q = Queues::default();
        q.login(1, key("bob", "r"));
        for i in 0..(PAGE as u64 + 3) {
            assert_eq!(q.deliver("bob", "alice", &meta(i), None, true), vec![1]);
        }
        let first = q.pull(&key("bob", "r"), "alice");
        assert_eq!((first.metas.len(), first.is_last), (PAGE, false));
        let second = q.pull(&key("bob", "r"), "alice");
        assert_eq!((second.metas.len(), second.is_last), (3, true));
        q.logout(1);
        assert!(q.deliver("bob", "alice", &meta(99), None, false).is_empty());
        assert!(q.unread(&key("bob", "r")).is_empty());
    }
}
