//! The Easemob face's REST API, spoken by hand as a third-party client would:
//! reqwest, URLs built from strings, JSON written out, replies read as plain
//! JSON (vendors/easemob.md sections 1-3 and Easemob's per-API pages).

use serde_json::{json, Value};
use std::time::Duration;
use unim_core::{Device, DisconnectReason, Platform};
use unim_emulator::{DevicePolicy, EasemobEndpoint, EasemobSettings, EmulatorConfig, LinkSignal};

#[allow(dead_code)]
mod common;

use common::{within, Face};

const T0_MS: i64 = 1_700_000_000_000;

impl Face {
    async fn start() -> Face {
        Face::start_with(EasemobSettings::default()).await
    }

    async fn start_with(settings: EasemobSettings) -> Face {
        Face::launch(EmulatorConfig { easemob: Some(settings), ..EmulatorConfig::default() }).await
    }

    fn ep(&self) -> &EasemobEndpoint {
        self.emulator.easemob().expect("easemob face")
    }

    /// `{rest_url}/{org}/{app}{path}`.
    fn url(&self, path: &str) -> String {
        let (org, app) = self.ep().app_key.split_once('#').expect("org#app");
        format!("{}/{org}/{app}{path}", self.ep().rest_url)
    }

    async fn raw(&self, method: &str, url: &str, token: Option<&str>, body: Option<&str>) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self.http.request(method, url).header("Accept", "application/json");
        if let Some(token) = token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        if let Some(body) = body {
            request = request.header("Content-Type", "application/json").body(body.to_owned());
        }
        let reply = within(request.send()).await.expect("request sent");
        let status = reply.status().as_u16();
        assert_eq!(reply.headers()["content-type"], "application/json", "every answer is JSON");
        (status, within(reply.json::<Value>()).await.expect("JSON body"))
    }

    async fn call(&self, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> (u16, Value) {
        self.raw(method, &self.url(path), token, body.map(|b| b.to_string()).as_deref()).await
    }

    /// A fresh app token (default ttl).
    async fn app_token(&self) -> String {
        let ep = self.ep();
        let body = json!({"grant_type":"client_credentials","client_id":ep.client_id,"client_secret":ep.client_secret});
        let (status, reply) = self.call("POST", "/token", None, Some(body)).await;
        assert_eq!(status, 200, "{reply}");
        reply["access_token"].as_str().unwrap().to_owned()
    }

    async fn register(&self, token: &str, user: &str, password: &str) {
        let body = json!([{"username": user, "password": password}]);
        let (status, reply) = self.call("POST", "/users", Some(token), Some(body)).await;
        assert_eq!(status, 200, "{reply}");
    }
}

/// The documented error body, with this face's clock.
fn error(error: &str, exception: &str, description: &str) -> Value {
    json!({"error": error, "exception": exception, "timestamp": T0_MS, "duration": 0, "error_description": description})
}

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().expect("an object").keys().map(String::as_str).collect();
    k.sort_unstable();
    k
}

#[tokio::test]
async fn the_app_token_grant_has_the_documented_shape() {
    let f = Face::start().await;
    let ep = f.ep().clone();
    // Easemob's own example sends ttl as a string.
    let body = json!({"grant_type":"client_credentials","client_id":ep.client_id,"client_secret":ep.client_secret,"ttl":"1024000"});
    let (status, reply) = f.call("POST", "/token", None, Some(body)).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(keys(&reply), ["access_token", "application", "expires_in"]);
    assert_eq!(reply["expires_in"], 1_024_000);
    assert!(reply["access_token"].as_str().unwrap().starts_with("YWMt"), "{reply}");
    assert_eq!(reply["application"].as_str().unwrap().len(), 36);

    // Without ttl: the documented default of 60 days.
    let body = json!({"grant_type":"client_credentials","client_id":ep.client_id,"client_secret":ep.client_secret});
    assert_eq!(f.call("POST", "/token", None, Some(body)).await.1["expires_in"], 5_184_000);
}

