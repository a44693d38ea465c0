//! Stories of the provincial exchange: the hall reports each stage of a case and each rating
//! to the 一体化政务服务平台's endpoint, signed, in the mapping of docs/EXCHANGE.md; a
//! calendar change that moves a deadline reports the stage again with a higher version; a
//! hall with no exchange configured queues nothing.

use serde_json::{Value, json};

use crate::cases::{Hall, hall, hall_on, id};
use crate::on_both_backends;
use crate::support::{Backend, ID_NUMBER, PHONE, TestApp};
use crate::webhooks::{Received, Receiver, signed_by};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const AUTHORIZATION: &str = "Bearer province-issued-token";

/// A hall reporting to `receiver`, retrying quickly.
fn hall_reporting_to(backend: Backend, receiver: &Receiver) -> Hall {
    let url = receiver.url.clone();
    hall_on(TestApp::start_configured(backend, move |config| {
        config.outbox_retry_base_ms = 100;
        config.exchange_url = Some(url);
        config.exchange_secret = Some(SECRET.into());
        config.exchange_authorization = Some(AUTHORIZATION.into());
    }))
}

/// The report of `case` at `stage` (its Chinese name) with the highest version received.
fn stage_report(receiver: &Receiver, case: &Value, stage: &str) -> Received {
    let wanted = |r: &Received| {
        let body = r.json();
        body["case_no"] == case["case_no"] && body["stage"]["stage_name"] == stage
    };
    receiver.wait_for(stage, wanted);
    receiver
        .received()
        .into_iter()
        .filter(|r| wanted(r))
        .max_by_key(|r| r.json()["version"].as_i64())
        .expect("a report")
}

/// What every report must be: signed by the hall's exchange secret, with the platform's
/// authorization, and nothing of the applicant.
fn check_sent_properly(report: &Received) {
    assert!(signed_by(report, SECRET), "{report:?}");
    assert_eq!(report.header("authorization"), AUTHORIZATION);
    for personal in [ID_NUMBER, PHONE, "张三"] {
        assert!(!report.body.contains(personal), "{}", report.body);
    }
}

fn act_ok(hall: &Hall, case: &Value, action: Value) -> Value {
    let done = hall.act(&hall.clerk1, case, action);
    assert_eq!(done.status, 200, "{}", done.text);
    done.json()
}

