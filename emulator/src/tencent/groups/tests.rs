//! The face's group commands, called as the App admin and as link users.

use super::*;

#[test]
fn auto_ids_look_like_tencents_and_never_repeat() {
    let ids: std::collections::HashSet<String> = (1..=5000).map(auto_id).collect();
    assert_eq!(ids.len(), 5000);
    let id = auto_id(1);
    assert!(id.starts_with("@TGS#2") && id.len() == 14, "{id}");
    assert!(valid_group_id(&id));
    assert!(!valid_group_id("") && !valid_group_id(&"x".repeat(48)) && !valid_group_id("a\u{1}"));
}

#[test]
fn engine_refusals_get_tencent_codes() {
    assert_eq!(refuse(GroupError::NoSuchGroup("g".into())).code, 10010);
    assert_eq!(refuse(GroupError::Full { limit: 2 }).code, 10014);
    assert_eq!(refuse(GroupError::Muted { until_ms: 1 }).code, 10017);
    assert_eq!(refuse(GroupError::OwnerCannotLeave).code, 10009);
    assert_eq!(refuse(GroupError::InviteOnly).code, 10007);
    assert_eq!(refuse(GroupError::AlreadyMember("a".into())).code, 10013);
}

mod calls {
    use super::super::answer;
    use crate::groups::Actor;
    use crate::tencent::{link, mailbox, Face, TencentSettings};
    use crate::Engine;
    use serde_json::{json, Value};
    use std::sync::Arc;
    use unim_core::ManualClock;
    use unim_tencent::usersig::UserSigKey;

    fn face(users: &[&str]) -> Face {
        let engine = Engine::new(Arc::new(ManualClock::at_unix(1_700_000_000)));
        for u in users {
            engine.create_account(u, None, None);
        }
        let settings = TencentSettings::default();
        let key = UserSigKey::new(settings.sdkappid, &settings.secret_key);
        Face {
            engine,
            settings,
            key,
            store: Arc::new(link::store::Store::default()),
            mailbox: mailbox::Mailbox::default(),
        }
    }

    /// The reply's ErrorCode (0 for OK).
    fn call(face: &Face, actor: Actor<'_>, command: &str, body: Value) -> (i64, Value) {
        let Value::Object(map) = body else { panic!("a body is an object") };
        match answer(face, actor, command, &map).expect("a group command") {
            Ok(v) => (0, v),
            Err(r) => (r.code, Value::Null),
        }
    }

    fn create(face: &Face, actor: Actor<'_>, ty: &str, apply: &str) -> String {
        let body =
            json!({"Type": ty, "Name": "g", "ApplyJoinOption": apply, "MemberList": [{"Member_Account": "bob"}]});
        let (code, reply) = call(face, actor, "create_group", body);
        assert_eq!(code, 0);
        reply["GroupId"].as_str().unwrap().to_owned()
    }

    #[test]
    fn joining_follows_the_apply_option() {
        let f = face(&["alice", "bob", "carol"]);
        let alice = Actor::User("alice");
        let carol = Actor::User("carol");
        let free = create(&f, alice, "Public", "FreeAccess");
        let (code, reply) = call(&f, carol, "apply_join_group", json!({"GroupId": free}));
        assert_eq!((code, reply["JoinedStatus"].as_str()), (0, Some("JoinedSuccess")));
        assert_eq!(call(&f, carol, "apply_join_group", json!({"GroupId": free})).0, 10013);

        let approval = create(&f, alice, "Public", "NeedPermission");
        let (code, reply) = call(&f, carol, "apply_join_group", json!({"GroupId": approval, "ApplyMsg": "hi"}));
        assert_eq!((code, reply["JoinedStatus"].as_str()), (0, Some("WaitAdminApproval")));
        let agree = json!({"GroupId": approval, "Applicant_Account": "carol", "HandleMsg": "Agree"});
        assert_eq!(call(&f, Actor::User("bob"), "handle_apply_join_group", agree.clone()).0, 10007);
        assert_eq!(call(&f, alice, "handle_apply_join_group", agree).0, 0);
        assert!(f.engine.group(&approval).unwrap().member("carol").is_some());

        let closed = create(&f, alice, "Public", "DisableApply");
        assert_eq!(call(&f, carol, "apply_join_group", json!({"GroupId": closed})).0, 10007);
        let work = create(&f, alice, "Private", "");
        assert_eq!(call(&f, carol, "apply_join_group", json!({"GroupId": work})).0, 10007);
        let meeting = create(&f, alice, "ChatRoom", "");
        assert_eq!(call(&f, carol, "apply_join_group", json!({"GroupId": meeting})).0, 0);
        assert_eq!(call(&f, Actor::App, "apply_join_group", json!({"GroupId": meeting})).0, 10004);
    }

