//! Stories of the foundation: signing in, the catalogue, the calendar over HTTP, and errors
//! that always come as problem documents.

use domain::user::Role;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::{ADMIN_PASSWORD, Backend, TestApp};

fn an_admin_signs_in_and_strangers_are_turned_away(backend: Backend) {
    let app = TestApp::start(backend);
    let login = app.post(
        "/api/v1/auth/login",
        None,
        &json!({"username": "admin", "password": ADMIN_PASSWORD}),
    );
    assert_eq!(login.status, 200);
    let token = login.json();
    assert_eq!(token["token_type"], "Bearer");
    assert_eq!(token["expires_in"], 3600);
    let access = token["access_token"].as_str().expect("token");

    let me = app.get("/api/v1/auth/me", Some(access));
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["username"], "admin");
    assert_eq!(me.json()["role"], "admin");

    let wrong = app.post(
        "/api/v1/auth/login",
        None,
        &json!({"username": "admin", "password": "not the password"}),
    );
    wrong.problem(401);
    let unknown = app.post(
        "/api/v1/auth/login",
        None,
        &json!({"username": "nobody", "password": "not the password"}),
    );
    assert_eq!(unknown.problem(401)["detail"], wrong.problem(401)["detail"]);

    let anonymous = app.get("/api/v1/centers", None);
    anonymous.problem(401);
    assert_eq!(anonymous.header("www-authenticate"), Some("Bearer"));
    app.get("/api/v1/calendar/2012", Some("not-a-token"))
        .problem(401);
    app.get("/api/v1/auth/me", None).problem(401);
}

fn a_clerk_reads_the_catalogue_but_may_not_change_it(backend: Backend) {
    let app = TestApp::start(backend);
    let admin = app.admin_token();
    let hall = app.post(
        "/api/v1/centers",
        Some(&admin),
        &json!({"code": "640105", "name": "西夏区政务服务中心"}),
    );
    assert_eq!(hall.status, 201, "{}", hall.text);
    let window = app.post(
        "/api/v1/windows",
        Some(&admin),
        &json!({"center_id": hall.json()["id"], "number": 1, "name": "综合窗口", "kind": "comprehensive", "item_ids": []}),
    );
    assert_eq!(window.status, 201, "{}", window.text);
    let window_id = window.json()["id"]
        .as_str()
        .expect("id")
        .parse()
        .expect("window id");
    let clerk = app.user_token("wang.fang", Role::Clerk, Some(window_id));

    assert_eq!(app.get("/api/v1/centers", Some(&clerk)).status, 200);
    app.post(
        "/api/v1/departments",
        Some(&clerk),
        &json!({"code": "MZ", "name": "民政局"}),
    )
    .problem(403);
    app.post(
        "/api/v1/centers",
        Some(&clerk),
        &json!({"code": "640106", "name": "兴庆区"}),
    )
    .problem(403);
    let analyst = app.user_token("zhao.lei", Role::Analyst, None);
    app.post(
        "/api/v1/departments",
        Some(&analyst),
        &json!({"code": "MZ", "name": "民政局"}),
    )
    .problem(403);
}

fn an_admin_creates_a_department_reads_it_and_cannot_create_its_twin(backend: Backend) {
    let app = TestApp::start(backend);
    let admin = app.admin_token();
    let created = app.post(
        "/api/v1/departments",
        Some(&admin),
        &json!({"code": "MZ", "name": "民政局"}),
    );
    assert_eq!(created.status, 201, "{}", created.text);
    let department = created.json();
    assert_eq!(department["code"], "MZ");
    assert_eq!(department["active"], true);
    let id = department["id"].as_str().expect("id");

    let read = app.get(&format!("/api/v1/departments/{id}"), Some(&admin));
    assert_eq!(read.status, 200);
    assert_eq!(read.json(), department);

    let twin = app.post(
        "/api/v1/departments",
        Some(&admin),
        &json!({"code": "MZ", "name": "另一个民政局"}),
    );
    assert!(
        twin.problem(409)["detail"]
            .as_str()
            .expect("detail")
            .contains("code")
    );

    let renamed = app.put(
        &format!("/api/v1/departments/{id}"),
        Some(&admin),
        &json!({"code": "MZ", "name": "民政局（婚姻登记处）"}),
    );
    assert_eq!(renamed.status, 200);
    assert_eq!(renamed.json()["name"], "民政局（婚姻登记处）");
    let closed = app.post(
        &format!("/api/v1/departments/{id}/deactivate"),
        Some(&admin),
        &json!({}),
    );
    assert_eq!(closed.json()["active"], false);
    let listed = app.get("/api/v1/departments?limit=10", Some(&admin)).json();
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(listed["next_cursor"], serde_json::Value::Null);
    app.get(
        &format!("/api/v1/departments/{}", uuid::Uuid::now_v7()),
        Some(&admin),
    )
    .problem(404);
}

