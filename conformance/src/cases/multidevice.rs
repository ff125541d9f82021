//! Several devices of one user: what the admin sees, the vendor's default
//! multi-device policy (which device a new login pushes out), driven by the
//! limits the adapter claims (per platform, per device class, in all), and a
//! device kicking the user's other devices.

use super::{
    exactly_one_disconnect, expect_presence, log_in, same_platform_limit, wait_other_devices, wait_presence, Online,
};
use crate::case::{case_fn, require, Case};
use crate::expect::{ensure, expect_state, expect_status, Failure, ResultExt, StateChange};
use crate::harness::{Harness, SessionSetup};
use unim_core::{
    Capabilities, ConnectionState, Device, DeviceClass, DisconnectReason, LoginStatus, Platform, PresenceStatus,
};

/// `multidevice.list`.
pub fn list() -> Case {
    Case {
        name: "multidevice.list",
        about: "the admin sees a logged-in user Online on the session's platform, and Offline after logout",
        needs: |c| require(c.admin_online_status, "admin_online_status"),
        run: case_fn!(multidevice_list),
    }
}

/// `multidevice.policy`.
pub fn policy() -> Case {
    Case {
        name: "multidevice.policy",
        about: "one login beyond the claimed device limit pushes out exactly the oldest device; the others stay",
        needs: |c| require(same_platform_limit(c).is_some(), "a device limit (devices_per_platform or devices_total)"),
        run: case_fn!(multidevice_policy),
    }
}

/// `multidevice.kick_own_device`.
pub fn kick_own_device() -> Case {
    Case {
        name: "multidevice.kick_own_device",
        about: "a device lists and kicks another device of its user: that one ends once with KickedByOwnDevice, \
                no reconnect; the kicker stays and no longer lists it",
        needs: |c| {
            require(c.list_own_devices, "list_own_devices")?;
            require(c.kick_own_device, "kick_own_device")
        },
        run: case_fn!(multidevice_kick_own_device),
    }
}

/// `multidevice.kick_all`.
pub fn kick_all() -> Case {
    Case {
        name: "multidevice.kick_all",
        about: "a device kicks all the user's other devices (two where the limits allow, else one): each ends once \
                with KickedByOwnDevice; the kicker stays",
        needs: |c| require(c.kick_own_device, "kick_own_device"),
        run: case_fn!(multidevice_kick_all),
    }
}

/// `multidevice.mixed_platforms`.
pub fn mixed_platforms() -> Case {
    Case {
        name: "multidevice.mixed_platforms",
        about: "a desktop and a mobile device of one user stay online together; one more mobile login pushes out the \
                oldest mobile once with KickedByOtherLogin by a mobile device, and the desktop stays",
        needs: |c| {
            require(c.devices_per_class >= 1, "devices_per_class")?;
            require(
                c.devices_total == 0 || c.devices_total > c.devices_per_class,
                "devices_total above devices_per_class (room for a desktop beside the mobiles)",
            )
        },
        run: case_fn!(multidevice_mixed_platforms),
    }
}

/// The reasons a device pushed out by a newer login may be given.
const EVICTED: [DisconnectReason; 2] = [DisconnectReason::KickedByOtherLogin, DisconnectReason::TooManyDevices];

/// A platform other than `p` that the harness can open sessions on; where
/// the vendor limits devices per class, one of another class if there is one.
fn another_platform(h: &dyn Harness, c: &Capabilities, p: &Platform) -> Option<Platform> {
    let others: Vec<Platform> = h.platforms().into_iter().filter(|q| q != p).collect();
    let other_class = others.iter().find(|q| q.class() != p.class()).cloned();
    match (c.devices_per_class, other_class) {
        (0, _) | (_, None) => others.into_iter().next(),
        (_, Some(q)) => Some(q),
    }
}

/// True when the per-class limit (if any) leaves room for one more device on
/// `q` beside devices already online on the platforms `online`.
fn class_has_room(c: &Capabilities, online: &[Platform], q: &Platform) -> bool {
    let same = online.iter().filter(|p| p.class() == q.class()).count() as u32;
    c.devices_per_class == 0 || q.class() == DeviceClass::Other || same < c.devices_per_class
}

