//! `Railsess::Native::Verifier`: a prepared HMAC (SHA1/256/384/512), no serializer.
//!
//! * `Verifier.new(secret, digest, url_safe, compat)`
//! * `#generate(serialized)` / `#generate_enveloped(serialized, exp, pur)`
//! * `#verified(signed)`: the data String, `[message, exp, pur]` for a legacy envelope, or nil
//! * `#valid?(signed)`: whether the digest matches (`valid_message?`)

use magnus::{function, method, prelude::*, Error, RModule, RString, Ruby, Value};
use railsess_core::{wrap_legacy, Compat, Digest, MessageVerifier};

use crate::convert::{compat_from, message_string, plaintext_value};
use crate::encryptor::count_opened;
use crate::errors::{guard, to_ruby};
use crate::json_read::{json_read_value, opened, JsonArgs};
use crate::strings::with_bytes;

#[magnus::wrap(class = "Railsess::Native::Verifier", free_immediately, size)]
pub struct Verifier {
    inner: MessageVerifier,
    compat: Compat,
}

impl Verifier {
    fn new(
        ruby: &Ruby,
        secret: RString,
        digest: String,
        url_safe: bool,
        compat: u32,
    ) -> Result<Verifier, Error> {
        let compat = compat_from(ruby, compat)?;
        let digest = Digest::from_name(&digest).map_err(|e| to_ruby(ruby, e))?;
        let inner = with_bytes(secret, |s| {
            MessageVerifier::new(s, digest, url_safe, compat)
        })
        .map_err(|e| to_ruby(ruby, e))?
        .with_alphabet_fallback(crate::encryptor::alphabet_fallback());
        Ok(Verifier { inner, compat })
    }

    fn generate(ruby: &Ruby, rb_self: &Self, data: RString) -> Result<RString, Error> {
        let out = guard(ruby, || with_bytes(data, |d| rb_self.inner.generate(d)))?;
        Ok(message_string(ruby, &out, rb_self.compat))
    }

    fn generate_enveloped(
        ruby: &Ruby,
        rb_self: &Self,
        serialized: RString,
        exp: Option<String>,
        pur: Option<String>,
    ) -> Result<RString, Error> {
        let out = guard(ruby, || {
            with_bytes(serialized, |s| {
                rb_self
                    .inner
                    .generate(&wrap_legacy(s, exp.as_deref(), pur.as_deref()))
            })
        })?;
        Ok(message_string(ruby, &out, rb_self.compat))
    }

    /// `Encryptor#encrypt_json_envelope`'s twin: the 7.1+ envelope generated and signed.
    fn generate_json_envelope(
        ruby: &Ruby,
        rb_self: &Self,
        data: Value,
        mode: u32,
        exp: Option<RString>,
        pur: Option<RString>,
    ) -> Result<Option<RString>, Error> {
        let Some(json) = crate::json_generate::envelope(ruby, data, mode, exp, pur)? else {
            return Ok(None);
        };
        let out = guard(ruby, || rb_self.inner.generate(&json))?;
        Ok(Some(message_string(ruby, &out, rb_self.compat)))
    }

    fn verified(ruby: &Ruby, rb_self: &Self, signed: RString) -> Result<Option<Value>, Error> {
        count_opened();
        let data = guard(ruby, || with_bytes(signed, |s| rb_self.inner.verified(s)))?;
        Ok(data.map(|d| plaintext_value(ruby, d)))
    }

    /// `verified` + metadata + JSON in one call (see `Encryptor#decrypt_json`); `[general, nil]`
    /// when the message is not authentic. `content_final`: whether a mismatched purpose is the
    /// answer (a 6.1/7.0 verifier with rotations still tries them).
    #[allow(clippy::too_many_arguments)]
    fn verified_json(
        ruby: &Ruby,
        rb_self: &Self,
        signed: RString,
        purpose: RString,
        require_metadata: bool,
        max_nesting: Option<usize>,
        create_id: Option<String>,
        content_final: bool,
        content: Value,
        general: Value,
    ) -> Result<Value, Error> {
        let args = JsonArgs::new(
            purpose,
            require_metadata,
            max_nesting,
            create_id,
            content_final,
            (content, general),
        );
        count_opened();
        match guard(ruby, || with_bytes(signed, |s| rb_self.inner.verified(s)))? {
            Some(data) => json_read_value(ruby, data, &args, rb_self.compat),
            None => Ok(opened(ruby, general, None)),
        }
    }

    fn is_valid(ruby: &Ruby, rb_self: &Self, signed: RString) -> Result<bool, Error> {
        guard(ruby, || {
            with_bytes(signed, |s| rb_self.inner.extract_encoded(s).is_some())
        })
    }
}

pub fn init(ruby: &Ruby, native: RModule) -> Result<(), Error> {
    let class = native.define_class("Verifier", ruby.class_object())?;
    class.define_singleton_method("new", function!(Verifier::new, 4))?;
    class.define_method("generate", method!(Verifier::generate, 1))?;
    class.define_method(
        "generate_enveloped",
        method!(Verifier::generate_enveloped, 3),
    )?;
    class.define_method(
        "generate_json_envelope",
        method!(Verifier::generate_json_envelope, 4),
    )?;
    class.define_method("verified", method!(Verifier::verified, 1))?;
    class.define_method("valid?", method!(Verifier::is_valid, 1))?;
    class.define_method("verified_json", method!(Verifier::verified_json, 8))?;
    Ok(())
}
