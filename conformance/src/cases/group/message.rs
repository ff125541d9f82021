//! Group messages through the conversation API: each member gets one copy,
//! an offline member at its next login, with an unread count per member.

use super::{create_group, needs_public, offline_user, people, public_kind, spec_of};
use crate::case::{case_fn, require, Case};
use crate::cases::chat::{page_all, received, same_ids, text, wait_conversations, wait_messages, GAP};
use crate::cases::{log_in, same_platform_limit};
use crate::expect::{ensure, Events, Failure, ResultExt, StateChange};
use crate::harness::{Harness, SessionSetup};
use unim_core::{
    ConnectionState, Conversation, ConversationId, Direction, Message, MessageBody, MessageStatus, OutgoingMessage,
    Session,
};

/// `group.message`.
pub fn message() -> Case {
    Case {
        name: "group.message",
        about: "a group message is stored once (a retry too) and each online member gets it once as Incoming; an \
                offline member gets it at its next login; conversations() counts unread per member and mark_read \
                clears one member's count only; the app's send as a member arrives the same way, and the session's \
                and the admin's group histories list every message once, in order",
        needs: |c| {
            needs_public(c)?;
            require(c.group_messages, "group_messages")?;
            require(c.conversation_list, "conversation_list")?;
            require(c.mark_read, "mark_read")
        },
        run: case_fn!(group_message),
    }
}

/// Sends `body` from `session` to `group` and checks the sender's copy.
pub(crate) async fn send_group(session: &dyn Session, label: &str, out: &OutgoingMessage) -> Result<Message, Failure> {
    let sent = session.send(out).await.ctx(format!("{label}: send to group {}", out.to.peer))?;
    let me = session.current_user().unwrap_or_default();
    expect_group_copy(&format!("{label}: the copy send() returned"), &sent, &me, &out.to.peer, &out.body, &me)?;
    ensure!(sent.client_id == out.client_id, "{label}: send() returned client id {:?}", sent.client_id);
    ensure!(sent.status == MessageStatus::Sent, "{label}: send() returned status {:?}", sent.status);
    Ok(sent)
}

/// Checks that `m` is `viewer`'s copy of `from`'s message to `group` saying `body`.
pub(crate) fn expect_group_copy(
    what: &str,
    m: &Message,
    from: &str,
    group: &str,
    body: &MessageBody,
    viewer: &str,
) -> Result<(), Failure> {
    let direction = if viewer == from { Direction::Outgoing } else { Direction::Incoming };
    ensure!(!m.server_id.is_empty(), "{what}: the message has no server id");
    ensure!(m.from == from && m.to == group, "{what}: expected {from} -> {group}, got {} -> {}", m.from, m.to);
    ensure!(
        m.conversation == ConversationId::group(group),
        "{what}: the conversation should be {}, got {}",
        ConversationId::group(group),
        m.conversation
    );
    ensure!(m.direction == direction, "{what}: seen by {viewer}, expected {direction:?}, got {:?}", m.direction);
    ensure!(&m.body == body, "{what}: expected the body {body:?}, got {:?}", m.body);
    Ok(())
}

/// The messages of `group`'s conversation.
fn in_group(group: &str) -> impl Fn(&Message) -> bool + '_ {
    move |m: &Message| m.conversation == ConversationId::group(group)
}

/// Waits for `expected` in `group` on `events`, lets stragglers land, and
/// fails unless exactly those came, once each, in order, as `viewer`'s copies.
async fn expect_exactly(
    events: &mut Events,
    viewer: &str,
    group: &str,
    expected: &[Message],
    why: &str,
) -> Result<(), Failure> {
    let what = format!("{} message(s) in group {group} ({why})", expected.len());
    wait_messages(events, &what, expected.len(), in_group(group)).await?;
    events.settle().await;
    let got: Vec<Message> = events.seen().iter().filter_map(received).filter(|m| in_group(group)(m)).cloned().collect();
    same_ids(&got, expected).map_err(|m| events.failure(format!("{why}: {m}")))?;
    for (g, s) in got.iter().zip(expected) {
        expect_group_copy(&format!("{}: {why}", events.label()), g, &s.from, group, &s.body, viewer)?;
    }
    Ok(())
}

/// A check for [`wait_conversations`]: the group is listed with `last` as
/// its last message and `unread` unread.
fn group_listed(group: &str, last: &Message, unread: u32) -> impl Fn(&[Conversation]) -> Result<(), String> {
    let (id, last) = (ConversationId::group(group), last.clone());
    move |list: &[Conversation]| {
        let Some(c) = list.iter().find(|c| c.id == id) else {
            return Err(format!("the group {} is not listed", id.peer));
        };
        match &c.last_message {
            Some(m) if m.server_id == last.server_id => {}
            other => {
                let got = other.as_ref().map(|m| m.server_id.as_str());
                return Err(format!("the group's last message is {got:?}, expected {}", last.server_id));
            }
        }
        if c.unread == unread {
            Ok(())
        } else {
            Err(format!("the group has {} unread, expected {unread}", c.unread))
        }
    }
}

