//! Quota designs attached to waves, their cells with the counts the server enforces, and the
//! places interviews hold in them (reservations).
//!
//! A place is taken only by a conditional update (`… where id = $1 and not closed and achieved +
//! in_progress < capacity`), inside one write transaction covering every cell the respondent
//! falls in: concurrent screenings can never push a cell past its capacity. A reservation moves
//! from `reserved` to `achieved` or `released` exactly once, because the move is itself a
//! guarded update (`… where state = 'reserved' returning cell_id`) and only the rows it returns
//! change the counts. Cells are always updated in ascending id order, so that PostgreSQL
//! transactions touching several cells cannot deadlock.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Change, StoreError, Tx, now_ms};

/// A cell to create when a design is attached.
#[derive(Clone, Debug)]
pub struct NewCell {
    /// Text form of the cell key (`commune=33063,sexe=2`).
    pub key: String,
    /// Index of the design's margin holding the cell.
    pub margin: i64,
    /// INSEE code of the cell's commune, when the design has a `commune` dimension.
    pub commune_code: Option<String>,
    /// Completed interviews wanted.
    pub target: i64,
    /// Most completed plus running interviews allowed.
    pub capacity: i64,
    /// `hard` or `soft`.
    pub kind: &'static str,
    /// Tolerance of a soft cell, in basis points.
    pub tolerance_bp: i64,
    /// Closed from the start.
    pub closed: bool,
}

/// A quota cell as stored, with its counts.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct CellRow {
    /// Identifier.
    pub id: i64,
    /// The wave's row id (outside the server a cell is shown within its wave).
    #[serde(skip)]
    pub wave_id: i64,
    /// Text form of the cell key.
    pub cell_key: String,
    /// Index of the design's margin holding the cell.
    pub margin: i64,
    /// INSEE code of the cell's commune, if any.
    pub commune_code: Option<String>,
    /// Completed interviews wanted.
    pub target: i64,
    /// Most completed plus running interviews allowed.
    pub capacity: i64,
    /// `hard` or `soft`.
    pub kind: String,
    /// Tolerance of a soft cell, in basis points.
    pub tolerance_bp: i64,
    /// Closed by a manager.
    pub closed: bool,
    /// Completed interviews counted.
    pub achieved: i64,
    /// Accepted interviews still running.
    pub in_progress: i64,
}

/// The outcome of a reservation attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reservation {
    /// A place was taken in every cell.
    Reserved,
    /// This cell (key text) is closed, full or unknown: nothing was reserved.
    Refused(String),
}

const CELL_COLUMNS: &str = "id, wave_id, cell_key, margin, commune_code, target, capacity, kind, \
     tolerance_bp, closed, achieved, in_progress";

/// Where a place taken by an interview goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PlaceMove {
    /// Counted as a completed interview.
    Achieved,
    /// Given back.
    Released,
}

/// Moves the interview's `reserved` places to `to`, and their counts in the cells: `Achieved`
/// adds each to the achieved count, `Released` only frees it. Returns how many moved; a second
/// call moves nothing. Announces the change to the cells' wave.
async fn move_places(tx: &mut Tx, interview_id: i64, to: PlaceMove) -> Result<u64, StoreError> {
    let state = match to {
        PlaceMove::Achieved => "achieved",
        PlaceMove::Released => "released",
    };
    let moved: Vec<(i64,)> = tx
        .query(
            "update quota_reservations set state = $2, updated_at = $3 \
             where state = 'reserved' and interview_id = $1 returning cell_id",
        )
        .bind(interview_id)
        .bind(state)
        .bind(now_ms())
        .fetch_all()
        .await?;
    let mut per_cell: BTreeMap<i64, i64> = BTreeMap::new();
    for (cell_id,) in &moved {
        *per_cell.entry(*cell_id).or_default() += 1;
    }
    let achieved = i64::from(to == PlaceMove::Achieved);
    for (cell_id, n) in per_cell {
        let (wave_id,): (i64,) = tx
            .query(
                "update quota_cells set in_progress = in_progress - $1, \
                 achieved = achieved + $2 where id = $3 returning wave_id",
            )
            .bind(n)
            .bind(n * achieved)
            .bind(cell_id)
            .fetch_one()
            .await?;
        tx.announce(Change::Wave(wave_id)).await?;
    }
    Ok(moved.len() as u64)
}

