//! Calling windows on random weekly hours and random instants across 2026–2028 in
//! Europe/Paris, both daylight-saving changes of each year included: an instant is open
//! exactly when its Paris wall-clock time is in a range of a working day, and the next opening
//! is the earliest open instant.

mod common;

use common::{instant, week_hours};
use fieldwork::{ClockTime, WindowsConfig, public_holiday_on};
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;

fn windows(hours: fieldwork::WeekHours) -> fieldwork::CallingWindows {
    WindowsConfig {
        hours,
        ..WindowsConfig::default()
    }
    .validate()
    .expect("random hours are valid")
}

proptest! {
    // Ranges from 04:00 on, so that no bound falls in the hour a change of time skips or
    // repeats: there the wall clock alone cannot say which instant is meant.
    #[test]
    fn open_instants_are_those_whose_paris_wall_clock_is_in_a_range(
        hours in week_hours(16),
        at in instant(),
    ) {
        let windows = windows(hours.clone());
        let local = at.to_zoned(windows.time_zone().clone());
        let time = ClockTime::of(local.time());
        let expected = public_holiday_on(local.date()).is_none()
            && hours
                .on(local.weekday())
                .iter()
                .any(|range| range.start <= time && time < range.end);
        prop_assert_eq!(windows.is_open(at), expected, "at {}", local);
    }

    #[test]
    fn next_opening_is_the_earliest_open_instant(hours in week_hours(0), at in instant()) {
        let windows = windows(hours);
        let next = windows.next_open(at).expect("no field end: always an opening");
        prop_assert!(next >= at);
        prop_assert!(windows.is_open(next));
        // Openings start and end on quarter hours (Paris offsets are whole hours): sampling
        // `at` and every quarter hour after it finds any opening before `next`.
        let quarter = SignedDuration::from_mins(15);
        let first_quarter = Timestamp::from_second(at.as_second().div_euclid(900) * 900 + 900)
            .expect("in range");
        prop_assert!(next == at || !windows.is_open(at));
        let mut probe = first_quarter;
        while probe < next {
            prop_assert!(!windows.is_open(probe), "open at {} before {}", probe, next);
            probe += quarter;
        }
    }

    #[test]
    fn an_opening_lasts_as_long_as_its_range_away_from_the_night_changes(
        hours in week_hours(16),
        at in instant(),
    ) {
        let windows = windows(hours.clone());
        let date = windows.local_date(at);
        let openings: Vec<_> = windows.openings_on(date).collect();
        if public_holiday_on(date).is_some() {
            prop_assert!(openings.is_empty());
            return Ok(());
        }
        let ranges = hours.on(date.weekday());
        prop_assert_eq!(openings.len(), ranges.len());
        let minutes = |t: ClockTime| i64::from(t.hour()) * 60 + i64::from(t.minute());
        for (opening, range) in openings.iter().zip(ranges) {
            let length = opening.end.duration_since(opening.start).as_secs() / 60;
            prop_assert_eq!(length, minutes(range.end) - minutes(range.start), "on {}", date);
            prop_assert_eq!(opening.date, date);
        }
    }
}
