//! `cati simulate --check`: invariants of a wave checked **from the database** once the
//! simulated interviewers have stopped, not from the simulator's own counts.
//!
//! Each invariant recounts from the history the server keeps (calls, interviews, answers,
//! quota reservations; `crate::store::invariants`) and compares with what the server reports
//! or enforces (the hold on a case, the quota counters, the disposition counters, the AAPOR
//! report, the weighted export). A violation names what is wrong, with a few examples, so that
//! a soak run that fails says where to look.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use fieldwork::{AaporCode, DispositionCounts, EligibilityRate, Outcome, final_disposition};
use questionnaire::Answer;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::AppError;
use crate::services::export::{self, ExportError, ExportSettings, Scope, WeightingChoice};
use crate::services::interview::view::{AnswerRequest, Special};
use crate::services::report::{self, ReportBy};
use crate::services::weighting::Overrides;
use crate::store::surveys::WaveRow;
use crate::store::{Db, StoreError, counts, invariants};

/// Examples of a violation shown at most.
const EXAMPLES: usize = 10;

/// Largest relative gap accepted between a commune's weighted total and its population.
pub const MARGIN_TOLERANCE: f64 = 1e-3;

/// Why the checks could not run (a violation is not an error: it is in the [`Report`]).
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The database failed.
    #[error("base de données : {0}")]
    Store(#[from] StoreError),
    /// A service refused (the wave unknown, a stored document unreadable).
    #[error("{0}")]
    App(#[from] AppError),
    /// The file of acknowledged answers is unreadable.
    #[error("réponses acquittées : {0}")]
    Acknowledged(String),
    /// Writing the export to check failed.
    #[error("export à vérifier : {0}")]
    Io(#[from] std::io::Error),
}

/// An answer the server acknowledged with a 2xx: what the simulator sent, to which interview.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Acknowledged {
    /// The interview (its public identifier).
    pub interview: Uuid,
    /// The answer as sent.
    pub answer: AnswerRequest,
}

/// Whether an invariant holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// It holds.
    Held,
    /// It is violated.
    Violated,
    /// It could not be checked (what it needs is missing); not a violation.
    NotChecked,
}

/// One invariant and what the database says of it.
#[derive(Clone, Debug, Serialize)]
pub struct Invariant {
    /// Stable name (`no_double_hold`, `hard_quotas`…).
    pub id: &'static str,
    /// The invariant, in French.
    pub statement: &'static str,
    /// Whether it holds.
    pub status: Status,
    /// What was checked (counts), in French.
    pub checked: String,
    /// What is violated (or why it was not checked), a few examples, in French.
    pub findings: Vec<String>,
}

impl Invariant {
    fn new(id: &'static str, statement: &'static str, checked: String) -> Invariant {
        Invariant {
            id,
            statement,
            status: Status::Held,
            checked,
            findings: Vec::new(),
        }
    }

    /// Records a violation (the first [`EXAMPLES`] are kept, then a count of the others).
    fn violated(&mut self, finding: String) {
        self.status = Status::Violated;
        if self.findings.len() < EXAMPLES {
            self.findings.push(finding);
        } else if self.findings.len() == EXAMPLES {
            self.findings.push("… (et d'autres)".to_owned());
        }
    }

    fn not_checked(mut self, why: String) -> Invariant {
        self.status = Status::NotChecked;
        self.findings = vec![why];
        self
    }
}

/// The invariants of a wave, checked.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// The wave's name.
    pub wave: String,
    /// Each invariant.
    pub invariants: Vec<Invariant>,
}

impl Report {
    /// Whether no invariant is violated.
    pub fn holds(&self) -> bool {
        self.invariants.iter().all(|i| i.status != Status::Violated)
    }

    /// In French, one invariant a line, with what is violated beneath.
    pub fn text(&self) -> String {
        let mut text = format!(
            "Invariants vérifiés dans la base (vague « {} ») :\n",
            self.wave
        );
        for invariant in &self.invariants {
            let verdict = match invariant.status {
                Status::Held => "respecté",
                Status::Violated => "VIOLÉ",
                Status::NotChecked => "non vérifié",
            };
            text.push_str(&format!(
                "  {} : {verdict} ({})\n",
                invariant.statement, invariant.checked
            ));
            for finding in &invariant.findings {
                text.push_str(&format!("    - {finding}\n"));
            }
        }
        text
    }

