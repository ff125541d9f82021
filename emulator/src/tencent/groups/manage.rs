//! Groups as a whole: `create_group`, `get_group_info`,
//! `modify_group_base_info`, `change_group_owner`, `destroy_group`,
//! `get_joined_group_list`, and the member's own `apply_join_group`,
//! `handle_apply_join_group` and `quit_group` (web link only).

use super::members::member_item;
use super::{
    auto_id, check_batch, check_len, lookup, publish, refuse, require_member, valid_group_id, Fields, ERR_ID_TAKEN,
    ERR_ID_YOURS, ERR_PARAM, ERR_PERMISSION, ERR_TOO_MANY, RULES,
};
use crate::groups::{Actor, GroupRecord};
use crate::tencent::rest::{ok, Refusal, Reply};
use crate::tencent::Face;
use serde_json::{json, Map, Value};
use unim_core::{GroupKind, GroupSpec, JoinOutcome, JoinPolicy, Role};
use unim_tencent::rest::groups::{
    join_option_from_wire, join_option_to_wire, role_from_wire, GroupType, AUTO_ID_PREFIX, MAX_CREATE_MEMBERS,
    MAX_FACE_URL_BYTES, MAX_INFO_GROUPS, MAX_INTRODUCTION_BYTES, MAX_NAME_BYTES, MAX_NOTIFICATION_BYTES,
};

/// The group's `Type` as created (derived for groups another face made).
pub(super) fn group_type(g: &GroupRecord) -> &str {
    match g.extra.get("Type").and_then(Value::as_str) {
        Some(t) => t,
        None if g.kind == GroupKind::Private => "Private",
        None => "Public",
    }
}

/// The group's newest `MsgSeq` and its time (0s when there is no message yet).
fn last_message(face: &Face, id: &str) -> (u64, u64) {
    face.engine.group_history(id, None, 1).last().map_or((0, 0), |m| (m.group_seq, m.time_ms / 1000))
}

fn extra_str<'a>(g: &'a GroupRecord, key: &str, default: &'a str) -> &'a str {
    g.extra.get(key).and_then(Value::as_str).unwrap_or(default)
}

