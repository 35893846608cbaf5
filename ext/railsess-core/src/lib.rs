//! Byte-compatible Rails message crypto, without Ruby.
//!
//! The pieces mirror ActiveSupport one to one: [`key_generator`] is
//! `ActiveSupport::KeyGenerator`, [`encryptor`] is `MessageEncryptor` (AES-256-GCM and the legacy
//! AES-256-CBC + HMAC), [`verifier`] is `MessageVerifier`, [`metadata`] is the `_rails` envelope.
//! Policy (serializers, rotation) stays in Ruby, and purpose and expiry in Ruby or, for JSON
//! messages, in the binding (ext/railsess/src/json_read.rs); this crate owns the bytes.
//!
//! Nothing here panics on input: every failure is an [`Error`] value.

pub mod codec;
pub mod compat;
pub mod encryptor;
pub mod error;
pub mod json_string;
pub mod key_generator;
pub mod metadata;
pub mod secret;
pub mod timestamp;
pub mod verifier;
pub mod www_form;

mod cbc;
mod gcm;
mod random;

pub use compat::Compat;
pub use encryptor::{Cipher, MessageEncryptor};
pub use error::Error;
pub use key_generator::{pbkdf2, Digest};
pub use metadata::{wrap_legacy, LegacyEnvelope};
pub use secret::Secret;
pub use verifier::MessageVerifier;
