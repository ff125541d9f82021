//! Unit tests of the codec: round trips, error paths, garbage and unknown
//! fields. The cross-check against protobufjs is `tests/link_fixtures.rs`.

use prost::Message;

use super::*;

fn alice() -> Jid {
    Jid::user("org1#app1", "alice").with_resource("webim_web_1700000000000")
}

fn bob() -> Jid {
    Jid::user("org1#app1", "bob")
}

fn sample_frames() -> Vec<MSync> {
    let text = MessageBody::text_message(message_body::Type::Chat, Jid::named("alice"), Jid::named("bob"), "hi");
    let kick = StatisticsBody::new(statistics_body::Operation::UserKickedByOtherDevice, None);
    vec![
        MSync::provision_request(alice(), "tok", &Provision::login("webim_web_1700000000000", "tok")),
        MSync::provision_reply(&Provision::reply(Status::ok(), Some("s1".into())).with_token_expiry(1_700_000_000_000)),
        MSync::provision_reply(&Provision::reply(Status::error(status::ErrorCode::TooManyDevices, "full"), None)),
        MSync::unread(),
        MSync::unread_reply(&CommUnreadDl::ok(vec![MetaQueue::new(bob(), 3)], 5)),
        MSync::sync_up(&CommSyncUl::send(Meta::chat(7, bob(), &text))),
        MSync::sync_up(&CommSyncUl::pull(bob(), Some(9))),
        MSync::sync_down(&CommSyncDl::ack(7, 8, 9)),
        MSync::sync_down(&CommSyncDl::pulled(
            bob(),
            vec![Meta::chat(7, alice(), &text).with_from(bob()), Meta::statistic(8, &kick).with_to(alice())],
            None,
            true,
            10,
        )),
        MSync::notice(bob()),
        MSync::with_payload(msync::Command::Logout, &Logout { reason: Some("bye".into()), ..Logout::default() }),
    ]
}

#[test]
fn frames_round_trip() {
    for frame in sample_frames() {
        let bytes = encode(&frame);
        assert_eq!(decode(&bytes).unwrap(), frame);
        assert_eq!(encode(&decode(&bytes).unwrap()), bytes);
    }
}

