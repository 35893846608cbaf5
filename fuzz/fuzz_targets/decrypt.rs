//! Any bytes, as an encrypted message, signed message or envelope, for every Rails version:
//! the core must return an error value, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use railsess_core::{codec, Compat, Digest, LegacyEnvelope, MessageEncryptor, MessageVerifier};

fuzz_target!(|data: &[u8]| {
    for compat in [Compat::Rails61, Compat::Rails70, Compat::Rails71, Compat::Rails72] {
        for url_safe in [false, true] {
            if let Ok(gcm) = MessageEncryptor::gcm(&[1; 32], url_safe, compat) {
                let _ = gcm.decrypt_and_verify(data);
            }
            if let Ok(cbc) = MessageEncryptor::cbc(&[2; 32], &[3; 64], Digest::Sha1, url_safe, compat) {
                let _ = cbc.decrypt_and_verify(data);
            }
            if let Ok(verifier) = MessageVerifier::new(b"secret", Digest::Sha256, url_safe, compat) {
                let _ = verifier.verified(data);
            }
        }
    }
    let _ = LegacyEnvelope::parse(data);
    let _ = codec::split_legacy(data);
    let _ = codec::urlsafe_decode(data);
});
