//! Stacking several waves into one dataset, variables aligned by name, with a report of what
//! changed between questionnaire versions.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::columns::text_width;
use super::weights::cell;
use crate::dataset::{Dataset, DatasetError, DatasetInfo, Role, Value, Variable, VariableKind};

/// Name of the column holding the wave, first in the stacked dataset.
pub const WAVE_VARIABLE: &str = "wave";

/// One wave to stack.
#[derive(Debug, Clone, Copy)]
pub struct WaveDataset<'a> {
    /// Wave identifier, written in the `wave` column.
    pub wave: &'a str,
    /// Its dataset.
    pub dataset: &'a Dataset,
}

/// Why waves cannot be stacked.
#[derive(Debug, thiserror::Error)]
pub enum StackError {
    /// Nothing to stack.
    #[error("aucune vague à assembler")]
    NoWave,
    /// Two waves share an identifier.
    #[error("la vague « {0} » est donnée deux fois")]
    DuplicateWave(String),
    /// A wave already has a `wave` column.
    #[error("la vague « {0} » a déjà une colonne nommée « wave »")]
    WaveColumn(String),
    /// A variable is numeric in one wave and text in another.
    #[error(
        "la variable « {variable} » est de type {first_kind} dans la vague « {first_wave} » mais {second_kind} dans la vague « {second_wave} » : donnez-lui un autre nom dans le questionnaire le plus récent (un nom garde son sens et son type d'une vague à l'autre)"
    )]
    TypeConflict {
        /// Variable.
        variable: String,
        /// Earlier wave.
        first_wave: String,
        /// Its type there.
        first_kind: &'static str,
        /// Later wave.
        second_wave: String,
        /// Its type there.
        second_kind: &'static str,
    },
    /// The stacked dictionary or rows are invalid (e.g. more than 3 missing codes in all).
    #[error("jeu de données assemblé : {0}")]
    Dataset(#[from] DatasetError),
}

/// A variable's label in two consecutive waves.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelChange {
    /// Variable.
    pub variable: String,
    /// Label in the earlier wave.
    pub before: String,
    /// Label in the later wave.
    pub after: String,
}

/// A value label added, removed or reworded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueLabelChange {
    /// Variable.
    pub variable: String,
    /// Code.
    pub code: i32,
    /// Label before (absent: code added).
    pub before: Option<String>,
    /// Label after (absent: code removed).
    pub after: Option<String>,
}

/// A storage change that stacking absorbs (integer ↔ decimal, other decimals, text width).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KindChange {
    /// Variable.
    pub variable: String,
    /// Storage before (`integer`, `decimal(2)`, `text(40)`).
    pub before: String,
    /// Storage after.
    pub after: String,
}

/// What differs between two consecutive waves.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VersionChanges {
    /// Earlier wave.
    pub from: String,
    /// Later wave.
    pub to: String,
    /// Variables of the later wave only.
    pub added: Vec<String>,
    /// Variables of the earlier wave only.
    pub removed: Vec<String>,
    /// Reworded variable labels.
    pub label_changes: Vec<LabelChange>,
    /// Value labels added, removed or reworded.
    pub value_label_changes: Vec<ValueLabelChange>,
    /// Storage changes (text widths are not reported: they follow the data).
    pub kind_changes: Vec<KindChange>,
}

/// The difference report of a stack (JSON for the manifest).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StackReport {
    /// Waves in order, with their row counts.
    pub waves: Vec<(String, usize)>,
    /// Changes between each wave and the next.
    pub changes: Vec<VersionChanges>,
}

/// The stacked dataset and its report.
#[derive(Debug, Clone)]
pub struct Stacked {
    /// `wave` first, then the union of the waves' variables.
    pub dataset: Dataset,
    /// What differs between waves.
    pub report: StackReport,
}

