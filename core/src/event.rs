//! Session events, delivered as a `futures::Stream` to any number of subscribers.

use crate::{ConnectionState, Device, Disconnect, GroupEvent, Message};
use futures::Stream;
use serde::{Deserialize, Serialize};
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::sync::broadcast;
use tokio_stream::wrappers::{errors::BroadcastStreamRecvError, BroadcastStream};

/// Something that happened to a session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The connection state changed; `reason` is set when it became `Disconnected`.
    StateChanged {
        /// The new state.
        #[serde(flatten)]
        state: ConnectionState,
        /// Why the link ended, on `Disconnected`.
        reason: Option<Disconnect>,
    },
    /// The credential will expire at `expires_at` (Unix seconds).
    CredentialWillExpire {
        /// The user whose credential it is.
        user: String,
        /// The last valid second.
        expires_at: u64,
    },
    /// The credential expired while the session was using it.
    CredentialExpired {
        /// The user whose credential it is.
        user: String,
    },
    /// Fresh credentials from the provider are in use; the link stayed up.
    CredentialRenewed {
        /// The user whose credential it is.
        user: String,
        /// When the new credential expires, when known.
        expires_at: Option<u64>,
    },
    /// The vendor started syncing offline data.
    SyncStarted,
    /// The vendor finished syncing offline data.
    SyncFinished,
    /// Another device of the same user came online.
    DeviceOnline {
        /// That device.
        device: Device,
    },
    /// Another device of the same user went offline.
    DeviceOffline {
        /// That device.
        device: Device,
    },
    /// A message arrived: from a peer, or sent by another device of the same
    /// user (`direction` Outgoing). Each message is announced once per
    /// session, in the order of the conversation, including those synced at
    /// login.
    MessageReceived {
        /// The message.
        message: Box<Message>,
    },
    /// Something happened in one of the user's groups (or, for a join
    /// request, a group the user manages). Online members are told; an
    /// offline member reads the group's state when it logs in.
    Group {
        /// What happened.
        #[serde(flatten)]
        change: GroupEvent,
    },
    /// This subscriber fell behind and `missed` events were dropped for it.
    Lagged {
        /// How many events it missed.
        missed: u64,
    },
}

/// How many events a subscriber may fall behind before it starts missing some.
pub const EVENT_BUFFER: usize = 4096;

/// The sending side: a session emits here and every subscriber gets a copy.
#[derive(Clone, Debug)]
pub struct EventBus {
    tx: broadcast::Sender<Event>,
}

impl Default for EventBus {
    fn default() -> Self {
        Self::new()
    }
}

impl EventBus {
    /// A bus buffering [`EVENT_BUFFER`] events per subscriber.
    pub fn new() -> Self {
        let (tx, _) = broadcast::channel(EVENT_BUFFER);
        EventBus { tx }
    }

    /// Sends `event` to every current subscriber. With none, it is dropped.
    pub fn emit(&self, event: Event) {
        let _ = self.tx.send(event);
    }

    /// A new stream of every event emitted from now on.
    pub fn subscribe(&self) -> EventStream {
        EventStream { inner: BroadcastStream::new(self.tx.subscribe()) }
    }
}

/// One subscriber's events. Nothing is lost for a subscriber that keeps up; a
/// slow one gets [`Event::Lagged`] with the number it missed, then carries on.
pub struct EventStream {
    inner: BroadcastStream<Event>,
}

impl std::fmt::Debug for EventStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EventStream")
    }
}

impl Stream for EventStream {
    type Item = Event;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Event>> {
        Pin::new(&mut self.inner).poll_next(cx).map(|item| {
            item.map(|r| match r {
                Ok(event) => event,
                Err(BroadcastStreamRecvError::Lagged(missed)) => Event::Lagged { missed },
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;

    #[tokio::test]
    async fn every_subscriber_gets_every_event() {
        let bus = EventBus::new();
        let (mut a, mut b) = (bus.subscribe(), bus.subscribe());
        bus.emit(Event::SyncStarted);
        bus.emit(Event::SyncFinished);
        for s in [&mut a, &mut b] {
            assert_eq!(s.next().await, Some(Event::SyncStarted));
            assert_eq!(s.next().await, Some(Event::SyncFinished));
        }
    }

    #[tokio::test]
    async fn a_slow_subscriber_is_told_what_it_missed() {
        let bus = EventBus::new();
        let mut slow = bus.subscribe();
        for _ in 0..EVENT_BUFFER + 10 {
            bus.emit(Event::SyncStarted);
        }
        assert_eq!(slow.next().await, Some(Event::Lagged { missed: 10 }));
        assert_eq!(slow.next().await, Some(Event::SyncStarted));
    }

    #[test]
    fn state_events_serialize_flat() {
        let e = Event::StateChanged { state: ConnectionState::Connected, reason: None };
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"event":"state_changed","state":"connected","reason":null}"#
        );
    }

    #[test]
    fn group_events_serialize_flat_beside_the_event_tag() {
        let e = Event::Group { change: crate::GroupEvent::MemberLeft { group: "g1".into(), user: "bob".into() } };
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(json, r#"{"event":"group","group_event":"member_left","group":"g1","user":"bob"}"#);
        assert_eq!(serde_json::from_str::<Event>(&json).unwrap(), e);
    }
}
