//! The REST API's JSON bodies, with Easemob's exact field names
//! (`vendors/easemob.md` sections 1.3, 1.4, 2 and 3). The admin client
//! serializes the requests and parses the responses; the emulator face does
//! the reverse, so both sides agree on every name by construction.
//!
//! Secrets (`client_secret`, `password`, `newpassword`, `access_token`) are
//! [`Secret`]s even here: they serialize to their plain value on the wire but
//! never show in `Debug`.

use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;
use unim_core::{Device, Platform, Secret};

/// `grant_type` of the app (admin) token: `client_id` + `client_secret`
/// (easemob.md 2.1).
pub const GRANT_CLIENT_CREDENTIALS: &str = "client_credentials";
/// `grant_type` of a user token from the user's password, no app token
/// needed (easemob.md 2.2).
pub const GRANT_PASSWORD: &str = "password";
/// `grant_type` of a user token minted with the app token, no password
/// needed (easemob.md 2.3).
pub const GRANT_INHERIT: &str = "inherit";

/// `POST /{org}/{app}/token`: one body for every grant (easemob.md 2.1-2.3).
///
/// `ttl` is in seconds; `0` means the token never expires, and without it the
/// console's setting applies (60 days by default). Easemob's own examples send
/// it as a number or as a numeric string; both are read, a number is written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRequest {
    /// `client_credentials`, `password` or `inherit`.
    pub grant_type: String,
    /// The app's Client ID (`client_credentials`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The app's Client Secret (`client_credentials`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<Secret>,
    /// The user (`password`, `inherit`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// The user's password (`password`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<Secret>,
    /// Validity in seconds (`0`: never expires).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient_u64")]
    pub ttl: Option<u64>,
    /// `autoCreateUser` (`inherit` only): create the user when it does not exist.
    #[serde(rename = "autoCreateUser", default, skip_serializing_if = "Option::is_none")]
    pub auto_create_user: Option<bool>,
}

impl TokenRequest {
    /// The app token request (easemob.md 2.1).
    pub fn client_credentials(client_id: impl Into<String>, client_secret: Secret, ttl: Option<u64>) -> Self {
        TokenRequest {
            grant_type: GRANT_CLIENT_CREDENTIALS.into(),
            client_id: Some(client_id.into()),
            client_secret: Some(client_secret),
            username: None,
            password: None,
            ttl,
            auto_create_user: None,
        }
    }

    /// A user token request with the user's password (easemob.md 2.2).
    pub fn password(username: impl Into<String>, password: Secret, ttl: Option<u64>) -> Self {
        TokenRequest {
            grant_type: GRANT_PASSWORD.into(),
            client_id: None,
            client_secret: None,
            username: Some(username.into()),
            password: Some(password),
            ttl,
            auto_create_user: None,
        }
    }

    /// A user token request on the app token's authority (easemob.md 2.3).
    pub fn inherit(username: impl Into<String>, ttl: Option<u64>, auto_create_user: bool) -> Self {
        TokenRequest {
            grant_type: GRANT_INHERIT.into(),
            client_id: None,
            client_secret: None,
            username: Some(username.into()),
            password: None,
            ttl,
            auto_create_user: Some(auto_create_user),
        }
    }
}

/// The answer to a token request (easemob.md 2.1, 2.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    /// The token, sent as `Authorization: Bearer <token>` (app token) or by
    /// the client SDK at login (user token).
    pub access_token: Secret,
    /// Validity in seconds (`0`: never expires).
    #[serde(deserialize_with = "lenient_u64_required")]
    pub expires_in: u64,
    /// The app's UUID (app tokens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application: Option<String>,
    /// The user (user tokens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<UserEntity>,
}

fn default_user_type() -> String {
    "user".into()
}

fn yes() -> bool {
    true
}

/// A user as Easemob returns it in `entities` and in user-token answers
/// (easemob.md 1.3). The push-setting fields Easemob adds when they are set are
/// not modelled.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserEntity {
    /// The user's UUID.
    #[serde(default)]
    pub uuid: String,
    /// Always `user`.
    #[serde(rename = "type", default = "default_user_type")]
    pub kind: String,
    /// Registration time, Unix milliseconds.
    #[serde(default)]
    pub created: i64,
    /// Last modification time, Unix milliseconds.
    #[serde(default)]
    pub modified: i64,
    /// The username (lower case).
    pub username: String,
    /// `false` while the user is deactivated (banned).
    #[serde(default = "yes")]
    pub activated: bool,
    /// The display name for push notifications, when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
}

