//! Messages over the web link (docs/protocols/netease.md 5.3-5.6, 5.9):
//! `7_1` send with the client id as idClient; `7_2` (received), `7_101`
//! (sent from another own client) and `4_4` (the login's offline messages)
//! become [`Event::MessageReceived`], once each, acknowledged with `4_5`;
//! the server's session list `7_19`, mark read `7_16`, history `7_6` and
//! session delete `7_22`. Unread counts come from [`super::chats`].
//!
//! **History cursor.** `time:idServer` of a page's oldest message: the
//! next page asks `7_6` for messages up to that time with that id as
//! `lastMsgId`, which the server leaves out with everything after it.

use super::chats::Chats;
use super::connection::Connection;
use super::{lock, Inner};
use crate::error::{code, error_from_api};
use crate::link::ids::{msg as tag, session as stag, session_req as rtag};
use crate::link::{cmd, Param, Property, Response};
use crate::message::{message_of_wire, number, to_wire, SCENE_P2P};
use serde_json::Value;
use std::time::UNIX_EPOCH;
use unim_core::{
    Conversation, ConversationId, ConversationKind, Direction, Error, Event, HistoryCursor, HistoryPage, Message,
    MessageStatus, OutgoingMessage,
};

/// The most messages or sessions one request asks for.
const MAX_LIMIT: usize = 100;
/// One-to-one session ids start with this.
const P2P_PREFIX: &str = "p2p|";

/// The peer of a one-to-one conversation; NetEase stores accids lower-cased.
fn peer_of(id: &ConversationId) -> Result<String, Error> {
    match id.kind {
        ConversationKind::Direct if !id.peer.is_empty() => Ok(id.peer.to_ascii_lowercase()),
        ConversationKind::Direct => Err(Error::invalid_input("the conversation has no peer")),
        ConversationKind::Group => Err(Error::unsupported("NetEase team conversations are not supported yet")),
    }
}

fn refused(reply: &Response, what: &str) -> Result<(), Error> {
    if reply.code == code::OK {
        Ok(())
    } else {
        Err(error_from_api(reply.code, &format!("{} {what} refused", reply.command)))
    }
}

fn malformed(what: &str) -> impl Fn(crate::link::PacketError) -> Error + '_ {
    move |e| Error::protocol(format!("the {what} reply is malformed: {e}"))
}

