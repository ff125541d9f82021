//! The sync before `Connected`. The offline sync: a login with messages
//! waiting pulls them between `SyncStarted` and `SyncFinished`, in the
//! `Syncing` state, before it is `Connected`; a login with nothing waiting
//! does not sync at all, unless the vendor syncs on every login
//! (`sync_phase`), in which case it goes through exactly one (empty) sync.
//! The data sync: with `sync_phase`, every login and every re-login after a
//! dropped link passes through exactly one sync.

use super::{log_in, TTL};
use crate::case::{case_fn, require, Case};
use crate::expect::{describe_all, describe_changes, Events, Failure, ResultExt, StateChange};
use crate::harness::{Harness, SessionSetup};
use unim_core::{ConnectionState, Event};

/// How many messages wait for the offline user.
const WAITING: usize = 3;

/// `sync.offline_messages`.
pub fn offline_messages() -> Case {
    Case {
        name: "sync.offline_messages",
        about:
            "a login with messages waiting goes Connecting, Authenticating, Syncing, Connected with one SyncStarted \
                and one SyncFinished before Connected; with nothing waiting, no Syncing and no sync events (one empty \
                sync where every login syncs)",
        needs: |c| require(c.offline_sync, "offline_sync"),
        run: case_fn!(sync_offline_messages),
    }
}

/// `sync.data_sync`.
pub fn data_sync() -> Case {
    Case {
        name: "sync.data_sync",
        about: "every login and every re-login after a dropped link goes through Syncing with exactly one \
                SyncStarted then one SyncFinished, both before Connected",
        needs: |c| require(c.sync_phase, "sync_phase"),
        run: case_fn!(sync_data_sync),
    }
}

fn is_sync_event(e: &Event) -> bool {
    matches!(e, Event::SyncStarted | Event::SyncFinished)
}

fn is_connected(e: &Event) -> bool {
    StateChange::from_event(e).is_some_and(|c| c.state == ConnectionState::Connected)
}

/// Logs `user` in on a new session (labelled `label`) and returns its events
/// up to and including `Connected`, with the session kept alive in `Events`'s
/// owner.
async fn login_events(
    h: &dyn Harness,
    label: &str,
    user: &str,
) -> Result<(Box<dyn unim_core::Session>, Events, Vec<Event>), Failure> {
    let s = h.session(SessionSetup::default());
    let mut events = Events::of(label, &*s);
    let creds = h.credentials(user, TTL).await.ctx(format!("{label}: minting credentials for {user}"))?;
    s.login(creds).await.ctx(format!("{label}: login as {user}"))?;
    let seen = events.events_until("Connected", is_connected).await?;
    Ok((s, events, seen))
}

/// Checks that `seen` (the events of one login, ending with `Connected`)
/// went `Connecting, Authenticating, Syncing, Connected` with exactly one
/// `SyncStarted` after `Authenticating` and one `SyncFinished` after it, both
/// before `Connected`. `why` says what kind of login it was.
fn expect_one_sync(events: &Events, seen: &[Event], why: &str) -> Result<(), Failure> {
    let path: Vec<StateChange> = seen.iter().filter_map(StateChange::from_event).collect();
    let states: Vec<&ConnectionState> = path.iter().map(|c| &c.state).collect();
    {
        use ConnectionState::*;
        if !matches!(states.as_slice(), [Connecting, Authenticating, Syncing, Connected]) {
            return Err(events.failure(format!(
                "{why}, expected the states Connecting, Authenticating, Syncing, Connected; got {}",
                describe_changes(&path)
            )));
        }
    }
    let authenticating = seen
        .iter()
        .position(|e| StateChange::from_event(e).is_some_and(|c| c.state == ConnectionState::Authenticating))
        .unwrap_or(0);
    let connected = seen.len() - 1;
    let started: Vec<usize> = (0..seen.len()).filter(|&i| seen[i] == Event::SyncStarted).collect();
    let finished: Vec<usize> = (0..seen.len()).filter(|&i| seen[i] == Event::SyncFinished).collect();
    match (started.as_slice(), finished.as_slice()) {
        ([start], [finish]) if authenticating < *start && start < finish && *finish < connected => Ok(()),
        _ => Err(events.failure(format!(
            "{why}, expected exactly one SyncStarted after Authenticating and exactly one SyncFinished after it, \
             both before Connected; up to Connected got {}",
            describe_all(seen)
        ))),
    }
}

/// Fails if a sync event arrives after `Connected` (the sync was announced already).
async fn expect_no_later_sync(events: &mut Events, why: &str) -> Result<(), Failure> {
    let later: Vec<Event> = events.settle().await.into_iter().filter(is_sync_event).collect();
    if later.is_empty() {
        Ok(())
    } else {
        Err(events.failure(format!(
            "{why}: after Connected came {}; the sync was announced once already",
            describe_all(&later)
        )))
    }
}

/// Checks a login with nothing waiting, for a vendor that syncs only when
/// something waits: no `Syncing`, no sync events.
async fn expect_no_sync(events: &mut Events, seen: Vec<Event>, why: &str) -> Result<(), Failure> {
    let path: Vec<StateChange> = seen.iter().filter_map(StateChange::from_event).collect();
    let states: Vec<&ConnectionState> = path.iter().map(|c| &c.state).collect();
    {
        use ConnectionState::*;
        if !matches!(states.as_slice(), [Connecting, Authenticating, Connected]) {
            return Err(events.failure(format!(
                "{why}, expected the states Connecting, Authenticating, Connected; got {}",
                describe_changes(&path)
            )));
        }
    }
    let mut sync: Vec<Event> = seen.into_iter().filter(is_sync_event).collect();
    sync.extend(events.settle().await.into_iter().filter(is_sync_event));
    if !sync.is_empty() {
        return Err(
            events.failure(format!("{why}, expected no SyncStarted or SyncFinished; got {}", describe_all(&sync)))
        );
    }
    Ok(())
}

