//! Easemob codes mapped to neutral errors and disconnect reasons.
//!
//! Three vocabularies meet here:
//! - **REST errors** (`vendors/easemob.md` sections 1.4, 1.5 and 2.3): an HTTP
//!   status plus a symbolic `error` string (`illegal_argument`,
//!   `auth_bad_access_token`, ...) and an `error_description`.
//!   [`error_from_rest`] keeps all three in [`VendorError`] (`code` = HTTP
//!   status, `name` = `error`, `message` = `error_description`).
//! - **client SDK codes** (easemob.md sections 6.1 and 6.2: 202, 206, 207,
//!   214, 216, 217, 305, 108, ...), for refused logins and kicks:
//!   [`disconnect_from_code`] and [`error_from_client_code`].
//! - **the msync kick signal**, `StatisticsBody.operation` in a STATISTIC meta
//!   (`vendors/kick-signals.md` section 2): [`kick_operation_reason`] for the
//!   session, [`kick_operation_for`] for the emulator face, so the two cannot
//!   drift apart.

use std::time::Duration;
use unim_core::{DisconnectReason, Error, ErrorKind, VendorError};

/// The neutral kind of a REST failure and a plain-words description of it.
///
/// The symbolic `error` decides first (it is more precise than the status);
/// the status decides when the string is unknown.
fn classify_rest(status: u16, error: &str, description: &str, retry_after: Option<Duration>) -> (ErrorKind, String) {
    use ErrorKind::*;
    let text = |s: &str| s.to_owned();
    match (status, error) {
        // --- tokens (easemob.md 1.5, 2.3) ---
        (_, "invalid_grant") if description.contains("not activated") => {
            (PermissionDenied, text("the user is deactivated (banned); activate it first"))
        }
        (404, "invalid_grant") | (_, "entity_not_found") => (NotFound, text("the user does not exist")),
        (_, "invalid_grant") => {
            (Unauthenticated, text("the credentials were refused (wrong password, client id or client secret)"))
        }
        (_, "unsupported_grant_type") => (InvalidInput, text("the token request names an unsupported grant_type")),
        // 401 `unauthorized`: missing, wrong or expired token (easemob.md 1.5;
        // Easemob's token page: "token invalid, maybe expired or wrong").
        // Only the expired case is fixed by a fresh token of the same kind.
        (_, "unauthorized") if description.contains("expired") => {
            (CredentialExpired, text("the access token has expired; request a new one"))
        }
        (_, "unauthorized") => {
            (Unauthenticated, text("the request was not authenticated (missing, wrong or expired access token)"))
        }
        // 401 `auth_bad_access_token`: a corrupt or foreign token, or a user
        // token where the app token is needed (easemob.md 1.5).
        (_, "auth_bad_access_token") => (
            Unauthenticated,
            text(
                "the access token is corrupt, belongs to another app, or is a user token where an app token is needed",
            ),
        ),
        // --- validation ---
        (_, "duplicate_unique_property_exists") => (AlreadyExists, text("the user already exists")),
        (_, "json_parse") => (InvalidInput, text("the request body is not valid JSON")),
        (_, "illegal_argument") => (InvalidInput, text("Easemob refused an argument of the request")),
        (_, "invalid_parameter") | (_, "invalid_request_body") | (_, "required_property_not_found") => {
            (InvalidInput, text("the request body is invalid"))
        }
        (_, "group_name_violation") => (InvalidInput, text("the group name was refused by moderation")),
        (403, "message_send_error") => (RateLimited { retry_after }, text("the message sending rate limit is reached")),
        (_, "message_send_error") => (InvalidInput, text("the message was refused")),
        // --- permissions and quotas ---
        // Group calls say "already in group" with `forbidden_op` (easemob.md section 5).
        (_, "forbidden_op") if description.contains("already in group") => {
            (AlreadyExists, text("the user is already a member of the group"))
        }
        (_, "forbidden_op") => (PermissionDenied, text("the operation is not allowed")),
        // A full group, too many groups or admins (easemob.md section 5).
        (_, "exceed_limit") => (LimitExceeded, text("a limit is reached (group members, groups, admins)")),
        // 429 `resource_limited` is the free plan's quota (100 users), not a
        // rate: waiting does not help (easemob.md 1.5).
        (_, "resource_limited") => (PermissionDenied, text("the app's plan limit is reached (free plan: 100 users)")),
        (_, "reach_limit") => (RateLimited { retry_after }, text("the API rate limit is reached")),
        // --- not found ---
        (_, "organization_application_not_found") => {
            (NotFound, text("the app key (org_name/app_name) does not exist on this Easemob host"))
        }
        (_, "service_resource_not_found") | (_, "resource_not_found") => {
            (NotFound, text("the user (or other resource in the path) does not exist"))
        }
        (_, "storage_object_not_found") => (NotFound, text("the stored object does not exist")),
        // --- conflicts and server faults ---
        (409, _) | (_, "concurrent_operation_error") => {
            (Unavailable, text("a concurrent operation on the same user conflicted; retry"))
        }
        (_, "unsupported_service_operation") => (Unsupported, text("Easemob does not support this operation")),
        // --- by status, when the string says nothing more ---
        (400 | 413 | 415, _) => (InvalidInput, text("Easemob refused the request as malformed")),
        (401, _) => (Unauthenticated, text("the request was not authenticated")),
        (402 | 403, _) => (PermissionDenied, text("the operation is not allowed")),
        (404, _) => (NotFound, text("the resource does not exist")),
        (405, _) => (Unsupported, text("the HTTP method is not supported on this resource")),
        (408, _) => (Timeout, text("the Easemob server timed out")),
        (429, _) => (RateLimited { retry_after }, text("too many requests")),
        (500..=599, _) => (Unavailable, text("the Easemob service is unavailable or failed internally")),
        _ => (Other, format!("Easemob REST error (HTTP {status})")),
    }
}

