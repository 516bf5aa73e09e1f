//! Allocation of a total number of interviews to communes (proportional to population, with an
//! optional minimum) and to sex × age cells within each commune, with exact totals at every
//! level; the plan is printed as CSV or turned into a quota design.

use crate::design::{Band, Category, Cell, CellKey, Design, DesignErrors, Dimension, Margin};
use crate::population::CommunePopulation;
use crate::rounding::{RoundingError, largest_remainder};
use crate::rule::Rule;
use crate::structure::{Structure, Weight};
use std::collections::BTreeSet;

/// How a minimum number of interviews per commune is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Minimum {
    /// Targets proportional to population.
    #[default]
    None,
    /// Every commune gets at least this many: communes whose proportional target would fall
    /// below are raised to it, and the other communes share the rest in proportion to their
    /// populations (repeated until no other commune falls below).
    Floor(u64),
    /// Every commune gets this many, then the rest is shared in proportion to population.
    Base(u64),
}

/// How cells are laid out within a commune when a structure is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Layout {
    /// One cell per commune × sex × age band.
    #[default]
    Crossed,
    /// Commune × sex cells and commune × age band cells; a respondent fills one of each.
    Marginal,
}

/// What to plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanRequest<'a> {
    /// Total number of interviews N.
    pub total: u64,
    /// Minimum per commune.
    pub minimum: Minimum,
    /// Population by commune × sex × age band, to split commune targets into cells.
    pub structure: Option<&'a Structure>,
    /// Cell layout, used only with a structure.
    pub layout: Layout,
}

/// The commune targets of an allocation, in the order of the populations given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allocation {
    /// Target of each commune; they sum to N.
    pub targets: Vec<u64>,
    /// Whether each commune was raised to the minimum ([`Minimum::Floor`]); the others are
    /// within 1 of their exact proportional share of what the raised communes left.
    pub raised: Vec<bool>,
}

/// The target of one commune.
#[derive(Debug, Clone, PartialEq)]
pub struct CommuneTarget {
    /// INSEE code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Population used.
    pub population: u64,
    /// Population as a share of the total population.
    pub share: f64,
    /// Interviews wanted.
    pub target: u64,
    /// Raised to the minimum.
    pub raised: bool,
}

/// The target of one cell within a commune.
#[derive(Debug, Clone, PartialEq)]
pub struct CellTarget {
    /// INSEE code of the commune.
    pub code: String,
    /// Name of the commune.
    pub name: String,
    /// Sex code; `None` in an age band margin cell.
    pub sexe: Option<i64>,
    /// Age band code; `None` in a sex margin cell.
    pub age_band: Option<i64>,
    /// Population of the cell, from the structure.
    pub population: Weight,
    /// The cell's population as a share of its commune's (within its margin).
    pub share: f64,
    /// Interviews wanted.
    pub target: u64,
}

/// Targets per commune and, with a structure, per cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// N.
    pub total: u64,
    /// Commune targets, sorted by code; they sum to N.
    pub communes: Vec<CommuneTarget>,
    /// Cell targets by commune (sorted by code), then sex, then age band; within each
    /// commune and margin they sum to the commune's target. Empty without a structure.
    pub cells: Vec<CellTarget>,
    /// The cell layout, when cells were planned.
    pub layout: Option<Layout>,
}

