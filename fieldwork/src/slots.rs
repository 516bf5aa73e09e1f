//! Time slots and their rotation: a case that does not answer is tried again in a part of the
//! week it was not tried in yet, so that no slot is tried twice before every slot was tried
//! once (queXS's availability groups; research on contact odds by time of day, Weeks et al.
//! 1987).
//!
//! The slots are queXS's: weekday mornings (before 12:00), weekday afternoons (12:00–18:00),
//! weekday evenings (from 18:00), and the weekend (Saturday; Sunday too when a survey opens
//! it). The two boundaries are configurable.

use jiff::Timestamp;
use jiff::civil::Weekday;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use crate::clock_time::{ClockTime, TimeRange};
use crate::config_error::ConfigError;
use crate::windows::{CallingWindows, WEEK};

/// A part of the week in which attempts are spread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Slot {
    /// Monday to Friday, before the afternoon starts.
    WeekdayMorning,
    /// Monday to Friday, from the afternoon to the evening.
    WeekdayAfternoon,
    /// Monday to Friday, from the evening on.
    WeekdayEvening,
    /// Saturday and Sunday, all day.
    Weekend,
}

impl Slot {
    /// Every slot, in the order of the week.
    pub const ALL: [Slot; 4] = [
        Slot::WeekdayMorning,
        Slot::WeekdayAfternoon,
        Slot::WeekdayEvening,
        Slot::Weekend,
    ];

    /// The French name, as shown to managers.
    pub fn label(self) -> &'static str {
        match self {
            Slot::WeekdayMorning => "Matin en semaine",
            Slot::WeekdayAfternoon => "Après-midi en semaine",
            Slot::WeekdayEvening => "Soirée en semaine",
            Slot::Weekend => "Week-end",
        }
    }
}

/// Where the weekday slots start, in local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SlotBoundaries {
    /// Start of the afternoon (and end of the morning); default 12:00.
    pub afternoon_from: ClockTime,
    /// Start of the evening (and end of the afternoon); default 18:00.
    pub evening_from: ClockTime,
}

impl Default for SlotBoundaries {
    fn default() -> SlotBoundaries {
        SlotBoundaries {
            afternoon_from: ClockTime::hm(12, 0),
            evening_from: ClockTime::hm(18, 0),
        }
    }
}

impl SlotBoundaries {
    /// Adds a problem to `errors` when the afternoon does not start before the evening.
    pub(crate) fn check(&self, errors: &mut Vec<ConfigError>) {
        if self.afternoon_from >= self.evening_from {
            errors.push(ConfigError::SlotOrder {
                afternoon_from: self.afternoon_from,
                evening_from: self.evening_from,
            });
        }
    }

    /// The part of a `day` that `slot` covers; `None` when the slot is not on that day.
    pub fn range_on(&self, slot: Slot, day: Weekday) -> Option<TimeRange> {
        let weekend = matches!(day, Weekday::Saturday | Weekday::Sunday);
        let range = |start, end| Some(TimeRange::new(start, end));
        match (slot, weekend) {
            (Slot::Weekend, true) => range(ClockTime::MIDNIGHT, ClockTime::END_OF_DAY),
            (Slot::WeekdayMorning, false) => range(ClockTime::MIDNIGHT, self.afternoon_from),
            (Slot::WeekdayAfternoon, false) => range(self.afternoon_from, self.evening_from),
            (Slot::WeekdayEvening, false) => range(self.evening_from, ClockTime::END_OF_DAY),
            _ => None,
        }
    }

    /// The slot of a local day and time.
    pub fn slot_at(&self, day: Weekday, time: ClockTime) -> Slot {
        if matches!(day, Weekday::Saturday | Weekday::Sunday) {
            Slot::Weekend
        } else if time < self.afternoon_from {
            Slot::WeekdayMorning
        } else if time < self.evening_from {
            Slot::WeekdayAfternoon
        } else {
            Slot::WeekdayEvening
        }
    }

    /// The slot an instant falls in, in `time_zone`.
    pub fn slot_of(&self, at: Timestamp, time_zone: &TimeZone) -> Slot {
        let local = at.to_zoned(time_zone.clone());
        self.slot_at(local.weekday(), ClockTime::of(local.time()))
    }

