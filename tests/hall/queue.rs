//! Stories of the hall's front door: tickets taken at the kiosk and at the door, windows
//! opened and paused, calls in the documented order, a no-show taken back, a redirect, and
//! two windows calling at once — on both databases.

use std::collections::BTreeSet;
use std::sync::{Arc, Barrier};
use std::time::Duration;

use chrono::{TimeZone, Utc};
use domain::user::Role;
use serde_json::{Value, json};

use crate::cases::{Hall, hall_on, id};
use crate::display::screen::watch;
use crate::on_both_backends;
use crate::support::{Answer, Backend, Client, TestApp};

/// A resident ID of someone born on 12 May 1950, with its check digit.
const ELDERLY_ID: &str = "110105195005120016";

/// The hall at 09:00 on Tuesday 1 December 2026, Beijing time, with queue A for both items
/// (either window calls it) and queue B named for window 2 only.
pub(crate) struct Morning {
    pub(crate) hall: Hall,
    pub(crate) center: String,
    pub(crate) queue_a: String,
    pub(crate) queue_b: String,
}

pub(crate) fn morning(backend: Backend) -> Morning {
    let nine = Utc
        .with_ymd_and_hms(2026, 12, 1, 1, 0, 0)
        .single()
        .expect("a moment");
    let hall = hall_on(TestApp::start_at(backend, nine));
    let window = hall
        .app
        .get(
            &format!("/api/v1/windows/{}", hall.window1),
            Some(&hall.admin),
        )
        .json();
    let center = window["center_id"].as_str().expect("centre").to_owned();
    let queue = |body: Value| {
        let answer = hall.app.post(
            &format!("/api/v1/centers/{center}/queues"),
            Some(&hall.admin),
            &body,
        );
        assert_eq!(answer.status, 201, "{}", answer.text);
        id(&answer.json())
    };
    let queue_a = queue(
        json!({"prefix": "A", "name": "民政业务", "item_ids": [hall.committed, hall.immediate]}),
    );
    let queue_b = queue(json!({"prefix": "B", "name": "综合窗口", "window_ids": [hall.window2]}));
    Morning {
        hall,
        center,
        queue_a,
        queue_b,
    }
}

impl Morning {
    pub(crate) fn take(&self, queue: &str, id_number: Option<&str>) -> Answer {
        let mut body = json!({"queue_id": queue});
        if let Some(number) = id_number {
            body["id_number"] = json!(number);
        }
        self.hall.app.post(
            &format!("/api/v1/public/centers/{}/tickets", self.center),
            None,
            &body,
        )
    }

    pub(crate) fn open(&self, token: &str, window: &str) {
        let answer = self.session(token, window, json!({"state": "open"}));
        assert_eq!(answer.status, 200, "{}", answer.text);
    }

    pub(crate) fn session(&self, token: &str, window: &str, body: Value) -> Answer {
        self.hall.app.put(
            &format!("/api/v1/windows/{window}/session"),
            Some(token),
            &body,
        )
    }

    pub(crate) fn call(&self, token: &str, window: &str) -> Answer {
        self.hall.app.post(
            &format!("/api/v1/windows/{window}/call-next"),
            Some(token),
            &json!({}),
        )
    }

    pub(crate) fn act(&self, token: &str, ticket: &Value, body: Value) -> Answer {
        self.hall.app.post(
            &format!("/api/v1/tickets/{}/events", id(ticket)),
            Some(token),
            &body,
        )
    }

    /// Acts and expects success; returns the ticket after.
    pub(crate) fn done(&self, token: &str, ticket: &Value, action: &str) -> Value {
        let answer = self.act(
            token,
            ticket,
            json!({"action": action, "version": ticket["version"]}),
        );
        assert_eq!(answer.status, 200, "{action}: {}", answer.text);
        answer.json()
    }
}

