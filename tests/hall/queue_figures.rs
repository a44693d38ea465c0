//! Stories of the queue's figures: waits and service checked against the tickets' own
//! clock, breakdowns that add up, a clerk who sees only their window, the as-of rule on a
//! history written with chosen times, and the demo hall's synthetic queue — on both
//! databases.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::cases::id;
use crate::on_both_backends;
use crate::queue::morning;
use crate::support::{Backend, TestApp};

mod as_of;
mod demo;

const COUNTS: [&str; 4] = ["issued", "called", "finished", "no_show"];
/// What a breakdown's total shares with the plain total (the window and clerk breakdowns add
/// the sessions' seconds).
const SHARED: [&str; 11] = [
    "issued",
    "called",
    "finished",
    "no_show",
    "cancelled",
    "waiting",
    "at_window",
    "mean_wait_seconds",
    "max_wait_seconds",
    "mean_service_seconds",
    "no_show_rate",
];

fn moment(value: &Value) -> DateTime<Utc> {
    value
        .as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .unwrap_or_else(|| panic!("a moment: {value}"))
        .with_timezone(&Utc)
}

pub(super) fn stats(app: &TestApp, token: &str, query: &str) -> Value {
    let answer = app.get(&format!("/api/v1/stats/queue?{query}"), Some(token));
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.json()
}

/// Every group of every breakdown adds up to the total (by item too: no ticket here became
/// cases of two items), and the hours are all there.
pub(super) fn breakdowns_add_up(app: &TestApp, token: &str, query: &str) -> Value {
    let total = stats(app, token, query)["total"].clone();
    for by in ["center", "queue", "window", "clerk", "item", "hour"] {
        let answer = stats(app, token, &format!("{query}&by={by}"));
        for figure in SHARED {
            assert_eq!(answer["total"][figure], total[figure], "{figure} by {by}");
        }
        let groups = answer["groups"].as_array().expect("groups");
        if by == "hour" {
            assert_eq!(groups.len(), 24);
        }
        for figure in COUNTS {
            let sum: u64 = groups.iter().map(|g| g[figure].as_u64().expect("n")).sum();
            assert_eq!(Some(sum), total[figure].as_u64(), "{figure} by {by}");
        }
    }
    total
}

