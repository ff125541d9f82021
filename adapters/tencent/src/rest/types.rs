//! The REST API's JSON bodies, with Tencent's exact field names
//! (`vendors/tencent.md` sections 2.2 and 2.3). The admin client serializes
//! the requests and parses the responses; the emulator does the reverse, so
//! both sides agree on every name by construction.
//!
//! Request types accept the older spellings Tencent's docs still show
//! (`Identifier` for `UserID` in `account_import`, `Accounts` beside
//! `AccountList` in `multiaccount_import`, `State` beside `Status` in the
//! legacy `querystate`).

use serde::{Deserialize, Serialize};
use unim_core::{Platform, PresenceStatus};

/// `ActionStatus`: `"OK"` or `"FAIL"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActionStatus {
    /// The call succeeded (batch calls may still report per-item failures).
    #[serde(rename = "OK")]
    Ok,
    /// The call failed; see `ErrorCode` and `ErrorInfo`.
    #[serde(rename = "FAIL")]
    Fail,
}

/// The fields every REST response carries (tencent.md 2.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// `ActionStatus`.
    #[serde(rename = "ActionStatus")]
    pub action_status: ActionStatus,
    /// `ErrorCode`: 0 on success.
    #[serde(rename = "ErrorCode", default)]
    pub error_code: i64,
    /// `ErrorInfo`: Tencent's text, empty on success.
    #[serde(rename = "ErrorInfo", default)]
    pub error_info: String,
}

impl Envelope {
    /// `{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}`.
    pub fn ok() -> Self {
        Envelope { action_status: ActionStatus::Ok, error_code: 0, error_info: String::new() }
    }

    /// A failure with `code` and `info`.
    pub fn fail(code: i64, info: impl Into<String>) -> Self {
        Envelope { action_status: ActionStatus::Fail, error_code: code, error_info: info.into() }
    }

    /// True when the call as a whole succeeded: `ActionStatus` OK and
    /// `ErrorCode` 0.
    pub fn is_ok(&self) -> bool {
        self.action_status == ActionStatus::Ok && self.error_code == 0
    }
}

/// A whole response: the envelope and the call's own fields, flattened into
/// one JSON object.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Response<T> {
    /// `ActionStatus`, `ErrorCode`, `ErrorInfo`.
    #[serde(flatten)]
    pub envelope: Envelope,
    /// The call's fields.
    #[serde(flatten)]
    pub body: T,
}

/// An empty body: `{}` as a request, nothing beyond the envelope as a response.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Empty {}

/// `{"UserID": ...}`: one account, as in `DeleteItem`, `CheckItem` and `kick`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserIdItem {
    /// `UserID`.
    #[serde(rename = "UserID")]
    pub user_id: String,
}

impl UserIdItem {
    /// An item naming `user`.
    pub fn new(user: impl Into<String>) -> Self {
        UserIdItem { user_id: user.into() }
    }
}

/// `v4/im_open_login_svc/account_import` request (1047/34953).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountImportRequest {
    /// `UserID` (older docs: `Identifier`), at most 32 bytes.
    #[serde(rename = "UserID", alias = "Identifier")]
    pub user_id: String,
    /// `Nick`, the display name.
    #[serde(rename = "Nick", default, skip_serializing_if = "Option::is_none")]
    pub nick: Option<String>,
    /// `FaceUrl`, the avatar URL.
    #[serde(rename = "FaceUrl", default, skip_serializing_if = "Option::is_none")]
    pub face_url: Option<String>,
}

/// One account of the newer `multiaccount_import` form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountListItem {
    /// `UserID`.
    #[serde(rename = "UserID")]
    pub user_id: String,
    /// `Nick`.
    #[serde(rename = "Nick", default, skip_serializing_if = "Option::is_none")]
    pub nick: Option<String>,
    /// `FaceUrl`.
    #[serde(rename = "FaceUrl", default, skip_serializing_if = "Option::is_none")]
    pub face_url: Option<String>,
}

/// `v4/im_open_login_svc/multiaccount_import` request (1047/34954): the old
/// form `{"Accounts":[...]}` or the newer mainland form
/// `{"AccountList":[{"UserID",...}]}`, at most 100 accounts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MultiAccountImportRequest {
    /// `Accounts`: plain UserIDs (old form).
    #[serde(rename = "Accounts", default, skip_serializing_if = "Option::is_none")]
    pub accounts: Option<Vec<String>>,
    /// `AccountList`: UserIDs with profile (new form).
    #[serde(rename = "AccountList", default, skip_serializing_if = "Option::is_none")]
    pub account_list: Option<Vec<AccountListItem>>,
}

/// `multiaccount_import` response fields.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MultiAccountImportResponse {
    /// `FailAccounts`: the UserIDs that were not imported.
    #[serde(rename = "FailAccounts", default)]
    pub fail_accounts: Vec<String>,
}