    /// The slots in which the calling hours open on some day of the week; a slot the windows
    /// never reach (Saturday when Saturdays are closed) takes no part in the rotation.
    pub fn offered(&self, windows: &CallingWindows) -> Vec<Slot> {
        Slot::ALL
            .into_iter()
            .filter(|slot| {
                WEEK.iter().any(|day| {
                    self.range_on(*slot, *day).is_some_and(|part| {
                        let hours = windows.config().hours.on(*day);
                        hours.iter().any(|h| h.intersection(part).is_some())
                    })
                })
            })
            .collect()
    }
}

/// The earliest instant at or after `from` that is both inside a calling window and in `slot`;
/// `None` when there is none before the field end.
pub fn next_in_slot(
    windows: &CallingWindows,
    boundaries: &SlotBoundaries,
    slot: Slot,
    from: Timestamp,
) -> Option<Timestamp> {
    let time_zone = windows.time_zone();
    windows.openings_from(from).find_map(|opening| {
        let part = boundaries.range_on(slot, opening.date.weekday())?;
        let start = part.start.on(opening.date, time_zone)?.max(opening.start);
        let end = part.end.on(opening.date, time_zone)?.min(opening.end);
        (start < end).then_some(start)
    })
}

/// The earliest instant at or after `from`, inside a calling window, in the slot the rotation
/// picks given the slots already `tried` (one per attempt, oldest first).
///
/// The offered slots are ranked by how often they were tried, and on a tie the slot of the
/// last attempt comes last (so a recall is in a different slot whenever another one is as
/// little tried). The earliest opening among the best-ranked slots wins; when none of them
/// opens before the field end, the next rank is tried, so that a case is still called in a
/// slot it had before rather than not at all. `None` when no slot opens before the field end.
pub fn next_in_rotation(
    windows: &CallingWindows,
    boundaries: &SlotBoundaries,
    tried: &[Slot],
    from: Timestamp,
) -> Option<Timestamp> {
    let last = tried.last().copied();
    let rank = |slot: Slot| {
        let times = tried.iter().filter(|s| **s == slot).count();
        (times, Some(slot) == last)
    };
    let mut offered = boundaries.offered(windows);
    offered.sort_by_key(|slot| rank(*slot));
    offered
        .chunk_by(|a, b| rank(*a) == rank(*b))
        .find_map(|group| {
            group
                .iter()
                .filter_map(|slot| next_in_slot(windows, boundaries, *slot, from))
                .min()
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::windows::WindowsConfig;

    fn ts(text: &str) -> Timestamp {
        text.parse().expect("RFC 3339 instant")
    }

    fn windows() -> CallingWindows {
        WindowsConfig::default().validate().unwrap()
    }

    #[test]
    fn instants_fall_in_the_slot_of_their_local_time() {
        let bounds = SlotBoundaries::default();
        let paris = windows().time_zone().clone();
        // Thursday 15 January 2026 (UTC+1).
        assert_eq!(
            bounds.slot_of(ts("2026-01-15T10:59:00Z"), &paris),
            Slot::WeekdayMorning
        );
        assert_eq!(
            bounds.slot_of(ts("2026-01-15T11:00:00Z"), &paris),
            Slot::WeekdayAfternoon
        );
        assert_eq!(
            bounds.slot_of(ts("2026-01-15T17:00:00Z"), &paris),
            Slot::WeekdayEvening
        );
        assert_eq!(
            bounds.slot_of(ts("2026-01-17T12:00:00Z"), &paris),
            Slot::Weekend
        );
    }

    #[test]
    fn default_windows_offer_all_four_slots() {
        assert_eq!(SlotBoundaries::default().offered(&windows()), Slot::ALL);
    }

    #[test]
    fn a_slot_the_windows_never_reach_is_not_offered() {
        let mut config = WindowsConfig::default();
        let day = vec![TimeRange::new(ClockTime::hm(9, 0), ClockTime::hm(17, 0))];
        config.hours.monday = day.clone();
        config.hours.tuesday = day.clone();
        config.hours.wednesday = day.clone();
        config.hours.thursday = day.clone();
        config.hours.friday = day;
        config.hours.saturday.clear();
        let windows = config.validate().unwrap();
        assert_eq!(
            SlotBoundaries::default().offered(&windows),
            vec![Slot::WeekdayMorning, Slot::WeekdayAfternoon]
        );
    }

    #[test]
    fn next_in_slot_finds_the_slot_inside_a_window() {
        let w = windows();
        let bounds = SlotBoundaries::default();
        // From Thursday 15 January 10:00 local: evening starts at 18:00 local (17:00 UTC).
        let from = ts("2026-01-15T09:00:00Z");
        let next = |slot| next_in_slot(&w, &bounds, slot, from);
        assert_eq!(next(Slot::WeekdayEvening), Some(ts("2026-01-15T17:00:00Z")));
        assert_eq!(next(Slot::WeekdayMorning), Some(from));
        assert_eq!(next(Slot::Weekend), Some(ts("2026-01-17T09:00:00Z")));
    }

    #[test]
    fn rotation_prefers_a_slot_not_tried_yet() {
        let w = windows();
        let bounds = SlotBoundaries::default();
        // Tried in the morning and the afternoon; from Thursday 13:00 local the evening comes
        // before Saturday.
        let tried = [Slot::WeekdayMorning, Slot::WeekdayAfternoon];
        assert_eq!(
            next_in_rotation(&w, &bounds, &tried, ts("2026-01-15T12:00:00Z")),
            Some(ts("2026-01-15T17:00:00Z"))
        );
        // Once evenings were tried too, only the weekend is left.
        let tried = [
            Slot::WeekdayMorning,
            Slot::WeekdayAfternoon,
            Slot::WeekdayEvening,
        ];
        assert_eq!(
            next_in_rotation(&w, &bounds, &tried, ts("2026-01-15T18:00:00Z")),
            Some(ts("2026-01-17T09:00:00Z"))
        );
    }

    #[test]
    fn rotation_avoids_the_last_slot_when_all_were_tried_as_often() {
        let w = windows();
        let bounds = SlotBoundaries::default();
        // Every slot tried once, the last on Saturday morning: Monday 09:00 local, not
        // Saturday afternoon.
        let tried = [
            Slot::WeekdayMorning,
            Slot::WeekdayAfternoon,
            Slot::WeekdayEvening,
            Slot::Weekend,
        ];
        assert_eq!(
            next_in_rotation(&w, &bounds, &tried, ts("2026-01-17T12:00:00Z")),
            Some(ts("2026-01-19T08:00:00Z"))
        );
    }

    #[test]
    fn rotation_falls_back_to_a_tried_slot_before_the_field_end() {
        let config = WindowsConfig {
            field_end: Some(jiff::civil::date(2026, 1, 16)),
            ..WindowsConfig::default()
        };
        let w = config.validate().unwrap();
        let bounds = SlotBoundaries::default();
        // Friday is the last day: the weekend, never tried, is out of reach; the morning and
        // the evening come next (the afternoon, tried last, after them).
        let tried = [
            Slot::WeekdayEvening,
            Slot::WeekdayMorning,
            Slot::WeekdayAfternoon,
        ];
        assert_eq!(
            next_in_rotation(&w, &bounds, &tried, ts("2026-01-16T07:00:00Z")),
            Some(ts("2026-01-16T08:00:00Z"))
        );
        assert_eq!(
            next_in_rotation(&w, &bounds, &tried, ts("2026-01-16T20:00:00Z")),
            None
        );
    }

    #[test]
    fn slot_boundaries_out_of_order_are_refused() {
        let bounds = SlotBoundaries {
            afternoon_from: ClockTime::hm(18, 0),
            evening_from: ClockTime::hm(12, 0),
        };
        let mut errors = Vec::new();
        bounds.check(&mut errors);
        assert_eq!(
            errors[0].to_string(),
            "l'après-midi (à partir de 18:00) doit commencer avant la soirée (à partir de 12:00)"
        );
    }
}
