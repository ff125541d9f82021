//! The user's other devices, with the session's own user token: the list
//! (`GET /{org}/{app}/users/{u}/resources`, the web SDK's
//! `getSelfIdsOnOtherPlatform()`, docs/protocols/easemob.md 2.5) and the
//! kicks of the native SDKs' `kickDevice` / `kickAllDevices` (easemob.md 6.3:
//! `DELETE /users/{u}/disconnect/{resource}`, one device; the kicked device
//! gets 217 `USER_KICKED_BY_OTHER_DEVICE`).
//!
//! [`DeviceApi::request`] is the one user-token REST call of the session;
//! the message calls (`messages.rs`) go through it too.
//!
//! Kicking "all the other devices" kicks each listed device but this one,
//! one `DELETE` apiece: `GET /users/{u}/disconnect` would kick this session
//! too.

use crate::error::error_from_rest;
use crate::rest::types::{ResourceInfo, ResultData};
use crate::rest::AppKey;
use std::time::Duration;
use unim_core::{Device, Error, Secret};

/// Where and as whom the calls go.
pub(crate) struct DeviceApi<'a> {
    pub(crate) rest_url: &'a str,
    pub(crate) app_key: &'a str,
    pub(crate) user: &'a str,
    pub(crate) token: &'a Secret,
    pub(crate) timeout: Duration,
}

impl DeviceApi<'_> {
    /// Every online device of the user (this one included), as the server lists them.
    pub(crate) async fn list(&self) -> Result<Vec<ResourceInfo>, Error> {
        let data = self.request(reqwest::Method::GET, &["users", self.user, "resources"], &[], None).await?;
        serde_json::from_value(data.get("data").cloned().unwrap_or_else(|| serde_json::json!([])))
            .map_err(|e| Error::protocol(format!("Easemob's device list is malformed: {e}")))
    }

    /// Kicks the device whose resource is `res`; whether one was online.
    pub(crate) async fn kick(&self, res: &str) -> Result<bool, Error> {
        let data = self.request(reqwest::Method::DELETE, &["users", self.user, "disconnect", res], &[], None).await?;
        let result: ResultData = serde_json::from_value(data.get("data").cloned().unwrap_or_default())
            .map_err(|e| Error::protocol(format!("Easemob's device kick reply is malformed: {e}")))?;
        Ok(result.result)
    }

    /// Calls `{method} {rest_url}/{org}/{app}/{segments...}?{query}` with the
    /// user token and `body` as JSON; the answer's JSON object, or the
    /// mapped Easemob error.
    pub(crate) async fn request(
        &self,
        method: reqwest::Method,
        segments: &[&str],
        query: &[(&str, String)],
        body: Option<&serde_json::Value>,
    ) -> Result<serde_json::Value, Error> {
        let what = format!("{method} /{}", segments.join("/"));
        let app_key = AppKey::parse(self.app_key)?;
        let mut url = url::Url::parse(self.rest_url)
            .map_err(|e| Error::invalid_input(format!("Easemob REST URL {:?} is not a URL: {e}", self.rest_url)))?;
        if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
            return Err(Error::invalid_input(format!(
                "Easemob REST URL {:?} must be an http(s) base URL",
                self.rest_url
            )));
        }
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend([app_key.org(), app_key.app()]).extend(segments);
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        let http = reqwest::Client::builder()
            .timeout(self.timeout)
            .build()
            .map_err(|e| Error::unavailable(format!("cannot set up the HTTP client: {}", e.without_url())))?;
        let mut request = http
            .request(method, url)
            .bearer_auth(self.token.expose())
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| Error::unavailable(format!("cannot reach Easemob for {what}: {}", e.without_url())))?;
        let status = response.status().as_u16();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| Error::unavailable(format!("Easemob's answer to {what} was cut off: {}", e.without_url())))?;
        let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
        if !(200..300).contains(&status) {
            let text = |k: &str| json.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
            return Err(error_from_rest(status, &text("error"), &text("error_description"), None));
        }
        if !json.is_object() {
            return Err(Error::protocol(format!("Easemob's answer to {what} is not a JSON object")));
        }
        Ok(json)
    }
}

/// The listed devices other than the one with resource `own`.
pub(crate) fn others(listed: Vec<ResourceInfo>, own: &str) -> Vec<Device> {
    listed.into_iter().filter(|r| r.res != own).map(|r| r.device()).collect()
}
