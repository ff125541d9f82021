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
mod admin_groups;
mod admin_msg;
pub mod error;
pub mod link;
pub mod msg;
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
        // openim.sendmsg / msg_push / getmsg; a retry keeps its MsgRandom (msg::msg_random).
        messages: true,
        // TIMCustomElem {Data, Desc}.
        custom_messages: true,
        // The sender's other devices do get copies (SyncOtherMachine), but the
        // default login policy allows one device per user: a second session of
        // the same user kicks the first, so there is never another device to copy to.
        multi_device_copy: false,
        // sendmsg's API doc: 12 KB (93000 beyond; msg::MAX_MESSAGE_BYTES).
        max_message_bytes: msg::MAX_MESSAGE_BYTES,
        // recentcontact.page_get (session) and recentcontact/get_list (admin).
        conversation_list: true,
        // openim.msgreaded.
        mark_read: true,
        // openim.getroammsg (session) and openim/admin_getroammsg (admin), backwards by MsgKey.
        history: true,
        // recentcontact.batch_delete (session) and recentcontact/delete (admin).
        delete_conversation: true,
        // openim/sendmsg with or without From_Account.
        admin_send: true,
        admin_history: true,
        // recentcontact/get_list with openim/get_c2c_unread_msg_num.
        admin_conversations: true,
        // group_open_http_svc.* over the web link, the same commands and bodies as the server API.
        groups: true,
        // docs/groups.md: Work = Private + InviteOnly; Public covers all three join
        // policies (ApplyJoinOption); a Work group cannot be applied to.
        group_kinds: unim_core::GroupKinds {
            private_invite_only: true,
            public_invite_only: true,
            public_approval: true,
            public_free: true,
            ..Default::default()
        },
        // apply_join_group / handle_apply_join_group; managers get a system notice.
        group_join: true,
        // modify_group_member_info Role (Public groups; Work groups have no admins).
        group_admins: true,
        // change_group_owner.
        group_transfer: true,
        // modify_group_member_info ShutUpTime (Public groups); a muted send is 10017.
        group_mute: true,
        // A Public group's owner must hand it over first (10009); Work groups differ (ownerless).
        group_owner_leave: unim_core::OwnerLeave::Refused,
        // send_group_msg, GroupMsgArray pushes, openim.getmsg for those missed, msg_read_report.
        group_messages: true,
        // Ultimate edition, raised (tencent.md 2.7).
        max_group_members: rest::groups::MAX_MEMBER_LIMIT,
        // group_open_http_svc over REST: groups as the App admin, send_group_msg and group_msg_get_simple.
        admin_groups: true,
        admin_group_messages: true,
        ..Default::default()
    }
}
