//! The NetEase admin's groups (advanced teams over `team/*.action`) against
//! the emulator's NetEase face, and a few form calls built by hand from the
//! fact sheet (netease.md 3.3) to pin the face's answers.

use serde_json::{json, Value};
use std::collections::HashSet;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use unim_core::{
    Admin, ErrorKind, GroupKind, GroupSpec, GroupUpdate, JoinPolicy, ManualClock, MemberCursor, MessageBody, Role,
};
use unim_emulator::{Emulator, EmulatorConfig};
use unim_netease::admin::{NeteaseAdmin, NeteaseAdminConfig, NewUser};

const T0: u64 = 1_700_000_000;

async fn within<F: Future>(f: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(60), f).await.expect("no answer within 60 s")
}

struct Setup {
    _emulator: Emulator,
    clock: ManualClock,
    admin: NeteaseAdmin,
}

async fn setup(users: &[&str]) -> Setup {
    let clock = ManualClock::at_unix(T0);
    let emulator =
        within(Emulator::start(EmulatorConfig::netease().with_clock(Arc::new(clock.clone())))).await.expect("emulator");
    let ep = emulator.netease().expect("netease face");
    let config =
        NeteaseAdminConfig::new(&ep.rest_url, &ep.app_key, ep.app_secret.as_str()).with_clock(Arc::new(clock.clone()));
    let admin = NeteaseAdmin::new(config).expect("admin");
    for u in users {
        within(admin.create_user(&NewUser::new(*u))).await.expect("create user");
    }
    Setup { _emulator: emulator, clock, admin }
}

fn spec(kind: GroupKind, policy: JoinPolicy) -> GroupSpec {
    GroupSpec::new("team", kind, policy).with_owner("alice").with_members(["bob", "carol"])
}

/// A raw v1 call; returns the whole reply (code included).
async fn raw(s: &Setup, path: &str, fields: &[(&str, &str)]) -> (i64, Value) {
    match within(s.admin.rest().call_form(path, fields)).await {
        Ok(map) => (200, Value::Object(map)),
        Err(e) => (e.vendor.map(|v| v.code).unwrap_or(-1), Value::Null),
    }
}

fn vendor_code(e: &unim_core::Error) -> Option<i64> {
    e.vendor.as_ref().map(|v| v.code)
}

#[tokio::test]
async fn every_kind_and_policy_pair_maps_to_the_team_modes() {
    let s = setup(&["alice", "bob", "carol"]).await;
    let pairs = [
        (GroupKind::Private, JoinPolicy::InviteOnly, 2, 1),
        (GroupKind::Private, JoinPolicy::Approval, 1, 1),
        (GroupKind::Private, JoinPolicy::Free, 0, 1),
        (GroupKind::Public, JoinPolicy::InviteOnly, 2, 0),
        (GroupKind::Public, JoinPolicy::Approval, 1, 0),
        (GroupKind::Public, JoinPolicy::Free, 0, 0),
    ];
    for (kind, policy, joinmode, invitemode) in pairs {
        let g = within(s.admin.create_group(&spec(kind, policy).with_introduction("hi"))).await.unwrap();
        assert!(g.id.len() >= 6 && g.id.bytes().all(|b| b.is_ascii_digit()), "tid {}", g.id);
        assert_eq!((g.kind, g.join_policy, g.owner.as_deref()), (kind, policy, Some("alice")));
        assert_eq!((g.member_count, g.max_members, g.introduction.as_deref()), (3, 200, Some("hi")));
        assert_eq!(g.created_at_ms, T0 * 1000);
        let tids = format!("[\"{}\"]", g.id);
        let (code, reply) = raw(&s, "team/query.action", &[("tids", &tids), ("ope", "1")]).await;
        assert_eq!(code, 200);
        let t = &reply["tinfos"][0];
        assert_eq!((t["joinmode"].as_i64(), t["invitemode"].as_i64()), (Some(joinmode), Some(invitemode)));
        assert_eq!((t["beinvitemode"].as_i64(), t["owner"].as_str()), (Some(1), Some("alice")));
        assert_eq!(t["members"], json!(["bob", "carol"]));
    }
    let e = within(s.admin.create_group(&GroupSpec::new("x", GroupKind::Public, JoinPolicy::Free))).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput, "an owner is required: {e}");
    let long = GroupSpec::new("n".repeat(65), GroupKind::Public, JoinPolicy::Free).with_owner("alice");
    assert_eq!(within(s.admin.create_group(&long)).await.unwrap_err().kind, ErrorKind::InvalidInput);
}

