//! The offline sync: a login with messages waiting pulls them between
//! `SyncStarted` and `SyncFinished`, in the `Syncing` state, before it is
//! `Connected`; a login with nothing waiting does not sync at all.

use super::TTL;
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
                and one SyncFinished before Connected; with nothing waiting, no Syncing and no sync events",
        needs: |c| require(c.offline_sync, "offline_sync"),
        run: case_fn!(sync_offline_messages),
    }
}

fn is_sync_event(e: &Event) -> bool {
    matches!(e, Event::SyncStarted | Event::SyncFinished)
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
    let seen = events
        .events_until("Connected", |e| {
            StateChange::from_event(e).is_some_and(|c| c.state == ConnectionState::Connected)
        })
        .await?;
    Ok((s, events, seen))
}

async fn sync_offline_messages(h: &dyn Harness) -> Result<(), Failure> {
    // A user with messages waiting.
    let sender = h.fresh_user();
    let receiver = h.fresh_user();
    h.queue_offline_messages(&sender, &receiver, WAITING)
        .await
        .ctx(format!("queueing {WAITING} messages from {sender} for the offline {receiver}"))?;
    let (s, mut events, seen) = login_events(h, "receiver", &receiver).await?;

    let path: Vec<StateChange> = seen.iter().filter_map(StateChange::from_event).collect();
    let states: Vec<&ConnectionState> = path.iter().map(|c| &c.state).collect();
    {
        use ConnectionState::*;
        if !matches!(states.as_slice(), [Connecting, Authenticating, Syncing, Connected]) {
            return Err(events.failure(format!(
                "with {WAITING} messages waiting, expected the states Connecting, Authenticating, Syncing, Connected; \
                 got {}",
                describe_changes(&path)
            )));
        }
    }
    let position = |what: &dyn Fn(&Event) -> bool| seen.iter().position(what);
    let authenticating =
        position(&|e| StateChange::from_event(e).is_some_and(|c| c.state == ConnectionState::Authenticating))
            .unwrap_or(0);
    let connected = seen.len() - 1;
    let started: Vec<usize> = (0..seen.len()).filter(|&i| seen[i] == Event::SyncStarted).collect();
    let finished: Vec<usize> = (0..seen.len()).filter(|&i| seen[i] == Event::SyncFinished).collect();
    match (started.as_slice(), finished.as_slice()) {
        ([start], [finish]) if authenticating < *start && start < finish && *finish < connected => {}
        _ => {
            return Err(events.failure(format!(
                "with {WAITING} messages waiting, expected exactly one SyncStarted after Authenticating and exactly \
                 one SyncFinished after it, both before Connected; up to Connected got {}",
                describe_all(&seen)
            )))
        }
    }
    let later: Vec<Event> = events.settle().await.into_iter().filter(is_sync_event).collect();
    if !later.is_empty() {
        return Err(events.failure(format!(
            "after Connected: the sync was announced once already, yet came {}",
            describe_all(&later)
        )));
    }
    s.logout().await.ctx("receiver: logout")?;

    // A user with nothing waiting: no Syncing, no sync events (the Easemob
    // SDK fires onOfflineMessageSyncStart only for a non-empty UNREAD list,
    // docs/protocols/easemob.md 5).
    let idle = h.fresh_user();
    let (s, mut events, seen) = login_events(h, "idle user", &idle).await?;
    let path: Vec<StateChange> = seen.iter().filter_map(StateChange::from_event).collect();
    let states: Vec<&ConnectionState> = path.iter().map(|c| &c.state).collect();
    {
        use ConnectionState::*;
        if !matches!(states.as_slice(), [Connecting, Authenticating, Connected]) {
            return Err(events.failure(format!(
                "with nothing waiting, expected the states Connecting, Authenticating, Connected; got {}",
                describe_changes(&path)
            )));
        }
    }
    let mut sync: Vec<Event> = seen.into_iter().filter(is_sync_event).collect();
    sync.extend(events.settle().await.into_iter().filter(is_sync_event));
    if !sync.is_empty() {
        return Err(events.failure(format!(
            "with nothing waiting, expected no SyncStarted or SyncFinished; got {}",
            describe_all(&sync)
        )));
    }
    s.logout().await.ctx("idle user: logout")?;

    // The receiver's messages were consumed by its first sync: logging in
    // again finds nothing waiting.
    let (_s, mut events, seen) = login_events(h, "receiver again", &receiver).await?;
    let mut sync: Vec<Event> = seen.iter().filter(|e| is_sync_event(e)).cloned().collect();
    sync.extend(events.settle().await.into_iter().filter(is_sync_event));
    let path: Vec<StateChange> = seen.iter().filter_map(StateChange::from_event).collect();
    if !sync.is_empty() || path.iter().any(|c| c.state == ConnectionState::Syncing) {
        return Err(events.failure(format!(
            "the messages were synced by the previous login, so logging in again has nothing to sync; got the \
             states {} and the sync events {}",
            describe_changes(&path),
            describe_all(&sync)
        )));
    }
    Ok(())
}
