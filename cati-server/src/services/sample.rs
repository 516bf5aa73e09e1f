//! Loading a manager's phone list into a wave, releasing its replicates, and the survey's
//! do-not-call list. The file is read and checked row by row by the `samplefile` crate; here
//! the rows are checked against the database (numbers already in the wave, numbers not to be
//! called) and stored in batches, so that a million rows never sit in memory at once. For
//! managers on the pages and the API and for the operator at the command line; audited.

use std::collections::HashSet;

use hmac::{Hmac, Mac};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use samplefile::{
    CallerCheck, CommuneList, FileError, Mapping, Pick, Progress, Report, Row, SampleFile,
    Validator, normalize_phone,
};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::auth::Actor;
use crate::error::AppError;
use crate::sample::communes::COMMUNES;
use crate::services::text::given;
use crate::services::{surveys as survey_service, waves};
use crate::store::audit::AuditAction;
use crate::store::cases::{self, NewCase};
use crate::store::sample::{self as store, DoNotCallSource};
use crate::store::surveys::{WaveRow, WaveStatus};
use crate::store::users::Role;
use crate::store::{Db, StoreError, Tx, audit, exports, now_ms};

/// Rows checked against the database and stored together.
const BATCH: usize = 2_000;

/// How to load a file.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportOptions {
    /// Load nothing unless every row is good.
    #[serde(default)]
    pub all_or_nothing: bool,
    /// Split the loaded cases into random replicates of this size, released one at a time
    /// (none is released by the import).
    #[serde(default)]
    #[param(minimum = 1)]
    pub replicate_size: Option<u32>,
    /// Seed of the random split (default 1: the same file splits the same way).
    #[serde(default)]
    pub seed: Option<u64>,
    /// The phone number's column, when its header is not a usual one (`téléphone`, `tel`…).
    #[serde(default)]
    pub phone_column: Option<String>,
    /// The second number's column; `aucune`: the file has none.
    #[serde(default)]
    pub second_phone_column: Option<String>,
    /// The commune's column; `aucune`: the file has none (asked at screening).
    #[serde(default)]
    pub commune_column: Option<String>,
    /// The identifier's column; `aucune`: identifiers are made from line numbers.
    #[serde(default)]
    pub id_column: Option<String>,
    /// Columns holding personal data (names, addresses…), comma-separated: kept for the
    /// interviewers, never exported whatever the questionnaire says of them.
    #[serde(default)]
    pub personal: Option<String>,
}

impl ImportOptions {
    /// The columns' roles as the caller gave them (the others recognised by their header).
    fn mapping(&self) -> Mapping {
        let pick = |column: &Option<String>| match given(column.as_deref()) {
            None => Pick::Auto,
            Some(name) if name.eq_ignore_ascii_case("aucune") => Pick::Absent,
            Some(name) => Pick::Column(name.to_owned()),
        };
        Mapping {
            phone: given(self.phone_column.as_deref()).map(str::to_owned),
            second_phone: pick(&self.second_phone_column),
            commune: pick(&self.commune_column),
            external_id: pick(&self.id_column),
            personal: self
                .personal
                .as_deref()
                .unwrap_or_default()
                .split(',')
                .filter_map(|c| given(Some(c)))
                .map(str::to_owned)
                .collect(),
        }
    }
}

/// What an import did.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Imported {
    /// Cases added to the wave.
    pub imported: u64,
    /// Rows accepted but not added: their identifier is already in the wave.
    pub already_present: u64,
    /// Replicates created (0 without `replicate_size`).
    pub replicates: u64,
    /// Whether anything was stored (`false` after an all-or-nothing import with rejections).
    pub stored: bool,
    /// The file as read (format, encoding, separator), in French.
    pub file: String,
    /// The row-by-row report: `imported`, `rejected` (line, reason…), counts by reason,
    /// commune and line type.
    #[schema(value_type = Object)]
    pub report: serde_json::Value,
}

