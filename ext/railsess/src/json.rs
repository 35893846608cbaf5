//! `Railsess::Native.json_parse(source, max_nesting, create_id, fallback)`: JSON text straight into Ruby
//! objects, for the JSON serializers' `load` (`JSON.parse` / `JSON.load` with their defaults).
//!
//! Only the common case is handled here; for anything where Ruby's parser could answer
//! differently it returns `fallback` (a sentinel object) and Ruby parses the text itself, so
//! results and errors are Ruby's own: invalid or unusual JSON (comments, NaN, trailing commas,
//! invalid UTF-8, lone surrogates), numbers of magnitude 2**63 or more (an integer that large
//! is a Bignum in Ruby where serde makes it a float), nesting past
//! `max_nesting` (Ruby raises) or past serde's limit, blank input, an object with the
//! `create_id` key (`JSON.load` would instantiate a class), a non-UTF-8 source encoding.
//!
//! GC: every Ruby object created here is referenced from this stack (the container being built,
//! or the element just returned to it) until it is stored in its parent, so Ruby's conservative
//! stack scan keeps it alive.

use std::fmt;
use std::os::raw::c_int;

use magnus::rb_sys::{AsRawValue, FromRawValue};
use magnus::{function, prelude::*, Error, RArray, RHash, RModule, RString, Ruby, Value};
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

struct Seed<'r> {
    ruby: &'r Ruby,
    depth: usize,
    max_nesting: usize,
    create_id: Option<&'r str>,
}

impl<'r> Seed<'r> {
    fn child(&self) -> Seed<'r> {
        Seed {
            ruby: self.ruby,
            depth: self.depth + 1,
            max_nesting: self.max_nesting,
            create_id: self.create_id,
        }
    }

    fn enter<E: serde::de::Error>(&self) -> Result<(), E> {
        if self.max_nesting > 0 && self.depth + 1 > self.max_nesting {
            return Err(E::custom("nesting too deep"));
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JSON")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(if v {
            self.ruby.qtrue().as_value()
        } else {
            self.ruby.qfalse().as_value()
        })
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(self.ruby.integer_from_i64(v).as_value())
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(self.ruby.integer_from_u64(v).as_value())
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        // serde reads "-0" as -0.0 where Ruby reads the Integer 0: let Ruby decide.
        if v == 0.0 && v.is_sign_negative() {
            return Err(E::custom("negative zero"));
        }
        // An integer literal outside i64/u64 arrives here as a float; Ruby makes it a Bignum.
        // Every such literal is at least 2**63 in magnitude, so Ruby decides for all of those
        // (float literals that large included: slower, never different).
        if v.abs() >= BIGNUM_FLOOR {
            return Err(E::custom("integer may need a Bignum"));
        }
        Ok(self.ruby.float_from_f64(v).as_value())
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(self.ruby.str_new(v).as_value())
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(self.ruby.qnil().as_value())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.enter()?;
        let array: RArray = self.ruby.ary_new();
        while let Some(element) = seq.next_element_seed(self.child())? {
            // SAFETY: a new, unfrozen Array: rb_ary_push cannot raise (bar out of memory, which
            // Ruby handles by ending the process anyway). magnus' `push` would add an rb_protect
            // per element.
            unsafe { rb_sys::rb_ary_push(array.as_raw(), element.as_raw()) };
        }
        Ok(array.as_value())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.enter()?;
        let hash: RHash = self.ruby.hash_new();
        while let Some(key) = map.next_key_seed(KeySeed(self.create_id))? {
            let value = map.next_value_seed(self.child())?;
            // SAFETY: a new, unfrozen Hash with a String key: rb_hash_aset cannot raise.
            unsafe { rb_sys::rb_hash_aset(hash.as_raw(), key.as_raw(), value.as_raw()) };
        }
        Ok(hash.as_value())
    }
}

