//! Building the dataset of one wave.

use std::collections::{BTreeMap, HashMap};

use questionnaire::expr::Value as ExprValue;
use questionnaire::{Interview, Questionnaire};

use super::columns::{self, text, text_width};
use super::error::BuildError;
use super::input::{BuildOptions, CaseStatus, InterviewInput};
use super::pseudonym::Pseudonymizer;
use crate::dataset::{
    Dataset, DatasetInfo, MAX_TITLE_BYTES, Measure, Value, Variable, days_from_ymd, shorten,
};

/// Pseudonymous respondent id (first column).
pub const RESPONDENT: &str = "id_repondant";
/// INSEE code of the commune.
pub const COMMUNE: &str = "commune_insee";
/// Quota cell.
pub const CELL: &str = "cellule_quota";
/// AAPOR disposition code.
pub const DISPOSITION: &str = "dispo_aapor";
/// AAPOR disposition label.
pub const DISPOSITION_LABEL: &str = "dispo_libelle";
/// Interview date (a date in every format).
pub const DATE: &str = "date_entretien";
/// Interview length in minutes.
pub const DURATION: &str = "duree_min";
/// Number of call attempts.
pub const CALLS: &str = "nb_appels";
/// Pseudonymous interviewer id.
pub const INTERVIEWER: &str = "id_enqueteur";

/// The dataset of one wave, with what weighting and indicators need about each row.
#[derive(Debug, Clone)]
pub struct BuiltWave {
    /// The labelled dataset, one row per exported interview.
    pub dataset: Dataset,
    /// Options it was built with.
    pub options: BuildOptions,
    /// Questionnaire id.
    pub questionnaire_id: String,
    /// Questionnaire version.
    pub questionnaire_version: String,
    /// Per row: status of the interview.
    pub statuses: Vec<CaseStatus>,
    /// Per row: commune INSEE code, if known.
    pub communes: Vec<Option<String>>,
    /// Per row: answers and computed variables on the route (for indicators).
    pub values: Vec<BTreeMap<String, ExprValue>>,
    /// The weighting applied by [`super::add_weights`], if any.
    pub weighting: Option<super::weights::AppliedWeighting>,
}

impl BuiltWave {
    /// Respondent ids, in row order.
    pub fn respondent_ids(&self) -> Vec<String> {
        match self
            .dataset
            .index_of(RESPONDENT)
            .and_then(|i| self.dataset.column(i))
        {
            Some(crate::dataset::ColumnRef::Text(ids)) => ids.to_vec(),
            _ => Vec::new(),
        }
    }
}

