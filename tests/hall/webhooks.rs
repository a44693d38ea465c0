//! Stories of news leaving the hall: an administrator registers a webhook, cases move, and
//! the subscriber receives signed Standard Webhooks deliveries — retried while it is down,
//! parked dead after the last attempt and replayed, never with an applicant's identity.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicU16, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::cases::{Hall, hall_on, id};
use crate::on_both_backends;
use crate::support::{Backend, ID_NUMBER, PHONE, TestApp, free_port};

/// One request a receiver took.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: String,
}

impl Received {
    pub(crate) fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map_or("", |(_, v)| v.as_str())
    }

    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }
}

/// A subscriber: a tiny HTTP server on a loopback port, a thread per connection, that keeps
/// what it receives, answers the status it is told to after the delay it is told to, and
/// notes any message that arrived while the same message was still being delivered.
pub(crate) struct Receiver {
    pub(crate) url: String,
    pub(crate) status: Arc<AtomicU16>,
    /// Milliseconds it takes to answer.
    pub(crate) delay_ms: Arc<AtomicU64>,
    received: Arc<Mutex<Vec<Received>>>,
    in_flight: Arc<Mutex<Vec<String>>>,
    overlaps: Arc<Mutex<Vec<String>>>,
}

impl Receiver {
    pub(crate) fn start() -> Self {
        Self::on(TcpListener::bind("127.0.0.1:0").expect("bind a receiver"))
    }

