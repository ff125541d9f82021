//! The bodies a [`Meta`](super::Meta) carries, by `ns`: `StatisticsBody`
//! (`STATISTIC`), `MessageBody` (`CHAT`), `MUCBody` (`MUC`), `RosterBody`
//! (`ROSTER`), `ConferenceBody` (`CONFERENCE`); and `KeyValue`, the
//! extension pair of metas and messages.

use super::envelope::Jid;
use super::{pb_enum, pb_name};

/// `easemob.pb.MessageBody`: a chat message (`Meta.ns = CHAT`).
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct MessageBody {
    /// `type = 1` ([`message_body::Type`]): `CHAT` for one-to-one.
    #[prost(enumeration = "message_body::Type", optional, tag = "1")]
    pub r#type: Option<i32>,
    /// `from = 2`: the web SDK sets only `name`.
    #[prost(message, optional, tag = "2")]
    pub from: Option<Jid>,
    /// `to = 3`: the web SDK sets only `name`.
    #[prost(message, optional, tag = "3")]
    pub to: Option<Jid>,
    /// `contents = 4`.
    #[prost(message, repeated, tag = "4")]
    pub contents: Vec<message_body::Content>,
    /// `ext = 5`: the message's custom attributes.
    #[prost(message, repeated, tag = "5")]
    pub ext: Vec<KeyValue>,
    /// `ackMessageId = 6`: the acked message (read/delivery acks).
    #[prost(uint64, optional, tag = "6")]
    pub ack_message_id: Option<u64>,
    /// `msgConfig = 7`.
    #[prost(message, optional, tag = "7")]
    pub msg_config: Option<message_body::MessageConfig>,
    /// `ackContent = 8`.
    #[prost(string, optional, tag = "8")]
    pub ack_content: Option<String>,
    /// `meta = 9`: JSON text of extra message metadata.
    #[prost(string, optional, tag = "9")]
    pub meta: Option<String>,
    /// `editMessageId = 11`.
    #[prost(uint64, optional, tag = "11")]
    pub edit_message_id: Option<u64>,
    /// `editScope = 12`.
    #[prost(enumeration = "message_body::EditScope", optional, tag = "12")]
    pub edit_scope: Option<i32>,
    /// `stream = 13`.
    #[prost(message, optional, tag = "13")]
    pub stream: Option<message_body::Stream>,
}

/// Nested types of [`MessageBody`] (`easemob.pb.MessageBody.*`).
pub mod message_body {
    use super::{pb_enum, KeyValue};

