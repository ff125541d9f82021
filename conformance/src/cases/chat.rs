//! What the message, conversation and admin cases share: two users online,
//! sending, awaiting `MessageReceived` events, comparing what each side saw,
//! and paging a history to its end.

use super::{log_in, Online, TTL};
use crate::expect::{ensure, eventually, Events, Failure, ResultExt};
use crate::harness::{Harness, SessionSetup};
use std::future::Future;
use std::time::Duration;
use unim_core::{
    Capabilities, Conversation, ConversationId, Direction, Error, Event, HistoryCursor, HistoryPage, Message,
    MessageBody, OutgoingMessage, Session,
};

/// The gap the clock moves between the messages of a conversation whose
/// history is read back, as in a real conversation (bursts within one
/// millisecond are `message.order`'s business).
pub(crate) const GAP: Duration = Duration::from_secs(1);

/// The harness clock's time, Unix milliseconds.
pub(crate) fn clock_ms(h: &dyn Harness) -> u64 {
    use unim_core::Clock;
    h.clock().now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// `Ok` when the adapter claims one-to-one messages.
pub(crate) fn needs_messages(c: &Capabilities) -> Result<(), &'static str> {
    crate::case::require(c.messages, "messages")
}

/// Two users, each logged in on one session of the default platform.
pub(crate) struct Pair {
    /// The first user's id.
    pub alice: String,
    /// The first user's session (label `alice`).
    pub a: Online,
    /// The second user's id.
    pub bob: String,
    /// The second user's session (label `bob`).
    pub b: Online,
}

/// Logs two fresh users in.
pub(crate) async fn pair(h: &dyn Harness) -> Result<Pair, Failure> {
    let (alice, bob) = (h.fresh_user(), h.fresh_user());
    let a = log_in(h, "alice", SessionSetup::default(), &alice).await?;
    let b = log_in(h, "bob", SessionSetup::default(), &bob).await?;
    Ok(Pair { alice, a, bob, b })
}

/// Makes sure `user` exists on the backend without logging it in: the
/// harness's credentials register it where the vendor needs that, and the
/// admin registers it where it can (a vendor that registers at the first
/// login knows no user that never logged in).
pub(crate) async fn ensure_user(h: &dyn Harness, user: &str) -> Result<(), Failure> {
    h.credentials(user, TTL).await.ctx(format!("minting credentials for {user}"))?;
    if h.capabilities().admin_register {
        h.admin().register(user).await.ctx(format!("admin register {user}"))?;
    }
    Ok(())
}

/// A text for message `i` of a case (distinct, so a mix-up shows).
pub(crate) fn text(i: usize) -> MessageBody {
    MessageBody::text(format!("message {i} — ✓"))
}

/// Sends `body` from `session` to `peer` and returns the sender's copy.
pub(crate) async fn send(
    session: &dyn Session,
    label: &str,
    peer: &str,
    body: MessageBody,
) -> Result<Message, Failure> {
    let out = OutgoingMessage::new(ConversationId::direct(peer), body);
    send_out(session, label, &out).await
}

/// Sends `out` and checks the sender's copy against it.
pub(crate) async fn send_out(session: &dyn Session, label: &str, out: &OutgoingMessage) -> Result<Message, Failure> {
    let sent = session.send(out).await.ctx(format!("{label}: send to {}", out.to))?;
    let me = session.current_user().unwrap_or_default();
    expect_copy(&format!("{label}: the copy send() returned"), &sent, &me, &out.to.peer, &out.body, &me)?;
    ensure!(
        sent.client_id == out.client_id,
        "{label}: send() returned client id {:?} for a message sent with {:?}",
        sent.client_id,
        out.client_id
    );
    ensure!(
        sent.status == unim_core::MessageStatus::Sent,
        "{label}: send() returned status {:?}, expected Sent",
        sent.status
    );
    Ok(sent)
}

/// Checks that `m` is `viewer`'s copy of a message from `from` to `to`
/// saying `body`: the conversation is the other side, the direction follows
/// the viewer, the server id is set.
pub(crate) fn expect_copy(
    what: &str,
    m: &Message,
    from: &str,
    to: &str,
    body: &MessageBody,
    viewer: &str,
) -> Result<(), Failure> {
    let (peer, direction) = if viewer == from { (to, Direction::Outgoing) } else { (from, Direction::Incoming) };
    ensure!(!m.server_id.is_empty(), "{what}: the message has no server id");
    ensure!(m.from == from && m.to == to, "{what}: expected a message {from} -> {to}, got {} -> {}", m.from, m.to);
    ensure!(
        m.conversation == ConversationId::direct(peer),
        "{what}: seen by {viewer}, the conversation should be {}, got {}",
        ConversationId::direct(peer),
        m.conversation
    );
    ensure!(
        m.direction == direction,
        "{what}: seen by {viewer}, expected direction {direction:?}, got {:?}",
        m.direction
    );
    ensure!(&m.body == body, "{what}: expected the body {body:?}, got {:?}", m.body);
    Ok(())
}

