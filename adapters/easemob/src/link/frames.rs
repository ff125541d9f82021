//! Constructors and accessors for the frames unim exchanges: login
//! (PROVISION), UNREAD, SYNC (send, ack, pull, pulled metas) and NOTICE, text
//! messages and the STATISTIC metas that carry kicks. Plain conversions only:
//! what a status code or a kick *means* is for `crate::error`.
//!
//! Client frames are built the way easemob-websdk 4.21.1 builds them
//! (official-sdks.md §1.2–1.3); server frames carry only `command` and
//! `payload`, which is all the SDK needs.

use prost::{Message, Name};

use super::body::{
    message_body, statistics_body, ConferenceBody, KeyValue, MessageBody, MucBody, RosterBody, StatisticsBody,
};
use super::envelope::{
    meta, msync, provision, status, CommNotice, CommSyncDl, CommSyncUl, CommUnreadDl, EncryptType, Jid, MSync, Meta,
    MetaQueue, Provision, Status,
};
use super::{decode_message, LinkError};

/// The prefix of a user token in `MSync.auth` and in `Provision.authToken`.
pub const TOKEN_PREFIX: &str = "$t$";
/// `Provision.version` as easemob-websdk 4.21.1 sends it.
pub const WEB_SDK_VERSION: &str = "4.21.1";
/// `Provision.actionVersion` as easemob-websdk 4.21.1 sends it.
pub const ACTION_VERSION: &str = "v5.2";
/// `Provision.deviceName` as the web SDK sends it.
pub const WEB_DEVICE_NAME: &str = "webim";

/// An enum field's value, or [`LinkError::UnknownValue`]. Absent is the
/// schema default (the enum's zero value), as the SDK reads it.
fn known<E: TryFrom<i32>>(field: &'static str, raw: Option<i32>) -> Result<E, LinkError> {
    let value = raw.unwrap_or(0);
    E::try_from(value).map_err(|_| LinkError::UnknownValue { field, value })
}

fn command_name(raw: Option<i32>) -> String {
    let value = raw.unwrap_or(0);
    msync::Command::try_from(value).map(|c| c.as_str_name().to_owned()).unwrap_or_else(|_| value.to_string())
}

fn ns_name(raw: Option<i32>) -> String {
    let value = raw.unwrap_or(0);
    meta::NameSpace::try_from(value).map(|n| n.as_str_name().to_owned()).unwrap_or_else(|_| value.to_string())
}

impl MSync {
    /// A frame with only `command` set: a server frame without payload.
    pub fn new(command: msync::Command) -> MSync {
        MSync { command: Some(command as i32), ..MSync::default() }
    }

    /// A frame with `command` and `payload`: how the server sends everything.
    pub fn with_payload(command: msync::Command, payload: &impl Message) -> MSync {
        MSync { payload: Some(payload.encode_to_vec()), ..MSync::new(command) }
    }

    /// The client's login frame, as the SDK sends it: `version` `MSYNC_V1`,
    /// `guid`, `auth` = `$t$<token>`, `command` `PROVISION`, `payload`,
    /// `deviceId` 0 and `encryptType` `[ENCRYPT_NONE]`. `traceId` is left
    /// unset. Use [`Provision::login`] for `provision`.
    pub fn provision_request(guid: Jid, token: &str, provision: &Provision) -> MSync {
        MSync {
            version: Some(msync::Version::MsyncV1 as i32),
            guid: Some(guid),
            auth: Some(format!("{TOKEN_PREFIX}{token}")),
            device_id: Some(0),
            encrypt_type: vec![EncryptType::EncryptNone as i32],
            ..MSync::with_payload(msync::Command::Provision, provision)
        }
    }

    /// The server's answer to a login.
    pub fn provision_reply(reply: &Provision) -> MSync {
        MSync::with_payload(msync::Command::Provision, reply)
    }

    /// The client's `UNREAD` (also its heartbeat), as the SDK sends it:
    /// `version`, `encryptType` `[ENCRYPT_NONE]`, `command`, no payload.
    pub fn unread() -> MSync {
        MSync {
            version: Some(msync::Version::MsyncV1 as i32),
            encrypt_type: vec![EncryptType::EncryptNone as i32],
            ..MSync::new(msync::Command::Unread)
        }
    }

    /// The server's answer to `UNREAD`.
    pub fn unread_reply(reply: &CommUnreadDl) -> MSync {
        MSync::with_payload(msync::Command::Unread, reply)
    }

