//! The public display cannot be used to probe or to hoard: an unknown centre and a malformed
//! id get the same 404, every request spends the kiosk's rate, and streams are capped per
//! client address (429) and per process (503), and last no longer than the hall allows.
//! Clients are told apart by `X-Forwarded-For`, believed from loopback as behind the hall's
//! proxy.

use std::time::Duration;

use super::hall::queue_hall;
use super::screen::{Screen, watch};
use super::{assert_waiting, display_of};
use crate::on_both_backends;
use crate::support::{Answer, Backend, TestApp};

fn streams_are_capped_and_centres_cannot_be_probed(backend: Backend) {
    let app = TestApp::start_configured(backend, |config| {
        config.trusted_proxies = vec!["127.0.0.1".into()];
        config.public_rate = 5;
        config.display_streams = 3;
        config.display_streams_per_client = 2;
    });
    let store = app.state.store.clone();
    let hall = queue_hall(&app, &store);
    let path = display_of(hall.center);
    let from = |client: &str| -> Result<Screen, Answer> {
        watch(&app.base, &path, None, &[("X-Forwarded-For", client)])
    };

    // Nothing to learn from the path: a centre that does not exist and an id that cannot be
    // one answer alike.
    let probe = |id: &str| {
        watch(
            &app.base,
            &display_of(id),
            None,
            &[("X-Forwarded-For", "198.51.100.9")],
        )
        .expect_err("no stream")
        .problem(404)
    };
    let unknown = probe(&uuid::Uuid::now_v7().to_string());
    let malformed = probe("not-a-centre");
    assert_eq!(unknown, malformed);
    let malformed = probe("1%20OR%201=1");
    assert_eq!(unknown, malformed);

    // One client holds two streams; a third is refused until one closes.
    let first = from("198.51.100.1").expect("a stream");
    let _second = from("198.51.100.1").expect("a stream");
    assert_waiting(&first.next(), 0);
    let refused = from("198.51.100.1").expect_err("over the client's share");
    refused.problem(429);
    assert!(refused.header("retry-after").is_some());
    // Another client takes the process's last one; a third client finds none left.
    let _third = from("198.51.100.2").expect("a stream");
    let full = from("198.51.100.3").expect_err("over the process's total");
    full.problem(503);
    assert!(full.header("retry-after").is_some());

    // Every attempt spends the kiosk's rate: the prober has spent three of five.
    probe("still-not-a-centre");
    probe("nor-this");
    let limited = watch(
        &app.base,
        &display_of(hall.center),
        None,
        &[("X-Forwarded-For", "198.51.100.9")],
    )
    .expect_err("rate-limited");
    limited.problem(429);
}

fn a_stream_ends_after_its_lifetime_and_the_screen_picks_up_where_it_was(backend: Backend) {
    let app = TestApp::start_configured(backend, |config| {
        config.display_stream_seconds = 1;
        config.display_streams_per_client = 1;
    });
    let store = app.state.store.clone();
    let hall = queue_hall(&app, &store);
    let path = display_of(hall.center);

    let screen = watch(&app.base, &path, None, &[]).expect("a stream");
    let first = screen.next();
    assert_waiting(&first, 0);
    // The server ends it after its second, and so frees the client's only place.
    assert!(
        screen.ends_within(Duration::from_secs(10)),
        "the stream ended"
    );
    // A ticket is taken while the screen is away; back with `Last-Event-ID`, it is sent that.
    hall.issue(&store, None);
    let last = first.id.to_string();
    let again = watch(&app.base, &path, None, &[("Last-Event-ID", last.as_str())])
        .expect("the place is free again");
    assert_waiting(&again.next(), 1);
}

on_both_backends!(
    streams_are_capped_and_centres_cannot_be_probed,
    a_stream_ends_after_its_lifetime_and_the_screen_picks_up_where_it_was,
);
