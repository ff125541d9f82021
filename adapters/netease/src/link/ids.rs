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
    /// `7_3` push: a system message, `r = [Property sysMsg]` (a team application, type 0).
    pub const SYS_MSG: Command = Command::new(7, 3);
    /// `8_1` create a team: `Q = [Property team, StrArray accounts, String ps, Property antispam]`;
    /// `r = [Property team, StrArray abortedAccids]`.
    pub const CREATE_TEAM: Command = Command::new(8, 1);
    /// `8_2` send a team message: `Q = [Property msg]`; `r = [msg with time and idServer]`.
    pub const SEND_TEAM_MSG: Command = Command::new(8, 2);
    /// `8_3` push: a team message (notifications too), `r = [Property msg]`.
    pub const TEAM_MSG: Command = Command::new(8, 3);
    /// `8_5` add members: `Q = [Long tid, StrArray accounts, String ps, String attach]`;
    /// `r = [Long time, StrArray abortedAccids]`.
    pub const ADD_TEAM_MEMBERS: Command = Command::new(8, 5);
    /// `8_6` remove members: `Q = [Long tid, StrArray accounts]`.
    pub const REMOVE_TEAM_MEMBERS: Command = Command::new(8, 6);
    /// `8_7` update a team: `Q = [Property team (tag 1 the tid), Property antispam]`; `r = [Long tid, Long time]`.
    pub const UPDATE_TEAM: Command = Command::new(8, 7);
    /// `8_8` leave a team: `Q = [Long tid]`.
    pub const LEAVE_TEAM: Command = Command::new(8, 8);
    /// `8_9` get a team: `Q = [Long tid]`; `r = [Property team]`.
    pub const GET_TEAM: Command = Command::new(8, 9);
    /// `8_10` the user's teams: `Q = [Long timetag]`; `r = [PropertyArray teams, Long timetag]`.
    pub const GET_TEAMS: Command = Command::new(8, 10);
    /// `8_11` a team's members: `Q = [Long tid, Long timetag]`;
    /// `r = [Long tid, PropertyArray members, Long timetag]`.
    pub const GET_TEAM_MEMBERS: Command = Command::new(8, 11);
    /// `8_12` dismiss a team: `Q = [Long tid]`.
    pub const DISMISS_TEAM: Command = Command::new(8, 12);
    /// `8_13` apply to join: `Q = [Long tid, String ps]`; `r = [Property team]`, code 200
    /// (joined) or 808 (the application waits for a manager).
    pub const APPLY_TEAM: Command = Command::new(8, 13);
    /// `8_14` accept an application: `Q = [Long tid, String applicant]`.
    pub const PASS_TEAM_APPLY: Command = Command::new(8, 14);
    /// `8_15` reject an application: `Q = [Long tid, String applicant, String ps]`.
    pub const REJECT_TEAM_APPLY: Command = Command::new(8, 15);
    /// `8_16` add managers: `Q = [Long tid, StrArray accounts]`.
    pub const ADD_TEAM_MANAGERS: Command = Command::new(8, 16);
    /// `8_17` remove managers: `Q = [Long tid, StrArray accounts]`.
    pub const REMOVE_TEAM_MANAGERS: Command = Command::new(8, 17);
    /// `8_18` transfer a team: `Q = [Long tid, String newOwner, Bool leave]`.
    pub const TRANSFER_TEAM: Command = Command::new(8, 18);
    /// `8_23` team history: the `7_6` parameters with `to` the tid (a Long); `r = [PropertyArray msgs]`.
    pub const GET_TEAM_HISTORY_MSGS: Command = Command::new(8, 23);
    /// `8_25` mute a member: `Q = [Long tid, String account, Int mute (1 on, 0 off)]`; the
    /// emulator also reads an optional fourth `Long` (the mute's length, seconds).
    pub const UPDATE_MUTE_STATE_IN_TEAM: Command = Command::new(8, 25);
    /// `8_26` the user's own member records: `Q = [LongArray tids]`; `r = [PropertyArray teamMembers]`.
    pub const GET_MY_TEAM_MEMBERS: Command = Command::new(8, 26);
    /// `8_101` push: this user created a team from another client, `r = [Property team]`.
    pub const SYNC_CREATE_TEAM: Command = Command::new(8, 101);
    /// `8_102` push: a team message this user sent from another client, `r = [Property msg]`.
    pub const SYNC_SEND_TEAM_MSG: Command = Command::new(8, 102);
    /// `8_109` push during sync: the user's teams, `r = [Long timetag, PropertyArray teams]`.
    pub const SYNC_TEAMS: Command = Command::new(8, 109);
    /// `8_126` push during sync: the user's own member records,
    /// `r = [PropertyArray teamMembers, Long timetag]`.
    pub const SYNC_MY_TEAM_MEMBERS: Command = Command::new(8, 126);
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

/// msg scenes (msg tag 0, `7_16` scene).
pub mod scene {
    /// One-to-one.
    pub const P2P: i64 = 0;
    /// A team: `to` is the tid.
    pub const TEAM: i64 = 1;
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
    /// The user's own team member records.
    pub const MY_TEAM_MEMBERS: u32 = 15;
    /// Roaming messages.
    pub const ROAMING_MSGS: u32 = 7;
}

