//! CSV entry point for `cati weight`: respondents and margins files in, `id,weight` out.
//!
//! Respondents: a header with an `id` column and one column per margin variable (others are
//! ignored). Margins: rows `variable,category,target_total`; a crossed margin is written
//! `a:b` with categories `x:y`. Columns are separated by commas, or by semicolons or tabs
//! when the header line says so (a file saved by a French Excel): decimals may then be written
//! with a comma. Errors, in French, name the file and the 1-based line.

use std::collections::HashMap;
use std::io::{Read, Write};

use super::margins::CROSS_SEPARATOR;
use super::{
    DEFAULT_TOLERANCE, Diagnostics, MARGINS_FILE as MARGINS, Margin, Method, Options,
    RESPONDENTS_FILE as RESPONDENTS, Respondents, WeightError, weight,
};

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

/// Told when a file is not UTF-8: what French Excel writes by default.
const NOT_UTF8: &str = "le fichier n'est pas en UTF-8 (Excel l'enregistre souvent en Windows-1252) : \
                        enregistrez-le au format « CSV UTF-8 »";

fn from_csv(file: &'static str, separator: u8, error: &csv::Error) -> WeightError {
    let line = error.position().map_or(0, |p| p.line());
    let message = match error.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            let mut text =
                format!("la ligne a {len} champ(s) alors que l'en-tête en a {expected_len}");
            if separator == b',' && *len > *expected_len {
                text.push_str(
                    " ; une virgule dans une valeur ? Mettez la valeur entre guillemets, \
                     écrivez les décimales avec un point (12.5) ou séparez les colonnes par des \
                     points-virgules",
                );
            }
            text
        }
        csv::ErrorKind::Utf8 { .. } => NOT_UTF8.to_owned(),
        csv::ErrorKind::Io(e) => format!("lecture impossible : {e}"),
        _ => format!("CSV illisible : {error}"),
    };
    csv_error(file, line, message)
}

/// A CSV file read whole, with its column separator: `,`, or `;` or a tab when the header line
/// has more of those than commas (a file saved by a French Excel, or copied from a
/// spreadsheet). The UTF-8 byte order mark Excel writes is dropped.
struct Text {
    bytes: Vec<u8>,
    separator: u8,
}

impl Text {
    fn read(file: &'static str, mut input: impl Read) -> Result<Self, WeightError> {
        let mut bytes = Vec::new();
        input
            .read_to_end(&mut bytes)
            .map_err(|e| csv_error(file, 0, format!("lecture impossible : {e}")))?;
        if bytes.starts_with(b"\xEF\xBB\xBF") {
            bytes.drain(..3);
        }
        let separator = detect_separator(&bytes);
        Ok(Self { bytes, separator })
    }

    fn reader(&self) -> csv::Reader<&[u8]> {
        csv::ReaderBuilder::new()
            .delimiter(self.separator)
            .trim(csv::Trim::All)
            .from_reader(&self.bytes[..])
    }

    /// A number as written in the file: with a decimal point, or, when the columns are not
    /// separated by commas, a decimal comma and spaces between thousands (`12 345,5`).
    fn number(&self, text: &str) -> Option<f64> {
        if self.separator != b',' && !text.contains('.') {
            let digits: String = text
                .chars()
                .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
                .map(|c| if c == ',' { '.' } else { c })
                .collect();
            digits.parse().ok()
        } else {
            text.parse().ok()
        }
    }

    /// How decimals must be written, for messages.
    fn decimals(&self) -> &'static str {
        if self.separator == b',' {
            "décimales avec un point : 12.5"
        } else {
            "décimales avec un point ou une virgule : 12.5 ou 12,5 ; espaces admises entre les milliers"
        }
    }
}