#[tokio::test]
async fn info_updates_and_missing_teams_are_not_found() {
    let s = setup(&["alice", "bob", "carol"]).await;
    let g = within(s.admin.create_group(&spec(GroupKind::Public, JoinPolicy::Approval))).await.unwrap();
    let update = GroupUpdate { name: Some("renamed".into()), introduction: Some("about us".into()) };
    within(s.admin.update_group(&g.id, &update)).await.unwrap();
    let info = within(s.admin.group_info(&g.id)).await.unwrap();
    assert_eq!((info.name.as_str(), info.introduction.as_deref()), ("renamed", Some("about us")));
    for missing in ["3999999999", "not-a-tid"] {
        let e = within(s.admin.group_info(missing)).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotFound, "{missing}: {e}");
    }
    let e = within(s.admin.group_info("3999999999")).await.unwrap_err();
    assert_eq!(vendor_code(&e), Some(803));
}

#[tokio::test]
async fn five_hundred_members_are_added_in_batches_and_paged_each_once() {
    let users: Vec<String> = (0..500).map(|i| format!("m{i:03}")).collect();
    let s = setup(&["alice"]).await;
    for u in &users {
        within(s.admin.create_user(&NewUser::new(u.clone()))).await.unwrap();
    }
    let big = GroupSpec::new("big", GroupKind::Public, JoinPolicy::Free).with_owner("alice").with_max_members(1000);
    let g = within(s.admin.create_group(&big)).await.unwrap();
    let added = within(s.admin.add_group_members(&g.id, &users)).await.unwrap();
    assert_eq!(added.len(), 500);
    assert!(added.iter().all(|b| b.result.is_ok()), "{:?}", added.iter().find(|b| b.result.is_err()));
    assert_eq!(within(s.admin.group_info(&g.id)).await.unwrap().member_count, 501);

    let mut seen = Vec::new();
    let mut cursor: Option<MemberCursor> = None;
    loop {
        let page = within(s.admin.group_members(&g.id, cursor.as_ref(), 37)).await.unwrap();
        assert!(page.members.len() <= 37);
        seen.extend(page.members.iter().map(|m| (m.user.clone(), m.role)));
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(seen.len(), 501);
    assert_eq!(seen[0], ("alice".to_string(), Role::Owner));
    let order: Vec<&String> = seen[1..].iter().map(|(u, _)| u).collect();
    assert_eq!(order, users.iter().collect::<Vec<_>>(), "join order, each once");
    assert_eq!(seen.iter().map(|(u, _)| u).collect::<HashSet<_>>().len(), 501);

    let again = vec!["m001".to_string(), "newbie".to_string(), "M002".to_string()];
    within(s.admin.create_user(&NewUser::new("newbie"))).await.unwrap();
    let out = within(s.admin.add_group_members(&g.id, &again)).await.unwrap();
    let kinds: Vec<Option<ErrorKind>> = out.iter().map(|b| b.result.as_ref().err().map(|e| e.kind)).collect();
    assert_eq!(kinds, [Some(ErrorKind::AlreadyExists), None, Some(ErrorKind::AlreadyExists)]);
    assert_eq!(vendor_code(out[0].result.as_ref().unwrap_err()), Some(809));
}

#[tokio::test]
async fn a_full_team_refuses_the_whole_batch() {
    let s = setup(&["alice", "bob", "carol", "dave", "erin"]).await;
    let small = GroupSpec::new("small", GroupKind::Public, JoinPolicy::Free)
        .with_owner("alice")
        .with_members(["bob"])
        .with_max_members(3);
    let g = within(s.admin.create_group(&small)).await.unwrap();
    let e = within(s.admin.add_group_members(&g.id, &["carol".into(), "dave".into()])).await.unwrap_err();
    assert_eq!((e.kind, vendor_code(&e)), (ErrorKind::LimitExceeded, Some(801)));
    assert_eq!(within(s.admin.group_info(&g.id)).await.unwrap().member_count, 2, "nobody was added");
    within(s.admin.add_group_members(&g.id, &["carol".into()])).await.unwrap();
    let e = within(s.admin.add_group_members(&g.id, &["erin".into()])).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::LimitExceeded);
}

