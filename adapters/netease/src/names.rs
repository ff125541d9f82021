//! NetEase's own names for what unim reports as neutral events, so that
//! timelines can show both side by side: the `NIMAuthStatus` phases of the
//! native SDKs and the callbacks of the web SDK (docs/protocols/netease.md
//! 4, 6.1 and 10).

use unim_core::{ConnectionState, DisconnectReason, Event};

/// What NetEase's SDKs call the same moment (`NIMAuthStatus` value / web
/// SDK callback), when they have a name for it.
pub fn vendor_event_name(event: &Event) -> Option<&'static str> {
    Some(match event {
        Event::StateChanged { state: ConnectionState::Connecting, .. } => "connecting",
        Event::StateChanged { state: ConnectionState::Authenticating, .. } => "logging (2_3 sent)",
        Event::StateChanged { state: ConnectionState::Syncing, .. } => "dataSyncStart",
        Event::StateChanged { state: ConnectionState::Connected, .. } => "loggedIn / onconnect",
        Event::StateChanged { state: ConnectionState::Reconnecting { .. }, .. } => "netBroken / onwillreconnect",
        Event::StateChanged { state: ConnectionState::Disconnected, reason: Some(d) } => match d.reason {
            DisconnectReason::KickedByOtherLogin => "kickOut / ondisconnect kicked samePlatformKick",
            DisconnectReason::KickedByServer => "kickOut / ondisconnect kicked serverKick",
            DisconnectReason::KickedByOwnDevice => "kickOutByOtherClient / ondisconnect kicked otherPlatformKick",
            DisconnectReason::AuthFailed => "pwdError / ondisconnect (2_3 login error)",
            DisconnectReason::Banned => "forbidden / ondisconnect (2_3 login error)",
            DisconnectReason::VersionRejected => "versionError / ondisconnect (2_3 login error)",
            DisconnectReason::Requested => "unLogin / ondisconnect logout",
            DisconnectReason::Network => "netBroken / ondisconnect",
            _ => "unLogin / ondisconnect",
        },
        Event::StateChanged { state: ConnectionState::Disconnected, reason: None } => "unLogin / ondisconnect",
        Event::SyncStarted => "dataSyncStart",
        Event::SyncFinished => "dataSyncFinish / onsyncdone",
        Event::DeviceOnline { .. } | Event::DeviceOffline { .. } => "onloginportschange",
        // NetEase has no expiry warning or in-place renewal: a dynamic token
        // is only checked at login, so unim adds these.
        Event::CredentialWillExpire { .. } | Event::CredentialExpired { .. } | Event::CredentialRenewed { .. } => {
            return None
        }
        Event::MessageReceived { .. } => "onmsg / onofflinemsgs",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use unim_core::Disconnect;

    #[test]
    fn kicks_and_phases_have_the_sdk_names() {
        let kicked = |r| Event::StateChanged { state: ConnectionState::Disconnected, reason: Some(Disconnect::new(r)) };
        assert!(vendor_event_name(&kicked(DisconnectReason::KickedByOwnDevice)).unwrap().contains("otherPlatformKick"));
        assert!(vendor_event_name(&kicked(DisconnectReason::KickedByOtherLogin)).unwrap().contains("samePlatformKick"));
        assert!(vendor_event_name(&kicked(DisconnectReason::KickedByServer)).unwrap().contains("serverKick"));
        assert_eq!(vendor_event_name(&Event::SyncFinished), Some("dataSyncFinish / onsyncdone"));
        assert_eq!(vendor_event_name(&Event::CredentialExpired { user: "a".into() }), None);
    }
}