/// One user of `POST /users` (easemob.md 3.1). The body is one object or an
/// array of at most 60.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterUser {
    /// 1-64 bytes of `[a-z0-9_.-]`.
    pub username: String,
    /// At most 64 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<Secret>,
    /// The push display name, at most 100 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
}

/// A body that is either one object or an array of them (`POST /users`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany<T> {
    /// `{...}`.
    One(T),
    /// `[{...}, ...]`.
    Many(Vec<T>),
}

impl<T> OneOrMany<T> {
    /// The items, in order.
    pub fn into_vec(self) -> Vec<T> {
        match self {
            OneOrMany::One(t) => vec![t],
            OneOrMany::Many(v) => v,
        }
    }
}

/// A user a batch registration did not create, in `data` (easemob.md 3.1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterFailure {
    /// The user.
    pub username: String,
    /// `registerUserFailReason`, e.g. `the user3 already exists`.
    #[serde(rename = "registerUserFailReason")]
    pub reason: String,
}

/// `PUT /users/{username}/password` (easemob.md 3.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordRequest {
    /// `newpassword`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub newpassword: Option<Secret>,
}

/// `POST /users/batch/status` (easemob.md 3.3): at most 100 usernames.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchStatusRequest {
    /// The users to look up (Easemob does not check that they exist).
    pub usernames: Vec<String>,
}

/// A user's status in `GET /users/{u}/status` and `POST /users/batch/status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnlineStatus {
    /// A long connection is established.
    Online,
    /// No connection (unknown users are `offline` too).
    Offline,
}

/// `data` of `GET /users/{u}/status`: `{"<user>": "online"|"offline"}`.
pub type StatusData = BTreeMap<String, OnlineStatus>;

/// `data` of `POST /users/batch/status`: one single-key object per user, in
/// the order asked.
pub type BatchStatusData = Vec<BTreeMap<String, OnlineStatus>>;

/// One logged-in device in `GET /users/{u}/resources` (easemob.md 3.3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceInfo {
    /// The resource id, `{device type}_{resource id}` (`android_123423453246`).
    pub res: String,
    /// The device's UUID.
    #[serde(default)]
    pub device_uuid: String,
    /// The device's name.
    #[serde(default)]
    pub device_name: String,
}

impl ResourceInfo {
    /// The neutral device: platform from the `res` prefix, id = `res`,
    /// name = `device_name` when not empty.
    pub fn device(&self) -> Device {
        Device {
            platform: platform_from_resource(&self.res),
            id: Some(self.res.clone()),
            name: (!self.device_name.is_empty()).then(|| self.device_name.clone()),
        }
    }
}

/// `data` of the disconnect calls: `{"result": true}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultData {
    /// Whether the user (or device) was forced offline.
    pub result: bool,
}

/// The platform a resource id names by its prefix (`android_`, `ios_`,
/// `web_`; easemob.md 3.3). Other prefixes are [`Platform::Other`] with the
/// prefix; an id without `_` is [`Platform::Other`] with the whole id.
pub fn platform_from_resource(res: &str) -> Platform {
    let prefix = res.split_once('_').map_or(res, |(p, _)| p);
    match prefix.to_ascii_lowercase().as_str() {
        "android" => Platform::Android,
        "ios" => Platform::Ios,
        "web" | "webim" => Platform::Web,
        "windows" => Platform::Windows,
        "mac" | "macos" => Platform::Mac,
        "linux" => Platform::Linux,
        "ipad" => Platform::Ipad,
        other => Platform::Other(other.to_owned()),
    }
}

/// The device-type prefix of a resource id for `platform` (easemob.md 3.3:
/// `android`, `ios` or `web`; other platforms by their lower-case name).
pub fn resource_prefix(platform: &Platform) -> String {
    match platform {
        Platform::Android => "android".into(),
        Platform::Ios | Platform::Ipad => "ios".into(),
        Platform::Web => "web".into(),
        Platform::Windows => "windows".into(),
        Platform::Mac => "mac".into(),
        Platform::Linux => "linux".into(),
        Platform::Other(name) => name.to_ascii_lowercase(),
    }
}

