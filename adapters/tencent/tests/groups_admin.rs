//! `TencentAdmin`'s groups against the emulator's Tencent face: every
//! `group_open_http_svc` call end to end, the refusals with their Tencent
//! codes, a 500-member group paged and messaged, and hand-built REST bodies
//! exactly as Tencent's docs show them.

use serde_json::{json, Value};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use unim_core::{
    Admin, Clock, ConversationId, ConversationKind, Error, ErrorKind, GroupKind, GroupSpec, GroupUpdate, JoinPolicy,
    ManualClock, MemberCursor, MessageBody, Role,
};
use unim_emulator::{Emulator, EmulatorConfig};
use unim_tencent::admin::{TencentAdmin, TencentAdminConfig};
use unim_tencent::usersig::UserSigKey;

mod common;

const T0: u64 = 1_700_000_000;

async fn within<F: Future>(f: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(60), f).await.expect("no answer within 60 s")
}

struct Env {
    emu: Emulator,
    clock: ManualClock,
    admin: TencentAdmin,
}

async fn env(users: &[&str]) -> Env {
    let clock = ManualClock::at_unix(T0);
    let emu =
        within(Emulator::start(EmulatorConfig::tencent().with_clock(Arc::new(clock.clone())))).await.expect("emulator");
    let ep = emu.tencent().expect("tencent face").clone();
    let config =
        TencentAdminConfig::new(ep.rest_url, ep.sdkappid, ep.secret_key, ep.admin).with_clock(Arc::new(clock.clone()));
    let admin = TencentAdmin::new(config).unwrap();
    let items = within(admin.register_many(&ids(users))).await.unwrap();
    assert!(items.iter().all(|i| i.result.is_ok()));
    Env { emu, clock, admin }
}

fn ids(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn vendor_code(e: &Error) -> i64 {
    e.vendor.as_ref().map_or(0, |v| v.code)
}

fn assert_refused(e: Error, kind: ErrorKind, code: i64) {
    assert_eq!((e.kind, vendor_code(&e)), (kind, code), "{e:?}");
}

fn spec(kind: GroupKind, policy: JoinPolicy) -> GroupSpec {
    GroupSpec::new("team", kind, policy).with_owner("alice").with_members(["bob"])
}

#[tokio::test]
async fn creates_each_supported_pair_and_refuses_the_rest() {
    let e = env(&["alice", "bob"]).await;
    for (kind, policy) in [
        (GroupKind::Private, JoinPolicy::InviteOnly),
        (GroupKind::Public, JoinPolicy::Approval),
        (GroupKind::Public, JoinPolicy::Free),
        (GroupKind::Public, JoinPolicy::InviteOnly),
    ] {
        let g = within(e.admin.create_group(&spec(kind, policy).with_introduction("hi"))).await.unwrap();
        assert!(g.id.starts_with("@TGS#2") && g.id.len() == 14, "{}", g.id);
        assert_eq!((g.kind, g.join_policy), (kind, policy));
        assert_eq!((g.owner.as_deref(), g.member_count, g.max_members), (Some("alice"), 2, 200));
        assert_eq!((g.name.as_str(), g.introduction.as_deref()), ("team", Some("hi")));
        assert_eq!(g.created_at_ms, T0 * 1000);
        assert_eq!(within(e.admin.group_info(&g.id)).await.unwrap(), g);
    }
    for policy in [JoinPolicy::Approval, JoinPolicy::Free] {
        let err = within(e.admin.create_group(&spec(GroupKind::Private, policy))).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::Unsupported);
    }
    let ghost = spec(GroupKind::Public, JoinPolicy::Free).with_members(["ghost"]);
    assert_refused(within(e.admin.create_group(&ghost)).await.unwrap_err(), ErrorKind::NotFound, 10019);
    // The App admin may create a group without an owner.
    let ownerless = GroupSpec::new("ops", GroupKind::Public, JoinPolicy::Free).with_members(["bob"]);
    let g = within(e.admin.create_group(&ownerless)).await.unwrap();
    assert_eq!((g.owner, g.member_count), (None, 1));
}

