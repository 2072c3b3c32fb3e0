//! RFC 3339 date-times, with the missing-offset form Cloudflare sometimes sends.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Deserializer, Serialize, Serializer, de};
use time::{Date, Month, OffsetDateTime, PlainDateTime, Time, UtcOffset, error::ComponentRange};

/// A point in time, as the API's `format: date-time` strings describe it.
///
/// Accepted forms (by [`FromStr`] and [`Deserialize`]; values and calendar checked by `time`):
///
/// * RFC 3339 with an offset: `2021-03-09T00:55:03.923456Z`, `2021-03-09T02:55:03+02:00`;
/// * the same without an offset, which some Cloudflare endpoints send and which is taken as
///   UTC: `2021-03-09T00:58:59.045655`;
/// * fractional seconds of any length (0 to 9 digits are exact; further digits are below a
///   nanosecond and are dropped); `T` may also be written `t` or a space, `Z` also `z`, and an
///   offset also as `+0200`.
///
/// The value is held in UTC and written ([`Display`](fmt::Display), [`Serialize`]) as RFC 3339
/// with a `Z` offset and the shortest exact fraction: `2021-03-09T00:55:03.923456Z` (a year
/// RFC 3339 cannot write, before 0000 or after 9999, as `time` writes it).
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
// In UTC, or in its own offset only where UTC would be past `time`'s range (see `From`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(OffsetDateTime);

impl Timestamp {
    /// The current time.
    pub fn now() -> Self {
        Timestamp(OffsetDateTime::now_utc())
    }

    /// The time `seconds` after the Unix epoch, if `time` can represent it.
    pub fn from_unix_timestamp(seconds: i64) -> Option<Self> {
        OffsetDateTime::from_unix_timestamp(seconds).ok().map(Self)
    }

    /// The time as a [`time::OffsetDateTime`] (in UTC).
    pub fn as_offset_date_time(&self) -> OffsetDateTime {
        self.0
    }

    /// How long ago this was (negative for a time in the future).
    pub fn elapsed(&self) -> time::Duration {
        Timestamp::now() - *self
    }

    /// Seconds since the Unix epoch.
    pub fn unix_timestamp(&self) -> i64 {
        self.0.unix_timestamp()
    }
}

/// The time between two timestamps (negative when `rhs` is later).
impl std::ops::Sub for Timestamp {
    type Output = time::Duration;

    fn sub(self, rhs: Timestamp) -> time::Duration {
        self.0 - rhs.0
    }
}

impl From<OffsetDateTime> for Timestamp {
    /// Keeps the instant (the offset is not kept: a `Timestamp` is written in UTC).
    fn from(value: OffsetDateTime) -> Self {
        Timestamp(value.checked_to_offset(UtcOffset::UTC).unwrap_or(value))
    }
}

impl From<Timestamp> for OffsetDateTime {
    fn from(value: Timestamp) -> Self {
        value.0
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({self})")
    }
}

impl fmt::Display for Timestamp {
    // Written from the fields, so every user's build of `time` skips its `formatting` feature
    // (docs/benchmarks.md); `rfc3339_is_written_as_time_writes_it` pins the output to `time`'s.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (date, clock, offset) = (self.0.date(), self.0.time(), self.0.offset());
        if !(0..=9999).contains(&date.year()) || offset.seconds_past_minute() != 0 {
            return write!(f, "{}", self.0); // what RFC 3339 cannot write
        }
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            date.year(),
            u8::from(date.month()),
            date.day(),
            clock.hour(),
            clock.minute(),
            clock.second(),
        )?;
        let nanos = clock.nanosecond();
        if nanos != 0 {
            // The shortest exact fraction: nine digits less their trailing zeros.
            let (mut fraction, mut width) = (nanos, 9);
            while fraction % 10 == 0 {
                fraction /= 10;
                width -= 1;
            }
            write!(f, ".{fraction:0width$}")?;
        }
        if offset.is_utc() {
            f.write_str("Z")
        } else {
            let sign = if offset.is_negative() { '-' } else { '+' };
            let (hours, minutes) = (offset.whole_hours().abs(), offset.minutes_past_hour().abs());
            write!(f, "{sign}{hours:02}:{minutes:02}")
        }
    }
}

