//! Service and command ids, Property tags and client types of the web
//! protocol (docs/protocols/netease.md sections 3-5). One table, used by the
//! session and the emulator alike, so the two cannot drift apart.

use std::fmt;
use unim_core::Platform;

/// A command: service id and command id, written `SID_CID` (`2_3`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Command {
    /// The service id.
    pub sid: u8,
    /// The command id within the service.
    pub cid: u8,
}

impl Command {
    /// The command `sid_cid`.
    pub const fn new(sid: u8, cid: u8) -> Self {
        Command { sid, cid }
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}_{}", self.sid, self.cid)
    }
}

/// The commands unim speaks.
pub mod cmd {
    use super::Command;

    /// `1_2` heartbeat (SER 0), every 30 s.
    pub const HEARTBEAT: Command = Command::new(1, 2);
    /// `2_3` login: `Q = [Property login]`; `r = [loginRes, PropertyArray loginPorts, aosPushInfo]`.
    pub const LOGIN: Command = Command::new(2, 3);
    /// `2_5` push: kicked, `r = [Int from clientType, Int reason, String custom, Int customClientType]`.
    pub const KICKED: Command = Command::new(2, 5);
    /// `2_6` logout.
    pub const LOGOUT: Command = Command::new(2, 6);
    /// `2_7` push: another client of the user came online or went offline,
    /// `r = [Byte state (2 online, 3 offline), PropertyArray loginPorts]`.
    pub const MULTI_PORT_LOGIN: Command = Command::new(2, 7);
    /// `2_8` kick some of the user's other clients by device id.
    pub const KICK: Command = Command::new(2, 8);
    /// `3_7` get users' infos.
    pub const GET_USERS: Command = Command::new(3, 7);
    /// `4_4` push during sync: offline messages (PropertyArray of msg).
    pub const SYNC_OFFLINE_MSGS: Command = Command::new(4, 4);
    /// `4_5` batch mark read.
    pub const BATCH_MARK_READ: Command = Command::new(4, 5);
    /// `5_1` sync: `Q = [Property of timetags]`; `r = [timetag]` (sync done).
    pub const SYNC: Command = Command::new(5, 1);
    /// `6_23` get the server time: `r = [Long ms]`.
    pub const GET_SERVER_TIME: Command = Command::new(6, 23);
    /// `6_26` get the NOS CDN host.
    pub const NOS_CDN_HOST: Command = Command::new(6, 26);
    /// `7_1` send a message: `Q = [Property msg]`; `r = [msg with time and idServer]`.
    pub const SEND_MSG: Command = Command::new(7, 1);
    /// `7_2` push: an incoming message, `r = [Property msg]`.
    pub const MSG: Command = Command::new(7, 2);
    /// `7_101` push: a message this user sent from another client
    /// (syncSendMsg), `r = [Property msg]`.
    pub const SYNC_SEND_MSG: Command = Command::new(7, 101);
    /// `7_6` get history messages: `Q = [String to, Long beginTime, Long
    /// endTime, Long lastMsgId, Int limit, Bool reverse, LongArray msgTypes]`;
    /// `r = [PropertyArray msgs]`.
    pub const GET_HISTORY_MSGS: Command = Command::new(7, 6);
    /// `7_16` mark a session read: `Q = [Byte scene, String to, Long timetag]`.
    pub const MARK_SESSION_ACK: Command = Command::new(7, 16);
    /// `7_25` mark sessions read: `Q = [PropertyArray {1 scene, 2 to, 3 timetag}]`.
    pub const MARK_SESSION_ACK_BATCH: Command = Command::new(7, 25);
    /// `7_19` get the server's session list: `Q = [Property sessionReq]`;
    /// `r = [Property sessionReq (with hasMore), PropertyArray sessions]`.
    pub const GET_SERVER_SESSIONS: Command = Command::new(7, 19);
    /// `7_22` delete server sessions: `Q = [PropertyArray sessions]` (tag 1 the id).
    pub const DELETE_SERVER_SESSIONS: Command = Command::new(7, 22);
}

