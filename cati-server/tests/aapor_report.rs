//! The AAPOR report equals hand-computed rates on a constructed set of dispositions, with
//! unknown-eligibility cases and `e` below 1, for the wave and for each commune; it reads the
//! disposition counters, which follow every change of a case's disposition.

use cati_server::auth::Actor;
use cati_server::services::report::{self, ReportBy};
use fieldwork::EligibilityRate;

mod common;
use common::{Scratch, on_both_backends};

fn close(actual: Option<f64>, expected: f64) {
    let actual = actual.expect("a rate");
    assert!((actual - expected).abs() < 1e-12, "{actual} ≠ {expected}");
}

async fn aapor_rates_equal_hand_computed_values(postgres: bool) {
    let scratch = Scratch::new(postgres).await;
    let db = &scratch.db;
    common::fixture_wave(db, false).await;
    // Eleven cases: I 2, P 1, R 2, NC 1, O 1, UH 2, UO 1, NE 1; the first six in Bordeaux.
    let codes = [
        "1.1", "1.2", "2.111", "2.21", "3.13", "4.30", "1.1", "2.12", "2.30", "3.13", "3.21",
    ];
    let mut list = "id;telephone;commune\n".to_owned();
    for (i, _) in codes.iter().enumerate() {
        let commune = if i < 6 { "33063" } else { "33281" };
        list.push_str(&format!("C{i};05 56 00 00 {i:02};{commune}\n"));
    }
    common::import_list(db, "1", &list).await;
    let mut tx = db.write().await.expect("write");
    for (i, code) in codes.iter().enumerate() {
        tx.query("update sample_cases set disposition = $1 where external_id = $2")
            .bind(*code)
            .bind(format!("C{i}"))
            .execute()
            .await
            .expect("disposition");
    }
    tx.commit().await.expect("commit");

    let wave = report::aapor(
        db,
        Actor::Operator,
        "1",
        ReportBy::Commune,
        &EligibilityRate::Proportional,
    )
    .await
    .expect("report");
    let all = &wave.rows[0].rates;
    assert_eq!(wave.rows[0].group, "Ensemble");
    assert_eq!(
        (all.counts.complete, all.counts.partial, all.counts.refusal),
        (2, 1, 2)
    );
    assert_eq!(all.counts.unknown(), 3);
    // A = 7, U = 3, NE = 1: e = 7/8.
    close(all.eligibility.e, 7.0 / 8.0);
    close(all.rr1, 2.0 / 10.0);
    close(all.rr2, 3.0 / 10.0);
    close(all.rr3, 2.0 / (7.0 + 0.875 * 3.0));
    close(all.rr4, 3.0 / (7.0 + 0.875 * 3.0));
    close(all.rr5, 2.0 / 7.0);
    close(all.rr6, 3.0 / 7.0);
    close(all.coop1, 2.0 / 6.0);
    close(all.coop3, 2.0 / 5.0);
    close(all.ref1, 2.0 / 10.0);
    close(all.con1, 6.0 / 10.0);
    assert!(wave.rows[0].eligibility_basis.contains("7 / 8"));

    // By commune: Bordeaux holds I 1, P 1, R 1, NC 1, UH 1, NE 1.
    let bordeaux = wave
        .rows
        .iter()
        .find(|r| r.group.contains("33063"))
        .expect("Bordeaux");
    assert!(bordeaux.group.starts_with("Bordeaux"), "{}", bordeaux.group);
    close(bordeaux.rates.rr1, 1.0 / 5.0);
    close(bordeaux.rates.eligibility.e, 4.0 / 5.0);
    close(bordeaux.rates.rr3, 1.0 / (4.0 + 0.8));

    // A given e, with its basis.
    let given = EligibilityRate::Given {
        e: 0.5,
        basis: "enquête de 2025".to_owned(),
    };
    let wave = report::aapor(db, Actor::Operator, "1", ReportBy::Wave, &given)
        .await
        .expect("report");
    assert_eq!(wave.rows.len(), 1);
    close(wave.rows[0].rates.rr3, 2.0 / 8.5);
    assert!(wave.rows[0].eligibility_basis.contains("enquête de 2025"));
    scratch.drop_database().await;
}
on_both_backends!(aapor_rates_equal_hand_computed_values);
