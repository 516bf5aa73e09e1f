//! The choropleth map of the communes as a standalone SVG: one class colour per commune, a
//! legend, the communes' names, and the communes whose figure is not publishable hatched and
//! listed with the reason. The same text is the results page's map (inline SVG, which the
//! pages' strict CSP allows: presentation attributes only, no `style`, no script) and the
//! downloaded file, so that what is published is what was seen.
//!
//! The projection is the dashboard's (`cati-server/assets/dashboard.js`): equirectangular,
//! longitudes shrunk by the cosine of the mean latitude, which over a métropole is
//! indistinguishable from a conformal projection.

use std::collections::HashMap;
use std::fmt::Write;

use serde_json::Value;

use super::french::percent;

/// Number of colour classes.
const CLASSES: usize = 5;
/// Sequential blues (ColorBrewer *Blues*, 5 classes), lightest for the lowest class.
const PALETTE: [&str; CLASSES] = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"];
/// Communes without a figure.
const NO_DATA: &str = "#d9d9d9";
/// Width of the map's drawing, in SVG units.
const MAP_SIZE: f64 = 560.0;
const MARGIN: f64 = 10.0;
const HEADER: f64 = 56.0;
const LEGEND_WIDTH: f64 = 260.0;
const LINE: f64 = 15.0;

/// One commune's figure on the map.
#[derive(Debug, Clone, PartialEq)]
pub struct MapCell {
    /// INSEE code, as in the GeoJSON's `code` property.
    pub code: String,
    /// The proportion that colours it; `None` leaves it grey.
    pub value: Option<f64>,
    /// Why its figure is not publishable: the commune is then hatched and listed with it.
    pub withheld: Option<String>,
}

/// What the map shows.
#[derive(Debug, Clone)]
pub struct ChoroplethMap<'a> {
    /// The indicator's label.
    pub title: &'a str,
    /// One line under it (the wave, the métropole's figure).
    pub subtitle: &'a str,
    /// The source line at the bottom.
    pub source: &'a str,
    /// The communes' figures; a commune of the GeoJSON without a cell is grey.
    pub cells: &'a [MapCell],
}

/// Why the map could not be drawn.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MapError {
    /// The GeoJSON is not a collection of (multi)polygons with `code` and `nom` properties.
    #[error("GeoJSON des communes illisible : {0}")]
    GeoJson(String),
}

/// One commune's outline.
struct Commune {
    code: String,
    name: String,
    rings: Vec<Vec<(f64, f64)>>,
}

