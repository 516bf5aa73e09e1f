//! What managers and analysts read about fieldwork: the waves, a wave's sample (with phone
//! numbers: supervisors and admins only) and its progress counts (also analysts: no personal
//! data).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::{Actor, CurrentUser};
use crate::error::AppError;
use crate::scheduling::outcomes::parse_appointment;
use crate::services::dispatch;
use crate::state::AppState;
use crate::store::audit::AuditAction;
use crate::store::cases::{self, CaseFilter, CaseRow, CaseStatus};
use crate::store::interviews::{self, InterviewStatus};
use crate::store::surveys::{self, WaveRow};
use crate::store::users::Role;
use crate::store::{Db, Tx, audit, users};
use fieldwork::{Finality, Outcome};

/// Every wave, newest first.
pub async fn waves(db: &Db, actor: Actor<'_>) -> Result<Vec<WaveRow>, AppError> {
    actor.require(Role::READERS)?;
    let mut tx = db.read().await?;
    let waves = surveys::waves(&mut tx).await?;
    tx.commit().await?;
    Ok(waves)
}

/// The wave known outside as `uuid`, or "unknown wave".
pub(crate) async fn known_wave(tx: &mut Tx, uuid: Uuid) -> Result<WaveRow, AppError> {
    surveys::wave_by_uuid(tx, uuid)
        .await?
        .ok_or_else(|| AppError::not_found("vague inconnue"))
}

/// A case of the sample with its phone numbers.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SampleCase {
    /// The case.
    #[serde(flatten)]
    pub case: CaseRow,
    /// Its numbers (E.164), in dialling order.
    pub phones: Vec<String>,
}

/// What a manager looks for in a wave's sample, and which page.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SampleQuery {
    /// Identifier in the sample file.
    #[serde(default)]
    pub external_id: Option<String>,
    /// A phone number, written any usual way.
    #[serde(default)]
    pub phone: Option<String>,
    /// INSEE code of the commune.
    #[serde(default)]
    pub commune: Option<String>,
    /// Case status (empty: any).
    #[serde(default, deserialize_with = "empty_as_none")]
    pub status: Option<CaseStatus>,
    /// Final AAPOR disposition code (e.g. `2.111`).
    #[serde(default)]
    pub aapor: Option<String>,
    /// The page after this case (its identifier): keyset paging.
    #[serde(default)]
    pub after: Option<Uuid>,
    /// Cases skipped (without `after`; default 0).
    #[serde(default)]
    #[param(minimum = 0)]
    pub offset: Option<i64>,
    /// Cases returned (1 to 1,000; default 100).
    #[serde(default)]
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

/// An optional value whose empty text (an HTML `select` left on « all ») means none.
fn empty_as_none<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    let text: Option<String> = Option::deserialize(deserializer)?;
    match text.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => {
            T::deserialize(serde::de::value::StrDeserializer::<D::Error>::new(text)).map(Some)
        }
    }
}

/// A page of a wave's sample matching the query, by case identifier: `limit` (1 to 1,000)
/// cases after the case `after`, or from `offset`; anything else is refused.
pub async fn sample(
    state: &AppState,
    user: &CurrentUser,
    wave: Uuid,
    query: &SampleQuery,
) -> Result<Vec<SampleCase>, AppError> {
    user.require(Role::MANAGERS)?;
    let (offset, limit) = (query.offset.unwrap_or(0), query.limit.unwrap_or(100));
    if offset < 0 || !(1..=1000).contains(&limit) {
        return Err(AppError::BadRequest(
            "pagination invalide : offset ≥ 0 et limit entre 1 et 1 000".to_owned(),
        ));
    }
    let given = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let phone = match given(&query.phone) {
        Some(text) => Some(
            samplefile::normalize_phone(&text)
                .map_err(|e| AppError::Invalid(format!("numéro cherché illisible : {e}")))?
                .e164,
        ),
        None => None,
    };
    let filter = CaseFilter {
        external_id: given(&query.external_id),
        phone,
        commune_code: given(&query.commune),
        status: query.status,
        aapor: given(&query.aapor),
    };
    let mut tx = state.db.read().await?;
    let wave = known_wave(&mut tx, wave).await?;
    let rows = match query.after {
        Some(after) => {
            let after = cases::by_uuid(&mut tx, after)
                .await?
                .ok_or_else(|| AppError::not_found("cas inconnu"))?;
            cases::search(&mut tx, wave.id, &filter, Some(after.id), limit).await?
        }
        None if offset == 0 => cases::search(&mut tx, wave.id, &filter, None, limit).await?,
        None => cases::list(&mut tx, wave.id, offset, limit).await?,
    };
    let mut page = Vec::new();
    for case in rows {
        let phones = cases::phones(&mut tx, case.id)
            .await?
            .into_iter()
            .map(|p| p.e164)
            .collect();
        page.push(SampleCase { case, phones });
    }
    tx.commit().await?;
    Ok(page)
}

/// What a manager does to one case.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum CaseAction {
    /// Takes the case back from the interviewer holding it (its interview is kept).
    Release,
    /// Calls it again from this time (local time in France `YYYY-MM-DDTHH:MM`, or RFC 3339).
    Reschedule {
        /// When.
        at: String,
    },
    /// Gives it to this interviewer (login name), who must hold no case: it is theirs on their
    /// next « Appel suivant ».
    Assign {
        /// The interviewer's login name.
        interviewer: String,
    },
    /// Closes it with this call outcome (its final disposition).
    Finalise {
        /// The outcome's name (see `GET /api/outcomes`).
        outcome: String,
    },
}

