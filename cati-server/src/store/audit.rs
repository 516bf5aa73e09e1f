//! The audit log of what managers change. An entry is written on the transaction of the action
//! it records, so that both commit together or neither does.

use serde::Serialize;

use super::{StoreError, Tx, now_ms};

/// What an audit entry records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub enum AuditAction {
    /// Compte créé.
    #[serde(rename = "user.create")]
    UserCreate,
    /// Mot de passe changé.
    #[serde(rename = "user.password")]
    UserPassword,
    /// Compte désactivé.
    #[serde(rename = "user.disable")]
    UserDisable,
    /// Compte réactivé.
    #[serde(rename = "user.enable")]
    UserEnable,
    /// Plan de quotas attaché.
    #[serde(rename = "quota.design.attach")]
    QuotaDesignAttach,
    /// Cellule de quota modifiée.
    #[serde(rename = "quota.cell.update")]
    QuotaCellUpdate,
    /// Enquête créée.
    #[serde(rename = "survey.create")]
    SurveyCreate,
    /// Codes d'issue de l'enquête changés.
    #[serde(rename = "survey.outcomes")]
    SurveyOutcomes,
    /// Questionnaire déposé.
    #[serde(rename = "questionnaire.upload")]
    QuestionnaireUpload,
    /// Vague créée.
    #[serde(rename = "wave.create")]
    WaveCreate,
    /// État de vague changé.
    #[serde(rename = "wave.status")]
    WaveStatus,
    /// Règles d'appel changées.
    #[serde(rename = "wave.rules")]
    WaveRules,
    /// Pondération de la vague changée.
    #[serde(rename = "wave.weighting")]
    WaveWeighting,
    /// Règles de publication de la vague changées.
    #[serde(rename = "wave.publication")]
    WavePublication,
    /// Enquêteur marqué (ou non) pour la reconversion des refus.
    #[serde(rename = "user.converter")]
    UserConverter,
    /// Liste de numéros chargée.
    #[serde(rename = "sample.import")]
    SampleImport,
    /// Réplicat libéré.
    #[serde(rename = "sample.release")]
    SampleRelease,
    /// Liste « ne plus appeler » chargée.
    #[serde(rename = "dnc.import")]
    DncImport,
    /// Cas libéré (enquêteur absent).
    #[serde(rename = "case.release.abandoned")]
    CaseReleaseAbandoned,
    /// Cas libéré.
    #[serde(rename = "case.release")]
    CaseRelease,
    /// Cas reprogrammé.
    #[serde(rename = "case.reschedule")]
    CaseReschedule,
    /// Cas confié à un enquêteur.
    #[serde(rename = "case.assign")]
    CaseAssign,
    /// Cas clos.
    #[serde(rename = "case.finalise")]
    CaseFinalise,
    /// Connexions freinées après des échecs.
    #[serde(rename = "login.backoff")]
    LoginBackoff,
}

