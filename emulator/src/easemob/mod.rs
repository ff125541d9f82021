//! The Easemob face: the server REST API under `/{org_name}/{app_name}/...`
//! (easemob.md sections 1-3, `rest.rs`) and the msync web client link
//! (`GET /websocket`, docs/protocols/easemob.md, `link.rs`) on one port, with
//! the face's own users, passwords and tokens in `store.rs`. `serve` merges
//! the link's routes beside the REST routes; the link authenticates logins
//! with `Store::check_user_token` and `Store::check_password`.
//!
//! **Messages** (`chat.rs`) come in over msync SYNC sends and REST
//! `POST /messages/users`; both store through the engine (19-digit ids,
//! per-user conversation lists and unread counts) and deliver through the
//! msync queues.
//!
//! **Kicks for the link.** The engine's [`crate::LinkSignal::Kicked`] carries
//! the neutral reason of a kick (deletion, password change, forced logout of
//! every device or of one, ban); the msync face turns it into Easemob's kick
//! signal.

mod chat;
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
use unim_core::DisconnectReason;
use unim_easemob::rest::AppKey;

/// Easemob's default multi-device rule (easemob.md 6.3): four devices per
/// platform, no overall limit, and the newest login pushes out the
/// platform's oldest device, which is told 206 (`USER_LOGIN_ANOTHER_DEVICE`,
/// [`DisconnectReason::KickedByOtherLogin`]). (214 `TOO_MANY_DEVICES` is what
/// a refused login is told, not an evicted device.)
pub const DEFAULT_POLICY: DevicePolicy =
    DevicePolicy { per_platform: 4, per_class: 0, total: 0, evicted_reason: DisconnectReason::KickedByOtherLogin };

/// The app the Easemob face pretends to be.
#[derive(Clone)]
pub struct EasemobSettings {
    /// The port (0: any free port).
    pub port: u16,
    /// `org_name` of the app key.
    pub org: String,
    /// `app_name` of the app key.
    pub app: String,
    /// The app's Client ID.
    pub client_id: String,
    /// The app's Client Secret.
    pub client_secret: String,
    /// Who may be online at once (default: [`DEFAULT_POLICY`]).
    pub policy: DevicePolicy,
    /// The app's registration mode (easemob.md 3.1, "Registration": the
    /// console switches an app between open and authorized registration).
    /// `true` (open): `POST /users` with a single user object registers
    /// without a token, as the web SDK's own `registerUser()` sends it
    /// (docs/protocols/easemob.md 2.1); batches (arrays) still need the app
    /// token. `false` (authorized): every registration needs the app token,
    /// else 401 `unauthorized` "Open registration doesn't allow, so register
    /// user need token". A registration that carries a token is checked the
    /// same way in both modes.
    ///
    /// Default `true`, so that the official SDK's registration works against
    /// the emulator out of the box; authorized mode stays available
    /// (`unim emulator serve --vendor easemob --closed-registration`).
    pub open_registration: bool,
}

impl std::fmt::Debug for EasemobSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EasemobSettings")
            .field("port", &self.port)
            .field("org", &self.org)
            .field("app", &self.app)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("policy", &self.policy)
            .field("open_registration", &self.open_registration)
            .finish()
    }
}

/// `YXA6` and `len` random base64url characters, the shape of the console's
/// Client IDs and Secrets (easemob.md 1.2).
fn console_credential(len: usize) -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut rng = rand::thread_rng();
    let tail: String = (0..len).map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())])).collect();
    format!("YXA6{tail}")
}

impl Default for EasemobSettings {
    /// The app `unim#demo` with a random Client ID and Secret, on any free port.
    fn default() -> Self {
        EasemobSettings {
            port: 0,
            org: "unim".into(),
            app: "demo".into(),
            client_id: console_credential(22),
            client_secret: console_credential(27),
            policy: DEFAULT_POLICY,
            open_registration: true,
        }
    }
}

