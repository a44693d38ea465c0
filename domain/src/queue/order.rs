//! The calling order (docs/DESIGN.md, "The queue"): who a window calls next. Storage sorts by
//! the same key, which it stores with each ticket, so the database and this function agree.

use chrono::{DateTime, Utc};

use crate::ids::TicketId;

use super::{Ticket, TicketStatus};

/// A waiting ticket's place in the calling order; the least key is called first.
///
/// Priority tickets (elderly, disabled, green channel, appointment check-ins) come before
/// ordinary ones, all priorities alike; within each class the ticket whose place in line
/// counts from earlier comes first; ties, which only a shared clock tick makes, go to the
/// ticket issued first (ticket ids are UUID v7, ordered by creation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct QueueKey {
    /// 0 for priority tickets, 1 for ordinary ones.
    pub class: u8,
    /// When its place in line counts from.
    pub since: DateTime<Utc>,
    /// The ticket, last resort and unique.
    pub id: TicketId,
}

impl Ticket {
    /// Its place in the calling order.
    pub fn queue_key(&self) -> QueueKey {
        QueueKey {
            class: if self.priority.is_priority() { 0 } else { 1 },
            since: self.in_line_since,
            id: self.id,
        }
    }
}

/// The ticket to call next among `tickets`: the waiting one with the least key. `tickets` are
/// those of the queues the calling window serves; the others are ignored.
pub fn take_next<'a>(tickets: impl IntoIterator<Item = &'a Ticket>) -> Option<&'a Ticket> {
    tickets
        .into_iter()
        .filter(|t| t.status == TicketStatus::Waiting)
        .min_by_key(|t| t.queue_key())
}

/// How many waiting tickets of its own queue would be called before `ticket`, when it waits.
pub fn position_of(ticket: &Ticket, tickets: &[Ticket]) -> Option<usize> {
    if ticket.status != TicketStatus::Waiting {
        return None;
    }
    let key = ticket.queue_key();
    Some(
        tickets
            .iter()
            .filter(|t| {
                t.status == TicketStatus::Waiting
                    && t.queue_id == ticket.queue_id
                    && t.queue_key() < key
            })
            .count(),
    )
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, NaiveDate, TimeZone};

    use super::*;
    use crate::ids::{CenterId, QueueId};
    use crate::queue::Priority;

    fn ticket(priority: Priority, minute: i64, status: TicketStatus, queue: QueueId) -> Ticket {
        let start = Utc
            .with_ymd_and_hms(2012, 9, 28, 1, 0, 0)
            .single()
            .expect("time");
        let at = start + Duration::minutes(minute);
        Ticket {
            id: TicketId::new(),
            center_id: CenterId::new(),
            queue_id: queue,
            day: NaiveDate::from_ymd_opt(2012, 9, 28).expect("day"),
            seq: 1,
            number: "A001".into(),
            status,
            priority,
            arrived_at: at,
            in_line_since: at,
            first_called_at: None,
            called_at: None,
            window_id: None,
            clerk_id: None,
            ended_at: None,
            recalls: 0,
            real_name: false,
            version: 1,
        }
    }

    /// Every arrangement of `items`, by Heap's algorithm.
    fn permutations<T: Clone>(items: &[T]) -> Vec<Vec<T>> {
        fn heap<T: Clone>(k: usize, items: &mut Vec<T>, out: &mut Vec<Vec<T>>) {
            if k <= 1 {
                out.push(items.clone());
                return;
            }
            for i in 0..k {
                heap(k - 1, items, out);
                let j = if k.is_multiple_of(2) { i } else { 0 };
                items.swap(j, k - 1);
            }
        }
        let mut items = items.to_vec();
        let mut out = Vec::new();
        heap(items.len(), &mut items, &mut out);
        out
    }

    /// The rule said another way: a waiting priority ticket if there is one, else an ordinary
    /// one; of those, one in line earliest; of those, the one issued first.
    fn expected(tickets: &[Ticket]) -> Option<&Ticket> {
        let waiting: Vec<&Ticket> = tickets
            .iter()
            .filter(|t| t.status == TicketStatus::Waiting)
            .collect();
        let priority: Vec<&Ticket> = waiting
            .iter()
            .copied()
            .filter(|t| t.priority != Priority::Normal)
            .collect();
        let class = if priority.is_empty() {
            waiting
        } else {
            priority
        };
        let earliest = class.iter().map(|t| t.in_line_since).min()?;
        class
            .into_iter()
            .filter(|t| t.in_line_since == earliest)
            .min_by(|a, b| a.id.cmp(&b.id))
    }

    #[test]
    fn every_arrangement_of_every_small_line_calls_the_ticket_the_rule_names() {
        let queue = QueueId::new();
        // Every combination of two priorities, three arrival minutes (ties included) and two
        // states, as lines of up to five tickets, in every order they could be read in.
        let kinds: Vec<Ticket> = [Priority::Normal, Priority::Elderly]
            .into_iter()
            .flat_map(|p| {
                [0, 1, 1].into_iter().flat_map(move |m| {
                    [TicketStatus::Waiting, TicketStatus::Called].map(|s| (p, m, s))
                })
            })
            .map(|(p, m, s)| ticket(p, m, s, queue))
            .collect();
        let mut lines = 0;
        for mask in 1u32..(1 << kinds.len()) {
            let line: Vec<Ticket> = kinds
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, t)| t.clone())
                .collect();
            if line.len() > 5 {
                continue;
            }
            let want = expected(&line).map(|t| t.id);
            for arrangement in permutations(&line) {
                assert_eq!(take_next(&arrangement).map(|t| t.id), want);
                lines += 1;
            }
        }
        assert!(lines > 10_000, "{lines} arrangements");
    }

    #[test]
    fn a_priority_ticket_goes_first_and_positions_count_who_is_ahead_in_the_same_queue() {
        let a = QueueId::new();
        let b = QueueId::new();
        let first = ticket(Priority::Normal, 0, TicketStatus::Waiting, a);
        let second = ticket(Priority::Normal, 5, TicketStatus::Waiting, a);
        let elderly = ticket(Priority::Elderly, 10, TicketStatus::Waiting, a);
        let elsewhere = ticket(Priority::Normal, 1, TicketStatus::Waiting, b);
        let called = ticket(Priority::Normal, 0, TicketStatus::Called, a);
        let line = vec![
            first.clone(),
            second.clone(),
            elderly.clone(),
            elsewhere.clone(),
            called.clone(),
        ];
        assert_eq!(take_next(&line).map(|t| t.id), Some(elderly.id));
        assert_eq!(position_of(&elderly, &line), Some(0));
        assert_eq!(position_of(&first, &line), Some(1));
        assert_eq!(position_of(&second, &line), Some(2));
        assert_eq!(position_of(&elsewhere, &line), Some(0));
        assert_eq!(position_of(&called, &line), None);
    }
}
