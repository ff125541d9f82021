//! # unim-tencent — Tencent Cloud IM for unim
//!
//! - [`usersig`]: TLSSigAPIv2 UserSig generation and verification.
//! - [`rest`] and [`admin`]: the documented server REST API (`/v4/...`), the
//!   app server's [`unim_core::Admin`].
//! - [`link`] and [`session`]: the web client protocol that Tencent's official
//!   JavaScript SDK speaks, the user's [`unim_core::Session`].
//! - [`error`]: Tencent codes mapped to neutral error kinds and disconnect reasons.

#![warn(missing_docs)]

pub mod admin;
pub mod error;
pub mod link;
pub mod names;
pub mod rest;
pub mod session;
pub mod user_id;
pub mod usersig;

/// The vendor's short name, as it appears in [`unim_core::VendorError::vendor`].
pub const VENDOR: &str = "tencent";

/// What the Tencent adapter (session and admin) can do.
pub fn capabilities() -> unim_core::Capabilities {
    unim_core::Capabilities {
        login_user_sig: true,
        // tencent.md section 4: the first login of a new UserID creates the account.
        auto_register: true,
        credential_expiry: true,
        credential_renewal: true,
        auto_reconnect: true,
        auto_login: true,
        admin_kick: true,
        admin_online_status: true,
        admin_register: true,
        admin_delete: true,
        admin_issue_credentials: true,
        // The web protocol does not tell a client about its other instances.
        list_own_devices: false,
        kick_own_device: false,
        // Tencent has no passwords (UserSig only), and on the web protocol an
        // account deletion or a blocklist entry reaches the client as the same
        // kick as an admin kick: the session cannot tell PasswordChanged,
        // AccountRemoved or Banned apart, so none of them is claimed.
        disconnect_password_changed: false,
        disconnect_account_removed: false,
        disconnect_banned: false,
        // No sync phase: a login goes straight to Connected (the DESIGN
        // mapping table), so no SyncStarted/SyncFinished around a pull.
        offline_sync: false,
        // Default login policy: one device, a new login kicks the old one (tencent.md section 4).
        devices_per_platform: 1,
        devices_total: 1,
        max_user_id_len: user_id::MAX_USER_ID_BYTES,
        ..Default::default()
    }
}