/// Maps an Easemob REST failure to a neutral [`Error`].
///
/// `status` is the HTTP status, `error` the envelope's symbolic `error`,
/// `description` its `error_description`, and `retry_after` the
/// `Retry-After` header when the response had one (it becomes
/// [`ErrorKind::RateLimited::retry_after`]). The rules, from easemob.md 1.5:
/// - 401 `unauthorized` whose description says "expired" →
///   [`ErrorKind::CredentialExpired`]; any other 401 (`unauthorized`,
///   `auth_bad_access_token`) → [`ErrorKind::Unauthenticated`];
/// - 400 `invalid_grant` (wrong password, client id or secret) →
///   [`ErrorKind::Unauthenticated`], except "user not activated" →
///   [`ErrorKind::PermissionDenied`]; 404 `invalid_grant` / `entity_not_found`
///   → [`ErrorKind::NotFound`];
/// - 400 `duplicate_unique_property_exists` → [`ErrorKind::AlreadyExists`];
///   400 `illegal_argument`, `json_parse` and the other validation strings →
///   [`ErrorKind::InvalidInput`];
/// - 404 `service_resource_not_found`, `organization_application_not_found`
///   → [`ErrorKind::NotFound`]; 403 `forbidden_op` →
///   [`ErrorKind::PermissionDenied`] ("already in group" →
///   [`ErrorKind::AlreadyExists`]); 403 `exceed_limit` →
///   [`ErrorKind::LimitExceeded`];
/// - 429 `reach_limit` (and any unnamed 429) → [`ErrorKind::RateLimited`];
///   429 `resource_limited` (the free plan's user quota) →
///   [`ErrorKind::PermissionDenied`];
/// - 5xx → [`ErrorKind::Unavailable`] (500 `unsupported_service_operation`,
///   Easemob's answer to a wrong verb, → [`ErrorKind::Unsupported`]).
///
/// The message is in plain words; the vendor's status, string and text are
/// kept in [`Error::vendor`].
pub fn error_from_rest(status: u16, error: &str, description: &str, retry_after: Option<Duration>) -> Error {
    let (kind, message) = classify_rest(status, error, description, retry_after);
    let mut vendor = VendorError::new(crate::VENDOR, i64::from(status), description);
    vendor.name = (!error.is_empty()).then(|| error.to_owned());
    Error::new(kind, message).with_vendor(vendor)
}

