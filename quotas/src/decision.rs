//! Accept or screen out a respondent from the state of their cells, and the per-stratum
//! figures a scheduler needs (stop dialling a full commune, dial lagging communes first).

use crate::design::{Cell, CellKey};
use crate::rule::Rule;
use std::collections::BTreeSet;
use std::fmt;

/// A cell's definition and its current counts, as the server reads them from its database.
#[derive(Debug, Clone, PartialEq)]
pub struct CellStatus {
    /// The cell.
    pub key: CellKey,
    /// Completed interviews wanted.
    pub target: u64,
    /// Hard or soft with a tolerance.
    pub rule: Rule,
    /// Closed by a manager.
    pub closed: bool,
    /// Completed interviews counted in the cell.
    pub achieved: u64,
    /// Interviews accepted in the cell and still running (reserved places).
    pub in_progress: u64,
}

impl CellStatus {
    /// The status of a design cell with these counts.
    pub fn new(cell: &Cell, achieved: u64, in_progress: u64) -> Self {
        Self {
            key: cell.key.clone(),
            target: cell.target,
            rule: cell.rule,
            closed: cell.closed,
            achieved,
            in_progress,
        }
    }

    /// See [`crate::capacity`].
    pub fn capacity(&self) -> u64 {
        self.rule.capacity(self.target)
    }

    /// Places used: completed plus reserved.
    pub fn used(&self) -> u64 {
        self.achieved.saturating_add(self.in_progress)
    }

    /// No place left: `achieved + in_progress >= capacity` (whether or not closed).
    pub fn is_full(&self) -> bool {
        self.used() >= self.capacity()
    }

    /// One more respondent may be accepted: open and `achieved + in_progress < capacity`.
    pub fn has_room(&self) -> bool {
        !self.closed && !self.is_full()
    }

    /// Places left before capacity (0 when closed).
    pub fn places_left(&self) -> u64 {
        if self.closed {
            0
        } else {
            self.capacity().saturating_sub(self.used())
        }
    }

    /// Interviews still needed to reach the target, counting running interviews as done
    /// (0 when closed).
    pub fn gap(&self) -> u64 {
        if self.closed {
            0
        } else {
            self.target.saturating_sub(self.used())
        }
    }
}

/// The outcome of the quota check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Every cell has room: reserve a place in each and go on with the interview.
    Accept,
    /// At least one cell refuses; every refusing cell is listed, in the order given.
    ScreenOut(Vec<Blocked>),
}

/// A cell that refuses the respondent, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocked {
    /// The refusing cell.
    pub cell: CellKey,
    /// Why it refuses.
    pub reason: BlockReason,
}

/// Why a cell refuses a respondent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockReason {
    /// A manager closed the cell.
    Closed,
    /// `achieved + in_progress >= capacity`.
    Full {
        /// The cell's capacity.
        capacity: u64,
        /// Completed interviews.
        achieved: u64,
        /// Running interviews.
        in_progress: u64,
    },
}

impl fmt::Display for Blocked {
    /// A French sentence for the supervisor (`quota atteint : commune=33063,sexe=2 …`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.reason {
            BlockReason::Closed => write!(f, "cellule fermée : {}", self.cell),
            BlockReason::Full {
                capacity,
                achieved,
                in_progress,
            } => write!(
                f,
                "quota atteint : {} (capacité {capacity}, réalisés {achieved}, en cours {in_progress})",
                self.cell
            ),
        }
    }
}

