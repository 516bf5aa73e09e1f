//! Stata `.dta` writer, release 118 (Stata 14 and later, UTF-8), following Stata's
//! `help dta`: header, map, variable types, names, sort list, formats, value-label names,
//! variable labels, characteristics, data, strLs and value labels.
//!
//! Declared missing codes (e.g. 98 don't know, 99 refused) are written as Stata extended
//! missing values: the smallest declared code becomes `.a`, the next `.b`, then `.c`; their
//! value labels are attached to `.a`/`.b`/`.c`, so `tab q, missing` still shows "Ne sait pas",
//! while means and regressions exclude them as Stata users expect. The code mapping is kept in
//! the characteristic `varname[cati_missing]` (e.g. `98=.a 99=.b`).
//!
//! Dates are `long` days since 1960-01-01 with the `%td` format. Labels longer than Stata
//! shows (80 characters, for the dataset and each variable) are cut at a word boundary with
//! `…`; the other formats and the codebook keep them whole.

use std::io::Write;

use super::{WriteError, truncate_utf8};
use crate::dataset::{
    ColumnRef, Dataset, MAX_VARIABLE_LABEL_CHARS, STATA_EPOCH_OFFSET_DAYS, Variable, VariableKind,
    shorten,
};

/// Stata storage types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StataType {
    Byte,
    Int,
    Long,
    Double,
    Str(usize),
    StrL,
}

impl StataType {
    fn code(self) -> u16 {
        match self {
            // Str widths are 1..=2045.
            StataType::Str(width) => width as u16,
            StataType::StrL => 32768,
            StataType::Double => 65526,
            StataType::Long => 65528,
            StataType::Int => 65529,
            StataType::Byte => 65530,
        }
    }

    fn width(self) -> usize {
        match self {
            StataType::Byte => 1,
            StataType::Int => 2,
            StataType::Long => 4,
            StataType::Double | StataType::StrL => 8,
            StataType::Str(width) => width,
        }
    }
}

/// Widest fixed string (`str2045`); longer strings are stored as strL.
const MAX_STRF: usize = 2045;
const MAX_VARIABLES: usize = 32767;
/// Longest dataset label Stata shows (characters).
const MAX_TITLE_CHARS: usize = 80;
/// Long-type code of `.a` (value-label tables store extended missing values this way).
const LONG_MISSING_A: i64 = 2_147_483_622;
const DOUBLE_MISSING: u64 = 0x7fe0_0000_0000_0000;

struct Plan<'a> {
    variable: &'a Variable,
    column: ColumnRef<'a>,
    stata_type: StataType,
    /// Declared missing codes in ascending order: index k is written as `.a` + k.
    missing: Vec<i32>,
}

fn plan<'a>(variable: &'a Variable, column: ColumnRef<'a>) -> Plan<'a> {
    let missing = variable.sorted_missing_values();
    let stata_type = match (variable.kind, column) {
        (_, ColumnRef::Text(values)) => {
            let longest = values.iter().map(String::len).max().unwrap_or(0).max(1);
            if longest > MAX_STRF {
                StataType::StrL
            } else {
                StataType::Str(longest)
            }
        }
        (VariableKind::Integer, ColumnRef::Numeric(values)) => {
            let valid = values
                .iter()
                .filter(|v| !v.is_nan() && !variable.is_declared_missing(**v));
            let (lo, hi) = valid.fold((0.0f64, 0.0f64), |(lo, hi), &v| (lo.min(v), hi.max(v)));
            if lo >= -127.0 && hi <= 100.0 {
                StataType::Byte
            } else if lo >= -32767.0 && hi <= 32740.0 {
                StataType::Int
            } else if lo >= -2_147_483_647.0 && hi <= 2_147_483_620.0 {
                StataType::Long
            } else {
                StataType::Double
            }
        }
        // Days since 1960-01-01 of any date from year -5,000,000 to 5,000,000 fit a long.
        (VariableKind::Date, _) => StataType::Long,
        _ => StataType::Double,
    };
    Plan {
        variable,
        column,
        stata_type,
        missing,
    }
}

