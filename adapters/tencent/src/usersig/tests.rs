//! Unit tests of the UserSig module, built around the registry-produced
//! vectors of the vendor notes (tencent.md §1.4).

use super::*;
use flate2::write::ZlibEncoder;
use flate2::Compression;
use rand::{Rng, SeedableRng};
use std::io::{Read, Write};

const APP: u64 = 1_400_000_000;
const KEY: &str = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";
const OTHER_KEY: &str = "0000000000000000000000000000000000000000000000000000000000000000";
const T0: u64 = 1_700_000_000;
const EXPIRE: u64 = 86_400;

const HMAC_HEX: &str = "e869a38c9948d197ef7630b4a89c858c79272ea2157ab23aae924e816c5f8359";
const TLS_SIG: &str = "6GmjjJlI0ZfvdjC0qJyFjHknLqIVerI6rpJOgWxfg1k=";
const TLS_SIG_USERBUF: &str = "qdRjhuPJHvIaC5PbM2v8ZXrLRR6FaRWhETxgL9NraPM=";

/// (a) PyPI tls-sig-api-v2 1.1.
const PYTHON: &str = "eJyrVgrxCdYrSy1SslJQMtIzUNJRAItkpqTmlWSmZUIkEnMyk1NhUsUp2YkFBZkpQAlDEwMogMqlVhRkFqUCZSzMTOCCJZm5ICFDczTFxZnpIMPN3HOzsrxyPA2i0spSspwNCr0q3bI8svN8Cj3DUos8zYoKvPzTwyvS0g2zbZVqAQj3Msk_";
const PYTHON_JSON: &str = r#"{"TLS.ver": "2.0", "TLS.identifier": "alice", "TLS.sdkappid": 1400000000, "TLS.expire": 86400, "TLS.time": 1700000000, "TLS.sig": "6GmjjJlI0ZfvdjC0qJyFjHknLqIVerI6rpJOgWxfg1k="}"#;
/// (b) npm tls-sig-api-v2 1.0.2.
const NODE: &str = "eJyrVgrxCdYrSy1SslIy0jNQ0gHzM1NS80oy0zLBwok5mcmpUInilOzEgoLMFCUrQxMDKIDIlGTmpipZGZqjiqZWFGQWpSpZWZiZwISKM9OVrJTM3HOzsrxyPA2i0spSspwNCr0q3bI8svN8Cj3DUos8zYoKvPzTwyvS0g2zbZVqAZcSMWk_";
const NODE_JSON: &str = r#"{"TLS.ver":"2.0","TLS.identifier":"alice","TLS.sdkappid":1400000000,"TLS.time":1700000000,"TLS.expire":86400,"TLS.sig":"6GmjjJlI0ZfvdjC0qJyFjHknLqIVerI6rpJOgWxfg1k="}"#;
/// (c) userbuf `abc`, Python and Node.
const PYTHON_USERBUF: &str = "eJyrVgrxCdYrSy1SslJQMtIzUNJRAItkpqTmlWSmZUIkEnMyk1NhUsUp2YkFBZkpQAlDEwMogMqlVhRkFqUCZSzMTOCCJZm5ICFDczTFpcWpRUmlaSALIsO9suDmZ6aDhApTgrIySgO8PMo8E51NA5J8jcosoiKKfIKCzNwSg8IzXEMq0n0s-YoSA3xtlWoBsRE4xw__";
const NODE_USERBUF: &str = "eJxVjEsLgkAURv-LXYeomNlAqyhKxhgmwWo3Nle99sDGB0L03wPTRd-unAPfG2J*tDo0wMC1bJgNTBqfDWU0aHWnK46h1jdVVaSBOZ497lcaeiAwZ-Fvsa-IILDA9ybV1mjSNgMG5yQsp1-KgcFLy7JoRbjr9mo9F2nkdsHlZLiU-lbJpNjEfc6XB6NEtILPF8SLNyc_";
/// (d) Go-style: level 0, Go key order, trailing newline.
const GO_STYLE: &str = "eAEBpwBY-3siVExTLnZlciI6IjIuMCIsIlRMUy5pZGVudGlmaWVyIjoiYWxpY2UiLCJUTFMuc2RrYXBwaWQiOjE0MDAwMDAwMDAsIlRMUy5leHBpcmUiOjg2NDAwLCJUTFMudGltZSI6MTcwMDAwMDAwMCwiVExTLnNpZyI6IjZHbWpqSmxJMFpmdmRqQzBxSnlGakhrbkxxSVZlckk2cnBKT2dXeGZnMWs9In0K1-sxcw__";

