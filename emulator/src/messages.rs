//! The engine's messages: one history per pair of users and per group, each
//! user's conversation list with unread counts, and the dedupe of retried
//! sends. Faces give each message their vendor's id and time format and
//! deliver it over their own links; what is stored, and in which order, is
//! decided here once for every vendor.

use std::collections::HashMap;
use unim_core::{ConversationId, ConversationKind, MessageBody};

/// One stored message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMessage {
    /// The engine's order: larger is later, across all conversations.
    pub seq: u64,
    /// The face's id for it (Tencent `MsgKey`, Easemob's 19 digits, NetEase `msgid`).
    pub server_id: String,
    /// The sender's id for it; a second send with the same one is a retry.
    pub client_id: String,
    /// The sender.
    pub from: String,
    /// The recipient user, or the group.
    pub to: String,
    /// One-to-one (`to` is a user) or group (`to` is the group id).
    pub kind: ConversationKind,
    /// What it says.
    pub body: MessageBody,
    /// When it was stored, Unix milliseconds on the engine's clock.
    pub time_ms: u64,
    /// Its place in its group's history, from 1 (Tencent's per-group
    /// `MsgSeq`); 0 for a one-to-one message.
    pub group_seq: u64,
}

impl StoredMessage {
    /// The other side of the conversation, seen from `user` (the group for a group message).
    pub fn peer_of(&self, user: &str) -> &str {
        if self.kind == ConversationKind::Group || self.from == user {
            &self.to
        } else {
            &self.from
        }
    }
}

/// What [`crate::Engine::store_message`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// The message (the earlier copy when this was a retry).
    pub message: StoredMessage,
    /// True when the same sender had already sent this client id: nothing
    /// new was stored and nothing should be delivered again.
    pub duplicate: bool,
}

/// One entry of a user's conversation list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationEntry {
    /// One-to-one or group.
    pub kind: ConversationKind,
    /// The other user, or the group.
    pub peer: String,
    /// The newest message.
    pub last: StoredMessage,
    /// Incoming messages not read yet.
    pub unread: u32,
    /// The engine `seq` of the newest incoming message read (0: none).
    pub read_up_to: u64,
}

#[derive(Debug, Default)]
struct UserConversation {
    last_seq: u64,
    unread: u32,
    read_up_to: u64,
}

/// The store behind the engine's message methods.
#[derive(Debug, Default)]
pub(crate) struct Messages {
    next_seq: u64,
    /// By seq.
    all: HashMap<u64, StoredMessage>,
    /// Seqs of each pair's history, oldest first; key = the two users sorted.
    pairs: HashMap<(String, String), Vec<u64>>,
    /// Seqs of each group's history, oldest first.
    groups: HashMap<String, Vec<u64>>,
    /// (sender, client id) → seq.
    by_client_id: HashMap<(String, String), u64>,
    /// user → conversation → entry.
    conversations: HashMap<String, HashMap<ConversationId, UserConversation>>,
}

fn pair(a: &str, b: &str) -> (String, String) {
    if a <= b {
        (a.to_owned(), b.to_owned())
    } else {
        (b.to_owned(), a.to_owned())
    }
}

impl Messages {
    /// Stores a one-to-one message unless `(from, client_id)` was stored
    /// before. `server_id` makes the face's id from the engine seq and the time.
    pub(crate) fn store(
        &mut self,
        from: &str,
        to: &str,
        client_id: &str,
        body: MessageBody,
        time_ms: u64,
        server_id: impl FnOnce(u64, u64) -> String,
    ) -> Stored {
        let target = ConversationId::direct(to);
        let stored = self.insert(from, &target, client_id, body, time_ms, server_id);
        if !stored.duplicate {
            let seq = stored.message.seq;
            self.pairs.entry(pair(from, to)).or_default().push(seq);
            self.touch(from, target, seq, false);
            if from != to {
                self.touch(to, ConversationId::direct(from), seq, true);
            }
        }
        stored
    }

