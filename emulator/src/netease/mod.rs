//! The NetEase face: the CheckSum-signed server API under `/nimserver`
//! (netease.md sections 1-3, `rest/`) and the web client protocol of
//! `@yxim/nim-web-sdk` (LBS, socket.io 0.9, JSON packets,
//! docs/protocols/netease.md, `link/`) on one port, with the face's accounts
//! in `store.rs`.
//!
//! **Kicks for the link.** The engine's [`crate::LinkSignal::Kicked`] carries
//! the neutral reason; the link turns it into the 2_5 push with NetEase's
//! reason code (`unim_netease::error::kick_reason_code`: 1 another login of
//! the same kind, 2 the server, 3 another own device) and the kicker's
//! client type.

pub(crate) mod group_push;
mod link;
mod rest;
pub(crate) mod store;

use crate::{bind, DevicePolicy, EmulatorError, Engine};
use axum::Router;
use serde::Serialize;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use tokio::task::JoinHandle;

/// NetEase's default multi-device mode (netease.md 4.4, mode 2): at most one
/// desktop (PC, Web) and one mobile (Android, iOS) device online; a new login
/// evicts the old one of its kind, which is told kick reason 1.
pub const DEFAULT_POLICY: DevicePolicy = DevicePolicy::ONE_DESKTOP_ONE_MOBILE;

/// How old a server API request's `CurTime` may be (netease.md 1.1: five minutes).
pub const CHECKSUM_WINDOW_SECS: u64 = 300;

/// The app the NetEase face pretends to be.
#[derive(Clone)]
pub struct NeteaseSettings {
    /// The port (0: any free port).
    pub port: u16,
    /// The app key (32 hex digits on the console).
    pub app_key: String,
    /// The app secret (12 hex digits on the console).
    pub app_secret: String,
    /// Who may be online at once (default: [`DEFAULT_POLICY`]).
    pub policy: DevicePolicy,
}

impl std::fmt::Debug for NeteaseSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NeteaseSettings")
            .field("port", &self.port)
            .field("app_key", &self.app_key)
            .field("app_secret", &"<redacted>")
            .field("policy", &self.policy)
            .finish()
    }
}

fn random_hex(digits: usize) -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    (0..digits).map(|_| char::from_digit(rng.gen_range(0..16), 16).unwrap_or('0')).collect()
}

impl Default for NeteaseSettings {
    /// A random app key and secret in the console's shapes, on any free port.
    fn default() -> Self {
        NeteaseSettings { port: 0, app_key: random_hex(32), app_secret: random_hex(12), policy: DEFAULT_POLICY }
    }
}

/// What a client needs to reach the NetEase face (the JSON line that
/// `unim emulator serve --vendor netease` prints).
#[derive(Clone, Serialize)]
pub struct NeteaseEndpoint {
    /// Always `netease`.
    pub vendor: &'static str,
    /// Base URL of the server API: `{rest_url}/user/create.action`; the v2
    /// API is served under it too (`{rest_url}/im/v2/...`), as the official
    /// server SDKs address it.
    pub rest_url: String,
    /// The LBS URL (the web SDK's `lbsUrl`).
    pub lbs_url: String,
    /// The link address `host:port` (the web SDK's `defaultLink`).
    pub link: String,
    /// The app key.
    pub app_key: String,
    /// The app secret.
    pub app_secret: String,
}

impl std::fmt::Debug for NeteaseEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NeteaseEndpoint")
            .field("rest_url", &self.rest_url)
            .field("lbs_url", &self.lbs_url)
            .field("link", &self.link)
            .field("app_key", &self.app_key)
            .field("app_secret", &"<redacted>")
            .finish()
    }
}

/// Shared state of the NetEase face.
pub(crate) struct Face {
    pub(crate) engine: Arc<Engine>,
    pub(crate) settings: NeteaseSettings,
    /// `host:port` of the link, for the LBS answer.
    pub(crate) link_addr: String,
    pub(crate) store: store::Store,
    /// The link side's state (connections, message routing).
    pub(crate) links: link::Links,
}

/// Binds the face and serves it in the background.
pub(crate) async fn serve(
    engine: Arc<Engine>,
    host: IpAddr,
    settings: NeteaseSettings,
) -> Result<(NeteaseEndpoint, Control, JoinHandle<()>), EmulatorError> {
    if settings.app_key.is_empty() || settings.app_secret.is_empty() {
        return Err(EmulatorError::Settings("the NetEase app key and app secret must not be empty".into()));
    }
    let listener = bind(SocketAddr::new(host, settings.port)).await?;
    let addr =
        listener.local_addr().map_err(|source| EmulatorError::Bind { addr: SocketAddr::new(host, 0), source })?;
    let endpoint = NeteaseEndpoint {
        vendor: "netease",
        rest_url: format!("http://{addr}/nimserver"),
        lbs_url: format!("http://{addr}/lbs/webconf.jsp"),
        link: addr.to_string(),
        app_key: settings.app_key.clone(),
        app_secret: settings.app_secret.clone(),
    };
    let store = store::Store::new(Arc::clone(&engine));
    let face = Arc::new(Face { engine, settings, link_addr: addr.to_string(), store, links: link::Links::default() });
    let control = Control { face: Arc::clone(&face) };
    let app: Router = rest::routes(Arc::clone(&face)).merge(link::routes(face));
    let server = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!("netease face stopped: {e}");
        }
    });
    Ok((endpoint, control, server))
}

/// The NetEase face's test controls (behind [`crate::Emulator`]'s `netease_*` methods).
pub(crate) struct Control {
    face: Arc<Face>,
}

impl std::fmt::Debug for Control {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Control").field("app_key", &self.face.settings.app_key).finish_non_exhaustive()
    }
}

impl Control {
    /// See [`crate::Emulator::netease_inject_text`].
    pub(crate) fn inject_text(&self, from: &str, to: &str, text: &str) -> Result<String, String> {
        link::inject_text(&self.face, from, to, text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_redaction() {
        let s = NeteaseSettings::default();
        assert_eq!((s.app_key.len(), s.app_secret.len(), s.port), (32, 12, 0));
        assert_ne!(s.app_secret, NeteaseSettings::default().app_secret);
        assert_eq!(s.policy, DEFAULT_POLICY);
        let printed = format!("{s:?}");
        assert!(!printed.contains(&s.app_secret) && printed.contains(&s.app_key), "{printed}");
    }
}
