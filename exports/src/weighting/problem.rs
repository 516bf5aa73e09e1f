//! Resolution of margins against the respondents, with every check that must pass before
//! iterating: unknown variables, invalid or duplicate targets, totals that disagree, categories
//! without target, empty cells.

use std::collections::{HashMap, HashSet};

use super::cells::Cells;
use super::error::{EmptyCell, GROUPING_MARGIN, WeightError, n_respondents};
use super::margins::{Margin, category_label};
use super::respondents::{Column, Respondents};

/// A margin resolved on the cells: the categories kept (positive target) and the category of
/// every cell.
#[derive(Debug, Clone)]
pub(crate) struct Constraint {
    pub(crate) name: String,
    pub(crate) labels: Vec<String>,
    pub(crate) targets: Vec<f64>,
    pub(crate) cell_category: Vec<u32>,
}

/// The grouping variable for per-group diagnostics.
#[derive(Debug, Clone)]
pub(crate) struct Grouping {
    pub(crate) name: String,
    pub(crate) labels: Vec<String>,
    /// Position of the variable in `Cells::codes`.
    pub(crate) position: usize,
}

/// Everything a solver needs, checked.
#[derive(Debug, Clone)]
pub(crate) struct Problem {
    pub(crate) cells: Cells,
    pub(crate) constraints: Vec<Constraint>,
    pub(crate) grouping: Option<Grouping>,
}

impl Problem {
    /// Checks margins against respondents and aggregates respondents into cells.
    pub(crate) fn prepare(
        respondents: &Respondents,
        margins: &[Margin],
        group_by: Option<&str>,
        total_tolerance: f64,
    ) -> Result<Self, WeightError> {
        if respondents.is_empty() {
            return Err(WeightError::NoRespondents);
        }
        if margins.is_empty() {
            return Err(WeightError::NoMargins);
        }
        let mut names: Vec<&str> = Vec::new();
        let mut columns: Vec<&Column> = Vec::new();
        let mut seen_margins = HashSet::new();
        for margin in margins {
            if !seen_margins.insert(margin.name()) {
                return Err(WeightError::DuplicateMargin(margin.name()));
            }
            for variable in margin.variables() {
                add_column(
                    respondents,
                    &mut names,
                    &mut columns,
                    &margin.name(),
                    variable,
                )?;
            }
            check_targets(margin)?;
        }
        let grouping_position = match group_by {
            Some(variable) => Some(add_column(
                respondents,
                &mut names,
                &mut columns,
                GROUPING_MARGIN,
                variable,
            )?),
            None => None,
        };
        check_totals(margins, total_tolerance)?;

        let cells = Cells::build(respondents, &columns)?;
        let mut constraints = Vec::with_capacity(margins.len());
        let mut empty = Vec::new();
        for margin in margins {
            let positions: Vec<usize> = margin
                .variables()
                .iter()
                .map(|v| names.iter().position(|n| n == v).unwrap_or_default())
                .collect();
            constraints.push(resolve(
                respondents,
                &cells,
                &columns,
                margin,
                &positions,
                &mut empty,
            )?);
        }
        if !empty.is_empty() {
            return Err(WeightError::EmptyCells(empty));
        }
        let grouping = grouping_position.map(|position| Grouping {
            name: columns[position].name.clone(),
            labels: columns[position].categories.clone(),
            position,
        });
        Ok(Self {
            cells,
            constraints,
            grouping,
        })
    }
}

fn add_column<'a>(
    respondents: &'a Respondents,
    names: &mut Vec<&'a str>,
    columns: &mut Vec<&'a Column>,
    margin: &str,
    variable: &str,
) -> Result<usize, WeightError> {
    if let Some(position) = names.iter().position(|n| *n == variable) {
        return Ok(position);
    }
    let column = respondents
        .column(variable)
        .ok_or_else(|| WeightError::UnknownVariable {
            margin: margin.to_owned(),
            variable: variable.to_owned(),
            available: respondents.variable_names().collect::<Vec<_>>().join(", "),
        })?;
    names.push(&column.name);
    columns.push(column);
    Ok(columns.len() - 1)
}