#[test]
fn payloads_read_back_through_the_accessors() {
    let login = MSync::provision_request(alice(), "tok", &Provision::login("webim_web_1", "tok"));
    let login = decode(&encode(&login)).unwrap();
    assert_eq!(login.try_command().unwrap(), msync::Command::Provision);
    assert_eq!(login.token(), Some("tok"));
    let p = login.read_provision().unwrap();
    assert_eq!(p.token().as_deref(), Some("tok"));
    assert_eq!(p.resource(), "webim_web_1");
    assert!(p.protocol_compress_type.is_empty(), "unim never offers LZ4");
    assert_eq!(p.auth_token(), r#"{"token":"$t$tok"}"#);

    let reply = Provision::reply(Status::ok(), None).with_token_expiry(1_700_000_000_000);
    assert_eq!(reply.token_expiry(), Some(1_700_000_000_000));
    assert_eq!(reply.token(), None);

    let frames = sample_frames();
    let refused = frames[2].provision_status().unwrap();
    assert_eq!(refused.try_error_code().unwrap(), status::ErrorCode::TooManyDevices);
    assert_eq!(refused.code(), 13);
    assert_eq!(refused.reason(), "full");

    let ul = frames[5].read_sync_up().unwrap();
    let meta = ul.meta.unwrap();
    assert_eq!(meta.message_body().unwrap().text(), Some("hi"));
    assert_eq!(frames[6].read_sync_up().unwrap().key, Some(9));

    let dl = frames[8].read_sync_down().unwrap();
    assert_eq!(dl.is_last, Some(true));
    assert!(matches!(dl.metas[0].body().unwrap(), MetaBody::Chat(m) if m.text() == Some("hi")));
    assert_eq!(dl.metas[1].statistic_operation().unwrap(), statistics_body::Operation::UserKickedByOtherDevice);
    assert_eq!(frames[9].read_notice().unwrap(), bob());
    assert_eq!(frames[10].read_logout().unwrap().reason(), "bye");
    assert_eq!(frames[4].read_unread_down().unwrap().unread[0].n(), 3);
}

#[test]
fn errors_name_the_problem() {
    let notice = MSync::notice(bob());
    let err = notice.read_provision().unwrap_err();
    assert_eq!(err, LinkError::UnexpectedCommand { expected: "PROVISION", found: "NOTICE".into() });
    assert_eq!(err.to_string(), "expected an MSync PROVISION frame, got command NOTICE");

    let odd = MSync { command: Some(9), ..MSync::default() };
    assert_eq!(odd.try_command().unwrap_err(), LinkError::UnknownValue { field: "MSync.command", value: 9 });
    assert_eq!(odd.read_notice().unwrap_err().to_string(), "expected an MSync NOTICE frame, got command 9");
    assert_eq!(odd.command(), msync::Command::Sync, "prost's getter maps unknown values to the first one");

    let bare = MSync::provision_reply(&Provision::default());
    assert_eq!(bare.provision_status().unwrap_err(), LinkError::Missing("Provision.status"));
    assert_eq!(
        MSync::new(msync::Command::Notice).read_notice().unwrap_err().to_string(),
        "CommNotice.queue is missing"
    );

    let mut packed = MSync::notice(bob());
    packed.compress_algorimth = Some(2);
    assert_eq!(packed.read_notice().unwrap_err(), LinkError::Compressed(2));
    packed.compress_algorimth = Some(0);
    assert!(packed.read_notice().is_ok());

    let chat = Meta::chat(1, bob(), &MessageBody::default());
    assert_eq!(chat.statistics_body().unwrap_err().to_string(), "expected a STATISTIC meta, got namespace CHAT");
    let weird = Meta { ns: Some(42), payload: Some(vec![1, 2, 3]), ..Meta::default() };
    assert_eq!(weird.try_ns().unwrap_err(), LinkError::UnknownValue { field: "Meta.ns", value: 42 });
    assert_eq!(weird.body().unwrap(), MetaBody::Other { ns: 42, payload: vec![1, 2, 3] });
    let bad_op = Meta::statistic(1, &StatisticsBody { operation: Some(7), ..StatisticsBody::default() });
    assert_eq!(
        bad_op.statistic_operation().unwrap_err().to_string(),
        "StatisticsBody.operation is 7, which the descriptor does not define"
    );

    let garbage = MSync { payload: Some(vec![0x0a, 0x05, 0x01]), ..MSync::new(msync::Command::Provision) };
    let err = garbage.read_provision().unwrap_err();
    assert!(matches!(&err, LinkError::Malformed { what, .. } if what == "easemob.pb.Provision"), "{err}");
    let err = Meta { ns: Some(1), payload: Some(vec![0xff]), ..Meta::default() }.body().unwrap_err();
    assert!(err.to_string().starts_with("malformed easemob.pb.MessageBody: "), "{err}");
}

#[test]
fn garbage_is_an_error_not_a_panic() {
    for bytes in [
        &[0xff][..],
        &[0x4a, 0x05, 0x01],
        &[0x4a, 0xff, 0xff, 0xff, 0xff, 0x0f],
        &[0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01],
        &[0x0f],
        &[0x07],
        &[0x00],
        &[0x12, 0x02, 0xff, 0xff],
        b"GET /websocket HTTP/1.1\r\n",
    ] {
        let err = decode(bytes).unwrap_err();
        assert!(err.to_string().starts_with("malformed easemob.pb.MSync: "), "{bytes:02x?}: {err}");
    }

    // Every prefix of every sample frame, and pseudo-random bytes: any
    // outcome but a panic will do; whatever decodes must read without one.
    let mut inputs: Vec<Vec<u8>> = Vec::new();
    for frame in sample_frames() {
        let bytes = encode(&frame);
        inputs.extend((0..bytes.len()).map(|n| bytes[..n].to_vec()));
        for i in 0..bytes.len() {
            let mut flipped = bytes.clone();
            flipped[i] ^= 0x5a;
            inputs.push(flipped);
        }
    }
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    for _ in 0..5000 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let len = (seed % 64) as usize;
        inputs.push((0..len).map(|i| (seed >> (i % 8 * 8)) as u8 ^ i as u8).collect());
    }
    for bytes in inputs {
        let Ok(frame) = decode(&bytes) else { continue };
        let _ = (frame.try_command(), frame.token(), encode(&frame), format!("{frame:?}"));
        let _ = (frame.read_provision().map(|p| (p.token(), p.token_expiry())), frame.provision_status());
        let _ = (frame.read_notice(), frame.read_unread_down(), frame.read_logout(), frame.read_sync_up());
        if let Ok(dl) = frame.read_sync_down() {
            for meta in dl.metas {
                let _ = (meta.body(), meta.statistic_operation(), meta.message_body().map(|m| m.text().map(str::len)));
            }
        }
    }
}

