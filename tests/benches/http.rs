//! HTTP benchmarks of the `hall` binary on PostgreSQL, each a ratio measured in the same
//! run: the kiosk lookup and case acceptance over HTTP against the bare database doing the
//! same queries (the repository calls the handler makes, on a pool of the same size, no
//! HTTP), and against a trivial endpoint (`/healthz`: the HTTP ceiling); acceptance with the
//! outbox on (webhooks hearing of every case, delivered while the clerks work) against off,
//! and the dispatcher's delivery rate; every path also as a share of pgbench on the same
//! server in the same run (`-N` for writes, `-S` for reads); then the peak memory of the process under 200
//! concurrent connections.
//!
//! `cargo build --release --bin hall && cargo bench -p tests --bench http`
//!
//! Knobs: BENCH_SECONDS (per measurement, default 10), BENCH_CLIENTS (concurrent clients,
//! default 16), BENCH_POOL (the hall's and the bare client's pool, default 10),
//! BENCH_RSS_CONNECTIONS (default 200). The machine's PostgreSQL at 127.0.0.1:5432, or
//! HALL_TEST_POSTGRES_URL; a fresh database is made and dropped.

#[allow(dead_code)]
#[path = "common/mod.rs"]
mod common;
#[allow(dead_code, unused_imports)]
#[path = "../hall/support/mod.rs"]
mod support;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use api::query_code::QueryCodeKey;
use api::state::CalendarCache;
use chrono::{FixedOffset, Utc};
use common::receiver::Receiver;
use common::{Figures, QUERY_CODE_SECRET, drive, hall_env, memory, ms, pgbench, reset_peak};
use domain::case::workflow::{self, IntakeRequest, Moment, WorkflowError};
use domain::case::{Applicant, Case, IntakeDecision, IntakeMaterials};
use domain::clock::stored_moment;
use domain::ids::UserId;
use domain::outbox::OutboxRepository;
use domain::repository::{
    IdempotencyRecord, IdempotencyRepository, KioskLookupRepository, RepositoryError,
};
use persistence::personal::{DataKeys, parse_key};
use persistence::{AnyConnection, DatabaseUrl, Store, StoreOptions};
use serde_json::json;
use support::{
    ADMIN_PASSWORD, Backend, Client, DATA_KEY, HallProcess, HttpHall, TestDb, applicant,
    hall_over_http, setting,
};

/// Webhooks hearing of every acceptance in the heavier outbox run: the dispatcher delivers to
/// each in parallel (one message in flight per subscriber), so four keep its four workers busy.
const WEBHOOKS: usize = 4;

/// What the outbox measurement found besides the acceptance rate.
struct Dispatch {
    /// Messages delivered, from the first acceptance to the empty outbox.
    delivered: u64,
    /// Messages still queued when the clerks stopped.
    backlog: u64,
    /// Deliveries per second from the first acceptance to the last delivery.
    rate: f64,
    /// Deliveries per second after the clerks stopped, while a backlog remained (the
    /// dispatcher alone).
    drain_rate: Option<f64>,
}

