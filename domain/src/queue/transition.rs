//! What happens to a ticket after it is handed out: called, served, finished, missed (过号),
//! taken back in line, sent to another queue (转窗), cancelled — each change with its event.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::ValidationErrors;
use crate::ids::{QueueId, TicketEventId, TicketId, UserId, WindowId};

use super::{NoShowPolicy, Queue, Ticket, TicketStatus};

/// What a clerk does to a ticket (calling is `call-next`, not one of these).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum TicketAction {
    /// The citizen is at the window.
    Serve,
    /// Served and gone.
    Finish,
    /// 过号: called and did not come.
    NoShow,
    /// Call again to the same window.
    Recall,
    /// Take a no-show back in line, the same day, where the queue's policy puts it.
    Reactivate,
    /// 转窗: send to another queue of the centre; the place in line is kept.
    Redirect {
        /// The queue to wait in now.
        queue_id: QueueId,
    },
    /// Give up the ticket.
    Cancel {
        /// Why, when known.
        #[serde(default)]
        #[cfg_attr(feature = "openapi", schema(max_length = 500))]
        reason: Option<String>,
    },
}

/// The kind of a ticket change, as recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TicketActionKind {
    /// Handed out.
    Issue,
    /// Called to a window.
    Call,
    /// See [`TicketAction::Serve`].
    Serve,
    /// See [`TicketAction::Finish`].
    Finish,
    /// See [`TicketAction::NoShow`].
    NoShow,
    /// See [`TicketAction::Recall`].
    Recall,
    /// See [`TicketAction::Reactivate`].
    Reactivate,
    /// See [`TicketAction::Redirect`].
    Redirect,
    /// See [`TicketAction::Cancel`].
    Cancel,
}

impl TicketActionKind {
    /// Every kind.
    pub const ALL: [TicketActionKind; 9] = [
        Self::Issue,
        Self::Call,
        Self::Serve,
        Self::Finish,
        Self::NoShow,
        Self::Recall,
        Self::Reactivate,
        Self::Redirect,
        Self::Cancel,
    ];

    /// The stored and serialized name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Issue => "issue",
            Self::Call => "call",
            Self::Serve => "serve",
            Self::Finish => "finish",
            Self::NoShow => "no_show",
            Self::Recall => "recall",
            Self::Reactivate => "reactivate",
            Self::Redirect => "redirect",
            Self::Cancel => "cancel",
        }
    }

    /// The kind with this stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether the change moves someone to a window, so the hall's display shows it.
    pub fn is_call(self) -> bool {
        matches!(self, Self::Call | Self::Recall)
    }
}

impl TicketAction {
    /// Its recorded kind.
    pub fn kind(&self) -> TicketActionKind {
        match self {
            Self::Serve => TicketActionKind::Serve,
            Self::Finish => TicketActionKind::Finish,
            Self::NoShow => TicketActionKind::NoShow,
            Self::Recall => TicketActionKind::Recall,
            Self::Reactivate => TicketActionKind::Reactivate,
            Self::Redirect { .. } => TicketActionKind::Redirect,
            Self::Cancel { .. } => TicketActionKind::Cancel,
        }
    }

    /// Whether only the window the ticket was called to (or a supervisor) may do it: what
    /// happens at the counter belongs to the clerk behind it.
    pub fn belongs_to_the_window(&self) -> bool {
        matches!(
            self,
            Self::Serve | Self::Finish | Self::NoShow | Self::Recall
        )
    }
}

/// One change of a ticket; append-only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketEvent {
    /// Its identifier.
    pub id: TicketEventId,
    /// The ticket changed.
    pub ticket_id: TicketId,
    /// What was done.
    pub action: TicketActionKind,
    /// The status before (none for the issue).
    pub from_status: Option<TicketStatus>,
    /// The status after.
    pub to_status: TicketStatus,
    /// The queue the ticket is in after the change.
    pub queue_id: QueueId,
    /// The window it concerns, for calls and what follows them.
    pub window_id: Option<WindowId>,
    /// Who did it; none for a kiosk.
    pub actor: Option<UserId>,
    /// When.
    pub at: DateTime<Utc>,
    /// A cancellation's reason.
    pub reason: Option<String>,
}

/// A ticket after a change, and the event that records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketChange {
    /// The ticket after the change.
    pub ticket: Ticket,
    /// The event to append.
    pub event: TicketEvent,
}

