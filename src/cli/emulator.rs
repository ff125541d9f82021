//! `unim emulator serve`: one vendor face, served until stopped.

use clap::{Subcommand, ValueEnum};
use std::process::ExitCode;
use unim_emulator::{EasemobSettings, Emulator, EmulatorConfig, NeteaseSettings, TencentSettings};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Vendor {
    /// Tencent Cloud IM.
    Tencent,
    /// Easemob (环信).
    Easemob,
    /// NetEase Yunxin (网易云信).
    Netease,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve a vendor face; prints one JSON line with what a client needs, then serves.
    Serve {
        /// Which vendor's face.
        #[arg(long, value_enum)]
        vendor: Vendor,
        /// The port (default: any free port).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Tencent: the SDKAppID.
        #[arg(long)]
        sdkappid: Option<u64>,
        /// Tencent: the app secret key (default: a random one).
        #[arg(long)]
        secret_key: Option<String>,
        /// Tencent: the App admin account.
        #[arg(long)]
        admin: Option<String>,
        /// Easemob: the org_name of the app key (default: unim).
        #[arg(long)]
        org: Option<String>,
        /// Easemob: the app_name of the app key (default: demo).
        #[arg(long)]
        app: Option<String>,
        /// Easemob: the app's Client ID (default: a random one).
        #[arg(long)]
        client_id: Option<String>,
        /// Easemob: the app's Client Secret (default: a random one).
        #[arg(long)]
        client_secret: Option<String>,
        /// Easemob: authorized registration (every `POST /users` needs the app token)
        /// instead of the default open registration, which the SDK's `registerUser()` needs.
        #[arg(long)]
        closed_registration: bool,
        /// NetEase: the app key (default: a random one).
        #[arg(long)]
        app_key: Option<String>,
        /// NetEase: the app secret (default: a random one).
        #[arg(long)]
        app_secret: Option<String>,
    },
}

/// Refuses the flags of another vendor's face, naming them.
fn refuse_foreign(vendor: &str, flags: &[(&str, bool)]) -> Result<(), String> {
    let given: Vec<&str> = flags.iter().filter(|(_, set)| *set).map(|(name, _)| *name).collect();
    if given.is_empty() {
        Ok(())
    } else {
        Err(format!("--vendor {vendor} does not take {}", given.join(", ")))
    }
}

pub async fn run(cmd: Command) -> Result<ExitCode, String> {
    let Command::Serve {
        vendor,
        port,
        sdkappid,
        secret_key,
        admin,
        org,
        app,
        client_id,
        client_secret,
        closed_registration,
        app_key,
        app_secret,
    } = cmd;
    let netease_flags = [("--app-key", app_key.is_some()), ("--app-secret", app_secret.is_some())];
    let config = match vendor {
        Vendor::Tencent => {
            refuse_foreign(
                "tencent",
                &[
                    ("--org", org.is_some()),
                    ("--app", app.is_some()),
                    ("--client-id", client_id.is_some()),
                    ("--client-secret", client_secret.is_some()),
                    ("--closed-registration", closed_registration),
                    netease_flags[0],
                    netease_flags[1],
                ],
            )?;
            let defaults = TencentSettings::default();
            let settings = TencentSettings {
                port,
                sdkappid: sdkappid.unwrap_or(defaults.sdkappid),
                secret_key: secret_key.unwrap_or(defaults.secret_key),
                admin: admin.unwrap_or(defaults.admin),
                policy: defaults.policy,
            };
            EmulatorConfig { tencent: Some(settings), ..EmulatorConfig::default() }
        }
        Vendor::Easemob => {
            refuse_foreign(
                "easemob",
                &[
                    ("--sdkappid", sdkappid.is_some()),
                    ("--secret-key", secret_key.is_some()),
                    ("--admin", admin.is_some()),
                    netease_flags[0],
                    netease_flags[1],
                ],
            )?;
            let defaults = EasemobSettings::default();
            let settings = EasemobSettings {
                port,
                org: org.unwrap_or(defaults.org),
                app: app.unwrap_or(defaults.app),
                client_id: client_id.unwrap_or(defaults.client_id),
                client_secret: client_secret.unwrap_or(defaults.client_secret),
                policy: defaults.policy,
                open_registration: !closed_registration,
            };
            EmulatorConfig { easemob: Some(settings), ..EmulatorConfig::default() }
        }
        Vendor::Netease => {
            refuse_foreign(
                "netease",
                &[
                    ("--sdkappid", sdkappid.is_some()),
                    ("--secret-key", secret_key.is_some()),
                    ("--admin", admin.is_some()),
                    ("--org", org.is_some()),
                    ("--app", app.is_some()),
                    ("--client-id", client_id.is_some()),
                    ("--client-secret", client_secret.is_some()),
                    ("--closed-registration", closed_registration),
                ],
            )?;
            let defaults = NeteaseSettings::default();
            let settings = NeteaseSettings {
                port,
                app_key: app_key.unwrap_or(defaults.app_key),
                app_secret: app_secret.unwrap_or(defaults.app_secret),
                policy: defaults.policy,
            };
            EmulatorConfig { netease: Some(settings), ..EmulatorConfig::default() }
        }
    };
    let emulator = Emulator::start(config).await.map_err(|e| e.to_string())?;
    let line = match vendor {
        Vendor::Tencent => serde_json::to_string(emulator.tencent().ok_or("the Tencent face did not start")?),
        Vendor::Easemob => serde_json::to_string(emulator.easemob().ok_or("the Easemob face did not start")?),
        Vendor::Netease => serde_json::to_string(emulator.netease().ok_or("the NetEase face did not start")?),
    }
    .map_err(|e| e.to_string())?;
    println!("{line}");
    tokio::signal::ctrl_c().await.map_err(|e| format!("cannot wait for Ctrl-C: {e}"))?;
    Ok(ExitCode::SUCCESS)
}