/// Decides on a respondent from the status of each cell they fall in (one per margin): accept
/// when every cell has room, otherwise screen out naming each closed or full cell. An empty
/// list constrains nothing and accepts. The server must then reserve the places atomically
/// (`UPDATE … SET in_progress = in_progress + 1 WHERE key = ? AND NOT closed AND achieved +
/// in_progress < capacity`), since counts may have moved since they were read.
pub fn decide(cells: &[CellStatus]) -> Decision {
    let blocked: Vec<Blocked> = cells
        .iter()
        .filter_map(|cell| {
            let reason = if cell.closed {
                BlockReason::Closed
            } else if cell.is_full() {
                BlockReason::Full {
                    capacity: cell.capacity(),
                    achieved: cell.achieved,
                    in_progress: cell.in_progress,
                }
            } else {
                return None;
            };
            Some(Blocked {
                cell: cell.key.clone(),
                reason,
            })
        })
        .collect();
    if blocked.is_empty() {
        Decision::Accept
    } else {
        Decision::ScreenOut(blocked)
    }
}

/// Progress of one category of a dimension (a commune), over the cells that carry it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StratumProgress {
    /// The category code (the commune's INSEE code).
    pub code: i64,
    /// Target of the category: the largest sum of cell targets over the margins that carry it
    /// (margins agree when the design comes from a plan).
    pub target: u64,
    /// Completed interviews (largest sum over margins).
    pub achieved: u64,
    /// Running interviews (largest sum over margins).
    pub in_progress: u64,
    /// Interviews still needed: the largest, over margins, of the sum of cell gaps
    /// ([`CellStatus::gap`]); cells over target do not offset cells under target.
    pub gap: u64,
    /// Dialling priority from 0 to 100: the gap as a percentage of the target, rounded half
    /// up (100 = nothing done yet, 0 = target reached or nothing to do).
    pub priority: u8,
    /// No respondent of this category can be accepted any more: in some margin, every cell
    /// carrying it is closed or full. The scheduler stops dialling its cases.
    pub exhausted: bool,
}

/// Progress of category `code` of `dimension` over the cells that carry it; `None` when no
/// cell does.
pub fn stratum_progress(
    cells: &[CellStatus],
    dimension: &str,
    code: i64,
) -> Option<StratumProgress> {
    let carrying: Vec<&CellStatus> = cells
        .iter()
        .filter(|c| c.key.code(dimension) == Some(code))
        .collect();
    if carrying.is_empty() {
        return None;
    }
    let margins: BTreeSet<Vec<&str>> = carrying
        .iter()
        .map(|c| c.key.dimensions().collect())
        .collect();
    let mut progress = StratumProgress {
        code,
        target: 0,
        achieved: 0,
        in_progress: 0,
        gap: 0,
        priority: 0,
        exhausted: false,
    };
    for margin in &margins {
        let in_margin: Vec<&&CellStatus> = carrying
            .iter()
            .filter(|c| c.key.dimensions().eq(margin.iter().copied()))
            .collect();
        let sum =
            |f: fn(&CellStatus) -> u64| in_margin.iter().fold(0u64, |a, c| a.saturating_add(f(c)));
        progress.target = progress.target.max(sum(|c| c.target));
        progress.achieved = progress.achieved.max(sum(|c| c.achieved));
        progress.in_progress = progress.in_progress.max(sum(|c| c.in_progress));
        progress.gap = progress.gap.max(sum(CellStatus::gap));
        progress.exhausted |= in_margin.iter().all(|c| !c.has_room());
    }
    progress.priority = percent_half_up(progress.gap, progress.target);
    Some(progress)
}

/// [`stratum_progress`] for every category of `dimension` found in the cells, by code.
pub fn progress_by(cells: &[CellStatus], dimension: &str) -> Vec<StratumProgress> {
    let codes: BTreeSet<i64> = cells.iter().filter_map(|c| c.key.code(dimension)).collect();
    codes
        .into_iter()
        .filter_map(|code| stratum_progress(cells, dimension, code))
        .collect()
}

fn percent_half_up(part: u64, whole: u64) -> u8 {
    if whole == 0 {
        return 0;
    }
    let percent = (200 * u128::from(part.min(whole)) + u128::from(whole)) / (2 * u128::from(whole));
    // part <= whole, so percent <= 100.
    u8::try_from(percent).unwrap_or(100)
}
