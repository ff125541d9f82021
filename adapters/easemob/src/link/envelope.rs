//! The envelope and its payloads: `MSync`, `JID`, `Provision`, `Status`,
//! `Logout` and the sync messages (`CommSyncUL/DL`, `CommNotice`,
//! `CommUnreadUL/DL`, `MetaQueue`, `Meta`) of package `easemob.pb`.
//!
//! Which payload goes with which `MSync.command` (observed, official-sdks.md §1):
//!
//! | command | client → server | server → client |
//! |---|---|---|
//! | `PROVISION` | [`Provision`] (login) | [`Provision`] with `status` |
//! | `UNREAD` | none ([`CommUnreadUl`] is empty) | [`CommUnreadDl`] |
//! | `SYNC` | [`CommSyncUl`]: a `meta` to send, or a `queue` to pull | [`CommSyncDl`]: an ack, or pulled `metas` |
//! | `NOTICE` | – | [`CommNotice`]: a queue has something to pull |
//! | `LOGOUT` | [`Logout`] | [`Logout`] (the SDK only logs it) |

use std::fmt;

use super::body::KeyValue;
use super::{pb_enum, pb_name};

/// `easemob.pb.JID`: an address: a user (domain `easemob.com`), a group or
/// chat room (domain `conference.easemob.com`), or a sync queue.
#[derive(Clone, PartialEq, Eq, Hash, ::prost::Message)]
pub struct Jid {
    /// `appKey = 1`: `org#app`.
    #[prost(string, optional, tag = "1")]
    pub app_key: Option<String>,
    /// `name = 2`: the user name, group id or chat-room id.
    #[prost(string, optional, tag = "2")]
    pub name: Option<String>,
    /// `domain = 3`: `easemob.com` for users, `conference.easemob.com` for
    /// groups and chat rooms.
    #[prost(string, optional, tag = "3")]
    pub domain: Option<String>,
    /// `clientResource = 4`: one login of the user (the web SDK uses
    /// `webim_web_<ms>`).
    #[prost(string, optional, tag = "4")]
    pub client_resource: Option<String>,
}

/// `easemob.pb.MSync`: the envelope of every WebSocket message, both ways.
/// Server frames need only `command` and `payload`.
#[derive(Clone, PartialEq, ::prost::Message)]
#[prost(skip_debug)]
pub struct MSync {
    /// `version = 1` (descriptor default `MSYNC_V1`); the SDK sends 0 explicitly.
    #[prost(enumeration = "msync::Version", optional, tag = "1")]
    pub version: Option<i32>,
    /// `guid = 2`: the sender's JID, with its `clientResource` (login frame).
    #[prost(message, optional, tag = "2")]
    pub guid: Option<Jid>,
    /// `auth = 3`: `$t$` followed by the user token (login frame).
    #[prost(string, optional, tag = "3")]
    pub auth: Option<String>,
    /// `compressAlgorimth = 4` (the descriptor's spelling): never set by the SDK.
    #[prost(uint32, optional, tag = "4")]
    pub compress_algorimth: Option<u32>,
    /// `crypto = 5`.
    #[prost(uint32, optional, tag = "5")]
    pub crypto: Option<u32>,
    /// `userAgent = 6`.
    #[prost(string, optional, tag = "6")]
    pub user_agent: Option<String>,
    /// `pov = 7`.
    #[prost(uint64, optional, tag = "7")]
    pub pov: Option<u64>,
    /// `command = 8`: which payload this is ([`msync::Command`]).
    #[prost(enumeration = "msync::Command", optional, tag = "8")]
    pub command: Option<i32>,
    /// `deviceId = 10`; the SDK sends 0.
    #[prost(uint32, optional, tag = "10")]
    pub device_id: Option<u32>,
    /// `encryptType = 11` (repeated, not packed): the SDK sends `[ENCRYPT_NONE]`.
    #[prost(enumeration = "EncryptType", repeated, packed = "false", tag = "11")]
    pub encrypt_type: Vec<i32>,
    /// `encryptKey = 12`.
    #[prost(string, optional, tag = "12")]
    pub encrypt_key: Option<String>,
    /// `payload = 9`: the encoded payload message.
    #[prost(bytes = "vec", optional, tag = "9")]
    pub payload: Option<Vec<u8>>,
    /// `traceId = 20`: a random id per client frame.
    #[prost(uint64, optional, tag = "20")]
    pub trace_id: Option<u64>,
}

