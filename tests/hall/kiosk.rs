//! Stories of the kiosk: the public looks up a case, reads the guide and the windows, sees
//! the board, rates a finished case — and never sees personal data or gets to enumerate.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{Duration, Utc};
use diesel::Connection;
use diesel::connection::InstrumentationEvent;
use domain::case::{ActionKind, CaseEvent, EventDetails};
use domain::ids::CaseEventId;
use domain::repository::{
    CalendarRepository, CaseRepository, CenterRepository, KioskAttemptRepository, KioskCase,
    KioskLookup, KioskLookupRepository, RepositoryError, ServiceItemRepository, WindowRepository,
};
use domain::user::Role;
use persistence::AnyConnection;
use serde_json::{Value, json};

use crate::cases::{Hall, ID_NUMBER, PHONE, applicant, hall, id};
use crate::on_both_backends;
use crate::support::{Answer, Backend};

const NOTE: &str = "内部备注：申请人曾来电";

/// A committed case accepted with an internal note, started and completed.
fn finished_case(hall: &Hall) -> Value {
    let receipt = hall.app.post(
        "/api/v1/cases",
        Some(&hall.clerk1),
        &json!({"item_id": hall.committed, "applicant": applicant(), "note": NOTE}),
    );
    assert_eq!(receipt.status, 201, "{}", receipt.text);
    let receipt = receipt.json();
    let started = hall
        .act(
            &hall.clerk1,
            &receipt,
            json!({"action": "start", "version": 1}),
        )
        .json();
    let done = hall.act(&hall.clerk1, &started, json!({"action": "complete", "version": 2, "outcome": "approved", "result": "证号 2026-001"}));
    assert_eq!(done.status, 200, "{}", done.text);
    receipt
}

fn lookup(hall: &Hall, case_no: &str, code: &str) -> Answer {
    hall.app
        .get(&format!("/api/v1/public/cases/{case_no}?code={code}"), None)
}

fn assert_no_personal_data(answer: &Answer) {
    for secret in [ID_NUMBER, PHONE, NOTE, "张三", "clerk.one", "证号"] {
        assert!(
            !answer.text.contains(secret),
            "{secret:?} leaked: {}",
            answer.text
        );
    }
}

