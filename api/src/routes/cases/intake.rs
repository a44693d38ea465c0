//! `POST /api/v1/cases`: accept (受理) or refuse (不予受理) an application at a window.

use actix_web::{HttpRequest, HttpResponse, post, web};
use domain::ValidationErrors;
use domain::case::workflow::IntakeRequest;
use domain::case::{Applicant, IntakeDecision, IntakeMaterials, MaterialsAtIntake};
use domain::idempotency::{self, Receipt};
use domain::ids::{ServiceItemId, TicketId, WindowId};
use domain::permission::Permission;
use domain::repository::{QueueRepository, WindowRepository};
use persistence::personal::DataKeys;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{CaseView, view};
use crate::access_log::record_reads;
use crate::auth::{Allowed, HandleCases};
use crate::problem::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use persistence::AnyConnection;

/// The longest `Idempotency-Key` accepted.
const MAX_KEY_LEN: usize = 200;

/// Accept, or refuse at intake.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// 受理 (the default).
    #[default]
    Accept,
    /// 不予受理: kept, terminal, counted apart; `reason` is required.
    NotAccepted,
}

/// An application handed in at a window.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IntakeBody {
    /// The service item applied for; the window must serve it.
    pub item_id: ServiceItemId,
    /// The receiving window; a clerk's own window when left out.
    #[serde(default)]
    pub window_id: Option<WindowId>,
    /// Who applies.
    pub applicant: Applicant,
    /// The clerk's note.
    #[serde(default)]
    pub note: String,
    /// Accept (default) or refuse at intake.
    #[serde(default)]
    pub decision: Decision,
    /// Why the application is refused, for `not_accepted`.
    #[serde(default)]
    pub reason: Option<String>,
    /// The materials received, and the required ones accepted as missing (容缺受理) with the
    /// dates they are promised by. To accept, every required material of the item's guide
    /// is named in one of the two; left out, nothing is received — right only for an item
    /// whose guide requires nothing.
    #[serde(default)]
    pub materials: MaterialsAtIntake,
    /// The queue ticket of the applicant at the window (called or being served there,
    /// today); a ticket may become several cases.
    #[serde(default)]
    pub ticket_id: Option<TicketId>,
}

/// A received case, with its query code.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseReceipt {
    /// The case.
    #[serde(flatten)]
    pub case: CaseView,
    /// The 6-digit code the applicant needs at the kiosk; print it on the receipt.
    pub query_code: String,
}

