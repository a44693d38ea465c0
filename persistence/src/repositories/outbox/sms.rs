//! The body of a message to the SMS gateway: what the applicant's text is made of, never the
//! phone itself (the dispatcher reads it, sealed, when it sends).

use domain::outbox::News;
use domain::repository::RepositoryResult;

use super::news::Facts;
use crate::AnyConnection;

/// The facts the text of `news` needs; `None` when nothing is to be texted.
pub(super) fn body(
    _conn: &mut AnyConnection,
    news: &News,
    facts: &Facts,
) -> RepositoryResult<Option<String>> {
    // TODO(#17.3): the template's facts per kind, and the applicant's opt-out.
    Ok(Some(news.body(&facts.item_code, facts.window_number)))
}
