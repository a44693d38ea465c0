//! Stories of texts to applicants (issue 17, part 3): a clerk accepts a case and the SMS
//! gateway is asked to text the applicant the case number and a query code the kiosk takes;
//! a 补正 names the missing papers, an extension its new deadline, a completion its result; an
//! applicant who declined gets nothing, even a text queued before they declined; with no
//! gateway nothing is queued; a gateway down for a while gets the text once it is back; a
//! booked citizen who checked in is told when three are ahead, unless they declined — and the phone is never in a
//! webhook body, an outbox answer, an attempt's log or the logs. On both databases.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};

use crate::cases::{Hall, hall_on, id};
use crate::on_both_backends;
use crate::support::{Backend, TestApp, free_port};
use crate::webhooks::{Received, Receiver};

/// The applicant's phone in these stories: nobody else's, so that finding it anywhere is
/// finding this story's leak.
const PHONE: &str = "13700001111";
const TOKEN: &str = "Bearer gateway-token-for-tests";

fn applicant(opt_out: Option<bool>) -> Value {
    let mut applicant = crate::support::applicant();
    applicant["phone"] = json!(PHONE);
    if let Some(opt_out) = opt_out {
        applicant["sms_opt_out"] = json!(opt_out);
    }
    applicant
}

/// Monday 23 November 2026, 09:00 in Beijing.
fn monday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0)
        .single()
        .expect("a moment")
}

/// The hall with its SMS gateway at `gateway` (none: no gateway), retrying quickly.
fn hall_texting(backend: Backend, gateway: Option<&str>) -> Hall {
    let gateway = gateway.map(str::to_owned);
    hall_on(TestApp::start_at_configured(backend, monday(), |config| {
        config.outbox_retry_base_ms = 100;
        config.outbox_max_attempts = 30;
        config.sms_url = gateway;
        config.sms_authorization = Some(TOKEN.into());
    }))
}

fn intake(hall: &Hall, body: Value) -> Value {
    let answer = hall.app.post("/api/v1/cases", Some(&hall.clerk1), &body);
    assert_eq!(answer.status, 201, "{}", answer.text);
    answer.json()
}

fn act(hall: &Hall, token: &str, case: &Value, action: Value) -> Value {
    let mut body = action;
    body["version"] = case["version"].clone();
    let answer = hall.act(token, case, body);
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.json()
}

/// The text of a gateway request, after checking its shape and headers.
fn text_of(received: &Received) -> String {
    assert_eq!(received.header("authorization"), TOKEN);
    assert!(
        received
            .header("content-type")
            .starts_with("application/json"),
        "{received:?}"
    );
    let body = received.json();
    assert_eq!(body["phone"], PHONE, "{body}");
    body["text"].as_str().expect("a text").to_owned()
}

fn texting(needle: &str) -> impl Fn(&Received) -> bool + '_ {
    move |r| {
        r.json()["text"]
            .as_str()
            .is_some_and(|t| t.contains(needle))
    }
}

