//! SPSS system file (`.sav`) writer, following the PSPP documentation of the system file
//! format: header, variable records (type 2), value labels (types 3/4), documents (type 6),
//! machine integer/float info (7.3, 7.4), variable display with measure levels (7.11), long
//! variable names (7.13), very long strings (7.14), character encoding UTF-8 (7.20), dictionary
//! terminator (999), then the cases, uncompressed or bytecode-compressed.

use std::collections::HashSet;
use std::io::Write;

use super::{WriteError, truncate_utf8};
use crate::dataset::{ColumnRef, Dataset, Measure, SPSS_EPOCH_OFFSET_DAYS, Variable, VariableKind};

/// Case data encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SavCompression {
    /// Raw 8-byte slots.
    None,
    /// SPSS bytecode compression: small integers and blank strings take one byte. The default:
    /// survey files are about 5 times smaller and written as fast as uncompressed ones (see
    /// `cargo bench -p exports --bench sav`).
    #[default]
    Bytecode,
}

/// Options of [`write_sav`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SavOptions {
    /// Case data encoding.
    pub compression: SavCompression,
    /// Record the weight variable in the header so SPSS applies `WEIGHT BY` on opening (what
    /// the export bundle does). Off by default for other uses: SPSS treats weights as frequency
    /// weights, which distorts significance tests.
    pub weight_in_header: bool,
}

/// Bias of bytecode compression: opcode `c` in 1..=251 stands for the number `c - BIAS`.
const BIAS: f64 = 100.0;
/// A very long string of width `w` has `w.div_ceil(SEGMENT_STEP)` segments (PSPP docs); the
/// last one is declared `w - k * SEGMENT_STEP` wide.
const SEGMENT_STEP: usize = 252;
/// Strings wider than this are "very long" and split into segments.
const MAX_SHORT_STRING: usize = 255;
const FORMAT_A: u32 = 1;
const FORMAT_F: u32 = 5;
/// `SDATE10`: `yyyy/mm/dd`, the format closest to ISO 8601 that SPSS and PSPP know.
const FORMAT_SDATE: u32 = 39;
/// Width of the `SDATE` format.
const SDATE_WIDTH: usize = 10;
/// Seconds in a day: SPSS dates are seconds since 1582-10-14.
const SECONDS_PER_DAY: f64 = 86_400.0;
/// The file label is 64 bytes in the header.
const FILE_LABEL_BYTES: usize = 64;
const PRODUCT: &str = "@(#) SPSS DATA FILE cati exports";

/// One physical SPSS variable: a numeric, a short string or a segment of a very long string.
struct Segment {
    short_name: String,
    /// 0 for numeric, else the string width of this segment (1..=255).
    width: usize,
    /// Offset in the logical string value of the bytes stored in this segment: segments hold
    /// consecutive 255-byte pieces (what PSPP and ReadStat read back).
    offset: usize,
    /// Bytes allocated in the case (multiple of 8).
    alloc: usize,
}

impl Segment {
    fn slots(&self) -> usize {
        if self.width == 0 { 1 } else { self.alloc / 8 }
    }
}

struct Layout {
    segments: Vec<Vec<Segment>>,
    /// `F` format (width, decimals) of each numeric variable; unused for strings.
    numeric_formats: Vec<(usize, u8)>,
    /// 1-based index of each variable's first slot.
    first_slot: Vec<usize>,
    case_size: usize,
}

