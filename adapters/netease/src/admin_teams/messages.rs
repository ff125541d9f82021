//! Team messages for the admin: `msg/sendMsg.action` with `ope` 1 and
//! `history/queryTeamMsg.action` (netease.md 3.2).
//!
//! Both are the one-to-one calls of [`crate::admin_messages`] with a team
//! for the peer, and share their code, history cursor included: a team's
//! page is read as its owner (`queryTeamMsg` wants a member) but shown as
//! the app's, every message incoming and read.

use super::{check_tid, owner_of};
use crate::accid;
use crate::admin_messages::{page, send, Cursor, HistoryQuery};
use crate::message::to_rest;
use crate::rest::RestClient;
use unim_core::{ConversationId, ConversationKind, Error, HistoryCursor, HistoryPage, Message, MessageBody};

/// `msg/sendMsg.action` with `ope` 1 from `from` (`None`: the team's owner)
/// to the team `tid`. The v1 form has no client message id: `client_id` is
/// only reported back, and a retried call is stored again.
pub(crate) async fn send_group_message(
    rest: &RestClient,
    from: Option<&str>,
    tid: &str,
    body: &MessageBody,
    client_id: &str,
) -> Result<Message, Error> {
    check_tid(tid)?;
    // A body NetEase cannot take is refused before the owner is looked up.
    to_rest(body)?;
    let from = match from {
        Some(f) => accid::validate(f)?,
        None => owner_of(rest, tid).await?,
    };
    send(rest, from, ConversationId::group(tid), body, client_id).await
}

/// One page of the team's history, backwards from `older`, read as the owner.
pub(crate) async fn group_history(
    rest: &RestClient,
    tid: &str,
    older: Option<&HistoryCursor>,
    limit: usize,
) -> Result<HistoryPage, Error> {
    check_tid(tid)?;
    let cursor = older.map(|c| Cursor::decode(c, ConversationKind::Group)).transpose()?;
    let owner = owner_of(rest, tid).await?;
    let query = HistoryQuery { path: "history/queryTeamMsg.action", who: [("tid", tid), ("accid", owner.as_str())] };
    page(rest, &ConversationId::group(tid), None, query, cursor, limit).await
}
