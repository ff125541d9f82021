//! The session's group calls over the web link: the web client sends the
//! server API's `group_open_http_svc` commands with the same JSON bodies, as
//! the logged-in user (docs/protocols/tencent.md, "Groups"). The bodies and
//! reply parsers are the REST module's ([`crate::rest::groups`]).

use super::connection::Connection;
use super::Inner;
use crate::error::error_from_code;
use crate::rest::groups::{
    create_group_body, group_info_body, group_items, member_page_request, parse_group, parse_group_info,
    parse_member_page, role_to_wire, ADD_CHUNK, BASE_FIELDS, GROUP_SVC, MAX_DELETE_MEMBERS, MUTE_FOREVER_SECS,
};
use crate::user_id::validate_user_id;
use crate::VENDOR;
use serde_json::{json, Value};
use unim_core::{
    BatchItem, Error, ErrorKind, Group, GroupSpec, GroupUpdate, JoinOutcome, MemberCursor, MemberPage, MuteDuration,
    Role, VendorError,
};

/// Groups per `get_joined_group_list` page (the web client's own page size).
const JOINED_PAGE: usize = 200;
/// Most member pages or group list pages followed.
const MAX_PAGES: usize = 10_000;
/// The largest member page asked for at once.
const MAX_MEMBER_PAGE: usize = 200;

/// Sends `group_open_http_svc.<command>` and returns the reply body, or the
/// error its `ErrorCode` stands for.
async fn call(inner: &Inner, conn: &Connection, command: &str, body: Value) -> Result<Value, Error> {
    let servcmd = format!("{GROUP_SVC}.{command}");
    tracing::debug!(target: "unim::calls", call = %format!("ws {servcmd}"));
    let reply = conn.request(&servcmd, body, inner.now()).await?;
    match reply.error_code() {
        0 => Ok(reply.body),
        code => Err(error_from_code(code, reply.error_info())),
    }
}

fn check_group(group: &str) -> Result<(), Error> {
    if group.is_empty() {
        return Err(Error::invalid_input("the group id is empty"));
    }
    Ok(())
}

/// `create_group`, then `get_group_info` for what the server made of it.
pub(crate) async fn create(inner: &Inner, conn: &Connection, user: &str, spec: &GroupSpec) -> Result<Group, Error> {
    if spec.owner.as_deref().is_some_and(|o| o != user) {
        return Err(Error::invalid_input(format!("a session creates groups owned by its own user ({user})")));
    }
    let body = create_group_body(spec)?;
    let reply = call(inner, conn, "create_group", body).await?;
    let id = reply
        .get("GroupId")
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty())
        .ok_or_else(|| Error::protocol("Tencent's create_group reply has no GroupId"))?
        .to_owned();
    info(inner, conn, &id).await
}

/// `get_group_info` of one group.
pub(crate) async fn info(inner: &Inner, conn: &Connection, group: &str) -> Result<Group, Error> {
    check_group(group)?;
    let reply = call(inner, conn, "get_group_info", group_info_body(group)).await?;
    parse_group_info(&reply, group)
}

/// `modify_group_base_info` with the fields to change.
pub(crate) async fn update(inner: &Inner, conn: &Connection, group: &str, update: &GroupUpdate) -> Result<(), Error> {
    check_group(group)?;
    let mut body = json!({ "GroupId": group });
    if let Some(name) = &update.name {
        body["Name"] = json!(name);
    }
    if let Some(intro) = &update.introduction {
        body["Introduction"] = json!(intro);
    }
    call(inner, conn, "modify_group_base_info", body).await.map(drop)
}