    /// `easemob.pb.MessageBody.Content`: one part of a message.
    #[derive(Clone, PartialEq, ::prost::Message)]
    pub struct Content {
        /// `type = 1` ([`content::Type`]).
        #[prost(enumeration = "content::Type", optional, tag = "1")]
        pub r#type: Option<i32>,
        /// `text = 2`.
        #[prost(string, optional, tag = "2")]
        pub text: Option<String>,
        /// `latitude = 3`.
        #[prost(double, optional, tag = "3")]
        pub latitude: Option<f64>,
        /// `longitude = 4`.
        #[prost(double, optional, tag = "4")]
        pub longitude: Option<f64>,
        /// `address = 5`.
        #[prost(string, optional, tag = "5")]
        pub address: Option<String>,
        /// `displayName = 6`.
        #[prost(string, optional, tag = "6")]
        pub display_name: Option<String>,
        /// `remotePath = 7`.
        #[prost(string, optional, tag = "7")]
        pub remote_path: Option<String>,
        /// `secretKey = 8`.
        #[prost(string, optional, tag = "8")]
        pub secret_key: Option<String>,
        /// `fileLength = 9`.
        #[prost(int32, optional, tag = "9")]
        pub file_length: Option<i32>,
        /// `action = 10`: the command of a `COMMAND` content.
        #[prost(string, optional, tag = "10")]
        pub action: Option<String>,
        /// `params = 11`.
        #[prost(message, repeated, tag = "11")]
        pub params: Vec<KeyValue>,
        /// `duration = 12`.
        #[prost(int32, optional, tag = "12")]
        pub duration: Option<i32>,
        /// `size = 13`.
        #[prost(message, optional, tag = "13")]
        pub size: Option<content::Size>,
        /// `thumbnailRemotePath = 14`.
        #[prost(string, optional, tag = "14")]
        pub thumbnail_remote_path: Option<String>,
        /// `thumbnailSecretKey = 15`.
        #[prost(string, optional, tag = "15")]
        pub thumbnail_secret_key: Option<String>,
        /// `thumbnailDisplayName = 16`.
        #[prost(string, optional, tag = "16")]
        pub thumbnail_display_name: Option<String>,
        /// `thumbnailFileLength = 17`.
        #[prost(int32, optional, tag = "17")]
        pub thumbnail_file_length: Option<i32>,
        /// `thumbnailSize = 18`.
        #[prost(message, optional, tag = "18")]
        pub thumbnail_size: Option<content::Size>,
        /// `customEvent = 19`.
        #[prost(string, optional, tag = "19")]
        pub custom_event: Option<String>,
        /// `customExts = 20`.
        #[prost(message, repeated, tag = "20")]
        pub custom_exts: Vec<KeyValue>,
        /// `buildingName = 21`.
        #[prost(string, optional, tag = "21")]
        pub building_name: Option<String>,
        /// `subType = 22`.
        #[prost(enumeration = "content::SubType", optional, tag = "22")]
        pub sub_type: Option<i32>,
        /// `title = 23`.
        #[prost(string, optional, tag = "23")]
        pub title: Option<String>,
        /// `summary = 24`.
        #[prost(string, optional, tag = "24")]
        pub summary: Option<String>,
        /// `combineLevel = 25`.
        #[prost(int32, optional, tag = "25")]
        pub combine_level: Option<i32>,
    }

    /// Nested types of [`Content`] (`easemob.pb.MessageBody.Content.*`).
    pub mod content {
        use super::pb_enum;

        pb_enum! {
            /// `easemob.pb.MessageBody.Content.Type`.
            pub enum Type {
                Text = 0 => "TEXT",
                Image = 1 => "IMAGE",
                Video = 2 => "VIDEO",
                Location = 3 => "LOCATION",
                Voice = 4 => "VOICE",
                File = 5 => "FILE",
                Command = 6 => "COMMAND",
                Custom = 7 => "CUSTOM",
                Combine = 8 => "COMBINE",
            }
        }

        /// `easemob.pb.MessageBody.Content.Size`.
        #[derive(Clone, Copy, PartialEq, ::prost::Message)]
        pub struct Size {
            /// `width = 1`.
            #[prost(double, optional, tag = "1")]
            pub width: Option<f64>,
            /// `height = 2`.
            #[prost(double, optional, tag = "2")]
            pub height: Option<f64>,
        }

        pb_enum! {
            /// `easemob.pb.MessageBody.Content.SubType`.
            pub enum SubType {
                Combine = 0 => "COMBINE",
                Gif = 1 => "GIF",
                SubStream = 10 => "SUB_STREAM",
            }
        }
    }

    pb_enum! {
        /// `easemob.pb.MessageBody.Type`.
        pub enum Type {
            Normal = 0 => "NORMAL",
            /// One-to-one.
            Chat = 1 => "CHAT",
            Groupchat = 2 => "GROUPCHAT",
            Chatroom = 3 => "CHATROOM",
            ReadAck = 4 => "READ_ACK",
            DeliverAck = 5 => "DELIVER_ACK",
            Recall = 6 => "RECALL",
            ChannelAck = 7 => "CHANNEL_ACK",
            Edit = 8 => "EDIT",
        }
    }

    pb_enum! {
        /// `easemob.pb.MessageBody.EditScope` (it has no zero value).
        pub enum EditScope {
            Body = 1 => "BODY",
            BodyAndExt = 2 => "BODY_AND_EXT",
        }
    }

