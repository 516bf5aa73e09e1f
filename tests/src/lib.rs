//! End-to-end test helpers: build and start the real `cati` binary on a free port against a
//! scratch database (a temporary SQLite file, or a PostgreSQL database created for the test and
//! dropped afterwards), and talk to it over HTTP like a browser or an API client would. Every
//! `/api/` response the [`Client`] receives is checked against the server's own OpenAPI document.

pub mod openapi;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

/// Password of every demo account in tests.
pub const PASSWORD: &str = "mot-de-passe-de-test";

/// The PostgreSQL server tests use: `CATI_TEST_POSTGRES_URL`, or the local default. Tests on
/// PostgreSQL fail (never skip) when it is unreachable.
pub fn postgres_url() -> String {
    std::env::var("CATI_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// The `cati` binary, built once per test run with the same profile as the tests.
pub fn cati_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        escargot::CargoBuild::new()
            .package("cati-server")
            .bin("cati")
            .current_release()
            .manifest_path(Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml"))
            .run()
            .expect("building the cati binary")
            .path()
            .to_path_buf()
    })
}

/// The fixture questionnaire shipped with the server (short, every question type).
pub fn fixture_questionnaire() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../cati-server/assets/fixture-questionnaire.toml")
}

/// The observatory questionnaire that `cati serve --demo` loads.
pub fn observatory_questionnaire() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../questionnaires/observatoire.toml")
}

/// Where browser tests leave their screenshots (at 1366×768) for anyone to look at:
/// `target/screenshots/`, created when missing.
pub fn screenshots_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots");
    std::fs::create_dir_all(&dir).expect("target/screenshots");
    dir
}

/// Which database backend a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// A temporary SQLite file.
    Sqlite,
    /// A scratch database on the test PostgreSQL server.
    Postgres,
}

/// A scratch database, removed when dropped.
pub struct TestDb {
    /// The URL to give `cati`.
    pub url: String,
    dir: tempfile::TempDir,
    postgres_name: Option<String>,
}

impl TestDb {
    /// Creates an empty database.
    pub async fn new(backend: Backend) -> TestDb {
        let dir = tempfile::tempdir().expect("temporary directory");
        match backend {
            Backend::Sqlite => {
                let url = format!("sqlite://{}", dir.path().join("cati.db").display());
                TestDb {
                    url,
                    dir,
                    postgres_name: None,
                }
            }
            Backend::Postgres => {
                let admin = postgres_url();
                let pool = sqlx::PgPool::connect(&admin).await.unwrap_or_else(|e| {
                    panic!(
                        "PostgreSQL unreachable at {admin} ({e}); start it or set CATI_TEST_POSTGRES_URL"
                    )
                });
                let name = format!(
                    "cati_e2e_{}_{}",
                    std::process::id(),
                    NEXT_DB.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                );
                sqlx::query(&format!("create database {name}"))
                    .execute(&pool)
                    .await
                    .expect("create database");
                pool.close().await;
                let url = replace_database(&admin, &name);
                TestDb {
                    url,
                    dir,
                    postgres_name: Some(name),
                }
            }
        }
    }

    /// A database that exists already at `url` (a test's own PostgreSQL server), left as it
    /// is when dropped.
    pub fn existing(url: String) -> TestDb {
        TestDb {
            url,
            dir: tempfile::tempdir().expect("temporary directory"),
            postgres_name: None,
        }
    }

    /// A directory that lives as long as the database (for logs).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

static NEXT_DB: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let prefix = base.rsplit_once('/').map_or(base, |(p, _)| p);
    match query {
        Some(q) => format!("{prefix}/{name}?{q}"),
        None => format!("{prefix}/{name}"),
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(name) = self.postgres_name.take() else {
            return;
        };
        // Drop runs outside any runtime guarantee: use a private one on a plain thread.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            if let Ok(runtime) = runtime {
                runtime.block_on(async {
                    if let Ok(pool) = sqlx::PgPool::connect(&postgres_url()).await {
                        let _ =
                            sqlx::query(&format!("drop database if exists {name} with (force)"))
                                .execute(&pool)
                                .await;
                    }
                });
            }
        })
        .join();
    }
}

/// How the demo is loaded for a test.
#[derive(Clone, Debug)]
pub struct DemoSize {
    /// Synthetic cases.
    pub cases: u32,
    /// Interviewer accounts `enqueteur1`…
    pub interviewers: u32,
    /// Questionnaire file (default: the short fixture).
    pub questionnaire: PathBuf,
}

