//! The map of one indicator of a wave's results: its communes' figures on the choropleth, the
//! métropole's figure under the title, the communes that fail the publication rules hatched.

use super::french::percent;
use super::map::{ChoroplethMap, MapCell, MapError, choropleth};
use super::results::ResultRow;

/// What the map of an indicator shows of the figures that fail the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Withheld {
    /// Coloured by their figure and hatched (the results page: analysts see everything, and
    /// see that it is imprecise).
    Shown,
    /// Grey and hatched, the figure left out (the open data: only publishable figures).
    Hidden,
}

/// The SVG map of `indicator` among `rows` (one wave's results); `overall_code` is the domain
/// code of the whole-métropole row.
pub fn indicator_map(
    geojson: &str,
    rows: &[ResultRow],
    indicator: &str,
    overall_code: &str,
    wave: &str,
    source: &str,
    withheld: Withheld,
) -> Result<String, MapError> {
    let of_indicator = || rows.iter().filter(|r| r.cell.indicateur == indicator);
    let title = of_indicator()
        .next()
        .map_or(indicator, |r| r.cell.libelle.as_str());
    let overall = of_indicator().find(|r| r.cell.code_domaine == overall_code);
    let figure = overall.and_then(
        |r| match (r.cell.proportion, r.cell.ic_bas, r.cell.ic_haut) {
            (Some(p), Some(low), Some(high))
                if r.verdict.publishable || withheld == Withheld::Shown =>
            {
                Some(format!(
                    "{} (IC à 95 % : {} – {})",
                    percent(p),
                    percent(low),
                    percent(high)
                ))
            }
            _ => None,
        },
    );
    let subtitle = match figure {
        Some(figure) => format!("Vague {wave} — ensemble de la métropole : {figure}"),
        None => format!("Vague {wave}"),
    };
    let cells: Vec<MapCell> = of_indicator()
        .filter(|r| r.cell.code_domaine != overall_code)
        .map(|r| {
            let publishable = r.verdict.publishable;
            MapCell {
                code: r.cell.code_domaine.clone(),
                value: r
                    .cell
                    .proportion
                    .filter(|_| publishable || withheld == Withheld::Shown),
                withheld: (!publishable).then(|| r.verdict.reasons.join(" ; ")),
            }
        })
        .collect();
    choropleth(
        geojson,
        &ChoroplethMap {
            title,
            subtitle: &subtitle,
            source,
            cells: &cells,
        },
    )
}
