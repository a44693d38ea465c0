//! Stories of browser apps: a dashboard on another site calls the API through CORS, answers
//! come gzipped when asked, settled statistics are cached and revalidated, personal data and
//! the kiosk lookup never are, and `/docs` leads to Swagger UI.

use std::io::Read;

use serde_json::json;

use crate::cases::{Hall, hall, id, legacy_case};
use crate::on_both_backends;
use crate::support::{Backend, TestApp};

const DASHBOARD: &str = "https://dashboard.example.gov.cn";
const FOREIGN: &str = "https://elsewhere.example.com";

/// An answer as bytes, its headers as sent.
struct Raw {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Raw {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a header, joined as one list.
    fn list(&self, name: &str) -> String {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.to_ascii_lowercase())
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn cors_headers(&self) -> Vec<&str> {
        self.headers
            .iter()
            .map(|(n, _)| n.as_str())
            .filter(|n| n.to_ascii_lowercase().starts_with("access-control-"))
            .collect()
    }

    fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("UTF-8")
    }
}

/// One exchange as a browser makes it: any method, any headers, redirects not followed and
/// bodies not decoded.
fn exchange(app: &TestApp, method: &str, path: &str, headers: &[(&str, &str)]) -> Raw {
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .max_redirects_will_error(false)
        .build()
        .new_agent();
    let url = format!("{}{path}", app.base);
    let mut request = ureq::http::Request::builder().method(method).uri(url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request.body(()).expect("a request");
    let mut response = agent.run(request).expect("an HTTP answer");
    let headers = response
        .headers()
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or_default().to_owned()))
        .collect();
    let mut body = Vec::new();
    response
        .body_mut()
        .as_reader()
        .read_to_end(&mut body)
        .expect("the body");
    Raw {
        status: response.status().as_u16(),
        headers,
        body,
    }
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut plain = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut plain)
        .expect("gzip");
    plain
}

#[test]
fn a_dashboard_on_a_listed_origin_reads_the_figures_and_another_origin_cannot() {
    let app = TestApp::start_configured(Backend::Sqlite, |config| {
        config.cors_origins = vec![format!("{DASHBOARD}/"), "http://localhost:5173".into()];
    });
    let token = app.admin_token();
    let bearer = format!("Bearer {token}");
    let summary = "/api/v1/stats/summary?from=2024-01-01";

    // The browser asks first, since the request carries a token.
    let preflight = exchange(
        &app,
        "OPTIONS",
        summary,
        &[
            ("Origin", DASHBOARD),
            ("Access-Control-Request-Method", "GET"),
            (
                "Access-Control-Request-Headers",
                "authorization, if-none-match",
            ),
        ],
    );
    assert!(
        (200..300).contains(&preflight.status),
        "{}",
        preflight.text()
    );
    assert_eq!(
        preflight.header("Access-Control-Allow-Origin"),
        Some(DASHBOARD)
    );
    let methods = preflight.list("Access-Control-Allow-Methods");
    for method in ["get", "post", "put", "delete"] {
        assert!(methods.contains(method), "{methods}");
    }
    let headers = preflight.list("Access-Control-Allow-Headers");
    for header in [
        "authorization",
        "content-type",
        "idempotency-key",
        "if-none-match",
    ] {
        assert!(headers.contains(header), "{headers}");
    }
    assert_eq!(preflight.header("Access-Control-Max-Age"), Some("3600"));
    assert_eq!(preflight.header("Access-Control-Allow-Credentials"), None);

    // Then the request itself: readable by the dashboard, with the headers it needs.
    let answer = exchange(
        &app,
        "GET",
        summary,
        &[("Origin", DASHBOARD), ("Authorization", &bearer)],
    );
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(
        answer.header("Access-Control-Allow-Origin"),
        Some(DASHBOARD)
    );
    assert!(answer.list("Vary").contains("origin"));
    let exposed = answer.list("Access-Control-Expose-Headers");
    for header in ["etag", "retry-after", "x-request-id"] {
        assert!(exposed.contains(header), "{exposed}");
    }
    assert!(answer.header("X-Request-Id").is_some());
    let figures: serde_json::Value = serde_json::from_slice(&answer.body).expect("JSON");
    assert_eq!(figures["received"], 0);

    // A problem answer is readable too: the dashboard can show why.
    let refused = exchange(&app, "GET", summary, &[("Origin", DASHBOARD)]);
    assert_eq!(refused.status, 401);
    assert_eq!(
        refused.header("Access-Control-Allow-Origin"),
        Some(DASHBOARD)
    );

    // Another site gets its answers without a single CORS header, so its pages cannot read
    // them; its preflight is refused with a problem.
    let foreign = exchange(
        &app,
        "GET",
        summary,
        &[("Origin", FOREIGN), ("Authorization", &bearer)],
    );
    assert_eq!(foreign.status, 200);
    assert_eq!(foreign.cors_headers(), Vec::<&str>::new());
    let foreign_preflight = exchange(
        &app,
        "OPTIONS",
        summary,
        &[
            ("Origin", FOREIGN),
            ("Access-Control-Request-Method", "GET"),
        ],
    );
    assert!(
        foreign_preflight.status >= 400,
        "{}",
        foreign_preflight.text()
    );
    assert_eq!(foreign_preflight.cors_headers(), Vec::<&str>::new());
    assert_eq!(
        foreign_preflight.header("Content-Type"),
        Some("application/problem+json")
    );
    // A method the API never takes is not granted either.
    let patch = exchange(
        &app,
        "OPTIONS",
        summary,
        &[
            ("Origin", DASHBOARD),
            ("Access-Control-Request-Method", "PATCH"),
        ],
    );
    assert!(patch.status >= 400);
    assert_eq!(patch.header("Access-Control-Allow-Origin"), None);
}

