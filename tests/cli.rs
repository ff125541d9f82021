//! The `unim` command as a user runs it.

use serde_json::Value;
use std::process::{Command, Stdio};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const UNIM: &str = env!("CARGO_BIN_EXE_unim");
const WAIT: Duration = Duration::from_secs(60);

fn unim(args: &[&str]) -> (bool, String) {
    let out = Command::new(UNIM).args(args).output().expect("run unim");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

// tencent.md 1.4 (a): the official Python package's UserSig for alice.
const KEY: &str = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";
const PYTHON_SIG: &str = "eJyrVgrxCdYrSy1SslJQMtIzUNJRAItkpqTmlWSmZUIkEnMyk1NhUsUp2YkFBZkpQAlDEwMogMqlVhRkFqUCZSzMTOCCJZm5ICFDczTFxZnpIMPN3HOzsrxyPA2i0spSspwNCr0q3bI8svN8Cj3DUos8zYoKvPzTwyvS0g2zbZVqAQj3Msk_";

#[test]
fn usersig_verify_accepts_the_official_vector_and_names_each_failure() {
    let verify = |user: &str, key: &str, now: &str| {
        unim(&[
            "usersig",
            "verify",
            "--sdkappid",
            "1400000000",
            "--key",
            key,
            "--user",
            user,
            "--sig",
            PYTHON_SIG,
            "--now",
            now,
        ])
    };
    assert_eq!(verify("alice", KEY, "1700086400"), (true, "ok".into()));
    let (ok, why) = verify("alice", KEY, "1700086401");
    assert!(!ok && why.contains("expired"), "{why}");
    let (ok, why) = verify("bob", KEY, "1700000000");
    assert!(!ok && why.contains("alice"), "{why}");
    let (ok, why) = verify("alice", "another-key", "1700000000");
    assert!(!ok && !why.is_empty() && !why.contains("another-key"), "{why}");
}

#[test]
fn usersig_gen_round_trips_through_verify() {
    let (ok, sig) = unim(&[
        "usersig",
        "gen",
        "--sdkappid",
        "1400000001",
        "--key",
        "k",
        "--user",
        "carol",
        "--expire",
        "60",
        "--time",
        "1700000000",
    ]);
    assert!(ok, "{sig}");
    let check = |now: &str| {
        unim(&[
            "usersig",
            "verify",
            "--sdkappid",
            "1400000001",
            "--key",
            "k",
            "--user",
            "carol",
            "--sig",
            &sig,
            "--now",
            now,
        ])
    };
    assert_eq!(check("1700000060"), (true, "ok".into()));
    assert!(!check("1700000061").0);
    let (ok, _) = unim(&["usersig", "gen", "--sdkappid", "1", "--key", "k", "--user", &"x".repeat(33)]);
    assert!(!ok, "an over-long user id must be refused");
}

/// Starts `unim emulator serve` and returns the child and its JSON line.
async fn serve(extra: &[&str]) -> (tokio::process::Child, Value) {
    let mut child = tokio::process::Command::new(UNIM)
        .args(["emulator", "serve", "--vendor", "tencent"])
        .args(extra)
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn the emulator");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let line = tokio::time::timeout(WAIT, lines.next_line()).await.expect("JSON line in time").unwrap().unwrap();
    (child, serde_json::from_str(&line).expect("one JSON line"))
}

#[tokio::test]
async fn emulator_serve_prints_what_a_client_needs() {
    let (_child, info) = serve(&["--sdkappid", "1400000042", "--secret-key", "s3cret", "--admin", "boss"]).await;
    assert_eq!(info["vendor"], "tencent");
    assert_eq!(info["sdkappid"], 1400000042);
    assert_eq!(info["secret_key"], "s3cret");
    assert_eq!(info["admin"], "boss");
    assert!(info["rest_url"].as_str().unwrap().starts_with("http://127.0.0.1:"));
    assert!(info["ws_url"].as_str().unwrap().starts_with("ws://127.0.0.1:"));
}

#[tokio::test]
async fn login_prints_events_as_json_lines_until_logout() {
    let (_emulator, info) = serve(&["--secret-key", "k2"]).await;
    let sdkappid = info["sdkappid"].to_string();
    let (ok, sig) = unim(&["usersig", "gen", "--sdkappid", &sdkappid, "--key", "k2", "--user", "dave"]);
    assert!(ok);
    let mut login = tokio::process::Command::new(UNIM)
        .args(["login", "--vendor", "tencent", "--rest-url", info["rest_url"].as_str().unwrap()])
        .args([
            "--ws-url",
            info["ws_url"].as_str().unwrap(),
            "--sdkappid",
            &sdkappid,
            "--user",
            "dave",
            "--usersig",
            &sig,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stdin = login.stdin.take().unwrap();
    let mut lines = BufReader::new(login.stdout.take().unwrap()).lines();
    let mut states = Vec::new();
    while let Some(line) = tokio::time::timeout(WAIT, lines.next_line()).await.expect("events in time").unwrap() {
        let event: Value = serde_json::from_str(&line).expect("each line is JSON");
        assert!(!line.contains(&sig), "the UserSig must not be printed");
        states.push(event["state"].as_str().unwrap_or_default().to_owned());
        if event["state"] == "connected" {
            stdin.write_all(b"logout\n").await.unwrap();
        }
        if event["state"] == "disconnected" {
            assert_eq!(event["reason"]["reason"], "requested");
            break;
        }
    }
    assert_eq!(states, ["connecting", "authenticating", "connected", "disconnected"]);
    let status = tokio::time::timeout(WAIT, login.wait()).await.unwrap().unwrap();
    assert!(status.success());
}

#[test]
fn conformance_json_lists_every_result() {
    let (ok, out) = unim(&["conformance", "--vendor", "tencent", "--case", "login.ok", "--format", "json"]);
    assert!(ok, "{out}");
    let doc: Value = serde_json::from_str(&out).expect("one JSON document");
    let results = doc["results"].as_array().expect("results");
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["case"], "login.ok");
    assert_eq!(results[0]["vendor"], "tencent");
    assert_eq!(results[0]["outcome"], "pass");
    let (ok, out) = unim(&["conformance", "--vendor", "nosuchvendor"]);
    assert!(!ok && out.is_empty());
}

/// Starts `unim emulator serve --vendor <vendor>` and returns the child and its JSON line.
async fn serve_vendor(vendor: &str, extra: &[&str]) -> (tokio::process::Child, Value) {
    let mut child = tokio::process::Command::new(UNIM)
        .args(["emulator", "serve", "--vendor", vendor])
        .args(extra)
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn the emulator");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let line = tokio::time::timeout(WAIT, lines.next_line()).await.expect("JSON line in time").unwrap().unwrap();
    (child, serde_json::from_str(&line).expect("one JSON line"))
}

/// Runs `unim` and returns whether it succeeded, its stdout and its stderr.
fn unim_full(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(UNIM).args(args).output().expect("run unim");
    let text = |b: &[u8]| String::from_utf8_lossy(b).trim().to_owned();
    (out.status.success(), text(&out.stdout), text(&out.stderr))
}

#[tokio::test]
async fn emulator_serve_easemob_prints_what_a_client_needs() {
    let (_child, info) = serve_vendor(
        "easemob",
        &["--org", "acme", "--app", "chat", "--client-id", "YXA6id", "--client-secret", "YXA6s3cret"],
    )
    .await;
    let mut keys: Vec<&str> = info.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["app_key", "client_id", "client_secret", "rest_url", "vendor", "ws_url"]);
    assert_eq!(info["vendor"], "easemob");
    assert_eq!(info["app_key"], "acme#chat");
    assert_eq!((info["client_id"].as_str(), info["client_secret"].as_str()), (Some("YXA6id"), Some("YXA6s3cret")));
    let rest = info["rest_url"].as_str().unwrap();
    let ws = info["ws_url"].as_str().unwrap();
    assert!(rest.starts_with("http://127.0.0.1:"), "{rest}");
    assert_eq!(ws, format!("ws://{}/websocket", rest.trim_start_matches("http://")));

    let (_child, defaults) = serve_vendor("easemob", &[]).await;
    assert_eq!(defaults["app_key"], "unim#demo");
    assert!(defaults["client_secret"].as_str().unwrap().starts_with("YXA6"));

    let (ok, out, err) = unim_full(&["emulator", "serve", "--vendor", "easemob", "--sdkappid", "1"]);
    assert!(!ok && out.is_empty() && err.contains("--sdkappid"), "{err}");
    let (ok, _, err) = unim_full(&["emulator", "serve", "--vendor", "easemob", "--org", "a#b"]);
    assert!(!ok && err.contains("app key"), "{err}");
}

#[tokio::test]
async fn token_issue_prints_app_and_user_tokens() {
    let (_emulator, info) = serve_vendor("easemob", &["--client-secret", "YXA6-cli-secret"]).await;
    let (rest, key, id) =
        (info["rest_url"].as_str().unwrap(), info["app_key"].as_str().unwrap(), info["client_id"].as_str().unwrap());
    let issue = |extra: &[&str]| {
        let mut args = vec!["token", "issue", "--vendor", "easemob", "--rest-url", rest, "--app-key", key];
        args.extend(["--client-id", id, "--client-secret", "YXA6-cli-secret"]);
        args.extend(extra);
        unim_full(&args)
    };
    let parse = |out: &str| -> Value { serde_json::from_str(out).expect("one JSON line") };

    let (ok, out, err) = issue(&["--ttl", "600"]);
    assert!(ok, "{err}");
    let app = parse(&out);
    assert_eq!(app["expires_in"], 600);
    assert!(app["access_token"].as_str().unwrap().starts_with("YWMt"));
    assert!(app.get("user").is_none(), "{app}");

    // A user with a password, registered by the app server.
    let config = unim::easemob::admin::EasemobAdminConfig::new(rest, key, id, "YXA6-cli-secret");
    let admin = unim::easemob::admin::EasemobAdmin::new(config).unwrap();
    admin.register("dave", &unim::Secret::new("dave-pw"), None).await.unwrap();

    let (ok, out, err) = issue(&["--user", "Dave", "--password", "dave-pw", "--ttl", "60"]);
    assert!(ok, "{err}");
    let dave = parse(&out);
    assert_eq!((dave["user"].as_str(), dave["expires_in"].as_u64()), (Some("dave"), Some(60)));
    assert_ne!(dave["access_token"], app["access_token"]);

    let (ok, out, err) = issue(&["--user", "erin", "--inherit", "--auto-create"]);
    assert!(ok, "{err}");
    assert_eq!((parse(&out)["user"].as_str(), parse(&out)["expires_in"].as_u64()), (Some("erin"), Some(5_184_000)));
    let (ok, out, err) = issue(&["--user", "erin", "--inherit", "--ttl", "0"]);
    assert!(ok, "{err}");
    assert_eq!(parse(&out)["expires_in"], 0);

    let (ok, out, err) = issue(&["--user", "ghost", "--inherit"]);
    assert!(!ok && out.is_empty(), "{out}");
    assert!(err.contains("not found") || err.contains("does not exist"), "{err}");
    let (ok, _, err) = issue(&["--user", "dave", "--password", "wrong-pw"]);
    assert!(!ok && err.contains("invalid password") && !err.contains("wrong-pw"), "{err}");

    let (ok, _, err) = unim_full(&[
        "token",
        "issue",
        "--vendor",
        "easemob",
        "--rest-url",
        rest,
        "--app-key",
        key,
        "--client-id",
        id,
        "--client-secret",
        "YXA6-bad-secret",
    ]);
    assert!(!ok && err.contains("client_secret does not match") && !err.contains("YXA6-bad-secret"), "{err}");

    // Flags that do not fit together are refused before anything is sent.
    for extra in [
        &["--password", "x"][..],
        &["--inherit"],
        &["--user", "dave"],
        &["--user", "d", "--password", "x", "--inherit"],
    ] {
        let (ok, _, err) = issue(extra);
        assert!(!ok && !err.is_empty(), "{extra:?}");
    }
    let (ok, _, _) = issue(&["--user", "dave", "--password", "dave-pw", "--auto-create"]);
    assert!(!ok, "--auto-create needs --inherit");
}

/// Runs `unim login` with `args`, sends `logout` once connected, and returns
/// the `state` (or `event`) of every line, up to the logout's disconnect or
/// the login's failure.
async fn login_states(args: &[&str], secret: &str) -> Vec<String> {
    login_lines(args, secret)
        .await
        .iter()
        .map(|event| event["state"].as_str().unwrap_or(event["event"].as_str().unwrap_or_default()).to_owned())
        .collect()
}

/// [`login_states`], returning the JSON lines themselves.
async fn login_lines(args: &[&str], secret: &str) -> Vec<Value> {
    let mut login = tokio::process::Command::new(UNIM)
        .arg("login")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stdin = login.stdin.take().unwrap();
    let mut lines = BufReader::new(login.stdout.take().unwrap()).lines();
    let (mut events, mut logged_out) = (Vec::new(), false);
    while let Some(line) = tokio::time::timeout(WAIT, lines.next_line()).await.expect("events in time").unwrap() {
        assert!(!line.contains(secret), "a secret was printed: {line}");
        let event: Value = serde_json::from_str(&line).expect("each line is JSON");
        events.push(event.clone());
        if event["state"] == "connected" {
            stdin.write_all(b"logout\n").await.unwrap();
            logged_out = true;
        }
        if (logged_out && event["state"] == "disconnected") || event["event"] == "login_failed" {
            break;
        }
    }
    let _ = tokio::time::timeout(WAIT, login.wait()).await;
    events
}

#[tokio::test]
async fn login_works_for_easemob_with_a_password_and_refuses_a_wrong_one() {
    let (_emulator, info) = serve_vendor("easemob", &["--client-secret", "YXA6-login-secret"]).await;
    let (rest, ws, key, id) = (
        info["rest_url"].as_str().unwrap(),
        info["ws_url"].as_str().unwrap(),
        info["app_key"].as_str().unwrap(),
        info["client_id"].as_str().unwrap(),
    );
    let config = unim::easemob::admin::EasemobAdminConfig::new(rest, key, id, "YXA6-login-secret");
    let admin = unim::easemob::admin::EasemobAdmin::new(config).unwrap();
    admin.register("frank", &unim::Secret::new("frank-pw"), None).await.unwrap();
    let base = ["--vendor", "easemob", "--rest-url", rest, "--ws-url", ws, "--app-key", key, "--user", "frank"];

    let ok = login_states(&[&base[..], &["--password", "frank-pw"]].concat(), "frank-pw").await;
    assert_eq!(ok, ["connecting", "authenticating", "connected", "disconnected"]);
    let refused = login_states(&[&base[..], &["--password", "not-franks"]].concat(), "not-franks").await;
    assert_eq!(refused.last().map(String::as_str), Some("login_failed"), "{refused:?}");
    assert!(refused.contains(&"disconnected".to_owned()), "{refused:?}");
}

#[tokio::test]
async fn emulator_serve_netease_prints_what_a_client_needs() {
    let key = "0123456789abcdef0123456789abcdef";
    let (_child, info) = serve_vendor("netease", &["--app-key", key, "--app-secret", "feedc0ffee12"]).await;
    let mut keys: Vec<&str> = info.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["app_key", "app_secret", "lbs_url", "link", "rest_url", "vendor"]);
    assert_eq!(info["vendor"], "netease");
    assert_eq!((info["app_key"].as_str(), info["app_secret"].as_str()), (Some(key), Some("feedc0ffee12")));
    let link = info["link"].as_str().unwrap();
    assert!(link.starts_with("127.0.0.1:"), "{link}");
    assert_eq!(info["rest_url"], format!("http://{link}/nimserver"));
    assert_eq!(info["lbs_url"], format!("http://{link}/lbs/webconf.jsp"));

    let (_child, defaults) = serve_vendor("netease", &[]).await;
    assert_eq!(defaults["app_key"].as_str().map(str::len), Some(32));
    assert_eq!(defaults["app_secret"].as_str().map(str::len), Some(12));
}

