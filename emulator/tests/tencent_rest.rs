//! The Tencent face's REST API, spoken by hand as a third-party client would:
//! reqwest, a URL built from strings, JSON written out, replies read as plain
//! JSON (vendors/tencent.md sections 2.1-2.3 and 3).

use serde_json::{json, Value};
use std::time::Duration;
use unim_core::{Clock, Device, Platform};
use unim_emulator::{DevicePolicy, EmulatorConfig, TencentEndpoint};
use unim_tencent::usersig::UserSigKey;

#[allow(dead_code)]
mod common;

use common::{within, Face, T0};

impl Face {
    async fn start() -> Face {
        Face::launch(EmulatorConfig::tencent()).await
    }

    fn endpoint(&self) -> &TencentEndpoint {
        self.emulator.tencent().expect("tencent face")
    }

    /// A UserSig for `user` signed with the app's key at the clock's now, valid one day.
    fn sig(&self, user: &str) -> String {
        let ep = self.endpoint();
        UserSigKey::new(ep.sdkappid, &ep.secret_key).gen(user, 86_400, self.clock.unix_secs())
    }

    /// The documented URL with the admin's fresh UserSig.
    fn url(&self, path: &str) -> String {
        let ep = self.endpoint();
        self.url_with(
            path,
            &format!("sdkappid={}&identifier={}&usersig={}", ep.sdkappid, ep.admin, self.sig(&ep.admin)),
        )
    }

    /// `path` with a hand-made authentication query, plus `random` and `contenttype`.
    fn url_with(&self, path: &str, auth: &str) -> String {
        format!("{}/v4/{path}?{auth}&random=4294967295&contenttype=json", self.endpoint().rest_url)
    }

    async fn post_raw(&self, url: &str, body: &str) -> Value {
        let reply = within(self.http.post(url).header("content-type", "application/json").body(body.to_owned()).send())
            .await
            .expect("request sent");
        assert_eq!(reply.status(), 200, "Tencent answers HTTP 200 whatever the outcome");
        within(reply.json::<Value>()).await.expect("reply is JSON")
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.post_raw(&self.url(path), &body.to_string()).await
    }
}

fn code(reply: &Value) -> i64 {
    reply["ErrorCode"].as_i64().expect("ErrorCode is a number")
}

