//! The difference between two versions of a questionnaire, for survey managers preparing the
//! next wave: what is reported, in which words, and when the waves stop being comparable.

use questionnaire::diff::{
    Bounds, ExpressionChange, MissingAnswer, OptionFlag, OptionFlagChange, OptionRelabel,
    QuestionSummary, TextChange, TypeChange, VersionId,
};
use questionnaire::{Questionnaire, VersionDiff, diff};

/// A small questionnaire with every kind of thing the diff looks at.
const BASE: &str = r#"
[survey]
id = "essai"
title = "Essai"
version = "1"
languages = ["fr", "en"]

[screening]
quota = ["SEXE"]
[[screening.screen_out]]
when = "AGE < 15"
reason = "Moins de 15 ans"

[closing]
completed = "Merci."
screened_out = "Merci, au revoir."
refusal = "Bonne journée."

[[section]]
id = "profil"
title = "Profil"

[[section.question]]
var = "SEXE"
type = "single"
text = "Vous êtes… ?"
options = [
  { code = 1, label = "Homme" },
  { code = 2, label = "Femme" },
]

[[section.question]]
var = "AGE"
type = "integer"
text = { fr = "Quel âge avez-vous ?", en = "How old are you?" }
min = 0
max = 120

[[section]]
id = "equipement"
title = "Équipement"

[[section.question]]
var = "EQUIP"
type = "multiple"
filter = "AGE >= 18"
text = "Quels équipements possédez-vous ?"
options = [
  { code = 1, label = "Un smartphone" },
  { code = 2, label = "Un ordinateur" },
  { code = 3, label = "Autre", other = true },
  { code = 4, label = "Aucun", exclusive = true },
]

[[section.question]]
var = "NB_EQUIP"
type = "computed"
filter = "answered(EQUIP)"
expr = "count(EQUIP)"

[[section.question]]
var = "HEURES"
type = "decimal"
text = "Combien d'heures par jour passez-vous en ligne ?"
min = 0
max = 24

[[section.question]]
var = "CAPACITE"
type = "scale"
text = "De 0 à 10, vous sentez-vous capable ?"
min = 0
max = 10

[[section.question]]
var = "USAGES"
type = "grid"
text = "Faites-vous seul(e)…"
options = [
  { code = 1, label = "Oui" },
  { code = 2, label = "Non" },
]
items = [
  { var = "US_BANQUE", text = "vos opérations bancaires ?" },
  { var = "US_ADMIN", text = "vos démarches ?", filter = "AGE >= 18" },
]
"#;

fn load(source: &str) -> Questionnaire {
    questionnaire::load(source, "essai.toml").unwrap_or_else(|e| panic!("{e}"))
}

/// The base questionnaire against a copy with `edits` (`from` → `to`, each found exactly once).
fn diff_with(edits: &[(&str, &str)]) -> VersionDiff {
    let mut edited = BASE.replace("version = \"1\"", "version = \"2\"");
    for (from, to) in edits {
        assert_eq!(
            edited.matches(from).count(),
            1,
            "edit `{from}` must match once"
        );
        edited = edited.replace(from, to);
    }
    diff(&load(BASE), &load(&edited))
}

#[test]
fn identical_versions_have_no_difference() {
    let d = diff(&load(BASE), &load(BASE));
    assert!(d.is_empty(), "{d:#?}");
    assert!(d.comparable());
    assert!(d.lines().is_empty());
}

#[test]
fn both_versions_are_identified() {
    let d = diff_with(&[]);
    assert_eq!(
        (d.from, d.to),
        (
            VersionId {
                id: "essai".into(),
                version: "1".into()
            },
            VersionId {
                id: "essai".into(),
                version: "2".into()
            }
        )
    );
}

#[test]
fn added_question_is_reported_with_its_french_type_and_section_title() {
    let d = diff_with(&[(
        "[[section]]\nid = \"equipement\"",
        "[[section]]\nid = \"aides\"\ntitle = \"Aides\"\n\n[[section.question]]\nvar = \"NUM_AIDE\"\n\
         type = \"single\"\ntext = \"Aidez-vous vos proches ?\"\noptions = [{ code = 1, label = \
         \"Oui\" }, { code = 2, label = \"Non\" }]\n\n[[section]]\nid = \"equipement\"",
    )]);
    assert_eq!(
        d.added,
        [QuestionSummary {
            var: "NUM_AIDE".into(),
            kind: "single",
            section: "aides".into(),
            section_title: "Aides".into(),
        }]
    );
    assert_eq!(
        d.lines(),
        ["Question ajoutée : NUM_AIDE (choix unique, section « Aides »)"]
    );
}

