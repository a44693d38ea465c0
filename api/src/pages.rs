//! The hall's own pages — the kiosk, the hall display, the dashboard and the clerk's
//! workbench — and their assets, embedded in the binary (read from `api/assets/` in debug
//! builds). Each page is a static `index.html` calling the API from the same origin; the
//! kiosk and the display are told their centre by the server, which looks its code up.
//! The pages are not part of the OpenAPI document: they are registered beside it.

use actix_web::http::header::{self, EntityTag, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use domain::repository::CenterRepository;
use minijinja::HtmlEscape;
use rust_embed::RustEmbed;

use crate::problem::ApiError;
use crate::state::AppState;

/// Every page's policy: scripts and styles from the hall only, nothing inline, no framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; \
     base-uri 'none'; form-action 'self'";

#[derive(RustEmbed)]
#[folder = "assets/"]
struct Assets;

/// Registers the pages, `/assets/…` and `/favicon.ico` on `config`, each for GET and HEAD
/// (answered like GET without its body).
pub fn configure(config: &mut web::ServiceConfig) {
    config
        .route("/kiosk/{code}", web::get().to(kiosk))
        .route("/kiosk/{code}", web::head().to(kiosk))
        .route("/display/{code}", web::get().to(display))
        .route("/display/{code}", web::head().to(display))
        .route("/dashboard", web::get().to(dashboard))
        .route("/dashboard", web::head().to(dashboard))
        .route("/workbench", web::get().to(workbench))
        .route("/workbench", web::head().to(workbench))
        .route("/assets/{path:.*}", web::get().to(asset))
        .route("/assets/{path:.*}", web::head().to(asset))
        // Browsers ask for it on every page whatever the page names.
        .route("/favicon.ico", web::get().to(favicon))
        .route("/favicon.ico", web::head().to(favicon));
}

// A page counts against the kiosk's per-address allowance like any public request: the
// centre pages read the database and tell which codes name a centre. Their assets do not:
// fixed files, one page view fetching several.

async fn kiosk(
    request: HttpRequest,
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state.limits.check_public(&request)?;
    centre_page(state, code.into_inner(), "kiosk/index.html").await
}

async fn display(
    request: HttpRequest,
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state.limits.check_public(&request)?;
    centre_page(state, code.into_inner(), "display/index.html").await
}

async fn dashboard(
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    state.limits.check_public(&request)?;
    page("dashboard/index.html", &[])
}

async fn workbench(
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    state.limits.check_public(&request)?;
    page("workbench/index.html", &[])
}

/// A centre's page, told the centre's id, code and name; a code naming no open centre is 404.
async fn centre_page(
    state: web::Data<AppState>,
    code: String,
    file: &str,
) -> Result<HttpResponse, ApiError> {
    let no_such = || ApiError::NotFound("no such centre".into());
    // Codes are short and plain (`CenterInput`): anything else names no centre.
    if code.is_empty()
        || code.len() > 32
        || !code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(no_such());
    }
    let center = state
        .read(move |conn| Ok(conn.center_by_code(&code)?))
        .await?
        .filter(|center| center.active)
        .ok_or_else(no_such)?;
    page(
        file,
        &[
            ("{{center_id}}", center.id.to_string()),
            ("{{center_code}}", center.code),
            ("{{center_name}}", center.name),
        ],
    )
}

/// `file` with each placeholder replaced by its value, HTML-escaped, under the page policy.
fn page(file: &str, values: &[(&str, String)]) -> Result<HttpResponse, ApiError> {
    let asset = Assets::get(file).ok_or_else(|| ApiError::NotFound("no such page".into()))?;
    let mut html = String::from_utf8_lossy(&asset.data).into_owned();
    for (placeholder, value) in values {
        html = html.replace(placeholder, &HtmlEscape(value).to_string());
    }
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(html))
}

/// The hall's icon, the one the pages name.
async fn favicon(request: HttpRequest) -> Result<HttpResponse, ApiError> {
    embedded(&request, "common/favicon.svg")
}

/// A file under `api/assets/`, with its content type and an ETag of its bytes: browsers keep
/// it and ask again with `If-None-Match`, so a new binary's assets are seen at once.
async fn asset(request: HttpRequest, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    embedded(&request, &path.into_inner())
}

/// The embedded file at `path`, under the pages' policy too: an SVG opened by itself is a
/// document, and its scripts would run under no other.
fn embedded(request: &HttpRequest, path: &str) -> Result<HttpResponse, ApiError> {
    let no_such = || ApiError::NotFound("no such asset".into());
    if path
        .split('/')
        .any(|part| part.is_empty() || part.starts_with('.'))
    {
        return Err(no_such());
    }
    let file = Assets::get(path).ok_or_else(no_such)?;
    let hash = file.metadata.sha256_hash();
    let tag = EntityTag::new_strong(hash[..16].iter().map(|b| format!("{b:02x}")).collect());
    let fresh = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.split(',').any(|t| t.trim() == tag.to_string()));
    let mut answer = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    answer
        .insert_header(header::ETag(tag))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .insert_header((header::REFERRER_POLICY, "no-referrer"));
    if fresh {
        return Ok(answer.finish());
    }
    let mime = file.metadata.mimetype();
    let content_type = if mime.starts_with("text/") || mime.ends_with("javascript") {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_owned()
    };
    Ok(answer
        .insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_str(&content_type).map_err(|e| ApiError::Internal(e.to_string()))?,
        ))
        .body(file.data.into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_centre_name_cannot_break_out_of_its_attribute() {
        let escaped = HtmlEscape(r#"<a href="x">'&"#).to_string();
        assert!(!escaped.contains(['<', '>', '"', '\'']), "{escaped}");
    }

    #[test]
    fn every_page_and_the_icon_are_embedded() {
        for page in [
            "kiosk/index.html",
            "display/index.html",
            "dashboard/index.html",
            "workbench/index.html",
            "common/favicon.svg",
        ] {
            assert!(Assets::get(page).is_some(), "{page} is missing");
        }
    }
}
