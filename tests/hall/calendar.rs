//! Stories of the calendar as halls live it: the year whose notice is not out yet, the notice
//! arriving, and a region's own holidays — on both databases.

use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

use crate::cases::{applicant, id};
use crate::on_both_backends;
use crate::support::{ADMIN_PASSWORD, Backend, DATA_KEY, TestApp, TestDb, hall_binary};
use domain::user::Role;

/// A hall with one committed item of `promised` days served at window 1 of each centre
/// given as (code, division); returns the admin's token, the item's code and a clerk's
/// token per centre.
struct Halls {
    app: TestApp,
    admin: String,
    clerks: Vec<String>,
    centers: Vec<Value>,
}

fn halls(app: TestApp, promised: u32, centers: &[(&str, Option<&str>)]) -> Halls {
    let admin = app.admin_token();
    let department = app
        .post(
            "/api/v1/departments",
            Some(&admin),
            &json!({"code": "MZ", "name": "民政局"}),
        )
        .json();
    let item = app.post(
        "/api/v1/items",
        Some(&admin),
        &json!({"code": "MZ-030", "name": "社会团体成立登记", "department_id": department["id"], "category": "licensing",
                "handling": "committed", "statutory_days": 60, "promised_days": promised}),
    );
    assert_eq!(item.status, 201, "{}", item.text);
    let item = id(&item.json());
    let mut clerks = Vec::new();
    let mut created = Vec::new();
    for (code, division) in centers {
        let center = app.post(
            "/api/v1/centers",
            Some(&admin),
            &json!({"code": code, "name": format!("{code} 政务服务中心"), "division": division}),
        );
        assert_eq!(center.status, 201, "{}", center.text);
        let center = center.json();
        let window = app.post(
            "/api/v1/windows",
            Some(&admin),
            &json!({"center_id": center["id"], "number": 1, "name": "1号窗口", "kind": "permanent", "item_ids": [item]}),
        );
        assert_eq!(window.status, 201, "{}", window.text);
        let window: domain::ids::WindowId = id(&window.json()).parse().expect("id");
        clerks.push(app.user_token(&format!("clerk.{code}"), Role::Clerk, Some(window)));
        created.push(center);
    }
    Halls {
        app,
        admin,
        clerks,
        centers: created,
    }
}

impl Halls {
    fn accept(&self, clerk: usize) -> Value {
        let answer = self.app.post(
            "/api/v1/cases",
            Some(&self.clerks[clerk]),
            &json!({"item_id": self.item(), "applicant": applicant()}),
        );
        assert_eq!(answer.status, 201, "{}", answer.text);
        answer.json()
    }

    fn item(&self) -> String {
        let items = self.app.get("/api/v1/items", Some(&self.admin)).json();
        id(&items["items"][0])
    }

    fn get(&self, path: &str) -> Value {
        let answer = self.app.get(path, Some(&self.admin));
        assert_eq!(answer.status, 200, "{path}: {}", answer.text);
        answer.json()
    }

    fn gauge(&self) -> String {
        let text = self.app.get("/metrics", None).text;
        text.lines()
            .find(|l| l.starts_with("hall_calendar_next_year_provisional "))
            .expect("the gauge")
            .to_owned()
    }
}

/// The days of an explanation as `date working reason provisional` lines.
fn days(explained: &Value) -> Vec<String> {
    explained["calendar_days"]
        .as_array()
        .expect("calendar days")
        .iter()
        .map(|d| {
            format!(
                "{} {} {}{}",
                d["date"].as_str().expect("date"),
                if d["working"] == true { "on" } else { "off" },
                d["reason"].as_str().expect("reason"),
                if d["provisional"] == true {
                    " (provisional)"
                } else {
                    ""
                }
            )
        })
        .collect()
}

/// A 2027 notice as the State Council might publish it: a longer Spring Festival with a
/// make-up Saturday before it.
fn notice_2027() -> Value {
    json!({
        "year": 2027,
        "notice": "国务院办公厅关于2027年部分节假日安排的通知（测试）",
        "holidays": [
            {"name": "元旦", "from": "2027-01-01", "to": "2027-01-03"},
            {"name": "春节", "from": "2027-02-05", "to": "2027-02-11"},
            {"name": "清明节", "from": "2027-04-05", "to": "2027-04-05"},
            {"name": "劳动节", "from": "2027-05-01", "to": "2027-05-05"},
            {"name": "端午节", "from": "2027-06-09", "to": "2027-06-09"},
            {"name": "中秋节", "from": "2027-09-15", "to": "2027-09-15"},
            {"name": "国庆节", "from": "2027-10-01", "to": "2027-10-07"}
        ],
        "working_days": ["2027-01-30", "2027-02-20"]
    })
}

