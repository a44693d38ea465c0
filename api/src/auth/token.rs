//! Signed access tokens (JWT, HS256): user id, role, window and the account's token
//! version, so a bumped version revokes every earlier token.

use std::time::Duration;

use chrono::Utc;
use domain::ids::{UserId, WindowId};
use domain::user::{Role, User};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// What a token says about its bearer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user's id.
    pub sub: UserId,
    /// The user's role when the token was issued.
    pub role: Role,
    /// A clerk's window.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub window: Option<WindowId>,
    /// The account's token version when the token was issued.
    pub ver: i64,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// Expires at, seconds since the epoch.
    pub exp: i64,
}

/// The keys that sign and check tokens, and how long a token lives.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    lifetime: Duration,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKeys")
            .field("lifetime", &self.lifetime)
            .finish_non_exhaustive()
    }
}

impl TokenKeys {
    /// Keys from a shared secret.
    pub fn new(secret: &[u8], lifetime: Duration) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            lifetime,
        }
    }

    /// How long an issued token is valid.
    pub fn lifetime(&self) -> Duration {
        self.lifetime
    }

    /// A signed token for `user`.
    pub fn issue(&self, user: &User) -> Result<String, String> {
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: user.id,
            role: user.role,
            window: user.window_id,
            ver: user.token_version,
            iat: now,
            exp: now + i64::try_from(self.lifetime.as_secs()).unwrap_or(i64::MAX / 2),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| format!("cannot sign a token: {e}"))
    }

    /// The claims of a token that is well signed and not expired.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        validation.set_required_spec_claims(&["exp", "sub"]);
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .ok()
            .map(|data| data.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> User {
        domain::user::UserInput {
            username: "admin".into(),
            display_name: String::new(),
            role: Role::Admin,
            window_id: None,
        }
        .into_user(UserId::new(), Utc::now())
    }

    #[test]
    fn an_issued_token_verifies_with_the_same_secret_only() {
        let keys = TokenKeys::new(b"0123456789abcdef0123456789abcdef", Duration::from_secs(60));
        let user = user();
        let token = keys.issue(&user).expect("token");
        let claims = keys.verify(&token).expect("valid");
        assert_eq!(claims.sub, user.id);
        assert_eq!(claims.role, Role::Admin);
        let other = TokenKeys::new(b"another secret, 32 bytes long!!!", Duration::from_secs(60));
        assert_eq!(other.verify(&token), None);
        assert_eq!(keys.verify("not.a.token"), None);
    }
}