fn messages(hall: &Hall) -> Vec<Value> {
    let answer = hall.app.get("/api/v1/outbox?limit=500", Some(&hall.admin));
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert!(!answer.text.contains(PHONE), "{}", answer.text);
    answer.json()["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn sms_messages(hall: &Hall) -> Vec<Value> {
    messages(hall)
        .into_iter()
        .filter(|m| m["channel"] == "sms")
        .collect()
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

/// The six digits after 查询码 in a text.
fn query_code(text: &str) -> String {
    let (_, after) = text.split_once("查询码").expect("a query code in the text");
    after.chars().take_while(char::is_ascii_digit).collect()
}

fn an_accepted_applicant_is_texted_the_case_number_and_a_query_code_the_kiosk_takes(
    backend: Backend,
) {
    let gateway = Receiver::start();
    let hall = hall_texting(backend, Some(&gateway.url));
    let webhook_receiver = Receiver::start();
    let registered = hall.app.post(
        "/api/v1/webhooks",
        Some(&hall.admin),
        &json!({"url": webhook_receiver.url, "events": ["case.accepted"]}),
    );
    assert_eq!(registered.status, 201, "{}", registered.text);

    let case = intake(
        &hall,
        json!({"item_id": hall.committed, "applicant": applicant(None)}),
    );
    assert_eq!(case["applicant"]["sms_opt_out"], false);
    let case_no = case["case_no"].as_str().expect("number");
    let text = text_of(&gateway.wait_for("the 受理 text", texting(case_no)));
    assert!(text.starts_with("【西夏区政务服务中心】"), "{text}");
    assert!(
        text.contains("已受理") && text.contains("2026年11月30日"),
        "{text}"
    );
    let code = query_code(&text);
    assert_eq!(code.len(), 6, "{text}");
    let lookup = hall
        .app
        .get(&format!("/api/v1/public/cases/{case_no}?code={code}"), None);
    assert_eq!(lookup.status, 200, "{}", lookup.text);
    assert_eq!(lookup.json()["case_no"], case_no);

    // The phone went to the gateway alone: not to the webhook, not into the outbox's answers
    // (checked by `messages`), its attempts' log or the logs.
    let news = webhook_receiver.wait_for("the webhook", |r| r.json()["type"] == "case.accepted");
    assert!(
        !news.body.contains(PHONE) && !news.body.contains(&code),
        "{}",
        news.body
    );
    wait_until("the text counted delivered", || {
        sms_messages(&hall)
            .iter()
            .any(|m| m["status"] == "delivered" && m["case_id"] == case["id"])
    });
    for message in messages(&hall) {
        let path = format!("/api/v1/outbox/{}", id(&message));
        let shown = hall.app.get(&path, Some(&hall.admin));
        assert!(!shown.text.contains(PHONE), "{}", shown.text);
    }
    assert!(!crate::support::logs::captured().contains(PHONE));
}

fn supplement_extension_and_completion_texts_say_what_each_means(backend: Backend) {
    let gateway = Receiver::start();
    let hall = hall_texting(backend, Some(&gateway.url));
    let path = format!("/api/v1/items/{}", hall.committed);
    let mut item = hall.app.get(&path, Some(&hall.admin)).json();
    for field in ["id", "version", "active", "created_at", "updated_at"] {
        item.as_object_mut().expect("object").remove(field);
    }
    item["materials"] = json!([
        {"name": "居民身份证", "form": "original_and_copy"},
        {"name": "户口簿"},
        {"name": "居住证明", "form": "copy"}
    ]);
    assert_eq!(hall.app.put(&path, Some(&hall.admin), &item).status, 200);

    let case = intake(
        &hall,
        json!({"item_id": hall.committed, "applicant": applicant(Some(false)),
               "materials": {"received": ["居民身份证", "户口簿", "居住证明"]}}),
    );
    let case_no = case["case_no"].as_str().expect("number").to_owned();
    let started = act(&hall, &hall.clerk1, &case, json!({"action": "start"}));
    let paused = act(
        &hall,
        &hall.clerk1,
        &started,
        json!({"action": "pause", "reason": "supplement", "note": "请带原件",
               "materials": ["户口簿", "居住证明"]}),
    );
    let supplement = text_of(&gateway.wait_for("the 补正 text", texting("补正")));
    assert!(supplement.contains(&case_no), "{supplement}");
    assert!(
        supplement.contains("户口簿") && supplement.contains("居住证明"),
        "{supplement}"
    );
    assert!(!supplement.contains("居民身份证"), "{supplement}");
    assert!(!supplement.contains("查询码"), "{supplement}");

    let resumed = act(
        &hall,
        &hall.clerk1,
        &paused,
        json!({"action": "resume", "arrived": ["户口簿", "居住证明"]}),
    );
    let extended = act(
        &hall,
        &hall.supervisor,
        &resumed,
        json!({"action": "extend", "days": 3, "reason": "现场核查"}),
    );
    let deadline = extended["deadline"].as_str().expect("a deadline");
    let (year, rest) = deadline.split_once('-').expect("a date");
    let (month, day) = rest.split_once('-').expect("a date");
    let shown = format!(
        "{year}年{}月{}日",
        month.trim_start_matches('0'),
        day.trim_start_matches('0')
    );
    let extension = text_of(&gateway.wait_for("the 延期 text", texting("延期")));
    assert!(extension.contains(&shown), "{extension} names {shown}");

    act(
        &hall,
        &hall.clerk1,
        &extended,
        json!({"action": "complete", "outcome": "approved", "result": "准予登记"}),
    );
    let completion = text_of(&gateway.wait_for("the 办结 text", texting("已办结")));
    assert!(
        completion.contains("准予") && completion.contains("1号窗口"),
        "{completion}"
    );
    // A start and a resumption text nothing: four texts in all.
    wait_until("four texts delivered", || {
        sms_messages(&hall)
            .iter()
            .filter(|m| m["status"] == "delivered")
            .count()
            == 4
    });
    assert_eq!(gateway.received().len(), 4);
}

fn an_applicant_who_declined_texts_gets_none_even_one_queued_before(backend: Backend) {
    let port = free_port();
    let down = format!("http://127.0.0.1:{port}/sms");
    let hall = hall_texting(backend, Some(&down));
    // Declined at intake: nothing is queued.
    let declined = intake(
        &hall,
        json!({"item_id": hall.committed, "applicant": applicant(Some(true))}),
    );
    assert_eq!(declined["applicant"]["sms_opt_out"], true);
    assert!(sms_messages(&hall).is_empty());

    // Accepted with texts while the gateway is down; the applicant declines before it is back.
    let case = intake(
        &hall,
        json!({"item_id": hall.committed, "applicant": applicant(None)}),
    );
    assert_eq!(sms_messages(&hall).len(), 1);
    wait_until("a failed attempt", || {
        sms_messages(&hall)
            .iter()
            .any(|m| m["attempts"].as_u64() >= Some(1))
    });
    let path = format!("/api/v1/cases/{}/notifications", id(&case));
    let other_clerk = hall
        .app
        .put(&path, Some(&hall.clerk2), &json!({"sms_opt_out": true}));
    assert_eq!(other_clerk.status, 403, "{}", other_clerk.text);
    hall.app
        .put(&path, Some(&hall.clerk1), &json!({"sms_opt_out": "yes"}))
        .problem(422);
    let changed = hall
        .app
        .put(&path, Some(&hall.clerk1), &json!({"sms_opt_out": true}));
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!(changed.json()["sms_opt_out"], true);
    let shown = hall
        .app
        .get(&format!("/api/v1/cases/{}", id(&case)), Some(&hall.clerk1))
        .json();
    assert_eq!(shown["applicant"]["sms_opt_out"], true);
    // The audit trail says which clerk recorded the applicant's choice; told again, it
    // records nothing more.
    let again = hall
        .app
        .put(&path, Some(&hall.clerk1), &json!({"sms_opt_out": true}));
    assert_eq!(again.status, 200, "{}", again.text);
    let trail = hall
        .app
        .get(
            &format!("/api/v1/audit?entity=case&entity_id={}", id(&case)),
            Some(&hall.admin),
        )
        .json();
    let entries = trail["items"].as_array().expect("entries");
    assert_eq!(entries.len(), 1, "{trail}");
    assert_eq!(entries[0]["action"], "case.notifications");
    assert_eq!(entries[0]["before"], json!({"sms_opt_out": false}));
    assert_eq!(entries[0]["after"], json!({"sms_opt_out": true}));
    assert!(entries[0]["actor_id"].is_string(), "{trail}");

    // The gateway is back: the queued text is settled without being sent.
    let gateway = Receiver::on(TcpListener::bind(("127.0.0.1", port)).expect("the port again"));
    wait_until("the declined text settled", || {
        sms_messages(&hall)
            .iter()
            .all(|m| m["status"] == "delivered")
    });
    // Later news of the case is not queued at all.
    act(&hall, &hall.clerk1, &case, json!({"action": "start"}));
    act(
        &hall,
        &hall.supervisor,
        &hall
            .app
            .get(&format!("/api/v1/cases/{}", id(&case)), Some(&hall.clerk1))
            .json(),
        json!({"action": "extend", "days": 1, "reason": "核查"}),
    );
    assert_eq!(sms_messages(&hall).len(), 1);
    std::thread::sleep(Duration::from_millis(300));
    assert!(gateway.received().is_empty(), "{:?}", gateway.received());
}

fn with_no_gateway_nothing_is_queued(backend: Backend) {
    let hall = hall_texting(backend, None);
    let receiver = Receiver::start();
    let registered = hall.app.post(
        "/api/v1/webhooks",
        Some(&hall.admin),
        &json!({"url": receiver.url, "events": ["case.accepted", "ticket.approaching"]}),
    );
    assert_eq!(registered.status, 201, "{}", registered.text);
    intake(
        &hall,
        json!({"item_id": hall.committed, "applicant": applicant(None)}),
    );
    let all = messages(&hall);
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0]["channel"], "webhook");
}

