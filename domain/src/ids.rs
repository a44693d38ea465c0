//! Identifier newtypes: UUID v7, so they sort by creation time and index well.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The text was not a UUID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid id: {0:?}")]
pub struct InvalidId(pub String);

macro_rules! id_type {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, format = Uuid))]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh identifier, ordered after every earlier one.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            /// The underlying UUID.
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl From<Uuid> for $name {
            fn from(uuid: Uuid) -> Self {
                Self(uuid)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = InvalidId;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self).map_err(|_| InvalidId(s.to_owned()))
            }
        }
    )*};
}

id_type!(
    /// Identifies a service centre (服务中心).
    CenterId,
    /// Identifies a department (部门).
    DepartmentId,
    /// Identifies a window (窗口).
    WindowId,
    /// Identifies a service item (事项).
    ServiceItemId,
    /// Identifies a user account.
    UserId,
    /// Identifies a case (办件).
    CaseId,
    /// Identifies one event in a case's history.
    CaseEventId,
    /// Identifies a rating (好差评).
    RatingId,
    /// Identifies a webhook: a subscriber outside the hall.
    WebhookId,
    /// Identifies an outbox message: one event on its way to one webhook.
    OutboxMessageId,
    /// Identifies one attempt at delivering an outbox message.
    DeliveryId,
    /// Identifies a queue (队列) of a centre.
    QueueId,
    /// Identifies a queue ticket (排队号).
    TicketId,
    /// Identifies one event in a ticket's day.
    TicketEventId,
    /// Identifies an appointment slot (预约时段) of a centre.
    SlotId,
    /// Identifies an appointment (预约).
    AppointmentId,
    /// Identifies one event in an appointment's life.
    AppointmentEventId,
    /// Identifies a notice (文书) issued on a case.
    NoticeId,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_text_and_sort_by_creation() {
        let first = CenterId::new();
        let second = CenterId::new();
        assert!(first < second);
        assert!(first.to_string() < second.to_string());
        assert_eq!(first.to_string().parse::<CenterId>(), Ok(first));
        assert!("not-an-id".parse::<CenterId>().is_err());
    }
}