    /// `easemob.pb.MessageBody.MessageConfig`.
    #[derive(Clone, Copy, PartialEq, Eq, ::prost::Message)]
    pub struct MessageConfig {
        /// `allowGroupAck = 1`.
        #[prost(bool, optional, tag = "1")]
        pub allow_group_ack: Option<bool>,
    }

    /// `easemob.pb.MessageBody.Stream`.
    #[derive(Clone, PartialEq, Eq, ::prost::Message)]
    pub struct Stream {
        /// `streamType = 1`.
        #[prost(string, optional, tag = "1")]
        pub stream_type: Option<String>,
        /// `streamSeq = 2`.
        #[prost(uint64, optional, tag = "2")]
        pub stream_seq: Option<u64>,
        /// `streamStatus = 3`.
        #[prost(enumeration = "stream::StreamStatus", optional, tag = "3")]
        pub stream_status: Option<i32>,
        /// `streamError = 4`.
        #[prost(uint32, optional, tag = "4")]
        pub stream_error: Option<u32>,
        /// `streamFinishReason = 5`.
        #[prost(int32, optional, tag = "5")]
        pub stream_finish_reason: Option<i32>,
    }

    /// Nested types of [`Stream`] (`easemob.pb.MessageBody.Stream.*`).
    pub mod stream {
        use super::pb_enum;

        pb_enum! {
            /// `easemob.pb.MessageBody.Stream.StreamStatus`.
            pub enum StreamStatus {
                StreamStart = 0 => "STREAM_START",
                StreamInProgress = 1 => "STREAM_IN_PROGRESS",
                StreamCompleted = 2 => "STREAM_COMPLETED",
                StreamFull = 3 => "STREAM_FULL",
            }
        }
    }
}

/// `easemob.pb.KeyValue`: a typed extension attribute. The web SDK maps JS
/// values as: boolean → `BOOL` + `varintValue` 0/1; integer → `INT` +
/// `varintValue`; other number → `DOUBLE` + `doubleValue`; string → `STRING`
/// + `stringValue`; object → `JSON_STRING` + `stringValue` (JSON text).
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct KeyValue {
    /// `key = 1`.
    #[prost(string, optional, tag = "1")]
    pub key: Option<String>,
    /// `type = 2` ([`key_value::ValueType`]).
    #[prost(enumeration = "key_value::ValueType", optional, tag = "2")]
    pub r#type: Option<i32>,
    /// The `value` oneof: `varintValue = 3`, `floatValue = 4`,
    /// `doubleValue = 5`, `stringValue = 6`.
    #[prost(oneof = "key_value::Value", tags = "3, 4, 5, 6")]
    pub value: Option<key_value::Value>,
}

/// Nested types of [`KeyValue`] (`easemob.pb.KeyValue.*`).
pub mod key_value {
    use super::pb_enum;

    pb_enum! {
        /// `easemob.pb.KeyValue.ValueType` (it has no zero value).
        pub enum ValueType {
            Bool = 1 => "BOOL",
            Int = 2 => "INT",
            Uint = 3 => "UINT",
            Llint = 4 => "LLINT",
            Float = 5 => "FLOAT",
            Double = 6 => "DOUBLE",
            String = 7 => "STRING",
            JsonString = 8 => "JSON_STRING",
        }
    }

    /// The oneof `easemob.pb.KeyValue.value`.
    #[derive(Clone, PartialEq, ::prost::Oneof)]
    pub enum Value {
        /// `varintValue = 3`.
        #[prost(int64, tag = "3")]
        VarintValue(i64),
        /// `floatValue = 4`.
        #[prost(float, tag = "4")]
        FloatValue(f32),
        /// `doubleValue = 5`.
        #[prost(double, tag = "5")]
        DoubleValue(f64),
        /// `stringValue = 6`.
        #[prost(string, tag = "6")]
        StringValue(String),
    }
}