#[test]
fn without_listed_origins_no_answer_carries_cors_headers() {
    let app = TestApp::start(Backend::Sqlite);
    let preflight = exchange(
        &app,
        "OPTIONS",
        "/api/v1/stats/summary",
        &[
            ("Origin", DASHBOARD),
            ("Access-Control-Request-Method", "GET"),
        ],
    );
    assert!(preflight.status >= 400, "{}", preflight.text());
    assert_eq!(preflight.cors_headers(), Vec::<&str>::new());
    let answer = exchange(
        &app,
        "GET",
        "/api/v1/public/items",
        &[("Origin", DASHBOARD)],
    );
    assert_eq!(answer.status, 200);
    assert_eq!(answer.cors_headers(), Vec::<&str>::new());
}

#[test]
fn answers_come_gzipped_when_asked_and_plain_otherwise() {
    let hall = hall(Backend::Sqlite);
    let receipt = hall.accept(&hall.clerk1, &hall.committed);
    let bearer = format!("Bearer {}", hall.clerk1);
    let path = format!("/api/v1/cases/{}", id(&receipt));
    for path in [path.as_str(), "/api-docs/openapi.json"] {
        let plain = exchange(&hall.app, "GET", path, &[("Authorization", &bearer)]);
        assert_eq!(plain.status, 200, "{}", plain.text());
        assert_eq!(plain.header("Content-Encoding"), None, "{path}");
        let gzipped = exchange(
            &hall.app,
            "GET",
            path,
            &[("Authorization", &bearer), ("Accept-Encoding", "gzip")],
        );
        assert_eq!(gzipped.status, 200);
        assert_eq!(gzipped.header("Content-Encoding"), Some("gzip"), "{path}");
        assert!(gzipped.list("Vary").contains("accept-encoding"));
        assert_eq!(gunzip(&gzipped.body), plain.body, "{path}");
        assert_eq!(gzipped.header("X-Content-Type-Options"), Some("nosniff"));
        if path.starts_with("/api/v1/") {
            assert_eq!(gzipped.header("Cache-Control"), Some("no-store"));
        }
    }
    // The whole document shrinks to a fraction: a quarter or less at gzip's fastest level
    // (about a fifth as it stands; its prose compresses less than its repeated schemas).
    let doc = exchange(
        &hall.app,
        "GET",
        "/api-docs/openapi.json",
        &[("Accept-Encoding", "gzip, deflate, br")],
    );
    assert_eq!(doc.header("Content-Encoding"), Some("gzip"));
    assert!(gunzip(&doc.body).len() > 4 * doc.body.len());

    // A problem is compressed like any answer; a client refusing every coding the hall has
    // gets a problem, plain.
    let missing = exchange(
        &hall.app,
        "GET",
        "/api/v1/nowhere",
        &[("Accept-Encoding", "gzip")],
    );
    assert_eq!(missing.status, 404);
    let problem: serde_json::Value =
        serde_json::from_slice(&gunzip(&missing.body)).expect("a problem");
    assert_eq!(problem["status"], 404);
    let refusing = exchange(
        &hall.app,
        "GET",
        "/healthz",
        &[("Accept-Encoding", "br, identity;q=0")],
    );
    assert_eq!(refusing.status, 406);
    assert_eq!(
        refusing.header("Content-Type"),
        Some("application/problem+json")
    );
}

