//! One small chat program, written once against `dyn Session` and `dyn
//! Admin`, run on any vendor:
//!
//! ```sh
//! cargo run --example switch_vendor -- --vendor tencent
//! UNIM_VENDOR=easemob cargo run --example switch_vendor
//! cargo run --example switch_vendor -- --vendor netease
//! ```
//!
//! It starts the embedded emulator of the chosen vendor (the only
//! vendor-specific lines are in [`Backend::start`]: where the backend is and
//! how the app server reaches it). Everything after that is the same code
//! for every vendor: the app server registers two users and issues their
//! credentials, both log in, they exchange a few messages, and each prints
//! its conversation list with unread counts, marks it read, and reads the
//! history back.

use futures::StreamExt;
use std::process::ExitCode;
use std::time::Duration;
use unim::{
    Admin, Config, ConversationId, Error, Event, EventStream, Message, MessageBody, OutgoingMessage, Session,
    SessionOptions,
};

#[path = "common/backend.rs"]
mod backend;

use backend::{Backend, BoxError};

/// How long the program waits for a message to arrive before giving up.
const DELIVERY_WAIT: Duration = Duration::from_secs(10);

/// The vendor from `--vendor <name>` or `UNIM_VENDOR`, else Tencent.
fn chosen_vendor() -> Result<String, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [] => Ok(std::env::var("UNIM_VENDOR").unwrap_or_else(|_| "tencent".to_owned())),
        [flag, name] if flag == "--vendor" => Ok(name.clone()),
        [arg] if arg.starts_with("--vendor=") => Ok(arg["--vendor=".len()..].to_owned()),
        _ => Err(format!("unexpected arguments {args:?}; usage: switch_vendor [--vendor tencent|easemob|netease]")),
    }
}

// ---- From here on, the app: the same code for every vendor. ----

/// One logged-in user: the session and its events.
struct User {
    name: &'static str,
    session: Box<dyn Session>,
    events: EventStream,
}

/// The app server registers `name` and issues credentials; the user logs in.
async fn log_in(config: &Config, admin: &dyn Admin, name: &'static str) -> Result<User, Error> {
    admin.register(name).await?;
    let credentials = admin.issue_credentials(name, Duration::from_secs(3600)).await?;
    let session = unim::connect(config, SessionOptions::default())?;
    let events = session.events();
    session.login(credentials).await?;
    Ok(User { name, session, events })
}

/// Waits for the next message to arrive for `user`.
async fn next_message(user: &mut User) -> Result<Message, BoxError> {
    loop {
        match tokio::time::timeout(DELIVERY_WAIT, user.events.next()).await {
            Ok(Some(Event::MessageReceived { message })) => return Ok(*message),
            Ok(Some(_)) => continue,
            Ok(None) => return Err(format!("{}'s session ended", user.name).into()),
            Err(_) => return Err(format!("no message for {} within {DELIVERY_WAIT:?}", user.name).into()),
        }
    }
}

fn show(body: &MessageBody) -> String {
    match body {
        MessageBody::Text { text } => text.clone(),
        MessageBody::Custom { data, description } => format!("[custom {data} / {description:?}]"),
    }
}

async fn print_conversations(user: &User) -> Result<(), Error> {
    for c in user.session.conversations().await? {
        let last = c.last_message.as_ref().map(|m| show(&m.body)).unwrap_or_default();
        println!("  {:<6} {} · unread {} · last: {last}", user.name, c.id, c.unread);
    }
    Ok(())
}

async fn chat(config: &Config, admin: &dyn Admin) -> Result<(), BoxError> {
    let mut alice = log_in(config, admin, "alice").await?;
    let mut bob = log_in(config, admin, "bob").await?;
    println!("alice and bob are logged in");

    let script = [
        (true, "Hi Bob! Did the release go out?"),
        (false, "Hi Alice, yes, an hour ago 🚀"),
        (true, "Great. Lunch at 12:30?"),
        (true, "The usual place."),
        (false, "See you there."),
    ];
    for (from_alice, text) in script {
        let (from, to) = if from_alice { (&alice, &mut bob) } else { (&bob, &mut alice) };
        let out = OutgoingMessage::new(ConversationId::direct(to.name), MessageBody::text(text));
        let sent = from.session.send(&out).await?;
        let got = next_message(to).await?;
        if got.server_id != sent.server_id {
            return Err(format!("{} expected message {}, got {}", to.name, sent.server_id, got.server_id).into());
        }
        println!("  {} -> {}: {text:?}  (server id {})", from.name, to.name, sent.server_id);
    }

    println!("conversations:");
    print_conversations(&alice).await?;
    print_conversations(&bob).await?;
    bob.session.mark_read(&ConversationId::direct("alice")).await?;
    println!("after bob marks the conversation read:");
    print_conversations(&bob).await?;

    println!("alice's history with bob, newest page of 3 first:");
    let with_bob = ConversationId::direct("bob");
    let mut cursor = None;
    let mut page_no = 1;
    loop {
        let page = alice.session.history(&with_bob, cursor.as_ref(), 3).await?;
        for m in &page.messages {
            println!("  page {page_no}: {} -> {}: {:?}", m.from, m.to, show(&m.body));
        }
        match page.older {
            Some(older) => cursor = Some(older),
            None => break,
        }
        page_no += 1;
    }

    alice.session.logout().await?;
    bob.session.logout().await?;
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let vendor = match chosen_vendor() {
        Ok(v) => v,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let result = async {
        let backend = Backend::start(&vendor).await?;
        println!("vendor: {} (embedded emulator)", backend.config.vendor());
        chat(&backend.config, &*backend.admin).await
    }
    .await;
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("switch_vendor ({vendor}): {e}");
            ExitCode::FAILURE
        }
    }
}
