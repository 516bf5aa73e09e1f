//! `cati serve` (this same binary) as a child process on a given database.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, bail};

/// A `cati serve` child process, killed when dropped.
pub struct ServerProcess {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
}

impl ServerProcess {
    /// Starts `cati serve --database-url url` with `options` on a free port, every demo account
    /// with `password`, and waits until it answers `/healthz`.
    pub async fn start(url: &str, options: &[String], password: &str) -> anyhow::Result<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let child = Command::new(std::env::current_exe()?)
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .args(["--database-url", url])
            .args(options)
            .env("CATI_DEMO_PASSWORD", password)
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("démarrage de cati serve")?;
        let server = ServerProcess {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let http = reqwest::Client::new();
        // A large demo sample takes a while to load before the server listens.
        for _ in 0..3000 {
            if let Ok(response) = http.get(format!("{}/healthz", server.base)).send().await
                && response.status().is_success()
            {
                return Ok(server);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("cati serve ne répond pas")
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