/// `unim token issue --vendor netease` against `info`, with `extra` flags.
fn netease_issue(info: &Value, secret: &str, extra: &[&str]) -> (bool, String, String) {
    let mut args = vec!["token", "issue", "--vendor", "netease", "--rest-url", info["rest_url"].as_str().unwrap()];
    args.extend(["--app-key", info["app_key"].as_str().unwrap(), "--app-secret", secret]);
    args.extend(extra);
    unim_full(&args)
}

#[tokio::test]
async fn token_issue_creates_refreshes_and_mints_netease_tokens() {
    let secret = "a1b2c3d4e5f6";
    let (_emulator, info) = serve_vendor("netease", &["--app-secret", secret]).await;
    let parse = |out: &str| -> Value { serde_json::from_str(out).expect("one JSON line") };

    // The server lower-cases the accid and chooses the static token.
    let (ok, out, err) = netease_issue(&info, secret, &["--user", "Grace_1"]);
    assert!(ok, "{err}");
    let created = parse(&out);
    assert_eq!(created["accid"], "grace_1");
    let first = created["token"].as_str().unwrap().to_owned();
    assert!(!first.is_empty());
    let (ok, out, err) = netease_issue(&info, secret, &["--user", "grace_1"]);
    assert!(!ok && out.is_empty() && err.contains("already"), "{err}");

    let (ok, out, err) = netease_issue(&info, secret, &["--user", "GRACE_1", "--refresh"]);
    assert!(ok, "{err}");
    let refreshed = parse(&out);
    assert_eq!(refreshed["accid"], "grace_1");
    assert_ne!(refreshed["token"].as_str().unwrap(), first);

    // A dynamic token is minted locally and verifies with the app secret.
    let (ok, out, err) = unim_full(
        &["token", "issue", "--vendor", "netease", "--app-key", info["app_key"].as_str().unwrap()]
            .into_iter()
            .chain(["--app-secret", secret, "--user", "Grace_1", "--dynamic", "--ttl", "600"])
            .collect::<Vec<_>>(),
    );
    assert!(ok, "{err}");
    let dynamic = parse(&out);
    assert_eq!((dynamic["accid"].as_str(), dynamic["expires_in"].as_u64()), (Some("grace_1"), Some(600)));
    let token = unim::netease::sign::DynamicToken::parse(dynamic["token"].as_str().unwrap()).unwrap();
    let now_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64;
    token.verify(info["app_key"].as_str().unwrap(), "grace_1", secret, now_ms).unwrap();
    assert!(token.verify(info["app_key"].as_str().unwrap(), "grace_1", "another-secret", now_ms).is_err());

    // A wrong app secret is refused by the server and not echoed.
    let (ok, _, err) = netease_issue(&info, "0badc0ffee00", &["--user", "heidi"]);
    assert!(!ok && !err.is_empty() && !err.contains("0badc0ffee00"), "{err}");
    // Flags that do not fit together are refused before anything is sent.
    for extra in [&["--user", "h", "--refresh", "--dynamic", "--ttl", "5"][..], &["--user", "h", "--ttl", "5"], &[]] {
        let (ok, _, err) = netease_issue(&info, secret, extra);
        assert!(!ok && !err.is_empty(), "{extra:?}");
    }
}

