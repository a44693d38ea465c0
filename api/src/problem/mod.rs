//! Every error the API answers, as `application/problem+json` (RFC 9457), mapped in one
//! place. A 5xx is logged with its cause and answered with a generic detail.

mod appointments;
mod extractors;
mod notices;
mod queue;
mod types;

pub use appointments::NO_SUCH_APPOINTMENT;
pub use extractors::*;
pub use types::ProblemType;

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
    /// A query parameter that is missing or whose value cannot be read (`?limit=abc`).
    #[error("the query parameter `{name}` cannot be read: {why}")]
    UnreadableParameter {
        /// The parameter.
        name: String,
        /// What serde said, without the value sent.
        why: String,
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
    /// The slot takes no booking; says why.
    #[error("{0}")]
    SlotUnavailable(String),
    /// One live appointment per person and day.
    #[error("an appointment in this name already holds a place that day")]
    AlreadyBooked,
    /// Past the cancellation cut-off; says until when it was open.
    #[error("{0}")]
    CancellationClosed(String),
    /// Check-in is not open now; says when it is.
    #[error("{0}")]
    CheckInClosed(String),
    /// The queue hands out no ticket now; says why.
    #[error("{0}")]
    TicketsUnavailable(String),
    /// One live ticket per person and queue a day.
    #[error("a ticket in this name already waits in this queue today")]
    TicketHeld,
    /// The window is not open, or another clerk holds it; says which.
    #[error("{0}")]
    WindowNotOpen(String),
    /// Nobody waits for the calling window.
    #[error("nobody is waiting for this window's queues; call again later")]
    NobodyWaiting,
    /// An approval while required materials are missing; names them.
    #[error("{0}")]
    MaterialsMissing(String),
    /// The case's state does not call for this kind of notice; says when it does.
    #[error("{0}")]
    NoticeNotApplicable(String),
    /// The notice is void already.
    #[error("{0}")]
    NoticeVoided(String),
    /// A notice template the engine refuses; its error.
    #[error("the template is refused: {0}")]
    TemplateInvalid(String),
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
    /// name; for a query parameter that is missing or cannot be read, its name; for a
    /// malformed `after` cursor, `after`; for a reused `Idempotency-Key`, the header).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl ApiError {
    /// The kind of problem: the one place where errors meet their types.
    pub fn kind(&self) -> ProblemType {
        match self {
            Self::Malformed(_) | Self::UnreadableParameter { .. } => ProblemType::Malformed,
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
            Self::SlotUnavailable(_) => ProblemType::SlotUnavailable,
            Self::AlreadyBooked => ProblemType::AlreadyBooked,
            Self::CancellationClosed(_) => ProblemType::CancellationClosed,
            Self::CheckInClosed(_) => ProblemType::CheckInClosed,
            Self::TicketsUnavailable(_) => ProblemType::TicketsUnavailable,
            Self::TicketHeld => ProblemType::TicketHeld,
            Self::WindowNotOpen(_) => ProblemType::WindowNotOpen,
            Self::NobodyWaiting => ProblemType::NobodyWaiting,
            Self::MaterialsMissing(_) => ProblemType::MaterialsMissing,
            Self::NoticeNotApplicable(_) => ProblemType::NoticeNotApplicable,
            Self::NoticeVoided(_) => ProblemType::NoticeVoided,
            Self::TemplateInvalid(_) => ProblemType::TemplateInvalid,
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
            Self::UnreadableParameter { name, why } => (
                self.to_string(),
                vec![FieldError {
                    field: name.clone(),
                    message: why.clone(),
                }],
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
            missing @ CaseError::MaterialsMissing { .. } => {
                Self::MaterialsMissing(missing.to_string())
            }
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(error: actix_web::error::BlockingError) -> Self {
        Self::Internal(error.to_string())
    }
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
    use actix_web::error::QueryPayloadError;

    /// The kind after the URN's last colon.
    fn kind_name(kind: ProblemType) -> &'static str {
        kind.urn().rsplit(':').next().unwrap_or_default()
    }

    #[test]
    fn every_type_is_listed_with_its_status_in_the_api_design_page_and_no_other() {
        let page = include_str!("../../../docs/API-DESIGN.md");
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