fn a_gateway_down_for_a_while_gets_the_text_once_it_is_back(backend: Backend) {
    let port = free_port();
    let hall = hall_texting(backend, Some(&format!("http://127.0.0.1:{port}/sms")));
    let case = intake(
        &hall,
        json!({"item_id": hall.committed, "applicant": applicant(None)}),
    );
    wait_until("two failed attempts", || {
        sms_messages(&hall)
            .iter()
            .any(|m| m["attempts"].as_u64() >= Some(2))
    });
    let failed = &sms_messages(&hall)[0];
    assert_eq!(failed["status"], "queued");
    assert!(failed["last_error"].is_string(), "{failed}");
    let gateway = Receiver::on(TcpListener::bind(("127.0.0.1", port)).expect("the port again"));
    let case_no = case["case_no"].as_str().expect("number");
    text_of(&gateway.wait_for("the 受理 text", texting(case_no)));
    wait_until("the text delivered", || {
        sms_messages(&hall)
            .iter()
            .all(|m| m["status"] == "delivered")
    });
}

/// A gateway that refuses every text with 400, echoing the request's body in its answer as
/// some gateways do in their error messages.
fn echoing_gateway() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a gateway");
    let url = format!("http://{}/sms", listener.local_addr().expect("address"));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream);
            let mut length = 0;
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 0 && !line.trim().is_empty() {
                if let Some((name, value)) = line.trim_end().split_once(':')
                    && name.eq_ignore_ascii_case("content-length")
                {
                    length = value.trim().parse().unwrap_or(0);
                }
                line.clear();
            }
            let mut body = vec![0; length];
            if reader.read_exact(&mut body).is_err() {
                continue;
            }
            let answer = format!("invalid request: {}", String::from_utf8_lossy(&body));
            let mut stream = reader.into_inner();
            let _ = write!(
                stream,
                "HTTP/1.1 400 Bad Request\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                answer.len()
            );
        }
    });
    url
}

