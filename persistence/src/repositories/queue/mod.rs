//! The queue's tables: queues, tickets with their numbering, events and calling order
//! (`tickets`), windows' sessions (`sessions`), the screens' feed (`display`) and what the
//! queue's figures read (`figures`).

pub(crate) mod display;
mod figures;
mod queues;
mod sessions;
pub(crate) mod tickets;
