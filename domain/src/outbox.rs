//! The outbox (发件箱): news of case events that people and systems outside the hall hear of.
//! An event that someone outside must hear of becomes [`News`]; storage writes one message per
//! subscriber that hears of its kind, in the event's own transaction, and a dispatcher
//! delivers them later, at least once (docs/DESIGN.md, "The outbox and webhooks"). Subscribers
//! are reached by a [`Channel`]: webhooks registered by administrators, the applicants' SMS
//! gateway and the provincial platform's exchange.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::ValidationErrors;
use crate::case::{ActionKind, Case, CaseEvent, CaseStatus};
use crate::ids::{CaseEventId, CaseId, DeliveryId, OutboxMessageId, TicketId, WebhookId};
use crate::page::{Page, PageRequest};
use crate::repository::RepositoryResult;

/// A kind of event a webhook may subscribe to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum EventKind {
    /// 受理: a case was accepted at intake.
    #[serde(rename = "case.accepted")]
    CaseAccepted,
    /// 不予受理: an application was refused at intake.
    #[serde(rename = "case.refused")]
    CaseRefused,
    /// 承办: handling began.
    #[serde(rename = "case.started")]
    CaseStarted,
    /// 暂停: the clock stopped (补正, 特别程序, 挂起).
    #[serde(rename = "case.paused")]
    CasePaused,
    /// The clock runs again.
    #[serde(rename = "case.resumed")]
    CaseResumed,
    /// 延期: the deadline moved later.
    #[serde(rename = "case.extended")]
    CaseExtended,
    /// 转办: another window handles it.
    #[serde(rename = "case.transferred")]
    CaseTransferred,
    /// 办结: decided.
    #[serde(rename = "case.completed")]
    CaseCompleted,
    /// 送达: the result was handed over.
    #[serde(rename = "case.delivered")]
    CaseDelivered,
    /// 撤回: the applicant withdrew.
    #[serde(rename = "case.withdrawn")]
    CaseWithdrawn,
    /// 好差评: the applicant rated the case.
    #[serde(rename = "case.rated")]
    CaseRated,
    /// 补交材料: papers the case lacked were handed in, the clock running.
    #[serde(rename = "case.materials_received")]
    CaseMaterialsReceived,
    /// A notice (文书) was issued on the case.
    #[serde(rename = "notice.issued")]
    NoticeIssued,
    /// A notice was voided; it keeps its number.
    #[serde(rename = "notice.voided")]
    NoticeVoided,
    /// 更正: the deadline was recomputed after a calendar change; the case's stage is told
    /// again with its new deadline.
    #[serde(rename = "case.corrected")]
    CaseCorrected,
    /// 叫号: a waiting ticket now has three ahead of it in its queue.
    #[serde(rename = "ticket.approaching")]
    TicketApproaching,
}

impl EventKind {
    /// Every kind.
    pub const ALL: [EventKind; 16] = [
        Self::CaseAccepted,
        Self::CaseRefused,
        Self::CaseStarted,
        Self::CasePaused,
        Self::CaseResumed,
        Self::CaseExtended,
        Self::CaseTransferred,
        Self::CaseCompleted,
        Self::CaseDelivered,
        Self::CaseWithdrawn,
        Self::CaseRated,
        Self::CaseMaterialsReceived,
        Self::NoticeIssued,
        Self::NoticeVoided,
        Self::CaseCorrected,
        Self::TicketApproaching,
    ];

    /// The kind of news a case action makes, if any: the one mapping from the case's actions.
    /// Every action tells: a recomputation of the deadline after a calendar change is a
    /// correction, which the provincial exchange reports again with a higher version.
    pub fn of(action: ActionKind) -> Option<Self> {
        Some(match action {
            ActionKind::Accept => Self::CaseAccepted,
            ActionKind::Refuse => Self::CaseRefused,
            ActionKind::Start => Self::CaseStarted,
            ActionKind::Pause => Self::CasePaused,
            ActionKind::Resume => Self::CaseResumed,
            ActionKind::Extend => Self::CaseExtended,
            ActionKind::Transfer => Self::CaseTransferred,
            ActionKind::Complete => Self::CaseCompleted,
            ActionKind::Deliver => Self::CaseDelivered,
            ActionKind::Withdraw => Self::CaseWithdrawn,
            ActionKind::Rate => Self::CaseRated,
            ActionKind::ReceiveMaterials => Self::CaseMaterialsReceived,
            ActionKind::IssueNotice => Self::NoticeIssued,
            ActionKind::VoidNotice => Self::NoticeVoided,
            ActionKind::Recompute => Self::CaseCorrected,
        })
    }