fn key() -> UserSigKey {
    UserSigKey::new(APP, KEY)
}

/// The raw JSON inside a UserSig (test helper, reverse of the format).
fn inflate_sig(sig: &str) -> Vec<u8> {
    let b64: String = sig
        .chars()
        .map(|c| match c {
            '*' => '+',
            '-' => '/',
            '_' => '=',
            c => c,
        })
        .collect();
    let z = STANDARD.decode(b64).expect("base64");
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(&z[..]).read_to_end(&mut out).expect("zlib");
    out
}

/// Wraps an arbitrary document the way the official libraries do, at any
/// zlib level.
fn wrap(json: &[u8], level: u32) -> String {
    let mut enc = ZlibEncoder::new(Vec::new(), Compression::new(level));
    enc.write_all(json).expect("compress");
    swap(&STANDARD.encode(enc.finish().expect("compress")))
}

fn swap(b64: &str) -> String {
    b64.replace('+', "*").replace('/', "-").replace('=', "_")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn stage(err: &UserSigError) -> &'static str {
    match err {
        UserSigError::Malformed { stage, .. } => stage,
        other => panic!("expected Malformed, got {other:?}"),
    }
}

/// The checks every registry vector must pass (vendor notes §1.4).
fn check_vector(sig: &str, userbuf: Option<&[u8]>) {
    let k = key();
    let verify = |k: &UserSigKey, user: &str, now: u64| match userbuf {
        None => k.verify(user, sig, now),
        Some(buf) => k.verify_with_userbuf(user, sig, now, buf),
    };

    let d = decode(sig).expect("decodes");
    assert_eq!(d.version, "2.0");
    assert_eq!(d.identifier, "alice");
    assert_eq!(d.sdkappid, APP);
    assert_eq!(d.time, T0);
    assert_eq!(d.expire, EXPIRE);
    assert_eq!(d.expires_at(), T0 + EXPIRE);
    assert_eq!(d.userbuf.as_deref(), userbuf);
    let expected_sig = if userbuf.is_some() { TLS_SIG_USERBUF } else { TLS_SIG };
    assert_eq!(STANDARD.encode(&d.sig), expected_sig);

    assert_eq!(verify(&k, "alice", T0), Ok(d.clone()));
    assert_eq!(verify(&k, "alice", T0 + EXPIRE), Ok(d.clone()));
    assert_eq!(
        verify(&k, "alice", T0 + EXPIRE + 1),
        Err(UserSigError::Expired { expired_at: T0 + EXPIRE, now: T0 + EXPIRE + 1 })
    );
    assert_eq!(verify(&UserSigKey::new(APP, OTHER_KEY), "alice", T0), Err(UserSigError::WrongKey));
    assert_eq!(
        verify(&k, "bob", T0),
        Err(UserSigError::UserMismatch { expected: "bob".into(), found: "alice".into() })
    );
    assert_eq!(
        verify(&UserSigKey::new(APP + 1, KEY), "alice", T0),
        Err(UserSigError::AppMismatch { expected: APP + 1, found: APP })
    );
    // The wrong variant of verify is a userbuf mismatch, never ok.
    let wrong_variant = match userbuf {
        None => k.verify_with_userbuf("alice", sig, T0, b"abc"),
        Some(_) => k.verify("alice", sig, T0),
    };
    assert_eq!(wrong_variant, Err(UserSigError::UserBufMismatch));
}

#[test]
fn hmac_and_tls_sig_of_the_vectors() {
    let tag = key().signing_mac("alice", APP, T0, EXPIRE, None).finalize().into_bytes();
    assert_eq!(hex(&tag), HMAC_HEX);
    assert_eq!(STANDARD.encode(tag), TLS_SIG);
    let tag = key().signing_mac("alice", APP, T0, EXPIRE, Some(b"YWJj")).finalize().into_bytes();
    assert_eq!(STANDARD.encode(tag), TLS_SIG_USERBUF);
}

