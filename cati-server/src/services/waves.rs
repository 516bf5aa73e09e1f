//! Waves of a survey: creating one (or the next one from the previous, carrying what it was set
//! up with, with a comparability report) and moving it through its life: in preparation, open,
//! paused, closed. For managers on the pages and the API and for the operator at the command
//! line; each change commits with its audit entry.

use quotas::Design;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::AppError;
use crate::services::{quota, surveys as survey_service};
use crate::store::audit::AuditAction;
use crate::store::surveys::{self, NewWave, WaveRow, WaveStatus};
use crate::store::users::Role;
use crate::store::{Db, Tx, audit, cases, quotas as quota_store};

/// A wave to create.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WaveRequest {
    /// The survey: its identifier (UUID) or its name.
    pub survey: String,
    /// The wave's name, unique in its survey (e.g. `2027-1`).
    pub name: String,
    /// The questionnaire version (`[survey] version` of the file); default: the previous
    /// wave's with `from_wave`, else the survey's latest.
    #[serde(default)]
    pub questionnaire_version: Option<String>,
    /// The wave this one continues (identifier or name), whose set-up it carries.
    #[serde(default)]
    pub from_wave: Option<String>,
    /// First day of calls, `YYYY-MM-DD`.
    #[serde(default)]
    pub field_start: Option<String>,
    /// Last day of calls, `YYYY-MM-DD`.
    #[serde(default)]
    pub field_end: Option<String>,
}

/// What a new wave took over from the previous one and what differs from it.
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct Comparability {
    /// The previous wave's name.
    pub previous_wave: String,
    /// Questionnaire versions: the previous wave's and this one's.
    pub questionnaire_versions: [String; 2],
    /// Whether answers of both waves can be stacked variable by variable (no variable kept
    /// its name while changing type or the meaning of its codes).
    pub comparable: bool,
    /// What was carried over and what changed, in French, one line each.
    pub lines: Vec<String>,
    /// The questionnaire differences in detail (empty when the version is the same).
    #[schema(value_type = Object)]
    pub questionnaire_changes: serde_json::Value,
}

/// A created wave, with its comparability report when it continues another.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedWave {
    /// The wave.
    pub wave: WaveRow,
    /// What it carried from the previous wave and what changed.
    pub comparability: Option<Comparability>,
}

/// The wave named by `key` (identifier or name; a name must be unique).
pub(crate) async fn find(tx: &mut Tx, key: &str) -> Result<WaveRow, AppError> {
    let key = key.trim();
    if let Ok(uuid) = key.parse::<Uuid>() {
        return surveys::wave_by_uuid(tx, uuid)
            .await?
            .ok_or_else(|| AppError::not_found(&format!("vague inconnue : « {key} »")));
    }
    let mut named: Vec<WaveRow> = surveys::waves(tx)
        .await?
        .into_iter()
        .filter(|w| w.name == key)
        .collect();
    match named.len() {
        1 => Ok(named.remove(0)),
        0 => Err(AppError::not_found(&format!("vague inconnue : « {key} »"))),
        n => Err(AppError::Conflict(format!(
            "{n} vagues s'appellent « {key} » : donnez son identifiant"
        ))),
    }
}