#[tokio::test]
async fn token_refusals_carry_easemobs_error_bodies() {
    let f = Face::start().await;
    let ep = f.ep().clone();
    let cases = [
        (
            json!({"grant_type":"client_credentials","client_id":ep.client_id,"client_secret":"YXA6wrong"}),
            400,
            error("invalid_grant", "InvalidGrantException", "client_secret does not match"),
        ),
        (
            json!({"grant_type":"client_credentials","client_id":"YXA6other","client_secret":ep.client_secret}),
            400,
            error("invalid_grant", "InvalidGrantException", "client_id does not match"),
        ),
        (
            json!({"grant_type":"agora"}),
            400,
            error("unsupported_grant_type", "UnsupportedGrantTypeException", "unsupported grant_type \"agora\""),
        ),
        (
            json!({"grant_type":"password","username":"ghost","password":"x"}),
            404,
            error("invalid_grant", "InvalidGrantException", "user not found"),
        ),
    ];
    for (body, status, expected) in cases {
        let (got, reply) = f.call("POST", "/token", None, Some(body.clone())).await;
        assert_eq!((got, &reply), (status, &expected), "{body}");
    }
    let (status, reply) = f.raw("POST", &f.url("/token"), None, Some("{\"grant_type\":")).await;
    assert_eq!((status, reply["error"].as_str()), (400, Some("json_parse")), "{reply}");
    assert_eq!(reply["exception"], "com.fasterxml.jackson.core.JsonParseException");
    let (status, reply) =
        f.call("POST", "/token", None, Some(json!({"grant_type":"password","password":"hunter2","ttl":"soon"}))).await;
    assert_eq!((status, reply["error"].as_str()), (400, Some("illegal_argument")), "{reply}");
    assert!(!reply.to_string().contains("hunter2"), "{reply}");
}

#[tokio::test]
async fn an_unknown_app_is_organization_application_not_found() {
    let f = Face::start().await;
    let url = format!("{}/nope/app/users/x", f.ep().rest_url);
    let (status, reply) = f.raw("GET", &url, None, None).await;
    assert_eq!(status, 404);
    assert_eq!(
        reply,
        error(
            "organization_application_not_found",
            "OrganizationApplicationNotFoundException",
            "Could not find application for nope/app from URI: nope/app/users/x"
        )
    );
}

#[tokio::test]
async fn admin_calls_need_the_app_token() {
    let f = Face::start().await;
    let ep = f.ep().clone();
    let (status, reply) = f.call("GET", "/users/alice", None, None).await;
    assert_eq!(
        (status, reply),
        (401, error("unauthorized", "UnauthorizedException", "Unable to authenticate (OAuth)"))
    );
    // Open registration takes a single user without a token, never a batch.
    let (status, reply) = f.call("POST", "/users", None, Some(json!([{"username":"a","password":"p"}]))).await;
    assert_eq!(
        (status, reply),
        (
            401,
            error(
                "unauthorized",
                "UnauthorizedException",
                "Open registration doesn't allow, so register user need token"
            )
        )
    );
    let corrupt = error(
        "auth_bad_access_token",
        "AuthBadAccessTokenException",
        "Unable to authenticate due to corrupt access token",
    );
    assert_eq!(f.call("GET", "/users/alice", Some("YWMtgarbage"), None).await, (401, corrupt.clone()));
    let (status, _) = f.raw("GET", &f.url("/users/alice"), None, None).await;
    assert_eq!(status, 401);

    // A user token is not an app token.
    let app = f.app_token().await;
    f.register(&app, "alice", "pw").await;
    let (_, user) =
        f.call("POST", "/token", None, Some(json!({"grant_type":"password","username":"alice","password":"pw"}))).await;
    let user_token = user["access_token"].as_str().unwrap();
    let (status, reply) = f.call("GET", "/users/alice", Some(user_token), None).await;
    assert_eq!((status, reply["error"].as_str()), (401, Some("auth_bad_access_token")), "{reply}");

    // Valid through issue + ttl, expired one second later.
    let body =
        json!({"grant_type":"client_credentials","client_id":ep.client_id,"client_secret":ep.client_secret,"ttl":60});
    let short = f.call("POST", "/token", None, Some(body)).await.1["access_token"].as_str().unwrap().to_owned();
    let body =
        json!({"grant_type":"client_credentials","client_id":ep.client_id,"client_secret":ep.client_secret,"ttl":0});
    let (_, forever) = f.call("POST", "/token", None, Some(body)).await;
    assert_eq!(forever["expires_in"], 0);
    let forever = forever["access_token"].as_str().unwrap().to_owned();
    f.clock.advance(Duration::from_secs(60));
    assert_eq!(f.call("GET", "/users/alice", Some(&short), None).await.0, 200);
    f.clock.advance(Duration::from_secs(1));
    let (status, reply) = f.call("GET", "/users/alice", Some(&short), None).await;
    assert_eq!(status, 401);
    assert_eq!(reply["error"], "unauthorized");
    assert_eq!(reply["error_description"], "Unable to authenticate due to expired access token");
    f.clock.advance(Duration::from_secs(10 * 365 * 86_400));
    assert_eq!(f.call("GET", "/users/alice", Some(&forever), None).await.0, 200, "ttl 0 never expires");
}

