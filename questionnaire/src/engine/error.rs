//! Why an answer or a navigation was not accepted, in French for the interviewer.

use std::fmt;

/// Why an answer was not accepted; `Display` is a French message for the interviewer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerError {
    /// `var` is not the step being asked (`expected`: the step being asked, if any).
    NotCurrent { expected: Option<String> },
    /// Type, range, length, options…
    Invalid(String),
    /// A hard check failed, with its message.
    HardCheck(String),
    /// A soft check failed: resubmit with `confirm = true` to accept.
    SoftCheck(String),
    /// `back` to a step that is not on the route.
    NotOnRoute(String),
    /// `back` with no earlier step.
    NoPreviousStep,
    /// The interview has ended.
    Finished,
}

impl fmt::Display for AnswerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnswerError::NotCurrent { expected: Some(v) } => {
                write!(
                    f,
                    "Cette question n'est pas l'étape en cours (étape en cours : {v})."
                )
            }
            AnswerError::NotCurrent { expected: None } => f.write_str(
                "Aucune question n'est en cours : l'entretien attend la décision de quota.",
            ),
            AnswerError::Invalid(m) | AnswerError::HardCheck(m) => f.write_str(m),
            AnswerError::SoftCheck(m) => write!(f, "{m} Confirmez pour conserver cette réponse."),
            AnswerError::NotOnRoute(v) => {
                write!(f, "La question {v} n'a pas été posée dans cet entretien.")
            }
            AnswerError::NoPreviousStep => f.write_str("Il n'y a pas d'étape précédente."),
            AnswerError::Finished => f.write_str("L'entretien est terminé."),
        }
    }
}

impl std::error::Error for AnswerError {}
