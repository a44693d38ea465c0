//! The outbox when things go wrong, on the real `hall` binary: a process killed with SIGKILL
//! in the middle of deliveries loses none of them, and two processes on one PostgreSQL never
//! deliver the same message at the same time.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::{ADMIN_PASSWORD, Backend, HallProcess, TestDb, applicant, hall_over_http};
use crate::webhooks::Receiver;

/// The outbox of a `hall` process in these stories: loopback subscribers, quick retries, a
/// short timeout (and so a short lease after a kill).
const OUTBOX: [(&str, &str); 3] = [
    ("HALL_WEBHOOK_ALLOW_PRIVATE", "true"),
    ("HALL_OUTBOX_RETRY_BASE_MS", "200"),
    ("HALL_WEBHOOK_TIMEOUT_SECONDS", "2"),
];

fn register(hall: &HallProcess, token: &str, url: &str) {
    let answer = hall.post(
        "/api/v1/webhooks",
        Some(token),
        &json!({"url": url, "events": ["case.accepted"]}),
    );
    assert_eq!(answer.status, 201, "{}", answer.text);
}

/// Accepts `n` cases at the clerk's window; their ids.
fn accept(hall: &HallProcess, clerk: &str, item: &str, n: usize) -> BTreeSet<String> {
    (0..n)
        .map(|_| {
            let answer = hall.post(
                "/api/v1/cases",
                Some(clerk),
                &json!({"item_id": item, "applicant": applicant()}),
            );
            assert_eq!(answer.status, 201, "{}", answer.text);
            answer.json()["id"].as_str().expect("id").to_owned()
        })
        .collect()
}

/// Each case's deliveries by `webhook-id`, for the deliveries the receiver took so far.
fn by_case(receiver: &Receiver) -> BTreeMap<String, BTreeSet<String>> {
    let mut cases: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for delivery in receiver.received() {
        let case = delivery.json()["data"]["case_id"]
            .as_str()
            .expect("case id")
            .to_owned();
        cases
            .entry(case)
            .or_default()
            .insert(delivery.header("webhook-id").to_owned());
    }
    cases
}

fn wait_until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while started.elapsed() < limit {
        if done() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{what} did not happen within {limit:?}");
}

#[test]
fn a_hall_killed_in_the_middle_of_deliveries_delivers_every_message_after_its_restart() {
    let db = TestDb::new(Backend::Postgres);
    let mut hall = HallProcess::start(&db.url, &OUTBOX);
    let built = hall_over_http(&hall, 1, 1);
    let admin = hall.login("admin", ADMIN_PASSWORD);
    let receiver = Receiver::start();
    // Slow enough that the kill finds deliveries in flight.
    receiver
        .delay_ms
        .store(300, std::sync::atomic::Ordering::SeqCst);
    register(&hall, &admin, &receiver.url);
    let cases = accept(&hall, &built.clerks[0], &built.item, 20);
    wait_until("a few deliveries", Duration::from_secs(20), || {
        receiver.received().len() >= 3
    });
    hall.kill();
    let before = by_case(&receiver).len();
    assert!(
        before < cases.len(),
        "the kill came before the last delivery"
    );

    let _restarted = HallProcess::start(&db.url, &OUTBOX);
    wait_until(
        "every case's news delivered",
        Duration::from_secs(60),
        || by_case(&receiver).len() == cases.len(),
    );
    let delivered = by_case(&receiver);
    assert_eq!(delivered.keys().cloned().collect::<BTreeSet<_>>(), cases);
    for (case, ids) in &delivered {
        assert_eq!(
            ids.len(),
            1,
            "case {case}: a repeat carries the same webhook-id"
        );
    }
}

#[test]
fn two_halls_on_one_postgresql_never_deliver_the_same_message_at_once() {
    let db = TestDb::new(Backend::Postgres);
    let first = HallProcess::start(&db.url, &OUTBOX);
    let built = hall_over_http(&first, 1, 1);
    let admin = first.login("admin", ADMIN_PASSWORD);
    let receiver = Receiver::start();
    receiver
        .delay_ms
        .store(50, std::sync::atomic::Ordering::SeqCst);
    // Three subscribers (one receiver): each process may have one in flight for each.
    for path in ["a", "b", "c"] {
        register(&first, &admin, &format!("{}/{path}", receiver.url));
    }
    let second = HallProcess::start(&db.url, &OUTBOX);
    let cases = accept(&first, &built.clerks[0], &built.item, 15);
    wait_until("45 deliveries", Duration::from_secs(60), || {
        receiver.received().len() >= 45
    });
    // A moment more for any duplicate to show up.
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(receiver.overlaps(), Vec::<String>::new());
    let ids: BTreeSet<String> = receiver
        .received()
        .iter()
        .map(|d| d.header("webhook-id").to_owned())
        .collect();
    assert_eq!(ids.len(), 45, "each message once");
    assert_eq!(receiver.received().len(), 45, "no message twice");
    assert_eq!(by_case(&receiver).len(), cases.len());
    drop(second);
}
