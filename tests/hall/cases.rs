//! Stories of cases: intake at the window, the lifecycle, deadlines that explain
//! themselves, warnings, imports — on both databases.

use std::collections::BTreeSet;

use domain::user::Role;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::{Backend, TestApp};

pub(crate) use crate::support::{ID_NUMBER, PHONE, applicant};

/// A district hall with a committed and an immediate item, two windows serving both, a clerk
/// at each, a supervisor and an analyst.
pub(crate) struct Hall {
    pub(crate) app: TestApp,
    pub(crate) admin: String,
    pub(crate) supervisor: String,
    pub(crate) clerk1: String,
    pub(crate) clerk2: String,
    pub(crate) analyst: String,
    pub(crate) window1: String,
    pub(crate) window2: String,
    pub(crate) committed: String,
    pub(crate) immediate: String,
}

pub(crate) fn id(value: &Value) -> String {
    value["id"].as_str().expect("id").to_owned()
}

pub(crate) fn hall(backend: Backend) -> Hall {
    hall_on(TestApp::start(backend))
}

/// The same hall over an app already started (on a given date, say).
pub(crate) fn hall_on(app: TestApp) -> Hall {
    let admin = app.admin_token();
    let center = app
        .post(
            "/api/v1/centers",
            Some(&admin),
            &json!({"code": "640105", "name": "西夏区政务服务中心"}),
        )
        .json();
    let department = app
        .post(
            "/api/v1/departments",
            Some(&admin),
            &json!({"code": "MZ", "name": "民政局"}),
        )
        .json();
    let item = |code: &str, handling: &str, promised: u32| {
        let answer = app.post(
            "/api/v1/items",
            Some(&admin),
            &json!({"code": code, "name": format!("事项 {code}"), "department_id": department["id"], "category": "licensing",
                    "handling": handling, "statutory_days": 20, "promised_days": promised}),
        );
        assert_eq!(answer.status, 201, "{}", answer.text);
        id(&answer.json())
    };
    let committed = item("MZ-001", "committed", 5);
    let immediate = item("MZ-002", "immediate", 0);
    let window = |number: u32| {
        let answer = app.post(
            "/api/v1/windows",
            Some(&admin),
            &json!({"center_id": center["id"], "number": number, "name": format!("{number}号窗口"), "kind": "permanent",
                    "item_ids": [committed, immediate]}),
        );
        assert_eq!(answer.status, 201, "{}", answer.text);
        id(&answer.json())
    };
    let window1 = window(1);
    let window2 = window(2);
    let clerk1 = app.user_token("clerk.one", Role::Clerk, Some(window1.parse().expect("id")));
    let clerk2 = app.user_token("clerk.two", Role::Clerk, Some(window2.parse().expect("id")));
    let supervisor = app.user_token("chief", Role::Supervisor, None);
    let analyst = app.user_token("analyst", Role::Analyst, None);
    Hall {
        app,
        admin,
        supervisor,
        clerk1,
        clerk2,
        analyst,
        window1,
        window2,
        committed,
        immediate,
    }
}

impl Hall {
    pub(crate) fn accept(&self, token: &str, item: &str) -> Value {
        let answer = self.app.post(
            "/api/v1/cases",
            Some(token),
            &json!({"item_id": item, "applicant": applicant()}),
        );
        assert_eq!(answer.status, 201, "{}", answer.text);
        answer.json()
    }

    pub(crate) fn act(&self, token: &str, case: &Value, action: Value) -> crate::support::Answer {
        self.app.post(
            &format!("/api/v1/cases/{}/events", id(case)),
            Some(token),
            &action,
        )
    }

    pub(crate) fn import(&self, lines: &[Value]) -> crate::support::Answer {
        let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
        self.app.send(
            "POST",
            "/api/v1/imports/cases",
            Some(&self.admin),
            "application/x-ndjson",
            &body,
        )
    }
}

pub(crate) fn legacy_case(events: Value) -> Value {
    json!({"center_code": "640105", "window_number": 1, "item_code": "MZ-001", "applicant": applicant(),
           "received_at": "2012-09-28T09:00:00+08:00", "events": events})
}

