//! The admin's one-to-one messages and conversations over the REST API
//! (vendors/tencent.md 2.4 and 2.5): `openim/sendmsg`,
//! `openim/admin_getroammsg`, `openim/get_c2c_unread_msg_num`,
//! `recentcontact/get_list` and `recentcontact/delete`.
//!
//! A history cursor is `<LastMsgTime>:<LastMsgKey>` of the oldest message of
//! the page before: the next call asks `MaxTime = LastMsgTime` with that
//! `LastMsgKey`, as Tencent's doc prescribes.

use crate::admin::TencentAdmin;
use crate::msg::{body_to_elems, msg_random, C2cMsg};
use crate::rest::validate_user_id;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;
use unim_core::{
    Conversation, ConversationId, Direction, Error, HistoryCursor, HistoryPage, Message, MessageBody, MessageStatus,
};

const OPENIM: &str = "openim";
const RECENT_CONTACT: &str = "recentcontact";
/// How far past the clock's now a newest-page query reaches, so a server
/// clock slightly ahead of this one still returns its newest messages.
const MAX_TIME_SLACK_SECS: u64 = 300;

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct SendMsgRequest<'a> {
    sync_other_machine: u8,
    #[serde(rename = "From_Account", skip_serializing_if = "Option::is_none")]
    from_account: Option<&'a str>,
    #[serde(rename = "To_Account")]
    to_account: &'a str,
    msg_random: u32,
    msg_body: Vec<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SendMsgResponse {
    msg_time: u64,
    msg_key: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct RoamRequest<'a> {
    #[serde(rename = "Operator_Account")]
    operator_account: &'a str,
    #[serde(rename = "Peer_Account")]
    peer_account: &'a str,
    max_cnt: u64,
    min_time: u64,
    max_time: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_msg_key: Option<&'a str>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RoamResponse {
    #[serde(default)]
    complete: u8,
    #[serde(default)]
    last_msg_time: u64,
    #[serde(default)]
    last_msg_key: String,
    #[serde(default)]
    msg_list: Vec<C2cMsg>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct GetListRequest<'a> {
    #[serde(rename = "From_Account")]
    from_account: &'a str,
    time_stamp: u64,
    start_index: u64,
    top_time_stamp: u64,
    top_start_index: u64,
    assist_flags: u64,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetListResponse {
    #[serde(default)]
    session_item: Vec<SessionItem>,
    #[serde(default)]
    complete_flag: u8,
    #[serde(default)]
    time_stamp: u64,
    #[serde(default)]
    start_index: u64,
    #[serde(default)]
    top_time_stamp: u64,
    #[serde(default)]
    top_start_index: u64,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SessionItem {
    #[serde(rename = "Type")]
    kind: u8,
    #[serde(rename = "To_Account", default)]
    to_account: String,
    #[serde(default)]
    msg_time: u64,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UnreadResponse {
    #[serde(rename = "C2CUnreadMsgNumList", default)]
    list: Vec<UnreadItem>,
}

#[derive(Deserialize)]
struct UnreadItem {
    #[serde(rename = "Peer_Account")]
    peer: String,
    #[serde(rename = "C2CUnreadMsgNum", default)]
    unread: u32,
}

/// Most conversation list pages followed before giving up on a server that
/// never says it is done.
const MAX_LIST_PAGES: usize = 1000;

/// The cursor text for a page whose oldest message has `time` and `key`.
fn cursor(time: u64, key: &str) -> HistoryCursor {
    HistoryCursor(format!("{time}:{key}"))
}

fn parse_cursor(c: &HistoryCursor) -> Result<(u64, &str), Error> {
    let bad = || Error::invalid_input(format!("{:?} is not a Tencent history cursor", c.0));
    let (time, key) = c.0.split_once(':').ok_or_else(bad)?;
    Ok((time.parse().map_err(|_| bad())?, key))
}

impl TencentAdmin {
    /// `openim/sendmsg` with `SyncOtherMachine` 1: sends `body` from `from`
    /// (`None`: this App admin) to `to`, with the `MsgRandom` of `client_id`
    /// ([`msg_random`]): a retry with the same client id is stored once.
    /// Returns the sender's copy (server id = `MsgKey`).
    pub async fn send_msg(
        &self,
        from: Option<&str>,
        to: &str,
        body: &MessageBody,
        client_id: &str,
    ) -> Result<Message, Error> {
        if let Some(from) = from {
            validate_user_id(from)?;
        }
        validate_user_id(to)?;
        let req = SendMsgRequest {
            sync_other_machine: 1,
            from_account: from,
            to_account: to,
            msg_random: msg_random(client_id),
            msg_body: body_to_elems(body),
        };
        let reply: SendMsgResponse = self.rest().call(OPENIM, "sendmsg", &req).await?;
        Ok(Message {
            server_id: reply.msg_key,
            client_id: client_id.to_owned(),
            from: from.unwrap_or(self.rest().admin()).to_owned(),
            to: to.to_owned(),
            conversation: ConversationId::direct(to),
            body: body.clone(),
            server_time_ms: reply.msg_time.saturating_mul(1000),
            direction: Direction::Outgoing,
            status: MessageStatus::Sent,
        })
    }

    /// `openim/admin_getroammsg`: one page of the history between `user` and
    /// `peer` as `user` sees it, newest first page when `older` is `None`.
    pub async fn roam_msg(
        &self,
        user: &str,
        peer: &str,
        older: Option<&HistoryCursor>,
        limit: usize,
    ) -> Result<HistoryPage, Error> {
        validate_user_id(user)?;
        validate_user_id(peer)?;
        if limit == 0 {
            return Err(Error::invalid_input("a history page must hold at least one message"));
        }
        let (max_time, key) = match older {
            Some(c) => {
                let (t, k) = parse_cursor(c)?;
                (t, Some(k))
            }
            None => (self.rest().clock().unix_secs() + MAX_TIME_SLACK_SECS, None),
        };
        let req = RoamRequest {
            operator_account: user,
            peer_account: peer,
            max_cnt: limit as u64,
            min_time: 0,
            max_time,
            last_msg_key: key,
        };
        let reply: RoamResponse = self.rest().call(OPENIM, "admin_getroammsg", &req).await?;
        let mut messages = reply.msg_list.iter().map(|m| m.to_message(user)).collect::<Result<Vec<_>, _>>()?;
        // Oldest first whatever order the page came in.
        messages.sort_by_key(|m| m.server_time_ms);
        let more = reply.complete != 1 && !messages.is_empty() && !reply.last_msg_key.is_empty();
        let older = more.then(|| cursor(reply.last_msg_time, &reply.last_msg_key));
        Ok(HistoryPage { messages, older })
    }

    /// `openim/get_c2c_unread_msg_num`: `user`'s unread count per peer (peers
    /// with none are left out).
    pub async fn c2c_unread(&self, user: &str) -> Result<HashMap<String, u32>, Error> {
        validate_user_id(user)?;
        let req = serde_json::json!({ "To_Account": user });
        let reply: UnreadResponse = self.rest().call(OPENIM, "get_c2c_unread_msg_num", &req).await?;
        Ok(reply.list.into_iter().map(|i| (i.peer, i.unread)).collect())
    }

    /// `recentcontact/get_list`, every page: `user`'s one-to-one
    /// conversations as `(peer, MsgTime)`, most recent first.
    pub async fn recent_contacts(&self, user: &str) -> Result<Vec<(String, u64)>, Error> {
        validate_user_id(user)?;
        let mut out = Vec::new();
        let mut req = GetListRequest {
            from_account: user,
            time_stamp: 0,
            start_index: 0,
            top_time_stamp: 0,
            top_start_index: 0,
            assist_flags: 0,
        };
        for _ in 0..MAX_LIST_PAGES {
            let page: GetListResponse = self.rest().call(RECENT_CONTACT, "get_list", &req).await?;
            out.extend(page.session_item.into_iter().filter(|i| i.kind == 1).map(|i| (i.to_account, i.msg_time)));
            if page.complete_flag == 1 {
                return Ok(out);
            }
            req.time_stamp = page.time_stamp;
            req.start_index = page.start_index;
            req.top_time_stamp = page.top_time_stamp;
            req.top_start_index = page.top_start_index;
        }
        Err(Error::protocol(format!("Tencent's recentcontact/get_list did not complete within {MAX_LIST_PAGES} pages")))
    }

    /// `recentcontact/delete` (Type 1): removes `user`'s conversation with
    /// `peer` from their list; the history stays.
    pub async fn delete_recent_contact(&self, user: &str, peer: &str) -> Result<(), Error> {
        validate_user_id(user)?;
        validate_user_id(peer)?;
        let req = serde_json::json!({ "From_Account": user, "Type": 1, "To_Account": peer, "ClearRamble": 0 });
        self.rest().call::<_, Value>(RECENT_CONTACT, "delete", &req).await?;
        Ok(())
    }

    /// `user`'s conversations: the list, the unread counts and each
    /// conversation's newest message (one roaming query per conversation).
    pub async fn conversation_list(&self, user: &str) -> Result<Vec<Conversation>, Error> {
        let contacts = self.recent_contacts(user).await?;
        let unread = self.c2c_unread(user).await?;
        let mut out = Vec::with_capacity(contacts.len());
        for (peer, time) in contacts {
            let last = self.roam_msg(user, &peer, None, 1).await?.messages.pop();
            let updated_at_ms = last.as_ref().map_or(time.saturating_mul(1000), |m| m.server_time_ms);
            out.push(Conversation {
                unread: unread.get(&peer).copied().unwrap_or(0),
                id: ConversationId::direct(peer),
                last_message: last,
                updated_at_ms,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_bad_ones_are_refused() {
        let c = cursor(1_700_000_000, "1_2_1700000000");
        assert_eq!(parse_cursor(&c).unwrap(), (1_700_000_000, "1_2_1700000000"));
        for bad in ["", "x", "x:1_2_3"] {
            assert!(parse_cursor(&HistoryCursor(bad.into())).is_err(), "{bad}");
        }
    }

    #[test]
    fn send_requests_follow_the_documented_shape() {
        let req = SendMsgRequest {
            sync_other_machine: 1,
            from_account: None,
            to_account: "bob",
            msg_random: 7,
            msg_body: body_to_elems(&MessageBody::text("hi")),
        };
        let v = serde_json::to_value(&req).unwrap();
        assert_eq!(v["SyncOtherMachine"], 1);
        assert_eq!(v["To_Account"], "bob");
        assert_eq!(v["MsgRandom"], 7);
        assert!(v.get("From_Account").is_none());
        assert_eq!(v["MsgBody"][0]["MsgType"], "TIMTextElem");
    }
}
