//! Stories of the production set-up: a streaming replica that takes the kiosk's and the
//! statistics' reads, and goes away and comes back; and the documented compose deployment,
//! whose computed environment must start `hall`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::on_both_backends;
use crate::support::{
    Answer, Backend, Client, HallProcess, PrivateCluster, TestDb, applicant, free_port,
    hall_over_http,
};

/// A case as the applicant's receipt names it.
struct Receipt {
    case_no: String,
    code: String,
}

fn accept(hall: &Client, clerk: &str, item: &str) -> Receipt {
    let answer = hall.post(
        "/api/v1/cases",
        Some(clerk),
        &json!({"item_id": item, "applicant": applicant()}),
    );
    assert_eq!(answer.status, 201, "{}", answer.text);
    let receipt = answer.json();
    Receipt {
        case_no: receipt["case_no"].as_str().expect("number").to_owned(),
        code: receipt["query_code"].as_str().expect("code").to_owned(),
    }
}

/// The kiosk looks the case up with the number and code from the receipt.
fn at_the_kiosk(hall: &Client, receipt: &Receipt) -> Answer {
    hall.get(
        &format!(
            "/api/v1/public/cases/{}?code={}",
            receipt.case_no, receipt.code
        ),
        None,
    )
}

/// Cases received this year, as the statistics dashboard shows them.
fn received(hall: &Client, analyst: &str) -> i64 {
    let summary = hall.get("/api/v1/stats/summary", Some(analyst));
    assert_eq!(summary.status, 200, "{}", summary.text);
    summary.json()["received"].as_i64().expect("received")
}

/// The `hall_read_replica_fallback` gauge.
fn falling_back(hall: &Client) -> i64 {
    hall.get("/metrics", None)
        .text
        .lines()
        .find_map(|line| line.strip_prefix("hall_read_replica_fallback "))
        .and_then(|value| value.trim().parse().ok())
        .expect("the hall_read_replica_fallback metric")
}

/// Waits, a bounded while, for what replication makes true sooner or later.
fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "not within 30 s: {what}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn kiosk_and_statistics_reads_come_from_the_replica_and_from_the_primary_while_it_is_down() {
    let primary = PrivateCluster::start();
    let replica = PrivateCluster::replica_of(&primary);
    let hall = HallProcess::start(
        &primary.url(),
        &[
            ("HALL_READ_DATABASE_URL", &replica.url()),
            // The kiosk is asked again and again while replication catches up.
            ("HALL_PUBLIC_RATE", "100000"),
        ],
    );
    let built = hall_over_http(&hall, 1, 1);
    let clerk = &built.clerks[0];

    // A case accepted on the primary reaches the kiosk once the replica has replayed it.
    let first = accept(&hall, clerk, &built.item);
    eventually("the kiosk finds the first case", || {
        at_the_kiosk(&hall, &first).status == 200
    });
    assert_eq!(received(&hall, &built.analyst), 1);
    assert_eq!(falling_back(&hall), 0);

    // While the replica holds its replay back, the kiosk and the dashboard show its older
    // view: the reads are the replica's, and its lag is tolerated.
    replica.execute("SELECT pg_wal_replay_pause()");
    let second = accept(&hall, clerk, &built.item);
    at_the_kiosk(&hall, &second).problem(404);
    assert_eq!(received(&hall, &built.analyst), 1);
    replica.execute("SELECT pg_wal_replay_resume()");
    eventually("the kiosk finds the second case once replayed", || {
        at_the_kiosk(&hall, &second).status == 200
    });
    assert_eq!(received(&hall, &built.analyst), 2);

    // The replica stops: the same reads come from the primary (which has the newest case at
    // once), without waiting for the replica, and the metric and the log say so.
    replica.stop();
    let third = accept(&hall, clerk, &built.item);
    let started = Instant::now();
    let answer = at_the_kiosk(&hall, &third);
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(received(&hall, &built.analyst), 3);
    assert_eq!(falling_back(&hall), 1);
    assert!(
        hall.log().contains("the read replica does not answer"),
        "{}",
        hall.log()
    );
    for receipt in [&first, &second, &third] {
        let started = Instant::now();
        assert_eq!(at_the_kiosk(&hall, receipt).status, 200);
        assert!(
            started.elapsed() < Duration::from_millis(800),
            "no wait for the replica's pool while it is known to be down: {:?}",
            started.elapsed()
        );
    }

    // It comes back: the reads return to it, and are its own again (held-back replay hides
    // a new case from the kiosk once more).
    replica.resume();
    eventually("reads go back to the replica", || {
        at_the_kiosk(&hall, &third).status == 200 && falling_back(&hall) == 0
    });
    assert!(
        hall.log().contains("the read replica answers again"),
        "{}",
        hall.log()
    );
    replica.execute("SELECT pg_wal_replay_pause()");
    let fourth = accept(&hall, clerk, &built.item);
    at_the_kiosk(&hall, &fourth).problem(404);
    replica.execute("SELECT pg_wal_replay_resume()");
    eventually("the kiosk finds the fourth case once replayed", || {
        at_the_kiosk(&hall, &fourth).status == 200
    });
    assert_eq!(received(&hall, &built.analyst), 4);
}

