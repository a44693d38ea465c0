//! The committed OpenAPI document is the contract: it must match what the code declares
//! and what the server serves. Regenerate with `cargo run -p api --bin hall -- openapi > openapi/openapi.json`.

use crate::support::{Backend, TestApp};

const COMMITTED: &str = include_str!("../../openapi/openapi.json");

#[test]
fn the_committed_openapi_document_matches_the_code() {
    assert!(
        COMMITTED == api::app::openapi_json(),
        "openapi/openapi.json is stale: run `cargo run -p api --bin hall -- openapi > openapi/openapi.json`"
    );
}

#[test]
fn the_served_openapi_document_is_the_committed_one() {
    let app = TestApp::start(Backend::Sqlite);
    let served = app.get("/api-docs/openapi.json", None);
    assert_eq!(served.status, 200);
    let committed: serde_json::Value = serde_json::from_str(COMMITTED).expect("committed JSON");
    assert_eq!(served.json(), committed);
    assert_eq!(app.get("/docs/", None).status, 200);
}

#[test]
fn every_operation_has_an_id_a_summary_and_a_documented_error() {
    let spec: serde_json::Value = serde_json::from_str(COMMITTED).expect("committed JSON");
    let paths = spec["paths"].as_object().expect("paths");
    assert!(paths.len() >= 15);
    for (path, item) in paths {
        for (method, operation) in item.as_object().expect("path item") {
            let name = format!("{method} {path}");
            assert!(
                operation["operationId"].is_string(),
                "{name} has no operationId"
            );
            assert!(operation["summary"].is_string(), "{name} has no summary");
            assert!(
                operation["responses"]
                    .as_object()
                    .is_some_and(|r| !r.is_empty()),
                "{name} documents no response"
            );
        }
    }
}
