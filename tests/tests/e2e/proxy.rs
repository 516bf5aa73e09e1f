//! cati behind the TLS reverse proxy of the security guide: nginx runs docs/proxy/nginx.conf
//! itself (only its host name, ports and certificate changed), with a self-signed certificate,
//! in front of the real server started with `--public-url https://…` and `--trusted-proxy`.
//! Browsers are curl processes, each from a loopback address of its own, so that the proxy sees
//! different clients. Needs nginx, openssl and curl (`scripts/install-test-deps`).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use cati_e2e::{Backend, Client, DemoSize, PASSWORD, Server, TestDb};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The host name nginx serves here; curl resolves it to 127.0.0.1.
const HOST: &str = "cati.test";

/// The example configuration of the security guide.
fn example_config() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/proxy/nginx.conf")
}

/// The program `name`, on PATH or in /usr/sbin (nginx's place on Debian, not on every PATH);
/// fails with what to run when it is missing.
fn program(name: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin")])
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| {
            panic!(
                "{name} is missing: run scripts/install-test-deps (it installs nginx, openssl \
                 and curl)"
            )
        })
}

/// Runs `command` and fails with its output unless it succeeds.
fn run(command: &mut Command) {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("running {command:?}: {e}"));
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// nginx serving docs/proxy/nginx.conf in front of a cati server; killed when dropped.
struct Proxy {
    nginx: Child,
    dir: tempfile::TempDir,
    https_port: u16,
    http_port: u16,
}

/// Ports for nginx's HTTPS and HTTP servers, free when chosen.
struct ProxyPorts {
    https: u16,
    http: u16,
}

impl ProxyPorts {
    fn choose() -> ProxyPorts {
        // Both held at once, so that they differ.
        let bind = || std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        let (https, http) = (bind(), bind());
        let port = |l: &std::net::TcpListener| l.local_addr().expect("bound").port();
        ProxyPorts {
            https: port(&https),
            http: port(&http),
        }
    }

    /// The origin browsers see: cati's `--public-url`.
    fn public_url(&self) -> String {
        format!("https://{HOST}:{}", self.https)
    }
}

impl Proxy {
    /// Starts nginx on `ports` in front of `server`, with a new self-signed certificate for
    /// [`HOST`].
    async fn start(ports: ProxyPorts, server: &Server) -> Proxy {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = |name: &str| dir.path().join(name);
        run(Command::new(program("openssl"))
            .args(["req", "-x509", "-nodes", "-days", "2"])
            .args(["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"])
            .args(["-subj", &format!("/CN={HOST}")])
            .args(["-addext", &format!("subjectAltName=DNS:{HOST}")])
            .arg("-keyout")
            .arg(path("cati.key"))
            .arg("-out")
            .arg(path("cati.pem")));
        let upstream = server.base.trim_start_matches("http://");
        let site = render_site(&ports, upstream, &path("cati.pem"), &path("cati.key"));
        std::fs::write(path("cati.conf"), site).expect("writing the site configuration");
        std::fs::write(path("nginx.conf"), main_config(dir.path())).expect("writing nginx.conf");
        // One foreground process, its files in `dir`; checked first for a clear message.
        let nginx_binary = program("nginx");
        let nginx = || {
            let mut nginx = Command::new(&nginx_binary);
            nginx
                .arg("-p")
                .arg(dir.path())
                .arg("-e")
                .arg(path("error.log"))
                .arg("-c")
                .arg(path("nginx.conf"));
            nginx
        };
        run(nginx().args(["-t", "-q"]));
        let nginx = nginx()
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting nginx");
        let mut proxy = Proxy {
            nginx,
            dir,
            https_port: ports.https,
            http_port: ports.http,
        };
        for _ in 0..100 {
            if let Ok(Some(status)) = proxy.nginx.try_wait() {
                panic!("nginx exited with {status}: {}", proxy.error_log());
            }
            if std::net::TcpStream::connect(("127.0.0.1", ports.https)).is_ok() {
                return proxy;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("nginx did not start listening: {}", proxy.error_log());
    }

    fn error_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("error.log")).unwrap_or_default()
    }

