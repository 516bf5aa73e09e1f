//! « Mise en place » (supervisors and admins): surveys and their questionnaire versions
//! (uploaded as files, compared), waves (created, continued from the previous one, weighted,
//! opened, paused, closed). Every form calls the service the command line and the API use; the page
//! comes back with what was done, or the service's French refusal, above the lists.

use axum::extract::{Multipart, State};
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use maud::{Markup, html};
use serde::Deserialize;
use uuid::Uuid;

use super::{Refused, form_page, layout, refusal};
use crate::auth::{Actor, CurrentUser};
use crate::error::{ApiForm, ApiPath, ApiQuery, AppError};
use crate::services::surveys::{self, NewSurvey, SurveyView, Upload};
use crate::services::weighting::{self, SourceKind, WeightingRequest, WeightingView, method_label};
use crate::services::{manage, sample, waves};
use crate::state::AppState;
use crate::store::surveys::{WaveRow, WaveStatus};

/// What the last form did, shown above the lists.
enum Notice {
    /// Done: a title and detail lines.
    Done(String, Vec<String>),
    /// A phone list loaded: the summary, every refused line, and the report as CSV to download.
    Loaded {
        title: String,
        lines: Vec<String>,
        rejected: Vec<String>,
        report_csv: Vec<u8>,
    },
    /// Refused: the service's message (the page is sent with the refusal's status).
    Refused(Refused),
}

impl Notice {
    fn of<T>(
        result: Result<T, AppError>,
        done: impl FnOnce(T) -> Notice,
    ) -> Result<Notice, AppError> {
        Ok(match refusal(result)? {
            Ok(value) => done(value),
            Err(refused) => Notice::Refused(refused),
        })
    }
}

/// `GET /mise-en-place`.
pub async fn page(State(state): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    render(&state, &user, None).await
}

/// `POST /mise-en-place/enquetes` (multipart: `name`, `title`, `description`,
/// `questionnaire` file, optional `indicators` file).
pub async fn create_survey(
    State(state): State<AppState>,
    user: CurrentUser,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let form = read_form(multipart).await?;
    let new = NewSurvey {
        name: form.text("name"),
        title: Some(form.text("title")),
        description: form.text("description"),
        questionnaire: form.upload(),
    };
    let result = surveys::create(&state.db, Actor::User(&user), &new).await;
    let notice = Notice::of(result, |view| {
        Notice::Done(
            format!("Enquête « {} » créée.", view.survey.code),
            view.versions
                .iter()
                .map(|v| format!("Questionnaire version {} enregistré.", v.version))
                .collect(),
        )
    })?;
    render(&state, &user, Some(notice)).await
}

/// `POST /mise-en-place/enquetes/{id}/questionnaires` (multipart: `questionnaire` file,
/// optional `indicators` file).
pub async fn upload_version(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(survey): ApiPath<Uuid>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let form = read_form(multipart).await?;
    let result = match form.upload() {
        Some(upload) => {
            surveys::upload(&state.db, Actor::User(&user), &survey.to_string(), &upload).await
        }
        None => Err(AppError::Invalid(
            "choisissez le fichier du questionnaire".to_owned(),
        )),
    };
    let notice = Notice::of(result, |version| {
        Notice::Done(
            format!("Questionnaire version {} enregistré.", version.version),
            Vec::new(),
        )
    })?;
    render(&state, &user, Some(notice)).await
}

/// The two versions to compare.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Compare {
    de: String,
    a: String,
}

/// `GET /mise-en-place/enquetes/{id}/comparer?de=…&a=…`.
pub async fn compare(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(survey): ApiPath<Uuid>,
    ApiQuery(versions): ApiQuery<Compare>,
) -> Result<Response, AppError> {
    let result = surveys::compare(
        &state.db,
        Actor::User(&user),
        &survey.to_string(),
        &versions.de,
        &versions.a,
    )
    .await;
    let notice = Notice::of(result, |diff| {
        let mut lines = diff.lines();
        if lines.is_empty() {
            lines.push("Aucune différence de questions.".to_owned());
        } else if !diff.comparable() {
            lines.push(
                "Attention : des variables changent de type ou de codes ; les vagues ne sont pas \
                 entièrement comparables."
                    .to_owned(),
            );
        }
        Notice::Done(
            format!("Questionnaire {} → {}", versions.de, versions.a),
            lines,
        )
    })?;
    render(&state, &user, Some(notice)).await
}

