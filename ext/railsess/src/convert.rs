//! Conversions every class shares: compatibility codes, messages as Ruby Strings, plaintexts
//! (a String, or a legacy envelope's parts) as Ruby values.

use magnus::{prelude::*, Error, IntoValue, RString, Ruby, Value};
use railsess_core::{Compat, LegacyEnvelope};

pub fn compat_from(ruby: &Ruby, code: u32) -> Result<Compat, Error> {
    Compat::from_code(code).ok_or_else(|| {
        Error::new(
            ruby.exception_arg_error(),
            format!("unknown compatibility level {code}"),
        )
    })
}

/// Messages are ASCII; ActiveSupport tags them UTF-8 up to 7.0 and US-ASCII from 7.1.
pub fn message_string(ruby: &Ruby, s: &str, compat: Compat) -> RString {
    if compat <= Compat::Rails70 {
        ruby.str_new(s)
    } else {
        ruby.enc_str_new(s, ruby.usascii_encoding())
    }
}

/// A decrypted/verified plaintext for Ruby: a binary String, or the legacy envelope's parts.
pub fn plaintext_value(ruby: &Ruby, plain: Vec<u8>) -> Value {
    match LegacyEnvelope::parse(&plain) {
        Some(env) => envelope_value(ruby, env),
        None => ruby.str_from_slice(&plain).as_value(),
    }
}

fn envelope_value(ruby: &Ruby, env: LegacyEnvelope) -> Value {
    let message = env.message.map(|m| ruby.str_from_slice(&m));
    let exp = env.exp.map(|s| ruby.str_new(&s));
    let pur = env.pur.map(|s| ruby.str_new(&s));
    ruby.ary_new_from_values(&[
        message.into_value_with(ruby),
        exp.into_value_with(ruby),
        pur.into_value_with(ruby),
    ])
    .as_value()
}
