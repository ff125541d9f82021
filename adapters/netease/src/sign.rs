//! NetEase's three signatures (netease.md 1.1, 4.6 and 5.1):
//!
//! - the server API's `CheckSum` header: `sha1(AppSecret + Nonce + CurTime)`;
//! - the dynamic login token: base64 of `{"signature","curTime","ttl"}` where
//!   `signature = sha1(appkey + accid + curTime(ms) + ttl(s) + AppSecret)`;
//! - the 抄送 (data sync) and callback requests NetEase sends to an app
//!   server: `MD5` = md5 of the raw body, `CheckSum = sha1(AppSecret + MD5 + CurTime(ms))`.
//!
//! All digests are lower-case hex, as the documents and the official server SDKs write them.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use md5::{Digest as _, Md5};
use serde::{Deserialize, Serialize};
use sha1::Sha1;
use std::fmt;

/// Lower-case hex SHA-1 of the concatenated parts.
fn sha1_hex(parts: &[&str]) -> String {
    let mut h = Sha1::new();
    for p in parts {
        h.update(p.as_bytes());
    }
    hex::encode(h.finalize())
}

/// The server API's `CheckSum` header for one request.
pub fn checksum(app_secret: &str, nonce: &str, cur_time: &str) -> String {
    sha1_hex(&[app_secret, nonce, cur_time])
}

/// Is `given` the `CheckSum` of this `Nonce` and `CurTime`? Only lower-case
/// hex is accepted, as documented.
pub fn checksum_matches(app_secret: &str, nonce: &str, cur_time: &str, given: &str) -> bool {
    checksum(app_secret, nonce, cur_time) == given
}

/// Why a dynamic token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DynamicTokenError {
    /// Not base64 of the documented JSON object.
    #[error("not a dynamic token: {0}")]
    Malformed(String),
    /// The signature does not match the app key, the accid and the app secret.
    #[error("the dynamic token's signature does not match this app and accid")]
    BadSignature,
    /// The token's `curTime + ttl` has passed.
    #[error("the dynamic token expired at {expired_at_ms} ms (now {now_ms} ms)")]
    Expired {
        /// When it expired, Unix milliseconds.
        expired_at_ms: u64,
        /// The time it was checked at, Unix milliseconds.
        now_ms: u64,
    },
}

/// A dynamic login token (authType 1, netease.md 4.6). Its `Debug` hides the signature.
#[derive(Clone, PartialEq, Eq)]
pub struct DynamicToken {
    /// `sha1(appkey + accid + curTime + ttl + AppSecret)`, lower-case hex.
    pub signature: String,
    /// When it was minted, Unix milliseconds.
    pub cur_time_ms: u64,
    /// How long it is valid, in seconds.
    pub ttl_secs: u64,
}

impl fmt::Debug for DynamicToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DynamicToken")
            .field("signature", &"<redacted>")
            .field("cur_time_ms", &self.cur_time_ms)
            .field("ttl_secs", &self.ttl_secs)
            .finish()
    }
}

/// The wire JSON; numbers may also arrive as strings.
#[derive(Serialize, Deserialize)]
struct TokenJson {
    signature: String,
    #[serde(rename = "curTime", deserialize_with = "number_or_string")]
    cur_time: u64,
    #[serde(deserialize_with = "number_or_string")]
    ttl: u64,
}

fn number_or_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum N {
        Num(u64),
        Str(String),
    }
    match N::deserialize(d)? {
        N::Num(n) => Ok(n),
        N::Str(s) => s.trim().parse().map_err(serde::de::Error::custom),
    }
}

impl DynamicToken {
    /// The signature of a token for `accid` minted at `cur_time_ms` for `ttl_secs`.
    pub fn signature_for(app_key: &str, accid: &str, cur_time_ms: u64, ttl_secs: u64, app_secret: &str) -> String {
        sha1_hex(&[app_key, accid, &cur_time_ms.to_string(), &ttl_secs.to_string(), app_secret])
    }

