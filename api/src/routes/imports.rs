//! `POST /api/v1/imports/cases`: cases with their whole history from a legacy system.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use actix_web::{HttpResponse, post, web};
use domain::ValidationErrors;
use domain::audit::AuditAction;
use domain::case::workflow::{self, ImportedCase, WorkflowError};
use domain::ids::{CaseId, UserId};
use domain::repository::{RepositoryError, StatsKey, StatsRepository, UserRepository};
use domain::stats::StatDelta;
use persistence::import::{DeferredStats, Tally, give_way};
use persistence::{AnyConnection, Backend, Store};
use serde::Serialize;
use utoipa::ToSchema;

use crate::audit::audit;
use crate::auth::{Allowed, ManageCatalogue};
use crate::problem::{ApiError, ApiResult, Problem, without_values};
use crate::state::AppState;

/// The largest import accepted in one request.
pub const IMPORT_LIMIT: usize = 64 * 1024 * 1024;

/// One imported case.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportedCaseView {
    /// The line it came from, from 1.
    pub line: usize,
    /// Its new id.
    pub id: CaseId,
    /// Its new case number.
    pub case_no: String,
    /// Its query code, for the applicant.
    pub query_code: String,
}

/// What an import did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReport {
    /// How many cases were imported.
    pub imported: usize,
    /// Each, in the order of the lines.
    pub cases: Vec<ImportedCaseView>,
}

/// Lines written per transaction at most.
const BATCH_LINES: usize = 200;

/// A batch closes early after this much work, so that a live intake waiting for a row the
/// import holds (the day's case numbers) never waits much longer, on any machine.
const BATCH_TIME: Duration = Duration::from_millis(250);

/// On SQLite, the pause between two batches: longer than SQLite's busy handler sleeps
/// between tries (at most 100 ms), so a live write waiting for the lock takes it before the
/// next batch does. PostgreSQL queues lock waiters in order and needs no pause.
const SQLITE_YIELD: Duration = Duration::from_millis(120);

/// One import at a time in a process, so that imports together hold one pooled connection
/// at a time and never more; a second import waits for the first.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Why a batch's transaction is rolled back.
enum Stop {
    /// Some lines are invalid (or an earlier batch had invalid lines): the batch only checks.
    Refused(ValidationErrors),
    /// Storage failed: the import stops.
    Failed(ApiError),
}

impl From<RepositoryError> for Stop {
    fn from(error: RepositoryError) -> Self {
        Self::Failed(error.into())
    }
}

impl From<ApiError> for Stop {
    fn from(error: ApiError) -> Self {
        Self::Failed(error)
    }
}