/// Why a string is not a [`Timestamp`]; its `Display` names the string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimestampParseError {
    input: String,
    reason: Reason,
}

/// What `parse` found: not the layout (which part), or a value out of range (`time`'s check).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reason {
    Layout(&'static str),
    Range(ComponentRange),
}

impl From<ComponentRange> for Reason {
    fn from(e: ComponentRange) -> Self {
        Reason::Range(e)
    }
}

impl TimestampParseError {
    /// The string that failed to parse.
    pub fn input(&self) -> &str {
        &self.input
    }
}

impl fmt::Display for TimestampParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid timestamp {:?}: ", self.input)?;
        match self.reason {
            Reason::Layout(reason) => f.write_str(reason)?,
            Reason::Range(e) => write!(f, "{e}")?,
        }
        f.write_str("; expected RFC 3339 such as \"2021-03-09T00:55:03.923456Z\"")
    }
}

impl std::error::Error for TimestampParseError {}

impl FromStr for Timestamp {
    type Err = TimestampParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse(s).map_err(|reason| TimestampParseError {
            input: s.to_owned(),
            reason,
        })
    }
}

/// Splits `YYYY-MM-DDTHH:MM:SS`, a fraction, then `Z`, `±HH:MM`, `±HHMM` or nothing at their
/// places; `time` checks the values (month, day in that month and year, time of day, offset) and
/// does the calendar arithmetic.
#[inline]
fn parse(s: &str) -> Result<Timestamp, Reason> {
    const LAYOUT: Reason = Reason::Layout("expected YYYY-MM-DDTHH:MM:SS");
    const OFFSET: Reason = Reason::Layout("expected Z, an offset such as +02:00, or nothing");
    let b = s.as_bytes();
    let head = b.first_chunk::<19>().ok_or(LAYOUT)?;
    // Each digit's value, and whether any digit or separator is wrong (one pass, no branches).
    let (mut d, mut bad) = ([0u8; 19], false);
    for ((value, &c), &expected) in d.iter_mut().zip(head).zip(b"0000-00-00T00:00:00") {
        *value = c.wrapping_sub(b'0');
        bad |= match expected {
            b'0' => *value > 9,
            b'T' => !matches!(c, b'T' | b't' | b' '),
            _ => c != expected,
        };
    }
    if bad {
        return Err(LAYOUT);
    }
    let two = |i: usize| d[i] * 10 + d[i + 1];
    let year = i32::from(two(0)) * 100 + i32::from(two(2));
    let date = Date::from_calendar_date(year, Month::try_from(two(5))?, two(8))?;
    let (hour, minute, second) = (two(11), two(14), two(17));
    let (mut nanos, mut rest) = (0, &b[19..]);
    if let [b'.', fraction @ ..] = rest {
        let mut digits = 0;
        for digit in fraction.iter().take(9).map(|c| c.wrapping_sub(b'0')) {
            if digit > 9 {
                break;
            }
            nanos = nanos * 10 + u32::from(digit);
            digits += 1;
        }
        if digits == 0 {
            return Err(Reason::Layout("expected digits after the decimal point"));
        }
        nanos *= 10u32.pow(9 - digits as u32);
        while fraction.get(digits).is_some_and(u8::is_ascii_digit) {
            digits += 1; // below a nanosecond: dropped
        }
        rest = &fraction[digits..];
    }
    let time = Time::from_hms_nano(hour, minute, second, nanos)?;
    let offset = match *rest {
        [] | [b'Z' | b'z'] => UtcOffset::UTC,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] | [sign @ (b'+' | b'-'), _, _, _, _] => {
            let hours = two_digits(rest, 1).ok_or(OFFSET)? as i8;
            let minutes = two_digits(rest, rest.len() - 2).ok_or(OFFSET)? as i8;
            if hours > 23 {
                // RFC 3339's limit (`time` would take up to 25 hours).
                return Err(Reason::Layout("the offset is out of range"));
            }
            let sign = if sign == b'-' { -1 } else { 1 };
            UtcOffset::from_hms(sign * hours, sign * minutes, 0)?
        }
        _ => return Err(OFFSET),
    };
    let local = PlainDateTime::new(date, time);
    Ok(match offset.is_utc() {
        true => Timestamp(local.assume_utc()),
        false => Timestamp::from(local.assume_offset(offset)),
    })
}

