//! Exporting a wave into a directory: data files, indicator table and manifest, reproducible
//! byte for byte.

#[path = "fixtures/build/common.rs"]
mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;
use exports::build::{
    BuiltWave, ExportFormat, ExportRequest, WeightingSpec, add_weights, export_wave,
    indicator_table_for_wave, parse_indicators,
};
use exports::indicators::IntervalMethod;

fn weighted_wave() -> (BuiltWave, Vec<exports::indicators::TableRow>) {
    let q = observatory();
    let mut wave = build(&q, &six_completed(&q), &options("2026-1"));
    // Populations municipales 2023 of Bordeaux and Pessac (bm_populations_legales.csv).
    let populations = BTreeMap::from([
        (BORDEAUX.to_owned(), 267_991.0),
        (PESSAC.to_owned(), 67_339.0),
    ]);
    add_weights(&mut wave, &populations, &WeightingSpec::default()).unwrap();
    let source = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../questionnaires/observatoire.indicators.toml"
    ))
    .unwrap();
    let indicators = parse_indicators(&source, &q).unwrap();
    let table = indicator_table_for_wave(&wave, &indicators, IntervalMethod::Wald).unwrap();
    (wave, table)
}

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

#[test]
fn exporting_a_wave_twice_gives_identical_bytes() {
    let (wave, table) = weighted_wave();
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for dir in [a.path(), b.path()] {
        export_wave(
            &wave,
            &ExportRequest {
                dir,
                format: ExportFormat::All,
                indicators: Some(&table),
            },
        )
        .unwrap();
    }
    let (first, second) = (files(a.path()), files(b.path()));
    assert_eq!(
        first.keys().map(String::as_str).collect::<Vec<_>>(),
        [
            "datapackage.json",
            "dictionnaire.html",
            "dictionnaire.md",
            "donnees-codes.csv",
            "donnees-excel-fr.csv",
            "donnees-libelles.csv",
            "donnees.csv",
            "donnees.dta",
            "donnees.parquet",
            "donnees.sav",
            "indicateurs.csv",
            "manifest.json",
        ]
    );
    assert_eq!(first, second);
}

#[test]
fn the_manifest_records_questionnaire_wave_weighting_and_checksums() {
    let (wave, table) = weighted_wave();
    let dir = tempfile::tempdir().unwrap();
    let manifest = export_wave(
        &wave,
        &ExportRequest {
            dir: dir.path(),
            format: ExportFormat::All,
            indicators: Some(&table),
        },
    )
    .unwrap();
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("manifest.json")).unwrap()).unwrap();
    assert_eq!(json["created"], "2026-11-22T18:30:00Z");
    assert_eq!(json["questionnaire"]["id"], "obs-inegalites-numeriques");
    assert_eq!(json["questionnaire"]["version"], "2026.1");
    assert_eq!(json["wave"], "2026-1");
    assert_eq!(json["rows"], 6);
    assert_eq!(json["options"]["include_partial"], false);
    assert_eq!(json["weighting"]["variable"], "POIDS");
    assert_eq!(json["weighting"]["method"]["name"], "raking");
    assert_eq!(json["weighting"]["margins"][0]["name"], "commune_insee");
    assert_eq!(json["weighting"]["diagnostics"]["converged"], true);
    assert_eq!(json["indicators"]["variance"], "calibration");
    assert_eq!(json["indicators"]["file"], "indicateurs.csv");
    let listed: Vec<&str> = manifest.files.iter().map(|f| f.path.as_str()).collect();
    assert!(
        listed.contains(&"indicateurs.csv")
            && listed.contains(&"donnees.sav")
            && !listed.contains(&"manifest.json")
    );
    for file in &manifest.files {
        let (bytes, sha) =
            exports::writers::manifest::sha256_file(&dir.path().join(&file.path)).unwrap();
        assert_eq!(
            (bytes, sha.as_str()),
            (file.bytes, file.sha256.as_str()),
            "{}",
            file.path
        );
    }
    let csv = std::fs::read_to_string(dir.path().join("indicateurs.csv")).unwrap();
    assert!(csv.starts_with(
        "indicateur,libelle,domaine,code_domaine,n,proportion,ic_bas,ic_haut,erreur_type,\
         n_effectif,methode_ic,effectif_faible\r\n"
    ));
}

#[test]
fn a_single_format_writes_only_its_files() {
    let (wave, _) = weighted_wave();
    let dir = tempfile::tempdir().unwrap();
    export_wave(
        &wave,
        &ExportRequest {
            dir: dir.path(),
            format: ExportFormat::Csv,
            indicators: None,
        },
    )
    .unwrap();
    let names: Vec<String> = files(dir.path()).into_keys().collect();
    assert_eq!(
        names,
        [
            "datapackage.json",
            "donnees-codes.csv",
            "donnees-excel-fr.csv",
            "donnees-libelles.csv",
            "donnees.csv",
            "manifest.json"
        ]
    );
    let header = std::fs::read_to_string(dir.path().join("donnees-codes.csv")).unwrap();
    assert!(
        header.starts_with(
            "id_repondant,CONSENTEMENT,COMMUNE,SEXE,AGE,AGE_TRANCHE,AGE_QUOTA,EQUIP_1,"
        )
    );
    assert!(
        header
            .lines()
            .next()
            .unwrap()
            .ends_with(",id_enqueteur,POIDS")
    );
    assert_eq!(ExportFormat::from_name("sav"), Some(ExportFormat::Sav));
    assert_eq!(ExportFormat::from_name("xlsx"), None);
}
