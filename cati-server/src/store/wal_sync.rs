//! Group commit for SQLite: the write-ahead log synced to the disk once for every commit that
//! finished before the sync began, instead of once per commit.
//!
//! SQLite's `synchronous=FULL` in WAL mode is `synchronous=NORMAL` plus one `fsync` of the WAL
//! file after each commit, made while the write lock is still held. On the 2-core reference
//! machine an `fsync` takes about 3 ms, so FULL caps the single writer at about 300 commits a
//! second whatever the CPU could do. Here the connection runs at NORMAL, and a committing
//! transaction, once SQLite has appended its frames to the log and released the write lock,
//! waits for a sync of the log that started after its commit; one sync covers every commit
//! finished before it started, and the next writer runs during the sync. A write is
//! acknowledged only after its sync, so "acknowledged means on the disk" holds as with FULL.
//!
//! Why this is safe: a WAL commit is the frames appended to the log with a commit marker; after
//! a power cut SQLite replays the log's frames up to the last valid commit. A sync of the log
//! file (through any handle: `fsync` flushes the file, not the descriptor) therefore makes
//! every commit appended before it durable. When a checkpoint moves the log into the database
//! and the log starts again from its beginning, NORMAL has already synced the log before the
//! checkpoint and the database after it, so commits from before the restart are in the synced
//! database file.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::StoreError;

/// Syncs one SQLite database's write-ahead log after commits, grouped.
#[derive(Debug)]
pub struct WalSync {
    log: PathBuf,
    /// Commits finished, counted as they finish.
    committed: AtomicU64,
    /// The highest commit count known to be on the disk.
    synced: AtomicU64,
    /// Syncs made (for the metrics and the tests).
    syncs: AtomicU64,
    /// One sync at a time; those waiting may find their commit already covered.
    turn: tokio::sync::Mutex<()>,
}

impl WalSync {
    /// Syncs the log of the database file `database` (`cati.db` has `cati.db-wal`).
    pub fn new(database: &Path) -> WalSync {
        let mut log = database.as_os_str().to_owned();
        log.push("-wal");
        WalSync {
            log: PathBuf::from(log),
            committed: AtomicU64::new(0),
            synced: AtomicU64::new(0),
            syncs: AtomicU64::new(0),
            turn: tokio::sync::Mutex::new(()),
        }
    }

    /// Returns once the commit that just finished is on the disk.
    pub async fn after_commit(&self) -> Result<(), StoreError> {
        let mine = self.committed.fetch_add(1, Ordering::SeqCst) + 1;
        let _turn = self.turn.lock().await;
        if self.synced.load(Ordering::SeqCst) >= mine {
            return Ok(());
        }
        // Every commit counted so far has finished writing its frames: the sync covers them.
        let covered = self.committed.load(Ordering::SeqCst);
        let log = self.log.clone();
        tokio::task::spawn_blocking(move || sync_file(&log))
            .await
            .map_err(|e| StoreError::Sync(std::io::Error::other(e.to_string())))?
            .map_err(StoreError::Sync)?;
        self.syncs.fetch_add(1, Ordering::SeqCst);
        self.synced.fetch_max(covered, Ordering::SeqCst);
        Ok(())
    }

    /// Syncs made so far.
    pub fn syncs(&self) -> u64 {
        self.syncs.load(Ordering::SeqCst)
    }
}

/// Flushes `path` to the disk. A log that does not exist has nothing to flush: SQLite removes
/// it only once everything in it is in the (synced) database file.
fn sync_file(path: &Path) -> std::io::Result<()> {
    match std::fs::OpenOptions::new().write(true).open(path) {
        Ok(file) => file.sync_data(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[tokio::test]
    async fn one_sync_covers_every_commit_finished_before_it() {
        let dir = tempfile::tempdir().expect("dir");
        let database = dir.path().join("cati.db");
        std::fs::write(dir.path().join("cati.db-wal"), b"frames").expect("log");
        let sync = Arc::new(WalSync::new(&database));
        // Commits counted while a sync is under way wait for the next one, which covers them
        // all: many commits, far fewer syncs, and none of them returns before a sync.
        let turn = sync.turn.lock().await;
        let waiting: Vec<_> = (0..20)
            .map(|_| {
                let sync = Arc::clone(&sync);
                tokio::spawn(async move { sync.after_commit().await })
            })
            .collect();
        while sync.committed.load(Ordering::SeqCst) < 20 {
            tokio::task::yield_now().await;
        }
        assert_eq!(sync.syncs(), 0, "no commit is acknowledged before a sync");
        drop(turn);
        for task in waiting {
            task.await.expect("task").expect("synced");
        }
        assert_eq!(sync.syncs(), 1, "one sync for the twenty commits");
        sync.after_commit().await.expect("synced");
        assert_eq!(sync.syncs(), 2, "a later commit needs its own sync");
    }

    #[tokio::test]
    async fn a_log_already_folded_into_the_database_needs_no_sync() {
        let dir = tempfile::tempdir().expect("dir");
        let sync = WalSync::new(&dir.path().join("absent.db"));
        sync.after_commit().await.expect("nothing to flush");
    }
}