fn a_morning_at_the_hall_calls_the_elderly_first_takes_back_a_no_show_and_redirects(
    backend: Backend,
) {
    let m = morning(backend);
    let (hall, app) = (&m.hall, &m.hall.app);

    // The kiosk shows both queues, nobody waiting yet.
    let queues = app
        .get(&format!("/api/v1/public/centers/{}/queues", m.center), None)
        .json();
    assert_eq!(queues.as_array().map(Vec::len), Some(2), "{queues}");
    assert_eq!(queues[0]["prefix"], "A");
    assert_eq!(queues[0]["waiting"], 0);

    // Two walk-ins take tickets; the second is told one person is before them.
    let first = m.take(&m.queue_a, None);
    assert_eq!(first.status, 201, "{}", first.text);
    assert_eq!(first.header("cache-control"), Some("no-store"));
    let first = first.json();
    assert_eq!(first["number"], "A001");
    assert_eq!(
        (first["position"].clone(), first["ahead"].clone()),
        (json!(1), json!(0))
    );
    let second = m.take(&m.queue_a, None).json();
    assert_eq!(second["number"], "A002");
    assert_eq!(second["position"], 2);
    // An elderly citizen takes a ticket with their ID card: it goes first, and the number
    // they gave is in no answer.
    let elderly = m.take(&m.queue_a, Some(ELDERLY_ID));
    assert_eq!(elderly.status, 201, "{}", elderly.text);
    assert!(!elderly.text.contains(ELDERLY_ID));
    let elderly = elderly.json();
    assert_eq!(elderly["number"], "A003");
    assert_eq!(elderly["position"], 1);
    // The same card does not get a second place in the same queue.
    let again = m.take(&m.queue_a, Some(ELDERLY_ID));
    assert_eq!(
        again.problem(409)["type"],
        "urn:service-hall:problem:ticket-held"
    );

    // A closed window calls nobody; once open, it calls the elderly ticket.
    assert_eq!(
        m.call(&hall.clerk1, &hall.window1).problem(409)["type"],
        "urn:service-hall:problem:window-not-open"
    );
    m.open(&hall.clerk1, &hall.window1);
    let called = m.call(&hall.clerk1, &hall.window1);
    assert_eq!(called.status, 200, "{}", called.text);
    let called = called.json();
    assert_eq!(called["number"], "A003");
    assert_eq!(called["priority"], "elderly");
    assert_eq!(called["status"], "called");
    assert_eq!(called["window_id"], json!(hall.window1));
    assert!(!called.to_string().contains(ELDERLY_ID));
    // The kiosk shows where to go.
    let progress = app
        .get(&format!("/api/v1/public/tickets/{}", id(&elderly)), None)
        .json();
    assert_eq!(progress["status"], "called");
    assert_eq!(progress["window_number"], 1);
    // What happens at the counter is the counter's: another clerk may not serve it.
    let stolen = m.act(
        &hall.clerk2,
        &called,
        json!({"action": "serve", "version": called["version"]}),
    );
    assert_eq!(stolen.status, 403, "{}", stolen.text);
    let serving = m.done(&hall.clerk1, &called, "serve");
    // A stale version and an impossible step are refused, each with its own type.
    let stale = m.act(
        &hall.clerk1,
        &serving,
        json!({"action": "finish", "version": called["version"]}),
    );
    assert_eq!(
        stale.problem(409)["type"],
        "urn:service-hall:problem:stale-version"
    );
    let impossible = m.act(
        &hall.clerk1,
        &serving,
        json!({"action": "recall", "version": serving["version"]}),
    );
    assert_eq!(
        impossible.problem(409)["type"],
        "urn:service-hall:problem:transition-not-allowed"
    );
    // Served, the citizen has two applications: two cases from the one ticket.
    let from_ticket = |ticket: &Value| {
        app.post(
            "/api/v1/cases",
            Some(&hall.clerk1),
            &json!({"item_id": hall.committed, "applicant": crate::cases::applicant(), "ticket_id": id(ticket)}),
        )
    };
    let case_one = from_ticket(&serving);
    assert_eq!(case_one.status, 201, "{}", case_one.text);
    let case_one = case_one.json();
    assert_eq!(case_one["ticket_id"], json!(id(&serving)));
    let case_two = from_ticket(&serving).json();
    let read = app
        .get(
            &format!("/api/v1/cases/{}", id(&case_two)),
            Some(&hall.clerk1),
        )
        .json();
    assert_eq!(read["ticket_id"], json!(id(&serving)));
    // A ticket still waiting in line is nobody at this window yet.
    let not_yet = from_ticket(&second);
    assert_eq!(not_yet.problem(422)["errors"][0]["field"], "ticket_id");
    let finished = m.done(&hall.clerk1, &serving, "finish");
    assert_eq!(finished["status"], "finished");
    let mut cases: Vec<Value> = finished["case_ids"].as_array().expect("cases").clone();
    cases.sort_by_key(|c| c.as_str().map(str::to_owned));
    let mut expected = vec![json!(id(&case_one)), json!(id(&case_two))];
    expected.sort_by_key(|c| c.as_str().map(str::to_owned));
    assert_eq!(cases, expected);

    // A001 is called next and does not come: a no-show, taken back at the back of the line.
    let absent = m.call(&hall.clerk1, &hall.window1).json();
    assert_eq!(absent["number"], "A001");
    let recalled = m.done(&hall.clerk1, &absent, "recall");
    assert_eq!(recalled["recalls"], 1);
    let missed = m.done(&hall.clerk1, &recalled, "no_show");
    assert_eq!(missed["status"], "no_show");
    let back = m.done(&hall.clerk1, &missed, "reactivate");
    assert_eq!(back["status"], "waiting");
    assert_eq!(back["ahead"], 1, "A002 came earlier than the return");

    // Window 2 opens and calls A002, which belongs at window 2's other queue: redirected,
    // it keeps its place and number, and window 2 calls it from queue B.
    m.open(&hall.clerk2, &hall.window2);
    let at_two = m.call(&hall.clerk2, &hall.window2).json();
    assert_eq!(at_two["number"], "A002");
    let redirected = m.act(
        &hall.clerk2,
        &at_two,
        json!({"action": "redirect", "version": at_two["version"], "queue_id": m.queue_b}),
    );
    assert_eq!(redirected.status, 200, "{}", redirected.text);
    let redirected = redirected.json();
    assert_eq!(redirected["queue_id"], json!(m.queue_b));
    assert_eq!(redirected["status"], "waiting");
    assert_eq!(redirected["arrived_at"], second["issued_at"]);

    // Window 1 pauses for a reason and calls nobody; window 2 calls from both its queues:
    // A002 (redirected, arrived before A001 came back) first.
    let unexplained = m.session(&hall.clerk1, &hall.window1, json!({"state": "paused"}));
    assert_eq!(unexplained.status, 422, "{}", unexplained.text);
    let paused = m.session(
        &hall.clerk1,
        &hall.window1,
        json!({"state": "paused", "reason": "午休"}),
    );
    assert_eq!(paused.json()["reason"], "午休");
    let next = m.call(&hall.clerk2, &hall.window2).json();
    assert_eq!(next["number"], "A002");
    let last = m.call(&hall.clerk2, &hall.window2).json();
    assert_eq!(last["number"], "A001");
    assert_eq!(
        m.call(&hall.clerk2, &hall.window2).problem(404)["type"],
        "urn:service-hall:problem:nobody-waiting"
    );

    // The ticket's history tells it all, in order.
    let events = app
        .get(
            &format!("/api/v1/tickets/{}/events", id(&first)),
            Some(&hall.supervisor),
        )
        .json();
    let actions: Vec<&str> = events
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(
        actions,
        ["issue", "call", "recall", "no_show", "reactivate", "call"]
    );
}

