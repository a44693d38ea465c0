//! Texting an applicant through the SMS gateway: a generic adapter, one POST per text to
//! `HALL_SMS_URL` with an optional `Authorization` header and a JSON body made from
//! `HALL_SMS_BODY_TEMPLATE`. The text is rendered at send time from the facts queued with the
//! message (templates under `api/templates/sms/`), the query code derived again from the case
//! id, and the phone read sealed from storage: neither is ever written to the outbox, the
//! attempt log or a log line.

use chrono::{DateTime, Utc};
use domain::case::workflow::QueryCodes;
use domain::outbox::{Claimed, EventKind};
use domain::sms::{Recipient, SmsRecipients, TextFacts};
use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value, context};

use super::Attempt;
use crate::state::AppState;

/// The body sent when `HALL_SMS_BODY_TEMPLATE` is unset.
pub const DEFAULT_BODY_TEMPLATE: &str =
    r#"{"phone": {{ phone|tojson }}, "text": {{ text|tojson }}}"#;

/// The shipped text of a kind; `None` for a kind that is not texted ([`TEXTED`] lists those).
pub fn shipped_template(kind: EventKind) -> Option<&'static str> {
    Some(match kind {
        EventKind::CaseAccepted => include_str!("../../templates/sms/case.accepted.txt.j2"),
        EventKind::CasePaused => include_str!("../../templates/sms/case.paused.txt.j2"),
        EventKind::CaseExtended => include_str!("../../templates/sms/case.extended.txt.j2"),
        EventKind::CaseCompleted => include_str!("../../templates/sms/case.completed.txt.j2"),
        EventKind::TicketApproaching => {
            include_str!("../../templates/sms/ticket.approaching.txt.j2")
        }
        _ => return None,
    })
}

/// The gateway as the settings describe it, checked at start.
pub struct Gateway {
    /// Where texts are POSTed.
    pub url: String,
    authorization: Option<String>,
    body_template: String,
}

/// Never prints the authorization.
impl std::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gateway")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl Gateway {
    /// The gateway of `HALL_SMS_URL`, `HALL_SMS_AUTHORIZATION` and `HALL_SMS_BODY_TEMPLATE`;
    /// `None` without a URL. Refused with the reason when the URL is not an http(s) URL or
    /// the template does not make valid JSON of a phone and a text with quotes and a line
    /// break in it.
    pub fn new(
        url: Option<&str>,
        authorization: Option<&str>,
        body_template: Option<&str>,
    ) -> Result<Option<Self>, String> {
        let Some(url) = url.map(str::trim).filter(|u| !u.is_empty()) else {
            return Ok(None);
        };
        // The operator configures the gateway, so a private address is theirs to choose.
        super::address::check(url, true).map_err(|e| format!("HALL_SMS_URL: {e}"))?;
        let gateway = Self {
            url: url.to_owned(),
            authorization: authorization
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_owned),
            body_template: body_template
                .filter(|t| !t.trim().is_empty())
                .unwrap_or(DEFAULT_BODY_TEMPLATE)
                .to_owned(),
        };
        let probe = gateway
            .body("13800138000", "测试 \"引号\" \\ 和\n换行")
            .map_err(|e| format!("HALL_SMS_BODY_TEMPLATE: {e}"))?;
        serde_json::from_str::<serde_json::Value>(&probe).map_err(|e| {
            format!(
                "HALL_SMS_BODY_TEMPLATE does not make valid JSON ({e}); write each value \
                 JSON-escaped, e.g. {{{{ phone|tojson }}}} and {{{{ text|tojson }}}}"
            )
        })?;
        Ok(Some(gateway))
    }

    /// The request body for one text.
    pub fn body(&self, phone: &str, text: &str) -> Result<String, String> {
        let mut env = environment();
        env.set_auto_escape_callback(|_| AutoEscape::None);
        env.render_str(&self.body_template, context! { phone, text })
            .map_err(|e| e.to_string())
    }
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.add_filter("tojson", |value: Value| {
        serde_json::to_string(&value).map_err(|e| {
            minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, e.to_string())
        })
    });
    env.add_filter("cn_date", crate::notices::cn_date);
    env
}

/// The text of a message's facts, with the case's query code for a 受理.
pub fn text(facts: &TextFacts, query_code: Option<&str>) -> Result<String, String> {
    let template = shipped_template(facts.kind)
        .ok_or_else(|| format!("{} is not texted", facts.kind.as_str()))?;
    let rendered = environment()
        .render_str(
            template,
            context! { query_code, ..Value::from(minijinja::value::Serde(facts)) },
        )
        .map_err(|e| e.to_string())?;
    // The template files may wrap lines; a text is one line.
    Ok(rendered.lines().map(str::trim).collect::<String>())
}

