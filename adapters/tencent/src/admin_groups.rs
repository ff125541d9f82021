//! The admin's groups over the REST API's `group_open_http_svc`
//! (vendors/tencent.md 2.6): create, read, edit, members and roles, mutes,
//! dismissal, a user's groups, and group messages and history.
//!
//! Batches are cut to Tencent's per-call limits: initial members beyond 100
//! and added members go in `add_group_member` calls of 100, removals in
//! `delete_group_member` calls of 100. A member cursor is the next `Offset`
//! of `get_group_member_info`; a history cursor is the next `ReqMsgSeq` of
//! `group_msg_get_simple` (the oldest returned `MsgSeq` minus one).

use crate::admin::TencentAdmin;
use crate::error::error_from_code;
use crate::msg::{body_to_elems, msg_random};
use crate::rest::groups::{
    check_len, create_group_body, group_info_body, group_message, group_msg_id, member_page_request, parse_group,
    parse_group_info, parse_member_page, role_to_wire, GroupInfoItem, GroupMsgItem, ADD_CHUNK, BASE_FIELDS, GROUP_SVC,
    MAX_CREATE_MEMBERS, MAX_DELETE_MEMBERS, MAX_HISTORY_MESSAGES, MAX_INTRODUCTION_BYTES, MAX_NAME_BYTES, MEMBER_PAGE,
    MUTE_FOREVER_SECS,
};
use crate::rest::validate_user_id;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};
use unim_core::{
    BatchItem, ConversationId, Direction, Error, Group, GroupSpec, GroupUpdate, HistoryCursor, HistoryPage,
    MemberCursor, MemberPage, Message, MessageBody, MessageStatus, MuteDuration, Role,
};

/// `get_joined_group_list` page size (the call allows 5000).
const JOINED_PAGE: usize = 1000;
/// Most `get_joined_group_list` pages followed before giving up on a server that never ends.
const MAX_JOINED_PAGES: usize = 1000;
/// Tencent's "already a member", which `add_group_member` reports per member as `Result` 2.
const ALREADY_MEMBER: i64 = 10013;
/// Tencent's "the UserID does not exist", the reason of a `Result` 0.
const NO_SUCH_USER: i64 = 10019;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateReply {
    group_id: String,
}