/// What a client needs to reach the Easemob face (the JSON line that
/// `unim emulator serve --vendor easemob` prints).
#[derive(Clone, Serialize)]
pub struct EasemobEndpoint {
    /// Always `easemob`.
    pub vendor: &'static str,
    /// Base URL of the REST API (the SDK's `apiUrl`; calls go to
    /// `{rest_url}/{org_name}/{app_name}/...`).
    pub rest_url: String,
    /// The msync WebSocket URL, used verbatim (the SDK's `url`).
    pub ws_url: String,
    /// The app key, `org_name#app_name`.
    pub app_key: String,
    /// The app's Client ID.
    pub client_id: String,
    /// The app's Client Secret.
    pub client_secret: String,
}

impl std::fmt::Debug for EasemobEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EasemobEndpoint")
            .field("rest_url", &self.rest_url)
            .field("ws_url", &self.ws_url)
            .field("app_key", &self.app_key)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .finish()
    }
}

/// Shared state of the Easemob face.
pub(crate) struct Face {
    pub(crate) engine: Arc<Engine>,
    pub(crate) settings: EasemobSettings,
    pub(crate) app_key: AppKey,
    /// The app's UUID (`application` in answers).
    pub(crate) app_uuid: String,
    /// `http://host:port`, for the `uri` field of answers.
    pub(crate) rest_url: String,
    pub(crate) store: store::Store,
    /// The msync queues (shared by the link, the REST message API and the test controls).
    pub(crate) queues: Arc<link::Queues>,
    /// What each stored message's sender wrote.
    pub(crate) payloads: chat::Payloads,
}

/// Binds the face and serves it in the background.
pub(crate) async fn serve(
    engine: Arc<Engine>,
    host: IpAddr,
    settings: EasemobSettings,
) -> Result<(EasemobEndpoint, Control, JoinHandle<()>), EmulatorError> {
    let app_key = AppKey::new(&settings.org, &settings.app).map_err(|e| EmulatorError::Settings(e.message))?;
    if settings.client_id.is_empty() || settings.client_secret.is_empty() {
        return Err(EmulatorError::Settings("the Easemob Client ID and Client Secret must not be empty".into()));
    }
    let listener = bind(SocketAddr::new(host, settings.port)).await?;
    let addr =
        listener.local_addr().map_err(|source| EmulatorError::Bind { addr: SocketAddr::new(host, 0), source })?;
    let rest_url = format!("http://{addr}");
    let endpoint = EasemobEndpoint {
        vendor: "easemob",
        rest_url: rest_url.clone(),
        ws_url: format!("ws://{addr}/websocket"),
        app_key: app_key.to_string(),
        client_id: settings.client_id.clone(),
        client_secret: settings.client_secret.clone(),
    };
    let store = store::Store::new(Arc::clone(&engine));
    let queues = Arc::new(link::Queues::default());
    let face = Arc::new(Face {
        engine,
        settings,
        app_key,
        app_uuid: store::random_uuid(),
        rest_url,
        store,
        queues: Arc::clone(&queues),
        payloads: chat::Payloads::default(),
    });
    let control = Control { face: Arc::clone(&face), queues: Arc::clone(&queues) };
    let app: Router = rest::routes(Arc::clone(&face)).merge(link::routes(face, queues));
    let server = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!("easemob face stopped: {e}");
        }
    });
    Ok((endpoint, control, server))
}

/// The Easemob face's test controls (behind [`crate::Emulator`]'s
/// `easemob_*` methods): the face and its msync queues.
pub(crate) struct Control {
    face: Arc<Face>,
    queues: Arc<link::Queues>,
}

impl std::fmt::Debug for Control {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Control").field("app_key", &self.face.app_key.to_string()).finish_non_exhaustive()
    }
}

impl Control {
    /// See [`crate::Emulator::easemob_inject_text`].
    pub(crate) fn inject_text(&self, from: &str, to: &str, text: &str) -> Result<u64, String> {
        link::inject_text(&self.face, &self.queues, from, to, text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_redaction() {
        let s = EasemobSettings::default();
        assert_eq!((s.org.as_str(), s.app.as_str(), s.port), ("unim", "demo", 0));
        assert!(s.client_id.starts_with("YXA6") && s.client_secret.starts_with("YXA6"));
        assert_ne!(s.client_secret, EasemobSettings::default().client_secret);
        assert_eq!(s.policy, DEFAULT_POLICY);
        assert!(s.open_registration);
        let printed = format!("{s:?}");
        assert!(!printed.contains(&s.client_secret) && printed.contains(&s.client_id), "{printed}");
    }
}