/// Why a ticket refused a change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TicketError {
    /// The state does not allow the action.
    #[error("a {status} ticket cannot take the action {action}", status = .status.as_str(), action = .action.as_str())]
    NotAllowed {
        /// The current state.
        status: TicketStatus,
        /// The refused action.
        action: TicketActionKind,
    },
    /// The ticket was for another day: a day's line ends with the day.
    #[error("the ticket was issued for {0}, not today")]
    PastDay(NaiveDate),
    /// A redirect to the queue it is already in, or to another centre's.
    #[error("a ticket can only be redirected to another queue of its centre")]
    BadRedirect,
    /// The target queue takes no tickets.
    #[error("the queue redirected to is not active")]
    InactiveQueue,
    /// Invalid values.
    #[error(transparent)]
    Invalid(#[from] ValidationErrors),
}

impl Ticket {
    /// The event of a change from `from` to this ticket's state, done by `actor` at `at`.
    fn event(
        &self,
        action: TicketActionKind,
        from: Option<TicketStatus>,
        actor: Option<UserId>,
        at: DateTime<Utc>,
    ) -> TicketEvent {
        TicketEvent {
            id: TicketEventId::new(),
            ticket_id: self.id,
            action,
            from_status: from,
            to_status: self.status,
            queue_id: self.queue_id,
            window_id: self.window_id,
            actor,
            at,
            reason: None,
        }
    }

    /// The issue event of a ticket just handed out.
    pub fn issued(&self, actor: Option<UserId>) -> TicketEvent {
        self.event(TicketActionKind::Issue, None, actor, self.arrived_at)
    }

    /// Called to `window` by `clerk` at `at`, on `today` (the centre's local day).
    pub fn call(
        &self,
        window: WindowId,
        clerk: UserId,
        at: DateTime<Utc>,
        today: NaiveDate,
    ) -> Result<TicketChange, TicketError> {
        self.check(TicketActionKind::Call, today, &[TicketStatus::Waiting])?;
        let ticket = Ticket {
            status: TicketStatus::Called,
            first_called_at: self.first_called_at.or(Some(at)),
            called_at: Some(at),
            window_id: Some(window),
            clerk_id: Some(clerk),
            version: self.version + 1,
            ..self.clone()
        };
        let event = ticket.event(TicketActionKind::Call, Some(self.status), Some(clerk), at);
        Ok(TicketChange { ticket, event })
    }

    /// The ticket after `action` by `actor` at `at` on `today`. `queue` is the ticket's own
    /// queue (its no-show policy) and `target` the queue of a redirect.
    pub fn perform(
        &self,
        action: &TicketAction,
        actor: UserId,
        at: DateTime<Utc>,
        today: NaiveDate,
        queue: &Queue,
        target: Option<&Queue>,
    ) -> Result<TicketChange, TicketError> {
        use TicketStatus::*;
        let kind = action.kind();
        let next = |status| Ticket {
            status,
            version: self.version + 1,
            ..self.clone()
        };
        let mut reason = None;
        let ticket = match action {
            TicketAction::Serve => {
                self.check(kind, today, &[Called])?;
                next(Serving)
            }
            TicketAction::Finish => {
                self.check(kind, today, &[Serving])?;
                Ticket {
                    ended_at: Some(at),
                    ..next(Finished)
                }
            }
            TicketAction::NoShow => {
                self.check(kind, today, &[Called])?;
                Ticket {
                    ended_at: Some(at),
                    ..next(NoShow)
                }
            }
            TicketAction::Recall => {
                self.check(kind, today, &[Called])?;
                Ticket {
                    called_at: Some(at),
                    recalls: self.recalls + 1,
                    ..next(Called)
                }
            }
            TicketAction::Reactivate => {
                self.check(kind, today, &[NoShow])?;
                Ticket {
                    in_line_since: match queue.no_show_policy {
                        NoShowPolicy::Back => at,
                        NoShowPolicy::Front => self.in_line_since,
                    },
                    window_id: None,
                    ended_at: None,
                    ..next(Waiting)
                }
            }
            TicketAction::Redirect { queue_id } => {
                self.check(kind, today, &[Waiting, Called, Serving])?;
                let target = target
                    .filter(|t| t.id == *queue_id && t.center_id == self.center_id)
                    .filter(|t| t.id != self.queue_id)
                    .ok_or(TicketError::BadRedirect)?;
                if !target.active {
                    return Err(TicketError::InactiveQueue);
                }
                Ticket {
                    queue_id: target.id,
                    window_id: None,
                    ..next(Waiting)
                }
            }
            TicketAction::Cancel { reason: why } => {
                self.check(kind, today, &[Waiting, Called])?;
                if let Some(why) = why {
                    let mut errors = ValidationErrors::default();
                    errors.optional_text("reason", why, 500);
                    errors.into_result()?;
                    reason = Some(why.trim().to_owned()).filter(|r| !r.is_empty());
                }
                Ticket {
                    ended_at: Some(at),
                    ..next(Cancelled)
                }
            }
        };
        let mut event = ticket.event(kind, Some(self.status), Some(actor), at);
        // A change at the counter concerns the window the ticket stood at.
        event.window_id = ticket.window_id.or(self.window_id);
        event.reason = reason;
        Ok(TicketChange { ticket, event })
    }

