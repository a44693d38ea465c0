//! `/api/v1/users`: accounts, kept by the administrator; and `POST /auth/password`, where
//! anyone changes their own. Deactivation, a new password, a new role or window revoke the
//! account's earlier tokens at once.

use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use domain::ValidationErrors;
use domain::audit::AuditAction;
use domain::ids::UserId;
use domain::page::Page;
use domain::permission::Permission;
use domain::repository::{RepositoryResult, UserRepository, WindowRepository};
use domain::user::{User, UserInput, UserUpdate, validate_password};
use persistence::AnyConnection;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::audit::audit;
use crate::auth::{Allowed, Identity, ManageCatalogue, password};
use crate::json::Json;
use crate::parameters::Query;
use crate::problem::{ApiError, ApiResult, Problem};
use crate::routes::auth::AccessToken;
use crate::routes::{Audited, PageQuery, Record, change_audited, create_audited, found, taken};
use crate::state::AppState;

impl Record for User {
    type Id = UserId;
    const WHAT: &'static str = "user";

    fn record_id(&self) -> String {
        self.id.to_string()
    }

    fn load(conn: &mut AnyConnection, id: UserId) -> RepositoryResult<Option<Self>> {
        conn.user(id)
    }

    fn store(&self, conn: &mut AnyConnection) -> Result<(), ApiError> {
        Ok(conn.update_user(self, None)?)
    }
}

/// A new account with its first password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// Login name, display name, role and (for clerks) window.
    #[serde(flatten)]
    pub user: UserInput,
    /// The first password, at least 12 characters.
    #[schema(min_length = 12)]
    pub password: String,
}

/// A change of one's own password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    /// The current password.
    pub old_password: String,
    /// The new password, at least 12 characters.
    #[schema(min_length = 12)]
    pub new_password: String,
}

fn check_window(conn: &mut AnyConnection, user: &User) -> Result<(), ApiError> {
    match user.window_id {
        Some(window) if conn.window(window)?.is_none() => {
            Err(ValidationErrors::single("window_id", "no such window").into())
        }
        _ => Ok(()),
    }
}

/// Lists accounts (admin).
#[utoipa::path(
    tag = "users", operation_id = "list_users", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = Page<User>), (status = 403, body = Problem, content_type = "application/problem+json"))
)]
#[get("/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    identity: Identity,
    query: Query<PageQuery>,
) -> ApiResult<web::Json<Page<User>>> {
    identity.require(Permission::ManageCatalogue)?;
    let page = query.into_inner().request()?;
    Ok(web::Json(
        state.read(move |conn| Ok(conn.users(&page)?)).await?,
    ))
}