async fn group_message(h: &dyn Harness) -> Result<(), Failure> {
    let c = h.capabilities();
    let kind = public_kind(&c).expect("checked by needs");
    let [mut alice, mut bob] = people(h, ["alice", "bob"]).await?;
    let carol = offline_user(h).await?;
    let spec = spec_of("group.message", kind, &[&bob]).with_members([bob.user.clone(), carol.clone()]);
    let g = create_group(&alice, &spec).await?;
    let id = g.id.as_str();

    // The sender's other device, where the vendor copies to it.
    let mut alice2 = if c.multi_device_copy && same_platform_limit(&c).is_none_or(|n| n >= 2) {
        Some(log_in(h, "alice's second device", SessionSetup::default(), &alice.user).await?)
    } else {
        None
    };

    let first = OutgoingMessage::new(ConversationId::group(id), text(1));
    let m1 = send_group(alice.s(), "alice", &first).await?;
    let retry = send_group(alice.s(), "alice (the retry)", &first).await?;
    ensure!(
        retry.server_id == m1.server_id,
        "alice: a retry with the same client id got server id {}, the first send {}: stored twice",
        retry.server_id,
        m1.server_id
    );
    expect_exactly(&mut bob.on.events, &bob.user, id, std::slice::from_ref(&m1), "alice's message").await?;
    h.clock().advance(GAP);
    let m2 = send_group(bob.s(), "bob", &OutgoingMessage::new(ConversationId::group(id), text(2))).await?;
    expect_exactly(&mut alice.on.events, &alice.user, id, std::slice::from_ref(&m2), "bob's reply, not her own")
        .await?;
    expect_exactly(&mut bob.on.events, &bob.user, id, std::slice::from_ref(&m1), "no copy of his own send").await?;
    if let Some(other) = alice2.as_mut() {
        let what = "alice's second device: her message, then bob's";
        wait_messages(&mut other.events, what, 2, in_group(id)).await?;
        other.events.settle().await;
        let got: Vec<Message> =
            other.events.seen().iter().filter_map(received).filter(|m| in_group(id)(m)).cloned().collect();
        same_ids(&got, &[m1.clone(), m2.clone()]).map_err(|m| other.events.failure(format!("{what}: {m}")))?;
        ensure!(got[0].direction == Direction::Outgoing, "{what}: her own message came as {:?}", got[0].direction);
    }

    wait_conversations(bob.s(), "bob's list after the exchange", group_listed(id, &m2, 1)).await?;
    wait_conversations(alice.s(), "alice's list after the exchange", group_listed(id, &m2, 1)).await?;

    // The offline member gets both at its next login.
    let mut c_on = log_in(h, "carol", SessionSetup::default(), &carol).await?;
    if c.offline_sync || c.sync_phase {
        let seen = c_on.events.seen();
        let connected = seen
            .iter()
            .position(|e| StateChange::from_event(e).is_some_and(|s| s.state == ConnectionState::Connected))
            .unwrap_or(seen.len());
        let early = seen[..connected].iter().filter_map(received).filter(|m| in_group(id)(m)).count();
        ensure!(
            early == 2,
            "carol: the vendor syncs at login, so both group messages should come before Connected; {early} did"
        );
    }
    expect_exactly(&mut c_on.events, &carol, id, &[m1.clone(), m2.clone()], "the group messages of her absence")
        .await?;
    wait_conversations(&*c_on.session, "carol's list at login", group_listed(id, &m2, 2)).await?;
    c_on.session.mark_read(&ConversationId::group(id)).await.ctx("carol: mark_read of the group")?;
    wait_conversations(&*c_on.session, "carol's list after mark_read", group_listed(id, &m2, 0)).await?;
    wait_conversations(bob.s(), "bob's list after carol read hers", group_listed(id, &m2, 1)).await?;
    bob.s().mark_read(&ConversationId::group(id)).await.ctx("bob: mark_read of the group")?;
    wait_conversations(bob.s(), "bob's list after his mark_read", group_listed(id, &m2, 0)).await?;

    let mut all = vec![m1.clone(), m2.clone()];
    if c.admin_group_messages {
        // The app server sends as alice: one more message for everyone.
        h.clock().advance(GAP);
        let body = text(3);
        let admin = h.admin();
        let m3 = admin
            .send_group_message(Some(&alice.user), id, &body, &unim_core::message::new_client_id())
            .await
            .ctx("admin: send_group_message as alice")?;
        expect_group_copy("admin: the copy send_group_message returned", &m3, &alice.user, id, &body, &alice.user)?;
        all.push(m3.clone());
        expect_exactly(&mut bob.on.events, &bob.user, id, &[m1.clone(), m3.clone()], "and the app's, as alice").await?;
        expect_exactly(&mut c_on.events, &carol, id, &all, "and the app's, as alice").await?;
        let what = "admin: the group's history by pages of 2";
        let history = page_all(what, 2, 5, |cur| {
            let (admin, id) = (admin.clone(), id.to_owned());
            async move { admin.group_history(&id, cur.as_ref(), 2).await }
        })
        .await?;
        same_ids(&history, &all).map_err(|m| Failure::new(format!("{what}: {m}")))?;
    }
    if c.history {
        let what = "bob: the group's history by pages of 2";
        let conv = ConversationId::group(id);
        let history = page_all(what, 2, 5, |cur| {
            let (s, conv) = (bob.s(), &conv);
            async move { s.history(conv, cur.as_ref(), 2).await }
        })
        .await?;
        same_ids(&history, &all).map_err(|m| Failure::new(format!("{what}: {m}")))?;
        for (got, sent) in history.iter().zip(&all) {
            expect_group_copy(&format!("{what}: {}", got.server_id), got, &sent.from, id, &sent.body, &bob.user)?;
        }
    }
    Ok(())
}