    fn check(
        &self,
        action: TicketActionKind,
        today: NaiveDate,
        from: &[TicketStatus],
    ) -> Result<(), TicketError> {
        if self.day != today {
            return Err(TicketError::PastDay(self.day));
        }
        if !from.contains(&self.status) {
            return Err(TicketError::NotAllowed {
                status: self.status,
                action,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;
    use crate::ids::{CenterId, ServiceItemId};
    use crate::queue::{Issuing, Priority, QueueInput};

    struct Morning {
        queue: Queue,
        other: Queue,
        start: DateTime<Utc>,
        day: NaiveDate,
        clerk: UserId,
        window: WindowId,
    }

    fn morning(policy: NoShowPolicy) -> Morning {
        let center = CenterId::new();
        let start = Utc
            .with_ymd_and_hms(2012, 9, 28, 1, 0, 0)
            .single()
            .expect("time");
        let queue = |prefix: &str| {
            QueueInput {
                no_show_policy: policy,
                ..serde_json::from_value::<QueueInput>(serde_json::json!({
                    "prefix": prefix, "name": "业务", "item_ids": [ServiceItemId::new()]
                }))
                .expect("queue")
            }
            .into_queue(center, start)
        };
        Morning {
            queue: queue("A"),
            other: queue("B"),
            start,
            day: NaiveDate::from_ymd_opt(2012, 9, 28).expect("day"),
            clerk: UserId::new(),
            window: WindowId::new(),
        }
    }

    impl Morning {
        fn at(&self, minutes: i64) -> DateTime<Utc> {
            self.start + Duration::minutes(minutes)
        }

        fn issue(&self, minutes: i64) -> Ticket {
            Issuing {
                queue: &self.queue,
                at: self.at(minutes),
                local: (self.at(minutes) + Duration::hours(8)).naive_utc(),
                working_day: true,
                issued_today: 0,
                priority: Priority::Normal,
                id_number: None,
                holder_waiting: false,
            }
            .issue()
            .expect("ticket")
        }

        fn act(
            &self,
            ticket: &Ticket,
            action: TicketAction,
            minutes: i64,
        ) -> Result<Ticket, TicketError> {
            ticket
                .perform(
                    &action,
                    self.clerk,
                    self.at(minutes),
                    self.day,
                    &self.queue,
                    Some(&self.other),
                )
                .map(|c| c.ticket)
        }
    }

    #[test]
    fn a_ticket_is_called_served_and_finished_and_keeps_its_times() {
        let m = morning(NoShowPolicy::Back);
        let ticket = m.issue(0);
        let called = ticket
            .call(m.window, m.clerk, m.at(12), m.day)
            .expect("call");
        assert_eq!(called.event.action, TicketActionKind::Call);
        assert_eq!(called.event.window_id, Some(m.window));
        let called = called.ticket;
        assert_eq!(called.status, TicketStatus::Called);
        let recalled = m.act(&called, TicketAction::Recall, 14).expect("recall");
        assert_eq!((recalled.recalls, recalled.called_at), (1, Some(m.at(14))));
        assert_eq!(recalled.first_called_at, Some(m.at(12)));
        let serving = m.act(&recalled, TicketAction::Serve, 15).expect("serve");
        let done = m.act(&serving, TicketAction::Finish, 25).expect("finish");
        assert_eq!(done.status, TicketStatus::Finished);
        assert_eq!(done.ended_at, Some(m.at(25)));
        assert_eq!(done.version, ticket.version + 4);
        assert!(matches!(
            m.act(&done, TicketAction::Finish, 26),
            Err(TicketError::NotAllowed {
                status: TicketStatus::Finished,
                ..
            })
        ));
    }

    #[test]
    fn a_no_show_rejoins_at_the_back_or_at_its_place_by_the_queue_policy() {
        for (policy, since) in [(NoShowPolicy::Back, 30), (NoShowPolicy::Front, 0)] {
            let m = morning(policy);
            let called = m
                .issue(0)
                .call(m.window, m.clerk, m.at(10), m.day)
                .expect("call")
                .ticket;
            let missed = m.act(&called, TicketAction::NoShow, 15).expect("no show");
            assert_eq!(missed.status, TicketStatus::NoShow);
            let back = m
                .act(&missed, TicketAction::Reactivate, 30)
                .expect("reactivate");
            assert_eq!(back.status, TicketStatus::Waiting);
            assert_eq!(back.in_line_since, m.at(since), "{policy:?}");
            assert_eq!(back.arrived_at, m.at(0));
            assert_eq!(back.first_called_at, Some(m.at(10)));
            assert_eq!((back.window_id, back.ended_at), (None, None));
        }
    }

    #[test]
    fn a_redirect_keeps_the_place_in_line_and_only_goes_to_another_active_queue_of_the_centre() {
        let m = morning(NoShowPolicy::Back);
        let serving = m
            .issue(0)
            .call(m.window, m.clerk, m.at(10), m.day)
            .expect("call")
            .ticket;
        let serving = m.act(&serving, TicketAction::Serve, 11).expect("serve");
        let moved = serving
            .perform(
                &TicketAction::Redirect {
                    queue_id: m.other.id,
                },
                m.clerk,
                m.at(12),
                m.day,
                &m.queue,
                Some(&m.other),
            )
            .expect("redirect");
        assert_eq!(moved.ticket.queue_id, m.other.id);
        assert_eq!(moved.ticket.status, TicketStatus::Waiting);
        assert_eq!(moved.ticket.in_line_since, m.at(0));
        assert_eq!(moved.ticket.number, serving.number);
        // The event names the window it left.
        assert_eq!(moved.event.window_id, Some(m.window));
        let to_self = TicketAction::Redirect {
            queue_id: m.queue.id,
        };
        assert_eq!(
            serving.perform(&to_self, m.clerk, m.at(12), m.day, &m.queue, Some(&m.queue)),
            Err(TicketError::BadRedirect)
        );
        let closed = Queue {
            active: false,
            ..m.other.clone()
        };
        assert_eq!(
            serving.perform(
                &TicketAction::Redirect {
                    queue_id: closed.id
                },
                m.clerk,
                m.at(12),
                m.day,
                &m.queue,
                Some(&closed)
            ),
            Err(TicketError::InactiveQueue)
        );
        let elsewhere = Queue {
            center_id: CenterId::new(),
            ..m.other.clone()
        };
        assert_eq!(
            serving.perform(
                &TicketAction::Redirect {
                    queue_id: elsewhere.id
                },
                m.clerk,
                m.at(12),
                m.day,
                &m.queue,
                Some(&elsewhere)
            ),
            Err(TicketError::BadRedirect)
        );
    }

    #[test]
    fn every_action_is_refused_from_every_state_the_lifecycle_does_not_allow() {
        use TicketStatus::*;
        let m = morning(NoShowPolicy::Back);
        let allowed: [(TicketAction, &[TicketStatus]); 7] = [
            (TicketAction::Serve, &[Called]),
            (TicketAction::Finish, &[Serving]),
            (TicketAction::NoShow, &[Called]),
            (TicketAction::Recall, &[Called]),
            (TicketAction::Reactivate, &[NoShow]),
            (
                TicketAction::Redirect {
                    queue_id: m.other.id,
                },
                &[Waiting, Called, Serving],
            ),
            (TicketAction::Cancel { reason: None }, &[Waiting, Called]),
        ];
        let base = m.issue(0);
        for (action, from) in allowed {
            for status in TicketStatus::ALL {
                let ticket = Ticket {
                    status,
                    ..base.clone()
                };
                let result = m.act(&ticket, action.clone(), 5);
                assert_eq!(
                    result.is_ok(),
                    from.contains(&status),
                    "{action:?} from {status:?}"
                );
            }
        }
        let yesterday = Ticket {
            day: m.day.pred_opt().expect("day"),
            ..base.clone()
        };
        assert_eq!(
            m.act(&yesterday, TicketAction::Cancel { reason: None }, 5),
            Err(TicketError::PastDay(yesterday.day))
        );
        assert!(yesterday.call(m.window, m.clerk, m.at(5), m.day).is_err());
        let bad = TicketAction::Cancel {
            reason: Some("\u{0}".into()),
        };
        assert!(matches!(m.act(&base, bad, 5), Err(TicketError::Invalid(_))));
    }
}
