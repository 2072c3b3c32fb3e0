//! RFC 3339 date-times, with the missing-offset form Cloudflare sometimes sends.

use std::fmt::{self, Write as _};
use std::str::FromStr;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use time::OffsetDateTime;

/// A point in time, as the API's `format: date-time` strings describe it.
///
/// Accepted forms (by [`FromStr`] and [`Deserialize`]):
///
/// * RFC 3339 with an offset: `2021-03-09T00:55:03.923456Z`, `2021-03-09T02:55:03+02:00`;
/// * the same without an offset, which some Cloudflare endpoints send and which is taken as
///   UTC: `2021-03-09T00:58:59.045655`;
/// * fractional seconds of any length (0 to 9 digits are exact; further digits are below a
///   nanosecond and are dropped); `T` may also be written `t` or a space, `Z` also `z`, and an
///   offset also as `+0200`.
///
/// The value is held in UTC and written ([`Display`](fmt::Display), [`Serialize`]) as RFC 3339
/// with a `Z` offset and the shortest exact fraction: `2021-03-09T00:55:03.923456Z`.
///
/// ```
/// use pages_api_types::Timestamp;
///
/// let with_offset: Timestamp = "2021-03-09T02:55:03+02:00".parse().unwrap();
/// let without: Timestamp = "2021-03-09T00:55:03".parse().unwrap();
/// assert_eq!(with_offset, without);
/// assert_eq!(without.to_string(), "2021-03-09T00:55:03Z");
/// assert!("yesterday".parse::<Timestamp>().is_err());
/// ```
//
// Held as the instant alone (seconds and nanoseconds since the Unix epoch): decoding is on the
// hot path of every list response. The layouts the API sends are parsed eight characters at a
// time and the instant computed by arithmetic (`parse_common`, ~14 ns, about what allocating
// the same text as a `String` costs); every other form, and every error, goes through the
// general parser (`parse`). `time` is used only when asked for.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    seconds: i64,
    nanos: u32,
}

impl Timestamp {
    /// The current time.
    pub fn now() -> Self {
        OffsetDateTime::now_utc().into()
    }

    /// The time `seconds` after the Unix epoch, if `time` can represent it.
    pub fn from_unix_timestamp(seconds: i64) -> Option<Self> {
        OffsetDateTime::from_unix_timestamp(seconds)
            .ok()
            .map(Self::from)
    }

    /// The time as a [`time::OffsetDateTime`] (in UTC).
    pub fn as_offset_date_time(&self) -> OffsetDateTime {
        // Every `Timestamp` comes from a four-digit year or from an `OffsetDateTime`, so it is
        // within `time`'s range.
        OffsetDateTime::from_unix_timestamp_nanos(
            i128::from(self.seconds) * 1_000_000_000 + i128::from(self.nanos),
        )
        .expect("a Timestamp is within time's range")
    }

    /// How long ago this was (negative for a time in the future).
    pub fn elapsed(&self) -> time::Duration {
        Timestamp::now() - *self
    }

    /// Seconds since the Unix epoch.
    pub fn unix_timestamp(&self) -> i64 {
        self.seconds
    }
}

/// The time between two timestamps (negative when `rhs` is later).
impl std::ops::Sub for Timestamp {
    type Output = time::Duration;

    fn sub(self, rhs: Timestamp) -> time::Duration {
        time::Duration::new(
            self.seconds - rhs.seconds,
            self.nanos as i32 - rhs.nanos as i32,
        )
    }
}

impl From<OffsetDateTime> for Timestamp {
    /// Keeps the instant (the offset is not kept: a `Timestamp` is written in UTC).
    fn from(value: OffsetDateTime) -> Self {
        Timestamp {
            seconds: value.unix_timestamp(),
            nanos: value.nanosecond(),
        }
    }
}