/// Acceptance over HTTP with `webhooks` webhooks at a local receiver hearing of each case,
/// the hall's dispatcher delivering while the clerks work; waits until the outbox is empty,
/// then removes the webhooks.
fn accepting_with_outbox(
    webhooks: usize,
    hall: &HallProcess,
    built: &HttpHall,
    store: &Store,
    clients: usize,
    seconds: u64,
    received: &Mutex<Vec<(String, String)>>,
) -> (Figures, Dispatch) {
    let receiver = Receiver::start();
    let admin = hall.login("admin", ADMIN_PASSWORD);
    let hooks: Vec<String> = (0..webhooks)
        .map(|_| {
            let answer = hall.post(
                "/api/v1/webhooks",
                Some(&admin),
                &json!({"url": receiver.url, "events": ["case.accepted"]}),
            );
            assert_eq!(answer.status, 201, "{}", answer.text);
            answer.json()["id"].as_str().expect("id").to_owned()
        })
        .collect();
    let started = Instant::now();
    let figures = drive(clients, seconds, |i| {
        accepting(&hall.base, built, i, received)
    });
    let stopped = Instant::now();
    let queued = || {
        store
            .read(|conn| conn.outbox_counts())
            .expect("the outbox's figures")
            .queued
    };
    let backlog = queued();
    let at_stop = receiver.received();
    while queued() > 0 {
        assert!(
            stopped.elapsed() < Duration::from_secs(600),
            "the outbox did not empty in ten minutes"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let delivered = receiver.received();
    let last = receiver.last().unwrap_or(stopped);
    let rate = delivered as f64 / last.duration_since(started).as_secs_f64();
    let drain_rate = (backlog > 0 && last > stopped)
        .then(|| (delivered - at_stop) as f64 / last.duration_since(stopped).as_secs_f64());
    for hook in hooks {
        let path = format!("/api/v1/webhooks/{hook}");
        let answer = hall.send("DELETE", &path, Some(&admin), "application/json", "");
        assert_eq!(answer.status, 204, "{}", answer.text);
    }
    (
        figures,
        Dispatch {
            delivered,
            backlog,
            rate,
            drain_rate,
        },
    )
}

/// Clerk `i` of `built` accepting cases over HTTP, each with a new Idempotency-Key; the
/// numbers and codes go to `received`.
fn accepting<'a>(
    base: &str,
    built: &HttpHall,
    i: usize,
    received: &'a Mutex<Vec<(String, String)>>,
) -> impl FnMut() + 'a {
    let client = Client::new(base);
    let (token, item) = (built.clerks[i].clone(), built.item.clone());
    move || {
        let key = uuid::Uuid::now_v7().to_string();
        let answer = client.send_with_header(
            "POST",
            "/api/v1/cases",
            Some(&token),
            ("Idempotency-Key", &key),
            &json!({"item_id": item, "applicant": applicant()}).to_string(),
        );
        assert_eq!(answer.status, 201, "{}", answer.text);
        let receipt = answer.json();
        received.lock().expect("received").push((
            receipt["case_no"].as_str().expect("no").to_owned(),
            receipt["query_code"].as_str().expect("code").to_owned(),
        ));
    }
}

