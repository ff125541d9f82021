//! Messages over the web link (docs/protocols/netease.md 5.3-5.6, 5.9,
//! "Teams"): `7_1` send (a team: `8_2`) with the client id as idClient; `7_2`
//! and `8_3` (received), `7_101` and `8_102` (sent from another own client)
//! and `4_4` (the login's offline messages) become
//! [`Event::MessageReceived`], once each, acknowledged with `4_5`;
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
use crate::link::ids::{msg as tag, scene, session as stag, session_req as rtag, team_notification};
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

/// Team session ids start with this.
const TEAM_PREFIX: &str = "team|";

/// Where a conversation goes on the wire: the scene and the `to` (an accid,
/// lower-cased as NetEase stores them, or a tid).
#[derive(Debug, PartialEq, Eq)]
struct Target {
    scene: i64,
    to: String,
}

impl Target {
    fn session_id(&self) -> String {
        let prefix = if self.scene == scene::TEAM { TEAM_PREFIX } else { P2P_PREFIX };
        format!("{prefix}{}", self.to)
    }

    fn conversation(&self) -> ConversationId {
        if self.scene == scene::TEAM {
            ConversationId::group(self.to.clone())
        } else {
            ConversationId::direct(self.to.clone())
        }
    }
}

fn target_of(id: &ConversationId) -> Result<Target, Error> {
    match id.kind {
        ConversationKind::Direct if !id.peer.is_empty() => {
            Ok(Target { scene: SCENE_P2P, to: id.peer.to_ascii_lowercase() })
        }
        ConversationKind::Group if !id.peer.is_empty() && id.peer.bytes().all(|b| b.is_ascii_digit()) => {
            Ok(Target { scene: scene::TEAM, to: id.peer.clone() })
        }
        ConversationKind::Group => Err(Error::invalid_input(format!("{:?} is not a NetEase tid", id.peer))),
        ConversationKind::Direct => Err(Error::invalid_input("the conversation has no peer")),
    }
}

/// The conversation of a server session id (`p2p|<accid>`, `team|<tid>`).
fn conversation_of_session(id: &str) -> Option<ConversationId> {
    if let Some(tid) = id.strip_prefix(TEAM_PREFIX).filter(|t| !t.is_empty()) {
        return Some(ConversationId::group(tid));
    }
    id.strip_prefix(P2P_PREFIX).filter(|p| !p.is_empty()).map(ConversationId::direct)
}

/// A msg Property as `me` sees it, in its team's conversation when its scene is 1.
pub(crate) fn wire_message(msg: &Property, me: &str) -> Result<Message, Error> {
    let mut m = message_of_wire(msg, me)?;
    if msg.int(tag::SCENE) == Some(scene::TEAM) {
        m.conversation = ConversationId::group(m.to.clone());
    }
    Ok(m)
}

