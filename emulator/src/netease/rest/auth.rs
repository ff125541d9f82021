//! The four headers every server API call carries (netease.md 1.1), checked
//! in this order, the first failure answering 414 with the desc public
//! projects quote: a missing or empty header (or a `Nonce` over 128
//! characters) → `bad http header`; another app's `AppKey` → `appkey`; a
//! `CurTime` that is not Unix seconds or is more than
//! [`CHECKSUM_WINDOW_SECS`] away from the engine's clock → `CurTime is
//! expired`; a `CheckSum` that is not the lower-case hex of
//! `sha1(AppSecret + Nonce + CurTime)` → `checksum`.
//!
//! The documents only speak of a CheckSum being valid for five minutes after
//! `CurTime`; a `CurTime` more than five minutes in the future is refused too
//! (NERoom's wording, "within ±5 minutes"), so a signer's clock skew shows up
//! either way.

use super::super::{Face, CHECKSUM_WINDOW_SECS};
use super::Refusal;
use axum::http::HeaderMap;
use unim_netease::error::code;
use unim_netease::sign;

/// The longest `Nonce` taken (netease.md 1.1).
pub(super) const MAX_NONCE_CHARS: usize = 128;

/// Checks the signature headers of one call.
pub(super) fn check(face: &Face, headers: &HeaderMap) -> Result<(), Refusal> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim).unwrap_or("");
    let (app_key, nonce, cur_time, check_sum) =
        (header("AppKey"), header("Nonce"), header("CurTime"), header("CheckSum"));
    if [app_key, nonce, cur_time, check_sum].iter().any(|h| h.is_empty()) || nonce.chars().count() > MAX_NONCE_CHARS {
        return Err(Refusal::new(code::BAD_PARAM, "bad http header"));
    }
    if app_key != face.settings.app_key {
        return Err(Refusal::new(code::BAD_PARAM, "appkey"));
    }
    let now = face.engine.now();
    match cur_time.parse::<u64>() {
        Ok(t) if t.abs_diff(now) <= CHECKSUM_WINDOW_SECS => {}
        _ => return Err(Refusal::new(code::BAD_PARAM, "CurTime is expired")),
    }
    if !sign::checksum_matches(&face.settings.app_secret, nonce, cur_time, check_sum) {
        return Err(Refusal::new(code::BAD_PARAM, "checksum"));
    }
    Ok(())
}
