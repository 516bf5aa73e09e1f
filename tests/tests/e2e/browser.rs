use std::ffi::OsStr;

use cati_e2e::{Backend, DemoSize, PASSWORD, Server, TestDb};

/// Needs Debian's `chromium` and `npm ci --prefix tests/browser` (playwright-core); fails with
/// that instruction rather than skipping.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interview_can_be_completed_in_a_browser_from_the_keyboard_alone() {
    let db = TestDb::new(Backend::Sqlite).await;
    let server = Server::start(&db, DemoSize::new(3, 1)).await;
    server.run_browser_script(
        "interview.mjs",
        &[OsStr::new("enqueteur1"), OsStr::new(PASSWORD)],
        db.dir(),
    );
}

/// Needs what the test above needs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wave_is_set_up_in_a_browser_from_the_set_up_page() {
    let db = TestDb::new(Backend::Sqlite).await;
    let server = Server::start(&db, DemoSize::new(0, 1)).await;
    let list = db.dir().join("liste.csv");
    std::fs::write(
        &list,
        "id;telephone;commune\nA;05 36 49 00 01;Bordeaux\nB;0536490;Pessac\nC;05 36 49 00 03;Talence\nD;05 36 49 00 04;Paris\nE;06 12 34 56 78;\n",
    )
    .expect("list");
    let questionnaire = cati_e2e::observatory_questionnaire();
    server.run_browser_script(
        "setup.mjs",
        &[
            OsStr::new("superviseur"),
            OsStr::new(PASSWORD),
            questionnaire.as_os_str(),
            list.as_os_str(),
        ],
        db.dir(),
    );
}

/// The demo on the observatory questionnaire, with 5 cases and one interviewer.
async fn observatory_demo(db: &TestDb) -> Server {
    let size = DemoSize {
        questionnaire: cati_e2e::observatory_questionnaire(),
        ..DemoSize::new(5, 1)
    };
    Server::start(db, size).await
}

/// Needs what the tests above need. Screenshots of the case, interview and between-calls
/// screens at 1366×768 go to `target/screenshots/`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_workstation_shows_the_call_and_runs_interruptions_and_appointments_from_the_keyboard()
{
    let db = TestDb::new(Backend::Sqlite).await;
    let server = observatory_demo(&db).await;
    server.run_browser_script(
        "workstation.mjs",
        &[OsStr::new("enqueteur1"), OsStr::new(PASSWORD)],
        &cati_e2e::screenshots_dir(),
    );
}

/// Needs what the tests above need. The keypress-to-next-question latency (p50, p99) is printed,
/// never asserted; the end screen at 1366×768 goes to `target/screenshots/observatory-end.png`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_observatory_questionnaire_runs_from_the_keyboard_from_first_to_last_question() {
    let db = TestDb::new(Backend::Sqlite).await;
    let server = observatory_demo(&db).await;
    let output = server.run_browser_script_output(
        "observatory.mjs",
        &[OsStr::new("enqueteur1"), OsStr::new(PASSWORD)],
        &cati_e2e::screenshots_dir(),
    );
    assert!(
        output.contains("keypress → next question: n="),
        "the script prints the latency: {output}"
    );
    print!("{output}");
}
