//! Stories of administration: accounts, revocation, and the permission matrix as a table.

use serde_json::json;

use crate::cases::{applicant, hall, id};
use crate::on_both_backends;
use crate::support::Backend;

fn an_admin_creates_a_clerk_and_deactivating_the_account_revokes_its_token_at_once(
    backend: Backend,
) {
    let hall = hall(backend);
    let created = hall.app.post(
        "/api/v1/users",
        Some(&hall.admin),
        &json!({"username": "li.na", "display_name": "李娜", "role": "clerk", "window_id": hall.window1, "password": "a long enough password"}),
    );
    assert_eq!(created.status, 201, "{}", created.text);
    let user = created.json();
    assert!(user.get("password_hash").is_none() && user.get("token_version").is_none());
    let token = hall.app.login("li.na", "a long enough password");
    assert_eq!(
        hall.app.get("/api/v1/auth/me", Some(&token)).json()["display_name"],
        "李娜"
    );

    let twin = hall.app.post(
        "/api/v1/users",
        Some(&hall.admin),
        &json!({"username": "li.na", "role": "analyst", "password": "a long enough password"}),
    );
    twin.problem(409);
    let weak = hall.app.post(
        "/api/v1/users",
        Some(&hall.admin),
        &json!({"username": "wang.wu", "role": "analyst", "password": "short"}),
    );
    assert_eq!(weak.problem(422)["errors"][0]["field"], "password");
    let no_window = hall.app.post(
        "/api/v1/users",
        Some(&hall.admin),
        &json!({"username": "wang.wu", "role": "clerk", "password": "a long enough password"}),
    );
    assert_eq!(no_window.problem(422)["errors"][0]["field"], "window_id");
    hall.app
        .post(
            "/api/v1/users",
            Some(&hall.clerk1),
            &json!({"username": "x.y", "role": "admin", "password": "a long enough password"}),
        )
        .problem(403);

    let listed = hall
        .app
        .get("/api/v1/users?limit=100", Some(&hall.admin))
        .json();
    assert!(
        listed["items"]
            .as_array()
            .expect("users")
            .iter()
            .any(|u| u["username"] == "li.na")
    );

    let deactivated = hall.app.post(
        &format!("/api/v1/users/{}/deactivate", id(&user)),
        Some(&hall.admin),
        &json!({}),
    );
    assert_eq!(deactivated.json()["active"], false);
    hall.app.get("/api/v1/auth/me", Some(&token)).problem(401);
    hall.app
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"username": "li.na", "password": "a long enough password"}),
        )
        .problem(401);
}

fn changing_a_password_or_a_role_revokes_earlier_tokens(backend: Backend) {
    let hall = hall(backend);
    let change = |token: &str, old: &str, new: &str| {
        hall.app.post(
            "/api/v1/auth/password",
            Some(token),
            &json!({"old_password": old, "new_password": new}),
        )
    };
    assert_eq!(
        change(&hall.clerk1, "clerk.one password", "short").problem(422)["errors"][0]["field"],
        "new_password"
    );
    assert_eq!(
        change(&hall.clerk1, "not my password", "a brand new password").problem(422)["errors"][0]["field"],
        "old_password"
    );
    let changed = change(&hall.clerk1, "clerk.one password", "a brand new password");
    assert_eq!(changed.status, 200, "{}", changed.text);
    let fresh = changed.json()["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    hall.app
        .get("/api/v1/auth/me", Some(&hall.clerk1))
        .problem(401);
    assert_eq!(hall.app.get("/api/v1/auth/me", Some(&fresh)).status, 200);
    hall.app
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"username": "clerk.one", "password": "clerk.one password"}),
        )
        .problem(401);
    let again = hall.app.login("clerk.one", "a brand new password");

    let me = hall.app.get("/api/v1/auth/me", Some(&again)).json();
    let moved = hall.app.put(
        &format!("/api/v1/users/{}", id(&me)),
        Some(&hall.admin),
        &json!({"display_name": "王芳", "role": "clerk", "window_id": hall.window2}),
    );
    assert_eq!(moved.status, 200, "{}", moved.text);
    hall.app.get("/api/v1/auth/me", Some(&again)).problem(401);
}

