//! `TencentAdmin` against the emulator's Tencent face: the documented REST
//! calls end to end, and every way the face refuses them.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use unim_core::{Admin, Clock, Device, ErrorKind, ManualClock, Platform, PresenceStatus, Secret};
use unim_emulator::{DevicePolicy, Emulator, EmulatorConfig};
use unim_tencent::admin::{TencentAdmin, TencentAdminConfig};
use unim_tencent::usersig::UserSigKey;

const T0: u64 = 1_700_000_000;

/// Fails the test instead of hanging when something never answers.
async fn within<F: Future>(f: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(30), f).await.expect("no answer within 30 s")
}

async fn emulator(clock: &ManualClock) -> Emulator {
    within(Emulator::start(EmulatorConfig::tencent().with_clock(Arc::new(clock.clone())))).await.expect("emulator")
}

/// The admin config the emulator's Tencent face prints, on `clock`.
fn config(emulator: &Emulator, clock: &ManualClock) -> TencentAdminConfig {
    let ep = emulator.tencent().expect("tencent face");
    TencentAdminConfig::new(ep.rest_url.clone(), ep.sdkappid, ep.secret_key.clone(), ep.admin.clone())
        .with_clock(Arc::new(clock.clone()))
}

fn ids(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn import_check_delete_round_trip() {
    let clock = ManualClock::at_unix(T0);
    let emu = emulator(&clock).await;
    let admin = TencentAdmin::new(config(&emu, &clock)).unwrap();

    within(admin.account_import("alice", Some("Alice"), Some("https://example.com/a.png"))).await.unwrap();
    within(admin.account_import("alice", None, None)).await.expect("re-import is idempotent");
    let acc = emu.engine().account("alice").unwrap();
    assert_eq!((acc.nick.as_deref(), acc.face_url.as_deref()), (Some("Alice"), Some("https://example.com/a.png")));

    let failed = within(admin.multiaccount_import(&ids(&["bob", "carol"]))).await.unwrap();
    assert!(failed.is_empty(), "{failed:?}");

    let checked = within(admin.account_check(&ids(&["carol", "ghost", "alice"]))).await.unwrap();
    assert_eq!(checked, vec![("carol".into(), true), ("ghost".into(), false), ("alice".into(), true)]);

    let deleted = within(admin.account_delete(&ids(&["bob", "ghost"]))).await.unwrap();
    assert_eq!(deleted[0].user, "bob");
    assert!(deleted[0].result.is_ok());
    let missing = deleted[1].result.as_ref().unwrap_err();
    assert_eq!(missing.kind, ErrorKind::NotFound);
    let vendor = missing.vendor.as_ref().unwrap();
    assert_eq!((vendor.code, vendor.message.as_str()), (70107, "Err_TLS_PT_Open_Login_Account_Not_Exist"));
    assert!(missing.message.contains("ghost"), "{}", missing.message);
    assert!(emu.engine().account("bob").is_none());
}

#[tokio::test]
async fn neutral_admin_trait_over_the_emulator() {
    let clock = ManualClock::at_unix(T0);
    let emu = emulator(&clock).await;
    let admin: Arc<dyn Admin> = Arc::new(TencentAdmin::new(config(&emu, &clock)).unwrap());
    assert_eq!(admin.vendor(), "tencent");

    within(admin.register("dave")).await.unwrap();
    let users: Vec<String> = (0..150).map(|i| format!("user{i}")).chain(["bad\nid".to_string()]).collect();
    let items = within(admin.register_many(&users)).await.unwrap();
    assert_eq!(items.len(), 151);
    assert!(items[..150].iter().all(|i| i.result.is_ok()));
    assert_eq!(items[150].result.as_ref().unwrap_err().kind, ErrorKind::InvalidInput);
    assert!(emu.engine().account("user149").is_some());

    let exists = within(admin.exists(&ids(&["dave", "user120", "nobody"]))).await.unwrap();
    assert_eq!(exists.iter().map(|(_, e)| *e).collect::<Vec<_>>(), [true, true, false]);

    let gone = within(admin.delete(&ids(&["dave", "nobody"]))).await.unwrap();
    assert!(gone[0].result.is_ok());
    assert_eq!(gone[1].result.as_ref().unwrap_err().kind, ErrorKind::NotFound);

    let creds = within(admin.issue_credentials("dave", Duration::from_secs(600))).await.unwrap();
    let ep = emu.tencent().unwrap();
    let decoded = UserSigKey::new(ep.sdkappid, &ep.secret_key).verify("dave", creds.secret().expose(), T0).unwrap();
    assert_eq!((decoded.time, decoded.expire), (T0, 600));
}

#[tokio::test]
async fn kick_ends_links_and_voids_earlier_usersigs() {
    let clock = ManualClock::at_unix(T0);
    let emu = emulator(&clock).await;
    let admin = TencentAdmin::new(config(&emu, &clock)).unwrap();
    within(admin.account_import("alice", None, None)).await.unwrap();
    let mut link = emu.engine().attach("alice", Device::new(Platform::Web).with_id("tab"), DevicePolicy::SINGLE_DEVICE);

    clock.advance(Duration::from_secs(1));
    within(admin.kick("alice")).await.unwrap();
    let signal = within(link.signals.recv()).await.expect("kick signal");
    assert!(
        matches!(signal, unim_emulator::LinkSignal::Kicked { reason: unim_core::DisconnectReason::KickedByServer, .. }),
        "{signal:?}"
    );
    assert!(emu.engine().is_revoked("alice", T0), "a UserSig issued before the kick is void");
    assert!(!emu.engine().is_revoked("alice", clock.unix_secs()), "one issued now works");

    let unknown = within(admin.kick("ghost")).await.unwrap_err();
    assert_eq!(unknown.kind, ErrorKind::NotFound);
    assert_eq!(unknown.vendor.unwrap().code, 70107);
}

#[tokio::test]
async fn online_status_with_device_detail() {
    let clock = ManualClock::at_unix(T0);
    let emu = emulator(&clock).await;
    let admin = TencentAdmin::new(config(&emu, &clock)).unwrap();
    within(admin.multiaccount_import(&ids(&["alice", "bob"]))).await.unwrap();
    let _link = emu.engine().attach("alice", Device::new(Platform::Web).with_id("tab"), DevicePolicy::SINGLE_DEVICE);

    let status = within(admin.query_online_status(&ids(&["bob", "ghost", "alice"]), true)).await.unwrap();
    assert_eq!(status.len(), 2, "unknown accounts are left out: {status:?}");
    assert_eq!((status[0].user.as_str(), status[0].status), ("bob", PresenceStatus::Offline));
    assert!(status[0].devices.is_empty());
    assert_eq!((status[1].user.as_str(), status[1].status), ("alice", PresenceStatus::Online));
    assert_eq!(status[1].devices, vec![(Device::new(Platform::Web), PresenceStatus::Online)]);

    let brief = within(admin.query_online_status(&ids(&["alice"]), false)).await.unwrap();
    assert!(brief[0].devices.is_empty());

    // Tencent fails the whole call when every account failed; that is still "nobody known".
    let none = within(admin.query_online_status(&ids(&["ghost"]), true)).await.unwrap();
    assert!(none.is_empty());

    let neutral = within(Admin::online_status(&admin, &ids(&["alice"]))).await.unwrap();
    assert_eq!(neutral[0].devices.len(), 1);
}

#[tokio::test]
async fn a_wrong_secret_key_is_unauthenticated_70009() {
    let clock = ManualClock::at_unix(T0);
    let emu = emulator(&clock).await;
    let mut cfg = config(&emu, &clock);
    cfg.secret_key = Secret::new("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    let admin = TencentAdmin::new(cfg).unwrap();
    let e = within(admin.account_import("alice", None, None)).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unauthenticated);
    assert_eq!(e.vendor.as_ref().unwrap().code, 70009);
    let printed = format!("{e} {e:?}");
    assert!(!printed.contains("0123456789abcdef"), "{printed}");
}

#[tokio::test]
async fn an_expired_admin_usersig_is_credential_expired_70001() {
    // The admin's clock lags the service's by more than the admin UserSig's
    // one-day lifetime: every UserSig it signs is already expired there.
    let service_clock = ManualClock::at_unix(T0);
    let emu = emulator(&service_clock).await;
    let admin_clock = ManualClock::at_unix(T0);
    let admin = TencentAdmin::new(config(&emu, &admin_clock)).unwrap();
    within(admin.account_import("alice", None, None)).await.unwrap();

    service_clock.advance(Duration::from_secs(2 * 86_400));
    let e = within(admin.account_check(&ids(&["alice"]))).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::CredentialExpired);
    assert_eq!(e.vendor.unwrap().code, 70001);

    // Once the clocks agree again, the admin signs a fresh UserSig by itself.
    admin_clock.advance(Duration::from_secs(2 * 86_400));
    assert_eq!(within(admin.account_check(&ids(&["alice"]))).await.unwrap(), vec![("alice".into(), true)]);
}