#[tokio::test]
async fn removal_managers_transfer_and_timed_mutes() {
    let s = setup(&["alice", "bob", "carol", "dave"]).await;
    let g =
        within(s.admin.create_group(&spec(GroupKind::Public, JoinPolicy::Free).with_members(["bob", "carol", "dave"])))
            .await
            .unwrap();
    within(s.admin.remove_group_members(&g.id, &["dave".into(), "nobody".into()])).await.unwrap();
    let e = within(s.admin.remove_group_members(&g.id, &["alice".into()])).await.unwrap_err();
    assert_eq!((e.kind, vendor_code(&e)), (ErrorKind::PermissionDenied, Some(802)), "never the owner");

    within(s.admin.set_group_role(&g.id, "bob", Role::Admin)).await.unwrap();
    let roles = |page: unim_core::MemberPage| page.members.into_iter().map(|m| (m.user, m.role)).collect::<Vec<_>>();
    let page = within(s.admin.group_members(&g.id, None, 10)).await.unwrap();
    assert_eq!(
        roles(page),
        [("alice".into(), Role::Owner), ("bob".into(), Role::Admin), ("carol".into(), Role::Member)]
    );
    within(s.admin.set_group_role(&g.id, "bob", Role::Member)).await.unwrap();
    assert_eq!(
        within(s.admin.set_group_role(&g.id, "bob", Role::Owner)).await.unwrap_err().kind,
        ErrorKind::InvalidInput
    );

    within(s.admin.transfer_group(&g.id, "carol")).await.unwrap();
    let info = within(s.admin.group_info(&g.id)).await.unwrap();
    assert_eq!((info.owner.as_deref(), info.member_count), (Some("carol"), 3));
    let page = within(s.admin.group_members(&g.id, None, 10)).await.unwrap();
    assert!(roles(page).contains(&("alice".into(), Role::Member)), "the old owner stays as a member");

    // The admin now acts as carol, the new owner.
    within(s.admin.mute_group_member(&g.id, "bob", Duration::from_secs(60))).await.unwrap();
    let page = within(s.admin.group_members(&g.id, None, 10)).await.unwrap();
    let bob = page.members.iter().find(|m| m.user == "bob").unwrap();
    assert!(bob.muted_until_ms.is_some());
    let hi = MessageBody::text("hi");
    let e = within(s.admin.send_group_message(Some("bob"), &g.id, &hi, "c1")).await.unwrap_err();
    assert_eq!((e.kind, vendor_code(&e)), (ErrorKind::PermissionDenied, Some(812)));
    s.clock.advance(Duration::from_secs(61));
    within(s.admin.send_group_message(Some("bob"), &g.id, &hi, "c2")).await.unwrap();
    within(s.admin.mute_group_member(&g.id, "bob", Duration::from_secs(3600))).await.unwrap();
    within(s.admin.mute_group_member(&g.id, "bob", Duration::ZERO)).await.unwrap();
    within(s.admin.send_group_message(Some("bob"), &g.id, &hi, "c3")).await.unwrap();
    let page = within(s.admin.group_members(&g.id, None, 10)).await.unwrap();
    assert_eq!(page.members.iter().find(|m| m.user == "bob").unwrap().muted_until_ms, None);
}