/// Tags of a team Property (`8_1`, `8_7`, `8_9`, `8_10`, notification `tinfo`).
pub mod team {
    /// String: the tid.
    pub const TEAM_ID: u32 = 1;
    /// String: the name.
    pub const NAME: u32 = 3;
    /// Int: 0 normal, 1 advanced.
    pub const TYPE: u32 = 4;
    /// String: the owner's accid.
    pub const OWNER: u32 = 5;
    /// Int: the member limit.
    pub const LEVEL: u32 = 6;
    /// Int: 1 while the team exists.
    pub const VALID: u32 = 8;
    /// Int: how many members.
    pub const MEMBER_NUM: u32 = 9;
    /// Long: when the member list last changed, ms.
    pub const MEMBER_UPDATE_TIME: u32 = 10;
    /// Long: when it was created, ms.
    pub const CREATE_TIME: u32 = 11;
    /// Long: when it last changed, ms.
    pub const UPDATE_TIME: u32 = 12;
    /// String `"1"`/`"0"`: whether the reader is a member.
    pub const VALID_TO_CURRENT_USER: u32 = 13;
    /// String: the introduction.
    pub const INTRO: u32 = 14;
    /// String: the announcement.
    pub const ANNOUNCEMENT: u32 = 15;
    /// Int: 0 free, 1 needs approval, 2 nobody may apply (joinmode).
    pub const JOIN_MODE: u32 = 16;
    /// String: the app's custom field.
    pub const CUSTOM: u32 = 18;
    /// String: the avatar URL.
    pub const AVATAR: u32 = 20;
    /// Int: 0 invitees must accept, 1 they join at once (beinvitemode).
    pub const BE_INVITE_MODE: u32 = 21;
    /// Int: 0 managers invite, 1 every member (invitemode).
    pub const INVITE_MODE: u32 = 22;
    /// Int: 0 managers change the info, 1 every member.
    pub const UPDATE_TEAM_MODE: u32 = 23;
    /// Int: 0 managers change the custom field, 1 every member.
    pub const UPDATE_CUSTOM_MODE: u32 = 24;
    /// String `"0"`/`"1"`: the whole team is muted.
    pub const MUTE: u32 = 100;
    /// String `"0"` none, `"1"` ordinary members, `"3"` everyone.
    pub const MUTE_TYPE: u32 = 101;
}

/// Tags of a teamMember Property (`8_11`, `8_26`, `8_126`).
pub mod team_member {
    /// String: the tid.
    pub const TEAM_ID: u32 = 1;
    /// String: the member's accid.
    pub const ACCOUNT: u32 = 3;
    /// Int: 0 normal, 1 owner, 2 manager.
    pub const TYPE: u32 = 4;
    /// String: the nickname in the team.
    pub const NICK_IN_TEAM: u32 = 5;
    /// Long: notification bits.
    pub const BITS: u32 = 7;
    /// Int: 1 active.
    pub const ACTIVE: u32 = 8;
    /// Int: 1 while a member.
    pub const VALID: u32 = 9;
    /// Long: when they joined, ms.
    pub const JOIN_TIME: u32 = 10;
    /// Long: when the record last changed, ms.
    pub const UPDATE_TIME: u32 = 11;
    /// Int: 1 muted.
    pub const MUTE: u32 = 13;
    /// Long (emulator extension): when the mute ends, ms.
    pub const MUTE_END: u32 = 1001;
}

/// teamMember types (tag 4).
pub mod member_type {
    /// A plain member.
    pub const NORMAL: i64 = 0;
    /// The owner.
    pub const OWNER: i64 = 1;
    /// A manager.
    pub const MANAGER: i64 = 2;
}

/// Tags of a sysMsg Property (`7_3`).
pub mod sys_msg {
    /// Long: when, ms.
    pub const TIME: u32 = 0;
    /// Int: 0 applyTeam, 1 rejectTeamApply, 2 teamInvite, 3 rejectTeamInvite, ...
    pub const TYPE: u32 = 1;
    /// String: the recipient (the tid for team applications).
    pub const TO: u32 = 2;
    /// String: the sender (the applicant).
    pub const FROM: u32 = 3;
    /// String: the postscript (the application's message).
    pub const PS: u32 = 4;
    /// String: the attachment.
    pub const ATTACH: u32 = 5;
    /// String: the server id.
    pub const ID_SERVER: u32 = 6;
    /// sysMsg type 0: someone applies to join a team.
    pub const TYPE_APPLY_TEAM: i64 = 0;
    /// sysMsg type 1: a team manager rejected the application.
    pub const TYPE_REJECT_TEAM_APPLY: i64 = 1;
}

/// Team notifications: team messages of type 5 whose attach is the JSON
/// `{"id": <op>, "data": {"tinfo": <team Property>, "ids": [...], "id": ..., "mute": 0|1}}`.
pub mod team_notification {
    /// msg type 5: a notification.
    pub const MSG_TYPE: i64 = 5;
    /// Members were added (`ids`).
    pub const ADD_MEMBERS: i64 = 0;
    /// Members were removed (`ids`).
    pub const REMOVE_MEMBERS: i64 = 1;
    /// The sender left.
    pub const LEAVE: i64 = 2;
    /// The team's info changed (`tinfo` has the changed fields).
    pub const UPDATE: i64 = 3;
    /// The team was dismissed.
    pub const DISMISS: i64 = 4;
    /// An application was accepted (`id` the new member).
    pub const PASS_APPLY: i64 = 5;
    /// The sender handed the team to `id`.
    pub const TRANSFER: i64 = 6;
    /// Members became managers (`ids`).
    pub const ADD_MANAGERS: i64 = 7;
    /// Managers became plain members (`ids`).
    pub const REMOVE_MANAGERS: i64 = 8;
    /// An invitee accepted (the sender joined).
    pub const ACCEPT_INVITE: i64 = 9;
    /// A member was muted or unmuted (`id`, `mute`).
    pub const UPDATE_MUTE: i64 = 10;
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
