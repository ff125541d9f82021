//! Team messages for the admin: `msg/sendMsg.action` with `ope` 1 and
//! `history/queryTeamMsg.action` (netease.md 3.2).
//!
//! **History cursor.** Like the one-to-one history, the API pages by time
//! only (`begintime`, `endtime`, both included). A page's cursor is its
//! oldest message's `sendtime:msgid:skip`, `skip` counting the messages of
//! that very millisecond already returned; the next page asks up to that
//! time with `limit` raised by `skip` and drops everything at or after
//! (time, msgid), so each message comes exactly once.

use super::{call, check_tid, owner_of};
use crate::accid;
use crate::message::{body_of_rest, number, to_rest};
use crate::rest::RestClient;
use serde_json::Value;
use std::time::{Duration, UNIX_EPOCH};
use unim_core::{ConversationId, Direction, Error, HistoryCursor, HistoryPage, Message, MessageBody, MessageStatus};

/// The most messages one query returns.
const MAX_LIMIT: usize = 100;
/// How far past the admin's clock the newest page looks (a server clock ahead of ours).
const OPEN_END: Duration = Duration::from_secs(24 * 3600);

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
    let (kind, text, push) = to_rest(body)?;
    let from = match from {
        Some(f) => accid::validate(f)?,
        None => owner_of(rest, tid).await?,
    };
    let kind = kind.to_string();
    let mut fields =
        vec![("from", from.as_str()), ("ope", "1"), ("to", tid), ("type", kind.as_str()), ("body", text.as_str())];
    if let Some(push) = push.as_deref() {
        fields.push(("pushcontent", push));
    }
    let mut reply = call(rest, "msg/sendMsg.action", &fields).await?;
    let data = reply.remove("data").unwrap_or(Value::Null);
    let msgid = data.get("msgid").and_then(number);
    let msgid = msgid.ok_or_else(|| Error::protocol("the msg/sendMsg.action reply has no data.msgid"))?;
    Ok(Message {
        server_id: msgid.to_string(),
        client_id: client_id.to_owned(),
        from,
        to: tid.to_owned(),
        conversation: ConversationId::group(tid),
        body: body.clone(),
        server_time_ms: data.get("timetag").and_then(number).unwrap_or(0),
        direction: Direction::Outgoing,
        status: MessageStatus::Sent,
    })
}

/// Where a history page ends: the oldest message returned so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Cursor {
    time: u64,
    msgid: u64,
    skip: usize,
}

impl Cursor {
    fn encode(self) -> HistoryCursor {
        HistoryCursor(format!("{}:{}:{}", self.time, self.msgid, self.skip))
    }

    fn decode(c: &HistoryCursor) -> Result<Cursor, Error> {
        let bad = || Error::invalid_input("not a NetEase team history cursor (made by another adapter?)");
        let parts: Vec<&str> = c.0.split(':').collect();
        let [time, msgid, skip] = parts.as_slice() else { return Err(bad()) };
        Ok(Cursor {
            time: time.parse().map_err(|_| bad())?,
            msgid: msgid.parse().map_err(|_| bad())?,
            skip: skip.parse().map_err(|_| bad())?,
        })
    }
}

/// One history entry, as the app (no member's side: every message incoming and read).
fn entry(v: &Value, tid: &str) -> Result<Message, Error> {
    let bad = |what: &str| Error::protocol(format!("a NetEase team history entry has no {what}"));
    let from = v.get("from").and_then(Value::as_str).ok_or_else(|| bad("from"))?.to_owned();
    let msgid = v.get("msgid").and_then(number).ok_or_else(|| bad("msgid"))?;
    let kind = v.get("type").and_then(Value::as_i64).unwrap_or(0);
    let push = v.get("pushcontent").and_then(Value::as_str).map(str::to_owned);
    Ok(Message {
        server_id: msgid.to_string(),
        client_id: v.get("msgidclient").and_then(Value::as_str).unwrap_or_default().to_owned(),
        from,
        to: tid.to_owned(),
        conversation: ConversationId::group(tid),
        body: body_of_rest(kind, v.get("body").unwrap_or(&Value::Null), push),
        server_time_ms: v.get("sendtime").and_then(number).unwrap_or(0),
        direction: Direction::Incoming,
        status: MessageStatus::Read,
    })
}

fn key(m: &Message) -> (u64, u64) {
    (m.server_time_ms, m.server_id.parse().unwrap_or(0))
}

/// One page of the team's history, backwards from `older`, read as the owner.
pub(crate) async fn group_history(
    rest: &RestClient,
    tid: &str,
    older: Option<&HistoryCursor>,
    limit: usize,
) -> Result<HistoryPage, Error> {
    check_tid(tid)?;
    let want = limit.clamp(1, MAX_LIMIT);
    let cursor = older.map(Cursor::decode).transpose()?;
    let owner = owner_of(rest, tid).await?;
    let now = rest.clock().now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
    let end = cursor.map_or(now + OPEN_END.as_millis() as u64, |c| c.time);
    let asked = cursor.map_or(want, |c| (want + c.skip).min(MAX_LIMIT));
    let (end_s, asked_s) = (end.max(1).to_string(), asked.to_string());
    let fields = [
        ("tid", tid),
        ("accid", owner.as_str()),
        ("begintime", "0"),
        ("endtime", end_s.as_str()),
        ("limit", asked_s.as_str()),
        ("reverse", "2"),
    ];
    let reply = call(rest, "history/queryTeamMsg.action", &fields).await?;
    let raw = match reply.get("msgs") {
        Some(Value::Array(items)) => items.clone(),
        None | Some(Value::Null) => Vec::new(),
        Some(_) => return Err(Error::protocol("the queryTeamMsg reply's msgs is not a list")),
    };
    let full = raw.len() >= asked;
    let mut msgs = raw.iter().map(|v| entry(v, tid)).collect::<Result<Vec<_>, _>>()?;
    msgs.sort_by_key(|m| std::cmp::Reverse(key(m)));
    if let Some(c) = cursor {
        msgs.retain(|m| key(m) < (c.time, c.msgid));
    }
    let more = full || msgs.len() > want;
    msgs.truncate(want);
    msgs.reverse();
    let older = match msgs.first() {
        Some(oldest) if more => {
            let (time, msgid) = key(oldest);
            let here = msgs.iter().filter(|m| m.server_time_ms == time).count();
            let skip = match cursor {
                Some(c) if c.time == time => c.skip + here,
                _ => here,
            };
            Some(Cursor { time, msgid, skip }.encode())
        }
        _ => None,
    };
    Ok(HistoryPage { messages: msgs, older })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cursors_round_trip_and_entries_are_the_teams() {
        let c = Cursor { time: 5, msgid: 10_000_000_001, skip: 2 };
        assert_eq!(Cursor::decode(&c.encode()).unwrap(), c);
        assert!(Cursor::decode(&HistoryCursor("1:2".into())).is_err());
        let v = json!({"from": "bob", "msgid": 7, "sendtime": 3, "type": 0, "body": {"msg": "hi"}});
        let m = entry(&v, "3000000001").unwrap();
        assert_eq!((m.conversation, m.body), (ConversationId::group("3000000001"), MessageBody::text("hi")));
        assert!(entry(&json!({"msgid": 1}), "1").is_err());
    }
}
