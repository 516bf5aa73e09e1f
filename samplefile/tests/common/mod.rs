//! What the tests share: the survey's communes and the whole reading of a file.

#![allow(dead_code)] // each test binary uses its own part of this module

use samplefile::{CommuneList, FileError, Mapping, Report, Row, SampleFile, Validator};

/// The 28 communes of Bordeaux Métropole (INSEE code, official name), as in
/// `shared/data/bm_communes.csv`.
pub const BM_COMMUNES: [(&str, &str); 28] = [
    ("33003", "Ambarès-et-Lagrave"),
    ("33004", "Ambès"),
    ("33013", "Artigues-près-Bordeaux"),
    ("33032", "Bassens"),
    ("33039", "Bègles"),
    ("33056", "Blanquefort"),
    ("33063", "Bordeaux"),
    ("33065", "Bouliac"),
    ("33069", "Le Bouscat"),
    ("33075", "Bruges"),
    ("33096", "Carbon-Blanc"),
    ("33119", "Cenon"),
    ("33162", "Eysines"),
    ("33167", "Floirac"),
    ("33192", "Gradignan"),
    ("33200", "Le Haillan"),
    ("33249", "Lormont"),
    ("33273", "Martignas-sur-Jalle"),
    ("33281", "Mérignac"),
    ("33312", "Parempuyre"),
    ("33318", "Pessac"),
    ("33376", "Saint-Aubin-de-Médoc"),
    ("33434", "Saint-Louis-de-Montferrand"),
    ("33449", "Saint-Médard-en-Jalles"),
    ("33487", "Saint-Vincent-de-Paul"),
    ("33519", "Le Taillan-Médoc"),
    ("33522", "Talence"),
    ("33550", "Villenave-d'Ornon"),
];

/// The survey's communes.
pub fn communes() -> CommuneList {
    CommuneList::new(BM_COMMUNES).expect("the 28 communes make a list")
}

/// A file read and validated as the server does it, without database checks: the rows kept,
/// the report (every kept row accepted).
pub fn import(
    bytes: &[u8],
    name: &str,
    mapping: &Mapping,
) -> Result<(Vec<Row>, Report), FileError> {
    let communes = communes();
    let mut file = SampleFile::open(bytes, name, mapping)?;
    let mut validator = Validator::new(&communes);
    let mut report = Report::new();
    let mut rows = Vec::new();
    for record in file.records()? {
        match validator.validate(record?) {
            Ok(row) => rows.push(row),
            Err(rejection) => report.reject(rejection),
        }
    }
    for row in &rows {
        report.accept(row);
    }
    Ok((rows, report))
}

/// `import` with the default mapping, for a file that must read.
pub fn import_ok(bytes: &[u8], name: &str) -> (Vec<Row>, Report) {
    import(bytes, name, &Mapping::default()).unwrap_or_else(|error| panic!("{error}"))
}

/// The rejections as the report shows them, one line each.
pub fn rejections(report: &Report) -> Vec<String> {
    report.rejected().iter().map(ToString::to_string).collect()
}

/// Lines and E.164 numbers of the rows kept.
pub fn kept(rows: &[Row]) -> Vec<(u32, Vec<&str>)> {
    rows.iter()
        .map(|row| {
            (
                row.line,
                row.phones().map(|(_, p)| p.e164.as_str()).collect(),
            )
        })
        .collect()
}
