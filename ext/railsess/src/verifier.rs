//! `Railsess::Native::Verifier`: a prepared HMAC (SHA1/256/384/512), no serializer.
//!
//! * `Verifier.new(secret, digest, url_safe, compat)`
//! * `#generate(serialized)` / `#generate_enveloped(serialized, exp, pur)`
//! * `#verified(signed)`: the data String, `[message, exp, pur]` for a legacy envelope, or nil
//! * `#valid?(signed)`: whether the digest matches (`valid_message?`)
//! * `#verified_json(...)`, `#generate_json_envelope(...)`: the JSON fast path (sealer.rs, json_read.rs)

use magnus::{function, method, prelude::*, Error, RModule, RString, Ruby, Value};
use railsess_core::{Compat, Digest, MessageVerifier};

use crate::convert::compat_from;
use crate::errors::{guard, to_ruby};
use crate::json_read::JsonArgs;
use crate::sealer::{open, open_json, seal, seal_enveloped, seal_json_envelope, Sealer};
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

    fn is_valid(ruby: &Ruby, rb_self: &Self, signed: RString) -> Result<bool, Error> {
        guard(ruby, || {
            with_bytes(signed, |s| rb_self.inner.extract_encoded(s).is_some())
        })
    }
}

impl Sealer for Verifier {
    fn compat(&self) -> Compat {
        self.compat
    }

    fn seal(&self, data: &[u8]) -> railsess_core::error::Result<String> {
        Ok(self.inner.generate(data))
    }

    fn open(&self, message: &[u8]) -> railsess_core::error::Result<Option<Vec<u8>>> {
        Ok(self.inner.verified(message))
    }
}

/// `#verified_json(signed, purpose, require_metadata, max_nesting, create_id, content_final,
/// content, general)`: `verified` + metadata + JSON in one call (sealer::open_json);
/// `content_final`: whether a mismatched purpose is the answer (not for a 6.1/7.0 verifier with
/// rotations, nor for 7.1+'s `verify`, which raises with the reason).
#[allow(clippy::too_many_arguments)]
fn verified_json(
    ruby: &Ruby,
    rb_self: &Verifier,
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
    open_json(ruby, rb_self, signed, args)
}

pub fn init(ruby: &Ruby, native: RModule) -> Result<(), Error> {
    let class = native.define_class("Verifier", ruby.class_object())?;
    class.define_singleton_method("new", function!(Verifier::new, 4))?;
    class.define_method("generate", method!(seal::<Verifier>, 1))?;
    class.define_method("generate_enveloped", method!(seal_enveloped::<Verifier>, 3))?;
    class.define_method(
        "generate_json_envelope",
        method!(seal_json_envelope::<Verifier>, 4),
    )?;
    class.define_method("verified", method!(open::<Verifier>, 1))?;
    class.define_method("valid?", method!(Verifier::is_valid, 1))?;
    class.define_method("verified_json", method!(verified_json, 8))?;
    Ok(())
}
