//! One-to-one messages between two online users: what the sender's copy and
//! the receiver's event say, custom bodies, a retried send stored once, and
//! the refusals (too large, unknown recipient) with the vendor's code.

use super::chat::{
    clock_ms, ensure_user, expect_copy, expect_exactly, in_conversation_with, needs_messages, pair, received, same_ids,
    send, send_out, session_history, text, wait_messages,
};
use crate::case::{case_fn, require, Case};
use crate::expect::{ensure, expect_kind, Failure};
use crate::harness::Harness;
use unim_core::{ConversationId, ErrorKind, Message, MessageBody, MessageStatus, OutgoingMessage};

/// `message.send_receive`.
pub fn send_receive() -> Case {
    Case {
        name: "message.send_receive",
        about: "a text sent to an online peer comes back as the sender's copy (Sent) and reaches the peer once as \
                MessageReceived (Incoming, Unread) with the same ids, body and time; the sending device gets no event \
                for its own send; and the same the other way",
        needs: needs_messages,
        run: case_fn!(message_send_receive),
    }
}

/// `message.custom_body`.
pub fn custom_body() -> Case {
    Case {
        name: "message.custom_body",
        about: "a custom body (data and description, or data alone) arrives exactly as sent",
        needs: |c| {
            needs_messages(c)?;
            require(c.custom_messages, "custom_messages")
        },
        run: case_fn!(message_custom_body),
    }
}

/// `message.dedupe`.
pub fn dedupe() -> Case {
    Case {
        name: "message.dedupe",
        about:
            "the same OutgoingMessage sent twice (a retry after a lost reply) gets the same server id, is delivered \
                once and is in the history once",
        needs: needs_messages,
        run: case_fn!(message_dedupe),
    }
}

/// `message.too_large`.
pub fn too_large() -> Case {
    Case {
        name: "message.too_large",
        about:
            "a body one byte over max_message_bytes is refused with InvalidInput and the vendor's code, and nothing \
                is delivered; a body of exactly max_message_bytes is sent",
        needs: |c| {
            needs_messages(c)?;
            require(c.max_message_bytes > 0, "max_message_bytes")
        },
        run: case_fn!(message_too_large),
    }
}

/// `message.unknown_recipient`.
pub fn unknown_recipient() -> Case {
    Case {
        name: "message.unknown_recipient",
        about: "a message to a user that does not exist is refused with NotFound and the vendor's code (also through \
                the admin, where it sends)",
        needs: needs_messages,
        run: case_fn!(message_unknown_recipient),
    }
}

/// The slack allowed between a message's server time and the harness clock:
/// the emulator stamps with the clock, a vendor may keep whole seconds.
const TIME_SLACK_MS: u64 = 60_000;

/// Checks the peer's copy against the sender's: same server id, time and
/// body, seen from the other side, and not read yet. The client id is the
/// sender's business: a vendor may carry only a short form of it to the
/// peer (Tencent's 32-bit `MsgRandom`), so it need only be there.
fn expect_same_message(what: &str, got: &Message, sent: &Message, viewer: &str) -> Result<(), Failure> {
    expect_copy(what, got, &sent.from, &sent.to, &sent.body, viewer)?;
    ensure!(
        got.server_id == sent.server_id,
        "{what}: server id {} differs from the sender's copy's {}",
        got.server_id,
        sent.server_id
    );
    ensure!(!got.client_id.is_empty(), "{what}: the message has no client id");
    ensure!(
        got.server_time_ms == sent.server_time_ms,
        "{what}: server time {} differs from the sender's copy's {}",
        got.server_time_ms,
        sent.server_time_ms
    );
    ensure!(got.status == MessageStatus::Unread, "{what}: expected status Unread, got {:?}", got.status);
    Ok(())
}

async fn message_send_receive(h: &dyn Harness) -> Result<(), Failure> {
    let mut p = pair(h).await?;
    let now_ms = clock_ms(h);
    let sent = send(&*p.a.session, "alice", &p.bob, text(1)).await?;
    ensure!(
        sent.server_time_ms.abs_diff(now_ms) <= TIME_SLACK_MS,
        "alice: the server time {} of the sent message is far from the clock's {now_ms}",
        sent.server_time_ms
    );
    let got = expect_exactly(&mut p.b.events, &p.alice, std::slice::from_ref(&sent), "alice's message").await?;
    expect_same_message("bob: the MessageReceived", &got[0], &sent, &p.bob)?;

    let reply = send(&*p.b.session, "bob", &p.alice, MessageBody::text("and back 👋")).await?;
    let got = expect_exactly(&mut p.a.events, &p.bob, std::slice::from_ref(&reply), "bob's reply").await?;
    expect_same_message("alice: the MessageReceived", &got[0], &reply, &p.alice)?;
    // Each sender got exactly the other's message: nothing for its own send.
    ensure!(
        !p.a.events.seen().iter().filter_map(received).any(|m| m.server_id == sent.server_id),
        "alice: her own send came back as a MessageReceived on the sending device"
    );
    Ok(())
}

