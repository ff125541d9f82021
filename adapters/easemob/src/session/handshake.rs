//! Getting a token (the REST password grant) and logging in on a new
//! WebSocket with `PROVISION` (docs/protocols/easemob.md sections 2.2 and
//! 4). Used by login, reconnect and renewal.

use super::code;
use super::connection::{Connection, LinkEvent};
use crate::error::{error_from_client_code, error_from_rest};
use crate::link::{status::ErrorCode, Jid, MSync, Provision, Status};
use crate::VENDOR;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use unim_core::{Disconnect, DisconnectReason, Error, ErrorKind, Secret, VendorError};

/// Where and as whom to log in.
pub(crate) struct Target<'a> {
    pub(crate) ws_url: &'a str,
    /// `org#app`.
    pub(crate) app_key: &'a str,
    /// The normalized username.
    pub(crate) user: &'a str,
    pub(crate) token: &'a Secret,
    pub(crate) resource: &'a str,
    pub(crate) timeout: Duration,
}

/// Why a login attempt failed: the link could not be had (worth retrying),
/// or the server refused (not worth retrying with the same token).
#[derive(Debug)]
pub(crate) enum Failure {
    Network(Error),
    Refused(Error, Disconnect),
}

impl Failure {
    pub(crate) fn into_parts(self) -> (Error, Disconnect) {
        match self {
            Failure::Network(e) => (e, Disconnect::new(DisconnectReason::Network)),
            Failure::Refused(e, d) => (e, d),
        }
    }
}

/// A successful `PROVISION`.
pub(crate) struct LoggedIn {
    pub(crate) conn: Arc<Connection>,
    /// The token's expiry from the reply's `authToken`, Unix ms.
    pub(crate) expires_at_ms: Option<u64>,
}

/// Opens a connection and sends `PROVISION`; events of the new connection
/// go to `events`. `on_connected` runs once the socket is open.
pub(crate) async fn login(
    t: &Target<'_>,
    events: mpsc::UnboundedSender<(u64, LinkEvent)>,
    on_connected: impl FnOnce(),
) -> Result<LoggedIn, Failure> {
    let (conn, reply) = Connection::open(t.ws_url, t.timeout, events).await.map_err(Failure::Network)?;
    on_connected();
    let guid = Jid::user(t.app_key, t.user).with_resource(t.resource);
    let request = MSync::provision_request(guid, t.token.expose(), &Provision::login(t.resource, t.token.expose()));
    if let Err(e) = conn.send(&request) {
        conn.close();
        return Err(Failure::Network(e));
    }
    let reply = match tokio::time::timeout(t.timeout, reply).await {
        Ok(Ok(reply)) => reply,
        Ok(Err(_)) => {
            conn.close();
            return Err(Failure::Network(Error::unavailable("the link closed before the PROVISION reply")));
        }
        Err(_) => {
            conn.close();
            return Err(Failure::Network(Error::timeout(format!("no PROVISION reply within {:?}", t.timeout))));
        }
    };
    let provision = match reply.read_provision() {
        Ok(p) => p,
        Err(e) => {
            conn.close();
            return Err(Failure::Refused(
                Error::protocol(format!("unreadable PROVISION reply: {e}")),
                Disconnect::new(DisconnectReason::Other),
            ));
        }
    };
    let Some(status) = provision.status.as_ref() else {
        conn.close();
        let e = Error::protocol("the PROVISION reply has no status");
        return Err(Failure::Refused(e, Disconnect::new(DisconnectReason::Other)));
    };
    if !status.is_ok() {
        conn.close();
        let (e, why) = refusal(status);
        return Err(Failure::Refused(e, why));
    }
    Ok(LoggedIn { conn, expires_at_ms: provision.token_expiry() })
}

