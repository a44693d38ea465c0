//! Stories of the hall's own pages: a kiosk, a hall display, the dashboard and the workbench
//! open as pages under a policy that lets no inline script run, their files come with their
//! types, and a screen set up with a centre code that names no open centre gets a 404, not a
//! page.

use serde_json::json;

use crate::on_both_backends;
use crate::support::{Answer, Backend, TestApp};

const POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; \
     form-action 'self'";

/// A hall with one centre, coded `640105`.
fn hall_with_a_centre(backend: Backend) -> (TestApp, String) {
    let app = TestApp::start(backend);
    let admin = app.admin_token();
    let center = app.post(
        "/api/v1/centers",
        Some(&admin),
        &json!({"code": "640105", "name": "西夏区政务服务中心 <总厅>"}),
    );
    assert_eq!(center.status, 201, "{}", center.text);
    let id = center.json()["id"].as_str().expect("an id").to_owned();
    (app, id)
}

/// Asserts a page: HTML under the policy, with no script or style written into it.
fn assert_page(answer: &Answer, path: &str) {
    assert_eq!(answer.status, 200, "{path}: {}", answer.text);
    assert_eq!(answer.content_type, "text/html; charset=utf-8", "{path}");
    assert_eq!(
        answer.header("Content-Security-Policy"),
        Some(POLICY),
        "{path}"
    );
    assert_eq!(answer.header("X-Content-Type-Options"), Some("nosniff"));
    assert_eq!(answer.header("Referrer-Policy"), Some("no-referrer"));
    let html = answer.text.to_ascii_lowercase();
    for script in html.match_indices("<script").map(|(at, _)| &html[at..]) {
        let tag = &script[..script.find('>').expect("a closed tag")];
        assert!(tag.contains(" src="), "{path} has an inline script: {tag}");
    }
    assert!(!html.contains(" style="), "{path} has a style attribute");
    assert!(!html.contains("<style"), "{path} has a style element");
    assert!(!html.contains(" onclick="), "{path} has an inline handler");
}

fn every_page_opens_under_a_policy_that_runs_no_inline_script(backend: Backend) {
    let (app, center) = hall_with_a_centre(backend);
    for path in [
        "/kiosk/640105",
        "/display/640105",
        "/dashboard",
        "/workbench",
    ] {
        assert_page(&app.get(path, None), path);
    }
    let kiosk = app.get("/kiosk/640105?idle=5", None);
    assert_page(&kiosk, "/kiosk/640105?idle=5");
    assert!(
        kiosk.text.contains(&format!("data-center-id=\"{center}\"")),
        "the kiosk knows its centre: {}",
        kiosk.text
    );
    assert!(
        kiosk.text.contains("西夏区政务服务中心 &lt;总厅&gt;"),
        "the centre's name is written as text: {}",
        kiosk.text
    );
}

fn a_screen_set_up_with_an_unknown_or_closed_centre_code_gets_a_404(backend: Backend) {
    let (app, center) = hall_with_a_centre(backend);
    for path in [
        "/kiosk/999999",
        "/display/999999",
        "/kiosk/%3Cscript%3E",
        "/display/..%2F..",
    ] {
        app.get(path, None).problem(404);
    }
    // A centre that closed keeps its code in the history, but its screens go dark.
    let closed = app.post(
        &format!("/api/v1/centers/{center}/deactivate"),
        Some(&app.admin_token()),
        &json!({}),
    );
    assert_eq!(closed.status, 200, "{}", closed.text);
    app.get("/kiosk/640105", None).problem(404);
    app.get("/display/640105", None).problem(404);
}