/// The repository's root folder.
fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace")
        .to_path_buf()
}

/// Every setting `.env.example` documents, by name.
fn documented_settings() -> Vec<String> {
    std::fs::read_to_string(repository().join(".env.example"))
        .expect(".env.example")
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.split_once('='))
        .map(|(name, _)| name.trim().to_owned())
        .collect()
}

fn every_setting_left_empty_takes_its_default(backend: Backend) {
    // An `.env` copied from `.env.example` with every line left blank, but where the
    // database is and which port to take (the default one may be in use).
    let db = TestDb::new(backend);
    let port = free_port();
    let bind = format!("127.0.0.1:{port}");
    let mut env: Vec<(String, String)> = documented_settings()
        .into_iter()
        .map(|name| (name, String::new()))
        .collect();
    env.push(("HALL_DATABASE_URL".into(), db.url.clone()));
    env.push(("HALL_BIND".into(), bind));
    if backend == Backend::Postgres {
        // Required there, so they cannot be left empty.
        env.push((
            "HALL_JWT_SECRET".into(),
            "a token secret of at least 32 bytes".into(),
        ));
        env.push(("HALL_DATA_KEY".into(), crate::support::DATA_KEY.into()));
    }
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let hall = HallProcess::start_with_exactly(port, &env);
    // Ready (start waits for it), with the defaults: a generated admin password, printed once.
    assert!(
        hall.log().contains("Created the first account"),
        "{}",
        hall.log()
    );
    assert_eq!(hall.get("/api/v1/public/items", None).status, 200);
}

on_both_backends!(every_setting_left_empty_takes_its_default);

/// The `environment` of `service` in `docker-compose config`'s output, which is PyYAML's
/// block style: two spaces a level, one `KEY: value` a line, long values folded onto deeper
/// lines, quoted when plain would not do.
fn compose_environment(config: &str, service: &str) -> BTreeMap<String, String> {
    let lines: Vec<&str> = config.lines().collect();
    let start = lines
        .iter()
        .position(|line| *line == format!("  {service}:"))
        .unwrap_or_else(|| panic!("no service {service}: {config}"));
    let block = lines[start + 1..]
        .iter()
        .take_while(|line| line.starts_with("   "))
        .copied()
        .collect::<Vec<_>>();
    let from = block
        .iter()
        .position(|line| *line == "    environment:")
        .unwrap_or_else(|| panic!("{service} has no environment: {config}"));
    let mut entries: Vec<(String, String)> = Vec::new();
    for line in block[from + 1..]
        .iter()
        .take_while(|line| line.starts_with("      "))
    {
        if line.starts_with("       ") {
            let (_, value) = entries.last_mut().expect("a folded value follows its key");
            value.push(' ');
            value.push_str(line.trim());
        } else {
            let (key, value) = line.trim().split_once(':').expect("KEY: value");
            entries.push((key.to_owned(), value.trim().to_owned()));
        }
    }
    entries
        .into_iter()
        .map(|(key, value)| (key, unquote(&value)))
        .collect()
}

