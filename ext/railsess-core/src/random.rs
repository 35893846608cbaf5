//! Initialization vectors: the OS CSPRNG, as OpenSSL's `random_iv` (used by gcm.rs and cbc.rs).

use crate::error::{Error, Result};

/// Fills `buf` from the OS CSPRNG.
pub(crate) fn random_bytes(buf: &mut [u8]) -> Result<()> {
    getrandom::getrandom(buf).map_err(|_| Error::Randomness)
}
