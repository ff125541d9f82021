//! The Easemob face's server REST API under `/{org_name}/{app_name}/...`, to
//! the letter of `vendors/easemob.md` sections 1-3 and Easemob's per-API pages,
//! with the wire types of [`unim_easemob::rest::types`].
//!
//! Every request is checked in this order, and the first failure answers:
//! 1. an error injected with [`crate::Faults::inject_error`] (convention below);
//! 2. `org_name`/`app_name` are this app's (404
//!    `organization_application_not_found`);
//! 3. the resource exists (404 `service_resource_not_found`) and takes the
//!    method (405 `web_application`, Jersey's answer);
//! 4. the app token, where the API needs it (`Authorization: Bearer <token>`):
//!    none → 401 `unauthorized` `Unable to authenticate (OAuth)` (registration
//!    says `Open registration doesn't allow, so register user need token`;
//!    with [`super::EasemobSettings::open_registration`] a single user
//!    registers without one); an expired one → 401 `unauthorized` `Unable to
//!    authenticate due to expired access token`; one never issued here, or a
//!    user token → 401 `auth_bad_access_token` `Unable to authenticate due to
//!    corrupt access token` (easemob.md 1.5 and the token page's table);
//! 5. the body is JSON (400 `json_parse`) of the documented shape (400
//!    `illegal_argument`);
//! 6. the work, with the API's own refusals.
//!
//! Success answers carry the envelope fields of each API page's example;
//! errors carry `{error, exception, timestamp, duration, error_description}`
//! (easemob.md 1.4). Usernames are lower-cased (easemob.md 3.1).
//!
//! **Injected errors.** An [`crate::InjectedError`] answers the next request
//! with HTTP status `code` (clamped to 400-599, else 500) and the error body of
//! `message`, read as `"<error>: <error_description>"`, e.g.
//! `inject_error(429, "reach_limit: This request has reached api limit", 1)`.
//! A message that is one snake_case word is the `error` and its own
//! description; any other message is the description, and the `error` is the
//! status's usual one (400 `illegal_argument`, 401 `unauthorized`, 403
//! `forbidden_op`, 404 `service_resource_not_found`, 429 `reach_limit`, else
//! `web_application`).
//!
//! **Kicks.** A forced logout (`GET /users/{u}/disconnect`) kicks the user's
//! links with [`DisconnectReason::KickedByServer`], a password change with
//! [`DisconnectReason::PasswordChanged`], a deletion with
//! [`DisconnectReason::AccountRemoved`], a deactivation with
//! [`DisconnectReason::Banned`]; the msync face turns them into Easemob's
//! kick signals ([`unim_easemob::error::kick_operation_for`]). A one-device
//! logout (`DELETE /users/{u}/disconnect/{res}`) kicks that one link
//! ([`crate::Engine::kick_link`]). These two and `GET /users/{u}/resources`
//! also take the user's own token (the client SDKs' device list and
//! `kickDevice`/`kickAllDevices`, easemob.md 6.3); its kicks are
//! [`DisconnectReason::KickedByOwnDevice`].
//!
//! **Groups** (`chatgroups`, easemob.md section 5, and the user-token paths
//! the web SDK calls) are served by `groups.rs`, `group_members.rs` and
//! `group_messages.rs`, ahead of the routes below.
//!
//! Choices where the documents are silent: the face behaves as a paid plan (no
//! 100-user quota); a batch registration that creates nobody because every
//! user exists fails with 400 `duplicate_unique_property_exists` like a single
//! one, and otherwise lists the existing users in `data`; `GET /users` lists
//! the users this face has seen; the password grant answers an unknown user
//! with 404 `invalid_grant` `user not found` and a wrong or missing password
//! with 400 `invalid_grant` `invalid password`; an unknown `grant_type` is 400
//! `unsupported_grant_type` (OAuth 2.0's name).

mod group_members;
mod group_messages;
mod groups;
mod messages;

use super::store::{PasswordRefusal, RegisterRefusal, Subject, TokenRefusal};
use super::Face;
use crate::InjectedError;
use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response as HttpResponse};
use axum::routing::any;
use axum::{Json, Router};
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;
use unim_core::{Device, DisconnectReason};
use unim_easemob::rest::types::{
    BatchStatusData, ErrorBody, OneOrMany, OnlineStatus, PasswordRequest, RegisterFailure, RegisterUser, ResourceInfo,
    Response, ResultData, StatusData, TokenRequest, TokenResponse, UserEntity, GRANT_CLIENT_CREDENTIALS, GRANT_INHERIT,
    GRANT_PASSWORD,
};
use unim_easemob::rest::{
    check_username, resource_for, UsernameProblem, DEFAULT_TOKEN_TTL_SECS, DEFAULT_USERS_PER_PAGE, MAX_NICKNAME_CHARS,
    MAX_PASSWORD_CHARS, MAX_USERS_PER_PAGE, MAX_USERS_PER_REGISTER, MAX_USERS_PER_STATUS_QUERY,
};

