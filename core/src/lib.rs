//! # unim-core — the vendor-neutral instant-messaging model
//!
//! This crate holds what every unim adapter shares and nothing that talks to a
//! network: credentials and their redaction, connection states and the reasons
//! a link ends, the event stream, errors, capabilities, clocks, the auto-login
//! store, and the [`Session`] and [`Admin`] traits that each vendor adapter
//! implements. No vendor name appears here; vendor codes travel beside the
//! neutral values in [`VendorError`].

#![warn(missing_docs)]

pub mod admin;
pub mod capabilities;
pub mod clock;
pub mod credentials;
pub mod device;
pub mod error;
pub mod event;
pub mod group;
pub mod message;
pub mod reason;
pub mod secret;
pub mod serde_millis;
pub mod session;
pub mod state;
pub mod store;
pub mod supervise;

pub use admin::{Admin, BatchItem, Presence, PresenceStatus};
pub use capabilities::{Capabilities, GroupKinds, OwnerLeave};
pub use clock::{Clock, ManualClock, SystemClock};
pub use credentials::{CredentialKind, CredentialLifetime, CredentialProvider, Credentials, RenewReason};
pub use device::{Device, DeviceClass, Platform};
pub use error::{Error, ErrorKind, Result, VendorError};
pub use event::{Event, EventBus, EventStream};
pub use group::{
    Group, GroupEvent, GroupKind, GroupMember, GroupSpec, GroupUpdate, JoinOutcome, JoinPolicy, MemberCursor,
    MemberPage, MuteDuration, Role,
};
pub use message::{
    new_client_id, Conversation, ConversationId, ConversationKind, Direction, HistoryCursor, HistoryPage, Message,
    MessageBody, MessageStatus, OutgoingMessage,
};
pub use reason::{is_fatal, Disconnect, DisconnectReason, Recovery};
pub use secret::Secret;
pub use session::{ReconnectPolicy, Session, SessionOptions};
pub use state::{ConnectionState, LoginStatus, StateTracker};
pub use store::{
    record_disconnect, resume_credentials, JsonFileStore, MemoryStore, SavedLogin, SessionStore, StoreEntry,
};
