//! Applicants (申请人): a person or an organization, checked at intake.

use serde::{Deserialize, Serialize};

use crate::ValidationErrors;

/// A person or an organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ApplicantKind {
    /// A natural person.
    Person,
    /// A company, institution or other organization.
    Organization,
}

/// The kind of identity document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IdType {
    /// 居民身份证: 18 characters with the GB 11643-1999 check digit.
    ResidentId,
    /// A passport number.
    Passport,
    /// 统一社会信用代码: 18 characters with the GB 32100-2015 check character.
    Uscc,
    /// Any other document.
    Other,
}

impl ApplicantKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Person => "person",
            Self::Organization => "organization",
        }
    }

    /// The kind with this stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Person, Self::Organization]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

impl IdType {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ResidentId => "resident_id",
            Self::Passport => "passport",
            Self::Uscc => "uscc",
            Self::Other => "other",
        }
    }

    /// The type with this stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::ResidentId, Self::Passport, Self::Uscc, Self::Other]
            .into_iter()
            .find(|t| t.as_str() == s)
    }
}

/// Who applied. Personal data: shown to staff of the window, never to the public or logs.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Applicant {
    /// A person or an organization.
    pub kind: ApplicantKind,
    /// The person's or organization's name.
    pub name: String,
    /// The identity document's kind.
    pub id_type: IdType,
    /// The identity document's number.
    pub id_number: String,
    /// A phone number to reach the applicant.
    pub phone: String,
    /// Whether the applicant declined texts about the case (short messages at 受理, 补正, 延期
    /// and 办结); default false.
    #[serde(default)]
    pub sms_opt_out: bool,
}

/// Never prints the ID number or phone, so an applicant cannot leak through a log line.
impl std::fmt::Debug for Applicant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Applicant")
            .field("kind", &self.kind)
            .field("id_type", &self.id_type)
            .finish_non_exhaustive()
    }
}

impl Applicant {
    /// Checks the name, the document number against its type's rules, and the phone.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        errors.name("applicant.name", &self.name, 100);
        match (self.kind, self.id_type) {
            (ApplicantKind::Person, IdType::Uscc) => errors.add(
                "applicant.id_type",
                "a person has no unified social credit code",
            ),
            (ApplicantKind::Organization, IdType::ResidentId | IdType::Passport) => errors.add(
                "applicant.id_type",
                "an organization is identified by its uscc or other",
            ),
            _ => {}
        }
        let number = self.id_number.as_str();
        let valid = match self.id_type {
            IdType::ResidentId => is_resident_id(number),
            IdType::Uscc => is_uscc(number),
            IdType::Passport => {
                (5..=20).contains(&number.len())
                    && number.chars().all(|c| c.is_ascii_alphanumeric())
            }
            // Free text, so it obeys the rules of a name: one line, nothing invisible.
            IdType::Other => {
                let mut check = ValidationErrors::default();
                check.name("applicant.id_number", number, 50);
                check.errors.is_empty()
            }
        };
        if !valid {
            let rule = match self.id_type {
                IdType::ResidentId => {
                    "is not a valid resident ID number (18 characters, GB 11643-1999 check digit)"
                }
                IdType::Uscc => {
                    "is not a valid unified social credit code (18 characters, GB 32100-2015 check character)"
                }
                IdType::Passport => "must be 5 to 20 letters and digits",
                IdType::Other => {
                    "must be 1 to 50 characters on one line, without spaces at its ends, control or invisible characters"
                }
            };
            errors.add("applicant.id_number", rule);
        }
        if !is_phone(&self.phone) {
            errors.add(
                "applicant.phone",
                "must be a mobile number (11 digits starting with 1) or a landline with area code",
            );
        }
        errors.into_result()
    }

    /// The name as the public may see it: a person's given name masked (张三 → 张*,
    /// 欧阳娜娜 → 欧***); an organization's name as it is.
    pub fn masked_name(&self) -> String {
        match self.kind {
            ApplicantKind::Organization => self.name.clone(),
            ApplicantKind::Person => {
                let mut chars = self.name.chars();
                let first = chars.next().map(String::from).unwrap_or_default();
                first + &"*".repeat(chars.count())
            }
        }
    }
}

