//! Stories of what goes wrong, as a client sees it: each failure it may act on has its own
//! problem `type` and status, so it branches on `type` and never parses `detail`; unknown
//! query parameters and cursors never handed out are refused, naming them; the kiosk reads
//! numbers and codes as a Chinese keyboard types them; an `Idempotency-Key` still being
//! processed is told apart — on both databases.

use serde_json::{Value, json};

use crate::cases::{Hall, applicant, hall, id};
use crate::on_both_backends;
use crate::support::{Answer, Backend, Client};

/// Asserts a problem of this status and kind (`urn:service-hall:problem:<kind>`); returns it.
fn problem(answer: &Answer, status: u16, kind: &str) -> Value {
    let problem = answer.problem(status);
    assert_eq!(
        problem["type"],
        format!("urn:service-hall:problem:{kind}"),
        "{problem}"
    );
    problem
}

/// A path segment or query value as a client sends it: every byte not plainly safe escaped.
fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// ASCII digits, letters and hyphens in their full-width forms, as Chinese input methods
/// type them.
fn full_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '0'..='9' | 'A'..='Z' | 'a'..='z' | '-' => {
                char::from_u32(u32::from(c) + 0xFEE0).expect("full-width form")
            }
            other => other,
        })
        .collect()
}

/// A committed case accepted, started and completed; its receipt.
fn finished_case(hall: &Hall) -> Value {
    let receipt = hall.accept(&hall.clerk1, &hall.committed);
    let start = hall.act(
        &hall.clerk1,
        &receipt,
        json!({"action": "start", "version": 1}),
    );
    assert_eq!(start.status, 200, "{}", start.text);
    let done = hall.act(
        &hall.clerk1,
        &receipt,
        json!({"action": "complete", "version": 2, "outcome": "approved", "result": "准予"}),
    );
    assert_eq!(done.status, 200, "{}", done.text);
    receipt
}

fn rate(hall: &Hall, case: &Value, score: u8) -> Answer {
    hall.app.post(
        &format!(
            "/api/v1/public/cases/{}/rating",
            case["case_no"].as_str().expect("number")
        ),
        None,
        &json!({"code": case["query_code"], "score": score}),
    )
}

fn a_clerk_tells_a_stale_version_from_a_refused_action_and_a_taken_code(backend: Backend) {
    let hall = hall(backend);
    let case = hall.accept(&hall.clerk1, &hall.committed);
    let start = hall.act(
        &hall.clerk1,
        &case,
        json!({"action": "start", "version": 1}),
    );
    assert_eq!(start.status, 200, "{}", start.text);

    // Two clerks acted on the same version: the second is told to reload.
    let stale = hall.act(
        &hall.clerk1,
        &case,
        json!({"action": "pause", "reason": "supplement", "version": 1}),
    );
    problem(&stale, 409, "stale-version");

    // A current version, but the lifecycle refuses: an English sentence, no `in_progress`.
    let refused = hall.act(
        &hall.clerk1,
        &case,
        json!({"action": "resume", "version": 2}),
    );
    let refused = problem(&refused, 409, "transition-not-allowed");
    assert_eq!(refused["detail"], "a case in progress cannot be resumed");

    // A department code taken: the third kind of 409, told apart by its type alone.
    let twin = hall.app.post(
        "/api/v1/departments",
        Some(&hall.admin),
        &json!({"code": "MZ", "name": "另一个民政局"}),
    );
    problem(&twin, 409, "code-taken");

    // An administrator cannot deactivate their own account: a plain conflict, documented.
    let me = hall.app.get("/api/v1/auth/me", Some(&hall.admin)).json();
    let own = hall.app.post(
        &format!("/api/v1/users/{}/deactivate", id(&me)),
        Some(&hall.admin),
        &json!({}),
    );
    problem(&own, 409, "conflict");
}

