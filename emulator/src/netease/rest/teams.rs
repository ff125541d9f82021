//! The v1 advanced-team endpoints `team/*.action` (netease.md 3.3) over the
//! engine's groups.
//!
//! Every call names its operator (`owner`, or `accid` for `team/leave`),
//! and the team's rules apply to it, as on NetEase: the server API has no
//! "app admin" who bypasses them. `team/create`'s `owner` creates and owns.
//!
//! The modes map onto the engine's neutral group: `invitemode` 1 (every
//! member invites) is a `Private` group, 0 (managers) a `Public` one;
//! `joinmode` 0/1/2 is Free/Approval/InviteOnly. `beinvitemode`,
//! `uptinfomode`, `upcustommode`, `announcement`, `custom` and `icon` are
//! kept on the team as given; `uptinfomode` 1 lets every member change the
//! name, introduction, announcement and icon, `upcustommode` 1 `custom`.
//!
//! Choices where the documents are silent (or the emulator is simpler):
//! - Invitees always join at once: an invitation waiting for the invitee's
//!   consent (`magree` 1 with `beinvitemode` 0) is not modelled.
//! - `team/create` leaves unknown accids out and lists them in `faccid`;
//!   `team/add` does the same, and answers 809 when every accid named is a
//!   member already (a mix adds the new ones).
//! - `team/kick` of an accid that is not in the team is 804, before anything
//!   is done; `team/query` of an unknown tid is 803 unless `ignoreInvalid`.
//! - `team/muteTlist` mutes until unmuted. **Emulator extension:** an extra
//!   field `muteDuration` (seconds, > 0) ends the mute after that long on the
//!   engine's clock (NetEase's member mute has no duration; the unim admin
//!   sends it for the neutral timed mute, and NetEase's cloud ignores it).
//! - Managers: at most [`MAX_MANAGERS`] (815 beyond).
//! - Codes: 803 no such team, 804 the operator or target is not in the
//!   team, 802 no permission (also the owner leaving), 801 full, 809 already
//!   in the team, 812 a muted member's send, 414 bad parameters.

use super::super::group_push;
use super::super::Face;
use super::form::Form;
use super::{bad, object, Refusal};
use crate::groups::{Actor, GroupChange, GroupError, GroupRecord, GroupRules};
use serde_json::{json, Map, Value};
use unim_core::{GroupKind, GroupSpec, JoinPolicy, Role};
use unim_netease::accid::check_accid;
use unim_netease::error::code;
use unim_netease::rest::teams::{
    invitemode, joinmode, DEFAULT_MEMBER_LIMIT, MAX_ADD_MEMBERS, MAX_ANNOUNCEMENT_CHARS, MAX_CUSTOM_CHARS,
    MAX_INTRO_CHARS, MAX_INVITE_MSG_CHARS, MAX_MANAGERS_PER_CALL, MAX_TNAME_CHARS, MIN_MEMBER_LIMIT,
};

type Reply = Result<Map<String, Value>, Refusal>;

/// tids are this plus the engine's group number: ten digits, like the vendor's.
const TID_BASE: u64 = 3_000_000_000;
/// The largest `teamMemberLimit` the emulated app allows.
pub(in crate::netease) const MEMBER_LIMIT_CAP: u32 = 2000;
/// Managers besides the owner.
pub(in crate::netease) const MAX_MANAGERS: u32 = 10;
/// Most tids one `team/query.action` takes (the documents give no number).
const MAX_QUERY_TIDS: usize = 200;
/// A mute without an end (`team/muteTlist` without `muteDuration`): 100 years.
const FOREVER_SECS: u64 = 100 * 365 * 24 * 3600;

/// NetEase's team rules: the managed defaults (owner and managers manage, the
/// owner cannot leave but hands the team over first, `invitemode` 1 lets every
/// member invite) with NetEase's own manager and member limits.
pub(in crate::netease) const RULES: GroupRules = GroupRules {
    max_admins: MAX_MANAGERS,
    default_max_members: DEFAULT_MEMBER_LIMIT,
    max_members_cap: MEMBER_LIMIT_CAP,
    ..GroupRules::MANAGED
};

/// The tid of the engine's group number `n`.
pub(in crate::netease) fn tid_of(n: u64) -> String {
    (TID_BASE + n).to_string()
}