/// The two ASCII digits at `at` as a number.
#[inline]
fn two_digits(b: &[u8], at: usize) -> Option<u8> {
    match (b[at].wrapping_sub(b'0'), b[at + 1].wrapping_sub(b'0')) {
        (tens @ 0..=9, ones @ 0..=9) => Some(tens * 10 + ones),
        _ => None,
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

        impl de::Visitor<'_> for TimestampVisitor {
            type Value = Timestamp;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 date-time string")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Timestamp, E> {
                v.parse().map_err(E::custom)
            }
        }

        deserializer.deserialize_str(TimestampVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::format_description::well_known::Rfc3339;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    #[rustfmt::skip]
    const SAME: [&str; 9] = [
        "2021-03-09T00:55:03.923456Z", "2021-03-09T02:55:03.923456+02:00",
        "2021-03-08T19:55:03.923456-05:00", "2021-03-09T02:55:03.923456+0200",
        "2021-03-09t00:55:03.923456z", "2021-03-09 00:55:03.923456Z",
        "2021-03-09T00:55:03.923456-00:00", "2021-03-09T00:55:03.923456",
        "2021-03-09T00:55:03.92345600000000000000000000000000000000000001",
    ];

    #[rustfmt::skip]
    const SHOWN: [(&str, &str); 11] = [
        ("2024-02-29T00:00:00Z", "2024-02-29T00:00:00Z"),
        ("2000-02-29T00:00:00", "2000-02-29T00:00:00Z"),
        ("0000-02-29T00:00:00", "0000-02-29T00:00:00Z"),
        ("2021-03-01T00:30:00+01:00", "2021-02-28T23:30:00Z"),
        ("2021-03-09T00:55:03.5Z", "2021-03-09T00:55:03.5Z"),
        ("2021-03-09T00:55:03.100", "2021-03-09T00:55:03.1Z"),
        ("2021-03-09T00:55:03.123456789Z", "2021-03-09T00:55:03.123456789Z"),
        ("2021-03-09T00:55:03.1234567891234Z", "2021-03-09T00:55:03.123456789Z"),
        ("2021-03-09T00:55:03.1234567891234", "2021-03-09T00:55:03.123456789Z"),
        ("2021-03-09T00:55:03.000000001-00:30", "2021-03-09T01:25:03.000000001Z"),
        ("0000-01-01T00:00:00+01:00", "-0001-12-31 23:00:00.0 +00:00:00"),
    ];

    #[rustfmt::skip]
    const BAD: [&str; 32] = [
        "", "yesterday", "2021-03-09", "2021-03-09T00:55", "21-03-09T00:55:03Z",
        "2021-3-09T00:55:03Z", "+2021-03-09T00:55:03Z", "2021-00-09T00:55:03Z",
        "2021-13-09T00:55:03Z", "2021-02-30T00:55:03Z", "2021-04-31T00:55:03",
        "1900-02-29T00:00:00Z", "2023-02-29T00:00:00", "2100-02-29T00:00:00Z",
        "2021-03-09T24:00:00Z", "2021-03-09T00:60:00Z", "2021-03-09T00:00:60Z",
        "2021-03-09X00:55:03Z", "2021-03-09T00:55:03.Z", "2021-03-09T00:55:03.",
        "2021-03-09T00:55:03+2:00", "2021-03-09T00:55:03+020", "2021-03-09T00:55:03+02000",
        "2021-03-09T00:55:03+02:0", "2021-03-09T00:55:03-", "2021-03-09T00:55:03+0\u{e9}0",
        "2021-03-09T00:55:03Zjunk", "2021-03-09T00:55:03 Z", "2021-03-09T00:55:03+24:00",
        "2021-03-09T00:55:03+0060", "2021-03-09T00:55:03+05:30x",
        "2021-03-09T00:55:03.11111111111111111111111111111111111111111111x",
    ];

    #[test]
    fn accepted_shown_and_rejected() {
        for same in SAME {
            assert_eq!(ts(same).unix_timestamp(), 1_615_251_303, "{same}");
            assert_eq!(ts(same).to_string(), "2021-03-09T00:55:03.923456Z");
        }
        for (text, shown) in SHOWN {
            assert_eq!(ts(text).to_string(), shown);
        }
        for bad in BAD {
            let err = bad.parse::<Timestamp>().unwrap_err();
            assert_eq!(err.input(), bad);
            assert!(err.to_string().contains(&format!("{bad:?}")), "{err}");
        }
    }

    #[test]
    fn rfc3339_is_written_as_time_writes_it() {
        // Instants from 1900 to 2100 with fractions of every length, in three offsets (built
        // with `Timestamp(..)` directly, since `From` converts to UTC).
        let fractions = [
            0,
            1,
            10,
            120,
            923_456_000,
            999_999_999,
            500_000_000,
            45_655_000,
        ];
        for (i, seconds) in (-2_208_988_800i64..4_102_444_800)
            .step_by(7_777_777)
            .enumerate()
        {
            let nanos = fractions[i % fractions.len()];
            let instant = OffsetDateTime::from_unix_timestamp(seconds).unwrap()
                + time::Duration::nanoseconds(nanos);
            for (h, m) in [(0, 0), (5, 30), (-8, -45)] {
                let shifted = instant.to_offset(UtcOffset::from_hms(h, m, 0).unwrap());
                assert_eq!(
                    Timestamp(shifted).to_string(),
                    shifted.format(&Rfc3339).unwrap()
                );
            }
        }
        // What RFC 3339 cannot write falls back to `time`'s own `Display`.
        let odd = UtcOffset::from_hms(1, 2, 3).unwrap();
        let instant = OffsetDateTime::UNIX_EPOCH.to_offset(odd);
        assert!(instant.format(&Rfc3339).is_err());
        assert_eq!(Timestamp(instant).to_string(), instant.to_string());
    }

    #[test]
    fn every_form_agrees_with_time() {
        // Every 9_999_999 s (~116 days, drifting through times of day) from 1900 to 2100, in
        // three offsets, as `time` writes it and in the lenient forms (no `Z`, `+0530`).
        for seconds in (-2_208_988_800i64..4_102_444_800).step_by(9_999_999) {
            let instant = OffsetDateTime::from_unix_timestamp(seconds).unwrap();
            for (h, m) in [(0, 0), (5, 30), (-8, 0)] {
                let shifted = instant.to_offset(UtcOffset::from_hms(h, m, 0).unwrap());
                let text = shifted.format(&Rfc3339).unwrap();
                let (local, offset) = text.split_at(19);
                let lenient = format!("{local}{}", offset.trim_matches('Z').replace(':', ""));
                for text in [&text, &lenient] {
                    assert_eq!(ts(text).as_offset_date_time(), instant, "{text}");
                    assert_eq!(ts(text).as_offset_date_time().offset(), UtcOffset::UTC);
                }
            }
        }
    }

    #[test]
    fn serde_arithmetic_and_conversions() {
        let t: Timestamp = serde_json::from_str(r#""2021-03-09T02:55:03+02:00""#).unwrap();
        let text = serde_json::to_string(&t).unwrap();
        assert_eq!(text, r#""2021-03-09T00:55:03Z""#);
        assert_eq!(serde_json::from_str::<Timestamp>(&text).unwrap(), t);
        let err = serde_json::from_str::<Timestamp>(r#""not a date""#).unwrap_err();
        assert!(err.to_string().contains("\"not a date\""), "{err}");
        assert!(serde_json::from_str::<Timestamp>("12").is_err());

        let (a, b) = (t, ts("2021-03-09T00:55:04.5+00:00"));
        assert!(a < b && Timestamp::now() > b && a.elapsed() > time::Duration::days(365));
        assert_eq!(b - a, time::Duration::milliseconds(1500));
        assert_eq!(a - b, -(b - a));
        let shifted = OffsetDateTime::from(b).to_offset(UtcOffset::from_hms(5, 30, 0).unwrap());
        let back = Timestamp::from(shifted);
        assert_eq!(
            (back, back.as_offset_date_time().offset()),
            (b, UtcOffset::UTC)
        );
        assert_eq!(Timestamp::from_unix_timestamp(1_615_251_303), Some(a));
        assert_eq!(format!("{a:?}"), "Timestamp(2021-03-09T00:55:03Z)");
    }
}
