//! The case hand-out and the calling rules between the pure `fieldwork` rules and the store:
//! which case an interviewer gets next ([`claim`]), and what a recorded call makes of its case
//! ([`plan`]).

use fieldwork::{
    Appointment, Attempt, CallingRules, CaseHistory, CaseState, OutcomeFrame, RulesConfig,
    final_disposition,
};
use std::sync::Arc;

use jiff::Timestamp;

use crate::error::AppError;
use crate::store::cases::{self, CaseNext, CaseRow, Queued};
use crate::store::dispatch::{self as queue, Claimant, Group, Pick};
use crate::store::surveys::WaveRow;
use crate::store::{Tx, quotas as quota_store, surveys};

/// A wave's calling rules: those stored (or the French defaults), closed after the wave's
/// field end date when it has one.
pub async fn rules(tx: &mut Tx, wave: &WaveRow) -> Result<CallingRules, AppError> {
    let stored = surveys::calling_rules(tx, wave.id).await?;
    rules_from(stored.as_deref(), wave.field_end.as_deref())
}

/// The calling rules stored as `stored` (JSON; `None`: the defaults) for a wave ending on
/// `field_end` (`YYYY-MM-DD`).
fn rules_from(stored: Option<&str>, field_end: Option<&str>) -> Result<CallingRules, AppError> {
    let mut config: RulesConfig = match stored {
        Some(json) => serde_json::from_str(json)
            .map_err(|e| AppError::Internal(format!("stored calling rules unreadable: {e}")))?,
        None => RulesConfig::default(),
    };
    if let Some(end) = field_end.and_then(|end| end.parse().ok()) {
        config.windows.field_end = Some(end);
    }
    config
        .validate()
        .map_err(|e| AppError::Internal(format!("stored calling rules invalid: {e}")))
}

/// A survey's outcome code frame: the one stored, or the default French frame.
pub async fn frame(tx: &mut Tx, survey_id: i64) -> Result<OutcomeFrame, AppError> {
    match surveys::outcome_frame(tx, survey_id).await? {
        Some(json) => serde_json::from_str(&json)
            .map_err(|e| AppError::Internal(format!("stored outcome frame unreadable: {e}"))),
        None => Ok(OutcomeFrame::default()),
    }
}

/// What a claim needs to know beforehand, read without the write lock (a read transaction):
/// whether the interviewer converts refusals, and the open waves whose calling window is open,
/// each with its communes in hand-out order. A little staleness is harmless: the order only
/// ranks cases, quotas are enforced at the quota point.
#[derive(Clone, Debug, Default)]
pub struct ClaimPlan {
    outlook: queue::Outlook,
    waves: Vec<WaveQueue>,
}

#[derive(Clone, Debug)]
struct WaveQueue {
    wave_id: i64,
    communes: Vec<(Option<String>, bool)>,
}

/// Reads the [`ClaimPlan`] of the interviewer `user_id` at `now` (epoch ms): the open waves with
/// their rules (parsed once per instance, [`RulesCache`]), the quota cells and communes of each,
/// and the interviewer's [`queue::Outlook`].
pub async fn prepare(
    tx: &mut Tx,
    cache: &RulesCache,
    user_id: i64,
    now: i64,
) -> Result<ClaimPlan, AppError> {
    let instant = Timestamp::from_millisecond(now).unwrap_or(Timestamp::UNIX_EPOCH);
    let mut waves = Vec::new();
    for wave in queue::open_waves(tx).await? {
        let rules = cache.get(wave.calling_rules.as_deref(), wave.field_end.as_deref())?;
        if rules.windows().is_open(instant) {
            let communes = commune_order(tx, wave.id, now).await?;
            waves.push(WaveQueue {
                wave_id: wave.id,
                communes,
            });
        }
    }
    Ok(ClaimPlan {
        outlook: queue::outlook(tx, user_id, now).await?,
        waves,
    })
}

/// Calling rules already parsed and checked, by their stored text: every claim reads the rules
/// of every open wave and every recorded call those of its wave, and they change rarely.
#[derive(Debug, Default)]
pub struct RulesCache {
    parsed: std::sync::Mutex<std::collections::HashMap<StoredRules, Arc<CallingRules>>>,
}

/// Rules as stored (JSON text) and the wave's field end, as stored.
type StoredRules = (Option<String>, Option<String>);

/// Rules kept at most (a few per open wave are expected; more means edits, and the cache starts
/// again).
const RULES_CACHED: usize = 64;

impl RulesCache {
    /// The wave `wave_id` and its calling rules, parsed once.
    pub async fn wave(
        &self,
        tx: &mut Tx,
        wave_id: i64,
    ) -> Result<(WaveRow, Arc<CallingRules>), AppError> {
        let wave = surveys::wave(tx, wave_id)
            .await?
            .ok_or_else(|| AppError::not_found("vague inconnue"))?;
        let stored = surveys::calling_rules(tx, wave.id).await?;
        let rules = self.get(stored.as_deref(), wave.field_end.as_deref())?;
        Ok((wave, rules))
    }

