//! `Railsess::Native.json_generate(value, mode)`: the JSON text Ruby would write for a plain
//! value, or nil when Ruby must write it itself.
//!
//! `mode` is a set of flags; 0 is `JSON.dump(value)` with the json gem's default options (and
//! `JSON.generate(value)`, which differs only in refusing deep nesting):
//! * `HTML` (1): `<`, `>`, `&` as `\u003c` `\u003e` `\u0026` (ActiveSupport's
//!   `escape_html_entities_in_json`);
//! * `SEPARATORS` (2): U+2028 and U+2029 as `\u2028` `\u2029` (ActiveSupport; optional from
//!   8.1's `escape_js_separators_in_json`);
//! * `ACTIVE_SUPPORT` (4): only what `ActiveSupport::JSON.encode` writes as `JSON.generate`
//!   does: no Symbol keys.
//!
//! Plain means what the json gem's C generator writes without calling back into Ruby, so no
//! `to_json` or `as_json` could change the result: objects whose class is exactly Hash, Array
//! or String, Fixnums, true, false and nil; Hash keys that are Strings (or, without
//! `ACTIVE_SUPPORT`, Symbols, which the generator writes by name while ActiveSupport's
//! as_json could merge `:a` and `"a"`). Strings must be valid UTF-8 or US-ASCII. Anything else
//! (Floats, Bignums, Symbols as values, subclasses, other encodings, nesting deeper than
//! `MAX_DEPTH`) returns nil and Ruby generates the whole value.
//!
//! Escapes within strings are the generator's: `"` and `\`, control characters as `\b \f \n
//! \r \t` or `\u00xx` (lowercase hex); nothing else (not `/`, not DEL, not non-ASCII).
//!
//! No Ruby object is created or code run while walking: the value cannot change under us.

use std::ffi::c_void;
use std::os::raw::c_int;

use magnus::rb_sys::{AsRawValue, FromRawValue};
use magnus::{function, prelude::*, Error, RModule, RString, Ruby, Value};
use rb_sys::{stable_api, StableApiDefinition, VALUE};

/// Deeper values go to Ruby, which knows its own nesting rules (`JSON.generate` raises past
/// 100 levels, `JSON.dump` and ActiveSupport have no limit): sessions are never this deep.
const MAX_DEPTH: usize = 64;

const HTML: u32 = 1;
const SEPARATORS: u32 = 2;
const ACTIVE_SUPPORT: u32 = 4;

struct Generator {
    out: Vec<u8>,
    html: bool,
    separators: bool,
    active_support: bool,
    string_class: VALUE,
    array_class: VALUE,
    hash_class: VALUE,
    utf8: c_int,
    usascii: c_int,
}

/// Marks "Ruby must do it".
struct NotPlain;

type Gen = Result<(), NotPlain>;

impl Generator {
    fn value(&mut self, v: VALUE, depth: usize) -> Gen {
        let api = stable_api::get_default();
        if api.nil_p(v) {
            self.out.extend_from_slice(b"null");
            return Ok(());
        }
        if v == rb_sys::Qtrue as VALUE {
            self.out.extend_from_slice(b"true");
            return Ok(());
        }
        if v == rb_sys::Qfalse as VALUE {
            self.out.extend_from_slice(b"false");
            return Ok(());
        }
        if api.fixnum_p(v) {
            let mut buf = itoa_buffer();
            self.out
                .extend_from_slice(format_i64(&mut buf, api.fix2long(v)));
            return Ok(());
        }
        if api.special_const_p(v) {
            return Err(NotPlain); // Symbols, Floats (flonums), undef
        }
        // SAFETY: `v` is a live heap object (not a special constant), reachable from the
        // argument for the whole call; nothing here runs Ruby code or allocates Ruby objects.
        let class = unsafe { api.rbasic_class(v) }.map(|c| c.as_ptr() as VALUE);
        if class == Some(self.string_class) {
            return self.string(v);
        }
        if depth >= MAX_DEPTH {
            return Err(NotPlain);
        }
        if class == Some(self.array_class) {
            return self.array(v, depth + 1);
        }
        if class == Some(self.hash_class) {
            return self.hash(v, depth + 1);
        }
        Err(NotPlain)
    }