/// Writes `dataset` as an SPSS system file to `out`.
pub fn write_sav<W: Write>(
    dataset: &Dataset,
    options: &SavOptions,
    mut out: W,
) -> Result<(), WriteError> {
    let layout = layout(dataset);
    let case_size = i32::try_from(layout.case_size).map_err(|_| WriteError::FormatLimit {
        format: "SPSS",
        reason: "too many variables".into(),
    })?;
    let mut head = Vec::with_capacity(4096);
    write_header(&mut head, dataset, options, &layout, case_size);
    for (i, variable) in dataset.variables().iter().enumerate() {
        write_variable_records(
            &mut head,
            variable,
            &layout.segments[i],
            layout.numeric_formats[i],
        );
    }
    write_value_labels(&mut head, dataset, &layout);
    write_documents(&mut head, &dataset.info().notes);
    write_machine_info(&mut head, options.compression);
    write_display(&mut head, dataset, &layout);
    write_long_names(&mut head, dataset, &layout);
    write_very_long_strings(&mut head, dataset, &layout);
    write_extension(&mut head, 20, 1, b"UTF-8");
    put_i32(&mut head, 999);
    put_i32(&mut head, 0);
    out.write_all(&head)?;
    match options.compression {
        SavCompression::None => write_raw_cases(dataset, &layout, &mut out)?,
        SavCompression::Bytecode => write_compressed_cases(dataset, &layout, &mut out)?,
    }
    out.flush()?;
    Ok(())
}

fn put_i32(buf: &mut Vec<u8>, v: i32) {
    buf.extend_from_slice(&v.to_le_bytes());
}

fn put_f64(buf: &mut Vec<u8>, v: f64) {
    buf.extend_from_slice(&v.to_le_bytes());
}

/// Writes `text` in a field of `len` bytes, padded with spaces (truncated if longer).
fn put_padded(buf: &mut Vec<u8>, text: &str, len: usize) {
    let text = truncate_utf8(text, len);
    buf.extend_from_slice(text.as_bytes());
    buf.resize(buf.len() + len - text.len(), b' ');
}

