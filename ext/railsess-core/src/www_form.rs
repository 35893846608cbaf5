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

/// `URI.encode_www_form_component`'s bytes.
pub fn escape(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() + input.len() / 4);
    for &byte in input {
        if unreserved(byte) {
            out.push(byte);
        } else if byte == b' ' {
            out.push(b'+');
        } else {
            out.push(b'%');
            out.push(hex_digit(byte >> 4));
            out.push(hex_digit(byte));
        }
    }
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
pub fn unescape(input: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len());
    let mut bytes = input.iter();
    while let Some(&byte) = bytes.next() {
        match byte {
            b'+' => out.push(b' '),
            b'%' => {
                let high = bytes.next().copied().and_then(hex_value)?;
                let low = bytes.next().copied().and_then(hex_value)?;
                out.push((high << 4) | low);
            }
            _ => out.push(byte),
        }
    }
    Some(out)
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

    #[test]
    fn round_trips_every_byte() {
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(unescape(&escape(&all)), Some(all));
    }
}
