//! A phone number as typed in a sample file, normalised to E.164 with the `phonenumber` crate
//! (libphonenumber's metadata) in region FR.
//!
//! `phonenumber::parse` accepts garbage (it reads letters as keypad digits and keeps numbers of
//! any length), so a number is accepted only when `phonenumber::is_valid` holds, and its line
//! type is the type the crate reports, never a prefix written here. What is written here: letters
//! are refused before parsing, a number whose country code is not +33 is refused even when valid
//! elsewhere, and an invalid number is explained as too short, too long, a short number or
//! simply not valid.

use std::sync::LazyLock;

use phonenumber::metadata::DATABASE;
use phonenumber::{Mode, ParseError, PhoneNumber, Type, country};
use serde::Serialize;

/// The country code every accepted number has.
const FRANCE: u16 = 33;

/// Digits of the longest French short number (3949, 118 218…): libphonenumber's
/// `ShortNumberMetadata.xml` gives FR short codes 2 to 6 digits. The `phonenumber` crate does not
/// load that file, so the bound is written here.
const SHORT_NUMBER_MAX_DIGITS: usize = 6;

/// A phone number accepted for dialling.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Phone {
    /// The number in E.164: `+33556123456`.
    pub e164: String,
    /// Landline, mobile or other, as the numbering plan says.
    pub line_type: LineType,
}

/// The kind of line a number reaches, from the number type libphonenumber reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineType {
    /// A geographic number (01 to 05): `FixedLine`.
    Landline,
    /// A mobile number (06, 07): `Mobile`.
    Mobile,
    /// Any other number a person may answer: `Voip` (09, the ISP boxes' numbers), and for
    /// completeness `PersonalNumber`, `Pager` and `FixedLineOrMobile`.
    Other,
}

impl LineType {
    /// French name, for reports.
    pub fn label(self) -> &'static str {
        match self {
            LineType::Landline => "fixe",
            LineType::Mobile => "mobile",
            LineType::Other => "autre (09…)",
        }
    }
}

/// Why a phone number is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PhoneError {
    /// No number: an empty cell, or only punctuation (`-`, `.`).
    Empty,
    /// Letters in the number (`05 56 12 34 5a`, `néant`, `poste 12`).
    Letters,
    /// Fewer digits than a French number has.
    TooShort,
    /// More digits than a French number has (two numbers in one cell, a digit too many).
    TooLong,
    /// Not a number of the French plan under +33, e.g. the overseas forms `02 62…` (La Réunion,
    /// +262) and `05 90…` (Guadeloupe, +590), or the unassigned `07 00…`.
    Invalid,
    /// A valid number of another country or territory (`+44…`, `+262…`).
    Foreign {
        /// Its country calling code.
        country_code: u16,
    },
    /// A special-rate or service number (08…: free, shared-cost, premium, company numbers).
    Special,
    /// A short number (15, 3949, 118 218…).
    Short,
}

impl PhoneError {
    /// Stable code, for JSON and counts.
    pub fn code(self) -> &'static str {
        match self {
            PhoneError::Empty => "empty_phone",
            PhoneError::Letters => "letters",
            PhoneError::TooShort => "too_short",
            PhoneError::TooLong => "too_long",
            PhoneError::Invalid => "invalid_number",
            PhoneError::Foreign { .. } => "foreign_number",
            PhoneError::Special => "special_number",
            PhoneError::Short => "short_number",
        }
    }

    /// French label of the kind of problem.
    pub fn label(self) -> &'static str {
        match self {
            PhoneError::Empty => "numéro vide",
            PhoneError::Letters => "lettres dans le numéro",
            PhoneError::TooShort => "numéro trop court",
            PhoneError::TooLong => "numéro trop long",
            PhoneError::Invalid => "numéro non valide en France (+33)",
            PhoneError::Foreign { .. } => "numéro hors de France métropolitaine",
            PhoneError::Special => "numéro spécial (08…)",
            PhoneError::Short => "numéro court (3949, 118…)",
        }
    }
}

impl std::fmt::Display for PhoneError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PhoneError::Foreign { country_code } => write!(f, "{} (+{country_code})", self.label()),
            _ => f.write_str(self.label()),
        }
    }
}

