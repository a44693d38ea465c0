//! Signing in, and who the token belongs to.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use domain::repository::UserRepository;
use domain::user::User;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{Identity, password};
use crate::json::Json;
use crate::problem::{ApiError, ApiResult, Problem};
use crate::routes::found;
use crate::state::AppState;

/// A username and password.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Login {
    /// The login name.
    pub username: String,
    /// The password.
    pub password: String,
}

/// A signed access token.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccessToken {
    /// Send as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the token expires.
    pub expires_in: u64,
}

/// Signs in with a username and password.
#[utoipa::path(
    tag = "auth",
    operation_id = "login",
    request_body = Login,
    responses(
        (status = 200, body = AccessToken),
        (status = 401, description = "Unknown user, wrong password or inactive account", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A username longer than any account's", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts from this address, or this address already gave a wrong password for this username while its hourly allowance of wrong passwords is spent", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable, or too many password checks are waiting; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    request: HttpRequest,
    body: Json<Login>,
) -> ApiResult<HttpResponse> {
    let Login { username, password } = body.into_inner();
    let attempt = state.limits.check_login(&request, &username)?;
    let credentials = state
        .read(move |conn| Ok(conn.credentials(&username)?))
        .await?;
    let user = state
        .limits
        .hashing()
        .run(move || match credentials {
            Some(c) if password::verify(&password, &c.password_hash) && c.user.active => {
                Some(c.user)
            }
            Some(_) => None,
            None => {
                // Spend the same time as for a known user, so usernames cannot be probed.
                password::verify(&password, password::decoy_hash());
                None
            }
        })
        .await?;
    let Some(user) = user else {
        state.limits.login_failed(&attempt);
        return Err(ApiError::Unauthenticated("wrong username or password"));
    };
    let access_token = state.tokens.issue(&user).map_err(ApiError::Internal)?;
    Ok(HttpResponse::Ok().json(AccessToken {
        access_token,
        token_type: "Bearer",
        expires_in: state.tokens.lifetime().as_secs(),
    }))
}

/// The signed-in user's account.
#[utoipa::path(
    tag = "auth",
    operation_id = "get_me",
    security(("bearer" = [])),
    responses(
        (status = 200, body = User),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/auth/me")]
pub async fn me(state: web::Data<AppState>, identity: Identity) -> ApiResult<web::Json<User>> {
    let user = state
        .read(move |conn| Ok(conn.user(identity.user_id)?))
        .await?;
    Ok(web::Json(found(user, "user")?))
}
