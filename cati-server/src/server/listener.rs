//! The accept loop: every connection served by hyper with a deadline for its request headers,
//! a stall limit on its writes, and a cap on how many are open at once.
//!
//! `axum::serve` has neither a header deadline nor a cap: a thousand clients that open a
//! connection and never finish their request exhaust the process's file descriptors, and
//! `/healthz` and logins wait until they leave. Here:
//! - hyper closes a connection whose request headers (the first, or the next one on a kept-alive
//!   connection) have not all arrived within [`ConnectionLimits::header_timeout`];
//! - a connection whose writes stall longer than [`ConnectionLimits::write_timeout`] (a client
//!   that stopped reading) is closed;
//! - at most [`ConnectionLimits::max_open`] connections are open. When a new one arrives at the
//!   cap, the oldest connection with no request in progress is closed to make room (an idle
//!   or half-sent connection costs its owner nothing to reopen, and a flood of them must not
//!   shut out a real client); when every open connection is busy, the newcomer gets a short
//!   `503` in French and is closed.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use axum::http::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};
use tokio_io_timeout::TimeoutStream;
use tokio_util::task::TaskTracker;
use tower::ServiceExt;

/// How connections are bounded.
#[derive(Clone, Copy, Debug)]
pub struct ConnectionLimits {
    /// Connections open at once.
    pub max_open: usize,
    /// Time a client has to send the headers of a request, and how long a kept-alive connection
    /// may stay idle.
    pub header_timeout: Duration,
    /// Time a write to a client may stay blocked before the connection is closed.
    pub write_timeout: Duration,
}

/// Sent to a connection refused because every open one is busy.
const REFUSAL: &[u8] = "HTTP/1.1 503 Service Unavailable\r\n\
    content-type: text/plain; charset=utf-8\r\n\
    retry-after: 2\r\n\
    connection: close\r\n\
    content-length: 73\r\n\r\n\
    serveur saturé : trop de connexions ouvertes, réessayez dans un instant"
    .as_bytes();

/// Serves `app` on `listener` until `stopping` becomes true, then lets the requests in progress
/// finish (long-lived streams end on the same signal).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    mut stopping: watch::Receiver<bool>,
) {
    let open = Arc::new(OpenConnections::new(limits.max_open));
    let tasks = TaskTracker::new();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stopping.wait_for(|stopping| *stopping) => break,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors, or a connection reset before it was accepted: wait a
                // little rather than spin, as `axum::serve` does.
                tracing::warn!(error = %e, "accepting a connection failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        // Small answers leave at once rather than waiting for more to send.
        let _ = stream.set_nodelay(true);
        match open.admit() {
            Some(slot) => {
                let app = app.clone();
                let stopping = stopping.clone();
                tasks.spawn(serve_connection(stream, peer, app, limits, slot, stopping));
            }
            None => {
                tasks.spawn(refuse(stream));
            }
        }
    }
    tasks.close();
    tasks.wait().await;
}

/// Serves one connection until the client leaves, it is evicted or the server stops.
async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    app: Router,
    limits: ConnectionLimits,
    slot: Slot,
    mut stopping: watch::Receiver<bool>,
) {
    let mut stream = TimeoutStream::new(stream);
    stream.set_write_timeout(Some(limits.write_timeout));
    let busy = Arc::clone(&slot.busy);
    let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        let in_progress = InProgress::start(Arc::clone(&busy));
        let app = app.clone();
        async move {
            let response = app
                .oneshot(request.map(Body::new))
                .await
                .unwrap_or_else(|never: Infallible| match never {});
            // The request counts as in progress until its whole body has been sent.
            Ok::<_, Infallible>(response.map(|body| {
                Body::new(Tracked {
                    body,
                    _in_progress: in_progress,
                })
            }))
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let connection = builder.serve_connection(TokioIo::new(Box::pin(stream)), service);
    tokio::pin!(connection);
    let ended = tokio::select! {
        ended = connection.as_mut() => Some(ended),
        () = slot.evicted.notified() => None,
        _ = stopping.wait_for(|stopping| *stopping) => None,
    };
    let ended = match ended {
        Some(ended) => ended,
        None => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(e) = ended {
        // Timeouts and resets are the client's doing: not worth more than a debug line.
        tracing::debug!(error = %e, %peer, "connection ended with an error");
    }
}

/// Answers a connection refused at the cap, without reading its request.
async fn refuse(mut stream: TcpStream) {
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        stream.write_all(REFUSAL).await?;
        stream.shutdown().await
    })
    .await;
}