/// Receives an application: accepts it or refuses it at intake. With an `Idempotency-Key`
/// header a retry of the same request returns the same case and creates nothing, for as
/// long as the key holds (`HALL_IDEMPOTENCY_TTL_SECONDS`) and the caller may still read it.
#[utoipa::path(
    tag = "cases", operation_id = "create_case", security(("bearer" = [])), request_body = IntakeBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key with the same body returns the same case")),
    responses(
        (status = 201, body = CaseReceipt),
        (status = 200, description = "A retry with the same Idempotency-Key and body: the case it created", body = CaseReceipt),
        (status = 403, description = "Not the clerk's window; or a retry whose case is no longer within the caller's reach (transferred away, or the clerk moved window)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable or busy (SQLite's write lock); retry after `Retry-After` seconds", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`idempotency-key-in-flight`: a request with the same Idempotency-Key is still being processed; retry it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation`: an invalid applicant, a window that does not serve the item, a material not in the guide or named twice, a required material neither received nor deferred (容缺, when the guide allows it) to a date after today; `idempotency-key-reused`: the key came before with another body; `calendar-year-missing`: a date the calendar does not cover", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/cases")]
pub async fn create_case(
    state: web::Data<AppState>,
    request: HttpRequest,
    allowed: Allowed<HandleCases, web::Json<serde_json::Value>>,
) -> ApiResult<HttpResponse> {
    let (identity, body) = (allowed.identity, allowed.inner);
    let own_window = identity.case_scope(Permission::HandleCases)?;
    let key = idempotency_key(&request)?;
    let mut body = body.into_inner();
    // Whole numbers as integers before the fingerprint, so a retry spelling `2` as `2.0`
    // is the same request.
    crate::json::whole_numbers(&mut body);
    let keys = state
        .store
        .data_keys_shared()
        .ok_or_else(|| ApiError::Internal("the store has no data keys".into()))?;
    let body_bytes = body.to_string().into_bytes();
    let body: IntakeBody = crate::json::read(body)?;
    let window_id = match (own_window, body.window_id) {
        (Some(own), Some(asked)) if own != asked => {
            return Err(ApiError::Forbidden(
                "a clerk accepts cases at their own window only",
            ));
        }
        (Some(own), _) => own,
        (None, Some(asked)) => asked,
        (None, None) => {
            return Err(ValidationErrors::single("window_id", "name the receiving window").into());
        }
    };
    let decision = match (body.decision, body.reason) {
        (Decision::Accept, _) => IntakeDecision::Accept,
        (Decision::NotAccepted, Some(reason)) => IntakeDecision::Refuse { reason },
        (Decision::NotAccepted, None) => {
            return Err(ValidationErrors::single(
                "reason",
                "say why the application is not accepted",
            )
            .into());
        }
    };
    let ticket_id = body.ticket_id;
    let intake = IntakeRequest {
        item_id: body.item_id,
        window_id,
        applicant: body.applicant,
        note: body.note,
        materials: IntakeMaterials::Recorded(body.materials),
        decision,
    };
    let now = state.now();
    let codes = state.query_codes.clone();
    let actor = identity.user_id;
    let calendars = state.calendars.clone();
    let ttl = state.settings.idempotency_ttl;
    // A replay answers with personal data: the caller's reach is judged now, as a read is;
    // `None` when they may read no case at all.
    let reach = identity.case_scope(Permission::ReadCases).ok();
    let (case, code, replayed) = state
        .write(move |conn| {
            let calendar = calendars.for_write(conn)?;
            let fingerprint = BodyFingerprint {
                keys: &keys,
                body: &body_bytes,
            };
            let keyed = key.as_deref().map(|key| idempotency::Keyed {
                key,
                fingerprint: &fingerprint,
                ttl,
                reach,
            });
            match idempotency::receive(conn, &calendar, &codes, intake, actor, now, keyed)? {
                Receipt::Created(case, code) => {
                    // Checked once the case exists, so a replay answers as the first time
                    // whatever the ticket became since; a refusal rolls the case back.
                    if let Some(ticket) = ticket_id {
                        ticket_at_window(conn, ticket, window_id, now.today)?;
                        conn.link_case(ticket, case.id)?;
                    }
                    // A new case came from this request's ticket or from none: nothing to
                    // read while the region's case number is held.
                    Ok((CaseView::new(case, &calendar, ticket_id), code, false))
                }
                Receipt::Replayed(case, code) => {
                    // The answer shows the applicant's personal data again.
                    record_reads(conn, now.at, actor, [case.id], "create_case.replay")?;
                    Ok((view(conn, case, &calendar)?, code, true))
                }
            }
        })
        .await?;
    if !replayed {
        state.metrics.cases_received.inc();
    }
    let receipt = CaseReceipt {
        case,
        query_code: code,
    };
    Ok(if replayed {
        HttpResponse::Ok().json(receipt)
    } else {
        HttpResponse::Created().json(receipt)
    })
}

/// The ticket exists and its holder stands at a counter of the window's centre today, or
/// 422 naming `ticket_id`.
fn ticket_at_window(
    conn: &mut AnyConnection,
    ticket: TicketId,
    window: WindowId,
    today: chrono::NaiveDate,
) -> Result<(), ApiError> {
    let ticket = conn
        .ticket(ticket)?
        .ok_or_else(|| ValidationErrors::single("ticket_id", "no such ticket"))?;
    // An unknown window is the intake's to refuse, naming `window_id`.
    let Some(window) = conn.window(window)? else {
        return Ok(());
    };
    Ok(ticket.may_become_case(window.center_id, today)?)
}

/// A request body's fingerprint under the store's data keys.
struct BodyFingerprint<'a> {
    keys: &'a DataKeys,
    body: &'a [u8],
}

impl idempotency::Fingerprint for BodyFingerprint<'_> {
    fn current(&self) -> String {
        self.keys.request_fingerprint(self.body)
    }

    fn matches(&self, stored: &str) -> bool {
        self.keys.fingerprint_matches(stored, self.body)
    }
}

fn idempotency_key(request: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = request.headers().get("Idempotency-Key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .map_err(|_| ApiError::Malformed("the Idempotency-Key header is not readable".into()))?;
    let key = key.trim();
    if key.is_empty() || key.len() > MAX_KEY_LEN {
        return Err(ValidationErrors::single(
            "Idempotency-Key",
            format!("must be 1 to {MAX_KEY_LEN} characters"),
        )
        .into());
    }
    Ok(Some(key.to_owned()))
}
