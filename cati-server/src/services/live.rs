//! Live dashboards: one computation per change, shared by every open stream of a wave.
//!
//! The first stream opened on a wave starts one worker for it. The worker computes the
//! dashboard on a read transaction, publishes it (as the JSON text of the event) on a
//! `tokio::sync::watch` channel, then waits for the next committed change concerning the wave
//! ([`crate::store::Change`], heard from this instance or, on PostgreSQL, from any instance),
//! lets a burst settle, and computes again. Streams only read the latest snapshot: a hundred
//! supervisors watching one wave cost one computation per change, and a slow stream skips
//! intermediate snapshots instead of queueing them. The worker stops when its last stream
//! closes, or when the server shuts down (which ends every stream).
//!
//! Streams are capped per login session and overall, so that open connections cannot pile up.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, broadcast, watch};

use super::dashboard;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::store::surveys::WaveRow;
use crate::store::users::Role;
use crate::store::{Change, Db};

/// How long a burst of changes (a reservation, then a completion) may take to settle into one
/// computation.
const SETTLE: Duration = Duration::from_millis(100);

/// One published dashboard: the JSON text of the event, or the message of a failed
/// computation.
pub type Snapshot = Result<String, String>;

/// The latest snapshot of a wave, `None` until the first computation ends.
type Latest = watch::Sender<Option<Arc<Snapshot>>>;

/// The live dashboards of one server instance.
pub struct LiveDashboards {
    db: Db,
    stopping: watch::Receiver<bool>,
    waves: Mutex<HashMap<i64, Arc<Latest>>>,
    overall: Arc<Semaphore>,
    per_session_cap: usize,
    sessions: Arc<Mutex<HashMap<String, usize>>>,
}

/// What an open stream holds: its place under the caps, given back when it is dropped.
pub struct StreamPermit {
    _overall: OwnedSemaphorePermit,
    session: String,
    sessions: Arc<Mutex<HashMap<String, usize>>>,
}

impl Drop for StreamPermit {
    fn drop(&mut self) {
        let mut sessions = lock(&self.sessions);
        if let Some(n) = sessions.get_mut(&self.session) {
            *n -= 1;
            if *n == 0 {
                sessions.remove(&self.session);
            }
        }
    }
}

