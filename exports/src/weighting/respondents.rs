//! Respondents as categorical columns (codes + category names), optional base weights and ids.

use std::collections::HashMap;

use super::error::WeightError;

/// One categorical variable: a category list and one code per respondent.
#[derive(Debug, Clone)]
pub(crate) struct Column {
    pub(crate) name: String,
    pub(crate) categories: Vec<String>,
    pub(crate) codes: Vec<u32>,
}

/// The respondents to weight: their margin variables, optional design weights and ids.
///
/// Variables are stored as integer codes so that a million respondents aggregate in one pass.
#[derive(Debug, Clone)]
pub struct Respondents {
    len: usize,
    columns: Vec<Column>,
    base_weights: Option<Vec<f64>>,
    ids: Option<Vec<String>>,
}

impl Respondents {
    /// Starts an empty set of `len` respondents; add variables next.
    pub fn new(len: usize) -> Self {
        Self {
            len,
            columns: Vec::new(),
            base_weights: None,
            ids: None,
        }
    }

    /// Number of respondents.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there is no respondent.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds a variable from one category label per respondent (labels are compared as text).
    pub fn add_variable<S: AsRef<str>>(
        &mut self,
        name: &str,
        values: &[S],
    ) -> Result<(), WeightError> {
        let mut categories: Vec<String> = Vec::new();
        let mut index: HashMap<&str, u32> = HashMap::new();
        let mut codes = Vec::with_capacity(values.len());
        for value in values {
            let value = value.as_ref();
            let code = match index.get(value) {
                Some(&code) => code,
                None => {
                    let code = categories.len() as u32;
                    categories.push(value.to_owned());
                    index.insert(value, code);
                    code
                }
            };
            codes.push(code);
        }
        self.add_coded_variable(name, categories, codes)
    }

    /// Adds a variable already coded: `codes[i]` indexes `categories` (the fast path for large
    /// in-memory data).
    pub fn add_coded_variable(
        &mut self,
        name: &str,
        categories: Vec<String>,
        codes: Vec<u32>,
    ) -> Result<(), WeightError> {
        if self.columns.iter().any(|c| c.name == name) {
            return Err(WeightError::DuplicateVariable(name.to_owned()));
        }
        self.check_len(name, codes.len())?;
        if let Some(&code) = codes.iter().find(|&&c| c as usize >= categories.len()) {
            return Err(WeightError::InvalidCode {
                variable: name.to_owned(),
                code,
                categories: categories.len(),
            });
        }
        self.columns.push(Column {
            name: name.to_owned(),
            categories,
            codes,
        });
        Ok(())
    }

    /// Sets design (base) weights; they must be finite and positive.
    pub fn set_base_weights(&mut self, weights: Vec<f64>) -> Result<(), WeightError> {
        self.check_len("poids initial", weights.len())?;
        if let Some(row) = weights.iter().position(|w| !(w.is_finite() && *w > 0.0)) {
            return Err(WeightError::InvalidBaseWeight {
                respondent: self.describe_row(row),
                weight: weights[row],
            });
        }
        self.base_weights = Some(weights);
        Ok(())
    }

    /// Sets respondent ids, used to name respondents in error messages.
    pub fn set_ids(&mut self, ids: Vec<String>) -> Result<(), WeightError> {
        self.check_len("identifiant", ids.len())?;
        self.ids = Some(ids);
        Ok(())
    }

    /// Design weights, if any (otherwise every respondent has base weight 1).
    pub fn base_weights(&self) -> Option<&[f64]> {
        self.base_weights.as_deref()
    }

    /// Names of the variables, in insertion order.
    pub fn variable_names(&self) -> impl Iterator<Item = &str> {
        self.columns.iter().map(|c| c.name.as_str())
    }

    pub(crate) fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Id of a respondent for messages, or its 0-based row.
    pub(crate) fn describe_row(&self, row: usize) -> String {
        match &self.ids {
            Some(ids) => format!("« {} »", ids[row]),
            None => format!("de rang {row} (compté à partir de 0)"),
        }
    }

    fn check_len(&self, variable: &str, found: usize) -> Result<(), WeightError> {
        if found != self.len {
            return Err(WeightError::LengthMismatch {
                variable: variable.to_owned(),
                expected: self.len,
                found,
            });
        }
        Ok(())
    }
}
