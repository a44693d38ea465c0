//! A ticket (排队号): one person's place in a queue for a day, and the rules for handing it
//! out.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use crate::case::is_resident_id;
use crate::ids::{CenterId, QueueId, TicketId, UserId, WindowId};

use super::Queue;

/// Age from which a real-name ticket is an elderly priority ticket: 老年人 are citizens of 60
/// and over (中华人民共和国老年人权益保障法, art. 2).
pub const ELDERLY_AGE: u32 = 60;

/// Where a ticket stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    /// In line.
    Waiting,
    /// Called to a window, not yet there.
    Called,
    /// At the window.
    Serving,
    /// Served and gone.
    Finished,
    /// 过号: called and did not come.
    NoShow,
    /// Given up, by the citizen or the hall.
    Cancelled,
}

impl TicketStatus {
    /// Every status.
    pub const ALL: [TicketStatus; 6] = [
        Self::Waiting,
        Self::Called,
        Self::Serving,
        Self::Finished,
        Self::NoShow,
        Self::Cancelled,
    ];

    /// The stored and serialized name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Called => "called",
            Self::Serving => "serving",
            Self::Finished => "finished",
            Self::NoShow => "no_show",
            Self::Cancelled => "cancelled",
        }
    }

    /// The status with this stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Whether the ticket still holds a place or a window: waiting, called or serving.
    pub fn is_live(self) -> bool {
        matches!(self, Self::Waiting | Self::Called | Self::Serving)
    }
}

/// Why a ticket goes before ordinary ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// An ordinary ticket.
    #[default]
    Normal,
    /// 老年人: 60 and over.
    Elderly,
    /// 残疾人.
    Disabled,
    /// 绿色通道: others the hall serves first (pregnant women, veterans, urgent cases).
    GreenChannel,
    /// A booked appointment checked in at the kiosk.
    Appointment,
}

impl Priority {
    /// Every priority.
    pub const ALL: [Priority; 5] = [
        Self::Normal,
        Self::Elderly,
        Self::Disabled,
        Self::GreenChannel,
        Self::Appointment,
    ];

    /// The stored and serialized name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::Elderly => "elderly",
            Self::Disabled => "disabled",
            Self::GreenChannel => "green_channel",
            Self::Appointment => "appointment",
        }
    }

    /// The priority with this stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// Whether it goes before ordinary tickets.
    pub fn is_priority(self) -> bool {
        self != Self::Normal
    }
}

/// A ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ticket {
    /// Its identifier.
    pub id: TicketId,
    /// The centre it was issued in.
    pub center_id: CenterId,
    /// The queue it waits in now (another than the first after a redirect).
    pub queue_id: QueueId,
    /// The centre's local day it was issued on.
    pub day: NaiveDate,
    /// Its place in the issuing order of its first queue that day, from 1.
    pub seq: u32,
    /// What the display shows and the clerk calls: prefix and sequence, e.g. `A017`.
    pub number: String,
    /// Where it stands.
    pub status: TicketStatus,
    /// Why it goes first, if it does.
    pub priority: Priority,
    /// When it was issued: waiting time counts from here, even after a redirect.
    pub arrived_at: DateTime<Utc>,
    /// The moment its place in line counts from (later than `arrived_at` after a no-show
    /// rejoins at the back).
    pub in_line_since: DateTime<Utc>,
    /// When it was first called.
    pub first_called_at: Option<DateTime<Utc>>,
    /// When it was last called (a recall or a call after a redirect moves it).
    pub called_at: Option<DateTime<Utc>>,
    /// The window it was last called to.
    pub window_id: Option<WindowId>,
    /// The clerk who last called it.
    pub clerk_id: Option<UserId>,
    /// When it was finished, marked a no-show or cancelled.
    pub ended_at: Option<DateTime<Utc>>,
    /// How often it was called again at the same window.
    pub recalls: u32,
    /// Whether it was issued in someone's name (the ID number is kept only as a keyed hash).
    pub real_name: bool,
    /// Bumped by every change; a change names the version it read.
    pub version: i64,
}

