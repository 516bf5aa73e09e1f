//! An outsider on the network cannot stall the server, lock a user out, or starve the
//! interviewers with a login flood.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use cati_e2e::{Backend, Client, DemoSize, PASSWORD, Reply, Server, TestDb};
use reqwest::StatusCode;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::on_both_backends;

/// `POST /api/login` as if relayed by the trusted proxy for `client`.
async fn login_once(anonymous: &Client, client: &str, username: &str, password: &str) -> Reply {
    anonymous
        .post_raw(
            "/api/login",
            json!({ "username": username, "password": password })
                .to_string()
                .into_bytes(),
            &[
                ("content-type", "application/json"),
                ("x-forwarded-for", client),
            ],
        )
        .await
}

/// [`login_once`], sent again while the server answers that it checks too many passwords
/// (503): the throttle's answer is what these tests look at.
async fn login_from(anonymous: &Client, client: &str, username: &str, password: &str) -> Reply {
    loop {
        let reply = login_once(anonymous, client, username, password).await;
        if reply.0 != StatusCode::SERVICE_UNAVAILABLE {
            return reply;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_half_open_connections_do_not_stop_health_or_login() {
    let db = TestDb::new(Backend::Sqlite).await;
    // With 256 open files at most, as on a small machine: without a cap on connections the
    // stalled ones below would take every descriptor and nothing else could be accepted.
    let server = Server::start_limited(
        &db,
        DemoSize::new(5, 2),
        &["--max-open-connections", "128", "--header-timeout", "2"],
        Some(256),
    )
    .await;
    let address = server.base.trim_start_matches("http://").to_owned();

    // Far more connections than the server may hold, each in the middle of its request headers.
    let mut stalled = Vec::new();
    for _ in 0..400 {
        let mut stream = TcpStream::connect(&address).await.expect("connect");
        stream
            .write_all(b"POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 90\r\n")
            .await
            .expect("half a request");
        stalled.push(stream);
    }

    let anonymous = Client::anonymous(&server.base);
    let (status, health) = anonymous.get("/healthz").await;
    assert_eq!(status, StatusCode::OK, "{health}");
    let interviewer = Client::login(&server.base, "enqueteur1", PASSWORD).await;
    let (status, me) = interviewer.get("/api/me").await;
    assert_eq!(status, StatusCode::OK, "{me}");

    // The connection still open is closed by the server once its header deadline passes:
    // reading it ends (end of file or reset) instead of waiting forever.
    let mut last = stalled.pop().expect("a stalled connection");
    let mut buffer = [0u8; 512];
    let ended = tokio::time::timeout(Duration::from_secs(60), last.read(&mut buffer)).await;
    assert!(
        matches!(ended, Ok(Ok(0) | Err(_))),
        "the server closes a connection whose headers never come: {ended:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_finishes_its_request_is_answered_and_let_go() {
    let db = TestDb::new(Backend::Sqlite).await;
    let server = Server::start_with(&db, DemoSize::new(5, 2), &["--request-timeout", "2"]).await;
    let address = server.base.trim_start_matches("http://").to_owned();
    let mut stream = TcpStream::connect(&address).await.expect("connect");
    stream
        .write_all(
            b"POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
              Content-Length: 100\r\n\r\n{\"username\": ",
        )
        .await
        .expect("the beginning of a body");
    let mut received = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(60), async {
        let mut buffer = [0u8; 1024];
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&buffer[..n]),
            }
            if String::from_utf8_lossy(&received).contains("temps permis") {
                break;
            }
        }
    })
    .await;
    assert!(read.is_ok(), "the server never answered");
    let answer = String::from_utf8_lossy(&received);
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(
        answer.contains("la requête a dépassé le temps permis"),
        "{answer}"
    );
}

async fn an_outsider_cannot_lock_a_user_out(backend: Backend) {
    let db = TestDb::new(backend).await;
    let server =
        Server::start_with(&db, DemoSize::new(5, 2), &["--trusted-proxy", "127.0.0.1"]).await;
    let workstation = "192.0.2.10";

    // The interviewer logs in at their workstation once: the address is known for the name.
    let (status, me) = login_from(
        &Client::anonymous(&server.base),
        workstation,
        "enqueteur1",
        PASSWORD,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{me}");

    // An outsider guesses from one address: after five failures it is made to wait, with
    // Retry-After, and its attempts are refused without being checked.
    let outsider = Client::anonymous(&server.base);
    let mut statuses = Vec::new();
    for _ in 0..8 {
        let (status, reply) = login_from(&outsider, "203.0.113.66", "enqueteur1", "mauvais").await;
        assert!(reply["error"].as_str().is_some(), "{reply}");
        statuses.push(status);
    }
    assert_eq!(statuses[..4], [StatusCode::UNAUTHORIZED; 4], "{statuses:?}");
    assert!(
        statuses[4..]
            .iter()
            .all(|s| *s == StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    let response = outsider
        .http
        .post(format!("{}/api/login", server.base))
        .header("x-forwarded-for", "203.0.113.66")
        .json(&json!({ "username": "enqueteur1", "password": PASSWORD }))
        .send()
        .await
        .expect("login");
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .expect("text")
        .parse()
        .expect("seconds");
    assert!(retry_after >= 1, "{retry_after}");

    // Then from many addresses, until the name itself is slowed for unknown addresses.
    let mut name_slowed = false;
    for n in 0..40 {
        let (status, _) = login_from(
            &outsider,
            &format!("198.51.100.{n}"),
            "enqueteur1",
            "mauvais",
        )
        .await;
        name_slowed |= status == StatusCode::TOO_MANY_REQUESTS;
    }
    assert!(
        name_slowed,
        "failures from many addresses slow the name down"
    );
    let (status, _) = login_from(
        &Client::anonymous(&server.base),
        "198.51.100.200",
        "enqueteur1",
        PASSWORD,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "an unknown address waits"
    );

    // The interviewer's own workstation is not held back by any of it.
    let (status, me) = login_from(
        &Client::anonymous(&server.base),
        workstation,
        "enqueteur1",
        PASSWORD,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "the owner logs in: {me}");

    // The waits are in the audit log, with the address and what was counted.
    let admin = server.login("admin").await;
    let (status, audit) = admin.get("/api/audit").await;
    assert_eq!(status, StatusCode::OK, "{audit}");
    let backoffs: Vec<_> = audit
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["action"] == "login.backoff")
        .collect();
    assert!(
        backoffs
            .iter()
            .any(|e| e["details"].as_str().unwrap_or("").contains("203.0.113.66")),
        "{backoffs:?}"
    );
    assert!(
        backoffs.iter().any(|e| e["details"]
            .as_str()
            .unwrap_or("")
            .contains("toutes adresses")),
        "{backoffs:?}"
    );
}
on_both_backends!(an_outsider_cannot_lock_a_user_out);

async fn a_login_flood_leaves_interviewers_answers_flowing(backend: Backend) {
    let db = TestDb::new(backend).await;
    let server =
        Server::start_with(&db, DemoSize::new(20, 2), &["--trusted-proxy", "127.0.0.1"]).await;
    let interviewer = server.login("enqueteur1").await;

    // 32 connections send wrong passwords, each attempt from a new address (the worst case:
    // no address is ever made to wait, every attempt is checked).
    let flooding = Arc::new(AtomicBool::new(true));
    let mut flood = Vec::new();
    for connection in 0..32u32 {
        let flooding = Arc::clone(&flooding);
        let attacker = Client::anonymous(&server.base);
        flood.push(tokio::spawn(async move {
            let mut seen = Vec::new();
            let mut n = 0u32;
            while flooding.load(Ordering::Relaxed) {
                n += 1;
                let from = format!("10.{}.{}.{}", connection, n / 250, n % 250);
                let (status, reply) =
                    login_once(&attacker, &from, &format!("inconnu{n}"), "mauvais").await;
                assert!(
                    [
                        StatusCode::UNAUTHORIZED,
                        StatusCode::TOO_MANY_REQUESTS,
                        StatusCode::SERVICE_UNAVAILABLE
                    ]
                    .contains(&status),
                    "{status}: {reply}"
                );
                seen.push(status);
            }
            seen
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Meanwhile an interviewer takes a case and answers the whole interview.
    let case = interviewer.next_case().await;
    let mut view = interviewer
        .start_interview(case["case_id"].as_str().expect("case id"))
        .await;
    let mut answered = 0;
    while view["step"]["type"] == "question" {
        view = interviewer.answer_fixture_step(&view).await;
        answered += 1;
    }
    assert_eq!(view["status"], "completed");
    assert!(answered >= 3, "{answered}");

    flooding.store(false, Ordering::Relaxed);
    let mut checked = 0;
    for attacker in flood {
        let seen = attacker.await.expect("flooding task");
        checked += seen
            .iter()
            .filter(|s| **s == StatusCode::UNAUTHORIZED)
            .count();
    }
    assert!(checked > 0, "the flood had its passwords checked");
    let (status, _) = Client::anonymous(&server.base).get("/healthz").await;
    assert_eq!(status, StatusCode::OK);
}
on_both_backends!(a_login_flood_leaves_interviewers_answers_flowing);