/// Imports NDJSON text, all or nothing: every line is checked against the state machine
/// and the calendar; one bad line refuses the import with an error per bad line.
///
/// The cases are written in batches of at most [`BATCH_LINES`] lines (and [`BATCH_TIME`]),
/// each in a short transaction of its own, so live intake never waits for the whole import:
/// the rows it shares with an import (the day's case-number sequence) are held for one
/// batch at most. The statistics deltas are summed while the batches run and added at the
/// end, in batches too, so the statistics rows every intake bumps are touched once per key.
/// When a line is refused or storage fails after some batches were committed, a
/// compensating delete takes back every case the import wrote (and any statistics it
/// added), so the import as a whole is all or nothing; only the case numbers it drew stay
/// used. Between the first committed batch and the end, other users may see the imported
/// cases appear (and, on failure, disappear again).
pub fn import_ndjson(
    state: &AppState,
    text: &str,
    importer: UserId,
) -> Result<ImportReport, ApiError> {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
    let store = &state.store;
    let offset = state.settings.utc_offset;
    let now = state.now().at;
    let mut errors = ValidationErrors::default();
    let mut lines = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        if raw.trim().is_empty() {
            continue;
        }
        // Each line read as a JSON body is (`crate::json`): whole numbers are integers.
        let parsed = serde_json::from_str::<serde_json::Value>(raw)
            .map_err(|e| without_values(&e.to_string()))
            .and_then(|value| {
                crate::json::read::<ImportedCase>(value).map_err(|e| {
                    e.problem()
                        .errors
                        .into_iter()
                        .map(|error| error.message)
                        .collect::<Vec<_>>()
                        .join("; ")
                })
            });
        match parsed {
            Ok(parsed) => lines.push((line, parsed)),
            Err(why) => errors.add(&format!("line {line}"), why),
        }
    }
    if lines.is_empty() && errors.errors.is_empty() {
        errors.add("body", "no case to import");
    }
    let mut cases: Vec<ImportedCaseView> = Vec::new();
    let mut stats = DeferredStats::default();
    let mut pending = lines.into_iter().peekable();
    while pending.peek().is_some() {
        // Once a line is refused nothing more is kept: the rest is only checked, so that the
        // refusal names every bad line.
        let check_only = !errors.errors.is_empty();
        let batch = store.transaction(|conn| {
            let started = Instant::now();
            // Each batch by the calendars as they stand when it runs, waiting out a change.
            let calendars = state.calendars.for_write(conn)?;
            let mut tally = Tally::new(conn);
            let mut written = Vec::new();
            let mut refused = ValidationErrors::default();
            while written.len() + refused.errors.len() < BATCH_LINES
                && started.elapsed() < BATCH_TIME
                && let Some((line, parsed)) = pending.next()
            {
                let result = workflow::import(
                    &mut tally,
                    &calendars,
                    &state.query_codes,
                    parsed,
                    offset,
                    now,
                    |tally, name| match name {
                        None => Ok(importer),
                        Some(name) => match tally.conn().credentials(name)? {
                            Some(c) => Ok(c.user.id),
                            None => {
                                Err(ValidationErrors::single("by", format!("no user {name:?}"))
                                    .into())
                            }
                        },
                    },
                );
                match result {
                    Ok((case, query_code)) => written.push(ImportedCaseView {
                        line,
                        id: case.id,
                        case_no: case.case_no,
                        query_code,
                    }),
                    Err(WorkflowError::Repository(error)) => return Err(error.into()),
                    Err(WorkflowError::Case(domain::case::CaseError::Invalid(invalid))) => {
                        for error in invalid.errors {
                            refused.add(&format!("line {line}: {}", error.field), error.message);
                        }
                    }
                    Err(other) => refused.add(&format!("line {line}"), other.to_string()),
                }
            }
            if check_only || !refused.errors.is_empty() {
                return Err(Stop::Refused(refused));
            }
            Ok((written, tally.into_stats()))
        });
        match batch {
            Ok((written, deltas)) => {
                cases.extend(written);
                stats.merge(deltas);
            }
            Err(Stop::Refused(refused)) => errors.errors.extend(refused.errors),
            Err(Stop::Failed(error)) => return Err(take_back(state, &cases, &[], error)),
        }
        pause(store);
    }
    if !errors.errors.is_empty() {
        // Unreadable lines were found before the others were checked: name them all in
        // the order of the lines.
        errors.errors.sort_by_key(|e| line_of(&e.field));
        return Err(take_back(state, &cases, &[], errors.into()));
    }
    let deltas = stats.into_deltas();
    if let Err((added, error)) = in_batches(
        store,
        &deltas,
        stats_per_transaction(store),
        |conn, (key, delta)| conn.add_stats(key, std::slice::from_ref(delta)),
    ) {
        return Err(take_back(state, &cases, &deltas[..added], error));
    }
    let imported: Vec<_> = cases.iter().map(|c| &c.case_no).collect();
    let summary = serde_json::json!({"imported": cases.len(), "case_numbers": imported});
    let audited = store.transaction(|conn| {
        audit(
            conn,
            now,
            Some(importer),
            AuditAction::CaseImport,
            cases.len(),
            None::<&serde_json::Value>,
            Some(&summary),
        )
    });
    if let Err(error) = audited {
        return Err(take_back(state, &cases, &deltas, error));
    }
    Ok(ImportReport {
        imported: cases.len(),
        cases,
    })
}