/// `add_group_member`, 100 users a call; the outcome per user from each
/// `MemberList` item's `Result` (1 added, 2 already a member, 0 refused).
pub(crate) async fn add(
    inner: &Inner,
    conn: &Connection,
    group: &str,
    users: &[String],
) -> Result<Vec<BatchItem>, Error> {
    check_group(group)?;
    for u in users {
        validate_user_id(u)?;
    }
    let mut out = Vec::with_capacity(users.len());
    for chunk in users.chunks(ADD_CHUNK) {
        let list: Vec<Value> = chunk.iter().map(|u| json!({ "Member_Account": u })).collect();
        let reply = call(inner, conn, "add_group_member", json!({ "GroupId": group, "MemberList": list })).await?;
        let results = reply.get("MemberList").and_then(Value::as_array).cloned().unwrap_or_default();
        for user in chunk {
            let item = results.iter().find(|r| r.get("Member_Account").and_then(Value::as_str) == Some(user));
            let code = item.and_then(|r| r.get("Result")).and_then(Value::as_i64);
            out.push(BatchItem { user: user.clone(), result: add_result(user, code) });
        }
    }
    Ok(out)
}

/// One `add_group_member` `Result` as the neutral outcome.
fn add_result(user: &str, code: Option<i64>) -> Result<(), Error> {
    let vendor =
        |code: i64, text: &str| VendorError::new(VENDOR, code, format!("add_group_member Result {code}: {text}"));
    match code {
        Some(1) => Ok(()),
        Some(2) => Err(Error::new(ErrorKind::AlreadyExists, format!("{user} is already a member"))
            .with_vendor(vendor(2, "already a member"))),
        Some(3) => Err(Error::new(ErrorKind::Other, format!("adding {user} waits for approval"))
            .with_vendor(vendor(3, "pending approval"))),
        Some(c) => Err(Error::new(ErrorKind::NotFound, format!("{user} could not be added (no such user)"))
            .with_vendor(vendor(c, "not added"))),
        None => Err(Error::protocol(format!("Tencent's add_group_member reply does not mention {user}"))),
    }
}

/// `delete_group_member`, 100 users a call.
pub(crate) async fn remove(inner: &Inner, conn: &Connection, group: &str, users: &[String]) -> Result<(), Error> {
    check_group(group)?;
    for chunk in users.chunks(MAX_DELETE_MEMBERS) {
        call(inner, conn, "delete_group_member", json!({ "GroupId": group, "MemberToDel_Account": chunk })).await?;
    }
    Ok(())
}

/// `apply_join_group`: `JoinedStatus` says joined or waiting for approval.
pub(crate) async fn join(
    inner: &Inner,
    conn: &Connection,
    group: &str,
    message: Option<&str>,
) -> Result<JoinOutcome, Error> {
    check_group(group)?;
    let body = json!({ "GroupId": group, "ApplyMsg": message.unwrap_or("") });
    let reply = call(inner, conn, "apply_join_group", body).await?;
    match reply.get("JoinedStatus").and_then(Value::as_str) {
        Some("WaitAdminApproval") => Ok(JoinOutcome::Pending),
        Some("JoinedSuccess") | None => Ok(JoinOutcome::Joined),
        Some("AlreadyInGroup") => Err(Error::new(ErrorKind::AlreadyExists, "already a member of the group")
            .with_vendor(VendorError::new(VENDOR, 10013, "AlreadyInGroup"))),
        Some(other) => Err(Error::protocol(format!("Tencent's apply_join_group says JoinedStatus {other:?}"))),
    }
}

/// `handle_apply_join_group` with `HandleMsg` `Agree` or `Reject`.
pub(crate) async fn decide(
    inner: &Inner,
    conn: &Connection,
    group: &str,
    applicant: &str,
    accept: bool,
) -> Result<(), Error> {
    check_group(group)?;
    validate_user_id(applicant)?;
    let body = json!({
        "GroupId": group, "Applicant_Account": applicant, "HandleMsg": if accept { "Agree" } else { "Reject" },
        "ApprovalMsg": "",
    });
    call(inner, conn, "handle_apply_join_group", body).await.map(drop)
}

/// `quit_group`.
pub(crate) async fn leave(inner: &Inner, conn: &Connection, group: &str) -> Result<(), Error> {
    check_group(group)?;
    call(inner, conn, "quit_group", json!({ "GroupId": group })).await.map(drop)
}

