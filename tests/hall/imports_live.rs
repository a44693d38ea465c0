//! Stories of issue 11 where writes meet: a clerk's old `Idempotency-Key` after the case
//! left their reach, keys that expire, a long import while the windows keep accepting
//! cases, and SQLite's write lock held by someone else — on both databases where a database
//! is involved, against the `hall` binary where the fault lived in the server.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::{FixedOffset, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};
use domain::repository::RepositoryError;
use serde_json::{Value, json};
use sha2::Digest;

use crate::cases::{hall, id};
use crate::on_both_backends;
use crate::support::{
    ADMIN_PASSWORD, Answer, Backend, Client, DATA_KEY, HallProcess, ID_NUMBER, PHONE, TestDb,
    applicant, hall_over_http,
};

on_both_backends!(
    a_clerks_old_key_does_not_bring_back_a_case_transferred_away,
    a_clerks_old_key_does_not_bring_back_a_case_after_they_moved_window,
    an_expired_key_is_a_new_intake_and_expired_keys_are_forgotten,
    the_windows_keep_accepting_cases_during_a_long_import,
    hall_import_writes_a_file_the_same_way_while_the_hall_serves,
);

/// Asserts a 403 problem that carries nothing of the case.
fn refused_without_personal_data(answer: &Answer, receipt: &Value) {
    answer.problem(403);
    for secret in [
        ID_NUMBER,
        PHONE,
        receipt["query_code"].as_str().expect("code"),
        receipt["case_no"].as_str().expect("number"),
    ] {
        assert!(
            !answer.text.contains(secret),
            "{secret} leaked: {}",
            answer.text
        );
    }
}

fn intake_with_key(client: &Client, token: &str, key: &str, body: &Value) -> Answer {
    client.send_with_header(
        "POST",
        "/api/v1/cases",
        Some(token),
        ("Idempotency-Key", key),
        &body.to_string(),
    )
}

fn a_clerks_old_key_does_not_bring_back_a_case_transferred_away(backend: Backend) {
    let hall = hall(backend);
    let body = json!({"item_id": hall.committed, "applicant": applicant()});
    let receipt = intake_with_key(&hall.app, &hall.clerk1, "morning-1", &body);
    assert_eq!(receipt.status, 201, "{}", receipt.text);
    let receipt = receipt.json();
    // A retry while the case is still theirs gets the receipt again, and the access log
    // records that it showed the applicant's data once more.
    assert_eq!(
        intake_with_key(&hall.app, &hall.clerk1, "morning-1", &body).status,
        200
    );
    let log = hall.app.get(
        &format!("/api/v1/access-log?case={}", id(&receipt)),
        Some(&hall.admin),
    );
    assert_eq!(log.status, 200, "{}", log.text);
    assert!(
        log.json()["items"]
            .as_array()
            .expect("entries")
            .iter()
            .any(|entry| entry["purpose"] == "create_case.replay"),
        "{}",
        log.text
    );
    // What the key remembers of the request is keyed: a bare hash of the body, which holds
    // the ID number, would let whoever reads the table confirm a guess.
    let stored = stored_fingerprint(&hall, "morning-1");
    let bare = format!("{:x}", sha2::Sha256::digest(body.to_string().as_bytes()));
    assert_ne!(stored, bare);
    assert_eq!(stored.len(), 64);

    // The supervisor transfers the case to window 2.
    let transferred = hall.act(
        &hall.supervisor,
        &receipt,
        json!({"action": "transfer", "window_id": hall.window2, "version": 1}),
    );
    assert_eq!(transferred.status, 200, "{}", transferred.text);
    let path = format!("/api/v1/cases/{}", id(&receipt));
    hall.app.get(&path, Some(&hall.clerk1)).problem(403);

    // Window 1's clerk replays the old key: refused, as reading the case is.
    let replay = intake_with_key(&hall.app, &hall.clerk1, "morning-1", &body);
    refused_without_personal_data(&replay, &receipt);
    // Nothing was created either.
    let listed = hall.app.get("/api/v1/cases", Some(&hall.supervisor)).json();
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(1));
}

