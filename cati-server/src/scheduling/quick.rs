//! The quick appointment choices offered to an interviewer (« Dans une heure », « Ce soir »,
//! « Demain matin », « Demain après-midi »), placed inside the wave's calling windows so that a
//! booked appointment can actually be kept, and the windows of today and tomorrow as the
//! interviewer reads them.

use fieldwork::{CallingWindows, ClockTime};
use jiff::Timestamp;
use jiff::civil::Date;

/// One quick choice: what the button says and the time it books.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuickChoice {
    /// « Ce soir, 18:30 », « Lundi 16/03 matin, 10:00 »…
    pub label: String,
    /// The booked instant.
    pub at: Timestamp,
}

/// A part of the day a respondent names: its preferred time and its bounds.
struct PartOfDay {
    name: &'static str,
    from: ClockTime,
    preferred: ClockTime,
    until: ClockTime,
}

/// How far ahead « demain matin » may move when tomorrow has no call (a Sunday, a holiday).
const DAYS_AHEAD: i64 = 7;

fn clock(hour: i8, minute: i8) -> ClockTime {
    ClockTime::of(jiff::civil::time(hour, minute, 0, 0))
}

fn morning() -> PartOfDay {
    PartOfDay {
        name: "matin",
        from: clock(8, 0),
        preferred: clock(10, 0),
        until: clock(12, 0),
    }
}

fn afternoon() -> PartOfDay {
    PartOfDay {
        name: "après-midi",
        from: clock(12, 0),
        preferred: clock(14, 0),
        until: clock(18, 0),
    }
}

fn evening() -> PartOfDay {
    PartOfDay {
        name: "soir",
        from: clock(18, 0),
        preferred: clock(18, 30),
        until: ClockTime::END_OF_DAY,
    }
}

/// The quick choices at `now`, each inside the calling windows; a choice that cannot be kept
/// (« Ce soir » when the evening has no calls) is left out.
pub fn quick_choices(windows: &CallingWindows, now: Timestamp) -> Vec<QuickChoice> {
    let mut choices = Vec::new();
    let in_an_hour = round_up(now + jiff::SignedDuration::from_hours(1));
    if windows.is_open(in_an_hour) {
        choices.push(QuickChoice {
            label: format!("Dans une heure, {}", time_of(windows, in_an_hour)),
            at: in_an_hour,
        });
    }
    let today = windows.local_date(now);
    let soon = round_up(now + jiff::SignedDuration::from_mins(30));
    if let Some(at) = within(windows, today, &evening(), soon) {
        choices.push(QuickChoice {
            label: format!("Ce soir, {}", time_of(windows, at)),
            at,
        });
    }
    for part in [morning(), afternoon()] {
        let found = (1..=DAYS_AHEAD)
            .filter_map(|days| today.checked_add(jiff::Span::new().days(days)).ok())
            .find_map(|date| within(windows, date, &part, soon).map(|at| (date, at)));
        if let Some((date, at)) = found {
            let day = if date == today.tomorrow().unwrap_or(date) {
                "Demain".to_owned()
            } else {
                format!(
                    "{} {}",
                    fieldwork::day_name(date.weekday()),
                    date.strftime("%d/%m")
                )
            };
            choices.push(QuickChoice {
                label: format!("{day} {}, {}", part.name, time_of(windows, at)),
                at,
            });
        }
    }
    choices
}

/// The calling hours of today and tomorrow, « Aujourd'hui : 09:00–20:30 ».
pub fn window_lines(windows: &CallingWindows, now: Timestamp) -> Vec<String> {
    let today = windows.local_date(now);
    let days = [
        ("Aujourd'hui", Some(today)),
        ("Demain", today.tomorrow().ok()),
    ];
    days.into_iter()
        .filter_map(|(name, date)| date.map(|d| (name, d)))
        .map(|(name, date)| {
            let ranges: Vec<String> = if windows.is_calling_day(date) {
                let hours = windows.config().hours.on(date.weekday());
                hours.iter().map(ToString::to_string).collect()
            } else {
                Vec::new()
            };
            if ranges.is_empty() {
                format!("{name} : pas d'appel")
            } else {
                format!("{name} : {}", ranges.join(", "))
            }
        })
        .collect()
}

