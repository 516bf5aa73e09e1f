//! Bounds on the free texts the server stores (titles, descriptions, names shown, notes), so
//! that no field can be used to fill the database or the pages: a text too long is refused with
//! a 422 that says which field and its limit.

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

#[cfg(test)]
mod tests {
    use super::*;

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