/// Every base field of `get_group_info`.
fn base_info(face: &Face, g: &GroupRecord) -> Map<String, Value> {
    let (last_seq, last_time) = last_message(face, &g.id);
    let apply = if g.kind == GroupKind::Private { "DisableApply" } else { join_option_to_wire(g.join_policy) };
    let fields = json!({
        "Type": group_type(g),
        "Name": g.name,
        "Appid": face.settings.sdkappid,
        "Introduction": g.introduction.clone().unwrap_or_default(),
        "Notification": extra_str(g, "Notification", ""),
        "FaceUrl": extra_str(g, "FaceUrl", ""),
        "Owner_Account": g.owner.clone().unwrap_or_default(),
        "CreateTime": g.created_ms / 1000,
        "InfoSeq": g.updated_ms / 1000,
        "LastInfoTime": g.updated_ms / 1000,
        "LastMsgTime": last_time,
        "NextMsgSeq": last_seq + 1,
        "MemberNum": g.members.len(),
        "MaxMemberNum": g.max_members,
        "ApplyJoinOption": apply,
        "MuteAllMember": extra_str(g, "MuteAllMember", "Off"),
        "AppDefinedData": g.extra.get("AppDefinedData").cloned().unwrap_or_else(|| json!([])),
    });
    match fields {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// Keeps only the fields a filter names (no filter: all).
fn filtered(mut all: Map<String, Value>, filter: Option<&[String]>) -> Map<String, Value> {
    if let Some(names) = filter {
        all.retain(|k, _| names.iter().any(|n| n == k));
    }
    all
}

/// `create_group`: `Type`, `Name`, `Owner_Account`?, `GroupId`?,
/// `Introduction`?, `Notification`?, `FaceUrl`?, `MaxMemberCount`?,
/// `ApplyJoinOption`?, `AppDefinedData`?, `MemberList`? (≤100, `Role`
/// `Admin` honoured). Reply: `GroupId`.
pub(super) fn create_group(face: &Face, actor: Actor<'_>, f: Fields<'_>) -> Reply {
    let type_name = f.str_req("Type")?;
    let ty = GroupType::from_wire(type_name).ok_or_else(|| {
        Refusal::new(ERR_PARAM, "invalid parameter: Type must be Private, Public, ChatRoom, AVChatRoom or Community")
    })?;
    let member_list = match f.get("MemberList") {
        None => Vec::new(),
        Some(Value::Array(items)) => items.clone(),
        Some(_) => return Err(Refusal::new(ERR_PARAM, "invalid parameter: MemberList must be an array")),
    };
    match ty {
        GroupType::AvChatRoom if !member_list.is_empty() => {
            return Err(Refusal::new(ERR_PERMISSION, "an AVChatRoom cannot be created with members"))
        }
        GroupType::AvChatRoom | GroupType::Community => {
            return Err(Refusal::new(ERR_PARAM, format!("{} groups are not available on this server", ty.as_str())))
        }
        _ => {}
    }
    let name = f.str_req("Name")?;
    check_len("Name", name, MAX_NAME_BYTES)?;
    let Profile { introduction, notification, face_url } = profile(f)?;
    let apply = match f.str_opt("ApplyJoinOption")?.filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(join_option_from_wire(s).ok_or_else(|| {
            Refusal::new(
                ERR_PARAM,
                "invalid parameter: ApplyJoinOption must be FreeAccess, NeedPermission or DisableApply",
            )
        })?),
    };
    let (kind, join_policy) = match ty {
        GroupType::Private => (GroupKind::Private, JoinPolicy::InviteOnly),
        GroupType::ChatRoom => (GroupKind::Public, JoinPolicy::Free),
        _ => (GroupKind::Public, apply.unwrap_or(JoinPolicy::Approval)),
    };
    if member_list.len() > MAX_CREATE_MEMBERS {
        return Err(Refusal::new(ERR_TOO_MANY, format!("MemberList holds at most {MAX_CREATE_MEMBERS} members")));
    }
    let mut members = Vec::with_capacity(member_list.len());
    let mut admins = Vec::new();
    for item in &member_list {
        let item = Fields(item.as_object().ok_or_else(|| {
            Refusal::new(ERR_PARAM, "invalid parameter: MemberList items must be objects with Member_Account")
        })?);
        let account = item.str_req("Member_Account")?.to_owned();
        match item.str_opt("Role")?.map(role_from_wire) {
            None | Some(Some(Role::Member)) => {}
            Some(Some(Role::Admin)) if kind == GroupKind::Private => {
                return Err(Refusal::new(ERR_PARAM, "Work (Private) groups have no admins"))
            }
            Some(Some(Role::Admin)) => admins.push(account.clone()),
            Some(_) => {
                return Err(Refusal::new(ERR_PARAM, "invalid parameter: a member's Role must be Admin or Member"))
            }
        }
        members.push(account);
    }
    let max_members = match f.u64_opt("MaxMemberCount")? {
        None => None,
        Some(n) => Some(u32::try_from(n).map_err(|_| Refusal::new(ERR_PARAM, "MaxMemberCount is too large"))?),
    };
    let owner = f.str_opt("Owner_Account")?.filter(|o| !o.is_empty());
    let custom = f.str_opt("GroupId")?.filter(|id| !id.is_empty());
    if let Some(id) = custom {
        if !valid_group_id(id) || id.starts_with(AUTO_ID_PREFIX) {
            return Err(Refusal::new(
                super::ERR_BAD_GROUP_ID,
                format!("invalid GroupId {id:?}: printable ASCII, under 48 bytes, not starting with {AUTO_ID_PREFIX}"),
            ));
        }
        if let Ok(existing) = face.engine.group(id) {
            let caller = owner.or(actor.user());
            let code =
                if caller.is_some() && existing.owner.as_deref() == caller { ERR_ID_YOURS } else { ERR_ID_TAKEN };
            return Err(Refusal::new(code, format!("group id {id} is already in use")));
        }
    }
    let spec = GroupSpec {
        name: name.to_owned(),
        kind,
        join_policy,
        owner: owner.map(str::to_owned),
        members,
        max_members,
        introduction: introduction.filter(|i| !i.is_empty()).map(str::to_owned),
    };
    let (record, mut changes) = face
        .engine
        .create_group(actor, &spec, RULES, |n| custom.map_or_else(|| auto_id(n), str::to_owned))
        .map_err(refuse)?;
    let id = record.id.clone();
    for admin in &admins {
        match face.engine.set_group_role(Actor::App, &id, admin, Role::Admin) {
            Ok(more) => changes.extend(more),
            Err(e) => {
                tracing::debug!(target: "unim_emulator::tencent", group = %id, "an initial admin was refused: {e}")
            }
        }
    }
    let _ = face.engine.with_group_extra(&id, |extra| {
        extra.insert("Type".into(), json!(ty.as_str()));
        if let Some(n) = notification {
            extra.insert("Notification".into(), json!(n));
        }
        if let Some(u) = face_url {
            extra.insert("FaceUrl".into(), json!(u));
        }
        if let Some(Value::Array(data)) = f.get("AppDefinedData") {
            extra.insert("AppDefinedData".into(), Value::Array(data.clone()));
        }
    });
    publish(face, &changes);
    Ok(ok(json!({ "GroupId": id })))
}

/// The optional profile texts `create_group` and `modify_group_base_info`
/// both take, each within its limit.
struct Profile<'a> {
    introduction: Option<&'a str>,
    notification: Option<&'a str>,
    face_url: Option<&'a str>,
}

