//! The supervisors' dashboard figures of a wave: per-commune quota progress with the pace,
//! projected completion date (with its range) and sample alert (arithmetic in
//! [`quotas::forecast`]). Computed on a read transaction from the quota cells and the counters,
//! so a computation costs the same at a thousand and at a million cases and never writes.
//!
//! The yield expected before a commune's own figures say more is the one set in the wave's
//! calling rules (`expected_yield_percent`), else the previous wave's of the same survey
//! (completes per final case, once it has at least [`HISTORY_MIN_CASES`] final cases), else
//! [`YieldPrior::DEFAULT`].

use serde::Serialize;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::sample::communes::COMMUNES;
use crate::services::quota::{self, CellView};
use crate::state::AppState;
use crate::store::cases::CaseStatus;
use crate::store::surveys::{self, WaveRow};
use crate::store::users::Role;
use crate::store::{Tx, counts};
use quotas::YieldPrior;

const DAY_MS: f64 = 86_400_000.0;
const HOUR_MS: i64 = 3_600_000;

/// Final cases a previous wave needs before its yield is taken as the prior.
pub const HISTORY_MIN_CASES: i64 = 200;

/// The AAPOR disposition of a completed interview.
const COMPLETE: &str = "1.1";

/// Why a commune's sample needs attention, as the dashboard says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SampleAlert {
    /// Even at an optimistic yield the sample left cannot reach the target.
    Unreachable,
    /// At the expected yield the sample left falls short.
    Short,
}

impl SampleAlert {
    /// The warning shown to managers.
    pub fn message(self) -> &'static str {
        match self {
            SampleAlert::Unreachable => "⚠ hors d'atteinte : ajoutez des numéros",
            SampleAlert::Short => "⚠ échantillon juste au rendement attendu",
        }
    }
}

impl From<quotas::SampleAlert> for SampleAlert {
    fn from(alert: quotas::SampleAlert) -> SampleAlert {
        match alert {
            quotas::SampleAlert::Unreachable => SampleAlert::Unreachable,
            quotas::SampleAlert::Short => SampleAlert::Short,
        }
    }
}

/// Where the expected yield comes from.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct YieldSource {
    /// Completes per final case expected before a commune's own figures.
    pub rate: f64,
    /// Said in French: « vague précédente « … » » or « valeur par défaut ».
    pub from: String,
}

/// The figures of one commune.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CommuneFigures {
    /// INSEE code.
    pub code: String,
    /// Official name (the code when unknown).
    pub name: String,
    /// Completed interviews wanted.
    pub target: u64,
    /// Completed interviews.
    pub achieved: u64,
    /// Accepted interviews still running.
    pub in_progress: u64,
    /// Achieved as a percentage of the target (one decimal); `None` when the target is 0.
    pub percent: Option<f64>,
    /// Completed interviews still missing (target minus achieved, never negative).
    pub missing: u64,
    /// Cases of the commune not final yet.
    pub sample_left: i64,
    /// Cases of the commune already final.
    pub cases_used: i64,
    /// Completed interviews per day since the wave's first completion; `None` before it.
    pub pace_per_day: Option<f64>,
    /// Date (ISO, Europe/Paris) the target is reached at the current pace; `None` when reached,
    /// with no pace yet, or with fewer than 10 completes (too few to say).
    pub projected_completion: Option<String>,
    /// Earliest date of the 95 % range of the projection.
    pub projected_earliest: Option<String>,
    /// Latest date of that range; `None` when the pace could be nil.
    pub projected_latest: Option<String>,
    /// Completes per final case expected from here on (prior and observed blended).
    pub expected_yield: f64,
    /// Whether the sample left needs attention.
    pub alert: Option<SampleAlert>,
    /// The alert in French, empty when none.
    pub alert_message: String,
    /// The projection as shown: « atteint », « — », or the date and its range.
    pub projection_text: String,
}