fn an_idempotency_key_reused_with_another_body_is_its_own_problem(backend: Backend) {
    let hall = hall(backend);
    let send = |body: &Value| {
        hall.app.send_with_header(
            "POST",
            "/api/v1/cases",
            Some(&hall.clerk1),
            ("Idempotency-Key", "intake-7"),
            &body.to_string(),
        )
    };
    let first = send(&json!({"item_id": hall.committed, "applicant": applicant()}));
    assert_eq!(first.status, 201, "{}", first.text);
    let reused = send(&json!({"item_id": hall.immediate, "applicant": applicant()}));
    let reused = problem(&reused, 422, "idempotency-key-reused");
    assert_eq!(reused["errors"][0]["field"], "Idempotency-Key");
}

fn a_date_the_calendar_does_not_cover_is_told_apart_from_invalid_values(backend: Backend) {
    let hall = hall(backend);
    let before = hall.app.get(
        "/api/v1/calendar/deadline?accepted=2011-06-01&days=5",
        Some(&hall.clerk1),
    );
    let before = problem(&before, 422, "calendar-year-missing");
    assert_eq!(
        before["detail"],
        "the working-day calendar does not cover 2011"
    );
    let known = hall.app.get(
        "/api/v1/calendar/deadline?accepted=2012-09-28&days=5",
        Some(&hall.clerk1),
    );
    assert_eq!(known.status, 200, "{}", known.text);
    assert_eq!(known.json()["deadline"], "2012-10-11");
}

fn an_applicant_rates_once_and_only_a_finished_case(backend: Backend) {
    let hall = hall(backend);
    let open = hall.accept(&hall.clerk1, &hall.committed);
    let early = problem(&rate(&hall, &open, 5), 409, "transition-not-allowed");
    assert_eq!(
        early["detail"],
        "an accepted case cannot be rated: only a completed or delivered case can be rated"
    );
    let finished = finished_case(&hall);
    assert_eq!(rate(&hall, &finished, 5).status, 201);
    problem(&rate(&hall, &finished, 4), 409, "already-rated");
}

fn wrong_codes_for_one_number_are_rate_limited_however_the_number_is_typed(backend: Backend) {
    let hall = hall(backend);
    let case = hall.accept(&hall.clerk1, &hall.committed);
    let case_no = case["case_no"].as_str().expect("number");
    let code = case["query_code"].as_str().expect("code");
    let wrong = if code == "000000" { "000001" } else { "000000" };
    // Ten wrong codes, every other one typed in full-width forms: all count for the number.
    for i in 0..10 {
        let typed = if i % 2 == 0 {
            case_no.to_owned()
        } else {
            full_width(case_no)
        };
        let answer = hall.app.get(
            &format!("/api/v1/public/cases/{}?code={wrong}", percent(&typed)),
            None,
        );
        problem(&answer, 404, "not-found");
    }
    let limited = hall
        .app
        .get(&format!("/api/v1/public/cases/{case_no}?code={code}"), None);
    problem(&limited, 429, "rate-limited");
    assert!(limited.header("retry-after").is_some());
}

fn the_kiosk_reads_a_number_and_code_typed_in_full_width_forms(backend: Backend) {
    let hall = hall(backend);
    let case = hall.accept(&hall.clerk1, &hall.committed);
    let case_no = case["case_no"].as_str().expect("number");
    let code = case["query_code"].as_str().expect("code");
    // `６４０１０５－２０１２…－００００１` with a space, and `１２３　４５６`.
    let typed_no = format!(" {} ", full_width(case_no));
    let typed_code = format!(
        "{}\u{3000}{}",
        full_width(&code[..3]),
        full_width(&code[3..])
    );
    let found = hall.app.get(
        &format!(
            "/api/v1/public/cases/{}?code={}",
            percent(&typed_no),
            percent(&typed_code)
        ),
        None,
    );
    assert_eq!(found.status, 200, "{}", found.text);
    assert_eq!(found.json()["case_no"], case_no);
    // Lower-case letters are read as upper-case; nothing else is folded, so a number typed
    // with another dash is still unknown.
    let other_dash = case_no.replace('-', "—");
    let unknown = hall.app.get(
        &format!("/api/v1/public/cases/{}?code={code}", percent(&other_dash)),
        None,
    );
    problem(&unknown, 404, "not-found");
}

