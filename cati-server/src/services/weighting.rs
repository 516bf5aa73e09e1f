//! A wave's weighting set-up: the population margins its completed interviews are weighted on
//! (the INSEE legal populations embedded in cati, vintage chosen, or a file the manager gives)
//! and the method. Exports of the wave are weighted with it unless the analyst asks otherwise,
//! and the next wave created from this one carries it. Managers set it on the pages, the API and
//! the command line; every change is audited; analysts read it.

use exports::weighting::Method;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::AppError;
use crate::services::export::Weighting;
use crate::services::export::weighting::{WeightingInputError, from_text, latest_vintage};
use crate::services::text::given;
use crate::services::waves::find;
use crate::store::audit::{self, AuditAction};
use crate::store::surveys::{self, WaveRow};
use crate::store::users::Role;
use crate::store::{Db, Tx};

/// The INSEE legal populations of the 28 communes of Bordeaux Métropole, vintages 2019 to 2023
/// (`shared/data/bm_populations_legales.csv`), embedded so that a wave is weighted from the
/// binary alone.
pub const LEGAL_POPULATIONS: &str = include_str!("../../assets/bm_populations_legales.csv");

/// The questionnaire variable holding the commune's INSEE code, whose options the populations'
/// communes must be.
const COMMUNE_VARIABLE: &str = "COMMUNE";

/// Where a wave's population margins come from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PopulationSource {
    /// The INSEE legal populations embedded in cati.
    Legal,
    /// A file given by the manager, with the columns of the legal populations file
    /// (`code_commune,nom_commune,millesime,population_municipale`).
    File {
        /// Its name as given (no server path).
        file_name: String,
    },
}

/// A wave's weighting set-up, as stored with the wave (JSON).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WeightingSetup {
    /// Where the margins come from.
    pub source: PopulationSource,
    /// The file's text for [`PopulationSource::File`] (the legal populations are not copied).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// The populations' vintage (`millesime`).
    pub vintage: String,
    /// The method's name ([`Method::NAMES`]).
    pub method: String,
    /// Bounds `L,U` of the `logit` and `truncated` methods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bounds: Option<String>,
}

/// What an export may change of a wave's set-up: the analyst's own method, bounds or vintage.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Overrides {
    /// Another method.
    pub method: Option<String>,
    /// Other bounds.
    pub bounds: Option<String>,
    /// Another vintage of the same populations.
    pub vintage: Option<String>,
}

impl Overrides {
    /// Whether the export asks for anything of its own.
    pub fn any(&self) -> bool {
        self.method.is_some() || self.bounds.is_some() || self.vintage.is_some()
    }
}

impl WeightingSetup {
    fn csv(&self) -> &str {
        match self.source {
            PopulationSource::Legal => LEGAL_POPULATIONS,
            PopulationSource::File { .. } => self.content.as_deref().unwrap_or_default(),
        }
    }

    /// The populations' name in messages.
    fn source_name(&self) -> String {
        match &self.source {
            PopulationSource::Legal => "populations légales INSEE".to_owned(),
            PopulationSource::File { file_name } => format!("fichier « {file_name} »"),
        }
    }

    /// The weighting of an export, with the analyst's overrides.
    pub fn weighting(&self, overrides: &Overrides) -> Result<Weighting, WeightingInputError> {
        from_text(
            self.csv(),
            &self.source_name(),
            Some(overrides.vintage.as_deref().unwrap_or(&self.vintage)),
            overrides.method.as_deref().unwrap_or(&self.method),
            overrides.bounds.as_deref().or(self.bounds.as_deref()),
        )
    }

    /// In French, in one sentence: « Calage (raking) sur les populations légales INSEE,
    /// millésime 2023, des 28 communes. »
    pub fn summary(&self, communes: usize) -> String {
        let bounds = self
            .bounds
            .as_deref()
            .map(|b| format!(", bornes {b}"))
            .unwrap_or_default();
        format!(
            "{}{bounds}, sur les {}, millésime {}, des {communes} communes.",
            method_label(&self.method),
            self.source_name(),
            self.vintage
        )
    }
}

