//! The Tencent face's server REST API: `POST /v4/{service}/{command}`, to the
//! letter of `vendors/tencent.md` sections 2.1-2.5 and 3 (the message and
//! conversation calls are in [`super::rest_msg`]), with the wire types
//! of [`unim_tencent::rest::types`].
//!
//! Every request is checked in this order, and the first failure answers:
//! 1. an error injected with [`crate::Faults::inject_error`];
//! 2. the endpoint exists (60009, "bad resource URL");
//! 3. `sdkappid` is present (60012) and is this app's (60006);
//! 4. `identifier` is present (60004, "account error in URL");
//! 5. `usersig` verifies for `identifier` on the engine's clock (70001
//!    expired, 70002 empty, 70003/70005 malformed, 70009 wrong key, 70013
//!    user mismatch, 70014 app mismatch; see [`super::Face::check_user_sig`]);
//! 6. `identifier` is the App admin (60010);
//! 7. the body is a JSON object (90001, with Tencent's own ErrorInfo text).
//!
//! The HTTP status is always 200 and the body always carries the envelope
//! `ActionStatus` / `ErrorCode` / `ErrorInfo` (tencent.md 2.1, 2.2).
//! `random` and `contenttype` are accepted as sent and not checked: the doc
//! prescribes their values but names no error for breaking them.

use super::{groups, rest_msg, Face};
use crate::groups::Actor;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::routing::post;
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::Arc;
use unim_core::DisconnectReason;
use unim_tencent::rest::types::{
    AccountCheckRequest, AccountDeleteRequest, AccountImportRequest, AccountStatus, DetailItem, Empty, Envelope,
    ErrorListItem, KickRequest, LegacyQueryResult, LegacyQueryStateResponse, MultiAccountImportRequest,
    MultiAccountImportResponse, OnlineStatus, QueryOnlineStatusResponse, QueryResult, Response, ResultItem,
    ResultItemResponse,
};
use unim_tencent::rest::{platform_to_wire, validate_user_id, MAX_ACCOUNTS_PER_BATCH, MAX_ACCOUNTS_PER_STATUS_QUERY};

/// Tencent's ErrorInfo for a body that is not JSON (tencent.md 2.2, verbatim).
const BAD_JSON_INFO: &str = "Fail to Parse json data of body, Please check it";

/// Tencent's ResultInfo / ErrorInfo for an account that does not exist (tencent.md 2.3).
const NO_ACCOUNT_INFO: &str = "Err_TLS_PT_Open_Login_Account_Not_Exist";

/// Account not found (login service and query_online_status).
const ERR_NO_ACCOUNT: i64 = 70107;
/// Invalid parameter. Used for a UserID that breaks Tencent's rule (1-32
/// bytes of printable ASCII; tencent.md section 4 and SDK error 7003) and for
/// fields of the wrong type, since the account docs list 70402 as their
/// "invalid parameters" code (tencent.md 2.3).
const ERR_INVALID_PARAM: i64 = 70402;
/// Invalid batch size (tencent.md section 3): an empty batch or one over the limit.
const ERR_BATCH_SIZE: i64 = 70206;

/// The REST routes of the face.
pub(crate) fn routes(face: Arc<Face>) -> Router {
    Router::new().route("/v4/{service}/{command}", post(handle)).with_state(face)
}

/// The endpoints the face serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    AccountImport,
    MultiAccountImport,
    AccountDelete,
    AccountCheck,
    Kick,
    QueryOnlineStatus,
    /// The legacy `openim/querystate`: `State` instead of `Status`.
    QueryState,
    SendMsg,
    AdminGetRoamMsg,
    GetC2cUnreadMsgNum,
    RecentContactGetList,
    RecentContactDelete,
    /// Any `group_open_http_svc` command (see [`super::groups`]).
    Group,
}

impl Endpoint {
    fn parse(service: &str, command: &str) -> Option<Endpoint> {
        Some(match (service, command) {
            ("im_open_login_svc", "account_import") => Endpoint::AccountImport,
            ("im_open_login_svc", "multiaccount_import") => Endpoint::MultiAccountImport,
            ("im_open_login_svc", "account_delete") => Endpoint::AccountDelete,
            ("im_open_login_svc", "account_check") => Endpoint::AccountCheck,
            ("im_open_login_svc", "kick") => Endpoint::Kick,
            ("openim", "query_online_status") => Endpoint::QueryOnlineStatus,
            ("openim", "querystate") => Endpoint::QueryState,
            ("openim", "sendmsg") => Endpoint::SendMsg,
            ("openim", "admin_getroammsg") => Endpoint::AdminGetRoamMsg,
            ("openim", "get_c2c_unread_msg_num") => Endpoint::GetC2cUnreadMsgNum,
            ("recentcontact", "get_list") => Endpoint::RecentContactGetList,
            ("recentcontact", "delete") => Endpoint::RecentContactDelete,
            (unim_tencent::rest::groups::GROUP_SVC, _) => Endpoint::Group,
            _ => return None,
        })
    }
}