fn an_applicant_follows_their_case_at_the_kiosk_with_number_and_code(backend: Backend) {
    let hall = hall(backend);
    let receipt = finished_case(&hall);
    let case_no = receipt["case_no"].as_str().expect("number");
    let answer = lookup(
        &hall,
        case_no,
        receipt["query_code"].as_str().expect("code"),
    );
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_no_personal_data(&answer);
    let case = answer.json();
    assert_eq!(case["applicant"], "张*");
    assert_eq!(case["status"], "completed");
    assert_eq!(case["status_label"], "已办结");
    assert_eq!(case["item"], "事项 MZ-001");
    assert_eq!(case["window"]["number"], 1);
    assert_eq!(case["outcome"], "approved");
    assert_eq!(case["outcome_label"], "准予");
    assert_eq!(case["deadline"], receipt["deadline"]);
    let steps: Vec<_> = case["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .map(|s| s["label"].clone())
        .collect();
    assert_eq!(steps, [json!("受理"), json!("承办"), json!("办结")]);

    let open = hall
        .app
        .post(
            "/api/v1/cases",
            Some(&hall.clerk1),
            &json!({"item_id": hall.committed, "applicant": applicant()}),
        )
        .json();
    let progress = lookup(
        &hall,
        open["case_no"].as_str().expect("no"),
        open["query_code"].as_str().expect("code"),
    )
    .json();
    assert_eq!(
        progress["days_left"], 5,
        "five working days left on the day of acceptance"
    );
    assert_eq!(progress["outcome"], Value::Null);
}

fn a_wrong_code_and_an_unknown_number_get_the_same_answer(backend: Backend) {
    let hall = hall(backend);
    let receipt = finished_case(&hall);
    let case_no = receipt["case_no"].as_str().expect("number");
    let code = receipt["query_code"].as_str().expect("code");
    let wrong = if code == "000000" { "000001" } else { "000000" };
    let wrong_code = lookup(&hall, case_no, wrong);
    let unknown = lookup(&hall, "640105-20991231-00001", code);
    wrong_code.problem(404);
    assert_eq!(wrong_code.status, unknown.status);
    assert_eq!(wrong_code.text, unknown.text);
    assert_no_personal_data(&wrong_code);
}

fn the_thirty_first_lookup_in_a_minute_is_refused(backend: Backend) {
    let hall = hall(backend);
    // A number each time: one number alone is refused sooner, after its own wrong codes.
    for i in 0..30 {
        assert_eq!(
            lookup(&hall, &format!("640105-20991231-{i:05}"), "123456").status,
            404,
            "lookup {}",
            i + 1
        );
    }
    let refused = lookup(&hall, "640105-20991231-00030", "123456");
    refused.refused_for_a_while();
    // The limit is per address and per public endpoint family; staff routes are not limited.
    assert_eq!(
        hall.app.get("/api/v1/cases", Some(&hall.supervisor)).status,
        200
    );
}

fn sign_in_attempts_are_limited_per_address(backend: Backend) {
    let hall = hall(backend);
    let attempt = || {
        hall.app.post(
            "/api/v1/auth/login",
            None,
            &json!({"username": "chief", "password": "a wrong guess"}),
        )
    };
    let mut statuses = Vec::new();
    for _ in 0..11 {
        statuses.push(attempt().status);
    }
    assert!(statuses.contains(&429), "{statuses:?}");
    attempt().problem(429);
}

fn an_applicant_rates_a_finished_case_once_and_a_poor_rating_is_followed_up(backend: Backend) {
    let hall = hall(backend);
    let open = hall
        .app
        .post(
            "/api/v1/cases",
            Some(&hall.clerk1),
            &json!({"item_id": hall.committed, "applicant": applicant()}),
        )
        .json();
    let rate = |case: &Value, score: u8| {
        hall.app.post(
            &format!(
                "/api/v1/public/cases/{}/rating",
                case["case_no"].as_str().expect("no")
            ),
            None,
            &json!({"code": case["query_code"], "score": score, "comment": "等待时间太长"}),
        )
    };
    rate(&open, 2).problem(409);
    let finished = finished_case(&hall);
    rate(&finished, 6).problem(422);
    let rated = rate(&finished, 2);
    assert_eq!(rated.status, 201, "{}", rated.text);
    assert_eq!(rated.json()["level"], "不满意");
    rate(&finished, 5).problem(409);
    let wrong_code = hall.app.post(
        &format!(
            "/api/v1/public/cases/{}/rating",
            finished["case_no"].as_str().expect("no")
        ),
        None,
        &json!({"code": "999999x", "score": 5}),
    );
    wrong_code.problem(404);

    let events = hall
        .app
        .get(
            &format!("/api/v1/cases/{}/events", id(&finished)),
            Some(&hall.supervisor),
        )
        .json();
    let last = events["items"]
        .as_array()
        .and_then(|e| e.last())
        .expect("event")
        .clone();
    assert_eq!(last["action"], "rate");
    assert_eq!(last["actor_id"], Value::Null);

    let list = hall
        .app
        .get("/api/v1/supervision/ratings", Some(&hall.supervisor))
        .json();
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["score"], 2);
    assert_eq!(items[0]["case_no"], finished["case_no"]);
    let today = items[0]["rated_on"].as_str().expect("date");
    let due = hall
        .app
        .get(
            &format!("/api/v1/calendar/deadline?accepted={today}&days=15"),
            Some(&hall.supervisor),
        )
        .json();
    assert_eq!(
        items[0]["rectification"]["deadline"], due["deadline"],
        "15 working days to rectify"
    );
    let rating_id = items[0]["id"].as_str().expect("id");

    let close = |token: &str| {
        hall.app.post(
            &format!("/api/v1/supervision/ratings/{rating_id}/close"),
            Some(token),
            &json!({"note": "已约谈窗口人员并整改"}),
        )
    };
    close(&hall.clerk1).problem(403);
    let closed = close(&hall.supervisor);
    assert_eq!(closed.status, 200, "{}", closed.text);
    assert!(closed.json()["rectification"]["closed_at"].is_string());
    close(&hall.supervisor).problem(409);
    assert_eq!(
        hall.app
            .get("/api/v1/supervision/ratings", Some(&hall.supervisor))
            .json()["items"],
        json!([])
    );
    let all = hall
        .app
        .get(
            "/api/v1/supervision/ratings?open=false",
            Some(&hall.supervisor),
        )
        .json();
    assert_eq!(all["items"].as_array().map(Vec::len), Some(1));
}

