//! The results of a wave as the observatory reads them: each cell of the indicator table with
//! its publication verdict and its change since the previous wave.

use std::collections::HashMap;

use serde::Serialize;

use super::change::{Change, change_between};
use super::rules::{PublicationRules, Verdict};
use crate::indicators::TableRow;

/// One cell of the indicator table (an indicator in a commune, or overall), judged.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResultRow {
    /// The row of `indicateurs.csv`, unchanged.
    #[serde(flatten)]
    pub cell: TableRow,
    /// Whether it may be published, and why not.
    #[serde(flatten)]
    pub verdict: Verdict,
    /// The change since the previous wave, when both waves have an estimate with its standard
    /// error for this indicator and domain.
    pub change: Option<Change>,
    /// Whether the cell passes the rules in both waves, so that its change may be published.
    pub change_publishable: bool,
}

/// Judges every row of `current` against `rules`, and compares it with the row of the same
/// indicator and domain code in `previous` (the previous wave's table, judged by the same
/// rules), in `current`'s order.
pub fn results(
    current: Vec<TableRow>,
    previous: Option<&[TableRow]>,
    rules: &PublicationRules,
) -> Vec<ResultRow> {
    let before: HashMap<(&str, &str), &TableRow> = previous
        .unwrap_or_default()
        .iter()
        .map(|row| ((row.indicateur.as_str(), row.code_domaine.as_str()), row))
        .collect();
    current
        .into_iter()
        .map(|cell| {
            let verdict = rules.assess(&cell);
            let earlier = before
                .get(&(cell.indicateur.as_str(), cell.code_domaine.as_str()))
                .copied();
            let figures = |row: &TableRow| Some((row.proportion?, row.erreur_type?));
            let change = earlier
                .and_then(figures)
                .zip(figures(&cell))
                .map(|(then, now)| change_between(then, now));
            let change_publishable = change.is_some()
                && verdict.publishable
                && earlier.is_some_and(|row| rules.assess(row).publishable);
            ResultRow {
                cell,
                verdict,
                change,
                change_publishable,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::rules::tests::row;
    use super::*;

    #[test]
    fn each_cell_is_judged_and_compared_with_the_same_cell_of_the_previous_wave() {
        let previous = vec![
            row("33063", 400, 0.30, (0.26, 0.34), 380.0),
            row("33004", 4, 0.25, (0.0, 0.8), 4.0),
        ];
        let current = vec![
            row("33004", 3, 0.333, (0.008, 0.906), 3.0),
            row("33063", 420, 0.25, (0.21, 0.29), 400.0),
            row("33200", 100, 0.1, (0.05, 0.17), 90.0),
        ];
        let judged = results(current, Some(&previous), &PublicationRules::default());
        assert_eq!(judged.len(), 3);
        let ambes = &judged[0];
        assert!(!ambes.verdict.publishable);
        assert!(ambes.change.is_some() && !ambes.change_publishable);
        let bordeaux = &judged[1];
        assert!(bordeaux.verdict.publishable && bordeaux.change_publishable);
        let change = bordeaux.change.unwrap();
        assert!((change.difference + 0.05).abs() < 1e-12);
        // se = (0.34 − 0.26)/4 = 0.02 then 0.02: √0.0008.
        assert!((change.standard_error - 0.0008f64.sqrt()).abs() < 1e-12);
        assert_eq!(
            judged[2].change, None,
            "no such commune in the previous wave"
        );
        assert!(
            results(
                judged.into_iter().map(|r| r.cell).collect(),
                None,
                &PublicationRules::default()
            )
            .iter()
            .all(|r| r.change.is_none())
        );
    }
}
