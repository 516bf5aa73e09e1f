//! Largest-remainder rounding (Hamilton's method) in exact integer arithmetic.

use std::cmp::Reverse;

/// Why a total could not be shared out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoundingError {
    /// Nothing to share between.
    #[error("no weight to share the total between")]
    NoWeights,
    /// All weights are zero but the total is not.
    #[error("every weight is zero, so a total of {0} cannot be shared")]
    ZeroWeights(u64),
    /// `total × weight` does not fit in 128 bits.
    #[error("figures too large to share exactly")]
    Overflow,
}

/// Shares `total` between `weights` proportionally, rounding with the largest remainder
/// method: each part gets the floor of its exact quota `total × wᵢ / Σw`, and the units left
/// go one each to the parts with the largest remainders. Ties go to the larger weight, then to
/// the earlier part. The parts sum to `total` exactly and each is within 1 of its exact quota
/// (floor or ceiling). A zero total gives zeros whatever the weights.
pub fn largest_remainder(total: u64, weights: &[u128]) -> Result<Vec<u64>, RoundingError> {
    if weights.is_empty() {
        return Err(RoundingError::NoWeights);
    }
    if total == 0 {
        return Ok(vec![0; weights.len()]);
    }
    let sum = weights
        .iter()
        .try_fold(0u128, |a, w| a.checked_add(*w))
        .ok_or(RoundingError::Overflow)?;
    if sum == 0 {
        return Err(RoundingError::ZeroWeights(total));
    }
    let mut parts = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    for (i, &weight) in weights.iter().enumerate() {
        let product = u128::from(total)
            .checked_mul(weight)
            .ok_or(RoundingError::Overflow)?;
        // The quotient is at most `total`, so it fits in u64.
        parts.push(u64::try_from(product / sum).map_err(|_| RoundingError::Overflow)?);
        remainders.push((Reverse(product % sum), Reverse(weight), i));
    }
    let given: u64 = parts.iter().sum();
    // Σ remainders < n × sum, so fewer than n units are left.
    let left = usize::try_from(total - given).map_err(|_| RoundingError::Overflow)?;
    remainders.sort_unstable();
    for &(_, _, i) in remainders.iter().take(left) {
        parts[i] += 1;
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gives_leftover_units_to_largest_remainders() {
        // Exact quotas 3.3333, 3.3333, 3.3333 → floors 3,3,3; 1 unit to the first (tie on
        // remainder and weight, earliest wins).
        assert_eq!(largest_remainder(10, &[1, 1, 1]), Ok(vec![4, 3, 3]));
        // Exact quotas 4.5, 3.5, 2.0 → remainders tie; the larger weight wins.
        assert_eq!(largest_remainder(10, &[9, 7, 4]), Ok(vec![5, 3, 2]));
        // Exact quotas 1.4, 2.6, 6.0 → the .6 remainder wins.
        assert_eq!(largest_remainder(10, &[14, 26, 60]), Ok(vec![1, 3, 6]));
    }

    #[test]
    fn zero_total_gives_zeros_and_zero_weights_fail() {
        assert_eq!(largest_remainder(0, &[0, 0]), Ok(vec![0, 0]));
        assert_eq!(
            largest_remainder(3, &[0, 0]),
            Err(RoundingError::ZeroWeights(3))
        );
        assert_eq!(largest_remainder(3, &[]), Err(RoundingError::NoWeights));
    }

    #[test]
    fn overflow_is_an_error_not_a_panic() {
        assert_eq!(
            largest_remainder(u64::MAX, &[u128::MAX]),
            Err(RoundingError::Overflow)
        );
    }
}
