//! Administrative divisions (行政区划, GB/T 2260): six digits, the first two naming the
//! province-level division. A centre's division picks the regional calendar it keeps.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ValidationErrors;

/// The province-level divisions of GB/T 2260 by their two-digit prefix, with the short name
/// a deadline's explanation uses ("宁夏 开斋节").
const PROVINCES: &[(&str, &str, &str)] = &[
    ("11", "北京", "北京市"),
    ("12", "天津", "天津市"),
    ("13", "河北", "河北省"),
    ("14", "山西", "山西省"),
    ("15", "内蒙古", "内蒙古自治区"),
    ("21", "辽宁", "辽宁省"),
    ("22", "吉林", "吉林省"),
    ("23", "黑龙江", "黑龙江省"),
    ("31", "上海", "上海市"),
    ("32", "江苏", "江苏省"),
    ("33", "浙江", "浙江省"),
    ("34", "安徽", "安徽省"),
    ("35", "福建", "福建省"),
    ("36", "江西", "江西省"),
    ("37", "山东", "山东省"),
    ("41", "河南", "河南省"),
    ("42", "湖北", "湖北省"),
    ("43", "湖南", "湖南省"),
    ("44", "广东", "广东省"),
    ("45", "广西", "广西壮族自治区"),
    ("46", "海南", "海南省"),
    ("50", "重庆", "重庆市"),
    ("51", "四川", "四川省"),
    ("52", "贵州", "贵州省"),
    ("53", "云南", "云南省"),
    ("54", "西藏", "西藏自治区"),
    ("61", "陕西", "陕西省"),
    ("62", "甘肃", "甘肃省"),
    ("63", "青海", "青海省"),
    ("64", "宁夏", "宁夏回族自治区"),
    ("65", "新疆", "新疆维吾尔自治区"),
    ("71", "台湾", "台湾省"),
    ("81", "香港", "香港特别行政区"),
    ("82", "澳门", "澳门特别行政区"),
];

/// A six-digit administrative division code, e.g. `640105` (银川市西夏区).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(value_type = String, pattern = "^(1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[12])(0000|(0[1-9]|[1-9][0-9])[0-9]{2})$", example = "640105")
)]
#[serde(try_from = "String", into = "String")]
pub struct Division(String);

/// Why a text is not a division code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DivisionError {
    /// Not six ASCII digits.
    #[error("must be six digits (GB/T 2260), e.g. 640105")]
    Format,
    /// The first two digits name no province-level division.
    #[error("{0}: the first two digits name no province-level division of GB/T 2260")]
    UnknownProvince(String),
    /// A county part without a prefecture part (`64xx00` is a prefecture, `6400xx` nothing).
    #[error("{0}: a county code needs its prefecture digits")]
    Incomplete(String),
}

impl Division {
    /// Parses and checks a code: six digits, a known province, no county without prefecture.
    pub fn parse(code: &str) -> Result<Self, DivisionError> {
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DivisionError::Format);
        }
        if province(&code[..2]).is_none() {
            return Err(DivisionError::UnknownProvince(code.to_owned()));
        }
        if &code[2..4] == "00" && &code[4..] != "00" {
            return Err(DivisionError::Incomplete(code.to_owned()));
        }
        Ok(Self(code.to_owned()))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The province-level division this one lies in, e.g. `640000` for `640105`.
    pub fn region(&self) -> Division {
        Self(format!("{}0000", &self.0[..2]))
    }

    /// Whether this is a province-level division (`xx0000`), which may have a calendar.
    pub fn is_region(&self) -> bool {
        self.0.ends_with("0000")
    }

    /// The province-level division's short name, e.g. 宁夏.
    pub fn region_short_name(&self) -> &'static str {
        province(&self.0[..2]).map_or("", |(_, short, _)| short)
    }

    /// The province-level division's full name, e.g. 宁夏回族自治区.
    pub fn region_name(&self) -> &'static str {
        province(&self.0[..2]).map_or("", |(_, _, full)| full)
    }

    /// Checks an optional division field into `errors`, giving the parsed code.
    pub fn check(field: &str, value: Option<&str>, errors: &mut ValidationErrors) -> Option<Self> {
        match value.map(Self::parse) {
            Some(Ok(division)) => Some(division),
            Some(Err(e)) => {
                errors.add(field, e.to_string());
                None
            }
            None => None,
        }
    }
}

fn province(prefix: &str) -> Option<&'static (&'static str, &'static str, &'static str)> {
    PROVINCES.iter().find(|(code, _, _)| *code == prefix)
}

impl TryFrom<String> for Division {
    type Error = DivisionError;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        Self::parse(&code)
    }
}

impl From<Division> for String {
    fn from(division: Division) -> Self {
        division.0
    }
}

impl fmt::Display for Division {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xixia_district_lies_in_ningxia() {
        let xixia = Division::parse("640105").expect("valid");
        assert_eq!(xixia.region().as_str(), "640000");
        assert!(!xixia.is_region());
        assert!(xixia.region().is_region());
        assert_eq!(xixia.region_short_name(), "宁夏");
        assert_eq!(xixia.region_name(), "宁夏回族自治区");
    }

    #[test]
    fn codes_that_are_not_divisions_are_refused() {
        assert_eq!(Division::parse("64010"), Err(DivisionError::Format));
        assert_eq!(Division::parse("64010５"), Err(DivisionError::Format));
        assert_eq!(Division::parse("+64010"), Err(DivisionError::Format));
        assert!(matches!(
            Division::parse("990101"),
            Err(DivisionError::UnknownProvince(_))
        ));
        assert!(matches!(
            Division::parse("000000"),
            Err(DivisionError::UnknownProvince(_))
        ));
        assert!(matches!(
            Division::parse("640005"),
            Err(DivisionError::Incomplete(_))
        ));
        assert!(Division::parse("110101").is_ok());
        assert!(Division::parse("640100").is_ok());
    }
}