#[tokio::test]
async fn info_update_and_per_user_add_results() {
    let e = env(&["alice", "bob", "carol"]).await;
    let g = within(e.admin.create_group(&spec(GroupKind::Public, JoinPolicy::Approval))).await.unwrap();
    let update = GroupUpdate { name: Some("renamed".into()), introduction: Some("about".into()) };
    within(e.admin.update_group(&g.id, &update)).await.unwrap();
    let info = within(e.admin.group_info(&g.id)).await.unwrap();
    assert_eq!((info.name.as_str(), info.introduction.as_deref()), ("renamed", Some("about")));
    let too_long = GroupUpdate { name: Some("x".repeat(31)), introduction: None };
    assert_eq!(within(e.admin.update_group(&g.id, &too_long)).await.unwrap_err().kind, ErrorKind::InvalidInput);

    let items = within(e.admin.add_group_members(&g.id, &ids(&["carol", "bob", "ghost", ""]))).await.unwrap();
    assert_eq!(items.iter().map(|i| i.user.as_str()).collect::<Vec<_>>(), ["carol", "bob", "ghost", ""]);
    assert!(items[0].result.is_ok());
    assert_refused(items[1].result.clone().unwrap_err(), ErrorKind::AlreadyExists, 10013);
    assert_refused(items[2].result.clone().unwrap_err(), ErrorKind::NotFound, 10019);
    assert_eq!(items[3].result.clone().unwrap_err().kind, ErrorKind::InvalidInput);

    within(e.admin.remove_group_members(&g.id, &ids(&["carol", "ghost"]))).await.unwrap();
    let page = within(e.admin.group_members(&g.id, None, 10)).await.unwrap();
    let who: Vec<(&str, Role)> = page.members.iter().map(|m| (m.user.as_str(), m.role)).collect();
    assert_eq!(who, [("alice", Role::Owner), ("bob", Role::Member)]);
    assert_eq!(page.next, None);
    // The owner cannot be removed.
    let err = within(e.admin.remove_group_members(&g.id, &ids(&["alice"]))).await.unwrap_err();
    assert_refused(err, ErrorKind::PermissionDenied, 10007);
}

#[tokio::test]
async fn five_hundred_members_are_paged_once_each_in_join_order_and_messaged() {
    let users: Vec<String> = (0..500).map(|i| format!("u{i:03}")).collect();
    let names: Vec<&str> = users.iter().map(String::as_str).collect();
    let e = env(&names).await;
    let spec = GroupSpec::new("big", GroupKind::Public, JoinPolicy::Free)
        .with_owner("u000")
        .with_members(users[1..150].to_vec())
        .with_max_members(1000);
    let g = within(e.admin.create_group(&spec)).await.unwrap();
    assert_eq!(g.member_count, 150);
    let items = within(e.admin.add_group_members(&g.id, &users[150..])).await.unwrap();
    assert!(items.iter().all(|i| i.result.is_ok()));
    assert_eq!(within(e.admin.group_info(&g.id)).await.unwrap().member_count, 500);

    let mut seen = Vec::new();
    let mut cursor: Option<MemberCursor> = None;
    let mut pages = 0;
    loop {
        let page = within(e.admin.group_members(&g.id, cursor.as_ref(), 100)).await.unwrap();
        pages += 1;
        seen.extend(page.members.into_iter().map(|m| m.user));
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
        assert!(pages < 10, "paging does not end");
    }
    assert_eq!(pages, 5);
    assert_eq!(seen, users, "every member once, in join order");

    let sent = within(e.admin.send_group_message(None, &g.id, &MessageBody::text("hello all"), "c-1")).await.unwrap();
    assert_eq!(sent.conversation, ConversationId::group(&g.id));
    for user in ["u000", "u250", "u499"] {
        let convs = e.emu.engine().conversations(user);
        let c = convs.iter().find(|c| c.kind == ConversationKind::Group && c.peer == g.id).expect(user);
        assert_eq!(c.unread, 1, "{user}");
    }
}

