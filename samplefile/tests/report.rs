//! The import report of a file with every kind of bad row, read the way the server reads it
//! (batches, then its own checks against the database), checked line by line.

mod common;

use common::{communes, kept, rejections};
use samplefile::{CallerCheck, LineType, Mapping, Report, Row, SampleFile, Validator};

const TRICKY: &str = "\
id;telephone;portable;commune;age;nom
1;05 56 12 34 56;;Bordeaux;34;Dupont
2;0556123456;;Pessac;51;Martin
3;+33 6 12 34 56 78;06 12 34 56 78;Mérignac;29;
4;0800 12 34 56;;Talence;40;
5;3949;;Talence;;
6;02 62 12 34 56;;Cenon;;
7;+44 20 7946 0958;;Cenon;;
8;05 56 12 34 5a;;Cenon;;
9;;;Cenon;;
10;0612345;;Cenon;;
11;05 56 12 34 56 78;;Cenon;;
12;09 51 23 45 67;07 52 12 34 56;Arcachon;;
1;09 51 23 45 67;;Lormont;;
13;;06 11 22 33 44;Bouscat (Le);;
14;09 51 23 45 67;néant;Lormont;;
15;07 52 12 34 56;;33000;;
16;0033 7 52 12 34 56;;Lormont;;
17;05 57 00 00 01;;;;
18;05 57 00 00 02;;Bègles;;
";

/// Reads `bytes` as the server does: batches of `batch_size` rows checked against the
/// "database" (`in_wave`, `do_not_call`) before being counted.
fn import_in_batches(
    bytes: &[u8],
    batch_size: usize,
    in_wave: &[&str],
    do_not_call: &[&str],
) -> (Vec<Row>, Report) {
    let communes = communes();
    let mut file = SampleFile::open(bytes, "liste.csv", &Mapping::default()).unwrap();
    let mut validator = Validator::new(&communes);
    let mut report = Report::new();
    let mut imported = Vec::new();
    let mut batch = Vec::new();
    let mut records = file.records().unwrap().peekable();
    while let Some(record) = records.next() {
        match validator.validate(record.unwrap()) {
            Ok(row) => batch.push(row),
            Err(rejection) => report.reject(rejection),
        }
        if batch.len() == batch_size || records.peek().is_none() {
            report.reject_if(&mut batch, CallerCheck::AlreadyInWave, |e164| {
                in_wave.contains(&e164)
            });
            report.reject_if(&mut batch, CallerCheck::DoNotCall, |e164| {
                do_not_call.contains(&e164)
            });
            for row in &batch {
                report.accept(row);
            }
            imported.append(&mut batch);
        }
    }
    (imported, report)
}

fn tricky_report() -> (Vec<Row>, Report) {
    import_in_batches(TRICKY.as_bytes(), 4, &["+33557000002"], &["+33557000001"])
}

#[test]
fn every_bad_row_is_reported_with_its_line_and_reason() {
    let (rows, report) = tricky_report();
    assert_eq!(
        rejections(&report),
        [
            "ligne 3 : numéro en double dans le fichier (déjà ligne 2) (numéro : « 0556123456 »)",
            "ligne 5 : numéro spécial (08…) (numéro : « 0800 12 34 56 »)",
            "ligne 6 : numéro court (3949, 118…) (numéro : « 3949 »)",
            "ligne 7 : numéro non valide en France (+33) (numéro : « 02 62 12 34 56 »)",
            "ligne 8 : numéro hors de France métropolitaine (+44) (numéro : « +44 20 7946 0958 »)",
            "ligne 9 : lettres dans le numéro (numéro : « 05 56 12 34 5a »)",
            "ligne 10 : numéro vide",
            "ligne 11 : numéro trop court (numéro : « 0612345 »)",
            "ligne 12 : numéro trop long (numéro : « 05 56 12 34 56 78 »)",
            "ligne 13 : commune inconnue (commune : « Arcachon »)",
            "ligne 14 : identifiant en double dans le fichier (déjà ligne 2) (identifiant : « 1 »)",
            "ligne 16 : lettres dans le numéro (2e numéro : « néant »)",
            "ligne 17 : code INSEE hors des communes de l'enquête (code postal ?) (commune : \
             « 33000 »)",
            "ligne 19 : numéro sur la liste des personnes à ne plus appeler (numéro : \
             « +33557000001 »)",
            "ligne 20 : numéro déjà dans la vague (numéro : « +33557000002 »)",
        ]
    );
    // A number on a rejected row (line 13) does not make line 18 a duplicate; the second
    // number equal to the first (line 4) is kept once.
    assert_eq!(
        kept(&rows),
        [
            (2, vec!["+33556123456"]),
            (4, vec!["+33612345678"]),
            (15, vec!["+33611223344"]),
            (18, vec!["+33752123456"]),
        ]
    );
    assert!(rows[2].phone.is_none() && rows[2].second_phone.is_some());
}

