//! Surveys and their questionnaire versions: creating a survey, uploading a version (checked
//! first, refused with its findings), listing versions and comparing two of them. For managers
//! (admins and supervisors) on the pages and the API, and for the operator at the command line.
//! Each change commits with its audit entry.

use questionnaire::{Questionnaire, VersionDiff};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::AppError;
use crate::services::export::indicators;
use crate::services::interview::load_version;
use crate::services::text;
use crate::store::audit::AuditAction;
use crate::store::surveys::{self, SurveyRow, VersionRow};
use crate::store::users::Role;
use crate::store::{Db, StoreError, Tx, audit};

/// A questionnaire file to store as a new version.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Upload {
    /// The file's name (findings and exports quote it).
    pub file_name: String,
    /// The questionnaire (TOML).
    pub source: String,
    /// Its indicators definition (TOML), if any.
    #[serde(default)]
    pub indicators: Option<String>,
}

/// A survey to create.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSurvey {
    /// Short name, unique: letters, digits, `-`, `_`, `.` (how the command line names it).
    pub name: String,
    /// Title (default: the questionnaire's, else the name).
    #[serde(default)]
    pub title: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Its first questionnaire version, if given now.
    #[serde(default)]
    pub questionnaire: Option<Upload>,
}

/// A survey with its questionnaire versions.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SurveyView {
    /// The survey.
    #[serde(flatten)]
    pub survey: SurveyRow,
    /// Its questionnaire versions, oldest first.
    pub versions: Vec<VersionRow>,
}

/// The survey named by `key`: its identifier (UUID) or its name.
pub(crate) async fn find(tx: &mut Tx, key: &str) -> Result<SurveyRow, AppError> {
    let key = key.trim();
    let found = match key.parse::<Uuid>() {
        Ok(uuid) => surveys::survey_by_uuid(tx, uuid).await?,
        Err(_) => surveys::survey_by_name(tx, key).await?,
    };
    found.ok_or_else(|| AppError::not_found(&format!("enquête inconnue : « {key} »")))
}

/// Creates a survey (and stores its first questionnaire version when one is given), with its
/// audit entries, in one transaction.
pub async fn create(db: &Db, actor: Actor<'_>, new: &NewSurvey) -> Result<SurveyView, AppError> {
    actor.require(Role::MANAGERS)?;
    let name = new.name.trim();
    let valid = !name.is_empty()
        && name.chars().count() <= 64
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || "._-".contains(c));
    if !valid {
        return Err(AppError::Invalid(
            "nom d'enquête invalide (lettres, chiffres, « . », « _ », « - » ; 64 au plus)"
                .to_owned(),
        ));
    }
    let checked = match &new.questionnaire {
        Some(upload) => Some(checked(upload)?),
        None => None,
    };
    let title = new
        .title
        .as_deref()
        .map(|t| text::bounded("le titre", t, text::TITLE_MAX_CHARS))
        .transpose()?
        .filter(|t| !t.is_empty())
        .or(checked.as_ref().map(|q| q.title()))
        .unwrap_or(name);
    let description = text::bounded(
        "la description",
        &new.description,
        text::DESCRIPTION_MAX_CHARS,
    )?;
    let mut tx = db.write().await?;
    let survey = surveys::create_survey(&mut tx, name, title, description)
        .await?
        .ok_or_else(|| AppError::Conflict(format!("l'enquête « {name} » existe déjà")))?;
    audit::record(
        &mut tx,
        actor.user_id(),
        AuditAction::SurveyCreate,
        &format!("survey:{}", survey.uuid),
        &serde_json::json!({ "name": name, "title": title }),
    )
    .await?;
    if let (Some(upload), Some(questionnaire)) = (&new.questionnaire, &checked) {
        store_version(&mut tx, actor, &survey, upload, questionnaire).await?;
    }
    let versions = surveys::versions(&mut tx, survey.id).await?;
    tx.commit().await?;
    Ok(SurveyView { survey, versions })
}

/// Every survey with its versions, newest first.
pub async fn list(db: &Db, actor: Actor<'_>) -> Result<Vec<SurveyView>, AppError> {
    actor.require(Role::READERS)?;
    let mut tx = db.read().await?;
    let mut views = Vec::new();
    for survey in surveys::surveys(&mut tx).await? {
        let versions = surveys::versions(&mut tx, survey.id).await?;
        views.push(SurveyView { survey, versions });
    }
    tx.commit().await?;
    Ok(views)
}

