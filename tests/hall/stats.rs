//! Stories of the statistics: the demo hall reproduces the 2012 report, breakdowns add up,
//! and a past period's figures never change when later events happen.

use serde_json::{Value, json};

use crate::cases::{applicant, hall, hall_on};
use crate::on_both_backends;
use crate::support::{Backend, TestApp};

const PERIOD: &str = "from=2012-01-01&to=2012-09-30&as_of=2012-09-30";

fn demo(backend: Backend) -> (TestApp, String) {
    let app = TestApp::start(backend);
    let report = api::demo::load(&app.state, 2012).expect("the demo loads");
    assert_eq!(report.cases, 17_649);
    let analyst = app.login("analyst", api::demo::DEMO_PASSWORD);
    (app, analyst)
}

fn the_demo_hall_reproduces_the_figures_of_the_2012_report(backend: Backend) {
    let (app, analyst) = demo(backend);
    let summary = app.get(&format!("/api/v1/stats/summary?{PERIOD}"), Some(&analyst));
    assert_eq!(summary.status, 200, "{}", summary.text);
    let summary = summary.json();
    assert_eq!(summary["received"], 17_649);
    assert_eq!(summary["immediate"], 16_459);
    assert_eq!(summary["committed"], 1_190);
    assert_eq!(summary["completed"], 17_094);
    assert_eq!(summary["completed_on_time"], 17_094);
    assert_eq!(summary["on_time_rate"], 1.0);
    assert_eq!(summary["open"], 555);
    assert_eq!(summary["overdue_open"], 0);

    let catalogue = app.get("/api/v1/stats/catalogue", Some(&analyst)).json();
    assert_eq!(catalogue["items_by_category"]["licensing"], 40);
    assert_eq!(catalogue["items_by_category"]["non_licensing"], 38);
    assert_eq!(catalogue["days_cut"], 202);
    assert_eq!(catalogue["steps_removed"], 15);
    assert_eq!(
        catalogue["windows_by_kind"],
        json!({"permanent": 12, "proxy": 7, "comprehensive": 1})
    );

    // Every breakdown adds up to the summary.
    for by in [
        "center",
        "window",
        "department",
        "item",
        "clerk",
        "day",
        "month",
    ] {
        let breakdown = app.get(
            &format!("/api/v1/stats/breakdown?by={by}&{PERIOD}"),
            Some(&analyst),
        );
        assert_eq!(breakdown.status, 200, "{by}: {}", breakdown.text);
        let breakdown = breakdown.json();
        let groups = breakdown["groups"].as_array().expect("groups");
        assert!(!groups.is_empty(), "{by}");
        for field in [
            "received",
            "immediate",
            "committed",
            "completed",
            "completed_on_time",
            "open",
            "overdue_open",
        ] {
            let sum: i64 = groups
                .iter()
                .map(|g| g[field].as_i64().expect("count"))
                .sum();
            assert_eq!(Value::from(sum), summary[field], "{by} {field}");
        }
        assert_eq!(breakdown["total"]["received"], 17_649);
    }
    let months = app
        .get(
            &format!("/api/v1/stats/breakdown?by=month&{PERIOD}"),
            Some(&analyst),
        )
        .json();
    assert_eq!(months["groups"].as_array().map(Vec::len), Some(9));
    assert_eq!(months["groups"][8]["key"], "2012-09");
    let windows = app
        .get(
            &format!("/api/v1/stats/breakdown?by=window&{PERIOD}"),
            Some(&analyst),
        )
        .json();
    assert!(
        windows["groups"][0]["label"]
            .as_str()
            .expect("label")
            .contains("号窗口")
    );

    let markdown = app.get(
        "/api/v1/reports/2012?through=2012-09-30&format=md",
        Some(&analyst),
    );
    assert_eq!(markdown.status, 200);
    assert!(markdown.content_type.starts_with("text/markdown"));
    assert!(
        markdown.text.contains("截止今年9月份，政务大厅共受理各类办件17649件，其中：即办件16459件、承诺件1190件，办结17094件，按时办结率100%。"),
        "{}",
        markdown.text
    );
    assert!(
        markdown
            .text
            .contains("常设窗口12个、代办窗口7个、综合窗口1个")
    );
    assert!(
        markdown
            .text
            .contains("行政许可事项40项、非行政许可审批事项38项")
    );
    assert!(markdown.text.contains("共减少202个工作日"));
    let csv = app.get(
        "/api/v1/reports/2012?through=2012-09-30&format=csv",
        Some(&analyst),
    );
    assert!(
        csv.text.starts_with('\u{feff}') && csv.content_type.starts_with("text/csv"),
        "UTF-8 with a byte-order mark"
    );
    assert!(
        csv.text.contains("received,17649\r\n") && csv.text.contains("days_cut,202\r\n"),
        "{}",
        csv.text
    );
    let json = app
        .get("/api/v1/reports/2012?through=2012-09-30", Some(&analyst))
        .json();
    assert_eq!(json["cases"]["completed"], 17_094);
    assert_eq!(json["catalogue"]["windows_by_kind"]["permanent"], 12);

    // Judged today, the rest were completed on time in October.
    let now = app
        .get(
            "/api/v1/stats/summary?from=2012-01-01&to=2012-09-30",
            Some(&analyst),
        )
        .json();
    assert_eq!(now["completed"], 17_649);
    assert_eq!(now["on_time_rate"], 1.0);
}