/// A refusal: the code and ErrorInfo of a FAIL envelope.
pub(super) struct Refusal {
    pub(super) code: i64,
    pub(super) info: String,
}

impl Refusal {
    pub(super) fn new(code: i64, info: impl Into<String>) -> Self {
        Refusal { code, info: info.into() }
    }
}

pub(super) type Reply = Result<Value, Refusal>;

async fn handle(
    State(face): State<Arc<Face>>,
    Path((service, command)): Path<(String, String)>,
    Query(params): Query<HashMap<String, String>>,
    body: Bytes,
) -> Json<Value> {
    let reply = answer(&face, &service, &command, &params, &body);
    Json(match reply {
        Ok(value) => {
            tracing::debug!(target: "unim_emulator::tencent", %service, %command, "REST call answered");
            value
        }
        Err(refusal) => {
            tracing::debug!(target: "unim_emulator::tencent", %service, %command, code = refusal.code, "REST call refused");
            fail(refusal.code, refusal.info)
        }
    })
}

fn answer(face: &Face, service: &str, command: &str, params: &HashMap<String, String>, body: &[u8]) -> Reply {
    if let Some(injected) = face.engine.faults().take_injected() {
        return Err(Refusal::new(injected.code, injected.message));
    }
    let endpoint = Endpoint::parse(service, command)
        .ok_or_else(|| Refusal::new(60009, format!("bad resource URL: no REST API v4/{service}/{command}")))?;
    authenticate(face, params)?;
    let body = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => map,
        _ => return Err(Refusal::new(90001, BAD_JSON_INFO)),
    };
    match endpoint {
        Endpoint::AccountImport => account_import(face, body),
        Endpoint::MultiAccountImport => multiaccount_import(face, body),
        Endpoint::AccountDelete => account_delete(face, body),
        Endpoint::AccountCheck => account_check(face, body),
        Endpoint::Kick => kick(face, body),
        Endpoint::QueryOnlineStatus => query_online_status(face, body, false),
        Endpoint::QueryState => query_online_status(face, body, true),
        Endpoint::SendMsg => rest_msg::sendmsg(face, body),
        Endpoint::AdminGetRoamMsg => rest_msg::admin_getroammsg(face, body),
        Endpoint::GetC2cUnreadMsgNum => rest_msg::get_c2c_unread_msg_num(face, body),
        Endpoint::RecentContactGetList => rest_msg::get_list(face, body),
        Endpoint::RecentContactDelete => rest_msg::delete(face, body),
        Endpoint::Group => groups::answer(face, Actor::App, command, &body).unwrap_or_else(|| {
            Err(Refusal::new(60009, format!("bad resource URL: no REST API v4/{service}/{command}")))
        }),
    }
}

/// Checks `sdkappid`, `identifier` and `usersig` (steps 3-6 of the module docs).
fn authenticate(face: &Face, params: &HashMap<String, String>) -> Result<(), Refusal> {
    let sdkappid = params.get("sdkappid").ok_or_else(|| Refusal::new(60012, "SDKAppID is missing"))?;
    if sdkappid.parse::<u64>().ok() != Some(face.settings.sdkappid) {
        return Err(Refusal::new(60006, format!("invalid SDKAppID {sdkappid:?}")));
    }
    let identifier = match params.get("identifier") {
        Some(id) if !id.is_empty() => id,
        _ => return Err(Refusal::new(60004, "identifier (the App admin account) is missing in the URL")),
    };
    let usersig = params.get("usersig").map(String::as_str).unwrap_or("");
    face.check_user_sig(identifier, usersig).map_err(|r| Refusal::new(r.code, r.message))?;
    // Tencent documents "requires App admin" twice: 60010 among the common REST
    // access codes and 70403 among the account service's. The check happens at
    // the access layer for every service, so the face answers 60010.
    if *identifier != face.settings.admin {
        return Err(Refusal::new(
            60010,
            format!("{identifier:?} is not an App admin; REST calls require an App admin"),
        ));
    }
    Ok(())
}

/// The FAIL envelope.
fn fail(code: i64, info: impl Into<String>) -> Value {
    to_value(Response { envelope: Envelope::fail(code, info), body: Empty {} })
}

/// An OK envelope with `body`'s fields.
pub(super) fn ok<T: Serialize>(body: T) -> Value {
    to_value(Response { envelope: Envelope::ok(), body })
}

