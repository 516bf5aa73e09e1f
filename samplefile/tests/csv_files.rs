//! CSV phone lists as spreadsheets and people write them: encodings, separators, quotes, blank
//! lines, shifted cells, and the headers that name the columns.

mod common;

use common::{import, import_ok, kept, rejections};
use samplefile::{Field, FileError, Format, Mapping, Pick, SampleFile, Separator, TextEncoding};

#[test]
fn a_french_excel_export_in_windows_1252_with_semicolons_and_crlf_reads_with_spreadsheet_lines() {
    let bytes = b"Identifiant;T\xE9l\xE9phone;Commune;Tranche d'\xE2ge\r\n\
                  A1;05 56 12 34 56;M\xE9rignac;35-49\r\n\
                  \r\n\
                  A2;06 12 34 56 78;B\xE8gles;18-24\r\n\
                  A3;0612345;Pessac;65+\r\n";
    let file = SampleFile::open(bytes, "liste.csv", &Mapping::default()).unwrap();
    assert_eq!(
        *file.format(),
        Format::Csv {
            encoding: TextEncoding::Windows1252,
            separator: Separator::Semicolon
        }
    );
    assert_eq!(
        file.format().to_string(),
        "CSV Windows-1252, séparateur point-virgule"
    );
    assert_eq!(file.columns().header(Field::Phone), Some("Téléphone"));
    assert_eq!(file.columns().header(Field::Commune), Some("Commune"));
    assert_eq!(
        file.columns().header(Field::ExternalId),
        Some("Identifiant")
    );
    assert_eq!(file.columns().preload()[0].name, "Tranche d'âge");

    let (rows, report) = import_ok(bytes, "liste.csv");
    assert_eq!(
        kept(&rows),
        [(2, vec!["+33556123456"]), (4, vec!["+33612345678"])]
    );
    let communes: Vec<&str> = rows
        .iter()
        .map(|r| r.commune.as_ref().unwrap().code.as_str())
        .collect();
    assert_eq!(communes, ["33281", "33039"]);
    assert_eq!(rows[0].external_id, "A1");
    assert_eq!(rows[1].preload, ["18-24"]);
    assert_eq!(
        rejections(&report),
        ["ligne 5 : numéro trop court (numéro : « 0612345 »)"]
    );
}

#[test]
fn utf8_with_bom_and_quoted_values_holding_commas_and_line_breaks() {
    let bytes = "\u{feff}id,telephone,commune,adresse\n\
                 1,\"05 56 12 34 56\",\"Villenave-d'Ornon\",\"12, rue des Lilas\"\n\
                 2,\"06 12 34 56 78\",Talence,\"Résidence Les Pins\nBât. B, appt 3\"\n\
                 3,0033 7 52 12 34 56,\"St Médard en Jalles\",\n\
                 4,abc,Talence,\n";
    let file = SampleFile::open(bytes.as_bytes(), "liste.csv", &Mapping::default()).unwrap();
    assert_eq!(
        *file.format(),
        Format::Csv {
            encoding: TextEncoding::Utf8WithBom,
            separator: Separator::Comma
        }
    );
    let (rows, report) = import_ok(bytes.as_bytes(), "liste.csv");
    // The quoted address spans two physical lines but is one spreadsheet row.
    assert_eq!(
        kept(&rows),
        [
            (2, vec!["+33556123456"]),
            (3, vec!["+33612345678"]),
            (4, vec!["+33752123456"])
        ]
    );
    assert_eq!(rows[0].preload, ["12, rue des Lilas"]);
    assert_eq!(rows[1].preload, ["Résidence Les Pins\nBât. B, appt 3"]);
    assert_eq!(
        rows[2].commune.as_ref().unwrap().name,
        "Saint-Médard-en-Jalles"
    );
    assert_eq!(
        rejections(&report),
        ["ligne 5 : lettres dans le numéro (numéro : « abc »)"]
    );
}