/// `v4/im_open_login_svc/account_delete` request (1047/34955), at most 100 items.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountDeleteRequest {
    /// `DeleteItem`.
    #[serde(rename = "DeleteItem")]
    pub delete_item: Vec<UserIdItem>,
}

/// `v4/im_open_login_svc/account_check` request (1047/34956), at most 100 items.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountCheckRequest {
    /// `CheckItem`.
    #[serde(rename = "CheckItem")]
    pub check_item: Vec<UserIdItem>,
}

/// `AccountStatus` in an `account_check` result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccountStatus {
    /// The account exists.
    Imported,
    /// The account does not exist.
    NotImported,
}

/// One per-account result of `account_delete` or `account_check`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultItem {
    /// `ResultCode`: 0, or e.g. 70107 for a missing account on delete.
    #[serde(rename = "ResultCode", default)]
    pub result_code: i64,
    /// `ResultInfo`: e.g. `Err_TLS_PT_Open_Login_Account_Not_Exist`.
    #[serde(rename = "ResultInfo", default)]
    pub result_info: String,
    /// `UserID`.
    #[serde(rename = "UserID")]
    pub user_id: String,
    /// `AccountStatus` (only `account_check`).
    #[serde(rename = "AccountStatus", default, skip_serializing_if = "Option::is_none")]
    pub account_status: Option<AccountStatus>,
}

/// `account_delete` and `account_check` response fields.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultItemResponse {
    /// `ResultItem`.
    #[serde(rename = "ResultItem", default)]
    pub result_item: Vec<ResultItem>,
}

/// `v4/im_open_login_svc/kick` request (1047/34957): one account per call.
pub type KickRequest = UserIdItem;

/// `v4/openim/query_online_status` (and legacy `querystate`) request
/// (1047/35477), at most 500 accounts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryOnlineStatusRequest {
    /// `To_Account`.
    #[serde(rename = "To_Account")]
    pub to_account: Vec<String>,
    /// `IsNeedDetail`: 1 to get per-device `Detail`.
    #[serde(rename = "IsNeedDetail", default, skip_serializing_if = "Option::is_none")]
    pub is_need_detail: Option<i64>,
}

/// A status value of `query_online_status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OnlineStatus {
    /// A persistent connection is alive.
    Online,
    /// The app's process is gone but offline push still reaches it (kept up to 7 days).
    PushOnline,
    /// Logged out, or not logged in within 7 days.
    Offline,
}

impl OnlineStatus {
    /// The neutral presence: `PushOnline` is [`PresenceStatus::Background`].
    pub fn presence(self) -> PresenceStatus {
        match self {
            OnlineStatus::Online => PresenceStatus::Online,
            OnlineStatus::PushOnline => PresenceStatus::Background,
            OnlineStatus::Offline => PresenceStatus::Offline,
        }
    }
}

/// One device in `Detail`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetailItem {
    /// `Platform`: `"iPhone"`, `"Android"`, `"Web"`, `"PC"`, `"iPad"`, `"Mac"`.
    #[serde(rename = "Platform")]
    pub platform: String,
    /// `Status` of that device.
    #[serde(rename = "Status")]
    pub status: OnlineStatus,
}

/// One account's state in `QueryResult`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryResult {
    /// `To_Account`.
    #[serde(rename = "To_Account")]
    pub to_account: String,
    /// `Status` (the legacy `querystate` calls it `State`; the intl sample
    /// shows `State` too, but the field table and the ZH doc say `Status`).
    #[serde(rename = "Status", alias = "State")]
    pub status: OnlineStatus,
    /// `Detail`, when `IsNeedDetail` was 1.
    #[serde(rename = "Detail", default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<Vec<DetailItem>>,
}

/// The legacy `querystate` spelling of [`QueryResult`] (`State` instead of `Status`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegacyQueryResult {
    /// `To_Account`.
    #[serde(rename = "To_Account")]
    pub to_account: String,
    /// `State`.
    #[serde(rename = "State", alias = "Status")]
    pub state: OnlineStatus,
    /// `Detail`, when `IsNeedDetail` was 1.
    #[serde(rename = "Detail", default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<Vec<DetailItem>>,
}

impl From<QueryResult> for LegacyQueryResult {
    fn from(r: QueryResult) -> Self {
        LegacyQueryResult { to_account: r.to_account, state: r.status, detail: r.detail }
    }
}

/// One account that could not be queried, in `ErrorList`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorListItem {
    /// `To_Account`.
    #[serde(rename = "To_Account")]
    pub to_account: String,
    /// `ErrorCode`, e.g. 70107 for an account that does not exist.
    #[serde(rename = "ErrorCode")]
    pub error_code: i64,
}