/// Nested types of [`MSync`] (`easemob.pb.MSync.*`).
pub mod msync {
    use super::pb_enum;

    pb_enum! {
        /// `easemob.pb.MSync.Version`.
        pub enum Version {
            MsyncV1 = 0 => "MSYNC_V1",
            MsyncV2 = 1 => "MSYNC_V2",
        }
    }

    pb_enum! {
        /// `easemob.pb.MSync.Command`: what the envelope carries.
        pub enum Command {
            /// Send a meta, pull a queue, or their replies.
            Sync = 0 => "SYNC",
            /// Ask which queues have unread metas; also the SDK's heartbeat.
            Unread = 1 => "UNREAD",
            /// Server push: a queue has something to pull.
            Notice = 2 => "NOTICE",
            /// Login and its reply.
            Provision = 3 => "PROVISION",
            /// Logout.
            Logout = 4 => "LOGOUT",
        }
    }
}

pb_enum! {
    /// `easemob.pb.EncryptType`.
    pub enum EncryptType {
        EncryptNone = 0 => "ENCRYPT_NONE",
        EncryptAes128Cbc = 1 => "ENCRYPT_AES_128_CBC",
        EncryptAes256Cbc = 2 => "ENCRYPT_AES_256_CBC",
    }
}

/// `easemob.pb.CommSyncUL`: a client `SYNC`: either a `meta` to deliver, or a
/// `queue` to pull (from `key`, or from where the server's cursor is).
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct CommSyncUl {
    /// `meta = 1`: the meta to deliver.
    #[prost(message, optional, tag = "1")]
    pub meta: Option<Meta>,
    /// `key = 2`: pull from this key (a previous reply's `nextKey`).
    #[prost(uint64, optional, tag = "2")]
    pub key: Option<u64>,
    /// `queue = 3`: the queue to pull.
    #[prost(message, optional, tag = "3")]
    pub queue: Option<Jid>,
    /// `isRoam = 4`.
    #[prost(bool, optional, tag = "4")]
    pub is_roam: Option<bool>,
    /// `lastFullRoamKey = 5`.
    #[prost(uint64, optional, tag = "5")]
    pub last_full_roam_key: Option<u64>,
}

/// `easemob.pb.CommSyncDL`: the server's `SYNC`: an ack of a delivered meta
/// (`metaId`, `serverId`), or the metas of a pulled queue.
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct CommSyncDl {
    /// `status = 1`.
    #[prost(message, optional, tag = "1")]
    pub status: Option<Status>,
    /// `metaId = 2`: the acked client meta's `id`.
    #[prost(uint64, optional, tag = "2")]
    pub meta_id: Option<u64>,
    /// `serverId = 3`: the server's id for the acked meta (the SDK's `serverMsgId`).
    #[prost(uint64, optional, tag = "3")]
    pub server_id: Option<u64>,
    /// `metas = 4`: pulled metas.
    #[prost(message, repeated, tag = "4")]
    pub metas: Vec<Meta>,
    /// `nextKey = 5`: where the next pull starts when `isLast` is false.
    #[prost(uint64, optional, tag = "5")]
    pub next_key: Option<u64>,
    /// `queue = 6`: the pulled queue; the SDK requires it on pull replies.
    #[prost(message, optional, tag = "6")]
    pub queue: Option<Jid>,
    /// `isLast = 7`: nothing more to pull.
    #[prost(bool, optional, tag = "7")]
    pub is_last: Option<bool>,
    /// `timestamp = 8`: server time, Unix ms.
    #[prost(uint64, optional, tag = "8")]
    pub timestamp: Option<u64>,
    /// `isRoam = 9`.
    #[prost(bool, optional, tag = "9")]
    pub is_roam: Option<bool>,
}

