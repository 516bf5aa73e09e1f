//! Fitting texts to the formats' limits without cutting words, and ASCII forms of names for
//! the places that only take ASCII (file names, Frictionless package names).

/// `text` unchanged when it fits `max_chars` characters and `max_bytes` UTF-8 bytes; else cut
/// at the last word boundary that leaves room for a final `…` (mid-word only when a single word
/// is longer than the limit), without trailing spaces or `,;:` before the `…`.
pub fn shorten(text: &str, max_chars: usize, max_bytes: usize) -> String {
    if text.len() <= max_bytes && text.chars().count() <= max_chars {
        return text.to_owned();
    }
    const ELLIPSIS: char = '…';
    let (chars, bytes) = (
        max_chars.saturating_sub(1),
        max_bytes.saturating_sub(ELLIPSIS.len_utf8()),
    );
    let mut end = 0;
    for (count, (at, c)) in text.char_indices().enumerate() {
        if count >= chars || at + c.len_utf8() > bytes {
            break;
        }
        end = at + c.len_utf8();
    }
    let next_is_boundary = text[end..].starts_with(char::is_whitespace);
    let cut = if next_is_boundary {
        &text[..end]
    } else {
        match text[..end].rfind(char::is_whitespace) {
            Some(space) if space > 0 => &text[..space],
            _ => &text[..end],
        }
    };
    let cut = cut.trim_end_matches(|c: char| c.is_whitespace() || ",;:".contains(c));
    format!("{cut}{ELLIPSIS}")
}

/// `text` in lowercase ASCII for file names: accented Latin letters lose their accents (`é` →
/// `e`, `œ` → `oe`), letters, digits, `-`, `_` and `.` are kept, anything else becomes `-`.
pub fn ascii_name(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        match c {
            'a'..='z' | '0'..='9' | '-' | '_' | '.' => out.push(c),
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => out.push('a'),
            'ç' => out.push('c'),
            'è' | 'é' | 'ê' | 'ë' => out.push('e'),
            'ì' | 'í' | 'î' | 'ï' => out.push('i'),
            'ñ' => out.push('n'),
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => out.push('o'),
            'ù' | 'ú' | 'û' | 'ü' => out.push('u'),
            'ý' | 'ÿ' => out.push('y'),
            'æ' => out.push_str("ae"),
            'œ' => out.push_str("oe"),
            'ß' => out.push_str("ss"),
            _ => out.push('-'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_texts_are_cut_at_a_word_boundary_with_an_ellipsis() {
        let title =
            "Observatoire des inégalités numériques de Bordeaux Métropole, vague démonstration";
        let short = shorten(title, 80, 320);
        assert_eq!(
            short,
            "Observatoire des inégalités numériques de Bordeaux Métropole, vague…"
        );
        assert_eq!(shorten("court", 80, 255), "court");
        let spss = shorten(title, usize::MAX, 64);
        assert!(spss.len() <= 64, "{spss}");
        assert_eq!(spss, "Observatoire des inégalités numériques de Bordeaux…");
        let one_word = shorten(&"é".repeat(100), 80, 255);
        assert_eq!(one_word.chars().count(), 80);
        assert!(one_word.ends_with('…'));
    }

    #[test]
    fn ascii_names_lose_accents_only() {
        assert_eq!(
            ascii_name("obs-inegalites-numeriques-démonstration"),
            "obs-inegalites-numeriques-demonstration"
        );
        assert_eq!(ascii_name("Vague Œuvre/2"), "vague-oeuvre-2");
    }
}
