//! On PostgreSQL several `hall` processes serve one hall: a call committed anywhere reaches
//! the screens connected to each of them within a moment (through `LISTEN/NOTIFY`, well
//! before the periodic re-read), each process keeps one listening connection however many
//! screens it serves, a listener whose connection is cut listens again, and a process told
//! to stop ends its streams instead of waiting for them.

use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer};
use persistence::listen::LISTENER_NAME;

use super::hall::{QueueHall, queue_hall};
use super::screen::{Screen, watch};
use super::{assert_call, assert_waiting, display_of};
use crate::support::{Backend, HallProcess, TestDb, connect};

/// Well under the hub's periodic re-read (3 s): only a notification brings news this fast.
const PROMPTLY: Duration = Duration::from_millis(1500);

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Pid {
    #[diesel(sql_type = Integer)]
    pid: i32,
}

/// The backends listening for display news on the test's database.
fn listeners(db: &TestDb) -> Vec<i32> {
    diesel::sql_query(format!(
        "SELECT pid FROM pg_stat_activity \
         WHERE datname = current_database() AND application_name = '{LISTENER_NAME}'"
    ))
    .load::<Pid>(&mut connect(&db.url))
    .expect("the listeners")
    .into_iter()
    .map(|row| row.pid)
    .collect()
}

/// Waits until two connections listen, none of them one of `gone`; returns them.
fn until_two_listen(db: &TestDb, gone: &[i32]) -> Vec<i32> {
    let started = Instant::now();
    loop {
        let now = listeners(db);
        if now.len() == 2 && now.iter().all(|pid| !gone.contains(pid)) {
            return now;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "{now:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A ticket issued and called to window 1 by a writer that is neither process; every screen
/// shows both, promptly.
fn round(hall: &QueueHall, writer: &persistence::Store, screens: &[&Screen], waiting: u64) {
    let started = Instant::now();
    let number = hall.issue(writer, None);
    hall.call(writer, 0);
    for screen in screens {
        assert_waiting(&screen.next(), waiting + 1);
        assert_call(&screen.next(), &number, 1);
        assert_waiting(&screen.next(), waiting);
    }
    assert!(started.elapsed() < PROMPTLY, "{:?}", started.elapsed());
}

/// A ticket put in line today through the store (test data: whatever the calendar says of
/// today) and called to window 1 through `through`'s HTTP route: the call is made by one
/// `hall` process, and every screen — the other process's too — shows it, promptly.
fn call_through(
    hall: &QueueHall,
    writer: &persistence::Store,
    through: &HallProcess,
    screens: &[&Screen],
) {
    use domain::queue::{Priority, Ticket, TicketStatus, ticket_number};
    use domain::repository::QueueRepository;
    let now = domain::clock::stored_moment(chrono::Utc::now());
    let today = now
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("offset"))
        .date_naive();
    let number = writer
        .transaction(|conn| {
            let seq = conn.take_ticket_seq(hall.queue, today)?;
            let ticket = Ticket {
                id: domain::ids::TicketId::new(),
                center_id: hall.center,
                queue_id: hall.queue,
                day: today,
                seq,
                number: ticket_number("A", seq),
                status: TicketStatus::Waiting,
                priority: Priority::Normal,
                arrived_at: now,
                in_line_since: now,
                first_called_at: None,
                called_at: None,
                window_id: None,
                clerk_id: None,
                ended_at: None,
                recalls: 0,
                real_name: false,
                version: 1,
            };
            conn.insert_ticket(&ticket, None)?;
            conn.append_ticket_event(&ticket.issued(None))?;
            Ok::<_, domain::repository::RepositoryError>(ticket.number)
        })
        .expect("a ticket in line");
    let started = Instant::now();
    let called = through.client.post(
        &format!("/api/v1/windows/{}/call-next", hall.windows[0]),
        Some(&hall.clerks[0]),
        &serde_json::json!({}),
    );
    assert_eq!(called.status, 200, "{}", called.text);
    for screen in screens {
        assert_call(&screen.next(), &number, 1);
        assert_waiting(&screen.next(), 0);
    }
    assert!(started.elapsed() < PROMPTLY, "{:?}", started.elapsed());
}

#[test]
fn a_call_made_anywhere_reaches_the_screens_of_every_process() {
    let db = TestDb::new(Backend::Postgres);
    let a = HallProcess::start(&db.url, &[]);
    let mut b = HallProcess::start(&db.url, &[]);
    // The test writes as a third process would: its commits wake nobody but by NOTIFY.
    let writer = db.store();
    let hall = queue_hall(&a.client, &writer);
    assert!(listeners(&db).is_empty(), "no screen, no listener");

    let path = display_of(hall.center);
    let on_a = watch(&a.base, &path, None, &[]).expect("a stream");
    let on_b = watch(&b.base, &path, None, &[]).expect("a stream");
    let also_on_b = watch(&b.base, &path, None, &[]).expect("a stream");
    for screen in [&on_a, &on_b, &also_on_b] {
        assert_waiting(&screen.next(), 0);
    }
    let listening = until_two_listen(&db, &[]);
    for _ in 0..4 {
        round(&hall, &writer, &[&on_a, &on_b, &also_on_b], 0);
    }
    assert_eq!(
        listeners(&db),
        listening,
        "one per process, whatever its screens"
    );

    // The database drops both listeners: each process listens again on a new connection.
    let mut admin = connect(&db.url);
    let terminated = diesel::sql_query(format!(
        "SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity \
         WHERE datname = current_database() AND application_name = '{LISTENER_NAME}' \
         AND pid <> pg_backend_pid()"
    ))
    .get_result::<Count>(&mut admin)
    .expect("terminate the listeners")
    .n;
    assert_eq!(terminated, 2);
    until_two_listen(&db, &listening);
    round(&hall, &writer, &[&on_a, &on_b, &also_on_b], 0);
    // A clerk calls through process A's route: B's screens hear it from the database.
    call_through(&hall, &writer, &a, &[&on_a, &on_b, &also_on_b]);

    // B is stopped (a deploy): its streams end at once rather than hold the stop for its
    // 30 s of grace, so its screens go to A; A's screen carries on.
    let stopping = Instant::now();
    assert!(b.terminate().success());
    assert!(
        stopping.elapsed() < Duration::from_secs(10),
        "{:?}",
        stopping.elapsed()
    );
    assert!(on_b.ends_within(Duration::from_secs(1)));
    assert!(also_on_b.ends_within(Duration::from_secs(1)));
    round(&hall, &writer, &[&on_a], 0);
}