    /// Its name, `case.accepted`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CaseAccepted => "case.accepted",
            Self::CaseRefused => "case.refused",
            Self::CaseStarted => "case.started",
            Self::CasePaused => "case.paused",
            Self::CaseResumed => "case.resumed",
            Self::CaseExtended => "case.extended",
            Self::CaseTransferred => "case.transferred",
            Self::CaseCompleted => "case.completed",
            Self::CaseDelivered => "case.delivered",
            Self::CaseWithdrawn => "case.withdrawn",
            Self::CaseRated => "case.rated",
            Self::CaseMaterialsReceived => "case.materials_received",
            Self::NoticeIssued => "notice.issued",
            Self::NoticeVoided => "notice.voided",
            Self::CaseCorrected => "case.corrected",
            Self::TicketApproaching => "ticket.approaching",
        }
    }

    /// The kind named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == name)
    }
}

/// How a subscriber is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// A URL an administrator registered, signed per Standard Webhooks.
    Webhook,
    /// 短信: the SMS gateway that texts applicants; one per hall, from its settings.
    Sms,
    /// 数据交换: the provincial platform's report endpoint; one per hall, from its settings.
    Exchange,
}

impl Channel {
    /// Every channel.
    pub const ALL: [Channel; 3] = [Self::Webhook, Self::Sms, Self::Exchange];

    /// Its stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Webhook => "webhook",
            Self::Sms => "sms",
            Self::Exchange => "exchange",
        }
    }

    /// The channel stored as `name`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == name)
    }

    /// The id of the hall's one subscriber of this channel: fixed, so that processes starting
    /// together keep the same row. (Webhooks have ids of their own; this is never one.)
    pub fn subscriber_id(self) -> WebhookId {
        WebhookId::from(uuid::Uuid::from_u128(
            0x0000_0000_0000_7000_8000_0000_0000_0000 | self as u128,
        ))
    }
}

/// The hall's own subscriber of a channel other than webhooks, as its settings configure it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelSubscriber {
    /// Where its messages are POSTed.
    pub url: String,
    /// The kinds it hears of.
    pub events: Vec<EventKind>,
    /// The secret its deliveries are signed with (`whsec_…`).
    pub secret: String,
}

/// What a case event tells the outside: its kind and the case's public facts. Never the
/// applicant's name, ID number or phone.
#[derive(Debug, Clone, PartialEq)]
pub struct News {
    /// The kind.
    pub kind: EventKind,
    /// The case.
    pub case_id: CaseId,
    /// The event that made it.
    pub event_id: CaseEventId,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// The case's number.
    pub case_no: String,
    /// The item applied for; storage adds its code.
    pub item_id: crate::ids::ServiceItemId,
    /// The window now handling it; storage adds its number.
    pub window_id: crate::ids::WindowId,
    /// The state before the event.
    pub from_status: Option<CaseStatus>,
    /// The state after it.
    pub status: CaseStatus,
    /// The hall's local date of receipt.
    pub received_on: NaiveDate,
    /// The deadline after the event.
    pub deadline: Option<NaiveDate>,
    /// The local date of completion.
    pub completed_on: Option<NaiveDate>,
    /// Whether it was completed on time.
    pub on_time: Option<bool>,
}

impl News {
    /// The news of `event`, which made `case` what it is now; `None` when its kind tells
    /// nobody.
    pub fn of(case: &Case, event: &CaseEvent) -> Option<Self> {
        let kind = EventKind::of(event.action)?;
        Some(Self {
            kind,
            case_id: case.id,
            event_id: event.id,
            at: event.at,
            case_no: case.case_no.clone(),
            item_id: case.item_id,
            window_id: case.window_id,
            from_status: event.from_status,
            status: event.to_status,
            received_on: case.received_on,
            deadline: case.deadline,
            completed_on: case.completed_on,
            on_time: case.on_time,
        })
    }

    /// The body every subscriber receives, per the Standard Webhooks payload shape
    /// (`type`, `timestamp`, `data`), with the item's code and the window's number.
    pub fn body(&self, item_code: &str, window_number: Option<u32>) -> String {
        json!({
            "type": self.kind.as_str(),
            "timestamp": self.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            "data": {
                "case_id": self.case_id,
                "event_id": self.event_id,
                "case_no": self.case_no,
                "item_id": self.item_id,
                "item_code": item_code,
                "window_id": self.window_id,
                "window_number": window_number,
                "from_status": self.from_status,
                "status": self.status,
                "received_on": self.received_on,
                "deadline": self.deadline,
                "completed_on": self.completed_on,
                "on_time": self.on_time,
            }
        })
        .to_string()
    }
}

