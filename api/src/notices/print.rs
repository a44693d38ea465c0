//! Rendering a notice: minijinja with HTML autoescape and strict undefined values, the
//! shipped layout always at hand as `layout`, a `cn_date` filter, and for a receipt its
//! query code and a QR code (inline SVG) leading to the kiosk lookup of the case.

use domain::case::workflow::QueryCodes;
use domain::ids::CaseId;
use domain::notice::workflow::{NoticePrinter, Printed};
use domain::notice::{NoticeDocument, NoticeFacts, NoticeKind};
use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value, context};
use qrcode::QrCode;
use qrcode::render::svg;
use sha2::{Digest, Sha256};

use crate::query_code::QueryCodeKey;

const LAYOUT: &str = include_str!("../../templates/notices/layout.html.j2");

/// The shipped template of a kind: one file per kind under `api/templates/notices/`.
pub fn shipped_template(kind: NoticeKind) -> &'static str {
    match kind {
        NoticeKind::Receipt => include_str!("../../templates/notices/receipt.html.j2"),
        NoticeKind::Refusal => include_str!("../../templates/notices/refusal.html.j2"),
        NoticeKind::Supplement => include_str!("../../templates/notices/supplement.html.j2"),
        NoticeKind::Extension => include_str!("../../templates/notices/extension.html.j2"),
        NoticeKind::Decision => include_str!("../../templates/notices/decision.html.j2"),
        NoticeKind::Delivery => include_str!("../../templates/notices/delivery.html.j2"),
    }
}

/// Prints notices with the hall's query-code key.
#[derive(Debug, Clone)]
pub struct Printer {
    codes: QueryCodeKey,
}

impl Printer {
    /// A printer deriving receipts' query codes with `codes`.
    pub fn new(codes: QueryCodeKey) -> Self {
        Self { codes }
    }
}

/// `2012-09-28` as `2012年9月28日`; anything else as it is, none as nothing.
pub(crate) fn cn_date(value: Option<String>) -> String {
    let Some(text) = value else {
        return String::new();
    };
    match text.parse::<chrono::NaiveDate>() {
        Ok(day) => {
            use chrono::Datelike;
            format!("{}年{}月{}日", day.year(), day.month(), day.day())
        }
        Err(_) => text,
    }
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.add_filter("cn_date", cn_date);
    // The shipped layout parses: a unit test renders every shipped template.
    let _ = env.add_template("layout", LAYOUT);
    env
}

