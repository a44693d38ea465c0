//! Case numbers: `{region}-{YYYYMMDD}-{seq}`, the sequence counted per region and local day.

use chrono::NaiveDate;

/// A case number could not be formed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseNumberError {
    /// Sequences start at 1.
    #[error("case sequence numbers start at 1")]
    ZeroSequence,
}

/// The case number for the `seq`-th case of `day` in `region`, e.g. `640105-20120928-00001`.
pub fn case_number(region: &str, day: NaiveDate, seq: u32) -> Result<String, CaseNumberError> {
    if seq == 0 {
        return Err(CaseNumberError::ZeroSequence);
    }
    Ok(format!("{region}-{}-{seq:05}", day.format("%Y%m%d")))
}

/// A case number or query code as typed at a kiosk, in the form it was issued in: full-width
/// digits, letters and hyphens (U+FF10–FF19, U+FF21–FF3A, U+FF41–FF5A, U+FF0D, as Chinese
/// input methods type them) made ASCII, every space (the ideographic U+3000 included) removed,
/// letters upper-cased. `６４０１０５－２０１２０９２８－００００１` reads `640105-20120928-00001`.
/// Other characters are kept as they are, so a wrong number stays wrong.
pub fn normalise_typed(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{FF10}'..='\u{FF19}'
            | '\u{FF21}'..='\u{FF3A}'
            | '\u{FF41}'..='\u{FF5A}'
            | '\u{FF0D}' => {
                // The full-width forms sit at a fixed distance from their ASCII twins.
                char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c)
            }
            other => other,
        })
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_numbers_and_codes_are_read_as_issued() {
        assert_eq!(
            normalise_typed("６４０１０５－２０１２０９２８－００００１"),
            "640105-20120928-00001"
        );
        assert_eq!(
            normalise_typed(" 640105 - 20120928 -\u{3000}00001\t"),
            "640105-20120928-00001"
        );
        assert_eq!(normalise_typed("１２３　４５６"), "123456");
        assert_eq!(normalise_typed("ａｂｃ-ＸＹｚ"), "ABC-XYZ");
        // Nothing else is folded: a circled digit or a long dash stays what it is.
        assert_eq!(normalise_typed("①—"), "①—");
        assert_eq!(normalise_typed(""), "");
    }

    #[test]
    fn numbers_read_region_date_and_sequence() {
        let day: NaiveDate = "2012-09-28".parse().expect("date");
        assert_eq!(
            case_number("640105", day, 1),
            Ok("640105-20120928-00001".into())
        );
        assert_eq!(
            case_number("640105", day, 123_456),
            Ok("640105-20120928-123456".into())
        );
        assert_eq!(
            case_number("640105", day, 0),
            Err(CaseNumberError::ZeroSequence)
        );
    }
}
