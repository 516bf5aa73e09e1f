//! A phone list's bytes into `samplefile`: opened as CSV or as .xlsx (the first byte picks the
//! file name, the bytes decide the format), every record read and validated, the report written.
#![no_main]

use libfuzzer_sys::fuzz_target;
use samplefile::{CommuneList, Mapping, Report, SampleFile, Validator};

const NAMES: [&str; 4] = ["liste.csv", "liste.xlsx", "liste", "liste.txt"];

fuzz_target!(|data: &[u8]| {
    let Some((&first, bytes)) = data.split_first() else {
        return;
    };
    let name = NAMES[usize::from(first) % NAMES.len()];
    let communes = CommuneList::new([
        ("33063", "Bordeaux"),
        ("33069", "Le Bouscat"),
        ("33281", "Mérignac"),
    ])
    .expect("a valid commune list");
    let mapping = Mapping::default();
    let Ok(mut file) = SampleFile::open(bytes, name, &mapping) else {
        return;
    };
    let _ = file.columns().headers().len();
    let mut validator = Validator::new(&communes);
    let mut report = Report::new();
    let Ok(records) = file.records() else { return };
    for record in records {
        match record {
            Ok(record) => match validator.validate(record) {
                Ok(row) => report.accept(&row),
                Err(rejection) => {
                    let _ = rejection.to_string();
                    report.reject(rejection);
                }
            },
            Err(error) => {
                let _ = error.to_string();
                break;
            }
        }
    }
    report
        .write_csv(std::io::sink())
        .expect("a report is written");
    let _ = report.to_json(report.accepted());
});