/// "Service resource not found" (easemob.md 1.5): an unknown user in the path.
const NO_RESOURCE: &str = "Service resource not found";
/// 401 `unauthorized` without a token.
const NO_TOKEN: &str = "Unable to authenticate (OAuth)";
/// 401 `unauthorized` for registration without a token (the authorized
/// registration page's text).
const NO_TOKEN_REGISTER: &str = "Open registration doesn't allow, so register user need token";
/// 401 `unauthorized` with an expired token (easemob.md 1.5).
const EXPIRED_TOKEN: &str = "Unable to authenticate due to expired access token";
/// 401 `auth_bad_access_token` (easemob.md 1.5).
const CORRUPT_TOKEN: &str = "Unable to authenticate due to corrupt access token";

/// The REST routes of the face: everything under `/{org_name}/{app_name}`.
pub(crate) fn routes(face: Arc<Face>) -> Router {
    Router::new()
        .route("/{org}/{app}", any(handle))
        .route("/{org}/{app}/{*rest}", any(handle))
        .route("/api/server/v6/{org}/{app}/{*rest}", any(handle))
        .with_state(face)
}

/// A refusal: the HTTP status and Easemob's error string and description.
#[derive(Debug)]
struct Refusal {
    status: u16,
    error: String,
    description: String,
}

impl Refusal {
    fn new(status: u16, error: &str, description: impl Into<String>) -> Self {
        Refusal { status, error: error.to_owned(), description: description.into() }
    }

    fn illegal(description: impl Into<String>) -> Self {
        Refusal::new(400, "illegal_argument", description)
    }

    fn no_user() -> Self {
        Refusal::new(404, "service_resource_not_found", NO_RESOURCE)
    }
}

type Reply = Result<Value, Refusal>;

/// The endpoints the face serves, with the user (and resource) of the path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Route {
    Token,
    Users,
    BatchStatus,
    User(String),
    Password(String),
    Status(String),
    Resources(String),
    Disconnect(String),
    DisconnectDevice(String, String),
    Deactivate(String),
    Activate(String),
    MessagesUsers,
    Roaming,
    UserChannel(String),
    UserChannelsList(String),
    MessageRoaming(String),
}

impl Route {
    /// The route of the path segments after `/{org}/{app}`.
    fn parse(method: &Method, rest: &[String], v6: bool) -> Option<Route> {
        let seg: Vec<&str> = rest.iter().map(String::as_str).collect();
        if v6 {
            return (seg.as_slice() == ["roaming", "chat"]).then_some(Route::Roaming);
        }
        Some(match seg.as_slice() {
            ["messages", "users"] => Route::MessagesUsers,
            ["users", u, "user_channel"] | ["user", u, "user_channel"] => Route::UserChannel(u.to_string()),
            ["sdk", "user", u, "user_channels", "list"] => Route::UserChannelsList(u.to_string()),
            ["users", u, "messageroaming"] => Route::MessageRoaming(u.to_string()),
            ["token"] => Route::Token,
            ["users"] => Route::Users,
            ["users", "batch", "status"] if method == Method::POST => Route::BatchStatus,
            ["users", u] => Route::User(u.to_string()),
            ["users", u, "password"] => Route::Password(u.to_string()),
            ["users", u, "status"] => Route::Status(u.to_string()),
            ["users", u, "resources"] => Route::Resources(u.to_string()),
            ["users", u, "disconnect"] => Route::Disconnect(u.to_string()),
            ["users", u, "disconnect", res] => Route::DisconnectDevice(u.to_string(), res.to_string()),
            ["users", u, "deactivate"] => Route::Deactivate(u.to_string()),
            ["users", u, "activate"] => Route::Activate(u.to_string()),
            _ => return None,
        })
    }

    /// Whether the route takes `method`.
    fn allows(&self, method: &Method) -> bool {
        let allowed: &[Method] = match self {
            Route::Token | Route::BatchStatus | Route::Deactivate(_) | Route::Activate(_) => &[Method::POST],
            Route::Users => &[Method::POST, Method::GET],
            Route::User(_) => &[Method::GET, Method::DELETE],
            // The API page says PUT; Easemob's rate-limit table says POST: both are taken.
            Route::Password(_) => &[Method::PUT, Method::POST],
            Route::Status(_) | Route::Resources(_) | Route::Disconnect(_) => &[Method::GET],
            Route::DisconnectDevice(..) | Route::UserChannel(_) => &[Method::DELETE],
            Route::MessagesUsers | Route::Roaming | Route::MessageRoaming(_) => &[Method::POST],
            Route::UserChannelsList(_) => &[Method::GET],
        };
        allowed.contains(method)
    }
}

/// One request, as the handlers see it.
struct Call<'a> {
    face: &'a Face,
    method: Method,
    /// The request URL without its query, for the `uri` field.
    uri: String,
    query: Vec<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
    now_ms: i64,
}