    fn array(&mut self, array: VALUE, depth: usize) -> Gen {
        let api = stable_api::get_default();
        self.out.push(b'[');
        let mut i: isize = 0;
        // Re-read the length each time: cheap, and never stale.
        // SAFETY: `array` is a live Array; indexes are below its current length.
        while i < unsafe { api.rarray_len(array) } as isize {
            if i > 0 {
                self.out.push(b',');
            }
            let element = unsafe { api.rarray_aref(array, i) };
            self.value(element, depth)?;
            i += 1;
        }
        self.out.push(b']');
        Ok(())
    }

    fn hash(&mut self, hash: VALUE, depth: usize) -> Gen {
        struct Walk<'g> {
            generator: &'g mut Generator,
            depth: usize,
            first: bool,
            failed: bool,
        }

        extern "C" fn each(key: VALUE, value: VALUE, arg: VALUE) -> c_int {
            // SAFETY: `arg` is the `Walk` below, alive for the whole rb_hash_foreach call.
            let walk = unsafe { &mut *(arg as *mut Walk<'_>) };
            if !walk.first {
                walk.generator.out.push(b',');
            }
            walk.first = false;
            let ok = walk
                .generator
                .key(key)
                .and_then(|()| {
                    walk.generator.out.push(b':');
                    walk.generator.value(value, walk.depth)
                })
                .is_ok();
            if ok {
                rb_sys::st_retval::ST_CONTINUE as c_int
            } else {
                walk.failed = true;
                rb_sys::st_retval::ST_STOP as c_int
            }
        }

        self.out.push(b'{');
        let mut walk = Walk {
            generator: self,
            depth,
            first: true,
            failed: false,
        };
        // SAFETY: `hash` is a live Hash; the callback neither raises nor changes the hash.
        unsafe {
            rb_sys::rb_hash_foreach(
                hash,
                Some(each),
                std::ptr::addr_of_mut!(walk) as *mut c_void as VALUE,
            )
        };
        if walk.failed {
            return Err(NotPlain);
        }
        self.out.push(b'}');
        Ok(())
    }

    fn key(&mut self, key: VALUE) -> Gen {
        let api = stable_api::get_default();
        // SAFETY: type checks on a live value.
        if unsafe { api.symbol_p(key) } {
            if self.active_support {
                return Err(NotPlain);
            }
            // SAFETY: `key` is a Symbol; its name is a frozen String owned by the symbol table.
            let name = unsafe { rb_sys::rb_sym2str(key) };
            return self.string(name);
        }
        if api.special_const_p(key) {
            return Err(NotPlain);
        }
        // SAFETY: `key` is a live heap object.
        let class = unsafe { api.rbasic_class(key) }.map(|c| c.as_ptr() as VALUE);
        if class != Some(self.string_class) {
            return Err(NotPlain);
        }
        self.string(key)
    }

    fn string(&mut self, s: VALUE) -> Gen {
        let api = stable_api::get_default();
        // SAFETY: `s` is a live String.
        let enc = unsafe { api.encoding_get(s) };
        let encoding_ok = enc == self.utf8 || enc == self.usascii;
        if !encoding_ok {
            return Err(NotPlain);
        }
        // SAFETY: as above; the coderange scan is cached on the String and runs no Ruby code.
        let coderange = unsafe { rb_sys::rb_enc_str_coderange(s) };
        if coderange == rb_sys::ruby_coderange_type::RUBY_ENC_CODERANGE_BROKEN as c_int {
            return Err(NotPlain);
        }
        // SAFETY: pointer and length of a live String that nothing modifies during the call.
        let bytes = unsafe {
            std::slice::from_raw_parts(api.rstring_ptr(s).cast::<u8>(), api.rstring_len(s) as usize)
        };
        self.escaped(bytes);
        Ok(())
    }

    fn escaped(&mut self, bytes: &[u8]) {
        railsess_core::json_string::push_escaped(&mut self.out, bytes, self.html, self.separators);
    }
}

fn itoa_buffer() -> [u8; 20] {
    [0; 20]
}

/// Decimal digits of `n` (a Fixnum: well inside i64), written into `buf`.
fn format_i64(buf: &mut [u8; 20], n: i64) -> &[u8] {
    let mut magnitude = n.unsigned_abs();
    let mut at = buf.len();
    loop {
        at -= 1;
        if let Some(slot) = buf.get_mut(at) {
            *slot = b'0' + (magnitude % 10) as u8;
        }
        magnitude /= 10;
        if magnitude == 0 || at == 1 {
            break;
        }
    }
    if n < 0 {
        at -= 1;
        if let Some(slot) = buf.get_mut(at) {
            *slot = b'-';
        }
    }
    buf.get(at..).unwrap_or_default()
}

impl Generator {
    fn new(ruby: &Ruby, mode: u32) -> Result<Generator, Error> {
        if mode > HTML | SEPARATORS | ACTIVE_SUPPORT {
            return Err(Error::new(
                ruby.exception_arg_error(),
                format!("unknown json_generate mode {mode}"),
            ));
        }
        Ok(Generator {
            out: Vec::with_capacity(256),
            html: mode & HTML != 0,
            separators: mode & SEPARATORS != 0,
            active_support: mode & ACTIVE_SUPPORT != 0,
            string_class: ruby.class_string().as_raw(),
            array_class: ruby.class_array().as_raw(),
            hash_class: ruby.class_hash().as_raw(),
            utf8: unsafe { rb_sys::rb_utf8_encindex() },
            usascii: unsafe { rb_sys::rb_usascii_encindex() },
        })
    }