/// The QR code of `text` as an SVG element to put inline in HTML: no XML declaration and no
/// namespace (an HTML parser needs neither), so the document names no address at all.
fn qr_svg(text: &str) -> Result<String, String> {
    let code = QrCode::new(text.as_bytes()).map_err(|e| e.to_string())?;
    let svg = code
        .render::<svg::Color>()
        .min_dimensions(160, 160)
        .quiet_zone(true)
        .build();
    let start = svg.find("<svg").unwrap_or(0);
    Ok(svg[start..].replacen(r#" xmlns="http://www.w3.org/2000/svg""#, "", 1))
}

fn render(
    template: &str,
    document: &NoticeDocument<'_>,
    lookup: Option<Value>,
) -> Result<String, minijinja::Error> {
    let mut env = environment();
    env.add_template("notice", template)?;
    env.get_template("notice")?.render(
        context! { notice => Value::from(minijinja::value::Serde(document)), lookup => lookup },
    )
}

fn digest(html: &str) -> String {
    Sha256::digest(html.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// An engine error with where it happened, for the administrator who uploaded the template.
fn explained(error: &minijinja::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

impl Printer {
    fn lookup(&self, document: &NoticeDocument<'_>, case: CaseId) -> Result<Option<Value>, String> {
        if document.kind != NoticeKind::Receipt {
            return Ok(None);
        }
        let code = self.codes.code_for(case);
        let url = format!(
            "{}/api/v1/public/cases/{}?code={code}",
            document.facts.lookup_base, document.facts.case_no
        );
        Ok(Some(context! {
            code => code,
            qr_svg => Value::from_safe_string(qr_svg(&url)?),
        }))
    }
}

impl NoticePrinter for Printer {
    fn default_template(&self, kind: NoticeKind) -> String {
        shipped_template(kind).to_owned()
    }

    fn print(
        &self,
        template: &str,
        document: &NoticeDocument<'_>,
        case: CaseId,
    ) -> Result<Printed, String> {
        let lookup = self.lookup(document, case)?;
        let html = render(template, document, lookup).map_err(|e| explained(&e))?;
        Ok(Printed {
            sha256: digest(&html),
            html,
        })
    }
}

/// Whether `template` will print notices of `kind`: it must parse and render on sample facts
/// with every part filled and with every optional part left out, so that a bad template is
/// refused when it is uploaded, never when a notice is printed. The engine's error otherwise.
pub fn check_template(kind: NoticeKind, template: &str) -> Result<(), String> {
    let printer = Printer::new(QueryCodeKey::new(b"sample facts only"));
    for full in [true, false] {
        let mut facts = NoticeFacts::sample(full);
        // Each kind is issued only when its own part is there.
        if !full {
            match kind {
                NoticeKind::Refusal => {
                    facts.refusal_reason = NoticeFacts::sample(true).refusal_reason
                }
                NoticeKind::Extension => facts.extension = NoticeFacts::sample(true).extension,
                NoticeKind::Decision => facts.decision = NoticeFacts::sample(true).decision,
                NoticeKind::Delivery => facts.delivery = NoticeFacts::sample(true).delivery,
                NoticeKind::Receipt | NoticeKind::Supplement => {}
            }
        }
        let void = domain::notice::VoidMark {
            at: chrono::DateTime::UNIX_EPOCH,
            on: chrono::NaiveDate::default(),
            by: domain::ids::UserId::new(),
            reason: "样例".into(),
        };
        for void in [None, Some(&void)] {
            let document = NoticeDocument {
                title: kind.title(),
                kind,
                number: "西夏受〔2012〕00001号",
                issued_on: facts.received_on,
                facts: &facts,
                void,
            };
            let printed = printer.print(template, &document, CaseId::new())?;
            for (what, text) in [
                ("the notice's number", document.number),
                ("the case's number", facts.case_no.as_str()),
            ] {
                if !printed.html.contains(text) {
                    return Err(format!("the document does not show {what}"));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_template_prints_on_sample_facts() {
        for kind in NoticeKind::ALL {
            assert_eq!(
                check_template(kind, shipped_template(kind)),
                Ok(()),
                "{kind:?}"
            );
        }
    }

    #[test]
    fn a_bad_template_is_refused_with_the_engines_error() {
        let unclosed = check_template(NoticeKind::Receipt, "{% if notice.number %}");
        assert!(unclosed.is_err_and(|e| e.contains("syntax error")));
        let filter = check_template(NoticeKind::Receipt, "{{ notice.number | shout }}");
        assert!(filter.is_err_and(|e| e.contains("shout") || e.contains("unknown filter")));
        let typo = check_template(NoticeKind::Receipt, "{{ notice.facts.applicant }}");
        assert!(typo.is_err_and(|e| e.contains("undefined")));
    }

    #[test]
    fn a_receipt_carries_its_query_code_and_a_qr_code_and_names_no_address() {
        let printer = Printer::new(QueryCodeKey::new(b"a secret of at least thirty-two bytes"));
        let facts = NoticeFacts::sample(true);
        let case = CaseId::new();
        let document = NoticeDocument {
            title: NoticeKind::Receipt.title(),
            kind: NoticeKind::Receipt,
            number: "西夏受〔2012〕00001号",
            issued_on: facts.received_on,
            facts: &facts,
            void: None,
        };
        let printed = printer
            .print(shipped_template(NoticeKind::Receipt), &document, case)
            .expect("prints");
        assert!(printed.html.contains("<svg"));
        assert!(printed.html.contains(&printer.codes.code_for(case)));
        assert!(printed.html.contains("@page { size: A4"));
        assert!(!printed.html.contains("http"), "no address in the document");
        let again = printer
            .print(shipped_template(NoticeKind::Receipt), &document, case)
            .expect("prints");
        assert_eq!(again, printed, "the same bytes every time");
        assert_eq!(cn_date(Some("2012-09-28".into())), "2012年9月28日");
    }
}
