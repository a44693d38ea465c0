//! The demo hall's synthetic queue history, read back through the figures and the
//! repository: every case came from a ticket called before the case was accepted.

use chrono::Utc;
use domain::queue::TicketActionKind;
use domain::repository::{FigureQuery, QueueFiguresRepository};

use super::stats;
use crate::on_both_backends;
use crate::support::{Backend, TestApp};

fn the_demo_hall_s_queue_history_is_consistent_with_its_cases(backend: Backend) {
    let app = TestApp::start(backend);
    let report = api::demo::load(&app.state, 2012).expect("the demo loads");
    let analyst = app.login("analyst", api::demo::DEMO_PASSWORD);
    let period = "from=2012-01-01&to=2012-09-30&as_of=2012-09-30";
    let by_item = stats(&app, &analyst, &format!("{period}&by=item"));
    let total = &by_item["total"];
    assert_eq!(total["issued"].as_u64(), u64::try_from(report.tickets).ok());
    assert_eq!(total["waiting"], 0, "every day's line ended");
    let with_case: u64 = by_item["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .filter(|g| g["key"] != "none")
        .map(|g| g["finished"].as_u64().expect("n"))
        .sum();
    assert_eq!(
        with_case,
        api::demo::RECEIVED as u64,
        "every case came from a ticket"
    );
    let wait = total["max_wait_seconds"].as_i64().expect("waits");
    assert!(wait <= 60 * 60, "{total}");

    // Every case with a ticket was accepted after its ticket was first called.
    let histories = app
        .state
        .store
        .transaction(|conn| {
            conn.ticket_histories(&FigureQuery {
                from: "2012-01-01".parse().expect("date"),
                to: "2012-09-30".parse().expect("date"),
                cutoff: Utc::now(),
                center_ids: None,
                with_items: true,
            })
        })
        .expect("histories");
    let mut linked = 0;
    for history in &histories {
        let called = history
            .events
            .iter()
            .find(|e| e.action == TicketActionKind::Call)
            .map(|e| e.at);
        for (_, accepted) in &history.cases {
            linked += 1;
            assert!(called.is_some_and(|c| c < *accepted), "{history:?}");
        }
    }
    assert_eq!(linked, api::demo::RECEIVED);
}

on_both_backends!(the_demo_hall_s_queue_history_is_consistent_with_its_cases);