impl Inner {
    fn chats(&self) -> std::sync::MutexGuard<'_, Chats> {
        lock(&self.chats)
    }

    fn me(&self) -> Result<String, Error> {
        self.user().ok_or_else(|| Error::invalid_state("not logged in"))
    }

    fn now_ms(&self) -> u64 {
        self.options.clock.now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
    }

    /// The messages of a message push (`7_2`, `7_101`, `4_4`) as this user
    /// sees them; `None` when `push` is not a message push.
    pub(crate) fn messages_of(&self, push: &Response) -> Option<Vec<Message>> {
        let msgs = match push.command {
            cmd::MSG | cmd::SYNC_SEND_MSG => push.property(0).map(|p| vec![p]),
            cmd::SYNC_OFFLINE_MSGS => push.properties(0),
            _ => return None,
        };
        let msgs = msgs.unwrap_or_else(|e| {
            tracing::warn!(command = %push.command, "ignored a malformed message push: {e}");
            Vec::new()
        });
        let me = self.user().unwrap_or_default();
        let parsed = msgs.iter().filter_map(|p| match message_of_wire(p, &me) {
            Ok(m) => Some(m),
            Err(e) => {
                tracing::warn!(command = %push.command, "ignored a message: {e}");
                None
            }
        });
        Some(parsed.collect())
    }

    /// Announces each of `msgs` not seen before, in the order given, and
    /// acknowledges the received ones with `4_5` (the SDK acknowledges what
    /// it got as (7, 2, ids), offline messages included).
    pub(crate) fn take_in(&self, conn: &Connection, msgs: Vec<Message>) {
        let mut received = Vec::new();
        for message in msgs {
            if message.direction == Direction::Incoming {
                received.push(message.server_id.clone());
            }
            let fresh = self.chats().accept(&message);
            if fresh {
                self.emit(Event::MessageReceived { message: Box::new(message) });
            }
        }
        if !received.is_empty() {
            let ack = vec![
                Param::scalar("Byte", cmd::MSG.sid),
                Param::scalar("Byte", cmd::MSG.cid),
                Param { t: "LongArray".into(), v: Value::from(received) },
            ];
            if let Err(e) = conn.send(cmd::BATCH_MARK_READ, ack) {
                tracing::debug!("4_5 not sent: {e}");
            }
        }
    }

    /// Handles a message push live; false when `push` is not one.
    pub(crate) fn on_message_push(&self, conn: &Connection, push: &Response) -> bool {
        match self.messages_of(push) {
            Some(msgs) => {
                self.take_in(conn, msgs);
                true
            }
            None => false,
        }
    }

    /// `7_1`; the server's copy (a resend of the same idClient is answered
    /// with the first one).
    pub(crate) async fn send_message(&self, out: &OutgoingMessage) -> Result<Message, Error> {
        let peer = peer_of(&out.to)?;
        if out.client_id.is_empty() {
            return Err(Error::invalid_input("the message has no client id"));
        }
        let conn = self.live_link()?;
        let me = self.me()?;
        let mut p = to_wire(&out.body);
        p.set(tag::SCENE, SCENE_P2P);
        p.set(tag::TO, peer.as_str());
        p.set(tag::ID_CLIENT, out.client_id.as_str());
        p.set(tag::RESEND, 0);
        p.set(tag::NEED_UPDATE_SESSION, 1);
        let reply = conn.request(cmd::SEND_MSG, vec![Param::property(p)], self.options.request_timeout).await?;
        refused(&reply, "sendMsg")?;
        let copy = reply.property(0).map_err(malformed("7_1"))?;
        let mut message = message_of_wire(&copy, &me)?;
        if message.to.is_empty() {
            message.to = peer.clone();
            message.conversation = ConversationId::direct(peer);
        }
        self.chats().accept(&message);
        Ok(message)
    }

    /// `7_19` with the last messages; unread counts from the session's view.
    pub(crate) async fn conversations(&self) -> Result<Vec<Conversation>, Error> {
        let conn = self.live_link()?;
        let me = self.me()?;
        let req = Property::new()
            .with(rtag::MIN_TIMESTAMP, 0)
            .with(rtag::MAX_TIMESTAMP, 0)
            .with(rtag::NEED_LAST_MSG, 1)
            .with(rtag::LIMIT, MAX_LIMIT as i64);
        let reply =
            conn.request(cmd::GET_SERVER_SESSIONS, vec![Param::property(req)], self.options.request_timeout).await?;
        refused(&reply, "getServerSessions")?;
        let sessions = if reply.r.len() > 1 { reply.properties(1).map_err(malformed("7_19"))? } else { Vec::new() };
        let mut out = Vec::new();
        for s in sessions {
            let Some(peer) = s.str(stag::ID).and_then(|id| id.strip_prefix(P2P_PREFIX).map(str::to_owned)) else {
                continue;
            };
            let last = match s.str(stag::LAST_MSG).filter(|l| !l.is_empty()) {
                Some(text) => Some(self.last_message(&text, &me, &peer)?),
                None => None,
            };
            let updated = s.get(stag::UPDATE_TIME).and_then(number).or(last.as_ref().map(|m| m.server_time_ms));
            let unread = self.chats().unread(&peer);
            out.push(Conversation {
                id: ConversationId::direct(peer),
                last_message: last,
                unread,
                updated_at_ms: updated.unwrap_or(0),
            });
        }
        out.sort_by_key(|c| std::cmp::Reverse(c.updated_at_ms));
        Ok(out)
    }

    /// A session's lastMsg (a msg Property as JSON text).
    fn last_message(&self, text: &str, me: &str, peer: &str) -> Result<Message, Error> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| Error::protocol(format!("a 7_19 session's lastMsg is not JSON: {e}")))?;
        let p = Property::from_value(&value).map_err(malformed("7_19 lastMsg"))?;
        let mut m = message_of_wire(&p, me)?;
        if m.direction == Direction::Incoming && !self.chats().is_unread(peer, &m.server_id) {
            m.status = MessageStatus::Read;
        }
        Ok(m)
    }

    /// `7_16` for the conversation, then its unread count is 0.
    pub(crate) async fn mark_read(&self, id: &ConversationId) -> Result<(), Error> {
        let peer = peer_of(id)?;
        let conn = self.live_link()?;
        let q = vec![
            Param::scalar("Byte", SCENE_P2P),
            Param::scalar("String", peer.as_str()),
            Param::scalar("Long", self.now_ms()),
        ];
        let reply = conn.request(cmd::MARK_SESSION_ACK, q, self.options.request_timeout).await?;
        refused(&reply, "markSessionAck")?;
        self.chats().mark_read(&peer);
        Ok(())
    }

    /// `7_22` for the conversation (its history stays on the server).
    pub(crate) async fn delete_conversation(&self, id: &ConversationId) -> Result<(), Error> {
        let peer = peer_of(id)?;
        let conn = self.live_link()?;
        let session = Property::new().with(stag::ID, format!("{P2P_PREFIX}{peer}"));
        let q = vec![Param::property_array(vec![session])];
        let reply = conn.request(cmd::DELETE_SERVER_SESSIONS, q, self.options.request_timeout).await?;
        refused(&reply, "deleteServerSessions")?;
        self.chats().forget(&peer);
        Ok(())
    }

    /// One `7_6` page backwards from `older`.
    pub(crate) async fn history(
        &self,
        id: &ConversationId,
        older: Option<&HistoryCursor>,
        limit: usize,
    ) -> Result<HistoryPage, Error> {
        let peer = peer_of(id)?;
        let want = limit.clamp(1, MAX_LIMIT);
        let (end, last_id) = match older {
            Some(c) => decode_cursor(c)?,
            None => (0, 0),
        };
        let conn = self.live_link()?;
        let me = self.me()?;
        let q = vec![
            Param::scalar("String", peer.as_str()),
            Param::scalar("Long", 0),
            Param::scalar("Long", end),
            Param::scalar("Long", last_id),
            Param::scalar("Int", want as i64),
            Param::scalar("bool", false),
            Param { t: "LongArray".into(), v: Value::Array(Vec::new()) },
        ];
        let reply = conn.request(cmd::GET_HISTORY_MSGS, q, self.options.request_timeout).await?;
        refused(&reply, "getHistoryMsgs")?;
        let raw = if reply.r.is_empty() { Vec::new() } else { reply.properties(0).map_err(malformed("7_6"))? };
        let full = raw.len() >= want;
        let mut messages = Vec::with_capacity(raw.len());
        for p in raw {
            let mut m = message_of_wire(&p, &me)?;
            if m.direction == Direction::Incoming && !self.chats().is_unread(&peer, &m.server_id) {
                m.status = MessageStatus::Read;
            }
            messages.push(m);
        }
        messages.sort_by_key(key);
        if messages.len() > want {
            messages.drain(..messages.len() - want);
        }
        let older = messages.first().filter(|_| full).map(|m| {
            let (time, id) = key(m);
            HistoryCursor(format!("{time}:{id}"))
        });
        Ok(HistoryPage { messages, older })
    }
}

