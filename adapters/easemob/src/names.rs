//! Easemob's own names for what unim reports as neutral events, so that
//! timelines can show both side by side (docs/protocols/easemob.md,
//! kick-signals.md section 2, easemob.md section 6).

use unim_core::{ConnectionState, DisconnectReason, Event};

/// What the official web SDK (`easemob-websdk` connection listeners, with
/// the native `EMError` code where one exists) calls the same moment.
pub fn vendor_event_name(event: &Event) -> Option<&'static str> {
    Some(match event {
        Event::StateChanged { state: ConnectionState::Connecting, .. } => "open()",
        Event::StateChanged { state: ConnectionState::Authenticating, .. } => "(PROVISION sent)",
        Event::StateChanged { state: ConnectionState::Syncing, .. } => "onOfflineMessageSyncStart",
        Event::StateChanged { state: ConnectionState::Connected, .. } => "onConnected",
        Event::StateChanged { state: ConnectionState::Reconnecting { .. }, .. } => "onReconnecting",
        Event::StateChanged { state: ConnectionState::Disconnected, reason: Some(d) } => match d.reason {
            DisconnectReason::KickedByOtherLogin => "onDisconnected 206 USER_LOGIN_ANOTHER_DEVICE",
            DisconnectReason::KickedByOwnDevice => "onDisconnected 217 USER_KICKED_BY_OTHER_DEVICE",
            DisconnectReason::PasswordChanged => "onDisconnected 216 USER_KICKED_BY_CHANGE_PASSWORD",
            DisconnectReason::AccountRemoved => "onDisconnected 207 USER_REMOVED",
            DisconnectReason::TooManyDevices => "onError 214 USER_LOGIN_TOO_MANY_DEVICES",
            DisconnectReason::CredentialExpired => "onTokenExpired (108)",
            DisconnectReason::AuthFailed => "onError 202 USER_AUTHENTICATION_FAILED",
            DisconnectReason::Requested => "onDisconnected (close())",
            DisconnectReason::Network => "onDisconnected (network)",
            _ => "onDisconnected",
        },
        Event::SyncStarted => "onOfflineMessageSyncStart",
        Event::SyncFinished => "onOfflineMessageSyncFinish",
        Event::CredentialWillExpire { .. } => "onTokenWillExpire (109)",
        Event::CredentialExpired { .. } => "onTokenExpired (108)",
        // The SDK's renewToken() has no event of its own.
        Event::CredentialRenewed { .. } => return None,
        _ => return None,
    })
}
