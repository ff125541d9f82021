//! Conversations: each side's list with the last message and the unread
//! count, marking one read, paging its history backwards, deleting it.

use super::chat::{
    expect_copy, find_conversation, in_conversation_with, listed_with, needs_messages, pair, same_ids, send,
    session_history, text, wait_conversations, wait_messages, GAP,
};
use super::log_in;
use crate::case::{case_fn, require, Case};
use crate::expect::{Failure, ResultExt};
use crate::harness::{Harness, SessionSetup};
use unim_core::ConversationId;

/// `conversation.list`.
pub fn list() -> Case {
    Case {
        name: "conversation.list",
        about:
            "after messages, both sides list the conversation with its last message; the receiver's unread count is \
                the number received, the sender's 0; the most recently updated conversation comes first",
        needs: |c| {
            needs_messages(c)?;
            require(c.conversation_list, "conversation_list")
        },
        run: case_fn!(conversation_list),
    }
}

/// `conversation.mark_read`.
pub fn mark_read() -> Case {
    Case {
        name: "conversation.mark_read",
        about: "marking a conversation read brings its unread count to 0, also for the user's next login; a later \
                message counts 1 again",
        needs: |c| {
            needs_messages(c)?;
            require(c.conversation_list, "conversation_list")?;
            require(c.mark_read, "mark_read")
        },
        run: case_fn!(conversation_mark_read),
    }
}

/// `conversation.history`.
pub fn history() -> Case {
    Case {
        name: "conversation.history",
        about: "150 messages paged backwards by 20 from either side: every message exactly once, in order, each page \
                oldest first, until the cursor runs out",
        needs: |c| {
            needs_messages(c)?;
            require(c.history, "history")
        },
        run: case_fn!(conversation_history),
    }
}

/// `conversation.delete`.
pub fn delete() -> Case {
    Case {
        name: "conversation.delete",
        about: "a deleted conversation leaves the user's list (not the peer's) and comes back with the next message",
        needs: |c| {
            needs_messages(c)?;
            require(c.conversation_list, "conversation_list")?;
            require(c.delete_conversation, "delete_conversation")
        },
        run: case_fn!(conversation_delete),
    }
}

/// How many messages `conversation.history` pages through, and by how many.
const HISTORY: usize = 150;
const PAGE: usize = 20;

async fn conversation_list(h: &dyn Harness) -> Result<(), Failure> {
    let mut p = pair(h).await?;
    let mut sent = Vec::new();
    for i in 0..3 {
        sent.push(send(&*p.a.session, "alice", &p.bob, text(i)).await?);
        h.clock().advance(GAP);
    }
    wait_messages(&mut p.b.events, "alice's three messages", 3, in_conversation_with(&p.alice)).await?;
    let last = sent.last().expect("three sent");
    wait_conversations(&*p.a.session, "alice's list after sending three", listed_with(&p.bob, last, Some(0))).await?;
    let list =
        wait_conversations(&*p.b.session, "bob's list after three from alice", listed_with(&p.alice, last, Some(3)))
            .await?;
    let seen = find_conversation(&list, &p.alice).and_then(|c| c.last_message.clone()).expect("checked");
    expect_copy("bob's list: the last message", &seen, &p.alice, &p.bob, &last.body, &p.bob)?;

    // A newer conversation comes first.
    let carol = h.fresh_user();
    let c = log_in(h, "carol", SessionSetup::default(), &carol).await?;
    let from_carol = send(&*c.session, "carol", &p.bob, text(9)).await?;
    wait_messages(&mut p.b.events, "carol's message", 1, in_conversation_with(&carol)).await?;
    let (with_carol, with_alice) = (listed_with(&carol, &from_carol, Some(1)), listed_with(&p.alice, last, Some(3)));
    let (carol_id, alice_id) = (ConversationId::direct(&carol), ConversationId::direct(&p.alice));
    wait_conversations(&*p.b.session, "bob's list after carol wrote", |l| {
        with_carol(l)?;
        with_alice(l)?;
        let pos = |id: &ConversationId| l.iter().position(|c| &c.id == id);
        if pos(&carol_id) < pos(&alice_id) {
            Ok(())
        } else {
            Err("the conversation with carol (updated last) should come before the one with alice".into())
        }
    })
    .await?;
    Ok(())
}