/// `easemob.pb.CommNotice`: server push: pull this queue.
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct CommNotice {
    /// `queue = 1`.
    #[prost(message, optional, tag = "1")]
    pub queue: Option<Jid>,
}

/// `easemob.pb.CommUnreadUL`: the client's `UNREAD` payload; it has no
/// fields, and the SDK sends `UNREAD` with no payload at all.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct CommUnreadUl {}

/// `easemob.pb.CommUnreadDL`: which queues have unread metas.
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct CommUnreadDl {
    /// `status = 1`.
    #[prost(message, optional, tag = "1")]
    pub status: Option<Status>,
    /// `unread = 2`: one entry per queue to pull.
    #[prost(message, repeated, tag = "2")]
    pub unread: Vec<MetaQueue>,
    /// `timestamp = 3`: server time, Unix ms.
    #[prost(uint64, optional, tag = "3")]
    pub timestamp: Option<u64>,
}

/// `easemob.pb.MetaQueue`: a queue and how many metas wait in it.
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct MetaQueue {
    /// `queue = 1`.
    #[prost(message, optional, tag = "1")]
    pub queue: Option<Jid>,
    /// `n = 2`: the number of unread metas.
    #[prost(uint32, optional, tag = "2")]
    pub n: Option<u32>,
}

/// `easemob.pb.Meta`: one item of a sync queue. `payload` is a message of
/// the type `ns` names ([`Meta::body`]).
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct Meta {
    /// `id = 1`: the message id (client-chosen on send).
    #[prost(uint64, optional, tag = "1")]
    pub id: Option<u64>,
    /// `from = 2`.
    #[prost(message, optional, tag = "2")]
    pub from: Option<Jid>,
    /// `to = 3`.
    #[prost(message, optional, tag = "3")]
    pub to: Option<Jid>,
    /// `timestamp = 4`: Unix ms.
    #[prost(uint64, optional, tag = "4")]
    pub timestamp: Option<u64>,
    /// `ns = 5`: what `payload` is ([`meta::NameSpace`]).
    #[prost(enumeration = "meta::NameSpace", optional, tag = "5")]
    pub ns: Option<i32>,
    /// `payload = 6`: the encoded body.
    #[prost(bytes = "vec", optional, tag = "6")]
    pub payload: Option<Vec<u8>>,
    /// `routetype = 7`.
    #[prost(enumeration = "meta::RouteType", optional, tag = "7")]
    pub routetype: Option<i32>,
    /// `ext = 8`.
    #[prost(message, repeated, tag = "8")]
    pub ext: Vec<KeyValue>,
    /// `meta = 9`.
    #[prost(bytes = "vec", optional, tag = "9")]
    pub meta: Option<Vec<u8>>,
    /// `directedUsers = 10`.
    #[prost(string, repeated, tag = "10")]
    pub directed_users: Vec<String>,
}

/// Nested types of [`Meta`] (`easemob.pb.Meta.*`).
pub mod meta {
    use super::pb_enum;

    pb_enum! {
        /// `easemob.pb.Meta.NameSpace`: the type of a meta's payload.
        pub enum NameSpace {
            /// [`StatisticsBody`](crate::link::StatisticsBody); kicks travel here.
            Statistic = 0 => "STATISTIC",
            /// [`MessageBody`](crate::link::MessageBody).
            Chat = 1 => "CHAT",
            /// [`MucBody`](crate::link::MucBody): group and chat-room operations.
            Muc = 2 => "MUC",
            /// [`RosterBody`](crate::link::RosterBody): contacts.
            Roster = 3 => "ROSTER",
            /// [`ConferenceBody`](crate::link::ConferenceBody).
            Conference = 4 => "CONFERENCE",
            /// Notifications; the descriptor has no body type for them.
            Notify = 5 => "NOTIFY",
            /// Queries; the descriptor has no body type for them.
            Query = 6 => "QUERY",
        }
    }

