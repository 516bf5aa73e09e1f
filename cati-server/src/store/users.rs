//! Accounts, roles and login throttling.

use serde::Serialize;

use super::{Db, StoreError, WritePool, now_ms, on_pool};

/// What an account may do; see the role matrix in `auth::roles`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
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

/// Finds an account by login name.
pub async fn by_username(db: &Db, username: &str) -> Result<Option<UserRow>, StoreError> {
    let sql = format!("select {USER_COLUMNS} from users where username = $1");
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, UserRow>(&sql)
        .bind(username)
        .fetch_optional(pool)
        .await?))
}

/// Finds an account by identifier.
pub async fn by_id(db: &Db, id: i64) -> Result<Option<UserRow>, StoreError> {
    let sql = format!("select {USER_COLUMNS} from users where id = $1");
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, UserRow>(&sql)
        .bind(id)
        .fetch_optional(pool)
        .await?))
}

/// Lists every account, by login name.
pub async fn list(db: &Db) -> Result<Vec<UserRow>, StoreError> {
    let sql = format!("select {USER_COLUMNS} from users order by username");
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, UserRow>(&sql)
        .fetch_all(pool)
        .await?))
}

/// Creates an account; `None` when the login name is taken.
pub async fn insert(
    db: &Db,
    username: &str,
    display_name: &str,
    role: Role,
    password_hash: &str,
) -> Result<Option<i64>, StoreError> {
    let sql = "insert into users (username, display_name, role, password_hash, created_at) \
               values ($1, $2, $3, $4, $5) on conflict (username) do nothing returning id";
    let id: Option<(i64,)> = on_pool!(db, |pool| sqlx::query_as(sql)
        .bind(username)
        .bind(display_name)
        .bind(role.as_str())
        .bind(password_hash)
        .bind(now_ms())
        .fetch_optional(pool)
        .await?);
    Ok(id.map(|(id,)| id))
}

/// Replaces an account's password and ends its sessions; false when there is no such account.
pub async fn set_password(db: &Db, id: i64, password_hash: &str) -> Result<bool, StoreError> {
    let sql = "update users set password_hash = $1, session_version = session_version + 1 \
               where id = $2";
    let done = on_pool!(db, |pool| sqlx::query(sql)
        .bind(password_hash)
        .bind(id)
        .execute(pool)
        .await?
        .rows_affected());
    Ok(done == 1)
}

/// Disables or re-enables an account; disabling ends its sessions and releases a held case.
pub async fn set_disabled(db: &Db, id: i64, disabled: bool) -> Result<bool, StoreError> {
    let done = on_pool!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        let done = sqlx::query(
            "update users set disabled = $1, session_version = session_version + 1 where id = $2",
        )
        .bind(disabled)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if disabled {
            sqlx::query(
                "update sample_cases set held_by = null, held_at = null where held_by = $1",
            )
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        done
    });
    Ok(done == 1)
}

/// Until when (epoch ms) logins for `username` are refused, if they are.
pub async fn locked_until(db: &Db, username: &str) -> Result<Option<i64>, StoreError> {
    let row: Option<(Option<i64>,)> = on_pool!(db, |pool| sqlx::query_as(
        "select locked_until from login_throttle where username = $1"
    )
    .bind(username)
    .fetch_optional(pool)
    .await?);
    Ok(row
        .and_then(|(until,)| until)
        .filter(|until| *until > now_ms()))
}

/// Counts a failed login; after `max_failures` in a row the username is locked for
/// `lockout_ms`. Returns the new lock end, if any.
pub async fn record_login_failure(
    db: &Db,
    username: &str,
    max_failures: i64,
    lockout_ms: i64,
) -> Result<Option<i64>, StoreError> {
    let now = now_ms();
    let sql = "insert into login_throttle (username, failures, locked_until) values ($1, 1, null) \
               on conflict (username) do update set \
                 failures = case when login_throttle.locked_until is not null \
                   and login_throttle.locked_until <= $2 then 1 else login_throttle.failures + 1 end, \
                 locked_until = case when login_throttle.locked_until is not null \
                   and login_throttle.locked_until <= $2 then null else login_throttle.locked_until end \
               returning failures";
    let lock = on_pool!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        let (failures,): (i64,) = sqlx::query_as(sql)
            .bind(username)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
        let lock = if failures >= max_failures {
            let until = now + lockout_ms;
            sqlx::query(
                "update login_throttle set locked_until = $1, failures = 0 where username = $2",
            )
            .bind(until)
            .bind(username)
            .execute(&mut *tx)
            .await?;
            Some(until)
        } else {
            None
        };
        tx.commit().await?;
        lock
    });
    Ok(lock)
}

/// Forgets failed logins after a successful one.
pub async fn clear_login_failures(db: &Db, username: &str) -> Result<(), StoreError> {
    on_pool!(db, |pool| {
        sqlx::query("delete from login_throttle where username = $1")
            .bind(username)
            .execute(pool)
            .await?;
    });
    Ok(())
}