impl From<Timestamp> for OffsetDateTime {
    fn from(value: Timestamp) -> Self {
        value.as_offset_date_time()
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({self})")
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.as_offset_date_time();
        let year = t.year();
        if (0..=9999).contains(&year) {
            write!(f, "{year:04}")?;
        } else {
            write!(f, "{year:+07}")?;
        }
        write!(
            f,
            "-{:02}-{:02}T{:02}:{:02}:{:02}",
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )?;
        let mut nanos = t.nanosecond();
        if nanos != 0 {
            let mut width = 9;
            while nanos.is_multiple_of(10) {
                nanos /= 10;
                width -= 1;
            }
            write!(f, ".{nanos:0width$}")?;
        }
        let offset = t.offset();
        if offset.is_utc() {
            f.write_char('Z')
        } else {
            // Only reachable for values at the edge of `time`'s range (see `From`).
            let (h, m, _) = offset.as_hms();
            let sign = if offset.is_negative() { '-' } else { '+' };
            write!(f, "{sign}{:02}:{:02}", h.unsigned_abs(), m.unsigned_abs())
        }
    }
}

/// Why a string is not a [`Timestamp`]; its `Display` names the string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimestampParseError {
    input: String,
    reason: &'static str,
}

impl TimestampParseError {
    /// The string that failed to parse.
    pub fn input(&self) -> &str {
        &self.input
    }
}

impl fmt::Display for TimestampParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid timestamp {:?}: {}; expected RFC 3339 such as \"2021-03-09T00:55:03.923456Z\"",
            self.input, self.reason
        )
    }
}

impl std::error::Error for TimestampParseError {}

impl FromStr for Timestamp {
    type Err = TimestampParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match parse_common(s.as_bytes()) {
            Some(t) => Ok(t),
            None => parse(s).map_err(|reason| TimestampParseError {
                input: s.to_owned(),
                reason,
            }),
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TimestampVisitor;

        impl Visitor<'_> for TimestampVisitor {
            type Value = Timestamp;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 date-time string")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Timestamp, E> {
                // The common layouts inline; anything else (and every error) takes the
                // general parser.
                match parse_common(v.as_bytes()) {
                    Some(t) => Ok(t),
                    None => parse(v).map_err(|reason| {
                        E::custom(TimestampParseError {
                            input: v.to_owned(),
                            reason,
                        })
                    }),
                }
            }
        }

        deserializer.deserialize_str(TimestampVisitor)
    }
}

/// `'0'` in every byte of a word.
const ZEROS: u64 = 0x3030_3030_3030_3030;

/// The top bit of every byte of `word` that is not an ASCII digit (of the bytes before the first
/// non-digit, exactly; after it, some may be set by a carry).
///
/// A digit XOR `'0'` is 0..=9, so neither it nor it plus `0x76` has the top bit set; any other
/// byte sets one of the two. A carry out of a byte can only come from a byte `>= 0x8a` (itself
/// flagged), so it never hides a non-digit: the check can err only towards "not a digit".
#[inline]
fn non_digits(word: u64) -> u64 {
    let d = word ^ ZEROS;
    (d | d.wrapping_add(0x7676_7676_7676_7676)) & 0x8080_8080_8080_8080
}

/// Eight bytes of `b` from `at`, first byte lowest.
#[inline]
fn word_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("eight bytes"))
}

/// `10 * d[k] + d[k + 1]` in byte `k` of a word of digit values (separators zeroed).
#[inline]
fn pairs(digits: u64) -> u64 {
    digits.wrapping_mul(10) + (digits >> 8)
}

