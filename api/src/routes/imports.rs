//! `POST /api/v1/imports/cases`: cases with their whole history from a legacy system.

use actix_web::{HttpResponse, post, web};
use chrono::Utc;
use domain::ValidationErrors;
use domain::case::workflow::{self, ImportedCase, WorkflowError};
use domain::ids::{CaseId, UserId};
use domain::repository::UserRepository;
use persistence::AnyConnection;
use serde::Serialize;
use utoipa::ToSchema;

use crate::audit::audit;
use crate::auth::{Allowed, ManageCatalogue};
use crate::problem::{ApiError, ApiResult, Problem};
use crate::state::{AppState, calendar};

/// The largest import accepted in one request.
pub const IMPORT_LIMIT: usize = 64 * 1024 * 1024;

/// One imported case.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportedCaseView {
    /// The line it came from, from 1.
    pub line: usize,
    /// Its new id.
    pub id: CaseId,
    /// Its new case number.
    pub case_no: String,
    /// Its query code, for the applicant.
    pub query_code: String,
}

/// What an import did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReport {
    /// How many cases were imported.
    pub imported: usize,
    /// Each, in the order of the lines.
    pub cases: Vec<ImportedCaseView>,
}

/// Imports NDJSON text, all or nothing: every line is checked against the state machine
/// and the calendar; one bad line refuses the batch with an error per bad line.
pub fn import_ndjson(
    conn: &mut AnyConnection,
    state: &AppState,
    text: &str,
    importer: UserId,
) -> Result<ImportReport, ApiError> {
    let calendar = calendar(conn)?;
    let offset = state.settings.utc_offset;
    let now = Utc::now();
    let mut errors = ValidationErrors::default();
    let mut cases = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let parsed: ImportedCase = match serde_json::from_str(raw) {
            Ok(parsed) => parsed,
            Err(e) => {
                errors.add(&format!("line {line}"), e.to_string());
                continue;
            }
        };
        let result = workflow::import(
            conn,
            &calendar,
            &state.query_codes,
            parsed,
            offset,
            now,
            |conn, name| match name {
                None => Ok(importer),
                Some(name) => match conn.credentials(name)? {
                    Some(c) => Ok(c.user.id),
                    None => Err(ValidationErrors::single("by", format!("no user {name:?}")).into()),
                },
            },
        );
        match result {
            Ok((case, query_code)) => cases.push(ImportedCaseView {
                line,
                id: case.id,
                case_no: case.case_no,
                query_code,
            }),
            Err(WorkflowError::Repository(error)) => return Err(error.into()),
            Err(WorkflowError::Case(domain::case::CaseError::Invalid(invalid))) => {
                for error in invalid.errors {
                    errors.add(&format!("line {line}: {}", error.field), error.message);
                }
            }
            Err(other) => errors.add(&format!("line {line}"), other.to_string()),
        }
    }
    if cases.is_empty() && errors.errors.is_empty() {
        errors.add("body", "no case to import");
    }
    errors.into_result()?;
    let imported: Vec<_> = cases.iter().map(|c| &c.case_no).collect();
    let summary = serde_json::json!({"imported": cases.len(), "case_numbers": imported});
    audit(
        conn,
        Some(importer),
        "case.import",
        cases.len(),
        None::<&serde_json::Value>,
        Some(&summary),
    )?;
    Ok(ImportReport {
        imported: cases.len(),
        cases,
    })
}

/// Imports cases from a legacy system (admin): NDJSON, one case with its full timestamped
/// history per line. Written all or nothing; when refused, the problem lists an error per line.
#[utoipa::path(
    tag = "imports", operation_id = "import_cases", security(("bearer" = [])),
    request_body(content = ImportedCase, content_type = "application/x-ndjson", description = "One ImportedCase per line"),
    responses(
        (status = 201, body = ImportReport),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Nothing was written; `errors` names each bad line", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/imports/cases")]
pub async fn import_cases(
    state: web::Data<AppState>,
    allowed: Allowed<ManageCatalogue, web::Bytes>,
) -> ApiResult<HttpResponse> {
    let (identity, body) = (allowed.identity, allowed.inner);
    let text = String::from_utf8(body.to_vec())
        .map_err(|_| ApiError::Malformed("the body is not UTF-8 text".into()))?;
    let shared = state.get_ref().clone();
    let report = state
        .write(move |conn| import_ndjson(conn, &shared, &text, identity.user_id))
        .await?;
    Ok(HttpResponse::Created().json(report))
}