/// `easemob.pb.StatisticsBody` (`Meta.ns = STATISTIC`): client information
/// (`INFORMATION`), or, from the server, the end of this login.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct StatisticsBody {
    /// `operation = 1` ([`statistics_body::Operation`]).
    #[prost(enumeration = "statistics_body::Operation", optional, tag = "1")]
    pub operation: Option<i32>,
    /// `os = 2`.
    #[prost(enumeration = "statistics_body::OsType", optional, tag = "2")]
    pub os: Option<i32>,
    /// `version = 3`.
    #[prost(string, optional, tag = "3")]
    pub version: Option<String>,
    /// `network = 4`.
    #[prost(enumeration = "statistics_body::NetworkType", optional, tag = "4")]
    pub network: Option<i32>,
    /// `imTime = 5`.
    #[prost(uint32, optional, tag = "5")]
    pub im_time: Option<u32>,
    /// `chatTime = 6`.
    #[prost(uint32, optional, tag = "6")]
    pub chat_time: Option<u32>,
    /// `location = 7`.
    #[prost(string, optional, tag = "7")]
    pub location: Option<String>,
    /// `reason = 10`: with `USER_LOGIN_ANOTHER_DEVICE`, the kicking login's
    /// custom text (the SDK's `loginInfoCustomExt`).
    #[prost(string, optional, tag = "10")]
    pub reason: Option<String>,
}

/// Nested types of [`StatisticsBody`] (`easemob.pb.StatisticsBody.*`).
pub mod statistics_body {
    use super::pb_enum;

    pb_enum! {
        /// `easemob.pb.StatisticsBody.Operation`. Values 1 to 4 end the
        /// receiving login; the SDK reports them as web error types 207, 206,
        /// 216 and 217 (kick-signals.md §2).
        pub enum Operation {
            /// Client information; not a kick.
            Information = 0 => "INFORMATION",
            /// The user was deleted.
            UserRemoved = 1 => "USER_REMOVED",
            /// Another login of the user replaced this one.
            UserLoginAnotherDevice = 2 => "USER_LOGIN_ANOTHER_DEVICE",
            /// The user's password changed.
            UserKickedByChangePassword = 3 => "USER_KICKED_BY_CHANGE_PASSWORD",
            /// Kicked by another device or by the server API.
            UserKickedByOtherDevice = 4 => "USER_KICKED_BY_OTHER_DEVICE",
        }
    }

    pb_enum! {
        /// `easemob.pb.StatisticsBody.OsType` (same values as `Provision.OsType`).
        pub enum OsType {
            OsIos = 0 => "OS_IOS",
            OsAndroid = 1 => "OS_ANDROID",
            OsLinux = 2 => "OS_LINUX",
            OsOsx = 3 => "OS_OSX",
            OsWin = 4 => "OS_WIN",
            OsCustom = 5 => "OS_CUSTOM",
            OsOther = 16 => "OS_OTHER",
        }
    }

    pb_enum! {
        /// `easemob.pb.StatisticsBody.NetworkType` (same values as `Provision.NetworkType`).
        pub enum NetworkType {
            NetworkNone = 0 => "NETWORK_NONE",
            NetworkWifi = 1 => "NETWORK_WIFI",
            Network4g = 2 => "NETWORK_4G",
            Network3g = 3 => "NETWORK_3G",
            Network2g = 4 => "NETWORK_2G",
            NetworkWire = 5 => "NETWORK_WIRE",
        }
    }
}

