//! The Easemob admin's groups against the emulator's `chatgroups` REST face:
//! the neutral kinds, info and changes, adding (500 members, paged), roles,
//! transfers, mutes on the manual clock, limits, dismissal, a user's groups,
//! group messages and their history; plus raw requests built by hand as
//! easemob.md section 5 shows them, and user-token calls under Easemob's rules.

use serde_json::{json, Value};
use std::collections::HashSet;
use std::time::Duration;
use unim_core::{
    Admin, Clock, ErrorKind, GroupKind, GroupSpec, GroupUpdate, JoinPolicy, MemberCursor, MessageBody, Role, Secret,
};

// Shared setup; the test controls of the emulator are not used here.
#[allow(dead_code)]
mod common;

use common::{Env, PASSWORD};

fn names(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}")).collect()
}

fn public_free(name: &str) -> GroupSpec {
    GroupSpec::new(name, GroupKind::Public, JoinPolicy::Free).with_owner("alice")
}

/// A raw REST call with `token`; returns the status and the JSON body.
async fn raw(env: &Env, token: &str, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let url = format!("{}/{path}", env.admin.rest().base_url().trim_end_matches('/'));
    let mut request = reqwest::Client::new().request(method, url).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let reply = request.send().await.expect("reply");
    let status = reply.status().as_u16();
    (status, reply.json().await.unwrap_or(Value::Null))
}

async fn app_token(env: &Env) -> String {
    env.admin.app_token(None).await.expect("app token").access_token.expose().to_owned()
}

async fn user_token(env: &Env, user: &str) -> String {
    let grant = env.admin.user_token_password(user, &Secret::new(PASSWORD), None).await.expect("user token");
    grant.access_token.expose().to_owned()
}