/// What a queue ticket's news tells the outside (叫号): ids and numbers only, never the
/// holder's name, ID number or phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketNews {
    /// The kind.
    pub kind: EventKind,
    /// The ticket.
    pub ticket_id: TicketId,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// The ticket's centre.
    pub center_id: crate::ids::CenterId,
    /// The queue it waits in.
    pub queue_id: crate::ids::QueueId,
    /// Its number, e.g. `A017`.
    pub number: String,
    /// Waiting tickets of its queue called before it.
    pub ahead: u32,
}

impl TicketNews {
    /// The body every webhook receives, in the same Standard Webhooks shape as case news.
    pub fn body(&self) -> String {
        json!({
            "type": self.kind.as_str(),
            "timestamp": self.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            "data": {
                "ticket_id": self.ticket_id,
                "center_id": self.center_id,
                "queue_id": self.queue_id,
                "ticket_number": self.number,
                "ahead": self.ahead,
            }
        })
        .to_string()
    }
}

/// A subscriber outside the hall: a URL and the kinds it hears of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Webhook {
    /// Its identifier.
    pub id: WebhookId,
    /// Where deliveries are POSTed.
    pub url: String,
    /// The kinds it hears of.
    pub events: Vec<EventKind>,
    /// Whether new events are queued for it.
    pub active: bool,
    /// Until when the secret before the last rotation signs too; `null` when none does.
    pub previous_secret_until: Option<DateTime<Utc>>,
    /// When it was registered.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// A webhook as an administrator registers or replaces it.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WebhookInput {
    /// An `http` or `https` URL; private and loopback addresses are refused unless the
    /// hall allows them (`HALL_WEBHOOK_ALLOW_PRIVATE`).
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 2000, example = "https://receiver.example.org/hall")
    )]
    pub url: String,
    /// The kinds it hears of, at least one, none twice.
    #[cfg_attr(feature = "openapi", schema(min_items = 1))]
    pub events: Vec<EventKind>,
    /// Whether new events are queued for it (default true).
    #[serde(default)]
    pub active: Option<bool>,
}

/// The longest subscriber URL.
pub const MAX_URL: usize = 2000;

impl WebhookInput {
    /// Checks the shape (the address check needs the network and is the caller's): the URL
    /// names an `http` or `https` scheme and a host; at least one kind, none twice.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let url = self.url.trim();
        errors.text("url", &self.url, MAX_URL);
        if url.is_empty() || url.len() > MAX_URL {
            // The length is told above.
        } else if !(url.starts_with("http://") || url.starts_with("https://")) {
            errors.add("url", "must be an http or https URL");
        } else if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
            errors.add("url", "must not contain spaces or control characters");
        }
        if self.events.is_empty() {
            errors.add("events", "name at least one event kind");
        }
        let mut seen = Vec::new();
        for kind in &self.events {
            if seen.contains(kind) {
                errors.add("events", format!("{} is named twice", kind.as_str()));
            }
            seen.push(*kind);
        }
        errors.into_result()
    }

    /// The webhook it registers.
    pub fn into_webhook(self, id: WebhookId, now: DateTime<Utc>) -> Webhook {
        Webhook {
            id,
            url: self.url.trim().to_owned(),
            events: self.events,
            active: self.active.unwrap_or(true),
            previous_secret_until: None,
            created_at: now,
            updated_at: now,
        }
    }

    /// `before` replaced by this input.
    pub fn replace(self, before: Webhook, now: DateTime<Utc>) -> Webhook {
        Webhook {
            url: self.url.trim().to_owned(),
            events: self.events,
            active: self.active.unwrap_or(true),
            updated_at: now,
            ..before
        }
    }
}

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MessageStatus {
    /// Waiting for its next attempt.
    Queued,
    /// The subscriber answered 2xx.
    Delivered,
    /// Every attempt failed; waits for an administrator's replay.
    Dead,
}

impl MessageStatus {
    /// Its stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Delivered => "delivered",
            Self::Dead => "dead",
        }
    }

    /// The status stored as `name`.
    pub fn parse(name: &str) -> Option<Self> {
        [Self::Queued, Self::Delivered, Self::Dead]
            .into_iter()
            .find(|s| s.as_str() == name)
    }
}

