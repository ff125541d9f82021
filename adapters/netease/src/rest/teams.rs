//! Advanced teams (高级群) over the v1 server API (netease.md 3.3): the
//! limits both sides share and the reply payloads of `team/query.action`,
//! `team/queryDetail.action` and `team/joinTeams.action`, read leniently
//! (NetEase sends `tid` as a string from `team/create.action` and as a number
//! elsewhere; flags as numbers or booleans).

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// The longest team name, `tname` (netease.md 3.3).
pub const MAX_TNAME_CHARS: usize = 64;
/// The longest `intro`.
pub const MAX_INTRO_CHARS: usize = 512;
/// The longest `announcement`.
pub const MAX_ANNOUNCEMENT_CHARS: usize = 1024;
/// The longest `custom` (and `icon`).
pub const MAX_CUSTOM_CHARS: usize = 1024;
/// The longest invitation text `msg` (required by create and add).
pub const MAX_INVITE_MSG_CHARS: usize = 150;
/// Most accids in one `team/add.action` or `team/kick.action`.
pub const MAX_ADD_MEMBERS: usize = 200;
/// Most accids in one `team/addManager.action` / `team/removeManager.action`.
pub const MAX_MANAGERS_PER_CALL: usize = 10;
/// The member limit of a team created without `teamMemberLimit`.
pub const DEFAULT_MEMBER_LIMIT: u32 = 200;
/// The smallest `teamMemberLimit`.
pub const MIN_MEMBER_LIMIT: u32 = 2;

/// `joinmode`: who may join by applying.
pub mod joinmode {
    /// Anyone who applies joins.
    pub const FREE: i64 = 0;
    /// An application waits for a manager.
    pub const APPROVAL: i64 = 1;
    /// Nobody may apply.
    pub const INVITE_ONLY: i64 = 2;
}

/// `invitemode`: who may invite.
pub mod invitemode {
    /// The owner and managers.
    pub const MANAGERS: i64 = 0;
    /// Every member.
    pub const ALL: i64 = 1;
}

/// One entry of `tinfos` (`team/query.action`): member lists are accids,
/// `members` the plain members only (present with `ope` 1).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct TeamInfo {
    /// The team id.
    #[serde(deserialize_with = "lenient_string")]
    pub tid: String,
    /// The name.
    pub tname: String,
    /// The owner's accid.
    pub owner: String,
    /// The introduction.
    pub intro: Option<String>,
    /// The announcement.
    pub announcement: Option<String>,
    /// The member limit.
    #[serde(deserialize_with = "lenient_i64")]
    pub maxusers: i64,
    /// How many members, owner included.
    #[serde(deserialize_with = "lenient_i64")]
    pub size: i64,
    /// 0 free, 1 approval, 2 invite only.
    #[serde(deserialize_with = "lenient_i64")]
    pub joinmode: i64,
    /// 0 managers invite, 1 everyone.
    #[serde(deserialize_with = "lenient_i64")]
    pub invitemode: i64,
    /// 0 the invitee must agree, 1 not.
    #[serde(deserialize_with = "lenient_i64")]
    pub beinvitemode: i64,
    /// The managers' accids.
    pub admins: Vec<String>,
    /// The plain members' accids.
    pub members: Vec<String>,
    /// When it was created, Unix milliseconds.
    #[serde(deserialize_with = "lenient_i64")]
    pub createtime: i64,
}

/// One member object of `team/queryDetail.action`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct TeamMemberInfo {
    /// The member.
    pub accid: String,
    /// The team nickname.
    pub nick: Option<String>,
    /// Muted in this team.
    #[serde(deserialize_with = "lenient_flag")]
    pub mute: bool,
    /// When they joined, Unix milliseconds.
    #[serde(deserialize_with = "lenient_i64")]
    pub createtime: i64,
}

/// `tinfo` of `team/queryDetail.action`: the owner, managers and plain
/// members as objects.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct TeamDetail {
    /// The team id.
    #[serde(deserialize_with = "lenient_string")]
    pub tid: String,
    /// The owner.
    pub owner: Option<TeamMemberInfo>,
    /// The managers.
    pub admins: Vec<TeamMemberInfo>,
    /// The plain members.
    pub members: Vec<TeamMemberInfo>,
}

/// One entry of `infos` (`team/joinTeams.action`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct JoinedTeam {
    /// The team id.
    #[serde(deserialize_with = "lenient_string")]
    pub tid: String,
    /// The name.
    pub tname: String,
    /// The owner's accid.
    pub owner: String,
    /// The member limit.
    #[serde(deserialize_with = "lenient_i64")]
    pub maxusers: i64,
    /// How many members.
    #[serde(deserialize_with = "lenient_i64")]
    pub size: i64,
}

fn lenient_i64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    use serde::de::Error;
    match Value::deserialize(d)? {
        Value::Null => Ok(0),
        Value::Number(n) => n.as_i64().ok_or_else(|| D::Error::custom(format!("{n} is not an integer"))),
        Value::String(s) => s.parse().map_err(|_| D::Error::custom(format!("{s:?} is not an integer"))),
        other => Err(D::Error::custom(format!("{other} is not an integer"))),
    }
}

fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    use serde::de::Error;
    match Value::deserialize(d)? {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        Value::Null => Ok(String::new()),
        other => Err(D::Error::custom(format!("{other} is not an id"))),
    }
}

fn lenient_flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    use serde::de::Error;
    match Value::deserialize(d)? {
        Value::Null => Ok(false),
        Value::Bool(b) => Ok(b),
        Value::Number(n) => Ok(n.as_i64().unwrap_or(0) != 0),
        Value::String(s) => Ok(matches!(s.as_str(), "true" | "1")),
        other => Err(D::Error::custom(format!("{other} is not a flag"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_team_payloads_leniently() {
        let t: TeamInfo = serde_json::from_value(json!({
            "tid": 123, "tname": "t", "owner": "a", "maxusers": "200", "size": 3, "joinmode": 1,
            "admins": ["b"], "members": ["c"], "mute": false, "createtime": 5
        }))
        .unwrap();
        assert_eq!((t.tid.as_str(), t.maxusers, t.joinmode, t.members.len()), ("123", 200, 1, 1));
        let d: TeamDetail = serde_json::from_value(json!({
            "tid": "9", "owner": {"accid": "a", "mute": 0, "createtime": 1},
            "members": [{"accid": "c", "mute": true, "createtime": "2"}]
        }))
        .unwrap();
        assert_eq!((d.owner.unwrap().accid.as_str(), d.members[0].mute, d.members[0].createtime), ("a", true, 2));
        assert!(serde_json::from_value::<TeamInfo>(json!({"tid": []})).is_err());
    }
}
