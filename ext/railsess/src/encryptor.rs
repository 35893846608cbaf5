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

use magnus::rb_sys::AsRawValue;
use magnus::{
    function, method, prelude::*, Error, IntoValue, RHash, RModule, RString, Ruby, Value,
};
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
    /// A canonical legacy envelope with an expiry: checked against `Time.now`, then as `Parse`.
    Expiring {
        message: Vec<u8>,
        exp: String,
        pur: Option<String>,
    },
    /// Rails 7.1+: deserialize, then look for the metadata in the value (see `read_71`).
    Deserialize71,
    /// Purpose mismatch or missing metadata: Rails returns nil.
    Content,
    /// Anything else (odd envelopes, bad base64): the Ruby path decides.
    General,
}

/// What every Rails version's `Messages::Metadata` reads the same way, decided from the
/// plaintext's bytes: a canonical legacy envelope, the 7.1+ form (after parsing), or (6.1/7.0)
/// a plaintext that cannot hold metadata.
fn json_read(plain: &[u8], purpose: &[u8], require_metadata: bool, compat: Compat) -> JsonRead {
    match LegacyEnvelope::parse(plain) {
        Some(LegacyEnvelope { message: None, .. }) => JsonRead::General,
        Some(LegacyEnvelope {
            message: Some(message),
            exp: Some(exp),
            pur,
        }) => JsonRead::Expiring { message, exp, pur },
        Some(LegacyEnvelope {
            message: Some(message),
            pur,
            exp: None,
        }) => {
            if pur.as_deref().unwrap_or("").as_bytes() == purpose {
                JsonRead::Parse(Some(message))
            } else {
                JsonRead::Content
            }
        }
        // A non-canonical legacy envelope (7.1+ decodes it with ActiveSupport::JSON): Ruby.
        None if compat >= Compat::Rails71 && plain.starts_with(LEGACY_PREFIX) => JsonRead::General,
        None if compat >= Compat::Rails71 => JsonRead::Deserialize71,
        // 6.1/7.0 look for "_rails" in the text (or, escaped, still there): Ruby decides.
        None if railsess_core::codec::find(plain, b"_rails").is_some()
            || railsess_core::codec::find(plain, b"\\u").is_some() =>
        {
            JsonRead::General
        }
        None if require_metadata => JsonRead::Content,
        None => JsonRead::Parse(None),
    }
}

/// What ActiveSupport 7.1+'s `deserialize_with_metadata` checks first (`dual_serialized_metadata_envelope_json?`).
const LEGACY_PREFIX: &[u8] = br#"{"_rails":{"message":"#;

/// Shared by the encryptor and the verifier: the Ruby value for a JSON fast-path read. Returns
/// the parsed value, the `content` marker (nil in Rails), or, when Ruby's own path must decide,
/// `[general, plaintext]` (see `opened`): the message is never decrypted or verified twice.
pub fn json_read_value(
    ruby: &Ruby,
    plain: Vec<u8>,
    args: &JsonArgs,
    compat: Compat,
) -> Result<Value, Error> {
    if !args.purpose_plain {
        return Ok(opened(ruby, args.general, Some(plain)));
    }
    let parse =
        |bytes: &[u8]| crate::json::parse(ruby, bytes, args.max_nesting, args.create_id.as_deref());
    let read = match json_read(&plain, &args.purpose, args.require_metadata, compat) {
        JsonRead::Expiring { message, exp, pur } => match expired(ruby, exp.as_bytes())? {
            None => JsonRead::General,
            Some(true) => JsonRead::Content,
            Some(false) if pur.as_deref().unwrap_or("").as_bytes() == args.purpose => {
                JsonRead::Parse(Some(message))
            }
            Some(false) => JsonRead::Content,
        },
        read => read,
    };
    let parsed = match read {
        JsonRead::Parse(Some(message)) => parse(&message)?,
        JsonRead::Parse(None) => parse(&plain)?,
        JsonRead::Deserialize71 => match parse(&plain)? {
            Some(value) => read_71(ruby, value, args)?,
            None => None,
        },
        JsonRead::Content if args.content_final => Some(args.content),
        JsonRead::Expiring { .. } | JsonRead::Content | JsonRead::General => None,
    };
    Ok(parsed.unwrap_or_else(|| opened(ruby, args.general, Some(plain))))
}

