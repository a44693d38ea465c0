//! Every error the API answers, as `application/problem+json` (RFC 9457), mapped in one
//! place. A 5xx is logged with its cause and answered with a generic detail.

use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use domain::calendar::CalendarError;
use domain::case::workflow::WorkflowError;
use domain::case::{CaseError, WarningsError};
use domain::idempotency::IdempotencyError;
use domain::repository::RepositoryError;
use domain::{FieldError, ValidationErrors};
use serde::Serialize;
use utoipa::ToSchema;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Declares the closed set of problem types: the enum, its URNs, statuses and meanings.
macro_rules! problem_types {
    ($($(#[doc = $doc:literal])+ $variant:ident = $urn:literal, $status:ident;)+) => {
        /// The kind of a problem: a closed set, each with a stable URN in `type` and one HTTP
        /// status, listed in `docs/API-DESIGN.md`. Clients branch on it, never on `detail`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum ProblemType {
            $($(#[doc = $doc])+ $variant,)+
        }

        impl ProblemType {
            /// Every type.
            pub const ALL: &[Self] = &[$(Self::$variant),+];

            /// The stable URN, the value of `type`.
            pub fn urn(self) -> &'static str {
                match self {
                    $(Self::$variant => $urn,)+
                }
            }

            /// The status answered with it.
            pub fn status(self) -> StatusCode {
                match self {
                    $(Self::$variant => StatusCode::$status,)+
                }
            }

            /// What it means, as documented.
            pub fn meaning(self) -> &'static str {
                match self {
                    $(Self::$variant => concat!($($doc),+).trim_ascii(),)+
                }
            }
        }
    };
}

impl Serialize for ProblemType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.urn())
    }
}

impl utoipa::ToSchema for ProblemType {}

impl utoipa::PartialSchema for ProblemType {
    /// A string enum of the URNs, each listed with its status and meaning.
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let mut description = String::from(
            "The kind of problem: a closed set of stable URNs, each answered with one status \
             (an error answer made outside the handlers keeps its own status and takes the \
             general type of its class). Clients branch on it, never on `detail`.\n",
        );
        for kind in ProblemType::ALL {
            description.push_str(&format!(
                "\n- `{}` ({}): {}",
                kind.urn(),
                kind.status().as_u16(),
                kind.meaning()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            ));
        }
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(ProblemType::ALL.iter().map(|kind| kind.urn())))
            .description(Some(description))
            .into()
    }
}

