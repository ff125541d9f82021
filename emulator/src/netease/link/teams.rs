//! The team commands of the web link (service 8, docs/protocols/netease.md
//! "Teams") over the engine's groups, with the caller as the operator and
//! NetEase's team rules (`rest::teams::RULES`, shared with the server API).
//!
//! Answers: 803 no such team, 804 the caller or a target is not in the
//! team, 802 not allowed (also the owner leaving and applying to a team
//! nobody may apply to), 801 full, 809 already in the team, 812 a muted
//! member's send, 808 an application that waits for a manager (the SDK
//! takes 808 as success), 414 bad parameters. Every change is told to the
//! members through `group_push::publish`.
//!
//! Choices where the SDK leaves the server free:
//! - Invitees join at once (`beInviteMode` is kept, not enforced); unknown
//!   accids are left out and listed in `abortedAccidList`.
//! - A team without `joinMode` is free to join; a `normal` team (type 0)
//!   lets every member invite and nobody apply.
//! - `8_25` mutes until unmuted, unless a fourth parameter (a `Long`, the
//!   emulator's addition) gives the mute's length in seconds.

use super::super::group_push;
use super::super::rest::teams::{refusal, tid_of, RULES};
use super::super::store::Refusal;
use super::super::Face;
use super::mailbox::{self, Sender};
use super::{bad, now_ms, param, property_array, team_push, team_wire};
use crate::groups::{Actor, Changes, GroupError, GroupRecord};
use serde_json::{json, Value};
use unim_core::{GroupKind, GroupSpec, JoinOutcome, JoinPolicy, Role};
use unim_netease::error::code;
use unim_netease::link::ids::team as ttag;
use unim_netease::link::{cmd, Property, Request, Response};
use unim_netease::message::number;

/// A mute without a length: a hundred years.
const FOREVER_SECS: u64 = 100 * 365 * 24 * 3600;
/// Team type 0: a normal (discussion) team.
const TYPE_NORMAL: i64 = 0;

/// A command's answer: the code (200, or 808 for a pending application) and `r`.
pub(super) type Answer = Result<(i64, Vec<Value>), Refusal>;

/// A tid parameter (a Long, sent as a number or a decimal string).
fn tid(request: &Request, i: usize) -> Result<String, Refusal> {
    number(&param(request, i, "the tid")?.v).map(|n| n.to_string()).ok_or_else(|| bad("the tid is not a number"))
}

/// A StrArray of accids, lower-cased.
fn accids(request: &Request, i: usize) -> Result<Vec<String>, Refusal> {
    let list = param(request, i, "the accounts")?.as_strings().map_err(|e| bad(e.to_string()))?;
    Ok(list.iter().map(|a| a.to_ascii_lowercase()).collect())
}

/// A String parameter; empty when absent.
fn text(request: &Request, i: usize) -> String {
    request.param(i).ok().and_then(|p| p.v.as_str().map(str::to_owned)).unwrap_or_default()
}

fn ok(r: Vec<Value>) -> Answer {
    Ok((code::OK, r))
}

fn told(face: &Face, changes: Result<Changes, GroupError>) -> Result<(), Refusal> {
    let changes = changes.map_err(refusal)?;
    if !changes.is_empty() {
        group_push::publish(face, &changes);
    }
    Ok(())
}

/// The team `tid`, which `accid` must be in (803, 804).
fn membership(face: &Face, tid: &str, accid: &str) -> Result<GroupRecord, Refusal> {
    let g = face.engine.group(tid).map_err(refusal)?;
    if g.member(accid).is_none() {
        return Err(Refusal::new(code::NOT_IN_TEAM, format!("{accid} is not in team {tid}")));
    }
    Ok(g)
}