impl AuditAction {
    /// Every action.
    pub const ALL: [AuditAction; 24] = [
        AuditAction::UserCreate,
        AuditAction::UserPassword,
        AuditAction::UserDisable,
        AuditAction::UserEnable,
        AuditAction::QuotaDesignAttach,
        AuditAction::QuotaCellUpdate,
        AuditAction::SurveyCreate,
        AuditAction::SurveyOutcomes,
        AuditAction::QuestionnaireUpload,
        AuditAction::WaveCreate,
        AuditAction::WaveStatus,
        AuditAction::WaveRules,
        AuditAction::WaveWeighting,
        AuditAction::WavePublication,
        AuditAction::UserConverter,
        AuditAction::SampleImport,
        AuditAction::SampleRelease,
        AuditAction::DncImport,
        AuditAction::CaseReleaseAbandoned,
        AuditAction::CaseRelease,
        AuditAction::CaseReschedule,
        AuditAction::CaseAssign,
        AuditAction::CaseFinalise,
        AuditAction::LoginBackoff,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::UserCreate => "user.create",
            AuditAction::UserPassword => "user.password",
            AuditAction::UserDisable => "user.disable",
            AuditAction::UserEnable => "user.enable",
            AuditAction::QuotaDesignAttach => "quota.design.attach",
            AuditAction::QuotaCellUpdate => "quota.cell.update",
            AuditAction::SurveyCreate => "survey.create",
            AuditAction::SurveyOutcomes => "survey.outcomes",
            AuditAction::QuestionnaireUpload => "questionnaire.upload",
            AuditAction::WaveCreate => "wave.create",
            AuditAction::WaveStatus => "wave.status",
            AuditAction::WaveRules => "wave.rules",
            AuditAction::WaveWeighting => "wave.weighting",
            AuditAction::WavePublication => "wave.publication",
            AuditAction::UserConverter => "user.converter",
            AuditAction::SampleImport => "sample.import",
            AuditAction::SampleRelease => "sample.release",
            AuditAction::DncImport => "dnc.import",
            AuditAction::CaseReleaseAbandoned => "case.release.abandoned",
            AuditAction::CaseRelease => "case.release",
            AuditAction::CaseReschedule => "case.reschedule",
            AuditAction::CaseAssign => "case.assign",
            AuditAction::CaseFinalise => "case.finalise",
            AuditAction::LoginBackoff => "login.backoff",
        }
    }

    /// The French label shown to managers.
    pub fn label(self) -> &'static str {
        match self {
            AuditAction::UserCreate => "Compte créé",
            AuditAction::UserPassword => "Mot de passe changé",
            AuditAction::UserDisable => "Compte désactivé",
            AuditAction::UserEnable => "Compte réactivé",
            AuditAction::QuotaDesignAttach => "Plan de quotas attaché",
            AuditAction::QuotaCellUpdate => "Cellule de quota modifiée",
            AuditAction::SurveyCreate => "Enquête créée",
            AuditAction::SurveyOutcomes => "Codes d'issue changés",
            AuditAction::QuestionnaireUpload => "Questionnaire déposé",
            AuditAction::WaveCreate => "Vague créée",
            AuditAction::WaveStatus => "État de vague changé",
            AuditAction::WaveRules => "Règles d'appel changées",
            AuditAction::WaveWeighting => "Pondération de la vague changée",
            AuditAction::WavePublication => "Règles de publication de la vague changées",
            AuditAction::UserConverter => "Reconversion des refus (enquêteur)",
            AuditAction::SampleImport => "Liste de numéros chargée",
            AuditAction::SampleRelease => "Réplicat libéré",
            AuditAction::DncImport => "Liste « ne plus appeler » chargée",
            AuditAction::CaseReleaseAbandoned => "Cas libéré (enquêteur absent)",
            AuditAction::CaseRelease => "Cas libéré",
            AuditAction::CaseReschedule => "Cas reprogrammé",
            AuditAction::CaseAssign => "Cas confié à un enquêteur",
            AuditAction::CaseFinalise => "Cas clos",
            AuditAction::LoginBackoff => "Connexions freinées après des échecs",
        }
    }
}

impl TryFrom<String> for AuditAction {
    type Error = String;
    fn try_from(name: String) -> Result<AuditAction, String> {
        AuditAction::ALL
            .into_iter()
            .find(|a| a.as_str() == name)
            .ok_or_else(|| format!("unknown audit action {name:?}"))
    }
}

/// Appends one entry: who (`user_id`, none for the command line) did `action` on `target`.
pub async fn record(
    tx: &mut Tx,
    user_id: Option<i64>,
    action: AuditAction,
    target: &str,
    details: &serde_json::Value,
) -> Result<(), StoreError> {
    tx.query(
        "insert into audit_log (at, user_id, action, target, details) values ($1, $2, $3, $4, $5)",
    )
    .bind(now_ms())
    .bind(user_id)
    .bind(action.as_str())
    .bind(target)
    .bind(details.to_string())
    .execute()
    .await?;
    Ok(())
}

/// One audit entry.
#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct AuditEntry {
    /// When (epoch ms).
    pub at: i64,
    /// Who, if done in the web interface.
    pub user_id: Option<i64>,
    /// What was done.
    #[sqlx(try_from = "String")]
    pub action: AuditAction,
    /// On what.
    pub target: String,
    /// Details as JSON text.
    pub details: String,
}

/// The most recent entries, newest first.
pub async fn recent(tx: &mut Tx, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
    tx.query("select at, user_id, action, target, details from audit_log order by id desc limit $1")
        .bind(limit)
        .fetch_all()
        .await
}

/// One audit entry as the journal page shows it: with its row id (for paging) and the login
/// name of who did it.
#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct JournalEntry {
    /// Row id (pages go on with `before`).
    pub id: i64,
    /// When (epoch ms).
    pub at: i64,
    /// Who (login name), none for the command line or the server itself.
    pub username: Option<String>,
    /// What was done.
    #[sqlx(try_from = "String")]
    pub action: AuditAction,
    /// On what.
    pub target: String,
    /// Details (before/after values…) as JSON text.
    pub details: String,
}

/// Entries newest first, of one action and on targets containing `target` when given, older
/// than the entry `before` (keyset paging).
pub async fn journal(
    tx: &mut Tx,
    action: Option<AuditAction>,
    target: Option<&str>,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<JournalEntry>, StoreError> {
    tx.query(
        "select a.id, a.at, u.username, a.action, a.target, a.details from audit_log a \
         left join users u on u.id = a.user_id \
         where ($1 is null or a.action = $1) and ($2 is null or a.target like $2) \
           and ($3 is null or a.id < $3) \
         order by a.id desc limit $4",
    )
    .bind(action.map(AuditAction::as_str))
    .bind(target.map(|t| format!("%{t}%")))
    .bind(before)
    .bind(limit)
    .fetch_all()
    .await
}
