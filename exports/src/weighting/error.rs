//! Errors raised by weighting, all detected before iterating except non-convergence.

use thiserror::Error;

use super::Weighting;

/// One margin category that has a positive target but no respondent.
#[derive(Debug, Clone, PartialEq)]
pub struct EmptyCell {
    /// Margin name as written in the margins (`commune` or `commune:sexe`).
    pub margin: String,
    /// Category as written in the margins (`33063` or `33063:F`).
    pub category: String,
    /// Population target of the category.
    pub target: f64,
    /// Which categories to collapse it with, in plain words.
    pub suggestion: String,
}

/// Why weights could not be computed.
///
/// Every variant except [`WeightError::NotConverged`] is raised before the first iteration, so
/// a bad margins file fails fast instead of iterating for minutes.
#[derive(Debug, Error)]
pub enum WeightError {
    /// A margin names a variable the respondents do not have.
    #[error(
        "margin '{margin}' uses unknown variable '{variable}' (respondent variables: {available})"
    )]
    UnknownVariable {
        /// Margin name.
        margin: String,
        /// Missing variable.
        variable: String,
        /// Comma-separated list of the variables that exist.
        available: String,
    },
    /// A variable was added twice to the respondents.
    #[error("variable '{0}' is defined twice")]
    DuplicateVariable(String),
    /// A column does not have one value per respondent.
    #[error("variable '{variable}' has {found} values for {expected} respondents")]
    LengthMismatch {
        /// Variable (or `base weight`).
        variable: String,
        /// Number of respondents.
        expected: usize,
        /// Number of values given.
        found: usize,
    },
    /// A coded variable uses a code outside its category list.
    #[error("variable '{variable}' has code {code} but only {categories} categories")]
    InvalidCode {
        /// Variable name.
        variable: String,
        /// Offending code.
        code: u32,
        /// Number of categories declared.
        categories: usize,
    },
    /// There is nothing to weight.
    #[error("no respondents to weight")]
    NoRespondents,
    /// No margin was given.
    #[error("no margins given")]
    NoMargins,
    /// The same margin appears twice.
    #[error("margin '{0}' is given twice")]
    DuplicateMargin(String),
    /// The same category appears twice in one margin.
    #[error("margin '{margin}' lists category '{category}' twice")]
    DuplicateCategory {
        /// Margin name.
        margin: String,
        /// Repeated category.
        category: String,
    },
    /// A crossed category does not have one part per crossed variable.
    #[error(
        "margin '{margin}' crosses {expected} variables but category '{category}' has {found} parts"
    )]
    CategoryArity {
        /// Margin name.
        margin: String,
        /// Category as written.
        category: String,
        /// Number of crossed variables.
        expected: usize,
        /// Number of `:`-separated parts found.
        found: usize,
    },
    /// A target total is negative, infinite or not a number.
    #[error(
        "margin '{margin}' category '{category}' has invalid target {target} (must be finite and >= 0)"
    )]
    InvalidTarget {
        /// Margin name.
        margin: String,
        /// Category.
        category: String,
        /// The target.
        target: f64,
    },
    /// A base weight is not a finite positive number.
    #[error(
        "base weight of respondent {respondent} is {weight}; base weights must be finite and > 0"
    )]
    InvalidBaseWeight {
        /// Respondent id (or 0-based row when there are no ids).
        respondent: String,
        /// The weight.
        weight: f64,
    },
    /// Margin categories with a positive target and no respondent: calibration cannot reach
    /// them whatever the number of iterations.
    #[error("{}", format_empty_cells(.0))]
    EmptyCells(Vec<EmptyCell>),
    /// Respondents fall in a category that has no target in a margin.
    #[error(
        "category '{category}' of margin '{margin}' has {respondents} respondent(s) (e.g. respondent {example}) but no target in the margins; add its target or recode those respondents"
    )]
    CategoryWithoutTarget {
        /// Margin name.
        margin: String,
        /// Category as it would be written in the margins.
        category: String,
        /// Respondents in that category.
        respondents: usize,
        /// One of them (id, or 0-based row when there are no ids).
        example: String,
    },
    /// Respondents fall in a category whose target is 0: every weight there would be 0.
    #[error(
        "category '{category}' of margin '{margin}' has target 0 but {respondents} respondent(s); remove them or give the category a positive target"
    )]
    ZeroTargetWithRespondents {
        /// Margin name.
        margin: String,
        /// Category.
        category: String,
        /// Respondents in that category.
        respondents: usize,
    },
    /// Two margins disagree on a shared total (the grand total, or a subtotal over shared
    /// variables such as `commune` in `commune` and `commune:sexe`).
    #[error("margins disagree: '{first}' totals {first_total} but '{second}' totals {second_total}{}", subtotal_suffix(.over))]
    InconsistentTotals {
        /// First margin.
        first: String,
        /// Its total (over the shared categories).
        first_total: f64,
        /// Second margin.
        second: String,
        /// Its total (over the shared categories).
        second_total: f64,
        /// Shared category (`variable=value`, ...) when the disagreement is on a subtotal.
        over: Option<String>,
    },
    /// Post-stratification adjusts to a single (possibly crossed) margin.
    #[error(
        "post-stratification takes exactly one margin, got {0}; cross the variables (a:b) or use raking"
    )]
    PostStratificationMargins(usize),
    /// Bounds given for a method that does not use them, or missing for one that needs them.
    #[error("{0}")]
    Bounds(String),
    /// Bounds cannot be met: a margin category needs an adjustment outside `[lower, upper]`.
    #[error(
        "bounds [{lower}, {upper}] cannot be met: category '{category}' of margin '{margin}' needs an average adjustment of {ratio:.4} (target / sum of base weights)"
    )]
    InfeasibleBounds {
        /// Margin name.
        margin: String,
        /// Category.
        category: String,
        /// Target divided by the sum of base weights of its respondents.
        ratio: f64,
        /// Lower bound on g = w / d.
        lower: f64,
        /// Upper bound on g = w / d.
        upper: f64,
    },
    /// The cross-classification of all margin variables is too large to index.
    #[error("the cross-classification of the margin variables has too many cells")]
    TooManyCells,
    /// An option has an invalid value.
    #[error("invalid option: {0}")]
    InvalidOption(String),
    /// Iterations stopped before every margin was met. The last weights and their diagnostics
    /// are kept so a caller can inspect them, but they are never returned as a success.
    #[error(
        "weighting did not converge after {iterations} iterations: margin '{margin}' category '{category}' is off by {absolute_error:.6} ({relative_error:.3e} relative)"
    )]
    NotConverged {
        /// Iterations done.
        iterations: usize,
        /// Margin with the largest relative error.
        margin: String,
        /// Its category.
        category: String,
        /// Absolute error on that category (weighted persons).
        absolute_error: f64,
        /// Relative error on that category.
        relative_error: f64,
        /// The last weights and diagnostics (flagged not converged).
        partial: Box<Weighting>,
    },
    /// A CSV file could not be read.
    #[error("{file}, line {line}: {message}")]
    Csv {
        /// Which file (`respondents` or `margins`).
        file: &'static str,
        /// 1-based line number (0 when unknown).
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// Writing the output failed.
    #[error("cannot write weights: {0}")]
    Write(String),
}

fn subtotal_suffix(over: &Option<String>) -> String {
    over.as_ref()
        .map(|o| format!(" for {o}"))
        .unwrap_or_default()
}

fn format_empty_cells(cells: &[EmptyCell]) -> String {
    let mut text = format!(
        "{} margin categor{} with a positive target but no respondent (weighting cannot converge):",
        cells.len(),
        if cells.len() == 1 { "y" } else { "ies" }
    );
    for cell in cells {
        text.push_str(&format!(
            "\n  margin '{}' category '{}' (target {}): {}",
            cell.margin, cell.category, cell.target, cell.suggestion
        ));
    }
    text
}
