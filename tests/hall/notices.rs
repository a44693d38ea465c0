//! Stories of notices (文书): the paper a case leaves in the applicant's hand at each step,
//! numbered from the centre's register, printed the same every time, voided with a reason —
//! on both databases.

use std::collections::BTreeSet;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::cases::{Hall, ID_NUMBER, PHONE, applicant, hall, id};
use crate::on_both_backends;
use crate::support::{Answer, Backend};

impl Hall {
    fn issue(&self, token: &str, case: &Value, kind: &str) -> Answer {
        self.app.post(
            &format!("/api/v1/cases/{}/notices", id(case)),
            Some(token),
            &json!({ "kind": kind }),
        )
    }

    fn issued(&self, token: &str, case: &Value, kind: &str) -> Value {
        let answer = self.issue(token, case, kind);
        assert_eq!(answer.status, 201, "{kind}: {}", answer.text);
        answer.json()
    }

    fn printed(&self, token: &str, notice: &Value) -> Answer {
        let answer = self.app.try_send(
            "GET",
            &format!("/api/v1/notices/{}", id(notice)),
            Some(token),
            &[("Accept", "text/html")],
            "",
        );
        let answer = answer.expect("HTTP exchange");
        assert_eq!(answer.status, 200, "{}", answer.text);
        assert!(
            answer.content_type.starts_with("text/html"),
            "{}",
            answer.content_type
        );
        answer
    }

    /// Moves the case on and answers it as it stands after.
    fn step(&self, token: &str, case: &Value, action: Value) -> Value {
        let mut action = action;
        action["version"] = case["version"].clone();
        let answer = self.act(token, case, action);
        assert_eq!(answer.status, 200, "{}", answer.text);
        answer.json()
    }

    fn case(&self, token: &str, case: &Value) -> Value {
        self.app
            .get(&format!("/api/v1/cases/{}", id(case)), Some(token))
            .json()
    }

    fn events(&self, token: &str, case: &Value) -> Vec<Value> {
        let events = self
            .app
            .get(&format!("/api/v1/cases/{}/events", id(case)), Some(token))
            .json();
        events["items"].as_array().expect("items").clone()
    }
}

fn sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What every printed notice must be: A4, Chinese fonts with fallbacks, nothing fetched.
fn assert_printable(html: &str, notice: &Value, case_no: &str) {
    assert!(html.contains("@page { size: A4"), "an A4 print stylesheet");
    assert!(html.contains("\"Noto Serif CJK SC\"") && html.contains("serif;"));
    assert!(html.contains(notice["number"].as_str().expect("number")));
    assert!(html.contains(notice["title"].as_str().expect("title")));
    assert!(html.contains(case_no));
    assert!(
        !html.contains("http"),
        "no external resource, no address at all"
    );
    assert!(!html.contains(ID_NUMBER) && !html.contains(PHONE));
}

