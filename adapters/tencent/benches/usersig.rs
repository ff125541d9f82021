//! UserSig benchmarks: `cargo bench -p unim-tencent --bench usersig`.
//!
//! - `usersig/gen`: one UserSig for a typical user id, 24 h validity.
//! - `usersig/verify`: full verification of that UserSig.
//! - `usersig/decode`: decoding alone (base64, inflate, JSON).
//! - `usersig/flate2_level1_document`: reference only, what compressing the
//!   same JSON document with `flate2` (level 1) would cost on its own; the
//!   reason `gen` writes stored zlib blocks, as the official Go library does.

use std::hint::black_box;
use std::io::Write;

use criterion::{criterion_group, criterion_main, Criterion};
use unim_tencent::usersig::{decode, UserSigKey};

const APP: u64 = 1_400_000_000;
const KEY: &str = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";
const USER: &str = "user_1234567890";
const EXPIRE: u64 = 86_400;
const NOW: u64 = 1_700_000_000;

fn usersig(c: &mut Criterion) {
    let key = UserSigKey::new(APP, KEY);
    let sig = key.gen(USER, EXPIRE, NOW);
    assert!(key.verify(USER, &sig, NOW).is_ok());

    let mut group = c.benchmark_group("usersig");
    group.bench_function("gen", |b| b.iter(|| key.gen(black_box(USER), black_box(EXPIRE), black_box(NOW))));
    group.bench_function("verify", |b| b.iter(|| key.verify(black_box(USER), black_box(&sig), black_box(NOW))));
    group.bench_function("decode", |b| b.iter(|| decode(black_box(&sig))));

    let document = format!(
        r#"{{"TLS.ver":"2.0","TLS.identifier":"{USER}","TLS.sdkappid":{APP},"TLS.time":{NOW},"TLS.expire":{EXPIRE},"TLS.sig":"6GmjjJlI0ZfvdjC0qJyFjHknLqIVerI6rpJOgWxfg1k="}}"#
    );
    group.bench_function("flate2_level1_document", |b| {
        b.iter(|| {
            let mut enc = flate2::write::ZlibEncoder::new(Vec::with_capacity(256), flate2::Compression::new(1));
            enc.write_all(black_box(document.as_bytes())).expect("in-memory write");
            enc.finish().expect("in-memory write")
        })
    });
    group.finish();
}

criterion_group!(benches, usersig);
criterion_main!(benches);
