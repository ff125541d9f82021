//! A SYNC meta addressed to a group's JID (`<appKey>_<id>@conference.easemob.com`),
//! as easemob-websdk sends it for `chatType: "groupChat"`
//! (docs/protocols/easemob.md, "Groups"):
//!
//! - a `GROUPCHAT` body is a group message: the engine checks membership and
//!   mutes on its clock and stores it once (the meta id, or unim's `ext`
//!   client id, names it), then `group_push` queues it for every member;
//! - a `CHANNEL_ACK` body marks the group conversation read.
//!
//! Refusals use the statuses the SDK maps: `USER_MUTED` (15) is its "you were
//! muted" (507); `FAIL` with "not in group or chatroom" its `GROUP_NOT_JOINED`
//! (602); `FAIL` with "group not found" its `GROUP_NOT_EXIST` (605).

use super::Shared;
use crate::easemob::group_push;
use crate::groups::{Actor, GroupError};
use crate::LinkId;
use unim_core::ConversationId;
use unim_easemob::link::{self, message_body, status::ErrorCode, CommSyncDl, Status};
use unim_easemob::messages::{client_id_of, from_pb, MAX_MESSAGE_BYTES};

/// The sending login.
pub(crate) struct Sender<'a> {
    pub(crate) user: &'a str,
    pub(crate) resource: &'a str,
    pub(crate) link: LinkId,
}

/// The reason the SDK reads as "not in group" (602).
pub(crate) const NOT_IN_GROUP: &str = "not in group or chatroom";
/// The reason the SDK reads as "group does not exist" (605).
pub(crate) const GROUP_NOT_FOUND: &str = "group not found";

/// The status of a refused group send.
fn refusal(e: &GroupError) -> Status {
    match e {
        GroupError::NoSuchGroup(_) => Status::error(ErrorCode::Fail, GROUP_NOT_FOUND),
        GroupError::Muted { .. } => Status::error(ErrorCode::UserMuted, "you were muted"),
        GroupError::NotMember(_) | GroupError::Denied(_) => Status::error(ErrorCode::Fail, NOT_IN_GROUP),
        other => Status::error(ErrorCode::WrongParameter, other.to_string()),
    }
}

/// Handles the meta `meta_id` with `payload` from `from` to `group`; the reply to send.
pub(crate) fn sync(
    shared: &Shared,
    from: Sender<'_>,
    group: &str,
    meta_id: u64,
    payload: Vec<u8>,
    now: u64,
) -> CommSyncDl {
    let nack = |status: Status| CommSyncDl {
        status: Some(status),
        meta_id: Some(meta_id),
        timestamp: Some(now),
        ..CommSyncDl::default()
    };
    let face = &shared.face;
    let Ok(pb) = link::decode_message::<link::MessageBody>(&payload) else {
        return nack(Status::error(ErrorCode::WrongParameter, "the message body is unreadable"));
    };
    let kind = pb.r#type.unwrap_or(0);
    if kind == message_body::Type::ChannelAck as i32 {
        if let Err(e) = face.engine.group(group) {
            return nack(refusal(&e));
        }
        face.engine.mark_conversation_read(from.user, &ConversationId::group(group));
        return CommSyncDl::ack(meta_id, shared.queues.next_id(now), now);
    }
    if kind != message_body::Type::Groupchat as i32 {
        return nack(Status::error(ErrorCode::WrongParameter, "message type not supported for a group"));
    }
    let Some(body) = from_pb(&pb) else {
        return nack(Status::error(ErrorCode::WrongParameter, "only text and custom contents are supported"));
    };
    if body.byte_len() > MAX_MESSAGE_BYTES {
        return nack(Status::error(ErrorCode::PermissionDenied, super::conn::TOO_LARGE));
    }
    // The meta id is the SDK's client message id; unim's ext client id names it instead when present.
    let client_id = client_id_of(&pb).unwrap_or_else(|| meta_id.to_string());
    let queues = &shared.queues;
    let sent =
        face.engine.send_group_message(Actor::User(from.user), from.user, group, &client_id, body, |_, time, _| {
            queues.next_id(time).to_string()
        });
    let (stored, members) = match sent {
        Ok(sent) => sent,
        Err(e) => return nack(refusal(&e)),
    };
    let server_id = stored.message.server_id.parse::<u64>().unwrap_or_default();
    if !stored.duplicate {
        face.payloads.put(server_id, payload);
        group_push::deliver_from(face, &stored.message, &members, Some((from.resource, from.link)));
    }
    CommSyncDl::ack(meta_id, server_id, stored.message.time_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_carry_the_reasons_the_sdk_maps() {
        let muted = refusal(&GroupError::Muted { until_ms: 5 });
        assert_eq!(muted.error_code, Some(ErrorCode::UserMuted as i32));
        let outsider = refusal(&GroupError::NotMember("zed".into()));
        assert_eq!(
            (outsider.error_code, outsider.reason.as_deref()),
            (Some(ErrorCode::Fail as i32), Some(NOT_IN_GROUP))
        );
        let gone = refusal(&GroupError::NoSuchGroup("1".into()));
        assert_eq!(gone.reason.as_deref(), Some(GROUP_NOT_FOUND));
    }
}
