//! `cati serve --demo`: the observatory questionnaire as a demo survey with one open wave, a
//! synthetic sample and demo accounts. Loading twice on the same database adds nothing.
//!
//! The sample is **synthetic**: every case is flagged `synthetic`, its identifier starts with
//! `SYNTH-`, and its phone numbers come from the ranges the French numbering plan keeps for
//! fiction (films, series, books), 05 36 49 xx xx (fixed, South-West) and 06 39 98 xx xx
//! (mobile), so that dialling a demo number cannot ring a real person.

use std::path::PathBuf;

use crate::auth::{self, Actor};
use crate::error::AppError;
use crate::sample::communes::COMMUNES;
use crate::services::accounts;
use crate::store::Db;
use crate::store::cases::{self, NewCase};
use crate::store::surveys::{self, WaveStatus};
use crate::store::users::{self, Role};

/// The questionnaire used when the observatory's file is not available.
pub const FIXTURE_QUESTIONNAIRE: &str = include_str!("../../assets/fixture-questionnaire.toml");

/// How the demo is set up.
#[derive(Clone, Debug)]
pub struct DemoOptions {
    /// Questionnaire file; default `questionnaires/observatoire.toml` of the workspace, or the
    /// built-in short fixture when that file is missing.
    pub questionnaire: Option<PathBuf>,
    /// Number of synthetic cases.
    pub cases: u32,
    /// Number of interviewer accounts (`enqueteur1`…).
    pub interviewers: u32,
    /// One password for every demo account instead of generated ones (tests).
    pub password: Option<String>,
    /// Number of simulated interviewers' accounts (`simulation1`…, for `serve --simulate`).
    pub simulated: u32,
}

/// A demo account and, when it was created now, its password.
#[derive(Debug)]
pub struct DemoAccount {
    /// Login name.
    pub username: String,
    /// Role.
    pub role: Role,
    /// Password, when the account was created by this run.
    pub password: Option<String>,
}

/// What the demo loaded.
#[derive(Debug)]
pub struct DemoReport {
    /// Questionnaire file used.
    pub questionnaire: String,
    /// The wave's id.
    pub wave_id: i64,
    /// Cases added by this run.
    pub cases_added: u64,
    /// Accounts.
    pub accounts: Vec<DemoAccount>,
    /// The simulated interviewers' logins and passwords, new at every start: nobody logs in
    /// with them but the simulation.
    pub simulated: Vec<(String, String)>,
}

fn observatory_path() -> PathBuf {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../questionnaires/observatoire.toml");
    path.canonicalize().unwrap_or(path)
}

