//! The face's online clients ("login ports", 4.5): who is online on which
//! connection, the loginPorts list of the 2_3 reply and the 2_7 pushes that
//! tell an account's other clients when one comes or goes.

use super::super::Face;
use super::push_frame;
use crate::LinkId;
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use unim_netease::link::ids::login_port as tag;
use unim_netease::link::{cmd, Property, Response};

/// 2_7 state: these clients came online.
pub(super) const ONLINE: i64 = 2;
/// 2_7 state: these clients went offline.
pub(super) const OFFLINE: i64 = 3;
/// How many kicked instances are remembered for the 417 rule.
const MAX_KICKED_REMEMBERED: usize = 100_000;
/// The first synthetic client port told in loginRes (tag 104).
const FIRST_PORT: u32 = 40_000;

/// One online client.
#[derive(Clone, Debug)]
pub(super) struct Port {
    /// The engine link of its connection.
    pub(super) link: LinkId,
    /// The account, lower-cased.
    pub(super) accid: String,
    /// Its client type number (login tag 3).
    pub(super) client_type: i64,
    /// Its OS (login tag 4).
    pub(super) os: String,
    /// Its deviceId (login tag 13): shared by every SDK instance of one process.
    pub(super) device_id: String,
    /// The connection's id (loginRes tag 102), unique per connection.
    pub(super) connection_id: String,
    /// The client's address as told in loginRes.
    pub(super) ip: String,
    /// Login time, Unix ms.
    pub(super) time_ms: u64,
    /// The SDK instance (login tag 26; empty without one): what owes it
    /// offline messages across its reconnects.
    pub(super) instance: String,
}

impl Port {
    /// The loginPort Property.
    pub(super) fn to_property(&self) -> Property {
        Property::new()
            .with(tag::TYPE, self.client_type)
            .with(tag::OS, self.os.clone())
            .with(tag::DEVICE_ID, self.device_id.clone())
            .with(tag::ACCOUNT, self.accid.clone())
            .with(tag::CONNECTION_ID, self.connection_id.clone())
            .with(tag::IP, self.ip.clone())
            .with(tag::TIME, self.time_ms)
    }
}

#[derive(Default)]
struct State {
    ports: HashMap<LinkId, Port>,
    /// Kick extensions waiting for the 2_5 push of a link.
    kick_ext: HashMap<LinkId, String>,
    /// Instances (accid, instance id) that were kicked: their automatic re-logins get 417.
    kicked: HashSet<(String, String)>,
    next: u64,
}

/// The online clients of the face, by engine link.
#[derive(Default)]
pub(super) struct Ports(Mutex<State>);

impl Ports {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A fresh connection id and client port for a new connection.
    pub(super) fn next_connection(&self) -> (String, u16) {
        let mut st = self.state();
        st.next += 1;
        let port = u16::try_from(u64::from(FIRST_PORT) + st.next % 20_000).unwrap_or(u16::MAX);
        (st.next.to_string(), port)
    }

    pub(super) fn add(&self, port: Port) {
        self.state().ports.insert(port.link, port);
    }

    pub(super) fn remove(&self, link: LinkId) -> Option<Port> {
        let mut st = self.state();
        st.kick_ext.remove(&link);
        st.ports.remove(&link)
    }

    /// The clients of `accid`, oldest first.
    pub(super) fn of_user(&self, accid: &str) -> Vec<Port> {
        let mut ports: Vec<Port> = self.state().ports.values().filter(|p| p.accid == accid).cloned().collect();
        ports.sort_by_key(|p| p.link);
        ports
    }

    /// Remembers that `instance` of `accid` was kicked.
    pub(super) fn mark_kicked(&self, accid: &str, instance: &str) {
        let mut st = self.state();
        if st.kicked.len() >= MAX_KICKED_REMEMBERED {
            st.kicked.clear();
        }
        st.kicked.insert((accid.to_owned(), instance.to_owned()));
    }

    /// Was `instance` of `accid` kicked (and not logged in since)?
    pub(super) fn was_kicked(&self, accid: &str, instance: &str) -> bool {
        self.state().kicked.contains(&(accid.to_owned(), instance.to_owned()))
    }

    /// `instance` of `accid` logged in again.
    pub(super) fn forget_kicked(&self, accid: &str, instance: &str) {
        self.state().kicked.remove(&(accid.to_owned(), instance.to_owned()));
    }

    /// The kick extension for the next 2_5 of `link`.
    pub(super) fn set_kick_ext(&self, link: LinkId, ext: &str) {
        self.state().kick_ext.insert(link, ext.to_owned());
    }

    /// Takes the kick extension set for `link`.
    pub(super) fn take_kick_ext(&self, link: LinkId) -> Option<String> {
        self.state().kick_ext.remove(&link)
    }
}

/// The other clients of `port`'s account that are still online (evicted
/// clients leave the engine at once, their connections a moment later).
pub(super) fn others(face: &Face, port: &Port) -> Vec<Port> {
    face.links
        .ports
        .of_user(&port.accid)
        .into_iter()
        .filter(|p| p.link != port.link && face.engine.is_attached(p.link))
        .collect()
}

/// Tells `port`'s other clients that it came online or went offline (2_7).
pub(super) fn announce(face: &Face, port: &Port, state: i64) {
    let push = Response::push(cmd::MULTI_PORT_LOGIN, vec![state.into(), super::property_array([port.to_property()])]);
    for other in others(face, port) {
        push_frame(face, other.link, &push);
    }
}
