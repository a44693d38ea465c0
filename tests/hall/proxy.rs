//! Stories of the front door of the documented deployment: real nginx, configured by
//! `deploy/nginx.conf`, in front of a `hall` process (on SQLite: the stories are about the
//! proxy). actix answers some broken requests itself with empty bodies; behind nginx they
//! never reach it, and nginx answers them as problems, while hall's own answers pass unchanged.

use serde_json::{Value, json};

use crate::edge::{Raw, address, send_at_once};
use crate::support::{Backend, HallProcess, Nginx, TestDb};

/// A hall configured as behind the compose file's nginx, and nginx in front of it.
fn front_door(db: &TestDb) -> (HallProcess, Nginx) {
    let hall = HallProcess::start(
        &db.url,
        &[
            ("HALL_TRUSTED_PROXIES", "127.0.0.1"),
            ("HALL_KEEP_ALIVE_SECONDS", "75"),
        ],
    );
    let nginx = Nginx::in_front_of(&address(&hall.base));
    (hall, nginx)
}

/// Asserts a raw answer is an RFC 9457 problem with this status, and returns it.
fn problem(raw: &Raw, status: u16) -> Value {
    assert_eq!(raw.status(), status.to_string(), "{}", raw.text);
    assert_eq!(
        raw.header("content-type"),
        Some("application/problem+json"),
        "{}",
        raw.text
    );
    let problem = raw.body();
    assert_eq!(problem["status"], status, "{problem}");
    assert!(
        problem["type"]
            .as_str()
            .is_some_and(|t| t.starts_with("urn:service-hall:problem:")),
        "{problem}"
    );
    assert!(
        problem["title"].is_string() && problem["detail"].is_string(),
        "{problem}"
    );
    problem
}

#[test]
fn a_stranger_throws_broken_requests_at_the_front_door_and_every_answer_is_a_problem() {
    let db = TestDb::new(Backend::Sqlite);
    let (mut hall, nginx) = front_door(&db);
    let door = nginx.address.clone();

    // A head with a header of 1 MB: actix would say 431 with no body; nginx refuses it first.
    let huge = format!(
        "GET /api/v1/public/items HTTP/1.1\r\nHost: hall\r\nX-Huge: {}\r\n\r\n",
        "a".repeat(1024 * 1024)
    );
    let huge = send_at_once(&door, huge.as_bytes());
    assert!(huge.closed);
    let refused = problem(&huge, 400);
    assert_eq!(refused["type"], "urn:service-hall:problem:malformed");
    assert_eq!(refused["detail"], "a request header is too large");

    // Smuggling: a length beside chunking, and a second request hidden in the body.
    let smuggled = send_at_once(
        &door,
        b"POST /api/v1/auth/login HTTP/1.1\r\nHost: hall\r\nContent-Length: 4\r\n\
          Transfer-Encoding: chunked\r\n\r\nzz\r\n\r\nGET /metrics HTTP/1.1\r\nHost: hall\r\n\r\n",
    );
    assert!(smuggled.closed);
    problem(&smuggled, 400);
    assert_eq!(
        smuggled.text.matches("HTTP/1.1 ").count(),
        1,
        "{}",
        smuggled.text
    );
    // Chunking alone, with a chunk size that is no number.
    let bad_chunk = send_at_once(
        &door,
        b"POST /api/v1/auth/login HTTP/1.1\r\nHost: hall\r\nTransfer-Encoding: chunked\r\n\r\n\
          zz\r\n{}\r\n0\r\n\r\n",
    );
    problem(&bad_chunk, 400);

    // A request line of 20,000 characters, a body over the import limit, a head that is no
    // HTTP at all.
    let long = format!(
        "GET /api/v1/{} HTTP/1.1\r\nHost: hall\r\n\r\n",
        "a".repeat(20_000)
    );
    problem(&send_at_once(&door, long.as_bytes()), 414);
    let announced = send_at_once(
        &door,
        b"POST /api/v1/imports/cases HTTP/1.1\r\nHost: hall\r\nContent-Length: 70000000\r\n\r\n",
    );
    assert_eq!(
        problem(&announced, 413)["type"],
        "urn:service-hall:problem:too-large"
    );
    problem(&send_at_once(&door, b"NONSENSE\r\n\r\n"), 400);

    // Metrics are not for the public, and nginx's own error pages are not pages.
    nginx.get("/metrics", None).problem(403);
    nginx.get("/_problem/400", None).problem(404);

    // hall's own problems pass through as hall wrote them.
    let direct = hall.get("/api/v1/no-such-thing", None);
    let through = nginx.get("/api/v1/no-such-thing", None);
    assert_eq!(through.problem(404), direct.problem(404));
    assert_eq!(through.text, direct.text);
    let login = json!({"username": "admin", "password": "a wrong guess"});
    let refused = nginx.post("/api/v1/auth/login", None, &login);
    assert_eq!(refused.header("www-authenticate"), Some("Bearer"));
    assert_eq!(
        refused.problem(401)["type"],
        "urn:service-hall:problem:unauthenticated"
    );
    // And so do its ordinary answers.
    let items = nginx.get("/api/v1/public/items", None);
    assert_eq!(items.status, 200, "{}", items.text);
    assert!(items.json()["items"].is_array(), "{}", items.text);

    // With no hall answering, nginx's 502 is a problem too, whatever the path looks like.
    hall.kill();
    for path in ["/api/v1/public/items", "/docs/swagger-ui.css"] {
        let gone = nginx.get(path, None);
        let problem = gone.problem(502);
        assert_eq!(problem["type"], "urn:service-hall:problem:bad-gateway");
        assert_eq!(gone.header("retry-after"), Some("5"));
        assert_eq!(gone.header("cache-control"), Some("no-store"));
    }
}

#[test]
fn a_client_naming_itself_in_x_forwarded_for_is_still_counted_by_its_own_address() {
    let db = TestDb::new(Backend::Sqlite);
    let (_hall, nginx) = front_door(&db);
    // Eleven sign-ins, each for another username and each claiming another address: hall
    // allows ten a minute per address (HALL_LOGIN_RATE). nginx replaces the claim with the
    // address it saw, so all eleven count against one address, and the eleventh is refused.
    let answers: Vec<_> = (1..=11)
        .map(|n| {
            nginx.send_with_header(
                "POST",
                "/api/v1/auth/login",
                None,
                ("X-Forwarded-For", &format!("203.0.113.{n}")),
                &json!({"username": format!("stranger{n}"), "password": "a guess"}).to_string(),
            )
        })
        .collect();
    for answer in &answers[..10] {
        answer.problem(401);
    }
    answers[10].problem(429);
    assert!(answers[10].header("retry-after").is_some());
}
