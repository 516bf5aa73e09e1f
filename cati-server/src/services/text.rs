//! Bounds on the free texts the server stores (titles, descriptions, names shown, notes), so
//! that no field can be used to fill the database or the pages: a text too long is refused with
//! a 422 that says which field and its limit. And what counts as a field left empty.

use crate::error::AppError;

/// The longest survey title.
pub const TITLE_MAX_CHARS: usize = 200;
/// The longest description (of a survey).
pub const DESCRIPTION_MAX_CHARS: usize = 2000;
/// The longest name shown for an account.
pub const DISPLAY_NAME_MAX_CHARS: usize = 100;
/// The longest note an interviewer may attach to a call, a callback or a break-off.
pub const NOTE_MAX_CHARS: usize = 2000;

/// `text` trimmed, refused when longer than `max_chars` characters; `what` names the field in
/// the French message (« le titre », « la note »…).
pub fn bounded<'a>(what: &str, text: &'a str, max_chars: usize) -> Result<&'a str, AppError> {
    let text = text.trim();
    if text.chars().count() > max_chars {
        return Err(AppError::Invalid(format!(
            "{what} dépasse {max_chars} caractères"
        )));
    }
    Ok(text)
}

/// An optional field as given: trimmed, and `None` when absent or blank (a form sends empty
/// fields, an API client may send spaces).
pub fn given(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blank_field_is_not_given() {
        assert_eq!(given(Some("  2023 ")), Some("2023"));
        assert_eq!(given(Some("   ")), None);
        assert_eq!(given(None), None);
    }

    #[test]
    fn a_text_within_its_bound_is_kept_trimmed() {
        assert_eq!(
            bounded("le titre", "  Vague 1  ", 10).expect("short"),
            "Vague 1"
        );
        let exact = "é".repeat(10);
        assert_eq!(bounded("le titre", &exact, 10).expect("exact"), exact);
    }

    #[test]
    fn a_text_too_long_is_refused_with_the_field_and_its_limit() {
        let refused = bounded("le titre", &"a".repeat(2001), 2000).expect_err("too long");
        assert_eq!(refused.to_string(), "le titre dépasse 2000 caractères");
    }
}