/// Loads the phone list `bytes` (CSV or .xlsx named `file_name`) into a wave in preparation,
/// open or paused. Good rows are stored and bad ones reported; with `all_or_nothing`, nothing
/// is stored if any row is bad. `progress` hears how far the reading is.
pub async fn import(
    db: &Db,
    actor: Actor<'_>,
    wave: &str,
    file_name: &str,
    bytes: &[u8],
    options: &ImportOptions,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<(Imported, Report), AppError> {
    actor.require(Role::MANAGERS)?;
    if options.replicate_size == Some(0) {
        return Err(AppError::Invalid(
            "la taille d'un réplicat doit être d'au moins 1".to_owned(),
        ));
    }
    let Prepared {
        wave,
        secret,
        preload_commune,
        wave_had_cases,
        survey_has_do_not_call,
    } = prepare(db, wave).await?;
    let mut file = SampleFile::open(bytes, file_name, &options.mapping()).map_err(file_error)?;
    let described = file.format().to_string();
    let auto_ids = file
        .columns()
        .header(samplefile::Field::ExternalId)
        .is_none();
    let columns = file.columns().clone();
    let communes =
        CommuneList::new(COMMUNES).map_err(|e| AppError::Internal(format!("commune list: {e}")))?;
    let mut validator = Validator::new(&communes);
    let mut report = Report::new();
    // Identifiers made from line numbers are unique in one file only: each import gets its
    // own prefix, so that a second list loaded into the wave keeps all its rows.
    let import_tag = format!("I{}", now_ms());
    let mut tally = Tally::default();
    // All or nothing: one transaction for the whole file. Otherwise one per batch, so that
    // interviewers' saves go on between batches.
    let mut whole = if options.all_or_nothing {
        Some(db.write().await?)
    } else {
        None
    };
    let mut batch: Vec<Row> = Vec::with_capacity(BATCH);
    let mut records = file.records().map_err(file_error)?;
    loop {
        let record = records.next();
        let at_end = record.is_none();
        if let Some(record) = record {
            match validator.validate(record.map_err(file_error)?) {
                Ok(row) => batch.push(row),
                Err(rejection) => report.reject(rejection),
            }
            progress(records.progress());
        }
        if batch.len() >= BATCH || (at_end && !batch.is_empty()) {
            let context = BatchContext {
                wave: &wave,
                secret: &secret,
                columns: &columns,
                preload_commune,
                id_prefix: auto_ids.then_some(import_tag.as_str()),
                replicates: options.replicate_size.is_some(),
                wave_had_cases,
                survey_has_do_not_call,
            };
            match whole.as_mut() {
                Some(tx) => store_batch(tx, &context, &mut batch, &mut report, &mut tally).await?,
                None => {
                    let mut tx = db.write().await?;
                    store_batch(&mut tx, &context, &mut batch, &mut report, &mut tally).await?;
                    tx.commit().await?;
                }
            }
            batch.clear();
        }
        if at_end {
            break;
        }
    }
    let stored = !options.all_or_nothing || report.rejected().is_empty();
    let mut tx = match whole {
        Some(tx) if !stored => {
            tx.rollback().await?;
            db.write().await?
        }
        Some(tx) => tx,
        None => db.write().await?,
    };
    let replicates = match options.replicate_size {
        Some(size) if stored => split_replicates(&mut tx, &wave, size, options.seed).await?,
        _ => 0,
    };
    let imported = if stored { tally.inserted } else { 0 };
    let personal: Vec<String> = columns
        .preload()
        .iter()
        .filter(|field| field.personal)
        .map(|field| field.name.clone())
        .collect();
    if stored && !personal.is_empty() {
        store::add_personal_fields(&mut tx, wave.id, &personal).await?;
    }
    audit::record(
        &mut tx,
        actor.user_id(),
        AuditAction::SampleImport,
        &format!("wave:{}", wave.uuid),
        &serde_json::json!({
            "file": file_name,
            "accepted": report.accepted(),
            "rejected": report.rejected().len(),
            "imported": imported,
            "already_present": tally.already_present,
            "replicates": replicates,
            "stored": stored,
            "personal_fields": personal,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok((
        Imported {
            imported,
            already_present: if stored { tally.already_present } else { 0 },
            replicates,
            stored,
            file: described,
            report: serde_json::to_value(report.to_json(imported))
                .map_err(|e| AppError::Internal(format!("report serialisation: {e}")))?,
        },
        report,
    ))
}

impl Imported {
    /// The import in French, for the command line and the page alike: a title line, then what
    /// was read, what was left out, and the counts by reason, line type and commune.
    pub fn summary(&self, report: &Report) -> (String, Vec<String>) {
        let title = format!(
            "{} cas chargés, {} lignes refusées.",
            self.imported,
            report.rejected().len()
        );
        let mut lines = vec![format!("Fichier lu : {}.", self.file)];
        if !self.stored {
            lines.push(
                "Rien n'a été chargé (« tout ou rien ») : corrigez les lignes refusées.".to_owned(),
            );
        }
        if self.already_present > 0 {
            lines.push(format!(
                "{} lignes déjà présentes (même identifiant) ignorées.",
                self.already_present
            ));
        }
        if self.replicates > 0 {
            lines.push(format!(
                "{} réplicats créés ; aucun n'est libéré.",
                self.replicates
            ));
        }
        let joined = |parts: Vec<String>, separator: &str| parts.join(separator);
        let reasons: Vec<String> = report
            .by_reason()
            .map(|r| format!("{} : {}", r.label, r.count))
            .collect();
        if !reasons.is_empty() {
            lines.push(format!("Refus par motif — {}.", joined(reasons, " ; ")));
        }
        let line_types: Vec<String> = report
            .by_line_type()
            .map(|(line, count)| format!("{} : {count}", line.label()))
            .collect();
        if !line_types.is_empty() {
            lines.push(format!(
                "Par type de ligne — {}.",
                joined(line_types, " ; ")
            ));
        }
        let mut communes: Vec<String> = report
            .by_commune()
            .map(|c| format!("{} {}", c.name, c.count))
            .collect();
        if report.without_commune() > 0 {
            communes.push(format!("sans commune {}", report.without_commune()));
        }
        if !communes.is_empty() {
            lines.push(format!("Par commune — {}.", joined(communes, ", ")));
        }
        (title, lines)
    }
}

/// Releases the wave's next replicate; returns its number and size.
pub async fn release_replicate(
    db: &Db,
    actor: Actor<'_>,
    wave: &str,
) -> Result<(i64, u64), AppError> {
    actor.require(Role::MANAGERS)?;
    let mut tx = db.write().await?;
    let wave = waves::find(&mut tx, wave).await?;
    let (replicate, cases) = store::release_next_replicate(&mut tx, wave.id)
        .await?
        .ok_or_else(|| {
            AppError::Conflict(format!(
                "la vague « {} » n'a plus de réplicat à libérer",
                wave.name
            ))
        })?;
    audit::record(
        &mut tx,
        actor.user_id(),
        AuditAction::SampleRelease,
        &format!("wave:{}", wave.uuid),
        &serde_json::json!({ "replicate": replicate, "cases": cases }),
    )
    .await?;
    tx.commit().await?;
    Ok((replicate, cases))
}

/// What a do-not-call import did.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DoNotCallImported {
    /// Numbers added to the list.
    pub added: u64,
    /// Numbers already on it.
    pub already_listed: u64,
    /// Lines refused: line number and reason, in French.
    pub rejected: Vec<String>,
}

/// Adds the numbers of a list (one per line, or the first column of a CSV) to the survey's
/// do-not-call list, as keyed hashes: the numbers themselves are not stored.
pub async fn import_do_not_call(
    db: &Db,
    actor: Actor<'_>,
    survey: &str,
    text: &str,
) -> Result<DoNotCallImported, AppError> {
    actor.require(Role::MANAGERS)?;
    let mut tx = db.write().await?;
    let survey = survey_service::find(&mut tx, survey).await?;
    let secret = exports::survey_secret(&mut tx, survey.id).await?;
    let mut hashes = Vec::new();
    let mut rejected = Vec::new();
    for (line, raw) in (1..).zip(text.lines()) {
        let value = raw.split([';', ',', '\t']).next().unwrap_or("").trim();
        if value.is_empty() {
            continue;
        }
        match normalize_phone(value) {
            Ok(phone) => hashes.push(number_hash(&secret, &phone.e164)),
            // A header line is not a number: skip it silently when it is the first.
            Err(_) if line == 1 && !value.chars().any(|c| c.is_ascii_digit()) => {}
            Err(e) => rejected.push(format!("ligne {line} : {e} (« {value} »)")),
        }
    }
    hashes.sort();
    hashes.dedup();
    let added =
        store::add_do_not_call(&mut tx, survey.id, &hashes, DoNotCallSource::Import).await?;
    audit::record(
        &mut tx,
        actor.user_id(),
        AuditAction::DncImport,
        &format!("survey:{}", survey.uuid),
        &serde_json::json!({ "added": added, "rejected": rejected.len() }),
    )
    .await?;
    tx.commit().await?;
    Ok(DoNotCallImported {
        added,
        already_listed: hashes.len() as u64 - added,
        rejected,
    })
}

/// The keyed hash under which a number is kept on a do-not-call list (HMAC-SHA-256 with the
/// survey's secret, hex): equal numbers match, and the list reveals no number to whoever reads
/// the database without the secret.
pub fn number_hash(secret: &[u8], e164: &str) -> String {
    // HMAC takes keys of any length: this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC accepts any key length");
    mac.update(e164.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Running counts of an import.
#[derive(Default)]
struct Tally {
    inserted: u64,
    already_present: u64,
}

/// What every batch needs to know.
struct BatchContext<'a> {
    wave: &'a WaveRow,
    secret: &'a [u8],
    columns: &'a samplefile::Columns,
    /// Whether the questionnaire reads the file's commune as preload `commune_fichier`.
    preload_commune: bool,
    /// Prefix of identifiers made from line numbers.
    id_prefix: Option<&'a str>,
    /// Cases wait for the replicate split.
    replicates: bool,
    /// The wave had cases before this import. When it had none, a number of the file can only
    /// repeat another row of the same file, which the validator already refuses: the database
    /// need not be asked.
    wave_had_cases: bool,
    /// The survey's do-not-call list has entries (else it need not be asked either).
    survey_has_do_not_call: bool,
}

/// What an import reads once before the rows.
struct Prepared {
    wave: WaveRow,
    secret: Vec<u8>,
    preload_commune: bool,
    wave_had_cases: bool,
    survey_has_do_not_call: bool,
}

/// The wave (which must still take cases), the survey's secret, whether its questionnaire has
/// a `commune_fichier` preload field, whether the wave has cases and the survey a do-not-call
/// list.
async fn prepare(db: &Db, wave: &str) -> Result<Prepared, AppError> {
    let mut tx = db.write().await?;
    let wave = waves::find(&mut tx, wave).await?;
    if wave.status == WaveStatus::Closed {
        return Err(AppError::Conflict(format!(
            "la vague « {} » est close : elle ne prend plus de cas",
            wave.name
        )));
    }
    let secret = exports::survey_secret(&mut tx, wave.survey_id).await?;
    let questionnaire =
        crate::services::interview::load_version(&mut tx, wave.questionnaire_version_id).await?;
    let wave_had_cases = cases::count(&mut tx, wave.id).await? > 0;
    let survey_has_do_not_call = store::has_do_not_call(&mut tx, wave.survey_id).await?;
    tx.commit().await?;
    let preload_commune = questionnaire
        .preload_fields()
        .iter()
        .any(|f| f.name == PRELOAD_COMMUNE);
    Ok(Prepared {
        wave,
        secret,
        preload_commune,
        wave_had_cases,
        survey_has_do_not_call,
    })
}

/// The preload field through which a questionnaire reads the commune the file gives.
const PRELOAD_COMMUNE: &str = "commune_fichier";

/// Checks a batch against the database, reports what it refuses, stores the rest.
async fn store_batch(
    tx: &mut Tx,
    context: &BatchContext<'_>,
    batch: &mut Vec<Row>,
    report: &mut Report,
    tally: &mut Tally,
) -> Result<(), AppError> {
    let numbers: Vec<String> = batch
        .iter()
        .flat_map(|row| row.phones().map(|(_, phone)| phone.e164.clone()))
        .collect();
    if context.wave_had_cases {
        let refs: Vec<&str> = numbers.iter().map(String::as_str).collect();
        let in_wave = store::numbers_in_wave(tx, context.wave.id, &refs).await?;
        report.reject_if(batch, CallerCheck::AlreadyInWave, |e164| {
            in_wave.contains(e164)
        });
    }
    if context.survey_has_do_not_call {
        let hashes: Vec<String> = numbers
            .iter()
            .map(|n| number_hash(context.secret, n))
            .collect();
        let listed = store::do_not_call_among(tx, context.wave.survey_id, &hashes).await?;
        let listed_numbers: HashSet<&str> = numbers
            .iter()
            .zip(&hashes)
            .filter(|(_, hash)| listed.contains(*hash))
            .map(|(number, _)| number.as_str())
            .collect();
        report.reject_if(batch, CallerCheck::DoNotCall, |e164| {
            listed_numbers.contains(e164)
        });
    }
    let cases: Vec<NewCase> = batch
        .iter()
        .map(|row| {
            report.accept(row);
            new_case(context, row)
        })
        .collect();
    let inserted = cases::insert_cases(tx, context.wave.id, &cases, now_ms()).await?;
    tally.inserted += inserted;
    tally.already_present += cases.len() as u64 - inserted;
    Ok(())
}

fn new_case(context: &BatchContext<'_>, row: &Row) -> NewCase {
    let mut preload = serde_json::Map::new();
    for (field, value) in row.preload_values(context.columns) {
        preload.insert(field.name.clone(), value.into());
    }
    if context.preload_commune
        && let Some(commune) = &row.commune
    {
        preload
            .entry(PRELOAD_COMMUNE)
            .or_insert_with(|| commune.name.clone().into());
    }
    NewCase {
        external_id: match context.id_prefix {
            Some(prefix) => format!("{prefix}-{}", row.external_id),
            None => row.external_id.clone(),
        },
        commune_code: row.commune.as_ref().map(|c| c.code.clone()),
        commune_name: row.commune.as_ref().map(|c| c.name.clone()),
        preload: serde_json::Value::Object(preload),
        synthetic: false,
        phones: row.phones().map(|(_, p)| p.e164.clone()).collect(),
        // Replicate 0: loaded, waiting for the split (not dialled).
        replicate: context.replicates.then_some(0),
    }
}

/// Splits the wave's cases waiting for a replicate into random replicates of `size` (the last
/// may be smaller), numbered after the wave's existing ones; returns how many.
async fn split_replicates(
    tx: &mut Tx,
    wave: &WaveRow,
    size: u32,
    seed: Option<u64>,
) -> Result<u64, StoreError> {
    let mut ids = store::unassigned_replicate_cases(tx, wave.id).await?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed.unwrap_or(1));
    ids.shuffle(&mut rng);
    let first = store::last_replicate(tx, wave.id).await? + 1;
    let mut count = 0;
    for (replicate, chunk) in (first..).zip(ids.chunks(size as usize)) {
        store::set_replicate(tx, chunk, replicate).await?;
        count += 1;
    }
    Ok(count)
}

fn file_error(error: FileError) -> AppError {
    AppError::Invalid(error.to_string())
}