    pb_enum! {
        /// `easemob.pb.Meta.RouteType`.
        pub enum RouteType {
            RouteAll = 0 => "ROUTE_ALL",
            RouteOnline = 1 => "ROUTE_ONLINE",
            RouteDirect = 2 => "ROUTE_DIRECT",
        }
    }
}

/// `easemob.pb.Status`: the outcome of a request.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct Status {
    /// `errorCode = 1` ([`status::ErrorCode`]); absent means `OK`.
    #[prost(enumeration = "status::ErrorCode", optional, tag = "1")]
    pub error_code: Option<i32>,
    /// `reason = 2`.
    #[prost(string, optional, tag = "2")]
    pub reason: Option<String>,
    /// `redirectInfo = 3`.
    #[prost(message, repeated, tag = "3")]
    pub redirect_info: Vec<RedirectInfo>,
}

/// Nested types of [`Status`] (`easemob.pb.Status.*`).
pub mod status {
    use super::pb_enum;

    pb_enum! {
        /// `easemob.pb.Status.ErrorCode`, plus `RESOURCE_CHANGED = 20`, which
        /// the descriptor lacks (see [`ErrorCode::ResourceChanged`]).
        pub enum ErrorCode {
            Ok = 0 => "OK",
            Fail = 1 => "FAIL",
            Unauthorized = 2 => "UNAUTHORIZED",
            MissingParameter = 3 => "MISSING_PARAMETER",
            WrongParameter = 4 => "WRONG_PARAMETER",
            Redirect = 5 => "REDIRECT",
            TokenExpired = 6 => "TOKEN_EXPIRED",
            PermissionDenied = 7 => "PERMISSION_DENIED",
            NoRoute = 8 => "NO_ROUTE",
            UnknownCommand = 9 => "UNKNOWN_COMMAND",
            PbParserError = 10 => "PB_PARSER_ERROR",
            BindAnotherDevice = 11 => "BIND_ANOTHER_DEVICE",
            ImForbidden = 12 => "IM_FORBIDDEN",
            TooManyDevices = 13 => "TOO_MANY_DEVICES",
            PlatformLimit = 14 => "PLATFORM_LIMIT",
            UserMuted = 15 => "USER_MUTED",
            EncryptDisable = 16 => "ENCRYPT_DISABLE",
            EncryptEnable = 17 => "ENCRYPT_ENABLE",
            DecryptFailure = 18 => "DECRYPT_FAILURE",
            PermissionDeniedExternal = 19 => "PERMISSION_DENIED_EXTERNAL",
            /// Not in the descriptor: the SDK's own code enum has it, and
            /// answers it in a PROVISION reply with `USER_DEVICE_CHANGED`
            /// (kick-signals.md §2). On the wire it is just the number 20.
            ResourceChanged = 20 => "RESOURCE_CHANGED",
        }
    }
}

/// `easemob.pb.RedirectInfo`.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct RedirectInfo {
    /// `host = 1`.
    #[prost(string, optional, tag = "1")]
    pub host: Option<String>,
    /// `port = 2`.
    #[prost(uint32, optional, tag = "2")]
    pub port: Option<u32>,
}

