//! The login flow of each vendor, side by side: the neutral events unim
//! reports next to the vendor's own names for the same moments.
//!
//! Runs on the embedded emulators with a manual clock, so credential expiry
//! takes no waiting: `cargo run --example compare_login`.
//!
//! - Tencent: the app server issues a UserSig, device A logs in, device B
//!   logs in as the same user and kicks A, B's UserSig nears its expiry and is
//!   renewed through a credential provider, then a device without a provider
//!   sees its UserSig expire.
//! - Easemob: a password login and a token login, a fifth web device kicking
//!   the oldest (four per platform), and a token that nears its expiry and is
//!   renewed.
//! - NetEase: a static-token login on the web (every login syncs), a mobile
//!   device beside it with a dynamic token, a second mobile pushing the first
//!   out (one desktop and one mobile at a time), its dynamic token renewed
//!   before expiry, and the web device kicking the user's other devices.

use async_trait::async_trait;
use futures::StreamExt;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use unim::easemob::admin::{EasemobAdmin, EasemobAdminConfig};
use unim::easemob::session::{EasemobSession, EasemobSessionConfig};
use unim::emulator::{Emulator, EmulatorConfig};
use unim::netease::admin::{NeteaseAdmin, NeteaseAdminConfig, NewUser};
use unim::netease::session::{NeteaseSession, NeteaseSessionConfig};
use unim::tencent::admin::{TencentAdmin, TencentAdminConfig};
use unim::tencent::session::{TencentSession, TencentSessionConfig};
use unim::{
    Admin, Clock, CredentialProvider, Credentials, Error, Event, ManualClock, Platform, RenewReason, Secret, Session,
    SessionOptions,
};

type BoxError = Box<dyn std::error::Error>;

/// One line of a timeline.
struct Row {
    at: u64,
    device: &'static str,
    neutral: String,
    vendor: String,
}

/// One vendor's timeline: the rows so far, and a signal for each new one.
struct Timeline {
    clock: ManualClock,
    start: u64,
    names: fn(&Event) -> Option<&'static str>,
    rows: Mutex<Vec<Row>>,
    added: tokio::sync::Notify,
}

impl Timeline {
    fn new(clock: &ManualClock, names: fn(&Event) -> Option<&'static str>) -> Arc<Self> {
        let start = clock.unix_secs();
        let (rows, added) = (Mutex::default(), tokio::sync::Notify::new());
        Arc::new(Timeline { clock: clock.clone(), start, names, rows, added })
    }

    /// Records every event of `session` under `device`.
    fn record(self: &Arc<Self>, session: &dyn Session, device: &'static str) {
        let mut events = session.events();
        let timeline = Arc::clone(self);
        tokio::spawn(async move {
            while let Some(event) = events.next().await {
                let neutral = describe(&event, timeline.start);
                let vendor = (timeline.names)(&event).unwrap_or("(no equivalent: unim adds it)").to_owned();
                let at = timeline.clock.unix_secs();
                timeline.rows.lock().unwrap().push(Row { at, device, neutral, vendor });
                timeline.added.notify_waiters();
            }
        });
    }

    /// Waits until the timeline has `n` rows (at most 5 s), so that each
    /// step's events are in before the next step moves the clock.
    async fn settle(&self, n: usize) {
        let enough = async {
            loop {
                let added = self.added.notified();
                if self.rows.lock().unwrap().len() >= n {
                    return;
                }
                added.await;
            }
        };
        let _ = tokio::time::timeout(Duration::from_secs(5), enough).await;
    }

    /// Waits (at most 5 s) until `device` has a row whose unim event
    /// contains `text`: for steps whose number of events varies.
    async fn settle_on(&self, device: &str, text: &str) {
        let seen = async {
            loop {
                let added = self.added.notified();
                if self.rows.lock().unwrap().iter().any(|r| r.device == device && r.neutral.contains(text)) {
                    return;
                }
                added.await;
            }
        };
        let _ = tokio::time::timeout(Duration::from_secs(5), seen).await;
    }

    fn print(&self, vendor: &str) {
        println!("\n{vendor} (t = seconds on the emulator clock)\n");
        println!("{:>6}  {:<6}  {:<50}  {vendor}'s own name", "t", "device", "unim event");
        for row in self.rows.lock().unwrap().iter() {
            println!("{:>6}  {:<6}  {:<50}  {}", row.at - self.start, row.device, row.neutral, row.vendor);
        }
    }
}