#[test]
fn vector_a_python() {
    assert_eq!(inflate_sig(PYTHON), PYTHON_JSON.as_bytes());
    check_vector(PYTHON, None);
}

#[test]
fn vector_b_node() {
    assert_eq!(inflate_sig(NODE), NODE_JSON.as_bytes());
    check_vector(NODE, None);
}

#[test]
fn vector_c_userbuf_python_and_node() {
    check_vector(PYTHON_USERBUF, Some(b"abc"));
    check_vector(NODE_USERBUF, Some(b"abc"));
    assert_eq!(key().verify_with_userbuf("alice", NODE_USERBUF, T0, b"abd"), Err(UserSigError::UserBufMismatch));
}

#[test]
fn vector_d_go_style_level0_trailing_newline() {
    let json = inflate_sig(GO_STYLE);
    assert!(json.ends_with(b"}\n"));
    assert_eq!(&GO_STYLE[..4], "eAEB", "zlib level-0 header 78 01");
    check_vector(GO_STYLE, None);
}

#[test]
fn gen_matches_node_byte_for_byte_in_json() {
    // Our JSON is the Node package's JSON; only the zlib bytes differ.
    let k = key();
    assert_eq!(inflate_sig(&k.gen("alice", EXPIRE, T0)), NODE_JSON.as_bytes());
    assert_eq!(inflate_sig(&k.gen_with_userbuf("alice", EXPIRE, T0, b"abc")), inflate_sig(NODE_USERBUF));
    // Deterministic, and stored (level 0) like the Go library's.
    let sig = k.gen("alice", EXPIRE, T0);
    assert_eq!(sig, k.gen("alice", EXPIRE, T0));
    let z = STANDARD.decode(sig.replace('*', "+").replace('-', "/").replace('_', "=")).unwrap();
    assert_eq!(z[..3], [0x78, 0x01, 0x01], "zlib header, then one final stored block");
}

#[test]
fn gen_verify_round_trip() {
    let k = key();
    for (user, expire, now) in [
        ("alice", EXPIRE, T0),
        ("", 0, 0),
        ("user_1234567890", DEFAULT_EXPIRE_SECS, T0),
        ("x", u64::MAX, u64::MAX),
        ("y", u64::MAX, 5),
    ] {
        let sig = k.gen(user, expire, now);
        let d = k.verify(user, &sig, now).expect("verifies");
        assert_eq!((d.identifier.as_str(), d.time, d.expire), (user, now, expire));
        assert_eq!(d.userbuf, None);
        assert_eq!(d.expires_at(), now.saturating_add(expire));
        if let Some(late) = now.saturating_add(expire).checked_add(1) {
            assert_eq!(k.verify(user, &sig, late), Err(UserSigError::Expired { expired_at: now + expire, now: late }));
        }
        let buf: Vec<u8> = (0..=255).collect();
        let sig = k.gen_with_userbuf(user, expire, now, &buf);
        let d = k.verify_with_userbuf(user, &sig, now, &buf).expect("verifies");
        assert_eq!(d.userbuf.as_deref(), Some(&buf[..]));
        // An empty userbuf is still a userbuf.
        let sig = k.gen_with_userbuf(user, expire, now, b"");
        assert!(k.verify_with_userbuf(user, &sig, now, b"").is_ok());
        assert_eq!(k.verify(user, &sig, now), Err(UserSigError::UserBufMismatch));
    }
}

#[test]
fn check_order() {
    let k = key();
    let other_key = UserSigKey::new(APP, OTHER_KEY);
    let other_app = UserSigKey::new(APP + 7, OTHER_KEY);
    let late = T0 + EXPIRE + 1;
    // Wrong key beats expired.
    let forged = other_key.gen("alice", EXPIRE, T0);
    assert_eq!(k.verify("alice", &forged, late), Err(UserSigError::WrongKey));
    // Wrong key beats userbuf mismatch.
    let forged = other_key.gen_with_userbuf("alice", EXPIRE, T0, b"x");
    assert_eq!(k.verify("alice", &forged, T0), Err(UserSigError::WrongKey));
    // User mismatch beats wrong key and expiry.
    let forged = other_key.gen("mallory", EXPIRE, T0);
    assert!(matches!(k.verify("alice", &forged, late), Err(UserSigError::UserMismatch { .. })));
    // App mismatch beats everything after decoding.
    let foreign = other_app.gen("mallory", EXPIRE, T0);
    assert!(matches!(k.verify("alice", &foreign, late), Err(UserSigError::AppMismatch { .. })));
    // Userbuf mismatch beats expiry.
    let sig = k.gen_with_userbuf("alice", EXPIRE, T0, b"x");
    assert_eq!(k.verify("alice", &sig, late), Err(UserSigError::UserBufMismatch));
}