/// The message of a `MessageReceived` event.
pub(crate) fn received(e: &Event) -> Option<&Message> {
    match e {
        Event::MessageReceived { message } => Some(message),
        _ => None,
    }
}

/// The messages announced on `events` so far that match `pred`, in order.
pub(crate) fn seen_messages(events: &Events, pred: impl Fn(&Message) -> bool) -> Vec<Message> {
    events.seen().iter().filter_map(received).filter(|m| pred(m)).cloned().collect()
}

/// Waits until `n` messages matching `pred` have been announced on `events`
/// (counting those seen already), each within the usual wait of the one
/// before, and returns them in order.
pub(crate) async fn wait_messages(
    events: &mut Events,
    what: &str,
    n: usize,
    pred: impl Fn(&Message) -> bool,
) -> Result<Vec<Message>, Failure> {
    let mut got = seen_messages(events, &pred).len();
    while got < n {
        let waiting = format!("{what} ({got} of {n} so far)");
        events.wait_for(&waiting, |e| received(e).is_some_and(&pred)).await?;
        got += 1;
    }
    Ok(seen_messages(events, &pred))
}

/// The messages of the conversation with `peer` as announced on `events`.
pub(crate) fn in_conversation_with(peer: &str) -> impl Fn(&Message) -> bool + '_ {
    move |m: &Message| m.conversation == ConversationId::direct(peer)
}

/// Waits for `expected` (by server id, in order) on `events` in the
/// conversation with `peer`, lets stragglers land, and fails unless exactly
/// those came, once each, in that order.
pub(crate) async fn expect_exactly(
    events: &mut Events,
    peer: &str,
    expected: &[Message],
    why: &str,
) -> Result<Vec<Message>, Failure> {
    let what = format!("{} message(s) in the conversation with {peer} ({why})", expected.len());
    wait_messages(events, &what, expected.len(), in_conversation_with(peer)).await?;
    events.settle().await;
    let got = seen_messages(events, in_conversation_with(peer));
    same_ids(&got, expected).map_err(|m| events.failure(format!("{why}: {m}")))?;
    Ok(got)
}

/// `Err` saying how `got` differs from `expected`, by server id: missing,
/// duplicated, extra or out of order.
pub(crate) fn same_ids(got: &[Message], expected: &[Message]) -> Result<(), String> {
    let got_ids: Vec<&str> = got.iter().map(|m| m.server_id.as_str()).collect();
    let want: Vec<&str> = expected.iter().map(|m| m.server_id.as_str()).collect();
    if got_ids == want {
        return Ok(());
    }
    let count = |ids: &[&str], id: &str| ids.iter().filter(|&&x| x == id).count();
    let dup = got_ids.iter().find(|id| count(&got_ids, id) > 1);
    let missing = want.iter().filter(|id| !got_ids.contains(id)).count();
    let extra = got_ids.iter().filter(|id| !want.contains(id)).count();
    let first = got_ids.iter().zip(&want).position(|(g, w)| g != w).unwrap_or(got_ids.len().min(want.len()));
    Err(format!(
        "expected {} message(s), got {}: {missing} missing, {extra} unexpected, {}; first difference at #{first} \
         (expected {:?}, got {:?})",
        want.len(),
        got_ids.len(),
        dup.map_or_else(|| "no duplicates".to_owned(), |d| format!("{d} more than once")),
        want.get(first),
        got_ids.get(first)
    ))
}

