//! The live display: a hall's screen follows calls and waiting counts as they happen and,
//! back from a dropped connection, is sent exactly what it missed; a clerk's window shows its
//! own calls; the public stream carries nothing personal and cannot be used to probe or to
//! hoard connections; and on PostgreSQL a call reaches the screens of every `hall` process
//! (`processes`).

mod hall;
mod limits;
mod processes;
pub(crate) mod screen;

use std::time::Duration;

use serde_json::Value;

use crate::on_both_backends;
use crate::support::{Backend, ID_NUMBER, PHONE, TestApp};
use hall::queue_hall;
use screen::{Event, watch};

/// The public display of a centre.
fn display_of(center: impl std::fmt::Display) -> String {
    format!("/api/v1/public/centers/{center}/display")
}

/// Asserts a `waiting` event with `n` waiting in the one queue, `A`.
fn assert_waiting(event: &Event, n: u64) {
    assert_eq!(event.kind, "waiting", "{event:?}");
    assert_eq!(event.data["kind"], "waiting");
    let queues = event.data["queues"].as_array().expect("queues");
    assert_eq!(queues.len(), 1, "{event:?}");
    assert_eq!(queues[0]["prefix"], "A");
    assert_eq!(queues[0]["waiting"], n, "{event:?}");
}

/// Asserts a `call` event of `ticket` to the window numbered `window`.
fn assert_call(event: &Event, ticket: &str, window: u64) {
    assert_eq!(event.kind, "call", "{event:?}");
    assert_eq!(event.data["ticket"], ticket, "{event:?}");
    assert_eq!(event.data["window_number"], window, "{event:?}");
    assert_eq!(event.data["recall"], false);
}

/// Asserts that ids only grow, one event after another.
fn assert_in_order(events: &[&Event]) {
    for pair in events.windows(2) {
        assert!(pair[0].id < pair[1].id, "{:?} then {:?}", pair[0], pair[1]);
    }
}

/// The only fields a display message has: numbers, ids, a queue's name and counts. Nothing
/// names, identifies or reaches a person.
fn assert_nothing_personal(text: &str, events: &[&Event]) {
    const FIELDS: [&str; 11] = [
        "kind",
        "ticket",
        "window_number",
        "window_id",
        "queue_id",
        "recall",
        "queues",
        "prefix",
        "name",
        "waiting",
        "warning",
    ];
    fn keys(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => map.iter().for_each(|(k, v)| {
                out.push(k.clone());
                keys(v, out);
            }),
            Value::Array(items) => items.iter().for_each(|v| keys(v, out)),
            _ => {}
        }
    }
    for event in events {
        let mut found = Vec::new();
        keys(&event.data, &mut found);
        assert!(
            found.iter().all(|k| FIELDS.contains(&k.as_str())),
            "{event:?}"
        );
    }
    for secret in [ID_NUMBER, PHONE, "张三", "clerk."] {
        assert!(!text.contains(secret), "{secret} on a screen: {text}");
    }
}