#[tokio::test]
async fn login_works_for_netease_with_static_and_dynamic_tokens() {
    let secret = "0a1b2c3d4e5f";
    let (_emulator, info) = serve_vendor("netease", &["--app-secret", secret]).await;
    let (ok, out, err) = netease_issue(&info, secret, &["--user", "ivan"]);
    assert!(ok, "{err}");
    let token = serde_json::from_str::<Value>(&out).unwrap()["token"].as_str().unwrap().to_owned();
    let (lbs, key, link) =
        (info["lbs_url"].as_str().unwrap(), info["app_key"].as_str().unwrap(), info["link"].as_str().unwrap());
    let base = ["--vendor", "netease", "--lbs-url", lbs, "--app-key", key, "--default-link", link, "--user", "ivan"];

    let lines = login_lines(&[&base[..], &["--token", &token]].concat(), &token).await;
    let states: Vec<&str> =
        lines.iter().map(|e| e["state"].as_str().unwrap_or(e["event"].as_str().unwrap_or_default())).collect();
    assert_eq!(
        states,
        ["connecting", "authenticating", "syncing", "sync_started", "sync_finished", "connected", "disconnected"]
    );
    let connected = lines.iter().find(|e| e["state"] == "connected").unwrap();
    assert!(connected["vendor_event"].as_str().is_some_and(|n| n.contains("loggedIn")), "{connected}");

    let (ok, out, err) = netease_issue(&info, secret, &["--user", "ivan", "--dynamic", "--ttl", "600"]);
    assert!(ok, "{err}");
    let dynamic = serde_json::from_str::<Value>(&out).unwrap()["token"].as_str().unwrap().to_owned();
    let ok = login_states(&[&base[..], &["--token", &dynamic]].concat(), &dynamic).await;
    assert_eq!(ok.last().map(String::as_str), Some("disconnected"), "{ok:?}");
    assert!(ok.contains(&"connected".to_owned()), "{ok:?}");

    let refused = login_states(&[&base[..], &["--token", "not-ivans-token"]].concat(), "not-ivans-token").await;
    assert_eq!(refused.last().map(String::as_str), Some("login_failed"), "{refused:?}");
    assert!(refused.contains(&"disconnected".to_owned()), "{refused:?}");
}

