//! Ratings (好差评): the applicant's 1–5 judgement of a finished case, on the five levels of
//! GB/T 39734-2020. A poor rating (差评, 1–2) opens a rectification (整改) with a deadline.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::ValidationErrors;
use crate::calendar::{CalendarError, WorkingCalendar};
use crate::ids::{CaseId, RatingId, UserId};

/// Working days a rectification of a poor rating is given.
pub const RECTIFICATION_DAYS: u32 = 15;

/// The five levels of GB/T 39734-2020, from 5 down to 1.
pub const LEVELS: [&str; 5] = ["非常满意", "满意", "基本满意", "不满意", "非常不满意"];

/// The level's name for a score of 1 to 5.
pub fn level(score: u8) -> &'static str {
    LEVELS[usize::from(5 - score.clamp(1, 5))]
}

/// Whether a score is a poor rating (差评).
pub fn is_poor(score: u8) -> bool {
    score <= 2
}

/// Checks a rating's score and comment.
pub fn validate(score: u8, comment: &str) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    if !(1..=5).contains(&score) {
        errors.add("score", "must be 1 (非常不满意) to 5 (非常满意)");
    }
    errors.optional_text("comment", comment, 500);
    errors.into_result()
}

/// The follow-up a poor rating demands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rectification {
    /// The last working day to close it.
    pub deadline: NaiveDate,
    /// When a supervisor closed it.
    pub closed_at: Option<DateTime<Utc>>,
    /// Who closed it.
    pub closed_by: Option<UserId>,
    /// What was done.
    pub note: Option<String>,
}

/// One rating of one case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rating {
    /// Its identifier.
    pub id: RatingId,
    /// The rated case.
    pub case_id: CaseId,
    /// 1 to 5.
    pub score: u8,
    /// The level's name.
    pub level: &'static str,
    /// The applicant's words.
    pub comment: String,
    /// When it was given.
    pub rated_at: DateTime<Utc>,
    /// The hall's local date it was given.
    pub rated_on: NaiveDate,
    /// For poor ratings, the follow-up.
    pub rectification: Option<Rectification>,
}

impl Rating {
    /// A new rating; a poor one opens a rectification due [`RECTIFICATION_DAYS`] working days
    /// after the day it was given.
    pub fn new(
        case_id: CaseId,
        score: u8,
        comment: String,
        at: DateTime<Utc>,
        today: NaiveDate,
        calendar: &WorkingCalendar,
    ) -> Result<Self, CalendarError> {
        let rectification = if is_poor(score) {
            Some(Rectification {
                deadline: calendar.add_working_days(today, RECTIFICATION_DAYS)?,
                closed_at: None,
                closed_by: None,
                note: None,
            })
        } else {
            None
        };
        Ok(Self {
            id: RatingId::new(),
            case_id,
            score,
            level: level(score),
            comment,
            rated_at: at,
            rated_on: today,
            rectification,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::china;

    #[test]
    fn the_five_levels_of_the_standard() {
        assert_eq!(level(5), "非常满意");
        assert_eq!(level(1), "非常不满意");
        assert!(is_poor(2) && !is_poor(3));
        assert!(validate(0, "").is_err() && validate(6, "").is_err() && validate(3, "").is_ok());
    }

    #[test]
    fn a_poor_rating_opens_a_rectification_due_in_fifteen_working_days() {
        let calendar = WorkingCalendar::new(china());
        let today: NaiveDate = "2012-09-28".parse().expect("date");
        let poor = Rating::new(
            CaseId::new(),
            2,
            "等太久".into(),
            Utc::now(),
            today,
            &calendar,
        )
        .expect("rated");
        // Saturday 29 September works, National Day week is off: 15 working days run to 25 October.
        assert_eq!(
            poor.rectification.map(|r| r.deadline),
            Some("2012-10-25".parse().expect("date"))
        );
        let good = Rating::new(
            CaseId::new(),
            4,
            String::new(),
            Utc::now(),
            today,
            &calendar,
        )
        .expect("rated");
        assert_eq!(good.rectification, None);
    }
}
