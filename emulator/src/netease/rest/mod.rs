//! The NetEase face's server API (netease.md sections 1-3): the classic v1
//! `POST /nimserver/<path>.action` form API and the v2 kick
//! `POST /im/v2/accounts/{account_id}/actions/kick`, served both under
//! `/nimserver` (as the official server SDKs address it) and at the root (as
//! the v2 documents do).
//!
//! Every request is checked in this order, and the first failure answers:
//! 1. the path is an endpoint of the face, else HTTP 404, and the method is
//!    POST, else HTTP 405;
//! 2. an error injected with [`crate::Faults::inject_error`] answers with its
//!    code and message as the desc;
//! 3. the four signature headers (`auth.rs`), 414;
//! 4. the body: v1 takes `application/x-www-form-urlencoded` only (a JSON
//!    body is 414), array fields as JSON-array strings (unparsable: 414); v2
//!    takes a JSON object (else 414);
//! 5. the work, with the endpoint's own refusals (`users.rs`, `kick.rs`,
//!    `messages.rs`, `teams.rs`, `team_msgs.rs`).
//!
//! The answer is always HTTP 200 (netease.md 1.2) with the v1 envelope
//! `{"code":200, <payload key>...}` / `{"code":..,"desc":..}`, or the v2 one
//! `{"code":200,"msg":"success","data":{..}}` / `{"code":..,"msg":..}`
//! (netease.md 2.1, 2.2).

mod auth;
mod form;
mod kick;
mod messages;
mod team_msgs;
pub(in crate::netease) mod teams;
mod users;

use super::store::Refusal;
use super::Face;
use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response as HttpResponse};
use axum::routing::any;
use axum::{Json, Router};
use form::Form;
use serde_json::{json, Map, Value};
use std::sync::Arc;
use unim_netease::error::code;

/// The server API's routes.
pub(crate) fn routes(face: Arc<Face>) -> Router {
    Router::new().route("/nimserver/{*rest}", any(handle)).route("/im/{*rest}", any(handle)).with_state(face)
}

/// The `team/*.action` endpoints served.
const TEAM_ACTIONS: [&str; 13] = [
    "create.action",
    "add.action",
    "kick.action",
    "remove.action",
    "update.action",
    "query.action",
    "queryDetail.action",
    "changeOwner.action",
    "addManager.action",
    "removeManager.action",
    "joinTeams.action",
    "muteTlist.action",
    "leave.action",
];

/// The endpoints the face serves.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Route {
    Create,
    Update,
    RefreshToken,
    Block,
    Unblock,
    GetUinfos,
    OnlineStatus,
    SendMsg,
    QuerySessionMsg,
    QuerySessionList,
    QueryTeamMsg,
    /// A `team/*.action` endpoint (`teams.rs`), by its name.
    Team(&'static str),
    /// v2 kick of the account in the path.
    Kick(String),
}

impl Route {
    fn parse(path: &str) -> Option<Route> {
        let v1 = path.strip_prefix("/nimserver");
        let rest = v1.unwrap_or(path);
        let seg: Vec<&str> = rest.trim_start_matches('/').split('/').collect();
        Some(match (v1.is_some(), seg.as_slice()) {
            (true, ["user", "create.action"]) => Route::Create,
            (true, ["user", "update.action"]) => Route::Update,
            (true, ["user", "refreshToken.action"]) => Route::RefreshToken,
            (true, ["user", "block.action"]) => Route::Block,
            (true, ["user", "unblock.action"]) => Route::Unblock,
            (true, ["user", "getUinfos.action"]) => Route::GetUinfos,
            (true, ["user", "userOnlineStatus.action"]) => Route::OnlineStatus,
            (true, ["msg", "sendMsg.action"]) => Route::SendMsg,
            (true, ["history", "querySessionMsg.action"]) => Route::QuerySessionMsg,
            (true, ["history", "querySessionList.action"]) => Route::QuerySessionList,
            (true, ["history", "queryTeamMsg.action"]) => Route::QueryTeamMsg,
            (true, ["team", action]) => Route::Team(TEAM_ACTIONS.iter().find(|a| **a == *action)?),
            (_, ["im", "v2", "accounts", id, "actions", "kick"]) if !id.is_empty() => Route::Kick(form::decode(id)?),
            _ => return None,
        })
    }

    fn is_v2(&self) -> bool {
        matches!(self, Route::Kick(_))
    }
}

async fn handle(
    State(face): State<Arc<Face>>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> HttpResponse {
    let Some(route) = Route::parse(uri.path()) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if method != Method::POST {
        return (StatusCode::METHOD_NOT_ALLOWED, [(header::ALLOW, "POST")]).into_response();
    }
    let outcome = answer(&face, &route, &headers, &body);
    let reply = match (route.is_v2(), outcome) {
        (false, Ok(Value::Object(payload))) => {
            let mut envelope = Map::new();
            envelope.insert("code".into(), json!(code::OK));
            envelope.extend(payload);
            Value::Object(envelope)
        }
        (true, Ok(data)) => json!({"code": code::OK, "msg": "success", "data": data}),
        (false, Ok(_)) => json!({"code": code::OK}),
        (false, Err(r)) => json!({"code": r.code, "desc": r.desc}),
        (true, Err(r)) => json!({"code": r.code, "msg": r.desc}),
    };
    Json(reply).into_response()
}

fn answer(face: &Face, route: &Route, headers: &HeaderMap, body: &[u8]) -> Result<Value, Refusal> {
    if let Some(injected) = face.engine.faults().take_injected() {
        return Err(Refusal::new(injected.code, injected.message));
    }
    auth::check(face, headers)?;
    if let Route::Kick(account_id) = route {
        let body = match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(map)) => map,
            _ => return Err(Refusal::new(code::BAD_PARAM, "the body is not a JSON object")),
        };
        return kick::kick(face, account_id, &body);
    }
    let form = v1_form(headers, body)?;
    let payload = match route {
        Route::Create => users::create(face, &form),
        Route::Update => users::update(face, &form),
        Route::RefreshToken => users::refresh_token(face, &form),
        Route::Block => users::block(face, &form),
        Route::Unblock => users::unblock(face, &form),
        Route::GetUinfos => users::get_uinfos(face, &form),
        Route::OnlineStatus => users::online_status(face, &form),
        Route::SendMsg => messages::send_msg(face, &form),
        Route::QuerySessionMsg => messages::query_session_msg(face, &form),
        Route::QuerySessionList => messages::query_session_list(face, &form),
        Route::QueryTeamMsg => team_msgs::query_team_msg(face, &form),
        Route::Team(action) => team(face, action, &form),
        Route::Kick(_) => unreachable!("answered above"),
    }?;
    Ok(Value::Object(payload))
}