fn six_windows_calling_at_once_never_get_the_same_ticket(backend: Backend) {
    let m = morning(backend);
    let app = &m.hall.app;
    // Four more windows of queue A's items, each with its clerk, all open (sign-ins are
    // rate-limited per address: the hall's five and these four stay under ten a minute).
    let windows: Vec<(String, String)> = (3..7)
        .map(|number| {
            let window = app.post(
                "/api/v1/windows",
                Some(&m.hall.admin),
                &json!({"center_id": m.center, "number": number, "name": format!("{number}号窗口"),
                        "kind": "permanent", "item_ids": [m.hall.committed]}),
            );
            assert_eq!(window.status, 201, "{}", window.text);
            let window = id(&window.json());
            let clerk = app.user_token(
                &format!("clerk.{number}"),
                Role::Clerk,
                Some(window.parse().expect("id")),
            );
            (window, clerk)
        })
        .collect();
    for (window, clerk) in &windows {
        m.open(clerk, window);
    }
    // The two first windows call too.
    let mut windows = windows;
    for (window, clerk) in [
        (&m.hall.window1, &m.hall.clerk1),
        (&m.hall.window2, &m.hall.clerk2),
    ] {
        m.open(clerk, window);
        windows.push((window.clone(), clerk.clone()));
    }
    // Thirty tickets handed out at the door (staff are not rate-limited like a kiosk).
    let issued: BTreeSet<String> = (0..30)
        .map(|_| {
            let ticket = app.post(
                &format!("/api/v1/centers/{}/tickets", m.center),
                Some(&m.hall.supervisor),
                &json!({"queue_id": m.queue_a}),
            );
            assert_eq!(ticket.status, 201, "{}", ticket.text);
            ticket.json()["number"].as_str().expect("number").to_owned()
        })
        .collect();
    let start = Arc::new(Barrier::new(windows.len()));
    let callers: Vec<_> = windows
        .into_iter()
        .map(|(window, clerk)| {
            let client = Client::new(&app.client.base);
            let start = start.clone();
            std::thread::spawn(move || {
                start.wait();
                let mut called = Vec::new();
                loop {
                    let answer = client.post(
                        &format!("/api/v1/windows/{window}/call-next"),
                        Some(&clerk),
                        &json!({}),
                    );
                    match answer.status {
                        200 => called.push(answer.json()["number"].as_str().expect("n").to_owned()),
                        404 => return called,
                        // SQLite's single writer may make a caller wait past its budget.
                        503 => continue,
                        other => panic!("call-next answered {other}: {}", answer.text),
                    }
                }
            })
        })
        .collect();
    let mut all = Vec::new();
    for caller in callers {
        all.extend(caller.join().expect("a caller"));
    }
    let distinct: BTreeSet<String> = all.iter().cloned().collect();
    assert_eq!(
        all.len(),
        distinct.len(),
        "a ticket was called twice: {all:?}"
    );
    assert_eq!(distinct, issued);
}