/// A ticket could not be handed out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IssueError {
    /// The queue hands out no tickets.
    #[error("this queue is not issuing tickets")]
    Inactive,
    /// The hall is closed today by its calendar.
    #[error("the hall is closed today")]
    ClosedToday,
    /// Outside the queue's issuing hours.
    #[error("tickets for this queue are issued from {opens} to {closes}")]
    OutsideHours {
        /// Local time issuing starts.
        opens: NaiveTime,
        /// Local time issuing stops.
        closes: NaiveTime,
    },
    /// The day's cap is reached.
    #[error("this queue has handed out all its tickets for today")]
    Full,
    /// The same person already holds a live ticket in this queue today.
    #[error("a ticket in this name is already waiting in this queue today")]
    AlreadyHolding,
}

/// Everything the decision to hand out a ticket depends on, read in the issuing transaction.
#[derive(Debug, Clone)]
pub struct Issuing<'a> {
    /// The queue asked for.
    pub queue: &'a Queue,
    /// The moment of issue.
    pub at: DateTime<Utc>,
    /// The same moment on the centre's clock.
    pub local: NaiveDateTime,
    /// Whether the centre's calendar makes today a working day.
    pub working_day: bool,
    /// Tickets this queue has numbered today.
    pub issued_today: u32,
    /// The priority asked for (the kiosk asks for none; staff and check-ins may).
    pub priority: Priority,
    /// The holder's ID number when issued in a name, for the elderly rule; never stored.
    pub id_number: Option<&'a str>,
    /// Whether the same person already holds a live ticket in this queue today.
    pub holder_waiting: bool,
}

impl Issuing<'_> {
    /// The ticket, or why none is handed out. A resident ID showing 60 years or more makes an
    /// ordinary ticket an elderly one, so no one has to ask for the priority the law gives.
    pub fn issue(&self) -> Result<Ticket, IssueError> {
        let queue = self.queue;
        if !queue.active {
            return Err(IssueError::Inactive);
        }
        if !self.working_day {
            return Err(IssueError::ClosedToday);
        }
        let time = self.local.time();
        if time < queue.opens_at || time >= queue.closes_at {
            return Err(IssueError::OutsideHours {
                opens: queue.opens_at,
                closes: queue.closes_at,
            });
        }
        if self.issued_today >= queue.daily_cap {
            return Err(IssueError::Full);
        }
        if self.holder_waiting {
            return Err(IssueError::AlreadyHolding);
        }
        let day = self.local.date();
        let priority = match (self.priority, self.id_number) {
            (Priority::Normal, Some(id)) if age_on(id, day).is_some_and(|a| a >= ELDERLY_AGE) => {
                Priority::Elderly
            }
            (asked, _) => asked,
        };
        let seq = self.issued_today + 1;
        Ok(Ticket {
            id: TicketId::new(),
            center_id: queue.center_id,
            queue_id: queue.id,
            day,
            seq,
            number: ticket_number(&queue.prefix, seq),
            status: TicketStatus::Waiting,
            priority,
            arrived_at: self.at,
            in_line_since: self.at,
            first_called_at: None,
            called_at: None,
            window_id: None,
            clerk_id: None,
            ended_at: None,
            recalls: 0,
            real_name: self.id_number.is_some(),
            version: 1,
        })
    }
}

impl Ticket {
    /// Whether a case may be accepted from this ticket at a window of `center` on `today`:
    /// its holder was called and stands at a counter of that centre, today.
    pub fn may_become_case(
        &self,
        center: CenterId,
        today: NaiveDate,
    ) -> Result<(), crate::ValidationErrors> {
        let why = if self.center_id != center {
            Some("is a ticket of another centre")
        } else if self.day != today {
            Some("is a ticket of another day")
        } else if !matches!(self.status, TicketStatus::Called | TicketStatus::Serving) {
            Some("is not called to a window: call it first")
        } else {
            None
        };
        match why {
            Some(why) => Err(crate::ValidationErrors::single("ticket_id", why)),
            None => Ok(()),
        }
    }
}

/// The number shown for the `seq`-th ticket of a queue: its prefix and at least three digits,
/// `A001`, `A017`, `A1000`.
pub fn ticket_number(prefix: &str, seq: u32) -> String {
    format!("{prefix}{seq:03}")
}