    /// Stores a group message unless `(from, client_id)` was stored before;
    /// every one of `members` gets the group in its list, unread for all but
    /// the sender. `server_id` gets the engine seq, the time and the
    /// message's place in the group's history (from 1).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn store_group(
        &mut self,
        from: &str,
        group: &str,
        members: &[String],
        client_id: &str,
        body: MessageBody,
        time_ms: u64,
        server_id: impl FnOnce(u64, u64, u64) -> String,
    ) -> Stored {
        let target = ConversationId::group(group);
        let group_seq = self.groups.get(group).map_or(0, Vec::len) as u64 + 1;
        let mut stored =
            self.insert(from, &target, client_id, body, time_ms, |seq, time| server_id(seq, time, group_seq));
        if !stored.duplicate {
            stored.message.group_seq = group_seq;
            if let Some(m) = self.all.get_mut(&stored.message.seq) {
                m.group_seq = group_seq;
            }
            let seq = stored.message.seq;
            self.groups.entry(group.to_owned()).or_default().push(seq);
            for member in members {
                self.touch(member, target.clone(), seq, member != from);
            }
        }
        stored
    }

    fn insert(
        &mut self,
        from: &str,
        target: &ConversationId,
        client_id: &str,
        body: MessageBody,
        time_ms: u64,
        server_id: impl FnOnce(u64, u64) -> String,
    ) -> Stored {
        let key = (from.to_owned(), client_id.to_owned());
        if let Some(message) = self.by_client_id.get(&key).and_then(|seq| self.all.get(seq)) {
            return Stored { message: message.clone(), duplicate: true };
        }
        self.next_seq += 1;
        let seq = self.next_seq;
        let message = StoredMessage {
            seq,
            server_id: server_id(seq, time_ms),
            client_id: client_id.to_owned(),
            from: from.to_owned(),
            to: target.peer.clone(),
            kind: target.kind,
            body,
            time_ms,
            group_seq: 0,
        };
        self.by_client_id.insert(key, seq);
        self.all.insert(seq, message.clone());
        Stored { message, duplicate: false }
    }

    fn touch(&mut self, user: &str, conversation: ConversationId, seq: u64, unread: bool) {
        let entry = self.conversations.entry(user.to_owned()).or_default().entry(conversation).or_default();
        entry.last_seq = seq;
        if unread {
            entry.unread += 1;
        }
    }

    /// The message with the face id `server_id`.
    pub(crate) fn by_server_id(&self, server_id: &str) -> Option<StoredMessage> {
        self.all.values().find(|m| m.server_id == server_id).cloned()
    }

    /// Up to `limit` messages between `a` and `b` older than `before_seq`
    /// (all when `None`), the newest of them, oldest first.
    pub(crate) fn history(&self, a: &str, b: &str, before_seq: Option<u64>, limit: usize) -> Vec<StoredMessage> {
        let Some(seqs) = self.pairs.get(&pair(a, b)) else { return Vec::new() };
        let older: Vec<u64> = seqs.iter().copied().filter(|s| before_seq.is_none_or(|b| *s < b)).collect();
        let from = older.len().saturating_sub(limit);
        older[from..].iter().filter_map(|s| self.all.get(s).cloned()).collect()
    }

    /// Up to `limit` messages of `group` older than `before_seq` (all when
    /// `None`), the newest of them, oldest first.
    pub(crate) fn group_history(&self, group: &str, before_seq: Option<u64>, limit: usize) -> Vec<StoredMessage> {
        let Some(seqs) = self.groups.get(group) else { return Vec::new() };
        let older: Vec<u64> = seqs.iter().copied().filter(|s| before_seq.is_none_or(|b| *s < b)).collect();
        let from = older.len().saturating_sub(limit);
        older[from..].iter().filter_map(|s| self.all.get(s).cloned()).collect()
    }

    /// `user`'s conversations, most recently updated first.
    pub(crate) fn conversations(&self, user: &str) -> Vec<ConversationEntry> {
        let Some(mine) = self.conversations.get(user) else { return Vec::new() };
        let mut list: Vec<ConversationEntry> = mine
            .iter()
            .filter_map(|(id, c)| {
                let last = self.all.get(&c.last_seq)?.clone();
                Some(ConversationEntry {
                    kind: id.kind,
                    peer: id.peer.clone(),
                    last,
                    unread: c.unread,
                    read_up_to: c.read_up_to,
                })
            })
            .collect();
        list.sort_by_key(|c| std::cmp::Reverse(c.last.seq));
        list
    }

    /// Marks `user`'s conversation read; false when there is none.
    pub(crate) fn mark_read(&mut self, user: &str, conversation: &ConversationId) -> bool {
        match self.conversations.get_mut(user).and_then(|m| m.get_mut(conversation)) {
            Some(c) => {
                c.unread = 0;
                c.read_up_to = c.last_seq;
                true
            }
            None => false,
        }
    }

    /// Removes a conversation from `user`'s list (the history stays); false
    /// when there was none. A later message brings it back.
    pub(crate) fn delete_conversation(&mut self, user: &str, conversation: &ConversationId) -> bool {
        self.conversations.get_mut(user).is_some_and(|m| m.remove(conversation).is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(t: &str) -> MessageBody {
        MessageBody::text(t)
    }

    fn id(seq: u64, time: u64) -> String {
        format!("{seq}_{time}")
    }

    #[test]
    fn retries_are_stored_once_and_lists_track_unread() {
        let mut m = Messages::default();
        let first = m.store("alice", "bob", "c1", text("hi"), 1_000, id);
        assert!(!first.duplicate);
        let again = m.store("alice", "bob", "c1", text("hi"), 2_000, id);
        assert!(again.duplicate);
        assert_eq!(again.message, first.message);
        m.store("alice", "bob", "c2", text("there"), 3_000, id);
        // Another sender may reuse a client id.
        m.store("bob", "alice", "c1", text("yo"), 4_000, id);
        let bobs = m.conversations("bob");
        assert_eq!(bobs.len(), 1);
        assert_eq!((bobs[0].peer.as_str(), bobs[0].unread), ("alice", 2));
        assert_eq!(bobs[0].last.body, text("yo"));
        assert_eq!(m.conversations("alice")[0].unread, 1);
        assert!(m.mark_read("bob", &ConversationId::direct("alice")));
        assert_eq!(m.conversations("bob")[0].unread, 0);
        assert!(!m.mark_read("bob", &ConversationId::direct("carol")));
        assert_eq!(m.by_server_id("2_3000").map(|s| s.client_id), Some("c2".into()));
    }

    #[test]
    fn history_pages_backwards_each_message_once() {
        let mut m = Messages::default();
        for i in 0..10 {
            let (from, to) = if i % 2 == 0 { ("a", "b") } else { ("b", "a") };
            m.store(from, to, &format!("c{i}"), text(&i.to_string()), i, id);
        }
        m.store("a", "c", "x", text("elsewhere"), 99, id);
        let mut seen = Vec::new();
        let mut before = None;
        loop {
            let page = m.history("b", "a", before, 4);
            if page.is_empty() {
                break;
            }
            before = Some(page[0].seq);
            seen.splice(0..0, page.into_iter().map(|s| s.body));
        }
        assert_eq!(seen, (0..10).map(|i| text(&i.to_string())).collect::<Vec<_>>());
    }

    #[test]
    fn deleting_a_conversation_keeps_the_history_and_a_new_message_brings_it_back() {
        let mut m = Messages::default();
        m.store("a", "b", "1", text("x"), 1, id);
        assert!(m.delete_conversation("b", &ConversationId::direct("a")));
        assert!(m.conversations("b").is_empty());
        assert_eq!(m.conversations("a").len(), 1);
        assert_eq!(m.history("a", "b", None, 10).len(), 1);
        m.store("a", "b", "2", text("y"), 2, id);
        assert_eq!(m.conversations("b")[0].unread, 1);
        assert!(!m.delete_conversation("b", &ConversationId::direct("nobody")));
    }

    #[test]
    fn group_messages_reach_every_members_list_and_page_per_group() {
        let mut m = Messages::default();
        let members: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        for i in 0..5 {
            let s = m.store_group("a", "g1", &members, &format!("c{i}"), text(&i.to_string()), i, |s, t, _| id(s, t));
            assert_eq!(s.message.group_seq, i + 1);
        }
        assert!(m.store_group("a", "g1", &members, "c0", text("0"), 9, |s, t, _| id(s, t)).duplicate);
        m.store("a", "b", "d", text("direct"), 10, id);
        let b = m.conversations("b");
        assert_eq!(b.len(), 2);
        let g = b.iter().find(|c| c.kind == ConversationKind::Group).unwrap();
        assert_eq!((g.peer.as_str(), g.unread), ("g1", 5));
        let a = m.conversations("a");
        assert_eq!(a.iter().find(|c| c.kind == ConversationKind::Group).map(|c| c.unread), Some(0));
        assert!(m.mark_read("b", &ConversationId::group("g1")));
        assert_eq!(m.conversations("b").iter().map(|c| c.unread).sum::<u32>(), 1);
        let page = m.group_history("g1", None, 2);
        assert_eq!(page.iter().map(|s| s.body.clone()).collect::<Vec<_>>(), vec![text("3"), text("4")]);
        assert_eq!(m.group_history("g1", Some(page[0].seq), 10).len(), 3);
        assert_eq!(page[0].peer_of("b"), "g1");
        assert!(m.history("a", "b", None, 10).iter().all(|s| s.kind == ConversationKind::Direct));
    }
}
