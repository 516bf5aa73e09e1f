//! A logged-in user's HTTP session.

use std::time::Duration;

use anyhow::{Context, bail};
use serde_json::{Value, json};

/// A logged-in user's session: its cookie jar and CSRF token.
#[derive(Clone)]
pub struct Session {
    http: reqwest::Client,
    base: String,
    csrf: String,
}

impl Session {
    /// Logs in at `base` (`http://host:port`). The server checks only so many passwords per
    /// second: a refusal with 503 is tried again in a moment, as any client should.
    pub async fn login(base: &str, username: &str, password: &str) -> anyhow::Result<Session> {
        let http = reqwest::Client::builder().cookie_store(true).build()?;
        let response = loop {
            let response = http
                .post(format!("{base}/api/login"))
                .json(&json!({ "username": username, "password": password }))
                .send()
                .await?;
            if response.status() != reqwest::StatusCode::SERVICE_UNAVAILABLE {
                break response;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        };
        if !response.status().is_success() {
            bail!("connexion de {username} : {}", response.status());
        }
        let me: Value = response.json().await?;
        let csrf = me["csrf_token"]
            .as_str()
            .context("jeton CSRF absent")?
            .to_owned();
        Ok(Session {
            http,
            base: base.to_owned(),
            csrf,
        })
    }

    /// `POST path` with a JSON body: the status and the JSON answer (`null` if none).
    pub async fn post(&self, path: &str, body: &Value) -> anyhow::Result<(u16, Value)> {
        self.send(self.http.post(self.url(path)).json(body)).await
    }

    /// `PUT path` with a JSON body.
    pub async fn put(&self, path: &str, body: &Value) -> anyhow::Result<(u16, Value)> {
        self.send(self.http.put(self.url(path)).json(body)).await
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> anyhow::Result<(u16, Value)> {
        self.send(self.http.get(self.url(path))).await
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends with the CSRF header (reads ignore it): the status and the JSON answer.
    async fn send(&self, request: reqwest::RequestBuilder) -> anyhow::Result<(u16, Value)> {
        let response = request.header("x-csrf-token", &self.csrf).send().await?;
        let status = response.status().as_u16();
        Ok((status, response.json().await.unwrap_or(Value::Null)))
    }
}
