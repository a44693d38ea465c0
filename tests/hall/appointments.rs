//! Stories of appointments (预约): slots offered on working days, a citizen who books, is
//! refused a second booking that day, checks in at the kiosk and is called before walk-ins;
//! a slot that fills, a place freed by a cancellation before the cut-off and none after it;
//! a no-show counted; a kiosk that learns nothing personal and is rate-limited; many booking
//! the last places at once — on both databases.

use std::sync::{Arc, Barrier};

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};

use crate::cases::{Hall, hall_on, id};
use crate::on_both_backends;
use crate::support::{Answer, Backend, Client, TestApp};

/// A valid resident ID (GB 11643 check digit) of someone born on 1 January 1980, the `n`th.
fn resident_id(n: u32) -> String {
    let body = format!("11010519800101{:03}", n % 1000);
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let check = char::from(b"10X98765432"[(sum % 11) as usize]);
    format!("{body}{check}")
}

const NAME: &str = "王小明";
const PHONE: &str = "13912345678";

/// Beijing time on a day of December 2026, as a UTC moment.
fn beijing(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, day, hour, minute, 0)
        .single()
        .expect("a moment")
        - chrono::TimeDelta::hours(8)
}

/// The hall at 09:00 on Tuesday 1 December 2026 with queue A for its items.
struct Booking {
    hall: Hall,
    center: String,
    queue: String,
}

fn hall_at(backend: Backend, limited: bool) -> Booking {
    let app = TestApp::start_at_configured(backend, beijing(1, 9, 0), |config| {
        // The stories make more kiosk requests than a minute allows, except the one about
        // the limit itself.
        if !limited {
            config.public_rate = 1000;
            config.public_write_rate = 1000;
        }
    });
    let hall = hall_on(app);
    let window = hall.app.get(
        &format!("/api/v1/windows/{}", hall.window1),
        Some(&hall.admin),
    );
    let center = window.json()["center_id"]
        .as_str()
        .expect("centre")
        .to_owned();
    let queue = hall.app.post(
        &format!("/api/v1/centers/{center}/queues"),
        Some(&hall.admin),
        &json!({"prefix": "A", "name": "民政业务", "item_ids": [hall.committed, hall.immediate]}),
    );
    assert_eq!(queue.status, 201, "{}", queue.text);
    Booking {
        queue: id(&queue.json()),
        hall,
        center,
    }
}

impl Booking {
    /// Offers slots; answers the first.
    fn offer(&self, day: &str, starts: &str, ends: &str, capacity: u32) -> Value {
        let answer = self.slots(
            json!({"item_id": self.hall.committed, "queue_id": self.queue,
            "day": day, "starts_at": starts, "ends_at": ends, "capacity": capacity}),
        );
        assert_eq!(answer.status, 201, "{}", answer.text);
        answer.json()[0].clone()
    }

    fn slots(&self, body: Value) -> Answer {
        let path = format!("/api/v1/centers/{}/slots", self.center);
        self.hall
            .app
            .post(&path, Some(&self.hall.supervisor), &body)
    }

    fn book(&self, client: &Client, slot: &Value, id_number: &str) -> Answer {
        client.post(
            "/api/v1/public/appointments",
            None,
            &json!({"slot_id": slot["id"], "name": NAME, "id_number": id_number, "phone": PHONE}),
        )
    }

    fn cancel(&self, code: &str, id_number: &str) -> Answer {
        self.hall.app.post(
            "/api/v1/public/appointments/cancel",
            None,
            &json!({"booking_code": code, "id_number": id_number}),
        )
    }

    fn check_in(&self, app: &Client, body: Value) -> Answer {
        app.post(
            &format!("/api/v1/public/centers/{}/check-in", self.center),
            None,
            &body,
        )
    }

    fn standing(&self, app: &Client, day: &str) -> Value {
        let path = format!("/api/v1/centers/{}/slots?day={day}", self.center);
        let answer = app.get(&path, Some(&self.hall.clerk1));
        assert_eq!(answer.status, 200, "{}", answer.text);
        answer.json()
    }
}