/// Builds the dataset of a wave from its interviews, in the order given (the server sorts them,
/// e.g. by case key, so that exports are reproducible).
///
/// Columns: `id_repondant`, the questionnaire's variables in order, the non-personal preload
/// fields (with `include_preload`), `commune_insee`, `cellule_quota`, `dispo_aapor`,
/// `dispo_libelle`, `date_entretien`, `duree_min`, `nb_appels`, `id_enqueteur`.
pub fn build_wave(
    questionnaire: &Questionnaire,
    interviews: &[InterviewInput],
    options: &BuildOptions,
    secret: &[u8],
) -> Result<BuiltWave, BuildError> {
    let pseudonyms = Pseudonymizer::new(secret)?;
    if let Some(var) = &options.commune_variable
        && !questionnaire.has_variable(var)
    {
        return Err(BuildError::UnknownCommuneVariable(var.clone()));
    }
    let planned = columns::plan(questionnaire)?;
    let preload_fields: Vec<&str> = if options.include_preload {
        questionnaire
            .preload_fields()
            .iter()
            .filter(|f| !f.personal && !options.personal_preload.contains(&f.name))
            .map(|f| f.name.as_str())
            .collect()
    } else {
        Vec::new()
    };
    let selected: Vec<&InterviewInput> = interviews
        .iter()
        .filter(|i| options.includes(i.status))
        .collect();

    let mut seen: HashMap<String, &str> = HashMap::new();
    let mut ids = Vec::with_capacity(selected.len());
    for interview in &selected {
        let id = pseudonyms.respondent(&interview.case_key);
        if let Some(first) = seen.insert(id.clone(), &interview.case_key) {
            return Err(BuildError::DuplicateRespondent {
                pseudonym: id,
                first: first.to_owned(),
                second: interview.case_key.clone(),
            });
        }
        ids.push(id);
    }

    let mut cells: Vec<Vec<Value>> = vec![Vec::with_capacity(selected.len()); planned.len()];
    let mut preload_cells: Vec<Vec<Value>> =
        vec![Vec::with_capacity(selected.len()); preload_fields.len()];
    let mut all_values = Vec::with_capacity(selected.len());
    let mut communes = Vec::with_capacity(selected.len());
    for interview in &selected {
        let engine = Interview {
            questionnaire,
            preload: &interview.preload,
            language: questionnaire.primary_language(),
        };
        let values = engine.values(&interview.record);
        for (column, out) in planned.iter().zip(cells.iter_mut()) {
            out.push(column.cell(&values, &interview.record.answers));
        }
        for (field, out) in preload_fields.iter().zip(preload_cells.iter_mut()) {
            out.push(
                interview
                    .preload
                    .get(*field)
                    .map_or(Value::Missing, |t| text(t)),
            );
        }
        communes.push(commune_of(interview, options, &values));
        all_values.push(values);
    }

    let mut variables = vec![Variable::text(
        RESPONDENT,
        "Identifiant pseudonyme de la personne interrogée",
        15,
    )];
    variables.extend(planned.iter().zip(&cells).map(|(c, v)| c.variable(v)));
    for (field, values) in preload_fields.iter().zip(&preload_cells) {
        let label = questionnaire
            .preload_fields()
            .iter()
            .find(|f| f.name == *field)
            .and_then(|f| f.label.clone())
            .unwrap_or_else(|| format!("Champ du fichier d'échantillon {field}"));
        variables.push(Variable::text(
            field,
            &columns::variable_label(&label),
            text_width(values),
        ));
    }
    let trailer = trailer_columns(&selected, &communes, options, &pseudonyms);
    variables.extend(trailer.iter().map(|(v, _)| v.clone()));

    let info = DatasetInfo {
        name: dataset_name(questionnaire.id(), &options.wave),
        title: shorten(
            &format!("{}, vague {}", questionnaire.title(), options.wave),
            usize::MAX,
            MAX_TITLE_BYTES,
        ),
        created: options.created,
        notes: notes(questionnaire),
    };
    let mut dataset = Dataset::new(info, variables)?;
    for (row, id) in ids.into_iter().enumerate() {
        let mut values = Vec::with_capacity(dataset.variables().len());
        values.push(Value::Text(id));
        values.extend(cells.iter().map(|c| c[row].clone()));
        values.extend(preload_cells.iter().map(|c| c[row].clone()));
        values.extend(trailer.iter().map(|(_, c)| c[row].clone()));
        dataset.push_row(values)?;
    }
    Ok(BuiltWave {
        dataset,
        options: options.clone(),
        questionnaire_id: questionnaire.id().to_owned(),
        questionnaire_version: questionnaire.version().to_owned(),
        statuses: selected.iter().map(|i| i.status).collect(),
        communes,
        values: all_values,
        weighting: None,
    })
}

/// The commune: the answer to the commune variable when it is a code, else the one given.
fn commune_of(
    interview: &InterviewInput,
    options: &BuildOptions,
    values: &BTreeMap<String, ExprValue>,
) -> Option<String> {
    let answered = options
        .commune_variable
        .as_ref()
        .and_then(|var| match values.get(var) {
            Some(ExprValue::Number(n)) => Some(crate::writers::format_number(*n)),
            Some(ExprValue::Text(t)) if !t.is_empty() => Some(t.clone()),
            _ => None,
        });
    answered.or_else(|| interview.commune.clone().filter(|c| !c.is_empty()))
}