/// The dashboard of a wave.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Dashboard {
    /// The wave.
    pub wave_id: Uuid,
    /// Its name.
    pub wave_name: String,
    /// The survey's title.
    pub survey_title: String,
    /// True when a quota design is attached.
    pub has_design: bool,
    /// First completed interview of the wave (local time), if any.
    pub first_completion: Option<String>,
    /// When the figures were computed (local time).
    pub computed_at: String,
    /// Sums over the communes.
    pub totals: Totals,
    /// The yield expected before the communes' own figures.
    pub prior_yield: YieldSource,
    /// Today's activity.
    pub today: Today,
    /// One entry per commune of the design.
    pub communes: Vec<CommuneFigures>,
}

/// Today's activity on the wave (Europe/Paris day), for the figures at the top.
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct Today {
    /// Completed interviews since midnight.
    pub completes: i64,
    /// Calls since midnight.
    pub calls: i64,
    /// Calls in the last hour.
    pub calls_last_hour: i64,
    /// Interviewers who called in the last hour.
    pub interviewers_last_hour: i64,
}

/// Sums over the communes.
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct Totals {
    /// Completed interviews wanted.
    pub target: u64,
    /// Completed interviews.
    pub achieved: u64,
    /// Accepted interviews still running.
    pub in_progress: u64,
    /// Achieved as a percentage of the target.
    pub percent: Option<f64>,
    /// Completed interviews still missing.
    pub missing: u64,
    /// Cases not final yet.
    pub sample_left: i64,
}

/// The ISO date (Europe/Paris) `days` after `now_ms`.
fn date_after(now_ms: i64, days: f64) -> Option<String> {
    let ms = now_ms.checked_add((days * DAY_MS).min(1.0e15) as i64)?;
    let zoned = jiff::Timestamp::from_millisecond(ms)
        .ok()?
        .in_tz("Europe/Paris")
        .ok()?;
    Some(zoned.strftime("%Y-%m-%d").to_string())
}

/// Midnight of the day of `now_ms` in Europe/Paris (epoch ms); `now_ms` itself should the
/// time zone fail, which only costs the figures of the day their past hours.
fn start_of_day(now_ms: i64) -> i64 {
    jiff::Timestamp::from_millisecond(now_ms)
        .and_then(|t| t.in_tz("Europe/Paris"))
        .and_then(|zoned| zoned.start_of_day())
        .map_or(now_ms, |midnight| midnight.timestamp().as_millisecond())
}

/// `2026-12-01` → `01/12/2026`.
fn french_date(iso: &str) -> String {
    match iso.split('-').collect::<Vec<_>>().as_slice() {
        [y, m, d] => format!("{d}/{m}/{y}"),
        _ => iso.to_owned(),
    }
}

/// The projection as the dashboard shows it: « atteint » when nothing is missing, « — » while
/// there is nothing meaningful to project, else the date with its 95 % range.
fn projection_text(
    missing: u64,
    projected: Option<&str>,
    earliest: Option<&str>,
    latest: Option<&str>,
) -> String {
    if missing == 0 {
        return "atteint".to_owned();
    }
    let Some(projected) = projected else {
        return "—".to_owned();
    };
    let date = french_date(projected);
    match (earliest, latest) {
        (Some(earliest), Some(latest)) => format!(
            "{date} (entre le {} et le {})",
            french_date(earliest),
            french_date(latest)
        ),
        (Some(earliest), None) => format!("{date} (au plus tôt le {})", french_date(earliest)),
        _ => date,
    }
}

fn local(ms: i64) -> String {
    crate::scheduling::outcomes::format_local(ms)
}

/// The official name of a commune (its code when unknown).
pub fn commune_name(code: &str) -> String {
    COMMUNES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or_else(|| code.to_owned(), |(_, name)| (*name).to_owned())
}

/// The wave `id`, or the most recent one.
pub(crate) async fn chosen_wave(tx: &mut Tx, id: Option<Uuid>) -> Result<WaveRow, AppError> {
    let wave = match id {
        Some(id) => surveys::wave_by_uuid(tx, id).await?,
        None => surveys::waves(tx).await?.into_iter().next(),
    };
    wave.ok_or_else(|| AppError::not_found("vague inconnue"))
}

