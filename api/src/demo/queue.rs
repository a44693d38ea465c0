//! The demo hall's queue history — synthetic, drawn around the generated cases, since the
//! 2012 report gives no queue figures: three queues (A for the departments' permanent
//! windows, B for the proxy windows, C for the comprehensive window), a ticket for every case
//! issued a few minutes to half an hour before it, called by its window two minutes before
//! the acceptance and finished minutes after it, plus tickets that became no case: about 5%
//! no-shows and 2% cancelled. Every ticket is made by the domain's own issuing and actions.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc};
use domain::ids::{CaseId, ServiceItemId};
use domain::queue::{
    Issuing, Priority, Queue, QueueInput, SessionSpan, SessionState, Ticket, TicketAction,
    TicketChange,
};
use persistence::bulk_queue::QueueBatch;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::cases::{Staff, Visit};
use super::catalogue::Catalogue;

/// The demo's queues: prefix, name and the windows (by index) that call each.
const QUEUES: [(&str, &str, std::ops::Range<usize>); 3] = [
    ("A", "部门业务", 0..12),
    ("B", "代办业务", 12..19),
    ("C", "综合业务", 19..20),
];

/// The demo's queues and its queue history.
pub struct QueueHistory {
    /// The queues, to store through the repository.
    pub queues: Vec<Queue>,
    /// The tickets, events, links and windows' spans, for one bulk write.
    pub batch: QueueBatch,
}

/// What a planned ticket becomes.
enum Fate {
    /// Called by `window`, served, finished; it became `case`.
    Served {
        case: CaseId,
        window: usize,
        call: DateTime<Utc>,
        finish: DateTime<Utc>,
    },
    /// Called by `window` and did not come.
    NoShow { window: usize, call: DateTime<Utc> },
    /// Given up in line (the window's clerk records it).
    Cancelled { window: usize, at: DateTime<Utc> },
}

struct Planned {
    arrival: DateTime<Utc>,
    queue: usize,
    fate: Fate,
}