/// Reads and length-checks the [`Profile`] texts in one fixed order, so both
/// calls name the same field when several are too long.
fn profile<'a>(f: Fields<'a>) -> Result<Profile<'a>, Refusal> {
    let introduction = f.str_opt("Introduction")?;
    check_len("Introduction", introduction.unwrap_or(""), MAX_INTRODUCTION_BYTES)?;
    let notification = f.str_opt("Notification")?;
    check_len("Notification", notification.unwrap_or(""), MAX_NOTIFICATION_BYTES)?;
    let face_url = f.str_opt("FaceUrl")?;
    check_len("FaceUrl", face_url.unwrap_or(""), MAX_FACE_URL_BYTES)?;
    Ok(Profile { introduction, notification, face_url })
}

/// One list of the optional `ResponseFilter`; none when the call has no
/// filter or the filter leaves the list out (the callers tell those apart
/// through the filter itself).
fn filter_list(filter: Option<Fields<'_>>, key: &str) -> Result<Option<Vec<String>>, Refusal> {
    filter.map(|r| r.list(key)).transpose().map(Option::flatten)
}

/// `get_group_info`: `GroupIdList` (≤50), `ResponseFilter`? with
/// `GroupBaseInfoFilter` and `MemberInfoFilter`. Each group answers on its
/// own (`ErrorCode` 10010/10015 inside `GroupInfo`); without a filter the
/// member list comes too. A user who is not a member sees a public group's
/// base fields only and a Work group not at all (10007).
pub(super) fn get_group_info(face: &Face, actor: Actor<'_>, f: Fields<'_>) -> Reply {
    let ids = f.list("GroupIdList")?.unwrap_or_default();
    check_batch("GroupIdList", ids.len(), MAX_INFO_GROUPS)?;
    let filter = f.object("ResponseFilter")?;
    let base_filter = filter_list(filter, "GroupBaseInfoFilter")?;
    let member_filter = filter_list(filter, "MemberInfoFilter")?;
    let with_members = filter.is_none() || member_filter.is_some();
    let now_ms = face.engine.now_ms();
    let items: Vec<Value> = ids
        .iter()
        .map(|id| {
            let found = lookup(face, id).and_then(|g| {
                let member = actor.user().is_none_or(|u| g.member(u).is_some());
                if !member && g.kind == GroupKind::Private {
                    return Err(Refusal::new(ERR_PERMISSION, "only members see a Work group"));
                }
                Ok((g, member))
            });
            match found {
                Err(r) => json!({ "GroupId": id, "ErrorCode": r.code, "ErrorInfo": r.info }),
                Ok((g, member)) => {
                    let mut item = Map::new();
                    item.insert("GroupId".into(), json!(g.id));
                    item.insert("ErrorCode".into(), json!(0));
                    item.insert("ErrorInfo".into(), json!(""));
                    item.extend(filtered(base_info(face, &g), base_filter.as_deref()));
                    if with_members && member {
                        let list: Vec<Value> = g
                            .members
                            .iter()
                            .map(|m| Value::Object(member_item(face, &g, m, member_filter.as_deref(), now_ms)))
                            .collect();
                        item.insert("MemberList".into(), Value::Array(list));
                    }
                    Value::Object(item)
                }
            }
        })
        .collect();
    Ok(ok(json!({ "GroupInfo": items })))
}