fn the_platform_hears_of_acceptance_a_supplement_pause_its_resumption_and_completion(
    backend: Backend,
) {
    let receiver = Receiver::start();
    let hall = hall_reporting_to(backend, &receiver);
    let case = hall.accept(&hall.clerk1, &hall.committed);
    act_ok(
        &hall,
        &case,
        json!({"action": "pause", "version": 1, "reason": "supplement", "note": "缺少户口簿复印件"}),
    );
    act_ok(&hall, &case, json!({"action": "resume", "version": 2}));
    act_ok(&hall, &case, json!({"action": "start", "version": 3}));
    let completed = act_ok(
        &hall,
        &case,
        json!({"action": "complete", "version": 4, "outcome": "approved"}),
    );

    let accepted = stage_report(&receiver, &case, "受理");
    let paused = stage_report(&receiver, &case, "补正告知");
    let resumed = stage_report(&receiver, &case, "恢复");
    let done = stage_report(&receiver, &case, "办结");
    for report in [&accepted, &paused, &resumed, &done] {
        check_sent_properly(report);
        let body = report.json();
        assert_eq!(body["report_type"], "case_stage");
        assert_eq!(body["item_code"], "MZ-001");
        assert_eq!(body["division_code"], "640105");
        assert_eq!(body["window_number"], 1);
        assert_eq!(body["stage"]["promised_days"], 5);
        assert!(
            body["stage"]["accepted_at"]
                .as_str()
                .is_some_and(|at| at.ends_with("+08:00")),
            "受理时间 in the hall's local time: {body}"
        );
        assert!(body["stage"]["handler_id"].is_string(), "办理人: {body}");
    }
    let version = |r: &Received| r.json()["version"].as_i64().expect("a version");
    assert_eq!(
        [&accepted, &paused, &resumed, &done].map(version),
        [1, 2, 3, 5],
        "the case's version at each event; its start is not a stage the platform hears of"
    );
    let body = accepted.json();
    assert_eq!(body["stage"]["stage"], "accepted");
    assert_eq!(body["stage"]["promised_deadline"], case["deadline"]);
    let body = paused.json();
    assert_eq!(body["stage"]["status"], "paused");
    assert_eq!(body["stage"]["pause"]["reason"], "supplement");
    assert_eq!(body["stage"]["pause"]["note"], "缺少户口簿复印件");
    let body = done.json();
    assert_eq!(body["stage"]["result_code"], "6");
    assert_eq!(body["stage"]["result_name"], "办结");
    assert_eq!(body["stage"]["outcome"], "approved");
    assert_eq!(body["stage"]["on_time"], true);
    assert_eq!(body["stage"]["promised_deadline"], completed["deadline"]);
    assert!(
        body["stage"]["completed_at"]
            .as_str()
            .is_some_and(|at| at.ends_with("+08:00")),
        "{body}"
    );
    let ids: std::collections::BTreeSet<_> = [&accepted, &paused, &resumed, &done]
        .iter()
        .map(|r| r.header("webhook-id").to_owned())
        .collect();
    assert_eq!(ids.len(), 4, "a message per report");
    assert!(
        receiver
            .received()
            .iter()
            .all(|r| r.json()["event"] != "case.started"),
        "the start is not reported"
    );
}

fn a_rating_is_reported_with_the_clerk_who_decided_its_level_and_channel(backend: Backend) {
    let receiver = Receiver::start();
    let hall = hall_reporting_to(backend, &receiver);
    let case = hall.accept(&hall.clerk1, &hall.immediate);
    act_ok(
        &hall,
        &case,
        json!({"action": "complete", "version": 1, "outcome": "approved"}),
    );
    let rated = hall.app.post(
        &format!(
            "/api/v1/public/cases/{}/rating",
            case["case_no"].as_str().expect("no")
        ),
        None,
        &json!({"code": case["query_code"], "score": 2, "comment": "等了很久，电话13800138000"}),
    );
    assert_eq!(rated.status, 201, "{}", rated.text);

    let rating = receiver.wait_for("a rating", |r| r.json()["report_type"] == "rating");
    check_sent_properly(&rating);
    let body = rating.json();
    assert_eq!(body["case_no"], case["case_no"]);
    assert_eq!(body["event"], "case.rated");
    assert_eq!(body["version"], 3);
    assert!(body["stage"].is_null());
    assert_eq!(body["rating"]["level"], 2);
    assert_eq!(body["rating"]["level_name"], "不满意");
    assert_eq!(body["rating"]["poor"], true);
    assert_eq!(body["rating"]["channel"], "on_site");
    assert_eq!(body["rating"]["channel_name"], "现场服务评价");
    // The rated clerk is the one who decided the case: the one who accepted it here.
    let accepted = stage_report(&receiver, &case, "受理");
    assert!(body["rating"]["clerk_id"].is_string(), "{body}");
    assert_eq!(
        body["rating"]["clerk_id"],
        accepted.json()["stage"]["handler_id"]
    );
    assert!(
        !rating.body.contains("等了很久"),
        "the applicant's words stay in the hall"
    );
}