async fn message_custom_body(h: &dyn Harness) -> Result<(), Failure> {
    let mut p = pair(h).await?;
    let bodies = [
        MessageBody::custom(r#"{"kind":"card","title":"Zoë's \"café\"","n":[1,2]}"#, Some("a card · 名片".into())),
        MessageBody::custom("plain data without a description", None),
    ];
    let mut sent = Vec::new();
    for body in bodies {
        sent.push(send(&*p.a.session, "alice", &p.bob, body).await?);
    }
    let got = expect_exactly(&mut p.b.events, &p.alice, &sent, "two custom messages").await?;
    for (g, s) in got.iter().zip(&sent) {
        expect_same_message("bob: a custom MessageReceived", g, s, &p.bob)?;
    }
    Ok(())
}

async fn message_dedupe(h: &dyn Harness) -> Result<(), Failure> {
    let mut p = pair(h).await?;
    let out = OutgoingMessage::new(ConversationId::direct(&p.bob), text(1));
    let first = send_out(&*p.a.session, "alice", &out).await?;
    let retry = send_out(&*p.a.session, "alice (the retry)", &out).await?;
    ensure!(
        retry.server_id == first.server_id,
        "a retry with the same client id got server id {}, the first send {}: it was stored twice",
        retry.server_id,
        first.server_id
    );
    // A later message proves the stream moved past any duplicate.
    let after = send(&*p.a.session, "alice", &p.bob, text(2)).await?;
    expect_exactly(&mut p.b.events, &p.alice, &[first.clone(), after.clone()], "a retried message then another")
        .await?;
    if h.capabilities().history {
        let history = session_history(&*p.b.session, "bob", &p.alice, 20, 4).await?;
        same_ids(&history, &[first, after]).map_err(|m| Failure::new(format!("bob's history with alice: {m}")))?;
    }
    Ok(())
}

async fn message_too_large(h: &dyn Harness) -> Result<(), Failure> {
    let max = h.capabilities().max_message_bytes;
    let mut p = pair(h).await?;
    let over = OutgoingMessage::new(ConversationId::direct(&p.bob), MessageBody::text("x".repeat(max + 1)));
    let what = format!("alice: send of a {}-byte text (max_message_bytes {max})", max + 1);
    let err = expect_kind(&what, p.a.session.send(&over).await, ErrorKind::InvalidInput)?;
    ensure!(err.vendor.is_some(), "{what}: the InvalidInput carries no vendor code: {err}");

    // Exactly the limit is fine; it is the first (and only) thing bob gets.
    let at_max = send(&*p.a.session, "alice", &p.bob, MessageBody::text("y".repeat(max))).await?;
    let got =
        expect_exactly(&mut p.b.events, &p.alice, std::slice::from_ref(&at_max), "after the refused send").await?;
    ensure!(got[0].body.byte_len() == max, "bob got a {}-byte body, expected {max}", got[0].body.byte_len());
    Ok(())
}

async fn message_unknown_recipient(h: &dyn Harness) -> Result<(), Failure> {
    let mut p = pair(h).await?;
    let ghost = h.unregistered_user();
    let what = format!("alice: send to {ghost}, who does not exist");
    let result = p.a.session.send(&OutgoingMessage::new(ConversationId::direct(&ghost), text(1))).await;
    let err = expect_kind(&what, result, ErrorKind::NotFound)?;
    ensure!(err.vendor.is_some(), "{what}: the NotFound carries no vendor code: {err}");

    if h.capabilities().admin_send {
        ensure_user(h, &p.alice).await?;
        let what = format!("admin: send as {} to {ghost}, who does not exist", p.alice);
        let result =
            h.admin().send_message(Some(&p.alice), &ghost, &text(2), &unim_core::message::new_client_id()).await;
        let err = expect_kind(&what, result, ErrorKind::NotFound)?;
        ensure!(err.vendor.is_some(), "{what}: the NotFound carries no vendor code: {err}");
    }

    // The session is unharmed: a message to a real user goes through.
    let ok = send(&*p.a.session, "alice", &p.bob, text(3)).await?;
    wait_messages(&mut p.b.events, "alice's message after the refusals", 1, in_conversation_with(&p.alice)).await?;
    expect_exactly(&mut p.b.events, &p.alice, &[ok], "only the message to a real user").await?;
    Ok(())
}