/// `modify_group_base_info`: `Name`?, `Introduction`?, `Notification`?,
/// `FaceUrl`?, `MaxMemberNum`?, `ApplyJoinOption`?, `MuteAllMember`?
/// (`On`/`Off`), `AppDefinedData`? (an empty `Value` deletes the key).
/// The member limit and the join option are fixed at creation on this
/// server: asking for another value is 10004.
pub(super) fn modify_group_base_info(face: &Face, actor: Actor<'_>, f: Fields<'_>) -> Reply {
    let g = f.group(face)?;
    let name = f.str_opt("Name")?;
    if let Some(n) = name {
        if n.is_empty() {
            return Err(Refusal::new(ERR_PARAM, "invalid parameter: Name must not be empty"));
        }
        check_len("Name", n, MAX_NAME_BYTES)?;
    }
    let Profile { introduction, notification, face_url } = profile(f)?;
    if let Some(max) = f.u64_opt("MaxMemberNum")? {
        if max != u64::from(g.max_members) {
            return Err(Refusal::new(ERR_PARAM, "this server fixes MaxMemberNum when the group is created"));
        }
    }
    if let Some(apply) = f.str_opt("ApplyJoinOption")? {
        let policy = join_option_from_wire(apply)
            .ok_or_else(|| Refusal::new(ERR_PARAM, "invalid parameter: ApplyJoinOption"))?;
        if g.kind == GroupKind::Public && policy != g.join_policy {
            return Err(Refusal::new(ERR_PARAM, "this server fixes ApplyJoinOption when the group is created"));
        }
    }
    let mute_all = f.str_opt("MuteAllMember")?;
    match mute_all {
        None => {}
        Some("On" | "Off") if g.kind == GroupKind::Private => {
            return Err(Refusal::new(ERR_PERMISSION, "Work (Private) groups have no mutes"))
        }
        Some("On" | "Off") if actor.user().is_some_and(|u| g.role_of(u) == Some(Role::Member)) => {
            return Err(Refusal::new(ERR_PERMISSION, "only the owner and admins mute the group"))
        }
        Some("On" | "Off") => {}
        Some(_) => return Err(Refusal::new(ERR_PARAM, "invalid parameter: MuteAllMember must be On or Off")),
    }
    let app_data = match f.get("AppDefinedData") {
        None => None,
        Some(Value::Array(items)) => Some(items.clone()),
        Some(_) => return Err(Refusal::new(ERR_PARAM, "invalid parameter: AppDefinedData must be an array")),
    };
    let changes = face
        .engine
        .update_group(actor, &g.id, name.map(str::to_owned), introduction.map(str::to_owned))
        .map_err(refuse)?;
    let _ = face.engine.with_group_extra(&g.id, |extra| {
        for (key, value) in [("Notification", notification), ("FaceUrl", face_url), ("MuteAllMember", mute_all)] {
            if let Some(v) = value {
                extra.insert(key.into(), json!(v));
            }
        }
        if let Some(items) = app_data {
            merge_app_data(extra, &items);
        }
    });
    publish(face, &changes);
    Ok(ok(json!({})))
}

