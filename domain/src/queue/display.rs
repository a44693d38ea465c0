//! What the hall's screens are told: calls (a ticket number to a window number, never a name)
//! and how many wait in each queue.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{CenterId, QueueId, WindowId};

/// One message for the screens of a centre.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DisplayMessage {
    /// 请 A017 号到 5 号窗口: a ticket called (or called again) to a window.
    Call {
        /// The ticket's number, e.g. `A017`.
        ticket: String,
        /// The number above the window.
        window_number: u32,
        /// The window.
        window_id: WindowId,
        /// The queue the ticket waited in.
        queue_id: QueueId,
        /// Whether it is a repeated call.
        recall: bool,
    },
    /// People waiting in each of the centre's queues now.
    Waiting {
        /// One line per queue.
        queues: Vec<QueueWaiting>,
    },
}

/// People waiting in one queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueWaiting {
    /// The queue.
    pub queue_id: QueueId,
    /// Its letter.
    pub prefix: String,
    /// Its name.
    pub name: String,
    /// People waiting.
    pub waiting: u32,
    /// Whether as many wait as the queue's warning threshold, or more.
    pub warning: bool,
}

impl DisplayMessage {
    /// The event name a screen's stream gives it.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Call { .. } => "call",
            Self::Waiting { .. } => "waiting",
        }
    }
}

/// A stored display message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayEvent {
    /// Its place in the feed: ids only grow.
    pub id: i64,
    /// The centre whose screens it is for.
    pub center_id: CenterId,
    /// The window a call is to.
    pub window_id: Option<WindowId>,
    /// The message.
    pub message: DisplayMessage,
    /// When it was written.
    pub at: DateTime<Utc>,
}
