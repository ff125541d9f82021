//! The login flow of each vendor, side by side: the neutral events unim
//! reports next to the vendor's own names for the same moments.
//!
//! Runs on the embedded emulator with a manual clock, so UserSig expiry takes
//! no waiting: `cargo run --example compare_login`.
//!
//! Tencent's flow: the app server issues a UserSig, device A logs in, device B
//! logs in as the same user and kicks A, B's UserSig nears its expiry and is
//! renewed through a credential provider, then a device without a provider
//! sees its UserSig expire.

use async_trait::async_trait;
use futures::StreamExt;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use unim::tencent::admin::{TencentAdmin, TencentAdminConfig};
use unim::tencent::names::vendor_event_name;
use unim::tencent::session::{TencentSession, TencentSessionConfig};
use unim::{
    Admin, Clock, CredentialProvider, Credentials, Error, Event, ManualClock, RenewReason, Session, SessionOptions,
};

/// One line of the timeline.
struct Row {
    at: u64,
    device: &'static str,
    neutral: String,
    vendor: String,
}

/// The rows so far, and a signal for each new one.
#[derive(Default)]
struct Timeline {
    rows: Mutex<Vec<Row>>,
    added: tokio::sync::Notify,
}

/// Records every event of `session` under `device`.
fn record(session: &dyn Session, device: &'static str, clock: ManualClock, start: u64, timeline: &Arc<Timeline>) {
    let mut events = session.events();
    let timeline = Arc::clone(timeline);
    tokio::spawn(async move {
        while let Some(event) = events.next().await {
            let neutral = describe(&event, start);
            let vendor = vendor_event_name(&event).unwrap_or("(no Tencent equivalent: unim adds it)").to_owned();
            timeline.rows.lock().unwrap().push(Row { at: clock.unix_secs(), device, neutral, vendor });
            timeline.added.notify_waiters();
        }
    });
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
        other => format!("{other:?}"),
    }
}

/// The app server's side of renewal: asks the admin for a fresh UserSig.
struct AppServer {
    admin: Arc<TencentAdmin>,
}

#[async_trait]
impl CredentialProvider for AppServer {
    async fn fresh_credentials(&self, user: &str, _reason: RenewReason) -> Result<Credentials, Error> {
        self.admin.issue_credentials(user, Duration::from_secs(86_400)).await
    }
}

/// Waits until the timeline has `n` rows (at most 5 s), so that each step's
/// events are in before the next step moves the clock.
async fn settle(timeline: &Timeline, n: usize) {
    let enough = async {
        loop {
            let added = timeline.added.notified();
            if timeline.rows.lock().unwrap().len() >= n {
                return;
            }
            added.await;
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(5), enough).await;
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let start = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs();
    let clock = ManualClock::at_unix(start);
    let config = unim::emulator::EmulatorConfig::tencent().with_clock(Arc::new(clock.clone()));
    let emulator = unim::emulator::Emulator::start(config).await?;
    let t = emulator.tencent().ok_or("no Tencent face")?;
    let admin = Arc::new(TencentAdmin::new(TencentAdminConfig {
        rest_url: t.rest_url.clone(),
        sdkappid: t.sdkappid,
        secret_key: t.secret_key.as_str().into(),
        admin: t.admin.clone(),
        clock: Arc::new(clock.clone()),
    })?);
    let session = |provider: Option<Arc<dyn CredentialProvider>>| {
        let options = SessionOptions {
            clock: Arc::new(clock.clone()),
            credential_provider: provider,
            ..SessionOptions::default()
        };
        TencentSession::new(TencentSessionConfig::new(t.ws_url.clone(), t.sdkappid), options)
    };
    let timeline: Arc<Timeline> = Arc::default();

    // 1. The app server issues a UserSig (valid 1000 s) and device A logs in.
    let a = session(None);
    record(&a, "A", clock.clone(), start, &timeline);
    a.login(admin.issue_credentials("alice", Duration::from_secs(1000)).await?).await?;
    settle(&timeline, 3).await;

    // 2. Device B logs in as the same user, with a provider: A is kicked.
    let b = session(Some(Arc::new(AppServer { admin: Arc::clone(&admin) })));
    record(&b, "B", clock.clone(), start, &timeline);
    b.login(admin.issue_credentials("alice", Duration::from_secs(1000)).await?).await?;
    settle(&timeline, 7).await;

    // 3. 800 s later B's UserSig nears expiry: warned, then renewed in place.
    clock.advance(Duration::from_secs(800));
    settle(&timeline, 9).await;
    clock.advance(Duration::from_secs(300));
    b.ping().await?;
    b.logout().await?;
    settle(&timeline, 10).await;

    // 4. Device C has no provider: its UserSig expires and it is told so.
    let c = session(None);
    record(&c, "C", clock.clone(), start, &timeline);
    c.login(admin.issue_credentials("bob", Duration::from_secs(1000)).await?).await?;
    settle(&timeline, 13).await;
    clock.advance(Duration::from_secs(1001));
    settle(&timeline, 16).await;

    println!("Tencent login flow on the emulator (t = seconds on the emulator clock)\n");
    println!("{:>6}  {:<6}  {:<50}  Tencent's own name", "t", "device", "unim event");
    for row in timeline.rows.lock().unwrap().iter() {
        println!("{:>6}  {:<6}  {:<50}  {}", row.at - start, row.device, row.neutral, row.vendor);
    }
    Ok(())
}