fn an_admin_builds_a_hall_with_items_and_windows(backend: Backend) {
    let app = TestApp::start(backend);
    let admin = app.admin_token();
    let district = app
        .post(
            "/api/v1/centers",
            Some(&admin),
            &json!({"code": "640105", "name": "西夏区政务服务中心"}),
        )
        .json();
    let street = app.post(
        "/api/v1/centers",
        Some(&admin),
        &json!({"code": "640105001", "name": "文昌路街道便民服务中心", "parent_id": district["id"]}),
    );
    assert_eq!(street.status, 201);
    assert_eq!(street.json()["parent_id"], district["id"]);
    // A centre cannot move beneath its own child.
    let cycle = app.put(
        &format!("/api/v1/centers/{}", district["id"].as_str().expect("id")),
        Some(&admin),
        &json!({"code": "640105", "name": "西夏区政务服务中心", "parent_id": street.json()["id"]}),
    );
    assert_eq!(cycle.problem(422)["errors"][0]["field"], "parent_id");

    let civil = app
        .post(
            "/api/v1/departments",
            Some(&admin),
            &json!({"code": "MZ", "name": "民政局"}),
        )
        .json();
    let marriage = json!({
        "code": "MZ-001", "name": "结婚登记", "department_id": civil["id"], "category": "licensing",
        "handling": "committed", "statutory_days": 20, "promised_days": 5,
        "materials": [{"name": "居民身份证"}, {"name": "户口簿", "form": "copy", "copies": 2}], "procedure": ["受理", "审查", "登记"], "steps_removed": 1,
        "fee": "不收费", "legal_basis": "《婚姻登记条例》"
    });
    let item = app.post("/api/v1/items", Some(&admin), &marriage);
    assert_eq!(item.status, 201, "{}", item.text);
    assert_eq!(
        item.json()["materials"],
        json!([{"name": "居民身份证", "form": "original", "copies": 1, "required": true, "deferrable": false},
               {"name": "户口簿", "form": "copy", "copies": 2, "required": true, "deferrable": false}])
    );

    let mut too_slow = marriage.clone();
    too_slow["code"] = json!("MZ-002");
    too_slow["promised_days"] = json!(25);
    let invalid = app
        .post("/api/v1/items", Some(&admin), &too_slow)
        .problem(422);
    assert_eq!(invalid["errors"][0]["field"], "promised_days");
    let mut orphan = marriage.clone();
    orphan["code"] = json!("MZ-003");
    orphan["department_id"] = json!(uuid::Uuid::now_v7());
    assert_eq!(
        app.post("/api/v1/items", Some(&admin), &orphan)
            .problem(422)["errors"][0]["field"],
        "department_id"
    );

    let window = app.post(
        "/api/v1/windows",
        Some(&admin),
        &json!({"center_id": district["id"], "number": 3, "name": "民政窗口", "kind": "permanent", "item_ids": [item.json()["id"]]}),
    );
    assert_eq!(window.status, 201, "{}", window.text);
    assert_eq!(window.json()["item_ids"], json!([item.json()["id"]]));
    let same_number = app.post(
        "/api/v1/windows",
        Some(&admin),
        &json!({"center_id": district["id"], "number": 3, "name": "另一个窗口", "kind": "proxy", "item_ids": []}),
    );
    same_number.problem(409);
    let unknown_item = app.post(
        "/api/v1/windows",
        Some(&admin),
        &json!({"center_id": district["id"], "number": 4, "name": "代办窗口", "kind": "proxy", "item_ids": [uuid::Uuid::now_v7()]}),
    );
    assert_eq!(unknown_item.problem(422)["errors"][0]["field"], "item_ids");
}