/// Tags of the login Property (the 2_3 request).
pub mod login {
    /// Int: the client type (16 = web).
    pub const CLIENT_TYPE: u32 = 3;
    /// String: the operating system.
    pub const OS: u32 = 4;
    /// Int/String: the SDK version number.
    pub const SDK_VERSION: u32 = 6;
    /// Int: 1 = manual login, 0 = auto-login (a reconnect).
    pub const APP_LOGIN: u32 = 8;
    /// Int: the protocol version (1).
    pub const PROTOCOL_VERSION: u32 = 9;
    /// String: the device id.
    pub const DEVICE_ID: u32 = 13;
    /// String: the app key.
    pub const APP_KEY: u32 = 18;
    /// String: the accid.
    pub const ACCOUNT: u32 = 19;
    /// String: the browser or runtime.
    pub const BROWSER: u32 = 24;
    /// String: the client's session id.
    pub const SESSION: u32 = 26;
    /// String: the custom tag.
    pub const CUSTOM_TAG: u32 = 38;
    /// Int: the custom client type.
    pub const CUSTOM_CLIENT_TYPE: u32 = 39;
    /// String: the SDK version for humans.
    pub const SDK_HUMAN_VERSION: u32 = 40;
    /// Int: the SDK type.
    pub const SDK_TYPE: u32 = 41;
    /// String: the library environment (`NodeJs`, `BROWSER`).
    pub const LIB_ENV: u32 = 44;
    /// Int: 0 static token, 1 dynamic token, 2 third-party callback.
    pub const AUTH_TYPE: u32 = 115;
    /// String: the login extension (third-party callback).
    pub const LOGIN_EXT: u32 = 116;
    /// String: the token. Secret.
    pub const TOKEN: u32 = 1000;
}

/// Tags of the loginRes Property (2_3 result 0).
pub mod login_res {
    /// String: the device id of the previous login.
    pub const LAST_LOGIN_DEVICE_ID: u32 = 17;
    /// String: the custom tag.
    pub const CUSTOM_TAG: u32 = 38;
    /// String: this connection's id.
    pub const CONNECTION_ID: u32 = 102;
    /// String: the client's address as the server saw it.
    pub const IP: u32 = 103;
    /// Int: the client's port.
    pub const PORT: u32 = 104;
    /// String: the country.
    pub const COUNTRY: u32 = 106;
}

/// Tags of a loginPort Property: one online client of the user (2_3 result 1, 2_7).
pub mod login_port {
    /// Int: the client type.
    pub const TYPE: u32 = 3;
    /// String: the operating system.
    pub const OS: u32 = 4;
    /// String: the MAC address.
    pub const MAC: u32 = 5;
    /// String: the device id.
    pub const DEVICE_ID: u32 = 13;
    /// String: the accid.
    pub const ACCOUNT: u32 = 19;
    /// String: the connection id.
    pub const CONNECTION_ID: u32 = 102;
    /// String: the IP address.
    pub const IP: u32 = 103;
    /// Long: the login time, ms.
    pub const TIME: u32 = 109;
}

/// Tags of a msg Property (7_1, 7_2, 4_4).
pub mod msg {
    /// Int: 0 p2p, 1 team.
    pub const SCENE: u32 = 0;
    /// String: the recipient.
    pub const TO: u32 = 1;
    /// String: the sender.
    pub const FROM: u32 = 2;
    /// Int: the sender's client type.
    pub const FROM_CLIENT_TYPE: u32 = 4;
    /// String: the sender's device id.
    pub const FROM_DEVICE_ID: u32 = 5;
    /// String: the sender's nick.
    pub const FROM_NICK: u32 = 6;
    /// Long: the server time, ms.
    pub const TIME: u32 = 7;
    /// Int: 0 text, 100 custom, ...
    pub const TYPE: u32 = 8;
    /// String: the text.
    pub const BODY: u32 = 9;
    /// String: the attachment (JSON text).
    pub const ATTACH: u32 = 10;
    /// String: the client's message id.
    pub const ID_CLIENT: u32 = 11;
    /// String: the server's message id.
    pub const ID_SERVER: u32 = 12;
    /// Int: 1 when this is a resend.
    pub const RESEND: u32 = 13;
    /// String: custom extension (JSON text).
    pub const CUSTOM: u32 = 15;
    /// String: the push text (unim: a custom message's description).
    pub const PUSH_CONTENT: u32 = 17;
    /// Int: 1 when the server should update the session list.
    pub const NEED_UPDATE_SESSION: u32 = 28;
}

/// Tags of a server session Property (`7_19`, `7_22`).
pub mod session {
    /// String: the id, `p2p|<accid>` or `team|<tid>`.
    pub const ID: u32 = 1;
    /// Long: when it last changed, ms.
    pub const UPDATE_TIME: u32 = 2;
    /// String: the app's extension.
    pub const EXT: u32 = 3;
    /// String: the last message, a msg Property as JSON text.
    pub const LAST_MSG: u32 = 4;
    /// String: `"0"` a msg, `"1"` a system message.
    pub const LAST_MSG_TYPE: u32 = 5;
}

