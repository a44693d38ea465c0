//! One log line per request, naming the route pattern rather than the URL: query strings
//! and paths may carry an applicant's ID number (`GET /cases?q=…`), and personal data never
//! goes to the logs.

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use tracing::Span;
use tracing_actix_web::RootSpanBuilder;

/// Builds the request span from the method and the matched route only.
#[derive(Debug)]
pub struct RouteOnly;

impl RootSpanBuilder for RouteOnly {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let route = request
            .match_pattern()
            .unwrap_or_else(|| "(no route)".to_owned());
        tracing::info_span!("request", method = %request.method(), route = %route)
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