#[test]
fn plain_utf8_with_tabs_and_utf16_from_excel_unicode_text_read_alike() {
    let text = "téléphone\tville\n05 56 12 34 56\tBègles\n";
    let (rows, _) = import_ok(text.as_bytes(), "liste.txt");
    assert_eq!(kept(&rows), [(2, vec!["+33556123456"])]);

    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let file = SampleFile::open(&utf16, "liste.txt", &Mapping::default()).unwrap();
    assert_eq!(
        *file.format(),
        Format::Csv {
            encoding: TextEncoding::Utf16Le,
            separator: Separator::Tab
        }
    );
    let (rows, _) = import_ok(&utf16, "liste.txt");
    assert_eq!(rows[0].commune.as_ref().unwrap().code, "33039");
}

#[test]
fn blank_lines_and_rows_of_separators_are_skipped_but_keep_their_line_numbers() {
    let bytes = b"\n\ntelephone;commune\n\n05 56 12 34 56;Pessac\n;;\n   \n06 12 34 56 78;\n";
    let file = SampleFile::open(bytes, "liste.csv", &Mapping::default()).unwrap();
    assert_eq!(file.header_line(), 3);
    let (rows, report) = import_ok(bytes, "liste.csv");
    assert_eq!(
        kept(&rows),
        [(5, vec!["+33556123456"]), (8, vec!["+33612345678"])]
    );
    assert!(report.rejected().is_empty());
    assert_eq!(report.without_commune(), 1);
}

#[test]
fn mac_windows_and_unix_line_endings_number_rows_alike() {
    for bytes in [
        &b"telephone\r0556123456\r\r0612345678\r"[..],
        b"telephone\r\n0556123456\r\n\r\n0612345678\r\n",
        b"telephone;note\r\n0556123456;\"a\r\nb\"\r\n\r\n0612345678;\r\n",
        b"telephone;note\n0556123456;\"a\n\nb\"\n\n0612345678;",
    ] {
        let (rows, _) = import_ok(bytes, "liste.csv");
        assert_eq!(
            kept(&rows),
            [(2, vec!["+33556123456"]), (4, vec!["+33612345678"])],
            "{:?}",
            String::from_utf8_lossy(bytes)
        );
    }
}

#[test]
fn a_header_only_file_has_no_rows() {
    let (rows, report) = import_ok(b"telephone;commune\n", "liste.csv");
    assert!(rows.is_empty());
    assert_eq!(report.accepted(), 0);
}

#[test]
fn a_quote_never_closed_is_a_file_error_at_its_line() {
    let bytes = b"telephone;commune\n0556123456;Pessac\n0612345678;\"Talence\n0752123456;Cenon\n";
    let error = import(bytes, "liste.csv", &Mapping::default()).unwrap_err();
    assert_eq!(
        error,
        FileError::UnclosedQuote {
            file: "liste.csv".to_owned(),
            line: 3
        }
    );
    assert_eq!(
        error.to_string(),
        "liste.csv, ligne 3 : guillemet ouvert et jamais refermé (la fin du fichier serait lue \
         comme une seule valeur)"
    );
    // The rows before it were read.
    let mut file = SampleFile::open(bytes, "liste.csv", &Mapping::default()).unwrap();
    let read: Vec<_> = file.records().unwrap().collect();
    assert_eq!(read.len(), 2);
    assert_eq!(read[0].as_ref().unwrap().line, 2);
}

#[test]
fn a_quoted_value_with_a_line_break_in_the_last_row_is_fine() {
    let bytes = b"telephone,note\n0556123456,\"deux\nlignes\"";
    let (rows, _) = import_ok(bytes, "liste.csv");
    assert_eq!(rows[0].preload, ["deux\nlignes"]);
}

#[test]
fn cells_beyond_the_header_reject_the_row_unless_empty() {
    let bytes = b"telephone,commune,adresse\n\
                  0556123456,Bordeaux,12, rue des Lilas\n\
                  0612345678,Pessac,3 place du March\xC3\xA9,,\n";
    let (rows, report) = import_ok(bytes, "liste.csv");
    assert_eq!(kept(&rows), [(3, vec!["+33612345678"])]);
    assert_eq!(
        rejections(&report),
        [
            "ligne 2 : 4 cellules pour 3 colonnes d'en-tête (un séparateur dans une valeur sans \
          guillemets ?) (« rue des Lilas »)"
        ]
    );
    assert_eq!(report.rejected()[0].field, None);
}

