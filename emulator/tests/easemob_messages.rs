//! The Easemob face's message surface, spoken by hand: the REST calls
//! (`POST /messages/users`, the v6 roaming history, `user_channel`, and the
//! web SDK's `user_channels/list` and `messageroaming`) with reqwest and
//! plain JSON, and the msync sends (resend, channel ack, refusals) with raw
//! protobuf frames.

use serde_json::{json, Value};
use std::time::Duration;
use unim_core::MessageBody as Neutral;
use unim_easemob::link::{message_body, status::ErrorCode, CommSyncDl, Jid, MSync, Provision};
use unim_easemob::messages::{meta_from_base64, to_pb, to_pb_with_client_id};

#[allow(dead_code)]
mod common;

use common::{EasemobApp as Env, EasemobClient as Client};

impl Env {
    async fn online(&self, user: &str, resource: &str) -> Client {
        let token = self.token(user, None).await;
        let mut c = self.connect().await;
        let guid = Jid::user(self.app_key(), user).with_resource(resource);
        c.send(&MSync::provision_request(guid, &token, &Provision::login(resource, &token))).await;
        let reply = c.frame().await.read_provision().unwrap();
        assert_eq!(reply.status.map(|s| s.code()), Some(0));
        c
    }

    async fn send_rest(&self, body: Value) -> (u16, Value) {
        self.app("POST", "/messages/users", body).await
    }
}

fn status_of(dl: &CommSyncDl) -> (i32, String) {
    let s = dl.status.clone().expect("a status");
    (s.code(), s.reason.unwrap_or_default())
}

#[tokio::test]
async fn rest_sends_txt_and_custom_with_one_id_per_recipient() {
    let env = Env::start().await;
    env.register(&["alice", "bob", "carol"]).await;
    let mut bob = env.online("bob", "webim_web_b").await;
    let (status, reply) = env
        .send_rest(json!({"from": "alice", "to": ["bob", "carol"], "type": "txt", "body": {"msg": "hi"},
            "ext": {"k": "v"}}))
        .await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!((reply["action"].as_str(), reply["path"].as_str()), (Some("post"), Some("/messages/users")));
    let bob_id = reply["data"]["bob"].as_str().expect("bob's id").to_owned();
    let carol_id = reply["data"]["carol"].as_str().expect("carol's id");
    assert_eq!((bob_id.len(), carol_id.len()), (19, 19));
    assert_ne!(bob_id, carol_id);

    assert_eq!(bob.frame().await.read_notice().unwrap().name.as_deref(), Some("alice"));
    let dl = bob.pull_reply("alice").await;
    assert_eq!(dl.metas.len(), 1);
    assert_eq!(dl.metas[0].id.map(|i| i.to_string()), Some(bob_id));
    let body = dl.metas[0].message_body().unwrap();
    assert_eq!(body.text(), Some("hi"));
    assert_eq!(body.ext[0].key.as_deref(), Some("k"), "ext is kept");

    let (status, reply) = env
        .send_rest(json!({"to": ["bob"], "type": "custom",
            "body": {"customEvent": "card", "customExts": {"data": "{\"n\":1}"}}}))
        .await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(bob.frame().await.read_notice().unwrap().name.as_deref(), Some("admin"), "the default sender");
    let dl = bob.pull_reply("admin").await;
    let got = unim_easemob::messages::from_pb(&dl.metas[0].message_body().unwrap());
    assert_eq!(got, Some(Neutral::custom("{\"n\":1}", Some("card".into()))));
}

#[tokio::test]
async fn rest_send_refusals_follow_the_documents() {
    let env = Env::start().await;
    env.register(&["dave"]).await;
    let big = "x".repeat(5 * 1024 + 1);
    let (status, reply) = env.send_rest(json!({"to": ["dave"], "type": "txt", "body": {"msg": big}})).await;
    assert_eq!((status, reply["error_description"].as_str()), (400, Some("message is too large")), "{reply}");
    let (status, _) = env.send_rest(json!({"from": "", "to": ["dave"], "type": "txt", "body": {"msg": "x"}})).await;
    assert_eq!(status, 400);
    let (status, _) = env.send_rest(json!({"to": [], "type": "txt", "body": {"msg": "x"}})).await;
    assert_eq!(status, 400);
    let (status, reply) = env
        .call("POST", "/messages/users", None, Some(json!({"to": ["dave"], "type": "txt", "body": {"msg": "x"}})))
        .await;
    assert_eq!((status, reply["error"].as_str()), (401, Some("unauthorized")));
    // Recipients are not checked (easemob.md 4.1).
    let (status, reply) = env.send_rest(json!({"to": ["ghost"], "type": "txt", "body": {"msg": "x"}})).await;
    assert_eq!(status, 200, "{reply}");
    assert!(reply["data"]["ghost"].is_string());
}

