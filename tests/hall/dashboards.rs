//! Stories of what the dashboards draw, on the demo hall of 2012: throughput by completion
//! date, day and month series with their empty days, top-N rankings, the open cases by
//! warning colour, the ratings over their five levels, and every answer again as CSV — each
//! adding up to its summary.

use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::{ADMIN_PASSWORD, Answer, Backend, TestApp};

const PERIOD: &str = "from=2012-01-01&to=2012-09-30&as_of=2012-09-30";

/// The figures every breakdown and series must add up to.
const COUNTS: [&str; 7] = [
    "received",
    "immediate",
    "committed",
    "completed",
    "completed_on_time",
    "not_accepted",
    "withdrawn",
];

fn get(app: &TestApp, token: &str, path: &str) -> Value {
    let answer = app.get(path, Some(token));
    assert_eq!(answer.status, 200, "{path}: {}", answer.text);
    answer.json()
}

/// Asserts that the groups add up to the total in every count, the rating levels included.
fn adds_up(breakdown: &Value, what: &str) {
    let groups = breakdown["groups"].as_array().expect("groups");
    let total = &breakdown["total"];
    let sum = |f: &dyn Fn(&Value) -> i64| groups.iter().map(f).sum::<i64>();
    for field in COUNTS {
        assert_eq!(
            Value::from(sum(&|g| g[field].as_i64().expect("count"))),
            total[field],
            "{what}: {field}"
        );
    }
    assert_eq!(
        Value::from(sum(&|g| g["ratings"]["count"].as_i64().expect("count"))),
        total["ratings"]["count"],
        "{what}: ratings"
    );
    for (i, level) in total["ratings"]["levels"]
        .as_array()
        .expect("levels")
        .iter()
        .enumerate()
    {
        assert_eq!(
            Value::from(sum(&|g| g["ratings"]["levels"][i]["count"]
                .as_i64()
                .expect("count"))),
            level["count"],
            "{what}: rated {}",
            level["score"]
        );
    }
}

/// The rating levels add up to the count, and the satisfaction rate is the share of 4–5.
fn ratings_are_consistent(ratings: &Value) {
    let levels = ratings["levels"].as_array().expect("levels");
    let scores: Vec<i64> = levels
        .iter()
        .map(|l| l["score"].as_i64().expect("score"))
        .collect();
    assert_eq!(scores, [5, 4, 3, 2, 1]);
    let count = ratings["count"].as_i64().expect("count");
    let counts: Vec<i64> = levels
        .iter()
        .map(|l| l["count"].as_i64().expect("count"))
        .collect();
    assert_eq!(counts.iter().sum::<i64>(), count, "{ratings}");
    if count == 0 {
        assert_eq!(ratings["satisfaction_rate"], Value::Null);
        return;
    }
    let rate = ratings["satisfaction_rate"].as_f64().expect("rate");
    assert!((rate - (counts[0] + counts[1]) as f64 / count as f64).abs() < 1e-12);
    let poor = ratings["poor_share"].as_f64().expect("poor");
    assert!((poor - (counts[3] + counts[4]) as f64 / count as f64).abs() < 1e-12);
    let weighted: i64 = scores.iter().zip(&counts).map(|(s, n)| s * n).sum();
    let mean = ratings["mean"].as_f64().expect("mean");
    assert!((mean - weighted as f64 / count as f64).abs() < 1e-9);
}

/// The JSON value a CSV column stands for, in a group (or a summary) and the answer's root.
fn json_cell<'a>(group: &'a Value, root: &'a Value, column: &str) -> &'a Value {
    let ratings = &group["ratings"];
    match column {
        "from" | "to" | "as_of" | "basis" if group.get(column).is_none() => &root[column],
        "ratings" => &ratings["count"],
        "rating_mean" => &ratings["mean"],
        "poor_share" | "satisfaction_rate" => &ratings[column],
        rated if rated.starts_with("rated_") => {
            let score: i64 = rated["rated_".len()..].parse().expect("score");
            ratings["levels"]
                .as_array()
                .and_then(|l| l.iter().find(|l| l["score"] == score))
                .map_or(&Value::Null, |l| &l["count"])
        }
        other => &group[other],
    }
}