/// One event on its way to one webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutboxMessage {
    /// Its identifier, sent as `webhook-id` with every attempt.
    pub id: OutboxMessageId,
    /// The subscriber.
    pub webhook_id: WebhookId,
    /// How the subscriber is reached.
    pub channel: Channel,
    /// The kind of event.
    #[cfg_attr(feature = "openapi", schema(value_type = EventKind))]
    pub kind: String,
    /// The case, for news of a case.
    pub case_id: Option<CaseId>,
    /// The queue ticket, for news of a ticket (叫号).
    pub ticket_id: Option<TicketId>,
    /// Where it stands.
    pub status: MessageStatus,
    /// Attempts made so far.
    pub attempts: u32,
    /// When the next attempt is due (queued).
    pub due_at: DateTime<Utc>,
    /// When it was written.
    pub created_at: DateTime<Utc>,
    /// When the subscriber took it.
    pub delivered_at: Option<DateTime<Utc>>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
}

/// One attempt at delivering a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Delivery {
    /// Its identifier.
    pub id: DeliveryId,
    /// The message.
    pub message_id: OutboxMessageId,
    /// The subscriber.
    pub webhook_id: WebhookId,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// When it was made.
    pub at: DateTime<Utc>,
    /// The subscriber's HTTP status; `null` when none came.
    pub status_code: Option<u16>,
    /// Why it failed; `null` when delivered.
    pub error: Option<String>,
    /// How long it took, in milliseconds.
    pub duration_ms: u64,
}

/// A message a dispatcher claimed: what to send where, signed with which secrets.
#[derive(Debug, Clone)]
pub struct Claimed {
    /// The message.
    pub id: OutboxMessageId,
    /// The subscriber.
    pub webhook_id: WebhookId,
    /// How the subscriber is reached.
    pub channel: Channel,
    /// The kind of event.
    pub kind: String,
    /// The case, for news of a case.
    pub case_id: Option<CaseId>,
    /// The queue ticket, for news of a ticket.
    pub ticket_id: Option<TicketId>,
    /// Its URL.
    pub url: String,
    /// The body to send.
    pub body: String,
    /// This attempt's number (1 for the first).
    pub attempt: u32,
    /// The secrets to sign with: the current one, then the previous during a rotation.
    pub secrets: Vec<String>,
}

/// What an attempt leaves behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The subscriber took it.
    Delivered,
    /// It failed; the next attempt is due then.
    Retry(DateTime<Utc>),
    /// It failed for the last time.
    Dead,
}

/// The outbox's figures for `/metrics`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OutboxCounts {
    /// Messages waiting.
    pub queued: u64,
    /// Messages parked dead.
    pub dead: u64,
    /// When the oldest waiting message was written.
    pub oldest_queued_at: Option<DateTime<Utc>>,
}

/// The delay before attempt `attempts + 1` after `attempts` failed ones: `base` doubled per
/// failure up to six hours, times `0.5 + jitter / 2` (`jitter` in 0..1) so that subscribers
/// that failed together do not all come back at once.
pub fn backoff(attempts: u32, base: chrono::TimeDelta, jitter: f64) -> chrono::TimeDelta {
    let cap = chrono::TimeDelta::hours(6);
    let doubled = base
        .checked_mul(1 << attempts.saturating_sub(1).min(20))
        .map_or(cap, |d| d.min(cap));
    let factor = 0.5 + jitter.clamp(0.0, 1.0) / 2.0;
    let millis = (doubled.num_milliseconds() as f64 * factor) as i64;
    chrono::TimeDelta::milliseconds(millis.max(1))
}

/// What happens after a failed attempt: another one after [`backoff`], or dead when it
/// was attempt `max_attempts`.
pub fn after_failure(
    attempt: u32,
    max_attempts: u32,
    now: DateTime<Utc>,
    base: chrono::TimeDelta,
    jitter: f64,
) -> Outcome {
    if attempt >= max_attempts {
        Outcome::Dead
    } else {
        Outcome::Retry(now + backoff(attempt, base, jitter))
    }
}

/// Writes news into the outbox, in the caller's transaction.
pub trait NewsSink {
    /// Queues one message per active webhook that hears of `news.kind`.
    fn enqueue_news(&mut self, news: &News) -> RepositoryResult<()>;
    /// Queues one message per active subscriber that hears of a ticket's news.
    fn enqueue_ticket_news(&mut self, news: &TicketNews) -> RepositoryResult<()>;
}