fn unknown_query_parameters_are_refused_naming_them(backend: Backend) {
    let hall = hall(backend);
    let case = hall.accept(&hall.clerk1, &hall.committed);
    // A listing that takes parameters, but not this one.
    let sorted = hall
        .app
        .get("/api/v1/cases?sort=received_at", Some(&hall.clerk1));
    let sorted = problem(&sorted, 400, "unknown-parameter");
    assert_eq!(sorted["errors"][0]["field"], "sort", "{sorted}");
    assert!(
        sorted["detail"]
            .as_str()
            .is_some_and(|d| d.contains("`sort`") && d.contains("`after`")),
        "{sorted}"
    );
    // An operation that takes none.
    let one = hall.app.get(
        &format!("/api/v1/cases/{}?limit=5", id(&case)),
        Some(&hall.clerk1),
    );
    let one = problem(&one, 400, "unknown-parameter");
    assert_eq!(one["errors"][0]["field"], "limit", "{one}");
    // Parameters read through two structs: each known one still accepted, a stranger named.
    let breakdown = hall.app.get(
        "/api/v1/stats/breakdown?by=center&from=2012-01-01&colour=red",
        Some(&hall.analyst),
    );
    let breakdown = problem(&breakdown, 400, "unknown-parameter");
    assert_eq!(breakdown["errors"][0]["field"], "colour", "{breakdown}");
    let fine = hall.app.get(
        "/api/v1/stats/breakdown?by=center&from=2012-01-01",
        Some(&hall.analyst),
    );
    assert_eq!(fine.status, 200, "{}", fine.text);
    // The kiosk too, without telling anything about the case.
    let kiosk = hall.app.get(
        &format!(
            "/api/v1/public/cases/{}?code={}&lang=en",
            case["case_no"].as_str().expect("number"),
            case["query_code"].as_str().expect("code")
        ),
        None,
    );
    problem(&kiosk, 400, "unknown-parameter");
}

fn a_cursor_never_handed_out_is_refused_and_a_real_one_reads_on(backend: Backend) {
    let hall = hall(backend);
    for _ in 0..2 {
        hall.accept(&hall.clerk1, &hall.committed);
    }
    for (path, token) in [
        ("/api/v1/cases", Some(&hall.supervisor)),
        ("/api/v1/departments", Some(&hall.admin)),
        ("/api/v1/items", Some(&hall.admin)),
        ("/api/v1/windows", Some(&hall.admin)),
        ("/api/v1/centers", Some(&hall.admin)),
        ("/api/v1/users", Some(&hall.admin)),
        ("/api/v1/audit", Some(&hall.admin)),
        ("/api/v1/access-log", Some(&hall.admin)),
        ("/api/v1/public/items", None),
        ("/api/v1/public/board", None),
    ] {
        let garbage = hall.app.get(
            &format!("{path}?after=%27%20OR%201%3D1"),
            token.map(String::as_str),
        );
        let refused = problem(&garbage, 400, "invalid-cursor");
        assert_eq!(refused["errors"][0]["field"], "after", "{path}: {refused}");
    }
    // The cursors the listings hand out still read on.
    for path in ["/api/v1/cases", "/api/v1/items", "/api/v1/windows"] {
        let first = hall
            .app
            .get(&format!("{path}?limit=1"), Some(&hall.admin))
            .json();
        let cursor = first["next_cursor"].as_str().expect("another page");
        let next = hall.app.get(
            &format!("{path}?limit=1&after={}", percent(cursor)),
            Some(&hall.admin),
        );
        assert_eq!(next.status, 200, "{path}: {}", next.text);
        assert_ne!(next.json()["items"][0], first["items"][0], "{path}");
    }
}

