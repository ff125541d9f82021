//! `NeteaseAdmin` against the emulator's NetEase face: every server API call
//! it makes, the neutral `Admin` on top, and what it refuses locally.

use futures::StreamExt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use unim_core::{
    Admin, Clock, ConnectionState, Credentials, Device, DisconnectReason, ErrorKind, Event, EventStream, ManualClock,
    Platform, PresenceStatus, Secret, Session, SessionOptions,
};
use unim_emulator::{DevicePolicy, Emulator, EmulatorConfig, LinkSignal};
use unim_netease::admin::{KickTarget, NeteaseAdmin, NeteaseAdminConfig, NewUser};
use unim_netease::link::ClientType;
use unim_netease::session::{NeteaseSession, NeteaseSessionConfig};
use unim_netease::sign::DynamicToken;

const T0: u64 = 1_700_000_000;

/// Fails the test instead of hanging when something never answers.
async fn within<F: Future>(f: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(30), f).await.expect("no answer within 30 s")
}

struct Setup {
    emulator: Emulator,
    clock: ManualClock,
    admin: NeteaseAdmin,
}

async fn setup() -> Setup {
    let clock = ManualClock::at_unix(T0);
    let emulator =
        within(Emulator::start(EmulatorConfig::netease().with_clock(Arc::new(clock.clone())))).await.expect("emulator");
    let admin = admin_with(&emulator, None, Arc::new(clock.clone()));
    Setup { emulator, clock, admin }
}

fn admin_with(emulator: &Emulator, secret: Option<&str>, clock: Arc<dyn Clock>) -> NeteaseAdmin {
    let ep = emulator.netease().expect("netease face");
    let config = NeteaseAdminConfig::new(&ep.rest_url, &ep.app_key, secret.unwrap_or(&ep.app_secret)).with_clock(clock);
    NeteaseAdmin::new(config).expect("admin")
}

/// A link of `accid` as the link face would attach it.
fn attach(s: &Setup, accid: &str, platform: Platform, id: &str) -> unim_emulator::AttachedLink {
    let policy = DevicePolicy { per_platform: 0, per_class: 0, total: 0, ..DevicePolicy::SINGLE_DEVICE };
    s.emulator.engine().attach(accid, Device::new(platform).with_id(id), policy)
}

/// A live session of `accid` (token `token`) on `platform` with deviceId `device_id`, Connected.
async fn online(
    s: &Setup,
    accid: &str,
    token: &Secret,
    platform: Platform,
    device_id: &str,
) -> (NeteaseSession, EventStream) {
    let ep = s.emulator.netease().expect("netease face");
    let config = NeteaseSessionConfig::new(&ep.lbs_url, &ep.app_key).on(platform).with_device_id(device_id);
    let options = SessionOptions { clock: Arc::new(s.clock.clone()), ..SessionOptions::default() };
    let session = NeteaseSession::new(config, options);
    let events = session.events();
    within(session.login(Credentials::token(accid, token.clone()))).await.expect("login");
    (session, events)
}

/// The reason of the next `Disconnected` on `events`.
async fn disconnected(events: &mut EventStream) -> DisconnectReason {
    loop {
        match within(events.next()).await {
            Some(Event::StateChanged { state: ConnectionState::Disconnected, reason: Some(why) }) => return why.reason,
            Some(_) => {}
            None => panic!("the session's events ended before it disconnected"),
        }
    }
}

async fn kicked(link: &mut unim_emulator::AttachedLink) -> DisconnectReason {
    match within(link.signals.recv()).await {
        Some(LinkSignal::Kicked { reason, .. }) => reason,
        other => panic!("expected a kick, got {other:?}"),
    }
}

#[tokio::test]
async fn create_user_uses_the_returned_accid() {
    let s = setup().await;
    let created = within(s.admin.create_user(&NewUser::new("Alice.W@home").with_name("Alice"))).await.unwrap();
    assert_eq!(created.accid, "alice.w@home");
    assert_eq!(created.token.expose().len(), 32);
    let own = within(s.admin.create_user(&NewUser::new("bob").with_token("bob-token"))).await.unwrap();
    assert_eq!(own.token.expose(), "bob-token");

    let dup = within(s.admin.create_user(&NewUser::new("ALICE.W@HOME"))).await.unwrap_err();
    assert_eq!(dup.kind, ErrorKind::AlreadyExists, "{dup}");
    assert_eq!(dup.vendor.as_ref().map(|v| v.code), Some(414));

    let infos = within(s.admin.user_infos(&["alice.w@home".into(), "nobody".into(), "BOB".into()])).await.unwrap();
    let names: Vec<(&str, Option<&str>)> = infos.iter().map(|u| (u.accid.as_str(), u.name.as_deref())).collect();
    assert_eq!(names, [("alice.w@home", Some("Alice")), ("bob", None)]);
    assert!(infos.iter().all(|u| u.valid));
}

