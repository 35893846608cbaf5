//! JSON strings as Ruby's json gem writes them (`JSON.generate`: `"` and `\\`, control
//! characters as `\b \f \n \r \t` or `\u00xx` in lowercase hex, nothing else), with
//! ActiveSupport::JSON's extra escapes on request: `<`, `>`, `&` (`escape_html_entities_in_json`)
//! and U+2028 / U+2029 (`escape_js_separators_in_json`). Used by the legacy envelope (metadata.rs)
//! and by the binding's JSON generator.

/// Appends `bytes` (valid UTF-8) as a quoted JSON string.
pub fn push_escaped(out: &mut Vec<u8>, bytes: &[u8], html: bool, separators: bool) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut start = 0;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let escape: Option<&[u8]> = match b {
            b'"' => Some(b"\\\""),
            b'\\' => Some(b"\\\\"),
            b'\n' => Some(b"\\n"),
            b'\r' => Some(b"\\r"),
            b'\t' => Some(b"\\t"),
            0x08 => Some(b"\\b"),
            0x0c => Some(b"\\f"),
            b'<' if html => Some(b"\\u003c"),
            b'>' if html => Some(b"\\u003e"),
            b'&' if html => Some(b"\\u0026"),
            // U+2028 / U+2029: E2 80 A8 / E2 80 A9
            0xe2 if separators
                && bytes.get(i + 1) == Some(&0x80)
                && matches!(bytes.get(i + 2), Some(0xa8) | Some(0xa9)) =>
            {
                Some(if bytes.get(i + 2) == Some(&0xa8) {
                    b"\\u2028"
                } else {
                    b"\\u2029"
                })
            }
            _ => None,
        };
        if let Some(escape) = escape {
            out.extend_from_slice(bytes.get(start..i).unwrap_or_default());
            out.extend_from_slice(escape);
            i += if b == 0xe2 { 3 } else { 1 };
            start = i;
        } else if b < 0x20 {
            out.extend_from_slice(bytes.get(start..i).unwrap_or_default());
            let hex = |n: u8| HEX.get(usize::from(n)).copied().unwrap_or(b'0');
            out.extend_from_slice(&[b'\\', b'u', b'0', b'0', hex(b >> 4), hex(b & 0xf)]);
            i += 1;
            start = i;
        } else {
            i += 1;
        }
    }
    out.extend_from_slice(bytes.get(start..).unwrap_or_default());
    out.push(b'"');
}