/// The new-wave form.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewWaveForm {
    survey: Uuid,
    name: String,
    #[serde(default)]
    questionnaire_version: String,
    #[serde(default)]
    from_wave: String,
    #[serde(default)]
    field_start: String,
    #[serde(default)]
    field_end: String,
}

/// `POST /mise-en-place/vagues`.
pub async fn create_wave(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiForm(form): ApiForm<NewWaveForm>,
) -> Result<Response, AppError> {
    let given = |text: String| Some(text).filter(|t| !t.trim().is_empty());
    let request = waves::WaveRequest {
        survey: form.survey.to_string(),
        name: form.name,
        questionnaire_version: given(form.questionnaire_version),
        from_wave: given(form.from_wave),
        field_start: given(form.field_start),
        field_end: given(form.field_end),
    };
    let result = waves::create(&state.db, Actor::User(&user), &request).await;
    let notice = Notice::of(result, |created| {
        let mut lines = Vec::new();
        if let Some(report) = created.comparability {
            lines.push(format!(
                "Par rapport à la vague « {} »{} :",
                report.previous_wave,
                if report.comparable {
                    ""
                } else {
                    " (attention : pas entièrement comparable)"
                }
            ));
            lines.extend(report.lines);
        }
        Notice::Done(
            format!(
                "Vague « {} » créée, en préparation : ouvrez-la quand son échantillon est prêt.",
                created.wave.name
            ),
            lines,
        )
    })?;
    render(&state, &user, Some(notice)).await
}

/// `POST /mise-en-place/vagues/{id}/echantillon` (multipart: `file`, `all_or_nothing`,
/// `replicate_size`).
pub async fn import_sample(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(wave): ApiPath<Uuid>,
    mut multipart: Multipart,
) -> Result<Response, AppError> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        AppError::BadRequest(format!("formulaire illisible : {}", e.body_text()))
    };
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut options = sample::ImportOptions::default();
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        let field_name = field.name().unwrap_or_default().to_owned();
        match field_name.as_str() {
            "file" => {
                let name = field.file_name().unwrap_or("liste.csv").to_owned();
                let bytes = field.bytes().await.map_err(bad)?;
                if !bytes.is_empty() {
                    file = Some((name, bytes.to_vec()));
                }
            }
            "all_or_nothing" => options.all_or_nothing = true,
            name @ ("phone_column"
            | "second_phone_column"
            | "commune_column"
            | "id_column"
            | "personal") => {
                let text = field.text().await.map_err(bad)?;
                let value = Some(text.trim().to_owned()).filter(|t| !t.is_empty());
                match name {
                    "phone_column" => options.phone_column = value,
                    "second_phone_column" => options.second_phone_column = value,
                    "commune_column" => options.commune_column = value,
                    "id_column" => options.id_column = value,
                    _ => options.personal = value,
                }
            }
            "replicate_size" => {
                let text = field.text().await.map_err(bad)?;
                let text = text.trim();
                if !text.is_empty() {
                    options.replicate_size = Some(text.parse().map_err(|_| {
                        AppError::Invalid(format!("taille de réplicat illisible : « {text} »"))
                    })?);
                }
            }
            _ => {}
        }
    }
    let result = match &file {
        Some((name, bytes)) => {
            sample::import(
                &state.db,
                Actor::User(&user),
                &wave.to_string(),
                name,
                bytes,
                &options,
                &mut |_| {},
            )
            .await
        }
        None => Err(AppError::Invalid(
            "choisissez le fichier à charger".to_owned(),
        )),
    };
    let notice = match refusal(result)? {
        Ok((imported, report)) => {
            let mut report_csv = Vec::new();
            report
                .write_csv(&mut report_csv)
                .map_err(|e| AppError::Internal(format!("report CSV: {e}")))?;
            let (title, lines) = imported.summary(&report);
            Notice::Loaded {
                title,
                lines,
                rejected: report.rejected().iter().map(ToString::to_string).collect(),
                report_csv,
            }
        }
        Err(refused) => Notice::Refused(refused),
    };
    render(&state, &user, Some(notice)).await
}

/// `POST /mise-en-place/vagues/{id}/replicat`: releases the wave's next replicate.
pub async fn release_replicate(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(wave): ApiPath<Uuid>,
) -> Result<Response, AppError> {
    let result = sample::release_replicate(&state.db, Actor::User(&user), &wave.to_string()).await;
    let notice = Notice::of(result, |(replicate, cases)| {
        Notice::Done(
            format!("Réplicat {replicate} libéré : {cases} cas à appeler."),
            Vec::new(),
        )
    })?;
    render(&state, &user, Some(notice)).await
}