/// The layouts the API sends, `YYYY-MM-DDTHH:MM:SS`, then an optional fraction of 1 to 9
/// digits, then `Z`, nothing or `±HH:MM`, checked and converted a word (eight characters) at a
/// time: `None` for anything else, valid or not, which [`parse`] then decides (with its error
/// message). It accepts nothing [`parse`] rejects and agrees with it on every value (checked in
/// the tests).
#[inline]
fn parse_common(b: &[u8]) -> Option<Timestamp> {
    let len = b.len();
    if len < 19 {
        return None;
    }
    // "YYYY-MM-", "DDTHH:MM" and "HH:MM:SS" (the last two overlap).
    let (date, middle, clock) = (word_at(b, 0), word_at(b, 8), word_at(b, 11));
    let well_formed = (non_digits(date) & 0x0080_8000_8080_8080) == 0
        && (date & 0xff00_00ff_0000_0000) == 0x2d00_002d_0000_0000 // '-' at 4 and 7
        && (non_digits(middle) & 0x8080) == 0
        && (non_digits(clock) & 0x8080_0080_8000_8080) == 0
        && (clock & 0x0000_ff00_00ff_0000) == 0x0000_3a00_003a_0000 // ':' at 13 and 16
        && matches!(b[10], b'T' | b't' | b' ');
    if !well_formed {
        return None;
    }
    let date = pairs((date ^ ZEROS) & 0x00ff_ff00_ffff_ffff);
    let year = (date & 0xff) as u32 * 100 + ((date >> 16) & 0xff) as u32;
    let month = ((date >> 40) & 0xff) as u32;
    let day = (pairs(middle ^ ZEROS) & 0xff) as u32;
    let clock = pairs((clock ^ ZEROS) & 0xffff_00ff_ff00_ffff);
    let hour = (clock & 0xff) as u32;
    let minute = ((clock >> 24) & 0xff) as u32;
    let second = ((clock >> 48) & 0xff) as u32;

    let (nanos, end) = if len > 19 && b[19] == b'.' {
        // The eight characters after the point; past the end of the input, zero bytes (not
        // digits) are shifted in.
        let after = if len >= 28 {
            word_at(b, 20)
        } else {
            word_at(b, len - 8)
                .checked_shr(8 * (28 - len) as u32)
                .unwrap_or(0)
        };
        let count = (non_digits(after).trailing_zeros() / 8) as usize;
        if count == 0 {
            return None;
        }
        // The digits, then zeros: eight digits of fraction, converted pairwise.
        let digits = (after ^ ZEROS) & (u64::MAX >> (64 - 8 * count));
        let v = pairs(digits) & 0x00ff_00ff_00ff_00ff;
        let v = (v.wrapping_mul(100) + (v >> 16)) & 0x0000_ffff_0000_ffff;
        let v = ((v.wrapping_mul(10_000) + (v >> 32)) & 0xffff_ffff) as u32;
        if count < 8 {
            (v * 10, 20 + count)
        } else {
            // Eight digits or more: the ninth is the last one a nanosecond has; more go to
            // the general parser, which drops them.
            match b.get(28).map(|c| c.wrapping_sub(b'0')) {
                Some(ninth @ 0..=9) if !b.get(29).is_some_and(u8::is_ascii_digit) => {
                    (v * 10 + u32::from(ninth), 29)
                }
                Some(0..=9) => return None,
                _ => (v * 10, 28),
            }
        }
    } else {
        (0, 19)
    };
    let offset_seconds: i64 = match b[end..] {
        [] | [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let [h1, h2, m1, m2] = [h1, h2, m1, m2].map(|c| u32::from(c.wrapping_sub(b'0')));
            let (h, m) = (h1 * 10 + h2, m1 * 10 + m2);
            if h1.max(h2).max(m1).max(m2) > 9 || h > 23 || m > 59 {
                return None;
            }
            let seconds = i64::from(h * 3600 + m * 60);
            if sign == b'-' { -seconds } else { seconds }
        }
        _ => return None,
    };

    // A February 29th is checked against the year below; every other day against the table.
    if !(1..=12).contains(&month)
        || day == 0
        || day > DAYS_IN_MONTH[month as usize]
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    if month == 2 && day == 29 && !is_leap_year(year) {
        return None;
    }
    // Days from 1970-01-01 as in `days_from_civil`, in unsigned arithmetic: the year has four
    // digits, so counted from 400 years earlier (one era, 146,097 days) it is never negative.
    let march_year = year + 400 - u32::from(month <= 2);
    let days = march_year * 365 + march_year / 4 - march_year / 100
        + march_year / 400
        + DAYS_BEFORE_MONTH_FROM_MARCH[month as usize]
        + day
        - 1;
    let seconds = (i64::from(days) - 719_468 - 146_097) * 86_400
        + i64::from(hour * 3600 + minute * 60 + second)
        - offset_seconds;
    Some(Timestamp { seconds, nanos })
}

/// The most days each month (index 1 to 12) can have.
const DAYS_IN_MONTH: [u32; 13] = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/// Days from March 1st to the first of each month (index 1 to 12), in a year that starts in
/// March (so February, and with it the leap day, comes last).
const DAYS_BEFORE_MONTH_FROM_MARCH: [u32; 13] =
    [0, 306, 337, 0, 31, 61, 92, 122, 153, 184, 214, 245, 275];