async fn handle(
    State(face): State<Arc<Face>>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> HttpResponse {
    let path = uri.path().to_owned();
    let call = Call {
        face: &face,
        method,
        uri: format!("{}{}", face.rest_url, path),
        query: uri.query().map(parse_query).unwrap_or_default(),
        headers,
        body,
        now_ms: face.store.now_ms(),
    };
    match answer(&call, &path) {
        Ok(value) => {
            tracing::debug!(target: "unim_emulator::easemob", method = %call.method, %path, "REST call answered");
            (StatusCode::OK, Json(value)).into_response()
        }
        Err(refusal) => {
            tracing::debug!(target: "unim_emulator::easemob", method = %call.method, %path, status = refusal.status,
                error = %refusal.error, "REST call refused");
            let status = StatusCode::from_u16(refusal.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let body = ErrorBody {
                exception: exception_for(&refusal.error),
                error: refusal.error,
                timestamp: call.now_ms,
                duration: 0,
                error_description: refusal.description,
                error_code: None,
            };
            (status, Json(to_value(body))).into_response()
        }
    }
}

fn answer(call: &Call<'_>, path: &str) -> Reply {
    if let Some(injected) = call.face.engine.faults().take_injected() {
        return Err(injected_refusal(injected));
    }
    // The v6 APIs live under `/api/server/v6/{org}/{app}` (easemob.md 4.2).
    let (path, v6) = match path.strip_prefix("/api/server/v6") {
        Some(rest) if rest.starts_with('/') => (rest, true),
        _ => (path, false),
    };
    let segments: Vec<String> = path
        .trim_start_matches('/')
        .split('/')
        .map(|s| {
            percent_decode(s).ok_or_else(|| Refusal::illegal(format!("the path segment {s:?} is not valid UTF-8")))
        })
        .collect::<Result<_, _>>()?;
    let (org, app) = (segments.first().map_or("", String::as_str), segments.get(1).map_or("", String::as_str));
    let key = &call.face.app_key;
    if org != key.org() || app != key.app() {
        let rest = segments.get(2..).map(|r| r.join("/")).unwrap_or_default();
        return Err(Refusal::new(
            404,
            "organization_application_not_found",
            format!("Could not find application for {org}/{app} from URI: {org}/{app}/{rest}"),
        ));
    }
    let rest: Vec<String> = segments[2..].iter().filter(|s| !s.is_empty()).cloned().collect();
    if let Some(reply) = groups::answer(call, &rest, v6) {
        return reply;
    }
    let route = Route::parse(&call.method, &rest, v6).ok_or_else(Refusal::no_user)?;
    if !route.allows(&call.method) {
        return Err(Refusal::new(405, "web_application", "HTTP 405 Method Not Allowed"));
    }
    match route {
        Route::Token => token(call),
        Route::Users if call.method == Method::GET => list_users(call),
        Route::Users => register(call),
        Route::BatchStatus => batch_status(call),
        Route::User(u) if call.method == Method::GET => get_user(call, &u),
        Route::User(u) => delete_user(call, &u),
        Route::Password(u) => change_password(call, &u),
        Route::Status(u) => status(call, &u),
        Route::Resources(u) => resources(call, &u),
        Route::Disconnect(u) => disconnect(call, &u),
        Route::DisconnectDevice(u, res) => disconnect_device(call, &u, &res),
        Route::Deactivate(u) => deactivate(call, &u),
        Route::Activate(u) => activate(call, &u),
        Route::MessagesUsers => messages::send(call),
        Route::Roaming => messages::roaming(call),
        Route::UserChannel(u) => messages::delete_channel(call, &u),
        Route::UserChannelsList(u) => messages::list_channels(call, &u),
        Route::MessageRoaming(u) => messages::message_roaming(call, &u),
    }
}

/// An injected fault as a refusal (module docs).
fn injected_refusal(e: InjectedError) -> Refusal {
    let status = u16::try_from(e.code).ok().filter(|s| (400..=599).contains(s)).unwrap_or(500);
    let is_name =
        |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    let message = e.message.trim();
    match message.split_once(':') {
        Some((name, description)) if is_name(name.trim()) => Refusal::new(status, name.trim(), description.trim()),
        _ if is_name(message) => Refusal::new(status, message, message),
        _ => {
            let error = match status {
                400 => "illegal_argument",
                401 => "unauthorized",
                403 => "forbidden_op",
                404 => "service_resource_not_found",
                429 => "reach_limit",
                _ => "web_application",
            };
            Refusal::new(status, error, message)
        }
    }
}

/// The `exception` of an error: the class names easemob.md 1.4 records, else
/// Usergrid's rule (the error string is the exception's name in snake case).
fn exception_for(error: &str) -> String {
    match error {
        "reach_limit" => "com.easemob.flow.exceptions.ReachLimitException".into(),
        "forbidden_op" => "EasemobForbiddenOpException".into(),
        "illegal_argument" => "java.lang.IllegalArgumentException".into(),
        "json_parse" => "com.fasterxml.jackson.core.JsonParseException".into(),
        "web_application" => "javax.ws.rs.WebApplicationException".into(),
        _ => {
            let camel: String = error
                .split('_')
                .map(|w| {
                    let mut c = w.chars();
                    c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
                })
                .collect();
            format!("{camel}Exception")
        }
    }
}

/// Decodes `%XX` escapes; `None` when an escape is broken or the result is not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// `a=1&b=x%20y` as pairs (`+` is a space); broken pairs are skipped.
fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .filter_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            Some((percent_decode(&k.replace('+', " "))?, percent_decode(&v.replace('+', " "))?))
        })
        .collect()
}

