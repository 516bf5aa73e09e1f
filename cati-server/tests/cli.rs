//! The command line as authors and analysts use it: `cati questionnaire`, `cati quotas plan`,
//! `cati weight`, run as a process with real files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn cati(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cati"))
        .args(args)
        .current_dir(repo())
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("cati runs")
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn check_json_reports_the_observatory_questionnaire_valid_with_at_least_35_questions() {
    let out = cati(&[
        "questionnaire",
        "check",
        "--json",
        "questionnaires/observatoire.toml",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["valid"], true);
    assert!(report["questions"].as_u64().unwrap() >= 35, "{report}");
    assert!(report["variables"].as_u64().unwrap() >= report["questions"].as_u64().unwrap());
    assert_eq!(report["errors"].as_array().unwrap().len(), 0);
    assert_eq!(report["warnings"].as_array().unwrap().len(), 0);
}

#[test]
fn check_of_a_broken_questionnaire_exits_non_zero_naming_file_line_and_question() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("doublon.toml");
    std::fs::write(
        &file,
        "[survey]\nid = \"t\"\ntitle = \"T\"\nversion = \"1\"\n\n[[section]]\nid = \"s\"\ntitle = \"S\"\n\n\
         [[section.question]]\nvar = \"AGE\"\ntype = \"integer\"\ntext = \"Âge ?\"\n\n\
         [[section.question]]\nvar = \"age\"\ntype = \"integer\"\ntext = \"Âge encore ?\"\n",
    )
    .unwrap();
    let out = cati(&["questionnaire", "check", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("doublon.toml:16"), "{text}");
    assert!(text.contains("age"), "{text}");
    let json = cati(&["questionnaire", "check", "--json", file.to_str().unwrap()]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(report["valid"], false);
    assert_eq!(report["errors"][0]["line"], 16);
    assert_eq!(report["errors"][0]["question"], "age");
}

#[test]
fn check_of_a_file_that_is_not_a_questionnaire_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [
        ("vide.toml", &b""[..]),
        ("binaire.toml", &b"\x00\xff\xfe garbage"[..]),
        ("texte.toml", &b"Ceci n'est pas un questionnaire."[..]),
    ] {
        let file = dir.path().join(name);
        std::fs::write(&file, bytes).unwrap();
        let out = cati(&["questionnaire", "check", file.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{name}: {}", stderr(&out));
        assert!(stdout(&out).contains(name), "{name}: {}", stdout(&out));
        assert!(
            !stderr(&out).contains("panicked"),
            "{name}: {}",
            stderr(&out)
        );
    }
}

/// Replays a scripted path through the observatory questionnaire with `cati questionnaire try`.
fn try_script(name: &str, script: &str) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(name);
    std::fs::write(&file, script).unwrap();
    cati(&[
        "questionnaire",
        "try",
        "questionnaires/observatoire.toml",
        "--answers",
        file.to_str().unwrap(),
    ])
}

/// The screening steps of the observatory questionnaire, up to the age.
fn screening_until_age(age: u32) -> String {
    format!(
        r#"[{{"var": "INTRO"}}, {{"var": "CONSENTEMENT", "answer": 1}},
            {{"var": "COMMUNE", "answer": 33063}}, {{"var": "SEXE", "answer": 2}},
            {{"var": "AGE", "answer": {age}}}]"#
    )
}

#[test]
fn try_with_answers_replays_a_path_and_prints_the_answer_record() {
    let out = try_script("moins-de-15-ans.json", &screening_until_age(12));
    assert!(out.status.success(), "{}", stderr(&out));
    let outcome: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(outcome["state"]["screened_out"].is_object(), "{outcome}");
    assert_eq!(outcome["answers"]["AGE"]["integer"], 12);
    assert_eq!(outcome["answers"]["COMMUNE"]["choice"]["code"], 33063);
}

#[test]
fn try_with_a_script_the_engine_rejects_names_the_step_and_fails() {
    let out = try_script("age-hors-bornes.json", &screening_until_age(250));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("step 5"), "{}", stderr(&out));
}