/// Applies a manager's action to a case, with its audit entry; returns the case.
pub async fn act_on_case(
    db: &Db,
    actor: Actor<'_>,
    case: Uuid,
    action: &CaseAction,
) -> Result<CaseRow, AppError> {
    actor.require(Role::MANAGERS)?;
    let mut tx = db.write().await?;
    let before = cases::by_uuid(&mut tx, case)
        .await?
        .ok_or_else(|| AppError::not_found("cas inconnu"))?;
    let (done, name, details) = match action {
        CaseAction::Release => (
            cases::release(&mut tx, before.id).await?,
            AuditAction::CaseRelease,
            serde_json::json!({ "held_by": before.held_by }),
        ),
        CaseAction::Reschedule { at } => {
            let at = parse_appointment(at).ok_or_else(|| {
                AppError::Invalid("date illisible (attendu AAAA-MM-JJTHH:MM)".to_owned())
            })?;
            (
                cases::reschedule(&mut tx, before.id, at).await?,
                AuditAction::CaseReschedule,
                serde_json::json!({ "before": before.next_call_at, "after": at }),
            )
        }
        CaseAction::Assign { interviewer } => {
            let account = users::by_username(&mut tx, interviewer.trim())
                .await?
                .filter(|u| u.role() == Role::Interviewer && !u.disabled)
                .ok_or_else(|| {
                    AppError::Invalid(format!("aucun enquêteur actif « {interviewer} »"))
                })?;
            // A manager's action: the system time, like the audit entry.
            let now = crate::store::now_ms();
            let assigned = match cases::assign(&mut tx, before.id, account.id, now).await {
                Ok(assigned) => assigned,
                Err(e) if e.is_unique_violation() => {
                    return Err(AppError::Conflict(format!(
                        "« {interviewer} » détient déjà un cas"
                    )));
                }
                Err(e) => return Err(e.into()),
            };
            (
                assigned,
                AuditAction::CaseAssign,
                serde_json::json!({ "interviewer": account.username }),
            )
        }
        CaseAction::Finalise { outcome } => {
            let outcome = Outcome::parse(outcome)
                .filter(|o| Outcome::CALLS.contains(o) && o.finality() != Finality::Never)
                .ok_or_else(|| {
                    AppError::Invalid(format!("issue finale inconnue : « {outcome} »"))
                })?;
            let wave = surveys::wave(&mut tx, before.wave_id)
                .await?
                .ok_or_else(|| AppError::not_found("vague inconnue"))?;
            let frame = dispatch::frame(&mut tx, wave.survey_id).await?;
            let aapor = frame.spec(outcome).aapor.as_str().to_owned();
            (
                cases::finalise(&mut tx, before.id, outcome.as_str(), &aapor).await?,
                AuditAction::CaseFinalise,
                serde_json::json!({
                    "status_before": before.status.as_str(),
                    "outcome": outcome.as_str(),
                    "aapor": aapor,
                }),
            )
        }
    };
    if !done {
        return Err(AppError::Conflict(
            match action {
                CaseAction::Release => "ce cas n'est détenu par personne",
                CaseAction::Assign { .. } => {
                    "ce cas est détenu par un enquêteur ou déjà terminé : libérez-le d'abord"
                }
                _ => "ce cas est détenu par un enquêteur ou déjà terminé : libérez-le d'abord",
            }
            .to_owned(),
        ));
    }
    audit::record(
        &mut tx,
        actor.user_id(),
        name,
        &format!("case:{}", before.uuid),
        &details,
    )
    .await?;
    let after = cases::case(&mut tx, before.id)
        .await?
        .ok_or_else(|| AppError::not_found("cas inconnu"))?;
    tx.commit().await?;
    Ok(after)
}

/// How many cases are in one status.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CaseCount {
    /// The status.
    pub status: CaseStatus,
    /// Cases in it.
    pub count: i64,
}

/// How many interviews are in one status.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct InterviewCount {
    /// The status.
    pub status: InterviewStatus,
    /// Interviews in it.
    pub count: i64,
}

/// A wave's progress counts.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Progress {
    /// The wave.
    pub wave_id: Uuid,
    /// Cases in the sample.
    pub cases: i64,
    /// Cases per status.
    pub cases_by_status: Vec<CaseCount>,
    /// Interviews per status.
    pub interviews_by_status: Vec<InterviewCount>,
}

/// The progress counts of a wave.
pub async fn progress(
    state: &AppState,
    user: &CurrentUser,
    wave: Uuid,
) -> Result<Progress, AppError> {
    user.require(Role::READERS)?;
    let mut tx = state.db.read().await?;
    let wave = known_wave(&mut tx, wave).await?;
    let cases_by_status: Vec<CaseCount> = cases::status_counts(&mut tx, wave.id)
        .await?
        .into_iter()
        .map(|(status, count)| CaseCount { status, count })
        .collect();
    let progress = Progress {
        wave_id: wave.uuid,
        cases: cases_by_status.iter().map(|c| c.count).sum(),
        cases_by_status,
        interviews_by_status: interviews::status_counts(&mut tx, wave.id)
            .await?
            .into_iter()
            .map(|(status, count)| InterviewCount { status, count })
            .collect(),
    };
    tx.commit().await?;
    Ok(progress)
}