/// The open connections, oldest first, and whether each has a request in progress.
struct OpenConnections {
    max_open: usize,
    state: Mutex<Registry>,
}

#[derive(Default)]
struct Registry {
    next_id: u64,
    connections: HashMap<u64, Entry>,
}

struct Entry {
    opened: Instant,
    busy: Arc<AtomicUsize>,
    evicted: Arc<Notify>,
}

/// A connection's place among the open ones; dropping it frees the place.
struct Slot {
    id: u64,
    open: Arc<OpenConnections>,
    busy: Arc<AtomicUsize>,
    evicted: Arc<Notify>,
}

impl OpenConnections {
    fn new(max_open: usize) -> OpenConnections {
        OpenConnections {
            max_open: max_open.max(1),
            state: Mutex::new(Registry::default()),
        }
    }

    /// A place for a new connection: a free one, or the one of the oldest idle connection,
    /// which is told to close; none when every open connection is busy.
    fn admit(self: &Arc<Self>) -> Option<Slot> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if state.connections.len() >= self.max_open {
            // A scan of at most `max_open` entries, only while the server is at its cap.
            let oldest_idle = state
                .connections
                .iter()
                .filter(|(_, entry)| entry.busy.load(Ordering::Acquire) == 0)
                .min_by_key(|(_, entry)| entry.opened)
                .map(|(id, _)| *id)?;
            if let Some(entry) = state.connections.remove(&oldest_idle) {
                entry.evicted.notify_one();
            }
        }
        state.next_id += 1;
        let id = state.next_id;
        let busy = Arc::new(AtomicUsize::new(0));
        let evicted = Arc::new(Notify::new());
        state.connections.insert(
            id,
            Entry {
                opened: Instant::now(),
                busy: Arc::clone(&busy),
                evicted: Arc::clone(&evicted),
            },
        );
        Some(Slot {
            id,
            open: Arc::clone(self),
            busy,
            evicted,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut state = self.open.state.lock().unwrap_or_else(|e| e.into_inner());
        state.connections.remove(&self.id);
    }
}

/// Marks its connection busy from the arrival of a request's headers until its response is
/// sent (or dropped).
struct InProgress(Arc<AtomicUsize>);

impl InProgress {
    fn start(busy: Arc<AtomicUsize>) -> InProgress {
        busy.fetch_add(1, Ordering::AcqRel);
        InProgress(busy)
    }
}

impl Drop for InProgress {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A response body that keeps its request in progress until it is dropped.
struct Tracked {
    body: Body,
    _in_progress: InProgress,
}

impl http_body::Body for Tracked {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_the_cap_the_oldest_idle_connection_makes_room() {
        let open = Arc::new(OpenConnections::new(2));
        let first = open.admit().expect("room");
        let second = open.admit().expect("room");
        let _busy = InProgress::start(Arc::clone(&first.busy));
        let third = open.admit().expect("the idle second connection makes room");
        assert_eq!(open.state.lock().unwrap().connections.len(), 2);
        assert!(
            !open
                .state
                .lock()
                .unwrap()
                .connections
                .contains_key(&second.id)
        );
        drop(third);
        assert_eq!(open.state.lock().unwrap().connections.len(), 1);
    }

    #[test]
    fn when_every_connection_is_busy_the_newcomer_is_refused() {
        let open = Arc::new(OpenConnections::new(1));
        let only = open.admit().expect("room");
        let in_progress = InProgress::start(Arc::clone(&only.busy));
        assert!(open.admit().is_none());
        drop(in_progress);
        assert!(open.admit().is_some());
    }

    #[test]
    fn the_refusal_declares_its_exact_length() {
        let text = std::str::from_utf8(REFUSAL).expect("utf-8");
        let (head, body) = text.split_once("\r\n\r\n").expect("head and body");
        assert!(head.contains(&format!("content-length: {}", body.len())));
    }
}