#[test]
fn docs_lead_to_swagger_ui() {
    let app = TestApp::start(Backend::Sqlite);
    let docs = exchange(&app, "GET", "/docs", &[]);
    assert!(matches!(docs.status, 301 | 308), "{}", docs.status);
    assert_eq!(docs.header("Location"), Some("/docs/"));
    let ui = exchange(&app, "GET", "/docs/", &[]);
    assert_eq!(ui.status, 200);
    assert!(ui.text().contains("swagger"), "{}", ui.text());
}

/// A case received on 28 September 2012, imported from the legacy system, so that the
/// hall's past has figures.
fn hall_with_a_past(backend: Backend) -> Hall {
    let hall = hall(backend);
    let body = format!(
        "{}\n",
        legacy_case(json!([{"action": "start", "at": "2012-09-28T10:00:00+08:00"}]))
    );
    let imported = hall.app.send(
        "POST",
        "/api/v1/imports/cases",
        Some(&hall.admin),
        "application/x-ndjson",
        &body,
    );
    assert_eq!(imported.status, 201, "{}", imported.text);
    hall
}

fn a_settled_period_is_cached_and_revalidated_and_today_is_not(backend: Backend) {
    let hall = hall_with_a_past(backend);
    let analyst = format!("Bearer {}", hall.analyst);
    let get = |path: &str, headers: &[(&str, &str)]| {
        let mut all = vec![("Authorization", analyst.as_str())];
        all.extend_from_slice(headers);
        exchange(&hall.app, "GET", path, &all)
    };
    for path in [
        "/api/v1/stats/summary?from=2012-09-01&to=2012-09-30&as_of=2012-10-12",
        "/api/v1/stats/breakdown?by=day&from=2012-09-01&to=2012-09-30&as_of=2012-09-30",
        "/api/v1/reports/2012",
        "/api/v1/reports/2012?through=2012-09-30&format=csv",
    ] {
        let first = get(path, &[]);
        assert_eq!(first.status, 200, "{path}: {}", first.text());
        assert_eq!(
            first.header("Cache-Control"),
            Some("private, max-age=3600"),
            "{path}"
        );
        let vary = first.list("Vary");
        assert!(
            vary.contains("authorization") && vary.contains("accept"),
            "{vary}"
        );
        let tag = first.header("ETag").expect("an ETag").to_owned();
        assert!(tag.starts_with('"') && tag.ends_with('"'), "strong: {tag}");

        let again = get(path, &[("If-None-Match", &tag)]);
        assert_eq!(again.status, 304, "{path}");
        assert!(again.body.is_empty());
        assert_eq!(again.header("ETag"), Some(tag.as_str()));
        assert_eq!(again.header("Cache-Control"), Some("private, max-age=3600"));

        let other = get(path, &[("If-None-Match", "\"something else\"")]);
        assert_eq!(other.status, 200);
        assert_eq!(other.body, first.body);
        assert_eq!(other.header("ETag"), Some(tag.as_str()), "the same tag");

        // Compressed, the same answer and the same tag.
        let gzipped = get(path, &[("Accept-Encoding", "gzip")]);
        assert_eq!(gunzip(&gzipped.body), first.body);
        assert_eq!(gzipped.header("ETag"), Some(tag.as_str()));
    }
    // Another caller's reach is another answer with another tag.
    let path = "/api/v1/stats/summary?from=2012-09-01&to=2012-09-30&as_of=2012-10-12";
    let analysts = get(path, &[]);
    let figures: serde_json::Value = serde_json::from_slice(&analysts.body).expect("JSON");
    assert_eq!(figures["received"], 1, "the imported case counts");
    let analysts = analysts.header("ETag").map(str::to_owned);
    let clerk2 = exchange(
        &hall.app,
        "GET",
        path,
        &[("Authorization", &format!("Bearer {}", hall.clerk2))],
    );
    assert_eq!(clerk2.status, 200);
    assert_ne!(clerk2.header("ETag").map(str::to_owned), analysts);

    // Today, or a period reaching today, may still change: never stored, never tagged; nor
    // a refusal about a settled period.
    let today = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("offset"))
        .date_naive();
    let year = chrono::Datelike::year(&today);
    for path in [
        "/api/v1/stats/summary".to_owned(),
        "/api/v1/stats/summary?from=2012-09-01&to=2012-09-30".to_owned(),
        format!("/api/v1/stats/summary?from=2012-09-01&to=2012-09-30&as_of={today}"),
        format!("/api/v1/stats/breakdown?by=day&to={today}&as_of={today}"),
        "/api/v1/stats/catalogue".to_owned(),
        format!("/api/v1/reports/{year}"),
        "/api/v1/stats/breakdown?by=planet&to=2012-09-30&as_of=2012-09-30".to_owned(),
    ] {
        let answer = get(&path, &[]);
        assert!(matches!(answer.status, 200 | 400 | 422), "{path}");
        assert_eq!(answer.header("Cache-Control"), Some("no-store"), "{path}");
        assert_eq!(answer.header("ETag"), None, "{path}");
    }
}

