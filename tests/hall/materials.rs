//! Stories of the papers at the window (issue 16): a guide's materials as data, a case
//! accepted with a material to follow (容缺受理) that shows in the warnings once its date has
//! passed, a 补正 naming the missing papers, no approval while one is missing, the result
//! with its certificate at the kiosk — on both databases.

use chrono::{DateTime, TimeZone, Utc};
use diesel::connection::SimpleConnection;
use domain::catalogue::{Material, MaterialForm};
use domain::repository::ServiceItemRepository;
use serde_json::{Value, json};

use crate::cases::{Hall, applicant, hall_on, id};
use crate::on_both_backends;
use crate::support::{Answer, Backend, TestApp, TestDb};

/// 09:00 in Beijing on a day of November 2026 (the 23rd is a Monday).
fn beijing(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, 1, 0, 0)
        .single()
        .expect("a moment")
}

/// The committed item's guide: two papers that must be there, one that may follow (容缺),
/// and photographs that may be left out.
fn guide() -> Value {
    json!([
        {"name": "居民身份证", "form": "original_and_copy"},
        {"name": "户口簿"},
        {"name": "居住证明", "form": "copy", "deferrable": true},
        {"name": "近期一寸免冠照片", "copies": 2, "required": false}
    ])
}

/// The demo-like hall on Monday 23 November 2026, its committed item carrying [`guide`].
fn hall_with_guide(backend: Backend) -> Hall {
    let hall = hall_on(TestApp::start_at(backend, beijing(23)));
    let path = format!("/api/v1/items/{}", hall.committed);
    let mut input = hall.app.get(&path, Some(&hall.admin)).json();
    for field in ["id", "version", "active", "created_at", "updated_at"] {
        input.as_object_mut().expect("object").remove(field);
    }
    input["materials"] = guide();
    let updated = hall.app.put(&path, Some(&hall.admin), &input);
    assert_eq!(updated.status, 200, "{}", updated.text);
    hall
}

fn intake(hall: &Hall, materials: Value) -> Answer {
    hall.app.post(
        "/api/v1/cases",
        Some(&hall.clerk1),
        &json!({"item_id": hall.committed, "applicant": applicant(), "materials": materials}),
    )
}

fn act(hall: &Hall, case: &Value, action: Value) -> Answer {
    let mut body = action;
    body["version"] = case["version"].clone();
    hall.act(&hall.clerk1, case, body)
}

/// Issues a notice of `kind` on `case` and answers its printable document, and the case as it
/// stands after (issuing is a step of its history).
fn notice(hall: &Hall, case: &Value, kind: &str) -> (String, Value) {
    let issued = hall.app.post(
        &format!("/api/v1/cases/{}/notices", id(case)),
        Some(&hall.clerk1),
        &json!({ "kind": kind }),
    );
    assert_eq!(issued.status, 201, "{kind}: {}", issued.text);
    let printed = hall
        .app
        .try_send(
            "GET",
            &format!("/api/v1/notices/{}", id(&issued.json())),
            Some(&hall.clerk1),
            &[("Accept", "text/html")],
            "",
        )
        .expect("HTTP exchange");
    assert_eq!(printed.status, 200, "{}", printed.text);
    let case = hall
        .app
        .get(&format!("/api/v1/cases/{}", id(case)), Some(&hall.clerk1))
        .json();
    (printed.text, case)
}

fn done(answer: Answer) -> Value {
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.json()
}

fn names(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|v| v.as_str().expect("a name").to_owned())
        .collect()
}

