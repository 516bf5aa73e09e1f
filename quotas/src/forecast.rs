//! Forecasting arithmetic of the supervisors' dashboard: progress towards a commune's target,
//! the pace of completed interviews, the days still needed at that pace (with its uncertainty),
//! and whether the sample left can fill the gap. Pure functions of counts and timestamps; no
//! input makes them panic.
//!
//! Whether the sample suffices is judged on the **yield**, the share of final cases that ended
//! in a completed interview. Before any case is final nothing is observed, so the yield starts
//! from a prior ([`YieldPrior`]: the previous wave's, or a documented default) worth a number
//! of cases, and the observed completes take over as cases become final (a beta-binomial
//! blend). Two alerts follow: the sample cannot reach the target **even at an optimistic yield**
//! (the upper 95 % Wilson bound of the blended yield), or it falls short **at the expected
//! yield**.

/// Milliseconds in a day.
const DAY_MS: f64 = 86_400_000.0;

/// Completes a commune needs before its projected completion date is shown: with fewer, the
/// pace rests on a handful of interviews and a date would promise what the data cannot say
/// (at 10 completes the 95 % interval of the pace is still about ±60 %).
pub const MIN_COMPLETES_FOR_PROJECTION: u64 = 10;

/// The yield expected before it is observed: completes per final case, and how many final
/// cases that belief is worth.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct YieldPrior {
    /// Completes per final case (0–1).
    pub rate: f64,
    /// Final cases the prior counts as: once a commune has about this many, its own figures
    /// weigh as much as the prior.
    pub weight: f64,
}

impl YieldPrior {
    /// The default when no earlier wave says better: 7 completes per 100 numbers used, the
    /// middle of what a French telephone survey of the general population burns (5,000 completes
    /// for 50,000 to 100,000 numbers), worth 100 cases.
    pub const DEFAULT: YieldPrior = YieldPrior {
        rate: 0.07,
        weight: 100.0,
    };

    /// A prior at `rate` (clamped to 0–1; the default rate when not a number), worth the
    /// default weight.
    pub fn at(rate: f64) -> YieldPrior {
        let rate = if rate.is_nan() {
            YieldPrior::DEFAULT.rate
        } else {
            rate.clamp(0.0, 1.0)
        };
        YieldPrior {
            rate,
            ..YieldPrior::DEFAULT
        }
    }
}

impl Default for YieldPrior {
    fn default() -> Self {
        YieldPrior::DEFAULT
    }
}

/// Why the sample of a commune needs attention.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SampleAlert {
    /// Even at an optimistic yield, the sample left cannot give the completes missing: add
    /// sample now.
    Unreachable,
    /// At the expected yield the sample left falls short: add sample in time.
    Short,
}

/// What the forecast of one commune is computed from.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
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
    /// The yield expected before it is observed.
    pub prior: YieldPrior,
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
    /// Days still needed at the current (unrounded) pace; `None` when the target is reached,
    /// there is no pace yet, or fewer than [`MIN_COMPLETES_FOR_PROJECTION`] completes.
    pub days_to_target: Option<f64>,
    /// The 95 % range of those days (fastest, slowest; the slowest `None` when the pace could
    /// be nil), from the Poisson uncertainty of the completes counted.
    pub days_range: Option<(f64, Option<f64>)>,
    /// Completes per final case expected from here on (prior and observed blended).
    pub expected_yield: f64,
    /// Whether the sample left needs attention.
    pub alert: Option<SampleAlert>,
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

/// Completes per final case expected from here on: the prior, worth `prior.weight` cases,
/// blended with the `achieved` completes out of `cases_used` final cases (the mean of the
/// beta posterior).
pub fn expected_yield(achieved: u64, cases_used: u64, prior: YieldPrior) -> f64 {
    let used = cases_used.max(achieved) as f64;
    let weight = prior.weight.max(0.0);
    let n = used + weight;
    if n <= 0.0 {
        return prior.rate;
    }
    ((achieved as f64 + prior.rate * weight) / n).clamp(0.0, 1.0)
}

/// An optimistic yield: the upper bound of the 95 % Wilson interval of the expected yield,
/// with as many cases as were used plus the prior's weight.
pub fn optimistic_yield(achieved: u64, cases_used: u64, prior: YieldPrior) -> f64 {
    const Z: f64 = 1.96;
    let p = expected_yield(achieved, cases_used, prior);
    let n = cases_used.max(achieved) as f64 + prior.weight.max(0.0);
    if n <= 0.0 {
        return 1.0;
    }
    let z2 = Z * Z;
    let centre = p + z2 / (2.0 * n);
    let spread = Z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    ((centre + spread) / (1.0 + z2 / n)).clamp(p, 1.0)
}