/// Answers one team command from `caller`.
pub(super) fn handle(face: &Face, caller: &Sender, request: &Request) -> Answer {
    let me = caller.accid.as_str();
    let user = Actor::User(me);
    match request.command {
        cmd::CREATE_TEAM => create(face, caller, request),
        cmd::SEND_TEAM_MSG => {
            let msg = param(request, 0, "the msg")?.as_property().map_err(|e| bad(e.to_string()))?;
            let shown = mailbox::send_team(face, caller, msg)?;
            ok(vec![shown.to_wire().to_value()])
        }
        cmd::ADD_TEAM_MEMBERS => add(face, me, request),
        cmd::REMOVE_TEAM_MEMBERS => {
            let (tid, users) = (tid(request, 0)?, accids(request, 1)?);
            let g = membership(face, &tid, me)?;
            if let Some(stranger) = users.iter().find(|u| g.member(u).is_none()) {
                return Err(Refusal::new(code::NOT_IN_TEAM, format!("{stranger} is not in team {tid}")));
            }
            told(face, face.engine.remove_group_members(user, &tid, &users))?;
            ok(vec![])
        }
        cmd::UPDATE_TEAM => update(face, me, request),
        cmd::LEAVE_TEAM => {
            told(face, face.engine.leave_group(me, &tid(request, 0)?))?;
            ok(vec![])
        }
        cmd::GET_TEAM => {
            let g = face.engine.group(&tid(request, 0)?).map_err(refusal)?;
            ok(vec![team_wire::team(&g, me).to_value()])
        }
        cmd::GET_TEAMS => {
            let teams = face.engine.joined_groups(me).iter().map(|g| team_wire::team(g, me)).collect::<Vec<_>>();
            ok(vec![property_array(teams), now_ms(face).into()])
        }
        cmd::GET_TEAM_MEMBERS => {
            let g = membership(face, &tid(request, 0)?, me)?;
            let now = now_ms(face);
            let members = g.members.iter().map(|m| team_wire::member(&g, m, now)).collect::<Vec<_>>();
            ok(vec![json!(g.id), property_array(members), now.into()])
        }
        cmd::DISMISS_TEAM => {
            told(face, face.engine.dismiss_group(user, &tid(request, 0)?))?;
            ok(vec![])
        }
        cmd::APPLY_TEAM => {
            let tid = tid(request, 0)?;
            let ps = Some(text(request, 1)).filter(|p| !p.is_empty());
            let (outcome, changes) = face.engine.apply_to_group(me, &tid, ps).map_err(refusal)?;
            told(face, Ok(changes))?;
            let g = face.engine.group(&tid).map_err(refusal)?;
            let code = if outcome == JoinOutcome::Pending { code::APPLICATION_SENT } else { code::OK };
            Ok((code, vec![team_wire::team(&g, me).to_value()]))
        }
        cmd::PASS_TEAM_APPLY | cmd::REJECT_TEAM_APPLY => {
            let (tid, applicant) = (tid(request, 0)?, text(request, 1).to_ascii_lowercase());
            let accept = request.command == cmd::PASS_TEAM_APPLY;
            told(face, face.engine.decide_group_application(user, &tid, &applicant, accept))?;
            if !accept {
                let sys = team_wire::rejection(&tid, me, &text(request, 2), team_push::next_id(face), now_ms(face));
                team_push::push_to(face, &[applicant], &Response::push(cmd::SYS_MSG, vec![sys.to_value()]));
            }
            ok(vec![])
        }
        cmd::ADD_TEAM_MANAGERS | cmd::REMOVE_TEAM_MANAGERS => {
            let (tid, users) = (tid(request, 0)?, accids(request, 1)?);
            let role = if request.command == cmd::ADD_TEAM_MANAGERS { Role::Admin } else { Role::Member };
            for u in &users {
                told(face, face.engine.set_group_role(user, &tid, u, role))?;
            }
            ok(vec![])
        }
        cmd::TRANSFER_TEAM => {
            let (tid, new_owner) = (tid(request, 0)?, text(request, 1).to_ascii_lowercase());
            let leave = request.param(2).ok().is_some_and(|p| p.v.as_bool().unwrap_or(p.v == json!(1)));
            told(face, face.engine.transfer_group(user, &tid, &new_owner))?;
            if leave {
                told(face, face.engine.leave_group(me, &tid))?;
            }
            ok(vec![])
        }
        cmd::UPDATE_MUTE_STATE_IN_TEAM => {
            let (tid, target) = (tid(request, 0)?, text(request, 1).to_ascii_lowercase());
            let mute = request.param(2).ok().and_then(|p| number(&p.v)).unwrap_or(0);
            let secs = match (mute, request.param(3).ok().and_then(|p| number(&p.v))) {
                (0, _) => 0,
                (_, Some(secs)) if secs > 0 => secs,
                _ => FOREVER_SECS,
            };
            told(face, face.engine.mute_group_member(user, &tid, &target, secs))?;
            ok(vec![])
        }
        cmd::GET_MY_TEAM_MEMBERS => {
            let tids = param(request, 0, "the tids")?.as_strings().map_err(|e| bad(e.to_string()))?;
            let now = now_ms(face);
            let mine = tids
                .iter()
                .filter_map(|t| face.engine.group(t).ok())
                .filter_map(|g| g.member(me).map(|m| team_wire::member(&g, m, now)))
                .collect::<Vec<_>>();
            ok(vec![property_array(mine)])
        }
        cmd::GET_TEAM_HISTORY_MSGS => {
            let tid = tid(request, 0)?;
            membership(face, &tid, me)?;
            let r = super::history::page(mailbox::in_team(face, &tid), request)?;
            ok(r)
        }
        _ => ok(vec![]),
    }
}