#[test]
fn conformance_runs_a_netease_case() {
    let (ok, out) = unim(&["conformance", "--vendor", "netease", "--case", "login.ok", "--format", "json"]);
    assert!(ok, "{out}");
    let doc: Value = serde_json::from_str(&out).expect("one JSON document");
    let results = doc["results"].as_array().expect("results");
    assert_eq!(results.len(), 1);
    assert_eq!((results[0]["case"].as_str(), results[0]["vendor"].as_str()), (Some("login.ok"), Some("netease")));
    assert_eq!(results[0]["outcome"], "pass");
}

/// A running `unim login`: its stdin and its stdout's JSON lines.
struct LoginPeer {
    _child: tokio::process::Child,
    stdin: tokio::process::ChildStdin,
    lines: tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
}

impl LoginPeer {
    fn spawn(args: &[&str]) -> Self {
        let mut child = tokio::process::Command::new(UNIM)
            .arg("login")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let lines = BufReader::new(child.stdout.take().unwrap()).lines();
        LoginPeer { _child: child, stdin, lines }
    }

    /// The next JSON line that `wanted` accepts, skipping the others.
    async fn until(&mut self, secret: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        loop {
            let line = tokio::time::timeout(WAIT, self.lines.next_line()).await.expect("a line in time").unwrap();
            let line = line.expect("the peer ended before the wanted line");
            assert!(!line.contains(secret), "a secret was printed: {line}");
            let value: Value = serde_json::from_str(&line).expect("each line is JSON");
            if wanted(&value) {
                return value;
            }
        }
    }