#[test]
fn missing_trailing_cells_are_empty() {
    let (rows, _) = import_ok(b"telephone;commune;age\n0556123456\n", "liste.csv");
    assert_eq!(rows[0].commune, None);
    assert_eq!(rows[0].preload, [""]);
}

#[test]
fn without_a_phone_column_the_error_lists_the_headers_found() {
    let error = import(
        b"nom;ville;age\nDupont;Pessac;40\n",
        "liste.csv",
        &Mapping::default(),
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "liste.csv, ligne 1 : aucune colonne de numéro de téléphone (en-têtes trouvés : « nom », \
         « ville », « age ») ; nommez-la « telephone » ou indiquez-la dans la correspondance des \
         colonnes"
    );
}

#[test]
fn two_headers_for_one_field_ask_which_one() {
    let error = import(b"tel;telephone\n1;2\n", "liste.csv", &Mapping::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "liste.csv, ligne 1 : plusieurs colonnes possibles pour « numéro » (« tel », \
         « telephone ») ; indiquez laquelle utiliser dans la correspondance des colonnes"
    );
    let mapping = Mapping {
        phone: Some("telephone".to_owned()),
        ..Mapping::default()
    };
    let (rows, _) = import(b"tel;telephone\nx;0556123456\n", "liste.csv", &mapping).unwrap();
    assert_eq!(kept(&rows), [(2, vec!["+33556123456"])]);
    assert_eq!(rows[0].preload, ["x"]);
}

#[test]
fn a_header_written_twice_is_a_file_error() {
    let error = import(b"telephone;age;age\n", "liste.csv", &Mapping::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "liste.csv, ligne 1 : la colonne « age » figure deux fois dans l'en-tête"
    );
}

#[test]
fn empty_files_are_file_errors() {
    for bytes in [&b""[..], b"\n\n  \r\n", b"\xEF\xBB\xBF", b";;\n"] {
        assert_eq!(
            SampleFile::open(bytes, "vide.csv", &Mapping::default()).err(),
            Some(FileError::Empty {
                file: "vide.csv".to_owned()
            }),
            "{bytes:?}"
        );
    }
}

#[test]
fn bad_bytes_after_a_utf8_bom_are_a_file_error_at_their_line() {
    let error = SampleFile::open(
        b"\xEF\xBB\xBFtelephone\n0556123456\nM\xE9rignac\n",
        "liste.csv",
        &Mapping::default(),
    )
    .err()
    .unwrap();
    assert_eq!(
        error.to_string(),
        "liste.csv, ligne 3 : caractères illisibles en UTF-8 avec BOM"
    );
}

#[test]
fn headers_are_recognised_whatever_their_case_accents_and_spaces() {
    let bytes =
        "N° de Téléphone;Tél. portable;CODE_INSEE;Réf\n0556123456;06 12 34 56 78;33063;R-1\n";
    let file = SampleFile::open(bytes.as_bytes(), "liste.csv", &Mapping::default()).unwrap();
    let columns = file.columns();
    assert_eq!(columns.header(Field::Phone), Some("N° de Téléphone"));
    assert_eq!(columns.header(Field::SecondPhone), Some("Tél. portable"));
    assert_eq!(columns.header(Field::Commune), Some("CODE_INSEE"));
    assert_eq!(columns.header(Field::ExternalId), Some("Réf"));
    assert!(columns.preload().is_empty());
}

#[test]
fn a_list_of_mobiles_headed_portable_uses_it_as_the_phone_column() {
    let (rows, _) = import_ok(b"portable;commune\n06 12 34 56 78;Cenon\n", "liste.csv");
    assert_eq!(kept(&rows), [(2, vec!["+33612345678"])]);
    assert!(rows[0].phone.is_some());
}