/// What each role gets on each group of routes (`docs/DESIGN.md`, "Permissions").
fn every_role_gets_what_the_permission_matrix_says(backend: Backend) {
    let hall = hall(backend);
    let case = hall.accept(&hall.clerk1, &hall.committed);
    let case_path = format!("/api/v1/cases/{}", id(&case));
    let roles = [
        ("admin", &hall.admin),
        ("supervisor", &hall.supervisor),
        ("clerk", &hall.clerk1),
        ("analyst", &hall.analyst),
    ];
    // (route group, request, expected status for admin, supervisor, clerk, analyst)
    type Request<'a> = Box<dyn Fn(&str, usize) -> crate::support::Answer + 'a>;
    let table: Vec<(&str, Request, [u16; 4])> = vec![
        (
            "write the catalogue",
            Box::new(|t, i| {
                hall.app.post(
                    "/api/v1/departments",
                    Some(t),
                    &json!({"code": format!("P{i}"), "name": "科"}),
                )
            }),
            [201, 403, 403, 403],
        ),
        (
            "manage users",
            Box::new(|t, _| hall.app.get("/api/v1/users", Some(t))),
            [200, 403, 403, 403],
        ),
        (
            "read the catalogue",
            Box::new(|t, _| hall.app.get("/api/v1/items", Some(t))),
            [200, 200, 200, 200],
        ),
        (
            "use the calendar",
            Box::new(|t, _| {
                hall.app.get(
                    "/api/v1/calendar/deadline?accepted=2012-09-28&days=5",
                    Some(t),
                )
            }),
            [200, 200, 200, 200],
        ),
        (
            "accept a case",
            Box::new(|t, _| {
                hall.app.post("/api/v1/cases", Some(t), &json!({"item_id": hall.committed, "window_id": hall.window1, "applicant": applicant()}))
            }),
            [201, 201, 201, 403],
        ),
        (
            "read cases",
            Box::new(|t, _| hall.app.get(&case_path, Some(t))),
            [200, 200, 200, 403],
        ),
        (
            "list cases",
            Box::new(|t, _| hall.app.get("/api/v1/cases", Some(t))),
            [200, 200, 200, 403],
        ),
        (
            "extend a case",
            Box::new(|t, _| {
                let version = hall.app.get(&case_path, Some(&hall.admin)).json()["version"].clone();
                hall.app.post(
                    &format!("{case_path}/events"),
                    Some(t),
                    &json!({"action": "extend", "days": 1, "reason": "复杂", "version": version}),
                )
            }),
            [200, 200, 403, 403],
        ),
        (
            "read statistics",
            Box::new(|t, _| hall.app.get("/api/v1/stats/summary", Some(t))),
            [200, 200, 200, 200],
        ),
        (
            "read warnings",
            Box::new(|t, _| hall.app.get("/api/v1/supervision/warnings", Some(t))),
            [200, 200, 200, 200],
        ),
        (
            "read reports",
            Box::new(|t, _| hall.app.get("/api/v1/reports/2026?format=csv", Some(t))),
            [200, 200, 200, 200],
        ),
        (
            "import cases",
            Box::new(|t, _| {
                hall.app.send(
                    "POST",
                    "/api/v1/imports/cases",
                    Some(t),
                    "application/x-ndjson",
                    "\n",
                )
            }),
            [422, 403, 403, 403],
        ),
        (
            "close rectifications",
            Box::new(|t, _| {
                hall.app.post(
                    &format!("/api/v1/supervision/ratings/{}/close", uuid::Uuid::now_v7()),
                    Some(t),
                    &json!({"note": "x"}),
                )
            }),
            [404, 404, 403, 403],
        ),
        (
            "use the kiosk",
            Box::new(|_, _| hall.app.get("/api/v1/public/items", None)),
            [200, 200, 200, 200],
        ),
    ];
    for (group, request, expected) in &table {
        for (i, ((role, token), status)) in roles.iter().zip(expected).enumerate() {
            let answer = request(token, i);
            assert_eq!(answer.status, *status, "{role} → {group}: {}", answer.text);
        }
    }
    for path in [
        "/api/v1/items",
        "/api/v1/cases",
        "/api/v1/users",
        "/api/v1/stats/summary",
        "/api/v1/supervision/warnings",
    ] {
        hall.app.get(path, None).problem(401);
    }
}

