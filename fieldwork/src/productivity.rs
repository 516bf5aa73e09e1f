//! Interviewer productivity from call records: calls and completes per hour, contact rate,
//! refusal rate and median interview length, overall and per local day.
//!
//! Hours are the time spent on calls (the sum of each record's start-to-end, queXS's "call
//! attempt hours": in cati a record runs from the case's hand-out to its outcome, the interview
//! included). The contact rate is the share of calls that reached someone (the frame's
//! `contact`), the refusal rate the share of those contacts that ended in a refusal or
//! break-off (rate group R), and an interview's length is that of a call whose outcome is a
//! complete.

use std::collections::BTreeMap;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::aapor::RateGroup;
use crate::frame::OutcomeFrame;
use crate::outcome::Outcome;

/// One call of an interviewer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallRecord {
    /// When the interviewer got the case.
    pub start: Timestamp,
    /// When the outcome was recorded.
    pub end: Timestamp,
    /// The outcome.
    pub outcome: Outcome,
}

/// An interviewer's figures over a set of calls.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Productivity {
    /// Calls made.
    pub calls: u64,
    /// Calls that ended in a complete interview.
    pub completes: u64,
    /// Calls that reached someone.
    pub contacts: u64,
    /// Contacts that ended in a refusal or a break-off.
    pub refusals: u64,
    /// Time spent on the calls.
    pub time_on_calls: SignedDuration,
    /// Calls per hour on calls.
    pub calls_per_hour: Option<f64>,
    /// Completes per hour on calls.
    pub completes_per_hour: Option<f64>,
    /// Contacts over calls.
    pub contact_rate: Option<f64>,
    /// Refusals over contacts.
    pub refusal_rate: Option<f64>,
    /// Median length of the completed interviews.
    pub median_interview_length: Option<SignedDuration>,
}

/// Why records could not be summarised.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProductivityError {
    /// A record that ends before it starts.
    #[error("l'appel commencé à {0} se termine avant d'avoir commencé")]
    EndsBeforeStart(Timestamp),
}

/// The figures of `records`, read with the survey's `frame`.
pub fn productivity(
    frame: &OutcomeFrame,
    records: &[CallRecord],
) -> Result<Productivity, ProductivityError> {
    let mut time_on_calls = SignedDuration::ZERO;
    let mut interviews = Vec::new();
    let (mut completes, mut contacts, mut refusals) = (0, 0, 0);
    for record in records {
        let length = record.end.duration_since(record.start);
        if length.is_negative() {
            return Err(ProductivityError::EndsBeforeStart(record.start));
        }
        time_on_calls = time_on_calls.saturating_add(length);
        let spec = frame.spec(record.outcome);
        if spec.group() == RateGroup::Complete {
            completes += 1;
            interviews.push(length);
        }
        if spec.contact {
            contacts += 1;
            if spec.group() == RateGroup::Refusal {
                refusals += 1;
            }
        }
    }
    let calls = records.len() as u64;
    let hours = time_on_calls.as_secs_f64() / 3600.0;
    let per = |count: u64, total: f64| (total > 0.0).then(|| count as f64 / total);
    Ok(Productivity {
        calls,
        completes,
        contacts,
        refusals,
        time_on_calls,
        calls_per_hour: per(calls, hours),
        completes_per_hour: per(completes, hours),
        contact_rate: per(contacts, calls as f64),
        refusal_rate: per(refusals, contacts as f64),
        median_interview_length: median(&mut interviews),
    })
}

/// The figures of `records` for each local day (by the call's start) in `time_zone`, in date
/// order.
pub fn productivity_by_day(
    frame: &OutcomeFrame,
    records: &[CallRecord],
    time_zone: &TimeZone,
) -> Result<Vec<(Date, Productivity)>, ProductivityError> {
    let mut days: BTreeMap<Date, Vec<CallRecord>> = BTreeMap::new();
    for record in records {
        let day = record.start.to_zoned(time_zone.clone()).date();
        days.entry(day).or_default().push(*record);
    }
    days.into_iter()
        .map(|(day, records)| Ok((day, productivity(frame, &records)?)))
        .collect()
}

/// The median of `lengths` (the mean of the two middle ones for an even count).
fn median(lengths: &mut [SignedDuration]) -> Option<SignedDuration> {
    lengths.sort();
    let middle = lengths.len() / 2;
    match lengths.len() {
        0 => None,
        n if n % 2 == 1 => Some(lengths[middle]),
        _ => {
            let (low, high) = (lengths[middle - 1], lengths[middle]);
            Some(low + (high - low) / 2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(start: &str, minutes: i64, outcome: Outcome) -> CallRecord {
        let start: Timestamp = start.parse().unwrap();
        CallRecord {
            start,
            end: start + SignedDuration::from_mins(minutes),
            outcome,
        }
    }

    fn records() -> Vec<CallRecord> {
        vec![
            record("2026-01-15T08:00:00Z", 2, Outcome::NoAnswer),
            record("2026-01-15T08:05:00Z", 20, Outcome::Completed),
            record("2026-01-15T08:30:00Z", 3, Outcome::SoftRefusal),
            record("2026-01-15T08:40:00Z", 1, Outcome::Busy),
            record("2026-01-15T08:45:00Z", 30, Outcome::Completed),
            record("2026-01-16T08:00:00Z", 4, Outcome::Refusal),
        ]
    }

    #[test]
    fn productivity_equals_the_hand_computed_figures() {
        let figures = productivity(&OutcomeFrame::default(), &records()).unwrap();
        // Time on calls: 2+20+3+1+30+4 = 60 min = 1 h.
        assert_eq!(figures.time_on_calls, SignedDuration::from_hours(1));
        assert_eq!(figures.calls_per_hour, Some(6.0));
        assert_eq!(figures.completes_per_hour, Some(2.0));
        // Contacts: two completes and two refusals = 4 of 6 calls; refusals 2 of 4 contacts.
        assert_eq!(figures.contact_rate, Some(4.0 / 6.0));
        assert_eq!(figures.refusal_rate, Some(0.5));
        // Interviews of 20 and 30 minutes: median 25.
        assert_eq!(
            figures.median_interview_length,
            Some(SignedDuration::from_mins(25))
        );
    }

    #[test]
    fn productivity_is_given_per_local_day() {
        let paris = TimeZone::get("Europe/Paris").unwrap();
        let days = productivity_by_day(&OutcomeFrame::default(), &records(), &paris).unwrap();
        assert_eq!(days.len(), 2);
        assert_eq!(days[0].0, jiff::civil::date(2026, 1, 15));
        assert_eq!(days[0].1.calls, 5);
        assert_eq!(days[1].1.refusal_rate, Some(1.0));
        assert_eq!(days[1].1.median_interview_length, None);
    }

    #[test]
    fn no_calls_give_no_rates() {
        let figures = productivity(&OutcomeFrame::default(), &[]).unwrap();
        assert_eq!(figures.calls_per_hour, None);
        assert_eq!(figures.contact_rate, None);
        assert_eq!(figures.refusal_rate, None);
    }

    #[test]
    fn a_call_ending_before_it_starts_is_refused() {
        let backwards = record("2026-01-15T08:00:00Z", -1, Outcome::Busy);
        let error = productivity(&OutcomeFrame::default(), &[backwards]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "l'appel commencé à 2026-01-15T08:00:00Z se termine avant d'avoir commencé"
        );
    }
}
