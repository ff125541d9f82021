//! The app server's messages: sending as a user (and as the app admin),
//! reading a pair's history and a user's conversations over the vendor's
//! server API, matching what the sessions saw.

use super::chat::{
    ensure_user, expect_copy, expect_exactly, in_conversation_with, listed_with, needs_messages, page_all, pair,
    same_ids, send, text, wait_list, wait_messages, GAP,
};
use super::log_in;
use crate::case::{case_fn, require, Case};
use crate::expect::{ensure, Failure, ResultExt};
use crate::harness::{Harness, SessionSetup};
use unim_core::message::new_client_id;
use unim_core::{ErrorKind, Message, MessageBody};

/// `admin.send_as_user`.
pub fn send_as_user() -> Case {
    Case {
        name: "admin.send_as_user",
        about: "a message the admin sends as a user reaches the online peer once, with the server id the admin got \
                back; one sent as the app admin (where the vendor has one) too",
        needs: |c| {
            needs_messages(c)?;
            require(c.admin_send, "admin_send")
        },
        run: case_fn!(admin_send_as_user),
    }
}

/// `admin.history`.
pub fn history() -> Case {
    Case {
        name: "admin.history",
        about:
            "the admin pages a pair's history backwards from either user's side and finds exactly what the sessions \
                sent and received, in order, with the right directions",
        needs: |c| {
            needs_messages(c)?;
            require(c.admin_history, "admin_history")
        },
        run: case_fn!(admin_history),
    }
}

/// `admin.conversations`.
pub fn conversations() -> Case {
    Case {
        name: "admin.conversations",
        about: "the admin lists each side's conversation with its last message",
        needs: |c| {
            needs_messages(c)?;
            require(c.admin_conversations, "admin_conversations")
        },
        run: case_fn!(admin_conversations),
    }
}

/// The page size of the admin's history reads.
const PAGE: usize = 4;

async fn admin_send_as_user(h: &dyn Harness) -> Result<(), Failure> {
    let (alice, bob) = (h.fresh_user(), h.fresh_user());
    ensure_user(h, &alice).await?;
    let mut b = log_in(h, "bob", SessionSetup::default(), &bob).await?;
    let admin = h.admin();

    let body = MessageBody::text("sent by the app server as alice");
    let sent = admin.send_message(Some(&alice), &bob, &body, &new_client_id()).await.ctx("admin: send as alice")?;
    expect_copy("admin: the copy of a message sent as alice", &sent, &alice, &bob, &body, &alice)?;
    let got = expect_exactly(&mut b.events, &alice, std::slice::from_ref(&sent), "the message sent as alice").await?;
    expect_copy("bob: the message sent as alice", &got[0], &alice, &bob, &body, &bob)?;

    let body = text(2);
    match admin.send_message(None, &bob, &body, &new_client_id()).await {
        Ok(sent) => {
            let from = sent.from.clone();
            ensure!(!from.is_empty() && from != bob, "admin: a message as the app admin says it is from {from:?}");
            expect_copy("admin: the copy of a message as the app admin", &sent, &from, &bob, &body, &from)?;
            let got =
                expect_exactly(&mut b.events, &from, std::slice::from_ref(&sent), "the app admin's message").await?;
            expect_copy("bob: the app admin's message", &got[0], &from, &bob, &body, &bob)?;
        }
        Err(e) if e.kind == ErrorKind::Unsupported => {}
        Err(e) => return Err(Failure::new(format!("admin: send as the app admin: unexpected error: {e}"))),
    }
    Ok(())
}

/// The admin's whole history of `user` with `peer`, by pages of [`PAGE`].
async fn admin_pages(h: &dyn Harness, user: &str, peer: &str, max_pages: usize) -> Result<Vec<Message>, Failure> {
    let admin = h.admin();
    let what = format!("admin: history of {user} with {peer} by pages of {PAGE}");
    page_all(&what, PAGE, max_pages, |c| {
        let admin = admin.clone();
        async move { admin.history(user, peer, c.as_ref(), PAGE).await }
    })
    .await
}

async fn admin_history(h: &dyn Harness) -> Result<(), Failure> {
    let mut p = pair(h).await?;
    let mut sent = Vec::new();
    for i in 0..6 {
        let m = if i % 2 == 0 {
            send(&*p.a.session, "alice", &p.bob, text(i)).await?
        } else {
            send(&*p.b.session, "bob", &p.alice, text(i)).await?
        };
        sent.push(m);
        h.clock().advance(GAP);
    }
    // What the sessions saw.
    let (to_bob, to_alice): (Vec<Message>, Vec<Message>) = sent.iter().cloned().partition(|m| m.from == p.alice);
    expect_exactly(&mut p.b.events, &p.alice, &to_bob, "alice's three").await?;
    expect_exactly(&mut p.a.events, &p.bob, &to_alice, "bob's three").await?;

    let max_pages = sent.len() / PAGE + 3;
    for (user, peer) in [(&p.alice, &p.bob), (&p.bob, &p.alice)] {
        let got = admin_pages(h, user, peer, max_pages).await?;
        same_ids(&got, &sent).map_err(|m| Failure::new(format!("admin: history of {user} with {peer}: {m}")))?;
        for (g, s) in got.iter().zip(&sent) {
            expect_copy(&format!("admin: history of {user}"), g, &s.from, &s.to, &s.body, user)?;
        }
    }
    Ok(())
}

async fn admin_conversations(h: &dyn Harness) -> Result<(), Failure> {
    let mut p = pair(h).await?;
    let mut last = None;
    for i in 0..2 {
        last = Some(send(&*p.a.session, "alice", &p.bob, text(i)).await?);
        h.clock().advance(GAP);
    }
    let last = last.expect("two sent");
    wait_messages(&mut p.b.events, "alice's two messages", 2, in_conversation_with(&p.alice)).await?;
    let admin = h.admin();
    for (user, peer) in [(&p.bob, &p.alice), (&p.alice, &p.bob)] {
        let what = format!("admin: the conversations of {user}");
        wait_list(&what, || admin.conversations(user), listed_with(peer, &last, None)).await?;
    }
    Ok(())
}