/// Reads one account (admin).
#[utoipa::path(
    tag = "users", operation_id = "get_user", security(("bearer" = [])), params(("id" = UserId, Path)),
    responses((status = 200, body = User), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[get("/users/{id}")]
pub async fn get_user(
    state: web::Data<AppState>,
    identity: Identity,
    id: web::Path<UserId>,
) -> ApiResult<web::Json<User>> {
    identity.require(Permission::ManageCatalogue)?;
    let id = id.into_inner();
    Ok(web::Json(found(
        state.read(move |conn| Ok(conn.user(id)?)).await?,
        "user",
    )?))
}

/// Creates an account (admin).
#[utoipa::path(
    tag = "users", operation_id = "create_user", security(("bearer" = [])), request_body = NewUser,
    responses(
        (status = 201, body = User),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The username is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    allowed: Allowed<ManageCatalogue, Json<NewUser>>,
) -> ApiResult<HttpResponse> {
    let now = state.now().at;
    let (identity, body) = (allowed.identity, allowed.inner);
    let NewUser {
        user,
        password: secret,
    } = body.into_inner();
    let mut errors = user.validate().err().unwrap_or_default();
    if let Err(weak) = validate_password("password", &secret) {
        errors.errors.extend(weak.errors);
    }
    errors.into_result()?;
    let hash = state
        .limits
        .hashing()
        .run(move || password::hash(&secret))
        .await?
        .map_err(ApiError::Internal)?;
    let user = user.into_user(UserId::new(), now);
    let user = state
        .write(move |conn| {
            check_window(conn, &user)?;
            let user = create_audited(
                conn,
                Audited::new(now, identity.user_id, AuditAction::UserCreate),
                user,
                |conn, user| {
                    conn.insert_user(user, &hash)
                        .map_err(taken("this username is taken"))
                },
            )?;
            Ok(user)
        })
        .await?;
    Ok(HttpResponse::Created().json(user))
}

/// Changes an account's display name, role and window (admin); a new role or window revokes
/// its earlier tokens.
#[utoipa::path(
    tag = "users", operation_id = "update_user", security(("bearer" = [])), params(("id" = UserId, Path)), request_body = UserUpdate,
    responses(
        (status = 200, body = User),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/users/{id}")]
pub async fn update_user(
    state: web::Data<AppState>,
    id: web::Path<UserId>,
    allowed: Allowed<ManageCatalogue, Json<UserUpdate>>,
) -> ApiResult<web::Json<User>> {
    let now = state.now().at;
    let (identity, body) = (allowed.identity, allowed.inner);
    let id = id.into_inner();
    let update = body.into_inner();
    let user = state
        .write(move |conn| {
            let (_, user) = change_audited::<User>(
                conn,
                Audited::new(now, identity.user_id, AuditAction::UserUpdate),
                id,
                |conn, before| {
                    let user = before.updated(update, now)?;
                    check_window(conn, &user)?;
                    Ok(user)
                },
            )?;
            Ok(user)
        })
        .await?;
    Ok(web::Json(user))
}

/// Deactivates an account (admin): it can no longer sign in, and its tokens stop working at
/// once.
#[utoipa::path(
    tag = "users", operation_id = "deactivate_user", security(("bearer" = [])), params(("id" = UserId, Path)),
    responses(
        (status = 200, body = User),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`conflict`: an administrator cannot deactivate their own account", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users/{id}/deactivate")]
pub async fn deactivate_user(
    state: web::Data<AppState>,
    identity: Identity,
    id: web::Path<UserId>,
) -> ApiResult<web::Json<User>> {
    let now = state.now().at;
    identity.require(Permission::ManageCatalogue)?;
    let id = id.into_inner();
    if id == identity.user_id {
        return Err(ApiError::Conflict(
            "an administrator cannot deactivate their own account".into(),
        ));
    }
    let user = state
        .write(move |conn| {
            let (_, user) = change_audited::<User>(
                conn,
                Audited::new(now, identity.user_id, AuditAction::UserDeactivate),
                id,
                |_, before| {
                    let user = before.deactivated(now);
                    Ok(user)
                },
            )?;
            Ok(user)
        })
        .await?;
    Ok(web::Json(user))
}

/// Changes one's own password; earlier tokens stop working, and a new token is returned.
#[utoipa::path(
    tag = "auth", operation_id = "change_password", security(("bearer" = [])), request_body = PasswordChange,
    responses(
        (status = 200, description = "A token for the new password", body = AccessToken),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The old password is wrong, or the new one too short", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts from this address, or too many wrong current passwords for this user this hour; see Retry-After", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable, or too many password checks are waiting; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    request: HttpRequest,
    identity: Identity,
    body: Json<PasswordChange>,
) -> ApiResult<web::Json<AccessToken>> {
    let now = state.now().at;
    let PasswordChange {
        old_password,
        new_password,
    } = body.into_inner();
    validate_password("new_password", &new_password)?;
    let user_id = identity.user_id;
    let limited_as = user_id.to_string();
    state.limits.check_password_change(&request, &limited_as)?;
    let stored = state.read(move |conn| Ok(conn.user(user_id)?)).await?;
    let user = found(stored, "user")?;
    let username = user.username.clone();
    let credentials = state
        .read(move |conn| Ok(conn.credentials(&username)?))
        .await?;
    let current_hash = found(credentials, "user")?.password_hash;
    let hash = state
        .limits
        .hashing()
        .run(move || {
            if !password::verify(&old_password, &current_hash) {
                return Ok(None);
            }
            password::hash(&new_password).map(Some)
        })
        .await?
        .map_err(ApiError::Internal)?;
    let Some(hash) = hash else {
        state.limits.password_change_failed(&limited_as);
        return Err(ApiError::from(ValidationErrors::single(
            "old_password",
            "is not the current password",
        )));
    };
    let user = state
        .write(move |conn| {
            let user = found(conn.user(user_id)?, "user")?.with_new_password(now);
            conn.update_user(&user, Some(&hash))?;
            // Neither password nor hash is recorded: only that it changed.
            audit(
                conn,
                now,
                Some(user_id),
                AuditAction::UserPassword,
                user.id,
                None::<&User>,
                None::<&User>,
            )?;
            Ok(user)
        })
        .await?;
    let access_token = state.tokens.issue(&user).map_err(ApiError::Internal)?;
    Ok(web::Json(AccessToken {
        access_token,
        token_type: "Bearer",
        expires_in: state.tokens.lifetime().as_secs(),
    }))
}