/// Where the adapter claims `messages`: waits (bounded) until `expected`
/// messages from `from` have been announced on `events` (counting those
/// already seen), then fails if a different number came.
async fn expect_messages_from(events: &mut Events, from: &str, expected: usize, why: &str) -> Result<(), Failure> {
    let is_from = |e: &Event| matches!(e, Event::MessageReceived { message } if message.from == from);
    let mut got = events.seen().iter().filter(|e| is_from(e)).count();
    if got < expected {
        let what = format!("{expected} MessageReceived from {from} ({why})");
        events
            .wait_for(&what, |e| {
                got += usize::from(is_from(e));
                got >= expected
            })
            .await?;
    }
    events.settle().await;
    let got = events.seen().iter().filter(|e| is_from(e)).count();
    if got == expected {
        Ok(())
    } else {
        Err(events.failure(format!("{why}: expected {expected} MessageReceived from {from}, got {got}")))
    }
}

async fn sync_offline_messages(h: &dyn Harness) -> Result<(), Failure> {
    let every_login_syncs = h.capabilities().sync_phase;
    let observable = h.capabilities().messages;

    // A user with messages waiting.
    let sender = h.fresh_user();
    let receiver = h.fresh_user();
    h.queue_offline_messages(&sender, &receiver, WAITING)
        .await
        .ctx(format!("queueing {WAITING} messages from {sender} for the offline {receiver}"))?;
    let (s, mut events, seen) = login_events(h, "receiver", &receiver).await?;
    expect_one_sync(&events, &seen, &format!("with {WAITING} messages waiting"))?;
    expect_no_later_sync(&mut events, "with messages waiting").await?;
    if observable {
        expect_messages_from(&mut events, &sender, WAITING, "the messages waiting for the receiver").await?;
    }
    s.logout().await.ctx("receiver: logout")?;

    // A user with nothing waiting: no Syncing, no sync events (the Easemob
    // SDK fires onOfflineMessageSyncStart only for a non-empty UNREAD list,
    // docs/protocols/easemob.md 5), or, where every login syncs (NetEase's
    // dataSyncStart and dataSyncFinish), exactly one empty sync.
    let idle = h.fresh_user();
    let (s, mut events, seen) = login_events(h, "idle user", &idle).await?;
    if every_login_syncs {
        expect_one_sync(&events, &seen, "with nothing waiting (the vendor syncs on every login)")?;
        expect_no_later_sync(&mut events, "with nothing waiting").await?;
    } else {
        expect_no_sync(&mut events, seen, "with nothing waiting").await?;
    }
    s.logout().await.ctx("idle user: logout")?;

    // The receiver's messages were consumed by its first sync: logging in
    // again finds nothing waiting. Where every login syncs, the second login
    // still goes through one (now empty) sync; that it delivers nothing can
    // be seen only where the adapter claims `messages`.
    let (_s, mut events, seen) = login_events(h, "receiver again", &receiver).await?;
    let why = "the messages were synced by the previous login, so logging in again has nothing to sync";
    if every_login_syncs {
        expect_one_sync(&events, &seen, &format!("{why} (the vendor still syncs on every login)"))?;
        expect_no_later_sync(&mut events, why).await?;
    } else {
        expect_no_sync(&mut events, seen, why).await?;
    }
    if observable {
        expect_messages_from(&mut events, &sender, 0, why).await?;
    }
    Ok(())
}

async fn sync_data_sync(h: &dyn Harness) -> Result<(), Failure> {
    // The first login of a user with nothing waiting.
    let user = h.fresh_user();
    let (s, mut events, seen) = login_events(h, "session", &user).await?;
    expect_one_sync(&events, &seen, "a first login with nothing waiting")?;
    expect_no_later_sync(&mut events, "after the first login").await?;

    // A re-login after a dropped link: Reconnecting, then one more full login with one sync.
    let dropped = h.drop_links(&user);
    if dropped == 0 {
        return Err(Failure::new(format!("the backend had no live link of {user} to drop after a successful login")));
    }
    let again = events.events_until("Connected after the dropped link", is_connected).await?;
    let first_retry = again.iter().position(|e| {
        StateChange::from_event(e).is_some_and(|c| matches!(c.state, ConnectionState::Reconnecting { .. }))
    });
    let Some(first_retry) = first_retry else {
        return Err(events.failure(format!(
            "after the dropped link, expected Reconnecting before Connected again; got {}",
            describe_all(&again)
        )));
    };
    let last_retry = again
        .iter()
        .rposition(|e| {
            StateChange::from_event(e).is_some_and(|c| matches!(c.state, ConnectionState::Reconnecting { .. }))
        })
        .unwrap_or(first_retry);
    let before: Vec<&Event> =
        again[..first_retry].iter().filter(|e| is_sync_event(e) || StateChange::from_event(e).is_some()).collect();
    if !before.is_empty() {
        return Err(events.failure(format!(
            "after the dropped link, the first state change should be Reconnecting; before it came {}",
            describe_all(before)
        )));
    }
    expect_one_sync(&events, &again[last_retry + 1..], "a re-login after a dropped link")?;
    expect_no_later_sync(&mut events, "after the re-login").await?;
    s.ping().await.ctx("ping after the re-login")?;
    s.logout().await.ctx("logout")?;

    // A second device of the same user, with a session of its own: one sync too.
    let on = log_in(h, "another login", SessionSetup::default(), &user).await?;
    expect_one_sync(&on.events, on.events.seen(), "a later login of the same user")?;
    Ok(())
}