/// An instant as typed in the appointment field: `JJ/MM/AAAA HH:MM`, local time.
pub fn typed(windows: &CallingWindows, at: Timestamp) -> String {
    at.to_zoned(windows.time_zone().clone())
        .strftime("%d/%m/%Y %H:%M")
        .to_string()
}

/// The earliest open instant of `part` on `date`, not before `not_before`: from its preferred
/// time on, else from its start (windows opening only early in the morning).
fn within(
    windows: &CallingWindows,
    date: Date,
    part: &PartOfDay,
    not_before: Timestamp,
) -> Option<Timestamp> {
    let tz = windows.time_zone();
    let until = part.until.on(date, tz)?;
    [part.preferred, part.from].into_iter().find_map(|start| {
        let from = start.on(date, tz)?.max(not_before);
        windows.openings_on(date).find_map(|opening| {
            let at = opening.start.max(from);
            (at < opening.end && at < until).then_some(at)
        })
    })
}

/// Rounds up to the next five minutes, a time a person says.
fn round_up(at: Timestamp) -> Timestamp {
    let step = 5 * 60 * 1000;
    let ms = at.as_millisecond();
    let rounded = ms + (step - ms.rem_euclid(step)) % step;
    Timestamp::from_millisecond(rounded).unwrap_or(at)
}

fn time_of(windows: &CallingWindows, at: Timestamp) -> String {
    at.to_zoned(windows.time_zone().clone())
        .strftime("%H:%M")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use fieldwork::RulesConfig;

    fn default_windows() -> CallingWindows {
        RulesConfig::default()
            .validate()
            .expect("defaults")
            .windows()
            .clone()
    }

    fn paris(text: &str) -> Timestamp {
        let civil: jiff::civil::DateTime = text.parse().expect("date-time");
        civil.in_tz("Europe/Paris").expect("zone").timestamp()
    }

    fn labels(choices: &[QuickChoice]) -> Vec<&str> {
        choices.iter().map(|c| c.label.as_str()).collect()
    }

    #[test]
    fn on_a_tuesday_afternoon_every_quick_choice_is_offered_inside_the_windows() {
        // Tuesday 10 March 2026, 15:02 in Paris; calls Monday–Friday 09:00–20:30.
        let choices = quick_choices(&default_windows(), paris("2026-03-10T15:02"));
        assert_eq!(
            labels(&choices),
            [
                "Dans une heure, 16:05",
                "Ce soir, 18:30",
                "Demain matin, 10:00",
                "Demain après-midi, 14:00"
            ]
        );
        assert_eq!(choices[1].at, paris("2026-03-10T18:30"));
        assert_eq!(choices[2].at, paris("2026-03-11T10:00"));
    }

    #[test]
    fn late_in_the_evening_the_calls_that_cannot_be_kept_are_left_out() {
        // 20:10: in an hour the windows are closed, and the evening is nearly over.
        let choices = quick_choices(&default_windows(), paris("2026-03-10T20:10"));
        assert_eq!(
            labels(&choices),
            ["Demain matin, 10:00", "Demain après-midi, 14:00"]
        );
    }

    #[test]
    fn before_a_sunday_demain_matin_becomes_the_next_calling_day() {
        // Saturday 14 March 2026, 11:00: no calls on Sunday, Saturday closes at 18:00.
        let choices = quick_choices(&default_windows(), paris("2026-03-14T11:00"));
        assert_eq!(
            labels(&choices),
            [
                "Dans une heure, 12:00",
                "Lundi 16/03 matin, 10:00",
                "Lundi 16/03 après-midi, 14:00"
            ]
        );
    }

    #[test]
    fn the_windows_of_today_and_tomorrow_are_read_in_french() {
        let lines = window_lines(&default_windows(), paris("2026-03-14T11:00"));
        assert_eq!(lines, ["Aujourd'hui : 10:00–18:00", "Demain : pas d'appel"]);
    }

    #[test]
    fn a_quick_choice_is_typed_as_the_appointment_field_reads_it() {
        let at = paris("2026-03-10T18:30");
        assert_eq!(typed(&default_windows(), at), "10/03/2026 18:30");
        assert_eq!(
            super::super::outcomes::parse_appointment("10/03/2026 18:30"),
            Some(at.as_millisecond())
        );
    }
}
