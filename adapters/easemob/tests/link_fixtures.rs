//! The msync codec against an independent implementation: every file in
//! `tests/fixtures/` holds messages that protobufjs (the library the official
//! web SDK embeds) encoded from the SDK's own descriptor, as layers (the
//! `MSync` frame, its payload, the meta bodies inside), each with the JSON it
//! was encoded from and the bytes as hex. Each file's `source` says how it was
//! made.
//!
//! Checked here: every layer decodes with our types and re-encodes to the
//! very same bytes (prost and protobufjs both write fields in field-number
//! order, and our optional fields keep protobufjs's explicit zeros); the
//! decoded values match the JSON; and the crate's constructors rebuild the
//! same bytes from the same values.

use std::path::{Path, PathBuf};

use prost::{Message, Name};
use serde_json::Value;
use unim_easemob::link::{
    self, body, envelope, key_value, message_body, meta, msync, provision, statistics_body, status, CommSyncDl,
    CommSyncUl, CommUnreadDl, Jid, KeyValue, MSync, MessageBody, Meta, MetaBody, MetaQueue, Provision, StatisticsBody,
    Status,
};

struct Layer {
    name: String,
    ty: String,
    from: Option<String>,
    json: Value,
    bytes: Vec<u8>,
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn unhex(s: &str) -> Vec<u8> {
    assert_eq!(s.len() % 2, 0, "odd hex length");
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex")).collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn load_path(path: &Path) -> Vec<Layer> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(doc["source"].as_str().is_some_and(|s| !s.is_empty()), "{}: no source", path.display());
    doc["layers"]
        .as_array()
        .expect("layers")
        .iter()
        .map(|l| Layer {
            name: l["name"].as_str().expect("name").to_owned(),
            ty: l["type"].as_str().expect("type").to_owned(),
            from: l["from"].as_str().map(str::to_owned),
            json: l["json"].clone(),
            bytes: unhex(l["hex"].as_str().expect("hex")),
        })
        .collect()
}

fn load(name: &str) -> Vec<Layer> {
    load_path(&fixtures_dir().join(format!("{name}.json")))
}

fn layer<'a>(layers: &'a [Layer], name: &str) -> &'a Layer {
    layers.iter().find(|l| l.name == name).unwrap_or_else(|| panic!("no layer {name}"))
}

/// `path` like `metas[1].payload` inside a JSON value.
fn at<'a>(json: &'a Value, path: &str) -> &'a Value {
    path.split('.').fold(json, |v, part| match part.split_once('[') {
        Some((key, index)) => &v[key][index.trim_end_matches(']').parse::<usize>().expect("index")],
        None => &v[part],
    })
}

fn str_at<'a>(json: &'a Value, path: &str) -> &'a str {
    at(json, path).as_str().unwrap_or_else(|| panic!("{path} is not a string in {json}"))
}

fn u64_at(json: &Value, path: &str) -> u64 {
    match at(json, path) {
        Value::String(s) => s.parse().expect("u64 string"),
        v => v.as_u64().unwrap_or_else(|| panic!("{path} is not a u64 in {json}")),
    }
}

fn jid_at(json: &Value, path: &str) -> Jid {
    let v = at(json, path);
    assert!(v.is_object(), "{path} is not a JID in {json}");
    let part = |k: &str| v[k].as_str().map(str::to_owned);
    Jid { app_key: part("appKey"), name: part("name"), domain: part("domain"), client_resource: part("clientResource") }
}

/// Decodes `bytes` as the message named `ty` and re-encodes it.
fn reencode(ty: &str, bytes: &[u8]) -> Vec<u8> {
    macro_rules! dispatch {
        ($($t:ty),+ $(,)?) => {{
            $(
                if ty == <$t>::full_name() {
                    let msg = <$t>::decode(bytes).unwrap_or_else(|e| panic!("{ty}: {e}"));
                    return msg.encode_to_vec();
                }
            )+
            panic!("no Rust type for {ty}")
        }};
    }
    dispatch!(
        body::MessageBody,
        message_body::Content,
        message_body::content::Size,
        message_body::MessageConfig,
        message_body::Stream,
        body::KeyValue,
        envelope::Jid,
        body::ConferenceBody,
        body::conference_body::Status,
        envelope::MSync,
        envelope::CommSyncUl,
        envelope::CommSyncDl,
        envelope::CommNotice,
        envelope::CommUnreadUl,
        envelope::CommUnreadDl,
        envelope::MetaQueue,
        envelope::Meta,
        envelope::Status,
        envelope::RedirectInfo,
        envelope::Provision,
        envelope::Logout,
        body::MucBody,
        body::muc_body::Setting,
        body::muc_body::Status,
        body::muc_body::EventInfo,
        body::RosterBody,
        body::roster_body::Status,
        body::StatisticsBody,
    )
}