/// Stacks `waves` in order. Variables are matched by exact name and keep the first wave's
/// order; a variable new in a later wave is placed after the variable preceding it there.
/// Labels and value labels are the latest wave's (value labels of codes no longer offered are
/// kept); integer and decimal storage merge to decimal; texts take the widest width; a
/// variable absent from a wave is system-missing in its rows. A variable that is numeric in
/// one wave and text in another is an error.
pub fn stack(waves: &[WaveDataset<'_>], info: DatasetInfo) -> Result<Stacked, StackError> {
    if waves.is_empty() {
        return Err(StackError::NoWave);
    }
    let mut seen = BTreeSet::new();
    for wave in waves {
        if !seen.insert(wave.wave) {
            return Err(StackError::DuplicateWave(wave.wave.to_owned()));
        }
        if wave
            .dataset
            .variables()
            .iter()
            .any(|v| v.name.eq_ignore_ascii_case(WAVE_VARIABLE))
        {
            return Err(StackError::WaveColumn(wave.wave.to_owned()));
        }
    }

    // Merged dictionary, in order, with the first wave each variable came from.
    let mut merged: Vec<(Variable, &str)> = Vec::new();
    for wave in waves {
        let mut previous: Option<usize> = None;
        for variable in wave.dataset.variables() {
            match merged.iter().position(|(v, _)| v.name == variable.name) {
                Some(at) => {
                    let (existing, first_wave) = &merged[at];
                    merged[at] = (
                        merge(existing, first_wave, variable, wave.wave)?,
                        first_wave,
                    );
                    previous = Some(at);
                }
                None => {
                    let at = previous.map_or(0, |p| p + 1);
                    merged.insert(at, (variable.clone(), wave.wave));
                    previous = Some(at);
                }
            }
        }
    }
    let changes = waves
        .windows(2)
        .map(|pair| changes_between(pair[0], pair[1]))
        .collect();

    // Text widths follow the stacked data.
    let mut rows: Vec<Vec<Value>> = Vec::new();
    for wave in waves {
        let columns: Vec<Option<crate::dataset::ColumnRef<'_>>> = merged
            .iter()
            .map(|(v, _)| {
                wave.dataset
                    .index_of(&v.name)
                    .and_then(|i| wave.dataset.column(i))
            })
            .collect();
        for row in 0..wave.dataset.row_count() {
            let mut values = vec![Value::Text(wave.wave.to_owned())];
            values.extend(
                columns
                    .iter()
                    .map(|c| c.map_or(Value::Missing, |c| cell(c, row))),
            );
            rows.push(values);
        }
    }
    let mut variables = vec![Variable::text(
        WAVE_VARIABLE,
        "Vague d'enquête",
        waves.iter().map(|w| w.wave.len()).max().unwrap_or(1).max(1),
    )];
    let mut weight_seen = false;
    for (index, (variable, _)) in merged.into_iter().enumerate() {
        let mut variable = variable;
        if let VariableKind::Text { .. } = variable.kind {
            let cells: Vec<Value> = rows.iter().map(|r| r[index + 1].clone()).collect();
            variable.kind = VariableKind::Text {
                width: text_width(&cells),
            };
        }
        if variable.role == Role::Weight {
            // Only one weight is allowed; two differently named weights keep the first.
            if weight_seen {
                variable.role = Role::Input;
            }
            weight_seen = true;
        }
        variables.push(variable);
    }
    let mut dataset = Dataset::new(info, variables)?;
    for row in rows {
        dataset.push_row(row)?;
    }
    Ok(Stacked {
        dataset,
        report: StackReport {
            waves: waves
                .iter()
                .map(|w| (w.wave.to_owned(), w.dataset.row_count()))
                .collect(),
            changes,
        },
    })
}

fn kind_name(kind: VariableKind) -> &'static str {
    match kind {
        VariableKind::Date => "date",
        VariableKind::Text { .. } => "texte",
        _ => "numérique",
    }
}

fn storage(kind: VariableKind) -> String {
    match kind {
        VariableKind::Integer => "integer".to_owned(),
        VariableKind::Date => "date".to_owned(),
        VariableKind::Decimal { decimals } => format!("decimal({decimals})"),
        VariableKind::Text { width } => format!("text({width})"),
    }
}

