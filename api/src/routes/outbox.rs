//! `/api/v1/outbox`: the messages on their way to webhooks, and the replay of dead ones
//! (administrators only).

use actix_web::{get, post, web};
use domain::ids::OutboxMessageId;
use domain::outbox::{MessageStatus, OutboxMessage, OutboxRepository};
use domain::page::{Page, PageRequest};
use domain::permission::Permission;
use serde::Deserialize;
use utoipa::IntoParams;

use domain::audit::AuditAction;

use crate::audit::audit;
use crate::auth::Identity;
use crate::parameters::Query;
use crate::problem::{ApiError, ApiResult, Problem};
use crate::routes::{PageQuery, found};
use crate::state::AppState;

/// Which messages to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OutboxQuery {
    /// Only messages in this state (`dead`: those awaiting a replay).
    pub status: Option<MessageStatus>,
    /// How many entries, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    #[param(
        pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
    )]
    pub after: Option<String>,
}

/// Lists outbox messages, in the order they were written (admin).
#[utoipa::path(
    tag = "webhooks", operation_id = "list_outbox_messages", security(("bearer" = [])), params(OutboxQuery),
    responses((status = 200, body = Page<OutboxMessage>), (status = 403, body = Problem, content_type = "application/problem+json"))
)]
#[get("/outbox")]
pub async fn list_outbox_messages(
    state: web::Data<AppState>,
    identity: Identity,
    query: Query<OutboxQuery>,
) -> ApiResult<web::Json<Page<OutboxMessage>>> {
    identity.require(Permission::ManageCatalogue)?;
    let OutboxQuery {
        status,
        limit,
        after,
    } = query.into_inner();
    let page: PageRequest = PageQuery { limit, after }.request()?;
    Ok(web::Json(
        state
            .read(move |conn| Ok(conn.outbox_messages(status, &page)?))
            .await?,
    ))
}

/// Queues a dead (or delivered) message again, due now with its attempts reset, under its
/// own `webhook-id` (admin).
#[utoipa::path(
    tag = "webhooks", operation_id = "replay_outbox_message", security(("bearer" = [])), params(("id" = OutboxMessageId, Path)),
    responses(
        (status = 200, body = OutboxMessage),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The message is still queued", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/outbox/{id}/replay")]
pub async fn replay_outbox_message(
    state: web::Data<AppState>,
    identity: Identity,
    id: web::Path<OutboxMessageId>,
) -> ApiResult<web::Json<OutboxMessage>> {
    identity.require(Permission::ManageCatalogue)?;
    let (id, now) = (id.into_inner(), state.now().at);
    let message = state
        .write(move |conn| {
            let message = found(conn.outbox_message(id)?, "outbox message")?;
            if message.status == MessageStatus::Queued {
                return Err(ApiError::Conflict(
                    "the message is still queued: the dispatcher will try it".into(),
                ));
            }
            conn.requeue_message(id, now)?;
            let after = found(conn.outbox_message(id)?, "outbox message")?;
            let action = AuditAction::OutboxReplay;
            audit(
                conn,
                now,
                Some(identity.user_id),
                action,
                id,
                Some(&message),
                Some(&after),
            )?;
            Ok(after)
        })
        .await?;
    Ok(web::Json(message))
}