/// `EMError` codes of the native and web SDKs (easemob.md 6.1, 6.2) that the
/// session meets on a refused login or a kick.
pub(crate) mod code {
    pub(crate) const GENERAL_ERROR: i64 = 1;
    pub(crate) const NETWORK_ERROR: i64 = 2;
    pub(crate) const EXCEED_SERVICE_LIMIT: i64 = 4;
    pub(crate) const APP_ACTIVE_NUMBER_REACH_LIMITATION: i64 = 8;
    pub(crate) const INVALID_APP_KEY: i64 = 100;
    pub(crate) const INVALID_USER_NAME: i64 = 101;
    pub(crate) const INVALID_PASSWORD: i64 = 102;
    pub(crate) const INVALID_TOKEN: i64 = 104;
    pub(crate) const USER_NAME_TOO_LONG: i64 = 105;
    pub(crate) const TOKEN_EXPIRED: i64 = 108;
    pub(crate) const TOKEN_WILL_EXPIRE: i64 = 109;
    pub(crate) const USER_ALREADY_LOGIN: i64 = 200;
    pub(crate) const USER_NOT_LOGIN: i64 = 201;
    pub(crate) const USER_AUTHENTICATION_FAILED: i64 = 202;
    pub(crate) const USER_ALREADY_EXIST: i64 = 203;
    pub(crate) const USER_NOT_FOUND: i64 = 204;
    pub(crate) const USER_LOGIN_ANOTHER_DEVICE: i64 = 206;
    pub(crate) const USER_REMOVED: i64 = 207;
    pub(crate) const USER_PERMISSION_DENIED: i64 = 210;
    pub(crate) const USER_LOGIN_TOO_MANY_DEVICES: i64 = 214;
    pub(crate) const USER_MUTED: i64 = 215;
    pub(crate) const USER_KICKED_BY_CHANGE_PASSWORD: i64 = 216;
    pub(crate) const USER_KICKED_BY_OTHER_DEVICE: i64 = 217;
    pub(crate) const USER_MUTED_BY_ADMIN: i64 = 219;
    pub(crate) const USER_DEVICE_CHANGED: i64 = 220;
    pub(crate) const SERVER_NOT_REACHABLE: i64 = 300;
    pub(crate) const SERVER_TIMEOUT: i64 = 301;
    pub(crate) const SERVER_BUSY: i64 = 302;
    pub(crate) const SERVER_UNKNOWN_ERROR: i64 = 303;
    pub(crate) const SERVER_GET_DNSLIST_FAILED: i64 = 304;
    pub(crate) const SERVER_SERVICE_RESTRICTED: i64 = 305;
}

/// The neutral kind and plain words of a client SDK code (easemob.md 6.2).
fn classify_client(code: i64) -> Option<(ErrorKind, &'static str)> {
    use code::*;
    use ErrorKind::*;
    let entry = match code {
        GENERAL_ERROR => (Other, "general error"),
        NETWORK_ERROR => (Unavailable, "the network is unavailable"),
        EXCEED_SERVICE_LIMIT => (PermissionDenied, "a service limit of the app is exceeded"),
        APP_ACTIVE_NUMBER_REACH_LIMITATION => {
            (PermissionDenied, "the app's daily/monthly active user limit is reached")
        }
        INVALID_APP_KEY => (InvalidInput, "the app key is invalid"),
        INVALID_USER_NAME => (InvalidInput, "the username is invalid"),
        INVALID_PASSWORD => (Unauthenticated, "the password is wrong"),
        INVALID_TOKEN => (Unauthenticated, "the token is invalid"),
        USER_NAME_TOO_LONG => (InvalidInput, "the username is longer than 64 bytes"),
        TOKEN_EXPIRED => (CredentialExpired, "the token has expired; log in again with a fresh one"),
        TOKEN_WILL_EXPIRE => (Other, "the token will expire soon"),
        USER_ALREADY_LOGIN => (InvalidState, "the user is already logged in"),
        USER_NOT_LOGIN => (InvalidState, "not logged in"),
        USER_AUTHENTICATION_FAILED => (Unauthenticated, "authentication failed (wrong password or token)"),
        USER_ALREADY_EXIST => (AlreadyExists, "the user already exists"),
        USER_NOT_FOUND => (NotFound, "the user does not exist"),
        USER_LOGIN_ANOTHER_DEVICE => (InvalidState, "logged out because the account logged in on another device"),
        USER_REMOVED => (NotFound, "the account was removed"),
        USER_PERMISSION_DENIED => (PermissionDenied, "the user may not do this"),
        USER_LOGIN_TOO_MANY_DEVICES => (PermissionDenied, "too many devices are logged in"),
        USER_MUTED | USER_MUTED_BY_ADMIN => (PermissionDenied, "the user is muted"),
        USER_KICKED_BY_CHANGE_PASSWORD => (InvalidState, "logged out because the password was changed"),
        USER_KICKED_BY_OTHER_DEVICE => (InvalidState, "logged out by another device of the same user"),
        USER_DEVICE_CHANGED => (InvalidState, "another device logged in; this one may not log in automatically"),
        SERVER_NOT_REACHABLE | SERVER_GET_DNSLIST_FAILED => (Unavailable, "the Easemob server is not reachable"),
        SERVER_TIMEOUT => (Timeout, "the Easemob server timed out"),
        SERVER_BUSY | SERVER_UNKNOWN_ERROR => (Unavailable, "the Easemob server is busy or failed"),
        SERVER_SERVICE_RESTRICTED => (PermissionDenied, "the service is restricted for this app or user"),
        _ => return None,
    };
    Some(entry)
}

