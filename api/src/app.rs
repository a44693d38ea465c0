//! The application: every route, the extractor error handlers and the OpenAPI document,
//! assembled in one place for `hall serve`, the tests and `hall openapi`.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{Compress, Condition};
use actix_web::{App, Error, web};
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_actix_web::{AppExt, UtoipaApp, scope};
use utoipa_swagger_ui::SwaggerUi;

use crate::problem::{self, json_error, path_error, query_error};
use crate::request_log::{REQUEST_ID, RouteOnly, request_id, route_pattern};
use crate::routes::display;
use crate::routes::{
    access_log, audit, auth, calendar, cases, centers, departments, health, imports, items,
    notices, outbox, public, queue, reports, slots, stats, supervision, users, webhooks, windows,
};
use crate::state::AppState;
use crate::{browsers, edge, metrics, parameters};
use actix_web::dev::Service;
use actix_web::http::header::{HeaderName, HeaderValue};

/// The largest JSON body accepted.
pub const JSON_LIMIT: usize = 256 * 1024;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Service Hall API",
        description = "The backend of a one-stop government service hall (政务服务大厅): the catalogue, \
                       cases against working-day deadlines, kiosks and statistics. Errors are \
                       application/problem+json (RFC 9457).",
        license(name = "MIT", identifier = "MIT")
    ),
    modifiers(&BearerAuth),
    components(schemas(
        problem::Problem,
        reports::ReportFormat,
        stats::TableFormat,
        stats::SortOrder,
        domain::stats::StatsSort,
        stats::WarningGroup,
        domain::queue::DisplayMessage,
    )),
    tags(
        (name = "health", description = "Liveness and readiness"),
        (name = "auth", description = "Signing in"),
        (name = "users", description = "Accounts"),
        (name = "audit", description = "The trail of administrative changes"),
        (name = "centers", description = "Service centres (服务中心)"),
        (name = "departments", description = "Departments (部门)"),
        (name = "windows", description = "Windows (窗口)"),
        (name = "items", description = "Service items (事项) and their guides"),
        (name = "calendar", description = "The working-day calendar (工作日历)"),
        (name = "cases", description = "Cases (办件): intake, the lifecycle, deadlines"),
        (name = "notices", description = "Notices (文书): receipts, refusals, 补正 requests, extensions, decisions and proofs of delivery, numbered and printable"),
        (name = "supervision", description = "Electronic supervision (电子监察): yellow and red cards"),
        (name = "imports", description = "Cases from a legacy system"),
        (name = "public", description = "The kiosks: no login, rate-limited, no personal data"),
        (name = "queue", description = "The hall's front door: queues, tickets, window sessions and calls"),
        (name = "stats", description = "Statistics and the yearly report"),
        (name = "webhooks", description = "News for systems outside the hall: webhooks (Standard Webhooks) and the outbox"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// Documents, on every operation, the problems the shared machinery can answer with —
/// unreadable parameters, authentication, body limits and media types, rate limits, an
/// unavailable database — so that clients (and schemathesis) find every status they can get.
fn document_common_problems(openapi: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    let problem = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/problem+json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build()
    };
    for (path, item) in openapi.paths.paths.iter_mut() {
        let uses_database = !matches!(path.as_str(), "/healthz" | "/metrics");
        let rate_limited = path.starts_with("/api/v1/public/") || path == "/api/v1/auth/login";
        for operation in crate::contract::operations(item) {
            let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
            let parameters = operation.parameters.as_deref().unwrap_or_default();
            let located = |place: ParameterIn| {
                parameters
                    .iter()
                    .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == place))
            };
            let (in_path, in_query) = (located(ParameterIn::Path), located(ParameterIn::Query));
            let has_body = operation.request_body.is_some();
            let mut common = Vec::new();
            // Any operation refuses query parameters it does not take (`unknown-parameter`).
            common.push((
                "400",
                "A parameter or the body cannot be read, or a query parameter is unknown",
            ));
            if secured {
                common.push(("401", "No valid token: missing, expired or revoked"));
                common.push(("403", "The role may not do this"));
            }
            if in_path {
                // A path that names nothing, or cannot name anything (`/items/not-an-id`).
                common.push(("404", "No such resource"));
            }
            if has_body {
                common.push((
                    "408",
                    "The body did not arrive in time (HALL_BODY_TIMEOUT_SECONDS)",
                ));
                common.push(("413", "The body is too large"));
                common.push(("415", "The body is not of the documented media type"));
            }
            if has_body || in_query {
                common.push(("422", "The body or a parameter does not validate"));
            }
            if rate_limited {
                common.push((
                    "429",
                    "Too many requests from this address; see Retry-After",
                ));
            }
            if uses_database {
                common.push(("503", "The database is unavailable"));
            }
            for (status, description) in common {
                operation
                    .responses
                    .responses
                    .entry(status.to_owned())
                    .or_insert_with(|| problem(description).into());
            }
        }
    }
}

