//! Interviews driven by the questionnaire engine, persisted answer by answer.
//!
//! Every accepted answer is committed (record JSON + one row per answer, in one transaction)
//! before the next question is shown, so closing the browser or killing the server loses
//! nothing that was acknowledged: the interview resumes at the same question.

pub mod saves;
pub mod service;
pub mod view;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use questionnaire::Questionnaire;

use crate::error::AppError;
use crate::store::{Tx, surveys};

/// Parsed questionnaires by version id: parsing and checking happen once per version.
#[derive(Default)]
pub struct QuestionnaireCache {
    parsed: RwLock<HashMap<i64, Arc<Questionnaire>>>,
}

/// Parses the questionnaire stored as version row `version_id` (the cache's source, and what
/// the rare set-up operations read directly: comparing versions, carrying a wave over).
pub async fn load_version(tx: &mut Tx, version_id: i64) -> Result<Questionnaire, AppError> {
    let stored = surveys::questionnaire_source(tx, version_id)
        .await?
        .ok_or_else(|| AppError::not_found("version de questionnaire inconnue"))?;
    questionnaire::load(&stored.source, &stored.file_name)
        .map_err(|e| AppError::Internal(format!("stored questionnaire does not load: {e}")))
}

impl QuestionnaireCache {
    /// The questionnaire of a stored version (read on the caller's transaction when it is not
    /// parsed yet).
    pub async fn get(&self, tx: &mut Tx, version_id: i64) -> Result<Arc<Questionnaire>, AppError> {
        if let Some(q) = self.read().get(&version_id) {
            return Ok(Arc::clone(q));
        }
        let parsed = Arc::new(load_version(tx, version_id).await?);
        self.parsed
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(version_id, Arc::clone(&parsed));
        Ok(parsed)
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<i64, Arc<Questionnaire>>> {
        self.parsed
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
