//! Starting the HTTP server.

use std::net::SocketAddr;

use actix_web::HttpServer;
use actix_web::dev::Server;
use actix_web::http::KeepAlive;

use crate::state::AppState;
use crate::{app, edge};

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
    let edge = state.settings.edge;
    let display = state.display.clone();
    let state_outbox_workers = state.settings.outbox.workers;
    let outbox_state = state.clone();
    let projector_state = state.settings.stats_projector.then(|| state.clone());
    let keep_alive = if edge.keep_alive.is_zero() {
        KeepAlive::Disabled
    } else {
        KeepAlive::Timeout(edge.keep_alive)
    };
    let workers = if workers > 0 {
        workers
    } else {
        std::thread::available_parallelism().map_or(1, usize::from)
    };
    let server = HttpServer::new(move || app::build(state.clone()))
        .shutdown_timeout(30)
        .worker_max_blocking_threads(blocking)
        .workers(workers)
        // Slow clients: the head, the body (see `edge`) and idle connections are timed, and
        // the connections held at once are bounded, per worker, to the process's share.
        .client_request_timeout(edge::HEAD_TIMEOUT)
        .client_disconnect_timeout(edge::DISCONNECT_TIMEOUT)
        .keep_alive(keep_alive)
        .max_connections(edge.max_connections.div_ceil(workers).max(1));
    let server = server.bind(bind)?;
    let addrs = server.addrs();
    actix_web::rt::spawn(end_streams_on_shutdown(display));
    if state_outbox_workers > 0 {
        stop_with_server(crate::outbox::dispatcher::spawn(outbox_state));
    }
    if let Some(projector_state) = projector_state {
        stop_with_server(crate::projector::spawn(projector_state));
    }
    Ok((server.run(), addrs))
}

/// Keeps a background job's stop guard in a task of the server's runtime: when the runtime
/// ends, the task is dropped with the guard, and the job stops.
fn stop_with_server<T: 'static>(guard: T) {
    actix_web::rt::spawn(async move {
        let _guard = guard;
        std::future::pending::<()>().await
    });
}

/// Ends the display's streams when the process is told to stop (SIGTERM or SIGINT, which
/// the server hears too and answers by stopping gracefully), so that the stop does not wait
/// for streams that would never end by themselves.
async fn end_streams_on_shutdown(display: crate::display::Hub) {
    #[cfg(unix)]
    {
        use actix_web::rt::signal::unix::{SignalKind, signal};
        let Ok(mut terminate) = signal(SignalKind::terminate()) else {
            return;
        };
        let interrupt = std::pin::pin!(actix_web::rt::signal::ctrl_c());
        let terminate = std::pin::pin!(terminate.recv());
        futures_util::future::select(terminate, interrupt).await;
    }
    #[cfg(not(unix))]
    let _ = actix_web::rt::signal::ctrl_c().await;
    display.close();
}
