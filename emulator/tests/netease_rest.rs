//! The NetEase face's server API, spoken by hand as a third-party client
//! would: reqwest, form bodies written out, the four signature headers made
//! here, replies read as plain JSON (netease.md sections 1-3).

use serde_json::{json, Value};
use std::time::Duration;
use unim_core::{Clock, Device, DisconnectReason, Platform};
use unim_emulator::{DevicePolicy, EmulatorConfig, LinkSignal, NeteaseEndpoint};
use unim_netease::sign::checksum;

#[allow(dead_code)]
mod common;

use common::{within, Face, T0};

/// The four headers, each overridable.
struct Headers {
    app_key: Option<String>,
    nonce: Option<String>,
    cur_time: Option<String>,
    check_sum: Option<String>,
}

impl Face {
    async fn start() -> Face {
        Face::launch(EmulatorConfig::netease()).await
    }

    fn endpoint(&self) -> &NeteaseEndpoint {
        self.emulator.netease().expect("netease face")
    }

    /// Correct headers signed at the clock's now.
    fn headers(&self) -> Headers {
        self.headers_at(self.clock.unix_secs())
    }

    fn headers_at(&self, cur_time: u64) -> Headers {
        let ep = self.endpoint();
        let (nonce, cur_time) = ("4tgggergigwow323t23t".to_string(), cur_time.to_string());
        let check_sum = checksum(&ep.app_secret, &nonce, &cur_time);
        Headers {
            app_key: Some(ep.app_key.clone()),
            nonce: Some(nonce),
            cur_time: Some(cur_time),
            check_sum: Some(check_sum),
        }
    }

    async fn send(&self, path: &str, content_type: &str, body: String, h: Headers) -> Value {
        let mut req = self.http.post(format!("{}/{path}", self.endpoint().rest_url)).body(body);
        req = req.header("Content-Type", content_type);
        for (name, value) in
            [("AppKey", h.app_key), ("Nonce", h.nonce), ("CurTime", h.cur_time), ("CheckSum", h.check_sum)]
        {
            if let Some(v) = value {
                req = req.header(name, v);
            }
        }
        let reply = within(req.send()).await.expect("reply");
        assert_eq!(reply.status(), 200, "the server API always answers HTTP 200");
        reply.json().await.expect("a JSON reply")
    }

    /// A v1 call with a form body built from `fields`.
    async fn v1_with(&self, path: &str, fields: &[(&str, &str)], h: Headers) -> Value {
        let body = fields.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&");
        self.send(path, "application/x-www-form-urlencoded;charset=utf-8", body, h).await
    }

    async fn v1(&self, path: &str, fields: &[(&str, &str)]) -> Value {
        self.v1_with(path, fields, self.headers()).await
    }

    async fn create(&self, accid: &str) -> Value {
        self.v1("user/create.action", &[("accid", accid)]).await
    }

    async fn kick(&self, path_prefix: &str, account: &str, body: Value) -> Value {
        let url_path = format!("{path_prefix}im/v2/accounts/{account}/actions/kick");
        let h = self.headers();
        let mut req = self.http.post(self.url_of(&url_path)).json(&body);
        for (name, value) in
            [("AppKey", h.app_key), ("Nonce", h.nonce), ("CurTime", h.cur_time), ("CheckSum", h.check_sum)]
        {
            req = req.header(name, value.unwrap_or_default());
        }
        let reply = within(req.send()).await.expect("reply");
        assert_eq!(reply.status(), 200);
        reply.json().await.expect("JSON")
    }

    /// `path` under the rest URL, or under the root for a path starting with `/`.
    fn url_of(&self, path: &str) -> String {
        let rest = &self.endpoint().rest_url;
        match path.strip_prefix('/') {
            Some(root) => format!("{}/{root}", rest.trim_end_matches("/nimserver")),
            None => format!("{rest}/{path}"),
        }
    }
}

/// Form-encodes one value (every byte outside the unreserved set).
fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn refused(reply: &Value, code: i64, desc: &str) {
    assert_eq!(reply["code"], code, "{reply}");
    assert_eq!(reply["desc"], desc, "{reply}");
}

#[tokio::test]
async fn create_lowercases_generates_a_token_and_refuses_duplicates() {
    let face = Face::start().await;
    let reply = face.v1("user/create.action", &[("accid", "Alice@Home.x-1"), ("name", "Alice")]).await;
    assert_eq!(reply["code"], 200, "{reply}");
    assert_eq!(reply["info"]["accid"], "alice@home.x-1");
    assert_eq!(reply["info"]["name"], "Alice");
    let token = reply["info"]["token"].as_str().unwrap();
    assert!(token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit()), "{token}");
    refused(&face.create("ALICE@home.X-1").await, 414, "already register");

    let given = face.v1("user/create.action", &[("accid", "bob"), ("token", "my-token")]).await;
    assert_eq!(given["info"]["token"], "my-token", "{given}");
    assert!(face.engine_has("bob"));
}