    /// `https://cati.test:<port>` followed by `path`.
    fn https(&self, path: &str) -> String {
        format!("https://{HOST}:{}{path}", self.https_port)
    }

    /// A browser at the workstation `address` (a loopback address: 127.0.0.2, 127.0.0.3…).
    fn browser(&self, address: &'static str) -> Browser<'_> {
        Browser {
            proxy: self,
            address,
            jar: self.dir.path().join(format!("cookies-{address}")),
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        // One process (master_process off): killing it stops nginx whole.
        let _ = self.nginx.kill();
        let _ = self.nginx.wait();
    }
}

/// docs/proxy/nginx.conf with this test's ports, host name, certificate and cati's address in
/// place of the production values. Each production value must be in the file, so the example
/// cannot drift away from what this test runs.
fn render_site(ports: &ProxyPorts, upstream: &str, certificate: &Path, key: &Path) -> String {
    let example = example_config();
    let mut site = std::fs::read_to_string(&example)
        .unwrap_or_else(|e| panic!("reading {}: {e}", example.display()));
    let replacements = [
        (
            "listen 443 ssl http2;",
            format!("listen 127.0.0.1:{} ssl http2;", ports.https),
        ),
        ("listen 80;", format!("listen 127.0.0.1:{};", ports.http)),
        (
            "server_name cati.exemple.fr;",
            format!("server_name {HOST};"),
        ),
        (
            "/etc/ssl/certs/cati.exemple.fr.pem",
            certificate.display().to_string(),
        ),
        (
            "/etc/ssl/private/cati.exemple.fr.key",
            key.display().to_string(),
        ),
        ("server 127.0.0.1:8080;", format!("server {upstream};")),
    ];
    for (production, here) in replacements {
        assert!(
            site.contains(production),
            "{} no longer has `{production}`: update render_site in tests/tests/e2e/proxy.rs",
            example.display()
        );
        site = site.replace(production, &here);
    }
    site
}

/// What a distribution's /etc/nginx/nginx.conf provides around a site, kept in `dir`: one
/// foreground process, its logs, pid and temporary files, and the site.
fn main_config(dir: &Path) -> String {
    let dir = dir.display();
    format!(
        "daemon off;
master_process off;
pid {dir}/nginx.pid;
error_log {dir}/error.log notice;
events {{
    worker_connections 256;
}}
http {{
    access_log {dir}/access.log;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    include {dir}/cati.conf;
}}
"
    )
}

/// A response seen by curl.
#[derive(Debug)]
struct Reply {
    status: u16,
    /// Header names in lower case, values as sent.
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

/// A browser at one workstation: curl from its own loopback address, through the proxy,
/// trusting the test certificate (and nothing else), with a cookie jar.
struct Browser<'a> {
    proxy: &'a Proxy,
    address: &'static str,
    jar: PathBuf,
}

impl Browser<'_> {
    /// curl for `method url` with `headers`, its output left to the caller.
    fn curl(&self, method: &str, url: &str, headers: &[(&str, &str)]) -> Command {
        let dir = self.proxy.dir.path();
        let mut curl = Command::new(program("curl"));
        curl.args(["--silent", "--show-error", "--request", method])
            .args(["--interface", self.address])
            .arg("--resolve")
            .arg(format!("{HOST}:{}:127.0.0.1", self.proxy.https_port))
            .arg("--resolve")
            .arg(format!("{HOST}:{}:127.0.0.1", self.proxy.http_port))
            .arg("--cacert")
            .arg(dir.join("cati.pem"))
            .arg("--cookie")
            .arg(&self.jar)
            .arg("--cookie-jar")
            .arg(&self.jar);
        for (name, value) in headers {
            curl.arg("--header").arg(format!("{name}: {value}"));
        }
        curl.arg(url);
        curl
    }

    /// Sends `method url` with `headers` and the body that the curl arguments `body` give
    /// (`--data-binary`, `--form`…; none for no body).
    fn send(&self, method: &str, url: &str, headers: &[(&str, &str)], body: &[&str]) -> Reply {
        let dir = self.proxy.dir.path();
        let head = tempfile::NamedTempFile::new_in(dir).expect("header file");
        let received = tempfile::NamedTempFile::new_in(dir).expect("body file");
        let mut curl = self.curl(method, url, headers);
        curl.arg("--dump-header")
            .arg(head.path())
            .arg("--output")
            .arg(received.path())
            .args(["--write-out", "%{http_code}"])
            .args(body);
        let output = curl.output().expect("running curl");
        assert!(
            output.status.success(),
            "curl {method} {url}: {}\nnginx: {}",
            String::from_utf8_lossy(&output.stderr),
            self.proxy.error_log()
        );
        let head = std::fs::read_to_string(head.path()).expect("headers");
        // The last block: the final response, after any interim one.
        let block = head
            .split("\r\n\r\n")
            .filter(|b| !b.trim().is_empty())
            .last()
            .unwrap_or_default();
        Reply {
            status: String::from_utf8_lossy(&output.stdout)
                .trim()
                .parse()
                .expect("a status code"),
            headers: block
                .lines()
                .skip(1)
                .filter_map(|line| line.split_once(':'))
                .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
                .collect(),
            body: std::fs::read_to_string(received.path()).unwrap_or_default(),
        }
    }

    fn get(&self, path: &str) -> Reply {
        self.send("GET", &self.proxy.https(path), &[], &[])
    }

    /// `POST path` with a JSON body, as a page served from `origin` would send it.
    fn post_json(&self, path: &str, origin: &str, body: &Value) -> Reply {
        self.post_json_with(path, origin, body, &[])
    }

    fn post_json_with(
        &self,
        path: &str,
        origin: &str,
        body: &Value,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut all = vec![("origin", origin), ("content-type", "application/json")];
        all.extend_from_slice(headers);
        self.send(
            "POST",
            &self.proxy.https(path),
            &all,
            &["--data-binary", &body.to_string()],
        )
    }

    /// Logs in from the public origin; panics unless it succeeds.
    fn login(&self, username: &str) -> Reply {
        let reply = self.post_json(
            "/api/login",
            &self.proxy.https(""),
            &json!({ "username": username, "password": PASSWORD }),
        );
        assert_eq!(reply.status, 200, "login of {username}: {reply:?}");
        reply
    }

    /// Opens the event stream at `path` and returns its first whole event (up to the blank
    /// line that ends it), failing when none has come through the proxy within 10 seconds:
    /// cati sends it at once, and a proxy that buffers holds it until the stream's next
    /// keep-alive comment, 15 seconds later.
    fn first_event(&self, path: &str) -> String {
        let mut curl = self.curl(
            "GET",
            &self.proxy.https(path),
            &[("accept", "text/event-stream")],
        );
        let mut stream = curl
            .args(["--no-buffer", "--max-time", "10"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("running curl");
        let mut event = String::new();
        let mut whole = false;
        let lines = BufReader::new(stream.stdout.take().expect("curl output")).lines();
        for line in lines.map_while(Result::ok) {
            if line.is_empty() && event.contains("data:") {
                whole = true;
                break;
            }
            event.push_str(&line);
            event.push('\n');
        }
        let _ = stream.kill();
        let _ = stream.wait();
        assert!(
            whole,
            "no whole event came through the proxy from {path} (is proxy_buffering off for \
             streams?): {event:?}"
        );
        event
    }
}

/// cati with the demo, started for the proxy on `ports`, and the proxy.
async fn deployment(db: &TestDb, demo: DemoSize) -> (Server, Proxy) {
    let ports = ProxyPorts::choose();
    let public_url = ports.public_url();
    let server = Server::start_with(
        db,
        demo,
        &["--public-url", &public_url, "--trusted-proxy", "127.0.0.1"],
    )
    .await;
    let proxy = Proxy::start(ports, &server).await;
    (server, proxy)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn through_the_proxy_sessions_are_https_only_and_other_origins_are_refused() {
    let db = TestDb::new(Backend::Sqlite).await;
    let (server, proxy) = deployment(&db, DemoSize::new(5, 1)).await;
    let origin = proxy.https("");
    let browser = proxy.browser("127.0.0.2");

    // HTTPS with the certificate, cati's security headers passed on, HSTS added, no version.
    let health = browser.get("/healthz");
    assert_eq!(health.status, 200, "{health:?}");
    assert_eq!(health.json()["status"], "ok");
    let csp = health.header("content-security-policy").unwrap_or_default();
    for directive in [
        "script-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ] {
        assert!(csp.contains(directive), "{directive} in {csp:?}");
    }
    for (name, value) in [
        ("x-frame-options", "DENY"),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "same-origin"),
        ("cache-control", "no-store"),
        ("strict-transport-security", "max-age=31536000"),
        ("server", "nginx"),
    ] {
        assert_eq!(health.header(name), Some(value), "{name}: {health:?}");
    }

    // Plain HTTP only redirects to HTTPS.
    let plain = browser.send(
        "GET",
        &format!("http://{HOST}:{}/healthz", proxy.http_port),
        &[],
        &[],
    );
    assert_eq!(plain.status, 301, "{plain:?}");
    assert_eq!(
        plain.header("location"),
        Some(format!("https://{HOST}/healthz").as_str())
    );

    // A login from the public origin opens a session whose cookie only travels over HTTPS and
    // is out of reach of scripts.
    let login = browser.login("enqueteur1");
    assert_eq!(login.json()["username"], "enqueteur1");
    let cookie = login.header("set-cookie").expect("a session cookie");
    let attributes: Vec<&str> = cookie.split(';').map(str::trim).collect();
    for attribute in ["Secure", "HttpOnly", "SameSite=Strict"] {
        assert!(attributes.contains(&attribute), "{attribute} in {cookie}");
    }
    assert_eq!(browser.get("/api/me").status, 200);

    // A state-changing request from any other origin is refused, plain HTTP included, and
    // changes nothing.
    for other in [
        format!("http://{HOST}:{}", proxy.https_port),
        format!("https://{HOST}:{}", proxy.http_port),
        "https://ailleurs.example".to_owned(),
    ] {
        let logout = browser.send(
            "POST",
            &proxy.https("/api/logout"),
            &[("origin", &other)],
            &[],
        );
        assert_eq!(logout.status, 403, "logout from {other}: {logout:?}");
        let login = proxy.browser("127.0.0.4").post_json(
            "/api/login",
            &other,
            &json!({ "username": "enqueteur1", "password": PASSWORD }),
        );
        assert_eq!(login.status, 403, "login from {other}: {login:?}");
    }
    assert_eq!(browser.get("/api/me").status, 200, "still logged in");

    // cati's own address is not the public origin either.
    let (status, reply) = Client::anonymous(&server.base)
        .post_raw(
            "/api/login",
            json!({ "username": "enqueteur1", "password": PASSWORD })
                .to_string()
                .into_bytes(),
            &[
                ("content-type", "application/json"),
                ("origin", &server.base),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{reply}");

    // From the public origin, the same request goes through.
    let logout = browser.send(
        "POST",
        &proxy.https("/api/logout"),
        &[("origin", &origin)],
        &[],
    );
    assert_eq!(logout.status, 204, "{logout:?}");
    assert_eq!(browser.get("/api/me").status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_dashboards_and_phone_lists_get_through_the_proxy() {
    let db = TestDb::new(Backend::Sqlite).await;
    let demo = DemoSize {
        questionnaire: cati_e2e::observatory_questionnaire(),
        ..DemoSize::new(5, 1)
    };
    let (_server, proxy) = deployment(&db, demo).await;
    let supervisor = proxy.browser("127.0.0.2");
    supervisor.login("superviseur");

    // Each live dashboard's first event arrives whole, without waiting for more to fill a
    // buffer.
    let waves = supervisor.get("/api/waves");
    assert_eq!(waves.status, 200, "{waves:?}");
    let wave = waves.json()[0]["id"].as_str().expect("a wave").to_owned();
    for path in [
        "/tableau-de-bord/evenements".to_owned(),
        format!("/api/waves/{wave}/dashboard/events"),
    ] {
        let event = supervisor.first_event(&path);
        let data: String = event
            .lines()
            .filter_map(|line| line.strip_prefix("data:"))
            .map(str::trim_start)
            .collect();
        let figures: Value = serde_json::from_str(&data)
            .unwrap_or_else(|e| panic!("the event of {path} is not whole JSON ({e}): {event}"));
        assert!(figures["communes"].is_array(), "{figures}");
    }

    // A phone list over 2 MiB reaches cati whole, on the API and on the setup page: cati reads
    // all of it before refusing the replicate size of 0 sent with it. Any other request that
    // large stops at nginx.
    let list = proxy.dir.path().join("liste.csv");
    std::fs::write(&list, "téléphone\n".repeat(300_000)).expect("writing a large list");
    let data = format!("@{}", list.display());
    let origin = proxy.https("");
    let api = supervisor.send(
        "POST",
        &proxy.https(&format!(
            "/api/waves/{wave}/sample?file_name=liste.csv&replicate_size=0"
        )),
        &[
            ("origin", &origin),
            ("content-type", "application/octet-stream"),
        ],
        &["--data-binary", &data],
    );
    assert_eq!(api.status, 422, "{api:?}");
    let file = format!("file=@{};filename=liste.csv", list.display());
    let page = supervisor.send(
        "POST",
        &proxy.https(&format!("/mise-en-place/vagues/{wave}/echantillon")),
        &[("origin", &origin)],
        &["--form", &file, "--form", "replicate_size=0"],
    );
    assert_eq!(page.status, 422, "{page:?}");
    for reply in [&api, &page] {
        assert!(
            reply.body.contains("au moins 1"),
            "cati's refusal: {reply:?}"
        );
    }
    let login = supervisor.send(
        "POST",
        &proxy.https("/api/login"),
        &[("origin", &origin), ("content-type", "application/json")],
        &["--data-binary", &data],
    );
    assert_eq!(login.status, 413, "{login:?}");
    assert!(
        login.header("content-security-policy").is_none(),
        "answered by nginx: {login:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_the_proxy_the_throttle_counts_each_client_and_no_client_picks_its_address() {
    let db = TestDb::new(Backend::Sqlite).await;
    let (server, proxy) = deployment(&db, DemoSize::new(5, 3)).await;
    let origin = proxy.https("");

    // Five wrong passwords for one account, each claiming another address, make the guesser
    // wait: whether it guesses from elsewhere on the network or from the proxy's own host
    // (whose address cati trusts), it is counted under the address nginx saw.
    for (guesser, username) in [("127.0.0.3", "enqueteur2"), ("127.0.0.1", "enqueteur3")] {
        let browser = proxy.browser(guesser);
        let mut statuses = Vec::new();
        for n in 0..5 {
            let forged = format!("203.0.113.{n}");
            let reply = browser.post_json_with(
                "/api/login",
                &origin,
                &json!({ "username": username, "password": "mauvais" }),
                &[("x-forwarded-for", &forged)],
            );
            statuses.push(reply.status);
        }
        assert_eq!(statuses, [401, 401, 401, 401, 429], "from {guesser}");
        let reply = browser.post_json_with(
            "/api/login",
            &origin,
            &json!({ "username": username, "password": PASSWORD }),
            &[("x-forwarded-for", "203.0.113.200")],
        );
        assert_eq!(reply.status, 429, "from {guesser}: {reply:?}");
        let retry_after: u64 = reply
            .header("retry-after")
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("Retry-After in seconds: {reply:?}"));
        assert!(retry_after >= 1, "{retry_after}");
    }

    // The interviewer's workstation, another client of the same proxy, logs in.
    proxy.browser("127.0.0.2").login("enqueteur2");

    // The waits are recorded under the clients' real addresses, none under a forged one.
    let admin = server.login("admin").await;
    let (status, audit) = admin.get("/api/audit").await;
    assert_eq!(status, StatusCode::OK, "{audit}");
    let backoffs: Vec<&str> = audit
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["action"] == "login.backoff")
        .filter_map(|e| e["details"].as_str())
        .collect();
    for client in ["\"127.0.0.3\"", "\"127.0.0.1\""] {
        assert!(
            backoffs.iter().any(|d| d.contains(client)),
            "{client}: {backoffs:?}"
        );
    }
    assert!(
        !backoffs.iter().any(|d| d.contains("203.0.113.")),
        "{backoffs:?}"
    );
}