#[tokio::test]
async fn joined_lists_and_dismissal() {
    let s = setup(&["alice", "bob", "carol"]).await;
    let a = within(s.admin.create_group(&spec(GroupKind::Public, JoinPolicy::Free))).await.unwrap();
    let b = within(s.admin.create_group(&spec(GroupKind::Private, JoinPolicy::InviteOnly).with_members(["carol"])))
        .await
        .unwrap();
    let ids = |gs: Vec<unim_core::Group>| gs.into_iter().map(|g| g.id).collect::<Vec<_>>();
    assert_eq!(ids(within(s.admin.joined_groups("bob")).await.unwrap()), [a.id.as_str()]);
    let carols = within(s.admin.joined_groups("carol")).await.unwrap();
    assert_eq!(
        carols.iter().map(|g| (g.id.clone(), g.kind)).collect::<Vec<_>>(),
        [(a.id.clone(), GroupKind::Public), (b.id.clone(), GroupKind::Private)]
    );
    within(s.admin.dismiss_group(&a.id)).await.unwrap();
    assert_eq!(ids(within(s.admin.joined_groups("carol")).await.unwrap()), [b.id.as_str()]);
    for e in [
        within(s.admin.group_info(&a.id)).await.unwrap_err(),
        within(s.admin.dismiss_group(&a.id)).await.unwrap_err(),
        within(s.admin.add_group_members(&a.id, &["bob".into()])).await.unwrap_err(),
        within(s.admin.send_group_message(Some("bob"), &a.id, &MessageBody::text("x"), "c")).await.unwrap_err(),
    ] {
        assert_eq!(e.kind, ErrorKind::NotFound, "{e}");
    }
}

#[tokio::test]
async fn group_messages_are_stored_once_and_paged_backwards() {
    let s = setup(&["alice", "bob", "carol", "zed"]).await;
    let g = within(s.admin.create_group(&spec(GroupKind::Public, JoinPolicy::Free))).await.unwrap();
    let mut sent = Vec::new();
    for i in 0..7 {
        let from = if i % 2 == 0 { Some("bob") } else { None };
        let m =
            within(s.admin.send_group_message(from, &g.id, &MessageBody::text(format!("m{i}")), "c")).await.unwrap();
        assert_eq!((m.conversation.peer.as_str(), m.to.as_str()), (g.id.as_str(), g.id.as_str()));
        assert_eq!(m.from, if i % 2 == 0 { "bob" } else { "alice" }, "no sender: the owner");
        sent.push(m.server_id);
    }
    let custom = MessageBody::custom("{\"k\":1}", Some("card".into()));
    sent.push(within(s.admin.send_group_message(Some("carol"), &g.id, &custom, "c")).await.unwrap().server_id);

    let mut pages = Vec::new();
    let mut older = None;
    loop {
        let page = within(s.admin.group_history(&g.id, older.as_ref(), 3)).await.unwrap();
        pages.push(page.messages.iter().map(|m| m.server_id.clone()).collect::<Vec<_>>());
        match page.older {
            Some(c) => older = Some(c),
            None => break,
        }
    }
    let all: Vec<String> = pages.into_iter().rev().flatten().collect();
    assert_eq!(all, sent, "every message once, oldest first");
    let newest = within(s.admin.group_history(&g.id, None, 1)).await.unwrap();
    assert_eq!(newest.messages[0].body, custom);

    let e = within(s.admin.send_group_message(Some("zed"), &g.id, &MessageBody::text("x"), "c")).await.unwrap_err();
    assert_eq!((e.kind, vendor_code(&e)), (ErrorKind::PermissionDenied, Some(804)));
}

