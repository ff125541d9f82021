//! # unim-easemob — Easemob (环信) for unim
//!
//! - [`rest`] and [`admin`]: the documented server REST API under
//!   `/{org}/{app}`, the app server's [`unim_core::Admin`].
//! - [`link`]: the msync protobuf frames that the official `easemob-websdk`
//!   exchanges over WebSocket (docs/protocols/easemob.md).
//! - [`session`]: the user's [`unim_core::Session`] over that link: password
//!   or token login, offline sync, kicks, reconnects, token expiry and renewal.
//! - [`messages`]: messages between the neutral model and Easemob's shapes.
//! - [`error`]: Easemob error strings, HTTP statuses and disconnect codes
//!   mapped to neutral kinds and reasons.

#![warn(missing_docs)]

pub mod admin;
pub mod error;
pub mod link;
pub mod messages;
pub mod names;
pub mod rest;
pub mod session;
pub mod user_id;

/// The vendor's short name, as it appears in [`unim_core::VendorError::vendor`].
pub const VENDOR: &str = "easemob";

/// What the Easemob adapter (session and admin) can do.
///
/// - `login_password`, `login_token`: Easemob's two login methods (easemob.md 2.2, 6.4).
/// - `credential_expiry`, `credential_renewal`: the token's expiry comes with
///   the login (PROVISION `authToken.expires_in`); the session warns at 80%
///   (Easemob's 109) and renews through the provider on a new link.
/// - `auto_reconnect`, `auto_login`: reconnects after a drop; saves the token.
/// - `admin_register`, `admin_delete`, `admin_online_status`,
///   `admin_issue_credentials` (the `inherit` grant).
/// - `admin_kick` is **not** claimed: `GET /users/{u}/disconnect` logs the
///   user out everywhere but Easemob does not document that it voids the
///   tokens the user holds (easemob.md 3.3), and the neutral kick promises
///   exactly that. [`unim_core::Admin::kick`] still works, as a forced logout.
/// - `devices_per_platform: 4`: the default multi-device rule (easemob.md 6.3).
/// - `offline_sync`: the UNREAD reply after a login lists the queues with
///   messages waiting, pulled in the `Syncing` state (easemob.md 5, 7.4).
/// - `max_user_id_len: 64` bytes (easemob.md 3.1).
/// - `messages`, `custom_messages`: msync SYNC sends (txt and custom
///   contents), NOTICE + pull delivery, offline messages in the UNREAD sync;
///   a retry carries the same meta id and is stored once
///   ([`messages::meta_id_for`]).
/// - `multi_device_copy`: a send is queued for the sender's other online
///   devices too (REST sends with `sync_device`).
/// - `max_message_bytes: 5120`: body and ext at most 5 KB (easemob.md 4.1).
/// - `conversation_list`, `mark_read`, `history`, `delete_conversation`: the
///   web SDK's user-token REST calls (`user_channels/list`, `messageroaming`,
///   `user_channel`) and its msync channel ack.
/// - `groups` and the `group_*` flags: the session manages groups over the
///   web SDK's `chatgroups` REST calls with its own token, hears of changes
///   through the MUC notifications on the link, and sends and receives group
///   messages as chat metas to the group's JID (docs/protocols/easemob.md 17).
/// - `admin_send`, `admin_history`: `POST /messages/users` and the v6
///   roaming history. `admin_conversations` is **not** claimed: the server
///   API documents no conversation list (easemob.md 4.3).
pub fn capabilities() -> unim_core::Capabilities {
    unim_core::Capabilities {
        login_password: true,
        login_token: true,
        credential_expiry: true,
        credential_renewal: true,
        auto_reconnect: true,
        auto_login: true,
        admin_register: true,
        admin_delete: true,
        admin_online_status: true,
        admin_issue_credentials: true,
        // The kick signals 216 (password changed) and 207 (user removed) are
        // distinct (easemob.md section 8); a deactivation closes the socket and
        // the reconnect's PROVISION is refused with 12 IM_FORBIDDEN, which the
        // session reports as Banned.
        disconnect_password_changed: true,
        disconnect_account_removed: true,
        disconnect_banned: true,
        devices_per_platform: 4,
        // easemob.md 6.3: a device lists the user's others and kicks one or all (REST, with its token).
        list_own_devices: true,
        kick_own_device: true,
        // easemob.md 5: the UNREAD reply after a login lists the queues with
        // messages waiting; the session pulls each (Syncing, SyncStarted)
        // until every one answered isLast (SyncFinished), then is Connected.
        // An empty list syncs nothing.
        offline_sync: true,
        max_user_id_len: user_id::MAX_USER_ID_BYTES,
        messages: true,
        custom_messages: true,
        multi_device_copy: true,
        max_message_bytes: messages::MAX_MESSAGE_BYTES,
        conversation_list: true,
        mark_read: true,
        history: true,
        delete_conversation: true,
        admin_send: true,
        admin_history: true,
        admin_groups: true,
        admin_group_messages: true,
        // Session groups: the SDK's `chatgroups` REST calls with the user's
        // token, MUC notifications on the link (docs/protocols/easemob.md, "Groups").
        groups: true,
        // easemob.md 5: private = invite only (allowinvites), public = free or
        // by approval (membersonly); there is no public invite-only or private
        // application.
        group_kinds: unim_core::GroupKinds {
            private_invite_only: true,
            public_approval: true,
            public_free: true,
            ..Default::default()
        },
        // `POST /chatgroups/{id}/apply`, `apply_verify`; the owner and admins are told APPLY.
        group_join: true,
        group_admins: true,
        group_transfer: true,
        // A muted member's groupchat send is refused with USER_MUTED (web type 507).
        group_mute: true,
        // `quit` by the owner is refused: transfer or dismiss first.
        group_owner_leave: unim_core::OwnerLeave::Refused,
        // Chat metas to the group's JID, delivered from the group's queue.
        group_messages: true,
        // `maxusers` up to 3000 (the default 200).
        max_group_members: 3000,
        ..Default::default()
    }
}
