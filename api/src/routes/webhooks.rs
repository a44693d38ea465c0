//! `/api/v1/webhooks`: subscribers outside the hall, their secrets and their delivery
//! attempts (administrators only). Delivery itself is the dispatcher's (`crate::outbox`).

use actix_web::{HttpResponse, delete, get, post, put, web};
use chrono::{DateTime, Utc};
use domain::ids::WebhookId;
use domain::outbox::{Delivery, EventKind, OutboxRepository, Webhook, WebhookInput};
use domain::page::Page;
use domain::permission::Permission;
use serde::Serialize;
use utoipa::ToSchema;

use domain::audit::AuditAction;

use crate::audit::audit;
use crate::auth::{Allowed, Identity, ManageCatalogue};
use crate::json::Json;
use crate::outbox::{ROTATION_OVERLAP, address, signature};
use crate::parameters::Query;
use crate::problem::{ApiError, ApiResult, Problem};
use crate::routes::{PageQuery, found};
use crate::state::AppState;

/// A webhook with its signing secret, shown only when it is registered or rotated.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookWithSecret {
    /// Its identifier.
    #[schema(value_type = String, format = Uuid)]
    pub id: WebhookId,
    /// Where deliveries are POSTed.
    pub url: String,
    /// The kinds it hears of.
    pub events: Vec<EventKind>,
    /// Whether new events are queued for it.
    pub active: bool,
    /// Until when the secret before the last rotation signs too.
    pub previous_secret_until: Option<DateTime<Utc>>,
    /// When it was registered.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// The signing secret (`whsec_` and base64), for the receiver's Standard Webhooks
    /// library: shown this once.
    pub secret: String,
}

impl WebhookWithSecret {
    fn new(webhook: Webhook, secret: String) -> Self {
        Self {
            id: webhook.id,
            url: webhook.url,
            events: webhook.events,
            active: webhook.active,
            previous_secret_until: webhook.previous_secret_until,
            created_at: webhook.created_at,
            updated_at: webhook.updated_at,
            secret,
        }
    }
}

/// Checks the input's shape, then (off the request's thread: it may resolve a name) its
/// address.
async fn checked(state: &AppState, input: &WebhookInput) -> Result<(), ApiError> {
    input.validate()?;
    let url = input.url.trim().to_owned();
    let allow_private = state.settings.outbox.allow_private;
    web::block(move || address::check(&url, allow_private))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|refused| domain::ValidationErrors::single("url", refused.to_string()).into())
}

/// Registers a webhook (admin); answers its secret, shown once.
#[utoipa::path(
    tag = "webhooks", operation_id = "create_webhook", security(("bearer" = [])), request_body = WebhookInput,
    responses(
        (status = 201, body = WebhookWithSecret),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The URL is not http(s), or names a private, loopback or link-local address; or no event kind", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/webhooks")]
pub async fn create_webhook(
    state: web::Data<AppState>,
    allowed: Allowed<ManageCatalogue, Json<WebhookInput>>,
) -> ApiResult<HttpResponse> {
    let (actor, input) = (allowed.identity.user_id, allowed.inner.into_inner());
    checked(&state, &input).await?;
    let now = state.now().at;
    let webhook = input.into_webhook(WebhookId::new(), now);
    let secret = signature::new_secret();
    let created = state
        .write(move |conn| {
            conn.insert_webhook(&webhook, &secret)?;
            let action = AuditAction::WebhookCreate;
            audit(
                conn,
                now,
                Some(actor),
                action,
                webhook.id,
                None::<&Webhook>,
                Some(&webhook),
            )?;
            Ok(WebhookWithSecret::new(webhook, secret))
        })
        .await?;
    Ok(HttpResponse::Created().json(created))
}

/// Lists webhooks, in the order they were registered (admin).
#[utoipa::path(
    tag = "webhooks", operation_id = "list_webhooks", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = Page<Webhook>), (status = 403, body = Problem, content_type = "application/problem+json"))
)]
#[get("/webhooks")]
pub async fn list_webhooks(
    state: web::Data<AppState>,
    identity: Identity,
    query: Query<PageQuery>,
) -> ApiResult<web::Json<Page<Webhook>>> {
    identity.require(Permission::ManageCatalogue)?;
    let page = query.into_inner().request()?;
    Ok(web::Json(
        state.read(move |conn| Ok(conn.webhooks(&page)?)).await?,
    ))
}

