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
    let (mut states, mut logged_out) = (Vec::new(), false);
    while let Some(line) = tokio::time::timeout(WAIT, lines.next_line()).await.expect("events in time").unwrap() {
        assert!(!line.contains(secret), "a secret was printed: {line}");
        let event: Value = serde_json::from_str(&line).expect("each line is JSON");
        states.push(event["state"].as_str().unwrap_or(event["event"].as_str().unwrap_or_default()).to_owned());
        if event["state"] == "connected" {
            stdin.write_all(b"logout\n").await.unwrap();
            logged_out = true;
        }
        if (logged_out && event["state"] == "disconnected") || event["event"] == "login_failed" {
            break;
        }
    }
    let _ = tokio::time::timeout(WAIT, login.wait()).await;
    states
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