/// A platform on which a second device of the user can be online beside one
/// on `first`, if the policy allows two devices at all.
pub(crate) fn coexisting_platform(h: &dyn Harness, c: &Capabilities, first: &Platform) -> Option<Platform> {
    let fits = |q: &Platform| class_has_room(c, std::slice::from_ref(first), q);
    if c.devices_total == 1 {
        None
    } else if c.devices_per_platform != 1 && fits(first) {
        Some(first.clone())
    } else {
        another_platform(h, c, first).filter(fits)
    }
}

async fn multidevice_list(h: &dyn Harness) -> Result<(), Failure> {
    let caps = h.capabilities();
    let user = h.fresh_user();
    let on = log_in(h, "session", SessionSetup::default(), &user).await?;
    let device = on.session.device();

    let p = expect_presence(h, &user, PresenceStatus::Online, "after login").await?;
    ensure!(
        p.devices.iter().any(|(d, s)| d.platform == device.platform && *s == PresenceStatus::Online),
        "after login the admin lists {user}'s devices as {:?}; expected one online on {:?} (the session's device)",
        p.devices,
        device.platform
    );

    let other = h.fresh_user();
    if caps.admin_register {
        h.admin().register(&other).await.ctx(format!("admin register {other}"))?;
    }
    expect_presence(h, &other, PresenceStatus::Offline, "a user who never logged in").await?;

    if caps.list_own_devices {
        let listed = on.session.other_devices().await.ctx("other_devices() with one device online")?;
        ensure!(
            device.id.is_none() || !listed.contains(&device),
            "other_devices() lists the session's own device {device:?}: {listed:?}"
        );
        if let Some(platform) = coexisting_platform(h, &caps, &device.platform) {
            let second = log_in(h, "second device", SessionSetup::on(platform.clone()), &user).await?;
            let what = format!("other_devices() should list the second device (on {platform:?})");
            wait_other_devices(&*on.session, &what, |l| l.iter().any(|d| d.platform == platform)).await?;
            second.session.logout().await.ctx("logout of the second device")?;
        }
    }

    on.session.logout().await.ctx("logout")?;
    wait_presence(h, &user, PresenceStatus::Offline, "after logout").await?;
    Ok(())
}

/// Expects `on` to have been pushed out by a newer login.
async fn expect_evicted(on: &mut Online, why: &str) -> Result<(), Failure> {
    let kicked = on.events.wait_state(&format!("Disconnected ({why})"), StateChange::is_disconnected).await?;
    if !kicked.disconnect_reason().is_some_and(|r| EVICTED.contains(&r)) {
        return Err(on
            .events
            .failure(format!("{why}: expected Disconnected(KickedByOtherLogin or TooManyDevices), got {kicked}")));
    }
    on.events.expect_no_state_change(&format!("after being pushed out ({why}): no reconnect")).await
}

/// Expects every session in `sessions` to be untouched and connected.
async fn expect_all_connected(sessions: &mut [Online], why: &str) -> Result<(), Failure> {
    for on in sessions {
        on.events.expect_no_state_change(why).await?;
        expect_state(&format!("{} ({why})", on.events.label()), &*on.session, ConnectionState::Connected)?;
    }
    Ok(())
}

