//! The queue's tables: queues, tickets with their numbering, events and calling order
//! (`tickets`), windows' sessions (`sessions`) and the screens' feed (`display`).

pub(crate) mod display;
mod queues;
mod sessions;
mod tickets;
