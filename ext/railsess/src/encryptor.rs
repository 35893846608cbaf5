//! `Railsess::Native::Encryptor`: one prepared cipher (key schedule built once), no serializer.
//!
//! * `Encryptor.gcm(secret, url_safe, compat)` / `Encryptor.cbc(secret, sign_secret, digest, url_safe, compat)`
//! * `#encrypt(serialized)` and `#encrypt_enveloped(serialized, exp, pur)` (legacy `_rails` envelope)
//! * `#decrypt(message)`: the plaintext String, or `[message, exp, pur]` when the plaintext is the
//!   canonical legacy envelope (`message` is nil when its base64 is invalid).
//! * `#decrypt_json(message, purpose, ...)`: decrypt, metadata and JSON in one call (json_read.rs);
//!   `#encrypt_json_envelope(value, mode, exp, pur)`: the 7.1+ envelope generated and encrypted.
//! * `Native.empty_data = bool`: whether encryptors built afterwards follow an openssl gem that
//!   encrypts empty data (3.2+) or one that refuses it (older); set once by lib/railsess/native.rb
//!   from the loaded gem, which is the same for the whole process.
//! * `Native.alphabet_fallback = bool`: whether verifiers (and CBC encryptors) built afterwards at
//!   the 7.2 level decode with the other base64 alphabet when the configured one fails, as
//!   ActiveSupport 7.2.3+ does (false for a loaded ActiveSupport 7.2.0-7.2.2).

use magnus::{function, method, prelude::*, Error, RModule, RString, Ruby, Value};
use railsess_core::{wrap_legacy, Compat, Digest, MessageEncryptor};

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::convert::{compat_from, message_string, plaintext_value};
use crate::errors::{guard, to_ruby};
use crate::json_read::{json_read_value, JsonArgs};
use crate::strings::{with_bytes, with_two};

#[magnus::wrap(class = "Railsess::Native::Encryptor", free_immediately, size)]
pub struct Encryptor {
    inner: MessageEncryptor,
    compat: Compat,
}

/// Messages decrypted or verified so far (`Native.opened_count`): the suite checks that a read
/// opens each message once, whatever path it takes.
static OPENED: AtomicU64 = AtomicU64::new(0);

pub fn count_opened() {
    OPENED.fetch_add(1, Ordering::Relaxed);
}

fn opened_count() -> u64 {
    OPENED.load(Ordering::Relaxed)
}

/// The loaded openssl gem encrypts empty data (see the module docs).
static EMPTY_DATA: AtomicBool = AtomicBool::new(false);

fn set_empty_data(empty_data: bool) -> bool {
    EMPTY_DATA.store(empty_data, Ordering::Relaxed);
    empty_data
}

fn empty_data() -> bool {
    EMPTY_DATA.load(Ordering::Relaxed)
}

/// See the module docs: `Native.alphabet_fallback`.
static ALPHABET_FALLBACK: AtomicBool = AtomicBool::new(true);

fn set_alphabet_fallback(fallback: bool) -> bool {
    ALPHABET_FALLBACK.store(fallback, Ordering::Relaxed);
    fallback
}

pub fn alphabet_fallback() -> bool {
    ALPHABET_FALLBACK.load(Ordering::Relaxed)
}

fn gcm(ruby: &Ruby, secret: RString, url_safe: bool, compat: u32) -> Result<Encryptor, Error> {
    let compat = compat_from(ruby, compat)?;
    let inner = with_bytes(secret, |s| MessageEncryptor::gcm(s, url_safe, compat))
        .map_err(|e| to_ruby(ruby, e))?
        .with_empty_data(empty_data());
    Ok(Encryptor { inner, compat })
}

fn cbc(
    ruby: &Ruby,
    secret: RString,
    sign_secret: RString,
    digest: String,
    url_safe: bool,
    compat: u32,
) -> Result<Encryptor, Error> {
    let compat = compat_from(ruby, compat)?;
    let digest = Digest::from_name(&digest).map_err(|e| to_ruby(ruby, e))?;
    let inner = with_two(secret, sign_secret, |s, sign| {
        MessageEncryptor::cbc(s, sign, digest, url_safe, compat)
    })
    .map_err(|e| to_ruby(ruby, e))?
    .with_empty_data(empty_data())
    .with_alphabet_fallback(alphabet_fallback());
    Ok(Encryptor { inner, compat })
}

