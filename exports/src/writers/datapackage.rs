//! Frictionless data package descriptor (`datapackage.json`) describing the coded CSV with a
//! Table Schema, as French open-data portals (data.gouv.fr, schema.data.gouv.fr) expect:
//! `title` holds the variable label, `description` the question, `constraints.enum` the
//! allowed codes of categorical variables, `categories` (Table Schema v2) the value labels and
//! field-level `missingValues` the declared missing codes.

use std::io::Write;

use serde::Serialize;

use super::WriteError;
use super::csv::CsvDialect;
use crate::dataset::{ColumnRef, Dataset, Measure, Variable, VariableKind};

/// The CSV file the descriptor points to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvResource {
    /// Path relative to `datapackage.json`, e.g. `donnees.csv`.
    pub path: String,
    /// Dialect the file was written with (codes, not labels).
    pub dialect: CsvDialect,
    /// Size in bytes, when known (see [`super::manifest::sha256_file`]).
    pub bytes: Option<u64>,
    /// Lowercase hexadecimal SHA-256, when known.
    pub sha256: Option<String>,
}

#[derive(Serialize)]
struct Package<'a> {
    profile: &'static str,
    name: &'a str,
    title: &'a str,
    created: String,
    resources: Vec<Resource<'a>>,
}

#[derive(Serialize)]
struct Resource<'a> {
    name: &'a str,
    path: &'a str,
    profile: &'static str,
    format: &'static str,
    mediatype: &'static str,
    encoding: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    bytes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hash: Option<String>,
    dialect: Dialect,
    schema: TableSchema<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Dialect {
    delimiter: String,
    line_terminator: &'static str,
    quote_char: &'static str,
    double_quote: bool,
    header: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TableSchema<'a> {
    fields: Vec<SchemaField<'a>>,
    missing_values: Vec<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SchemaField<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(rename = "type")]
    field_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    decimal_char: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    constraints: Option<Constraints>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    categories: Vec<Category<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    categories_ordered: Option<bool>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    missing_values: Vec<String>,
}

#[derive(Serialize)]
struct Constraints {
    #[serde(rename = "enum")]
    allowed: Vec<i32>,
}

#[derive(Serialize)]
struct Category<'a> {
    value: i32,
    label: &'a str,
}

/// Allowed codes when every valid value of a categorical variable is labelled; `None` when an
/// unlabelled value occurs (an enum would then reject the file).
fn allowed_codes(variable: &Variable, column: ColumnRef<'_>) -> Option<Constraints> {
    if variable.measure == Measure::Scale || variable.value_labels.is_empty() {
        return None;
    }
    let ColumnRef::Numeric(values) = column else {
        return None;
    };
    let labelled = |v: f64| variable.value_labels.keys().any(|&c| f64::from(c) == v);
    let all_labelled = values
        .iter()
        .all(|&v| v.is_nan() || variable.is_declared_missing(v) || labelled(v));
    all_labelled.then(|| Constraints {
        allowed: variable
            .value_labels
            .keys()
            .copied()
            .filter(|c| !variable.missing_values.contains(c))
            .collect(),
    })
}

fn schema_field<'a>(
    variable: &'a Variable,
    column: ColumnRef<'_>,
    dialect: CsvDialect,
) -> SchemaField<'a> {
    let field_type = match variable.kind {
        VariableKind::Integer => "integer",
        VariableKind::Decimal { .. } => "number",
        VariableKind::Text { .. } => "string",
    };
    let missing = variable.sorted_missing_values();
    SchemaField {
        name: &variable.name,
        title: &variable.label,
        description: variable.question.as_deref(),
        field_type,
        decimal_char: (field_type == "number" && dialect == CsvDialect::ExcelFr).then_some(","),
        constraints: allowed_codes(variable, column),
        categories: variable
            .value_labels
            .iter()
            .map(|(&value, label)| Category { value, label })
            .collect(),
        categories_ordered: (variable.measure == Measure::Ordinal
            && !variable.value_labels.is_empty())
        .then_some(true),
        missing_values: if missing.is_empty() {
            Vec::new()
        } else {
            std::iter::once(String::new())
                .chain(missing.iter().map(i32::to_string))
                .collect()
        },
    }
}

/// The `datapackage.json` text (pretty JSON, final newline) for `dataset` written as `csv`.
pub fn datapackage_json(dataset: &Dataset, csv: &CsvResource) -> Result<String, WriteError> {
    let info = dataset.info();
    let package = Package {
        profile: "tabular-data-package",
        name: &info.name,
        title: &info.title,
        created: info.created.rfc3339(),
        resources: vec![Resource {
            name: &info.name,
            path: &csv.path,
            profile: "tabular-data-resource",
            format: "csv",
            mediatype: "text/csv",
            encoding: "utf-8",
            bytes: csv.bytes,
            hash: csv.sha256.as_ref().map(|h| format!("sha256:{h}")),
            dialect: Dialect {
                delimiter: char::from(csv.dialect.delimiter()).to_string(),
                line_terminator: "\r\n",
                quote_char: "\"",
                double_quote: true,
                header: true,
            },
            schema: TableSchema {
                fields: dataset
                    .iter_columns()
                    .map(|(v, c)| schema_field(v, c, csv.dialect))
                    .collect(),
                missing_values: vec![""],
            },
        }],
    };
    Ok(serde_json::to_string_pretty(&package)? + "\n")
}

/// Writes [`datapackage_json`] to `out`.
pub fn write_datapackage<W: Write>(
    dataset: &Dataset,
    csv: &CsvResource,
    mut out: W,
) -> Result<(), WriteError> {
    out.write_all(datapackage_json(dataset, csv)?.as_bytes())?;
    out.flush()?;
    Ok(())
}