fn a_case_accepted_with_a_material_to_follow_shows_in_the_warnings_once_its_date_has_passed(
    backend: Backend,
) {
    let hall = hall_with_guide(backend);
    let accepted = intake(
        &hall,
        json!({"received": ["居民身份证", "户口簿"], "deferred": [{"name": "居住证明", "due_on": "2026-11-24"}]}),
    );
    assert_eq!(accepted.status, 201, "{}", accepted.text);
    let case = accepted.json();
    assert_eq!(case["status"], "accepted");
    assert_eq!(names(&case["missing_materials"]), ["居住证明"]);
    let states: Vec<_> = case["materials"]
        .as_array()
        .expect("materials")
        .iter()
        .map(|m| (m["name"].clone(), m["state"].clone(), m["due_on"].clone()))
        .collect();
    assert_eq!(
        states,
        [
            (json!("居民身份证"), json!("received"), Value::Null),
            (json!("户口簿"), json!("received"), Value::Null),
            (json!("居住证明"), json!("deferred"), json!("2026-11-24")),
            (
                json!("近期一寸免冠照片"),
                json!("not_provided"),
                Value::Null
            ),
        ]
    );
    assert_eq!(case["materials"][2]["copies"], 1);
    let events = hall
        .app
        .get(
            &format!("/api/v1/cases/{}/events", id(&case)),
            Some(&hall.clerk1),
        )
        .json();
    let accept = &events["items"][0]["payload"];
    assert_eq!(
        names(&accept["materials_received"]),
        ["居民身份证", "户口簿"]
    );
    assert_eq!(
        accept["materials_deferred"],
        json!([{"name": "居住证明", "due_on": "2026-11-24"}])
    );

    // Monday: the promise still stands, and the deadline (30 November) is far.
    let listed = hall
        .app
        .get("/api/v1/supervision/warnings", Some(&hall.supervisor))
        .json();
    assert_eq!(listed["items"], json!([]), "{listed}");

    // Wednesday 25th: the promised day has passed without the paper.
    let later = hall.app.another_at(beijing(25), |_| {});
    let listed = later
        .get("/api/v1/supervision/warnings", Some(&hall.supervisor))
        .json();
    let items = listed["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{listed}");
    assert_eq!(items[0]["case_no"], case["case_no"]);
    assert_eq!(
        items[0]["warning"],
        Value::Null,
        "no card: 3 working days left"
    );
    assert_eq!(
        items[0]["overdue_materials"],
        json!([{"name": "居住证明", "due_on": "2026-11-24"}])
    );
    let only = later
        .get(
            "/api/v1/supervision/warnings?overdue_materials=true",
            Some(&hall.analyst),
        )
        .json();
    assert_eq!(only["items"].as_array().map(Vec::len), Some(1));
    let red = later
        .get(
            "/api/v1/supervision/warnings?level=red",
            Some(&hall.analyst),
        )
        .json();
    assert_eq!(red["items"], json!([]));
    later
        .get(
            "/api/v1/supervision/warnings?level=red&overdue_materials=true",
            Some(&hall.analyst),
        )
        .problem(422);
    let counts = later
        .get("/api/v1/stats/warnings", Some(&hall.analyst))
        .json();
    assert_eq!(counts["total"]["open"], 1);
    assert_eq!(counts["total"]["none"], 1);
    assert_eq!(counts["total"]["overdue_materials"], 1, "{counts}");

    // Denying stays possible with the paper missing; the result says the application was
    // returned.
    let started = done(act(&hall, &case, json!({"action": "start"})));
    let denied = done(act(
        &hall,
        &started,
        json!({"action": "complete", "outcome": "denied", "result": "材料不齐"}),
    ));
    assert_eq!(denied["result_code"], "returned");
    assert_eq!(denied["result_label"], "退回办结");
    let listed = later
        .get("/api/v1/supervision/warnings", Some(&hall.supervisor))
        .json();
    assert_eq!(listed["items"], json!([]), "a closed case leaves the list");
}