/// Merges `{Key, Value}` items into the group's `AppDefinedData`; an empty value deletes its key.
fn merge_app_data(extra: &mut Map<String, Value>, items: &[Value]) {
    let mut data: Vec<Value> = match extra.get("AppDefinedData") {
        Some(Value::Array(a)) => a.clone(),
        _ => Vec::new(),
    };
    for item in items {
        let Some(key) = item.get("Key").and_then(Value::as_str) else { continue };
        data.retain(|d| d.get("Key").and_then(Value::as_str) != Some(key));
        if item.get("Value").and_then(Value::as_str).is_some_and(|v| !v.is_empty()) {
            data.push(item.clone());
        }
    }
    extra.insert("AppDefinedData".into(), Value::Array(data));
}

/// `change_group_owner`: `GroupId`, `NewOwner_Account` (a member).
pub(super) fn change_group_owner(face: &Face, actor: Actor<'_>, f: Fields<'_>) -> Reply {
    let g = f.group(face)?;
    let new_owner = f.str_req("NewOwner_Account")?;
    let changes = face.engine.transfer_group(actor, &g.id, new_owner).map_err(refuse)?;
    publish(face, &changes);
    Ok(ok(json!({})))
}

/// `destroy_group`: `GroupId`. Every member is told.
pub(super) fn destroy_group(face: &Face, actor: Actor<'_>, f: Fields<'_>) -> Reply {
    let g = f.group(face)?;
    let changes = face.engine.dismiss_group(actor, &g.id).map_err(refuse)?;
    publish(face, &changes);
    Ok(ok(json!({})))
}

/// The `SelfInfo` of `user` in `g`.
fn self_info(face: &Face, g: &GroupRecord, user: &str, filter: &[String], now_ms: u64) -> Value {
    let mut info = match g.member(user) {
        Some(m) => member_item(face, g, m, None, now_ms),
        None => Map::new(),
    };
    let unread = face
        .engine
        .conversations(user)
        .iter()
        .find(|c| c.kind == unim_core::ConversationKind::Group && c.peer == g.id)
        .map_or(0, |c| c.unread);
    info.insert("UnreadMsgNum".into(), json!(unread));
    info.remove("Member_Account");
    Value::Object(filtered(info, (!filter.is_empty()).then_some(filter)))
}

