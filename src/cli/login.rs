//! `unim login`: log in and print every neutral event as one JSON line until
//! stopped or until `logout` arrives on stdin.

use clap::{Args as ClapArgs, ValueEnum};
use futures::StreamExt;
use serde_json::json;
use std::process::ExitCode;
use tokio::sync::{mpsc, oneshot};
use unim::{Config, Credentials, Event, ReconnectPolicy, Secret, SessionOptions};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Vendor {
    /// Tencent Cloud IM.
    Tencent,
    /// Easemob (环信).
    Easemob,
}

#[derive(Debug, ClapArgs)]
pub struct Args {
    /// The vendor.
    #[arg(long, value_enum)]
    vendor: Vendor,
    /// The server REST base URL (Easemob: for the password grant; Tencent's
    /// session does not need it).
    #[arg(long)]
    rest_url: Option<String>,
    /// The client WebSocket URL.
    #[arg(long)]
    ws_url: String,
    /// Tencent: the SDKAppID.
    #[arg(long, required_if_eq("vendor", "tencent"))]
    sdkappid: Option<u64>,
    /// Easemob: the app key, `org#app`.
    #[arg(long, required_if_eq("vendor", "easemob"))]
    app_key: Option<String>,
    /// The user id.
    #[arg(long)]
    user: String,
    /// Tencent: the UserSig.
    #[arg(long, conflicts_with_all = ["password", "token"])]
    usersig: Option<Secret>,
    /// Easemob: the password.
    #[arg(long, conflicts_with = "token")]
    password: Option<Secret>,
    /// Easemob: a user token.
    #[arg(long)]
    token: Option<Secret>,
}

/// The vendor's config and the credentials, from the arguments.
fn config_and_credentials(args: Args) -> Result<(Config, Credentials), String> {
    match args.vendor {
        Vendor::Tencent => {
            let sdkappid = args.sdkappid.ok_or("--sdkappid is required for tencent")?;
            let user_sig = args.usersig.ok_or("--usersig is required for tencent")?;
            Ok((Config::Tencent { ws_url: args.ws_url, sdkappid }, Credentials::user_sig(args.user, user_sig)))
        }
        Vendor::Easemob => {
            let app_key = args.app_key.ok_or("--app-key is required for easemob")?;
            let credentials = match (args.password, args.token) {
                (Some(password), None) => Credentials::password(args.user, password),
                (None, Some(token)) => Credentials::token(args.user, token),
                _ => return Err("easemob logs in with --password or --token".into()),
            };
            let rest_url = match (&credentials, args.rest_url) {
                (_, Some(url)) => url,
                (Credentials::Token { .. }, None) => String::new(),
                _ => return Err("--rest-url is required for a password login (the token grant)".into()),
            };
            Ok((Config::Easemob { rest_url, ws_url: args.ws_url, app_key }, credentials))
        }
    }
}

fn print(value: serde_json::Value) {
    println!("{value}");
}

fn event_line(event: &Event) -> serde_json::Value {
    let at = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
    let mut v = serde_json::to_value(event).unwrap_or_else(|e| json!({"event": "unprintable", "error": e.to_string()}));
    if let Some(obj) = v.as_object_mut() {
        obj.insert("at_ms".into(), json!(at as u64));
    }
    v
}

pub async fn run(args: Args) -> Result<ExitCode, String> {
    let (config, credentials) = config_and_credentials(args)?;
    // A monitor should say soon that the service is down: four attempts, 7 s in all.
    let reconnect = ReconnectPolicy { max_attempts: 4, ..ReconnectPolicy::default() };
    let session =
        unim::connect(&config, SessionOptions { reconnect, ..SessionOptions::default() }).map_err(|e| e.to_string())?;
    // Subscribed before the login, so that no end of the session can be missed.
    let mut events = session.events();
    let (ended_tx, mut ended) = oneshot::channel();
    let printer = tokio::spawn(async move {
        let mut ended_tx = Some(ended_tx);
        while let Some(event) = events.next().await {
            print(event_line(&event));
            if matches!(event, Event::StateChanged { reason: Some(_), .. }) {
                if let Some(tx) = ended_tx.take() {
                    let _ = tx.send(());
                }
            }
        }
    });
    if let Err(e) = session.login(credentials).await {
        // Print the Disconnected event (when there is one) before the error.
        let _ = tokio::time::timeout(std::time::Duration::from_millis(500), ended).await;
        print(json!({"event": "login_failed", "error": e}));
        return Ok(ExitCode::FAILURE);
    }
    let mut lines = stdin_lines();
    let mut stdin_open = true;
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let mut ctrl_c_live = true;
    loop {
        tokio::select! {
            line = lines.recv(), if stdin_open => match line {
                Some(l) if l.trim() == "logout" => break,
                Some(_) => {}
                // stdin closed: keep running until Ctrl-C or the session ends.
                None => stdin_open = false,
            },
            r = &mut ctrl_c, if ctrl_c_live => match r {
                Ok(()) => break,
                Err(e) => {
                    tracing::warn!("cannot listen for Ctrl-C: {e}");
                    ctrl_c_live = false;
                }
            },
            // The session ended for good (or the printer is gone).
            _ = &mut ended => break,
        }
    }
    session.logout().await.map_err(|e| e.to_string())?;
    tokio::task::yield_now().await;
    drop(session);
    let _ = tokio::time::timeout(std::time::Duration::from_millis(200), printer).await;
    Ok(ExitCode::SUCCESS)
}

/// The lines of stdin; the channel closes at its end. They are read on a
/// thread of their own: tokio's stdin reads on a blocking-pool thread that
/// cannot be cancelled, so the runtime's shutdown would wait for the next
/// line of an idle terminal after the session ended or Ctrl-C.
fn stdin_lines() -> mpsc::UnboundedReceiver<String> {
    let (tx, rx) = mpsc::unbounded_channel();
    let spawned = std::thread::Builder::new().name("unim-stdin".into()).spawn(move || {
        for line in std::io::stdin().lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    if let Err(e) = spawned {
        tracing::warn!("cannot read stdin: {e}");
    }
    rx
}
