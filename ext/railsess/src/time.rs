//! Expiry timestamps between Ruby's Time and railsess-core's `timestamp` (Rails' `iso8601(3)`):
//! `Native.iso8601_millis(string)`, `Native.iso8601_3(time)`.

use magnus::rb_sys::AsRawValue;
use magnus::{function, prelude::*, Error, RModule, RString, Ruby, Value};

use crate::strings::with_bytes;

/// `Native.iso8601_millis(string)`: milliseconds since the epoch of an expiry as Rails writes it
/// (`Time#iso8601(3)`, UTC), or nil for anything Ruby's parser must read (see timestamp.rs).
fn iso8601_millis(text: RString) -> Option<i64> {
    with_bytes(text, railsess_core::timestamp::iso8601_millis)
}

/// `Time.now.utc >= Time.iso8601(exp)` for an expiry in the form Rails writes (None for any
/// other: Ruby parses it). Time.now is Ruby's, so `travel_to` and other stubs apply.
pub fn expired(ruby: &Ruby, exp: &[u8]) -> Result<Option<bool>, Error> {
    let Some(exp_millis) = railsess_core::timestamp::iso8601_millis(exp) else {
        return Ok(None);
    };
    let now: Value = ruby.class_time().funcall("now", ())?;
    Ok(epoch_millis(ruby, now).map(|now_millis| now_millis >= exp_millis))
}

/// Whole milliseconds since the epoch of a Time (None for anything else): `now >= exp` exactly
/// when `floor(now) >= exp`, for an expiry in whole milliseconds.
fn epoch_millis(ruby: &Ruby, time: Value) -> Option<i64> {
    let (secs, nanos) = timespec(ruby, time)?;
    secs.checked_mul(1000)?.checked_add(nanos / 1_000_000)
}

/// `Native.iso8601_3(time)`: `time.iso8601(3)` for a UTC Time of the years 1970-9999 (what
/// `pick_expiry` writes), nil for anything Ruby must format.
fn iso8601_3(ruby: &Ruby, time: Value) -> Option<RString> {
    let (secs, nanos) = timespec(ruby, time)?;
    let text = railsess_core::timestamp::format_iso8601_millis(secs, u32::try_from(nanos).ok()?)?;
    Some(ruby.enc_str_new(text, ruby.utf8_encoding()))
}

/// A Time's seconds and nanoseconds since the epoch (truncated); None for anything not a Time.
// time_t and long are i64 here but not on every platform Ruby runs on.
#[allow(clippy::useless_conversion)]
fn timespec(ruby: &Ruby, time: Value) -> Option<(i64, i64)> {
    if !time.is_kind_of(ruby.class_time()) {
        return None;
    }
    let mut spec = None;
    // rb_time_timespec raises (ArgumentError, RangeError) for a Time beyond time_t: protected,
    // that is None and Ruby's own path decides.
    magnus::rb_sys::protect(|| {
        // SAFETY: `time` is a live Time.
        spec = Some(unsafe { rb_sys::rb_time_timespec(time.as_raw()) });
        ruby.qnil().as_raw()
    })
    .ok()?;
    let spec = spec?;
    Some((
        i64::try_from(spec.tv_sec).ok()?,
        i64::try_from(spec.tv_nsec).ok()?,
    ))
}

pub fn init(_ruby: &Ruby, native: RModule) -> Result<(), Error> {
    native.define_singleton_method("iso8601_millis", function!(iso8601_millis, 1))?;
    native.define_singleton_method("iso8601_3", function!(iso8601_3, 1))?;
    Ok(())
}
