//! A sample file that cannot be read at all (as opposed to rows that are rejected): each
//! message names the file, the line when there is one, and what to do.

use crate::encoding::TextEncoding;
use crate::field::Field;

/// Why a sample file cannot be read; messages in French for the survey manager.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    /// No bytes, or only blank lines.
    #[error("{file} : le fichier est vide")]
    Empty {
        /// File name.
        file: String,
    },
    /// A spreadsheet format other than .xlsx.
    #[error(
        "{file} : format {format} non pris en charge ; enregistrez le fichier en .xlsx ou en .csv"
    )]
    Unsupported {
        /// File name.
        file: String,
        /// The format recognised, in French.
        format: &'static str,
    },
    /// A file named or shaped like .xlsx that is not a readable workbook.
    #[error("{file} : ce n'est pas un classeur Excel .xlsx lisible ({detail})")]
    NotAWorkbook {
        /// File name.
        file: String,
        /// What went wrong, as the reader says it.
        detail: String,
    },
    /// A workbook protected by a password.
    #[error(
        "{file} : le classeur est protégé par un mot de passe ; enregistrez-le sans mot de passe"
    )]
    Password {
        /// File name.
        file: String,
    },
    /// Bytes that do not decode in the encoding their byte-order mark announces.
    #[error("{file}, ligne {line} : caractères illisibles en {}", encoding.label())]
    Undecodable {
        /// File name.
        file: String,
        /// Line of the first bad bytes.
        line: u32,
        /// The encoding announced.
        encoding: TextEncoding,
    },
    /// A quote opened and never closed: the rest of the file would be one value.
    #[error(
        "{file}, ligne {line} : guillemet ouvert et jamais refermé (la fin du fichier serait lue \
         comme une seule valeur)"
    )]
    UnclosedQuote {
        /// File name.
        file: String,
        /// Line where the quoted value starts.
        line: u32,
    },
    /// A row the reader cannot decode.
    #[error("{file}, ligne {line} : ligne illisible ({detail})")]
    Unreadable {
        /// File name.
        file: String,
        /// Line.
        line: u32,
        /// What went wrong, as the reader says it.
        detail: String,
    },
    /// No header is a phone number's.
    #[error(
        "{file}, ligne {line} : aucune colonne de numéro de téléphone (en-têtes trouvés : {}) ; \
         nommez-la « telephone » ou indiquez-la dans la correspondance des colonnes",
        quoted(headers)
    )]
    NoPhoneColumn {
        /// File name.
        file: String,
        /// Line of the header.
        line: u32,
        /// The headers found.
        headers: Vec<String>,
    },
    /// Several headers are recognised for one role.
    #[error(
        "{file}, ligne {line} : plusieurs colonnes possibles pour « {} » ({}) ; indiquez \
         laquelle utiliser dans la correspondance des colonnes",
        field.label(),
        quoted(columns)
    )]
    AmbiguousColumn {
        /// File name.
        file: String,
        /// Line of the header.
        line: u32,
        /// The role.
        field: Field,
        /// The candidate headers.
        columns: Vec<String>,
    },
    /// The mapping names a column the file does not have.
    #[error(
        "{file}, ligne {line} : pas de colonne « {name} » pour « {} » (en-têtes trouvés : {})",
        field.label(),
        quoted(headers)
    )]
    UnknownColumn {
        /// File name.
        file: String,
        /// Line of the header.
        line: u32,
        /// The role it was given for.
        field: Field,
        /// The name given.
        name: String,
        /// The headers found.
        headers: Vec<String>,
    },
    /// A preload field flagged personal that the file does not have.
    #[error(
        "{file}, ligne {line} : pas de colonne « {name} » à marquer comme personnelle (en-têtes \
         trouvés : {})",
        quoted(headers)
    )]
    UnknownPersonalField {
        /// File name.
        file: String,
        /// Line of the header.
        line: u32,
        /// The name given.
        name: String,
        /// The headers found.
        headers: Vec<String>,
    },
    /// Two columns with the same header.
    #[error("{file}, ligne {line} : la colonne « {name} » figure deux fois dans l'en-tête")]
    DuplicateHeader {
        /// File name.
        file: String,
        /// Line of the header.
        line: u32,
        /// The header.
        name: String,
    },
}

/// `« a », « b »`.
fn quoted(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|name| format!("« {name} »")).collect();
    quoted.join(", ")
}