/// `destroy_group`.
pub(crate) async fn dismiss(inner: &Inner, conn: &Connection, group: &str) -> Result<(), Error> {
    check_group(group)?;
    call(inner, conn, "destroy_group", json!({ "GroupId": group })).await.map(drop)
}

/// `get_group_member_info` from the cursor's `Offset`.
pub(crate) async fn members(
    inner: &Inner,
    conn: &Connection,
    group: &str,
    cursor: Option<&MemberCursor>,
    limit: usize,
) -> Result<MemberPage, Error> {
    check_group(group)?;
    let (offset, body) = member_page_request(group, cursor, limit, MAX_MEMBER_PAGE)?;
    let reply = call(inner, conn, "get_group_member_info", body).await?;
    parse_member_page(&reply, offset, inner.now())
}

/// `modify_group_member_info` with `Role` `Admin` or `Member`.
pub(crate) async fn set_role(
    inner: &Inner,
    conn: &Connection,
    group: &str,
    user: &str,
    role: Role,
) -> Result<(), Error> {
    check_group(group)?;
    validate_user_id(user)?;
    if role == Role::Owner {
        return Err(Error::invalid_input("make an owner with transfer_group"));
    }
    let body = json!({ "GroupId": group, "Member_Account": user, "Role": role_to_wire(role) });
    call(inner, conn, "modify_group_member_info", body).await.map(drop)
}

/// `change_group_owner`.
pub(crate) async fn transfer(inner: &Inner, conn: &Connection, group: &str, new_owner: &str) -> Result<(), Error> {
    check_group(group)?;
    validate_user_id(new_owner)?;
    call(inner, conn, "change_group_owner", json!({ "GroupId": group, "NewOwner_Account": new_owner })).await.map(drop)
}

/// `modify_group_member_info` with `ShutUpTime` in seconds (the web client's
/// field; 0 lifts the mute). A part second rounds up, so a short mute is not lost.
pub(crate) async fn mute(
    inner: &Inner,
    conn: &Connection,
    group: &str,
    user: &str,
    duration: MuteDuration,
) -> Result<(), Error> {
    check_group(group)?;
    validate_user_id(user)?;
    let mut secs = duration.as_secs();
    if duration.subsec_nanos() > 0 {
        secs += 1;
    }
    let secs = secs.min(MUTE_FOREVER_SECS);
    let body = json!({ "GroupId": group, "Member_Account": user, "ShutUpTime": secs });
    call(inner, conn, "modify_group_member_info", body).await.map(drop)
}

/// `get_joined_group_list` of the user, every page, with the base fields.
pub(crate) async fn joined(inner: &Inner, conn: &Connection, user: &str) -> Result<Vec<Group>, Error> {
    let mut out = Vec::new();
    let mut offset = 0;
    for _ in 0..MAX_PAGES {
        let body = json!({
            "Member_Account": user, "Limit": JOINED_PAGE, "Offset": offset,
            "ResponseFilter": { "GroupBaseInfoFilter": BASE_FIELDS, "SelfInfoFilter": ["Role", "JoinTime", "MsgSeq"] },
        });
        let reply = call(inner, conn, "get_joined_group_list", body).await?;
        let items = group_items(&reply, "GroupIdList", "get_joined_group_list")?;
        let got = items.len();
        for item in &items {
            out.push(parse_group(item)?);
        }
        let total = reply.get("TotalCount").and_then(Value::as_u64).unwrap_or(0) as usize;
        offset += got;
        if got == 0 || offset >= total {
            return Ok(out);
        }
    }
    Err(Error::protocol(format!("Tencent's get_joined_group_list did not finish within {MAX_PAGES} pages")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_results_map_to_neutral_outcomes() {
        assert!(add_result("a", Some(1)).is_ok());
        assert_eq!(add_result("a", Some(2)).unwrap_err().kind, ErrorKind::AlreadyExists);
        let refused = add_result("a", Some(0)).unwrap_err();
        assert_eq!(refused.kind, ErrorKind::NotFound);
        assert_eq!(refused.vendor.map(|v| v.code), Some(0));
        assert_eq!(add_result("a", None).unwrap_err().kind, ErrorKind::Protocol);
    }
}