/// The line an error names (`line 12` or `line 12: field`).
fn line_of(field: &str) -> usize {
    field
        .strip_prefix("line ")
        .map(|rest| rest.split(':').next().unwrap_or_default())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// Statistics deltas added per transaction. On PostgreSQL one: several deltas in one
/// transaction would hold rows of several effective days at once, and the fewer rows it
/// holds the less often it must give way to a live intake (`persistence::import::give_way`).
/// SQLite has one writer at a time: there, fewer and larger transactions.
fn stats_per_transaction(store: &Store) -> usize {
    match store.backend() {
        Backend::Postgres => 1,
        Backend::Sqlite => BATCH_LINES,
    }
}

/// How many times a transaction that had to give way is tried again before the import fails.
const ATTEMPTS: u32 = 100;

/// Runs `work` on each item, in short transactions of at most `per_transaction` items and
/// [`BATCH_TIME`], each giving way to live writes (`persistence::import::give_way`) and
/// tried again when it had to (or when SQLite stayed busy); on failure, how many items were
/// committed and why it stopped.
fn in_batches<T>(
    store: &Store,
    items: &[T],
    per_transaction: usize,
    work: impl Fn(&mut AnyConnection, &T) -> Result<(), RepositoryError>,
) -> Result<(), (usize, ApiError)> {
    let mut done = 0;
    let mut attempts = 0;
    while done < items.len() {
        let committed = store.transaction(|conn| {
            give_way(conn)?;
            let started = Instant::now();
            let mut n = 0;
            while done + n < items.len() && n < per_transaction && started.elapsed() < BATCH_TIME {
                work(conn, &items[done + n])?;
                n += 1;
            }
            Ok::<_, RepositoryError>(n)
        });
        match committed {
            Ok(n) => {
                done += n;
                attempts = 0;
            }
            Err(RepositoryError::Busy(_)) if attempts < ATTEMPTS => {
                attempts += 1;
                std::thread::sleep(SQLITE_YIELD);
            }
            Err(error) => return Err((done, error.into())),
        }
        pause(store);
    }
    Ok(())
}

/// The compensating delete of a failed import: subtracts the statistics it added, deletes
/// the cases it wrote, and returns `error`. Should that fail too (the database went away),
/// the cases left behind are named in the log.
fn take_back(
    state: &AppState,
    cases: &[ImportedCaseView],
    added: &[(StatsKey, StatDelta)],
    error: ApiError,
) -> ApiError {
    let store = &state.store;
    let undone = in_batches(
        store,
        added,
        stats_per_transaction(store),
        |conn, (key, delta)| {
            let negated = StatDelta {
                effective_on: delta.effective_on,
                counters: -delta.counters,
            };
            conn.add_stats(key, &[negated])
        },
    )
    .and_then(|()| {
        let ids: Vec<CaseId> = cases.iter().map(|c| c.id).collect();
        let chunks: Vec<&[CaseId]> = ids.chunks(BATCH_LINES).collect();
        in_batches(store, &chunks, 1, |conn, chunk| {
            persistence::import::delete_cases(conn, chunk).map(drop)
        })
    });
    if let Err((_, cause)) = undone {
        let left: Vec<&str> = cases.iter().map(|c| c.case_no.as_str()).collect();
        tracing::error!(
            %cause,
            cases = ?left,
            "a failed import could not be taken back: delete these cases by hand"
        );
    }
    error
}

/// Lets waiting live writes in between two batches (see [`SQLITE_YIELD`]).
fn pause(store: &Store) {
    if store.backend() == Backend::Sqlite {
        std::thread::sleep(SQLITE_YIELD);
    }
}

/// Imports cases from a legacy system (admin): NDJSON, one case with its full timestamped
/// history per line. Written all or nothing; when refused, the problem lists an error per line.
#[utoipa::path(
    tag = "imports", operation_id = "import_cases", security(("bearer" = [])),
    request_body(content = ImportedCase, content_type = "application/x-ndjson", description = "One ImportedCase per line"),
    responses(
        (status = 201, body = ImportReport),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Nothing was written; `errors` names each bad line", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/imports/cases")]
pub async fn import_cases(
    state: web::Data<AppState>,
    allowed: Allowed<ManageCatalogue, web::Bytes>,
) -> ApiResult<HttpResponse> {
    let (identity, body) = (allowed.identity, allowed.inner);
    let text = String::from_utf8(body.to_vec())
        .map_err(|_| ApiError::Malformed("the body is not UTF-8 text".into()))?;
    let shared = state.get_ref().clone();
    // Not in one transaction: the import writes its own batches (see `import_ndjson`).
    let report = web::block(move || import_ndjson(&shared, &text, identity.user_id)).await??;
    Ok(HttpResponse::Created().json(report))
}
