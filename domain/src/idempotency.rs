//! `Idempotency-Key`s of intake (幂等键): how long a key holds, and who may have the case it
//! names replayed. A key proves that its holder once created the case, not that they may
//! still see it: a replay answers with the applicant's personal data and the query code, so
//! it follows the same reach rule as reading the case.

use chrono::{DateTime, TimeDelta, Utc};

use crate::calendar::Calendars;
use crate::case::Case;
use crate::case::workflow::{self, CaseStore, IntakeRequest, Moment, QueryCodes, WorkflowError};
use crate::ids::{UserId, WindowId};
use crate::repository::{
    CaseRepository, IdempotencyRecord, IdempotencyRepository, RepositoryError,
};

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

/// Expired keys forgotten per keyed intake: enough to keep up with any hall, few enough that
/// a backlog never makes one intake slow.
pub const PRUNE_SLICE: u32 = 100;

/// What a key remembers of the request it was first used with (请求指纹): a keyed hash of
/// the body, so that a retry can be told from another request under the same key.
pub trait Fingerprint {
    /// This request's fingerprint, stored with a key used for the first time.
    fn current(&self) -> String;
    /// Whether `stored` is this request's fingerprint (under any key still held).
    fn matches(&self, stored: &str) -> bool;
}

/// An intake that carries an `Idempotency-Key`, with what the protocol needs to judge a retry.
#[derive(Clone, Copy)]
pub struct Keyed<'a> {
    /// The key, as the client sent it.
    pub key: &'a str,
    /// The request's fingerprint.
    pub fingerprint: &'a dyn Fingerprint,
    /// How long a key holds.
    pub ttl: TimeDelta,
    /// The caller's reach for reading cases now (see [`may_read`]); `None` when they may
    /// read no case at all.
    pub reach: Option<Option<WindowId>>,
}

impl std::fmt::Debug for Keyed<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyed")
            .field("key", &self.key)
            .field("ttl", &self.ttl)
            .field("reach", &self.reach)
            .finish_non_exhaustive()
    }
}

/// The answer to an intake: a new case, or the case a retry's key created.
#[derive(Debug, Clone, PartialEq)]
pub enum Receipt {
    /// The case this request opened, with its query code.
    Created(Case, String),
    /// The case the key's first request opened, with its query code; nothing was created.
    Replayed(Case, String),
}

/// Why a keyed intake was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdempotencyError {
    /// The key came before with another request body.
    #[error("this Idempotency-Key was used before with another request")]
    KeyReused,
    /// Another request with the same key is being processed (its key was taken meanwhile).
    #[error("a request with this Idempotency-Key is still being processed")]
    KeyInFlight,
    /// The intake itself, or a replay out of the caller's reach, was refused.
    #[error(transparent)]
    Workflow(#[from] WorkflowError),
}

impl From<RepositoryError> for IdempotencyError {
    fn from(error: RepositoryError) -> Self {
        Self::Workflow(error.into())
    }
}

/// Receives an application once per key (幂等受理): with a key still in force, a retry of
/// the same request gets the case it created and nothing is created; the same key with
/// another body is refused; an expired key is forgotten and its request is a new intake.
/// Without a key, this is [`workflow::receive`].
pub fn receive<R: CaseStore + IdempotencyRepository>(
    repo: &mut R,
    calendars: &Calendars,
    codes: &dyn QueryCodes,
    request: IntakeRequest,
    actor: UserId,
    now: Moment,
    keyed: Option<Keyed<'_>>,
) -> Result<Receipt, IdempotencyError> {
    once(repo, codes, actor, now.at, keyed, |repo, claim| {
        workflow::receive(repo, calendars, codes, request, actor, now, claim)
    })
}

