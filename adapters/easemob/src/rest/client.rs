//! The low-level REST client: builds `{rest_url}/{org_name}/{app_name}/...`,
//! authenticates with the app token and turns Easemob's error envelope into
//! neutral errors (`vendors/easemob.md` sections 1.2, 1.4, 2.1).
//!
//! **The app token** is obtained with `grant_type=client_credentials` (with the
//! configured `ttl`, if any) and cached. It is renewed by the client itself:
//! - before use, once half its lifetime has passed on the [`Clock`] (the
//!   official Java server SDK renews at half-life too, easemob.md 2.1), and
//! - once, after a call is answered 401 (`unauthorized` or
//!   `auth_bad_access_token`): Easemob's docs say a 401 means "get a new token".
//!
//! **Rate limits.** A 429 `reach_limit` is retried up to
//! [`RetryPolicy::max_retries`] times, waiting `Retry-After` when the answer
//! has one and the policy's backoff otherwise, on the [`Clock`] (so a test's
//! manual clock drives it). A wait longer than [`RetryPolicy::max_delay`] is
//! not made: the [`ErrorKind::RateLimited`] error is returned instead, with
//! its `retry_after`. 429 `resource_limited` (a plan quota) is not retried.
//!
//! The bearer token travels only in the `Authorization` header; URLs hold no
//! secret, and neither do errors, logs or `Debug`.

use super::types::{ErrorBody, TokenRequest, TokenResponse, UserEntity, GRANT_INHERIT};
use super::AppKey;
use crate::error::error_from_rest;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use unim_core::{Clock, CredentialLifetime, Error, ErrorKind, Secret};
use url::Url;

/// The whole-request timeout (real time: the one wait a test does not drive).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// How long to wait for the TCP (and TLS) connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// An HTTP method of the REST API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// `GET`.
    Get,
    /// `POST`.
    Post,
    /// `PUT`.
    Put,
    /// `DELETE`.
    Delete,
}

impl Method {
    fn as_reqwest(self) -> reqwest::Method {
        match self {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Delete => reqwest::Method::DELETE,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
}

/// How a 429 `reach_limit` answer is retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0: never retry).
    pub max_retries: u32,
    /// The wait before the first retry when the answer has no `Retry-After`;
    /// it doubles for each further retry.
    pub first_delay: Duration,
    /// The longest wait the client makes; a longer `Retry-After` (or backoff)
    /// returns the error instead.
    pub max_delay: Duration,
}

impl RetryPolicy {
    /// Never retry: a 429 is returned at once.
    pub const NONE: RetryPolicy =
        RetryPolicy { max_retries: 0, first_delay: Duration::ZERO, max_delay: Duration::ZERO };

    /// The backoff before retry number `retry` (0-based) without `Retry-After`.
    pub fn backoff(&self, retry: u32) -> Duration {
        self.first_delay.saturating_mul(2u32.saturating_pow(retry))
    }
}

impl Default for RetryPolicy {
    /// Three retries, 1 s then 2 s then 4 s unless the server says otherwise,
    /// waiting at most 60 s at a time. (Easemob's limits are per second,
    /// easemob.md section 8.)
    fn default() -> Self {
        RetryPolicy { max_retries: 3, first_delay: Duration::from_secs(1), max_delay: Duration::from_secs(60) }
    }
}

/// A token Easemob issued, with the time (on the client's clock) it arrived.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenGrant {
    /// The token.
    pub access_token: Secret,
    /// Validity in seconds from `issued_at` (`0`: never expires).
    pub expires_in: u64,
    /// When the answer arrived, Unix seconds of the client's clock.
    pub issued_at: u64,
    /// The app's UUID (app tokens).
    pub application: Option<String>,
    /// The user (user tokens).
    pub user: Option<UserEntity>,
}

impl TokenGrant {
    /// The token's lifetime, or `None` when it never expires.
    pub fn lifetime(&self) -> Option<CredentialLifetime> {
        (self.expires_in > 0)
            .then(|| CredentialLifetime { issued_at: self.issued_at, expires_at: self.issued_at + self.expires_in })
    }

