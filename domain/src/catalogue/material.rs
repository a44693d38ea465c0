//! The materials (申请材料) an item's guide asks for, as data: what a window checks at intake,
//! what a 补正 (supplement) asks for, and what a case may still lack.

use std::collections::HashSet;

use serde::{Deserialize, Deserializer, Serialize};

use crate::ValidationErrors;

/// The longest material name, in characters.
pub const MATERIAL_NAME_MAX: usize = 200;

/// The most copies one material may ask for.
pub const MAX_COPIES: u32 = 20;

/// The most materials one guide may list.
pub const MAX_MATERIALS: usize = 100;

/// In which form a material is handed in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MaterialForm {
    /// 原件: the original, shown or kept.
    #[default]
    Original,
    /// 复印件: a copy.
    Copy,
    /// 原件及复印件: the original to be checked and a copy to be kept.
    OriginalAndCopy,
}

impl MaterialForm {
    /// The form as a guide prints it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Original => "原件",
            Self::Copy => "复印件",
            Self::OriginalAndCopy => "原件及复印件",
        }
    }
}

fn one_copy() -> u32 {
    1
}

fn yes() -> bool {
    true
}

/// One material of a guide (申请材料).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Material {
    /// Its name, unique within the guide, e.g. 居民身份证.
    pub name: String,
    /// Original, copy, or both (default original).
    #[serde(default)]
    pub form: MaterialForm,
    /// How many copies, 1 to 20 (default 1).
    #[serde(default = "one_copy")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 20, default = 1))]
    pub copies: u32,
    /// Whether the application cannot be accepted without it (default true).
    #[serde(default = "yes")]
    #[cfg_attr(feature = "openapi", schema(default = true))]
    pub required: bool,
    /// 容缺: whether a required material may be handed in after acceptance, by a promised
    /// date (default false). Only a required material may be deferred.
    #[serde(default)]
    pub deferrable: bool,
}

impl Material {
    /// A material known by its name only, as guides stored it before materials were data:
    /// one original, required, not deferrable.
    pub fn named(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            form: MaterialForm::Original,
            copies: 1,
            required: true,
            deferrable: false,
        }
    }
}

impl Material {
    /// The material as a printed guide lists it: `居住证明（原件，1份；必交，可容缺后补）`.
    pub fn describe(&self) -> String {
        let need = match (self.required, self.deferrable) {
            (true, true) => "必交，可容缺后补",
            (true, false) => "必交",
            (false, _) => "选交",
        };
        format!(
            "{}（{}，{}份；{need}）",
            self.name,
            self.form.label(),
            self.copies
        )
    }
}

/// Checks a guide's materials: each well formed, names unique, at most [`MAX_MATERIALS`].
pub fn validate_materials(errors: &mut ValidationErrors, field: &str, materials: &[Material]) {
    if materials.len() > MAX_MATERIALS {
        errors.add(field, format!("must list at most {MAX_MATERIALS} entries"));
    }
    let mut seen = HashSet::new();
    for (i, material) in materials.iter().enumerate() {
        let at = format!("{field}[{i}]");
        errors.name(&format!("{at}.name"), &material.name, MATERIAL_NAME_MAX);
        if !seen.insert(material.name.as_str()) {
            errors.add(
                &format!("{at}.name"),
                "names a material the guide already lists",
            );
        }
        if !(1..=MAX_COPIES).contains(&material.copies) {
            errors.add(
                &format!("{at}.copies"),
                format!("must be between 1 and {MAX_COPIES}"),
            );
        }
        if material.deferrable && !material.required {
            errors.add(
                &format!("{at}.deferrable"),
                "only a required material may be deferred (容缺); an optional one may simply be left out",
            );
        }
    }
}

/// Reads a stored list of materials: the objects of today, or the names of guides written
/// before materials were data (each becomes [`Material::named`]).
pub fn deserialize_stored<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<Material>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Stored {
        Name(String),
        Material(Material),
    }
    let stored = Vec::<Stored>::deserialize(deserializer)?;
    Ok(stored
        .into_iter()
        .map(|entry| match entry {
            Stored::Name(name) => Material::named(name),
            Stored::Material(material) => material,
        })
        .collect())
}

/// Reads a stored JSON list of materials (see [`deserialize_stored`]).
pub fn read_stored(json: &str) -> Result<Vec<Material>, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    deserialize_stored(&mut deserializer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_guide_stored_as_names_reads_as_required_originals() {
        let read = read_stored(
            r#"["居民身份证", {"name": "户口簿", "form": "copy", "copies": 2, "required": false}]"#,
        )
        .expect("readable");
        assert_eq!(read[0], Material::named("居民身份证"));
        assert_eq!(read[1].form, MaterialForm::Copy);
        assert_eq!((read[1].copies, read[1].required), (2, false));
        assert!(!read[1].deferrable);
    }

    #[test]
    fn a_material_reads_as_the_printed_guide_lists_it() {
        let mut proof = Material::named("居住证明");
        proof.deferrable = true;
        assert_eq!(proof.describe(), "居住证明（原件，1份；必交，可容缺后补）");
        let photo = Material {
            copies: 2,
            required: false,
            ..Material::named("照片")
        };
        assert_eq!(photo.describe(), "照片（原件，2份；选交）");
    }

    #[test]
    fn names_are_unique_copies_bounded_and_only_required_materials_deferred() {
        let mut optional_deferred = Material::named("照片");
        optional_deferred.required = false;
        optional_deferred.deferrable = true;
        let mut many = Material::named("复印件");
        many.copies = 21;
        let list = [
            Material::named("居民身份证"),
            Material::named("居民身份证"),
            many,
            optional_deferred,
            Material::named(" 空格"),
        ];
        let mut errors = ValidationErrors::default();
        validate_materials(&mut errors, "materials", &list);
        let fields: Vec<_> = errors.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "materials[1].name",
                "materials[2].copies",
                "materials[3].deferrable",
                "materials[4].name"
            ]
        );
    }
}