#[tokio::test]
async fn roles_transfer_and_mutes_on_the_manual_clock() {
    let e = env(&["alice", "bob", "carol"]).await;
    let s = spec(GroupKind::Public, JoinPolicy::Approval).with_members(["bob", "carol"]);
    let g = within(e.admin.create_group(&s)).await.unwrap();
    within(e.admin.set_group_role(&g.id, "bob", Role::Admin)).await.unwrap();
    let err = within(e.admin.set_group_role(&g.id, "bob", Role::Owner)).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidInput);
    let err = within(e.admin.set_group_role(&g.id, "ghost", Role::Admin)).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::PermissionDenied);

    within(e.admin.transfer_group(&g.id, "bob")).await.unwrap();
    let page = within(e.admin.group_members(&g.id, None, 10)).await.unwrap();
    let roles: Vec<(&str, Role)> = page.members.iter().map(|m| (m.user.as_str(), m.role)).collect();
    assert_eq!(roles, [("alice", Role::Member), ("bob", Role::Owner), ("carol", Role::Member)]);
    assert_eq!(within(e.admin.group_info(&g.id)).await.unwrap().owner.as_deref(), Some("bob"));

    within(e.admin.mute_group_member(&g.id, "carol", Duration::from_secs(60))).await.unwrap();
    let page = within(e.admin.group_members(&g.id, None, 10)).await.unwrap();
    assert_eq!(page.members[2].muted_until_ms, Some((T0 + 60) * 1000));
    let text = MessageBody::text("hi");
    let err = within(e.admin.send_group_message(Some("carol"), &g.id, &text, "m1")).await.unwrap_err();
    assert_refused(err, ErrorKind::PermissionDenied, 10017);
    e.clock.advance(Duration::from_secs(60));
    within(e.admin.send_group_message(Some("carol"), &g.id, &text, "m1")).await.unwrap();

    within(e.admin.mute_group_member(&g.id, "alice", Duration::from_secs(3600))).await.unwrap();
    within(e.admin.mute_group_member(&g.id, "alice", Duration::ZERO)).await.unwrap();
    within(e.admin.send_group_message(Some("alice"), &g.id, &text, "m2")).await.unwrap();

    // Work groups have neither admins nor mutes.
    let work = within(e.admin.create_group(&spec(GroupKind::Private, JoinPolicy::InviteOnly))).await.unwrap();
    let err = within(e.admin.set_group_role(&work.id, "bob", Role::Admin)).await.unwrap_err();
    assert_refused(err, ErrorKind::PermissionDenied, 10007);
    let err = within(e.admin.mute_group_member(&work.id, "bob", Duration::from_secs(5))).await.unwrap_err();
    assert_refused(err, ErrorKind::PermissionDenied, 10007);
}

#[tokio::test]
async fn dismissed_groups_are_not_found_and_joined_lists_follow_membership() {
    let e = env(&["alice", "bob", "carol"]).await;
    let a = within(e.admin.create_group(&spec(GroupKind::Public, JoinPolicy::Free))).await.unwrap();
    let b = within(e.admin.create_group(&spec(GroupKind::Private, JoinPolicy::InviteOnly))).await.unwrap();
    let c = GroupSpec::new("other", GroupKind::Public, JoinPolicy::Approval).with_owner("carol");
    let c = within(e.admin.create_group(&c)).await.unwrap();
    let joined = within(e.admin.joined_groups("bob")).await.unwrap();
    assert_eq!(joined, vec![a.clone(), b.clone()]);
    assert_eq!(within(e.admin.joined_groups("carol")).await.unwrap(), vec![c.clone()]);

    within(e.admin.dismiss_group(&a.id)).await.unwrap();
    assert_refused(within(e.admin.group_info(&a.id)).await.unwrap_err(), ErrorKind::NotFound, 10010);
    let err = within(e.admin.add_group_members(&a.id, &ids(&["carol"]))).await.unwrap_err();
    assert_refused(err, ErrorKind::NotFound, 10010);
    let err = within(e.admin.send_group_message(None, &a.id, &MessageBody::text("x"), "x")).await.unwrap_err();
    assert_refused(err, ErrorKind::NotFound, 10010);
    assert_refused(within(e.admin.dismiss_group(&a.id)).await.unwrap_err(), ErrorKind::NotFound, 10010);
    assert_eq!(within(e.admin.joined_groups("bob")).await.unwrap(), vec![b]);
}