/// `easemob.pb.Provision`: the login request (client) and its reply (server,
/// with `status`).
#[derive(Clone, PartialEq, ::prost::Message)]
#[prost(skip_debug)]
pub struct Provision {
    /// `osType = 1`: the web SDK sends `OS_OTHER`.
    #[prost(enumeration = "provision::OsType", optional, tag = "1")]
    pub os_type: Option<i32>,
    /// `version = 2`: the SDK version, e.g. `4.21.1`.
    #[prost(string, optional, tag = "2")]
    pub version: Option<String>,
    /// `networkType = 3`.
    #[prost(enumeration = "provision::NetworkType", optional, tag = "3")]
    pub network_type: Option<i32>,
    /// `appSign = 4`.
    #[prost(string, optional, tag = "4")]
    pub app_sign: Option<String>,
    /// `compressType = 5` (repeated, not packed): the SDK sends `[COMPRESS_NONE]`.
    #[prost(enumeration = "provision::CompressType", repeated, packed = "false", tag = "5")]
    pub compress_type: Vec<i32>,
    /// `encryptType = 6` (repeated, not packed): the SDK sends `[ENCRYPT_NONE]`.
    #[prost(enumeration = "EncryptType", repeated, packed = "false", tag = "6")]
    pub encrypt_type: Vec<i32>,
    /// `encryptKey = 7`.
    #[prost(string, optional, tag = "7")]
    pub encrypt_key: Option<String>,
    /// `status = 8`: the reply's outcome.
    #[prost(message, optional, tag = "8")]
    pub status: Option<Status>,
    /// `deviceUuid = 9`: the web SDK sends `web_<ms>`.
    #[prost(string, optional, tag = "9")]
    pub device_uuid: Option<String>,
    /// `isManualLogin = 10`.
    #[prost(bool, optional, tag = "10")]
    pub is_manual_login: Option<bool>,
    /// `password = 11`: the web SDK never sends it.
    #[prost(string, optional, tag = "11")]
    pub password: Option<String>,
    /// `deviceName = 12`: the web SDK sends `webim`.
    #[prost(string, optional, tag = "12")]
    pub device_name: Option<String>,
    /// `resource = 13`: the login's resource, equal to `MSync.guid.clientResource`.
    #[prost(string, optional, tag = "13")]
    pub resource: Option<String>,
    /// `auth = 14`.
    #[prost(string, optional, tag = "14")]
    pub auth: Option<String>,
    /// `serviceId = 16`.
    #[prost(string, optional, tag = "16")]
    pub service_id: Option<String>,
    /// `actionVersion = 17`: the web SDK sends `v5.2`.
    #[prost(string, optional, tag = "17")]
    pub action_version: Option<String>,
    /// `authToken = 18`: JSON text. Request: `{"token":"$t$<token>"}`;
    /// reply (optional): `{"expires_in":<Unix ms>}`, read by the SDK as the
    /// token's expiry time.
    #[prost(string, optional, tag = "18")]
    pub auth_token: Option<String>,
    /// `osCustomValue = 19`.
    #[prost(uint32, optional, tag = "19")]
    pub os_custom_value: Option<u32>,
    /// `sessionId = 20`: the web SDK sends `<ms>:`; the reply may carry one.
    #[prost(string, optional, tag = "20")]
    pub session_id: Option<String>,
    /// `reason = 21`: the SDK's `loginInfoCustomExt`, shown to a device this
    /// login kicks.
    #[prost(string, optional, tag = "21")]
    pub reason: Option<String>,
    /// `protocolCompressType = 22` (packed): whole-message compression offered
    /// (request) or chosen (reply); see the module docs on compression.
    #[prost(enumeration = "provision::CompressType", repeated, tag = "22")]
    pub protocol_compress_type: Vec<i32>,
    /// `protocolCompressDirection = 23`.
    #[prost(enumeration = "provision::CompressDirection", optional, tag = "23")]
    pub protocol_compress_direction: Option<i32>,
}

/// Nested types of [`Provision`] (`easemob.pb.Provision.*`).
pub mod provision {
    use super::pb_enum;

    pb_enum! {
        /// `easemob.pb.Provision.OsType`.
        pub enum OsType {
            OsIos = 0 => "OS_IOS",
            OsAndroid = 1 => "OS_ANDROID",
            OsLinux = 2 => "OS_LINUX",
            OsOsx = 3 => "OS_OSX",
            OsWin = 4 => "OS_WIN",
            OsCustom = 5 => "OS_CUSTOM",
            /// What the web SDK sends.
            OsOther = 16 => "OS_OTHER",
        }
    }

    pb_enum! {
        /// `easemob.pb.Provision.NetworkType`.
        pub enum NetworkType {
            NetworkNone = 0 => "NETWORK_NONE",
            NetworkWifi = 1 => "NETWORK_WIFI",
            Network4g = 2 => "NETWORK_4G",
            Network3g = 3 => "NETWORK_3G",
            Network2g = 4 => "NETWORK_2G",
            NetworkWire = 5 => "NETWORK_WIRE",
        }
    }

