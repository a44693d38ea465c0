//! Service centres (服务中心): a district hall, the street and town centres beneath it, and
//! so on down; statistics roll up the tree.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ValidationErrors;
use crate::calendar::Division;
use crate::ids::CenterId;

/// A service centre.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Center {
    /// Its identifier.
    pub id: CenterId,
    /// Its code, unique, e.g. the administrative division code `640105`.
    pub code: String,
    /// Its name, e.g. 西夏区政务服务中心.
    pub name: String,
    /// The centre above it; `None` for a root.
    pub parent_id: Option<CenterId>,
    /// Its administrative division (行政区划), which picks its regional calendar; `None`
    /// inherits its parent's.
    pub division: Option<Division>,
    /// Whether it still operates; deactivated centres are kept for history.
    pub active: bool,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was last changed.
    pub updated_at: DateTime<Utc>,
}

/// What a client sends to create or update a centre.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CenterInput {
    /// Unique code, e.g. the administrative division code.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 32, pattern = "^[A-Za-z0-9_-]+$")
    )]
    pub code: String,
    /// Display name.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub name: String,
    /// The parent centre, if any.
    #[serde(default)]
    pub parent_id: Option<CenterId>,
    /// Its administrative division (行政区划, GB/T 2260, six digits), which picks its
    /// regional calendar; `null` inherits its parent's (none: the national calendar). Left out
    /// on an update, it stays as it was, so that renaming a centre never moves its cases to
    /// another calendar.
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Division>))]
    pub division: Option<Option<Division>>,
}

/// A field that was sent, `null` or not, as opposed to one left out.
fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

impl CenterInput {
    /// Checks the fields on their own; whether the parent exists is the caller's question.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        errors.code("code", &self.code, 32);
        errors.name("name", &self.name, 200);
        errors.into_result()
    }

    /// A new centre from this input.
    pub fn into_center(self, id: CenterId, now: DateTime<Utc>) -> Center {
        Center {
            id,
            code: self.code,
            name: self.name,
            parent_id: self.parent_id,
            division: self.division.flatten(),
            active: true,
            created_at: now,
            updated_at: now,
        }
    }
}

impl Center {
    /// This centre with the input's values applied.
    pub fn updated(self, input: CenterInput, now: DateTime<Utc>) -> Result<Self, ValidationErrors> {
        if input.parent_id == Some(self.id) {
            return Err(ValidationErrors::single(
                "parent_id",
                "a centre cannot be its own parent",
            ));
        }
        Ok(Center {
            code: input.code,
            name: input.name,
            parent_id: input.parent_id,
            division: input.division.unwrap_or(self.division),
            updated_at: now,
            ..self
        })
    }
}

/// Whether making `parent` the parent of `center` would close a loop, given a way to look
/// up each centre's parent.
pub fn would_cycle(
    center: CenterId,
    parent: CenterId,
    mut parent_of: impl FnMut(CenterId) -> Option<CenterId>,
) -> bool {
    let mut current = Some(parent);
    let mut steps = 0;
    while let Some(id) = current {
        if id == center || steps > 10_000 {
            return true;
        }
        current = parent_of(id);
        steps += 1;
    }
    false
}

/// `root` and every centre beneath it, given the tree as (centre, parent) pairs.
pub fn subtree(root: CenterId, tree: &[(CenterId, Option<CenterId>)]) -> Vec<CenterId> {
    let mut found = vec![root];
    let mut next = 0;
    while next < found.len() {
        let parent = found[next];
        found.extend(
            tree.iter()
                .filter(|(_, p)| *p == Some(parent))
                .map(|(id, _)| *id),
        );
        next += 1;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn renaming_a_centre_without_its_division_keeps_it_and_null_lets_it_inherit() {
        let xixia: CenterInput = serde_json::from_str(
            r#"{"code": "640105", "name": "西夏区政务服务中心", "division": "640105"}"#,
        )
        .expect("input");
        let center = xixia.into_center(CenterId::new(), chrono::Utc::now());
        let renamed: CenterInput =
            serde_json::from_str(r#"{"code": "640105", "name": "西夏区政务服务大厅"}"#)
                .expect("input");
        let renamed = center
            .clone()
            .updated(renamed, chrono::Utc::now())
            .expect("valid");
        assert_eq!(renamed.division, center.division);
        let inherits: CenterInput =
            serde_json::from_str(r#"{"code": "640105", "name": "x", "division": null}"#)
                .expect("input");
        let inherits = center.updated(inherits, chrono::Utc::now()).expect("valid");
        assert_eq!(inherits.division, None);
    }

    #[test]
    fn a_centre_needs_a_code_and_a_name() {
        let input = CenterInput {
            code: "64 01".into(),
            name: " ".into(),
            parent_id: None,
            division: None,
        };
        let errors = input.validate().expect_err("invalid");
        assert_eq!(errors.errors.len(), 2);
    }

    #[test]
    fn moving_a_district_beneath_its_own_street_centre_is_a_cycle() {
        let district = CenterId::new();
        let street = CenterId::new();
        let community = CenterId::new();
        let parents = HashMap::from([(street, district), (community, street)]);
        assert!(would_cycle(district, community, |id| parents
            .get(&id)
            .copied()));
        assert!(!would_cycle(community, district, |id| parents
            .get(&id)
            .copied()));
    }
}
