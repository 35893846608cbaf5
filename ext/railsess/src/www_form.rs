//! `Railsess::Native.www_form_escape(string)` / `.www_form_unescape(string)`: the bytes of
//! `URI.encode_www_form_component` / `decode_www_form_component` (railsess-core's `www_form`).
//! Encodings and errors stay in Ruby (lib/railsess/rack_utils.rb): escape returns a new binary
//! String, unescape returns nil where Ruby raises.

use magnus::{function, prelude::*, Error, RModule, RString, Ruby, Value};
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

pub fn init(_ruby: &Ruby, native: RModule) -> Result<(), Error> {
    native.define_singleton_method("www_form_escape", function!(www_form_escape, 1))?;
    native.define_singleton_method("www_form_unescape", function!(www_form_unescape, 1))?;
    Ok(())
}
