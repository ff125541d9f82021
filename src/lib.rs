//! # unim — one instant-messaging API, any vendor
//!
//! Applications log in, follow their connection and (in later versions) talk
//! in conversations and groups through one vendor-neutral model, and switch
//! between Tencent Cloud IM, Easemob and NetEase Yunxin style backends by
//! configuration. This facade re-exports the neutral model ([`unim_core`]),
//! the vendor adapters (one cargo feature each), the embedded emulator, and
//! offers [`connect`] to build a session from a [`Config`].
//!
//! ```no_run
//! # async fn demo() -> Result<(), unim::Error> {
//! let config: unim::Config = serde_json::from_str(
//!     r#"{"vendor":"tencent","ws_url":"ws://127.0.0.1:9000","sdkappid":1400000001}"#,
//! ).unwrap();
//! let session = unim::connect(&config, unim::SessionOptions::default())?;
//! session.login(unim::Credentials::user_sig("alice", "<UserSig from your app server>")).await?;
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

#[cfg(not(feature = "tencent"))]
compile_error!("unim needs at least one vendor feature, e.g. `tencent`");

pub use unim_core::*;
#[cfg(feature = "easemob")]
pub use unim_easemob as easemob;
pub use unim_emulator as emulator;
#[cfg(feature = "tencent")]
pub use unim_tencent as tencent;

use serde::Deserialize;

/// Which vendor to use and where it is. Deserializes from
/// `{"vendor": "<name>", ...vendor fields}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "vendor", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Config {
    /// Tencent Cloud IM over its web client protocol.
    #[cfg(feature = "tencent")]
    Tencent {
        /// The WebSocket base (the emulator's `ws_url`, or Tencent's access point).
        ws_url: String,
        /// The SDKAppID.
        sdkappid: u64,
    },
    /// Easemob over its msync web client protocol.
    #[cfg(feature = "easemob")]
    Easemob {
        /// The REST base (for the password grant): the emulator's `rest_url`
        /// or an Easemob REST host.
        rest_url: String,
        /// The msync WebSocket URL.
        ws_url: String,
        /// The app key, `org#app`.
        app_key: String,
    },
}

impl Config {
    /// The vendor's short name.
    pub fn vendor(&self) -> &'static str {
        match self {
            #[cfg(feature = "tencent")]
            Config::Tencent { .. } => unim_tencent::VENDOR,
            #[cfg(feature = "easemob")]
            Config::Easemob { .. } => unim_easemob::VENDOR,
        }
    }
}

/// A logged-out session for the vendor in `config`. Log in with
/// [`Session::login`]; the same code works for every vendor.
pub fn connect(config: &Config, options: SessionOptions) -> Result<Box<dyn Session>, Error> {
    match config {
        #[cfg(feature = "tencent")]
        Config::Tencent { ws_url, sdkappid } => {
            let cfg = unim_tencent::session::TencentSessionConfig::new(ws_url.clone(), *sdkappid);
            Ok(Box::new(unim_tencent::session::TencentSession::new(cfg, options)))
        }
        #[cfg(feature = "easemob")]
        Config::Easemob { rest_url, ws_url, app_key } => {
            let cfg =
                unim_easemob::session::EasemobSessionConfig::new(rest_url.clone(), ws_url.clone(), app_key.clone());
            Ok(Box::new(unim_easemob::session::EasemobSession::new(cfg, options)))
        }
    }
}
