//! Every error the API answers, as `application/problem+json` (RFC 9457), mapped in one
//! place. A 5xx is logged with its cause and answered with a generic detail.

use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use domain::calendar::CalendarError;
use domain::case::CaseError;
use domain::case::workflow::WorkflowError;
use domain::repository::RepositoryError;
use domain::{FieldError, ValidationErrors};
use serde::Serialize;
use utoipa::ToSchema;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request cannot be read: malformed JSON, a bad query string.
    #[error("{0}")]
    Malformed(String),
    /// No token, or a token that is invalid, expired or revoked.
    #[error("{0}")]
    Unauthenticated(&'static str),
    /// Signed in, but not allowed.
    #[error("{0}")]
    Forbidden(&'static str),
    /// Nothing is there.
    #[error("{0}")]
    NotFound(String),
    /// The request clashes with the current state: a taken code, a stale version.
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
    /// Valid values that cannot be processed, e.g. a date the calendar does not cover.
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

/// The problem document (RFC 9457).
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A stable identifier of the kind of problem, e.g. `urn:service-hall:problem:validation`.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong with this request.
    pub detail: String,
    /// For validation problems, every invalid field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl ApiError {
    fn slug(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "malformed",
            Self::Unauthenticated(_) => "unauthenticated",
            Self::Forbidden(_) => "forbidden",
            Self::NotFound(_) => "not-found",
            Self::Conflict(_) => "conflict",
            Self::TooLarge(_) => "too-large",
            Self::TimedOut => "timeout",
            Self::UnsupportedMediaType(_) => "unsupported-media-type",
            Self::Invalid(_) => "validation",
            Self::Unprocessable(_) => "unprocessable",
            Self::RateLimited { .. } => "rate-limited",
            Self::Overloaded => "overloaded",
            Self::Unavailable(_) => "unavailable",
            Self::Internal(_) => "internal",
        }
    }

    /// The problem document for this error.
    pub fn problem(&self) -> Problem {
        let status = self.status_code();
        let (detail, errors) = match self {
            Self::Invalid(invalid) => (
                "some values are invalid; see `errors`".to_owned(),
                invalid.errors.clone(),
            ),
            Self::Unavailable(_) => (
                "the database is unavailable; try again shortly".to_owned(),
                Vec::new(),
            ),
            Self::Internal(_) => ("an internal error occurred".to_owned(), Vec::new()),
            other => (other.to_string(), Vec::new()),
        };
        Problem {
            kind: format!("urn:service-hall:problem:{}", self.slug()),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail,
            errors,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Malformed(_) => StatusCode::BAD_REQUEST,
            Self::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::TimedOut => StatusCode::REQUEST_TIMEOUT,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Invalid(_) | Self::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Overloaded | Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
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
                Self::Conflict("a record with the same unique value already exists".into())
            }
            RepositoryError::InvalidCursor => Self::Invalid(ValidationErrors::single(
                "after",
                "is not a cursor this listing handed out",
            )),
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
            stale @ WorkflowError::Stale { .. } => Self::Conflict(stale.to_string()),
            WorkflowError::Case(refused @ CaseError::NotAllowed { .. }) => {
                Self::Conflict(refused.to_string())
            }
            WorkflowError::Case(CaseError::Invalid(errors)) => Self::Invalid(errors),
            WorkflowError::Case(CaseError::Calendar(error)) => error.into(),
            WorkflowError::Repository(error) => error.into(),
        }
    }
}

impl From<CalendarError> for ApiError {
    fn from(error: CalendarError) -> Self {
        Self::Unprocessable(error.to_string())
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
        JsonPayloadError::Deserialize(e) if e.is_data() => {
            ApiError::Invalid(ValidationErrors::single("body", e.to_string()))
        }
        JsonPayloadError::Deserialize(e) => ApiError::Malformed(format!("malformed JSON: {e}")),
        other => ApiError::Malformed(format!("the body cannot be read: {other}")),
    };
    api.into()
}

/// Maps actix's query-string errors to 400.
pub fn query_error(error: QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    ApiError::Malformed(format!("invalid query string: {error}")).into()
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
    let title = status.canonical_reason().unwrap_or("Error");
    let slug = title.to_lowercase().replace([' ', '\''], "-");
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)))
        .json(Problem {
            kind: format!("urn:service-hall:problem:{slug}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail: title.to_owned(),
            errors: Vec::new(),
        })
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