/// Whether a msg Property is a team notification (handled as group events).
pub(crate) fn is_notification(msg: &Property) -> bool {
    msg.int(tag::SCENE) == Some(scene::TEAM) && msg.int(tag::TYPE) == Some(team_notification::MSG_TYPE)
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

    pub(super) fn me(&self) -> Result<String, Error> {
        self.user().ok_or_else(|| Error::invalid_state("not logged in"))
    }

    fn now_ms(&self) -> u64 {
        self.options.clock.now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
    }

    /// The messages of a message push (`7_2`, `7_101`, `4_4`) as this user
    /// sees them; `None` when `push` is not a message push.
    pub(crate) fn messages_of(&self, push: &Response) -> Option<Vec<Message>> {
        let msgs = match push.command {
            cmd::MSG | cmd::SYNC_SEND_MSG | cmd::TEAM_MSG | cmd::SYNC_SEND_TEAM_MSG => {
                push.property(0).map(|p| vec![p])
            }
            cmd::SYNC_OFFLINE_MSGS => push.properties(0),
            _ => return None,
        };
        let msgs = msgs.unwrap_or_else(|e| {
            tracing::warn!(command = %push.command, "ignored a malformed message push: {e}");
            Vec::new()
        });
        let me = self.user().unwrap_or_default();
        let parsed = msgs.iter().filter(|p| !is_notification(p)).filter_map(|p| match wire_message(p, &me) {
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
    /// it got as (7, 2, ids), offline messages included; team ones as (8, 3, ids)).
    pub(crate) fn take_in(&self, conn: &Connection, msgs: Vec<Message>) {
        // Team messages are acknowledged as what carries them live (8_3), the others as 7_2.
        let (mut direct, mut team) = (Vec::new(), Vec::new());
        for message in msgs {
            if message.direction == Direction::Incoming {
                let list = if message.conversation.kind == ConversationKind::Group { &mut team } else { &mut direct };
                list.push(message.server_id.clone());
            }
            let fresh = self.chats().accept(&message);
            if fresh {
                self.emit(Event::MessageReceived { message: Box::new(message) });
            }
        }
        for (kind, ids) in [(cmd::MSG, direct), (cmd::TEAM_MSG, team)] {
            if ids.is_empty() {
                continue;
            }
            let ack = vec![
                Param::scalar("Byte", kind.sid),
                Param::scalar("Byte", kind.cid),
                Param { t: "LongArray".into(), v: Value::from(ids) },
            ];
            if let Err(e) = conn.send(cmd::BATCH_MARK_READ, ack) {
                tracing::debug!("4_5 not sent: {e}");
            }
        }
    }

    /// Handles a message push live (team notifications become group
    /// events); false when `push` is not one.
    pub(crate) fn on_message_push(&self, conn: &Connection, push: &Response) -> bool {
        if push.command == cmd::SYS_MSG {
            self.on_sys_msg(push);
            return true;
        }
        if push.command == cmd::TEAM_MSG {
            if let Ok(p) = push.property(0) {
                if is_notification(&p) {
                    self.on_team_notification(&p);
                    return true;
                }
            }
        }
        match self.messages_of(push) {
            Some(msgs) => {
                self.take_in(conn, msgs);
                true
            }
            None => false,
        }
    }

    /// `7_1` (a team: `8_2`); the server's copy (a resend of the same
    /// idClient is answered with the first one).
    pub(crate) async fn send_message(&self, out: &OutgoingMessage) -> Result<Message, Error> {
        let target = target_of(&out.to)?;
        if out.client_id.is_empty() {
            return Err(Error::invalid_input("the message has no client id"));
        }
        let conn = self.live_link()?;
        let me = self.me()?;
        let mut p = to_wire(&out.body);
        p.set(tag::SCENE, target.scene);
        p.set(tag::TO, target.to.as_str());
        p.set(tag::ID_CLIENT, out.client_id.as_str());
        p.set(tag::RESEND, 0);
        p.set(tag::NEED_UPDATE_SESSION, 1);
        let (command, name) =
            if target.scene == scene::TEAM { (cmd::SEND_TEAM_MSG, "sendTeamMsg") } else { (cmd::SEND_MSG, "sendMsg") };
        tracing::debug!(target: "unim::calls", call = %format!("link {command} {name}"));
        let reply = conn.request(command, vec![Param::property(p)], self.options.request_timeout).await?;
        refused(&reply, name)?;
        let copy = reply.property(0).map_err(malformed(name))?;
        let mut message = message_of_wire(&copy, &me)?;
        if message.to.is_empty() {
            message.to = target.to.clone();
        }
        message.conversation = target.conversation();
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
            let Some(id) = s.str(stag::ID).as_deref().and_then(conversation_of_session) else {
                continue;
            };
            let last = match s.str(stag::LAST_MSG).filter(|l| !l.is_empty()) {
                Some(text) => Some(self.last_message(&text, &me, &id)?),
                None => None,
            };
            let updated = s.get(stag::UPDATE_TIME).and_then(number).or(last.as_ref().map(|m| m.server_time_ms));
            let unread = self.chats().unread(&id);
            out.push(Conversation { id, last_message: last, unread, updated_at_ms: updated.unwrap_or(0) });
        }
        out.sort_by_key(|c| std::cmp::Reverse(c.updated_at_ms));
        Ok(out)
    }

    /// A session's lastMsg (a msg Property as JSON text).
    fn last_message(&self, text: &str, me: &str, id: &ConversationId) -> Result<Message, Error> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| Error::protocol(format!("a 7_19 session's lastMsg is not JSON: {e}")))?;
        let p = Property::from_value(&value).map_err(malformed("7_19 lastMsg"))?;
        let mut m = wire_message(&p, me)?;
        if m.direction == Direction::Incoming && !self.chats().is_unread(id, &m.server_id) {
            m.status = MessageStatus::Read;
        }
        Ok(m)
    }

    /// `7_16` for the conversation, then its unread count is 0.
    pub(crate) async fn mark_read(&self, id: &ConversationId) -> Result<(), Error> {
        let target = target_of(id)?;
        let conn = self.live_link()?;
        let q = vec![
            Param::scalar("Byte", target.scene),
            Param::scalar("String", target.to.as_str()),
            Param::scalar("Long", self.now_ms()),
        ];
        if target.scene == scene::TEAM {
            tracing::debug!(target: "unim::calls", call = "link 7_16 markSessionAck");
        }
        let reply = conn.request(cmd::MARK_SESSION_ACK, q, self.options.request_timeout).await?;
        refused(&reply, "markSessionAck")?;
        self.chats().mark_read(&target.conversation());
        Ok(())
    }

    /// `7_22` for the conversation (its history stays on the server).
    pub(crate) async fn delete_conversation(&self, id: &ConversationId) -> Result<(), Error> {
        let target = target_of(id)?;
        let conn = self.live_link()?;
        let session = Property::new().with(stag::ID, target.session_id());
        let q = vec![Param::property_array(vec![session])];
        let reply = conn.request(cmd::DELETE_SERVER_SESSIONS, q, self.options.request_timeout).await?;
        refused(&reply, "deleteServerSessions")?;
        self.chats().forget(&target.conversation());
        Ok(())
    }

    /// One `7_6` page backwards from `older`.
    pub(crate) async fn history(
        &self,
        id: &ConversationId,
        older: Option<&HistoryCursor>,
        limit: usize,
    ) -> Result<HistoryPage, Error> {
        let target = target_of(id)?;
        let want = limit.clamp(1, MAX_LIMIT);
        let (end, last_id) = match older {
            Some(c) => decode_cursor(c)?,
            None => (0, 0),
        };
        let conn = self.live_link()?;
        let me = self.me()?;
        // A team's history is 8_23, whose `to` is the tid as a Long.
        let (command, to) = match target.scene {
            scene::TEAM => (cmd::GET_TEAM_HISTORY_MSGS, super::teams::tid_param(&target.to)?),
            _ => (cmd::GET_HISTORY_MSGS, Param::scalar("String", target.to.as_str())),
        };
        let q = vec![
            to,
            Param::scalar("Long", 0),
            Param::scalar("Long", end),
            Param::scalar("Long", last_id),
            Param::scalar("Int", want as i64),
            Param::scalar("bool", false),
            Param { t: "LongArray".into(), v: Value::Array(Vec::new()) },
        ];
        if target.scene == scene::TEAM {
            tracing::debug!(target: "unim::calls", call = "link 8_23 getTeamHistoryMsgs");
        }
        let reply = conn.request(command, q, self.options.request_timeout).await?;
        refused(&reply, "getHistoryMsgs")?;
        let raw = if reply.r.is_empty() { Vec::new() } else { reply.properties(0).map_err(malformed("7_6"))? };
        let full = raw.len() >= want;
        let mut messages = Vec::with_capacity(raw.len());
        let conversation = target.conversation();
        for p in raw.iter().filter(|p| !is_notification(p)) {
            let mut m = wire_message(p, &me)?;
            if m.direction == Direction::Incoming && !self.chats().is_unread(&conversation, &m.server_id) {
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
        let bob = target_of(&ConversationId::direct("Bob")).unwrap();
        assert_eq!((bob.scene, bob.session_id()), (SCENE_P2P, "p2p|bob".to_string()));
        let team = target_of(&ConversationId::group("3000000001")).unwrap();
        assert_eq!(
            (team.session_id(), team.conversation()),
            ("team|3000000001".into(), ConversationId::group("3000000001"))
        );
        assert_eq!(target_of(&ConversationId::group("x1")).unwrap_err().kind, unim_core::ErrorKind::InvalidInput);
        assert_eq!(target_of(&ConversationId::direct("")).unwrap_err().kind, unim_core::ErrorKind::InvalidInput);
        assert_eq!(conversation_of_session("team|7"), Some(ConversationId::group("7")));
        assert_eq!(conversation_of_session("p2p|bob"), Some(ConversationId::direct("bob")));
        assert_eq!(conversation_of_session("team|"), None);
    }
}
