//! The queue's figures (排队统计): waiting time, service time, no-shows and tickets per hour,
//! judged like the case statistics — the tickets issued on the local days `[from, to]`, each
//! as its events stood at the end of `as_of` (see "The queue's figures" in `docs/DESIGN.md`).
//!
//! Wait is first call − arrival (a recall or a call after a redirect does not move it);
//! service is finish − last call, so a recall's wait at the window counts as service.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeDelta, Timelike, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{CenterId, QueueId, ServiceItemId, TicketId, UserId, WindowId};

use super::{TicketActionKind, TicketEvent, TicketStatus};

mod sums;

pub use sums::{FIGURE_COLUMNS, FigureSums, QueueFigures};

/// The longest period a queue question may cover: figures are folded from the events on
/// request, so the period is bounded to keep an answer quick.
pub const MAX_FIGURE_DAYS: i64 = 366;

/// The key of the tickets that belong to no window, clerk or item in a breakdown.
pub const NONE_KEY: &str = "none";

/// How to break the queue's figures down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum QueueGroup {
    /// By the centre that issued the ticket.
    Center,
    /// By the queue the ticket stood in at `as_of` (the last one after a redirect).
    Queue,
    /// By the window that last called it (`none` if never called).
    Window,
    /// By the clerk who last called it (`none` if never called).
    Clerk,
    /// By the item of each case it became by `as_of`, once per item (`none` for no case).
    Item,
    /// By the local hour of issue, `00` to `23`, every hour present.
    Hour,
}

/// A ticket's history as stored: where it was issued, its events, the items it became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketHistory {
    /// The ticket.
    pub ticket_id: TicketId,
    /// The centre that issued it.
    pub center_id: CenterId,
    /// Its events, oldest first, any of them possibly after `as_of`.
    pub events: Vec<TicketEvent>,
    /// The items of the cases it became, with when each was accepted.
    pub cases: Vec<(ServiceItemId, DateTime<Utc>)>,
}

/// A ticket as it stood at a moment, rebuilt from its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketAsOf {
    /// The centre that issued it.
    pub center_id: CenterId,
    /// The queue it stood in.
    pub queue_id: QueueId,
    /// Where it stood.
    pub status: TicketStatus,
    /// When it was issued.
    pub arrived_at: DateTime<Utc>,
    /// Its first call.
    pub first_called_at: Option<DateTime<Utc>>,
    /// Its last call (or recall).
    pub last_called_at: Option<DateTime<Utc>>,
    /// The window of its last call, kept after a reactivation or a redirect.
    pub window_id: Option<WindowId>,
    /// The clerk of its last call.
    pub clerk_id: Option<UserId>,
    /// When it was finished, missed or cancelled (cleared by a reactivation).
    pub ended_at: Option<DateTime<Utc>>,
    /// The items of the cases it had become.
    pub items: Vec<ServiceItemId>,
}

/// The end of the local day `day` in UTC: what "as of `day`" judges at.
pub fn end_of_day(day: NaiveDate, offset: FixedOffset) -> DateTime<Utc> {
    let next = day.succ_opt().unwrap_or(day).and_time(NaiveTime::MIN);
    (next - TimeDelta::seconds(i64::from(offset.local_minus_utc()))).and_utc()
}