#[tokio::test]
async fn success_envelope_is_exact() {
    let f = Face::start().await;
    let reply = f.post("im_open_login_svc/account_import", json!({"UserID":"alice","Nick":"Alice"})).await;
    assert_eq!(reply, json!({"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}));
    let acc = f.emulator.engine().account("alice").expect("imported");
    assert_eq!(acc.nick.as_deref(), Some("Alice"));
    // Importing again is idempotent.
    let again = f.post("im_open_login_svc/account_import", json!({"UserID":"alice"})).await;
    assert_eq!(code(&again), 0);
    assert_eq!(f.emulator.engine().account("alice").unwrap().nick.as_deref(), Some("Alice"));
}

#[tokio::test]
async fn legacy_identifier_field_is_accepted() {
    let f = Face::start().await;
    let reply =
        f.post("im_open_login_svc/account_import", json!({"Identifier":"bob","FaceUrl":"http://x/y.png"})).await;
    assert_eq!(code(&reply), 0);
    assert_eq!(f.emulator.engine().account("bob").unwrap().face_url.as_deref(), Some("http://x/y.png"));
}

#[tokio::test]
async fn a_body_that_is_not_json_is_90001() {
    let f = Face::start().await;
    let expected =
        json!({"ActionStatus":"FAIL","ErrorCode":90001,"ErrorInfo":"Fail to Parse json data of body, Please check it"});
    for body in ["{\"UserID\":", "", "not json", "[1,2]"] {
        let reply = f.post_raw(&f.url("im_open_login_svc/account_import"), body).await;
        assert_eq!(reply, expected, "body {body:?}");
    }
}

#[tokio::test]
async fn unknown_api_is_60009() {
    let f = Face::start().await;
    let reply = f.post("im_open_login_svc/no_such_command", json!({})).await;
    assert_eq!(reply["ActionStatus"], "FAIL");
    assert_eq!(code(&reply), 60009);
}

#[tokio::test]
async fn missing_or_mistyped_fields_are_70402() {
    let f = Face::start().await;
    for body in [json!({}), json!({"UserID": 42}), json!({"UserID":"ok","Nick":7})] {
        let reply = f.post("im_open_login_svc/account_import", body.clone()).await;
        assert_eq!(code(&reply), 70402, "{body}");
    }
    for bad in ["", "x".repeat(33).as_str(), "tab\tid", "né"] {
        let reply = f.post("im_open_login_svc/account_import", json!({ "UserID": bad })).await;
        assert_eq!(code(&reply), 70402, "{bad:?}");
    }
}

#[tokio::test]
async fn authentication_failures_carry_tencents_codes() {
    let f = Face::start().await;
    let ep = f.endpoint().clone();
    let admin_sig = f.sig(&ep.admin);
    let other_app = UserSigKey::new(ep.sdkappid + 1, &ep.secret_key).gen(&ep.admin, 86_400, T0);
    let wrong_key = UserSigKey::new(ep.sdkappid, "not-the-key").gen(&ep.admin, 86_400, T0);
    let cases = [
        (format!("identifier={}&usersig={admin_sig}", ep.admin), 60012),
        (format!("sdkappid=1&identifier={}&usersig={admin_sig}", ep.admin), 60006),
        (format!("sdkappid=abc&identifier={}&usersig={admin_sig}", ep.admin), 60006),
        (format!("sdkappid={}&usersig={admin_sig}", ep.sdkappid), 60004),
        (format!("sdkappid={}&identifier={}", ep.sdkappid, ep.admin), 70002),
        (format!("sdkappid={}&identifier={}&usersig=garbage!", ep.sdkappid, ep.admin), 70003),
        (format!("sdkappid={}&identifier={}&usersig={wrong_key}", ep.sdkappid, ep.admin), 70009),
        (format!("sdkappid={}&identifier=someone&usersig={admin_sig}", ep.sdkappid), 70013),
        (format!("sdkappid={}&identifier={}&usersig={other_app}", ep.sdkappid, ep.admin), 70014),
        (format!("sdkappid={}&identifier=alice&usersig={}", ep.sdkappid, f.sig("alice")), 60010),
    ];
    for (auth, expected) in cases {
        let reply = f.post_raw(&f.url_with("im_open_login_svc/account_check", &auth), "{}").await;
        assert_eq!(reply["ActionStatus"], "FAIL", "{auth}");
        assert_eq!(code(&reply), expected, "{auth}: {reply}");
        assert!(reply["ErrorInfo"].as_str().is_some_and(|s| !s.is_empty()), "{reply}");
    }
}

#[tokio::test]
async fn an_expired_admin_usersig_is_70001() {
    let f = Face::start().await;
    let url = f.url("im_open_login_svc/account_check");
    let body = r#"{"CheckItem":[{"UserID":"alice"}]}"#;
    assert_eq!(code(&f.post_raw(&url, body).await), 0);
    // Valid through time + expire inclusive, expired one second later (tencent.md 1.2).
    f.clock.advance(Duration::from_secs(86_400));
    assert_eq!(code(&f.post_raw(&url, body).await), 0);
    f.clock.advance(Duration::from_secs(1));
    let reply = f.post_raw(&url, body).await;
    assert_eq!(code(&reply), 70001, "{reply}");
}

#[tokio::test]
async fn an_injected_error_answers_before_anything_else() {
    let f = Face::start().await;
    f.emulator.faults().inject_error(70500, "internal error", 1);
    let reply = f.post_raw(&f.url_with("nowhere/at_all", "sdkappid=0"), "junk").await;
    assert_eq!(reply, json!({"ActionStatus":"FAIL","ErrorCode":70500,"ErrorInfo":"internal error"}));
    let next = f.post("im_open_login_svc/account_import", json!({"UserID":"alice"})).await;
    assert_eq!(code(&next), 0);
}

#[tokio::test]
async fn account_check_and_delete_report_per_item() {
    let f = Face::start().await;
    assert_eq!(code(&f.post("im_open_login_svc/account_import", json!({"UserID":"alice"})).await), 0);
    let check =
        f.post("im_open_login_svc/account_check", json!({"CheckItem":[{"UserID":"alice"},{"UserID":"ghost"}]})).await;
    assert_eq!(
        check,
        json!({"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","ResultItem":[
            {"UserID":"alice","ResultCode":0,"ResultInfo":"","AccountStatus":"Imported"},
            {"UserID":"ghost","ResultCode":0,"ResultInfo":"","AccountStatus":"NotImported"}
        ]})
    );
    let delete =
        f.post("im_open_login_svc/account_delete", json!({"DeleteItem":[{"UserID":"alice"},{"UserID":"ghost"}]})).await;
    assert_eq!(
        delete,
        json!({"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","ResultItem":[
            {"UserID":"alice","ResultCode":0,"ResultInfo":""},
            {"UserID":"ghost","ResultCode":70107,"ResultInfo":"Err_TLS_PT_Open_Login_Account_Not_Exist"}
        ]})
    );
    assert!(f.emulator.engine().account("alice").is_none());
}

#[tokio::test]
async fn multiaccount_import_takes_both_forms() {
    let f = Face::start().await;
    let old = f.post("im_open_login_svc/multiaccount_import", json!({"Accounts":["a1","a2","bad\u{1}id"]})).await;
    assert_eq!(old, json!({"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","FailAccounts":["bad\u{1}id"]}));
    let new = f
        .post(
            "im_open_login_svc/multiaccount_import",
            json!({"AccountList":[{"UserID":"b1","Nick":"B one"},{"UserID":"b2","FaceUrl":"http://f"}]}),
        )
        .await;
    assert_eq!(new, json!({"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","FailAccounts":[]}));
    let engine = f.emulator.engine();
    assert!(engine.account("a1").is_some() && engine.account("a2").is_some());
    assert_eq!(engine.account("b1").unwrap().nick.as_deref(), Some("B one"));
    assert_eq!(engine.account("b2").unwrap().face_url.as_deref(), Some("http://f"));
    assert_eq!(code(&f.post("im_open_login_svc/multiaccount_import", json!({"Nope":[]})).await), 70402);
}

#[tokio::test]
async fn batch_limits() {
    let f = Face::start().await;
    let hundred: Vec<String> = (0..100).map(|i| format!("u{i}")).collect();
    let too_many: Vec<String> = (0..101).map(|i| format!("u{i}")).collect();
    let items = |ids: &[String]| ids.iter().map(|u| json!({ "UserID": u })).collect::<Vec<_>>();

    assert_eq!(code(&f.post("im_open_login_svc/multiaccount_import", json!({ "Accounts": hundred })).await), 0);
    for (path, body) in [
        ("im_open_login_svc/multiaccount_import", json!({ "Accounts": too_many })),
        ("im_open_login_svc/multiaccount_import", json!({ "Accounts": [] })),
        ("im_open_login_svc/account_check", json!({ "CheckItem": items(&too_many) })),
        ("im_open_login_svc/account_delete", json!({ "DeleteItem": items(&too_many) })),
        ("im_open_login_svc/account_delete", json!({ "DeleteItem": [] })),
    ] {
        let reply = f.post(path, body).await;
        assert_eq!((reply["ActionStatus"].as_str(), code(&reply)), (Some("FAIL"), 70206), "{path}");
    }
    assert_eq!(code(&f.post("im_open_login_svc/account_check", json!({ "CheckItem": items(&hundred) })).await), 0);

    let five_hundred: Vec<String> = (0..500).map(|i| format!("u{}", i % 100)).collect();
    let five_hundred_one: Vec<String> = (0..501).map(|i| format!("u{}", i % 100)).collect();
    let ok = f.post("openim/query_online_status", json!({ "To_Account": five_hundred })).await;
    assert_eq!(code(&ok), 0);
    assert_eq!(ok["QueryResult"].as_array().map(Vec::len), Some(500));
    assert_eq!(code(&f.post("openim/query_online_status", json!({ "To_Account": five_hundred_one })).await), 90011);
    assert_eq!(code(&f.post("openim/query_online_status", json!({})).await), 90003);
    assert_eq!(code(&f.post("openim/query_online_status", json!({"To_Account":"u1"})).await), 90003);
    assert_eq!(
        code(&f.post("openim/query_online_status", json!({"To_Account":["u1"],"IsNeedDetail":"1"})).await),
        70402
    );
}

#[tokio::test]
async fn online_status_follows_live_links() {
    let f = Face::start().await;
    let engine = f.emulator.engine();
    for u in ["alice", "bob"] {
        assert_eq!(code(&f.post("im_open_login_svc/account_import", json!({ "UserID": u })).await), 0);
    }
    let _link = engine.attach("alice", Device::new(Platform::Web).with_id("tab-1"), DevicePolicy::SINGLE_DEVICE);

    let detailed =
        f.post("openim/query_online_status", json!({"To_Account":["alice","bob","ghost"],"IsNeedDetail":1})).await;
    assert_eq!(
        detailed,
        json!({"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"",
            "QueryResult":[
                {"To_Account":"alice","Status":"Online","Detail":[{"Platform":"Web","Status":"Online"}]},
                {"To_Account":"bob","Status":"Offline","Detail":[]}
            ],
            "ErrorList":[{"To_Account":"ghost","ErrorCode":70107}]})
    );
    let plain = f.post("openim/query_online_status", json!({"To_Account":["alice"]})).await;
    assert_eq!(plain["QueryResult"], json!([{"To_Account":"alice","Status":"Online"}]));

    let legacy = f.post("openim/querystate", json!({"To_Account":["alice","bob"]})).await;
    assert_eq!(
        legacy["QueryResult"],
        json!([{"To_Account":"alice","State":"Online"},{"To_Account":"bob","State":"Offline"}])
    );

    // Only when every account failed is the top-level code non-zero (tencent.md 2.3).
    let all_failed = f.post("openim/query_online_status", json!({"To_Account":["ghost"]})).await;
    assert_eq!(all_failed["ActionStatus"], "FAIL");
    assert_eq!(code(&all_failed), 70107);
    assert_eq!(all_failed["ErrorList"], json!([{"To_Account":"ghost","ErrorCode":70107}]));
}

#[tokio::test]
async fn kick_voids_earlier_usersigs() {
    let f = Face::start().await;
    let ep = f.endpoint().clone();
    assert_eq!(code(&f.post("im_open_login_svc/kick", json!({"UserID":"ghost"})).await), 70107);

    // Kick the admin account itself: its UserSig issued before the kick stops working.
    let old_url = f.url("im_open_login_svc/account_check");
    let body = r#"{"CheckItem":[{"UserID":"a"}]}"#;
    assert_eq!(code(&f.post_raw(&old_url, body).await), 0);
    f.clock.advance(Duration::from_secs(1));
    assert_eq!(code(&f.post("im_open_login_svc/account_import", json!({ "UserID": ep.admin })).await), 0);
    assert_eq!(code(&f.post("im_open_login_svc/kick", json!({ "UserID": ep.admin })).await), 0);
    let refused = f.post_raw(&old_url, body).await;
    assert_eq!(code(&refused), 70001, "{refused}");
    // A UserSig generated now works again.
    assert_eq!(code(&f.post_raw(&f.url("im_open_login_svc/account_check"), body).await), 0);
}

#[tokio::test]
async fn kick_ends_live_links() {
    let f = Face::start().await;
    let engine = f.emulator.engine();
    assert_eq!(code(&f.post("im_open_login_svc/account_import", json!({"UserID":"alice"})).await), 0);
    let mut link = engine.attach("alice", Device::new(Platform::Web).with_id("tab"), DevicePolicy::SINGLE_DEVICE);
    assert_eq!(code(&f.post("im_open_login_svc/kick", json!({"UserID":"alice"})).await), 0);
    let signal = within(link.signals.recv()).await.expect("a signal");
    assert!(
        matches!(signal, unim_emulator::LinkSignal::Kicked { reason: unim_core::DisconnectReason::KickedByServer, .. }),
        "{signal:?}"
    );
    assert!(engine.links_of("alice").is_empty());
}

fn text_body(text: &str) -> Value {
    json!([{ "MsgType": "TIMTextElem", "MsgContent": { "Text": text } }])
}

async fn import(face: &Face, users: &[&str]) {
    for u in users {
        assert_eq!(code(&face.post("im_open_login_svc/account_import", json!({ "UserID": u })).await), 0);
    }
}

#[tokio::test]
async fn sendmsg_answers_msgtime_and_msgkey_and_dedupes_on_msgrandom() {
    let face = Face::start().await;
    import(&face, &["alice", "bob"]).await;
    let req = json!({ "SyncOtherMachine": 1, "From_Account": "alice", "To_Account": "bob", "MsgSeq": 93847636,
                      "MsgRandom": 1287657, "MsgBody": text_body("hi") });
    let reply = face.post("openim/sendmsg", req.clone()).await;
    assert_eq!((reply["ActionStatus"].as_str(), code(&reply)), (Some("OK"), 0), "{reply}");
    assert_eq!(reply["MsgTime"], T0);
    assert_eq!(reply["MsgKey"], format!("93847636_1287657_{T0}"));
    face.clock.advance(Duration::from_secs(10));
    assert_eq!(face.post("openim/sendmsg", req).await["MsgKey"], format!("93847636_1287657_{T0}"));
    let history = face.emulator.engine().history("alice", "bob", None, 10);
    assert_eq!(history.len(), 1, "a retry is stored once");

    // No From_Account: the admin sends; no MsgSeq: the server picks one.
    let reply = face
        .post("openim/sendmsg", json!({ "To_Account": "bob", "MsgRandom": 5, "MsgBody": text_body("notice") }))
        .await;
    assert_eq!(code(&reply), 0, "{reply}");
    let last = face.emulator.engine().conversations("bob")[0].last.clone();
    assert_eq!((last.from.as_str(), last.server_id.as_str()), ("administrator", reply["MsgKey"].as_str().unwrap()));

    let cases = [
        (json!({ "From_Account": "alice", "To_Account": "nobody", "MsgRandom": 1, "MsgBody": text_body("x") }), 90012),
        (json!({ "From_Account": "ghost", "To_Account": "bob", "MsgRandom": 1, "MsgBody": text_body("x") }), 20003),
        (json!({ "From_Account": "alice", "To_Account": "bob", "MsgBody": text_body("x") }), 90005),
        (json!({ "From_Account": "alice", "To_Account": "bob", "MsgRandom": 2, "MsgBody": "x" }), 90007),
        (json!({ "From_Account": "alice", "MsgRandom": 2, "MsgBody": text_body("x") }), 90003),
        (
            json!({ "From_Account": "alice", "To_Account": "bob", "MsgRandom": 3, "MsgBody": text_body(&"y".repeat(12 * 1024 + 1)) }),
            93000,
        ),
    ];
    for (body, want) in cases {
        let reply = face.post("openim/sendmsg", body.clone()).await;
        assert_eq!((reply["ActionStatus"].as_str(), code(&reply)), (Some("FAIL"), want), "{body}");
    }
}

#[tokio::test]
async fn admin_getroammsg_pages_backwards_with_lastmsgkey() {
    let face = Face::start().await;
    import(&face, &["alice", "bob"]).await;
    for i in 0..5u64 {
        let req = json!({ "From_Account": "alice", "To_Account": "bob", "MsgRandom": i, "MsgBody": text_body(&format!("m{i}")) });
        assert_eq!(code(&face.post("openim/sendmsg", req).await), 0);
        face.clock.advance(Duration::from_secs(1));
    }
    let mut req =
        json!({ "Operator_Account": "bob", "Peer_Account": "alice", "MaxCnt": 2, "MinTime": 0, "MaxTime": T0 + 100 });
    let mut seen = Vec::new();
    loop {
        let page = face.post("openim/admin_getroammsg", req.clone()).await;
        assert_eq!(code(&page), 0, "{page}");
        let texts: Vec<String> = page["MsgList"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["MsgBody"][0]["MsgContent"]["Text"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(page["MsgCnt"].as_u64(), Some(texts.len() as u64));
        seen.splice(0..0, texts);
        if page["Complete"] == 1 {
            break;
        }
        req["MaxTime"] = page["LastMsgTime"].clone();
        req["LastMsgKey"] = page["LastMsgKey"].clone();
    }
    assert_eq!(seen, ["m0", "m1", "m2", "m3", "m4"]);
    // A time window.
    let window = json!({ "Operator_Account": "bob", "Peer_Account": "alice", "MaxCnt": 10, "MinTime": T0 + 1, "MaxTime": T0 + 2 });
    assert_eq!(face.post("openim/admin_getroammsg", window).await["MsgCnt"], 2);
}

#[tokio::test]
async fn recentcontact_lists_and_deletes_and_unread_counts_follow() {
    let face = Face::start().await;
    import(&face, &["alice", "bob", "carol"]).await;
    for (from, r) in [("alice", 1), ("carol", 2), ("carol", 3)] {
        let req = json!({ "From_Account": from, "To_Account": "bob", "MsgRandom": r, "MsgBody": text_body("x") });
        assert_eq!(code(&face.post("openim/sendmsg", req).await), 0);
    }
    let list = face
        .post(
            "recentcontact/get_list",
            json!({ "From_Account": "bob", "TimeStamp": 0, "StartIndex": 0,
        "TopTimeStamp": 0, "TopStartIndex": 0, "AssistFlags": 7 }),
        )
        .await;
    assert_eq!((code(&list), list["CompleteFlag"].as_i64()), (0, Some(1)));
    let peers: Vec<&str> =
        list["SessionItem"].as_array().unwrap().iter().map(|i| i["To_Account"].as_str().unwrap()).collect();
    assert_eq!(peers, ["carol", "alice"]);
    assert_eq!(list["SessionItem"][0]["Type"], 1);

    let unread = face.post("openim/get_c2c_unread_msg_num", json!({ "To_Account": "bob" })).await;
    assert_eq!(unread["AllC2CUnreadMsgNum"], 3);
    let one =
        face.post("openim/get_c2c_unread_msg_num", json!({ "To_Account": "bob", "Peer_Account": ["carol"] })).await;
    assert_eq!(one["C2CUnreadMsgNumList"], json!([{ "Peer_Account": "carol", "C2CUnreadMsgNum": 2 }]));

    let del =
        face.post("recentcontact/delete", json!({ "From_Account": "bob", "Type": 1, "To_Account": "carol" })).await;
    assert_eq!(code(&del), 0, "{del}");
    let list =
        face.post("recentcontact/get_list", json!({ "From_Account": "bob", "TimeStamp": 0, "StartIndex": 0 })).await;
    assert_eq!(list["SessionItem"].as_array().map(Vec::len), Some(1));
    let missing = face.post("recentcontact/get_list", json!({ "From_Account": "nobody" })).await;
    assert_eq!(code(&missing), 50001);
}
