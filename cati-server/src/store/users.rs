//! Accounts, roles and login throttling.

use serde::Serialize;

use super::{StoreError, Tx, now_ms};

/// What an account may do; see the role matrix in `auth::roles`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Manages users and everything a supervisor does.
    Admin,
    /// Manages the sample and the fieldwork.
    Supervisor,
    /// Calls respondents and conducts interviews.
    Interviewer,
    /// Reads results; never sees phone numbers.
    Analyst,
}

impl Role {
    /// Who manages fieldwork: the sample with its phone numbers, quotas, the dashboard.
    pub const MANAGERS: &'static [Role] = &[Role::Admin, Role::Supervisor];
    /// Who reads figures and exports without personal data.
    pub const READERS: &'static [Role] = &[Role::Admin, Role::Supervisor, Role::Analyst];
    /// Who manages accounts and reads the audit log.
    pub const ADMINS: &'static [Role] = &[Role::Admin];

    /// Every role, in display order.
    pub const ALL: [Role; 4] = [
        Role::Admin,
        Role::Supervisor,
        Role::Interviewer,
        Role::Analyst,
    ];

    /// The name stored in the database and used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Supervisor => "supervisor",
            Role::Interviewer => "interviewer",
            Role::Analyst => "analyst",
        }
    }

    /// The French label shown in the interface.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Administrateur",
            Role::Supervisor => "Superviseur",
            Role::Interviewer => "Enquêteur",
            Role::Analyst => "Chargé d'études",
        }
    }

    /// Parses a stored or typed role name.
    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == name)
    }

    /// Supervisors and admins manage the sample and see phone numbers.
    pub fn manages_sample(self) -> bool {
        matches!(self, Role::Admin | Role::Supervisor)
    }
}

/// An account as stored.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct UserRow {
    /// Identifier.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Name shown in the interface.
    pub display_name: String,
    /// Role name (see [`Role`]).
    pub role: String,
    /// Argon2 PHC string.
    pub password_hash: String,
    /// A disabled account cannot log in and its sessions are refused.
    pub disabled: bool,
    /// Bumped when the password changes or the account is disabled.
    pub session_version: i64,
}

impl UserRow {
    /// The account's role; an unknown stored name (impossible under the schema's check) reads
    /// as the least privileged role.
    pub fn role(&self) -> Role {
        Role::parse(&self.role).unwrap_or(Role::Analyst)
    }
}

const USER_COLUMNS: &str =
    "id, username, display_name, role, password_hash, disabled, session_version";

/// The account with this login name.
pub async fn by_username(tx: &mut Tx, username: &str) -> Result<Option<UserRow>, StoreError> {
    let sql = format!("select {USER_COLUMNS} from users where username = $1");
    tx.query(&sql).bind(username).fetch_optional().await
}

/// One account.
pub async fn by_id(tx: &mut Tx, id: i64) -> Result<Option<UserRow>, StoreError> {
    let sql = format!("select {USER_COLUMNS} from users where id = $1");
    tx.query(&sql).bind(id).fetch_optional().await
}

/// Every account, by login name.
pub async fn list(tx: &mut Tx) -> Result<Vec<UserRow>, StoreError> {
    let sql = format!("select {USER_COLUMNS} from users order by username");
    tx.query(&sql).fetch_all().await
}

/// Creates an account; `None` when the login name is taken.
pub async fn insert(
    tx: &mut Tx,
    username: &str,
    display_name: &str,
    role: Role,
    password_hash: &str,
) -> Result<Option<i64>, StoreError> {
    let id: Option<(i64,)> = tx
        .query(
            "insert into users (username, display_name, role, password_hash, created_at) \
             values ($1, $2, $3, $4, $5) on conflict (username) do nothing returning id",
        )
        .bind(username)
        .bind(display_name)
        .bind(role.as_str())
        .bind(password_hash)
        .bind(now_ms())
        .fetch_optional()
        .await?;
    Ok(id.map(|(id,)| id))
}

/// Replaces a password hash and ends the account's sessions; false when there is no such
/// account.
pub async fn set_password(tx: &mut Tx, id: i64, password_hash: &str) -> Result<bool, StoreError> {
    let done = tx
        .query(
            "update users set password_hash = $1, session_version = session_version + 1 \
             where id = $2",
        )
        .bind(password_hash)
        .bind(id)
        .execute()
        .await?;
    Ok(done == 1)
}

/// Disables or re-enables an account and ends its sessions; disabling also gives back the case
/// it held. False when there is no such account.
pub async fn set_disabled(tx: &mut Tx, id: i64, disabled: bool) -> Result<bool, StoreError> {
    let done = tx
        .query(
            "update users set disabled = $1, session_version = session_version + 1 where id = $2",
        )
        .bind(disabled)
        .bind(id)
        .execute()
        .await?;
    if disabled {
        tx.query("update sample_cases set held_by = null, held_at = null where held_by = $1")
            .bind(id)
            .execute()
            .await?;
    }
    Ok(done == 1)
}