    /// The statements of the violated invariants, for an error message.
    pub fn violated(&self) -> Vec<&'static str> {
        self.invariants
            .iter()
            .filter(|i| i.status == Status::Violated)
            .map(|i| i.statement)
            .collect()
    }
}

/// Checks the invariants of `wave` on `db`; `acknowledged`: the answers the server
/// acknowledged, when known (else that invariant is not checked).
pub async fn check(
    db: &Db,
    wave: &WaveRow,
    acknowledged: Option<&[Acknowledged]>,
) -> Result<Report, CheckError> {
    let invariants = vec![
        no_double_hold(db, wave).await?,
        hard_quotas(db, wave).await?,
        answers_stored(db, wave, acknowledged).await?,
    ];
    let (dispositions, recount) = dispositions(db, wave).await?;
    let mut invariants = invariants;
    invariants.push(dispositions);
    invariants.push(aapor_counts(db, wave, &recount).await?);
    invariants.push(weighted_margins(db, wave).await?);
    Ok(Report {
        wave: wave.name.clone(),
        invariants,
    })
}

/// The wave named `key` (identifier or name), or the only open one when `key` is `None`.
pub async fn find_wave(db: &Db, key: Option<&str>) -> Result<WaveRow, CheckError> {
    let mut tx = db.read().await?;
    let wave = match key {
        Some(key) => crate::services::waves::find(&mut tx, key).await?,
        None => crate::store::surveys::waves(&mut tx)
            .await?
            .into_iter()
            .find(|w| w.status == crate::store::surveys::WaveStatus::Open)
            .ok_or_else(|| AppError::not_found("aucune vague ouverte dans cette base"))?,
    };
    tx.commit().await?;
    Ok(wave)
}

/// Reads acknowledged answers written by [`write_acknowledged`] (JSON, one a line).
pub fn read_acknowledged(path: &Path) -> Result<Vec<Acknowledged>, CheckError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CheckError::Acknowledged(format!("{} : {e}", path.display())))?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(n, line)| {
            serde_json::from_str(line).map_err(|e| {
                CheckError::Acknowledged(format!("{}, ligne {} : {e}", path.display(), n + 1))
            })
        })
        .collect()
}

/// Writes acknowledged answers, JSON one a line.
pub fn write_acknowledged(path: &Path, answers: &[Acknowledged]) -> Result<(), CheckError> {
    let mut text = String::new();
    for answer in answers {
        text.push_str(
            &serde_json::to_string(answer).map_err(|e| CheckError::Acknowledged(e.to_string()))?,
        );
        text.push('\n');
    }
    std::fs::write(path, text)?;
    Ok(())
}

/// No two calls of a case by different interviewers overlap. An interview runs within a call
/// (its ending is that call's outcome) and a case has one interview, so this also means no
/// interview was conducted by two interviewers at once. (Answers are not placed among the calls:
/// they are stamped by the server's real clock, calls by the simulated one.)
async fn no_double_hold(db: &Db, wave: &WaveRow) -> Result<Invariant, CheckError> {
    let mut tx = db.read().await?;
    let overlaps = invariants::overlapping_calls(&mut tx, wave.id, 11).await?;
    let calls = invariants::call_outcomes(&mut tx, wave.id).await?.len();
    tx.commit().await?;
    let mut invariant = Invariant::new(
        "no_double_hold",
        "Aucun cas tenu par deux enquêteurs à la fois",
        format!(
            "{calls} appel(s), ceux d'un même cas par des enquêteurs différents comparés deux \
             à deux"
        ),
    );
    for o in overlaps {
        invariant.violated(format!(
            "cas {} : appels de {} et de {} en même temps ({})",
            o.case_uuid,
            o.first,
            o.second,
            super::paris(o.at)
        ));
    }
    Ok(invariant)
}

