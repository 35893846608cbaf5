//! Hostile input never panics: mutated, truncated and random messages through every reader,
//! for every Rails compatibility level. (Deterministic PRNG: failures reproduce.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use railsess_core::{
    codec, wrap_legacy, Compat, Digest, LegacyEnvelope, MessageEncryptor, MessageVerifier,
};

mod common;
use common::XorShift;

const ALPHABET: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_\\\"{}:,\x00\xff";

fn mutate(rng: &mut XorShift, message: &[u8]) -> Vec<u8> {
    let mut m = message.to_vec();
    match rng.below(6) {
        0 if !m.is_empty() => {
            let i = rng.below(m.len());
            m[i] = ALPHABET[rng.below(ALPHABET.len())];
        }
        1 => m.truncate(rng.below(m.len() + 1)),
        2 => {
            let i = rng.below(m.len() + 1);
            m.splice(i..i, *b"--");
        }
        3 => m.extend_from_slice(b"--Zm9v"),
        4 => {
            let len = rng.below(64);
            m = (0..len)
                .map(|_| ALPHABET[rng.below(ALPHABET.len())])
                .collect();
        }
        _ => m.reverse(),
    }
    m
}

#[test]
fn readers_never_panic_on_hostile_input() {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let compats = [
        Compat::Rails61,
        Compat::Rails70,
        Compat::Rails71,
        Compat::Rails72,
    ];
    for compat in compats {
        for url_safe in [false, true] {
            let gcm = MessageEncryptor::gcm(&[1; 32], url_safe, compat).unwrap();
            let cbc = MessageEncryptor::cbc(&[2; 32], &[3; 64], Digest::Sha256, url_safe, compat)
                .unwrap();
            let verifier = MessageVerifier::new(b"secret", Digest::Sha1, url_safe, compat).unwrap();
            let plain = wrap_legacy(b"{\"a\":1}", Some("2099-01-01T00:00:00.000Z"), Some("p"));
            let messages = [
                gcm.encrypt_and_sign(&plain).unwrap(),
                cbc.encrypt_and_sign(&plain).unwrap(),
                verifier.generate(&plain),
            ];
            for _ in 0..3000 {
                for message in &messages {
                    let hostile = mutate(&mut rng, message.as_bytes());
                    let _ = gcm.decrypt_and_verify(&hostile);
                    let _ = cbc.decrypt_and_verify(&hostile);
                    let _ = verifier.verified(&hostile);
                    let _ = LegacyEnvelope::parse(&hostile);
                    let _ = codec::urlsafe_decode(&hostile);
                    let _ = codec::split_legacy(&hostile);
                }
            }
        }
    }
}

#[test]
fn a_single_flipped_byte_is_always_rejected() {
    let gcm = MessageEncryptor::gcm(&[1; 32], false, Compat::Rails72).unwrap();
    let message = gcm.encrypt_and_sign(b"payload").unwrap().into_bytes();
    for i in 0..message.len() {
        let mut tampered = message.clone();
        tampered[i] ^= 0x01;
        assert!(gcm.decrypt_and_verify(&tampered).is_err(), "byte {i}");
    }
}

/// `LegacyEnvelope::parse` scans the canonical envelope without serde; on every input it must
/// answer what the serde reading answers.
#[test]
fn envelope_scan_agrees_with_serde() {
    let pieces: &[&[u8]] = &[
        br#"{"_rails":{"message":""#,
        b"YQ==",
        b"eyJhIjoxfQ==",
        b"YR==",
        br#"","exp":"#,
        br#","pur":"#,
        b"null",
        br#""cookie._app_session""#,
        br#""2030-01-01T00:00:00.000Z""#,
        br#""a\"b""#,
        br#""\u003c""#,
        "\"\u{e9}t\u{e9}\"".as_bytes(),
        b"\"\xff\"",
        b"\"\x01\"",
        b"}}",
        b"}} ",
        b" ",
        b"\\",
        b"\"",
        b"\x7f",
        b"\xc3",
        b"1",
    ];
    let mut rng = XorShift(7);
    let mut next = || rng.next();
    let canonical = wrap_legacy(b"{\"a\":1}", Some("2030"), Some("p"));
    for round in 0..200_000 {
        let mut input: Vec<u8> = if round % 2 == 0 {
            canonical.clone()
        } else {
            br#"{"_rails":{"message":""#.to_vec()
        };
        if round % 2 == 0 {
            // mutate one byte of a canonical envelope
            let at = (next() as usize) % input.len();
            input[at] = next() as u8;
        } else {
            for _ in 0..(next() % 8) {
                input.extend_from_slice(pieces[(next() as usize) % pieces.len()]);
            }
        }
        assert_eq!(
            LegacyEnvelope::parse(&input),
            LegacyEnvelope::parse_json(&input),
            "input {:?}",
            String::from_utf8_lossy(&input)
        );
    }
    // and the shapes that matter, built in order
    for message in [&b"YQ=="[..], b"YR==", b"", b"!!"] {
        for exp in [&b"null"[..], br#""2030""#, br#""a\u0026""#, b"\"\x01\""] {
            for pur in [
                &b"null"[..],
                br#""p""#,
                "\"\u{2028}\"".as_bytes(),
                b"\"\xff\"",
            ] {
                let mut input = br#"{"_rails":{"message":""#.to_vec();
                input.extend_from_slice(message);
                input.extend_from_slice(br#"","exp":"#);
                input.extend_from_slice(exp);
                input.extend_from_slice(br#","pur":"#);
                input.extend_from_slice(pur);
                input.extend_from_slice(b"}}");
                assert_eq!(
                    LegacyEnvelope::parse(&input),
                    LegacyEnvelope::parse_json(&input)
                );
            }
        }
    }
}

/// Empty data: refused as Ruby's openssl gem before 3.2 refuses it; with `with_empty_data(true)`
/// (3.2+) encrypted, read back, and an empty CBC ciphertext fails as OpenSSL's `final` does.
#[test]
fn empty_data_follows_the_openssl_binding() {
    use railsess_core::Error;
    let gcm = MessageEncryptor::gcm(&[1; 32], false, Compat::Rails72).unwrap();
    let cbc =
        MessageEncryptor::cbc(&[2; 32], &[3; 64], Digest::Sha1, false, Compat::Rails72).unwrap();
    assert!(matches!(gcm.encrypt_and_sign(b""), Err(Error::EmptyData)));
    assert!(matches!(cbc.encrypt_and_sign(b""), Err(Error::EmptyData)));

    let gcm = gcm.with_empty_data(true);
    let cbc = cbc.with_empty_data(true);
    let message = gcm.encrypt_and_sign(b"").unwrap();
    assert!(message.starts_with("--"), "{message}");
    assert_eq!(gcm.decrypt_and_verify(message.as_bytes()).unwrap(), b"");
    let message = cbc.encrypt_and_sign(b"").unwrap();
    assert_eq!(cbc.decrypt_and_verify(message.as_bytes()).unwrap(), b"");
    // A signed "--iv" with no ciphertext: OpenSSL's final says "bad decrypt".
    let verifier = MessageVerifier::new(&[3; 64], Digest::Sha1, false, Compat::Rails72).unwrap();
    let empty = verifier.generate(format!("--{}==", "A".repeat(22)).as_bytes());
    assert!(matches!(
        cbc.decrypt_and_verify(empty.as_bytes()),
        Err(Error::InvalidFormat(_))
    ));
}