/// Whether the `sample_left` cases can give the `missing` completes: [`SampleAlert::Unreachable`]
/// when even the optimistic yield (or every case completing) would not, [`SampleAlert::Short`]
/// when the expected yield would not; `None` when nothing is missing or the sample suffices.
pub fn sample_alert(
    missing: u64,
    achieved: u64,
    cases_used: u64,
    sample_left: u64,
    prior: YieldPrior,
) -> Option<SampleAlert> {
    if missing == 0 {
        return None;
    }
    let left = sample_left as f64;
    let missing_f = missing as f64;
    if sample_left < missing || left * optimistic_yield(achieved, cases_used, prior) < missing_f {
        Some(SampleAlert::Unreachable)
    } else if left * expected_yield(achieved, cases_used, prior) < missing_f {
        Some(SampleAlert::Short)
    } else {
        None
    }
}

/// The 95 % range of the days needed for `missing` completes when `achieved` were counted over
/// `days` days: the pace's Poisson interval (`achieved ± 1.96 √achieved` over the days) turned
/// into (fastest, slowest) days; the slowest is `None` when the interval reaches a nil pace.
pub fn days_range(missing: u64, achieved: u64, days: f64) -> Option<(f64, Option<f64>)> {
    if missing == 0 || achieved == 0 || !(days.is_finite() && days > 0.0) {
        return None;
    }
    let n = achieved as f64;
    let spread = 1.96 * n.sqrt();
    let fastest = missing as f64 * days / (n + spread);
    let low = n - spread;
    let slowest = (low > 0.0).then(|| missing as f64 * days / low);
    Some((fastest, slowest))
}

