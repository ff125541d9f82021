//! `EasemobAdmin` against the emulator's Easemob face: the documented REST
//! calls end to end, the app token's own renewal on a shared manual clock,
//! rate-limit retries, and every way the face refuses.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use unim_core::{
    Admin, CredentialKind, CredentialLifetime, Device, DisconnectReason, ErrorKind, ManualClock, Platform,
    PresenceStatus, Secret,
};
use unim_easemob::admin::{EasemobAdmin, EasemobAdminConfig, NewUser};
use unim_easemob::rest::types::OnlineStatus;
use unim_easemob::rest::RetryPolicy;
use unim_emulator::{Emulator, EmulatorConfig, LinkSignal};

const T0: u64 = 1_700_000_000;

/// Fails the test instead of hanging when something never answers.
async fn within<F: Future>(f: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(30), f).await.expect("no answer within 30 s")
}

async fn emulator(clock: &ManualClock) -> Emulator {
    within(Emulator::start(EmulatorConfig::easemob().with_clock(Arc::new(clock.clone())))).await.expect("emulator")
}

/// The admin config the emulator's Easemob face prints, on `clock`.
fn config(emulator: &Emulator, clock: &ManualClock) -> EasemobAdminConfig {
    let ep = emulator.easemob().expect("easemob face");
    EasemobAdminConfig::new(ep.rest_url.clone(), ep.app_key.clone(), ep.client_id.clone(), ep.client_secret.clone())
        .with_clock(Arc::new(clock.clone()))
}

