//! The v1 message endpoints (netease.md 3.2; docs/protocols/netease.md 11.4):
//! `msg/sendMsg.action`, `history/querySessionMsg.action` and
//! `history/querySessionList.action`, over the link's message store (so a
//! message sent here reaches the web clients as a 7_2 from a client of type
//! 32, the server API).
//!
//! Choices where the documents are silent: an unknown `from` or `to` is 404
//! (NetEase documents 414 for some unknown-account cases and 404 for
//! "object does not exist"; unim reads both as `NotFound`); the history's
//! text bodies are JSON objects `{"msg": ...}` and custom bodies the JSON
//! text that was sent; a session's `lastMsg` is such a history entry.
//! `body` is read leniently: single-quoted strings are taken as JSON strings,
//! because NetEase's own PyPI client (`yunxin-mcp-server`) sends a Python
//! dict's repr (`{'msg': 'hi'}`) and NetEase's server evidently reads it.

use super::super::link::mailbox::{self, Sender, Shown};
use super::super::Face;
use super::form::Form;
use super::{bad, object, Refusal};
use serde_json::{json, Map, Value};
use unim_core::ConversationKind;
use unim_netease::accid::check_accid;
use unim_netease::error::code;
use unim_netease::message::{body_of_rest, MAX_BODY_CHARS, MAX_PUSH_CONTENT_CHARS, TYPE_CUSTOM, TYPE_TEXT};

type Reply = Result<Map<String, Value>, Refusal>;

/// The most messages or sessions one query returns.
const MAX_LIMIT: u64 = 100;

/// An existing account named by the field `name`: 414 when malformed, 404 when unknown.
fn account(face: &Face, form: &Form, name: &str) -> Result<String, Refusal> {
    let accid = check_accid(form.required(name)?).map_err(|p| bad(format!("{name}: {p}")))?;
    face.store
        .get(&accid)
        .map(|u| u.accid)
        .ok_or_else(|| Refusal::new(code::NOT_FOUND, format!("{name} does not exist")))
}

/// An optional integer field; 414 when it is not one.
fn int(form: &Form, name: &str) -> Result<Option<u64>, Refusal> {
    form.get(name).map(|v| v.parse::<u64>().map_err(|_| bad(format!("{name} is not a number")))).transpose()
}

/// `limit`: 1 to 100, `default` when absent.
fn limit(form: &Form, default: u64) -> Result<usize, Refusal> {
    match int(form, "limit")?.unwrap_or(default) {
        n @ 1..=MAX_LIMIT => Ok(n as usize),
        _ => Err(bad("limit must be 1 to 100")),
    }
}

/// `msg/sendMsg.action`: `from`, `ope` 0 (or 1: a team message, `team_msgs.rs`), `to`, `type` 0 or 100, `body`
/// (JSON text, at most 5000 characters), optional `pushcontent` →
/// `data {msgid, timetag, antispam}`.
pub(super) fn send_msg(face: &Face, form: &Form) -> Reply {
    let ope = form.required("ope")?;
    if ope != "0" && ope != "1" {
        return Err(bad("ope must be 0 or 1"));
    }
    let raw = form.required("body")?;
    if raw.chars().count() > MAX_BODY_CHARS {
        return Err(bad("body too long"));
    }
    let body = lenient_json(raw).ok_or_else(|| bad("body is not JSON"))?;
    let kind = match int(form, "type")? {
        Some(k @ (0 | 100)) => k as i64,
        Some(_) => return Err(bad("only type 0 (text) and 100 (custom) are served")),
        None => return Err(bad("type is missing")),
    };
    if kind == TYPE_TEXT && !body.get("msg").is_some_and(Value::is_string) {
        return Err(bad("a text body is {\"msg\": \"...\"}"));
    }
    let push = form.limited("pushcontent", MAX_PUSH_CONTENT_CHARS)?;
    let from = account(face, form, "from")?;
    let body = if kind == TYPE_CUSTOM {
        body_of_rest(kind, &Value::String(raw.to_owned()), push)
    } else {
        body_of_rest(kind, &body, None)
    };
    if ope == "1" {
        return super::team_msgs::send(face, &from, form.required("to")?, body);
    }
    let to = account(face, form, "to")?;
    let nick = face.store.get(&from).and_then(|u| u.name).unwrap_or_default();
    let sent = mailbox::send_body(face, &Sender::server(&from, nick), &to, body, &unim_core::new_client_id())?;
    Ok(object(json!({"data": {"msgid": sent.id(), "timetag": sent.timetag(), "antispam": false}})))
}

