//! Robustness of the reader on workbooks whose XML a program or a hand edit got wrong: the
//! workbook is rebuilt as a valid ZIP (stored, with right checksums) around the edited XML, so
//! that the edits reach the spreadsheet reader rather than stopping at the ZIP layer.

mod common;

use common::communes;
use proptest::prelude::*;
use samplefile::{Mapping, Report, SampleFile, Validator};

/// CRC-32 (IEEE), as ZIP stores it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A ZIP archive of `files`, stored without compression.
fn stored_zip(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut directory = Vec::new();
    for (name, data) in files {
        let offset = u32::try_from(out.len()).unwrap();
        let size = u32::try_from(data.len()).unwrap();
        let name_len = u16::try_from(name.len()).unwrap();
        let crc = crc32(data);
        // Version needed, flags, method (stored), time, date.
        let common: Vec<u8> = [20u16, 0, 0, 0, 0x21]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .chain(crc.to_le_bytes())
            .chain(size.to_le_bytes())
            .chain(size.to_le_bytes())
            .chain(name_len.to_le_bytes())
            .chain(0u16.to_le_bytes())
            .collect();
        out.extend(0x0403_4b50u32.to_le_bytes());
        out.extend(&common);
        out.extend(name.as_bytes());
        out.extend(data);
        directory.extend(0x0201_4b50u32.to_le_bytes());
        directory.extend(20u16.to_le_bytes());
        directory.extend(&common);
        // Comment length, disk, internal and external attributes, offset of the local header.
        directory.extend([0u8; 10]);
        directory.extend(offset.to_le_bytes());
        directory.extend(name.as_bytes());
    }
    let directory_offset = u32::try_from(out.len()).unwrap();
    let directory_size = u32::try_from(directory.len()).unwrap();
    let count = u16::try_from(files.len()).unwrap();
    out.extend(directory);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend(count.to_le_bytes());
    out.extend(count.to_le_bytes());
    out.extend(directory_size.to_le_bytes());
    out.extend(directory_offset.to_le_bytes());
    out.extend([0u8; 2]);
    out
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Liste" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#;
const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>"#;
const SHARED: &str = r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="3" uniqueCount="3"><si><t>telephone</t></si><si><t>commune</t></si><si><t>Bordeaux</t></si></sst>"#;
const SHEET: &str = r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:C4"/><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="inlineStr"><is><t>naissance</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>05 56 12 34 56</t></is></c><c r="B2" t="s"><v>2</v></c><c r="C2" s="1"><v>25000</v></c></row><row r="3"><c r="A3"><v>612345678</v></c><c r="B3"><v>33281</v></c><c r="C3" t="b"><v>1</v></c></row><row r="4"><c r="A4" t="str"><f>A3</f><v>+33612345678</v></c><c r="B4" t="e"><v>#N/A</v></c></row></sheetData></worksheet>"#;

/// The workbook, with its sheet and shared strings as given.
fn workbook(sheet: &str, shared: &str) -> Vec<u8> {
    stored_zip(&[
        ("[Content_Types].xml", CONTENT_TYPES.into()),
        ("_rels/.rels", RELS.into()),
        ("xl/workbook.xml", WORKBOOK.into()),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.into()),
        ("xl/styles.xml", STYLES.into()),
        ("xl/sharedStrings.xml", shared.into()),
        ("xl/worksheets/sheet1.xml", sheet.into()),
    ])
}

/// Reads and validates every row, as far as the file reads; the rows accepted and the reasons
/// of those refused.
fn read_everything(bytes: &[u8]) -> Option<(u64, Vec<String>)> {
    let communes = communes();
    let mut file = SampleFile::open(bytes, "liste.xlsx", &Mapping::default()).ok()?;
    let mut validator = Validator::new(&communes);
    let mut report = Report::new();
    for record in file.records().ok()? {
        let Ok(record) = record else { break };
        match validator.validate(record) {
            Ok(row) => report.accept(&row),
            Err(rejection) => report.reject(rejection),
        }
    }
    report.write_csv(std::io::sink()).unwrap();
    let rejected = report.rejected().iter().map(ToString::to_string).collect();
    Some((report.accepted(), rejected))
}

/// Pieces of SpreadsheetML spliced into the sheet and the shared strings.
const XML_TOKENS: [&str; 30] = [
    "",
    "<",
    ">",
    "\"",
    "/",
    "&amp;",
    "&#0;",
    "&bad;",
    "</row>",
    "<row r=\"0\">",
    "<row r=\"4294967296\">",
    "<c r=\"XFD1048576\"><v>1</v></c>",
    "<c r=\"XFE1\"><v>1</v></c>",
    "<c r=\"AAAAAAAAAAAAA1\"><v>1</v></c>",
    "<c r=\"1A\"><v>1</v></c>",
    "<c><v>2</v></c>",
    "<c t=\"s\"><v>4294967295</v></c>",
    "<c t=\"s\"><v>-1</v></c>",
    "<c t=\"d\"><v>2024-02-30T25:00:00</v></c>",
    "<c s=\"1\"><v>1e308</v></c>",
    "<c s=\"1\"><v>-1e308</v></c>",
    "<c s=\"9\"><v>NaN</v></c>",
    "<c t=\"n\"><v>inf</v></c>",
    "<c t=\"b\"><v>2</v></c>",
    "<c t=\"e\"><v>#BOGUS!</v></c>",
    "<is><t>x</t></is>",
    "<si><t>",
    "</si>",
    "<dimension ref=\"A1:XFD1048576\"/>",
    "é",
];

/// Up to four splices into `text`: at a byte, remove up to 12 bytes and insert a piece.
fn splices() -> impl Strategy<Value = Vec<(prop::sample::Index, usize, &'static str)>> {
    prop::collection::vec(
        (
            any::<prop::sample::Index>(),
            0usize..12,
            prop::sample::select(XML_TOKENS.to_vec()),
        ),
        1..5,
    )
}

fn splice(text: &str, edits: &[(prop::sample::Index, usize, &str)]) -> String {
    let mut text = text.to_owned();
    for (at, remove, token) in edits {
        let mut start = at.index(text.len() + 1);
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (start + remove).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        text.replace_range(start..end, token);
    }
    text
}

#[test]
fn the_workbook_used_for_edits_reads_two_rows_and_refuses_the_third_for_its_commune() {
    let (accepted, rejected) = read_everything(&workbook(SHEET, SHARED)).expect("readable");
    assert_eq!(accepted, 2);
    assert_eq!(
        rejected,
        ["ligne 4 : commune inconnue (commune : « #N/A »)"]
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(192))]

    #[test]
    fn a_workbook_with_edited_sheet_xml_is_read_or_refused_never_a_panic(edits in splices()) {
        let sheet = splice(SHEET, &edits);
        let accepted = read_everything(&workbook(&sheet, SHARED));
        prop_assert!(accepted.is_none_or(|(n, _)| n <= 8));
    }

    #[test]
    fn a_workbook_with_edited_shared_strings_is_read_or_refused_never_a_panic(edits in splices()) {
        let shared = splice(SHARED, &edits);
        let accepted = read_everything(&workbook(SHEET, &shared));
        prop_assert!(accepted.is_none_or(|(n, _)| n <= 3));
    }
}