#[tokio::test]
async fn hand_built_form_calls_get_the_documented_answers() {
    let s = setup(&["alice", "bob", "carol"]).await;
    let base = [("tname", "t"), ("owner", "alice"), ("members", "[\"bob\",\"ghost\"]"), ("msg", "join")];
    let with = |extra: &[(&'static str, &'static str)]| base.iter().chain(extra).copied().collect::<Vec<_>>();
    assert_eq!(raw(&s, "team/create.action", &with(&[("magree", "0"), ("joinmode", "3")])).await.0, 414);
    assert_eq!(raw(&s, "team/create.action", &with(&[("joinmode", "0")])).await.0, 414, "magree is required");
    let no_msg: Vec<_> = base[..3].iter().chain(&[("magree", "0"), ("joinmode", "0")]).copied().collect();
    assert_eq!(raw(&s, "team/create.action", &no_msg).await.0, 414, "msg is required");
    let (code, reply) = raw(&s, "team/create.action", &with(&[("magree", "0"), ("joinmode", "0")])).await;
    assert_eq!(code, 200);
    let tid = reply["tid"].as_str().expect("tid is a string").to_owned();
    assert_eq!(reply["faccid"]["accid"], json!(["ghost"]));

    let t = tid.as_str();
    let add =
        |members: &'static str| [("tid", t), ("owner", "alice"), ("members", members), ("magree", "0"), ("msg", "m")];
    assert_eq!(raw(&s, "team/add.action", &add("[\"bob\"]")).await.0, 809, "every one already in the team");
    assert_eq!(raw(&s, "team/add.action", &add("[\"carol\"]")).await.0, 200);
    let many = serde_json::to_string(&(0..201).map(|i| format!("u{i}")).collect::<Vec<_>>()).unwrap();
    let too_many = [("tid", t), ("owner", "alice"), ("members", many.as_str()), ("magree", "0"), ("msg", "m")];
    assert_eq!(raw(&s, "team/add.action", &too_many).await.0, 414, "at most 200 a call");

    assert_eq!(raw(&s, "team/leave.action", &[("tid", t), ("accid", "alice")]).await.0, 802, "the owner");
    assert_eq!(raw(&s, "team/kick.action", &[("tid", t), ("owner", "alice"), ("member", "zed")]).await.0, 804);
    assert_eq!(raw(&s, "team/kick.action", &[("tid", t), ("owner", "bob"), ("member", "carol")]).await.0, 802);
    let (code, reply) = raw(&s, "team/queryDetail.action", &[("tid", t)]).await;
    assert_eq!(code, 200);
    let tinfo = &reply["tinfo"];
    assert_eq!(tinfo["owner"]["accid"], "alice");
    let members: Vec<&str> =
        tinfo["members"].as_array().unwrap().iter().map(|m| m["accid"].as_str().unwrap()).collect();
    assert_eq!(members, ["bob", "carol"]);
    assert_eq!(
        (tinfo["members"][0]["mute"].as_bool(), tinfo["members"][0]["createtime"].as_u64()),
        (Some(false), Some(T0 * 1000))
    );

    let modes = [("tid", t), ("owner", "alice"), ("joinmode", "2"), ("invitemode", "1"), ("teamMemberLimit", "50")];
    assert_eq!(raw(&s, "team/update.action", &modes).await.0, 200);
    let numeric = format!("[{t}]");
    let (code, reply) = raw(&s, "team/query.action", &[("tids", numeric.as_str()), ("ope", "0")]).await;
    let q = &reply["tinfos"][0];
    assert_eq!((code, &q["joinmode"], &q["invitemode"], &q["maxusers"]), (200, &json!(2), &json!(1), &json!(50)));
    assert_eq!(raw(&s, "team/update.action", &[("tid", t), ("owner", "bob"), ("tname", "x")]).await.0, 802);
    let shrink = [("tid", t), ("owner", "alice"), ("teamMemberLimit", "2")];
    assert_eq!(raw(&s, "team/update.action", &shrink).await.0, 414, "below the member count");

    let send = [("from", "bob"), ("ope", "1"), ("to", "3999999999"), ("type", "0"), ("body", "{\"msg\":\"x\"}")];
    assert_eq!(raw(&s, "msg/sendMsg.action", &send).await.0, 803);
    let send = [("from", "bob"), ("ope", "1"), ("to", t), ("type", "0"), ("body", "{\"msg\":\"x\"}")];
    let (code, reply) = raw(&s, "msg/sendMsg.action", &send).await;
    assert_eq!((code, reply["data"]["msgid"].is_u64()), (200, true));
    let (code, reply) = raw(
        &s,
        "history/queryTeamMsg.action",
        &[("tid", t), ("accid", "carol"), ("begintime", "0"), ("endtime", "9999999999999"), ("reverse", "1")],
    )
    .await;
    assert_eq!((code, reply["size"].as_u64(), reply["msgs"][0]["body"]["msg"].as_str()), (200, Some(1), Some("x")));

    assert_eq!(raw(&s, "team/leave.action", &[("tid", t), ("accid", "bob")]).await.0, 200);
    assert_eq!(raw(&s, "team/remove.action", &[("tid", t), ("owner", "carol")]).await.0, 802, "only the owner");
    assert_eq!(raw(&s, "team/remove.action", &[("tid", t), ("owner", "alice")]).await.0, 200);
    assert_eq!(raw(&s, "team/queryDetail.action", &[("tid", t)]).await.0, 803);
}