/// NetEase's code and desc for a refused team operation.
pub(in crate::netease) fn refusal(e: GroupError) -> Refusal {
    let code = match &e {
        GroupError::NoSuchGroup(_) => code::TEAM_NOT_FOUND,
        GroupError::NotMember(_) => code::NOT_IN_TEAM,
        GroupError::Denied(_) | GroupError::OwnerCannotLeave | GroupError::InviteOnly => code::TEAM_NO_PERMISSION,
        GroupError::Full { .. } => code::TEAM_FULL,
        GroupError::AlreadyMember(_) => code::ALREADY_IN_TEAM,
        GroupError::Muted { .. } => code::TEAM_MUTED,
        GroupError::NoSuchUser(_) | GroupError::NoApplication(_) => code::NOT_FOUND,
        GroupError::Invalid(_) => code::BAD_PARAM,
    };
    Refusal::new(code, e.to_string())
}

/// Tells the members over their links.
fn publish(face: &Face, changes: &[GroupChange]) {
    if !changes.is_empty() {
        group_push::publish(face, changes);
    }
}

/// The lower-cased accid in the field `name` (414 when missing or malformed).
fn accid(form: &Form, name: &str) -> Result<String, Refusal> {
    check_accid(form.required(name)?).map_err(|p| bad(format!("{name}: {p}")))
}

/// The lower-cased accids of the JSON-array field `name`, at most `max`.
fn accids(form: &Form, name: &str, max: usize) -> Result<Vec<String>, Refusal> {
    let list = form.string_array(name, max)?;
    list.iter().map(|a| check_accid(a).map_err(|p| bad(format!("{name}: {p}")))).collect()
}

/// The field `name` as one of `allowed` (`default` when absent; 414 otherwise).
fn mode(form: &Form, name: &str, allowed: &[i64], default: Option<i64>) -> Result<i64, Refusal> {
    match form.get(name) {
        None => default.ok_or_else(|| bad(format!("{name} is missing"))),
        Some(v) => match v.parse::<i64>() {
            Ok(n) if allowed.contains(&n) => Ok(n),
            _ => Err(bad(format!("{name} must be one of {allowed:?}"))),
        },
    }
}

/// The `tid` field: digits only (414), the team must exist (803).
fn team(face: &Face, form: &Form) -> Result<GroupRecord, Refusal> {
    let tid = form.required("tid")?;
    if !tid.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad("tid must be a number"));
    }
    face.engine.group(tid).map_err(refusal)
}

fn policy_of(mode: i64) -> JoinPolicy {
    match mode {
        joinmode::FREE => JoinPolicy::Free,
        joinmode::APPROVAL => JoinPolicy::Approval,
        _ => JoinPolicy::InviteOnly,
    }
}

fn joinmode_of(policy: JoinPolicy) -> i64 {
    match policy {
        JoinPolicy::Free => joinmode::FREE,
        JoinPolicy::Approval => joinmode::APPROVAL,
        JoinPolicy::InviteOnly => joinmode::INVITE_ONLY,
    }
}

fn invitemode_of(kind: GroupKind) -> i64 {
    match kind {
        GroupKind::Private => invitemode::ALL,
        GroupKind::Public => invitemode::MANAGERS,
    }
}

/// The team fields kept as given (`extra` on the engine's group).
const KEPT: [(&str, usize); 3] =
    [("announcement", MAX_ANNOUNCEMENT_CHARS), ("custom", MAX_CUSTOM_CHARS), ("icon", MAX_CUSTOM_CHARS)];
const KEPT_MODES: [&str; 3] = ["beinvitemode", "uptinfomode", "upcustommode"];

/// The kept fields present in `form`, checked (414 when too long or a bad mode).
fn kept_fields(form: &Form, defaults: bool) -> Result<Map<String, Value>, Refusal> {
    let mut kept = Map::new();
    for (name, max) in KEPT {
        if let Some(v) = form.limited(name, max)? {
            kept.insert(name.into(), json!(v));
        }
    }
    for name in KEPT_MODES {
        let default = if defaults { Some(0) } else { None };
        if form.get(name).is_some() || defaults {
            kept.insert(name.into(), json!(mode(form, name, &[0, 1], default)?));
        }
    }
    Ok(kept)
}

fn extra_str(g: &GroupRecord, name: &str) -> String {
    g.extra.get(name).and_then(Value::as_str).unwrap_or_default().to_owned()
}

