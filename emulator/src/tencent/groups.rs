//! The Tencent face's groups: the `group_open_http_svc` commands
//! (vendors/tencent.md 2.6, 2.7), one entry point for the REST API (as the
//! App admin) and the web link (as the logged-in user), which sends the same
//! JSON bodies under `group_open_http_svc.<command>`.
//!
//! Tencent's rules: a Work (`Private`) group grows by any member's invitation,
//! any member edits its profile, it has no admins and no mutes, its owner may
//! quit (it goes on without one) and only the App admin disbands it. A
//! `Public` group is run by its owner and admins, and the owner must hand it
//! over before quitting (10009). `ChatRoom` (Meeting) is a public group anyone
//! joins freely. `AVChatRoom` and `Community` are not modelled.
//!
//! Every permission and limit is the engine's ([`crate::groups`]); this face
//! maps its refusals to Tencent's codes and hands every change to
//! [`super::group_push::publish`].

mod manage;
mod members;
mod messages;

use super::rest::{Refusal, Reply};
use super::Face;
use crate::groups::{Actor, GroupChange, GroupError, GroupRecord, GroupRules};
use serde_json::{Map, Value};
use unim_core::OwnerLeave;
use unim_tencent::rest::groups::{AUTO_ID_PREFIX, MAX_GROUP_ID_BYTES, MAX_MEMBER_LIMIT};

/// For the web link's group pushes (`group_push::deliver`).
pub(crate) use messages::group_msg_parts;

/// Tencent's group rules (tencent.md 2.7): a Work (`Private`) group lets any
/// member invite and edit, has no admins or mutes, lets the owner quit
/// (leaving it owner-less) and is dismissed by the App admin only; a Public
/// group's owner must hand it over before quitting (10009).
pub(crate) const RULES: GroupRules = GroupRules {
    private_members_invite: true,
    private_members_edit: true,
    private_owner_dismiss: false,
    private_admins_and_mutes: false,
    private_owner_leave: OwnerLeave::LeavesOwnerless,
    public_owner_leave: OwnerLeave::Refused,
    // Public and Meeting groups allow 10 admins: Tencent's Group System page
    // (1047/33529); the fact sheet does not repeat the number.
    max_admins: 10,
    // The Pro edition's member limit (tencent.md 2.7); Ultimate goes to 6000.
    default_max_members: 200,
    max_members_cap: MAX_MEMBER_LIMIT,
};

/// Invalid parameter.
pub(super) const ERR_PARAM: i64 = 10004;
/// Too many accounts in the request.
pub(super) const ERR_TOO_MANY: i64 = 10005;
/// Insufficient permission (non-members included).
pub(super) const ERR_PERMISSION: i64 = 10007;
/// The owner cannot quit.
pub(super) const ERR_OWNER_QUIT: i64 = 10009;
/// The group does not exist or was disbanded.
pub(super) const ERR_NO_GROUP: i64 = 10010;
/// Already a member.
pub(super) const ERR_ALREADY_MEMBER: i64 = 10013;
/// The group is full.
pub(super) const ERR_FULL: i64 = 10014;
/// Invalid group id.
pub(super) const ERR_BAD_GROUP_ID: i64 = 10015;
/// The sender is muted.
pub(super) const ERR_MUTED: i64 = 10017;
/// The UserID does not exist.
pub(super) const ERR_NO_USER: i64 = 10019;
/// The group id is used by someone else.
pub(super) const ERR_ID_TAKEN: i64 = 10021;
/// The group id is already used by the caller.
pub(super) const ERR_ID_YOURS: i64 = 10025;
/// The message is too long.
pub(super) const ERR_TOO_LONG: i64 = 80002;

/// Answers a `group_open_http_svc` command; `None` when `command` is not one.
pub(crate) fn answer(face: &Face, actor: Actor<'_>, command: &str, body: &Map<String, Value>) -> Option<Reply> {
    let f = Fields(body);
    Some(match command {
        "create_group" => manage::create_group(face, actor, f),
        "get_group_info" => manage::get_group_info(face, actor, f),
        "modify_group_base_info" => manage::modify_group_base_info(face, actor, f),
        "change_group_owner" => manage::change_group_owner(face, actor, f),
        "destroy_group" => manage::destroy_group(face, actor, f),
        "get_joined_group_list" => manage::get_joined_group_list(face, actor, f),
        "apply_join_group" => manage::apply_join_group(face, actor, f),
        "handle_apply_join_group" => manage::handle_apply_join_group(face, actor, f),
        "quit_group" => manage::quit_group(face, actor, f),
        "add_group_member" => members::add_group_member(face, actor, f),
        "delete_group_member" => members::delete_group_member(face, actor, f),
        "get_group_member_info" => members::get_group_member_info(face, actor, f),
        "modify_group_member_info" => members::modify_group_member_info(face, actor, f),
        "forbid_send_msg" => members::forbid_send_msg(face, actor, f),
        "send_group_msg" => messages::send_group_msg(face, actor, f),
        "group_msg_get_simple" => messages::group_msg_get_simple(face, actor, f),
        _ => return None,
    })
}

