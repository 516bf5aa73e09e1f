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

use super::{Db, StoreError, WritePool, now_ms, on_pool};

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
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct CellRow {
    /// Identifier.
    pub id: i64,
    /// The wave.
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

/// Cases still to be finalised in a commune of a wave.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct SampleLeft {
    /// INSEE code.
    pub commune_code: String,
    /// Cases not final yet (pending, appointment or in interview).
    pub cases: i64,
}

const CELL_COLUMNS: &str = "id, wave_id, cell_key, margin, commune_code, target, capacity, kind, \
     tolerance_bp, closed, achieved, in_progress";

/// Moves the `reserved` reservations matching `$cond` (SQL on `quota_reservations` with one
/// parameter `$1`, bound to `$param`) to `$state`, and moves their places in the cell counts:
/// `achieved` adds each to the achieved count, `released` only frees it. Runs inside an open
/// write transaction; expands to the number of reservations moved.
macro_rules! move_reservations {
    ($tx:expr, $cond:expr, $param:expr, $state:expr) => {{
        let state: &str = $state;
        let sql = format!(
            "update quota_reservations set state = $2, updated_at = $3 \
             where state = 'reserved' and {} returning cell_id",
            $cond
        );
        let moved: Vec<(i64,)> = sqlx::query_as(&sql)
            .bind($param)
            .bind(state)
            .bind(now_ms())
            .fetch_all(&mut *$tx)
            .await?;
        let mut per_cell: BTreeMap<i64, i64> = BTreeMap::new();
        for (cell_id,) in &moved {
            *per_cell.entry(*cell_id).or_default() += 1;
        }
        let achieved = i64::from(state == "achieved");
        for (cell_id, n) in per_cell {
            sqlx::query(
                "update quota_cells set in_progress = in_progress - $1, \
                 achieved = achieved + $2 where id = $3",
            )
            .bind(n)
            .bind(n * achieved)
            .bind(cell_id)
            .execute(&mut *$tx)
            .await?;
        }
        moved.len() as u64
    }};
}

/// Reservations of interviews of wave `$1` that ended without going through the quota service
/// (a final outcome recorded on a partial interview, a crash between saving and counting).
const ENDED_IN_WAVE: &str = "interview_id in (select i.id from interviews i \
     join sample_cases c on c.id = i.case_id where c.wave_id = $1 and i.status = '{status}')";

/// Brings the wave's counts in line with its interviews' statuses inside an open transaction:
/// reservations of completed interviews become achieved, those of interviews broken off or
/// screened out are released.
macro_rules! reconcile_wave {
    ($tx:expr, $wave_id:expr) => {{
        let completed = ENDED_IN_WAVE.replace("{status}", "completed");
        let mut moved = move_reservations!($tx, completed, $wave_id, "achieved");
        for status in ["broken_off", "screened_out"] {
            let cond = ENDED_IN_WAVE.replace("{status}", status);
            moved += move_reservations!($tx, cond, $wave_id, "released");
        }
        moved
    }};
}

/// Attaches a design (its TOML source and cells) to a wave; false, changing nothing, when the
/// wave already has one.
pub async fn attach(
    db: &Db,
    wave_id: i64,
    source: &str,
    cells: &[NewCell],
) -> Result<bool, StoreError> {
    let now = now_ms();
    let attached = on_pool!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        let inserted = sqlx::query(
            "insert into quota_designs (wave_id, source, created_at, updated_at) \
             values ($1, $2, $3, $3) on conflict (wave_id) do nothing",
        )
        .bind(wave_id)
        .bind(source)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 1 {
            for cell in cells {
                sqlx::query(
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
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        inserted == 1
    });
    Ok(attached)
}

/// The design source (TOML) attached to a wave, if any.
pub async fn design_source(db: &Db, wave_id: i64) -> Result<Option<String>, StoreError> {
    let row: Option<(String,)> = on_pool!(db, |pool| sqlx::query_as(
        "select source from quota_designs where wave_id = $1"
    )
    .bind(wave_id)
    .fetch_optional(pool)
    .await?);
    Ok(row.map(|(source,)| source))
}

/// A wave's cells, by margin and key.
pub async fn cells(db: &Db, wave_id: i64) -> Result<Vec<CellRow>, StoreError> {
    let sql =
        format!("select {CELL_COLUMNS} from quota_cells where wave_id = $1 order by margin, id");
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, CellRow>(&sql)
        .bind(wave_id)
        .fetch_all(pool)
        .await?))
}

/// One cell.
pub async fn cell(db: &Db, cell_id: i64) -> Result<Option<CellRow>, StoreError> {
    let sql = format!("select {CELL_COLUMNS} from quota_cells where id = $1");
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, CellRow>(&sql)
        .bind(cell_id)
        .fetch_optional(pool)
        .await?))
}

