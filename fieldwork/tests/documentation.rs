//! The README's stored rules are the defaults, field for field.

use std::path::PathBuf;

use fieldwork::{CallingRules, RulesConfig};

fn readme() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("README.md");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{} could not be read ({e})", path.display()))
}

#[test]
fn documented_rules_are_the_defaults() {
    let readme = readme();
    let block = readme
        .split("```json\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("README.md shows the default rules as JSON");
    let documented: serde_json::Value = serde_json::from_str(block).expect("valid JSON");
    let defaults = serde_json::to_value(RulesConfig::default()).expect("serialisable");
    assert_eq!(documented, defaults);
    let rules: CallingRules = serde_json::from_str(block).expect("valid rules");
    assert_eq!(rules.config(), &RulesConfig::default());
}
