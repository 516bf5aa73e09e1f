//! The quota design: dimensions read from questionnaire variables, margins (groups of
//! dimensions crossed together) and their cells with targets. Built only through
//! [`Design::new`] or the design file, so a `Design` is always valid.

use crate::rule::Rule;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

/// A validated quota design.
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    id: String,
    title: Option<String>,
    dimensions: Vec<Dimension>,
    margins: Vec<Margin>,
    index: BTreeMap<CellKey, (usize, usize)>,
}

/// One quota variable: its name in the design, the questionnaire variable it reads, and the
/// categories a value falls into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dimension {
    /// Name used in cell keys (`commune`); letters, digits and `_`.
    pub name: String,
    /// The questionnaire variable whose integer value is classified (`COMMUNE`, `AGE`).
    pub variable: String,
    /// The categories, in the design's order.
    pub categories: Vec<Category>,
}

/// A category of a dimension: either a code the variable takes as is (a commune's INSEE
/// code, `SEXE = 2`), or a band of values (`AGE` from 15 to 29 is band 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    /// The category's code, as used in cell keys and in the database.
    pub code: i64,
    /// What the category is, for people (`Femme`, `15-29 ans`).
    pub label: String,
    /// For a banded dimension, the values that fall in this category.
    pub band: Option<Band>,
}

/// An inclusive range of integer values; `max = None` is open-ended (`75` and over).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Band {
    /// Smallest value in the band.
    pub min: i64,
    /// Largest value in the band, if any.
    pub max: Option<i64>,
}

impl Band {
    /// Whether `value` falls in the band.
    pub fn contains(self, value: i64) -> bool {
        value >= self.min && self.max.is_none_or(|max| value <= max)
    }

    fn overlaps(self, other: Band) -> bool {
        let below = |a: Band, b: Band| a.max.is_some_and(|max| max < b.min);
        !below(self, other) && !below(other, self)
    }
}

impl Dimension {
    /// The category `value` falls into: the band containing it for a banded dimension, the
    /// category whose code equals it otherwise.
    pub fn classify(&self, value: i64) -> Option<&Category> {
        self.categories.iter().find(|c| match c.band {
            Some(band) => band.contains(value),
            None => c.code == value,
        })
    }

    /// The category with this code.
    pub fn category(&self, code: i64) -> Option<&Category> {
        self.categories.iter().find(|c| c.code == code)
    }

    /// Whether the categories are value bands rather than codes.
    pub fn is_banded(&self) -> bool {
        self.categories.iter().any(|c| c.band.is_some())
    }
}

/// A group of dimensions crossed together, with one cell per combination of their categories.
/// A crossed design has one margin over all dimensions; a marginal design has several (commune
/// × sex and commune × age), and a respondent falls in one cell of each.
#[derive(Debug, Clone, PartialEq)]
pub struct Margin {
    /// Dimension names, in key order.
    pub dimensions: Vec<String>,
    /// The cells; every combination of categories must be present.
    pub cells: Vec<Cell>,
}

/// One quota cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// Which categories the cell crosses.
    pub key: CellKey,
    /// Number of completed interviews wanted.
    pub target: u64,
    /// Hard or soft with a tolerance.
    pub rule: Rule,
    /// Closed by a manager: nobody is accepted, whatever the counts.
    pub closed: bool,
}

impl Cell {
    /// See [`crate::capacity`].
    pub fn capacity(&self) -> u64 {
        self.rule.capacity(self.target)
    }
}

/// The identity of a cell: (dimension, category code) pairs in the margin's order. Its text
/// form `commune=33063,sexe=2,age=1` is stable and is what a database stores.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CellKey(pub Vec<(String, i64)>);

impl CellKey {
    /// The code of `dimension` in this key, if the key has that dimension.
    pub fn code(&self, dimension: &str) -> Option<i64> {
        self.0.iter().find(|(d, _)| d == dimension).map(|(_, c)| *c)
    }

    /// The dimension names, in order.
    pub fn dimensions(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(d, _)| d.as_str())
    }
}

impl fmt::Display for CellKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (dimension, code)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{dimension}={code}")?;
        }
        Ok(())
    }
}

/// Why a cell key's text form could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid cell key {0:?}: expected `dimension=code` pairs separated by commas")]
pub struct CellKeyError(pub String);