/// Nothing the person gave comes back in a public answer.
fn impersonal(answer: &Answer, id_number: &str) {
    for secret in [NAME, id_number, PHONE] {
        assert!(!answer.text.contains(secret), "{secret} in {}", answer.text);
    }
}

fn a_citizen_books_checks_in_and_is_called_before_walk_ins(backend: Backend) {
    let b = hall_at(backend, false);
    let (hall, app) = (&b.hall, &b.hall.app);
    let slot = b.offer("2026-12-01", "09:15:00", "09:45:00", 2);
    let later = b.offer("2026-12-01", "10:00:00", "10:30:00", 2);
    assert_eq!(
        (slot["capacity"].clone(), slot["booked"].clone()),
        (json!(2), json!(0))
    );

    // The kiosk lists free places, nothing about who holds the others.
    let path = format!(
        "/api/v1/public/centers/{}/slots?item_id={}",
        b.center, hall.committed
    );
    let free = app.get(&path, None).json();
    assert_eq!(free.as_array().map(Vec::len), Some(2), "{free}");
    assert_eq!(
        (free[0]["id"].clone(), free[0]["free"].clone()),
        (slot["id"].clone(), json!(2))
    );

    // A walk-in takes A001 before the citizen arrives.
    let walk_in = app.post(
        &format!("/api/v1/public/centers/{}/tickets", b.center),
        None,
        &json!({"queue_id": b.queue}),
    );
    assert_eq!(walk_in.json()["number"], "A001");

    // The citizen books and is given a code, once; the answer holds nothing they gave.
    let me = resident_id(1);
    let booked = b.book(app, &slot, &me);
    assert_eq!(booked.status, 201, "{}", booked.text);
    impersonal(&booked, &me);
    let booked = booked.json();
    let code = booked["booking_code"].as_str().expect("code").to_owned();
    assert_eq!(code.len(), 8);
    assert_eq!(booked["check_in_from"], "2026-12-01T08:45:00");
    assert_eq!(booked["cancel_until"], "2026-12-01T07:15:00");
    // A second booking the same day is refused, whichever slot.
    let again = b.book(app, &later, &me);
    assert_eq!(
        again.problem(409)["type"],
        "urn:service-hall:problem:already-booked"
    );
    impersonal(&again, &me);

    // At the kiosk the code (typed in small letters, with a hyphen) gives a priority ticket,
    // first in line before the walk-in.
    let typed = format!("{}-{}", &code[..4], &code[4..]).to_lowercase();
    let ticket = b.check_in(app, json!({"booking_code": typed}));
    assert_eq!(ticket.status, 201, "{}", ticket.text);
    impersonal(&ticket, &me);
    let ticket = ticket.json();
    assert_eq!(
        (ticket["number"].clone(), ticket["position"].clone()),
        (json!("A002"), json!(1))
    );
    // Checked in once: the code again is a stale step, the card finds nothing to check in.
    let twice = b.check_in(app, json!({"booking_code": code}));
    assert_eq!(
        twice.problem(409)["type"],
        "urn:service-hall:problem:transition-not-allowed"
    );
    assert_eq!(b.check_in(app, json!({"id_number": me})).status, 404);

    // The window calls the appointment before the walk-in who came earlier.
    let session = app.put(
        &format!("/api/v1/windows/{}/session", hall.window1),
        Some(&hall.clerk1),
        &json!({"state": "open"}),
    );
    assert_eq!(session.status, 200, "{}", session.text);
    let path = format!("/api/v1/windows/{}/call-next", hall.window1);
    let first = app.post(&path, Some(&hall.clerk1), &json!({})).json();
    assert_eq!(
        (first["number"].clone(), first["priority"].clone()),
        (json!("A002"), json!("appointment"))
    );

    // Staff see the day's slots counted, without names.
    let day = b.standing(app, "2026-12-01");
    assert_eq!(day[0]["booked"], 1);
    assert_eq!(day[0]["checked_in"], 1);
    assert_eq!(day[0]["no_shows"], 0);
    assert!(!day.to_string().contains(NAME));
}