#[derive(Deserialize)]
struct AddResult {
    #[serde(rename = "Member_Account")]
    account: String,
    #[serde(rename = "Result", default)]
    result: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AddReply {
    #[serde(default)]
    member_list: Vec<AddResult>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct JoinedReply {
    #[serde(default)]
    total_count: u64,
    #[serde(default)]
    group_id_list: Vec<GroupInfoItem>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SendReply {
    msg_time: u64,
    msg_seq: u64,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct HistoryReply {
    #[serde(default)]
    is_finished: u64,
    #[serde(default)]
    rsp_msg_list: Vec<GroupMsgItem>,
}

fn check_group_id(group: &str) -> Result<(), Error> {
    if group.is_empty() {
        return Err(Error::invalid_input("a Tencent group id must not be empty"));
    }
    Ok(())
}

impl TencentAdmin {
    /// One `group_open_http_svc` call, traced under `unim::calls`.
    async fn group_call<R: DeserializeOwned>(&self, command: &str, body: &Value) -> Result<R, Error> {
        let call = format!("v4/{GROUP_SVC}/{command}");
        tracing::debug!(target: "unim::calls", call = %call);
        self.rest().call(GROUP_SVC, command, body).await
    }

    /// `create_group` (then `get_group_info`): the group `spec` describes,
    /// owned by `spec.owner` (none: an owner-less group run by the App
    /// admin). Initial members beyond 100 are added afterwards.
    pub async fn create_group_as_admin(&self, spec: &GroupSpec) -> Result<Group, Error> {
        let (first, rest) = spec.members.split_at(spec.members.len().min(MAX_CREATE_MEMBERS));
        let mut head = spec.clone();
        head.members = first.to_vec();
        // Every id is checked before anything is sent.
        rest.iter().try_for_each(|u| validate_user_id(u))?;
        let body = create_group_body(&head)?;
        let reply: CreateReply = self.group_call("create_group", &body).await?;
        if !rest.is_empty() {
            for item in self.add_members(&reply.group_id, rest).await? {
                item.result?;
            }
        }
        self.get_group(&reply.group_id).await
    }

    /// `get_group_info` for one group: its base fields as a [`Group`].
    pub async fn get_group(&self, group: &str) -> Result<Group, Error> {
        check_group_id(group)?;
        let reply: Value = self.group_call("get_group_info", &group_info_body(group)).await?;
        parse_group_info(&reply, group)
    }

    /// `modify_group_base_info`: a new `Name` and/or `Introduction`.
    pub async fn modify_group(&self, group: &str, update: &GroupUpdate) -> Result<(), Error> {
        check_group_id(group)?;
        let mut body = json!({ "GroupId": group });
        if let Some(name) = &update.name {
            if name.is_empty() {
                return Err(Error::invalid_input("a Tencent group's name must not be empty"));
            }
            check_len("Name", name, MAX_NAME_BYTES)?;
            body["Name"] = json!(name);
        }
        if let Some(intro) = &update.introduction {
            check_len("Introduction", intro, MAX_INTRODUCTION_BYTES)?;
            body["Introduction"] = json!(intro);
        }
        self.group_call::<Value>("modify_group_base_info", &body).await?;
        Ok(())
    }

    /// `add_group_member` in calls of 100: per user, `Result` 1 is `Ok`, 2
    /// [`unim_core::ErrorKind::AlreadyExists`], 0 [`unim_core::ErrorKind::NotFound`];
    /// an invalid UserID is refused before sending. A full group fails the call (10014).
    pub async fn add_members(&self, group: &str, users: &[String]) -> Result<Vec<BatchItem>, Error> {
        check_group_id(group)?;
        let mut items = Vec::with_capacity(users.len());
        let mut valid = Vec::new();
        for user in users {
            match validate_user_id(user) {
                Ok(()) => valid.push(user.clone()),
                Err(e) => items.push(BatchItem { user: user.clone(), result: Err(e) }),
            }
        }
        let mut outcomes = std::collections::HashMap::new();
        for chunk in valid.chunks(ADD_CHUNK) {
            let list: Vec<Value> = chunk.iter().map(|u| json!({ "Member_Account": u })).collect();
            let reply: AddReply =
                self.group_call("add_group_member", &json!({ "GroupId": group, "MemberList": list })).await?;
            for r in reply.member_list {
                outcomes.insert(r.account, r.result);
            }
        }
        let mut out = Vec::with_capacity(users.len());
        let mut invalid = items.into_iter();
        for user in users {
            if validate_user_id(user).is_err() {
                if let Some(item) = invalid.next() {
                    out.push(item);
                }
                continue;
            }
            let result = match outcomes.get(user) {
                Some(1) => Ok(()),
                Some(2) => Err(error_from_code(ALREADY_MEMBER, "add_group_member Result 2: already a member")),
                Some(0) => Err(error_from_code(NO_SUCH_USER, "add_group_member Result 0: not added")),
                Some(other) => Err(Error::protocol(format!("Tencent's add_group_member gave {user:?} Result {other}"))),
                None => Err(Error::protocol(format!("Tencent's add_group_member reply has no result for {user:?}"))),
            };
            out.push(BatchItem { user: user.clone(), result });
        }
        Ok(out)
    }

    /// `delete_group_member` in calls of 100.
    pub async fn delete_members(&self, group: &str, users: &[String]) -> Result<(), Error> {
        check_group_id(group)?;
        users.iter().try_for_each(|u| validate_user_id(u))?;
        for chunk in users.chunks(MAX_DELETE_MEMBERS) {
            let body = json!({ "GroupId": group, "MemberToDel_Account": chunk });
            self.group_call::<Value>("delete_group_member", &body).await?;
        }
        Ok(())
    }

    /// `destroy_group`.
    pub async fn destroy_group(&self, group: &str) -> Result<(), Error> {
        check_group_id(group)?;
        self.group_call::<Value>("destroy_group", &json!({ "GroupId": group })).await?;
        Ok(())
    }

    /// `get_group_member_info`: up to `limit` (at most 100) members from the cursor's `Offset`.
    pub async fn member_page(
        &self,
        group: &str,
        cursor: Option<&MemberCursor>,
        limit: usize,
    ) -> Result<MemberPage, Error> {
        check_group_id(group)?;
        let (offset, body) = member_page_request(group, cursor, limit, MEMBER_PAGE)?;
        let reply: Value = self.group_call("get_group_member_info", &body).await?;
        parse_member_page(&reply, offset, self.rest().clock().unix_secs())
    }

    /// `modify_group_member_info` with `Role` `Admin` or `Member`.
    pub async fn set_member_role(&self, group: &str, user: &str, role: Role) -> Result<(), Error> {
        check_group_id(group)?;
        validate_user_id(user)?;
        if role == Role::Owner {
            return Err(Error::invalid_input("make an owner with transfer_group (change_group_owner)"));
        }
        let body = json!({ "GroupId": group, "Member_Account": user, "Role": role_to_wire(role) });
        self.group_call::<Value>("modify_group_member_info", &body).await?;
        Ok(())
    }

    /// `change_group_owner`.
    pub async fn change_owner(&self, group: &str, new_owner: &str) -> Result<(), Error> {
        check_group_id(group)?;
        validate_user_id(new_owner)?;
        let body = json!({ "GroupId": group, "NewOwner_Account": new_owner });
        self.group_call::<Value>("change_group_owner", &body).await?;
        Ok(())
    }

    /// `forbid_send_msg` for one member: `MuteTime` in whole seconds (a
    /// fraction rounds up; zero unmutes; past 4294967295 is for ever).
    pub async fn forbid_send(&self, group: &str, user: &str, duration: MuteDuration) -> Result<(), Error> {
        check_group_id(group)?;
        validate_user_id(user)?;
        let secs = duration.as_secs() + u64::from(duration.subsec_nanos() > 0);
        let body = json!({ "GroupId": group, "Members_Account": [user], "MuteTime": secs.min(MUTE_FOREVER_SECS) });
        self.group_call::<Value>("forbid_send_msg", &body).await?;
        Ok(())
    }

    /// `get_joined_group_list`, every page, with the base fields of each group.
    pub async fn joined_group_list(&self, user: &str) -> Result<Vec<Group>, Error> {
        validate_user_id(user)?;
        let mut groups = Vec::new();
        for _ in 0..MAX_JOINED_PAGES {
            let body = json!({
                "Member_Account": user,
                "Limit": JOINED_PAGE,
                "Offset": groups.len(),
                "ResponseFilter": { "GroupBaseInfoFilter": BASE_FIELDS },
            });
            let reply: JoinedReply = self.group_call("get_joined_group_list", &body).await?;
            let got = reply.group_id_list.len();
            for item in &reply.group_id_list {
                groups.push(parse_group(item)?);
            }
            if got == 0 || groups.len() as u64 >= reply.total_count {
                return Ok(groups);
            }
        }
        Err(Error::protocol(format!("Tencent's get_joined_group_list did not end within {MAX_JOINED_PAGES} pages")))
    }

    /// `send_group_msg` as `from` (`None`: this App admin) with the `Random`
    /// of `client_id` ([`msg_random`]): a retry is stored once. Returns the
    /// sender's copy; its server id is `<MsgSeq>_<Random>_<MsgTime>`.
    pub async fn send_group_msg(
        &self,
        from: Option<&str>,
        group: &str,
        body: &MessageBody,
        client_id: &str,
    ) -> Result<Message, Error> {
        check_group_id(group)?;
        if let Some(from) = from {
            validate_user_id(from)?;
        }
        let random = msg_random(client_id);
        let mut req = json!({ "GroupId": group, "Random": random, "MsgBody": body_to_elems(body) });
        if let Some(from) = from {
            req["From_Account"] = json!(from);
        }
        let reply: SendReply = self.group_call("send_group_msg", &req).await?;
        Ok(Message {
            server_id: group_msg_id(reply.msg_seq, u64::from(random), reply.msg_time),
            client_id: client_id.to_owned(),
            from: from.unwrap_or(self.rest().admin()).to_owned(),
            to: group.to_owned(),
            conversation: ConversationId::group(group),
            body: body.clone(),
            server_time_ms: reply.msg_time.saturating_mul(1000),
            direction: Direction::Outgoing,
            status: MessageStatus::Sent,
        })
    }

    /// `group_msg_get_simple`: up to `limit` (at most 20) messages before the
    /// cursor, oldest first; deleted and recalled placeholders are left out.
    pub async fn group_msg_page(
        &self,
        group: &str,
        older: Option<&HistoryCursor>,
        limit: usize,
    ) -> Result<HistoryPage, Error> {
        check_group_id(group)?;
        if limit == 0 {
            return Err(Error::invalid_input("a history page must hold at least one message"));
        }
        let mut req = json!({ "GroupId": group, "ReqMsgNumber": limit.min(MAX_HISTORY_MESSAGES) });
        if let Some(c) = older {
            let seq: u64 =
                c.0.parse()
                    .map_err(|_| Error::invalid_input(format!("{:?} is not a Tencent group history cursor", c.0)))?;
            req["ReqMsgSeq"] = json!(seq);
        }
        let reply: HistoryReply = self.group_call("group_msg_get_simple", &req).await?;
        let admin = self.rest().admin();
        let mut items: Vec<&GroupMsgItem> = reply.rsp_msg_list.iter().filter(|m| m.is_place_msg == 0).collect();
        items.sort_by_key(|m| m.msg_seq);
        let messages = items.into_iter().map(|m| group_message(group, m, admin)).collect::<Result<Vec<_>, _>>()?;
        let oldest = reply.rsp_msg_list.iter().map(|m| m.msg_seq).min();
        let older = match oldest {
            Some(seq) if reply.is_finished != 1 && seq > 1 => Some(HistoryCursor((seq - 1).to_string())),
            _ => None,
        };
        Ok(HistoryPage { messages, older })
    }
}