    pub(crate) fn on(listener: TcpListener) -> Self {
        let port = listener.local_addr().expect("address").port();
        let receiver = Self {
            url: format!("http://127.0.0.1:{port}/hook"),
            status: Arc::new(AtomicU16::new(200)),
            delay_ms: Arc::new(AtomicU64::new(0)),
            received: Arc::default(),
            in_flight: Arc::default(),
            overlaps: Arc::default(),
        };
        let shared = receiver.shared();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let shared = shared.shared();
                std::thread::spawn(move || shared.serve(stream));
            }
        });
        receiver
    }

    fn shared(&self) -> Self {
        Self {
            url: self.url.clone(),
            status: self.status.clone(),
            delay_ms: self.delay_ms.clone(),
            received: self.received.clone(),
            in_flight: self.in_flight.clone(),
            overlaps: self.overlaps.clone(),
        }
    }

    fn serve(&self, stream: std::net::TcpStream) {
        let mut reader = BufReader::new(stream);
        let mut headers = Vec::new();
        let mut line = String::new();
        if reader.read_line(&mut line).is_err() {
            return;
        }
        loop {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
                break;
            }
            if let Some((name, value)) = line.trim_end().split_once(':') {
                headers.push((name.trim().to_owned(), value.trim().to_owned()));
            }
        }
        let length: usize = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let received = Received {
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        };
        let message = received.header("webhook-id").to_owned();
        {
            let mut in_flight = self.in_flight.lock().expect("lock");
            if in_flight.contains(&message) {
                self.overlaps.lock().expect("lock").push(message.clone());
            }
            in_flight.push(message.clone());
        }
        self.received.lock().expect("lock").push(received);
        std::thread::sleep(Duration::from_millis(self.delay_ms.load(Ordering::SeqCst)));
        let status = self.status.load(Ordering::SeqCst);
        let mut stream = reader.into_inner();
        let _ = write!(
            stream,
            "HTTP/1.1 {status} X\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok"
        );
        let _ = stream.flush();
        let mut in_flight = self.in_flight.lock().expect("lock");
        if let Some(at) = in_flight.iter().position(|m| *m == message) {
            in_flight.remove(at);
        }
    }

    pub(crate) fn received(&self) -> Vec<Received> {
        self.received.lock().expect("lock").clone()
    }

    /// The messages that arrived while the same message was still being delivered.
    pub(crate) fn overlaps(&self) -> Vec<String> {
        self.overlaps.lock().expect("lock").clone()
    }

    /// Waits until it has received a delivery that `wanted` accepts, and returns it.
    pub(crate) fn wait_for(&self, what: &str, wanted: impl Fn(&Received) -> bool) -> Received {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(20) {
            if let Some(found) = self.received().into_iter().find(|r| wanted(r)) {
                return found;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("no {what} arrived; received: {:?}", self.received());
    }
}

/// The Standard Webhooks check, written here apart from the hall's code: the signatures of
/// `received` that `secret` made (space-separated `v1,` entries).
pub(crate) fn signed_by(received: &Received, secret: &str) -> bool {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").expect("a whsec_ secret"))
        .expect("base64");
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("any key");
    mac.update(
        format!(
            "{}.{}.{}",
            received.header("webhook-id"),
            received.header("webhook-timestamp"),
            received.body
        )
        .as_bytes(),
    );
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    received
        .header("webhook-signature")
        .split(' ')
        .any(|signature| signature == expected)
}

fn kind_is(kind: &'static str) -> impl Fn(&Received) -> bool {
    move |r| r.json()["type"] == kind
}

/// A hall whose outbox retries quickly and gives up after `attempts`.
fn hall_with_outbox(backend: Backend, attempts: u32) -> Hall {
    hall_on(TestApp::start_configured(backend, |config| {
        config.outbox_retry_base_ms = 100;
        config.outbox_max_attempts = attempts;
    }))
}

fn register(hall: &Hall, url: &str, events: &[&str]) -> Value {
    let answer = hall.app.post(
        "/api/v1/webhooks",
        Some(&hall.admin),
        &json!({"url": url, "events": events}),
    );
    assert_eq!(answer.status, 201, "{}", answer.text);
    answer.json()
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(20) {
        if done() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{what} did not happen in time");
}

fn a_subscriber_receives_signed_news_of_acceptance_and_completion(backend: Backend) {
    let hall = hall_with_outbox(backend, 8);
    let receiver = Receiver::start();
    let webhook = register(&hall, &receiver.url, &["case.accepted", "case.completed"]);
    let secret = webhook["secret"].as_str().expect("a secret").to_owned();
    assert!(secret.starts_with("whsec_"));
    let shown = hall
        .app
        .get(
            &format!("/api/v1/webhooks/{}", id(&webhook)),
            Some(&hall.admin),
        )
        .json();
    assert!(
        shown.get("secret").is_none(),
        "the secret is shown once: {shown}"
    );

    let case = hall.accept(&hall.clerk1, &hall.immediate);
    let done = hall.act(
        &hall.clerk1,
        &case,
        json!({"action": "complete", "version": 1, "outcome": "approved"}),
    );
    assert_eq!(done.status, 200, "{}", done.text);

    let accepted = receiver.wait_for("case.accepted", kind_is("case.accepted"));
    let completed = receiver.wait_for("case.completed", kind_is("case.completed"));
    for delivery in [&accepted, &completed] {
        assert!(signed_by(delivery, &secret), "{delivery:?}");
        assert!(!signed_by(
            delivery,
            "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
        ));
        let timestamp: i64 = delivery
            .header("webhook-timestamp")
            .parse()
            .expect("seconds");
        assert!((chrono::Utc::now().timestamp() - timestamp).abs() < 60);
        let body = delivery.json();
        assert_eq!(body["data"]["case_id"], case["id"]);
        assert_eq!(body["data"]["case_no"], case["case_no"]);
        assert_eq!(body["data"]["item_code"], "MZ-002");
        assert_eq!(body["data"]["window_number"], 1);
        // Nothing of the applicant: not the ID number, the phone or the name.
        for personal in [ID_NUMBER, PHONE, "张三"] {
            assert!(!delivery.body.contains(personal), "{}", delivery.body);
        }
    }
    assert_eq!(completed.json()["data"]["status"], "completed");
    assert_eq!(completed.json()["data"]["on_time"], true);
    assert_ne!(
        accepted.header("webhook-id"),
        completed.header("webhook-id")
    );

    // Neither a start nor the second case's completion interests it: only its kinds come.
    let deliveries = hall
        .app
        .get(
            &format!("/api/v1/webhooks/{}/deliveries", id(&webhook)),
            Some(&hall.admin),
        )
        .json();
    let attempts = deliveries["items"].as_array().expect("items");
    assert_eq!(attempts.len(), 2, "{deliveries}");
    assert!(
        attempts
            .iter()
            .all(|a| a["status_code"] == 200 && a["error"].is_null())
    );
    let metrics = hall.app.get("/metrics", None).text;
    assert!(
        metrics.contains("hall_outbox_delivered_total 2"),
        "{metrics}"
    );
    assert!(metrics.contains("hall_outbox_queued 0"), "{metrics}");
}

fn a_refused_action_writes_no_message(backend: Backend) {
    let hall = hall_with_outbox(backend, 8);
    let receiver = Receiver::start();
    register(&hall, &receiver.url, &["case.completed", "case.withdrawn"]);
    let case = hall.accept(&hall.clerk1, &hall.committed);
    let withdrawn = hall.act(
        &hall.clerk1,
        &case,
        json!({"action": "withdraw", "version": 1, "reason": "申请人撤回"}),
    );
    assert_eq!(withdrawn.status, 200);
    hall.act(
        &hall.clerk1,
        &withdrawn.json(),
        json!({"action": "complete", "version": 2, "outcome": "approved"}),
    )
    .problem(409);
    receiver.wait_for("case.withdrawn", kind_is("case.withdrawn"));
    let messages = hall.app.get("/api/v1/outbox", Some(&hall.admin)).json();
    let kinds: Vec<&str> = messages["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|m| m["kind"].as_str())
        .collect();
    assert_eq!(
        kinds,
        ["case.withdrawn"],
        "the refused completion wrote nothing"
    );
}

fn a_rotated_secret_signs_beside_the_old_one(backend: Backend) {
    let hall = hall_with_outbox(backend, 8);
    let receiver = Receiver::start();
    let webhook = register(&hall, &receiver.url, &["case.accepted"]);
    let old = webhook["secret"].as_str().expect("secret").to_owned();
    let rotated = hall.app.post(
        &format!("/api/v1/webhooks/{}/rotate", id(&webhook)),
        Some(&hall.admin),
        &json!({}),
    );
    assert_eq!(rotated.status, 200, "{}", rotated.text);
    let new = rotated.json()["secret"]
        .as_str()
        .expect("secret")
        .to_owned();
    assert_ne!(new, old);
    assert!(rotated.json()["previous_secret_until"].is_string());
    hall.accept(&hall.clerk1, &hall.committed);
    let delivery = receiver.wait_for("case.accepted", kind_is("case.accepted"));
    assert_eq!(delivery.header("webhook-signature").split(' ').count(), 2);
    assert!(signed_by(&delivery, &new) && signed_by(&delivery, &old));
}

fn a_subscriber_down_for_a_while_gets_the_news_once_it_is_back(backend: Backend) {
    let hall = hall_with_outbox(backend, 30);
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/hook");
    let webhook = register(&hall, &url, &["case.accepted"]);
    hall.accept(&hall.clerk1, &hall.committed);
    let failed = || {
        hall.app
            .get(
                &format!("/api/v1/webhooks/{}/deliveries", id(&webhook)),
                Some(&hall.admin),
            )
            .json()["items"]
            .as_array()
            .map_or(0, Vec::len)
    };
    wait_until("two failed attempts", || failed() >= 2);
    let log = hall
        .app
        .get(
            &format!("/api/v1/webhooks/{}/deliveries", id(&webhook)),
            Some(&hall.admin),
        )
        .json();
    assert!(log["items"][0]["status_code"].is_null());
    assert!(log["items"][0]["error"].is_string(), "{log}");
    let receiver = Receiver::on(TcpListener::bind(("127.0.0.1", port)).expect("the port again"));
    let delivery = receiver.wait_for("case.accepted", kind_is("case.accepted"));
    assert!(signed_by(
        &delivery,
        webhook["secret"].as_str().expect("secret")
    ));
    let metrics = hall.app.get("/metrics", None).text;
    assert!(
        !metrics.contains("hall_outbox_retried_total 0"),
        "{metrics}"
    );
}

fn a_dead_message_is_listed_and_replayed_by_an_administrator(backend: Backend) {
    let hall = hall_with_outbox(backend, 2);
    let receiver = Receiver::start();
    receiver.status.store(500, Ordering::SeqCst);
    register(&hall, &receiver.url, &["case.accepted"]);
    let case = hall.accept(&hall.clerk1, &hall.committed);
    let dead = || {
        hall.app
            .get("/api/v1/outbox?status=dead", Some(&hall.admin))
            .json()["items"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    };
    wait_until("the message to die", || dead().len() == 1);
    let message = dead()[0].clone();
    assert_eq!(message["attempts"], 2);
    assert_eq!(message["case_id"], case["id"]);
    assert!(
        message["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("500"))
    );
    assert_eq!(receiver.received().len(), 2);
    let metrics = hall.app.get("/metrics", None).text;
    assert!(metrics.contains("hall_outbox_dead 1"), "{metrics}");

    // A clerk may not replay; the administrator does, once the subscriber is fixed.
    hall.app
        .post(
            &format!("/api/v1/outbox/{}/replay", id(&message)),
            Some(&hall.clerk1),
            &json!({}),
        )
        .problem(403);
    receiver.status.store(200, Ordering::SeqCst);
    let replayed = hall.app.post(
        &format!("/api/v1/outbox/{}/replay", id(&message)),
        Some(&hall.admin),
        &json!({}),
    );
    assert_eq!(replayed.status, 200, "{}", replayed.text);
    assert_eq!(replayed.json()["status"], "queued");
    wait_until("the replay to be delivered", || {
        receiver.received().len() == 3
    });
    let last = receiver.received().pop().expect("the replay");
    assert_eq!(
        last.header("webhook-id"),
        id(&message),
        "the same webhook-id"
    );
    wait_until("the message to be delivered", || {
        hall.app
            .get("/api/v1/outbox?status=delivered", Some(&hall.admin))
            .json()["items"]
            .as_array()
            .is_some_and(|items| items.len() == 1)
    });
    hall.app
        .post(
            "/api/v1/outbox/00000000-0000-7000-8000-000000000000/replay",
            Some(&hall.admin),
            &json!({}),
        )
        .problem(404);
}

fn an_applicants_rating_at_the_kiosk_is_news_too(backend: Backend) {
    let hall = hall_with_outbox(backend, 8);
    let receiver = Receiver::start();
    let webhook = register(&hall, &receiver.url, &["case.rated"]);
    let case = hall.accept(&hall.clerk1, &hall.immediate);
    let done = hall.act(
        &hall.clerk1,
        &case,
        json!({"action": "complete", "version": 1, "outcome": "approved"}),
    );
    assert_eq!(done.status, 200, "{}", done.text);
    let rated = hall.app.post(
        &format!(
            "/api/v1/public/cases/{}/rating",
            case["case_no"].as_str().expect("no")
        ),
        None,
        &json!({"code": case["query_code"], "score": 5}),
    );
    assert_eq!(rated.status, 201, "{}", rated.text);
    let delivery = receiver.wait_for("case.rated", kind_is("case.rated"));
    assert!(signed_by(
        &delivery,
        webhook["secret"].as_str().expect("secret")
    ));
    assert_eq!(delivery.json()["data"]["case_no"], case["case_no"]);
    assert_eq!(receiver.received().len(), 1, "only the kind it asked for");
}

fn a_slow_subscriber_delays_neither_another_nor_the_clerk(backend: Backend) {
    let hall = hall_with_outbox(backend, 8);
    let slow = Receiver::start();
    slow.delay_ms.store(4000, Ordering::SeqCst);
    let quick = Receiver::start();
    register(&hall, &slow.url, &["case.accepted"]);
    register(&hall, &quick.url, &["case.accepted"]);
    let started = Instant::now();
    hall.accept(&hall.clerk1, &hall.committed);
    hall.accept(&hall.clerk1, &hall.committed);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the clerk's requests only write rows"
    );
    wait_until("the quick subscriber's two deliveries", || {
        quick.received().len() == 2
    });
    assert!(
        slow.received().len() <= 1,
        "the slow one is still on its first"
    );
    assert!(started.elapsed() < Duration::from_secs(4));
}

fn webhooks_are_managed_and_loopback_urls_refused_unless_allowed(backend: Backend) {
    let app = TestApp::start_configured(backend, |config| config.webhook_allow_private = false);
    let admin = app.admin_token();
    let refused = app.post(
        "/api/v1/webhooks",
        Some(&admin),
        &json!({"url": "http://127.0.0.1:9/hook", "events": ["case.accepted"]}),
    );
    let problem = refused.problem(422);
    assert!(problem.to_string().contains("private"), "{problem}");
    for (url, events) in [
        ("ftp://example.org/hook", json!(["case.accepted"])),
        ("http://[::1]/hook", json!(["case.accepted"])),
        ("http://169.254.169.254/latest", json!(["case.accepted"])),
        ("https://93.184.215.14/hook", json!([])),
    ] {
        app.post(
            "/api/v1/webhooks",
            Some(&admin),
            &json!({"url": url, "events": events}),
        )
        .problem(422);
    }
    let unknown = app.post(
        "/api/v1/webhooks",
        Some(&admin),
        &json!({"url": "https://93.184.215.14/hook", "events": ["case.exploded"]}),
    );
    assert!(
        unknown.status == 400 || unknown.status == 422,
        "{}",
        unknown.text
    );

    // A public address is taken, changed, listed and removed.
    let created = app.post(
        "/api/v1/webhooks",
        Some(&admin),
        &json!({"url": "https://93.184.215.14/hook", "events": ["case.rated"]}),
    );
    assert_eq!(created.status, 201, "{}", created.text);
    let webhook = created.json();
    let path = format!("/api/v1/webhooks/{}", id(&webhook));
    let changed = app.put(
        &path,
        Some(&admin),
        &json!({"url": "https://93.184.215.14/other", "events": ["case.rated", "case.delivered"], "active": false}),
    );
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!(changed.json()["active"], false);
    assert_eq!(
        changed.json()["events"],
        json!(["case.rated", "case.delivered"])
    );
    let listed = app.get("/api/v1/webhooks", Some(&admin)).json();
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(1));
    let removed = app
        .try_send("DELETE", &path, Some(&admin), &[], "")
        .expect("an answer");
    assert_eq!(removed.status, 204);
    app.get(&path, Some(&admin)).problem(404);
    let trail = app.get("/api/v1/audit?entity=webhook", Some(&admin)).json();
    let actions: Vec<&str> = trail["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(actions.len(), 3, "{trail}");
    for action in ["webhook.create", "webhook.update", "webhook.delete"] {
        assert!(actions.contains(&action), "{trail}");
    }
    let secret = webhook["secret"].as_str().expect("secret");
    assert!(
        !trail.to_string().contains(secret),
        "the secret stays out of the trail"
    );
}

on_both_backends!(
    a_subscriber_receives_signed_news_of_acceptance_and_completion,
    a_refused_action_writes_no_message,
    a_rotated_secret_signs_beside_the_old_one,
    a_subscriber_down_for_a_while_gets_the_news_once_it_is_back,
    a_dead_message_is_listed_and_replayed_by_an_administrator,
    a_slow_subscriber_delays_neither_another_nor_the_clerk,
    an_applicants_rating_at_the_kiosk_is_news_too,
    webhooks_are_managed_and_loopback_urls_refused_unless_allowed,
);
