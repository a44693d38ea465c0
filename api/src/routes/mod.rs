//! The HTTP routes, one module per URL prefix; handlers extract, authorize, call the domain
//! and the store, and map the result.

pub mod access_log;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod cases;
pub mod centers;
pub mod departments;
pub mod display;
pub mod health;
pub mod imports;
pub mod items;
pub mod notices;
pub mod outbox;
pub mod public;
pub mod queue;
pub mod reports;
pub mod slots;
pub mod stats;
pub mod supervision;
pub mod users;
pub mod webhooks;
pub mod windows;

use chrono::{DateTime, Utc};
use domain::audit::AuditAction;
use domain::ids::UserId;
use domain::page::{MAX_PAGE_SIZE, PageRequest};
use domain::repository::{RepositoryError, RepositoryResult};
use persistence::AnyConnection;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use crate::audit::audit;
use crate::problem::ApiError;

/// The default page size of list endpoints.
const DEFAULT_PAGE_SIZE: u32 = 50;

/// Keyset pagination parameters of every list endpoint.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// How many entries, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    #[param(
        pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
    )]
    pub after: Option<String>,
}

impl PageQuery {
    /// The page asked for, or 422 for a limit out of range.
    pub fn request(self) -> Result<PageRequest, ApiError> {
        let limit = self.limit.unwrap_or(DEFAULT_PAGE_SIZE);
        if !(1..=MAX_PAGE_SIZE).contains(&limit) {
            return Err(domain::ValidationErrors::single(
                "limit",
                format!("must be between 1 and {MAX_PAGE_SIZE}"),
            )
            .into());
        }
        Ok(PageRequest {
            limit,
            after: self.after,
        })
    }
}

/// The record, or 404 naming what was looked for.
pub fn found<T>(record: Option<T>, what: &str) -> Result<T, ApiError> {
    record.ok_or_else(|| ApiError::NotFound(format!("no such {what}")))
}

/// Who makes a catalogue change, when (the request's moment), and its name in the audit
/// trail.
#[derive(Debug, Clone, Copy)]
pub struct Audited {
    /// The moment of the request, from `AppState::now`.
    pub at: DateTime<Utc>,
    /// The signed-in user making the change.
    pub actor: UserId,
    /// What the trail calls it.
    pub action: AuditAction,
}

impl Audited {
    /// `actor`'s change called `action`, at `at`.
    pub fn new(at: DateTime<Utc>, actor: UserId, action: AuditAction) -> Self {
        Self { at, actor, action }
    }
}

/// A catalogue record as its write handlers find, store and audit it.
pub trait Record: Serialize + Clone {
    /// The type of its id.
    type Id;
    /// What a 404 calls it: `no such {WHAT}`.
    const WHAT: &'static str;
    /// The id the audit entry names.
    fn record_id(&self) -> String;
    /// The stored record with this id.
    fn load(conn: &mut AnyConnection, id: Self::Id) -> RepositoryResult<Option<Self>>;
    /// Stores the record's new values; a unique value taken answers 409 saying which.
    fn store(&self, conn: &mut AnyConnection) -> Result<(), ApiError>;
}

/// The one path of a new catalogue record, in the caller's transaction: stored with
/// `store`, then audited.
pub fn create_audited<T: Record>(
    conn: &mut AnyConnection,
    audited: Audited,
    record: T,
    store: impl FnOnce(&mut AnyConnection, &T) -> Result<(), ApiError>,
) -> Result<T, ApiError> {
    store(conn, &record)?;
    audit(
        conn,
        audited.at,
        Some(audited.actor),
        audited.action,
        record.record_id(),
        None::<&T>,
        Some(&record),
    )?;
    Ok(record)
}

/// The one path of a change to a catalogue record, in the caller's transaction: the record
/// `id` as found (404 when it is not), changed by `change`, stored, and audited with before
/// and after. Returns both.
pub fn change_audited<T: Record>(
    conn: &mut AnyConnection,
    audited: Audited,
    id: T::Id,
    change: impl FnOnce(&mut AnyConnection, T) -> Result<T, ApiError>,
) -> Result<(T, T), ApiError> {
    let before = found(T::load(conn, id)?, T::WHAT)?;
    let after = change(conn, before.clone())?;
    after.store(conn)?;
    audit(
        conn,
        audited.at,
        Some(audited.actor),
        audited.action,
        after.record_id(),
        Some(&before),
        Some(&after),
    )?;
    Ok((before, after))
}

/// Maps a taken unique value to a 409 `code-taken` that says which.
pub fn taken(message: &'static str) -> impl Fn(RepositoryError) -> ApiError {
    move |error| match error {
        RepositoryError::Conflict => ApiError::Taken(message.to_owned()),
        other => other.into(),
    }
}
