//! Calling windows: the hours of each weekday when respondents may be called, in the survey's
//! local time (Europe/Paris by default, daylight saving included), closed on French public
//! holidays, and closed for good after the field end date.
//!
//! Default hours are queXS's weekday window and the research note's Saturday
//! (`../shared/research/fr-telephony.md` §3.3): Monday to Friday 09:00–20:30, Saturday
//! 10:00–18:00, never on Sunday.

use std::iter;

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Serialize};

use crate::clock_time::{ClockTime, TimeRange};
use crate::config_error::{ConfigError, ConfigErrors};
use crate::holidays::public_holiday_on;

/// How far ahead an opening is looked for when the field has no end date. With at least one
/// range in the week, the next opening is at most a few weeks away (public holidays can close a
/// one-day-a-week schedule twice in a row), so this only bounds the search.
pub const SEARCH_HORIZON_DAYS: i64 = 366;

/// The calling ranges of each day of the week, in local time (a day left out of a stored
/// configuration keeps its default hours).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WeekHours {
    /// Monday's ranges.
    pub monday: Vec<TimeRange>,
    /// Tuesday's ranges.
    pub tuesday: Vec<TimeRange>,
    /// Wednesday's ranges.
    pub wednesday: Vec<TimeRange>,
    /// Thursday's ranges.
    pub thursday: Vec<TimeRange>,
    /// Friday's ranges.
    pub friday: Vec<TimeRange>,
    /// Saturday's ranges.
    pub saturday: Vec<TimeRange>,
    /// Sunday's ranges.
    pub sunday: Vec<TimeRange>,
}

impl WeekHours {
    /// The ranges of `day`.
    pub fn on(&self, day: Weekday) -> &[TimeRange] {
        match day {
            Weekday::Monday => &self.monday,
            Weekday::Tuesday => &self.tuesday,
            Weekday::Wednesday => &self.wednesday,
            Weekday::Thursday => &self.thursday,
            Weekday::Friday => &self.friday,
            Weekday::Saturday => &self.saturday,
            Weekday::Sunday => &self.sunday,
        }
    }

    /// The ranges of `day`, to change them.
    pub fn on_mut(&mut self, day: Weekday) -> &mut Vec<TimeRange> {
        match day {
            Weekday::Monday => &mut self.monday,
            Weekday::Tuesday => &mut self.tuesday,
            Weekday::Wednesday => &mut self.wednesday,
            Weekday::Thursday => &mut self.thursday,
            Weekday::Friday => &mut self.friday,
            Weekday::Saturday => &mut self.saturday,
            Weekday::Sunday => &mut self.sunday,
        }
    }
}

/// The seven days, Monday first.
pub const WEEK: [Weekday; 7] = [
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
    Weekday::Saturday,
    Weekday::Sunday,
];

impl Default for WeekHours {
    /// Monday to Friday 09:00–20:30, Saturday 10:00–18:00, no Sunday.
    fn default() -> WeekHours {
        let weekday = vec![TimeRange::new(ClockTime::hm(9, 0), ClockTime::hm(20, 30))];
        WeekHours {
            monday: weekday.clone(),
            tuesday: weekday.clone(),
            wednesday: weekday.clone(),
            thursday: weekday.clone(),
            friday: weekday,
            saturday: vec![TimeRange::new(ClockTime::hm(10, 0), ClockTime::hm(18, 0))],
            sunday: Vec::new(),
        }
    }
}

/// Calling windows as a manager writes them (stored as JSON with the wave's rules); checked by
/// [`WindowsConfig::validate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WindowsConfig {
    /// IANA name of the respondents' time zone.
    pub time_zone: String,
    /// Calling ranges per weekday, in that time zone.
    pub hours: WeekHours,
    /// Whether French public holidays are closed.
    pub closed_on_public_holidays: bool,
    /// The last day of fieldwork (local date, included); no call after it. `None`: no end set.
    pub field_end: Option<Date>,
}