/// Attaches a design (its TOML source and cells) to a wave; false, changing nothing, when the
/// wave already has one.
pub async fn attach(
    tx: &mut Tx,
    wave_id: i64,
    source: &str,
    cells: &[NewCell],
) -> Result<bool, StoreError> {
    let now = now_ms();
    let inserted = tx
        .query(
            "insert into quota_designs (wave_id, source, created_at, updated_at) \
             values ($1, $2, $3, $3) on conflict (wave_id) do nothing",
        )
        .bind(wave_id)
        .bind(source)
        .bind(now)
        .execute()
        .await?;
    if inserted != 1 {
        return Ok(false);
    }
    for cell in cells {
        tx.query(
            "insert into quota_cells (wave_id, cell_key, margin, commune_code, target, \
             capacity, kind, tolerance_bp, closed) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(wave_id)
        .bind(&cell.key)
        .bind(cell.margin)
        .bind(&cell.commune_code)
        .bind(cell.target)
        .bind(cell.capacity)
        .bind(cell.kind)
        .bind(cell.tolerance_bp)
        .bind(cell.closed)
        .execute()
        .await?;
    }
    tx.announce(Change::Wave(wave_id)).await?;
    Ok(true)
}

/// The design source (TOML) attached to a wave, if any.
pub async fn design_source(tx: &mut Tx, wave_id: i64) -> Result<Option<String>, StoreError> {
    let row: Option<(String,)> = tx
        .query("select source from quota_designs where wave_id = $1")
        .bind(wave_id)
        .fetch_optional()
        .await?;
    Ok(row.map(|(source,)| source))
}

/// Whether a design is attached to the wave (without reading its source).
pub async fn has_design(tx: &mut Tx, wave_id: i64) -> Result<bool, StoreError> {
    let row: Option<(i64,)> = tx
        .query("select wave_id from quota_designs where wave_id = $1")
        .bind(wave_id)
        .fetch_optional()
        .await?;
    Ok(row.is_some())
}

/// A wave's cells, by margin and key.
pub async fn cells(tx: &mut Tx, wave_id: i64) -> Result<Vec<CellRow>, StoreError> {
    let sql =
        format!("select {CELL_COLUMNS} from quota_cells where wave_id = $1 order by margin, id");
    tx.query(&sql).bind(wave_id).fetch_all().await
}

/// One cell.
pub async fn cell(tx: &mut Tx, cell_id: i64) -> Result<Option<CellRow>, StoreError> {
    let sql = format!("select {CELL_COLUMNS} from quota_cells where id = $1");
    tx.query(&sql).bind(cell_id).fetch_optional().await
}

/// One cell, locked against concurrent changes until the transaction ends (SQLite's write
/// transaction already excludes every other writer).
pub async fn cell_for_update(tx: &mut Tx, cell_id: i64) -> Result<Option<CellRow>, StoreError> {
    let sql = match tx.backend() {
        super::Backend::Sqlite => format!("select {CELL_COLUMNS} from quota_cells where id = $1"),
        super::Backend::Postgres => {
            format!("select {CELL_COLUMNS} from quota_cells where id = $1 for update")
        }
    };
    tx.query(&sql).bind(cell_id).fetch_optional().await
}

/// Changes a cell's target, capacity and closed flag (counts are kept).
pub async fn update_cell(tx: &mut Tx, cell: &CellRow) -> Result<bool, StoreError> {
    let updated = tx
        .query("update quota_cells set target = $1, capacity = $2, closed = $3 where id = $4")
        .bind(cell.target)
        .bind(cell.capacity)
        .bind(cell.closed)
        .bind(cell.id)
        .execute()
        .await?;
    tx.announce(Change::Wave(cell.wave_id)).await?;
    Ok(updated == 1)
}

/// Takes one place for `interview_id` in each cell of `keys` (a wave's cell key texts), all or
/// nothing. Places the interview held before (a respondent whose quota answers were corrected)
/// are given back first. On [`Reservation::Refused`] the caller must roll the transaction back
/// (places may have been taken in earlier cells), then give back the interview's places.
pub async fn reserve(
    tx: &mut Tx,
    wave_id: i64,
    interview_id: i64,
    keys: &[String],
) -> Result<Reservation, StoreError> {
    let now = now_ms();
    move_places(tx, interview_id, PlaceMove::Released).await?;
    let mut ids: Vec<(i64, &String)> = Vec::with_capacity(keys.len());
    for key in keys {
        let id: Option<(i64,)> = tx
            .query("select id from quota_cells where wave_id = $1 and cell_key = $2")
            .bind(wave_id)
            .bind(key)
            .fetch_optional()
            .await?;
        match id {
            Some((id,)) => ids.push((id, key)),
            None => return Ok(Reservation::Refused(key.clone())),
        }
    }
    ids.sort();
    for (id, key) in &ids {
        let taken = tx
            .query(
                "update quota_cells set in_progress = in_progress + 1 \
                 where id = $1 and not closed and achieved + in_progress < capacity",
            )
            .bind(*id)
            .execute()
            .await?;
        if taken == 0 {
            return Ok(Reservation::Refused((*key).clone()));
        }
        tx.query(
            "insert into quota_reservations (interview_id, cell_id, state, created_at, \
             updated_at) values ($1, $2, 'reserved', $3, $3)",
        )
        .bind(interview_id)
        .bind(*id)
        .bind(now)
        .execute()
        .await?;
    }
    tx.announce(Change::Wave(wave_id)).await?;
    Ok(Reservation::Reserved)
}

/// Counts the interview's places as achieved (a completed interview); returns how many moved.
/// Running it again moves nothing.
pub async fn achieve(tx: &mut Tx, interview_id: i64) -> Result<u64, StoreError> {
    move_places(tx, interview_id, PlaceMove::Achieved).await
}

/// Gives back the interview's places (broken off, abandoned, screened out); returns how many
/// moved. Running it again moves nothing.
pub async fn release(tx: &mut Tx, interview_id: i64) -> Result<u64, StoreError> {
    move_places(tx, interview_id, PlaceMove::Released).await
}

/// Places still held by interviews that have ended: a database written by an earlier version,
/// which moved places in a separate transaction, may have some after a crash. Returns the
/// interviews and their final status, for [`repair`].
pub async fn stranded(tx: &mut Tx) -> Result<Vec<(i64, String)>, StoreError> {
    tx.query(
        "select distinct r.interview_id, i.status from quota_reservations r \
         join interviews i on i.id = r.interview_id \
         where r.state = 'reserved' and i.status <> 'in_progress' order by r.interview_id",
    )
    .fetch_all()
    .await
}

/// Moves the places of an ended interview found by [`stranded`]: achieved when it completed,
/// given back otherwise.
pub async fn repair(tx: &mut Tx, interview_id: i64, status: &str) -> Result<u64, StoreError> {
    let to = if status == "completed" {
        PlaceMove::Achieved
    } else {
        PlaceMove::Released
    };
    move_places(tx, interview_id, to).await
}

/// Reservations of an interview still holding a place, as cell ids.
pub async fn reserved_cells(tx: &mut Tx, interview_id: i64) -> Result<Vec<i64>, StoreError> {
    let rows: Vec<(i64,)> = tx
        .query(
            "select cell_id from quota_reservations where interview_id = $1 \
             and state = 'reserved' order by cell_id",
        )
        .bind(interview_id)
        .fetch_all()
        .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}