fn extra_int(g: &GroupRecord, name: &str) -> i64 {
    g.extra.get(name).and_then(Value::as_i64).unwrap_or(0)
}

fn tid_value(g: &GroupRecord) -> Value {
    g.id.parse::<u64>().map(Value::from).unwrap_or_else(|_| json!(g.id))
}

/// A team as `team/query.action` lists it (`members`: with `ope` 1).
fn tinfo(g: &GroupRecord, members: bool) -> Value {
    let mut t = json!({
        "tid": tid_value(g), "tname": g.name, "icon": extra_str(g, "icon"), "owner": g.owner.clone().unwrap_or_default(),
        "maxusers": g.max_members, "size": g.members.len(), "announcement": extra_str(g, "announcement"),
        "intro": g.introduction.clone().unwrap_or_default(), "joinmode": joinmode_of(g.join_policy),
        "beinvitemode": extra_int(g, "beinvitemode"), "invitemode": invitemode_of(g.kind),
        "uptinfomode": extra_int(g, "uptinfomode"), "upcustommode": extra_int(g, "upcustommode"),
        "muteType": 0, "mute": false, "custom": extra_str(g, "custom"), "clientCustom": "",
        "createtime": g.created_ms, "updatetime": g.updated_ms,
    });
    if members {
        let with = |role: Role| -> Vec<String> {
            g.members.iter().filter(|m| m.role == role).map(|m| m.user.clone()).collect()
        };
        t["admins"] = json!(with(Role::Admin));
        t["members"] = json!(with(Role::Member));
    }
    t
}

/// A member object of `team/queryDetail.action`.
fn member_object(face: &Face, g: &GroupRecord, user: &str, now_ms: u64) -> Value {
    let m = g.member(user);
    let nick = face.store.get(user).and_then(|u| u.name).unwrap_or_default();
    let joined = m.map_or(0, |m| m.joined_ms);
    json!({
        "accid": user, "nick": nick, "mute": m.is_some_and(|m| m.muted_until_ms > now_ms), "custom": "",
        "createtime": joined, "updatetime": joined,
    })
}

/// `teamMemberLimit`, when given: 2 to the app's cap (414 otherwise).
fn member_limit(form: &Form) -> Result<Option<u32>, Refusal> {
    match form.get("teamMemberLimit") {
        None => Ok(None),
        Some(v) => match v.parse::<u32>() {
            Ok(n) if (MIN_MEMBER_LIMIT..=MEMBER_LIMIT_CAP).contains(&n) => Ok(Some(n)),
            _ => Err(bad(format!("teamMemberLimit must be {MIN_MEMBER_LIMIT} to {MEMBER_LIMIT_CAP}"))),
        },
    }
}

/// `team/create.action`: `tname`, `owner`, `members`, `msg`, `magree`,
/// `joinmode` required → `tid` (a string) and `faccid` when some accids do
/// not exist.
pub(super) fn create(face: &Face, form: &Form) -> Reply {
    let tname = form.limited("tname", MAX_TNAME_CHARS)?.ok_or_else(|| bad("tname is missing"))?;
    let owner = accid(form, "owner")?;
    let members = accids(form, "members", usize::MAX)?;
    form.limited("msg", MAX_INVITE_MSG_CHARS)?.ok_or_else(|| bad("msg is missing"))?;
    mode(form, "magree", &[0, 1], None)?;
    let join = mode(form, "joinmode", &[joinmode::FREE, joinmode::APPROVAL, joinmode::INVITE_ONLY], None)?;
    let invite = mode(form, "invitemode", &[invitemode::MANAGERS, invitemode::ALL], Some(invitemode::MANAGERS))?;
    let intro = form.limited("intro", MAX_INTRO_CHARS)?;
    let limit = member_limit(form)?;
    let kept = kept_fields(form, true)?;
    if face.store.get(&owner).is_none() {
        return Err(Refusal::new(code::NOT_FOUND, "owner does not exist"));
    }
    let (known, unknown): (Vec<String>, Vec<String>) =
        members.into_iter().filter(|m| *m != owner).partition(|m| face.store.get(m).is_some());
    let kind = if invite == invitemode::ALL { GroupKind::Private } else { GroupKind::Public };
    let mut spec = GroupSpec::new(tname, kind, policy_of(join)).with_owner(owner.clone()).with_members(known);
    spec.max_members = limit;
    spec.introduction = intro;
    let (record, changes) = face.engine.create_group(Actor::User(&owner), &spec, RULES, tid_of).map_err(refusal)?;
    face.engine.with_group_extra(&record.id, |extra| extra.extend(kept)).map_err(refusal)?;
    publish(face, &changes);
    let mut reply = json!({"tid": record.id});
    if !unknown.is_empty() {
        reply["faccid"] = json!({"accid": unknown, "msg": "these accounts do not exist"});
    }
    Ok(object(reply))
}

