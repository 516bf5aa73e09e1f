//! Population margins: one-way (`sexe`) or crossed (`commune:sexe`) target totals.

/// Separator between crossed variables (`commune:sexe`) and their categories (`33063:F`).
pub const CROSS_SEPARATOR: char = ':';

/// Population totals for the categories of one variable or of a crossing of variables.
#[derive(Debug, Clone, PartialEq)]
pub struct Margin {
    variables: Vec<String>,
    targets: Vec<(Vec<String>, f64)>,
}

impl Margin {
    /// A margin on one variable: `(category, population total)` pairs.
    pub fn one_way<C: Into<String>>(
        variable: &str,
        targets: impl IntoIterator<Item = (C, f64)>,
    ) -> Self {
        Self {
            variables: vec![variable.to_owned()],
            targets: targets
                .into_iter()
                .map(|(c, t)| (vec![c.into()], t))
                .collect(),
        }
    }

    /// A margin on the crossing of several variables: each category lists one value per
    /// variable, in the order of `variables`.
    pub fn crossed(variables: Vec<String>, targets: Vec<(Vec<String>, f64)>) -> Self {
        Self { variables, targets }
    }

    /// Name as written in a margins file: variables joined by `:`.
    pub fn name(&self) -> String {
        self.variables.join(&CROSS_SEPARATOR.to_string())
    }

    /// Variables of the margin (one unless crossed).
    pub fn variables(&self) -> &[String] {
        &self.variables
    }

    /// Categories (one value per variable) and their population totals, in file order.
    pub fn targets(&self) -> &[(Vec<String>, f64)] {
        &self.targets
    }

    /// Sum of the targets.
    pub fn total(&self) -> f64 {
        self.targets.iter().map(|(_, t)| t).sum()
    }
}

/// Writes a crossed category as in a margins file (`33063:F`).
pub(crate) fn category_label(parts: &[String]) -> String {
    parts.join(&CROSS_SEPARATOR.to_string())
}
