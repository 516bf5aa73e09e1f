use std::path::Path;
use std::process::Command;

use cati_e2e::{Backend, DemoSize, PASSWORD, Server, TestDb};

/// Needs Debian's `chromium` and `npm ci --prefix tests/browser` (playwright-core); fails with
/// that instruction rather than skipping.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interview_can_be_completed_in_a_browser_from_the_keyboard_alone() {
    let browser_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("browser");
    assert!(
        browser_dir.join("node_modules/playwright-core").is_dir(),
        "playwright-core missing: run `npm ci --prefix tests/browser` (and `apt-get install chromium`)"
    );
    let db = TestDb::new(Backend::Sqlite).await;
    let server = Server::start(&db, DemoSize::new(3, 1)).await;
    let output = Command::new("node")
        .arg(browser_dir.join("interview.mjs"))
        .args([server.base.as_str(), "enqueteur1", PASSWORD])
        .env("SCREENSHOT_DIR", db.dir())
        .output()
        .expect("running node (is Node.js installed?)");
    assert!(
        output.status.success(),
        "browser test failed:\n{}\n{}\nserver log:\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
        server.log_text()
    );
}

/// Needs what the test above needs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wave_is_set_up_in_a_browser_from_the_set_up_page() {
    let browser_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("browser");
    assert!(
        browser_dir.join("node_modules/playwright-core").is_dir(),
        "playwright-core missing: run `npm ci --prefix tests/browser` (and `apt-get install chromium`)"
    );
    let db = TestDb::new(Backend::Sqlite).await;
    let server = Server::start(&db, DemoSize::new(0, 1)).await;
    let list = db.dir().join("liste.csv");
    std::fs::write(
        &list,
        "id;telephone;commune\nA;05 36 49 00 01;Bordeaux\nB;0536490;Pessac\nC;05 36 49 00 03;Talence\nD;05 36 49 00 04;Paris\nE;06 12 34 56 78;\n",
    )
    .expect("list");
    let questionnaire =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../questionnaires/observatoire.toml");
    let output = Command::new("node")
        .arg(browser_dir.join("setup.mjs"))
        .args([server.base.as_str(), "superviseur", PASSWORD])
        .arg(&questionnaire)
        .arg(&list)
        .env("SCREENSHOT_DIR", db.dir())
        .output()
        .expect("running node (is Node.js installed?)");
    assert!(
        output.status.success(),
        "browser test failed:\n{}\n{}\nserver log:\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
        server.log_text()
    );
}