fn a_supplement_names_the_missing_papers_and_no_approval_comes_before_they_are_all_in(
    backend: Backend,
) {
    let hall = hall_with_guide(backend);
    let accepted = intake(
        &hall,
        json!({"received": ["居民身份证", "户口簿", "居住证明"]}),
    );
    assert_eq!(accepted.status, 201, "{}", accepted.text);
    let case = accepted.json();
    assert_eq!(case["missing_materials"], json!([]));
    let started = done(act(&hall, &case, json!({"action": "start"})));

    // 补正: the household register and the proof of residence, both at once.
    let paused = done(act(
        &hall,
        &started,
        json!({"action": "pause", "reason": "supplement", "note": "一次性告知",
               "materials": ["户口簿", "居住证明"]}),
    ));
    assert_eq!(names(&paused["missing_materials"]), ["户口簿", "居住证明"]);
    assert_eq!(paused["materials"][1]["state"], "requested");
    // The 补正 notice lists exactly those two, once each, and nothing that was handed in.
    let (told, paused) = notice(&hall, &paused, "supplement");
    assert!(told.contains("补正材料一次性告知书"), "{told}");
    assert_eq!(told.matches("户口簿").count(), 1, "{told}");
    assert_eq!(told.matches("居住证明").count(), 1, "{told}");
    assert!(!told.contains("居民身份证"), "{told}");
    let resumed = done(act(
        &hall,
        &paused,
        json!({"action": "resume", "arrived": ["户口簿"]}),
    ));
    assert_eq!(resumed["status"], "in_progress");
    assert_eq!(names(&resumed["missing_materials"]), ["居住证明"]);
    assert_eq!(resumed["materials"][1]["received_on"], "2026-11-23");

    // No approval while the proof of residence is missing: 409, nothing changed.
    let refused = act(
        &hall,
        &resumed,
        json!({"action": "complete", "outcome": "approved"}),
    )
    .problem(409);
    assert_eq!(
        refused["type"],
        "urn:service-hall:problem:materials-missing"
    );
    assert!(
        refused["detail"]
            .as_str()
            .is_some_and(|d| d.contains("居住证明")),
        "{refused}"
    );
    let unchanged = hall
        .app
        .get(&format!("/api/v1/cases/{}", id(&case)), Some(&hall.clerk1))
        .json();
    assert_eq!(unchanged["version"], resumed["version"]);
    assert_eq!(unchanged["status"], "in_progress");

    // It is handed in at the counter without a pause, the clock running; then the approval
    // issues the certificate.
    let resumed = done(act(
        &hall,
        &resumed,
        json!({"action": "receive_materials", "materials": ["居住证明"]}),
    ));
    assert_eq!(resumed["status"], "in_progress");
    assert_eq!(resumed["missing_materials"], json!([]));
    let certificate = json!({"name": "居住证", "number": "宁640105202611230001", "valid_from": "2026-11-23",
                             "valid_until": "2031-11-22", "issued_by": "银川市公安局西夏区分局"});
    let completed = done(act(
        &hall,
        &resumed,
        json!({"action": "complete", "outcome": "approved", "result": "准予登记",
               "certificate": certificate, "fees": [{"name": "工本费", "amount_fen": 2000, "basis": "宁价费发〔2012〕1号"}]}),
    ));
    assert_eq!(completed["result_code"], "certificate_issued");
    assert_eq!(completed["result_label"], "出证办结");
    assert_eq!(completed["certificate"], certificate);
    assert_eq!(completed["fees"][0]["amount_fen"], 2000);
    // The decision notice carries the certificate, its number and the fee.
    let (decision, _) = notice(&hall, &completed, "decision");
    for shown in [
        "居住证",
        "宁640105202611230001",
        "出证办结",
        "20.00元",
        "宁价费发〔2012〕1号",
    ] {
        assert!(decision.contains(shown), "{shown} in {decision}");
    }

    let events = hall
        .app
        .get(
            &format!("/api/v1/cases/{}/events", id(&case)),
            Some(&hall.clerk1),
        )
        .json();
    let payloads: Vec<&Value> = events["items"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| &e["payload"])
        .collect();
    let of = |action: &str| {
        *payloads
            .iter()
            .find(|p| p["action"] == action)
            .expect(action)
    };
    assert_eq!(names(&of("pause")["materials"]), ["户口簿", "居住证明"]);
    assert_eq!(names(&of("resume")["arrived"]), ["户口簿"]);
    let complete = of("complete");
    assert_eq!(complete["result_code"], "certificate_issued");
    assert_eq!(complete["certificate"]["number"], "宁640105202611230001");

    // The kiosk: the result and the certificate's name and validity, nothing personal, no
    // number.
    let kiosk = hall.app.get(
        &format!(
            "/api/v1/public/cases/{}?code={}",
            case["case_no"].as_str().expect("no"),
            case["query_code"].as_str().expect("code")
        ),
        None,
    );
    assert_eq!(kiosk.status, 200, "{}", kiosk.text);
    let public = kiosk.json();
    assert_eq!(public["result_code"], "certificate_issued");
    assert_eq!(public["result_label"], "出证办结");
    assert_eq!(
        public["certificate"],
        json!({"name": "居住证", "valid_from": "2026-11-23", "valid_until": "2031-11-22"})
    );
    assert_eq!(public["missing_materials"], json!([]));
    for secret in [
        "宁640105202611230001",
        crate::support::ID_NUMBER,
        crate::support::PHONE,
        "工本费",
        "银川市公安局",
    ] {
        assert!(!kiosk.text.contains(secret), "{secret} in {}", kiosk.text);
    }
}