/// Draws `map` on the communes of `geojson` (a FeatureCollection of Polygon or MultiPolygon
/// features with `code` and `nom` properties, as `cati-server/assets/bm_communes.geojson`).
pub fn choropleth(geojson: &str, map: &ChoroplethMap<'_>) -> Result<String, MapError> {
    let communes = read_communes(geojson)?;
    let cells: HashMap<&str, &MapCell> = map.cells.iter().map(|c| (c.code.as_str(), c)).collect();
    let classes = Classes::of(map.cells.iter().filter_map(|c| c.value));

    let points = communes.iter().flat_map(|c| c.rings.iter().flatten());
    let (mut min_lon, mut max_lon, mut min_lat, mut max_lat) = (
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
    );
    for &(lon, lat) in points {
        (min_lon, max_lon) = (min_lon.min(lon), max_lon.max(lon));
        (min_lat, max_lat) = (min_lat.min(lat), max_lat.max(lat));
    }
    let k = ((min_lat + max_lat) / 2.0).to_radians().cos();
    let scale = (MAP_SIZE - 2.0 * MARGIN) / ((max_lon - min_lon) * k).max(max_lat - min_lat);
    let map_width = (max_lon - min_lon) * k * scale + 2.0 * MARGIN;
    let map_height = (max_lat - min_lat) * scale + 2.0 * MARGIN;
    let project = |(lon, lat): (f64, f64)| {
        (
            (lon - min_lon) * k * scale + MARGIN,
            (max_lat - lat) * scale + MARGIN + HEADER,
        )
    };

    let withheld: Vec<(&Commune, &str)> = communes
        .iter()
        .filter_map(|c| Some((c, cells.get(c.code.as_str())?.withheld.as_deref()?)))
        .collect();
    let legend_rows = classes.bounds.len() + 2;
    let body_height = (HEADER + map_height).max(HEADER + 30.0 + legend_rows as f64 * 18.0);
    let list_height = if withheld.is_empty() {
        0.0
    } else {
        (withheld.len() + 1) as f64 * LINE + 6.0
    };
    let width = map_width + LEGEND_WIDTH;
    let height = body_height + list_height + 2.0 * LINE;

    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" id="carte" viewBox="0 0 {width:.0} {height:.0}" width="{width:.0}" height="{height:.0}" role="img" aria-labelledby="carte-titre" font-family="sans-serif">"##
    );
    let _ = write!(
        svg,
        r##"<title id="carte-titre">{}</title><defs><pattern id="hachures" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#333" stroke-width="1.4"/></pattern></defs>"##,
        escape(map.title)
    );
    let _ = write!(
        svg,
        r##"<rect width="100%" height="100%" fill="#fff"/><text x="{MARGIN}" y="22" font-size="15" font-weight="bold">{}</text><text x="{MARGIN}" y="42" font-size="12">{}</text>"##,
        escape(map.title),
        escape(map.subtitle)
    );

    for commune in &communes {
        let cell = cells.get(commune.code.as_str());
        let value = cell.and_then(|c| c.value);
        let fill = value.map_or(NO_DATA, |v| PALETTE[classes.index(v)]);
        let path = path_data(&commune.rings, &project);
        let mut tip = format!(
            "{} : {}",
            commune.name,
            value.map_or("pas de donnée".to_owned(), percent)
        );
        if let Some(reason) = cell.and_then(|c| c.withheld.as_deref()) {
            let _ = write!(tip, " (non publiable : {reason})");
        }
        let _ = write!(
            svg,
            r##"<path class="commune" data-code="{}" fill="{fill}" stroke="#333" stroke-width="0.7" d="{path}"><title>{}</title></path>"##,
            escape(&commune.code),
            escape(&tip)
        );
        if cell.is_some_and(|c| c.withheld.is_some()) {
            let _ = write!(
                svg,
                r##"<path class="hachure" data-code="{}" fill="url(#hachures)" stroke="none" pointer-events="none" d="{path}"/>"##,
                escape(&commune.code)
            );
        }
    }
    svg.push_str(r##"<g font-size="7" text-anchor="middle" fill="#111" stroke="#fff" stroke-width="2" paint-order="stroke" pointer-events="none">"##);
    for commune in &communes {
        let Some(ring) = commune.rings.iter().max_by_key(|r| r.len()) else {
            continue;
        };
        let (x0, x1, y0, y1) = ring.iter().fold(
            (
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::INFINITY,
                f64::NEG_INFINITY,
            ),
            |(a, b, c, d), &(lon, lat)| (a.min(lon), b.max(lon), c.min(lat), d.max(lat)),
        );
        let (x, y) = project(((x0 + x1) / 2.0, (y0 + y1) / 2.0));
        let _ = write!(
            svg,
            r#"<text x="{x:.1}" y="{y:.1}">{}</text>"#,
            escape(&short_name(&commune.name))
        );
    }
    svg.push_str("</g>");

    legend(&mut svg, &classes, map_width + 10.0, HEADER + 10.0);

    let mut y = body_height + LINE;
    if !withheld.is_empty() {
        let _ = write!(
            svg,
            r#"<g class="non-publiables" font-size="10"><text x="{MARGIN}" y="{y:.0}" font-weight="bold">Communes hachurées, figure non publiable :</text>"#
        );
        for (commune, reason) in &withheld {
            y += LINE;
            let _ = write!(
                svg,
                r#"<text x="{MARGIN}" y="{y:.0}" data-code="{}">{} : {}</text>"#,
                escape(&commune.code),
                escape(&commune.name),
                escape(reason)
            );
        }
        svg.push_str("</g>");
        y += LINE + 6.0;
    }
    let _ = write!(
        svg,
        r##"<text x="{MARGIN}" y="{y:.0}" font-size="9" fill="#555">{}</text></svg>"##,
        escape(map.source)
    );
    Ok(svg)
}

/// Equal-width classes over the figures shown, on whole percentages.
struct Classes {
    /// Lower and upper bound of each class, as proportions.
    bounds: Vec<(f64, f64)>,
}

impl Classes {
    fn of(values: impl Iterator<Item = f64>) -> Self {
        let (min, max) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
        if !min.is_finite() {
            return Self { bounds: Vec::new() };
        }
        let low = (min * 100.0).floor();
        let high = (max * 100.0).ceil().max(low + 1.0);
        let step = (high - low) / CLASSES as f64;
        let bounds = (0..CLASSES)
            .map(|i| {
                (
                    (low + step * i as f64) / 100.0,
                    (low + step * (i + 1) as f64) / 100.0,
                )
            })
            .collect();
        Self { bounds }
    }