fn a_new_holiday_moves_open_deadlines_by_a_working_day_and_leaves_completed_cases_alone(
    backend: Backend,
) {
    let hall = hall(backend);
    let line = |events: serde_json::Value| {
        json!({"center_code": "640105", "window_number": 1, "item_code": "MZ-001", "applicant": applicant(),
               "received_at": "2012-09-28T09:00:00+08:00", "events": events})
    };
    let open = line(json!([{"action": "start", "at": "2012-09-28T10:00:00+08:00"}]));
    let done = line(
        json!([{"action": "start", "at": "2012-09-28T10:00:00+08:00"},
                           {"action": "complete", "outcome": "approved", "at": "2012-10-11T10:00:00+08:00"}]),
    );
    let imported = hall.app.send(
        "POST",
        "/api/v1/imports/cases",
        Some(&hall.admin),
        "application/x-ndjson",
        &format!("{open}\n{done}\n"),
    );
    assert_eq!(imported.status, 201, "{}", imported.text);
    let ids: Vec<String> = imported.json()["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| c["id"].as_str().expect("id").to_owned())
        .collect();

    let mut year = hall
        .app
        .get("/api/v1/calendar/2012", Some(&hall.admin))
        .json();
    // What the answer adds to the document it was loaded from.
    for added in ["working_days_count", "status", "region"] {
        year.as_object_mut().expect("object").remove(added);
    }
    year["holidays"]
        .as_array_mut()
        .expect("holidays")
        .push(json!({"name": "调整", "from": "2012-10-09", "to": "2012-10-09"}));
    year["notice"] = json!("更正通知（测试）");
    hall.app
        .put("/api/v1/calendar/2012", Some(&hall.clerk1), &year)
        .problem(403);
    hall.app
        .put("/api/v1/calendar/2013", Some(&hall.admin), &year)
        .problem(422);
    let changed = hall
        .app
        .put("/api/v1/calendar/2012", Some(&hall.admin), &year);
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!(changed.json()["recomputed_cases"], 1);
    assert_eq!(changed.json()["working_days_count"], 248);

    let moved = hall
        .app
        .get(&format!("/api/v1/cases/{}", ids[0]), Some(&hall.admin))
        .json();
    assert_eq!(moved["deadline"], "2012-10-12", "one working day later");
    let events = hall
        .app
        .get(
            &format!("/api/v1/cases/{}/events", ids[0]),
            Some(&hall.admin),
        )
        .json();
    let last = events["items"]
        .as_array()
        .and_then(|e| e.last())
        .expect("event")
        .clone();
    assert_eq!(last["action"], "recompute");
    assert_eq!(last["payload"]["previous_deadline"], "2012-10-11");
    assert!(
        last["payload"]["reason"]
            .as_str()
            .expect("why")
            .contains("2012")
    );
    let kept = hall
        .app
        .get(&format!("/api/v1/cases/{}", ids[1]), Some(&hall.admin))
        .json();
    assert_eq!(
        (kept["deadline"].clone(), kept["on_time"].clone()),
        (json!("2012-10-11"), json!(true))
    );
    let explained = hall
        .app
        .get(
            &format!("/api/v1/cases/{}/deadline", ids[0]),
            Some(&hall.admin),
        )
        .json();
    assert_eq!(explained["deadline"], "2012-10-12");

    let mut weekday = year.clone();
    weekday["working_days"]
        .as_array_mut()
        .expect("days")
        .push(json!("2012-10-10"));
    hall.app
        .put("/api/v1/calendar/2012", Some(&hall.admin), &weekday)
        .problem(422);
}

fn an_item_update_makes_a_new_version_and_earlier_cases_keep_theirs(backend: Backend) {
    let hall = hall(backend);
    let before = hall.accept(&hall.clerk1, &hall.committed);
    assert_eq!(before["item_version"], 1);
    let item = hall
        .app
        .get(
            &format!("/api/v1/items/{}", hall.committed),
            Some(&hall.admin),
        )
        .json();
    assert_eq!(item["version"], 1);
    let mut input = item.clone();
    for field in ["id", "version", "active", "created_at", "updated_at"] {
        input.as_object_mut().expect("object").remove(field);
    }
    input["promised_days"] = json!(3);
    // Optional papers: the stories' intakes record no materials.
    let materials = json!([{"name": "申请书", "form": "original", "copies": 1, "required": false, "deferrable": false},
                           {"name": "身份证明", "form": "copy", "copies": 1, "required": false, "deferrable": false}]);
    input["materials"] = materials.clone();
    let updated = hall.app.put(
        &format!("/api/v1/items/{}", hall.committed),
        Some(&hall.admin),
        &input,
    );
    assert_eq!(updated.status, 200, "{}", updated.text);
    assert_eq!(updated.json()["version"], 2);
    let after = hall.accept(&hall.clerk1, &hall.committed);
    assert_eq!(after["item_version"], 2);
    assert_eq!(after["promised_days"], 3);
    let kept = hall
        .app
        .get(
            &format!("/api/v1/cases/{}", id(&before)),
            Some(&hall.clerk1),
        )
        .json();
    assert_eq!(
        (kept["item_version"].clone(), kept["promised_days"].clone()),
        (json!(1), json!(5))
    );
    let first = hall
        .app
        .get(
            &format!("/api/v1/items/{}/versions/1", hall.committed),
            Some(&hall.clerk1),
        )
        .json();
    assert_eq!(first["promised_days"], 5);
    assert_eq!(first["materials"], json!([]));
    let second = hall
        .app
        .get(
            &format!("/api/v1/items/{}/versions/2", hall.committed),
            Some(&hall.clerk1),
        )
        .json();
    assert_eq!(second["materials"], materials);
    hall.app
        .get(
            &format!("/api/v1/items/{}/versions/3", hall.committed),
            Some(&hall.clerk1),
        )
        .problem(404);
}

fn every_administrative_change_leaves_an_audit_entry(backend: Backend) {
    let hall = hall(backend);
    let department = hall
        .app
        .post(
            "/api/v1/departments",
            Some(&hall.admin),
            &json!({"code": "GT", "name": "国土局"}),
        )
        .json();
    let path = format!("/api/v1/departments/{}", id(&department));
    hall.app.put(
        &path,
        Some(&hall.admin),
        &json!({"code": "GT", "name": "自然资源局"}),
    );
    hall.app
        .post(&format!("{path}/deactivate"), Some(&hall.admin), &json!({}));
    let entries = hall
        .app
        .get(
            &format!(
                "/api/v1/audit?entity=department&entity_id={}",
                id(&department)
            ),
            Some(&hall.admin),
        )
        .json();
    let actions: Vec<_> = entries["items"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["action"].as_str().expect("action").to_owned())
        .collect();
    assert_eq!(
        actions,
        [
            "department.deactivate",
            "department.update",
            "department.create"
        ],
        "newest first"
    );
    let update = &entries["items"][1];
    assert_eq!(update["before"]["name"], "国土局");
    assert_eq!(update["after"]["name"], "自然资源局");
    assert_eq!(entries["items"][2]["before"], serde_json::Value::Null);
    let admin = hall.app.get("/api/v1/auth/me", Some(&hall.admin)).json();
    assert!(
        entries["items"]
            .as_array()
            .expect("entries")
            .iter()
            .all(|e| e["actor_id"] == admin["id"])
    );

    // The setup of the hall itself was audited too: centre, departments, items, windows.
    let all = hall
        .app
        .get("/api/v1/audit?limit=500", Some(&hall.admin))
        .json();
    let kinds: std::collections::BTreeSet<_> = all["items"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["entity"].as_str().expect("entity").to_owned())
        .collect();
    for kind in ["center", "department", "item", "window"] {
        assert!(kinds.contains(kind), "{kind} in {kinds:?}");
    }
    let created = hall.app.post("/api/v1/users", Some(&hall.admin), &json!({"username": "zhou.li", "role": "analyst", "password": "a long enough password"})).json();
    let by_action = hall
        .app
        .get("/api/v1/audit?action=user.create", Some(&hall.admin))
        .json();
    assert_eq!(by_action["items"][0]["entity_id"], created["id"]);
    assert!(
        !by_action.to_string().contains("a long enough password")
            && !by_action.to_string().contains("argon2")
    );
    hall.app
        .get("/api/v1/audit", Some(&hall.supervisor))
        .problem(403);
    let spec: serde_json::Value =
        serde_json::from_str(include_str!("../../openapi/openapi.json")).expect("spec");
    let methods: Vec<_> = spec["paths"]["/api/v1/audit"]
        .as_object()
        .expect("audit path")
        .keys()
        .cloned()
        .collect();
    assert_eq!(
        methods,
        ["get"],
        "nothing in the API edits or deletes the trail"
    );
}

on_both_backends!(
    an_item_update_makes_a_new_version_and_earlier_cases_keep_theirs,
    every_administrative_change_leaves_an_audit_entry,
    a_new_holiday_moves_open_deadlines_by_a_working_day_and_leaves_completed_cases_alone,
    an_admin_creates_a_clerk_and_deactivating_the_account_revokes_its_token_at_once,
    changing_a_password_or_a_role_revokes_earlier_tokens,
    every_role_gets_what_the_permission_matrix_says,
);