/// Computes the dashboard of a wave on the caller's (read) transaction.
pub async fn compute(tx: &mut Tx, wave: &WaveRow) -> Result<Dashboard, AppError> {
    let sample = counts::sample(tx, wave.id).await?;
    let quotas = quota::wave_quotas_with(tx, wave, &sample).await?;
    let first = counts::first_completion(tx, wave.id).await?;
    let mut used: std::collections::BTreeMap<&str, i64> = std::collections::BTreeMap::new();
    for count in sample.iter().filter(|c| c.status == CaseStatus::Final) {
        *used.entry(count.commune_code.as_str()).or_default() += count.cases;
    }
    let now = jiff::Timestamp::now().as_millisecond();
    let (prior, prior_yield) = prior(tx, wave).await?;
    let recent = counts::recent_calls(tx, wave.id, start_of_day(now), now - HOUR_MS).await?;
    let today = Today {
        completes: recent.completes_today,
        calls: recent.calls_today,
        calls_last_hour: recent.calls_last_hour,
        interviewers_last_hour: recent.interviewers_last_hour,
    };
    let mut totals = Totals::default();
    let communes: Vec<CommuneFigures> = quotas
        .communes
        .iter()
        .map(|c| {
            let cases_used = used.get(c.commune_code.as_str()).copied().unwrap_or(0);
            let forecast = quotas::forecast::forecast(&quotas::ForecastInput {
                target: c.target,
                achieved: c.achieved,
                cases_used: u64::try_from(cases_used).unwrap_or(0),
                sample_left: u64::try_from(c.sample_left).unwrap_or(0),
                first_completion_ms: first,
                now_ms: now,
                prior,
            });
            let alert = forecast.alert.map(SampleAlert::from);
            let projected = forecast
                .days_to_target
                .and_then(|days| date_after(now, days));
            let earliest = forecast
                .days_range
                .and_then(|(fastest, _)| date_after(now, fastest));
            let latest = forecast
                .days_range
                .and_then(|(_, slowest)| slowest)
                .and_then(|days| date_after(now, days));
            totals.target += c.target;
            totals.achieved += c.achieved;
            totals.in_progress += c.in_progress;
            totals.missing += forecast.missing;
            totals.sample_left += c.sample_left;
            CommuneFigures {
                name: commune_name(&c.commune_code),
                code: c.commune_code.clone(),
                target: c.target,
                achieved: c.achieved,
                in_progress: c.in_progress,
                percent: forecast.percent,
                missing: forecast.missing,
                sample_left: c.sample_left,
                cases_used,
                pace_per_day: forecast.pace_per_day,
                projection_text: projection_text(
                    forecast.missing,
                    projected.as_deref(),
                    earliest.as_deref(),
                    latest.as_deref(),
                ),
                projected_completion: projected,
                projected_earliest: earliest,
                projected_latest: latest,
                expected_yield: (forecast.expected_yield * 1000.0).round() / 1000.0,
                alert,
                alert_message: alert
                    .map(SampleAlert::message)
                    .unwrap_or_default()
                    .to_owned(),
            }
        })
        .collect();
    totals.percent = quotas::forecast::percent(totals.achieved, totals.target);
    Ok(Dashboard {
        wave_id: wave.uuid,
        wave_name: wave.name.clone(),
        survey_title: wave.survey_title.clone(),
        has_design: quotas.has_design,
        first_completion: first.map(local),
        computed_at: local(now),
        totals,
        prior_yield,
        today,
        communes,
    })
}