    #[test]
    fn quitting_and_the_work_group_rules() {
        let f = face(&["alice", "bob", "carol"]);
        let alice = Actor::User("alice");
        let bob = Actor::User("bob");
        let public = create(&f, alice, "Public", "NeedPermission");
        assert_eq!(call(&f, alice, "quit_group", json!({"GroupId": public})).0, 10009);
        assert_eq!(call(&f, bob, "quit_group", json!({"GroupId": public})).0, 0);
        assert_eq!(call(&f, bob, "quit_group", json!({"GroupId": public})).0, 10007);

        let work = create(&f, alice, "Private", "");
        // Any member invites and edits; only the App admin disbands.
        let add = json!({"GroupId": work, "MemberList": [{"Member_Account": "carol"}]});
        assert_eq!(call(&f, bob, "add_group_member", add).0, 0);
        assert_eq!(call(&f, bob, "modify_group_base_info", json!({"GroupId": work, "Name": "ours"})).0, 0);
        assert_eq!(call(&f, alice, "destroy_group", json!({"GroupId": work})).0, 10007);
        // The owner may quit: the group goes on without one.
        assert_eq!(call(&f, alice, "quit_group", json!({"GroupId": work})).0, 0);
        let (_, info) = call(&f, Actor::App, "get_group_info", json!({"GroupIdList": [work]}));
        assert_eq!(
            (info["GroupInfo"][0]["Owner_Account"].as_str(), info["GroupInfo"][0]["MemberNum"].as_u64()),
            (Some(""), Some(2))
        );
        assert_eq!(call(&f, Actor::App, "destroy_group", json!({"GroupId": work})).0, 0);
    }

    #[test]
    fn link_users_act_only_as_themselves() {
        let f = face(&["alice", "bob", "carol"]);
        let alice = Actor::User("alice");
        let carol = Actor::User("carol");
        let g = create(&f, alice, "Public", "FreeAccess");
        let text = json!([{"MsgType": "TIMTextElem", "MsgContent": {"Text": "hi"}}]);
        let as_bob = json!({"GroupId": g, "From_Account": "bob", "Random": 1, "MsgBody": text});
        assert_eq!(call(&f, alice, "send_group_msg", as_bob).0, 10007);
        let mine = json!({"GroupId": g, "Random": 1, "MsgBody": text});
        assert_eq!(call(&f, carol, "send_group_msg", mine.clone()).0, 10007, "not a member");
        let (code, reply) = call(&f, alice, "send_group_msg", mine);
        assert_eq!((code, reply["MsgSeq"].as_u64()), (0, Some(1)));
        assert_eq!(call(&f, carol, "get_joined_group_list", json!({"Member_Account": "bob"})).0, 10007);
        let (_, joined) = call(
            &f,
            Actor::User("bob"),
            "get_joined_group_list",
            json!({
                "ResponseFilter": {"GroupBaseInfoFilter": ["Type", "Name"], "SelfInfoFilter": ["Role", "UnreadMsgNum"]}
            }),
        );
        let item = &joined["GroupIdList"][0];
        assert_eq!((item["Type"].as_str(), item["SelfInfo"]["Role"].as_str()), (Some("Public"), Some("Member")));
        assert_eq!(item["SelfInfo"]["UnreadMsgNum"].as_u64(), Some(1));
        assert_eq!(call(&f, carol, "get_group_member_info", json!({"GroupId": g})).0, 10007);
        assert_eq!(call(&f, carol, "group_msg_get_simple", json!({"GroupId": g, "ReqMsgNumber": 5})).0, 10007);
        // A user creates only groups it owns.
        let other = json!({"Type": "Public", "Name": "x", "Owner_Account": "bob"});
        assert_eq!(call(&f, carol, "create_group", other).0, 10007);
    }

    #[test]
    fn creation_refusals() {
        let f = face(&["alice"]);
        let app = Actor::App;
        let many: Vec<Value> = (0..101).map(|i| json!({"Member_Account": format!("u{i}")})).collect();
        for (body, code) in [
            (json!({"Type": "AVChatRoom", "Name": "x", "MemberList": [{"Member_Account": "alice"}]}), 10007),
            (json!({"Type": "Community", "Name": "x"}), 10004),
            (json!({"Type": "Nope", "Name": "x"}), 10004),
            (json!({"Type": "Public", "Name": "x".repeat(31)}), 10004),
            (json!({"Type": "Public", "Name": "x", "MemberList": many}), 10005),
            (json!({"Type": "Public", "Name": "x", "GroupId": "@TGS#mine"}), 10015),
            (json!({"Type": "Public", "Name": "x", "MaxMemberCount": 6001}), 10004),
            (
                json!({"Type": "Private", "Name": "x", "MemberList": [{"Member_Account": "alice", "Role": "Admin"}]}),
                10004,
            ),
            (json!({"Type": "Public", "Name": "x", "Owner_Account": "ghost"}), 10019),
        ] {
            assert_eq!(call(&f, app, "create_group", body.clone()).0, code, "{body}");
        }
        assert_eq!(call(&f, app, "create_group", json!({"Type": "Public", "Name": "x", "GroupId": "taken"})).0, 0);
        assert_eq!(call(&f, app, "create_group", json!({"Type": "Public", "Name": "y", "GroupId": "taken"})).0, 10021);
        assert!(answer(&f, app, "no_such_command", &serde_json::Map::new()).is_none());
    }
}
