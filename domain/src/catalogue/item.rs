//! Service items (事项) and their guide (办事指南): what the 2012 report says must be public.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::material::{self, Material};
use crate::ValidationErrors;
use crate::ids::{DepartmentId, ServiceItemId};

/// The legal nature of an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// 行政许可.
    Licensing,
    /// 非行政许可审批.
    NonLicensing,
    /// 公共服务.
    PublicService,
    /// 依申请公开: a request to disclose government information.
    DisclosureRequest,
    /// 行政投诉.
    Complaint,
}

impl Category {
    /// Every category, in display order.
    pub const ALL: [Category; 5] = [
        Self::Licensing,
        Self::NonLicensing,
        Self::PublicService,
        Self::DisclosureRequest,
        Self::Complaint,
    ];

    /// The stored and serialized name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Licensing => "licensing",
            Self::NonLicensing => "non_licensing",
            Self::PublicService => "public_service",
            Self::DisclosureRequest => "disclosure_request",
            Self::Complaint => "complaint",
        }
    }

    /// The category with this stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// How a case of the item is handled (办件类型).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Handling {
    /// 即办件: finished on the day it is accepted.
    Immediate,
    /// 承诺件: finished within the item's promised working days.
    Committed,
}

impl Handling {
    /// Both kinds of handling.
    pub const ALL: [Handling; 2] = [Self::Immediate, Self::Committed];

    /// The stored and serialized name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Immediate => "immediate",
            Self::Committed => "committed",
        }
    }

    /// The handling with this stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|h| h.as_str() == s)
    }
}

/// The longest statutory limit accepted, in working days: no law in the catalogue comes near it.
pub const MAX_DAYS: u32 = 1000;

/// A service item with its guide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceItem {
    /// Its identifier.
    pub id: ServiceItemId,
    /// Its unique code in the catalogue.
    pub code: String,
    /// Its name, e.g. 结婚登记.
    pub name: String,
    /// The department that owns it.
    pub department_id: DepartmentId,
    /// Its legal nature.
    pub category: Category,
    /// Immediate or committed.
    pub handling: Handling,
    /// 法定时限: the limit in law, in working days.
    pub statutory_days: u32,
    /// 承诺时限: the shorter limit the hall promises, in working days; 0 for immediate items.
    pub promised_days: u32,
    /// 申请条件: who may apply and on what conditions.
    pub conditions: String,
    /// 申请材料: the papers to bring, each with its form, copies, whether it is required and
    /// whether it may be handed in later (容缺). Guides stored before materials were data
    /// (a list of names) read each name as one required original.
    #[serde(deserialize_with = "material::deserialize_stored")]
    pub materials: Vec<Material>,
    /// 办理流程: the procedure steps, in order.
    pub procedure: Vec<String>,
    /// How many procedure steps the reform removed.
    pub steps_removed: u32,
    /// 责任岗位: the post responsible.
    pub responsible_post: String,
    /// 收费标准: the fee, or that there is none.
    pub fee: String,
    /// The legal basis of the fee.
    pub fee_basis: String,
    /// 设定依据: the legal basis of the item.
    pub legal_basis: String,
    /// The applicant's rights and remedies (申请人权利与救济途径).
    pub rights_and_remedies: String,
    /// Where to ask (咨询电话).
    pub contact: String,
    /// Where to complain (投诉渠道).
    pub complaint_channel: String,
    /// The guide's version: 1 when created, one more with every update. A case keeps the
    /// version it was accepted under.
    pub version: u32,
    /// Whether new cases may be accepted for it.
    pub active: bool,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was last changed.
    pub updated_at: DateTime<Utc>,
}

/// What a client sends to create or update a service item.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ServiceItemInput {
    /// Unique code.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 32, pattern = "^[A-Za-z0-9_-]+$")
    )]
    pub code: String,
    /// Display name.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub name: String,
    /// The owning department.
    pub department_id: DepartmentId,
    /// Its legal nature.
    pub category: Category,
    /// Immediate or committed.
    pub handling: Handling,
    /// The limit in law, in working days.
    #[cfg_attr(feature = "openapi", schema(maximum = 1000))]
    pub statutory_days: u32,
    /// The promised limit, in working days: 0 for immediate items, at most `statutory_days`.
    #[cfg_attr(feature = "openapi", schema(maximum = 1000))]
    pub promised_days: u32,
    /// Conditions for applying.
    #[serde(default)]
    pub conditions: String,
    /// Papers to bring; names unique within the item.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 100))]
    pub materials: Vec<Material>,
    /// Procedure steps.
    #[serde(default)]
    pub procedure: Vec<String>,
    /// Steps the reform removed.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(maximum = 100))]
    pub steps_removed: u32,
    /// The responsible post.
    #[serde(default)]
    pub responsible_post: String,
    /// The fee.
    #[serde(default)]
    pub fee: String,
    /// The fee's legal basis.
    #[serde(default)]
    pub fee_basis: String,
    /// The item's legal basis.
    #[serde(default)]
    pub legal_basis: String,
    /// The applicant's rights and remedies.
    #[serde(default)]
    pub rights_and_remedies: String,
    /// Where to ask.
    #[serde(default)]
    pub contact: String,
    /// Where to complain.
    #[serde(default)]
    pub complaint_channel: String,
}