#[tokio::test]
async fn the_admin_usersig_is_renewed_as_time_passes() {
    let clock = ManualClock::at_unix(T0);
    let emu = emulator(&clock).await;
    let admin = TencentAdmin::new(config(&emu, &clock)).unwrap();
    for _ in 0..4 {
        within(admin.account_import("alice", None, None)).await.unwrap();
        clock.advance(Duration::from_secs(40_000));
    }
}

#[tokio::test]
async fn a_non_admin_identifier_is_permission_denied() {
    let clock = ManualClock::at_unix(T0);
    let emu = emulator(&clock).await;
    let mut cfg = config(&emu, &clock);
    cfg.admin = "alice".into();
    let admin = TencentAdmin::new(cfg).unwrap();
    let e = within(admin.account_import("bob", None, None)).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::PermissionDenied);
    assert_eq!(e.vendor.unwrap().code, 60010);
}

#[tokio::test]
async fn an_injected_error_surfaces_with_its_code() {
    let clock = ManualClock::at_unix(T0);
    let emu = emulator(&clock).await;
    let admin = TencentAdmin::new(config(&emu, &clock)).unwrap();
    emu.faults().inject_error(70169, "server timeout", 1);
    emu.faults().inject_error(60007, "REST API call frequency limit exceeded", 1);
    let first = within(admin.kick("alice")).await.unwrap_err();
    assert_eq!(first.kind, ErrorKind::Timeout);
    assert_eq!(first.vendor.as_ref().unwrap().code, 70169);
    assert_eq!(first.vendor.as_ref().unwrap().message, "server timeout");
    let second = within(admin.account_import("alice", None, None)).await.unwrap_err();
    assert_eq!(second.kind, ErrorKind::RateLimited { retry_after: None });
    assert!(second.is_retryable());
    within(admin.account_import("alice", None, None)).await.expect("faults used up");
}