/// A method's French name.
pub fn method_label(method: &str) -> String {
    match method {
        "raking" => "Calage sur marges par raking".to_owned(),
        "linear" => "Calage linéaire".to_owned(),
        "logit" => "Calage logit (poids bornés)".to_owned(),
        "truncated" => "Calage linéaire tronqué (poids bornés)".to_owned(),
        "poststrat" => "Post-stratification".to_owned(),
        other => format!("Méthode « {other} »"),
    }
}

/// One commune's population margin.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CommuneMargin {
    /// INSEE code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Population (INSEE *population municipale*).
    pub population: u64,
    /// Share of the total, between 0 and 1.
    pub share: f64,
}

/// A wave's weighting set-up as managers and analysts read it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct WeightingView {
    /// The wave.
    pub wave_id: Uuid,
    /// Its name.
    pub wave_name: String,
    /// Whether its exports are weighted by default.
    pub weighted: bool,
    /// Where the margins come from (absent when not weighted).
    pub source: Option<PopulationSource>,
    /// The populations' vintage.
    pub vintage: Option<String>,
    /// The method ([`Method::NAMES`]).
    pub method: Option<String>,
    /// Bounds `L,U` of bounded methods.
    pub bounds: Option<String>,
    /// The set-up in one French sentence.
    pub summary: String,
    /// The communes' margins.
    pub communes: Vec<CommuneMargin>,
    /// The vintages the source holds (for choosing another).
    pub vintages: Vec<String>,
}

/// Which populations and method to weight a wave on.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WeightingRequest {
    /// `legal`: the INSEE legal populations embedded in cati; `file`: the populations given in
    /// `file_name` and `content`.
    pub source: SourceKind,
    /// The file's name (with `file`).
    #[serde(default)]
    pub file_name: Option<String>,
    /// The file's text, CSV with the columns
    /// `code_commune,nom_commune,millesime,population_municipale` (with `file`).
    #[serde(default)]
    pub content: Option<String>,
    /// The vintage (`millesime`); default: the latest.
    #[serde(default)]
    pub vintage: Option<String>,
    /// `raking` (default), `linear`, `logit`, `truncated` or `poststrat`.
    #[serde(default)]
    pub method: Option<String>,
    /// Bounds `L,U` for `logit` and `truncated` (e.g. `0.3,3`).
    #[serde(default)]
    pub bounds: Option<String>,
}

/// Where the populations of a [`WeightingRequest`] come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// The embedded legal populations.
    Legal,
    /// A file given with the request.
    File,
}

/// The weighting set-up of the wave `key` (identifier or name); managers and analysts.
pub async fn show(db: &Db, actor: Actor<'_>, key: &str) -> Result<WeightingView, AppError> {
    actor.require(Role::READERS)?;
    let mut tx = db.read().await?;
    let wave = find(&mut tx, key).await?;
    let setup = stored(&mut tx, wave.id).await?;
    tx.commit().await?;
    view(&wave, setup.as_ref())
}

/// The weighting set-ups of `waves` (as listed for the caller), in their order, read together.
pub async fn views(
    db: &Db,
    actor: Actor<'_>,
    waves: &[WaveRow],
) -> Result<Vec<WeightingView>, AppError> {
    actor.require(Role::READERS)?;
    let mut tx = db.read().await?;
    let stored = surveys::weightings(&mut tx).await?;
    tx.commit().await?;
    waves
        .iter()
        .map(|wave| {
            let setup = stored.get(&wave.id).map(|json| parse(json)).transpose()?;
            view(wave, setup.as_ref())
        })
        .collect()
}

/// Sets the weighting of the wave `key`: the populations are read and checked against the
/// wave's questionnaire, the method and its bounds checked, before anything is stored.
pub async fn set(
    db: &Db,
    actor: Actor<'_>,
    key: &str,
    request: &WeightingRequest,
) -> Result<WeightingView, AppError> {
    actor.require(Role::MANAGERS)?;
    let (setup, weighting) = setup_of(request)?;
    let mut tx = db.write().await?;
    let wave = find(&mut tx, key).await?;
    check_communes(&mut tx, &wave, &weighting).await?;
    let before = stored(&mut tx, wave.id).await?;
    let json = serde_json::to_string(&setup).map_err(|e| AppError::Internal(e.to_string()))?;
    surveys::set_weighting(&mut tx, wave.id, Some(&json)).await?;
    record(&mut tx, actor, &wave, before.as_ref(), Some(&setup)).await?;
    tx.commit().await?;
    Ok(view_of(&wave, &setup, &weighting))
}

