//! Request deadlines and load shedding.
//!
//! Every request has a deadline, longer for uploads and exports, none for the live event
//! streams (which have their own caps, per instance and per session). When too many requests
//! are in progress, new ones are refused at once with `503` and `Retry-After` rather than
//! queued behind the others: first the managers' and analysts' requests, then, past a higher
//! bound, the interviewers'; `/healthz` is never refused, so that a load balancer sees a
//! loaded server as alive. Logins are neither counted nor refused here: a login flood holds
//! its refusals for a second (`auth::login`), which must not count as load, and logins have
//! their own bounds (the throttle, the password checks' rate and queue).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;

/// How requests are bounded.
#[derive(Clone, Copy, Debug)]
pub struct RequestLimits {
    /// Deadline of an ordinary request, body included.
    pub timeout: Duration,
    /// Deadline of an upload or an export.
    pub long_timeout: Duration,
    /// Requests in progress beyond which managers' and analysts' requests are refused.
    pub max_in_progress: usize,
    /// Requests in progress beyond which interviewers' requests are refused too.
    pub max_in_progress_interviewers: usize,
}

impl Default for RequestLimits {
    fn default() -> Self {
        RequestLimits {
            timeout: Duration::from_secs(30),
            long_timeout: Duration::from_secs(600),
            max_in_progress: 256,
            max_in_progress_interviewers: 384,
        }
    }
}

/// What kind of request a path is, for its deadline and its place when shedding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestKind {
    /// The health check: never refused.
    Health,
    /// A login (`POST /api/login`, `POST /connexion`): bounded by the login throttle and the
    /// password checks, not here.
    Login,
    /// A live event stream: no deadline (its own caps apply).
    Stream,
    /// What interviewers do at the phones: refused last.
    Interviewer,
    /// A file sent or produced (phone list, questionnaire, do-not-call list, export): a long
    /// deadline.
    Long,
    /// Anything else.
    Other,
}

impl RequestKind {
    /// The kind of a request for `path`.
    pub fn of(path: &str) -> RequestKind {
        if path == "/healthz" {
            RequestKind::Health
        } else if path == "/api/login" || path == "/connexion" {
            RequestKind::Login
        } else if path.ends_with("/events") || path.ends_with("/evenements") {
            RequestKind::Stream
        } else if path.starts_with("/api/cases")
            || path.starts_with("/api/interviews")
            || path.starts_with("/poste")
        {
            RequestKind::Interviewer
        } else if path.ends_with("/export")
            || path.ends_with("/sample")
            || path.ends_with("/do-not-call")
            || path.ends_with("/questionnaires")
            || path.starts_with("/mise-en-place")
        {
            RequestKind::Long
        } else {
            RequestKind::Other
        }
    }
}

/// The limits and the count of requests in progress.
#[derive(Debug)]
pub struct Shedding {
    limits: RequestLimits,
    in_progress: AtomicUsize,
}

impl Shedding {
    /// No request in progress yet.
    pub fn new(limits: RequestLimits) -> Shedding {
        Shedding {
            limits,
            in_progress: AtomicUsize::new(0),
        }
    }

    /// Whether a request of `kind` is admitted when `in_progress` others are running.
    fn admits(&self, kind: RequestKind, in_progress: usize) -> bool {
        match kind {
            RequestKind::Health | RequestKind::Login => true,
            RequestKind::Interviewer => in_progress < self.limits.max_in_progress_interviewers,
            RequestKind::Stream | RequestKind::Long | RequestKind::Other => {
                in_progress < self.limits.max_in_progress
            }
        }
    }

    fn deadline(&self, kind: RequestKind) -> Option<Duration> {
        match kind {
            RequestKind::Stream => None,
            RequestKind::Long => Some(self.limits.long_timeout),
            RequestKind::Health
            | RequestKind::Login
            | RequestKind::Interviewer
            | RequestKind::Other => Some(self.limits.timeout),
        }
    }
}

/// Middleware: sheds the request when the server is saturated, else runs it under its deadline.
pub async fn limit(
    State(shedding): State<Arc<Shedding>>,
    request: Request,
    next: Next,
) -> Response {
    let kind = RequestKind::of(request.uri().path());
    let counted = (kind != RequestKind::Login).then(|| Counted::start(&shedding.in_progress));
    let running = counted.as_ref().map_or(0, |counted| counted.before);
    if !shedding.admits(kind, running) {
        return AppError::Busy(
            "serveur surchargé : trop de requêtes en cours, réessayez dans un instant".to_owned(),
        )
        .into_response();
    }
    match shedding.deadline(kind) {
        None => next.run(request).await,
        Some(deadline) => match tokio::time::timeout(deadline, next.run(request)).await {
            Ok(response) => response,
            Err(_) => {
                tracing::warn!(?kind, ?deadline, "request deadline passed");
                AppError::Busy(
                    "la requête a dépassé le temps permis : réessayez dans un instant".to_owned(),
                )
                .into_response()
            }
        },
    }
}

/// A request on the count of those in progress, taken off when it ends, however it ends.
struct Counted<'a> {
    count: &'a AtomicUsize,
    /// Requests in progress before this one.
    before: usize,
}

impl Counted<'_> {
    fn start(count: &AtomicUsize) -> Counted<'_> {
        Counted {
            before: count.fetch_add(1, Ordering::AcqRel),
            count,
        }
    }
}

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        self.count.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_sorted_into_kinds() {
        assert_eq!(RequestKind::of("/healthz"), RequestKind::Health);
        assert_eq!(
            RequestKind::of("/api/waves/3/dashboard/events"),
            RequestKind::Stream
        );
        assert_eq!(
            RequestKind::of("/tableau-de-bord/evenements"),
            RequestKind::Stream
        );
        assert_eq!(
            RequestKind::of("/api/interviews/9/answers"),
            RequestKind::Interviewer
        );
        assert_eq!(RequestKind::of("/poste/suivant"), RequestKind::Interviewer);
        assert_eq!(RequestKind::of("/api/waves/3/export"), RequestKind::Long);
        assert_eq!(RequestKind::of("/api/waves/3/sample"), RequestKind::Long);
        assert_eq!(RequestKind::of("/api/login"), RequestKind::Login);
        assert_eq!(RequestKind::of("/api/me"), RequestKind::Other);
    }

    #[test]
    fn when_saturated_managers_are_shed_before_interviewers_and_health_never() {
        let shedding = Shedding::new(RequestLimits {
            max_in_progress: 10,
            max_in_progress_interviewers: 20,
            ..RequestLimits::default()
        });
        assert!(shedding.admits(RequestKind::Other, 9));
        assert!(!shedding.admits(RequestKind::Other, 10));
        assert!(shedding.admits(RequestKind::Interviewer, 10));
        assert!(!shedding.admits(RequestKind::Interviewer, 20));
        assert!(shedding.admits(RequestKind::Health, 10_000));
    }

    #[test]
    fn streams_have_no_deadline_and_files_a_long_one() {
        let shedding = Shedding::new(RequestLimits::default());
        assert_eq!(shedding.deadline(RequestKind::Stream), None);
        assert!(shedding.deadline(RequestKind::Long) > shedding.deadline(RequestKind::Interviewer));
    }
}
