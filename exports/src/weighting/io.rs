//! CSV entry point for `cati weight`: respondents and margins files in, `id,weight` out.
//!
//! Respondents: a header with an `id` column and one column per margin variable (others are
//! ignored). Margins: rows `variable,category,target_total`; a crossed margin is written
//! `a:b` with categories `x:y`. Errors name the file and the 1-based line.

use std::collections::HashMap;
use std::io::{Read, Write};

use super::margins::CROSS_SEPARATOR;
use super::{
    DEFAULT_TOLERANCE, Diagnostics, Margin, Method, Options, Respondents, WeightError, weight,
};

const RESPONDENTS: &str = "respondents";
const MARGINS: &str = "margins";

/// Settings of [`run`].
#[derive(Debug, Clone, PartialEq)]
pub struct RunOptions {
    /// Method.
    pub method: Method,
    /// Column of the respondents file holding design weights, if any.
    pub base_weight: Option<String>,
    /// Column for per-category diagnostics (e.g. `commune`).
    pub group_by: Option<String>,
    /// Largest relative margin error accepted.
    pub tolerance: f64,
    /// Cap on iterations; `None` for the method's default.
    pub max_iterations: Option<usize>,
}

impl RunOptions {
    /// Default settings for a method.
    pub fn new(method: Method) -> Self {
        Self {
            method,
            base_weight: None,
            group_by: None,
            tolerance: DEFAULT_TOLERANCE,
            max_iterations: None,
        }
    }
}

fn csv_error(file: &'static str, line: u64, message: impl Into<String>) -> WeightError {
    WeightError::Csv {
        file,
        line,
        message: message.into(),
    }
}

fn from_csv(file: &'static str, error: &csv::Error) -> WeightError {
    let line = error.position().map_or(0, |p| p.line());
    let message = match error.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("expected {expected_len} fields, found {len}")
        }
        csv::ErrorKind::Utf8 { .. } => "invalid UTF-8".to_owned(),
        _ => error.to_string(),
    };
    csv_error(file, line, message)
}

fn reader<R: Read>(input: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(input)
}

fn header_index(
    file: &'static str,
    headers: &csv::StringRecord,
    name: &str,
) -> Result<usize, WeightError> {
    headers.iter().position(|h| h == name).ok_or_else(|| {
        csv_error(
            file,
            1,
            format!(
                "missing column '{name}' (columns: {})",
                headers.iter().collect::<Vec<_>>().join(", ")
            ),
        )
    })
}

/// Reads a margins file: `variable,category,target_total` rows, grouped by variable in file
/// order.
pub fn read_margins(input: impl Read) -> Result<Vec<Margin>, WeightError> {
    let mut csv = reader(input);
    let headers = csv.headers().map_err(|e| from_csv(MARGINS, &e))?.clone();
    let variable_at = header_index(MARGINS, &headers, "variable")?;
    let category_at = header_index(MARGINS, &headers, "category")?;
    let target_at = header_index(MARGINS, &headers, "target_total")?;
    let mut order: Vec<String> = Vec::new();
    let mut rows: HashMap<String, Vec<(Vec<String>, f64)>> = HashMap::new();
    let mut seen: HashMap<(String, String), u64> = HashMap::new();
    for record in csv.records() {
        let record = record.map_err(|e| from_csv(MARGINS, &e))?;
        let line = record.position().map_or(0, |p| p.line());
        let field = |i: usize| record.get(i).unwrap_or_default();
        let (variable, category, target) =
            (field(variable_at), field(category_at), field(target_at));
        let variables: Vec<&str> = variable.split(CROSS_SEPARATOR).collect();
        if variables.iter().any(|v| v.is_empty()) {
            return Err(csv_error(
                MARGINS,
                line,
                format!("invalid variable name '{variable}'"),
            ));
        }
        let parts: Vec<String> = category.split(CROSS_SEPARATOR).map(str::to_owned).collect();
        if parts.len() != variables.len() {
            return Err(csv_error(
                MARGINS,
                line,
                format!(
                    "category '{category}' has {} part(s) but margin '{variable}' crosses {} variable(s)",
                    parts.len(),
                    variables.len()
                ),
            ));
        }
        let total: f64 = target.parse().map_err(|_| {
            csv_error(
                MARGINS,
                line,
                format!("target_total '{target}' is not a number (use '.' for decimals)"),
            )
        })?;
        if !(total.is_finite() && total >= 0.0) {
            return Err(csv_error(
                MARGINS,
                line,
                format!("target_total {total} must be finite and >= 0"),
            ));
        }
        if let Some(first) = seen.insert((variable.to_owned(), category.to_owned()), line) {
            return Err(csv_error(
                MARGINS,
                line,
                format!(
                    "category '{category}' of margin '{variable}' already given at line {first}"
                ),
            ));
        }
        if !rows.contains_key(variable) {
            order.push(variable.to_owned());
        }
        rows.entry(variable.to_owned())
            .or_default()
            .push((parts, total));
    }
    if order.is_empty() {
        return Err(csv_error(MARGINS, 1, "no margin rows"));
    }
    Ok(order
        .into_iter()
        .map(|name| {
            let variables = name.split(CROSS_SEPARATOR).map(str::to_owned).collect();
            let targets = rows.remove(&name).unwrap_or_default();
            Margin::crossed(variables, targets)
        })
        .collect())
}

