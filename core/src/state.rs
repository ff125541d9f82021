//! Connection states, the login status derived from them, and the tracker that
//! turns state changes into events.

use crate::{Disconnect, Event, EventBus};
use serde::{Deserialize, Serialize};
use std::sync::Mutex;
use std::time::Duration;

/// Where a session's link stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ConnectionState {
    /// No link and no attempt under way.
    Disconnected,
    /// Opening the link.
    Connecting,
    /// The link is open; the credentials are being checked.
    Authenticating,
    /// Logged in; the vendor is syncing offline data.
    Syncing,
    /// Logged in and usable.
    Connected,
    /// The link dropped; the session is trying again by itself.
    Reconnecting {
        /// 1 for the first retry.
        attempt: u32,
        /// The wait before this attempt.
        #[serde(with = "crate::serde_millis", rename = "retry_in_ms")]
        retry_in: Duration,
    },
}

/// The login status an app shows, derived from [`ConnectionState`]. A
/// reconnecting session is still logged in: the user did not log out and the
/// session will recover by itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoginStatus {
    /// Not logged in.
    LoggedOut,
    /// A login is under way.
    LoggingIn,
    /// Logged in (possibly reconnecting).
    LoggedIn,
}

impl From<&ConnectionState> for LoginStatus {
    fn from(state: &ConnectionState) -> Self {
        match state {
            ConnectionState::Disconnected => LoginStatus::LoggedOut,
            ConnectionState::Connecting | ConnectionState::Authenticating => LoginStatus::LoggingIn,
            ConnectionState::Syncing | ConnectionState::Connected | ConnectionState::Reconnecting { .. } => {
                LoginStatus::LoggedIn
            }
        }
    }
}

/// Holds a session's current state and announces every change on its
/// [`EventBus`], so that adapters cannot forget an event or emit a stale one.
#[derive(Debug)]
pub struct StateTracker {
    state: Mutex<ConnectionState>,
    bus: EventBus,
}

impl StateTracker {
    /// A tracker starting `Disconnected`, announcing on `bus`.
    pub fn new(bus: EventBus) -> Self {
        StateTracker { state: Mutex::new(ConnectionState::Disconnected), bus }
    }

    /// The current state.
    pub fn get(&self) -> ConnectionState {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The login status derived from the current state.
    pub fn status(&self) -> LoginStatus {
        LoginStatus::from(&self.get())
    }

    /// Moves to `state` and emits `StateChanged` unless nothing changed.
    /// Returns whether the state changed.
    pub fn set(&self, state: ConnectionState) -> bool {
        self.transition(state, None)
    }

    /// Moves to `Disconnected` with a reason and emits it, unless already
    /// disconnected (a link can only end once). Returns whether it emitted.
    pub fn disconnect(&self, why: Disconnect) -> bool {
        self.transition(ConnectionState::Disconnected, Some(why))
    }

    fn transition(&self, state: ConnectionState, reason: Option<Disconnect>) -> bool {
        let mut cur = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if *cur == state {
            return false;
        }
        *cur = state.clone();
        // Emit under the lock so that subscribers see changes in the order they happened.
        self.bus.emit(Event::StateChanged { state, reason });
        true
    }

    /// The bus this tracker announces on.
    pub fn bus(&self) -> &EventBus {
        &self.bus
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DisconnectReason;
    use futures::StreamExt;

    #[test]
    fn reconnecting_is_still_logged_in() {
        let s = ConnectionState::Reconnecting { attempt: 1, retry_in: Duration::ZERO };
        assert_eq!(LoginStatus::from(&s), LoginStatus::LoggedIn);
        assert_eq!(LoginStatus::from(&ConnectionState::Authenticating), LoginStatus::LoggingIn);
        assert_eq!(LoginStatus::from(&ConnectionState::Disconnected), LoginStatus::LoggedOut);
    }

    #[tokio::test]
    async fn a_link_ends_once() {
        let bus = EventBus::new();
        let mut events = bus.subscribe();
        let t = StateTracker::new(bus);
        assert!(t.set(ConnectionState::Connecting));
        assert!(!t.set(ConnectionState::Connecting));
        assert!(t.disconnect(Disconnect::new(DisconnectReason::KickedByOtherLogin)));
        assert!(!t.disconnect(Disconnect::new(DisconnectReason::Network)));
        drop(t);
        let got: Vec<Event> = events.by_ref().take(2).collect().await;
        assert!(matches!(&got[0], Event::StateChanged { state: ConnectionState::Connecting, reason: None }));
        assert!(
            matches!(&got[1], Event::StateChanged { state: ConnectionState::Disconnected, reason: Some(d) } if d.reason == DisconnectReason::KickedByOtherLogin)
        );
    }
}