/// What a refused `PROVISION` means (easemob.md 4.3): the error for the
/// caller and the disconnect, with the web SDK's code and the server's
/// words kept as vendor detail.
pub(crate) fn refusal(status: &Status) -> (Error, Disconnect) {
    let raw = status.code();
    let reason_text = status.reason.clone().unwrap_or_default();
    let lower = reason_text.to_ascii_lowercase();
    let (kind, why, sdk_code, words): (ErrorKind, DisconnectReason, i64, &str) = match ErrorCode::try_from(raw) {
        Ok(ErrorCode::Unauthorized) => (
            ErrorKind::Unauthenticated,
            DisconnectReason::AuthFailed,
            code::USER_AUTHENTICATION_FAILED,
            "the token was refused",
        ),
        Ok(ErrorCode::Fail) if lower.contains("token expired") => (
            ErrorKind::CredentialExpired,
            DisconnectReason::CredentialExpired,
            code::TOKEN_EXPIRED,
            "the token has expired",
        ),
        Ok(ErrorCode::TokenExpired) => (
            ErrorKind::CredentialExpired,
            DisconnectReason::CredentialExpired,
            code::TOKEN_EXPIRED,
            "the token has expired",
        ),
        Ok(ErrorCode::Fail) if lower.contains("user not found") => {
            (ErrorKind::Unauthenticated, DisconnectReason::AuthFailed, code::USER_NOT_FOUND, "the user does not exist")
        }
        Ok(ErrorCode::Fail) if lower.contains("limit") => (
            ErrorKind::PermissionDenied,
            DisconnectReason::ServiceRestricted,
            code::EXCEED_SERVICE_LIMIT,
            "a limit of the app is reached",
        ),
        Ok(ErrorCode::Fail) => (
            ErrorKind::Unauthenticated,
            DisconnectReason::AuthFailed,
            code::USER_AUTHENTICATION_FAILED,
            "the login was refused",
        ),
        Ok(ErrorCode::PermissionDenied) if lower.contains("count limit") => (
            ErrorKind::PermissionDenied,
            DisconnectReason::ServiceRestricted,
            code::APP_ACTIVE_NUMBER_REACH_LIMITATION,
            "the app's online or active user limit is reached",
        ),
        Ok(ErrorCode::PermissionDenied) => (
            ErrorKind::Unauthenticated,
            DisconnectReason::AuthFailed,
            code::USER_AUTHENTICATION_FAILED,
            "the login was refused",
        ),
        Ok(ErrorCode::ImForbidden) => (
            ErrorKind::PermissionDenied,
            DisconnectReason::Banned,
            code::SERVER_SERVICE_RESTRICTED,
            "the account is deactivated (IM service disabled for it)",
        ),
        Ok(ErrorCode::TooManyDevices) => (
            ErrorKind::PermissionDenied,
            DisconnectReason::TooManyDevices,
            code::USER_LOGIN_TOO_MANY_DEVICES,
            "too many devices are logged in",
        ),
        Ok(ErrorCode::ResourceChanged) => (
            ErrorKind::InvalidState,
            DisconnectReason::KickedByOtherLogin,
            code::USER_DEVICE_CHANGED,
            "another device took this login's place",
        ),
        Ok(ErrorCode::WrongParameter | ErrorCode::MissingParameter) => {
            (ErrorKind::InvalidInput, DisconnectReason::Other, raw.into(), "the server refused a login parameter")
        }
        _ => (ErrorKind::Other, DisconnectReason::Other, raw.into(), "the login was refused"),
    };
    let status_name = ErrorCode::try_from(raw).map(|c| c.as_str_name().to_owned()).unwrap_or_else(|_| raw.to_string());
    let mut vendor = VendorError::new(VENDOR, sdk_code, reason_text);
    vendor.name = Some(status_name);
    let error = Error::new(kind, format!("Easemob refused the login: {words}")).with_vendor(vendor.clone());
    (error, Disconnect::new(why).with_vendor(vendor))
}

/// A user token from the password grant (easemob.md 2.2).
pub(crate) struct Granted {
    pub(crate) token: Secret,
    /// Validity in seconds (0: never expires).
    pub(crate) expires_in: u64,
}