/// Loads the demo survey, wave, sample and accounts (idempotent).
pub async fn load(db: &Db, options: &DemoOptions) -> Result<DemoReport, AppError> {
    let (file_name, source) = questionnaire_source(options)?;
    let parsed = questionnaire::load(&source, &file_name).map_err(|e| {
        AppError::Invalid(format!(
            "le questionnaire {file_name} ne se charge pas : {e}"
        ))
    })?;
    let mut tx = db.write().await?;
    let survey_id = surveys::ensure_survey(&mut tx, parsed.id(), parsed.title()).await?;
    // Stored under its name alone: the server's folders are nobody's business on the pages, in
    // messages or in exports.
    let stored_name = std::path::Path::new(&file_name)
        .file_name()
        .map_or_else(|| file_name.clone(), |n| n.to_string_lossy().into_owned());
    let version_id = surveys::ensure_questionnaire_version(
        &mut tx,
        survey_id,
        parsed.version(),
        &stored_name,
        &source,
    )
    .await?;
    // The indicators file next to the questionnaire (`observatoire.indicators.toml`), if any:
    // exports of the wave then include the per-commune indicator table.
    let questionnaire_file = std::path::Path::new(&file_name);
    if questionnaire_file.is_file() {
        crate::services::export::indicators::attach_beside(
            &mut tx,
            version_id,
            questionnaire_file,
            &parsed,
        )
        .await
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    }
    let (wave_id, _) = surveys::ensure_wave(
        &mut tx,
        survey_id,
        "Démonstration",
        version_id,
        WaveStatus::Open,
    )
    .await?;
    // A demonstration is tried at any hour: calls are allowed around the clock.
    crate::services::rules::allow_around_the_clock(&mut tx, wave_id).await?;
    // Commune quotas from the 2023 legal populations, when the questionnaire asks the commune.
    crate::services::quota::demo::attach(&mut tx, wave_id, &parsed, options.cases).await?;
    // Exports weighted on the same populations, by raking.
    crate::services::weighting::demo(&mut tx, wave_id, &parsed).await?;
    let sample: Vec<NewCase> = (0..options.cases).map(synthetic_case).collect();
    let cases_added =
        cases::insert_cases(&mut tx, wave_id, &sample, crate::store::now_ms()).await?;
    tx.commit().await?;
    let mut wanted = vec![
        ("admin".to_owned(), Role::Admin),
        ("superviseur".to_owned(), Role::Supervisor),
    ];
    wanted.extend((1..=options.interviewers).map(|i| (format!("enqueteur{i}"), Role::Interviewer)));
    wanted.push(("analyste".to_owned(), Role::Analyst));
    let mut accounts = Vec::new();
    for (username, role) in wanted {
        let mut tx = db.read().await?;
        let exists = users::by_username(&mut tx, &username).await?.is_some();
        tx.commit().await?;
        let password = if exists {
            None
        } else {
            let password = options
                .password
                .clone()
                .unwrap_or_else(auth::password::generate);
            accounts::create(
                db,
                Actor::Operator,
                &username,
                &display_name(&username),
                role,
                &password,
            )
            .await?;
            Some(password)
        };
        accounts.push(DemoAccount {
            username,
            role,
            password,
        });
    }
    let mut simulated = Vec::new();
    for i in 1..=options.simulated {
        let username = format!("simulation{i}");
        let password = auth::password::generate();
        let mut tx = db.read().await?;
        let existing = users::by_username(&mut tx, &username).await?;
        tx.commit().await?;
        match existing {
            Some(user) => {
                accounts::change_password(db, Actor::Operator, user.id, &password).await?;
            }
            None => {
                accounts::create(
                    db,
                    Actor::Operator,
                    &username,
                    &format!("Enquêteur simulé {i}"),
                    Role::Interviewer,
                    &password,
                )
                .await?;
            }
        }
        simulated.push((username, password));
    }
    Ok(DemoReport {
        questionnaire: file_name,
        wave_id,
        cases_added,
        accounts,
        simulated,
    })
}

fn questionnaire_source(options: &DemoOptions) -> Result<(String, String), AppError> {
    let path = options
        .questionnaire
        .clone()
        .unwrap_or_else(observatory_path);
    match std::fs::read_to_string(&path) {
        Ok(source) => Ok((path.display().to_string(), source)),
        Err(e) if options.questionnaire.is_some() => Err(AppError::Invalid(format!(
            "impossible de lire {} : {e}",
            path.display()
        ))),
        Err(_) => Ok((
            "fixture-questionnaire.toml".to_owned(),
            FIXTURE_QUESTIONNAIRE.to_owned(),
        )),
    }
}

fn display_name(username: &str) -> String {
    let mut chars = username.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

/// The `index`-th synthetic case: communes in turn, a fictional fixed number, and a fictional
/// mobile number for one case in four.
fn synthetic_case(index: u32) -> NewCase {
    let (code, name) = COMMUNES[index as usize % COMMUNES.len()];
    let suffix = index % 10_000;
    let mut phones = vec![format!("+3353649{suffix:04}")];
    if index % 4 == 3 {
        phones.push(format!("+3363998{suffix:04}"));
    }
    NewCase {
        external_id: format!("SYNTH-{:05}", index + 1),
        commune_code: Some(code.to_owned()),
        commune_name: Some(name.to_owned()),
        preload: serde_json::json!({ "commune": name, "commune_fichier": name }),
        synthetic: true,
        phones,
        replicate: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_numbers_stay_in_the_fiction_ranges() {
        for i in [0, 1, 3, 9_999, 10_000, 123_456] {
            for phone in synthetic_case(i).phones {
                assert!(
                    phone.starts_with("+3353649") || phone.starts_with("+3363998"),
                    "{phone}"
                );
                assert_eq!(phone.len(), 12, "{phone}");
            }
        }
    }

    #[test]
    fn synthetic_cases_cover_every_commune() {
        let codes: std::collections::BTreeSet<_> = (0..28)
            .map(|i| synthetic_case(i).commune_code.unwrap())
            .collect();
        assert_eq!(codes.len(), 28);
    }
}
