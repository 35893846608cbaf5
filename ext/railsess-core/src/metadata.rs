//! The legacy `_rails` metadata envelope (every Rails version reads it; cookie jars write it
//! in every version, and messages write it until `use_message_serializer_for_metadata`):
//!
//! ```text
//! {"_rails":{"message":"<strict base64 of the serialized value>","exp":<"iso8601(3)"|null>,"pur":<"purpose"|null>}}
//! ```
//!
//! written by `ActiveSupport::JSON.encode`, so `<`, `>`, `&`, U+2028 and U+2029 inside strings
//! are `\u` escapes. The 7.1+ form (`{"_rails":{"data":...}}` inside the serializer's own
//! output) is the serializer's business: the binding reads and writes it for the JSON
//! serializers (ext/railsess/src/json_read.rs, json_generate.rs), Ruby for the others.

use serde::Deserialize;

use crate::codec;

const PREFIX: &[u8] = br#"{"_rails":{"message":""#;

/// Wraps a serialized value: the exact bytes `Metadata.wrap` produces.
pub fn wrap_legacy(serialized: &[u8], exp: Option<&str>, pur: Option<&str>) -> Vec<u8> {
    let mut message = String::with_capacity(serialized.len() * 4 / 3 + 4);
    codec::encode_into(serialized, false, &mut message);
    let mut out = Vec::with_capacity(message.len() + 96);
    out.extend_from_slice(br#"{"_rails":{"message":""#);
    out.extend_from_slice(message.as_bytes());
    out.extend_from_slice(br#"","exp":"#);
    push_json_string(&mut out, exp);
    out.extend_from_slice(br#","pur":"#);
    push_json_string(&mut out, pur);
    out.extend_from_slice(b"}}");
    out
}

/// A JSON string as `ActiveSupport::JSON.encode` writes it (with its default escaping), or null.
fn push_json_string(out: &mut Vec<u8>, value: Option<&str>) {
    match value {
        Some(s) => crate::json_string::push_escaped(out, s.as_bytes(), true, true),
        None => out.extend_from_slice(b"null"),
    }
}

/// A decoded legacy envelope. `message` is `None` when its base64 is invalid: whether that is
/// an error or never looked at depends on the version (7.1+ checks expiry and purpose first).
#[derive(Debug, PartialEq, Eq)]
pub struct LegacyEnvelope {
    pub message: Option<Vec<u8>>,
    pub exp: Option<String>,
    pub pur: Option<String>,
}

#[derive(Deserialize)]
struct Outer {
    #[serde(rename = "_rails")]
    rails: Inner,
}

#[derive(Deserialize)]
struct Inner {
    message: String,
    #[serde(default)]
    exp: Option<String>,
    #[serde(default)]
    pur: Option<String>,
}

impl LegacyEnvelope {
    /// Recognises the canonical envelope only. Anything else that might still be an envelope
    /// to Rails (other key order, whitespace, non-string fields, duplicate keys) returns `None`
    /// and is left to the Ruby side, which follows ActiveSupport's own code for it.
    pub fn parse(plain: &[u8]) -> Option<LegacyEnvelope> {
        if !plain.starts_with(PREFIX) {
            return None;
        }
        scan_canonical(plain).or_else(|| Self::parse_json(plain))
    }

    /// The same answer through serde_json: for envelopes whose strings hold escapes, and as the
    /// reference `scan_canonical` is tested against.
    #[doc(hidden)]
    pub fn parse_json(plain: &[u8]) -> Option<LegacyEnvelope> {
        if !plain.starts_with(PREFIX) {
            return None;
        }
        let outer: Outer = serde_json::from_slice(plain).ok()?;
        let Inner { message, exp, pur } = outer.rails;
        Some(LegacyEnvelope {
            message: codec::strict_decode(message.as_bytes()).ok(),
            exp,
            pur,
        })
    }
}

/// Reads the envelope exactly as `wrap_legacy` writes it when neither string needs an escape
/// (every cookie Rails writes: base64 and purposes like "cookie._app_session"), without a
/// JSON parser. `None` means "not that shape": `parse_json` then decides.
fn scan_canonical(plain: &[u8]) -> Option<LegacyEnvelope> {
    let rest = plain.strip_prefix(PREFIX)?;
    let end = memchr::memchr2(b'"', b'\\', rest)?;
    let (message, rest) = rest.split_at(end);
    let rest = rest.strip_prefix(br#"","exp":"#)?;
    let (exp, rest) = plain_string_or_null(rest)?;
    let rest = rest.strip_prefix(br#","pur":"#)?;
    let (pur, rest) = plain_string_or_null(rest)?;
    if rest != b"}}" {
        return None;
    }
    // Valid base64 is printable ASCII, which reads the same raw or through serde. Other bytes:
    // serde refuses control characters and invalid UTF-8 outright, so let it decide.
    let message = match codec::strict_decode(message) {
        Ok(decoded) => Some(decoded),
        Err(_) if message.iter().all(|b| (0x20..0x7f).contains(b)) => None,
        Err(_) => return None,
    };
    Some(LegacyEnvelope { message, exp, pur })
}

/// `null`, or a JSON string without escapes or control characters (which serde_json would
/// refuse or unescape), and the bytes after it.
fn plain_string_or_null(input: &[u8]) -> Option<(Option<String>, &[u8])> {
    if let Some(rest) = input.strip_prefix(b"null") {
        return Some((None, rest));
    }
    let body = input.strip_prefix(b"\"")?;
    let end = memchr::memchr2(b'"', b'\\', body)?;
    let (content, rest) = body.split_at(end);
    let rest = rest.strip_prefix(b"\"")?;
    if content.iter().any(|&b| b < 0x20) {
        return None;
    }
    let content = std::str::from_utf8(content).ok()?;
    Some((Some(content.to_owned()), rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_like_active_support() {
        let wrapped = wrap_legacy(b"\"x\"", Some("2001-01-01T00:00:00.000Z"), Some("login"));
        assert_eq!(
            String::from_utf8_lossy(&wrapped),
            r#"{"_rails":{"message":"Ingi","exp":"2001-01-01T00:00:00.000Z","pur":"login"}}"#
        );
        let wrapped = wrap_legacy(b"1", None, Some("<a&b>\u{2028}\"\\\u{1}\n/"));
        assert_eq!(
            String::from_utf8_lossy(&wrapped),
            r#"{"_rails":{"message":"MQ==","exp":null,"pur":"\u003ca\u0026b\u003e\u2028\"\\\u0001\n/"}}"#
        );
    }

    #[test]
    fn parses_what_it_wraps() {
        let wrapped = wrap_legacy(b"\x04\x08i\x06", None, Some("p<>"));
        let env = LegacyEnvelope::parse(&wrapped);
        assert_eq!(
            env,
            Some(LegacyEnvelope {
                message: Some(b"\x04\x08i\x06".to_vec()),
                exp: None,
                pur: Some("p<>".into())
            })
        );
    }

    #[test]
    fn leaves_the_unusual_to_ruby() {
        assert!(LegacyEnvelope::parse(br#"{"_rails":{"data":1}}"#).is_none());
        assert!(LegacyEnvelope::parse(br#"{"_rails":{"message":"YQ==","exp":5}}"#).is_none());
        assert!(
            LegacyEnvelope::parse(br#"{"_rails":{"message":"YQ==","pur":"a","pur":"b"}}"#)
                .is_none()
        );
        assert!(LegacyEnvelope::parse(br#"{"_rails":{"message":"YQ=="}"#).is_none());
        let bad_b64 =
            LegacyEnvelope::parse(br#"{"_rails":{"message":"!!","exp":null,"pur":null}}"#);
        assert_eq!(bad_b64.map(|e| e.message), Some(None));
    }
}
