//! The low-level server API client: signs every call with the four headers
//! and reads NetEase's envelope (netease.md 1.1, 1.2, 2.1, 2.2).
//!
//! Every call is a `POST` carrying `AppKey`, a fresh random `Nonce`, `CurTime`
//! (Unix seconds on the client's clock) and `CheckSum` =
//! `sha1(AppSecret + Nonce + CurTime)`. v1 calls (`{rest_url}/<path>.action`)
//! send a form body, v2 calls (`{rest_url}/im/v2/...`) a JSON one. The IM API
//! always answers HTTP 200; the outcome is the body's `code`. The CheckSum is
//! never logged or put into an error, and the secret never leaves this type.

use crate::error::error_from_api;
use serde_json::{Map, Value};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use unim_core::{Clock, Error, ErrorKind, Secret};
use url::Url;

/// The whole-request timeout.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// How long to wait for the TCP (and TLS) connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The v1 content type (netease.md 1.2).
const FORM_TYPE: &str = "application/x-www-form-urlencoded;charset=utf-8";
/// The V2 code for "account not exist" (netease.md 2.2).
const V2_ACCOUNT_NOT_EXIST: i64 = 102_404;

/// Sends signed calls to NetEase's server API as one app. Cheap to share
/// behind an `Arc`; reqwest pools the connections. `Debug` never shows the
/// app secret.
pub struct RestClient {
    http: reqwest::Client,
    base: Url,
    origin: String,
    app_key: String,
    app_secret: Secret,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for RestClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RestClient")
            .field("rest_url", &self.base.as_str())
            .field("app_key", &self.app_key)
            .field("app_secret", &self.app_secret)
            .finish_non_exhaustive()
    }
}

/// The four signature headers of one call.
#[derive(Clone, PartialEq, Eq)]
pub struct SignedHeaders {
    /// `AppKey`.
    pub app_key: String,
    /// `Nonce`: 32 random hex digits.
    pub nonce: String,
    /// `CurTime`: Unix seconds.
    pub cur_time: String,
    /// `CheckSum`: lower-case hex SHA-1 of secret, nonce and time.
    pub check_sum: Secret,
}

impl fmt::Debug for SignedHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedHeaders")
            .field("app_key", &self.app_key)
            .field("nonce", &self.nonce)
            .field("cur_time", &self.cur_time)
            .field("check_sum", &self.check_sum)
            .finish()
    }
}

impl RestClient {
    /// A client for the app `app_key` at `rest_url` (e.g.
    /// `https://api.netease.im/nimserver`, or the emulator's
    /// `http://127.0.0.1:PORT/nimserver`), signing with `app_secret` on `clock`.
    ///
    /// Fails with [`ErrorKind::InvalidInput`] when the URL is not an `http(s)`
    /// base URL or the key or secret is empty.
    pub fn new(rest_url: &str, app_key: &str, app_secret: &Secret, clock: Arc<dyn Clock>) -> Result<Self, Error> {
        let mut base = Url::parse(rest_url)
            .map_err(|e| Error::invalid_input(format!("NetEase server API URL {rest_url:?} is not a URL: {e}")))?;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() || base.host().is_none() {
            return Err(Error::invalid_input(format!(
                "NetEase server API URL {rest_url:?} must be an http:// or https:// base URL"
            )));
        }
        base.set_query(None);
        base.set_fragment(None);
        if app_key.is_empty() {
            return Err(Error::invalid_input("the NetEase app key must not be empty"));
        }
        if app_secret.is_empty() {
            return Err(Error::invalid_input("the NetEase app secret must not be empty"));
        }
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .build()
            .map_err(|e| Error::unavailable(format!("cannot set up the HTTP client: {}", e.without_url())))?;
        Ok(RestClient {
            http,
            origin: base.origin().ascii_serialization(),
            base,
            app_key: app_key.to_owned(),
            app_secret: app_secret.clone(),
            clock,
        })
    }

    /// The app key calls are made for.
    pub fn app_key(&self) -> &str {
        &self.app_key
    }

    /// The clock `CurTime` is read from.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The app secret (to mint dynamic tokens with the same secret).
    pub(crate) fn app_secret(&self) -> &Secret {
        &self.app_secret
    }

    /// Fresh signature headers at the clock's now.
    pub fn sign(&self) -> SignedHeaders {
        let nonce = format!("{:032x}", rand::random::<u128>());
        let cur_time = self.clock.unix_secs().to_string();
        let check_sum = Secret::new(crate::sign::checksum(self.app_secret.expose(), &nonce, &cur_time));
        SignedHeaders { app_key: self.app_key.clone(), nonce, cur_time, check_sum }
    }

