//! Frictionless data package descriptor (`datapackage.json`) describing every data file of an
//! export (CSV flavours, Parquet, SPSS, Stata) with a Table Schema and a primary key, as French
//! open-data portals (data.gouv.fr, schema.data.gouv.fr) expect: `title` holds the variable
//! label, `description` the question, `constraints.enum` the allowed codes of categorical
//! variables, `categories` (Table Schema v2) the value labels and field-level `missingValues`
//! the declared missing codes where the file keeps them as codes.

use std::io::Write;

use serde::Serialize;
use serde_json::Value as Json;

use super::WriteError;
use super::analysis::{AnalysisColumn, analysis_columns, reason_label};
use super::csv::{CsvDialect, CsvOptions};
use crate::dataset::{ColumnRef, Dataset, Measure, Variable, VariableKind, ascii_name};

/// The file format of a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceFormat {
    /// A CSV file written with these options.
    Csv(CsvOptions),
    /// SPSS system file.
    Sav,
    /// Stata 118 file.
    Dta,
    /// Parquet file (declared missing codes as nulls with reason columns).
    Parquet,
}

/// One data file the descriptor describes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataResource {
    /// Path relative to `datapackage.json`, e.g. `donnees.csv`.
    pub path: String,
    /// How the file was written.
    pub format: ResourceFormat,
    /// Size in bytes, when known (see [`super::manifest::sha256_file`]).
    pub bytes: Option<u64>,
    /// Lowercase hexadecimal SHA-256, when known.
    pub sha256: Option<String>,
}

#[derive(Serialize)]
struct Package<'a> {
    profile: &'static str,
    name: String,
    title: &'a str,
    created: String,
    resources: Vec<Resource<'a>>,
}

#[derive(Serialize)]
struct Resource<'a> {
    name: String,
    path: &'a str,
    profile: &'static str,
    format: &'static str,
    mediatype: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    encoding: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bytes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hash: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dialect: Option<Dialect>,
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
    #[serde(skip_serializing_if = "Vec::is_empty")]
    primary_key: Vec<&'a str>,
    missing_values: Vec<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SchemaField<'a> {
    name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    title: String,
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
    allowed: Vec<Json>,
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
            .filter(|c| !variable.missing_values.contains(c))
            .map(|&c| Json::from(c))
            .collect(),
    })
}

/// Codes as written (`.sav`, `.dta`).
const CODES: Cells = Cells {
    decimal_comma: false,
    labelled: false,
    missing_as_null: false,
};
/// Declared missing codes as nulls (Parquet).
const NULLS: Cells = Cells {
    decimal_comma: false,
    labelled: false,
    missing_as_null: true,
};

/// How a file holds the dataset's cells.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Cells {
    /// Decimal comma (Excel-FR CSV).
    decimal_comma: bool,
    /// Value labels in place of labelled codes (labelled CSV).
    labelled: bool,
    /// Declared missing codes as nulls, with reason columns (analysis CSV, Parquet).
    missing_as_null: bool,
}

fn schema_field<'a>(
    variable: &'a Variable,
    column: ColumnRef<'_>,
    cells: Cells,
) -> SchemaField<'a> {
    let labelled = cells.labelled && !variable.value_labels.is_empty();
    let field_type = match variable.kind {
        _ if labelled => "string",
        VariableKind::Integer => "integer",
        VariableKind::Date => "date",
        VariableKind::Decimal { .. } => "number",
        VariableKind::Text { .. } => "string",
    };
    let missing = variable.sorted_missing_values();
    let missing_values = if missing.is_empty() || cells.missing_as_null {
        Vec::new()
    } else if labelled {
        std::iter::once(String::new())
            .chain(missing.iter().map(|c| {
                variable
                    .value_labels
                    .get(c)
                    .cloned()
                    .unwrap_or(c.to_string())
            }))
            .collect()
    } else {
        std::iter::once(String::new())
            .chain(missing.iter().map(i32::to_string))
            .collect()
    };
    SchemaField {
        name: variable.name.clone(),
        title: variable.label.clone(),
        description: variable.question.as_deref(),
        field_type,
        decimal_char: (field_type == "number" && cells.decimal_comma).then_some(","),
        constraints: if labelled {
            None
        } else {
            allowed_codes(variable, column)
        },
        categories: if labelled {
            Vec::new()
        } else {
            variable
                .value_labels
                .iter()
                .filter(|(c, _)| !(cells.missing_as_null && variable.missing_values.contains(c)))
                .map(|(&value, label)| Category { value, label })
                .collect()
        },
        categories_ordered: (variable.measure == Measure::Ordinal
            && !variable.value_labels.is_empty()
            && !labelled)
            .then_some(true),
        missing_values,
    }
}