/// `query_online_status` response fields.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryOnlineStatusResponse {
    /// `QueryResult`.
    #[serde(rename = "QueryResult", default)]
    pub query_result: Vec<QueryResult>,
    /// `ErrorList`: accounts that failed (omitted when none did).
    #[serde(rename = "ErrorList", default, skip_serializing_if = "Vec::is_empty")]
    pub error_list: Vec<ErrorListItem>,
}

/// Legacy `querystate` response fields.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegacyQueryStateResponse {
    /// `QueryResult`, with `State` per account.
    #[serde(rename = "QueryResult", default)]
    pub query_result: Vec<LegacyQueryResult>,
    /// `ErrorList`.
    #[serde(rename = "ErrorList", default, skip_serializing_if = "Vec::is_empty")]
    pub error_list: Vec<ErrorListItem>,
}

/// The neutral platform of a `Detail` `Platform` string (tencent.md 2.3:
/// `"iPhone"`, `"Android"`, `"Web"`, `"PC"`, `"iPad"`, `"Mac"`). Tencent's
/// `"PC"` is a Windows desktop; anything else is kept as
/// [`Platform::Other`].
pub fn platform_from_wire(name: &str) -> Platform {
    match name {
        "iPhone" => Platform::Ios,
        "Android" => Platform::Android,
        "Web" => Platform::Web,
        "PC" => Platform::Windows,
        "iPad" => Platform::Ipad,
        "Mac" => Platform::Mac,
        other => Platform::Other(other.to_owned()),
    }
}

/// The `Platform` string Tencent uses for a neutral platform (the inverse of
/// [`platform_from_wire`]). Tencent's list has no Linux, so a Linux desktop is
/// reported as `"PC"` like every other desktop.
pub fn platform_to_wire(platform: &Platform) -> String {
    match platform {
        Platform::Ios => "iPhone".into(),
        Platform::Android => "Android".into(),
        Platform::Web => "Web".into(),
        Platform::Windows | Platform::Linux => "PC".into(),
        Platform::Ipad => "iPad".into(),
        Platform::Mac => "Mac".into(),
        Platform::Other(name) => name.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn envelope_and_body_flatten_into_one_object() {
        let r =
            Response { envelope: Envelope::ok(), body: MultiAccountImportResponse { fail_accounts: vec!["x".into()] } };
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            json!({"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","FailAccounts":["x"]})
        );
        let back: Response<MultiAccountImportResponse> =
            serde_json::from_value(json!({"ActionStatus":"FAIL","ErrorInfo":"bad","ErrorCode":90001})).unwrap();
        assert_eq!(back.envelope, Envelope::fail(90001, "bad"));
        assert!(back.body.fail_accounts.is_empty());
    }

    #[test]
    fn account_import_accepts_the_legacy_identifier() {
        let r: AccountImportRequest = serde_json::from_value(json!({"Identifier":"bob","Nick":"Bob"})).unwrap();
        assert_eq!(r.user_id, "bob");
        assert_eq!(r.nick.as_deref(), Some("Bob"));
        let sent = serde_json::to_value(AccountImportRequest { user_id: "a".into(), nick: None, face_url: None });
        assert_eq!(sent.unwrap(), json!({"UserID":"a"}));
    }

    #[test]
    fn result_items_use_tencent_names() {
        let item = ResultItem {
            result_code: 0,
            result_info: String::new(),
            user_id: "a".into(),
            account_status: Some(AccountStatus::NotImported),
        };
        assert_eq!(
            serde_json::to_value(item).unwrap(),
            json!({"ResultCode":0,"ResultInfo":"","UserID":"a","AccountStatus":"NotImported"})
        );
    }

    #[test]
    fn query_results_read_status_or_state() {
        let r: QueryOnlineStatusResponse = serde_json::from_value(json!({
            "QueryResult":[
                {"To_Account":"a","Status":"Online","Detail":[{"Platform":"iPhone","Status":"PushOnline"},{"Platform":"Web","Status":"Online"}]},
                {"To_Account":"b","State":"Offline"}
            ],
            "ErrorList":[{"To_Account":"c","ErrorCode":70107}]
        }))
        .unwrap();
        assert_eq!(r.query_result[0].status, OnlineStatus::Online);
        assert_eq!(r.query_result[0].detail.as_ref().unwrap()[0].status.presence(), PresenceStatus::Background);
        assert_eq!(r.query_result[1].status, OnlineStatus::Offline);
        assert_eq!(r.error_list[0].error_code, 70107);
        let legacy = serde_json::to_value(LegacyQueryResult::from(r.query_result[1].clone())).unwrap();
        assert_eq!(legacy, json!({"To_Account":"b","State":"Offline"}));
    }

    #[test]
    fn platforms_round_trip() {
        for name in ["iPhone", "Android", "Web", "PC", "iPad", "Mac", "Watch"] {
            assert_eq!(platform_to_wire(&platform_from_wire(name)), name);
        }
        assert_eq!(platform_to_wire(&Platform::Linux), "PC");
    }
}