#[tokio::test]
async fn registration_single_batch_and_case() {
    let f = Face::start().await;
    let token = f.app_token().await;
    let (status, reply) =
        f.call("POST", "/users", Some(&token), Some(json!({"username":"Alice","password":"pw","nickname":"Al"}))).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(
        keys(&reply),
        [
            "action",
            "application",
            "applicationName",
            "data",
            "duration",
            "entities",
            "organization",
            "path",
            "timestamp",
            "uri"
        ]
    );
    assert_eq!(reply["action"], "post");
    assert_eq!(reply["path"], "/users");
    assert_eq!(reply["uri"], f.url("/users"));
    assert_eq!(reply["organization"], "unim");
    assert_eq!(reply["applicationName"], "demo");
    assert_eq!((reply["timestamp"].as_i64(), reply["duration"].as_i64()), (Some(T0_MS), Some(0)));
    assert_eq!(reply["data"], json!([]));
    let alice = &reply["entities"][0];
    assert_eq!(keys(alice), ["activated", "created", "modified", "nickname", "type", "username", "uuid"]);
    assert_eq!(
        (&alice["username"], &alice["type"], &alice["activated"], &alice["nickname"], &alice["created"]),
        (&json!("alice"), &json!("user"), &json!(true), &json!("Al"), &json!(T0_MS))
    );
    let app_uuid = reply["application"].as_str().unwrap().to_owned();

    // The same user again (any case) is a duplicate.
    let (status, reply) =
        f.call("POST", "/users", Some(&token), Some(json!([{"username":"ALICE","password":"x"}]))).await;
    assert_eq!(status, 400);
    assert_eq!(
        reply,
        error(
            "duplicate_unique_property_exists",
            "DuplicateUniquePropertyExistsException",
            &format!("Application {app_uuid} Entity user requires that property named username be unique, value of alice exists")
        )
    );

    // A batch with an existing user creates the others and lists it in data.
    let body = json!([{"username":"bob","password":"1"},{"username":"alice","password":"2"},{"username":"carol","password":"3"}]);
    let (status, reply) = f.call("POST", "/users", Some(&token), Some(body)).await;
    assert_eq!(status, 200, "{reply}");
    let created: Vec<&str> =
        reply["entities"].as_array().unwrap().iter().map(|e| e["username"].as_str().unwrap()).collect();
    assert_eq!(created, ["bob", "carol"]);
    assert_eq!(reply["data"], json!([{"username":"alice","registerUserFailReason":"the alice already exists"}]));
    assert!(f.emulator.engine().account("carol").is_some());

    let sixty_one: Vec<Value> = (0..61).map(|i| json!({"username": format!("u{i}"), "password": "p"})).collect();
    for (body, description) in [
        (json!({"username":"a b","password":"p"}), "username a b is not legal".to_owned()),
        (json!({"username":"x".repeat(65),"password":"p"}), "USERNAME_TOO_LONG".into()),
        (json!({"username":"dave"}), "password or pin must provided".into()),
        (json!({"username":"dave","password":"p","nickname":"n".repeat(101)}), "NICKNAME_TOO_LONG".into()),
        (
            Value::Array(sixty_one),
            "Request body array size[61] had almost reached or been greater than the upper range value[60]".into(),
        ),
    ] {
        let (status, reply) = f.call("POST", "/users", Some(&token), Some(body)).await;
        assert_eq!(
            (status, reply),
            (400, error("illegal_argument", "java.lang.IllegalArgumentException", &description)),
            "{description}"
        );
    }
    let body = json!([{"username":"erin","password":"1"},{"username":"Erin","password":"2"}]);
    let (status, reply) = f.call("POST", "/users", Some(&token), Some(body)).await;
    assert_eq!(
        (status, reply["error_description"].as_str()),
        (400, Some("the same user erin has a different password"))
    );
    assert!(f.emulator.engine().account("erin").is_none(), "nothing is created when a check fails");
    let (status, reply) = f.raw("POST", &f.url("/users"), Some(&token), Some("[{")).await;
    assert_eq!((status, reply["error"].as_str()), (400, Some("json_parse")));
}

