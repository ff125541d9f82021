//! NetEase Yunxin's server API (netease.md sections 1-3): the signed
//! [`RestClient`] and the reply payloads in [`types`].
//!
//! v1 endpoints are `POST {rest_url}/<path>.action` with a form body (array
//! fields as JSON-array strings); v2 ones `POST {rest_url}/im/v2/...` with a
//! JSON body, under the same base, as the official server SDKs address them.

pub mod client;
pub mod teams;
pub mod types;

pub use client::{RestClient, SignedHeaders};

pub use crate::accid::{check_accid, validate as validate_accid, MAX_ACCID_LEN};

/// Most accids in one `user/getUinfos.action` (netease.md 6).
pub const MAX_UINFOS_ACCIDS: usize = 200;

/// Most accids in one `user/userOnlineStatus.action` (taken as getUinfos's limit).
pub const MAX_STATUS_ACCIDS: usize = 200;

/// Most device ids in one v2 kick (netease.md 3.1).
pub const MAX_KICK_DEVICE_IDS: usize = 20;

/// The longest static token (netease.md 3.1).
pub const MAX_TOKEN_CHARS: usize = 128;

/// The longest name at creation (netease.md 3.1).
pub const MAX_NAME_CHARS: usize = 64;

/// The longest v2 `kick_notify_extension` (netease.md 3.1).
pub const MAX_KICK_EXTENSION_CHARS: usize = 256;
