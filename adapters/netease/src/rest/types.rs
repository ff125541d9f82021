//! The payloads of the server API's replies (netease.md 2.1, 3.1), read
//! leniently where NetEase is known to vary (numbers sent as strings).

use crate::link::ClientType;
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;

/// `info` of `user/create.action` and `user/refreshToken.action`.
#[derive(Clone, Deserialize)]
pub struct TokenInfo {
    /// The accid as the server stored it (lower-cased).
    pub accid: String,
    /// The account's static token.
    pub token: String,
}

/// One entry of `uinfos` (`user/getUinfos.action`). A field NetEase leaves
/// out takes its [`Default`] (`valid` is then true: not blocked).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct UserInfo {
    /// The accid.
    pub accid: String,
    /// The display name.
    pub name: Option<String>,
    /// The avatar URL.
    pub icon: Option<String>,
    /// The signature line.
    pub sign: Option<String>,
    /// The e-mail address.
    pub email: Option<String>,
    /// The birthday.
    pub birth: Option<String>,
    /// The phone number.
    pub mobile: Option<String>,
    /// 0 unknown, 1 male, 2 female.
    #[serde(deserialize_with = "lenient_i64")]
    pub gender: i64,
    /// The app's extension field.
    pub ex: Option<String>,
    /// False while the account is blocked (`user/block.action`).
    #[serde(deserialize_with = "lenient_bool_true")]
    pub valid: bool,
    /// Globally muted.
    #[serde(deserialize_with = "lenient_bool")]
    pub mute: bool,
}

impl Default for UserInfo {
    fn default() -> Self {
        UserInfo {
            accid: String::new(),
            name: None,
            icon: None,
            sign: None,
            email: None,
            birth: None,
            mobile: None,
            gender: 0,
            ex: None,
            valid: true,
            mute: false,
        }
    }
}

/// One online client of an account (`user/userOnlineStatus.action`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub struct OnlineClient {
    /// The client type's number (netease.md 4.5).
    #[serde(rename = "clientType", deserialize_with = "lenient_i64")]
    pub client_type: i64,
    /// When it logged in, Unix milliseconds.
    #[serde(rename = "loginTime", default, deserialize_with = "lenient_i64")]
    pub login_time_ms: i64,
}

impl OnlineClient {
    /// The client type, when the number is a known one.
    pub fn kind(&self) -> Option<ClientType> {
        ClientType::from_code(self.client_type)
    }
}

/// `data` of `user/userOnlineStatus.action`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct OnlineStatusData {
    /// The online clients of each known accid.
    pub status: BTreeMap<String, Vec<OnlineClient>>,
    /// The accids that do not exist.
    #[serde(rename = "invalidAccids")]
    pub invalid_accids: Vec<String>,
}

fn lenient_i64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    use serde::de::Error;
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::Null => Ok(0),
        serde_json::Value::Number(n) => n.as_i64().ok_or_else(|| D::Error::custom(format!("{n} is not an integer"))),
        serde_json::Value::String(s) => s.parse().map_err(|_| D::Error::custom(format!("{s:?} is not an integer"))),
        other => Err(D::Error::custom(format!("{other} is not an integer"))),
    }
}

fn lenient_bool_with<'de, D: Deserializer<'de>>(d: D, absent: bool) -> Result<bool, D::Error> {
    use serde::de::Error;
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::Null => Ok(absent),
        serde_json::Value::Bool(b) => Ok(b),
        serde_json::Value::String(s) if s == "true" => Ok(true),
        serde_json::Value::String(s) if s == "false" => Ok(false),
        other => Err(D::Error::custom(format!("{other} is not a boolean"))),
    }
}

fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    lenient_bool_with(d, false)
}

fn lenient_bool_true<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    lenient_bool_with(d, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_uinfos_leniently() {
        let u: UserInfo = serde_json::from_value(json!({"accid": "a", "gender": "2", "mute": "true"})).unwrap();
        assert_eq!((u.gender, u.valid, u.mute, u.name), (2, true, true, None));
        let u: UserInfo = serde_json::from_value(json!({"accid": "a", "valid": false, "name": "A"})).unwrap();
        assert_eq!((u.valid, u.name.as_deref()), (false, Some("A")));
        assert!(serde_json::from_value::<UserInfo>(json!({"accid": "a", "gender": []})).is_err());
    }

    #[test]
    fn reads_online_status() {
        let d: OnlineStatusData = serde_json::from_value(json!({
            "status": {"a": [{"clientType": 16, "loginTime": 1}, {"clientType": "1", "loginTime": "2"}]},
            "invalidAccids": ["x"]
        }))
        .unwrap();
        assert_eq!(d.status["a"][1].kind(), Some(ClientType::Android));
        assert_eq!(d.status["a"][1].login_time_ms, 2);
        assert_eq!(d.invalid_accids, ["x"]);
    }
}