impl FromStr for CellKey {
    type Err = CellKeyError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = || CellKeyError(text.to_owned());
        text.split(',')
            .map(|part| {
                let (dimension, code) = part.split_once('=').ok_or_else(error)?;
                let code = code.trim().parse().map_err(|_| error())?;
                let dimension = dimension.trim();
                if !valid_name(dimension) {
                    return Err(error());
                }
                Ok((dimension.to_owned(), code))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(CellKey)
    }
}

/// One problem found in a design, with the line of the design file it comes from when known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{kind}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
pub struct DesignError {
    /// 1-based line in the design file.
    pub line: Option<usize>,
    /// What is wrong.
    pub kind: DesignErrorKind,
}

/// What is wrong with a design.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DesignErrorKind {
    /// The file is not valid TOML or does not fit the format (unknown field, wrong type).
    #[error("{0}")]
    Syntax(String),
    /// No `[[dimension]]`.
    #[error("the design has no dimension")]
    NoDimension,
    /// A dimension or variable name with characters other than letters, digits and `_`.
    #[error("invalid name {0:?}: use letters, digits and `_`")]
    InvalidName(String),
    /// Two dimensions with the same name.
    #[error("dimension {0:?} is declared twice")]
    DuplicateDimension(String),
    /// A dimension without categories.
    #[error("dimension {0:?} has no category")]
    NoCategory(String),
    /// Two categories of a dimension with the same code.
    #[error("dimension {dimension:?}: category code {code} is declared twice")]
    DuplicateCategory { dimension: String, code: i64 },
    /// Some categories of a dimension have bands and others do not.
    #[error("dimension {0:?}: either every category has a `min` band or none does")]
    MixedBanding(String),
    /// A band whose `min` is above its `max`.
    #[error("dimension {dimension:?}: category {code} has min {min} above max {max}")]
    InvertedBand {
        dimension: String,
        code: i64,
        min: i64,
        max: i64,
    },
    /// Two bands of a dimension share values.
    #[error("dimension {dimension:?}: the bands of categories {first} and {second} overlap")]
    OverlappingBands {
        dimension: String,
        first: i64,
        second: i64,
    },
    /// `margins` is empty.
    #[error("the design has no margin")]
    NoMargin,
    /// A margin lists no dimension.
    #[error("a margin has no dimension")]
    EmptyMargin,
    /// A margin names a dimension that is not declared.
    #[error("margin {margin}: unknown dimension {dimension:?}")]
    UnknownMarginDimension { margin: String, dimension: String },
    /// A margin lists a dimension twice.
    #[error("margin {0}: a dimension appears twice")]
    RepeatedMarginDimension(String),
    /// Two margins over the same dimensions.
    #[error("margin {0} is declared twice")]
    DuplicateMargin(String),
    /// A dimension that no margin uses.
    #[error("dimension {0:?} is used by no margin")]
    UnusedDimension(String),
    /// A cell whose dimensions are not those of any margin.
    #[error("cell {0}: its dimensions match no margin")]
    NoSuchMargin(String),
    /// A cell naming a category code its dimension does not have.
    #[error("cell {cell}: dimension {dimension:?} has no category {code}")]
    UnknownCategory {
        cell: String,
        dimension: String,
        code: i64,
    },
    /// Two cells with the same key.
    #[error("cell {0} is declared twice")]
    DuplicateCell(String),
    /// A cell with a negative target.
    #[error("cell {cell}: negative target {target}")]
    NegativeTarget { cell: String, target: i64 },
    /// A cell's kind and tolerance do not fit (soft without tolerance, hard with one, bad value).
    #[error("cell {cell}: {message}")]
    BadRule { cell: String, message: String },
    /// A margin lacks cells for some combinations of categories.
    #[error("margin {margin}: {count} cell(s) missing, e.g. {examples}")]
    MissingCells {
        margin: String,
        count: u64,
        examples: String,
    },
}

/// Every problem found in a design; `Display` lists them one per line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
pub struct DesignErrors(pub Vec<DesignError>);

/// Source lines of a design's parts, when it comes from a file; indices parallel the design's.
#[derive(Debug, Default)]
pub(crate) struct Lines {
    pub dimensions: Vec<usize>,
    pub categories: Vec<Vec<usize>>,
    pub margins: Option<usize>,
    pub cells: Vec<Vec<usize>>,
}

impl Lines {
    fn dimension(&self, d: usize) -> Option<usize> {
        self.dimensions.get(d).copied()
    }
    fn category(&self, d: usize, c: usize) -> Option<usize> {
        self.categories.get(d).and_then(|v| v.get(c)).copied()
    }
    fn cell(&self, m: usize, c: usize) -> Option<usize> {
        self.cells.get(m).and_then(|v| v.get(c)).copied()
    }
}

pub(crate) fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn margin_label(dimensions: &[String]) -> String {
    format!("[{}]", dimensions.join(" × "))
}

