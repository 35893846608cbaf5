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

use std::cell::RefCell;
use std::fmt;
use std::os::raw::c_int;

use magnus::rb_sys::{AsRawValue, FromRawValue};
use magnus::{function, prelude::*, Error, RArray, RHash, RModule, RString, Ruby, Value};
use rb_sys::{stable_api, StableApiDefinition};
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

struct Seed<'r> {
    ruby: &'r Ruby,
    depth: usize,
    max_nesting: usize,
    create_id: Option<&'r str>,
    keys: &'r RefCell<KeyCache>,
}

impl<'r> Seed<'r> {
    fn child(&self) -> Seed<'r> {
        Seed {
            ruby: self.ruby,
            depth: self.depth + 1,
            max_nesting: self.max_nesting,
            create_id: self.create_id,
            keys: self.keys,
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
        // The first elements wait in this frame's buffer (on the machine stack, so Ruby's
        // conservative GC sees them) and become the Array in one allocation; a longer Array
        // takes the rest by rb_ary_push.
        let mut buffer = [rb_sys::Qnil as rb_sys::VALUE; INLINE];
        let mut len = 0;
        let mut spilled: Option<rb_sys::VALUE> = None;
        while let Some(element) = seq.next_element_seed(self.child())? {
            match (spilled, buffer.get_mut(len)) {
                (None, Some(slot)) => {
                    *slot = element.as_raw();
                    len += 1;
                }
                // SAFETY: a new, unfrozen Array: rb_ary_push cannot raise (bar out of memory,
                // which ends the process anyway). magnus' `push` adds an rb_protect per element.
                (Some(array), _) => unsafe {
                    rb_sys::rb_ary_push(array, element.as_raw());
                },
                (None, None) => {
                    let array = new_array(&buffer, INLINE * 2);
                    // SAFETY: as above.
                    unsafe { rb_sys::rb_ary_push(array, element.as_raw()) };
                    spilled = Some(array);
                }
            }
        }
        let array = match spilled {
            Some(array) => array,
            None => new_array(buffer.get(..len).unwrap_or_default(), len),
        };
        // SAFETY: a live Array.
        Ok(unsafe { Value::from_raw(array) })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.enter()?;
        // As for Arrays: up to INLINE / 2 pairs wait here and go in with one bulk insert.
        let mut buffer = [rb_sys::Qnil as rb_sys::VALUE; INLINE];
        let mut len = 0;
        let mut spilled: Option<rb_sys::VALUE> = None;
        while let Some(key) = map.next_key_seed(KeySeed(self.create_id, self.keys))? {
            let value = map.next_value_seed(self.child())?;
            if spilled.is_none() && len + 2 <= INLINE {
                if let Some(pair) = buffer.get_mut(len..len + 2) {
                    pair.copy_from_slice(&[key.as_raw(), value.as_raw()]);
                    len += 2;
                    continue;
                }
            }
            let hash = *spilled.get_or_insert_with(|| new_hash(&buffer));
            // SAFETY: a new, unfrozen Hash with a frozen String key: rb_hash_aset cannot raise.
            unsafe { rb_sys::rb_hash_aset(hash, key.as_raw(), value.as_raw()) };
        }
        let hash = match spilled {
            Some(hash) => hash,
            None => new_hash(buffer.get(..len).unwrap_or_default()),
        };
        // SAFETY: a live Hash.
        Ok(unsafe { Value::from_raw(hash) })
    }
}

/// Elements (or key/value pairs) of a container kept in its parse frame before it is built.
const INLINE: usize = 16;

/// A new Array holding `elements`, with room for `capacity`.
fn new_array(elements: &[rb_sys::VALUE], capacity: usize) -> rb_sys::VALUE {
    let len = elements.len() as std::os::raw::c_long;
    // SAFETY: `elements` lives in a parse frame on the machine stack: if allocating the Array
    // runs the GC, its conservative scan finds (and keeps) them. rb_ary_cat copies them in after
    // the allocation, into room it already has.
    unsafe {
        let array = rb_sys::rb_ary_new_capa(capacity.max(elements.len()) as std::os::raw::c_long);
        rb_sys::rb_ary_cat(array, elements.as_ptr(), len);
        array
    }
}