/// Changes a cell's target and capacity (counts are kept).
pub async fn set_target(
    db: &Db,
    cell_id: i64,
    target: i64,
    capacity: i64,
) -> Result<bool, StoreError> {
    let updated = on_pool!(db, |pool| sqlx::query(
        "update quota_cells set target = $1, capacity = $2 where id = $3"
    )
    .bind(target)
    .bind(capacity)
    .bind(cell_id)
    .execute(pool)
    .await?
    .rows_affected());
    Ok(updated == 1)
}

/// Closes or reopens a cell.
pub async fn set_closed(db: &Db, cell_id: i64, closed: bool) -> Result<bool, StoreError> {
    let updated = on_pool!(db, |pool| sqlx::query(
        "update quota_cells set closed = $1 where id = $2"
    )
    .bind(closed)
    .bind(cell_id)
    .execute(pool)
    .await?
    .rows_affected());
    Ok(updated == 1)
}

/// Takes one place for `interview_id` in each cell of `keys` (a wave's cell key texts), all or
/// nothing, in one write transaction. Places the interview held before (a respondent whose
/// quota answers were corrected) are given back first, and the wave's counts are reconciled
/// with interviews that ended elsewhere.
pub async fn reserve(
    db: &Db,
    wave_id: i64,
    interview_id: i64,
    keys: &[String],
) -> Result<Reservation, StoreError> {
    let now = now_ms();
    let outcome = on_pool!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        reconcile_wave!(tx, wave_id);
        move_reservations!(tx, "interview_id = $1", interview_id, "released");
        let mut ids: Vec<(i64, &String)> = Vec::with_capacity(keys.len());
        let mut refused = None;
        for key in keys {
            let id: Option<(i64,)> =
                sqlx::query_as("select id from quota_cells where wave_id = $1 and cell_key = $2")
                    .bind(wave_id)
                    .bind(key)
                    .fetch_optional(&mut *tx)
                    .await?;
            match id {
                Some((id,)) => ids.push((id, key)),
                None => {
                    refused = Some(key.clone());
                    break;
                }
            }
        }
        ids.sort();
        if refused.is_none() {
            for (id, key) in &ids {
                let taken = sqlx::query(
                    "update quota_cells set in_progress = in_progress + 1 \
                     where id = $1 and not closed and achieved + in_progress < capacity",
                )
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if taken == 0 {
                    refused = Some((*key).clone());
                    break;
                }
                sqlx::query(
                    "insert into quota_reservations (interview_id, cell_id, state, created_at, \
                     updated_at) values ($1, $2, 'reserved', $3, $3)",
                )
                .bind(interview_id)
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
        }
        match refused {
            None => {
                tx.commit().await?;
                Reservation::Reserved
            }
            Some(key) => {
                tx.rollback().await?;
                Reservation::Refused(key)
            }
        }
    });
    if matches!(outcome, Reservation::Refused(_)) {
        // The rolled-back transaction also gave back the interview's earlier places: a refused
        // respondent holds none.
        release(db, interview_id).await?;
    }
    Ok(outcome)
}

/// Counts the interview's places as achieved (a completed interview); returns how many moved.
/// Running it again moves nothing.
pub async fn achieve(db: &Db, interview_id: i64) -> Result<u64, StoreError> {
    Ok(on_pool!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        let moved = move_reservations!(tx, "interview_id = $1", interview_id, "achieved");
        tx.commit().await?;
        moved
    }))
}

/// Gives back the interview's places (broken off, abandoned, screened out); returns how many
/// moved. Running it again moves nothing.
pub async fn release(db: &Db, interview_id: i64) -> Result<u64, StoreError> {
    Ok(on_pool!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        let moved = move_reservations!(tx, "interview_id = $1", interview_id, "released");
        tx.commit().await?;
        moved
    }))
}

/// Brings a wave's counts in line with interviews that ended without the quota service seeing
/// it (a final outcome recorded on a partial interview); returns how many reservations moved.
pub async fn reconcile(db: &Db, wave_id: i64) -> Result<u64, StoreError> {
    Ok(on_pool!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        let moved = reconcile_wave!(tx, wave_id);
        tx.commit().await?;
        moved
    }))
}

/// Reservations of an interview still holding a place, as cell ids.
pub async fn reserved_cells(db: &Db, interview_id: i64) -> Result<Vec<i64>, StoreError> {
    let rows: Vec<(i64,)> = on_pool!(db, |pool| sqlx::query_as(
        "select cell_id from quota_reservations where interview_id = $1 and state = 'reserved' \
         order by cell_id"
    )
    .bind(interview_id)
    .fetch_all(pool)
    .await?);
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Cases not final yet per commune of a wave (the sample left to work), by INSEE code.
pub async fn sample_left(db: &Db, wave_id: i64) -> Result<Vec<SampleLeft>, StoreError> {
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, SampleLeft>(
        "select commune_code, count(*) as cases from sample_cases \
         where wave_id = $1 and commune_code is not null and status <> 'final' \
         group by commune_code order by commune_code"
    )
    .bind(wave_id)
    .fetch_all(pool)
    .await?))
}