fn a_query_value_that_cannot_be_read_is_refused_naming_its_parameter(backend: Backend) {
    let hall = hall(backend);
    for (path, token, name) in [
        ("/api/v1/cases?limit=abc", &hall.supervisor, "limit"),
        ("/api/v1/items?limit=-1", &hall.admin, "limit"),
        (
            "/api/v1/calendar/working-days?from=notadate&to=2026-01-01",
            &hall.admin,
            "from",
        ),
        (
            "/api/v1/calendar/working-days?from=2026-01-01&to=2026-02-30",
            &hall.admin,
            "to",
        ),
        (
            "/api/v1/calendar/deadline?accepted=2026-01-05",
            &hall.admin,
            "days",
        ),
        (
            "/api/v1/stats/summary?from=2026-01-01&to=2026-01-31&basis=whenever",
            &hall.analyst,
            "basis",
        ),
        (
            "/api/v1/supervision/ratings?open=perhaps",
            &hall.supervisor,
            "open",
        ),
    ] {
        let answer = hall.app.get(path, Some(token));
        let refused = problem(&answer, 400, "malformed");
        assert_eq!(refused["errors"][0]["field"], name, "{path}: {refused}");
        let detail = refused["detail"].as_str().expect("detail");
        assert!(detail.contains(&format!("`{name}`")), "{path}: {refused}");
        // What was sent is not repeated back.
        for sent in ["abc", "notadate", "whenever", "perhaps"] {
            assert!(!answer.text.contains(sent), "{path}: {refused}");
        }
    }
}

