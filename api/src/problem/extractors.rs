//! actix's own errors (JSON bodies, query strings, paths, bodiless statuses, unknown routes)
//! answered as problems too.

use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use domain::ValidationErrors;

use super::{ApiError, PROBLEM_JSON, Problem, ProblemType};

/// Maps actix's JSON body errors: syntax ⇒ 400, wrong values ⇒ 422, size ⇒ 413.
pub fn json_error(error: JsonPayloadError, _: &HttpRequest) -> actix_web::Error {
    let api = match &error {
        JsonPayloadError::Overflow { limit }
        | JsonPayloadError::OverflowKnownLength { limit, .. } => ApiError::TooLarge(*limit),
        JsonPayloadError::ContentType => ApiError::UnsupportedMediaType(
            "the body must be JSON (Content-Type: application/json)".into(),
        ),
        JsonPayloadError::Deserialize(e) if e.is_data() => ApiError::Invalid(
            ValidationErrors::single("body", without_values(&e.to_string())),
        ),
        JsonPayloadError::Deserialize(e) => ApiError::Malformed(format!("malformed JSON: {e}")),
        other => ApiError::Malformed(format!("the body cannot be read: {other}")),
    };
    api.into()
}

/// Maps actix's query-string errors to 400 (the operations read their parameters with
/// [`crate::parameters::Query`], which names the parameter; this covers anything else).
pub fn query_error(error: QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    match &error {
        QueryPayloadError::Deserialize(cause) => query_refusal(None, &cause.to_string()),
        other => ApiError::Malformed(format!("the query string cannot be read: {other}")),
    }
    .into()
}

/// The refusal of a query string serde could not read: 400, naming the parameter — `name`
/// where the reader knows it, else the one serde's message names. An unknown one (every
/// query struct denies unknown fields) is an `unknown-parameter` problem.
pub fn query_refusal(name: Option<String>, cause: &str) -> ApiError {
    // serde's wording: "unknown field `sort`, expected one of `limit`, `after`".
    if let Some(rest) = cause.strip_prefix("unknown field `") {
        let (name, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let known = expected
            .split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect();
        return ApiError::UnknownParameters {
            unknown: vec![name.to_owned()],
            known,
        };
    }
    let missing = cause
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split_once('`'))
        .map(|(name, _)| name.to_owned());
    match name.or(missing) {
        Some(name) => ApiError::UnreadableParameter {
            name,
            why: without_values(cause),
        },
        None => ApiError::Malformed(format!(
            "a query parameter cannot be read: {}",
            without_values(cause)
        )),
    }
}

/// A serde message with the values the client sent left out (`invalid type: integer
/// `110101199003077777`, expected a string` ⇒ `invalid type: an integer, expected a string`):
/// an answer, and the logs of whatever relays it, never repeat an ID number sent in the wrong
/// place. Names of fields and the expectations stay.
pub fn without_values(message: &str) -> String {
    const VALUES: [(&str, &str); 5] = [
        ("string \"", "a string"),
        ("integer `", "an integer"),
        ("floating point `", "a number"),
        ("character `", "a character"),
        ("unknown variant `", "an unknown variant"),
    ];
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    'scan: while !rest.is_empty() {
        for (opening, replacement) in VALUES {
            if let Some(after) = rest.strip_prefix(opening) {
                out.push_str(replacement);
                // Up to the closing mark, skipping escaped ones.
                let close = if opening.ends_with('"') { '"' } else { '`' };
                let mut escaped = false;
                let end = after.char_indices().find_map(|(i, c)| {
                    let closes = c == close && !escaped;
                    escaped = c == '\\' && !escaped;
                    closes.then_some(i + c.len_utf8())
                });
                rest = &after[end.unwrap_or(after.len())..];
                continue 'scan;
            }
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            out.push(c);
        }
        rest = chars.as_str();
    }
    out
}

/// Maps actix's path errors: a path value that cannot be an id names nothing, so 404.
pub fn path_error(error: PathError, _: &HttpRequest) -> actix_web::Error {
    ApiError::NotFound(format!("no such resource ({error})")).into()
}

/// The problem for an error answer that machinery outside the handlers made without a body
/// (a resource's `405`, Swagger UI's `404` under `/docs/`): the status kept, a body added.
pub fn for_status(status: StatusCode) -> HttpResponse {
    let known = match status {
        StatusCode::NOT_FOUND => Some(ApiError::NotFound("no such resource".into())),
        StatusCode::BAD_REQUEST => Some(ApiError::Malformed("the request cannot be read".into())),
        StatusCode::REQUEST_TIMEOUT => Some(ApiError::TimedOut),
        StatusCode::INTERNAL_SERVER_ERROR => {
            Some(ApiError::Internal("an error answer without a body".into()))
        }
        _ => None,
    };
    if let Some(error) = known {
        return error.error_response();
    }
    // The set being closed, a status with no type of its own gets its class's general type.
    let kind = match status {
        StatusCode::METHOD_NOT_ALLOWED => ProblemType::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => ProblemType::TooLarge,
        StatusCode::URI_TOO_LONG => ProblemType::UriTooLong,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ProblemType::UnsupportedMediaType,
        StatusCode::NOT_IMPLEMENTED => ProblemType::NotImplemented,
        StatusCode::BAD_GATEWAY => ProblemType::BadGateway,
        StatusCode::SERVICE_UNAVAILABLE => ProblemType::Unavailable,
        StatusCode::GATEWAY_TIMEOUT => ProblemType::GatewayTimeout,
        StatusCode::HTTP_VERSION_NOT_SUPPORTED => ProblemType::HttpVersionNotSupported,
        other if other.is_server_error() => ProblemType::Internal,
        _ => ProblemType::Malformed,
    };
    let title = status.canonical_reason().unwrap_or("Error");
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)))
        .json(Problem::new(kind, status, title.to_owned(), Vec::new()))
}

/// Unknown routes.
pub async fn no_route() -> ApiError {
    ApiError::NotFound("no such route".into())
}
