//! What the server pushes about groups (docs/protocols/tencent.md, "Groups"),
//! read from an `im_open_push.msg_push` body (or an `openim.getmsg` reply,
//! which carries the same `EventArray`): group messages (`GroupMsgArray`),
//! group tips (`GroupTips` with `Event` 4: every member's) and group system
//! notices (`GroupTips` with `Event` 5: this user's own).

use crate::msg::body_from_elems;
use crate::rest::groups::{group_msg_id, lenient_u64};
use serde::Deserialize;
use serde_json::{Map, Value};
use unim_core::{ConversationId, Direction, Error, GroupEvent, Message, MessageStatus, Role};

/// `Event` of group tips.
const EVENT_TIPS: i64 = 4;
/// `Event` of group system notices.
const EVENT_NOTICE: i64 = 5;

/// The group of an item: `ToGroupId`, else `GroupInfo.GroupId`, else `GroupId`.
fn group_of(extra: &Map<String, Value>, to_group: &str) -> Option<String> {
    if !to_group.is_empty() {
        return Some(to_group.to_owned());
    }
    extra
        .get("GroupInfo")
        .and_then(|g| g.get("GroupId"))
        .or_else(|| extra.get("GroupId"))
        .and_then(Value::as_str)
        .filter(|g| !g.is_empty())
        .map(str::to_owned)
}

/// One group message as the server hands it out: a `GroupMsgArray` item of a
/// push or a sync, a `group_msg_get` `RspMsgList` item.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct GroupMsg {
    #[serde(rename = "From_Account", default)]
    pub(crate) from: String,
    #[serde(rename = "ToGroupId", default)]
    to_group: String,
    #[serde(rename = "MsgSeq", default, deserialize_with = "lenient_u64")]
    pub(crate) seq: u64,
    #[serde(rename = "MsgRandom", alias = "Random", default, deserialize_with = "lenient_u64")]
    pub(crate) random: u64,
    #[serde(rename = "MsgTimeStamp", alias = "MsgTime", default, deserialize_with = "lenient_u64")]
    time: u64,
    #[serde(rename = "MsgKey", default)]
    key: String,
    #[serde(rename = "MsgBody", default)]
    body: Vec<Value>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

impl GroupMsg {
    /// The group it was sent to.
    pub(crate) fn group(&self) -> Option<String> {
        group_of(&self.extra, &self.to_group)
    }

    /// Its server id: the `MsgKey`, or `<MsgSeq>_<MsgRandom>_<MsgTime>`.
    pub(crate) fn key(&self) -> String {
        if self.key.is_empty() {
            group_msg_id(self.seq, self.random, self.time)
        } else {
            self.key.clone()
        }
    }

    /// The neutral message as `me` sees it; `fallback_group` when the item
    /// does not name its group (a history page's items).
    pub(crate) fn to_message(&self, me: &str, fallback_group: Option<&str>) -> Result<Message, Error> {
        let group = self
            .group()
            .or_else(|| fallback_group.map(str::to_owned))
            .ok_or_else(|| Error::protocol(format!("Tencent group message {} names no group", self.key())))?;
        let body = body_from_elems(&self.body)
            .map_err(|e| Error::protocol(format!("Tencent group message {}: {e}", self.key())))?;
        let outgoing = self.from == me;
        Ok(Message {
            server_id: self.key(),
            client_id: self.random.to_string(),
            from: self.from.clone(),
            to: group.clone(),
            conversation: ConversationId::group(group),
            body,
            server_time_ms: self.time.saturating_mul(1000),
            direction: if outgoing { Direction::Outgoing } else { Direction::Incoming },
            status: if outgoing { MessageStatus::Sent } else { MessageStatus::Unread },
        })
    }
}

/// The `EventArray` entries of a push or sync body.
fn events(body: &Value) -> impl Iterator<Item = &Value> {
    body.get("EventArray").and_then(Value::as_array).into_iter().flatten()
}

/// The `GroupMsgArray` items of a push body, in order (malformed items skipped).
pub(crate) fn group_messages(body: &Value) -> Vec<GroupMsg> {
    events(body)
        .filter_map(|e| e.get("GroupMsgArray").and_then(Value::as_array))
        .flatten()
        .filter_map(|m| serde_json::from_value(m.clone()).ok())
        .collect()
}

/// The neutral group events of a body's tips and notices, in order; `me` is
/// the session's user (a "you were removed" notice names nobody else).
pub(crate) fn group_events(body: &Value, me: &str) -> Vec<GroupEvent> {
    let mut out = Vec::new();
    for e in events(body) {
        let event = e.get("Event").and_then(Value::as_i64).unwrap_or(0);
        for item in e.get("GroupTips").and_then(Value::as_array).into_iter().flatten() {
            let Some(obj) = item.as_object() else { continue };
            let to_group = obj.get("ToGroupId").and_then(Value::as_str).unwrap_or("");
            let Some(group) = group_of(obj, to_group) else { continue };
            let Some(tip) = obj.get("MsgBody").filter(|b| b.is_object()) else { continue };
            let time = obj.get("MsgTimeStamp").and_then(Value::as_u64).unwrap_or(0);
            match event {
                EVENT_TIPS => out.extend(decode_tip(&group, tip, time)),
                EVENT_NOTICE => out.extend(decode_notice(&group, tip, me)),
                _ => {}
            }
        }
    }
    out
}

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