#[tokio::test]
async fn open_registration_takes_a_single_user_without_a_token() {
    let f = Face::start().await;
    let body = json!({"username":"Olive","password":"pw","nickname":""});
    let (status, reply) = f.call("POST", "/users", None, Some(body.clone())).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!((&reply["action"], &reply["path"]), (&json!("post"), &json!("/users")));
    assert_eq!(
        (&reply["entities"][0]["username"], &reply["entities"][0]["activated"]),
        (&json!("olive"), &json!(true))
    );
    assert!(f.emulator.engine().account("olive").is_some());

    // The same name again is the documented duplicate, token or not.
    let (status, reply) = f.call("POST", "/users", None, Some(body)).await;
    assert_eq!((status, reply["error"].as_str()), (400, Some("duplicate_unique_property_exists")), "{reply}");

    // The new user's password gets a token.
    let grant = json!({"grant_type":"password","username":"olive","password":"pw"});
    assert_eq!(f.call("POST", "/token", None, Some(grant)).await.0, 200);

    // A batch still needs the app token; nothing of it is created.
    let batch = json!([{"username":"pat","password":"1"},{"username":"quinn","password":"2"}]);
    let (status, reply) = f.call("POST", "/users", None, Some(batch.clone())).await;
    assert_eq!((status, reply["error"].as_str()), (401, Some("unauthorized")), "{reply}");
    assert!(f.emulator.engine().account("pat").is_none());

    // A token that is sent is checked as before.
    let (status, reply) =
        f.call("POST", "/users", Some("YWMtgarbage"), Some(json!({"username":"rae","password":"p"}))).await;
    assert_eq!((status, reply["error"].as_str()), (401, Some("auth_bad_access_token")), "{reply}");
    let app = f.app_token().await;
    assert_eq!(f.call("POST", "/users", Some(&app), Some(batch)).await.0, 200);
    assert!(f.emulator.engine().account("quinn").is_some());
}

#[tokio::test]
async fn closed_registration_needs_the_app_token() {
    let f = Face::start_with(EasemobSettings { open_registration: false, ..EasemobSettings::default() }).await;
    let (status, reply) = f.call("POST", "/users", None, Some(json!({"username":"olive","password":"pw"}))).await;
    assert_eq!(
        (status, reply),
        (
            401,
            error(
                "unauthorized",
                "UnauthorizedException",
                "Open registration doesn't allow, so register user need token"
            )
        )
    );
    assert!(f.emulator.engine().account("olive").is_none());
    let app = f.app_token().await;
    let (status, reply) = f.call("POST", "/users", Some(&app), Some(json!({"username":"olive","password":"pw"}))).await;
    assert_eq!(status, 200, "{reply}");
    assert!(f.emulator.engine().account("olive").is_some());
}

#[tokio::test]
async fn get_list_and_delete_users() {
    let f = Face::start().await;
    let token = f.app_token().await;
    for u in ["alice", "bob", "carol"] {
        f.register(&token, u, "pw").await;
    }
    let (status, reply) = f.call("GET", "/users/ALICE", Some(&token), None).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(keys(&reply), ["action", "count", "duration", "entities", "path", "timestamp", "uri"]);
    assert_eq!((&reply["action"], &reply["path"], &reply["count"]), (&json!("get"), &json!("/users"), &json!(1)));
    assert_eq!(reply["entities"][0]["username"], "alice");
    assert_eq!(f.call("GET", "/users/Al%69ce", Some(&token), None).await.1["entities"][0]["username"], "alice");

    let not_found =
        error("service_resource_not_found", "ServiceResourceNotFoundException", "Service resource not found");
    assert_eq!(f.call("GET", "/users/ghost", Some(&token), None).await, (404, not_found.clone()));
    assert_eq!(f.call("GET", "/users/not%20legal", Some(&token), None).await, (404, not_found.clone()));

    let (_, page) = f.call("GET", "/users?limit=2", Some(&token), None).await;
    assert_eq!(page["params"], json!({"limit":["2"]}));
    assert_eq!(page["count"], 2);
    let names: Vec<&str> =
        page["entities"].as_array().unwrap().iter().map(|e| e["username"].as_str().unwrap()).collect();
    assert_eq!(names, ["alice", "bob"]);
    let cursor = page["cursor"].as_str().expect("a cursor while more follow").to_owned();
    let (_, last) = f.call("GET", &format!("/users?limit=2&cursor={cursor}"), Some(&token), None).await;
    assert_eq!(last["entities"][0]["username"], "carol");
    assert!(last.get("cursor").is_none(), "no cursor on the last page: {last}");

    let mut link =
        f.emulator.engine().attach("bob", Device::new(Platform::Web).with_id("tab"), DevicePolicy::SINGLE_DEVICE);
    let (status, reply) = f.call("DELETE", "/users/bob", Some(&token), None).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["action"], "delete");
    assert_eq!(reply["path"], "/users");
    assert_eq!((&reply["entities"][0]["username"], &reply["entities"][0]["activated"]), (&json!("bob"), &json!(false)));
    assert!(matches!(
        within(link.signals.recv()).await,
        Some(LinkSignal::Kicked { reason: DisconnectReason::AccountRemoved, .. })
    ));
    assert_eq!(f.call("GET", "/users/bob", Some(&token), None).await, (404, not_found.clone()));
    assert_eq!(f.call("DELETE", "/users/bob", Some(&token), None).await, (404, not_found));
}

