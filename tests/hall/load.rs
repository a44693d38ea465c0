//! A working day compressed into seconds: clerks accepting and moving cases, kiosks looking
//! them up and dashboards summarising, all at once against the `hall` binary on
//! PostgreSQL; then every acknowledged case and event must be in the database exactly once.
//!
//! Bounded in time and count, loopback only. The CI run is short; a long one is
//! `HALL_LOAD_SECONDS=600 HALL_LOAD_CLERKS=24 HALL_LOAD_KIOSKS=48 cargo test -p tests
//! --test hall load -- --nocapture` (see the README).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use serde_json::json;

use crate::cases::{applicant, id};
use crate::support::{Backend, Client, HallProcess, TestDb, hall_over_http, setting};

/// The shape of the run, from the environment; the defaults are the CI run.
#[derive(Debug, Clone, Copy)]
struct Shape {
    seconds: u64,
    clerks: u32,
    centres: u32,
    kiosks: u32,
    dashboards: u32,
    max_cases: usize,
}

impl Shape {
    fn from_env() -> Self {
        Self {
            seconds: setting("HALL_LOAD_SECONDS", 20),
            clerks: setting("HALL_LOAD_CLERKS", 6),
            centres: setting("HALL_LOAD_CENTRES", 3),
            kiosks: setting("HALL_LOAD_KIOSKS", 6),
            dashboards: setting("HALL_LOAD_DASHBOARDS", 2),
            max_cases: setting("HALL_LOAD_MAX_CASES", 100_000),
        }
    }
}

/// A small deterministic generator: enough to vary the traffic, not worth a crate.
struct Dice(u64);

impl Dice {
    fn below(&mut self, n: usize) -> usize {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n.max(1)
    }
}

/// What the clients were told, to be compared with what the database holds.
#[derive(Debug, Default)]
struct Ledger {
    /// Case id → its case number and the actions acknowledged for it, in order.
    cases: BTreeMap<String, (String, Vec<String>)>,
    requests: BTreeMap<&'static str, usize>,
}

impl Ledger {
    fn merge(&mut self, other: Ledger) {
        self.cases.extend(other.cases);
        for (kind, n) in other.requests {
            *self.requests.entry(kind).or_default() += n;
        }
    }
}

/// Cases the kiosks may look up: number and query code.
type Lookups = Arc<Mutex<Vec<(String, String)>>>;

struct Run {
    base: String,
    deadline: Instant,
    cases: Arc<AtomicUsize>,
    shape: Shape,
}

impl Run {
    fn going(&self) -> bool {
        Instant::now() < self.deadline && self.cases.load(Ordering::Relaxed) < self.shape.max_cases
    }
}