fn a_clerks_old_key_does_not_bring_back_a_case_after_they_moved_window(backend: Backend) {
    let hall = hall(backend);
    let body = json!({"item_id": hall.immediate, "applicant": applicant()});
    let receipt = intake_with_key(&hall.app, &hall.clerk2, "k-7", &body);
    assert_eq!(receipt.status, 201, "{}", receipt.text);
    let receipt = receipt.json();

    // The administrator moves the clerk from window 2 to window 1; they sign in again.
    let me = hall.app.get("/api/v1/auth/me", Some(&hall.clerk2)).json();
    let moved = hall.app.put(
        &format!("/api/v1/users/{}", id(&me)),
        Some(&hall.admin),
        &json!({"display_name": "clerk two", "role": "clerk", "window_id": hall.window1}),
    );
    assert_eq!(moved.status, 200, "{}", moved.text);
    let clerk = hall.app.login("clerk.two", "clerk.two password");
    hall.app
        .get(&format!("/api/v1/cases/{}", id(&receipt)), Some(&clerk))
        .problem(403);

    let replay = intake_with_key(&hall.app, &clerk, "k-7", &body);
    refused_without_personal_data(&replay, &receipt);
}

/// Moves every remembered key of `key` back by `hours`, as if it had been used that long ago.
fn age_key(hall: &crate::cases::Hall, key: &str, hours: i64) {
    let at = (Utc::now() - chrono::TimeDelta::hours(hours)).naive_utc();
    hall.app
        .state
        .store
        .transaction(|conn| {
            diesel::sql_query("UPDATE idempotency_keys SET created_at = $1 WHERE key = $2")
                .bind::<Timestamp, _>(at)
                .bind::<Text, _>(key)
                .execute(conn)
                .map_err(|e| RepositoryError::Internal(e.to_string()))
        })
        .expect("age the key");
}

fn stored_fingerprint(hall: &crate::cases::Hall, key: &str) -> String {
    #[derive(QueryableByName)]
    struct Fingerprint {
        #[diesel(sql_type = Text)]
        request_hash: String,
    }
    hall.app
        .state
        .store
        .read(|conn| {
            diesel::sql_query("SELECT request_hash FROM idempotency_keys WHERE key = $1")
                .bind::<Text, _>(key)
                .get_result::<Fingerprint>(conn)
                .map_err(|e| RepositoryError::Internal(e.to_string()))
        })
        .expect("the remembered request")
        .request_hash
}

fn remembered(hall: &crate::cases::Hall, key: &str) -> i64 {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    hall.app
        .state
        .store
        .read(|conn| {
            diesel::sql_query("SELECT COUNT(*) AS n FROM idempotency_keys WHERE key = $1")
                .bind::<Text, _>(key)
                .get_result::<Count>(conn)
                .map_err(|e| RepositoryError::Internal(e.to_string()))
        })
        .expect("count")
        .n
}

fn an_expired_key_is_a_new_intake_and_expired_keys_are_forgotten(backend: Backend) {
    let hall = hall(backend);
    let body = json!({"item_id": hall.committed, "applicant": applicant()});
    let first = intake_with_key(&hall.app, &hall.clerk1, "monday", &body);
    assert_eq!(first.status, 201, "{}", first.text);

    // 23 hours later the key still holds (HALL_IDEMPOTENCY_TTL_SECONDS, 24 h by default).
    age_key(&hall, "monday", 23);
    let retry = intake_with_key(&hall.app, &hall.clerk1, "monday", &body);
    assert_eq!(retry.status, 200, "{}", retry.text);
    assert_eq!(retry.json()["id"], first.json()["id"]);

    // 25 hours later it has expired: the same key and body are a new application.
    age_key(&hall, "monday", 25);
    let again = intake_with_key(&hall.app, &hall.clerk1, "monday", &body);
    assert_eq!(again.status, 201, "{}", again.text);
    assert_ne!(again.json()["id"], first.json()["id"]);
    // …which the key now names.
    let retry = intake_with_key(&hall.app, &hall.clerk1, "monday", &body);
    assert_eq!(retry.status, 200, "{}", retry.text);
    assert_eq!(retry.json()["id"], again.json()["id"]);

    // Another clerk's expired key is forgotten by the next keyed intake, whoever makes it.
    let other = intake_with_key(&hall.app, &hall.clerk2, "tuesday", &body);
    assert_eq!(other.status, 201, "{}", other.text);
    age_key(&hall, "tuesday", 48);
    assert_eq!(remembered(&hall, "tuesday"), 1);
    let next = intake_with_key(&hall.app, &hall.clerk1, "wednesday", &body);
    assert_eq!(next.status, 201, "{}", next.text);
    assert_eq!(remembered(&hall, "tuesday"), 0);
    assert_eq!(remembered(&hall, "monday"), 1);
}

/// Cases in the database, read behind the app's back.
fn stored_cases(db: &TestDb) -> i64 {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    diesel::sql_query("SELECT COUNT(*) AS n FROM cases")
        .get_result::<Count>(&mut db.connect())
        .expect("count")
        .n
}