/// Why a plan could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// No commune to plan for.
    #[error("no commune to plan for")]
    NoCommune,
    /// N is zero.
    #[error("the total number of interviews must be positive")]
    ZeroTotal,
    /// Every population is zero.
    #[error("the total population is zero")]
    ZeroPopulation,
    /// A commune is given twice.
    #[error("commune {0} is given twice")]
    DuplicateCommune(String),
    /// N cannot cover the minimum.
    #[error("N = {total} is less than {communes} communes × minimum {minimum}")]
    TooSmall {
        /// N.
        total: u64,
        /// Number of communes.
        communes: usize,
        /// The minimum per commune.
        minimum: u64,
    },
    /// A commune has no row in the structure.
    #[error("commune {0} has no row in the structure file")]
    MissingStructure(String),
    /// The structure has a commune that is not planned.
    #[error("{}commune {code} of the structure file is not among the communes planned", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
    UnknownStructureCommune {
        /// The commune.
        code: String,
        /// Its first line in the structure file.
        line: Option<u64>,
    },
    /// A commune lacks a (sex, age band) row that other communes have.
    #[error("commune {code} has no structure row for sexe {sexe}, age_band {age_band}")]
    IncompleteStructure {
        /// The commune.
        code: String,
        /// The sex code.
        sexe: i64,
        /// The age band code.
        age_band: i64,
    },
    /// A commune with a positive target has a zero structure.
    #[error("commune {code} has a target of {target} but its structure sums to zero")]
    ZeroStructure {
        /// The commune.
        code: String,
        /// Its target.
        target: u64,
    },
    /// A commune code cannot be a questionnaire option code.
    #[error("commune code {0:?} is not an integer, so it cannot be a COMMUNE option code")]
    NonNumericCode(String),
    /// A sex code of the structure has no category in the design options.
    #[error("sexe code {0} has no category in the design options")]
    UnknownSexe(i64),
    /// An age band code of the structure has no category in the design options.
    #[error("age_band code {0} has no category in the design options")]
    UnknownAgeBand(i64),
    /// Rounding failed (figures too large).
    #[error(transparent)]
    Rounding(#[from] RoundingError),
    /// The design built from the plan is invalid.
    #[error(transparent)]
    Design(#[from] DesignErrors),
}

/// Shares `total` between communes of these populations (see [`Minimum`]), rounding with
/// the largest remainder method so that targets sum to `total` exactly.
pub fn allocate(
    populations: &[u64],
    total: u64,
    minimum: Minimum,
) -> Result<Allocation, PlanError> {
    let n = populations.len();
    if n == 0 {
        return Err(PlanError::NoCommune);
    }
    if total == 0 {
        return Err(PlanError::ZeroTotal);
    }
    if populations.iter().all(|p| *p == 0) {
        return Err(PlanError::ZeroPopulation);
    }
    let weights: Vec<u128> = populations.iter().map(|p| u128::from(*p)).collect();
    let floor = match minimum {
        Minimum::None => 0,
        Minimum::Floor(m) | Minimum::Base(m) => m,
    };
    let reserved = (n as u64)
        .checked_mul(floor)
        .filter(|r| *r <= total)
        .ok_or(PlanError::TooSmall {
            total,
            communes: n,
            minimum: floor,
        })?;
    match minimum {
        Minimum::None | Minimum::Floor(0) => Ok(Allocation {
            targets: largest_remainder(total, &weights)?,
            raised: vec![false; n],
        }),
        Minimum::Base(m) => {
            let rest = largest_remainder(total - reserved, &weights)?;
            Ok(Allocation {
                targets: rest.into_iter().map(|t| t + m).collect(),
                raised: vec![false; n],
            })
        }
        Minimum::Floor(m) => allocate_with_floor(&weights, total, m),
    }
}

fn allocate_with_floor(weights: &[u128], total: u64, m: u64) -> Result<Allocation, PlanError> {
    let n = weights.len();
    let mut raised = vec![false; n];
    let mut rest = total;
    loop {
        let free_population: u128 = (0..n).filter(|&i| !raised[i]).map(|i| weights[i]).sum();
        if free_population == 0 {
            break;
        }
        // Exact comparison of rest × p / P < m, in integers.
        let below: Vec<usize> = (0..n)
            .filter(|&i| !raised[i])
            .filter(|&i| {
                let quota = u128::from(rest).checked_mul(weights[i]);
                let bound = u128::from(m).checked_mul(free_population);
                match (quota, bound) {
                    (Some(q), Some(b)) => q < b,
                    (Some(_), None) => true,
                    // Too large to compare: the rounding below reports the overflow.
                    (None, _) => false,
                }
            })
            .collect();
        if below.is_empty() {
            break;
        }
        for i in below {
            raised[i] = true;
            // total >= n × m, so this never underflows.
            rest -= m;
        }
    }
    let free: Vec<usize> = (0..n).filter(|&i| !raised[i]).collect();
    let mut targets: Vec<u64> = raised.iter().map(|r| if *r { m } else { 0 }).collect();
    if !free.is_empty() {
        let free_weights: Vec<u128> = free.iter().map(|&i| weights[i]).collect();
        for (i, target) in free.iter().zip(largest_remainder(rest, &free_weights)?) {
            targets[*i] = target;
        }
    } else if rest > 0 {
        return Err(PlanError::ZeroPopulation);
    }
    Ok(Allocation { targets, raised })
}

/// Plans targets per commune and, with a structure, per cell: communes sorted by code,
/// [`allocate`] for the communes, then [`largest_remainder`] within each commune (and
/// margin) over the structure's weights.
pub fn plan(
    populations: &[CommunePopulation],
    request: &PlanRequest<'_>,
) -> Result<Plan, PlanError> {
    let mut communes: Vec<&CommunePopulation> = populations.iter().collect();
    communes.sort_by(|a, b| a.code.cmp(&b.code));
    if let Some(pair) = communes.windows(2).find(|w| w[0].code == w[1].code) {
        return Err(PlanError::DuplicateCommune(pair[0].code.clone()));
    }
    let figures: Vec<u64> = communes.iter().map(|c| c.population).collect();
    let allocation = allocate(&figures, request.total, request.minimum)?;
    let total_population: u128 = figures.iter().map(|p| u128::from(*p)).sum();
    let commune_targets: Vec<CommuneTarget> = communes
        .iter()
        .zip(allocation.targets.iter().zip(&allocation.raised))
        .map(|(c, (&target, &raised))| CommuneTarget {
            code: c.code.clone(),
            name: c.name.clone(),
            population: c.population,
            share: c.population as f64 / total_population as f64,
            target,
            raised,
        })
        .collect();
    let cells = match request.structure {
        Some(structure) => plan_cells(&commune_targets, structure, request.layout)?,
        None => Vec::new(),
    };
    Ok(Plan {
        total: request.total,
        communes: commune_targets,
        cells,
        layout: request.structure.map(|_| request.layout),
    })
}

fn plan_cells(
    communes: &[CommuneTarget],
    structure: &Structure,
    layout: Layout,
) -> Result<Vec<CellTarget>, PlanError> {
    let planned: BTreeSet<&str> = communes.iter().map(|c| c.code.as_str()).collect();
    if let Some(code) = structure.communes().find(|c| !planned.contains(c)) {
        return Err(PlanError::UnknownStructureCommune {
            code: code.to_owned(),
            line: structure.line(code),
        });
    }
    let sexes = structure.sexes();
    let bands = structure.age_bands();
    let mut cells = Vec::new();
    for commune in communes {
        let rows = structure
            .commune(&commune.code)
            .ok_or_else(|| PlanError::MissingStructure(commune.code.clone()))?;
        let mut crossed = Vec::new();
        for &sexe in &sexes {
            for &age_band in &bands {
                let weight = rows.get(&(sexe, age_band)).copied().ok_or_else(|| {
                    PlanError::IncompleteStructure {
                        code: commune.code.clone(),
                        sexe,
                        age_band,
                    }
                })?;
                crossed.push((Some(sexe), Some(age_band), weight));
            }
        }
        let groups = match layout {
            Layout::Crossed => vec![crossed],
            Layout::Marginal => {
                let margin = |by_sexe: bool| -> Vec<(Option<i64>, Option<i64>, Weight)> {
                    let codes = if by_sexe { &sexes } else { &bands };
                    codes
                        .iter()
                        .map(|&code| {
                            let pick = |row: &&(Option<i64>, Option<i64>, Weight)| {
                                if by_sexe {
                                    row.0 == Some(code)
                                } else {
                                    row.1 == Some(code)
                                }
                            };
                            let weight = crossed.iter().filter(pick).map(|r| r.2).sum();
                            if by_sexe {
                                (Some(code), None, weight)
                            } else {
                                (None, Some(code), weight)
                            }
                        })
                        .collect()
                };
                vec![margin(true), margin(false)]
            }
        };
        for group in groups {
            let weights: Vec<u128> = group.iter().map(|g| g.2.billionths()).collect();
            let commune_weight: Weight = group.iter().map(|g| g.2).sum();
            let targets = largest_remainder(commune.target, &weights).map_err(|e| match e {
                RoundingError::ZeroWeights(target) => PlanError::ZeroStructure {
                    code: commune.code.clone(),
                    target,
                },
                other => PlanError::Rounding(other),
            })?;
            for ((sexe, age_band, population), target) in group.into_iter().zip(targets) {
                let share = if commune_weight.billionths() == 0 {
                    0.0
                } else {
                    population.to_f64() / commune_weight.to_f64()
                };
                cells.push(CellTarget {
                    code: commune.code.clone(),
                    name: commune.name.clone(),
                    sexe,
                    age_band,
                    population,
                    share,
                    target,
                });
            }
        }
    }
    Ok(cells)
}

/// Where the age of a generated design is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgeVariable {
    /// An age in years (`AGE`), banded by the age band categories' ranges.
    Years(String),
    /// An age band code computed by the questionnaire (`AGE_QUOTA`), matched as is.
    Band(String),
}