/// The whole forecast of one commune, as the dashboard shows it: the pace is rounded to two
/// decimals for display while the days to target use the unrounded pace.
pub fn forecast(input: &ForecastInput) -> CommuneForecast {
    let missing = input.target.saturating_sub(input.achieved);
    let pace = pace_per_day(input.achieved, input.first_completion_ms, input.now_ms);
    let meaningful = input.achieved >= MIN_COMPLETES_FOR_PROJECTION;
    let days_to_target = days_to_target(missing, pace).filter(|_| meaningful);
    let days_range = pace
        .filter(|_| meaningful)
        .and_then(|pace| days_range(missing, input.achieved, input.achieved as f64 / pace));
    CommuneForecast {
        percent: percent(input.achieved, input.target),
        missing,
        pace_per_day: pace.map(|p| (p * 100.0).round() / 100.0),
        days_to_target,
        days_range,
        expected_yield: expected_yield(input.achieved, input.cases_used, input.prior),
        alert: sample_alert(
            missing,
            input.achieved,
            input.cases_used,
            input.sample_left,
            input.prior,
        ),
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
    fn before_any_interview_a_commune_with_too_little_sample_is_unreachable() {
        // Bordeaux needs 157 completes and has 72 numbers left: even if every number gave an
        // interview it could not reach its target.
        let prior = YieldPrior::DEFAULT;
        assert_eq!(
            sample_alert(157, 0, 0, 72, prior),
            Some(SampleAlert::Unreachable)
        );
        // 1,000 numbers at the default 7 % give 70: not even an optimistic yield gives 157.
        assert_eq!(
            sample_alert(157, 0, 0, 1000, prior),
            Some(SampleAlert::Unreachable)
        );
        // 2,000 numbers: 140 expected, short of 157, but an optimistic yield could make it.
        assert_eq!(
            sample_alert(157, 0, 0, 2000, prior),
            Some(SampleAlert::Short)
        );
        // 3,000 numbers: 210 expected, enough.
        assert_eq!(sample_alert(157, 0, 0, 3000, prior), None);
        // Nothing missing, nothing to say.
        assert_eq!(sample_alert(0, 10, 50, 0, prior), None);
    }

    #[test]
    fn the_observed_yield_takes_over_from_the_prior() {
        let prior = YieldPrior::DEFAULT;
        assert!((expected_yield(0, 0, prior) - 0.07).abs() < 1e-12);
        // 100 cases at 20 % weigh as much as the prior: halfway.
        assert!((expected_yield(20, 100, prior) - 0.135).abs() < 1e-12);
        // 10,000 cases at 20 %: almost the observed rate.
        assert!((expected_yield(2000, 10_000, prior) - 0.2).abs() < 0.002);
        // A commune that yields well is no longer short where the prior alone would say so.
        assert_eq!(
            sample_alert(157, 0, 0, 2000, prior),
            Some(SampleAlert::Short)
        );
        assert_eq!(sample_alert(157, 200, 1000, 2000, prior), None);
    }

    #[test]
    fn the_optimistic_yield_is_above_the_expected_and_narrows_with_cases() {
        let prior = YieldPrior::DEFAULT;
        let early = optimistic_yield(0, 0, prior);
        let later = optimistic_yield(700, 10_000, prior);
        assert!(early > 0.07 && early < 0.2, "{early}");
        assert!(later > expected_yield(700, 10_000, prior) && later - 0.07 < early - 0.07);
    }

    #[test]
    fn a_projection_needs_enough_completes_and_comes_with_its_range() {
        let few = ForecastInput {
            target: 100,
            achieved: 3,
            cases_used: 30,
            sample_left: 2000,
            first_completion_ms: Some(0),
            now_ms: DAY,
            prior: YieldPrior::DEFAULT,
        };
        assert_eq!(forecast(&few).days_to_target, None);
        assert_eq!(forecast(&few).days_range, None);
        let enough = ForecastInput {
            achieved: 25,
            now_ms: 5 * DAY,
            ..few
        };
        let figures = forecast(&enough);
        // 25 completes in 5 days: 5 a day, 15 days for the 75 missing.
        assert_eq!(figures.days_to_target, Some(15.0));
        let (fastest, slowest) = figures.days_range.expect("a range");
        assert!(fastest < 15.0 && slowest.expect("a slowest") > 15.0);
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
            prior: YieldPrior::DEFAULT,
        };
        let figures = forecast(&input);
        assert_eq!(figures.percent, Some(33.3));
        assert_eq!(figures.missing, 20);
        assert_eq!(figures.pace_per_day, Some(3.33));
        assert_eq!(figures.days_to_target, Some(6.0));
        // 10 in 50 blended with 7 in 100: 0.113; 60 cases give about 7, far from the 20
        // missing, and even an optimistic yield does not.
        assert!((figures.expected_yield - 17.0 / 150.0).abs() < 1e-12);
        assert_eq!(figures.alert, Some(SampleAlert::Unreachable));
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
            prior: YieldPrior::DEFAULT,
        };
        let figures = forecast(&input);
        assert_eq!(figures.missing, 0);
        assert_eq!(figures.percent, Some(120.0));
        assert_eq!(figures.days_to_target, None);
        assert_eq!(figures.alert, None);
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
                prior: YieldPrior::DEFAULT,
            };
            let figures = forecast(&input);
            assert_eq!(figures.missing, u64::MAX - 1);
            assert!(figures.pace_per_day.is_some_and(f64::is_finite));
        }
        assert_eq!(YieldPrior::at(f64::NAN), YieldPrior::DEFAULT);
        assert_eq!(YieldPrior::at(2.0).rate, 1.0);
        assert_eq!(
            sample_alert(u64::MAX, 0, u64::MAX, u64::MAX, YieldPrior::DEFAULT),
            Some(SampleAlert::Unreachable)
        );
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
                prior: YieldPrior::DEFAULT,
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
        fn more_sample_left_never_raises_the_alert(
            missing in any::<u64>(),
            achieved in any::<u64>(),
            cases_used in any::<u64>(),
            sample_left in any::<u64>(),
            more in any::<u64>(),
            rate in 0.0..=1.0f64,
        ) {
            let prior = YieldPrior::at(rate);
            let larger = sample_left.saturating_add(more);
            let level = |alert: Option<SampleAlert>| match alert {
                None => 0,
                Some(SampleAlert::Short) => 1,
                Some(SampleAlert::Unreachable) => 2,
            };
            prop_assert!(
                level(sample_alert(missing, achieved, cases_used, larger, prior))
                    <= level(sample_alert(missing, achieved, cases_used, sample_left, prior))
            );
        }

        #[test]
        fn yields_stay_between_zero_and_one_and_the_optimistic_one_above(
            achieved in any::<u64>(),
            cases_used in any::<u64>(),
            rate in 0.0..=1.0f64,
        ) {
            let prior = YieldPrior::at(rate);
            let expected = expected_yield(achieved, cases_used, prior);
            let optimistic = optimistic_yield(achieved, cases_used, prior);
            prop_assert!((0.0..=1.0).contains(&expected));
            prop_assert!(optimistic >= expected && optimistic <= 1.0);
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
