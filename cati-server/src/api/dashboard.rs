//! `/api/waves/{id}/dashboard` and its live event stream: the supervisors' dashboard figures
//! of a wave (the page `/tableau-de-bord` shows the same).

use std::convert::Infallible;
use std::time::Duration;
use uuid::Uuid;

use axum::Json;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, Stream};

use crate::auth::CurrentUser;
use crate::error::{ApiPath, AppError, ErrorBody};
use crate::services::dashboard::{self, Dashboard};
use crate::services::live::{Snapshot, Subscription};
use crate::state::AppState;

#[utoipa::path(
    get,
    path = "/waves/{id}/dashboard",
    tag = "tableau de bord",
    summary = "Les chiffres du tableau de bord d’une vague (quotas par commune, rythme, projections)",
    params(("id" = Uuid, Path, description = "Identifiant de la vague")),
    responses(
        (status = 200, description = "Les chiffres", body = Dashboard),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn figures(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(wave_id): ApiPath<Uuid>,
) -> Result<Json<Dashboard>, AppError> {
    Ok(Json(
        dashboard::dashboard(&state, &user, Some(wave_id)).await?,
    ))
}

#[utoipa::path(
    get,
    path = "/waves/{id}/dashboard/events",
    tag = "tableau de bord",
    summary = "Les chiffres du tableau de bord en direct (server-sent events)",
    description = "Un événement `quotas` (données : les chiffres, comme `GET /waves/{id}/dashboard`) \
        à l’ouverture, puis après chaque changement ; `erreur` (données : le message) si le \
        calcul échoue. 429 quand la session ou le serveur a trop de flux ouverts.",
    params(("id" = Uuid, Path, description = "Identifiant de la vague")),
    responses(
        (status = 200, description = "Flux d’événements", content_type = "text/event-stream", body = DashboardEvent),
        (status = "default", description = "Erreur : message en français", body = ErrorBody)
    )
)]
pub async fn events(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(wave_id): ApiPath<Uuid>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
    Ok(stream_of(state.live.subscribe(&user, Some(wave_id)).await?))
}

/// One server-sent event of the dashboard stream, as its fields read.
#[derive(utoipa::ToSchema)]
pub struct DashboardEvent {
    /// `quotas` (the figures) or `erreur` (the computation failed).
    #[schema(example = "quotas")]
    event: String,
    /// The figures as JSON (the body of `GET /waves/{id}/dashboard`), or the error message.
    data: String,
}

impl DashboardEvent {
    fn of(snapshot: &Snapshot) -> DashboardEvent {
        let (event, data) = match snapshot {
            Ok(json) => ("quotas", json),
            Err(message) => ("erreur", message),
        };
        DashboardEvent {
            event: event.to_owned(),
            data: data.clone(),
        }
    }

    fn into_event(self) -> Event {
        Event::default().event(self.event).data(self.data)
    }
}

/// A subscription as server-sent events: the current figures first, then new ones after each
/// change (a burst of changes gives one update), until the server shuts down.
pub(crate) fn stream_of(
    subscription: Subscription,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let stream = stream::unfold(
        (subscription, true),
        |(mut subscription, first)| async move {
            let snapshots = &mut subscription.snapshots;
            if first {
                snapshots.wait_for(Option::is_some).await.ok()?;
            } else {
                snapshots.changed().await.ok()?;
            }
            let snapshot = snapshots.borrow_and_update().clone()?;
            let event = DashboardEvent::of(&snapshot).into_event();
            Some((Ok(event), (subscription, false)))
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
