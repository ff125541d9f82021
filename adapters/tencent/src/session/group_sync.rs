//! Group messages missed while away (docs/protocols/tencent.md 13.4). The
//! server keeps no per-device queue of group messages: a client learns
//! from `get_joined_group_list` each group's `NextMsgSeq` and its own read
//! position (`SelfInfo.MsgSeq`), and pages what lies between with
//! `group_msg_get`. This instance also remembers the newest `MsgSeq` it has
//! had per group, so after a reconnect only what the lost link missed is
//! pulled; the announcement itself de-duplicates by message id.

use super::connection::Connection;
use super::group_push::GroupMsg;
use super::messages::{announce_group, group_call, lock, reply_items};
use super::Inner;
use serde_json::{json, Value};
use unim_core::Error;

/// Groups per `get_joined_group_list` page.
const JOINED_PAGE: u64 = 200;
/// Messages per `group_msg_get` page (the server API's own limit is 20).
const HISTORY_PAGE: u64 = 20;
/// Most pages pulled per group at one sync: older unread messages are left
/// to the history.
const MAX_PAGES_PER_GROUP: usize = 50;
/// Most group list pages followed.
const MAX_LIST_PAGES: usize = 1_000;

/// One joined group's position.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Position {
    group: String,
    /// The newest `MsgSeq` in the group.
    newest: u64,
    /// The newest `MsgSeq` the user has read.
    read: u64,
}

/// Each joined group's newest and read `MsgSeq`.
async fn positions(inner: &Inner, conn: &Connection, user: &str) -> Result<Vec<Position>, Error> {
    let mut out = Vec::new();
    let mut offset = 0;
    for _ in 0..MAX_LIST_PAGES {
        let body = json!({
            "Member_Account": user, "Limit": JOINED_PAGE, "Offset": offset,
            "ResponseFilter": { "GroupBaseInfoFilter": ["NextMsgSeq"], "SelfInfoFilter": ["MsgSeq"] },
        });
        let reply = group_call(inner, conn, "get_joined_group_list", body).await?;
        let items = reply.get("GroupIdList").and_then(Value::as_array).cloned().unwrap_or_default();
        for item in &items {
            let Some(group) = item.get("GroupId").and_then(Value::as_str) else { continue };
            let next = item.get("NextMsgSeq").and_then(Value::as_u64).unwrap_or(0);
            let read = item.get("SelfInfo").and_then(|s| s.get("MsgSeq")).and_then(Value::as_u64).unwrap_or(0);
            out.push(Position { group: group.to_owned(), newest: next.saturating_sub(1), read });
        }
        offset += items.len() as u64;
        let total = reply.get("TotalCount").and_then(Value::as_u64).unwrap_or(0);
        if items.is_empty() || offset >= total {
            return Ok(out);
        }
    }
    Err(Error::protocol(format!("Tencent's get_joined_group_list did not finish within {MAX_LIST_PAGES} pages")))
}

/// The messages of `group` after `after`, up to `newest`, oldest first.
async fn pull(inner: &Inner, conn: &Connection, group: &str, after: u64, newest: u64) -> Result<Vec<GroupMsg>, Error> {
    let mut got: Vec<GroupMsg> = Vec::new();
    let mut upto = newest;
    for _ in 0..MAX_PAGES_PER_GROUP {
        let body = json!({ "GroupId": group, "ReqMsgSeq": upto, "ReqMsgNumber": HISTORY_PAGE, "WithRecalledMsg": 1 });
        let reply = group_call(inner, conn, "group_msg_get", body).await?;
        let page: Vec<GroupMsg> = reply_items(&reply, "RspMsgList");
        let oldest = page.iter().map(|m| m.seq).min();
        got.extend(page.into_iter().filter(|m| m.seq > after && m.seq <= newest));
        let finished = reply.get("IsFinished").and_then(Value::as_i64).is_some_and(|f| f != 0);
        match oldest {
            Some(oldest) if !finished && oldest > after + 1 && oldest < upto + 1 => upto = oldest - 1,
            _ => break,
        }
    }
    got.sort_by_key(|m| m.seq);
    got.dedup_by_key(|m| m.seq);
    Ok(got)
}

/// Pulls and announces, group by group, what this instance has not had and
/// the user has not read.
pub(crate) async fn sync_groups(inner: &Inner, conn: &Connection, user: &str) -> Result<(), Error> {
    for p in positions(inner, conn, user).await? {
        let had = lock(inner).group_seq(&p.group);
        let after = p.read.max(had);
        if p.newest <= after {
            continue;
        }
        let missed = pull(inner, conn, &p.group, after, p.newest).await?;
        announce_group(inner, user, Some(&p.group), missed);
        lock(inner).had_group_seq(&p.group, p.newest);
    }
    Ok(())
}
