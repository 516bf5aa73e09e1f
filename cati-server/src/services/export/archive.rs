//! One zip of an export directory, for downloads. The files go in name order with a fixed
//! date, so that the same export gives the same archive.

use std::io::{Cursor, Write};
use std::path::Path;

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

/// Why the archive could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// Reading the directory failed.
    #[error("lecture de l'export : {0}")]
    Io(#[from] std::io::Error),
    /// The zip writer failed.
    #[error("création de l'archive : {0}")]
    Zip(#[from] zip::result::ZipError),
}

/// The regular files directly in `dir`, zipped under the folder `folder/`.
pub fn zip_directory(dir: &Path, folder: &str) -> Result<Vec<u8>, ArchiveError> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    names.sort();
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644);
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for name in names {
        zip.start_file(format!("{folder}/{name}"), options)?;
        zip.write_all(&std::fs::read(dir.join(&name))?)?;
    }
    Ok(zip.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_directory_gives_the_same_archive() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("b.csv"), "x\n1\n").unwrap();
        std::fs::write(dir.path().join("a.json"), "{}\n").unwrap();
        std::fs::create_dir(dir.path().join("skipped")).unwrap();
        let first = zip_directory(dir.path(), "export").unwrap();
        let second = zip_directory(dir.path(), "export").unwrap();
        assert_eq!(first, second);
        let mut archive = zip::ZipArchive::new(Cursor::new(first)).unwrap();
        let names: Vec<&str> = archive.file_names().collect();
        assert_eq!(names.len(), 2);
        let mut csv = String::new();
        std::io::Read::read_to_string(&mut archive.by_name("export/b.csv").unwrap(), &mut csv)
            .unwrap();
        assert_eq!(csv, "x\n1\n");
    }
}
