//! The model of the service hall — catalogue, users, the working-day calendar and the
//! repository traits — as pure types and functions, with no I/O.

pub mod access;
pub mod audit;
pub mod calendar;
pub mod case;
pub mod catalogue;
pub mod clock;
pub mod csv;
pub mod exchange;
pub mod idempotency;
pub mod ids;
pub mod notice;
pub mod outbox;
pub mod page;
pub mod permission;
pub mod queue;
pub mod rating;
pub mod report;
pub mod repository;
pub mod retention;
pub mod sms;
pub mod stats;
pub mod user;
pub mod validation;

pub use validation::{FieldError, ValidationErrors};
