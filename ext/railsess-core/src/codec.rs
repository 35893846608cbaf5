//! Base64 and "--" framing with Ruby's exact rules.
//!
//! * strict: `Base64.strict_encode64` / `strict_decode64` (`pack("m0")`): standard alphabet,
//!   canonical padding required, non-zero trailing bits rejected.
//! * url-safe: `Base64.urlsafe_encode64(padding: false)` writes `-_` without padding;
//!   `Base64.urlsafe_decode64` pads an unpadded input to a multiple of 4, maps `-_` to `+/`
//!   (so `+` and `/` are accepted too) and then decodes strictly.

// base64-simd (SSE4.1/AVX2/NEON, detected at run time) decodes exactly what `pack("m0")` accepts:
// tests/base64_equivalence.rs checks it against the `base64` crate's strict engine.
use base64_simd::{STANDARD, URL_SAFE_NO_PAD};

use crate::error::{Error, Result};

pub const SEPARATOR: &[u8] = b"--";

pub fn encode(data: &[u8], url_safe: bool) -> String {
    if url_safe {
        URL_SAFE_NO_PAD.encode_to_string(data)
    } else {
        STANDARD.encode_to_string(data)
    }
}

/// Appends the encoding of `data` to `out` (saves a String per part when joining).
pub fn encode_into(data: &[u8], url_safe: bool, out: &mut String) {
    if url_safe {
        URL_SAFE_NO_PAD.encode_append(data, out)
    } else {
        STANDARD.encode_append(data, out)
    }
}

/// Ruby's `Base64.strict_decode64`.
pub fn strict_decode(encoded: &[u8]) -> Result<Vec<u8>> {
    STANDARD
        .decode_to_vec(encoded)
        .map_err(|_| Error::InvalidFormat("invalid base64"))
}

/// Ruby's `Base64.urlsafe_decode64`.
pub fn urlsafe_decode(encoded: &[u8]) -> Result<Vec<u8>> {
    let mut std_form: Vec<u8> = encoded
        .iter()
        .map(|&b| match b {
            b'-' => b'+',
            b'_' => b'/',
            other => other,
        })
        .collect();
    // Ruby pads only when the input neither ends with "=" nor has a length that is a multiple
    // of 4. (`String#length` counts characters; a non-ASCII input fails to decode either way.)
    if !encoded.ends_with(b"=") && !encoded.len().is_multiple_of(4) {
        let padded = (encoded.len() + 3) & !3;
        std_form.resize(padded, b'=');
    }
    strict_decode(&std_form)
}

pub fn decode(encoded: &[u8], url_safe: bool) -> Result<Vec<u8>> {
    if url_safe {
        urlsafe_decode(encoded)
    } else {
        strict_decode(encoded)
    }
}

/// Length of the encoding of `n` bytes (ActiveSupport's `length_after_encode`).
pub fn encoded_len(n: usize, url_safe: bool) -> usize {
    if url_safe {
        (4 * n).div_ceil(3)
    } else {
        4 * n.div_ceil(3)
    }
}

/// Ruby's `String#split("--")`: fields left to right, empty trailing fields dropped.
pub fn split_legacy(message: &[u8]) -> Vec<&[u8]> {
    let mut fields = Vec::with_capacity(3);
    let mut rest = message;
    while let Some(at) = find(rest, SEPARATOR) {
        let (field, tail) = rest.split_at(at);
        fields.push(field);
        rest = tail.get(SEPARATOR.len()..).unwrap_or_default();
    }
    fields.push(rest);
    while fields.last().is_some_and(|f| f.is_empty()) {
        fields.pop();
    }
    fields
}

/// Cuts `len` bytes ending at `end` from `message`, requiring "--" right before them
/// (ActiveSupport 7.1+'s `extract_part`). Returns the part and the index of its separator.
pub fn part_before(message: &[u8], end: usize, len: usize) -> Result<(&[u8], usize)> {
    let start = end
        .checked_sub(len)
        .ok_or(Error::InvalidFormat("missing separator"))?;
    let sep = start
        .checked_sub(SEPARATOR.len())
        .ok_or(Error::InvalidFormat("missing separator"))?;
    if message.get(sep..start) != Some(SEPARATOR) {
        return Err(Error::InvalidFormat("missing separator"));
    }
    let part = message
        .get(start..end)
        .ok_or(Error::InvalidFormat("missing separator"))?;
    Ok((part, sep))
}

pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_matches_ruby() {
        let s = |m: &str| -> Vec<String> {
            split_legacy(m.as_bytes())
                .into_iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect()
        };
        assert_eq!(s("a--b--c"), ["a", "b", "c"]);
        assert_eq!(s("a--b--c--"), ["a", "b", "c"]);
        assert_eq!(s("a----b"), ["a", "", "b"]);
        assert_eq!(s("--a"), ["", "a"]);
        assert_eq!(s("a---b"), ["a", "-b"]);
        assert!(s("").is_empty());
        assert!(s("----").is_empty());
    }

    #[test]
    fn strict_decode_is_strict() {
        assert_eq!(strict_decode(b"YQ==").ok(), Some(b"a".to_vec()));
        assert_eq!(strict_decode(b"").ok(), Some(Vec::new()));
        assert!(strict_decode(b"YQ").is_err());
        assert!(strict_decode(b"YR==").is_err());
        assert!(strict_decode(b"Y Q==").is_err());
        assert!(strict_decode(b"YQ==\n").is_err());
        assert!(strict_decode(b"-_8=").is_err());
    }

    #[test]
    fn urlsafe_decode_matches_ruby() {
        assert_eq!(urlsafe_decode(b"-_8").ok(), Some(vec![0xfb, 0xff]));
        assert_eq!(urlsafe_decode(b"-_8=").ok(), Some(vec![0xfb, 0xff]));
        assert_eq!(urlsafe_decode(b"+/8=").ok(), Some(vec![0xfb, 0xff]));
        assert_eq!(urlsafe_decode(b"YQ").ok(), Some(b"a".to_vec()));
        // ends with "=" but is not padded correctly: no padding is added
        assert!(urlsafe_decode(b"YQ=").is_err());
    }

    #[test]
    fn encoded_lengths() {
        assert_eq!(encoded_len(12, false), 16);
        assert_eq!(encoded_len(16, false), 24);
        assert_eq!(encoded_len(16, true), 22);
        assert_eq!(encoded_len(12, true), 16);
    }

    #[test]
    fn part_before_never_underflows() {
        assert!(part_before(b"abc", 3, 10).is_err());
        assert!(part_before(b"--abc", 5, 3).is_ok());
        assert!(part_before(b"-abc", 4, 3).is_err());
    }
}
