//! Forecasting arithmetic of the supervisors' dashboard: progress towards a commune's target,
//! the pace of completed interviews, the days still needed at that pace, and whether the sample
//! left can fill the gap. Pure functions of counts and timestamps; no input makes them panic.

/// Milliseconds in a day.
const DAY_MS: f64 = 86_400_000.0;

/// What the forecast of one commune is computed from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ForecastInput {
    /// Completed interviews wanted.
    pub target: u64,
    /// Completed interviews.
    pub achieved: u64,
    /// Cases already final (completed or not).
    pub cases_used: u64,
    /// Cases not final yet.
    pub sample_left: u64,
    /// When the wave's first interview was completed (Unix ms), if any.
    pub first_completion_ms: Option<i64>,
    /// The present (Unix ms).
    pub now_ms: i64,
}

/// The forecast of one commune.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CommuneForecast {
    /// Achieved as a percentage of the target (one decimal); `None` when the target is 0.
    pub percent: Option<f64>,
    /// Completed interviews still missing (target minus achieved, never negative).
    pub missing: u64,
    /// Completed interviews per day since the first completion (two decimals); `None` before it.
    pub pace_per_day: Option<f64>,
    /// Days still needed at the current (unrounded) pace; `None` when the target is reached or
    /// there is no pace yet.
    pub days_to_target: Option<f64>,
    /// The sample left will not suffice at the observed completion rate.
    pub sample_short: bool,
}

/// `achieved` as a percentage of `target`, rounded to one decimal as the dashboard shows it;
/// `None` when the target is 0, since there is nothing to be a percentage of. Over-achievement
/// gives more than 100.
pub fn percent(achieved: u64, target: u64) -> Option<f64> {
    (target > 0).then(|| (achieved as f64 * 1000.0 / target as f64).round() / 10.0)
}

/// Completed interviews per day since the first completion. At least one day is counted so
/// that the first hours do not extrapolate wildly (a clock earlier than the first completion
/// also counts as one day). `None` before any completion or when nothing is achieved, since
/// there is no pace to speak of.
pub fn pace_per_day(achieved: u64, first_completion_ms: Option<i64>, now_ms: i64) -> Option<f64> {
    let first = first_completion_ms?;
    if achieved == 0 {
        return None;
    }
    // The difference of two i64 always fits in i128.
    let elapsed_ms = i128::from(now_ms) - i128::from(first);
    let days = (elapsed_ms as f64 / DAY_MS).max(1.0);
    Some(achieved as f64 / days)
}

/// Days needed to complete the `missing` interviews at `pace` per day, for the projected
/// completion date. `None` when nothing is missing or there is no positive pace, since no
/// date can then be projected.
pub fn days_to_target(missing: u64, pace: Option<f64>) -> Option<f64> {
    let pace = pace.filter(|p| *p > 0.0)?;
    (missing > 0).then(|| missing as f64 / pace)
}

/// Whether the `sample_left` cases, completing at the rate observed so far (`achieved`
/// completes out of `cases_used` final cases), give fewer than the `missing` completes, so
/// that supervisors know to add sample in time. `false` when nothing is missing or no case is
/// final yet (no observed rate). Exact: compares `achieved × sample_left` with
/// `missing × cases_used` in `u128`, where products of two `u64` cannot overflow.
pub fn sample_short(missing: u64, achieved: u64, cases_used: u64, sample_left: u64) -> bool {
    if missing == 0 || cases_used == 0 {
        return false;
    }
    let expected = u128::from(achieved) * u128::from(sample_left);
    expected < u128::from(missing) * u128::from(cases_used)
}

