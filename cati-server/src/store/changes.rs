//! Announcements of committed changes, for live views (the supervisors' dashboard).
//!
//! A store function that changes quota counts or sample figures announces it on its
//! transaction ([`super::Tx::announce`]); the announcement is delivered only if the transaction
//! commits. Every instance keeps one in-process [`ChangeBus`] (a `tokio::sync::broadcast`,
//! held by the database handle and so by `AppState`, never in a static): on SQLite the
//! committing transaction publishes on it; on PostgreSQL the transaction runs `pg_notify` and
//! one `LISTEN` connection per instance ([`listen`]) republishes what PostgreSQL delivers, so
//! that a change made through one instance reaches the views open on every instance.

use sqlx::PgPool;
use sqlx::postgres::PgListener;
use tokio::sync::broadcast;

/// The PostgreSQL notification channel.
pub(crate) const CHANNEL: &str = "cati_changes";

/// Announcements kept for a slow subscriber before it lags (it then refreshes everything).
const CAPACITY: usize = 1024;

/// What changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Change {
    /// The figures of this wave (quota counts, sample counts) changed.
    Wave(i64),
    /// Changes may have been missed (a lost `LISTEN` connection): refresh everything.
    Everything,
}

impl Change {
    /// Whether a view of `wave_id` should refresh.
    pub fn concerns(self, wave_id: i64) -> bool {
        match self {
            Change::Wave(w) => w == wave_id,
            Change::Everything => true,
        }
    }

    /// The text sent through PostgreSQL.
    pub(crate) fn payload(self) -> String {
        match self {
            Change::Wave(w) => w.to_string(),
            Change::Everything => "*".to_owned(),
        }
    }

    /// Reads a payload back; anything unreadable is treated as "refresh everything".
    fn from_payload(payload: &str) -> Change {
        payload.parse().map_or(Change::Everything, Change::Wave)
    }
}

/// The in-process bus of one instance.
#[derive(Clone, Debug)]
pub struct ChangeBus {
    sender: broadcast::Sender<Change>,
}

impl Default for ChangeBus {
    fn default() -> Self {
        ChangeBus {
            sender: broadcast::channel(CAPACITY).0,
        }
    }
}

impl ChangeBus {
    /// Delivers a change to every current subscriber of this instance; never blocks.
    pub fn publish(&self, change: Change) {
        // An error only means that nobody listens right now.
        let _ = self.sender.send(change);
    }

    /// The changes published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.sender.subscribe()
    }
}

/// Republishes on `bus` every change announced through PostgreSQL by any instance, until the
/// pool closes. After a lost connection (announcements may have been missed) it publishes
/// [`Change::Everything`].
pub(crate) async fn listen(pool: PgPool, bus: ChangeBus) {
    let mut listener = loop {
        match PgListener::connect_with(&pool).await {
            Ok(mut listener) => match listener.listen(CHANNEL).await {
                Ok(()) => break listener,
                Err(e) => tracing::warn!(error = %e, "LISTEN failed, retrying"),
            },
            Err(sqlx::Error::PoolClosed) => return,
            Err(e) => tracing::warn!(error = %e, "cannot open the LISTEN connection, retrying"),
        }
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    };
    loop {
        match listener.try_recv().await {
            Ok(Some(notification)) => bus.publish(Change::from_payload(notification.payload())),
            // Reconnected: whatever was sent meanwhile is lost.
            Ok(None) => bus.publish(Change::Everything),
            Err(sqlx::Error::PoolClosed) => return,
            Err(e) => {
                tracing::warn!(error = %e, "LISTEN connection failed, reconnecting");
                bus.publish(Change::Everything);
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_read_back_to_the_same_change() {
        for change in [Change::Wave(42), Change::Everything] {
            assert_eq!(Change::from_payload(&change.payload()), change);
        }
        assert_eq!(Change::from_payload("garbage"), Change::Everything);
    }

    #[test]
    fn a_change_of_everything_concerns_every_wave() {
        assert!(Change::Everything.concerns(3));
        assert!(Change::Wave(3).concerns(3));
        assert!(!Change::Wave(4).concerns(3));
    }

    #[tokio::test]
    async fn subscribers_receive_what_is_published_after_they_subscribed() {
        let bus = ChangeBus::default();
        bus.publish(Change::Wave(1));
        let mut receiver = bus.subscribe();
        bus.publish(Change::Wave(7));
        assert_eq!(receiver.recv().await.ok(), Some(Change::Wave(7)));
    }
}
