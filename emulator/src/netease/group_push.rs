//! Group events and group messages on this face's client links (the link's
//! `team_push.rs` and `mailbox.rs` do the work).

use super::link::{mailbox, team_push};
use super::Face;
use crate::groups::GroupChange;
use crate::messages::StoredMessage;

/// Tells each change's online members, over their links, in the vendor's
/// own notification shape (team notifications, `7_3` applications).
pub(crate) fn publish(face: &Face, changes: &[GroupChange]) {
    team_push::publish(face, changes);
}

/// Delivers a stored group message to `members`: pushed to their online
/// links (the sender's other links get their copy), kept for the next login
/// of those offline.
pub(crate) fn deliver(face: &Face, message: &StoredMessage, members: &[String]) {
    mailbox::deliver_stored(face, message, members);
}
