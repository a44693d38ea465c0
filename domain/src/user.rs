//! User accounts and roles: who may do what is decided from these.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ValidationErrors;
use crate::ids::{UserId, WindowId};

/// What a user is allowed to do (see the permission matrix in docs/DESIGN.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Keeps the catalogue, the users and the calendar.
    Admin,
    /// 监察/科室负责人: approves extensions, transfers cases, watches warnings.
    Supervisor,
    /// 窗口工作人员: handles the cases of one window.
    Clerk,
    /// Reads statistics through the dashboard; sees no individual case.
    Analyst,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 4] = [Self::Admin, Self::Supervisor, Self::Clerk, Self::Analyst];

    /// The stored and serialized name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Supervisor => "supervisor",
            Self::Clerk => "clerk",
            Self::Analyst => "analyst",
        }
    }

    /// The role with this stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// A user account as others see it; the password hash stays with [`Credentials`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    /// Its identifier.
    pub id: UserId,
    /// The login name, unique.
    pub username: String,
    /// The name shown in the app.
    pub display_name: String,
    /// What the user may do.
    pub role: Role,
    /// The window a clerk works at.
    pub window_id: Option<WindowId>,
    /// Whether the account may sign in.
    pub active: bool,
    /// Bumped whenever earlier tokens must stop working (deactivation, new password).
    #[serde(skip)]
    pub token_version: i64,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was last changed.
    pub updated_at: DateTime<Utc>,
}

/// A user with the Argon2id hash of their password, for signing in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The account.
    pub user: User,
    /// The PHC-format Argon2id hash.
    pub password_hash: String,
}

/// What is needed to create an account, apart from the password.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserInput {
    /// The login name: 3 to 64 lowercase letters, digits, `.`, `_` or `-`.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[a-z0-9._-]{3,64}$"))]
    pub username: String,
    /// The name shown in the app; the username when empty.
    #[serde(default)]
    pub display_name: String,
    /// What the user may do.
    pub role: Role,
    /// The window, required for clerks and refused for the others.
    #[serde(default)]
    pub window_id: Option<WindowId>,
}

/// What an administrator may change of an account.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UserUpdate {
    /// The name shown in the app.
    pub display_name: String,
    /// What the user may do.
    pub role: Role,
    /// The window, required for clerks and refused for the others.
    #[serde(default)]
    pub window_id: Option<WindowId>,
}

impl User {
    /// This account with the update applied. A new role or window revokes the tokens that
    /// carry the old ones.
    pub fn updated(self, update: UserUpdate, now: DateTime<Utc>) -> Result<Self, ValidationErrors> {
        UserInput {
            username: self.username.clone(),
            display_name: update.display_name.clone(),
            role: update.role,
            window_id: update.window_id,
        }
        .validate()?;
        let revoke = update.role != self.role || update.window_id != self.window_id;
        let display_name = if update.display_name.trim().is_empty() {
            self.username.clone()
        } else {
            update.display_name
        };
        Ok(User {
            display_name,
            role: update.role,
            window_id: update.window_id,
            token_version: self.token_version + i64::from(revoke),
            updated_at: now,
            ..self
        })
    }

    /// This account deactivated: it can no longer sign in and its tokens stop working.
    pub fn deactivated(self, now: DateTime<Utc>) -> Self {
        User {
            active: false,
            token_version: self.token_version + 1,
            updated_at: now,
            ..self
        }
    }

    /// This account after a password change: earlier tokens stop working.
    pub fn with_new_password(self, now: DateTime<Utc>) -> Self {
        User {
            token_version: self.token_version + 1,
            updated_at: now,
            ..self
        }
    }
}

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// The longest username accepted, in bytes (usernames are ASCII).
pub const MAX_USERNAME_BYTES: usize = 64;

impl UserInput {
    /// Checks the fields and that exactly the clerks have a window.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let valid_name = (3..=MAX_USERNAME_BYTES).contains(&self.username.len())
            && self
                .username
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
        if !valid_name {
            errors.add(
                "username",
                "must be 3 to 64 lowercase letters, digits, '.', '_' or '-'",
            );
        }
        errors.optional_name("display_name", &self.display_name, 100);
        match (self.role, self.window_id) {
            (Role::Clerk, None) => errors.add("window_id", "a clerk works at a window"),
            (Role::Clerk, Some(_)) | (_, None) => {}
            (_, Some(_)) => errors.add("window_id", "only clerks are bound to a window"),
        }
        errors.into_result()
    }

    /// A new, active account from this input.
    pub fn into_user(self, id: UserId, now: DateTime<Utc>) -> User {
        let display_name = if self.display_name.trim().is_empty() {
            self.username.clone()
        } else {
            self.display_name
        };
        User {
            id,
            username: self.username,
            display_name,
            role: self.role,
            window_id: self.window_id,
            active: true,
            token_version: 0,
            created_at: now,
            updated_at: now,
        }
    }
}

/// Checks a new password against the policy: at least [`MIN_PASSWORD_CHARS`] characters.
pub fn validate_password(field: &str, password: &str) -> Result<(), ValidationErrors> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ValidationErrors::single(
            field,
            format!("must be at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if password.len() > 1024 {
        return Err(ValidationErrors::single(
            field,
            "must be at most 1024 bytes",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(role: Role, window_id: Option<WindowId>) -> UserInput {
        UserInput {
            username: "li.ming".into(),
            display_name: String::new(),
            role,
            window_id,
        }
    }

    #[test]
    fn clerks_need_a_window_and_nobody_else_has_one() {
        assert!(input(Role::Clerk, None).validate().is_err());
        assert!(input(Role::Clerk, Some(WindowId::new())).validate().is_ok());
        assert!(
            input(Role::Supervisor, Some(WindowId::new()))
                .validate()
                .is_err()
        );
        assert!(input(Role::Analyst, None).validate().is_ok());
    }

    #[test]
    fn a_user_without_display_name_is_shown_by_username() {
        let user = input(Role::Admin, None).into_user(UserId::new(), Utc::now());
        assert_eq!(user.display_name, "li.ming");
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(validate_password("password", "short").is_err());
        assert!(validate_password("password", "twelve chars").is_ok());
        assert!(validate_password("password", "十二个字符的密码是够长的").is_ok());
    }
}
