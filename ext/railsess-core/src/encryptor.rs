//! `ActiveSupport::MessageEncryptor` without the serializer:
//!
//! * `aes-256-gcm`: `b64(ct) "--" b64(iv) "--" b64(tag)` (see [`crate::gcm`]).
//! * `aes-256-cbc`: the inner `b64(ct) "--" b64(iv)` signed by a [`MessageVerifier`]
//!   (`sign_secret`, digest SHA1 unless configured): `b64(inner) "--" hex(hmac)`.
//!
//! `url_safe` (7.1+) switches every base64 part, inner and outer, to url-safe without padding.

use crate::cbc::{self, Cbc};
use crate::codec;
use crate::compat::Compat;
use crate::error::{Error, Result};
use crate::gcm::{self, Gcm};
use crate::key_generator::Digest;
use crate::verifier::MessageVerifier;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cipher {
    Aes256Gcm,
    Aes256Cbc,
}

impl Cipher {
    pub fn from_name(name: &str) -> Option<Cipher> {
        match name.to_ascii_lowercase().as_str() {
            "aes-256-gcm" => Some(Cipher::Aes256Gcm),
            "aes-256-cbc" => Some(Cipher::Aes256Cbc),
            _ => None,
        }
    }
}

// One per encryptor, built once: the size of the expanded key schedules does not matter.
#[allow(clippy::large_enum_variant)]
enum Mode {
    Gcm(Gcm),
    Cbc(Cbc, MessageVerifier),
}

pub struct MessageEncryptor {
    mode: Mode,
    url_safe: bool,
    compat: Compat,
    /// Empty plaintext/ciphertext reaches the cipher (Ruby's openssl gem 3.2+) instead of being
    /// refused with [`Error::EmptyData`] (older gems). Off by default.
    empty_data: bool,
}

impl std::fmt::Debug for MessageEncryptor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let cipher = match self.mode {
            Mode::Gcm(_) => "aes-256-gcm",
            Mode::Cbc(..) => "aes-256-cbc",
        };
        f.debug_struct("MessageEncryptor")
            .field("cipher", &cipher)
            .field("secret", &"[REDACTED]")
            .field("url_safe", &self.url_safe)
            .field("compat", &self.compat)
            .field("empty_data", &self.empty_data)
            .finish()
    }
}

impl MessageEncryptor {
    pub fn gcm(secret: &[u8], url_safe: bool, compat: Compat) -> Result<Self> {
        Ok(MessageEncryptor {
            mode: Mode::Gcm(Gcm::new(secret)?),
            url_safe: url_safe && compat >= Compat::Rails71,
            compat,
            empty_data: false,
        })
    }

    /// Follow an OpenSSL binding that encrypts empty data (Ruby's openssl gem 3.2+): an empty
    /// plaintext is encrypted, an empty ciphertext goes to the cipher (GCM: authenticated like any
    /// other; CBC: "bad decrypt"). Without it both are [`Error::EmptyData`], as older gems raise.
    pub fn with_empty_data(mut self, empty_data: bool) -> Self {
        self.empty_data = empty_data;
        self
    }

    /// See [`MessageVerifier::with_alphabet_fallback`] (the CBC signature's verifier).
    pub fn with_alphabet_fallback(mut self, fallback: bool) -> Self {
        self.mode = match self.mode {
            Mode::Cbc(cbc, verifier) => Mode::Cbc(cbc, verifier.with_alphabet_fallback(fallback)),
            gcm => gcm,
        };
        self
    }

    /// `sign_secret` defaults to `secret` in Rails (`sign_secret || secret`); the caller decides.
    pub fn cbc(
        secret: &[u8],
        sign_secret: &[u8],
        digest: Digest,
        url_safe: bool,
        compat: Compat,
    ) -> Result<Self> {
        let url_safe = url_safe && compat >= Compat::Rails71;
        Ok(MessageEncryptor {
            mode: Mode::Cbc(
                Cbc::new(secret)?,
                MessageVerifier::new(sign_secret, digest, url_safe, compat)?,
            ),
            url_safe,
            compat,
            empty_data: false,
        })
    }