/// Every route, listed once and expanded twice: on a utoipa-aware app with utoipa's scopes,
/// which builds the OpenAPI document as it goes (once per process, [`openapi`]), and on the
/// plain app each worker serves with actix's, which builds none (about 6 MiB a worker).
macro_rules! with_routes {
    ($app:expr, $scope:path) => {
        $app.service(health::healthz)
            .service(health::readyz)
            .service(metrics::get_metrics)
            .service(
                $scope("/api/v1")
                    // The busiest routes first: actix tries a scope's routes in turn, each
                    // with a parameter by a regular expression (docs/BENCHMARKS.md, issue 19).
                    .service(public::get_public_case)
                    .service(cases::create_case)
                    .service(queue::call_next_ticket)
                    .service(auth::login)
                    .service(auth::me)
                    .service(users::change_password)
                    .service(users::list_users)
                    .service(users::get_user)
                    .service(users::create_user)
                    .service(users::update_user)
                    .service(users::deactivate_user)
                    .service(audit::list_audit_entries)
                    .service(access_log::list_access_entries)
                    .service(centers::list_centers)
                    .service(centers::get_center)
                    .service(centers::create_center)
                    .service(centers::update_center)
                    .service(centers::deactivate_center)
                    .service(departments::list_departments)
                    .service(departments::get_department)
                    .service(departments::create_department)
                    .service(departments::update_department)
                    .service(departments::deactivate_department)
                    .service(webhooks::create_webhook)
                    .service(webhooks::list_webhooks)
                    .service(webhooks::get_webhook)
                    .service(webhooks::update_webhook)
                    .service(webhooks::delete_webhook)
                    .service(webhooks::rotate_webhook_secret)
                    .service(webhooks::list_webhook_deliveries)
                    .service(outbox::list_outbox_messages)
                    .service(outbox::replay_outbox_message)
                    .service(items::list_items)
                    .service(items::get_item)
                    .service(items::get_item_version)
                    .service(items::create_item)
                    .service(items::update_item)
                    .service(items::deactivate_item)
                    .service(windows::list_windows)
                    .service(windows::get_window)
                    .service(windows::create_window)
                    .service(windows::update_window)
                    .service(windows::deactivate_window)
                    .service(display::get_window_display)
                    // The fixed paths before `/calendar/{year}`, which would take them otherwise.
                    .service(calendar::get_deadline)
                    .service(calendar::count_working_days)
                    .service(calendar::list_calendar_regions)
                    .service(calendar::get_regional_calendar_year)
                    .service(calendar::put_regional_calendar_year)
                    .service(calendar::get_calendar_year)
                    .service(calendar::put_calendar_year)
                    .service(cases::list_cases)
                    .service(cases::get_case)
                    .service(cases::list_case_events)
                    .service(cases::get_case_deadline)
                    .service(cases::create_case_event)
                    .service(cases::put_case_notifications)
                    .service(notices::create_case_notice)
                    .service(notices::list_case_notices)
                    .service(notices::get_notice)
                    .service(notices::void_notice)
                    .service(notices::get_notice_template)
                    .service(notices::put_notice_template)
                    .service(notices::delete_notice_template)
                    .service(supervision::list_warnings)
                    .service(imports::import_cases)
                    .service(supervision::list_rectifications)
                    .service(supervision::close_rectification)
                    .service(display::get_public_display)
                    .service(public::rate_case)
                    .service(public::list_public_items)
                    .service(public::get_public_item)
                    .service(public::list_public_windows)
                    .service(public::get_public_board)
                    .service(public::list_public_queues)
                    .service(public::take_ticket)
                    .service(public::get_public_ticket)
                    .service(public::list_public_slots)
                    .service(public::book_appointment)
                    .service(public::cancel_appointment)
                    .service(public::check_in_appointment)
                    .service(queue::list_queues)
                    .service(queue::create_queue)
                    .service(queue::get_queue)
                    .service(queue::update_queue)
                    .service(queue::issue_ticket)
                    .service(queue::get_ticket)
                    .service(queue::list_ticket_events)
                    .service(queue::create_ticket_event)
                    .service(queue::get_window_session)
                    .service(queue::put_window_session)
                    .service(slots::create_slots)
                    .service(slots::list_slots)
                    .service(stats::get_stats_summary)
                    .service(stats::get_stats_breakdown)
                    .service(stats::get_stats_warnings)
                    .service(stats::get_stats_catalogue)
                    .service(stats::get_stats_queue)
                    .service(reports::get_report_csv)
                    .service(reports::get_report),
            )
    };
}

/// Registers every documented route on a utoipa-aware app.
fn routes<T>(app: UtoipaApp<T>) -> UtoipaApp<T>
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = Error, InitError = ()>,
{
    with_routes!(app, scope::scope)
}

/// The OpenAPI document of the API as the code declares it.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, mut api) =
        routes(App::new().into_utoipa_app().openapi(ApiDoc::openapi())).split_for_parts();
    finish_document(&mut api);
    api
}

