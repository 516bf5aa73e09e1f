//! The examples of docs/quotas.md are valid, and its 28-commune design is what the planner
//! makes of the 2023 legal populations.

use quotas::{
    Design, DesignOptions, Layout, Minimum, PlanRequest, Rule, Tolerance, parse_populations, plan,
};
use std::path::PathBuf;

fn read(relative: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{} is required by this test and could not be read ({e})",
            path.display()
        )
    })
}

/// The TOML code blocks of the documentation that are whole design files.
fn documented_designs() -> Vec<String> {
    let doc = read("../docs/quotas.md");
    doc.split("```toml\n")
        .skip(1)
        .filter_map(|rest| rest.split("```").next())
        .filter(|block| block.starts_with("[design]"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_documented_design_is_valid() {
    let designs = documented_designs();
    assert_eq!(
        designs.len(),
        3,
        "docs/quotas.md should hold three design examples"
    );
    for block in designs {
        if let Err(errors) = Design::from_toml(&block) {
            panic!("documented design refused:\n{errors}\n{block}");
        }
    }
}

#[test]
fn documented_28_commune_design_is_the_plan_of_the_2023_populations() {
    let csv = read("../../shared/data/bm_populations_legales.csv");
    let populations = parse_populations(&csv, "2023").expect("2023 populations");
    let request = PlanRequest {
        total: 5000,
        minimum: Minimum::Floor(50),
        structure: None,
        layout: Layout::Crossed,
    };
    let options = DesignOptions {
        id: "bm-2026-communes".to_owned(),
        title: Some("Observatoire des inégalités numériques, vague 2026".to_owned()),
        rule: Rule::Soft(Tolerance::from_percent(5.0).expect("valid")),
        ..DesignOptions::default()
    };
    let expected = plan(&populations, &request)
        .expect("plannable")
        .to_design(&options)
        .expect("valid");
    let documented = documented_designs()
        .into_iter()
        .find(|block| block.contains("id = \"bm-2026-communes\""))
        .expect("the 28-commune example");
    assert_eq!(documented, expected.to_toml());
}