fn to_value<T: Serialize>(response: T) -> Value {
    // The wire types are plain structs of strings, numbers and vectors: they always serialize.
    serde_json::to_value(response).unwrap_or_else(|e| {
        tracing::error!(target: "unim_emulator::tencent", "cannot serialize a REST reply: {e}");
        serde_json::json!({"ActionStatus": "FAIL", "ErrorCode": 70500, "ErrorInfo": "internal error"})
    })
}

/// Parses the body as `T`; a missing or mistyped field is 70402.
fn parse<T: DeserializeOwned>(body: Map<String, Value>) -> Result<T, Refusal> {
    serde_json::from_value(Value::Object(body))
        .map_err(|e| Refusal::new(ERR_INVALID_PARAM, format!("invalid parameter: {e}")))
}

/// A UserID check as a refusal (70402).
fn valid_user(user: &str) -> Result<(), Refusal> {
    validate_user_id(user).map_err(|e| Refusal::new(ERR_INVALID_PARAM, e.message))
}

/// Refuses a batch that is empty or larger than `max` (70206).
fn batch_size(len: usize, max: usize) -> Result<(), Refusal> {
    if len == 0 || len > max {
        return Err(Refusal::new(ERR_BATCH_SIZE, format!("invalid batch size {len}: 1 to {max} accounts per request")));
    }
    Ok(())
}

/// `im_open_login_svc/account_import`: `UserID` (or legacy `Identifier`),
/// `Nick`, `FaceUrl`; importing an existing account succeeds and updates the
/// profile fields given.
fn account_import(face: &Face, body: Map<String, Value>) -> Reply {
    let req: AccountImportRequest = parse(body)?;
    valid_user(&req.user_id)?;
    face.engine.create_account(&req.user_id, req.nick, req.face_url);
    Ok(ok(Empty {}))
}

/// `im_open_login_svc/multiaccount_import`: the old `Accounts` form and the
/// newer `AccountList` form (both may be given; they are imported together),
/// 1 to 100 accounts. An invalid UserID does not fail the request: it is
/// listed in `FailAccounts`, which is what that field reports.
fn multiaccount_import(face: &Face, body: Map<String, Value>) -> Reply {
    let req: MultiAccountImportRequest = parse(body)?;
    if req.accounts.is_none() && req.account_list.is_none() {
        return Err(Refusal::new(ERR_INVALID_PARAM, "invalid parameter: Accounts or AccountList is required"));
    }
    let plain = req.accounts.unwrap_or_default().into_iter().map(|user| (user, None, None));
    let profiled = req.account_list.unwrap_or_default().into_iter().map(|a| (a.user_id, a.nick, a.face_url));
    let all: Vec<(String, Option<String>, Option<String>)> = plain.chain(profiled).collect();
    batch_size(all.len(), MAX_ACCOUNTS_PER_BATCH)?;
    let mut fail_accounts = Vec::new();
    for (user, nick, face_url) in all {
        if validate_user_id(&user).is_ok() {
            face.engine.create_account(&user, nick, face_url);
        } else {
            fail_accounts.push(user);
        }
    }
    Ok(ok(MultiAccountImportResponse { fail_accounts }))
}

/// A per-account result item.
fn item(user: String, code: i64, info: impl Into<String>, status: Option<AccountStatus>) -> ResultItem {
    ResultItem { result_code: code, result_info: info.into(), user_id: user, account_status: status }
}

/// `im_open_login_svc/account_delete`: 1 to 100 `DeleteItem`s, a result per
/// item; a missing account is ResultCode 70107
/// `Err_TLS_PT_Open_Login_Account_Not_Exist`. Live links of a deleted account
/// are kicked.
fn account_delete(face: &Face, body: Map<String, Value>) -> Reply {
    let req: AccountDeleteRequest = parse(body)?;
    batch_size(req.delete_item.len(), MAX_ACCOUNTS_PER_BATCH)?;
    let result_item = req
        .delete_item
        .into_iter()
        .map(|i| match validate_user_id(&i.user_id) {
            Err(e) => item(i.user_id, ERR_INVALID_PARAM, e.message, None),
            Ok(()) if face.engine.delete_account(&i.user_id) => item(i.user_id, 0, "", None),
            Ok(()) => item(i.user_id, ERR_NO_ACCOUNT, NO_ACCOUNT_INFO, None),
        })
        .collect();
    Ok(ok(ResultItemResponse { result_item }))
}