impl TicketHistory {
    /// The ticket as it stood just before `cutoff`; `None` if it was not yet issued.
    pub fn as_of(&self, cutoff: DateTime<Utc>) -> Option<TicketAsOf> {
        let mut events = self.events.iter().filter(|e| e.at < cutoff);
        let issue = events
            .next()
            .filter(|e| e.action == TicketActionKind::Issue)?;
        let mut t = TicketAsOf {
            center_id: self.center_id,
            queue_id: issue.queue_id,
            status: issue.to_status,
            arrived_at: issue.at,
            first_called_at: None,
            last_called_at: None,
            window_id: None,
            clerk_id: None,
            ended_at: None,
            items: Vec::new(),
        };
        for e in events {
            t.status = e.to_status;
            t.queue_id = e.queue_id;
            match e.action {
                TicketActionKind::Call | TicketActionKind::Recall => {
                    t.first_called_at.get_or_insert(e.at);
                    t.last_called_at = Some(e.at);
                    t.window_id = e.window_id.or(t.window_id);
                    t.clerk_id = e.actor.or(t.clerk_id);
                }
                TicketActionKind::Finish | TicketActionKind::NoShow | TicketActionKind::Cancel => {
                    t.ended_at = Some(e.at);
                }
                TicketActionKind::Reactivate | TicketActionKind::Redirect => t.ended_at = None,
                TicketActionKind::Issue | TicketActionKind::Serve => {}
            }
        }
        let mut items: Vec<ServiceItemId> = self
            .cases
            .iter()
            .filter(|(_, at)| *at < cutoff)
            .map(|(item, _)| *item)
            .collect();
        items.sort_unstable();
        items.dedup();
        t.items = items;
        Some(t)
    }
}

impl TicketAsOf {
    /// Seconds from arrival to the first call, once called.
    pub fn wait_seconds(&self) -> Option<i64> {
        self.first_called_at
            .map(|c| (c - self.arrived_at).num_seconds().max(0))
    }

    /// Seconds from the last call to the finish, once finished.
    pub fn service_seconds(&self) -> Option<i64> {
        match (self.status, self.last_called_at, self.ended_at) {
            (TicketStatus::Finished, Some(call), Some(end)) => {
                Some((end - call).num_seconds().max(0))
            }
            _ => None,
        }
    }

    /// The keys it is counted under in a breakdown `by` (an item breakdown counts it once
    /// under each item it became; the others exactly once).
    pub fn keys(&self, by: QueueGroup, offset: FixedOffset) -> Vec<String> {
        let or_none = |id: Option<String>| vec![id.unwrap_or_else(|| NONE_KEY.to_owned())];
        match by {
            QueueGroup::Center => vec![self.center_id.to_string()],
            QueueGroup::Queue => vec![self.queue_id.to_string()],
            QueueGroup::Window => or_none(self.window_id.map(|w| w.to_string())),
            QueueGroup::Clerk => or_none(self.clerk_id.map(|c| c.to_string())),
            QueueGroup::Item if self.items.is_empty() => or_none(None),
            QueueGroup::Item => self.items.iter().map(ToString::to_string).collect(),
            QueueGroup::Hour => vec![hour_key(self.arrived_at.with_timezone(&offset).hour())],
        }
    }
}

/// The key of a local hour: `00` to `23`.
pub fn hour_key(hour: u32) -> String {
    format!("{hour:02}")
}

/// The tickets as they stood at `cutoff`, summed per key of `by`, and their total (which
/// counts each ticket once, so an item breakdown may add up to more).
pub fn tally<'a>(
    tickets: impl IntoIterator<Item = &'a TicketAsOf>,
    by: QueueGroup,
    offset: FixedOffset,
) -> (BTreeMap<String, FigureSums>, FigureSums) {
    let mut groups: BTreeMap<String, FigureSums> = BTreeMap::new();
    if by == QueueGroup::Hour {
        for hour in 0..24 {
            groups.insert(hour_key(hour), FigureSums::default());
        }
    }
    let mut total = FigureSums::default();
    for ticket in tickets {
        for key in ticket.keys(by, offset) {
            groups.entry(key).or_default().add(ticket);
        }
        total.add(ticket);
    }
    (groups, total)
}

/// People waiting now over the lines given, and the longest wait among them at `now` in
/// seconds (`None` when nobody waits).
pub fn waiting_now(
    lines: &[crate::repository::QueueLine],
    now: DateTime<Utc>,
) -> (u64, Option<i64>) {
    let waiting = lines.iter().map(|l| u64::from(l.waiting)).sum();
    let earliest = lines.iter().filter_map(|l| l.earliest_arrival).min();
    (waiting, earliest.map(|e| (now - e).num_seconds().max(0)))
}

#[cfg(test)]
mod tests;