fn ids(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn pw(p: &str) -> Secret {
    Secret::new(p)
}

fn web(id: &str) -> Device {
    Device::new(Platform::Web).with_id(id)
}

#[tokio::test]
async fn token_grants() {
    let clock = ManualClock::at_unix(T0);
    let emu = emulator(&clock).await;
    let admin = EasemobAdmin::new(config(&emu, &clock)).unwrap();

    let app = within(admin.app_token(Some(Duration::from_secs(600)))).await.unwrap();
    assert_eq!((app.expires_in, app.issued_at), (600, T0));
    assert_eq!(app.lifetime(), Some(CredentialLifetime { issued_at: T0, expires_at: T0 + 600 }));
    assert!(app.application.is_some() && app.user.is_none());
    let forever = within(admin.app_token(Some(Duration::ZERO))).await.unwrap();
    assert_eq!((forever.expires_in, forever.lifetime()), (0, None));

    within(admin.register("Alice", &pw("s3cret-pw"), None)).await.unwrap();
    let by_password =
        within(admin.user_token_password("ALICE", &pw("s3cret-pw"), Some(Duration::from_secs(60)))).await.unwrap();
    assert_eq!((by_password.username(), by_password.expires_in), (Some("alice"), 60));
    assert_ne!(by_password.access_token, app.access_token);

    let wrong = within(admin.user_token_password("alice", &pw("nope-nope"), None)).await.unwrap_err();
    assert_eq!(wrong.kind, ErrorKind::Unauthenticated);
    let v = wrong.vendor.as_ref().unwrap();
    assert_eq!((v.code, v.name.as_deref(), v.message.as_str()), (400, Some("invalid_grant"), "invalid password"));
    assert!(wrong.message.contains("alice"), "{wrong}");
    assert!(!format!("{wrong} {wrong:?}").contains("nope-nope"));

    let unknown = within(admin.user_token_password("ghost", &pw("x"), None)).await.unwrap_err();
    assert_eq!(unknown.kind, ErrorKind::NotFound);

    let inherit = within(admin.user_token_inherit("alice", None, false)).await.unwrap();
    assert_eq!((inherit.username(), inherit.expires_in), (Some("alice"), 60 * 86_400));
    let missing = within(admin.user_token_inherit("newbie", None, false)).await.unwrap_err();
    assert_eq!(missing.kind, ErrorKind::NotFound);
    let created = within(admin.user_token_inherit("Newbie", Some(Duration::from_secs(30)), true)).await.unwrap();
    assert_eq!(created.username(), Some("newbie"));
    assert!(emu.engine().account("newbie").is_some());
}

#[tokio::test]
async fn register_get_change_password_delete() {
    let clock = ManualClock::at_unix(T0);
    let emu = emulator(&clock).await;
    let admin = EasemobAdmin::new(config(&emu, &clock)).unwrap();

    let alice = within(admin.register("Alice", &pw("one-pw"), Some("Al"))).await.unwrap();
    assert_eq!((alice.username.as_str(), alice.nickname.as_deref(), alice.activated), ("alice", Some("Al"), true));
    assert_eq!(alice.created, (T0 * 1000) as i64);
    let again = within(admin.register("alice", &pw("other"), None)).await.unwrap_err();
    assert_eq!(again.kind, ErrorKind::AlreadyExists);
    assert_eq!(again.vendor.unwrap().name.as_deref(), Some("duplicate_unique_property_exists"));
    assert_eq!(within(admin.get_user("ALICE")).await.unwrap().uuid, alice.uuid);

    let mut link = emu.engine().attach("alice", web("tab"), unim_emulator::easemob::DEFAULT_POLICY);
    within(admin.change_password("alice", &pw("two-pw"))).await.unwrap();
    assert!(matches!(
        within(link.signals.recv()).await,
        Some(LinkSignal::Kicked { reason: DisconnectReason::PasswordChanged, .. })
    ));
    assert_eq!(
        within(admin.user_token_password("alice", &pw("one-pw"), None)).await.unwrap_err().kind,
        ErrorKind::Unauthenticated
    );
    within(admin.user_token_password("alice", &pw("two-pw"), None)).await.unwrap();
    let e = within(admin.change_password("ghost", &pw("x"))).await.unwrap_err();
    assert_eq!((e.kind, e.vendor.unwrap().name.as_deref()), (ErrorKind::NotFound, Some("entity_not_found")));

    let mut link = emu.engine().attach("alice", web("tab"), unim_emulator::easemob::DEFAULT_POLICY);
    let deleted = within(admin.delete_user("alice")).await.unwrap();
    assert_eq!((deleted.username.as_str(), deleted.activated), ("alice", false));
    assert!(matches!(
        within(link.signals.recv()).await,
        Some(LinkSignal::Kicked { reason: DisconnectReason::AccountRemoved, .. })
    ));
    let gone = within(admin.get_user("alice")).await.unwrap_err();
    assert_eq!(gone.kind, ErrorKind::NotFound);
    assert_eq!(gone.vendor.unwrap().name.as_deref(), Some("service_resource_not_found"));
    assert_eq!(within(admin.delete_user("alice")).await.unwrap_err().kind, ErrorKind::NotFound);

    for u in ["carol", "dave", "erin"] {
        within(admin.register(u, &pw("p"), None)).await.unwrap();
    }
    let page = within(admin.list_users(2, None)).await.unwrap();
    assert_eq!(page.users.iter().map(|u| u.username.as_str()).collect::<Vec<_>>(), ["carol", "dave"]);
    let last = within(admin.list_users(2, page.cursor.as_deref())).await.unwrap();
    assert_eq!(last.users.iter().map(|u| u.username.as_str()).collect::<Vec<_>>(), ["erin"]);
    assert_eq!(last.cursor, None);
}

#[tokio::test]
async fn batch_registration_and_its_limit() {
    let clock = ManualClock::at_unix(T0);
    let emu = emulator(&clock).await;
    let admin = EasemobAdmin::new(config(&emu, &clock)).unwrap();

    let sixty: Vec<NewUser> = (0..60).map(|i| NewUser::new(format!("u{i}"), "pw")).collect();
    let report = within(admin.register_many(&sixty)).await.unwrap();
    assert_eq!((report.created.len(), report.failed.len()), (60, 0));
    let mut sixty_one = sixty.clone();
    sixty_one.push(NewUser::new("u60", "pw"));
    assert_eq!(within(admin.register_many(&sixty_one)).await.unwrap_err().kind, ErrorKind::InvalidInput);

    let mixed = vec![NewUser::new("u1", "pw"), NewUser::new("v1", "pw").with_nickname("V")];
    let report = within(admin.register_many(&mixed)).await.unwrap();
    assert_eq!(report.created.iter().map(|u| u.username.as_str()).collect::<Vec<_>>(), ["v1"]);
    assert_eq!(report.failed[0].username, "u1");
    assert_eq!(report.failed[0].reason, "the u1 already exists");
    let all_exist = within(admin.register_many(&mixed)).await.unwrap_err();
    assert_eq!(all_exist.kind, ErrorKind::AlreadyExists);

    // The neutral batch: chunks of 60, existing users are fine, the same user
    // twice is registered once, invalid ids get their own item.
    let mut users: Vec<String> = (0..130).map(|i| format!("n{i}")).collect();
    users.extend(ids(&["u5", "N7", "bad id"]));
    let items = within(Admin::register_many(&admin, &users)).await.unwrap();
    assert_eq!(items.len(), 133);
    assert!(items[..132].iter().all(|i| i.result.is_ok()), "{:?}", items.iter().find(|i| i.result.is_err()));
    assert_eq!(items[132].result.as_ref().unwrap_err().kind, ErrorKind::InvalidInput);
    assert!(emu.engine().account("n129").is_some());
    // All of them existing already is fine too.
    let again = within(Admin::register_many(&admin, &ids(&["n1", "n2"]))).await.unwrap();
    assert!(again.iter().all(|i| i.result.is_ok()));
}

#[tokio::test]
async fn status_resources_and_disconnect() {
    let clock = ManualClock::at_unix(T0);
    let emu = emulator(&clock).await;
    let admin = EasemobAdmin::new(config(&emu, &clock)).unwrap();
    for u in ["alice", "bob"] {
        within(admin.register(u, &pw("pw"), None)).await.unwrap();
    }
    assert_eq!(within(admin.status("alice")).await.unwrap(), OnlineStatus::Offline);
    assert!(within(admin.resources("alice")).await.unwrap().is_empty());

    let policy = unim_emulator::easemob::DEFAULT_POLICY;
    let engine = emu.engine();
    let mut tab = engine.attach("alice", web("tab-1"), policy);
    let mut phone = engine.attach(
        "alice",
        Device { name: Some("Pixel".into()), ..Device::new(Platform::Android).with_id("42") },
        policy,
    );
    assert_eq!(within(admin.status("Alice")).await.unwrap(), OnlineStatus::Online);
    let batch = within(admin.batch_status(&ids(&["bob", "ALICE", "ghost"]))).await.unwrap();
    assert_eq!(
        batch,
        vec![
            ("bob".into(), OnlineStatus::Offline),
            ("alice".into(), OnlineStatus::Online),
            ("ghost".into(), OnlineStatus::Offline)
        ]
    );
    let res = within(admin.resources("alice")).await.unwrap();
    assert_eq!(res.iter().map(|r| r.res.as_str()).collect::<Vec<_>>(), ["tab-1", "42"]);
    assert_eq!(res[1].device_name, "Pixel");

    let presence = within(Admin::online_status(&admin, &ids(&["alice", "bob"]))).await.unwrap();
    assert_eq!((presence[0].user.as_str(), presence[0].status), ("alice", PresenceStatus::Online));
    let devices: Vec<(Platform, Option<&str>)> =
        presence[0].devices.iter().map(|(d, _)| (d.platform.clone(), d.id.as_deref())).collect();
    // `res` is each device's resource as given (no platform prefix), so the
    // platform read from it is only what the resource itself says.
    assert_eq!(devices, [(Platform::Other("tab-1".into()), Some("tab-1")), (Platform::Other("42".into()), Some("42"))]);
    assert_eq!((presence[1].status, presence[1].devices.len()), (PresenceStatus::Offline, 0));

    assert!(within(admin.disconnect_device("alice", "web_tab-1")).await.unwrap());
    assert!(matches!(
        within(tab.signals.recv()).await,
        Some(LinkSignal::Kicked { reason: DisconnectReason::KickedByServer, .. })
    ));
    assert!(!within(admin.disconnect_device("alice", "web_tab-1")).await.unwrap(), "already gone");
    assert!(within(admin.disconnect("alice")).await.unwrap());
    assert!(matches!(
        within(phone.signals.recv()).await,
        Some(LinkSignal::Kicked { reason: DisconnectReason::KickedByServer, .. })
    ));
    assert_eq!(within(admin.status("alice")).await.unwrap(), OnlineStatus::Offline);

    let _again = engine.attach("bob", web("b"), policy);
    within(Admin::kick(&admin, "bob")).await.unwrap();
    assert!(engine.links_of("bob").is_empty());
    assert_eq!(within(Admin::kick(&admin, "ghost")).await.unwrap_err().kind, ErrorKind::NotFound);
}

#[tokio::test]
async fn deactivate_and_activate() {
    let clock = ManualClock::at_unix(T0);
    let emu = emulator(&clock).await;
    let admin = EasemobAdmin::new(config(&emu, &clock)).unwrap();
    within(admin.register("alice", &pw("pw"), None)).await.unwrap();
    let mut link = emu.engine().attach("alice", web("tab"), unim_emulator::easemob::DEFAULT_POLICY);

    let banned = within(admin.deactivate("alice")).await.unwrap();
    assert!(!banned.activated);
    assert!(matches!(
        within(link.signals.recv()).await,
        Some(LinkSignal::Kicked { reason: DisconnectReason::Banned, .. })
    ));
    for e in [
        within(admin.user_token_password("alice", &pw("pw"), None)).await.unwrap_err(),
        within(admin.user_token_inherit("alice", None, false)).await.unwrap_err(),
        within(admin.issue_credentials("alice", Duration::from_secs(60))).await.unwrap_err(),
    ] {
        assert_eq!(e.kind, ErrorKind::PermissionDenied, "{e}");
        assert_eq!(e.vendor.unwrap().message, "user not activated");
    }
    within(admin.activate("alice")).await.unwrap();
    assert!(within(admin.get_user("alice")).await.unwrap().activated);
    within(admin.user_token_password("alice", &pw("pw"), None)).await.unwrap();
    assert_eq!(within(admin.deactivate("ghost")).await.unwrap_err().kind, ErrorKind::NotFound);
}

#[tokio::test]
async fn the_app_token_is_cached_and_renewed_on_the_clock() {
    let clock = ManualClock::at_unix(T0);
    let emu = emulator(&clock).await;
    let admin = EasemobAdmin::new(config(&emu, &clock).with_app_token_ttl(Some(Duration::from_secs(600)))).unwrap();
    let first = within(admin.rest().app_token()).await.unwrap();
    clock.advance(Duration::from_secs(299));
    assert_eq!(within(admin.rest().app_token()).await.unwrap(), first, "cached for half its life");
    clock.advance(Duration::from_secs(1));
    let second = within(admin.rest().app_token()).await.unwrap();
    assert_ne!(second, first, "renewed at half-life, before it expires");

    // Past the whole lifetime of every token seen so far: calls just work.
    within(admin.register("alice", &pw("pw"), None)).await.unwrap();
    for _ in 0..3 {
        clock.advance(Duration::from_secs(601));
        within(admin.get_user("alice")).await.unwrap();
    }
}

#[tokio::test]
async fn an_app_token_the_service_calls_expired_is_renewed_once() {
    // The admin's clock lags the service's by more than the app token's
    // lifetime: the service answers 401 unauthorized (expired), and the admin
    // gets a new token and retries by itself.
    let service_clock = ManualClock::at_unix(T0);
    let emu = emulator(&service_clock).await;
    let admin_clock = ManualClock::at_unix(T0);
    let admin =
        EasemobAdmin::new(config(&emu, &admin_clock).with_app_token_ttl(Some(Duration::from_secs(600)))).unwrap();
    within(admin.register("alice", &pw("pw"), None)).await.unwrap();
    service_clock.advance(Duration::from_secs(3600));
    within(admin.get_user("alice")).await.expect("renewed after the 401");
}

#[tokio::test]
async fn rate_limits_are_retried_on_the_clock() {
    let clock = ManualClock::at_unix(T0);
    let emu = emulator(&clock).await;
    let no_wait = RetryPolicy { max_retries: 2, first_delay: Duration::ZERO, max_delay: Duration::ZERO };
    let admin = EasemobAdmin::new(config(&emu, &clock).with_retry(no_wait)).unwrap();
    within(admin.register("alice", &pw("pw"), None)).await.unwrap();

    emu.faults().inject_error(429, "reach_limit: This request has reached api limit", 2);
    within(admin.get_user("alice")).await.expect("third attempt goes through");

    emu.faults().inject_error(429, "reach_limit: This request has reached api limit", 3);
    let e = within(admin.get_user("alice")).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::RateLimited { retry_after: None });
    assert!(e.is_retryable());

    // The plan quota is not a rate: no retry (the second injected error is still waiting).
    emu.faults().inject_error(429, "resource_limited: You have exceeded the limit of the community edition", 2);
    let e = within(admin.register("bob", &pw("pw"), None)).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::PermissionDenied);
    assert_eq!(within(admin.get_user("alice")).await.unwrap_err().kind, ErrorKind::PermissionDenied);
    within(admin.get_user("alice")).await.unwrap();

    // With the default policy the wait is on the clock: the call is parked until it moves.
    let admin = Arc::new(EasemobAdmin::new(config(&emu, &clock)).unwrap());
    within(admin.get_user("alice")).await.unwrap();
    emu.faults().inject_error(429, "reach_limit: This request has reached api limit", 1);
    let call = tokio::spawn({
        let admin = Arc::clone(&admin);
        async move { admin.get_user("alice").await }
    });
    let mut turns = 0;
    while !call.is_finished() {
        clock.advance(Duration::from_millis(250));
        tokio::task::yield_now().await;
        turns += 1;
        assert!(turns < 1_000_000, "the retry never ran");
    }
    within(call).await.unwrap().expect("retried after the backoff");
}