fn as_i32(n: usize) -> i32 {
    // Every count passed here is bounded by the case size, already checked to fit an i32.
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn layout(dataset: &Dataset) -> Layout {
    let forbidden: HashSet<String> = dataset
        .variables()
        .iter()
        .map(|v| v.name.to_ascii_uppercase())
        .collect();
    let mut used: HashSet<String> = HashSet::new();
    let own: Vec<Option<String>> = dataset
        .variables()
        .iter()
        .map(|v| {
            let upper = v.name.to_ascii_uppercase();
            (upper.len() <= 8 && used.insert(upper.clone())).then_some(upper)
        })
        .collect();
    let mut counter = 0usize;
    let mut fresh = || loop {
        counter += 1;
        let name = format!("V{counter}");
        if !forbidden.contains(&name) && used.insert(name.clone()) {
            return name;
        }
    };
    let mut segments = Vec::new();
    let mut first_slot = Vec::new();
    let mut slot = 1usize;
    for (variable, own) in dataset.variables().iter().zip(own) {
        let widths: Vec<(usize, usize)> = match variable.kind {
            VariableKind::Text { width } if width > MAX_SHORT_STRING => {
                let count = width.div_ceil(SEGMENT_STEP);
                (0..count)
                    .map(|k| {
                        let declared = if k + 1 < count {
                            MAX_SHORT_STRING
                        } else {
                            width - k * SEGMENT_STEP
                        };
                        (declared, k * MAX_SHORT_STRING)
                    })
                    .collect()
            }
            VariableKind::Text { width } => vec![(width, 0)],
            _ => vec![(0, 0)],
        };
        let mut own = own;
        let segs: Vec<Segment> = widths
            .into_iter()
            .map(|(width, offset)| Segment {
                short_name: own.take().unwrap_or_else(&mut fresh),
                width,
                offset,
                alloc: if width == 0 { 8 } else { width.div_ceil(8) * 8 },
            })
            .collect();
        first_slot.push(slot);
        slot += segs.iter().map(Segment::slots).sum::<usize>();
        segments.push(segs);
    }
    let numeric_formats = dataset
        .variables()
        .iter()
        .enumerate()
        .map(|(i, v)| numeric_width(dataset, i, v))
        .collect();
    Layout {
        segments,
        numeric_formats,
        first_slot,
        case_size: slot - 1,
    }
}

fn write_header(
    buf: &mut Vec<u8>,
    dataset: &Dataset,
    options: &SavOptions,
    layout: &Layout,
    case_size: i32,
) {
    let info = dataset.info();
    buf.extend_from_slice(b"$FL2");
    put_padded(buf, PRODUCT, 60);
    put_i32(buf, 2);
    put_i32(buf, case_size);
    put_i32(
        buf,
        i32::from(options.compression == SavCompression::Bytecode),
    );
    let weight_index = options
        .weight_in_header
        .then(|| dataset.weight_variable())
        .flatten()
        .and_then(|w| dataset.index_of(&w.name))
        .map_or(0, |i| as_i32(layout.first_slot[i]));
    put_i32(buf, weight_index);
    put_i32(buf, i32::try_from(dataset.row_count()).unwrap_or(-1));
    put_f64(buf, BIAS);
    put_padded(buf, &info.created.spss_date(), 9);
    put_padded(buf, &info.created.spss_time(), 8);
    put_padded(
        buf,
        &crate::dataset::shorten(&info.title, usize::MAX, FILE_LABEL_BYTES),
        FILE_LABEL_BYTES,
    );
    buf.extend_from_slice(&[0; 3]);
}

fn format_code(kind: u32, width: usize, decimals: u8) -> i32 {
    // Widths are at most 255 and decimals at most 16, so the packed value fits.
    as_i32(((kind << 16) | ((width as u32) << 8) | u32::from(decimals)) as usize)
}

/// The `F` format width that shows every value, label code and missing code of `variable`
/// (the `SDATE` width for a date).
fn numeric_width(dataset: &Dataset, index: usize, variable: &Variable) -> (usize, u8) {
    if variable.kind == VariableKind::Date {
        return (SDATE_WIDTH, 0);
    }
    let decimals = match variable.kind {
        VariableKind::Decimal { decimals } => decimals,
        _ => 0,
    };
    let mut largest = 0.0f64;
    let mut negative = false;
    if let Some(ColumnRef::Numeric(values)) = dataset.column(index) {
        // NaN compares false both ways, so system-missing values are skipped.
        let (lo, hi) = values.iter().fold((0.0f64, 0.0f64), |(lo, hi), &v| {
            (if v < lo { v } else { lo }, if v > hi { v } else { hi })
        });
        largest = hi.max(-lo);
        negative = lo < 0.0;
    }
    for code in variable.value_labels.keys().chain(&variable.missing_values) {
        largest = largest.max(f64::from(code.unsigned_abs()));
        negative |= *code < 0;
    }
    let digits = if largest < 1.0 {
        1
    } else {
        // log10 of a finite value below 1.8e308 is below 309: the cast is exact.
        largest.log10().floor() as usize + 1
    };
    let width = digits
        + usize::from(negative)
        + if decimals > 0 {
            usize::from(decimals) + 1
        } else {
            0
        };
    (width.clamp(1, 40), decimals)
}

fn write_variable_records(
    buf: &mut Vec<u8>,
    variable: &Variable,
    segments: &[Segment],
    (width, decimals): (usize, u8),
) {
    for (k, segment) in segments.iter().enumerate() {
        put_i32(buf, 2);
        put_i32(buf, as_i32(segment.width));
        let labelled = k == 0 && !variable.label.is_empty();
        put_i32(buf, i32::from(labelled));
        let missing = if k == 0 {
            variable.sorted_missing_values()
        } else {
            Vec::new()
        };
        put_i32(buf, as_i32(missing.len()));
        let format = if segment.width == 0 && variable.kind == VariableKind::Date {
            format_code(FORMAT_SDATE, width, decimals)
        } else if segment.width == 0 {
            format_code(FORMAT_F, width, decimals)
        } else {
            format_code(FORMAT_A, segment.width, 0)
        };
        put_i32(buf, format);
        put_i32(buf, format);
        put_padded(buf, &segment.short_name, 8);
        if labelled {
            let label = truncate_utf8(&variable.label, 255);
            put_i32(buf, as_i32(label.len()));
            buf.extend_from_slice(label.as_bytes());
            buf.resize(buf.len() + (4 - label.len() % 4) % 4, b' ');
        }
        for code in missing {
            put_f64(buf, f64::from(code));
        }
        // Continuation records for the remaining 8-byte slots of a string.
        for _ in 1..segment.slots() {
            put_i32(buf, 2);
            put_i32(buf, -1);
            buf.extend_from_slice(&[0; 16]);
            put_padded(buf, "", 8);
        }
    }
}

fn write_value_labels(buf: &mut Vec<u8>, dataset: &Dataset, layout: &Layout) {
    for (i, variable) in dataset.variables().iter().enumerate() {
        if variable.value_labels.is_empty() {
            continue;
        }
        put_i32(buf, 3);
        put_i32(buf, as_i32(variable.value_labels.len()));
        for (&code, label) in &variable.value_labels {
            put_f64(buf, f64::from(code));
            // Dataset validation keeps value labels within 120 bytes.
            let label = truncate_utf8(label, 255);
            buf.push(label.len() as u8);
            buf.extend_from_slice(label.as_bytes());
            let used = 1 + label.len();
            buf.resize(buf.len() + used.div_ceil(8) * 8 - used, b' ');
        }
        put_i32(buf, 4);
        put_i32(buf, 1);
        put_i32(buf, as_i32(layout.first_slot[i]));
    }
}

/// Splits notes into the 80-byte lines of a document record, at character boundaries.
fn document_lines(notes: &[String]) -> Vec<String> {
    let mut lines = Vec::new();
    for note in notes {
        for paragraph in note.lines() {
            let mut rest = paragraph;
            loop {
                let head = truncate_utf8(rest, 80);
                let cut = if head.len() < rest.len() {
                    head.rfind(' ').filter(|&p| p > 0).unwrap_or(head.len())
                } else {
                    head.len()
                };
                lines.push(rest[..cut].to_owned());
                rest = rest[cut..].trim_start();
                if rest.is_empty() {
                    break;
                }
            }
        }
    }
    lines
}

fn write_documents(buf: &mut Vec<u8>, notes: &[String]) {
    let lines = document_lines(notes);
    if lines.is_empty() {
        return;
    }
    put_i32(buf, 6);
    put_i32(buf, as_i32(lines.len()));
    for line in lines {
        put_padded(buf, &line, 80);
    }
}

fn write_extension(buf: &mut Vec<u8>, subtype: i32, size: i32, data: &[u8]) {
    put_i32(buf, 7);
    put_i32(buf, subtype);
    put_i32(buf, size);
    put_i32(buf, as_i32(data.len() / size as usize));
    buf.extend_from_slice(data);
}

fn write_machine_info(buf: &mut Vec<u8>, compression: SavCompression) {
    let mut ints = Vec::new();
    // Version 1.0.0, machine code -1 (unknown), IEEE 754, compression, little-endian, UTF-8.
    let compression_code = i32::from(compression == SavCompression::Bytecode);
    for v in [1, 0, 0, -1, 1, compression_code, 2, 65001] {
        put_i32(&mut ints, v);
    }
    write_extension(buf, 3, 4, &ints);
    let mut floats = Vec::new();
    put_f64(&mut floats, -f64::MAX);
    put_f64(&mut floats, f64::MAX);
    put_f64(&mut floats, f64::from_bits(0xffef_ffff_ffff_fffe));
    write_extension(buf, 4, 8, &floats);
}

fn write_display(buf: &mut Vec<u8>, dataset: &Dataset, layout: &Layout) {
    let mut data = Vec::new();
    for (i, variable) in dataset.variables().iter().enumerate() {
        let measure = match variable.measure {
            Measure::Nominal => 1,
            Measure::Ordinal => 2,
            Measure::Scale => 3,
        };
        for segment in &layout.segments[i] {
            let (width, alignment) = if segment.width == 0 {
                (layout.numeric_formats[i].0.max(8), 1)
            } else {
                (segment.width.min(32), 0)
            };
            put_i32(&mut data, measure);
            put_i32(&mut data, as_i32(width));
            put_i32(&mut data, alignment);
        }
    }
    write_extension(buf, 11, 4, &data);
}

fn write_long_names(buf: &mut Vec<u8>, dataset: &Dataset, layout: &Layout) {
    let pairs: Vec<String> = dataset
        .variables()
        .iter()
        .zip(&layout.segments)
        .map(|(v, segs)| format!("{}={}", segs[0].short_name, v.name))
        .collect();
    if !pairs.is_empty() {
        write_extension(buf, 13, 1, pairs.join("\t").as_bytes());
    }
}

fn write_very_long_strings(buf: &mut Vec<u8>, dataset: &Dataset, layout: &Layout) {
    let mut map = String::new();
    for (v, segs) in dataset.variables().iter().zip(&layout.segments) {
        if let VariableKind::Text { width } = v.kind
            && width > MAX_SHORT_STRING
        {
            map.push_str(&format!("{}={width:05}\0\t", segs[0].short_name));
        }
    }
    if !map.is_empty() {
        write_extension(buf, 14, 1, map.as_bytes());
    }
}

/// Lays out the bytes of one string segment (value bytes, then spaces) into `buf`.
fn fill_segment(buf: &mut Vec<u8>, value: &[u8], segment: &Segment) {
    buf.clear();
    let start = segment.offset.min(value.len());
    let end = (segment.offset + segment.width).min(value.len());
    buf.extend_from_slice(&value[start..end]);
    buf.resize(segment.alloc, b' ');
}

/// A numeric cell as SPSS stores it: dates (days since 1970-01-01) become seconds since
/// 1582-10-14; other numbers and system-missing (NaN) are unchanged.
fn spss_value(date: bool, value: f64) -> f64 {
    if date {
        (value + SPSS_EPOCH_OFFSET_DAYS as f64) * SECONDS_PER_DAY
    } else {
        value
    }
}

/// Size of the output buffer handed to the writer in one call.
const CHUNK: usize = 1 << 20;

fn write_raw_cases<W: Write>(
    dataset: &Dataset,
    layout: &Layout,
    out: &mut W,
) -> Result<(), WriteError> {
    let columns: Vec<(bool, ColumnRef<'_>)> = dataset
        .iter_columns()
        .map(|(v, c)| (v.kind == VariableKind::Date, c))
        .collect();
    let mut buf = Vec::with_capacity(CHUNK + layout.case_size * 8);
    let mut segment_bytes = Vec::new();
    for row in 0..dataset.row_count() {
        for ((date, column), segments) in columns.iter().zip(&layout.segments) {
            match column {
                ColumnRef::Numeric(values) => {
                    let v = spss_value(*date, values[row]);
                    put_f64(&mut buf, if v.is_nan() { -f64::MAX } else { v });
                }
                ColumnRef::Text(values) => {
                    let value = values[row].as_bytes();
                    for segment in segments {
                        fill_segment(&mut segment_bytes, value, segment);
                        buf.extend_from_slice(&segment_bytes);
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

/// Bytecode compression state. Output is a sequence of blocks: 8 opcodes, then the raw 8-byte
/// values the `253` opcodes of that block refer to. The current block's opcodes are written in
/// place in `out` (unused ones stay 0, the padding opcode) and raw values are appended after it.
struct Compressor {
    out: Vec<u8>,
    /// Position in `out` of the current block's opcodes.
    block: usize,
    /// Opcodes used in the current block (8 = full, the next opcode opens a block).
    count: usize,
}

impl Compressor {
    fn new(capacity: usize) -> Self {
        Self {
            out: Vec::with_capacity(capacity),
            block: 0,
            count: 8,
        }
    }

    fn code(&mut self, opcode: u8) {
        if self.count == 8 {
            self.block = self.out.len();
            self.out.extend_from_slice(&[0; 8]);
            self.count = 0;
        }
        self.out[self.block + self.count] = opcode;
        self.count += 1;
    }

    fn raw(&mut self, bytes: [u8; 8]) {
        self.code(253);
        self.out.extend_from_slice(&bytes);
    }

    /// Hands the complete blocks to `out`, keeping the open one.
    fn drain_complete<W: Write>(&mut self, out: &mut W) -> std::io::Result<()> {
        let complete = if self.count == 8 {
            self.out.len()
        } else {
            self.block
        };
        out.write_all(&self.out[..complete])?;
        self.out.drain(..complete);
        // The open block, if any, now starts the buffer.
        self.block = 0;
        Ok(())
    }

    fn number(&mut self, v: f64) {
        if v.is_nan() {
            self.code(255);
        } else if (1.0 - BIAS..=251.0 - BIAS).contains(&v) && f64::from(v as i32) == v {
            // In range and integral (tested without `fract`, a libm call on baseline x86-64):
            // v + BIAS is an exact integer in 1..=251.
            self.code((v + BIAS) as u8);
        } else {
            self.raw(v.to_le_bytes());
        }
    }

    /// Emits one string segment: its share of `value`, padded with spaces to `segment.alloc`.
    /// Chunks past the end of the value are blank and cost one opcode each.
    fn segment(&mut self, value: &[u8], segment: &Segment) {
        let start = segment.offset.min(value.len());
        let end = (segment.offset + segment.width).min(value.len());
        let data = &value[start..end];
        for k in 0..segment.alloc / 8 {
            let from = (k * 8).min(data.len());
            let piece = &data[from..(from + 8).min(data.len())];
            if piece.iter().all(|&b| b == b' ') {
                self.code(254);
            } else {
                let mut bytes = [b' '; 8];
                bytes[..piece.len()].copy_from_slice(piece);
                self.raw(bytes);
            }
        }
    }
}

fn write_compressed_cases<W: Write>(
    dataset: &Dataset,
    layout: &Layout,
    out: &mut W,
) -> Result<(), WriteError> {
    let columns: Vec<(bool, ColumnRef<'_>)> = dataset
        .iter_columns()
        .map(|(v, c)| (v.kind == VariableKind::Date, c))
        .collect();
    let mut c = Compressor::new(CHUNK + 9 * layout.case_size + 72);
    for row in 0..dataset.row_count() {
        for ((date, column), segments) in columns.iter().zip(&layout.segments) {
            match column {
                ColumnRef::Numeric(values) => c.number(spss_value(*date, values[row])),
                ColumnRef::Text(values) => {
                    for segment in segments {
                        c.segment(values[row].as_bytes(), segment);
                    }
                }
            }
        }
        if c.out.len() >= CHUNK {
            c.drain_complete(out)?;
        }
    }
    // The last block's unused opcodes are already 0 (padding).
    out.write_all(&c.out)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_are_wrapped_into_80_byte_lines_at_spaces_or_character_boundaries() {
        let words = "mot ".repeat(30);
        let lines = document_lines(&[words]);
        assert_eq!(lines.len(), 2);
        assert!(lines[0].len() <= 80 && lines[0].ends_with("mot"));
        let long_word = format!("{} fin", "é".repeat(45));
        assert_eq!(
            document_lines(&[long_word]),
            vec!["é".repeat(40), format!("{} fin", "é".repeat(5))]
        );
    }

    #[test]
    fn small_integers_compress_to_one_opcode() {
        let mut c = Compressor::new(0);
        for v in [1.0, -99.0, 151.0, f64::NAN, 152.0, 0.5, 2.0, 3.0] {
            c.number(v);
        }
        assert_eq!(&c.out[..8], &[101, 1, 251, 255, 253, 253, 102, 103]);
        assert_eq!(c.out.len(), 8 + 16);
        assert_eq!(&c.out[8..16], &152.0f64.to_le_bytes());
    }
}