fn a_screen_follows_the_hall_and_resumes_after_what_it_saw(backend: Backend) {
    let app = TestApp::start(backend);
    let store = app.state.store.clone();
    let hall = queue_hall(&app, &store);
    // What the queue routes do after their transaction commits.
    let wake = || app.state.display.wake(hall.center);

    let screen = watch(
        &app.base,
        &display_of(hall.center),
        None,
        &[("Accept-Encoding", "gzip")],
    )
    .expect("a stream");
    assert_eq!(screen.header("cache-control"), Some("no-store"));
    assert_eq!(screen.header("x-accel-buffering"), Some("no"));
    assert_eq!(screen.header("content-encoding"), None);
    // A new screen shows the numbers at once: nobody waits today.
    let now = screen.next();
    assert_waiting(&now, 0);

    // A citizen takes a ticket with her ID card; the clerk at window 1 calls it.
    let first = hall.issue(&store, Some(ID_NUMBER));
    wake();
    let issued = screen.next();
    assert_waiting(&issued, 1);
    assert_eq!(hall.call(&store, 0), first);
    wake();
    let call = screen.next();
    assert_call(&call, &first, 1);
    let after_call = screen.next();
    assert_waiting(&after_call, 0);
    assert_in_order(&[&now, &issued, &call, &after_call]);

    // The screen loses its connection; meanwhile two more come and window 2 calls one.
    let second = hall.issue(&store, None);
    hall.issue(&store, None);
    assert_eq!(hall.call(&store, 1), second);
    wake();
    let seen = after_call.id.to_string();
    let back = watch(
        &app.base,
        &display_of(hall.center),
        None,
        &[("Last-Event-ID", seen.as_str())],
    )
    .expect("a stream");
    let missed: Vec<Event> = (0..4).map(|_| back.next()).collect();
    assert_waiting(&missed[0], 1);
    assert_waiting(&missed[1], 2);
    assert_call(&missed[2], &second, 2);
    assert_waiting(&missed[3], 1);
    assert!(missed[0].id > after_call.id);
    assert_in_order(&missed.iter().collect::<Vec<_>>());
    back.quiet_for(Duration::from_millis(500));
    // The screen that never left saw the same, with the same ids.
    let live: Vec<Event> = (0..4).map(|_| screen.next()).collect();
    let ids = |events: &[Event]| events.iter().map(|e| e.id).collect::<Vec<_>>();
    assert_eq!(ids(&live), ids(&missed));

    // A change whose route forgot to wake the hub still reaches the screens, a little later.
    hall.issue(&store, None);
    assert_waiting(&back.next(), 2);

    let all: Vec<&Event> = [&now, &issued, &call, &after_call]
        .into_iter()
        .chain(&live)
        .collect();
    assert_nothing_personal(&screen.received(), &all);
    assert_nothing_personal(&back.received(), &missed.iter().collect::<Vec<_>>());
}

fn a_clerk_watches_their_own_window(backend: Backend) {
    let app = TestApp::start(backend);
    let store = app.state.store.clone();
    let hall = queue_hall(&app, &store);
    let own = format!("/api/v1/windows/{}/display", hall.windows[0]);
    let other = format!("/api/v1/windows/{}/display", hall.windows[1]);

    let clerk = watch(&app.base, &own, Some(&hall.clerks[0]), &[]).expect("a stream");
    assert_waiting(&clerk.next(), 0);
    let admin = app.admin_token();
    let supervisor = watch(&app.base, &other, Some(&admin), &[]).expect("a stream");
    assert_waiting(&supervisor.next(), 0);

    let first = hall.issue(&store, None);
    let second = hall.issue(&store, None);
    hall.call(&store, 1);
    hall.call(&store, 0);
    app.state.display.wake(hall.center);
    // Window 1's clerk: the counts, and only the call to window 1.
    assert_waiting(&clerk.next(), 1);
    assert_waiting(&clerk.next(), 2);
    assert_waiting(&clerk.next(), 1);
    assert_call(&clerk.next(), &second, 1);
    assert_waiting(&clerk.next(), 0);
    // Window 2, watched by an administrator: the call to window 2.
    assert_waiting(&supervisor.next(), 1);
    assert_waiting(&supervisor.next(), 2);
    assert_call(&supervisor.next(), &first, 2);

    let refused = |token: Option<&str>, path: &str| {
        watch(&app.base, path, token, &[]).expect_err("no stream")
    };
    refused(Some(&hall.clerks[0]), &other).problem(403);
    refused(Some(&hall.analyst), &own).problem(403);
    refused(None, &own).problem(401);
    let nowhere = format!("/api/v1/windows/{}/display", uuid::Uuid::now_v7());
    refused(Some(&admin), &nowhere).problem(404);
}

on_both_backends!(
    a_screen_follows_the_hall_and_resumes_after_what_it_saw,
    a_clerk_watches_their_own_window,
);
