//! # unim — one instant-messaging API, any vendor
//!
//! Applications log in, follow their connection, send and receive one-to-one
//! messages, list their conversations and page their history through one
//! vendor-neutral model, and switch between Tencent Cloud IM, Easemob and
//! NetEase Yunxin style backends by configuration (`examples/switch_vendor.rs`). This facade re-exports the neutral model ([`unim_core`]),
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
#[cfg(feature = "netease")]
pub use unim_netease as netease;
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
    /// NetEase Yunxin over its web client link (LBS, socket.io, JSON packets).
    #[cfg(feature = "netease")]
    Netease {
        /// The LBS URL: the emulator's `lbs_url`, or NetEase's
        /// `https://lbs.netease.im/lbs/webconf.jsp`. An `https` URL makes the
        /// link secure (`wss`) too.
        lbs_url: String,
        /// The app key.
        app_key: String,
        /// A link address `host:port` to try after the LBS's (the emulator's
        /// `link`); the only one when the LBS cannot be reached.
        #[serde(default)]
        default_link: Option<String>,
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
            #[cfg(feature = "netease")]
            Config::Netease { .. } => unim_netease::VENDOR,
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
        #[cfg(feature = "netease")]
        Config::Netease { lbs_url, app_key, default_link } => {
            let mut cfg = unim_netease::session::NeteaseSessionConfig::new(lbs_url.clone(), app_key.clone());
            if let Some(link) = default_link {
                cfg = cfg.with_default_link(link.clone());
            }
            cfg.secure = lbs_url.starts_with("https://");
            Ok(Box::new(unim_netease::session::NeteaseSession::new(cfg, options)))
        }
    }
}

#[cfg(all(test, feature = "netease"))]
mod netease_config_tests {
    use super::*;

    #[test]
    fn a_netease_config_reads_from_json_and_connects() {
        let json = r#"{"vendor":"netease","lbs_url":"http://127.0.0.1:9/lbs/webconf.jsp","app_key":"k"}"#;
        let config: Config = serde_json::from_str(json).unwrap();
        assert!(matches!(&config, Config::Netease { default_link: None, .. }), "{config:?}");
        assert_eq!(config.vendor(), "netease");
        let with_link = r#"{"vendor":"netease","lbs_url":"x","app_key":"k","default_link":"127.0.0.1:9"}"#;
        let config: Config = serde_json::from_str(with_link).unwrap();
        assert!(matches!(&config, Config::Netease { default_link: Some(l), .. } if l == "127.0.0.1:9"));
        let session = connect(&config, SessionOptions::default()).unwrap();
        assert_eq!(session.vendor(), "netease");
        assert_eq!(session.state(), ConnectionState::Disconnected);
        assert!(serde_json::from_str::<Config>(r#"{"vendor":"netease","app_key":"k"}"#).is_err(), "lbs_url is needed");
    }
}
