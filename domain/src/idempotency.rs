//! `Idempotency-Key`s of intake (幂等键): how long a key holds, and who may have the case it
//! names replayed. A key proves that its holder once created the case, not that they may
//! still see it: a replay answers with the applicant's personal data and the query code, so
//! it follows the same reach rule as reading the case.

use chrono::{DateTime, TimeDelta, Utc};

use crate::case::Case;
use crate::ids::WindowId;

/// How long a key holds by default: a day, longer than any client retries.
pub const DEFAULT_TTL: TimeDelta = TimeDelta::days(1);

/// Whether a key first used at `created_at` still holds at `now`; an expired key is
/// forgotten and its next use is a new intake.
pub fn in_force(created_at: DateTime<Utc>, now: DateTime<Utc>, ttl: TimeDelta) -> bool {
    // A time to live past the calendar's end never runs out.
    created_at
        .checked_add_signed(ttl)
        .is_none_or(|end| now < end)
}

/// The oldest moment a key may have been first used at and still hold at `now`.
pub fn expired_before(now: DateTime<Utc>, ttl: TimeDelta) -> DateTime<Utc> {
    now.checked_sub_signed(ttl)
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// Whether a caller whose reach over cases is `reach` (`None`: every window; `Some`: only
/// that window) may read `case` — the rule of `GET /cases/{id}`.
pub fn may_read(reach: Option<WindowId>, case: &Case) -> bool {
    reach.is_none_or(|window| window == case.window_id)
}

/// Whether a replay of `case` may be answered to a caller whose reach is `reach`: only when
/// they may still read it, whatever transfer or change of window came since the first try.
pub fn may_replay(reach: Option<WindowId>, case: &Case) -> bool {
    may_read(reach, case)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::case::fixtures::{applicant, hall};
    use crate::case::{Intake, IntakeDecision};
    use crate::catalogue::Handling;
    use crate::ids::UserId;

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 27, hour, 0, 0)
            .single()
            .expect("moment")
    }

    #[test]
    fn a_key_holds_for_its_time_to_live_and_not_a_moment_longer() {
        let ttl = TimeDelta::hours(2);
        assert!(in_force(at(8), at(8), ttl));
        assert!(in_force(at(8), at(9), ttl));
        assert!(!in_force(at(8), at(10), ttl));
        assert!(!in_force(at(8), at(23), ttl));
        assert_eq!(expired_before(at(10), ttl), at(8));
        assert!(in_force(
            at(8),
            at(8) + DEFAULT_TTL - TimeDelta::seconds(1),
            DEFAULT_TTL
        ));
        assert!(in_force(at(8), at(23), TimeDelta::MAX), "no overflow");
        assert_eq!(
            expired_before(at(8), TimeDelta::MAX),
            DateTime::<Utc>::MIN_UTC
        );
    }

    #[test]
    fn a_replay_reaches_only_who_may_still_read_the_case() {
        let hall = hall(Handling::Committed);
        let case = Intake {
            item: &hall.item,
            window: &hall.window,
            center: &hall.center,
            applicant: applicant(),
            note: String::new(),
            decision: IntakeDecision::Accept,
        }
        .open(
            "640105-20261127-00001".into(),
            at(9),
            at(9).date_naive(),
            UserId::new(),
            &hall.calendar,
        )
        .expect("open")
        .case;
        assert!(may_replay(None, &case), "admins and supervisors");
        assert!(may_replay(Some(hall.window.id), &case), "the case's window");
        assert!(
            !may_replay(Some(hall.other_window.id), &case),
            "a clerk whose case was transferred away, or who moved to another window"
        );
    }
}