/// The yield expected in `wave` before its communes' own figures: the one set in the wave's
/// calling rules, else the yield of the previous wave of the same survey when it used enough
/// cases, else the default.
async fn prior(tx: &mut Tx, wave: &WaveRow) -> Result<(YieldPrior, YieldSource), AppError> {
    let rules = crate::services::dispatch::rules(tx, wave).await?;
    if let Some(percent) = rules.config().expected_yield_percent {
        let rate = f64::from(percent) / 100.0;
        return Ok((
            YieldPrior::at(rate),
            YieldSource {
                rate,
                from: "réglé pour la vague".to_owned(),
            },
        ));
    }
    let previous = surveys::waves(tx)
        .await?
        .into_iter()
        .filter(|w| w.survey_id == wave.survey_id && w.id < wave.id)
        .max_by_key(|w| w.id);
    if let Some(previous) = previous {
        let dispositions = counts::dispositions(tx, previous.id).await?;
        let used: i64 = dispositions.iter().map(|d| d.cases).sum();
        let completes: i64 = dispositions
            .iter()
            .filter(|d| d.code == COMPLETE)
            .map(|d| d.cases)
            .sum();
        if used >= HISTORY_MIN_CASES {
            let rate = completes as f64 / used as f64;
            return Ok((
                YieldPrior::at(rate),
                YieldSource {
                    rate: (rate * 1000.0).round() / 1000.0,
                    from: format!("vague précédente « {} »", previous.name),
                },
            ));
        }
    }
    Ok((
        YieldPrior::DEFAULT,
        YieldSource {
            rate: YieldPrior::DEFAULT.rate,
            from: "valeur par défaut".to_owned(),
        },
    ))
}

/// The dashboard of the wave `wave_id` (default: the most recent one), for managers.
pub async fn dashboard(
    state: &AppState,
    user: &CurrentUser,
    wave_id: Option<Uuid>,
) -> Result<Dashboard, AppError> {
    user.require(Role::MANAGERS)?;
    let mut tx = state.db.read().await?;
    let wave = chosen_wave(&mut tx, wave_id).await?;
    let board = compute(&mut tx, &wave).await?;
    tx.commit().await?;
    Ok(board)
}

/// The quota cells of one commune in a wave (default: the most recent one), for managers.
pub async fn commune_cells(
    state: &AppState,
    user: &CurrentUser,
    wave_id: Option<Uuid>,
    code: &str,
) -> Result<(WaveRow, Vec<CellView>), AppError> {
    user.require(Role::MANAGERS)?;
    let mut tx = state.db.read().await?;
    let wave = chosen_wave(&mut tx, wave_id).await?;
    let cells: Vec<CellView> = quota::wave_quotas(&mut tx, &wave)
        .await?
        .cells
        .into_iter()
        .filter(|c| c.cell.commune_code.as_deref() == Some(code))
        .collect();
    tx.commit().await?;
    if cells.is_empty() {
        return Err(AppError::not_found(
            "aucune cellule de quota pour cette commune dans cette vague",
        ));
    }
    Ok((wave, cells))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projected_date_is_a_paris_calendar_date() {
        // 2026-01-01T00:00:00Z is 01:00 in Paris; four days later.
        assert_eq!(
            date_after(1_767_225_600_000, 4.0).as_deref(),
            Some("2026-01-05")
        );
    }

    #[test]
    fn the_day_starts_at_midnight_in_paris() {
        // 2026-07-14T10:00:00Z is noon in Paris (summer time); the day began at 22:00 UTC.
        let noon = 1_784_023_200_000;
        assert_eq!(start_of_day(noon), noon - 12 * HOUR_MS);
    }

    #[test]
    fn the_projection_reads_as_a_date_with_its_range() {
        assert_eq!(projection_text(0, None, None, None), "atteint");
        assert_eq!(projection_text(5, None, None, None), "—");
        assert_eq!(
            projection_text(
                5,
                Some("2027-05-12"),
                Some("2027-05-10"),
                Some("2027-05-15")
            ),
            "12/05/2027 (entre le 10/05/2027 et le 15/05/2027)"
        );
        assert_eq!(
            projection_text(5, Some("2027-05-12"), Some("2027-05-10"), None),
            "12/05/2027 (au plus tôt le 10/05/2027)"
        );
    }
}