    async fn write(&mut self, line: &str) {
        self.stdin.write_all(format!("{line}\n").as_bytes()).await.unwrap();
    }
}

#[tokio::test]
async fn login_sends_with_a_stdin_command_and_prints_what_arrives() {
    let (_emulator, info) = serve(&["--secret-key", "k3"]).await;
    let sdkappid = info["sdkappid"].to_string();
    let peer = |user: &str| {
        let (ok, sig) = unim(&["usersig", "gen", "--sdkappid", &sdkappid, "--key", "k3", "--user", user]);
        assert!(ok);
        let ws = info["ws_url"].as_str().unwrap();
        let args = ["--vendor", "tencent", "--ws-url", ws, "--sdkappid", &sdkappid, "--user", user, "--usersig", &sig];
        (LoginPeer::spawn(&args), sig)
    };
    let (mut alice, alice_sig) = peer("alice");
    let (mut bob, bob_sig) = peer("bob");
    alice.until(&alice_sig, |e| e["state"] == "connected").await;
    bob.until(&bob_sig, |e| e["state"] == "connected").await;

    alice.write("send bob hello  there").await;
    let sent = alice.until(&alice_sig, |e| e.get("sent").is_some() || e.get("error").is_some()).await;
    let sent = &sent["sent"];
    assert_eq!((sent["from"].as_str(), sent["to"].as_str()), (Some("alice"), Some("bob")), "{sent}");
    assert_eq!(sent["body"], serde_json::json!({"type": "text", "text": "hello  there"}));
    assert_eq!((sent["direction"].as_str(), sent["status"].as_str()), (Some("outgoing"), Some("sent")));
    assert_eq!(sent["conversation"], serde_json::json!({"kind": "direct", "peer": "bob"}));
    assert!(!sent["server_id"].as_str().unwrap_or_default().is_empty(), "{sent}");

    let got = bob.until(&bob_sig, |e| e["event"] == "message_received").await;
    let got = &got["message"];
    assert_eq!(got["server_id"], sent["server_id"]);
    assert_eq!((got["from"].as_str(), got["direction"].as_str()), (Some("alice"), Some("incoming")), "{got}");
    assert_eq!(got["body"]["text"], "hello  there");
    assert_eq!(got["conversation"]["peer"], "alice");

    // Bad lines answer with an error line and keep the session.
    bob.write("send alice").await;
    let usage = bob.until(&bob_sig, |e| e.get("error").is_some()).await;
    assert_eq!(usage["error"]["kind"], "invalid_input", "{usage}");
    bob.write("shout alice hi").await;
    let unknown = bob.until(&bob_sig, |e| e.get("error").is_some()).await;
    assert!(unknown["error"]["message"].as_str().unwrap().contains("shout"), "{unknown}");
    bob.write("send alice back at you").await;
    let reply = bob.until(&bob_sig, |e| e.get("sent").is_some() || e.get("error").is_some()).await;
    assert_eq!(reply["sent"]["body"]["text"], "back at you", "{reply}");
    let back = alice.until(&alice_sig, |e| e["event"] == "message_received").await;
    assert_eq!(back["message"]["server_id"], reply["sent"]["server_id"]);

    bob.write("logout").await;
    let bye = bob.until(&bob_sig, |e| e["state"] == "disconnected").await;
    assert_eq!(bye["reason"]["reason"], "requested");
}