async fn multidevice_policy(h: &dyn Harness) -> Result<(), Failure> {
    let caps = h.capabilities();
    let limit = same_platform_limit(&caps).expect("needs a device limit");
    let user = h.fresh_user();

    let mut devices: Vec<Online> = Vec::new();
    for i in 1..=limit {
        devices.push(log_in(h, &format!("device {i}"), SessionSetup::default(), &user).await?);
    }
    let within = format!("{limit} device(s) on one platform, within the claimed limit");
    expect_all_connected(&mut devices, &within).await?;

    let newest = log_in(h, &format!("device {}", limit + 1), SessionSetup::default(), &user).await?;
    let oldest_why = format!("device {} logged in beyond the limit of {limit}", limit + 1);
    expect_evicted(&mut devices[0], &oldest_why).await?;
    newest.session.ping().await.ctx("ping on the newest device")?;
    let others_why = format!("only the oldest device is pushed out by device {}", limit + 1);
    expect_all_connected(&mut devices[1..], &others_why).await?;
    devices.remove(0);
    devices.push(newest);

    // Across platforms, where the harness can open a device on another one.
    let platform = devices[0].session.device().platform;
    let Some(other) = another_platform(h, &caps, &platform) else {
        return Ok(());
    };
    let online: Vec<Platform> = devices.iter().map(|d| d.session.device().platform).collect();
    let fits_beside = caps.devices_per_platform > 0
        && (caps.devices_total == 0 || caps.devices_total > caps.devices_per_platform)
        && class_has_room(&caps, &online, &other);
    if caps.devices_total == 1 {
        let mobile = log_in(h, "a device on another platform", SessionSetup::on(other.clone()), &user).await?;
        ensure!(
            mobile.session.device().platform == other,
            "the harness built a session on {:?} when asked for {other:?}",
            mobile.session.device().platform
        );
        let last = devices.last_mut().expect("one device");
        expect_evicted(last, "a device on another platform logged in and only one device is allowed in all").await?;
        mobile.session.ping().await.ctx("ping on the device of another platform")?;
    } else if fits_beside {
        let mobile = log_in(h, "a device on another platform", SessionSetup::on(other.clone()), &user).await?;
        mobile.session.ping().await.ctx("ping on the device of another platform")?;
        let why = format!("a device on {other:?} fits beside {platform:?} ones under a per-platform limit");
        expect_all_connected(&mut devices, &why).await?;
    }
    Ok(())
}

/// Platforms for `n` devices of one user that can all be online at once under
/// the claimed limits (the default platform first), or `None`.
pub(crate) fn platforms_for(h: &dyn Harness, c: &Capabilities, n: u32) -> Option<Vec<Platform>> {
    if c.devices_total != 0 && c.devices_total < n {
        return None;
    }
    let mut chosen: Vec<Platform> = Vec::new();
    for platform in h.platforms() {
        let room = if c.devices_per_platform == 0 { n } else { c.devices_per_platform };
        for _ in 0..room {
            if chosen.len() as u32 == n {
                return Some(chosen);
            }
            if !class_has_room(c, &chosen, &platform) {
                break;
            }
            chosen.push(platform.clone());
        }
    }
    (chosen.len() as u32 == n).then_some(chosen)
}

/// Logs in `n` devices of `user` that may all be online together.
pub(crate) async fn log_in_devices(h: &dyn Harness, user: &str, n: u32) -> Result<Vec<Online>, Failure> {
    let caps = h.capabilities();
    let platforms = platforms_for(h, &caps, n).ok_or_else(|| {
        Failure::new(format!("the claimed device limits and the harness's platforms do not allow {n} devices at once"))
    })?;
    let mut devices = Vec::new();
    for (i, platform) in platforms.into_iter().enumerate() {
        let label = format!("device {}", (b'A' + i as u8) as char);
        devices.push(log_in(h, &label, SessionSetup::on(platform), user).await?);
    }
    Ok(devices)
}

/// Is `d` the device `own` (by id when both have one)?
fn same_device(d: &Device, own: &Device) -> bool {
    match (&d.id, &own.id) {
        (Some(a), Some(b)) => a == b,
        _ => d == own,
    }
}

/// Expects `on` to have been kicked by one of its user's own devices: exactly
/// one `Disconnected(KickedByOwnDevice)` with the vendor's code, no reconnect,
/// logged out.
async fn expect_kicked_by_own_device(h: &dyn Harness, on: &mut Online, why: &str) -> Result<(), Failure> {
    let kicked = on.events.wait_state(&format!("Disconnected ({why})"), StateChange::is_disconnected).await?;
    if !kicked.is_disconnected_with(DisconnectReason::KickedByOwnDevice) {
        return Err(on.events.failure(format!("{why}: expected Disconnected(KickedByOwnDevice), got {kicked}")));
    }
    ensure!(
        kicked.reason.as_ref().is_some_and(|d| d.vendor.is_some()),
        "{}: the kick carries no vendor code ({kicked}); the vendor's original code must be kept",
        on.events.label()
    );
    let attempts = h.connection_attempts();
    on.events.expect_no_state_change(&format!("after being kicked ({why}): a kick is fatal, no reconnect")).await?;
    exactly_one_disconnect(&on.events, &[DisconnectReason::KickedByOwnDevice])?;
    let made = h.connection_attempts() - attempts;
    ensure!(made == 0, "{} made {made} connection attempt(s) after being kicked; a kick is fatal", on.events.label());
    expect_status(&format!("{} after the kick", on.events.label()), &*on.session, LoginStatus::LoggedOut)
}

