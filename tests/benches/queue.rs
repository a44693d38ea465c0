//! The queue's benchmark on PostgreSQL (issue 15, item 8): 20 windows calling the next
//! ticket over 1,000 waiting, over HTTP against the bare transaction doing the same work
//! (the `call_next` workflow and the handler's read of the ticket's cases, on a pool of the
//! same size, no HTTP); then 500 screens on one process's display stream: the time from a
//! call's answer to the moment the last screen has it, and the process's memory.
//!
//! `cargo build --release --bin hall && cargo bench -p tests --bench queue`
//!
//! Then pgbench `-N` on the same server with as many clients as windows, for the share
//! issue 19 asks of call-next.
//!
//! Knobs: BENCH_WINDOWS (windows calling, each with its clerk, default 20), BENCH_TICKETS
//! (waiting tickets per round, 1000), BENCH_ROUNDS (rounds over HTTP and as many bare, 4),
//! BENCH_POOL (the hall's and the bare side's pool, 10), BENCH_SCREENS (display streams,
//! 500), BENCH_DISPLAY_CALLS (calls timed to the last screen, 50), BENCH_LOG (the hall's
//! RUST_LOG, info). The machine's PostgreSQL at 127.0.0.1:5432, or HALL_TEST_POSTGRES_URL;
//! a fresh database is made and dropped.

#[allow(dead_code)]
#[path = "common/mod.rs"]
mod common;
#[allow(dead_code, unused_imports)]
#[path = "../hall/support/mod.rs"]
mod support;

use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead, BufReader};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Condvar, Mutex};
use std::time::{Duration, Instant};

use chrono::{Datelike, FixedOffset, NaiveDate, Utc};
use common::{Figures, hall_env, memory, ms, pgbench, reset_peak};
use diesel::sql_types::Text;
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl};
use domain::ids::{UserId, WindowId};
use domain::queue::workflow::{HallTime, QueueWorkflowError, call_next};
use domain::repository::{QueueRepository, RepositoryError};
use persistence::personal::{DataKeys, parse_key};
use persistence::{DatabaseUrl, Store, StoreOptions};
use serde_json::{Value, json};
use support::{Backend, Client, DATA_KEY, HallProcess, TestDb, hall_over_http, setting};

/// The hall's offset from UTC (its default, UTC+8).
fn offset() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("offset")
}

/// The hall's local day now.
fn hall_today() -> NaiveDate {
    Utc::now().with_timezone(&offset()).date_naive()
}

/// The hall as the benchmark drives it: one centre, one queue, windows held open by their
/// clerks.
struct Hall {
    base: String,
    center: String,
    queue: String,
    windows: Vec<String>,
    clerks: Vec<String>,
    clerk_ids: Vec<String>,
}

/// One round of calls: each call's latency and ticket, and the time from the start to the
/// last call answered.
struct Round {
    latencies: Vec<Duration>,
    called: Vec<String>,
    elapsed: Duration,
    /// Calls answered 503 (no connection within the hall's budget) and tried again.
    retried: usize,
}

impl Round {
    fn figures(&mut self) -> Figures {
        Figures::of(&mut self.latencies, self.elapsed)
    }
}

/// Runs `call(i)` from `clients` threads at once, each until it says nobody waits (`None`);
/// `Some(Err(()))` is a refusal to try again.
fn calling<F>(clients: usize, make: impl Fn(usize) -> F + Sync) -> Round
where
    F: FnMut() -> Option<Result<String, ()>>,
{
    let start = Barrier::new(clients + 1);
    let results = Mutex::new(Vec::new());
    let retried = AtomicUsize::new(0);
    let began = std::thread::scope(|scope| {
        for i in 0..clients {
            let (start, results, make, retried) = (&start, &results, &make, &retried);
            scope.spawn(move || {
                let mut call = make(i);
                let mut own = Vec::new();
                start.wait();
                loop {
                    let t = Instant::now();
                    match call() {
                        Some(Ok(ticket)) => own.push((t.elapsed(), ticket, Instant::now())),
                        Some(Err(())) => {
                            retried.fetch_add(1, Ordering::Relaxed);
                        }
                        None => break,
                    }
                }
                results.lock().expect("results").extend(own);
            });
        }
        start.wait();
        Instant::now()
    });
    let results = results.into_inner().expect("results");
    let last = results.iter().map(|r| r.2).max().unwrap_or(began);
    Round {
        elapsed: last.saturating_duration_since(began),
        latencies: results.iter().map(|r| r.0).collect(),
        called: results.into_iter().map(|r| r.1).collect(),
        retried: retried.into_inner(),
    }
}

