//! The low-level REST client: signs every call as the App admin and checks
//! Tencent's envelope (`vendors/tencent.md` sections 2.1 and 2.2).
//!
//! A call is `POST {rest_url}/v4/{service}/{command}?sdkappid=..&identifier=<admin>
//! &usersig=<admin UserSig>&random=<u32>&contenttype=json` with a JSON body
//! (`{}` when there is nothing to say). The query carries the admin's
//! UserSig, so the URL is never logged, traced or put into an error.

use super::types::Envelope;
use crate::error::error_from_code;
use crate::usersig::UserSigKey;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use unim_core::{Clock, Error, Secret};
use url::Url;

/// How long the admin UserSig the client signs for itself is valid. Tencent's
/// text for 70001 recommends at least 24 hours (tencent.md 1.1, step 7).
const ADMIN_SIG_TTL_SECS: u64 = 86_400;

/// The cached admin UserSig is replaced once it is this old: half its
/// lifetime, so clock skew between here and Tencent up to 12 hours is harmless.
const ADMIN_SIG_REFRESH_SECS: u64 = ADMIN_SIG_TTL_SECS / 2;

/// The whole-request timeout. Tencent's backend gives up after 3 s and the doc
/// asks clients to wait longer than that (tencent.md 2.1).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// How long to wait for the TCP (and TLS) connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The admin UserSig currently in use.
struct CachedSig {
    sig: Secret,
    issued_at: u64,
}

/// Sends signed calls to Tencent's REST API as one App admin. Cheap to share
/// behind an `Arc`; reqwest pools the connections (as the doc recommends).
/// `Debug` never shows the key or the UserSig.
pub struct RestClient {
    http: reqwest::Client,
    base: Url,
    origin: String,
    sdkappid: u64,
    admin: String,
    key: UserSigKey,
    clock: Arc<dyn Clock>,
    cached: Mutex<Option<CachedSig>>,
}