fn describe(event: &Event, start: u64) -> String {
    match event {
        Event::StateChanged { state, reason: Some(d) } => {
            let vendor = d.vendor.as_ref().map(|v| format!(", {} {}", v.vendor, v.code)).unwrap_or_default();
            format!("{state:?}({:?}{vendor})", d.reason)
        }
        Event::StateChanged { state, .. } => format!("{state:?}"),
        Event::CredentialWillExpire { expires_at, .. } => format!("CredentialWillExpire(at t={})", expires_at - start),
        Event::CredentialRenewed { expires_at: Some(e), .. } => format!("CredentialRenewed(now until t={})", e - start),
        Event::CredentialExpired { .. } => "CredentialExpired".into(),
        Event::DeviceOnline { device } => format!("DeviceOnline({:?})", device.platform),
        Event::DeviceOffline { device } => format!("DeviceOffline({:?})", device.platform),
        other => format!("{other:?}"),
    }
}

/// The app server's side of renewal: asks its admin for fresh credentials.
struct AppServer {
    admin: Arc<dyn Admin>,
}

#[async_trait]
impl CredentialProvider for AppServer {
    async fn fresh_credentials(&self, user: &str, _reason: RenewReason) -> Result<Credentials, Error> {
        self.admin.issue_credentials(user, Duration::from_secs(86_400)).await
    }
}

fn options(clock: &ManualClock, provider: Option<Arc<dyn CredentialProvider>>) -> SessionOptions {
    SessionOptions { clock: Arc::new(clock.clone()), credential_provider: provider, ..SessionOptions::default() }
}

async fn tencent(clock: &ManualClock) -> Result<Arc<Timeline>, BoxError> {
    let emulator = Emulator::start(EmulatorConfig::tencent().with_clock(Arc::new(clock.clone()))).await?;
    let t = emulator.tencent().ok_or("no Tencent face")?;
    let admin = Arc::new(TencentAdmin::new(TencentAdminConfig {
        rest_url: t.rest_url.clone(),
        sdkappid: t.sdkappid,
        secret_key: t.secret_key.as_str().into(),
        admin: t.admin.clone(),
        clock: Arc::new(clock.clone()),
    })?);
    let session =
        |provider| TencentSession::new(TencentSessionConfig::new(&t.ws_url, t.sdkappid), options(clock, provider));
    let timeline = Timeline::new(clock, unim::tencent::names::vendor_event_name);

    // 1. The app server issues a UserSig (valid 1000 s) and device A logs in.
    let a = session(None);
    timeline.record(&a, "A");
    a.login(admin.issue_credentials("alice", Duration::from_secs(1000)).await?).await?;
    timeline.settle(3).await;

    // 2. Device B logs in as the same user, with a provider: A is kicked.
    let b = session(Some(Arc::new(AppServer { admin: admin.clone() })));
    timeline.record(&b, "B");
    b.login(admin.issue_credentials("alice", Duration::from_secs(1000)).await?).await?;
    timeline.settle(7).await;

    // 3. 800 s later B's UserSig nears expiry: warned, then renewed in place.
    clock.advance(Duration::from_secs(800));
    timeline.settle(9).await;
    clock.advance(Duration::from_secs(300));
    b.ping().await?;
    b.logout().await?;
    timeline.settle(10).await;

    // 4. Device C has no provider: its UserSig expires and it is told so.
    let c = session(None);
    timeline.record(&c, "C");
    c.login(admin.issue_credentials("bob", Duration::from_secs(1000)).await?).await?;
    timeline.settle(13).await;
    clock.advance(Duration::from_secs(1001));
    timeline.settle(16).await;
    Ok(timeline)
}