/// ActiveSupport 7.1+'s `deserialize_with_metadata` on a deserialized value:
///
/// ```ruby
/// if deserialized.is_a?(Hash) && deserialized.key?("_rails")
///   hash = deserialized["_rails"]
///   throw :invalid_message_content, "expired" if hash["exp"] && Time.now.utc >= parse_expiry(hash["exp"])
///   throw :invalid_message_content, "mismatched purpose" if hash["pur"].to_s != purpose.to_s
///   hash["data"]
/// elsif no purpose: deserialized, else throw :invalid_message_content, "missing metadata"
/// ```
///
/// None (Ruby decides) for whatever that code could answer differently: `_rails` not a Hash,
/// an expiry not in the form Rails writes, a purpose that is not a String.
fn read_71(ruby: &Ruby, value: Value, args: &JsonArgs) -> Result<Option<Value>, Error> {
    let content = args.content_final.then_some(args.content);
    let envelope = RHash::from_value(value).and_then(|hash| hash.get("_rails"));
    let Some(envelope) = envelope else {
        return Ok(if args.require_metadata {
            content
        } else {
            Some(value)
        });
    };
    let Some(fields) = RHash::from_value(envelope) else {
        return Ok(None);
    };
    if let Some(exp) = fields.get("exp").filter(|exp| exp.to_bool()) {
        let Some(exp) = RString::from_value(exp) else {
            return Ok(None);
        };
        // A copy: Ruby runs (Time.now) before the bytes are read.
        match expired(ruby, &with_bytes(exp, <[u8]>::to_vec))? {
            None => return Ok(None),
            Some(true) => return Ok(content),
            Some(false) => {}
        }
    }
    let purpose_matches = match fields.get("pur") {
        None => args.purpose.is_empty(),
        Some(pur) if pur.is_nil() => args.purpose.is_empty(),
        Some(pur) => match RString::from_value(pur) {
            Some(pur) => with_bytes(pur, |p| p == args.purpose.as_slice()),
            None => return Ok(None),
        },
    };
    if !purpose_matches {
        return Ok(content);
    }
    Ok(Some(
        fields.get("data").unwrap_or_else(|| ruby.qnil().as_value()),
    ))
}

/// `Time.now.utc >= Time.iso8601(exp)` for an expiry in the form Rails writes (None for any
/// other: Ruby parses it). Time.now is Ruby's, so `travel_to` and other stubs apply.
fn expired(ruby: &Ruby, exp: &[u8]) -> Result<Option<bool>, Error> {
    let Some(exp_millis) = railsess_core::timestamp::iso8601_millis(exp) else {
        return Ok(None);
    };
    let now: Value = ruby.class_time().funcall("now", ())?;
    Ok(epoch_millis(ruby, now).map(|now_millis| now_millis >= exp_millis))
}

/// Whole milliseconds since the epoch of a Time (None for anything else): `now >= exp` exactly
/// when `floor(now) >= exp`, for an expiry in whole milliseconds.
fn epoch_millis(ruby: &Ruby, time: Value) -> Option<i64> {
    let (secs, nanos) = timespec(ruby, time)?;
    secs.checked_mul(1000)?.checked_add(nanos / 1_000_000)
}

/// `Native.iso8601_3(time)`: `time.iso8601(3)` for a UTC Time of the years 1970-9999 (what
/// `pick_expiry` writes), nil for anything Ruby must format.
fn iso8601_3(ruby: &Ruby, time: Value) -> Option<RString> {
    let (secs, nanos) = timespec(ruby, time)?;
    let text = railsess_core::timestamp::format_iso8601_millis(secs, u32::try_from(nanos).ok()?)?;
    Some(ruby.enc_str_new(text, ruby.utf8_encoding()))
}

/// A Time's seconds and nanoseconds since the epoch (truncated); None for anything not a Time.
// time_t and long are i64 here but not on every platform Ruby runs on.
#[allow(clippy::useless_conversion)]
fn timespec(ruby: &Ruby, time: Value) -> Option<(i64, i64)> {
    if !time.is_kind_of(ruby.class_time()) {
        return None;
    }
    let mut spec = None;
    // rb_time_timespec raises (ArgumentError, RangeError) for a Time beyond time_t: protected,
    // that is None and Ruby's own path decides.
    magnus::rb_sys::protect(|| {
        // SAFETY: `time` is a live Time.
        spec = Some(unsafe { rb_sys::rb_time_timespec(time.as_raw()) });
        ruby.qnil().as_raw()
    })
    .ok()?;
    let spec = spec?;
    Some((
        i64::try_from(spec.tv_sec).ok()?,
        i64::try_from(spec.tv_nsec).ok()?,
    ))
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
    /// Whether Ruby's `pur.to_s == purpose.to_s` is a byte comparison for this purpose (UTF-8,
    /// or ASCII in US-ASCII/ASCII-8BIT) against the UTF-8 Strings JSON gives: otherwise Ruby
    /// compares (encodings can make equal bytes unequal).
    pub purpose_plain: bool,
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
        let ruby = Ruby::get_with(purpose);
        let enc = purpose.enc_get();
        let purpose = with_bytes(purpose, <[u8]>::to_vec);
        let purpose_plain = enc == ruby.utf8_encindex()
            || ((enc == ruby.usascii_encindex() || enc == ruby.ascii8bit_encindex())
                && purpose.is_ascii());
        JsonArgs {
            purpose,
            purpose_plain,
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
        let json = crate::json_generate::envelope(
            ruby,
            data,
            mode,
            exp.map(|e| e.as_value()),
            pur.map(|p| p.as_value()),
        )?;
        let Some(json) = json else {
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
    native.define_singleton_method("iso8601_millis", function!(iso8601_millis, 1))?;
    native.define_singleton_method("iso8601_3", function!(iso8601_3, 1))?;
    native.define_singleton_method("empty_data=", function!(set_empty_data, 1))?;
    native.define_singleton_method("empty_data", function!(empty_data, 0))?;
    native.define_singleton_method("alphabet_fallback=", function!(set_alphabet_fallback, 1))?;
    native.define_singleton_method("alphabet_fallback", function!(alphabet_fallback, 0))?;
    Ok(())
}