/// GB 11643-1999: 17 digits, a valid birth date, and a check character (0-9 or X) from
/// ISO 7064 MOD 11-2.
pub fn is_resident_id(number: &str) -> bool {
    let bytes = number.as_bytes();
    if bytes.len() != 18 || !bytes[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let birth = &number[6..14];
    if chrono::NaiveDate::parse_from_str(birth, "%Y%m%d").is_err() {
        return false;
    }
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = bytes[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize];
    bytes[17].to_ascii_uppercase() == check
}

/// GB 32100-2015: 18 characters from the code set (digits and capitals without I, O, Z, S, V)
/// with a MOD 31 check character.
pub fn is_uscc(code: &str) -> bool {
    const CHARSET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [usize; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let bytes = code.as_bytes();
    if bytes.len() != 18 {
        return false;
    }
    let values: Option<Vec<usize>> = bytes
        .iter()
        .map(|b| CHARSET.iter().position(|c| c == b))
        .collect();
    let Some(values) = values else {
        return false;
    };
    let sum: usize = values[..17].iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
    let check = (31 - sum % 31) % 31;
    values[17] == check
}

/// [`is_phone`] as a regular expression, for the API document.
pub const PHONE_PATTERN: &str = r"^(?:\+86 ?)?(?:1[0-9]{10}|0(?:-*[0-9]){9,12}-*)$";

/// A mainland mobile number (11 digits starting with 1, optionally +86) or a landline with
/// its area code (e.g. 0951-5012345).
pub fn is_phone(phone: &str) -> bool {
    // No trimming: a phone stored with a line break or a control character around it would
    // reach every SMS gateway and export as it is.
    let digits = phone
        .strip_prefix("+86")
        .map_or(phone, |rest| rest.strip_prefix(' ').unwrap_or(rest));
    let mobile =
        digits.len() == 11 && digits.starts_with('1') && digits.chars().all(|c| c.is_ascii_digit());
    let landline = digits.starts_with('0')
        && digits.chars().all(|c| c.is_ascii_digit() || c == '-')
        && (10..=13).contains(&digits.chars().filter(char::is_ascii_digit).count());
    mobile || landline
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_text_numbers_and_names_refuse_control_and_invisible_characters() {
        let other = |number: &str| Applicant {
            id_type: IdType::Other,
            id_number: number.into(),
            ..person("", "13800138000")
        };
        assert!(other("港澳通行证 C12345678").validate().is_ok());
        for number in ["A\u{0}1", "A\u{1b}[2J", "A\n1", " A1", "A\u{200B}1", ""] {
            let refused = other(number).validate().expect_err(number);
            assert_eq!(refused.errors[0].field, "applicant.id_number", "{number:?}");
        }
        for name in ["张\u{202E}三", "张\u{200D}三", "张\n三"] {
            let applicant = Applicant {
                name: name.into(),
                ..person("11010519491231002X", "13800138000")
            };
            let refused = applicant.validate().expect_err(name);
            assert_eq!(refused.errors[0].field, "applicant.name", "{name:?}");
        }
        assert!(!is_phone("13800138000\n"));
        assert!(is_phone("+86 13800138000"));
    }

    fn person(id_number: &str, phone: &str) -> Applicant {
        Applicant {
            kind: ApplicantKind::Person,
            name: "张三".into(),
            id_type: IdType::ResidentId,
            id_number: id_number.into(),
            phone: phone.into(),
            sms_opt_out: false,
        }
    }

    #[test]
    fn resident_ids_carry_a_check_digit() {
        // The standard's own example, and one ending in X.
        assert!(is_resident_id("11010519491231002X"));
        assert!(is_resident_id("440524188001010014"));
        assert!(!is_resident_id("110105194912310021"), "wrong check digit");
        assert!(!is_resident_id("11010519491331002X"), "no 13th month");
        assert!(!is_resident_id("1101051949123100"), "too short");
    }

    #[test]
    fn credit_codes_carry_a_check_character() {
        assert!(is_uscc("91350100M000100Y43"));
        assert!(!is_uscc("91350100M000100Y44"));
        assert!(!is_uscc("91350100M000100YI3"), "I is not in the code set");
    }

    #[test]
    fn phones_are_mobile_or_landline_numbers() {
        assert!(is_phone("13800138000"));
        assert!(is_phone("+8613800138000"));
        assert!(is_phone("0951-5012345"));
        assert!(!is_phone("12345"));
        assert!(!is_phone("1380013800a"));
    }

    #[test]
    fn the_documented_phone_pattern_accepts_exactly_the_phones_the_check_accepts() {
        let pattern = regex::Regex::new(PHONE_PATTERN).expect("a regular expression");
        let pieces = ["1", "0", "8", "-", "+86", " ", "a", "13800138000", "0951"];
        let mut seed = 7_u64;
        for _ in 0..200_000 {
            let mut phone = String::new();
            while phone.len() < 18 {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                let piece = pieces[(seed >> 33) as usize % pieces.len()];
                phone.push_str(piece);
                if (seed >> 20).is_multiple_of(5) {
                    break;
                }
            }
            assert_eq!(pattern.is_match(&phone), is_phone(&phone), "{phone:?}");
        }
        for phone in [
            "13800138000",
            "+86 13800138000",
            "0951-5012345",
            "010-12345678-",
        ] {
            assert!(pattern.is_match(phone) && is_phone(phone), "{phone}");
        }
    }

    #[test]
    fn a_malformed_applicant_names_each_bad_field() {
        let errors = person("110105194912310021", "12")
            .validate()
            .expect_err("invalid");
        let fields: Vec<_> = errors.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["applicant.id_number", "applicant.phone"]);
        assert!(
            person("11010519491231002X", "13800138000")
                .validate()
                .is_ok()
        );
    }

    #[test]
    fn names_are_masked_for_the_public_and_never_logged() {
        assert_eq!(
            person("11010519491231002X", "13800138000").masked_name(),
            "张*"
        );
        let ouyang = Applicant {
            name: "欧阳娜娜".into(),
            ..person("11010519491231002X", "13800138000")
        };
        assert_eq!(ouyang.masked_name(), "欧***");
        let debug = format!("{ouyang:?}");
        assert!(
            !debug.contains("11010519491231002X")
                && !debug.contains("13800138000")
                && !debug.contains("娜")
        );
    }
}