/// `easemob.pb.MUCBody` (`Meta.ns = MUC`): a group or chat-room operation.
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct MucBody {
    /// `mucId = 1`: the group or room (domain `conference.easemob.com`).
    #[prost(message, optional, tag = "1")]
    pub muc_id: Option<Jid>,
    /// `operation = 2`.
    #[prost(enumeration = "muc_body::Operation", optional, tag = "2")]
    pub operation: Option<i32>,
    /// `from = 3`.
    #[prost(message, optional, tag = "3")]
    pub from: Option<Jid>,
    /// `to = 4`.
    #[prost(message, repeated, tag = "4")]
    pub to: Vec<Jid>,
    /// `setting = 5`.
    #[prost(message, optional, tag = "5")]
    pub setting: Option<muc_body::Setting>,
    /// `reason = 6`.
    #[prost(string, optional, tag = "6")]
    pub reason: Option<String>,
    /// `isChatroom = 7`.
    #[prost(bool, optional, tag = "7")]
    pub is_chatroom: Option<bool>,
    /// `status = 8`.
    #[prost(message, optional, tag = "8")]
    pub status: Option<muc_body::Status>,
    /// `isThread = 9`.
    #[prost(bool, optional, tag = "9")]
    pub is_thread: Option<bool>,
    /// `mucParentId = 10`.
    #[prost(message, optional, tag = "10")]
    pub muc_parent_id: Option<Jid>,
    /// `mucName = 11`.
    #[prost(string, optional, tag = "11")]
    pub muc_name: Option<String>,
    /// `eventInfo = 12`.
    #[prost(message, optional, tag = "12")]
    pub event_info: Option<muc_body::EventInfo>,
    /// `mucMemberCount = 13`.
    #[prost(int32, optional, tag = "13")]
    pub muc_member_count: Option<i32>,
    /// `ext = 14`.
    #[prost(string, optional, tag = "14")]
    pub ext: Option<String>,
    /// `leaveOtherRooms = 15`.
    #[prost(bool, optional, tag = "15")]
    pub leave_other_rooms: Option<bool>,
    /// `members = 16`.
    #[prost(string, repeated, tag = "16")]
    pub members: Vec<String>,
}

/// Nested types of [`MucBody`] (`easemob.pb.MUCBody.*`).
pub mod muc_body {
    use super::pb_enum;

    pb_enum! {
        /// `easemob.pb.MUCBody.Operation`.
        pub enum Operation {
            Create = 0 => "CREATE",
            Destroy = 1 => "DESTROY",
            Join = 2 => "JOIN",
            Leave = 3 => "LEAVE",
            Apply = 4 => "APPLY",
            ApplyAccept = 5 => "APPLY_ACCEPT",
            ApplyDecline = 6 => "APPLY_DECLINE",
            Invite = 7 => "INVITE",
            InviteAccept = 8 => "INVITE_ACCEPT",
            InviteDecline = 9 => "INVITE_DECLINE",
            Kick = 10 => "KICK",
            GetBlacklist = 11 => "GET_BLACKLIST",
            Ban = 12 => "BAN",
            Allow = 13 => "ALLOW",
            Update = 14 => "UPDATE",
            Block = 15 => "BLOCK",
            Unblock = 16 => "UNBLOCK",
            Presence = 17 => "PRESENCE",
            Absence = 18 => "ABSENCE",
            DirectJoined = 19 => "DIRECT_JOINED",
            AssignOwner = 20 => "ASSIGN_OWNER",
            AddAdmin = 21 => "ADD_ADMIN",
            RemoveAdmin = 22 => "REMOVE_ADMIN",
            AddMute = 23 => "ADD_MUTE",
            RemoveMute = 24 => "REMOVE_MUTE",
            UpdateAnnouncement = 25 => "UPDATE_ANNOUNCEMENT",
            DeleteAnnouncement = 26 => "DELETE_ANNOUNCEMENT",
            UploadFile = 27 => "UPLOAD_FILE",
            DeleteFile = 28 => "DELETE_FILE",
            AddUserWhiteList = 29 => "ADD_USER_WHITE_LIST",
            RemoveUserWhiteList = 30 => "REMOVE_USER_WHITE_LIST",
            BanGroup = 31 => "BAN_GROUP",
            RemoveBanGroup = 32 => "REMOVE_BAN_GROUP",
            ThreadCreate = 33 => "THREAD_CREATE",
            ThreadDestroy = 34 => "THREAD_DESTROY",
            ThreadJoin = 35 => "THREAD_JOIN",
            ThreadLeave = 36 => "THREAD_LEAVE",
            ThreadKick = 37 => "THREAD_KICK",
            ThreadUpdate = 38 => "THREAD_UPDATE",
            ThreadPresence = 39 => "THREAD_PRESENCE",
            ThreadAbsence = 40 => "THREAD_ABSENCE",
            DisableGroup = 41 => "DISABLE_GROUP",
            AbleGroup = 42 => "ABLE_GROUP",
            SetMetadata = 43 => "SET_METADATA",
            DeleteMetadata = 44 => "DELETE_METADATA",
            GroupMemberMetadataUpdate = 45 => "GROUP_MEMBER_METADATA_UPDATE",
        }
    }