#[tokio::test]
async fn user_tokens_by_password_and_by_inherit() {
    let f = Face::start().await;
    let token = f.app_token().await;
    f.register(&token, "alice", "pw").await;

    let (status, reply) = f
        .call(
            "POST",
            "/token",
            None,
            Some(json!({"grant_type":"password","username":"ALICE","password":"pw","ttl":600})),
        )
        .await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(keys(&reply), ["access_token", "expires_in", "user"]);
    assert_eq!(reply["expires_in"], 600);
    assert_eq!(keys(&reply["user"]), ["activated", "created", "modified", "type", "username", "uuid"]);
    assert_eq!(reply["user"]["username"], "alice");
    let invalid_password = error("invalid_grant", "InvalidGrantException", "invalid password");
    let body = json!({"grant_type":"password","username":"alice","password":"nope"});
    assert_eq!(f.call("POST", "/token", None, Some(body)).await, (400, invalid_password.clone()));

    // inherit needs the app token, and the user unless autoCreateUser.
    let body = json!({"grant_type":"inherit","username":"alice"});
    let (status, reply) = f.call("POST", "/token", None, Some(body.clone())).await;
    assert_eq!((status, reply["error"].as_str()), (401, Some("unauthorized")));
    let (status, reply) = f.call("POST", "/token", Some(&token), Some(body)).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!((reply["expires_in"].as_u64(), reply["user"]["username"].as_str()), (Some(5_184_000), Some("alice")));

    let body = json!({"grant_type":"inherit","username":"newbie","ttl":60});
    let user_not_found = error("invalid_grant", "InvalidGrantException", "user not found");
    assert_eq!(f.call("POST", "/token", Some(&token), Some(body)).await, (404, user_not_found));
    let body = json!({"grant_type":"inherit","username":"Newbie","autoCreateUser":true,"ttl":60});
    let (status, reply) = f.call("POST", "/token", Some(&token), Some(body)).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["user"]["username"], "newbie");
    assert!(f.emulator.engine().account("newbie").is_some());
    // Created without a password: only inherit tokens log it in.
    let body = json!({"grant_type":"password","username":"newbie","password":""});
    assert_eq!(f.call("POST", "/token", None, Some(body)).await, (400, invalid_password));
    let body = json!({"grant_type":"inherit","username":"a b","autoCreateUser":true});
    let (status, reply) = f.call("POST", "/token", Some(&token), Some(body)).await;
    assert_eq!((status, reply["error_description"].as_str()), (400, Some("username [a b] is not legal")));
}

#[tokio::test]
async fn a_password_change_kicks_and_voids_the_old_password() {
    let f = Face::start().await;
    let token = f.app_token().await;
    f.register(&token, "alice", "old-pw").await;
    let mut link =
        f.emulator.engine().attach("alice", Device::new(Platform::Web).with_id("tab"), DevicePolicy::SINGLE_DEVICE);

    let (status, reply) =
        f.call("PUT", "/users/alice/password", Some(&token), Some(json!({"newpassword":"new-pw"}))).await;
    assert_eq!((status, reply), (200, json!({"action":"set user password","timestamp":T0_MS,"duration":0})));
    assert!(matches!(
        within(link.signals.recv()).await,
        Some(LinkSignal::Kicked { reason: DisconnectReason::PasswordChanged, .. })
    ));
    let grant = |pw: &str| json!({"grant_type":"password","username":"alice","password":pw});
    assert_eq!(f.call("POST", "/token", None, Some(grant("old-pw"))).await.0, 400);
    assert_eq!(f.call("POST", "/token", None, Some(grant("new-pw"))).await.0, 200);

    let (status, reply) = f.call("PUT", "/users/alice/password", Some(&token), Some(json!({}))).await;
    assert_eq!(
        (status, reply),
        (400, error("illegal_argument", "java.lang.IllegalArgumentException", "newpassword is required"))
    );
    let (status, reply) = f.call("PUT", "/users/ghost/password", Some(&token), Some(json!({"newpassword":"x"}))).await;
    assert_eq!((status, reply), (404, error("entity_not_found", "EntityNotFoundException", "User null not found")));
    // Easemob's rate-limit table names POST for this call: taken too.
    assert_eq!(
        f.call("POST", "/users/alice/password", Some(&token), Some(json!({"newpassword":"third"}))).await.0,
        200
    );
}