fn display_format(plan: &Plan<'_>) -> String {
    match (plan.stata_type, plan.variable.kind) {
        (_, VariableKind::Date) => "%td".into(),
        (StataType::Byte | StataType::Int, _) => "%8.0g".into(),
        (StataType::Long, _) => "%12.0g".into(),
        (StataType::Double, VariableKind::Decimal { decimals }) if decimals > 0 => {
            format!("%{}.{decimals}f", (usize::from(decimals) + 7).max(10))
        }
        (StataType::Double, _) => "%10.0g".into(),
        (StataType::Str(width), _) => format!("%-{width}s"),
        (StataType::StrL, _) => "%-9s".into(),
    }
}

/// Writes `text` NUL-padded in a field of `len` bytes (always leaving a terminating NUL).
fn put_fixed(buf: &mut Vec<u8>, text: &str, len: usize) {
    let text = truncate_utf8(text, len - 1);
    buf.extend_from_slice(text.as_bytes());
    buf.resize(buf.len() + len - text.len(), 0);
}

fn section(buf: &mut Vec<u8>, positions: &mut Vec<u64>, tag: &str) {
    positions.push(buf.len() as u64);
    buf.extend_from_slice(format!("<{tag}>").as_bytes());
}

fn end(buf: &mut Vec<u8>, tag: &str) {
    buf.extend_from_slice(format!("</{tag}>").as_bytes());
}

/// Writes `dataset` as a Stata 118 `.dta` file to `out`.
pub fn write_dta<W: Write>(dataset: &Dataset, mut out: W) -> Result<(), WriteError> {
    let k = dataset.variables().len();
    if k > MAX_VARIABLES {
        return Err(WriteError::FormatLimit {
            format: "Stata",
            reason: format!("{k} variables, at most {MAX_VARIABLES}"),
        });
    }
    let plans: Vec<Plan<'_>> = dataset
        .iter_columns()
        .map(|(variable, column)| plan(variable, column))
        .collect();
    for p in &plans {
        if let Some(code) = p
            .variable
            .value_labels
            .keys()
            .find(|c| !p.missing.contains(c) && **c > 2_147_483_620)
        {
            return Err(WriteError::FormatLimit {
                format: "Stata",
                reason: format!(
                    "value label code {code} of `{}` is in Stata's missing-value range",
                    p.variable.name
                ),
            });
        }
    }
    let info = dataset.info();
    let n = dataset.row_count();
    let mut head = Vec::new();
    let mut positions = vec![0u64];
    head.extend_from_slice(
        b"<stata_dta><header><release>118</release><byteorder>LSF</byteorder><K>",
    );
    head.extend_from_slice(&(k as u16).to_le_bytes());
    head.extend_from_slice(b"</K><N>");
    head.extend_from_slice(&(n as u64).to_le_bytes());
    head.extend_from_slice(b"</N><label>");
    let title = shorten(&info.title, MAX_TITLE_CHARS, 320);
    head.extend_from_slice(&(title.len() as u16).to_le_bytes());
    head.extend_from_slice(title.as_bytes());
    head.extend_from_slice(b"</label><timestamp>");
    let stamp = info.created.stata_stamp();
    head.push(stamp.len() as u8);
    head.extend_from_slice(stamp.as_bytes());
    head.extend_from_slice(b"</timestamp></header>");
    section(&mut head, &mut positions, "map");
    let map_values_at = head.len();
    head.resize(head.len() + 14 * 8, 0);
    end(&mut head, "map");

    section(&mut head, &mut positions, "variable_types");
    for p in &plans {
        head.extend_from_slice(&p.stata_type.code().to_le_bytes());
    }
    end(&mut head, "variable_types");
    section(&mut head, &mut positions, "varnames");
    for p in &plans {
        put_fixed(&mut head, &p.variable.name, 129);
    }
    end(&mut head, "varnames");
    section(&mut head, &mut positions, "sortlist");
    head.resize(head.len() + 2 * (k + 1), 0);
    end(&mut head, "sortlist");
    section(&mut head, &mut positions, "formats");
    for p in &plans {
        put_fixed(&mut head, &display_format(p), 57);
    }
    end(&mut head, "formats");
    section(&mut head, &mut positions, "value_label_names");
    for p in &plans {
        let name = if p.variable.value_labels.is_empty() {
            ""
        } else {
            &p.variable.name
        };
        put_fixed(&mut head, name, 129);
    }
    end(&mut head, "value_label_names");
    section(&mut head, &mut positions, "variable_labels");
    for p in &plans {
        put_fixed(
            &mut head,
            &shorten(&p.variable.label, MAX_VARIABLE_LABEL_CHARS, 320),
            321,
        );
    }
    end(&mut head, "variable_labels");
    section(&mut head, &mut positions, "characteristics");
    write_characteristics(&mut head, dataset, &plans);
    end(&mut head, "characteristics");

    let row_width: usize = plans.iter().map(|p| p.stata_type.width()).sum();
    let data_start = head.len() as u64;
    positions.push(data_start);
    let data_len = (6 + n * row_width + 7) as u64;

    let mut tail = Vec::new();
    positions.push(data_start + data_len);
    tail.extend_from_slice(b"<strls>");
    write_strls(&mut tail, &plans, n);
    end(&mut tail, "strls");
    positions.push(data_start + data_len + tail.len() as u64);
    tail.extend_from_slice(b"<value_labels>");
    write_value_labels(&mut tail, &plans);
    end(&mut tail, "value_labels");
    positions.push(data_start + data_len + tail.len() as u64);
    end(&mut tail, "stata_dta");
    positions.push(data_start + data_len + tail.len() as u64);

    for (i, pos) in positions.iter().enumerate() {
        head[map_values_at + 8 * i..map_values_at + 8 * i + 8].copy_from_slice(&pos.to_le_bytes());
    }
    out.write_all(&head)?;
    out.write_all(b"<data>")?;
    write_data(&mut out, &plans, n, row_width)?;
    out.write_all(b"</data>")?;
    out.write_all(&tail)?;
    out.flush()?;
    Ok(())
}

