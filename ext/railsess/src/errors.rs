//! Core errors to Ruby exceptions. The classes are Ruby's (defined before this library loads);
//! the Ruby layer turns them into what the loaded ActiveSupport raises.

use std::panic::{catch_unwind, AssertUnwindSafe};

use magnus::{value::Lazy, Error, ExceptionClass, Module, RModule, Ruby};
use railsess_core::Error as CoreError;

fn native_class(ruby: &Ruby, name: &str) -> ExceptionClass {
    let found = ruby
        .class_object()
        .const_get::<_, RModule>("Railsess")
        .and_then(|m| m.const_get::<_, RModule>("Native"))
        .and_then(|m| m.const_get::<_, ExceptionClass>(name));
    // Only reachable if lib/railsess/native.rb was bypassed; stay rescuable all the same.
    found.unwrap_or_else(|_| ruby.exception_runtime_error())
}

static FORMAT_ERROR: Lazy<ExceptionClass> = Lazy::new(|ruby| native_class(ruby, "FormatError"));
static SIGNATURE_ERROR: Lazy<ExceptionClass> =
    Lazy::new(|ruby| native_class(ruby, "SignatureError"));
static CIPHER_ARGUMENT_ERROR: Lazy<ExceptionClass> =
    Lazy::new(|ruby| native_class(ruby, "CipherArgumentError"));
static RAILSESS_ERROR: Lazy<ExceptionClass> = Lazy::new(|ruby| {
    ruby.class_object()
        .const_get::<_, RModule>("Railsess")
        .and_then(|m| m.const_get::<_, ExceptionClass>("Error"))
        .unwrap_or_else(|_| ruby.exception_runtime_error())
});

pub fn to_ruby(ruby: &Ruby, err: CoreError) -> Error {
    let class = match err {
        CoreError::InvalidFormat(_) => ruby.get_inner(&FORMAT_ERROR),
        CoreError::InvalidSignature => ruby.get_inner(&SIGNATURE_ERROR),
        CoreError::IvLength(_) | CoreError::EmptyData | CoreError::KeyLength(_) => {
            ruby.get_inner(&CIPHER_ARGUMENT_ERROR)
        }
        CoreError::UnsupportedDigest | CoreError::InvalidKdfParameters => {
            ruby.exception_arg_error()
        }
        CoreError::Randomness => ruby.exception_runtime_error(),
    };
    Error::new(class, err.to_string())
}

/// Runs pure-Rust work so that a panic (a bug: the core is written not to panic) becomes a
/// rescuable `Railsess::Error` rather than ending the process.
pub fn guard<T>(ruby: &Ruby, work: impl FnOnce() -> T) -> Result<T, Error> {
    catch_unwind(AssertUnwindSafe(work)).map_err(|_| {
        Error::new(
            ruby.get_inner(&RAILSESS_ERROR),
            "internal error in railsess",
        )
    })
}
