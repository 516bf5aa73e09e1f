//! The design file (TOML): parsing with line numbers, and writing a design back.
//! The format is documented in `docs/quotas.md`.

use crate::design::{
    Band, Category, Cell, CellKey, Design, DesignError, DesignErrorKind, DesignErrors, Dimension,
    Lines, Margin,
};
use crate::rule::{Rule, Tolerance};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    design: RawHeader,
    #[serde(default)]
    defaults: RawDefaults,
    #[serde(default, rename = "dimension")]
    dimensions: Vec<Spanned<RawDimension>>,
    #[serde(default, rename = "cell")]
    cells: Vec<Spanned<RawCell>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    id: String,
    title: Option<String>,
    margins: Spanned<Vec<Vec<String>>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawDefaults {
    kind: Option<RawKind>,
    tolerance_percent: Option<f64>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum RawKind {
    Hard,
    Soft,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDimension {
    name: String,
    variable: String,
    categories: Vec<Spanned<RawCategory>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCategory {
    code: i64,
    label: String,
    min: Option<i64>,
    max: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCell {
    at: BTreeMap<String, i64>,
    target: i64,
    kind: Option<RawKind>,
    tolerance_percent: Option<f64>,
    closed: Option<bool>,
}

/// 1-based line of a byte offset.
fn line_of(source: &str, offset: usize) -> usize {
    let end = offset.min(source.len());
    source.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

impl Design {
    /// Parses and validates a design file. Every problem is reported, each with its line.
    pub fn from_toml(source: &str) -> Result<Self, DesignErrors> {
        let raw: RawFile = toml::from_str(source).map_err(|e| {
            let line = e.span().map(|span| line_of(source, span.start));
            let message = e.message().trim_end().to_owned();
            let kind = DesignErrorKind::Syntax(message);
            DesignErrors(vec![DesignError { line, kind }])
        })?;
        let mut errors = Vec::new();
        let mut lines = Lines {
            margins: Some(line_of(source, raw.design.margins.span().start)),
            ..Lines::default()
        };
        let dimensions = raw
            .dimensions
            .into_iter()
            .map(|spanned| {
                let dimension_line = line_of(source, spanned.span().start);
                let raw = spanned.into_inner();
                let mut category_lines = Vec::new();
                let categories = raw
                    .categories
                    .into_iter()
                    .map(|spanned| {
                        let line = line_of(source, spanned.span().start);
                        category_lines.push(line);
                        let raw = spanned.into_inner();
                        let band = match (raw.min, raw.max) {
                            (Some(min), max) => Some(Band { min, max }),
                            (None, None) => None,
                            (None, Some(_)) => {
                                errors.push(DesignError {
                                    line: Some(line),
                                    kind: DesignErrorKind::Syntax(format!(
                                        "category {}: `max` needs a `min`",
                                        raw.code
                                    )),
                                });
                                None
                            }
                        };
                        Category {
                            code: raw.code,
                            label: raw.label,
                            band,
                        }
                    })
                    .collect();
                lines.dimensions.push(dimension_line);
                lines.categories.push(category_lines);
                Dimension {
                    name: raw.name,
                    variable: raw.variable,
                    categories,
                }
            })
            .collect::<Vec<_>>();
        let mut margins: Vec<Margin> = raw
            .design
            .margins
            .into_inner()
            .into_iter()
            .map(|dimensions| Margin {
                dimensions,
                cells: Vec::new(),
            })
            .collect();
        lines.cells = vec![Vec::new(); margins.len()];
        for spanned in raw.cells {
            let line = line_of(source, spanned.span().start);
            let cell = spanned.into_inner();
            let names: BTreeSet<&String> = cell.at.keys().collect();
            let margin = margins
                .iter()
                .position(|m| m.dimensions.iter().collect::<BTreeSet<_>>() == names);
            let mut fail = |kind| {
                errors.push(DesignError {
                    line: Some(line),
                    kind,
                })
            };
            let Some(m) = margin else {
                let key = CellKey(cell.at.iter().map(|(d, c)| (d.clone(), *c)).collect());
                fail(DesignErrorKind::NoSuchMargin(key.to_string()));
                continue;
            };
            let key = CellKey(
                margins[m]
                    .dimensions
                    .iter()
                    .filter_map(|d| cell.at.get(d).map(|c| (d.clone(), *c)))
                    .collect(),
            );
            let shown = key.to_string();
            // A cell with a bad target or rule still takes its place in the margin, so that
            // it is not reported missing as well.
            let target = u64::try_from(cell.target).unwrap_or_else(|_| {
                fail(DesignErrorKind::NegativeTarget {
                    cell: shown.clone(),
                    target: cell.target,
                });
                0
            });
            let rule = resolve_rule(&cell, &raw.defaults).unwrap_or_else(|message| {
                fail(DesignErrorKind::BadRule {
                    cell: shown,
                    message,
                });
                Rule::Hard
            });
            let closed = cell.closed.unwrap_or(false);
            margins[m].cells.push(Cell {
                key,
                target,
                rule,
                closed,
            });
            lines.cells[m].push(line);
        }
        let title = raw.design.title;
        match Design::with_lines(raw.design.id, title, dimensions, margins, &lines) {
            Ok(design) if errors.is_empty() => Ok(design),
            Ok(_) => Err(DesignErrors(errors)),
            Err(DesignErrors(more)) => {
                errors.extend(more);
                errors.sort_by_key(|e| e.line);
                Err(DesignErrors(errors))
            }
        }
    }

    /// Writes the design in the file format; [`Design::from_toml`] reads it back unchanged.
    /// The most frequent rule becomes `[defaults]`; cells state only what differs.
    pub fn to_toml(&self) -> String {
        let default_rule = most_frequent_rule(self);
        let mut out = String::new();
        let _ = writeln!(out, "[design]");
        let _ = writeln!(out, "id = {}", quote(self.id()));
        if let Some(title) = self.title() {
            let _ = writeln!(out, "title = {}", quote(title));
        }
        let margins: Vec<String> = self
            .margins()
            .iter()
            .map(|m| {
                let names: Vec<String> = m.dimensions.iter().map(|d| quote(d)).collect();
                format!("[{}]", names.join(", "))
            })
            .collect();
        let _ = writeln!(out, "margins = [{}]", margins.join(", "));
        let _ = writeln!(out, "\n[defaults]");
        match default_rule {
            Rule::Hard => {
                let _ = writeln!(out, "kind = \"hard\"");
            }
            Rule::Soft(tolerance) => {
                let _ = writeln!(out, "kind = \"soft\"\ntolerance_percent = {tolerance}");
            }
        }
        for dimension in self.dimensions() {
            let _ = writeln!(out, "\n[[dimension]]");
            let _ = writeln!(out, "name = {}", quote(&dimension.name));
            let _ = writeln!(out, "variable = {}", quote(&dimension.variable));
            let _ = writeln!(out, "categories = [");
            for category in &dimension.categories {
                let _ = write!(
                    out,
                    "  {{ code = {}, label = {}",
                    category.code,
                    quote(&category.label)
                );
                if let Some(band) = category.band {
                    let _ = write!(out, ", min = {}", band.min);
                    if let Some(max) = band.max {
                        let _ = write!(out, ", max = {max}");
                    }
                }
                let _ = writeln!(out, " }},");
            }
            let _ = writeln!(out, "]");
        }
        for cell in self.cells() {
            let at: Vec<String> = cell
                .key
                .0
                .iter()
                .map(|(d, c)| format!("{d} = {c}"))
                .collect();
            let _ = writeln!(out, "\n[[cell]]\nat = {{ {} }}", at.join(", "));
            let _ = writeln!(out, "target = {}", cell.target);
            if cell.rule != default_rule {
                match cell.rule {
                    Rule::Hard => {
                        let _ = writeln!(out, "kind = \"hard\"");
                    }
                    Rule::Soft(tolerance) => {
                        let _ = writeln!(out, "kind = \"soft\"\ntolerance_percent = {tolerance}");
                    }
                }
            }
            if cell.closed {
                let _ = writeln!(out, "closed = true");
            }
        }
        out
    }
}

fn resolve_rule(cell: &RawCell, defaults: &RawDefaults) -> Result<Rule, String> {
    let kind = cell.kind.or(defaults.kind).unwrap_or(RawKind::Hard);
    match kind {
        RawKind::Hard if cell.tolerance_percent.is_some() => {
            Err("a hard cell takes no `tolerance_percent`".to_owned())
        }
        RawKind::Hard => Ok(Rule::Hard),
        RawKind::Soft => {
            let percent = cell
                .tolerance_percent
                .or(defaults.tolerance_percent)
                .ok_or("a soft cell needs a `tolerance_percent` (in the cell or in [defaults])")?;
            Tolerance::from_percent(percent)
                .map(Rule::Soft)
                .map_err(|e| e.to_string())
        }
    }
}

fn most_frequent_rule(design: &Design) -> Rule {
    let mut counts: Vec<(Rule, usize)> = Vec::new();
    for cell in design.cells() {
        match counts.iter_mut().find(|(rule, _)| *rule == cell.rule) {
            Some((_, n)) => *n += 1,
            None => counts.push((cell.rule, 1)),
        }
    }
    // max_by_key keeps the last maximum; reverse so that the first rule seen wins ties.
    counts
        .into_iter()
        .rev()
        .max_by_key(|(_, n)| *n)
        .map_or(Rule::Hard, |(rule, _)| rule)
}

fn quote(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}