fn a_case_accepted_on_30_december_2026_gets_a_provisional_deadline_by_the_law_which_the_notice_firms_up(
    backend: Backend,
) {
    // Wednesday 30 December 2026, 10:00 in the hall; 2027's notice is not out.
    let at = Utc
        .with_ymd_and_hms(2026, 12, 30, 2, 0, 0)
        .single()
        .expect("moment");
    // In Beijing: no regional notices, the national calendar alone.
    let hall = halls(
        TestApp::start_at(backend, at),
        30,
        &[("110101", Some("110101"))],
    );
    let y2027 = hall.get("/api/v1/calendar/2027");
    assert_eq!(y2027["status"], "provisional");
    assert!(
        y2027["notice"]
            .as_str()
            .expect("notice")
            .contains("国务院令第795号")
    );

    let case = hall.accept(0);
    // 31 Dec, then 2027 by the law: 1 Jan off; 春节 is New Year's Eve (Fri 5 Feb) and the
    // 1st–3rd (Sat 6 – Mon 8 Feb) — so the 30th working day is Monday 15 February.
    assert_eq!(case["received_on"], "2026-12-30");
    assert_eq!(case["deadline"], "2027-02-15");
    assert_eq!(case["deadline_provisional"], true);
    let explained = hall.get(&format!("/api/v1/cases/{}/deadline", id(&case)));
    assert_eq!(explained["provisional"], true);
    assert_eq!(explained["provisional_years"], json!([2027]));
    assert_eq!(
        days(&explained),
        [
            "2027-01-01 off 元旦 (provisional)",
            "2027-02-05 off 春节 (provisional)",
            "2027-02-08 off 春节 (provisional)"
        ]
    );
    // The calendar arithmetic says the same, nationally.
    let computed = hall.get("/api/v1/calendar/deadline?accepted=2026-12-30&days=30");
    assert_eq!(
        (&computed["deadline"], &computed["provisional"]),
        (&json!("2027-02-15"), &json!(true))
    );
    // From 1 November the operator is told the notice is awaited.
    hall.app
        .state
        .store
        .read(|conn| api::calendar_watch::refresh(&hall.app.state, conn))
        .expect("refresh");
    assert_eq!(hall.gauge(), "hall_calendar_next_year_provisional 1");

    // The notice comes: a Saturday made a working day, a longer Spring Festival.
    hall.app
        .put(
            "/api/v1/calendar/2027",
            Some(&hall.clerks[0]),
            &notice_2027(),
        )
        .problem(403);
    let loaded = hall
        .app
        .put("/api/v1/calendar/2027", Some(&hall.admin), &notice_2027());
    assert_eq!(loaded.status, 200, "{}", loaded.text);
    let loaded = loaded.json();
    assert_eq!(loaded["status"], "official");
    assert_eq!(loaded["recomputed_cases"], 1);
    assert_eq!(hall.gauge(), "hall_calendar_next_year_provisional 0");

    let firm = hall.get(&format!("/api/v1/cases/{}", id(&case)));
    // Sat 30 Jan counts; 5–11 Feb are off: Fri 12, Mon 15, Tue 16, Wed 17 February.
    assert_eq!(firm["deadline"], "2027-02-17");
    assert_eq!(firm["deadline_provisional"], false);
    let explained = hall.get(&format!("/api/v1/cases/{}/deadline", id(&case)));
    assert_eq!(explained["provisional"], false);
    assert!(days(&explained).contains(&"2027-01-30 on 调休上班".to_owned()));
    let events = hall.get(&format!("/api/v1/cases/{}/events", id(&case)));
    let last = events["items"]
        .as_array()
        .and_then(|e| e.last())
        .expect("an event")
        .clone();
    assert_eq!(last["action"], "recompute");
    assert_eq!(
        (
            &last["payload"]["previous_deadline"],
            &last["payload"]["deadline"]
        ),
        (&json!("2027-02-15"), &json!("2027-02-17"))
    );
}