    pub fn cipher(&self) -> Cipher {
        match self.mode {
            Mode::Gcm(_) => Cipher::Aes256Gcm,
            Mode::Cbc(..) => Cipher::Aes256Cbc,
        }
    }

    /// Encrypts (and for CBC signs) already-serialized bytes.
    pub fn encrypt_and_sign(&self, plain: &[u8]) -> Result<String> {
        match &self.mode {
            Mode::Gcm(gcm) => {
                let mut buf = plain.to_vec();
                let (iv, tag) = gcm.seal(&mut buf, self.empty_data)?;
                let mut out = String::with_capacity(codec::encoded_len(buf.len(), false) + 44);
                codec::encode_into(&buf, self.url_safe, &mut out);
                out.push_str("--");
                codec::encode_into(&iv, self.url_safe, &mut out);
                out.push_str("--");
                codec::encode_into(&tag, self.url_safe, &mut out);
                Ok(out)
            }
            Mode::Cbc(cbc, verifier) => {
                let (ct, iv) = cbc.seal(plain, self.empty_data)?;
                let mut inner = String::with_capacity(codec::encoded_len(ct.len(), false) + 26);
                codec::encode_into(&ct, self.url_safe, &mut inner);
                inner.push_str("--");
                codec::encode_into(&iv, self.url_safe, &mut inner);
                Ok(verifier.generate(inner.as_bytes()))
            }
        }
    }

    /// Verifies (CBC) and decrypts, returning the serialized bytes.
    pub fn decrypt_and_verify(&self, message: &[u8]) -> Result<Vec<u8>> {
        match &self.mode {
            Mode::Gcm(gcm) => {
                let [ct, iv, tag] = self.extract_parts(message, true)?;
                gcm.open(ct, &iv, &tag, self.empty_data)
            }
            Mode::Cbc(cbc, verifier) => {
                let inner = verifier.verified(message).ok_or(Error::InvalidSignature)?;
                let [ct, iv, _] = self.extract_parts(&inner, false)?;
                cbc.open(&ct, &iv, self.empty_data)
            }
        }
    }

    /// Splits and decodes `ct--iv[--tag]` the way the configured Rails version does.
    fn extract_parts(&self, message: &[u8], with_tag: bool) -> Result<[Vec<u8>; 3]> {
        if self.compat.encryptor_splits_left() {
            // 6.1/7.0: `message.split("--").map { |v| strict_decode64(v) }`: every field is
            // decoded (so extra ones must be base64 too), missing ones are nil.
            let mut decoded = codec::split_legacy(message)
                .into_iter()
                .map(codec::strict_decode)
                .collect::<Result<Vec<_>>>()?
                .into_iter();
            let ct = decoded.next();
            let iv = decoded.next();
            let tag = decoded.next();
            if with_tag && tag.as_ref().is_none_or(|t| t.len() != gcm::TAG_LEN) {
                return Err(Error::InvalidFormat("truncated auth_tag"));
            }
            let iv = iv.ok_or(Error::InvalidFormat("missing iv"))?;
            let ct = ct.ok_or(Error::InvalidFormat("missing data"))?;
            Ok([ct, iv, tag.unwrap_or_default()])
        } else {
            // 7.1+: cut the tag and IV off the right by their encoded lengths.
            let mut end = message.len();
            let mut tag = Vec::new();
            if with_tag {
                let (part, sep) = codec::part_before(
                    message,
                    end,
                    codec::encoded_len(gcm::TAG_LEN, self.url_safe),
                )?;
                tag = codec::decode(part, self.url_safe)?;
                end = sep;
            }
            let iv_len = if with_tag { gcm::IV_LEN } else { cbc::IV_LEN };
            let (iv_part, sep) =
                codec::part_before(message, end, codec::encoded_len(iv_len, self.url_safe))?;
            let ct_part = message
                .get(..sep)
                .ok_or(Error::InvalidFormat("missing data"))?;
            let ct = codec::decode(ct_part, self.url_safe)?;
            let iv = codec::decode(iv_part, self.url_safe)?;
            Ok([ct, iv, tag])
        }
    }
}