/// Maps an Easemob client SDK code (`EMError`, easemob.md 6.2) and its text
/// to a neutral [`Error`]: 202/102/104 → [`ErrorKind::Unauthenticated`], 108
/// → [`ErrorKind::CredentialExpired`], 204/207 → [`ErrorKind::NotFound`],
/// 214/305/8/4 → [`ErrorKind::PermissionDenied`], 2/300/302/303/304 →
/// [`ErrorKind::Unavailable`], 301 → [`ErrorKind::Timeout`], and so on. A code
/// not in the table is [`ErrorKind::Other`]; the code and text are always
/// kept in [`Error::vendor`].
pub fn error_from_client_code(code: i64, info: &str) -> Error {
    let vendor = VendorError::new(crate::VENDOR, code, info);
    match classify_client(code) {
        Some((kind, text)) => Error::new(kind, text).with_vendor(vendor),
        None => Error::new(ErrorKind::Other, format!("Easemob error {code}")).with_vendor(vendor),
    }
}

/// Maps a client SDK code that ends or refuses a login to the neutral
/// [`DisconnectReason`] (easemob.md 6.1 and 6.2, the design brief's mapping
/// table):
/// - 206 `USER_LOGIN_ANOTHER_DEVICE`, 220 `USER_DEVICE_CHANGED` →
///   [`DisconnectReason::KickedByOtherLogin`];
/// - 207 `USER_REMOVED` → [`DisconnectReason::AccountRemoved`];
/// - 214 `USER_LOGIN_TOO_MANY_DEVICES` → [`DisconnectReason::TooManyDevices`];
/// - 216 `USER_KICKED_BY_CHANGE_PASSWORD` → [`DisconnectReason::PasswordChanged`];
/// - 217 `USER_KICKED_BY_OTHER_DEVICE` → [`DisconnectReason::KickedByOwnDevice`];
/// - 202 `USER_AUTHENTICATION_FAILED`, 102 `INVALID_PASSWORD`, 104
///   `INVALID_TOKEN`, 101, 204 (the login's user or secret is wrong) →
///   [`DisconnectReason::AuthFailed`];
/// - 108 `TOKEN_EXPIRED` → [`DisconnectReason::CredentialExpired`];
/// - 305 `SERVER_SERVICE_RESTRICTED`, 8 (active-user limit), 4 (service
///   limit) → [`DisconnectReason::ServiceRestricted`];
/// - 2, 300-304 (the SDK's auto-reconnect codes, easemob.md 6.1) →
///   [`DisconnectReason::Network`];
/// - anything else → [`DisconnectReason::Other`].
pub fn disconnect_from_code(code: i64) -> DisconnectReason {
    use code::*;
    match code {
        USER_LOGIN_ANOTHER_DEVICE | USER_DEVICE_CHANGED => DisconnectReason::KickedByOtherLogin,
        USER_REMOVED => DisconnectReason::AccountRemoved,
        USER_LOGIN_TOO_MANY_DEVICES => DisconnectReason::TooManyDevices,
        USER_KICKED_BY_CHANGE_PASSWORD => DisconnectReason::PasswordChanged,
        USER_KICKED_BY_OTHER_DEVICE => DisconnectReason::KickedByOwnDevice,
        USER_AUTHENTICATION_FAILED | INVALID_PASSWORD | INVALID_TOKEN | INVALID_USER_NAME | USER_NOT_FOUND => {
            DisconnectReason::AuthFailed
        }
        TOKEN_EXPIRED => DisconnectReason::CredentialExpired,
        SERVER_SERVICE_RESTRICTED | APP_ACTIVE_NUMBER_REACH_LIMITATION | EXCEED_SERVICE_LIMIT => {
            DisconnectReason::ServiceRestricted
        }
        NETWORK_ERROR
        | SERVER_NOT_REACHABLE
        | SERVER_TIMEOUT
        | SERVER_BUSY
        | SERVER_UNKNOWN_ERROR
        | SERVER_GET_DNSLIST_FAILED => DisconnectReason::Network,
        _ => DisconnectReason::Other,
    }
}