/// A clerk takes applications and moves open ones along: start, complete, deliver.
fn clerk(run: &Run, token: &str, item: &str, lookups: &Lookups, seed: u64) -> Ledger {
    let client = Client::new(&run.base);
    let mut dice = Dice(seed);
    let mut ledger = Ledger::default();
    // Open cases: id, version, status.
    let mut open: Vec<(String, i64, String)> = Vec::new();
    while run.going() {
        if open.len() < 5 || dice.below(2) == 0 {
            let key = uuid::Uuid::now_v7().to_string();
            let answer = client
                .try_send(
                    "POST",
                    "/api/v1/cases",
                    Some(token),
                    &[
                        ("Content-Type", "application/json"),
                        ("Idempotency-Key", &key),
                    ],
                    &json!({"item_id": item, "applicant": applicant()}).to_string(),
                )
                .expect("an answer on loopback");
            assert_eq!(answer.status, 201, "{}", answer.text);
            let receipt = answer.json();
            let (case_id, case_no) = (
                id(&receipt),
                receipt["case_no"].as_str().expect("no").to_owned(),
            );
            lookups.lock().expect("lookups").push((
                case_no.clone(),
                receipt["query_code"].as_str().expect("code").to_owned(),
            ));
            ledger
                .cases
                .insert(case_id.clone(), (case_no, vec!["accept".into()]));
            open.push((case_id, 1, "accepted".into()));
            run.cases.fetch_add(1, Ordering::Relaxed);
            *ledger.requests.entry("accept").or_default() += 1;
        } else {
            let at = dice.below(open.len());
            let (case_id, version, status) = open[at].clone();
            let action = match status.as_str() {
                "accepted" => json!({"action": "start", "version": version}),
                "in_progress" => {
                    json!({"action": "complete", "version": version, "outcome": "approved", "result": "准予登记"})
                }
                _ => json!({"action": "deliver", "version": version, "note": "窗口领取"}),
            };
            let answer = client
                .try_send(
                    "POST",
                    &format!("/api/v1/cases/{case_id}/events"),
                    Some(token),
                    &[("Content-Type", "application/json")],
                    &action.to_string(),
                )
                .expect("an answer on loopback");
            assert_eq!(answer.status, 200, "{}", answer.text);
            let case = answer.json();
            let name = action["action"].as_str().expect("action").to_owned();
            ledger
                .cases
                .get_mut(&case_id)
                .expect("own case")
                .1
                .push(name);
            *ledger.requests.entry("act").or_default() += 1;
            let status = case["status"].as_str().expect("status").to_owned();
            if status == "delivered" {
                open.swap_remove(at);
            } else {
                open[at] = (case_id, case["version"].as_i64().expect("version"), status);
            }
        }
    }
    ledger
}

/// A kiosk looks up cases it was told of; every one must be found.
fn kiosk(run: &Run, lookups: &Lookups, seed: u64) -> Ledger {
    let client = Client::new(&run.base);
    let mut dice = Dice(seed);
    let mut ledger = Ledger::default();
    while run.going() {
        let known = {
            let lookups = lookups.lock().expect("lookups");
            (!lookups.is_empty()).then(|| lookups[dice.below(lookups.len())].clone())
        };
        let Some((case_no, code)) = known else {
            std::thread::sleep(Duration::from_millis(10));
            continue;
        };
        let answer = client
            .try_send(
                "GET",
                &format!("/api/v1/public/cases/{case_no}?code={code}"),
                None,
                &[],
                "",
            )
            .expect("an answer on loopback");
        assert_eq!(answer.status, 200, "{}", answer.text);
        assert_eq!(answer.json()["case_no"], case_no.as_str());
        *ledger.requests.entry("lookup").or_default() += 1;
    }
    ledger
}

/// A dashboard asks for today's summary over and over.
fn dashboard(run: &Run, token: &str) -> Ledger {
    let client = Client::new(&run.base);
    let mut ledger = Ledger::default();
    while run.going() {
        let answer = client
            .try_send("GET", "/api/v1/stats/summary", Some(token), &[], "")
            .expect("an answer on loopback");
        assert_eq!(answer.status, 200, "{}", answer.text);
        *ledger.requests.entry("summary").or_default() += 1;
    }
    ledger
}

#[derive(QueryableByName, Debug)]
struct StoredEvent {
    #[diesel(sql_type = Text)]
    case_id: String,
    #[diesel(sql_type = Text)]
    case_no: String,
    #[diesel(sql_type = BigInt)]
    seq: i64,
    #[diesel(sql_type = Text)]
    action: String,
}

/// Case id → (case number, actions in order), as stored.
fn stored(db: &TestDb) -> BTreeMap<String, (String, Vec<String>)> {
    let events: Vec<StoredEvent> = diesel::sql_query(
        "SELECT c.id AS case_id, c.case_no, e.seq, e.action \
         FROM cases c LEFT JOIN case_events e ON e.case_id = c.id ORDER BY c.id, e.seq",
    )
    .load(&mut db.connect())
    .expect("read the cases and events");
    let mut cases: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
    for event in events {
        let entry = cases
            .entry(event.case_id)
            .or_insert_with(|| (event.case_no, Vec::new()));
        assert_eq!(
            usize::try_from(event.seq).expect("seq"),
            entry.1.len() + 1,
            "events are numbered without gaps"
        );
        entry.1.push(event.action);
    }
    cases
}