fn a_clerk_completes_a_committed_case_after_its_deadline_and_the_on_time_rate_drops(
    backend: Backend,
) {
    let hall = hall(backend);
    let line = json!({"center_code": "640105", "window_number": 1, "item_code": "MZ-001", "applicant": applicant(),
                      "received_at": "2012-09-28T09:00:00+08:00", "events": [{"action": "start", "at": "2012-09-28T10:00:00+08:00"}]});
    let imported = hall.app.send(
        "POST",
        "/api/v1/imports/cases",
        Some(&hall.admin),
        "application/x-ndjson",
        &format!("{line}\n"),
    );
    assert_eq!(imported.status, 201, "{}", imported.text);
    let case_id = imported.json()["cases"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let summary = |as_of: &str| {
        let answer = hall.app.get(
            &format!("/api/v1/stats/summary?from=2012-09-01&to=2012-09-30&as_of={as_of}"),
            Some(&hall.analyst),
        );
        assert_eq!(answer.status, 200, "{}", answer.text);
        answer.json()
    };
    let due_day = summary("2012-10-11");
    assert_eq!(
        (
            due_day["received"].clone(),
            due_day["open"].clone(),
            due_day["overdue_open"].clone()
        ),
        (json!(1), json!(1), json!(0))
    );
    let next_day = summary("2012-10-12");
    assert_eq!(next_day["overdue_open"], 1, "past its deadline and open");

    let late = hall.act(
        &hall.clerk1,
        &json!({"id": case_id}),
        json!({"action": "complete", "version": 2, "outcome": "approved"}),
    );
    assert_eq!(late.status, 200, "{}", late.text);
    let today = hall
        .app
        .get(
            "/api/v1/stats/summary?from=2012-09-01&to=2012-09-30",
            Some(&hall.analyst),
        )
        .json();
    assert_eq!(today["completed"], 1);
    assert_eq!(today["completed_on_time"], 0);
    assert_eq!(today["on_time_rate"], 0.0);
    assert_eq!(today["overdue_open"], 0);
    assert_eq!(
        summary("2012-10-12"),
        next_day,
        "a past day's figures never change"
    );

    // Counted at the receiving window; a clerk sees only their own.
    let own = hall
        .app
        .get(
            "/api/v1/stats/summary?from=2012-09-01&to=2012-09-30",
            Some(&hall.clerk1),
        )
        .json();
    assert_eq!(own["received"], 1);
    let other = hall
        .app
        .get(
            "/api/v1/stats/summary?from=2012-09-01&to=2012-09-30",
            Some(&hall.clerk2),
        )
        .json();
    assert_eq!(other["received"], 0);
    hall.app
        .get(
            &format!("/api/v1/stats/summary?window={}", hall.window1),
            Some(&hall.clerk2),
        )
        .problem(403);
    hall.app
        .get(
            "/api/v1/stats/summary?as_of=2999-01-01",
            Some(&hall.analyst),
        )
        .problem(422);
    hall.app
        .get(
            "/api/v1/stats/summary?from=2012-09-30&to=2012-09-01",
            Some(&hall.analyst),
        )
        .problem(422);
    hall.app
        .get("/api/v1/stats/breakdown?by=planet", Some(&hall.analyst))
        .problem(400);
}

fn ratings_feed_the_statistics(backend: Backend) {
    let hall = hall(backend);
    let receipt = hall.accept(&hall.clerk1, &hall.immediate);
    let done = hall.act(
        &hall.clerk1,
        &receipt,
        json!({"action": "complete", "version": 1, "outcome": "approved"}),
    );
    assert_eq!(done.status, 200);
    let path = format!(
        "/api/v1/public/cases/{}/rating",
        receipt["case_no"].as_str().expect("no")
    );
    assert_eq!(
        hall.app
            .post(
                &path,
                None,
                &json!({"code": receipt["query_code"], "score": 2})
            )
            .status,
        201
    );
    let summary = hall
        .app
        .get("/api/v1/stats/summary", Some(&hall.supervisor))
        .json();
    assert_eq!(summary["received"], 1);
    assert_eq!(summary["completed_on_time"], 1);
    assert_eq!(
        summary["ratings"],
        json!({"count": 1, "mean": 2.0, "poor_share": 1.0, "satisfaction_rate": 0.0, "levels": [
            {"score": 5, "label": "非常满意", "count": 0},
            {"score": 4, "label": "满意", "count": 0},
            {"score": 3, "label": "基本满意", "count": 0},
            {"score": 2, "label": "不满意", "count": 1},
            {"score": 1, "label": "非常不满意", "count": 0},
        ]})
    );
}

/// Every statistics answer the story compares: for September 2012 and for the whole year,
/// each judged on several days — mid-month, at a month's end, at the year's end — so that
/// every rollup (daily, monthly, yearly) answers some part of some question.
fn answers(app: &TestApp, analyst: &str, ids: &Value) -> Vec<(String, Value)> {
    let september = ["2012-09-28", "2012-09-30", "2012-10-11", "2012-10-31"]
        .map(|as_of| ("2012-09-01", "2012-09-30", as_of));
    let year = [
        "2012-10-11",
        "2012-12-31",
        "2013-01-05",
        "2013-01-10",
        "2013-01-31",
    ]
    .map(|as_of| ("2012-01-01", "2012-12-31", as_of));
    let mut paths = Vec::new();
    for (from, to, as_of) in september.into_iter().chain(year) {
        for basis in ["received", "completed"] {
            let period = format!("from={from}&to={to}&as_of={as_of}&basis={basis}");
            paths.push(format!("/api/v1/stats/summary?{period}"));
            for by in [
                "center",
                "window",
                "department",
                "item",
                "clerk",
                "day",
                "month",
            ] {
                paths.push(format!("/api/v1/stats/breakdown?by={by}&{period}"));
            }
            for (filter, id) in ids.as_object().expect("ids") {
                let id = id.as_str().expect("id");
                paths.push(format!("/api/v1/stats/summary?{period}&{filter}={id}"));
                // Filtered on one dimension and grouped by another: the fine rows.
                paths.push(format!(
                    "/api/v1/stats/breakdown?by=clerk&{period}&{filter}={id}"
                ));
            }
        }
    }
    paths
        .into_iter()
        .map(|path| {
            let answer = app.get(&path, Some(analyst));
            assert_eq!(answer.status, 200, "{path}: {}", answer.text);
            (path, answer.json())
        })
        .collect()
}

fn the_projector_folds_the_pending_figures_and_no_answer_moves(backend: Backend) {
    // The projector folds only when the story says.
    let app = TestApp::start_at_configured(backend, chrono::Utc::now(), |config| {
        config.stats_projector = false
    });
    let hall = hall_on(app);
    let line = |received: &str, events: Value| {
        json!({"center_code": "640105", "window_number": 1, "item_code": "MZ-001", "applicant": applicant(),
               "received_at": received, "events": events})
    };
    let start = |day: &str| json!({"action": "start", "at": format!("{day}T10:00:00+08:00")});
    let complete = |day: &str| json!({"action": "complete", "outcome": "approved", "at": format!("{day}T11:00:00+08:00")});
    let lines = [
        line(
            "2012-09-03T09:00:00+08:00",
            json!([start("2012-09-03"), complete("2012-09-05")]),
        ),
        line("2012-09-28T09:00:00+08:00", json!([start("2012-09-28")])),
        // Completed after its deadline, in the next month.
        line(
            "2012-09-28T09:30:00+08:00",
            json!([start("2012-09-28"), complete("2012-10-19")]),
        ),
        line(
            "2012-09-27T09:00:00+08:00",
            json!([start("2012-09-27"), complete("2012-09-27")]),
        ),
        // Received in one year and completed in the next.
        line(
            "2012-12-28T09:00:00+08:00",
            json!([start("2012-12-28"), complete("2013-01-08")]),
        ),
    ];
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let imported = hall.app.send(
        "POST",
        "/api/v1/imports/cases",
        Some(&hall.admin),
        "application/x-ndjson",
        &body,
    );
    assert_eq!(imported.status, 201, "{}", imported.text);
    let case = imported.json()["cases"][0]["id"].clone();
    let case = hall
        .app
        .get(
            &format!("/api/v1/cases/{}", case.as_str().expect("id")),
            Some(&hall.admin),
        )
        .json();
    let ids = json!({"center": case["center_id"], "window": hall.window1, "item": hall.committed});
    let pending = answers(&hall.app, &hall.analyst, &ids);
    let asked = |answers: &[(String, Value)], period: &str| {
        let path = format!("/api/v1/stats/summary?{period}&basis=received");
        answers
            .iter()
            .find(|(p, _)| *p == path)
            .expect("asked")
            .1
            .clone()
    };
    let summary = |answers: &[(String, Value)]| {
        asked(answers, "from=2012-09-01&to=2012-09-30&as_of=2012-10-31")
    };
    let september = summary(&pending);
    assert_eq!(september["received"], 4, "{september}");
    assert_eq!(september["completed"], 3);
    assert_eq!(september["completed_on_time"], 2);
    let year = |as_of: &str| {
        asked(
            &pending,
            &format!("from=2012-01-01&to=2012-12-31&as_of={as_of}"),
        )
    };
    assert_eq!(year("2012-12-31")["received"], 5);
    assert_eq!(
        year("2012-12-31")["completed"],
        3,
        "the December case is open at the year's end"
    );
    assert_eq!(year("2013-01-05")["completed"], 3);
    assert_eq!(year("2013-01-10")["completed"], 4);
    assert_eq!(year("2013-01-31")["completed"], 4);

    // Folded one delta at a time, every answer stays what it was while all were pending.
    let fold = |limit: i64| {
        hall.app
            .state
            .store
            .transaction(|conn| domain::repository::StatsProjector::fold_stats(conn, limit))
            .expect("fold")
    };
    // The projector asks by a plain read whether anything waits, before it takes a lock.
    let waiting = || {
        hall.app
            .state
            .store
            .read(domain::repository::StatsProjector::stats_pending)
            .expect("pending")
    };
    assert!(waiting(), "the events' deltas wait to be folded");
    let mut folded = 0;
    loop {
        let now = fold(1);
        if now == 0 {
            break;
        }
        folded += now;
        assert_eq!(
            answers(&hall.app, &hall.analyst, &ids),
            pending,
            "after {folded} folded"
        );
    }
    assert!(
        folded >= 5 + 4,
        "every event's deltas were pending: {folded}"
    );
    assert!(!waiting(), "nothing waits once all is folded");

    // Later work is pending again beside the folded, and folding it changes nothing either.
    let more = hall.app.send(
        "POST",
        "/api/v1/imports/cases",
        Some(&hall.admin),
        "application/x-ndjson",
        &format!(
            "{}\n",
            line("2012-09-30T09:00:00+08:00", json!([start("2012-09-30")]))
        ),
    );
    assert_eq!(more.status, 201, "{}", more.text);
    let mixed = answers(&hall.app, &hall.analyst, &ids);
    assert_eq!(summary(&mixed)["received"], 5);
    assert!(waiting());
    assert!(fold(1_000) > 0);
    assert_eq!(fold(1_000), 0);
    assert!(!waiting());
    assert_eq!(answers(&hall.app, &hall.analyst, &ids), mixed);
}

on_both_backends!(
    the_projector_folds_the_pending_figures_and_no_answer_moves,
    the_demo_hall_reproduces_the_figures_of_the_2012_report,
    a_clerk_completes_a_committed_case_after_its_deadline_and_the_on_time_rate_drops,
    ratings_feed_the_statistics,
);