#[tokio::test]
async fn roaming_history_pages_backwards_with_its_cursor() {
    let env = Env::start().await;
    env.register(&["erin", "finn"]).await;
    let mut ids = Vec::new();
    for i in 0..7 {
        let from = if i % 2 == 0 { "erin" } else { "finn" };
        let to = if i % 2 == 0 { "finn" } else { "erin" };
        let (_, reply) =
            env.send_rest(json!({"from": from, "to": [to], "type": "txt", "body": {"msg": format!("m{i}")}})).await;
        ids.push(reply["data"][to].as_str().unwrap().to_owned());
        env.clock.advance(Duration::from_millis(5));
    }
    let ep = env.emu.easemob().unwrap();
    let (org, app) = ep.app_key.split_once('#').unwrap();
    let url = format!("{}/api/server/v6/{org}/{app}/roaming/chat", ep.rest_url);
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut body = json!({"username": "erin", "to": "finn", "limit": 3, "order": "up"});
        if let Some(c) = &cursor {
            body["cursor"] = json!(c);
        }
        let (status, reply) = env.raw("POST", url.clone(), Some(&env.app_token), Some(body)).await;
        assert_eq!(status, 200, "{reply}");
        let records = reply["data"]["messages"].as_array().unwrap().clone();
        assert!(records.len() <= 3);
        for r in &records {
            assert_eq!(r["chat_type"], "chat");
            let direction = if r["from"] == "erin" { "outgoing" } else { "incoming" };
            assert_eq!(r["direction"], direction);
            seen.push(r["msg_id"].as_str().unwrap().to_owned());
        }
        match reply["data"]["pagination"]["cursor"].as_str() {
            Some(c) if !c.is_empty() => cursor = Some(c.to_owned()),
            _ => break,
        }
    }
    seen.reverse();
    assert_eq!(seen, ids, "newest first, each once");
    let (status, _) = env.raw("POST", url, None, Some(json!({"username": "erin", "to": "finn"}))).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn the_sdk_conversation_calls_list_page_and_delete() {
    let env = Env::start().await;
    env.register(&["gail", "hank", "iris"]).await;
    for (from, text) in [("hank", "one"), ("hank", "two"), ("iris", "three")] {
        env.send_rest(json!({"from": from, "to": ["gail"], "type": "txt", "body": {"msg": text}})).await;
        env.clock.advance(Duration::from_millis(5));
    }
    let token = env.token("gail", None).await;
    let (status, reply) =
        env.call("GET", "/sdk/user/gail/user_channels/list?limit=1&cursor=&need_mark=true", Some(&token), None).await;
    assert_eq!(status, 200, "{reply}");
    let first = &reply["data"]["channel_infos"][0];
    assert_eq!((first["session_to"].as_str(), first["unread_num"].as_u64()), (Some("iris"), Some(1)));
    let payload: Value = serde_json::from_str(first["meta"]["payload"].as_str().unwrap()).unwrap();
    assert_eq!(payload["bodies"][0], json!({"type": "txt", "msg": "three"}));
    let cursor = reply["data"]["cursor"].as_str().unwrap().to_owned();
    assert!(!cursor.is_empty());
    let (_, reply) = env
        .call("GET", &format!("/sdk/user/gail/user_channels/list?limit=1&cursor={cursor}"), Some(&token), None)
        .await;
    assert_eq!(reply["data"]["channel_infos"][0]["unread_num"], 2);
    assert_eq!(reply["data"]["cursor"], "");
    let other = env.token("hank", None).await;
    let (status, _) = env.call("GET", "/sdk/user/gail/user_channels/list", Some(&other), None).await;
    assert_eq!(status, 401, "another user's token");

    // The SDK's history call: base64 metas, newest first, next_key / is_last.
    let body = json!({"queue": "hank@easemob.com", "start": -1, "pull_number": 1, "is_positive": false, "end": -1});
    let (status, reply) = env.call("POST", "/users/gail/messageroaming", Some(&token), Some(body)).await;
    assert_eq!(status, 200, "{reply}");
    let meta = meta_from_base64(reply["data"]["msgs"][0]["msg"].as_str().unwrap()).unwrap();
    assert_eq!(meta.message_body().unwrap().text(), Some("two"));
    assert_eq!(reply["data"]["is_last"], false);
    let next = reply["data"]["next_key"].as_str().unwrap().to_owned();
    let body = json!({"queue": "hank@easemob.com", "start": next, "pull_number": 5, "is_positive": false});
    let (_, reply) = env.call("POST", "/users/gail/messageroaming", Some(&token), Some(body)).await;
    let meta = meta_from_base64(reply["data"]["msgs"][0]["msg"].as_str().unwrap()).unwrap();
    assert_eq!(meta.message_body().unwrap().text(), Some("one"));
    assert_eq!((reply["data"]["is_last"].as_bool(), reply["data"]["msgs"].as_array().unwrap().len()), (Some(true), 1));

    // deleteConversation (SDK path, user token) and the server API (app token).
    let body = json!({"channel": "hank", "type": "chat", "delete_roam": false});
    let (status, reply) =
        env.call("DELETE", "/user/gail/user_channel?resource=webim_web_g", Some(&token), Some(body)).await;
    assert_eq!((status, reply["data"]["result"].as_str()), (200, Some("ok")), "{reply}");
    let (status, reply) =
        env.app("DELETE", "/users/gail/user_channel", json!({"channel": "iris", "type": "chat"})).await;
    assert_eq!(status, 200, "{reply}");
    let (_, reply) = env.call("GET", "/sdk/user/gail/user_channels/list", Some(&token), None).await;
    assert_eq!(reply["data"]["channel_infos"], json!([]));
    let (status, reply) = env.app("DELETE", "/users/gail/user_channel", json!({"type": "chat"})).await;
    assert_eq!((status, reply["error_description"].as_str()), (400, Some("field channel cannot be null or empty")));
}

