//! The open-data export of a wave's results: the publishable cells only, as a CSV, a
//! Frictionless data package describing it (with the publication rules applied), and one SVG
//! map per indicator on which the communes left out are hatched.
//!
//! The CSV follows the indicator table's conventions (`indicateurs.csv`): UTF-8 without BOM,
//! `,` separator, CRLF, a decimal point and [`crate::indicators::DECIMALS`] decimals, the machine dialect that
//! data.gouv.fr and every analysis tool read; its columns are the table's, the wave first and
//! the change since the previous wave last.

use std::io::Write;
use std::path::Path;

use serde_json::json;

use super::indicator_map::{Withheld, indicator_map};
use super::map::MapError;
use super::results::ResultRow;
use super::rules::PublicationRules;
use crate::dataset::ascii_name;
use crate::indicators::table_figure;

/// The CSV of publishable cells.
pub const OPEN_DATA_CSV: &str = "indicateurs-publiables.csv";
/// The data package descriptor.
const DATAPACKAGE: &str = "datapackage.json";

/// Columns of [`OPEN_DATA_CSV`], with their type and French description.
const COLUMNS: [(&str, &str, &str); 15] = [
    ("vague", "string", "Vague d'enquête"),
    ("indicateur", "string", "Nom de l'indicateur"),
    ("libelle", "string", "Libellé de l'indicateur"),
    (
        "domaine",
        "string",
        "Commune (ou Ensemble pour la métropole)",
    ),
    (
        "code_domaine",
        "string",
        "Code INSEE de la commune (ou ensemble)",
    ),
    ("n", "integer", "Répondants ayant une valeur"),
    ("proportion", "number", "Proportion pondérée (entre 0 et 1)"),
    (
        "ic_bas",
        "number",
        "Borne basse de l'intervalle de confiance à 95 %",
    ),
    (
        "ic_haut",
        "number",
        "Borne haute de l'intervalle de confiance à 95 %",
    ),
    ("erreur_type", "number", "Erreur type (variance de calage)"),
    ("n_effectif", "number", "Taille effective de l'échantillon"),
    (
        "methode_ic",
        "string",
        "Méthode de l'intervalle (beta : Korn–Graubard ; logit ; wald)",
    ),
    (
        "evolution",
        "number",
        "Évolution depuis la vague précédente (différence de proportions), si publiable dans les deux vagues",
    ),
    (
        "evolution_erreur_type",
        "number",
        "Erreur type de l'évolution, racine de la somme des variances des deux vagues",
    ),
    (
        "evolution_p_valeur",
        "number",
        "p-valeur bilatérale du test d'absence d'évolution",
    ),
];

/// What [`write_open_data`] publishes.
#[derive(Debug, Clone)]
pub struct OpenData<'a> {
    /// Dataset title (the survey's).
    pub title: &'a str,
    /// Wave name.
    pub wave: &'a str,
    /// Creation time written in the descriptor (RFC 3339), given so that the same results give
    /// the same bytes.
    pub created: &'a str,
    /// The wave's results, every cell (those that fail `rules` are left out here).
    pub rows: &'a [ResultRow],
    /// The rules the rows were judged by, recorded in the descriptor.
    pub rules: &'a PublicationRules,
    /// Domain code of the whole-métropole rows.
    pub overall_code: &'a str,
    /// The communes' outlines (GeoJSON).
    pub geojson: &'a str,
    /// Source line of the maps.
    pub source: &'a str,
}

