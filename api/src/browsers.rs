//! What browser apps need beyond the API itself: CORS for the origins the hall lists
//! (`HALL_CORS_ORIGINS`), and caching of the statistics that can no longer change.

use actix_cors::Cors;
use actix_web::body::{self, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, EntityTag, HeaderMap, HeaderValue, IfNoneMatch};
use actix_web::http::{Method, StatusCode};
use actix_web::{Error, HttpMessage, HttpResponse, web};
use chrono::NaiveDate;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

use crate::problem::ApiError;
use crate::request_log::REQUEST_ID;
use crate::state::AppState;

/// How long a browser may keep a preflight's answer, in seconds.
pub const PREFLIGHT_MAX_AGE: usize = 3600;

/// How long a browser may reuse a settled statistics answer without asking again, in
/// seconds. Settled figures do not change, but a legacy import may still add cases received
/// long ago: after an hour the browser asks with `If-None-Match` and mostly gets a `304`.
pub const SETTLED_MAX_AGE: u32 = 3600;

/// The headers a browser app may send across origins.
const REQUEST_HEADERS: [&str; 5] = [
    "authorization",
    "content-type",
    "idempotency-key",
    "if-none-match",
    REQUEST_ID,
];

/// The answer headers a browser app may read across origins, beyond the CORS-safelisted
/// ones (`Content-Type`, `Cache-Control` …).
const EXPOSED_HEADERS: [&str; 3] = ["etag", "retry-after", REQUEST_ID];

/// The listed origins, checked and written as browsers send them in `Origin`: lower case,
/// no trailing slash. Blank entries are skipped; anything but `scheme://host[:port]` with
/// `http` or `https` is refused, naming it.
pub fn cors_origins(listed: &[String]) -> Result<Vec<String>, String> {
    let mut origins = Vec::new();
    for entry in listed {
        let origin = entry.trim();
        if origin.is_empty() {
            continue;
        }
        let origin = origin
            .strip_suffix('/')
            .unwrap_or(origin)
            .to_ascii_lowercase();
        if !is_origin(&origin) {
            return Err(format!(
                "{entry:?} is not an origin like https://host[:port] (no path, no wildcard)"
            ));
        }
        if !origins.contains(&origin) {
            origins.push(origin);
        }
    }
    Ok(origins)
}

/// `http(s)://host[:port]`, the host a name or an address (IPv6 in brackets).
fn is_origin(origin: &str) -> bool {
    let Some(authority) = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
    else {
        return false;
    };
    let (host_ok, port) = if let Some(rest) = authority.strip_prefix('[') {
        match rest.split_once(']') {
            Some((address, port)) => (address.parse::<std::net::Ipv6Addr>().is_ok(), port),
            None => return false,
        }
    } else {
        let (name, port) = authority.split_at(authority.find(':').unwrap_or(authority.len()));
        let label = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '.';
        (!name.is_empty() && name.chars().all(label), port)
    };
    host_ok
        && (port.is_empty()
            || port
                .strip_prefix(':')
                .is_some_and(|port| port.parse::<u16>().is_ok()))
}

/// CORS for `origins` (as [`cors_origins`] wrote them): their preflights answered with the
/// API's methods and headers, their answers readable with the headers a client needs. Any
/// other origin gets its answer without a CORS header, which the browser then keeps from
/// the page. No credentials: the API takes bearer tokens, never cookies.
pub fn cors(origins: &[String]) -> Cors {
    origins
        .iter()
        .fold(Cors::default(), |cors, origin| cors.allowed_origin(origin))
        .allowed_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
        .allowed_headers(REQUEST_HEADERS)
        .expose_headers(EXPOSED_HEADERS)
        .max_age(PREFLIGHT_MAX_AGE)
        .block_on_origin_mismatch(false)
}

/// Keeps `Access-Control-Expose-Headers` to the answers that name an allowed origin:
/// actix-cors adds it to every answer, even to origins it does not allow.
pub fn expose_only_to_allowed(headers: &mut HeaderMap) {
    if !headers.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN) {
        headers.remove(header::ACCESS_CONTROL_EXPOSE_HEADERS);
    }
}

