//! A queue (队列): one line of tickets in a centre, its prefix letter, what it feeds, and its
//! rules for the day.

use chrono::{DateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ValidationErrors;
use crate::catalogue::Window;
use crate::ids::{CenterId, QueueId, ServiceItemId, WindowId};

/// Where a no-show (过号) goes back in line when a clerk reactivates it the same day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NoShowPolicy {
    /// Behind everyone waiting at the moment of reactivation (重新排队): the default, so a
    /// late-comer never passes people who came on time.
    #[default]
    Back,
    /// At its first place: ordered by its first arrival again, so it is called next in its
    /// class (顺延回原位), for halls that forgive a short absence.
    Front,
}

impl NoShowPolicy {
    /// Every policy.
    pub const ALL: [NoShowPolicy; 2] = [Self::Back, Self::Front];

    /// The stored and serialized name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Back => "back",
            Self::Front => "front",
        }
    }

    /// The policy with this stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// A queue of a centre.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Queue {
    /// Its identifier.
    pub id: QueueId,
    /// The centre it stands in.
    pub center_id: CenterId,
    /// The letter its ticket numbers start with, unique among the centre's queues.
    pub prefix: String,
    /// The name on the kiosk's button, e.g. 社保业务.
    pub name: String,
    /// The service items it is for: a window serving any of them may call it.
    pub item_ids: Vec<ServiceItemId>,
    /// Windows that call it whatever items they serve.
    pub window_ids: Vec<WindowId>,
    /// Tickets it hands out a day at most.
    pub daily_cap: u32,
    /// Local time it starts issuing tickets.
    pub opens_at: NaiveTime,
    /// Local time it stops issuing tickets (those waiting are still called).
    pub closes_at: NaiveTime,
    /// People waiting at which the display and the dashboards warn.
    pub waiting_warning: u32,
    /// Where a reactivated no-show goes back in line.
    pub no_show_policy: NoShowPolicy,
    /// Whether it hands out tickets.
    pub active: bool,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was last changed.
    pub updated_at: DateTime<Utc>,
}

/// What an administrator sends to create or change a queue.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct QueueInput {
    /// One capital letter A–Z.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Z]$", example = "A"))]
    pub prefix: String,
    /// The kiosk's button text.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    pub name: String,
    /// The service items it is for.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 500))]
    pub item_ids: Vec<ServiceItemId>,
    /// Windows that call it whatever items they serve.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 500))]
    pub window_ids: Vec<WindowId>,
    /// Tickets a day at most, 1 to 9999 (default 500).
    #[serde(default = "default_cap")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 9999))]
    pub daily_cap: u32,
    /// Local time issuing starts, `HH:MM` (default 08:30).
    #[serde(default = "default_opens")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "08:30", pattern = "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"))]
    pub opens_at: NaiveTime,
    /// Local time issuing stops, `HH:MM` (default 17:30).
    #[serde(default = "default_closes")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "17:30", pattern = "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"))]
    pub closes_at: NaiveTime,
    /// People waiting at which to warn, 1 to 9999 (default 30).
    #[serde(default = "default_warning")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 9999))]
    pub waiting_warning: u32,
    /// Where a reactivated no-show goes back in line (default `back`).
    #[serde(default)]
    pub no_show_policy: NoShowPolicy,
    /// Whether it hands out tickets (default true).
    #[serde(default = "yes")]
    pub active: bool,
}

fn default_cap() -> u32 {
    500
}
fn default_opens() -> NaiveTime {
    NaiveTime::from_hms_opt(8, 30, 0).unwrap_or_default()
}
fn default_closes() -> NaiveTime {
    NaiveTime::from_hms_opt(17, 30, 0).unwrap_or_default()
}
fn default_warning() -> u32 {
    30
}
fn yes() -> bool {
    true
}

impl QueueInput {
    /// Checks the values on their own; that the items and windows exist in the centre is the
    /// caller's to check against storage.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let mut letters = self.prefix.chars();
        if !matches!((letters.next(), letters.next()), (Some('A'..='Z'), None)) {
            errors.add("prefix", "must be one capital letter A to Z");
        }
        errors.name("name", &self.name, 100);
        if self.item_ids.is_empty() && self.window_ids.is_empty() {
            errors.add("item_ids", "a queue must feed at least one item or window");
        }
        if self.item_ids.len() > 500 {
            errors.add("item_ids", "at most 500 items");
        }
        if self.window_ids.len() > 500 {
            errors.add("window_ids", "at most 500 windows");
        }
        if !(1..=9999).contains(&self.daily_cap) {
            errors.add("daily_cap", "must be between 1 and 9999");
        }
        if self.opens_at >= self.closes_at {
            errors.add("closes_at", "must be later than opens_at");
        }
        if !(1..=9999).contains(&self.waiting_warning) {
            errors.add("waiting_warning", "must be between 1 and 9999");
        }
        errors.into_result()
    }

    /// The queue these values describe, new in `center` at `now`.
    pub fn into_queue(self, center_id: CenterId, now: DateTime<Utc>) -> Queue {
        Queue {
            id: QueueId::new(),
            center_id,
            prefix: self.prefix,
            name: self.name.trim().to_owned(),
            item_ids: dedup(self.item_ids),
            window_ids: dedup(self.window_ids),
            daily_cap: self.daily_cap,
            opens_at: self.opens_at,
            closes_at: self.closes_at,
            waiting_warning: self.waiting_warning,
            no_show_policy: self.no_show_policy,
            active: self.active,
            created_at: now,
            updated_at: now,
        }
    }

    /// `queue` with these values, changed at `now`; its centre and id stay.
    pub fn apply_to(self, queue: &Queue, now: DateTime<Utc>) -> Queue {
        Queue {
            id: queue.id,
            created_at: queue.created_at,
            updated_at: now,
            ..self.into_queue(queue.center_id, now)
        }
    }
}