/// The whole forecast of one commune, as the dashboard shows it: the pace is rounded to two
/// decimals for display while the days to target use the unrounded pace.
pub fn forecast(input: &ForecastInput) -> CommuneForecast {
    let missing = input.target.saturating_sub(input.achieved);
    let pace = pace_per_day(input.achieved, input.first_completion_ms, input.now_ms);
    CommuneForecast {
        percent: percent(input.achieved, input.target),
        missing,
        pace_per_day: pace.map(|p| (p * 100.0).round() / 100.0),
        days_to_target: days_to_target(missing, pace),
        sample_short: sample_short(missing, input.achieved, input.cases_used, input.sample_left),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const DAY: i64 = 86_400_000;

    #[test]
    fn there_is_no_pace_before_the_first_completion() {
        assert_eq!(pace_per_day(0, None, 1_000), None);
        assert_eq!(pace_per_day(0, Some(0), 1_000), None);
        assert_eq!(pace_per_day(5, None, 1_000), None);
    }

    #[test]
    fn pace_counts_at_least_one_day() {
        assert_eq!(pace_per_day(5, Some(0), 3_600_000), Some(5.0));
        assert_eq!(pace_per_day(10, Some(0), 4 * DAY), Some(2.5));
        // A clock behind the first completion counts as one day too.
        assert_eq!(pace_per_day(5, Some(DAY), 0), Some(5.0));
    }

    #[test]
    fn days_to_target_divides_the_missing_completes_by_the_pace() {
        assert_eq!(days_to_target(10, Some(2.5)), Some(4.0));
        assert_eq!(days_to_target(0, Some(2.5)), None);
        assert_eq!(days_to_target(10, None), None);
        assert_eq!(days_to_target(10, Some(0.0)), None);
        assert_eq!(days_to_target(10, Some(f64::NAN)), None);
    }

    #[test]
    fn sample_is_short_when_the_observed_rate_cannot_fill_the_gap() {
        // 2 completes out of 10 final cases: 20 cases left give 4, fewer than the 5 missing.
        assert!(sample_short(5, 2, 10, 20));
        // 25 cases left give 5: enough.
        assert!(!sample_short(5, 2, 10, 25));
        // No case final yet: no observed rate, no warning.
        assert!(!sample_short(5, 0, 0, 3));
        // Target reached: no warning.
        assert!(!sample_short(0, 5, 10, 0));
    }

    #[test]
    fn percent_has_one_decimal_and_none_for_a_zero_target() {
        assert_eq!(percent(1, 3), Some(33.3));
        assert_eq!(percent(0, 0), None);
        assert_eq!(percent(3, 2), Some(150.0));
    }

    #[test]
    fn forecast_combines_the_figures_of_a_commune() {
        let input = ForecastInput {
            target: 30,
            achieved: 10,
            cases_used: 50,
            sample_left: 60,
            first_completion_ms: Some(0),
            now_ms: 3 * DAY,
        };
        assert_eq!(
            forecast(&input),
            CommuneForecast {
                percent: Some(33.3),
                missing: 20,
                pace_per_day: Some(3.33),
                days_to_target: Some(6.0),
                // 60 cases at 1 in 5 give 12, fewer than the 20 missing.
                sample_short: true,
            }
        );
    }

    #[test]
    fn a_reached_target_has_nothing_missing_and_no_projection() {
        let input = ForecastInput {
            target: 10,
            achieved: 12,
            cases_used: 40,
            sample_left: 0,
            first_completion_ms: Some(0),
            now_ms: DAY,
        };
        let figures = forecast(&input);
        assert_eq!(figures.missing, 0);
        assert_eq!(figures.percent, Some(120.0));
        assert_eq!(figures.days_to_target, None);
        assert!(!figures.sample_short);
    }

    #[test]
    fn extreme_inputs_do_not_panic() {
        for (first, now) in [(i64::MIN, i64::MAX), (i64::MAX, i64::MIN)] {
            let input = ForecastInput {
                target: u64::MAX,
                achieved: 1,
                cases_used: u64::MAX,
                sample_left: u64::MAX,
                first_completion_ms: Some(first),
                now_ms: now,
            };
            let figures = forecast(&input);
            assert_eq!(figures.missing, u64::MAX - 1);
            assert!(figures.days_to_target.is_some_and(f64::is_finite));
        }
        assert!(sample_short(u64::MAX, u64::MAX - 1, u64::MAX, u64::MAX));
        assert!(!sample_short(u64::MAX, u64::MAX, u64::MAX, u64::MAX));
    }

    proptest! {
        #[test]
        fn forecast_never_panics_and_stays_consistent(
            target in any::<u64>(),
            achieved in any::<u64>(),
            cases_used in any::<u64>(),
            sample_left in any::<u64>(),
            first_completion_ms in any::<Option<i64>>(),
            now_ms in any::<i64>(),
        ) {
            let input = ForecastInput {
                target, achieved, cases_used, sample_left, first_completion_ms, now_ms,
            };
            let figures = forecast(&input);
            prop_assert_eq!(figures.missing, target.saturating_sub(achieved));
            prop_assert_eq!(figures.percent.is_some(), target > 0);
            prop_assert!(figures.percent.is_none_or(|p| p.is_finite() && p >= 0.0));
            prop_assert!(figures.pace_per_day.is_none_or(|p| p.is_finite() && p >= 0.0));
            prop_assert!(figures.days_to_target.is_none_or(|d| d.is_finite() && d > 0.0));
        }

        #[test]
        fn pace_never_exceeds_the_completes(
            achieved in any::<u64>(),
            first in any::<i64>(),
            now in any::<i64>(),
        ) {
            if let Some(pace) = pace_per_day(achieved, Some(first), now) {
                prop_assert!(pace > 0.0 && pace <= achieved as f64);
            }
        }

        #[test]
        fn more_sample_left_never_makes_the_sample_short(
            missing in any::<u64>(),
            achieved in any::<u64>(),
            cases_used in any::<u64>(),
            sample_left in any::<u64>(),
            more in any::<u64>(),
        ) {
            let larger = sample_left.saturating_add(more);
            if !sample_short(missing, achieved, cases_used, sample_left) {
                prop_assert!(!sample_short(missing, achieved, cases_used, larger));
            }
        }

        #[test]
        fn more_missing_completes_never_make_the_sample_sufficient(
            missing in 1..u64::MAX,
            achieved in any::<u64>(),
            cases_used in any::<u64>(),
            sample_left in any::<u64>(),
            more in any::<u64>(),
        ) {
            let larger = missing.saturating_add(more);
            if sample_short(missing, achieved, cases_used, sample_left) {
                prop_assert!(sample_short(larger, achieved, cases_used, sample_left));
            }
        }

        #[test]
        fn days_to_target_times_the_pace_is_the_missing_completes(
            missing in 1..u64::MAX,
            pace in 1e-6..1e9f64,
        ) {
            let days = days_to_target(missing, Some(pace));
            prop_assert!(days.is_some());
            let back = days.unwrap_or_default() * pace;
            let relative = (back - missing as f64).abs() / missing as f64;
            prop_assert!(relative < 1e-12, "{back} vs {missing}");
        }
    }
}