/// `POST {rest_url}/{org}/{app}/token` with `grant_type=password`. A wrong
/// password (400 `invalid_grant`) is [`ErrorKind::Unauthenticated`].
pub(crate) async fn password_grant(
    rest_url: &str,
    app_key: &crate::rest::AppKey,
    user: &str,
    password: &Secret,
    timestamp_ms: u64,
    timeout: Duration,
) -> Result<Granted, Error> {
    let mut url = url::Url::parse(rest_url)
        .map_err(|e| Error::invalid_input(format!("Easemob REST URL {rest_url:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
        return Err(Error::invalid_input(format!("Easemob REST URL {rest_url:?} must be an http(s) base URL")));
    }
    if let Ok(mut path) = url.path_segments_mut() {
        path.pop_if_empty().extend([app_key.org(), app_key.app(), "token"]);
    }
    let body = serde_json::json!({
        "grant_type": "password",
        "username": user,
        "password": password.expose(),
        "timestamp": timestamp_ms,
    });
    let http = reqwest::Client::builder()
        .timeout(timeout)
        .build()
        .map_err(|e| Error::unavailable(format!("cannot set up the HTTP client: {}", e.without_url())))?;
    let response = http
        .post(url)
        .json(&body)
        .send()
        .await
        .map_err(|e| Error::unavailable(format!("cannot reach Easemob's /token: {}", e.without_url())))?;
    let status = response.status().as_u16();
    let bytes = response
        .bytes()
        .await
        .map_err(|e| Error::unavailable(format!("Easemob's /token answer was cut off: {}", e.without_url())))?;
    let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    if !(200..300).contains(&status) {
        let text = |k: &str| json.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
        return Err(error_from_rest(status, &text("error"), &text("error_description"), None));
    }
    let token = json.get("access_token").and_then(|v| v.as_str()).filter(|t| !t.is_empty());
    let Some(token) = token else {
        return Err(Error::protocol("Easemob's token reply lacks access_token"));
    };
    let expires_in = json.get("expires_in").and_then(|v| v.as_u64()).unwrap_or(0);
    Ok(Granted { token: Secret::new(token), expires_in })
}

/// The disconnect for a failed password grant: a refused password is
/// [`DisconnectReason::AuthFailed`] (202), a server that could not be
/// reached [`DisconnectReason::Network`].
pub(crate) fn grant_disconnect(e: &Error) -> Disconnect {
    let reason = match e.kind {
        ErrorKind::Unauthenticated | ErrorKind::NotFound => DisconnectReason::AuthFailed,
        // 429 resource_limited: the app's user quota, not this user's fault.
        ErrorKind::PermissionDenied if e.vendor.as_ref().is_some_and(|v| v.code == 429) => {
            DisconnectReason::ServiceRestricted
        }
        // 400 "user not activated": the user is deactivated (easemob.md 2.2).
        ErrorKind::PermissionDenied => DisconnectReason::Banned,
        ErrorKind::CredentialExpired => DisconnectReason::CredentialExpired,
        ErrorKind::Unavailable | ErrorKind::Timeout | ErrorKind::RateLimited { .. } => DisconnectReason::Network,
        _ => DisconnectReason::Other,
    };
    let mut why = Disconnect::new(reason);
    if reason == DisconnectReason::AuthFailed {
        let client = error_from_client_code(code::USER_AUTHENTICATION_FAILED, &e.message);
        why = why.with_vendor(client.vendor.unwrap_or_else(|| VendorError::new(VENDOR, 202, "")));
    } else if let Some(v) = e.vendor.clone() {
        why = why.with_vendor(v);
    }
    why
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(code: ErrorCode, reason: &str) -> (ErrorKind, DisconnectReason, i64) {
        let (e, d) = refusal(&Status::error(code, reason));
        (e.kind, d.reason, d.vendor.expect("vendor detail").code)
    }

    #[test]
    fn provision_refusals_map_per_the_protocol_notes() {
        use DisconnectReason::*;
        assert_eq!(refused(ErrorCode::Unauthorized, "x"), (ErrorKind::Unauthenticated, AuthFailed, 202));
        assert_eq!(
            refused(ErrorCode::Fail, "Sorry, token expired"),
            (ErrorKind::CredentialExpired, CredentialExpired, 108)
        );
        assert_eq!(refused(ErrorCode::TokenExpired, "x"), (ErrorKind::CredentialExpired, CredentialExpired, 108));
        assert_eq!(refused(ErrorCode::Fail, "Sorry, user not found"), (ErrorKind::Unauthenticated, AuthFailed, 204));
        assert_eq!(
            refused(ErrorCode::Fail, "Sorry, token or password does not match login info"),
            (ErrorKind::Unauthenticated, AuthFailed, 202)
        );
        assert_eq!(refused(ErrorCode::ImForbidden, "x"), (ErrorKind::PermissionDenied, Banned, 305));
        assert_eq!(refused(ErrorCode::TooManyDevices, "x"), (ErrorKind::PermissionDenied, TooManyDevices, 214));
        assert_eq!(
            refused(ErrorCode::PermissionDenied, "Sorry, the app online count limit"),
            (ErrorKind::PermissionDenied, ServiceRestricted, 8)
        );
        assert_eq!(refused(ErrorCode::ResourceChanged, "x"), (ErrorKind::InvalidState, KickedByOtherLogin, 220));
        let (_, d) = refusal(&Status::error(ErrorCode::TooManyDevices, "limit"));
        assert_eq!(d.vendor.and_then(|v| v.name).as_deref(), Some("TOO_MANY_DEVICES"));
    }

    #[test]
    fn a_refused_password_is_auth_failed() {
        let e = error_from_rest(400, "invalid_grant", "invalid password", None);
        let d = grant_disconnect(&e);
        assert_eq!(d.reason, DisconnectReason::AuthFailed);
        assert_eq!(d.vendor.map(|v| v.code), Some(202));
        assert_eq!(grant_disconnect(&Error::unavailable("down")).reason, DisconnectReason::Network);
    }
}
