//! The case hand-out and the calling rules between the pure `fieldwork` rules and the store:
//! which case an interviewer gets next ([`claim`]), and what a recorded call makes of its case
//! ([`plan`]).

use fieldwork::{
    Appointment, Attempt, CallingRules, CaseHistory, CaseState, OutcomeFrame, RulesConfig,
    final_disposition,
};
use jiff::Timestamp;

use crate::error::AppError;
use crate::store::cases::{self, CaseNext, CaseRow, Queued};
use crate::store::dispatch::{self as queue, Claimant, Group, Pick};
use crate::store::{Tx, quotas as quota_store, surveys};

/// A wave's calling rules: those stored (or the French defaults), closed after the wave's
/// field end date when it has one.
pub async fn rules(tx: &mut Tx, wave_id: i64) -> Result<CallingRules, AppError> {
    let stored = surveys::calling_rules(tx, wave_id).await?;
    let mut config: RulesConfig = match stored {
        Some(json) => serde_json::from_str(&json)
            .map_err(|e| AppError::Internal(format!("stored calling rules unreadable: {e}")))?,
        None => RulesConfig::default(),
    };
    if let Some(end) = surveys::wave(tx, wave_id)
        .await?
        .and_then(|w| w.field_end)
        .and_then(|end| end.parse().ok())
    {
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
    converter: bool,
    waves: Vec<WaveQueue>,
}

#[derive(Clone, Debug)]
struct WaveQueue {
    wave_id: i64,
    communes: Vec<(Option<String>, bool)>,
}

/// Reads the [`ClaimPlan`] of the interviewer `user_id` at `now` (epoch ms); the waves' part
/// comes from `cache` when it was read less than a second ago for the same instant.
pub async fn prepare(
    tx: &mut Tx,
    cache: &PlanCache,
    user_id: i64,
    now: i64,
) -> Result<ClaimPlan, AppError> {
    let waves = match cache.get(now) {
        Some(waves) => waves,
        None => {
            let instant = Timestamp::from_millisecond(now).unwrap_or(Timestamp::UNIX_EPOCH);
            let mut waves = Vec::new();
            for (wave_id, _) in queue::open_waves(tx).await? {
                if rules(tx, wave_id).await?.windows().is_open(instant) {
                    let communes = commune_order(tx, wave_id, now).await?;
                    waves.push(WaveQueue { wave_id, communes });
                }
            }
            cache.put(now, &waves);
            waves
        }
    };
    Ok(ClaimPlan {
        converter: queue::is_converter(tx, user_id).await?,
        waves,
    })
}

/// The waves' part of the claim plans, shared by the claims of one instance for a second:
/// the open waves, their calling windows and their communes' order change slowly, and the
/// claim itself re-checks that the wave is open.
#[derive(Debug, Default)]
pub struct PlanCache {
    entry: std::sync::Mutex<Option<CachedPlan>>,
}

#[derive(Debug)]
struct CachedPlan {
    read_at: std::time::Instant,
    clock_ms: i64,
    waves: Vec<WaveQueue>,
}

/// How long a plan is reused.
const PLAN_LIFETIME: std::time::Duration = std::time::Duration::from_secs(1);

impl PlanCache {
    fn get(&self, now: i64) -> Option<Vec<WaveQueue>> {
        let entry = self.entry.lock().ok()?;
        let cached = entry.as_ref()?;
        // Also keyed by the server's clock, which a test or simulation may move by hours.
        let fresh = cached.read_at.elapsed() < PLAN_LIFETIME
            && (now - cached.clock_ms).abs() < PLAN_LIFETIME.as_millis() as i64;
        fresh.then(|| cached.waves.clone())
    }

    fn put(&self, now: i64, waves: &[WaveQueue]) {
        if let Ok(mut entry) = self.entry.lock() {
            *entry = Some(CachedPlan {
                read_at: std::time::Instant::now(),
                clock_ms: now,
                waves: waves.to_vec(),
            });
        }
    }
}

/// Prepares and claims on the same transaction (a write one): see [`prepare`] and
/// [`claim_planned`].
pub async fn claim(tx: &mut Tx, user_id: i64, now: i64) -> Result<Option<CaseRow>, AppError> {
    let plan = prepare(tx, &PlanCache::default(), user_id, now).await?;
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
    match pick(tx, plan, user_id, now).await? {
        Some(id) => Ok(cases::case(tx, id).await?),
        None => Ok(None),
    }
}

/// The id of the case [`claim_planned`] hands out, taken.
async fn pick(
    tx: &mut Tx,
    plan: &ClaimPlan,
    user_id: i64,
    now: i64,
) -> Result<Option<i64>, AppError> {
    let who = Claimant {
        user_id,
        converter: plan.converter,
        now,
    };
    queue::promote(tx, now, queue::PROMOTE_BATCH).await?;
    if let Some(pick) = queue::reserved(tx, who).await?
        && queue::take(tx, pick.id, who).await?
    {
        return Ok(Some(pick.id));
    }
    for wave in &plan.waves {
        let wave_id = wave.wave_id;
        if let Some(pick) = queue::first_tiers(tx, wave_id, who).await?
            && queue::take(tx, pick.id, who).await?
        {
            return Ok(Some(pick.id));
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
                && queue::take(tx, pick.id, who).await?
            {
                return Ok(Some(pick.id));
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
    case: &CaseRow,
    interviewer_id: i64,
    report: Report,
    now: i64,
) -> Result<Plan, AppError> {
    let wave = surveys::wave(tx, case.wave_id)
        .await?
        .ok_or_else(|| AppError::not_found("vague inconnue"))?;
    let rules = rules(tx, wave.id).await?;
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