#[test]
fn removed_questions_are_reported_in_the_earlier_order_and_keep_waves_comparable() {
    let d = diff_with(&[
        (
            "[[section.question]]\nvar = \"HEURES\"\ntype = \"decimal\"\n\
             text = \"Combien d'heures par jour passez-vous en ligne ?\"\nmin = 0\nmax = 24\n",
            "",
        ),
        (
            "[[section.question]]\nvar = \"NB_EQUIP\"\ntype = \"computed\"\n\
             filter = \"answered(EQUIP)\"\nexpr = \"count(EQUIP)\"\n",
            "",
        ),
    ]);
    assert_eq!(
        d.removed.iter().map(|q| q.var.as_str()).collect::<Vec<_>>(),
        ["NB_EQUIP", "HEURES"]
    );
    assert!(d.comparable());
    assert_eq!(
        d.lines(),
        [
            "Question supprimée : NB_EQUIP (calculée, section « Équipement »)",
            "Question supprimée : HEURES (nombre décimal, section « Équipement »)",
        ]
    );
}

#[test]
fn retyped_question_is_reported_and_breaks_comparability() {
    let d = diff_with(&[(
        "var = \"HEURES\"\ntype = \"decimal\"",
        "var = \"HEURES\"\ntype = \"integer\"",
    )]);
    assert_eq!(
        d.retyped,
        [TypeChange {
            var: "HEURES".into(),
            before: "decimal",
            after: "integer"
        }]
    );
    assert!(!d.comparable());
    assert_eq!(
        d.lines(),
        [
            "Type modifié : HEURES — avant nombre décimal, après nombre entier (rupture de comparabilité)"
        ]
    );
}

#[test]
fn added_option_is_reported_and_keeps_waves_comparable() {
    let d = diff_with(&[(
        "{ code = 2, label = \"Un ordinateur\" },",
        "{ code = 2, label = \"Un ordinateur\" },\n  { code = 5, label = \"Tablette\" },",
    )]);
    assert!(d.comparable());
    assert_eq!(
        d.lines(),
        ["Options modifiées : EQUIP — code 5 ajouté « Tablette »"]
    );
}

#[test]
fn removed_option_breaks_comparability() {
    let d = diff_with(&[("{ code = 2, label = \"Un ordinateur\" },", "")]);
    assert_eq!(d.options[0].removed[0].code, 2);
    assert!(!d.comparable());
    assert_eq!(
        d.lines(),
        [
            "Options modifiées : EQUIP — code 2 supprimé « Un ordinateur » (rupture de comparabilité)"
        ]
    );
}

#[test]
fn renamed_option_label_is_reported_with_before_and_after() {
    let d = diff_with(&[(
        "label = \"Un ordinateur\"",
        "label = \"Un ordinateur portable\"",
    )]);
    assert_eq!(
        d.options[0].relabelled,
        [OptionRelabel {
            code: 2,
            before: "Un ordinateur".into(),
            after: "Un ordinateur portable".into(),
            new_meaning: true,
        }]
    );
    assert_eq!(
        d.lines(),
        [
            "Options modifiées : EQUIP — libellé du code 2 modifié : avant « Un ordinateur », \
             après « Un ordinateur portable » (rupture de comparabilité)"
        ]
    );
}

#[test]
fn swapped_codes_are_reused_with_another_meaning() {
    let d = diff_with(&[
        (
            "{ code = 1, label = \"Homme\" }",
            "{ code = 1, label = \"Femme\" }",
        ),
        (
            "{ code = 2, label = \"Femme\" }",
            "{ code = 2, label = \"Homme\" }",
        ),
    ]);
    assert!(!d.comparable());
    assert!(d.options[0].relabelled.iter().all(|r| r.new_meaning));
}