#[tokio::test]
async fn neutral_admin_trait_over_the_emulator() {
    let clock = ManualClock::at_unix(T0);
    let emu = emulator(&clock).await;
    let admin: Arc<dyn Admin> = Arc::new(EasemobAdmin::new(config(&emu, &clock)).unwrap());
    assert_eq!(admin.vendor(), "easemob");
    assert!(!admin.capabilities().admin_kick);

    within(admin.register("Dave")).await.unwrap();
    within(admin.register("dave")).await.expect("registering an existing user succeeds");
    let exists = within(admin.exists(&ids(&["DAVE", "nobody"]))).await.unwrap();
    assert_eq!(exists, vec![("DAVE".into(), true), ("nobody".into(), false)]);

    let creds = within(admin.issue_credentials("Dave", Duration::from_secs(600))).await.unwrap();
    assert_eq!((creds.kind(), creds.user()), (CredentialKind::Token, "dave"));
    assert!(!creds.secret().is_empty());
    assert!(!format!("{creds:?} {creds}").contains(creds.secret().expose()));
    assert_eq!(
        within(admin.issue_credentials("nobody", Duration::from_secs(600))).await.unwrap_err().kind,
        ErrorKind::NotFound
    );

    let gone = within(admin.delete(&ids(&["dave", "nobody", "not valid"]))).await.unwrap();
    assert!(gone[0].result.is_ok());
    assert_eq!(gone[1].result.as_ref().unwrap_err().kind, ErrorKind::NotFound);
    assert_eq!(gone[2].result.as_ref().unwrap_err().kind, ErrorKind::InvalidInput);
    assert!(emu.engine().account("dave").is_none());
}