#[tokio::test]
async fn status_batch_status_and_resources() {
    let f = Face::start().await;
    let token = f.app_token().await;
    f.register(&token, "alice", "pw").await;
    f.register(&token, "bob", "pw").await;
    let (status, reply) = f.call("GET", "/users/alice/status", Some(&token), None).await;
    assert_eq!(status, 200);
    assert_eq!(
        reply,
        json!({"action":"get","uri":f.url("/users/alice/status"),"entities":[],"data":{"alice":"offline"},"timestamp":T0_MS,"duration":0})
    );

    let device = Device { platform: Platform::Web, id: Some("tab-1".into()), name: Some("Chrome".into()) };
    let _link = f.emulator.engine().attach("alice", device, unim_emulator::easemob::DEFAULT_POLICY);
    assert_eq!(f.call("GET", "/users/alice/status", Some(&token), None).await.1["data"], json!({"alice":"online"}));

    let body = json!({"usernames":["alice","Ghost","bob"]});
    let (status, reply) = f.call("POST", "/users/batch/status", Some(&token), Some(body)).await;
    assert_eq!(status, 200);
    assert_eq!(
        reply,
        json!({"action":"get batch user status","data":[{"alice":"online"},{"Ghost":"offline"},{"bob":"offline"}],
               "timestamp":T0_MS,"duration":0})
    );
    let too_many: Vec<String> = (0..101).map(|i| format!("u{i}")).collect();
    let (status, reply) =
        f.call("POST", "/users/batch/status", Some(&token), Some(json!({"usernames": too_many}))).await;
    assert_eq!(
        (status, reply),
        (
            400,
            error(
                "illegal_argument",
                "java.lang.IllegalArgumentException",
                "request body exceeds maximum limit, maximum limit is 100"
            )
        )
    );

    let (status, reply) = f.call("GET", "/users/alice/resources", Some(&token), None).await;
    assert_eq!(status, 200);
    assert_eq!(reply["path"], "/users/alice/resources");
    assert_eq!(reply["action"], "get");
    assert_eq!(reply["entities"], json!([]));
    // `res` is the device's resource exactly as the client gave it (the SDK
    // compares it with its own), not prefixed with the platform.
    assert_eq!(reply["data"], json!([{"res":"tab-1","device_uuid":"tab-1","device_name":"Chrome"}]));
    assert_eq!(f.call("GET", "/users/bob/resources", Some(&token), None).await.1["data"], json!([]));
    // The web SDK's own resource shape.
    let sdk = Device { platform: Platform::Web, id: Some("webim_web_X".into()), name: Some("webim_web_X".into()) };
    let _sdk_link = f.emulator.engine().attach("bob", sdk, unim_emulator::easemob::DEFAULT_POLICY);
    assert_eq!(
        f.call("GET", "/users/bob/resources", Some(&token), None).await.1["data"],
        json!([{"res":"webim_web_X","device_uuid":"webim_web_X","device_name":"webim_web_X"}])
    );
    // A device without a resource shows its platform's prefix alone.
    let _bare =
        f.emulator.engine().attach("bob", Device::new(Platform::Android), unim_emulator::easemob::DEFAULT_POLICY);
    assert_eq!(f.call("GET", "/users/bob/resources", Some(&token), None).await.1["data"][1]["res"], "android");
    assert_eq!(f.call("GET", "/users/ghost/status", Some(&token), None).await.0, 404);
    assert_eq!(f.call("GET", "/users/ghost/resources", Some(&token), None).await.0, 404);
}

