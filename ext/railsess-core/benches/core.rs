//! The core's own cost for what one Ruby call does, with no Ruby: the floor that
//! bench/native_floor.rb compares the through-Ruby cost with.
//!
//! Each benchmark is the whole operation on a cookie of bench/fixtures' sessions (the ones every
//! Ruby benchmark uses): decrypt_and_verify = split + base64 + AES-256-GCM + `_rails` envelope +
//! JSON parsed into a tree (serde_json::Value, where Ruby builds its Hash); encrypt_and_sign =
//! JSON written from that tree + envelope + random IV + AES-256-GCM + base64; the verifier's
//! verify/generate likewise with HMAC-SHA1/SHA256.
//!
//!   cargo bench -p railsess-core --bench core
//!
//! Results land in target/criterion/<group>/<name>/new/estimates.json (nanoseconds).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use railsess_core::{
    wrap_legacy, Compat, Digest, LegacyEnvelope, MessageEncryptor, MessageVerifier,
};

const PURPOSE: &str = "cookie._app_session";
const SESSIONS: [(&str, &[u8]); 2] = [
    (
        "299 B",
        include_bytes!("../../../bench/fixtures/devise_session.json"),
    ),
    (
        "2936 B",
        include_bytes!("../../../bench/fixtures/large_session.json"),
    ),
];

/// The envelope's message as a tree, or panics (benchmarks only run on good input).
fn read(plain: &[u8]) -> serde_json::Value {
    let envelope = LegacyEnvelope::parse(plain).expect("envelope");
    assert_eq!(envelope.pur.as_deref(), Some(PURPOSE));
    serde_json::from_slice(&envelope.message.expect("base64")).expect("json")
}

fn write(value: &serde_json::Value) -> Vec<u8> {
    wrap_legacy(
        &serde_json::to_vec(value).expect("json"),
        None,
        Some(PURPOSE),
    )
}

fn encryptor(c: &mut Criterion) {
    let enc = MessageEncryptor::gcm(&[7u8; 32], false, Compat::Rails61).unwrap();
    let mut group = c.benchmark_group("encryptor");
    for (size, json) in SESSIONS {
        let value: serde_json::Value = serde_json::from_slice(json).unwrap();
        let message = enc.encrypt_and_sign(&write(&value)).unwrap();
        assert_eq!(
            read(&enc.decrypt_and_verify(message.as_bytes()).unwrap()),
            value
        );
        group.bench_function(format!("decrypt_and_verify gcm {size} JSON"), |b| {
            b.iter(|| {
                read(
                    &enc.decrypt_and_verify(black_box(message.as_bytes()))
                        .unwrap(),
                )
            })
        });
        group.bench_function(format!("encrypt_and_sign gcm {size} JSON"), |b| {
            b.iter(|| enc.encrypt_and_sign(&write(black_box(&value))).unwrap())
        });
    }
    group.finish();
}

fn verifier(c: &mut Criterion) {
    let (_, json) = SESSIONS[0];
    let value: serde_json::Value = serde_json::from_slice(json).unwrap();
    let mut group = c.benchmark_group("verifier");
    for (name, digest) in [("SHA1", Digest::Sha1), ("SHA256", Digest::Sha256)] {
        let verifier = MessageVerifier::new(&[9u8; 64], digest, false, Compat::Rails61).unwrap();
        let message = verifier.generate(&write(&value));
        assert_eq!(read(&verifier.verified(message.as_bytes()).unwrap()), value);
        group.bench_function(format!("verify {name} 299 B JSON"), |b| {
            b.iter(|| read(&verifier.verified(black_box(message.as_bytes())).unwrap()))
        });
        group.bench_function(format!("generate {name} 299 B JSON"), |b| {
            b.iter(|| verifier.generate(&write(black_box(&value))))
        });
    }
    group.finish();
}

criterion_group!(benches, encryptor, verifier);
criterion_main!(benches);