fn every_kind_is_issued_in_its_state_and_printed_the_same_every_time(backend: Backend) {
    let hall = hall(backend);
    let clerk = &hall.clerk1;
    let mut case = hall.accept(clerk, &hall.committed);
    let case_no = case["case_no"].as_str().expect("case_no").to_owned();
    let code = case["query_code"].as_str().expect("code").to_owned();
    let mut issued = Vec::new();

    // At acceptance: the receipt, with its query code and the QR code of the kiosk lookup.
    let receipt = hall.issued(clerk, &case, "receipt");
    assert_eq!(receipt["kind"], "receipt");
    assert_eq!(receipt["title"], "受理通知书");
    assert_eq!(receipt["case_id"], case["id"]);
    assert_eq!(receipt["voided"], false);
    assert!(
        receipt["number"]
            .as_str()
            .is_some_and(|n| n.starts_with("西夏受〔") && n.ends_with("〕00001号")),
        "{receipt}"
    );
    let html = hall.printed(clerk, &receipt).text;
    assert!(
        html.contains("<svg"),
        "the receipt carries its QR code as inline SVG"
    );
    assert!(html.contains(&code), "the receipt carries the query code");
    assert!(
        html.contains("张三"),
        "the paper names the applicant in full"
    );
    issued.push(receipt);
    // Nothing else is due yet.
    for kind in ["refusal", "supplement", "extension", "decision", "delivery"] {
        let refused = hall.issue(clerk, &case, kind).problem(409);
        assert_eq!(
            refused["type"],
            "urn:service-hall:problem:notice-not-applicable"
        );
    }

    // Paused for papers: the 补正 notice lists what the clerk named, once.
    case = hall.case(clerk, &case);
    case = hall.step(
        clerk,
        &case,
        json!({"action": "pause", "reason": "supplement", "note": "户口簿原件一份"}),
    );
    let supplement = hall.issued(clerk, &case, "supplement");
    let html = hall.printed(clerk, &supplement).text;
    assert_eq!(html.matches("户口簿原件一份").count(), 1);
    assert!(html.contains("补正材料一次性告知书"));
    issued.push(supplement);
    case = hall.case(clerk, &case);
    case = hall.step(clerk, &case, json!({"action": "resume"}));
    assert_eq!(
        hall.issue(clerk, &case, "supplement").problem(409)["type"],
        "urn:service-hall:problem:notice-not-applicable",
        "no 补正 notice once the papers came"
    );

    // Extended by the supervisor: the extension notice gives the days, the reason, the date.
    case = hall.case(clerk, &case);
    case = hall.step(
        &hall.supervisor,
        &case,
        json!({"action": "extend", "days": 3, "reason": "需现场核查"}),
    );
    let extension = hall.issued(clerk, &case, "extension");
    assert!(hall.printed(clerk, &extension).text.contains("需现场核查"));
    issued.push(extension);

    // Decided and handed over.
    case = hall.case(clerk, &case);
    case = hall.step(clerk, &case, json!({"action": "start"}));
    case = hall.step(
        clerk,
        &case,
        json!({"action": "complete", "outcome": "approved", "result": "准予登记"}),
    );
    let decision = hall.issued(clerk, &case, "decision");
    assert!(hall.printed(clerk, &decision).text.contains("准予登记"));
    issued.push(decision);
    case = hall.case(clerk, &case);
    case = hall.step(
        clerk,
        &case,
        json!({"action": "deliver", "note": "窗口领取"}),
    );
    let delivery = hall.issued(clerk, &case, "delivery");
    assert!(hall.printed(clerk, &delivery).text.contains("窗口领取"));
    issued.push(delivery);

    // A refusal at intake has its own notice, with the reason and the remedies.
    let refused = hall.app.post(
        "/api/v1/cases",
        Some(clerk),
        &json!({"item_id": hall.committed, "applicant": applicant(), "decision": "not_accepted", "reason": "不属于本机关职权范围"}),
    );
    assert_eq!(refused.status, 201, "{}", refused.text);
    let refused = refused.json();
    assert_eq!(
        hall.issue(clerk, &refused, "receipt").problem(409)["type"],
        "urn:service-hall:problem:notice-not-applicable"
    );
    let refusal = hall.issued(clerk, &refused, "refusal");
    let html = hall.printed(clerk, &refusal).text;
    assert!(
        html.contains("不属于本机关职权范围")
            && html.contains("行政复议")
            && html.contains("行政诉讼")
    );
    assert_printable(&html, &refusal, refused["case_no"].as_str().expect("no"));

    // Each prints the same bytes every time, whose hash the record and the event carry.
    let events = hall.events(clerk, &case);
    for notice in &issued {
        let first = hall.printed(clerk, notice).text;
        let again = hall.printed(clerk, notice).text;
        assert_eq!(first, again, "{} prints the same twice", notice["kind"]);
        assert_eq!(sha256(&first), notice["sha256"].as_str().expect("sha256"));
        let event = events
            .iter()
            .find(|e| e["payload"]["notice_id"] == notice["id"])
            .expect("an issue_notice event");
        assert_eq!(event["action"], "issue_notice");
        assert_eq!(event["payload"]["sha256"], notice["sha256"]);
        assert_eq!(event["payload"]["number"], notice["number"]);
        assert_eq!(event["payload"]["kind"], notice["kind"]);
        assert_printable(&first, notice, &case_no);
    }
    // The JSON record tells no more than the case's own read: no ID number, no phone, no name.
    let listed = hall
        .app
        .get(&format!("/api/v1/cases/{}/notices", id(&case)), Some(clerk));
    assert_eq!(listed.status, 200, "{}", listed.text);
    let kinds: Vec<Value> = listed.json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|n| n["kind"].clone())
        .collect();
    assert_eq!(
        kinds,
        ["receipt", "supplement", "extension", "decision", "delivery"]
    );
    for text in [
        &listed.text,
        &hall
            .app
            .get(&format!("/api/v1/notices/{}", id(&issued[0])), Some(clerk))
            .text,
    ] {
        assert!(
            !text.contains(ID_NUMBER) && !text.contains(PHONE) && !text.contains("张三"),
            "{text}"
        );
    }
    // Another window's clerk reads none of it.
    let other = hall.app.get(
        &format!("/api/v1/notices/{}", id(&issued[0])),
        Some(&hall.clerk2),
    );
    other.problem(403);
    hall.issue(&hall.clerk2, &case, "decision").problem(403);
}

