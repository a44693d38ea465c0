//! The HTTP face of the hall — routes, authentication, problem errors and the OpenAPI
//! document — and the commands of the `hall` binary.

pub mod access_log;
pub mod app;
pub mod audit;
pub mod auth;
pub mod bootstrap;
pub mod browsers;
pub mod calendar_watch;
pub mod cli;
pub mod config;
pub mod contract;
pub mod demo;
pub mod display;
pub mod edge;
pub mod json;
pub mod limits;
pub mod metrics;
pub mod notices;
pub mod outbox;
pub mod pages;
pub mod parameters;
pub mod problem;
pub mod projector;
pub mod query_code;
pub mod request_log;
pub mod retention;
pub mod routes;
pub mod server;
pub mod state;
