//! `unim token issue`: asks a vendor's REST API for a token (or mints one)
//! and prints it as one JSON line. Printing the token on stdout is the
//! command's whole purpose; it never appears in logs or error messages.
//!
//! Easemob (easemob.md section 2): without `--user`, the app token
//! (`grant_type=client_credentials`); with `--user` and `--password`, a user
//! token from the password (`grant_type=password`); with `--user` and
//! `--inherit`, a user token on the app's authority (`grant_type=inherit`,
//! the app token is fetched first), `--auto-create` registering an unknown
//! user. `--ttl` is in seconds, 0 meaning never expires; without it Easemob's
//! default applies (60 days). Easemob prints `{"access_token", "expires_in"[, "user"]}`.
//!
//! NetEase (netease.md 3.1, docs/protocols/netease.md 8): with `--user`,
//! creates the accid through the server API (`user/create.action`, the
//! server choosing the static token); with `--refresh`, gives the existing
//! accid a new static token (`user/refreshToken.action`); with `--dynamic`,
//! mints a dynamic token valid `--ttl` seconds locally from the app secret.
//! Prints `{"accid", "token"[, "expires_in"]}`, the accid as the server
//! keeps it (lower case).

use clap::{ArgGroup, Subcommand, ValueEnum};
use serde_json::json;
use std::process::ExitCode;
use std::time::Duration;
// The facade has no `easemob` feature yet; the emulator re-exports the adapter.
use unim::easemob as unim_easemob;
use unim_core::Secret;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Vendor {
    /// Easemob (环信).
    Easemob,
    /// NetEase Yunxin (网易云信).
    #[cfg(feature = "netease")]
    Netease,
}

/// Where the vendor is and the app's credentials.
#[derive(Debug, clap::Args)]
#[command(group(ArgGroup::new("grant").args(["password", "inherit"]).requires("user")))]
#[command(group(ArgGroup::new("netease_mode").args(["refresh", "dynamic"])))]
pub struct IssueArgs {
    /// The vendor.
    #[arg(long, value_enum)]
    vendor: Vendor,
    /// The REST API's base URL (the emulator's `rest_url`); not needed for
    /// NetEase's `--dynamic`.
    #[arg(long)]
    rest_url: Option<String>,
    /// The app key (Easemob: `org_name#app_name`).
    #[arg(long)]
    app_key: String,
    /// Easemob: the app's Client ID.
    #[arg(long, required_if_eq("vendor", "easemob"))]
    client_id: Option<String>,
    /// Easemob: the app's Client Secret.
    #[arg(long, required_if_eq("vendor", "easemob"))]
    client_secret: Option<Secret>,
    /// NetEase: the app secret (signs the server API and dynamic tokens).
    #[arg(long, required_if_eq("vendor", "netease"))]
    app_secret: Option<Secret>,
    /// Easemob: a user token for this user (with `--password` or
    /// `--inherit`); without it, the app token. NetEase: the accid.
    #[arg(long, required_if_eq("vendor", "netease"))]
    user: Option<String>,
    /// NetEase: give the existing accid a new static token.
    #[arg(long)]
    refresh: bool,
    /// NetEase: mint a dynamic token locally (with `--ttl`).
    #[arg(long, requires = "ttl")]
    dynamic: bool,
    /// The user's password (`grant_type=password`).
    #[arg(long)]
    password: Option<Secret>,
    /// Mint the user token with the app token (`grant_type=inherit`).
    #[arg(long)]
    inherit: bool,
    /// With `--inherit`: register the user if it does not exist (`autoCreateUser`).
    #[arg(long)]
    auto_create: bool,
    /// Validity in seconds (Easemob: 0 never expires, default the
    /// vendor's; NetEase: the dynamic token's lifetime).
    #[arg(long)]
    ttl: Option<u64>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Request (or mint) a token and print it as one JSON line.
    Issue(IssueArgs),
}

pub async fn run(cmd: Command) -> Result<ExitCode, String> {
    let Command::Issue(args) = cmd;
    match args.vendor {
        Vendor::Easemob => easemob(args).await,
        #[cfg(feature = "netease")]
        Vendor::Netease => netease(args).await,
    }
}

/// Flags of the other vendor, refused rather than silently ignored.
fn refuse_foreign(flags: &[(&str, bool)], vendor: &str) -> Result<(), String> {
    match flags.iter().find(|(_, given)| *given) {
        Some((flag, _)) => Err(format!("{flag} does not apply to {vendor}")),
        None => Ok(()),
    }
}

async fn easemob(args: IssueArgs) -> Result<ExitCode, String> {
    refuse_foreign(
        &[("--app-secret", args.app_secret.is_some()), ("--refresh", args.refresh), ("--dynamic", args.dynamic)],
        "easemob",
    )?;
    // (clap counts a flag's default as present, so these rules are checked here.)
    if args.auto_create && !args.inherit {
        return Err("--auto-create only goes with --inherit".into());
    }
    if args.user.is_some() && args.password.is_none() && !args.inherit {
        return Err("--user needs --password or --inherit".into());
    }
    let rest_url = args.rest_url.ok_or("--rest-url is required for easemob")?;
    let client_id = args.client_id.ok_or("--client-id is required for easemob")?;
    let client_secret = args.client_secret.ok_or("--client-secret is required for easemob")?;
    let config = unim_easemob::admin::EasemobAdminConfig::new(rest_url, args.app_key, client_id, client_secret);
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

#[cfg(feature = "netease")]
fn unix_millis() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

#[cfg(feature = "netease")]
async fn netease(args: IssueArgs) -> Result<ExitCode, String> {
    use unim::netease::admin::{NeteaseAdmin, NeteaseAdminConfig, NewUser};
    refuse_foreign(
        &[
            ("--client-id", args.client_id.is_some()),
            ("--client-secret", args.client_secret.is_some()),
            ("--password", args.password.is_some()),
            ("--inherit", args.inherit),
            ("--auto-create", args.auto_create),
        ],
        "netease",
    )?;
    if args.ttl.is_some() && !args.dynamic {
        return Err("--ttl only goes with --dynamic for netease (static tokens do not expire)".into());
    }
    let user = args.user.ok_or("--user is required for netease")?;
    let app_secret = args.app_secret.ok_or("--app-secret is required for netease")?;
    let accid = unim::netease::accid::validate(&user).map_err(|e| e.to_string())?;
    if args.dynamic {
        let ttl = args.ttl.ok_or("--dynamic needs --ttl")?;
        if ttl == 0 {
            return Err("--ttl must be at least 1 second".into());
        }
        let token =
            unim::netease::sign::DynamicToken::mint(&args.app_key, &accid, unix_millis(), ttl, app_secret.expose());
        println!("{}", json!({"accid": accid, "token": token.encode(), "expires_in": ttl}));
        return Ok(ExitCode::SUCCESS);
    }
    let rest_url = args.rest_url.ok_or("--rest-url is required for netease (except with --dynamic)")?;
    let admin =
        NeteaseAdmin::new(NeteaseAdminConfig::new(rest_url, args.app_key, app_secret)).map_err(|e| e.to_string())?;
    let (accid, token) = if args.refresh {
        (accid.clone(), admin.refresh_token(&accid).await.map_err(|e| e.to_string())?)
    } else {
        let created = admin.create_user(&NewUser::new(user)).await.map_err(|e| e.to_string())?;
        (created.accid, created.token)
    };
    println!("{}", json!({"accid": accid, "token": token.expose()}));
    Ok(ExitCode::SUCCESS)
}
