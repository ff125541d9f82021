//! The admin's messages over the v1 server API (netease.md 3.2;
//! docs/protocols/netease.md 11.4): `msg/sendMsg.action`,
//! `history/querySessionMsg.action` and `history/querySessionList.action`.
//! Team messages (`ope` 1, `history/queryTeamMsg.action`) are the same
//! calls with a tid for the peer, so [`send`] and [`page`] serve both.
//!
//! **History cursor.** The API pages by time only (`begintime`, `endtime`,
//! both included). A page's cursor is its oldest message's
//! `sendtime:msgid:skip`, where `skip` counts the messages of that very
//! millisecond already returned. The next page asks up to `endtime` =
//! that time with `limit` raised by `skip`, and leaves out every message at
//! or after (time, msgid), so each message comes exactly once even when
//! several share a timetag (up to 100 of them; more cannot be paged
//! through with this API).
//!
//! **Open end.** The newest page asks up to a day past the admin's clock, so
//! a server whose clock runs ahead of ours still includes its newest messages.

use crate::admin_teams::call;
use crate::message::{body_of_rest, number, to_rest};
use crate::rest::RestClient;
use serde_json::{Map, Value};
use std::time::{Duration, UNIX_EPOCH};
use unim_core::{
    Conversation, ConversationId, ConversationKind, Direction, Error, HistoryCursor, HistoryPage, Message, MessageBody,
    MessageStatus,
};

/// The most messages or sessions one query returns.
const MAX_LIMIT: usize = 100;
/// How far past the admin's clock the newest page looks.
const OPEN_END: Duration = Duration::from_secs(24 * 3600);

fn now_ms(rest: &RestClient) -> u64 {
    rest.clock().now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// Makes the v1 call `path` for a `kind` conversation. Team calls go
/// through [`call`], which names them on `unim::calls` like every other
/// team call (what the group comparison counts); one-to-one calls never did.
async fn post(
    rest: &RestClient,
    kind: ConversationKind,
    path: &'static str,
    fields: &[(&str, &str)],
) -> Result<Map<String, Value>, Error> {
    match kind {
        ConversationKind::Group => call(rest, path, fields).await,
        ConversationKind::Direct => rest.call_form(path, fields).await,
    }
}

/// What the errors about a `kind` conversation's history call it.
fn history_noun(kind: ConversationKind) -> &'static str {
    match kind {
        ConversationKind::Direct => "history",
        ConversationKind::Group => "team history",
    }
}

/// `msg/sendMsg.action` from `from` into `conversation`: `ope` 0 to a
/// user, 1 to a team (`conversation.peer` is then the tid). The v1 form has
/// no client message id: `client_id` is only reported back, and a retried
/// call is stored again.
pub(crate) async fn send(
    rest: &RestClient,
    from: String,
    conversation: ConversationId,
    body: &MessageBody,
    client_id: &str,
) -> Result<Message, Error> {
    let (kind, text, push) = to_rest(body)?;
    let kind = kind.to_string();
    let ope = match conversation.kind {
        ConversationKind::Direct => "0",
        ConversationKind::Group => "1",
    };
    let to = conversation.peer.as_str();
    let mut fields =
        vec![("from", from.as_str()), ("ope", ope), ("to", to), ("type", kind.as_str()), ("body", text.as_str())];
    if let Some(push) = push.as_deref() {
        fields.push(("pushcontent", push));
    }
    let mut reply = post(rest, conversation.kind, "msg/sendMsg.action", &fields).await?;
    let data = reply.remove("data").unwrap_or(Value::Null);
    let msgid = data.get("msgid").and_then(number);
    let msgid = msgid.ok_or_else(|| Error::protocol("the msg/sendMsg.action reply has no data.msgid"))?;
    Ok(Message {
        server_id: msgid.to_string(),
        client_id: client_id.to_owned(),
        from,
        to: to.to_owned(),
        body: body.clone(),
        server_time_ms: data.get("timetag").and_then(number).unwrap_or(0),
        direction: Direction::Outgoing,
        status: MessageStatus::Sent,
        conversation,
    })
}

/// Where a history page ends: the oldest message returned so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Cursor {
    time: u64,
    msgid: u64,
    skip: usize,
}

impl Cursor {
    fn encode(self) -> HistoryCursor {
        HistoryCursor(format!("{}:{}:{}", self.time, self.msgid, self.skip))
    }