/// How to turn a plan into a quota design.
#[derive(Debug, Clone, PartialEq)]
pub struct DesignOptions {
    /// The design's identifier.
    pub id: String,
    /// The design's title.
    pub title: Option<String>,
    /// The rule of every cell.
    pub rule: Rule,
    /// The commune variable (`COMMUNE`; option codes are INSEE codes as integers).
    pub commune_variable: String,
    /// The sex variable (`SEXE`).
    pub sex_variable: String,
    /// The age variable.
    pub age_variable: AgeVariable,
    /// Sex categories (codes of the structure file).
    pub sexes: Vec<Category>,
    /// Age band categories with their ranges in years (codes of the structure file).
    pub age_bands: Vec<Category>,
}

impl Default for DesignOptions {
    /// `COMMUNE`, `SEXE`, `AGE` in years, hard cells, [`standard_sexes`] and
    /// [`standard_age_bands`].
    fn default() -> Self {
        Self {
            id: "quotas".to_owned(),
            title: None,
            rule: Rule::Hard,
            commune_variable: "COMMUNE".to_owned(),
            sex_variable: "SEXE".to_owned(),
            age_variable: AgeVariable::Years("AGE".to_owned()),
            sexes: standard_sexes(),
            age_bands: standard_age_bands(),
        }
    }
}