fn a_gateway_echoing_a_refused_text_never_gets_the_phone_or_code_into_the_log(backend: Backend) {
    let hall = hall_texting(backend, Some(&echoing_gateway()));
    intake(
        &hall,
        json!({"item_id": hall.committed, "applicant": applicant(None)}),
    );
    // `messages` checks that no answer of the outbox holds the phone.
    wait_until("a refused attempt", || {
        sms_messages(&hall).iter().any(|m| {
            m["last_error"]
                .as_str()
                .is_some_and(|e| e.contains("400") && e.contains("[phone]"))
        })
    });
    let error = sms_messages(&hall)[0]["last_error"]
        .as_str()
        .expect("an error")
        .to_owned();
    assert!(error.contains("[code]"), "{error}");
    assert!(!crate::support::logs::captured().contains(PHONE));
}

/// A valid resident ID (GB 11643 check digit) of someone born on 1 January 1980, the `n`th.
fn resident_id(n: u32) -> String {
    let body = format!("11010519800101{:03}", n % 1000);
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let check = char::from(b"10X98765432"[(sum % 11) as usize]);
    format!("{body}{check}")
}

/// Beijing time on Tuesday 1 December 2026.
fn tuesday(hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, hour, minute, 0)
        .single()
        .expect("a moment")
        - chrono::TimeDelta::hours(8)
}