    /// A client `SYNC`: a meta to deliver or a queue to pull. The SDK also
    /// sets `version` and `encryptType`, as here.
    pub fn sync_up(body: &CommSyncUl) -> MSync {
        MSync {
            version: Some(msync::Version::MsyncV1 as i32),
            encrypt_type: vec![EncryptType::EncryptNone as i32],
            ..MSync::with_payload(msync::Command::Sync, body)
        }
    }

    /// A server `SYNC`: an ack, or the metas of a pull.
    pub fn sync_down(body: &CommSyncDl) -> MSync {
        MSync::with_payload(msync::Command::Sync, body)
    }

    /// The server's push telling the client to pull `queue`.
    pub fn notice(queue: Jid) -> MSync {
        MSync::with_payload(msync::Command::Notice, &CommNotice { queue: Some(queue) })
    }

    /// `command`, failing on a number the descriptor does not define (an
    /// absent command is `SYNC`, the schema default).
    pub fn try_command(&self) -> Result<msync::Command, LinkError> {
        known("MSync.command", self.command)
    }

    /// The token from `auth` (without `$t$`); `None` when `auth` is absent
    /// or not a token.
    pub fn token(&self) -> Option<&str> {
        self.auth.as_deref()?.strip_prefix(TOKEN_PREFIX)
    }

    /// The payload as `M`, whatever the command; an absent payload is an
    /// empty `M`. Fails on a compressed payload.
    pub fn decode_payload<M: Message + Name + Default>(&self) -> Result<M, LinkError> {
        match self.compress_algorimth {
            Some(algorithm) if algorithm != 0 => Err(LinkError::Compressed(algorithm)),
            _ => decode_message(self.payload.as_deref().unwrap_or_default()),
        }
    }

    fn payload_for<M: Message + Name + Default>(&self, expected: msync::Command) -> Result<M, LinkError> {
        if self.command.unwrap_or(0) != expected as i32 {
            return Err(LinkError::UnexpectedCommand {
                expected: expected.as_str_name(),
                found: command_name(self.command),
            });
        }
        self.decode_payload()
    }

    /// The [`Provision`] of a `PROVISION` frame (login or its reply).
    pub fn read_provision(&self) -> Result<Provision, LinkError> {
        self.payload_for(msync::Command::Provision)
    }

    /// The status of a `PROVISION` reply; [`LinkError::Missing`] when the
    /// reply has none (the SDK cannot read such a reply either).
    pub fn provision_status(&self) -> Result<Status, LinkError> {
        self.read_provision()?.status.ok_or(LinkError::Missing("Provision.status"))
    }

    /// The [`CommSyncUl`] of a client `SYNC`.
    pub fn read_sync_up(&self) -> Result<CommSyncUl, LinkError> {
        self.payload_for(msync::Command::Sync)
    }

    /// The [`CommSyncDl`] of a server `SYNC`.
    pub fn read_sync_down(&self) -> Result<CommSyncDl, LinkError> {
        self.payload_for(msync::Command::Sync)
    }

    /// The queue of a `NOTICE`.
    pub fn read_notice(&self) -> Result<Jid, LinkError> {
        self.payload_for::<CommNotice>(msync::Command::Notice)?.queue.ok_or(LinkError::Missing("CommNotice.queue"))
    }

    /// The [`CommUnreadDl`] of a server `UNREAD`.
    pub fn read_unread_down(&self) -> Result<CommUnreadDl, LinkError> {
        self.payload_for(msync::Command::Unread)
    }

    /// The [`Logout`](super::Logout) of a `LOGOUT` frame.
    pub fn read_logout(&self) -> Result<super::Logout, LinkError> {
        self.payload_for(msync::Command::Logout)
    }
}

impl Provision {
    /// The login payload as easemob-websdk 4.21.1 fills it for `resource`
    /// and `token`: `osType` `OS_OTHER`, `version` [`WEB_SDK_VERSION`],
    /// `compressType` `[COMPRESS_NONE]`, `encryptType` `[ENCRYPT_NONE]`,
    /// `deviceUuid` = `resource`, `deviceName` [`WEB_DEVICE_NAME`],
    /// `resource`, `actionVersion` [`ACTION_VERSION`], `authToken`
    /// `{"token":"$t$<token>"}`. Unlike the SDK it does not offer LZ4
    /// (`protocolCompressType` stays empty) and leaves `sessionId` unset.
    pub fn login(resource: &str, token: &str) -> Provision {
        Provision {
            os_type: Some(provision::OsType::OsOther as i32),
            version: Some(WEB_SDK_VERSION.into()),
            compress_type: vec![provision::CompressType::CompressNone as i32],
            encrypt_type: vec![EncryptType::EncryptNone as i32],
            device_uuid: Some(resource.into()),
            device_name: Some(WEB_DEVICE_NAME.into()),
            resource: Some(resource.into()),
            action_version: Some(ACTION_VERSION.into()),
            auth_token: Some(serde_json::json!({ "token": format!("{TOKEN_PREFIX}{token}") }).to_string()),
            ..Provision::default()
        }
    }