// The shared setup has parts these tests do not use.
#[allow(dead_code)]
mod common;

/// The next group event or message on `events` (other events skipped).
async fn next_team_event(events: &mut unim_core::EventStream, what: &str) -> unim_core::Event {
    loop {
        let e = common::next_event(events, what).await;
        if matches!(e, unim_core::Event::Group { .. } | unim_core::Event::MessageReceived { .. }) {
            return e;
        }
    }
}

#[tokio::test]
async fn an_online_member_is_told_of_the_admins_changes_and_messages() {
    use unim_core::{Credentials, Direction, Event, GroupEvent, Platform, Session, SessionOptions};
    let env = common::Env::start().await;
    env.users(&["alice", "bob", "carol"], "tok-admin-teams").await;
    let g =
        within(env.admin.create_group(&spec(GroupKind::Public, JoinPolicy::Free).with_members(["bob"]))).await.unwrap();
    let options = SessionOptions { clock: Arc::new(env.clock.clone()), ..SessionOptions::default() };
    let bob = unim_netease::session::NeteaseSession::new(env.config(Platform::Web), options);
    let mut events = bob.events();
    within(bob.login(Credentials::token("bob", "tok-admin-teams"))).await.expect("login");
    let (id, alice) = (g.id.clone(), Some("alice".to_string()));

    within(env.admin.add_group_members(&id, &["carol".into()])).await.unwrap();
    let joined = GroupEvent::MemberJoined { group: id.clone(), user: "carol".into(), by: alice.clone() };
    assert_eq!(next_team_event(&mut events, "carol joined").await, Event::Group { change: joined });

    within(env.admin.send_group_message(None, &id, &MessageBody::text("from the app"), "c1")).await.unwrap();
    match next_team_event(&mut events, "the team message").await {
        Event::MessageReceived { message } => {
            assert_eq!((message.conversation.peer.as_str(), message.from.as_str()), (id.as_str(), "alice"));
            assert_eq!((message.direction, message.body), (Direction::Incoming, MessageBody::text("from the app")));
        }
        other => panic!("expected the message, got {other:?}"),
    }

    within(env.admin.remove_group_members(&id, &["carol".into()])).await.unwrap();
    let removed = GroupEvent::MemberRemoved { group: id.clone(), user: "carol".into(), by: alice.clone() };
    assert_eq!(next_team_event(&mut events, "carol removed").await, Event::Group { change: removed });

    within(env.admin.mute_group_member(&id, "bob", Duration::from_secs(60))).await.unwrap();
    match next_team_event(&mut events, "bob muted").await {
        Event::Group { change: GroupEvent::MemberMuted { group, user, until_ms } } => {
            assert_eq!((group.as_str(), user.as_str(), until_ms.is_some()), (id.as_str(), "bob", true));
        }
        other => panic!("expected MemberMuted, got {other:?}"),
    }

    within(env.admin.dismiss_group(&id)).await.unwrap();
    let dismissed = GroupEvent::Dismissed { group: id.clone(), by: alice };
    assert_eq!(next_team_event(&mut events, "dismissed").await, Event::Group { change: dismissed });
    bob.logout().await.ok();
}