/// Asserts that `round` called every ticket of `issued` once and no other.
fn each_called_once(round: &Round, issued: &[String], what: &str) {
    let distinct: BTreeSet<&String> = round.called.iter().collect();
    assert_eq!(
        distinct.len(),
        round.called.len(),
        "{what}: a ticket was called twice"
    );
    assert_eq!(
        distinct,
        issued.iter().collect::<BTreeSet<_>>(),
        "{what}: the tickets called are not those issued"
    );
}

/// Makes the hall's local day today a working day in the calendar of `division`, as an
/// administrator corrects a year through the API, when it is not one (a weekend or a
/// holiday): tickets are only issued on working days. Whether it had to.
fn open_today(client: &Client, admin: &str, division: &str) -> bool {
    let today = hall_today();
    let yesterday = today.pred_opt().expect("a day before");
    let working = || {
        let answer = client.get(
            &format!(
                "/api/v1/calendar/working-days?from={yesterday}&to={today}&division={division}"
            ),
            Some(admin),
        );
        assert_eq!(answer.status, 200, "{}", answer.text);
        answer.json()["working_days"] == 1
    };
    if working() {
        return false;
    }
    let year = today.year();
    let answer = client.get(&format!("/api/v1/calendar/{year}"), Some(admin));
    assert_eq!(answer.status, 200, "{}", answer.text);
    let stored = answer.json();
    let day = today.to_string();
    let holidays: Vec<Value> = stored["holidays"]
        .as_array()
        .expect("holidays")
        .iter()
        .filter(|h| !(h["from"].as_str() <= Some(&day) && Some(day.as_str()) <= h["to"].as_str()))
        .cloned()
        .collect();
    let mut working_days = stored["working_days"].as_array().expect("days").clone();
    if matches!(today.weekday(), chrono::Weekday::Sat | chrono::Weekday::Sun) {
        working_days.push(json!(day));
    }
    let answer = client.put(
        &format!("/api/v1/calendar/{year}"),
        Some(admin),
        &json!({"year": year, "notice": stored["notice"], "holidays": holidays, "working_days": working_days}),
    );
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert!(
        working(),
        "{today} is still closed in {division}'s calendar (a regional holiday?)"
    );
    true
}

/// Builds the hall over HTTP: `windows` windows with a clerk each, one queue issuing all day,
/// every window open.
fn build(hall: &HallProcess, windows: usize) -> (Hall, bool) {
    let built = hall_over_http(hall, windows as u32, 1);
    let admin = hall.admin_token();
    let window = hall.get(
        &format!("/api/v1/windows/{}", built.windows[0]),
        Some(&admin),
    );
    let center = window.json()["center_id"]
        .as_str()
        .expect("centre")
        .to_owned();
    let opened = open_today(hall, &admin, "640105");
    let queue = hall.post(
        &format!("/api/v1/centers/{center}/queues"),
        Some(&admin),
        &json!({"prefix": "A", "name": "综合业务", "item_ids": [built.item], "daily_cap": 9999,
                "opens_at": "00:00", "closes_at": "23:59", "waiting_warning": 9999}),
    );
    assert_eq!(queue.status, 201, "{}", queue.text);
    let queue = queue.json()["id"].as_str().expect("id").to_owned();
    for (window, clerk) in built.windows.iter().zip(&built.clerks) {
        let answer = hall.put(
            &format!("/api/v1/windows/{window}/session"),
            Some(clerk),
            &json!({"state": "open"}),
        );
        assert_eq!(answer.status, 200, "{}", answer.text);
    }
    let hall = Hall {
        base: hall.base.clone(),
        center,
        queue,
        windows: built.windows,
        clerks: built.clerks,
        clerk_ids: built.clerk_ids,
    };
    (hall, opened)
}