fn a_calendar_change_that_moves_the_deadline_reports_the_stage_again_with_a_higher_version(
    backend: Backend,
) {
    let receiver = Receiver::start();
    let hall = hall_reporting_to(backend, &receiver);
    let webhook = Receiver::start();
    let registered = hall.app.post(
        "/api/v1/webhooks",
        Some(&hall.admin),
        &json!({"url": webhook.url, "events": ["case.corrected"]}),
    );
    assert_eq!(registered.status, 201, "{}", registered.text);
    // The centre lies in Xixia district, Ningxia: the region's notices apply to it.
    let centers = hall.app.get("/api/v1/centers", Some(&hall.admin)).json();
    let center = &centers["items"][0];
    let moved = hall.app.put(
        &format!("/api/v1/centers/{}", id(center)),
        Some(&hall.admin),
        &json!({"code": center["code"], "name": center["name"], "division": "640105"}),
    );
    assert_eq!(moved.status, 200, "{}", moved.text);

    let case = hall.accept(&hall.clerk1, &hall.committed);
    let first = stage_report(&receiver, &case, "受理");
    assert_eq!(first.json()["version"], 1);
    let deadline: chrono::NaiveDate = case["deadline"]
        .as_str()
        .expect("a deadline")
        .parse()
        .expect("a date");
    // The region's notice gives the deadline and the day before off.
    let year = deadline.format("%Y").to_string();
    let notice = json!({"year": year.parse::<i32>().expect("year"),
        "notice": "自治区人民政府办公厅关于部分节假日安排的通知（测试）",
        "holidays": [{"name": "古尔邦节", "from": deadline.pred_opt().expect("a day"), "to": deadline}],
        "working_days": []});
    let loaded = hall.app.put(
        &format!("/api/v1/calendar/regions/640000/{year}"),
        Some(&hall.admin),
        &notice,
    );
    assert_eq!(loaded.status, 200, "{}", loaded.text);
    assert_eq!(loaded.json()["recomputed_cases"], 1);

    let corrected = receiver.wait_for("the correction", |r| {
        r.json()["event"] == "case.corrected" && r.json()["case_no"] == case["case_no"]
    });
    check_sent_properly(&corrected);
    let body = corrected.json();
    assert_eq!(
        body["version"], 2,
        "higher than the acceptance's: the platform keeps it"
    );
    assert_eq!(
        body["stage"]["stage_name"], "受理",
        "the current stage, again"
    );
    let now = hall
        .app
        .get(&format!("/api/v1/cases/{}", id(&case)), Some(&hall.admin))
        .json();
    assert_eq!(body["stage"]["promised_deadline"], now["deadline"]);
    assert!(
        now["deadline"].as_str() > case["deadline"].as_str(),
        "the deadline moved later: {now}"
    );
    assert_eq!(
        body["stage"]["correction"]["previous_deadline"],
        case["deadline"]
    );
    assert!(
        body["stage"]["correction"]["reason"]
            .as_str()
            .is_some_and(|why| why.contains("自治区人民政府办公厅")),
        "{body}"
    );
    // A webhook may hear of corrections too.
    let news = webhook.wait_for("case.corrected", |r| r.json()["type"] == "case.corrected");
    assert_eq!(news.json()["data"]["case_no"], case["case_no"]);
}

fn with_no_exchange_configured_nothing_is_queued(backend: Backend) {
    let hall = hall(backend);
    let case = hall.accept(&hall.clerk1, &hall.immediate);
    act_ok(
        &hall,
        &case,
        json!({"action": "complete", "version": 1, "outcome": "approved"}),
    );
    let messages = hall.app.get("/api/v1/outbox", Some(&hall.admin)).json();
    assert_eq!(messages["items"], json!([]), "{messages}");
    let metrics = hall.app.get("/metrics", None).text;
    assert!(metrics.contains("hall_outbox_queued 0"), "{metrics}");
}

on_both_backends!(
    the_platform_hears_of_acceptance_a_supplement_pause_its_resumption_and_completion,
    a_rating_is_reported_with_the_clerk_who_decided_its_level_and_channel,
    a_calendar_change_that_moves_the_deadline_reports_the_stage_again_with_a_higher_version,
    with_no_exchange_configured_nothing_is_queued,
);