async fn multidevice_kick_own_device(h: &dyn Harness) -> Result<(), Failure> {
    let user = h.fresh_user();
    let mut devices = log_in_devices(h, &user, 2).await?;
    let mut b = devices.pop().expect("two devices");
    let mut a = devices.pop().expect("two devices");
    let b_device = b.session.device();

    let what = format!("device A's other_devices() should list device B ({b_device:?})");
    let listed = wait_other_devices(&*a.session, &what, |l| l.iter().any(|d| same_device(d, &b_device))).await?;
    let target = listed.iter().find(|d| same_device(d, &b_device)).cloned().expect("waited for it");
    let a_device = a.session.device();
    ensure!(
        !listed.iter().any(|d| same_device(d, &a_device)),
        "device A's other_devices() lists A itself ({a_device:?}): {listed:?}"
    );

    a.session.kick_device(&target).await.ctx(format!("device A kicks device B ({target:?})"))?;
    expect_kicked_by_own_device(h, &mut b, "device A kicked device B").await?;

    a.events.expect_no_state_change("device A after kicking B").await?;
    expect_state("device A", &*a.session, ConnectionState::Connected)?;
    a.session.ping().await.ctx("ping on device A after kicking B")?;
    let what = format!("device A's other_devices() should no longer list the kicked device B ({b_device:?})");
    wait_other_devices(&*a.session, &what, |l| !l.iter().any(|d| same_device(d, &b_device))).await?;
    Ok(())
}

async fn multidevice_kick_all(h: &dyn Harness) -> Result<(), Failure> {
    let user = h.fresh_user();
    // Three devices where the limits allow it (two to kick), else two (one
    // desktop and one mobile under a per-class limit of one).
    let n = if platforms_for(h, &h.capabilities(), 3).is_some() { 3 } else { 2 };
    let mut devices = log_in_devices(h, &user, n).await?;
    let kicker = devices.remove(0);
    let others: Vec<Device> = devices.iter().map(|on| on.session.device()).collect();
    if h.capabilities().list_own_devices {
        // The kicker kicks the devices it knows of: let it hear of them first.
        let what = format!("device A's other_devices() should list the other {} device(s)", others.len());
        wait_other_devices(&*kicker.session, &what, |l| others.iter().all(|o| l.iter().any(|d| same_device(d, o))))
            .await?;
    }

    let kicked = kicker.session.kick_other_devices().await.ctx("device A kicks all the user's other devices")?;
    let expected = n as usize - 1;
    ensure!(
        kicked == expected,
        "kick_other_devices() on device A says it kicked {kicked} device(s); expected {expected}"
    );
    for on in &mut devices {
        let why = format!("device A kicked all the other devices ({})", on.events.label());
        expect_kicked_by_own_device(h, on, &why).await?;
    }

    let mut kicker = kicker;
    kicker.events.expect_no_state_change("device A after kicking the others").await?;
    expect_state("device A", &*kicker.session, ConnectionState::Connected)?;
    kicker.session.ping().await.ctx("ping on device A after kicking the others")?;
    Ok(())
}

/// The desktop platform and `n` mobile platforms for the mixed-platforms case:
/// the mobiles cycle through the harness's mobile platforms, so that the last
/// one is on another platform than the first (a per-class eviction, not a
/// per-platform one).
fn mixed_platforms_for(h: &dyn Harness, c: &Capabilities, n: usize) -> Result<(Platform, Vec<Platform>), Failure> {
    let offered = h.platforms();
    let desktop = offered.iter().find(|p| p.class() == DeviceClass::Desktop).cloned();
    let mobiles: Vec<Platform> = offered.iter().filter(|p| p.class() == DeviceClass::Mobile).cloned().collect();
    let Some(desktop) = desktop else {
        return Err(Failure::new(format!(
            "the adapter claims devices_per_class but the harness offers no desktop platform: {offered:?}"
        )));
    };
    ensure!(
        mobiles.len() >= 2,
        "the adapter claims devices_per_class but the harness offers fewer than two mobile platforms: {offered:?}"
    );
    let chosen: Vec<Platform> = (0..n).map(|i| mobiles[i % mobiles.len()].clone()).collect();
    let coexisting = &chosen[..n - 1];
    let crowded = mobiles.iter().any(|m| {
        let on = coexisting.iter().filter(|p| *p == m).count() as u32;
        c.devices_per_platform != 0 && on > c.devices_per_platform
    });
    ensure!(
        !crowded && chosen[n - 1] != chosen[0],
        "the harness's mobile platforms {mobiles:?} cannot hold {} mobile device(s) under the per-platform limit \
         of {} and then log in one more on another platform",
        n - 1,
        c.devices_per_platform
    );
    Ok((desktop, chosen))
}