fn to_value<T: Serialize>(value: T) -> Value {
    // The wire types are plain structs of strings, numbers and vectors: they always serialize.
    serde_json::to_value(value).unwrap_or_else(|e| {
        tracing::error!(target: "unim_emulator::easemob", "cannot serialize a REST reply: {e}");
        json!({"error": "web_application", "error_description": "internal error"})
    })
}

impl Call<'_> {
    /// The envelope of the fuller API examples: `action`, `application`,
    /// `applicationName`, `organization`, `path`, `uri`, `timestamp`, `duration`.
    fn full<D>(&self, action: &str, path: &str) -> Response<D> {
        let key = &self.face.app_key;
        Response {
            action: Some(action.into()),
            application: Some(self.face.app_uuid.clone()),
            application_name: Some(key.app().into()),
            organization: Some(key.org().into()),
            path: Some(path.into()),
            uri: Some(self.uri.clone()),
            timestamp: Some(self.now_ms),
            duration: Some(0),
            ..Response::default()
        }
    }

    /// The envelope of the minimal examples: `action`, `timestamp`, `duration`.
    fn bare<D>(&self, action: &str) -> Response<D> {
        Response { action: Some(action.into()), timestamp: Some(self.now_ms), duration: Some(0), ..Response::default() }
    }

    /// The bearer token of the `Authorization` header, if any.
    fn bearer(&self) -> Option<&str> {
        let value = self.headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?.trim();
        let (scheme, token) = value.split_once(' ')?;
        let token = token.trim();
        (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
    }

    /// Checks the app token (step 4 of the module docs); `missing` is the
    /// description when there is none.
    fn app_auth(&self, missing: &str) -> Result<(), Refusal> {
        let token = self.bearer().ok_or_else(|| Refusal::new(401, "unauthorized", missing))?;
        match self.face.store.check_app_token(token) {
            Ok(()) => Ok(()),
            Err(TokenRefusal::Expired) => Err(Refusal::new(401, "unauthorized", EXPIRED_TOKEN)),
            Err(_) => Err(Refusal::new(401, "auth_bad_access_token", CORRUPT_TOKEN)),
        }
    }

    /// Checks the app token or a user token of `user` itself (the device APIs
    /// the client SDKs call with the session's token: docs/protocols/easemob.md
    /// 2.5 and 12, easemob.md 6.3). Returns whether the caller is the user.
    /// Another user's token, or a void one, is 401 `auth_bad_access_token`.
    fn app_or_own_auth(&self, user: &str) -> Result<bool, Refusal> {
        let token = self.bearer().ok_or_else(|| Refusal::new(401, "unauthorized", NO_TOKEN))?;
        match self.face.store.check_app_token(token) {
            Ok(()) => Ok(false),
            Err(TokenRefusal::Expired) => Err(Refusal::new(401, "unauthorized", EXPIRED_TOKEN)),
            Err(TokenRefusal::NotAppToken) => match self.face.store.check_user_token(token) {
                Ok(login) if path_user(user).is_some_and(|u| u == login.user) => Ok(true),
                Err(TokenRefusal::Expired) => Err(Refusal::new(401, "unauthorized", EXPIRED_TOKEN)),
                _ => Err(Refusal::new(401, "auth_bad_access_token", CORRUPT_TOKEN)),
            },
            Err(_) => Err(Refusal::new(401, "auth_bad_access_token", CORRUPT_TOKEN)),
        }
    }

    /// The body as JSON (400 `json_parse` otherwise).
    fn json(&self) -> Result<Value, Refusal> {
        serde_json::from_slice(&self.body).map_err(|e| {
            Refusal::new(400, "json_parse", format!("Unexpected character or end of input in the request body: {e}"))
        })
    }

    /// The first value of query parameter `name`.
    fn param(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// A username of the path, lower-cased; `None` when it cannot name a user.
fn path_user(user: &str) -> Option<String> {
    check_username(user).ok()
}

/// The registration refusal of a username (the registration page's texts).
fn username_refusal(user: &str, problem: &UsernameProblem) -> Refusal {
    match problem {
        UsernameProblem::TooLong { .. } => Refusal::illegal("USERNAME_TOO_LONG"),
        _ => Refusal::illegal(format!("username {user} is not legal")),
    }
}

/// `POST /token`: `client_credentials`, `password` and `inherit` (easemob.md 2).
fn token(call: &Call<'_>) -> Reply {
    let body = call.json()?;
    if !body.is_object() {
        return Err(Refusal::illegal("the token request must be a JSON object"));
    }
    // serde's messages could quote a secret: the refusal names the rule only.
    let req: TokenRequest = serde_json::from_value(body).map_err(|_| {
        Refusal::illegal("invalid token request: grant_type, client_id, client_secret, username and password are strings, ttl a non-negative number, autoCreateUser a boolean")
    })?;
    let ttl = req.ttl.unwrap_or(DEFAULT_TOKEN_TTL_SECS);
    let store = &call.face.store;
    let settings = &call.face.settings;
    let invalid_grant = |status: u16, text: &str| Refusal::new(status, "invalid_grant", text);
    let user_token = |user: &str| -> Reply {
        let entity = store.user(user).ok_or_else(|| invalid_grant(404, "user not found"))?;
        let token = store.issue_user_token(user, ttl).ok_or_else(|| invalid_grant(404, "user not found"))?;
        Ok(to_value(TokenResponse {
            access_token: token.into(),
            expires_in: ttl,
            application: None,
            user: Some(entity),
        }))
    };
    match req.grant_type.as_str() {
        GRANT_CLIENT_CREDENTIALS => {
            if req.client_id.as_deref() != Some(settings.client_id.as_str()) {
                return Err(invalid_grant(400, "client_id does not match"));
            }
            if req.client_secret.as_ref().map(|s| s.expose()) != Some(settings.client_secret.as_str()) {
                return Err(invalid_grant(400, "client_secret does not match"));
            }
            let token = store.issue(Subject::App, ttl);
            Ok(to_value(TokenResponse {
                access_token: token.into(),
                expires_in: ttl,
                application: Some(call.face.app_uuid.clone()),
                user: None,
            }))
        }
        GRANT_PASSWORD => {
            let user =
                req.username.as_deref().and_then(path_user).ok_or_else(|| invalid_grant(404, "user not found"))?;
            let password = req.password.as_ref().map(|p| p.expose()).unwrap_or("");
            match store.check_password(&user, password) {
                Ok(()) => user_token(&user),
                Err(PasswordRefusal::UnknownUser) => Err(invalid_grant(404, "user not found")),
                Err(PasswordRefusal::WrongPassword) => Err(invalid_grant(400, "invalid password")),
                Err(PasswordRefusal::Deactivated) => Err(invalid_grant(400, "user not activated")),
            }
        }
        GRANT_INHERIT => {
            call.app_auth(NO_TOKEN)?;
            let asked = req.username.unwrap_or_default();
            let auto_create = req.auto_create_user.unwrap_or(false);
            let user = match check_username(&asked) {
                Ok(user) => user,
                Err(problem) if auto_create => {
                    return Err(match problem {
                        UsernameProblem::TooLong { .. } => Refusal::illegal("USERNAME_TOO_LONG"),
                        _ => Refusal::illegal(format!("username [{asked}] is not legal")),
                    })
                }
                Err(_) => return Err(invalid_grant(404, "user not found")),
            };
            match store.is_active(&user) {
                Some(true) => {}
                Some(false) => return Err(invalid_grant(400, "user not activated")),
                None if auto_create => {
                    // Created without a password: only `inherit` tokens log it in (easemob.md 2.3).
                    let _ = store.register(&user, None, None);
                }
                None => return Err(invalid_grant(404, "user not found")),
            }
            user_token(&user)
        }
        other => Err(Refusal::new(400, "unsupported_grant_type", format!("unsupported grant_type {other:?}"))),
    }
}

/// `POST /users` (easemob.md 3.1): one object or an array of up to 60.
///
/// With the app token, always. Without a bearer token, only when the app has
/// open registration (easemob.md 3.1: "Open mode ... needs no token") and the
/// body is a single user object, the form the web SDK's `registerUser()`
/// sends (docs/protocols/easemob.md 2.1); a batch (an array) still needs the
/// app token. A token that is sent is always checked, open or not.
fn register(call: &Call<'_>) -> Reply {
    let tokenless = call.bearer().is_none();
    if !(tokenless && call.face.settings.open_registration) {
        call.app_auth(NO_TOKEN_REGISTER)?;
    }
    let body = call.json()?;
    if tokenless && body.is_array() {
        return Err(Refusal::new(401, "unauthorized", NO_TOKEN_REGISTER));
    }
    let users: Vec<RegisterUser> = serde_json::from_value::<OneOrMany<RegisterUser>>(body)
        .map_err(|_| {
            Refusal::illegal("the request body must be a user {username, password, nickname} or an array of them")
        })?
        .into_vec();
    if users.is_empty() {
        return Err(Refusal::illegal("the request body holds no user"));
    }
    if users.len() > MAX_USERS_PER_REGISTER {
        return Err(Refusal::illegal(format!(
            "Request body array size[{}] had almost reached or been greater than the upper range value[{MAX_USERS_PER_REGISTER}]",
            users.len()
        )));
    }
    // Everything is checked before anything is created.
    let mut wanted: Vec<(String, String, Option<String>)> = Vec::with_capacity(users.len());
    for u in users {
        let name = check_username(&u.username).map_err(|p| username_refusal(&u.username, &p))?;
        let password = match u.password {
            Some(p) if !p.is_empty() => p.expose().to_owned(),
            _ => return Err(Refusal::illegal("password or pin must provided")),
        };
        if password.chars().count() > MAX_PASSWORD_CHARS {
            return Err(Refusal::illegal(format!(
                "the password of {name} is longer than {MAX_PASSWORD_CHARS} characters"
            )));
        }
        if u.nickname.as_ref().is_some_and(|n| n.chars().count() > MAX_NICKNAME_CHARS) {
            return Err(Refusal::illegal("NICKNAME_TOO_LONG"));
        }
        match wanted.iter().find(|(n, _, _)| *n == name) {
            Some((_, p, _)) if *p != password => {
                return Err(Refusal::new(
                    400,
                    "duplicate_unique_property_exists",
                    format!("the same user {name} has a different password"),
                ))
            }
            Some(_) => {}
            None => wanted.push((name, password, u.nickname)),
        }
    }
    let mut created: Vec<UserEntity> = Vec::new();
    let mut failed: Vec<RegisterFailure> = Vec::new();
    for (name, password, nickname) in wanted {
        match call.face.store.register(&name, Some(password), nickname) {
            Ok(entity) => created.push(entity),
            Err(RegisterRefusal::Exists) => {
                failed.push(RegisterFailure { reason: format!("the {name} already exists"), username: name })
            }
        }
    }
    if created.is_empty() {
        let first = failed.first().map(|f| f.username.as_str()).unwrap_or_default();
        return Err(Refusal::new(
            400,
            "duplicate_unique_property_exists",
            format!(
                "Application {} Entity user requires that property named username be unique, value of {first} exists",
                call.face.app_uuid
            ),
        ));
    }
    let mut reply: Response<Vec<RegisterFailure>> = call.full("post", "/users");
    reply.entities = Some(created);
    reply.data = Some(failed);
    Ok(to_value(reply))
}

/// `GET /users?limit=&cursor=` (easemob.md 3.2): creation order, `limit`
/// 1-100 (default 10, larger values capped), `cursor` while more follow.
fn list_users(call: &Call<'_>) -> Reply {
    call.app_auth(NO_TOKEN)?;
    let limit = match call.param("limit") {
        None => DEFAULT_USERS_PER_PAGE,
        Some(v) => v.parse::<usize>().map_err(|_| Refusal::illegal(format!("limit {v:?} is not a number")))?,
    }
    .clamp(1, MAX_USERS_PER_PAGE);
    let after = match call.param("cursor") {
        None | Some("") => 0,
        Some(c) => decode_cursor(c).ok_or_else(|| Refusal::illegal(format!("cursor {c:?} is not valid")))?,
    };
    let (users, next) = call.face.store.list(after, limit);
    let mut params = BTreeMap::new();
    for (k, v) in &call.query {
        params.entry(k.clone()).or_insert_with(Vec::new).push(v.clone());
    }
    let mut reply: Response<Value> = call.full("get", "/users");
    reply.params = Some(params);
    reply.count = Some(users.len() as u64);
    reply.entities = Some(users);
    reply.cursor = next.map(encode_cursor);
    Ok(to_value(reply))
}

/// An opaque-looking page cursor for a position.
fn encode_cursor(after: u64) -> String {
    format!("LTgzNDU{after:x}")
}

fn decode_cursor(cursor: &str) -> Option<u64> {
    u64::from_str_radix(cursor.strip_prefix("LTgzNDU")?, 16).ok()
}

/// `GET /users/{username}` (easemob.md 3.2).
fn get_user(call: &Call<'_>, user: &str) -> Reply {
    call.app_auth(NO_TOKEN)?;
    let entity = path_user(user).and_then(|u| call.face.store.user(&u)).ok_or_else(Refusal::no_user)?;
    let reply: Response<Value> = Response {
        action: Some("get".into()),
        path: Some("/users".into()),
        uri: Some(call.uri.clone()),
        entities: Some(vec![entity]),
        timestamp: Some(call.now_ms),
        duration: Some(0),
        count: Some(1),
        ..Response::default()
    };
    Ok(to_value(reply))
}

/// `DELETE /users/{username}` (easemob.md 3.2): the engine kicks the user's
/// links with `AccountRemoved`.
fn delete_user(call: &Call<'_>, user: &str) -> Reply {
    call.app_auth(NO_TOKEN)?;
    let entity = path_user(user).and_then(|u| call.face.store.delete(&u)).ok_or_else(Refusal::no_user)?;
    let mut reply: Response<Value> = call.full("delete", "/users");
    reply.entities = Some(vec![entity]);
    Ok(to_value(reply))
}

/// `PUT /users/{username}/password` (easemob.md 3.2): voids the user's tokens
/// and kicks its links with `PasswordChanged` (216).
fn change_password(call: &Call<'_>, user: &str) -> Reply {
    call.app_auth(NO_TOKEN)?;
    let body = call.json()?;
    let req: PasswordRequest =
        serde_json::from_value(body).map_err(|_| Refusal::illegal("newpassword must be a string"))?;
    let password = match req.newpassword {
        Some(p) if !p.is_empty() => p.expose().to_owned(),
        _ => return Err(Refusal::illegal("newpassword is required")),
    };
    if password.chars().count() > MAX_PASSWORD_CHARS {
        return Err(Refusal::illegal(format!("newpassword is longer than {MAX_PASSWORD_CHARS} characters")));
    }
    let not_found = || Refusal::new(404, "entity_not_found", "User null not found");
    let user = path_user(user).ok_or_else(not_found)?;
    if !call.face.store.set_password(&user, password) {
        return Err(not_found());
    }
    call.face.engine.kick_user(&user, DisconnectReason::PasswordChanged);
    Ok(to_value(call.bare::<Value>("set user password")))
}

/// Online while the engine has a live link of the user.
fn online(call: &Call<'_>, user: &str) -> OnlineStatus {
    if call.face.engine.links_of(user).is_empty() {
        OnlineStatus::Offline
    } else {
        OnlineStatus::Online
    }
}

/// `GET /users/{username}/status` (easemob.md 3.3).
fn status(call: &Call<'_>, user: &str) -> Reply {
    call.app_auth(NO_TOKEN)?;
    let user = path_user(user).filter(|u| call.face.store.user(u).is_some()).ok_or_else(Refusal::no_user)?;
    let data: StatusData = BTreeMap::from([(user.clone(), online(call, &user))]);
    let reply: Response<StatusData> = Response {
        action: Some("get".into()),
        uri: Some(call.uri.clone()),
        entities: Some(Vec::new()),
        data: Some(data),
        timestamp: Some(call.now_ms),
        duration: Some(0),
        ..Response::default()
    };
    Ok(to_value(reply))
}

/// `POST /users/batch/status` (easemob.md 3.3): up to 100 names, not
/// checked; unknown users are `offline`. Each answer is keyed by the name as
/// sent.
fn batch_status(call: &Call<'_>) -> Reply {
    call.app_auth(NO_TOKEN)?;
    let body = call.json()?;
    let usernames: Vec<String> = match body.get("usernames") {
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<_>>()
            .ok_or_else(|| Refusal::illegal("usernames must be an array of strings"))?,
        _ => return Err(Refusal::illegal("usernames is required (an array of strings)")),
    };
    if usernames.len() > MAX_USERS_PER_STATUS_QUERY {
        return Err(Refusal::illegal(format!(
            "request body exceeds maximum limit, maximum limit is {MAX_USERS_PER_STATUS_QUERY}"
        )));
    }
    let data: BatchStatusData = usernames
        .into_iter()
        .map(|asked| {
            let status = path_user(&asked).map_or(OnlineStatus::Offline, |u| online(call, &u));
            BTreeMap::from([(asked, status)])
        })
        .collect();
    let mut reply: Response<BatchStatusData> = call.bare("get batch user status");
    reply.data = Some(data);
    Ok(to_value(reply))
}

/// The `res` of a device in `GET /users/{u}/resources`: its resource (the
/// device id, which the msync link sets to the `Provision.resource` the
/// client sent) exactly as given, since the web SDK's
/// `getSelfIdsOnOtherPlatform()` compares `res` with its own resource
/// (docs/protocols/easemob.md 2.5). The SDK's resources already start with
/// their device type (`webim_web_<ms>`, easemob.md 3.3's `{device type}_...`),
/// so nothing is prefixed; only a device without an id shows its platform's
/// prefix alone ([`resource_for`]).
fn res_of(device: &Device) -> String {
    device.id.clone().unwrap_or_else(|| resource_for(device))
}

/// `GET /users/{username}/resources` (easemob.md 3.3): one entry per live link.
/// Takes the app token or the user's own token (docs/protocols/easemob.md 2.5).
fn resources(call: &Call<'_>, user: &str) -> Reply {
    call.app_or_own_auth(user)?;
    let user = path_user(user).filter(|u| call.face.store.user(u).is_some()).ok_or_else(Refusal::no_user)?;
    let data: Vec<ResourceInfo> = call
        .face
        .engine
        .links_of(&user)
        .iter()
        .map(|l| {
            let res = res_of(&l.device);
            let device_uuid = l.device.id.clone().unwrap_or_else(|| res.clone());
            ResourceInfo { res, device_uuid, device_name: l.device.name.clone().unwrap_or_default() }
        })
        .collect();
    let mut reply: Response<Vec<ResourceInfo>> = call.full("get", &format!("/users/{user}/resources"));
    reply.entities = Some(Vec::new());
    reply.data = Some(data);
    Ok(to_value(reply))
}

/// `GET /users/{username}/disconnect` (easemob.md 3.3): kicks every link with
/// `KickedByServer`. The user's own token (the SDKs' `kickAllDevices`,
/// easemob.md 6.3) kicks them with `KickedByOwnDevice`; both reach the
/// devices as operation 4 (217).
fn disconnect(call: &Call<'_>, user: &str) -> Reply {
    let by_owner = call.app_or_own_auth(user)?;
    let user = path_user(user).filter(|u| call.face.store.user(u).is_some()).ok_or_else(Refusal::no_user)?;
    call.face.engine.kick_user(&user, kick_reason(by_owner));
    let reply: Response<ResultData> = Response {
        action: Some("get".into()),
        uri: Some(call.uri.clone()),
        entities: Some(Vec::new()),
        data: Some(ResultData { result: true }),
        timestamp: Some(call.now_ms),
        duration: Some(0),
        count: Some(0),
        ..Response::default()
    };
    Ok(to_value(reply))
}

/// `DELETE /users/{username}/disconnect/{resourceId}` (easemob.md 3.3): kicks
/// the one link whose resource (as `GET .../resources` shows it) is `res`, or
/// whose platform-prefixed form (`web_<id>`, easemob.md 3.3) is; `result` is
/// false when there is none. The user's own token (the SDKs' `kickDevice`,
/// easemob.md 6.3) kicks with `KickedByOwnDevice`, the app token with
/// `KickedByServer` (both operation 4, 217).
fn disconnect_device(call: &Call<'_>, user: &str, res: &str) -> Reply {
    let by_owner = call.app_or_own_auth(user)?;
    let user = path_user(user).filter(|u| call.face.store.user(u).is_some()).ok_or_else(Refusal::no_user)?;
    let engine = &call.face.engine;
    let link = engine.links_of(&user).into_iter().find(|l| res_of(&l.device) == res || resource_for(&l.device) == res);
    let result = match link {
        Some(l) => engine.kick_link(l.id, kick_reason(by_owner)),
        None => false,
    };
    let mut reply: Response<ResultData> = call.full("delete", &format!("/users/{user}/disconnect/{res}"));
    reply.path = None;
    reply.entities = Some(Vec::new());
    reply.data = Some(ResultData { result });
    Ok(to_value(reply))
}

/// The reason of a REST kick: by one of the user's devices (its own token) or
/// by the app server.
fn kick_reason(by_owner: bool) -> DisconnectReason {
    if by_owner {
        DisconnectReason::KickedByOwnDevice
    } else {
        DisconnectReason::KickedByServer
    }
}

/// `POST /users/{username}/deactivate` (easemob.md 3.3): bans the user and
/// kicks its links with `Banned`.
fn deactivate(call: &Call<'_>, user: &str) -> Reply {
    call.app_auth(NO_TOKEN)?;
    let user = path_user(user).ok_or_else(Refusal::no_user)?;
    let entity = call.face.store.set_activated(&user, false).ok_or_else(Refusal::no_user)?;
    call.face.engine.kick_user(&user, DisconnectReason::Banned);
    let mut reply: Response<Value> = call.bare("Deactivate user");
    reply.entities = Some(vec![entity]);
    Ok(to_value(reply))
}

/// `POST /users/{username}/activate` (easemob.md 3.3).
fn activate(call: &Call<'_>, user: &str) -> Reply {
    call.app_auth(NO_TOKEN)?;
    let user = path_user(user).ok_or_else(Refusal::no_user)?;
    call.face.store.set_activated(&user, true).ok_or_else(Refusal::no_user)?;
    Ok(to_value(call.bare::<Value>("activate user")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_by_method_and_path() {
        let seg = |p: &str| p.split('/').map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(Route::parse(&Method::POST, &seg("users/batch/status"), false), Some(Route::BatchStatus));
        assert_eq!(Route::parse(&Method::GET, &seg("users/batch/status"), false), Some(Route::Status("batch".into())));
        assert_eq!(
            Route::parse(&Method::DELETE, &seg("users/a/disconnect/web_1"), false),
            Some(Route::DisconnectDevice("a".into(), "web_1".into()))
        );
        assert_eq!(Route::parse(&Method::GET, &seg("chatgroups"), false), None);
        assert!(Route::Password("a".into()).allows(&Method::PUT));
        assert!(!Route::Token.allows(&Method::GET));
    }

    #[test]
    fn injected_errors_follow_the_convention() {
        let r = injected_refusal(InjectedError {
            code: 429,
            message: "reach_limit: This request has reached api limit".into(),
        });
        assert_eq!(
            (r.status, r.error.as_str(), r.description.as_str()),
            (429, "reach_limit", "This request has reached api limit")
        );
        let r = injected_refusal(InjectedError { code: 403, message: "forbidden_op".into() });
        assert_eq!((r.status, r.error.as_str(), r.description.as_str()), (403, "forbidden_op", "forbidden_op"));
        let r = injected_refusal(InjectedError { code: 503, message: "Service down: try later".into() });
        assert_eq!(
            (r.status, r.error.as_str(), r.description.as_str()),
            (503, "web_application", "Service down: try later")
        );
        let r = injected_refusal(InjectedError { code: 70001, message: "x".into() });
        assert_eq!(r.status, 500);
    }

    #[test]
    fn exceptions_follow_usergrid_names() {
        assert_eq!(exception_for("duplicate_unique_property_exists"), "DuplicateUniquePropertyExistsException");
        assert_eq!(exception_for("service_resource_not_found"), "ServiceResourceNotFoundException");
        assert_eq!(exception_for("reach_limit"), "com.easemob.flow.exceptions.ReachLimitException");
    }

    #[test]
    fn decodes_paths_queries_and_cursors() {
        assert_eq!(percent_decode("a%20b").as_deref(), Some("a b"));
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(percent_decode("%ff"), None);
        assert_eq!(
            parse_query("limit=2&cursor=x%2By&flag"),
            vec![("limit".into(), "2".into()), ("cursor".into(), "x+y".into()), ("flag".into(), String::new())]
        );
        assert_eq!(decode_cursor(&encode_cursor(42)), Some(42));
        assert_eq!(decode_cursor("garbage"), None);
    }
}
