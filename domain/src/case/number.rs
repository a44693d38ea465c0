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

#[cfg(test)]
mod tests {
    use super::*;

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
