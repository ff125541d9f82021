//! The application packets inside socket.io messages
//! (docs/protocols/netease.md section 3): a request `{SID, CID, SER, Q}` goes
//! up, a response or push `{sid, cid, ser?, code, r}` comes down. Values are
//! positional; records are [`Property`] maps keyed by numeric tags.

use super::ids::{Command, SECRET_TAGS};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt;

/// A record keyed by numeric tags. On the wire the tags are JSON object keys
/// (strings) and the values strings or numbers. `Debug` hides secret tags
/// (the login token).
#[derive(Clone, Default, PartialEq)]
pub struct Property(pub BTreeMap<u32, Value>);

impl fmt::Debug for Property {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut m = f.debug_map();
        for (tag, v) in &self.0 {
            if SECRET_TAGS.contains(tag) {
                m.entry(tag, &"<redacted>");
            } else {
                m.entry(tag, v);
            }
        }
        m.finish()
    }
}

impl Property {
    /// An empty record.
    pub fn new() -> Self {
        Self::default()
    }

    /// The record with `tag` set.
    pub fn with(mut self, tag: u32, value: impl Into<Value>) -> Self {
        self.set(tag, value);
        self
    }

    /// Sets `tag`.
    pub fn set(&mut self, tag: u32, value: impl Into<Value>) {
        self.0.insert(tag, value.into());
    }

    /// The raw value of `tag`.
    pub fn get(&self, tag: u32) -> Option<&Value> {
        self.0.get(&tag)
    }

    /// `tag` as text; numbers are written out (the SDK is loose about types).
    pub fn str(&self, tag: u32) -> Option<String> {
        match self.get(tag)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// `tag` as an integer; numeric strings are read.
    pub fn int(&self, tag: u32) -> Option<i64> {
        match self.get(tag)? {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            Value::Bool(b) => Some(i64::from(*b)),
            _ => None,
        }
    }

    /// The wire form: a JSON object with string keys.
    pub fn to_value(&self) -> Value {
        Value::Object(self.0.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
    }

    /// Reads the wire form; keys that are not numbers are an error.
    pub fn from_value(value: &Value) -> Result<Property, PacketError> {
        let Value::Object(map) = value else {
            return Err(PacketError::new(format!("a Property must be a JSON object, got {value}")));
        };
        let mut out = BTreeMap::new();
        for (k, v) in map {
            let tag: u32 = k.parse().map_err(|_| PacketError::new(format!("Property tag {k:?} is not a number")))?;
            out.insert(tag, v.clone());
        }
        Ok(Property(out))
    }
}

impl From<Property> for Value {
    fn from(p: Property) -> Value {
        p.to_value()
    }
}

/// A packet that does not follow the schema.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed NetEase packet: {0}")]
pub struct PacketError(pub String);

impl PacketError {
    /// An error saying `what` is wrong.
    pub fn new(what: impl Into<String>) -> Self {
        PacketError(what.into())
    }
}

/// One typed parameter of a request's `Q` list: `{"t": <type>, "v": <value>}`.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Param {
    /// The schema type: `Property`, `PropertyArray`, `StrArray`, `LongArray`,
    /// `String`, `Int`, `Long`, `Byte`, `bool`.
    pub t: String,
    /// The value.
    pub v: Value,
}

impl fmt::Debug for Param {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.as_property() {
            Ok(p) if self.t == "Property" => write!(f, "Property{p:?}"),
            _ => write!(f, "{}({})", self.t, self.v),
        }
    }
}

impl Param {
    /// A `Property` parameter.
    pub fn property(p: Property) -> Self {
        Param { t: "Property".into(), v: p.to_value() }
    }

    /// A `PropertyArray` parameter.
    pub fn property_array(items: Vec<Property>) -> Self {
        Param { t: "PropertyArray".into(), v: Value::Array(items.into_iter().map(Value::from).collect()) }
    }

    /// A `StrArray` parameter.
    pub fn str_array<S: Into<String>>(items: impl IntoIterator<Item = S>) -> Self {
        Param { t: "StrArray".into(), v: Value::Array(items.into_iter().map(|s| Value::String(s.into())).collect()) }
    }

