//! Delivery: messages that wait for an offline peer, long bursts, a link that
//! drops mid-stream, and the copies the sender's other devices get. Every
//! message arrives exactly once and in order.

use super::chat::{ensure_user, expect_copy, expect_exactly, needs_messages, pair, received, same_ids, send, text};
use super::multidevice::coexisting_platform;
use super::{log_in, TTL};
use crate::case::{case_fn, require, Case};
use crate::expect::{describe_all, ensure, Events, Failure, ResultExt, StateChange};
use crate::harness::{Harness, SessionSetup};
use unim_core::{ConnectionState, ConversationId, Event, Message, MessageStatus};

/// `message.offline_delivery`.
pub fn offline_delivery() -> Case {
    Case {
        name: "message.offline_delivery",
        about: "three messages sent while the peer is offline arrive in order, once each, when it logs in (inside the \
                sync, before SyncFinished and Connected, where the vendor syncs), and not again at its next login",
        needs: needs_messages,
        run: case_fn!(message_offline_delivery),
    }
}

/// `message.order`.
pub fn order() -> Case {
    Case {
        name: "message.order",
        about: "200 messages sent back to back arrive in the order they were sent, each exactly once",
        needs: needs_messages,
        run: case_fn!(message_order),
    }
}

/// `message.reconnect_delivery`.
pub fn reconnect_delivery() -> Case {
    Case {
        name: "message.reconnect_delivery",
        about: "the receiver's link drops while messages keep coming; after its reconnect every message has arrived \
                exactly once, in order",
        needs: |c| {
            needs_messages(c)?;
            require(c.auto_reconnect, "auto_reconnect")
        },
        run: case_fn!(message_reconnect_delivery),
    }
}

/// `message.multi_device_copy`.
pub fn multi_device_copy() -> Case {
    Case {
        name: "message.multi_device_copy",
        about: "what one device sends reaches the sender's other online device once (Outgoing); a reply reaches both",
        needs: |c| {
            needs_messages(c)?;
            require(c.multi_device_copy, "multi_device_copy")?;
            require(c.devices_total != 1, "a second device of one user (devices_total is 1)")
        },
        run: case_fn!(message_multi_device_copy),
    }
}

/// How many messages `message.order` sends.
const BURST: usize = 200;

fn is_connected(e: &Event) -> bool {
    StateChange::from_event(e).is_some_and(|c| c.state == ConnectionState::Connected)
}

async fn message_offline_delivery(h: &dyn Harness) -> Result<(), Failure> {
    let caps = h.capabilities();
    let (alice, bob) = (h.fresh_user(), h.fresh_user());
    ensure_user(h, &bob).await?;
    let a = log_in(h, "alice", SessionSetup::default(), &alice).await?;
    let mut sent = Vec::new();
    for i in 1..=3 {
        sent.push(send(&*a.session, "alice", &bob, text(i)).await?);
    }

    let s = h.session(SessionSetup::default());
    let mut events = Events::of("bob", &*s);
    let credentials = h.credentials(&bob, TTL).await.ctx(format!("minting credentials for {bob}"))?;
    s.login(credentials).await.ctx("bob: login with three messages waiting")?;
    let upto = events.events_until("Connected", is_connected).await?;
    if caps.offline_sync || caps.sync_phase {
        let start = upto.iter().position(|e| *e == Event::SyncStarted);
        let finish = upto.iter().position(|e| *e == Event::SyncFinished);
        let (Some(start), Some(finish)) = (start, finish) else {
            return Err(events.failure(format!(
                "the vendor syncs at login, but up to Connected there was no SyncStarted then SyncFinished: {}",
                describe_all(&upto)
            )));
        };
        let inside: Vec<Message> = upto[start.min(finish)..finish]
            .iter()
            .filter_map(received)
            .filter(|m| m.conversation == ConversationId::direct(&alice))
            .cloned()
            .collect();
        same_ids(&inside, &sent).map_err(|m| {
            events.failure(format!("the messages waiting should arrive between SyncStarted and SyncFinished: {m}"))
        })?;
    }
    let got = expect_exactly(&mut events, &alice, &sent, "three messages sent while bob was offline").await?;
    for (g, m) in got.iter().zip(&sent) {
        expect_copy("bob: a message synced at login", g, &alice, &bob, &m.body, &bob)?;
        ensure!(g.status == MessageStatus::Unread, "bob: a message synced at login has status {:?}", g.status);
    }
    s.logout().await.ctx("bob: logout")?;

    // Delivered once: the next login has nothing from alice.
    let mut again = log_in(h, "bob again", SessionSetup::default(), &bob).await?;
    again.events.settle().await;
    let repeated: Vec<&Message> = again.events.seen().iter().filter_map(received).collect();
    ensure!(
        repeated.is_empty(),
        "bob's next login announced {} message(s) again ({}); they were delivered at the previous login",
        repeated.len(),
        repeated.iter().map(|m| m.server_id.as_str()).collect::<Vec<_>>().join(", ")
    );
    Ok(())
}