/// The resource id Easemob shows for `device`: its id when that already has
/// the platform's prefix, else `{prefix}_{id}` (`{prefix}` alone without an id).
pub fn resource_for(device: &Device) -> String {
    let prefix = resource_prefix(&device.platform);
    match &device.id {
        Some(id) if id.starts_with(&format!("{prefix}_")) => id.clone(),
        Some(id) => format!("{prefix}_{id}"),
        None => prefix,
    }
}

/// Every success response (easemob.md 1.3). Which fields appear varies per
/// endpoint, so each is optional; `D` is the endpoint's `data`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Response<D> {
    /// The HTTP verb in lower case or an operation label (`set user password`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// The app's UUID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application: Option<String>,
    /// `applicationName`: the app name of the URL.
    #[serde(rename = "applicationName", default, skip_serializing_if = "Option::is_none")]
    pub application_name: Option<String>,
    /// The org name of the URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    /// The resource path, e.g. `/users`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The full request URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// The query parameters, each as an array of strings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<BTreeMap<String, Vec<String>>>,
    /// Entities (users).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entities: Option<Vec<UserEntity>>,
    /// The endpoint's payload.
    #[serde(default = "Option::default", skip_serializing_if = "Option::is_none")]
    pub data: Option<D>,
    /// Response time, Unix milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<i64>,
    /// Server time spent, milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<i64>,
    /// How many items were returned (lists).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// Present only when more pages exist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

impl<D> Default for Response<D> {
    fn default() -> Self {
        Response {
            action: None,
            application: None,
            application_name: None,
            organization: None,
            path: None,
            uri: None,
            params: None,
            entities: None,
            data: None,
            timestamp: None,
            duration: None,
            count: None,
            cursor: None,
        }
    }
}

/// A response whose `data` is not looked at.
pub type AnyResponse = Response<serde_json::Value>;

/// Every error response (easemob.md 1.4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The snake_case error type, e.g. `illegal_argument`.
    #[serde(default)]
    pub error: String,
    /// The server's exception class, e.g. `DuplicateUniquePropertyExistsException`.
    #[serde(default)]
    pub exception: String,
    /// Response time, Unix milliseconds.
    #[serde(default)]
    pub timestamp: i64,
    /// Server time spent, milliseconds.
    #[serde(default)]
    pub duration: i64,
    /// The human-readable description.
    #[serde(default)]
    pub error_description: String,
    /// A numeric code newer responses add (e.g. 14007).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<i64>,
}

/// A non-negative integer written as a JSON number or as a numeric string
/// (Easemob's examples send `ttl` both ways); `null` is "absent".
fn lenient_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum NumOrText {
        Num(u64),
        Float(f64),
        Text(String),
    }
    match Option::<NumOrText>::deserialize(d)? {
        None => Ok(None),
        Some(NumOrText::Num(n)) => Ok(Some(n)),
        Some(NumOrText::Float(f)) if f >= 0.0 && f.fract() == 0.0 && f < u64::MAX as f64 => Ok(Some(f as u64)),
        Some(NumOrText::Float(_)) => Err(serde::de::Error::custom("expected a non-negative whole number")),
        Some(NumOrText::Text(s)) => s
            .trim()
            .parse::<u64>()
            .map(Some)
            .map_err(|_| serde::de::Error::custom("expected a non-negative whole number")),
    }
}

