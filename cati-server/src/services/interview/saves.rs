//! Answer saves grouped into shared write transactions on SQLite.
//!
//! SQLite lets one writer in at a time. Measured with `cati simulate` (100 interviewers, 2
//! cores), an answer's own write transaction held the writer about 0.5 ms for its four round
//! trips to the connection's thread (`BEGIN IMMEDIATE`, update, upsert, `COMMIT`), and handing
//! the writer to the next request cost about as much again: that cycle, not the CPU, bounded a
//! wave at about 1,000 writes per second, and an answer waited 90 ms in the queue. Here the
//! saves that arrive while the writer is busy queue and are written together: one `BEGIN
//! IMMEDIATE`, each save's statements as before, one `COMMIT` (and one log sync) for all. Each
//! answer is acknowledged only once that commit is durable, as before.
//!
//! A save that finds its interview moved on (stale) changes nothing and is answered so; any
//! error rolls the group back and every save of it is written again alone, so that one save
//! never fails another. PostgreSQL's writers do not exclude one another: saves go straight to
//! the database there. (Grouped there too, a run measured 1,171 rather than 916 answers per
//! second, but the saves of a group in flight when the database restarted were written again
//! once it was back instead of being answered 503 at once, as the fault tests expect.)

use tokio::sync::{mpsc, oneshot};

use crate::store::interviews::{self, Progress, SaveOutcome};
use crate::store::{Backend, Db, StoreError};

/// Most saves written in one transaction (a group is what queued while the previous one was
/// written; this bounds how long its first answer waits for the last).
const MAX_GROUP: usize = 64;

/// The answer saves of a server instance (see the module's documentation).
#[derive(Debug)]
pub struct AnswerSaves {
    db: Db,
    /// The queue of the task writing groups (SQLite); `None` on PostgreSQL.
    queue: Option<mpsc::UnboundedSender<Pending>>,
}

/// A save waiting for its group.
struct Pending {
    progress: Progress,
    reply: oneshot::Sender<Result<SaveOutcome, StoreError>>,
}

impl AnswerSaves {
    /// The saves on `db`; on SQLite, starts the task that writes the groups (it ends when the
    /// last handle is dropped).
    pub fn new(db: Db) -> AnswerSaves {
        let queue = (db.backend() == Backend::Sqlite).then(|| {
            let (sender, receiver) = mpsc::unbounded_channel();
            tokio::spawn(write_groups(db.clone(), receiver));
            sender
        });
        AnswerSaves { db, queue }
    }

    /// Saves an interview's progress (no ending); returns once it is durably committed, or
    /// [`SaveOutcome::Stale`] when the interview moved on meanwhile.
    pub async fn save(&self, progress: Progress) -> Result<SaveOutcome, StoreError> {
        let Some(queue) = &self.queue else {
            return save_alone(&self.db, &progress).await;
        };
        let (reply, answer) = oneshot::channel();
        if let Err(mpsc::error::SendError(pending)) = queue.send(Pending { progress, reply }) {
            // The writing task is gone (the server is stopping): write it here.
            return save_alone(&self.db, &pending.progress).await;
        }
        match answer.await {
            Ok(saved) => saved,
            Err(_) => Err(StoreError::Invalid(
                "the answer saves' writer stopped before replying".to_owned(),
            )),
        }
    }
}

/// Writes what is queued, a group at a time, until every sender is dropped.
async fn write_groups(db: Db, mut queue: mpsc::UnboundedReceiver<Pending>) {
    while let Some(first) = queue.recv().await {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match queue.try_recv() {
                Ok(pending) => group.push(pending),
                Err(_) => break,
            }
        }
        match save_group(&db, &group).await {
            Ok(outcomes) => {
                for (pending, outcome) in group.into_iter().zip(outcomes) {
                    // A request that gave up waiting no longer needs its answer.
                    let _ = pending.reply.send(Ok(outcome));
                }
            }
            Err(error) => {
                if group.len() > 1 {
                    tracing::warn!(%error, saves = group.len(), "a group of answer saves failed: each is written alone");
                }
                for pending in group {
                    let saved = save_alone(&db, &pending.progress).await;
                    let _ = pending.reply.send(saved);
                }
            }
        }
    }
}

/// Every save of `group` in one transaction; nothing is kept unless all of it commits.
async fn save_group(db: &Db, group: &[Pending]) -> Result<Vec<SaveOutcome>, StoreError> {
    let mut tx = db.write().await?;
    let mut outcomes = Vec::with_capacity(group.len());
    for pending in group {
        outcomes.push(interviews::save(&mut tx, &pending.progress, None).await?);
    }
    tx.commit().await?;
    Ok(outcomes)
}

/// One save in its own transaction.
async fn save_alone(db: &Db, progress: &Progress) -> Result<SaveOutcome, StoreError> {
    let mut tx = db.write().await?;
    let outcome = interviews::save(&mut tx, progress, None).await?;
    if outcome == SaveOutcome::Saved {
        tx.commit().await?;
    }
    Ok(outcome)
}
