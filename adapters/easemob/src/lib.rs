//! # unim-easemob — Easemob (环信) for unim
//!
//! - [`rest`] and [`admin`]: the documented server REST API under
//!   `/{org}/{app}`, the app server's [`unim_core::Admin`].
//! - [`link`]: the msync protobuf frames that the official `easemob-websdk`
//!   exchanges over WebSocket (docs/protocols/easemob.md).
//! - [`error`]: Easemob error strings, HTTP statuses and disconnect codes
//!   mapped to neutral kinds and reasons.
//!
//! The user's session over the msync link comes next; until then this crate
//! provides the admin face and the codec.

#![warn(missing_docs)]

pub mod admin;
pub mod error;
pub mod link;
pub mod rest;
pub mod user_id;

/// The vendor's short name, as it appears in [`unim_core::VendorError::vendor`].
pub const VENDOR: &str = "easemob";