impl Face {
    fn engine_has(&self, accid: &str) -> bool {
        self.emulator.engine().account(accid).is_some()
    }
}

#[tokio::test]
async fn create_checks_the_accid_and_field_limits() {
    let face = Face::start().await;
    let long = "a".repeat(33);
    let reply = face.create(&long).await;
    assert_eq!(reply["code"], 414);
    assert!(reply["desc"].as_str().unwrap().contains("33 characters"), "{reply}");
    let reply = face.create("bad/char").await;
    assert_eq!(reply["code"], 414);
    assert!(reply["desc"].as_str().unwrap().contains("'/'"), "{reply}");
    refused(&face.v1("user/create.action", &[]).await, 414, "accid is missing");
    assert_eq!(face.create(&"a".repeat(32)).await["code"], 200);
    let long_token = "t".repeat(129);
    let reply = face.v1("user/create.action", &[("accid", "carol"), ("token", &long_token)]).await;
    refused(&reply, 414, "token is longer than 128 characters");
    let long_name = "n".repeat(65);
    let reply = face.v1("user/create.action", &[("accid", "carol"), ("name", &long_name)]).await;
    refused(&reply, 414, "name is longer than 64 characters");
    refused(
        &face.v1("user/create.action", &[("accid", "carol"), ("gender", "3")]).await,
        414,
        "gender must be 0, 1 or 2",
    );
    assert!(!face.engine_has("carol"), "refused creations leave no account");
}

#[tokio::test]
async fn every_call_checks_the_four_headers() {
    let face = Face::start().await;
    let path = "user/create.action";
    let fields = &[("accid", "dave")];
    for missing in 0..4 {
        let mut h = face.headers();
        *[&mut h.app_key, &mut h.nonce, &mut h.cur_time, &mut h.check_sum][missing] = None;
        refused(&face.v1_with(path, fields, h).await, 414, "bad http header");
    }
    let mut h = face.headers();
    h.nonce = Some(String::new());
    refused(&face.v1_with(path, fields, h).await, 414, "bad http header");

    let mut h = face.headers();
    h.app_key = Some("0".repeat(32));
    refused(&face.v1_with(path, fields, h).await, 414, "appkey");

    // Five minutes either side are taken; one second more is not.
    for (at, ok) in [(T0 - 300, true), (T0 + 300, true), (T0 - 301, false), (T0 + 301, false)] {
        let accid = format!("at{at}");
        let reply = face.v1_with(path, &[("accid", &accid)], face.headers_at(at)).await;
        if ok {
            assert_eq!(reply["code"], 200, "{at}: {reply}");
        } else {
            refused(&reply, 414, "CurTime is expired");
        }
    }
    let mut h = face.headers();
    h.cur_time = Some("soon".into());
    refused(&face.v1_with(path, fields, h).await, 414, "CurTime is expired");

    let mut h = face.headers();
    h.check_sum = Some("0".repeat(40));
    refused(&face.v1_with(path, fields, h).await, 414, "checksum");
    let mut h = face.headers();
    h.check_sum = h.check_sum.map(|c| c.to_ascii_uppercase());
    refused(&face.v1_with(path, fields, h).await, 414, "checksum");
    // The CheckSum signs the exact Nonce sent.
    let mut h = face.headers();
    h.nonce = Some("another-nonce".into());
    refused(&face.v1_with(path, fields, h).await, 414, "checksum");
    assert!(!face.engine_has("dave"));

    // The clock moves: a signature made at T0 goes stale.
    let stale = face.headers();
    face.clock.advance(Duration::from_secs(301));
    refused(&face.v1_with(path, fields, stale).await, 414, "CurTime is expired");
    assert_eq!(face.v1_with(path, fields, face.headers()).await["code"], 200);
}

#[tokio::test]
async fn v1_takes_only_form_bodies() {
    let face = Face::start().await;
    let json_body = json!({"accid": "erin"}).to_string();
    let reply = face.send("user/create.action", "application/json", json_body.clone(), face.headers()).await;
    refused(&reply, 414, "the body must be application/x-www-form-urlencoded");
    let reply = face.send("user/create.action", "application/x-www-form-urlencoded", json_body, face.headers()).await;
    assert_eq!(reply["code"], 414, "{reply}");
    let reply = face.v1("user/getUinfos.action", &[("accids", "erin")]).await;
    refused(&reply, 414, "accids is not a JSON array of strings");
    let many = serde_json::to_string(&(0..201).map(|i| format!("u{i}")).collect::<Vec<_>>()).unwrap();
    refused(&face.v1("user/getUinfos.action", &[("accids", &many)]).await, 414, "accids lists more than 200 entries");
}

