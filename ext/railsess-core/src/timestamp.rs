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
