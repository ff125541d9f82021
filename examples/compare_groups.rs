//! The same group on each vendor, side by side: the vendor calls unim made
//! for each neutral step, and the events each member saw.
//!
//! Runs on the embedded emulators: `cargo run --example compare_groups`.
//!
//! On each vendor, through the neutral API only: alice, bob and carol log
//! in; alice creates a (Public, Free) group, adds bob and carol, bob sends a
//! group message, alice removes carol and dismisses the group. The adapters
//! announce every vendor call they make as a `tracing` event with target
//! `unim::calls` and a `call` field; a small subscriber layer below collects
//! them per step.

use futures::StreamExt;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::Layer;
use unim::{
    ConversationId, Event, GroupEvent, GroupKind, GroupSpec, JoinPolicy, MessageBody, OutgoingMessage, Session,
    SessionOptions,
};

#[path = "common/backend.rs"]
mod backend;

use backend::{Backend, BoxError};

/// How long a step waits for the events it causes before going on.
const EVENT_WAIT: Duration = Duration::from_secs(5);

/// The width of one vendor's column.
const COLUMN: usize = 50;

/// The vendors, in the order of the columns.
const VENDORS: [&str; 3] = ["tencent", "easemob", "netease"];

/// The members, in the order they are shown.
const MEMBERS: [&str; 3] = ["alice", "bob", "carol"];

/// The vendor calls seen so far, each with the step it belongs to.
#[derive(Default)]
struct CallLog {
    step: &'static str,
    calls: Vec<(&'static str, String)>,
}

/// Collects the `call` field of every `unim::calls` event into a [`CallLog`].
struct CallLayer(Arc<Mutex<CallLog>>);

/// Reads the `call` field of an event.
struct CallField(Option<String>);

impl Visit for CallField {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "call" {
            self.0 = Some(value.to_owned());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "call" && self.0.is_none() {
            self.0 = Some(format!("{value:?}").trim_matches('"').to_owned());
        }
    }
}

impl<S: tracing::Subscriber> Layer<S> for CallLayer {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        if event.metadata().target() != "unim::calls" {
            return;
        }
        let mut field = CallField(None);
        event.record(&mut field);
        if let (Some(call), Ok(mut log)) = (field.0, self.0.lock()) {
            let step = log.step;
            log.calls.push((step, call));
        }
    }
}

/// What the members of one vendor saw: (member, step, event), in order.
#[derive(Default)]
struct Seen {
    rows: Mutex<Vec<(&'static str, &'static str, String)>>,
    added: tokio::sync::Notify,
    step: Mutex<&'static str>,
}

impl Seen {
    /// Records the group events and messages `session` announces under `member`.
    fn record(self: &Arc<Self>, session: &dyn Session, member: &'static str) {
        let mut events = session.events();
        let seen = Arc::clone(self);
        tokio::spawn(async move {
            while let Some(event) = events.next().await {
                let Some(text) = describe(&event) else { continue };
                let step = *seen.step.lock().unwrap();
                seen.rows.lock().unwrap().push((member, step, text));
                seen.added.notify_waiters();
            }
        });
    }

    /// Waits (at most [`EVENT_WAIT`]) until `member` saw an event containing `text`.
    async fn settle_on(&self, member: &str, text: &str) {
        let seen = async {
            loop {
                let added = self.added.notified();
                if self.rows.lock().unwrap().iter().any(|(m, _, t)| *m == member && t.contains(text)) {
                    return;
                }
                added.await;
            }
        };
        let _ = tokio::time::timeout(EVENT_WAIT, seen).await;
    }
}

/// A short form of the events worth showing (group events and messages).
fn describe(event: &Event) -> Option<String> {
    Some(match event {
        Event::Group { change } => match change {
            GroupEvent::MemberJoined { user, by, .. } => format!("MemberJoined({user}, by {})", who(by)),
            GroupEvent::MemberLeft { user, .. } => format!("MemberLeft({user})"),
            GroupEvent::MemberRemoved { user, by, .. } => format!("MemberRemoved({user}, by {})", who(by)),
            GroupEvent::RoleChanged { user, role, .. } => format!("RoleChanged({user} -> {role:?})"),
            GroupEvent::MemberMuted { user, until_ms, .. } => format!("MemberMuted({user}, until {until_ms:?})"),
            GroupEvent::InfoChanged { name, .. } => format!("InfoChanged(name {name:?})"),
            GroupEvent::Dismissed { by, .. } => format!("Dismissed(by {})", who(by)),
            GroupEvent::JoinRequested { applicant, .. } => format!("JoinRequested({applicant})"),
        },
        Event::MessageReceived { message } => {
            let text = match &message.body {
                MessageBody::Text { text } => text.clone(),
                MessageBody::Custom { .. } => "(custom)".into(),
            };
            format!("Message({:?} from {}: {text:?})", message.direction, message.from)
        }
        _ => return None,
    })
}

fn who(by: &Option<String>) -> &str {
    by.as_deref().unwrap_or("the app")
}

