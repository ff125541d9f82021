//! What an adapter can really do. The conformance suite runs a case only when
//! the adapter claims every capability it needs; a claimed capability that
//! fails is a failure, never a skip.

use crate::{GroupKind, JoinPolicy};
use serde::{Deserialize, Serialize};

/// A flat set of flags and limits. `Default` is "nothing supported".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capabilities {
    /// Logs in with a user id and password.
    pub login_password: bool,
    /// Logs in with an app-issued token.
    pub login_token: bool,
    /// Logs in with a signed UserSig.
    pub login_user_sig: bool,
    /// The first login of an unknown user creates the account.
    pub auto_register: bool,
    /// The credential carries its own expiry, so the session can warn before it.
    pub credential_expiry: bool,
    /// The session renews credentials through a provider without dropping the link.
    pub credential_renewal: bool,
    /// The session reconnects by itself after a dropped link.
    pub auto_reconnect: bool,
    /// The session saves its login for auto-login.
    pub auto_login: bool,
    /// The admin can kick a user off the service.
    pub admin_kick: bool,
    /// The admin can query a user's online status and devices.
    pub admin_online_status: bool,
    /// The admin can import (register) accounts.
    pub admin_register: bool,
    /// The admin can delete accounts.
    pub admin_delete: bool,
    /// The admin can issue login credentials (sign a UserSig, mint a token).
    pub admin_issue_credentials: bool,
    /// A session can list the user's other online devices.
    pub list_own_devices: bool,
    /// A session can kick another of the user's devices.
    pub kick_own_device: bool,
    /// A password change by the app server ends the user's online sessions
    /// with a distinct `Disconnected(PasswordChanged)` (not a generic kick),
    /// and the old credentials stop working.
    pub disconnect_password_changed: bool,
    /// Deleting the account (admin) ends the user's online sessions with a
    /// distinct `Disconnected(AccountRemoved)`, and no login works afterwards.
    pub disconnect_account_removed: bool,
    /// Banning the account (app server) ends the user's online sessions with
    /// `Disconnected(Banned)` (or `ServiceRestricted`), new logins are refused
    /// until the ban is lifted, and work again afterwards.
    pub disconnect_banned: bool,
    /// A login with messages waiting (received while the user was offline)
    /// pulls them before it reports `Connected`: the states go `Connecting`,
    /// `Authenticating`, `Syncing`, `Connected`, with exactly one
    /// `Event::SyncStarted` before the pull and one `Event::SyncFinished`
    /// after it, both before `Connected`. A login with nothing waiting skips
    /// `Syncing` and emits neither event.
    pub offline_sync: bool,
    /// Every login syncs, whether or not anything waits: the states go
    /// `Connecting`, `Authenticating`, `Syncing`, `Connected`, with exactly
    /// one `Event::SyncStarted` and one `Event::SyncFinished` before
    /// `Connected` (NetEase's dataSyncStart and dataSyncFinish). When set, it
    /// overrides `offline_sync`'s "nothing waiting skips `Syncing`".
    pub sync_phase: bool,
    /// How many devices of one platform may be online at once (0: no limit).
    pub devices_per_platform: u32,
    /// How many devices of one [`crate::DeviceClass`] (desktop, mobile) may be
    /// online at once (0: no such rule); a new login pushes out the oldest of
    /// its class with `KickedByOtherLogin`.
    pub devices_per_class: u32,
    /// How many devices may be online at once across all platforms (0: no limit).
    pub devices_total: u32,
    /// The longest user id the vendor accepts, in bytes.
    pub max_user_id_len: usize,
    /// Sends and receives one-to-one text messages (`Session::send`,
    /// `Event::MessageReceived`), each exactly once and in order, with
    /// offline delivery at the next login and a retried send (same client
    /// id) stored once.
    pub messages: bool,
    /// Sends and receives `MessageBody::Custom`.
    pub custom_messages: bool,
    /// The sender's other online devices receive a copy of what it sends.
    pub multi_device_copy: bool,
    /// The largest message body accepted, in bytes (0: unknown); a larger one
    /// is refused with `InvalidInput` and the vendor's code.
    pub max_message_bytes: usize,
    /// Lists conversations with their last message and unread count.
    pub conversation_list: bool,
    /// Marks a conversation read.
    pub mark_read: bool,
    /// Pages a conversation's history backwards.
    pub history: bool,
    /// Deletes a conversation from the user's list.
    pub delete_conversation: bool,
    /// The admin sends one-to-one messages as a user or as the app admin.
    pub admin_send: bool,
    /// The admin pages the history of a pair of users.
    pub admin_history: bool,
    /// The admin lists a user's conversations.
    pub admin_conversations: bool,
    /// Groups through the session: create, info, update, add and remove
    /// members, list members with a cursor, dismiss, list the user's groups,
    /// with [`crate::Event::Group`] told to online members.
    pub groups: bool,
    /// The admin manages groups over the vendor's server API.
    pub admin_groups: bool,
    /// Which (kind, join policy) pairs the vendor can create; others are
    /// refused with `Unsupported` before any network I/O.
    pub group_kinds: GroupKinds,
    /// Applications to join: `Free` joins at once, `Approval` waits for the
    /// owner or an admin, whose session sees `JoinRequested`.
    pub group_join: bool,
    /// The owner may set and unset admins, and admins may remove plain members.
    pub group_admins: bool,
    /// The owner may hand the group to another member.
    pub group_transfer: bool,
    /// The owner or an admin may mute a member for a duration; the muted
    /// member's group sends are refused with `PermissionDenied` until it ends.
    pub group_mute: bool,
    /// What happens when the owner of a `Public` group leaves without
    /// handing it over.
    pub group_owner_leave: OwnerLeave,
    /// Sends and receives group messages through `Session::send` with a
    /// group conversation: each online member gets it once, an offline
    /// member at the next login, with an unread count per member.
    pub group_messages: bool,
    /// The admin sends group messages and reads a group's history.
    pub admin_group_messages: bool,
    /// The largest member limit a group may be created with (0: unknown).
    pub max_group_members: u32,
}

/// The (kind, join policy) pairs an adapter can create.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupKinds {
    /// `Private` + `InviteOnly`.
    pub private_invite_only: bool,
    /// `Private` + `Approval`.
    pub private_approval: bool,
    /// `Private` + `Free`.
    pub private_free: bool,
    /// `Public` + `InviteOnly`.
    pub public_invite_only: bool,
    /// `Public` + `Approval`.
    pub public_approval: bool,
    /// `Public` + `Free`.
    pub public_free: bool,
}

impl GroupKinds {
    /// Whether the pair is supported.
    pub fn supports(&self, kind: GroupKind, policy: JoinPolicy) -> bool {
        match (kind, policy) {
            (GroupKind::Private, JoinPolicy::InviteOnly) => self.private_invite_only,
            (GroupKind::Private, JoinPolicy::Approval) => self.private_approval,
            (GroupKind::Private, JoinPolicy::Free) => self.private_free,
            (GroupKind::Public, JoinPolicy::InviteOnly) => self.public_invite_only,
            (GroupKind::Public, JoinPolicy::Approval) => self.public_approval,
            (GroupKind::Public, JoinPolicy::Free) => self.public_free,
        }
    }
}

/// The vendor's rule for an owner leaving a group, as a neutral outcome.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OwnerLeave {
    /// Refused with `PermissionDenied`: transfer or dismiss first (Easemob,
    /// NetEase, Tencent Public groups).
    #[default]
    Refused,
    /// Allowed; the group goes on without an owner (Tencent Work groups).
    LeavesOwnerless,
}
