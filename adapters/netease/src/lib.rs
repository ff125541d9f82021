//! # unim-netease — NetEase Yunxin (网易云信) for unim
//!
//! - [`sign`]: the server API's `CheckSum`, the dynamic login token and the
//!   抄送/callback verifier (netease.md 1.1, 4.6, 5.1).
//! - [`rest`] and [`admin`]: the CheckSum-signed server API
//!   (`nimserver/*.action`, form encoded, and the v2 kick), the app server's
//!   [`unim_core::Admin`].
//! - [`link`]: the web client protocol `@yxim/nim-web-sdk` speaks — LBS,
//!   socket.io 0.9, JSON packets (docs/protocols/netease.md).
//! - [`session`]: the user's [`unim_core::Session`] over that link: accid +
//!   static or dynamic token, the NIMAuthStatus phases, kicks, the user's
//!   other clients, reconnects and the auto-login rules.
//! - [`message`]: neutral messages in the link's and the server API's shapes.
//! - [`error`]: NetEase codes mapped to neutral kinds and reasons.

#![warn(missing_docs)]

pub mod accid;
pub mod admin;
mod admin_messages;
mod admin_teams;
pub mod error;
pub mod link;
pub mod message;
pub mod names;
pub mod rest;
pub mod session;
pub mod sign;

/// The vendor's short name, as it appears in [`unim_core::VendorError::vendor`].
pub const VENDOR: &str = "netease";

/// What the NetEase adapter (session and admin) can do.
///
/// - `login_token`: an accid and a token, static or dynamic (netease.md 4.1,
///   8). No `login_password`: NetEase has no password login.
/// - `credential_expiry`, `credential_renewal`: a dynamic token carries
///   `curTime + ttl`; the session warns at 80% and renews through the
///   provider, the new token serving future re-logins (NetEase checks a
///   token only at login, so the link stays up).
/// - `auto_reconnect`, `auto_login`: re-login with `appLogin` 0 after a drop;
///   kicks and refusals stop auto-login (netease.md 4.6, 10.4).
/// - `admin_kick`: the admin refreshes the token, then kicks, so the kicked
///   credentials stop working. `admin_online_status`, `admin_register`,
///   `admin_issue_credentials` (dynamic tokens).
/// - No `admin_delete`: NetEase has no account deletion.
/// - `list_own_devices`, `kick_own_device`: loginPorts with `2_7`, and `2_8`.
/// - `offline_sync`, `sync_phase`: every login and re-login syncs (`5_1`,
///   whose reply is "sync done"), with offline messages (`4_4`) before it.
/// - No `disconnect_banned`: a ban reaches a live client only as kick
///   reason 2 (serverKick), the same push as the kick API; a banned login
///   is refused with 422, which the session reports as `Banned`. No
///   `disconnect_password_changed` or `disconnect_account_removed`: NetEase
///   has no distinct signal for either.
/// - `devices_per_platform: 1`, `devices_per_class: 1`: one desktop and one
///   mobile device online at once (netease.md 6.3); `devices_total: 0`.
/// - `max_user_id_len: 32` (the accid rule, [`accid::MAX_ACCID_LEN`]).
/// - `messages`, `custom_messages`: `7_1` with the client id as idClient
///   (a resend is stored once), `7_2`/`4_4` received once each, in order,
///   offline ones inside the sync; custom bodies are type 100 (data as the
///   attach, description as the push text).
/// - `multi_device_copy`: the sender's other clients get `7_101`.
/// - `max_message_bytes: 5000`: NetEase takes 5000 characters of body
///   (414, `InvalidInput`); the admin's limit counts its JSON `body`.
/// - `conversation_list`, `mark_read`, `delete_conversation`: the server's
///   session list (`7_19`), `7_16`, `7_22`. The web protocol keeps unread
///   counts on the client, so a session counts the messages it received
///   (at login and since) until marked read; messages another device of the
///   user received while this one was offline are not counted.
/// - `history`: `7_6` pages backwards.
/// - `admin_send`, `admin_history`, `admin_conversations`:
///   `msg/sendMsg.action`, `history/querySessionMsg.action`,
///   `history/querySessionList.action` (no unread counts there: 0). The v1
///   send has no client id, so a retried admin send is stored again.
/// - `admin_groups`, `admin_group_messages`: advanced teams over `team/*`,
///   `msg/sendMsg.action` with ope 1 and `history/queryTeamMsg.action`,
///   acting as each team's owner (NetEase names an operator in every call).
/// - `groups`, `group_join`, `group_admins`, `group_transfer`, `group_mute`,
///   `group_messages`: advanced teams over the web link's service 8
///   (docs/protocols/netease.md 13); every (kind, policy) pair maps to
///   NetEase's `inviteMode` x `joinMode`; team notifications become group
///   events; the owner must transfer or dismiss before leaving (802).
pub fn capabilities() -> unim_core::Capabilities {
    unim_core::Capabilities {
        login_token: true,
        credential_expiry: true,
        credential_renewal: true,
        auto_reconnect: true,
        auto_login: true,
        admin_kick: true,
        admin_online_status: true,
        admin_register: true,
        admin_issue_credentials: true,
        list_own_devices: true,
        kick_own_device: true,
        offline_sync: true,
        sync_phase: true,
        devices_per_platform: 1,
        devices_per_class: 1,
        devices_total: 0,
        max_user_id_len: accid::MAX_ACCID_LEN,
        messages: true,
        custom_messages: true,
        multi_device_copy: true,
        max_message_bytes: message::MAX_BODY_CHARS,
        conversation_list: true,
        mark_read: true,
        history: true,
        delete_conversation: true,
        admin_send: true,
        admin_history: true,
        admin_conversations: true,
        admin_groups: true,
        admin_group_messages: true,
        // Teams over the web link (session/teams.rs): joinmode x invitemode covers every pair.
        groups: true,
        group_kinds: unim_core::GroupKinds {
            private_invite_only: true,
            private_approval: true,
            private_free: true,
            public_invite_only: true,
            public_approval: true,
            public_free: true,
        },
        group_join: true,
        group_admins: true,
        group_transfer: true,
        group_mute: true,
        // The owner must transfer or dismiss the team first (802).
        group_owner_leave: unim_core::OwnerLeave::Refused,
        group_messages: true,
        // The emulated app's teamMemberLimit ceiling (NetEase's default apps allow 200 to a few thousand).
        max_group_members: 2000,
        ..unim_core::Capabilities::default()
    }
}