    /// `{rest_url}/{path}` (path segments appended to the base's).
    fn url(&self, path: &str) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty().extend(path.split('/'));
        }
        url
    }

    /// Calls the v1 `path` (e.g. `user/create.action`) with a form body of
    /// `fields` and returns the reply's fields (without `code`) once `code` is 200.
    ///
    /// Errors: [`ErrorKind::Timeout`] when no answer came in time,
    /// [`ErrorKind::Unavailable`] when the server could not be reached or
    /// answered an HTTP status other than 200, [`ErrorKind::Protocol`] when
    /// the body is not NetEase's envelope, and the code's own error
    /// ([`error_from_api`]) when `code` is not 200.
    pub async fn call_form(&self, path: &str, fields: &[(&str, &str)]) -> Result<Map<String, Value>, Error> {
        self.send(path, FORM_TYPE, form_body(fields)).await
    }

    /// Calls the v2 `path` (e.g. `im/v2/accounts/a/actions/kick`) with a JSON
    /// body and returns the reply's `data` (`null` when absent) once `code`
    /// is 200. Errors as [`RestClient::call_form`].
    pub async fn call_json(&self, path: &str, body: &Value) -> Result<Value, Error> {
        let mut reply = self.send(path, "application/json;charset=utf-8", body.to_string()).await?;
        // The Go SDK also reads the payload under `ret` (netease.md 2.2).
        Ok(reply.remove("data").or_else(|| reply.remove("ret")).unwrap_or(Value::Null))
    }

    async fn send(&self, path: &str, content_type: &str, body: String) -> Result<Map<String, Value>, Error> {
        let h = self.sign();
        tracing::debug!(target: "unim_netease::rest", call = %path, "calling the NetEase server API");
        let reply = self
            .http
            .post(self.url(path))
            .header("AppKey", &h.app_key)
            .header("Nonce", &h.nonce)
            .header("CurTime", &h.cur_time)
            .header("CheckSum", h.check_sum.expose())
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .await
            .map_err(|e| self.transport_error(path, e))?;
        let status = reply.status();
        if status != reqwest::StatusCode::OK {
            return Err(Error::unavailable(format!(
                "NetEase server API at {} answered {path} with HTTP {status}",
                self.origin
            )));
        }
        let bytes = reply.bytes().await.map_err(|e| self.transport_error(path, e))?;
        let (code, desc, fields) = parse_envelope(path, &bytes)?;
        if code != crate::error::code::OK {
            tracing::debug!(target: "unim_netease::rest", call = %path, code, "NetEase refused the call");
            return Err(api_error(code, &desc));
        }
        Ok(fields)
    }

    /// A transport failure in words.
    fn transport_error(&self, path: &str, e: reqwest::Error) -> Error {
        let e = e.without_url();
        let mut detail = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            detail.push_str(": ");
            detail.push_str(&s.to_string());
            source = s.source();
        }
        if e.is_timeout() {
            Error::timeout(format!(
                "NetEase server API at {} did not answer {path} within {}s",
                self.origin,
                REQUEST_TIMEOUT.as_secs()
            ))
        } else {
            Error::unavailable(format!("NetEase server API call {path} to {} failed: {detail}", self.origin))
        }
    }
}

/// The form encoding of `fields` (built apart: the serializer is not `Send`).
fn form_body(fields: &[(&str, &str)]) -> String {
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in fields {
        form.append_pair(name, value);
    }
    form.finish()
}

/// `code`, `desc` (or v2's `msg`) and the other fields of a reply body.
fn parse_envelope(path: &str, bytes: &[u8]) -> Result<(i64, String, Map<String, Value>), Error> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| Error::protocol(format!("NetEase reply to {path} is not JSON: {e}")))?;
    let Value::Object(mut fields) = value else {
        return Err(Error::protocol(format!("NetEase reply to {path} is not a JSON object")));
    };
    let code = match fields.remove("code") {
        Some(Value::Number(n)) => n.as_i64(),
        // Some integrations report numbers as strings (netease.md 5.1).
        Some(Value::String(s)) => s.parse().ok(),
        _ => None,
    }
    .ok_or_else(|| Error::protocol(format!("NetEase reply to {path} has no integer \"code\"")))?;
    let desc = match fields.get("desc").or_else(|| fields.get("msg")) {
        Some(Value::String(s)) => s.clone(),
        _ => String::new(),
    };
    Ok((code, desc, fields))
}