problem_types! {
    /// The request cannot be read: malformed JSON, an unreadable query string or header, a
    /// text holding a NUL character.
    Malformed = "urn:service-hall:problem:malformed", BAD_REQUEST;
    /// A query parameter the operation does not take; `errors` names each.
    UnknownParameter = "urn:service-hall:problem:unknown-parameter", BAD_REQUEST;
    /// The `after` cursor is not one this listing handed out: start again from the first page.
    InvalidCursor = "urn:service-hall:problem:invalid-cursor", BAD_REQUEST;
    /// No token, or a bad, expired or revoked one; a failed sign-in.
    Unauthenticated = "urn:service-hall:problem:unauthenticated", UNAUTHORIZED;
    /// Signed in, but the role or the window may not do this.
    Forbidden = "urn:service-hall:problem:forbidden", FORBIDDEN;
    /// No such record or route; a path id that is not an id; at the kiosk, an unknown number
    /// or a wrong query code alike.
    NotFound = "urn:service-hall:problem:not-found", NOT_FOUND;
    /// The route exists, but not for this method.
    MethodNotAllowed = "urn:service-hall:problem:method-not-allowed", METHOD_NOT_ALLOWED;
    /// The body did not arrive in time; the connection is closed.
    Timeout = "urn:service-hall:problem:timeout", REQUEST_TIMEOUT;
    /// The case changed since it was read (its `version` is stale): reload it and decide again.
    StaleVersion = "urn:service-hall:problem:stale-version", CONFLICT;
    /// The case's lifecycle does not allow the action in its current state; nothing changed.
    TransitionNotAllowed = "urn:service-hall:problem:transition-not-allowed", CONFLICT;
    /// A code, username, window number or other unique value is already taken.
    CodeTaken = "urn:service-hall:problem:code-taken", CONFLICT;
    /// A request with the same `Idempotency-Key` is still being processed: retry it shortly.
    IdempotencyKeyInFlight = "urn:service-hall:problem:idempotency-key-in-flight", CONFLICT;
    /// The case has been rated already; a case is rated once.
    AlreadyRated = "urn:service-hall:problem:already-rated", CONFLICT;
    /// Another clash with the current state (a rectification already closed, an
    /// administrator deactivating their own account); `detail` says which.
    Conflict = "urn:service-hall:problem:conflict", CONFLICT;
    /// The body is larger than allowed.
    TooLarge = "urn:service-hall:problem:too-large", PAYLOAD_TOO_LARGE;
    /// The request line is too long (answered by the reverse proxy).
    UriTooLong = "urn:service-hall:problem:uri-too-long", URI_TOO_LONG;
    /// The body is not of the documented media type.
    UnsupportedMediaType = "urn:service-hall:problem:unsupported-media-type", UNSUPPORTED_MEDIA_TYPE;
    /// Values of the wrong type or out of range; `errors` lists every invalid field.
    Validation = "urn:service-hall:problem:validation", UNPROCESSABLE_ENTITY;
    /// The `Idempotency-Key` was used before with a different request: use a new key.
    IdempotencyKeyReused = "urn:service-hall:problem:idempotency-key-reused", UNPROCESSABLE_ENTITY;
    /// A date in a year the working-day calendar does not cover, so no deadline can be told.
    CalendarYearMissing = "urn:service-hall:problem:calendar-year-missing", UNPROCESSABLE_ENTITY;
    /// Valid values that cannot be processed, e.g. a reference to a record that does not
    /// exist, the deadline of a case refused at intake.
    Unprocessable = "urn:service-hall:problem:unprocessable", UNPROCESSABLE_ENTITY;
    /// Too many requests from this client or for this case number: wait `Retry-After` seconds.
    RateLimited = "urn:service-hall:problem:rate-limited", TOO_MANY_REQUESTS;
    /// A fault of ours; logged with its cause, answered with a generic detail.
    Internal = "urn:service-hall:problem:internal", INTERNAL_SERVER_ERROR;
    /// The request uses something the server does not implement (answered by the reverse
    /// proxy).
    NotImplemented = "urn:service-hall:problem:not-implemented", NOT_IMPLEMENTED;
    /// No hall process answered the reverse proxy: retry after `Retry-After` seconds.
    BadGateway = "urn:service-hall:problem:bad-gateway", BAD_GATEWAY;
    /// Too many sign-ins wait for password hashing: the request is shed; retry after
    /// `Retry-After` seconds.
    Overloaded = "urn:service-hall:problem:overloaded", SERVICE_UNAVAILABLE;
    /// The database (or, behind the reverse proxy, the service) is unavailable: retry after
    /// `Retry-After` seconds.
    Unavailable = "urn:service-hall:problem:unavailable", SERVICE_UNAVAILABLE;
    /// Hall did not answer the reverse proxy in time: retry after `Retry-After` seconds.
    GatewayTimeout = "urn:service-hall:problem:gateway-timeout", GATEWAY_TIMEOUT;
    /// The HTTP version is not supported (answered by the reverse proxy): use HTTP/1.1.
    HttpVersionNotSupported = "urn:service-hall:problem:http-version-not-supported", HTTP_VERSION_NOT_SUPPORTED;
}

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request cannot be read: malformed JSON, a bad query string.
    #[error("{0}")]
    Malformed(String),
    /// Query parameters the operation does not take.
    #[error(
        "unknown query parameter{} {}; {}",
        if .unknown.len() == 1 { "" } else { "s" },
        quoted(.unknown),
        if .known.is_empty() {
            "this operation takes none".to_owned()
        } else {
            format!("this operation takes {}", quoted(.known))
        }
    )]
    UnknownParameters {
        /// The names given that the operation does not take.
        unknown: Vec<String>,
        /// The names it takes.
        known: Vec<String>,
    },
    /// A pagination cursor this listing never handed out.
    #[error(
        "the `after` cursor is not one this listing handed out; start again from the first page"
    )]
    InvalidCursor,
    /// No token, or a token that is invalid, expired or revoked.
    #[error("{0}")]
    Unauthenticated(&'static str),
    /// Signed in, but not allowed.
    #[error("{0}")]
    Forbidden(&'static str),
    /// Nothing is there.
    #[error("{0}")]
    NotFound(String),
    /// The case's version is stale.
    #[error("{0}")]
    StaleVersion(String),
    /// The lifecycle refuses the action.
    #[error("{0}")]
    TransitionNotAllowed(String),
    /// A unique value is taken; says which.
    #[error("{0}")]
    Taken(String),
    /// The same `Idempotency-Key` is being processed by another request.
    #[error("a request with this Idempotency-Key is being processed; retry it shortly")]
    IdempotencyKeyInFlight,
    /// The `Idempotency-Key` came before with another body.
    #[error("this Idempotency-Key was already used with a different request; use a new key")]
    IdempotencyKeyReused,
    /// A case is rated once.
    #[error("this case has already been rated")]
    AlreadyRated,
    /// Another clash with the current state.
    #[error("{0}")]
    Conflict(String),
    /// The body is larger than allowed.
    #[error("the request body is too large (at most {0} bytes)")]
    TooLarge(usize),
    /// The body did not arrive within the time allowed (`HALL_BODY_TIMEOUT_SECONDS`).
    #[error("the request body did not arrive in time; the connection is closed")]
    TimedOut,
    /// The body is not JSON.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// Readable, but some values are invalid.
    #[error(transparent)]
    Invalid(#[from] ValidationErrors),
    /// A date the working-day calendar does not cover.
    #[error(transparent)]
    CalendarYearMissing(#[from] CalendarError),
    /// Valid values that cannot be processed, e.g. a reference to nothing.
    #[error("{0}")]
    Unprocessable(String),
    /// Too many requests from one client.
    #[error("too many requests: try again in {retry_after} s")]
    RateLimited {
        /// Seconds until a request will be accepted again.
        retry_after: u64,
    },
    /// Too much password hashing waits already: the server sheds the request.
    #[error("the server is busy; try again shortly")]
    Overloaded,
    /// The database cannot be reached.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A fault of ours.
    #[error("internal error: {0}")]
    Internal(String),
}

/// `a`, `b`: names quoted as the detail shows them.
fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The problem document (RFC 9457).
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// The kind of problem, one of a closed set of stable URNs (see `docs/API-DESIGN.md`).
    #[serde(rename = "type")]
    pub kind: ProblemType,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong with this request, in English, for people: clients branch on `type`.
    pub detail: String,
    /// For validation problems, every invalid field (for an unknown query parameter, each
    /// name; for a reused `Idempotency-Key`, the header).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl ApiError {
    /// The kind of problem: the one place where errors meet their types.
    pub fn kind(&self) -> ProblemType {
        match self {
            Self::Malformed(_) => ProblemType::Malformed,
            Self::UnknownParameters { .. } => ProblemType::UnknownParameter,
            Self::InvalidCursor => ProblemType::InvalidCursor,
            Self::Unauthenticated(_) => ProblemType::Unauthenticated,
            Self::Forbidden(_) => ProblemType::Forbidden,
            Self::NotFound(_) => ProblemType::NotFound,
            Self::StaleVersion(_) => ProblemType::StaleVersion,
            Self::TransitionNotAllowed(_) => ProblemType::TransitionNotAllowed,
            Self::Taken(_) => ProblemType::CodeTaken,
            Self::IdempotencyKeyInFlight => ProblemType::IdempotencyKeyInFlight,
            Self::IdempotencyKeyReused => ProblemType::IdempotencyKeyReused,
            Self::AlreadyRated => ProblemType::AlreadyRated,
            Self::Conflict(_) => ProblemType::Conflict,
            Self::TooLarge(_) => ProblemType::TooLarge,
            Self::TimedOut => ProblemType::Timeout,
            Self::UnsupportedMediaType(_) => ProblemType::UnsupportedMediaType,
            Self::Invalid(_) => ProblemType::Validation,
            Self::CalendarYearMissing(_) => ProblemType::CalendarYearMissing,
            Self::Unprocessable(_) => ProblemType::Unprocessable,
            Self::RateLimited { .. } => ProblemType::RateLimited,
            Self::Overloaded => ProblemType::Overloaded,
            Self::Unavailable(_) => ProblemType::Unavailable,
            Self::Internal(_) => ProblemType::Internal,
        }
    }

    /// The problem document for this error.
    pub fn problem(&self) -> Problem {
        let kind = self.kind();
        let (detail, errors) = match self {
            Self::Invalid(invalid) => (
                "some values are invalid; see `errors`".to_owned(),
                invalid.errors.clone(),
            ),
            Self::UnknownParameters { unknown, .. } => (
                self.to_string(),
                unknown
                    .iter()
                    .map(|name| FieldError {
                        field: name.clone(),
                        message: "is not a parameter of this operation".into(),
                    })
                    .collect(),
            ),
            Self::InvalidCursor => (
                self.to_string(),
                vec![FieldError {
                    field: "after".into(),
                    message: "is not a cursor this listing handed out".into(),
                }],
            ),
            Self::IdempotencyKeyReused => (
                self.to_string(),
                vec![FieldError {
                    field: "Idempotency-Key".into(),
                    message: "was already used with a different request; use a new key".into(),
                }],
            ),
            Self::Unavailable(_) => (
                "the database is unavailable; try again shortly".to_owned(),
                Vec::new(),
            ),
            Self::Internal(_) => ("an internal error occurred".to_owned(), Vec::new()),
            other => (other.to_string(), Vec::new()),
        };
        Problem::new(kind, kind.status(), detail, errors)
    }
}

impl Problem {
    fn new(kind: ProblemType, status: StatusCode, detail: String, errors: Vec<FieldError>) -> Self {
        Problem {
            kind,
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail,
            errors,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.kind().status()
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::Internal(cause) => tracing::error!(%cause, "internal error"),
            Self::Unavailable(cause) => tracing::warn!(%cause, "database unavailable"),
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
        if matches!(self, Self::Unauthenticated(_)) {
            response.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
        }
        match self {
            Self::Unavailable(_) => {
                response.insert_header((header::RETRY_AFTER, HeaderValue::from_static("5")));
            }
            Self::Overloaded => {
                response.insert_header((header::RETRY_AFTER, HeaderValue::from_static("1")));
            }
            Self::RateLimited { retry_after } => {
                response.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            _ => {}
        }
        response.json(self.problem())
    }
}

impl From<RepositoryError> for ApiError {
    fn from(error: RepositoryError) -> Self {
        match error {
            RepositoryError::Conflict => {
                Self::Taken("a record with the same unique value already exists".into())
            }
            RepositoryError::InvalidCursor => Self::InvalidCursor,
            RepositoryError::MissingReference => {
                Self::Unprocessable("a referenced record does not exist".into())
            }
            RepositoryError::Unstorable(_) => {
                Self::Malformed("a text holds a NUL character, which is not accepted".into())
            }
            RepositoryError::Unavailable(cause) => Self::Unavailable(cause),
            // SQLite's write lock held past the busy timeout: retry shortly, like a full pool.
            RepositoryError::Busy(cause) => Self::Unavailable(cause),
            RepositoryError::Internal(cause) => Self::Internal(cause),
        }
    }
}

impl From<WorkflowError> for ApiError {
    fn from(error: WorkflowError) -> Self {
        match error {
            WorkflowError::NotFound => Self::NotFound("no such case".into()),
            WorkflowError::Forbidden(why) => Self::Forbidden(why),
            stale @ WorkflowError::Stale { .. } => Self::StaleVersion(stale.to_string()),
            WorkflowError::Case(error) => error.into(),
            WorkflowError::Repository(error) => error.into(),
        }
    }
}

impl From<WarningsError> for ApiError {
    fn from(error: WarningsError) -> Self {
        match error {
            WarningsError::Calendar(error) => error.into(),
            WarningsError::Repository(error) => error.into(),
        }
    }
}

impl From<IdempotencyError> for ApiError {
    fn from(error: IdempotencyError) -> Self {
        match error {
            IdempotencyError::KeyReused => Self::IdempotencyKeyReused,
            IdempotencyError::KeyInFlight => Self::IdempotencyKeyInFlight,
            IdempotencyError::Workflow(error) => error.into(),
        }
    }
}

impl From<CaseError> for ApiError {
    fn from(error: CaseError) -> Self {
        match error {
            refused @ CaseError::NotAllowed { .. } => {
                Self::TransitionNotAllowed(refused.to_string())
            }
            CaseError::Invalid(errors) => Self::Invalid(errors),
            CaseError::Calendar(error) => error.into(),
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(error: actix_web::error::BlockingError) -> Self {
        Self::Internal(error.to_string())
    }
}

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

/// Maps actix's query-string errors to 400, naming the parameter where serde does: an unknown
/// one (every query struct denies unknown fields) is an `unknown-parameter` problem.
pub fn query_error(error: QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    let QueryPayloadError::Deserialize(cause) = &error else {
        return ApiError::Malformed(format!("the query string cannot be read: {error}")).into();
    };
    let cause = cause.to_string();
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
        }
        .into();
    }
    ApiError::Malformed(format!(
        "a query parameter cannot be read: {}",
        without_values(&cause)
    ))
    .into()
}

/// A serde message with the values the client sent left out (`invalid type: integer
/// `110101199003077777`, expected a string` ⇒ `invalid type: an integer, expected a string`):
/// an answer, and the logs of whatever relays it, never repeat an ID number sent in the wrong
/// place. Names of fields and the expectations stay.
fn without_values(message: &str) -> String {
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

impl actix_web::Responder for ApiError {
    type Body = actix_web::body::BoxBody;

    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        self.error_response()
    }
}

/// The result of every handler.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    /// The kind after the URN's last colon.
    fn kind_name(kind: ProblemType) -> &'static str {
        kind.urn().rsplit(':').next().unwrap_or_default()
    }

    #[test]
    fn every_type_is_listed_with_its_status_in_the_api_design_page_and_no_other() {
        let page = include_str!("../../docs/API-DESIGN.md");
        let rows: Vec<&str> = page
            .lines()
            .filter(|line| {
                line.starts_with("| ")
                    && line[2..].starts_with(|c: char| c.is_ascii_digit())
                    && line.contains(" | `")
            })
            .collect();
        for kind in ProblemType::ALL {
            let row = format!("| {} | `{}` |", kind.status().as_u16(), kind_name(*kind));
            assert!(
                rows.iter().any(|r| r.starts_with(&row)),
                "docs/API-DESIGN.md lacks {row}"
            );
        }
        assert_eq!(rows.len(), ProblemType::ALL.len(), "{rows:#?}");
    }

    #[test]
    fn types_are_urns_unique_and_serialized_as_such() {
        for kind in ProblemType::ALL {
            assert!(kind.urn().starts_with("urn:service-hall:problem:"));
            assert!(!kind.meaning().is_empty());
            assert_eq!(
                serde_json::to_value(kind).expect("json"),
                serde_json::json!(kind.urn())
            );
            let twins = ProblemType::ALL.iter().filter(|k| k.urn() == kind.urn());
            assert_eq!(twins.count(), 1, "{}", kind.urn());
        }
    }

    #[test]
    fn the_failures_clients_act_on_have_their_own_types() {
        let kind = |error: ApiError| kind_name(error.kind());
        let stale = WorkflowError::Stale {
            expected: 1,
            current: 2,
        };
        assert_eq!(kind(stale.into()), "stale-version");
        let refused = CaseError::NotAllowed {
            status: domain::case::CaseStatus::InProgress,
            action: domain::case::ActionKind::Rate,
        };
        let refused = ApiError::from(WorkflowError::Case(refused));
        assert_eq!(
            refused.problem().detail,
            "a case in progress cannot be rated"
        );
        assert_eq!(kind(refused), "transition-not-allowed");
        assert_eq!(kind(RepositoryError::Conflict.into()), "code-taken");
        assert_eq!(
            kind(RepositoryError::InvalidCursor.into()),
            "invalid-cursor"
        );
        let uncovered = CalendarError::YearNotCovered { year: 2011 };
        let uncovered = ApiError::from(WorkflowError::Case(CaseError::Calendar(uncovered)));
        assert_eq!(uncovered.status_code(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(kind(uncovered), "calendar-year-missing");
        assert_eq!(
            kind(ApiError::RateLimited { retry_after: 3 }),
            "rate-limited"
        );
    }

    #[test]
    fn serde_messages_keep_no_value_the_client_sent() {
        assert_eq!(
            without_values(
                "invalid type: integer `110101199003077777`, expected a string at line 1 column 40"
            ),
            "invalid type: an integer, expected a string at line 1 column 40"
        );
        assert_eq!(
            without_values(r#"invalid type: string "张三 \"13800138000\"", expected u32"#),
            "invalid type: a string, expected u32"
        );
        assert_eq!(
            without_values("unknown variant `13800138000`, expected one of `approved`, `denied`"),
            "an unknown variant, expected one of `approved`, `denied`"
        );
        assert_eq!(
            without_values("missing field `applicant`"),
            "missing field `applicant`"
        );
    }

    #[test]
    fn an_unknown_query_parameter_is_named() {
        let error = serde::de::Error::unknown_field("sort", &["limit", "after"]);
        let request = actix_web::test::TestRequest::default().to_http_request();
        let answer = query_error(QueryPayloadError::Deserialize(error), &request);
        let problem = answer
            .as_error::<ApiError>()
            .expect("an ApiError")
            .problem();
        assert_eq!(problem.kind, ProblemType::UnknownParameter);
        assert_eq!(problem.status, 400);
        assert_eq!(
            problem.detail,
            "unknown query parameter `sort`; this operation takes `limit`, `after`"
        );
        assert_eq!(problem.errors[0].field, "sort");
    }
}