fn a_voided_notice_keeps_its_number_and_says_why(backend: Backend) {
    let hall = hall(backend);
    let clerk = &hall.clerk1;
    let case = hall.accept(clerk, &hall.committed);
    let receipt = hall.issued(clerk, &case, "receipt");
    let before = hall.case(clerk, &case);
    let voided = hall.app.post(
        &format!("/api/v1/notices/{}/void", id(&receipt)),
        Some(clerk),
        &json!({"reason": "申请人姓名打印错误"}),
    );
    assert_eq!(voided.status, 200, "{}", voided.text);
    let voided = voided.json();
    assert_eq!(voided["voided"], true);
    assert_eq!(voided["number"], receipt["number"]);
    assert_eq!(voided["void_reason"], "申请人姓名打印错误");
    let html = hall.printed(clerk, &receipt).text;
    assert!(html.contains("本文书已作废") && html.contains("申请人姓名打印错误"));
    assert!(html.contains(receipt["number"].as_str().expect("number")));
    let after = hall.case(clerk, &case);
    assert_eq!(after["version"], before["version"].as_i64().expect("v") + 1);
    let events = hall.events(clerk, &case);
    let event = events.last().expect("events");
    assert_eq!(event["action"], "void_notice");
    assert_eq!(event["payload"]["reason"], "申请人姓名打印错误");
    assert_eq!(event["payload"]["sha256"], sha256(&html));

    // Twice: refused, nothing changed.
    let again = hall.app.post(
        &format!("/api/v1/notices/{}/void", id(&receipt)),
        Some(clerk),
        &json!({"reason": "再次作废"}),
    );
    assert_eq!(
        again.problem(409)["type"],
        "urn:service-hall:problem:notice-voided"
    );
    assert_eq!(hall.case(clerk, &case)["version"], after["version"]);
    assert_eq!(hall.events(clerk, &case).len(), events.len());
    assert_eq!(hall.printed(clerk, &receipt).text, html);
    // A reason is required.
    let receipt2 = hall.issued(clerk, &case, "receipt");
    let blank = hall.app.post(
        &format!("/api/v1/notices/{}/void", id(&receipt2)),
        Some(clerk),
        &json!({"reason": ""}),
    );
    blank.problem(422);
    // The next receipt took the next number: a voided one keeps its own.
    assert!(
        receipt2["number"]
            .as_str()
            .is_some_and(|n| n.ends_with("〕00002号")),
        "{receipt2}"
    );
}