    /// A login reply with `status` and, if given, `sessionId`. It negotiates
    /// no compression.
    pub fn reply(status: Status, session_id: Option<String>) -> Provision {
        Provision { status: Some(status), session_id, ..Provision::default() }
    }

    /// The same reply telling the SDK when the token expires: `authToken` =
    /// `{"expires_in":<Unix ms>}` (the SDK reads it as an absolute time).
    pub fn with_token_expiry(mut self, expires_at_ms: u64) -> Provision {
        self.auth_token = Some(serde_json::json!({ "expires_in": expires_at_ms }).to_string());
        self
    }

    /// The token of a login request, from `authToken`'s JSON `token`
    /// (without `$t$`); `None` when absent or unreadable.
    pub fn token(&self) -> Option<String> {
        let json: serde_json::Value = serde_json::from_str(self.auth_token.as_deref()?).ok()?;
        json.get("token")?.as_str()?.strip_prefix(TOKEN_PREFIX).map(str::to_owned)
    }

    /// The token expiry of a login reply, from `authToken`'s JSON
    /// `expires_in` (Unix ms).
    pub fn token_expiry(&self) -> Option<u64> {
        let json: serde_json::Value = serde_json::from_str(self.auth_token.as_deref()?).ok()?;
        json.get("expires_in")?.as_u64()
    }
}

impl Status {
    /// `errorCode` `OK`.
    pub fn ok() -> Status {
        Status { error_code: Some(status::ErrorCode::Ok as i32), ..Status::default() }
    }

    /// `code` with `reason`.
    pub fn error(code: status::ErrorCode, reason: impl Into<String>) -> Status {
        Status { error_code: Some(code as i32), reason: Some(reason.into()), redirect_info: Vec::new() }
    }

    /// The raw `errorCode`; absent is 0 (`OK`).
    pub fn code(&self) -> i32 {
        self.error_code.unwrap_or(0)
    }

    /// Whether `errorCode` is `OK` (or absent). Unlike `error_code()`, an
    /// unknown code is not `OK`.
    pub fn is_ok(&self) -> bool {
        self.code() == 0
    }

    /// `errorCode`, failing on a number the enum does not define.
    pub fn try_error_code(&self) -> Result<status::ErrorCode, LinkError> {
        known("Status.errorCode", self.error_code)
    }
}

impl CommSyncUl {
    /// Deliver `meta`.
    pub fn send(meta: Meta) -> CommSyncUl {
        CommSyncUl { meta: Some(meta), ..CommSyncUl::default() }
    }

    /// Pull `queue`: from `key` (a previous `nextKey`), or, without one,
    /// from the server's cursor ("consumed, give me more").
    pub fn pull(queue: Jid, key: Option<u64>) -> CommSyncUl {
        CommSyncUl { queue: Some(queue), key, ..CommSyncUl::default() }
    }
}

impl CommSyncDl {
    /// Ack of a delivered meta: status `OK`, the client's `metaId`, the
    /// server's id for it and the server time.
    pub fn ack(meta_id: u64, server_id: u64, timestamp: u64) -> CommSyncDl {
        CommSyncDl {
            status: Some(Status::ok()),
            meta_id: Some(meta_id),
            server_id: Some(server_id),
            timestamp: Some(timestamp),
            ..CommSyncDl::default()
        }
    }

    /// The answer to a pull of `queue`: status `OK`, `metas` (empty when
    /// nothing is left), `nextKey` when more follow, `isLast`, server time.
    pub fn pulled(queue: Jid, metas: Vec<Meta>, next_key: Option<u64>, is_last: bool, timestamp: u64) -> CommSyncDl {
        CommSyncDl {
            status: Some(Status::ok()),
            metas,
            next_key,
            queue: Some(queue),
            is_last: Some(is_last),
            timestamp: Some(timestamp),
            ..CommSyncDl::default()
        }
    }
}

