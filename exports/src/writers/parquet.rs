//! Parquet writer (arrow-rs, Snappy compression).
//!
//! Columns: integer variables as `int64`, decimal variables as `double`, dates as `date32`,
//! strings as `utf8`; system-missing values are nulls, and so are declared missing codes (98,
//! 99): their reason (« Ne sait pas », « Refus ») is in the `utf8` column `<variable>_nr` that
//! follows the variable (see [`super::analysis`]), so that tools compute on valid answers only.
//! Parquet has no standard for survey labels, so they are stored twice:
//! - per field, Arrow field metadata key `survey` holding a JSON object
//!   `{"label", "measure", "value_labels": {"1": "Oui"}, "missing_values": [98, 99],
//!   "role", "question", "filter"}`;
//! - per file, Parquet key-value metadata `survey.title`, `survey.created`,
//!   `survey.variable_labels`, `survey.value_labels`, `survey.missing_values`,
//!   `survey.measures` and `survey.weight_variable` (JSON objects keyed by variable name).
//!
//! Each metadata map holds a single key so that the hash-map order inside Arrow cannot make
//! two writes of the same dataset differ.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::sync::Arc;

use arrow_array::{ArrayRef, Date32Array, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use serde_json::{Value as Json, json};

use super::WriteError;
use super::analysis::{AnalysisColumn, analysis_columns, reason, reason_label};
use crate::dataset::{ColumnRef, Dataset, Role, Variable, VariableKind};

/// Rows per Arrow record batch handed to the Parquet writer.
const BATCH_ROWS: usize = 65_536;

fn value_labels_json(variable: &Variable) -> Json {
    Json::Object(
        variable
            .value_labels
            .iter()
            .map(|(code, label)| (code.to_string(), Json::String(label.clone())))
            .collect(),
    )
}

fn field_metadata(
    variable: &Variable,
    reason_column: Option<&str>,
) -> Result<HashMap<String, String>, WriteError> {
    let mut meta = json!({
        "label": variable.label,
        "measure": variable.measure.as_str(),
        "value_labels": value_labels_json(variable),
        "missing_values": variable.sorted_missing_values(),
        "role": if variable.role == Role::Weight { "weight" } else { "input" },
    });
    if let VariableKind::Decimal { decimals } = variable.kind {
        meta["decimals"] = json!(decimals);
    }
    if let Some(q) = &variable.question {
        meta["question"] = json!(q);
    }
    if let Some(f) = &variable.filter {
        meta["filter"] = json!(f);
    }
    if let Some(column) = reason_column {
        meta["missing_reason_column"] = json!(column);
    }
    Ok(HashMap::from([(
        "survey".to_owned(),
        serde_json::to_string(&meta)?,
    )]))
}

fn file_metadata(dataset: &Dataset) -> Result<Vec<KeyValue>, WriteError> {
    let vars = dataset.variables();
    let by_name = |f: &dyn Fn(&Variable) -> Json| -> BTreeMap<String, Json> {
        vars.iter().map(|v| (v.name.clone(), f(v))).collect()
    };
    let info = dataset.info();
    let mut pairs = vec![
        ("survey.title", info.title.clone()),
        ("survey.created", info.created.rfc3339()),
        (
            "survey.variable_labels",
            serde_json::to_string(&by_name(&|v| json!(v.label)))?,
        ),
        (
            "survey.value_labels",
            serde_json::to_string(&by_name(&value_labels_json))?,
        ),
        (
            "survey.missing_values",
            serde_json::to_string(&by_name(&|v| json!(v.sorted_missing_values())))?,
        ),
        (
            "survey.measures",
            serde_json::to_string(&by_name(&|v| json!(v.measure.as_str())))?,
        ),
    ];
    if let Some(w) = dataset.weight_variable() {
        pairs.push(("survey.weight_variable", w.name.clone()));
    }
    let layout = analysis_columns(dataset);
    let reasons: BTreeMap<&str, &str> = layout
        .iter()
        .filter_map(|c| match c {
            AnalysisColumn::Reason { index, name } => {
                Some((vars[*index].name.as_str(), name.as_str()))
            }
            AnalysisColumn::Value(_) => None,
        })
        .collect();
    pairs.push((
        "survey.missing_reason_columns",
        serde_json::to_string(&reasons)?,
    ));
    Ok(pairs
        .into_iter()
        .map(|(k, v)| KeyValue::new(k.to_owned(), v))
        .collect())
}

/// Writes `dataset` as a Parquet file to `out`.
pub fn write_parquet<W: Write + Send>(dataset: &Dataset, out: W) -> Result<(), WriteError> {
    let layout = analysis_columns(dataset);
    let vars = dataset.variables();
    let reason_of = |index: usize| {
        layout.iter().find_map(|c| match c {
            AnalysisColumn::Reason { index: i, name } if *i == index => Some(name.as_str()),
            _ => None,
        })
    };
    let fields = layout
        .iter()
        .map(|column| match column {
            AnalysisColumn::Value(index) => {
                let v = &vars[*index];
                let data_type = match v.kind {
                    VariableKind::Integer => DataType::Int64,
                    VariableKind::Date => DataType::Date32,
                    VariableKind::Decimal { .. } => DataType::Float64,
                    VariableKind::Text { .. } => DataType::Utf8,
                };
                Ok(Field::new(&v.name, data_type, true)
                    .with_metadata(field_metadata(v, reason_of(*index))?))
            }
            AnalysisColumn::Reason { index, name } => {
                let meta = json!({
                    "label": reason_label(&vars[*index]),
                    "measure": "nominal",
                    "reason_for": vars[*index].name,
                });
                Ok(
                    Field::new(name, DataType::Utf8, true).with_metadata(HashMap::from([(
                        "survey".to_owned(),
                        serde_json::to_string(&meta)?,
                    )])),
                )
            }
        })
        .collect::<Result<Vec<_>, WriteError>>()?;
    let schema = Arc::new(Schema::new(fields));
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_key_value_metadata(Some(file_metadata(dataset)?))
        .build();
    let mut writer = ArrowWriter::try_new(out, schema.clone(), Some(props))?;
    let n = dataset.row_count();
    let columns: Vec<ColumnRef<'_>> = dataset.iter_columns().map(|(_, c)| c).collect();
    for start in (0..n).step_by(BATCH_ROWS) {
        let end = (start + BATCH_ROWS).min(n);
        let arrays: Vec<ArrayRef> = layout
            .iter()
            .map(|planned| match planned {
                AnalysisColumn::Value(index) => {
                    slice_array(&vars[*index], columns[*index], start, end)
                }
                AnalysisColumn::Reason { index, .. } => {
                    reason_array(&vars[*index], columns[*index], start, end)
                }
            })
            .collect();
        writer.write(&RecordBatch::try_new(schema.clone(), arrays)?)?;
    }
    writer.close()?;
    Ok(())
}

/// The reasons of rows `start..end` of a variable with declared missing codes.
fn reason_array(variable: &Variable, column: ColumnRef<'_>, start: usize, end: usize) -> ArrayRef {
    match column {
        ColumnRef::Numeric(values) => Arc::new(StringArray::from_iter(
            values[start..end].iter().map(|&v| reason(variable, v)),
        )),
        ColumnRef::Text(values) => Arc::new(StringArray::from_iter(
            values[start..end].iter().map(|_| None::<String>),
        )),
    }
}

/// Values of rows `start..end`; system-missing values and declared missing codes are nulls.
fn slice_array(variable: &Variable, column: ColumnRef<'_>, start: usize, end: usize) -> ArrayRef {
    let valid = |v: &f64| !v.is_nan() && !variable.is_declared_missing(*v);
    match (variable.kind, column) {
        (_, ColumnRef::Text(values)) => {
            Arc::new(StringArray::from_iter_values(&values[start..end]))
        }
        (VariableKind::Integer, ColumnRef::Numeric(values)) => Arc::new(Int64Array::from_iter(
            // Integer variables hold integral values: the cast is exact within ±2^53.
            values[start..end]
                .iter()
                .map(|v| valid(v).then_some(*v as i64)),
        )),
        (VariableKind::Date, ColumnRef::Numeric(values)) => Arc::new(Date32Array::from_iter(
            // Dates are whole days since 1970-01-01 well within ±2^31 for any real survey.
            values[start..end]
                .iter()
                .map(|v| valid(v).then_some(*v as i32)),
        )),
        (_, ColumnRef::Numeric(values)) => Arc::new(Float64Array::from_iter(
            values[start..end].iter().map(|v| valid(v).then_some(*v)),
        )),
    }
}
