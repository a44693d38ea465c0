//! A case's materials (办件材料): the guide's checklist as it stood at acceptance, and where
//! each paper is — received, promised by a date (容缺受理), asked for by a 补正, or an
//! optional one not brought. What a 补正 notice lists is [`CaseMaterials::missing`].

use std::collections::HashSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ValidationErrors;
use crate::catalogue::{MATERIAL_NAME_MAX, Material};

/// Where one material of a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MaterialState {
    /// 已收: handed in.
    Received,
    /// 容缺: a required material accepted as missing, promised by `due_on`.
    Deferred,
    /// 补正: asked for by a supplement pause, not yet handed in.
    Requested,
    /// An optional material the applicant did not bring.
    NotProvided,
}

impl MaterialState {
    /// The state in Chinese.
    pub fn label(self) -> &'static str {
        match self {
            Self::Received => "已收取",
            Self::Deferred => "容缺后补",
            Self::Requested => "待补正",
            Self::NotProvided => "未提交",
        }
    }
}

/// One material of a case: the guide's data for it and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseMaterial {
    /// The material as the guide described it when the case was accepted.
    #[serde(flatten)]
    pub material: Material,
    /// Where it stands.
    pub state: MaterialState,
    /// The date the applicant promised to hand it in by (容缺), kept after it arrives.
    pub due_on: Option<NaiveDate>,
    /// The local date it was handed in.
    pub received_on: Option<NaiveDate>,
}

impl CaseMaterial {
    /// Whether the case still lacks it: deferred (容缺) or asked for by a 补正.
    pub fn is_missing(&self) -> bool {
        matches!(
            self.state,
            MaterialState::Deferred | MaterialState::Requested
        )
    }

    /// Whether it is missing and its promised date lies before `today`.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.is_missing() && self.due_on.is_some_and(|due| due < today)
    }
}

/// A material accepted as missing (容缺受理), with the date it is promised by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeferredMaterial {
    /// The material's name in the item's guide; the guide must allow it to be deferred.
    pub name: String,
    /// The date the applicant promises to hand it in by: after today.
    pub due_on: NaiveDate,
}

/// What the clerk records of the materials at intake. Every required material of the guide
/// must be received, or (when the guide allows it) deferred with a promised date; an
/// optional one not named is recorded as not provided. Sending nothing is right only for an
/// item whose guide requires nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MaterialsAtIntake {
    /// The names of the materials handed in.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 100))]
    pub received: Vec<String>,
    /// The required materials accepted as missing (容缺受理), each with its promised date.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 100))]
    pub deferred: Vec<DeferredMaterial>,
}

/// A case's materials, in the guide's order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct CaseMaterials {
    /// Each material of the guide and where it stands.
    pub items: Vec<CaseMaterial>,
}

/// Checks a list of material names of an action: well formed, none twice.
pub fn validate_names(errors: &mut ValidationErrors, field: &str, names: &[String]) {
    let mut seen = HashSet::new();
    for (i, name) in names.iter().enumerate() {
        errors.name(&format!("{field}[{i}]"), name, MATERIAL_NAME_MAX);
        if !seen.insert(name.as_str()) {
            errors.add(&format!("{field}[{i}]"), format!("names `{name}` twice"));
        }
    }
}

