//! Tencent's own names for what unim reports as neutral events, so that
//! timelines can show both side by side (official-sdks.md section 3,
//! kick-signals.md section 1, tencent.md section 4).

use unim_core::{ConnectionState, DisconnectReason, Event};

/// What Tencent's web SDK (`TencentCloudChat.EVENT.*`) and native SDK
/// (`V2TIMSDKListener`) call the same moment, when they have a name for it.
pub fn vendor_event_name(event: &Event) -> Option<&'static str> {
    Some(match event {
        Event::StateChanged { state: ConnectionState::Connecting, .. } => "NET_STATE_CHANGE connecting / onConnecting",
        Event::StateChanged { state: ConnectionState::Authenticating, .. } => "(wslogin sent)",
        Event::StateChanged { state: ConnectionState::Connected, .. } => "SDK_READY / onConnectSuccess",
        Event::StateChanged { state: ConnectionState::Reconnecting { .. }, .. } => {
            "NET_STATE_CHANGE connecting / onConnecting"
        }
        Event::StateChanged { state: ConnectionState::Disconnected, reason: Some(d) } => match d.reason {
            DisconnectReason::KickedByOtherLogin => "KICKED_OUT multipleAccount / onKickedOffline",
            DisconnectReason::KickedByServer => "KICKED_OUT REST_API_Kick / onKickedOffline",
            DisconnectReason::CredentialExpired => "KICKED_OUT userSigExpired / onUserSigExpired",
            DisconnectReason::Requested => "SDK_NOT_READY (logout)",
            DisconnectReason::Network => "NET_STATE_CHANGE disconnected / onConnectFailed",
            DisconnectReason::AuthFailed => "login() rejected / onConnectFailed",
            _ => "SDK_NOT_READY",
        },
        Event::CredentialExpired { .. } => "onUserSigExpired",
        // Tencent has no warning before expiry and no renewal in place: unim adds them.
        Event::CredentialWillExpire { .. } | Event::CredentialRenewed { .. } => return None,
        _ => return None,
    })
}