impl DemoSize {
    /// A demo with `cases` cases and `interviewers` interviewers on the fixture questionnaire.
    pub fn new(cases: u32, interviewers: u32) -> DemoSize {
        DemoSize {
            cases,
            interviewers,
            questionnaire: fixture_questionnaire(),
        }
    }
}

impl Default for DemoSize {
    fn default() -> Self {
        DemoSize::new(40, 3)
    }
}

/// A running `cati serve`, killed when dropped.
pub struct Server {
    child: Option<Child>,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    port: u16,
    url: String,
    log: PathBuf,
    demo: DemoSize,
    options: Vec<String>,
    open_files: Option<u64>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Server {
    /// Starts `cati serve --demo` on the fixture questionnaire and waits until it is healthy.
    pub async fn start(db: &TestDb, demo: DemoSize) -> Server {
        Server::start_with(db, demo, &[]).await
    }

    /// Starts `cati serve --demo` with more `cati serve` options.
    pub async fn start_with(db: &TestDb, demo: DemoSize, options: &[&str]) -> Server {
        Server::start_limited(db, demo, options, None).await
    }

    /// Starts `cati serve --demo` with more options and, if given, at most `open_files` open
    /// files (through util-linux's `prlimit`), as on a machine with a low limit.
    pub async fn start_limited(
        db: &TestDb,
        demo: DemoSize,
        options: &[&str],
        open_files: Option<u64>,
    ) -> Server {
        let port = free_port();
        let mut server = Server {
            child: None,
            base: format!("http://127.0.0.1:{port}"),
            port,
            url: db.url.clone(),
            log: db.dir().join(format!("server-{port}.log")),
            demo,
            options: options.iter().map(|o| (*o).to_owned()).collect(),
            open_files,
        };
        server.spawn().await;
        server
    }

    async fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("server log file");
        let mut command = match self.open_files {
            Some(limit) => {
                let mut prlimit = Command::new("prlimit");
                prlimit
                    .arg(format!("--nofile={limit}:{limit}"))
                    .arg(cati_binary());
                prlimit
            }
            None => Command::new(cati_binary()),
        };
        let child = command
            .args(["serve", "--listen", &format!("127.0.0.1:{}", self.port)])
            .args(["--database-url", &self.url, "--demo"])
            .arg("--demo-questionnaire")
            .arg(&self.demo.questionnaire)
            .args(["--demo-cases", &self.demo.cases.to_string()])
            .args(["--demo-interviewers", &self.demo.interviewers.to_string()])
            .args(&self.options)
            .env("CATI_DEMO_PASSWORD", PASSWORD)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::from(log))
            .spawn()
            .expect("starting cati serve");
        self.child = Some(child);
        let client = reqwest::Client::new();
        for _ in 0..600 {
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                panic!("cati serve exited with {status}: {}", self.log_text());
            }
            if let Ok(response) = client.get(format!("{}/healthz", self.base)).send().await
                && response.status() == StatusCode::OK
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("cati serve did not become healthy: {}", self.log_text());
    }

    /// Runs the headless-Chromium script `tests/browser/SCRIPT` with the server's base URL then
    /// `args`, and fails with its output and the server's log unless it succeeds. Needs Debian's
    /// `chromium` and `npm ci --prefix tests/browser` (playwright-core); fails with that
    /// instruction rather than skipping. A failure leaves a screenshot in `screenshots`.
    pub fn run_browser_script(&self, script: &str, args: &[&std::ffi::OsStr], screenshots: &Path) {
        self.run_browser_script_output(script, args, screenshots);
    }

    /// Like [`Server::run_browser_script`], and returns what the script printed on stdout.
    pub fn run_browser_script_output(
        &self,
        script: &str,
        args: &[&std::ffi::OsStr],
        screenshots: &Path,
    ) -> String {
        let browser_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("browser");
        assert!(
            browser_dir.join("node_modules/playwright-core").is_dir(),
            "playwright-core missing: run `npm ci --prefix tests/browser` (and `apt-get install chromium`)"
        );
        let output = Command::new("node")
            .arg(browser_dir.join(script))
            .arg(&self.base)
            .args(args)
            .env("SCREENSHOT_DIR", screenshots)
            .output()
            .expect("running node (is Node.js installed?)");
        assert!(
            output.status.success(),
            "browser test failed:\n{}\n{}\nserver log:\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
            self.log_text()
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// What the server wrote on stderr.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Kills the server with SIGKILL (no chance to clean up).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same database and port.
    pub async fn restart(&mut self) {
        self.kill();
        self.spawn().await;
    }

    /// Runs `cati <args>` on the server's database, writing `stdin` to it; returns whether it
    /// succeeded and what it printed.
    pub fn cli(&self, args: &[&str], stdin: &str) -> (bool, String) {
        use std::io::Write;
        let mut child = Command::new(cati_binary())
            .args(args)
            .args(["--database-url", &self.url])
            .env("RUST_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("running cati");
        if let Some(mut input) = child.stdin.take() {
            input.write_all(stdin.as_bytes()).expect("writing to cati");
        }
        let output = child.wait_with_output().expect("cati output");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        (output.status.success(), text)
    }

    /// Logs in through the API.
    pub async fn login(&self, username: &str) -> Client {
        Client::login(&self.base, username, PASSWORD).await
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// An API client with a cookie jar and the session's CSRF token. Every response to a path under
/// `/api/` is checked against the server's `/api/openapi.json` (see [`openapi`]): an undescribed
/// operation, an undeclared status or content type, or a body that breaks its schema panics
/// with the request, the status, the body and what does not conform. Other paths (pages,
/// `/healthz`, `/metrics`, `/tableau-de-bord/…`) are not checked.
pub struct Client {
    /// The HTTP client (cookie store on). Requests sent through it directly are not checked.
    pub http: reqwest::Client,
    /// Server base URL.
    pub base: String,
    /// Token for `X-CSRF-Token`.
    pub csrf: String,
}

/// A response: status and JSON body (`Value::Null` when empty or not JSON).
pub type Reply = (StatusCode, Value);

/// A response whose body is kept as bytes (downloads).
#[derive(Debug)]
pub struct RawReply {
    /// Status code.
    pub status: StatusCode,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// The body.
    pub body: Vec<u8>,
}

impl Client {
    /// A client with no session.
    pub fn anonymous(base: &str) -> Client {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("http client");
        Client {
            http,
            base: base.to_owned(),
            csrf: String::new(),
        }
    }

    /// Logs in; panics when refused. A `503` (the server checks only so many passwords per
    /// second, and many tests log many interviewers in at once) is retried after a moment, as
    /// any client should.
    pub async fn login(base: &str, username: &str, password: &str) -> Client {
        let mut client = Client::anonymous(base);
        let mut attempts = 0;
        let (status, me) = loop {
            let reply = client
                .post(
                    "/api/login",
                    &json!({ "username": username, "password": password }),
                )
                .await;
            attempts += 1;
            if reply.0 != StatusCode::SERVICE_UNAVAILABLE || attempts == 200 {
                break reply;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        };
        assert_eq!(status, StatusCode::OK, "login of {username}: {me}");
        client.csrf = me["csrf_token"].as_str().expect("csrf token").to_owned();
        client
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> Reply {
        json_reply(self.get_raw(path).await)
    }

    /// `GET path`, the body kept as bytes (a download).
    pub async fn get_raw(&self, path: &str) -> RawReply {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("GET");
        self.checked("GET", path, response).await
    }

    /// `POST path` with a JSON body and the CSRF header.
    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .header("x-csrf-token", &self.csrf)
            .json(body)
            .send()
            .await
            .expect("POST");
        json_reply(self.checked("POST", path, response).await)
    }

    /// `PUT path` with a JSON body and the CSRF header.
    pub async fn put(&self, path: &str, body: &Value) -> Reply {
        let response = self
            .http
            .put(format!("{}{path}", self.base))
            .header("x-csrf-token", &self.csrf)
            .json(body)
            .send()
            .await
            .expect("PUT");
        json_reply(self.checked("PUT", path, response).await)
    }

    /// Calling rules that allow calls at any hour of every day: end-to-end tests run whatever
    /// the time of day (the rules themselves are tested on a manual clock).
    pub fn around_the_clock() -> Value {
        let day = serde_json::json!([{ "start": "00:00", "end": "24:00" }]);
        serde_json::json!({
            "windows": {
                "hours": {
                    "monday": day, "tuesday": day, "wednesday": day, "thursday": day,
                    "friday": day, "saturday": day, "sunday": day,
                },
                "closed_on_public_holidays": false,
            }
        })
    }

    /// `POST path` with a file as the raw body (and the CSRF header).
    pub async fn post_file(&self, path: &str, body: Vec<u8>) -> Reply {
        let csrf = self.csrf.clone();
        self.post_raw(
            path,
            body,
            &[
                ("content-type", "application/octet-stream"),
                ("x-csrf-token", &csrf),
            ],
        )
        .await
    }

    /// `POST path` with a raw body and chosen headers (for bad-input tests).
    pub async fn post_raw(&self, path: &str, body: Vec<u8>, headers: &[(&str, &str)]) -> Reply {
        let mut request = self.http.post(format!("{}{path}", self.base)).body(body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("POST");
        json_reply(self.checked("POST", path, response).await)
    }

    /// `GET path` of an event stream: `Ok` with the open response when the server answers with
    /// a stream (its status and content type checked, its events left to the caller), `Err`
    /// with the reply, checked in full, when it answers otherwise (a refusal).
    pub async fn get_stream(&self, path: &str) -> Result<reqwest::Response, Reply> {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("GET");
        let content_type = content_type(&response);
        let is_stream = content_type
            .as_deref()
            .is_some_and(|t| t.starts_with("text/event-stream"));
        if !is_stream {
            return Err(json_reply(self.checked("GET", path, response).await));
        }
        self.conform(
            "GET",
            path,
            response.status(),
            content_type.as_deref(),
            None,
        )
        .await;
        Ok(response)
    }

    /// Reads a response and, under `/api/`, checks it against the server's OpenAPI document.
    async fn checked(&self, method: &str, path: &str, response: reqwest::Response) -> RawReply {
        let status = response.status();
        let content_type = content_type(&response);
        let body = response.bytes().await.expect("response body").to_vec();
        self.conform(method, path, status, content_type.as_deref(), Some(&body))
            .await;
        RawReply {
            status,
            content_type,
            body,
        }
    }

    /// Panics when a response to a path under `/api/` does not conform to the server's OpenAPI
    /// document; `body` is `None` for a stream left open.
    async fn conform(
        &self,
        method: &str,
        path: &str,
        status: StatusCode,
        content_type: Option<&str>,
        body: Option<&[u8]>,
    ) {
        if !path.starts_with("/api/") {
            return;
        }
        let document = server_openapi(&self.base).await;
        let checked = document.check(&openapi::Response {
            method,
            path,
            status: status.as_u16(),
            content_type,
            body,
        });
        if let Err(message) = checked {
            panic!("{message}\n  document: {}/api/openapi.json", self.base);
        }
    }

    /// The identifier of the most recent wave (for an account that may list waves).
    pub async fn latest_wave(&self) -> String {
        let (status, waves) = self.get("/api/waves").await;
        assert_eq!(status, StatusCode::OK, "waves: {waves}");
        waves[0]["id"].as_str().expect("a wave").to_owned()
    }

    /// Claims the next case; returns the case JSON.
    pub async fn next_case(&self) -> Value {
        let (status, case) = self.post("/api/cases/next", &json!({})).await;
        assert_eq!(status, StatusCode::OK, "next case: {case}");
        case
    }

    /// Starts the interview of a case; returns the interview view.
    pub async fn start_interview(&self, case_id: &str) -> Value {
        let (status, view) = self
            .post(&format!("/api/cases/{case_id}/interview"), &json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "start interview: {view}");
        view
    }

    /// Answers the current step with the fixture's scripted answer; returns the new view.
    pub async fn answer_fixture_step(&self, view: &Value) -> Value {
        let id = view["interview_id"]
            .as_str()
            .expect("interview id")
            .to_owned();
        let var = view["step"]["var"].as_str().expect("a question").to_owned();
        let (status, next) = self
            .post(
                &format!("/api/interviews/{id}/answers"),
                &fixture_answer(&var),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "answer to {var}: {next}");
        next
    }
}

fn content_type(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

fn json_reply(raw: RawReply) -> Reply {
    (
        raw.status,
        serde_json::from_slice(&raw.body).unwrap_or(Value::Null),
    )
}

/// The OpenAPI document served at `base`, fetched and compiled once per server. A restarted
/// server keeps its base URL and runs the same binary, so it keeps the same document; a port
/// reused by a later server of the same run is the same binary too.
async fn server_openapi(base: &str) -> Arc<openapi::OpenApi> {
    static DOCUMENTS: OnceLock<Mutex<HashMap<String, Arc<openapi::OpenApi>>>> = OnceLock::new();
    let documents = DOCUMENTS.get_or_init(Mutex::default);
    let known = documents
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(base)
        .cloned();
    if let Some(document) = known {
        return document;
    }
    let url = format!("{base}/api/openapi.json");
    let response = reqwest::get(&url)
        .await
        .unwrap_or_else(|e| panic!("fetching {url}: {e}"));
    assert_eq!(response.status(), StatusCode::OK, "GET {url}");
    let document: Value = response
        .json()
        .await
        .unwrap_or_else(|e| panic!("{url} is not JSON: {e}"));
    let document =
        Arc::new(openapi::OpenApi::new(document).unwrap_or_else(|e| panic!("{url}: {e}")));
    // Two first requests at once may both fetch it; either copy serves.
    documents
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(base.to_owned())
        .or_insert(document)
        .clone()
}

/// The scripted answer to each question of the fixture questionnaire.
pub fn fixture_answer(var: &str) -> Value {
    match var {
        "AGE" => json!({ "var": var, "value": "42" }),
        "SMARTPHONE" => json!({ "var": var, "codes": [1] }),
        "USAGES" => json!({ "var": var, "codes": [1, 4], "other": { "4": "Photos" } }),
        "AISANCE" => json!({ "var": var, "value": "7" }),
        "COMMENTAIRE" => json!({ "var": var, "value": "Rien à ajouter" }),
        _ => json!({ "var": var }),
    }
}

/// A plausible answer to any question (first ordinary option, a mid-range number, a short
/// text), for questionnaires without a script.
pub fn generic_answer(step: &Value) -> Value {
    let var = step["var"].clone();
    let bound = |key: &str| step[key].as_str().and_then(|v| v.parse::<f64>().ok());
    match step["kind"].as_str().unwrap_or_default() {
        "single" | "multiple" => {
            let options = step["options"].as_array().cloned().unwrap_or_default();
            let option = options
                .iter()
                .find(|o| o["other"] != true && o["exclusive"] != true)
                .or(options.first())
                .map_or(Value::Null, |o| o["code"].clone());
            json!({ "var": var, "codes": [option] })
        }
        "integer" | "decimal" | "scale" => {
            let (min, max) = (bound("min").unwrap_or(0.0), bound("max").unwrap_or(1000.0));
            json!({ "var": var, "value": format!("{}", 40f64.clamp(min, max.max(min))) })
        }
        "text" => json!({ "var": var, "value": "texte de test" }),
        "date" => json!({ "var": var, "value": step["max"].as_str().unwrap_or("2000-01-01") }),
        _ => json!({ "var": var }),
    }
}

/// The variables of the fixture in route order when answered with [`fixture_answer`].
pub const FIXTURE_ROUTE: [&str; 6] = [
    "INTRO",
    "AGE",
    "SMARTPHONE",
    "USAGES",
    "AISANCE",
    "COMMENTAIRE",
];

/// Whether `text` is a UUID of version 7 (`xxxxxxxx-xxxx-7xxx-[89ab]xxx-xxxxxxxxxxxx`, lower
/// case, as the server writes them).
pub fn is_uuid_v7(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_digit() || (b'a'..=b'f').contains(b),
        })
        && bytes[14] == b'7'
        && matches!(bytes[19], b'8' | b'9' | b'a' | b'b')
}

/// Answers the current step: `COMMUNE` with `commune`, anything else with a plausible answer
/// (soft checks confirmed; « ne sait pas » or refusal when the plausible answer is refused).
pub async fn answer_step(interviewer: &Client, view: &Value, commune: &str) -> Value {
    let step = &view["step"];
    let answer = if step["var"] == "COMMUNE" {
        json!({ "var": "COMMUNE", "codes": [commune.parse::<i64>().unwrap()] })
    } else {
        generic_answer(step)
    };
    match try_answer(interviewer, view, answer).await {
        Ok(next) => next,
        Err((status, next)) => {
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{next}");
            answer_special(interviewer, view).await
        }
    }
}

/// Answers the current step with `answer`, soft checks confirmed, or, when it is refused,
/// with « ne sait pas » or a refusal; returns the new view.
pub async fn answer_or_decline(interviewer: &Client, view: &Value, answer: Value) -> Value {
    match try_answer(interviewer, view, answer).await {
        Ok(next) => next,
        Err(_) => answer_special(interviewer, view).await,
    }
}

/// Sends `answer` to the current step, soft checks confirmed: the new view, or the refusal.
async fn try_answer(interviewer: &Client, view: &Value, mut answer: Value) -> Result<Value, Reply> {
    let id = view["interview_id"].as_str().unwrap();
    answer["confirm"] = true.into();
    let (status, next) = interviewer
        .post(&format!("/api/interviews/{id}/answers"), &answer)
        .await;
    if status == StatusCode::OK {
        Ok(next)
    } else {
        Err((status, json!({ "answer": answer, "reply": next })))
    }
}

/// Answers the current step with « ne sait pas » when it allows it, otherwise a refusal.
async fn answer_special(interviewer: &Client, view: &Value) -> Value {
    let id = view["interview_id"].as_str().unwrap();
    let step = &view["step"];
    let path = format!("/api/interviews/{id}/answers");
    let special = if step["allow_dont_know"] == true {
        "dont_know"
    } else {
        "refused"
    };
    let (status, next) = interviewer
        .post(&path, &json!({ "var": step["var"], "special": special }))
        .await;
    assert_eq!(status, StatusCode::OK, "{}: {next}", step["var"]);
    next
}