/// Two intakes with one `Idempotency-Key`, the second sent while the first is still in its
/// transaction. The first is played by the test: it writes the key (naming a case it opened,
/// under the fingerprint of the body the second sends) in a transaction it holds open until
/// the second is seen waiting. On PostgreSQL the second did not see the uncommitted key, made
/// its own case and waits on the key's unique index; when the first commits it answers 409
/// `idempotency-key-in-flight` and its case is rolled back. SQLite lets one writer in at a
/// time, so there the second waits at its start and is answered as a retry of the first.
fn a_key_still_being_processed_is_in_flight_and_makes_no_second_case(backend: Backend) {
    use diesel::RunQueryDsl;
    use diesel::sql_types::BigInt;
    use domain::ids::{CaseId, UserId};
    use domain::repository::{
        CaseRepository, IdempotencyRecord, IdempotencyRepository, RepositoryError,
    };

    #[derive(diesel::QueryableByName)]
    struct Waiting {
        #[diesel(sql_type = BigInt)]
        waiting: i64,
    }

    let hall = hall(backend);
    let first = hall.accept(&hall.clerk1, &hall.committed);
    let first_id: CaseId = id(&first).parse().expect("a case id");
    let me = hall.app.get("/api/v1/auth/me", Some(&hall.clerk1)).json();
    let clerk: UserId = me["id"].as_str().expect("id").parse().expect("a user id");
    let body = json!({"item_id": hall.committed, "applicant": applicant()}).to_string();
    let store = &hall.app.state.store;
    let keys = store.data_keys_shared().expect("data keys");

    let (go, ready) = std::sync::mpsc::channel::<()>();
    let second = {
        let (base, token, body) = (hall.app.base.clone(), hall.clerk1.clone(), body.clone());
        std::thread::spawn(move || {
            ready.recv().expect("the first holds its transaction");
            Client::new(&base).send_with_header(
                "POST",
                "/api/v1/cases",
                Some(&token),
                ("Idempotency-Key", "intake-in-flight"),
                &body,
            )
        })
    };
    store
        .transaction(|conn| -> Result<(), RepositoryError> {
            let region = conn.case(first_id)?.expect("the first case").region;
            let record = IdempotencyRecord {
                request_hash: keys.request_fingerprint(body.as_bytes()),
                region,
                case_id: first_id,
                created_at: chrono::Utc::now(),
            };
            conn.remember_idempotency(clerk, "intake-in-flight", &record)?;
            go.send(()).expect("the second request is ready");
            if backend == Backend::Postgres {
                // Held until the second waits on the key this transaction wrote.
                let started = std::time::Instant::now();
                loop {
                    let [Waiting { waiting }] = store
                        .read(|other| {
                            diesel::sql_query(
                                "SELECT COUNT(*) AS waiting FROM pg_stat_activity \
                                 WHERE datname = current_database() AND wait_event_type = 'Lock'",
                            )
                            .load::<Waiting>(other)
                            .map_err(|e| RepositoryError::Internal(e.to_string()))
                        })?
                        .try_into()
                        .map_err(|_| RepositoryError::Internal("one row".into()))?;
                    if waiting > 0 {
                        break;
                    }
                    assert!(
                        started.elapsed() < std::time::Duration::from_secs(20),
                        "the second request never waited on the key"
                    );
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
            } else {
                std::thread::sleep(std::time::Duration::from_millis(300));
            }
            Ok(())
        })
        .expect("the first commits");
    let second = second.join().expect("the second request");

    match backend {
        Backend::Postgres => {
            let refused = problem(&second, 409, "idempotency-key-in-flight");
            assert!(
                refused["detail"]
                    .as_str()
                    .is_some_and(|d| d.contains("retry")),
                "{refused}"
            );
        }
        Backend::Sqlite => {
            assert_eq!(second.status, 200, "{}", second.text);
            assert_eq!(second.json()["id"], first["id"]);
        }
    }
    // Nothing but the first case was made, and a retry now gets it.
    let listed = hall.app.get("/api/v1/cases", Some(&hall.clerk1)).json();
    assert_eq!(
        listed["items"].as_array().map(Vec::len),
        Some(1),
        "{listed}"
    );
    let retry = hall.app.send_with_header(
        "POST",
        "/api/v1/cases",
        Some(&hall.clerk1),
        ("Idempotency-Key", "intake-in-flight"),
        &body,
    );
    assert_eq!(retry.status, 200, "{}", retry.text);
    assert_eq!(retry.json()["id"], first["id"]);
}

/// JSON Schema counts `2.0` an integer, and so does the hall.
fn a_whole_number_written_with_a_decimal_point_is_an_integer(backend: Backend) {
    let hall = hall(backend);
    let case = hall.accept(&hall.clerk1, &hall.committed);
    let started = hall.app.post(
        &format!("/api/v1/cases/{}/events", id(&case)),
        Some(&hall.clerk1),
        &json!({"action": "start", "version": case["version"].as_f64().expect("version")}),
    );
    assert_eq!(started.status, 200, "{}", started.text);
    let half = hall.app.post(
        &format!("/api/v1/cases/{}/events", id(&case)),
        Some(&hall.clerk1),
        &json!({"action": "pause", "reason": "supplement", "version": 1.5}),
    );
    let refused = problem(&half, 422, "validation");
    assert_eq!(refused["errors"][0]["field"], "body", "{refused}");
}

on_both_backends!(
    a_clerk_tells_a_stale_version_from_a_refused_action_and_a_taken_code,
    an_idempotency_key_reused_with_another_body_is_its_own_problem,
    a_date_the_calendar_does_not_cover_is_told_apart_from_invalid_values,
    an_applicant_rates_once_and_only_a_finished_case,
    wrong_codes_for_one_number_are_rate_limited_however_the_number_is_typed,
    the_kiosk_reads_a_number_and_code_typed_in_full_width_forms,
    unknown_query_parameters_are_refused_naming_them,
    a_query_value_that_cannot_be_read_is_refused_naming_its_parameter,
    a_key_still_being_processed_is_in_flight_and_makes_no_second_case,
    a_whole_number_written_with_a_decimal_point_is_an_integer,
    a_cursor_never_handed_out_is_refused_and_a_real_one_reads_on,
);
