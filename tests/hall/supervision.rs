//! Stories of supervision (电子监察): the warnings list read a page at a time, every card
//! once, in the order of urgency — on both databases.

use serde_json::{Value, json};

use crate::cases::{applicant, hall};
use crate::on_both_backends;
use crate::support::Backend;

/// A case received long ago at `window`, still open: a red card today.
fn overdue(window: u32, received_at: &str, events: Value) -> Value {
    json!({"center_code": "640105", "window_number": window, "item_code": "MZ-001",
           "applicant": applicant(), "received_at": received_at, "events": events})
}

/// The case ids and the cursor of one page of warnings.
fn page(answer: &crate::support::Answer) -> (Vec<Value>, Option<String>) {
    assert_eq!(answer.status, 200, "{}", answer.text);
    let json = answer.json();
    let items = json["items"].as_array().expect("items").clone();
    (items, json["next_cursor"].as_str().map(str::to_owned))
}

fn warnings_are_read_a_page_at_a_time_every_card_once(backend: Backend) {
    let hall = hall(backend);
    let received = [
        (1, "2012-09-03T09:00:00+08:00"),
        (2, "2012-09-03T09:00:00+08:00"),
        // Two at the same moment: the id orders them.
        (1, "2012-09-04T09:00:00+08:00"),
        (1, "2012-09-04T09:00:00+08:00"),
        (2, "2012-09-10T09:00:00+08:00"),
        (1, "2012-09-11T09:00:00+08:00"),
        (1, "2012-09-12T09:00:00+08:00"),
    ];
    let mut lines: Vec<Value> = received
        .iter()
        .map(|(window, at)| overdue(*window, at, json!([])))
        .collect();
    // Paused: its clock does not run, so it has no card, on no page.
    lines.push(overdue(
        1,
        "2012-09-04T10:00:00+08:00",
        json!([{"action": "pause", "reason": "supplement", "at": "2012-09-05T10:00:00+08:00"}]),
    ));
    let imported = hall.import(&lines);
    assert_eq!(imported.status, 201, "{}", imported.text);

    let supervisor = &hall.supervisor;
    let (all, last) = page(
        &hall
            .app
            .get("/api/v1/supervision/warnings?limit=500", Some(supervisor)),
    );
    assert_eq!(
        all.len(),
        received.len(),
        "every running case overdue, none paused"
    );
    assert_eq!(last, None, "one page holds them all");
    let (by_default, _) = page(
        &hall
            .app
            .get("/api/v1/supervision/warnings", Some(supervisor)),
    );
    assert_eq!(by_default, all, "the default page (50) holds them all too");
    let deadlines: Vec<&str> = all
        .iter()
        .map(|w| w["deadline"].as_str().expect("deadline"))
        .collect();
    assert!(
        deadlines.is_sorted(),
        "earliest deadline first: {deadlines:?}"
    );
    assert!(all.iter().all(|w| w["warning"] == "red"));

    // Two at a time: the same cards, in the same order, each once.
    let mut paged = Vec::new();
    let mut after: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &after {
            None => "/api/v1/supervision/warnings?limit=2".to_owned(),
            Some(cursor) => format!("/api/v1/supervision/warnings?limit=2&after={cursor}"),
        };
        let (items, next) = page(&hall.app.get(&path, Some(supervisor)));
        assert!(items.len() <= 2);
        pages += 1;
        paged.extend(items);
        match next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(pages, 4, "7 cards, 2 a page");
    assert_eq!(paged, all);

    // A clerk pages through their own window's cards only.
    let mut clerk_cards = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let path = match &after {
            None => "/api/v1/supervision/warnings?limit=3".to_owned(),
            Some(cursor) => format!("/api/v1/supervision/warnings?limit=3&after={cursor}"),
        };
        let (items, next) = page(&hall.app.get(&path, Some(&hall.clerk1)));
        clerk_cards.extend(items);
        match next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let window1: Vec<&Value> = all
        .iter()
        .filter(|w| w["window_id"] == hall.window1.as_str())
        .collect();
    assert_eq!(clerk_cards.iter().collect::<Vec<_>>(), window1);
    assert_eq!(clerk_cards.len(), 5);

    // A level no card has: an empty last page, however many candidates were read.
    let (yellow, next) = page(&hall.app.get(
        "/api/v1/supervision/warnings?level=yellow&limit=1",
        Some(supervisor),
    ));
    assert!(yellow.is_empty());
    assert_eq!(next, None);

    // Limits and cursors are checked.
    for limit in ["0", "501"] {
        let refused = hall.app.get(
            &format!("/api/v1/supervision/warnings?limit={limit}"),
            Some(supervisor),
        );
        assert_eq!(refused.status, 422, "limit {limit}: {}", refused.text);
    }
    let cursor = hall.app.get(
        "/api/v1/supervision/warnings?after=20121011_garbage",
        Some(supervisor),
    );
    assert_eq!(cursor.status, 400, "{}", cursor.text);
}

on_both_backends!(warnings_are_read_a_page_at_a_time_every_card_once);
