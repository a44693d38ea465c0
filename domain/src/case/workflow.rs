//! Intake, actions and imports against storage: load, decide with the pure functions above,
//! store the case, then [`record`] its event and statistics deltas (intake writes them first
//! and the case last, see [`receive`]). Generic over the repository traits, so it runs inside
//! whatever transaction the caller opened.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::Deserialize;

use super::{
    Action, Applicant, Case, CaseError, Intake, IntakeDecision, IntakeMaterials, MaterialsAtIntake,
    Performed, Unnumbered, case_number,
};
use crate::ValidationErrors;
use crate::calendar::Calendars;
use crate::ids::{CaseId, ServiceItemId, UserId, WindowId};
use crate::repository::{
    CaseLedger, CaseRepository, CenterRepository, RepositoryError, ServiceItemRepository, StatsKey,
    StatsRepository, WindowRepository,
};

/// Gives each case its query code (查询码) and the hash that is stored instead of it.
pub trait QueryCodes {
    /// The 6-digit code of a case.
    fn code_for(&self, case: CaseId) -> String;
    /// The stored hash of a case's code.
    fn hash(&self, case_no: &str, code: &str) -> String;
}

/// When something happens: the moment, and the hall's local date of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moment {
    /// The moment, UTC.
    pub at: DateTime<Utc>,
    /// The hall's local date at that moment.
    pub today: NaiveDate,
}

impl Moment {
    /// The moment `at` in a hall whose clocks are at `offset` from UTC.
    pub fn new(at: DateTime<Utc>, offset: FixedOffset) -> Self {
        Self {
            at,
            today: at.with_timezone(&offset).date_naive(),
        }
    }
}

/// Everything the case workflow reads and writes.
pub trait CaseStore:
    CaseRepository
    + CenterRepository
    + WindowRepository
    + ServiceItemRepository
    + StatsRepository
    + crate::outbox::NewsSink
{
}

impl<T> CaseStore for T where
    T: CaseRepository
        + CenterRepository
        + WindowRepository
        + ServiceItemRepository
        + StatsRepository
        + crate::outbox::NewsSink
{
}

/// Writes down what a performed action makes besides the case: its event, its outbox
/// news and its statistics deltas, in the caller's transaction: for actions, recomputations
/// and the demo alike. Intake writes the same, in the order [`receive`] explains.
pub fn record<L: CaseLedger + ?Sized>(
    ledger: &mut L,
    performed: &Performed,
) -> Result<(), RepositoryError> {
    ledger.record_event(&performed.case.region, &performed.event)?;
    if let Some(news) = crate::outbox::News::of(&performed.case, &performed.event) {
        ledger.record_news(&news)?;
    }
    ledger.record_deltas(&StatsKey::of(&performed.case), &performed.deltas)
}