impl CaseMaterials {
    /// The checklist of a case received on `today` for a guide listing `guide`, from what the
    /// clerk recorded. With `accepting`, every required material must be received or deferred
    /// to a date after today; a refusal at intake records what was handed in and nothing more.
    pub fn at_intake(
        guide: &[Material],
        given: &MaterialsAtIntake,
        today: NaiveDate,
        accepting: bool,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let mut seen = HashSet::new();
        let named = given
            .received
            .iter()
            .enumerate()
            .map(|(i, name)| (format!("materials.received[{i}]"), name))
            .chain(
                given
                    .deferred
                    .iter()
                    .enumerate()
                    .map(|(i, d)| (format!("materials.deferred[{i}].name"), &d.name)),
            );
        for (field, name) in named {
            errors.name(&field, name, MATERIAL_NAME_MAX);
            if !seen.insert(name.as_str()) {
                errors.add(&field, format!("names `{name}` twice"));
            }
        }
        let in_guide = |name: &str| guide.iter().find(|m| m.name == name);
        for (i, name) in given.received.iter().enumerate() {
            if in_guide(name).is_none() {
                errors.add(
                    &format!("materials.received[{i}]"),
                    format!("`{name}` is not a material of this item's guide"),
                );
            }
        }
        for (i, deferred) in given.deferred.iter().enumerate() {
            let field = format!("materials.deferred[{i}]");
            match in_guide(&deferred.name) {
                None => errors.add(
                    &format!("{field}.name"),
                    format!("`{}` is not a material of this item's guide", deferred.name),
                ),
                Some(m) if !m.deferrable => errors.add(
                    &format!("{field}.name"),
                    format!(
                        "the guide does not allow `{}` to be handed in later",
                        m.name
                    ),
                ),
                Some(_) => {}
            }
            errors.date(&format!("{field}.due_on"), Some(deferred.due_on));
            if deferred.due_on <= today {
                errors.add(
                    &format!("{field}.due_on"),
                    format!("must be after today ({today})"),
                );
            }
        }
        let mut items = Vec::with_capacity(guide.len());
        for material in guide {
            let received = given.received.contains(&material.name);
            let deferred = given.deferred.iter().find(|d| d.name == material.name);
            let (state, due_on, received_on) = match (received, deferred) {
                (true, _) => (MaterialState::Received, None, Some(today)),
                (false, Some(d)) => (MaterialState::Deferred, Some(d.due_on), None),
                (false, None) => {
                    if accepting && material.required {
                        let how = if material.deferrable {
                            "receive it, or defer it (容缺) with the date it is promised by"
                        } else {
                            "receive it; the guide does not allow it to be handed in later"
                        };
                        errors.add(
                            "materials",
                            format!(
                                "the required material `{}` is missing: {how}",
                                material.name
                            ),
                        );
                    }
                    (MaterialState::NotProvided, None, None)
                }
            };
            items.push(CaseMaterial {
                material: material.clone(),
                state,
                due_on,
                received_on,
            });
        }
        errors.into_result()?;
        Ok(Self { items })
    }

    /// Every material of `guide` received on `today`: a case imported from a system that
    /// kept no checklist was accepted with its papers complete.
    pub fn all_received(guide: &[Material], today: NaiveDate) -> Self {
        Self {
            items: guide
                .iter()
                .map(|material| CaseMaterial {
                    material: material.clone(),
                    state: MaterialState::Received,
                    due_on: None,
                    received_on: Some(today),
                })
                .collect(),
        }
    }

    /// The materials the case still lacks, deferred (容缺) or asked for by a 补正, in the
    /// guide's order, each with its guide data and promised date: what a 补正 notice lists.
    pub fn missing(&self) -> Vec<&CaseMaterial> {
        self.items.iter().filter(|m| m.is_missing()).collect()
    }

    /// The required materials still missing: while any is, the case cannot be approved.
    pub fn missing_required(&self) -> Vec<&CaseMaterial> {
        self.items
            .iter()
            .filter(|m| m.is_missing() && m.material.required)
            .collect()
    }

    /// The missing materials whose promised date lies before `today`.
    pub fn overdue(&self, today: NaiveDate) -> Vec<&CaseMaterial> {
        self.items.iter().filter(|m| m.is_overdue(today)).collect()
    }

    /// The earliest promised date among the missing materials: from the day after it, the
    /// case shows in the supervision warnings.
    pub fn earliest_due(&self) -> Option<NaiveDate> {
        self.items
            .iter()
            .filter(|m| m.is_missing())
            .filter_map(|m| m.due_on)
            .min()
    }

    /// The names of the materials in `state`.
    pub fn names_in(&self, state: MaterialState) -> Vec<String> {
        self.items
            .iter()
            .filter(|m| m.state == state)
            .map(|m| m.material.name.clone())
            .collect()
    }

    /// The deferred materials with their promised dates.
    pub fn deferred(&self) -> Vec<DeferredMaterial> {
        self.items
            .iter()
            .filter(|m| m.state == MaterialState::Deferred)
            .filter_map(|m| {
                m.due_on.map(|due_on| DeferredMaterial {
                    name: m.material.name.clone(),
                    due_on,
                })
            })
            .collect()
    }