/// `lines` legacy cases received a minute ago at the windows of centre 640105, each
/// started a second later: today's cases, which draw today's numbers as live intake does.
fn todays_legacy_cases(lines: usize, windows: usize) -> String {
    let offset = FixedOffset::east_opt(8 * 3600).expect("offset");
    let received = (Utc::now() - chrono::TimeDelta::seconds(60)).with_timezone(&offset);
    let started = received + chrono::TimeDelta::seconds(1);
    (0..lines)
        .map(|n| {
            let line = json!({"center_code": "640105", "window_number": n % windows + 1,
                "item_code": "MZ-001", "applicant": applicant(), "received_at": received.to_rfc3339(),
                "events": [{"action": "start", "at": started.to_rfc3339()}]});
            format!("{line}\n")
        })
        .collect()
}

fn today() -> String {
    let offset = FixedOffset::east_opt(8 * 3600).expect("offset");
    Utc::now().with_timezone(&offset).date_naive().to_string()
}

/// Clears the flag when dropped, even by a panic.
struct Over<'a>(&'a AtomicBool);

impl Drop for Over<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

/// Posts an import with no client timeout short of ten minutes: a long import on a debug
/// build takes longer than the test client's 30 s.
fn import_slowly(base: &str, token: &str, body: &str) -> Answer {
    Client::with_timeout(base, Duration::from_secs(600)).send(
        "POST",
        "/api/v1/imports/cases",
        Some(token),
        "application/x-ndjson",
        body,
    )
}

fn the_windows_keep_accepting_cases_during_a_long_import(backend: Backend) {
    let db = TestDb::new(backend);
    let hall = HallProcess::start(&db.url, &[]);
    let built = hall_over_http(&hall, 3, 1);
    let admin = hall.login("admin", ADMIN_PASSWORD);
    let lines = crate::support::setting("HALL_TEST_IMPORT_LINES", 1000);
    let body = todays_legacy_cases(lines, 3);

    // The administrator imports a legacy system's cases while three clerks keep accepting.
    let importing = AtomicBool::new(true);
    let intakes = Mutex::new(Vec::new());
    let (import, took) = std::thread::scope(|scope| {
        let import = scope.spawn(|| {
            // The clerks stop when the import is over, however it ends.
            let _over = Over(&importing);
            let started = Instant::now();
            let answer = import_slowly(&hall.base, &admin, &body);
            (answer, started.elapsed())
        });
        for (clerk, window) in built.clerks.iter().zip(&built.windows) {
            let (importing, intakes, base, item) = (&importing, &intakes, &hall.base, &built.item);
            scope.spawn(move || {
                let client = Client::new(base);
                let body = json!({"item_id": item, "window_id": window, "applicant": applicant()});
                while importing.load(Ordering::SeqCst) {
                    let started = Instant::now();
                    let answer = client.post("/api/v1/cases", Some(clerk), &body);
                    let took = started.elapsed();
                    let during = importing.load(Ordering::SeqCst);
                    intakes.lock().expect("intakes").push((
                        answer.status,
                        took,
                        during,
                        answer.text,
                    ));
                    // A clerk takes a moment between applicants; the import gets the rest.
                    std::thread::sleep(Duration::from_millis(300));
                }
            });
        }
        import.join().expect("import")
    });
    let intakes = intakes.into_inner().expect("intakes");
    assert_eq!(import.status, 201, "{}: {}", import.text, hall.log());
    assert_eq!(import.json()["imported"], lines, "every line imported");
    for (status, latency, _, text) in &intakes {
        assert_eq!(
            *status,
            201,
            "an intake during the import: {text}: {}",
            hall.log()
        );
        assert!(
            *latency < Duration::from_secs(2),
            "an intake waited {latency:?} during an import of {took:?}"
        );
    }
    let during = intakes.iter().filter(|(_, _, during, _)| *during).count();
    assert!(
        during >= 6,
        "only {during} intakes during an import of {took:?}: make it longer (HALL_TEST_IMPORT_LINES)"
    );
    let accepted = lines + intakes.len();
    assert_eq!(stored_cases(&db), accepted as i64);
    let figures = |hall: &HallProcess| {
        let day = today();
        hall.get(
            &format!("/api/v1/stats/summary?from={day}&to={day}"),
            Some(&built.analyst),
        )
        .json()
    };
    let summary = figures(&hall);
    assert_eq!(summary["received"], accepted, "{summary}");

    // An import whose last line names no window is refused and leaves nothing behind, not
    // even the batches written before that line was reached.
    let mut bad = todays_legacy_cases(400, 3);
    bad.push_str(
        &json!({"center_code": "640105", "window_number": 99, "item_code": "MZ-001",
                "applicant": applicant(), "received_at": "2012-09-28T09:00:00+08:00"})
        .to_string(),
    );
    let refused = import_slowly(&hall.base, &admin, &bad);
    let problem = refused.problem(422);
    assert_eq!(
        problem["errors"].as_array().map(Vec::len),
        Some(1),
        "{problem}"
    );
    assert!(
        problem["errors"][0]["field"]
            .as_str()
            .is_some_and(|f| f.starts_with("line 401")),
        "{problem}"
    );
    assert_eq!(stored_cases(&db), accepted as i64, "no imported case left");
    assert_eq!(figures(&hall), summary, "the statistics are as before");
}