fn a_booked_citizen_who_checked_in_is_texted_when_three_are_ahead(backend: Backend) {
    let gateway = Receiver::start();
    let url = gateway.url.clone();
    let hall = hall_on(TestApp::start_at_configured(
        backend,
        tuesday(9, 0),
        |config| {
            config.outbox_retry_base_ms = 100;
            config.sms_url = Some(url);
            config.sms_authorization = Some(TOKEN.into());
            config.public_rate = 1000;
            config.public_write_rate = 1000;
        },
    ));
    let app = &hall.app;
    let watcher = Receiver::start();
    let registered = app.post(
        "/api/v1/webhooks",
        Some(&hall.admin),
        &json!({"url": watcher.url, "events": ["ticket.approaching"]}),
    );
    assert_eq!(registered.status, 201, "{}", registered.text);
    let center = app
        .get(
            &format!("/api/v1/windows/{}", hall.window1),
            Some(&hall.admin),
        )
        .json()["center_id"]
        .as_str()
        .expect("centre")
        .to_owned();
    let queue = app.post(
        &format!("/api/v1/centers/{center}/queues"),
        Some(&hall.admin),
        &json!({"prefix": "A", "name": "民政业务", "item_ids": [hall.committed, hall.immediate]}),
    );
    assert_eq!(queue.status, 201, "{}", queue.text);
    let queue = id(&queue.json());
    let slot = app.post(
        &format!("/api/v1/centers/{center}/slots"),
        Some(&hall.supervisor),
        &json!({"item_id": hall.committed, "queue_id": queue, "day": "2026-12-01",
                "starts_at": "09:15:00", "ends_at": "09:45:00", "capacity": 2}),
    );
    assert_eq!(slot.status, 201, "{}", slot.text);
    let slot = slot.json()[0].clone();
    let booked = app.post(
        "/api/v1/public/appointments",
        None,
        &json!({"slot_id": slot["id"], "name": "王小明", "id_number": crate::support::ID_NUMBER,
                "phone": PHONE}),
    );
    assert_eq!(booked.status, 201, "{}", booked.text);
    let code = booked.json()["booking_code"]
        .as_str()
        .expect("code")
        .to_owned();
    // Another citizen books the same slot and declines texts.
    let declined = app.post(
        "/api/v1/public/appointments",
        None,
        &json!({"slot_id": slot["id"], "name": "李四", "id_number": resident_id(7),
                "phone": PHONE, "sms_opt_out": true}),
    );
    assert_eq!(declined.status, 201, "{}", declined.text);
    let declined_code = declined.json()["booking_code"]
        .as_str()
        .expect("code")
        .to_owned();

    // Four green-channel tickets are handed out at the door; the citizen checks in behind
    // them (priority tickets go by arrival), then the one who declined, and a walk-in takes a
    // ticket at the kiosk.
    for _ in 0..4 {
        let ticket = app.post(
            &format!("/api/v1/centers/{center}/tickets"),
            Some(&hall.clerk1),
            &json!({"queue_id": queue, "priority": "green_channel"}),
        );
        assert_eq!(ticket.status, 201, "{}", ticket.text);
    }
    let mine = app.post(
        &format!("/api/v1/public/centers/{center}/check-in"),
        None,
        &json!({"booking_code": code}),
    );
    assert_eq!(mine.status, 201, "{}", mine.text);
    let mine = mine.json();
    assert_eq!(
        (mine["number"].clone(), mine["position"].clone()),
        (json!("A005"), json!(5))
    );
    let theirs = app.post(
        &format!("/api/v1/public/centers/{center}/check-in"),
        None,
        &json!({"booking_code": declined_code}),
    );
    assert_eq!(theirs.json()["number"], "A006", "{}", theirs.text);
    let walk_in = app.post(
        &format!("/api/v1/public/centers/{center}/tickets"),
        None,
        &json!({"queue_id": queue}),
    );
    assert_eq!(walk_in.json()["number"], "A007");

    let session = app.put(
        &format!("/api/v1/windows/{}/session", hall.window1),
        Some(&hall.clerk1),
        &json!({"state": "open"}),
    );
    assert_eq!(session.status, 200, "{}", session.text);
    let call = || {
        let called = app.post(
            &format!("/api/v1/windows/{}/call-next", hall.window1),
            Some(&hall.clerk1),
            &json!({}),
        );
        assert_eq!(called.status, 200, "{}", called.text);
    };
    // The first call leaves A002, A003, A004 ahead of the citizen: the text comes.
    call();
    let text = text_of(&gateway.wait_for("the three-ahead text", texting("A005")));
    assert!(
        text.contains("前面还有3位") && text.contains("民政业务"),
        "{text}"
    );
    let news = watcher.wait_for("ticket news", |r| r.body.contains("A005"));
    assert_eq!(news.json()["data"]["ahead"], 3);
    assert_eq!(news.json()["data"]["ticket_id"], mine["id"]);
    assert!(!news.body.contains(PHONE), "{}", news.body);

    // The next calls bring the citizen who declined, then the walk-in, to three ahead: the
    // webhook hears of both, but nobody is texted: one declined, a kiosk ticket has no phone.
    call();
    watcher.wait_for("the declined citizen's news", |r| r.body.contains("A006"));
    call();
    watcher.wait_for("the walk-in's news", |r| r.body.contains("A007"));
    wait_until("the queue's news settled", || {
        messages(&hall).iter().all(|m| m["status"] == "delivered")
    });
    assert_eq!(gateway.received().len(), 1, "{:?}", gateway.received());
    assert_eq!(sms_messages(&hall).len(), 1);
    assert!(sms_messages(&hall)[0]["case_id"].is_null());
}

on_both_backends!(
    an_accepted_applicant_is_texted_the_case_number_and_a_query_code_the_kiosk_takes,
    supplement_extension_and_completion_texts_say_what_each_means,
    an_applicant_who_declined_texts_gets_none_even_one_queued_before,
    with_no_gateway_nothing_is_queued,
    a_gateway_down_for_a_while_gets_the_text_once_it_is_back,
    a_gateway_echoing_a_refused_text_never_gets_the_phone_or_code_into_the_log,
    a_booked_citizen_who_checked_in_is_texted_when_three_are_ahead,
);
