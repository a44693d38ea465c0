//! A screen as the tests watch it: an event stream read line by line on a thread of its
//! own, its events handed over with a timeout, everything it received kept as text.

use std::io::{BufRead, BufReader};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

use crate::support::Answer;

/// How long a screen waits for an event the story expects.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// One Server-Sent Event.
#[derive(Debug, Clone)]
pub struct Event {
    pub id: i64,
    pub kind: String,
    pub data: Value,
}

/// An open stream.
#[derive(Debug)]
pub struct Screen {
    pub headers: Vec<(String, String)>,
    events: Receiver<Event>,
    received: Arc<Mutex<String>>,
}

/// Opens `path` on `base` with `headers` (and a bearer `token`); the answer when it is not
/// a stream.
pub fn watch(
    base: &str,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
) -> Result<Screen, Answer> {
    // The stream is read for as long as the story runs, a minute at most.
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .new_agent();
    let mut request = agent.get(format!("{base}{path}"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(token) = token {
        request = request.header("Authorization", format!("Bearer {token}"));
    }
    let mut response = request.call().expect("HTTP exchange");
    let headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or_default().to_owned()))
        .collect();
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let status = response.status().as_u16();
    if status != 200 {
        return Err(Answer {
            status,
            content_type: header("content-type"),
            headers: headers.clone(),
            text: response.body_mut().read_to_string().unwrap_or_default(),
        });
    }
    assert_eq!(header("content-type"), "text/event-stream");
    let (sender, events) = mpsc::channel();
    let received = Arc::new(Mutex::new(String::new()));
    let kept = received.clone();
    let reader = BufReader::new(response.into_body().into_reader());
    std::thread::spawn(move || read_events(reader, &sender, &kept));
    Ok(Screen {
        headers,
        events,
        received,
    })
}

/// Parses the stream into events until it ends or nobody listens any more.
fn read_events(reader: impl BufRead, sender: &mpsc::Sender<Event>, kept: &Mutex<String>) {
    let (mut id, mut kind, mut data) = (None, None, None);
    for line in reader.lines() {
        let Ok(line) = line else { return };
        if let Ok(mut kept) = kept.lock() {
            kept.push_str(&line);
            kept.push('\n');
        }
        if let Some(value) = line.strip_prefix("id: ") {
            id = value.parse().ok();
        } else if let Some(value) = line.strip_prefix("event: ") {
            kind = Some(value.to_owned());
        } else if let Some(value) = line.strip_prefix("data: ") {
            data = Some(serde_json::from_str(value).expect("data is JSON"));
        } else if line.is_empty()
            && let (Some(id), Some(kind), Some(data)) = (id.take(), kind.take(), data.take())
            && sender.send(Event { id, kind, data }).is_err()
        {
            return;
        }
    }
}

impl Screen {
    /// The next event, or `None` when none comes within `wait`.
    pub fn next_within(&self, wait: Duration) -> Option<Event> {
        match self.events.recv_timeout(wait) {
            Ok(event) => Some(event),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => panic!("the stream ended"),
        }
    }

    /// The next event, which the story expects.
    pub fn next(&self) -> Event {
        self.next_within(PATIENCE)
            .expect("an event within the patience of a screen")
    }

    /// Asserts that nothing more comes within `wait`.
    pub fn quiet_for(&self, wait: Duration) {
        if let Some(event) = self.next_within(wait) {
            panic!("an event nobody expected: {event:?}");
        }
    }

    /// Whether the stream ends within `wait` (events still coming are passed over).
    pub fn ends_within(&self, wait: Duration) -> bool {
        let until = std::time::Instant::now() + wait;
        loop {
            let left = until.saturating_duration_since(std::time::Instant::now());
            match self.events.recv_timeout(left) {
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout) => return false,
                Err(RecvTimeoutError::Disconnected) => return true,
            }
        }
    }

    /// Every byte received so far, as text.
    pub fn received(&self) -> String {
        self.received.lock().map(|t| t.clone()).unwrap_or_default()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}