/// [`error_from_api`], with the two "does not exist" answers made
/// [`ErrorKind::NotFound`]: v2's 102404, and the 414 whose desc says the
/// accid does not exist (the v1 API's answer for an unknown account).
pub(crate) fn api_error(code: i64, desc: &str) -> Error {
    let mut e = error_from_api(code, desc);
    let missing = code == V2_ACCOUNT_NOT_EXIST
        || (code == crate::error::code::BAD_PARAM && desc.to_ascii_lowercase().contains("not exist"));
    if missing {
        e.kind = ErrorKind::NotFound;
        e.message = format!("the account does not exist ({desc})");
    }
    e
}

/// Reads `T` from a reply's payload, or says what is wrong with it.
pub(crate) fn payload<T: serde::de::DeserializeOwned>(
    path: &str,
    what: &str,
    value: Option<Value>,
) -> Result<T, Error> {
    let value = value.ok_or_else(|| Error::protocol(format!("NetEase reply to {path} has no \"{what}\"")))?;
    serde_json::from_value(value)
        .map_err(|e| Error::protocol(format!("NetEase reply to {path} has a malformed \"{what}\": {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use unim_core::ManualClock;

    fn client(url: &str) -> RestClient {
        let clock = ManualClock::at_unix(1_443_592_222);
        RestClient::new(url, "key", &Secret::new("abcdef0123456789"), Arc::new(clock)).unwrap()
    }

    #[test]
    fn signs_with_the_documented_checksum() {
        let c = client("http://127.0.0.1:9/nimserver");
        let h = c.sign();
        assert_eq!(h.cur_time, "1443592222");
        assert_eq!(h.nonce.len(), 32);
        assert_eq!(h.check_sum.expose(), crate::sign::checksum("abcdef0123456789", &h.nonce, "1443592222"));
        assert_ne!(c.sign().nonce, h.nonce, "every call has its own nonce");
        let printed = format!("{h:?} {c:?}");
        assert!(!printed.contains(h.check_sum.expose()) && !printed.contains("abcdef0123456789"), "{printed}");
    }

    #[test]
    fn appends_paths_to_the_base() {
        let c = client("http://127.0.0.1:9/nimserver/");
        assert_eq!(c.url("user/create.action").path(), "/nimserver/user/create.action");
        assert_eq!(c.url("im/v2/accounts/a/actions/kick").path(), "/nimserver/im/v2/accounts/a/actions/kick");
    }

    #[test]
    fn rejects_unusable_settings() {
        let clock: Arc<dyn Clock> = Arc::new(ManualClock::at_unix(0));
        for url in ["not a url", "ftp://host", "mailto:x@y"] {
            let e = RestClient::new(url, "k", &Secret::new("s"), clock.clone()).unwrap_err();
            assert_eq!(e.kind, ErrorKind::InvalidInput, "{url}");
        }
        assert!(RestClient::new("https://h", "", &Secret::new("s"), clock.clone()).is_err());
        assert!(RestClient::new("https://h", "k", &Secret::new(""), clock).is_err());
    }

    #[test]
    fn reads_the_envelope_or_says_what_is_wrong() {
        let (code, desc, fields) = parse_envelope("p", br#"{"code":200,"info":{"accid":"a"}}"#).unwrap();
        assert_eq!((code, desc.as_str(), fields.contains_key("info")), (200, "", true));
        let (code, desc, _) = parse_envelope("p", br#"{"code":"414","desc":"checksum"}"#).unwrap();
        assert_eq!((code, desc.as_str()), (414, "checksum"));
        let (_, desc, _) = parse_envelope("p", br#"{"code":102404,"msg":"account not exist"}"#).unwrap();
        assert_eq!(desc, "account not exist");
        for (bad, says) in [(&b"<html>"[..], "not JSON"), (b"[1]", "not a JSON object"), (b"{\"desc\":1}", "code")] {
            let e = parse_envelope("p", bad).unwrap_err();
            assert_eq!(e.kind, ErrorKind::Protocol);
            assert!(e.message.contains(says), "{e}");
        }
    }

    #[test]
    fn unknown_accounts_are_not_found() {
        assert_eq!(api_error(102_404, "account not exist").kind, ErrorKind::NotFound);
        assert_eq!(api_error(414, "accid x not exist").kind, ErrorKind::NotFound);
        let e = api_error(414, "checksum");
        assert_eq!((e.kind, e.vendor.map(|v| v.code)), (ErrorKind::Unauthenticated, Some(414)));
    }

    #[tokio::test]
    async fn unreachable_server_is_unavailable() {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let c = client(&format!("http://127.0.0.1:{port}/nimserver"));
        let e = c.call_form("user/unblock.action", &[("accid", "a")]).await.unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Unavailable | ErrorKind::Timeout), "{e}");
    }
}