/// One survey (by identifier or name) with its versions.
pub async fn show(db: &Db, actor: Actor<'_>, key: &str) -> Result<SurveyView, AppError> {
    actor.require(Role::READERS)?;
    let mut tx = db.read().await?;
    let survey = find(&mut tx, key).await?;
    let versions = surveys::versions(&mut tx, survey.id).await?;
    tx.commit().await?;
    Ok(SurveyView { survey, versions })
}

/// Stores a new questionnaire version of a survey, after checking it: a questionnaire with an
/// error is refused with its findings (file, line, question), and so is a version name the
/// survey already has.
pub async fn upload(
    db: &Db,
    actor: Actor<'_>,
    survey: &str,
    upload: &Upload,
) -> Result<VersionRow, AppError> {
    actor.require(Role::MANAGERS)?;
    let questionnaire = checked(upload)?;
    let mut tx = db.write().await?;
    let survey = find(&mut tx, survey).await?;
    let version = store_version(&mut tx, actor, &survey, upload, &questionnaire).await?;
    tx.commit().await?;
    Ok(version)
}

/// What changed from questionnaire version `from` to version `to` of a survey.
pub async fn compare(
    db: &Db,
    actor: Actor<'_>,
    survey: &str,
    from: &str,
    to: &str,
) -> Result<VersionDiff, AppError> {
    actor.require(Role::READERS)?;
    let mut tx = db.read().await?;
    let survey = find(&mut tx, survey).await?;
    let old = version_questionnaire(&mut tx, survey.id, from).await?;
    let new = version_questionnaire(&mut tx, survey.id, to).await?;
    tx.commit().await?;
    Ok(questionnaire::diff(&old, &new))
}

/// The questionnaire of version `version` of a survey, parsed from its stored source.
pub(crate) async fn version_questionnaire(
    tx: &mut Tx,
    survey_id: i64,
    version: &str,
) -> Result<Questionnaire, AppError> {
    let row = surveys::version_named(tx, survey_id, version.trim())
        .await?
        .ok_or_else(|| {
            AppError::not_found(&format!(
                "version de questionnaire inconnue : « {version} »"
            ))
        })?;
    load_version(tx, row.id).await
}

/// The questionnaire of an upload, or its error findings as a French message.
fn checked(upload: &Upload) -> Result<Questionnaire, AppError> {
    let file_name = upload.file_name.trim();
    if file_name.is_empty() {
        return Err(AppError::Invalid(
            "nom de fichier du questionnaire manquant".to_owned(),
        ));
    }
    let (report, questionnaire) = questionnaire::check(&upload.source, file_name);
    match questionnaire {
        Some(q) if report.valid => Ok(q),
        _ => {
            let findings: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
            Err(AppError::Invalid(format!(
                "questionnaire refusé, {} erreur(s) :\n{}",
                findings.len(),
                findings.join("\n")
            )))
        }
    }
}

async fn store_version(
    tx: &mut Tx,
    actor: Actor<'_>,
    survey: &SurveyRow,
    upload: &Upload,
    questionnaire: &Questionnaire,
) -> Result<VersionRow, AppError> {
    let version = questionnaire.version();
    let id = surveys::add_questionnaire_version(
        tx,
        survey.id,
        version,
        upload.file_name.trim(),
        &upload.source,
    )
    .await?
    .ok_or_else(|| {
        AppError::Conflict(format!(
            "l'enquête « {} » a déjà une version « {version} » du questionnaire : changez \
             `version` dans le fichier",
            survey.code
        ))
    })?;
    if let Some(text) = &upload.indicators {
        indicators::store(tx, id, questionnaire, text)
            .await
            .map_err(|e| AppError::Invalid(format!("indicateurs refusés : {e}")))?;
    }
    audit::record(
        tx,
        actor.user_id(),
        AuditAction::QuestionnaireUpload,
        &format!("survey:{}", survey.uuid),
        &serde_json::json!({
            "version": version,
            "file": upload.file_name.trim(),
            "indicators": upload.indicators.is_some(),
        }),
    )
    .await?;
    surveys::version_named(tx, survey.id, version)
        .await?
        .ok_or_else(|| AppError::Store(StoreError::Invalid("version vanished".to_owned())))
}