/// A byte cursor over the input.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn eat(&mut self, expected: &[u8], reason: &'static str) -> Result<u8, &'static str> {
        match self.peek() {
            Some(b) if expected.contains(&b) => {
                self.pos += 1;
                Ok(b)
            }
            _ => Err(reason),
        }
    }

    fn number(&mut self, digits: usize, reason: &'static str) -> Result<u32, &'static str> {
        let end = self.pos + digits;
        let slice = self.bytes.get(self.pos..end).ok_or(reason)?;
        let mut n = 0;
        for &b in slice {
            if !b.is_ascii_digit() {
                return Err(reason);
            }
            n = n * 10 + u32::from(b - b'0');
        }
        self.pos = end;
        Ok(n)
    }
}

/// The general parser: every accepted form, and the reason for every rejection.
fn parse(s: &str) -> Result<Timestamp, &'static str> {
    let mut c = Cursor {
        bytes: s.as_bytes(),
        pos: 0,
    };
    let year = c.number(4, "the date must start with a four-digit year")?;
    c.eat(b"-", "expected '-' after the year")?;
    let month = c.number(2, "expected a two-digit month")?;
    c.eat(b"-", "expected '-' after the month")?;
    let day = c.number(2, "expected a two-digit day")?;
    c.eat(b"Tt ", "expected 'T' between date and time")?;
    let hour = c.number(2, "expected a two-digit hour")?;
    c.eat(b":", "expected ':' after the hour")?;
    let minute = c.number(2, "expected two-digit minutes")?;
    c.eat(b":", "expected ':' after the minutes")?;
    let second = c.number(2, "expected two-digit seconds")?;

    let mut nanos = 0u32;
    if c.peek() == Some(b'.') {
        c.pos += 1;
        let start = c.pos;
        while c.peek().is_some_and(|b| b.is_ascii_digit()) {
            let digit = u32::from(c.bytes[c.pos] - b'0');
            if c.pos - start < 9 {
                nanos = nanos * 10 + digit;
            }
            c.pos += 1;
        }
        let len = c.pos - start;
        if len == 0 {
            return Err("expected digits after the decimal point");
        }
        for _ in len..9 {
            nanos *= 10;
        }
    }

    let offset_seconds: i64 = match c.peek() {
        None => 0,
        Some(b'Z' | b'z') => {
            c.pos += 1;
            0
        }
        Some(sign @ (b'+' | b'-')) => {
            c.pos += 1;
            let h = c.number(2, "expected a two-digit offset hour")?;
            if c.peek() == Some(b':') {
                c.pos += 1;
            }
            let m = c.number(2, "expected two-digit offset minutes")?;
            if h > 23 || m > 59 {
                return Err("the offset is out of range");
            }
            let seconds = i64::from(h * 3600 + m * 60);
            if sign == b'-' { -seconds } else { seconds }
        }
        Some(_) => return Err("unexpected characters after the seconds"),
    };
    if c.pos != c.bytes.len() {
        return Err("unexpected characters after the offset");
    }

    let leap = is_leap_year(year);
    let days_in_month = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return Err("the month is out of range"),
    };
    if day == 0 || day > days_in_month {
        return Err("the day does not exist in that month");
    }
    if hour > 23 || minute > 59 || second > 59 {
        return Err("the time of day is out of range");
    }
    let seconds = days_from_civil(i64::from(year), i64::from(month), i64::from(day)) * 86_400
        + i64::from(hour * 3600 + minute * 60 + second)
        - offset_seconds;
    Ok(Timestamp { seconds, nanos })
}

