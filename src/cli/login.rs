//! `unim login`: log in and print every neutral event as one JSON line until
//! stopped or until `logout` arrives on stdin.

use clap::{Args as ClapArgs, ValueEnum};
use futures::StreamExt;
use serde_json::json;
use std::process::ExitCode;
use tokio::io::AsyncBufReadExt;
use unim::{Config, Credentials, Event, ReconnectPolicy, SessionOptions};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Vendor {
    /// Tencent Cloud IM.
    Tencent,
}

#[derive(Debug, ClapArgs)]
pub struct Args {
    /// The vendor.
    #[arg(long, value_enum)]
    vendor: Vendor,
    /// The server REST base URL (Tencent's session does not need it; accepted
    /// so that one command line serves every vendor).
    #[arg(long)]
    rest_url: Option<String>,
    /// The client WebSocket base URL.
    #[arg(long)]
    ws_url: String,
    /// Tencent: the SDKAppID.
    #[arg(long)]
    sdkappid: u64,
    /// The user id.
    #[arg(long)]
    user: String,
    /// Tencent: the UserSig.
    #[arg(long)]
    usersig: String,
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
    let _ = &args.rest_url;
    let config = match args.vendor {
        Vendor::Tencent => Config::Tencent { ws_url: args.ws_url, sdkappid: args.sdkappid },
    };
    // A monitor should say soon that the service is down: four attempts, 7 s in all.
    let reconnect = ReconnectPolicy { max_attempts: 4, ..ReconnectPolicy::default() };
    let session =
        unim::connect(&config, SessionOptions { reconnect, ..SessionOptions::default() }).map_err(|e| e.to_string())?;
    let mut events = session.events();
    let (ended_tx, ended) = tokio::sync::oneshot::channel();
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
    if let Err(e) = session.login(Credentials::user_sig(args.user, args.usersig)).await {
        // Print the Disconnected event (when there is one) before the error.
        let _ = tokio::time::timeout(std::time::Duration::from_millis(500), ended).await;
        print(json!({"event": "login_failed", "error": e}));
        return Ok(ExitCode::FAILURE);
    }
    let mut stdin = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    let mut state_watch = session.events();
    loop {
        tokio::select! {
            line = stdin.next_line() => match line {
                Ok(Some(l)) if l.trim() == "logout" => break,
                Ok(Some(_)) => continue,
                // stdin closed: keep running until Ctrl-C or the session ends.
                Ok(None) | Err(_) => {
                    wait_for_end(&mut state_watch).await;
                    break;
                }
            },
            _ = tokio::signal::ctrl_c() => break,
            _ = wait_for_end(&mut state_watch) => break,
        }
    }
    session.logout().await.map_err(|e| e.to_string())?;
    tokio::task::yield_now().await;
    drop(session);
    let _ = tokio::time::timeout(std::time::Duration::from_millis(200), printer).await;
    Ok(ExitCode::SUCCESS)
}

/// Resolves when the session ends for good (a disconnect with a reason).
async fn wait_for_end(events: &mut unim::EventStream) {
    while let Some(e) = events.next().await {
        if let Event::StateChanged { reason: Some(_), .. } = e {
            return;
        }
    }
    futures::future::pending::<()>().await
}