async fn multidevice_mixed_platforms(h: &dyn Harness) -> Result<(), Failure> {
    let caps = h.capabilities();
    let per_class = caps.devices_per_class as usize;
    let (desktop_platform, mobile_platforms) = mixed_platforms_for(h, &caps, per_class + 1)?;
    let user = h.fresh_user();

    // One desktop and as many mobiles as the class allows: all stay online.
    let mut desktop = log_in(h, "desktop", SessionSetup::on(desktop_platform.clone()), &user).await?;
    let mut mobiles: Vec<Online> = Vec::new();
    for (i, platform) in mobile_platforms[..per_class].iter().enumerate() {
        mobiles.push(log_in(h, &format!("mobile {}", i + 1), SessionSetup::on(platform.clone()), &user).await?);
    }
    let together = format!("a desktop and {per_class} mobile device(s) fit under the per-class limit of {per_class}");
    expect_all_connected(std::slice::from_mut(&mut desktop), &together).await?;
    expect_all_connected(&mut mobiles, &together).await?;
    if caps.list_own_devices {
        let wanted = &mobile_platforms[..per_class];
        let what = format!("the desktop's other_devices() should list the mobile device(s) on {wanted:?}");
        wait_other_devices(&*desktop.session, &what, |l| wanted.iter().all(|p| l.iter().any(|d| d.platform == *p)))
            .await?;
        let what = format!("mobile 1's other_devices() should list the desktop on {desktop_platform:?}");
        wait_other_devices(&*mobiles[0].session, &what, |l| l.iter().any(|d| d.platform == desktop_platform)).await?;
    }

    // One more mobile, on another platform than the oldest mobile.
    let last = &mobile_platforms[per_class];
    let newest = log_in(h, &format!("mobile {}", per_class + 1), SessionSetup::on(last.clone()), &user).await?;
    let oldest = &mut mobiles[0];
    let why = format!("a mobile device on {last:?} logged in beyond the per-class limit of {per_class}");
    let kicked = oldest.events.wait_state(&format!("Disconnected ({why})"), StateChange::is_disconnected).await?;
    if !kicked.is_disconnected_with(DisconnectReason::KickedByOtherLogin) {
        return Err(oldest.events.failure(format!("{why}: expected Disconnected(KickedByOtherLogin), got {kicked}")));
    }
    let by = kicked.reason.as_ref().and_then(|d| d.by.clone());
    ensure!(
        by.as_ref().is_some_and(|d| d.platform.class() == DeviceClass::Mobile),
        "{}: the eviction should name the mobile device that caused it, got by = {by:?} ({kicked})",
        oldest.events.label()
    );
    let attempts = h.connection_attempts();
    newest.session.ping().await.ctx("ping on the newest mobile")?;
    oldest.events.expect_no_state_change(&format!("after being pushed out ({why}): no reconnect")).await?;
    exactly_one_disconnect(&oldest.events, &[DisconnectReason::KickedByOtherLogin])?;
    let made = h.connection_attempts() - attempts;
    ensure!(made == 0, "{} made {made} connection attempt(s) after being pushed out", oldest.events.label());
    expect_status(
        &format!("{} after being pushed out", oldest.events.label()),
        &*oldest.session,
        LoginStatus::LoggedOut,
    )?;

    let stays = format!("only the oldest mobile is pushed out by {why}");
    expect_all_connected(std::slice::from_mut(&mut desktop), &stays).await?;
    expect_all_connected(&mut mobiles[1..], &stays).await?;
    desktop.session.ping().await.ctx("ping on the desktop after the mobile eviction")?;
    Ok(())
}