impl Default for WindowsConfig {
    /// Europe/Paris, the default hours, closed on public holidays, no end date.
    fn default() -> WindowsConfig {
        WindowsConfig {
            time_zone: "Europe/Paris".to_owned(),
            hours: WeekHours::default(),
            closed_on_public_holidays: true,
            field_end: None,
        }
    }
}

impl WindowsConfig {
    /// Checks the configuration: a known time zone, ranges that start before they end and do
    /// not overlap, at least one range in the week. Ranges come back sorted.
    pub fn validate(&self) -> Result<CallingWindows, ConfigErrors> {
        let mut errors = Vec::new();
        let windows = self.check(&mut errors);
        match windows {
            Some(windows) if errors.is_empty() => Ok(windows),
            _ => Err(ConfigErrors(errors)),
        }
    }

    /// Adds the configuration's problems to `errors`; the windows when the time zone is known.
    pub(crate) fn check(&self, errors: &mut Vec<ConfigError>) -> Option<CallingWindows> {
        let mut config = self.clone();
        for day in WEEK {
            let ranges = config.hours.on_mut(day);
            ranges.sort();
            for range in ranges.iter().filter(|r| r.start >= r.end) {
                errors.push(ConfigError::EmptyRange { day, range: *range });
            }
            for pair in ranges.windows(2) {
                if pair[0].overlaps(pair[1]) {
                    errors.push(ConfigError::OverlappingRanges {
                        day,
                        first: pair[0],
                        second: pair[1],
                    });
                }
            }
        }
        if WEEK.iter().all(|day| config.hours.on(*day).is_empty()) {
            errors.push(ConfigError::NoCallingHours);
        }
        match TimeZone::get(&self.time_zone) {
            Ok(time_zone) => Some(CallingWindows { config, time_zone }),
            Err(_) => {
                errors.push(ConfigError::UnknownTimeZone(self.time_zone.clone()));
                None
            }
        }
    }
}

/// Checked calling windows, with their time zone loaded: answers whether an instant is open
/// and when the next opening is.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "WindowsConfig", into = "WindowsConfig")]
pub struct CallingWindows {
    config: WindowsConfig,
    time_zone: TimeZone,
}

/// One opening of the calling windows: a range of a local day, as instants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opening {
    /// The local date of the range.
    pub date: Date,
    /// First open instant.
    pub start: Timestamp,
    /// End, excluded.
    pub end: Timestamp,
}

impl Opening {
    /// Whether `at` is in the opening.
    pub fn contains(&self, at: Timestamp) -> bool {
        self.start <= at && at < self.end
    }
}

impl CallingWindows {
    /// The checked configuration (ranges sorted).
    pub fn config(&self) -> &WindowsConfig {
        &self.config
    }

    /// The respondents' time zone.
    pub fn time_zone(&self) -> &TimeZone {
        &self.time_zone
    }

    /// The last day of fieldwork, if set.
    pub fn field_end(&self) -> Option<Date> {
        self.config.field_end
    }

    /// The local date of an instant.
    pub fn local_date(&self, at: Timestamp) -> Date {
        at.to_zoned(self.time_zone.clone()).date()
    }

    /// Whether calls may happen at all on `date`: not after the field end, not on a closed
    /// public holiday.
    pub fn is_calling_day(&self, date: Date) -> bool {
        let ended = self.config.field_end.is_some_and(|end| date > end);
        let holiday = self.config.closed_on_public_holidays && public_holiday_on(date).is_some();
        !ended && !holiday
    }

