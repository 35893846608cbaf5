//! The expiry timestamps Rails writes into message metadata: `Time#iso8601(3)` in UTC,
//!
//! ```text
//! 2026-12-06T03:40:12.345Z      exactly 24 bytes: YYYY-MM-DDTHH:MM:SS.mmmZ
//! ```
//!
//! read into milliseconds since the Unix epoch, so that Ruby only needs `Time.now` to check a
//! message's freshness instead of `Time.iso8601` (most of an expiring message's read cost).
//! Anything else (other offsets, precisions, years before 1970, Feb 30 or a leap second, which
//! Ruby normalizes) is None: Ruby's own parser decides, exactly as Rails does.
//!
//! Writing is the inverse ([`format_iso8601_millis`]): a UTC instant as `Time#iso8601(3)` prints
//! it (milliseconds truncated, as Ruby truncates the subsecond), for the years 1970-9999; Ruby
//! formats anything else.

/// Milliseconds since 1970-01-01T00:00:00Z of a canonical `iso8601(3)` UTC timestamp.
pub fn iso8601_millis(text: &[u8]) -> Option<i64> {
    let &[y0, y1, y2, y3, b'-', mo0, mo1, b'-', d0, d1, b'T', h0, h1, b':', mi0, mi1, b':', s0, s1, b'.', f0, f1, f2, b'Z'] =
        text
    else {
        return None;
    };
    let year = number(&[y0, y1, y2, y3])?;
    let month = number(&[mo0, mo1])?;
    let day = number(&[d0, d1])?;
    let (hour, minute, second) = (number(&[h0, h1])?, number(&[mi0, mi1])?, number(&[s0, s1])?);
    let millis = number(&[f0, f1, f2])?;
    let valid = year >= 1970
        && (1..=12).contains(&month)
        && day >= 1
        && day <= days_in_month(year, month)
        && hour <= 23
        && minute <= 59
        && second <= 59;
    if !valid {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some((((days * 24 + hour) * 60 + minute) * 60 + second) * 1000 + millis)
}

/// `Time#iso8601(3)` of the UTC instant `secs` + `nanos` after the epoch (24 bytes), or None
/// outside 1970-01-01 to 9999-12-31 (and for `nanos` of a second or more).
pub fn format_iso8601_millis(secs: i64, nanos: u32) -> Option<[u8; 24]> {
    if nanos >= 1_000_000_000 || !(0..=253_402_300_799).contains(&secs) {
        return None;
    }
    let (days, in_day) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    let millis = i64::from(nanos / 1_000_000);
    let mut out = *b"0000-00-00T00:00:00.000Z";
    let fields: [(usize, usize, i64); 7] = [
        (0, 4, year),
        (5, 2, month),
        (8, 2, day),
        (11, 2, in_day / 3600),
        (14, 2, in_day % 3600 / 60),
        (17, 2, in_day % 60),
        (20, 3, millis),
    ];
    for (at, width, mut n) in fields {
        for slot in out.get_mut(at..at + width)?.iter_mut().rev() {
            *slot = b'0' + (n % 10) as u8;
            n /= 10;
        }
    }
    Some(out)
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn number(digits: &[u8]) -> Option<i64> {
    digits.iter().try_fold(0i64, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0'))
    })
}

fn leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_rails_writes() {
        assert_eq!(iso8601_millis(b"1970-01-01T00:00:00.000Z"), Some(0));
        assert_eq!(
            iso8601_millis(b"2000-03-01T00:00:00.001Z"),
            Some(951_868_800_001)
        );
        assert_eq!(
            iso8601_millis(b"2026-12-06T03:40:12.345Z"),
            Some(1_796_528_412_345)
        );
        assert_eq!(
            iso8601_millis(b"2024-02-29T23:59:59.999Z"),
            Some(1_709_251_199_999)
        );
        assert_eq!(
            iso8601_millis(b"9999-12-31T23:59:59.999Z"),
            Some(253_402_300_799_999)
        );
    }

    #[test]
    fn writes_what_it_reads() {
        for text in [
            &b"1970-01-01T00:00:00.000Z"[..],
            b"2000-02-29T12:34:56.789Z",
            b"2026-12-06T03:40:12.345Z",
            b"2100-03-01T00:00:00.001Z",
            b"9999-12-31T23:59:59.999Z",
        ] {
            let millis = iso8601_millis(text).unwrap_or(-1);
            let nanos = (millis % 1000) as u32 * 1_000_000 + 999_999; // truncated, not rounded
            let formatted = format_iso8601_millis(millis / 1000, nanos);
            assert_eq!(formatted.as_ref().map(|f| &f[..]), Some(text));
        }
        // Every day for 1,200 years round-trips.
        for day in (0..438_300).step_by(7) {
            let formatted = format_iso8601_millis(day * 86_400 + 3_661, 5_000_000);
            let back = formatted.and_then(|f| iso8601_millis(&f));
            assert_eq!(back, Some((day * 86_400 + 3_661) * 1000 + 5));
        }
    }

    #[test]
    fn formats_only_years_it_reads() {
        assert_eq!(format_iso8601_millis(-1, 0), None);
        assert_eq!(format_iso8601_millis(253_402_300_800, 0), None);
        assert_eq!(format_iso8601_millis(0, 1_000_000_000), None);
    }

    #[test]
    fn leaves_everything_else_to_ruby() {
        for text in [
            &b"2026-02-29T00:00:00.000Z"[..],
            b"2026-02-30T00:00:00.000Z",
            b"2026-13-01T00:00:00.000Z",
            b"2026-12-06T24:00:00.000Z",
            b"2026-12-06T23:59:60.000Z",
            b"1969-12-31T23:59:59.999Z",
            b"2026-12-06T03:40:12.345+00:00",
            b"2026-12-06T03:40:12Z",
            b"2026-12-06T03:40:12.3456Z",
            b"2026-12-06 03:40:12.345Z",
            b"2026-12-06T03:40:12.34aZ",
            b"",
        ] {
            assert_eq!(
                iso8601_millis(text),
                None,
                "{}",
                String::from_utf8_lossy(text)
            );
        }
    }
}
