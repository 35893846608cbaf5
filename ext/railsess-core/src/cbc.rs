//! AES-256-CBC with PKCS#7 padding and a random 16-byte IV (the legacy cookie cipher).
//! The inner wire form is `b64(ciphertext) "--" b64(iv)`; [`crate::encryptor`] signs it.

use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};

use crate::error::{Error, Result};
use crate::secret::Secret;

pub(crate) const IV_LEN: usize = 16;
pub(crate) const KEY_LEN: usize = 32;

type Enc = cbc::Encryptor<aes::Aes256>;
type Dec = cbc::Decryptor<aes::Aes256>;

pub(crate) struct Cbc {
    key: Secret,
}

impl Cbc {
    pub(crate) fn new(key: &[u8]) -> Result<Cbc> {
        if key.len() != KEY_LEN {
            return Err(Error::KeyLength(KEY_LEN));
        }
        Ok(Cbc {
            key: Secret::new(key),
        })
    }

    /// `empty_data`: whether empty input is encrypted (Ruby's openssl gem 3.2+: one block of
    /// padding) or refused (older gems).
    pub(crate) fn seal(&self, plain: &[u8], empty_data: bool) -> Result<(Vec<u8>, [u8; IV_LEN])> {
        if plain.is_empty() && !empty_data {
            return Err(Error::EmptyData);
        }
        let mut iv = [0u8; IV_LEN];
        crate::random::random_bytes(&mut iv)?;
        let enc =
            Enc::new_from_slices(self.key.expose(), &iv).map_err(|_| Error::KeyLength(KEY_LEN))?;
        Ok((enc.encrypt_padded_vec_mut::<Pkcs7>(plain), iv))
    }

    /// Empty `ct` accepted (`empty_data`) fails as OpenSSL's `final` does: "bad decrypt".
    pub(crate) fn open(&self, ct: &[u8], iv: &[u8], empty_data: bool) -> Result<Vec<u8>> {
        if iv.len() != IV_LEN {
            return Err(Error::IvLength(IV_LEN));
        }
        if ct.is_empty() && !empty_data {
            return Err(Error::EmptyData);
        }
        let dec =
            Dec::new_from_slices(self.key.expose(), iv).map_err(|_| Error::IvLength(IV_LEN))?;
        dec.decrypt_padded_vec_mut::<Pkcs7>(ct)
            .map_err(|_| Error::InvalidFormat("bad decrypt"))
    }
}
