//! `unim token issue`: asks a vendor's REST API for a token and prints it as
//! one JSON line, `{"access_token", "expires_in"[, "user"]}`.
//!
//! Easemob (easemob.md section 2): without `--user`, the app token
//! (`grant_type=client_credentials`); with `--user` and `--password`, a user
//! token from the password (`grant_type=password`); with `--user` and
//! `--inherit`, a user token on the app's authority (`grant_type=inherit`,
//! the app token is fetched first), `--auto-create` registering an unknown
//! user. `--ttl` is in seconds, 0 meaning never expires; without it Easemob's
//! default applies (60 days).

use clap::{ArgGroup, Subcommand, ValueEnum};
use serde_json::json;
use std::process::ExitCode;
use std::time::Duration;
// The facade has no `easemob` feature yet; the emulator re-exports the adapter.
use unim::easemob as unim_easemob;
use unim_core::Secret;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Vendor {
    /// Easemob (环信).
    Easemob,
}

/// Where the vendor is and the app's credentials.
#[derive(Debug, clap::Args)]
#[command(group(ArgGroup::new("grant").args(["password", "inherit"]).requires("user")))]
pub struct IssueArgs {
    /// The vendor.
    #[arg(long, value_enum)]
    vendor: Vendor,
    /// The REST API's base URL (the emulator's `rest_url`).
    #[arg(long)]
    rest_url: String,
    /// The app key, `org_name#app_name`.
    #[arg(long)]
    app_key: String,
    /// The app's Client ID.
    #[arg(long)]
    client_id: String,
    /// The app's Client Secret.
    #[arg(long)]
    client_secret: Secret,
    /// A user token for this user (with `--password` or `--inherit`); without
    /// it, the app token.
    #[arg(long, requires = "grant")]
    user: Option<String>,
    /// The user's password (`grant_type=password`).
    #[arg(long)]
    password: Option<Secret>,
    /// Mint the user token with the app token (`grant_type=inherit`).
    #[arg(long)]
    inherit: bool,
    /// With `--inherit`: register the user if it does not exist (`autoCreateUser`).
    #[arg(long)]
    auto_create: bool,
    /// Validity in seconds (0: never expires; default: the vendor's).
    #[arg(long)]
    ttl: Option<u64>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Request a token and print `{"access_token", "expires_in"[, "user"]}`.
    Issue(IssueArgs),
}

pub async fn run(cmd: Command) -> Result<ExitCode, String> {
    let Command::Issue(args) = cmd;
    let Vendor::Easemob = args.vendor;
    // (clap counts a flag's default as present, so this rule is checked here.)
    if args.auto_create && !args.inherit {
        return Err("--auto-create only goes with --inherit".into());
    }
    let config =
        unim_easemob::admin::EasemobAdminConfig::new(args.rest_url, args.app_key, args.client_id, args.client_secret);
    let admin = unim_easemob::admin::EasemobAdmin::new(config).map_err(|e| e.to_string())?;
    let ttl = args.ttl.map(Duration::from_secs);
    let grant = match (args.user, args.password) {
        (None, _) => admin.app_token(ttl).await,
        (Some(user), Some(password)) => admin.user_token_password(&user, &password, ttl).await,
        (Some(user), None) => admin.user_token_inherit(&user, ttl, args.auto_create).await,
    }
    .map_err(|e| e.to_string())?;
    let mut line = json!({"access_token": grant.access_token.expose(), "expires_in": grant.expires_in});
    if let Some(user) = grant.username() {
        line["user"] = json!(user);
    }
    println!("{line}");
    Ok(ExitCode::SUCCESS)
}
