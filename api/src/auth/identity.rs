//! The signed-in caller, extracted from `Authorization: Bearer …`: the token must verify,
//! and its account must still be active with the same token version, so revocation is
//! immediate.

use std::future::Future;
use std::pin::Pin;

use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use domain::ids::{UserId, WindowId};
use domain::permission::{Permission, Scope};
use domain::repository::UserRepository;
use domain::user::Role;

use crate::problem::ApiError;
use crate::state::AppState;

/// The caller of a protected route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The account.
    pub user_id: UserId,
    /// Its current role.
    pub role: Role,
    /// A clerk's window.
    pub window_id: Option<WindowId>,
}

impl Identity {
    /// The caller's reach for `permission`, or 403 when the role lacks it.
    pub fn require(&self, permission: Permission) -> Result<Scope, ApiError> {
        self.role
            .may(permission)
            .ok_or(ApiError::Forbidden("your role does not allow this"))
    }
}

fn bearer(req: &HttpRequest) -> Result<String, ApiError> {
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or(ApiError::Unauthenticated("sign in first: no bearer token"))?;
    let value = value
        .to_str()
        .map_err(|_| ApiError::Unauthenticated("the Authorization header is not readable"))?;
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(token.trim().to_owned())
        }
        _ => Err(ApiError::Unauthenticated(
            "the Authorization header must be `Bearer <token>`",
        )),
    }
}

impl FromRequest for Identity {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer(req);
        Box::pin(async move {
            let state =
                state.ok_or_else(|| ApiError::Internal("application state missing".into()))?;
            let claims = state
                .tokens
                .verify(&token?)
                .ok_or(ApiError::Unauthenticated("the token is invalid or expired"))?;
            let store = state.store.clone();
            let user = web::block(move || store.read(|conn| conn.user(claims.sub))).await??;
            match user {
                Some(user) if user.active && user.token_version == claims.ver => Ok(Identity {
                    user_id: user.id,
                    role: user.role,
                    window_id: user.window_id,
                }),
                _ => Err(ApiError::Unauthenticated("the token has been revoked")),
            }
        })
    }
}
