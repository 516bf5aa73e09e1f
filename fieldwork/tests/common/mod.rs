//! Strategies shared by the property tests: instants across 2026–2028 and random weekly
//! calling hours.

use fieldwork::{ClockTime, TimeRange, WeekHours};
use jiff::Timestamp;
use proptest::prelude::*;

/// 2026-01-01T00:00:00Z.
const FROM: i64 = 1_767_225_600;
/// 2029-01-01T00:00:00Z.
const UNTIL: i64 = 1_861_920_000;

/// An instant in 2026, 2027 or 2028, to the second.
pub fn instant() -> impl Strategy<Value = Timestamp> {
    (FROM..UNTIL).prop_map(|s| Timestamp::from_second(s).expect("in range"))
}

/// The time of day at quarter-hour `q` (0 = 00:00, 96 = 24:00).
pub fn quarter(q: u16) -> ClockTime {
    let hour = u8::try_from(q / 4).expect("at most 24");
    let minute = u8::try_from(q % 4 * 15).expect("at most 45");
    ClockTime::new(hour, minute).expect("a time of the day")
}

/// Zero to two ranges of a day, on quarter hours from `first_quarter` to 24:00, sorted and
/// apart.
pub fn day_hours(first_quarter: u16) -> impl Strategy<Value = Vec<TimeRange>> {
    prop::collection::btree_set(first_quarter..=96, 0..=4).prop_map(|points| {
        let points: Vec<u16> = points.into_iter().collect();
        points
            .chunks_exact(2)
            .map(|pair| TimeRange::new(quarter(pair[0]), quarter(pair[1])))
            .collect()
    })
}

/// A week with at least one range, each range starting at `first_quarter` or later.
pub fn week_hours(first_quarter: u16) -> impl Strategy<Value = WeekHours> {
    let day = move || day_hours(first_quarter);
    (day(), day(), day(), day(), day(), day(), day())
        .prop_map(
            |(monday, tuesday, wednesday, thursday, friday, saturday, sunday)| WeekHours {
                monday,
                tuesday,
                wednesday,
                thursday,
                friday,
                saturday,
                sunday,
            },
        )
        .prop_filter("some calling hours", |week| {
            [
                &week.monday,
                &week.tuesday,
                &week.wednesday,
                &week.thursday,
                &week.friday,
                &week.saturday,
                &week.sunday,
            ]
            .iter()
            .any(|day| !day.is_empty())
        })
}