#[tokio::test]
async fn disconnect_all_devices_or_one() {
    let f = Face::start().await;
    let token = f.app_token().await;
    f.register(&token, "alice", "pw").await;
    let engine = f.emulator.engine();
    let policy = unim_emulator::easemob::DEFAULT_POLICY;
    let mut tab = engine.attach("alice", Device::new(Platform::Web).with_id("tab-1"), policy);
    let mut phone = engine.attach("alice", Device::new(Platform::Android).with_id("android_42"), policy);

    let (status, reply) = f.call("DELETE", "/users/alice/disconnect/web_tab-1", Some(&token), None).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(
        keys(&reply),
        [
            "action",
            "application",
            "applicationName",
            "data",
            "duration",
            "entities",
            "organization",
            "timestamp",
            "uri"
        ]
    );
    assert_eq!((&reply["action"], &reply["data"]), (&json!("delete"), &json!({"result": true})));
    match within(tab.signals.recv()).await {
        Some(LinkSignal::Kicked { reason: DisconnectReason::KickedByServer, .. }) => {}
        other => panic!("expected the one-device kick, got {other:?}"),
    }
    assert_eq!(engine.links_of("alice").len(), 1, "the kicked device is detached at once");
    assert!(phone.signals.try_recv().is_err(), "the other device stays");
    let (_, reply) = f.call("DELETE", "/users/alice/disconnect/web_nope", Some(&token), None).await;
    assert_eq!(reply["data"], json!({"result": false}));

    let (status, reply) = f.call("GET", "/users/alice/disconnect", Some(&token), None).await;
    assert_eq!(status, 200);
    assert_eq!(
        reply,
        json!({"action":"get","uri":f.url("/users/alice/disconnect"),"entities":[],"data":{"result":true},
               "timestamp":T0_MS,"duration":0,"count":0})
    );
    assert!(matches!(
        within(phone.signals.recv()).await,
        Some(LinkSignal::Kicked { reason: DisconnectReason::KickedByServer, .. })
    ));
    assert!(engine.links_of("alice").is_empty());
    assert_eq!(f.call("GET", "/users/ghost/disconnect", Some(&token), None).await.0, 404);
}