    /// The user's name, for user tokens.
    pub fn username(&self) -> Option<&str> {
        self.user.as_ref().map(|u| u.username.as_str())
    }
}

/// The app token in use.
struct CachedToken {
    token: Secret,
    obtained_at: u64,
    expires_in: u64,
}

impl CachedToken {
    /// True while less than half the lifetime has passed (always for a token
    /// that never expires; never if the clock went back before it was obtained).
    fn fresh_at(&self, now: u64) -> bool {
        if now < self.obtained_at {
            return false;
        }
        self.expires_in == 0 || now - self.obtained_at < self.expires_in / 2
    }
}

/// Calls Easemob's REST API for one app. Cheap to share behind an `Arc`;
/// reqwest pools the connections. `Debug` never shows the client secret or a
/// token.
pub struct RestClient {
    http: reqwest::Client,
    base: Url,
    origin: String,
    app_key: AppKey,
    client_id: String,
    client_secret: Secret,
    clock: Arc<dyn Clock>,
    app_token_ttl: Option<Duration>,
    retry: RetryPolicy,
    cached: tokio::sync::Mutex<Option<CachedToken>>,
}

impl fmt::Debug for RestClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RestClient")
            .field("base", &self.base.as_str())
            .field("app_key", &self.app_key.to_string())
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("app_token_ttl", &self.app_token_ttl)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

/// The JSON of a token request.
fn encode_token_request(request: &TokenRequest) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(request).map_err(|e| Error::invalid_input(format!("cannot encode the token request: {e}")))
}

/// Whole seconds of a token `ttl`: `Some(ZERO)` is Easemob's "never expires",
/// a non-zero ttl under one second would silently become that, so it is refused.
pub(crate) fn ttl_secs(ttl: Option<Duration>) -> Result<Option<u64>, Error> {
    match ttl {
        Some(d) if !d.is_zero() && d.as_secs() == 0 => {
            Err(Error::invalid_input("an Easemob token ttl is whole seconds: use at least 1 s (or zero for never)"))
        }
        Some(d) => Ok(Some(d.as_secs())),
        None => Ok(None),
    }
}

/// The first segment of a path that starts at the host's root ([`RestClient::call_from_root`]).
const FROM_ROOT: &str = "/";

impl RestClient {
    /// A client for the app `app_key` (`org_name#app_name`) at `rest_url`
    /// (e.g. `https://a1.easemob.com`, or the emulator's
    /// `http://127.0.0.1:PORT`), authenticating with `client_id` and
    /// `client_secret` on `clock`. The app token is requested with Easemob's
    /// default ttl and renewed at half-life; the default [`RetryPolicy`]
    /// applies.
    ///
    /// Fails with [`ErrorKind::InvalidInput`] when the URL is not an
    /// `http(s)` base URL, the app key is malformed or a credential is empty.
    pub fn new(
        rest_url: &str,
        app_key: &str,
        client_id: impl Into<String>,
        client_secret: Secret,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, Error> {
        let app_key = AppKey::parse(app_key)?;
        let mut base = Url::parse(rest_url)
            .map_err(|e| Error::invalid_input(format!("Easemob REST URL {rest_url:?} is not a URL: {e}")))?;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() || base.host().is_none() {
            return Err(Error::invalid_input(format!(
                "Easemob REST URL {rest_url:?} must be an http:// or https:// base URL"
            )));
        }
        base.set_query(None);
        base.set_fragment(None);
        if let Ok(mut segments) = base.path_segments_mut() {
            segments.pop_if_empty().extend([app_key.org(), app_key.app()]);
        }
        let client_id = client_id.into();
        if client_id.is_empty() {
            return Err(Error::invalid_input("the Easemob Client ID must not be empty"));
        }
        if client_secret.is_empty() {
            return Err(Error::invalid_input("the Easemob Client Secret must not be empty"));
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
            app_key,
            client_id,
            client_secret,
            clock,
            app_token_ttl: None,
            retry: RetryPolicy::default(),
            cached: tokio::sync::Mutex::new(None),
        })
    }