/// Sends one message's text to the gateway. A text whose applicant declined texts since it
/// was queued, or whose phone is gone (anonymised), is not sent and counts as delivered: there
/// is nothing to retry, and the attempt log shows it with no status.
pub fn send(
    state: &AppState,
    agent: &ureq::Agent,
    message: &Claimed,
    _at: DateTime<Utc>,
) -> Attempt {
    let Some(gateway) = state.sms.as_deref() else {
        return Attempt::failed(None, "the SMS gateway is not configured".into());
    };
    let recipient = state
        .store
        .read(|conn| conn.sms_recipient(message.case_id, message.ticket_id));
    let phone = match recipient {
        Ok(Recipient::Phone(phone)) => phone,
        Ok(Recipient::OptedOut | Recipient::Unknown) => {
            return Attempt {
                status_code: None,
                error: None,
            };
        }
        Err(error) => return Attempt::failed(None, format!("cannot read the recipient: {error}")),
    };
    let facts: TextFacts = match serde_json::from_str(&message.body) {
        Ok(facts) => facts,
        Err(error) => return Attempt::failed(None, format!("the queued facts: {error}")),
    };
    let code = match (facts.kind, message.case_id) {
        (EventKind::CaseAccepted, Some(case)) => Some(state.query_codes.code_for(case)),
        _ => None,
    };
    let body = match text(&facts, code.as_deref()).and_then(|text| gateway.body(&phone, &text)) {
        Ok(body) => body,
        Err(error) => return Attempt::failed(None, scrub(&error, &phone, code.as_deref())),
    };
    // The subscriber's row holds the URL the last process to start was configured with, as
    // for every channel; the header and body template are this process's.
    let mut request = agent
        .post(&message.url)
        .header("content-type", "application/json");
    if let Some(authorization) = &gateway.authorization {
        request = request.header("authorization", authorization);
    }
    let attempt = Attempt::of(request.send(body.as_bytes()));
    Attempt {
        error: attempt
            .error
            .map(|error| scrub(&error, &phone, code.as_deref())),
        ..attempt
    }
}

/// `text` without the phone or the query code, which a gateway may echo in its error.
fn scrub(text: &str, phone: &str, code: Option<&str>) -> String {
    let text = text.replace(phone, "[phone]");
    match code {
        Some(code) => text.replace(code, "[code]"),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use domain::sms::TEXTED;

    use super::*;

    fn facts(kind: EventKind) -> TextFacts {
        TextFacts {
            kind,
            center_name: "西夏区政务服务中心".into(),
            case_no: Some("640105-20120928-00001".into()),
            item_name: Some("社会团体登记".into()),
            missing_materials: vec!["章程（原件1份）".into(), "验资报告（复印件2份）".into()],
            note: None,
            deadline: chrono::NaiveDate::from_ymd_opt(2012, 10, 11),
            result: Some("准予（出证办结）".into()),
            certificate: Some("社会团体法人登记证书".into()),
            window: Some("5号窗口".into()),
            ticket_number: Some("A017".into()),
            queue_name: Some("综合受理".into()),
            ahead: Some(3),
        }
    }

    #[test]
    fn every_texted_kind_has_a_template_that_renders_its_facts() {
        for kind in TEXTED {
            let text = text(&facts(kind), Some("123456")).expect("renders");
            assert!(text.starts_with("【西夏区政务服务中心】"), "{text}");
            assert!(!text.contains('\n'), "{text}");
        }
        let accepted = text(&facts(EventKind::CaseAccepted), Some("123456")).expect("renders");
        assert!(accepted.contains("640105-20120928-00001") && accepted.contains("123456"));
        let paused = text(&facts(EventKind::CasePaused), None).expect("renders");
        assert!(
            paused.contains("章程（原件1份）、验资报告（复印件2份）"),
            "{paused}"
        );
        let extended = text(&facts(EventKind::CaseExtended), None).expect("renders");
        assert!(extended.contains("2012年10月11日"), "{extended}");
        let completed = text(&facts(EventKind::CaseCompleted), None).expect("renders");
        assert!(completed.contains("准予（出证办结）") && completed.contains("5号窗口"));
        let near = text(&facts(EventKind::TicketApproaching), None).expect("renders");
        assert!(near.contains("A017") && near.contains('3'), "{near}");
        assert!(shipped_template(EventKind::CaseRated).is_none());
    }

    #[test]
    fn the_body_template_must_make_json_of_any_text() {
        let gateway = Gateway::new(Some("http://127.0.0.1:9/sms"), None, None)
            .expect("the default template")
            .expect("a gateway");
        let body = gateway.body("13800138000", "含\"引号\"").expect("renders");
        let json: serde_json::Value = serde_json::from_str(&body).expect("JSON");
        assert_eq!(json["phone"], "13800138000");
        assert_eq!(json["text"], "含\"引号\"");
        let unescaped = Gateway::new(
            Some("http://127.0.0.1:9/sms"),
            None,
            Some(r#"{"to": "{{ phone }}", "msg": "{{ text }}"}"#),
        );
        assert!(unescaped.is_err_and(|e| e.contains("valid JSON")));
        assert!(Gateway::new(Some("ftp://x/"), None, None).is_err());
        assert!(Gateway::new(None, None, None).expect("none").is_none());
    }

    #[test]
    fn a_gateway_error_loses_the_phone_and_the_code() {
        let scrubbed = scrub(
            "bad number 13800138000 for 123456",
            "13800138000",
            Some("123456"),
        );
        assert_eq!(scrubbed, "bad number [phone] for [code]");
    }
}
