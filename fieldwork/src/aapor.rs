//! AAPOR disposition codes (*Standard Definitions*, 10th edition, telephone tables) and the
//! rate groups they count in: I, P, R, NC, O (eligible), UH, UO (eligibility unknown), NE (not
//! eligible).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::config_error::ConfigError;

/// An AAPOR final disposition code such as `1.1`, `2.111`, `3.13` or `4.80`.
///
/// Its group follows from its digits: `1.1` complete and `1.2` partial; `2.1x` refusal and
/// break-off, `2.2x` non-contact, `2.3x` other; `3.1x` unknown if household, `3.2x` and `3.9x`
/// unknown other; `4.x` not eligible.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AaporCode {
    text: String,
    group: RateGroup,
}

/// Where a disposition counts in the AAPOR outcome rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RateGroup {
    /// I: complete interview (1.1).
    Complete,
    /// P: partial interview (1.2).
    Partial,
    /// R: refusal and break-off (2.1x).
    Refusal,
    /// NC: non-contact (2.2x).
    NonContact,
    /// O: other eligible non-interview (2.3x).
    Other,
    /// UH: unknown if household (3.1x).
    UnknownHousehold,
    /// UO: unknown other (3.2x, 3.9x).
    UnknownOther,
    /// NE: not eligible (4.x); outside the rates' denominators.
    NotEligible,
}

/// What a disposition says of the case's eligibility.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Eligibility {
    /// Known eligible (codes 1 and 2).
    Eligible,
    /// Known not eligible (code 4).
    Ineligible,
    /// Unknown (code 3).
    Unknown,
}

impl AaporCode {
    /// Checks and reads a code.
    pub fn new(text: &str) -> Result<AaporCode, ConfigError> {
        let invalid = || ConfigError::InvalidAaporCode(text.to_owned());
        let (major, minor) = text.split_once('.').ok_or_else(invalid)?;
        let minor_ok = (1..=3).contains(&minor.len()) && minor.bytes().all(|b| b.is_ascii_digit());
        if !minor_ok {
            return Err(invalid());
        }
        let group = match (major, &minor[..1]) {
            ("1", "1") if minor.len() == 1 => RateGroup::Complete,
            ("1", "2") if minor.len() == 1 => RateGroup::Partial,
            ("2", "1") => RateGroup::Refusal,
            ("2", "2") => RateGroup::NonContact,
            ("2", "3") => RateGroup::Other,
            ("3", "1") => RateGroup::UnknownHousehold,
            ("3", "2" | "9") => RateGroup::UnknownOther,
            ("4", "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9") => RateGroup::NotEligible,
            _ => return Err(invalid()),
        };
        Ok(AaporCode {
            text: text.to_owned(),
            group,
        })
    }

    /// The code as written (`2.111`).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The rate group the code counts in.
    pub fn group(&self) -> RateGroup {
        self.group
    }

    /// What the code says of eligibility.
    pub fn eligibility(&self) -> Eligibility {
        self.group.eligibility()
    }

    /// 2.30, *other eligible non-interview*: the case reached its maximum number of calls after
    /// it was found eligible.
    pub(crate) fn max_attempts_eligible() -> AaporCode {
        Self::known("2.30", RateGroup::Other)
    }

    /// 3.90, *other, eligibility unknown*: the case reached its maximum number of calls without
    /// its eligibility ever being known.
    pub(crate) fn max_attempts_unknown() -> AaporCode {
        Self::known("3.90", RateGroup::UnknownOther)
    }

    /// 3.11, *not attempted or worked*: a case never called.
    pub(crate) fn not_attempted() -> AaporCode {
        Self::known("3.11", RateGroup::UnknownHousehold)
    }

    /// A code of the crate's own frame, whose group is known.
    pub(crate) fn known(text: &str, group: RateGroup) -> AaporCode {
        AaporCode {
            text: text.to_owned(),
            group,
        }
    }
}

impl RateGroup {
    /// What a disposition of this group says of eligibility.
    pub fn eligibility(self) -> Eligibility {
        match self {
            RateGroup::Complete
            | RateGroup::Partial
            | RateGroup::Refusal
            | RateGroup::NonContact
            | RateGroup::Other => Eligibility::Eligible,
            RateGroup::UnknownHousehold | RateGroup::UnknownOther => Eligibility::Unknown,
            RateGroup::NotEligible => Eligibility::Ineligible,
        }
    }
}

impl fmt::Display for AaporCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for AaporCode {
    type Err = ConfigError;

    fn from_str(text: &str) -> Result<AaporCode, ConfigError> {
        AaporCode::new(text)
    }
}

impl TryFrom<String> for AaporCode {
    type Error = ConfigError;

    fn try_from(text: String) -> Result<AaporCode, ConfigError> {
        AaporCode::new(&text)
    }
}

impl From<AaporCode> for String {
    fn from(code: AaporCode) -> String {
        code.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(text: &str) -> RateGroup {
        AaporCode::new(text).expect(text).group()
    }

    #[test]
    fn codes_count_in_the_group_of_their_digits() {
        assert_eq!(group("1.1"), RateGroup::Complete);
        assert_eq!(group("1.2"), RateGroup::Partial);
        assert_eq!(group("2.111"), RateGroup::Refusal);
        assert_eq!(group("2.12"), RateGroup::Refusal);
        assert_eq!(group("2.221"), RateGroup::NonContact);
        assert_eq!(group("2.30"), RateGroup::Other);
        assert_eq!(group("2.331"), RateGroup::Other);
        assert_eq!(group("3.13"), RateGroup::UnknownHousehold);
        assert_eq!(group("3.21"), RateGroup::UnknownOther);
        assert_eq!(group("3.90"), RateGroup::UnknownOther);
        assert_eq!(group("4.80"), RateGroup::NotEligible);
    }

    #[test]
    fn codes_outside_the_standard_definitions_are_refused() {
        for text in [
            "", "1", "1.0", "1.11", "2.4", "3.3", "4.0", "5.1", "2.1111", "2.x", "a.1",
        ] {
            let error = AaporCode::new(text).expect_err(text);
            assert!(error.to_string().starts_with("code AAPOR invalide"));
        }
    }

    #[test]
    fn the_rules_own_codes_agree_with_their_digits() {
        for code in [
            AaporCode::max_attempts_eligible(),
            AaporCode::max_attempts_unknown(),
            AaporCode::not_attempted(),
        ] {
            assert_eq!(AaporCode::new(code.as_str()), Ok(code));
        }
    }

    #[test]
    fn eligibility_follows_the_first_digit() {
        assert_eq!(group("2.32").eligibility(), Eligibility::Eligible);
        assert_eq!(group("3.14").eligibility(), Eligibility::Unknown);
        assert_eq!(group("4.51").eligibility(), Eligibility::Ineligible);
    }
}