fn bad_materials_and_results_are_refused_and_change_nothing(backend: Backend) {
    let hall = hall_with_guide(backend);
    let cases = |hall: &Hall| {
        hall.app.get("/api/v1/cases", Some(&hall.supervisor)).json()["items"]
            .as_array()
            .map_or(0, Vec::len)
    };
    let fields = |problem: &Value| -> Vec<String> {
        problem["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .map(|e| e["field"].as_str().expect("field").to_owned())
            .collect()
    };
    let complete = json!({"received": ["居民身份证", "户口簿", "居住证明"]});
    for (materials, field) in [
        (
            json!({"received": ["居民身份证", "户口簿", "居住证明", "结婚证"]}),
            "materials.received[3]",
        ),
        (
            json!({"received": ["居民身份证", "户口簿", "户口簿", "居住证明"]}),
            "materials.received[2]",
        ),
        (json!({"received": ["居民身份证", "居住证明"]}), "materials"),
        (
            json!({"received": ["居民身份证", "户口簿"], "deferred": [{"name": "居住证明", "due_on": "2026-11-23"}]}),
            "materials.deferred[0].due_on",
        ),
        (
            json!({"received": ["户口簿", "居住证明"], "deferred": [{"name": "居民身份证", "due_on": "2026-12-01"}]}),
            "materials.deferred[0].name",
        ),
    ] {
        let refused = intake(&hall, materials.clone()).problem(422);
        assert!(
            fields(&refused).contains(&field.to_owned()),
            "{materials}: {refused}"
        );
    }
    // Nothing sent about materials: the required ones are missing.
    let bare = hall.app.post(
        "/api/v1/cases",
        Some(&hall.clerk1),
        &json!({"item_id": hall.committed, "applicant": applicant()}),
    );
    bare.problem(422);
    assert_eq!(cases(&hall), 0, "no case was opened");
    // An item whose guide lists nothing takes an intake that says nothing of materials.
    let immediate = hall.accept(&hall.clerk1, &hall.immediate);
    assert_eq!(immediate["materials"], json!([]));
    // Refusing at intake stays possible whatever was brought.
    let refusal = hall.app.post(
        "/api/v1/cases",
        Some(&hall.clerk1),
        &json!({"item_id": hall.committed, "applicant": applicant(), "decision": "not_accepted",
                "reason": "不属于本机关职权范围"}),
    );
    assert_eq!(refusal.status, 201, "{}", refusal.text);

    let case = intake(&hall, complete).json();
    let started = done(act(&hall, &case, json!({"action": "start"})));
    for (action, field) in [
        (
            json!({"action": "pause", "reason": "supplement", "materials": ["结婚证"]}),
            "materials[0]",
        ),
        (
            json!({"action": "pause", "reason": "supplement", "materials": ["户口簿", "户口簿"]}),
            "materials[1]",
        ),
        (
            json!({"action": "pause", "reason": "supplement", "materials": []}),
            "materials",
        ),
        (
            json!({"action": "pause", "reason": "special_procedure", "materials": ["户口簿"]}),
            "materials",
        ),
        (
            json!({"action": "complete", "outcome": "denied",
                   "certificate": {"name": "居住证", "number": "1", "valid_from": "2026-11-23", "issued_by": "公安局"}}),
            "certificate",
        ),
        (
            json!({"action": "complete", "outcome": "approved", "result_code": "certificate_issued"}),
            "certificate",
        ),
        (
            json!({"action": "complete", "outcome": "approved",
                   "certificate": {"name": "居住证", "number": "1", "valid_from": "2026-11-23",
                                   "valid_until": "2026-11-01", "issued_by": "公安局"}}),
            "certificate.valid_until",
        ),
    ] {
        let refused = act(&hall, &started, action.clone()).problem(422);
        assert!(
            fields(&refused).contains(&field.to_owned()),
            "{action}: {refused}"
        );
    }
    let paused = done(act(
        &hall,
        &started,
        json!({"action": "pause", "reason": "supplement", "materials": ["户口簿"]}),
    ));
    let refused = act(
        &hall,
        &paused,
        json!({"action": "resume", "arrived": ["居民身份证"]}),
    )
    .problem(422);
    assert_eq!(fields(&refused), ["arrived[0]"]);
    let refused = act(
        &hall,
        &paused,
        json!({"action": "receive_materials", "materials": ["户口簿", "户口簿"]}),
    )
    .problem(422);
    assert_eq!(fields(&refused), ["materials[1]"]);
    let unchanged = hall
        .app
        .get(&format!("/api/v1/cases/{}", id(&case)), Some(&hall.clerk1))
        .json();
    assert_eq!(unchanged["version"], paused["version"]);
    assert_eq!(names(&unchanged["missing_materials"]), ["户口簿"]);
}

/// Guides stored when materials were a list of names still read: each name a required
/// original, one copy, not to follow later.
fn a_guide_stored_as_names_reads_as_required_originals(backend: Backend) {
    let db = TestDb::new(backend);
    let store = db.store();
    let item = domain::catalogue::ServiceItemInput {
        code: "MZ-009".into(),
        name: "收养登记".into(),
        department_id: domain::ids::DepartmentId::new(),
        category: domain::catalogue::Category::Licensing,
        handling: domain::catalogue::Handling::Immediate,
        statutory_days: 1,
        promised_days: 0,
        conditions: String::new(),
        materials: vec![],
        procedure: vec![],
        steps_removed: 0,
        responsible_post: String::new(),
        fee: String::new(),
        fee_basis: String::new(),
        legal_basis: String::new(),
        rights_and_remedies: String::new(),
        contact: String::new(),
        complaint_channel: String::new(),
    }
    .into_item(domain::ids::ServiceItemId::new(), Utc::now());
    let mut conn = db.connect();
    // The item's department, for the foreign key.
    conn.batch_execute(&format!(
        "INSERT INTO departments (id, code, name, active, created_at, updated_at) \
         VALUES ('{}', 'MZ', '民政局', TRUE, '2026-11-23 01:00:00', '2026-11-23 01:00:00')",
        item.department_id
    ))
    .expect("a department");
    drop(store);
    conn.insert_item(&item).expect("stored");
    conn.batch_execute(&format!(
        "UPDATE service_items SET materials = '[\"收养申请书\", \"居民身份证\"]' WHERE id = '{}'",
        item.id
    ))
    .expect("a guide of names");
    let read = conn.item(item.id).expect("readable").expect("there");
    assert_eq!(
        read.materials,
        [Material::named("收养申请书"), Material::named("居民身份证")]
    );
    assert_eq!(read.materials[0].form, MaterialForm::Original);
}

on_both_backends!(
    a_case_accepted_with_a_material_to_follow_shows_in_the_warnings_once_its_date_has_passed,
    a_supplement_names_the_missing_papers_and_no_approval_comes_before_they_are_all_in,
    bad_materials_and_results_are_refused_and_change_nothing,
    a_guide_stored_as_names_reads_as_required_originals,
);