/// The separator of a CSV file from its header line: the most frequent of `,`, `;` and tab
/// outside quotes, `,` on a tie or when there is none.
fn detect_separator(bytes: &[u8]) -> u8 {
    let header = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &byte in header {
        match byte {
            b'"' => quoted = !quoted,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let [commas, semicolons, tabs] = counts;
    if semicolons > commas && semicolons >= tabs {
        b';'
    } else if tabs > commas && tabs > semicolons {
        b'\t'
    } else {
        b','
    }
}

fn read_headers(
    file: &'static str,
    text: &Text,
    csv: &mut csv::Reader<&[u8]>,
    expected: &str,
) -> Result<csv::StringRecord, WeightError> {
    let headers = csv
        .headers()
        .map_err(|e| from_csv(file, text.separator, &e))?
        .clone();
    if headers.iter().all(str::is_empty) {
        return Err(csv_error(file, 1, format!("fichier vide ; {expected}")));
    }
    Ok(headers)
}

fn header_index(
    file: &'static str,
    headers: &csv::StringRecord,
    name: &str,
    expected: &str,
) -> Result<usize, WeightError> {
    headers.iter().position(|h| h == name).ok_or_else(|| {
        let found = headers
            .iter()
            .map(|h| format!("« {h} »"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut message = format!("colonne « {name} » absente ; {expected}");
        if headers.len() == 1 {
            message.push_str(&format!(
                " ; l'en-tête ne forme qu'une seule colonne, {found} : séparez les colonnes par \
                 des virgules (ou des points-virgules, reconnus aussi)"
            ));
        } else {
            message.push_str(&format!(" (colonnes trouvées : {found})"));
        }
        csv_error(file, 1, message)
    })
}

/// The margins file's header, for messages.
const MARGINS_HEADER: &str = "en-tête attendu : variable,category,target_total";

/// Reads a margins file: `variable,category,target_total` rows, grouped by variable in file
/// order. Columns are separated by commas, or by semicolons or tabs (detected from the header;
/// decimals may then use a comma).
pub fn read_margins(input: impl Read) -> Result<Vec<Margin>, WeightError> {
    let text = Text::read(MARGINS, input)?;
    let mut csv = text.reader();
    let headers = read_headers(MARGINS, &text, &mut csv, MARGINS_HEADER)?;
    let variable_at = header_index(MARGINS, &headers, "variable", MARGINS_HEADER)?;
    let category_at = header_index(MARGINS, &headers, "category", MARGINS_HEADER)?;
    let target_at = header_index(MARGINS, &headers, "target_total", MARGINS_HEADER)?;
    let mut order: Vec<String> = Vec::new();
    let mut rows: HashMap<String, Vec<(Vec<String>, f64)>> = HashMap::new();
    let mut seen: HashMap<(String, String), u64> = HashMap::new();
    for record in csv.records() {
        let record = record.map_err(|e| from_csv(MARGINS, text.separator, &e))?;
        let line = record.position().map_or(0, |p| p.line());
        let field = |i: usize| record.get(i).unwrap_or_default();
        let (variable, category, target) =
            (field(variable_at), field(category_at), field(target_at));
        let variables: Vec<&str> = variable.split(CROSS_SEPARATOR).collect();
        if variables.iter().any(|v| v.is_empty()) {
            return Err(csv_error(
                MARGINS,
                line,
                format!(
                    "nom de variable invalide « {variable} » (une variable, ou des variables \
                     croisées séparées par « : », comme commune:sexe)"
                ),
            ));
        }
        let parts: Vec<String> = category.split(CROSS_SEPARATOR).map(str::to_owned).collect();
        if parts.len() != variables.len() {
            return Err(csv_error(
                MARGINS,
                line,
                format!(
                    "la modalité « {category} » a {} partie(s) mais la marge « {variable} » croise \
                     {} variable(s) : écrivez une partie par variable, séparées par « : »",
                    parts.len(),
                    variables.len()
                ),
            ));
        }
        let total = text.number(target).ok_or_else(|| {
            csv_error(
                MARGINS,
                line,
                format!(
                    "la cible target_total « {target} » n'est pas un nombre ({})",
                    text.decimals()
                ),
            )
        })?;
        if !(total.is_finite() && total >= 0.0) {
            return Err(csv_error(
                MARGINS,
                line,
                format!(
                    "la cible target_total vaut {total} : elle doit être finie, positive ou nulle"
                ),
            ));
        }
        if let Some(first) = seen.insert((variable.to_owned(), category.to_owned()), line) {
            return Err(csv_error(
                MARGINS,
                line,
                format!(
                    "la modalité « {category} » de la marge « {variable} » est déjà donnée \
                     ligne {first}"
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
        return Err(csv_error(MARGINS, 1, "aucune marge après l'en-tête"));
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
/// column. Returns the respondents (with ids set) and the ids. Separators as in
/// [`read_margins`].
pub fn read_respondents(
    input: impl Read,
    variables: &[String],
    base_weight: Option<&str>,
) -> Result<(Respondents, Vec<String>), WeightError> {
    let text = Text::read(RESPONDENTS, input)?;
    let mut csv = text.reader();
    let expected = std::iter::once("id")
        .chain(variables.iter().map(String::as_str))
        .chain(base_weight)
        .collect::<Vec<_>>()
        .join(", ");
    let expected = format!("colonnes attendues : {expected}");
    let headers = read_headers(RESPONDENTS, &text, &mut csv, &expected)?;
    let id_at = header_index(RESPONDENTS, &headers, "id", &expected)?;
    let columns: Vec<usize> = variables
        .iter()
        .map(|v| header_index(RESPONDENTS, &headers, v, &expected))
        .collect::<Result<_, _>>()?;
    let weight_at = base_weight
        .map(|b| header_index(RESPONDENTS, &headers, b, &expected))
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
            Err(e) => return Err(from_csv(RESPONDENTS, text.separator, &e)),
        }
        let line = record.position().map_or(0, |p| p.line());
        let id = record.get(id_at).unwrap_or_default();
        if id.is_empty() {
            return Err(csv_error(
                RESPONDENTS,
                line,
                "identifiant (colonne « id ») vide",
            ));
        }
        if let Some(first) = id_lines.insert(id.to_owned(), line) {
            return Err(csv_error(
                RESPONDENTS,
                line,
                format!("identifiant « {id} » déjà utilisé ligne {first}"),
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
                        "valeur vide pour la variable de pondération « {} » (répondant « {id} »)",
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
            let written = record.get(at).unwrap_or_default();
            let value = text.number(written).ok_or_else(|| {
                csv_error(
                    RESPONDENTS,
                    line,
                    format!(
                        "le poids initial (colonne « {name} ») « {written} » n'est pas un nombre \
                         ({})",
                        text.decimals()
                    ),
                )
            })?;
            if !(value.is_finite() && value > 0.0) {
                return Err(csv_error(
                    RESPONDENTS,
                    line,
                    format!(
                        "le poids initial (colonne « {name} ») vaut {value} : il doit être fini \
                         et strictement positif"
                    ),
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

    fn margins_error(text: &str) -> String {
        read_margins(text.as_bytes()).unwrap_err().to_string()
    }

    #[test]
    fn respondents_missing_a_margin_column_is_reported_on_the_header_line() {
        let error = read_respondents("id,sexe\n1,F\n".as_bytes(), &["age".to_owned()], None)
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            error.as_deref(),
            Some(
                "fichier des répondants, ligne 1 : colonne « age » absente ; colonnes attendues : \
                 id, age (colonnes trouvées : « id », « sexe »)"
            )
        );
    }

    #[test]
    fn non_numeric_target_names_its_line() {
        assert_eq!(
            margins_error("variable,category,target_total\nsexe,F,10\nsexe,H,dix\n"),
            "fichier des marges, ligne 3 : la cible target_total « dix » n'est pas un nombre \
             (décimales avec un point : 12.5)"
        );
    }

    #[test]
    fn the_separator_is_the_header_s_most_frequent_one() {
        assert_eq!(
            detect_separator(b"variable,category,target_total\nx;y;z"),
            b','
        );
        assert_eq!(detect_separator(b"variable;category;target_total\n"), b';');
        assert_eq!(detect_separator(b"variable\tcategory\ttarget_total"), b'\t');
        assert_eq!(detect_separator(b"\"a;b\",c\n"), b',', "quoted ; are data");
        assert_eq!(detect_separator(b"id"), b',');
        assert_eq!(detect_separator(b""), b',');
    }

    #[test]
    fn a_semicolon_file_from_a_french_excel_is_read_with_decimal_commas() {
        let margins = read_margins(
            "\u{feff}variable;category;target_total\r\nsexe;F;12 345,5\r\nsexe;H;10\u{a0}000\r\n"
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(margins.len(), 1);
        assert_eq!(
            margins[0].targets(),
            &[
                (vec!["F".to_owned()], 12345.5),
                (vec!["H".to_owned()], 10000.0)
            ]
        );
        let (respondents, ids) = read_respondents(
            "id\tsexe\tpoids\nr1\tF\t1,5\nr2\tH\t2\n".as_bytes(),
            &["sexe".to_owned()],
            Some("poids"),
        )
        .unwrap();
        assert_eq!(ids, ["r1", "r2"]);
        assert_eq!(respondents.base_weights(), Some(&[1.5, 2.0][..]));
    }

    #[test]
    fn a_comma_file_keeps_the_decimal_point() {
        assert_eq!(
            margins_error("variable,category,target_total\nsexe,F,\"12,5\"\n"),
            "fichier des marges, ligne 2 : la cible target_total « 12,5 » n'est pas un nombre \
             (décimales avec un point : 12.5)"
        );
        let error = margins_error("variable,category,target_total\nsexe,F,12,5\n");
        assert!(
            error.starts_with(
                "fichier des marges, ligne 2 : la ligne a 4 champ(s) alors que l'en-tête en a 3 ; \
                 une virgule dans une valeur ?"
            ),
            "{error}"
        );
    }

    #[test]
    fn a_header_read_as_one_column_says_how_to_separate_columns() {
        let error = margins_error("\"variable;category;target_total\"\nsexe;F;10\n");
        assert!(
            error.starts_with(
                "fichier des marges, ligne 1 : colonne « variable » absente ; en-tête attendu : \
                 variable,category,target_total ; l'en-tête ne forme qu'une seule colonne, \
                 « variable;category;target_total » : séparez les colonnes par des virgules"
            ),
            "{error}"
        );
    }

    #[test]
    fn an_empty_or_windows_1252_file_is_explained() {
        assert_eq!(
            margins_error(""),
            "fichier des marges, ligne 1 : fichier vide ; en-tête attendu : \
             variable,category,target_total"
        );
        let error = read_margins(&b"variable;category;target_total\nsexe;F\xe9minin;10\n"[..])
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("fichier des marges, ligne 2 : le fichier n'est pas en UTF-8")
                && error.ends_with("enregistrez-le au format « CSV UTF-8 »"),
            "{error}"
        );
    }
}