/// Creates a wave, in preparation (no case is handed out until it is opened). With
/// `from_wave`, the new wave carries the previous wave's questionnaire version (or the newer
/// one asked for), its quota design and its indicators definition, and the answer says what
/// changed since.
pub async fn create(
    db: &Db,
    actor: Actor<'_>,
    request: &WaveRequest,
) -> Result<CreatedWave, AppError> {
    actor.require(Role::MANAGERS)?;
    let name = request.name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(AppError::Invalid(
            "nom de vague invalide (1 à 64 caractères)".to_owned(),
        ));
    }
    let field_start = field_date(request.field_start.as_deref(), "début")?;
    let field_end = field_date(request.field_end.as_deref(), "fin")?;
    if let (Some(start), Some(end)) = (field_start, field_end)
        && end < start
    {
        return Err(AppError::Invalid(
            "la fin du terrain précède son début".to_owned(),
        ));
    }
    let mut tx = db.write().await?;
    let survey = survey_service::find(&mut tx, &request.survey).await?;
    let previous = match request.from_wave.as_deref() {
        Some(key) => {
            let previous = find(&mut tx, key).await?;
            if previous.survey_id != survey.id {
                return Err(AppError::Invalid(format!(
                    "la vague « {} » appartient à une autre enquête",
                    previous.name
                )));
            }
            Some(previous)
        }
        None => None,
    };
    let version = match (&request.questionnaire_version, &previous) {
        (Some(version), _) => surveys::version_named(&mut tx, survey.id, version.trim())
            .await?
            .ok_or_else(|| {
                AppError::not_found(&format!(
                    "version de questionnaire inconnue : « {} »",
                    version.trim()
                ))
            })?,
        (None, Some(previous)) => {
            surveys::version_named(&mut tx, survey.id, &previous.questionnaire_version)
                .await?
                .ok_or_else(|| AppError::not_found("version de questionnaire inconnue"))?
        }
        (None, None) => surveys::versions(&mut tx, survey.id)
            .await?
            .pop()
            .ok_or_else(|| {
                AppError::Invalid(format!(
                    "l'enquête « {} » n'a pas encore de questionnaire : déposez-en un d'abord",
                    survey.code
                ))
            })?,
    };
    let dates = (
        field_start.map(|d| d.to_string()),
        field_end.map(|d| d.to_string()),
    );
    let wave = surveys::create_wave(
        &mut tx,
        &NewWave {
            survey_id: survey.id,
            name,
            questionnaire_version_id: version.id,
            field_start: dates.0.as_deref(),
            field_end: dates.1.as_deref(),
            previous_wave_id: previous.as_ref().map(|p| p.id),
        },
    )
    .await?
    .ok_or_else(|| {
        AppError::Conflict(format!(
            "l'enquête « {} » a déjà une vague « {name} »",
            survey.code
        ))
    })?;
    let comparability = match &previous {
        Some(previous) => Some(carry_over(&mut tx, previous, &wave).await?),
        None => None,
    };
    audit::record(
        &mut tx,
        actor.user_id(),
        AuditAction::WaveCreate,
        &format!("wave:{}", wave.uuid),
        &serde_json::json!({
            "survey": survey.uuid,
            "name": name,
            "questionnaire_version": version.version,
            "from_wave": previous.as_ref().map(|p| p.uuid),
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(CreatedWave {
        wave,
        comparability,
    })
}

/// Carries the previous wave's set-up to `wave` and reports it with what changed.
async fn carry_over(
    tx: &mut Tx,
    previous: &WaveRow,
    wave: &WaveRow,
) -> Result<Comparability, AppError> {
    let old =
        crate::services::interview::load_version(tx, previous.questionnaire_version_id).await?;
    let new = crate::services::interview::load_version(tx, wave.questionnaire_version_id).await?;
    let mut lines = Vec::new();
    let diff = questionnaire::diff(&old, &new);
    if previous.questionnaire_version_id == wave.questionnaire_version_id {
        lines.push(format!(
            "Même questionnaire que la vague « {} » (version {}).",
            previous.name, previous.questionnaire_version
        ));
    } else if diff.is_empty() {
        lines.push(format!(
            "Questionnaire {} → {} : aucune différence de questions.",
            previous.questionnaire_version, wave.questionnaire_version
        ));
    } else {
        lines.push(format!(
            "Questionnaire {} → {} :",
            previous.questionnaire_version, wave.questionnaire_version
        ));
        lines.extend(diff.lines().into_iter().map(|l| format!("  {l}")));
    }

    match quota_store::design_source(tx, previous.id).await? {
        None => lines.push("Pas de plan de quotas dans la vague précédente.".to_owned()),
        Some(source) => {
            let design = Design::from_toml(&source)
                .map_err(|e| AppError::Internal(format!("stored design no longer reads: {e}")))?;
            let missing: Vec<&str> = design
                .variables()
                .into_iter()
                .filter(|v| !new.quota_variables().iter().any(|a| a == v))
                .collect();
            if missing.is_empty() {
                quota::attach(tx, wave.id, &design).await?;
                lines.push(format!(
                    "Plan de quotas repris ({} cellules, objectifs d'origine).",
                    design.cells().count()
                ));
            } else {
                lines.push(format!(
                    "Plan de quotas NON repris : le questionnaire ne recueille plus {} au point \
                     de quotas.",
                    missing.join(", ")
                ));
            }
        }
    }

    match surveys::calling_rules(tx, previous.id).await? {
        Some(rules) => {
            surveys::set_calling_rules(tx, wave.id, &rules).await?;
            lines.push("Règles d'appel reprises de la vague précédente.".to_owned());
        }
        None => lines
            .push("Règles d'appel : réglages par défaut, comme la vague précédente.".to_owned()),
    }

    lines.push(crate::services::weighting::carry(tx, previous, wave).await?);
    lines.push(crate::services::publication::carry(tx, previous, wave).await?);

    let old_indicators =
        surveys::questionnaire_indicators(tx, previous.questionnaire_version_id).await?;
    let new_indicators =
        surveys::questionnaire_indicators(tx, wave.questionnaire_version_id).await?;
    match (old_indicators, new_indicators) {
        (_, Some(_)) if previous.questionnaire_version_id == wave.questionnaire_version_id => {
            lines.push("Indicateurs repris (même version du questionnaire).".to_owned());
        }
        (_, Some(_)) => lines.push("Indicateurs : ceux de la nouvelle version.".to_owned()),
        (None, None) => lines.push("Pas d'indicateurs définis.".to_owned()),
        (Some(text), None) => {
            match crate::services::export::indicators::store(
                tx,
                wave.questionnaire_version_id,
                &new,
                &text,
            )
            .await
            {
                Ok(()) => lines.push("Indicateurs repris de la version précédente.".to_owned()),
                Err(e) => lines.push(format!(
                    "Indicateurs NON repris : ils ne conviennent plus au questionnaire ({e})."
                )),
            }
        }
    }
    Ok(Comparability {
        previous_wave: previous.name.clone(),
        questionnaire_versions: [
            previous.questionnaire_version.clone(),
            wave.questionnaire_version.clone(),
        ],
        comparable: diff.comparable(),
        lines,
        questionnaire_changes: serde_json::to_value(&diff)
            .map_err(|e| AppError::Internal(format!("diff serialisation: {e}")))?,
    })
}

/// Moves a wave to `status`: open (cases handed out), paused (none handed out; running
/// interviews finish), closed (none handed out, no answer accepted: cases still held are
/// released). A wave never goes back to preparation. Returns the wave.
pub async fn set_status(
    db: &Db,
    actor: Actor<'_>,
    key: &str,
    status: WaveStatus,
) -> Result<WaveRow, AppError> {
    actor.require(Role::MANAGERS)?;
    let mut tx = db.write().await?;
    let wave = find(&mut tx, key).await?;
    let refusal = match (wave.status, status) {
        (from, to) if from == to => Some(format!("est déjà {}", to.label())),
        (_, WaveStatus::Planned) => Some("ne peut pas revenir en préparation".to_owned()),
        (WaveStatus::Planned, WaveStatus::Paused) => {
            Some("ne peut pas être mise en pause avant d'avoir été ouverte".to_owned())
        }
        (WaveStatus::Closed, WaveStatus::Paused) => {
            Some("est close : rouvrez-la pour reprendre le terrain".to_owned())
        }
        _ => None,
    };
    debug_assert_eq!(refusal.is_none(), may_move(wave.status, status));
    if let Some(refusal) = refusal {
        return Err(AppError::Conflict(format!(
            "la vague « {} » {refusal}",
            wave.name
        )));
    }
    surveys::set_wave_status(&mut tx, wave.id, status).await?;
    let released = if status == WaveStatus::Closed {
        cases::release_holds(&mut tx, wave.id).await?
    } else {
        0
    };
    audit::record(
        &mut tx,
        actor.user_id(),
        AuditAction::WaveStatus,
        &format!("wave:{}", wave.uuid),
        &serde_json::json!({
            "before": wave.status.as_str(),
            "after": status.as_str(),
            "released_cases": released,
        }),
    )
    .await?;
    let wave = surveys::wave(&mut tx, wave.id)
        .await?
        .ok_or_else(|| AppError::not_found("vague inconnue"))?;
    tx.commit().await?;
    Ok(wave)
}

/// Whether a wave may move from `from` to `to`: never back to preparation, paused only once
/// opened and not once closed (a closed wave may be reopened).
pub fn may_move(from: WaveStatus, to: WaveStatus) -> bool {
    from != to
        && to != WaveStatus::Planned
        && !(to == WaveStatus::Paused && matches!(from, WaveStatus::Planned | WaveStatus::Closed))
}

/// A field date, `YYYY-MM-DD`, or a French error naming which one.
fn field_date(text: Option<&str>, which: &str) -> Result<Option<jiff::civil::Date>, AppError> {
    match crate::services::text::given(text) {
        None => Ok(None),
        Some(text) => text.parse::<jiff::civil::Date>().map(Some).map_err(|_| {
            AppError::Invalid(format!(
                "date de {which} de terrain illisible : « {text} » (attendu AAAA-MM-JJ)"
            ))
        }),
    }
}
