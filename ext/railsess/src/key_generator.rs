//! `Railsess::Native.pbkdf2(digest_name, secret, salt, iterations, length)`: long derivations
//! release the GVL.

use magnus::{function, prelude::*, Error, RModule, RString, Ruby};
use railsess_core::{Digest, Secret};

use crate::gvl::without_gvl;

/// From this many rounds (a few hundred microseconds) the derivation runs without the GVL.
const RELEASE_GVL_FROM: u32 = 1000;

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
    let key = if iterations >= RELEASE_GVL_FROM {
        // Copy the inputs: Ruby threads may run (and mutate strings) while the GVL is released.
        let (secret, salt) = with_two(secret, salt, |a, b| (Secret::new(a), b.to_vec()));
        without_gvl(|| railsess_core::pbkdf2(digest, secret.expose(), &salt, iterations, len))
            .map_err(|_| Error::new(ruby.exception_runtime_error(), "internal error in railsess"))?
    } else {
        guard(ruby, || {
            with_two(secret, salt, |secret, salt| {
                railsess_core::pbkdf2(digest, secret, salt, iterations, len)
            })
        })?
    }
    .map_err(|e| to_ruby(ruby, e))?;
    // The Ruby String is the caller's (as OpenSSL's is); `key` is cleared when dropped here.
    Ok(ruby.str_from_slice(key.expose()))
}

pub fn init(_ruby: &Ruby, native: RModule) -> Result<(), Error> {
    native.define_singleton_method("pbkdf2", function!(pbkdf2, 5))?;
    Ok(())
}