/// Why the open data could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OpenDataError {
    /// Writing a file failed.
    #[error("écriture des données ouvertes : {0}")]
    Io(#[from] std::io::Error),
    /// The CSV writer failed.
    #[error("écriture du CSV : {0}")]
    Csv(#[from] csv::Error),
    /// The descriptor could not be serialised.
    #[error("écriture du descripteur : {0}")]
    Json(#[from] serde_json::Error),
    /// A map could not be drawn.
    #[error(transparent)]
    Map(#[from] MapError),
}

/// The map file of an indicator: `carte-sans_ordinateur.svg`.
pub fn map_file_name(indicator: &str) -> String {
    format!("carte-{indicator}.svg")
}

/// Writes the CSV, one map per indicator and `datapackage.json` into the existing directory
/// `dir`; returns the files written, in that order.
pub fn write_open_data(data: &OpenData<'_>, dir: &Path) -> Result<Vec<String>, OpenDataError> {
    let mut files = vec![OPEN_DATA_CSV.to_owned()];
    let mut bytes = Vec::new();
    write_csv(data, &mut bytes)?;
    std::fs::write(dir.join(OPEN_DATA_CSV), &bytes)?;

    let mut indicators: Vec<&str> = Vec::new();
    for row in data.rows {
        if !indicators.contains(&row.cell.indicateur.as_str()) {
            indicators.push(&row.cell.indicateur);
        }
    }
    let mut maps = Vec::new();
    for indicator in &indicators {
        let svg = indicator_map(
            data.geojson,
            data.rows,
            indicator,
            data.overall_code,
            data.wave,
            data.source,
            Withheld::Hidden,
        )?;
        let name = map_file_name(indicator);
        std::fs::write(dir.join(&name), svg)?;
        let label = data
            .rows
            .iter()
            .find(|r| r.cell.indicateur == *indicator)
            .map_or("", |r| r.cell.libelle.as_str());
        maps.push(json!({
            "name": ascii_name(&format!("carte-{indicator}")),
            "path": name,
            "profile": "data-resource",
            "format": "svg",
            "mediatype": "image/svg+xml",
            "title": format!("Carte : {label}"),
        }));
        files.push(name);
    }

    let fields: Vec<_> = COLUMNS
        .iter()
        .map(|(name, kind, description)| json!({ "name": name, "type": kind, "description": description }))
        .collect();
    let mut resources = vec![json!({
        "name": "indicateurs-publiables",
        "path": OPEN_DATA_CSV,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "bytes": bytes.len(),
        "dialect": { "delimiter": ",", "lineTerminator": "\r\n", "quoteChar": "\"", "doubleQuote": true, "header": true },
        "schema": {
            "fields": fields,
            "primaryKey": ["vague", "indicateur", "code_domaine"],
            "missingValues": [""],
        },
    })];
    resources.extend(maps);
    let package = json!({
        "profile": "tabular-data-package",
        "name": ascii_name(&format!("{}-{}-donnees-ouvertes", data.title, data.wave)),
        "title": format!("{} — vague {} : indicateurs publiables", data.title, data.wave),
        "description": format!(
            "Indicateurs par commune et pour l'ensemble de la métropole. Seules les cellules qui \
             respectent les règles de publication sont diffusées : au moins {} répondants, une \
             taille effective d'au moins {} et un intervalle de confiance à 95 % de demi-largeur \
             au plus {} points ; les communes écartées sont hachurées sur les cartes.",
            data.rules.min_n,
            data.rules.min_effective_n,
            data.rules.max_half_width * 100.0
        ),
        "created": data.created,
        "regles_publication": data.rules,
        "resources": resources,
    });
    std::fs::write(
        dir.join(DATAPACKAGE),
        serde_json::to_string_pretty(&package)? + "\n",
    )?;
    files.push(DATAPACKAGE.to_owned());
    Ok(files)
}

/// The publishable rows as CSV.
fn write_csv<W: Write>(data: &OpenData<'_>, writer: W) -> Result<(), OpenDataError> {
    let mut csv = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(writer);
    csv.write_record(COLUMNS.iter().map(|(name, _, _)| *name))?;
    let figure = table_figure;
    for row in data.rows.iter().filter(|r| r.verdict.publishable) {
        let cell = &row.cell;
        let change = row.change.filter(|_| row.change_publishable);
        csv.write_record([
            data.wave,
            &cell.indicateur,
            &cell.libelle,
            &cell.domaine,
            &cell.code_domaine,
            &cell.n.to_string(),
            &figure(cell.proportion),
            &figure(cell.ic_bas),
            &figure(cell.ic_haut),
            &figure(cell.erreur_type),
            &figure(cell.n_effectif),
            cell.methode_ic,
            &figure(change.map(|c| c.difference)),
            &figure(change.map(|c| c.standard_error)),
            &figure(change.and_then(|c| c.p_value)),
        ])?;
    }
    csv.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::results::results;
    use super::super::rules::tests::row;
    use super::*;

    const GEOJSON: &str = r#"{"type":"FeatureCollection","features":[
      {"type":"Feature","properties":{"code":"33004","nom":"Ambès"},"geometry":{"type":"Polygon","coordinates":[[[0,45],[1,45],[1,46],[0,45]]]}},
      {"type":"Feature","properties":{"code":"33063","nom":"Bordeaux"},"geometry":{"type":"Polygon","coordinates":[[[1,45],[2,45],[2,46],[1,45]]]}}
    ]}"#;

    #[test]
    fn only_publishable_cells_reach_the_csv_and_the_withheld_commune_is_hatched_without_its_figure()
    {
        let previous = vec![row("33063", 400, 0.30, (0.26, 0.34), 380.0)];
        let current = vec![
            row("ensemble", 430, 0.26, (0.22, 0.30), 410.0),
            row("33004", 3, 0.333, (0.008, 0.906), 3.0),
            row("33063", 420, 0.25, (0.21, 0.29), 400.0),
        ];
        let rules = PublicationRules::default();
        let rows = results(current, Some(&previous), &rules);
        let dir = tempfile::tempdir().unwrap();
        let data = OpenData {
            title: "Observatoire",
            wave: "2027-1",
            created: "2027-05-01T00:00:00Z",
            rows: &rows,
            rules: &rules,
            overall_code: "ensemble",
            geojson: GEOJSON,
            source: "Source : test",
        };
        let files = write_open_data(&data, dir.path()).unwrap();
        assert_eq!(
            files,
            [
                OPEN_DATA_CSV,
                "carte-sans_ordinateur.svg",
                "datapackage.json"
            ]
        );

        let csv = std::fs::read_to_string(dir.path().join(OPEN_DATA_CSV)).unwrap();
        let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert_eq!(lines.len(), 3, "{csv}");
        assert!(lines[0].starts_with("vague,indicateur,libelle,domaine,code_domaine,n,proportion"));
        assert!(!csv.contains("33004"), "Ambès fails the rules: {csv}");
        assert!(lines[1].contains(",ensemble,430,0.260000,") && lines[1].ends_with("beta,,,"));
        // Bordeaux: −5 points, se √(0.02² + 0.02²).
        assert!(
            lines[2].starts_with("2027-1,sans_ordinateur,"),
            "{}",
            lines[2]
        );
        assert!(lines[2].contains(",-0.050000,0.028284,"), "{}", lines[2]);

        let svg = std::fs::read_to_string(dir.path().join("carte-sans_ordinateur.svg")).unwrap();
        assert!(svg.contains(r#"<path class="hachure" data-code="33004""#));
        assert!(
            !svg.contains("33,3"),
            "the withheld figure is not on the open map"
        );
        assert!(svg.contains("ensemble de la métropole : 26,0"));

        let package: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join("datapackage.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(package["resources"][0]["path"], OPEN_DATA_CSV);
        assert_eq!(package["resources"][0]["bytes"], csv.len());
        assert_eq!(
            package["resources"][0]["schema"]["primaryKey"][1],
            "indicateur"
        );
        assert_eq!(package["resources"][1]["mediatype"], "image/svg+xml");
        assert_eq!(package["regles_publication"]["min_n"], 30);
    }
}
