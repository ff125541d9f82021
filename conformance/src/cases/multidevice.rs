//! Several devices of one user: what the admin sees, the vendor's default
//! multi-device policy (which device a new login pushes out), driven by the
//! limits the adapter claims, and a device kicking the user's other devices.

use super::{exactly_one_disconnect, expect_presence, log_in, same_platform_limit, wait_presence, Online};
use crate::case::{case_fn, require, Case};
use crate::expect::{ensure, expect_state, expect_status, Failure, ResultExt, StateChange};
use crate::harness::{Harness, SessionSetup};
use unim_core::{Capabilities, ConnectionState, Device, DisconnectReason, LoginStatus, Platform, PresenceStatus};

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
        about: "a device kicks all the user's other devices: each ends once with KickedByOwnDevice; the kicker stays",
        needs: |c| require(c.kick_own_device, "kick_own_device"),
        run: case_fn!(multidevice_kick_all),
    }
}

/// The reasons a device pushed out by a newer login may be given.
const EVICTED: [DisconnectReason; 2] = [DisconnectReason::KickedByOtherLogin, DisconnectReason::TooManyDevices];

/// A platform other than `p` that the harness can open sessions on.
fn another_platform(h: &dyn Harness, p: &Platform) -> Option<Platform> {
    h.platforms().into_iter().find(|q| q != p)
}

/// A platform on which a second device of the user can be online beside one
/// on `first`, if the policy allows two devices at all.
fn coexisting_platform(h: &dyn Harness, c: &Capabilities, first: &Platform) -> Option<Platform> {
    if c.devices_total == 1 {
        None
    } else if c.devices_per_platform != 1 {
        Some(first.clone())
    } else {
        another_platform(h, first)
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
            let listed = on.session.other_devices().await.ctx("other_devices() with a second device online")?;
            ensure!(
                listed.iter().any(|d| d.platform == platform),
                "other_devices() does not list the second device (on {platform:?}): {listed:?}"
            );
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
    let Some(other) = another_platform(h, &platform) else {
        return Ok(());
    };
    let fits_beside =
        caps.devices_per_platform > 0 && (caps.devices_total == 0 || caps.devices_total > caps.devices_per_platform);
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
fn platforms_for(h: &dyn Harness, c: &Capabilities, n: u32) -> Option<Vec<Platform>> {
    if c.devices_total != 0 && c.devices_total < n {
        return None;
    }
    let mut chosen = Vec::new();
    for platform in h.platforms() {
        let room = if c.devices_per_platform == 0 { n } else { c.devices_per_platform };
        for _ in 0..room {
            if chosen.len() as u32 == n {
                return Some(chosen);
            }
            chosen.push(platform.clone());
        }
    }
    (chosen.len() as u32 == n).then_some(chosen)
}

/// Logs in `n` devices of `user` that may all be online together.
async fn log_in_devices(h: &dyn Harness, user: &str, n: u32) -> Result<Vec<Online>, Failure> {
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

    let listed = a.session.other_devices().await.ctx("other_devices() on device A")?;
    let Some(target) = listed.iter().find(|d| same_device(d, &b_device)).cloned() else {
        return Err(Failure::new(format!(
            "device A's other_devices() does not list device B ({b_device:?}): {listed:?}"
        )));
    };
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
    let listed = a.session.other_devices().await.ctx("other_devices() on device A after the kick")?;
    ensure!(
        !listed.iter().any(|d| same_device(d, &b_device)),
        "device A's other_devices() still lists the kicked device B ({b_device:?}): {listed:?}"
    );
    Ok(())
}

async fn multidevice_kick_all(h: &dyn Harness) -> Result<(), Failure> {
    let user = h.fresh_user();
    let mut devices = log_in_devices(h, &user, 3).await?;
    let kicker = devices.remove(0);

    let kicked = kicker.session.kick_other_devices().await.ctx("device A kicks all the user's other devices")?;
    ensure!(kicked == 2, "kick_other_devices() on device A says it kicked {kicked} device(s); expected 2");
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
