//! The signed-in caller, extracted from `Authorization: Bearer …`: the token must verify,
//! and its account must still be active with the same token version, so revocation is
//! immediate.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use actix_web::dev::Payload;
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

    /// The caller's reach over cases for `permission`: everywhere (`None`), or only their
    /// own window; 403 when the role lacks it, or when it reaches a window only and the
    /// account is bound to none.
    pub fn case_scope(&self, permission: Permission) -> Result<Option<WindowId>, ApiError> {
        match self.require(permission)? {
            Scope::All => Ok(None),
            Scope::OwnWindow => self
                .window_id
                .map(Some)
                .ok_or(ApiError::Forbidden("your account is bound to no window")),
        }
    }
}

/// The window a query may look at, for a caller whose reach is `own_window` (see
/// [`Identity::case_scope`]): for a clerk their own (asking for another is refused with
/// `refusal`), for anyone else the one asked, if any.
pub fn window_in_reach(
    own_window: Option<WindowId>,
    asked: Option<WindowId>,
    refusal: &'static str,
) -> Result<Option<WindowId>, ApiError> {
    match (own_window, asked) {
        (Some(own), Some(asked)) if own != asked => Err(ApiError::Forbidden(refusal)),
        (Some(own), _) => Ok(Some(own)),
        (None, asked) => Ok(asked),
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

/// A permission named as a type, for [`Allowed`].
pub trait Need: 'static {
    /// The permission the caller must hold.
    const PERMISSION: Permission;
}

/// Keeping centres, departments, windows, items, users and the calendar (admins).
#[derive(Debug)]
pub struct ManageCatalogue;

impl Need for ManageCatalogue {
    const PERMISSION: Permission = Permission::ManageCatalogue;
}

/// Acting on cases (clerks at their own window, supervisors and admins).
#[derive(Debug)]
pub struct HandleCases;

impl Need for HandleCases {
    const PERMISSION: Permission = Permission::HandleCases;
}

/// Closing the rectifications of poor ratings (supervisors and admins).
#[derive(Debug)]
pub struct Supervise;

impl Need for Supervise {
    const PERMISSION: Permission = Permission::Supervise;
}

/// The caller, allowed `N`, and then `T` — the body, the path, or a tuple of them — which
/// is extracted only once the caller is known and allowed. actix extracts a handler's
/// arguments side by side, so an [`Identity`] beside a `Json` stops nothing: the body would
/// be read, buffered (64 MiB for an import) and judged (422) before the handler could say
/// 403. Here nobody without the right makes the server read a byte of it.
#[derive(Debug)]
pub struct Allowed<N, T> {
    /// The caller.
    pub identity: Identity,
    /// How far the permission reaches.
    pub scope: Scope,
    /// What was extracted after the check.
    pub inner: T,
    need: PhantomData<N>,
}

impl<N: Need, T: FromRequest + 'static> FromRequest for Allowed<N, T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, actix_web::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let identity = Identity::from_request(req, &mut Payload::None);
        let req = req.clone();
        let mut payload = payload.take();
        Box::pin(async move {
            let identity = identity.await?;
            let scope = identity.require(N::PERMISSION)?;
            let inner = T::from_request(&req, &mut payload)
                .await
                .map_err(Into::into)?;
            Ok(Self {
                identity,
                scope,
                inner,
                need: PhantomData,
            })
        })
    }
}
