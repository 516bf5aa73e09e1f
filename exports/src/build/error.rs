//! Why a wave could not be built, weighted, tabulated or exported. Messages are in French
//! (analysts and managers read them on the page, in `manifest.json` and at the terminal) and
//! never name a file of the server.

use crate::dataset::DatasetError;
use crate::indicators::IndicatorError;
use crate::weighting::WeightError;
use crate::writers::WriteError;

use super::indicators_spec::IndicatorsFileError;

/// An error of [`super::build_wave`], [`super::add_weights`],
/// [`super::indicator_table_for_wave`] or [`super::export_wave`].
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The pseudonymisation secret is too short to be safe.
    #[error("le secret de pseudonymisation fait {bytes} octet(s) ; il en faut au moins {minimum}")]
    ShortSecret {
        /// Length given.
        bytes: usize,
        /// Length required.
        minimum: usize,
    },
    /// Two cases share a key, or two keys gave the same pseudonym.
    #[error(
        "l'identifiant pseudonyme {pseudonym} serait donné à deux cas (« {first} » et « {second} ») : les clés des cas doivent être uniques"
    )]
    DuplicateRespondent {
        /// The pseudonym.
        pseudonym: String,
        /// First case key.
        first: String,
        /// Second case key.
        second: String,
    },
    /// A code does not fit the 32-bit integers of the file formats.
    #[error(
        "variable « {variable} » : le code {code} dépasse les entiers de 32 bits des formats de fichier"
    )]
    CodeOutOfRange {
        /// Variable.
        variable: String,
        /// Code.
        code: i64,
    },
    /// The option names a questionnaire variable that does not exist.
    #[error("la variable de commune « {0} » n'est pas une variable du questionnaire")]
    UnknownCommuneVariable(String),
    /// The dataset could not be built (name clash, label too long, bad value…).
    #[error("jeu de données : {0}")]
    Dataset(#[from] DatasetError),
    /// Some completed respondents have no commune, so the wave cannot be weighted.
    #[error(
        "{count} répondant(s) sans commune connue ne peuvent pas être pondérés (par exemple {examples}) : renseignez leur commune ou exportez la vague sans pondération"
    )]
    UnknownCommune {
        /// How many.
        count: usize,
        /// Some of their ids.
        examples: String,
    },
    /// A commune of a respondent has no population.
    #[error(
        "la commune {code} du répondant {respondent} n'a pas de population dans les populations de référence"
    )]
    CommuneWithoutPopulation {
        /// INSEE code.
        code: String,
        /// A respondent living there.
        respondent: String,
    },
    /// A margin names a variable that is not a column of the dataset.
    #[error(
        "la marge « {margin} » utilise « {variable} », qui n'est pas une colonne du jeu de données"
    )]
    UnknownMarginVariable {
        /// Margin name.
        margin: String,
        /// Variable.
        variable: String,
    },
    /// A respondent has no value for a margin variable.
    #[error(
        "le répondant {respondent} n'a pas de valeur pour « {variable} », variable d'une marge de pondération"
    )]
    MissingMarginValue {
        /// Respondent id.
        respondent: String,
        /// Variable.
        variable: String,
    },
    /// There is nobody to weight.
    #[error("aucun entretien complet à pondérer")]
    NobodyToWeight,
    /// Weighting failed (see the message; callers say it is the weighting).
    #[error("{0}")]
    Weighting(#[from] WeightError),
    /// The indicators file is invalid.
    #[error("fichier d'indicateurs : {0}")]
    IndicatorsFile(#[from] IndicatorsFileError),
    /// Indicator estimation failed.
    #[error("indicateurs : {}", indicator_message(.0))]
    Indicators(#[from] IndicatorError),
    /// A file could not be written.
    #[error("écriture de l'export impossible : {0}")]
    Write(#[from] WriteError),
    /// The export directory could not be written.
    #[error("écriture de l'export impossible : {0}")]
    Io(#[from] std::io::Error),
}

/// The indicators' error in French when an analyst can cause it (too few respondents); the
/// others are faults of the program, reported as they are.
fn indicator_message(error: &IndicatorError) -> String {
    match error {
        IndicatorError::TooFewRespondents(found) => format!(
            "il faut au moins 2 répondants pour estimer une variance, la vague en a {found}"
        ),
        other => other.to_string(),
    }
}