/// Reads one webhook (admin); never its secret.
#[utoipa::path(
    tag = "webhooks", operation_id = "get_webhook", security(("bearer" = [])), params(("id" = WebhookId, Path)),
    responses(
        (status = 200, body = Webhook),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/webhooks/{id}")]
pub async fn get_webhook(
    state: web::Data<AppState>,
    identity: Identity,
    id: web::Path<WebhookId>,
) -> ApiResult<web::Json<Webhook>> {
    identity.require(Permission::ManageCatalogue)?;
    let id = id.into_inner();
    let webhook = state.read(move |conn| Ok(conn.webhook(id)?)).await?;
    Ok(web::Json(found(webhook, "webhook")?))
}

/// Replaces a webhook's URL, event kinds and activity (admin); its secret stays.
#[utoipa::path(
    tag = "webhooks", operation_id = "update_webhook", security(("bearer" = [])), params(("id" = WebhookId, Path)), request_body = WebhookInput,
    responses(
        (status = 200, body = Webhook),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/webhooks/{id}")]
pub async fn update_webhook(
    state: web::Data<AppState>,
    id: web::Path<WebhookId>,
    allowed: Allowed<ManageCatalogue, Json<WebhookInput>>,
) -> ApiResult<web::Json<Webhook>> {
    let (actor, input) = (allowed.identity.user_id, allowed.inner.into_inner());
    checked(&state, &input).await?;
    let (id, now) = (id.into_inner(), state.now().at);
    let webhook = state
        .write(move |conn| {
            let before = found(conn.webhook(id)?, "webhook")?;
            let webhook = input.replace(before.clone(), now);
            conn.update_webhook(&webhook)?;
            let action = AuditAction::WebhookUpdate;
            audit(
                conn,
                now,
                Some(actor),
                action,
                id,
                Some(&before),
                Some(&webhook),
            )?;
            Ok(webhook)
        })
        .await?;
    Ok(web::Json(webhook))
}

/// Removes a webhook with its queued messages and its attempts' log (admin).
#[utoipa::path(
    tag = "webhooks", operation_id = "delete_webhook", security(("bearer" = [])), params(("id" = WebhookId, Path)),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/webhooks/{id}")]
pub async fn delete_webhook(
    state: web::Data<AppState>,
    identity: Identity,
    id: web::Path<WebhookId>,
) -> ApiResult<HttpResponse> {
    identity.require(Permission::ManageCatalogue)?;
    let (id, now) = (id.into_inner(), state.now().at);
    state
        .write(move |conn| {
            let before = found(conn.webhook(id)?, "webhook")?;
            conn.delete_webhook(id)?;
            let action = AuditAction::WebhookDelete;
            audit(
                conn,
                now,
                Some(identity.user_id),
                action,
                id,
                Some(&before),
                None::<&Webhook>,
            )
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Gives a webhook a new secret (admin), shown once; for a day both the new and the old
/// secret sign each delivery (two `v1,` entries in `webhook-signature`).
#[utoipa::path(
    tag = "webhooks", operation_id = "rotate_webhook_secret", security(("bearer" = [])), params(("id" = WebhookId, Path)),
    responses(
        (status = 200, body = WebhookWithSecret),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/webhooks/{id}/rotate")]
pub async fn rotate_webhook_secret(
    state: web::Data<AppState>,
    identity: Identity,
    id: web::Path<WebhookId>,
) -> ApiResult<web::Json<WebhookWithSecret>> {
    identity.require(Permission::ManageCatalogue)?;
    let (id, now) = (id.into_inner(), state.now().at);
    let secret = signature::new_secret();
    let rotated = {
        let secret = secret.clone();
        state
            .write(move |conn| {
                let before = found(conn.webhook(id)?, "webhook")?;
                conn.rotate_webhook_secret(id, &secret, now + ROTATION_OVERLAP, now)?;
                let after = found(conn.webhook(id)?, "webhook")?;
                let action = AuditAction::WebhookRotate;
                audit(
                    conn,
                    now,
                    Some(identity.user_id),
                    action,
                    id,
                    Some(&before),
                    Some(&after),
                )?;
                Ok(after)
            })
            .await?
    };
    Ok(web::Json(WebhookWithSecret::new(rotated, secret)))
}

/// A webhook's delivery attempts, in the order they were made (admin): status, time, error.
#[utoipa::path(
    tag = "webhooks", operation_id = "list_webhook_deliveries", security(("bearer" = [])), params(("id" = WebhookId, Path), PageQuery),
    responses(
        (status = 200, body = Page<Delivery>),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/webhooks/{id}/deliveries")]
pub async fn list_webhook_deliveries(
    state: web::Data<AppState>,
    identity: Identity,
    id: web::Path<WebhookId>,
    query: Query<PageQuery>,
) -> ApiResult<web::Json<Page<Delivery>>> {
    identity.require(Permission::ManageCatalogue)?;
    let (id, page) = (id.into_inner(), query.into_inner().request()?);
    let deliveries = state
        .read(move |conn| {
            found(conn.webhook(id)?, "webhook")?;
            Ok(conn.deliveries(id, &page)?)
        })
        .await?;
    Ok(web::Json(deliveries))
}