impl CommUnreadDl {
    /// Status `OK`, the queues to pull and the server time.
    pub fn ok(unread: Vec<MetaQueue>, timestamp: u64) -> CommUnreadDl {
        CommUnreadDl { status: Some(Status::ok()), unread, timestamp: Some(timestamp) }
    }
}

impl MetaQueue {
    /// `n` metas waiting in `queue`.
    pub fn new(queue: Jid, n: u32) -> MetaQueue {
        MetaQueue { queue: Some(queue), n: Some(n) }
    }
}

/// A meta's payload, decoded by its `ns`.
#[derive(Clone, Debug, PartialEq)]
pub enum MetaBody {
    /// `STATISTIC`.
    Statistic(StatisticsBody),
    /// `CHAT`.
    Chat(MessageBody),
    /// `MUC`.
    Muc(MucBody),
    /// `ROSTER`.
    Roster(RosterBody),
    /// `CONFERENCE`.
    Conference(ConferenceBody),
    /// `NOTIFY`, `QUERY` or a namespace the descriptor does not define: the
    /// descriptor has no body type for them.
    Other {
        /// The raw `ns`.
        ns: i32,
        /// The undecoded payload.
        payload: Vec<u8>,
    },
}

impl Meta {
    /// A chat meta (`ns` `CHAT`) with client-chosen `id`, addressed `to`,
    /// carrying `body`: what the SDK sends; the server adds `from` and
    /// `timestamp` ([`Meta::with_from`], [`Meta::with_timestamp`]).
    pub fn chat(id: u64, to: Jid, body: &MessageBody) -> Meta {
        Meta {
            id: Some(id),
            to: Some(to),
            ns: Some(meta::NameSpace::Chat as i32),
            payload: Some(body.encode_to_vec()),
            ..Meta::default()
        }
    }

    /// A statistic meta (`ns` `STATISTIC`) carrying `body`.
    pub fn statistic(id: u64, body: &StatisticsBody) -> Meta {
        Meta {
            id: Some(id),
            ns: Some(meta::NameSpace::Statistic as i32),
            payload: Some(body.encode_to_vec()),
            ..Meta::default()
        }
    }

    /// A group or chat-room notification (`ns` `MUC`) carrying `body`.
    pub fn muc(id: u64, body: &MucBody) -> Meta {
        Meta {
            id: Some(id),
            ns: Some(meta::NameSpace::Muc as i32),
            payload: Some(body.encode_to_vec()),
            ..Meta::default()
        }
    }

    /// The same meta with `from` set.
    pub fn with_from(mut self, from: Jid) -> Meta {
        self.from = Some(from);
        self
    }

    /// The same meta with `to` set.
    pub fn with_to(mut self, to: Jid) -> Meta {
        self.to = Some(to);
        self
    }

    /// The same meta with `timestamp` set (Unix ms).
    pub fn with_timestamp(mut self, timestamp: u64) -> Meta {
        self.timestamp = Some(timestamp);
        self
    }

    /// `ns`, failing on a number the descriptor does not define (absent is
    /// `STATISTIC`, the schema default, as the SDK reads it).
    pub fn try_ns(&self) -> Result<meta::NameSpace, LinkError> {
        known("Meta.ns", self.ns)
    }

    fn payload_in<M: Message + Name + Default>(&self, expected: meta::NameSpace) -> Result<M, LinkError> {
        if self.ns.unwrap_or(0) != expected as i32 {
            return Err(LinkError::UnexpectedNamespace { expected: expected.as_str_name(), found: ns_name(self.ns) });
        }
        decode_message(self.payload.as_deref().unwrap_or_default())
    }

    /// The [`MessageBody`] of a `CHAT` meta.
    pub fn message_body(&self) -> Result<MessageBody, LinkError> {
        self.payload_in(meta::NameSpace::Chat)
    }

    /// The [`MucBody`] of a `MUC` meta.
    pub fn muc_body(&self) -> Result<MucBody, LinkError> {
        self.payload_in(meta::NameSpace::Muc)
    }

    /// The [`StatisticsBody`] of a `STATISTIC` meta.
    pub fn statistics_body(&self) -> Result<StatisticsBody, LinkError> {
        self.payload_in(meta::NameSpace::Statistic)
    }

    /// The operation of a `STATISTIC` meta (absent is `INFORMATION`).
    pub fn statistic_operation(&self) -> Result<statistics_body::Operation, LinkError> {
        self.statistics_body()?.try_operation()
    }