#[test]
fn counts_by_reason_commune_and_line_type() {
    let (_, report) = tricky_report();
    assert_eq!(report.accepted(), 4);
    assert_eq!(report.rejected().len(), 15);
    let by_reason: Vec<(&str, &str, u64)> = report
        .by_reason()
        .map(|count| (count.code, count.label, count.count))
        .collect();
    assert_eq!(
        by_reason,
        [
            ("already_in_wave", "numéro déjà dans la vague", 1),
            (
                "commune_outside_survey",
                "code INSEE hors des communes de l'enquête (code postal ?)",
                1
            ),
            (
                "do_not_call",
                "numéro sur la liste des personnes à ne plus appeler",
                1
            ),
            ("duplicate_id", "identifiant en double dans le fichier", 1),
            ("duplicate_phone", "numéro en double dans le fichier", 1),
            ("empty_phone", "numéro vide", 1),
            ("foreign_number", "numéro hors de France métropolitaine", 1),
            ("invalid_number", "numéro non valide en France (+33)", 1),
            ("letters", "lettres dans le numéro", 2),
            ("short_number", "numéro court (3949, 118…)", 1),
            ("special_number", "numéro spécial (08…)", 1),
            ("too_long", "numéro trop long", 1),
            ("too_short", "numéro trop court", 1),
            ("unknown_commune", "commune inconnue", 1),
        ]
    );
    let by_commune: Vec<(&str, &str, u64)> = report
        .by_commune()
        .map(|c| (c.code.as_str(), c.name.as_str(), c.count))
        .collect();
    assert_eq!(
        by_commune,
        [
            ("33063", "Bordeaux", 1),
            ("33069", "Le Bouscat", 1),
            ("33249", "Lormont", 1),
            ("33281", "Mérignac", 1),
        ]
    );
    assert_eq!(report.without_commune(), 0);
    let by_line_type: Vec<(LineType, u64)> = report.by_line_type().collect();
    assert_eq!(
        by_line_type,
        [(LineType::Landline, 1), (LineType::Mobile, 3)]
    );
}

#[test]
fn the_report_is_the_same_whatever_the_batch_size() {
    let (rows, report) = tricky_report();
    for batch_size in [1, 2, 7, 1000] {
        let (other_rows, other) = import_in_batches(
            TRICKY.as_bytes(),
            batch_size,
            &["+33557000002"],
            &["+33557000001"],
        );
        assert_eq!(other_rows, rows, "batches of {batch_size}");
        assert_eq!(other, report, "batches of {batch_size}");
    }
}

#[test]
fn the_csv_report_opens_in_a_french_spreadsheet() {
    let (_, report) = tricky_report();
    let mut out = Vec::new();
    report.write_csv(&mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("\u{feff}ligne;champ;motif;code;valeur"));
    let lines: Vec<&str> = lines.collect();
    assert_eq!(lines.len(), 15);
    assert_eq!(
        lines[0],
        "3;numéro;numéro en double dans le fichier (déjà ligne 2);duplicate_phone;0556123456"
    );
    assert_eq!(lines[6], "10;numéro;numéro vide;empty_phone;");
    assert_eq!(
        lines[11],
        "16;2e numéro;lettres dans le numéro;letters;néant"
    );
    assert_eq!(
        lines[14],
        "20;numéro;numéro déjà dans la vague;already_in_wave;+33557000002"
    );
}

#[test]
fn the_csv_report_quotes_values_holding_its_separator() {
    let bytes = b"telephone,commune,adresse\n0556123456,Bordeaux,1; rue X, bis\n";
    let (_, report) = import_in_batches(bytes, 10, &[], &[]);
    let mut out = Vec::new();
    report.write_csv(&mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(
        text.lines().nth(1),
        Some(
            "2;ligne;4 cellules pour 3 colonnes d'en-tête (un séparateur dans une valeur sans \
             guillemets ?);extra_cells;bis"
        )
    );
    let bytes = b"telephone;commune\n\"05 56; 12\";Bordeaux\n";
    let (_, report) = import_in_batches(bytes, 10, &[], &[]);
    let mut out = Vec::new();
    report.write_csv(&mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(
        text.lines().nth(1),
        Some("2;numéro;numéro trop court;too_short;\"05 56; 12\"")
    );
}

#[test]
fn the_json_report_has_the_shape_the_issue_asks_for() {
    let bytes = "id;telephone;commune\n\
                 a;05 56 12 34 56;Talence\n\
                 b;0612345;Talence\n\
                 c;06 12 34 56 78;\n\
                 d;09 51 23 45 67;Talence\n";
    let (_, report) = import_in_batches(bytes.as_bytes(), 10, &["+33951234567"], &[]);
    let json = serde_json::to_value(report.to_json(2)).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "imported": 2,
            "accepted": 2,
            "rejected": [
                {"line": 3, "reason": "numéro trop court", "code": "too_short",
                 "field": "phone", "value": "0612345"},
                {"line": 5, "reason": "numéro déjà dans la vague", "code": "already_in_wave",
                 "field": "phone", "value": "+33951234567"},
            ],
            "by_reason": {"already_in_wave": 1, "too_short": 1},
            "by_commune": [{"code": "33522", "name": "Talence", "count": 1}],
            "without_commune": 1,
            "by_line_type": {"landline": 1, "mobile": 1},
        })
    );
}

#[test]
fn a_row_whose_second_number_is_in_the_wave_is_rejected_for_it() {
    let bytes = b"telephone;portable\n0556123456;0612345678\n";
    let (rows, report) = import_in_batches(bytes, 10, &["+33612345678"], &[]);
    assert!(rows.is_empty());
    assert_eq!(
        rejections(&report),
        ["ligne 2 : numéro déjà dans la vague (2e numéro : « +33612345678 »)"]
    );
}