#[tokio::test]
async fn bad_input_is_refused_before_sending() {
    let s = setup().await;
    for bad in ["a".repeat(33), String::new(), "with space".into()] {
        let e = within(s.admin.create_user(&NewUser::new(bad.clone()))).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidInput, "{bad:?}: {e}");
        assert!(e.vendor.is_none(), "refused locally: {e:?}");
    }
    let e = within(s.admin.create_user(&NewUser::new("ok").with_token("t".repeat(129)))).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    let e = within(s.admin.create_user(&NewUser::new("ok").with_name("n".repeat(65)))).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    let too_many: Vec<String> = (0..21).map(|i| format!("d{i}")).collect();
    let e = within(s.admin.kick("ok", KickTarget::Devices(too_many), None)).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    let e = within(s.admin.kick("ok", KickTarget::AllExcept(Vec::new()), None)).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    let e = within(s.admin.user_infos(&(0..201).map(|i| format!("u{i}")).collect::<Vec<_>>())).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    assert!(s.emulator.engine().account("ok").is_none(), "nothing reached the server");
}

#[tokio::test]
async fn tokens_update_and_refresh() {
    let s = setup().await;
    within(s.admin.create_user(&NewUser::new("carol").with_token("t1"))).await.unwrap();
    within(s.admin.update_token("Carol", &Secret::new("t2"))).await.unwrap();
    let a = within(s.admin.refresh_token("carol")).await.unwrap();
    let b = within(s.admin.refresh_token("carol")).await.unwrap();
    assert!(a.expose().len() == 32 && a != b && a.expose() != "t2");
    let e = within(s.admin.refresh_token("nobody")).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound, "{e}");
    let e = within(s.admin.update_token("nobody", &Secret::new("x"))).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound, "{e}");
}

#[tokio::test]
async fn block_with_kick_then_unblock() {
    let s = setup().await;
    within(s.admin.create_user(&NewUser::new("dave"))).await.unwrap();
    let mut link = attach(&s, "dave", Platform::Web, "tab");
    within(s.admin.block("DAVE", true, Some("policy"))).await.unwrap();
    assert_eq!(kicked(&mut link).await, DisconnectReason::Banned);
    let infos = within(s.admin.user_infos(&["dave".into()])).await.unwrap();
    assert!(!infos[0].valid, "{infos:?}");
    within(s.admin.unblock("dave")).await.unwrap();
    assert!(within(s.admin.user_infos(&["dave".into()])).await.unwrap()[0].valid);

    let link = attach(&s, "dave", Platform::Web, "tab2");
    within(s.admin.block("dave", false, None)).await.unwrap();
    assert!(s.emulator.engine().is_attached(link.id), "no kick without needkick");
    assert_eq!(within(s.admin.block("nobody", true, None)).await.unwrap_err().kind, ErrorKind::NotFound);
}

#[tokio::test]
async fn online_clients_and_presence() {
    let s = setup().await;
    within(s.admin.register_many(&["erin".into(), "frank".into()])).await.unwrap();
    let _web = attach(&s, "erin", Platform::Web, "w");
    s.clock.advance(Duration::from_secs(3));
    let _phone = attach(&s, "erin", Platform::Ios, "p");
    let asked = ["ERIN".to_string(), "frank".into(), "ghost".into()];
    let online = within(s.admin.online_clients(&asked)).await.unwrap();
    assert_eq!(online.invalid_accids, ["ghost"]);
    assert_eq!(online.accounts.len(), 2);
    let (accid, clients) = &online.accounts[0];
    assert_eq!(accid, "erin");
    let seen: Vec<(Option<ClientType>, i64)> = clients.iter().map(|c| (c.kind(), c.login_time_ms)).collect();
    assert_eq!(seen, [(Some(ClientType::Web), T0 as i64 * 1000), (Some(ClientType::Ios), (T0 as i64 + 3) * 1000)]);
    assert!(online.accounts[1].1.is_empty());

    let presence = within(Admin::online_status(&s.admin, &asked)).await.unwrap();
    assert_eq!(presence.len(), 2, "unknown accids are left out");
    assert_eq!((presence[0].user.as_str(), presence[0].status), ("erin", PresenceStatus::Online));
    let platforms: Vec<&Platform> = presence[0].devices.iter().map(|(d, _)| &d.platform).collect();
    assert_eq!(platforms, [&Platform::Web, &Platform::Ios]);
    assert_eq!((presence[1].user.as_str(), presence[1].status), ("frank", PresenceStatus::Offline));
}

#[tokio::test]
async fn v2_kick_targets_devices() {
    let s = setup().await;
    let hana = within(s.admin.create_user(&NewUser::new("hana"))).await.unwrap();
    // One desktop and one mobile may be online together (the default mode).
    let (_web, mut web_events) = online(&s, "hana", &hana.token, Platform::Web, "dev-web").await;
    let (_phone, mut phone_events) = online(&s, "hana", &hana.token, Platform::Android, "dev-phone").await;
    within(s.admin.kick("hana", KickTarget::Devices(vec!["dev-phone".into()]), Some("bye"))).await.unwrap();
    assert_eq!(disconnected(&mut phone_events).await, DisconnectReason::KickedByServer);
    let (_phone, mut phone_events) = online(&s, "hana", &hana.token, Platform::Ios, "dev-ios").await;
    within(s.admin.kick("HANA", KickTarget::AllExcept(vec!["dev-ios".into()]), None)).await.unwrap();
    assert_eq!(disconnected(&mut web_events).await, DisconnectReason::KickedByServer);
    assert_eq!(s.emulator.engine().links_of("hana").len(), 1);
    within(s.admin.kick("hana", KickTarget::AllDevices, None)).await.unwrap();
    assert_eq!(disconnected(&mut phone_events).await, DisconnectReason::KickedByServer);
    let e = within(s.admin.kick("nobody", KickTarget::AllDevices, None)).await.unwrap_err();
    assert_eq!((e.kind, e.vendor.map(|v| v.code)), (ErrorKind::NotFound, Some(102_404)));
}