    /// Mints a token for `accid`, valid `ttl_secs` from `cur_time_ms`.
    pub fn mint(app_key: &str, accid: &str, cur_time_ms: u64, ttl_secs: u64, app_secret: &str) -> DynamicToken {
        let signature = Self::signature_for(app_key, accid, cur_time_ms, ttl_secs, app_secret);
        DynamicToken { signature, cur_time_ms, ttl_secs }
    }

    /// The token string a client logs in with: base64 of
    /// `{"signature":…,"curTime":…,"ttl":…}`.
    pub fn encode(&self) -> String {
        let json = TokenJson { signature: self.signature.clone(), cur_time: self.cur_time_ms, ttl: self.ttl_secs };
        STANDARD.encode(serde_json::to_vec(&json).unwrap_or_default())
    }

    /// Reads a token string. A static token (any other string) is `Malformed`.
    pub fn parse(token: &str) -> Result<DynamicToken, DynamicTokenError> {
        let bytes = STANDARD
            .decode(token.trim())
            .map_err(|_| DynamicTokenError::Malformed("the token is not base64".into()))?;
        let json: TokenJson = serde_json::from_slice(&bytes).map_err(|e| {
            DynamicTokenError::Malformed(format!("the decoded token is not the JSON {{signature, curTime, ttl}}: {e}"))
        })?;
        Ok(DynamicToken { signature: json.signature, cur_time_ms: json.cur_time, ttl_secs: json.ttl })
    }

    /// When it stops being valid, Unix milliseconds.
    pub fn expires_at_ms(&self) -> u64 {
        self.cur_time_ms.saturating_add(self.ttl_secs.saturating_mul(1000))
    }

    /// Checks the signature first, then the expiry, so `Expired` always means
    /// "genuine but old".
    pub fn verify(&self, app_key: &str, accid: &str, app_secret: &str, now_ms: u64) -> Result<(), DynamicTokenError> {
        if Self::signature_for(app_key, accid, self.cur_time_ms, self.ttl_secs, app_secret) != self.signature {
            return Err(DynamicTokenError::BadSignature);
        }
        let expired_at_ms = self.expires_at_ms();
        if now_ms >= expired_at_ms {
            return Err(DynamicTokenError::Expired { expired_at_ms, now_ms });
        }
        Ok(())
    }
}

/// Why an incoming 抄送 or callback request is not genuine.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallbackError {
    /// A required header is absent.
    #[error("the request has no {0} header")]
    MissingHeader(&'static str),
    /// The `MD5` header is not the MD5 of the body: the body was altered or truncated.
    #[error("the MD5 header does not match the body")]
    BodyMismatch,
    /// The `CheckSum` header does not match: not signed with this app's secret.
    #[error("the CheckSum header does not match this app's secret")]
    BadChecksum,
}

/// Verifies a 抄送 or callback request NetEase POSTed to an app server
/// (netease.md 5.1): `header` looks a header up by name (any case the
/// framework uses), `body` is the raw body as received. The MD5 is
/// recomputed over the bytes, never trusted from the header.
pub fn verify_callback<'a>(
    app_secret: &str,
    header: impl Fn(&str) -> Option<&'a str>,
    body: &[u8],
) -> Result<(), CallbackError> {
    let md5_header = header("MD5").ok_or(CallbackError::MissingHeader("MD5"))?;
    let cur_time = header("CurTime").ok_or(CallbackError::MissingHeader("CurTime"))?;
    let given = header("CheckSum").ok_or(CallbackError::MissingHeader("CheckSum"))?;
    let md5 = hex::encode(Md5::digest(body));
    if !md5_header.trim().eq_ignore_ascii_case(&md5) {
        return Err(CallbackError::BodyMismatch);
    }
    if sha1_hex(&[app_secret, &md5, cur_time.trim()]) != given.trim().to_ascii_lowercase() {
        return Err(CallbackError::BadChecksum);
    }
    Ok(())
}