fn a_slot_fills_and_a_place_cancelled_before_the_cut_off_is_free_again(backend: Backend) {
    let b = hall_at(backend, false);
    let app = &b.hall.app;
    let tomorrow = b.offer("2026-12-02", "10:00:00", "10:30:00", 2);
    let codes: Vec<String> = (1..=2)
        .map(|n| {
            let answer = b.book(app, &tomorrow, &resident_id(n));
            assert_eq!(answer.status, 201, "{}", answer.text);
            answer.json()["booking_code"]
                .as_str()
                .expect("code")
                .to_owned()
        })
        .collect();
    let full = b.book(app, &tomorrow, &resident_id(3));
    assert_eq!(
        full.problem(409)["type"],
        "urn:service-hall:problem:slot-unavailable"
    );
    // A full slot is not offered.
    let free = app
        .get(&format!("/api/v1/public/centers/{}/slots", b.center), None)
        .json();
    assert_eq!(free, json!([]));

    // A wrong code and a wrong ID number answer the same 404.
    let wrong_code = b.cancel("ZZZZZZZZ", &resident_id(1)).problem(404);
    let wrong_person = b.cancel(&codes[0], &resident_id(2)).problem(404);
    assert_eq!(wrong_code, wrong_person);
    // The day before, well before the cut-off: cancelled, and the place is free again.
    let cancelled = b.cancel(&codes[0], &resident_id(1));
    assert_eq!(cancelled.status, 200, "{}", cancelled.text);
    assert_eq!(cancelled.json()["status"], "cancelled");
    impersonal(&cancelled, &resident_id(1));
    let again = b.cancel(&codes[0], &resident_id(1));
    assert_eq!(
        again.problem(409)["type"],
        "urn:service-hall:problem:transition-not-allowed"
    );
    assert_eq!(b.book(app, &tomorrow, &resident_id(3)).status, 201);

    // A slot at 10:30 today can no longer be cancelled at 09:00 (two hours before).
    let soon = b.offer("2026-12-01", "10:30:00", "11:00:00", 1);
    let booked = b.book(app, &soon, &resident_id(4)).json();
    let code = booked["booking_code"].as_str().expect("code");
    let late = b.cancel(code, &resident_id(4));
    assert_eq!(
        late.problem(409)["type"],
        "urn:service-hall:problem:cancellation-closed"
    );
    assert_eq!(b.standing(app, "2026-12-01")[0]["booked"], 1);
}

fn slots_are_offered_only_on_the_centres_working_days(backend: Backend) {
    let b = hall_at(backend, false);
    let slot = |day: &str, capacity: u32| {
        b.slots(
            json!({"item_id": b.hall.committed, "queue_id": b.queue, "day": day,
            "starts_at": "09:00:00", "ends_at": "09:30:00", "capacity": capacity}),
        )
    };
    // Saturday 5 December, and a day already gone.
    for day in ["2026-12-05", "2026-11-30"] {
        assert_eq!(
            slot(day, 5).problem(422)["errors"][0]["field"],
            "day",
            "{day}"
        );
    }
    assert_eq!(
        slot("2026-12-02", 0).problem(422)["errors"][0]["field"],
        "capacity"
    );
    // A clerk offers none; a series cuts the morning into half hours.
    let path = format!("/api/v1/centers/{}/slots", b.center);
    let by_clerk = b.hall.app.post(&path, Some(&b.hall.clerk1), &json!({}));
    assert_eq!(by_clerk.status, 403, "{}", by_clerk.text);
    let series = b.slots(json!({"item_id": b.hall.committed, "queue_id": b.queue,
        "day": "2026-12-02", "starts_at": "09:00:00", "ends_at": "09:30:00", "capacity": 3, "repeat": 6}));
    assert_eq!(series.status, 201, "{}", series.text);
    let series = series.json();
    assert_eq!(series.as_array().map(Vec::len), Some(6));
    assert_eq!(series[5]["starts_at"], "11:30:00");
}