impl Design {
    /// Builds and validates a design: names, categories and bands, margins, and cells (known
    /// categories, no duplicate, none missing). Cell keys may list their dimensions in any
    /// order; they are stored in the margin's order.
    pub fn new(
        id: impl Into<String>,
        title: Option<String>,
        dimensions: Vec<Dimension>,
        margins: Vec<Margin>,
    ) -> Result<Self, DesignErrors> {
        Self::with_lines(id.into(), title, dimensions, margins, &Lines::default())
    }

    pub(crate) fn with_lines(
        id: String,
        title: Option<String>,
        dimensions: Vec<Dimension>,
        mut margins: Vec<Margin>,
        lines: &Lines,
    ) -> Result<Self, DesignErrors> {
        let mut errors = Vec::new();
        let mut push = |line: Option<usize>, kind| errors.push(DesignError { line, kind });
        check_dimensions(&dimensions, lines, &mut push);
        check_margins(&dimensions, &margins, lines, &mut push);
        let index = check_cells(&dimensions, &mut margins, lines, &mut push);
        if !errors.is_empty() {
            return Err(DesignErrors(errors));
        }
        Ok(Self {
            id,
            title,
            dimensions,
            margins,
            index,
        })
    }

    /// The design's identifier.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The design's title, if any.
    pub fn title(&self) -> Option<&str> {
        self.title.as_deref()
    }

    /// The dimensions, in the design's order.
    pub fn dimensions(&self) -> &[Dimension] {
        &self.dimensions
    }

    /// The dimension with this name.
    pub fn dimension(&self, name: &str) -> Option<&Dimension> {
        self.dimensions.iter().find(|d| d.name == name)
    }

    /// The margins; a respondent falls in one cell of each.
    pub fn margins(&self) -> &[Margin] {
        &self.margins
    }

    /// Every cell, margin by margin.
    pub fn cells(&self) -> impl Iterator<Item = &Cell> {
        self.margins.iter().flat_map(|m| m.cells.iter())
    }

    /// The cell with this key.
    pub fn cell(&self, key: &CellKey) -> Option<&Cell> {
        self.index.get(key).map(|&(m, c)| &self.margins[m].cells[c])
    }

    /// Every questionnaire variable the design reads, without repeats, in dimension order.
    pub fn variables(&self) -> Vec<&str> {
        let mut seen = BTreeSet::new();
        self.dimensions
            .iter()
            .map(|d| d.variable.as_str())
            .filter(|v| seen.insert(*v))
            .collect()
    }
}

type Push<'a> = dyn FnMut(Option<usize>, DesignErrorKind) + 'a;

fn check_dimensions(dimensions: &[Dimension], lines: &Lines, push: &mut Push<'_>) {
    if dimensions.is_empty() {
        push(None, DesignErrorKind::NoDimension);
    }
    let mut names = BTreeSet::new();
    for (d, dimension) in dimensions.iter().enumerate() {
        let line = lines.dimension(d);
        let name = &dimension.name;
        if !valid_name(name) {
            push(line, DesignErrorKind::InvalidName(name.clone()));
        }
        if !valid_name(&dimension.variable) {
            push(
                line,
                DesignErrorKind::InvalidName(dimension.variable.clone()),
            );
        }
        if !names.insert(name.as_str()) {
            push(line, DesignErrorKind::DuplicateDimension(name.clone()));
        }
        if dimension.categories.is_empty() {
            push(line, DesignErrorKind::NoCategory(name.clone()));
        }
        let banded = dimension
            .categories
            .iter()
            .filter(|c| c.band.is_some())
            .count();
        if banded != 0 && banded != dimension.categories.len() {
            push(line, DesignErrorKind::MixedBanding(name.clone()));
        }
        let mut codes = BTreeSet::new();
        for (c, category) in dimension.categories.iter().enumerate() {
            let line = lines.category(d, c);
            if !codes.insert(category.code) {
                let kind = DesignErrorKind::DuplicateCategory {
                    dimension: name.clone(),
                    code: category.code,
                };
                push(line, kind);
            }
            let Some(band) = category.band else { continue };
            if let Some(max) = band.max.filter(|max| *max < band.min) {
                let kind = DesignErrorKind::InvertedBand {
                    dimension: name.clone(),
                    code: category.code,
                    min: band.min,
                    max,
                };
                push(line, kind);
            }
            let earlier = dimension.categories[..c]
                .iter()
                .find(|other| other.band.is_some_and(|b| b.overlaps(band)));
            if let Some(other) = earlier {
                let kind = DesignErrorKind::OverlappingBands {
                    dimension: name.clone(),
                    first: other.code,
                    second: category.code,
                };
                push(line, kind);
            }
        }
    }
}

