//! A centre with one queue and two windows, each held open by its clerk, and the queue's work
//! done through the domain's workflow on a store — the path the queue routes take — on a
//! working morning, so that tickets are issued whatever day the tests run.

use std::cell::Cell;

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use domain::case::recompute::load_calendars;
use domain::ids::{CenterId, QueueId, UserId, WindowId};
use domain::queue::workflow::{
    HallTime, QueueWorkflowError, TicketRequest, call_next, change_session, issue_ticket,
};
use domain::queue::{QueueInput, SessionState, WindowSessionInput};
use domain::repository::QueueRepository;
use persistence::Store;
use serde_json::json;

use crate::support::{Client, hall_over_http};

/// The hall's offset from UTC.
fn offset() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("offset")
}

/// A Tuesday morning, 10:00 local, on which the queue issues tickets.
fn morning() -> DateTime<Utc> {
    offset()
        .with_ymd_and_hms(2026, 3, 10, 10, 0, 0)
        .single()
        .expect("a moment")
        .with_timezone(&Utc)
}

/// The hall of the display stories.
#[derive(Debug)]
pub struct QueueHall {
    pub center: CenterId,
    pub queue: QueueId,
    pub windows: Vec<WindowId>,
    /// The clerks' tokens, one per window.
    pub clerks: Vec<String>,
    /// An analyst's token: handles no tickets.
    pub analyst: String,
    clerk_ids: Vec<UserId>,
    /// Seconds into the morning of the last change: each change a second later.
    clock: Cell<i64>,
}

/// Builds the hall over HTTP through `client`, its queue and the windows' sessions through
/// `store`.
pub fn queue_hall(client: &Client, store: &Store) -> QueueHall {
    let http = hall_over_http(client, 2, 1);
    let admin = client.admin_token();
    let window = client.get(
        &format!("/api/v1/windows/{}", http.windows[0]),
        Some(&admin),
    );
    let center: CenterId = window.json()["center_id"]
        .as_str()
        .and_then(|id| id.parse().ok())
        .expect("the window's centre");
    let input: QueueInput = serde_json::from_value(
        json!({"prefix": "A", "name": "综合业务", "item_ids": [http.item], "waiting_warning": 2}),
    )
    .expect("a queue");
    let queue = input.into_queue(center, morning());
    store
        .transaction(|conn| conn.insert_queue(&queue))
        .expect("store the queue");
    let hall = QueueHall {
        center,
        queue: queue.id,
        windows: http
            .windows
            .iter()
            .map(|w| w.parse().expect("id"))
            .collect(),
        clerks: http.clerks,
        analyst: http.analyst,
        clerk_ids: http
            .clerk_ids
            .iter()
            .map(|c| c.parse().expect("id"))
            .collect(),
        clock: Cell::new(0),
    };
    for (window, clerk) in hall.windows.iter().zip(&hall.clerk_ids) {
        let open = WindowSessionInput {
            state: SessionState::Open,
            reason: None,
        };
        let now = hall.tick();
        store
            .transaction(|conn| change_session(conn, *window, &open, *clerk, false, now))
            .expect("open the window");
    }
    hall
}

impl QueueHall {
    /// A second later than the last change.
    fn tick(&self) -> HallTime {
        self.clock.set(self.clock.get() + 1);
        HallTime {
            at: morning() + chrono::TimeDelta::seconds(self.clock.get()),
            offset: offset(),
        }
    }

    /// Issues a ticket (to the holder of `id_number`, when given) through `store`; its number.
    pub fn issue(&self, store: &Store, id_number: Option<&str>) -> String {
        let calendars = store.read(load_calendars).expect("the calendars");
        let request = TicketRequest {
            queue_id: self.queue,
            id_number: id_number.map(str::to_owned),
            ..TicketRequest::default()
        };
        let now = self.tick();
        store
            .transaction(|conn| issue_ticket(conn, &calendars, &request, now))
            .map(|issued| issued.ticket.number)
            .expect("a ticket")
    }

    /// Calls the next ticket to the `n`-th window (from 0) through `store`; its number.
    pub fn call(&self, store: &Store, n: usize) -> String {
        let now = self.tick();
        let called: Result<_, QueueWorkflowError> =
            store.transaction(|conn| call_next(conn, self.windows[n], self.clerk_ids[n], now));
        called.expect("a call").0.number
    }
}
