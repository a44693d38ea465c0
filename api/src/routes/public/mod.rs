//! `/api/v1/public`: what the touch-screen kiosks show without a login — a case's progress
//! by number and query code, the service guide, the windows, the public board, and ratings.
//! Rate-limited per client address; never an ID number, a phone, a clerk or a note.

mod appointments;
mod board;
mod cases;
mod check_in;
mod guide;
mod tickets;
mod windows;

pub use appointments::*;
pub use board::*;
pub use cases::*;
pub use check_in::*;
pub use guide::*;
pub use tickets::*;
pub use windows::*;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;

use crate::browsers;
use crate::problem::ApiError;

/// Answers `body` with a strong ETag of its bytes, or `304 Not Modified` when the client's
/// `If-None-Match` already names it.
pub(crate) fn with_etag(
    request: &HttpRequest,
    body: &impl Serialize,
) -> Result<HttpResponse, ApiError> {
    let bytes = serde_json::to_vec(body).map_err(|e| ApiError::Internal(e.to_string()))?;
    let tag = browsers::strong_tag(&bytes);
    let fresh = browsers::names_tag(request, &tag);
    let mut response = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header(header::ETag(tag))
        .insert_header((header::CACHE_CONTROL, "no-cache"));
    Ok(if fresh {
        response.finish()
    } else {
        response.content_type("application/json").body(bytes)
    })
}
