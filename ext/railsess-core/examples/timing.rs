//! Rough per-operation timings of the core (no Ruby): `cargo run --release --example timing`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Instant;

use railsess_core::{wrap_legacy, Compat, LegacyEnvelope, MessageEncryptor};

fn time(label: &str, n: u32, mut f: impl FnMut()) {
    for _ in 0..n / 10 {
        f();
    }
    let start = Instant::now();
    for _ in 0..n {
        f();
    }
    println!(
        "{label}: {:.3} us",
        start.elapsed().as_secs_f64() * 1e6 / f64::from(n)
    );
}

fn main() {
    let key = [7u8; 32];
    let json = br#"{"session_id":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","_csrf_token":"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb","warden.user.user.key":[[1],"$2a$12$abcdefghijklmnopqrstuv"],"flash":{"discard":[],"flashes":{"notice":"Signed in successfully."}},"user_return_to":"/dashboard/settings/profile?tab=security"}"#;
    let enc = MessageEncryptor::gcm(&key, false, Compat::Rails72).unwrap();
    let wrapped = wrap_legacy(json, None, Some("cookie._app_session"));
    let message = enc.encrypt_and_sign(&wrapped).unwrap();
    let n = 200_000;
    time("wrap_legacy", n, || {
        black_box(wrap_legacy(
            black_box(json),
            None,
            Some("cookie._app_session"),
        ));
    });
    time("encrypt_and_sign", n, || {
        black_box(enc.encrypt_and_sign(black_box(&wrapped)).unwrap());
    });
    time("decrypt_and_verify", n, || {
        black_box(
            enc.decrypt_and_verify(black_box(message.as_bytes()))
                .unwrap(),
        );
    });
    time("LegacyEnvelope::parse", n, || {
        black_box(LegacyEnvelope::parse(black_box(&wrapped)));
    });
    let mut iv = [0u8; 12];
    time("getrandom 12 bytes", n, || {
        getrandom::getrandom(black_box(&mut iv)).unwrap();
    });
}