#[tokio::test]
async fn the_three_easemob_pairs_map_and_the_others_are_unsupported() {
    let env = Env::start().await;
    env.users(&["alice", "bob"]).await;
    for (kind, policy) in [
        (GroupKind::Private, JoinPolicy::InviteOnly),
        (GroupKind::Public, JoinPolicy::Approval),
        (GroupKind::Public, JoinPolicy::Free),
    ] {
        let spec =
            GroupSpec::new("pair", kind, policy).with_owner("alice").with_members(["bob"]).with_introduction("hi");
        let g = env.admin.create_group(&spec).await.expect("create");
        assert_eq!(g.id.len(), 15, "{}", g.id);
        assert!(g.id.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!((g.kind, g.join_policy), (kind, policy));
        assert_eq!((g.owner.as_deref(), g.member_count, g.max_members), (Some("alice"), 2, 200));
        assert_eq!(g.introduction.as_deref(), Some("hi"));
    }
    for (kind, policy) in [
        (GroupKind::Private, JoinPolicy::Approval),
        (GroupKind::Private, JoinPolicy::Free),
        (GroupKind::Public, JoinPolicy::InviteOnly),
    ] {
        let spec = GroupSpec::new("no", kind, policy).with_owner("alice");
        assert_eq!(env.admin.create_group(&spec).await.unwrap_err().kind, ErrorKind::Unsupported);
    }
    let ownerless = GroupSpec::new("x", GroupKind::Public, JoinPolicy::Free);
    assert_eq!(Admin::create_group(&env.admin, &ownerless).await.unwrap_err().kind, ErrorKind::InvalidInput);
    let unknown_member = public_free("x").with_members(["ghost"]);
    assert_eq!(env.admin.create_group(&unknown_member).await.unwrap_err().kind, ErrorKind::NotFound);
}

#[tokio::test]
async fn info_updates_and_dismissal() {
    let env = Env::start().await;
    env.users(&["alice", "bob"]).await;
    let g = env.admin.create_group(&public_free("before").with_members(["bob"])).await.unwrap();
    let update = GroupUpdate { name: Some("after".into()), introduction: Some("now with words".into()) };
    Admin::update_group(&env.admin, &g.id, &update).await.expect("update");
    let info = Admin::group_info(&env.admin, &g.id).await.unwrap();
    assert_eq!((info.name.as_str(), info.introduction.as_deref()), ("after", Some("now with words")));
    Admin::dismiss_group(&env.admin, &g.id).await.expect("dismiss");
    let gone = Admin::group_info(&env.admin, &g.id).await.unwrap_err();
    assert_eq!(gone.kind, ErrorKind::NotFound);
    assert_eq!(gone.vendor.as_ref().map(|v| v.code), Some(404));
    let again = Admin::add_group_members(&env.admin, &g.id, &["bob".into()]).await.unwrap_err();
    assert_eq!(again.kind, ErrorKind::NotFound);
    assert_eq!(Admin::dismiss_group(&env.admin, &g.id).await.unwrap_err().kind, ErrorKind::NotFound);
    assert_eq!(Admin::group_info(&env.admin, "12ab").await.unwrap_err().kind, ErrorKind::InvalidInput);
}

#[tokio::test]
async fn five_hundred_members_are_added_in_batches_and_paged_each_once() {
    let env = Env::start().await;
    env.users(&["alice"]).await;
    let users = names("m", 500);
    let registered = Admin::register_many(&env.admin, &users).await.unwrap();
    assert!(registered.iter().all(|r| r.result.is_ok()));
    let g = env.admin.create_group(&public_free("big").with_max_members(1000)).await.unwrap();
    let added = Admin::add_group_members(&env.admin, &g.id, &users).await.unwrap();
    assert_eq!(added.len(), 500);
    assert!(added.iter().all(|r| r.result.is_ok()));
    assert_eq!(Admin::group_info(&env.admin, &g.id).await.unwrap().member_count, 501);
    let mut seen = Vec::new();
    let mut cursor: Option<MemberCursor> = None;
    let mut pages = 0;
    loop {
        let page = Admin::group_members(&env.admin, &g.id, cursor.as_ref(), 100).await.unwrap();
        pages += 1;
        seen.extend(page.members.iter().map(|m| (m.user.clone(), m.role)));
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
        assert!(pages < 10, "paging does not end");
    }
    assert_eq!(seen.len(), 501);
    assert_eq!(seen[0], ("alice".to_string(), Role::Owner));
    let distinct: HashSet<&String> = seen.iter().map(|(u, _)| u).collect();
    assert_eq!(distinct.len(), 501);
    // Join order: the batches kept the order asked.
    let order: Vec<&String> = seen[1..].iter().map(|(u, _)| u).collect();
    assert_eq!(order, users.iter().collect::<Vec<_>>());
    // A last page that is full ends the listing too.
    Admin::remove_group_members(&env.admin, &g.id, &users[..1]).await.unwrap();
    let full = Admin::group_members(&env.admin, &g.id, Some(&MemberCursor("5".into())), 100).await.unwrap();
    assert_eq!((full.members.len(), full.next), (100, None));
}

#[tokio::test]
async fn adding_reports_each_user() {
    let env = Env::start().await;
    env.users(&["alice", "bob", "carol"]).await;
    let g = env.admin.create_group(&public_free("g").with_members(["bob"])).await.unwrap();
    let asked: Vec<String> = ["bob", "carol", "ghost", "Bad Id!"].iter().map(|s| s.to_string()).collect();
    let out = Admin::add_group_members(&env.admin, &g.id, &asked).await.unwrap();
    let kinds: Vec<Option<ErrorKind>> = out.iter().map(|r| r.result.as_ref().err().map(|e| e.kind)).collect();
    assert_eq!(
        kinds,
        vec![Some(ErrorKind::AlreadyExists), None, Some(ErrorKind::NotFound), Some(ErrorKind::InvalidInput)]
    );
    assert_eq!(Admin::group_info(&env.admin, &g.id).await.unwrap().member_count, 3);
}

#[tokio::test]
async fn admins_transfers_and_removals() {
    let env = Env::start().await;
    env.users(&["alice", "bob", "carol", "dave"]).await;
    let g = env.admin.create_group(&public_free("g").with_members(["bob", "carol", "dave"])).await.unwrap();
    Admin::set_group_role(&env.admin, &g.id, "bob", Role::Admin).await.expect("admin");
    let page = Admin::group_members(&env.admin, &g.id, None, 10).await.unwrap();
    let role = |u: &str| page.members.iter().find(|m| m.user == u).map(|m| m.role);
    assert_eq!((role("alice"), role("bob"), role("carol")), (Some(Role::Owner), Some(Role::Admin), Some(Role::Member)));
    assert_eq!(
        Admin::set_group_role(&env.admin, &g.id, "bob", Role::Owner).await.unwrap_err().kind,
        ErrorKind::InvalidInput
    );
    Admin::set_group_role(&env.admin, &g.id, "bob", Role::Member).await.expect("unset admin");
    Admin::transfer_group(&env.admin, &g.id, "carol").await.expect("transfer");
    let info = Admin::group_info(&env.admin, &g.id).await.unwrap();
    assert_eq!(info.owner.as_deref(), Some("carol"));
    let page = Admin::group_members(&env.admin, &g.id, None, 10).await.unwrap();
    assert_eq!(page.members[0].user, "carol");
    assert_eq!(page.members.iter().find(|m| m.user == "alice").unwrap().role, Role::Member);
    let same = Admin::transfer_group(&env.admin, &g.id, "carol").await.unwrap_err();
    assert_eq!(same.kind, ErrorKind::PermissionDenied);
    let owner = Admin::remove_group_members(&env.admin, &g.id, &["carol".into()]).await.unwrap_err();
    assert_eq!(owner.kind, ErrorKind::PermissionDenied);
    assert_eq!(owner.vendor.as_ref().and_then(|v| v.name.as_deref()), Some("forbidden_op"));
    Admin::remove_group_members(&env.admin, &g.id, &["bob".into(), "dave".into()]).await.expect("remove");
    Admin::remove_group_members(&env.admin, &g.id, &["bob".into()]).await.expect("not a member: nothing to do");
    assert_eq!(Admin::group_info(&env.admin, &g.id).await.unwrap().member_count, 2);
}

#[tokio::test]
async fn mutes_run_on_the_clock_and_unmute() {
    let env = Env::start().await;
    env.users(&["alice", "bob"]).await;
    let g = env.admin.create_group(&public_free("g").with_members(["bob"])).await.unwrap();
    Admin::mute_group_member(&env.admin, &g.id, "bob", Duration::from_secs(60)).await.expect("mute");
    let muted = |page: &unim_core::MemberPage| page.members.iter().find(|m| m.user == "bob").unwrap().muted_until_ms;
    let page = Admin::group_members(&env.admin, &g.id, None, 10).await.unwrap();
    let until = muted(&page).expect("muted");
    let now_ms = env.clock.unix_secs() * 1000;
    assert!(until >= now_ms + 59_000 && until <= now_ms + 61_000, "{until} vs {now_ms}");
    env.clock.advance(Duration::from_secs(61));
    assert_eq!(muted(&Admin::group_members(&env.admin, &g.id, None, 10).await.unwrap()), None);
    Admin::mute_group_member(&env.admin, &g.id, "bob", Duration::from_secs(600)).await.expect("mute again");
    Admin::mute_group_member(&env.admin, &g.id, "bob", Duration::ZERO).await.expect("unmute");
    assert_eq!(muted(&Admin::group_members(&env.admin, &g.id, None, 10).await.unwrap()), None);
    let owner = Admin::mute_group_member(&env.admin, &g.id, "alice", Duration::from_secs(5)).await.unwrap_err();
    assert_eq!(owner.kind, ErrorKind::PermissionDenied);
}

#[tokio::test]
async fn joined_groups_and_a_full_group() {
    let env = Env::start().await;
    env.users(&["alice", "bob", "carol", "dave"]).await;
    let a = env.admin.create_group(&public_free("a").with_members(["bob"]).with_max_members(3)).await.unwrap();
    let b = env
        .admin
        .create_group(
            &GroupSpec::new("b", GroupKind::Private, JoinPolicy::InviteOnly).with_owner("carol").with_members(["bob"]),
        )
        .await
        .unwrap();
    let mine: Vec<String> = Admin::joined_groups(&env.admin, "bob").await.unwrap().into_iter().map(|g| g.id).collect();
    assert_eq!(mine, vec![a.id.clone(), b.id.clone()]);
    assert!(Admin::joined_groups(&env.admin, "dave").await.unwrap().is_empty());
    let full = Admin::add_group_members(&env.admin, &a.id, &["carol".into(), "dave".into()]).await.unwrap_err();
    assert_eq!(full.kind, ErrorKind::LimitExceeded);
    let vendor = full.vendor.expect("vendor error");
    assert_eq!((vendor.code, vendor.name.as_deref()), (403, Some("exceed_limit")));
    let too_many = public_free("c").with_members(["bob", "carol", "dave"]).with_max_members(2);
    assert_eq!(env.admin.create_group(&too_many).await.unwrap_err().kind, ErrorKind::LimitExceeded);
}

#[tokio::test]
async fn group_messages_and_their_history() {
    let env = Env::start().await;
    env.users(&["alice", "bob"]).await;
    let g = env.admin.create_group(&public_free("talk").with_members(["bob"])).await.unwrap();
    let mut sent = Vec::new();
    for (i, from) in [None, Some("bob"), Some("alice")].into_iter().enumerate() {
        let body = MessageBody::text(format!("m{i}"));
        let m = Admin::send_group_message(&env.admin, from, &g.id, &body, &format!("c{i}")).await.expect("send");
        assert_eq!(m.conversation, unim_core::ConversationId::group(g.id.clone()));
        assert_eq!(m.from, from.unwrap_or("admin"));
        sent.push(m);
    }
    let newest = Admin::group_history(&env.admin, &g.id, None, 2).await.unwrap();
    let texts = |p: &unim_core::HistoryPage| p.messages.iter().map(|m| m.body.clone()).collect::<Vec<_>>();
    assert_eq!(texts(&newest), vec![MessageBody::text("m1"), MessageBody::text("m2")]);
    assert_eq!(newest.messages[1].server_id, sent[2].server_id);
    // The client id travels in `ext` and comes back with the history.
    assert_eq!(newest.messages[1].client_id, "c2");
    let older = Admin::group_history(&env.admin, &g.id, newest.older.as_ref(), 2).await.unwrap();
    assert_eq!(texts(&older), vec![MessageBody::text("m0")]);
    assert!(older.older.is_none());
    let missing =
        Admin::send_group_message(&env.admin, None, "999999999999999", &MessageBody::text("x"), "c").await.unwrap_err();
    assert_eq!(missing.kind, ErrorKind::NotFound);
}

#[tokio::test]
async fn raw_requests_shaped_as_the_docs_show() {
    let env = Env::start().await;
    env.users(&["alice", "bob", "carol", "dave"]).await;
    let token = app_token(&env).await;
    let post = reqwest::Method::POST;
    let (status, body) = raw(
        &env,
        &token,
        post.clone(),
        "chatgroups",
        Some(json!({"groupname": "testgroup", "description": "test", "public": true, "maxusers": 300,
            "owner": "alice", "members": ["bob"]})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let id = body["data"]["groupid"].as_str().expect("groupid").to_owned();
    assert_eq!(id.len(), 15);
    assert_eq!(body["action"], json!("post"));
    let (status, body) = raw(&env, &token, reqwest::Method::GET, &format!("chatgroups/{id}"), None).await;
    assert_eq!(status, 200, "{body}");
    let d = &body["data"][0];
    for key in ["id", "name", "description", "membersonly", "allowinvites", "maxusers", "owner", "created", "custom"] {
        assert!(d.get(key).is_some(), "details lack {key}: {d}");
    }
    assert_eq!(
        (d["affiliations_count"].clone(), d["public"].clone(), d["maxusers"].clone()),
        (json!(2), json!(true), json!(300))
    );
    let (_, body) = raw(
        &env,
        &token,
        post.clone(),
        &format!("chatgroups/{id}/users"),
        Some(json!({"usernames": ["carol", "dave", "bob"]})),
    )
    .await;
    assert_eq!(body["data"]["newmembers"], json!(["carol", "dave"]));
    assert_eq!(body["data"]["action"], json!("add_member"));
    let (status, body) = raw(&env, &token, post.clone(), &format!("chatgroups/{id}/users/bob"), None).await;
    assert_eq!((status, body["error"].clone()), (403, json!("forbidden_op")));
    let (_, body) =
        raw(&env, &token, reqwest::Method::GET, &format!("chatgroups/{id}/users?pagenum=1&pagesize=2"), None).await;
    assert_eq!(body["data"], json!([{"owner": "alice"}, {"member": "bob"}]));
    assert_eq!(body["count"], json!(2));
    let (_, body) = raw(&env, &token, reqwest::Method::DELETE, &format!("chatgroups/{id}/users/carol,zed"), None).await;
    let results: Vec<Value> = body["data"].as_array().unwrap().iter().map(|r| r["result"].clone()).collect();
    assert_eq!(results, vec![json!(true), json!(false)]);
    let (status, body) =
        raw(&env, &token, post.clone(), "chatgroups", Some(json!({"groupname": "x", "owner": "alice"}))).await;
    assert_eq!((status, body["error"].clone()), (400, json!("invalid_parameter")));
    let (status, body) = raw(
        &env,
        &token,
        post.clone(),
        "messages/chatgroups",
        Some(json!({"from": "alice", "to": [id], "type": "txt", "body": {"msg": "hello group"}})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["data"][&id].as_str().is_some_and(|m| m.len() >= 18), "{body}");
    let (status, _) = raw(
        &env,
        &token,
        post.clone(),
        &format!("chatgroups/{id}/announcement"),
        Some(json!({"announcement": "read me"})),
    )
    .await;
    assert_eq!(status, 200);
    let (_, body) = raw(&env, &token, reqwest::Method::GET, &format!("chatgroups/{id}/announcement"), None).await;
    assert_eq!(body["data"]["announcement"], json!("read me"));
    let (_, body) = raw(&env, &token, reqwest::Method::GET, "chatgroups?limit=10", None).await;
    assert_eq!(body["data"][0]["groupid"], json!(id));
    assert_eq!(body["data"][0]["owner"], json!(format!("{}_alice", env.endpoint.app_key)));
    assert_eq!((body["count"].clone(), body.get("cursor")), (json!(1), None));
    let (status, body) = raw(&env, &token, reqwest::Method::GET, "chatgroups/999999999999999", None).await;
    assert_eq!((status, body["error"].clone()), (404, json!("resource_not_found")));
}

#[tokio::test]
async fn user_tokens_act_under_easemob_rules() {
    let env = Env::start().await;
    env.users(&["alice", "bob", "carol", "dave"]).await;
    let (alice, bob) = (user_token(&env, "alice").await, user_token(&env, "bob").await);
    let post = reqwest::Method::POST;
    // The web SDK's create: the owner is the caller.
    let (status, body) = raw(
        &env,
        &alice,
        post.clone(),
        "chatgroups?resource=web_1",
        Some(json!({"owner": "alice", "groupname": "sdk", "desc": "made by a user", "members": ["bob"],
            "public": true, "approval": false, "allowinvites": false, "invite_need_confirm": false, "maxusers": 200})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let id = body["data"]["groupid"].as_str().unwrap().to_owned();
    let (status, body) =
        raw(&env, &bob, post.clone(), "chatgroups", Some(json!({"owner": "alice", "public": true, "groupname": "x"})))
            .await;
    assert_eq!((status, body["error"].clone()), (403, json!("forbidden_op")));
    // A plain member may neither add to a public group nor dismiss it.
    let (status, body) = raw(&env, &bob, post.clone(), &format!("chatgroups/{id}/users/carol"), None).await;
    assert_eq!((status, body["error"].clone()), (403, json!("forbidden_op")), "{body}");
    let (status, body) = raw(&env, &bob, reqwest::Method::DELETE, &format!("chatgroups/{id}"), None).await;
    assert_eq!((status, body["error"].clone()), (403, json!("forbidden_op")));
    // The owner may; leaving is refused to the owner and allowed to a member.
    let (status, _) =
        raw(&env, &alice, post.clone(), &format!("chatgroups/{id}/invite"), Some(json!({"usernames": ["carol"]})))
            .await;
    assert_eq!(status, 200);
    let (status, body) = raw(&env, &alice, reqwest::Method::DELETE, &format!("chatgroups/{id}/quit"), None).await;
    assert_eq!((status, body["error"].clone()), (403, json!("forbidden_op")));
    let (status, _) = raw(&env, &bob, reqwest::Method::DELETE, &format!("chatgroups/{id}/quit"), None).await;
    assert_eq!(status, 200);
    // A free public group is joined by applying.
    let dave = user_token(&env, "dave").await;
    let (status, body) =
        raw(&env, &dave, post.clone(), &format!("chatgroups/{id}/apply"), Some(json!({"message": ""}))).await;
    assert_eq!((status, body["data"]["joined"].clone()), (200, json!(true)));
    let members: Vec<String> =
        Admin::group_members(&env.admin, &id, None, 10).await.unwrap().members.into_iter().map(|m| m.user).collect();
    assert_eq!(members, vec!["alice", "carol", "dave"]);
    // An approval group: the application waits until the owner decides.
    let g = env
        .admin
        .create_group(&GroupSpec::new("ask", GroupKind::Public, JoinPolicy::Approval).with_owner("alice"))
        .await
        .unwrap();
    // A session's client: user tokens only, no app credentials.
    let clock: std::sync::Arc<dyn Clock> = std::sync::Arc::new(env.clock.clone());
    let user_rest =
        unim_easemob::rest::RestClient::for_user_tokens(&env.endpoint.rest_url, &env.endpoint.app_key, clock).unwrap();
    assert_eq!(user_rest.app_token().await.unwrap_err().kind, ErrorKind::InvalidState);
    let dave_secret = Secret::new(dave.clone());
    let joined = unim_easemob::rest::groups::join_group(&user_rest, &dave_secret, &g.id, Some("hi")).await;
    assert_eq!(joined.unwrap(), unim_core::JoinOutcome::Pending);
    let alice_secret = Secret::new(alice.clone());
    let owner = unim_easemob::rest::groups::Auth::User(&alice_secret);
    unim_easemob::rest::groups::decide_join(&user_rest, owner, &g.id, "dave", true).await.expect("approve");
    assert_eq!(Admin::group_info(&env.admin, &g.id).await.unwrap().member_count, 2);
    // The SDK's own list calls with the user's token.
    let (_, body) = raw(&env, &dave, reqwest::Method::GET, "chatgroups/user/dave/joined_count", None).await;
    assert_eq!(body["data"], json!(2));
    let (_, body) =
        raw(&env, &dave, reqwest::Method::GET, "users/dave/joined_chatgroups?pagenum=0&pagesize=20&version=v3", None)
            .await;
    let ids: Vec<Value> = body["data"].as_array().unwrap().iter().map(|g| g["id"].clone()).collect();
    assert_eq!(ids, vec![json!(id), json!(g.id)]);
    let (status, _) = raw(&env, &bob, reqwest::Method::GET, "chatgroups/user/dave/joined_count", None).await;
    assert_eq!(status, 401, "another user's token");
    let private = env
        .admin
        .create_group(&GroupSpec::new("closed", GroupKind::Private, JoinPolicy::InviteOnly).with_owner("alice"))
        .await
        .unwrap();
    let refused = unim_easemob::rest::groups::join_group(env.admin.rest(), &dave_secret, &private.id, None).await;
    assert_eq!(refused.unwrap_err().kind, ErrorKind::PermissionDenied);
    // The adapter's own user-token calls map the same refusals.
    let bob_secret = Secret::new(bob);
    let auth = unim_easemob::rest::groups::Auth::User(&bob_secret);
    let e = unim_easemob::rest::groups::dismiss_group(env.admin.rest(), auth, &id).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::PermissionDenied);
    let e = unim_easemob::rest::groups::join_group(env.admin.rest(), &dave_secret, &id, None).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::AlreadyExists);
}

/// A logged-in session of `user` (subscribed before the login).
async fn online(env: &Env, user: &str) -> (unim_easemob::session::EasemobSession, unim_core::EventStream) {
    env.log_in(unim_easemob::session::EasemobSession::new(env.config(), env.session_options()), user).await
}

const WAIT: Duration = Duration::from_secs(30);

/// The next event matching `wanted` (others are skipped).
async fn next_matching<T>(
    events: &mut unim_core::EventStream,
    what: &str,
    mut wanted: impl FnMut(unim_core::Event) -> Option<T>,
) -> T {
    use futures::StreamExt;
    loop {
        match tokio::time::timeout(WAIT, events.next()).await {
            Ok(Some(e)) => {
                if let Some(t) = wanted(e) {
                    return t;
                }
            }
            Ok(None) => panic!("{what}: the event stream ended"),
            Err(_) => panic!("{what}: nothing within {WAIT:?}"),
        }
    }
}

#[tokio::test]
async fn an_online_member_gets_the_admins_group_message_and_removal() {
    let env = Env::start().await;
    env.users(&["alice", "bob"]).await;
    let g = env.admin.create_group(&public_free("live").with_members(["bob"])).await.unwrap();
    let (_bob, mut events) = online(&env, "bob").await;
    let sent = Admin::send_group_message(&env.admin, Some("alice"), &g.id, &MessageBody::text("to all"), "c1")
        .await
        .expect("send");
    let got = next_matching(&mut events, "the group message", |e| match e {
        unim_core::Event::MessageReceived { message } => Some(*message),
        _ => None,
    })
    .await;
    assert_eq!(got.server_id, sent.server_id);
    assert_eq!(got.conversation, unim_core::ConversationId::group(g.id.clone()));
    assert_eq!((got.from.as_str(), got.body.clone()), ("alice", MessageBody::text("to all")));
    Admin::remove_group_members(&env.admin, &g.id, &["bob".into()]).await.expect("remove");
    let removed = next_matching(&mut events, "the removal", |e| match e {
        unim_core::Event::Group { change: unim_core::GroupEvent::MemberRemoved { user, .. } } => Some(user),
        _ => None,
    })
    .await;
    assert_eq!(removed, "bob");
}