/// `text` as JSON, also when its strings are single-quoted (Python's repr of
/// a dict); `None` when it is neither.
fn lenient_json(text: &str) -> Option<Value> {
    if let Ok(v) = serde_json::from_str(text) {
        return Some(v);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                // A double-quoted string is copied as it is, escapes and all.
                out.push('"');
                while let Some(c) = chars.next() {
                    out.push(c);
                    match c {
                        '\\' => out.extend(chars.next()),
                        '"' => break,
                        _ => {}
                    }
                }
            }
            '\'' => {
                let mut s = String::new();
                loop {
                    match chars.next()? {
                        '\\' => match chars.next()? {
                            '\'' => s.push('\''),
                            other => {
                                s.push('\\');
                                s.push(other);
                            }
                        },
                        '\'' => break,
                        '"' => s.push_str("\\\""),
                        other => s.push(other),
                    }
                }
                out.push('"');
                out.push_str(&s);
                out.push('"');
            }
            other => out.push(other),
        }
    }
    serde_json::from_str(&out).ok()
}

/// `history/querySessionMsg.action`: `from`, `to`, `begintime` < `endtime`
/// (ms, both included), `limit` 1..100, `reverse` 1 oldest first or 2
/// newest first (the default) → `size`, `msgs`. Both directions.
pub(super) fn query_session_msg(face: &Face, form: &Form) -> Reply {
    let from = account(face, form, "from")?;
    let to = account(face, form, "to")?;
    let begin = int(form, "begintime")?.ok_or_else(|| bad("begintime is missing"))?;
    let end = int(form, "endtime")?.ok_or_else(|| bad("endtime is missing"))?;
    if begin >= end {
        return Err(bad("bad time"));
    }
    let limit = limit(form, MAX_LIMIT)?;
    let ascending = match form.get("reverse").unwrap_or("2") {
        "1" => true,
        "2" => false,
        _ => return Err(bad("reverse must be 1 or 2")),
    };
    let mut msgs: Vec<Shown> =
        mailbox::between(face, &from, &to).into_iter().filter(|m| (begin..=end).contains(&m.timetag())).collect();
    if !ascending {
        msgs.reverse();
    }
    msgs.truncate(limit);
    let msgs: Vec<Value> = msgs.iter().map(Shown::to_rest).collect();
    Ok(object(json!({"size": msgs.len(), "msgs": msgs})))
}

/// `history/querySessionList.action`: `accid`, `minTimestamp`,
/// `maxTimestamp` (ms, both included; 0 or absent: no bound), `limit`
/// 1..100, `needLastMsg` 0/1 → `data {hasMore, sessions[...]}`, the most
/// recently updated first.
pub(super) fn query_session_list(face: &Face, form: &Form) -> Reply {
    let accid = account(face, form, "accid")?;
    let min = int(form, "minTimestamp")?.unwrap_or(0);
    let max = int(form, "maxTimestamp")?.filter(|m| *m != 0).unwrap_or(u64::MAX);
    let limit = limit(form, MAX_LIMIT)?;
    let need_last = match form.get("needLastMsg").unwrap_or("1") {
        "1" | "true" => true,
        "0" | "false" => false,
        _ => return Err(bad("needLastMsg must be 0 or 1")),
    };
    let mut sessions = Vec::new();
    let mut more = false;
    for entry in face.engine.conversations(&accid) {
        let Some(last) = mailbox::shown(face, entry.last.seq) else { continue };
        if !(min..=max).contains(&last.timetag()) {
            continue;
        }
        if sessions.len() == limit {
            more = true;
            break;
        }
        let mut s = match entry.kind {
            ConversationKind::Group => {
                json!({"sessionType": 1, "tid": entry.peer, "updateTime": last.timetag(), "ext": ""})
            }
            _ => json!({"sessionType": 0, "accid": entry.peer, "updateTime": last.timetag(), "ext": ""}),
        };
        if need_last {
            s["lastMsgType"] = json!(last.to_rest()["type"]);
            s["lastMsg"] = last.to_rest();
        }
        sessions.push(s);
    }
    Ok(object(json!({"data": {"hasMore": more, "sessions": sessions}})))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_read_leniently_like_the_vendors_server() {
        assert_eq!(lenient_json("{\"msg\":\"a'b\"}"), Some(json!({"msg": "a'b"})));
        assert_eq!(lenient_json("{'msg': 'hi \"you\"'}"), Some(json!({"msg": "hi \"you\""})));
        assert_eq!(lenient_json("{'msg': 'it\\'s', 'n': 1}"), Some(json!({"msg": "it's", "n": 1})));
        assert_eq!(lenient_json("{'msg': 'a\\nb'}"), Some(json!({"msg": "a\nb"})));
        assert_eq!(lenient_json("{'msg': 'open"), None);
        assert_eq!(lenient_json("not json"), None);
    }
}