/// `1` Homme, `2` Femme.
pub fn standard_sexes() -> Vec<Category> {
    [(1, "Homme"), (2, "Femme")]
        .into_iter()
        .map(|(code, label)| Category {
            code,
            label: label.to_owned(),
            band: None,
        })
        .collect()
}

/// The five bands of `AGE_QUOTA`: 1 = 15–29, 2 = 30–44, 3 = 45–59, 4 = 60–74, 5 = 75 and over.
pub fn standard_age_bands() -> Vec<Category> {
    [
        (1, "15-29 ans", 15, Some(29)),
        (2, "30-44 ans", 30, Some(44)),
        (3, "45-59 ans", 45, Some(59)),
        (4, "60-74 ans", 60, Some(74)),
        (5, "75 ans et plus", 75, None),
    ]
    .into_iter()
    .map(|(code, label, min, max)| Category {
        code,
        label: label.to_owned(),
        band: Some(Band { min, max }),
    })
    .collect()
}

impl Plan {
    /// The quota design of this plan: one cell per commune without a structure, commune × sex
    /// × age cells (crossed) or commune × sex and commune × age cells (marginal) with one.
    /// Only the sex and age categories used by the plan are kept.
    pub fn to_design(&self, options: &DesignOptions) -> Result<Design, PlanError> {
        let commune_codes = self
            .communes
            .iter()
            .map(|c| {
                c.code
                    .parse::<i64>()
                    .map_err(|_| PlanError::NonNumericCode(c.code.clone()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let commune = Dimension {
            name: "commune".to_owned(),
            variable: options.commune_variable.clone(),
            categories: self
                .communes
                .iter()
                .zip(&commune_codes)
                .map(|(c, &code)| Category {
                    code,
                    label: c.name.clone(),
                    band: None,
                })
                .collect(),
        };
        let cell = |parts: Vec<(&str, i64)>, target| Cell {
            key: CellKey(parts.into_iter().map(|(d, c)| (d.to_owned(), c)).collect()),
            target,
            rule: options.rule,
            closed: false,
        };
        let Some(layout) = self.layout else {
            let cells = self
                .communes
                .iter()
                .zip(&commune_codes)
                .map(|(c, &code)| cell(vec![("commune", code)], c.target))
                .collect();
            let margin = Margin {
                dimensions: vec!["commune".to_owned()],
                cells,
            };
            return Ok(Design::new(
                options.id.clone(),
                options.title.clone(),
                vec![commune],
                vec![margin],
            )?);
        };
        let sexes: BTreeSet<i64> = self.cells.iter().filter_map(|c| c.sexe).collect();
        let bands: BTreeSet<i64> = self.cells.iter().filter_map(|c| c.age_band).collect();
        let sexe = Dimension {
            name: "sexe".to_owned(),
            variable: options.sex_variable.clone(),
            categories: pick(&options.sexes, &sexes, PlanError::UnknownSexe)?,
        };
        let mut age_categories = pick(&options.age_bands, &bands, PlanError::UnknownAgeBand)?;
        let age_variable = match &options.age_variable {
            AgeVariable::Years(variable) => variable.clone(),
            AgeVariable::Band(variable) => {
                age_categories.iter_mut().for_each(|c| c.band = None);
                variable.clone()
            }
        };
        let age = Dimension {
            name: "age".to_owned(),
            variable: age_variable,
            categories: age_categories,
        };
        let mut margins: Vec<Margin> = match layout {
            Layout::Crossed => vec![names(&["commune", "sexe", "age"])],
            Layout::Marginal => vec![names(&["commune", "sexe"]), names(&["commune", "age"])],
        }
        .into_iter()
        .map(|dimensions| Margin {
            dimensions,
            cells: Vec::new(),
        })
        .collect();
        for target in &self.cells {
            let code = target
                .code
                .parse::<i64>()
                .map_err(|_| PlanError::NonNumericCode(target.code.clone()))?;
            let mut parts = vec![("commune", code)];
            parts.extend(target.sexe.map(|s| ("sexe", s)));
            parts.extend(target.age_band.map(|a| ("age", a)));
            // A cell that fits no margin goes to the first, where validation reports it.
            let m = margins
                .iter()
                .position(|m| {
                    m.dimensions
                        .iter()
                        .map(String::as_str)
                        .eq(parts.iter().map(|p| p.0))
                })
                .unwrap_or(0);
            margins[m].cells.push(cell(parts, target.target));
        }
        Ok(Design::new(
            options.id.clone(),
            options.title.clone(),
            vec![commune, sexe, age],
            margins,
        )?)
    }

    /// The commune targets as CSV: `code_commune,nom_commune,population,share,target`.
    pub fn communes_csv(&self) -> String {
        let mut out = String::from("code_commune,nom_commune,population,share,target\n");
        for c in &self.communes {
            out.push_str(&csv_line(&[
                &c.code,
                &c.name,
                &c.population.to_string(),
                &format!("{:.6}", c.share),
                &c.target.to_string(),
            ]));
        }
        out
    }

    /// The cell targets as CSV: `code_commune,nom_commune,sexe,age_band,population,share,target`
    /// (`sexe` or `age_band` empty in a marginal cell); only the header without a structure.
    pub fn cells_csv(&self) -> String {
        let mut out =
            String::from("code_commune,nom_commune,sexe,age_band,population,share,target\n");
        let code = |c: Option<i64>| c.map(|c| c.to_string()).unwrap_or_default();
        for c in &self.cells {
            out.push_str(&csv_line(&[
                &c.code,
                &c.name,
                &code(c.sexe),
                &code(c.age_band),
                &c.population.to_string(),
                &format!("{:.6}", c.share),
                &c.target.to_string(),
            ]));
        }
        out
    }

    /// The plan as CSV: cell rows when a structure was given, commune rows otherwise.
    pub fn to_csv(&self) -> String {
        if self.layout.is_some() {
            self.cells_csv()
        } else {
            self.communes_csv()
        }
    }
}

fn pick(
    options: &[Category],
    used: &BTreeSet<i64>,
    unknown: fn(i64) -> PlanError,
) -> Result<Vec<Category>, PlanError> {
    if let Some(&code) = used
        .iter()
        .find(|&&code| !options.iter().any(|c| c.code == code))
    {
        return Err(unknown(code));
    }
    Ok(options
        .iter()
        .filter(|c| used.contains(&c.code))
        .cloned()
        .collect())
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

/// One CSV line, quoting fields that need it.
fn csv_line(fields: &[&str]) -> String {
    let quoted: Vec<String> = fields
        .iter()
        .map(|f| {
            if f.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", f.replace('"', "\"\""))
            } else {
                (*f).to_owned()
            }
        })
        .collect();
    format!("{}\n", quoted.join(","))
}
