//! Accept or screen out at the boundaries, and the per-commune figures for the scheduler.

use quotas::{
    BlockReason, CellKey, CellStatus, Decision, Rule, Tolerance, decide, progress_by,
    stratum_progress,
};

fn status(key: &str, target: u64, rule: Rule, achieved: u64, in_progress: u64) -> CellStatus {
    CellStatus {
        key: key.parse::<CellKey>().expect("valid key"),
        target,
        rule,
        closed: false,
        achieved,
        in_progress,
    }
}

fn soft(percent: f64) -> Rule {
    Rule::Soft(Tolerance::from_percent(percent).expect("valid"))
}

#[test]
fn last_place_in_a_hard_cell_is_accepted() {
    let cell = status("commune=33063", 10, Rule::Hard, 8, 1);
    assert_eq!(decide(&[cell]), Decision::Accept);
}

#[test]
fn quota_full_screens_out_respondent() {
    let cell = status("commune=33063", 10, Rule::Hard, 9, 1);
    assert_eq!(
        decide(std::slice::from_ref(&cell)),
        Decision::ScreenOut(vec![quotas::Blocked {
            cell: cell.key.clone(),
            reason: BlockReason::Full {
                capacity: 10,
                achieved: 9,
                in_progress: 1
            },
        }])
    );
}

#[test]
fn running_interviews_count_against_the_capacity() {
    assert!(matches!(
        decide(&[status("commune=33063", 10, Rule::Hard, 0, 10)]),
        Decision::ScreenOut(_)
    ));
}

#[test]
fn soft_cell_accepts_up_to_its_tolerance() {
    // Capacity floor(40 × 1.05) = 42.
    assert_eq!(
        decide(&[status("commune=33063", 40, soft(5.0), 40, 1)]),
        Decision::Accept
    );
    assert!(matches!(
        decide(&[status("commune=33063", 40, soft(5.0), 41, 1)]),
        Decision::ScreenOut(ref b) if b[0].reason == BlockReason::Full { capacity: 42, achieved: 41, in_progress: 1 }
    ));
    // floor(19 × 1.05) = 19: a small soft cell gets no extra place.
    assert!(matches!(
        decide(&[status("commune=33063", 19, soft(5.0), 19, 0)]),
        Decision::ScreenOut(_)
    ));
}

#[test]
fn closed_cell_screens_out_even_when_empty() {
    let mut cell = status("commune=33063", 10, Rule::Hard, 0, 0);
    cell.closed = true;
    let Decision::ScreenOut(blocked) = decide(&[cell]) else {
        panic!("must screen out")
    };
    assert_eq!(blocked[0].reason, BlockReason::Closed);
    assert_eq!(blocked[0].to_string(), "cellule fermée : commune=33063");
}

#[test]
fn one_full_margin_cell_screens_out_and_is_named() {
    let sex = status("commune=33063,sexe=2", 50, Rule::Hard, 50, 0);
    let age = status("commune=33063,age=1", 20, Rule::Hard, 3, 0);
    let Decision::ScreenOut(blocked) = decide(&[sex, age]) else {
        panic!("must screen out")
    };
    assert_eq!(blocked.len(), 1);
    assert_eq!(
        blocked[0].to_string(),
        "quota atteint : commune=33063,sexe=2 (capacité 50, réalisés 50, en cours 0)"
    );
}

#[test]
fn zero_target_cell_accepts_nobody() {
    assert!(matches!(
        decide(&[status("commune=33063", 0, soft(50.0), 0, 0)]),
        Decision::ScreenOut(_)
    ));
}

#[test]
fn no_cell_constrains_nothing() {
    assert_eq!(decide(&[]), Decision::Accept);
}

#[test]
fn commune_is_exhausted_when_every_cell_of_one_margin_is_full_or_closed() {
    let mut cells = vec![
        status("commune=33063,sexe=1", 10, Rule::Hard, 10, 0),
        status("commune=33063,sexe=2", 10, Rule::Hard, 9, 1),
        status("commune=33063,age=1", 8, Rule::Hard, 2, 0),
        status("commune=33063,age=2", 12, Rule::Hard, 5, 0),
        status("commune=33281,sexe=1", 5, Rule::Hard, 5, 0),
        status("commune=33281,sexe=2", 5, Rule::Hard, 0, 0),
        status("commune=33281,age=1", 4, Rule::Hard, 0, 0),
        status("commune=33281,age=2", 6, Rule::Hard, 5, 0),
    ];
    let bordeaux = stratum_progress(&cells, "commune", 33063).expect("present");
    assert!(bordeaux.exhausted);
    let merignac = stratum_progress(&cells, "commune", 33281).expect("present");
    assert!(!merignac.exhausted);
    cells[5].closed = true;
    assert!(
        stratum_progress(&cells, "commune", 33281)
            .expect("present")
            .exhausted
    );
    assert_eq!(stratum_progress(&cells, "commune", 1), None);
}

#[test]
fn gap_and_priority_show_how_far_a_commune_is_from_its_target() {
    let cells = vec![
        status("commune=33063,sexe=1", 10, Rule::Hard, 4, 1),
        status("commune=33063,sexe=2", 10, Rule::Hard, 12, 0),
        status("commune=33281,sexe=1", 5, Rule::Hard, 0, 0),
        status("commune=33281,sexe=2", 5, Rule::Hard, 0, 0),
    ];
    let progress = progress_by(&cells, "commune");
    assert_eq!(progress.len(), 2);
    let bordeaux = progress[0];
    // Overshoot in sexe=2 does not offset the 5 still needed in sexe=1.
    assert_eq!(
        (
            bordeaux.code,
            bordeaux.target,
            bordeaux.achieved,
            bordeaux.in_progress
        ),
        (33063, 20, 16, 1)
    );
    assert_eq!((bordeaux.gap, bordeaux.priority), (5, 25));
    assert_eq!((progress[1].gap, progress[1].priority), (10, 100));
}

#[test]
fn capacity_helpers_agree_with_the_decision() {
    let cell = status("commune=33063", 40, soft(5.0), 30, 5);
    assert_eq!(
        (cell.capacity(), cell.places_left(), cell.gap()),
        (42, 7, 5)
    );
    assert!(cell.has_room() && !cell.is_full());
}
