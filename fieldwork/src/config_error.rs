//! What can be wrong in a configuration a manager writes (calling windows, calling rules, the
//! outcome code frame), in French, as the page, the CLI and the API show it.

use std::fmt;

use jiff::civil::Weekday;

use crate::clock_time::{ClockTime, TimeRange};
use crate::outcome::Outcome;

/// One problem in a configuration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// A time of day that is not `HH:MM` between 00:00 and 24:00.
    #[error("heure invalide « {0} » : attendu HH:MM, de 00:00 à 24:00")]
    InvalidTime(String),
    /// A time zone the time zone database does not know.
    #[error("fuseau horaire inconnu : « {0} »")]
    UnknownTimeZone(String),
    /// A calling range that does not start before it ends.
    #[error("{} : la plage {range} doit commencer avant de finir", day_name(*.day))]
    EmptyRange {
        /// The day of the range.
        day: Weekday,
        /// The range.
        range: TimeRange,
    },
    /// Two calling ranges of the same day that share some minutes.
    #[error("{} : les plages {first} et {second} se chevauchent", day_name(*.day))]
    OverlappingRanges {
        /// The day of the ranges.
        day: Weekday,
        /// The earlier range.
        first: TimeRange,
        /// The later range.
        second: TimeRange,
    },
    /// No calling range on any day: no case could ever be called.
    #[error("aucune plage d'appel n'est ouverte dans la semaine")]
    NoCallingHours,
    /// Slot boundaries in the wrong order.
    #[error(
        "l'après-midi (à partir de {afternoon_from}) doit commencer avant la soirée (à partir de {evening_from})"
    )]
    SlotOrder {
        /// Start of the afternoon slot.
        afternoon_from: ClockTime,
        /// Start of the evening slot.
        evening_from: ClockTime,
    },
    /// A maximum number of calls of zero.
    #[error("le nombre maximal d'appels {0} doit être d'au moins 1")]
    ZeroMaximum(&'static str),
    /// An expected yield outside 1–100 completes per 100 numbers.
    #[error(
        "le rendement attendu doit être compris entre 1 et 100 entretiens complets pour 100 numéros (reçu {0})"
    )]
    YieldOutOfRange(u32),
    /// A recall delay longer than the longest one accepted.
    #[error("le délai « {name} » ({minutes} min) dépasse la limite de {max} min (366 jours)")]
    DelayTooLong {
        /// The French name of the delay.
        name: &'static str,
        /// The delay given.
        minutes: u32,
        /// The longest delay accepted.
        max: u32,
    },
    /// A hard appointment reserved to its interviewer for longer than it takes to be missed.
    #[error(
        "un rendez-vous ferme ne peut rester réservé ({grace} min) plus longtemps qu'il ne faut pour le déclarer manqué ({missed} min)"
    )]
    GraceBeyondMissed {
        /// Minutes during which the appointment is reserved to its interviewer.
        grace: u32,
        /// Minutes after which the appointment is missed.
        missed: u32,
    },
    /// An AAPOR code that is not a disposition code of the Standard Definitions.
    #[error(
        "code AAPOR invalide « {0} » : attendu un code des Standard Definitions (1.1, 2.111, 3.13, 4.51…)"
    )]
    InvalidAaporCode(String),
    /// An outcome absent from the code frame.
    #[error("l'issue « {0} » manque dans le cadre des issues")]
    MissingOutcome(Outcome),
    /// An outcome with an empty label.
    #[error("l'issue « {0} » doit avoir un libellé")]
    EmptyLabel(Outcome),
    /// An outcome whose finality cannot be changed, configured the other way.
    #[error("l'issue « {outcome} » est toujours {}", if *.must_be_final { "finale" } else { "non finale" })]
    FixedFinality {
        /// The outcome.
        outcome: Outcome,
        /// Whether it must be final.
        must_be_final: bool,
    },
    /// A completed interview coded other than 1.1, or another outcome coded as a complete.
    #[error(
        "seule l'issue « completed » porte le code AAPOR d'un entretien complet (1.1) ; « {outcome} » a le code {code}"
    )]
    CompleteCode {
        /// The outcome at fault.
        outcome: Outcome,
        /// Its code.
        code: String,
    },
}

/// Every problem found in a configuration, so that a form can show them all at once.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl fmt::Display for ConfigErrors {
    /// The problems, separated by semicolons.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" ; ")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl ConfigErrors {
    /// `Ok(value)` when no problem was found.
    pub(crate) fn or_ok<T>(self, value: T) -> Result<T, ConfigErrors> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

/// The French name of a weekday, capitalised to start a message.
pub fn day_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Monday => "Lundi",
        Weekday::Tuesday => "Mardi",
        Weekday::Wednesday => "Mercredi",
        Weekday::Thursday => "Jeudi",
        Weekday::Friday => "Vendredi",
        Weekday::Saturday => "Samedi",
        Weekday::Sunday => "Dimanche",
    }
}