    /// `easemob.pb.MUCBody.Setting`.
    #[derive(Clone, PartialEq, Eq, ::prost::Message)]
    pub struct Setting {
        /// `name = 1`.
        #[prost(string, optional, tag = "1")]
        pub name: Option<String>,
        /// `desc = 2`.
        #[prost(string, optional, tag = "2")]
        pub desc: Option<String>,
        /// `type = 3`.
        #[prost(enumeration = "setting::Type", optional, tag = "3")]
        pub r#type: Option<i32>,
        /// `maxUsers = 4`.
        #[prost(int32, optional, tag = "4")]
        pub max_users: Option<i32>,
        /// `owner = 5`.
        #[prost(string, optional, tag = "5")]
        pub owner: Option<String>,
    }

    /// Nested types of [`Setting`] (`easemob.pb.MUCBody.Setting.*`).
    pub mod setting {
        use super::pb_enum;

        pb_enum! {
            /// `easemob.pb.MUCBody.Setting.Type`.
            pub enum Type {
                PrivateOwnerInvite = 0 => "PRIVATE_OWNER_INVITE",
                PrivateMemberInvite = 1 => "PRIVATE_MEMBER_INVITE",
                PublicJoinApproval = 2 => "PUBLIC_JOIN_APPROVAL",
                PublicJoinOpen = 3 => "PUBLIC_JOIN_OPEN",
                PublicAnonymous = 4 => "PUBLIC_ANONYMOUS",
            }
        }
    }

    /// `easemob.pb.MUCBody.Status`.
    #[derive(Clone, PartialEq, Eq, ::prost::Message)]
    pub struct Status {
        /// `errorCode = 1`.
        #[prost(enumeration = "status::ErrorCode", optional, tag = "1")]
        pub error_code: Option<i32>,
        /// `description = 2`.
        #[prost(string, optional, tag = "2")]
        pub description: Option<String>,
        /// `chatroomInfo = 3`.
        #[prost(string, optional, tag = "3")]
        pub chatroom_info: Option<String>,
    }

    /// Nested types of [`Status`] (`easemob.pb.MUCBody.Status.*`).
    pub mod status {
        use super::pb_enum;

        pb_enum! {
            /// `easemob.pb.MUCBody.Status.ErrorCode`.
            pub enum ErrorCode {
                Ok = 0 => "OK",
                PermissionDenied = 1 => "PERMISSION_DENIED",
                WrongParameter = 2 => "WRONG_PARAMETER",
                MucNotExist = 3 => "MUC_NOT_EXIST",
                UserNotExist = 4 => "USER_NOT_EXIST",
                Unknown = 5 => "UNKNOWN",
            }
        }
    }

    /// `easemob.pb.MUCBody.EventInfo`.
    #[derive(Clone, PartialEq, Eq, ::prost::Message)]
    pub struct EventInfo {
        /// `eventType = 1` (descriptor default `EVENT_NONE`).
        #[prost(enumeration = "event_info::EventType", optional, tag = "1")]
        pub event_type: Option<i32>,
        /// `ext = 2`.
        #[prost(string, optional, tag = "2")]
        pub ext: Option<String>,
    }

    /// Nested types of [`EventInfo`] (`easemob.pb.MUCBody.EventInfo.*`).
    pub mod event_info {
        use super::pb_enum;

        pb_enum! {
            /// `easemob.pb.MUCBody.EventInfo.EventType`.
            pub enum EventType {
                EventNone = 0 => "EVENT_NONE",
                CircleChannel = 1 => "CIRCLE_CHANNEL",
            }
        }
    }
}

