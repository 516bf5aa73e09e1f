//! Numbers as French readers write them: decimal comma, a space before `%`.

/// `value` with `decimals` decimals and a decimal comma: `0,153`.
pub fn decimal(value: f64, decimals: usize) -> String {
    format!("{value:.decimals$}").replace('.', ",")
}

/// A proportion as a percentage with one decimal: 0.1234 gives `12,3 %` (a no-break space
/// before the sign, as French typography asks).
pub fn percent(proportion: f64) -> String {
    format!("{}\u{a0}%", decimal(proportion * 100.0, 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_take_a_decimal_comma() {
        assert_eq!(decimal(0.15, 2), "0,15");
        assert_eq!(percent(0.1234), "12,3\u{a0}%");
        assert_eq!(percent(1.0), "100,0\u{a0}%");
    }
}
