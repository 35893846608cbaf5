//! Ruby bindings for railsess-core. One module per Ruby class; no crypto here.
//!
//! Exception classes are defined in Ruby (`lib/railsess/native.rb`) before this library loads,
//! and looked up lazily. Every entry point runs the core under `catch_unwind` ([`guard`]), so
//! even a bug surfaces as a rescuable `Railsess::Error` instead of Ruby's unrescuable `fatal`.

mod convert;
mod encryptor;
mod errors;
mod gvl;
mod json;
mod json_generate;
mod json_read;
mod key_generator;
mod sealer;
mod strings;
mod time;
mod verifier;
mod www_form;

use magnus::{function, prelude::*, Error, Ruby, Value};

pub use errors::guard;

#[magnus::init]
fn init(ruby: &Ruby) -> Result<(), Error> {
    let railsess = ruby.define_module("Railsess")?;
    let native = railsess.define_module("Native")?;
    key_generator::init(ruby, native)?;
    encryptor::init(ruby, native)?;
    verifier::init(ruby, native)?;
    json::init(ruby, native)?;
    json_generate::init(ruby, native)?;
    www_form::init(ruby, native)?;
    time::init(ruby, native)?;
    // Ruby's bare cost of calling into this library (bench/native_floor.rb): takes one argument,
    // as the hot methods do, and does nothing with it.
    native.define_singleton_method("call_floor", function!(|_message: Value| (), 1))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    // rb-sys-test-helpers runs every #[ruby_test] on one Ruby VM thread. Do not mix with
    // magnus::embed::init in this binary (it crashes).
    use rb_sys_test_helpers::ruby_test;

    fn setup(ruby: &magnus::Ruby) {
        ruby.eval::<magnus::Value>(
            "module Railsess; class Error < StandardError; end; module Native; \
             class FormatError < Railsess::Error; end; class SignatureError < Railsess::Error; end; \
             class CipherArgumentError < ArgumentError; end; end; end",
        )
        .unwrap();
        super::init(ruby).unwrap();
    }

    #[ruby_test]
    fn gcm_round_trip_through_ruby() {
        let ruby = magnus::Ruby::get().unwrap();
        setup(&ruby);
        let out: String = ruby
            .eval(
                r#"e = Railsess::Native::Encryptor.gcm("k" * 32, false, 72)
                   e.decrypt(e.encrypt("hello"))"#,
            )
            .unwrap();
        assert_eq!(out, "hello");
    }

    #[ruby_test]
    fn tampered_message_raises_the_ruby_defined_class() {
        let ruby = magnus::Ruby::get().unwrap();
        setup(&ruby);
        let class: String = ruby
            .eval(
                r#"e = Railsess::Native::Encryptor.gcm("k" * 32, false, 72)
                   begin; e.decrypt("a--b--c"); rescue => x; x.class.name; end"#,
            )
            .unwrap();
        assert_eq!(class, "Railsess::Native::FormatError");
    }

    #[ruby_test]
    fn pbkdf2_rfc6070() {
        let ruby = magnus::Ruby::get().unwrap();
        setup(&ruby);
        let hex: String = ruby
            .eval(r#"Railsess::Native.pbkdf2("SHA1", "password", "salt", 2, 20).unpack1("H*")"#)
            .unwrap();
        assert_eq!(hex, "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957");
    }
}