/// A new Hash of `pairs` (key, value, key, value...), inserted in order as `Hash#[]=` would.
fn new_hash(pairs: &[rb_sys::VALUE]) -> rb_sys::VALUE {
    // SAFETY: as in `new_array`; the keys are frozen Strings, as bulk insertion requires.
    unsafe {
        let hash = rb_sys::rb_hash_new();
        rb_sys::rb_hash_bulk_insert(pairs.len() as std::os::raw::c_long, pairs.as_ptr(), hash);
        hash
    }
}

/// The object keys of one parse: documents repeat keys (an Array of Hashes with the same
/// fields), and finding a key here is cheaper than in Ruby's fstring table. It lives in the
/// parse's frame on the machine stack, so the cached Strings are pinned by Ruby's conservative
/// GC scan (they are also stored in Hashes of the value being built).
struct KeyCache {
    len: usize,
    /// Length and first and last bytes of each key: most misses end at this comparison.
    tags: [u32; KeyCache::SIZE],
    entries: [rb_sys::VALUE; KeyCache::SIZE],
}

impl KeyCache {
    const SIZE: usize = 32;

    fn new() -> KeyCache {
        KeyCache {
            len: 0,
            tags: [0; KeyCache::SIZE],
            entries: [rb_sys::Qnil as rb_sys::VALUE; KeyCache::SIZE],
        }
    }

    fn tag(key: &[u8]) -> u32 {
        let edge = |b: Option<&u8>| u32::from(b.copied().unwrap_or(0));
        ((key.len() as u32) << 16) | (edge(key.first()) << 8) | edge(key.last())
    }

    fn get(&self, key: &[u8]) -> Option<Value> {
        let api = stable_api::get_default();
        let tag = KeyCache::tag(key);
        let tags = self.tags.get(..self.len)?.iter();
        tags.zip(self.entries.iter()).find_map(|(&t, &cached)| {
            if t != tag {
                return None;
            }
            // SAFETY: `cached` is a live, frozen String (see above): its bytes do not change.
            let bytes = unsafe {
                std::slice::from_raw_parts(
                    api.rstring_ptr(cached).cast::<u8>(),
                    api.rstring_len(cached) as usize,
                )
            };
            // SAFETY: a live String.
            (bytes == key).then(|| unsafe { Value::from_raw(cached) })
        })
    }

    fn remember(&mut self, key: &[u8], value: Value) {
        if let (Some(slot), Some(tag)) =
            (self.entries.get_mut(self.len), self.tags.get_mut(self.len))
        {
            *slot = value.as_raw();
            *tag = KeyCache::tag(key);
            self.len += 1;
        }
    }
}

struct KeySeed<'r>(Option<&'r str>, &'r RefCell<KeyCache>);

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
        if let Some(cached) = self.1.borrow().get(v.as_bytes()) {
            return Ok(cached);
        }
        let len = std::os::raw::c_long::try_from(v.len()).map_err(E::custom)?;
        // The frozen, deduplicated key `Hash#[]=` would store anyway (rb_hash_aset replaces an
        // unfrozen String key by its interned copy): one allocation per key instead of two.
        // SAFETY: `v` is valid UTF-8 of `len` bytes; the result is a live Ruby String.
        let key = unsafe {
            Value::from_raw(rb_sys::rb_enc_interned_str(
                v.as_ptr().cast(),
                len,
                rb_sys::rb_utf8_encoding(),
            ))
        };
        self.1.borrow_mut().remember(v.as_bytes(), key);
        Ok(key)
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
    let keys = RefCell::new(KeyCache::new());
    let seed = Seed {
        ruby,
        depth: 0,
        max_nesting: max_nesting.unwrap_or(0),
        create_id,
        keys: &keys,
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