/// Tags of the `7_19` request and reply Property (sessionReqTag).
pub mod session_req {
    /// Long: sessions updated at or after this time, ms.
    pub const MIN_TIMESTAMP: u32 = 1;
    /// Long: sessions updated at or before this time, ms.
    pub const MAX_TIMESTAMP: u32 = 2;
    /// Int: 1 to include each session's last message.
    pub const NEED_LAST_MSG: u32 = 3;
    /// Int: at most this many sessions.
    pub const LIMIT: u32 = 4;
    /// Int (reply): 1 when more sessions are older than those returned.
    pub const HAS_MORE: u32 = 5;
}

/// Tags of the 5_1 sync request's timetags Property.
pub mod sync {
    /// The user's own info.
    pub const MY_INFO: u32 = 1;
    /// Offline messages.
    pub const OFFLINE_MSGS: u32 = 2;
    /// Teams.
    pub const TEAMS: u32 = 3;
    /// Roaming messages.
    pub const ROAMING_MSGS: u32 = 7;
}

/// Tags that carry secrets; `Debug` of a Property hides them.
pub const SECRET_TAGS: &[u32] = &[login::TOKEN];

/// NetEase client types (netease.md 4.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClientType {
    /// 1.
    Android,
    /// 2.
    Ios,
    /// 4: Windows.
    Pc,
    /// 8.
    WindowsPhone,
    /// 16.
    Web,
    /// 32: the server API.
    Rest,
    /// 64.
    Mac,
    /// 65.
    HarmonyOs,
}

impl ClientType {
    /// Every type, for lookups.
    pub const ALL: [ClientType; 8] = [
        ClientType::Android,
        ClientType::Ios,
        ClientType::Pc,
        ClientType::WindowsPhone,
        ClientType::Web,
        ClientType::Rest,
        ClientType::Mac,
        ClientType::HarmonyOs,
    ];

    /// The number on the wire.
    pub fn code(self) -> i64 {
        match self {
            ClientType::Android => 1,
            ClientType::Ios => 2,
            ClientType::Pc => 4,
            ClientType::WindowsPhone => 8,
            ClientType::Web => 16,
            ClientType::Rest => 32,
            ClientType::Mac => 64,
            ClientType::HarmonyOs => 65,
        }
    }

    /// The type with wire number `code`.
    pub fn from_code(code: i64) -> Option<ClientType> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }

    /// The web SDK's name for it (`Android`, `iOS`, `PC`, `Web`, `Server`, ...).
    pub fn name(self) -> &'static str {
        match self {
            ClientType::Android => "Android",
            ClientType::Ios => "iOS",
            ClientType::Pc => "PC",
            ClientType::WindowsPhone => "WindowsPhone",
            ClientType::Web => "Web",
            ClientType::Rest => "Server",
            ClientType::Mac => "Mac",
            ClientType::HarmonyOs => "HarmonyOS",
        }
    }

    /// The neutral platform.
    pub fn platform(self) -> Platform {
        match self {
            ClientType::Android => Platform::Android,
            ClientType::Ios => Platform::Ios,
            ClientType::Pc => Platform::Windows,
            ClientType::Web => Platform::Web,
            ClientType::Mac => Platform::Mac,
            other => Platform::Other(other.name().to_owned()),
        }
    }

    /// The client type a neutral platform logs in as (`None`: NetEase has no such client).
    pub fn from_platform(platform: &Platform) -> Option<ClientType> {
        match platform {
            Platform::Android => Some(ClientType::Android),
            Platform::Ios | Platform::Ipad => Some(ClientType::Ios),
            Platform::Windows | Platform::Linux => Some(ClientType::Pc),
            Platform::Web => Some(ClientType::Web),
            Platform::Mac => Some(ClientType::Mac),
            Platform::Other(name) => Self::ALL.into_iter().find(|t| t.name().eq_ignore_ascii_case(name)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_types_round_trip() {
        for t in ClientType::ALL {
            assert_eq!(ClientType::from_code(t.code()), Some(t));
            assert_eq!(ClientType::from_platform(&t.platform()), Some(t), "{t:?}");
        }
        assert_eq!(ClientType::from_code(3), None);
        assert_eq!(cmd::LOGIN.to_string(), "2_3");
    }
}
