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
    // Database work runs on blocking threads, and no more of it can run at once than the pool
    // has connections: more threads would only wait for one, each holding its memory.
    let blocking = usize::try_from(state.store.pool_size()).unwrap_or(1).max(2);
    let mut server = HttpServer::new(move || app::build(state.clone()))
        .shutdown_timeout(30)
        .worker_max_blocking_threads(blocking);
    if workers > 0 {
        server = server.workers(workers);
    }
    let server = server.bind(bind)?;
    let addrs = server.addrs();
    Ok((server.run(), addrs))
}
