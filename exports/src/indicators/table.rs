//! The per-domain indicator table analysts download: one row per indicator and domain.

use std::collections::HashSet;
use std::io::Write;

use serde::Serialize;

use super::error::IndicatorError;
use super::estimate::{Estimate, VarianceMethod};
use super::interval::IntervalMethod;
use super::sample::Sample;
use super::small_domain::SmallDomainRule;

/// Decimals written for proportions, bounds, standard errors and effective sample sizes.
pub const DECIMALS: usize = 6;

/// One 0/1 indicator to tabulate.
#[derive(Debug, Clone)]
pub struct Indicator<'a> {
    /// Short machine name (`sans_equipement`).
    pub name: String,
    /// French label shown to analysts (`Part des personnes sans aucun équipement`).
    pub label: String,
    /// One value per respondent, `None` when missing.
    pub values: &'a [Option<bool>],
}

/// Code and label of one domain (a commune: INSEE code and name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainLabel {
    /// Code written in `code_domaine` (rows are sorted by it).
    pub code: String,
    /// Label written in `domaine`.
    pub label: String,
}

/// How the table is computed, which cells it flags and what its overall row is called.
#[derive(Debug, Clone)]
pub struct TableOptions {
    /// Variance method for the standard errors.
    pub variance: VarianceMethod,
    /// Interval method for `ic_bas` / `ic_haut` ([`IntervalMethod::default`] is Korn–Graubard).
    pub interval: IntervalMethod,
    /// Which cells `effectif_faible` flags.
    pub small_domain: SmallDomainRule,
    /// Row for all respondents.
    pub overall: DomainLabel,
}

impl TableOptions {
    /// Options with the default small-domain rule (30 respondents, 30 effective respondents)
    /// and the overall row labelled `Ensemble` (code `ensemble`).
    pub fn new(variance: VarianceMethod, interval: IntervalMethod) -> Self {
        Self {
            variance,
            interval,
            small_domain: SmallDomainRule::default(),
            overall: DomainLabel {
                code: "ensemble".to_owned(),
                label: "Ensemble".to_owned(),
            },
        }
    }
}

/// One row of the indicator table; field names are the CSV header.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableRow {
    /// Indicator name.
    pub indicateur: String,
    /// Indicator label.
    pub libelle: String,
    /// Domain label (`Ensemble` for the overall row).
    pub domaine: String,
    /// Domain code.
    pub code_domaine: String,
    /// Respondents with a value.
    pub n: usize,
    /// Weighted proportion (empty when n = 0).
    pub proportion: Option<f64>,
    /// Lower bound of the 95 % interval.
    pub ic_bas: Option<f64>,
    /// Upper bound of the 95 % interval.
    pub ic_haut: Option<f64>,
    /// Standard error.
    pub erreur_type: Option<f64>,
    /// Effective sample size `p(1 − p) / Var(p)` ([`Estimate::effective_n`]); written empty
    /// when n = 0 or when infinite (an indicator fixed by the calibration margins).
    pub n_effectif: Option<f64>,
    /// Interval method of `ic_bas` / `ic_haut` ([`IntervalMethod::name`]: `beta`, `logit`,
    /// `wald`).
    pub methode_ic: &'static str,
    /// Whether the cell rests on too few respondents ([`SmallDomainRule`]); written 1 or 0.
    pub effectif_faible: bool,
}

/// Builds the table: for each indicator in order, the overall row then one row per domain in
/// code order (domains without respondents included, with n = 0 and empty figures).
///
/// `domains[j]` labels domain number j of `sample`; pass an empty slice for a sample without
/// domains.
pub fn indicator_table(
    sample: &Sample<'_>,
    domains: &[DomainLabel],
    indicators: &[Indicator<'_>],
    options: &TableOptions,
) -> Result<Vec<TableRow>, IndicatorError> {
    if domains.len() != sample.domain_count() {
        return Err(IndicatorError::DomainLabelCount {
            labels: domains.len(),
            domains: sample.domain_count(),
        });
    }
    let mut codes = HashSet::new();
    if let Some(duplicate) = domains.iter().find(|d| !codes.insert(d.code.as_str())) {
        return Err(IndicatorError::DuplicateDomainCode(duplicate.code.clone()));
    }
    let mut names = HashSet::new();
    if let Some(duplicate) = indicators.iter().find(|i| !names.insert(i.name.as_str())) {
        return Err(IndicatorError::DuplicateIndicator(duplicate.name.clone()));
    }
    let mut order: Vec<usize> = (0..domains.len()).collect();
    order.sort_by(|&a, &b| domains[a].code.cmp(&domains[b].code));

    let mut rows = Vec::with_capacity(indicators.len() * (domains.len() + 1));
    for indicator in indicators {
        let estimates = sample.estimate(indicator.values, options.variance)?;
        let row = |domain: &DomainLabel, estimate: &Estimate| {
            let interval = estimate.interval(options.interval);
            TableRow {
                indicateur: indicator.name.clone(),
                libelle: indicator.label.clone(),
                domaine: domain.label.clone(),
                code_domaine: domain.code.clone(),
                n: estimate.n,
                proportion: estimate.proportion,
                ic_bas: interval.map(|i| i.lower),
                ic_haut: interval.map(|i| i.upper),
                erreur_type: estimate.standard_error,
                n_effectif: estimate.effective_n,
                methode_ic: options.interval.name(),
                effectif_faible: options.small_domain.flags(estimate),
            }
        };
        rows.push(row(&options.overall, &estimates.overall));
        rows.extend(
            order
                .iter()
                .map(|&j| row(&domains[j], &estimates.domains[j])),
        );
    }
    Ok(rows)
}

/// The header of `indicateurs.csv`: [`TableRow`]'s fields in order.
pub const TABLE_COLUMNS: [&str; 12] = [
    "indicateur",
    "libelle",
    "domaine",
    "code_domaine",
    "n",
    "proportion",
    "ic_bas",
    "ic_haut",
    "erreur_type",
    "n_effectif",
    "methode_ic",
    "effectif_faible",
];

/// A figure as the table writes it: [`DECIMALS`] decimals and a decimal point, empty when
/// missing or infinite.
pub fn table_figure(value: Option<f64>) -> String {
    value
        .filter(|v| v.is_finite())
        .map_or_else(String::new, |v| format!("{v:.DECIMALS$}"))
}

/// One row as the table's CSV writes it, in [`TABLE_COLUMNS`] order (the flag as 1 or 0), so
/// that every file carrying the table's cells writes them alike.
pub fn table_record(row: &TableRow) -> [String; 12] {
    [
        row.indicateur.clone(),
        row.libelle.clone(),
        row.domaine.clone(),
        row.code_domaine.clone(),
        row.n.to_string(),
        table_figure(row.proportion),
        table_figure(row.ic_bas),
        table_figure(row.ic_haut),
        table_figure(row.erreur_type),
        table_figure(row.n_effectif),
        row.methode_ic.to_owned(),
        if row.effectif_faible { "1" } else { "0" }.to_owned(),
    ]
}

/// Writes the table as CSV: UTF-8 without BOM, comma-separated, CRLF line ends, a header
/// row, figures with [`DECIMALS`] decimals and a decimal point, empty cells for missing
/// figures, the flag as 1 or 0.
pub fn write_table_csv<W: Write>(rows: &[TableRow], writer: W) -> Result<(), IndicatorError> {
    let mut csv = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(writer);
    csv.write_record(TABLE_COLUMNS)?;
    for row in rows {
        csv.write_record(table_record(row))?;
    }
    csv.flush().map_err(csv::Error::from)?;
    Ok(())
}