/// `team/add.action`: `tid`, `owner` (the inviter, per `invitemode`),
/// `members` (≤ 200), `magree`, `msg`. The whole batch is 801 when it would
/// overfill the team; 809 when every accid is a member already.
pub(super) fn add(face: &Face, form: &Form) -> Reply {
    let g = team(face, form)?;
    let operator = accid(form, "owner")?;
    let members = accids(form, "members", MAX_ADD_MEMBERS)?;
    if members.is_empty() {
        return Err(bad("members is empty"));
    }
    form.limited("msg", MAX_INVITE_MSG_CHARS)?.ok_or_else(|| bad("msg is missing"))?;
    mode(form, "magree", &[0, 1], None)?;
    form.limited("attach", 512)?;
    let (outcome, changes) = face.engine.add_group_members(Actor::User(&operator), &g.id, &members).map_err(refusal)?;
    publish(face, &changes);
    let already = outcome.iter().filter(|(_, r)| r == &Ok(false)).count();
    if already == outcome.len() {
        return Err(Refusal::new(code::ALREADY_IN_TEAM, "already in the team"));
    }
    let unknown: Vec<&String> = outcome.iter().filter(|(_, r)| r.is_err()).map(|(u, _)| u).collect();
    let mut reply = json!({});
    if !unknown.is_empty() {
        reply["faccid"] = json!({"accid": unknown, "msg": "these accounts do not exist"});
    }
    Ok(object(reply))
}

/// `team/kick.action`: `tid`, `owner` (a manager), `member` or `members`
/// (≤ 200; `member` wins).
pub(super) fn kick(face: &Face, form: &Form) -> Reply {
    let g = team(face, form)?;
    let operator = accid(form, "owner")?;
    let targets = match form.get("member") {
        Some(_) => vec![accid(form, "member")?],
        None => accids(form, "members", MAX_ADD_MEMBERS)?,
    };
    if let Some(outsider) = targets.iter().find(|t| g.member(t).is_none()) {
        return Err(Refusal::new(code::NOT_IN_TEAM, format!("{outsider} is not in the team")));
    }
    form.limited("attach", 512)?;
    let changes = face.engine.remove_group_members(Actor::User(&operator), &g.id, &targets).map_err(refusal)?;
    publish(face, &changes);
    Ok(Map::new())
}

/// `team/remove.action`: the owner dismisses the team.
pub(super) fn remove(face: &Face, form: &Form) -> Reply {
    let g = team(face, form)?;
    let operator = accid(form, "owner")?;
    let changes = face.engine.dismiss_group(Actor::User(&operator), &g.id).map_err(refusal)?;
    publish(face, &changes);
    Ok(Map::new())
}

