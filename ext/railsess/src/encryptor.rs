//! `Railsess::Native::Encryptor`: one prepared cipher (key schedule built once), no serializer.
//!
//! * `Encryptor.gcm(secret, url_safe, compat)` / `Encryptor.cbc(secret, sign_secret, digest, url_safe, compat)`
//! * `#encrypt(serialized)` and `#encrypt_enveloped(serialized, exp, pur)` (legacy `_rails` envelope)
//! * `#decrypt(message)`: the plaintext String, or `[message, exp, pur]` when the plaintext is the
//!   canonical legacy envelope (`message` is nil when its base64 is invalid).
//! * `Native.empty_data = bool`: whether encryptors built afterwards follow an openssl gem that
//!   encrypts empty data (3.2+) or one that refuses it (older); set once by lib/railsess/native.rb
//!   from the loaded gem, which is the same for the whole process.
//! * `Native.alphabet_fallback = bool`: whether verifiers (and CBC encryptors) built afterwards at
//!   the 7.2 level decode with the other base64 alphabet when the configured one fails, as
//!   ActiveSupport 7.2.3+ does (false for a loaded ActiveSupport 7.2.0-7.2.2).

use magnus::{function, method, prelude::*, Error, IntoValue, RModule, RString, Ruby, Value};
use railsess_core::{wrap_legacy, Compat, Digest, LegacyEnvelope, MessageEncryptor};

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::errors::{guard, to_ruby};
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

/// `Native.iso8601_millis(string)`: milliseconds since the epoch of an expiry as Rails writes it
/// (`Time#iso8601(3)`, UTC), or nil for anything Ruby's parser must read (see timestamp.rs).
fn iso8601_millis(text: RString) -> Option<i64> {
    with_bytes(text, railsess_core::timestamp::iso8601_millis)
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

/// What the JSON fast path (`#decrypt_json`, `Verifier#verified_json`) makes of a plaintext.
enum JsonRead {
    /// Serialized JSON to parse (the envelope's decoded message, or the plaintext itself when
    /// None): no metadata to check, or metadata that matched.
    Parse(Option<Vec<u8>>),
    /// Rails 7.1+ deserializes before it finds the metadata missing: parse (a parse failure is
    /// Ruby's to report), then answer nil.
    ParseThenContent,
    /// Purpose mismatch or missing metadata: Rails returns nil.
    Content,
    /// Anything else (expiry, odd envelopes, bad base64): the Ruby path decides.
    General,
}

/// The checks every Rails version agrees on for the common cases (see Messages::Metadata):
/// a canonical legacy envelope without expiry, or a plaintext that cannot hold metadata.
fn json_read(plain: &[u8], purpose: &[u8], require_metadata: bool, compat: Compat) -> JsonRead {
    match LegacyEnvelope::parse(plain) {
        Some(LegacyEnvelope { exp: Some(_), .. }) | Some(LegacyEnvelope { message: None, .. }) => {
            JsonRead::General
        }
        Some(LegacyEnvelope {
            message: Some(message),
            pur,
            ..
        }) => {
            if pur.as_deref().unwrap_or("").as_bytes() == purpose {
                JsonRead::Parse(Some(message))
            } else {
                JsonRead::Content
            }
        }
        // "_rails" could be a 7.1-style envelope (or, escaped, still one): Ruby decides.
        None if railsess_core::codec::find(plain, b"_rails").is_some()
            || railsess_core::codec::find(plain, b"\\u").is_some() =>
        {
            JsonRead::General
        }
        None if require_metadata && compat >= Compat::Rails71 => JsonRead::ParseThenContent,
        None if require_metadata => JsonRead::Content,
        None => JsonRead::Parse(None),
    }
}

/// Shared by the encryptor and the verifier: the Ruby value for a JSON fast-path read. Returns
/// the parsed value, the `content` marker (nil in Rails), or, when Ruby's own path must decide,
/// `[general, plaintext]` (see `opened`): the message is never decrypted or verified twice.
pub fn json_read_value(
    ruby: &Ruby,
    plain: Vec<u8>,
    args: &JsonArgs,
    compat: Compat,
) -> Result<Value, Error> {
    let parse =
        |bytes: &[u8]| crate::json::parse(ruby, bytes, args.max_nesting, args.create_id.as_deref());
    let parsed = match json_read(&plain, &args.purpose, args.require_metadata, compat) {
        JsonRead::Parse(Some(message)) => parse(&message)?,
        JsonRead::Parse(None) => parse(&plain)?,
        JsonRead::ParseThenContent if args.content_final => parse(&plain)?.map(|_| args.content),
        JsonRead::Content if args.content_final => Some(args.content),
        JsonRead::ParseThenContent | JsonRead::Content | JsonRead::General => None,
    };
    Ok(parsed.unwrap_or_else(|| opened(ruby, args.general, Some(plain))))
}

/// `[general, plaintext]` for Ruby's path to continue from: the plaintext as `#decrypt` /
/// `Verifier#verified` return it, or nil for a message that is not authentic.
pub fn opened(ruby: &Ruby, general: Value, plain: Option<Vec<u8>>) -> Value {
    let plain = plain.map(|p| plaintext_value(ruby, p));
    ruby.ary_new_from_values(&[general, plain.into_value_with(ruby)])
        .as_value()
}

/// The arguments of the JSON fast path, converted once per call.
pub struct JsonArgs {
    pub purpose: Vec<u8>,
    pub require_metadata: bool,
    pub max_nesting: Option<usize>,
    pub create_id: Option<String>,
    /// Whether a mismatched purpose is the final answer (false where a 6.1/7.0 verifier still
    /// tries its rotations): otherwise the plaintext goes to Ruby.
    pub content_final: bool,
    pub content: Value,
    pub general: Value,
}

impl JsonArgs {
    pub fn new(
        purpose: RString,
        require_metadata: bool,
        max_nesting: Option<usize>,
        create_id: Option<String>,
        content_final: bool,
        markers: (Value, Value),
    ) -> JsonArgs {
        JsonArgs {
            purpose: with_bytes(purpose, <[u8]>::to_vec),
            require_metadata,
            max_nesting,
            create_id,
            content_final,
            content: markers.0,
            general: markers.1,
        }
    }
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
    native.define_singleton_method("opened_count", function!(opened_count, 0))?;
    native.define_singleton_method("iso8601_millis", function!(iso8601_millis, 1))?;
    native.define_singleton_method("empty_data=", function!(set_empty_data, 1))?;
    native.define_singleton_method("empty_data", function!(empty_data, 0))?;
    native.define_singleton_method("alphabet_fallback=", function!(set_alphabet_fallback, 1))?;
    native.define_singleton_method("alphabet_fallback", function!(alphabet_fallback, 0))?;
    Ok(())
}