#[test]
fn sqlite_write_contention_answers_503_with_retry_after() {
    let db = TestDb::new(Backend::Sqlite);
    let hall = HallProcess::start(&db.url, &[("HALL_SQLITE_BUSY_TIMEOUT_MS", "300")]);
    let built = hall_over_http(&hall, 1, 1);
    let body = json!({"item_id": built.item, "applicant": applicant()});

    // Someone else (a backup script, another process) holds SQLite's write lock.
    let mut holder = db.connect();
    holder
        .batch_execute("BEGIN IMMEDIATE")
        .expect("take the write lock");
    let busy = hall.post("/api/v1/cases", Some(&built.clerks[0]), &body);
    busy.problem(503);
    let retry_after: u64 = busy
        .header("Retry-After")
        .and_then(|v| v.parse().ok())
        .expect("a Retry-After in seconds");
    assert!(retry_after >= 1, "{retry_after}");
    assert!(
        !busy.text.contains("locked"),
        "no database message: {}",
        busy.text
    );

    // Once the lock is released, the retry is accepted.
    holder.batch_execute("COMMIT").expect("release");
    let accepted = hall.post("/api/v1/cases", Some(&built.clerks[0]), &body);
    assert_eq!(accepted.status, 201, "{}", accepted.text);
}

/// The token secret the serving process and the command share, as in production.
const CLI_SECRET: &str = "the secret hall serve and hall import share here";

/// `hall import FILE` as an operator runs it beside the serving process.
fn hall_import(db: &TestDb, lines: &str) -> std::process::Output {
    let file =
        std::env::temp_dir().join(format!("import-{}.ndjson", uuid::Uuid::now_v7().simple()));
    std::fs::write(&file, lines).expect("write the file");
    // The `hall` the process runner starts: HALL_BIN, else the one beside the test binary.
    let binary = std::env::var_os("HALL_BIN").map_or_else(
        || {
            let exe = std::env::current_exe().expect("the test binary's path");
            exe.parent()
                .and_then(|deps| deps.parent())
                .expect("target/<profile>/deps")
                .join("hall")
        },
        std::path::PathBuf::from,
    );
    let output = std::process::Command::new(binary)
        .arg("import")
        .arg(&file)
        .env_clear()
        .env("HALL_DATABASE_URL", &db.url)
        .env("HALL_JWT_SECRET", CLI_SECRET)
        .env("HALL_DATA_KEY", DATA_KEY)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run hall import");
    let _ = std::fs::remove_file(&file);
    output
}

fn hall_import_writes_a_file_the_same_way_while_the_hall_serves(backend: Backend) {
    let db = TestDb::new(backend);
    let hall = HallProcess::start(&db.url, &[("HALL_JWT_SECRET", CLI_SECRET)]);
    let built = hall_over_http(&hall, 3, 1);

    let imported = hall_import(&db, &todays_legacy_cases(450, 3));
    let stdout = String::from_utf8_lossy(&imported.stdout);
    assert!(
        imported.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&imported.stderr)
    );
    let report: Value = serde_json::from_str(&stdout).expect("a JSON report");
    assert_eq!(report["imported"], 450);
    assert_eq!(stored_cases(&db), 450);

    // A file whose last line is bad is refused whole, and says which line.
    let mut bad = todays_legacy_cases(450, 3);
    bad.push_str("{\"center_code\": \"640105\"}\n");
    let refused = hall_import(&db, &bad);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("line 451"), "{stderr}");
    assert!(stderr.contains("nothing imported"), "{stderr}");
    assert_eq!(stored_cases(&db), 450);

    // The hall served throughout and counts the imported cases.
    let day = today();
    let summary = hall
        .get(
            &format!("/api/v1/stats/summary?from={day}&to={day}"),
            Some(&built.analyst),
        )
        .json();
    assert_eq!(summary["received"], 450, "{summary}");
}