/// The queue history around `visits`; deterministic for a seed, but for ids.
pub fn history(
    seed: u64,
    catalogue: &Catalogue,
    staff: &Staff,
    visits: &[Visit],
    offset: FixedOffset,
    now: DateTime<Utc>,
) -> Result<QueueHistory, String> {
    let center = catalogue.centers[0].id;
    let queues = QUEUES
        .iter()
        .map(|(prefix, name, windows)| {
            let mut items: Vec<ServiceItemId> = catalogue.windows[windows.clone()]
                .iter()
                .flat_map(|w| w.item_ids.iter().copied())
                .collect();
            items.sort_unstable();
            items.dedup();
            let window_ids: Vec<_> = catalogue.windows[windows.clone()]
                .iter()
                .map(|w| w.id)
                .collect();
            serde_json::from_value::<QueueInput>(serde_json::json!({
                "prefix": prefix, "name": name, "item_ids": items, "window_ids": window_ids,
                "daily_cap": 999, "opens_at": "08:00", "closes_at": "17:30"
            }))
            .map(|input| input.into_queue(center, now))
            .map_err(|e| format!("demo queue: {e}"))
        })
        .collect::<Result<Vec<Queue>, String>>()?;
    let queue_of = |window: usize| QUEUES.iter().position(|(_, _, w)| w.contains(&window));

    // Its own generator, so the cases' draws stay as they were.
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5155_4555);
    let local = |at: DateTime<Utc>| at.with_timezone(&offset).naive_local();
    let minutes = TimeDelta::minutes;
    let mut days: BTreeMap<NaiveDate, Vec<Planned>> = BTreeMap::new();
    for visit in visits {
        let day = local(visit.accepted_at).date();
        let opening = offset
            .from_local_datetime(
                &day.and_time(NaiveTime::from_hms_opt(8, 0, 0).unwrap_or_default()),
            )
            .single()
            .ok_or("no opening time")?
            .with_timezone(&Utc);
        let queue = queue_of(visit.window).ok_or("a window in no queue")?;
        let call = visit.accepted_at - minutes(2);
        let arrival = (call - minutes(rng.random_range(1..=30))).max(opening);
        let planned = days.entry(day).or_default();
        planned.push(Planned {
            arrival,
            queue,
            fate: Fate::Served {
                case: visit.case_id,
                window: visit.window,
                call,
                finish: visit.accepted_at + minutes(rng.random_range(3..=12)),
            },
        });
        let other = (arrival - minutes(rng.random_range(0..=10))).max(opening);
        if rng.random_bool(0.05) {
            let call = other + minutes(rng.random_range(1..=30));
            planned.push(Planned {
                arrival: other,
                queue,
                fate: Fate::NoShow {
                    window: visit.window,
                    call,
                },
            });
        } else if rng.random_bool(0.02) {
            let at = other + minutes(rng.random_range(5..=30));
            planned.push(Planned {
                arrival: other,
                queue,
                fate: Fate::Cancelled {
                    window: visit.window,
                    at,
                },
            });
        }
    }

    let mut batch = QueueBatch::default();
    for (day, mut planned) in days {
        planned.sort_by_key(|p| p.arrival);
        let mut issued = [0u32; QUEUES.len()];
        let mut open_until: BTreeMap<usize, (DateTime<Utc>, DateTime<Utc>)> = BTreeMap::new();
        for p in planned {
            let queue = &queues[p.queue];
            let priority = if rng.random_bool(0.05) {
                Priority::Elderly
            } else {
                Priority::Normal
            };
            let ticket = Issuing {
                queue,
                at: p.arrival,
                local: local(p.arrival),
                working_day: true,
                issued_today: issued[p.queue],
                priority,
                id_number: None,
                holder_waiting: false,
            }
            .issue()
            .map_err(|e| format!("demo ticket on {day}: {e}"))?;
            issued[p.queue] += 1;
            batch.event(&ticket.issued(None));
            let mut story = Story {
                ticket,
                day,
                queue,
                batch: &mut batch,
            };
            let (window, last) = match p.fate {
                Fate::Served {
                    case,
                    window,
                    call,
                    finish,
                } => {
                    story.call(catalogue, staff, window, call)?;
                    story.act(
                        &TicketAction::Serve,
                        staff.clerks[window],
                        call + minutes(1),
                    )?;
                    story.act(&TicketAction::Finish, staff.clerks[window], finish)?;
                    story.batch.link(story.ticket.id, case);
                    (window, finish)
                }
                Fate::NoShow { window, call } => {
                    story.call(catalogue, staff, window, call)?;
                    let at = call + minutes(3);
                    story.act(&TicketAction::NoShow, staff.clerks[window], at)?;
                    (window, at)
                }
                Fate::Cancelled { window, at } => {
                    let reason = Some("本人离开".to_owned());
                    story.act(&TicketAction::Cancel { reason }, staff.clerks[window], at)?;
                    (window, at)
                }
            };
            let ticket = story.ticket;
            batch.ticket(&ticket, queue.id);
            let span = open_until.entry(window).or_insert((p.arrival, last));
            span.0 = span.0.min(ticket.arrived_at);
            span.1 = span.1.max(last);
        }
        // Each window open from its first ticket's arrival to ten minutes after its last.
        for (window, (from, to)) in open_until {
            batch.span(&SessionSpan {
                window_id: catalogue.windows[window].id,
                clerk_id: staff.clerks[window],
                state: SessionState::Open,
                reason: None,
                from,
                to: to + minutes(10),
            });
        }
    }
    Ok(QueueHistory { queues, batch })
}

/// One ticket's day, its events gathered as it goes.
struct Story<'a> {
    ticket: Ticket,
    day: NaiveDate,
    queue: &'a Queue,
    batch: &'a mut QueueBatch,
}

impl Story<'_> {
    fn call(
        &mut self,
        catalogue: &Catalogue,
        staff: &Staff,
        window: usize,
        at: DateTime<Utc>,
    ) -> Result<(), String> {
        let change = self
            .ticket
            .call(
                catalogue.windows[window].id,
                staff.clerks[window],
                at,
                self.day,
            )
            .map_err(|e| format!("demo call: {e}"))?;
        self.keep(change);
        Ok(())
    }

    fn act(
        &mut self,
        action: &TicketAction,
        actor: domain::ids::UserId,
        at: DateTime<Utc>,
    ) -> Result<(), String> {
        let change = self
            .ticket
            .perform(action, actor, at, self.day, self.queue, None)
            .map_err(|e| format!("demo ticket {action:?}: {e}"))?;
        self.keep(change);
        Ok(())
    }

    fn keep(&mut self, change: TicketChange) {
        self.batch.event(&change.event);
        self.ticket = change.ticket;
    }
}
