//! Reading and validating a phone list of 1,000,000 rows as the server does before its inserts
//! (open, rows one at a time, validation, report), from CSV then from .xlsx, generated in memory
//! with realistic numbers written the ways managers write them. Prints rows per second.
//!
//! `cargo bench -p samplefile` (set `SAMPLEFILE_BENCH_ROWS` for another size).

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::{Duration, Instant};

use samplefile::{CommuneList, Mapping, Report, SampleFile, Validator};

const COMMUNES: [(&str, &str); 28] = [
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

/// Four-digit starts of the generated numbers: Bordeaux landlines, mobiles, 09 box lines.
const PREFIXES: [&str; 12] = [
    "0556", "0557", "0535", "0547", "0612", "0623", "0645", "0678", "0752", "0767", "0950", "0972",
];

/// Bad values sprinkled over the file (about 1 row in 150).
const BAD: [&str; 6] = [
    "0612345",
    "05 56 12 34 5a",
    "0800 12 34 56",
    "3949",
    "02 62 12 34 56",
    "+44 20 7946 0958",
];

/// The phone of row `i`, unique for each `i` below 1,000,000 per prefix, in one of the ways
/// managers write numbers.
fn phone(i: usize) -> String {
    if i % 150 == 149 {
        return BAD[i / 150 % BAD.len()].to_owned();
    }
    // One row in 300 repeats the number of the row before it (written another way).
    let n = if i % 300 == 100 { i - 1 } else { i };
    let prefix = PREFIXES[n % PREFIXES.len()];
    let suffix = (n / PREFIXES.len() * 7919 + 12_345) % 1_000_000;
    let digits = format!("{prefix}{suffix:06}");
    let d = digits.as_bytes();
    let pair = |k: usize| std::str::from_utf8(&d[k..k + 2]).unwrap_or_default();
    match i % 5 {
        0 => format!(
            "{} {} {} {} {}",
            pair(0),
            pair(2),
            pair(4),
            pair(6),
            pair(8)
        ),
        1 => digits,
        2 => format!(
            "+33 {} {} {} {} {}",
            &digits[1..2],
            pair(2),
            pair(4),
            pair(6),
            pair(8)
        ),
        3 => format!(
            "{}.{}.{}.{}.{}",
            pair(0),
            pair(2),
            pair(4),
            pair(6),
            pair(8)
        ),
        _ => format!("0033{}", &digits[1..]),
    }
}

/// The commune cell of row `i`: a code, a name as written officially or in capitals, or empty.
fn commune(i: usize) -> String {
    let (code, name) = COMMUNES[i % COMMUNES.len()];
    match i % 20 {
        0 => String::new(),
        1..=7 => code.to_owned(),
        8..=15 => name.to_owned(),
        _ => name.to_uppercase(),
    }
}

fn csv(rows: usize) -> Vec<u8> {
    let mut text = String::with_capacity(rows * 64);
    text.push_str("id;telephone;commune;age;sexe\n");
    for i in 0..rows {
        let _ = writeln!(
            text,
            "R{i};{};{};{};{}",
            phone(i),
            commune(i),
            18 + i % 70,
            if i % 2 == 0 { "F" } else { "H" }
        );
    }
    text.into_bytes()
}

fn xlsx(rows: usize) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let write = |sheet: &mut rust_xlsxwriter::Worksheet| -> Result<(), rust_xlsxwriter::XlsxError> {
        for (column, header) in (0_u16..).zip(["id", "telephone", "commune", "age"]) {
            sheet.write_string(0, column, header)?;
        }
        for (row, i) in (1_u32..).zip(0..rows) {
            sheet.write_string(row, 0, format!("R{i}"))?;
            // One phone in five stored as a number, as Excel does with 0556123456.
            let number = phone(i);
            match number.parse::<f64>() {
                Ok(value) if i % 5 == 1 => sheet.write_number(row, 1, value)?,
                _ => sheet.write_string(row, 1, number)?,
            };
            sheet.write_string(row, 2, commune(i))?;
            sheet.write_number(row, 3, (18 + i % 70) as f64)?;
        }
        Ok(())
    };
    write(sheet).expect("the workbook is written");
    book.save_to_buffer().expect("the workbook is saved")
}

/// Reads and validates every row as the server does, in batches of 5,000.
fn import(bytes: &[u8], name: &str, communes: &CommuneList) -> Report {
    let mut file = SampleFile::open(bytes, name, &Mapping::default()).expect("the file opens");
    let mut validator = Validator::new(communes);
    let mut report = Report::new();
    let mut batch = Vec::with_capacity(5_000);
    for record in file.records().expect("the rows read") {
        match validator.validate(record.expect("the row reads")) {
            Ok(row) => batch.push(row),
            Err(rejection) => report.reject(rejection),
        }
        if batch.len() == 5_000 {
            batch.drain(..).for_each(|row| report.accept(&row));
        }
    }
    batch.drain(..).for_each(|row| report.accept(&row));
    report
}

fn measure(label: &str, bytes: &[u8], name: &str, rows: usize, communes: &CommuneList) {
    let start = Instant::now();
    let report = black_box(import(bytes, name, communes));
    let elapsed = start.elapsed();
    println!(
        "{label}: {rows} rows ({:.1} MB) read and validated in {:.2} s = {:.0} rows/s \
         (accepted {}, rejected {})",
        bytes.len() as f64 / 1e6,
        elapsed.as_secs_f64(),
        rows as f64 / elapsed.max(Duration::from_micros(1)).as_secs_f64(),
        report.accepted(),
        report.rejected().len(),
    );
}

fn main() {
    let rows = std::env::var("SAMPLEFILE_BENCH_ROWS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(1_000_000);
    let communes = CommuneList::new(COMMUNES).expect("the communes make a list");

    let bytes = csv(rows);
    measure("CSV", &bytes, "liste.csv", rows, &communes);
    drop(bytes);

    let start = Instant::now();
    let bytes = xlsx(rows);
    println!(
        "(.xlsx generated in {:.1} s)",
        start.elapsed().as_secs_f64()
    );
    measure(".xlsx", &bytes, "liste.xlsx", rows, &communes);
}