fn the_pages_files_come_with_their_types_and_unknown_ones_are_404(backend: Backend) {
    let (app, _) = hall_with_a_centre(backend);
    for (path, kind) in [
        ("/assets/common/hall.css", "text/css; charset=utf-8"),
        ("/assets/common/api.js", "text/javascript; charset=utf-8"),
        ("/assets/kiosk/kiosk.js", "text/javascript; charset=utf-8"),
    ] {
        let asset = app.get(path, None);
        assert_eq!(asset.status, 200, "{path}: {}", asset.text);
        assert_eq!(asset.content_type, kind, "{path}");
        assert_eq!(asset.header("X-Content-Type-Options"), Some("nosniff"));
        let tag = asset.header("ETag").expect("an ETag").to_owned();
        let again = app.get_with_header(path, ("If-None-Match", &tag));
        assert_eq!(again.status, 304, "{path} is not sent again unchanged");
    }
    let icon = app.get("/favicon.ico", None);
    assert_eq!(icon.status, 200, "{}", icon.text);
    assert_eq!(icon.content_type, "image/svg+xml");
    assert!(icon.text.starts_with("<svg"), "{}", icon.text);
    // An SVG opened by itself is a document: it runs under the same policy as the pages.
    assert_eq!(icon.header("Content-Security-Policy"), Some(POLICY));
    for path in [
        "/assets/common/nothing.js",
        "/assets/../Cargo.toml",
        "/assets/common/../../src/pages.rs",
        "/assets/",
    ] {
        app.get(path, None).problem(404);
    }
}

fn a_head_request_for_a_page_is_answered_like_a_get_without_the_page(backend: Backend) {
    let (app, _) = hall_with_a_centre(backend);
    for path in [
        "/kiosk/640105",
        "/display/640105",
        "/dashboard",
        "/workbench",
        "/assets/common/api.js",
        "/favicon.ico",
    ] {
        let get = app.get(path, None);
        let head = app
            .try_send("HEAD", path, None, &[], "")
            .expect("HTTP exchange");
        assert_eq!(head.status, 200, "HEAD {path}");
        assert_eq!(head.content_type, get.content_type, "HEAD {path}");
        assert_eq!(head.header("Content-Security-Policy"), Some(POLICY));
        assert_eq!(head.text, "", "HEAD {path} sends no body");
    }
    let unknown = app
        .try_send("HEAD", "/kiosk/999999", None, &[], "")
        .expect("HTTP exchange");
    assert_eq!(unknown.status, 404);
}

fn a_path_under_a_page_that_names_no_page_is_a_404_problem(backend: Backend) {
    let (app, _) = hall_with_a_centre(backend);
    for path in [
        "/kiosk/",
        "/kiosk",
        "/kiosk/640105/guide",
        "/display/640105/",
        "/dashboard/charts",
        "/workbench/index.html",
    ] {
        app.get(path, None).problem(404);
    }
}

fn a_screen_address_that_asks_too_often_is_refused_whatever_the_code(backend: Backend) {
    let app = TestApp::start_configured(backend, |config| config.public_rate = 5);
    let admin = app.admin_token();
    let center = app.post(
        "/api/v1/centers",
        Some(&admin),
        &json!({"code": "640105", "name": "西夏区政务服务中心"}),
    );
    assert_eq!(center.status, 201, "{}", center.text);
    // Known and unknown codes alike draw on the address's allowance, so probing for codes
    // is as slow as looking cases up.
    for path in [
        "/kiosk/640105",
        "/kiosk/000000",
        "/display/640105",
        "/display/999999",
    ] {
        let answer = app.get(path, None);
        assert!(
            matches!(answer.status, 200 | 404),
            "{path}: {}",
            answer.text
        );
    }
    assert_page(&app.get("/dashboard", None), "/dashboard");
    for path in ["/kiosk/640105", "/kiosk/000000", "/workbench"] {
        let refused = app.get(path, None);
        assert_eq!(refused.status, 429, "{path}: {}", refused.text);
        assert_eq!(refused.content_type, "application/problem+json", "{path}");
    }
    // The pages' files are fixed and stay served.
    assert_eq!(app.get("/assets/common/api.js", None).status, 200);
}

on_both_backends!(
    a_screen_address_that_asks_too_often_is_refused_whatever_the_code,
    a_head_request_for_a_page_is_answered_like_a_get_without_the_page,
    a_path_under_a_page_that_names_no_page_is_a_404_problem,
    every_page_opens_under_a_policy_that_runs_no_inline_script,
    a_screen_set_up_with_an_unknown_or_closed_centre_code_gets_a_404,
    the_pages_files_come_with_their_types_and_unknown_ones_are_404,
);