/// No hard cell holds more completes than its target, no cell more than its capacity. The
/// completes of each cell are recounted twice: from the completed interviews' answers, placed
/// in the design's cells (`quotas::Design::match_cells`, as at the quota point), and from the
/// places they hold; both must equal the cell's counter.
async fn hard_quotas(db: &Db, wave: &WaveRow) -> Result<Invariant, CheckError> {
    let mut tx = db.read().await?;
    let cells = invariants::cell_recounts(&mut tx, wave.id).await?;
    let source = crate::store::quotas::design_source(&mut tx, wave.id).await?;
    let completed = invariants::completed_interviews(&mut tx, wave.id).await?;
    let answers = invariants::answers(&mut tx, wave.id).await?;
    tx.commit().await?;
    let hard = cells.iter().filter(|c| c.kind == "hard").count();
    let mut invariant = Invariant::new(
        "hard_quotas",
        "Aucun quota strict dépassé",
        format!(
            "{} cellule(s) dont {hard} stricte(s), {} complet(s) replacés dans les cellules \
             d'après leurs réponses",
            cells.len(),
            completed.len()
        ),
    );
    let Some(source) = source.filter(|_| !cells.is_empty()) else {
        return Ok(invariant.not_checked("la vague n'a pas de quotas".to_owned()));
    };
    let design = quotas::Design::from_toml(&source)
        .map_err(|e| AppError::Internal(format!("plan de quotas illisible : {e}")))?;
    let completed: std::collections::HashSet<Uuid> = completed.into_iter().collect();
    let mut values: HashMap<Uuid, BTreeMap<String, i64>> = HashMap::new();
    for answer in answers
        .iter()
        .filter(|a| completed.contains(&a.interview_uuid))
    {
        let entry = values.entry(answer.interview_uuid).or_default();
        if let Some(n) = serde_json::from_str::<Answer>(&answer.answer)
            .ok()
            .as_ref()
            .and_then(integer_of)
        {
            entry.insert(answer.variable.clone(), n);
        }
    }
    let mut from_answers: HashMap<String, i64> = HashMap::new();
    for interview in &completed {
        let empty = BTreeMap::new();
        match design.match_cells(values.get(interview).unwrap_or(&empty)) {
            Ok(matched) => {
                for cell in matched {
                    *from_answers.entry(cell.key.to_string()).or_default() += 1;
                }
            }
            Err(e) => invariant.violated(format!(
                "entretien {interview} : complet hors de toute cellule ({e})"
            )),
        }
    }
    for cell in &cells {
        let counted = from_answers.get(&cell.cell_key).copied().unwrap_or(0);
        if cell.kind == "hard" && counted > cell.target {
            invariant.violated(format!(
                "cellule {} : {counted} complet(s) pour un objectif strict de {}",
                cell.cell_key, cell.target
            ));
        } else if counted > cell.capacity {
            invariant.violated(format!(
                "cellule {} : {counted} complet(s) pour une capacité de {}",
                cell.cell_key, cell.capacity
            ));
        }
        if counted != cell.achieved || counted != cell.recounted {
            invariant.violated(format!(
                "cellule {} : {counted} complet(s) d'après les réponses, {} place(s) tenues, \
                 compteur {}",
                cell.cell_key, cell.recounted, cell.achieved
            ));
        }
    }
    Ok(invariant)
}