/// Whether a statistics request asks about a settled past: every day it counts and the day
/// it judges at lie strictly before `today` (the hall's local date), so its answer can no
/// longer change.
///
/// - `/api/v1/stats/…`: `to` and `as_of` both before today (each defaults to today, so
///   both must be given); the catalogue and anything without a period are never settled.
/// - `/api/v1/reports/{year}`: `through` (default 31 December, or today in the current
///   year; the report judges at `through`) before today.
pub fn settled(path: &str, query: &str, today: NaiveDate) -> bool {
    let statistics = path.starts_with("/api/v1/stats/") || path.starts_with("/api/v1/reports/");
    if !statistics {
        return false;
    }
    let Ok(params) = web::Query::<HashMap<String, String>>::from_query(query) else {
        return false;
    };
    let date = |name: &str| params.get(name).map(|v| v.parse::<NaiveDate>());
    if path.starts_with("/api/v1/stats/") {
        match (date("to"), date("as_of")) {
            (Some(Ok(to)), Some(Ok(as_of))) => to < today && as_of < today,
            _ => false,
        }
    } else if let Some(year) = path.strip_prefix("/api/v1/reports/") {
        let through = match date("through") {
            Some(through) => through.ok(),
            None => year
                .parse::<i32>()
                .ok()
                .and_then(|year| NaiveDate::from_ymd_opt(year, 12, 31)),
        };
        through.is_some_and(|through| through < today)
    } else {
        false
    }
}

/// Whether the request is a read of settled statistics, by [`settled`] on the hall's date.
pub fn asks_settled(request: &ServiceRequest) -> bool {
    request.method() == Method::GET
        && request
            .app_data::<web::Data<AppState>>()
            .is_some_and(|state| settled(request.path(), request.query_string(), state.now().today))
}

/// A strong entity tag of a body's bytes.
pub fn strong_tag(bytes: &[u8]) -> EntityTag {
    let digest = Sha256::digest(bytes);
    EntityTag::new_strong(digest[..16].iter().map(|b| format!("{b:02x}")).collect())
}

/// Whether the request's `If-None-Match` names `tag` (weak comparison, RFC 9110 §13.1.2).
pub fn names_tag(request: &impl HttpMessage, tag: &EntityTag) -> bool {
    match request.get_header::<IfNoneMatch>() {
        Some(IfNoneMatch::Any) => true,
        Some(IfNoneMatch::Items(tags)) => tags.iter().any(|t| t.weak_eq(tag)),
        None => false,
    }
}

/// Makes a settled statistics answer cacheable: a strong ETag over its body,
/// `Cache-Control: private, max-age=…` (it needs a token, so no shared cache keeps it), and
/// `304 Not Modified` when `If-None-Match` names the tag. Any other answer passes as it is,
/// and the edge makes it `no-store`.
///
/// The tag is of the body before compression: a gzipped and a plain answer share it, as
/// they share their meaning.
pub async fn cache_settled<B>(
    answer: ServiceResponse<B>,
    settled: bool,
) -> Result<ServiceResponse<BoxBody>, Error>
where
    B: MessageBody + 'static,
{
    if !settled || answer.status() != StatusCode::OK {
        return Ok(answer.map_into_boxed_body());
    }
    let (request, response) = answer.into_parts();
    let (response, body) = response.into_parts();
    let bytes = body::to_bytes(body)
        .await
        .map_err(|e| ApiError::Internal(format!("reading a statistics answer: {}", e.into())))?;
    let tag = strong_tag(&bytes);
    let mut response = if names_tag(&request, &tag) {
        HttpResponse::NotModified().finish()
    } else {
        response.set_body(BoxBody::new(bytes))
    };
    let headers = response.headers_mut();
    headers.insert(
        header::ETAG,
        HeaderValue::from_str(&tag.to_string()).map_err(|e| ApiError::Internal(e.to_string()))?,
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_str(&format!("private, max-age={SETTLED_MAX_AGE}"))
            .map_err(|e| ApiError::Internal(e.to_string()))?,
    );
    // The same address answers CSV or JSON by `Accept`, and each caller's own reach.
    headers.insert(
        header::VARY,
        HeaderValue::from_static("Accept, Authorization"),
    );
    Ok(ServiceResponse::new(request, response))
}

