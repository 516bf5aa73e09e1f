//! Properties: accepted numbers are canonical E.164 numbers, the way a number is written does not
//! change what it is, CSV written by a program reads back cell for cell, and no bytes make the
//! reader panic.

mod common;

use std::sync::OnceLock;

use common::communes;
use phonenumber::Mode;
use proptest::prelude::*;
use samplefile::{Mapping, Report, SampleFile, Validator, normalize_phone};

/// Reads and validates every row of a file, as far as it reads.
fn read_everything(bytes: &[u8], name: &str) {
    let communes = communes();
    let Ok(mut file) = SampleFile::open(bytes, name, &Mapping::default()) else {
        return;
    };
    let mut validator = Validator::new(&communes);
    let mut report = Report::new();
    let Ok(records) = file.records() else { return };
    for record in records {
        let Ok(record) = record else { return };
        match validator.validate(record) {
            Ok(row) => report.accept(&row),
            Err(rejection) => report.reject(rejection),
        }
    }
    report.write_csv(std::io::sink()).unwrap();
}

/// A small valid workbook, to corrupt.
fn workbook() -> &'static [u8] {
    static WORKBOOK: OnceLock<Vec<u8>> = OnceLock::new();
    WORKBOOK.get_or_init(|| {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (row, (phone, commune)) in (0_u32..).zip([
            ("telephone", "commune"),
            ("05 56 12 34 56", "Bordeaux"),
            ("0612345678", "33063"),
        ]) {
            sheet.write_string(row, 0, phone).unwrap();
            sheet.write_string(row, 1, commune).unwrap();
        }
        sheet.write_number(3, 0, 556123457.0).unwrap();
        book.save_to_buffer().unwrap()
    })
}

/// A number written as people write them: a prefix, digits, separators.
fn written_number() -> impl Strategy<Value = String> {
    let prefix = prop::sample::select(vec![
        "", "0", "+33", "+33 ", "0033", "0033 ", "+33 (0)", "tel:+33-", "+", "00", "1",
    ]);
    let digits = prop::collection::vec(0_u8..10, 0..13);
    let separator = prop::sample::select(vec!["", " ", ".", "-", "\u{a0}"]);
    (prefix, digits, separator).prop_map(|(prefix, digits, separator)| {
        let mut text = prefix.to_owned();
        for (index, digit) in digits.iter().enumerate() {
            if index > 0 && index % 2 == 1 {
                text.push_str(separator);
            }
            text.push(char::from(b'0' + digit));
        }
        text
    })
}

proptest! {
    #[test]
    fn an_accepted_number_is_a_valid_e164_that_reads_back_as_itself(
        raw in prop_oneof![written_number(), "[-+0-9 ().a-z]{0,20}"],
    ) {
        if let Ok(phone) = normalize_phone(&raw) {
            prop_assert!(phone.e164.starts_with("+33"), "{raw:?} → {}", phone.e164);
            prop_assert_eq!(phone.e164.len(), 12);
            let reparsed = phonenumber::parse(None, &phone.e164).unwrap();
            prop_assert!(phonenumber::is_valid(&reparsed));
            prop_assert_eq!(reparsed.format().mode(Mode::E164).to_string(), phone.e164.clone());
            prop_assert_eq!(normalize_phone(&phone.e164), Ok(phone));
        }
    }

    #[test]
    fn the_way_a_national_number_is_written_does_not_change_it(
        digits in "[1-9][0-9]{8}",
    ) {
        let spaced: String = digits
            .chars()
            .enumerate()
            .flat_map(|(i, c)| (i % 2 == 1).then_some(' ').into_iter().chain([c]))
            .collect();
        let national = normalize_phone(&format!("0{digits}"));
        for form in [
            format!("+33{digits}"),
            format!("0033{digits}"),
            format!("+33 (0){digits}"),
            format!("tel:+33-{digits}"),
            format!("0{spaced}"),
            format!(" 0{digits} "),
        ] {
            prop_assert_eq!(normalize_phone(&form), national.clone(), "{}", form);
        }
    }

    #[test]
    fn csv_written_by_a_program_reads_back_cell_for_cell(
        rows in prop::collection::vec(("[0-9]{1,10}", "[a-zé;,\"\n ]{0,8}"), 1..12),
        separator in prop::sample::select(vec![b',', b';', b'\t']),
        crlf in any::<bool>(),
    ) {
        let mut writer = csv::WriterBuilder::new()
            .delimiter(separator)
            .terminator(if crlf { csv::Terminator::CRLF } else { csv::Terminator::Any(b'\n') })
            .from_writer(Vec::new());
        writer.write_record(["telephone", "note"]).unwrap();
        for (phone, note) in &rows {
            writer.write_record([phone.as_str(), note.trim()]).unwrap();
        }
        let bytes = writer.into_inner().unwrap();
        let mut file = SampleFile::open(&bytes, "liste.csv", &Mapping::default()).unwrap();
        let read: Vec<(u32, String, String)> = file
            .records()
            .unwrap()
            .map(|record| {
                let record = record.unwrap();
                (record.line, record.phone, record.preload[0].clone())
            })
            .collect();
        let expected: Vec<(u32, String, String)> = (2_u32..)
            .zip(&rows)
            .map(|(line, (phone, note))| (line, phone.clone(), note.trim().to_owned()))
            .collect();
        prop_assert_eq!(read, expected);
    }

    #[test]
    fn arbitrary_bytes_never_make_the_reader_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..400),
        name in prop::sample::select(vec!["liste.csv", "liste.xlsx", "liste", "liste.xls"]),
    ) {
        read_everything(&bytes, name);
        let mut zip = b"PK\x03\x04".to_vec();
        zip.extend(&bytes);
        read_everything(&zip, name);
    }

    #[test]
    fn text_made_of_separators_quotes_and_line_breaks_never_makes_the_reader_panic(
        text in "[a-z0-9;,\t\"\r\n +é]{0,200}",
    ) {
        read_everything(text.as_bytes(), "liste.csv");
    }

    #[test]
    fn a_corrupted_workbook_never_makes_the_reader_panic(
        changes in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let mut bytes = workbook().to_vec();
        for (at, byte) in changes {
            let index = at.index(bytes.len());
            bytes[index] = byte;
        }
        if truncate {
            bytes.truncate(cut.index(bytes.len()));
        }
        read_everything(&bytes, "liste.xlsx");
    }
}