/// `StatisticsBody.operation` 0 `INFORMATION`: statistics, not a kick.
pub const KICK_OP_INFORMATION: i32 = 0;
/// `StatisticsBody.operation` 1 `USER_REMOVED`: the web SDK's 207.
pub const KICK_OP_USER_REMOVED: i32 = 1;
/// `StatisticsBody.operation` 2 `USER_LOGIN_ANOTHER_DEVICE`: the web SDK's 206.
pub const KICK_OP_USER_LOGIN_ANOTHER_DEVICE: i32 = 2;
/// `StatisticsBody.operation` 3 `USER_KICKED_BY_CHANGE_PASSWORD`: the web SDK's 216.
pub const KICK_OP_USER_KICKED_BY_CHANGE_PASSWORD: i32 = 3;
/// `StatisticsBody.operation` 4 `USER_KICKED_BY_OTHER_DEVICE`: the web SDK's 217.
pub const KICK_OP_USER_KICKED_BY_OTHER_DEVICE: i32 = 4;

/// The neutral reason of a `StatisticsBody.operation` in a STATISTIC meta
/// (kick-signals.md section 2): 1 → [`DisconnectReason::AccountRemoved`]
/// (207), 2 → [`DisconnectReason::KickedByOtherLogin`] (206), 3 →
/// [`DisconnectReason::PasswordChanged`] (216), 4 →
/// [`DisconnectReason::KickedByOwnDevice`] (217). 0 (`INFORMATION`) is not a
/// kick, and the SDK ignores other values: both are `None`.
pub fn kick_operation_reason(operation: i32) -> Option<DisconnectReason> {
    match operation {
        KICK_OP_USER_REMOVED => Some(DisconnectReason::AccountRemoved),
        KICK_OP_USER_LOGIN_ANOTHER_DEVICE => Some(DisconnectReason::KickedByOtherLogin),
        KICK_OP_USER_KICKED_BY_CHANGE_PASSWORD => Some(DisconnectReason::PasswordChanged),
        KICK_OP_USER_KICKED_BY_OTHER_DEVICE => Some(DisconnectReason::KickedByOwnDevice),
        _ => None,
    }
}

