//! Getting onto the link: the LBS lookup, the socket.io handshake, the
//! WebSocket, the `2_3` login and the `6_26` + `5_1` sync that follows every
//! login (docs/protocols/netease.md 2.1-2.3, 4.1, 4.2, 5.1).

use super::connection::{Connection, LinkEvent};
use crate::error::{error_from_login, kick_reason, login_disconnect};
use crate::link::ids::{login, login_res, sync};
use crate::link::{cmd, ClientType, Handshake, Param, Property, Response};
use crate::VENDOR;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use unim_core::{Disconnect, DisconnectReason, Error, Secret, VendorError};

/// The protocol level unim speaks: the web SDK's `sdkVersion` (tag 6) and
/// the LBS `sv` parameter of the release the protocol note was written from.
pub(crate) const SDK_VERSION: &str = "92112";

/// The `libEnv` (tag 44) unim reports.
const LIB_ENV: &str = "unim";

/// Why a login attempt failed.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The server could not be reached or the link broke: worth retrying.
    Network(Error),
    /// The server refused the login (or kicked it during its sync): the
    /// error for the caller and the disconnect it means.
    Refused(Error, Box<Disconnect>),
}

impl Failure {
    /// The error and the disconnect (a network failure's is `Network`).
    pub(crate) fn into_parts(self) -> (Error, Disconnect) {
        match self {
            Failure::Network(e) => (e, Disconnect::new(DisconnectReason::Network)),
            Failure::Refused(e, why) => (e, *why),
        }
    }
}

/// Everything one `2_3` login sends.
pub(crate) struct Target<'a> {
    pub(crate) app_key: &'a str,
    pub(crate) accid: &'a str,
    pub(crate) token: &'a Secret,
    /// The token is a dynamic one (authType 1, tag 115).
    pub(crate) dynamic: bool,
    pub(crate) client_type: ClientType,
    pub(crate) device_id: &'a str,
    /// The per-session id (tag 26), stable across reconnects.
    pub(crate) session_tag: &'a str,
    /// `true` on a manual login, `false` on an automatic re-login (tag 8).
    pub(crate) app_login: bool,
    pub(crate) secure: bool,
    pub(crate) timeout: Duration,
    /// The device list the connection keeps up to date.
    pub(crate) ports: Arc<std::sync::Mutex<super::devices::Ports>>,
}

impl Target<'_> {
    /// The login Property (netease.md 4.1).
    fn login_property(&self) -> Property {
        let mut p = Property::new()
            .with(login::CLIENT_TYPE, self.client_type.code())
            .with(login::OS, std::env::consts::OS)
            .with(login::SDK_VERSION, SDK_VERSION)
            .with(login::APP_LOGIN, i64::from(self.app_login))
            .with(login::PROTOCOL_VERSION, 1)
            .with(login::DEVICE_ID, self.device_id)
            .with(login::APP_KEY, self.app_key)
            .with(login::ACCOUNT, self.accid)
            .with(login::SESSION, self.session_tag)
            .with(login::LIB_ENV, LIB_ENV)
            .with(login::TOKEN, self.token.expose());
        // Tag 115 only when non-zero, as the SDK sends it.
        if self.dynamic {
            p.set(login::AUTH_TYPE, 1);
        }
        p
    }
}

/// A login the server accepted.
pub(crate) struct LoggedIn {
    pub(crate) conn: Arc<Connection>,
    /// This connection's id (loginRes 102), when the server gave one.
    pub(crate) connection_id: Option<String>,
    /// The account's other online devices (loginPorts).
    pub(crate) ports: Vec<Property>,
}

fn http_client(timeout: Duration) -> Result<reqwest::Client, Error> {
    reqwest::Client::builder()
        .timeout(timeout)
        .build()
        .map_err(|e| Error::unavailable(format!("cannot set up the HTTP client: {}", e.without_url())))
}