#[tokio::test]
async fn invalid_user_ids_are_refused_before_any_request() {
    let clock = ManualClock::at_unix(T0);
    let emu = emulator(&clock).await;
    let admin = TencentAdmin::new(config(&emu, &clock)).unwrap();
    // The next request that reaches the face takes this error; refused calls must not.
    emu.faults().inject_error(70500, "internal error", 1);

    let too_long = "x".repeat(33);
    let e = within(admin.account_import(&too_long, None, None)).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    assert!(e.message.contains("33 bytes") && e.vendor.is_none(), "{e}");
    for bad in ["", "tab\there", "naïve"] {
        assert_eq!(within(admin.kick(bad)).await.unwrap_err().kind, ErrorKind::InvalidInput, "{bad:?}");
        let batch = vec!["fine".to_string(), bad.to_string()];
        assert_eq!(within(admin.account_check(&batch)).await.unwrap_err().kind, ErrorKind::InvalidInput);
        assert_eq!(within(admin.multiaccount_import(&batch)).await.unwrap_err().kind, ErrorKind::InvalidInput);
        assert_eq!(within(admin.query_online_status(&batch, true)).await.unwrap_err().kind, ErrorKind::InvalidInput);
    }
    let too_many: Vec<String> = (0..101).map(|i| format!("u{i}")).collect();
    assert_eq!(within(admin.account_delete(&too_many)).await.unwrap_err().kind, ErrorKind::InvalidInput);

    let reached = within(admin.account_import("alice", None, None)).await.unwrap_err();
    assert_eq!(reached.vendor.unwrap().code, 70500, "the injected error was still waiting");
    assert_eq!(reached.kind, ErrorKind::Unavailable);
}

#[tokio::test]
async fn an_http_error_status_is_unavailable() {
    let clock = ManualClock::at_unix(T0);
    let emu = emulator(&clock).await;
    let mut cfg = config(&emu, &clock);
    cfg.rest_url = format!("{}/not-the-api/", cfg.rest_url);
    let admin = TencentAdmin::new(cfg).unwrap();
    let e = within(admin.kick("alice")).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unavailable);
    assert!(e.message.contains("HTTP 404"), "{e}");
    assert!(!e.message.contains("usersig"), "{e}");
}

#[tokio::test]
async fn an_unreachable_service_is_unavailable() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let clock = ManualClock::at_unix(T0);
    let cfg = TencentAdminConfig::new(format!("http://127.0.0.1:{port}"), 1_400_000_001, "key", "administrator")
        .with_clock(Arc::new(clock));
    let admin = TencentAdmin::new(cfg).unwrap();
    let e = within(admin.account_import("alice", None, None)).await.unwrap_err();
    assert!(e.is_retryable(), "{e}");
    assert!(!e.message.contains("usersig"), "{e}");
}