fn a_booking_never_checked_in_is_counted_a_no_show(backend: Backend) {
    let b = hall_at(backend, false);
    let slot = b.offer("2026-12-01", "09:15:00", "09:45:00", 3);
    let booked = b.book(&b.hall.app, &slot, &resident_id(7)).json();
    let code = booked["booking_code"].as_str().expect("code");
    let now = b.standing(&b.hall.app, "2026-12-01");
    assert_eq!(
        (now[0]["waiting"].clone(), now[0]["no_shows"].clone()),
        (json!(1), json!(0))
    );
    // The same hall at 10:01, past the slot's end and the 15 minutes of grace.
    let later = b.hall.app.another_at(beijing(1, 10, 1), |config| {
        config.public_rate = 1000;
        config.public_write_rate = 1000;
    });
    let then = b.standing(&later, "2026-12-01");
    assert_eq!(
        (then[0]["waiting"].clone(), then[0]["no_shows"].clone()),
        (json!(0), json!(1))
    );
    let late = b.check_in(&later, json!({"booking_code": code}));
    assert_eq!(
        late.problem(409)["type"],
        "urn:service-hall:problem:check-in-closed"
    );
}

fn the_kiosk_learns_nothing_personal_and_booking_is_rate_limited(backend: Backend) {
    let b = hall_at(backend, true);
    let app = &b.hall.app;
    let slot = b.offer("2026-12-02", "09:00:00", "09:30:00", 50);
    // An unknown code and an unknown card answer alike.
    let by_code = b
        .check_in(app, json!({"booking_code": "ABCD2345"}))
        .problem(404);
    let by_card = b
        .check_in(app, json!({"id_number": resident_id(99)}))
        .problem(404);
    assert_eq!(by_code, by_card);
    // A bad ID number is refused before anything is stored, and not echoed.
    let bad = b.book(app, &slot, "110105198001010010");
    assert_eq!(bad.problem(422)["errors"][0]["field"], "id_number");
    assert!(!bad.text.contains("110105198001010010"));
    // Ten kiosk writes a minute from one address: the three above counted.
    let mut booked = 0;
    let refused = loop {
        let answer = b.book(app, &slot, &resident_id(booked + 10));
        if answer.status != 201 {
            break answer;
        }
        impersonal(&answer, &resident_id(booked + 10));
        booked += 1;
    };
    assert_eq!(booked, 7);
    assert_eq!(refused.status, 429, "{}", refused.text);
    assert!(refused.header("retry-after").is_some());
}

fn many_booking_the_last_places_at_once_get_exactly_those_places(backend: Backend) {
    let b = hall_at(backend, false);
    let slot = b.offer("2026-12-02", "09:00:00", "09:30:00", 10);
    for n in 0..7 {
        assert_eq!(b.book(&b.hall.app, &slot, &resident_id(n)).status, 201);
    }
    let start = Arc::new(Barrier::new(12));
    let bookers: Vec<_> = (100..112)
        .map(|n| {
            let client = Client::new(&b.hall.app.client.base);
            let (start, slot) = (start.clone(), slot.clone());
            std::thread::spawn(move || {
                start.wait();
                loop {
                    let answer = client.post(
                        "/api/v1/public/appointments",
                        None,
                        &json!({"slot_id": slot["id"], "name": NAME, "id_number": resident_id(n), "phone": PHONE}),
                    );
                    match answer.status {
                        201 => return true,
                        409 => return false,
                        // SQLite's single writer may make a booking wait past its budget.
                        503 => continue,
                        other => panic!("booking answered {other}: {}", answer.text),
                    }
                }
            })
        })
        .collect();
    let won = bookers
        .into_iter()
        .map(|booker| booker.join().expect("a booker"))
        .filter(|won| *won)
        .count();
    assert_eq!(won, 3);
    let day = b.standing(&b.hall.app, "2026-12-02");
    assert_eq!(
        (day[0]["booked"].clone(), day[0]["waiting"].clone()),
        (json!(10), json!(10))
    );
}

on_both_backends!(
    a_citizen_books_checks_in_and_is_called_before_walk_ins,
    a_slot_fills_and_a_place_cancelled_before_the_cut_off_is_free_again,
    slots_are_offered_only_on_the_centres_working_days,
    a_booking_never_checked_in_is_counted_a_no_show,
    the_kiosk_learns_nothing_personal_and_booking_is_rate_limited,
    many_booking_the_last_places_at_once_get_exactly_those_places,
);
