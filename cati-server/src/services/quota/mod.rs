//! The quota service: attaching a quota design to a wave, deciding at the questionnaire's quota
//! point (reserve a place in each of the respondent's cells, or screen out), counting completed
//! interviews and giving back the places of interviews that end otherwise, per-commune progress
//! for the scheduler and the supervisor, and managers' changes to cells.
//!
//! The pure rules live in the `quotas` crate; the counts live in the database
//! ([`crate::store::quotas`]), which enforces capacity with conditional updates. A wave with no
//! design accepts every respondent.

pub mod demo;

use std::collections::BTreeMap;

use crate::store::audit::AuditAction;
use crate::store::cases::CaseStatus;
use questionnaire::Answer;
use quotas::{CellKey, CellStatus, Design, DesignErrors, Rule, Tolerance};
use serde::Serialize;
use uuid::Uuid;

use crate::auth::{Actor, CurrentUser};
use crate::error::AppError;
use crate::services::manage::known_wave;
use crate::state::AppState;
use crate::store::quotas::{self as store, CellRow, NewCell, Reservation};
use crate::store::surveys::WaveRow;
use crate::store::users::Role;
use crate::store::{Db, StoreError, Tx, audit, counts, surveys};

/// Why a quota operation failed.
#[derive(Debug, thiserror::Error)]
pub enum QuotaError {
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The stored or given design file does not parse.
    #[error("plan de quotas invalide : {0}")]
    Design(#[from] DesignErrors),
    /// A demo plan could not be computed.
    #[error("plan de quotas de démonstration impossible : {0}")]
    Plan(String),
    /// A stored cell holds values the quota rules cannot represent.
    #[error("cellule de quota {0} incohérente en base")]
    BadCell(i64),
    /// No cell with this id.
    #[error("cellule de quota inconnue")]
    UnknownCell,
    /// A change that makes no sense (negative target, nothing to change).
    #[error("{0}")]
    Invalid(String),
}

impl From<QuotaError> for AppError {
    fn from(error: QuotaError) -> AppError {
        match error {
            // Through `From`, so that a database out of reach or a full disk is a 503.
            QuotaError::Store(e) => AppError::from(e),
            QuotaError::UnknownCell => AppError::NotFound(error.to_string()),
            QuotaError::Invalid(message) => AppError::Invalid(message),
            other => AppError::Internal(other.to_string()),
        }
    }
}

/// The quota decision for one respondent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Screening {
    /// The wave has no quota design: accepted, nothing counted.
    NoQuotas,
    /// A place was reserved in every cell of the respondent.
    Accepted,
    /// Screened out: the cell (key text) is full or closed, or the answers fit no cell.
    Refused {
        /// A French explanation for the supervisor.
        reason: String,
    },
}

/// Attaches `design` to a wave, creating its cells with zero counts; false, changing nothing,
/// when the wave already has a design.
pub async fn attach(tx: &mut Tx, wave_id: i64, design: &Design) -> Result<bool, QuotaError> {
    let mut cells = Vec::new();
    for (margin, m) in (0_i64..).zip(design.margins()) {
        for cell in &m.cells {
            let (kind, tolerance_bp) = match cell.rule {
                Rule::Hard => ("hard", 0),
                Rule::Soft(t) => ("soft", i64::from(t.basis_points())),
            };
            cells.push(NewCell {
                key: cell.key.to_string(),
                margin,
                commune_code: cell.key.code("commune").map(|c| c.to_string()),
                target: to_i64(cell.target)?,
                capacity: to_i64(cell.capacity())?,
                kind,
                tolerance_bp,
                closed: cell.closed,
            });
        }
    }
    Ok(store::attach(tx, wave_id, &design.to_toml(), &cells).await?)
}