/// `8_1`: the caller creates and owns a team with the accounts that exist;
/// its other clients get `8_101` syncCreateTeam.
fn create(face: &Face, caller: &Sender, request: &Request) -> Answer {
    let me = caller.accid.as_str();
    let t = param(request, 0, "the team")?.as_property().map_err(|e| bad(e.to_string()))?;
    let name = t.str(ttag::NAME).filter(|n| !n.trim().is_empty()).ok_or_else(|| bad("the team has no name"))?;
    let kind_num = t.int(ttag::TYPE).unwrap_or(1);
    let (kind, policy) = if kind_num == TYPE_NORMAL {
        (GroupKind::Private, JoinPolicy::InviteOnly)
    } else {
        let policy = team_wire::policy_of(t.int(ttag::JOIN_MODE).unwrap_or(0)).ok_or_else(|| bad("bad joinMode"))?;
        let kind = team_wire::kind_of(t.int(ttag::INVITE_MODE).unwrap_or(0)).ok_or_else(|| bad("bad inviteMode"))?;
        (kind, policy)
    };
    let named = accids(request, 1).unwrap_or_default();
    let (members, aborted): (Vec<String>, Vec<String>) = named.into_iter().partition(|a| face.store.get(a).is_some());
    let mut spec = GroupSpec::new(name, kind, policy).with_members(members);
    spec.introduction = t.str(ttag::INTRO).filter(|i| !i.is_empty());
    if let Some(level) = t.int(ttag::LEVEL).filter(|l| *l > 0) {
        spec.max_members = Some(u32::try_from(level).map_err(|_| bad("level is too large"))?);
    }
    let (g, changes) = face.engine.create_group(Actor::User(me), &spec, RULES, tid_of).map_err(refusal)?;
    keep_fields(face, &g.id, &t, true);
    told(face, Ok(changes))?;
    let g = face.engine.group(&g.id).map_err(refusal)?;
    let team = team_wire::team(&g, me).to_value();
    let copy = Response::push(cmd::SYNC_CREATE_TEAM, vec![team.clone()]);
    for port in face.links.ports.of_user(me).into_iter().filter(|p| Some(p.link) != caller.link) {
        super::push_frame(face, port.link, &copy);
    }
    ok(vec![team, json!(aborted)])
}

/// Keeps the team fields the engine does not model (type, modes, announcement, custom, avatar).
fn keep_fields(face: &Face, tid: &str, t: &Property, create: bool) {
    let ints = [(ttag::TYPE, "type"), (ttag::BE_INVITE_MODE, "beinvitemode"), (ttag::UPDATE_TEAM_MODE, "uptinfomode")];
    let ints = ints.into_iter().chain([(ttag::UPDATE_CUSTOM_MODE, "upcustommode")]);
    let strs = [(ttag::ANNOUNCEMENT, "announcement"), (ttag::CUSTOM, "custom"), (ttag::AVATAR, "icon")];
    let _ = face.engine.with_group_extra(tid, |extra| {
        for (tag, name) in ints {
            if let Some(v) = t.int(tag).filter(|_| create || tag != ttag::TYPE) {
                extra.insert(name.into(), json!(v));
            }
        }
        for (tag, name) in strs {
            if let Some(v) = t.str(tag) {
                extra.insert(name.into(), json!(v));
            }
        }
    });
}

/// `8_5`: adds the accounts that exist; 809 when every one named is in already.
fn add(face: &Face, me: &str, request: &Request) -> Answer {
    let (tid, users) = (tid(request, 0)?, accids(request, 1)?);
    if users.is_empty() {
        return Err(bad("no accounts"));
    }
    let (outcome, changes) = face.engine.add_group_members(Actor::User(me), &tid, &users).map_err(refusal)?;
    told(face, Ok(changes))?;
    let aborted: Vec<&String> =
        outcome.iter().filter(|(_, r)| matches!(r, Err(GroupError::NoSuchUser(_)))).map(|(u, _)| u).collect();
    if outcome.iter().all(|(_, r)| *r == Ok(false)) {
        return Err(Refusal::new(code::ALREADY_IN_TEAM, "every account is in the team already"));
    }
    ok(vec![now_ms(face).into(), json!(aborted)])
}

/// `8_7`: the name and introduction through the engine (its permission
/// check), the other fields kept as given.
fn update(face: &Face, me: &str, request: &Request) -> Answer {
    let t = param(request, 0, "the team")?.as_property().map_err(|e| bad(e.to_string()))?;
    let tid = t.get(ttag::TEAM_ID).and_then(number).ok_or_else(|| bad("the team has no id"))?.to_string();
    let name = t.str(ttag::NAME);
    if name.as_deref().is_some_and(|n| n.trim().is_empty()) {
        return Err(bad("the name is empty"));
    }
    told(face, face.engine.update_group(Actor::User(me), &tid, name, t.str(ttag::INTRO)))?;
    keep_fields(face, &tid, &t, false);
    ok(vec![json!(tid), now_ms(face).into()])
}

/// The `8_109` and `8_126` sync pushes: `accid`'s teams and its own member records.
pub(super) fn sync_pushes(face: &Face, accid: &str) -> Vec<Response> {
    let teams = face.engine.joined_groups(accid);
    if teams.is_empty() {
        return Vec::new();
    }
    let now = now_ms(face);
    let mine: Vec<Property> =
        teams.iter().filter_map(|g| g.member(accid).map(|m| team_wire::member(g, m, now))).collect();
    let list: Vec<Property> = teams.iter().map(|g| team_wire::team(g, accid)).collect();
    vec![
        Response::push(cmd::SYNC_TEAMS, vec![now.into(), property_array(list)]),
        Response::push(cmd::SYNC_MY_TEAM_MEMBERS, vec![property_array(mine), now.into()]),
    ]
}