/// (time, idServer): the order of a conversation.
pub(crate) fn key(m: &Message) -> (u64, u64) {
    (m.server_time_ms, m.server_id.parse().unwrap_or(0))
}

fn decode_cursor(c: &HistoryCursor) -> Result<(u64, u64), Error> {
    let bad = || Error::invalid_input("not a NetEase session history cursor (made by another adapter?)");
    let (time, id) = c.0.split_once(':').ok_or_else(bad)?;
    Ok((time.parse().map_err(|_| bad())?, id.parse().map_err(|_| bad())?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_and_peers_are_checked() {
        assert_eq!(decode_cursor(&HistoryCursor("5:10000000001".into())).unwrap(), (5, 10_000_000_001));
        for bad in ["", "5", "a:1", "1:b", "1:2:3"] {
            assert!(decode_cursor(&HistoryCursor(bad.into())).is_err(), "{bad}");
        }
        assert_eq!(peer_of(&ConversationId::direct("Bob")).unwrap(), "bob");
        assert_eq!(peer_of(&ConversationId::group("1")).unwrap_err().kind, unim_core::ErrorKind::Unsupported);
        assert_eq!(peer_of(&ConversationId::direct("")).unwrap_err().kind, unim_core::ErrorKind::InvalidInput);
    }
}