/// Why the workflow refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    /// The case does not exist.
    #[error("no such case")]
    NotFound,
    /// The caller may not touch this case.
    #[error("{0}")]
    Forbidden(&'static str),
    /// The case changed since the caller read it.
    #[error("the case is at version {current}, not {expected}: reload it and try again")]
    Stale {
        /// The version the caller sent.
        expected: i64,
        /// The stored version.
        current: i64,
    },
    /// The lifecycle or the values refuse the action.
    #[error(transparent)]
    Case(#[from] CaseError),
    /// Storage failed.
    #[error(transparent)]
    Repository(#[from] RepositoryError),
}

impl From<ValidationErrors> for WorkflowError {
    fn from(errors: ValidationErrors) -> Self {
        Self::Case(CaseError::Invalid(errors))
    }
}

/// An application as a window hands it in.
#[derive(Debug, Clone)]
pub struct IntakeRequest {
    /// The item applied for.
    pub item_id: ServiceItemId,
    /// The receiving window.
    pub window_id: WindowId,
    /// Who applies.
    pub applicant: Applicant,
    /// The clerk's note.
    pub note: String,
    /// The materials received and deferred.
    pub materials: IntakeMaterials,
    /// Accept or refuse.
    pub decision: IntakeDecision,
}

/// Receives an application: checks it, opens the case, records the intake, draws the case's
/// number last and stores the case. `claim` runs just before the draw, with the case as it
/// will be stored but for its number (the idempotency key's record is written there).
/// Returns the case and its query code, shown once.
pub fn receive<R, E>(
    repo: &mut R,
    calendars: &Calendars,
    codes: &dyn QueryCodes,
    request: IntakeRequest,
    actor: UserId,
    now: Moment,
    claim: impl FnOnce(&mut R, &Case) -> Result<(), E>,
) -> Result<(Case, String), E>
where
    R: CaseStore,
    E: From<WorkflowError>,
{
    let opening = unnumbered(repo, calendars, request, actor, now)?;
    // The region's sequence stays locked from the draw until the commit, and every clerk of
    // the region waits for it: all that does not name the case by its number comes first,
    // and the rows that refer to the case are checked against it at the commit.
    let written = repo
        .defer_case_references()
        .and_then(|()| repo.record_event(&opening.case().region, opening.event()))
        .and_then(|()| repo.record_deltas(&StatsKey::of(opening.case()), opening.deltas()));
    written.map_err(WorkflowError::from)?;
    claim(repo, opening.case())?;
    let opened = numbered(repo, opening, now.today)?;
    let code = codes.code_for(opened.case.id);
    let stored = repo
        .insert_case(&opened.case, &codes.hash(&opened.case.case_no, &code))
        .and_then(
            |()| match crate::outbox::News::of(&opened.case, &opened.event) {
                Some(news) => repo.record_news(&news),
                None => Ok(()),
            },
        );
    stored.map_err(WorkflowError::from)?;
    Ok((opened.case, code))
}

/// The case an application opens, checked against the window, the item and the centre, with
/// everything but its number.
fn unnumbered<R: CaseStore>(
    repo: &mut R,
    calendars: &Calendars,
    request: IntakeRequest,
    actor: UserId,
    now: Moment,
) -> Result<Unnumbered, WorkflowError> {
    let place = repo.intake_place(request.window_id, request.item_id)?;
    let (window, item, center) = match (place.window, place.item) {
        (Some(window), Some(item)) => (window, item, place.center),
        (window, item) => {
            let mut errors = ValidationErrors::default();
            if window.is_none() {
                errors.add("window_id", "no such window");
            }
            if item.is_none() {
                errors.add("item_id", "no such service item");
            }
            return Err(errors.into());
        }
    };
    let center = center
        .ok_or_else(|| RepositoryError::Internal(format!("window {} has no centre", window.id)))?;
    let intake = Intake {
        item: &item,
        window: &window,
        center: &center,
        applicant: request.applicant,
        note: request.note,
        materials: request.materials,
        decision: request.decision,
    };
    intake.validate_on(now.today)?;
    let calendar = calendars.for_center(center.id);
    Ok(intake.open_unnumbered(now.at, now.today, actor, calendar)?)
}

/// The case numbered from its region's sequence of `today`.
fn numbered<R: CaseRepository>(
    repo: &mut R,
    opening: Unnumbered,
    today: NaiveDate,
) -> Result<Performed, WorkflowError> {
    let region = &opening.case().region;
    let seq = repo.next_case_seq(region, today)?;
    let case_no =
        case_number(region, today, seq).map_err(|e| RepositoryError::Internal(e.to_string()))?;
    Ok(opening.numbered(case_no))
}

/// Performs an action on the case at `expected_version`, after `authorize` has accepted
/// the caller for this case.
#[expect(
    clippy::too_many_arguments,
    reason = "each is a distinct input of one business step"
)]
pub fn act<R: CaseStore>(
    repo: &mut R,
    calendars: &Calendars,
    case_id: CaseId,
    expected_version: i64,
    action: &Action,
    actor: UserId,
    now: Moment,
    authorize: impl FnOnce(&Case) -> Result<(), WorkflowError>,
) -> Result<Case, WorkflowError> {
    let case = repo.case(case_id)?.ok_or(WorkflowError::NotFound)?;
    authorize(&case)?;
    if case.version != expected_version {
        return Err(WorkflowError::Stale {
            expected: expected_version,
            current: case.version,
        });
    }
    let target = match action {
        Action::Transfer { window_id, .. } => repo.window(*window_id)?,
        _ => None,
    };
    let calendar = calendars.for_center(case.center_id);
    let performed = case.perform(action, now.at, now.today, actor, calendar, target.as_ref())?;
    if !repo.update_case(&performed.case, expected_version)? {
        let current = repo.case(case_id)?.map_or(expected_version, |c| c.version);
        return Err(WorkflowError::Stale {
            expected: expected_version,
            current,
        });
    }
    record(repo, &performed)?;
    Ok(performed.case)
}

