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
use railsess_core::{Compat, Digest, MessageEncryptor};

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::convert::compat_from;
use crate::errors::to_ruby;
use crate::json_read::JsonArgs;
use crate::sealer::{open, open_json, seal, seal_enveloped, seal_json_envelope, Sealer};
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

impl Sealer for Encryptor {
    fn compat(&self) -> Compat {
        self.compat
    }

    fn seal(&self, data: &[u8]) -> railsess_core::error::Result<String> {
        self.inner.encrypt_and_sign(data)
    }

    fn open(&self, message: &[u8]) -> railsess_core::error::Result<Option<Vec<u8>>> {
        self.inner.decrypt_and_verify(message).map(Some)
    }
}

/// `#decrypt_json(message, purpose, require_metadata, max_nesting, create_id, content, general)`:
/// decrypt + metadata + JSON in one call (sealer::open_json); a mismatched purpose is final.
#[allow(clippy::too_many_arguments)]
fn decrypt_json(
    ruby: &Ruby,
    rb_self: &Encryptor,
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
    open_json(ruby, rb_self, message, args)
}

pub fn init(ruby: &Ruby, native: RModule) -> Result<(), Error> {
    let class = native.define_class("Encryptor", ruby.class_object())?;
    class.define_singleton_method("gcm", function!(gcm, 3))?;
    class.define_singleton_method("cbc", function!(cbc, 5))?;
    class.define_method("encrypt", method!(seal::<Encryptor>, 1))?;
    class.define_method("encrypt_enveloped", method!(seal_enveloped::<Encryptor>, 3))?;
    class.define_method(
        "encrypt_json_envelope",
        method!(seal_json_envelope::<Encryptor>, 4),
    )?;
    class.define_method("decrypt", method!(open::<Encryptor>, 1))?;
    class.define_method("decrypt_json", method!(decrypt_json, 7))?;
    native.define_singleton_method("opened_count", function!(opened_count, 0))?;
    native.define_singleton_method("empty_data=", function!(set_empty_data, 1))?;
    native.define_singleton_method("empty_data", function!(empty_data, 0))?;
    native.define_singleton_method("alphabet_fallback=", function!(set_alphabet_fallback, 1))?;
    native.define_singleton_method("alphabet_fallback", function!(alphabet_fallback, 0))?;
    Ok(())
}