/// The link addresses (`host:port`) to try: the LBS's `common.link`, then
/// its `link.default`, then `default_link` (netease.md 2.1). An LBS that
/// fails is only an error when there is no default link.
pub(crate) async fn links(
    lbs_url: &str,
    app_key: &str,
    accid: &str,
    default_link: Option<&str>,
    timeout: Duration,
) -> Result<Vec<String>, Error> {
    let mut out = match lbs(lbs_url, app_key, accid, timeout).await {
        Ok(list) => list,
        Err(e) if default_link.is_some() => {
            tracing::info!("LBS lookup failed, using the default link: {e}");
            Vec::new()
        }
        Err(e) => return Err(e),
    };
    if let Some(link) = default_link {
        out.push(link.to_owned());
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|l| seen.insert(l.clone()));
    if out.is_empty() {
        return Err(Error::unavailable("the NetEase LBS named no link address and no default link is set"));
    }
    Ok(out)
}

async fn lbs(lbs_url: &str, app_key: &str, accid: &str, timeout: Duration) -> Result<Vec<String>, Error> {
    let mut url = url::Url::parse(lbs_url)
        .map_err(|e| Error::invalid_input(format!("the NetEase LBS URL {lbs_url:?} is not a URL: {e}")))?;
    url.query_pairs_mut()
        .append_pair("k", app_key)
        .append_pair("id", accid)
        .append_pair("sv", SDK_VERSION)
        .append_pair("pv", "1")
        .append_pair("networkType", "0");
    let response = http_client(timeout)?
        .get(url)
        .send()
        .await
        .map_err(|e| Error::unavailable(format!("cannot reach the NetEase LBS: {}", e.without_url())))?;
    if !response.status().is_success() {
        return Err(Error::unavailable(format!("the NetEase LBS answered HTTP {}", response.status())));
    }
    let json: serde_json::Value = response
        .json()
        .await
        .map_err(|e| Error::protocol(format!("the NetEase LBS answer is not JSON: {}", e.without_url())))?;
    Ok(lbs_links(&json))
}