    /// The rules stored as `stored` for a wave ending on `field_end`, parsed once.
    fn get(
        &self,
        stored: Option<&str>,
        field_end: Option<&str>,
    ) -> Result<Arc<CallingRules>, AppError> {
        let key = (stored.map(str::to_owned), field_end.map(str::to_owned));
        if let Ok(parsed) = self.parsed.lock()
            && let Some(rules) = parsed.get(&key)
        {
            return Ok(Arc::clone(rules));
        }
        let rules = Arc::new(rules_from(stored, field_end)?);
        if let Ok(mut parsed) = self.parsed.lock() {
            if parsed.len() >= RULES_CACHED {
                parsed.clear();
            }
            parsed.insert(key, Arc::clone(&rules));
        }
        Ok(rules)
    }
}

/// Prepares and claims on the same transaction (a write one): see [`prepare`] and
/// [`claim_planned`].
pub async fn claim(tx: &mut Tx, user_id: i64, now: i64) -> Result<Option<CaseRow>, AppError> {
    let plan = prepare(tx, &RulesCache::default(), user_id, now).await?;
    claim_planned(tx, &plan, user_id, now).await
}

/// Hands the best ready case to the interviewer `user_id` at `now` (epoch ms), on a write
/// transaction; returns it, or `None` when nothing is ready. The caller has checked that the
/// interviewer holds no case.
///
/// Order: a due appointment the interviewer booked; then, wave by wave (only open waves whose
/// calling window is open now), due appointments, missed appointments and interrupted
/// interviews; then the communes whose quotas lag most, each by priority (refusal
/// conversions, fresh sample, recalls by attempts) and ready time. Fixed lines of a commune
/// whose quotas are exhausted wait; soft refusals go to refusal converters only.
pub async fn claim_planned(
    tx: &mut Tx,
    plan: &ClaimPlan,
    user_id: i64,
    now: i64,
) -> Result<Option<CaseRow>, AppError> {
    let who = Claimant {
        user_id,
        converter: plan.outlook.converter,
        now,
    };
    // What the plan saw has no ready waiting case nor booked appointment skips those steps (a
    // case becoming ready in between is handed out at the next claim).
    if plan.outlook.waiting_ready {
        queue::promote(tx, now, queue::PROMOTE_BATCH).await?;
    }
    if plan.outlook.reserved_ready
        && let Some(pick) = queue::reserved(tx, who).await?
        && let Some(case) = queue::take(tx, pick.id, who).await?
    {
        return Ok(Some(case));
    }
    for wave in &plan.waves {
        let wave_id = wave.wave_id;
        if let Some(pick) = queue::first_tiers(tx, wave_id, who).await?
            && let Some(case) = queue::take(tx, pick.id, who).await?
        {
            return Ok(Some(case));
        }
        for (commune, exhausted) in &wave.communes {
            let mut best: Option<Pick> = None;
            for needs_converter in [true, false] {
                if needs_converter && !who.converter {
                    continue;
                }
                for fixed_line in [true, false] {
                    if fixed_line && *exhausted {
                        continue;
                    }
                    let group = Group {
                        wave_id,
                        commune: commune.as_deref(),
                        needs_converter,
                        fixed_line,
                    };
                    if let Some(pick) = queue::in_commune(tx, group, who).await? {
                        best = Some(best.map_or(pick, |b| b.min(pick)));
                    }
                }
            }
            if let Some(pick) = best
                && let Some(case) = queue::take(tx, pick.id, who).await?
            {
                return Ok(Some(case));
            }
        }
    }
    Ok(None)
}

/// The communes of a wave in hand-out order, with whether their quotas are exhausted: those
/// with quotas by need ([`quotas::communes_by_need`]), then the others (and cases without
/// commune) in an order that turns with the clock, so that a wave without quotas is not
/// worked commune after commune.
async fn commune_order(
    tx: &mut Tx,
    wave_id: i64,
    now: i64,
) -> Result<Vec<(Option<String>, bool)>, AppError> {
    let cells: Vec<quotas::CellState> = quota_store::cells(tx, wave_id)
        .await?
        .into_iter()
        .map(|c| quotas::CellState {
            commune: c.commune_code,
            margin: c.margin,
            target: c.target,
            capacity: c.capacity,
            achieved: c.achieved,
            running: c.in_progress,
            closed: c.closed,
        })
        .collect();
    let needs = quotas::communes_by_need(&cells);
    let mut order: Vec<(Option<String>, bool)> = needs
        .iter()
        .filter(|n| n.need > 0.0)
        .map(|n| (Some(n.commune.clone()), n.exhausted))
        .collect();
    let mut rest: Vec<(Option<String>, bool)> = needs
        .iter()
        .filter(|n| n.need <= 0.0)
        .map(|n| (Some(n.commune.clone()), n.exhausted))
        .collect();
    for code in queue::sample_communes(tx, wave_id).await? {
        let commune = (!code.is_empty()).then_some(code);
        if !order.iter().chain(&rest).any(|(c, _)| *c == commune) {
            rest.push((commune, false));
        }
    }
    if !rest.is_empty() {
        let turn = usize::try_from(now / 1000).unwrap_or_default() % rest.len();
        rest.rotate_left(turn);
    }
    order.extend(rest);
    Ok(order)
}