/// The wave status form.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusForm {
    status: WaveStatus,
}

/// `POST /mise-en-place/vagues/{id}/etat`.
pub async fn change_status(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(wave): ApiPath<Uuid>,
    ApiForm(form): ApiForm<StatusForm>,
) -> Result<Response, AppError> {
    let result = waves::set_status(
        &state.db,
        Actor::User(&user),
        &wave.to_string(),
        form.status,
    )
    .await;
    let notice = Notice::of(result, |wave| {
        Notice::Done(
            format!("Vague « {} » : {}.", wave.name, wave.status.label()),
            Vec::new(),
        )
    })?;
    render(&state, &user, Some(notice)).await
}

/// `POST /mise-en-place/vagues/{id}/ponderation` (multipart: `source` = `legal`, `file` or
/// `none`; `populations` file; `vintage`, `method`, `bounds`).
pub async fn set_weighting(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(wave): ApiPath<Uuid>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let form = read_form(multipart).await?;
    let optional = |name: &str| Some(form.text(name)).filter(|v| !v.is_empty());
    let key = wave.to_string();
    let actor = Actor::User(&user);
    let result = match form.text("source").as_str() {
        "none" => weighting::remove(&state.db, actor, &key).await,
        source => {
            let file = form.file("populations");
            let request = WeightingRequest {
                source: if source == "file" {
                    SourceKind::File
                } else {
                    SourceKind::Legal
                },
                file_name: file.map(|(name, _)| name.to_owned()),
                content: file.map(|(_, text)| text.to_owned()),
                vintage: optional("vintage"),
                method: optional("method"),
                bounds: optional("bounds"),
            };
            weighting::set(&state.db, actor, &key, &request).await
        }
    };
    let notice = Notice::of(result, |view| {
        Notice::Done(
            format!("Vague « {} » : pondération réglée.", view.wave_name),
            vec![view.summary],
        )
    })?;
    render(&state, &user, Some(notice)).await
}

/// The fields of a multipart form: texts, and files with their names.
struct Form {
    texts: Vec<(String, String)>,
    files: Vec<(String, String, String)>,
}

impl Form {
    fn text(&self, name: &str) -> String {
        self.texts
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    }

    fn file(&self, name: &str) -> Option<(&str, &str)> {
        self.files
            .iter()
            .find(|(n, _, content)| n == name && !content.is_empty())
            .map(|(_, file, content)| (file.as_str(), content.as_str()))
    }

    /// The questionnaire file (and indicators file) of the form, if one was chosen.
    fn upload(&self) -> Option<Upload> {
        self.file("questionnaire")
            .map(|(file_name, source)| Upload {
                file_name: file_name.to_owned(),
                source: source.to_owned(),
                indicators: self.file("indicators").map(|(_, text)| text.to_owned()),
            })
    }
}

async fn read_form(mut multipart: Multipart) -> Result<Form, AppError> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        AppError::BadRequest(format!("formulaire illisible : {}", e.body_text()))
    };
    let mut form = Form {
        texts: Vec::new(),
        files: Vec::new(),
    };
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_owned();
        match field.file_name().map(str::to_owned) {
            Some(file_name) => {
                let bytes = field.bytes().await.map_err(bad)?;
                let text = String::from_utf8(bytes.to_vec()).map_err(|_| {
                    AppError::Invalid(format!(
                        "{file_name} : le fichier n'est pas du texte UTF-8 (enregistrez-le en UTF-8)"
                    ))
                })?;
                form.files.push((name, file_name, text));
            }
            None => {
                let text = field.text().await.map_err(bad)?;
                form.texts.push((name, text));
            }
        }
    }
    Ok(form)
}