/// `easemob.pb.RosterBody` (`Meta.ns = ROSTER`): a contact operation.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct RosterBody {
    /// `operation = 1`.
    #[prost(enumeration = "roster_body::Operation", optional, tag = "1")]
    pub operation: Option<i32>,
    /// `status = 2`.
    #[prost(message, optional, tag = "2")]
    pub status: Option<roster_body::Status>,
    /// `from = 3`.
    #[prost(message, optional, tag = "3")]
    pub from: Option<Jid>,
    /// `to = 4`.
    #[prost(message, repeated, tag = "4")]
    pub to: Vec<Jid>,
    /// `reason = 5`.
    #[prost(string, optional, tag = "5")]
    pub reason: Option<String>,
    /// `rosterVer = 6`.
    #[prost(string, optional, tag = "6")]
    pub roster_ver: Option<String>,
    /// `biDirection = 7`.
    #[prost(bool, optional, tag = "7")]
    pub bi_direction: Option<bool>,
}

/// Nested types of [`RosterBody`] (`easemob.pb.RosterBody.*`).
pub mod roster_body {
    use super::pb_enum;

    pb_enum! {
        /// `easemob.pb.RosterBody.Operation`.
        pub enum Operation {
            GetRoster = 0 => "GET_ROSTER",
            GetBlacklist = 1 => "GET_BLACKLIST",
            Add = 2 => "ADD",
            Remove = 3 => "REMOVE",
            Accept = 4 => "ACCEPT",
            Decline = 5 => "DECLINE",
            Ban = 6 => "BAN",
            Allow = 7 => "ALLOW",
            RemoteAccept = 8 => "REMOTE_ACCEPT",
            RemoteDecline = 9 => "REMOTE_DECLINE",
        }
    }

    /// `easemob.pb.RosterBody.Status`.
    #[derive(Clone, PartialEq, Eq, ::prost::Message)]
    pub struct Status {
        /// `errorCode = 1`.
        #[prost(enumeration = "status::ErrorCode", optional, tag = "1")]
        pub error_code: Option<i32>,
        /// `description = 2`.
        #[prost(string, optional, tag = "2")]
        pub description: Option<String>,
    }

    /// Nested types of [`Status`] (`easemob.pb.RosterBody.Status.*`).
    pub mod status {
        use super::pb_enum;

        pb_enum! {
            /// `easemob.pb.RosterBody.Status.ErrorCode`.
            pub enum ErrorCode {
                Ok = 0 => "OK",
                UserNotExist = 1 => "USER_NOT_EXIST",
                UserAlreadyFriend = 2 => "USER_ALREADY_FRIEND",
                UserAlreadyBlacklist = 3 => "USER_ALREADY_BLACKLIST",
            }
        }
    }
}

/// `easemob.pb.ConferenceBody` (`Meta.ns = CONFERENCE`): audio/video call
/// signalling.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct ConferenceBody {
    /// `sessionId = 1`.
    #[prost(string, optional, tag = "1")]
    pub session_id: Option<String>,
    /// `operation = 2`.
    #[prost(enumeration = "conference_body::Operation", optional, tag = "2")]
    pub operation: Option<i32>,
    /// `conferenceId = 3`.
    #[prost(string, optional, tag = "3")]
    pub conference_id: Option<String>,
    /// `type = 4`.
    #[prost(enumeration = "conference_body::Type", optional, tag = "4")]
    pub r#type: Option<i32>,
    /// `content = 5`.
    #[prost(string, optional, tag = "5")]
    pub content: Option<String>,
    /// `network = 6`.
    #[prost(string, optional, tag = "6")]
    pub network: Option<String>,
    /// `version = 7`.
    #[prost(string, optional, tag = "7")]
    pub version: Option<String>,
    /// `identity = 8`.
    #[prost(enumeration = "conference_body::Identity", optional, tag = "8")]
    pub identity: Option<i32>,
    /// `duration = 9`.
    #[prost(string, optional, tag = "9")]
    pub duration: Option<String>,
    /// `peerName = 10`.
    #[prost(string, optional, tag = "10")]
    pub peer_name: Option<String>,
    /// `endReason = 11`.
    #[prost(enumeration = "conference_body::EndReason", optional, tag = "11")]
    pub end_reason: Option<i32>,
    /// `status = 12`.
    #[prost(message, optional, tag = "12")]
    pub status: Option<conference_body::Status>,
    /// `isDirect = 13`.
    #[prost(bool, optional, tag = "13")]
    pub is_direct: Option<bool>,
    /// `controlType = 14`.
    #[prost(enumeration = "conference_body::StreamControlType", optional, tag = "14")]
    pub control_type: Option<i32>,
    /// `routeFlag = 15`.
    #[prost(int32, optional, tag = "15")]
    pub route_flag: Option<i32>,
    /// `routeKey = 16`.
    #[prost(string, optional, tag = "16")]
    pub route_key: Option<String>,
}

