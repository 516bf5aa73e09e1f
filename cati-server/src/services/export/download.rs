//! The download of a wave's export as one zip (data files, codebook, manifest), for the
//! analysts' page and the API alike.

use uuid::Uuid;

use super::{ExportError, ExportSettings, Scope, archive};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::services::manage::known_wave;
use crate::state::AppState;
use crate::store::users::Role;

/// Builds the export of a wave in a temporary directory and returns its zip; analysts,
/// supervisors and admins (the export holds no personal data).
pub async fn zip(
    state: &AppState,
    user: &CurrentUser,
    wave: Uuid,
    settings: ExportSettings,
) -> Result<Vec<u8>, AppError> {
    user.require(Role::READERS)?;
    let mut tx = state.db.read().await?;
    let wave = known_wave(&mut tx, wave).await?;
    tx.commit().await?;
    let gathered = super::gather(&state.db, Scope::Wave(wave.id))
        .await
        .map_err(app_error)?;
    let folder = format!("export-vague-{}", wave.uuid);
    tokio::task::spawn_blocking(move || -> Result<Vec<u8>, AppError> {
        let dir = tempfile::tempdir()
            .map_err(|e| AppError::Internal(format!("temporary directory: {e}")))?;
        super::write(&gathered, &settings, dir.path()).map_err(app_error)?;
        archive::zip_directory(dir.path(), &folder).map_err(|e| AppError::Internal(e.to_string()))
    })
    .await
    .map_err(|e| AppError::Internal(format!("export task: {e}")))?
}

/// The HTTP meaning of an export failure.
pub fn app_error(error: ExportError) -> AppError {
    match error {
        ExportError::UnknownWave(_) => AppError::NotFound(error.to_string()),
        ExportError::Store(e) => AppError::from(e),
        ExportError::Io(e) => AppError::Internal(format!("export: {e}")),
        other => AppError::Invalid(other.to_string()),
    }
}
