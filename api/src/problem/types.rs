//! The closed set of problem types: each a stable URN in `type` with one HTTP status.

use actix_web::http::StatusCode;
use serde::Serialize;

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
    /// Nobody waits for the calling window's queues: call again later.
    NobodyWaiting = "urn:service-hall:problem:nobody-waiting", NOT_FOUND;
    /// The route exists, but not for this method.
    MethodNotAllowed = "urn:service-hall:problem:method-not-allowed", METHOD_NOT_ALLOWED;
    /// The body did not arrive in time; the connection is closed.
    Timeout = "urn:service-hall:problem:timeout", REQUEST_TIMEOUT;
    /// The case, ticket, window session or appointment changed since it was read (its
    /// `version` is stale): reload it and decide again.
    StaleVersion = "urn:service-hall:problem:stale-version", CONFLICT;
    /// The case's, the ticket's or the appointment's lifecycle does not allow the action in
    /// its current state (or the ticket was for another day); nothing changed.
    TransitionNotAllowed = "urn:service-hall:problem:transition-not-allowed", CONFLICT;
    /// A code, username, window number or other unique value is already taken.
    CodeTaken = "urn:service-hall:problem:code-taken", CONFLICT;
    /// A request with the same `Idempotency-Key` is still being processed: retry it shortly.
    IdempotencyKeyInFlight = "urn:service-hall:problem:idempotency-key-in-flight", CONFLICT;
    /// The queue hands out no ticket now: outside its issuing hours, on a day the hall is
    /// closed, inactive, or its daily cap reached; `detail` says which.
    TicketsUnavailable = "urn:service-hall:problem:tickets-unavailable", CONFLICT;
    /// A live ticket in this name already waits in this queue today: one per person.
    TicketHeld = "urn:service-hall:problem:ticket-held", CONFLICT;
    /// The window is not open, or another clerk holds it: only its holder calls, and only
    /// while it is open.
    WindowNotOpen = "urn:service-hall:problem:window-not-open", CONFLICT;
    /// The appointment slot takes no booking: every place is taken, it has begun, or the
    /// centre's calendar closes its day; `detail` says which. Pick another slot.
    SlotUnavailable = "urn:service-hall:problem:slot-unavailable", CONFLICT;
    /// A live appointment in this name already holds a place that day: one per person.
    AlreadyBooked = "urn:service-hall:problem:already-booked", CONFLICT;
    /// Past the appointment's cancellation cut-off; it stands.
    CancellationClosed = "urn:service-hall:problem:cancellation-closed", CONFLICT;
    /// The appointment's check-in is not open now; `detail` gives when it is.
    CheckInClosed = "urn:service-hall:problem:check-in-closed", CONFLICT;
    /// The case has been rated already; a case is rated once.
    AlreadyRated = "urn:service-hall:problem:already-rated", CONFLICT;
    /// The case cannot be completed as approved while required materials are missing (容缺
    /// not handed in, or asked for by a 补正); `detail` names them. Record their arrival on
    /// `resume`, or complete as denied.
    MaterialsMissing = "urn:service-hall:problem:materials-missing", CONFLICT;
    /// The case's state does not call for this kind of notice (a receipt for a case refused at
    /// intake, a 补正 notice for a case not paused for materials …); `detail` says when it is.
    NoticeNotApplicable = "urn:service-hall:problem:notice-not-applicable", CONFLICT;
    /// The notice is void already; a notice is voided once and keeps its number.
    NoticeVoided = "urn:service-hall:problem:notice-voided", CONFLICT;
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
    /// A notice template that does not parse or does not render on sample facts; `detail`
    /// holds the template engine's error.
    TemplateInvalid = "urn:service-hall:problem:template-invalid", UNPROCESSABLE_ENTITY;
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
