//! The codec decodes with base64-simd for speed; Ruby's strictness (`pack("m0")`: canonical
//! padding, zero trailing bits, nothing outside the alphabet) is what the `base64` crate's
//! strict engines implement and what codec's unit tests pin. This checks the two crates agree,
//! on random and mutated input, accept/reject and bytes, in both alphabets and both directions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use railsess_core::codec;

mod common;
use common::XorShift as Rng;

const CHARS: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ \n\r\t!.\x00\xff";

/// Valid encodings of random data (lengths around the SIMD block sizes), some mutated once,
/// and random strings over the alphabet plus the characters that must be refused.
fn inputs(rng: &mut Rng, encode: impl Fn(&[u8]) -> String) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for i in 0..60_000 {
        let len = if i % 10 == 0 {
            rng.below(700)
        } else {
            rng.below(70)
        };
        if i % 3 == 0 {
            out.push((0..len).map(|_| CHARS[rng.below(CHARS.len())]).collect());
        } else {
            let mut encoded = encode(&rng.bytes(len)).into_bytes();
            if i % 3 == 1 && !encoded.is_empty() {
                let at = rng.below(encoded.len());
                encoded[at] = CHARS[rng.below(CHARS.len())];
            }
            out.push(encoded);
        }
    }
    out
}

#[test]
fn strict_decode_accepts_exactly_what_the_base64_crate_accepts() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut accepted = 0;
    for input in inputs(&mut rng, |d| STANDARD.encode(d)) {
        let want = STANDARD.decode(&input).ok();
        accepted += usize::from(want.is_some());
        assert_eq!(codec::strict_decode(&input).ok(), want, "input {input:?}");
    }
    assert!(
        accepted > 20_000,
        "too few valid inputs exercised: {accepted}"
    );
}

#[test]
fn url_safe_decode_matches_ruby_rules_built_on_the_base64_crate() {
    let mut rng = Rng(0x0123_4567_89ab_cdef);
    for input in inputs(&mut rng, |d| URL_SAFE_NO_PAD.encode(d)) {
        // Ruby's urlsafe_decode64: pad when not ending in "=" and not a multiple of 4,
        // tr("-_", "+/"), strict decode.
        let mut std_form: Vec<u8> = input
            .iter()
            .map(|&b| match b {
                b'-' => b'+',
                b'_' => b'/',
                b => b,
            })
            .collect();
        if !input.ends_with(b"=") && input.len() % 4 != 0 {
            std_form.resize((input.len() + 3) & !3, b'=');
        }
        let want = STANDARD.decode(&std_form).ok();
        assert_eq!(codec::urlsafe_decode(&input).ok(), want, "input {input:?}");
    }
}

#[test]
fn encode_matches_the_base64_crate() {
    let mut rng = Rng(42);
    for i in 0..5_000 {
        let len = if i % 10 == 0 {
            rng.below(4000)
        } else {
            rng.below(80)
        };
        let data = rng.bytes(len);
        assert_eq!(codec::encode(&data, false), STANDARD.encode(&data));
        assert_eq!(codec::encode(&data, true), URL_SAFE_NO_PAD.encode(&data));
        let mut appended = String::from("x--");
        codec::encode_into(&data, false, &mut appended);
        assert_eq!(appended, format!("x--{}", STANDARD.encode(&data)));
    }
}
