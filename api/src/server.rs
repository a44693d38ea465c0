//! Starting the HTTP server.

use std::net::SocketAddr;

use actix_web::HttpServer;
use actix_web::dev::Server;

use crate::app;
use crate::state::AppState;

/// Binds and starts serving; returns the running server and the addresses it listens on
/// (useful when the port was 0). SIGTERM and SIGINT let in-flight requests finish.
pub fn start(
    state: AppState,
    bind: &str,
    workers: usize,
) -> std::io::Result<(Server, Vec<SocketAddr>)> {
    let mut server = HttpServer::new(move || app::build(state.clone())).shutdown_timeout(30);
    if workers > 0 {
        server = server.workers(workers);
    }
    let server = server.bind(bind)?;
    let addrs = server.addrs();
    Ok((server.run(), addrs))
}