impl Hall {
    /// A keep-alive client, connected.
    fn client(&self) -> Client {
        let client = Client::new(&self.base);
        assert_eq!(client.get("/healthz", None).status, 200);
        client
    }

    /// Issues `n` tickets at the door, the clerks at once: their ids, in `called`.
    fn issue(&self, n: usize) -> Round {
        let clerks = self.clerks.len();
        let next = AtomicUsize::new(0);
        calling(clerks, |i| {
            let (client, next) = (self.client(), &next);
            let path = format!("/api/v1/centers/{}/tickets", self.center);
            let body = json!({"queue_id": self.queue});
            move || {
                if next.fetch_add(1, Ordering::Relaxed) >= n {
                    return None;
                }
                let answer = client.post(&path, Some(&self.clerks[i]), &body);
                assert_eq!(answer.status, 201, "{}", answer.text);
                Some(Ok(answer.json()["id"].as_str().expect("id").to_owned()))
            }
        })
    }

    /// Every window calls over HTTP until nobody waits.
    fn call_over_http(&self) -> Round {
        calling(self.windows.len(), |i| {
            let client = self.client();
            let path = format!("/api/v1/windows/{}/call-next", self.windows[i]);
            move || {
                let answer = client.post(&path, Some(&self.clerks[i]), &json!({}));
                match answer.status {
                    200 => Some(Ok(answer.json()["id"].as_str().expect("id").to_owned())),
                    404 => None,
                    503 => Some(Err(())),
                    other => panic!("call-next answered {other}: {}", answer.text),
                }
            }
        })
    }

    /// Every window calls through the workflow on `store`, without HTTP, until nobody waits:
    /// the handler's transaction — the call (window, session, queues, the claim with SKIP
    /// LOCKED, the update, the event, the call and the counts for the screens) and the
    /// ticket's cases for the answer.
    fn call_bare(&self, store: &Store) -> Round {
        calling(self.windows.len(), |i| {
            let window: WindowId = self.windows[i].parse().expect("id");
            let clerk: UserId = self.clerk_ids[i].parse().expect("id");
            move || {
                let now = HallTime {
                    at: Utc::now(),
                    offset: offset(),
                };
                let called = store.transaction(|conn| {
                    let (ticket, _) = call_next(conn, window, clerk, now)?;
                    conn.cases_of_ticket(ticket.id)?;
                    Ok::<_, QueueWorkflowError>(ticket)
                });
                match called {
                    Ok(ticket) => Some(Ok(ticket.id.to_string())),
                    Err(QueueWorkflowError::NobodyWaiting) => None,
                    Err(QueueWorkflowError::Repository(RepositoryError::Unavailable(_))) => {
                        Some(Err(()))
                    }
                    Err(other) => panic!("call_next: {other}"),
                }
            }
        })
    }
}

/// One text column, `text`.
#[derive(QueryableByName)]
struct TextRow {
    #[diesel(sql_type = Text)]
    text: String,
}