impl Encryptor {
    fn encrypt(ruby: &Ruby, rb_self: &Self, plain: RString) -> Result<RString, Error> {
        let out = guard(ruby, || {
            with_bytes(plain, |p| rb_self.inner.encrypt_and_sign(p))
        })?
        .map_err(|e| to_ruby(ruby, e))?;
        Ok(message_string(ruby, &out, rb_self.compat))
    }

    fn encrypt_enveloped(
        ruby: &Ruby,
        rb_self: &Self,
        serialized: RString,
        exp: Option<String>,
        pur: Option<String>,
    ) -> Result<RString, Error> {
        let out = guard(ruby, || {
            with_bytes(serialized, |s| {
                let wrapped = wrap_legacy(s, exp.as_deref(), pur.as_deref());
                rb_self.inner.encrypt_and_sign(&wrapped)
            })
        })?
        .map_err(|e| to_ruby(ruby, e))?;
        Ok(message_string(ruby, &out, rb_self.compat))
    }

    /// ActiveSupport 7.1+'s metadata envelope around `data`, generated as JSON (see
    /// `json_generate::envelope`) and encrypted, in one call; nil when Ruby must write it.
    fn encrypt_json_envelope(
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
        let out =
            guard(ruby, || rb_self.inner.encrypt_and_sign(&json))?.map_err(|e| to_ruby(ruby, e))?;
        Ok(Some(message_string(ruby, &out, rb_self.compat)))
    }

    /// Decrypt + metadata + JSON in one call, for the JSON serializers. Returns the value, the
    /// `content` marker (Rails returns nil) or `[general, plaintext]` (Ruby's path continues
    /// from the plaintext). A message that does not decrypt raises, as `#decrypt` does.
    #[allow(clippy::too_many_arguments)]
    fn decrypt_json(
        ruby: &Ruby,
        rb_self: &Self,
        message: RString,
        purpose: RString,
        require_metadata: bool,
        max_nesting: Option<usize>,
        create_id: Option<String>,
        content: Value,
        general: Value,
    ) -> Result<Value, Error> {
        let args = JsonArgs::new(
            purpose,
            require_metadata,
            max_nesting,
            create_id,
            true,
            (content, general),
        );
        count_opened();
        let plain = guard(ruby, || {
            with_bytes(message, |m| rb_self.inner.decrypt_and_verify(m))
        })?
        .map_err(|e| to_ruby(ruby, e))?;
        json_read_value(ruby, plain, &args, rb_self.compat)
    }

    fn decrypt(ruby: &Ruby, rb_self: &Self, message: RString) -> Result<Value, Error> {
        count_opened();
        let plain = guard(ruby, || {
            with_bytes(message, |m| rb_self.inner.decrypt_and_verify(m))
        })?
        .map_err(|e| to_ruby(ruby, e))?;
        Ok(plaintext_value(ruby, plain))
    }
}

pub fn init(ruby: &Ruby, native: RModule) -> Result<(), Error> {
    let class = native.define_class("Encryptor", ruby.class_object())?;
    class.define_singleton_method("gcm", function!(gcm, 3))?;
    class.define_singleton_method("cbc", function!(cbc, 5))?;
    class.define_method("encrypt", method!(Encryptor::encrypt, 1))?;
    class.define_method(
        "encrypt_enveloped",
        method!(Encryptor::encrypt_enveloped, 3),
    )?;
    class.define_method("decrypt", method!(Encryptor::decrypt, 1))?;
    class.define_method("decrypt_json", method!(Encryptor::decrypt_json, 7))?;
    class.define_method(
        "encrypt_json_envelope",
        method!(Encryptor::encrypt_json_envelope, 4),
    )?;
    native.define_singleton_method("opened_count", function!(opened_count, 0))?;
    native.define_singleton_method("empty_data=", function!(set_empty_data, 1))?;
    native.define_singleton_method("empty_data", function!(empty_data, 0))?;
    native.define_singleton_method("alphabet_fallback=", function!(set_alphabet_fallback, 1))?;
    native.define_singleton_method("alphabet_fallback", function!(alphabet_fallback, 0))?;
    Ok(())
}