/// The integer value of a quota answer, as the quota point reads it (a code, an integer, a
/// whole decimal, digits typed as text).
fn integer_of(answer: &Answer) -> Option<i64> {
    match answer {
        Answer::Choice { code, .. } => Some(*code),
        Answer::Integer(n) => Some(*n),
        Answer::Decimal(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => Some(*x as i64),
        Answer::Text(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// Every answer the server acknowledged is stored, with the value sent.
async fn answers_stored(
    db: &Db,
    wave: &WaveRow,
    acknowledged: Option<&[Acknowledged]>,
) -> Result<Invariant, CheckError> {
    let statement = "Toute réponse acquittée est enregistrée avec sa valeur";
    let Some(acknowledged) = acknowledged else {
        return Ok(Invariant::new(
            "answers_stored",
            statement,
            "aucune réponse connue".to_owned(),
        )
        .not_checked("les réponses acquittées ne sont pas connues (--acknowledged)".to_owned()));
    };
    let mut tx = db.read().await?;
    let stored = invariants::answers(&mut tx, wave.id).await?;
    tx.commit().await?;
    let by_key: HashMap<(Uuid, &str), &str> = stored
        .iter()
        .map(|a| ((a.interview_uuid, a.variable.as_str()), a.answer.as_str()))
        .collect();
    // An answer given again (after a refusal by the questionnaire) counts as its last value.
    let mut last: BTreeMap<(Uuid, &str), &AnswerRequest> = BTreeMap::new();
    for ack in acknowledged {
        last.insert((ack.interview, ack.answer.var.as_str()), &ack.answer);
    }
    let mut invariant = Invariant::new(
        "answers_stored",
        statement,
        format!(
            "{} réponse(s) acquittée(s), {} enregistrée(s) dans la base",
            last.len(),
            stored.len()
        ),
    );
    for ((interview, var), sent) in &last {
        match by_key.get(&(*interview, *var)) {
            None => invariant.violated(format!(
                "entretien {interview} : réponse {var} acquittée mais absente"
            )),
            Some(text) => match serde_json::from_str::<Answer>(text) {
                Ok(answer) if same(sent, &answer) => {}
                _ => invariant.violated(format!(
                    "entretien {interview} : {var} enregistrée « {text} », envoyée {}",
                    serde_json::to_string(sent).unwrap_or_default()
                )),
            },
        }
    }
    Ok(invariant)
}

/// Whether the stored `answer` is what `sent` said.
fn same(sent: &AnswerRequest, answer: &Answer) -> bool {
    match (&sent.codes, &sent.value, sent.special, answer) {
        (Some(codes), _, _, Answer::Choice { code, .. }) => codes.as_slice() == [*code],
        (Some(codes), _, _, Answer::Choices { codes: stored, .. }) => {
            let mut a = codes.clone();
            let mut b = stored.clone();
            a.sort_unstable();
            b.sort_unstable();
            a == b
        }
        (_, Some(value), _, Answer::Integer(i)) => value.trim().parse() == Ok(*i),
        (_, Some(value), _, Answer::Decimal(d)) => value
            .trim()
            .replace(',', ".")
            .parse::<f64>()
            .is_ok_and(|v| (v - d).abs() < 1e-9),
        (_, Some(value), _, Answer::Text(t)) => value.trim() == t,
        (_, Some(value), _, Answer::Date(d)) => value.trim() == d.to_string(),
        (_, _, Some(Special::DontKnow), Answer::DontKnow) => true,
        (_, _, Some(Special::Refused), Answer::Refused) => true,
        (None, None, None, Answer::Seen) => true,
        _ => false,
    }
}

/// Dispositions recounted from the calls: by commune, replicate and AAPOR code.
type Recount = BTreeMap<(String, i64, String), u64>;

/// Every case's stored disposition is the one its calls give (`fieldwork::final_disposition`
/// under the wave's cap of calls: what the server computes at each call), null while it is not
/// released; a closed case keeps the disposition it was closed with.
async fn dispositions(db: &Db, wave: &WaveRow) -> Result<(Invariant, Recount), CheckError> {
    let mut tx = db.read().await?;
    let (_, rules) = crate::services::dispatch::RulesCache::default()
        .wave(&mut tx, wave.id)
        .await?;
    let frame = crate::services::dispatch::frame(&mut tx, wave.survey_id).await?;
    let cases = invariants::cases(&mut tx, wave.id).await?;
    let calls = invariants::call_outcomes(&mut tx, wave.id).await?;
    tx.commit().await?;
    let max_attempts = rules.config().max_attempts;
    let mut outcomes: HashMap<i64, Vec<Outcome>> = HashMap::new();
    for call in &calls {
        if let Some(outcome) = Outcome::parse(&call.outcome) {
            outcomes.entry(call.case_id).or_default().push(outcome);
        }
    }
    let mut invariant = Invariant::new(
        "dispositions",
        "Dispositions cohérentes avec les appels",
        format!(
            "{} cas, {} appel(s), disposition recalculée depuis les appels selon les règles de la vague",
            cases.len(),
            calls.len()
        ),
    );
    let mut recount = Recount::new();
    for case in &cases {
        let expected = (case.released == 1).then(|| {
            let outcomes = outcomes.get(&case.id).map_or(&[][..], Vec::as_slice);
            final_disposition(&frame, outcomes, max_attempts)
                .code
                .as_str()
                .to_owned()
        });
        if expected != case.disposition {
            invariant.violated(format!(
                "cas {} : disposition enregistrée {}, ses appels donnent {}",
                case.uuid,
                case.disposition.as_deref().unwrap_or("aucune"),
                expected.as_deref().unwrap_or("aucune (non libéré)")
            ));
        }
        if case.status == "final" && case.final_aapor != case.disposition {
            invariant.violated(format!(
                "cas {} : clos en {}, disposition courante {}",
                case.uuid,
                case.final_aapor.as_deref().unwrap_or("aucune"),
                case.disposition.as_deref().unwrap_or("aucune")
            ));
        }
        if let Some(code) = expected {
            *recount
                .entry((case.commune_code.clone(), case.replicate, code))
                .or_default() += 1;
        }
    }
    Ok((invariant, recount))
}

/// The disposition counters kept by triggers and the AAPOR report equal the recount from the
/// calls.
async fn aapor_counts(db: &Db, wave: &WaveRow, recount: &Recount) -> Result<Invariant, CheckError> {
    let mut tx = db.read().await?;
    let counters = counts::dispositions(&mut tx, wave.id).await?;
    tx.commit().await?;
    let counted: Recount = counters
        .iter()
        .map(|c| {
            (
                (c.commune_code.clone(), c.replicate, c.code.clone()),
                u64::try_from(c.cases).unwrap_or_default(),
            )
        })
        .collect();
    let mut invariant = Invariant::new(
        "aapor_counts",
        "Comptes AAPOR égaux au recompte depuis les appels",
        format!(
            "{} cas recomptés par commune, réplicat et code ; compteurs et rapport AAPOR",
            recount.values().sum::<u64>()
        ),
    );
    let keys: std::collections::BTreeSet<_> = recount.keys().chain(counted.keys()).collect();
    for key in keys {
        let (mine, theirs) = (recount.get(key), counted.get(key));
        if mine != theirs {
            let (commune, replicate, code) = key;
            invariant.violated(format!(
                "commune {commune}, réplicat {replicate}, code {code} : compteur {}, recompte {}",
                theirs.copied().unwrap_or(0),
                mine.copied().unwrap_or(0)
            ));
        }
    }
    let mut expected = DispositionCounts::default();
    for ((_, _, code), cases) in recount {
        match AaporCode::new(code) {
            Ok(code) => expected.add_cases(code.group(), *cases),
            Err(e) => invariant.violated(format!("code AAPOR illisible {code} : {e}")),
        }
    }
    let rate = EligibilityRate::Proportional;
    let uuid = wave.uuid.to_string();
    let reported = report::aapor(db, Actor::Operator, &uuid, ReportBy::Wave, &rate).await?;
    match reported.rows.first() {
        Some(row) if row.rates.counts == expected => {}
        Some(row) => invariant.violated(format!(
            "rapport AAPOR : {:?}, recompte : {expected:?}",
            row.rates.counts
        )),
        None => invariant.violated("le rapport AAPOR n'a aucune ligne".to_owned()),
    }
    Ok(invariant)
}

/// The wave exported weighted as set up: each commune's weighted total equals its population.
async fn weighted_margins(db: &Db, wave: &WaveRow) -> Result<Invariant, CheckError> {
    let statement = "Marges pondérées de l'export égales aux populations";
    let mut invariant = Invariant::new(
        "weighted_margins",
        statement,
        format!("export CSV pondéré comme réglé, écart relatif toléré {MARGIN_TOLERANCE}"),
    );
    let mut tx = db.read().await?;
    let setup = crate::services::weighting::stored(&mut tx, wave.id).await?;
    tx.commit().await?;
    let Some(setup) = setup else {
        return Ok(invariant.not_checked("aucune pondération réglée pour la vague".to_owned()));
    };
    let weighting = setup
        .weighting(&Overrides::default())
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    let gathered = match export::gather(db, Scope::Wave(wave.id)).await {
        Ok(gathered) => gathered,
        Err(ExportError::Store(e)) => return Err(e.into()),
        Err(e) => return Ok(invariant.not_checked(e.to_string())),
    };
    let dir = tempfile::tempdir()?;
    let out = dir.path().to_owned();
    let settings = ExportSettings {
        format: exports::build::ExportFormat::Csv,
        include_partial: false,
        include_screened_out: false,
        include_preload: false,
        weighting: WeightingChoice::AsSetUp(Overrides::default()),
        indicators: None,
    };
    let written = tokio::task::spawn_blocking(move || export::write(&gathered, &settings, &out))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    match written {
        Ok(summary) if summary.unweighted.is_empty() => {}
        Ok(summary) => {
            let reasons: Vec<String> = summary.unweighted.into_iter().map(|u| u.reason).collect();
            return Ok(invariant.not_checked(format!(
                "l'export n'a pu être pondéré : {}",
                reasons.join(" ; ")
            )));
        }
        Err(e) => return Ok(invariant.not_checked(e.to_string())),
    }
    let csv = std::fs::read_to_string(dir.path().join(exports::writers::bundle::CSV))?;
    let totals = match weighted_totals(&csv) {
        Ok(totals) => totals,
        Err(why) => {
            invariant.violated(why);
            return Ok(invariant);
        }
    };
    invariant.checked = format!(
        "{} commune(s), {} complet(s) pondérés, écart relatif toléré {MARGIN_TOLERANCE}",
        weighting.populations.len(),
        csv.lines().count().saturating_sub(1)
    );
    for commune in &weighting.populations {
        let population = commune.population as f64;
        let total = totals.get(&commune.code).copied().unwrap_or(0.0);
        if (total - population).abs() > MARGIN_TOLERANCE * population.max(1.0) {
            invariant.violated(format!(
                "{} ({}) : total pondéré {total:.1}, population {population}",
                commune.name, commune.code
            ));
        }
    }
    for code in totals.keys() {
        if !weighting.populations.iter().any(|c| &c.code == code) {
            invariant.violated(format!("commune {code} pondérée mais sans population"));
        }
    }
    Ok(invariant)
}

/// Sums of the weight column by commune in the analysis CSV (`donnees.csv`).
fn weighted_totals(csv: &str) -> Result<BTreeMap<String, f64>, String> {
    let mut lines = csv.lines();
    let header = split(lines.next().unwrap_or_default());
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| format!("colonne {name} absente de l'export"))
    };
    let commune = column(exports::build::COMMUNE)?;
    let weight = column(exports::build::WEIGHT)?;
    let mut totals = BTreeMap::new();
    for line in lines.filter(|l| !l.is_empty()) {
        let fields = split(line);
        let code = fields.get(commune).cloned().unwrap_or_default();
        let value: f64 = fields
            .get(weight)
            .and_then(|w| w.parse().ok())
            .ok_or_else(|| format!("poids illisible pour la commune {code}"))?;
        *totals.entry(code).or_insert(0.0) += value;
    }
    Ok(totals)
}

/// The fields of one CSV line (commas, double quotes).
fn split(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut field)),
            c => field.push(c),
        }
    }
    fields.push(field);
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weighted_totals_sum_the_weights_of_each_commune_of_a_quoted_csv() {
        let csv = "id,commune_insee,POIDS\n\"a,1\",\"33063\",2.5\nb,33063,1.5\nc,33281,4\n";
        let totals = weighted_totals(csv).unwrap();
        assert_eq!(totals["33063"], 4.0);
        assert_eq!(totals["33281"], 4.0);
        assert!(weighted_totals("id,POIDS\n").is_err());
    }

    #[test]
    fn an_answer_matches_only_the_value_sent() {
        let mut sent = AnswerRequest::confirmed("AGE");
        sent.value = Some("34".to_owned());
        assert!(same(&sent, &Answer::Integer(34)));
        assert!(!same(&sent, &Answer::Integer(35)));
        let mut sent = AnswerRequest::confirmed("EQUIP");
        sent.codes = Some(vec![3, 1]);
        let stored = Answer::Choices {
            codes: vec![1, 3],
            other: BTreeMap::new(),
        };
        assert!(same(&sent, &stored));
        assert!(!same(&sent, &Answer::DontKnow));
    }
}