/// `team/update.action`: `tid`, `owner` and any of `tname`, `intro`,
/// `announcement`, `custom`, `icon`, `joinmode`, `invitemode`,
/// `teamMemberLimit` (not below the member count), `beinvitemode`,
/// `uptinfomode`, `upcustommode`: a manager; any member for the info
/// fields when `uptinfomode` is 1, for `custom` when `upcustommode` is 1.
pub(super) fn update(face: &Face, form: &Form) -> Reply {
    let g = team(face, form)?;
    let operator = accid(form, "owner")?;
    let name = form.limited("tname", MAX_TNAME_CHARS)?;
    let intro = form.limited("intro", MAX_INTRO_CHARS)?;
    let kept = kept_fields(form, false)?;
    let join = form.get("joinmode").map(|_| mode(form, "joinmode", &[0, 1, 2], None)).transpose()?;
    let invite = form.get("invitemode").map(|_| mode(form, "invitemode", &[0, 1], None)).transpose()?;
    let limit = member_limit(form)?;
    let role =
        g.role_of(&operator).ok_or_else(|| Refusal::new(code::NOT_IN_TEAM, "the operator is not in the team"))?;
    if role == Role::Member {
        // uptinfomode 1 opens the info fields to every member, upcustommode 1
        // `custom`; the modes and the limit stay the managers'.
        let info = name.is_some() || intro.is_some() || ["announcement", "icon"].iter().any(|f| kept.contains_key(*f));
        let allowed = (!info || extra_int(&g, "uptinfomode") == 1)
            && (!kept.contains_key("custom") || extra_int(&g, "upcustommode") == 1)
            && join.is_none()
            && invite.is_none()
            && limit.is_none()
            && !KEPT_MODES.iter().any(|m| kept.contains_key(*m));
        if !allowed {
            return Err(Refusal::new(code::TEAM_NO_PERMISSION, "only the owner and managers may change this"));
        }
    }
    if join.is_some() || invite.is_some() || limit.is_some() {
        let kind = invite.map(|i| if i == invitemode::ALL { GroupKind::Private } else { GroupKind::Public });
        face.engine.reconfigure_group(&g.id, kind, join.map(policy_of), limit).map_err(refusal)?;
    }
    // Permission is settled above (NetEase's own modes decide it).
    let changes = if name.is_some() || intro.is_some() {
        face.engine.update_group(Actor::App, &g.id, name, intro).map_err(refusal)?
    } else {
        Vec::new()
    };
    face.engine.with_group_extra(&g.id, |extra| extra.extend(kept)).map_err(refusal)?;
    publish(face, &changes);
    Ok(Map::new())
}

/// `team/query.action`: `tids` (JSON), `ope` 1 with member accids / 0
/// without, `ignoreInvalid` → `tinfos`.
pub(super) fn query(face: &Face, form: &Form) -> Reply {
    // Strings or, as some clients send them, JSON numbers.
    let listed: Vec<Value> =
        serde_json::from_str(form.required("tids")?).map_err(|_| bad("tids is not a JSON array"))?;
    if listed.len() > MAX_QUERY_TIDS {
        return Err(bad(format!("tids lists more than {MAX_QUERY_TIDS} teams")));
    }
    let tids = listed
        .iter()
        .map(|t| match t {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) if n.is_u64() => Ok(n.to_string()),
            _ => Err(bad("tids holds something that is not a tid")),
        })
        .collect::<Result<Vec<String>, Refusal>>()?;
    let with_members = mode(form, "ope", &[0, 1], None)? == 1;
    let ignore_invalid = matches!(form.get("ignoreInvalid"), Some("true" | "1"));
    let mut tinfos = Vec::new();
    for tid in tids {
        match face.engine.group(&tid) {
            Ok(g) => tinfos.push(tinfo(&g, with_members)),
            Err(_) if ignore_invalid => {}
            Err(e) => return Err(refusal(e)),
        }
    }
    Ok(object(json!({"tinfos": tinfos})))
}

/// `team/queryDetail.action`: `tid` → `tinfo` with the owner, managers and
/// members as objects (each in the order they joined).
pub(super) fn query_detail(face: &Face, form: &Form) -> Reply {
    let g = team(face, form)?;
    let now = face.engine.now_ms();
    let mut t = tinfo(&g, false);
    let of = |role: Role| -> Vec<Value> {
        g.members.iter().filter(|m| m.role == role).map(|m| member_object(face, &g, &m.user, now)).collect()
    };
    t["owner"] = match &g.owner {
        Some(o) => member_object(face, &g, o, now),
        None => Value::Null,
    };
    t["admins"] = json!(of(Role::Admin));
    t["members"] = json!(of(Role::Member));
    Ok(object(json!({"tinfo": t})))
}

/// `team/changeOwner.action`: `tid`, `owner`, `newowner`, `leave` (1 the old
/// owner leaves, 2 stays as a member).
pub(super) fn change_owner(face: &Face, form: &Form) -> Reply {
    let g = team(face, form)?;
    let operator = accid(form, "owner")?;
    let new_owner = accid(form, "newowner")?;
    let leave = mode(form, "leave", &[1, 2], None)? == 1;
    if g.member(&new_owner).is_none() {
        return Err(Refusal::new(code::NOT_IN_TEAM, "newowner is not in the team"));
    }
    let mut changes = face.engine.transfer_group(Actor::User(&operator), &g.id, &new_owner).map_err(refusal)?;
    if leave && operator != new_owner {
        changes.extend(face.engine.leave_group(&operator, &g.id).map_err(refusal)?);
    }
    publish(face, &changes);
    Ok(Map::new())
}

