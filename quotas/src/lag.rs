//! Which communes the case hand-out serves first: those whose quotas lag most, and which
//! communes are exhausted (no landline of theirs is worth dialling any more).
//!
//! A commune's **need** is its remaining completes over its target, summed over its open cells
//! (`Σ max(target − achieved − running, 0) / Σ target`): 1 for a commune not started, 0 for a
//! commune at its targets. The share rather than the count, so that a small commune missing
//! 10 of 12 completes comes before a large one missing 100 of 900. A commune is **exhausted**
//! when, in some margin of the design, every one of its cells is closed or full: any
//! respondent living there would be screened out, so its fixed-line numbers (whose location is
//! known) wait; its mobile numbers are still dialled (the respondent may live elsewhere).

use std::collections::BTreeMap;

/// A quota cell's state, as the hand-out reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CellState {
    /// INSEE code of the cell's commune; `None` for a cell not tied to a commune.
    pub commune: Option<String>,
    /// The design margin holding the cell.
    pub margin: i64,
    /// Completes wanted.
    pub target: i64,
    /// Completes plus running interviews allowed.
    pub capacity: i64,
    /// Completes counted.
    pub achieved: i64,
    /// Accepted interviews still running.
    pub running: i64,
    /// Closed by a manager.
    pub closed: bool,
}

impl CellState {
    fn open(&self) -> bool {
        !self.closed && self.achieved + self.running < self.capacity
    }

    fn remaining(&self) -> i64 {
        if self.closed {
            0
        } else {
            (self.target - self.achieved - self.running).max(0)
        }
    }
}

/// A commune's place in the hand-out.
#[derive(Clone, Debug, PartialEq)]
pub struct CommuneNeed {
    /// INSEE code.
    pub commune: String,
    /// Remaining completes over target, from 0 (done) to 1 (not started).
    pub need: f64,
    /// Every cell of some margin is closed or full.
    pub exhausted: bool,
}

/// The communes of `cells`, most in need first (ties by code, so the order is stable).
pub fn communes_by_need(cells: &[CellState]) -> Vec<CommuneNeed> {
    #[derive(Default)]
    struct Tally {
        remaining: i64,
        target: i64,
        open_by_margin: BTreeMap<i64, bool>,
    }
    let mut tallies: BTreeMap<&str, Tally> = BTreeMap::new();
    for cell in cells {
        let Some(commune) = cell.commune.as_deref() else {
            continue;
        };
        let tally = tallies.entry(commune).or_default();
        tally.remaining += cell.remaining();
        tally.target += cell.target.max(0);
        *tally.open_by_margin.entry(cell.margin).or_default() |= cell.open();
    }
    let mut needs: Vec<CommuneNeed> = tallies
        .into_iter()
        .map(|(commune, tally)| CommuneNeed {
            commune: commune.to_owned(),
            need: if tally.target > 0 {
                tally.remaining as f64 / tally.target as f64
            } else {
                0.0
            },
            exhausted: tally.open_by_margin.values().any(|open| !open),
        })
        .collect();
    needs.sort_by(|a, b| b.need.total_cmp(&a.need).then(a.commune.cmp(&b.commune)));
    needs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(commune: &str, margin: i64, target: i64, achieved: i64) -> CellState {
        CellState {
            commune: Some(commune.to_owned()),
            margin,
            target,
            capacity: target,
            achieved,
            running: 0,
            closed: false,
        }
    }

    #[test]
    fn the_commune_missing_the_largest_share_comes_first() {
        let cells = [
            cell("33063", 0, 900, 800), // missing 100 of 900
            cell("33004", 0, 12, 2),    // missing 10 of 12
            cell("33039", 0, 50, 0),    // not started
        ];
        let order: Vec<String> = communes_by_need(&cells)
            .into_iter()
            .map(|n| n.commune)
            .collect();
        assert_eq!(order, ["33039", "33004", "33063"]);
    }

    #[test]
    fn a_margin_with_every_cell_full_exhausts_the_commune() {
        let cells = [
            cell("33063", 0, 10, 10),
            cell("33063", 1, 5, 5),
            cell("33063", 1, 5, 1),
            cell("33004", 0, 10, 3),
        ];
        let needs = communes_by_need(&cells);
        let bordeaux = needs.iter().find(|n| n.commune == "33063").unwrap();
        assert!(bordeaux.exhausted);
        assert!((bordeaux.need - 0.2).abs() < 1e-12);
        assert!(
            !needs
                .iter()
                .find(|n| n.commune == "33004")
                .unwrap()
                .exhausted
        );
    }

    #[test]
    fn running_interviews_count_towards_the_target_and_closed_cells_need_nothing() {
        let mut running = cell("33063", 0, 10, 4);
        running.running = 6;
        let mut closed = cell("33004", 0, 10, 0);
        closed.closed = true;
        let needs = communes_by_need(&[running, closed]);
        assert!(needs.iter().all(|n| n.need == 0.0 && n.exhausted));
    }

    #[test]
    fn cells_without_a_commune_are_ignored() {
        let mut national = cell("x", 0, 10, 0);
        national.commune = None;
        assert!(communes_by_need(&[national]).is_empty());
    }
}