/// The protocol around any intake `open`: look the key up, replay or forget it, then open,
/// which remembers the key through the claim it is given once its case is known.
fn once<R: CaseRepository + IdempotencyRepository>(
    repo: &mut R,
    codes: &dyn QueryCodes,
    actor: UserId,
    now: DateTime<Utc>,
    keyed: Option<Keyed<'_>>,
    open: impl FnOnce(&mut R, Claim<'_, R>) -> Result<(Case, String), IdempotencyError>,
) -> Result<Receipt, IdempotencyError> {
    let Some(keyed) = keyed else {
        let (case, code) = open(repo, &mut |_, _| Ok(()))?;
        return Ok(Receipt::Created(case, code));
    };
    if let Some(record) = repo.idempotency_record(actor, keyed.key)? {
        if in_force(record.created_at, now, keyed.ttl) {
            return replay(repo, &record, &keyed, codes);
        }
        // Expired: forgotten, and this request is a new intake.
        repo.forget_idempotency(actor, keyed.key)?;
    }
    repo.prune_idempotency(expired_before(now, keyed.ttl), PRUNE_SLICE)?;
    let (case, code) = open(repo, &mut |repo, case| {
        let record = IdempotencyRecord {
            request_hash: keyed.fingerprint.current(),
            region: case.region.clone(),
            case_id: case.id,
            created_at: now,
        };
        repo.remember_idempotency(actor, keyed.key, &record)
            .map_err(|e| match e {
                RepositoryError::Conflict => IdempotencyError::KeyInFlight,
                other => other.into(),
            })
    })?;
    Ok(Receipt::Created(case, code))
}

/// Remembers the key for the case being opened (the case's number may not be drawn yet);
/// does nothing without a key.
type Claim<'a, R> = &'a mut dyn FnMut(&mut R, &Case) -> Result<(), IdempotencyError>;

/// The case a remembered key created, for a retry of the same request by a caller who may
/// still read it; refused otherwise (the case moved to another window, or the clerk did),
/// with nothing of the case in the answer.
fn replay<R: CaseRepository>(
    repo: &mut R,
    record: &IdempotencyRecord,
    keyed: &Keyed<'_>,
    codes: &dyn QueryCodes,
) -> Result<Receipt, IdempotencyError> {
    if !keyed.fingerprint.matches(&record.request_hash) {
        return Err(IdempotencyError::KeyReused);
    }
    let case = repo
        .case(record.case_id)?
        .ok_or_else(|| RepositoryError::Internal("idempotency key names no case".into()))?;
    if !keyed.reach.is_some_and(|reach| may_replay(reach, &case)) {
        return Err(WorkflowError::Forbidden(
            "the case this Idempotency-Key created is no longer within your reach",
        )
        .into());
    }
    let code = codes.code_for(case.id);
    Ok(Receipt::Replayed(case, code))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::case::fixtures::{Hall, Memory as Fake, hall};
    use crate::catalogue::Handling;
    use crate::ids::{CaseId, UserId};

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
        let case = hall
            .accept("640105-20261127-00001".into(), at(9), at(9).date_naive())
            .expect("open");
        assert!(may_replay(None, &case), "admins and supervisors");
        assert!(may_replay(Some(hall.window.id), &case), "the case's window");
        assert!(
            !may_replay(Some(hall.other_window.id), &case),
            "a clerk whose case was transferred away, or who moved to another window"
        );
    }

    /// A fingerprint that is the body itself.
    struct Body(&'static str);

    impl Fingerprint for Body {
        fn current(&self) -> String {
            self.0.to_owned()
        }
        fn matches(&self, stored: &str) -> bool {
            stored == self.0
        }
    }

    struct Codes;

    impl QueryCodes for Codes {
        fn code_for(&self, _: CaseId) -> String {
            "123456".into()
        }
        fn hash(&self, _: &str, code: &str) -> String {
            code.into()
        }
    }

    /// Opens a case at the hall's first window, as the workflow would: claims the key, then
    /// stores the case.
    fn opener(
        hall: &Hall,
        opened: &std::cell::Cell<u32>,
    ) -> impl FnOnce(&mut Fake, Claim<'_, Fake>) -> Result<(Case, String), IdempotencyError> {
        move |repo, claim| {
            opened.set(opened.get() + 1);
            let case = hall
                .accept(
                    format!("640105-20261127-{:05}", opened.get()),
                    at(9),
                    at(9).date_naive(),
                )
                .map_err(WorkflowError::from)?;
            claim(repo, &case)?;
            repo.insert_case(&case, "123456")?;
            Ok((case, "123456".into()))
        }
    }

    fn keyed<'a>(key: &'a str, body: &'a Body, reach: Option<Option<WindowId>>) -> Keyed<'a> {
        Keyed {
            key,
            fingerprint: body,
            ttl: TimeDelta::hours(2),
            reach,
        }
    }

    #[test]
    fn a_retry_gets_the_case_it_created_and_creates_nothing() {
        let hall = hall(Handling::Committed);
        let (mut repo, opened, clerk) = (Fake::default(), std::cell::Cell::new(0), UserId::new());
        let body = Body("{a}");
        let first = once(
            &mut repo,
            &Codes,
            clerk,
            at(9),
            Some(keyed("k", &body, Some(Some(hall.window.id)))),
            opener(&hall, &opened),
        )
        .expect("first");
        let Receipt::Created(case, _) = first else {
            panic!("a first request creates")
        };
        assert_eq!(repo.pruned_before, Some(at(7)), "expired keys pruned");
        let retry = once(
            &mut repo,
            &Codes,
            clerk,
            at(10),
            Some(keyed("k", &body, Some(Some(hall.window.id)))),
            opener(&hall, &opened),
        )
        .expect("retry");
        assert_eq!(retry, Receipt::Replayed(case.clone(), "123456".into()));
        assert_eq!(opened.get(), 1, "nothing created by the retry");

        // Another body under the same key.
        let other = Body("{b}");
        let reused = once(
            &mut repo,
            &Codes,
            clerk,
            at(10),
            Some(keyed("k", &other, Some(None))),
            opener(&hall, &opened),
        );
        assert_eq!(reused, Err(IdempotencyError::KeyReused));

        // The case out of the caller's reach, or the caller reading no case at all.
        for reach in [Some(Some(hall.other_window.id)), None] {
            let refused = once(
                &mut repo,
                &Codes,
                clerk,
                at(10),
                Some(keyed("k", &body, reach)),
                opener(&hall, &opened),
            );
            assert!(
                matches!(
                    refused,
                    Err(IdempotencyError::Workflow(WorkflowError::Forbidden(_)))
                ),
                "{reach:?}: {refused:?}"
            );
        }

        // Another caller's key of the same name is theirs alone.
        let theirs = once(
            &mut repo,
            &Codes,
            UserId::new(),
            at(10),
            Some(keyed("k", &other, Some(None))),
            opener(&hall, &opened),
        )
        .expect("another caller");
        assert!(matches!(theirs, Receipt::Created(..)));
        assert_eq!(opened.get(), 2);
    }

    #[test]
    fn an_expired_key_is_forgotten_and_its_request_is_new() {
        let hall = hall(Handling::Committed);
        let (mut repo, opened, clerk) = (Fake::default(), std::cell::Cell::new(0), UserId::new());
        let body = Body("{a}");
        let reach = Some(Some(hall.window.id));
        let first = once(
            &mut repo,
            &Codes,
            clerk,
            at(8),
            Some(keyed("k", &body, reach)),
            opener(&hall, &opened),
        );
        let later = once(
            &mut repo,
            &Codes,
            clerk,
            at(10),
            Some(keyed("k", &body, reach)),
            opener(&hall, &opened),
        );
        let (Ok(Receipt::Created(first, _)), Ok(Receipt::Created(later, _))) = (first, later)
        else {
            panic!("both create")
        };
        assert_ne!(first.id, later.id);
        assert_eq!(repo.keys[&(clerk, "k".to_owned())].case_id, later.id);
        assert_eq!(repo.keys[&(clerk, "k".to_owned())].created_at, at(10));
    }

    #[test]
    fn without_a_key_every_request_is_new_and_nothing_is_remembered() {
        let hall = hall(Handling::Committed);
        let (mut repo, opened) = (Fake::default(), std::cell::Cell::new(0));
        for _ in 0..2 {
            let receipt = once(
                &mut repo,
                &Codes,
                UserId::new(),
                at(9),
                None,
                opener(&hall, &opened),
            );
            assert!(matches!(receipt, Ok(Receipt::Created(..))));
        }
        assert_eq!(opened.get(), 2);
        assert!(repo.keys.is_empty());
        assert_eq!(repo.pruned_before, None);
    }

    #[test]
    fn a_key_taken_meanwhile_is_in_flight() {
        let hall = hall(Handling::Committed);
        let (mut repo, opened) = (Fake::default(), std::cell::Cell::new(0));
        repo.racing = Some("k".into());
        let body = Body("{a}");
        let raced = once(
            &mut repo,
            &Codes,
            UserId::new(),
            at(9),
            Some(keyed("k", &body, Some(None))),
            opener(&hall, &opened),
        );
        assert_eq!(raced, Err(IdempotencyError::KeyInFlight));
    }
}