fn a_centre_in_xixia_district_gets_a_later_deadline_than_one_in_dongcheng_across_eid_al_fitr_2020(
    backend: Backend,
) {
    let hall = halls(
        TestApp::start(backend),
        3,
        &[("640105", Some("640105")), ("110101", Some("110101"))],
    );
    // Both accepted on Friday 22 May 2020 and completed on Thursday 28 May.
    let line = |center: &str| {
        json!({"center_code": center, "window_number": 1, "item_code": "MZ-030", "applicant": applicant(),
               "received_at": "2020-05-22T09:00:00+08:00",
               "events": [{"action": "start", "at": "2020-05-22T10:00:00+08:00"},
                          {"action": "complete", "outcome": "approved", "at": "2020-05-28T10:00:00+08:00"}]})
    };
    let imported = hall.app.send(
        "POST",
        "/api/v1/imports/cases",
        Some(&hall.admin),
        "application/x-ndjson",
        &format!("{}\n{}\n", line("640105"), line("110101")),
    );
    assert_eq!(imported.status, 201, "{}", imported.text);
    let ids: Vec<String> = imported.json()["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| c["id"].as_str().expect("id").to_owned())
        .collect();
    let xixia = hall.get(&format!("/api/v1/cases/{}", ids[0]));
    let dongcheng = hall.get(&format!("/api/v1/cases/{}", ids[1]));
    // Ningxia gave 25 and 26 May off for 开斋节; Beijing worked.
    assert_eq!(xixia["deadline"], "2020-05-29");
    assert_eq!(dongcheng["deadline"], "2020-05-27");
    assert_eq!(
        (&xixia["on_time"], &dongcheng["on_time"]),
        (&json!(true), &json!(false))
    );
    let explained = hall.get(&format!("/api/v1/cases/{}/deadline", ids[0]));
    assert_eq!(explained["region"], "640000");
    assert_eq!(explained["provisional"], false);
    assert_eq!(
        days(&explained),
        ["2020-05-25 off 宁夏 开斋节", "2020-05-26 off 宁夏 开斋节"]
    );
    assert!(
        days(&hall.get(&format!("/api/v1/cases/{}/deadline", ids[1]))).is_empty(),
        "nothing off in Beijing that week"
    );
    // The statistics of each centre judge by its own calendar.
    let by_center = hall
        .get("/api/v1/stats/breakdown?by=center&from=2020-05-01&to=2020-05-31&as_of=2020-06-30");
    let on_time = |code: &str| {
        let center = hall
            .centers
            .iter()
            .find(|c| c["code"] == code)
            .expect("centre");
        by_center["groups"]
            .as_array()
            .expect("rows")
            .iter()
            .find(|r| r["key"] == center["id"])
            .map(|r| r["completed_on_time"].clone())
            .expect("a row")
    };
    assert_eq!((on_time("640105"), on_time("110101")), (json!(1), json!(0)));
    // The arithmetic for a division, and the national one.
    let regional = hall.get("/api/v1/calendar/deadline?accepted=2020-05-22&days=3&division=640105");
    assert_eq!(regional["deadline"], "2020-05-29");
    assert_eq!(regional["region"], "640000");
    let national = hall.get("/api/v1/calendar/deadline?accepted=2020-05-22&days=3");
    assert_eq!(national["deadline"], "2020-05-27");
    let span =
        hall.get("/api/v1/calendar/working-days?from=2020-05-22&to=2020-05-29&division=640105");
    assert_eq!(span["working_days"], 3);
    let year = hall.get("/api/v1/calendar/2016?division=640105");
    assert_eq!(year["region"]["name"], "宁夏回族自治区");
    assert!(
        year["region"]["working_days"]
            .as_array()
            .expect("days")
            .contains(&json!("2016-09-10"))
    );
    assert_eq!(year["status"], "official");
    // A year Ningxia's notice could not be established for is provisional there only.
    assert_eq!(
        hall.get("/api/v1/calendar/2018?division=640105")["status"],
        "provisional"
    );
    assert_eq!(hall.get("/api/v1/calendar/2018")["status"], "official");
    for bad in ["64010", "990101", "6401O5", "640005"] {
        hall.app
            .get(
                &format!("/api/v1/calendar/deadline?accepted=2020-05-22&days=3&division={bad}"),
                Some(&hall.admin),
            )
            .problem(422);
    }
}

fn an_administrator_loads_a_regions_year_and_only_that_regions_open_cases_move(backend: Backend) {
    let hall = halls(
        TestApp::start(backend),
        5,
        &[("640105", Some("640105")), ("110101", Some("110101"))],
    );
    // A street centre beneath Xixia inherits its division.
    let street = hall.app.post(
        "/api/v1/centers",
        Some(&hall.admin),
        &json!({"code": "640105001", "name": "宁华路街道便民服务中心", "parent_id": hall.centers[0]["id"]}),
    );
    assert_eq!(street.status, 201, "{}", street.text);
    let street = street.json();
    assert_eq!(
        (&street["division"], &street["effective_division"]),
        (&Value::Null, &json!("640105"))
    );
    for bad in ["64010", "990000", "640005"] {
        let refused = hall.app.post(
            "/api/v1/centers",
            Some(&hall.admin),
            &json!({"code": "X", "name": "无效", "division": bad}),
        );
        refused.problem(422);
    }

    let xixia = hall.accept(0);
    let dongcheng = hall.accept(1);
    let before = (xixia["deadline"].clone(), dongcheng["deadline"].clone());
    assert_eq!(
        before.0, before.1,
        "the same calendar until Ningxia's notice"
    );
    let deadline: chrono::NaiveDate = before.0.as_str().expect("date").parse().expect("date");
    // A regional notice giving the deadline day and the one before it off.
    let off_from = deadline.pred_opt().expect("a day before");
    let year = deadline.format("%Y").to_string();
    let notice = json!({"year": deadline.format("%Y").to_string().parse::<i32>().expect("year"),
        "notice": "自治区人民政府办公厅关于部分节假日安排的通知（测试）",
        "holidays": [{"name": "古尔邦节", "from": off_from, "to": deadline}], "working_days": []});
    let path = format!("/api/v1/calendar/regions/640000/{year}");
    hall.app
        .put(&path, Some(&hall.clerks[0]), &notice)
        .problem(403);
    hall.app
        .put(
            &format!("/api/v1/calendar/regions/640105/{year}"),
            Some(&hall.admin),
            &notice,
        )
        .problem(404);
    let loaded = hall.app.put(&path, Some(&hall.admin), &notice);
    assert_eq!(loaded.status, 200, "{}", loaded.text);
    assert_eq!(loaded.json()["recomputed_cases"], 1);
    let moved = hall.get(&format!("/api/v1/cases/{}", id(&xixia)));
    let kept = hall.get(&format!("/api/v1/cases/{}", id(&dongcheng)));
    assert!(moved["deadline"].as_str() > before.0.as_str(), "{moved}");
    assert_eq!(kept["deadline"], before.1);
    let explained = hall.get(&format!("/api/v1/cases/{}/deadline", id(&xixia)));
    assert!(
        days(&explained).iter().any(|d| d.contains("宁夏 古尔邦节")),
        "{explained}"
    );
    let stored = hall.get(&path);
    assert_eq!(stored["region"], "640000");
    assert_eq!(stored["holidays"][0]["name"], "古尔邦节");
    let regions = hall.get("/api/v1/calendar/regions");
    let ningxia = &regions["items"][0];
    assert_eq!(ningxia["region"], "640000");
    assert!(
        ningxia["years"]
            .as_array()
            .expect("years")
            .contains(&json!(2020))
    );

    // Moving Dongcheng's centre into Ningxia moves its open case too, with an event.
    let mut input = hall.centers[1].clone();
    for field in [
        "id",
        "active",
        "created_at",
        "updated_at",
        "effective_division",
    ] {
        input.as_object_mut().expect("object").remove(field);
    }
    input["division"] = json!("640104");
    let changed = hall.app.put(
        &format!("/api/v1/centers/{}", id(&hall.centers[1])),
        Some(&hall.admin),
        &input,
    );
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!(changed.json()["effective_division"], "640104");
    let followed = hall.get(&format!("/api/v1/cases/{}", id(&dongcheng)));
    assert_eq!(followed["deadline"], moved["deadline"]);
    let events = hall.get(&format!("/api/v1/cases/{}/events", id(&dongcheng)));
    assert_eq!(
        events["items"]
            .as_array()
            .and_then(|e| e.last())
            .expect("event")["action"],
        "recompute"
    );
}

fn on_the_friday_before_eid_al_fitr_2020_a_case_due_wednesday_is_yellow_in_ningxia_only(
    backend: Backend,
) {
    // Friday 22 May 2020, 15:00 in the hall.
    let at = Utc
        .with_ymd_and_hms(2020, 5, 22, 7, 0, 0)
        .single()
        .expect("moment");
    let hall = halls(
        TestApp::start_at(backend, at),
        3,
        &[("640105", Some("640105")), ("110101", Some("110101"))],
    );
    // Both due Wednesday 27 May: Xixia's received Wednesday 20 May (21, 22, then 27, as 25
    // and 26 are off), Dongcheng's received on the Friday itself (25, 26, 27).
    let line = |center: &str, received: &str| {
        json!({"center_code": center, "window_number": 1, "item_code": "MZ-030", "applicant": applicant(),
               "received_at": received, "events": [{"action": "start", "at": "2020-05-22T10:00:00+08:00"}]})
    };
    let imported = hall.app.send(
        "POST",
        "/api/v1/imports/cases",
        Some(&hall.admin),
        "application/x-ndjson",
        &format!(
            "{}\n{}\n",
            line("640105", "2020-05-20T09:00:00+08:00"),
            line("110101", "2020-05-22T09:00:00+08:00")
        ),
    );
    assert_eq!(imported.status, 201, "{}", imported.text);
    let numbers: Vec<String> = imported.json()["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| c["case_no"].as_str().expect("number").to_owned())
        .collect();
    // Two working days left at most is yellow: in Ningxia the 27th is the next working day;
    // in Beijing three working days remain.
    let warnings = hall.get("/api/v1/supervision/warnings");
    assert_eq!(warnings["today"], "2020-05-22");
    let cards: Vec<(String, Value)> = warnings["items"]
        .as_array()
        .expect("cards")
        .iter()
        .map(|w| {
            (
                w["case_no"].as_str().expect("number").to_owned(),
                w["days_left"].clone(),
            )
        })
        .collect();
    assert_eq!(cards, [(numbers[0].clone(), json!(1))]);
    let listed = hall.get("/api/v1/cases?warning=yellow");
    let listed: Vec<&str> = listed["items"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| c["case_no"].as_str().expect("number"))
        .collect();
    assert_eq!(listed, [numbers[0].as_str()]);
}

/// Runs `hall` with `args` over `db`; returns (success, stdout, stderr).
fn run_hall(db: &TestDb, args: &[&str]) -> (bool, String, String) {
    let output = std::process::Command::new(hall_binary())
        .args(args)
        .env_clear()
        .env("HALL_DATABASE_URL", &db.url)
        .env(
            "HALL_JWT_SECRET",
            "a calendar story's secret, long enough to sign",
        )
        .env("HALL_DATA_KEY", DATA_KEY)
        .env("HALL_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run hall");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn an_operator_reads_and_loads_a_regions_year_from_the_command_line(backend: Backend) {
    let db = TestDb::new(backend);
    let (ok, shown, errors) = run_hall(&db, &["calendar", "show", "2027"]);
    assert!(ok, "{errors}");
    let shown: Value = serde_json::from_str(&shown).expect("JSON");
    assert_eq!(shown["status"], "provisional");

    let file = std::env::temp_dir().join(format!("ningxia-{}.json", uuid::Uuid::now_v7().simple()));
    let notice = json!({"year": 2024, "notice": "自治区人民政府办公厅关于2024年部分节假日安排的通知（测试）",
        "holidays": [{"name": "开斋节", "from": "2024-04-10", "to": "2024-04-11"}], "working_days": []});
    std::fs::write(&file, notice.to_string()).expect("write the file");
    let path = file.to_str().expect("a path");
    let (ok, _, errors) = run_hall(&db, &["calendar", "import", "--region", "640105", path]);
    assert!(!ok);
    assert!(errors.contains("province-level"), "{errors}");
    let (ok, stored, errors) = run_hall(&db, &["calendar", "import", "--region", "640000", path]);
    let _ = std::fs::remove_file(&file);
    assert!(ok, "{errors}");
    assert!(stored.contains("Stored 2024"), "{stored}");
    let (ok, shown, errors) = run_hall(&db, &["calendar", "show", "2024", "--division", "640105"]);
    assert!(ok, "{errors}");
    let shown: Value = serde_json::from_str(&shown).expect("JSON");
    assert_eq!(shown["status"], "official");
    assert_eq!(shown["region"]["holidays"][0]["name"], "开斋节");
    // 2024 has 251 working days nationally; Ningxia's notice adds two weekdays off.
    assert_eq!(shown["working_days_count"], 249);
}

on_both_backends!(
    a_case_accepted_on_30_december_2026_gets_a_provisional_deadline_by_the_law_which_the_notice_firms_up,
    a_centre_in_xixia_district_gets_a_later_deadline_than_one_in_dongcheng_across_eid_al_fitr_2020,
    an_administrator_loads_a_regions_year_and_only_that_regions_open_cases_move,
    on_the_friday_before_eid_al_fitr_2020_a_case_due_wednesday_is_yellow_in_ningxia_only,
    an_operator_reads_and_loads_a_regions_year_from_the_command_line,
);
