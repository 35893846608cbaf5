//! `Railsess::Native.www_form_escape(string)` / `.www_form_unescape(string)`: the bytes of
//! `URI.encode_www_form_component` / `decode_www_form_component` (railsess-core's `www_form`).
//! Encodings and errors stay in Ruby (lib/railsess/rack_utils.rb): escape returns a new binary
//! String, unescape returns nil where Ruby raises.

use magnus::{
    encoding::EncodingCapable, function, prelude::*, Error, RModule, RString, Ruby, Value,
};
use railsess_core::www_form;

use crate::strings::with_bytes;

fn www_form_escape(ruby: &Ruby, input: RString) -> Result<RString, Error> {
    let escaped = crate::guard(ruby, || with_bytes(input, www_form::escape))?;
    Ok(ruby.str_from_slice(&escaped))
}

fn www_form_unescape(ruby: &Ruby, input: RString) -> Result<Value, Error> {
    let decoded = crate::guard(ruby, || with_bytes(input, www_form::unescape))?;
    Ok(match decoded {
        Some(bytes) => ruby.str_from_slice(&bytes).as_value(),
        None => ruby.qnil().as_value(),
    })
}

/// `Rack::Utils.parse_cookies_header(header)` of Rack 2.2 and 3.0-3.2 (the binding's caller
/// checks the header: a valid UTF-8, US-ASCII or binary String): keys in the header's encoding,
/// values unescaped into UTF-8, or left as they are (header's encoding) where the unescape would
/// raise. nil for any other encoding.
fn parse_cookies_header(ruby: &Ruby, header: RString) -> Result<Value, Error> {
    let enc = header.enc_get();
    if enc != ruby.utf8_encindex()
        && enc != ruby.usascii_encindex()
        && enc != ruby.ascii8bit_encindex()
    {
        return Ok(ruby.qnil().as_value());
    }
    // Ruby objects are created below (the GC may run): work on a copy, not a borrow.
    let bytes = with_bytes(header, <[u8]>::to_vec);
    let pairs = crate::guard(ruby, || www_form::cookie_pairs(&bytes))?;
    let cookies = ruby.hash_new();
    for pair in pairs {
        let key = ruby.enc_str_new(bytes.get(pair.key).unwrap_or_default(), enc);
        let value = match pair.value {
            None => ruby.qnil().as_value(),
            Some(range) => {
                let raw = bytes.get(range).unwrap_or_default();
                match crate::guard(ruby, || www_form::unescape(raw))? {
                    Some(decoded) => ruby.enc_str_new(&decoded, ruby.utf8_encoding()).as_value(),
                    None => ruby.enc_str_new(raw, enc).as_value(),
                }
            }
        };
        cookies.aset(key, value)?;
    }
    Ok(cookies.as_value())
}

pub fn init(_ruby: &Ruby, native: RModule) -> Result<(), Error> {
    native.define_singleton_method("www_form_escape", function!(www_form_escape, 1))?;
    native.define_singleton_method("www_form_unescape", function!(www_form_unescape, 1))?;
    native.define_singleton_method("parse_cookies_header", function!(parse_cookies_header, 1))?;
    Ok(())
}
