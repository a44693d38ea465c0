//! One log line per request, naming the route pattern rather than the URL: query strings
//! and paths may carry an applicant's ID number (`GET /cases?q=…`), and personal data never
//! goes to the logs.

use std::rc::Rc;

use actix_web::Error;
use actix_web::HttpMessage;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use tracing::Span;
use tracing_actix_web::RootSpanBuilder;

/// The header that carries a request's id, taken from the client or a proxy when it looks
/// like an id, otherwise made here, and returned on the response.
pub const REQUEST_ID: &str = "x-request-id";

/// The request's id: the caller's when it is 1–64 letters, digits, `-`, `_` or `.`, else a
/// new UUID v7.
pub fn request_id(request: &ServiceRequest) -> String {
    request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|id| {
            (1..=64).contains(&id.len())
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        })
        .map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_owned)
}

/// The route pattern a request matched, found once and kept with the request. Actix finds a
/// pattern by trying every route's pattern again each time it is asked (a regular expression
/// for each route with a parameter), and the log line, the metrics, the parameter check and
/// the compression rule all ask: asked four times, it cost a kiosk lookup more than its
/// database work (docs/BENCHMARKS.md, issue 19).
pub fn route_pattern(request: &ServiceRequest) -> Option<Rc<str>> {
    if let Some(Matched(pattern)) = request.extensions().get::<Matched>() {
        return pattern.clone();
    }
    let pattern: Option<Rc<str>> = request.match_pattern().map(Rc::from);
    request.extensions_mut().insert(Matched(pattern.clone()));
    pattern
}

/// What [`route_pattern`] found, in the request's extensions.
struct Matched(Option<Rc<str>>);

/// Builds the request span from the method and the matched route only.
#[derive(Debug)]
pub struct RouteOnly;

impl RootSpanBuilder for RouteOnly {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let route = route_pattern(request);
        let route = route.as_deref().unwrap_or("(no route)");
        let id = request
            .headers()
            .get(REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        tracing::info_span!("request", method = %request.method(), route = %route, request_id = %id)
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        let status = match outcome {
            Ok(response) => response.status().as_u16(),
            Err(error) => error.as_response_error().status_code().as_u16(),
        };
        let _entered = span.enter();
        tracing::info!(status, "request finished");
    }
}
