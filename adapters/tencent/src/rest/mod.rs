//! Tencent Cloud IM's server REST API (`vendors/tencent.md` section 2): the
//! JSON wire types in [`types`], shared with the emulator, and the low-level
//! [`RestClient`] that signs and sends calls as the App admin.

pub mod client;
pub mod groups;
pub mod types;

pub use client::RestClient;
pub use types::{platform_from_wire, platform_to_wire};

pub use crate::user_id::{validate_user_id, MAX_USER_ID_BYTES};

/// Most accounts in one `multiaccount_import`, `account_delete` or
/// `account_check` call (tencent.md 2.3 and 6).
pub const MAX_ACCOUNTS_PER_BATCH: usize = 100;

/// Most accounts in one `query_online_status` call (tencent.md 2.3 and 6).
pub const MAX_ACCOUNTS_PER_STATUS_QUERY: usize = 500;