/// Removes the weighting of the wave `key`: its exports are unweighted by default.
pub async fn remove(db: &Db, actor: Actor<'_>, key: &str) -> Result<WeightingView, AppError> {
    actor.require(Role::MANAGERS)?;
    let mut tx = db.write().await?;
    let wave = find(&mut tx, key).await?;
    let before = stored(&mut tx, wave.id).await?;
    surveys::set_weighting(&mut tx, wave.id, None).await?;
    record(&mut tx, actor, &wave, before.as_ref(), None).await?;
    tx.commit().await?;
    view(&wave, None)
}

/// The weighting stored with a wave.
pub async fn stored(tx: &mut Tx, wave_id: i64) -> Result<Option<WeightingSetup>, AppError> {
    surveys::weighting(tx, wave_id)
        .await?
        .map(|json| parse(&json))
        .transpose()
}

fn parse(json: &str) -> Result<WeightingSetup, AppError> {
    serde_json::from_str(json)
        .map_err(|e| AppError::Internal(format!("stored weighting unreadable: {e}")))
}

/// Gives `wave` the weighting of `previous`; the line of the comparability report saying so.
pub async fn carry(tx: &mut Tx, previous: &WaveRow, wave: &WaveRow) -> Result<String, AppError> {
    let Some(json) = surveys::weighting(tx, previous.id).await? else {
        return Ok("Pas de pondération dans la vague précédente.".to_owned());
    };
    let setup = parse(&json)?;
    surveys::set_weighting(tx, wave.id, Some(&json)).await?;
    Ok(format!(
        "Pondération reprise : {} (millésime {}).",
        method_label(&setup.method),
        setup.vintage
    ))
}

/// The demo wave's weighting: raking on the legal populations of the demo's quotas, when its
/// questionnaire asks the commune; a set-up already there is kept.
pub async fn demo(
    tx: &mut Tx,
    wave_id: i64,
    questionnaire: &questionnaire::Questionnaire,
) -> Result<(), AppError> {
    if !questionnaire.has_variable(COMMUNE_VARIABLE)
        || surveys::weighting(tx, wave_id).await?.is_some()
    {
        return Ok(());
    }
    let setup = WeightingSetup {
        source: PopulationSource::Legal,
        content: None,
        vintage: crate::services::quota::demo::VINTAGE.to_owned(),
        method: "raking".to_owned(),
        bounds: None,
    };
    let json = serde_json::to_string(&setup).map_err(|e| AppError::Internal(e.to_string()))?;
    surveys::set_weighting(tx, wave_id, Some(&json)).await?;
    Ok(())
}

/// Refuses, in French, a method the weighting does not know; `also` names what else the caller
/// accepts (`none` for an export).
pub fn known_method(method: &str, also: &[&str]) -> Result<(), AppError> {
    if Method::NAMES.contains(&method) {
        return Ok(());
    }
    let accepted = std::iter::once(Method::NAMES.join(", "))
        .chain(also.iter().map(|a| (*a).to_owned()))
        .collect::<Vec<_>>()
        .join(" ou ");
    Err(AppError::Invalid(format!(
        "méthode de pondération inconnue : « {method} » (attendu : {accepted})"
    )))
}