/// Attaches a manager's design file (TOML) to a wave whose questionnaire asks every variable
/// the design reads at its quota point, with its audit entry; returns the wave's quota figures.
/// A wave has one design: a second one is refused.
pub async fn attach_design(
    state: &AppState,
    actor: Actor<'_>,
    wave: Uuid,
    source: &str,
) -> Result<WaveQuotas, AppError> {
    actor.require(Role::MANAGERS)?;
    let design = Design::from_toml(source).map_err(|e| QuotaError::Invalid(e.to_string()))?;
    let mut tx = state.db.write().await?;
    let wave = known_wave(&mut tx, wave).await?;
    let wave_id = wave.id;
    let questionnaire = state
        .questionnaires
        .get(&mut tx, wave.questionnaire_version_id)
        .await?;
    let asked = questionnaire.quota_variables();
    let missing: Vec<&str> = design
        .variables()
        .into_iter()
        .filter(|v| !asked.iter().any(|a| a == v))
        .collect();
    if !missing.is_empty() {
        return Err(QuotaError::Invalid(format!(
            "le questionnaire de la vague ne recueille pas au point de quotas : {}",
            missing.join(", ")
        ))
        .into());
    }
    if !attach(&mut tx, wave_id, &design).await? {
        return Err(AppError::Conflict(
            "cette vague a déjà un plan de quotas".to_owned(),
        ));
    }
    audit::record(
        &mut tx,
        actor.user_id(),
        AuditAction::QuotaDesignAttach,
        &format!("wave:{}", wave.uuid),
        &serde_json::json!({ "design": design.id(), "cells": design.cells().count() }),
    )
    .await?;
    let figures = wave_quotas(&mut tx, &wave).await?;
    tx.commit().await?;
    Ok(figures)
}

fn to_i64(n: u64) -> Result<i64, QuotaError> {
    i64::try_from(n).map_err(|_| QuotaError::Invalid(format!("objectif trop grand : {n}")))
}

