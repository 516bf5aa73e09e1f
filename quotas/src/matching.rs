//! Which cells a respondent belongs to, from the values of the quota variables.

use crate::design::{Category, Cell, CellKey, Design};
use std::collections::BTreeMap;

/// Why a respondent could not be placed in the design's cells. `Display` is French, for the
/// interviewer and the supervisor.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MatchError {
    /// The variable a dimension reads has no value (not asked yet, « ne sait pas », refus).
    #[error("valeur manquante pour {variable} (quota « {dimension} »)")]
    Missing {
        /// The dimension that needs the value.
        dimension: String,
        /// The questionnaire variable it reads.
        variable: String,
    },
    /// The value falls in no category (a commune outside the design, an age below every band).
    #[error("{variable} = {value} ne correspond à aucune catégorie du quota « {dimension} »")]
    NoCategory {
        /// The dimension.
        dimension: String,
        /// The questionnaire variable it reads.
        variable: String,
        /// The value given.
        value: i64,
    },
    /// No cell has this key; a validated design has every cell, so this signals a design built
    /// from inconsistent parts.
    #[error("la cellule {0} n'existe pas dans le plan de quotas")]
    NoCell(CellKey),
}

impl Design {
    /// The category of each dimension for these values (variable → integer value), in
    /// dimension order; the first dimension that cannot be classified is the error.
    pub fn classify(
        &self,
        values: &BTreeMap<String, i64>,
    ) -> Result<Vec<(&str, &Category)>, MatchError> {
        self.dimensions()
            .iter()
            .map(|dimension| {
                let value =
                    *values
                        .get(&dimension.variable)
                        .ok_or_else(|| MatchError::Missing {
                            dimension: dimension.name.clone(),
                            variable: dimension.variable.clone(),
                        })?;
                let category = dimension
                    .classify(value)
                    .ok_or_else(|| MatchError::NoCategory {
                        dimension: dimension.name.clone(),
                        variable: dimension.variable.clone(),
                        value,
                    })?;
                Ok((dimension.name.as_str(), category))
            })
            .collect()
    }

    /// The cells the respondent belongs to: exactly one per margin, in margin order (one cell
    /// for a crossed design, one per margin for a marginal design).
    pub fn match_cells(&self, values: &BTreeMap<String, i64>) -> Result<Vec<&Cell>, MatchError> {
        let categories = self.classify(values)?;
        self.margins()
            .iter()
            .map(|margin| {
                let key = CellKey(
                    margin
                        .dimensions
                        .iter()
                        .filter_map(|name| {
                            categories
                                .iter()
                                .find(|(d, _)| d == name)
                                .map(|(_, c)| (name.clone(), c.code))
                        })
                        .collect(),
                );
                self.cell(&key).ok_or(MatchError::NoCell(key))
            })
            .collect()
    }
}