/// The text field saying why `variable` is null (« Ne sait pas », « Refus »).
fn reason_field(variable: &Variable, name: String) -> SchemaField<'_> {
    let reasons = variable
        .sorted_missing_values()
        .iter()
        .map(|c| {
            Json::from(
                variable
                    .value_labels
                    .get(c)
                    .cloned()
                    .unwrap_or(c.to_string()),
            )
        })
        .collect();
    SchemaField {
        name,
        title: reason_label(variable),
        description: None,
        field_type: "string",
        decimal_char: None,
        constraints: Some(Constraints { allowed: reasons }),
        categories: Vec::new(),
        categories_ordered: None,
        missing_values: Vec::new(),
    }
}

/// The shortest run of leading columns (at most three) that are never empty and whose values
/// together identify each row: `id_repondant` for a wave, `wave` and `id_repondant` for
/// stacked waves. Empty when there is none.
fn primary_key(dataset: &Dataset) -> Vec<&str> {
    let columns: Vec<(&Variable, ColumnRef<'_>)> = dataset.iter_columns().take(3).collect();
    let cell = |column: &ColumnRef<'_>, row: usize| match column {
        ColumnRef::Numeric(v) => (!v[row].is_nan()).then(|| v[row].to_bits().to_string()),
        ColumnRef::Text(v) => (!v[row].is_empty()).then(|| v[row].clone()),
    };
    for width in 1..=columns.len() {
        let mut seen = std::collections::HashSet::new();
        let unique = (0..dataset.row_count()).all(|row| {
            let key: Option<Vec<String>> =
                columns[..width].iter().map(|(_, c)| cell(c, row)).collect();
            key.is_some_and(|k| seen.insert(k))
        });
        if unique {
            return columns[..width]
                .iter()
                .map(|(v, _)| v.name.as_str())
                .collect();
        }
    }
    Vec::new()
}

fn resource<'a>(dataset: &'a Dataset, file: &'a DataResource, key: &[&'a str]) -> Resource<'a> {
    let (format, mediatype, cells, dialect) = match file.format {
        ResourceFormat::Csv(options) => (
            "csv",
            "text/csv",
            Cells {
                decimal_comma: options.dialect == CsvDialect::ExcelFr,
                labelled: options.labelled,
                missing_as_null: options.missing_as_empty,
            },
            Some(Dialect {
                delimiter: char::from(options.dialect.delimiter()).to_string(),
                line_terminator: "\r\n",
                quote_char: "\"",
                double_quote: true,
                header: true,
            }),
        ),
        ResourceFormat::Parquet => ("parquet", "application/vnd.apache.parquet", NULLS, None),
        ResourceFormat::Sav => ("sav", "application/x-spss-sav", CODES, None),
        ResourceFormat::Dta => ("dta", "application/x-stata-dta", CODES, None),
    };
    let data: Vec<(&Variable, ColumnRef<'_>)> = dataset.iter_columns().collect();
    let fields = if cells.missing_as_null {
        analysis_columns(dataset)
            .into_iter()
            .map(|c| match c {
                AnalysisColumn::Value(i) => schema_field(data[i].0, data[i].1, cells),
                AnalysisColumn::Reason { index, name } => reason_field(data[index].0, name),
            })
            .collect()
    } else {
        data.iter()
            .map(|(v, c)| schema_field(v, *c, cells))
            .collect()
    };
    Resource {
        name: ascii_name(&file.path.replace('.', "-")),
        path: &file.path,
        profile: "tabular-data-resource",
        format,
        mediatype,
        encoding: dialect.as_ref().map(|_| "utf-8"),
        bytes: file.bytes,
        hash: file.sha256.as_ref().map(|h| format!("sha256:{h}")),
        dialect,
        schema: TableSchema {
            fields,
            primary_key: key.to_vec(),
            missing_values: vec![""],
        },
    }
}

/// The `datapackage.json` text (pretty JSON, final newline) describing `files`, each written
/// from `dataset`.
pub fn datapackage_json(dataset: &Dataset, files: &[DataResource]) -> Result<String, WriteError> {
    let info = dataset.info();
    let key = primary_key(dataset);
    let package = Package {
        profile: "tabular-data-package",
        name: ascii_name(&info.name),
        title: &info.title,
        created: info.created.rfc3339(),
        resources: files.iter().map(|f| resource(dataset, f, &key)).collect(),
    };
    Ok(serde_json::to_string_pretty(&package)? + "\n")
}

/// Writes [`datapackage_json`] to `out`.
pub fn write_datapackage<W: Write>(
    dataset: &Dataset,
    files: &[DataResource],
    mut out: W,
) -> Result<(), WriteError> {
    out.write_all(datapackage_json(dataset, files)?.as_bytes())?;
    out.flush()?;
    Ok(())
}
