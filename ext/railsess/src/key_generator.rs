//! `Railsess::Native.pbkdf2(digest_name, secret, salt, iterations, length)`.

use magnus::{function, prelude::*, Error, RModule, RString, Ruby};
use railsess_core::Digest;

use crate::errors::{guard, to_ruby};
use crate::strings::with_two;

fn pbkdf2(
    ruby: &Ruby,
    digest: String,
    secret: RString,
    salt: RString,
    iterations: u32,
    len: usize,
) -> Result<RString, Error> {
    let digest = Digest::from_name(&digest).map_err(|e| to_ruby(ruby, e))?;
    let key = guard(ruby, || {
        with_two(secret, salt, |secret, salt| {
            railsess_core::pbkdf2(digest, secret, salt, iterations, len)
        })
    })?
    .map_err(|e| to_ruby(ruby, e))?;
    Ok(ruby.str_from_slice(&key))
}

pub fn init(_ruby: &Ruby, native: RModule) -> Result<(), Error> {
    native.define_singleton_method("pbkdf2", function!(pbkdf2, 5))?;
    Ok(())
}