/// Storage of webhooks, messages and delivery attempts.
pub trait OutboxRepository: NewsSink {
    /// Registers a webhook with its secret.
    fn insert_webhook(&mut self, webhook: &Webhook, secret: &str) -> RepositoryResult<()>;
    /// Replaces a webhook's URL, kinds and activity.
    fn update_webhook(&mut self, webhook: &Webhook) -> RepositoryResult<()>;
    /// A webhook (never one of the hall's own channel subscribers).
    fn webhook(&mut self, id: WebhookId) -> RepositoryResult<Option<Webhook>>;
    /// Makes the hall's subscriber of `channel` (not [`Channel::Webhook`]) what the settings
    /// say: registered or updated with `subscriber`, or inactive with `None` (its queued
    /// messages stay, for a later start that configures it again).
    fn keep_channel_subscriber(
        &mut self,
        channel: Channel,
        subscriber: Option<&ChannelSubscriber>,
        now: DateTime<Utc>,
    ) -> RepositoryResult<()>;
    /// Webhooks in the order they were registered.
    fn webhooks(&mut self, page: &PageRequest) -> RepositoryResult<Page<Webhook>>;
    /// Removes a webhook with its messages and attempts; whether there was one.
    fn delete_webhook(&mut self, id: WebhookId) -> RepositoryResult<bool>;
    /// Makes `secret` the webhook's secret; the one before keeps signing until `until`.
    fn rotate_webhook_secret(
        &mut self,
        id: WebhookId,
        secret: &str,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> RepositoryResult<()>;
    /// Whether any message is due at `now` and unclaimed: a read, so that idle dispatchers
    /// take no write lock.
    fn any_due(&mut self, now: DateTime<Utc>) -> RepositoryResult<bool>;
    /// Claims up to `limit` due messages, at most one per webhook, until `lease_until`; a
    /// message claimed elsewhere and not yet released is skipped.
    fn claim_due(
        &mut self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> RepositoryResult<Vec<Claimed>>;
    /// Logs an attempt and moves its message on as `outcome` says.
    fn finish_attempt(&mut self, delivery: &Delivery, outcome: Outcome) -> RepositoryResult<()>;
    /// Messages, optionally only those in `status`, in the order they were written.
    fn outbox_messages(
        &mut self,
        status: Option<MessageStatus>,
        page: &PageRequest,
    ) -> RepositoryResult<Page<OutboxMessage>>;
    /// A message.
    fn outbox_message(&mut self, id: OutboxMessageId) -> RepositoryResult<Option<OutboxMessage>>;
    /// Queues a message again, due now, its attempts reset.
    fn requeue_message(&mut self, id: OutboxMessageId, now: DateTime<Utc>) -> RepositoryResult<()>;
    /// A webhook's delivery attempts, in the order they were made.
    fn deliveries(
        &mut self,
        webhook: WebhookId,
        page: &PageRequest,
    ) -> RepositoryResult<Page<Delivery>>;
    /// The figures for `/metrics`.
    fn outbox_counts(&mut self) -> RepositoryResult<OutboxCounts>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_its_name_and_every_action_tells() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.as_str()), Some(kind));
            let json = serde_json::to_value(kind).expect("a kind serialises");
            assert_eq!(json, kind.as_str());
        }
        for action in ActionKind::ALL {
            assert!(EventKind::of(action).is_some(), "{action:?}");
            assert_ne!(EventKind::of(action), Some(EventKind::TicketApproaching));
        }
        // A recomputed deadline is a correction, not silence: the exchange re-reports it.
        assert_eq!(
            EventKind::of(ActionKind::Recompute),
            Some(EventKind::CaseCorrected)
        );
    }

    #[test]
    fn the_backoff_doubles_with_jitter_and_stops_at_six_hours() {
        let base = chrono::TimeDelta::seconds(10);
        assert_eq!(backoff(1, base, 1.0), chrono::TimeDelta::seconds(10));
        assert_eq!(backoff(1, base, 0.0), chrono::TimeDelta::seconds(5));
        assert_eq!(backoff(3, base, 1.0), chrono::TimeDelta::seconds(40));
        assert_eq!(backoff(40, base, 1.0), chrono::TimeDelta::hours(6));
        let now = Utc::now();
        assert_eq!(after_failure(5, 5, now, base, 0.5), Outcome::Dead);
        assert!(matches!(after_failure(4, 5, now, base, 0.5), Outcome::Retry(at) if at > now));
    }

    #[test]
    fn a_webhook_needs_an_http_url_and_distinct_kinds() {
        let input = |url: &str, events: Vec<EventKind>| WebhookInput {
            url: url.into(),
            events,
            active: None,
        };
        assert!(
            input("https://x.example/h", vec![EventKind::CaseAccepted])
                .validate()
                .is_ok()
        );
        assert!(
            input("ftp://x.example/h", vec![EventKind::CaseAccepted])
                .validate()
                .is_err()
        );
        assert!(input("https://x.example/h", vec![]).validate().is_err());
        let twice = vec![EventKind::CaseRated, EventKind::CaseRated];
        assert!(input("https://x.example/h", twice).validate().is_err());
    }
}
