//! Parquet writer (arrow-rs, Snappy compression).
//!
//! Columns: integer variables as `int64`, decimal variables as `double`, strings as `utf8`;
//! system-missing values are nulls, declared missing codes (98, 99) stay as codes.
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

use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use serde_json::{Value as Json, json};

use super::WriteError;
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

fn field_metadata(variable: &Variable) -> Result<HashMap<String, String>, WriteError> {
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
    Ok(pairs
        .into_iter()
        .map(|(k, v)| KeyValue::new(k.to_owned(), v))
        .collect())
}

/// Writes `dataset` as a Parquet file to `out`.
pub fn write_parquet<W: Write + Send>(dataset: &Dataset, out: W) -> Result<(), WriteError> {
    let fields = dataset
        .variables()
        .iter()
        .map(|v| {
            let data_type = match v.kind {
                VariableKind::Integer => DataType::Int64,
                VariableKind::Decimal { .. } => DataType::Float64,
                VariableKind::Text { .. } => DataType::Utf8,
            };
            Ok(Field::new(&v.name, data_type, true).with_metadata(field_metadata(v)?))
        })
        .collect::<Result<Vec<_>, WriteError>>()?;
    let schema = Arc::new(Schema::new(fields));
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_key_value_metadata(Some(file_metadata(dataset)?))
        .build();
    let mut writer = ArrowWriter::try_new(out, schema.clone(), Some(props))?;
    let n = dataset.row_count();
    for start in (0..n).step_by(BATCH_ROWS) {
        let end = (start + BATCH_ROWS).min(n);
        let arrays: Vec<ArrayRef> = dataset
            .iter_columns()
            .map(|(variable, column)| slice_array(variable, column, start, end))
            .collect();
        writer.write(&RecordBatch::try_new(schema.clone(), arrays)?)?;
    }
    writer.close()?;
    Ok(())
}

fn slice_array(variable: &Variable, column: ColumnRef<'_>, start: usize, end: usize) -> ArrayRef {
    match (variable.kind, column) {
        (_, ColumnRef::Text(values)) => {
            Arc::new(StringArray::from_iter_values(&values[start..end]))
        }
        (VariableKind::Integer, ColumnRef::Numeric(values)) => Arc::new(Int64Array::from_iter(
            // Integer variables hold integral values: the cast is exact within ±2^53.
            values[start..end]
                .iter()
                .map(|v| (!v.is_nan()).then_some(*v as i64)),
        )),
        (_, ColumnRef::Numeric(values)) => Arc::new(Float64Array::from_iter(
            values[start..end]
                .iter()
                .map(|v| (!v.is_nan()).then_some(*v)),
        )),
    }
}