/// Normalises a number as written in a sample file (`05 56 12 34 56`, `0556123456`,
/// `+33 5 56 12 34 56`, `0033556123456`, `tel:+33-5-56-12-34-56`, `05.56.12.34.56`,
/// `+33 (0)5 56…`, spaces around; also `556123456` and `33556123456`, what a spreadsheet leaves
/// of `0556123456` and `+33556123456` stored as numbers).
pub fn normalize_phone(raw: &str) -> Result<Phone, PhoneError> {
    let text = raw.trim();
    let body = strip_tel_scheme(text);
    if body.chars().any(char::is_alphabetic) {
        return Err(PhoneError::Letters);
    }
    let digits = body.bytes().filter(u8::is_ascii_digit).count();
    if digits == 0 {
        let only_punctuation = body
            .chars()
            .all(|c| c.is_ascii_punctuation() || c.is_whitespace());
        return Err(if only_punctuation {
            PhoneError::Empty
        } else {
            PhoneError::Invalid
        });
    }
    let short = dialled_as_short_number(body, digits);
    match phonenumber::parse(Some(country::Id::FR), body) {
        Ok(number) => classify(&number, short),
        Err(ParseError::TooLong) => Err(PhoneError::TooLong),
        Err(ParseError::NoNumber | ParseError::TooShortNsn | ParseError::TooShortAfterIdd) => {
            Err(if short {
                PhoneError::Short
            } else {
                PhoneError::TooShort
            })
        }
        Err(ParseError::InvalidCountryCode | ParseError::MalformedInteger(_)) => {
            Err(PhoneError::Invalid)
        }
    }
}

/// `text` without a leading `tel:` (any case), whose letters are not the number's.
fn strip_tel_scheme(text: &str) -> &str {
    match text.get(..4) {
        Some(scheme) if scheme.eq_ignore_ascii_case("tel:") => &text[4..],
        _ => text,
    }
}

/// True when the digits are dialled as a short number: 2 to 6 of them, with neither the trunk
/// prefix `0` nor an international `+` in front.
fn dialled_as_short_number(body: &str, digits: usize) -> bool {
    let first = body.chars().find(|c| c.is_ascii_digit() || *c == '+');
    (2..=SHORT_NUMBER_MAX_DIGITS).contains(&digits) && !matches!(first, Some('0' | '+'))
}

/// Accepts a parsed number when libphonenumber says it is valid under +33 and reaches a person,
/// or says why not.
fn classify(number: &PhoneNumber, short: bool) -> Result<Phone, PhoneError> {
    let valid = phonenumber::is_valid(number);
    let country_code = number.code().value();
    if country_code != FRANCE {
        return Err(if valid {
            PhoneError::Foreign { country_code }
        } else {
            PhoneError::Invalid
        });
    }
    if !valid {
        let national = number.national();
        let length = national.value().checked_ilog10().map_or(1, |log| log + 1)
            + u32::from(national.zeros());
        let lengths = &*FRENCH_LENGTHS;
        return Err(if length < lengths.0 {
            if short {
                PhoneError::Short
            } else {
                PhoneError::TooShort
            }
        } else if length > lengths.1 {
            PhoneError::TooLong
        } else {
            PhoneError::Invalid
        });
    }
    let line_type = match number.number_type(&DATABASE) {
        Type::FixedLine => LineType::Landline,
        Type::Mobile => LineType::Mobile,
        Type::Voip | Type::PersonalNumber | Type::Pager | Type::FixedLineOrMobile => {
            LineType::Other
        }
        _ => return Err(PhoneError::Special),
    };
    Ok(Phone {
        e164: number.format().mode(Mode::E164).to_string(),
        line_type,
    })
}

/// Shortest and longest national significant number of the French plan, from the possible
/// lengths libphonenumber gives each number type of region FR (9 and 9 today).
static FRENCH_LENGTHS: LazyLock<(u32, u32)> = LazyLock::new(|| {
    let descriptors = DATABASE.by_id("FR").map(|meta| meta.descriptors());
    let lengths = descriptors.into_iter().flat_map(|d| {
        [
            d.fixed_line(),
            d.mobile(),
            d.voip(),
            d.toll_free(),
            d.premium_rate(),
            d.shared_cost(),
            d.personal_number(),
            d.uan(),
        ]
        .into_iter()
        .flatten()
        .flat_map(|descriptor| descriptor.possible_length().iter().copied())
    });
    let (min, max) = lengths.fold((u16::MAX, 0), |(min, max), length| {
        (min.min(length), max.max(length))
    });
    // Metadata without FR would be a broken `phonenumber` build; 9 digits is the plan.
    if min > max {
        (9, 9)
    } else {
        (u32::from(min), u32::from(max))
    }
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_numbers_have_nine_national_digits_in_the_metadata() {
        assert_eq!(*FRENCH_LENGTHS, (9, 9));
    }

    #[test]
    fn the_tel_scheme_is_not_letters() {
        assert_eq!(strip_tel_scheme("TEL:+33556123456"), "+33556123456");
        assert_eq!(strip_tel_scheme("té"), "té");
    }
}
