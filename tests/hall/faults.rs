//! Stories of things going wrong in production: PostgreSQL goes away and comes back, and a
//! `hall` process is killed in the middle of its work. Both run the real `hall` binary.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use serde_json::{Value, json};

use crate::cases::{applicant, id, legacy_case};
use crate::support::{
    ADMIN_PASSWORD, Backend, Client, HallProcess, PrivateCluster, TestDb, hall_over_http,
};

/// The statuses of 40 reads from 8 clients at once: enough to use every pooled connection.
fn busy_reads(base: &str, token: &str) -> Vec<u16> {
    std::thread::scope(|scope| {
        let clients: Vec<_> = (0..8)
            .map(|_| {
                scope.spawn(|| {
                    let client = Client::new(base);
                    (0..5)
                        .map(|_| client.get("/api/v1/departments", Some(token)).status)
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        clients
            .into_iter()
            .flat_map(|c| c.join().expect("client"))
            .collect()
    })
}

#[test]
fn when_postgresql_stops_requests_fail_fast_and_the_service_recovers_when_it_returns() {
    let cluster = PrivateCluster::start();
    let hall = HallProcess::start(&cluster.url(), &[("HALL_DB_TIMEOUT_SECONDS", "2")]);
    let admin = hall.login("admin", ADMIN_PASSWORD);
    let department = json!({"code": "MZ", "name": "民政局"});
    assert_eq!(
        hall.post("/api/v1/departments", Some(&admin), &department)
            .status,
        201
    );

    // Fill the pool with connections, which the stop will kill.
    assert!(busy_reads(&hall.base, &admin).iter().all(|s| *s == 200));
    let metrics = hall.get("/metrics", None).text;
    let pooled: u32 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("hall_db_pool_connections "))
        .and_then(|n| n.trim().parse().ok())
        .expect("pool metric");
    assert!(pooled >= 2, "{pooled} pooled connection(s)");
    cluster.stop();
    // Within the pool timeout (2 s) and some slack, never a hang.
    let bound = Duration::from_secs(6);
    for (method, path, body) in [
        ("GET", "/readyz", String::new()),
        ("GET", "/api/v1/departments", String::new()),
        ("GET", "/api/v1/public/items", String::new()),
        (
            "POST",
            "/api/v1/departments",
            json!({"code": "GA", "name": "公安局"}).to_string(),
        ),
    ] {
        let started = Instant::now();
        let answer = hall
            .try_send(
                method,
                path,
                Some(&admin),
                &[("Content-Type", "application/json")],
                &body,
            )
            .unwrap_or_else(|| panic!("{method} {path}: no answer"));
        assert!(
            started.elapsed() < bound,
            "{method} {path} took {:?}",
            started.elapsed()
        );
        let problem = answer.problem(503);
        assert!(
            !answer.text.contains(&cluster.url()),
            "no connection details leak: {problem}"
        );
    }
    assert_eq!(
        hall.get("/healthz", None).status,
        200,
        "alive, only not ready"
    );

    cluster.resume();
    let started = Instant::now();
    while hall.get("/readyz", None).status != 200 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "not ready again 30 s after the database came back"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // Every pooled connection of before is dead; none may be handed out again.
    assert!(
        busy_reads(&hall.base, &admin).iter().all(|s| *s == 200),
        "{:?}",
        busy_reads(&hall.base, &admin)
    );
    let departments = hall.get("/api/v1/departments", Some(&admin));
    assert_eq!(departments.status, 200, "{}", departments.text);
    assert_eq!(departments.json()["items"][0]["code"], "MZ");
    let second = hall.post(
        "/api/v1/departments",
        Some(&admin),
        &json!({"code": "GA", "name": "公安局"}),
    );
    assert_eq!(second.status, 201, "{}", second.text);
}

/// What a clerk's client knows after the burst: the cases it was told about, and the
/// requests that got no answer.
#[derive(Debug, Default)]
struct Outcome {
    acknowledged: BTreeMap<String, String>,
    unanswered: Vec<(String, Value)>,
}

#[derive(QueryableByName, Debug)]
struct StoredCase {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    case_no: String,
    #[diesel(sql_type = BigInt)]
    accepts: i64,
    #[diesel(sql_type = BigInt)]
    events: i64,
}

fn stored_cases(db: &TestDb) -> Vec<StoredCase> {
    diesel::sql_query(
        "SELECT c.id, c.case_no, \
           (SELECT COUNT(*) FROM case_events e WHERE e.case_id = c.id AND e.action = 'accept') AS accepts, \
           (SELECT COUNT(*) FROM case_events e WHERE e.case_id = c.id) AS events \
         FROM cases c ORDER BY c.case_no",
    )
    .load(&mut db.connect())
    .expect("read the cases")
}

#[test]
fn a_hall_killed_in_a_burst_of_acceptances_leaves_every_case_whole_and_every_number_once() {
    let db = TestDb::new(Backend::Postgres);
    let mut hall = HallProcess::start(&db.url, &[]);
    let built = hall_over_http(&hall, 1, 1);
    let (clerk, item) = (built.clerks[0].clone(), built.item);

    let acknowledged = Arc::new(AtomicUsize::new(0));
    let killed = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..6)
        .map(|_| {
            let base = hall.base.clone();
            let (clerk, item) = (clerk.clone(), item.clone());
            let (acknowledged, killed) = (acknowledged.clone(), killed.clone());
            std::thread::spawn(move || {
                let client = Client::new(&base);
                let mut outcome = Outcome::default();
                while !killed.load(Ordering::SeqCst) {
                    let key = uuid::Uuid::now_v7().to_string();
                    let body = json!({"item_id": item, "applicant": applicant()});
                    let headers = [
                        ("Content-Type", "application/json"),
                        ("Idempotency-Key", key.as_str()),
                    ];
                    match client.try_send(
                        "POST",
                        "/api/v1/cases",
                        Some(&clerk),
                        &headers,
                        &body.to_string(),
                    ) {
                        Some(answer) if answer.status == 201 => {
                            let receipt = answer.json();
                            outcome.acknowledged.insert(
                                id(&receipt),
                                receipt["case_no"].as_str().expect("case_no").to_owned(),
                            );
                            acknowledged.fetch_add(1, Ordering::SeqCst);
                        }
                        Some(answer) => {
                            panic!("unexpected answer: {} {}", answer.status, answer.text)
                        }
                        None => {
                            outcome.unanswered.push((key, body));
                            break;
                        }
                    }
                }
                outcome
            })
        })
        .collect();
    let started = Instant::now();
    while acknowledged.load(Ordering::SeqCst) < 60 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the burst stalled"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    hall.kill();
    killed.store(true, Ordering::SeqCst);
    let outcomes: Vec<Outcome> = clients
        .into_iter()
        .map(|c| c.join().expect("client"))
        .collect();

    // Every case on disk is whole: its acceptance event is there, and nothing else.
    let after_kill = stored_cases(&db);
    for case in &after_kill {
        assert_eq!((case.accepts, case.events), (1, 1), "{case:?}");
    }
    let on_disk: BTreeMap<&str, &str> = after_kill
        .iter()
        .map(|c| (c.id.as_str(), c.case_no.as_str()))
        .collect();
    for outcome in &outcomes {
        for (case_id, case_no) in &outcome.acknowledged {
            assert_eq!(
                on_disk.get(case_id.as_str()),
                Some(&case_no.as_str()),
                "an acknowledged case is lost"
            );
        }
    }

    // The clerks retry what got no answer; each becomes exactly one case.
    let hall = HallProcess::start(&db.url, &[]);
    let mut retried = BTreeSet::new();
    for (key, body) in outcomes.iter().flat_map(|o| &o.unanswered) {
        let answer = hall.send_with_header(
            "POST",
            "/api/v1/cases",
            Some(&clerk),
            ("Idempotency-Key", key),
            &body.to_string(),
        );
        assert!(
            [200, 201].contains(&answer.status),
            "{}: {}",
            answer.status,
            answer.text
        );
        retried.insert(id(&answer.json()));
    }
    let cases = stored_cases(&db);
    let numbers: BTreeSet<&str> = cases.iter().map(|c| c.case_no.as_str()).collect();
    assert_eq!(numbers.len(), cases.len(), "a case number given twice");
    let acknowledged: usize = outcomes.iter().map(|o| o.acknowledged.len()).sum();
    let lost_answers = retried
        .iter()
        .filter(|case_id| on_disk.contains_key(case_id.as_str()))
        .count();
    assert_eq!(
        cases.len(),
        acknowledged + retried.len(),
        "{lost_answers} retries found the case the lost answer had made"
    );
    // Numbers are drawn in the acceptance's transaction: a killed one leaves no hole.
    let sequence: Vec<u32> = cases
        .iter()
        .map(|c| {
            c.case_no
                .rsplit('-')
                .next()
                .and_then(|n| n.parse().ok())
                .expect("numbered")
        })
        .collect();
    let days: BTreeSet<&str> = cases
        .iter()
        .filter_map(|c| c.case_no.split('-').nth(1))
        .collect();
    if days.len() == 1 {
        assert_eq!(sequence, (1..=cases.len() as u32).collect::<Vec<_>>());
    }
}

#[test]
fn sigterm_lets_a_running_import_finish_then_the_hall_exits() {
    let db = TestDb::new(Backend::Postgres);
    let mut hall = HallProcess::start(&db.url, &[]);
    hall_over_http(&hall, 1, 1);
    let admin = hall.login("admin", ADMIN_PASSWORD);
    let line = legacy_case(json!([{"action": "start", "at": "2012-09-28T10:00:00+08:00"}]));
    let body: String = (0..300).map(|_| format!("{line}\n")).collect();
    let base = hall.base.clone();
    let import = std::thread::spawn(move || {
        let started = Instant::now();
        let answer = Client::new(&base).send(
            "POST",
            "/api/v1/imports/cases",
            Some(&admin),
            "application/x-ndjson",
            &body,
        );
        (answer, started.elapsed())
    });
    let asked = Duration::from_millis(300);
    std::thread::sleep(asked);
    let exit = hall.terminate();
    let (answer, took) = import.join().expect("import");
    assert!(
        took > asked,
        "the import was over before SIGTERM ({took:?}); make it longer"
    );
    assert_eq!(answer.status, 201, "{}", answer.text);
    assert_eq!(answer.json()["imported"], 300, "{}", answer.text);
    assert!(exit.success(), "{exit}: {}", hall.log());
    assert!(
        hall.try_send("GET", "/healthz", None, &[], "").is_none(),
        "gone"
    );
    assert_eq!(stored_cases(&db).len(), 300);
}

#[test]
fn an_operator_asks_for_json_logs_and_every_line_is_one_json_object() {
    let db = TestDb::new(Backend::Sqlite);
    let mut hall = HallProcess::start(
        &db.url,
        &[("HALL_LOG_FORMAT", "json"), ("RUST_LOG", "info")],
    );
    assert_eq!(hall.get("/healthz", None).status, 200);
    hall.terminate();
    let log = hall.log();
    let lines: Vec<&str> = log.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(!lines.is_empty(), "the hall logged nothing");
    for line in lines {
        let parsed: Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
        assert!(parsed.get("level").is_some(), "{line}");
    }
}