/// `later` merged into `earlier`: the later labels win, value labels are united, numeric
/// storages widen, missing codes are united (more than three in all is refused by the
/// dataset).
fn merge(
    earlier: &Variable,
    earlier_wave: &str,
    later: &Variable,
    later_wave: &str,
) -> Result<Variable, StackError> {
    if kind_name(earlier.kind) != kind_name(later.kind) {
        return Err(StackError::TypeConflict {
            variable: later.name.clone(),
            first_wave: earlier_wave.to_owned(),
            first_kind: kind_name(earlier.kind),
            second_wave: later_wave.to_owned(),
            second_kind: kind_name(later.kind),
        });
    }
    let mut out = later.clone();
    out.kind = match (earlier.kind, later.kind) {
        (VariableKind::Integer, VariableKind::Integer) => VariableKind::Integer,
        (VariableKind::Date, VariableKind::Date) => VariableKind::Date,
        (VariableKind::Text { width: a }, VariableKind::Text { width: b }) => {
            VariableKind::Text { width: a.max(b) }
        }
        (a, b) => {
            let decimals = |k| match k {
                VariableKind::Decimal { decimals } => decimals,
                _ => 0,
            };
            VariableKind::Decimal {
                decimals: decimals(a).max(decimals(b)),
            }
        }
    };
    let mut labels: BTreeMap<i32, String> = earlier.value_labels.clone();
    labels.extend(later.value_labels.clone());
    out.value_labels = labels;
    let mut missing: Vec<i32> = earlier.missing_values.clone();
    for code in &later.missing_values {
        if !missing.contains(code) {
            missing.push(*code);
        }
    }
    out.missing_values = missing;
    if earlier.role == Role::Weight {
        out.role = Role::Weight;
    }
    Ok(out)
}

fn changes_between(from: WaveDataset<'_>, to: WaveDataset<'_>) -> VersionChanges {
    let before: BTreeMap<&str, &Variable> = from
        .dataset
        .variables()
        .iter()
        .map(|v| (v.name.as_str(), v))
        .collect();
    let after: BTreeMap<&str, &Variable> = to
        .dataset
        .variables()
        .iter()
        .map(|v| (v.name.as_str(), v))
        .collect();
    let added = to
        .dataset
        .variables()
        .iter()
        .filter(|v| !before.contains_key(v.name.as_str()))
        .map(|v| v.name.clone())
        .collect();
    let removed = from
        .dataset
        .variables()
        .iter()
        .filter(|v| !after.contains_key(v.name.as_str()))
        .map(|v| v.name.clone())
        .collect();
    let mut label_changes = Vec::new();
    let mut value_label_changes = Vec::new();
    let mut kind_changes = Vec::new();
    for variable in from.dataset.variables() {
        let Some(later) = after.get(variable.name.as_str()) else {
            continue;
        };
        if variable.label != later.label {
            label_changes.push(LabelChange {
                variable: variable.name.clone(),
                before: variable.label.clone(),
                after: later.label.clone(),
            });
        }
        let codes: BTreeSet<i32> = variable
            .value_labels
            .keys()
            .chain(later.value_labels.keys())
            .copied()
            .collect();
        for code in codes {
            let (b, a) = (
                variable.value_labels.get(&code),
                later.value_labels.get(&code),
            );
            if b != a {
                value_label_changes.push(ValueLabelChange {
                    variable: variable.name.clone(),
                    code,
                    before: b.cloned(),
                    after: a.cloned(),
                });
            }
        }
        let text_both = matches!(
            (variable.kind, later.kind),
            (VariableKind::Text { .. }, VariableKind::Text { .. })
        );
        if variable.kind != later.kind && !text_both {
            kind_changes.push(KindChange {
                variable: variable.name.clone(),
                before: storage(variable.kind),
                after: storage(later.kind),
            });
        }
    }
    VersionChanges {
        from: from.wave.to_owned(),
        to: to.wave.to_owned(),
        added,
        removed,
        label_changes,
        value_label_changes,
        kind_changes,
    }
}