async fn easemob(clock: &ManualClock) -> Result<Arc<Timeline>, BoxError> {
    let emulator = Emulator::start(EmulatorConfig::easemob().with_clock(Arc::new(clock.clone()))).await?;
    let e = emulator.easemob().ok_or("no Easemob face")?;
    let secret = Secret::new(e.client_secret.clone());
    let config = EasemobAdminConfig::new(&e.rest_url, &e.app_key, &e.client_id, secret);
    let admin = Arc::new(EasemobAdmin::new(config.with_clock(Arc::new(clock.clone())))?);
    let session = |provider| {
        let config = EasemobSessionConfig::new(&e.rest_url, &e.ws_url, &e.app_key);
        EasemobSession::new(config, options(clock, provider))
    };
    let timeline = Timeline::new(clock, unim::easemob::names::vendor_event_name);
    let password = Secret::new("alice-password");
    admin.register("alice", &password, None).await?;

    // 1. Device A logs in with the password (the SDK's /token grant first).
    let a = session(None);
    timeline.record(&a, "A");
    a.login(Credentials::password("alice", password.clone())).await?;
    timeline.settle(3).await;

    // 2. Device B logs in with a token (valid 1000 s) from the app server, with a provider.
    let b = session(Some(Arc::new(AppServer { admin: admin.clone() })));
    timeline.record(&b, "B");
    b.login(admin.issue_credentials("alice", Duration::from_secs(1000)).await?).await?;
    timeline.settle(6).await;

    // 3. Three more web devices: the fifth on one platform kicks the oldest (A).
    let mut others = Vec::new();
    for (n, device) in ["C", "D", "E"].into_iter().enumerate() {
        let s = session(None);
        timeline.record(&s, device);
        s.login(Credentials::password("alice", password.clone())).await?;
        timeline.settle(9 + 3 * n).await;
        others.push(s);
    }
    timeline.settle(16).await;

    // 4. 800 s later B's token nears expiry: warned, then renewed in place.
    clock.advance(Duration::from_secs(800));
    timeline.settle(18).await;
    for s in others.iter().chain([&b]) {
        s.logout().await?;
    }
    timeline.settle(22).await;
    Ok(timeline)
}

async fn netease(clock: &ManualClock) -> Result<Arc<Timeline>, BoxError> {
    let emulator = Emulator::start(EmulatorConfig::netease().with_clock(Arc::new(clock.clone()))).await?;
    let n = emulator.netease().ok_or("no NetEase face")?;
    let config = NeteaseAdminConfig::new(&n.rest_url, &n.app_key, Secret::new(n.app_secret.clone()));
    let admin = Arc::new(NeteaseAdmin::new(config.with_clock(Arc::new(clock.clone())))?);
    let session = |platform, provider| {
        let config = NeteaseSessionConfig::new(&n.lbs_url, &n.app_key).with_default_link(&n.link).on(platform);
        NeteaseSession::new(config, options(clock, provider))
    };
    let timeline = Timeline::new(clock, unim::netease::names::vendor_event_name);
    let provider = || -> Option<Arc<dyn CredentialProvider>> { Some(Arc::new(AppServer { admin: admin.clone() })) };

    // 1. The app server creates the accid (the server picks a static token);
    //    the web device logs in with it and syncs, as every NetEase login does.
    let created = admin.create_user(&NewUser::new("alice")).await?;
    let web = session(Platform::Web, None);
    timeline.record(&web, "Web");
    web.login(Credentials::token(&created.accid, created.token.clone())).await?;
    timeline.settle_on("Web", "Connected").await;

    // 2. An Android phone logs in with a dynamic token (valid 1000 s): a
    //    desktop and a mobile device may be online together.
    let android = session(Platform::Android, provider());
    timeline.record(&android, "Droid");
    android.login(admin.issue_credentials("alice", Duration::from_secs(1000)).await?).await?;
    timeline.settle_on("Droid", "Connected").await;

    // 3. An iPhone logs in: the other mobile device (Android) is pushed out.
    let iphone = session(Platform::Ios, provider());
    timeline.record(&iphone, "iPhone");
    iphone.login(admin.issue_credentials("alice", Duration::from_secs(1000)).await?).await?;
    timeline.settle_on("iPhone", "Connected").await;
    timeline.settle_on("Droid", "Disconnected").await;

    // 4. 800 s later the iPhone's dynamic token nears expiry: warned, then renewed.
    clock.advance(Duration::from_secs(800));
    timeline.settle_on("iPhone", "CredentialRenewed").await;

    // 5. The web device kicks the user's other devices, then logs out.
    web.kick_other_devices().await?;
    timeline.settle_on("iPhone", "Disconnected").await;
    web.logout().await?;
    timeline.settle_on("Web", "Disconnected").await;
    Ok(timeline)
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs();
    println!("Login flows on the embedded emulators: unim's neutral events beside each vendor's own names.");
    tencent(&ManualClock::at_unix(now)).await?.print("Tencent");
    easemob(&ManualClock::at_unix(now)).await?.print("Easemob");
    netease(&ManualClock::at_unix(now)).await?.print("NetEase");
    Ok(())
}