    /// The cursor `c` of a `kind` conversation's history; `InvalidInput`
    /// for any other text (a cursor another adapter made).
    pub(crate) fn decode(c: &HistoryCursor, kind: ConversationKind) -> Result<Cursor, Error> {
        let noun = history_noun(kind);
        let bad = || Error::invalid_input(format!("not a NetEase {noun} cursor (made by another adapter?)"));
        let mut parts = c.0.split(':').map(|p| p.parse::<u64>().map_err(|_| bad()));
        let (Some(time), Some(msgid), Some(skip), None) = (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        Ok(Cursor { time: time?, msgid: msgid?, skip: skip? as usize })
    }
}

/// One history entry of `conversation` as `user` sees it: their own
/// messages outgoing and sent, the rest incoming and read. A team's entries
/// are read as the app (`user` `None`, no member's side): every message
/// incoming and read, addressed to the team.
fn entry(v: &Value, conversation: &ConversationId, user: Option<&str>) -> Result<Message, Error> {
    let noun = history_noun(conversation.kind);
    let bad = |what: &str| Error::protocol(format!("a NetEase {noun} entry has no {what}"));
    let from = v.get("from").and_then(Value::as_str).ok_or_else(|| bad("from"))?.to_owned();
    let msgid = v.get("msgid").and_then(number).ok_or_else(|| bad("msgid"))?;
    let kind = v.get("type").and_then(Value::as_i64).unwrap_or(0);
    let push = v.get("pushcontent").and_then(Value::as_str).map(str::to_owned);
    let body = body_of_rest(kind, v.get("body").unwrap_or(&Value::Null), push);
    let outgoing = user == Some(from.as_str());
    let to = match (conversation.kind, user) {
        (ConversationKind::Direct, Some(user)) if !outgoing => user.to_owned(),
        _ => conversation.peer.clone(),
    };
    Ok(Message {
        server_id: msgid.to_string(),
        client_id: v.get("msgidclient").and_then(Value::as_str).unwrap_or_default().to_owned(),
        from,
        to,
        conversation: conversation.clone(),
        body,
        server_time_ms: v.get("sendtime").and_then(number).unwrap_or(0),
        direction: if outgoing { Direction::Outgoing } else { Direction::Incoming },
        status: if outgoing { MessageStatus::Sent } else { MessageStatus::Read },
    })
}

fn key(m: &Message) -> (u64, u64) {
    (m.server_time_ms, m.server_id.parse().unwrap_or(0))
}

/// One page of `user`'s history with `peer`, backwards from `older`.
pub(crate) async fn history(
    rest: &RestClient,
    user: &str,
    peer: &str,
    older: Option<&HistoryCursor>,
    limit: usize,
) -> Result<HistoryPage, Error> {
    let cursor = older.map(|c| Cursor::decode(c, ConversationKind::Direct)).transpose()?;
    let query = HistoryQuery { path: "history/querySessionMsg.action", who: [("from", user), ("to", peer)] };
    page(rest, &ConversationId::direct(peer), Some(user), query, cursor, limit).await
}

/// A v1 history call: its endpoint and the two fields naming whose
/// history it reads (the time window and limit are [`page`]'s).
pub(crate) struct HistoryQuery<'a> {
    /// `history/querySessionMsg.action` or `history/queryTeamMsg.action`.
    pub(crate) path: &'static str,
    /// `from` and `to`, or `tid` and the member `accid` it is read as.
    pub(crate) who: [(&'static str, &'a str); 2],
}

/// One page of `conversation`'s history through `query`, backwards from
/// `cursor`, as `user` sees it (see [`entry`]).
pub(crate) async fn page(
    rest: &RestClient,
    conversation: &ConversationId,
    user: Option<&str>,
    query: HistoryQuery<'_>,
    cursor: Option<Cursor>,
    limit: usize,
) -> Result<HistoryPage, Error> {
    let want = limit.clamp(1, MAX_LIMIT);
    let end = cursor.map_or(now_ms(rest) + OPEN_END.as_millis() as u64, |c| c.time);
    let asked = cursor.map_or(want, |c| (want + c.skip).min(MAX_LIMIT));
    let (end_s, asked_s) = (end.max(1).to_string(), asked.to_string());
    let [first, second] = query.who;
    let fields =
        [first, second, ("begintime", "0"), ("endtime", end_s.as_str()), ("limit", asked_s.as_str()), ("reverse", "2")];
    let reply = post(rest, conversation.kind, query.path, &fields).await?;
    let raw = match reply.get("msgs") {
        Some(Value::Array(items)) => items.clone(),
        None | Some(Value::Null) => Vec::new(),
        Some(_) => {
            let name = query.path.trim_start_matches("history/").trim_end_matches(".action");
            return Err(Error::protocol(format!("the {name} reply's msgs is not a list")));
        }
    };
    let full = raw.len() >= asked;
    let mut msgs = raw.iter().map(|v| entry(v, conversation, user)).collect::<Result<Vec<_>, _>>()?;
    // Newest first; drop what earlier pages returned.
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
        None if full => {
            tracing::warn!("more than {MAX_LIMIT} NetEase messages share one timetag; the older ones cannot be paged");
            None
        }
        _ => None,
    };
    Ok(HistoryPage { messages: msgs, older })
}

