//! Which ActiveSupport's byte-level behaviour to reproduce.
//!
//! Rails changed how messages are split and decoded without changing how they are written:
//!
//! | behaviour                          | 6.1            | 7.0               | 7.1            | 7.2+           |
//! |------------------------------------|----------------|-------------------|----------------|----------------|
//! | encrypted message split            | `split("--")`  | `split("--")`     | from the right | from the right |
//! | verifier split                     | `split("--")`  | from the right    | from the right | from the right |
//! | verifier decodes the other alphabet| no             | no                | no             | yes            |
//! | `url_safe:`                        | no             | no                | yes            | yes            |
//!
//! `split("--")` is Ruby's: empty trailing fields are dropped and extra fields are ignored
//! (though each must still be valid base64 in an encrypted message). "From the right" cuts the
//! IV, the auth tag or the hex digest by their known encoded lengths, so url-safe base64 may
//! contain "--" and nothing may trail.

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Compat {
    Rails61,
    Rails70,
    Rails71,
    Rails72,
}

impl Compat {
    /// From the version number the Ruby side passes: 61, 70, 71, 72 (72 covers 7.2 to 8.1).
    pub fn from_code(code: u32) -> Option<Compat> {
        match code {
            61 => Some(Compat::Rails61),
            70 => Some(Compat::Rails70),
            71 => Some(Compat::Rails71),
            72 => Some(Compat::Rails72),
            _ => None,
        }
    }

    pub(crate) fn encryptor_splits_left(self) -> bool {
        self <= Compat::Rails70
    }

    pub(crate) fn verifier_splits_left(self) -> bool {
        self == Compat::Rails61
    }

    pub(crate) fn verifier_tries_other_alphabet(self) -> bool {
        self >= Compat::Rails72
    }
}
