//! The failure kinds ActiveSupport distinguishes, as values.
//!
//! The Ruby layer maps each kind to the exception the loaded ActiveSupport version raises
//! (for instance a bad CBC signature is `MessageVerifier::InvalidSignature` in 6.1/7.0 and
//! `MessageEncryptor::InvalidMessage` from 7.1 on). Messages never contain key material.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// Malformed or unauthentic message: bad base64, missing separator, wrong tag size,
    /// failed GCM authentication or CBC padding. ActiveSupport: `:invalid_message_format`.
    InvalidFormat(&'static str),
    /// The HMAC of a signed (CBC) message does not match.
    InvalidSignature,
    /// The IV decoded to a length the cipher refuses. OpenSSL raises `ArgumentError`
    /// ("iv must be N bytes"), which Rails 7.1+ lets escape and 6.1/7.0 turn into InvalidMessage.
    IvLength(usize),
    /// Empty plaintext or ciphertext: OpenSSL's `ArgumentError` "data must not be empty".
    EmptyData,
    /// A key of the wrong size for the cipher (OpenSSL: "key must be N bytes").
    KeyLength(usize),
    /// A digest name that is not SHA1/SHA256/SHA384/SHA512.
    UnsupportedDigest,
    /// The OS random number generator failed (no IV can be made).
    Randomness,
    /// Key derivation asked for something OpenSSL would refuse (no iterations, no output).
    InvalidKdfParameters,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidFormat(why) => write!(f, "invalid message format: {why}"),
            Error::InvalidSignature => f.write_str("invalid signature"),
            Error::IvLength(n) => write!(f, "iv must be {n} bytes"),
            Error::EmptyData => f.write_str("data must not be empty"),
            Error::KeyLength(n) => write!(f, "key must be {n} bytes"),
            Error::UnsupportedDigest => f.write_str("unsupported digest"),
            Error::Randomness => f.write_str("the OS random number generator failed"),
            Error::InvalidKdfParameters => f.write_str("invalid key derivation parameters"),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;