/// `user`'s sessions (`history/querySessionList.action`, one-to-one only),
/// the most recent first. The API has no unread counts: they are 0.
pub(crate) async fn conversations(rest: &RestClient, user: &str) -> Result<Vec<Conversation>, Error> {
    let max = (now_ms(rest) + OPEN_END.as_millis() as u64).to_string();
    let limit = MAX_LIMIT.to_string();
    let fields = [
        ("accid", user),
        ("minTimestamp", "0"),
        ("maxTimestamp", max.as_str()),
        ("limit", limit.as_str()),
        ("needLastMsg", "1"),
    ];
    let mut reply = rest.call_form("history/querySessionList.action", &fields).await?;
    let data = reply.remove("data").unwrap_or(Value::Null);
    let sessions = data.get("sessions").and_then(Value::as_array).cloned().unwrap_or_default();
    let mut out = Vec::new();
    for s in sessions {
        let Value::Object(s) = s else { continue };
        if s.get("sessionType").and_then(Value::as_i64).unwrap_or(0) != 0 {
            continue;
        }
        out.push(conversation(&s, user)?);
    }
    out.sort_by_key(|c| std::cmp::Reverse(c.updated_at_ms));
    Ok(out)
}

fn conversation(s: &Map<String, Value>, user: &str) -> Result<Conversation, Error> {
    let peer = s.get("accid").and_then(Value::as_str);
    let peer = peer.ok_or_else(|| Error::protocol("a NetEase session has no accid"))?.to_owned();
    let last = match s.get("lastMsg") {
        Some(Value::String(text)) => {
            let v: Value = serde_json::from_str(text)
                .map_err(|e| Error::protocol(format!("a NetEase session's lastMsg is not JSON: {e}")))?;
            Some(entry(&v, &ConversationId::direct(&peer), Some(user))?)
        }
        Some(v @ Value::Object(_)) => Some(entry(v, &ConversationId::direct(&peer), Some(user))?),
        _ => None,
    };
    Ok(Conversation {
        id: ConversationId::direct(peer),
        last_message: last,
        unread: 0,
        updated_at_ms: s.get("updateTime").and_then(number).unwrap_or(0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cursors_round_trip_and_foreign_ones_are_refused() {
        let c = Cursor { time: 1_700_000_000_000, msgid: 10_000_000_005, skip: 3 };
        for kind in [ConversationKind::Direct, ConversationKind::Group] {
            assert_eq!(Cursor::decode(&c.encode(), kind).unwrap(), c);
            for bad in ["", "1:2", "1:2:3:4", "a:b:c", "-1:2:3"] {
                assert!(Cursor::decode(&HistoryCursor(bad.into()), kind).is_err(), "{bad}");
            }
        }
    }

    #[test]
    fn entries_take_the_users_side() {
        let v =
            json!({"from": "bob", "msgid": 42, "msgidclient": "c", "sendtime": 7, "type": 0, "body": {"msg": "hi"}});
        let m = entry(&v, &ConversationId::direct("bob"), Some("alice")).unwrap();
        assert_eq!(
            (m.to.as_str(), m.direction, m.body.clone()),
            ("alice", Direction::Incoming, MessageBody::text("hi"))
        );
        let mine = entry(&v, &ConversationId::direct("alice"), Some("bob")).unwrap();
        assert_eq!((mine.to.as_str(), mine.direction), ("alice", Direction::Outgoing));
        assert!(entry(&json!({"msgid": 1}), &ConversationId::direct("b"), Some("a")).is_err());
    }

    #[test]
    fn team_entries_are_the_apps() {
        let v = json!({"from": "bob", "msgid": 7, "sendtime": 3, "type": 0, "body": {"msg": "hi"}});
        let team = ConversationId::group("3000000001");
        let m = entry(&v, &team, None).unwrap();
        assert_eq!((m.conversation, m.body), (team.clone(), MessageBody::text("hi")));
        assert_eq!((m.to.as_str(), m.direction, m.status), ("3000000001", Direction::Incoming, MessageStatus::Read));
        assert!(entry(&json!({"msgid": 1}), &ConversationId::group("1"), None).is_err());
    }
}
