//! The account's other online devices as the link tells them: the `2_3`
//! reply's loginPorts, kept up to date by `2_7` pushes (state 2 online, 3
//! offline), keyed by connection id (docs/protocols/netease.md 4.1, 4.5).

use crate::link::ids::login_port;
use crate::link::{ClientType, Property};
use std::collections::BTreeMap;
use unim_core::{Device, Platform};

/// `2_7` state: these devices came online.
pub(crate) const PORTS_ONLINE: i64 = 2;
/// `2_7` state: these devices went offline.
pub(crate) const PORTS_OFFLINE: i64 = 3;

/// The other devices, by connection id (a port without one is keyed by its deviceId).
#[derive(Debug, Default)]
pub(crate) struct Ports {
    by_connection: BTreeMap<String, Device>,
    /// This session's own connection id, whose entries are never listed.
    own: Option<String>,
}

/// The key and the device of one loginPort.
fn port(p: &Property) -> Option<(String, Device)> {
    let device_id = p.str(login_port::DEVICE_ID).filter(|s| !s.is_empty());
    let key = p.str(login_port::CONNECTION_ID).filter(|s| !s.is_empty()).or_else(|| device_id.clone())?;
    let platform = match p.int(login_port::TYPE) {
        Some(code) => {
            ClientType::from_code(code).map(ClientType::platform).unwrap_or(Platform::Other(code.to_string()))
        }
        None => Platform::Other("unknown".into()),
    };
    let device = Device { platform, id: device_id, name: p.str(login_port::OS).filter(|s| !s.is_empty()) };
    Some((key, device))
}

impl Ports {
    /// Replaces the list with the `2_3` reply's, minus this connection.
    pub(crate) fn reset(&mut self, ports: &[Property], own_connection: Option<&str>) {
        self.own = own_connection.map(str::to_owned);
        self.by_connection = ports.iter().filter_map(port).filter(|(k, _)| Some(k) != self.own.as_ref()).collect();
    }

    /// Applies a `2_7` push; returns the devices that changed, with whether
    /// each came online. Entries for this connection are ignored.
    pub(crate) fn apply(&mut self, state: i64, ports: &[Property]) -> Vec<(Device, bool)> {
        let mut changed = Vec::new();
        for (key, device) in ports.iter().filter_map(port) {
            if Some(&key) == self.own.as_ref() {
                continue;
            }
            match state {
                PORTS_ONLINE => {
                    self.by_connection.insert(key, device.clone());
                    changed.push((device, true));
                }
                PORTS_OFFLINE => {
                    let known = self.by_connection.remove(&key);
                    changed.push((known.unwrap_or(device), false));
                }
                other => tracing::debug!("ignoring a 2_7 push with state {other}"),
            }
        }
        changed
    }

    /// Forgets the devices whose deviceId is in `ids` (they were kicked).
    pub(crate) fn remove_ids(&mut self, ids: &[String]) {
        self.by_connection.retain(|_, d| !d.id.as_ref().is_some_and(|id| ids.contains(id)));
    }

    /// The devices, in a stable order.
    pub(crate) fn list(&self) -> Vec<Device> {
        self.by_connection.values().cloned().collect()
    }

    /// Forgets every device.
    pub(crate) fn clear(&mut self) {
        self.by_connection.clear();
        self.own = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(conn: &str, ty: i64, dev: &str) -> Property {
        Property::new()
            .with(login_port::CONNECTION_ID, conn)
            .with(login_port::TYPE, ty)
            .with(login_port::DEVICE_ID, dev)
            .with(login_port::OS, "win")
    }

    #[test]
    fn login_ports_then_pushes_keep_the_list() {
        let mut ports = Ports::default();
        ports.reset(&[p("c1", 1, "phone"), p("me", 16, "mine")], Some("me"));
        let list = ports.list();
        assert_eq!(list.len(), 1);
        assert_eq!((list[0].platform.clone(), list[0].id.as_deref()), (Platform::Android, Some("phone")));
        assert_eq!(list[0].name.as_deref(), Some("win"));
        let changed = ports.apply(PORTS_ONLINE, &[p("c2", 4, "pc")]);
        assert_eq!(changed.len(), 1);
        assert!(changed[0].1);
        assert_eq!(ports.list().len(), 2);
        let changed = ports.apply(PORTS_OFFLINE, &[p("c1", 1, "phone"), p("me", 16, "mine")]);
        assert_eq!(changed.len(), 1);
        assert_eq!(ports.list().iter().map(|d| d.platform.clone()).collect::<Vec<_>>(), [Platform::Windows]);
        ports.remove_ids(&["pc".into()]);
        assert!(ports.list().is_empty());
        assert!(ports.apply(9, &[p("c3", 2, "x")]).is_empty());
        ports.reset(&[Property::new().with(login_port::TYPE, 99)], None);
        assert!(ports.list().is_empty(), "a port without any id is dropped");
    }
}