    /// A 补正 asks for `names` (checked by [`validate_names`]): each must be a material of the
    /// guide; a received one is asked for again (it was found wanting), a deferred one keeps
    /// its promised date.
    pub fn request(&mut self, names: &[String]) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        for (i, name) in names.iter().enumerate() {
            match self.items.iter_mut().find(|m| &m.material.name == name) {
                Some(entry) => {
                    entry.state = MaterialState::Requested;
                    entry.received_on = None;
                }
                None => errors.add(
                    &format!("materials[{i}]"),
                    format!("`{name}` is not a material of this case's guide"),
                ),
            }
        }
        errors.into_result()
    }

    /// Records that `names` (checked by [`validate_names`]) were handed in on `today`: each
    /// must be one the case lacks.
    pub fn arrive(
        &mut self,
        field: &str,
        names: &[String],
        today: NaiveDate,
    ) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        for (i, name) in names.iter().enumerate() {
            match self
                .items
                .iter_mut()
                .find(|m| &m.material.name == name && m.is_missing())
            {
                Some(entry) => {
                    entry.state = MaterialState::Received;
                    entry.received_on = Some(today);
                }
                None => errors.add(
                    &format!("{field}[{i}]"),
                    format!("`{name}` is not a material this case is missing"),
                ),
            }
        }
        errors.into_result()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    fn guide() -> Vec<Material> {
        let mut photo = Material::named("照片");
        photo.required = false;
        let mut proof = Material::named("居住证明");
        proof.deferrable = true;
        vec![Material::named("居民身份证"), proof, photo]
    }

    fn given(received: &[&str], deferred: &[(&str, &str)]) -> MaterialsAtIntake {
        MaterialsAtIntake {
            received: received.iter().map(|s| (*s).to_owned()).collect(),
            deferred: deferred
                .iter()
                .map(|(name, due)| DeferredMaterial {
                    name: (*name).to_owned(),
                    due_on: day(due),
                })
                .collect(),
        }
    }

    fn fields(errors: ValidationErrors) -> Vec<String> {
        errors.errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_deferrable_material_may_be_promised_for_a_later_date_and_is_then_missing() {
        let today = day("2026-11-27");
        let case = CaseMaterials::at_intake(
            &guide(),
            &given(&["居民身份证"], &[("居住证明", "2026-12-04")]),
            today,
            true,
        )
        .expect("accepted with one 容缺");
        let states: Vec<_> = case.items.iter().map(|m| m.state).collect();
        assert_eq!(
            states,
            [
                MaterialState::Received,
                MaterialState::Deferred,
                MaterialState::NotProvided
            ]
        );
        assert_eq!(case.missing().len(), 1);
        assert_eq!(case.missing_required()[0].material.name, "居住证明");
        assert_eq!(case.earliest_due(), Some(day("2026-12-04")));
        assert!(case.overdue(day("2026-12-04")).is_empty());
        assert_eq!(case.overdue(day("2026-12-05")).len(), 1);
    }

    #[test]
    fn a_required_material_neither_received_nor_deferrable_refuses_the_acceptance() {
        let today = day("2026-11-27");
        let refused = CaseMaterials::at_intake(&guide(), &given(&[], &[]), today, true)
            .expect_err("two required materials missing");
        assert_eq!(fields(refused), ["materials", "materials"]);
        let not_deferrable = CaseMaterials::at_intake(
            &guide(),
            &given(&["居住证明"], &[("居民身份证", "2026-12-04")]),
            today,
            true,
        )
        .expect_err("the ID card may not be deferred");
        assert_eq!(fields(not_deferrable), ["materials.deferred[0].name"]);
        // Refusing at intake records what was brought and asks for nothing.
        assert!(CaseMaterials::at_intake(&guide(), &given(&[], &[]), today, false).is_ok());
        // A guide listing nothing takes nothing.
        assert_eq!(
            CaseMaterials::at_intake(&[], &MaterialsAtIntake::default(), today, true),
            Ok(CaseMaterials::default())
        );
    }

    #[test]
    fn unknown_names_names_twice_and_past_promises_are_refused() {
        let today = day("2026-11-27");
        let errors = CaseMaterials::at_intake(
            &guide(),
            &given(
                &["居民身份证", "户口簿", "居民身份证"],
                &[("居住证明", "2026-11-27")],
            ),
            today,
            true,
        )
        .expect_err("invalid");
        assert_eq!(
            fields(errors),
            [
                "materials.received[2]",
                "materials.received[1]",
                "materials.deferred[0].due_on"
            ]
        );
    }

    #[test]
    fn a_supplement_asks_for_materials_and_a_resumption_records_which_arrived() {
        let today = day("2026-11-27");
        let mut case = CaseMaterials::at_intake(
            &guide(),
            &given(&["居民身份证", "居住证明"], &[]),
            today,
            true,
        )
        .expect("complete");
        assert!(case.missing().is_empty());
        case.request(&["居民身份证".into(), "照片".into()])
            .expect("both in the guide");
        assert_eq!(case.missing().len(), 2);
        assert_eq!(case.missing_required().len(), 1, "the photo is optional");
        assert!(case.request(&["户口簿".into()]).is_err());
        let later = day("2026-12-01");
        assert_eq!(
            case.arrive("arrived", &["居住证明".into()], later)
                .map_err(fields),
            Err(vec!["arrived[0]".to_owned()]),
            "it was not missing"
        );
        case.arrive("arrived", &["居民身份证".into()], later)
            .expect("arrived");
        assert_eq!(case.items[0].received_on, Some(later));
        assert!(case.missing_required().is_empty());
        assert_eq!(case.names_in(MaterialState::Requested), ["照片"]);
    }
}
