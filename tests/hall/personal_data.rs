//! Stories of applicants' personal data at rest: sealed in the database yet shown to the
//! clerk who may see it and found by its ID number; every staff read in an access log the
//! administrator reads; the data key rotated; plaintext left by an older version sealed at
//! upgrade; long-closed cases anonymised with the statistics untouched; the SQLite files
//! readable by their owner only — on both databases where a database is involved.

use std::process::Command;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use persistence::personal::{DataKeys, parse_key};
use persistence::schema::cases;
use serde_json::{Value, json};

use crate::cases::{hall, id};
use crate::on_both_backends;
use crate::support::{
    Backend, DATA_KEY, HttpHall, ID_NUMBER, PHONE, TestApp, TestDb, applicant, hall_binary,
    hall_over_http,
};

/// What the database row holds of the applicant: the plaintext columns, the sealed ones,
/// the search hash and the anonymisation stamp.
type RawApplicant = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<NaiveDateTime>,
);

/// Reads a case's applicant columns straight from the table, behind the app's back.
fn raw_applicant(url: &str, case_id: &str) -> RawApplicant {
    let mut conn = crate::support::connect(url);
    cases::table
        .find(case_id)
        .select((
            cases::applicant_name,
            cases::applicant_id_number,
            cases::applicant_phone,
            cases::applicant_id_number_sealed,
            cases::applicant_phone_sealed,
            cases::applicant_id_hash,
            cases::anonymised_at,
        ))
        .first(&mut conn)
        .expect("the case's row")
}