#[test]
fn option_label_changed_only_in_case_or_punctuation_keeps_its_meaning() {
    let d = diff_with(&[("label = \"Un smartphone\"", "label = \"Un Smartphone.\"")]);
    assert!(!d.options[0].relabelled[0].new_meaning);
    assert!(d.comparable());
    assert_eq!(
        d.lines(),
        [
            "Options modifiées : EQUIP — libellé du code 1 modifié : avant « Un smartphone », \
             après « Un Smartphone. »"
        ]
    );
}

#[test]
fn other_and_exclusive_flags_changes_are_reported() {
    let d = diff_with(&[
        ("label = \"Autre\", other = true", "label = \"Autre\""),
        ("label = \"Aucun\", exclusive = true", "label = \"Aucun\""),
    ]);
    assert_eq!(
        d.options[0].flags,
        [
            OptionFlagChange {
                code: 3,
                label: "Autre".into(),
                flag: OptionFlag::Other,
                before: true,
                after: false
            },
            OptionFlagChange {
                code: 4,
                label: "Aucun".into(),
                flag: OptionFlag::Exclusive,
                before: true,
                after: false
            },
        ]
    );
    assert!(d.comparable());
    assert_eq!(
        d.lines(),
        [
            "Options modifiées : EQUIP — code 3 « Autre » ne demande plus de précision",
            "Options modifiées : EQUIP — code 4 « Aucun » n'est plus exclusif",
        ]
    );
}

#[test]
fn grid_options_are_compared_like_any_question() {
    let d = diff_with(&[(
        "{ code = 2, label = \"Non\" },\n]\nitems",
        "{ code = 2, label = \"Non\" },\n  { code = 3, label = \"Pas concerné\" },\n]\nitems",
    )]);
    assert_eq!(
        d.lines(),
        ["Options modifiées : USAGES — code 3 ajouté « Pas concerné »"]
    );
}

#[test]
fn changed_filter_is_reported_with_before_and_after_source() {
    let d = diff_with(&[(
        "filter = \"AGE >= 18\"\ntext",
        "filter = \"AGE >= 16\"\ntext",
    )]);
    assert_eq!(
        d.filters,
        [ExpressionChange {
            var: "EQUIP".into(),
            before: Some("AGE >= 18".into()),
            after: Some("AGE >= 16".into()),
        }]
    );
    assert!(d.comparable());
    assert_eq!(
        d.lines(),
        ["Filtre modifié : EQUIP — avant `AGE >= 18`, après `AGE >= 16`"]
    );
}

#[test]
fn filter_added_or_removed_counts_as_a_change() {
    let d = diff_with(&[
        ("filter = \"AGE >= 18\"\ntext", "text"),
        (
            "var = \"HEURES\"\n",
            "var = \"HEURES\"\nfilter = \"has(EQUIP, 1)\"\n",
        ),
    ]);
    assert_eq!(
        d.lines(),
        [
            "Filtre supprimé : EQUIP — avant `AGE >= 18`",
            "Filtre ajouté : HEURES — `has(EQUIP, 1)`",
        ]
    );
}

#[test]
fn reformatted_filters_expressions_and_texts_are_not_changes() {
    let d = diff_with(&[
        ("filter = \"AGE >= 18\"\ntext", "filter = \"AGE>=18\"\ntext"),
        (
            "expr = \"count(EQUIP)\"",
            "expr = \"\"\"\n  count( EQUIP )\"\"\"",
        ),
        (
            "text = \"Quels équipements possédez-vous ?\"",
            "text = \"\"\"\n  Quels   équipements\n  possédez-vous ?  \"\"\"",
        ),
        ("label = \"Un smartphone\"", "label = \" Un  smartphone \""),
    ]);
    assert!(d.is_empty(), "{d:#?}");
}

#[test]
fn changed_computation_is_reported() {
    let d = diff_with(&[("expr = \"count(EQUIP)\"", "expr = \"count(EQUIP) - 1\"")]);
    assert_eq!(
        d.lines(),
        ["Calcul modifié : NB_EQUIP — avant `count(EQUIP)`, après `count(EQUIP) - 1`"]
    );
}

#[test]
fn reworded_question_text_is_reported_in_the_primary_language_only() {
    let english = diff_with(&[("en = \"How old are you?\"", "en = \"What is your age?\"")]);
    assert!(english.is_empty(), "{english:#?}");
    let d = diff_with(&[(
        "fr = \"Quel âge avez-vous ?\"",
        "fr = \"Quel est votre âge ?\"",
    )]);
    assert_eq!(
        d.texts,
        [TextChange {
            var: "AGE".into(),
            before: "Quel âge avez-vous ?".into(),
            after: "Quel est votre âge ?".into(),
        }]
    );
    assert!(d.comparable());
    assert_eq!(
        d.lines(),
        ["Texte modifié : AGE — avant « Quel âge avez-vous ? », après « Quel est votre âge ? »"]
    );
}