/// One case from a legacy system, with its whole history (one line of an NDJSON import).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ImportedCase {
    /// The code of the centre the case was received at.
    pub center_code: String,
    /// The number of the receiving window in that centre.
    pub window_number: u32,
    /// The code of the service item.
    pub item_code: String,
    /// Who applied.
    pub applicant: Applicant,
    /// The clerk's note.
    #[serde(default)]
    pub note: String,
    /// When it was received, RFC 3339 with offset.
    pub received_at: DateTime<FixedOffset>,
    /// The username that received it; the importing user when left out.
    #[serde(default)]
    pub received_by: Option<String>,
    /// Set to refuse at intake (不予受理), with the reason.
    #[serde(default)]
    pub refused_because: Option<String>,
    /// The materials received and deferred at intake; when left out, every material of the
    /// item's guide counts as received (the legacy system accepted the case complete).
    #[serde(default)]
    pub materials: Option<MaterialsAtIntake>,
    /// Everything that happened after intake, oldest first.
    #[serde(default)]
    pub events: Vec<ImportedEvent>,
}

/// One step of an imported case's history.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportedEvent {
    /// When it happened, RFC 3339 with offset.
    pub at: DateTime<FixedOffset>,
    /// The username that did it; the importing user when left out.
    #[serde(default)]
    pub by: Option<String>,
    /// The action and its fields, as for `POST /cases/{id}/events`.
    #[serde(flatten)]
    pub action: Action,
}

/// Replays one imported case through the same intake and actions as live work, so the
/// result cannot be told apart from a live case. `actor_named` resolves usernames.
pub fn import<R: CaseStore>(
    repo: &mut R,
    calendars: &Calendars,
    codes: &dyn QueryCodes,
    line: ImportedCase,
    offset: FixedOffset,
    now: DateTime<Utc>,
    mut actor_named: impl FnMut(&mut R, Option<&str>) -> Result<UserId, WorkflowError>,
) -> Result<(Case, String), WorkflowError> {
    let center = repo
        .center_by_code(&line.center_code)?
        .ok_or_else(|| ValidationErrors::single("center_code", "no such centre"))?;
    let window = repo
        .window_by_number(center.id, line.window_number)?
        .ok_or_else(|| {
            ValidationErrors::single("window_number", "no such window in that centre")
        })?;
    let item = repo
        .item_by_code(&line.item_code)?
        .ok_or_else(|| ValidationErrors::single("item_code", "no such service item"))?;
    let received = line.received_at.with_timezone(&Utc);
    let mut previous = received;
    for (i, event) in line.events.iter().enumerate() {
        let at = event.at.with_timezone(&Utc);
        if at < previous {
            return Err(ValidationErrors::single(
                &format!("events[{i}].at"),
                "events must be in time order, after receipt",
            )
            .into());
        }
        previous = at;
    }
    if previous > now {
        return Err(ValidationErrors::single(
            "events",
            "a case's history cannot lie in the future",
        )
        .into());
    }
    let decision = match line.refused_because {
        Some(reason) => IntakeDecision::Refuse { reason },
        None => IntakeDecision::Accept,
    };
    let request = IntakeRequest {
        item_id: item.id,
        window_id: window.id,
        applicant: line.applicant,
        note: line.note,
        materials: line
            .materials
            .map_or(IntakeMaterials::AllReceived, IntakeMaterials::Recorded),
        decision,
    };
    let receiver = actor_named(repo, line.received_by.as_deref())?;
    let (mut case, code) = receive(
        repo,
        calendars,
        codes,
        request,
        receiver,
        Moment::new(received, offset),
        |_, _| Ok::<(), WorkflowError>(()),
    )?;
    for (i, event) in line.events.into_iter().enumerate() {
        let actor = actor_named(repo, event.by.as_deref())?;
        let moment = Moment::new(event.at.with_timezone(&Utc), offset);
        case = act(
            repo,
            calendars,
            case.id,
            case.version,
            &event.action,
            actor,
            moment,
            |_| Ok(()),
        )
        .map_err(|e| match e {
            WorkflowError::Case(CaseError::Invalid(mut errors)) => {
                for error in &mut errors.errors {
                    error.field = format!("events[{i}].{}", error.field);
                }
                WorkflowError::Case(CaseError::Invalid(errors))
            }
            WorkflowError::Case(refused @ CaseError::NotAllowed { .. }) => {
                ValidationErrors::single(&format!("events[{i}].action"), refused.to_string()).into()
            }
            other => other,
        })?;
    }
    Ok((case, code))
}
