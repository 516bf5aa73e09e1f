//! A survey's outcome code frame as managers read and change it: for each outcome its French
//! label, whether it ends the case, whether someone was reached, and its AAPOR code. Checked in
//! full before it is stored (every problem listed) and audited; the hand-out, the dispositions
//! and the AAPOR report read it.

use std::collections::BTreeMap;

use fieldwork::{Outcome, OutcomeFrame, OutcomeSpec};
use serde::Serialize;
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::AppError;
use crate::services::dispatch;
use crate::services::surveys::find;
use crate::store::audit::{self, AuditAction};
use crate::store::users::Role;
use crate::store::{Db, surveys};

/// A survey's outcome frame.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct FrameView {
    /// The survey.
    pub survey_id: Uuid,
    /// Whether this is the default frame (nothing stored for the survey).
    pub defaults: bool,
    /// Each outcome (by its name) with its label, finality, contact and AAPOR code.
    #[schema(value_type = Object)]
    pub outcomes: BTreeMap<Outcome, OutcomeSpec>,
}

/// The outcome frame of the survey `key` (identifier or name).
pub async fn show(db: &Db, actor: Actor<'_>, key: &str) -> Result<FrameView, AppError> {
    actor.require(Role::MANAGERS)?;
    let mut tx = db.read().await?;
    let survey = find(&mut tx, key).await?;
    let stored = surveys::outcome_frame(&mut tx, survey.id).await?;
    let frame = dispatch::frame(&mut tx, survey.id).await?;
    tx.commit().await?;
    Ok(FrameView {
        survey_id: survey.uuid,
        defaults: stored.is_none(),
        outcomes: frame.into(),
    })
}

/// Replaces the outcome frame of the survey `key`; `changes` gives, for some outcomes, their new
/// spec (the others keep theirs). Refused with every problem found.
pub async fn set(
    db: &Db,
    actor: Actor<'_>,
    key: &str,
    changes: BTreeMap<Outcome, OutcomeSpec>,
) -> Result<FrameView, AppError> {
    actor.require(Role::MANAGERS)?;
    let mut tx = db.write().await?;
    let survey = find(&mut tx, key).await?;
    let before: BTreeMap<Outcome, OutcomeSpec> = dispatch::frame(&mut tx, survey.id).await?.into();
    let mut specs = before.clone();
    specs.extend(changes);
    let frame = OutcomeFrame::new(specs)
        .map_err(|e| AppError::Invalid(format!("codes d'issue refusés : {e}")))?;
    let json = serde_json::to_string(&frame).map_err(|e| AppError::Internal(e.to_string()))?;
    surveys::set_outcome_frame(&mut tx, survey.id, &json).await?;
    audit::record(
        &mut tx,
        actor.user_id(),
        AuditAction::SurveyOutcomes,
        &format!("survey:{}", survey.uuid),
        &serde_json::json!({ "before": before, "after": frame }),
    )
    .await?;
    tx.commit().await?;
    Ok(FrameView {
        survey_id: survey.uuid,
        defaults: false,
        outcomes: frame.into(),
    })
}

/// Reads a frame file (TOML, or JSON when its name ends in `.json`): a table per outcome to
/// change, with all its fields (`label`, `final`, `contact`, `aapor`).
pub fn parse_file(name: &str, text: &str) -> Result<BTreeMap<Outcome, OutcomeSpec>, AppError> {
    super::settings_file::parse(name, text, "codes d'issue")
}