/// Asserts that nothing in the row reads as the applicant's ID number or phone.
fn assert_sealed(raw: &RawApplicant) {
    let (_, number, phone, sealed_number, sealed_phone, hash, _) = raw;
    assert_eq!((number.as_str(), phone.as_str()), ("", ""), "no plaintext");
    let text = format!("{raw:?}");
    for secret in [ID_NUMBER, PHONE, "1101051949", "13800"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    assert!(
        sealed_number
            .as_deref()
            .is_some_and(|s| s.starts_with("v1.")),
        "{text}"
    );
    assert!(
        sealed_phone
            .as_deref()
            .is_some_and(|s| s.starts_with("v1.")),
        "{text}"
    );
    assert!(hash.is_some(), "{text}");
}

/// The id of the data key, as stored in front of every value it seals.
fn key_id(key: &str) -> String {
    DataKeys::new(&parse_key(key).expect("key"), &[])
        .current_id()
        .to_owned()
}

/// Runs a `hall` command over the database with the environment given; returns its
/// standard output, asserting it succeeded.
fn run_hall(url: &str, args: &[&str], env: &[(&str, &str)]) -> String {
    let output = Command::new(hall_binary())
        .args(args)
        .env_clear()
        .env("HALL_DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .envs(env.iter().copied())
        .output()
        .expect("run hall");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "hall {args:?}: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// A case accepted by the hall's first clerk for the usual applicant.
fn accept(app: &TestApp, hall: &HttpHall) -> Value {
    let answer = app.post(
        "/api/v1/cases",
        Some(&hall.clerks[0]),
        &json!({"item_id": hall.item, "applicant": applicant()}),
    );
    assert_eq!(answer.status, 201, "{}", answer.text);
    answer.json()
}

/// The ids of the cases a search by ID number finds for the token.
fn found_by_id_number(app: &TestApp, token: &str, number: &str) -> Vec<String> {
    let answer = app.get(&format!("/api/v1/cases?q={number}"), Some(token));
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(id)
        .collect()
}

fn the_database_holds_no_plaintext_yet_the_clerk_sees_and_finds_the_applicant(backend: Backend) {
    let hall = hall(backend);
    let receipt = hall.accept(&hall.clerk1, &hall.committed);
    let case_id = id(&receipt);
    // The test server's URL carries no password, so its display is the URL itself.
    let url = hall.app.state.store.url().to_string();

    assert_sealed(&raw_applicant(&url, &case_id));

    let read = hall
        .app
        .get(&format!("/api/v1/cases/{case_id}"), Some(&hall.clerk1));
    assert_eq!(read.status, 200, "{}", read.text);
    assert_eq!(read.json()["applicant"]["id_number"], ID_NUMBER);
    assert_eq!(read.json()["applicant"]["phone"], PHONE);
    assert_eq!(read.json()["applicant"]["name"], "张三");

    assert_eq!(
        found_by_id_number(&hall.app, &hall.clerk1, ID_NUMBER),
        [case_id.as_str()]
    );
    // The check character is the same letter in either case.
    assert_eq!(
        found_by_id_number(&hall.app, &hall.clerk1, &ID_NUMBER.to_lowercase()),
        [case_id.as_str()]
    );
    assert!(found_by_id_number(&hall.app, &hall.clerk1, "110105194912310038").is_empty());
    assert!(found_by_id_number(&hall.app, &hall.clerk2, ID_NUMBER).is_empty());
}

fn an_administrator_sees_who_read_an_applicants_data(backend: Backend) {
    let hall = hall(backend);
    let case_id = id(&hall.accept(&hall.clerk1, &hall.committed));
    let other_id = id(&hall.accept(&hall.clerk1, &hall.immediate));
    let clerk = hall.app.get("/api/v1/auth/me", Some(&hall.clerk1)).json();
    let clerk_id = id(&clerk);

    assert_eq!(
        hall.app
            .get(&format!("/api/v1/cases/{case_id}"), Some(&hall.clerk1))
            .status,
        200
    );
    assert_eq!(
        hall.app.get("/api/v1/cases", Some(&hall.clerk1)).status,
        200
    );
    // A read refused by the window scope shows no personal data, and is not logged.
    assert_eq!(
        hall.app
            .get(&format!("/api/v1/cases/{case_id}"), Some(&hall.clerk2))
            .status,
        403
    );

    // An action answers the case, applicant and all, to whoever acted.
    let started = hall.app.post(
        &format!("/api/v1/cases/{case_id}/events"),
        Some(&hall.clerk1),
        &json!({"action": "start", "version": 1}),
    );
    assert_eq!(started.status, 200, "{}", started.text);

    let log = hall.app.get(
        &format!("/api/v1/access-log?case={case_id}"),
        Some(&hall.admin),
    );
    assert_eq!(log.status, 200, "{}", log.text);
    let entries = log.json()["items"].as_array().expect("items").clone();
    let purposes: Vec<&str> = entries
        .iter()
        .map(|e| e["purpose"].as_str().expect("purpose"))
        .collect();
    assert_eq!(
        purposes,
        ["create_case_event", "list_cases", "get_case"],
        "newest first: {log:?}"
    );
    for entry in &entries {
        assert_eq!(entry["user_id"], clerk_id.as_str());
        assert_eq!(entry["case_id"], case_id.as_str());
        assert!(entry["at"].is_string());
    }

    // The list showed both cases: each has its entry.
    let other = hall
        .app
        .get(
            &format!("/api/v1/access-log?case={other_id}"),
            Some(&hall.admin),
        )
        .json();
    assert_eq!(other["items"].as_array().map(Vec::len), Some(1), "{other}");
    assert_eq!(other["items"][0]["purpose"], "list_cases");

    let by_clerk = hall
        .app
        .get(
            &format!("/api/v1/access-log?user={clerk_id}&limit=1"),
            Some(&hall.admin),
        )
        .json();
    assert_eq!(by_clerk["items"].as_array().map(Vec::len), Some(1));
    let cursor = by_clerk["next_cursor"].as_str().expect("another page");
    let next = hall
        .app
        .get(
            &format!("/api/v1/access-log?user={clerk_id}&limit=1&after={cursor}"),
            Some(&hall.admin),
        )
        .json();
    assert_eq!(next["items"][0]["purpose"], "list_cases");
    let later = hall
        .app
        .get(
            "/api/v1/access-log?from=2999-01-01T00:00:00Z",
            Some(&hall.admin),
        )
        .json();
    assert_eq!(later["items"], json!([]));
    let earlier = hall
        .app
        .get(
            "/api/v1/access-log?to=2000-01-01T00:00:00Z",
            Some(&hall.admin),
        )
        .json();
    assert_eq!(earlier["items"], json!([]));

    for token in [&hall.clerk1, &hall.supervisor, &hall.analyst] {
        hall.app.get("/api/v1/access-log", Some(token)).problem(403);
    }
}

fn a_rotated_key_seals_every_case_again_and_old_data_stays_readable(backend: Backend) {
    let db = TestDb::new(backend);
    let new_key = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
    let (hall, case_id) = {
        let app = TestApp::start_over(&db.url, |_| {});
        let hall = hall_over_http(&app, 1, 1);
        let case_id = id(&accept(&app, &hall));
        (hall, case_id)
    };
    let old_id = key_id(DATA_KEY);
    let sealed = raw_applicant(&db.url, &case_id);
    assert!(
        sealed
            .3
            .as_deref()
            .is_some_and(|s| s.starts_with(&format!("v1.{old_id}.")))
    );

    // The new key seals, the old one still opens: the hall keeps serving during a rotation.
    {
        let app = TestApp::start_over(&db.url, |c| {
            c.data_key = Some(new_key.into());
            c.data_key_previous = vec![DATA_KEY.into()];
        });
        the_clerk_reads_and_finds_the_applicant(&app, &hall.clerks[0], &case_id);
    }

    let said = run_hall(
        &db.url,
        &["data-key", "rotate", "--batch", "1"],
        &[
            ("HALL_DATA_KEY", new_key),
            ("HALL_DATA_KEY_PREVIOUS", DATA_KEY),
        ],
    );
    assert!(said.contains("1 case(s) sealed again"), "{said}");
    let rotated = raw_applicant(&db.url, &case_id);
    assert_sealed(&rotated);
    let new_id = key_id(new_key);
    for sealed in [&rotated.3, &rotated.4] {
        assert!(
            sealed
                .as_deref()
                .is_some_and(|s| s.starts_with(&format!("v1.{new_id}."))),
            "{rotated:?}"
        );
    }
    assert_ne!(rotated.5, sealed.5, "the search hash follows the key");

    // The old key is forgotten: everything still reads and is still found.
    let app = TestApp::start_over(&db.url, |c| c.data_key = Some(new_key.into()));
    the_clerk_reads_and_finds_the_applicant(&app, &hall.clerks[0], &case_id);
}

/// Asserts that `clerk` reads the case's applicant whole and finds it by ID number.
fn the_clerk_reads_and_finds_the_applicant(app: &TestApp, clerk: &str, case_id: &str) {
    let read = app.get(&format!("/api/v1/cases/{case_id}"), Some(clerk));
    assert_eq!(
        read.json()["applicant"]["id_number"],
        ID_NUMBER,
        "{}",
        read.text
    );
    assert_eq!(read.json()["applicant"]["phone"], PHONE);
    assert_eq!(found_by_id_number(app, clerk, ID_NUMBER), [case_id]);
}

fn plaintext_left_by_an_older_version_is_sealed_by_the_upgrade(backend: Backend) {
    let db = TestDb::new(backend);
    let (hall, case_id) = {
        let app = TestApp::start_over(&db.url, |_| {});
        let hall = hall_over_http(&app, 1, 1);
        let case_id = id(&accept(&app, &hall));
        (hall, case_id)
    };
    // The row as a version without sealing wrote it.
    let mut conn = db.connect();
    diesel::update(cases::table.find(&case_id))
        .set((
            cases::applicant_id_number.eq(ID_NUMBER),
            cases::applicant_phone.eq(PHONE),
            cases::applicant_id_number_sealed.eq(None::<String>),
            cases::applicant_phone_sealed.eq(None::<String>),
            cases::applicant_id_hash.eq(None::<String>),
        ))
        .execute(&mut conn)
        .expect("write a plaintext row");
    drop(conn);

    run_hall(&db.url, &["migrate"], &[("HALL_DATA_KEY", DATA_KEY)]);
    assert_sealed(&raw_applicant(&db.url, &case_id));

    let app = TestApp::start_over(&db.url, |_| {});
    the_clerk_reads_and_finds_the_applicant(&app, &hall.clerks[0], &case_id);
}

fn retention_anonymises_long_closed_cases_and_keeps_the_statistics(backend: Backend) {
    let db = TestDb::new(backend);
    let app = TestApp::start_over(&db.url, |_| {});
    let hall = hall_over_http(&app, 1, 1);
    let clerk = &hall.clerks[0];
    let act = |case: &Value, action: Value| {
        let answer = app.post(
            &format!("/api/v1/cases/{}/events", id(case)),
            Some(clerk),
            &action,
        );
        assert_eq!(answer.status, 200, "{}", answer.text);
        answer.json()
    };
    // Long closed: completed and delivered.
    let old = accept(&app, &hall);
    let old = act(&old, json!({"action": "start", "version": 1}));
    let old = act(
        &old,
        json!({"action": "complete", "version": 2, "outcome": "approved", "result": "准予登记"}),
    );
    let old = act(&old, json!({"action": "deliver", "version": 3}));
    // Its proof of delivery names the applicant in full, until the applicant is anonymised.
    let notice = app.post(
        &format!("/api/v1/cases/{}/notices", id(&old)),
        Some(clerk),
        &json!({"kind": "delivery"}),
    );
    assert_eq!(notice.status, 201, "{}", notice.text);
    let notice = format!("/api/v1/notices/{}", id(&notice.json()));
    let printed = |app: &TestApp| {
        app.try_send("GET", &notice, Some(clerk), &[("Accept", "text/html")], "")
            .expect("HTTP exchange")
            .text
    };
    assert!(printed(&app).contains("张三"));
    // Closed recently: withdrawn.
    let recent = accept(&app, &hall);
    act(
        &recent,
        json!({"action": "withdraw", "version": 1, "reason": "申请人撤回"}),
    );
    // Still open, and old.
    let open = accept(&app, &hall);
    let mut conn = db.connect();
    let long_ago = chrono::NaiveDate::from_ymd_opt(2001, 3, 1)
        .and_then(|d| d.and_hms_opt(2, 0, 0))
        .expect("date");
    for case in [&old, &open] {
        diesel::update(cases::table.find(id(case)))
            .set(cases::updated_at.eq(long_ago))
            .execute(&mut conn)
            .expect("age the case");
    }
    drop(conn);
    let today = old["received_on"].as_str().expect("date").to_owned();
    let summary = |app: &TestApp| {
        let answer = app.get(
            &format!("/api/v1/stats/summary?from={today}&to={today}"),
            Some(&hall.analyst),
        );
        assert_eq!(answer.status, 200, "{}", answer.text);
        answer.json()
    };
    let before = summary(&app);
    assert_eq!(before["received"], 3, "{before}");
    drop(app);

    let said = run_hall(
        &db.url,
        &["retention", "run"],
        &[("HALL_DATA_KEY", DATA_KEY), ("HALL_RETENTION_YEARS", "10")],
    );
    assert!(said.starts_with("1 applicant(s)"), "{said}");

    let app = TestApp::start_over(&db.url, |c| c.retention_years = 10);
    let read = |case: &Value| {
        let answer = app.get(&format!("/api/v1/cases/{}", id(case)), Some(clerk));
        assert_eq!(answer.status, 200, "{}", answer.text);
        answer.json()
    };
    let anonymised = read(&old);
    assert_eq!(
        anonymised["applicant"],
        json!({"kind": "person", "name": "张*", "id_type": "resident_id", "id_number": "", "phone": "",
               "sms_opt_out": false})
    );
    assert_eq!(anonymised["status"], "delivered");
    assert_eq!(anonymised["version"], 6, "the anonymisation is a change");
    let paper = printed(&app);
    assert!(!paper.contains("张三") && paper.contains("张*"), "{paper}");
    let raw = raw_applicant(&db.url, &id(&old));
    assert_eq!(
        (raw.1.as_str(), raw.2.as_str(), &raw.3, &raw.4, &raw.5),
        ("", "", &None, &None, &None),
        "no trace of the numbers, not even the search hash"
    );
    assert!(raw.6.is_some());
    for kept in [&recent, &open] {
        assert_eq!(read(kept)["applicant"]["id_number"], ID_NUMBER);
    }
    let mut found = found_by_id_number(&app, clerk, ID_NUMBER);
    found.sort();
    let mut expected = vec![id(&recent), id(&open)];
    expected.sort();
    assert_eq!(found, expected);

    assert_eq!(summary(&app), before, "statistics unaffected");
    let audit = app
        .get(
            "/api/v1/audit?action=retention.run",
            Some(&app.admin_token()),
        )
        .json();
    assert_eq!(audit["items"][0]["after"]["anonymised"], 1, "{audit}");
    drop(app);

    let again = run_hall(
        &db.url,
        &["retention", "run"],
        &[("HALL_DATA_KEY", DATA_KEY), ("HALL_RETENTION_YEARS", "10")],
    );
    assert!(again.starts_with("0 applicant(s)"), "{again}");
}

on_both_backends!(
    the_database_holds_no_plaintext_yet_the_clerk_sees_and_finds_the_applicant,
    an_administrator_sees_who_read_an_applicants_data,
    a_rotated_key_seals_every_case_again_and_old_data_stays_readable,
    plaintext_left_by_an_older_version_is_sealed_by_the_upgrade,
    retention_anonymises_long_closed_cases_and_keeps_the_statistics,
);

/// The SQLite file, its WAL and shared memory, the token secret and the data key beside it
/// are readable by their owner only — even a file an older version left world-readable.
#[cfg(unix)]
#[test]
fn the_sqlite_files_and_secrets_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;

    let db = TestDb::new(Backend::Sqlite);
    let path = db
        .url
        .strip_prefix("sqlite://")
        .expect("SQLite URL")
        .to_owned();
    std::fs::write(&path, b"").expect("an empty database file");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");

    let app = TestApp::start_over(&db.url, |c| {
        c.jwt_secret = None;
        c.data_key = None;
    });
    let hall = hall_over_http(&app, 1, 1);
    let case_id = id(&accept(&app, &hall));
    for file in ["", "-wal", "-shm", ".jwt-secret", ".data-key"] {
        let file = format!("{path}{file}");
        let mode = std::fs::metadata(&file)
            .unwrap_or_else(|e| panic!("{file}: {e}"))
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{file}: {mode:o}");
    }
    drop(app);

    // The generated key is kept; named as HALL_DATA_KEY_FILE it opens the same data.
    let app = TestApp::start_over(&db.url, |c| {
        c.jwt_secret = None;
        c.data_key = None;
        c.data_key_file = Some(format!("{path}.data-key").into());
    });
    let read = app.get(&format!("/api/v1/cases/{case_id}"), Some(&hall.clerks[0]));
    assert_eq!(
        read.json()["applicant"]["id_number"],
        ID_NUMBER,
        "{}",
        read.text
    );
}
