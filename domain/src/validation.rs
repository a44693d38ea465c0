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
        } else if has_control(value) {
            self.add(field, CONTROL);
        }
    }

    /// Checks an optional text: when present, at most `max` characters.
    pub fn optional_text(&mut self, field: &str, value: &str, max: usize) {
        if value.chars().count() > max {
            self.add(field, format!("must be at most {max} characters"));
        } else if has_control(value) {
            self.add(field, CONTROL);
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

const CONTROL: &str = "must not hold control characters other than line breaks and tabs";

/// NUL and the other control characters have no place in a name or a note, and PostgreSQL
/// cannot store NUL at all; line breaks and tabs are kept for notes.
fn has_control(value: &str) -> bool {
    value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nul_or_an_escape_is_refused_and_a_line_break_in_a_note_is_kept() {
        let mut errors = ValidationErrors::default();
        errors.text("name", "民政\u{0}局", 50);
        errors.optional_text("note", "\u{1b}[31mred", 50);
        errors.optional_text("remark", "第一行\n第二行\t", 50);
        let fields: Vec<_> = errors.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "note"]);
    }
}