async fn message_order(h: &dyn Harness) -> Result<(), Failure> {
    let mut p = pair(h).await?;
    let mut sent = Vec::with_capacity(BURST);
    for i in 0..BURST {
        sent.push(send(&*p.a.session, "alice", &p.bob, text(i)).await?);
    }
    expect_exactly(&mut p.b.events, &p.alice, &sent, &format!("{BURST} messages sent back to back")).await?;
    Ok(())
}

async fn message_reconnect_delivery(h: &dyn Harness) -> Result<(), Failure> {
    let mut p = pair(h).await?;
    let mut sent = Vec::new();
    for i in 0..10 {
        sent.push(send(&*p.a.session, "alice", &p.bob, text(i)).await?);
    }
    // Dropped without waiting: some of the ten may still be on their way.
    let dropped = h.drop_links(&p.bob);
    ensure!(dropped >= 1, "the backend had no live link of {} to drop", p.bob);
    for i in 10..20 {
        sent.push(send(&*p.a.session, "alice", &p.bob, text(i)).await?);
    }
    p.b.events.wait_state("Connected again after the dropped link", |c| c.state == ConnectionState::Connected).await?;
    for i in 20..30 {
        sent.push(send(&*p.a.session, "alice", &p.bob, text(i)).await?);
    }
    let why = "30 messages, the link dropped after the 10th and back before the 21st";
    expect_exactly(&mut p.b.events, &p.alice, &sent, why).await?;
    Ok(())
}

async fn message_multi_device_copy(h: &dyn Harness) -> Result<(), Failure> {
    let caps = h.capabilities();
    let first = h.platforms().into_iter().next().unwrap_or(unim_core::Platform::Web);
    let Some(other) = coexisting_platform(h, &caps, &first) else {
        return Err(Failure::new(format!(
            "the adapter claims multi_device_copy, but the harness offers no platform ({:?}) for a second device \
             beside one on {first:?} under the claimed limits",
            h.platforms()
        )));
    };
    let (alice, bob) = (h.fresh_user(), h.fresh_user());
    let mut a1 = log_in(h, "alice", SessionSetup::on(first), &alice).await?;
    let mut a2 = log_in(h, "alice's other device", SessionSetup::on(other), &alice).await?;
    let mut b = log_in(h, "bob", SessionSetup::default(), &bob).await?;

    let sent = send(&*a1.session, "alice", &bob, text(1)).await?;
    expect_exactly(&mut b.events, &alice, std::slice::from_ref(&sent), "alice's message").await?;
    let copies =
        expect_exactly(&mut a2.events, &bob, std::slice::from_ref(&sent), "the copy for alice's other device").await?;
    expect_copy("alice's other device: the copy", &copies[0], &alice, &bob, &sent.body, &alice)?;

    let reply = send(&*b.session, "bob", &alice, text(2)).await?;
    expect_exactly(&mut a1.events, &bob, std::slice::from_ref(&reply), "bob's reply, and nothing for its own send")
        .await?;
    expect_exactly(&mut a2.events, &bob, &[sent, reply], "the copy, then bob's reply").await?;
    Ok(())
}