#[test]
fn a_busy_day_of_mixed_traffic_loses_nothing_and_writes_nothing_twice() {
    let shape = Shape::from_env();
    let db = TestDb::new(Backend::Postgres);
    // Every client comes from 127.0.0.1 here: lift the per-address limits for the run.
    let hall = HallProcess::start(
        &db.url,
        &[
            ("HALL_PUBLIC_RATE", "1000000"),
            ("HALL_LOGIN_RATE", "100000"),
            ("HALL_DB_POOL_SIZE", "16"),
        ],
    );
    let built = hall_over_http(&hall, shape.clerks, shape.centres);
    let run = Arc::new(Run {
        base: hall.base.clone(),
        deadline: Instant::now() + Duration::from_secs(shape.seconds),
        cases: Arc::new(AtomicUsize::new(0)),
        shape,
    });
    let lookups: Lookups = Arc::default();
    let started = Instant::now();
    let mut clients = Vec::new();
    for (n, token) in built.clerks.iter().enumerate() {
        let (run, lookups, token, item) = (
            run.clone(),
            lookups.clone(),
            token.clone(),
            built.item.clone(),
        );
        clients.push(std::thread::spawn(move || {
            clerk(&run, &token, &item, &lookups, 0x9E37_79B9 + n as u64)
        }));
    }
    for n in 0..shape.kiosks {
        let (run, lookups) = (run.clone(), lookups.clone());
        clients.push(std::thread::spawn(move || {
            kiosk(&run, &lookups, 0x85EB_CA6B + u64::from(n))
        }));
    }
    for _ in 0..shape.dashboards {
        let (run, token) = (run.clone(), built.analyst.clone());
        clients.push(std::thread::spawn(move || dashboard(&run, &token)));
    }
    let mut ledger = Ledger::default();
    for client in clients {
        ledger.merge(client.join().expect("a client failed"));
    }
    let elapsed = started.elapsed().as_secs_f64();
    let total: usize = ledger.requests.values().sum();
    eprintln!(
        "load: {total} requests in {elapsed:.1} s ({:.0}/s): {:?}",
        total as f64 / elapsed,
        ledger.requests
    );
    assert!(
        ledger.requests.get("lookup").is_some_and(|n| *n > 0)
            && ledger.requests.get("act").is_some_and(|n| *n > 0)
            && ledger.requests.get("summary").is_some_and(|n| *n > 0),
        "every kind of traffic ran: {:?}",
        ledger.requests
    );

    // Every acknowledged case and event is there exactly once, and nothing else is.
    let stored = stored(&db);
    assert_eq!(stored.len(), ledger.cases.len(), "cases in the database");
    for (case_id, told) in &ledger.cases {
        assert_eq!(stored.get(case_id), Some(told), "case {case_id}");
    }
    let numbers: BTreeSet<&String> = stored.values().map(|(no, _)| no).collect();
    assert_eq!(numbers.len(), stored.len(), "a case number given twice");

    // The dashboards agree with the ledger, over the days the run spanned.
    let days: BTreeSet<String> = numbers
        .iter()
        .filter_map(|no| no.split('-').nth(1))
        .map(|d| format!("{}-{}-{}", &d[..4], &d[4..6], &d[6..]))
        .collect();
    let (Some(from), Some(to)) = (days.first(), days.last()) else {
        panic!("no cases were accepted");
    };
    let summary = hall
        .get(
            &format!("/api/v1/stats/summary?from={from}&to={to}"),
            Some(&built.analyst),
        )
        .json();
    let completed = ledger
        .cases
        .values()
        .filter(|(_, actions)| actions.iter().any(|a| a == "complete"))
        .count();
    assert_eq!(summary["received"], ledger.cases.len(), "{summary}");
    assert_eq!(summary["completed"], completed, "{summary}");
}
