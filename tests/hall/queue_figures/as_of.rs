//! The as-of rule on a history written through the repository with chosen times: a finish
//! recorded after `as_of` leaves the ticket called, not finished; a no-show taken back in line
//! keeps its first call.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use domain::ids::{QueueId, UserId, WindowId};
use domain::queue::{Issuing, Priority, TicketAction};
use domain::repository::{QueueRepository, RepositoryError};
use serde_json::json;

use super::{breakdowns_add_up, stats};
use crate::on_both_backends;
use crate::queue::morning;
use crate::support::Backend;

/// 2026-11-30 (a Monday) at `hh:mm` Beijing time.
fn monday(hh: u32, mm: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, hh, mm, 0)
        .single()
        .expect("time")
        - Duration::hours(8)
}

fn a_ticket_finished_after_as_of_counts_as_called_not_finished(backend: Backend) {
    let m = morning(backend);
    let (hall, app) = (&m.hall, &m.hall.app);
    let store = &app.state.store;
    let day: NaiveDate = "2026-11-30".parse().expect("date");
    let window: WindowId = hall.window1.parse().expect("id");
    let me = app.get("/api/v1/auth/me", Some(&hall.clerk1)).json();
    let clerk: UserId = me["id"].as_str().expect("id").parse().expect("id");
    let after_midnight = monday(0, 10) + Duration::days(1);
    let queue_id: QueueId = m.queue_a.parse().expect("id");
    store
        .transaction(|conn| {
            let queue = conn.queue(queue_id)?.expect("queue");
            let issue = |at: DateTime<Utc>, n: u32| {
                Issuing {
                    queue: &queue,
                    at,
                    local: (at + Duration::hours(8)).naive_utc(),
                    working_day: true,
                    issued_today: n,
                    priority: Priority::Normal,
                    id_number: None,
                    holder_waiting: false,
                }
                .issue()
                .expect("ticket")
            };
            // A017 waits 5 minutes, is served from 16:55 and finished only after midnight.
            let late = issue(monday(16, 50), 0);
            let called = late.call(window, clerk, monday(16, 55), day).expect("call");
            let serving = called
                .ticket
                .perform(
                    &TicketAction::Serve,
                    clerk,
                    monday(16, 56),
                    day,
                    &queue,
                    None,
                )
                .expect("serve");
            let mut finish = serving
                .ticket
                .perform(
                    &TicketAction::Finish,
                    clerk,
                    monday(17, 0),
                    day,
                    &queue,
                    None,
                )
                .expect("finish");
            finish.event.at = after_midnight;
            finish.ticket.ended_at = Some(after_midnight);
            // A018 waits half an hour, misses, comes back and is served in ten minutes.
            let back = issue(monday(10, 0), 1);
            let mut steps = vec![back.call(window, clerk, monday(10, 30), day).expect("call")];
            for (action, at) in [
                (TicketAction::NoShow, monday(10, 33)),
                (TicketAction::Reactivate, monday(10, 40)),
            ] {
                let last = &steps[steps.len() - 1].ticket;
                steps.push(
                    last.perform(&action, clerk, at, day, &queue, None)
                        .expect("step"),
                );
            }
            let again = steps[2]
                .ticket
                .call(window, clerk, monday(10, 50), day)
                .expect("call");
            let served = again
                .ticket
                .perform(
                    &TicketAction::Serve,
                    clerk,
                    monday(10, 51),
                    day,
                    &queue,
                    None,
                )
                .expect("serve");
            let done = served
                .ticket
                .perform(
                    &TicketAction::Finish,
                    clerk,
                    monday(11, 0),
                    day,
                    &queue,
                    None,
                )
                .expect("finish");
            steps.extend([again, served, done]);
            conn.insert_ticket(&finish.ticket, None)?;
            conn.insert_ticket(&steps[steps.len() - 1].ticket, None)?;
            for event in [late.issued(None), called.event, serving.event, finish.event]
                .into_iter()
                .chain(std::iter::once(back.issued(None)))
                .chain(steps.into_iter().map(|s| s.event))
            {
                conn.append_ticket_event(&event)?;
            }
            Ok::<_, RepositoryError>(())
        })
        .expect("history written");

    let period = "from=2026-11-30&to=2026-11-30";
    let monday_end = breakdowns_add_up(app, &hall.analyst, &format!("{period}&as_of=2026-11-30"));
    assert_eq!(
        (
            &monday_end["called"],
            &monday_end["finished"],
            &monday_end["at_window"]
        ),
        (&json!(2), &json!(1), &json!(1))
    );
    assert_eq!(monday_end["no_show"], 0, "taken back, then served");
    assert_eq!(
        monday_end["mean_wait_seconds"].as_f64(),
        Some((300.0 + 1800.0) / 2.0)
    );
    assert_eq!(monday_end["max_wait_seconds"], 1800);
    assert_eq!(
        monday_end["mean_service_seconds"].as_f64(),
        Some(600.0),
        "from the last call"
    );
    let tuesday = stats(app, &hall.analyst, &format!("{period}&as_of=2026-12-01"))["total"].clone();
    assert_eq!(tuesday["finished"], 2);
    let late_service = (after_midnight - monday(16, 55)).num_seconds() as f64;
    assert_eq!(
        tuesday["mean_service_seconds"].as_f64(),
        Some((600.0 + late_service) / 2.0)
    );
    // Both tickets were issued at the ten and sixteen o'clock hours.
    let hours = stats(
        app,
        &hall.analyst,
        &format!("{period}&as_of=2026-11-30&by=hour"),
    );
    assert_eq!(hours["groups"][10]["issued"], 1);
    assert_eq!(hours["groups"][16]["issued"], 1);
}

on_both_backends!(a_ticket_finished_after_as_of_counts_as_called_not_finished);
