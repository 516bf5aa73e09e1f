//! Phone lists saved from Excel as .xlsx (built here with rust_xlsxwriter): the first sheet is
//! read, cells stored as numbers keep what the manager sees, rows keep the sheet's numbers.

mod common;

use common::{import, import_ok, kept, rejections};
use rust_xlsxwriter::{ExcelDateTime, Format as CellFormat, Workbook, XlsxError};
use samplefile::{Field, FileError, Format, Mapping, SampleFile};

/// A workbook whose first sheet, `name`, holds `rows` (a `None` cell is left empty), with a
/// second sheet that must never be read.
fn workbook(name: &str, rows: &[&[Cell]]) -> Vec<u8> {
    build(name, rows).expect("the test workbook builds")
}

enum Cell {
    Text(&'static str),
    Number(f64),
    Bool(bool),
    Date(u16, u8, u8),
    Empty,
}

fn build(name: &str, rows: &[&[Cell]]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let date_format = CellFormat::new().set_num_format("dd/mm/yyyy");
    // A custom format displays 556123456 as `05 56 12 34 56`, as managers set it.
    let phone_format = CellFormat::new().set_num_format("0# ## ## ## ##");
    let sheet = book.add_worksheet();
    sheet.set_name(name)?;
    for (row, cells) in (0_u32..).zip(rows.iter()) {
        for (column, cell) in (0_u16..).zip(cells.iter()) {
            match cell {
                Cell::Text(text) => sheet.write_string(row, column, *text)?,
                Cell::Number(number) => {
                    sheet.write_number_with_format(row, column, *number, &phone_format)?
                }
                Cell::Bool(value) => sheet.write_boolean(row, column, *value)?,
                Cell::Date(year, month, day) => sheet.write_datetime_with_format(
                    row,
                    column,
                    ExcelDateTime::from_ymd(*year, *month, *day)?,
                    &date_format,
                )?,
                Cell::Empty => sheet,
            };
        }
    }
    let other = book.add_worksheet();
    other.set_name("Notes")?;
    other.write_string(0, 0, "téléphone")?;
    other.write_string(1, 0, "ne pas lire")?;
    book.save_to_buffer()
}

use Cell::{Bool, Date, Empty, Number, Text};

#[test]
fn numbers_stored_as_numbers_keep_their_meaning() {
    let bytes = workbook(
        "Échantillon",
        &[
            &[
                Text("Téléphone"),
                Text("Commune"),
                Text("Né le"),
                Text("Client"),
            ],
            &[
                Number(556123456.0),
                Number(33063.0),
                Date(1975, 3, 12),
                Bool(true),
            ],
            &[Number(33612345678.0), Text("Mérignac"), Empty, Bool(false)],
            &[
                Text("07 52 12 34 56"),
                Text("St Médard en Jalles"),
                Empty,
                Empty,
            ],
            &[Number(3949.0), Text("Pessac"), Empty, Empty],
        ],
    );
    let file = SampleFile::open(&bytes, "liste.xlsx", &Mapping::default()).unwrap();
    assert_eq!(
        *file.format(),
        Format::Xlsx {
            sheet: "Échantillon".to_owned()
        }
    );
    assert_eq!(
        file.format().to_string(),
        "classeur Excel .xlsx, feuille « Échantillon »"
    );
    let (rows, report) = import_ok(&bytes, "liste.xlsx");
    assert_eq!(
        kept(&rows),
        [
            (2, vec!["+33556123456"]),
            (3, vec!["+33612345678"]),
            (4, vec!["+33752123456"])
        ]
    );
    assert_eq!(rows[0].commune.as_ref().unwrap().name, "Bordeaux");
    assert_eq!(rows[0].preload, ["1975-03-12", "VRAI"]);
    assert_eq!(rows[1].preload, ["", "FAUX"]);
    assert_eq!(
        rejections(&report),
        ["ligne 5 : numéro court (3949, 118…) (numéro : « 3949 »)"]
    );
}

#[test]
fn empty_rows_keep_the_sheet_numbering_and_the_header_may_start_lower() {
    let bytes = workbook(
        "Feuil1",
        &[
            &[Text("Liste du 3 mars")],
            &[],
            &[Empty, Text("tel"), Text("ville")],
            &[Empty, Text("05 56 12 34 56"), Text("Talence")],
            &[],
            &[],
            &[Empty, Text("06 12 34 56 78"), Text("Bègles")],
        ],
    );
    // The title on row 1 is the first non-blank row: it is taken as the header.
    let error = import(&bytes, "liste.xlsx", &Mapping::default()).unwrap_err();
    assert!(
        matches!(error, FileError::NoPhoneColumn { line: 1, .. }),
        "{error}"
    );

    let bytes = workbook(
        "Feuil1",
        &[
            &[],
            &[],
            &[Empty, Text("tel"), Text("ville")],
            &[Empty, Text("05 56 12 34 56"), Text("Talence")],
            &[],
            &[],
            &[Empty, Text("06 12 34 56 78"), Text("Bègles")],
        ],
    );
    let file = SampleFile::open(&bytes, "liste.xlsx", &Mapping::default()).unwrap();
    assert_eq!(file.header_line(), 3);
    assert_eq!(file.columns().header(Field::Commune), Some("ville"));
    let (rows, _) = import_ok(&bytes, "liste.xlsx");
    assert_eq!(
        kept(&rows),
        [(4, vec!["+33556123456"]), (7, vec!["+33612345678"])]
    );
}

#[test]
fn cells_right_of_the_header_reject_their_row() {
    let bytes = workbook(
        "Feuil1",
        &[
            &[Text("telephone"), Text("commune")],
            &[Text("0556123456"), Text("Cenon"), Empty, Text("à rappeler")],
        ],
    );
    let (_, report) = import_ok(&bytes, "liste.xlsx");
    assert_eq!(
        rejections(&report),
        [
            "ligne 2 : 4 cellules pour 2 colonnes d'en-tête (un séparateur dans une valeur sans \
          guillemets ?) (« à rappeler »)"
        ]
    );
}

#[test]
fn progress_counts_the_rows_of_the_sheet() {
    let bytes = workbook(
        "Feuil1",
        &[
            &[Text("telephone")],
            &[Text("0556123456")],
            &[Text("0612345678")],
        ],
    );
    let mut file = SampleFile::open(&bytes, "liste.xlsx", &Mapping::default()).unwrap();
    let mut records = file.records().unwrap();
    assert_eq!(records.progress().total, 3);
    assert_eq!(records.by_ref().count(), 2);
    assert_eq!(records.progress().done, 3);
}

#[test]
fn a_workbook_without_rows_is_empty() {
    let bytes = workbook("Feuil1", &[]);
    assert_eq!(
        SampleFile::open(&bytes, "liste.xlsx", &Mapping::default()).err(),
        Some(FileError::Empty {
            file: "liste.xlsx".to_owned()
        })
    );
}

#[test]
fn a_broken_workbook_is_a_file_error() {
    let mut bytes = workbook("Feuil1", &[&[Text("telephone")], &[Text("0556123456")]]);
    bytes.truncate(bytes.len() / 2);
    let error = SampleFile::open(&bytes, "liste.xlsx", &Mapping::default())
        .err()
        .unwrap();
    assert!(matches!(error, FileError::NotAWorkbook { .. }), "{error:?}");
    assert!(
        error
            .to_string()
            .starts_with("liste.xlsx : ce n'est pas un classeur Excel .xlsx lisible ("),
        "{error}"
    );
    let error = SampleFile::open(b"PK\x03\x04 pas un zip", "liste.csv", &Mapping::default())
        .err()
        .unwrap();
    assert!(matches!(error, FileError::NotAWorkbook { .. }), "{error:?}");
}
