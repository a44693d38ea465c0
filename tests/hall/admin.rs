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

/// What each role gets on each group of routes (DESIGN.md, "Permissions").
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
    year.as_object_mut()
        .expect("object")
        .remove("working_days_count");
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

on_both_backends!(
    a_new_holiday_moves_open_deadlines_by_a_working_day_and_leaves_completed_cases_alone,
    an_admin_creates_a_clerk_and_deactivating_the_account_revokes_its_token_at_once,
    changing_a_password_or_a_role_revokes_earlier_tokens,
    every_role_gets_what_the_permission_matrix_says,
);