    /// A client for user-token calls only ([`RestClient::call_with_token`]):
    /// a session holds no app credentials. Its app-token calls fail with
    /// [`ErrorKind::InvalidState`] before any request.
    pub fn for_user_tokens(rest_url: &str, app_key: &str, clock: Arc<dyn Clock>) -> Result<Self, Error> {
        let mut client = Self::new(rest_url, app_key, "-", Secret::new("-"), clock)?;
        client.client_id.clear();
        client.client_secret = Secret::new("");
        Ok(client)
    }

    /// The same client requesting app tokens valid for `ttl` (`None`:
    /// Easemob's default, 60 days unless the console says otherwise; zero:
    /// never expires). A ttl under one second is refused.
    pub fn with_app_token_ttl(mut self, ttl: Option<Duration>) -> Result<Self, Error> {
        ttl_secs(ttl)?;
        self.app_token_ttl = ttl;
        Ok(self)
    }

    /// The same client with `retry` for 429 answers.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The app key calls are made for.
    pub fn app_key(&self) -> &AppKey {
        &self.app_key
    }

    /// The clock token lifetimes and retries run on.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The app's base URL, `{rest_url}/{org_name}/{app_name}`.
    pub fn base_url(&self) -> &str {
        self.base.as_str()
    }

    /// `{base}/{segments...}` with `query`; segments are percent-encoded.
    fn url(&self, segments: &[&str], query: &[(&str, String)]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            match segments.split_first() {
                // From the host's root (a "/" can never be a real segment: it would be escaped).
                Some((&FROM_ROOT, rest)) => {
                    path.pop_if_empty().pop().pop().extend(rest);
                }
                _ => {
                    path.pop_if_empty().extend(segments);
                }
            }
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        url
    }

