//! The figures' definitions checked against hand-timed ticket histories.

use chrono::{FixedOffset, TimeZone};

use super::*;
use crate::ids::TicketEventId;
use crate::repository::QueueLine;

fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("offset")
}

/// 09:00 Beijing time on 2026-12-01, plus `minutes`.
fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 1, 0, 0)
        .single()
        .expect("time")
        + TimeDelta::minutes(minutes)
}

struct Story {
    history: TicketHistory,
    queue: QueueId,
    window: WindowId,
    clerk: UserId,
    status: TicketStatus,
}

impl Story {
    fn issued(minutes: i64) -> Self {
        let mut story = Self {
            history: TicketHistory {
                ticket_id: TicketId::new(),
                center_id: CenterId::new(),
                events: Vec::new(),
                cases: Vec::new(),
            },
            queue: QueueId::new(),
            window: WindowId::new(),
            clerk: UserId::new(),
            status: TicketStatus::Waiting,
        };
        story.then(TicketActionKind::Issue, TicketStatus::Waiting, minutes);
        story
    }

    fn then(&mut self, action: TicketActionKind, to: TicketStatus, minutes: i64) -> &mut Self {
        let from = (action != TicketActionKind::Issue).then_some(self.status);
        self.history.events.push(TicketEvent {
            id: TicketEventId::new(),
            ticket_id: self.history.ticket_id,
            action,
            from_status: from,
            to_status: to,
            queue_id: self.queue,
            window_id: (action != TicketActionKind::Issue).then_some(self.window),
            actor: Some(self.clerk),
            at: at(minutes),
            reason: None,
        });
        self.status = to;
        self
    }

    fn as_of(&self, minutes: i64) -> TicketAsOf {
        self.history.as_of(at(minutes)).expect("issued by then")
    }
}

use TicketActionKind as A;
use TicketStatus as S;

#[test]
fn wait_runs_from_arrival_to_the_first_call_and_service_from_the_last_call_to_the_finish() {
    let mut story = Story::issued(0);
    story
        .then(A::Call, S::Called, 12)
        .then(A::Recall, S::Called, 14)
        .then(A::Serve, S::Serving, 15)
        .then(A::Finish, S::Finished, 24);
    let done = story.as_of(60);
    assert_eq!(done.wait_seconds(), Some(12 * 60));
    assert_eq!(done.service_seconds(), Some(10 * 60));
    assert_eq!(done.window_id, Some(story.window));
    assert_eq!(done.clerk_id, Some(story.clerk));

    // Judged before the finish it was called and at the window, not finished.
    let earlier = story.as_of(20);
    assert_eq!(earlier.status, S::Serving);
    assert_eq!(earlier.service_seconds(), None);
    let mut sums = FigureSums::default();
    sums.add(&earlier);
    let figures = sums.figures(false);
    assert_eq!(
        (figures.called, figures.finished, figures.at_window),
        (1, 0, 1)
    );
    assert_eq!(figures.mean_service_seconds, None);
    // Before its issue it does not exist.
    assert_eq!(story.history.as_of(at(0)), None);
}

#[test]
fn a_no_show_taken_back_in_line_keeps_its_first_call_and_is_no_longer_a_no_show() {
    let mut story = Story::issued(0);
    story
        .then(A::Call, S::Called, 5)
        .then(A::NoShow, S::NoShow, 8)
        .then(A::Reactivate, S::Waiting, 30)
        .then(A::Call, S::Called, 40)
        .then(A::Serve, S::Serving, 41)
        .then(A::Finish, S::Finished, 50);
    let missed = story.as_of(20);
    assert_eq!((missed.status, missed.ended_at), (S::NoShow, Some(at(8))));
    let mut sums = FigureSums::default();
    sums.add(&missed);
    assert_eq!(sums.figures(false).no_show_rate, Some(1.0));

    let back = story.as_of(35);
    assert_eq!((back.status, back.ended_at), (S::Waiting, None));
    let done = story.as_of(60);
    assert_eq!(done.wait_seconds(), Some(5 * 60), "the first call counts");
    assert_eq!(done.service_seconds(), Some(10 * 60), "from the last call");
    let mut sums = FigureSums::default();
    sums.add(&done);
    let figures = sums.figures(true);
    assert_eq!((figures.no_show, figures.finished), (0, 1));
    assert_eq!(figures.no_show_rate, Some(0.0));
    assert_eq!(figures.open_seconds, Some(0));
}

#[test]
fn a_ticket_cancelled_in_line_was_never_called() {
    let mut story = Story::issued(0);
    story.then(A::Cancel, S::Cancelled, 20);
    let mut sums = FigureSums::default();
    sums.add(&story.as_of(30));
    let figures = sums.figures(false);
    assert_eq!(
        (figures.issued, figures.called, figures.cancelled),
        (1, 0, 1)
    );
    assert_eq!(figures.mean_wait_seconds, None);
    assert_eq!(figures.no_show_rate, None);
    assert_eq!(figures.open_seconds, None);
    assert_eq!(figures.cells().len(), FIGURE_COLUMNS.len());
}

#[test]
fn breakdowns_count_every_ticket_once_but_items_once_per_item_and_hours_all_day() {
    let mut first = Story::issued(0);
    first.then(A::Call, S::Called, 10);
    let item = ServiceItemId::new();
    let other = ServiceItemId::new();
    first.history.cases = vec![(item, at(11)), (other, at(12)), (item, at(13))];
    let second = Story::issued(65);
    let tickets = [first.as_of(120), second.as_of(120)];
    assert_eq!(tickets[0].items.len(), 2, "each item once");

    let (hours, total) = tally(&tickets, QueueGroup::Hour, beijing());
    assert_eq!(hours.len(), 24);
    assert_eq!(
        (hours["09"].issued, hours["10"].issued, hours["08"].issued),
        (1, 1, 0)
    );
    assert_eq!(total.issued, 2);
    assert_eq!(total.wait_max, Some(600));

    let (windows, _) = tally(&tickets, QueueGroup::Window, beijing());
    assert_eq!(
        windows[NONE_KEY].issued, 1,
        "the uncalled one belongs to no window"
    );
    let (items, total) = tally(&tickets, QueueGroup::Item, beijing());
    assert_eq!(items.values().map(|s| s.issued).sum::<u64>(), 3);
    assert_eq!((items[NONE_KEY].issued, total.issued), (1, 2));
    // A case accepted after the cutoff is not yet one the ticket became.
    assert_eq!(first.as_of(12).items, vec![item]);
}

#[test]
fn the_end_of_a_local_day_is_midnight_on_the_halls_clock() {
    let day: NaiveDate = "2026-12-01".parse().expect("date");
    assert_eq!(end_of_day(day, beijing()), at(15 * 60));
}

#[test]
fn waiting_now_adds_the_lines_and_the_longest_wait_is_the_earliest_arrival() {
    let line = |waiting, earliest| QueueLine {
        queue_id: QueueId::new(),
        waiting,
        earliest_arrival: earliest,
    };
    assert_eq!(
        waiting_now(&[line(2, Some(at(10))), line(3, Some(at(4)))], at(30)),
        (5, Some(26 * 60))
    );
    assert_eq!(waiting_now(&[], at(30)), (0, None));
}