#[tokio::test]
async fn invalid_input_is_refused_before_any_request() {
    let clock = ManualClock::at_unix(T0);
    let emu = emulator(&clock).await;
    let admin = EasemobAdmin::new(config(&emu, &clock)).unwrap();
    within(admin.register("alice", &pw("pw"), None)).await.unwrap();
    // The next request that reaches the face takes this error; refused calls must not.
    emu.faults().inject_error(500, "web_application: internal error", 1);

    let too_long = "x".repeat(65);
    let e = within(admin.get_user(&too_long)).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    assert!(e.message.contains("65 bytes") && e.vendor.is_none(), "{e}");
    for bad in ["", "tab\there", "naïve", "a/b"] {
        assert_eq!(within(admin.disconnect(bad)).await.unwrap_err().kind, ErrorKind::InvalidInput, "{bad:?}");
        assert_eq!(within(admin.batch_status(&ids(&["fine", bad]))).await.unwrap_err().kind, ErrorKind::InvalidInput);
        let batch = [NewUser::new("fine", "pw"), NewUser::new(bad, "pw")];
        assert_eq!(within(admin.register_many(&batch)).await.unwrap_err().kind, ErrorKind::InvalidInput);
    }
    let reached = within(admin.get_user("alice")).await.unwrap_err();
    assert_eq!(
        (reached.kind, reached.vendor.unwrap().code),
        (ErrorKind::Unavailable, 500),
        "the injected error was still waiting"
    );
}

