//! What every handler shares: the store and the token keys; and the way handlers reach the
//! database without blocking the async executor.

use actix_web::web;
use domain::calendar::WorkingCalendar;
use domain::repository::CalendarRepository;
use persistence::{AnyConnection, Store};

use crate::auth::TokenKeys;
use crate::problem::ApiError;

/// Shared by every request; holds nothing that correctness needs to keep in memory.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// Signs and checks access tokens.
    pub tokens: TokenKeys,
}

impl AppState {
    /// Runs `work` on a pooled connection in a worker thread: for reads.
    pub async fn read<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, ApiError> + Send + 'static,
    {
        let store = self.store.clone();
        web::block(move || store.read(work)).await?
    }

    /// Runs `work` in one transaction in a worker thread: for every state change.
    pub async fn write<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, ApiError> + Send + 'static,
    {
        let store = self.store.clone();
        web::block(move || store.transaction(work)).await?
    }
}

/// The working-day calendar as stored now; read per use so that a correction made through
/// any process counts at once.
pub fn calendar(conn: &mut AnyConnection) -> Result<WorkingCalendar, ApiError> {
    Ok(WorkingCalendar::new(conn.calendar_years()?))
}