/// What one vendor's run produced.
struct Report {
    calls: Vec<(&'static str, String)>,
    seen: Vec<(&'static str, &'static str, String)>,
    /// Steps that failed, with the neutral error.
    errors: Vec<(&'static str, String)>,
}

/// The steps, in order, as shown in the left column.
const STEPS: [&str; 6] = ["create", "add bob, carol", "bob sends", "remove carol", "dismiss", "log out"];

/// Runs the scenario on `vendor`, recording its calls into `log`.
async fn run(vendor: &str, log: &Arc<Mutex<CallLog>>) -> Result<Report, BoxError> {
    let backend = Backend::start(vendor).await?;
    let seen = Arc::new(Seen::default());
    let mut sessions = Vec::new();
    for member in MEMBERS {
        backend.admin.register(member).await?;
        let credentials = backend.admin.issue_credentials(member, Duration::from_secs(3600)).await?;
        let session = unim::connect(&backend.config, SessionOptions::default())?;
        seen.record(&*session, member);
        session.login(credentials).await?;
        sessions.push(session);
    }
    let [alice, bob, carol] = [&sessions[0], &sessions[1], &sessions[2]];
    let mut errors = Vec::new();
    let step = |name: &'static str| {
        log.lock().unwrap().step = name;
        *seen.step.lock().unwrap() = name;
        name
    };

    let s = step(STEPS[0]);
    let spec = GroupSpec::new("compare_groups", GroupKind::Public, JoinPolicy::Free)
        .with_introduction("the same group on every vendor");
    let group = match alice.create_group(&spec).await {
        Ok(g) => g,
        Err(e) => {
            errors.push((s, e.to_string()));
            return Ok(finish(log, &seen, errors));
        }
    };
    let id = group.id.clone();

    let s = step(STEPS[1]);
    match alice.add_group_members(&id, &["bob".to_owned(), "carol".to_owned()]).await {
        Ok(items) => {
            for item in items.into_iter().filter(|i| i.result.is_err()) {
                errors.push((
                    s,
                    format!("{}: {}", item.user, item.result.err().map(|e| e.to_string()).unwrap_or_default()),
                ));
            }
        }
        Err(e) => errors.push((s, e.to_string())),
    }
    for member in MEMBERS {
        seen.settle_on(member, "MemberJoined(carol").await;
    }

    let s = step(STEPS[2]);
    let out = OutgoingMessage::new(ConversationId::group(&id), MessageBody::text("hi all"));
    if let Err(e) = bob.send(&out).await {
        errors.push((s, e.to_string()));
    }
    seen.settle_on("alice", "Message(").await;
    seen.settle_on("carol", "Message(").await;

    let s = step(STEPS[3]);
    if let Err(e) = alice.remove_group_members(&id, &["carol".to_owned()]).await {
        errors.push((s, e.to_string()));
    }
    for member in MEMBERS {
        seen.settle_on(member, "MemberRemoved(carol").await;
    }

    let s = step(STEPS[4]);
    if let Err(e) = alice.dismiss_group(&id).await {
        errors.push((s, e.to_string()));
    }
    seen.settle_on("bob", "Dismissed").await;

    let s = step(STEPS[5]);
    for session in [alice, bob, carol] {
        if let Err(e) = session.logout().await {
            errors.push((s, e.to_string()));
        }
    }
    Ok(finish(log, &seen, errors))
}

/// Takes the calls logged for the run and what the members saw.
fn finish(log: &Mutex<CallLog>, seen: &Seen, errors: Vec<(&'static str, String)>) -> Report {
    let calls = std::mem::take(&mut log.lock().unwrap().calls);
    let seen = std::mem::take(&mut *seen.rows.lock().unwrap());
    Report { calls, seen, errors }
}

/// Prints `cells` (one list of lines per vendor) as columns after `label`.
fn print_row(label: &str, cells: &[Vec<String>]) {
    if cells.iter().all(Vec::is_empty) {
        return;
    }
    let height = cells.iter().map(Vec::len).max().unwrap_or(0).max(1);
    for line in 0..height {
        let mut row = format!("{:<16}", if line == 0 { label } else { "" });
        for cell in cells {
            let text = cell.get(line).map(String::as_str).unwrap_or("");
            let _ = write!(row, "  {:<COLUMN$}", clip(text));
        }
        println!("{}", row.trim_end());
    }
}

fn clip(text: &str) -> String {
    if text.chars().count() <= COLUMN {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(COLUMN - 1).collect();
        cut.push('…');
        cut
    }
}

fn header(title: &str) {
    println!("\n{title}\n");
    let mut row = format!("{:<16}", "");
    for v in VENDORS {
        let _ = write!(row, "  {v:<COLUMN$}");
    }
    println!("{}", row.trim_end());
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let log = Arc::new(Mutex::new(CallLog { step: "log in", calls: Vec::new() }));
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(CallLayer(log.clone())))?;

    let mut reports = Vec::new();
    for vendor in VENDORS {
        log.lock().unwrap().step = "log in";
        reports.push(run(vendor, &log).await?);
    }

    println!("One (Public, Free) group per vendor, made through the same neutral calls.");
    header("Vendor calls per step");
    for step in ["log in"].into_iter().chain(STEPS) {
        let cells: Vec<Vec<String>> = reports
            .iter()
            .map(|r| {
                let mut lines: Vec<String> =
                    r.calls.iter().filter(|(s, _)| *s == step).map(|(_, c)| c.clone()).collect();
                lines.extend(r.errors.iter().filter(|(s, _)| *s == step).map(|(_, e)| format!("error: {e}")));
                lines
            })
            .collect();
        print_row(step, &cells);
    }

    header("Events each member saw (step: event)");
    for member in MEMBERS {
        let cells: Vec<Vec<String>> = reports
            .iter()
            .map(|r| {
                r.seen
                    .iter()
                    .filter(|(m, _, _)| *m == member)
                    .map(|(_, step, text)| format!("{step}: {text}"))
                    .collect()
            })
            .collect();
        print_row(member, &cells);
    }
    Ok(())
}
