//! Frames of Tencent's web client protocol: UTF-8 JSON `{"head":{...},"body":{...}}`
//! carried in WebSocket messages (docs/protocols/tencent.md, "Framing").

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use unim_core::Secret;

/// The frame head. Replies echo `servcmd` and `seq`, which is how a client
/// matches them to requests; a downlink frame that matches no pending request
/// is a push (servers use `seq: 0` for pushes).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Head {
    /// `<service>.<command>`, e.g. `im_open_status.wslogin`.
    pub servcmd: String,
    /// The request's sequence number; 0 on pushes.
    #[serde(deserialize_with = "int_or_string", default)]
    pub seq: u64,
    /// Protocol version, `v4`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub ver: Option<String>,
    /// Client platform; 7 is the web SDK.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub platform: Option<i64>,
    /// The web SDK's own app id.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub websdkappid: Option<i64>,
    /// The web SDK's protocol version string.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub websdkversion: Option<String>,
    /// The instance id the server assigned at login (0 before).
    #[serde(skip_serializing_if = "Option::is_none", default, deserialize_with = "opt_int_or_string")]
    pub status_instid: Option<u64>,
    /// The app's SDKAppID.
    #[serde(skip_serializing_if = "Option::is_none", default, deserialize_with = "opt_int_or_string")]
    pub sdkappid: Option<u64>,
    /// Always `json`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub contenttype: Option<String>,
    /// Client time of the request, Unix seconds.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reqtime: Option<i64>,
    /// The user id, before login.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub identifier: Option<String>,
    /// The UserSig, before login.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub usersig: Option<Secret>,
    /// The session ticket (A2Key from the login reply), after login.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub a2: Option<Secret>,
    /// The user's numeric id (TinyId from the login reply), after login.
    #[serde(skip_serializing_if = "Option::is_none", default, deserialize_with = "opt_string_or_int")]
    pub tinyid: Option<String>,
    /// CRC-32 (IEEE) of the body's JSON text as sent; 0 on heartbeat, login,
    /// logout and push acks (docs/protocols/tencent.md, "Head fields").
    #[serde(skip_serializing_if = "Option::is_none", default, deserialize_with = "opt_int_or_string")]
    pub cs: Option<u64>,
    /// Any other head fields, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One protocol frame.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Frame {
    /// The head.
    pub head: Head,
    /// The body: PascalCase JSON whose shape depends on `head.servcmd`.
    #[serde(default)]
    pub body: Value,
}

/// Why bytes are not a frame.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    /// Not UTF-8 JSON of the frame shape.
    #[error("not a frame: {0}")]
    Json(#[from] serde_json::Error),
    /// A `COMP`-prefixed frame whose compressed payload could not be inflated.
    #[error("compressed frame could not be inflated: {0}")]
    Inflate(std::io::Error),
}

/// What [`Frame::error_code`] reports for an `ErrorCode` that is not an integer.
pub const UNREADABLE_ERROR_CODE: i64 = -1;

/// The prefix that marks a compressed downlink frame.
pub const COMPRESSED_PREFIX: &[u8] = b"COMP";

impl Frame {
    /// A frame for `servcmd` with `seq` and `body`, all other head fields empty.
    pub fn new(servcmd: impl Into<String>, seq: u64, body: Value) -> Self {
        Frame { head: Head { servcmd: servcmd.into(), seq, ..Head::default() }, body }
    }

