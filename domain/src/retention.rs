//! Retention of personal data (个人信息保存期限): applicants of cases closed longer ago than
//! the retention period are anonymised — name masked, ID number and phone erased — while the
//! case itself, its history and the statistics stay.

use chrono::{DateTime, Months, Utc};

use crate::case::Applicant;

/// Cases closed (last changed) before this moment are anonymised; `None` when the period is
/// 0 (retention disabled) or reaches before the calendar's start.
pub fn cutoff(now: DateTime<Utc>, years: u32) -> Option<DateTime<Utc>> {
    if years == 0 {
        return None;
    }
    now.checked_sub_months(Months::new(years.saturating_mul(12)))
}

/// A name without what identifies it: its first character followed by one `*` per other
/// character, at least one (`张三` → `张*`, `王` → `王*`).
pub fn mask_name(name: &str) -> String {
    let mut chars = name.trim().chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    let stars = chars.count().max(1);
    std::iter::once(first)
        .chain(std::iter::repeat_n('*', stars))
        .collect()
}

/// The applicant without what identifies them: the name masked ([`mask_name`]), no ID
/// number, no phone. The kinds stay, for the reports that count persons and organizations.
pub fn anonymise(applicant: &Applicant) -> Applicant {
    Applicant {
        kind: applicant.kind,
        name: mask_name(&applicant.name),
        id_type: applicant.id_type,
        id_number: String::new(),
        phone: String::new(),
        sms_opt_out: applicant.sms_opt_out,
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::case::{ApplicantKind, IdType};

    #[test]
    fn the_name_keeps_its_first_character_and_the_numbers_go() {
        let applicant = Applicant {
            kind: ApplicantKind::Person,
            name: "张三丰".into(),
            id_type: IdType::ResidentId,
            id_number: "11010519491231002X".into(),
            phone: "13800138000".into(),
            sms_opt_out: false,
        };
        let anonymous = anonymise(&applicant);
        assert_eq!(anonymous.name, "张**");
        assert_eq!(anonymous.id_number, "");
        assert_eq!(anonymous.phone, "");
        assert_eq!(anonymous.id_type, IdType::ResidentId);
        let single = Applicant {
            name: "王".into(),
            ..applicant
        };
        assert_eq!(anonymise(&single).name, "王*");
    }

    #[test]
    fn the_cutoff_is_whole_years_back_and_zero_disables() {
        let now = Utc
            .with_ymd_and_hms(2026, 11, 27, 8, 0, 0)
            .single()
            .expect("time");
        assert_eq!(
            cutoff(now, 30),
            Utc.with_ymd_and_hms(1996, 11, 27, 8, 0, 0).single()
        );
        assert_eq!(cutoff(now, 0), None);
    }
}