fn team(face: &Face, action: &str, form: &Form) -> Result<Map<String, Value>, Refusal> {
    match action {
        "create.action" => teams::create(face, form),
        "add.action" => teams::add(face, form),
        "kick.action" => teams::kick(face, form),
        "remove.action" => teams::remove(face, form),
        "update.action" => teams::update(face, form),
        "query.action" => teams::query(face, form),
        "queryDetail.action" => teams::query_detail(face, form),
        "changeOwner.action" => teams::change_owner(face, form),
        "addManager.action" => teams::set_managers(face, form, unim_core::Role::Admin),
        "removeManager.action" => teams::set_managers(face, form, unim_core::Role::Member),
        "joinTeams.action" => teams::join_teams(face, form),
        "muteTlist.action" => teams::mute_member(face, form),
        "leave.action" => teams::leave(face, form),
        _ => Err(Refusal::new(code::NOT_FOUND, "no such team endpoint")),
    }
}

/// The form of a v1 body; another content type, or JSON sent without one, is 414.
fn v1_form(headers: &HeaderMap, body: &[u8]) -> Result<Form, Refusal> {
    let mime = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase());
    let looks_json = body.iter().find(|b| !b.is_ascii_whitespace()).is_some_and(|b| matches!(b, b'{' | b'['));
    let form_type = mime.as_deref().is_none_or(|m| m == "application/x-www-form-urlencoded");
    if !form_type || looks_json {
        return Err(Refusal::new(code::BAD_PARAM, "the body must be application/x-www-form-urlencoded"));
    }
    Form::parse(body)
}

/// A 414 refusal: what every endpoint answers for a missing or malformed field.
fn bad(desc: impl Into<String>) -> Refusal {
    Refusal::new(code::BAD_PARAM, desc)
}

/// `v` as a reply's fields; anything but an object (never built by the
/// endpoints) gives none.
fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::store::AuthType;
    use super::super::{link, store, NeteaseSettings};
    use super::*;
    use unim_core::ManualClock;

    fn face() -> Face {
        let engine = crate::Engine::new(Arc::new(ManualClock::at_unix(1_700_000_000)));
        Face {
            store: store::Store::new(Arc::clone(&engine)),
            engine,
            settings: NeteaseSettings::default(),
            link_addr: "127.0.0.1:1".into(),
            links: link::Links::default(),
        }
    }

    fn form(body: &str) -> Form {
        Form::parse(body.as_bytes()).unwrap()
    }

    #[test]
    fn new_tokens_retire_the_old_ones_for_login() {
        let f = face();
        let login = |token: &str| f.store.check_login("k", "s", "Ann", token, AuthType::Static, 0).map_err(|r| r.code);
        users::create(&f, &form("accid=Ann&token=t1")).unwrap();
        assert_eq!(login("t1"), Ok("ann".into()));
        users::update(&f, &form("accid=ann&token=t2")).unwrap();
        assert_eq!((login("t1"), login("t2")), (Err(302), Ok("ann".into())));
        let info = users::refresh_token(&f, &form("accid=ann")).unwrap();
        let fresh = info["info"]["token"].as_str().unwrap().to_owned();
        assert_eq!((login("t2"), login(&fresh)), (Err(302), Ok("ann".into())));
        users::block(&f, &form("accid=ann&needkick=true&kickNotifyExt=why")).unwrap();
        assert_eq!(login(&fresh), Err(422));
        assert_eq!(f.store.get("ann").unwrap().kick_notify_ext.as_deref(), Some("why"));
        users::unblock(&f, &form("accid=ann")).unwrap();
        assert_eq!(login(&fresh), Ok("ann".into()));
    }

    #[test]
    fn routes_v1_under_nimserver_and_v2_under_both() {
        assert_eq!(Route::parse("/nimserver/user/create.action"), Some(Route::Create));
        assert_eq!(Route::parse("/user/create.action"), None);
        assert_eq!(Route::parse("/nimserver/user/nope.action"), None);
        assert_eq!(Route::parse("/nimserver/team/queryDetail.action"), Some(Route::Team("queryDetail.action")));
        assert_eq!(Route::parse("/nimserver/team/nope.action"), None);
        assert_eq!(Route::parse("/im/v2/accounts/a%40b/actions/kick"), Some(Route::Kick("a@b".into())));
        assert_eq!(Route::parse("/nimserver/im/v2/accounts/ab/actions/kick"), Some(Route::Kick("ab".into())));
        assert_eq!(Route::parse("/im/v2/accounts//actions/kick"), None);
    }
}
