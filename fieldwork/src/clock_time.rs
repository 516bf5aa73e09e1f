//! Wall-clock times of day (`09:00`) and ranges of them (`09:00–20:30`), as a manager types
//! them, and where they fall on a given day in a time zone.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use crate::config_error::ConfigError;

/// A time of day to the minute, from `00:00` to `24:00`; `24:00` is the end of the day, so that
/// a range can run until midnight. Written `HH:MM` in configurations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ClockTime {
    minutes: u16,
}

impl ClockTime {
    /// The start of the day, `00:00`.
    pub const MIDNIGHT: ClockTime = ClockTime { minutes: 0 };
    /// The end of the day, `24:00`.
    pub const END_OF_DAY: ClockTime = ClockTime { minutes: 24 * 60 };

    /// The time `hour:minute`; hours from 0 to 24, and `24` only as `24:00`.
    pub fn new(hour: u8, minute: u8) -> Result<ClockTime, ConfigError> {
        let minutes = u16::from(hour) * 60 + u16::from(minute);
        if minute > 59 || minutes > Self::END_OF_DAY.minutes {
            return Err(ConfigError::InvalidTime(format!("{hour:02}:{minute:02}")));
        }
        Ok(ClockTime { minutes })
    }

    /// A time written in the crate's own defaults (`hm(9, 0)`), in range by construction.
    pub(crate) const fn hm(hour: u16, minute: u16) -> ClockTime {
        ClockTime {
            minutes: hour * 60 + minute,
        }
    }

    /// The hour, 0 to 24.
    pub fn hour(self) -> u8 {
        // At most 24 by construction.
        (self.minutes / 60) as u8
    }

    /// The minute within the hour, 0 to 59.
    pub fn minute(self) -> u8 {
        (self.minutes % 60) as u8
    }

    /// The time of day of a local wall-clock time, to the minute (seconds are dropped).
    pub fn of(time: jiff::civil::Time) -> ClockTime {
        ClockTime {
            minutes: u16::from(time.hour().unsigned_abs()) * 60
                + u16::from(time.minute().unsigned_abs()),
        }
    }

    /// The instant this time of day happens on `date` in `time_zone` (`24:00` is the next
    /// midnight). A time skipped by a daylight-saving change (02:30 on the spring-forward day in
    /// Paris) is taken as the instant the clocks jump to, read with the offset before the change
    /// (03:30 summer time); a time that happens twice (02:30 on the fall-back day) is its first
    /// occurrence. `None` only at the ends of the representable calendar.
    pub fn on(self, date: Date, time_zone: &TimeZone) -> Option<Timestamp> {
        let (date, time) = if self == Self::END_OF_DAY {
            (date.tomorrow().ok()?, jiff::civil::Time::midnight())
        } else {
            let time = jiff::civil::Time::new(self.hour() as i8, self.minute() as i8, 0, 0).ok()?;
            (date, time)
        };
        time_zone.to_timestamp(date.to_datetime(time)).ok()
    }
}

/// The instant `minutes` after `at` (the end of time when that is beyond it).
pub(crate) fn minutes_after(at: Timestamp, minutes: u32) -> Timestamp {
    at.saturating_add(jiff::SignedDuration::from_mins(i64::from(minutes)))
        .unwrap_or(Timestamp::MAX)
}

impl fmt::Display for ClockTime {
    /// Writes `HH:MM`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour(), self.minute())
    }
}

impl FromStr for ClockTime {
    type Err = ConfigError;

    /// Reads `HH:MM` (or `H:MM`), from `00:00` to `24:00`.
    fn from_str(text: &str) -> Result<ClockTime, ConfigError> {
        let invalid = || ConfigError::InvalidTime(text.to_owned());
        let (hour, minute) = text.trim().split_once(':').ok_or_else(invalid)?;
        let hour = digits(hour, 1..=2).ok_or_else(invalid)?;
        let minute = digits(minute, 2..=2).ok_or_else(invalid)?;
        ClockTime::new(hour, minute).map_err(|_| invalid())
    }
}

