//! The format of a sample file: an .xlsx workbook (a zip archive) or CSV text, told apart by the
//! file's first bytes and its name's extension.

use serde::Serialize;

use crate::encoding::TextEncoding;
use crate::file_error::FileError;
use crate::separator::Separator;

/// How a sample file was read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Format {
    /// CSV text with a header row.
    Csv {
        /// Its encoding.
        encoding: TextEncoding,
        /// Its separator.
        separator: Separator,
    },
    /// An Excel .xlsx workbook, read from its first sheet.
    Xlsx {
        /// The sheet read.
        sheet: String,
    },
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Format::Csv {
                encoding,
                separator,
            } => write!(
                f,
                "CSV {}, séparateur {}",
                encoding.label(),
                separator.label()
            ),
            Format::Xlsx { sheet } => write!(f, "classeur Excel .xlsx, feuille « {sheet} »"),
        }
    }
}

/// What the bytes and name of a file say it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Csv,
    Xlsx,
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const OLE_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

impl Kind {
    /// A zip archive is an .xlsx workbook (unless named .ods); an OLE file or a name in .xls is
    /// an old Excel workbook, refused; a name in .xlsx that is not a zip archive is refused;
    /// anything else is CSV, whatever its extension (.csv, .txt, .tsv, none).
    pub(crate) fn detect(bytes: &[u8], file: &str) -> Result<Kind, FileError> {
        let extension = file
            .rsplit_once('.')
            .map(|(_, extension)| extension.to_ascii_lowercase())
            .unwrap_or_default();
        let unsupported = |format| FileError::Unsupported {
            file: file.to_owned(),
            format,
        };
        if extension == "ods" {
            return Err(unsupported("OpenDocument .ods"));
        }
        if bytes.starts_with(ZIP_MAGIC) {
            return Ok(Kind::Xlsx);
        }
        if bytes.starts_with(OLE_MAGIC) || extension == "xls" {
            return Err(unsupported("Excel 97-2003 .xls"));
        }
        if matches!(extension.as_str(), "xlsx" | "xlsm") {
            return Err(FileError::NotAWorkbook {
                file: file.to_owned(),
                detail: "le contenu n'est pas une archive .xlsx".to_owned(),
            });
        }
        Ok(Kind::Csv)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zip_bytes_are_a_workbook_whatever_the_name() {
        assert_eq!(Kind::detect(b"PK\x03\x04rest", "liste.csv"), Ok(Kind::Xlsx));
        assert_eq!(Kind::detect(b"telephone\n", "liste.TXT"), Ok(Kind::Csv));
        assert_eq!(Kind::detect(b"telephone\n", "liste"), Ok(Kind::Csv));
    }

    #[test]
    fn other_spreadsheet_formats_are_refused() {
        assert!(matches!(
            Kind::detect(OLE_MAGIC, "liste.dat"),
            Err(FileError::Unsupported { .. })
        ));
        assert!(matches!(
            Kind::detect(b"PK\x03\x04", "liste.ods"),
            Err(FileError::Unsupported { .. })
        ));
        assert!(matches!(
            Kind::detect(b"telephone\n", "liste.xlsx"),
            Err(FileError::NotAWorkbook { .. })
        ));
    }
}
