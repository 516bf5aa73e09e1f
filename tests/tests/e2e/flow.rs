use cati_e2e::{
    Backend, Client, DemoSize, FIXTURE_ROUTE, Server, TestDb, generic_answer, is_uuid_v7,
};
use reqwest::StatusCode;
use serde_json::json;

use crate::on_both_backends;

async fn interviewer_records_outcomes_and_completes_an_interview(backend: Backend) {
    let db = TestDb::new(backend).await;
    let server = Server::start(&db, DemoSize::default()).await;
    let interviewer = server.login("enqueteur1").await;

    // A first case: nobody answers. It goes back to the queue with a recall delay.
    let first = interviewer.next_case().await;
    let first_id = first["case_id"].as_str().unwrap().to_owned();
    assert!(first["phones"][0].as_str().unwrap().starts_with("+3353649"));
    let (status, body) = interviewer
        .post(
            &format!("/api/cases/{first_id}/outcome"),
            &json!({ "outcome": "no_answer", "note": "sonne dans le vide" }),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");

    // A second case: appointment; a third: refusal.
    let second = interviewer.next_case().await;
    assert_ne!(
        second["case_id"], first["case_id"],
        "a case in its recall delay is not handed out"
    );
    let second_id = second["case_id"].as_str().unwrap().to_owned();
    let (status, body) = interviewer
        .post(
            &format!("/api/cases/{second_id}/outcome"),
            &json!({ "outcome": "appointment", "appointment_at": "2099-06-01T18:30" }),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let third = interviewer.next_case().await;
    let third_id = third["case_id"].as_str().unwrap().to_owned();
    let (status, _) = interviewer
        .post(
            &format!("/api/cases/{third_id}/outcome"),
            &json!({ "outcome": "refusal" }),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    // A fourth case: the full interview.
    let case = interviewer.next_case().await;
    let case_id = case["case_id"].as_str().unwrap().to_owned();
    let mut view = interviewer.start_interview(&case_id).await;
    let interview_id = view["interview_id"].as_str().unwrap().to_owned();
    // Cases and interviews are known outside by UUIDs v7, never by row numbers.
    for id in [&first_id, &second_id, &case_id, &interview_id] {
        assert!(is_uuid_v7(id), "{id} is not a UUID v7");
    }
    assert!(
        view["step"]["text"]
            .as_str()
            .unwrap()
            .contains(case["commune_name"].as_str().unwrap()),
        "fill resolved: {view}"
    );
    while view["step"]["type"] == "question" {
        view = interviewer.answer_fixture_step(&view).await;
    }
    assert_eq!(view["step"]["type"], "completed", "{view}");
    assert_eq!(view["status"], "completed");

    // The stored answers, one row per variable, as a supervisor reads them.
    let supervisor = server.login("superviseur").await;
    let (status, answers) = supervisor
        .get(&format!("/api/interviews/{interview_id}/answers"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let variables: Vec<&str> = answers
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["variable"].as_str().unwrap())
        .collect();
    for var in FIXTURE_ROUTE {
        assert!(variables.contains(&var), "{var} stored: {answers}");
    }
    let age = answers
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["variable"] == "AGE")
        .unwrap();
    assert!(age["answer"].as_str().unwrap().contains("42"), "{age}");

    // The case is final with AAPOR 1.1, the refusal 2.111, and the interviewer holds nothing.
    let wave = supervisor.latest_wave().await;
    let (_, sample) = supervisor
        .get(&format!("/api/waves/{wave}/sample?limit=1000"))
        .await;
    let find = |id: &str| {
        sample
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(find(&case_id)["final_aapor"], "1.1");
    assert_eq!(find(&third_id)["final_aapor"], "2.111");
    assert_eq!(find(&second_id)["status"], "appointment");
    assert_eq!(find(&first_id)["attempts"], 1);
    let (status, _) = interviewer.get("/api/cases/current").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The earlier attempt and its note show on the case for a supervisor.
    let (status, first_again) = supervisor.get(&format!("/api/cases/{first_id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(first_again["attempts"][0]["aapor_code"], "3.13");
    assert_eq!(first_again["attempts"][0]["note"], "sonne dans le vide");
}
on_both_backends!(interviewer_records_outcomes_and_completes_an_interview);

async fn callback_keeps_a_partial_interview_that_resumes_where_it_stopped(backend: Backend) {
    let db = TestDb::new(backend).await;
    let server = Server::start(&db, DemoSize::new(1, 2)).await;
    let interviewer = server.login("enqueteur1").await;
    let case = interviewer.next_case().await;
    let case_id = case["case_id"].as_str().unwrap().to_owned();
    let mut view = interviewer.start_interview(&case_id).await;
    for _ in 0..2 {
        view = interviewer.answer_fixture_step(&view).await;
    }
    let interview_id = view["interview_id"].as_str().unwrap().to_owned();
    let soon = "2000-01-01T00:00:00Z";
    let due = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(2);
    let (status, body) = interviewer
        .post(
            &format!("/api/interviews/{interview_id}/callback"),
            &json!({ "appointment_at": soon }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "appointments in the past are refused: {body}"
    );
    let (status, body) = interviewer
        .post(
            &format!("/api/interviews/{interview_id}/callback"),
            &json!({ "appointment_at": due.to_string(), "note": "rappeler le soir" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "in_progress");

    // The appointment is not due yet: nothing to call.
    let other = server.login("enqueteur2").await;
    let (status, _) = other.post("/api/cases/next", &json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let supervisor = server.login("superviseur").await;
    let (_, case_now) = supervisor.get(&format!("/api/cases/{case_id}")).await;
    assert_eq!(case_now["status"], "appointment");
    assert_eq!(case_now["attempts"][0]["aapor_code"], "1.2");
    assert_eq!(case_now["interview"]["status"], "in_progress");
    let (_, answers) = supervisor
        .get(&format!("/api/interviews/{interview_id}/answers"))
        .await;
    assert_eq!(answers.as_array().unwrap().len(), 2, "{answers}");

    // Once due, the firm appointment comes first, to the interviewer who booked it (the others
    // get it only after the grace period), and the interview resumes at the third question.
    while jiff::Timestamp::now() <= due {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let (status, body) = other.post("/api/cases/next", &json!({})).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "reserved for its booker: {body}"
    );
    let again = interviewer.next_case().await;
    assert_eq!(again["case_id"], case_id);
    let other = interviewer;
    let resumed = other.start_interview(&case_id).await;
    assert_eq!(resumed["interview_id"], interview_id);
    assert_eq!(resumed["step"]["var"], FIXTURE_ROUTE[2], "{resumed}");

    // The respondent now refuses: the case is final and the partial interview broken off.
    let (status, body) = other
        .post(
            &format!("/api/cases/{case_id}/outcome"),
            &json!({ "outcome": "refusal" }),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (_, case_now) = supervisor.get(&format!("/api/cases/{case_id}")).await;
    assert_eq!(case_now["status"], "final");
    assert_eq!(case_now["interview"]["status"], "broken_off");
}
on_both_backends!(callback_keeps_a_partial_interview_that_resumes_where_it_stopped);

async fn roles_limit_what_each_account_sees(backend: Backend) {
    let db = TestDb::new(backend).await;
    let server = Server::start(&db, DemoSize::new(5, 1)).await;
    let analyst = server.login("analyste").await;
    let wave = analyst.latest_wave().await;
    for path in [
        format!("/api/waves/{wave}/sample"),
        "/api/cases/current".to_owned(),
        // Any case: the role is refused before the case is looked up.
        "/api/cases/01900000-0000-7000-8000-000000000000".to_owned(),
        "/api/users".to_owned(),
    ] {
        let (status, body) = analyst.get(&path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "analyst on {path}: {body}");
        assert!(body["error"].is_string());
    }
    let (status, progress) = analyst.get(&format!("/api/waves/{wave}/progress")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !progress.to_string().contains("+33"),
        "analysts never see phone numbers"
    );
    let (status, _) = analyst.post("/api/cases/next", &json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let interviewer = server.login("enqueteur1").await;
    let (status, _) = interviewer.get(&format!("/api/waves/{wave}/sample")).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "interviewers never see the sample"
    );

    // Admins manage users; a disabled account's session ends at once.
    let admin = server.login("admin").await;
    let (status, created) = admin
        .post("/api/users", &json!({ "username": "nouvelle", "role": "interviewer", "password": "un-mot-de-passe-long" }))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let newcomer = Client::login(&server.base, "nouvelle", "un-mot-de-passe-long").await;
    let id = created["id"].as_i64().unwrap();
    let (status, _) = admin
        .post(
            &format!("/api/users/{id}/disabled"),
            &json!({ "disabled": true }),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = newcomer.get("/api/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, audit) = admin.get("/api/audit").await;
    assert!(audit.to_string().contains("user.disable"), "{audit}");

    // An admin cannot lock themselves out.
    let (_, me) = admin.get("/api/me").await;
    let own_id = me["id"].as_i64().expect("/api/me gives the account id");
    let (status, refused) = admin
        .post(
            &format!("/api/users/{own_id}/disabled"),
            &json!({ "disabled": true }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(
        refused["error"].as_str().unwrap().contains("propre compte"),
        "{refused}"
    );
    let (status, _) = admin.get("/api/me").await;
    assert_eq!(status, StatusCode::OK);

    // Logging out ends the session.
    let (status, _) = interviewer.post("/api/logout", &json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = interviewer.get("/api/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
on_both_backends!(roles_limit_what_each_account_sees);

async fn the_observatory_questionnaire_runs_to_its_end_over_the_api(backend: Backend) {
    let questionnaire = cati_e2e::observatory_questionnaire();
    let db = TestDb::new(backend).await;
    let server = Server::start(
        &db,
        DemoSize {
            questionnaire,
            ..DemoSize::new(2, 1)
        },
    )
    .await;
    let interviewer = server.login("enqueteur1").await;
    let case = interviewer.next_case().await;
    let mut view = interviewer
        .start_interview(case["case_id"].as_str().unwrap())
        .await;
    let id = view["interview_id"].as_str().unwrap().to_owned();
    let mut steps = 0;
    while view["step"]["type"] == "question" {
        steps += 1;
        assert!(steps < 300, "the interview never ends: {view}");
        let step = &view["step"];
        let mut answer = generic_answer(step);
        answer["confirm"] = true.into();
        let path = format!("/api/interviews/{id}/answers");
        let (status, next) = interviewer.post(&path, &answer).await;
        view = if status == StatusCode::OK {
            next
        } else {
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{answer} -> {next}"
            );
            let special = if step["allow_dont_know"] == true {
                "dont_know"
            } else {
                "refused"
            };
            let (status, next) = interviewer
                .post(&path, &json!({ "var": step["var"], "special": special }))
                .await;
            assert_eq!(
                status,
                StatusCode::OK,
                "{} refused even as {special}: {next}",
                step["var"]
            );
            next
        };
    }
    assert!(
        ["completed", "screened_out"].contains(&view["status"].as_str().unwrap()),
        "{view}"
    );
    // The interviewer no longer holds the case; a supervisor reads the answers.
    let (status, _) = interviewer
        .get(&format!("/api/interviews/{id}/answers"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let supervisor = server.login("superviseur").await;
    let (_, answers) = supervisor
        .get(&format!("/api/interviews/{id}/answers"))
        .await;
    assert!(
        answers.as_array().unwrap().len() >= steps.min(10),
        "{answers}"
    );
}
on_both_backends!(the_observatory_questionnaire_runs_to_its_end_over_the_api);

async fn accounts_are_managed_from_the_command_line(backend: Backend) {
    let db = TestDb::new(backend).await;
    let server = Server::start(&db, DemoSize::new(1, 1)).await;
    let (ok, out) = server.cli(
        &[
            "user",
            "add",
            "chef",
            "--role",
            "supervisor",
            "--password-stdin",
        ],
        "premier-mot-de-passe\n",
    );
    assert!(ok, "{out}");
    let (ok, out) = server.cli(&["user", "add", "chef", "--role", "supervisor"], "");
    assert!(!ok, "a taken login name is refused: {out}");
    let (ok, out) = server.cli(&["user", "add", "x", "--role", "pilote"], "");
    assert!(!ok && out.contains("rôle inconnu"), "{out}");
    let session = Client::login(&server.base, "chef", "premier-mot-de-passe").await;
    let (ok, out) = server.cli(
        &["user", "passwd", "chef", "--password-stdin"],
        "second-mot-de-passe\n",
    );
    assert!(ok, "{out}");
    let (status, _) = session.get("/api/me").await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a password change ends the sessions"
    );
    let session = Client::login(&server.base, "chef", "second-mot-de-passe").await;
    let (ok, out) = server.cli(&["user", "disable", "chef"], "");
    assert!(ok, "{out}");
    let (status, _) = session.get("/api/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = Client::anonymous(&server.base)
        .post(
            "/api/login",
            &json!({ "username": "chef", "password": "second-mot-de-passe" }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a disabled account cannot log in"
    );
    let (ok, out) = server.cli(
        &[
            "user",
            "add",
            "court",
            "--role",
            "analyst",
            "--password-stdin",
        ],
        "court\n",
    );
    assert!(!ok && out.contains("10 caractères"), "{out}");
}
on_both_backends!(accounts_are_managed_from_the_command_line);

async fn pages_render_for_each_role_and_send_strangers_to_the_login_page(backend: Backend) {
    let db = TestDb::new(backend).await;
    let server = Server::start(&db, DemoSize::new(3, 1)).await;
    let page = |client: &Client, path: &str| {
        let request = client.http.get(format!("{}{path}", server.base));
        async move {
            let response = request.send().await.expect("GET page");
            let status = response.status();
            let location = response
                .headers()
                .get("location")
                .map(|v| v.to_str().unwrap_or_default().to_owned());
            (status, location, response.text().await.unwrap_or_default())
        }
    };
    let stranger = Client::anonymous(&server.base);
    let (status, location, _) = page(&stranger, "/poste").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location.as_deref(), Some("/connexion"));
    let (status, _, html) = page(&stranger, "/connexion").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Mot de passe"));
    let (status, _, html) = page(&stranger, "/nulle-part").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        html.contains("<html") && html.contains("inconnue"),
        "{html}"
    );

    for (user, path, expected) in [
        ("superviseur", "/echantillon", "+33536490000"),
        ("admin", "/admin/utilisateurs", "enqueteur1"),
        ("analyste", "/suivi", "Suivi de terrain"),
        ("enqueteur1", "/poste", "Appel suivant"),
    ] {
        let client = server.login(user).await;
        let (status, _, html) = page(&client, path).await;
        assert_eq!(status, StatusCode::OK, "{user} on {path}");
        assert!(html.contains(expected), "{user} on {path}: {html}");
    }
    // The sample page searches (here Ambès's one case not called yet, the form's empty choices
    // meaning « any ») and links each case to its page, with its calls and the actions.
    let supervisor = server.login("superviseur").await;
    let (status, _, html) = page(
        &supervisor,
        "/echantillon?external_id=&phone=&commune=33004&status=pending&aapor=",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_eq!(
        html.matches("href=\"/echantillon/cas/").count(),
        1,
        "{html}"
    );
    let link = html
        .split("href=\"/echantillon/cas/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a link to a case");
    let (status, _, html) = page(&supervisor, &format!("/echantillon/cas/{link}")).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains("Appels") && html.contains("Reprogrammer"),
        "{html}"
    );
    let analyst = server.login("analyste").await;
    let (status, _, html) = page(&analyst, "/echantillon").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!html.contains("+33"), "analysts never see phone numbers");
}
on_both_backends!(pages_render_for_each_role_and_send_strangers_to_the_login_page);