#[tokio::test]
async fn login_sends_and_receives_on_netease_too() {
    let secret = "5e5e5e5e5e5e";
    let (_emulator, info) = serve_vendor("netease", &["--app-secret", secret]).await;
    let (lbs, key, link) =
        (info["lbs_url"].as_str().unwrap(), info["app_key"].as_str().unwrap(), info["link"].as_str().unwrap());
    let peer = |user: &str| {
        let (ok, out, err) = netease_issue(&info, secret, &["--user", user]);
        assert!(ok, "{err}");
        let token = serde_json::from_str::<Value>(&out).unwrap()["token"].as_str().unwrap().to_owned();
        let args = ["--vendor", "netease", "--lbs-url", lbs, "--app-key", key, "--default-link", link];
        let peer = LoginPeer::spawn(&[&args[..], &["--user", user, "--token", &token]].concat());
        (peer, token)
    };
    let (mut judy, judy_token) = peer("judy");
    let (mut karl, karl_token) = peer("karl");
    judy.until(&judy_token, |e| e["state"] == "connected").await;
    karl.until(&karl_token, |e| e["state"] == "connected").await;

    judy.write("send karl 你好, karl").await;
    let sent = judy.until(&judy_token, |e| e.get("sent").is_some() || e.get("error").is_some()).await;
    assert_eq!(sent["sent"]["body"]["text"], "你好, karl", "{sent}");
    let got = karl.until(&karl_token, |e| e["event"] == "message_received").await;
    assert_eq!(got["message"]["server_id"], sent["sent"]["server_id"]);
    assert_eq!((got["message"]["from"].as_str(), got["message"]["status"].as_str()), (Some("judy"), Some("unread")));

    // An unknown recipient is an error line with the vendor's code.
    karl.write("send nobody_here hello?").await;
    let refused = karl.until(&karl_token, |e| e.get("sent").is_some() || e.get("error").is_some()).await;
    assert_eq!(refused["error"]["kind"], "not_found", "{refused}");
    assert_eq!(refused["error"]["vendor"]["vendor"], "netease", "{refused}");
}
