//! Validation errors: what is wrong with which field, so a client can point at it.

use serde::Serialize;

/// One invalid field and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// The field's name as the client sent it, e.g. `promised_days` or `applicant.phone`.
    pub field: String,
    /// What is wrong, in plain words.
    pub message: String,
}

/// Every invalid field of one input, collected rather than stopping at the first.
#[derive(Debug, Clone, PartialEq, Eq, Default, thiserror::Error)]
#[error("invalid input: {}", .errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
pub struct ValidationErrors {
    /// The field errors, in the order they were found.
    pub errors: Vec<FieldError>,
}

impl ValidationErrors {
    /// An error for a single field.
    pub fn single(field: &str, message: impl Into<String>) -> Self {
        let mut errors = Self::default();
        errors.add(field, message);
        errors
    }

    /// Records that `field` is invalid.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(FieldError {
            field: field.to_owned(),
            message: message.into(),
        });
    }

    /// `Ok` when nothing was recorded, the collected errors otherwise.
    pub fn into_result(self) -> Result<(), Self> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }

    /// Checks a required text: trimmed, not empty, at most `max` characters.
    pub fn text(&mut self, field: &str, value: &str, max: usize) {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            self.add(field, "must not be empty");
        } else if trimmed.chars().count() > max {
            self.add(field, format!("must be at most {max} characters"));
        } else if trimmed.len() != value.len() {
            self.add(field, "must not start or end with spaces");
        }
    }

    /// Checks an optional text: when present, at most `max` characters.
    pub fn optional_text(&mut self, field: &str, value: &str, max: usize) {
        if value.chars().count() > max {
            self.add(field, format!("must be at most {max} characters"));
        }
    }

    /// Checks a code: 1 to `max` ASCII letters, digits, `-` or `_`.
    pub fn code(&mut self, field: &str, value: &str, max: usize) {
        if value.is_empty() || value.len() > max {
            self.add(field, format!("must be 1 to {max} characters"));
        } else if !value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            self.add(field, "may hold only ASCII letters, digits, '-' and '_'");
        }
    }
}
