//! Checks of real files: the observatory's questionnaire and the test fixture are valid.

fn report(path: &str) -> questionnaire::Report {
    let bytes = std::fs::read(path).expect("fixture readable");
    questionnaire::check_bytes(&bytes, path).0
}

#[test]
fn small_fixture_is_valid() {
    let r = report("tests/fixtures/small.toml");
    assert!(r.valid, "{}", serde_json::to_string_pretty(&r).unwrap());
    assert!(r.warnings.is_empty(), "{:#?}", r.warnings);
}

#[test]
fn observatory_questionnaire_is_valid() {
    let path = "../questionnaires/observatoire.toml";
    if std::path::Path::new(path).exists() {
        let r = report(path);
        assert!(r.valid, "{}", serde_json::to_string_pretty(&r).unwrap());
        println!("{}", serde_json::to_string_pretty(&r).unwrap());
    }
}

#[test]
fn questionnaires_can_be_shared_between_threads() {
    fn shareable<T: Send + Sync + Clone + std::fmt::Debug>() {}
    shareable::<questionnaire::Questionnaire>();
    shareable::<questionnaire::Record>();
}
