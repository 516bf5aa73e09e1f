//! Every file in `tests/broken/` is a questionnaire with one mistake; its first lines say what
//! `check` must report: `# expect: line N: message part` for an error, `# expect warning: …` for
//! a warning.

use questionnaire::{Finding, check_bytes};

struct Expectation {
    warning: bool,
    line: usize,
    message: String,
}

fn expectations(source: &str) -> Vec<Expectation> {
    source
        .lines()
        .map_while(|l| l.strip_prefix("# expect"))
        .map(|rest| {
            let (warning, rest) = match rest.strip_prefix(" warning") {
                Some(r) => (true, r),
                None => (false, rest),
            };
            let rest = rest
                .strip_prefix(": line ")
                .expect("`# expect: line N: message`");
            let (line, message) = rest.split_once(": ").expect("`line N: message`");
            Expectation {
                warning,
                line: line.parse().expect("line number"),
                message: message.to_string(),
            }
        })
        .collect()
}

#[test]
fn each_broken_questionnaire_reports_its_mistake_at_its_line() {
    let mut files: Vec<_> = std::fs::read_dir("tests/broken")
        .expect("tests/broken")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    assert!(files.len() >= 30, "{} fixtures", files.len());
    let mut failures = Vec::new();
    for path in files {
        let bytes = std::fs::read(&path).expect("readable");
        let name = path.display().to_string();
        let expected = expectations(&String::from_utf8_lossy(&bytes));
        assert!(!expected.is_empty(), "{name} has no `# expect` line");
        let (report, questionnaire) = check_bytes(&bytes, &name);
        let has_error = expected.iter().any(|e| !e.warning);
        if has_error && (report.valid || questionnaire.is_some()) {
            failures.push(format!("{name}: reported valid"));
        }
        for e in &expected {
            let findings: &[Finding] = if e.warning {
                &report.warnings
            } else {
                &report.errors
            };
            let found = findings
                .iter()
                .any(|f| f.line == e.line && f.message.contains(&e.message) && f.file == name);
            if !found {
                failures.push(format!(
                    "{name}: expected {} at line {}: {:?}\n  got: {:#?}",
                    if e.warning { "warning" } else { "error" },
                    e.line,
                    e.message,
                    findings.iter().map(ToString::to_string).collect::<Vec<_>>()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn report_serialises_with_the_documented_keys() {
    let (report, _) = check_bytes(b"[survey]\nid = \"x\"\n", "x.toml");
    let json = serde_json::to_value(&report).unwrap();
    for key in ["valid", "questions", "variables", "errors", "warnings"] {
        assert!(json.get(key).is_some(), "{key}");
    }
    let finding = &json["errors"][0];
    for key in ["file", "line", "column", "question", "message"] {
        assert!(finding.get(key).is_some(), "{key}");
    }
}
