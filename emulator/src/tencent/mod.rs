//! The Tencent Cloud IM face: the server REST API under `/v4/...` (tencent.md
//! section 2) and the web client protocol at `/binfo` that `@tencentcloud/chat`
//! speaks (docs/protocols/tencent.md), both on one port.

pub(crate) mod group_push;
mod groups;
mod history;
mod link;
mod mailbox;
mod rest;
mod rest_msg;

use crate::{bind, DevicePolicy, EmulatorError, Engine};
use axum::Router;
use serde::Serialize;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use tokio::task::JoinHandle;
use unim_tencent::usersig::{DecodedUserSig, UserSigError, UserSigKey};

/// The app the Tencent face pretends to be.
#[derive(Clone)]
pub struct TencentSettings {
    /// The port (0: any free port).
    pub port: u16,
    /// The SDKAppID.
    pub sdkappid: u64,
    /// The app's secret key, which signs every UserSig.
    pub secret_key: String,
    /// The App admin account REST calls must come from.
    pub admin: String,
    /// Who may be online at once (default: one device, tencent.md section 4).
    pub policy: DevicePolicy,
}

impl std::fmt::Debug for TencentSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TencentSettings")
            .field("port", &self.port)
            .field("sdkappid", &self.sdkappid)
            .field("secret_key", &"<redacted>")
            .field("admin", &self.admin)
            .field("policy", &self.policy)
            .finish()
    }
}

impl Default for TencentSettings {
    /// A fresh app with a random 64-hex-digit key, like the console issues.
    fn default() -> Self {
        use rand::Rng;
        let mut rng = rand::thread_rng();
        let secret_key: String = (0..64).map(|_| char::from_digit(rng.gen_range(0..16), 16).unwrap_or('0')).collect();
        TencentSettings {
            port: 0,
            sdkappid: 1_400_000_001,
            secret_key,
            admin: "administrator".into(),
            policy: DevicePolicy::SINGLE_DEVICE,
        }
    }
}

/// What a client needs to reach the Tencent face (the JSON line that
/// `unim emulator serve --vendor tencent` prints).
#[derive(Clone, Serialize)]
pub struct TencentEndpoint {
    /// Always `tencent`.
    pub vendor: &'static str,
    /// Base URL of the REST API (`{rest_url}/v4/...`).
    pub rest_url: String,
    /// The web client protocol's WebSocket base (the SDK's `proxyServer`).
    pub ws_url: String,
    /// The SDKAppID.
    pub sdkappid: u64,
    /// The app secret key.
    pub secret_key: String,
    /// The App admin account.
    pub admin: String,
}

impl std::fmt::Debug for TencentEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TencentEndpoint")
            .field("rest_url", &self.rest_url)
            .field("ws_url", &self.ws_url)
            .field("sdkappid", &self.sdkappid)
            .field("secret_key", &"<redacted>")
            .field("admin", &self.admin)
            .finish()
    }
}

/// Shared state of the Tencent face.
pub(crate) struct Face {
    pub(crate) engine: Arc<Engine>,
    pub(crate) settings: TencentSettings,
    pub(crate) key: UserSigKey,
    /// The link's login sessions and links (REST sends push through it too).
    pub(crate) store: Arc<link::store::Store>,
    /// Message feeds and delivery.
    pub(crate) mailbox: mailbox::Mailbox,
}

/// TinyIds look like Tencent's: 18 digits starting 144115.
const TINYID_BASE: u64 = 144_115_000_000_000_000;

/// A stable TinyId for `user`: the same user always gets the same one
/// (FNV-1a of the UserID, in Tencent's 18-digit range).
pub(crate) fn tiny_id(user: &str) -> u64 {
    use std::hash::Hasher;
    let mut hasher = fnv::FnvHasher::default();
    hasher.write(user.as_bytes());
    TINYID_BASE + hasher.finish() % 1_000_000_000_000
}

/// A UserSig refused, with the server code Tencent gives for it (tencent.md 1.2, 3).
#[derive(Debug, Clone)]
pub(crate) struct SigRefusal {
    pub(crate) code: i64,
    pub(crate) message: String,
}

impl Face {
    /// Verifies `sig` for `user` on the face's clock, including revocation by a
    /// REST kick (credentials issued before the kick stop working).
    pub(crate) fn check_user_sig(&self, user: &str, sig: &str) -> Result<DecodedUserSig, SigRefusal> {
        let decoded = self
            .key
            .verify(user, sig, self.engine.now())
            .map_err(|e: UserSigError| SigRefusal { code: e.vendor_code(), message: e.to_string() })?;
        if self.engine.is_revoked(user, decoded.time) {
            return Err(SigRefusal {
                code: 70001,
                message: "UserSig was issued before the account was kicked; issue a new one".into(),
            });
        }
        Ok(decoded)
    }
}

/// Binds the face and serves it in the background.
pub(crate) async fn serve(
    engine: Arc<Engine>,
    host: IpAddr,
    settings: TencentSettings,
) -> Result<(TencentEndpoint, JoinHandle<()>), EmulatorError> {
    if settings.secret_key.is_empty() {
        return Err(EmulatorError::Settings("the Tencent secret key must not be empty".into()));
    }
    let listener = bind(SocketAddr::new(host, settings.port)).await?;
    let addr =
        listener.local_addr().map_err(|source| EmulatorError::Bind { addr: SocketAddr::new(host, 0), source })?;
    let endpoint = TencentEndpoint {
        vendor: "tencent",
        rest_url: format!("http://{addr}"),
        ws_url: format!("ws://{addr}"),
        sdkappid: settings.sdkappid,
        secret_key: settings.secret_key.clone(),
        admin: settings.admin.clone(),
    };
    let key = UserSigKey::new(settings.sdkappid, &settings.secret_key);
    let store = Arc::new(link::store::Store::default());
    let face = Arc::new(Face { engine, settings, key, store, mailbox: mailbox::Mailbox::default() });
    let app: Router = rest::routes(Arc::clone(&face)).merge(link::routes(face));
    let server = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!("tencent face stopped: {e}");
        }
    });
    Ok((endpoint, server))
}