async fn render(
    state: &AppState,
    user: &CurrentUser,
    notice: Option<Notice>,
) -> Result<Response, AppError> {
    let surveys = surveys::list(&state.db, Actor::User(user)).await?;
    let waves = manage::waves(&state.db, Actor::User(user)).await?;
    let weightings = weighting::views(&state.db, Actor::User(user), &waves).await?;
    let body = html! {
        h1 { "Mise en place" }
        @match &notice {
            Some(Notice::Done(title, lines)) => {
                div.notice role="status" {
                    p { strong { (title) } }
                    @if !lines.is_empty() { ul { @for line in lines { li { (line) } } } }
                }
            }
            Some(Notice::Loaded { title, lines, rejected, report_csv }) => {
                div.notice role="status" {
                    p { strong { (title) } }
                    ul { @for line in lines { li { (line) } } }
                    @if !rejected.is_empty() {
                        p { a download="rapport-chargement.csv" href={ "data:text/csv;charset=utf-8;base64," (BASE64.encode(report_csv)) } { "Télécharger le rapport (CSV)" } }
                        ol.rejected { @for line in rejected { li { (line) } } }
                    }
                }
            }
            Some(Notice::Refused(refused)) => {
                div.error role="alert" { @for line in refused.message.lines() { p { (line) } } }
            }
            None => {}
        }
        @for view in &surveys { (survey_section(view, &waves, &weightings)) }
        h2 { "Nouvelle enquête" }
        form method="post" action="/mise-en-place/enquetes" enctype="multipart/form-data" {
            label { "Nom court (lettres, chiffres, - _ .) " input name="name" required maxlength="64"; }
            label { "Titre (par défaut celui du questionnaire) " input name="title"; }
            label { "Description " input name="description"; }
            label { "Questionnaire (TOML) " input type="file" name="questionnaire" accept=".toml"; }
            label { "Indicateurs (TOML, facultatif) " input type="file" name="indicators" accept=".toml"; }
            button type="submit" { "Créer l'enquête" }
        }
    };
    let refused = match &notice {
        Some(Notice::Refused(refused)) => Some(refused),
        _ => None,
    };
    Ok(form_page(
        refused,
        layout("Mise en place", Some(user), body),
    ))
}