/// The columns after the questionnaire's: commune, quota cell, disposition, date, length,
/// calls, interviewer.
fn trailer_columns(
    selected: &[&InterviewInput],
    communes: &[Option<String>],
    options: &BuildOptions,
    pseudonyms: &Pseudonymizer,
) -> Vec<(Variable, Vec<Value>)> {
    let texts = |f: &dyn Fn(&InterviewInput) -> Option<String>| -> Vec<Value> {
        selected
            .iter()
            .map(|i| f(i).map_or(Value::Missing, |t| text(&t)))
            .collect()
    };
    let text_column = |name: &str, label: &str, values: Vec<Value>| {
        (Variable::text(name, label, text_width(&values)), values)
    };
    let numeric_communes = options
        .communes
        .iter()
        .map(|(code, _)| code)
        .chain(communes.iter().flatten())
        .all(|code| code.parse::<i32>().is_ok());
    let commune_label = "Commune de résidence (code INSEE)";
    let commune = if numeric_communes {
        let values = communes
            .iter()
            .map(|c| {
                c.as_ref()
                    .and_then(|c| c.parse::<i32>().ok())
                    .map_or(Value::Missing, |n| Value::Number(f64::from(n)))
            })
            .collect();
        let labels = options.communes.iter().filter_map(|(code, name)| {
            Some((
                code.parse::<i32>().ok()?,
                columns::truncate_bytes(name, crate::dataset::MAX_VALUE_LABEL_BYTES),
            ))
        });
        (
            Variable::integer(COMMUNE, commune_label).with_value_labels(labels),
            values,
        )
    } else {
        let values = communes
            .iter()
            .map(|c| c.as_deref().map_or(Value::Missing, text))
            .collect();
        text_column(COMMUNE, commune_label, values)
    };
    let durations = selected
        .iter()
        .map(|i| {
            i.duration_seconds.map_or(Value::Missing, |s| {
                Value::Number((f64::from(s) / 6.0).round() / 10.0)
            })
        })
        .collect();
    let calls = selected
        .iter()
        .map(|i| Value::Number(f64::from(i.call_attempts)))
        .collect();
    vec![
        commune,
        text_column(CELL, "Cellule de quota", texts(&|i| i.quota_cell.clone())),
        text_column(
            DISPOSITION,
            "Code de résultat final (AAPOR)",
            texts(&|i| Some(i.disposition.code.clone())),
        ),
        text_column(
            DISPOSITION_LABEL,
            "Résultat final (AAPOR)",
            texts(&|i| Some(i.disposition.label.clone())),
        ),
        (
            Variable::date(DATE, "Date de l'entretien"),
            selected
                .iter()
                .map(|i| {
                    i.interview_date
                        .and_then(|d| days_from_ymd(d.year, d.month, d.day))
                        .map_or(Value::Missing, |days| Value::Number(days as f64))
                })
                .collect(),
        ),
        (
            Variable::decimal(DURATION, "Durée de l'entretien (minutes)", 1),
            durations,
        ),
        (
            Variable::integer(CALLS, "Nombre de tentatives d'appel").with_measure(Measure::Scale),
            calls,
        ),
        text_column(
            INTERVIEWER,
            "Identifiant pseudonyme de l'enquêteur",
            texts(&|i| i.interviewer.as_deref().map(|k| pseudonyms.interviewer(k))),
        ),
    ]
}

/// `<questionnaire id>-<wave>` in the characters a dataset name allows, accents kept
/// (`…-démonstration`): lowercase letters, digits, `-`, `_`, `.`; anything else becomes `-`.
fn dataset_name(id: &str, wave: &str) -> String {
    let name: String = format!("{id}-{wave}")
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| {
            if (c.is_alphabetic() && !c.is_uppercase()) || c.is_ascii_digit() || "-_.".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(100)
        .collect();
    if name.is_empty() {
        "vague".to_owned()
    } else {
        name
    }
}

fn notes(questionnaire: &Questionnaire) -> Vec<String> {
    vec![
        format!(
            "Questionnaire {} version {}.",
            questionnaire.id(),
            questionnaire.version()
        ),
        format!(
            "Ne sait pas = {}, refus = {} (valeurs manquantes déclarées ; décalées, par exemple 998/999, quand une réponse valide peut prendre ces valeurs). Question non posée : valeur manquante système.",
            questionnaire.dont_know_code(),
            questionnaire.refused_code()
        ),
        "Identifiants pseudonymes (HMAC-SHA256 avec le secret de l'enquête) : stables d'un export à l'autre, non réversibles sans le secret.".to_owned(),
    ]
}
