//! The embedded backend the examples run on: one vendor's emulator, the
//! session config an app would use for it, and the app server's admin.

use std::sync::Arc;
use unim::emulator::{Emulator, EmulatorConfig};
use unim::{Admin, Config, Secret};

/// An error the examples print and exit with.
pub type BoxError = Box<dyn std::error::Error>;

/// A backend to talk to: the session config for the app, and the app
/// server's admin. The emulator runs as long as this lives.
pub struct Backend {
    _emulator: Emulator,
    /// Where sessions connect.
    pub config: Config,
    /// The app server's admin.
    pub admin: Arc<dyn Admin>,
}

impl Backend {
    /// Starts the embedded emulator of `vendor`. The only vendor-specific code.
    pub async fn start(vendor: &str) -> Result<Backend, BoxError> {
        let (emulator, config, admin): (Emulator, Config, Arc<dyn Admin>) = match vendor {
            "tencent" => {
                use unim::tencent::admin::{TencentAdmin, TencentAdminConfig};
                let emulator = Emulator::start(EmulatorConfig::tencent()).await?;
                let t = emulator.tencent().ok_or("the emulator has no Tencent face")?.clone();
                let admin = TencentAdmin::new(TencentAdminConfig {
                    rest_url: t.rest_url.clone(),
                    sdkappid: t.sdkappid,
                    secret_key: Secret::new(t.secret_key.clone()),
                    admin: t.admin.clone(),
                    clock: Arc::new(unim::SystemClock),
                })?;
                (emulator, Config::Tencent { ws_url: t.ws_url, sdkappid: t.sdkappid }, Arc::new(admin))
            }
            "easemob" => {
                use unim::easemob::admin::{EasemobAdmin, EasemobAdminConfig};
                let emulator = Emulator::start(EmulatorConfig::easemob()).await?;
                let e = emulator.easemob().ok_or("the emulator has no Easemob face")?.clone();
                let secret = Secret::new(e.client_secret.clone());
                let admin = EasemobAdmin::new(EasemobAdminConfig::new(&e.rest_url, &e.app_key, &e.client_id, secret))?;
                let config = Config::Easemob { rest_url: e.rest_url, ws_url: e.ws_url, app_key: e.app_key };
                (emulator, config, Arc::new(admin))
            }
            "netease" => {
                use unim::netease::admin::{NeteaseAdmin, NeteaseAdminConfig};
                let emulator = Emulator::start(EmulatorConfig::netease()).await?;
                let n = emulator.netease().ok_or("the emulator has no NetEase face")?.clone();
                let secret = Secret::new(n.app_secret.clone());
                let admin = NeteaseAdmin::new(NeteaseAdminConfig::new(&n.rest_url, &n.app_key, secret))?;
                let config = Config::Netease { lbs_url: n.lbs_url, app_key: n.app_key, default_link: Some(n.link) };
                (emulator, config, Arc::new(admin))
            }
            other => return Err(format!("unknown vendor {other:?}: use tencent, easemob or netease").into()),
        };
        Ok(Backend { _emulator: emulator, config, admin })
    }
}