/// The integer value of a quota answer (a code, an integer, a whole decimal, digits typed as
/// text); `None` for « ne sait pas », refusals and anything else.
fn integer_of(answer: &Answer) -> Option<i64> {
    match answer {
        Answer::Choice { code, .. } => Some(*code),
        Answer::Integer(n) => Some(*n),
        Answer::Decimal(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => Some(*x as i64),
        Answer::Text(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// Decides on the respondent of `interview_id` at the quota point from the quota variables'
/// answers: with no design, accept; otherwise place the respondent in the design's cells and
/// reserve a place in each, all or nothing. A respondent whose answers fit no cell (unknown
/// commune, « ne sait pas ») cannot be counted and is screened out. A refused respondent holds
/// no place.
pub async fn screen(
    db: &Db,
    wave_id: i64,
    interview_id: i64,
    answers: &BTreeMap<String, Answer>,
) -> Result<Screening, QuotaError> {
    let mut tx = db.write().await?;
    let Some(source) = store::design_source(&mut tx, wave_id).await? else {
        tx.commit().await?;
        return Ok(Screening::NoQuotas);
    };
    let design = Design::from_toml(&source)?;
    let values: BTreeMap<String, i64> = answers
        .iter()
        .filter_map(|(var, answer)| integer_of(answer).map(|n| (var.clone(), n)))
        .collect();
    let keys: Vec<String> = match design.match_cells(&values) {
        Ok(cells) => cells.iter().map(|c| c.key.to_string()).collect(),
        Err(e) => {
            store::release(&mut tx, interview_id).await?;
            tx.commit().await?;
            return Ok(Screening::Refused {
                reason: e.to_string(),
            });
        }
    };
    match store::reserve(&mut tx, wave_id, interview_id, &keys).await? {
        Reservation::Reserved => {
            tx.commit().await?;
            Ok(Screening::Accepted)
        }
        Reservation::Refused(key) => {
            // Places may have been taken in earlier cells: undo them, then give back the
            // places the interview held before.
            tx.rollback().await?;
            let mut tx = db.write().await?;
            store::release(&mut tx, interview_id).await?;
            tx.commit().await?;
            Ok(Screening::Refused {
                reason: format!("quota atteint ou cellule fermée : {key}"),
            })
        }
    }
}

/// Moves the places still held by interviews that ended (left by an earlier version that
/// counted in a separate transaction); run once at start-up, never on a read path. Returns how
/// many places moved.
pub async fn repair_stranded(db: &Db) -> Result<u64, QuotaError> {
    let mut tx = db.write().await?;
    let mut moved = 0;
    for (interview_id, status) in store::stranded(&mut tx).await? {
        moved += store::repair(&mut tx, interview_id, &status).await?;
    }
    tx.commit().await?;
    Ok(moved)
}

/// The quota rule of a stored cell.
fn rule_of(row: &CellRow) -> Result<Rule, QuotaError> {
    match row.kind.as_str() {
        "hard" => Ok(Rule::Hard),
        _ => u32::try_from(row.tolerance_bp)
            .ok()
            .and_then(|bp| Tolerance::from_basis_points(bp).ok())
            .map(Rule::Soft)
            .ok_or(QuotaError::BadCell(row.id)),
    }
}

/// A stored cell as the quota rules see it.
pub fn cell_status(row: &CellRow) -> Result<CellStatus, QuotaError> {
    let key: CellKey = row
        .cell_key
        .parse()
        .map_err(|_| QuotaError::BadCell(row.id))?;
    let count = |n: i64| u64::try_from(n).map_err(|_| QuotaError::BadCell(row.id));
    Ok(CellStatus {
        key,
        target: count(row.target)?,
        rule: rule_of(row)?,
        closed: row.closed,
        achieved: count(row.achieved)?,
        in_progress: count(row.in_progress)?,
    })
}

/// A cell with its figures, for managers.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CellView {
    /// The stored cell.
    #[serde(flatten)]
    pub cell: CellRow,
    /// Places left before capacity (0 when closed).
    pub remaining: u64,
    /// Interviews still needed to reach the target, counting running ones (0 when closed).
    pub gap: u64,
}

/// Progress of one commune of a wave: the figures a dashboard or the scheduler needs.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CommuneStatus {
    /// INSEE code.
    pub commune_code: String,
    /// Completed interviews wanted.
    pub target: u64,
    /// Completed interviews.
    pub achieved: u64,
    /// Accepted interviews still running.
    pub in_progress: u64,
    /// Interviews still needed (target minus achieved and running, never negative).
    pub remaining: u64,
    /// Dialling priority, 0 to 100: the remaining need as a percentage of the target.
    pub priority: u8,
    /// Every place of the commune is taken or closed: its landline cases are not dialled.
    pub exhausted: bool,
    /// Cases of the commune not final yet (the sample left to work).
    pub sample_left: i64,
}

/// A wave's cells and per-commune progress.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct WaveQuotas {
    /// The wave.
    pub wave_id: Uuid,
    /// True when a design is attached.
    pub has_design: bool,
    /// Every cell with its counts.
    pub cells: Vec<CellView>,
    /// Progress per commune (communes of the design's `commune` dimension).
    pub communes: Vec<CommuneStatus>,
}

/// The quota figures of a wave, read on the caller's transaction (nothing is written): the
/// cells of its design and per-commune progress, with the sample left from the counters.
pub async fn wave_quotas(tx: &mut Tx, wave: &WaveRow) -> Result<WaveQuotas, QuotaError> {
    let sample = counts::sample(tx, wave.id).await?;
    wave_quotas_with(tx, wave, &sample).await
}

/// [`wave_quotas`] with the wave's case counts already read (the dashboard needs them too).
pub async fn wave_quotas_with(
    tx: &mut Tx,
    wave: &WaveRow,
    sample: &[counts::SampleCount],
) -> Result<WaveQuotas, QuotaError> {
    let wave_id = wave.id;
    let has_design = store::has_design(tx, wave_id).await?;
    let rows = store::cells(tx, wave_id).await?;
    let statuses = rows
        .iter()
        .map(cell_status)
        .collect::<Result<Vec<_>, _>>()?;
    let cells = rows
        .into_iter()
        .zip(&statuses)
        .map(|(cell, status)| CellView {
            cell,
            remaining: status.places_left(),
            gap: status.gap(),
        })
        .collect();
    let mut left: BTreeMap<&str, i64> = BTreeMap::new();
    for count in sample.iter().filter(|c| c.status != CaseStatus::Final) {
        *left.entry(count.commune_code.as_str()).or_default() += count.cases;
    }
    let communes = quotas::progress_by(&statuses, "commune")
        .into_iter()
        .map(|p| {
            let code = p.code.to_string();
            CommuneStatus {
                sample_left: left.get(code.as_str()).copied().unwrap_or(0),
                commune_code: code,
                target: p.target,
                achieved: p.achieved,
                in_progress: p.in_progress,
                remaining: p.gap,
                priority: p.priority,
                exhausted: p.exhausted,
            }
        })
        .collect();
    Ok(WaveQuotas {
        wave_id: wave.uuid,
        has_design,
        cells,
        communes,
    })
}

/// A wave's quota figures, for managers.
pub async fn figures(
    state: &AppState,
    user: &CurrentUser,
    wave: Uuid,
) -> Result<WaveQuotas, AppError> {
    user.require(Role::MANAGERS)?;
    let mut tx = state.db.read().await?;
    let wave = known_wave(&mut tx, wave).await?;
    let figures = wave_quotas(&mut tx, &wave).await?;
    tx.commit().await?;
    Ok(figures)
}

/// A manager's change to a cell.
#[derive(Clone, Copy, Debug, Default)]
pub struct CellChange {
    /// New target (capacity follows the cell's rule).
    pub target: Option<i64>,
    /// Close (`true`) or reopen (`false`).
    pub closed: Option<bool>,
}

/// The largest target a cell accepts: far beyond any telephone survey, and small enough that
/// counts and capacities never overflow.
pub const MAX_CELL_TARGET: u64 = 10_000_000;

/// Applies a manager's change to a cell with its audit entry, in one transaction in which the
/// cell is locked, so that the entry's "before" values are the ones replaced; returns the cell.
pub async fn change_cell(
    db: &Db,
    actor: Actor<'_>,
    cell_id: i64,
    change: CellChange,
) -> Result<CellRow, AppError> {
    actor.require(Role::MANAGERS)?;
    if change.target.is_none() && change.closed.is_none() {
        return Err(
            QuotaError::Invalid("rien à modifier : donnez target ou closed".to_owned()).into(),
        );
    }
    let mut tx = db.write().await?;
    let before = store::cell_for_update(&mut tx, cell_id)
        .await?
        .ok_or(QuotaError::UnknownCell)?;
    let mut after = before.clone();
    if let Some(target) = change.target {
        let wanted = u64::try_from(target)
            .ok()
            .filter(|t| *t <= MAX_CELL_TARGET)
            .ok_or_else(|| {
                QuotaError::Invalid(format!(
                    "l'objectif doit être compris entre 0 et {MAX_CELL_TARGET} (reçu {target})"
                ))
            })?;
        after.target = target;
        after.capacity = to_i64(rule_of(&before)?.capacity(wanted))?;
    }
    if let Some(closed) = change.closed {
        after.closed = closed;
    }
    store::update_cell(&mut tx, &after).await?;
    let wave_uuid = surveys::wave(&mut tx, after.wave_id)
        .await?
        .map(|w| w.uuid.to_string())
        .unwrap_or_default();
    audit::record(
        &mut tx,
        actor.user_id(),
        AuditAction::QuotaCellUpdate,
        &format!("wave:{}/quota:{}", wave_uuid, after.cell_key),
        &serde_json::json!({
            "cell_id": cell_id,
            "target": { "before": before.target, "after": after.target },
            "capacity": { "before": before.capacity, "after": after.capacity },
            "closed": { "before": before.closed, "after": after.closed },
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}
