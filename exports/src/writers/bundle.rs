//! Writes the complete set of export files into one directory, with a checksum manifest: what
//! an analyst downloads as one export.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use super::WriteError;
use super::codebook::{write_codebook_html, write_codebook_markdown};
use super::csv::{CsvOptions, write_csv};
use super::datapackage::{DataResource, ResourceFormat, write_datapackage};
use super::dta::write_dta;
use super::manifest::Manifest;
use super::parquet::write_parquet;
use super::sav::{SavOptions, write_sav};
use crate::dataset::Dataset;

/// CSV for analysis tools, `,` separator: don't know / refused as empty cells with their reason
/// in `<variable>_nr`.
pub const CSV: &str = "donnees.csv";
/// CSV with the codes, don't know / refused included (98, 99), `,` separator.
pub const CSV_CODES: &str = "donnees-codes.csv";
/// Coded CSV for French-locale spreadsheets (`;`, decimal comma, BOM).
pub const CSV_EXCEL_FR: &str = "donnees-excel-fr.csv";
/// CSV with value labels in place of codes.
pub const CSV_LABELLED: &str = "donnees-libelles.csv";
/// SPSS system file, bytecode-compressed, weighted by the weight variable.
pub const SAV: &str = "donnees.sav";
/// Stata 118 file.
pub const DTA: &str = "donnees.dta";
/// Parquet file with label metadata, don't know / refused as nulls with reason columns.
pub const PARQUET: &str = "donnees.parquet";
/// Markdown codebook.
pub const CODEBOOK_MD: &str = "dictionnaire.md";
/// HTML codebook.
pub const CODEBOOK_HTML: &str = "dictionnaire.html";
/// Frictionless descriptor of every data file.
pub const DATAPACKAGE: &str = "datapackage.json";
/// Checksums of every other file.
pub const MANIFEST: &str = "manifest.json";

/// The CSV files of an export with their options, in the order they are written.
pub fn csv_files() -> [(&'static str, CsvOptions); 4] {
    [
        (CSV, CsvOptions::analysis()),
        (CSV_CODES, CsvOptions::machine()),
        (CSV_EXCEL_FR, CsvOptions::excel_fr()),
        (CSV_LABELLED, CsvOptions::labelled()),
    ]
}

/// The `.sav` options of an export: bytecode compression and the weight switched on
/// (`WEIGHT BY` applied when SPSS opens the file).
pub fn sav_options() -> SavOptions {
    SavOptions {
        weight_in_header: true,
        ..SavOptions::default()
    }
}

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

/// Writes the data file `path` of `dataset` in `format` into `dir`, records it in `manifest`
/// and returns its description for the data package.
pub fn write_data_file(
    dataset: &Dataset,
    dir: &Path,
    path: &str,
    format: ResourceFormat,
    manifest: &mut Manifest,
) -> Result<DataResource, WriteError> {
    write_file(dir, path, |w| match format {
        ResourceFormat::Csv(options) => write_csv(dataset, &options, w),
        ResourceFormat::Sav => write_sav(dataset, &sav_options(), w),
        ResourceFormat::Dta => write_dta(dataset, w),
        ResourceFormat::Parquet => write_parquet(dataset, w),
    })?;
    let entry = manifest.add_file(dir, path)?;
    Ok(DataResource {
        path: path.to_owned(),
        format,
        bytes: Some(entry.bytes),
        sha256: Some(entry.sha256.clone()),
    })
}

/// Writes the Markdown and HTML codebooks into `dir` and records them in `manifest`.
pub fn write_codebooks(
    dataset: &Dataset,
    dir: &Path,
    weight: Option<&str>,
    manifest: &mut Manifest,
) -> Result<(), WriteError> {
    write_file(dir, CODEBOOK_MD, |w| {
        write_codebook_markdown(dataset, weight, w)
    })?;
    manifest.add_file(dir, CODEBOOK_MD)?;
    write_file(dir, CODEBOOK_HTML, |w| {
        write_codebook_html(dataset, weight, w)
    })?;
    manifest.add_file(dir, CODEBOOK_HTML)?;
    Ok(())
}

/// Writes `datapackage.json` describing `files` into `dir` and records it in `manifest`.
pub fn write_package(
    dataset: &Dataset,
    dir: &Path,
    files: &[DataResource],
    manifest: &mut Manifest,
) -> Result<(), WriteError> {
    write_file(dir, DATAPACKAGE, |w| write_datapackage(dataset, files, w))?;
    manifest.add_file(dir, DATAPACKAGE)?;
    Ok(())
}

/// Writes every format of `dataset` into the existing directory `dir` under the names above
/// (the four CSV files, `.sav`, `.dta`, Parquet, the codebooks and `datapackage.json`
/// describing every data file), then `manifest.json` with their sizes and SHA-256, and returns
/// the manifest. `weight` names the codebook's weight variable (default: the dataset's weight
/// role).
pub fn write_bundle(
    dataset: &Dataset,
    dir: &Path,
    weight: Option<&str>,
) -> Result<Manifest, WriteError> {
    let mut manifest = Manifest::new(dataset.info().created);
    let mut files = Vec::new();
    for (path, options) in csv_files() {
        let csv = ResourceFormat::Csv(options);
        files.push(write_data_file(dataset, dir, path, csv, &mut manifest)?);
    }
    for (path, format) in [
        (SAV, ResourceFormat::Sav),
        (DTA, ResourceFormat::Dta),
        (PARQUET, ResourceFormat::Parquet),
    ] {
        files.push(write_data_file(dataset, dir, path, format, &mut manifest)?);
    }
    write_codebooks(dataset, dir, weight, &mut manifest)?;
    write_package(dataset, dir, &files, &mut manifest)?;
    std::fs::write(dir.join(MANIFEST), manifest.to_json()?)?;
    Ok(manifest)
}