/// `team/addManager.action` / `team/removeManager.action`: `tid`, `owner`,
/// `members` (≤ 10).
pub(super) fn set_managers(face: &Face, form: &Form, role: Role) -> Reply {
    let g = team(face, form)?;
    let operator = accid(form, "owner")?;
    let members = accids(form, "members", MAX_MANAGERS_PER_CALL)?;
    if let Some(outsider) = members.iter().find(|m| g.member(m).is_none()) {
        return Err(Refusal::new(code::NOT_IN_TEAM, format!("{outsider} is not in the team")));
    }
    let mut changes = Vec::new();
    for m in &members {
        match face.engine.set_group_role(Actor::User(&operator), &g.id, m, role) {
            Ok(c) => changes.extend(c),
            Err(GroupError::Full { limit }) => {
                publish(face, &changes);
                return Err(Refusal::new(code::TOO_MANY_MANAGERS, format!("at most {limit} managers")));
            }
            Err(e) => {
                publish(face, &changes);
                return Err(refusal(e));
            }
        }
    }
    publish(face, &changes);
    Ok(Map::new())
}

/// `team/joinTeams.action`: `accid` → `count`, `infos`.
pub(super) fn join_teams(face: &Face, form: &Form) -> Reply {
    let user = accid(form, "accid")?;
    if face.store.get(&user).is_none() {
        return Err(Refusal::new(code::NOT_FOUND, "accid does not exist"));
    }
    let infos: Vec<Value> = face
        .engine
        .joined_groups(&user)
        .iter()
        .map(|g| {
            json!({
                "tid": tid_value(g), "tname": g.name, "owner": g.owner.clone().unwrap_or_default(),
                "maxusers": g.max_members, "size": g.members.len(), "custom": extra_str(g, "custom"),
                "icon": extra_str(g, "icon"), "joinmode": joinmode_of(g.join_policy), "createtime": g.created_ms,
            })
        })
        .collect();
    Ok(object(json!({"count": infos.len(), "infos": infos})))
}

/// `team/muteTlist.action`: `tid`, `owner`, `accid`, `mute` 1/0; and the
/// emulator's `muteDuration` (seconds) for a mute that ends.
pub(super) fn mute_member(face: &Face, form: &Form) -> Reply {
    let g = team(face, form)?;
    let operator = accid(form, "owner")?;
    let target = accid(form, "accid")?;
    let mute = mode(form, "mute", &[0, 1], None)? == 1;
    let secs = match form.get("muteDuration") {
        None => FOREVER_SECS,
        Some(v) => v.parse::<u64>().ok().filter(|s| *s > 0).ok_or_else(|| bad("muteDuration must be > 0"))?,
    };
    let secs = if mute { secs } else { 0 };
    let changes = face.engine.mute_group_member(Actor::User(&operator), &g.id, &target, secs).map_err(refusal)?;
    publish(face, &changes);
    Ok(Map::new())
}

/// `team/leave.action`: `tid`, `accid` leaves; the owner may not (802).
pub(super) fn leave(face: &Face, form: &Form) -> Reply {
    let g = team(face, form)?;
    let user = accid(form, "accid")?;
    let changes = face.engine.leave_group(&user, &g.id).map_err(refusal)?;
    publish(face, &changes);
    Ok(Map::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_errors_take_the_team_codes() {
        let cases = [
            (GroupError::NoSuchGroup("1".into()), 803),
            (GroupError::NotMember("a".into()), 804),
            (GroupError::Denied("x".into()), 802),
            (GroupError::OwnerCannotLeave, 802),
            (GroupError::Full { limit: 2 }, 801),
            (GroupError::AlreadyMember("a".into()), 809),
            (GroupError::Muted { until_ms: 1 }, 812),
            (GroupError::Invalid("x".into()), 414),
        ];
        for (e, want) in cases {
            assert_eq!(refusal(e.clone()).code, want, "{e}");
        }
        assert_eq!(tid_of(7), "3000000007");
        assert_eq!(
            (policy_of(0), policy_of(1), policy_of(2)),
            (JoinPolicy::Free, JoinPolicy::Approval, JoinPolicy::InviteOnly)
        );
    }
}