/// Whole years of age on `day` of the holder of a valid resident ID (GB 11643: the birth date
/// is characters 7 to 14); `None` for other numbers.
fn age_on(id_number: &str, day: NaiveDate) -> Option<u32> {
    if !is_resident_id(id_number) {
        return None;
    }
    let born = NaiveDate::parse_from_str(id_number.get(6..14)?, "%Y%m%d").ok()?;
    let mut years = day.year() - born.year();
    if (day.month(), day.day()) < (born.month(), born.day()) {
        years -= 1;
    }
    u32::try_from(years).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::ServiceItemId;
    use crate::queue::QueueInput;

    fn queue() -> Queue {
        serde_json::from_value::<QueueInput>(serde_json::json!({
            "prefix": "A", "name": "社保业务", "item_ids": [ServiceItemId::new()],
            "daily_cap": 3
        }))
        .expect("queue")
        .into_queue(CenterId::new(), Utc::now())
    }

    fn at(local: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M").expect("local time")
    }

    fn issuing<'a>(queue: &'a Queue, local: &str) -> Issuing<'a> {
        Issuing {
            queue,
            at: Utc::now(),
            local: at(local),
            working_day: true,
            issued_today: 0,
            priority: Priority::Normal,
            id_number: None,
            holder_waiting: false,
        }
    }

    #[test]
    fn tickets_are_numbered_from_one_per_queue_and_day_up_to_the_cap() {
        let queue = queue();
        let first = issuing(&queue, "2012-09-28 09:00").issue().expect("first");
        assert_eq!((first.seq, first.number.as_str()), (1, "A001"));
        assert_eq!(first.status, TicketStatus::Waiting);
        assert_eq!(first.day.to_string(), "2012-09-28");
        let third = Issuing {
            issued_today: 2,
            ..issuing(&queue, "2012-09-28 09:00")
        };
        assert_eq!(third.issue().expect("third").number, "A003");
        let fourth = Issuing {
            issued_today: 3,
            ..issuing(&queue, "2012-09-28 09:00")
        };
        assert_eq!(fourth.issue(), Err(IssueError::Full));
        assert_eq!(ticket_number("B", 1000), "B1000");
    }

    #[test]
    fn no_ticket_outside_hours_on_a_closed_day_or_from_an_inactive_queue() {
        let mut queue = queue();
        assert!(matches!(
            issuing(&queue, "2012-09-28 08:29").issue(),
            Err(IssueError::OutsideHours { .. })
        ));
        assert!(issuing(&queue, "2012-09-28 08:30").issue().is_ok());
        assert!(issuing(&queue, "2012-09-28 17:29").issue().is_ok());
        assert!(matches!(
            issuing(&queue, "2012-09-28 17:30").issue(),
            Err(IssueError::OutsideHours { .. })
        ));
        let closed = Issuing {
            working_day: false,
            ..issuing(&queue, "2012-09-29 09:00")
        };
        assert_eq!(closed.issue(), Err(IssueError::ClosedToday));
        queue.active = false;
        assert_eq!(
            issuing(&queue, "2012-09-28 09:00").issue(),
            Err(IssueError::Inactive)
        );
    }

    #[test]
    fn a_real_name_ticket_of_someone_sixty_or_over_is_an_elderly_one() {
        let queue = queue();
        // Born 1952-09-28: sixty on 2012-09-28, not the day before.
        let fixed = "0123456789X"
            .chars()
            .map(|check| format!("11010519520928001{check}"))
            .find(|id| is_resident_id(id))
            .expect("one check character fits");
        let named = |local| Issuing {
            id_number: Some(&fixed),
            ..issuing(&queue, local)
        };
        let on_birthday = named("2012-09-28 09:00").issue().expect("ticket");
        assert_eq!(on_birthday.priority, Priority::Elderly);
        assert!(on_birthday.real_name);
        assert_eq!(
            named("2012-09-27 09:00").issue().expect("ticket").priority,
            Priority::Normal
        );
        let held = Issuing {
            holder_waiting: true,
            ..named("2012-09-28 09:00")
        };
        assert_eq!(held.issue(), Err(IssueError::AlreadyHolding));
        // A priority asked for is kept; an invalid number gives no age.
        let disabled = Issuing {
            priority: Priority::Disabled,
            ..named("2012-09-28 09:00")
        };
        assert_eq!(
            disabled.issue().expect("ticket").priority,
            Priority::Disabled
        );
        assert_eq!(
            age_on("110105195209280010", at("2012-09-28 09:00").date()),
            None
        );
    }
}
