//! `ActiveSupport::KeyGenerator`: PBKDF2-HMAC over the app secret.
//!
//! Rails 6.1 always uses SHA1; 7.0+ uses `hash_digest_class` (SHA256 with `load_defaults 7.0`).
//! A Rails app derives with 1000 iterations; the class default is 2**16.

use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Sha256, Sha384, Sha512};

use crate::error::{Error, Result};
use crate::secret::Secret;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Digest {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl Digest {
    /// OpenSSL digest names, as `OpenSSL::HMAC.hexdigest("SHA256", ...)` accepts them.
    pub fn from_name(name: &str) -> Result<Digest> {
        match name.to_ascii_uppercase().as_str() {
            "SHA1" => Ok(Digest::Sha1),
            "SHA256" => Ok(Digest::Sha256),
            "SHA384" => Ok(Digest::Sha384),
            "SHA512" => Ok(Digest::Sha512),
            _ => Err(Error::UnsupportedDigest),
        }
    }

    pub fn output_len(self) -> usize {
        match self {
            Digest::Sha1 => 20,
            Digest::Sha256 => 32,
            Digest::Sha384 => 48,
            Digest::Sha512 => 64,
        }
    }
}

/// The longest key derived here (callers hand anything larger to OpenSSL): a size read from
/// configuration must never turn into an allocation that aborts the process.
pub const MAX_KEY_LEN: usize = 1 << 20;

/// PBKDF2-HMAC(digest, secret, salt, iterations) truncated to `len` bytes: a [`Secret`], so the
/// derived key is cleared when the caller drops it (also on the error path).
pub fn pbkdf2(
    digest: Digest,
    secret: &[u8],
    salt: &[u8],
    iterations: u32,
    len: usize,
) -> Result<Secret> {
    if iterations == 0 || len == 0 || len > MAX_KEY_LEN {
        return Err(Error::InvalidKdfParameters);
    }
    let mut out = Secret::from(vec![0u8; len]);
    let buf = out.expose_mut();
    let run = match digest {
        Digest::Sha1 => pbkdf2::pbkdf2::<Hmac<Sha1>>(secret, salt, iterations, buf),
        Digest::Sha256 => pbkdf2::pbkdf2::<Hmac<Sha256>>(secret, salt, iterations, buf),
        Digest::Sha384 => pbkdf2::pbkdf2::<Hmac<Sha384>>(secret, salt, iterations, buf),
        Digest::Sha512 => pbkdf2::pbkdf2::<Hmac<Sha512>>(secret, salt, iterations, buf),
    };
    run.map_err(|_| Error::InvalidKdfParameters)?;
    Ok(out)
}

/// A keyed HMAC, prepared once (the key schedule is hashed at construction) and cloned per use.
/// Its inner/outer pad states stand in for the key (they sign anything), so they are cleared on
/// drop: hmac 0.12 has no `zeroize` feature, hence `zeroize_flat_type` in `Drop` below. The
/// per-call clone is consumed by `finalize` and is not cleared.
#[derive(Clone)]
pub(crate) enum KeyedHmac {
    Sha1(Hmac<Sha1>),
    Sha256(Hmac<Sha256>),
    Sha384(Hmac<Sha384>),
    Sha512(Hmac<Sha512>),
}

impl KeyedHmac {
    pub(crate) fn new(digest: Digest, key: &[u8]) -> Result<KeyedHmac> {
        // HMAC takes keys of any length; the error arm exists only in the trait's signature.
        let bad_key = |_| Error::KeyLength(0);
        Ok(match digest {
            Digest::Sha1 => KeyedHmac::Sha1(Hmac::new_from_slice(key).map_err(bad_key)?),
            Digest::Sha256 => KeyedHmac::Sha256(Hmac::new_from_slice(key).map_err(bad_key)?),
            Digest::Sha384 => KeyedHmac::Sha384(Hmac::new_from_slice(key).map_err(bad_key)?),
            Digest::Sha512 => KeyedHmac::Sha512(Hmac::new_from_slice(key).map_err(bad_key)?),
        })
    }

    /// Lowercase hex of HMAC(data), like `OpenSSL::HMAC.hexdigest`.
    pub(crate) fn hexdigest(&self, data: &[u8]) -> String {
        fn run<M: Mac + Clone>(mac: &M, data: &[u8]) -> String {
            let mut mac = mac.clone();
            mac.update(data);
            hex::encode(mac.finalize().into_bytes())
        }
        match self {
            KeyedHmac::Sha1(m) => run(m, data),
            KeyedHmac::Sha256(m) => run(m, data),
            KeyedHmac::Sha384(m) => run(m, data),
            KeyedHmac::Sha512(m) => run(m, data),
        }
    }
}

// What the SAFETY comment below relies on, checked at compile time: an HMAC state owns nothing that
// needs dropping (a crate upgrade that changed that would stop the build, not zero a pointer).
const _: () = assert!(
    !std::mem::needs_drop::<Hmac<Sha1>>()
        && !std::mem::needs_drop::<Hmac<Sha256>>()
        && !std::mem::needs_drop::<Hmac<Sha384>>()
        && !std::mem::needs_drop::<Hmac<Sha512>>()
);

impl Drop for KeyedHmac {
    fn drop(&mut self) {
        // SAFETY: `Hmac<Sha*>` (hmac 0.12 / sha1, sha2 0.10 / block-buffer 0.10) is plain data:
        // fixed-size state arrays, block counters and a buffer position, no pointers, no `Drop`,
        // and all-zero bytes are a valid value of it (a fresh buffer position is 0). The enum's
        // discriminant is left alone: only the variant's payload is overwritten.
        unsafe {
            match self {
                KeyedHmac::Sha1(m) => zeroize::zeroize_flat_type(m),
                KeyedHmac::Sha256(m) => zeroize::zeroize_flat_type(m),
                KeyedHmac::Sha384(m) => zeroize::zeroize_flat_type(m),
                KeyedHmac::Sha512(m) => zeroize::zeroize_flat_type(m),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6070_sha1() {
        let key = pbkdf2(Digest::Sha1, b"password", b"salt", 2, 20).ok();
        assert_eq!(
            key.map(|k| hex::encode(k.expose())).as_deref(),
            Some("ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957")
        );
    }

    #[test]
    fn refuses_what_openssl_refuses() {
        assert_eq!(
            pbkdf2(Digest::Sha1, b"p", b"s", 0, 20),
            Err(Error::InvalidKdfParameters)
        );
        assert_eq!(
            pbkdf2(Digest::Sha1, b"p", b"s", 1, MAX_KEY_LEN + 1),
            Err(Error::InvalidKdfParameters)
        );
        assert!(Digest::from_name("MD5").is_err());
        assert_eq!(Digest::from_name("sha256"), Ok(Digest::Sha256));
    }
}
