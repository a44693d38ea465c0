//! `PUT /api/v1/cases/{id}/notifications`: whether the applicant is texted about the case.

use actix_web::{put, web};
use domain::audit::AuditAction;
use domain::ids::CaseId;
use domain::permission::Permission;
use domain::repository::CaseRepository;
use domain::sms::SmsRecipients;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::within;
use crate::audit::audit;
use crate::auth::{Allowed, HandleCases};
use crate::json::Json;
use crate::problem::{ApiResult, Problem};
use crate::routes::found;
use crate::state::AppState;

/// The applicant's choice of texts.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Notifications {
    /// True when the applicant declines texts about the case (短信告知): none is queued from
    /// now on, and one queued before is not sent.
    pub sms_opt_out: bool,
}

/// Records whether the applicant declines texts about the case, as they told a clerk; a
/// clerk changes it only for their own window's cases. A change is in the audit trail
/// (`case.notifications`): who recorded the applicant's consent, and when.
#[utoipa::path(
    tag = "cases", operation_id = "put_case_notifications", security(("bearer" = [])), params(("id" = CaseId, Path)), request_body = Notifications,
    responses(
        (status = 200, description = "The choice as recorded", body = Notifications),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/cases/{id}/notifications")]
pub async fn put_case_notifications(
    state: web::Data<AppState>,
    id: web::Path<CaseId>,
    allowed: Allowed<HandleCases, Json<Notifications>>,
) -> ApiResult<web::Json<Notifications>> {
    let (identity, body) = (allowed.identity, allowed.inner.into_inner());
    let own_window = identity.case_scope(Permission::HandleCases)?;
    let (id, actor, now) = (id.into_inner(), identity.user_id, state.now().at);
    let answer = state
        .write(move |conn| {
            let case = found(conn.case(id)?, "case")?;
            within(own_window, &case)?;
            let before = Notifications {
                sms_opt_out: case.applicant.sms_opt_out,
            };
            // Told again what is recorded: nothing changes, so nothing is audited.
            if before.sms_opt_out != body.sms_opt_out {
                conn.set_sms_opt_out(case.id, body.sms_opt_out)?;
                let action = AuditAction::CaseNotifications;
                audit(
                    conn,
                    now,
                    Some(actor),
                    action,
                    id,
                    Some(&before),
                    Some(&body),
                )?;
            }
            Ok(body)
        })
        .await?;
    Ok(web::Json(answer))
}