fn a_clerk_accepts_a_committed_case_and_sees_its_deadline_and_history(backend: Backend) {
    let hall = hall(backend);
    let receipt = hall.accept(&hall.clerk1, &hall.committed);
    assert_eq!(receipt["status"], "accepted");
    assert_eq!(receipt["handling"], "committed");
    assert_eq!(receipt["version"], 1);
    assert_eq!(receipt["window_id"], hall.window1.as_str());
    let code = receipt["query_code"].as_str().expect("code");
    assert!(code.len() == 6 && code.chars().all(|c| c.is_ascii_digit()));
    let case_no = receipt["case_no"].as_str().expect("number");
    assert!(
        case_no.starts_with("640105-") && case_no.ends_with("-00001"),
        "{case_no}"
    );
    let today = receipt["received_on"].as_str().expect("date");
    let expected = hall
        .app
        .get(
            &format!("/api/v1/calendar/deadline?accepted={today}&days=5"),
            Some(&hall.clerk1),
        )
        .json();
    assert_eq!(receipt["deadline"], expected["deadline"]);

    let read = hall.app.get(
        &format!("/api/v1/cases/{}", id(&receipt)),
        Some(&hall.clerk1),
    );
    assert_eq!(read.status, 200);
    assert!(
        read.json().get("query_code").is_none(),
        "the code is shown once only"
    );
    assert!(!read.text.contains(code));

    let started = hall.act(
        &hall.clerk1,
        &receipt,
        json!({"action": "start", "version": 1}),
    );
    assert_eq!(started.json()["status"], "in_progress");
    let done = hall.act(
        &hall.clerk1,
        &started.json(),
        json!({"action": "complete", "version": 2, "outcome": "approved", "result": "准予登记"}),
    );
    assert_eq!(done.status, 200, "{}", done.text);
    assert_eq!(done.json()["on_time"], true);
    let delivered = hall.act(
        &hall.clerk1,
        &done.json(),
        json!({"action": "deliver", "version": 3, "note": "窗口领取"}),
    );
    assert_eq!(delivered.json()["status"], "delivered");

    let metrics = hall.app.get("/metrics", None).text;
    assert!(
        metrics.contains("hall_cases_received_total 1")
            && metrics.contains("hall_cases_completed_total 1"),
        "{metrics}"
    );
    let events = hall
        .app
        .get(
            &format!("/api/v1/cases/{}/events", id(&receipt)),
            Some(&hall.clerk1),
        )
        .json();
    let actions: Vec<_> = events["items"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["action"].as_str().expect("action").to_owned())
        .collect();
    assert_eq!(actions, ["accept", "start", "complete", "deliver"]);
    assert_eq!(events["items"][2]["from_status"], "in_progress");
    assert_eq!(events["items"][2]["to_status"], "completed");
}

fn an_immediate_case_is_completed_at_the_window_the_same_day(backend: Backend) {
    let hall = hall(backend);
    let receipt = hall.accept(&hall.clerk1, &hall.immediate);
    assert_eq!(receipt["deadline"], receipt["received_on"]);
    let done = hall.act(
        &hall.clerk1,
        &receipt,
        json!({"action": "complete", "version": 1, "outcome": "approved"}),
    );
    assert_eq!(done.status, 200, "{}", done.text);
    assert_eq!(done.json()["on_time"], true);
}

