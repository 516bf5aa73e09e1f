//! Robustness of `check` on the real questionnaire after edits a survey manager could make by
//! mistake (a quote removed, a bracket doubled, an expression cut): the file is refused with
//! located findings or accepted, never a panic. Complements `properties.rs`, whose mutations
//! start from small generated questionnaires.

use proptest::prelude::*;

const OBSERVATOIRE: &str = include_str!("../../questionnaires/observatoire.toml");

/// Pieces of the questionnaire format and of the expression language.
const TOKENS: [&str; 36] = [
    "",
    "\n",
    " ",
    "\"",
    "'",
    "=",
    "[",
    "]",
    "[[",
    "{",
    "}",
    ",",
    "#",
    "\"\"\"",
    "[[section.question]]\n",
    "[[section]]\n",
    "type = \"grid\"\n",
    "type = \"computed\"\n",
    "type = \"scale\"\n",
    "type = \"date\"\n",
    "options = []\n",
    "randomize = true\n",
    "max_choices = 0\n",
    " and ",
    " or not ",
    " in [1..",
    "if ",
    " then ",
    " else ",
    "has(",
    "date(\"2024-02-30\")",
    "{AGE}",
    "9223372036854775807",
    "-1e308",
    "\u{feff}",
    "é",
];

/// The real questionnaire with up to four splices: at a byte, remove up to 16 bytes and insert
/// a piece.
fn edited_observatoire() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (
            any::<prop::sample::Index>(),
            0usize..16,
            prop::sample::select(TOKENS.to_vec()),
        ),
        1..5,
    )
    .prop_map(|splices| {
        let mut text = OBSERVATOIRE.to_owned();
        for (at, remove, token) in splices {
            let mut start = at.index(text.len() + 1);
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            let mut end = (start + remove).min(text.len());
            while !text.is_char_boundary(end) {
                end += 1;
            }
            text.replace_range(start..end, token);
        }
        text
    })
}

#[test]
fn the_questionnaire_used_for_edits_is_valid() {
    let (report, questionnaire) = questionnaire::check(OBSERVATOIRE, "observatoire.toml");
    assert!(report.valid, "{:?}", report.errors);
    assert!(questionnaire.is_some());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// An edited questionnaire is accepted or refused with findings that point inside the file,
    /// never a panic.
    #[test]
    fn an_edited_questionnaire_is_refused_with_located_findings_never_a_panic(
        text in edited_observatoire(),
    ) {
        let (report, questionnaire) = questionnaire::check(&text, "observatoire.toml");
        prop_assert_eq!(questionnaire.is_some(), report.valid);
        prop_assert_eq!(report.valid, report.errors.is_empty());
        let lines = text.lines().count().max(1) + 1;
        for finding in report.errors.iter().chain(&report.warnings) {
            prop_assert!((1..=lines).contains(&finding.line), "{} ({} lines)", finding, lines);
            prop_assert!(!finding.message.is_empty());
        }
    }
}