/// Reads the respondents file, keeping the `id` column, the given variables and the base weight
/// column. Returns the respondents (with ids set) and the ids.
pub fn read_respondents(
    input: impl Read,
    variables: &[String],
    base_weight: Option<&str>,
) -> Result<(Respondents, Vec<String>), WeightError> {
    let mut csv = reader(input);
    let headers = csv
        .headers()
        .map_err(|e| from_csv(RESPONDENTS, &e))?
        .clone();
    let id_at = header_index(RESPONDENTS, &headers, "id")?;
    let columns: Vec<usize> = variables
        .iter()
        .map(|v| header_index(RESPONDENTS, &headers, v))
        .collect::<Result<_, _>>()?;
    let weight_at = base_weight
        .map(|b| header_index(RESPONDENTS, &headers, b))
        .transpose()?;
    let mut ids = Vec::new();
    let mut id_lines: HashMap<String, u64> = HashMap::new();
    let mut dictionaries: Vec<HashMap<String, u32>> = vec![HashMap::new(); variables.len()];
    let mut categories: Vec<Vec<String>> = vec![Vec::new(); variables.len()];
    let mut codes: Vec<Vec<u32>> = vec![Vec::new(); variables.len()];
    let mut weights = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match csv.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(from_csv(RESPONDENTS, &e)),
        }
        let line = record.position().map_or(0, |p| p.line());
        let id = record.get(id_at).unwrap_or_default();
        if id.is_empty() {
            return Err(csv_error(RESPONDENTS, line, "empty id"));
        }
        if let Some(first) = id_lines.insert(id.to_owned(), line) {
            return Err(csv_error(
                RESPONDENTS,
                line,
                format!("id '{id}' already used at line {first}"),
            ));
        }
        ids.push(id.to_owned());
        for (v, &at) in columns.iter().enumerate() {
            let value = record.get(at).unwrap_or_default();
            if value.is_empty() {
                return Err(csv_error(
                    RESPONDENTS,
                    line,
                    format!(
                        "empty value for weighting variable '{}' (respondent '{id}')",
                        variables[v]
                    ),
                ));
            }
            let code = match dictionaries[v].get(value) {
                Some(&code) => code,
                None => {
                    let code = categories[v].len() as u32;
                    categories[v].push(value.to_owned());
                    dictionaries[v].insert(value.to_owned(), code);
                    code
                }
            };
            codes[v].push(code);
        }
        if let (Some(at), Some(name)) = (weight_at, base_weight) {
            let text = record.get(at).unwrap_or_default();
            let value: f64 = text.parse().map_err(|_| {
                csv_error(
                    RESPONDENTS,
                    line,
                    format!("base weight '{name}' = '{text}' is not a number"),
                )
            })?;
            if !(value.is_finite() && value > 0.0) {
                return Err(csv_error(
                    RESPONDENTS,
                    line,
                    format!("base weight '{name}' = {value} must be finite and > 0"),
                ));
            }
            weights.push(value);
        }
    }
    let mut respondents = Respondents::new(ids.len());
    for ((name, categories), codes) in variables.iter().zip(categories).zip(codes) {
        respondents.add_coded_variable(name, categories, codes)?;
    }
    if weight_at.is_some() {
        respondents.set_base_weights(weights)?;
    }
    respondents.set_ids(ids.clone())?;
    Ok((respondents, ids))
}

/// Weights the respondents of a CSV file to the margins of another: `(id, weight)` pairs in
/// file order, and diagnostics.
pub fn run(
    respondents: impl Read,
    margins: impl Read,
    options: &RunOptions,
) -> Result<(Vec<(String, f64)>, Diagnostics), WeightError> {
    let margins = read_margins(margins)?;
    let mut variables: Vec<String> = Vec::new();
    for variable in margins
        .iter()
        .flat_map(|m| m.variables())
        .chain(options.group_by.as_ref())
    {
        if !variables.contains(variable) {
            variables.push(variable.clone());
        }
    }
    let (respondents, ids) =
        read_respondents(respondents, &variables, options.base_weight.as_deref())?;
    let settings = Options {
        method: options.method,
        tolerance: options.tolerance,
        max_iterations: options.max_iterations,
        group_by: options.group_by.clone(),
    };
    let weighting = weight(&respondents, &margins, &settings)?;
    Ok((
        ids.into_iter().zip(weighting.weights).collect(),
        weighting.diagnostics,
    ))
}

/// Writes `id,weight` rows (weights with full precision).
pub fn write_weights(output: impl Write, weights: &[(String, f64)]) -> Result<(), WeightError> {
    let mut csv = csv::Writer::from_writer(output);
    let fail = |e: csv::Error| WeightError::Write(e.to_string());
    csv.write_record(["id", "weight"]).map_err(fail)?;
    for (id, weight) in weights {
        csv.write_record([id.as_str(), &weight.to_string()])
            .map_err(fail)?;
    }
    csv.flush().map_err(|e| WeightError::Write(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn respondents_missing_a_margin_column_is_reported_on_the_header_line() {
        let error = read_respondents("id,sexe\n1,F\n".as_bytes(), &["age".to_owned()], None)
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            error.as_deref(),
            Some("respondents, line 1: missing column 'age' (columns: id, sexe)")
        );
    }

    #[test]
    fn non_numeric_target_names_its_line() {
        let error =
            read_margins("variable,category,target_total\nsexe,F,10\nsexe,H,dix\n".as_bytes())
                .err()
                .map(|e| e.to_string());
        assert_eq!(
            error.as_deref(),
            Some("margins, line 3: target_total 'dix' is not a number (use '.' for decimals)")
        );
    }
}
