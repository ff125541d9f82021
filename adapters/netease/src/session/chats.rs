//! The session's own view of its conversations. NetEase's web protocol keeps
//! unread counts on the client (the SDK counts what it received since the
//! last mark read); the server's session list (`7_19`) has no unread count.
//! So unread messages are counted here, per conversation (a user or a
//! team), from what this session received (the login's `4_4` sync and the
//! `7_2` / `8_3` pushes), and zeroed by a mark read.
//! The same view drops a message seen before (by idServer): a re-login's
//! sync may bring again what arrived just before the link dropped.

use std::collections::{HashMap, HashSet, VecDeque};
use unim_core::{ConversationId, Direction, Message};

/// How many message ids are remembered for the duplicate check.
const MAX_SEEN: usize = 100_000;

/// What the session knows of its conversations.
#[derive(Debug, Default)]
pub(crate) struct Chats {
    /// Whose view this is; another user's login starts a new one.
    owner: Option<String>,
    seen: HashSet<String>,
    seen_order: VecDeque<String>,
    /// Per conversation, the ids of the incoming messages not read yet, oldest first.
    unread: HashMap<ConversationId, Vec<String>>,
}

impl Chats {
    /// Keeps the view for `user`'s login, or starts afresh for another user.
    pub(crate) fn for_user(&mut self, user: &str) {
        if self.owner.as_deref() != Some(user) {
            *self = Chats { owner: Some(user.to_owned()), ..Chats::default() };
        }
    }

    /// Takes `message` in; false when it was seen before (then nothing changes).
    pub(crate) fn accept(&mut self, message: &Message) -> bool {
        if !self.seen.insert(message.server_id.clone()) {
            return false;
        }
        self.seen_order.push_back(message.server_id.clone());
        if self.seen_order.len() > MAX_SEEN {
            if let Some(old) = self.seen_order.pop_front() {
                self.seen.remove(&old);
            }
        }
        if message.direction == Direction::Incoming {
            self.unread.entry(message.conversation.clone()).or_default().push(message.server_id.clone());
        }
        true
    }

    /// How many messages of `conversation` are unread.
    pub(crate) fn unread(&self, conversation: &ConversationId) -> u32 {
        self.unread.get(conversation).map_or(0, |ids| u32::try_from(ids.len()).unwrap_or(u32::MAX))
    }

    /// Whether the message `server_id` of `conversation` is unread.
    pub(crate) fn is_unread(&self, conversation: &ConversationId, server_id: &str) -> bool {
        self.unread.get(conversation).is_some_and(|ids| ids.iter().any(|id| id == server_id))
    }

    /// Every message of `conversation` is read.
    pub(crate) fn mark_read(&mut self, conversation: &ConversationId) {
        self.unread.remove(conversation);
    }

    /// `conversation` is gone (its messages count as read).
    pub(crate) fn forget(&mut self, conversation: &ConversationId) {
        self.unread.remove(conversation);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use unim_core::{MessageBody, MessageStatus};

    fn d(peer: &str) -> ConversationId {
        ConversationId::direct(peer)
    }

    fn msg(id: &str, from: &str, direction: Direction) -> Message {
        Message {
            server_id: id.into(),
            client_id: String::new(),
            from: from.into(),
            to: "me".into(),
            conversation: ConversationId::direct(from),
            body: MessageBody::text("x"),
            server_time_ms: 0,
            direction,
            status: MessageStatus::Unread,
        }
    }

    #[test]
    fn duplicates_are_dropped_and_unread_counts_follow() {
        let mut c = Chats::default();
        assert!(c.accept(&msg("1", "bob", Direction::Incoming)));
        assert!(!c.accept(&msg("1", "bob", Direction::Incoming)));
        assert!(c.accept(&msg("2", "bob", Direction::Incoming)));
        assert!(c.accept(&msg("3", "bob", Direction::Outgoing)));
        assert_eq!(c.unread(&d("bob")), 2);
        assert!(c.is_unread(&d("bob"), "2") && !c.is_unread(&d("bob"), "3"));
        c.mark_read(&d("bob"));
        assert_eq!(c.unread(&d("bob")), 0);
        assert!(!c.accept(&msg("2", "bob", Direction::Incoming)));
        assert!(c.accept(&msg("4", "carol", Direction::Incoming)));
        c.forget(&d("carol"));
        assert_eq!(c.unread(&d("carol")), 0);
        c.for_user("me");
        assert!(c.accept(&msg("5", "bob", Direction::Incoming)));
        c.for_user("me");
        assert_eq!(c.unread(&d("bob")), 1);
        c.for_user("someone else");
        assert!(c.accept(&msg("5", "bob", Direction::Incoming)), "a new user's view starts empty");
        let mut team = msg("6", "bob", Direction::Incoming);
        team.conversation = ConversationId::group("bob");
        assert!(c.accept(&team));
        assert_eq!((c.unread(&d("bob")), c.unread(&ConversationId::group("bob"))), (1, 1), "a team apart from a user");
    }
}
