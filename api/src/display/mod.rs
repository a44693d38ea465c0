//! The live display (叫号屏): Server-Sent Events to the hall's screens and to clerks' windows.
//!
//! One [`Hub`] per process reads the screens' feed (`display_events`) once per centre each
//! time it is woken, and hands what it read to every stream of that centre in memory: a
//! screen costs a broadcast receiver, never a database connection or a query of its own. On
//! PostgreSQL a listener thread wakes the hub on the `NOTIFY` each commit sends, so a call
//! made through any `hall` process reaches the screens of every other; on SQLite the process
//! that commits wakes its own hub ([`Hub::wake`]). A slow periodic read covers a lost wake.

mod gate;
mod hub;
mod stream;

pub use gate::{StreamGate, StreamPermit};
pub use hub::Hub;
pub use stream::{Screen, Shows, open};

use actix_web::web::Bytes;
use domain::queue::DisplayMessage;

/// The most messages a reconnecting stream is sent from its `Last-Event-ID`; a screen that
/// missed more starts afresh with the waiting counts as they are now.
pub const REPLAY_LIMIT: u32 = 500;

/// The routes that stream: their answers must not be compressed (see [`is_stream_route`]).
const STREAM_ROUTES: [&str; 2] = [
    "/api/v1/public/centers/{id}/display",
    "/api/v1/windows/{id}/display",
];

/// Whether a request's matched route answers with an event stream. Compressing one would
/// keep a deflate state (about 300 KiB) per screen for as long as it watches, and a proxy
/// could hold compressed bytes back: the app drops `Accept-Encoding` from these requests.
pub fn is_stream_route(pattern: Option<&str>) -> bool {
    pattern.is_some_and(|p| STREAM_ROUTES.contains(&p))
}

/// One event as a stream carries it: `id:` the message's place in the feed, `event:` its
/// kind (`call` or `waiting`), `data:` the message as one line of JSON.
pub fn frame(id: i64, message: &DisplayMessage) -> Bytes {
    match serde_json::to_string(message) {
        Ok(data) => Bytes::from(format!(
            "id: {id}\nevent: {}\ndata: {data}\n\n",
            message.kind()
        )),
        // Nothing in a message can fail to serialise; were it to, the screen gets a comment
        // rather than a broken event.
        Err(_) => Bytes::from_static(b": unreadable message\n\n"),
    }
}

#[cfg(test)]
mod tests {
    use domain::ids::{QueueId, WindowId};

    use super::*;

    #[test]
    fn an_event_is_one_id_one_kind_and_one_line_of_json() {
        let message = DisplayMessage::Call {
            ticket: "A017".into(),
            window_number: 5,
            window_id: WindowId::new(),
            queue_id: QueueId::new(),
            recall: false,
        };
        let text = String::from_utf8(frame(42, &message).to_vec()).expect("utf-8");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "id: 42");
        assert_eq!(lines[1], "event: call");
        assert!(lines[2].starts_with("data: {\"kind\":\"call\",\"ticket\":\"A017\""));
        assert_eq!(&lines[3..], [""]);
        assert!(text.ends_with("\n\n"));
    }
}