/// A user token for `user`/`password` by the password grant.
async fn user_token(f: &Face, user: &str, password: &str) -> String {
    let body = json!({"grant_type":"password","username":user,"password":password});
    let (status, reply) = f.call("POST", "/token", None, Some(body)).await;
    assert_eq!(status, 200, "{reply}");
    reply["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_users_own_token_lists_and_kicks_its_devices() {
    let f = Face::start().await;
    let app = f.app_token().await;
    f.register(&app, "alice", "pw").await;
    f.register(&app, "bob", "pw").await;
    let alice = user_token(&f, "alice", "pw").await;
    let bob = user_token(&f, "bob", "pw").await;
    let engine = f.emulator.engine();
    let policy = unim_emulator::easemob::DEFAULT_POLICY;
    let mut tab = engine.attach("alice", Device::new(Platform::Web).with_id("webim_web_1"), policy);
    let mut tab2 = engine.attach("alice", Device::new(Platform::Web).with_id("webim_web_2"), policy);
    let mut tab3 = engine.attach("alice", Device::new(Platform::Web).with_id("webim_web_3"), policy);

    // The device list (docs/protocols/easemob.md 2.5) with the user's own token.
    let (status, reply) = f.call("GET", "/users/alice/resources", Some(&alice), None).await;
    assert_eq!(status, 200, "{reply}");
    let res: Vec<&str> = reply["data"].as_array().unwrap().iter().map(|d| d["res"].as_str().unwrap()).collect();
    assert_eq!(res, ["webim_web_1", "webim_web_2", "webim_web_3"]);
    // Another user's token, or none, is refused.
    let corrupt = error(
        "auth_bad_access_token",
        "AuthBadAccessTokenException",
        "Unable to authenticate due to corrupt access token",
    );
    assert_eq!(f.call("GET", "/users/alice/resources", Some(&bob), None).await, (401, corrupt.clone()));
    assert_eq!(f.call("GET", "/users/alice/resources", None, None).await.0, 401);
    assert_eq!(f.call("DELETE", "/users/alice/disconnect/webim_web_2", Some(&bob), None).await, (401, corrupt.clone()));
    assert_eq!(f.call("GET", "/users/alice/disconnect", Some(&bob), None).await, (401, corrupt));
    assert!(tab2.signals.try_recv().is_err(), "a refused kick kicks nobody");

    // kickDevice (easemob.md 6.3): one device, as kicked by its own user.
    let (status, reply) = f.call("DELETE", "/users/alice/disconnect/webim_web_2", Some(&alice), None).await;
    assert_eq!((status, &reply["data"]), (200, &json!({"result": true})), "{reply}");
    match within(tab2.signals.recv()).await {
        Some(LinkSignal::Kicked { reason: DisconnectReason::KickedByOwnDevice, .. }) => {}
        other => panic!("expected a kick by the user's own device, got {other:?}"),
    }
    assert!(tab.signals.try_recv().is_err() && tab3.signals.try_recv().is_err(), "the others stay");
    let (_, reply) = f.call("GET", "/users/alice/resources", Some(&alice), None).await;
    assert_eq!(reply["data"].as_array().unwrap().len(), 2);

    // kickAllDevices: every device, as kicked by the user.
    let (status, reply) = f.call("GET", "/users/alice/disconnect", Some(&alice), None).await;
    assert_eq!((status, &reply["data"]), (200, &json!({"result": true})), "{reply}");
    for link in [&mut tab, &mut tab3] {
        assert!(matches!(
            within(link.signals.recv()).await,
            Some(LinkSignal::Kicked { reason: DisconnectReason::KickedByOwnDevice, .. })
        ));
    }
    assert!(engine.links_of("alice").is_empty());
    // The user token still works afterwards (only an admin kick voids tokens).
    assert_eq!(f.call("GET", "/users/alice/resources", Some(&alice), None).await.0, 200);
}

#[tokio::test]
async fn deactivate_bans_until_activate() {
    let f = Face::start().await;
    let token = f.app_token().await;
    f.register(&token, "alice", "pw").await;
    let mut link = f.emulator.engine().attach(
        "alice",
        Device::new(Platform::Web).with_id("tab"),
        unim_emulator::easemob::DEFAULT_POLICY,
    );

    let (status, reply) = f.call("POST", "/users/alice/deactivate", Some(&token), None).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(keys(&reply), ["action", "duration", "entities", "timestamp"]);
    assert_eq!((&reply["action"], &reply["entities"][0]["activated"]), (&json!("Deactivate user"), &json!(false)));
    assert!(matches!(
        within(link.signals.recv()).await,
        Some(LinkSignal::Kicked { reason: DisconnectReason::Banned, .. })
    ));

    let not_activated = error("invalid_grant", "InvalidGrantException", "user not activated");
    let grant = json!({"grant_type":"password","username":"alice","password":"pw"});
    assert_eq!(f.call("POST", "/token", None, Some(grant.clone())).await, (400, not_activated.clone()));
    let inherit = json!({"grant_type":"inherit","username":"alice"});
    assert_eq!(f.call("POST", "/token", Some(&token), Some(inherit)).await, (400, not_activated));
    assert_eq!(f.call("GET", "/users/alice", Some(&token), None).await.1["entities"][0]["activated"], false);

    let (status, reply) = f.call("POST", "/users/alice/activate", Some(&token), None).await;
    assert_eq!((status, reply), (200, json!({"action":"activate user","timestamp":T0_MS,"duration":0})));
    assert_eq!(f.call("POST", "/token", None, Some(grant)).await.0, 200);
    assert_eq!(f.call("POST", "/users/ghost/deactivate", Some(&token), None).await.0, 404);
    assert_eq!(f.call("POST", "/users/ghost/activate", Some(&token), None).await.0, 404);
}

#[tokio::test]
async fn an_injected_error_answers_before_anything_else() {
    let f = Face::start().await;
    f.emulator.faults().inject_error(429, "reach_limit: This request has reached api limit", 1);
    let url = format!("{}/no/such-app/anything", f.ep().rest_url);
    let (status, reply) = f.raw("GET", &url, None, None).await;
    assert_eq!(
        (status, reply),
        (
            429,
            error(
                "reach_limit",
                "com.easemob.flow.exceptions.ReachLimitException",
                "This request has reached api limit"
            )
        )
    );
    f.emulator.faults().inject_error(503, "the service is down for maintenance", 1);
    let (status, reply) = f.call("POST", "/token", None, Some(json!({}))).await;
    assert_eq!((status, reply["error"].as_str()), (503, Some("web_application")));
    assert_eq!(reply["error_description"], "the service is down for maintenance");
    f.app_token().await;
}

#[tokio::test]
async fn unknown_resources_and_methods() {
    let f = Face::start().await;
    let token = f.app_token().await;
    let (status, reply) = f.call("GET", "/chatrooms", Some(&token), None).await;
    assert_eq!((status, reply["error"].as_str()), (404, Some("service_resource_not_found")));
    let (status, reply) = f.call("GET", "/token", None, None).await;
    assert_eq!(
        (status, reply),
        (405, error("web_application", "javax.ws.rs.WebApplicationException", "HTTP 405 Method Not Allowed"))
    );
    let (status, _) = f.call("PUT", "/users/alice/status", Some(&token), None).await;
    assert_eq!(status, 405);
}