fn the_guide_and_the_windows_are_public_and_cacheable(backend: Backend) {
    let hall = hall(backend);
    let admin = &hall.admin;
    let department =
        hall.app.get("/api/v1/departments", Some(admin)).json()["items"][0]["id"].clone();
    let marriage = hall.app.post(
        "/api/v1/items",
        Some(admin),
        &json!({"code": "MZ-101", "name": "内地居民婚姻登记", "department_id": department, "category": "non_licensing",
                "handling": "immediate", "statutory_days": 1, "promised_days": 0, "materials": [{"name": "户口簿"}, {"name": "居民身份证", "form": "original_and_copy"}],
                "conditions": "男女双方亲自到场", "fee": "9元", "fee_basis": "国家发改委收费标准", "legal_basis": "《婚姻登记条例》",
                "contact": "0951-2000000", "complaint_channel": "12345"}),
    );
    assert_eq!(marriage.status, 201, "{}", marriage.text);

    // q=婚姻, percent-encoded as a browser sends it.
    let search = hall
        .app
        .get("/api/v1/public/items?q=%E5%A9%9A%E5%A7%BB", None)
        .json();
    let codes: Vec<_> = search["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["code"].clone())
        .collect();
    assert_eq!(codes, [json!("MZ-101")]);
    assert_eq!(search["items"][0]["department"], "民政局");
    let by_code = hall.app.get("/api/v1/public/items?q=mz-00", None).json();
    assert_eq!(
        by_code["items"].as_array().map(Vec::len),
        Some(2),
        "codes match in any case"
    );
    let licensing = hall
        .app
        .get("/api/v1/public/items?category=licensing", None)
        .json();
    assert_eq!(licensing["items"].as_array().map(Vec::len), Some(2));

    let guide = hall.app.get("/api/v1/public/items/MZ-001", None);
    assert_eq!(guide.status, 200, "{}", guide.text);
    let body = guide.json();
    assert_eq!(body["statutory_days"], 20);
    assert_eq!(body["promised_days"], 5);
    assert_eq!(body["days_cut"], 15);
    assert_eq!(body["windows"].as_array().map(Vec::len), Some(2));
    assert_eq!(body["department"], "民政局");
    let etag = guide.header("etag").expect("an ETag").to_owned();
    let again = hall
        .app
        .get_with_header("/api/v1/public/items/MZ-001", ("If-None-Match", &etag));
    assert_eq!(again.status, 304);
    assert!(again.text.is_empty());
    let full = hall.app.get("/api/v1/public/items/MZ-101", None).json();
    assert_eq!(
        full["materials"],
        json!([{"name": "户口簿", "form": "original", "copies": 1, "required": true, "deferrable": false},
               {"name": "居民身份证", "form": "original_and_copy", "copies": 1, "required": true, "deferrable": false}])
    );
    assert_eq!(
        full["material_lines"],
        json!([
            "户口簿（原件，1份；必交）",
            "居民身份证（原件及复印件，1份；必交）"
        ])
    );
    assert_eq!(full["windows"], json!([]));
    hall.app.get("/api/v1/public/items/NOPE", None).problem(404);

    let windows = hall.app.get("/api/v1/public/windows", None);
    let listing = windows.json();
    assert_eq!(listing["centers"][0]["code"], "640105");
    let counters = listing["centers"][0]["windows"]
        .as_array()
        .expect("windows");
    assert_eq!(counters.len(), 2);
    assert_eq!(counters[0]["number"], 1);
    assert_eq!(counters[0]["open"], true);
    assert_eq!(counters[0]["items"].as_array().map(Vec::len), Some(2));
    let etag = windows.header("etag").expect("an ETag").to_owned();
    assert_eq!(
        hall.app
            .get_with_header("/api/v1/public/windows", ("If-None-Match", &etag))
            .status,
        304
    );
    hall.app.post(
        &format!("/api/v1/windows/{}/deactivate", hall.window2),
        Some(admin),
        &json!({}),
    );
    let changed = hall
        .app
        .get_with_header("/api/v1/public/windows", ("If-None-Match", &etag));
    assert_eq!(changed.status, 200, "a closed window changes the list");
    assert_eq!(changed.json()["centers"][0]["windows"][1]["open"], false);
}

fn the_board_shows_finished_cases_with_masked_names(backend: Backend) {
    let hall = hall(backend);
    let first = finished_case(&hall);
    let second = finished_case(&hall);
    hall.app.post(
        "/api/v1/cases",
        Some(&hall.clerk1),
        &json!({"item_id": hall.committed, "applicant": applicant()}),
    );
    let board = hall.app.get("/api/v1/public/board?limit=1", None);
    assert_no_personal_data(&board);
    let page = board.json();
    assert_eq!(
        page["items"][0]["case_no"], second["case_no"],
        "the most recent first"
    );
    assert_eq!(page["items"][0]["applicant"], "张*");
    assert_eq!(page["items"][0]["outcome_label"], "准予");
    let cursor = page["next_cursor"].as_str().expect("more");
    let rest = hall
        .app
        .get(
            &format!("/api/v1/public/board?limit=5&after={cursor}"),
            None,
        )
        .json();
    assert_eq!(rest["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(rest["items"][0]["case_no"], first["case_no"]);
}

fn each_halls_screen_shows_the_board_of_its_own_centre(backend: Backend) {
    let hall = hall(backend);
    let xixia = finished_case(&hall);
    // A second centre, with a window and a clerk of its own, finishes a case too.
    let centers = hall.app.get("/api/v1/centers", Some(&hall.admin)).json();
    let xixia_center = id(&centers["items"][0]);
    let xingqing_center = hall.app.post(
        "/api/v1/centers",
        Some(&hall.admin),
        &json!({"code": "640104", "name": "兴庆区政务服务中心"}),
    );
    assert_eq!(xingqing_center.status, 201, "{}", xingqing_center.text);
    let xingqing_center = id(&xingqing_center.json());
    let window = hall.app.post(
        "/api/v1/windows",
        Some(&hall.admin),
        &json!({"center_id": xingqing_center, "number": 1, "name": "1号窗口", "kind": "permanent",
                "item_ids": [hall.committed]}),
    );
    assert_eq!(window.status, 201, "{}", window.text);
    let clerk = hall.app.user_token(
        "clerk.xingqing",
        Role::Clerk,
        Some(id(&window.json()).parse().expect("id")),
    );
    let received = hall.accept(&clerk, &hall.committed);
    let started = hall
        .act(&clerk, &received, json!({"action": "start", "version": 1}))
        .json();
    let done = hall.act(
        &clerk,
        &started,
        json!({"action": "complete", "version": 2, "outcome": "approved"}),
    );
    assert_eq!(done.status, 200, "{}", done.text);

    let board_of = |query: &str| {
        let answer = hall.app.get(&format!("/api/v1/public/board{query}"), None);
        assert_eq!(answer.status, 200, "{}", answer.text);
        assert_no_personal_data(&answer);
        let page = answer.json();
        page["items"]
            .as_array()
            .expect("entries")
            .iter()
            .map(|e| e["case_no"].as_str().expect("number").to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        board_of(&format!("?center={xixia_center}")),
        [xixia["case_no"].as_str().expect("number")]
    );
    assert_eq!(
        board_of(&format!("?center={xingqing_center}")),
        [received["case_no"].as_str().expect("number")]
    );
    assert_eq!(board_of("").len(), 2, "without a centre, every centre's");
    // No such centre: an empty board, the same as a centre that finished nothing.
    let unknown = uuid::Uuid::now_v7();
    assert!(board_of(&format!("?center={unknown}")).is_empty());
    hall.app
        .get("/api/v1/public/board?center=640105", None)
        .problem(400);
}

fn a_script_reading_the_board_over_and_over_is_refused_after_thirty_a_minute(backend: Backend) {
    let hall = hall(backend);
    let unknown = uuid::Uuid::now_v7();
    // Any centre, or none: the board takes from the address's one bucket of kiosk reads,
    // so walking through centre ids is as limited as asking for one.
    for i in 0..30 {
        let query = if i % 2 == 0 {
            String::new()
        } else {
            format!("?center={}", uuid::Uuid::now_v7())
        };
        let answer = hall.app.get(&format!("/api/v1/public/board{query}"), None);
        assert_eq!(answer.status, 200, "read {}: {}", i + 1, answer.text);
    }
    let refused = hall
        .app
        .get(&format!("/api/v1/public/board?center={unknown}"), None);
    refused.refused_for_a_while();
    // The same bucket as the case lookup: the script cannot turn to it instead.
    lookup(&hall, "640105-20991231-00001", "123456").problem(429);
}

/// The kiosk's lookup of `case_no` on `conn`, and how many statements it took.
fn kiosk_lookup(
    conn: &mut AnyConnection,
    case_no: &str,
    since: chrono::DateTime<Utc>,
) -> Result<(KioskLookup, usize), RepositoryError> {
    let statements = Arc::new(AtomicUsize::new(0));
    let counted = statements.clone();
    conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
        if matches!(event, InstrumentationEvent::StartQuery { .. }) {
            counted.fetch_add(1, Ordering::Relaxed);
        }
    });
    let found = conn.kiosk_lookup(case_no, since);
    // The connection goes back to the pool: counting stops here.
    conn.set_instrumentation(|_: InstrumentationEvent<'_>| {});
    Ok((found?, statements.load(Ordering::Relaxed)))
}

fn the_kiosk_reads_a_case_and_all_it_shows_of_it_in_one_statement(backend: Backend) {
    let hall = hall(backend);
    let receipt = finished_case(&hall);
    let case_no = receipt["case_no"].as_str().expect("number");
    let store = &hall.app.state.store;
    // A deadline recomputed after a calendar correction: an event the public does not see.
    store
        .transaction(|conn| {
            let (case, _) = conn.case_by_number(case_no)?.expect("case");
            let event = CaseEvent {
                id: CaseEventId::new(),
                case_id: case.id,
                seq: case.version + 1,
                action: ActionKind::Recompute,
                from_status: Some(case.status),
                to_status: case.status,
                actor_id: None,
                at: case.updated_at,
                payload: EventDetails::Recompute {
                    reason: "a holiday moved".into(),
                    previous_deadline: case.deadline,
                    deadline: case.deadline,
                },
            };
            conn.append_event(&case.region, &event)
        })
        .expect("a recomputation");
    let code = receipt["query_code"].as_str().expect("code");
    for wrong in ["000000", "000001", "000002"]
        .into_iter()
        .filter(|wrong| *wrong != code)
        .take(2)
    {
        lookup(&hall, case_no, wrong).problem(404);
    }
    let since = Utc::now() - Duration::hours(1);

    store
        .read(|conn| {
            let (found, statements) = kiosk_lookup(conn, case_no, since)?;
            assert_eq!(
                statements, 1,
                "the case, its names, steps and wrong codes at once"
            );
            // The same as the repositories' separate reads.
            let (case, query_code_hash) = conn.case_by_number(case_no)?.expect("case");
            let window = conn.window(case.window_id)?.expect("window");
            let events = conn.case_events(case.id)?;
            assert_eq!(events.len(), 4);
            let expected = KioskCase {
                item: conn.item(case.item_id)?.map(|i| i.name),
                center: conn.center(window.center_id)?.map(|c| c.name),
                window: Some((window.number, window.name)),
                steps: events
                    .iter()
                    .filter(|e| e.action.is_public())
                    .map(|e| (e.action, e.at))
                    .collect(),
                case,
                query_code_hash,
            };
            let (failures, earliest_failure) = conn.failed_lookups(case_no, since)?;
            assert_eq!(failures, 2);
            assert_eq!(
                found,
                KioskLookup {
                    failures,
                    earliest_failure,
                    calendar: conn.calendar_revision(false)?,
                    case: Some(expected),
                }
            );
            let steps: Vec<_> = found
                .case
                .iter()
                .flat_map(|c| &c.steps)
                .map(|s| s.0)
                .collect();
            assert_eq!(
                steps,
                [ActionKind::Accept, ActionKind::Start, ActionKind::Complete]
            );

            // A number that names no case: its wrong codes all the same, in one statement.
            let unknown = "640105-20991231-00001";
            lookup(&hall, unknown, "000000").problem(404);
            let (found, statements) = kiosk_lookup(conn, unknown, since)?;
            assert_eq!(statements, 1);
            assert_eq!(found.case, None);
            assert_eq!(found.failures, 1);
            assert_eq!(
                (found.failures, found.earliest_failure),
                conn.failed_lookups(unknown, since)?
            );
            Ok::<_, RepositoryError>(())
        })
        .expect("the lookup");
}

on_both_backends!(
    the_kiosk_reads_a_case_and_all_it_shows_of_it_in_one_statement,
    an_applicant_follows_their_case_at_the_kiosk_with_number_and_code,
    a_wrong_code_and_an_unknown_number_get_the_same_answer,
    the_thirty_first_lookup_in_a_minute_is_refused,
    sign_in_attempts_are_limited_per_address,
    an_applicant_rates_a_finished_case_once_and_a_poor_rating_is_followed_up,
    the_guide_and_the_windows_are_public_and_cacheable,
    the_board_shows_finished_cases_with_masked_names,
    each_halls_screen_shows_the_board_of_its_own_centre,
    a_script_reading_the_board_over_and_over_is_refused_after_thirty_a_minute,
);
