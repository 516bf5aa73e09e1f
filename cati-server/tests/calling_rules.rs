//! Several simulated days of calls through the calls service on a manual clock: calls happen
//! only inside the calling windows (never on Sunday nor on a public holiday: the week played
//! holds two), appointments are
//! honoured (firm ones by the interviewer who booked them, flexible ones within their period,
//! missed ones retried and flagged), the attempt caps hold, and soft refusals go to refusal
//! converters only.

use std::collections::BTreeMap;

use cati_server::auth::Actor;
use cati_server::clock::Clock;
use cati_server::services::calls::{self, OutcomeRequest};
use cati_server::services::rules;
use cati_server::services::waves;
use cati_server::state::Settings;
use cati_server::store::cases::{self, CaseStatus};
use cati_server::store::surveys::WaveStatus;
use fieldwork::RulesConfig;
use jiff::Timestamp;
use jiff::tz::TimeZone;

mod common;
use common::{Scratch, on_both_backends};

/// One call made in the simulation.
#[derive(Clone, Debug)]
struct Call {
    case: String,
    by: String,
    at: Timestamp,
}

fn paris(at: Timestamp) -> jiff::Zoned {
    at.to_zoned(TimeZone::get("Europe/Paris").expect("tz"))
}

/// A local time in Paris on the given day of May 2027.
fn may(day: i8, hour: i8, minute: i8) -> Timestamp {
    jiff::civil::date(2027, 5, day)
        .at(hour, minute, 0, 0)
        .to_zoned(TimeZone::get("Europe/Paris").expect("tz"))
        .expect("local time")
        .timestamp()
}

fn request(outcome: &str, at: Option<Timestamp>, until: Option<Timestamp>) -> OutcomeRequest {
    OutcomeRequest {
        outcome: outcome.to_owned(),
        number: None,
        note: None,
        appointment_at: at.map(|t| t.to_string()),
        appointment_until: until.map(|t| t.to_string()),
    }
}