/// Parses a CSV answer (which must begin with a byte-order mark) and checks every cell
/// against the JSON rows it stands for.
fn csv_equals_json(answer: &Answer, root: &Value, rows: &[&Value]) {
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert!(
        answer.content_type.starts_with("text/csv"),
        "{}",
        answer.content_type
    );
    assert!(
        answer.text.starts_with('\u{feff}'),
        "a byte-order mark first"
    );
    let table = domain::csv::parse(&answer.text);
    let (header, body) = table.split_first().expect("a header");
    assert_eq!(body.len(), rows.len(), "{}", answer.text);
    for (cells, row) in body.iter().zip(rows) {
        assert_eq!(cells.len(), header.len());
        for (column, cell) in header.iter().zip(cells) {
            let expected = json_cell(row, root, column);
            match expected {
                Value::Null => assert_eq!(cell, "", "{column}"),
                Value::Number(n) => {
                    let read: f64 = cell.parse().unwrap_or_else(|_| panic!("{column}: {cell}"));
                    let json = n.as_f64().expect("a number");
                    // serde_json's default float parsing may be a unit in the last place off.
                    assert!(
                        (read - json).abs() <= json.abs() * 1e-15,
                        "{column}: {read} against {json}"
                    );
                }
                Value::String(s) => assert_eq!(cell, s, "{column}"),
                other => panic!("{column}: unexpected {other}"),
            }
        }
    }
}

fn csv(app: &TestApp, token: &str, path: &str) -> Answer {
    let joiner = if path.contains('?') { '&' } else { '?' };
    let asked = app.get(&format!("{path}{joiner}format=csv"), Some(token));
    let accepted = app
        .try_send("GET", path, Some(token), &[("Accept", "text/csv")], "")
        .expect("HTTP exchange");
    assert_eq!(
        asked.text, accepted.text,
        "`Accept: text/csv` answers the same"
    );
    asked
}