fn main() {
    let seconds: u64 = setting("BENCH_SECONDS", 10);
    let clients: usize = setting("BENCH_CLIENTS", 16);
    let pool: u32 = setting("BENCH_POOL", 10);
    let rss_connections: usize = setting("BENCH_RSS_CONNECTIONS", 200);
    let db = TestDb::new(Backend::Postgres);
    let pool_text = pool.to_string();
    let log_level = std::env::var("BENCH_LOG").unwrap_or_else(|_| "info".into());
    let env = hall_env(&pool_text, &log_level);
    let hall = HallProcess::start(&db.url, &env);
    let built = hall_over_http(&hall, clients as u32, 1);
    // The hall's own key, so the bare path seals and opens personal data as the hall does.
    let store = Store::open(
        DatabaseUrl::parse(&db.url).expect("url"),
        &StoreOptions {
            max_connections: pool,
            connection_timeout: Duration::from_secs(10),
            ..StoreOptions::default()
        },
    )
    .with_data_keys(DataKeys::new(&parse_key(DATA_KEY).expect("key"), &[]));
    let codes = QueryCodeKey::new(QUERY_CODE_SECRET.as_bytes());
    let calendars = CalendarCache::default();
    let received = Mutex::new(Vec::<(String, String)>::new());
    println!(
        "{clients} clients, {seconds} s each, pool {pool}, hall with {} workers",
        std::thread::available_parallelism().map_or(2, |n| n.get())
    );

    // The same server's own figures, in this run: what its bare transactions can do.
    eprintln!("measuring pgbench -N and -S…");
    let (pg_update, pg_select) = {
        let db = TestDb::new(Backend::Postgres);
        (
            pgbench(&db.url, "-N", clients, seconds, clients),
            pgbench(&db.url, "-S", clients, seconds, clients),
        )
    };

    eprintln!("measuring the trivial endpoint…");
    let trivial = drive(clients, seconds, |_| {
        let client = Client::new(&hall.base);
        move || assert_eq!(client.get("/healthz", None).status, 200)
    });

    eprintln!("measuring acceptance…");
    let accept_http = drive(clients, seconds, |i| {
        accepting(&hall.base, &built, i, &received)
    });
    // The outbox on, then off again: the ratio is against the mean of the runs either side,
    // which the growing tables slow alike.
    eprintln!("measuring acceptance with a webhook…");
    let (accept_outbox, _) =
        accepting_with_outbox(1, &hall, &built, &store, clients, seconds, &received);
    eprintln!("measuring acceptance with {WEBHOOKS} webhooks…");
    let (accept_busy, dispatch) =
        accepting_with_outbox(WEBHOOKS, &hall, &built, &store, clients, seconds, &received);
    eprintln!("measuring acceptance again…");
    let accept_after = drive(clients, seconds, |i| {
        accepting(&hall.base, &built, i, &received)
    });
    let accept_off = (accept_http.rps + accept_after.rps) / 2.0;

    // The same, each clerk in a centre, and so a region, of its own: nothing to wait for
    // but the day's shared statistics rows.
    eprintln!("measuring acceptance over many centres…");
    let accept_spread = {
        let db = TestDb::new(Backend::Postgres);
        let hall = HallProcess::start(&db.url, &env);
        let built = hall_over_http(&hall, clients as u32, clients as u32);
        let received = Mutex::default();
        drive(clients, seconds, |i| {
            accepting(&hall.base, &built, i, &received)
        })
    };

    // The handler's transaction without HTTP, JSON or the token check, one centre.
    let offset = FixedOffset::east_opt(8 * 3600).expect("offset");
    eprintln!("measuring the bare acceptance…");
    let accept_bare = drive(clients, seconds, |i| {
        let (store, codes, received, calendars) = (&store, &codes, &received, &calendars);
        let actor: UserId = built.clerk_ids[i].parse().expect("id");
        let window = built.windows[i].parse().expect("id");
        let item = built.item.parse().expect("id");
        let applicant: Applicant = serde_json::from_value(applicant()).expect("applicant");
        move || {
            let key = uuid::Uuid::now_v7().to_string();
            let now = Moment::new(stored_moment(Utc::now()), offset);
            let intake = IntakeRequest {
                item_id: item,
                window_id: window,
                applicant: applicant.clone(),
                note: String::new(),
                materials: IntakeMaterials::Recorded(Default::default()),
                decision: IntakeDecision::Accept,
            };
            let (case, code) = store
                .transaction(|conn| {
                    assert!(conn.idempotency_record(actor, &key)?.is_none());
                    // As the handler: the revision read `FOR SHARE`.
                    let calendar = calendars
                        .for_write(conn)
                        .map_err(|e| RepositoryError::Internal(e.to_string()))?;
                    // As the handler: the key's record before the case's number.
                    let remember = |conn: &mut AnyConnection, case: &Case| {
                        let record = IdempotencyRecord {
                            request_hash: "0".repeat(64),
                            region: case.region.clone(),
                            case_id: case.id,
                            created_at: now.at,
                        };
                        conn.remember_idempotency(actor, &key, &record)
                            .map_err(WorkflowError::from)
                    };
                    workflow::receive(conn, &calendar, codes, intake, actor, now, remember)
                        .map_err(|e: WorkflowError| RepositoryError::Internal(e.to_string()))
                })
                .expect("accept");
            received
                .lock()
                .expect("received")
                .push((case.case_no, code));
        }
    });

    let cases = received.into_inner().expect("received");
    // Client i looks up every case in turn, starting from its own place.
    let lookup_over_http = |i: usize| {
        let client = Client::new(&hall.base);
        let cases = &cases;
        let mut n = i * 7919;
        move || {
            n = (n + 1) % cases.len();
            let (case_no, code) = &cases[n];
            let answer = client.get(&format!("/api/v1/public/cases/{case_no}?code={code}"), None);
            assert_eq!(answer.status, 200, "{}", answer.text);
        }
    };
    eprintln!("measuring the kiosk lookup…");
    let lookup_http = drive(clients, seconds, lookup_over_http);

    // The handler's reads without HTTP or JSON: one statement for the case by number with
    // its item's, window's and centre's names, its public steps, the number's wrong codes and
    // the calendars' revision; then the code.
    eprintln!("measuring the bare lookup…");
    let lookup_bare = drive(clients, seconds, |i| {
        let (store, codes, cases, calendars) = (&store, &codes, &cases, &calendars);
        let mut n = i * 7919;
        move || {
            n = (n + 1) % cases.len();
            let (case_no, code) = &cases[n];
            // The hall's window of wrong codes (`HALL_KIOSK_CASE_WINDOW_SECONDS`, an hour).
            let since = Utc::now() - chrono::Duration::hours(1);
            store
                .read(|conn| {
                    let found = conn.kiosk_lookup(case_no, since)?;
                    let case = found.case.expect("case");
                    assert!(codes.verify(case_no, code, &case.query_code_hash));
                    calendars
                        .at(conn, found.calendar)
                        .map_err(|e| RepositoryError::Internal(e.to_string()))?;
                    Ok::<_, RepositoryError>(())
                })
                .expect("lookup");
        }
    });

    let (idle_peak, idle_now) = memory(hall.pid());
    // Reset the peak (VmHWM), so that it tells the crowd's alone.
    reset_peak(hall.pid());
    eprintln!("measuring the crowd…");
    let crowd = drive(rss_connections, seconds, lookup_over_http);
    let (crowd_peak, crowd_now) = memory(hall.pid());

    println!("\n| measurement | requests/s | p50 ms | p99 ms | ratio |");
    println!("|---|---:|---:|---:|---|");
    println!("| pgbench `-N` (simple update), {clients} clients | {pg_update:.0} | — | — | — |");
    println!("| pgbench `-S` (select only), {clients} clients | {pg_select:.0} | — | — | — |");
    let of_update = |f: Figures| format!("{:.1}% of pgbench -N", 100.0 * f.rps / pg_update);
    let of_select = |f: Figures| format!("{:.1}% of pgbench -S", 100.0 * f.rps / pg_select);
    let row = |name: &str, f: Figures, ratio: String| {
        println!(
            "| {name} | {:.0} | {} | {} | {ratio} |",
            f.rps,
            ms(f.p50),
            ms(f.p99)
        );
    };
    row(
        "trivial endpoint `GET /healthz` (HTTP ceiling)",
        trivial,
        "—".into(),
    );
    row(
        "kiosk lookup, bare database (1 statement)",
        lookup_bare,
        of_select(lookup_bare),
    );
    row(
        "kiosk lookup over HTTP",
        lookup_http,
        format!(
            "{:.0}% of bare, {:.0}% of ceiling, {}",
            100.0 * lookup_http.rps / lookup_bare.rps,
            100.0 * lookup_http.rps / trivial.rps,
            of_select(lookup_http)
        ),
    );
    row(
        "case acceptance, bare transaction",
        accept_bare,
        of_update(accept_bare),
    );
    row(
        "case acceptance over HTTP",
        accept_http,
        format!(
            "{:.0}% of bare, {:.0}% of ceiling, {}",
            100.0 * accept_http.rps / accept_bare.rps,
            100.0 * accept_http.rps / trivial.rps,
            of_update(accept_http)
        ),
    );
    row(
        "case acceptance over HTTP, the same again after the outbox run",
        accept_after,
        "—".into(),
    );
    row(
        "case acceptance over HTTP, outbox on (a webhook hears of each case)",
        accept_outbox,
        format!(
            "**{:.0}% of off** (the runs before and after; target ≥ 85%)",
            100.0 * accept_outbox.rps / accept_off
        ),
    );
    row(
        &format!("case acceptance over HTTP, {WEBHOOKS} webhooks hear of each case"),
        accept_busy,
        format!("{:.0}% of off", 100.0 * accept_busy.rps / accept_off),
    );
    row(
        &format!("case acceptance over HTTP, {clients} clerks in {clients} centres"),
        accept_spread,
        format!(
            "{:.1}× one centre's, {}",
            accept_spread.rps / accept_http.rps,
            of_update(accept_spread)
        ),
    );
    row(
        &format!("kiosk lookup, {rss_connections} connections"),
        crowd,
        "—".into(),
    );
    println!(
        "\nhall memory: {idle_now:.1} MiB resident after the runs at {clients} clients (peak since start \
         {idle_peak:.1} MiB, signing in included); peak {crowd_peak:.1} MiB while {rss_connections} \
         connections looked cases up, {crowd_now:.1} MiB after (target ≤ 50 MiB, issue 19)"
    );
    println!(
        "\noutbox: {} messages delivered to the local receiver at {:.0}/s from the first \
         acceptance to the last delivery; {} still queued when the clerks stopped{}",
        dispatch.delivered,
        dispatch.rate,
        dispatch.backlog,
        dispatch
            .drain_rate
            .map(|r| format!(", delivered at {r:.0}/s by the dispatcher alone"))
            .unwrap_or_default()
    );
    println!("{} cases accepted in the run", cases.len());
}