    /// Like [`RestClient::call`], for a path from the host's root rather than
    /// under `/{org}/{app}` (the v6 APIs: `/api/server/v6/{org}/{app}/...`).
    pub async fn call_from_root<B: Serialize + ?Sized, R: DeserializeOwned>(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, String)],
        body: Option<&B>,
    ) -> Result<R, Error> {
        let mut rooted = Vec::with_capacity(segments.len() + 1);
        rooted.push(FROM_ROOT);
        rooted.extend_from_slice(segments);
        self.call(method, &rooted, query, body).await
    }

    /// Requests a token (`POST /token`) with `request`, without caching it.
    /// The `inherit` grant is sent with the app token, the others without any.
    ///
    /// Errors are those of [`error_from_rest`] (a wrong secret is
    /// [`ErrorKind::Unauthenticated`], an unknown user
    /// [`ErrorKind::NotFound`], a deactivated one
    /// [`ErrorKind::PermissionDenied`]), plus transport failures.
    pub async fn request_token(&self, request: &TokenRequest) -> Result<TokenGrant, Error> {
        let body = encode_token_request(request)?;
        let bytes = if request.grant_type == GRANT_INHERIT {
            self.send(Method::Post, &["token"], &[], Some(body), true).await?
        } else {
            self.attempt(Method::Post, &["token"], &[], Some(&body), None).await?
        };
        self.grant(&bytes)
    }

    /// The [`TokenGrant`] of a token answer, dated now.
    fn grant(&self, bytes: &[u8]) -> Result<TokenGrant, Error> {
        let reply: TokenResponse = serde_json::from_slice(bytes).map_err(|_| {
            // serde's message could quote a field's value: say only what is missing.
            Error::protocol("Easemob's token reply lacks access_token or expires_in")
        })?;
        Ok(TokenGrant {
            access_token: reply.access_token,
            expires_in: reply.expires_in,
            issued_at: self.clock.unix_secs(),
            application: reply.application,
            user: reply.user,
        })
    }

    /// A new app token (`grant_type=client_credentials`) valid for `ttl`
    /// (`None`: Easemob's default; zero: never expires). It is not cached:
    /// calls keep using their own, see [`RestClient::app_token`].
    pub async fn new_app_token(&self, ttl: Option<Duration>) -> Result<TokenGrant, Error> {
        let request =
            TokenRequest::client_credentials(self.client_id.clone(), self.client_secret.clone(), ttl_secs(ttl)?);
        let body = encode_token_request(&request)?;
        let bytes = self.attempt(Method::Post, &["token"], &[], Some(&body), None).await?;
        self.grant(&bytes)
    }

    /// The app token calls are made with: the cached one while less than half
    /// its lifetime has passed on the clock, else a new one.
    pub async fn app_token(&self) -> Result<Secret, Error> {
        if self.client_id.is_empty() {
            return Err(Error::invalid_state("this Easemob REST client makes user-token calls only"));
        }
        let now = self.clock.unix_secs();
        let mut cached = self.cached.lock().await;
        if let Some(c) = cached.as_ref().filter(|c| c.fresh_at(now)) {
            return Ok(c.token.clone());
        }
        tracing::debug!(target: "unim_easemob::rest", app_key = %self.app_key, "requesting an app token");
        let grant = self.new_app_token(self.app_token_ttl).await?;
        *cached = Some(CachedToken {
            token: grant.access_token.clone(),
            obtained_at: grant.issued_at,
            expires_in: grant.expires_in,
        });
        Ok(grant.access_token)
    }

    /// Forgets the cached app token if it is still `used` (another call may
    /// have renewed it meanwhile).
    async fn forget_app_token(&self, used: &Secret) {
        let mut cached = self.cached.lock().await;
        if cached.as_ref().is_some_and(|c| &c.token == used) {
            *cached = None;
        }
    }

    /// Calls `{method} {base}/{segments...}?{query}` with the app token and
    /// `body` as JSON, and parses the reply as `R`.
    ///
    /// A non-2xx answer becomes [`error_from_rest`]; a reply that is not `R`
    /// is [`ErrorKind::Protocol`]; no answer in time is
    /// [`ErrorKind::Timeout`]; an unreachable server [`ErrorKind::Unavailable`].
    pub async fn call<B: Serialize + ?Sized, R: DeserializeOwned>(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, String)],
        body: Option<&B>,
    ) -> Result<R, Error> {
        self.call_as(None, method, segments, query, body).await
    }

    /// Like [`RestClient::call`], but with `token` (a user's token: the client
    /// SDKs call the group APIs with the session's own token) instead of the
    /// app token. Nothing is renewed: a 401 is returned as it came.
    pub async fn call_with_token<B: Serialize + ?Sized, R: DeserializeOwned>(
        &self,
        token: &Secret,
        method: Method,
        segments: &[&str],
        query: &[(&str, String)],
        body: Option<&B>,
    ) -> Result<R, Error> {
        self.call_as(Some(token), method, segments, query, body).await
    }

    /// The one JSON call both [`RestClient::call`] (`token` `None`: the app
    /// token, renewed once after a 401) and [`RestClient::call_with_token`]
    /// make, so that both encode bodies and read replies alike.
    async fn call_as<B: Serialize + ?Sized, R: DeserializeOwned>(
        &self,
        token: Option<&Secret>,
        method: Method,
        segments: &[&str],
        query: &[(&str, String)],
        body: Option<&B>,
    ) -> Result<R, Error> {
        let body = body
            .map(serde_json::to_vec)
            .transpose()
            .map_err(|e| Error::invalid_input(format!("cannot encode the request body: {e}")))?;
        let bytes = match token {
            None => self.send(method, segments, query, body, true).await?,
            Some(token) => self.attempt(method, segments, query, body.as_deref(), Some(token)).await?,
        };
        serde_json::from_slice(&bytes).map_err(|e| {
            Error::protocol(format!("Easemob's reply to {} /{} is malformed: {e}", method.as_str(), segments.join("/")))
        })
    }

    /// Sends one request with the app token (when `app_auth`), renewing the
    /// token once after a 401, and returns the body of a 2xx answer.
    async fn send(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, String)],
        body: Option<Vec<u8>>,
        app_auth: bool,
    ) -> Result<Vec<u8>, Error> {
        if !app_auth {
            return self.attempt(method, segments, query, body.as_deref(), None).await;
        }
        let token = self.app_token().await?;
        match self.attempt(method, segments, query, body.as_deref(), Some(&token)).await {
            Err(e) if e.vendor.as_ref().is_some_and(|v| v.code == 401) => {
                tracing::debug!(target: "unim_easemob::rest", "app token refused; renewing it once");
                self.forget_app_token(&token).await;
                let token = self.app_token().await?;
                self.attempt(method, segments, query, body.as_deref(), Some(&token)).await
            }
            other => other,
        }
    }

    /// Sends one request with `bearer` (if any), retrying 429 `reach_limit`
    /// as the [`RetryPolicy`] says (module docs), and returns the body of a
    /// 2xx answer.
    async fn attempt(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, String)],
        body: Option<&[u8]>,
        bearer: Option<&Secret>,
    ) -> Result<Vec<u8>, Error> {
        let what = format!("{} /{}", method.as_str(), segments.join("/"));
        let url = self.url(segments, query);
        let mut retries = 0;
        loop {
            let mut request =
                self.http.request(method.as_reqwest(), url.clone()).header(reqwest::header::ACCEPT, "application/json");
            if let Some(token) = bearer {
                request = request.bearer_auth(token.expose());
            }
            if let Some(body) = body {
                request = request.header(reqwest::header::CONTENT_TYPE, "application/json").body(body.to_vec());
            }
            tracing::debug!(target: "unim_easemob::rest", call = %what, "calling the Easemob REST API");
            let reply = request.send().await.map_err(|e| self.transport_error(&what, e))?;
            let status = reply.status();
            let retry_after = reply
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let bytes = reply.bytes().await.map_err(|e| self.transport_error(&what, e))?;
            if status.is_success() {
                return Ok(bytes.to_vec());
            }
            let error = self.rest_error(&what, status.as_u16(), &bytes, retry_after);
            tracing::debug!(target: "unim_easemob::rest", call = %what, status = status.as_u16(),
                error = error.vendor.as_ref().and_then(|v| v.name.as_deref()).unwrap_or(""), "Easemob refused the call");
            if status == reqwest::StatusCode::TOO_MANY_REQUESTS
                && matches!(error.kind, ErrorKind::RateLimited { .. })
                && retries < self.retry.max_retries
            {
                let wait = retry_after.unwrap_or_else(|| self.retry.backoff(retries));
                if wait <= self.retry.max_delay {
                    retries += 1;
                    tracing::debug!(target: "unim_easemob::rest", call = %what, wait_ms = wait.as_millis() as u64,
                        retry = retries, "rate limited; waiting before retrying");
                    self.clock.sleep(wait).await;
                    continue;
                }
            }
            return Err(error);
        }
    }

    /// The error of a non-2xx answer: Easemob's envelope when the body is one,
    /// else the status alone.
    fn rest_error(&self, what: &str, status: u16, body: &[u8], retry_after: Option<Duration>) -> Error {
        match serde_json::from_slice::<ErrorBody>(body) {
            Ok(e) if !e.error.is_empty() => error_from_rest(status, &e.error, &e.error_description, retry_after),
            _ => {
                let mut e = error_from_rest(status, "", "", retry_after);
                e.message = format!(
                    "{} (HTTP {status} to {what} from {}, without an Easemob error body)",
                    e.message, self.origin
                );
                e
            }
        }
    }

    /// A transport failure in words. The URL holds no secret, but it is left
    /// out anyway: the origin says where.
    fn transport_error(&self, what: &str, e: reqwest::Error) -> Error {
        let e = e.without_url();
        let mut detail = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            detail.push_str(": ");
            detail.push_str(&s.to_string());
            source = s.source();
        }
        tracing::debug!(target: "unim_easemob::rest", call = %what, error = %detail, "transport failure");
        if e.is_timeout() {
            Error::timeout(format!(
                "the Easemob REST API at {} did not answer {what} within {}s",
                self.origin,
                REQUEST_TIMEOUT.as_secs()
            ))
        } else if e.is_connect() {
            Error::unavailable(format!(
                "cannot connect to the Easemob REST API at {} for {what}: {detail}",
                self.origin
            ))
        } else {
            Error::unavailable(format!("the Easemob REST call {what} to {} failed: {detail}", self.origin))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;
    use unim_core::ManualClock;

    const T0: u64 = 1_700_000_000;

    fn client(url: &str, clock: &ManualClock) -> RestClient {
        RestClient::new(url, "org#app", "YXA6id", Secret::new("YXA6s3cr3t"), Arc::new(clock.clone())).unwrap()
    }

    #[test]
    fn builds_the_documented_urls() {
        let clock = ManualClock::at_unix(T0);
        let c = client("http://127.0.0.1:9/base/?x=1#f", &clock);
        assert_eq!(c.base_url(), "http://127.0.0.1:9/base/org/app");
        let url = c.url(&["users", "a b", "disconnect"], &[("limit", "5".into())]);
        assert_eq!(url.as_str(), "http://127.0.0.1:9/base/org/app/users/a%20b/disconnect?limit=5");
        let c = client("https://a1.easemob.com", &clock);
        assert_eq!(c.url(&["token"], &[]).as_str(), "https://a1.easemob.com/org/app/token");
    }

    #[test]
    fn rejects_unusable_settings() {
        let clock: Arc<dyn Clock> = Arc::new(ManualClock::at_unix(0));
        for url in ["not a url", "ftp://host", "mailto:x@y"] {
            let e = RestClient::new(url, "o#a", "id", Secret::new("s"), clock.clone()).unwrap_err();
            assert_eq!(e.kind, ErrorKind::InvalidInput, "{url}");
        }
        let e = RestClient::new("https://h", "oa", "id", Secret::new("s"), clock.clone()).unwrap_err();
        assert!(e.message.contains("org_name#app_name"));
        let e = RestClient::new("https://h", "o#a", "", Secret::new("s"), clock.clone()).unwrap_err();
        assert!(e.message.contains("Client ID"));
        let e = RestClient::new("https://h", "o#a", "id", Secret::new(""), clock.clone()).unwrap_err();
        assert!(e.message.contains("Client Secret"));
        let c = RestClient::new("https://h", "o#a", "id", Secret::new("s"), clock).unwrap();
        assert!(c.with_app_token_ttl(Some(Duration::from_millis(10))).is_err());
    }

    #[test]
    fn debug_hides_the_secret() {
        let clock = ManualClock::at_unix(0);
        let printed = format!("{:?}", client("https://a1.easemob.com", &clock));
        assert!(!printed.contains("s3cr3t") && printed.contains("YXA6id"), "{printed}");
    }

    #[test]
    fn cached_tokens_are_fresh_for_half_their_life() {
        let t = CachedToken { token: Secret::new("t"), obtained_at: 1000, expires_in: 100 };
        assert!(t.fresh_at(1000) && t.fresh_at(1049));
        assert!(!t.fresh_at(1050) && !t.fresh_at(999));
        let forever = CachedToken { token: Secret::new("t"), obtained_at: 1000, expires_in: 0 };
        assert!(forever.fresh_at(u64::MAX));
        let grant =
            TokenGrant { access_token: Secret::new("x"), expires_in: 60, issued_at: 10, application: None, user: None };
        assert_eq!(grant.lifetime(), Some(CredentialLifetime { issued_at: 10, expires_at: 70 }));
        assert_eq!(TokenGrant { expires_in: 0, ..grant }.lifetime(), None);
    }

    #[test]
    fn backoff_doubles() {
        let p = RetryPolicy::default();
        assert_eq!([p.backoff(0), p.backoff(1), p.backoff(2)], [1, 2, 4].map(Duration::from_secs));
        assert_eq!(RetryPolicy::NONE.max_retries, 0);
    }

    /// A server answering each connection with the next canned HTTP response
    /// (object_store's mock-server idea), recording the request heads.
    async fn canned(responses: Vec<String>) -> (String, tokio::sync::mpsc::UnboundedReceiver<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move {
            for response in responses {
                let Ok((mut socket, _)) = listener.accept().await else { return };
                let mut seen = Vec::new();
                let mut buf = [0u8; 4096];
                // Read the head, then the body its Content-Length announces.
                loop {
                    let n = socket.read(&mut buf).await.unwrap_or(0);
                    if n == 0 {
                        break;
                    }
                    seen.extend_from_slice(&buf[..n]);
                    let text = String::from_utf8_lossy(&seen).to_string();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let length = text[..end]
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_owned())
                            })
                            .and_then(|v| v.parse::<usize>().ok())
                            .unwrap_or(0);
                        if seen.len() >= end + 4 + length {
                            break;
                        }
                    }
                }
                let _ = tx.send(String::from_utf8_lossy(&seen).to_string());
                let _ = socket.write_all(response.as_bytes()).await;
                let _ = socket.shutdown().await;
            }
        });
        (url, rx)
    }

    fn http(status: &str, headers: &str, body: &str) -> String {
        format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n{headers}\r\n{body}",
            body.len()
        )
    }

    const TOKEN: &str = r#"{"access_token":"YWMt-app-1","expires_in":3600,"application":"app-uuid"}"#;
    const LIMITED: &str = r#"{"error":"reach_limit","exception":"com.easemob.flow.exceptions.ReachLimitException","timestamp":1,"duration":0,"error_description":"This request has reached api limit"}"#;
    const OK: &str = r#"{"action":"get","entities":[],"data":{"result":true},"timestamp":1,"duration":0}"#;

    /// A manual clock that reports every timer set on it.
    #[derive(Debug)]
    struct RecordingClock {
        inner: ManualClock,
        timers: tokio::sync::mpsc::UnboundedSender<std::time::SystemTime>,
    }

    impl Clock for RecordingClock {
        fn now(&self) -> std::time::SystemTime {
            self.inner.now()
        }

        fn sleep_until(&self, deadline: std::time::SystemTime) -> futures::future::BoxFuture<'static, ()> {
            let _ = self.timers.send(deadline);
            self.inner.sleep_until(deadline)
        }
    }

    #[tokio::test]
    async fn a_429_waits_retry_after_on_the_clock_then_succeeds() {
        let (url, mut heads) = canned(vec![
            http("200 OK", "", TOKEN),
            http("429 Too Many Requests", "retry-after: 7\r\n", LIMITED),
            http("200 OK", "", OK),
        ])
        .await;
        let manual = ManualClock::at_unix(T0);
        let (timers, mut set) = tokio::sync::mpsc::unbounded_channel();
        let clock = Arc::new(RecordingClock { inner: manual.clone(), timers });
        let c = Arc::new(RestClient::new(&url, "org#app", "YXA6id", Secret::new("YXA6s3cr3t"), clock).unwrap());
        let call = tokio::spawn({
            let c = Arc::clone(&c);
            async move {
                c.call::<(), super::super::types::AnyResponse>(Method::Get, &["users", "u1", "disconnect"], &[], None)
                    .await
            }
        });
        let deadline = tokio::time::timeout(Duration::from_secs(30), set.recv()).await.expect("a timer").unwrap();
        assert_eq!(deadline, std::time::UNIX_EPOCH + Duration::from_secs(T0 + 7), "waits exactly Retry-After");
        let head = heads.recv().await.unwrap();
        assert!(head.starts_with("POST /org/app/token "), "{head}");
        assert!(head.contains(r#""client_secret":"YXA6s3cr3t""#), "{head}");
        let head = heads.recv().await.unwrap();
        assert!(head.starts_with("GET /org/app/users/u1/disconnect "), "{head}");
        assert!(head.to_ascii_lowercase().contains("authorization: bearer ywmt-app-1"), "{head}");
        assert!(heads.try_recv().is_err() && !call.is_finished(), "no retry before the clock moves");
        manual.advance(Duration::from_secs(7));
        let reply = tokio::time::timeout(Duration::from_secs(30), call).await.expect("answer").unwrap().unwrap();
        assert_eq!(reply.data.unwrap()["result"], true);
        assert!(heads.recv().await.unwrap().starts_with("GET /org/app/users/u1/disconnect "));
    }

    #[tokio::test]
    async fn a_429_beyond_the_retries_or_the_longest_wait_is_returned() {
        let (url, _heads) =
            canned(vec![http("200 OK", "", TOKEN), http("429 Too Many Requests", "retry-after: 120\r\n", LIMITED)])
                .await;
        let clock = ManualClock::at_unix(T0);
        let c = client(&url, &clock);
        let e = c.call::<(), super::super::types::AnyResponse>(Method::Get, &["users"], &[], None).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::RateLimited { retry_after: Some(Duration::from_secs(120)) });
        assert_eq!(e.vendor.unwrap().name.as_deref(), Some("reach_limit"));

        let (url, _heads) = canned(vec![
            http("200 OK", "", TOKEN),
            http("429 Too Many Requests", "", LIMITED),
            http("429 Too Many Requests", "", LIMITED),
        ])
        .await;
        let c = client(&url, &clock).with_retry(RetryPolicy {
            max_retries: 1,
            first_delay: Duration::ZERO,
            max_delay: Duration::ZERO,
        });
        let e = c.call::<(), super::super::types::AnyResponse>(Method::Get, &["users"], &[], None).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::RateLimited { retry_after: None });
    }

    #[tokio::test]
    async fn a_401_renews_the_app_token_once() {
        let bad = r#"{"error":"auth_bad_access_token","exception":"x","timestamp":1,"duration":0,"error_description":"Unable to authenticate due to corrupt access token"}"#;
        let second = r#"{"access_token":"YWMt-app-2","expires_in":3600}"#;
        let (url, mut heads) = canned(vec![
            http("200 OK", "", TOKEN),
            http("401 Unauthorized", "", bad),
            http("200 OK", "", second),
            http("401 Unauthorized", "", bad),
        ])
        .await;
        let clock = ManualClock::at_unix(T0);
        let c = client(&url, &clock);
        let e = c.call::<(), super::super::types::AnyResponse>(Method::Get, &["users"], &[], None).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::Unauthenticated);
        let heads: Vec<String> = std::iter::from_fn(|| heads.try_recv().ok()).collect();
        assert_eq!(heads.len(), 4, "token, call, new token, call again; then give up");
        assert!(heads[3].to_ascii_lowercase().contains("bearer ywmt-app-2"), "{}", heads[3]);
    }

    #[tokio::test]
    async fn a_non_easemob_error_body_still_maps_by_status() {
        let (url, _heads) =
            canned(vec![http("200 OK", "", TOKEN), http("503 Service Unavailable", "", "<html>down</html>")]).await;
        let clock = ManualClock::at_unix(T0);
        let e = client(&url, &clock)
            .call::<(), super::super::types::AnyResponse>(Method::Get, &["users"], &[], None)
            .await
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Unavailable);
        assert!(e.message.contains("HTTP 503"), "{e}");
    }

    #[tokio::test]
    async fn an_unreachable_server_is_unavailable_without_secrets() {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let clock = ManualClock::at_unix(T0);
        let c = client(&format!("http://127.0.0.1:{port}"), &clock);
        let e = c.app_token().await.unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Unavailable | ErrorKind::Timeout), "{e}");
        let printed = format!("{e} {e:?}");
        assert!(!printed.contains("s3cr3t"), "{printed}");
    }
}