#[tokio::test]
async fn neutral_admin() {
    let s = setup().await;
    let admin: &dyn Admin = &s.admin;
    assert_eq!(admin.vendor(), "netease");
    assert_eq!(admin.capabilities(), unim_netease::capabilities());
    within(admin.register("Ivan")).await.unwrap();
    within(admin.register("ivan")).await.expect("registering an existing account succeeds");
    let batch = within(admin.register_many(&["judy".into(), "bad id".into(), "ivan".into()])).await.unwrap();
    let results: Vec<Option<ErrorKind>> = batch.iter().map(|b| b.result.as_ref().err().map(|e| e.kind)).collect();
    assert_eq!(results, [None, Some(ErrorKind::InvalidInput), None]);
    let exists = within(admin.exists(&["IVAN".into(), "judy".into(), "nobody".into()])).await.unwrap();
    assert_eq!(exists, [("IVAN".into(), true), ("judy".into(), true), ("nobody".into(), false)]);

    let e = within(admin.delete(&["ivan".into()])).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unsupported);
    assert!(e.message.contains("cannot be deleted"), "{e}");

    let creds = within(admin.issue_credentials("Ivan", Duration::from_secs(600))).await.unwrap();
    let unim_core::Credentials::Token { user, token } = creds else { panic!("token credentials") };
    assert_eq!(user, "ivan");
    let ep = s.emulator.netease().unwrap();
    let parsed = DynamicToken::parse(token.expose()).unwrap();
    assert!(parsed.verify(&ep.app_key, "ivan", &ep.app_secret, T0 * 1000 + 599_000).is_ok());
    assert!(parsed.verify(&ep.app_key, "ivan", &ep.app_secret, T0 * 1000 + 601_000).is_err());
    assert_eq!(
        within(admin.issue_credentials("ivan", Duration::ZERO)).await.unwrap_err().kind,
        ErrorKind::InvalidInput
    );

    let token = within(s.admin.refresh_token("ivan")).await.unwrap();
    let (session, mut events) = online(&s, "ivan", &token, Platform::Web, "dev-w").await;
    within(admin.kick("ivan")).await.unwrap();
    assert_eq!(disconnected(&mut events).await, DisconnectReason::KickedByServer);
    // The neutral kick also retires the static token the user held.
    let e = within(session.login(Credentials::token("ivan", token))).await.unwrap_err();
    assert_eq!((e.kind, e.vendor.map(|v| v.code)), (ErrorKind::Unauthenticated, Some(302)));
    assert_eq!(within(admin.kick("nobody")).await.unwrap_err().kind, ErrorKind::NotFound);
}

#[tokio::test]
async fn bad_secret_or_stale_clock_is_unauthenticated() {
    let s = setup().await;
    let wrong = admin_with(&s.emulator, Some("000000000000"), Arc::new(s.clock.clone()));
    let e = within(wrong.create_user(&NewUser::new("kate"))).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unauthenticated, "{e}");
    let vendor = e.vendor.as_ref().expect("the vendor's code is kept");
    assert_eq!((vendor.code, vendor.message.as_str()), (414, "checksum"));

    let late = admin_with(&s.emulator, None, Arc::new(ManualClock::at_unix(T0 - 301)));
    let e = within(late.user_infos(&["kate".into()])).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unauthenticated, "{e}");
    assert_eq!(e.vendor.map(|v| v.message), Some("CurTime is expired".to_owned()));
    assert!(s.emulator.engine().account("kate").is_none());
}

#[tokio::test]
async fn injected_errors_map_to_neutral_kinds() {
    let s = setup().await;
    s.emulator.faults().inject_error(416, "frequency control", 1);
    let e = within(s.admin.create_user(&NewUser::new("lena"))).await.unwrap_err();
    assert!(matches!(e.kind, ErrorKind::RateLimited { .. }), "{e}");
    assert!(e.is_retryable());
}

#[tokio::test]
async fn debug_never_shows_the_secret() {
    let s = setup().await;
    let ep = s.emulator.netease().unwrap();
    let config = NeteaseAdminConfig::new(&ep.rest_url, &ep.app_key, ep.app_secret.as_str());
    let printed = format!("{config:?} {:?}", s.admin);
    assert!(!printed.contains(&ep.app_secret), "{printed}");
    assert!(printed.contains(&ep.app_key), "{printed}");
    let e = NeteaseAdmin::new(NeteaseAdminConfig::new("ftp://x", "k", "s")).unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
}