    /// The class of `value` (the last class includes its upper bound).
    fn index(&self, value: f64) -> usize {
        self.bounds
            .iter()
            .position(|&(_, upper)| value < upper)
            .unwrap_or(self.bounds.len().saturating_sub(1))
    }
}

fn legend(svg: &mut String, classes: &Classes, x: f64, y: f64) {
    let _ = write!(
        svg,
        r#"<g class="legende" font-size="11" transform="translate({x:.0},{y:.0})"><text x="0" y="0" font-weight="bold">Légende</text>"#
    );
    let mut row = 0.0;
    let mut item = |svg: &mut String, fill: &str, label: &str| {
        row += 18.0;
        let _ = write!(
            svg,
            r##"<rect x="0" y="{:.0}" width="16" height="12" fill="{fill}" stroke="#333" stroke-width="0.5"/><text x="22" y="{:.0}">{}</text>"##,
            row - 10.0,
            row,
            escape(label)
        );
    };
    for (i, (lower, upper)) in classes.bounds.iter().enumerate() {
        item(
            svg,
            PALETTE[i],
            &format!("{} – {}", percent(*lower), percent(*upper)),
        );
    }
    item(svg, NO_DATA, "pas de donnée");
    item(
        svg,
        "url(#hachures)",
        "non publiable (précision insuffisante)",
    );
    svg.push_str("</g>");
}

fn path_data(rings: &[Vec<(f64, f64)>], project: &impl Fn((f64, f64)) -> (f64, f64)) -> String {
    let mut d = String::new();
    for ring in rings {
        for (i, &point) in ring.iter().enumerate() {
            let (x, y) = project(point);
            let _ = write!(d, "{}{x:.1},{y:.1}", if i == 0 { 'M' } else { 'L' });
        }
        d.push('Z');
    }
    d
}

/// `Saint-Médard-en-Jalles` is written `St-Médard-en-Jalles` on the map, as on the dashboard.
fn short_name(name: &str) -> String {
    if let Some(rest) = name.strip_prefix("Sainte-") {
        format!("Ste-{rest}")
    } else if let Some(rest) = name.strip_prefix("Saint-") {
        format!("St-{rest}")
    } else {
        name.to_owned()
    }
}