    pb_enum! {
        /// `easemob.pb.Provision.CompressType`.
        pub enum CompressType {
            CompressNone = 0 => "COMPRESS_NONE",
            CompressZlib = 1 => "COMPRESS_ZLIB",
            CompressLz4 = 2 => "COMPRESS_LZ4",
        }
    }

    pb_enum! {
        /// `easemob.pb.Provision.CompressDirection`.
        pub enum CompressDirection {
            OnlyUp = 0 => "ONLY_UP",
            OnlyDown = 1 => "ONLY_DOWN",
            Bi = 2 => "BI",
        }
    }
}

/// `easemob.pb.Logout`: the `LOGOUT` payload.
#[derive(Clone, PartialEq, Eq, ::prost::Message)]
pub struct Logout {
    /// `sessionId = 1`.
    #[prost(string, optional, tag = "1")]
    pub session_id: Option<String>,
    /// `reason = 2`.
    #[prost(string, optional, tag = "2")]
    pub reason: Option<String>,
    /// `status = 3`.
    #[prost(message, optional, tag = "3")]
    pub status: Option<Status>,
}

pb_name! {
    Jid => "JID",
    MSync => "MSync",
    CommSyncUl => "CommSyncUL",
    CommSyncDl => "CommSyncDL",
    CommNotice => "CommNotice",
    CommUnreadUl => "CommUnreadUL",
    CommUnreadDl => "CommUnreadDL",
    MetaQueue => "MetaQueue",
    Meta => "Meta",
    Status => "Status",
    RedirectInfo => "RedirectInfo",
    Provision => "Provision",
    Logout => "Logout",
}

const REDACTED: &str = "<redacted>";

fn redact(secret: &Option<String>) -> Option<&'static str> {
    secret.as_ref().map(|_| REDACTED)
}

fn enum_name<E: TryFrom<i32>>(raw: Option<i32>, name: fn(&E) -> &'static str) -> Option<String> {
    raw.map(|v| E::try_from(v).map(|e| name(&e).to_owned()).unwrap_or_else(|_| v.to_string()))
}

/// Like the derived one, with `auth` and `encryptKey` redacted, `command`
/// by name and the payload by length.
impl fmt::Debug for MSync {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MSync")
            .field("version", &self.version)
            .field("guid", &self.guid)
            .field("auth", &redact(&self.auth))
            .field("compress_algorimth", &self.compress_algorimth)
            .field("crypto", &self.crypto)
            .field("user_agent", &self.user_agent)
            .field("pov", &self.pov)
            .field("command", &enum_name(self.command, msync::Command::as_str_name))
            .field("device_id", &self.device_id)
            .field("encrypt_type", &self.encrypt_type)
            .field("encrypt_key", &redact(&self.encrypt_key))
            .field("payload_len", &self.payload.as_ref().map(Vec::len))
            .field("trace_id", &self.trace_id)
            .finish()
    }
}

/// Like the derived one, with `auth`, `password`, `authToken` and
/// `encryptKey` redacted.
impl fmt::Debug for Provision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Provision")
            .field("os_type", &self.os_type)
            .field("version", &self.version)
            .field("network_type", &self.network_type)
            .field("app_sign", &self.app_sign)
            .field("compress_type", &self.compress_type)
            .field("encrypt_type", &self.encrypt_type)
            .field("encrypt_key", &redact(&self.encrypt_key))
            .field("status", &self.status)
            .field("device_uuid", &self.device_uuid)
            .field("is_manual_login", &self.is_manual_login)
            .field("password", &redact(&self.password))
            .field("device_name", &self.device_name)
            .field("resource", &self.resource)
            .field("auth", &redact(&self.auth))
            .field("service_id", &self.service_id)
            .field("action_version", &self.action_version)
            .field("auth_token", &redact(&self.auth_token))
            .field("os_custom_value", &self.os_custom_value)
            .field("session_id", &self.session_id)
            .field("reason", &self.reason)
            .field("protocol_compress_type", &self.protocol_compress_type)
            .field("protocol_compress_direction", &self.protocol_compress_direction)
            .finish()
    }
}