/// `im_open_login_svc/account_check`: 1 to 100 `CheckItem`s, each answered
/// with `AccountStatus` `Imported` or `NotImported`.
fn account_check(face: &Face, body: Map<String, Value>) -> Reply {
    let req: AccountCheckRequest = parse(body)?;
    batch_size(req.check_item.len(), MAX_ACCOUNTS_PER_BATCH)?;
    let result_item = req
        .check_item
        .into_iter()
        .map(|i| match validate_user_id(&i.user_id) {
            Err(e) => item(i.user_id, ERR_INVALID_PARAM, e.message, None),
            Ok(()) => {
                let status = if face.engine.account(&i.user_id).is_some() {
                    AccountStatus::Imported
                } else {
                    AccountStatus::NotImported
                };
                item(i.user_id, 0, "", Some(status))
            }
        })
        .collect();
    Ok(ok(ResultItemResponse { result_item }))
}

/// `im_open_login_svc/kick`: ends every live link of the account (the web SDK
/// is told `REST_API_Kick`) and voids every UserSig issued before now; a
/// newly generated UserSig logs in again. An unknown account is 70107.
fn kick(face: &Face, body: Map<String, Value>) -> Reply {
    let req: KickRequest = parse(body)?;
    valid_user(&req.user_id)?;
    if face.engine.account(&req.user_id).is_none() {
        return Err(Refusal::new(ERR_NO_ACCOUNT, NO_ACCOUNT_INFO));
    }
    face.engine.revoke_and_kick(&req.user_id, DisconnectReason::KickedByServer);
    Ok(ok(Empty {}))
}

/// `openim/query_online_status` and the legacy `openim/querystate`.
///
/// `To_Account` must be an array of 1 to 500 strings (90003 when missing or
/// mistyped, 90011 when longer: the openim codes tencent.md 2.3 lists for this
/// call); `IsNeedDetail` an integer (70402 otherwise). An account is `Online`
/// while it has a live link, else `Offline` (imported accounts that never
/// logged in included); the face's links are web links, so `PushOnline` never
/// occurs. With `IsNeedDetail` 1 each live link is a `Detail` entry. Unknown
/// accounts go to `ErrorList` with 70107 (invalid UserIDs with 70402); the
/// top-level ErrorCode is 0 when any account succeeded and the first item's
/// code when all failed (tencent.md 2.3).
fn query_online_status(face: &Face, body: Map<String, Value>, legacy: bool) -> Reply {
    let users: Vec<String> = match body.get("To_Account") {
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<_>>()
            .ok_or_else(|| Refusal::new(90003, "To_Account must be an array of strings"))?,
        _ => return Err(Refusal::new(90003, "To_Account is missing or not an array of strings")),
    };
    if users.is_empty() {
        return Err(Refusal::new(90003, "To_Account is empty"));
    }
    if users.len() > MAX_ACCOUNTS_PER_STATUS_QUERY {
        return Err(Refusal::new(
            90011,
            format!("too many accounts in To_Account: {} (at most {MAX_ACCOUNTS_PER_STATUS_QUERY})", users.len()),
        ));
    }
    let need_detail = match body.get("IsNeedDetail") {
        None | Some(Value::Null) => false,
        Some(v) => match v.as_i64() {
            Some(n) => n == 1,
            None => return Err(Refusal::new(ERR_INVALID_PARAM, "invalid parameter: IsNeedDetail must be an integer")),
        },
    };
    let mut query_result = Vec::new();
    let mut error_list = Vec::new();
    for user in users {
        if validate_user_id(&user).is_err() {
            error_list.push(ErrorListItem { to_account: user, error_code: ERR_INVALID_PARAM });
            continue;
        }
        if face.engine.account(&user).is_none() {
            error_list.push(ErrorListItem { to_account: user, error_code: ERR_NO_ACCOUNT });
            continue;
        }
        let links = face.engine.links_of(&user);
        let status = if links.is_empty() { OnlineStatus::Offline } else { OnlineStatus::Online };
        let detail = need_detail.then(|| {
            links
                .iter()
                .map(|l| DetailItem { platform: platform_to_wire(&l.device.platform), status: OnlineStatus::Online })
                .collect()
        });
        query_result.push(QueryResult { to_account: user, status, detail });
    }
    let envelope = match (query_result.is_empty(), error_list.first()) {
        (true, Some(first)) => {
            let info = if first.error_code == ERR_NO_ACCOUNT { NO_ACCOUNT_INFO } else { "invalid UserID" };
            Envelope::fail(first.error_code, info)
        }
        _ => Envelope::ok(),
    };
    let value = if legacy {
        let query_result = query_result.into_iter().map(LegacyQueryResult::from).collect();
        to_value(Response { envelope, body: LegacyQueryStateResponse { query_result, error_list } })
    } else {
        to_value(Response { envelope, body: QueryOnlineStatusResponse { query_result, error_list } })
    };
    Ok(value)
}