#[test]
fn tampered_fields_say_wrong_key() {
    let k = key();
    // Re-wrap the Node document with a longer expiry but the old HMAC.
    let json = NODE_JSON.replace("86400", "864000");
    let sig = wrap(json.as_bytes(), 6);
    assert_eq!(k.verify("alice", &sig, T0), Err(UserSigError::WrongKey));
    // Adding a userbuf the HMAC does not cover.
    let json = NODE_JSON.replace(r#","TLS.sig""#, r#","TLS.userbuf":"YWJj","TLS.sig""#);
    let sig = wrap(json.as_bytes(), 6);
    assert_eq!(k.verify_with_userbuf("alice", &sig, T0, b"abc"), Err(UserSigError::WrongKey));
}

#[test]
fn decode_accepts_every_zlib_level_and_layout() {
    for level in 0..=9 {
        for json in [PYTHON_JSON, NODE_JSON] {
            let sig = wrap(json.as_bytes(), level);
            assert!(key().verify("alice", &sig, T0).is_ok(), "level {level}");
        }
    }
    // Pretty-printed, reordered, trailing whitespace, ASCII-escaped strings.
    let json = "{\n  \"TLS.sig\" : \"6GmjjJlI0ZfvdjC0qJyFjHknLqIVerI6rpJOgWxfg1k=\",\n  \"TLS.expire\": 86400,\r\n\t\"TLS.time\": 1700000000, \"TLS.sdkappid\": 1400000000,\n  \"TLS.identifier\": \"\\u0061lice\", \"TLS.ver\": \"2.0\"\n}\n\n  ";
    assert!(key().verify("alice", &wrap(json.as_bytes(), 1), T0).is_ok());
    // Numbers as decimal strings (PHP with string arguments).
    let json = NODE_JSON.replace("1400000000", "\"1400000000\"").replace("86400", "\"86400\"");
    assert!(key().verify("alice", &wrap(json.as_bytes(), 6), T0).is_ok());
}

#[test]
fn decode_is_lenient_on_transport() {
    let k = key();
    // Whitespace anywhere (line-wrapped, pasted with a newline).
    let mut spaced = String::new();
    for (i, c) in NODE.chars().enumerate() {
        if i % 10 == 0 {
            spaced.push_str(" \n\t\r\x0B\x0C");
        }
        spaced.push(c);
    }
    spaced.push('\n');
    assert!(k.verify("alice", &spaced, T0).is_ok());
    // Padding dropped.
    assert!(k.verify("alice", NODE.trim_end_matches('_'), T0).is_ok());
    // Unswapped standard base64.
    let standard = NODE.replace('*', "+").replace('-', "/").replace('_', "=");
    assert!(k.verify("alice", &standard, T0).is_ok());
}

#[test]
fn empty_and_garbage() {
    assert_eq!(decode(""), Err(UserSigError::Empty));
    assert_eq!(decode(" \r\n\t"), Err(UserSigError::Empty));
    assert_eq!(key().verify("alice", "", T0), Err(UserSigError::Empty));

    assert_eq!(stage(&decode("!!!!").unwrap_err()), "base64");
    assert_eq!(stage(&decode("a").unwrap_err()), "base64");
    assert_eq!(stage(&decode("é").unwrap_err()), "base64");
    assert_eq!(stage(&decode("YW=Jj").unwrap_err()), "base64");
    assert_eq!(stage(&decode(&"A".repeat(MAX_SIG_LEN + 4)).unwrap_err()), "base64");
    // Valid base64, not zlib.
    assert_eq!(stage(&decode("aGVsbG8gd29ybGQ_").unwrap_err()), "zlib");
    // Raw deflate and gzip are not zlib.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), Compression::default());
    gz.write_all(NODE_JSON.as_bytes()).unwrap();
    let gz = swap(&STANDARD.encode(gz.finish().unwrap()));
    assert_eq!(stage(&decode(&gz).unwrap_err()), "zlib");
    // zlib, not JSON.
    assert_eq!(stage(&decode(&wrap(b"hello", 6)).unwrap_err()), "json");
    assert_eq!(stage(&decode(&wrap(b"", 6)).unwrap_err()), "json");
    assert_eq!(stage(&decode(&wrap(b"[1,2]", 6)).unwrap_err()), "json");
    assert_eq!(stage(&decode(&wrap(b"{} x", 6)).unwrap_err()), "json");
    // JSON, wrong fields.
    for json in [
        "{}".to_owned(),
        NODE_JSON.replace(r#""TLS.ver":"2.0","#, ""),
        NODE_JSON.replace(r#""alice""#, "7"),
        NODE_JSON.replace("1400000000", "-1400000000"),
        NODE_JSON.replace("1400000000", "1400000000.5"),
        NODE_JSON.replace("1400000000", "1e9"),
        NODE_JSON.replace("1400000000", "18446744073709551616"),
        NODE_JSON.replace("1400000000", "\"14x\""),
        NODE_JSON.replace("1400000000", "\"\""),
        NODE_JSON.replace("1400000000", "null"),
        NODE_JSON.replace(TLS_SIG, "not base64!"),
        NODE_JSON.replace(TLS_SIG, "YWJj"),
        NODE_JSON.replace(&format!("\"{TLS_SIG}\""), "[]"),
        NODE_JSON.replace(r#","TLS.sig""#, r#","TLS.userbuf":"%%","TLS.sig""#),
        NODE_JSON.replace(r#","TLS.sig""#, r#","TLS.userbuf":5,"TLS.sig""#),
    ] {
        let err = decode(&wrap(json.as_bytes(), 6)).unwrap_err();
        assert_eq!(stage(&err), "field", "{json}: {err}");
        assert_eq!(err.vendor_code(), 70005);
    }
    // A null userbuf is an absent one (Go's omitempty []byte).
    let json = NODE_JSON.replace(r#","TLS.sig""#, r#","TLS.userbuf":null,"TLS.sig""#);
    assert!(key().verify("alice", &wrap(json.as_bytes(), 6), T0).is_ok());
}

#[test]
fn zlib_stream_must_be_complete_and_bounded() {
    let z = STANDARD.decode(NODE.replace('*', "+").replace('-', "/").replace('_', "=")).unwrap();
    let enc = |bytes: &[u8]| swap(&STANDARD.encode(bytes));
    // Truncated, corrupt checksum, trailing data.
    assert_eq!(stage(&decode(&enc(&z[..z.len() - 1])).unwrap_err()), "zlib");
    assert_eq!(stage(&decode(&enc(&z[..z.len() / 2])).unwrap_err()), "zlib");
    assert_eq!(stage(&decode(&enc(&z[..2])).unwrap_err()), "zlib");
    let mut bad = z.clone();
    *bad.last_mut().unwrap() ^= 1;
    assert_eq!(stage(&decode(&enc(&bad)).unwrap_err()), "zlib");
    let mut trailing = z.clone();
    trailing.push(0);
    assert_eq!(stage(&decode(&enc(&trailing)).unwrap_err()), "zlib");

    // Zip bomb: 4 MiB of spaces compress to ~4 KiB.
    let mut bomb = ZlibEncoder::new(Vec::new(), Compression::best());
    bomb.write_all(NODE_JSON.as_bytes()).unwrap();
    bomb.write_all(&vec![b' '; 4 << 20]).unwrap();
    let bomb = enc(&bomb.finish().unwrap());
    assert!(bomb.len() < MAX_SIG_LEN);
    let err = decode(&bomb).unwrap_err();
    assert_eq!(stage(&err), "zlib");
    assert_eq!(err.vendor_code(), 70003);

    // Exactly at the cap is fine, one byte over is not.
    let mut doc = NODE_JSON.as_bytes().to_vec();
    doc.resize(MAX_INFLATED_LEN, b' ');
    assert_eq!(decode(&wrap(&doc, 9)).map(|d| d.time), Ok(T0));
    assert_eq!(decode(&wrap(&doc, 0)).map(|d| d.time), Ok(T0));
    doc.push(b' ');
    assert_eq!(stage(&decode(&wrap(&doc, 9)).unwrap_err()), "zlib");
}

#[test]
fn json_escaping_matches_serde_json_and_round_trips() {
    let odd = [
        "",
        "\"",
        "\\",
        "a\"b\\c",
        "\\\"",
        "line\nbreak\r\t\u{8}\u{c}",
        "\u{0}\u{1}\u{1f}\u{7f}",
        "ünïcødé 用户 🦀",
        "\u{2028}\u{2029}",
        "</script>",
        "TLS.identifier:x\nTLS.sdkappid:1",
        " leading and trailing ",
    ];
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let random = (0..500).map(|_| {
        let len = rng.gen_range(0..40);
        (0..len)
            .map(|_| match rng.gen_range(0..4) {
                0 => char::from(rng.gen_range(0u8..0x20)),
                1 => ['"', '\\', '/', '\''][rng.gen_range(0..4)],
                2 => char::from(rng.gen_range(0x20u8..0x7f)),
                _ => rng.gen::<char>(),
            })
            .collect::<String>()
    });
    let k = key();
    for user in odd.iter().map(|s| s.to_string()).chain(random) {
        let sig = k.gen(&user, EXPIRE, T0);
        let d = k.verify(&user, &sig, T0).expect("round trip");
        assert_eq!(d.identifier, user);
        // What Node would have written.
        let doc: serde_json::Value = serde_json::from_slice(&inflate_sig(&sig)).unwrap();
        assert_eq!(doc["TLS.identifier"], serde_json::Value::String(user));
    }
}

#[test]
fn garbage_never_panics() {
    let k = key();
    let mut rng = rand::rngs::StdRng::seed_from_u64(0xbad);
    let valid = [NODE, PYTHON, GO_STYLE, NODE_USERBUF];
    let b64chars = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*-_+/= \n";
    for round in 0..5000 {
        let input: String = match round % 4 {
            // Arbitrary bytes, lossily made UTF-8.
            0 => {
                let len = rng.gen_range(0..300);
                let bytes: Vec<u8> = (0..len).map(|_| rng.gen()).collect();
                String::from_utf8_lossy(&bytes).into_owned()
            }
            // Base64-looking noise (often decodes, then fails in zlib).
            1 => {
                let len = rng.gen_range(0..300);
                (0..len).map(|_| char::from(b64chars[rng.gen_range(0..b64chars.len())])).collect()
            }
            // A valid UserSig with a few characters changed.
            2 => {
                let mut s = valid[rng.gen_range(0..valid.len())].as_bytes().to_vec();
                for _ in 0..rng.gen_range(1..4) {
                    let at = rng.gen_range(0..s.len());
                    s[at] = b64chars[rng.gen_range(0..b64chars.len() - 2)];
                }
                String::from_utf8(s).unwrap()
            }
            // Valid zlib of random JSON-ish text.
            _ => {
                let len = rng.gen_range(0..200);
                let text: String =
                    (0..len).map(|_| char::from(b"{}[]\":,0123456789.eE-+ TLSabc"[rng.gen_range(0..29)])).collect();
                wrap(format!("{{\"TLS.ver\":{text}").as_bytes(), rng.gen_range(0..10))
            }
        };
        let decoded = decode(&input);
        let verified = k.verify("alice", &input, T0);
        if let Ok(v) = &verified {
            // Only a benign change (e.g. none at all) may still verify.
            assert_eq!(v.identifier, "alice");
            assert_eq!(decoded.as_ref(), Ok(v));
        }
        if let Err(err) = verified {
            let _ = err.vendor_code();
            assert!(!err.to_string().contains(KEY));
        }
    }
}

#[test]
fn debug_and_messages_redact_secrets() {
    let k = key();
    assert_eq!(format!("{k:?}"), r#"UserSigKey { sdkappid: 1400000000, key: "<redacted>" }"#);
    let d = decode(NODE_USERBUF).unwrap();
    let dbg = format!("{d:?}");
    assert!(dbg.contains("<32 bytes redacted>"), "{dbg}");
    assert!(!dbg.contains(TLS_SIG_USERBUF) && !dbg.contains(&hex(&d.sig)), "{dbg}");
    assert!(!dbg.contains(&format!("{:?}", d.sig)), "{dbg}");

    let sig = k.gen("alice", EXPIRE, T0);
    let errors = [
        decode("").unwrap_err(),
        decode("!!").unwrap_err(),
        decode(&format!("{KEY}{sig}")).unwrap_err(),
        decode(&wrap(KEY.as_bytes(), 1)).unwrap_err(),
        decode(&wrap(format!("{{\"TLS.ver\":\"{KEY}\"}}").as_bytes(), 1)).unwrap_err(),
        decode(&wrap(NODE_JSON.replace("1400000000", &format!("\"{KEY}\"")).as_bytes(), 1)).unwrap_err(),
        UserSigKey::new(APP, OTHER_KEY).verify("alice", &sig, T0).unwrap_err(),
        k.verify("bob", &sig, T0).unwrap_err(),
        UserSigKey::new(1, KEY).verify("alice", &sig, T0).unwrap_err(),
        k.verify("alice", &sig, T0 + EXPIRE + 1).unwrap_err(),
        k.verify_with_userbuf("alice", &sig, T0, b"x").unwrap_err(),
    ];
    for err in errors {
        let text = format!("{err} {err:?}");
        for secret in [KEY, &sig, TLS_SIG, TLS_SIG.trim_end_matches('='), HMAC_HEX] {
            assert!(!text.contains(secret), "{text}");
        }
        // Nothing longer than a few characters of the key leaks.
        assert!(!text.contains(&KEY[..12]), "{text}");
    }
}

#[test]
fn vendor_codes() {
    let m = |stage| UserSigError::Malformed { stage, detail: String::new() };
    assert_eq!(UserSigError::Empty.vendor_code(), 70002);
    assert_eq!(m("base64").vendor_code(), 70003);
    assert_eq!(m("zlib").vendor_code(), 70003);
    assert_eq!(m("json").vendor_code(), 70005);
    assert_eq!(m("field").vendor_code(), 70005);
    assert_eq!(UserSigError::WrongKey.vendor_code(), 70009);
    let user = UserSigError::UserMismatch { expected: "a".into(), found: "b".into() };
    assert_eq!(user.vendor_code(), 70013);
    let app = UserSigError::AppMismatch { expected: 1, found: 2 };
    assert_eq!(app.vendor_code(), 70014);
    let expired = UserSigError::Expired { expired_at: 1, now: 2 };
    assert_eq!(expired.vendor_code(), 70001);
    assert_eq!(UserSigError::UserBufMismatch.vendor_code(), 70005);
}

#[test]
fn key_is_used_as_utf8_not_hex() {
    // Same hex digits, different case: different HMAC key.
    let upper = UserSigKey::new(APP, KEY.to_uppercase());
    assert_eq!(upper.verify("alice", NODE, T0), Err(UserSigError::WrongKey));
    // Non-ASCII keys are fine.
    let k = UserSigKey::new(APP, "秘密🔑");
    let sig = k.gen("alice", EXPIRE, T0);
    assert!(k.verify("alice", &sig, T0).is_ok());
    assert_eq!(k.sdkappid(), APP);
}

#[test]
fn stored_zlib_streams_inflate_at_every_size() {
    for len in [0usize, 1, 180, 65_535, 65_536, 140_000] {
        let data: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::ZlibDecoder::new(&zlib_stored(&data)[..]), &mut out).unwrap();
        assert_eq!(out, data, "len {len}");
    }
}

#[test]
fn tencent_padding_matches_the_swapped_standard_form() {
    for len in 0..10 {
        let input: Vec<u8> = (0..len).collect();
        let mut ours = TENCENT.encode(&input);
        ours.extend(std::iter::repeat_n('_', (3 - input.len() % 3) % 3));
        assert_eq!(ours, swap(&STANDARD.encode(&input)));
    }
}