fn a_case_paused_and_extended_explains_its_deadline_and_completing_late_is_not_on_time(
    backend: Backend,
) {
    let hall = hall(backend);
    let plain = hall.import(&[legacy_case(json!([]))]);
    assert_eq!(plain.status, 201, "{}", plain.text);
    let plain = &plain.json()["cases"][0];
    let read = hall
        .app
        .get(
            &format!("/api/v1/cases/{}", plain["id"].as_str().expect("id")),
            Some(&hall.supervisor),
        )
        .json();
    assert_eq!(
        read["deadline"], "2012-10-11",
        "accepted Friday 2012-09-28 with 5 promised days"
    );

    let history = json!([
        {"action": "start", "at": "2012-09-28T10:00:00+08:00", "by": "clerk.one"},
        {"action": "pause", "reason": "supplement", "note": "缺户口簿", "at": "2012-10-08T10:00:00+08:00", "by": "clerk.one"},
        {"action": "resume", "at": "2012-10-11T10:00:00+08:00", "by": "clerk.one"},
        {"action": "extend", "days": 5, "reason": "需专家评审", "at": "2012-10-12T10:00:00+08:00", "by": "chief"}
    ]);
    let imported = hall.import(&[legacy_case(history)]);
    assert_eq!(imported.status, 201, "{}", imported.text);
    let case_id = imported.json()["cases"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let events = hall
        .app
        .get(
            &format!("/api/v1/cases/{case_id}/events"),
            Some(&hall.supervisor),
        )
        .json();
    assert_eq!(
        events["items"][3]["payload"]["deadline"], "2012-10-16",
        "3 working days paused move it by 3"
    );
    assert_eq!(
        events["items"][4]["payload"]["deadline"], "2012-10-23",
        "an extension of 5 moves it 5 more"
    );

    let explained = hall.app.get(
        &format!("/api/v1/cases/{case_id}/deadline"),
        Some(&hall.supervisor),
    );
    assert_eq!(explained.status, 200, "{}", explained.text);
    let explained = explained.json();
    assert_eq!(explained["start_date"], "2012-09-28");
    assert_eq!(explained["promised_days"], 5);
    assert_eq!(explained["pauses"][0]["from"], "2012-10-08");
    assert_eq!(explained["pauses"][0]["to"], "2012-10-11");
    assert_eq!(explained["pauses"][0]["working_days"], 3);
    assert_eq!(explained["extensions"][0]["days"], 5);
    assert_eq!(explained["total_working_days"], 5 + 3 + 5);
    assert_eq!(explained["deadline"], "2012-10-23");
    assert_eq!(explained["provisional"], false);

    // Still open long after its deadline: a red card.
    let warnings = hall
        .app
        .get("/api/v1/supervision/warnings", Some(&hall.supervisor))
        .json();
    let red: Vec<_> = warnings["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|w| w["case_id"] == case_id.as_str())
        .collect();
    assert_eq!(red.len(), 1);
    assert_eq!(red[0]["warning"], "red");
    assert!(red[0]["days_overdue"].as_i64().expect("days") > 1000);
    assert!(
        !warnings.to_string().contains(ID_NUMBER),
        "warnings carry no personal data"
    );
    let listed = hall
        .app
        .get("/api/v1/cases?warning=red", Some(&hall.supervisor))
        .json();
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        hall.app
            .get("/api/v1/cases?warning=yellow", Some(&hall.supervisor))
            .json()["items"],
        json!([])
    );

    let late = hall.act(
        &hall.clerk1,
        &json!({"id": case_id}),
        json!({"action": "complete", "version": 5, "outcome": "approved"}),
    );
    assert_eq!(late.status, 200, "{}", late.text);
    assert_eq!(late.json()["on_time"], false);
    assert_eq!(late.json()["deadline"], "2012-10-23");
}

fn twenty_acceptances_at_once_get_twenty_consecutive_numbers(backend: Backend) {
    let hall = hall(backend);
    let numbers: BTreeSet<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..20)
            .map(|_| {
                scope.spawn(|| {
                    hall.accept(&hall.clerk1, &hall.committed)["case_no"]
                        .as_str()
                        .expect("no")
                        .to_owned()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    assert_eq!(numbers.len(), 20, "no number twice");
    let sequences: Vec<u32> = numbers
        .iter()
        .map(|n| n.rsplit('-').next().expect("seq").parse().expect("number"))
        .collect();
    assert_eq!(sequences, (1..=20).collect::<Vec<_>>(), "no gaps");
}

fn a_retry_with_the_same_idempotency_key_creates_nothing(backend: Backend) {
    let hall = hall(backend);
    let body = json!({"item_id": hall.committed, "applicant": applicant()}).to_string();
    let send = |key: &str, body: &str| {
        let url = "/api/v1/cases";
        hall.app.send_with_header(
            "POST",
            url,
            Some(&hall.clerk1),
            ("Idempotency-Key", key),
            body,
        )
    };
    let first = send("intake-42", &body);
    assert_eq!(first.status, 201, "{}", first.text);
    let retry = send("intake-42", &body);
    assert_eq!(retry.status, 200, "{}", retry.text);
    assert_eq!(retry.json()["id"], first.json()["id"]);
    assert_eq!(retry.json()["query_code"], first.json()["query_code"]);
    let other_body = json!({"item_id": hall.immediate, "applicant": applicant()}).to_string();
    send("intake-42", &other_body).problem(422);
    let listed = hall.app.get("/api/v1/cases", Some(&hall.clerk1)).json();
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(1));
}

/// Keys kept past their day are forgotten by the intakes that follow, a slice at a time, and
/// the keys still in force stay: the prune reads the oldest keys first and stops at the
/// first one in force.
fn expired_idempotency_keys_are_pruned_by_later_intakes_a_slice_at_a_time(backend: Backend) {
    use domain::idempotency::PRUNE_SLICE;
    use domain::repository::{
        CaseRepository, IdempotencyRecord, IdempotencyRepository, RepositoryError,
    };

    let hall = hall(backend);
    let store = hall.app.state.store.clone();
    let send = |key: &str| {
        let body = json!({"item_id": hall.committed, "applicant": applicant()}).to_string();
        let sent = hall.app.send_with_header(
            "POST",
            "/api/v1/cases",
            Some(&hall.clerk1),
            ("Idempotency-Key", key),
            &body,
        );
        assert_eq!(sent.status, 201, "{}", sent.text);
        sent.json()
    };
    let first = send("in-force");
    let case = store
        .read(|conn| conn.case(id(&first).parse().expect("case id")))
        .expect("read")
        .expect("the case");
    // A clerk's keys of two days ago (the app keeps them one day), more than one slice.
    let old = PRUNE_SLICE as usize + 20;
    let old_key = |i: usize| format!("two-days-ago-{i}");
    let two_days_ago = IdempotencyRecord {
        request_hash: "an old request".into(),
        region: case.region.clone(),
        case_id: case.id,
        created_at: chrono::Utc::now() - chrono::TimeDelta::days(2),
    };
    store
        .transaction(|conn| {
            for i in 0..old {
                conn.remember_idempotency(case.accepted_by, &old_key(i), &two_days_ago)?;
            }
            Ok::<_, RepositoryError>(())
        })
        .expect("old keys");
    let left = || {
        store
            .read(|conn| {
                let mut left = 0;
                for i in 0..old {
                    left += usize::from(
                        conn.idempotency_record(case.accepted_by, &old_key(i))?
                            .is_some(),
                    );
                }
                Ok::<_, RepositoryError>(left)
            })
            .expect("read")
    };
    assert_eq!(left(), old);

    send("next-1");
    assert_eq!(left(), 20, "one slice of the oldest keys forgotten");
    send("next-2");
    assert_eq!(left(), 0);
    let kept = store
        .read(|conn| conn.idempotency_record(case.accepted_by, "in-force"))
        .expect("read");
    assert_eq!(
        kept.map(|k| k.case_id),
        Some(case.id),
        "a key in force stays"
    );
}

fn a_stale_version_is_refused_and_leaves_no_event(backend: Backend) {
    let hall = hall(backend);
    let case = hall.accept(&hall.clerk1, &hall.committed);
    assert_eq!(
        hall.act(
            &hall.clerk1,
            &case,
            json!({"action": "start", "version": 1})
        )
        .status,
        200
    );
    let stale = hall.act(
        &hall.clerk1,
        &case,
        json!({"action": "pause", "reason": "supplement", "version": 1}),
    );
    assert!(
        stale.problem(409)["detail"]
            .as_str()
            .expect("detail")
            .contains("version")
    );
    let events = hall
        .app
        .get(
            &format!("/api/v1/cases/{}/events", id(&case)),
            Some(&hall.clerk1),
        )
        .json();
    assert_eq!(events["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        hall.app
            .get(&format!("/api/v1/cases/{}", id(&case)), Some(&hall.clerk1))
            .json()["version"],
        2
    );
}

fn a_clerk_can_neither_read_nor_act_on_another_windows_case(backend: Backend) {
    let hall = hall(backend);
    let case = hall.accept(&hall.clerk1, &hall.committed);
    let path = format!("/api/v1/cases/{}", id(&case));
    hall.app.get(&path, Some(&hall.clerk2)).problem(403);
    hall.app
        .get(&format!("{path}/events"), Some(&hall.clerk2))
        .problem(403);
    hall.app
        .get(&format!("{path}/deadline"), Some(&hall.clerk2))
        .problem(403);
    hall.act(
        &hall.clerk2,
        &case,
        json!({"action": "start", "version": 1}),
    )
    .problem(403);
    hall.app
        .get(
            &format!("/api/v1/cases?window={}", hall.window1),
            Some(&hall.clerk2),
        )
        .problem(403);
    assert_eq!(
        hall.app.get("/api/v1/cases", Some(&hall.clerk2)).json()["items"],
        json!([])
    );
    // Analysts see figures, never an individual case.
    hall.app
        .get("/api/v1/cases", Some(&hall.analyst))
        .problem(403);
    hall.app.get(&path, Some(&hall.analyst)).problem(403);
    // A clerk cannot accept at another window either.
    let elsewhere = hall.app.post(
        "/api/v1/cases",
        Some(&hall.clerk2),
        &json!({"item_id": hall.committed, "window_id": hall.window1, "applicant": applicant()}),
    );
    elsewhere.problem(403);
}

fn supervisors_extend_and_transfer_and_clerks_may_not(backend: Backend) {
    let hall = hall(backend);
    let case = hall.accept(&hall.clerk1, &hall.committed);
    hall.act(
        &hall.clerk1,
        &case,
        json!({"action": "extend", "version": 1, "days": 3, "reason": "复杂"}),
    )
    .problem(403);
    let extended = hall.act(
        &hall.supervisor,
        &case,
        json!({"action": "extend", "version": 1, "days": 3, "reason": "复杂"}),
    );
    assert_eq!(extended.status, 200, "{}", extended.text);
    assert_ne!(extended.json()["deadline"], case["deadline"]);
    let too_long = hall.act(
        &hall.supervisor,
        &extended.json(),
        json!({"action": "extend", "version": 2, "days": 23, "reason": "再延"}),
    );
    assert_eq!(too_long.problem(422)["errors"][0]["field"], "days");
    let moved = hall.act(
        &hall.supervisor,
        &extended.json(),
        json!({"action": "transfer", "version": 2, "window_id": hall.window2}),
    );
    assert_eq!(moved.status, 200, "{}", moved.text);
    assert_eq!(moved.json()["window_id"], hall.window2.as_str());
    assert_eq!(
        hall.app
            .get(&format!("/api/v1/cases/{}", id(&case)), Some(&hall.clerk2))
            .status,
        200
    );
    hall.app
        .get(&format!("/api/v1/cases/{}", id(&case)), Some(&hall.clerk1))
        .problem(403);
}

fn completing_a_withdrawn_case_is_refused(backend: Backend) {
    let hall = hall(backend);
    let case = hall.accept(&hall.clerk1, &hall.committed);
    let withdrawn = hall.act(
        &hall.clerk1,
        &case,
        json!({"action": "withdraw", "version": 1, "reason": "申请人撤回"}),
    );
    assert_eq!(withdrawn.json()["status"], "withdrawn");
    let refused = hall.act(
        &hall.clerk1,
        &withdrawn.json(),
        json!({"action": "complete", "version": 2, "outcome": "approved"}),
    );
    refused.problem(409);
    let events = hall
        .app
        .get(
            &format!("/api/v1/cases/{}/events", id(&case)),
            Some(&hall.clerk1),
        )
        .json();
    assert_eq!(events["items"].as_array().map(Vec::len), Some(2));
    let pause_then_complete = hall.accept(&hall.clerk1, &hall.committed);
    let paused = hall.act(
        &hall.clerk1,
        &pause_then_complete,
        json!({"action": "pause", "version": 1, "reason": "special_procedure"}),
    );
    assert_eq!(paused.json()["paused"], true);
    hall.act(
        &hall.clerk1,
        &paused.json(),
        json!({"action": "complete", "version": 2, "outcome": "approved"}),
    )
    .problem(409);
    let resumed = hall.act(
        &hall.clerk1,
        &paused.json(),
        json!({"action": "resume", "version": 2}),
    );
    assert_eq!(
        resumed.json()["status"],
        "accepted",
        "a case resumes where it was paused"
    );
}

fn intake_checks_the_applicant_the_window_and_records_refusals(backend: Backend) {
    let hall = hall(backend);
    let mut bad = applicant();
    bad["id_number"] = json!("110105194912310021");
    bad["phone"] = json!("12");
    let refused = hall.app.post(
        "/api/v1/cases",
        Some(&hall.clerk1),
        &json!({"item_id": hall.committed, "applicant": bad}),
    );
    let fields: Vec<_> = refused.problem(422)["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].clone())
        .collect();
    assert_eq!(
        fields,
        [json!("applicant.id_number"), json!("applicant.phone")]
    );

    let admin = &hall.admin;
    let other = hall.app.post(
        "/api/v1/items",
        Some(admin),
        &json!({"code": "GT-001", "name": "不动产登记", "department_id": hall.app.get("/api/v1/departments", Some(admin)).json()["items"][0]["id"],
                "category": "licensing", "handling": "committed", "statutory_days": 30, "promised_days": 10}),
    );
    let not_served = hall.app.post(
        "/api/v1/cases",
        Some(&hall.clerk1),
        &json!({"item_id": id(&other.json()), "applicant": applicant()}),
    );
    assert_eq!(not_served.problem(422)["errors"][0]["field"], "item_id");
    // The catalogue is read in one statement: a window or an item that does not exist is
    // still named on its own, the two together when both are missing.
    let unknown = || uuid::Uuid::now_v7().to_string();
    let fields_of = |body: Value| -> Vec<Value> {
        hall.app
            .post("/api/v1/cases", Some(admin), &body)
            .problem(422)["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .map(|e| e["field"].clone())
            .collect()
    };
    let no_item =
        json!({"item_id": unknown(), "window_id": hall.window1, "applicant": applicant()});
    assert_eq!(fields_of(no_item), [json!("item_id")]);
    let no_window =
        json!({"item_id": hall.committed, "window_id": unknown(), "applicant": applicant()});
    assert_eq!(fields_of(no_window), [json!("window_id")]);
    let neither = json!({"item_id": unknown(), "window_id": unknown(), "applicant": applicant()});
    assert_eq!(fields_of(neither), [json!("window_id"), json!("item_id")]);

    let not_accepted = hall.app.post(
        "/api/v1/cases",
        Some(&hall.clerk1),
        &json!({"item_id": hall.committed, "applicant": applicant(), "decision": "not_accepted", "reason": "不属于本机关职权范围"}),
    );
    assert_eq!(not_accepted.status, 201, "{}", not_accepted.text);
    assert_eq!(not_accepted.json()["status"], "not_accepted");
    assert_eq!(not_accepted.json()["deadline"], Value::Null);
    assert_eq!(
        not_accepted.json()["refusal_reason"],
        "不属于本机关职权范围"
    );
    hall.act(
        &hall.clerk1,
        &not_accepted.json(),
        json!({"action": "start", "version": 1}),
    )
    .problem(409);
    let no_reason = hall.app.post(
        "/api/v1/cases",
        Some(&hall.clerk1),
        &json!({"item_id": hall.committed, "applicant": applicant(), "decision": "not_accepted"}),
    );
    no_reason.problem(422);

    // Search by exact case number or applicant ID number.
    let found = hall
        .app
        .get(&format!("/api/v1/cases?q={ID_NUMBER}"), Some(&hall.clerk1))
        .json();
    assert_eq!(found["items"].as_array().map(Vec::len), Some(1));
    let by_number = hall
        .app
        .get(
            &format!(
                "/api/v1/cases?q={}",
                not_accepted.json()["case_no"].as_str().expect("no")
            ),
            Some(&hall.clerk1),
        )
        .json();
    assert_eq!(by_number["items"][0]["id"], not_accepted.json()["id"]);
}

fn an_import_with_one_bad_line_writes_nothing_and_names_the_line(backend: Backend) {
    let hall = hall(backend);
    let good = legacy_case(json!([{"action": "start", "at": "2012-09-28T10:00:00+08:00"}]));
    let skips_start = legacy_case(
        json!([{"action": "complete", "outcome": "approved", "at": "2012-09-29T10:00:00+08:00"}]),
    );
    let backwards = legacy_case(json!([{"action": "start", "at": "2012-09-27T10:00:00+08:00"}]));
    let answer = hall.import(&[
        good,
        skips_start,
        backwards,
        json!({"center_code": "640105"}),
    ]);
    let problem = answer.problem(422);
    let fields: Vec<_> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().expect("field").to_owned())
        .collect();
    assert_eq!(
        fields,
        ["line 2: events[0].action", "line 3: events[0].at", "line 4"]
    );
    assert_eq!(
        hall.app.get("/api/v1/cases", Some(&hall.supervisor)).json()["items"],
        json!([])
    );
    hall.app
        .send(
            "POST",
            "/api/v1/imports/cases",
            Some(&hall.clerk1),
            "application/x-ndjson",
            "{}\n",
        )
        .problem(403);
}

fn the_case_list_pages_by_cursor_and_filters(backend: Backend) {
    let hall = hall(backend);
    for _ in 0..3 {
        hall.accept(&hall.clerk1, &hall.committed);
    }
    hall.accept(&hall.clerk2, &hall.immediate);
    let first = hall
        .app
        .get("/api/v1/cases?limit=2", Some(&hall.supervisor))
        .json();
    assert_eq!(first["items"].as_array().map(Vec::len), Some(2));
    let cursor = first["next_cursor"].as_str().expect("cursor");
    let second = hall
        .app
        .get(
            &format!("/api/v1/cases?limit=2&after={cursor}"),
            Some(&hall.supervisor),
        )
        .json();
    assert_eq!(second["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(second["next_cursor"], Value::Null);
    let all: BTreeSet<_> = first["items"]
        .as_array()
        .into_iter()
        .chain(second["items"].as_array())
        .flatten()
        .map(|c| c["id"].clone().to_string())
        .collect();
    assert_eq!(all.len(), 4);
    let by_item = hall
        .app
        .get(
            &format!("/api/v1/cases?item={}", hall.immediate),
            Some(&hall.supervisor),
        )
        .json();
    assert_eq!(by_item["items"].as_array().map(Vec::len), Some(1));
    let by_window = hall
        .app
        .get(
            &format!("/api/v1/cases?window={}&status=accepted", hall.window1),
            Some(&hall.supervisor),
        )
        .json();
    assert_eq!(by_window["items"].as_array().map(Vec::len), Some(3));
    // A cursor no listing handed out is refused, never read as an empty page.
    let garbage = hall
        .app
        .get("/api/v1/cases?after=garbage", Some(&hall.supervisor))
        .problem(400);
    assert_eq!(garbage["type"], "urn:service-hall:problem:invalid-cursor");
    hall.app
        .get("/api/v1/cases?status=lost", Some(&hall.supervisor))
        .problem(400);
}

fn no_id_number_or_phone_reaches_the_logs(backend: Backend) {
    let hall = hall(backend);
    let case = hall.accept(&hall.clerk1, &hall.committed);
    hall.app
        .get(&format!("/api/v1/cases?q={ID_NUMBER}"), Some(&hall.clerk1));
    hall.app
        .get(&format!("/api/v1/cases/{}", id(&case)), Some(&hall.clerk1));
    let mut bad = applicant();
    bad["phone"] = json!("1380013800x");
    hall.app.post(
        "/api/v1/cases",
        Some(&hall.clerk1),
        &json!({"item_id": hall.committed, "applicant": bad}),
    );
    let logs = crate::support::logs::captured();
    assert!(
        logs.contains("request finished") && logs.contains("/api/v1/cases"),
        "requests are logged: {logs}"
    );
    assert!(!logs.contains(ID_NUMBER), "an ID number reached the logs");
    assert!(
        !logs.contains(PHONE) && !logs.contains("1380013800x"),
        "a phone number reached the logs"
    );
}

on_both_backends!(
    no_id_number_or_phone_reaches_the_logs,
    a_clerk_accepts_a_committed_case_and_sees_its_deadline_and_history,
    an_immediate_case_is_completed_at_the_window_the_same_day,
    a_case_paused_and_extended_explains_its_deadline_and_completing_late_is_not_on_time,
    twenty_acceptances_at_once_get_twenty_consecutive_numbers,
    a_retry_with_the_same_idempotency_key_creates_nothing,
    expired_idempotency_keys_are_pruned_by_later_intakes_a_slice_at_a_time,
    a_stale_version_is_refused_and_leaves_no_event,
    a_clerk_can_neither_read_nor_act_on_another_windows_case,
    supervisors_extend_and_transfer_and_clerks_may_not,
    completing_a_withdrawn_case_is_refused,
    intake_checks_the_applicant_the_window_and_records_refusals,
    an_import_with_one_bad_line_writes_nothing_and_names_the_line,
    the_case_list_pages_by_cursor_and_filters,
);