    /// The frame as bytes on the wire.
    pub fn encode(&self) -> Vec<u8> {
        // A Frame holds only JSON values and strings; serialising it cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Parses a frame, inflating a `COMP`-prefixed one (zlib, falling back to gzip).
    pub fn decode(bytes: &[u8]) -> Result<Frame, FrameError> {
        match bytes.strip_prefix(COMPRESSED_PREFIX) {
            Some(packed) => Ok(serde_json::from_slice(&inflate(packed)?)?),
            None => Ok(serde_json::from_slice(bytes)?),
        }
    }

    /// The checksum the official client puts in `head.cs` for `servcmd` and `body`.
    pub fn checksum(servcmd: &str, body: &Value) -> u64 {
        use crate::link::servcmd::{HEARTBEAT, PUSH_ACK, WSLOGIN, WSLOGOUT};
        if [HEARTBEAT, WSLOGIN, WSLOGOUT, PUSH_ACK].contains(&servcmd) {
            return 0;
        }
        u64::from(crc32fast::hash(body.to_string().as_bytes()))
    }

    /// The body's `ErrorCode`: 0 when absent, the number when it is a number
    /// or a decimal string, and [`UNREADABLE_ERROR_CODE`] for anything else
    /// (never 0: an unreadable code is not a success).
    pub fn error_code(&self) -> i64 {
        match self.body.get("ErrorCode") {
            None | Some(Value::Null) => 0,
            Some(Value::Number(n)) => n.as_i64().unwrap_or(UNREADABLE_ERROR_CODE),
            Some(Value::String(s)) => s.trim().parse().unwrap_or(UNREADABLE_ERROR_CODE),
            Some(_) => UNREADABLE_ERROR_CODE,
        }
    }

    /// The body's `ErrorInfo` (empty when absent).
    pub fn error_info(&self) -> &str {
        self.body.get("ErrorInfo").and_then(Value::as_str).unwrap_or("")
    }
}

fn inflate(packed: &[u8]) -> Result<Vec<u8>, FrameError> {
    use std::io::Read;
    const LIMIT: u64 = 16 << 20;
    let mut out = Vec::new();
    let zlib = flate2::read::ZlibDecoder::new(packed).take(LIMIT).read_to_end(&mut out);
    if zlib.is_ok() {
        return Ok(out);
    }
    out.clear();
    flate2::read::GzDecoder::new(packed).take(LIMIT).read_to_end(&mut out).map_err(FrameError::Inflate)?;
    Ok(out)
}

fn int_or_string<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    Ok(opt_int_or_string(d)?.unwrap_or(0))
}

fn opt_int_or_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    use serde::de::Error;
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n.as_u64().map(Some).ok_or_else(|| D::Error::custom("expected an unsigned integer")),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => s.parse().map(Some).map_err(|_| D::Error::custom("expected an integer string")),
        Some(_) => Err(D::Error::custom("expected an integer")),
    }
}

fn opt_string_or_int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Ok(Some(other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trips_and_redacts_secrets_in_debug() {
        let mut f = Frame::new("im_open_status.wslogin", 7, json!({"State": "Online"}));
        f.head.usersig = Some(Secret::new("eJw-very-secret"));
        f.head.identifier = Some("alice".into());
        f.head.cs = Some(Frame::checksum("openim.sendmsg", &f.body));
        let back = Frame::decode(&f.encode()).unwrap();
        assert_eq!(back, f);
        assert!(!format!("{back:?}").contains("very-secret"));
    }

    #[test]
    fn accepts_numbers_as_strings_and_unknown_head_fields() {
        let f =
            Frame::decode(br#"{"head":{"servcmd":"heartbeat.alive","seq":"3","tinyid":144115,"cappid":0},"body":{}}"#)
                .unwrap();
        assert_eq!(f.head.seq, 3);
        assert_eq!(f.head.tinyid.as_deref(), Some("144115"));
        assert_eq!(f.head.extra.get("cappid"), Some(&json!(0)));
    }

    #[test]
    fn inflates_compressed_frames() {
        use std::io::Write;
        let plain = Frame::new("im_open_push.msg_push", 0, json!({"EventArray": []})).encode();
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(&plain).unwrap();
        let mut wire = COMPRESSED_PREFIX.to_vec();
        wire.extend(z.finish().unwrap());
        assert_eq!(Frame::decode(&wire).unwrap().head.servcmd, "im_open_push.msg_push");
    }

    #[test]
    fn checksum_is_crc32_of_the_body_text_except_for_session_commands() {
        let body = json!({"To_Account": "bob"});
        assert_eq!(Frame::checksum("openim.sendmsg", &body), u64::from(crc32fast::hash(br#"{"To_Account":"bob"}"#)));
        assert_eq!(Frame::checksum("heartbeat.alive", &body), 0);
    }

    #[test]
    fn an_unreadable_error_code_is_not_success() {
        let code = |v: Value| Frame::new("x", 1, json!({ "ErrorCode": v })).error_code();
        assert_eq!(code(json!(70001)), 70001);
        assert_eq!(code(json!("70001")), 70001);
        assert_eq!(code(json!(null)), 0);
        assert_eq!(code(json!(1.5)), UNREADABLE_ERROR_CODE);
        assert_eq!(code(json!({"a": 1})), UNREADABLE_ERROR_CODE);
        assert_eq!(Frame::new("x", 1, json!({})).error_code(), 0);
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(Frame::decode(b"\xff\x00").is_err());
        assert!(Frame::decode(b"COMP\x01\x02").is_err());
    }
}
