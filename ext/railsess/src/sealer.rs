//! What `Native::Encryptor` and `Native::Verifier` share, written once (generic over
//! [`Sealer`]): a message is the core object's sealed form (encrypted, or signed) of
//!
//! * a plaintext (`#encrypt` / `#generate`),
//! * the legacy `_rails` envelope around serialized data (`#encrypt_enveloped` / `#generate_enveloped`),
//! * ActiveSupport 7.1+'s JSON envelope around a value (`#encrypt_json_envelope` / `#generate_json_envelope`);
//!
//! and opening one (`#decrypt` / `#verified`, `#decrypt_json` / `#verified_json`) counts for
//! `Native.opened_count`. They differ in failures: a message that does not decrypt raises, one
//! that does not verify is nil.

use magnus::{Error, RString, Ruby, Value};
use railsess_core::{wrap_legacy, Compat};

use crate::convert::{message_string, plaintext_value};
use crate::errors::{guard, to_ruby};
use crate::json_read::{json_read_value, opened, JsonArgs};
use crate::strings::with_bytes;

/// A core encryptor or verifier as the Ruby class holds it.
pub trait Sealer {
    fn compat(&self) -> Compat;
    /// The message for `data` (the encryptor's cipher errors are the only failures).
    fn seal(&self, data: &[u8]) -> railsess_core::error::Result<String>;
    /// The plaintext; `Ok(None)` for a message that does not verify, an error for one that does
    /// not decrypt.
    fn open(&self, message: &[u8]) -> railsess_core::error::Result<Option<Vec<u8>>>;
}

/// `#encrypt(plain)` / `#generate(data)`.
pub fn seal<S: Sealer>(ruby: &Ruby, rb_self: &S, data: RString) -> Result<RString, Error> {
    let out =
        guard(ruby, || with_bytes(data, |d| rb_self.seal(d)))?.map_err(|e| to_ruby(ruby, e))?;
    Ok(message_string(ruby, &out, rb_self.compat()))
}

/// `#encrypt_enveloped(serialized, exp, pur)` / `#generate_enveloped`: the legacy envelope.
pub fn seal_enveloped<S: Sealer>(
    ruby: &Ruby,
    rb_self: &S,
    serialized: RString,
    exp: Option<String>,
    pur: Option<String>,
) -> Result<RString, Error> {
    let out = guard(ruby, || {
        with_bytes(serialized, |s| {
            rb_self.seal(&wrap_legacy(s, exp.as_deref(), pur.as_deref()))
        })
    })?
    .map_err(|e| to_ruby(ruby, e))?;
    Ok(message_string(ruby, &out, rb_self.compat()))
}

/// `#encrypt_json_envelope(value, mode, exp, pur)` / `#generate_json_envelope`: ActiveSupport
/// 7.1+'s metadata envelope around `data`, generated as JSON (`json_generate::envelope`) and
/// sealed in one call; nil when Ruby must write it.
pub fn seal_json_envelope<S: Sealer>(
    ruby: &Ruby,
    rb_self: &S,
    data: Value,
    mode: u32,
    exp: Option<RString>,
    pur: Option<RString>,
) -> Result<Option<RString>, Error> {
    let Some(json) = crate::json_generate::envelope(ruby, data, mode, exp, pur)? else {
        return Ok(None);
    };
    let out = guard(ruby, || rb_self.seal(&json))?.map_err(|e| to_ruby(ruby, e))?;
    Ok(Some(message_string(ruby, &out, rb_self.compat())))
}

/// `#decrypt(message)` / `#verified(signed)`: the plaintext String, `[message, exp, pur]` for a
/// legacy envelope, nil for a message that does not verify.
pub fn open<S: Sealer>(ruby: &Ruby, rb_self: &S, message: RString) -> Result<Option<Value>, Error> {
    crate::encryptor::count_opened();
    let plain =
        guard(ruby, || with_bytes(message, |m| rb_self.open(m)))?.map_err(|e| to_ruby(ruby, e))?;
    Ok(plain.map(|p| plaintext_value(ruby, p)))
}

/// The JSON fast path after the message's arguments (see json_read.rs): the value, the
/// `content` marker, or `[general, plaintext]` (`[general, nil]`: not authentic).
pub fn open_json<S: Sealer>(
    ruby: &Ruby,
    rb_self: &S,
    message: RString,
    args: JsonArgs,
) -> Result<Value, Error> {
    crate::encryptor::count_opened();
    let plain =
        guard(ruby, || with_bytes(message, |m| rb_self.open(m)))?.map_err(|e| to_ruby(ruby, e))?;
    match plain {
        Some(plain) => json_read_value(ruby, plain, &args, rb_self.compat()),
        None => Ok(opened(ruby, args.general, None)),
    }
}