fn a_morning_s_waits_and_services_match_the_tickets_clock(backend: Backend) {
    let m = morning(backend);
    let (hall, app) = (&m.hall, &m.hall.app);
    let tickets: Vec<Value> = [&m.queue_a, &m.queue_a, &m.queue_b, &m.queue_a]
        .iter()
        .map(|q| m.take(q, None).json())
        .collect();
    // A second passes, so every wait is a wait.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    m.open(&hall.clerk1, &hall.window1);
    m.open(&hall.clerk2, &hall.window2);
    let served = m.call(&hall.clerk1, &hall.window1).json();
    let serving = m.done(&hall.clerk1, &served, "serve");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    m.done(&hall.clerk1, &serving, "finish");
    let absent = m.call(&hall.clerk2, &hall.window2).json();
    m.done(&hall.clerk2, &absent, "no_show");
    let standing = m.call(&hall.clerk1, &hall.window1).json();
    assert_eq!(standing["status"], "called");

    // The clock, as each ticket tells it.
    let read = |t: &Value| {
        app.get(
            &format!("/api/v1/tickets/{}", id(t)),
            Some(&hall.supervisor),
        )
        .json()
    };
    let all: Vec<Value> = tickets.iter().map(read).collect();
    let waits: Vec<i64> = all
        .iter()
        .filter(|t| !t["first_called_at"].is_null())
        .map(|t| (moment(&t["first_called_at"]) - moment(&t["arrived_at"])).num_seconds())
        .collect();
    assert_eq!(waits.len(), 3);
    assert!(waits.iter().all(|w| *w >= 1), "{waits:?}");
    let finished = read(&served);
    let service = (moment(&finished["ended_at"]) - moment(&finished["called_at"])).num_seconds();

    let total = breakdowns_add_up(app, &hall.supervisor, "");
    assert_eq!(
        (&total["issued"], &total["called"], &total["finished"]),
        (&json!(4), &json!(3), &json!(1))
    );
    assert_eq!(
        (&total["no_show"], &total["waiting"]),
        (&json!(1), &json!(1))
    );
    assert_eq!(
        (&total["at_window"], &total["cancelled"]),
        (&json!(1), &json!(0))
    );
    let mean = waits.iter().sum::<i64>() as f64 / 3.0;
    assert_eq!(total["mean_wait_seconds"].as_f64(), Some(mean));
    assert_eq!(total["max_wait_seconds"], json!(waits.iter().max()));
    assert_eq!(total["mean_service_seconds"].as_f64(), Some(service as f64));
    assert_eq!(total["no_show_rate"].as_f64(), Some(1.0 / 3.0));

    // By window: the seconds open are those of the sessions closed so far (none yet).
    let by_window = stats(app, &hall.supervisor, "by=window");
    let none = by_window["groups"]
        .as_array()
        .and_then(|g| g.iter().find(|g| g["key"] == "none"))
        .expect("the waiting ticket belongs to no window");
    assert_eq!((&none["issued"], &none["label"]), (&json!(1), &json!("无")));
    assert_eq!(by_window["total"]["open_seconds"], 0);

    // A clerk sees the tickets their window last called, and no other window's.
    let own = stats(app, &hall.clerk1, "by=clerk");
    assert_eq!(
        (&own["total"]["issued"], &own["total"]["finished"]),
        (&json!(2), &json!(1))
    );
    let other = app.get(
        &format!("/api/v1/stats/queue?window={}", hall.window2),
        Some(&hall.clerk1),
    );
    assert_eq!(other.status, 403, "{}", other.text);
    // The period is bounded; CSV has the same rows.
    let long = app.get(
        "/api/v1/stats/queue?from=2025-01-01&to=2026-12-01",
        Some(&hall.analyst),
    );
    assert_eq!(long.status, 422, "{}", long.text);
    let csv = app.get(
        "/api/v1/stats/queue?by=hour&format=csv",
        Some(&hall.analyst),
    );
    assert!(csv.text.starts_with('\u{feff}'), "{}", csv.text);
    assert_eq!(domain::csv::parse(&csv.text).len(), 1 + 24 + 1);

    // The summary tells who waits now, and only of now.
    let summary = app
        .get("/api/v1/stats/summary", Some(&hall.supervisor))
        .json();
    assert_eq!(summary["waiting_now"], 1);
    // B001 waits, and has waited at least from its arrival to A001's finish on the same clock.
    let waiting = &all[2];
    assert_eq!(waiting["status"], "waiting");
    let at_least = (moment(&finished["ended_at"]) - moment(&waiting["arrived_at"])).num_seconds();
    let longest = summary["longest_wait_seconds"].as_i64().expect("a wait");
    assert!(
        longest >= at_least && at_least >= 2,
        "{summary} against {at_least}"
    );
    let clerk = app.get("/api/v1/stats/summary", Some(&hall.clerk2)).json();
    assert_eq!(clerk["waiting_now"], 1, "window 2 calls queue B");
    let clerk = app.get("/api/v1/stats/summary", Some(&hall.clerk1)).json();
    assert_eq!(clerk["waiting_now"], 0, "window 1 does not call queue B");
    assert!(clerk["longest_wait_seconds"].is_null());
    let past = app
        .get(
            "/api/v1/stats/summary?as_of=2026-11-30",
            Some(&hall.supervisor),
        )
        .json();
    assert!(past["waiting_now"].is_null() && past["longest_wait_seconds"].is_null());
}

on_both_backends!(a_morning_s_waits_and_services_match_the_tickets_clock,);