async fn conversation_mark_read(h: &dyn Harness) -> Result<(), Failure> {
    let mut p = pair(h).await?;
    let mut sent = Vec::new();
    for i in 0..2 {
        sent.push(send(&*p.a.session, "alice", &p.bob, text(i)).await?);
        h.clock().advance(GAP);
    }
    wait_messages(&mut p.b.events, "alice's two messages", 2, in_conversation_with(&p.alice)).await?;
    let last = sent.last().expect("two sent").clone();
    wait_conversations(&*p.b.session, "bob's list before marking", listed_with(&p.alice, &last, Some(2))).await?;

    let id = ConversationId::direct(&p.alice);
    p.b.session.mark_read(&id).await.ctx("bob: mark_read")?;
    wait_conversations(&*p.b.session, "bob's list after mark_read", listed_with(&p.alice, &last, Some(0))).await?;
    p.b.session.mark_read(&id).await.ctx("bob: mark_read again, with nothing unread")?;

    // The mark holds for the user's next login.
    p.b.session.logout().await.ctx("bob: logout")?;
    let mut again = log_in(h, "bob again", SessionSetup::default(), &p.bob).await?;
    wait_conversations(&*again.session, "bob's list at his next login", listed_with(&p.alice, &last, Some(0))).await?;

    let third = send(&*p.a.session, "alice", &p.bob, text(3)).await?;
    wait_messages(&mut again.events, "alice's message after the mark", 1, in_conversation_with(&p.alice)).await?;
    wait_conversations(&*again.session, "bob's list after one more message", listed_with(&p.alice, &third, Some(1)))
        .await?;
    Ok(())
}

async fn conversation_history(h: &dyn Harness) -> Result<(), Failure> {
    let p = pair(h).await?;
    let mut sent = Vec::with_capacity(HISTORY);
    for i in 0..HISTORY {
        sent.push(send(&*p.a.session, "alice", &p.bob, text(i)).await?);
        h.clock().advance(GAP);
    }
    let max_pages = HISTORY / PAGE + 3;
    for (session, viewer, peer) in [(&p.b.session, &p.bob, &p.alice), (&p.a.session, &p.alice, &p.bob)] {
        let label = viewer.as_str();
        let got = session_history(&**session, label, peer, PAGE, max_pages).await?;
        same_ids(&got, &sent).map_err(|m| Failure::new(format!("{label}'s history with {peer}: {m}")))?;
        for (g, s) in got.iter().zip(&sent) {
            expect_copy(&format!("{label}'s history"), g, &p.alice, &p.bob, &s.body, viewer)?;
        }
    }
    Ok(())
}

async fn conversation_delete(h: &dyn Harness) -> Result<(), Failure> {
    let mut p = pair(h).await?;
    let first = send(&*p.a.session, "alice", &p.bob, text(1)).await?;
    wait_messages(&mut p.b.events, "alice's message", 1, in_conversation_with(&p.alice)).await?;
    wait_conversations(&*p.b.session, "bob's list before deleting", listed_with(&p.alice, &first, None)).await?;

    p.b.session.delete_conversation(&ConversationId::direct(&p.alice)).await.ctx("bob: delete_conversation")?;
    let alice = p.alice.clone();
    wait_conversations(&*p.b.session, "bob's list after deleting the conversation with alice", |l| {
        match find_conversation(l, &alice) {
            Some(_) => Err(format!("the conversation with {alice} is still listed")),
            None => Ok(()),
        }
    })
    .await?;
    wait_conversations(&*p.a.session, "alice's list keeps hers", listed_with(&p.bob, &first, None)).await?;

    h.clock().advance(GAP);
    let second = send(&*p.a.session, "alice", &p.bob, text(2)).await?;
    wait_messages(&mut p.b.events, "alice's next message", 2, in_conversation_with(&p.alice)).await?;
    wait_conversations(&*p.b.session, "bob's list after alice wrote again", listed_with(&p.alice, &second, None))
        .await?;
    Ok(())
}