    /// The openings of a local day, in order. A range that a daylight-saving change shortens
    /// keeps its wall-clock bounds: 01:00–04:00 lasts two hours on the spring-forward day and
    /// four on the fall-back day. Bounds that do not exist that day move as [`ClockTime::on`]
    /// says (RFC 5545's rule): 02:10–02:50 opens 03:10–03:50 summer time.
    pub fn openings_on(&self, date: Date) -> impl Iterator<Item = Opening> + '_ {
        let ranges = if self.is_calling_day(date) {
            self.config.hours.on(date.weekday())
        } else {
            &[]
        };
        ranges.iter().filter_map(move |range| {
            let start = range.start.on(date, &self.time_zone)?;
            let end = range.end.on(date, &self.time_zone)?;
            (start < end).then_some(Opening { date, start, end })
        })
    }

    /// The openings from `from` on, in order, the first one cut to start at `from` when `from`
    /// is inside it; they stop at the field end, or after [`SEARCH_HORIZON_DAYS`].
    pub fn openings_from(&self, from: Timestamp) -> impl Iterator<Item = Opening> + '_ {
        let first = self.local_date(from);
        let horizon = first
            .checked_add(SEARCH_HORIZON_DAYS.days())
            .unwrap_or(Date::MAX);
        let last = self
            .config
            .field_end
            .map_or(horizon, |end| end.min(horizon));
        iter::successors(Some(first), |date| date.tomorrow().ok())
            .take_while(move |date| *date <= last)
            .flat_map(move |date| self.openings_on(date))
            .filter_map(move |opening| {
                let start = opening.start.max(from);
                (start < opening.end).then_some(Opening { start, ..opening })
            })
    }

    /// Whether `at` is inside a calling window.
    pub fn is_open(&self, at: Timestamp) -> bool {
        self.openings_on(self.local_date(at))
            .any(|opening| opening.contains(at))
    }

    /// The earliest instant at or after `at` inside a calling window; `None` when there is none
    /// before the field end (or within the search horizon).
    pub fn next_open(&self, at: Timestamp) -> Option<Timestamp> {
        self.openings_from(at).next().map(|opening| opening.start)
    }
}

impl PartialEq for CallingWindows {
    /// Windows are equal when their configurations are (the time zone follows from it).
    fn eq(&self, other: &CallingWindows) -> bool {
        self.config == other.config
    }
}

impl TryFrom<WindowsConfig> for CallingWindows {
    type Error = ConfigErrors;

    fn try_from(config: WindowsConfig) -> Result<CallingWindows, ConfigErrors> {
        config.validate()
    }
}