fn check_margins(dimensions: &[Dimension], margins: &[Margin], lines: &Lines, push: &mut Push<'_>) {
    let line = lines.margins;
    if margins.is_empty() {
        push(line, DesignErrorKind::NoMargin);
    }
    let mut seen = BTreeSet::new();
    for margin in margins {
        let label = margin_label(&margin.dimensions);
        if margin.dimensions.is_empty() {
            push(line, DesignErrorKind::EmptyMargin);
        }
        for name in &margin.dimensions {
            if !dimensions.iter().any(|d| &d.name == name) {
                let kind = DesignErrorKind::UnknownMarginDimension {
                    margin: label.clone(),
                    dimension: name.clone(),
                };
                push(line, kind);
            }
        }
        let set: BTreeSet<&String> = margin.dimensions.iter().collect();
        if set.len() != margin.dimensions.len() {
            push(
                line,
                DesignErrorKind::RepeatedMarginDimension(label.clone()),
            );
        }
        if !seen.insert(set) {
            push(line, DesignErrorKind::DuplicateMargin(label));
        }
    }
    for (d, dimension) in dimensions.iter().enumerate() {
        if !margins
            .iter()
            .any(|m| m.dimensions.contains(&dimension.name))
        {
            push(
                lines.dimension(d),
                DesignErrorKind::UnusedDimension(dimension.name.clone()),
            );
        }
    }
}

/// Puts each cell key in its margin's order, checks categories, duplicates and completeness,
/// and returns the key index.
fn check_cells(
    dimensions: &[Dimension],
    margins: &mut [Margin],
    lines: &Lines,
    push: &mut Push<'_>,
) -> BTreeMap<CellKey, (usize, usize)> {
    let mut index = BTreeMap::new();
    for (m, margin) in margins.iter_mut().enumerate() {
        let label = margin_label(&margin.dimensions);
        let margin_dimensions: Vec<Option<&Dimension>> = margin
            .dimensions
            .iter()
            .map(|name| dimensions.iter().find(|d| &d.name == name))
            .collect();
        let mut valid_cells = 0u64;
        for (c, cell) in margin.cells.iter_mut().enumerate() {
            let line = lines.cell(m, c);
            let shown = cell.key.to_string();
            let mut ordered = Vec::with_capacity(margin.dimensions.len());
            for name in &margin.dimensions {
                if let Some(code) = cell.key.code(name) {
                    ordered.push((name.clone(), code));
                }
            }
            if ordered.len() != cell.key.0.len() || ordered.len() != margin.dimensions.len() {
                push(line, DesignErrorKind::NoSuchMargin(shown));
                continue;
            }
            cell.key = CellKey(ordered);
            let mut known = true;
            for ((name, code), dimension) in cell.key.0.iter().zip(&margin_dimensions) {
                if dimension.is_some_and(|d| d.category(*code).is_none()) {
                    known = false;
                    let kind = DesignErrorKind::UnknownCategory {
                        cell: shown.clone(),
                        dimension: name.clone(),
                        code: *code,
                    };
                    push(line, kind);
                }
            }
            if index.insert(cell.key.clone(), (m, c)).is_some() {
                push(line, DesignErrorKind::DuplicateCell(shown));
            } else if known {
                valid_cells += 1;
            }
        }
        let Some(dims) = margin_dimensions.into_iter().collect::<Option<Vec<_>>>() else {
            continue;
        };
        let expected = dims
            .iter()
            .map(|d| d.categories.len() as u64)
            .try_fold(1u64, u64::checked_mul);
        if expected.is_some_and(|e| e > valid_cells) || expected.is_none() {
            let missing = missing_cells(&dims, &index, 3);
            if !missing.is_empty() {
                let kind = DesignErrorKind::MissingCells {
                    margin: label,
                    count: expected.unwrap_or(u64::MAX).saturating_sub(valid_cells),
                    examples: missing.join("; "),
                };
                push(lines.margins, kind);
            }
        }
    }
    index
}

/// The first `limit` keys of the full grid of `dims` absent from `index`, in category order.
fn missing_cells(
    dims: &[&Dimension],
    index: &BTreeMap<CellKey, (usize, usize)>,
    limit: usize,
) -> Vec<String> {
    let mut found = Vec::new();
    let mut position = vec![0usize; dims.len()];
    if dims.iter().any(|d| d.categories.is_empty()) {
        return found;
    }
    loop {
        let key = CellKey(
            dims.iter()
                .zip(&position)
                .map(|(d, &p)| (d.name.clone(), d.categories[p].code))
                .collect(),
        );
        if !index.contains_key(&key) {
            found.push(key.to_string());
            if found.len() == limit {
                return found;
            }
        }
        // Odometer increment, last dimension fastest.
        let mut d = dims.len();
        loop {
            if d == 0 {
                return found;
            }
            d -= 1;
            position[d] += 1;
            if position[d] < dims[d].categories.len() {
                break;
            }
            position[d] = 0;
        }
    }
}
