//! Writes the complete set of export files into one directory, with a checksum manifest: what
//! an analyst downloads as one export.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use super::WriteError;
use super::codebook::{write_codebook_html, write_codebook_markdown};
use super::csv::{CsvDialect, CsvOptions, write_csv};
use super::datapackage::{CsvResource, write_datapackage};
use super::dta::write_dta;
use super::manifest::Manifest;
use super::parquet::write_parquet;
use super::sav::{SavOptions, write_sav};
use crate::dataset::Dataset;

/// Coded CSV, `,` separator (described by `datapackage.json`).
pub const CSV: &str = "donnees.csv";
/// Coded CSV for French-locale spreadsheets (`;`, decimal comma, BOM).
pub const CSV_EXCEL_FR: &str = "donnees-excel-fr.csv";
/// CSV with value labels in place of codes.
pub const CSV_LABELLED: &str = "donnees-libelles.csv";
/// SPSS system file, bytecode-compressed.
pub const SAV: &str = "donnees.sav";
/// Stata 118 file.
pub const DTA: &str = "donnees.dta";
/// Parquet file with label metadata.
pub const PARQUET: &str = "donnees.parquet";
/// Markdown codebook.
pub const CODEBOOK_MD: &str = "dictionnaire.md";
/// HTML codebook.
pub const CODEBOOK_HTML: &str = "dictionnaire.html";
/// Frictionless descriptor of [`CSV`].
pub const DATAPACKAGE: &str = "datapackage.json";
/// Checksums of every other file.
pub const MANIFEST: &str = "manifest.json";

/// Writes one file of the bundle.
type FileWriter<'a> = dyn Fn(&mut BufWriter<File>) -> Result<(), WriteError> + 'a;

fn write_file(
    dir: &Path,
    name: &str,
    write: impl FnOnce(&mut BufWriter<File>) -> Result<(), WriteError>,
) -> Result<(), WriteError> {
    let mut out = BufWriter::with_capacity(1 << 20, File::create(dir.join(name))?);
    write(&mut out)?;
    out.flush()?;
    Ok(())
}

/// Writes every format of `dataset` into the existing directory `dir` under the names above,
/// then `manifest.json` with their sizes and SHA-256, and returns the manifest. `weight` names
/// the codebook's weight variable (default: the dataset's weight role).
pub fn write_bundle(
    dataset: &Dataset,
    dir: &Path,
    weight: Option<&str>,
) -> Result<Manifest, WriteError> {
    let mut manifest = Manifest::new(dataset.info().created);
    write_file(dir, CSV, |w| write_csv(dataset, &CsvOptions::machine(), w))?;
    let csv = manifest.add_file(dir, CSV)?.clone();
    let steps: [(&str, &FileWriter<'_>); 8] = [
        (CSV_EXCEL_FR, &|w| {
            write_csv(dataset, &CsvOptions::excel_fr(), w)
        }),
        (CSV_LABELLED, &|w| {
            write_csv(dataset, &CsvOptions::labelled(), w)
        }),
        (SAV, &|w| write_sav(dataset, &SavOptions::default(), w)),
        (DTA, &|w| write_dta(dataset, w)),
        (PARQUET, &|w| write_parquet(dataset, w)),
        (CODEBOOK_MD, &|w| {
            write_codebook_markdown(dataset, weight, w)
        }),
        (CODEBOOK_HTML, &|w| write_codebook_html(dataset, weight, w)),
        (DATAPACKAGE, &|w| {
            let resource = CsvResource {
                path: CSV.into(),
                dialect: CsvDialect::Machine,
                bytes: Some(csv.bytes),
                sha256: Some(csv.sha256.clone()),
            };
            write_datapackage(dataset, &resource, w)
        }),
    ];
    for (name, write) in steps {
        write_file(dir, name, write)?;
        manifest.add_file(dir, name)?;
    }
    std::fs::write(dir.join(MANIFEST), manifest.to_json()?)?;
    Ok(manifest)
}