/// The set-up a request describes, fully checked (populations readable for the vintage, method
/// and bounds valid), with the weighting it gives.
fn setup_of(request: &WeightingRequest) -> Result<(WeightingSetup, Weighting), AppError> {
    let (source, content) = match request.source {
        SourceKind::Legal => (PopulationSource::Legal, None),
        SourceKind::File => {
            let content = given(request.content.as_deref()).ok_or_else(|| {
                AppError::Invalid("populations : le fichier est vide ou absent".to_owned())
            })?;
            let file_name = given(request.file_name.as_deref())
                .map(file_name_only)
                .unwrap_or_else(|| "populations.csv".to_owned());
            (
                PopulationSource::File { file_name },
                Some(content.to_owned()),
            )
        }
    };
    let mut setup = WeightingSetup {
        source,
        content,
        vintage: String::new(),
        method: given(request.method.as_deref())
            .unwrap_or("raking")
            .to_owned(),
        bounds: given(request.bounds.as_deref()).map(str::to_owned),
    };
    known_method(&setup.method, &[])?;
    setup.vintage = match given(request.vintage.as_deref()) {
        Some(vintage) => vintage.to_owned(),
        None => latest_vintage(setup.csv(), &setup.source_name()).map_err(invalid)?,
    };
    let weighting = setup.weighting(&Overrides::default()).map_err(invalid)?;
    Ok((setup, weighting))
}

/// A file's name without the folders of the machine it came from.
fn file_name_only(name: &str) -> String {
    name.rsplit(['/', '\\']).next().unwrap_or(name).to_owned()
}

fn invalid(error: WeightingInputError) -> AppError {
    AppError::Invalid(format!("pondération refusée : {error}"))
}

/// Refuses populations of communes the wave's questionnaire does not offer at its commune
/// question (a file for another territory, a typing error in a code).
async fn check_communes(
    tx: &mut Tx,
    wave: &WaveRow,
    weighting: &Weighting,
) -> Result<(), AppError> {
    let questionnaire =
        crate::services::interview::load_version(tx, wave.questionnaire_version_id).await?;
    let options: Vec<String> = match questionnaire.question(COMMUNE_VARIABLE) {
        Some(question) if !question.kind.options().is_empty() => question
            .kind
            .options()
            .iter()
            .map(|o| o.code.to_string())
            .collect(),
        _ => return Ok(()),
    };
    let unknown: Vec<String> = weighting
        .populations
        .iter()
        .filter(|p| !options.contains(&p.code))
        .map(|p| format!("{} ({})", p.code, p.name))
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(format!(
            "pondération refusée : commune(s) absente(s) de la question {COMMUNE_VARIABLE} du \
             questionnaire : {}",
            unknown.join(", ")
        )))
    }
}

async fn record(
    tx: &mut Tx,
    actor: Actor<'_>,
    wave: &WaveRow,
    before: Option<&WeightingSetup>,
    after: Option<&WeightingSetup>,
) -> Result<(), AppError> {
    // The audit log keeps what was chosen, not the file's text.
    let brief = |setup: Option<&WeightingSetup>| {
        setup.map(|s| {
            serde_json::json!({
                "source": s.source, "vintage": s.vintage, "method": s.method, "bounds": s.bounds,
            })
        })
    };
    audit::record(
        tx,
        actor.user_id(),
        AuditAction::WaveWeighting,
        &format!("wave:{}", wave.uuid),
        &serde_json::json!({ "before": brief(before), "after": brief(after) }),
    )
    .await?;
    Ok(())
}

fn view(wave: &WaveRow, setup: Option<&WeightingSetup>) -> Result<WeightingView, AppError> {
    let Some(setup) = setup else {
        return Ok(WeightingView {
            wave_id: wave.uuid,
            wave_name: wave.name.clone(),
            weighted: false,
            source: None,
            vintage: None,
            method: None,
            bounds: None,
            summary: "Pas de pondération : les exports de la vague sont non pondérés.".to_owned(),
            communes: Vec::new(),
            vintages: quotas::population_vintages(LEGAL_POPULATIONS).unwrap_or_default(),
        });
    };
    let weighting = setup
        .weighting(&Overrides::default())
        .map_err(|e| AppError::Internal(format!("stored weighting no longer reads: {e}")))?;
    Ok(view_of(wave, setup, &weighting))
}

