//! The sums a group of tickets adds up to, and the figures read from them (see
//! [`super`] for the definitions).

use serde::Serialize;

use super::TicketAsOf;
use crate::queue::{SessionState, TicketStatus};

/// Sums over tickets, from which the figures are read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FigureSums {
    /// Tickets issued.
    pub issued: u64,
    /// Called at least once.
    pub called: u64,
    /// Finished.
    pub finished: u64,
    /// Missed and not taken back.
    pub no_show: u64,
    /// Cancelled.
    pub cancelled: u64,
    /// Waiting in line.
    pub waiting: u64,
    /// Called or being served.
    pub at_window: u64,
    /// Seconds waited, over the called.
    pub wait_total: i64,
    /// The longest wait.
    pub wait_max: Option<i64>,
    /// Seconds served, over the finished.
    pub service_total: i64,
    /// Seconds the windows were open (window and clerk breakdowns).
    pub open_seconds: i64,
    /// Seconds they were paused.
    pub paused_seconds: i64,
}

impl FigureSums {
    /// Counts one ticket.
    pub fn add(&mut self, t: &TicketAsOf) {
        self.issued += 1;
        match t.status {
            TicketStatus::Waiting => self.waiting += 1,
            TicketStatus::Called | TicketStatus::Serving => self.at_window += 1,
            TicketStatus::Finished => self.finished += 1,
            TicketStatus::NoShow => self.no_show += 1,
            TicketStatus::Cancelled => self.cancelled += 1,
        }
        if let Some(wait) = t.wait_seconds() {
            self.called += 1;
            self.wait_total += wait;
            self.wait_max = self.wait_max.max(Some(wait));
        }
        if let Some(service) = t.service_seconds() {
            self.service_total += service;
        }
    }

    /// Adds a stretch a window was open or paused.
    pub fn add_span(&mut self, state: SessionState, seconds: i64) {
        match state {
            SessionState::Open => self.open_seconds += seconds,
            SessionState::Paused => self.paused_seconds += seconds,
            SessionState::Closed => {}
        }
    }

    /// The figures these sums give; the session times only when `sessions`.
    pub fn figures(&self, sessions: bool) -> QueueFigures {
        let mean = |total: i64, n: u64| (n > 0).then(|| total as f64 / n as f64);
        QueueFigures {
            issued: self.issued,
            called: self.called,
            finished: self.finished,
            no_show: self.no_show,
            cancelled: self.cancelled,
            waiting: self.waiting,
            at_window: self.at_window,
            mean_wait_seconds: mean(self.wait_total, self.called),
            max_wait_seconds: self.wait_max,
            mean_service_seconds: mean(self.service_total, self.finished),
            no_show_rate: (self.called > 0).then(|| self.no_show as f64 / self.called as f64),
            open_seconds: sessions.then_some(self.open_seconds),
            paused_seconds: sessions.then_some(self.paused_seconds),
        }
    }
}

/// The figures of a group of tickets.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueFigures {
    /// Tickets issued (取号).
    pub issued: u64,
    /// Of them, called at least once (叫号).
    pub called: u64,
    /// Finished: served and gone.
    pub finished: u64,
    /// Missed (过号) and not taken back in line by `as_of`.
    pub no_show: u64,
    /// Cancelled.
    pub cancelled: u64,
    /// Still in line at `as_of` (for a past day: never called before the day ended).
    pub waiting: u64,
    /// Called or at the window at `as_of`.
    pub at_window: u64,
    /// Mean seconds from arrival to the first call, over the called; `null` without any.
    pub mean_wait_seconds: Option<f64>,
    /// The longest of those waits; `null` without any.
    pub max_wait_seconds: Option<i64>,
    /// Mean seconds from the last call to the finish, over the finished; `null` without any.
    pub mean_service_seconds: Option<f64>,
    /// No-shows per called ticket; `null` without any called.
    pub no_show_rate: Option<f64>,
    /// Seconds the windows were open (by window or clerk only; else `null`).
    pub open_seconds: Option<i64>,
    /// Seconds they were paused (by window or clerk only; else `null`).
    pub paused_seconds: Option<i64>,
}

/// The CSV columns of [`QueueFigures`], in order.
pub const FIGURE_COLUMNS: [&str; 13] = [
    "issued",
    "called",
    "finished",
    "no_show",
    "cancelled",
    "waiting",
    "at_window",
    "mean_wait_seconds",
    "max_wait_seconds",
    "mean_service_seconds",
    "no_show_rate",
    "open_seconds",
    "paused_seconds",
];

impl QueueFigures {
    /// Its cells, in [`FIGURE_COLUMNS`] order, numbers as JSON writes them; an absent
    /// figure is an empty cell.
    pub fn cells(&self) -> Vec<String> {
        fn opt<T: ToString>(value: Option<T>) -> String {
            value.map(|v| v.to_string()).unwrap_or_default()
        }
        vec![
            self.issued.to_string(),
            self.called.to_string(),
            self.finished.to_string(),
            self.no_show.to_string(),
            self.cancelled.to_string(),
            self.waiting.to_string(),
            self.at_window.to_string(),
            opt(self.mean_wait_seconds),
            opt(self.max_wait_seconds),
            opt(self.mean_service_seconds),
            opt(self.no_show_rate),
            opt(self.open_seconds),
            opt(self.paused_seconds),
        ]
    }
}