/// The number written by `part` when it is only ASCII digits, as many as `lengths` allows.
fn digits(part: &str, lengths: std::ops::RangeInclusive<usize>) -> Option<u8> {
    let all_digits = part.bytes().all(|b| b.is_ascii_digit());
    if lengths.contains(&part.len()) && all_digits {
        part.parse().ok()
    } else {
        None
    }
}

impl TryFrom<String> for ClockTime {
    type Error = ConfigError;

    fn try_from(text: String) -> Result<ClockTime, ConfigError> {
        text.parse()
    }
}

impl From<ClockTime> for String {
    fn from(time: ClockTime) -> String {
        time.to_string()
    }
}

/// A range of the day, from `start` included to `end` excluded (`09:00–20:30`: a call at 20:30
/// is too late).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TimeRange {
    /// First minute of the range.
    pub start: ClockTime,
    /// End of the range, excluded.
    pub end: ClockTime,
}

impl TimeRange {
    /// The range `start–end` (not checked: a range that does not start before it ends is
    /// refused when the configuration holding it is validated).
    pub fn new(start: ClockTime, end: ClockTime) -> TimeRange {
        TimeRange { start, end }
    }

    /// Whether the two ranges share a minute.
    pub fn overlaps(self, other: TimeRange) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// The part of the day in both ranges, if any.
    pub fn intersection(self, other: TimeRange) -> Option<TimeRange> {
        let range = TimeRange::new(self.start.max(other.start), self.end.min(other.end));
        (range.start < range.end).then_some(range)
    }
}

impl fmt::Display for TimeRange {
    /// Writes `HH:MM–HH:MM`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}–{}", self.start, self.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn time(text: &str) -> ClockTime {
        text.parse().expect("valid time")
    }

    #[test]
    fn times_read_and_write_as_hours_and_minutes() {
        assert_eq!(time("09:00").to_string(), "09:00");
        assert_eq!(time("9:05").to_string(), "09:05");
        assert_eq!(time("24:00"), ClockTime::END_OF_DAY);
        assert_eq!(time(" 20:30 "), ClockTime::new(20, 30).unwrap());
    }

    #[test]
    fn times_outside_the_day_are_refused_in_french() {
        for text in [
            "24:01", "25:00", "12:60", "12", "12:5", "ab:cd", "-1:00", "", "123:00",
        ] {
            let error = text.parse::<ClockTime>().expect_err(text);
            assert!(error.to_string().starts_with("heure invalide"), "{error}");
        }
        assert!(ClockTime::new(24, 30).is_err());
    }

    #[test]
    fn times_serialize_as_strings() {
        let json = serde_json::to_string(&TimeRange::new(time("09:00"), time("20:30"))).unwrap();
        assert_eq!(json, r#"{"start":"09:00","end":"20:30"}"#);
        let error = serde_json::from_str::<ClockTime>(r#""25:00""#).unwrap_err();
        assert!(
            error.to_string().contains("heure invalide « 25:00 »"),
            "{error}"
        );
    }

    #[test]
    fn end_of_day_is_the_next_midnight() {
        let paris = TimeZone::get("Europe/Paris").unwrap();
        let at = ClockTime::END_OF_DAY.on(jiff::civil::date(2026, 1, 15), &paris);
        assert_eq!(at, Some("2026-01-15T23:00:00Z".parse().unwrap()));
    }

    #[test]
    fn ranges_overlap_only_when_they_share_a_minute() {
        let morning = TimeRange::new(time("09:00"), time("12:00"));
        let afternoon = TimeRange::new(time("12:00"), time("18:00"));
        assert!(!morning.overlaps(afternoon));
        assert!(morning.overlaps(TimeRange::new(time("11:59"), time("13:00"))));
        assert_eq!(morning.intersection(afternoon), None);
        assert_eq!(
            TimeRange::new(time("10:00"), time("14:00")).intersection(afternoon),
            Some(TimeRange::new(time("12:00"), time("14:00")))
        );
    }
}