/// The median time, in ms, of the two reads each call makes whose work grows with the day's
/// tickets, from a connection of their own, 11 times each: the counts for the screens
/// (`waiting_now`, run under the centre's display lock) and the claim of the next ticket.
fn per_call_reads(url: &str, hall: &Hall) -> (f64, f64, String) {
    let mut conn = PgConnection::establish(url).expect("a connection");
    let day = hall_today();
    let (center, queue) = (&hall.center, &hall.queue);
    let mut timed = |sql: &str| {
        let mut times: Vec<f64> = (0..11)
            .map(|_| {
                let t = Instant::now();
                diesel::sql_query(sql)
                    .get_result::<TextRow>(&mut conn)
                    .expect("a read");
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        spread(&mut times).0
    };
    let waiting = timed(&format!(
        "SELECT coalesce(string_agg(n::text, ','), '') AS text FROM (SELECT queue_id, count(*) AS n, \
         min(arrived_at) FROM tickets WHERE center_id = '{center}' AND day = '{day}' \
         AND status = 'waiting' GROUP BY queue_id) q"
    ));
    let claim = timed(&format!(
        "SELECT coalesce(string_agg(id, ','), '') AS text FROM (SELECT id FROM tickets \
         WHERE queue_id IN ('{queue}') AND day = '{day}' AND status = 'waiting' \
         ORDER BY line_class, in_line_since, id LIMIT 1 FOR UPDATE SKIP LOCKED) q"
    ));
    let count = diesel::sql_query(format!(
        "SELECT count(*)::text AS text FROM tickets WHERE center_id = '{center}' AND day = '{day}'"
    ))
    .get_result::<TextRow>(&mut conn)
    .expect("a count")
    .text;
    (waiting, claim, count)
}

/// Samples what the database's connections inside a statement or a transaction are doing,
/// every 20 ms, while `work` runs: the share of samples per wait (`CPU` when none; `idle in
/// transaction` while the transaction waits for its client's next statement).
fn sampling_waits<T>(url: &str, work: impl FnOnce() -> T) -> (T, Vec<(String, f64)>) {
    let stop = AtomicBool::new(false);
    let mut conn = PgConnection::establish(url).expect("a connection to sample");
    std::thread::scope(|scope| {
        let sampler = scope.spawn(|| {
            let mut counts: HashMap<String, usize> = HashMap::new();
            let mut total = 0;
            while !stop.load(Ordering::Relaxed) {
                let sample: TextRow = diesel::sql_query(
                    "SELECT coalesce(string_agg(CASE WHEN state <> 'active' THEN 'idle in transaction' \
                     ELSE coalesce(wait_event_type || ':' || wait_event, 'CPU') END, ','), '') AS text \
                     FROM pg_stat_activity WHERE datname = current_database() \
                     AND state IN ('active', 'idle in transaction') \
                     AND backend_type = 'client backend' AND pid <> pg_backend_pid()",
                )
                .get_result(&mut conn)
                .expect("pg_stat_activity");
                for wait in sample.text.split(',').filter(|w| !w.is_empty()) {
                    *counts.entry(wait.to_owned()).or_default() += 1;
                    total += 1;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let mut shares: Vec<(String, f64)> = counts
                .into_iter()
                .map(|(wait, n)| (wait, n as f64 / total.max(1) as f64))
                .collect();
            shares.sort_by(|a, b| b.1.total_cmp(&a.1));
            shares
        });
        let result = work();
        stop.store(true, Ordering::Relaxed);
        (result, sampler.join().expect("the sampler"))
    })
}

fn waits_text(waits: &[(String, f64)]) -> String {
    waits
        .iter()
        .take(5)
        .map(|(wait, share)| format!("{wait} {:.0}%", share * 100.0))
        .collect::<Vec<_>>()
        .join(", ")
}

/// When the screens received each call, by ticket number.
#[derive(Default)]
struct Screens {
    seen: Mutex<HashMap<String, Seen>>,
    changed: Condvar,
    /// Screens that have received their first event.
    ready: AtomicUsize,
}

struct Seen {
    screens: usize,
    first: Instant,
    last: Instant,
}

/// Opens `n` public display streams of `center`, each read line by line on a thread of its
/// own, and waits until each has received its first event.
fn open_screens(base: &str, center: &str, n: usize) -> Arc<Screens> {
    let screens = Arc::new(Screens::default());
    let url = format!("{base}/api/v1/public/centers/{center}/display");
    for i in 0..n {
        let (screens, url) = (screens.clone(), url.clone());
        std::thread::Builder::new()
            .name(format!("screen-{i}"))
            .stack_size(256 * 1024)
            .spawn(move || watch(&url, &screens))
            .expect("a screen's thread");
    }
    let since = Instant::now();
    while screens.ready.load(Ordering::Relaxed) < n {
        assert!(
            since.elapsed() < Duration::from_secs(120),
            "only {} of {n} screens received their first event within 2 minutes",
            screens.ready.load(Ordering::Relaxed)
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    screens
}

/// One screen: notes the moment each `call` event arrives, until the stream ends.
fn watch(url: &str, screens: &Screens) {
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent();
    let mut response = agent.get(url).call().expect("a display stream");
    let status = response.status().as_u16();
    assert_eq!(
        status,
        200,
        "display: {}",
        response.body_mut().read_to_string().unwrap_or_default()
    );
    let reader = BufReader::new(response.into_body().into_reader());
    let (mut kind, mut first) = (String::new(), true);
    for line in reader.lines() {
        let Ok(line) = line else { return };
        if let Some(value) = line.strip_prefix("event: ") {
            value.clone_into(&mut kind);
        } else if let Some(data) = line.strip_prefix("data: ") {
            let at = Instant::now();
            if first {
                first = false;
                screens.ready.fetch_add(1, Ordering::Relaxed);
            }
            if kind == "call" {
                let message: Value = serde_json::from_str(data).expect("data is JSON");
                let ticket = message["ticket"].as_str().expect("a ticket").to_owned();
                let mut seen = screens.seen.lock().expect("seen");
                let seen = seen.entry(ticket).or_insert(Seen {
                    screens: 0,
                    first: at,
                    last: at,
                });
                seen.screens += 1;
                seen.first = seen.first.min(at);
                seen.last = seen.last.max(at);
                screens.changed.notify_all();
            }
        }
    }
}

/// Milliseconds from `from` to `to`, negative when `to` came first.
fn signed_ms(from: Instant, to: Instant) -> f64 {
    if to >= from {
        (to - from).as_secs_f64() * 1000.0
    } else {
        -((from - to).as_secs_f64() * 1000.0)
    }
}

/// p50, p99 and the largest of `values`.
fn spread(values: &mut [f64]) -> (f64, f64, f64) {
    values.sort_by(f64::total_cmp);
    let at = |q: f64| values[((values.len() as f64 * q) as usize).min(values.len() - 1)];
    (at(0.50), at(0.99), values[values.len() - 1])
}

fn main() {
    let windows: usize = setting("BENCH_WINDOWS", 20);
    let tickets: usize = setting("BENCH_TICKETS", 1000);
    let rounds: usize = setting("BENCH_ROUNDS", 4);
    let pool: u32 = setting("BENCH_POOL", 10);
    let screens_n: usize = setting("BENCH_SCREENS", 500);
    let display_calls: usize = setting("BENCH_DISPLAY_CALLS", 50);
    assert!(
        2 * rounds * tickets + display_calls <= 9999,
        "a queue issues at most 9,999 tickets a day: lower BENCH_ROUNDS or BENCH_TICKETS"
    );
    let db = TestDb::new(Backend::Postgres);
    let pool_text = pool.to_string();
    let streams = (screens_n + 100).to_string();
    let log_level = std::env::var("BENCH_LOG").unwrap_or_else(|_| "info".into());
    let mut env = hall_env(&pool_text, &log_level);
    // Every screen comes from 127.0.0.1: the caps on streams are raised above the screens.
    env.extend([
        ("HALL_DISPLAY_STREAMS", streams.as_str()),
        ("HALL_DISPLAY_STREAMS_PER_CLIENT", streams.as_str()),
    ]);
    let process = HallProcess::start(&db.url, &env);
    let (hall, opened) = build(&process, windows);
    let store = Store::open(
        DatabaseUrl::parse(&db.url).expect("url"),
        &StoreOptions {
            max_connections: pool,
            connection_timeout: Duration::from_secs(10),
            ..StoreOptions::default()
        },
    )
    .with_data_keys(DataKeys::new(&parse_key(DATA_KEY).expect("key"), &[]));
    let today = hall_today();
    println!(
        "{windows} windows, {tickets} tickets a round, {rounds} rounds each way, pool {pool}, \
         hall with 2 workers; hall day {today} ({:?}){}",
        today.weekday(),
        if opened {
            ", made a working day in the bench database's calendar"
        } else {
            ""
        }
    );

    let (mut issuing, mut http, mut bare) = (Vec::new(), Vec::new(), Vec::new());
    let (mut http_waits, mut bare_waits) = (Vec::new(), Vec::new());
    println!(
        "\n| round | issue/s | HTTP calls/s | p50 ms | p99 ms | bare calls/s | p50 ms | p99 ms | \
         tickets of the day | counts read ms | claim ms |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    // Each call's counts read grows with the day's tickets: the side that goes second in a
    // round meets 1,000 more, so the sides take turns going first.
    for r in 1..=rounds {
        let mut first = None;
        let (mut over_http, mut on_store) = (None, None);
        for side in if r % 2 == 1 { [0, 1] } else { [1, 0] } {
            let mut issued = hall.issue(tickets);
            let reads = per_call_reads(&db.url, &hall);
            first.get_or_insert((issued.figures(), reads));
            if side == 0 {
                let (round, waits) = sampling_waits(&db.url, || hall.call_over_http());
                each_called_once(&round, &issued.called, "over HTTP");
                http_waits.push(waits);
                over_http = Some(round);
            } else {
                let (round, waits) = sampling_waits(&db.url, || hall.call_bare(&store));
                each_called_once(&round, &issued.called, "bare");
                bare_waits.push(waits);
                on_store = Some(round);
            }
            issuing.push(issued);
        }
        let (
            Some((issue, (counts_ms, claim_ms, day_tickets))),
            Some(mut over_http),
            Some(mut on_store),
        ) = (first, over_http, on_store)
        else {
            unreachable!("both sides ran");
        };
        let (h, b) = (over_http.figures(), on_store.figures());
        println!(
            "| {r} ({} first) | {:.0} | {:.0} | {} | {} | {:.0} | {} | {} | {day_tickets} | {counts_ms:.2} | {claim_ms:.2} |",
            if r % 2 == 1 { "HTTP" } else { "bare" },
            issue.rps,
            h.rps,
            ms(h.p50),
            ms(h.p99),
            b.rps,
            ms(b.p50),
            ms(b.p99)
        );
        http.push(over_http);
        bare.push(on_store);
    }
    let pooled = |rounds: &mut Vec<Round>| {
        let elapsed: Duration = rounds.iter().map(|r| r.elapsed).sum();
        let mut all: Vec<Duration> = rounds.iter().flat_map(|r| r.latencies.clone()).collect();
        let rates: Vec<f64> = rounds.iter_mut().map(|r| r.figures().rps).collect();
        let retried: usize = rounds.iter().map(|r| r.retried).sum();
        (Figures::of(&mut all, elapsed), rates, retried)
    };
    let (http_all, http_rates, http_retried) = pooled(&mut http);
    let (bare_all, bare_rates, bare_retried) = pooled(&mut bare);
    let range = |rates: &[f64]| {
        format!(
            "{:.0}–{:.0}",
            rates.iter().copied().fold(f64::INFINITY, f64::min),
            rates.iter().copied().fold(0.0, f64::max)
        )
    };
    let (issue_all, _, _) = pooled(&mut issuing);

    // 500 screens on the process: its memory before and with them, and each call's way to
    // the last of them. The tickets are issued before the screens open.
    let (_, rss_none) = memory(process.pid());
    assert_eq!(hall.issue(display_calls).called.len(), display_calls);
    reset_peak(process.pid());
    let (_, rss_before) = memory(process.pid());
    let opening = Instant::now();
    let screens = open_screens(&hall.base, &hall.center, screens_n);
    let opened_in = opening.elapsed();
    std::thread::sleep(Duration::from_secs(1));
    let (_, rss_open) = memory(process.pid());
    let clients: Vec<Client> = (0..windows).map(|_| hall.client()).collect();
    let (mut answer_ms, mut to_last, mut to_first, mut from_request) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for k in 0..display_calls {
        let w = k % windows;
        let t0 = Instant::now();
        let answer = clients[w].post(
            &format!("/api/v1/windows/{}/call-next", hall.windows[w]),
            Some(&hall.clerks[w]),
            &json!({}),
        );
        let t1 = Instant::now();
        assert_eq!(answer.status, 200, "{}", answer.text);
        let number = answer.json()["number"].as_str().expect("number").to_owned();
        let deadline = t1 + Duration::from_secs(30);
        let mut seen = screens.seen.lock().expect("seen");
        let (first, last) = loop {
            if let Some(s) = seen.get(&number)
                && s.screens >= screens_n
            {
                break (s.first, s.last);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "{number}: {} of {screens_n} screens within 30 s",
                seen.get(&number).map_or(0, |s| s.screens)
            );
            seen = screens.changed.wait_timeout(seen, left).expect("seen").0;
        };
        drop(seen);
        answer_ms.push((t1 - t0).as_secs_f64() * 1000.0);
        to_last.push(signed_ms(t1, last));
        to_first.push(signed_ms(t1, first));
        from_request.push(signed_ms(t0, last));
        // Calls at a hall come seconds apart: the next once this one's counts are shown.
        std::thread::sleep(Duration::from_millis(100));
    }
    let (peak_open, rss_after) = memory(process.pid());
    // The same server's simple update in this run, with as many clients as windows call
    // (issue 19): what its bare transactions can do.
    eprintln!("measuring pgbench -N…");
    let pg_update = {
        let db = TestDb::new(Backend::Postgres);
        pgbench(&db.url, "-N", windows, 10, windows)
    };

    println!("\n| measurement | calls/s | p50 ms | p99 ms | ratio |");
    println!("|---|---:|---:|---:|---|");
    println!("| pgbench `-N` (simple update), {windows} clients | {pg_update:.0} | — | — | — |");
    println!(
        "| call-next, bare transaction ({windows} threads, pool {pool}) | {:.0} (rounds {}) | {} | {} | — |",
        bare_all.rps,
        range(&bare_rates),
        ms(bare_all.p50),
        ms(bare_all.p99)
    );
    println!(
        "| call-next over HTTP ({windows} clerks) | {:.0} (rounds {}) | {} | {} | **{:.0}% of bare**, **{:.1}% of pgbench -N** (target ≥ 25%, issue 19) |",
        http_all.rps,
        range(&http_rates),
        ms(http_all.p50),
        ms(http_all.p99),
        100.0 * http_all.rps / bare_all.rps,
        100.0 * http_all.rps / pg_update
    );
    println!(
        "| staff issue over HTTP ({windows} clerks), for scale | {:.0} | {} | {} | — |",
        issue_all.rps,
        ms(issue_all.p50),
        ms(issue_all.p99)
    );
    println!(
        "\nretried after 503: {http_retried} over HTTP, {bare_retried} bare (pool timeouts); \
         every ticket called exactly once in every round"
    );
    for (name, waits) in [("HTTP", &http_waits), ("bare", &bare_waits)] {
        for (r, w) in waits.iter().enumerate() {
            println!("database waits, {name} round {}: {}", r + 1, waits_text(w));
        }
    }

    let (a50, a99, amax) = spread(&mut answer_ms);
    let (l50, l99, lmax) = spread(&mut to_last);
    let (f50, f99, fmax) = spread(&mut to_first);
    let (r50, r99, rmax) = spread(&mut from_request);
    println!(
        "\n{screens_n} screens opened in {:.1} s; {display_calls} calls, one at a time:",
        opened_in.as_secs_f64()
    );
    println!("\n| {screens_n} screens | p50 ms | p99 ms | max ms |");
    println!("|---|---:|---:|---:|");
    println!("| call-next answered (request to answer) | {a50:.1} | {a99:.1} | {amax:.1} |");
    println!("| answer → first screen has the call | {f50:.1} | {f99:.1} | {fmax:.1} |");
    println!("| answer → last screen has the call | {l50:.1} | {l99:.1} | {lmax:.1} |");
    println!("| request → last screen has the call | {r50:.1} | {r99:.1} | {rmax:.1} |");
    println!(
        "\nhall memory: {rss_none:.1} MiB resident with no screen (after the rounds), \
         {rss_before:.1} MiB before opening; {rss_open:.1} MiB with {screens_n} screens open \
         ({:.1} KiB a screen), {rss_after:.1} MiB after the calls; peak {peak_open:.1} MiB \
         while they were open and called",
        (rss_open - rss_before) * 1024.0 / screens_n as f64
    );
}
