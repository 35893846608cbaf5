//! `application/x-www-form-urlencoded` components, byte for byte as Ruby's
//! `URI.encode_www_form_component` / `URI.decode_www_form_component` (which `Rack::Utils.escape`
//! and `unescape` call, and so every cookie Rack writes and reads):
//!
//! - escape: `*`, `-`, `.`, `0-9`, `A-Z`, `_`, `a-z` stay; a space becomes `+`; every other byte
//!   becomes `%XX` (upper-case hex). The input's bytes are taken as they are (Ruby first converts
//!   a non-ASCII-compatible string to UTF-8; the binding leaves those to Ruby).
//! - unescape: `+` becomes a space and `%XX` (either case) its byte; a `%` not followed by two hex
//!   digits makes the whole input invalid (Ruby raises `ArgumentError`).

/// The upper-case hex digit of a nibble (0..=15).
fn hex_digit(nibble: u8) -> u8 {
    let nibble = nibble & 0x0f;
    if nibble < 10 {
        b'0' + nibble
    } else {
        b'A' + (nibble - 10)
    }
}

fn unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'*' | b'-' | b'.' | b'_')
}

/// `URI.encode_www_form_component`'s bytes. Runs of unreserved bytes are copied whole.
pub fn escape(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() + input.len() / 4);
    let mut rest = input;
    while let Some(at) = rest.iter().position(|&b| !unreserved(b)) {
        let (run, tail) = rest.split_at(at);
        out.extend_from_slice(run);
        let Some((&byte, after)) = tail.split_first() else {
            break;
        };
        if byte == b' ' {
            out.push(b'+');
        } else {
            out.extend_from_slice(&[b'%', hex_digit(byte >> 4), hex_digit(byte)]);
        }
        rest = after;
    }
    out.extend_from_slice(rest);
    out
}

/// Whether escaping would change nothing (the common case for Rails' base64 cookie values
/// is false, for ids and flags it is true).
pub fn needs_escape(input: &[u8]) -> bool {
    input.iter().any(|&b| !unreserved(b))
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// `URI.decode_www_form_component`'s bytes; `None` where Ruby raises (a bad `%` escape).
/// Runs between `%` and `+` (most of a base64 cookie value) are copied whole.
pub fn unescape(input: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len());
    let mut rest = input;
    while let Some(at) = memchr::memchr2(b'%', b'+', rest) {
        let (run, tail) = rest.split_at(at);
        out.extend_from_slice(run);
        match tail {
            [b'+', after @ ..] => {
                out.push(b' ');
                rest = after;
            }
            [b'%', high, low, after @ ..] => {
                out.push((hex_value(*high)? << 4) | hex_value(*low)?);
                rest = after;
            }
            _ => return None, // a `%` without two characters after it
        }
    }
    out.extend_from_slice(rest);
    Some(out)
}

/// One `key=value` of a Cookie header: byte ranges into the header.
#[derive(Debug, PartialEq, Eq)]
pub struct CookiePair {
    pub key: core::ops::Range<usize>,
    /// `None` for a piece without `=` (Rack gives such a cookie the value nil).
    pub value: Option<core::ops::Range<usize>>,
}

/// A Cookie header split as Rack 2.2's and 3.x's `parse_cookies_header` split it: pieces between
/// `;` and the spaces right after it (`header.split(/[;] */n)`), empty ones skipped, each cut at
/// its first `=` (`split('=', 2)`), the first piece of each key kept (`unless cookies.key?(key)`).
/// Only `;`, ` ` and `=` are looked for, so this holds for any encoding where those bytes are
/// always themselves (UTF-8, US-ASCII, binary): the binding passes only those.
pub fn cookie_pairs(header: &[u8]) -> Vec<CookiePair> {
    let mut pairs: Vec<CookiePair> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut start = 0;
    while start <= header.len() {
        let end = header
            .get(start..)
            .and_then(|rest| rest.iter().position(|&b| b == b';'))
            .map_or(header.len(), |at| start + at);
        let piece = header.get(start..end).unwrap_or_default();
        let eq = piece.iter().position(|&b| b == b'=');
        let key = start..eq.map_or(end, |at| start + at);
        if !piece.is_empty() && seen.insert(header.get(key.clone()).unwrap_or_default()) {
            pairs.push(CookiePair {
                key,
                value: eq.map(|at| start + at + 1..end),
            });
        }
        // Past the `;` and the spaces after it.
        start = end + 1;
        while header.get(start) == Some(&b' ') {
            start += 1;
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_ruby() {
        assert_eq!(
            escape(b"a b+c/=%~*-._"),
            b"a+b%2Bc%2F%3D%25%7E*-._".to_vec()
        );
        assert_eq!(escape("ü".as_bytes()), b"%C3%BC".to_vec());
        assert_eq!(escape(b""), b"".to_vec());
        assert!(!needs_escape(b"abc-_.*09"));
        assert!(needs_escape(b"a=b"));
    }

    #[test]
    fn unescapes_like_ruby() {
        assert_eq!(unescape(b"a+b%2Bc%2f%3D"), Some(b"a b+c/=".to_vec()));
        assert_eq!(unescape(b"%C3%BC"), Some("ü".as_bytes().to_vec()));
        assert_eq!(unescape(b"%"), None);
        assert_eq!(unescape(b"%4"), None);
        assert_eq!(unescape(b"%zz"), None);
        assert_eq!(unescape(b"100%"), None);
    }

    fn split(header: &str) -> Vec<(&str, Option<&str>)> {
        cookie_pairs(header.as_bytes())
            .into_iter()
            .map(|p| {
                let key = header.get(p.key).unwrap_or("?");
                (key, p.value.map(|v| header.get(v).unwrap_or("?")))
            })
            .collect()
    }

    #[test]
    fn splits_cookie_headers_like_rack() {
        assert_eq!(split(""), vec![]);
        assert_eq!(split("a=1"), vec![("a", Some("1"))]);
        assert_eq!(
            split("a=1;b=2;  c=3 ; d"),
            vec![
                ("a", Some("1")),
                ("b", Some("2")),
                ("c", Some("3 ")),
                ("d", None)
            ]
        );
        assert_eq!(split(" a==b=c"), vec![(" a", Some("=b=c"))]);
        assert_eq!(
            split(";;a=1;; ;a=2;=v;x="),
            vec![("a", Some("1")), ("", Some("v")), ("x", Some(""))]
        );
        assert_eq!(split("a=1, b=2"), vec![("a", Some("1, b=2"))]);
        assert_eq!(split("k; k=1"), vec![("k", None)]);
    }

    #[test]
    fn round_trips_every_byte() {
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(unescape(&escape(&all)), Some(all));
    }
}