impl From<CallingWindows> for WindowsConfig {
    fn from(windows: CallingWindows) -> WindowsConfig {
        windows.config
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn ts(text: &str) -> Timestamp {
        text.parse().expect("RFC 3339 instant")
    }

    fn range(start: &str, end: &str) -> TimeRange {
        TimeRange::new(start.parse().unwrap(), end.parse().unwrap())
    }

    fn default_windows() -> CallingWindows {
        WindowsConfig::default()
            .validate()
            .expect("default windows")
    }

    #[test]
    fn weekday_window_opens_at_nine_paris_time() {
        let windows = default_windows();
        // Thursday 15 January 2026, winter time (UTC+1): 09:00 local is 08:00 UTC.
        assert!(!windows.is_open(ts("2026-01-15T07:59:59Z")));
        assert!(windows.is_open(ts("2026-01-15T08:00:00Z")));
        assert!(windows.is_open(ts("2026-01-15T19:29:59Z")));
        assert!(!windows.is_open(ts("2026-01-15T19:30:00Z")));
    }

    #[test]
    fn recall_outside_window_moves_to_next_window() {
        let windows = default_windows();
        // Thursday 21:00 local → Friday 09:00 local.
        assert_eq!(
            windows.next_open(ts("2026-01-15T20:00:00Z")),
            Some(ts("2026-01-16T08:00:00Z"))
        );
        // Saturday 18:30 local → Monday 09:00 local (no Sunday).
        assert_eq!(
            windows.next_open(ts("2026-01-17T17:30:00Z")),
            Some(ts("2026-01-19T08:00:00Z"))
        );
        // Inside a window, the instant itself.
        assert_eq!(
            windows.next_open(ts("2026-01-15T10:00:00Z")),
            Some(ts("2026-01-15T10:00:00Z"))
        );
    }

    #[test]
    fn public_holidays_are_skipped() {
        let windows = default_windows();
        // Friday 1 May 2026 (Labour Day) and Friday 8 May are closed; Saturday 2 May opens at 10:00.
        assert!(!windows.is_open(ts("2026-05-01T10:00:00Z")));
        assert_eq!(
            windows.next_open(ts("2026-04-30T19:00:00Z")),
            Some(ts("2026-05-02T08:00:00Z"))
        );
        // Easter Monday 6 April 2026 → Tuesday 7 April, 09:00 summer time (07:00 UTC).
        assert_eq!(
            windows.next_open(ts("2026-04-04T17:00:00Z")),
            Some(ts("2026-04-07T07:00:00Z"))
        );
    }

    #[test]
    fn holidays_may_be_opened() {
        let config = WindowsConfig {
            closed_on_public_holidays: false,
            ..WindowsConfig::default()
        };
        assert!(
            config
                .validate()
                .unwrap()
                .is_open(ts("2026-05-01T10:00:00Z"))
        );
    }

    #[test]
    fn field_end_stops_all_dialling() {
        let config = WindowsConfig {
            field_end: Some(date(2026, 1, 16)),
            ..WindowsConfig::default()
        };
        let windows = config.validate().unwrap();
        assert!(windows.is_open(ts("2026-01-16T19:00:00Z")));
        assert_eq!(windows.next_open(ts("2026-01-16T19:30:00Z")), None);
        assert!(!windows.is_open(ts("2026-01-17T10:00:00Z")));
    }

    #[test]
    fn weekday_windows_follow_summer_time_around_both_changes() {
        let windows = default_windows();
        // Saturday before and Monday after spring-forward (29 March 2026): UTC+1 then UTC+2.
        assert_eq!(
            windows.next_open(ts("2026-03-28T00:00:00Z")),
            Some(ts("2026-03-28T09:00:00Z"))
        );
        assert_eq!(
            windows.next_open(ts("2026-03-28T17:00:00Z")),
            Some(ts("2026-03-30T07:00:00Z"))
        );
        // Saturday before and Monday after fall-back (25 October 2026): UTC+2 then UTC+1.
        assert_eq!(
            windows.next_open(ts("2026-10-24T00:00:00Z")),
            Some(ts("2026-10-24T08:00:00Z"))
        );
        assert_eq!(
            windows.next_open(ts("2026-10-24T16:00:00Z")),
            Some(ts("2026-10-26T08:00:00Z"))
        );
    }

    /// Windows open on Sundays across the night, to land on the change of time itself.
    fn sunday_night_windows() -> CallingWindows {
        let mut config = WindowsConfig::default();
        config.hours.sunday = vec![range("01:00", "04:00"), range("10:00", "12:00")];
        config.validate().unwrap()
    }

    fn sunday_openings(windows: &CallingWindows, day: Date) -> Vec<(Timestamp, Timestamp)> {
        windows.openings_on(day).map(|o| (o.start, o.end)).collect()
    }

    #[test]
    fn window_on_spring_forward_day_loses_the_skipped_hour() {
        let windows = sunday_night_windows();
        // 2026: clocks jump from 02:00 to 03:00 on 29 March. 01:00 is UTC+1, 04:00 is UTC+2.
        assert_eq!(
            sunday_openings(&windows, date(2026, 3, 29)),
            vec![
                (ts("2026-03-29T00:00:00Z"), ts("2026-03-29T02:00:00Z")),
                (ts("2026-03-29T08:00:00Z"), ts("2026-03-29T10:00:00Z")),
            ]
        );
        // 2027: 28 March (also Easter Sunday, which is no public holiday).
        assert_eq!(
            sunday_openings(&windows, date(2027, 3, 28)),
            vec![
                (ts("2027-03-28T00:00:00Z"), ts("2027-03-28T02:00:00Z")),
                (ts("2027-03-28T08:00:00Z"), ts("2027-03-28T10:00:00Z")),
            ]
        );
    }

    #[test]
    fn window_on_fall_back_day_gains_the_repeated_hour() {
        let windows = sunday_night_windows();
        // 2026: clocks go back from 03:00 to 02:00 on 25 October. 01:00 is UTC+2, 04:00 UTC+1.
        assert_eq!(
            sunday_openings(&windows, date(2026, 10, 25)),
            vec![
                (ts("2026-10-24T23:00:00Z"), ts("2026-10-25T03:00:00Z")),
                (ts("2026-10-25T09:00:00Z"), ts("2026-10-25T11:00:00Z")),
            ]
        );
        // 2027: 31 October.
        assert_eq!(
            sunday_openings(&windows, date(2027, 10, 31)),
            vec![
                (ts("2027-10-30T23:00:00Z"), ts("2027-10-31T03:00:00Z")),
                (ts("2027-10-31T09:00:00Z"), ts("2027-10-31T11:00:00Z")),
            ]
        );
    }

    #[test]
    fn range_inside_the_skipped_hour_moves_an_hour_later() {
        let mut config = WindowsConfig::default();
        config.hours.sunday = vec![range("02:10", "02:50")];
        let windows = config.validate().unwrap();
        // 03:10–03:50 summer time (UTC+2) on 29 March 2026.
        assert_eq!(
            sunday_openings(&windows, date(2026, 3, 29)),
            vec![(ts("2026-03-29T01:10:00Z"), ts("2026-03-29T01:50:00Z"))]
        );
    }

    #[test]
    fn several_ranges_a_day_leave_a_lunch_break() {
        let mut config = WindowsConfig::default();
        config.hours.monday = vec![range("14:00", "20:00"), range("10:00", "13:00")];
        let windows = config.validate().unwrap();
        assert_eq!(
            windows.config().hours.monday,
            vec![range("10:00", "13:00"), range("14:00", "20:00")]
        );
        // Monday 19 January 2026, 13:30 local → 14:00 local.
        assert_eq!(
            windows.next_open(ts("2026-01-19T12:30:00Z")),
            Some(ts("2026-01-19T13:00:00Z"))
        );
    }

    #[test]
    fn range_until_midnight_is_allowed() {
        let mut config = WindowsConfig::default();
        config.hours.sunday = vec![range("18:00", "24:00")];
        let windows = config.validate().unwrap();
        assert!(windows.is_open(ts("2026-01-18T22:59:00Z")));
        assert!(!windows.is_open(ts("2026-01-18T23:00:00Z")));
    }

    #[test]
    fn invalid_windows_are_refused_with_every_problem_in_french() {
        let mut config = WindowsConfig {
            time_zone: "Europe/Bordeaux".to_owned(),
            ..WindowsConfig::default()
        };
        config.hours.monday = vec![range("20:30", "09:00")];
        config.hours.tuesday = vec![range("09:00", "13:00"), range("12:00", "18:00")];
        let errors = config.validate().unwrap_err();
        assert_eq!(
            errors.to_string(),
            "Lundi : la plage 20:30–09:00 doit commencer avant de finir ; \
             Mardi : les plages 09:00–13:00 et 12:00–18:00 se chevauchent ; \
             fuseau horaire inconnu : « Europe/Bordeaux »"
        );
    }

    #[test]
    fn a_week_without_hours_is_refused() {
        let config = WindowsConfig {
            hours: WeekHours {
                monday: vec![],
                tuesday: vec![],
                wednesday: vec![],
                thursday: vec![],
                friday: vec![],
                saturday: vec![],
                sunday: vec![],
            },
            ..WindowsConfig::default()
        };
        assert_eq!(
            config.validate().unwrap_err().0,
            vec![ConfigError::NoCallingHours]
        );
    }

    #[test]
    fn windows_round_trip_through_json_and_are_checked_when_read() {
        let windows = default_windows();
        let json = serde_json::to_string(&windows).unwrap();
        assert!(json.starts_with(
            r#"{"time_zone":"Europe/Paris","hours":{"monday":[{"start":"09:00","end":"20:30"}]"#
        ));
        assert_eq!(
            serde_json::from_str::<CallingWindows>(&json).unwrap(),
            windows
        );
        let bad = r#"{"hours":{"monday":[{"start":"21:00","end":"09:00"}]}}"#;
        let error = serde_json::from_str::<CallingWindows>(bad).unwrap_err();
        assert!(error.to_string().contains("doit commencer avant de finir"));
    }
}