/// The number of message types in the descriptor (top-level and nested).
const MESSAGE_TYPES: usize = 28;

#[test]
fn every_layer_reencodes_to_the_same_bytes() {
    let mut files = 0;
    for entry in std::fs::read_dir(fixtures_dir()).expect("fixtures dir") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        files += 1;
        let layers = load_path(&path);
        for l in &layers {
            assert_eq!(hex(&reencode(&l.ty, &l.bytes)), hex(&l.bytes), "{}: layer {}", path.display(), l.name);
            if let Some(from) = &l.from {
                let (parent, field) = from.split_once('.').expect("from is layer.path");
                let parent = layer(&layers, parent);
                assert_eq!(unhex(str_at(&parent.json, field)), l.bytes, "{}: {from}", path.display());
            }
        }
    }
    assert!(files >= 15, "only {files} fixtures");
}

#[test]
fn schema_coverage_spans_every_message_type() {
    let mut types: Vec<String> = load("schema_coverage").into_iter().map(|l| l.ty).collect();
    types.dedup();
    assert_eq!(types.len(), MESSAGE_TYPES, "{types:?}");
    // A type we got wrong would lose or change fields on the round trip
    // (checked above); spot-check values whose signedness bytes cannot show.
    let coverage = load("schema_coverage");
    let l = layer(&coverage, "easemob.pb.CommSyncDL");
    let dl = CommSyncDl::decode(l.bytes.as_slice()).unwrap();
    assert_eq!(dl.meta_id, Some(u64_at(&l.json, "metaId")));
    assert!(dl.meta_id.unwrap() > i64::MAX as u64);
    let l = layer(&coverage, "easemob.pb.KeyValue#0");
    let kv = KeyValue::decode(l.bytes.as_slice()).unwrap();
    let expected: i64 = str_at(&l.json, "varintValue").parse().unwrap();
    assert_eq!(kv.value, Some(key_value::Value::VarintValue(expected)));
    let l = layer(&coverage, "easemob.pb.MessageBody.Content");
    let content = message_body::Content::decode(l.bytes.as_slice()).unwrap();
    assert_eq!(i64::from(content.file_length.unwrap()), at(&l.json, "fileLength").as_i64().unwrap());
    assert_eq!(content.latitude, at(&l.json, "latitude").as_f64());
}

#[test]
fn provision_request_matches_the_sdk_frame() {
    let fx = load("provision_request");
    let (f, p) = (layer(&fx, "frame"), layer(&fx, "provision"));
    assert_eq!(f.bytes.len(), 223, "official-sdks.md observed a 223-byte first frame");
    let frame = link::decode(&f.bytes).unwrap();
    assert_eq!(frame.try_command().unwrap().as_str_name(), str_at(&f.json, "command"));
    assert_eq!(frame.version, Some(msync::Version::MsyncV1 as i32), "the SDK encodes version 0 explicitly");
    let guid = jid_at(&f.json, "guid");
    assert_eq!(frame.guid.as_ref(), Some(&guid));
    let token = str_at(&f.json, "auth").strip_prefix(link::TOKEN_PREFIX).unwrap();
    assert_eq!(frame.token(), Some(token));
    assert_eq!(frame.device_id, Some(0));
    assert_eq!(frame.encrypt_type().collect::<Vec<_>>(), [link::EncryptType::EncryptNone]);
    assert_eq!(frame.trace_id, Some(u64_at(&f.json, "traceId")));

    let prov = frame.read_provision().unwrap();
    assert_eq!(prov.encode_to_vec(), p.bytes);
    assert_eq!(Some(prov.os_type()), provision::OsType::from_str_name(str_at(&p.json, "osType")));
    assert_eq!(prov.version(), str_at(&p.json, "version"));
    assert_eq!(prov.compress_type().collect::<Vec<_>>(), [provision::CompressType::CompressNone]);
    assert_eq!(prov.encrypt_type().collect::<Vec<_>>(), [link::EncryptType::EncryptNone]);
    assert_eq!(prov.device_uuid(), str_at(&p.json, "deviceUuid"));
    assert_eq!(prov.device_name(), str_at(&p.json, "deviceName"));
    assert_eq!(prov.resource(), guid.client_resource());
    assert_eq!(prov.action_version(), str_at(&p.json, "actionVersion"));
    assert_eq!(prov.token().as_deref(), Some(token));
    assert_eq!(prov.session_id(), str_at(&p.json, "sessionId"));
    assert_eq!(prov.protocol_compress_type().collect::<Vec<_>>(), [provision::CompressType::CompressLz4]);
    assert_eq!(prov.password, None, "the SDK sends no password");

    // Our constructors, given the SDK's per-login values, build the same bytes.
    let mut ours = Provision::login(guid.client_resource(), token);
    ours.device_uuid = Some(prov.device_uuid().into());
    ours.session_id = Some(prov.session_id().into());
    ours.protocol_compress_type = vec![provision::CompressType::CompressLz4 as i32];
    let mut built = MSync::provision_request(guid, token, &ours);
    built.trace_id = frame.trace_id;
    assert_eq!(link::encode(&built), f.bytes);
}