fn users_of(v: &Value) -> Vec<String> {
    v.get("List_Account")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

/// A group tip (`OpType` 1-7) as neutral events.
fn decode_tip(group: &str, tip: &Value, time: u64) -> Vec<GroupEvent> {
    let g = || group.to_owned();
    let op = str_of(tip, "Operator_Account").map(str::to_owned);
    let users = users_of(tip);
    match tip.get("OpType").and_then(Value::as_i64).unwrap_or(0) {
        1 => users
            .into_iter()
            .map(|user| {
                // Joining by oneself (a free join, an approved application) names no adder.
                let by = op.clone().filter(|o| o != &user);
                GroupEvent::MemberJoined { group: g(), user, by }
            })
            .collect(),
        2 => users.into_iter().map(|user| GroupEvent::MemberLeft { group: g(), user }).collect(),
        3 => users.into_iter().map(|user| GroupEvent::MemberRemoved { group: g(), user, by: op.clone() }).collect(),
        4 => users.into_iter().map(|user| GroupEvent::RoleChanged { group: g(), user, role: Role::Admin }).collect(),
        5 => users.into_iter().map(|user| GroupEvent::RoleChanged { group: g(), user, role: Role::Member }).collect(),
        6 => {
            let info = tip.get("MsgGroupNewInfo").cloned().unwrap_or(Value::Null);
            let mut out = Vec::new();
            if let Some(owner) = str_of(&info, "Owner_Account") {
                out.push(GroupEvent::RoleChanged { group: g(), user: owner.to_owned(), role: Role::Owner });
            }
            let name = info.get("GroupName").and_then(Value::as_str).map(str::to_owned);
            let introduction = info.get("GroupIntroduction").and_then(Value::as_str).map(str::to_owned);
            if name.is_some() || introduction.is_some() {
                out.push(GroupEvent::InfoChanged { group: g(), name, introduction });
            }
            out
        }
        7 => tip
            .get("MsgMemberInfo")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|m| {
                let user = str_of(m, "User_Account")?.to_owned();
                let secs = m.get("ShutupTime").or_else(|| m.get("ShutUpTime")).and_then(Value::as_u64)?;
                let until_ms = (secs > 0).then(|| time.saturating_add(secs).saturating_mul(1000));
                Some(GroupEvent::MemberMuted { group: g(), user, until_ms })
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// A group system notice (`OpType` 1, 4, 5) as a neutral event.
fn decode_notice(group: &str, notice: &Value, me: &str) -> Option<GroupEvent> {
    let g = group.to_owned();
    let op = str_of(notice, "Operator_Account").map(str::to_owned);
    match notice.get("OpType").and_then(Value::as_i64).unwrap_or(0) {
        1 => Some(GroupEvent::JoinRequested {
            group: g,
            applicant: op?,
            message: str_of(notice, "RemarkInfo").map(str::to_owned),
        }),
        4 => Some(GroupEvent::MemberRemoved { group: g, user: me.to_owned(), by: op }),
        5 => Some(GroupEvent::Dismissed { group: g, by: op }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tips(event: i64, body: Value) -> Value {
        json!({"EventArray": [{"Event": event, "GroupTips": [{
            "ToGroupId": "g1", "GroupInfo": {"GroupId": "g1"}, "MsgTimeStamp": 100, "MsgBody": body
        }]}]})
    }

    #[test]
    fn tips_and_notices_become_group_events() {
        let joined = tips(4, json!({"OpType": 1, "Operator_Account": "alice", "List_Account": ["bob", "alice"]}));
        assert_eq!(
            group_events(&joined, "x"),
            vec![
                GroupEvent::MemberJoined { group: "g1".into(), user: "bob".into(), by: Some("alice".into()) },
                GroupEvent::MemberJoined { group: "g1".into(), user: "alice".into(), by: None },
            ]
        );
        let owner = tips(4, json!({"OpType": 6, "MsgGroupNewInfo": {"Owner_Account": "bob", "GroupName": "n"}}));
        let events = group_events(&owner, "x");
        assert_eq!(events[0], GroupEvent::RoleChanged { group: "g1".into(), user: "bob".into(), role: Role::Owner });
        assert!(matches!(&events[1], GroupEvent::InfoChanged { name: Some(n), introduction: None, .. } if n == "n"));
        let muted = tips(4, json!({"OpType": 7, "MsgMemberInfo": [{"User_Account": "bob", "ShutupTime": 60}]}));
        assert_eq!(
            group_events(&muted, "x"),
            vec![GroupEvent::MemberMuted { group: "g1".into(), user: "bob".into(), until_ms: Some(160_000) }]
        );
        let kicked = tips(5, json!({"OpType": 4, "Operator_Account": "alice"}));
        assert_eq!(
            group_events(&kicked, "bob"),
            vec![GroupEvent::MemberRemoved { group: "g1".into(), user: "bob".into(), by: Some("alice".into()) }]
        );
        let gone = tips(5, json!({"OpType": 5, "Operator_Account": ""}));
        assert_eq!(group_events(&gone, "bob"), vec![GroupEvent::Dismissed { group: "g1".into(), by: None }]);
        for odd in [json!({}), json!({"EventArray": [{"Event": 4, "GroupTips": [1, {"MsgBody": []}]}]})] {
            assert!(group_events(&odd, "x").is_empty());
        }
    }

    #[test]
    fn group_message_items_become_messages() {
        let body = json!({"EventArray": [{"Event": 3, "GroupMsgArray": [{
            "From_Account": "alice", "GroupInfo": {"GroupId": "g1"}, "MsgSeq": 3, "MsgRandom": "9",
            "MsgTimeStamp": 100, "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "hi"}}]
        }]}]});
        let items = group_messages(&body);
        let m = items[0].to_message("bob", None).unwrap();
        assert_eq!((m.server_id.as_str(), m.conversation.clone()), ("3_9_100", ConversationId::group("g1")));
        assert_eq!(m.direction, Direction::Incoming);
        assert_eq!(items[0].to_message("alice", None).unwrap().direction, Direction::Outgoing);
    }
}