fn lenient_u64_required<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    lenient_u64(d)?.ok_or_else(|| serde::de::Error::custom("expected a non-negative whole number, not null"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn token_requests_use_easemobs_names_and_hide_secrets() {
        let r = TokenRequest::client_credentials("YXA6id", Secret::new("YXA6secret"), Some(3600));
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            json!({"grant_type":"client_credentials","client_id":"YXA6id","client_secret":"YXA6secret","ttl":3600})
        );
        let r = TokenRequest::password("alice", Secret::new("pw"), None);
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            json!({"grant_type":"password","username":"alice","password":"pw"})
        );
        let r = TokenRequest::inherit("bob", Some(0), true);
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            json!({"grant_type":"inherit","username":"bob","ttl":0,"autoCreateUser":true})
        );
        let printed = format!("{:?}", TokenRequest::client_credentials("id", Secret::new("hunter2"), None));
        assert!(!printed.contains("hunter2"), "{printed}");
    }

    #[test]
    fn ttl_is_read_as_number_or_numeric_string() {
        let parse = |v: serde_json::Value| serde_json::from_value::<TokenRequest>(v).map(|r| r.ttl);
        assert_eq!(parse(json!({"grant_type":"password","ttl":"1024000"})).unwrap(), Some(1_024_000));
        assert_eq!(parse(json!({"grant_type":"password","ttl":60})).unwrap(), Some(60));
        assert_eq!(parse(json!({"grant_type":"password","ttl":60.0})).unwrap(), Some(60));
        assert_eq!(parse(json!({"grant_type":"password","ttl":null})).unwrap(), None);
        assert_eq!(parse(json!({"grant_type":"password"})).unwrap(), None);
        assert!(parse(json!({"grant_type":"password","ttl":"soon"})).is_err());
        assert!(parse(json!({"grant_type":"password","ttl":-1})).is_err());
    }

    #[test]
    fn token_response_reads_the_documented_example() {
        let r: TokenResponse = serde_json::from_value(json!({
            "access_token": "YWMtrR6E",
            "expires_in": 1024000,
            "user": {"uuid":"aa47","type":"user","created":1637740861395_i64,"modified":1637740861395_i64,
                     "username":"c","activated":true}
        }))
        .unwrap();
        assert_eq!(r.access_token.expose(), "YWMtrR6E");
        assert_eq!(r.expires_in, 1_024_000);
        let user = r.user.clone().unwrap();
        assert_eq!((user.username.as_str(), user.kind.as_str(), user.activated), ("c", "user", true));
        assert!(!format!("{r:?}").contains("YWMtrR6E"));
    }

    #[test]
    fn registration_body_is_one_or_many() {
        let one: OneOrMany<RegisterUser> = serde_json::from_value(json!({"username":"a","password":"1"})).unwrap();
        assert_eq!(one.into_vec().len(), 1);
        let many: OneOrMany<RegisterUser> =
            serde_json::from_value(json!([{"username":"a","password":"1"},{"username":"b","nickname":"B"}])).unwrap();
        let many = many.into_vec();
        assert_eq!(many[1].nickname.as_deref(), Some("B"));
        assert_eq!(many[1].password, None);
        let failure: RegisterFailure =
            serde_json::from_value(json!({"username":"user3","registerUserFailReason":"the user3 already exists"}))
                .unwrap();
        assert_eq!(failure.reason, "the user3 already exists");
    }

    #[test]
    fn envelopes_round_trip() {
        let v = json!({"action":"get batch user status","data":[{"user1":"offline"},{"user2":"online"}],
                       "timestamp":1552280231926_i64,"duration":4});
        let r: Response<BatchStatusData> = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(r.data.as_ref().unwrap()[1]["user2"], OnlineStatus::Online);
        assert_eq!(serde_json::to_value(&r).unwrap(), v);
        let e: ErrorBody =
            serde_json::from_value(json!({"error":"illegal_argument","exception":"java.lang.IllegalArgumentException",
            "timestamp":1,"duration":0,"error_description":"username A B is not legal"}))
            .unwrap();
        assert_eq!((e.error.as_str(), e.error_code), ("illegal_argument", None));
    }

    #[test]
    fn resource_ids_and_platforms() {
        assert_eq!(platform_from_resource("android_123423453246"), Platform::Android);
        assert_eq!(platform_from_resource("ios_x"), Platform::Ios);
        assert_eq!(platform_from_resource("web_abc"), Platform::Web);
        assert_eq!(platform_from_resource("harmony_1"), Platform::Other("harmony".into()));
        assert_eq!(resource_for(&Device::new(Platform::Web).with_id("tab-1")), "web_tab-1");
        assert_eq!(resource_for(&Device::new(Platform::Android).with_id("android_9")), "android_9");
        assert_eq!(resource_for(&Device::new(Platform::Ipad)), "ios");
        let info = ResourceInfo { res: "android_9".into(), device_uuid: "u".into(), device_name: "HUAWEI".into() };
        let d = info.device();
        assert_eq!(
            (d.platform, d.id.as_deref(), d.name.as_deref()),
            (Platform::Android, Some("android_9"), Some("HUAWEI"))
        );
    }
}