#[test]
fn provision_replies_carry_their_status() {
    let fx = load("provision_reply_ok");
    let frame = link::decode(&layer(&fx, "frame").bytes).unwrap();
    let status = frame.provision_status().unwrap();
    assert!(status.is_ok());
    assert_eq!(status.try_error_code().unwrap(), status::ErrorCode::Ok);
    let session = str_at(&layer(&fx, "provision").json, "sessionId");
    assert_eq!(frame.read_provision().unwrap().session_id(), session);
    let built = MSync::provision_reply(&Provision::reply(Status::ok(), Some(session.into())));
    assert_eq!(link::encode(&built), layer(&fx, "frame").bytes);

    // What the SDK was observed to accept: a status without errorCode.
    let fx = load("provision_reply_observed");
    let frame = link::decode(&layer(&fx, "frame").bytes).unwrap();
    let status = frame.provision_status().unwrap();
    assert_eq!(status.error_code, None);
    assert!(status.is_ok());
    assert_eq!(frame.read_provision().unwrap().session_id(), str_at(&layer(&fx, "provision").json, "sessionId"));

    let fx = load("provision_reply_unauthorized");
    let (f, p) = (layer(&fx, "frame"), layer(&fx, "provision"));
    let status = link::decode(&f.bytes).unwrap().provision_status().unwrap();
    assert!(!status.is_ok());
    assert_eq!(
        Some(status.try_error_code().unwrap()),
        status::ErrorCode::from_str_name(str_at(&p.json, "status.errorCode"))
    );
    assert_eq!(status.reason(), str_at(&p.json, "status.reason"));
    let built =
        MSync::provision_reply(&Provision::reply(Status::error(status::ErrorCode::Unauthorized, "bad token"), None));
    assert_eq!(link::encode(&built), f.bytes);

    // 20 is not in the descriptor; it must come through as 20.
    let fx = load("provision_reply_resource_changed");
    let (f, p) = (layer(&fx, "frame"), layer(&fx, "provision"));
    let status = link::decode(&f.bytes).unwrap().provision_status().unwrap();
    assert_eq!(i64::from(status.code()), at(&p.json, "status.errorCode").as_i64().unwrap());
    assert_eq!(status.try_error_code().unwrap(), status::ErrorCode::ResourceChanged);
    assert!(!status.is_ok());
    let built = MSync::provision_reply(&Provision::reply(
        Status::error(status::ErrorCode::ResourceChanged, str_at(&p.json, "status.reason")),
        None,
    ));
    assert_eq!(link::encode(&built), f.bytes);
}

#[test]
fn unread_request_and_reply() {
    let fx = load("unread_request");
    let f = layer(&fx, "frame");
    let frame = link::decode(&f.bytes).unwrap();
    assert_eq!(frame.try_command().unwrap(), msync::Command::Unread);
    assert_eq!(frame.payload, None);
    let mut built = MSync::unread();
    built.trace_id = Some(u64_at(&f.json, "traceId"));
    assert_eq!(link::encode(&built), f.bytes);

    let fx = load("unread_reply");
    let (f, u) = (layer(&fx, "frame"), layer(&fx, "unread"));
    let reply = link::decode(&f.bytes).unwrap().read_unread_down().unwrap();
    assert!(reply.status.as_ref().unwrap().is_ok());
    let queue = jid_at(&u.json, "unread[0].queue");
    assert_eq!(reply.unread.len(), 1);
    assert_eq!(reply.unread[0].queue.as_ref(), Some(&queue));
    assert_eq!(u64::from(reply.unread[0].n()), u64_at(&u.json, "unread[0].n"));
    assert_eq!(reply.timestamp(), u64_at(&u.json, "timestamp"));
    let built = MSync::unread_reply(&CommUnreadDl::ok(vec![MetaQueue::new(queue, 1)], reply.timestamp()));
    assert_eq!(link::encode(&built), f.bytes);
}