/// A YAML scalar's value.
fn unquote(value: &str) -> String {
    if let Some(inner) = value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')) {
        inner.replace("''", "'")
    } else if value.starts_with('"') {
        serde_json::from_str(value).unwrap_or_else(|e| panic!("{value}: {e}"))
    } else {
        value.to_owned()
    }
}

#[test]
fn the_documented_compose_deployment_starts_and_trusts_only_nginx() {
    // As the README says: `cp .env.example .env`, set the required secrets (the token
    // secret, the data key that seals personal data) and the admin's password.
    let secret = "compose-token-secret-of-at-least-32-bytes";
    let password = "compose-admin-password";
    let data_key = crate::support::DATA_KEY;
    let dotenv: String = std::fs::read_to_string(repository().join(".env.example"))
        .expect(".env.example")
        .lines()
        .map(|line| match line {
            "HALL_JWT_SECRET=" => format!("HALL_JWT_SECRET={secret}\n"),
            "HALL_ADMIN_PASSWORD=" => format!("HALL_ADMIN_PASSWORD={password}\n"),
            "HALL_DATA_KEY=" => format!("HALL_DATA_KEY={data_key}\n"),
            other => format!("{other}\n"),
        })
        .collect();
    assert!(
        dotenv.contains(secret) && dotenv.contains(password) && dotenv.contains(data_key),
        "{dotenv}"
    );
    let env_file = std::env::temp_dir().join(format!(
        "hall-compose-{}.env",
        uuid::Uuid::now_v7().simple()
    ));
    std::fs::write(&env_file, dotenv).expect("write .env");

    // Only `.env` counts: the test's own environment must not fill in compose's variables.
    let output = Command::new("docker-compose")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .arg("--env-file")
        .arg(&env_file)
        .arg("--file")
        .arg(repository().join("docker-compose.yml"))
        .arg("config")
        .output()
        .expect(
            "docker-compose (Debian's docker-compose package; scripts/prerequisites installs it)",
        );
    std::fs::remove_file(&env_file).expect("clean up");
    let config = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "docker-compose config: {}{config}",
        String::from_utf8_lossy(&output.stderr)
    );

    // The hall processes believe X-Forwarded-For from nginx's fixed address only…
    let mut env = compose_environment(&config, "hall-1");
    let nginx = config
        .lines()
        .skip_while(|line| *line != "  nginx:")
        .find_map(|line| line.trim().strip_prefix("ipv4_address: "))
        .expect("nginx has a fixed address");
    assert_eq!(env["HALL_TRUSTED_PROXIES"], nginx, "{config}");
    // …and nginx hands them the address it saw, not one the client wrote.
    let nginx_conf =
        std::fs::read_to_string(repository().join("deploy/nginx.conf")).expect("nginx.conf");
    assert!(
        nginx_conf
            .lines()
            .any(|line| line.trim() == "proxy_set_header X-Forwarded-For $remote_addr;"),
        "{nginx_conf}"
    );

    // `hall` with exactly that environment, the database and the address pointed here,
    // becomes ready, and the administrator from `.env` signs in.
    let db = TestDb::new(Backend::Postgres);
    let port = free_port();
    env.insert("HALL_DATABASE_URL".into(), db.url.clone());
    env.insert("HALL_BIND".into(), format!("127.0.0.1:{port}"));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let hall = HallProcess::start_with_exactly(port, &env);
    hall.login("admin", password);
}