/// `common.link` then `common["link.default"]` of an LBS answer.
pub(crate) fn lbs_links(json: &serde_json::Value) -> Vec<String> {
    let common = &json["common"];
    ["link", "link.default"]
        .iter()
        .filter_map(|k| common[*k].as_array())
        .flatten()
        .filter_map(|v| v.as_str())
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Logs in on the first of `links` that answers: handshake, WebSocket,
/// `1::`, then `2_3`. `on_auth` runs when `2_3` is sent (the `logging`
/// phase). A refusal ends the attempt at once: another address would
/// refuse the same login.
pub(crate) async fn login(
    target: &Target<'_>,
    links: &[String],
    framing: Arc<dyn crate::link::Framing>,
    ser: Arc<AtomicU64>,
    events: mpsc::UnboundedSender<(u64, LinkEvent)>,
    on_auth: impl Fn(),
) -> Result<LoggedIn, Failure> {
    let mut last = None;
    for link in links {
        match open(target, link, Arc::clone(&framing), Arc::clone(&ser), events.clone()).await {
            Ok(conn) => {
                on_auth();
                return send_login(target, conn).await;
            }
            Err(e) => {
                tracing::info!("NetEase link {link} failed: {e}");
                last = Some(e);
            }
        }
    }
    Err(Failure::Network(last.unwrap_or_else(|| Error::unavailable("no NetEase link address to try"))))
}

/// The socket.io handshake and the WebSocket, up to the server's `1::`.
async fn open(
    target: &Target<'_>,
    link: &str,
    framing: Arc<dyn crate::link::Framing>,
    ser: Arc<AtomicU64>,
    events: mpsc::UnboundedSender<(u64, LinkEvent)>,
) -> Result<Arc<Connection>, Error> {
    let (http, ws) = if target.secure { ("https", "wss") } else { ("http", "ws") };
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
    let response = http_client(target.timeout)?
        .get(format!("{http}://{link}/socket.io/1/?t={t}"))
        .send()
        .await
        .map_err(|e| Error::unavailable(format!("socket.io handshake failed: {}", e.without_url())))?;
    if !response.status().is_success() {
        return Err(Error::unavailable(format!("the socket.io handshake answered HTTP {}", response.status())));
    }
    let body = response
        .text()
        .await
        .map_err(|e| Error::unavailable(format!("the socket.io handshake was cut off: {}", e.without_url())))?;
    let handshake = Handshake::parse(&body).map_err(|e| Error::protocol(e.to_string()))?;
    if !handshake.offers_websocket() {
        return Err(Error::protocol("the socket.io server does not offer the websocket transport"));
    }
    let url = format!("{ws}://{link}/socket.io/1/websocket/{}", handshake.sid);
    Connection::open(&url, framing, ser, Arc::clone(&target.ports), target.timeout, events).await
}

/// Sends `2_3` and reads its reply (netease.md 4.1, 4.2).
async fn send_login(target: &Target<'_>, conn: Arc<Connection>) -> Result<LoggedIn, Failure> {
    let q = vec![Param::property(target.login_property())];
    let reply = conn.request(cmd::LOGIN, q, target.timeout).await.map_err(|e| {
        conn.close();
        Failure::Network(e)
    })?;
    if reply.code != crate::error::code::OK {
        // The SDK leaves by itself after a refusal: `0::`, then the close.
        conn.close();
        return Err(refusal(reply.code));
    }
    let connection_id = reply.property(0).ok().and_then(|p| p.str(login_res::CONNECTION_ID));
    let ports = reply.properties(1).unwrap_or_default();
    Ok(LoggedIn { conn, connection_id, ports })
}

/// A refused `2_3`: the neutral error, and the disconnect with the code kept.
pub(crate) fn refusal(code: i64) -> Failure {
    let error = error_from_login(code, "");
    let vendor = VendorError::new(VENDOR, code, error.message.clone());
    let why = Disconnect::new(login_disconnect(code)).with_vendor(vendor);
    Failure::Refused(error, Box::new(why))
}

/// The sync after every login: `6_26` (its answer does not matter), then
/// `5_1` with zero timetags; the `5_1` reply is "sync done" (netease.md
/// 5.1, 5.2). Pushes before it (`4_4` offline messages) reach the
/// supervisor's channel first, since the reader keeps the order.
pub(crate) async fn sync(conn: &Connection, timeout: Duration) -> Result<(), Error> {
    if let Err(e) = conn.request(cmd::NOS_CDN_HOST, Vec::new(), timeout).await {
        if e.kind != unim_core::ErrorKind::Timeout {
            return Err(e);
        }
        tracing::debug!("6_26 went unanswered: {e}");
    }
    let reply = conn.request(cmd::SYNC, vec![Param::property(sync_property())], timeout).await?;
    if reply.code != crate::error::code::OK {
        return Err(crate::error::error_from_api(reply.code, "5_1 sync refused"));
    }
    Ok(())
}

/// The `5_1` Property: every timetag 0, since unim keeps no local data yet.
fn sync_property() -> Property {
    [sync::MY_INFO, sync::OFFLINE_MSGS, sync::TEAMS, sync::ROAMING_MSGS]
        .into_iter()
        .fold(Property::new(), |p, tag| p.with(tag, 0))
}

/// The kick a `2_5` push carries (netease.md 6.1): the neutral reason
/// (`Other` for a reason the SDK does not know either), the vendor code =
/// the reason with the SDK's reason name, and the kicker's platform.
pub(crate) fn kick_of(push: &Response) -> Disconnect {
    let from = push.int(0).unwrap_or(0);
    let reason = push.int(1).unwrap_or(0);
    let custom = push.value(2).ok().and_then(|v| v.as_str()).unwrap_or_default().to_owned();
    let kicker = ClientType::from_code(from);
    let kicker_name = kicker.map(|t| t.name().to_owned()).unwrap_or_else(|| from.to_string());
    let reason_name = crate::error::kick_reason_name(reason);
    let mut message = format!("kicked ({reason_name}) by {kicker_name}");
    if !custom.is_empty() {
        message.push_str(&format!(", extension {custom:?}"));
    }
    let mut vendor = VendorError::new(VENDOR, reason, message);
    vendor.name = Some(reason_name.to_owned());
    let platform = kicker.map(ClientType::platform).unwrap_or_else(|| unim_core::Platform::Other(kicker_name));
    let mut why = Disconnect::new(kick_reason(reason).unwrap_or(DisconnectReason::Other)).with_vendor(vendor);
    why.by = Some(unim_core::Device::new(platform));
    why
}

/// The error a login gets when the server kicks it during its sync: the
/// kick's reason in words, its vendor detail kept.
pub(crate) fn kick_error(why: &Disconnect) -> Error {
    let mut e = Error::new(unim_core::ErrorKind::Other, format!("the login was ended during its sync: {}", why.reason));
    e.vendor = why.vendor.clone();
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lbs_answers_list_links_then_defaults() {
        let json = serde_json::json!({"common": {"link": ["a:1", ""], "link.default": ["b:2"], "x": 1}});
        assert_eq!(lbs_links(&json), ["a:1", "b:2"]);
        assert!(lbs_links(&serde_json::json!({"oops": true})).is_empty());
        assert!(lbs_links(&serde_json::json!([])).is_empty());
    }

    #[test]
    fn the_login_property_has_the_sdk_tags_and_auth_type_only_when_dynamic() {
        let token = Secret::new("tok-123");
        let mut target = Target {
            app_key: "k",
            accid: "alice",
            token: &token,
            dynamic: false,
            client_type: ClientType::Web,
            device_id: "dev",
            session_tag: "sess",
            app_login: true,
            secure: false,
            timeout: Duration::from_secs(1),
            ports: Arc::default(),
        };
        let p = target.login_property();
        assert_eq!(p.int(login::CLIENT_TYPE), Some(16));
        assert_eq!(p.int(login::APP_LOGIN), Some(1));
        assert_eq!(p.int(login::PROTOCOL_VERSION), Some(1));
        assert_eq!(p.str(login::SESSION).as_deref(), Some("sess"));
        assert_eq!(p.get(login::AUTH_TYPE), None);
        assert!(!format!("{p:?}").contains("tok-123"));
        target.dynamic = true;
        target.app_login = false;
        let p = target.login_property();
        assert_eq!((p.int(login::AUTH_TYPE), p.int(login::APP_LOGIN)), (Some(1), Some(0)));
    }

    #[test]
    fn kicks_name_the_reason_and_the_kicker() {
        let push = Response::push(cmd::KICKED, vec![16.into(), 1.into(), "".into(), 0.into()]);
        let why = kick_of(&push);
        assert_eq!(why.reason, DisconnectReason::KickedByOtherLogin);
        assert_eq!(why.by.as_ref().map(|d| &d.platform), Some(&unim_core::Platform::Web));
        let v = why.vendor.unwrap();
        assert_eq!((v.code, v.name.as_deref()), (1, Some("samePlatformKick")));
        assert!(v.message.contains("Web"), "{}", v.message);
        let why = kick_of(&Response::push(cmd::KICKED, vec![32.into(), 2.into(), "bye".into(), 0.into()]));
        assert_eq!(why.reason, DisconnectReason::KickedByServer);
        assert!(why.vendor.unwrap().message.contains("Server"));
        assert_eq!(kick_of(&Response::push(cmd::KICKED, vec![4.into(), 3.into()])).reason, {
            DisconnectReason::KickedByOwnDevice
        });
        assert_eq!(kick_of(&Response::push(cmd::KICKED, vec![])).reason, DisconnectReason::Other);
    }

    #[test]
    fn refusals_keep_the_code() {
        let (e, why) = refusal(302).into_parts();
        assert_eq!(e.kind, unim_core::ErrorKind::Unauthenticated);
        assert_eq!(why.reason, DisconnectReason::AuthFailed);
        assert_eq!(why.vendor.map(|v| v.code), Some(302));
        assert_eq!(refusal(422).into_parts().1.reason, DisconnectReason::Banned);
        assert_eq!(refusal(416).into_parts().1.reason, DisconnectReason::Network);
    }
}