async fn simulated_days_follow_the_calling_rules(postgres: bool) {
    let scratch = Scratch::new(postgres).await;
    let db = &scratch.db;
    common::fixture_wave(db, false).await;
    // French defaults, with a cap of 4 calls and a refusal conversion after one day, so that
    // both show within the week played.
    let mut config = RulesConfig {
        max_attempts: 4,
        ..RulesConfig::default()
    };
    config.recall.soft_refusal_minutes = 24 * 60;
    rules::set(db, Actor::Operator, "1", &config)
        .await
        .expect("rules");
    let checked = config.validate().expect("valid rules");
    let list = "id;telephone\nNA1;05 56 00 00 01\nNA2;05 56 00 00 02\nNA3;06 12 00 00 03\n\
                NA4;06 12 00 00 04\nFERME;05 56 00 00 05\nSOUPLE;05 56 00 00 06\n\
                MANQUE;05 56 00 00 07\nREFUS;05 56 00 00 08\n";
    common::import_list(db, "1", list).await;
    let team = [
        common::interviewer(db, "ana").await,
        common::interviewer(db, "bruno").await,
        common::interviewer(db, "chloe").await,
    ];
    rules::set_converter(db, Actor::Operator, "chloe", true)
        .await
        .expect("converter");
    waves::set_status(db, Actor::Operator, "1", WaveStatus::Open)
        .await
        .expect("open");

    // Wednesday 5 May 2027, 07:00 in Paris; Thursday 6 is Ascension Day.
    let clock = Clock::manual(may(5, 7, 0).as_millisecond());
    let settings = Settings {
        clock: clock.clone(),
        ..Settings::default()
    };
    let state = cati_server::server::state(db.clone(), settings)
        .await
        .expect("state");

    let mut calls: Vec<Call> = Vec::new();
    let mut booked: BTreeMap<&str, (String, Timestamp, Option<Timestamp>)> = BTreeMap::new();
    // Until Sunday 16: no-answer recalls rotate through the four slots, the fourth being the
    // Saturday one, and Saturday 8 is a holiday.
    let end = may(16, 0, 0);
    while clock.now() < end {
        let now = clock.now();
        for member in &team {
            let Some(case) = calls::next(&state, member).await.expect("claim") else {
                continue;
            };
            let key = case.external_id.clone();
            calls.push(Call {
                case: key.clone(),
                by: member.user.username.clone(),
                at: now,
            });
            let first = calls.iter().filter(|c| c.case == key).count() == 1;
            let local = paris(now);
            let outcome = match key.as_str() {
                // Firm appointment: refused on Ascension Day (the windows are closed), taken
                // on Friday at 18:00.
                "FERME" if first => {
                    let holiday = request("appointment", Some(may(6, 18, 0)), None);
                    let refused = calls::record_outcome(&state, member, case.case_id, &holiday)
                        .await
                        .expect_err("a holiday appointment");
                    assert!(
                        refused.to_string().contains("hors des horaires d'appel"),
                        "{refused}"
                    );
                    let at = may(7, 18, 0);
                    booked.insert("FERME", (member.user.username.clone(), at, None));
                    request("appointment", Some(at), None)
                }
                // Flexible: on Friday between 10:30 and 12:00.
                "SOUPLE" if first => {
                    let (from, until) = (may(7, 10, 30), may(7, 12, 0));
                    booked.insert("SOUPLE", (member.user.username.clone(), from, Some(until)));
                    request("appointment", Some(from), Some(until))
                }
                // Firm appointment at which nobody picks up.
                "MANQUE" if first => {
                    let at = may(local.day(), 15, 0).max(may(7, 15, 0));
                    booked.insert("MANQUE", (member.user.username.clone(), at, None));
                    request("appointment", Some(at), None)
                }
                "REFUS" if first => request("soft_refusal", None, None),
                "REFUS" | "FERME" | "SOUPLE" => request("completed_elsewhere", None, None),
                _ => request("no_answer", None, None),
            };
            // The respondents reached again refuse for good.
            let outcome = if outcome.outcome == "completed_elsewhere" {
                request("refusal", None, None)
            } else {
                outcome
            };
            calls::record_outcome(&state, member, case.case_id, &outcome)
                .await
                .expect("outcome");
            if key == "MANQUE" && !first && calls.iter().filter(|c| c.case == key).count() == 2 {
                let mut tx = db.read().await.expect("read");
                let row = cases::by_uuid(&mut tx, case.case_id)
                    .await
                    .expect("case")
                    .expect("exists");
                tx.commit().await.expect("commit");
                assert!(row.missed_appointment, "flagged as missed: {row:?}");
                assert!(row.priority < 200, "raised in priority: {}", row.priority);
            }
        }
        clock.advance(10 * 60 * 1000);
    }

    // Every call inside the windows: never on Ascension Day (Thursday 6), on Victory Day
    // (Saturday 8) nor on Sundays, never at night.
    assert!(!calls.is_empty());
    for call in &calls {
        assert!(
            checked.windows().is_open(call.at),
            "call outside the windows: {call:?} ({})",
            paris(call.at)
        );
        assert!(![6, 8, 9].contains(&paris(call.at).day()), "{call:?}");
        assert_ne!(
            paris(call.at).weekday(),
            jiff::civil::Weekday::Sunday,
            "{call:?}"
        );
    }
    let days: std::collections::BTreeSet<i8> = calls.iter().map(|c| paris(c.at).day()).collect();
    for day in [5, 7, 10, 15] {
        assert!(days.contains(&day), "calls on day {day}: {days:?}");
    }

    let of = |key: &str| -> Vec<Call> { calls.iter().filter(|c| c.case == key).cloned().collect() };
    // The cap: four calls, at most two a day, each in another time slot (morning, afternoon,
    // evening, Saturday), then final (never contacted: 3.90).
    for key in ["NA1", "NA2", "NA3", "NA4"] {
        let made = of(key);
        assert_eq!(made.len(), 4, "{key}: {made:?}");
        let slots: std::collections::BTreeSet<_> =
            made.iter().map(|c| checked.slot_of(c.at)).collect();
        assert_eq!(slots.len(), 4, "{key}: {made:?}");
        let mut per_day: BTreeMap<i8, usize> = BTreeMap::new();
        for call in &made {
            *per_day.entry(paris(call.at).day()).or_default() += 1;
        }
        assert!(per_day.values().all(|n| *n <= 2), "{key}: {per_day:?}");
    }
    let mut tx = db.read().await.expect("read");
    let finals = cases::search(
        &mut tx,
        1,
        &cases::CaseFilter {
            status: Some(CaseStatus::Final),
            ..Default::default()
        },
        None,
        100,
    )
    .await
    .expect("search");
    tx.commit().await.expect("commit");
    for key in ["NA1", "NA2", "NA3", "NA4"] {
        let case = finals.iter().find(|c| c.external_id == key).expect(key);
        assert_eq!(case.final_aapor.as_deref(), Some("3.90"), "{key}");
    }

    // The firm appointment: called back at its time, by the interviewer who booked it.
    let (booker, at, _) = booked["FERME"].clone();
    let firm = of("FERME");
    assert_eq!(firm.len(), 2, "{firm:?}");
    assert!(firm[1].at >= at && firm[1].at < at + jiff::SignedDuration::from_mins(5));
    assert_eq!(firm[1].by, booker);

    // The flexible one: within its period.
    let (_, from, until) = booked["SOUPLE"].clone();
    let flexible = of("SOUPLE");
    assert_eq!(flexible.len(), 2, "{flexible:?}");
    assert!(
        flexible[1].at >= from && flexible[1].at < until.unwrap(),
        "{flexible:?}"
    );

    // The missed one: called at its time, then again a quarter of an hour later.
    let (_, at, _) = booked["MANQUE"].clone();
    let missed = of("MANQUE");
    assert!(missed.len() >= 3, "{missed:?}");
    assert!(missed[1].at >= at);
    assert!(missed[2].at >= missed[1].at + jiff::SignedDuration::from_mins(15));
    assert!(missed[2].at <= missed[1].at + jiff::SignedDuration::from_mins(30));

    // The soft refusal: converted a day later, by the converter only.
    let refusal = of("REFUS");
    assert_eq!(refusal.len(), 2, "{refusal:?}");
    assert!(refusal[1].at >= refusal[0].at + jiff::SignedDuration::from_hours(24));
    assert_eq!(refusal[1].by, "chloe");
    // The queue's invariant: a case marked due is waiting in the queue (not held, not final,
    // released), so the hand-out's indexes never offer anything else.
    let mut tx = db.read().await.expect("read");
    let (strays,): (i64,) = tx
        .query(
            "select count(*) from sample_cases where due and not (held_by is null and released \
             and status in ('pending', 'appointment'))",
        )
        .fetch_one()
        .await
        .expect("count");
    tx.commit().await.expect("commit");
    assert_eq!(strays, 0);
    scratch.drop_database().await;
}
on_both_backends!(simulated_days_follow_the_calling_rules);