#[test]
fn send_of_a_text_message_and_its_ack() {
    let fx = load("sync_send_text");
    let (f, s, m) = (layer(&fx, "frame"), layer(&fx, "sync"), layer(&fx, "message"));
    let frame = link::decode(&f.bytes).unwrap();
    assert_eq!(frame.try_command().unwrap(), msync::Command::Sync);
    let ul = frame.read_sync_up().unwrap();
    let meta = ul.meta.as_ref().expect("meta");
    assert_eq!(meta.try_ns().unwrap(), meta::NameSpace::Chat);
    assert_eq!(meta.id(), u64_at(&s.json, "meta.id"));
    assert_eq!(meta.to.as_ref(), Some(&jid_at(&s.json, "meta.to")));
    let msg = meta.message_body().unwrap();
    assert_eq!(msg.encode_to_vec(), m.bytes);
    assert_eq!(msg.try_type().unwrap(), message_body::Type::Chat);
    assert_eq!(msg.text(), Some(str_at(&m.json, "contents[0].text")));
    assert_eq!(msg.from.as_ref().map(Jid::name), Some(str_at(&m.json, "from.name")));
    assert_eq!(msg.to.as_ref().map(Jid::name), Some(str_at(&m.json, "to.name")));
    let ext = vec![
        KeyValue::string("s", "v"),
        KeyValue::int("i", -42),
        KeyValue::bool("b", true),
        KeyValue::double("d", 1.5),
        KeyValue::json("j", r#"{"a":1}"#),
    ];
    assert_eq!(msg.ext, ext);
    for (kv, j) in msg.ext.iter().zip(at(&m.json, "ext").as_array().unwrap()) {
        assert_eq!(kv.key(), j["key"].as_str().unwrap());
        assert_eq!(Some(kv.r#type()), key_value::ValueType::from_str_name(j["type"].as_str().unwrap()));
    }

    let mut body = MessageBody::text_message(
        message_body::Type::Chat,
        Jid::named("alice"),
        Jid::named("bob"),
        str_at(&m.json, "contents[0].text"),
    );
    body.ext = ext;
    let mut built = MSync::sync_up(&CommSyncUl::send(Meta::chat(meta.id(), jid_at(&s.json, "meta.to"), &body)));
    built.trace_id = Some(u64_at(&f.json, "traceId"));
    assert_eq!(link::encode(&built), f.bytes);

    let fx = load("sync_ack");
    let (f, s) = (layer(&fx, "frame"), layer(&fx, "sync"));
    let dl = link::decode(&f.bytes).unwrap().read_sync_down().unwrap();
    assert!(dl.status.as_ref().unwrap().is_ok());
    assert_eq!(dl.meta_id(), u64_at(&s.json, "metaId"));
    assert_eq!(dl.server_id(), u64_at(&s.json, "serverId"));
    assert_eq!(dl.timestamp(), u64_at(&s.json, "timestamp"));
    assert!(dl.metas.is_empty());
    let built = MSync::sync_down(&CommSyncDl::ack(dl.meta_id(), dl.server_id(), dl.timestamp()));
    assert_eq!(link::encode(&built), f.bytes);
}

#[test]
fn notice_and_pulls() {
    let fx = load("notice");
    let (f, n) = (layer(&fx, "frame"), layer(&fx, "notice"));
    let frame = link::decode(&f.bytes).unwrap();
    assert_eq!(frame.try_command().unwrap(), msync::Command::Notice);
    let queue = jid_at(&n.json, "queue");
    assert_eq!(frame.read_notice().unwrap(), queue);
    assert_eq!(link::encode(&MSync::notice(queue)), f.bytes);

    for (name, key) in [("sync_pull", false), ("sync_pull_key", true)] {
        let fx = load(name);
        let (f, s) = (layer(&fx, "frame"), layer(&fx, "sync"));
        let ul = link::decode(&f.bytes).unwrap().read_sync_up().unwrap();
        let queue = jid_at(&s.json, "queue");
        assert_eq!(ul.queue.as_ref(), Some(&queue), "{name}");
        assert_eq!(ul.meta, None, "{name}");
        let expected_key = key.then(|| u64_at(&s.json, "key"));
        assert_eq!(ul.key, expected_key, "{name}");
        let mut built = MSync::sync_up(&CommSyncUl::pull(queue, expected_key));
        built.trace_id = Some(u64_at(&f.json, "traceId"));
        assert_eq!(link::encode(&built), f.bytes, "{name}");
    }
}

#[test]
fn pulled_metas_with_a_chat_message_and_a_kick() {
    let fx = load("sync_pulled_metas");
    let (f, s, m, k) = (layer(&fx, "frame"), layer(&fx, "sync"), layer(&fx, "message"), layer(&fx, "kick"));
    let dl = link::decode(&f.bytes).unwrap().read_sync_down().unwrap();
    assert!(dl.status.as_ref().unwrap().is_ok());
    assert_eq!(dl.queue.as_ref(), Some(&jid_at(&s.json, "queue")));
    assert_eq!(dl.is_last, at(&s.json, "isLast").as_bool());
    assert_eq!(dl.next_key(), u64_at(&s.json, "nextKey"));
    assert_eq!(dl.timestamp(), u64_at(&s.json, "timestamp"));
    assert_eq!(dl.metas.len(), 2);

    let chat = &dl.metas[0];
    assert_eq!(chat.id(), u64_at(&s.json, "metas[0].id"));
    assert_eq!(chat.from.as_ref(), Some(&jid_at(&s.json, "metas[0].from")));
    assert_eq!(chat.to.as_ref(), Some(&jid_at(&s.json, "metas[0].to")));
    assert_eq!(chat.timestamp(), u64_at(&s.json, "metas[0].timestamp"));
    let MetaBody::Chat(msg) = chat.body().unwrap() else { panic!("not a chat body") };
    assert_eq!(msg.text(), Some(str_at(&m.json, "contents[0].text")));
    assert!(matches!(chat.statistic_operation(), Err(link::LinkError::UnexpectedNamespace { .. })));

    let kick = &dl.metas[1];
    assert_eq!(kick.try_ns().unwrap(), meta::NameSpace::Statistic);
    let op = kick.statistic_operation().unwrap();
    assert_eq!(op, statistics_body::Operation::UserLoginAnotherDevice);
    assert_eq!(op as i32, 2);
    assert_eq!(Some(op), statistics_body::Operation::from_str_name(str_at(&k.json, "operation")));
    assert_eq!(kick.statistics_body().unwrap().reason(), str_at(&k.json, "reason"));
    assert!(matches!(kick.body().unwrap(), MetaBody::Statistic(_)));

    let chat_body =
        MessageBody::text_message(message_body::Type::Chat, Jid::named("bob"), Jid::named("alice"), "hi alice");
    let built = MSync::sync_down(&CommSyncDl::pulled(
        jid_at(&s.json, "queue"),
        vec![
            Meta::chat(chat.id(), jid_at(&s.json, "metas[0].to"), &chat_body)
                .with_from(jid_at(&s.json, "metas[0].from"))
                .with_timestamp(chat.timestamp()),
            Meta::statistic(kick.id(), &StatisticsBody::new(op, Some(str_at(&k.json, "reason").into())))
                .with_from(jid_at(&s.json, "metas[1].from"))
                .with_to(jid_at(&s.json, "metas[1].to"))
                .with_timestamp(kick.timestamp()),
        ],
        Some(dl.next_key()),
        true,
        dl.timestamp(),
    ));
    assert_eq!(link::encode(&built), f.bytes);
}

#[test]
fn client_statistic_information_and_logout() {
    let fx = load("statistic_information");
    let (f, s) = (layer(&fx, "frame"), layer(&fx, "sync"));
    let ul = link::decode(&f.bytes).unwrap().read_sync_up().unwrap();
    let meta = ul.meta.expect("meta");
    assert_eq!(meta.statistic_operation().unwrap(), statistics_body::Operation::Information);
    assert_eq!(meta.statistics_body().unwrap().operation, Some(0), "explicit zero kept");
    let mut built = MSync::sync_up(&CommSyncUl::send(Meta::statistic(
        u64_at(&s.json, "meta.id"),
        &StatisticsBody::new(statistics_body::Operation::Information, None),
    )));
    built.trace_id = Some(u64_at(&f.json, "traceId"));
    assert_eq!(link::encode(&built), f.bytes);

    let fx = load("logout");
    let (f, l) = (layer(&fx, "frame"), layer(&fx, "logout"));
    let logout = link::decode(&f.bytes).unwrap().read_logout().unwrap();
    assert_eq!(logout.session_id(), str_at(&l.json, "sessionId"));
    assert_eq!(logout.reason(), str_at(&l.json, "reason"));
}