#[tokio::test]
async fn unknown_paths_are_404_and_other_methods_405() {
    let face = Face::start().await;
    let reply = within(face.http.post(face.url_of("user/nothing.action")).send()).await.unwrap();
    assert_eq!(reply.status(), 404);
    let reply = within(face.http.post(face.url_of("/user/create.action")).send()).await.unwrap();
    assert_eq!(reply.status(), 404, "v1 lives under /nimserver only");
    let reply = within(face.http.get(face.url_of("user/create.action")).send()).await.unwrap();
    assert_eq!(reply.status(), 405);
}

#[tokio::test]
async fn get_uinfos_lists_known_accounts_and_block_unblock_flip_valid() {
    let face = Face::start().await;
    face.v1(
        "user/create.action",
        &[("accid", "frank"), ("name", "Frank"), ("icon", "http://i/f.png"), ("gender", "1")],
    )
    .await;
    face.create("grace").await;
    let reply = face.v1("user/getUinfos.action", &[("accids", r#"["FRANK","nobody","grace"]"#)]).await;
    assert_eq!(reply["code"], 200, "{reply}");
    let uinfos = reply["uinfos"].as_array().unwrap();
    assert_eq!(uinfos.len(), 2, "unknown accids are left out: {reply}");
    assert_eq!(uinfos[0]["accid"], "frank");
    assert_eq!(uinfos[0]["name"], "Frank");
    assert_eq!(uinfos[0]["icon"], "http://i/f.png");
    assert_eq!(uinfos[0]["gender"], 1);
    assert_eq!(uinfos[0]["valid"], true);
    assert_eq!(uinfos[1]["accid"], "grace");
    assert!(uinfos[1].get("name").is_none(), "unset fields are left out");

    let engine = face.emulator.engine();
    let mut link = engine.attach("frank", Device::new(Platform::Web).with_id("tab"), DevicePolicy::SINGLE_DEVICE);
    let reply =
        face.v1("user/block.action", &[("accid", "frank"), ("needkick", "true"), ("kickNotifyExt", "bye")]).await;
    assert_eq!(reply, json!({"code": 200}));
    match within(link.signals.recv()).await {
        Some(LinkSignal::Kicked { reason, .. }) => assert_eq!(reason, DisconnectReason::Banned),
        other => panic!("expected a kick, got {other:?}"),
    }
    let reply = face.v1("user/getUinfos.action", &[("accids", r#"["frank"]"#)]).await;
    assert_eq!(reply["uinfos"][0]["valid"], false, "{reply}");
    assert_eq!(face.v1("user/unblock.action", &[("accid", "frank")]).await, json!({"code": 200}));
    let reply = face.v1("user/getUinfos.action", &[("accids", r#"["frank"]"#)]).await;
    assert_eq!(reply["uinfos"][0]["valid"], true, "{reply}");

    // Blocking without needkick leaves links online.
    let mut link = engine.attach("grace", Device::new(Platform::Web).with_id("tab"), DevicePolicy::SINGLE_DEVICE);
    assert_eq!(face.v1("user/block.action", &[("accid", "grace")]).await["code"], 200);
    assert!(link.signals.try_recv().is_err() && engine.is_attached(link.id));
    refused(
        &face.v1("user/block.action", &[("accid", "grace"), ("needkick", "yes")]).await,
        414,
        "needkick must be true or false",
    );
    assert_eq!(face.v1("user/block.action", &[("accid", "nobody")]).await["code"], 414);
}

#[tokio::test]
async fn update_and_refresh_token() {
    let face = Face::start().await;
    face.create("henry").await;
    assert_eq!(face.v1("user/update.action", &[("accid", "Henry"), ("token", "t2")]).await, json!({"code": 200}));
    refused(&face.v1("user/update.action", &[("accid", "henry")]).await, 414, "token is missing");
    assert_eq!(face.v1("user/update.action", &[("accid", "nobody"), ("token", "x")]).await["code"], 414);
    let first = face.v1("user/refreshToken.action", &[("accid", "henry")]).await;
    let second = face.v1("user/refreshToken.action", &[("accid", "henry")]).await;
    assert_eq!(first["info"]["accid"], "henry", "{first}");
    let (a, b) = (first["info"]["token"].as_str().unwrap(), second["info"]["token"].as_str().unwrap());
    assert!(a.len() == 32 && a != b && a != "t2", "{a} {b}");
    assert_eq!(face.v1("user/refreshToken.action", &[("accid", "nobody")]).await["code"], 414);
}

#[tokio::test]
async fn online_status_lists_each_link_with_client_type_and_login_time() {
    let face = Face::start().await;
    face.create("ivy").await;
    face.create("jack").await;
    let engine = face.emulator.engine();
    let policy = DevicePolicy::ONE_DESKTOP_ONE_MOBILE;
    let _web = engine.attach("ivy", Device::new(Platform::Web).with_id("w"), policy);
    face.clock.advance(Duration::from_secs(5));
    let _phone = engine.attach("ivy", Device::new(Platform::Android).with_id("p"), policy);
    let reply = face.v1("user/userOnlineStatus.action", &[("accids", r#"["ivy","jack","ghost"]"#)]).await;
    assert_eq!(reply["code"], 200, "{reply}");
    assert_eq!(
        reply["data"]["status"]["ivy"],
        json!([{"clientType": 16, "loginTime": T0 * 1000}, {"clientType": 1, "loginTime": (T0 + 5) * 1000}])
    );
    assert_eq!(reply["data"]["status"]["jack"], json!([]));
    assert_eq!(reply["data"]["invalidAccids"], json!(["ghost"]));
}

/// Which clients a v2 kick hits is proven over real links in
/// `netease_link.rs`; here, the call's own checks under both prefixes.
#[tokio::test]
async fn v2_kick_checks_its_arguments_under_both_prefixes() {
    let face = Face::start().await;
    face.create("kate").await;
    let reply = face.kick("", "kate", json!({"type": 1})).await;
    assert_eq!((reply["code"].as_i64(), reply["msg"].as_str()), (Some(200), Some("success")), "{reply}");
    assert_eq!(reply["data"], json!({"account_id": "kate", "kicked_device_ids": []}));
    let reply = face.kick("/", "KATE", json!({"type": 3, "device_id_list": ["b"], "kick_notify_extension": "x"})).await;
    assert_eq!(reply["data"]["account_id"], "kate", "{reply}");

    let reply = face.kick("", "nobody", json!({"type": 1})).await;
    assert_eq!((reply["code"].as_i64(), reply["msg"].as_str()), (Some(102404), Some("account not exist")));
    assert_eq!(face.kick("", "kate", json!({"type": 4})).await["code"], 414);
    assert_eq!(face.kick("", "kate", json!({"type": 2})).await["code"], 414);
    let many: Vec<String> = (0..21).map(|i| i.to_string()).collect();
    assert_eq!(face.kick("", "kate", json!({"type": 2, "device_id_list": many})).await["code"], 414);
    let long = "x".repeat(257);
    assert_eq!(face.kick("", "kate", json!({"type": 1, "kick_notify_extension": long})).await["code"], 414);
}

#[tokio::test]
async fn injected_errors_answer_the_next_call() {
    let face = Face::start().await;
    face.emulator.faults().inject_error(416, "frequency control", 1);
    refused(&face.create("lena").await, 416, "frequency control");
    assert_eq!(face.create("lena").await["code"], 200);
}

/// msg/sendMsg.action stores through the engine (ids grow, timetags are
/// unique), the recipient's unread count grows; querySessionMsg pages both
/// directions by time; querySessionList lists the sessions with lastMsg.
#[tokio::test]
async fn messages_are_sent_queried_and_listed() {
    let f = Face::start().await;
    f.create("alice").await;
    f.create("bob").await;
    let send = |from: &'static str, to: &'static str, kind: &'static str, body: String| {
        let f = &f;
        async move {
            f.v1("msg/sendMsg.action", &[("from", from), ("ope", "0"), ("to", to), ("type", kind), ("body", &body)])
                .await
        }
    };
    let mut sent = Vec::new();
    for i in 0..3 {
        let r = send("alice", "bob", "0", json!({"msg": format!("t{i}")}).to_string()).await;
        assert_eq!(r["code"], 200, "{r}");
        assert_eq!(r["data"]["antispam"], false);
        sent.push((r["data"]["msgid"].as_u64().unwrap(), r["data"]["timetag"].as_u64().unwrap()));
    }
    let r = send("bob", "alice", "100", "{\"card\":1}".into()).await;
    assert_eq!(r["code"], 200, "{r}");
    sent.push((r["data"]["msgid"].as_u64().unwrap(), r["data"]["timetag"].as_u64().unwrap()));
    assert!(sent.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 < w[1].1), "{sent:?}");
    assert_eq!(sent[0].1, T0 * 1000, "the first timetag is the clock's now");
    let bob = f.emulator.engine().conversations("bob");
    assert_eq!((bob[0].peer.as_str(), bob[0].unread), ("alice", 3));

    let end = (sent[3].1 + 1).to_string();
    let query = |reverse: &'static str, limit: &'static str, begin: String, end: String| {
        let f = &f;
        async move {
            f.v1(
                "history/querySessionMsg.action",
                &[
                    ("from", "bob"),
                    ("to", "alice"),
                    ("begintime", &begin),
                    ("endtime", &end),
                    ("limit", limit),
                    ("reverse", reverse),
                ],
            )
            .await
        }
    };
    let desc = query("2", "3", "0".into(), end.clone()).await;
    assert_eq!((desc["code"].as_i64(), desc["size"].as_u64()), (Some(200), Some(3)), "{desc}");
    let ids: Vec<u64> = desc["msgs"].as_array().unwrap().iter().map(|m| m["msgid"].as_u64().unwrap()).collect();
    assert_eq!(ids, [sent[3].0, sent[2].0, sent[1].0]);
    assert_eq!(desc["msgs"][0]["body"], "{\"card\":1}");
    assert_eq!(desc["msgs"][0]["type"], 100);
    assert_eq!(desc["msgs"][1]["body"]["msg"], "t2");
    assert_eq!(desc["msgs"][1]["from"], "alice");
    assert_eq!(desc["msgs"][1]["fromclienttype"], 32);
    let asc = query("1", "2", sent[1].1.to_string(), end.clone()).await;
    let ids: Vec<u64> = asc["msgs"].as_array().unwrap().iter().map(|m| m["msgid"].as_u64().unwrap()).collect();
    assert_eq!(ids, [sent[1].0, sent[2].0], "both ends are included");
    assert_eq!(query("2", "3", end.clone(), end.clone()).await["desc"], "bad time");
    assert_eq!(query("2", "101", "0".into(), end.clone()).await["code"], 414);

    let list = f
        .v1(
            "history/querySessionList.action",
            &[("accid", "alice"), ("minTimestamp", "0"), ("maxTimestamp", &end), ("limit", "10"), ("needLastMsg", "1")],
        )
        .await;
    assert_eq!(list["code"], 200, "{list}");
    let sessions = list["data"]["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 1);
    assert_eq!((sessions[0]["accid"].as_str(), sessions[0]["sessionType"].as_i64()), (Some("bob"), Some(0)));
    assert_eq!(sessions[0]["lastMsg"]["msgid"].as_u64(), Some(sent[3].0));
    assert_eq!(sessions[0]["updateTime"].as_u64(), Some(sent[3].1));
    assert_eq!(list["data"]["hasMore"], false);
}

/// The refusals: too long 414, unknown accounts 404, team sends and other
/// types 414, a text body that is not `{"msg": ...}` 414.
#[tokio::test]
async fn message_refusals_have_the_documented_codes() {
    let f = Face::start().await;
    f.create("alice").await;
    let send = |to: &'static str, kind: &'static str, ope: &'static str, body: String| {
        let f = &f;
        async move {
            f.v1("msg/sendMsg.action", &[("from", "alice"), ("ope", ope), ("to", to), ("type", kind), ("body", &body)])
                .await
        }
    };
    let long = json!({"msg": "x".repeat(4991)}).to_string();
    let r = send("alice", "0", "0", long).await;
    assert_eq!((r["code"].as_i64(), r["desc"].as_str()), (Some(414), Some("body too long")), "{r}");
    assert_eq!(send("alice", "0", "0", json!({"msg": "x".repeat(4980)}).to_string()).await["code"], 200);
    assert_eq!(send("nobody", "0", "0", json!({"msg": "x"}).to_string()).await["code"], 404);
    assert_eq!(send("alice", "0", "1", json!({"msg": "x"}).to_string()).await["code"], 414);
    assert_eq!(send("alice", "1", "0", "{}".into()).await["code"], 414);
    assert_eq!(send("alice", "0", "0", "{\"text\":1}".into()).await["code"], 414);
    assert_eq!(send("alice", "100", "0", "not json".into()).await["code"], 414);
    let q = f
        .v1(
            "history/querySessionMsg.action",
            &[("from", "alice"), ("to", "ghost"), ("begintime", "0"), ("endtime", "1")],
        )
        .await;
    assert_eq!(q["code"], 404);
}