    /// `,"name":value` for each field present, in order.
    fn fields(&mut self, fields: &[(&[u8], Option<Value>)], depth: usize) -> Gen {
        for (name, value) in fields {
            if let Some(value) = value {
                self.out.extend_from_slice(name);
                self.value(value.as_raw(), depth)?;
            }
        }
        Ok(())
    }
}

/// The JSON text of ActiveSupport 7.1+'s metadata envelope, in the order it builds the Hash:
///
/// ```text
/// {"_rails":{"data":<data>,"exp":"2026-12-20T06:00:00.000Z","pur":"cookie._app_session"}}
/// ```
///
/// (`exp` and `pur` only when given), as `json_generate(envelope, mode)` writes it; None when
/// Ruby must write it (`data` or `pur` not plain). The escapes ActiveSupport applies to its
/// whole output only ever apply inside strings, so the parts are written independently.
pub fn envelope(
    ruby: &Ruby,
    data: Value,
    mode: u32,
    exp: Option<RString>,
    pur: Option<RString>,
) -> Result<Option<Vec<u8>>, Error> {
    let (exp, pur) = (exp.map(|e| e.as_value()), pur.map(|p| p.as_value()));
    let mut generator = Generator::new(ruby, mode)?;
    generator.out.extend_from_slice(b"{\"_rails\":{\"data\":");
    let written = generator
        .value(data.as_raw(), 2)
        .and_then(|()| generator.fields(&[(b",\"exp\":", exp), (b",\"pur\":", pur)], 2));
    generator.out.extend_from_slice(b"}}");
    Ok(written.ok().map(|()| generator.out))
}

fn json_generate(ruby: &Ruby, value: Value, mode: u32) -> Result<Option<Value>, Error> {
    let mut generator = Generator::new(ruby, mode)?;
    if generator.value(value.as_raw(), 0).is_err() {
        return Ok(None);
    }
    // SAFETY: the generated text is valid UTF-8 (valid input strings, ASCII syntax).
    let json = unsafe {
        Value::from_raw(rb_sys::rb_utf8_str_new(
            generator.out.as_ptr().cast(),
            generator.out.len() as std::os::raw::c_long,
        ))
    };
    Ok(Some(json))
}

pub fn init(_ruby: &Ruby, native: RModule) -> Result<(), Error> {
    native.define_singleton_method("json_generate", function!(json_generate, 2))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::format_i64;

    #[test]
    fn formats_integers_like_ruby() {
        for n in [
            0i64,
            7,
            -7,
            10,
            -10,
            4_611_686_018_427_387_903,
            -4_611_686_018_427_387_904,
        ] {
            let mut buf = [0; 20];
            assert_eq!(format_i64(&mut buf, n), n.to_string().as_bytes());
        }
    }
}
