//! The v1 account endpoints `user/*.action` (netease.md 3.1).
//!
//! Choices where the documents are silent: `user/getUinfos.action` leaves
//! unknown accids out of `uinfos` (and answers 200); `user/userOnlineStatus`
//! lists every known accid in `data.status` (an empty array when offline) and
//! the unknown ones in `data.invalidAccids`; `valid` is false while an account
//! is blocked.

use super::super::store::{random_token, NimUser};
use super::super::Face;
use super::form::Form;
use super::Refusal;
use serde_json::{json, Map, Value};
use unim_core::DisconnectReason;
use unim_netease::accid::check_accid;
use unim_netease::error::code;
use unim_netease::link::ClientType;

// The limits are the adapter's (netease.md 3.1), so the two sides cannot drift.
use unim_netease::rest::{MAX_NAME_CHARS, MAX_STATUS_ACCIDS, MAX_TOKEN_CHARS, MAX_UINFOS_ACCIDS};

type Reply = Result<Map<String, Value>, Refusal>;

fn ok(fields: Value) -> Reply {
    match fields {
        Value::Object(map) => Ok(map),
        _ => Ok(Map::new()),
    }
}

/// The lower-cased accid of the field `accid`, or 414 naming what is wrong.
fn accid_field(form: &Form) -> Result<String, Refusal> {
    check_accid(form.required("accid")?).map_err(|p| Refusal::new(code::BAD_PARAM, p.to_string()))
}

fn token_field(form: &Form) -> Result<Option<String>, Refusal> {
    form.limited("token", MAX_TOKEN_CHARS)
}

/// `user/create.action` → `info{token, accid, name}`.
pub(super) fn create(face: &Face, form: &Form) -> Reply {
    let accid = accid_field(form)?;
    let token = token_field(form)?.unwrap_or_else(random_token);
    let gender = match form.get("gender") {
        None => 0,
        Some(g) => match g.parse::<u8>() {
            Ok(g @ 0..=2) => g,
            _ => return Err(Refusal::new(code::BAD_PARAM, "gender must be 0, 1 or 2")),
        },
    };
    let user = NimUser {
        accid,
        token,
        name: form.limited("name", MAX_NAME_CHARS)?,
        icon: form.limited("icon", 1024)?,
        sign: form.limited("sign", 256)?,
        email: form.limited("email", 64)?,
        birth: form.limited("birth", 16)?,
        mobile: form.limited("mobile", 32)?,
        gender,
        ex: form.limited("ex", 1024)?,
        ..Default::default()
    };
    let user = face.store.create(user)?;
    ok(json!({"info": {"token": user.token, "accid": user.accid, "name": user.name.unwrap_or_default()}}))
}

/// `user/update.action`: a new static token; the old one stops logging in.
pub(super) fn update(face: &Face, form: &Form) -> Reply {
    let accid = accid_field(form)?;
    let token = token_field(form)?.ok_or_else(|| Refusal::new(code::BAD_PARAM, "token is missing"))?;
    face.store.update(&accid, |u| u.token = token)?;
    ok(json!({}))
}

/// `user/refreshToken.action` → `info{accid, token}` with a new random token.
pub(super) fn refresh_token(face: &Face, form: &Form) -> Reply {
    let accid = accid_field(form)?;
    let token = random_token();
    face.store.update(&accid, |u| u.token = token.clone())?;
    ok(json!({"info": {"accid": accid, "token": token}}))
}

/// `user/block.action`: banned (logins get 422); with `needkick=true` every
/// online link is kicked with [`DisconnectReason::Banned`] (the 2_5 push's
/// reason 2) and `kickNotifyExt` kept for the link to deliver.
pub(super) fn block(face: &Face, form: &Form) -> Reply {
    let accid = accid_field(form)?;
    let need_kick = match form.get("needkick") {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(Refusal::new(code::BAD_PARAM, "needkick must be true or false")),
    };
    let ext = form.limited("kickNotifyExt", 1024)?;
    face.store.update(&accid, |u| {
        u.blocked = true;
        if need_kick {
            u.kick_notify_ext = ext;
        }
    })?;
    if need_kick {
        face.engine.kick_user(&accid, DisconnectReason::Banned);
    }
    ok(json!({}))
}

/// `user/unblock.action`.
pub(super) fn unblock(face: &Face, form: &Form) -> Reply {
    let accid = accid_field(form)?;
    face.store.update(&accid, |u| u.blocked = false)?;
    ok(json!({}))
}

/// `user/getUinfos.action` → `uinfos[...]` of the known accids, in the order asked.
pub(super) fn get_uinfos(face: &Face, form: &Form) -> Reply {
    let accids = form.string_array("accids", MAX_UINFOS_ACCIDS)?;
    let uinfos: Vec<Value> = accids.iter().filter_map(|a| face.store.get(a)).map(|u| uinfo(&u)).collect();
    ok(json!({"uinfos": uinfos}))
}

fn uinfo(u: &NimUser) -> Value {
    let mut info = Map::new();
    info.insert("accid".into(), json!(u.accid));
    let optional = [
        ("name", &u.name),
        ("icon", &u.icon),
        ("sign", &u.sign),
        ("email", &u.email),
        ("birth", &u.birth),
        ("mobile", &u.mobile),
        ("ex", &u.ex),
    ];
    for (key, value) in optional {
        if let Some(v) = value {
            info.insert(key.into(), json!(v));
        }
    }
    info.insert("gender".into(), json!(u.gender));
    info.insert("valid".into(), json!(!u.blocked));
    info.insert("mute".into(), json!(false));
    Value::Object(info)
}

/// `user/userOnlineStatus.action` → `data{status{accid: [{clientType, loginTime}]}, invalidAccids}`.
pub(super) fn online_status(face: &Face, form: &Form) -> Reply {
    let accids = form.string_array("accids", MAX_STATUS_ACCIDS)?;
    let mut status = Map::new();
    let mut invalid = Vec::new();
    for asked in accids {
        let Some(user) = face.store.get(&asked) else {
            invalid.push(asked);
            continue;
        };
        let clients: Vec<Value> = face
            .engine
            .links_of(&user.accid)
            .into_iter()
            .map(|l| {
                let client_type = ClientType::from_platform(&l.device.platform).unwrap_or(ClientType::Web);
                json!({"clientType": client_type.code(), "loginTime": l.since.saturating_mul(1000)})
            })
            .collect();
        status.insert(user.accid, Value::Array(clients));
    }
    ok(json!({"data": {"status": status, "invalidAccids": invalid}}))
}