/// The `StatisticsBody.operation` the emulator sends to tell a web client it
/// was kicked for `reason` (kick-signals.md section 2), or `None` when the web
/// SDK has no kick operation for it.
///
/// - [`DisconnectReason::AccountRemoved`] → 1 (207);
/// - [`DisconnectReason::KickedByOtherLogin`] and
///   [`DisconnectReason::TooManyDevices`] → 2 (206): a live link pushed out by
///   a newer login of the same platform is told 206 (easemob.md 6.3; 214
///   itself is a login refusal, PROVISION status 13, never a kick);
/// - [`DisconnectReason::PasswordChanged`] → 3 (216);
/// - [`DisconnectReason::KickedByOwnDevice`] and
///   [`DisconnectReason::KickedByServer`] → 4 (217): easemob.md section 10
///   gives 217 for the REST `disconnect` calls, and the SDK has no "kicked by
///   the server" operation;
/// - everything else → `None`: [`DisconnectReason::CredentialExpired`] is
///   reported as token expiry, not as a kick; [`DisconnectReason::Banned`]
///   and [`DisconnectReason::ServiceRestricted`] have no operation (the SDK
///   learns of a deactivated account when its next login is refused,
///   PROVISION status 12 `IM_FORBIDDEN`); the rest are not kicks at all.
pub fn kick_operation_for(reason: DisconnectReason) -> Option<i32> {
    match reason {
        DisconnectReason::AccountRemoved => Some(KICK_OP_USER_REMOVED),
        DisconnectReason::KickedByOtherLogin | DisconnectReason::TooManyDevices => {
            Some(KICK_OP_USER_LOGIN_ANOTHER_DEVICE)
        }
        DisconnectReason::PasswordChanged => Some(KICK_OP_USER_KICKED_BY_CHANGE_PASSWORD),
        DisconnectReason::KickedByOwnDevice | DisconnectReason::KickedByServer => {
            Some(KICK_OP_USER_KICKED_BY_OTHER_DEVICE)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(status: u16, error: &str, description: &str) -> ErrorKind {
        error_from_rest(status, error, description, None).kind
    }

    #[test]
    fn rest_token_failures() {
        assert_eq!(kind(401, "unauthorized", "Unable to authenticate (OAuth)"), ErrorKind::Unauthenticated);
        assert_eq!(
            kind(401, "unauthorized", "Unable to authenticate due to expired access token"),
            ErrorKind::CredentialExpired
        );
        assert_eq!(
            kind(401, "auth_bad_access_token", "Unable to authenticate due to corrupt access token"),
            ErrorKind::Unauthenticated
        );
        assert_eq!(kind(401, "", ""), ErrorKind::Unauthenticated);
        assert_eq!(kind(400, "invalid_grant", "client_secret does not match"), ErrorKind::Unauthenticated);
        assert_eq!(kind(400, "invalid_grant", "invalid password"), ErrorKind::Unauthenticated);
        assert_eq!(kind(400, "invalid_grant", "user not activated"), ErrorKind::PermissionDenied);
        assert_eq!(kind(404, "invalid_grant", "user not found"), ErrorKind::NotFound);
        assert_eq!(kind(404, "entity_not_found", "User null not found"), ErrorKind::NotFound);
        assert_eq!(kind(400, "unsupported_grant_type", "x"), ErrorKind::InvalidInput);
    }

    #[test]
    fn rest_validation_and_existence() {
        assert_eq!(kind(400, "duplicate_unique_property_exists", "value of a exists"), ErrorKind::AlreadyExists);
        for e in ["illegal_argument", "json_parse", "invalid_parameter", "invalid_request_body"] {
            assert_eq!(kind(400, e, "x"), ErrorKind::InvalidInput, "{e}");
        }
        assert_eq!(kind(400, "message_send_error", "param from can't be empty"), ErrorKind::InvalidInput);
        assert_eq!(kind(413, "Request Entity Too Large", ""), ErrorKind::InvalidInput);
        assert_eq!(kind(415, "web_application", "Unsupported Media Type"), ErrorKind::InvalidInput);
        for e in ["service_resource_not_found", "organization_application_not_found", "resource_not_found"] {
            assert_eq!(kind(404, e, "x"), ErrorKind::NotFound, "{e}");
        }
        assert_eq!(kind(404, "", ""), ErrorKind::NotFound);
        assert_eq!(kind(403, "forbidden_op", "x"), ErrorKind::PermissionDenied);
        assert_eq!(kind(403, "exceed_limit", "x"), ErrorKind::LimitExceeded);
        let already = "can not join this group, reason:user: bob already in group: 200000000000001";
        assert_eq!(kind(403, "forbidden_op", already), ErrorKind::AlreadyExists);
        assert_eq!(kind(405, "", ""), ErrorKind::Unsupported);
    }

    #[test]
    fn rest_rates_and_outages() {
        let wait = Some(Duration::from_secs(3));
        let e = error_from_rest(429, "reach_limit", "This request has reached api limit", wait);
        assert_eq!(e.kind, ErrorKind::RateLimited { retry_after: wait });
        assert!(e.is_retryable());
        assert_eq!(kind(429, "", ""), ErrorKind::RateLimited { retry_after: None });
        assert_eq!(
            kind(403, "message_send_error", "message send reach limit"),
            ErrorKind::RateLimited { retry_after: None }
        );
        let quota = error_from_rest(429, "resource_limited", "You have exceeded the limit", wait);
        assert_eq!(quota.kind, ErrorKind::PermissionDenied);
        assert!(!quota.is_retryable());
        for status in [500, 502, 503, 504] {
            assert_eq!(kind(status, "", ""), ErrorKind::Unavailable, "{status}");
        }
        assert_eq!(kind(500, "unsupported_service_operation", ""), ErrorKind::Unsupported);
        assert_eq!(
            kind(409, "concurrent_operation_error", "concurrency create app user failed"),
            ErrorKind::Unavailable
        );
        assert_eq!(kind(418, "teapot", ""), ErrorKind::Other);
    }

    #[test]
    fn rest_vendor_detail_is_kept() {
        let e = error_from_rest(400, "illegal_argument", "username A B is not legal", None);
        let v = e.vendor.clone().expect("vendor detail");
        assert_eq!((v.vendor.as_str(), v.code, v.name.as_deref()), ("easemob", 400, Some("illegal_argument")));
        assert_eq!(v.message, "username A B is not legal");
        assert_eq!(e.to_string(), "invalid input: Easemob refused an argument of the request (easemob 400 illegal_argument: username A B is not legal)");
        assert_eq!(error_from_rest(502, "", "", None).vendor.unwrap().name, None);
    }

    #[test]
    fn client_codes_to_errors() {
        for (code, expected) in [
            (202, ErrorKind::Unauthenticated),
            (104, ErrorKind::Unauthenticated),
            (108, ErrorKind::CredentialExpired),
            (204, ErrorKind::NotFound),
            (214, ErrorKind::PermissionDenied),
            (305, ErrorKind::PermissionDenied),
            (300, ErrorKind::Unavailable),
            (301, ErrorKind::Timeout),
            (105, ErrorKind::InvalidInput),
            (9999, ErrorKind::Other),
        ] {
            assert_eq!(error_from_client_code(code, "x").kind, expected, "{code}");
        }
        let e = error_from_client_code(4242, "odd");
        assert!(e.message.contains("4242"));
        assert_eq!(e.vendor.map(|v| (v.code, v.message)), Some((4242, "odd".into())));
    }

    #[test]
    fn disconnect_reasons() {
        use DisconnectReason::*;
        for (code, reason) in [
            (206, KickedByOtherLogin),
            (220, KickedByOtherLogin),
            (207, AccountRemoved),
            (214, TooManyDevices),
            (216, PasswordChanged),
            (217, KickedByOwnDevice),
            (202, AuthFailed),
            (102, AuthFailed),
            (104, AuthFailed),
            (204, AuthFailed),
            (108, CredentialExpired),
            (305, ServiceRestricted),
            (8, ServiceRestricted),
            (2, Network),
            (300, Network),
            (301, Network),
            (302, Network),
            (303, Network),
            (304, Network),
            (109, Other),
            (1, Other),
        ] {
            assert_eq!(disconnect_from_code(code), reason, "{code}");
        }
    }

    #[test]
    fn kick_operations_both_ways() {
        use DisconnectReason::*;
        assert_eq!(kick_operation_reason(0), None);
        assert_eq!(kick_operation_reason(1), Some(AccountRemoved));
        assert_eq!(kick_operation_reason(2), Some(KickedByOtherLogin));
        assert_eq!(kick_operation_reason(3), Some(PasswordChanged));
        assert_eq!(kick_operation_reason(4), Some(KickedByOwnDevice));
        assert_eq!(kick_operation_reason(5), None);
        assert_eq!(kick_operation_reason(-1), None);

        assert_eq!(kick_operation_for(AccountRemoved), Some(1));
        assert_eq!(kick_operation_for(KickedByOtherLogin), Some(2));
        assert_eq!(kick_operation_for(TooManyDevices), Some(2));
        assert_eq!(kick_operation_for(PasswordChanged), Some(3));
        assert_eq!(kick_operation_for(KickedByOwnDevice), Some(4));
        assert_eq!(kick_operation_for(KickedByServer), Some(4));
        for r in [Requested, Network, AuthFailed, CredentialExpired, Banned, ServiceRestricted, VersionRejected, Other]
        {
            assert_eq!(kick_operation_for(r), None, "{r:?}");
        }
        // Every reason the SDK can be told round-trips to itself.
        for r in [AccountRemoved, KickedByOtherLogin, PasswordChanged, KickedByOwnDevice] {
            assert_eq!(kick_operation_for(r).and_then(kick_operation_reason), Some(r));
        }
        // ... and every operation the SDK knows agrees with the client codes.
        for (op, code) in [(1, 207), (2, 206), (3, 216), (4, 217)] {
            assert_eq!(kick_operation_reason(op), Some(disconnect_from_code(code)), "{op}");
        }
    }
}