#[test]
fn changed_bounds_are_reported_for_integer_decimal_and_scale() {
    let d = diff_with(&[
        ("min = 0\nmax = 120", "min = 15\nmax = 120"),
        ("min = 0\nmax = 24", "min = 0.5"),
        ("min = 0\nmax = 10", "min = 1\nmax = 10"),
    ]);
    assert_eq!(
        d.ranges
            .iter()
            .map(|r| (r.var.as_str(), r.after))
            .collect::<Vec<_>>(),
        [
            (
                "AGE",
                Bounds {
                    min: Some(15.0),
                    max: Some(120.0)
                }
            ),
            (
                "HEURES",
                Bounds {
                    min: Some(0.5),
                    max: None
                }
            ),
            (
                "CAPACITE",
                Bounds {
                    min: Some(1.0),
                    max: Some(10.0)
                }
            ),
        ]
    );
    assert!(d.comparable());
    assert_eq!(
        d.lines(),
        [
            "Bornes modifiées : AGE — avant de 0 à 120, après de 15 à 120",
            "Bornes modifiées : HEURES — avant de 0 à 24, après au moins 0,5",
            "Bornes modifiées : CAPACITE — avant de 0 à 10, après de 1 à 10",
        ]
    );
}

#[test]
fn grid_items_added_removed_and_reworded_are_reported() {
    let d = diff_with(&[
        (
            "{ var = \"US_BANQUE\", text = \"vos opérations bancaires ?\" },",
            "{ var = \"US_ACHATS\", text = \"vos achats ?\" },",
        ),
        (
            "text = \"vos démarches ?\"",
            "text = \"vos démarches administratives ?\"",
        ),
    ]);
    let grid = &d.grid_items[0];
    assert_eq!(grid.var, "USAGES");
    assert_eq!(grid.added[0].var, "US_ACHATS");
    assert_eq!(grid.removed[0].var, "US_BANQUE");
    assert_eq!(grid.relabelled[0].var, "US_ADMIN");
    assert!(d.comparable());
    assert_eq!(
        d.lines(),
        [
            "Grille modifiée : USAGES — item US_ACHATS ajouté « vos achats ? »",
            "Grille modifiée : USAGES — item US_BANQUE supprimé « vos opérations bancaires ? »",
            "Grille modifiée : USAGES — texte de l'item US_ADMIN modifié : avant « vos démarches ? \
             », après « vos démarches administratives ? »",
        ]
    );
}

#[test]
fn grid_item_filter_change_is_reported_under_the_item() {
    let d = diff_with(&[(
        "text = \"vos démarches ?\", filter = \"AGE >= 18\"",
        "text = \"vos démarches ?\"",
    )]);
    assert_eq!(
        d.lines(),
        ["Filtre supprimé : US_ADMIN — avant `AGE >= 18`"]
    );
}

#[test]
fn dont_know_and_refused_offer_changes_are_reported() {
    let d = diff_with(&[("var = \"AGE\"\n", "var = \"AGE\"\ndont_know = false\n")]);
    assert_eq!(d.missing_offers[0].answer, MissingAnswer::DontKnow);
    assert!(d.comparable());
    assert_eq!(
        d.lines(),
        ["Non-réponse modifiée : AGE — « Ne sait pas » n'est plus proposé"]
    );
    let back = diff(
        &load(&BASE.replace("var = \"SEXE\"\n", "var = \"SEXE\"\nrefused = false\n")),
        &load(BASE),
    );
    assert_eq!(
        back.lines(),
        ["Non-réponse modifiée : SEXE — « Refus » est désormais proposé"]
    );
}

