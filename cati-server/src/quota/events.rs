//! "Quotas changed" notifications for live views (the supervisor dashboard).
//!
//! The quota service functions receive only the database, so the channel is process-wide: one
//! `tokio::sync::broadcast` that [`notify`] sends on after every reservation, completion,
//! release or cell change, and that each open dashboard stream [`subscribe`]s to. Nothing is
//! stored: a subscriber that lags simply recomputes the figures from the database.
//!
//! [`shutdown`] resolves when the process receives Ctrl-C or SIGTERM (the signals `cati serve`
//! shuts down on), so that long-lived event streams end and graceful shutdown does not wait on
//! them forever.

use std::sync::OnceLock;

use tokio::sync::{broadcast, watch};

/// Notifications kept for a slow subscriber before it lags (it then recomputes anyway).
const CAPACITY: usize = 64;

/// The quota counts of a wave changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuotaChanged {
    /// The wave whose counts changed; `None` when the change is known only by its interview
    /// (completion, release) and every wave's subscribers should refresh.
    pub wave_id: Option<i64>,
}

impl QuotaChanged {
    /// Whether a view of `wave_id` should refresh.
    pub fn concerns(&self, wave_id: i64) -> bool {
        self.wave_id.is_none_or(|w| w == wave_id)
    }
}

fn channel() -> &'static broadcast::Sender<QuotaChanged> {
    static CHANNEL: OnceLock<broadcast::Sender<QuotaChanged>> = OnceLock::new();
    CHANNEL.get_or_init(|| broadcast::channel(CAPACITY).0)
}

/// Tells every subscriber that the quota counts of `wave_id` (or of an unknown wave) changed.
/// Never blocks; does nothing when nobody listens.
pub fn notify(wave_id: Option<i64>) {
    // An error only means there is no subscriber right now.
    let _ = channel().send(QuotaChanged { wave_id });
}

/// A receiver of the notifications sent from now on.
pub fn subscribe() -> broadcast::Receiver<QuotaChanged> {
    channel().subscribe()
}

/// Resolves once the process has received Ctrl-C or SIGTERM. Must be called inside a Tokio
/// runtime; the signal listener is installed on the first call.
pub async fn shutdown() {
    static STOPPING: OnceLock<watch::Sender<bool>> = OnceLock::new();
    let sender = STOPPING.get_or_init(|| {
        let (sender, _) = watch::channel(false);
        let notifier = sender.clone();
        tokio::spawn(async move {
            wait_for_signal().await;
            notifier.send_replace(true);
        });
        sender
    });
    let mut receiver = sender.subscribe();
    // `wait_for` fails only when the sender is dropped, which a static never is.
    let _ = receiver.wait_for(|stopping| *stopping).await;
}

async fn wait_for_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn subscribers_receive_the_changes_sent_after_they_subscribed() {
        let mut receiver = subscribe();
        notify(Some(7));
        let mut seen = Vec::new();
        // Other tests of the crate may notify concurrently: look for ours.
        while let Ok(Ok(event)) =
            tokio::time::timeout(std::time::Duration::from_millis(200), receiver.recv()).await
        {
            seen.push(event);
            if event.wave_id == Some(7) {
                break;
            }
        }
        assert!(seen.contains(&QuotaChanged { wave_id: Some(7) }));
    }

    #[test]
    fn a_change_of_an_unknown_wave_concerns_every_wave() {
        assert!(QuotaChanged { wave_id: None }.concerns(3));
        assert!(QuotaChanged { wave_id: Some(3) }.concerns(3));
        assert!(!QuotaChanged { wave_id: Some(4) }.concerns(3));
    }
}
