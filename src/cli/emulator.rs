//! `unim emulator serve`: one vendor face, served until stopped.

use clap::{Subcommand, ValueEnum};
use std::process::ExitCode;
use unim_emulator::{Emulator, EmulatorConfig, TencentSettings};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Vendor {
    /// Tencent Cloud IM.
    Tencent,
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
    },
}

pub async fn run(cmd: Command) -> Result<ExitCode, String> {
    let Command::Serve { vendor: Vendor::Tencent, port, sdkappid, secret_key, admin } = cmd;
    let defaults = TencentSettings::default();
    let settings = TencentSettings {
        port,
        sdkappid: sdkappid.unwrap_or(defaults.sdkappid),
        secret_key: secret_key.unwrap_or(defaults.secret_key),
        admin: admin.unwrap_or(defaults.admin),
        policy: defaults.policy,
    };
    let config = EmulatorConfig { tencent: Some(settings), ..EmulatorConfig::default() };
    let emulator = Emulator::start(config).await.map_err(|e| e.to_string())?;
    let endpoint = emulator.tencent().ok_or("the Tencent face did not start")?;
    let line = serde_json::to_string(endpoint).map_err(|e| e.to_string())?;
    println!("{line}");
    tokio::signal::ctrl_c().await.map_err(|e| format!("cannot wait for Ctrl-C: {e}"))?;
    Ok(ExitCode::SUCCESS)
}
