//! Departments (部门): the agencies that own service items.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ValidationErrors;
use crate::ids::DepartmentId;

/// A department, e.g. 民政局.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Department {
    /// Its identifier.
    pub id: DepartmentId,
    /// Its unique code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Whether it still owns items; deactivated departments are kept for history.
    pub active: bool,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was last changed.
    pub updated_at: DateTime<Utc>,
}

/// What a client sends to create or update a department.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DepartmentInput {
    /// Unique code.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 32, pattern = "^[A-Za-z0-9_-]+$")
    )]
    pub code: String,
    /// Display name.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub name: String,
}

impl DepartmentInput {
    /// Checks the fields.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        errors.code("code", &self.code, 32);
        errors.name("name", &self.name, 200);
        errors.into_result()
    }

    /// A new department from this input.
    pub fn into_department(self, id: DepartmentId, now: DateTime<Utc>) -> Department {
        Department {
            id,
            code: self.code,
            name: self.name,
            active: true,
            created_at: now,
            updated_at: now,
        }
    }
}

impl Department {
    /// This department with the input's values applied.
    pub fn updated(self, input: DepartmentInput, now: DateTime<Utc>) -> Self {
        Department {
            code: input.code,
            name: input.name,
            updated_at: now,
            ..self
        }
    }
}