fn personal_data_and_the_kiosk_lookup_are_never_stored(backend: Backend) {
    let hall = hall(backend);
    let receipt = hall.accept(&hall.clerk1, &hall.committed);
    let case = id(&receipt);
    let bearer = format!("Bearer {}", hall.clerk1);
    for path in [
        format!("/api/v1/cases/{case}"),
        format!("/api/v1/cases/{case}/events"),
        format!("/api/v1/cases/{case}/deadline"),
        "/api/v1/cases".to_owned(),
        "/api/v1/auth/me".to_owned(),
    ] {
        let answer = exchange(&hall.app, "GET", &path, &[("Authorization", &bearer)]);
        assert_eq!(answer.status, 200, "{path}: {}", answer.text());
        assert_eq!(answer.header("Cache-Control"), Some("no-store"), "{path}");
    }
    let lookup = format!(
        "/api/v1/public/cases/{}?code={}",
        receipt["case_no"].as_str().expect("number"),
        receipt["query_code"].as_str().expect("code")
    );
    let kiosk = exchange(&hall.app, "GET", &lookup, &[("Accept-Encoding", "gzip")]);
    assert_eq!(kiosk.status, 200, "{}", kiosk.text());
    assert_eq!(kiosk.header("Cache-Control"), Some("no-store"));
    assert_eq!(kiosk.header("ETag"), None);
    let wrong = exchange(
        &hall.app,
        "GET",
        &format!(
            "/api/v1/public/cases/{}?code=000000",
            receipt["case_no"].as_str().expect("number")
        ),
        &[],
    );
    assert_eq!(wrong.header("Cache-Control"), Some("no-store"));
}

on_both_backends!(
    a_settled_period_is_cached_and_revalidated_and_today_is_not,
    personal_data_and_the_kiosk_lookup_are_never_stored,
);
