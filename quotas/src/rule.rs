//! Hard and soft cells, their tolerance and the capacity a database enforces.

use std::fmt;

/// A soft cell's tolerance above its target, kept in hundredths of a percent (basis points) so
/// that capacities are computed in exact integer arithmetic (`20 × 1.15` is 22.999… in floating
/// point, which would floor to 22).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Tolerance {
    basis_points: u32,
}

/// Why a tolerance was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("tolerance must be a percentage between 0 and 1000 with at most two decimals, got {0}")]
pub struct ToleranceError(pub String);

impl Tolerance {
    /// The largest tolerance accepted: +1000 %.
    pub const MAX_BASIS_POINTS: u32 = 100_000;

    /// A tolerance of `basis_points` hundredths of a percent (500 = +5 %).
    pub fn from_basis_points(basis_points: u32) -> Result<Self, ToleranceError> {
        if basis_points > Self::MAX_BASIS_POINTS {
            return Err(ToleranceError(format!(
                "{} %",
                f64::from(basis_points) / 100.0
            )));
        }
        Ok(Self { basis_points })
    }

    /// A tolerance from a percentage as written in a design file (`5` or `2.5`); at most two
    /// decimals, so that the value is exact.
    pub fn from_percent(percent: f64) -> Result<Self, ToleranceError> {
        let scaled = percent * 100.0;
        let rounded = scaled.round();
        if !percent.is_finite()
            || percent < 0.0
            || (scaled - rounded).abs() > 1e-6
            || rounded > f64::from(Self::MAX_BASIS_POINTS)
        {
            return Err(ToleranceError(percent.to_string()));
        }
        // In range and integral, checked just above.
        Self::from_basis_points(rounded as u32)
    }

    /// Hundredths of a percent.
    pub fn basis_points(self) -> u32 {
        self.basis_points
    }

    /// The percentage (500 basis points → 5.0).
    pub fn percent(self) -> f64 {
        f64::from(self.basis_points) / 100.0
    }
}

impl fmt::Display for Tolerance {
    /// Writes the percentage without trailing zeros (`5`, `2.5`, `0.25`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.basis_points / 100;
        let hundredths = self.basis_points % 100;
        match hundredths {
            0 => write!(f, "{whole}"),
            h if h % 10 == 0 => write!(f, "{whole}.{}", h / 10),
            h => write!(f, "{whole}.{h:02}"),
        }
    }
}

/// How strictly a cell's target is enforced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Rule {
    /// No respondent beyond the target.
    #[default]
    Hard,
    /// The target may be exceeded by the tolerance (a percentage of the target, rounded down).
    Soft(Tolerance),
}

impl Rule {
    /// The number of respondents a cell with this rule and `target` may hold: the target for a
    /// hard cell, `floor(target × (1 + tolerance))` for a soft one. A respondent may be accepted
    /// only while `achieved + in_progress < capacity`; the server puts this figure in its
    /// conditional `UPDATE` so that the check and the reservation are one atomic statement.
    pub fn capacity(self, target: u64) -> u64 {
        capacity(target, self)
    }
}

/// The capacity of a cell: `target` for [`Rule::Hard`], `floor(target × (1 + tolerance))` for
/// [`Rule::Soft`], computed exactly in integers (saturating at `u64::MAX`).
pub fn capacity(target: u64, rule: Rule) -> u64 {
    match rule {
        Rule::Hard => target,
        Rule::Soft(tolerance) => {
            let extra = u128::from(target) * u128::from(tolerance.basis_points) / 10_000;
            u64::try_from(u128::from(target) + extra).unwrap_or(u64::MAX)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn soft(percent: f64) -> Rule {
        Rule::Soft(Tolerance::from_percent(percent).expect("valid tolerance"))
    }

    #[test]
    fn hard_capacity_is_the_target() {
        assert_eq!(capacity(120, Rule::Hard), 120);
        assert_eq!(capacity(0, Rule::Hard), 0);
    }

    #[test]
    fn soft_capacity_floors_target_times_one_plus_tolerance() {
        assert_eq!(capacity(100, soft(5.0)), 105);
        assert_eq!(capacity(19, soft(5.0)), 19);
        assert_eq!(capacity(20, soft(5.0)), 21);
        assert_eq!(capacity(39, soft(5.0)), 40);
    }

    #[test]
    fn soft_capacity_is_exact_where_floating_point_is_not() {
        // 20 × 1.15 = 22.999999999999996 in f64.
        assert_eq!(capacity(20, soft(15.0)), 23);
        assert_eq!(capacity(10, soft(2.5)), 10);
        assert_eq!(capacity(40, soft(2.5)), 41);
    }

    #[test]
    fn tolerance_accepts_two_decimals_and_refuses_more_or_negative() {
        assert_eq!(
            Tolerance::from_percent(2.25).map(Tolerance::basis_points),
            Ok(225)
        );
        assert!(Tolerance::from_percent(2.125).is_err());
        assert!(Tolerance::from_percent(-1.0).is_err());
        assert!(Tolerance::from_percent(f64::NAN).is_err());
        assert!(Tolerance::from_percent(1000.01).is_err());
    }

    #[test]
    fn tolerance_displays_as_short_percentage() {
        let shown: Vec<String> = [5.0, 2.5, 0.25, 0.0]
            .iter()
            .map(|p| Tolerance::from_percent(*p).expect("valid").to_string())
            .collect();
        assert_eq!(shown, ["5", "2.5", "0.25", "0"]);
    }
}