    /// A scalar parameter of type `t` (`Byte`, `Int`, `Long`, `String`, `bool`).
    pub fn scalar(t: &str, v: impl Into<Value>) -> Self {
        Param { t: t.into(), v: v.into() }
    }

    /// The value as a [`Property`].
    pub fn as_property(&self) -> Result<Property, PacketError> {
        Property::from_value(&self.v)
    }

    /// The value as a list of strings (`StrArray`, `LongArray`).
    pub fn as_strings(&self) -> Result<Vec<String>, PacketError> {
        match &self.v {
            Value::Array(items) => items
                .iter()
                .map(|i| match i {
                    Value::String(s) => Ok(s.clone()),
                    Value::Number(n) => Ok(n.to_string()),
                    other => Err(PacketError::new(format!("{} item {other} is not a string", self.t))),
                })
                .collect(),
            other => Err(PacketError::new(format!("{} value {other} is not an array", self.t))),
        }
    }
}

/// A client → server packet.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    /// The command.
    pub command: Command,
    /// The per-connection serial the response echoes (`0` for heartbeats).
    pub ser: u64,
    /// The parameters, in the command's schema order.
    pub q: Vec<Param>,
}

#[derive(Serialize, Deserialize)]
struct RequestJson {
    #[serde(rename = "SID")]
    sid: u8,
    #[serde(rename = "CID")]
    cid: u8,
    #[serde(rename = "SER", default)]
    ser: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    timeout: Option<u64>,
    #[serde(rename = "Q", default)]
    q: Vec<Param>,
}

impl Request {
    /// A request for `command` with serial `ser`.
    pub fn new(command: Command, ser: u64, q: Vec<Param>) -> Self {
        Request { command, ser, q }
    }

    /// Parameter `i`, or an error naming the command.
    pub fn param(&self, i: usize) -> Result<&Param, PacketError> {
        self.q.get(i).ok_or_else(|| PacketError::new(format!("{} request has no parameter {i}", self.command)))
    }

    /// The JSON text.
    pub fn to_json(&self) -> String {
        let json = RequestJson {
            sid: self.command.sid,
            cid: self.command.cid,
            ser: self.ser,
            timeout: None,
            q: self.q.clone(),
        };
        serde_json::to_string(&json).unwrap_or_default()
    }

    /// Reads the JSON text.
    pub fn from_json(text: &str) -> Result<Request, PacketError> {
        let json: RequestJson =
            serde_json::from_str(text).map_err(|e| PacketError::new(format!("request is not valid JSON: {e}")))?;
        Ok(Request { command: Command::new(json.sid, json.cid), ser: json.ser, q: json.q })
    }
}

/// A server → client packet: the response to a request (with its `ser`) or
/// a push (without).
#[derive(Clone, Debug, PartialEq)]
pub struct Response {
    /// The command answered or pushed.
    pub command: Command,
    /// The serial of the request answered; `None` on pushes.
    pub ser: Option<u64>,
    /// NetEase's result code, 200 on success.
    pub code: i64,
    /// The results, in the command's response schema order.
    pub r: Vec<Value>,
}

#[derive(Serialize, Deserialize)]
struct ResponseJson {
    sid: u8,
    cid: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ser: Option<u64>,
    #[serde(default = "ok_code")]
    code: i64,
    #[serde(default)]
    r: Vec<Value>,
}

fn ok_code() -> i64 {
    200
}

impl Response {
    /// A successful answer to request `ser`.
    pub fn ok(command: Command, ser: u64, r: Vec<Value>) -> Self {
        Response { command, ser: Some(ser), code: 200, r }
    }

    /// A failed answer to request `ser`.
    pub fn error(command: Command, ser: u64, code: i64) -> Self {
        Response { command, ser: Some(ser), code, r: Vec::new() }
    }

    /// A push (no serial).
    pub fn push(command: Command, r: Vec<Value>) -> Self {
        Response { command, ser: None, code: 200, r }
    }

    /// Result `i` as a [`Property`].
    pub fn property(&self, i: usize) -> Result<Property, PacketError> {
        Property::from_value(self.value(i)?)
    }

    /// Result `i` as a list of [`Property`] (a `PropertyArray`).
    pub fn properties(&self, i: usize) -> Result<Vec<Property>, PacketError> {
        match self.value(i)? {
            Value::Array(items) => items.iter().map(Property::from_value).collect(),
            other => Err(PacketError::new(format!("{} result {i} should be an array, got {other}", self.command))),
        }
    }

