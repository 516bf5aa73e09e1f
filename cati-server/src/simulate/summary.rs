//! What a simulation did, as a French text or JSON.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use super::SimulateArgs;
use crate::bench::{ms, percentile};

/// What the simulated interviewers saw.
#[derive(Default)]
pub(super) struct Tally {
    /// Outcomes recorded, by name.
    pub outcomes: BTreeMap<String, u64>,
    /// Claim latencies.
    pub claims: Vec<Duration>,
    /// Answer latencies.
    pub answers: Vec<Duration>,
    /// Refused requests by status (0: the request itself failed).
    pub errors: BTreeMap<u16, u64>,
    /// Answers the server acknowledged with a 2xx, for `--check`.
    pub acknowledged: Vec<super::check::Acknowledged>,
}

/// The summary of a simulation.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    /// Interviewers simulated.
    pub interviewers: u32,
    /// Completes asked for.
    pub completes_target: u32,
    /// Wall time, seconds.
    pub wall_seconds: f64,
    /// Fieldwork time simulated, days.
    pub simulated_days: f64,
    /// Outcomes recorded, by name (`completed`, `no_answer`…).
    pub outcomes: BTreeMap<String, u64>,
    /// Calls (claims answered with a case).
    pub calls: usize,
    /// Answers stored.
    pub answers: usize,
    /// Answers per second of wall time.
    pub answers_per_second: f64,
    /// Claim latency, ms: p50 and p99.
    pub claim_ms: [f64; 2],
    /// Answer latency, ms: p50 and p99.
    pub answer_ms: [f64; 2],
    /// Refused requests, by HTTP status.
    pub errors: BTreeMap<u16, u64>,
    /// The wave's AAPOR report, as the server computes it.
    pub aapor: Value,
    /// Quota cells: how many, how many full, interviews achieved and targeted.
    pub quotas: QuotaState,
    /// With `--check`: the invariants checked in the database after the wave.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checks: Option<super::check::Report>,
}

/// Where the quotas stand.
#[derive(Clone, Debug, Default, Serialize)]
pub struct QuotaState {
    /// Cells.
    pub cells: u64,
    /// Cells whose target is reached.
    pub full: u64,
    /// Completes counted in the cells.
    pub achieved: u64,
    /// Sum of the targets.
    pub target: u64,
}

impl Summary {
    /// The summary of a run: what the interviewers saw, and the server's AAPOR report and quota
    /// cells.
    pub(super) fn new(
        args: &SimulateArgs,
        wall: Duration,
        simulated_ms: i64,
        tally: Tally,
        aapor: &Value,
        quotas: &Value,
    ) -> Summary {
        let Tally {
            outcomes,
            mut claims,
            mut answers,
            errors,
            acknowledged: _,
        } = tally;
        claims.sort_unstable();
        answers.sort_unstable();
        let pair =
            |sorted: &[Duration]| [ms(percentile(sorted, 0.50)), ms(percentile(sorted, 0.99))];
        Summary {
            interviewers: args.interviewers,
            completes_target: args.completes,
            wall_seconds: wall.as_secs_f64(),
            simulated_days: simulated_ms as f64 / 86_400_000.0,
            outcomes,
            calls: claims.len(),
            answers: answers.len(),
            answers_per_second: answers.len() as f64 / wall.as_secs_f64().max(1e-9),
            claim_ms: pair(&claims),
            answer_ms: pair(&answers),
            errors,
            aapor: aapor["rows"].get(0).cloned().unwrap_or(Value::Null),
            quotas: quota_state(quotas),
            checks: None,
        }
    }

    /// In French, one figure a line.
    pub fn text(&self) -> String {
        let rate = |name: &str| {
            self.aapor["rates"][name]
                .as_f64()
                .map_or_else(|| "—".to_owned(), |r| format!("{:.1} %", r * 100.0))
        };
        let mut text = format!(
            "Simulation : {} enquêteur(s), {:.1} jour(s) de terrain simulés en {:.1} s\n",
            self.interviewers, self.simulated_days, self.wall_seconds
        );
        text.push_str(&format!(
            "Complets : {} (visés : {})\n",
            self.outcomes.get("completed").copied().unwrap_or(0),
            self.completes_target
        ));
        text.push_str("Issues enregistrées :");
        for (outcome, count) in &self.outcomes {
            text.push_str(&format!(" {outcome} {count} ;"));
        }
        text.push('\n');
        text.push_str(&format!(
            "AAPOR : RR1 {}, RR3 {}, COOP1 {}, REF1 {}, CON1 {}\n",
            rate("rr1"),
            rate("rr3"),
            rate("coop1"),
            rate("ref1"),
            rate("con1")
        ));
        text.push_str(&format!(
            "Quotas : {} cellule(s), {} pleine(s), {} complet(s) comptés sur {} visés\n",
            self.quotas.cells, self.quotas.full, self.quotas.achieved, self.quotas.target
        ));
        text.push_str(&format!(
            "Appels : {} ; réponses : {} ({:.0} par seconde)\n",
            self.calls, self.answers, self.answers_per_second
        ));
        text.push_str(&format!(
            "Latence (ms) : prise d'un cas p50 {:.1} p99 {:.1} ; réponse p50 {:.1} p99 {:.1}\n",
            self.claim_ms[0], self.claim_ms[1], self.answer_ms[0], self.answer_ms[1]
        ));
        if self.errors.is_empty() {
            text.push_str("Erreurs : aucune\n");
        } else {
            text.push_str("Erreurs :");
            for (status, count) in &self.errors {
                text.push_str(&format!(" {status} × {count} ;"));
            }
            text.push('\n');
        }
        if let Some(checks) = &self.checks {
            text.push_str(&checks.text());
        }
        text
    }
}

/// The quota cells of `GET /api/waves/{id}/quotas`.
fn quota_state(quotas: &Value) -> QuotaState {
    let cells = quotas["cells"].as_array().cloned().unwrap_or_default();
    let number = |cell: &Value, key: &str| cell[key].as_u64().unwrap_or(0);
    QuotaState {
        cells: cells.len() as u64,
        full: cells
            .iter()
            .filter(|c| number(c, "achieved") >= number(c, "target") && number(c, "target") > 0)
            .count() as u64,
        achieved: cells.iter().map(|c| number(c, "achieved")).sum(),
        target: cells.iter().map(|c| number(c, "target")).sum(),
    }
}
