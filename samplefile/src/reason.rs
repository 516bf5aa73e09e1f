//! Why a row of a sample file is not imported.

use crate::phone::PhoneError;

/// The reason a row is rejected: a stable code for programs, a French label for people.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reason {
    /// A phone number is refused (empty, letters, length, not valid, abroad, special, short).
    Phone(PhoneError),
    /// The same number (in E.164) is on an earlier line of the file.
    DuplicatePhone {
        /// The earlier line.
        first_line: u32,
    },
    /// The same identifier is on an earlier line of the file.
    DuplicateId {
        /// The earlier line.
        first_line: u32,
    },
    /// The commune is neither an INSEE code nor the name of a commune of the survey.
    UnknownCommune,
    /// The name matches several communes of the survey: the INSEE code is needed.
    AmbiguousCommune,
    /// An INSEE code that is not one of the survey's communes (often a postal code).
    CommuneOutsideSurvey,
    /// Non-empty cells beyond the header's columns: usually a separator inside a value that
    /// is not quoted, which shifts the cells.
    ExtraCells {
        /// Cells on the line, up to its last non-empty one.
        cells: usize,
        /// Columns of the header.
        columns: usize,
    },
    /// The number is already in the wave (checked by the caller against its database).
    AlreadyInWave,
    /// The number is on the survey's do-not-call list (checked by the caller).
    DoNotCall,
}

impl Reason {
    /// Stable code, the key of the counts by reason.
    pub fn code(self) -> &'static str {
        match self {
            Reason::Phone(error) => error.code(),
            Reason::DuplicatePhone { .. } => "duplicate_phone",
            Reason::DuplicateId { .. } => "duplicate_id",
            Reason::UnknownCommune => "unknown_commune",
            Reason::AmbiguousCommune => "ambiguous_commune",
            Reason::CommuneOutsideSurvey => "commune_outside_survey",
            Reason::ExtraCells { .. } => "extra_cells",
            Reason::AlreadyInWave => "already_in_wave",
            Reason::DoNotCall => "do_not_call",
        }
    }

    /// French label of the kind of reason, the same for every row (the counts by reason show
    /// it); `Display` adds the details of one row (the earlier line of a duplicate…).
    pub fn label(self) -> &'static str {
        match self {
            Reason::Phone(error) => error.label(),
            Reason::DuplicatePhone { .. } => "numéro en double dans le fichier",
            Reason::DuplicateId { .. } => "identifiant en double dans le fichier",
            Reason::UnknownCommune => "commune inconnue",
            Reason::AmbiguousCommune => "nom de commune ambigu (indiquez le code INSEE)",
            Reason::CommuneOutsideSurvey => {
                "code INSEE hors des communes de l'enquête (code postal ?)"
            }
            Reason::ExtraCells { .. } => "cellules en trop",
            Reason::AlreadyInWave => "numéro déjà dans la vague",
            Reason::DoNotCall => "numéro sur la liste des personnes à ne plus appeler",
        }
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Reason::Phone(error) => error.fmt(f),
            Reason::DuplicatePhone { first_line } | Reason::DuplicateId { first_line } => {
                write!(f, "{} (déjà ligne {first_line})", self.label())
            }
            Reason::ExtraCells { cells, columns } => write!(
                f,
                "{cells} cellules pour {columns} colonnes d'en-tête (un séparateur dans une \
                 valeur sans guillemets ?)"
            ),
            _ => f.write_str(self.label()),
        }
    }
}

impl From<PhoneError> for Reason {
    fn from(error: PhoneError) -> Self {
        Reason::Phone(error)
    }
}
