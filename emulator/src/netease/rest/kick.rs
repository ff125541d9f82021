//! v2 `POST /im/v2/accounts/{account_id}/actions/kick` (netease.md 3.1):
//! `type` 1 kicks every device, 2 the devices in `device_id_list`, 3 all
//! but those (≤ 20 ids, `kick_notify_extension` ≤ 256), each link with
//! `DisconnectReason::KickedByServer` (the 2_5 push's reason 2).
//!
//! Choices where the documents are silent: an unknown account is 102404 (the
//! V2 family's "account not exist", netease.md 2.2); types 2 and 3 need a
//! non-empty list; the answer is `data{account_id, kicked_device_ids}`.

use super::super::link::{server_kick, KickTarget};
use super::super::Face;
use super::{bad, Refusal};
use serde_json::{json, Map, Value};
// The limits are the adapter's (netease.md 3.1), so the two sides cannot drift.
use unim_netease::rest::{MAX_KICK_DEVICE_IDS, MAX_KICK_EXTENSION_CHARS};

/// The V2 code for an account that does not exist.
pub(super) const ACCOUNT_NOT_EXIST: i64 = 102_404;

/// Kicks links of `account_id` as the JSON `body` asks.
pub(super) fn kick(face: &Face, account_id: &str, body: &Map<String, Value>) -> Result<Value, Refusal> {
    let kind = body.get("type").and_then(Value::as_i64).ok_or_else(|| bad("type is missing or not a number"))?;
    let ids: Vec<String> = match body.get("device_id_list") {
        None | Some(Value::Null) => Vec::new(),
        Some(v) => serde_json::from_value(v.clone()).map_err(|_| bad("device_id_list must be an array of strings"))?,
    };
    if ids.len() > MAX_KICK_DEVICE_IDS {
        return Err(bad(format!("device_id_list lists more than {MAX_KICK_DEVICE_IDS} devices")));
    }
    let extension = match body.get("kick_notify_extension") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.chars().count() <= MAX_KICK_EXTENSION_CHARS => Some(s.clone()),
        Some(_) => {
            return Err(bad(format!("kick_notify_extension must be a string of ≤ {MAX_KICK_EXTENSION_CHARS} chars")))
        }
    };
    // The ids are the clients' deviceIds (login tag 13), which only the link knows.
    let target = match kind {
        1 => KickTarget::All,
        2 if !ids.is_empty() => KickTarget::Only(ids),
        3 if !ids.is_empty() => KickTarget::AllBut(ids),
        2 | 3 => return Err(bad("device_id_list is required for type 2 and 3")),
        _ => return Err(bad("type must be 1, 2 or 3")),
    };
    let user = face.store.get(account_id).ok_or_else(|| Refusal::new(ACCOUNT_NOT_EXIST, "account not exist"))?;
    let kicked = server_kick(face, &user.accid, &target, extension.as_deref().unwrap_or_default());
    Ok(json!({"account_id": user.accid, "kicked_device_ids": kicked}))
}
