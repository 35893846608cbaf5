//! Borrowing Ruby string bytes without copying.
//!
//! `RString::as_slice` is sound only while Ruby cannot run (no allocation, no GC, no other
//! thread). Every caller passes the borrowed bytes to pure-Rust code and creates Ruby objects
//! only after the borrow has ended.

use magnus::RString;

pub fn with_bytes<T>(s: RString, f: impl FnOnce(&[u8]) -> T) -> T {
    // SAFETY: `f` is pure Rust (the core) and never calls back into Ruby.
    let bytes = unsafe { s.as_slice() };
    f(bytes)
}

pub fn with_two<T>(a: RString, b: RString, f: impl FnOnce(&[u8], &[u8]) -> T) -> T {
    // SAFETY: as above.
    let (a, b) = unsafe { (a.as_slice(), b.as_slice()) };
    f(a, b)
}