/// A subscription to a wave's dashboard.
pub struct Subscription {
    /// The wave.
    pub wave: WaveRow,
    /// The latest snapshot; changes each time a new one is published, and ends when the
    /// server shuts down.
    pub snapshots: watch::Receiver<Option<Arc<Snapshot>>>,
    /// The stream's place under the caps.
    pub permit: StreamPermit,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl LiveDashboards {
    /// Live dashboards on `db`, with at most `overall_cap` streams open on this instance and
    /// `per_session_cap` per login session; they stop when `stopping` becomes true.
    pub fn new(
        db: Db,
        stopping: watch::Receiver<bool>,
        overall_cap: usize,
        per_session_cap: usize,
    ) -> LiveDashboards {
        LiveDashboards {
            db,
            stopping,
            waves: Mutex::default(),
            overall: Arc::new(Semaphore::new(overall_cap)),
            per_session_cap,
            sessions: Arc::default(),
        }
    }

    /// Streams open on this instance.
    pub fn open_streams(&self) -> usize {
        lock(&self.sessions).values().sum()
    }

    /// Opens a stream of the dashboard of wave `wave_id` (default: the most recent one) for a
    /// manager; 429 when their session or the server has too many streams open.
    pub async fn subscribe(
        self: &Arc<Self>,
        user: &CurrentUser,
        wave_id: Option<uuid::Uuid>,
    ) -> Result<Subscription, AppError> {
        user.require(Role::MANAGERS)?;
        let mut tx = self.db.read().await?;
        let wave = dashboard::chosen_wave(&mut tx, wave_id).await?;
        tx.commit().await?;
        let permit = self.permit(&user.csrf_token)?;
        let snapshots = self.snapshots(&wave);
        Ok(Subscription {
            wave,
            snapshots,
            permit,
        })
    }

    fn permit(&self, session: &str) -> Result<StreamPermit, AppError> {
        let too_many = || AppError::TooManyRequests {
            message: "trop de tableaux de bord ouverts en direct : fermez-en un onglet".to_owned(),
            retry_after: 5,
        };
        let mut sessions = lock(&self.sessions);
        let open = sessions.entry(session.to_owned()).or_default();
        if *open >= self.per_session_cap {
            return Err(too_many());
        }
        let overall = Arc::clone(&self.overall)
            .try_acquire_owned()
            .map_err(|_| too_many())?;
        *open += 1;
        Ok(StreamPermit {
            _overall: overall,
            session: session.to_owned(),
            sessions: Arc::clone(&self.sessions),
        })
    }

    /// A receiver of the wave's snapshots, starting its worker if none runs. Subscribing
    /// happens under the lock that guards the worker's exit, so a worker never stops with a
    /// stream just subscribed.
    fn snapshots(self: &Arc<Self>, wave: &WaveRow) -> watch::Receiver<Option<Arc<Snapshot>>> {
        let mut waves = lock(&self.waves);
        if let Some(latest) = waves.get(&wave.id) {
            return latest.subscribe();
        }
        let (latest, receiver) = watch::channel(None);
        let latest = Arc::new(latest);
        waves.insert(wave.id, Arc::clone(&latest));
        // Subscribe to changes before the first computation: none committed from now on can
        // be missed.
        let changes = self.db.changes().subscribe();
        tokio::spawn(Arc::clone(self).run(wave.clone(), latest, changes));
        receiver
    }

    /// The worker of one wave: compute, publish, wait for a change, again.
    async fn run(
        self: Arc<Self>,
        wave: WaveRow,
        latest: Arc<Latest>,
        mut changes: broadcast::Receiver<Change>,
    ) {
        let mut stopping = self.stopping.clone();
        loop {
            let snapshot = self.snapshot(&wave).await;
            latest.send_replace(Some(Arc::new(snapshot)));
            tokio::select! {
                () = latest.closed() => {
                    // The last stream closed; a new one may have subscribed meanwhile, under
                    // the lock that also guards this removal.
                    let mut waves = lock(&self.waves);
                    if latest.receiver_count() == 0 {
                        waves.remove(&wave.id);
                        return;
                    }
                }
                _ = stopping.wait_for(|stopping| *stopping) => break,
                more = next_change(&mut changes, wave.id) => if !more { break },
            }
        }
        // Shutting down: dropping the channel ends the streams.
        lock(&self.waves).remove(&wave.id);
    }

    async fn snapshot(&self, wave: &WaveRow) -> Snapshot {
        let computed = async {
            let mut tx = self.db.read().await?;
            let board = dashboard::compute(&mut tx, wave).await?;
            tx.commit().await?;
            Ok::<_, AppError>(board)
        }
        .await;
        match computed {
            Ok(board) => serde_json::to_string(&board).map_err(|e| e.to_string()),
            Err(e) => {
                tracing::warn!(wave = %wave.uuid, error = ?e, "live dashboard computation failed");
                Err(e.to_string())
            }
        }
    }
}

/// Waits for the next change concerning `wave_id`, lets a burst settle, then drains what is
/// already queued (one computation for the burst); false when no change can come any more.
async fn next_change(changes: &mut broadcast::Receiver<Change>, wave_id: i64) -> bool {
    loop {
        match changes.recv().await {
            Ok(change) if change.concerns(wave_id) => break,
            Ok(_) => {}
            // Missed some: refresh to be safe.
            Err(RecvError::Lagged(_)) => break,
            Err(RecvError::Closed) => return false,
        }
    }
    tokio::time::sleep(SETTLE).await;
    loop {
        match changes.try_recv() {
            Ok(_) | Err(TryRecvError::Lagged(_)) => {}
            Err(TryRecvError::Empty) => return true,
            Err(TryRecvError::Closed) => return false,
        }
    }
}