/// The headers NetEase sends with a 抄送 or callback request (`MD5`, `CheckSum`),
/// for an emulator or a test that plays NetEase's side.
pub fn callback_headers(app_secret: &str, cur_time_ms: u64, body: &[u8]) -> (String, String) {
    let md5 = hex::encode(Md5::digest(body));
    let checksum = sha1_hex(&[app_secret, &md5, &cur_time_ms.to_string()]);
    (md5, checksum)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "abcdef0123456789";

    #[test]
    fn checksum_matches_the_documented_vector() {
        let sum = checksum(SECRET, "4tgggergigwow323t23t", "1443592222");
        assert_eq!(sum, "cbc01ac73558f600cfe71a752814e66bc55dff75");
        assert!(checksum_matches(SECRET, "4tgggergigwow323t23t", "1443592222", &sum));
        assert!(!checksum_matches(SECRET, "4tgggergigwow323t23t", "1443592222", &sum.to_uppercase()));
        assert!(!checksum_matches(SECRET, "other-nonce", "1443592222", &sum));
    }

    #[test]
    fn dynamic_token_signature_matches_the_documented_vector() {
        let t = DynamicToken::mint("appkey123", "zhangsan", 1614764611561, 600, SECRET);
        assert_eq!(t.signature, "ff3819b713c47bdc699ee79a9651c920325b2e4c");
    }

    #[test]
    fn dynamic_token_round_trips_and_checks_signature_then_expiry() {
        let t = DynamicToken::mint("appkey123", "zhangsan", 1614764611561, 600, SECRET);
        let parsed = DynamicToken::parse(&t.encode()).unwrap();
        assert_eq!(parsed, t);
        assert_eq!(parsed.expires_at_ms(), 1614764611561 + 600_000);
        assert_eq!(parsed.verify("appkey123", "zhangsan", SECRET, 1614764611561 + 599_999), Ok(()));
        assert!(matches!(
            parsed.verify("appkey123", "zhangsan", SECRET, 1614764611561 + 600_000),
            Err(DynamicTokenError::Expired { .. })
        ));
        assert_eq!(parsed.verify("appkey123", "lisi", SECRET, 0), Err(DynamicTokenError::BadSignature));
        assert_eq!(parsed.verify("appkey123", "zhangsan", "wrong", 0), Err(DynamicTokenError::BadSignature));
        assert!(!format!("{t:?}").contains(&t.signature), "Debug must not show the signature");
    }

    #[test]
    fn dynamic_token_accepts_string_numbers_and_refuses_static_tokens() {
        let json = r#"{"signature":"ab","curTime":"1614764611561","ttl":"600"}"#;
        let t = DynamicToken::parse(&STANDARD.encode(json)).unwrap();
        assert_eq!((t.cur_time_ms, t.ttl_secs), (1614764611561, 600));
        assert!(matches!(
            DynamicToken::parse("0123456789abcdef0123456789abcdef"),
            Err(DynamicTokenError::Malformed(_))
        ));
        assert!(matches!(DynamicToken::parse("%%%"), Err(DynamicTokenError::Malformed(_))));
    }

    #[test]
    fn callback_verifier_matches_the_documented_vector() {
        let body = br#"{"eventType":"2"}"#;
        let headers = |name: &str| match name {
            "MD5" => Some("c47df7448b773068265103b3cfdec637"),
            "CurTime" => Some("1440570500855"),
            "CheckSum" => Some("7581e606dd4697cbd9456ebb10c49714c99a562e"),
            _ => None,
        };
        assert_eq!(verify_callback(SECRET, headers, body), Ok(()));
        assert_eq!(
            callback_headers(SECRET, 1440570500855, body),
            ("c47df7448b773068265103b3cfdec637".to_owned(), "7581e606dd4697cbd9456ebb10c49714c99a562e".to_owned())
        );
        assert_eq!(verify_callback(SECRET, headers, br#"{"eventType":"3"}"#), Err(CallbackError::BodyMismatch));
        assert_eq!(verify_callback("other-secret", headers, body), Err(CallbackError::BadChecksum));
        assert_eq!(
            verify_callback(SECRET, |n| if n == "MD5" { None } else { headers(n) }, body),
            Err(CallbackError::MissingHeader("MD5"))
        );
    }
}