#[tokio::test]
async fn wrong_client_credentials_never_leak() {
    let clock = ManualClock::at_unix(T0);
    let emu = emulator(&clock).await;
    let mut cfg = config(&emu, &clock);
    cfg.client_secret = Secret::new("YXA6-not-the-secret");
    let admin = EasemobAdmin::new(cfg).unwrap();
    let e = within(admin.get_user("alice")).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unauthenticated);
    let v = e.vendor.as_ref().unwrap();
    assert_eq!(
        (v.code, v.name.as_deref(), v.message.as_str()),
        (400, Some("invalid_grant"), "client_secret does not match")
    );
    let printed = format!("{e} {e:?} {admin:?}");
    assert!(!printed.contains("not-the-secret"), "{printed}");

    let mut cfg = config(&emu, &clock);
    cfg.app_key = "unim#other".into();
    let e = within(EasemobAdmin::new(cfg).unwrap().get_user("alice")).await.unwrap_err();
    assert_eq!(
        (e.kind, e.vendor.unwrap().name.as_deref()),
        (ErrorKind::NotFound, Some("organization_application_not_found"))
    );
}

#[tokio::test]
async fn an_unreachable_service_is_unavailable() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let cfg = EasemobAdminConfig::new(format!("http://127.0.0.1:{port}"), "unim#demo", "YXA6id", "YXA6secret")
        .with_clock(Arc::new(ManualClock::at_unix(T0)));
    let e = within(EasemobAdmin::new(cfg).unwrap().get_user("alice")).await.unwrap_err();
    assert!(e.is_retryable(), "{e}");
    assert!(!e.message.contains("YXA6secret"), "{e}");
}