/// Whether `year` of the proleptic Gregorian calendar has a February 29th.
fn is_leap_year(year: u32) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
#[inline]
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn accepts_utc_with_micros() {
        let t = ts("2021-03-09T00:55:03.923456Z");
        assert_eq!(t.unix_timestamp(), 1_615_251_303);
        assert_eq!(t.as_offset_date_time().nanosecond(), 923_456_000);
        assert_eq!(t.to_string(), "2021-03-09T00:55:03.923456Z");
    }

    #[test]
    fn accepts_numeric_offsets() {
        let t = ts("2021-03-09T02:55:03.923456+02:00");
        assert_eq!(t, ts("2021-03-09T00:55:03.923456Z"));
        assert_eq!(ts("2021-03-08T19:55:03-05:00"), ts("2021-03-09T00:55:03Z"));
        assert_eq!(ts("2021-03-09T02:55:03+0200"), ts("2021-03-09T00:55:03Z"));
        assert_eq!(ts("2021-03-09t00:55:03z"), ts("2021-03-09T00:55:03Z"));
        assert_eq!(ts("2021-03-09 00:55:03Z"), ts("2021-03-09T00:55:03Z"));
    }

    #[test]
    fn accepts_missing_offset_as_utc() {
        let t = ts("2021-03-09T00:58:59.045655");
        assert_eq!(t.to_string(), "2021-03-09T00:58:59.045655Z");
        assert_eq!(t.as_offset_date_time().offset(), time::UtcOffset::UTC);
    }

    #[test]
    fn the_arithmetic_agrees_with_time() {
        use time::format_description::well_known::Rfc3339;
        // Every 9_999_999 s (~116 days, drifting through times of day) from 1900 to 2100, with
        // and without offsets, against `time`'s own parser and formatter.
        let mut seconds = -2_208_988_800i64;
        while seconds < 4_102_444_800 {
            let instant = OffsetDateTime::from_unix_timestamp(seconds).unwrap();
            for offset in [(0, 0), (5, 30), (-8, 0)] {
                let shifted =
                    instant.to_offset(time::UtcOffset::from_hms(offset.0, offset.1, 0).unwrap());
                let text = shifted.format(&Rfc3339).unwrap();
                assert_eq!(ts(&text).unix_timestamp(), seconds, "{text}");
                assert_eq!(ts(&text).as_offset_date_time(), instant, "{text}");
            }
            seconds += 9_999_999;
        }
        assert_eq!(
            ts("2024-02-29T00:00:00Z").to_string(),
            "2024-02-29T00:00:00Z"
        );
        assert_eq!(
            ts("2000-02-29T00:00:00Z").to_string(),
            "2000-02-29T00:00:00Z"
        );
        assert!("1900-02-29T00:00:00Z".parse::<Timestamp>().is_err());
        assert_eq!(
            ts("2021-03-09T00:55:05Z") - ts("2021-03-09T00:55:03.5Z"),
            time::Duration::milliseconds(1500)
        );
    }

    /// `parse_common` either declines or agrees with the general parser.
    fn agrees(s: &str) -> bool {
        let general = parse(s);
        match parse_common(s.as_bytes()) {
            Some(t) => {
                assert_eq!(general, Ok(t), "{s:?}");
                true
            }
            None => false,
        }
    }

    #[test]
    fn the_common_layouts_agree_with_the_general_parser() {
        let seeds = [
            "2021-03-09T00:55:03.923456Z",
            "2021-03-09T00:58:59.045655",
            "2024-02-29T23:59:59Z",
            "2021-03-09T02:55:03+02:00",
            "2021-03-09t00:55:03.1z",
            "1900-02-28 00:00:00-23:59",
            "2021-03-09T00:55:03.123456789+05:30",
            "2000-02-29T12:00:00",
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59.999999999Z",
            "2021-03-09T00:55:03.5",
            "2021-03-09T00:55:03.5+01:00",
            "2021-03-09T00:55:03.1234567Z",
            "2021-03-09T00:55:03.12345678",
            "2021-03-09T00:55:03.12345678Z",
            "2021-03-09T00:55:03.123456789",
            "2021-03-09T00:55:03.000000001-00:30",
        ];
        // The layouts the fast path is for take it.
        for seed in seeds {
            assert!(agrees(seed), "{seed:?} should take the fast path");
        }
        // Declined, and left to the general parser: other offset forms, 10+ fraction digits.
        assert!(!agrees("2021-03-09T02:55:03+0200"));
        assert!(!agrees("2021-03-09T00:55:03.1234567891Z"));
        assert!(!agrees("2021-03-09T00:55:03.1234567891"));
        // Every one-character change of every seed: replaced, inserted, deleted, cut there.
        let replacements = [
            "0", "1", "2", "3", "4", "5", "6", "9", ":", "-", "T", "t", " ", "Z", "z", ".", "+",
            "/", "@", "\u{e9}", "\u{7f}", "\u{100}",
        ];
        for seed in seeds {
            for (i, c) in seed.char_indices() {
                let (before, after) = (&seed[..i], &seed[i + c.len_utf8()..]);
                agrees(before);
                agrees(&format!("{before}{after}"));
                for r in replacements {
                    agrees(&format!("{before}{r}{after}"));
                    agrees(&format!("{before}{r}{c}{after}"));
                }
            }
            for r in replacements {
                agrees(&format!("{seed}{r}"));
            }
        }
        // Every field at and around its limits.
        for year in ["0000", "1900", "2000", "2023", "2024", "2100"] {
            for month in 0..=13 {
                for day in [0, 1, 28, 29, 30, 31, 32] {
                    for (h, m, s) in [(0, 0, 0), (23, 59, 59), (24, 0, 0), (0, 60, 0), (0, 0, 60)] {
                        let text = format!("{year}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}Z");
                        agrees(&text);
                    }
                }
            }
        }
        for offset in ["+23:59", "-24:00", "+00:60", "+99:99", "+0a:00", "+00:0a"] {
            agrees(&format!("2021-03-09T00:55:03{offset}"));
        }
    }

    #[test]
    fn fractions_of_any_length() {
        assert_eq!(
            ts("2021-03-09T00:55:03Z").to_string(),
            "2021-03-09T00:55:03Z"
        );
        assert_eq!(
            ts("2021-03-09T00:55:03.5Z").to_string(),
            "2021-03-09T00:55:03.5Z"
        );
        assert_eq!(
            ts("2021-03-09T00:55:03.123456789Z").to_string(),
            "2021-03-09T00:55:03.123456789Z"
        );
        assert_eq!(
            ts("2021-03-09T00:55:03.1234567891234Z").to_string(),
            "2021-03-09T00:55:03.123456789Z"
        );
        assert_eq!(
            ts("2021-03-09T00:55:03.100Z").to_string(),
            "2021-03-09T00:55:03.1Z"
        );
    }

    #[test]
    fn rejects_bad_strings() {
        for bad in [
            "",
            "yesterday",
            "2021-03-09",
            "2021-03-09T00:55",
            "2021-13-09T00:55:03Z",
            "2021-02-30T00:55:03Z",
            "2021-03-09T24:00:00Z",
            "2021-03-09T00:55:03.Z",
            "2021-03-09T00:55:03+2:00",
            "2021-03-09T00:55:03Zjunk",
            "2021-03-09T00:55:03+25:00",
        ] {
            let err = bad.parse::<Timestamp>().unwrap_err();
            assert_eq!(err.input(), bad);
            assert!(err.to_string().contains(&format!("{bad:?}")), "{err}");
        }
    }

    #[test]
    fn serde_round_trip_and_error() {
        let t: Timestamp = serde_json::from_str(r#""2021-03-09T02:55:03+02:00""#).unwrap();
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#""2021-03-09T00:55:03Z""#
        );
        let back: Timestamp = serde_json::from_str(&serde_json::to_string(&t).unwrap()).unwrap();
        assert_eq!(back, t);

        let err = serde_json::from_str::<Timestamp>(r#""not a date""#).unwrap_err();
        assert!(err.to_string().contains("\"not a date\""), "{err}");
        assert!(serde_json::from_str::<Timestamp>("12").is_err());
    }

    #[test]
    fn ordering_and_conversions() {
        let a = ts("2021-03-09T00:55:03Z");
        let b = ts("2021-03-09T00:55:04+00:00");
        assert!(a < b);
        let odt: OffsetDateTime = b.into();
        assert_eq!(Timestamp::from(odt), b);
        assert_eq!(Timestamp::from_unix_timestamp(1_615_251_303), Some(a));
        assert!(Timestamp::now() > a);
        assert_eq!(format!("{a:?}"), "Timestamp(2021-03-09T00:55:03Z)");
    }
}
