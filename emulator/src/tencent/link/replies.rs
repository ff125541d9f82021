//! Reply bodies: errors, and the well-formed empty answers to the start-up
//! queries the SDK sends after login (official-sdks.md 3.3,
//! docs/protocols/tencent.md).

use serde_json::{json, Map, Value};

/// The request needs a login first (the Web SDK's own "not logged in" code).
pub(crate) const NOT_LOGGED_IN: i64 = 6014;
/// This connection was kicked (`HELLO_ANSWER_KICKED_OUT`; the body carries `KickType`).
pub(crate) const KICKED: i64 = 1002;
/// The session ticket (A2) is missing or not this connection's.
pub(crate) const A2_INVALID: i64 = 20002;
/// The UserSig behind this login has expired.
pub(crate) const USERSIG_EXPIRED: i64 = 70001;
/// The SDKAppID in the request is not this app's.
pub(crate) const APP_MISMATCH: i64 = 70014;
/// A malformed parameter (here: the UserID).
pub(crate) const INVALID_PARAMETER: i64 = 70402;

/// How long the SDK may keep its fetched config before asking again (0 would
/// make it ask every second).
const CONFIG_EXPIRY_SECS: u64 = 3600;

/// `{ErrorCode: 0, ErrorInfo: ""}`.
pub(crate) fn ok() -> Value {
    json!({ "ErrorCode": 0, "ErrorInfo": "" })
}

/// `{ErrorCode: 0, ErrorInfo: ""}` plus `fields`.
pub(crate) fn ok_with(fields: Value) -> Value {
    let mut body = ok();
    if let (Some(body), Value::Object(fields)) = (body.as_object_mut(), fields) {
        body.extend(fields);
    }
    body
}

/// `{ErrorCode: code, ErrorInfo: info}`.
pub(crate) fn error(code: i64, info: impl Into<String>) -> Value {
    json!({ "ErrorCode": code, "ErrorInfo": info.into() })
}

/// The reply to any request on a kicked connection (kick-signals.md 1, item 2).
pub(crate) fn kicked(kick_type: i64, new_inst: &Value) -> Value {
    json!({
        "ErrorCode": KICKED,
        "ErrorInfo": "this instance was forced offline",
        "KickType": kick_type,
        "NewInstInfo": new_inst,
    })
}

/// The well-formed empty answer to a start-up query (docs/protocols/tencent.md
/// section 6), or to any command the emulator does not implement:
/// `ErrorCode 0`, the cursors that stop paging (`StartIndex 0` for the block
/// list, `CompleteFlag 1` elsewhere: without them the SDK asks again and
/// again), and config expiry times that keep the SDK from asking every second.
/// `body` is the request body, `user` the logged-in user.
pub(crate) fn startup(servcmd: &str, body: &Map<String, Value>, user: &str) -> Value {
    let fields = match servcmd {
        "sns.black_list_get" => {
            json!({ "BlackListItem": [], "StartIndex": 0, "CurruentSequence": 0, "CompleteFlag": 1 })
        }
        "recentcontact.page_get" => json!({
            "SessionItem": [], "TimeStamp": 0, "StartIndex": 0, "TopTimeStamp": 0, "TopStartIndex": 0,
            "CompleteFlag": 1,
        }),
        "group_open_http_svc.get_joined_group_list" | "million_group_open_http_svc.get_joined_group_list" => {
            json!({ "GroupIdList": [], "TotalCount": 0, "CompleteFlag": 1 })
        }
        "sns.friend_get" => json!({
            "UserDataItem": [], "FriendNum": 0, "NextStartIndex": 0, "StandardSequence": 0,
            "CustomSequence": 0, "CompleteFlag": 1,
        }),
        "sns.group_get" => json!({ "ResultItem": [], "CompleteFlag": 1 }),
        "sns.pendency_get" => json!({
            "PendencyItem": [], "UnreadPendencyCount": 0, "StartTime": 0, "CurrentSequence": 0, "CompleteFlag": 1,
        }),
        "im_sdk_config_mgr.fetch_config" => {
            json!({ "uint64_version": 0, "uint32_expired_time": CONFIG_EXPIRY_SECS, "CompleteFlag": 1 })
        }
        "im_sdk_config_mgr.fetch_imsdk_purchase_bitsv2" => {
            json!({ "uint32_expired_time": CONFIG_EXPIRY_SECS, "CompleteFlag": 1 })
        }
        "recentcontact.get_contact_group" => {
            json!({ "GroupItem": [], "ContactItem": [], "NextStartIndex": 0, "CompleteFlag": 1 })
        }
        "recentcontact.search_contact_group" => {
            json!({ "ContactResultItem": [], "GroupItem": [], "CompleteFlag": 1 })
        }
        // One read time (0: never read) per peer asked for, in the same order.
        "openim.get_peer_read_time" => {
            let peers = body.get("To_Account").and_then(Value::as_array).map_or(0, Vec::len);
            json!({ "ReadTime": vec![0; peers], "CompleteFlag": 1 })
        }
        "openim.get_c2c_peer_mute_notifications" => json!({ "MuteNotificationsList": [], "CompleteFlag": 1 }),
        _ => {
            tracing::debug!(servcmd, user, "tencent link: unknown command, answered with an empty success");
            json!({ "CompleteFlag": 1 })
        }
    };
    ok_with(fields)
}

/// A body field as an unsigned integer (the SDK sends numbers; strings of
/// digits are accepted too).
pub(crate) fn u64_field(body: &Map<String, Value>, key: &str) -> Option<u64> {
    match body.get(key)? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_queries_are_complete() {
        for cmd in ["sns.black_list_get", "recentcontact.page_get", "sns.friend_get", "what.ever"] {
            let body = startup(cmd, &Map::new(), "alice");
            assert_eq!(body["ErrorCode"], 0, "{cmd}");
            assert_eq!(body["CompleteFlag"], 1, "{cmd}");
        }
    }

    #[test]
    fn the_block_list_starts_at_zero_and_read_times_match_the_peers() {
        assert_eq!(startup("sns.black_list_get", &Map::new(), "a")["StartIndex"], 0);
        let mut body = Map::new();
        body.insert("To_Account".into(), json!(["b", "c"]));
        assert_eq!(startup("openim.get_peer_read_time", &body, "a")["ReadTime"], json!([0, 0]));
    }
}