fn characteristic(buf: &mut Vec<u8>, owner: &str, name: &str, contents: &str) {
    let contents = truncate_utf8(contents, 67_783);
    buf.extend_from_slice(b"<ch>");
    buf.extend_from_slice(&((129 + 129 + contents.len() + 1) as u32).to_le_bytes());
    put_fixed(buf, owner, 129);
    put_fixed(buf, name, 129);
    buf.extend_from_slice(contents.as_bytes());
    buf.push(0);
    buf.extend_from_slice(b"</ch>");
}

fn write_characteristics(buf: &mut Vec<u8>, dataset: &Dataset, plans: &[Plan<'_>]) {
    let notes = &dataset.info().notes;
    if !notes.is_empty() {
        characteristic(buf, "_dta", "note0", &notes.len().to_string());
        for (i, note) in notes.iter().enumerate() {
            characteristic(buf, "_dta", &format!("note{}", i + 1), note);
        }
    }
    for p in plans.iter().filter(|p| !p.missing.is_empty()) {
        let mapping: Vec<String> = p
            .missing
            .iter()
            .enumerate()
            .map(|(k, code)| format!("{code}=.{}", char::from(b'a' + k as u8)))
            .collect();
        characteristic(buf, &p.variable.name, "cati_missing", &mapping.join(" "));
    }
}

/// Missing-value letter index (0 for `.a`) of `value`, or `None` when it is not declared.
fn missing_index(plan: &Plan<'_>, value: f64) -> Option<usize> {
    plan.missing.iter().position(|&m| f64::from(m) == value)
}

fn write_data<W: Write>(
    out: &mut W,
    plans: &[Plan<'_>],
    n: usize,
    row_width: usize,
) -> Result<(), WriteError> {
    const CHUNK: usize = 1 << 20;
    let mut buf = Vec::with_capacity(CHUNK + row_width);
    for row in 0..n {
        for (v, p) in plans.iter().enumerate() {
            match p.column {
                ColumnRef::Numeric(values) => {
                    let value = if p.variable.kind == VariableKind::Date {
                        values[row] + STATA_EPOCH_OFFSET_DAYS as f64
                    } else {
                        values[row]
                    };
                    // Extended missing: None = system-missing `.`, Some(k) = `.a` + k.
                    let missing = if value.is_nan() {
                        Some(None)
                    } else {
                        missing_index(p, value).map(Some)
                    };
                    put_numeric(&mut buf, p.stata_type, value, missing);
                }
                ColumnRef::Text(values) => {
                    let text = values[row].as_bytes();
                    match p.stata_type {
                        StataType::StrL if text.is_empty() => buf.extend_from_slice(&[0; 8]),
                        StataType::StrL => {
                            // (v, o): 2-byte variable number, 6-byte observation number.
                            let vo = (v as u64 + 1) | ((row as u64 + 1) << 16);
                            buf.extend_from_slice(&vo.to_le_bytes());
                        }
                        _ => {
                            let width = p.stata_type.width();
                            buf.extend_from_slice(text);
                            buf.resize(buf.len() + width - text.len(), 0);
                        }
                    }
                }
            }
        }
        if buf.len() >= CHUNK {
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    out.write_all(&buf)?;
    Ok(())
}

/// `missing`: `None` for a valid value, `Some(None)` for `.`, `Some(Some(k))` for `.a` + k.
fn put_numeric(
    buf: &mut Vec<u8>,
    stata_type: StataType,
    value: f64,
    missing: Option<Option<usize>>,
) {
    let offset = |k: Option<usize>| k.map_or(0, |k| k + 1);
    // Casts below are exact: `plan` chose a type whose range holds every valid value, and
    // at most three extended missing letters are used.
    match (stata_type, missing) {
        (StataType::Byte, None) => buf.push(value as i8 as u8),
        (StataType::Byte, Some(k)) => buf.push(101 + offset(k) as u8),
        (StataType::Int, None) => buf.extend_from_slice(&(value as i16).to_le_bytes()),
        (StataType::Int, Some(k)) => {
            buf.extend_from_slice(&(32741 + offset(k) as i16).to_le_bytes());
        }
        (StataType::Long, None) => buf.extend_from_slice(&(value as i32).to_le_bytes()),
        (StataType::Long, Some(k)) => {
            buf.extend_from_slice(&(2_147_483_621 + offset(k) as i32).to_le_bytes());
        }
        (_, None) => buf.extend_from_slice(&value.to_le_bytes()),
        (_, Some(k)) => {
            let bits = DOUBLE_MISSING + ((offset(k) as u64) << 40);
            buf.extend_from_slice(&bits.to_le_bytes());
        }
    }
}

fn write_strls(buf: &mut Vec<u8>, plans: &[Plan<'_>], n: usize) {
    let strl: Vec<(usize, &[String])> = plans
        .iter()
        .enumerate()
        .filter_map(|(v, p)| match (p.stata_type, p.column) {
            (StataType::StrL, ColumnRef::Text(values)) => Some((v, values)),
            _ => None,
        })
        .collect();
    if strl.is_empty() {
        return;
    }
    for row in 0..n {
        for (v, values) in &strl {
            let text = &values[row];
            if text.is_empty() {
                continue;
            }
            buf.extend_from_slice(b"GSO");
            buf.extend_from_slice(&(*v as u32 + 1).to_le_bytes());
            buf.extend_from_slice(&(row as u64 + 1).to_le_bytes());
            // Type 130: text stored with a terminating NUL counted in the length.
            buf.push(130);
            buf.extend_from_slice(&(text.len() as u32 + 1).to_le_bytes());
            buf.extend_from_slice(text.as_bytes());
            buf.push(0);
        }
    }
}

fn write_value_labels(buf: &mut Vec<u8>, plans: &[Plan<'_>]) {
    for p in plans.iter().filter(|p| !p.variable.value_labels.is_empty()) {
        let mut entries: Vec<(i32, &str)> = p
            .variable
            .value_labels
            .iter()
            .map(
                |(&code, label)| match p.missing.iter().position(|&m| m == code) {
                    // At most three letters: the sum stays below i32::MAX.
                    Some(k) => ((LONG_MISSING_A + k as i64) as i32, label.as_str()),
                    None => (code, label.as_str()),
                },
            )
            .collect();
        entries.sort_by_key(|&(value, _)| value);
        let mut offsets = Vec::new();
        let mut text = Vec::new();
        for (_, label) in &entries {
            offsets.push(text.len() as u32);
            text.extend_from_slice(label.as_bytes());
            text.push(0);
        }
        let table_len = 8 + 8 * entries.len() + text.len();
        buf.extend_from_slice(b"<lbl>");
        buf.extend_from_slice(&(table_len as u32).to_le_bytes());
        put_fixed(buf, &p.variable.name, 129);
        buf.extend_from_slice(&[0; 3]);
        buf.extend_from_slice(&(entries.len() as u32).to_le_bytes());
        buf.extend_from_slice(&(text.len() as u32).to_le_bytes());
        for off in offsets {
            buf.extend_from_slice(&off.to_le_bytes());
        }
        for (value, _) in &entries {
            buf.extend_from_slice(&value.to_le_bytes());
        }
        buf.extend_from_slice(&text);
        buf.extend_from_slice(b"</lbl>");
    }
}