fn check_targets(margin: &Margin) -> Result<(), WeightError> {
    let mut seen = HashSet::new();
    for (parts, target) in margin.targets() {
        let category = category_label(parts);
        if parts.len() != margin.variables().len() {
            return Err(WeightError::CategoryArity {
                margin: margin.name(),
                category,
                expected: margin.variables().len(),
                found: parts.len(),
            });
        }
        if !(target.is_finite() && *target >= 0.0) {
            return Err(WeightError::InvalidTarget {
                margin: margin.name(),
                category,
                target: *target,
            });
        }
        if !seen.insert(parts) {
            return Err(WeightError::DuplicateCategory {
                margin: margin.name(),
                category,
            });
        }
    }
    Ok(())
}

/// Every pair of margins must agree on the grand total and on the subtotals of the variables
/// they share (`commune` in `commune` and `commune:sexe`); otherwise no weights can meet both.
fn check_totals(margins: &[Margin], tolerance: f64) -> Result<(), WeightError> {
    let differs = |a: f64, b: f64| (a - b).abs() > tolerance * a.abs().max(b.abs()).max(1.0);
    let first = &margins[0];
    for other in &margins[1..] {
        if differs(first.total(), other.total()) {
            return Err(WeightError::InconsistentTotals {
                first: first.name(),
                first_total: first.total(),
                second: other.name(),
                second_total: other.total(),
                over: None,
            });
        }
    }
    for (i, a) in margins.iter().enumerate() {
        for b in &margins[i + 1..] {
            let shared: Vec<&String> = a
                .variables()
                .iter()
                .filter(|v| b.variables().contains(v))
                .collect();
            if shared.is_empty() {
                continue;
            }
            let (sub_a, order) = subtotals(a, &shared);
            let (sub_b, order_b) = subtotals(b, &shared);
            for key in order
                .iter()
                .chain(order_b.iter().filter(|k| !sub_a.contains_key(*k)))
            {
                let total_a = sub_a.get(key).copied().unwrap_or(0.0);
                let total_b = sub_b.get(key).copied().unwrap_or(0.0);
                if differs(total_a, total_b) {
                    let over = shared
                        .iter()
                        .zip(key)
                        .map(|(v, c)| format!("{v} = « {c} »"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    return Err(WeightError::InconsistentTotals {
                        first: a.name(),
                        first_total: total_a,
                        second: b.name(),
                        second_total: total_b,
                        over: Some(over),
                    });
                }
            }
        }
    }
    Ok(())
}

/// Targets of `margin` summed over the categories of the `shared` variables, with the keys in
/// first-seen order.
fn subtotals(margin: &Margin, shared: &[&String]) -> (HashMap<Vec<String>, f64>, Vec<Vec<String>>) {
    let positions: Vec<usize> = shared
        .iter()
        .filter_map(|v| margin.variables().iter().position(|m| m == *v))
        .collect();
    let mut totals = HashMap::new();
    let mut order = Vec::new();
    for (parts, target) in margin.targets() {
        let key: Vec<String> = positions.iter().map(|&p| parts[p].clone()).collect();
        if !totals.contains_key(&key) {
            order.push(key.clone());
        }
        *totals.entry(key).or_insert(0.0) += target;
    }
    (totals, order)
}

fn resolve(
    respondents: &Respondents,
    cells: &Cells,
    columns: &[&Column],
    margin: &Margin,
    positions: &[usize],
    empty: &mut Vec<EmptyCell>,
) -> Result<Constraint, WeightError> {
    let name = margin.name();
    let mut strides = Vec::with_capacity(positions.len());
    let mut size: u64 = 1;
    for &p in positions {
        strides.push(size);
        size = size.saturating_mul(columns[p].categories.len().max(1) as u64);
    }
    let cell_key = |cell: usize| -> u64 {
        positions
            .iter()
            .zip(&strides)
            .map(|(&p, s)| u64::from(cells.codes[p][cell]) * s)
            .sum()
    };

    // Target categories that respondents can fall in, by key.
    let lookups: Vec<HashMap<&str, u32>> = positions
        .iter()
        .map(|&p| {
            columns[p]
                .categories
                .iter()
                .enumerate()
                .map(|(code, c)| (c.as_str(), code as u32))
                .collect()
        })
        .collect();
    let mut target_of_key: HashMap<u64, usize> = HashMap::new();
    for (index, (parts, _)) in margin.targets().iter().enumerate() {
        let key: Option<u64> = parts
            .iter()
            .zip(&lookups)
            .zip(&strides)
            .map(|((part, lookup), s)| lookup.get(part.as_str()).map(|&c| u64::from(c) * s))
            .sum();
        if let Some(key) = key {
            target_of_key.insert(key, index);
        }
    }

    let mut counts = vec![0u64; margin.targets().len()];
    let mut cell_target = Vec::with_capacity(cells.len());
    for cell in 0..cells.len() {
        match target_of_key.get(&cell_key(cell)) {
            Some(&index) => {
                counts[index] += cells.count[cell];
                cell_target.push(index);
            }
            None => {
                let key = cell_key(cell);
                let respondents_in: u64 = (0..cells.len())
                    .filter(|&c| cell_key(c) == key)
                    .map(|c| cells.count[c])
                    .sum();
                let parts: Vec<String> = positions
                    .iter()
                    .map(|&p| columns[p].categories[cells.codes[p][cell] as usize].clone())
                    .collect();
                return Err(WeightError::CategoryWithoutTarget {
                    margin: name,
                    category: category_label(&parts),
                    respondents: respondents_in as usize,
                    example: respondents.describe_row(cells.first_row[cell]),
                });
            }
        }
    }

    let mut new_index = vec![u32::MAX; margin.targets().len()];
    let mut labels = Vec::new();
    let mut targets = Vec::new();
    for (index, (parts, target)) in margin.targets().iter().enumerate() {
        let count = counts[index];
        if count == 0 && *target > 0.0 {
            empty.push(EmptyCell {
                margin: name.clone(),
                category: category_label(parts),
                target: *target,
                suggestion: suggest_collapse(margin, &counts, index),
            });
        } else if count > 0 && *target == 0.0 {
            return Err(WeightError::ZeroTargetWithRespondents {
                margin: name,
                category: category_label(parts),
                respondents: count as usize,
            });
        } else if count > 0 {
            new_index[index] = labels.len() as u32;
            labels.push(category_label(parts));
            targets.push(*target);
        }
    }
    Ok(Constraint {
        name,
        labels,
        targets,
        cell_category: cell_target.iter().map(|&i| new_index[i]).collect(),
    })
}

/// Suggests categories to merge an empty one with: for a one-way margin its neighbours in file
/// order (bands are usually ordered) and the smallest non-empty category; for a crossed margin the
/// categories that differ in a single variable, smallest first.
fn suggest_collapse(margin: &Margin, counts: &[u64], empty: usize) -> String {
    let targets = margin.targets();
    let label = |i: usize| category_label(&targets[i].0);
    if margin.variables().len() == 1 {
        let adjacent: Vec<usize> = [empty.checked_sub(1), Some(empty + 1)]
            .into_iter()
            .flatten()
            .filter(|&i| i < targets.len())
            .collect();
        let neighbours: Vec<String> = adjacent
            .iter()
            .map(|&i| format!("« {} » ({})", label(i), n_respondents(counts[i])))
            .collect();
        let smallest = (0..targets.len())
            .filter(|&i| counts[i] > 0 && !adjacent.contains(&i))
            .min_by_key(|&i| counts[i]);
        let mut text = format!(
            "regroupez-la avec une modalité voisine dans le fichier ({})",
            if neighbours.is_empty() {
                "aucune".to_owned()
            } else {
                neighbours.join(" ou ")
            }
        );
        if let Some(i) = smallest {
            text.push_str(&format!(
                ", ou avec la plus petite autre modalité, « {} » ({})",
                label(i),
                n_respondents(counts[i])
            ));
        }
        return text;
    }
    let parts = &targets[empty].0;
    let mut candidates: Vec<usize> = (0..targets.len())
        .filter(|&i| {
            counts[i] > 0
                && targets[i]
                    .0
                    .iter()
                    .zip(parts)
                    .filter(|(a, b)| a != b)
                    .count()
                    == 1
        })
        .collect();
    candidates.sort_by_key(|&i| counts[i]);
    let listed: Vec<String> = candidates
        .iter()
        .take(3)
        .map(|&i| format!("« {} » ({})", label(i), n_respondents(counts[i])))
        .collect();
    format!(
        "regroupez-la avec une modalité qui ne diffère que par une variable ({}), ou remplacez la marge croisée « {} » par des marges simples",
        if listed.is_empty() {
            "aucune".to_owned()
        } else {
            listed.join(", ")
        },
        margin.name()
    )
}