fn the_kiosk_cannot_enumerate_tickets_or_empty_a_queue(backend: Backend) {
    let m = morning(backend);
    let app = &m.hall.app;
    for path in [
        format!("/api/v1/public/tickets/{}", uuid::Uuid::now_v7()),
        "/api/v1/public/tickets/A001".to_owned(),
        format!("/api/v1/public/centers/{}/queues", uuid::Uuid::now_v7()),
    ] {
        assert_eq!(app.get(&path, None).status, 404, "{path}");
    }
    let elsewhere = app.post(
        &format!("/api/v1/public/centers/{}/tickets", uuid::Uuid::now_v7()),
        None,
        &json!({"queue_id": m.queue_a}),
    );
    assert_eq!(elsewhere.status, 404, "{}", elsewhere.text);
    // A bad ID number is refused before anything is stored, and not echoed.
    let bad = m.take(&m.queue_a, Some("110105195005120017"));
    assert_eq!(bad.problem(422)["errors"][0]["field"], "id_number");
    assert!(!bad.text.contains("110105195005120017"));
    // Ten tickets a minute from one address, then 429 with Retry-After: the two refusals
    // above counted, so eight more are handed out.
    for _ in 0..8 {
        assert_eq!(m.take(&m.queue_a, None).status, 201);
    }
    let refused = m.take(&m.queue_a, None);
    assert_eq!(refused.status, 429, "{}", refused.text);
    assert!(refused.header("retry-after").is_some());
}

fn a_call_at_a_window_is_on_the_hall_screen_within_a_moment(backend: Backend) {
    let m = morning(backend);
    let hall = &m.hall;
    let screen = watch(
        &hall.app.base,
        &format!("/api/v1/public/centers/{}/display", m.center),
        None,
        &[],
    )
    .expect("a stream");
    assert_eq!(screen.next().kind, "waiting");
    m.take(&m.queue_a, None);
    let waiting = screen.next_within(Duration::from_secs(1)).expect("at once");
    assert_eq!(waiting.data["queues"][0]["waiting"], 1);
    m.open(&hall.clerk2, &hall.window2);
    m.call(&hall.clerk2, &hall.window2);
    // The route wakes the screens when its call commits: well before the hub's periodic read.
    let call = screen.next_within(Duration::from_secs(1)).expect("at once");
    assert_eq!(call.kind, "call");
    assert_eq!(call.data["ticket"], "A001");
    assert_eq!(call.data["window_number"], 2);
}

on_both_backends!(
    a_call_at_a_window_is_on_the_hall_screen_within_a_moment,
    a_morning_at_the_hall_calls_the_elderly_first_takes_back_a_no_show_and_redirects,
    six_windows_calling_at_once_never_get_the_same_ticket,
    the_kiosk_cannot_enumerate_tickets_or_empty_a_queue,
);