/// Nested types of [`ConferenceBody`] (`easemob.pb.ConferenceBody.*`).
pub mod conference_body {
    use super::pb_enum;

    /// `easemob.pb.ConferenceBody.Status`.
    #[derive(Clone, Copy, PartialEq, Eq, ::prost::Message)]
    pub struct Status {
        /// `errorCode = 1` (a plain `int32` here, not an enum).
        #[prost(int32, optional, tag = "1")]
        pub error_code: Option<i32>,
    }

    pb_enum! {
        /// `easemob.pb.ConferenceBody.Operation`.
        pub enum Operation {
            Join = 0 => "JOIN",
            Initiate = 1 => "INITIATE",
            AcceptInitiate = 2 => "ACCEPT_INITIATE",
            Answer = 3 => "ANSWER",
            Terminate = 4 => "TERMINATE",
            Remove = 5 => "REMOVE",
            StreamControl = 6 => "STREAM_CONTROL",
            MediaRequest = 7 => "MEDIA_REQUEST",
        }
    }

    pb_enum! {
        /// `easemob.pb.ConferenceBody.Type`.
        pub enum Type {
            Voice = 0 => "VOICE",
            Video = 1 => "VIDEO",
        }
    }

    pb_enum! {
        /// `easemob.pb.ConferenceBody.Identity`.
        pub enum Identity {
            Caller = 0 => "CALLER",
            Callee = 1 => "CALLEE",
        }
    }

    pb_enum! {
        /// `easemob.pb.ConferenceBody.EndReason`.
        pub enum EndReason {
            Hangup = 0 => "HANGUP",
            Noresponse = 1 => "NORESPONSE",
            Reject = 2 => "REJECT",
            Busy = 3 => "BUSY",
            Fail = 4 => "FAIL",
            Unsupported = 5 => "UNSUPPORTED",
            Offline = 6 => "OFFLINE",
        }
    }

    pb_enum! {
        /// `easemob.pb.ConferenceBody.StreamControlType`.
        pub enum StreamControlType {
            PauseVoice = 0 => "PAUSE_VOICE",
            ResumeVoice = 1 => "RESUME_VOICE",
            PauseVideo = 2 => "PAUSE_VIDEO",
            ResumeVideo = 3 => "RESUME_VIDEO",
        }
    }
}

pb_name! {
    MessageBody => "MessageBody",
    message_body::Content => "MessageBody.Content",
    message_body::content::Size => "MessageBody.Content.Size",
    message_body::MessageConfig => "MessageBody.MessageConfig",
    message_body::Stream => "MessageBody.Stream",
    KeyValue => "KeyValue",
    StatisticsBody => "StatisticsBody",
    MucBody => "MUCBody",
    muc_body::Setting => "MUCBody.Setting",
    muc_body::Status => "MUCBody.Status",
    muc_body::EventInfo => "MUCBody.EventInfo",
    RosterBody => "RosterBody",
    roster_body::Status => "RosterBody.Status",
    ConferenceBody => "ConferenceBody",
    conference_body::Status => "ConferenceBody.Status",
}
