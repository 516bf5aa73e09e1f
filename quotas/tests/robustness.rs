//! Bad input gets an error, never a panic.

use proptest::prelude::*;
use quotas::{Design, Layout, Minimum, PlanRequest, Structure, allocate, parse_populations, plan};

const DESIGN_PIECES: [&str; 12] = [
    "[design]\nid = \"x\"\n",
    "margins = [[\"commune\"]]\n",
    "margins = []\n",
    "[[dimension]]\nname = \"commune\"\nvariable = \"COMMUNE\"\n",
    "categories = [{ code = 1, label = \"a\" }, { code = 2, label = \"b\", min = 3 }]\n",
    "categories = []\n",
    "[[cell]]\nat = { commune = 1 }\ntarget = 3\n",
    "[[cell]]\nat = { commune = 9, sexe = 1 }\ntarget = -1\nkind = \"soft\"\n",
    "[defaults]\nkind = \"soft\"\ntolerance_percent = 1e300\n",
    "closed = true\n",
    "x = [\n",
    "\u{feff}é\"",
];

proptest! {
    #[test]
    fn arbitrary_text_never_panics_any_parser(text in "\\PC{0,300}") {
        let _ = Design::from_toml(&text);
        let _ = parse_populations(&text, "2023");
        let _ = Structure::parse(&text);
        let _ = text.parse::<quotas::CellKey>();
    }

    #[test]
    fn shuffled_design_pieces_never_panic(pieces in prop::collection::vec(0usize..DESIGN_PIECES.len(), 0..12)) {
        let text: String = pieces.iter().map(|&i| DESIGN_PIECES[i]).collect();
        let _ = Design::from_toml(&text);
    }

    #[test]
    fn arbitrary_populations_and_totals_never_panic(
        populations in prop::collection::vec(any::<u64>(), 0..6),
        total in any::<u64>(),
        minimum in any::<u64>(),
    ) {
        let _ = allocate(&populations, total, Minimum::Floor(minimum));
        let _ = allocate(&populations, total, Minimum::Base(minimum));
        let _ = allocate(&populations, total, Minimum::None);
    }
}

#[test]
fn huge_populations_are_planned_without_overflow() {
    let csv = format!(
        "code_commune,nom_commune,millesime,population_municipale\n1,A,1,{max}\n2,B,1,{max}\n",
        max = u64::MAX
    );
    let populations = parse_populations(&csv, "1").expect("readable");
    let request = PlanRequest {
        total: 11,
        minimum: Minimum::None,
        structure: None,
        layout: Layout::Crossed,
    };
    let planned = plan(&populations, &request).expect("plannable");
    assert_eq!(
        planned
            .communes
            .iter()
            .map(|c| c.target)
            .collect::<Vec<_>>(),
        [6, 5]
    );
}

/// A valid design file, to mutate.
const VALID_DESIGN: &str = r#"[design]
id = "bm-2026"
title = "Observatoire 2026"
margins = [["commune", "sexe"], ["age"]]

[defaults]
kind = "soft"
tolerance_percent = 5

[[dimension]]
name = "commune"
variable = "COMMUNE"
categories = [{ code = 33063, label = "Bordeaux" }, { code = 33281, label = "Mérignac" }]

[[dimension]]
name = "sexe"
variable = "SEXE"
categories = [{ code = 1, label = "Homme" }, { code = 2, label = "Femme" }]

[[dimension]]
name = "age"
variable = "AGE"
categories = [{ code = 1, label = "15-44", min = 15, max = 44 }, { code = 2, label = "45+", min = 45 }]

[[cell]]
at = { commune = 33063, sexe = 1 }
target = 40
[[cell]]
at = { commune = 33063, sexe = 2 }
target = 42
kind = "hard"
[[cell]]
at = { commune = 33281, sexe = 1 }
target = 10
closed = true
[[cell]]
at = { sexe = 2, commune = 33281 }
target = 11
tolerance_percent = 0.5
[[cell]]
at = { age = 1 }
target = 50
[[cell]]
at = { age = 2 }
target = 53
"#;

/// Pieces of the design format spliced into the valid design.
const DESIGN_TOKENS: [&str; 24] = [
    "",
    "\n",
    " ",
    "=",
    "\"",
    "[",
    "]",
    "{",
    "}",
    ",",
    "#",
    "-",
    ".",
    "0",
    "9",
    "e9",
    "1e-320",
    "nan",
    "inf",
    "9223372036854775807",
    "-9223372036854775808",
    "\"soft\"",
    "[[cell]]\n",
    "é",
];

/// The valid design with up to five splices: at a byte, remove up to 8 bytes and insert a token.
fn mutated_design() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (
            any::<prop::sample::Index>(),
            0usize..8,
            prop::sample::select(DESIGN_TOKENS.to_vec()),
        ),
        1..6,
    )
    .prop_map(|splices| {
        let mut text = VALID_DESIGN.to_owned();
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Whatever a survey manager's edit does to a design file, it is read or refused with
    /// errors (never a panic), and a design that is read writes back to a file read as the same
    /// design.
    #[test]
    fn an_edited_design_file_is_refused_or_writes_back_identically(text in mutated_design()) {
        match Design::from_toml(&text) {
            Ok(design) => {
                let written = design.to_toml();
                let again = Design::from_toml(&written);
                prop_assert_eq!(again.as_ref(), Ok(&design), "written:\n{}", written);
            }
            Err(errors) => prop_assert!(!errors.0.is_empty()),
        }
    }
}

#[test]
fn the_valid_design_used_for_mutations_is_valid() {
    let design = Design::from_toml(VALID_DESIGN).expect("valid design");
    assert_eq!(design.cells().count(), 6);
}
