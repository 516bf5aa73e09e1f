//! Aggregation of respondents into the cells of the cross-classification of the weighting
//! variables.
//!
//! Every method here gives a respondent the weight `d_i * g(x_i)` where `x_i` only depends on
//! the respondent's categories, so solving on cell totals of `d` gives exactly the row-level
//! solution while iterating on at most a few thousand cells instead of a million rows.

use std::collections::HashMap;

use super::error::WeightError;
use super::respondents::{Column, Respondents};

/// Above this many possible cells, occupied cells are found through a hash map instead of a
/// dense lookup table.
const DENSE_LIMIT: u64 = 1 << 22;

/// Occupied cells of the cross-classification of some variables, with base-weight totals.
#[derive(Debug, Clone)]
pub(crate) struct Cells {
    /// Code of each cell in each variable: `codes[variable][cell]`.
    pub(crate) codes: Vec<Vec<u32>>,
    /// Respondents per cell.
    pub(crate) count: Vec<u64>,
    /// Sum of base weights per cell.
    pub(crate) sum_d: Vec<f64>,
    /// Sum of squared base weights per cell.
    pub(crate) sum_d2: Vec<f64>,
    /// Smallest and largest base weight per cell.
    pub(crate) min_d: Vec<f64>,
    pub(crate) max_d: Vec<f64>,
    /// First respondent (row) of each cell, to name one in messages.
    pub(crate) first_row: Vec<usize>,
    /// Cell of each respondent.
    pub(crate) row_cell: Vec<u32>,
}

enum CellIndex {
    Dense(Vec<u32>),
    Sparse(HashMap<u64, u32>),
}

impl Cells {
    /// Aggregates respondents over the given columns in one pass.
    pub(crate) fn build(
        respondents: &Respondents,
        columns: &[&Column],
    ) -> Result<Self, WeightError> {
        let mut strides = Vec::with_capacity(columns.len());
        let mut size: u64 = 1;
        for column in columns {
            strides.push(size);
            size = size
                .checked_mul(column.categories.len().max(1) as u64)
                .ok_or(WeightError::TooManyCells)?;
        }
        let mut index = if size <= DENSE_LIMIT {
            CellIndex::Dense(vec![u32::MAX; size as usize])
        } else {
            CellIndex::Sparse(HashMap::new())
        };
        let n = respondents.len();
        let base = respondents.base_weights();
        let mut cells = Cells {
            codes: vec![Vec::new(); columns.len()],
            count: Vec::new(),
            sum_d: Vec::new(),
            sum_d2: Vec::new(),
            min_d: Vec::new(),
            max_d: Vec::new(),
            first_row: Vec::new(),
            row_cell: Vec::with_capacity(n),
        };
        for row in 0..n {
            let key: u64 = columns
                .iter()
                .zip(&strides)
                .map(|(c, s)| u64::from(c.codes[row]) * s)
                .sum();
            let slot = match &mut index {
                CellIndex::Dense(table) => &mut table[key as usize],
                CellIndex::Sparse(map) => map.entry(key).or_insert(u32::MAX),
            };
            if *slot == u32::MAX {
                let next =
                    u32::try_from(cells.count.len()).map_err(|_| WeightError::TooManyCells)?;
                *slot = next;
                for (codes, column) in cells.codes.iter_mut().zip(columns) {
                    codes.push(column.codes[row]);
                }
                cells.count.push(0);
                cells.sum_d.push(0.0);
                cells.sum_d2.push(0.0);
                cells.min_d.push(f64::INFINITY);
                cells.max_d.push(f64::NEG_INFINITY);
                cells.first_row.push(row);
            }
            let cell = *slot as usize;
            let d = base.map_or(1.0, |b| b[row]);
            cells.count[cell] += 1;
            cells.sum_d[cell] += d;
            cells.sum_d2[cell] += d * d;
            cells.min_d[cell] = cells.min_d[cell].min(d);
            cells.max_d[cell] = cells.max_d[cell].max(d);
            cells.row_cell.push(*slot);
        }
        Ok(cells)
    }

    /// Number of occupied cells.
    pub(crate) fn len(&self) -> usize {
        self.count.len()
    }

    /// Respondent weights from cell adjustment factors: `w_i = d_i * g_cell(i)`.
    pub(crate) fn expand(&self, respondents: &Respondents, g: &[f64]) -> Vec<f64> {
        match respondents.base_weights() {
            Some(base) => self
                .row_cell
                .iter()
                .zip(base)
                .map(|(&c, d)| d * g[c as usize])
                .collect(),
            None => self.row_cell.iter().map(|&c| g[c as usize]).collect(),
        }
    }
}
