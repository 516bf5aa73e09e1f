//! Variable-name rules shared by SPSS and Stata, so one name works in every export.

use super::DatasetError;

/// Longest variable name both SPSS (64 bytes) and Stata (32 characters) accept.
pub const MAX_NAME_LEN: usize = 32;

/// SPSS reserved keywords (compared case-insensitively).
const SPSS_RESERVED: [&str; 13] = [
    "ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH",
];

/// Stata reserved names (compared exactly, Stata is case-sensitive).
const STATA_RESERVED: [&str; 23] = [
    "_all", "_b", "byte", "_coef", "_cons", "double", "float", "if", "in", "int", "long", "_n",
    "_N", "_pi", "_pred", "_rc", "_skip", "strL", "using", "with", "str", "_se", "_result",
];

/// Checks that `name` is an ASCII identifier valid for both SPSS and Stata:
/// a letter, then letters, digits or `_`, at most 32 characters, not reserved.
pub fn validate_name(name: &str) -> Result<(), DatasetError> {
    let fail = |reason| {
        Err(DatasetError::InvalidName {
            name: name.to_owned(),
            reason,
        })
    };
    let Some(first) = name.chars().next() else {
        return fail("the name is empty");
    };
    if name.len() > MAX_NAME_LEN {
        return fail("the name is longer than 32 characters");
    }
    if !first.is_ascii_alphabetic() {
        return fail("the name must start with an ASCII letter");
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return fail("only ASCII letters, digits and `_` are allowed");
    }
    let upper = name.to_ascii_uppercase();
    if SPSS_RESERVED.contains(&upper.as_str()) {
        return fail("the name is a reserved SPSS keyword");
    }
    if STATA_RESERVED.contains(&name) || is_stata_str_type(name) {
        return fail("the name is a reserved Stata word");
    }
    Ok(())
}

/// `str1` … `str2045` are Stata type names and cannot name variables.
fn is_stata_str_type(name: &str) -> bool {
    name.strip_prefix("str")
        .is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_identifiers() {
        for ok in [
            "q1",
            "Age",
            "commune_insee",
            "x",
            "a_very_long_name_of_32_chars_xxx",
        ] {
            assert!(validate_name(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn rejects_names_invalid_for_spss_or_stata() {
        for bad in [
            "",
            "1q",
            "_x",
            "q-1",
            "qé",
            "with",
            "BY",
            "int",
            "str12",
            "a_name_that_is_way_longer_than_32c",
        ] {
            assert!(validate_name(bad).is_err(), "{bad}");
        }
    }
}