impl ServiceItemInput {
    /// Checks the fields and the time limits against each other.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        errors.code("code", &self.code, 32);
        errors.name("name", &self.name, 200);
        if self.statutory_days > MAX_DAYS {
            errors.add("statutory_days", format!("must be at most {MAX_DAYS}"));
        }
        match self.handling {
            Handling::Immediate if self.promised_days != 0 => {
                errors.add("promised_days", "must be 0 for an immediate item");
            }
            Handling::Committed if self.promised_days == 0 => {
                errors.add("promised_days", "must be at least 1 for a committed item");
            }
            _ => {}
        }
        if self.promised_days > self.statutory_days {
            errors.add("promised_days", "must not exceed statutory_days");
        }
        for (field, value) in [
            ("conditions", &self.conditions),
            ("responsible_post", &self.responsible_post),
            ("fee", &self.fee),
            ("fee_basis", &self.fee_basis),
            ("legal_basis", &self.legal_basis),
            ("rights_and_remedies", &self.rights_and_remedies),
            ("contact", &self.contact),
            ("complaint_channel", &self.complaint_channel),
        ] {
            errors.optional_text(field, value, 4000);
        }
        material::validate_materials(&mut errors, "materials", &self.materials);
        if self.procedure.len() > 100 {
            errors.add("procedure", "must list at most 100 entries");
        }
        for (i, entry) in self.procedure.iter().enumerate() {
            errors.text(&format!("procedure[{i}]"), entry, 500);
        }
        if self.steps_removed > 100 {
            errors.add("steps_removed", "must be at most 100");
        }
        errors.into_result()
    }

    /// A new item from this input.
    pub fn into_item(self, id: ServiceItemId, now: DateTime<Utc>) -> ServiceItem {
        ServiceItem {
            id,
            code: self.code,
            name: self.name,
            department_id: self.department_id,
            category: self.category,
            handling: self.handling,
            statutory_days: self.statutory_days,
            promised_days: self.promised_days,
            conditions: self.conditions,
            materials: self.materials,
            procedure: self.procedure,
            steps_removed: self.steps_removed,
            responsible_post: self.responsible_post,
            fee: self.fee,
            fee_basis: self.fee_basis,
            legal_basis: self.legal_basis,
            rights_and_remedies: self.rights_and_remedies,
            contact: self.contact,
            complaint_channel: self.complaint_channel,
            version: 1,
            active: true,
            created_at: now,
            updated_at: now,
        }
    }
}

impl ServiceItem {
    /// This item with the input's values applied, as its next version.
    pub fn updated(self, input: ServiceItemInput, now: DateTime<Utc>) -> Self {
        let ServiceItem {
            id,
            version,
            active,
            created_at,
            ..
        } = self;
        ServiceItem {
            version: version + 1,
            active,
            created_at,
            ..input.into_item(id, now)
        }
    }

    /// The working days the promise cuts from the statutory limit.
    pub fn days_cut(&self) -> u32 {
        self.statutory_days.saturating_sub(self.promised_days)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(handling: Handling, statutory: u32, promised: u32) -> ServiceItemInput {
        ServiceItemInput {
            code: "MZ-001".into(),
            name: "结婚登记".into(),
            department_id: DepartmentId::new(),
            category: Category::Licensing,
            handling,
            statutory_days: statutory,
            promised_days: promised,
            conditions: String::new(),
            materials: vec![Material::named("居民身份证")],
            procedure: vec!["受理".into(), "审核".into(), "发证".into()],
            steps_removed: 1,
            responsible_post: String::new(),
            fee: "不收费".into(),
            fee_basis: String::new(),
            legal_basis: "《婚姻登记条例》".into(),
            rights_and_remedies: String::new(),
            contact: String::new(),
            complaint_channel: String::new(),
        }
    }

    #[test]
    fn a_promise_longer_than_the_law_is_refused() {
        let errors = input(Handling::Committed, 20, 25)
            .validate()
            .expect_err("invalid");
        assert_eq!(errors.errors[0].field, "promised_days");
    }

    #[test]
    fn immediate_items_promise_no_days_and_committed_ones_at_least_one() {
        assert!(input(Handling::Immediate, 20, 0).validate().is_ok());
        assert!(input(Handling::Immediate, 20, 3).validate().is_err());
        assert!(input(Handling::Committed, 20, 0).validate().is_err());
        assert!(input(Handling::Committed, 20, 5).validate().is_ok());
    }

    #[test]
    fn the_days_cut_are_statutory_minus_promised() {
        let item = input(Handling::Committed, 20, 5).into_item(ServiceItemId::new(), Utc::now());
        assert_eq!(item.days_cut(), 15);
    }

    #[test]
    fn names_round_trip() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()), Some(c));
        }
        for h in Handling::ALL {
            assert_eq!(Handling::parse(h.as_str()), Some(h));
        }
    }
}
