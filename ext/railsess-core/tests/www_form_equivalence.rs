//! `www_form` copies runs of plain bytes for speed; here it is checked against the byte-at-a-time
//! definition (Ruby's `URI.encode_www_form_component` / `decode_www_form_component`, which the
//! specs compare the extension with) on random input over the characters that matter, and the
//! Cookie header split against a direct transcription of Rack 2.2's `split(/[;] */)` loop.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use railsess_core::www_form::{cookie_pairs, escape, unescape};

mod common;
use common::XorShift as Rng;

const CHARS: &[u8] = b"%+ ;=aZ09-_.*~/fF\x00\xc3\xbc\xff";

fn reference_escape(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for &b in input {
        if b.is_ascii_alphanumeric() || b"*-._".contains(&b) {
            out.push(b);
        } else if b == b' ' {
            out.push(b'+');
        } else {
            out.extend_from_slice(format!("%{b:02X}").as_bytes());
        }
    }
    out
}

fn reference_unescape(input: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = std::str::from_utf8(input.get(i + 1..i + 3)?).ok()?;
                if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return None;
                }
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    Some(out)
}

/// Rack 2.2: `header.split(/[;] */n)`, skip empty, `split('=', 2)`, first key wins.
fn reference_pairs(header: &[u8]) -> Vec<(Vec<u8>, Option<Vec<u8>>)> {
    let mut pieces = vec![Vec::new()];
    let mut i = 0;
    while i < header.len() {
        if header[i] == b';' {
            pieces.push(Vec::new());
            while header.get(i + 1) == Some(&b' ') {
                i += 1;
            }
        } else {
            pieces.last_mut().unwrap().push(header[i]);
        }
        i += 1;
    }
    let mut out: Vec<(Vec<u8>, Option<Vec<u8>>)> = Vec::new();
    for piece in pieces.into_iter().filter(|p| !p.is_empty()) {
        let (key, value) = match piece.iter().position(|&b| b == b'=') {
            Some(eq) => (piece[..eq].to_vec(), Some(piece[eq + 1..].to_vec())),
            None => (piece.clone(), None),
        };
        if !out.iter().any(|(k, _)| *k == key) {
            out.push((key, value));
        }
    }
    out
}

fn random_input(rng: &mut Rng) -> Vec<u8> {
    let len = if rng.below(10) == 0 {
        rng.below(600)
    } else {
        rng.below(24)
    };
    (0..len).map(|_| CHARS[rng.below(CHARS.len())]).collect()
}

#[test]
fn escape_and_unescape_match_the_byte_at_a_time_definition() {
    let mut rng = Rng(0x5eed_0001);
    for _ in 0..100_000 {
        let input = random_input(&mut rng);
        assert_eq!(escape(&input), reference_escape(&input), "{input:?}");
        assert_eq!(unescape(&input), reference_unescape(&input), "{input:?}");
        assert_eq!(unescape(&escape(&input)), Some(input));
    }
}

#[test]
fn cookie_pairs_match_racks_split() {
    let mut rng = Rng(0x5eed_0002);
    for _ in 0..100_000 {
        let header = random_input(&mut rng);
        let ours: Vec<(Vec<u8>, Option<Vec<u8>>)> = cookie_pairs(&header)
            .into_iter()
            .map(|p| (header[p.key].to_vec(), p.value.map(|v| header[v].to_vec())))
            .collect();
        assert_eq!(ours, reference_pairs(&header), "{header:?}");
    }
}
