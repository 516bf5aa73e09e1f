//! Folding of names people type (column headers, commune names) into comparable words: lower
//! case, French accents removed, and anything that is neither a letter nor a digit (spaces,
//! hyphens, apostrophes, dots, parentheses, `°`) taken as a word break.

/// The words of `text`, folded: `Villenave-d'Ornon` → `["villenave", "d", "ornon"]`.
pub(crate) fn words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        // The ordinal indicators of `Nº` are letters for Unicode, punctuation for a reader.
        if c.is_alphanumeric() && !matches!(c, 'º' | 'ª') {
            push_folded(&mut current, c);
        } else if !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// `text` folded with its word breaks removed: `N° de téléphone` → `ndetelephone`.
pub(crate) fn compact(text: &str) -> String {
    words(text).concat()
}

/// Pushes `c` (already lower case) without its accent.
fn push_folded(out: &mut String, c: char) {
    let plain = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => "a",
        'ç' => "c",
        'è' | 'é' | 'ê' | 'ë' => "e",
        'ì' | 'í' | 'î' | 'ï' => "i",
        'ñ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => "o",
        'ù' | 'ú' | 'û' | 'ü' => "u",
        'ý' | 'ÿ' => "y",
        'æ' => "ae",
        'œ' => "oe",
        'ß' => "ss",
        _ => {
            out.push(c);
            return;
        }
    };
    out.push_str(plain);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_case_and_punctuation_fold_away() {
        assert_eq!(words("Villenave-d'Ornon"), ["villenave", "d", "ornon"]);
        assert_eq!(
            words("  SAINT-MÉDARD  en Jalles "),
            ["saint", "medard", "en", "jalles"]
        );
        assert_eq!(words("Bouscat (Le)"), ["bouscat", "le"]);
        assert_eq!(
            words("Artigues’près-Bordeaux"),
            ["artigues", "pres", "bordeaux"]
        );
        assert_eq!(compact("N° de Téléphone"), "ndetelephone");
        assert_eq!(compact("Nº tél."), "ntel");
        assert_eq!(compact("Œuvre"), "oeuvre");
        assert_eq!(compact("téléphone_2"), "telephone2");
        assert!(words(" - ' ").is_empty());
    }
}