impl fmt::Debug for RestClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RestClient")
            .field("rest_url", &self.base.as_str())
            .field("sdkappid", &self.sdkappid)
            .field("admin", &self.admin)
            .field("secret_key", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl RestClient {
    /// A client for the app `sdkappid` at `rest_url` (e.g.
    /// `https://console.tim.qq.com`, or the emulator's `http://127.0.0.1:PORT`),
    /// calling as the App admin `admin` and signing its UserSig with
    /// `secret_key` on `clock`.
    ///
    /// Fails with [`unim_core::ErrorKind::InvalidInput`] when the URL is not an
    /// `http(s)` base URL or the key is empty.
    pub fn new(
        rest_url: &str,
        sdkappid: u64,
        secret_key: &Secret,
        admin: impl Into<String>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, Error> {
        let mut base = Url::parse(rest_url)
            .map_err(|e| Error::invalid_input(format!("Tencent REST URL {rest_url:?} is not a URL: {e}")))?;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() || base.host().is_none() {
            return Err(Error::invalid_input(format!(
                "Tencent REST URL {rest_url:?} must be an http:// or https:// base URL"
            )));
        }
        base.set_query(None);
        base.set_fragment(None);
        if secret_key.is_empty() {
            return Err(Error::invalid_input("the Tencent secret key must not be empty"));
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
            sdkappid,
            admin: admin.into(),
            key: UserSigKey::new(sdkappid, secret_key.expose()),
            clock,
            cached: Mutex::new(None),
        })
    }

    /// The SDKAppID calls are made for.
    pub fn sdkappid(&self) -> u64 {
        self.sdkappid
    }

    /// The App admin calls are made as.
    pub fn admin(&self) -> &str {
        &self.admin
    }

    /// The signing key (to issue users' UserSigs with the same secret).
    pub fn key(&self) -> &UserSigKey {
        &self.key
    }

    /// The clock UserSigs are dated with.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The admin UserSig, regenerated when it is half-way through its
    /// lifetime or the clock went backwards past its issue time.
    fn admin_sig(&self) -> Secret {
        let now = self.clock.unix_secs();
        let mut cached = self.cached.lock().unwrap_or_else(|e| e.into_inner());
        match &*cached {
            Some(c) if now >= c.issued_at && now - c.issued_at < ADMIN_SIG_REFRESH_SECS => c.sig.clone(),
            _ => {
                let sig = Secret::new(self.key.gen(&self.admin, ADMIN_SIG_TTL_SECS, now));
                *cached = Some(CachedSig { sig: sig.clone(), issued_at: now });
                sig
            }
        }
    }

    /// The full URL of a call, with the signed query.
    fn url(&self, service: &str, command: &str, sig: &Secret) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty().extend(["v4", service, command]);
        }
        url.query_pairs_mut()
            .append_pair("sdkappid", &self.sdkappid.to_string())
            .append_pair("identifier", &self.admin)
            .append_pair("usersig", sig.expose())
            .append_pair("random", &rand::random::<u32>().to_string())
            .append_pair("contenttype", "json");
        url
    }

    /// Calls `v4/{service}/{command}` with `body` and returns the envelope and
    /// the whole JSON reply, without judging the envelope: for batch calls
    /// whose failure still carries per-item detail.
    ///
    /// Errors: [`unim_core::ErrorKind::Timeout`] when no answer came in time,
    /// [`unim_core::ErrorKind::Unavailable`] when the server could not be
    /// reached or answered with an HTTP status other than 200,
    /// [`unim_core::ErrorKind::Protocol`] when the body is not a Tencent
    /// envelope.
    pub async fn call_raw<B: Serialize + ?Sized>(
        &self,
        service: &str,
        command: &str,
        body: &B,
    ) -> Result<(Envelope, serde_json::Value), Error> {
        let what = format!("{service}/{command}");
        let sig = self.admin_sig();
        let url = self.url(service, command, &sig);
        tracing::debug!(target: "unim_tencent::rest", call = %what, "calling the Tencent REST API");
        let reply = self.http.post(url).json(body).send().await.map_err(|e| self.transport_error(&what, e, &sig))?;
        let status = reply.status();
        if status != reqwest::StatusCode::OK {
            tracing::debug!(target: "unim_tencent::rest", call = %what, %status, "HTTP status other than 200");
            return Err(Error::unavailable(format!(
                "Tencent REST API at {} answered {what} with HTTP {status}",
                self.origin
            )));
        }
        let bytes = reply.bytes().await.map_err(|e| self.transport_error(&what, e, &sig))?;
        let value: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| Error::protocol(format!("Tencent REST reply to {what} is not JSON: {e}")))?;
        let envelope = Envelope::deserialize(&value)
            .map_err(|e| Error::protocol(format!("Tencent REST reply to {what} has no valid envelope: {e}")))?;
        if !envelope.is_ok() {
            tracing::debug!(target: "unim_tencent::rest", call = %what, code = envelope.error_code, "Tencent refused the call");
        }
        Ok((envelope, value))
    }

    /// Calls `v4/{service}/{command}` with `body` and parses the reply's own
    /// fields as `R` once the envelope says OK.
    ///
    /// A reply with `ActionStatus` FAIL or a non-zero `ErrorCode` becomes
    /// [`error_from_code`]; other errors are those of [`RestClient::call_raw`].
    pub async fn call<B: Serialize + ?Sized, R: DeserializeOwned>(
        &self,
        service: &str,
        command: &str,
        body: &B,
    ) -> Result<R, Error> {
        let (envelope, value) = self.call_raw(service, command, body).await?;
        if !envelope.is_ok() {
            return Err(error_from_code(envelope.error_code, &envelope.error_info));
        }
        R::deserialize(&value)
            .map_err(|e| Error::protocol(format!("Tencent REST reply to {service}/{command} is malformed: {e}")))
    }

    /// A transport failure in words, without the URL (which holds the UserSig).
    fn transport_error(&self, what: &str, e: reqwest::Error, sig: &Secret) -> Error {
        let e = e.without_url();
        let mut detail = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            detail.push_str(": ");
            detail.push_str(&s.to_string());
            source = s.source();
        }
        // Belt and braces: no layer below should echo the query, but if one does, it is cut here.
        if !sig.is_empty() {
            detail = detail.replace(sig.expose(), "<redacted>");
        }
        tracing::debug!(target: "unim_tencent::rest", call = %what, error = %detail, "transport failure");
        if e.is_timeout() {
            Error::timeout(format!(
                "Tencent REST API at {} did not answer {what} within {}s",
                self.origin,
                REQUEST_TIMEOUT.as_secs()
            ))
        } else if e.is_connect() {
            Error::unavailable(format!(
                "cannot connect to the Tencent REST API at {} for {what}: {detail}",
                self.origin
            ))
        } else {
            Error::unavailable(format!("Tencent REST call {what} to {} failed: {detail}", self.origin))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use unim_core::ManualClock;

    fn client(url: &str, clock: &ManualClock) -> RestClient {
        RestClient::new(url, 1_400_000_001, &Secret::new("k3y"), "administrator", Arc::new(clock.clone())).unwrap()
    }

    #[test]
    fn builds_the_documented_url() {
        let clock = ManualClock::at_unix(1_700_000_000);
        let c = client("http://127.0.0.1:9/base/?x=1", &clock);
        let sig = c.admin_sig();
        let url = c.url("im_open_login_svc", "kick", &sig);
        assert_eq!(url.path(), "/base/v4/im_open_login_svc/kick");
        let q: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let keys: Vec<&str> = q.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["sdkappid", "identifier", "usersig", "random", "contenttype"]);
        assert_eq!(q[0].1, "1400000001");
        assert_eq!(q[1].1, "administrator");
        assert_eq!(q[2].1, sig.expose());
        assert!(q[3].1.parse::<u32>().is_ok());
        assert_eq!(q[4].1, "json");
        let decoded = c.key().verify("administrator", sig.expose(), 1_700_000_000).unwrap();
        assert_eq!(decoded.expire, ADMIN_SIG_TTL_SECS);
    }

    #[test]
    fn admin_sig_is_cached_then_renewed() {
        let clock = ManualClock::at_unix(1_700_000_000);
        let c = client("https://console.tim.qq.com", &clock);
        let first = c.admin_sig();
        clock.advance(Duration::from_secs(ADMIN_SIG_REFRESH_SECS - 1));
        assert_eq!(c.admin_sig(), first);
        clock.advance(Duration::from_secs(1));
        let second = c.admin_sig();
        assert_ne!(second, first);
        let now = clock.unix_secs();
        assert_eq!(c.key().verify("administrator", second.expose(), now).unwrap().time, now);
    }

    #[test]
    fn rejects_unusable_settings() {
        let clock = Arc::new(ManualClock::at_unix(0));
        for url in ["not a url", "ftp://host", "mailto:x@y"] {
            let e = RestClient::new(url, 1, &Secret::new("k"), "a", clock.clone()).unwrap_err();
            assert_eq!(e.kind, unim_core::ErrorKind::InvalidInput, "{url}");
        }
        let e = RestClient::new("https://h", 1, &Secret::new(""), "a", clock).unwrap_err();
        assert!(e.message.contains("secret key"));
    }

    #[test]
    fn debug_hides_the_key() {
        let clock = ManualClock::at_unix(0);
        let c = client("https://console.tim.qq.com", &clock);
        let sig = c.admin_sig();
        let printed = format!("{c:?}");
        assert!(!printed.contains("k3y") && !printed.contains(sig.expose()), "{printed}");
    }

    #[tokio::test]
    async fn unreachable_server_is_unavailable_without_the_usersig() {
        // A port that was just free: nothing listens there, so the connection is refused.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let clock = ManualClock::at_unix(1_700_000_000);
        let c = client(&format!("http://127.0.0.1:{port}"), &clock);
        let e = c.call::<_, super::super::types::Empty>("im_open_login_svc", "kick", &serde_json::json!({})).await;
        let e = e.unwrap_err();
        assert!(matches!(e.kind, unim_core::ErrorKind::Unavailable | unim_core::ErrorKind::Timeout), "{e}");
        let sig = c.admin_sig();
        let printed = format!("{e} {e:?}");
        assert!(!printed.contains(sig.expose()) && !printed.contains("usersig"), "{printed}");
    }
}