#[test]
fn quotas_plan_prints_one_target_per_commune_summing_exactly_to_the_total() {
    let out = cati(&[
        "quotas",
        "plan",
        "--total",
        "5000",
        "--min-per-commune",
        "50",
        "--populations",
        "../shared/data/bm_populations_legales.csv",
        "--vintage",
        "2020",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("code_commune,nom_commune,population,share,target")
    );
    let targets: Vec<u64> = lines
        .map(|l| l.rsplit(',').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(targets.len(), 28);
    assert_eq!(targets.iter().sum::<u64>(), 5000);
    assert!(targets.iter().all(|&t| t >= 50));
}

#[test]
fn weight_writes_id_and_weight_and_refuses_an_empty_cell_before_iterating() {
    let fixtures = repo().join("exports/tests/fixtures/weighting");
    let dir = tempfile::tempdir().unwrap();
    let out_file = dir.path().join("poids.csv");
    let respondents = fixtures.join("respondents.csv");
    let run = |margins: &str| {
        cati(&[
            "weight",
            "--respondents",
            respondents.to_str().unwrap(),
            "--margins",
            fixtures.join(margins).to_str().unwrap(),
            "--method",
            "raking",
            "--out",
            out_file.to_str().unwrap(),
            "--json",
        ])
    };
    let ok = run("margins_oneway.csv");
    assert!(ok.status.success(), "{}", stderr(&ok));
    let written = std::fs::read_to_string(&out_file).unwrap();
    assert!(written.starts_with("id,weight"));
    assert_eq!(written.lines().count(), 1 + 1200);
    let diagnostics: serde_json::Value = serde_json::from_str(&stderr(&ok)).unwrap();
    assert_eq!(diagnostics["converged"], true, "{diagnostics}");

    let empty = run("margins_emptycell.csv");
    assert_eq!(empty.status.code(), Some(1));
    let message = stderr(&empty);
    assert!(
        message.starts_with(
            "erreur : 1 modalité de marge a une cible positive mais aucun répondant (le calage ne \
             peut pas converger) :\n  marge « diplome », modalité « doctorat » (cible 1500) : \
             regroupez-la avec une modalité voisine dans le fichier (« superieur » ("
        ),
        "{message}"
    );
}

/// `cati weight` on the fixture respondents with margins written as `margins`, its output in
/// `dir`.
/// `cati weight` with a respondents file that does not exist, the margins file `margins` and
/// `method`: a bad method is refused before the files are read.
fn weight_absent_respondents(margins: &Path, method: &str) -> Output {
    cati(&[
        "weight",
        "--respondents",
        "absent.csv",
        "--margins",
        margins.to_str().unwrap(),
        "--method",
        method,
        "--out",
        "poids.csv",
    ])
}

fn weight_with_margins(dir: &Path, margins: &str) -> Output {
    let fixtures = repo().join("exports/tests/fixtures/weighting");
    let file = dir.join("marges.csv");
    std::fs::write(&file, margins).unwrap();
    cati(&[
        "weight",
        "--respondents",
        fixtures.join("respondents.csv").to_str().unwrap(),
        "--margins",
        file.to_str().unwrap(),
        "--method",
        "raking",
        "--out",
        dir.join("poids.csv").to_str().unwrap(),
    ])
}

#[test]
fn weight_reads_margins_saved_by_a_french_excel_with_semicolons_and_decimal_commas() {
    let comma =
        std::fs::read_to_string(repo().join("exports/tests/fixtures/weighting/margins_oneway.csv"))
            .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ok = weight_with_margins(dir.path(), &comma);
    assert!(ok.status.success(), "{}", stderr(&ok));
    let expected = std::fs::read_to_string(dir.path().join("poids.csv")).unwrap();

    // The same margins as Excel saves them in France: BOM, `;`, CRLF, a decimal comma.
    let excel = "\u{feff}".to_owned()
        + &comma
            .replace(',', ";")
            .replace("\n", "\r\n")
            .replace("sexe;F;52120", "sexe;F;52120,0");
    let ok = weight_with_margins(dir.path(), &excel);
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("poids.csv")).unwrap(),
        expected
    );
    let report = stderr(&ok);
    assert!(
        report.starts_with("Méthode : calage sur marges"),
        "{report}"
    );
    assert!(
        report.contains("Poids de 1200 répondant(s) écrits dans « "),
        "{report}"
    );
}

#[test]
fn weight_errors_are_french_and_name_the_file_given_and_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("marges.csv");
    let out = weight_with_margins(
        dir.path(),
        "variable;category;target_total\ncommune;c01;25000\nsexe;F;dix\n",
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!(
            "erreur : {}, ligne 3 : la cible target_total « dix » n'est pas un nombre \
             (décimales avec un point ou une virgule : 12.5 ou 12,5 ; espaces admises entre les \
             milliers)\n",
            file.display()
        )
    );

    let out = weight_with_margins(dir.path(), "variable|category|target_total\nsexe|F|10\n");
    let message = stderr(&out);
    assert!(
        message.contains(", ligne 1 : colonne « variable » absente")
            && message.contains("l'en-tête ne forme qu'une seule colonne"),
        "{message}"
    );

    let out = weight_absent_respondents(&file, "logit");
    assert_eq!(
        stderr(&out),
        "erreur : la méthode « logit » demande des bornes L,U sur le rapport g = poids / poids \
         initial (par exemple 0.5,2)\n"
    );
    let out = weight_absent_respondents(&file, "ipf");
    assert!(
        stderr(&out).starts_with("erreur : méthode de pondération inconnue : « ipf »"),
        "{}",
        stderr(&out)
    );
    let out = weight_absent_respondents(&file, "raking");
    assert_eq!(
        stderr(&out),
        "erreur : lecture de « absent.csv » impossible : fichier ou dossier introuvable\n"
    );
}