#[tokio::test]
async fn a_full_group_is_limit_exceeded() {
    let e = env(&["alice", "bob", "carol", "dave"]).await;
    let g = within(e.admin.create_group(&spec(GroupKind::Public, JoinPolicy::Free).with_max_members(3))).await.unwrap();
    let err = within(e.admin.add_group_members(&g.id, &ids(&["carol", "dave"]))).await.unwrap_err();
    assert_refused(err, ErrorKind::LimitExceeded, 10014);
    within(e.admin.add_group_members(&g.id, &ids(&["carol"]))).await.unwrap();
    let err = within(e.admin.add_group_members(&g.id, &ids(&["dave"]))).await.unwrap_err();
    assert_refused(err, ErrorKind::LimitExceeded, 10014);
    assert_eq!(within(e.admin.group_info(&g.id)).await.unwrap().member_count, 3);
}

#[tokio::test]
async fn group_messages_dedupe_and_page_backwards_by_msg_seq() {
    let e = env(&["alice", "bob", "zed"]).await;
    let g = within(e.admin.create_group(&spec(GroupKind::Public, JoinPolicy::Approval))).await.unwrap();
    let mut sent = Vec::new();
    for i in 0..45 {
        let from = if i % 3 == 0 { None } else { Some("alice") };
        let m =
            within(e.admin.send_group_message(from, &g.id, &MessageBody::text(format!("m{i}")), &format!("id-{i}")))
                .await
                .unwrap();
        sent.push(m);
    }
    assert_eq!(sent[0].from, "administrator");
    assert!(sent[1].server_id.starts_with("2_"), "{}", sent[1].server_id);
    let again =
        within(e.admin.send_group_message(Some("alice"), &g.id, &MessageBody::text("m1"), "id-1")).await.unwrap();
    assert_eq!(again.server_id, sent[1].server_id, "a retry is stored once");
    let err = within(e.admin.send_group_message(Some("zed"), &g.id, &MessageBody::text("no"), "z")).await.unwrap_err();
    assert_refused(err, ErrorKind::PermissionDenied, 10007);
    let huge = MessageBody::text("x".repeat(13 * 1024));
    let err = within(e.admin.send_group_message(None, &g.id, &huge, "huge")).await.unwrap_err();
    assert_eq!(vendor_code(&err), 80002);

    let mut pages = Vec::new();
    let mut cursor = None;
    loop {
        let page = within(e.admin.group_history(&g.id, cursor.as_ref(), 50)).await.unwrap();
        pages.push(page.messages.len());
        let texts: Vec<MessageBody> = page.messages.iter().map(|m| m.body.clone()).collect();
        let first = sent.len() - pages.iter().sum::<usize>();
        let expected: Vec<MessageBody> = sent[first..first + texts.len()].iter().map(|m| m.body.clone()).collect();
        assert_eq!(texts, expected, "oldest first, each page older than the one before");
        match page.older {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(pages, [20, 20, 5]);
    let bob = e.emu.engine().conversations("bob");
    assert_eq!(bob.iter().find(|c| c.peer == g.id).map(|c| c.unread), Some(45));
    let alice = e.emu.engine().conversations("alice");
    assert_eq!(alice.iter().find(|c| c.peer == g.id).map(|c| c.unread), Some(15), "her own are not unread");
}

/// A REST call built by hand, as Tencent's docs show it.
async fn raw(e: &Env, command: &str, body: Value) -> Value {
    let ep = e.emu.tencent().unwrap();
    let sig = UserSigKey::new(ep.sdkappid, &ep.secret_key).gen(&ep.admin, 86_400, e.clock.unix_secs());
    let url = format!(
        "{}/v4/group_open_http_svc/{command}?sdkappid={}&identifier={}&usersig={sig}&random=99999999&contenttype=json",
        ep.rest_url, ep.sdkappid, ep.admin
    );
    let reply = within(reqwest::Client::new().post(url).body(body.to_string()).send()).await.unwrap();
    assert_eq!(reply.status(), 200);
    within(reply.json::<Value>()).await.unwrap()
}

#[tokio::test]
async fn hand_built_rest_bodies_get_the_documented_replies() {
    let e = env(&["leckie", "peter", "kate"]).await;
    let created = raw(
        &e,
        "create_group",
        json!({
            "Owner_Account": "leckie", "Type": "Public", "GroupId": "MyFirstGroup", "Name": "TestGroup",
            "Introduction": "This is group Introduction", "Notification": "This is group Notification",
            "MaxMemberCount": 500, "ApplyJoinOption": "FreeAccess",
            "MemberList": [{"Member_Account": "peter", "Role": "Admin"}, {"Member_Account": "kate"}],
            "AppDefinedData": [{"Key": "GroupTestData1", "Value": "xxxxx"}],
        }),
    )
    .await;
    assert_eq!(created, json!({"ActionStatus": "OK", "ErrorInfo": "", "ErrorCode": 0, "GroupId": "MyFirstGroup"}));
    let again = raw(
        &e,
        "create_group",
        json!({"Owner_Account": "leckie", "Type": "Public", "GroupId": "MyFirstGroup", "Name": "x"}),
    )
    .await;
    assert_eq!((again["ActionStatus"].as_str(), again["ErrorCode"].as_i64()), (Some("FAIL"), Some(10025)));

    let info = raw(&e, "get_group_info", json!({"GroupIdList": ["MyFirstGroup", "@TGS#2NOSUCHGR"]})).await;
    assert_eq!(info["ActionStatus"], "OK");
    let g = &info["GroupInfo"][0];
    assert_eq!(
        (g["ErrorCode"].as_i64(), g["Type"].as_str(), g["Name"].as_str()),
        (Some(0), Some("Public"), Some("TestGroup"))
    );
    assert_eq!(
        (g["Owner_Account"].as_str(), g["MemberNum"].as_u64(), g["MaxMemberNum"].as_u64()),
        (Some("leckie"), Some(3), Some(500))
    );
    assert_eq!((g["ApplyJoinOption"].as_str(), g["NextMsgSeq"].as_u64()), (Some("FreeAccess"), Some(1)));
    assert_eq!(g["Notification"], "This is group Notification");
    assert_eq!(g["CreateTime"].as_u64(), Some(T0));
    let roles: Vec<&str> = g["MemberList"].as_array().unwrap().iter().map(|m| m["Role"].as_str().unwrap()).collect();
    assert_eq!(roles, ["Owner", "Admin", "Member"]);
    assert_eq!(info["GroupInfo"][1]["ErrorCode"].as_i64(), Some(10010));

    let page = raw(&e, "get_group_member_info", json!({"GroupId": "MyFirstGroup", "Limit": 2, "Offset": 1})).await;
    assert_eq!(page["MemberNum"].as_u64(), Some(3));
    let who: Vec<&str> =
        page["MemberList"].as_array().unwrap().iter().map(|m| m["Member_Account"].as_str().unwrap()).collect();
    assert_eq!(who, ["peter", "kate"]);

    let msg = json!({"GroupId": "MyFirstGroup", "From_Account": "peter", "Random": 8912345,
        "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "red packet"}}]});
    let sent = raw(&e, "send_group_msg", msg.clone()).await;
    assert_eq!(
        (sent["ErrorCode"].as_i64(), sent["MsgSeq"].as_u64(), sent["MsgTime"].as_u64()),
        (Some(0), Some(1), Some(T0))
    );
    let resent = raw(&e, "send_group_msg", msg).await;
    assert_eq!(resent["MsgSeq"].as_u64(), Some(1), "same sender and Random: stored once");
    let history = raw(&e, "group_msg_get_simple", json!({"GroupId": "MyFirstGroup", "ReqMsgNumber": 20})).await;
    assert_eq!(history["IsFinished"].as_u64(), Some(1));
    let item = &history["RspMsgList"][0];
    assert_eq!(
        (item["From_Account"].as_str(), item["MsgSeq"].as_u64(), item["MsgRandom"].as_u64()),
        (Some("peter"), Some(1), Some(8912345))
    );
    assert_eq!(item["MsgBody"][0]["MsgContent"]["Text"], "red packet");

    // The older docs' field names still work.
    let muted =
        raw(&e, "forbid_send_msg", json!({"GroupId": "MyFirstGroup", "Members_Account": ["kate"], "ShutUpTime": 60}))
            .await;
    assert_eq!(muted["ErrorCode"].as_i64(), Some(0));
    let kate = json!({"GroupId": "MyFirstGroup", "From_Account": "kate", "Random": 1,
        "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "hi"}}]});
    assert_eq!(raw(&e, "send_group_msg", kate).await["ErrorCode"].as_i64(), Some(10017));
    let joined = raw(&e, "get_joined_group_list", json!({"Member_Account": "kate"})).await;
    assert_eq!(
        (joined["TotalCount"].as_u64(), joined["GroupIdList"][0]["GroupId"].as_str()),
        (Some(1), Some("MyFirstGroup"))
    );

    assert_eq!(raw(&e, "destroy_group", json!({"GroupId": "MyFirstGroup"})).await["ErrorCode"].as_i64(), Some(0));
    let gone = raw(&e, "destroy_group", json!({"GroupId": "MyFirstGroup"})).await;
    assert_eq!(gone["ErrorCode"].as_i64(), Some(10010));
    let unknown = raw(&e, "no_such_command", json!({})).await;
    assert_eq!(unknown["ErrorCode"].as_i64(), Some(60009));
}

/// The next event `pick` accepts (others are skipped).
async fn event_where<T>(events: &mut unim_core::EventStream, pick: impl Fn(unim_core::Event) -> Option<T>) -> T {
    use futures::StreamExt;
    loop {
        let event =
            tokio::time::timeout(common::WAIT, events.next()).await.expect("no event in time").expect("stream ended");
        if let Some(found) = pick(event) {
            return found;
        }
    }
}

fn group_event(event: unim_core::Event) -> Option<unim_core::GroupEvent> {
    match event {
        unim_core::Event::Group { change } => Some(change),
        _ => None,
    }
}

#[tokio::test]
async fn rest_changes_reach_online_members() {
    use unim_core::{GroupEvent, Session, SessionOptions};
    let base = common::Env::start().await;
    let ep = &base.endpoint;
    let config = TencentAdminConfig::new(ep.rest_url.clone(), ep.sdkappid, ep.secret_key.clone(), ep.admin.clone())
        .with_clock(Arc::new(base.clock.clone()));
    let admin = TencentAdmin::new(config).unwrap();
    within(admin.register_many(&ids(&["alice", "bob", "carol"]))).await.unwrap();
    let options = SessionOptions { clock: Arc::new(base.clock.clone()), ..SessionOptions::default() };
    let bob = unim_tencent::session::TencentSession::new(base.config(), options);
    let mut events = bob.events();
    within(bob.login(base.creds("bob", 86_400))).await.unwrap();

    let g = within(admin.create_group(&spec(GroupKind::Public, JoinPolicy::Free))).await.unwrap();
    within(admin.add_group_members(&g.id, &ids(&["carol"]))).await.unwrap();
    let joined = event_where(&mut events, |e| {
        group_event(e).filter(|c| matches!(c, GroupEvent::MemberJoined { user, .. } if user == "carol"))
    })
    .await;
    assert_eq!(joined, GroupEvent::MemberJoined { group: g.id.clone(), user: "carol".into(), by: None });

    within(admin.send_group_message(Some("alice"), &g.id, &MessageBody::text("to all"), "c1")).await.unwrap();
    let message = event_where(&mut events, |e| match e {
        unim_core::Event::MessageReceived { message } => Some(message),
        _ => None,
    })
    .await;
    assert_eq!((message.conversation, message.body), (ConversationId::group(&g.id), MessageBody::text("to all")));

    within(admin.remove_group_members(&g.id, &ids(&["bob"]))).await.unwrap();
    let removed = event_where(&mut events, group_event).await;
    assert_eq!(removed, GroupEvent::MemberRemoved { group: g.id.clone(), user: "bob".into(), by: None });
    within(admin.add_group_members(&g.id, &ids(&["bob"]))).await.unwrap();
    within(admin.dismiss_group(&g.id)).await.unwrap();
    let dismissed =
        event_where(&mut events, |e| group_event(e).filter(|c| matches!(c, GroupEvent::Dismissed { .. }))).await;
    assert_eq!(dismissed, GroupEvent::Dismissed { group: g.id.clone(), by: None });
    assert!(base.emulator.engine().group(&g.id).is_err());
    within(bob.logout()).await.unwrap();
}