/// Documents the caching of settled statistics on the operations that can have it (those
/// with a period, `to` or `through`): the `If-None-Match` they take, the `ETag` of their
/// 200, and their 304.
pub fn document_caching(openapi: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    use utoipa::openapi::{RefOr, header::Header};
    use utoipa::openapi::{Required, ResponseBuilder};
    let text = || ObjectBuilder::new().schema_type(Type::String).build();
    for (path, item) in openapi.paths.paths.iter_mut() {
        let statistics = path.starts_with("/api/v1/stats/") || path.starts_with("/api/v1/reports/");
        let Some(operation) = item.get.as_mut().filter(|_| statistics) else {
            continue;
        };
        let Some(parameters) = operation.parameters.as_mut().filter(|parameters| {
            parameters.iter().any(|p| {
                matches!(p, RefOr::T(p) if p.parameter_in == ParameterIn::Query
                    && (p.name == "to" || p.name == "through"))
            })
        }) else {
            continue;
        };
        parameters.push(RefOr::T(
            ParameterBuilder::new()
                .name("If-None-Match")
                .parameter_in(ParameterIn::Header)
                .required(Required::False)
                .description(Some(
                    "The ETag of a settled answer held: 304 when it still holds",
                ))
                .schema(Some(text()))
                .build(),
        ));
        if let Some(RefOr::T(ok)) = operation.responses.responses.get_mut("200") {
            ok.headers.insert(
                "ETag".to_owned(),
                Header::builder()
                    .schema(Some(text()))
                    .description(Some(format!(
                        "Only for a settled period, whose last day and the day it is judged at \
                         lie before today: with `Cache-Control: private, \
                         max-age={SETTLED_MAX_AGE}`. Otherwise the answer is `no-store`, \
                         without a tag"
                    )))
                    .build()
                    .into(),
            );
        }
        operation.responses.responses.insert(
            "304".to_owned(),
            ResponseBuilder::new()
                .description("Unchanged since the ETag in If-None-Match (a settled period)")
                .build()
                .into(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().expect("a date")
    }

    #[test]
    fn origins_are_written_as_browsers_send_them_and_anything_else_is_refused() {
        let listed = [
            " https://Dashboard.Example.gov.cn/ ",
            "",
            "http://localhost:5173",
            "https://dashboard.example.gov.cn",
            "http://[::1]:8080",
        ]
        .map(String::from);
        assert_eq!(
            cors_origins(&listed).expect("valid"),
            [
                "https://dashboard.example.gov.cn",
                "http://localhost:5173",
                "http://[::1]:8080"
            ]
        );
        for wrong in [
            "*",
            "null",
            "dashboard.example.gov.cn",
            "https://dashboard.example.gov.cn/app",
            "https://dashboard.example.gov.cn:99999",
            "https://dashboard.example.gov.cn:",
            "ftp://files.example.gov.cn",
            "https://*.example.gov.cn",
            "https://",
        ] {
            assert!(
                cors_origins(&[wrong.to_owned()]).is_err(),
                "{wrong} is refused"
            );
        }
    }

    #[test]
    fn statistics_are_settled_when_their_period_and_judging_day_are_past() {
        let today = date("2024-03-15");
        let summary = "/api/v1/stats/summary";
        let settled_at = |query: &str| settled(summary, query, today);
        assert!(settled_at("from=2024-01-01&to=2024-03-14&as_of=2024-03-14"));
        assert!(settled_at("by=window&to=2023-12-31&as_of=2024-01-31"));
        assert!(!settled_at(
            "from=2024-01-01&to=2024-03-15&as_of=2024-03-14"
        ));
        assert!(!settled_at("to=2024-03-14&as_of=2024-03-15"));
        // Missing, each is today.
        assert!(!settled_at("to=2024-03-14"));
        assert!(!settled_at("as_of=2024-03-14"));
        assert!(!settled_at("to=2024-03-14&as_of=yesterday"));
        assert!(!settled("/api/v1/stats/catalogue", "", today));
        assert!(!settled(
            "/api/v1/cases",
            "to=2020-01-01&as_of=2020-01-01",
            today
        ));
    }

    #[test]
    fn a_report_is_settled_when_its_last_day_is_past() {
        let today = date("2024-03-15");
        assert!(settled("/api/v1/reports/2023", "", today));
        assert!(settled("/api/v1/reports/2023", "format=csv", today));
        assert!(settled("/api/v1/reports/2024", "through=2024-03-14", today));
        assert!(!settled("/api/v1/reports/2024", "", today));
        assert!(!settled(
            "/api/v1/reports/2024",
            "through=2024-03-15",
            today
        ));
        assert!(!settled("/api/v1/reports/2023", "through=soon", today));
        assert!(!settled("/api/v1/reports/next", "", today));
    }
}