/// The view of a set-up and the weighting it gives.
fn view_of(wave: &WaveRow, setup: &WeightingSetup, weighting: &Weighting) -> WeightingView {
    let total: u64 = weighting.populations.iter().map(|p| p.population).sum();
    let communes: Vec<CommuneMargin> = weighting
        .populations
        .iter()
        .map(|p| CommuneMargin {
            code: p.code.clone(),
            name: p.name.clone(),
            population: p.population,
            share: if total == 0 {
                0.0
            } else {
                p.population as f64 / total as f64
            },
        })
        .collect();
    WeightingView {
        wave_id: wave.uuid,
        wave_name: wave.name.clone(),
        weighted: true,
        source: Some(setup.source.clone()),
        vintage: Some(setup.vintage.clone()),
        method: Some(setup.method.clone()),
        bounds: setup.bounds.clone(),
        summary: setup.summary(communes.len()),
        communes,
        vintages: quotas::population_vintages(setup.csv()).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(source: SourceKind) -> WeightingRequest {
        WeightingRequest {
            source,
            file_name: None,
            content: None,
            vintage: None,
            method: None,
            bounds: None,
        }
    }

    #[test]
    fn legal_populations_default_to_the_latest_vintage_and_raking() {
        let setup = setup_of(&request(SourceKind::Legal)).unwrap().0;
        assert_eq!(setup.vintage, "2023");
        assert_eq!(setup.method, "raking");
        let weighting = setup.weighting(&Overrides::default()).unwrap();
        assert_eq!(weighting.populations.len(), 28);
        let bordeaux = weighting
            .populations
            .iter()
            .find(|p| p.code == "33063")
            .unwrap();
        assert_eq!(bordeaux.name, "Bordeaux");
    }

    #[test]
    fn an_unknown_vintage_or_method_is_refused_in_french() {
        let mut asked = request(SourceKind::Legal);
        asked.vintage = Some("2031".to_owned());
        let message = setup_of(&asked).unwrap_err().to_string();
        assert!(
            message.contains("millésime « 2031 »") && message.contains("2019, 2020"),
            "{message}"
        );
        let mut asked = request(SourceKind::Legal);
        asked.method = Some("magie".to_owned());
        let message = setup_of(&asked).unwrap_err().to_string();
        assert!(message.contains("« magie »"), "{message}");
        let mut asked = request(SourceKind::Legal);
        asked.method = Some("logit".to_owned());
        assert!(setup_of(&asked).is_err(), "logit needs bounds");
        asked.bounds = Some("0.3,3".to_owned());
        assert_eq!(setup_of(&asked).unwrap().0.bounds.as_deref(), Some("0.3,3"));
    }

    #[test]
    fn a_file_is_read_with_its_line_in_errors_and_its_name_without_folders() {
        let mut asked = request(SourceKind::File);
        asked.file_name = Some("C:\\Users\\moi\\pop.csv".to_owned());
        asked.content = Some(
            "code_commune,nom_commune,millesime,population_municipale\n33063,Bordeaux,2024,x\n"
                .to_owned(),
        );
        let message = setup_of(&asked).unwrap_err().to_string();
        assert!(
            message.contains("« pop.csv »") && message.contains("ligne 2"),
            "{message}"
        );
        asked.content = Some(
            "code_commune,nom_commune,millesime,population_municipale\n33063,Bordeaux,2024,260000\n"
                .to_owned(),
        );
        let setup = setup_of(&asked).unwrap().0;
        assert_eq!(
            setup.source,
            PopulationSource::File {
                file_name: "pop.csv".to_owned()
            }
        );
        assert_eq!(setup.vintage, "2024");
        assert!(
            setup
                .summary(1)
                .contains("fichier « pop.csv », millésime 2024")
        );
        asked.content = None;
        assert!(setup_of(&asked).is_err());
    }

    #[test]
    fn an_analyst_may_ask_another_method_or_vintage_for_one_export() {
        let setup = setup_of(&request(SourceKind::Legal)).unwrap().0;
        let overrides = Overrides {
            vintage: Some("2019".to_owned()),
            method: Some("linear".to_owned()),
            bounds: None,
        };
        let weighting = setup.weighting(&overrides).unwrap();
        let ambes = |w: &Weighting| {
            w.populations
                .iter()
                .find(|p| p.code == "33004")
                .unwrap()
                .population
        };
        assert_ne!(
            ambes(&weighting),
            ambes(&setup.weighting(&Overrides::default()).unwrap())
        );
        assert!(matches!(
            weighting.spec.method,
            exports::weighting::Method::Linear
        ));
    }
}