fn dedup<T: Ord + Copy>(mut ids: Vec<T>) -> Vec<T> {
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Whether `window` may call the tickets of `queue`: it stands in the queue's centre and is
/// named by the queue or serves one of its items.
pub fn serves(window: &Window, queue: &Queue) -> bool {
    window.center_id == queue.center_id
        && window.active
        && (queue.window_ids.contains(&window.id)
            || queue
                .item_ids
                .iter()
                .any(|item| window.item_ids.contains(item)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::WindowKind;

    fn input() -> QueueInput {
        serde_json::from_value(serde_json::json!({
            "prefix": "A", "name": "社保业务", "item_ids": [ServiceItemId::new()]
        }))
        .expect("a minimal queue")
    }

    fn first_bad_field(input: &QueueInput) -> Option<String> {
        input.validate().err().map(|e| e.errors[0].field.clone())
    }

    #[test]
    fn a_minimal_queue_takes_the_documented_defaults() {
        let input = input();
        assert_eq!(input.validate(), Ok(()));
        assert_eq!(input.daily_cap, 500);
        assert_eq!(input.opens_at.to_string(), "08:30:00");
        assert_eq!(input.closes_at.to_string(), "17:30:00");
        assert_eq!(input.no_show_policy, NoShowPolicy::Back);
        assert!(input.active);
    }

    #[test]
    fn a_queue_needs_one_letter_something_to_feed_and_sane_hours() {
        for prefix in ["", "a", "AB", "1", "Ａ"] {
            let bad = QueueInput {
                prefix: prefix.into(),
                ..input()
            };
            assert!(bad.validate().is_err(), "{prefix:?}");
        }
        let nothing = QueueInput {
            item_ids: vec![],
            ..input()
        };
        assert_eq!(first_bad_field(&nothing).as_deref(), Some("item_ids"));
        let backwards = QueueInput {
            opens_at: NaiveTime::from_hms_opt(18, 0, 0).expect("time"),
            ..input()
        };
        assert_eq!(first_bad_field(&backwards).as_deref(), Some("closes_at"));
        let zero = QueueInput {
            daily_cap: 0,
            ..input()
        };
        assert_eq!(first_bad_field(&zero).as_deref(), Some("daily_cap"));
    }

    #[test]
    fn a_window_calls_a_queue_it_is_named_by_or_shares_an_item_with() {
        let now = Utc::now();
        let center = CenterId::new();
        let item = ServiceItemId::new();
        let queue = QueueInput {
            item_ids: vec![item],
            ..input()
        }
        .into_queue(center, now);
        let mut window = Window {
            id: WindowId::new(),
            center_id: center,
            number: 5,
            name: "社保窗口".into(),
            kind: WindowKind::Permanent,
            item_ids: vec![item],
            active: true,
            created_at: now,
            updated_at: now,
        };
        assert!(serves(&window, &queue));
        window.item_ids = vec![ServiceItemId::new()];
        assert!(!serves(&window, &queue));
        let named = Queue {
            window_ids: vec![window.id],
            ..queue.clone()
        };
        assert!(serves(&window, &named));
        window.active = false;
        assert!(!serves(&window, &named));
        window.active = true;
        window.center_id = CenterId::new();
        assert!(!serves(&window, &named));
    }
}

#[cfg(test)]
mod times {
    #[test]
    fn issuing_hours_are_read_with_or_without_seconds() {
        let input: super::QueueInput = serde_json::from_value(serde_json::json!({
            "prefix": "A", "name": "x", "item_ids": [crate::ids::ServiceItemId::new()],
            "opens_at": "08:00", "closes_at": "17:30:00"
        }))
        .expect("hours");
        assert_eq!(input.opens_at.to_string(), "08:00:00");
        assert_eq!(input.closes_at.to_string(), "17:30:00");
    }
}