#[test]
fn unknown_fields_are_skipped() {
    let frame = MSync::notice(bob());
    let mut bytes = encode(&frame);
    // field 99 varint, field 100 length-delimited, field 101 fixed64, field 102 fixed32
    bytes.extend([0x98, 0x06, 0x2a]);
    bytes.extend([0xa2, 0x06, 0x03, b'a', b'b', b'c']);
    bytes.extend([0xa9, 0x06, 1, 2, 3, 4, 5, 6, 7, 8]);
    bytes.extend([0xb5, 0x06, 1, 2, 3, 4]);
    let back = decode(&bytes).unwrap();
    assert_eq!(back, frame);
    assert_eq!(encode(&back), encode(&frame), "unknown fields are dropped on re-encode");

    // Inside the payload too.
    let mut notice = CommNotice { queue: Some(bob()) }.encode_to_vec();
    notice.extend([0x10, 0x01]);
    let frame = MSync { payload: Some(notice), ..MSync::new(msync::Command::Notice) };
    assert_eq!(decode(&encode(&frame)).unwrap().read_notice().unwrap(), bob());
}

#[test]
fn unknown_enum_values_survive_a_round_trip() {
    let frame = MSync { command: Some(77), encrypt_type: vec![0, 9], ..MSync::default() };
    let back = decode(&encode(&frame)).unwrap();
    assert_eq!(back.command, Some(77));
    assert_eq!(back.encrypt_type, [0, 9]);
    let status = Status { error_code: Some(99), ..Status::default() };
    assert!(!status.is_ok());
    assert_eq!(status.error_code(), status::ErrorCode::Ok, "prost's getter maps unknown values to OK");
    assert!(status.try_error_code().is_err());
}

#[test]
fn explicit_zeros_are_kept() {
    // The SDK writes version 0 and deviceId 0; absent and zero stay distinct.
    let frame = MSync { version: Some(0), device_id: Some(0), ..MSync::new(msync::Command::Sync) };
    let bytes = encode(&frame);
    assert_eq!(bytes, [0x08, 0x00, 0x40, 0x00, 0x50, 0x00]);
    assert_eq!(decode(&bytes).unwrap(), frame);
    assert_eq!(encode(&MSync::default()), Vec::<u8>::new());
    assert_eq!(decode(&[]).unwrap().try_command().unwrap(), msync::Command::Sync);
}

#[test]
fn debug_redacts_secrets() {
    let frame = MSync::provision_request(alice(), "very-secret-token", &Provision::login("r", "very-secret-token"));
    let shown = format!("{frame:?}");
    assert!(!shown.contains("very-secret"), "{shown}");
    assert!(shown.contains("PROVISION"), "{shown}");
    let mut p = frame.read_provision().unwrap();
    p.password = Some("hunter2".into());
    let shown = format!("{p:?}");
    assert!(!shown.contains("very-secret") && !shown.contains("hunter2"), "{shown}");
    assert!(shown.contains("webim"), "{shown}");
}

#[test]
fn enum_names_are_the_descriptors() {
    assert_eq!(status::ErrorCode::from_str_name("TOO_MANY_DEVICES"), Some(status::ErrorCode::TooManyDevices));
    assert_eq!(status::ErrorCode::ImForbidden.as_str_name(), "IM_FORBIDDEN");
    assert_eq!(status::ErrorCode::ResourceChanged as i32, 20);
    assert_eq!(msync::Command::from_str_name("PROVISION"), Some(msync::Command::Provision));
    assert_eq!(meta::NameSpace::Statistic as i32, 0);
    assert_eq!(statistics_body::Operation::UserKickedByChangePassword as i32, 3);
    assert_eq!(provision::CompressType::CompressLz4.as_str_name(), "COMPRESS_LZ4");
    assert_eq!(message_body::content::Type::from_str_name("TEXT"), Some(message_body::content::Type::Text));
    assert_eq!(key_value::ValueType::from_str_name("NOPE"), None);
    for op in 0..5 {
        let op = statistics_body::Operation::try_from(op).unwrap();
        assert_eq!(statistics_body::Operation::from_str_name(op.as_str_name()), Some(op));
    }
}
