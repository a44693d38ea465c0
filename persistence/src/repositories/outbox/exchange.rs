//! The body of a report to the provincial platform: the case's stage in the national field
//! conventions (docs/EXCHANGE.md).

use domain::outbox::News;
use domain::repository::RepositoryResult;

use super::news::Facts;
use crate::AnyConnection;

/// The report `news` makes.
pub(super) fn body(
    _conn: &mut AnyConnection,
    news: &News,
    facts: &Facts,
) -> RepositoryResult<String> {
    // TODO(#17.4): the exchange's mapping.
    Ok(news.body(&facts.item_code, facts.window_number))
}
