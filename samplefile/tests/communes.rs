//! Communes as managers write them, matched against the 28 communes of Bordeaux Métropole.

mod common;

use common::{BM_COMMUNES, communes, import_ok, kept, rejections};
use samplefile::{CommuneList, CommuneListError, CommuneMatch};

fn code_of(text: &str) -> Option<String> {
    match communes().find(text) {
        CommuneMatch::Found(commune) => Some(commune.code.clone()),
        _ => None,
    }
}

#[test]
fn every_commune_is_found_by_code_and_by_name_written_loosely() {
    for (code, name) in BM_COMMUNES {
        assert_eq!(code_of(code).as_deref(), Some(code), "{code}");
        assert_eq!(code_of(name).as_deref(), Some(code), "{name}");
        assert_eq!(
            code_of(&name.to_uppercase()).as_deref(),
            Some(code),
            "{name}"
        );
        let loose: String = name
            .chars()
            .map(|c| match c {
                '-' | '\'' => ' ',
                'é' | 'è' => 'e',
                'à' => 'a',
                c => c,
            })
            .collect();
        assert_eq!(
            code_of(&format!("  {loose} ")).as_deref(),
            Some(code),
            "{loose}"
        );
    }
}

#[test]
fn saints_articles_and_apostrophes_are_tolerated() {
    for (text, code) in [
        ("St Médard en Jalles", "33449"),
        ("ST-AUBIN-DE-MEDOC", "33376"),
        // `Ste` is `Sainte`, not `Saint`.
        ("Ste Vincent de Paul", "none"),
        ("St-Vincent-de-Paul", "33487"),
        ("Bouscat (Le)", "33069"),
        ("BOUSCAT", "33069"),
        ("Le Bouscat", "33069"),
        ("Haillan, Le", "33200"),
        ("Taillan-Médoc (Le)", "33519"),
        ("Villenave d’Ornon", "33550"),
        ("villenave dornon", "33550"),
        ("VILLENAVE D ORNON", "33550"),
        ("Artigues pres Bordeaux", "33013"),
    ] {
        let expected = (code != "none").then(|| code.to_owned());
        assert_eq!(code_of(text), expected, "{text}");
    }
}

#[test]
fn codes_outside_the_list_and_unknown_names_are_told_apart() {
    let list = communes();
    // 33000 is Bordeaux's postal code, not an INSEE code of the list.
    assert_eq!(list.find("33000"), CommuneMatch::OutsideSurvey);
    assert_eq!(list.find("33009"), CommuneMatch::OutsideSurvey);
    assert_eq!(list.find("75056"), CommuneMatch::OutsideSurvey);
    assert_eq!(list.find("Arcachon"), CommuneMatch::Unknown);
    assert_eq!(list.find("Bordeaux Cedex"), CommuneMatch::Unknown);
    assert_eq!(list.find("330630"), CommuneMatch::Unknown);
}

#[test]
fn a_name_shared_by_two_communes_needs_the_code() {
    let list = CommuneList::new([("97411", "Saint-Denis"), ("93066", "Saint-Denis")]).unwrap();
    assert_eq!(list.find("St Denis"), CommuneMatch::Ambiguous);
    assert!(matches!(list.find("93066"), CommuneMatch::Found(c) if c.code == "93066"));
}

#[test]
fn a_four_digit_code_has_lost_its_leading_zero() {
    let list = CommuneList::new([("01053", "Bourg-en-Bresse"), ("2A004", "Ajaccio")]).unwrap();
    assert!(matches!(list.find("1053"), CommuneMatch::Found(c) if c.code == "01053"));
    assert!(matches!(list.find("2a004"), CommuneMatch::Found(c) if c.name == "Ajaccio"));
}

#[test]
fn a_list_that_cannot_match_is_refused() {
    let error = CommuneList::new([("Bordeaux", "33063")]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "« Bordeaux » n'est pas un code INSEE de commune (5 chiffres, ou 2A/2B et 3 chiffres) : \
         commune « 33063 »"
    );
    assert_eq!(
        CommuneList::new([("33063", "Bordeaux"), ("33063", "Bordeaux")]).unwrap_err(),
        CommuneListError::DuplicateCode {
            code: "33063".to_owned()
        }
    );
    assert_eq!(
        CommuneList::new([("33063", " ")]).unwrap_err().to_string(),
        "la commune 33063 n'a pas de nom"
    );
}

#[test]
fn in_a_file_an_empty_commune_is_accepted_and_a_wrong_one_rejected() {
    let bytes = "telephone;commune\n\
                 0556123456;\n\
                 0556123457;Arcachon\n\
                 0556123458;33000\n\
                 0556123459;Talence\n";
    let (rows, report) = import_ok(bytes.as_bytes(), "liste.csv");
    assert_eq!(
        kept(&rows),
        [(2, vec!["+33556123456"]), (5, vec!["+33556123459"])]
    );
    assert_eq!(rows[0].commune, None);
    assert_eq!(
        rejections(&report),
        [
            "ligne 3 : commune inconnue (commune : « Arcachon »)",
            "ligne 4 : code INSEE hors des communes de l'enquête (code postal ?) (commune : \
             « 33000 »)",
        ]
    );
}
