//! AES-256-GCM as `MessageEncryptor` uses it: random 12-byte IV, empty AAD, 16-byte tag.
//! Wire form: `b64(ciphertext) "--" b64(iv) "--" b64(tag)`.

use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce, Tag};

use crate::error::{Error, Result};

pub(crate) const IV_LEN: usize = 12;
pub(crate) const TAG_LEN: usize = 16;
pub(crate) const KEY_LEN: usize = 32;

pub(crate) struct Gcm {
    cipher: Aes256Gcm,
}

impl Gcm {
    pub(crate) fn new(key: &[u8]) -> Result<Gcm> {
        let cipher = Aes256Gcm::new_from_slice(key).map_err(|_| Error::KeyLength(KEY_LEN))?;
        Ok(Gcm { cipher })
    }

    /// Encrypts in place; returns the IV and tag. Ruby's openssl gem before 3.2 refuses empty
    /// input (`empty_data` false), so do we; 3.2+ encrypts it.
    pub(crate) fn seal(
        &self,
        buf: &mut [u8],
        empty_data: bool,
    ) -> Result<([u8; IV_LEN], [u8; TAG_LEN])> {
        if buf.is_empty() && !empty_data {
            return Err(Error::EmptyData);
        }
        let mut iv = [0u8; IV_LEN];
        crate::random::random_bytes(&mut iv)?;
        let tag = self
            .cipher
            .encrypt_in_place_detached(Nonce::from_slice(&iv), b"", buf)
            .map_err(|_| Error::InvalidFormat("encryption failed"))?;
        Ok((iv, tag.into()))
    }

    /// Decrypts `ct` in place. Checks run in the order OpenSSL's setters run in Rails'
    /// `decrypt`: tag size, then IV size, then empty data (refused unless `empty_data`), then
    /// authentication.
    pub(crate) fn open(
        &self,
        mut ct: Vec<u8>,
        iv: &[u8],
        tag: &[u8],
        empty_data: bool,
    ) -> Result<Vec<u8>> {
        if tag.len() != TAG_LEN {
            return Err(Error::InvalidFormat("truncated auth_tag"));
        }
        if iv.len() != IV_LEN {
            return Err(Error::IvLength(IV_LEN));
        }
        if ct.is_empty() && !empty_data {
            return Err(Error::EmptyData);
        }
        // Lengths are checked above, so `from_slice` cannot panic.
        self.cipher
            .decrypt_in_place_detached(Nonce::from_slice(iv), b"", &mut ct, Tag::from_slice(tag))
            .map_err(|_| Error::InvalidFormat("authentication failed"))?;
        Ok(ct)
    }
}
