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