struct KeySeed<'r>(Option<&'r str>);

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Value, E> {
        if self.0 == Some(v) {
            return Err(E::custom("JSON.load would create an object"));
        }
        let len = std::os::raw::c_long::try_from(v.len()).map_err(E::custom)?;
        // The frozen, deduplicated key `Hash#[]=` would store anyway (rb_hash_aset replaces an
        // unfrozen String key by its interned copy): one allocation per key instead of two.
        // SAFETY: `v` is valid UTF-8 of `len` bytes; the result is a live Ruby String.
        Ok(unsafe {
            Value::from_raw(rb_sys::rb_enc_interned_str(
                v.as_ptr().cast(),
                len,
                rb_sys::rb_utf8_encoding(),
            ))
        })
    }
}

/// 2**63: the smallest magnitude of an integer literal that fits neither i64 nor u64.
const BIGNUM_FLOOR: f64 = 9_223_372_036_854_775_808.0;

/// Parses `bytes` into Ruby objects, or `None` where Ruby's own parser must decide.
pub(crate) fn parse(
    ruby: &Ruby,
    bytes: &[u8],
    max_nesting: Option<usize>,
    create_id: Option<&str>,
) -> Result<Option<Value>, Error> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let seed = Seed {
        ruby,
        depth: 0,
        max_nesting: max_nesting.unwrap_or(0),
        create_id,
    };
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let parsed = crate::guard(ruby, || {
        seed.deserialize(&mut de)
            .and_then(|value| de.end().map(|()| value))
    })?;
    Ok(parsed.ok())
}

fn json_parse(
    ruby: &Ruby,
    source: RString,
    max_nesting: Option<usize>,
    create_id: Option<String>,
    fallback: Value,
) -> Result<Value, Error> {
    let encoding_ok = {
        let enc = source.enc_get();
        enc == ruby.utf8_encindex()
            || enc == ruby.ascii8bit_encindex()
            || enc == ruby.usascii_encindex()
    };
    if !encoding_ok {
        return Ok(fallback);
    }
    // Ruby objects are created while parsing (the GC may run), so parse a copy, not a borrow.
    let bytes = crate::strings::with_bytes(source, <[u8]>::to_vec);
    Ok(parse(ruby, &bytes, max_nesting, create_id.as_deref())?.unwrap_or(fallback))
}

/// `Railsess::Native.json_options_within(options, allowed)`: whether every key of the Hash
/// `options` is one of the Symbols in `allowed` (`JSON.load_default_options` checked on each
/// read without hashing it or running a block).
fn json_options_within(options: RHash, allowed: RArray) -> bool {
    struct Check {
        allowed: Vec<rb_sys::VALUE>,
        within: bool,
    }

    extern "C" fn each(key: rb_sys::VALUE, _value: rb_sys::VALUE, arg: rb_sys::VALUE) -> c_int {
        // SAFETY: `arg` is the `Check` below, alive for the whole rb_hash_foreach call.
        let check = unsafe { &mut *(arg as *mut Check) };
        if check.allowed.contains(&key) {
            rb_sys::st_retval::ST_CONTINUE as c_int
        } else {
            check.within = false;
            rb_sys::st_retval::ST_STOP as c_int
        }
    }

    let mut check = Check {
        allowed: allowed.into_iter().map(|v| v.as_raw()).collect(),
        within: true,
    };
    // SAFETY: `options` is a live Hash; the callback neither raises nor changes it.
    unsafe {
        rb_sys::rb_hash_foreach(
            options.as_raw(),
            Some(each),
            std::ptr::addr_of_mut!(check) as *mut std::ffi::c_void as rb_sys::VALUE,
        )
    };
    check.within
}

pub fn init(_ruby: &Ruby, native: RModule) -> Result<(), Error> {
    native.define_singleton_method("json_parse", function!(json_parse, 4))?;
    native.define_singleton_method("json_options_within", function!(json_options_within, 2))?;
    Ok(())
}