/// Tencent's code for an engine refusal.
pub(super) fn refuse(e: GroupError) -> Refusal {
    let code = match &e {
        GroupError::NoSuchGroup(_) => ERR_NO_GROUP,
        GroupError::NoSuchUser(_) => ERR_NO_USER,
        GroupError::NotMember(_) | GroupError::Denied(_) | GroupError::InviteOnly => ERR_PERMISSION,
        GroupError::Full { .. } => ERR_FULL,
        GroupError::AlreadyMember(_) => ERR_ALREADY_MEMBER,
        GroupError::Muted { .. } => ERR_MUTED,
        GroupError::OwnerCannotLeave => ERR_OWNER_QUIT,
        GroupError::NoApplication(_) | GroupError::Invalid(_) => ERR_PARAM,
    };
    Refusal::new(code, e.to_string())
}

/// Tells the online members.
pub(super) fn publish(face: &Face, changes: &[GroupChange]) {
    if !changes.is_empty() {
        super::group_push::publish(face, changes);
    }
}

/// An automatic id: `@TGS#2` and 8 letters and digits, a bijection of the
/// engine's group number (an odd multiplier modulo 2^40), so ids are
/// unique and look like Tencent's (`@TGS#2J4SZEAEL`).
pub(super) fn auto_id(number: u64) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut x = number.wrapping_mul(0x9E37_79B9_7F4A_7C15) & ((1 << 40) - 1);
    let mut id = String::from(AUTO_ID_PREFIX);
    id.push('2');
    for _ in 0..8 {
        id.push(char::from(ALPHABET[(x & 31) as usize]));
        x >>= 5;
    }
    id
}

/// Whether `id` can be a group id at all: printable ASCII, shorter than 48 bytes.
pub(super) fn valid_group_id(id: &str) -> bool {
    !id.is_empty() && id.len() < MAX_GROUP_ID_BYTES && id.bytes().all(|b| (0x20..=0x7e).contains(&b))
}

/// The group `id`: 10015 for an impossible id, 10010 when there is none.
pub(super) fn lookup(face: &Face, id: &str) -> Result<GroupRecord, Refusal> {
    if !valid_group_id(id) {
        return Err(Refusal::new(ERR_BAD_GROUP_ID, format!("invalid GroupId {id:?}")));
    }
    face.engine.group(id).map_err(refuse)
}

/// Refuses a non-member user (the App admin may always).
pub(super) fn require_member(group: &GroupRecord, actor: Actor<'_>) -> Result<(), Refusal> {
    match actor {
        Actor::User(u) if group.member(u).is_none() => {
            Err(Refusal::new(ERR_PERMISSION, format!("{u} is not a member of group {}", group.id)))
        }
        _ => Ok(()),
    }
}

/// A request body's fields, read strictly: a field of the wrong type is 10004.
#[derive(Clone, Copy)]
pub(super) struct Fields<'a>(pub(super) &'a Map<String, Value>);

fn bad(key: &str, what: &str) -> Refusal {
    Refusal::new(ERR_PARAM, format!("invalid parameter: {key} must be {what}"))
}

impl<'a> Fields<'a> {
    /// The raw value, absent when missing or null.
    pub(super) fn get(&self, key: &str) -> Option<&'a Value> {
        self.0.get(key).filter(|v| !v.is_null())
    }

    /// An optional string.
    pub(super) fn str_opt(&self, key: &str) -> Result<Option<&'a str>, Refusal> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(bad(key, "a string")),
        }
    }

    /// A required, non-empty string.
    pub(super) fn str_req(&self, key: &str) -> Result<&'a str, Refusal> {
        self.str_opt(key)?
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Refusal::new(ERR_PARAM, format!("invalid parameter: {key} is required")))
    }

    /// An optional unsigned integer (digits in a string are read too).
    pub(super) fn u64_opt(&self, key: &str) -> Result<Option<u64>, Refusal> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => n.as_u64().map(Some).ok_or_else(|| bad(key, "an unsigned integer")),
            Some(Value::String(s)) => s.trim().parse().map(Some).map_err(|_| bad(key, "an unsigned integer")),
            Some(_) => Err(bad(key, "an unsigned integer")),
        }
    }

    /// An optional array of strings.
    pub(super) fn list(&self, key: &str) -> Result<Option<Vec<String>>, Refusal> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| v.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .map(Some)
                .ok_or_else(|| bad(key, "an array of strings")),
            Some(_) => Err(bad(key, "an array of strings")),
        }
    }

    /// An optional object.
    pub(super) fn object(&self, key: &str) -> Result<Option<Fields<'a>>, Refusal> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Object(m)) => Ok(Some(Fields(m))),
            Some(_) => Err(bad(key, "an object")),
        }
    }

    /// The group named by `GroupId`.
    pub(super) fn group(&self, face: &Face) -> Result<GroupRecord, Refusal> {
        lookup(face, self.str_req("GroupId")?)
    }
}

/// Refuses a text over `max` bytes with 10004.
pub(super) fn check_len(key: &str, value: &str, max: usize) -> Result<(), Refusal> {
    if value.len() > max {
        return Err(Refusal::new(ERR_PARAM, format!("invalid parameter: {key} is longer than {max} bytes")));
    }
    Ok(())
}

/// Refuses an empty batch (10004) or one over `max` (10005).
pub(super) fn check_batch(key: &str, len: usize, max: usize) -> Result<(), Refusal> {
    if len == 0 {
        return Err(Refusal::new(ERR_PARAM, format!("invalid parameter: {key} is empty")));
    }
    if len > max {
        return Err(Refusal::new(ERR_TOO_MANY, format!("too many accounts in {key}: {len} (at most {max})")));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