    /// The payload decoded by `ns`.
    pub fn body(&self) -> Result<MetaBody, LinkError> {
        let payload = self.payload.as_deref().unwrap_or_default();
        Ok(match meta::NameSpace::try_from(self.ns.unwrap_or(0)) {
            Ok(meta::NameSpace::Statistic) => MetaBody::Statistic(decode_message(payload)?),
            Ok(meta::NameSpace::Chat) => MetaBody::Chat(decode_message(payload)?),
            Ok(meta::NameSpace::Muc) => MetaBody::Muc(decode_message(payload)?),
            Ok(meta::NameSpace::Roster) => MetaBody::Roster(decode_message(payload)?),
            Ok(meta::NameSpace::Conference) => MetaBody::Conference(decode_message(payload)?),
            Ok(meta::NameSpace::Notify | meta::NameSpace::Query) | Err(_) => {
                MetaBody::Other { ns: self.ns.unwrap_or(0), payload: payload.to_vec() }
            }
        })
    }
}

impl MessageBody {
    /// A one-content text message of `kind` (`CHAT` for one-to-one), as the
    /// SDK builds it: `type`, `from`, `to`, `contents: [{type: TEXT, text}]`.
    pub fn text_message(kind: message_body::Type, from: Jid, to: Jid, text: impl Into<String>) -> MessageBody {
        MessageBody {
            r#type: Some(kind as i32),
            from: Some(from),
            to: Some(to),
            contents: vec![message_body::Content::text_content(text)],
            ..MessageBody::default()
        }
    }

    /// The text of the first `TEXT` content.
    pub fn text(&self) -> Option<&str> {
        self.contents
            .iter()
            .find(|c| c.r#type.unwrap_or(0) == message_body::content::Type::Text as i32)?
            .text
            .as_deref()
    }

    /// `type`, failing on a number the descriptor does not define (absent
    /// is `NORMAL`).
    pub fn try_type(&self) -> Result<message_body::Type, LinkError> {
        known("MessageBody.type", self.r#type)
    }
}

impl message_body::Content {
    /// A `TEXT` content.
    pub fn text_content(text: impl Into<String>) -> message_body::Content {
        message_body::Content {
            r#type: Some(message_body::content::Type::Text as i32),
            text: Some(text.into()),
            ..message_body::Content::default()
        }
    }
}

impl KeyValue {
    /// A `STRING` attribute.
    pub fn string(key: impl Into<String>, value: impl Into<String>) -> KeyValue {
        Self::typed(key, super::key_value::ValueType::String, super::key_value::Value::StringValue(value.into()))
    }

    /// A `JSON_STRING` attribute (`json` is JSON text).
    pub fn json(key: impl Into<String>, json: impl Into<String>) -> KeyValue {
        Self::typed(key, super::key_value::ValueType::JsonString, super::key_value::Value::StringValue(json.into()))
    }

    /// A `BOOL` attribute (`varintValue` 0 or 1).
    pub fn bool(key: impl Into<String>, value: bool) -> KeyValue {
        Self::typed(key, super::key_value::ValueType::Bool, super::key_value::Value::VarintValue(i64::from(value)))
    }

    /// An `INT` attribute.
    pub fn int(key: impl Into<String>, value: i64) -> KeyValue {
        Self::typed(key, super::key_value::ValueType::Int, super::key_value::Value::VarintValue(value))
    }

    /// A `DOUBLE` attribute.
    pub fn double(key: impl Into<String>, value: f64) -> KeyValue {
        Self::typed(key, super::key_value::ValueType::Double, super::key_value::Value::DoubleValue(value))
    }

    fn typed(key: impl Into<String>, kind: super::key_value::ValueType, value: super::key_value::Value) -> KeyValue {
        KeyValue { key: Some(key.into()), r#type: Some(kind as i32), value: Some(value) }
    }
}

impl StatisticsBody {
    /// `operation` = `op`, with `reason` if given: what the server sends to
    /// end a login (or `INFORMATION`, what the client sends after `UNREAD`).
    pub fn new(op: statistics_body::Operation, reason: Option<String>) -> StatisticsBody {
        StatisticsBody { operation: Some(op as i32), reason, ..StatisticsBody::default() }
    }

    /// `operation`, failing on a number the descriptor does not define
    /// (absent is `INFORMATION`).
    pub fn try_operation(&self) -> Result<statistics_body::Operation, LinkError> {
        known("StatisticsBody.operation", self.operation)
    }
}