    /// Result `i` as an integer (numeric strings are read).
    pub fn int(&self, i: usize) -> Result<i64, PacketError> {
        let v = self.value(i)?;
        v.as_i64()
            .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
            .ok_or_else(|| PacketError::new(format!("{} result {i} should be a number, got {v}", self.command)))
    }

    /// Raw result `i`.
    pub fn value(&self, i: usize) -> Result<&Value, PacketError> {
        self.r.get(i).ok_or_else(|| PacketError::new(format!("{} response has no result {i}", self.command)))
    }

    /// The JSON text.
    pub fn to_json(&self) -> String {
        let json = ResponseJson {
            sid: self.command.sid,
            cid: self.command.cid,
            ser: self.ser,
            code: self.code,
            r: self.r.clone(),
        };
        serde_json::to_string(&json).unwrap_or_default()
    }

    /// Reads the JSON text.
    pub fn from_json(text: &str) -> Result<Response, PacketError> {
        let json: ResponseJson =
            serde_json::from_str(text).map_err(|e| PacketError::new(format!("response is not valid JSON: {e}")))?;
        Ok(Response { command: Command::new(json.sid, json.cid), ser: json.ser, code: json.code, r: json.r })
    }
}

/// `Map` re-exported for building `r` objects by hand.
pub type JsonMap = Map<String, Value>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::ids::{cmd, login};

    #[test]
    fn a_login_request_round_trips_and_hides_the_token() {
        let p = Property::new().with(login::CLIENT_TYPE, 16).with(login::ACCOUNT, "alice").with(login::TOKEN, "tok-1");
        let req = Request::new(cmd::LOGIN, 1, vec![Param::property(p.clone())]);
        let text = req.to_json();
        assert!(text.contains(r#""SID":2"#) && text.contains(r#""CID":3"#) && text.contains(r#""1000":"tok-1""#));
        let back = Request::from_json(&text).unwrap();
        assert_eq!(back, req);
        assert_eq!(back.param(0).unwrap().as_property().unwrap(), p);
        assert!(!format!("{back:?}").contains("tok-1"), "Debug must hide the token");
    }

    #[test]
    fn the_sdks_request_is_read() {
        let text = r#"{"SID":2,"CID":3,"SER":1,"timeout":8000,"hasPacketResponse":true,"hasPacketTimer":true,
            "Q":[{"t":"Property","v":{"3":16,"19":"alice","1000":"t"}}]}"#;
        let req = Request::from_json(text).unwrap();
        assert_eq!((req.command, req.ser), (cmd::LOGIN, 1));
        let p = req.param(0).unwrap().as_property().unwrap();
        assert_eq!((p.int(login::CLIENT_TYPE), p.str(login::ACCOUNT)), (Some(16), Some("alice".into())));
    }

    #[test]
    fn responses_and_pushes_round_trip() {
        let ok = Response::ok(cmd::LOGIN, 1, vec![Property::new().with(102, "conn-1").into(), Value::Array(vec![])]);
        assert_eq!(Response::from_json(&ok.to_json()).unwrap(), ok);
        let push = Response::push(cmd::KICKED, vec![32.into(), 2.into(), "".into(), 0.into()]);
        let text = push.to_json();
        assert!(!text.contains("ser"), "{text}");
        let back = Response::from_json(&text).unwrap();
        assert_eq!((back.ser, back.int(0).unwrap(), back.int(1).unwrap()), (None, 32, 2));
        let err = Response::error(cmd::LOGIN, 1, 302);
        assert_eq!(Response::from_json(&err.to_json()).unwrap().code, 302);
    }

    #[test]
    fn malformed_packets_are_errors_naming_the_problem() {
        assert!(Request::from_json("{").is_err());
        assert!(Response::from_json(r#"{"cid":3}"#).is_err());
        let bad = Property::from_value(&serde_json::json!({"x": 1})).unwrap_err();
        assert!(bad.to_string().contains("\"x\""), "{bad}");
        let r = Response::ok(cmd::SYNC, 2, vec![]);
        assert!(r.int(0).unwrap_err().to_string().contains("no result 0"));
    }
}
