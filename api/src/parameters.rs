//! Query parameters an operation does not take are refused with 400 `unknown-parameter`,
//! naming them, rather than silently ignored (`?sort=…` where there is no sort). The
//! parameters an operation takes are the ones the OpenAPI document declares for it, so the
//! rule holds for every operation, those that read no query string at all included, and the
//! document and the server cannot disagree. Query structs also deny unknown fields; this
//! check runs first and covers the operations that read their parameters through two
//! structs (`/stats/breakdown`), where serde cannot.
//!
//! The parameters an operation takes are read by [`Query`], which names the one whose value
//! cannot be read (`?limit=abc`, `?from=notadate`) — actix's own `web::Query` says only what
//! went wrong, not where.

use std::collections::HashMap;
use std::future::{Ready, ready};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{Error, FromRequest, HttpRequest, ResponseError, web};
use serde::de::DeserializeOwned;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{OpenApi, RefOr};

use crate::problem::{ApiError, query_refusal};

/// The query parameters of every documented operation, by method and path pattern.
#[derive(Debug, Default)]
pub struct KnownParameters {
    operations: HashMap<(Method, String), Vec<String>>,
}

impl KnownParameters {
    /// The parameters `api` declares.
    pub fn of(api: &OpenApi) -> Self {
        let mut operations = HashMap::new();
        for (path, item) in &api.paths.paths {
            let methods = [
                (Method::GET, &item.get),
                (Method::POST, &item.post),
                (Method::PUT, &item.put),
                (Method::DELETE, &item.delete),
                (Method::PATCH, &item.patch),
            ];
            for (method, operation) in methods {
                if let Some(operation) = operation {
                    operations.insert((method, path.clone()), query_names(operation));
                }
            }
        }
        Self { operations }
    }

    /// The refusal of a request naming parameters its operation does not take; `None` for an
    /// undocumented route (left to the router) or a query string that cannot be read (left
    /// to the extractor, which says why).
    pub fn refusal(&self, request: &ServiceRequest) -> Option<ApiError> {
        let query = request.query_string();
        if query.is_empty() {
            return None;
        }
        let pattern = crate::request_log::route_pattern(request)?.to_string();
        let method = match request.method() {
            &Method::HEAD => Method::GET,
            other => other.clone(),
        };
        let known = self.operations.get(&(method, pattern))?;
        let given = web::Query::<Vec<(String, String)>>::from_query(query).ok()?;
        let mut unknown: Vec<String> = Vec::new();
        for (name, _) in given.into_inner() {
            if !known.contains(&name) && !unknown.contains(&name) {
                unknown.push(name);
            }
        }
        (!unknown.is_empty()).then(|| ApiError::UnknownParameters {
            unknown,
            known: known.clone(),
        })
    }
}

/// The names of an operation's query parameters, as declared.
fn query_names(operation: &Operation) -> Vec<String> {
    operation
        .parameters
        .iter()
        .flatten()
        .filter_map(|parameter| match parameter {
            RefOr::T(p) if p.parameter_in == ParameterIn::Query => Some(p.name.clone()),
            _ => None,
        })
        .collect()
}

/// The middleware: refuses a request with unknown query parameters before any handler runs.
pub async fn refuse_unknown<B: MessageBody + 'static>(
    request: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, Error> {
    let refused = request
        .app_data::<web::Data<KnownParameters>>()
        .and_then(|known| known.refusal(&request));
    if let Some(error) = refused {
        let response = error.error_response();
        return Ok(request.into_response(response).map_into_right_body());
    }
    next.call(request)
        .await
        .map(ServiceResponse::map_into_left_body)
}

/// An operation's query parameters, read into `T`; a value that cannot be read is refused
/// with 400 naming its parameter, an unknown parameter with 400 `unknown-parameter`.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T> Query<T> {
    /// The parameters.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Query<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned> Query<T> {
    /// Reads `query`, a query string without its `?`.
    pub fn from_query(query: &str) -> Result<Self, ApiError> {
        let parameters =
            serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(parameters)
            .map(Query)
            .map_err(|error| {
                let name = error.path().to_string();
                // The struct itself (a missing parameter, an unknown one) has the path `.`.
                let name = (name != ".").then_some(name);
                query_refusal(name, &error.into_inner().to_string())
            })
    }
}

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = Error;
    type Future = Ready<Result<Self, Error>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Self::from_query(request.query_string()).map_err(Into::into))
    }
}