fn errors_are_problem_documents_whatever_goes_wrong(backend: Backend) {
    let app = TestApp::start(backend);
    let admin = app.admin_token();
    let malformed = app.send(
        "POST",
        "/api/v1/departments",
        Some(&admin),
        "application/json",
        "{\"code\": ",
    );
    assert!(
        malformed.problem(400)["detail"]
            .as_str()
            .expect("detail")
            .contains("JSON")
    );
    let wrong_type = app.post(
        "/api/v1/departments",
        Some(&admin),
        &json!({"code": 5, "name": "民政局"}),
    );
    wrong_type.problem(422);
    let unknown_field = app.post(
        "/api/v1/departments",
        Some(&admin),
        &json!({"code": "MZ", "name": "民政局", "colour": "red"}),
    );
    unknown_field.problem(422);
    app.send(
        "POST",
        "/api/v1/departments",
        Some(&admin),
        "text/plain",
        "code=MZ",
    )
    .problem(415);
    let huge = format!(
        "{{\"code\": \"MZ\", \"name\": \"{}\"}}",
        "x".repeat(300 * 1024)
    );
    app.send(
        "POST",
        "/api/v1/departments",
        Some(&admin),
        "application/json",
        &huge,
    )
    .problem(413);
    app.get("/api/v1/no-such-thing", Some(&admin)).problem(404);
    app.get("/no-such-thing", None).problem(404);
    app.get("/api/v1/centers/not-an-id", Some(&admin))
        .problem(404);
    app.get(
        "/api/v1/calendar/deadline?accepted=yesterday&days=5",
        Some(&admin),
    )
    .problem(400);
    app.get("/api/v1/centers?limit=0", Some(&admin))
        .problem(422);
    // A NUL character, which PostgreSQL cannot store, is refused the same way on both.
    let nul_name = app.post(
        "/api/v1/departments",
        Some(&admin),
        &json!({"code": "MZ", "name": "民政\u{0}局"}),
    );
    assert_eq!(
        nul_name.problem(422)["errors"][0]["field"],
        "name",
        "{}",
        nul_name.text
    );
    let nul_code = app.get("/api/v1/public/items/MZ%00", None);
    assert!([400, 404].contains(&nul_code.status), "{}", nul_code.text);
    nul_code.problem(nul_code.status);
    let login = app.post(
        "/api/v1/auth/login",
        None,
        &json!({"username": "ad\u{0}min", "password": "whatever it is"}),
    );
    assert!([400, 401].contains(&login.status), "{}", login.text);
    login.problem(login.status);
    let search = app.get("/api/v1/public/items?q=%00", None);
    assert!([200, 400].contains(&search.status), "{}", search.text);
}

fn the_calendar_answers_the_notices_examples_over_http(backend: Backend) {
    let app = TestApp::start(backend);
    let token = app.user_token("zhao.lei", Role::Analyst, None);
    for (accepted, days, deadline) in [
        ("2012-09-28", 5, "2012-10-11"),
        ("2012-01-19", 3, "2012-01-29"),
        ("2012-09-03", 20, "2012-09-29"),
    ] {
        let answer = app.get(
            &format!("/api/v1/calendar/deadline?accepted={accepted}&days={days}"),
            Some(&token),
        );
        assert_eq!(answer.status, 200, "{}", answer.text);
        let answer = answer.json();
        assert_eq!(
            (&answer["accepted"], &answer["days"], &answer["deadline"]),
            (&json!(accepted), &json!(days), &json!(deadline))
        );
        assert_eq!(answer["provisional"], false);
        assert_eq!(answer["region"], Value::Null);
    }
    let span = app.get(
        "/api/v1/calendar/working-days?from=2012-09-28&to=2012-10-11",
        Some(&token),
    );
    assert_eq!(span.json()["working_days"], 5);
    for (year, count) in [(2012, 249), (2024, 251), (2025, 248), (2026, 248)] {
        let answer = app.get(&format!("/api/v1/calendar/{year}"), Some(&token));
        assert_eq!(answer.status, 200);
        assert_eq!(answer.json()["working_days_count"], count, "{year}");
    }
    let y2012 = app.get("/api/v1/calendar/2012", Some(&token)).json();
    assert!(
        y2012["working_days"]
            .as_array()
            .expect("list")
            .contains(&json!("2012-09-29"))
    );
    assert_eq!(y2012["status"], "official");
    // Before the first notice: refused, never guessed.
    app.get("/api/v1/calendar/2011", Some(&token)).problem(404);
    let uncovered = app.get(
        "/api/v1/calendar/deadline?accepted=2011-12-28&days=5",
        Some(&token),
    );
    assert!(
        uncovered.problem(422)["detail"]
            .as_str()
            .expect("detail")
            .contains("2011")
    );
    app.get(
        "/api/v1/calendar/deadline?accepted=2012-09-28&days=5000",
        Some(&token),
    )
    .problem(422);
}