/// A call as the interviewer reports it.
#[derive(Clone, Copy, Debug)]
pub struct Report {
    /// What came of it.
    pub outcome: fieldwork::Outcome,
    /// The appointment it booked, if any.
    pub appointment: Option<Appointment>,
    /// When the number was dialled (epoch ms).
    pub dialled_at: i64,
}

/// What a recorded call makes of its case.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The case's next state.
    pub next: CaseNext,
    /// The AAPOR code of the call's own outcome, in the survey's frame.
    pub aapor: String,
}

/// Decides what becomes of `case` (held by `interviewer_id`) once `report` is recorded at
/// `now`, by the wave's rules and the survey's frame; an appointment the rules refuse (in the
/// past, outside the calling windows, after the field end) is a French 422.
pub async fn plan(
    tx: &mut Tx,
    cache: &RulesCache,
    case: &CaseRow,
    interviewer_id: i64,
    report: Report,
    now: i64,
) -> Result<Plan, AppError> {
    let (wave, rules) = cache.wave(tx, case.wave_id).await?;
    let frame = frame(tx, wave.survey_id).await?;
    let history = history(tx, case.id).await?;
    let at = |ms: i64| Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH);
    let last = history.attempts.last().map(|a| a.at);
    let call = Attempt {
        at: last.map_or(at(report.dialled_at), |last| {
            last.max(at(report.dialled_at))
        }),
        outcome: report.outcome,
        appointment: report.appointment,
    };
    let state = fieldwork::decide(&rules, &frame, &history, &call, at(now))
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    let aapor = frame.spec(report.outcome).aapor.as_str().to_owned();
    let next = match state {
        CaseState::Final(closure) => CaseNext::Final {
            aapor: closure.disposition.code.as_str().to_owned(),
        },
        CaseState::Callable(callable) => {
            let mut outcomes: Vec<fieldwork::Outcome> =
                history.attempts.iter().map(|a| a.outcome).collect();
            outcomes.push(report.outcome);
            let disposition = final_disposition(&frame, &outcomes, rules.config().max_attempts);
            let (appointment_at, appointment_until) = match callable.appointment {
                Some(Appointment::Hard { at }) => (Some(at.as_millisecond()), None),
                Some(Appointment::Soft { from, until }) => {
                    (Some(from.as_millisecond()), Some(until.as_millisecond()))
                }
                None => (None, None),
            };
            CaseNext::Queued(Queued {
                ready_at: callable.ready_at.as_millisecond(),
                priority: i64::from(callable.priority.value()),
                needs_converter: callable.needs_converter,
                appointment_at,
                appointment_until,
                reserved_for: callable.reserved_until.map(|_| interviewer_id),
                reserved_until: callable.reserved_until.map(|t| t.as_millisecond()),
                missed_appointment: callable.missed_appointment,
                disposition: disposition.code.as_str().to_owned(),
            })
        }
    };
    Ok(Plan { next, aapor })
}

/// A case's calls as the rules read them (outcomes the rules do not know are left out: they
/// can only come from a database written by another program).
async fn history(tx: &mut Tx, case_id: i64) -> Result<CaseHistory, AppError> {
    let attempts = cases::attempts(tx, case_id)
        .await?
        .into_iter()
        .filter_map(|a| {
            let outcome = fieldwork::Outcome::parse(&a.outcome)?;
            let at = Timestamp::from_millisecond(a.started_at).ok()?;
            let appointment = if outcome.books_appointment() {
                let from = Timestamp::from_millisecond(a.appointment_at?).ok()?;
                Some(match a.appointment_until {
                    Some(until) => Appointment::Soft {
                        from,
                        until: Timestamp::from_millisecond(until).ok()?,
                    },
                    None => Appointment::Hard { at: from },
                })
            } else {
                None
            };
            Some(Attempt {
                at,
                outcome,
                appointment,
            })
        })
        .collect();
    Ok(CaseHistory {
        attempts,
        closed: None,
    })
}
