//! `ActiveSupport::MessageVerifier`: `b64(data) "--" hex(HMAC(digest, secret, b64(data)))`.
//!
//! The HMAC covers the *encoded* data. Digests are lowercase hex and compared in constant time
//! (an uppercase digest is rejected, as `secure_compare` rejects it).

use subtle::ConstantTimeEq;

use crate::codec::{self, SEPARATOR};
use crate::compat::Compat;
use crate::error::Result;
use crate::key_generator::{Digest, KeyedHmac};

pub struct MessageVerifier {
    mac: KeyedHmac,
    hex_len: usize,
    url_safe: bool,
    compat: Compat,
    /// Decode with the other base64 alphabet when the configured one fails (ActiveSupport 7.2.3+).
    other_alphabet: bool,
}

impl std::fmt::Debug for MessageVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MessageVerifier")
            .field("secret", &"[REDACTED]")
            .field("url_safe", &self.url_safe)
            .field("compat", &self.compat)
            .finish()
    }
}

impl MessageVerifier {
    pub fn new(secret: &[u8], digest: Digest, url_safe: bool, compat: Compat) -> Result<Self> {
        Ok(MessageVerifier {
            mac: KeyedHmac::new(digest, secret)?,
            hex_len: digest.output_len() * 2,
            url_safe,
            compat,
            other_alphabet: compat.verifier_tries_other_alphabet(),
        })
    }

    /// ActiveSupport 7.2.0-7.2.2 verify at the 7.2 level but decode with the configured
    /// alphabet only (the fallback to the other one came in 7.2.3): `false` follows them.
    pub fn with_alphabet_fallback(mut self, fallback: bool) -> Self {
        self.other_alphabet = fallback && self.compat.verifier_tries_other_alphabet();
        self
    }

    /// `generate` without the serializer: encodes `data` and appends its digest.
    pub fn generate(&self, data: &[u8]) -> String {
        let mut signed =
            String::with_capacity(codec::encoded_len(data.len(), false) + 2 + self.hex_len);
        codec::encode_into(data, self.url_safe, &mut signed);
        self.sign_encoded(signed)
    }

    /// Appends `"--" + hexdigest` to already-encoded data.
    pub fn sign_encoded(&self, mut encoded: String) -> String {
        let digest = self.mac.hexdigest(encoded.as_bytes());
        encoded.push_str("--");
        encoded.push_str(&digest);
        encoded
    }

    /// The still-encoded data when the digest matches (`valid_message?`), else `None`.
    pub fn extract_encoded<'a>(&self, signed: &'a [u8]) -> Option<&'a [u8]> {
        let (data, digest) = if self.compat.verifier_splits_left() {
            // 6.1: `data, digest = signed_message.split("--")`; further fields are ignored.
            let mut fields = codec::split_legacy(signed).into_iter();
            (fields.next()?, fields.next()?)
        } else {
            // 7.0+: the digest is the last `hex_len` bytes, right after a separator.
            let at = signed.len().checked_sub(self.hex_len + SEPARATOR.len())?;
            if signed.get(at..at + SEPARATOR.len())? != SEPARATOR {
                return None;
            }
            (signed.get(..at)?, signed.get(at + SEPARATOR.len()..)?)
        };
        if is_blank(data) || is_blank(digest) {
            return None;
        }
        let expected = self.mac.hexdigest(data);
        bool::from(expected.as_bytes().ct_eq(digest)).then_some(data)
    }

    /// `verified` without the serializer: the decoded data, or `None` for a bad message.
    pub fn verified(&self, signed: &[u8]) -> Option<Vec<u8>> {
        let encoded = self.extract_encoded(signed)?;
        self.decode(encoded).ok()
    }

    fn decode(&self, encoded: &[u8]) -> Result<Vec<u8>> {
        let url_safe = self.url_safe && self.compat >= Compat::Rails71;
        codec::decode(encoded, url_safe).or_else(|err| {
            if self.other_alphabet {
                codec::decode(encoded, !url_safe)
            } else {
                Err(err)
            }
        })
    }
}

/// ActiveSupport's `blank?` on a String: empty or only whitespace.
fn is_blank(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .all(|&b| matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verifier(compat: Compat) -> MessageVerifier {
        let v = MessageVerifier::new(b"secret", Digest::Sha1, false, compat);
        v.unwrap_or_else(|_| unreachable!())
    }

    #[test]
    fn round_trip_every_compat() {
        for compat in [
            Compat::Rails61,
            Compat::Rails70,
            Compat::Rails71,
            Compat::Rails72,
        ] {
            let v = verifier(compat);
            let signed = v.generate(b"hello");
            assert_eq!(v.verified(signed.as_bytes()), Some(b"hello".to_vec()));
        }
    }

    #[test]
    fn trailing_field_only_ignored_by_61() {
        let signed = format!("{}--Zm9v", verifier(Compat::Rails61).generate(b"x"));
        assert!(verifier(Compat::Rails61)
            .verified(signed.as_bytes())
            .is_some());
        assert!(verifier(Compat::Rails70)
            .verified(signed.as_bytes())
            .is_none());
    }

    #[test]
    fn uppercase_digest_is_rejected() {
        let v = verifier(Compat::Rails72);
        let signed = v.generate(b"x");
        let (data, digest) = signed.split_at(signed.len() - 40);
        let upper = format!("{data}{}", digest.to_uppercase());
        assert!(v.verified(upper.as_bytes()).is_none());
    }

    #[test]
    fn other_alphabet_only_with_the_7_2_3_fallback() {
        // "Zm-_" is url-safe base64 only: 7.2.3+ decode it after the strict alphabet fails.
        let v = verifier(Compat::Rails72);
        let signed = v.sign_encoded("Zm-_".to_owned());
        assert_eq!(v.verified(signed.as_bytes()), Some(vec![0x66, 0x6f, 0xbf]));
        let v = verifier(Compat::Rails72).with_alphabet_fallback(false);
        assert!(v.verified(signed.as_bytes()).is_none());
        // Below 7.2 there is no fallback to turn on.
        let v = verifier(Compat::Rails71).with_alphabet_fallback(true);
        assert!(v
            .verified(v.sign_encoded("Zm-_".to_owned()).as_bytes())
            .is_none());
    }

    #[test]
    fn short_and_empty_messages_fail_without_panicking() {
        for compat in [Compat::Rails61, Compat::Rails70, Compat::Rails72] {
            let v = verifier(compat);
            for m in ["", "--", "a--", "--a", "----", "x"] {
                assert!(v.verified(m.as_bytes()).is_none(), "{m:?}");
            }
        }
    }
}