fn the_register_numbers_each_kind_consecutively_even_when_issued_at_once(backend: Backend) {
    let hall = hall(backend);
    let cases: Vec<Value> = (0..12)
        .map(|_| hall.accept(&hall.clerk1, &hall.committed))
        .collect();
    let numbers: BTreeSet<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = cases
            .iter()
            .map(|case| {
                let hall = &hall;
                scope.spawn(move || {
                    hall.issued(&hall.clerk1, case, "receipt")["number"]
                        .as_str()
                        .expect("number")
                        .to_owned()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    assert_eq!(numbers.len(), 12, "no number twice");
    let sequences: Vec<u32> = numbers
        .iter()
        .map(|n| {
            n.trim_end_matches('号')
                .rsplit('〕')
                .next()
                .expect("seq")
                .parse()
                .expect("digits")
        })
        .collect();
    assert_eq!(sequences, (1..=12).collect::<Vec<_>>(), "no gaps");
    // Another kind keeps its own register.
    let refused = hall.app.post(
        "/api/v1/cases",
        Some(&hall.clerk1),
        &json!({"item_id": hall.committed, "applicant": applicant(), "decision": "not_accepted", "reason": "材料不属实"}),
    );
    let refusal = hall.issued(&hall.clerk1, &refused.json(), "refusal");
    assert!(
        refusal["number"]
            .as_str()
            .is_some_and(|n| n.starts_with("西夏不受〔") && n.ends_with("〕00001号"))
    );
}

fn a_centres_own_template_is_checked_at_upload_and_used_for_new_notices_only(backend: Backend) {
    let hall = hall(backend);
    let admin = &hall.admin;
    let clerk = &hall.clerk1;
    let case = hall.accept(clerk, &hall.committed);
    let center = hall.case(clerk, &case)["center_id"]
        .as_str()
        .expect("centre")
        .to_owned();
    let path = format!("/api/v1/centers/{center}/notice-templates/receipt");
    let shipped = hall.app.get(&path, Some(admin)).json();
    assert_eq!(shipped["custom"], false);
    assert!(
        shipped["body"]
            .as_str()
            .is_some_and(|b| b.contains("extends \"layout\""))
    );
    let old = hall.issued(clerk, &case, "receipt");
    let old_html = hall.printed(clerk, &old).text;

    // A bad template is refused at upload with the engine's error, and nothing is kept.
    for (body, says) in [
        ("{% if notice.number %}no end", "syntax error"),
        (
            "{{ notice.number | shout }} {{ notice.facts.case_no }}",
            "shout",
        ),
        (
            "{{ notice.number }} {{ notice.facts.case_no }} {{ notice.facts.applicant_id }}",
            "undefined",
        ),
        ("{{ notice.facts.case_no }} without the number", "number"),
    ] {
        let refused = hall.app.put(&path, Some(admin), &json!({ "body": body }));
        let problem = refused.problem(422);
        assert_eq!(problem["type"], "urn:service-hall:problem:template-invalid");
        assert!(
            problem["detail"].as_str().is_some_and(|d| d.contains(says)),
            "{problem}"
        );
    }
    assert_eq!(hall.app.get(&path, Some(admin)).json()["custom"], false);
    hall.app
        .put(&path, Some(clerk), &json!({"body": "x"}))
        .problem(403);

    let own = "{% extends \"layout\" %}{% block body %}<p>本中心自定义受理通知：{{ notice.facts.case_no }}</p>{% endblock %}\n";
    let put = hall.app.put(&path, Some(admin), &json!({ "body": own }));
    assert_eq!(put.status, 200, "{}", put.text);
    assert_eq!(put.json()["custom"], true);
    let new = hall.issued(clerk, &case, "receipt");
    assert!(
        hall.printed(clerk, &new)
            .text
            .contains("本中心自定义受理通知")
    );
    assert_eq!(
        hall.printed(clerk, &old).text,
        old_html,
        "an old notice keeps its template"
    );

    let back = hall
        .app
        .send("DELETE", &path, Some(admin), "application/json", "");
    assert_eq!(back.status, 200, "{}", back.text);
    assert_eq!(back.json()["custom"], false);
    let audit = hall
        .app
        .get("/api/v1/audit?action=notice_template.put", Some(admin))
        .json();
    assert_eq!(audit["items"].as_array().map(Vec::len), Some(1), "{audit}");
    let newer = hall.issued(clerk, &case, "receipt");
    assert!(
        !hall
            .printed(clerk, &newer)
            .text
            .contains("本中心自定义受理通知")
    );
    assert!(
        hall.printed(clerk, &new)
            .text
            .contains("本中心自定义受理通知")
    );
}

on_both_backends!(
    every_kind_is_issued_in_its_state_and_printed_the_same_every_time,
    a_voided_notice_keeps_its_number_and_says_why,
    the_register_numbers_each_kind_consecutively_even_when_issued_at_once,
    a_centres_own_template_is_checked_at_upload_and_used_for_new_notices_only,
);