/// What the handlers' annotations leave to the document as a whole: the shared problems,
/// caching, and what validators and client generators need. The same for the committed and
/// the served document.
fn finish_document(api: &mut utoipa::openapi::OpenApi) {
    document_common_problems(api);
    browsers::document_caching(api);
    crate::contract::complete(api);
}

/// The OpenAPI document as pretty JSON with a final newline, as committed in `openapi/`.
pub fn openapi_json() -> String {
    let mut json = openapi().to_pretty_json().unwrap_or_default();
    json.push('\n');
    json
}

/// Where the OpenAPI document is served.
const DOCUMENT_URL: &str = "/api-docs/openapi.json";

/// The OpenAPI document as served and the parameters it declares, built once per process:
/// every worker builds its own routes, but built and kept per worker the document and its
/// index cost about ten megabytes each (docs/BENCHMARKS.md).
struct Published {
    json: web::Bytes,
    known: web::Data<parameters::KnownParameters>,
}

static PUBLISHED: std::sync::OnceLock<Published> = std::sync::OnceLock::new();

/// The whole application for one worker.
pub fn build(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = Error,
        InitError = (),
    >,
> {
    let origins = state.cors_origins.clone();
    let app = with_routes!(
        App::new()
            .app_data(web::Data::new(state))
            .app_data(
                web::JsonConfig::default()
                    .limit(JSON_LIMIT)
                    .error_handler(json_error),
            )
            .app_data(web::QueryConfig::default().error_handler(query_error))
            .app_data(web::PathConfig::default().error_handler(path_error))
            .app_data(web::PayloadConfig::default().limit(imports::IMPORT_LIMIT)),
        web::scope
    );
    let published = PUBLISHED.get_or_init(|| {
        let api = openapi();
        Published {
            json: web::Bytes::from(api.to_json().unwrap_or_default()),
            known: web::Data::new(parameters::KnownParameters::of(&api)),
        }
    });
    let cors = browsers::cors(&origins);
    let known = published.known.clone();
    let document = published.json.clone();
    app.service(web::redirect("/docs", "/docs/").permanent())
        .route(
            DOCUMENT_URL,
            web::get().to(move || {
                let document = document.clone();
                async move {
                    actix_web::HttpResponse::Ok()
                        .content_type("application/json")
                        .body(document)
                }
            }),
        )
        .service(
            SwaggerUi::new("/docs/{_:.*}").config(utoipa_swagger_ui::Config::from(DOCUMENT_URL)),
        )
        .configure(crate::pages::configure)
        .default_service(web::to(problem::no_route))
        .app_data(known)
        // Innermost: settled statistics get their ETag and max-age from the finished body.
        .wrap_fn(|request, service| {
            let settled = browsers::asks_settled(&request);
            let answer = service.call(request);
            async move { browsers::cache_settled(answer.await?, settled).await }
        })
        // Before any handler: a parameter the operation does not document is refused.
        .wrap(actix_web::middleware::from_fn(parameters::refuse_unknown))
        .wrap(tracing_actix_web::TracingLogger::<RouteOnly>::new())
        // No origin listed, no CORS: a preflight then meets the routes like any request.
        .wrap(Condition::new(!origins.is_empty(), cors))
        // gzip (or deflate) when the client's Accept-Encoding asks for it, inside the edge so
        // that a 406 to a client refusing every encoding still becomes a problem. No answer
        // streams: every body is whole when it is compressed.
        .wrap(Compress::default())
        // Event streams are never compressed (`display::is_stream_route` says why): their
        // requests reach `Compress` as if they accepted no encoding.
        .wrap_fn(|mut request, service| {
            if crate::display::is_stream_route(route_pattern(&request).as_deref()) {
                request
                    .headers_mut()
                    .remove(actix_web::http::header::ACCEPT_ENCODING);
            }
            service.call(request)
        })
        // Outermost: settle the request id first, so the log line and the answer carry it;
        // start the body's clock as soon as the head is in.
        .wrap_fn(|mut request, service| {
            let started = std::time::Instant::now();
            let route = route_pattern(&request);
            let method = request.method().to_string();
            let state = request.app_data::<web::Data<AppState>>().cloned();
            let metrics = state.as_ref().map(|state| state.metrics.clone());
            let body_timeout = state.map_or_else(
                || edge::EdgeSettings::default().body_timeout,
                |state| state.settings.edge.body_timeout,
            );
            let guard = edge::body_deadline(&mut request, body_timeout);
            let id = request_id(&request);
            let value = HeaderValue::from_str(&id).ok();
            if let Some(value) = &value {
                request
                    .headers_mut()
                    .insert(HeaderName::from_static(REQUEST_ID), value.clone());
            }
            let answer = service.call(request);
            async move {
                let mut answer = edge::answer(answer.await?, guard);
                if let Some(metrics) = metrics {
                    let route = route.as_deref().unwrap_or(metrics::NO_ROUTE);
                    metrics.observe(route, &method, answer.status().as_u16(), started.elapsed());
                }
                if let Some(value) = value {
                    answer
                        .headers_mut()
                        .insert(HeaderName::from_static(REQUEST_ID), value);
                }
                Ok(answer)
            }
        })
}