#[test]
fn the_mapping_names_columns_drops_a_look_alike_and_flags_personal_fields() {
    let bytes = "Num1;Num2;Lieu;Code;mobile;Nom\n\
                 0556123456;0612345678;Bruges;X9;oui;Dupont\n";
    let mapping = Mapping {
        phone: Some("num1".to_owned()),
        second_phone: Pick::Column("NUM 2".to_owned()),
        commune: Pick::Column("Lieu".to_owned()),
        external_id: Pick::Column("Code".to_owned()),
        personal: vec!["nom".to_owned()],
    };
    let mut file = SampleFile::open(bytes.as_bytes(), "liste.csv", &mapping).unwrap();
    let fields: Vec<(&str, bool)> = file
        .columns()
        .preload()
        .iter()
        .map(|f| (f.name.as_str(), f.personal))
        .collect();
    // `mobile` would be the second number by its name; the mapping gave that role to Num2.
    assert_eq!(fields, [("mobile", false), ("Nom", true)]);
    let record = file.records().unwrap().next().unwrap().unwrap();
    assert_eq!(record.second_phone, "0612345678");
    assert_eq!(record.external_id.as_deref(), Some("X9"));

    let absent = Mapping {
        second_phone: Pick::Absent,
        ..Mapping::default()
    };
    let file = SampleFile::open(b"telephone;mobile\n0556123456;oui\n", "l.csv", &absent).unwrap();
    assert_eq!(file.columns().header(Field::SecondPhone), None);
    assert_eq!(file.columns().preload()[0].name, "mobile");
}

#[test]
fn a_mapping_naming_a_missing_column_is_a_file_error() {
    let mapping = Mapping {
        commune: Pick::Column("Ville".to_owned()),
        personal: vec!["nom".to_owned()],
        ..Mapping::default()
    };
    let error = import(b"telephone;lieu\n", "liste.csv", &mapping).unwrap_err();
    assert_eq!(
        error.to_string(),
        "liste.csv, ligne 1 : pas de colonne « Ville » pour « commune » (en-têtes trouvés : \
         « telephone », « lieu »)"
    );
    let mapping = Mapping {
        personal: vec!["nom".to_owned()],
        ..Mapping::default()
    };
    let error = import(b"telephone;lieu\n", "liste.csv", &mapping).unwrap_err();
    assert_eq!(
        error.to_string(),
        "liste.csv, ligne 1 : pas de colonne « nom » à marquer comme personnelle (en-têtes \
         trouvés : « telephone », « lieu »)"
    );
}

#[test]
fn columns_without_a_header_are_ignored() {
    let (rows, _) = import_ok(b"telephone;;age\n0556123456;x;40\n", "liste.csv");
    assert_eq!(rows[0].preload, ["40"]);
}

#[test]
fn without_an_identifier_column_a_row_is_known_by_its_line() {
    let (rows, _) = import_ok(b"telephone\n\n0556123456\n", "liste.csv");
    assert_eq!(rows[0].external_id, "L3");
    let (rows, _) = import_ok(b"id;telephone\n;0556123456\n", "liste.csv");
    assert_eq!(rows[0].external_id, "L2");
}

#[test]
fn progress_reaches_the_end_of_the_text() {
    let bytes = b"telephone\n0556123456\n0612345678\n";
    let mut file = SampleFile::open(bytes, "liste.csv", &Mapping::default()).unwrap();
    let mut records = file.records().unwrap();
    assert_eq!(records.progress().total, bytes.len() as u64);
    records.by_ref().for_each(drop);
    let progress = records.progress();
    assert_eq!(progress.done, progress.total);
}

#[test]
fn old_and_other_spreadsheet_formats_are_refused_with_advice() {
    let error = SampleFile::open(
        b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
        "liste.xls",
        &Mapping::default(),
    )
    .err()
    .unwrap();
    assert_eq!(
        error.to_string(),
        "liste.xls : format Excel 97-2003 .xls non pris en charge ; enregistrez le fichier en \
         .xlsx ou en .csv"
    );
}
