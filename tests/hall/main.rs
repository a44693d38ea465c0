//! Black-box tests of Service Hall: the repository contract on both databases, and the
//! whole app over HTTP on both databases, told as its users' stories.

mod admin;
mod appointments;
mod browsers;
mod calendar;
mod cases;
mod contract;
mod dashboards;
mod display;
mod edge;
mod exchange;
mod faults;
mod foundation;
mod imports_live;
mod kiosk;
mod limits;
mod load;
mod materials;
mod notices;
mod openapi;
mod pages;
mod personal_data;
mod problems;
mod proxy;
mod queue;
mod queue_figures;
mod replica;
mod sms;
mod stats;
mod supervision;
pub mod support;
mod webhook_faults;
mod webhooks;