/// `get_joined_group_list`: `Member_Account`, `Limit`?, `Offset`?,
/// `GroupType`?, `ResponseFilter`? {`GroupBaseInfoFilter`, `SelfInfoFilter`}.
/// Reply: `TotalCount` and `GroupIdList`, oldest group first. Over the web
/// link `Member_Account` may only be the user itself.
pub(super) fn get_joined_group_list(face: &Face, actor: Actor<'_>, f: Fields<'_>) -> Reply {
    let asked = f.str_opt("Member_Account")?.filter(|s| !s.is_empty());
    let user = match (actor, asked) {
        (Actor::App, Some(u)) => u,
        (Actor::App, None) => return Err(Refusal::new(ERR_PARAM, "invalid parameter: Member_Account is required")),
        (Actor::User(u), None) => u,
        (Actor::User(u), Some(m)) if m == u => u,
        (Actor::User(_), Some(_)) => return Err(Refusal::new(ERR_PERMISSION, "a user lists only its own groups")),
    };
    if face.engine.account(user).is_none() {
        return Err(Refusal::new(super::ERR_NO_USER, format!("account {user:?} does not exist")));
    }
    let type_filter = f.str_opt("GroupType")?.filter(|t| !t.is_empty());
    let filter = f.object("ResponseFilter")?;
    let base_filter = filter_list(filter, "GroupBaseInfoFilter")?;
    let self_filter = filter_list(filter, "SelfInfoFilter")?;
    let groups: Vec<GroupRecord> = face
        .engine
        .joined_groups(user)
        .into_iter()
        .filter(|g| type_filter.is_none_or(|t| GroupType::from_wire(t).map(GroupType::as_str) == Some(group_type(g))))
        .collect();
    let total = groups.len();
    let offset = f.u64_opt("Offset")?.unwrap_or(0) as usize;
    let limit = f.u64_opt("Limit")?.filter(|l| *l > 0).map_or(usize::MAX, |l| l as usize);
    let now_ms = face.engine.now_ms();
    let items: Vec<Value> = groups
        .iter()
        .skip(offset)
        .take(limit)
        .map(|g| {
            let mut item = Map::new();
            item.insert("GroupId".into(), json!(g.id));
            if let Some(names) = &base_filter {
                item.extend(filtered(base_info(face, g), Some(names)));
            }
            if let Some(names) = &self_filter {
                item.insert("SelfInfo".into(), self_info(face, g, user, names, now_ms));
            }
            Value::Object(item)
        })
        .collect();
    Ok(ok(json!({ "TotalCount": total, "GroupIdList": items })))
}

/// The user of a link-only command (the App admin has no such call).
fn link_user<'a>(actor: Actor<'a>, command: &str) -> Result<&'a str, Refusal> {
    actor.user().ok_or_else(|| Refusal::new(super::ERR_PARAM, format!("{command} is a member's own call")))
}

/// `apply_join_group` (web link): `GroupId`, `ApplyMsg`?. `FreeAccess`
/// joins at once (`JoinedStatus` `JoinedSuccess`), `NeedPermission` waits
/// for the owner or an admin (`WaitAdminApproval`), `DisableApply` and Work
/// groups refuse (10007); a member already is 10013.
pub(super) fn apply_join_group(face: &Face, actor: Actor<'_>, f: Fields<'_>) -> Reply {
    let user = link_user(actor, "apply_join_group")?;
    let g = f.group(face)?;
    let message = f.str_opt("ApplyMsg")?.filter(|m| !m.is_empty()).map(str::to_owned);
    let (outcome, changes) = face.engine.apply_to_group(user, &g.id, message).map_err(refuse)?;
    publish(face, &changes);
    let status = match outcome {
        JoinOutcome::Joined => "JoinedSuccess",
        JoinOutcome::Pending => "WaitAdminApproval",
    };
    Ok(ok(json!({ "JoinedStatus": status, "GroupId": g.id })))
}

/// `handle_apply_join_group` (web link): `GroupId`, `Applicant_Account`,
/// `HandleMsg` (`Agree`/`Reject`).
pub(super) fn handle_apply_join_group(face: &Face, actor: Actor<'_>, f: Fields<'_>) -> Reply {
    let g = f.group(face)?;
    require_member(&g, actor)?;
    let applicant = f.str_req("Applicant_Account")?;
    let accept = match f.str_req("HandleMsg")? {
        "Agree" => true,
        "Reject" => false,
        _ => return Err(Refusal::new(ERR_PARAM, "invalid parameter: HandleMsg must be Agree or Reject")),
    };
    let changes = face.engine.decide_group_application(actor, &g.id, applicant, accept).map_err(refuse)?;
    publish(face, &changes);
    Ok(ok(json!({})))
}

/// `quit_group` (web link): `GroupId`. The owner of a Public group is
/// refused with 10009; a Work group's owner leaves it ownerless.
pub(super) fn quit_group(face: &Face, actor: Actor<'_>, f: Fields<'_>) -> Reply {
    let user = link_user(actor, "quit_group")?;
    let g = f.group(face)?;
    let changes = face.engine.leave_group(user, &g.id).map_err(refuse)?;
    publish(face, &changes);
    Ok(ok(json!({})))
}