/// Text for XML content and attributes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn read_communes(geojson: &str) -> Result<Vec<Commune>, MapError> {
    let bad = |what: &str| MapError::GeoJson(what.to_owned());
    let json: Value =
        serde_json::from_str(geojson).map_err(|e| MapError::GeoJson(e.to_string()))?;
    let features = json["features"]
        .as_array()
        .ok_or_else(|| bad("pas de « features »"))?;
    let point = |p: &Value| Some((p.get(0)?.as_f64()?, p.get(1)?.as_f64()?));
    let ring = |r: &Value| -> Option<Vec<(f64, f64)>> { r.as_array()?.iter().map(point).collect() };
    let polygon =
        |p: &Value| -> Option<Vec<Vec<(f64, f64)>>> { p.as_array()?.iter().map(ring).collect() };
    let mut communes = Vec::with_capacity(features.len());
    for feature in features {
        let code = feature["properties"]["code"]
            .as_str()
            .ok_or_else(|| bad("commune sans « code »"))?;
        let name = feature["properties"]["nom"].as_str().unwrap_or(code);
        let geometry = &feature["geometry"];
        let coordinates = &geometry["coordinates"];
        let rings = match geometry["type"].as_str() {
            Some("Polygon") => polygon(coordinates),
            Some("MultiPolygon") => coordinates
                .as_array()
                .and_then(|ps| ps.iter().map(polygon).collect::<Option<Vec<_>>>())
                .map(|ps| ps.into_iter().flatten().collect()),
            _ => None,
        }
        .ok_or_else(|| MapError::GeoJson(format!("géométrie illisible pour la commune {code}")))?;
        communes.push(Commune {
            code: code.to_owned(),
            name: name.to_owned(),
            rings,
        });
    }
    if communes.is_empty() {
        return Err(bad("aucune commune"));
    }
    Ok(communes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two unit squares side by side, and a MultiPolygon commune of two small squares.
    const GEOJSON: &str = r#"{"type":"FeatureCollection","features":[
      {"type":"Feature","properties":{"code":"1","nom":"Saint-Ouest"},"geometry":{"type":"Polygon","coordinates":[[[0,45],[1,45],[1,46],[0,46],[0,45]]]}},
      {"type":"Feature","properties":{"code":"2","nom":"Est & Co"},"geometry":{"type":"Polygon","coordinates":[[[1,45],[2,45],[2,46],[1,46],[1,45]]]}},
      {"type":"Feature","properties":{"code":"3","nom":"Îles"},"geometry":{"type":"MultiPolygon","coordinates":[[[[2,45],[2.5,45],[2.5,45.5],[2,45]]],[[[2,45.6],[2.4,45.6],[2.4,46],[2,45.6]]]]}}
    ]}"#;

    fn cell(code: &str, value: Option<f64>, withheld: Option<&str>) -> MapCell {
        MapCell {
            code: code.to_owned(),
            value,
            withheld: withheld.map(str::to_owned),
        }
    }

    fn draw(cells: &[MapCell]) -> String {
        let map = ChoroplethMap {
            title: "Part <sans> ordinateur",
            subtitle: "Vague 2026-1",
            source: "Source : test",
            cells,
        };
        choropleth(GEOJSON, &map).unwrap()
    }

    fn element_of<'a>(svg: &'a str, class: &str, code: &str) -> Option<&'a str> {
        let start = svg.find(&format!(r#"<path class="{class}" data-code="{code}""#))?;
        Some(&svg[start..start + svg[start..].find('>')?])
    }

    #[test]
    fn communes_are_coloured_by_class_and_the_lowest_and_highest_take_the_palette_ends() {
        let svg = draw(&[
            cell("1", Some(0.10), None),
            cell("2", Some(0.30), None),
            cell("3", None, None),
        ]);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.ends_with("</svg>"));
        assert!(
            element_of(&svg, "commune", "1")
                .unwrap()
                .contains(&format!("fill=\"{}\"", PALETTE[0]))
        );
        assert!(
            element_of(&svg, "commune", "2")
                .unwrap()
                .contains(&format!("fill=\"{}\"", PALETTE[4]))
        );
        assert!(
            element_of(&svg, "commune", "3")
                .unwrap()
                .contains(&format!("fill=\"{NO_DATA}\""))
        );
        // The MultiPolygon is drawn as two closed rings.
        assert_eq!(
            element_of(&svg, "commune", "3")
                .unwrap()
                .matches('Z')
                .count(),
            2
        );
        // Legend: five classes from 10 % to 30 %, in French.
        assert!(svg.contains("10,0\u{a0}% – 14,0\u{a0}%"), "{svg}");
        assert!(svg.contains("26,0\u{a0}% – 30,0\u{a0}%"));
        assert!(svg.contains(">St-Ouest</text>") && svg.contains(">Est &amp; Co</text>"));
        assert!(svg.contains("Part &lt;sans&gt; ordinateur"));
        assert!(
            !svg.contains("style="),
            "the page's CSP forbids style attributes"
        );
        assert!(!svg.contains("class=\"hachure\""));
    }

    #[test]
    fn withheld_communes_are_hatched_and_listed_with_their_reason() {
        let svg = draw(&[
            cell("1", Some(0.2), Some("n = 3 < 30 répondants")),
            cell("2", Some(0.3), None),
        ]);
        assert!(svg.contains(r#"<pattern id="hachures""#));
        assert!(
            element_of(&svg, "hachure", "1")
                .unwrap()
                .contains("fill=\"url(#hachures)\"")
        );
        assert!(element_of(&svg, "hachure", "2").is_none());
        assert!(
            svg.contains(r#"data-code="1">Saint-Ouest : n = 3 &lt; 30 répondants</text>"#),
            "{svg}"
        );
        assert!(svg.contains("non publiable : n = 3"));
    }

    #[test]
    fn a_map_without_any_figure_is_grey_and_unreadable_geojson_is_an_error() {
        let svg = draw(&[]);
        assert_eq!(svg.matches(&format!("fill=\"{NO_DATA}\"")).count(), 3 + 1);
        let map = ChoroplethMap {
            title: "t",
            subtitle: "s",
            source: "x",
            cells: &[],
        };
        assert!(choropleth("{}", &map).is_err());
        assert!(choropleth(r#"{"features":[{"properties":{"code":"1"},"geometry":{"type":"Point","coordinates":[0,0]}}]}"#, &map).is_err());
    }
}