/// Pages a history backwards from the newest page to the end (at most
/// `max_pages`), checking each page: at most `limit` messages, oldest first,
/// older than the page before, a cursor that moves. Returns every message,
/// oldest first.
pub(crate) async fn page_all<F, Fut>(
    what: &str,
    limit: usize,
    max_pages: usize,
    mut fetch: F,
) -> Result<Vec<Message>, Failure>
where
    F: FnMut(Option<HistoryCursor>) -> Fut,
    Fut: Future<Output = Result<HistoryPage, Error>>,
{
    let mut pages: Vec<Vec<Message>> = Vec::new();
    let mut cursor: Option<HistoryCursor> = None;
    loop {
        let n = pages.len() + 1;
        ensure!(n <= max_pages, "{what}: still not at the end after {max_pages} pages of at most {limit}");
        let page = fetch(cursor.clone()).await.ctx(format!("{what}: page {n}"))?;
        let len = page.messages.len();
        ensure!(len <= limit, "{what}: page {n} has {len} messages, more than the limit {limit}");
        let times: Vec<u64> = page.messages.iter().map(|m| m.server_time_ms).collect();
        ensure!(times.windows(2).all(|w| w[0] <= w[1]), "{what}: page {n} is not oldest first (times {times:?})");
        if let (Some(last), Some(newer)) = (page.messages.last(), pages.last().and_then(|p| p.first())) {
            ensure!(
                last.server_time_ms <= newer.server_time_ms,
                "{what}: page {n} ends with a message newer than the start of page {}",
                n - 1
            );
        }
        pages.push(page.messages);
        match page.older {
            None => break,
            Some(next) => {
                ensure!(cursor.as_ref() != Some(&next), "{what}: page {n} hands back the cursor it was asked with");
                cursor = Some(next);
            }
        }
    }
    Ok(pages.into_iter().rev().flatten().collect())
}

/// `session`'s whole history with `peer`, paged by `limit`.
pub(crate) async fn session_history(
    session: &dyn Session,
    label: &str,
    peer: &str,
    limit: usize,
    max_pages: usize,
) -> Result<Vec<Message>, Failure> {
    let id = ConversationId::direct(peer);
    let what = format!("{label}: history with {peer} by pages of {limit}");
    page_all(&what, limit, max_pages, |c| {
        let id = &id;
        async move { session.history(id, c.as_ref(), limit).await }
    })
    .await
}

/// The conversation with `peer` in `list`.
pub(crate) fn find_conversation<'a>(list: &'a [Conversation], peer: &str) -> Option<&'a Conversation> {
    list.iter().find(|c| c.id == ConversationId::direct(peer))
}

/// Short form of a conversation list for failure messages.
pub(crate) fn describe_list(list: &[Conversation]) -> String {
    let parts: Vec<String> = list
        .iter()
        .map(|c| {
            let last = c.last_message.as_ref().map_or("none", |m| m.server_id.as_str());
            format!("{} (unread {}, last {last})", c.id, c.unread)
        })
        .collect();
    format!("[{}]", parts.join(", "))
}

/// Waits (bounded) until `session`'s conversation list satisfies `check`
/// (which says what is wrong otherwise), and returns it.
pub(crate) async fn wait_conversations(
    session: &dyn Session,
    what: &str,
    check: impl Fn(&[Conversation]) -> Result<(), String>,
) -> Result<Vec<Conversation>, Failure> {
    wait_list(what, || session.conversations(), check).await
}

/// Waits (bounded) until the list `fetch` answers satisfies `check`, and returns it.
pub(crate) async fn wait_list<F, Fut>(
    what: &str,
    fetch: F,
    check: impl Fn(&[Conversation]) -> Result<(), String>,
) -> Result<Vec<Conversation>, Failure>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<Vec<Conversation>, Error>>,
{
    let (check, fetch) = (&check, &fetch);
    eventually(what, || async move {
        match fetch().await {
            Ok(list) => match check(&list) {
                Ok(()) => Ok(list),
                Err(why) => Err(format!("{why}; the list is {}", describe_list(&list))),
            },
            Err(e) => Err(format!("the conversation list failed: {e}")),
        }
    })
    .await
}

/// A check for [`wait_conversations`]: the conversation with `peer` is
/// listed, its last message is `last` (by server id) and, when given, its
/// unread count is `unread`.
pub(crate) fn listed_with(
    peer: &str,
    last: &Message,
    unread: Option<u32>,
) -> impl Fn(&[Conversation]) -> Result<(), String> {
    let (peer, last) = (peer.to_owned(), last.clone());
    move |list: &[Conversation]| {
        let Some(c) = find_conversation(list, &peer) else {
            return Err(format!("no conversation with {peer}"));
        };
        match &c.last_message {
            Some(m) if m.server_id == last.server_id && m.body == last.body => {}
            Some(m) if m.server_id == last.server_id => {
                return Err(format!("the last message with {peer} says {:?}, expected {:?}", m.body, last.body))
            }
            Some(m) => {
                return Err(format!("the last message with {peer} is {}, expected {}", m.server_id, last.server_id))
            }
            None => return Err(format!("the conversation with {peer} has no last message")),
        }
        match unread {
            Some(n) if c.unread != n => {
                Err(format!("the conversation with {peer} has {} unread, expected {n}", c.unread))
            }
            _ => Ok(()),
        }
    }
}
