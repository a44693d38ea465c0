//! Case events (办件流转记录): one per step, append-only, written in the same transaction as
//! the state change they record.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{ActionKind, CaseStatus, EventDetails};
use crate::ids::{CaseEventId, CaseId, UserId};

/// One step in a case's life.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseEvent {
    /// Its identifier.
    pub id: CaseEventId,
    /// The case.
    pub case_id: CaseId,
    /// The case's version after this event: 1 for intake, then 2, 3, …
    pub seq: i64,
    /// What happened.
    pub action: ActionKind,
    /// The state before; `null` for intake.
    pub from_status: Option<CaseStatus>,
    /// The state after.
    pub to_status: CaseStatus,
    /// Who did it; `null` for the applicant at a kiosk.
    pub actor_id: Option<UserId>,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// The action's details (reason, days, window, outcome …) and what the step decided
    /// (the new `deadline`, `on_time`), typed by `action`.
    pub payload: EventDetails,
}