fn survey_section(
    view: &SurveyView,
    all_waves: &[WaveRow],
    weightings: &[WeightingView],
) -> Markup {
    let survey = &view.survey;
    let waves: Vec<&WaveRow> = all_waves
        .iter()
        .filter(|w| w.survey_uuid == survey.uuid)
        .collect();
    html! {
        section.survey {
            h2 { (survey.title) " (« " (survey.code) " »)" }
            @if !survey.description.is_empty() { p { (survey.description) } }
            h3 { "Questionnaires" }
            @if view.versions.is_empty() { p { "Pas encore de questionnaire." } }
            ul {
                @for version in &view.versions {
                    li {
                        "Version " (version.version) " — " (version.file_name)
                        @if version.has_indicators { ", avec indicateurs" }
                    }
                }
            }
            form method="post" action={ "/mise-en-place/enquetes/" (survey.uuid) "/questionnaires" } enctype="multipart/form-data" {
                label { "Nouvelle version (TOML) " input type="file" name="questionnaire" accept=".toml" required; }
                label { "Indicateurs (facultatif) " input type="file" name="indicators" accept=".toml"; }
                button type="submit" { "Déposer" }
            }
            @if view.versions.len() > 1 {
                form method="get" action={ "/mise-en-place/enquetes/" (survey.uuid) "/comparer" } {
                    label { "Comparer la version " select name="de" { @for v in &view.versions { option { (v.version) } } } }
                    label { " à la version " select name="a" { @for v in view.versions.iter().rev() { option { (v.version) } } } }
                    button type="submit" { "Comparer" }
                }
            }
            h3 { "Vagues" }
            @if waves.is_empty() { p { "Pas encore de vague." } }
            @else {
                table {
                    thead { tr { th { "Vague" } th { "Questionnaire" } th { "Terrain" } th { "État" } th { "Pondération" } th { "Changer" } } }
                    tbody {
                        @for wave in &waves {
                            tr {
                                td { (wave.name) }
                                td { (wave.questionnaire_version) }
                                td { (wave.field_start.as_deref().unwrap_or("…")) " → " (wave.field_end.as_deref().unwrap_or("…")) }
                                td { (wave.status.label()) }
                                td {
                                    @if let Some(weighting) = weightings.iter().find(|w| w.wave_id == wave.uuid) {
                                        (weighting_form(wave, weighting))
                                    }
                                }
                                td {
                                    @if wave.status != WaveStatus::Closed {
                                        form.inline method="post" action={ "/mise-en-place/vagues/" (wave.uuid) "/echantillon" } enctype="multipart/form-data" {
                                            label { "Liste (CSV, .xlsx) " input type="file" name="file" accept=".csv,.txt,.xlsx" required; }
                                            label { input type="checkbox" name="all_or_nothing" value="1"; " tout ou rien" }
                                            label { " réplicats de " input type="number" name="replicate_size" min="1" size="6"; }
                                            details.columns {
                                                summary { "Colonnes" }
                                                p { "Si les en-têtes ne sont pas les noms habituels (téléphone, commune, identifiant…) ; « aucune » : le fichier n'a pas cette colonne." }
                                                label { "numéro " input name="phone_column" size="12"; }
                                                label { " second numéro " input name="second_phone_column" size="12"; }
                                                label { " commune " input name="commune_column" size="12"; }
                                                label { " identifiant " input name="id_column" size="12"; }
                                                label { " colonnes personnelles, jamais exportées (séparées par des virgules) " input name="personal" size="24"; }
                                            }
                                            button type="submit" { "Charger" }
                                        }
                                        form.inline method="post" action={ "/mise-en-place/vagues/" (wave.uuid) "/replicat" } {
                                            button type="submit" { "Libérer le réplicat suivant" }
                                        }
                                    }
                                    @for (status, label) in [(WaveStatus::Open, "Ouvrir"), (WaveStatus::Paused, "Mettre en pause"), (WaveStatus::Closed, "Clore")] {
                                        @if waves::may_move(wave.status, status) {
                                            form.inline method="post" action={ "/mise-en-place/vagues/" (wave.uuid) "/etat" } {
                                                input type="hidden" name="status" value=(status.as_str());
                                                button type="submit" { (label) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if !view.versions.is_empty() {
                form method="post" action="/mise-en-place/vagues" {
                    input type="hidden" name="survey" value=(survey.uuid);
                    label { "Nouvelle vague, nom " input name="name" required maxlength="64"; }
                    label { " à partir de la vague " select name="from_wave" {
                        option value="" { "(aucune)" }
                        @for wave in &waves { option value=(wave.uuid) { (wave.name) } }
                    } }
                    label { " questionnaire " select name="questionnaire_version" {
                        option value="" { "(celui de la vague précédente, sinon le plus récent)" }
                        @for v in view.versions.iter().rev() { option { (v.version) } }
                    } }
                    label { " terrain du " input type="date" name="field_start"; }
                    label { " au " input type="date" name="field_end"; }
                    button type="submit" { "Créer la vague" }
                }
            }
        }
    }
}

/// A wave's weighting: what it is, and the form that changes it (the embedded legal populations
/// or a file, the vintage, the method and its bounds) or removes it.
/// The vintages offered are those of the wave's populations (the legal ones when it has none).
fn weighting_form(wave: &WaveRow, weighting: &WeightingView) -> Markup {
    let from_file = matches!(
        weighting.source,
        Some(weighting::PopulationSource::File { .. })
    );
    html! {
        details.weighting {
            summary {
                @if weighting.weighted {
                    (method_label(weighting.method.as_deref().unwrap_or_default()))
                    ", millésime " (weighting.vintage.as_deref().unwrap_or_default())
                } @else { "Sans pondération" }
            }
            p { (weighting.summary) }
            form method="post" action={ "/mise-en-place/vagues/" (wave.uuid) "/ponderation" } enctype="multipart/form-data" {
                fieldset {
                    legend { "Populations de référence" }
                    label { input type="radio" name="source" value="legal" checked[!from_file]; " populations légales INSEE (intégrées)" }
                    label { input type="radio" name="source" value="file" checked[from_file]; " fichier " input type="file" name="populations" accept=".csv,.txt"; }
                    label { input type="radio" name="source" value="none"; " aucune (exports non pondérés)" }
                }
                label { "Millésime "
                    input name="vintage" size="6" list={ "millesimes-" (wave.uuid) } placeholder="le plus récent"
                        value=(weighting.vintage.as_deref().unwrap_or_default());
                    datalist id={ "millesimes-" (wave.uuid) } { @for v in &weighting.vintages { option value=(v) {} } }
                }
                label { " méthode " select name="method" {
                    @for method in exports::weighting::Method::NAMES {
                        option value=(method) selected[weighting.method.as_deref().unwrap_or("raking") == method] { (method_label(method)) }
                    }
                } }
                label { " bornes (logit, tronqué) " input name="bounds" size="8" placeholder="0.3,3" value=(weighting.bounds.as_deref().unwrap_or_default()); }
                button type="submit" { "Enregistrer la pondération" }
            }
        }
    }
}