fn the_service_is_ready_when_its_database_answers(backend: Backend) {
    let app = TestApp::start(backend);
    // Every answer names its request, the caller's id when it gave a sane one.
    let generated = app.get("/healthz", None);
    assert!(
        generated
            .header("x-request-id")
            .is_some_and(|id| id.len() == 36),
        "{:?}",
        generated.headers
    );
    let echoed = app.get_with_header("/healthz", ("X-Request-Id", "kiosk-7.req_42"));
    assert_eq!(echoed.header("x-request-id"), Some("kiosk-7.req_42"));
    let replaced = app.get_with_header("/healthz", ("X-Request-Id", "no spaces allowed"));
    assert_ne!(replaced.header("x-request-id"), Some("no spaces allowed"));
    let logs = crate::support::logs::captured();
    assert!(
        logs.contains("request_id=kiosk-7.req_42"),
        "{}",
        logs.lines()
            .filter(|l| l.contains("healthz"))
            .take(3)
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert_eq!(app.get("/healthz", None).json(), json!({"status": "ok"}));
    assert_eq!(app.get("/readyz", None).json(), json!({"status": "ready"}));
}

fn metrics_count_requests_cases_and_pool_use(backend: Backend) {
    let app = TestApp::start(backend);
    for _ in 0..3 {
        app.get("/healthz", None);
    }
    app.get("/api/v1/nowhere", None);
    let metrics = app.get("/metrics", None);
    assert_eq!(metrics.status, 200);
    assert!(
        metrics.content_type.starts_with("text/plain"),
        "{}",
        metrics.content_type
    );
    let text = metrics.text;
    assert!(
        text.contains(r#"hall_http_requests_total{method="GET",route="/healthz",status="200"} 3"#),
        "{text}"
    );
    assert!(
        text.contains(r#"route="(no route)",status="404""#),
        "{text}"
    );
    assert!(text.contains("hall_http_request_duration_seconds_bucket{method=\"GET\",route=\"/healthz\",le=\"0.005\"}"), "{text}");
    assert!(text.contains("hall_db_pool_max_connections 4"), "{text}");
    assert!(text.contains("hall_cases_received_total 0"), "{text}");
}

fn kiosk_and_statistics_reads_go_to_the_read_replica(backend: Backend) {
    // A replica that cannot be reached: its reads go to the primary, and the metric says so.
    // (tests/hall/replica.rs runs a real streaming replica.)
    let app = TestApp::start_with_read_replica(
        backend,
        Some("postgres://postgres@127.0.0.1:1/replica?connect_timeout=1"),
    );
    let admin = app.admin_token();
    let metrics = || app.get("/metrics", None).text;
    assert!(metrics().contains("hall_read_replica_fallback 0"));
    assert_eq!(app.get("/api/v1/departments", Some(&admin)).status, 200);
    assert_eq!(app.get("/api/v1/stats/summary", Some(&admin)).status, 200);
    assert_eq!(app.get("/api/v1/public/items", None).status, 200);
    assert_eq!(app.get("/api/v1/public/board", None).status, 200);
    assert!(metrics().contains("hall_read_replica_fallback 1"));
}

#[test]
fn without_its_database_the_service_is_alive_but_not_ready() {
    let app = TestApp::start_without_database();
    assert_eq!(app.get("/healthz", None).status, 200);
    let started = std::time::Instant::now();
    let answer = app.get("/readyz", None);
    answer.problem(503);
    assert!(
        !answer.text.contains("127.0.0.1:1"),
        "no connection details leak: {}",
        answer.text
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    app.post(
        "/api/v1/auth/login",
        None,
        &json!({"username": "admin", "password": "whatever it is"}),
    )
    .problem(503);
}

on_both_backends!(
    an_admin_signs_in_and_strangers_are_turned_away,
    a_clerk_reads_the_catalogue_but_may_not_change_it,
    an_admin_creates_a_department_reads_it_and_cannot_create_its_twin,
    an_admin_builds_a_hall_with_items_and_windows,
    errors_are_problem_documents_whatever_goes_wrong,
    the_calendar_answers_the_notices_examples_over_http,
    the_service_is_ready_when_its_database_answers,
    metrics_count_requests_cases_and_pool_use,
    kiosk_and_statistics_reads_go_to_the_read_replica,
);
