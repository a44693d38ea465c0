//! Who books and the code they are given: the person's name, resident ID and phone, checked
//! as an applicant's are; and the booking code (预约码), random, short enough to type at a
//! kiosk, answered once and kept in storage only as a keyed hash.

use std::fmt;

use serde::Deserialize;

use crate::ValidationErrors;
use crate::case::{is_phone, is_resident_id};

/// The characters of a booking code: digits and capitals without 0, 1, I and O, which are
/// easily taken for each other. 32 of them, so a random byte maps to one without bias.
pub const BOOKING_CODE_ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/// Characters in a booking code: 40 bits, about 10^12 codes, against a kiosk allowed ten
/// writes a minute.
pub const BOOKING_CODE_LEN: usize = 8;

/// What [`BookingCode::parse`] takes, as a regular expression for the API document.
pub const BOOKING_CODE_PATTERN: &str = "^[ -]*(?:[2-9A-HJ-NP-Za-hj-np-z][ -]*){8}$";

/// A booking code (预约码), e.g. `K7QM4XPA`.
#[derive(Clone, PartialEq, Eq)]
pub struct BookingCode(String);

/// Never prints the code: it is the key to someone's appointment.
impl fmt::Debug for BookingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BookingCode(..)")
    }
}

impl BookingCode {
    /// The code spelled by `random` bytes (from a CSPRNG: the domain does no I/O).
    pub fn from_random(random: [u8; BOOKING_CODE_LEN]) -> Self {
        Self(
            random
                .iter()
                .map(|b| char::from(BOOKING_CODE_ALPHABET[usize::from(b % 32)]))
                .collect(),
        )
    }

    /// A code as typed: any case, with spaces or hyphens between groups; `None` when it
    /// cannot be one.
    pub fn parse(typed: &str) -> Option<Self> {
        let code: String = typed
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        (code.len() == BOOKING_CODE_LEN && code.bytes().all(|b| BOOKING_CODE_ALPHABET.contains(&b)))
            .then_some(Self(code))
    }

    /// The code, in capitals.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Who books: kept sealed in storage, never answered to the public.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Booker {
    /// The person's name, as on their ID card.
    pub name: String,
    /// Their resident ID number (GB 11643 check digit).
    pub id_number: String,
    /// A phone to reach them.
    pub phone: String,
    /// Whether they decline the text telling them their turn is near.
    #[serde(default)]
    pub sms_opt_out: bool,
}

impl Booker {
    /// Checks the name as an applicant's, the resident ID's check digit and the phone.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        errors.name("name", &self.name, 100);
        if !is_resident_id(&self.id_number) {
            errors.add("id_number", RESIDENT_ID_RULE);
        }
        if !is_phone(&self.phone) {
            errors.add(
                "phone",
                "must be a mobile number (11 digits starting with 1) or a landline with area code",
            );
        }
        errors.into_result()
    }
}

/// What a resident ID number must be.
pub const RESIDENT_ID_RULE: &str =
    "is not a valid resident ID number (18 characters, GB 11643-1999 check digit)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_pattern_accepts_exactly_the_codes_parse_reads() {
        let pattern = regex::Regex::new(BOOKING_CODE_PATTERN).expect("a regular expression");
        let pieces = ["K", "k", "7", "1", "I", "o", "0", " ", "-", "Z", "é", "2"];
        let mut seed = 11_u64;
        for _ in 0..200_000 {
            let mut typed = String::new();
            for _ in 0..12 {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                typed.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
                if (seed >> 20).is_multiple_of(9) {
                    break;
                }
            }
            let parsed = BookingCode::parse(&typed).is_some();
            assert_eq!(pattern.is_match(&typed), parsed, "{typed:?}");
        }
        assert!(pattern.is_match("k7qm-4xpa") && BookingCode::parse("k7qm-4xpa").is_some());
    }

    #[test]
    fn a_code_is_eight_unambiguous_characters_read_back_however_typed() {
        let code = BookingCode::from_random([0, 31, 32, 255, 8, 9, 100, 7]);
        assert_eq!(code.as_str(), "2Z2ZAB69");
        assert_eq!(BookingCode::parse("2z2z-ab69"), Some(code.clone()));
        assert_eq!(BookingCode::parse(" 2Z2Z AB69 "), Some(code.clone()));
        assert_eq!(format!("{code:?}"), "BookingCode(..)");
        for wrong in [
            "2ZZZAB6",
            "2ZZZAB690",
            "2ZZZAB6O",
            "2ZZZAB61",
            "2ZZZAB6I",
            "２ZZZAB69",
        ] {
            assert_eq!(BookingCode::parse(wrong), None, "{wrong}");
        }
    }

    #[test]
    fn a_booker_is_checked_field_by_field() {
        let good = Booker {
            name: "张三".into(),
            id_number: "11010519491231002X".into(),
            phone: "13800138000".into(),
            sms_opt_out: false,
        };
        assert_eq!(good.validate(), Ok(()));
        let bad = Booker {
            name: "张\n三".into(),
            id_number: "110105194912310021".into(),
            phone: "12345".into(),
            sms_opt_out: false,
        };
        let fields: Vec<String> = bad
            .validate()
            .expect_err("invalid")
            .errors
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["name", "id_number", "phone"]);
    }
}
