//! The JSON fast path's reading (`Encryptor#decrypt_json`, `Verifier#verified_json`): what
//! ActiveSupport's `Messages::Metadata` and the JSON serializers make of a decrypted or verified
//! plaintext, decided here for the common cases and handed back to Ruby for everything else.
//!
//! ```text
//! {"_rails":{"message":"<b64>","exp":..,"pur":..}}   legacy envelope (every version)
//! {"_rails":{"data":<value>,"exp":..,"pur":..}}      7.1+ envelope, inside the JSON itself
//! <value>                                            no metadata
//! ```

use magnus::rb_sys::FromRawValue;
use magnus::{prelude::*, Error, IntoValue, RHash, RString, Ruby, Value};
use railsess_core::{Compat, LegacyEnvelope};

use crate::convert::plaintext_value;
use crate::strings::with_bytes;
use crate::time::expired;

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

/// The envelope's Hash key `name` as Ruby's interned (frozen, deduplicated) String: looking it
/// up allocates nothing after the first time.
fn key(name: &'static str) -> Value {
    // SAFETY: `name` is valid for the call; Ruby copies it into its fstring table (or finds it
    // there) and returns a live, frozen String.
    unsafe {
        Value::from_raw(rb_sys::rb_interned_str(
            name.as_ptr().cast(),
            name.len() as std::os::raw::c_long,
        ))
    }
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
    let envelope = RHash::from_value(value).and_then(|hash| hash.get(key("_rails")));
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
    if let Some(exp) = fields.get(key("exp")).filter(|exp| exp.to_bool()) {
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
    let purpose_matches = match fields.get(key("pur")) {
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
        fields
            .get(key("data"))
            .unwrap_or_else(|| ruby.qnil().as_value()),
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