#[test]
fn quota_variables_and_screen_out_rules_changes_are_reported() {
    let d = diff_with(&[
        ("quota = [\"SEXE\"]", "quota = [\"AGE\"]"),
        (
            "reason = \"Moins de 15 ans\"",
            "reason = \"Trop jeune\"\n[[screening.screen_out]]\nwhen = \"AGE > 99\"\nreason = \"Trop âgé\"",
        ),
    ]);
    assert!(d.comparable());
    assert_eq!(
        d.lines(),
        [
            "Quotas : variable AGE ajoutée",
            "Quotas : variable SEXE retirée",
            "Règle d'exclusion ajoutée : `AGE > 99` (« Trop âgé »)",
            "Motif d'exclusion modifié : `AGE < 15` — avant « Moins de 15 ans », après « Trop jeune »",
        ]
    );
}

#[test]
fn json_names_types_as_in_the_file_and_flags_in_snake_case() {
    let d = diff_with(&[
        (
            "var = \"HEURES\"\ntype = \"decimal\"",
            "var = \"HEURES\"\ntype = \"integer\"",
        ),
        ("label = \"Aucun\", exclusive = true", "label = \"Aucun\""),
        ("var = \"AGE\"\n", "var = \"AGE\"\nrefused = false\n"),
        ("max = 120", "max = 110"),
    ]);
    let json = serde_json::to_value(&d).unwrap();
    assert_eq!(json["from"]["version"], "1");
    assert_eq!(json["retyped"][0]["before"], "decimal");
    assert_eq!(json["options"][0]["flags"][0]["flag"], "exclusive");
    assert_eq!(json["missing_offers"][0]["answer"], "refused");
    assert_eq!(json["ranges"][0]["after"]["max"], 110.0);
}

const OBSERVATORY: &str = include_str!("../../questionnaires/observatoire.toml");

#[test]
fn observatory_against_itself_has_no_difference() {
    let q = questionnaire::load(OBSERVATORY, "observatoire.toml").unwrap();
    let d = diff(&q, &q.clone());
    assert!(d.is_empty(), "{d:#?}");
    assert!(d.comparable());
}

#[test]
fn observatory_next_wave_report_lists_each_edit() {
    let edits = [
        ("version = \"2026.1\"", "version = \"2027.1\""),
        ("max = 120", "max = 110"),
        (
            "{ code = 5, label = { fr = \"Une tablette\", en = \"A tablet\" } },",
            "{ code = 5, label = { fr = \"Une tablette\", en = \"A tablet\" } },\n  { code = 8, label = { fr = \"Une montre connectée\", en = \"A smartwatch\" } },",
        ),
        (
            "filter = \"INTERNET_DOMICILE = 1\"",
            "filter = \"INTERNET_DOMICILE = 1 or dk(INTERNET_DOMICILE)\"",
        ),
        (
            "{ code = 3, label = { fr = \"Un collègue\", en = \"A colleague\" } },\n",
            "",
        ),
    ];
    let mut edited = OBSERVATORY.to_string();
    for (from, to) in edits {
        assert_eq!(
            edited.matches(from).count(),
            1,
            "edit `{from}` must match once"
        );
        edited = edited.replace(from, to);
    }
    edited.push_str(
        "\n[[section]]\nid = \"aides\"\ntitle = \"Aides\"\n\n[[section.question]]\n\
         var = \"NUM_AIDE\"\ntype = \"single\"\ntext = \"Avez-vous reçu une aide numérique ?\"\n\
         options = \"oui_non\"\n",
    );
    let before = questionnaire::load(OBSERVATORY, "observatoire.toml").unwrap();
    let after = questionnaire::load(&edited, "observatoire.toml").unwrap_or_else(|e| panic!("{e}"));
    let d = diff(&before, &after);
    assert_eq!(
        (d.from.version.as_str(), d.to.version.as_str()),
        ("2026.1", "2027.1")
    );
    assert!(!d.comparable(), "a code of RECOURS_AIDE was removed");
    assert_eq!(
        d.lines(),
        [
            "Question ajoutée : NUM_AIDE (choix unique, section « Aides »)",
            "Options modifiées : EQUIP — code 8 ajouté « Une montre connectée »",
            "Options modifiées : RECOURS_AIDE — code 3 supprimé « Un collègue » (rupture de \
             comparabilité)",
            "Bornes modifiées : AGE — avant de 0 à 120, après de 0 à 110",
            "Filtre modifié : TYPE_CONNEXION — avant `INTERNET_DOMICILE = 1`, après \
             `INTERNET_DOMICILE = 1 or dk(INTERNET_DOMICILE)`"
        ]
    );
}
