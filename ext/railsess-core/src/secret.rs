//! Key material: redacted in `Debug`, zeroized on drop, compared in constant time.

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

#[derive(Clone)]
pub struct Secret(Zeroizing<Vec<u8>>);

impl Secret {
    pub fn new(bytes: &[u8]) -> Self {
        Secret(Zeroizing::new(bytes.to_vec()))
    }

    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// For filling a buffer in place (a derived key), so no unzeroized copy exists.
    pub fn expose_mut(&mut self) -> &mut [u8] {
        &mut self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<Vec<u8>> for Secret {
    fn from(bytes: Vec<u8>) -> Self {
        Secret(Zeroizing::new(bytes))
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret([REDACTED])")
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_slice().ct_eq(other.0.as_slice()).into()
    }
}

impl Eq for Secret {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let s = Secret::new(b"super secret key");
        assert_eq!(format!("{s:?}"), "Secret([REDACTED])");
        assert!(!format!("{s:?}").contains("super"));
    }

    // What SECURITY.md promises: every long-lived key holder clears its memory on drop. The
    // RustCrypto types do so only with their `zeroize` features, which this checks are on.
    #[test]
    fn key_holders_are_cleared_on_drop() {
        fn zeroize_on_drop<T: zeroize::ZeroizeOnDrop>() {}
        zeroize_on_drop::<aes::Aes256>();
        zeroize_on_drop::<cbc::Encryptor<aes::Aes256>>();
        zeroize_on_drop::<cbc::Decryptor<aes::Aes256>>();
        // Through its Aes256 (GHASH's H inside it is not cleared: see Cargo.toml).
        assert!(std::mem::needs_drop::<aes_gcm::Aes256Gcm>());
        assert!(std::mem::needs_drop::<crate::key_generator::KeyedHmac>());
    }

    #[test]
    fn derived_keys_are_secrets() {
        let key = crate::pbkdf2(crate::Digest::Sha1, b"password", b"salt", 2, 20);
        let shown = format!("{key:?}");
        assert_eq!(shown, "Ok(Secret([REDACTED]))");
    }
}
