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
    #[error("{}", unknown_variable(.margin, .variable, .available))]
    UnknownVariable {
        /// Margin name.
        margin: String,
        /// Missing variable.
        variable: String,
        /// Comma-separated list of the variables that exist.
        available: String,
    },
    /// A variable was added twice to the respondents.
    #[error("la variable « {0} » est définie deux fois")]
    DuplicateVariable(String),
    /// A column does not have one value per respondent.
    #[error("la variable « {variable} » a {found} valeur(s) pour {expected} répondant(s)")]
    LengthMismatch {
        /// Variable (or `base weight`).
        variable: String,
        /// Number of respondents.
        expected: usize,
        /// Number of values given.
        found: usize,
    },
    /// A coded variable uses a code outside its category list.
    #[error(
        "la variable « {variable} » a le code {code} mais seulement {categories} modalité(s), codées à partir de 0"
    )]
    InvalidCode {
        /// Variable name.
        variable: String,
        /// Offending code.
        code: u32,
        /// Number of categories declared.
        categories: usize,
    },
    /// There is nothing to weight.
    #[error("aucun répondant à pondérer")]
    NoRespondents,
    /// No margin was given.
    #[error("aucune marge donnée")]
    NoMargins,
    /// The same margin appears twice.
    #[error("la marge « {0} » est donnée deux fois")]
    DuplicateMargin(String),
    /// The same category appears twice in one margin.
    #[error("la marge « {margin} » donne deux fois la modalité « {category} »")]
    DuplicateCategory {
        /// Margin name.
        margin: String,
        /// Repeated category.
        category: String,
    },
    /// A crossed category does not have one part per crossed variable.
    #[error(
        "la marge « {margin} » croise {expected} variables mais la modalité « {category} » a {found} partie(s) : écrivez les modalités croisées x:y, une partie par variable"
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
        "la marge « {margin} », modalité « {category} », a une cible invalide ({target}) : la cible doit être un nombre fini, positif ou nul"
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
        "le poids initial du répondant {respondent} vaut {weight} : les poids initiaux doivent être des nombres finis strictement positifs"
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
        "la modalité « {category} » de la marge « {margin} » compte {respondents} répondant(s) (par exemple le répondant {example}) mais n'a pas de cible dans les marges : ajoutez sa cible ou recodez ces répondants"
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
        "la modalité « {category} » de la marge « {margin} » a une cible nulle mais {respondents} répondant(s) : retirez ces répondants ou donnez à la modalité une cible positive"
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
    #[error(
        "les marges ne concordent pas : « {first} » totalise {first_total} mais « {second} » totalise {second_total}{} ; les marges doivent avoir le même total",
        subtotal_suffix(.over)
    )]
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
        "la post-stratification prend exactement une marge, {0} données : croisez les variables (a:b) dans une seule marge ou utilisez le calage « raking »"
    )]
    PostStratificationMargins(usize),
    /// Bounds given for a method that does not use them, or missing for one that needs them.
    #[error("{0}")]
    Bounds(String),
    /// Bounds cannot be met: a margin category needs an adjustment outside `[lower, upper]`.
    #[error(
        "les bornes [{lower} ; {upper}] ne peuvent pas être respectées : la modalité « {category} » de la marge « {margin} » demande un ajustement moyen de {ratio:.4} (cible / somme des poids initiaux de ses répondants) ; élargissez les bornes ou regroupez cette modalité"
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
    #[error(
        "le croisement des variables des marges a trop de cases : réduisez le nombre de variables ou de modalités"
    )]
    TooManyCells,
    /// An option has an invalid value (the message names it).
    #[error("{0}")]
    InvalidOption(String),
    /// Iterations stopped before every margin was met. The last weights and their diagnostics
    /// are kept so a caller can inspect them, but they are never returned as a success.
    #[error(
        "le calage n'a pas convergé en {iterations} itérations : la marge « {margin} », modalité « {category} », reste à {absolute_error:.6} de sa cible ({relative_error:.3e} en relatif)"
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
    #[error("{}", csv_location(.file, *.line, .message))]
    Csv {
        /// Which file, in French: [`RESPONDENTS_FILE`] or [`MARGINS_FILE`].
        file: &'static str,
        /// 1-based line number (0 when unknown).
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// Writing the output failed.
    #[error("écriture des poids impossible : {0}")]
    Write(String),
}

/// Name given to the grouping variable (`group_by`) where a margin name is expected, so that
/// an unknown grouping variable is reported as such.
pub(crate) const GROUPING_MARGIN: &str = "(variable de regroupement)";
/// [`WeightError::Csv`]'s `file` for the respondents file.
pub const RESPONDENTS_FILE: &str = "fichier des répondants";
/// [`WeightError::Csv`]'s `file` for the margins file.
pub const MARGINS_FILE: &str = "fichier des marges";

fn unknown_variable(margin: &str, variable: &str, available: &str) -> String {
    let available = if available.is_empty() {
        "aucune".to_owned()
    } else {
        available.to_owned()
    };
    if margin == GROUPING_MARGIN {
        format!(
            "la variable de regroupement « {variable} » n'est pas une variable des répondants (variables : {available})"
        )
    } else {
        format!(
            "la marge « {margin} » utilise la variable « {variable} », qui n'est pas une variable des répondants (variables : {available})"
        )
    }
}

/// `fichier des marges, ligne 4 : …` (no line when it is unknown).
fn csv_location(file: &str, line: u64, message: &str) -> String {
    if line == 0 {
        format!("{file} : {message}")
    } else {
        format!("{file}, ligne {line} : {message}")
    }
}

fn subtotal_suffix(over: &Option<String>) -> String {
    over.as_ref()
        .map(|o| format!(" pour {o}"))
        .unwrap_or_default()
}

/// `n répondant(s)`, singular for 0 and 1 as French writes it.
pub(crate) fn n_respondents(count: impl Into<u64>) -> String {
    let count = count.into();
    if count < 2 {
        format!("{count} répondant")
    } else {
        format!("{count} répondants")
    }
}

fn format_empty_cells(cells: &[EmptyCell]) -> String {
    let mut text = if cells.len() == 1 {
        "1 modalité de marge a une cible positive mais aucun répondant (le calage ne peut pas converger) :".to_owned()
    } else {
        format!(
            "{} modalités de marge ont une cible positive mais aucun répondant (le calage ne peut pas converger) :",
            cells.len()
        )
    };
    for cell in cells {
        text.push_str(&format!(
            "\n  marge « {} », modalité « {} » (cible {}) : {}",
            cell.margin, cell.category, cell.target, cell.suggestion
        ));
    }
    text
}
