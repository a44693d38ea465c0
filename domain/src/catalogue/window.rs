//! Windows (窗口): the numbered counters of a centre, each serving a set of items.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ValidationErrors;
use crate::ids::{CenterId, ServiceItemId, WindowId};

/// What kind of counter a window is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum WindowKind {
    /// 常设窗口: a department's own desk.
    Permanent,
    /// 代办窗口: takes papers on behalf of departments without a desk of their own.
    Proxy,
    /// 综合窗口: serves items of many departments.
    Comprehensive,
}

impl WindowKind {
    /// Every kind, in display order.
    pub const ALL: [WindowKind; 3] = [Self::Permanent, Self::Proxy, Self::Comprehensive];

    /// The stored and serialized name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Permanent => "permanent",
            Self::Proxy => "proxy",
            Self::Comprehensive => "comprehensive",
        }
    }

    /// The kind with this stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A window in a centre.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Window {
    /// Its identifier.
    pub id: WindowId,
    /// The centre it stands in.
    pub center_id: CenterId,
    /// The number shown above the counter, unique within its centre.
    pub number: u32,
    /// Its name, e.g. 民政窗口.
    pub name: String,
    /// What kind of counter it is.
    pub kind: WindowKind,
    /// The service items it accepts, in a stable order.
    pub item_ids: Vec<ServiceItemId>,
    /// Whether it is open for business.
    pub active: bool,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was last changed.
    pub updated_at: DateTime<Utc>,
}

/// What a client sends to create or update a window.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WindowInput {
    /// The centre it stands in.
    pub center_id: CenterId,
    /// The counter's number, 1 to 9999.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 9999))]
    pub number: u32,
    /// Display name.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub name: String,
    /// What kind of counter it is.
    pub kind: WindowKind,
    /// The service items it accepts.
    #[serde(default)]
    pub item_ids: Vec<ServiceItemId>,
}

impl WindowInput {
    /// Checks the fields; whether the centre and items exist is the caller's question.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if !(1..=9999).contains(&self.number) {
            errors.add("number", "must be between 1 and 9999");
        }
        errors.name("name", &self.name, 200);
        let mut seen = std::collections::HashSet::new();
        if self.item_ids.iter().any(|id| !seen.insert(id)) {
            errors.add("item_ids", "must not list an item twice");
        }
        if self.item_ids.len() > 1000 {
            errors.add("item_ids", "must list at most 1000 items");
        }
        errors.into_result()
    }

    /// A new window from this input.
    pub fn into_window(self, id: WindowId, now: DateTime<Utc>) -> Window {
        Window {
            id,
            center_id: self.center_id,
            number: self.number,
            name: self.name,
            kind: self.kind,
            item_ids: self.item_ids,
            active: true,
            created_at: now,
            updated_at: now,
        }
    }
}

impl Window {
    /// This window with the input's values applied.
    pub fn updated(self, input: WindowInput, now: DateTime<Utc>) -> Self {
        Window {
            center_id: input.center_id,
            number: input.number,
            name: input.name,
            kind: input.kind,
            item_ids: input.item_ids,
            updated_at: now,
            ..self
        }
    }

    /// Whether this window accepts applications for `item`.
    pub fn serves(&self, item: ServiceItemId) -> bool {
        self.item_ids.contains(&item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_names() {
        for kind in WindowKind::ALL {
            assert_eq!(WindowKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(WindowKind::parse("desk"), None);
    }

    #[test]
    fn a_window_listing_an_item_twice_is_refused() {
        let item = ServiceItemId::new();
        let input = WindowInput {
            center_id: CenterId::new(),
            number: 0,
            name: "民政窗口".into(),
            kind: WindowKind::Permanent,
            item_ids: vec![item, item],
        };
        let errors = input.validate().expect_err("invalid");
        let fields: Vec<_> = errors.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["number", "item_ids"]);
    }
}