fn dashboards_draw_the_demo_hall(backend: Backend) {
    let app = TestApp::start(backend);
    api::demo::load(&app.state, 2012).expect("the demo loads");
    let analyst = app.login("analyst", api::demo::DEMO_PASSWORD);
    let analyst = analyst.as_str();

    // Throughput: what was completed in September, whenever received — the cases completed
    // by its end less those completed by the end of August.
    let received_basis = |to: &str| {
        get(
            &app,
            analyst,
            &format!("/api/v1/stats/summary?from=2012-01-01&to={to}&as_of={to}"),
        )
    };
    let (by_august, by_september) = (received_basis("2012-08-31"), received_basis("2012-09-30"));
    let september = get(
        &app,
        analyst,
        "/api/v1/stats/summary?basis=completed&from=2012-09-01&to=2012-09-30&as_of=2012-09-30",
    );
    assert_eq!(september["basis"], "completed");
    let completed = |s: &Value| s["completed"].as_i64().expect("completed");
    assert_eq!(
        completed(&september),
        completed(&by_september) - completed(&by_august)
    );
    assert!(completed(&september) > 0);
    assert_eq!(september["completed_on_time"], september["completed"]);
    assert_eq!(september["on_time_rate"], 1.0);
    assert_eq!(september["open"], Value::Null, "a state, not a flow");
    assert_eq!(september["overdue_open"], Value::Null);
    // The whole period by completion date is the report's completions, as of its end…
    let whole = get(
        &app,
        analyst,
        &format!("/api/v1/stats/summary?basis=completed&{PERIOD}"),
    );
    assert_eq!(whole["received"], 17_649);
    assert_eq!(whole["completed"], 17_094);
    assert_eq!(whole["completed_on_time"], 17_094);
    // …and the rest were completed in October, though received before.
    let october = get(
        &app,
        analyst,
        "/api/v1/stats/summary?basis=completed&from=2012-10-01&to=2012-10-31",
    );
    assert_eq!(october["received"], 0);
    assert_eq!(october["completed"], 17_649 - 17_094);
    // As of the end of September, October has nothing yet.
    let before = get(
        &app,
        analyst,
        "/api/v1/stats/summary?basis=completed&from=2012-10-01&to=2012-10-31&as_of=2012-09-30",
    );
    assert_eq!(before["completed"], 0);

    // The report's figures and the ratings over five levels.
    let summary = get(&app, analyst, &format!("/api/v1/stats/summary?{PERIOD}"));
    assert_eq!(summary["received"], 17_649);
    assert_eq!(summary["completed"], 17_094);
    assert!(summary["ratings"]["count"].as_i64().expect("count") > 0);
    ratings_are_consistent(&summary["ratings"]);
    ratings_are_consistent(&whole["ratings"]);

    // Series with every day and month, zeros included: the last days of September and the
    // National Day holiday, when the demo hall received nothing.
    for (basis, period, by, keys) in [
        ("received", "from=2012-09-25&to=2012-10-05", "day", 11),
        ("completed", "from=2012-09-25&to=2012-10-05", "day", 11),
        ("received", "from=2012-01-01&to=2012-12-31", "month", 12),
        ("completed", "from=2012-01-01&to=2012-12-31", "month", 12),
        ("received", "from=2012-01-01&to=2012-09-30", "month", 9),
    ] {
        let what = format!("{basis} by {by}, {period}");
        let series = get(
            &app,
            analyst,
            &format!("/api/v1/stats/breakdown?by={by}&basis={basis}&{period}"),
        );
        let groups = series["groups"].as_array().expect("groups");
        assert_eq!(groups.len(), keys, "{what}");
        assert_eq!(series["count"], keys, "{what}");
        let first = if by == "day" { "2012-09-25" } else { "2012-01" };
        assert_eq!(groups[0]["key"], first, "{what}");
        assert!(
            keys == 9
                || groups
                    .iter()
                    .any(|g| g["received"] == 0 && g["completed"] == 0),
            "{what}: a day or month without cases is there, as zeros"
        );
        adds_up(&series, &what);
        let total = get(
            &app,
            analyst,
            &format!("/api/v1/stats/summary?basis={basis}&{period}"),
        );
        for field in COUNTS {
            assert_eq!(series["total"][field], total[field], "{what}: {field}");
        }
    }
    let days = get(
        &app,
        analyst,
        "/api/v1/stats/breakdown?by=day&from=2012-09-25&to=2012-10-05&as_of=2012-10-05",
    );
    assert_eq!(days["groups"][6]["key"], "2012-10-01");
    assert_eq!(days["groups"][6]["received"], 0);

    // Every breakdown adds up on both bases, ratings included.
    for basis in ["received", "completed"] {
        for by in ["center", "window", "department", "item", "clerk", "month"] {
            let breakdown = get(
                &app,
                analyst,
                &format!("/api/v1/stats/breakdown?by={by}&basis={basis}&{PERIOD}"),
            );
            adds_up(&breakdown, &format!("{basis} by {by}"));
            for group in breakdown["groups"].as_array().expect("groups") {
                ratings_are_consistent(&group["ratings"]);
            }
        }
    }

    // Top-N: the five items that received most, the total still the whole period's.
    let all_items = get(
        &app,
        analyst,
        &format!("/api/v1/stats/breakdown?by=item&{PERIOD}"),
    );
    let top = get(
        &app,
        analyst,
        &format!("/api/v1/stats/breakdown?by=item&sort=received&limit=5&{PERIOD}"),
    );
    let groups = top["groups"].as_array().expect("groups");
    assert_eq!(groups.len(), 5);
    assert_eq!(top["count"], all_items["count"]);
    assert_eq!(top["total"], all_items["total"]);
    assert_eq!(top["total"]["received"], 17_649);
    let received: Vec<i64> = groups
        .iter()
        .map(|g| g["received"].as_i64().expect("received"))
        .collect();
    let mut expected: Vec<i64> = all_items["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| g["received"].as_i64().expect("received"))
        .collect();
    expected.sort_by(|a, b| b.cmp(a));
    assert_eq!(received, expected[..5], "the highest five, highest first");
    let lowest = get(
        &app,
        analyst,
        &format!(
            "/api/v1/stats/breakdown?by=window&sort=satisfaction_rate&order=asc&limit=3&{PERIOD}"
        ),
    );
    let rates: Vec<f64> = lowest["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .filter_map(|g| g["ratings"]["satisfaction_rate"].as_f64())
        .collect();
    assert!(rates.windows(2).all(|w| w[0] <= w[1]), "{rates:?}");
    for bad in ["limit=0", "limit=1001"] {
        app.get(
            &format!("/api/v1/stats/breakdown?by=item&{bad}&{PERIOD}"),
            Some(analyst),
        )
        .problem(422);
    }
    app.get("/api/v1/stats/breakdown?by=item&sort=planet", Some(analyst))
        .problem(400);

    // Open cases now by colour. The demo's cases are all closed by now: a few more arrive,
    // one long overdue (red), one paused (no card) and one accepted today (due today:
    // yellow).
    let admin = app.login("admin", ADMIN_PASSWORD);
    let items = get(&app, &admin, "/api/v1/items?limit=100");
    let code_of = |handling: &str| {
        items["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|i| i["handling"] == handling)
            .and_then(|i| i["code"].as_str())
            .expect("an item")
            .to_owned()
    };
    let (committed, immediate) = (code_of("committed"), code_of("immediate"));
    let now = chrono::Utc::now() - chrono::Duration::minutes(1);
    let applicant = crate::support::applicant();
    let lines = [
        json!({"center_code": "640105", "window_number": 20, "item_code": committed, "applicant": applicant,
               "received_at": "2013-01-07T09:00:00+08:00", "events": []}),
        json!({"center_code": "640105", "window_number": 20, "item_code": committed, "applicant": applicant,
               "received_at": "2013-01-07T09:30:00+08:00",
               "events": [{"action": "pause", "reason": "supplement", "note": "缺户口簿", "materials": ["申请表"], "at": "2013-01-08T10:00:00+08:00"}]}),
        json!({"center_code": "640105", "window_number": 20, "item_code": immediate, "applicant": applicant,
               "received_at": now.to_rfc3339(), "events": []}),
    ];
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let imported = app.send(
        "POST",
        "/api/v1/imports/cases",
        Some(&admin),
        "application/x-ndjson",
        &body,
    );
    assert_eq!(imported.status, 201, "{}", imported.text);

    let listed = get(&app, analyst, "/api/v1/supervision/warnings")["items"]
        .as_array()
        .expect("items")
        .clone();
    let cards = |level: &str| listed.iter().filter(|w| w["warning"] == level).count();
    let open_now = get(&app, analyst, "/api/v1/stats/summary?from=2012-01-01")["open"].clone();
    assert_eq!(open_now, 3);
    let total = get(&app, analyst, "/api/v1/stats/warnings")["total"].clone();
    assert_eq!(
        total["open"], open_now,
        "as many as the statistics count open"
    );
    assert_eq!(
        total["red"],
        cards("red"),
        "as the supervision list judges them"
    );
    assert_eq!(total["yellow"], cards("yellow"));
    assert!(total["red"].as_i64() >= Some(1));
    assert!(
        total["none"].as_i64() >= Some(1),
        "the paused case has no card"
    );
    for by in ["center", "window", "department", "item"] {
        let counts = get(&app, analyst, &format!("/api/v1/stats/warnings?by={by}"));
        assert_eq!(counts["total"], total, "{by}");
        let groups = counts["groups"].as_array().expect("groups");
        assert!(!groups.is_empty());
        for field in ["open", "none", "yellow", "red", "overdue_materials"] {
            let sum: i64 = groups.iter().map(|g| g[field].as_i64().expect("n")).sum();
            assert_eq!(Value::from(sum), total[field], "{by} {field}");
        }
        for g in groups {
            let n = |f: &str| g[f].as_i64().expect("n");
            assert_eq!(n("open"), n("none") + n("yellow") + n("red"), "{g}");
        }
        let answer = csv(&app, analyst, &format!("/api/v1/stats/warnings?by={by}"));
        let mut rows: Vec<&Value> = groups.iter().collect();
        let total_row = json!({"key": "total", "label": "合计", "open": total["open"], "none": total["none"],
                               "yellow": total["yellow"], "red": total["red"],
                               "overdue_materials": total["overdue_materials"]});
        rows.push(&total_row);
        csv_equals_json(&answer, &counts, &rows);
    }
    let window = get(&app, analyst, "/api/v1/stats/warnings?by=window");
    assert!(
        window["groups"][0]["label"]
            .as_str()
            .is_some_and(|l| l.contains("20号窗口")),
        "{window}"
    );
    app.get("/api/v1/stats/warnings?by=day", Some(analyst))
        .problem(400);

    // Every answer again as CSV: the same figures, the Chinese intact.
    for path in [
        format!("/api/v1/stats/summary?{PERIOD}"),
        "/api/v1/stats/summary?basis=completed&from=2012-09-01&to=2012-09-30&as_of=2012-09-30"
            .to_owned(),
    ] {
        let json = get(&app, analyst, &path);
        csv_equals_json(&csv(&app, analyst, &path), &json, &[&json]);
    }
    for path in [
        format!("/api/v1/stats/breakdown?by=window&sort=completed&limit=5&{PERIOD}"),
        format!("/api/v1/stats/breakdown?by=department&basis=completed&{PERIOD}"),
        "/api/v1/stats/breakdown?by=day&from=2012-09-25&to=2012-10-05&as_of=2012-10-05".to_owned(),
    ] {
        let json = get(&app, analyst, &path);
        let mut rows: Vec<&Value> = json["groups"].as_array().expect("groups").iter().collect();
        let mut total = json["total"].clone();
        total["key"] = json!("total");
        total["label"] = json!("合计");
        rows.push(&total);
        let answer = csv(&app, analyst, &path);
        csv_equals_json(&answer, &json, &rows);
        if path.contains("window") {
            assert!(answer.text.contains("号窗口"), "{}", answer.text);
        }
    }
    let report = csv(&app, analyst, "/api/v1/reports/2012?through=2012-09-30");
    assert!(report.text.starts_with('\u{feff}'));
    let table = domain::csv::parse(&report.text);
    assert!(table.contains(&vec!["received".to_owned(), "17649".to_owned()]));
    let markdown = app
        .try_send(
            "GET",
            "/api/v1/reports/2012?through=2012-09-30",
            Some(analyst),
            &[("Accept", "text/markdown")],
            "",
        )
        .expect("HTTP exchange");
    assert!(markdown.content_type.starts_with("text/markdown"));
}

on_both_backends!(dashboards_draw_the_demo_hall);