#[tokio::test]
async fn msync_resends_channel_acks_and_refusals() {
    let env = Env::start().await;
    env.register(&["jade", "kurt"]).await;
    let mut jade = env.online("jade", "webim_web_j").await;
    let mut kurt = env.online("kurt", "webim_web_k").await;

    // A resend with the same meta id is acked with the same server id and delivered once.
    let body = to_pb_with_client_id(&Neutral::text("once"), "jade", "kurt", "c-1");
    let first = jade.sync(77, "kurt", &body).await;
    let again = jade.sync(77, "kurt", &body).await;
    assert_eq!(first.server_id, again.server_id);
    assert_eq!(kurt.frame().await.read_notice().unwrap().name.as_deref(), Some("jade"));
    let dl = kurt.pull_reply("jade").await;
    assert_eq!(dl.metas.len(), 1, "delivered once");
    let m = env.emu.engine().message_by_server_id(&first.server_id.unwrap().to_string()).expect("stored");
    assert_eq!(m.client_id, "c-1", "the ext client id names the message");

    let token = env.token("kurt", None).await;
    let unread = |reply: &Value| reply["data"]["channel_infos"][0]["unread_num"].as_u64();
    let (_, reply) = env.call("GET", "/sdk/user/kurt/user_channels/list", Some(&token), None).await;
    assert_eq!(unread(&reply), Some(1));
    let mut ack = to_pb(&Neutral::text(""), "kurt", "jade");
    ack.r#type = Some(message_body::Type::ChannelAck as i32);
    ack.contents.clear();
    assert_eq!(status_of(&kurt.sync(5, "jade", &ack).await).0, 0);
    let (_, reply) = env.call("GET", "/sdk/user/kurt/user_channels/list", Some(&token), None).await;
    assert_eq!(unread(&reply), Some(0), "the channel ack read the conversation");

    let big = to_pb(&Neutral::text("y".repeat(5 * 1024 + 1)), "jade", "kurt");
    let refused = jade.sync(78, "kurt", &big).await;
    assert_eq!(status_of(&refused), (ErrorCode::PermissionDenied as i32, "Sorry, data is too large".into()));
    let ghost = to_pb(&Neutral::text("?"), "jade", "ghost");
    let refused = jade.sync(79, "ghost", &ghost).await;
    assert_eq!(status_of(&refused), (ErrorCode::Fail as i32, "username ghost doesn't exist!".into()));
}
