//! The HTTP routes, one module per URL prefix; handlers extract, authorize, call the domain
//! and the store, and map the result.

pub mod access_log;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod cases;
pub mod centers;
pub mod departments;
pub mod health;
pub mod imports;
pub mod items;
pub mod public;
pub mod reports;
pub mod stats;
pub mod supervision;
pub mod users;
pub mod windows;

use domain::page::{MAX_PAGE_SIZE, PageRequest};
use domain::repository::RepositoryError;
use serde::Deserialize;
use utoipa::IntoParams;

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

/// Maps a taken unique value to a 409 `code-taken` that says which.
pub fn taken(message: &'static str) -> impl Fn(RepositoryError) -> ApiError {
    move |error| match error {
        RepositoryError::Conflict => ApiError::Taken(message.to_owned()),
        other => other.into(),
    }
}
