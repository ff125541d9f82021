//! `unim login`: log in and print every neutral event as one JSON line until
//! stopped or until `logout` arrives on stdin. A stdin line `send <peer>
//! <text...>` sends a one-to-one text and prints `{"sent": <message>}` or
//! `{"error": <error>}`.

use clap::{Args as ClapArgs, ValueEnum};
use futures::StreamExt;
use serde_json::json;
use std::process::ExitCode;
use tokio::sync::{mpsc, oneshot};
use unim::{
    Config, ConversationId, Credentials, Event, MessageBody, OutgoingMessage, ReconnectPolicy, Secret, Session,
    SessionOptions,
};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Vendor {
    /// Tencent Cloud IM.
    Tencent,
    /// Easemob (环信).
    Easemob,
    /// NetEase Yunxin (网易云信).
    #[cfg(feature = "netease")]
    Netease,
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
    /// Tencent, Easemob: the client WebSocket URL.
    #[arg(long, required_if_eq_any([("vendor", "tencent"), ("vendor", "easemob")]))]
    ws_url: Option<String>,
    /// NetEase: the LBS URL (the emulator's `lbs_url`).
    #[arg(long, required_if_eq("vendor", "netease"))]
    lbs_url: Option<String>,
    /// NetEase: a link address `host:port` tried after the LBS's (the emulator's `link`).
    #[arg(long)]
    default_link: Option<String>,
    /// Tencent: the SDKAppID.
    #[arg(long, required_if_eq("vendor", "tencent"))]
    sdkappid: Option<u64>,
    /// Easemob: the app key, `org#app`; NetEase: the app key.
    #[arg(long, required_if_eq_any([("vendor", "easemob"), ("vendor", "netease")]))]
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
    /// Easemob: a user token; NetEase: the accid's token (static or dynamic).
    #[arg(long)]
    token: Option<Secret>,
}

/// The vendor's config and the credentials, from the arguments.
fn config_and_credentials(args: Args) -> Result<(Config, Credentials), String> {
    match args.vendor {
        Vendor::Tencent => {
            let ws_url = args.ws_url.ok_or("--ws-url is required for tencent")?;
            let sdkappid = args.sdkappid.ok_or("--sdkappid is required for tencent")?;
            let user_sig = args.usersig.ok_or("--usersig is required for tencent")?;
            Ok((Config::Tencent { ws_url, sdkappid }, Credentials::user_sig(args.user, user_sig)))
        }
        #[cfg(feature = "netease")]
        Vendor::Netease => {
            let lbs_url = args.lbs_url.ok_or("--lbs-url is required for netease")?;
            let app_key = args.app_key.ok_or("--app-key is required for netease")?;
            let token = match (args.token, args.password, args.usersig) {
                (Some(token), None, None) => token,
                _ => return Err("netease logs in with --token (a static or dynamic token)".into()),
            };
            let config = Config::Netease { lbs_url, app_key, default_link: args.default_link };
            Ok((config, Credentials::token(args.user, token)))
        }
        Vendor::Easemob => {
            let ws_url = args.ws_url.ok_or("--ws-url is required for easemob")?;
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
            Ok((Config::Easemob { rest_url, ws_url, app_key }, credentials))
        }
    }
}

fn print(value: serde_json::Value) {
    println!("{value}");
}

/// What the vendor's own SDK calls an event, for the `vendor_event` field.
type VendorName = fn(&Event) -> Option<&'static str>;

/// The vendor's event names, when its adapter is compiled in.
fn vendor_names(config: &Config) -> Option<VendorName> {
    match config {
        #[cfg(feature = "tencent")]
        Config::Tencent { .. } => Some(unim::tencent::names::vendor_event_name),
        #[cfg(feature = "easemob")]
        Config::Easemob { .. } => Some(unim::easemob::names::vendor_event_name),
        #[cfg(feature = "netease")]
        Config::Netease { .. } => Some(unim::netease::names::vendor_event_name),
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

/// One event as a JSON line: the neutral event, when it came (`at_ms`) and,
/// when the vendor has a name for it, that name (`vendor_event`).
fn event_line(event: &Event, names: Option<VendorName>) -> serde_json::Value {
    let at = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
    let mut v = serde_json::to_value(event).unwrap_or_else(|e| json!({"event": "unprintable", "error": e.to_string()}));
    if let Some(obj) = v.as_object_mut() {
        obj.insert("at_ms".into(), json!(at as u64));
        if let Some(name) = names.and_then(|f| f(event)) {
            obj.insert("vendor_event".into(), json!(name));
        }
    }
    v
}

pub async fn run(args: Args) -> Result<ExitCode, String> {
    let (config, credentials) = config_and_credentials(args)?;
    let names = vendor_names(&config);
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
            print(event_line(&event, names));
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
                Some(l) => match Command::parse(&l) {
                    Some(Command::Logout) => break,
                    // Awaited here, so that lines are sent in the order they came.
                    Some(Command::Send { peer, text }) => print(send(session.as_ref(), peer, text).await),
                    Some(Command::Unknown(what)) => {
                        let why = format!("unknown command `{what}`: use `send <peer> <text>` or `logout`");
                        print(json!({ "error": unim::Error::invalid_input(why) }))
                    }
                    None => {}
                },
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

/// A line of stdin, as a command.
#[derive(Debug, PartialEq, Eq)]
enum Command<'a> {
    /// `logout`.
    Logout,
    /// `send <peer> <text...>`: the text is the rest of the line, spaces kept.
    Send { peer: &'a str, text: &'a str },
    /// Anything else (its first word).
    Unknown(&'a str),
}

impl<'a> Command<'a> {
    /// The command on `line`; `None` for a blank line.
    fn parse(line: &'a str) -> Option<Self> {
        let line = line.trim();
        let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        match word {
            "" => None,
            "logout" if rest.trim().is_empty() => Some(Command::Logout),
            "send" => {
                let rest = rest.trim_start();
                let (peer, text) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
                Some(Command::Send { peer, text: text.trim_start() })
            }
            other => Some(Command::Unknown(other)),
        }
    }
}

/// Sends `text` to `peer` and says how it went, as one JSON value.
async fn send(session: &dyn Session, peer: &str, text: &str) -> serde_json::Value {
    if peer.is_empty() || text.is_empty() {
        return json!({ "error": unim::Error::invalid_input("usage: send <peer> <text>") });
    }
    let message = OutgoingMessage::new(ConversationId::direct(peer), MessageBody::text(text));
    match session.send(&message).await {
        Ok(sent) => json!({ "sent": sent }),
        Err(e) => json!({ "error": e }),
    }
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

#[cfg(test)]
mod tests {
    use super::Command;

    #[test]
    fn stdin_lines_parse_into_commands() {
        assert_eq!(Command::parse("  logout "), Some(Command::Logout));
        assert_eq!(Command::parse(""), None);
        assert_eq!(Command::parse("send bob hello  there"), Some(Command::Send { peer: "bob", text: "hello  there" }));
        assert_eq!(Command::parse("send   bob\thi"), Some(Command::Send { peer: "bob", text: "hi" }));
        assert_eq!(Command::parse("send bob"), Some(Command::Send { peer: "bob", text: "" }));
        assert_eq!(Command::parse("logout now"), Some(Command::Unknown("logout")));
        assert_eq!(Command::parse("sendbob hi"), Some(Command::Unknown("sendbob")));
    }
}
