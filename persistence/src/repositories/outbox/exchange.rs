//! The body of a report to the provincial platform: the case's stage or rating in the
//! exchange's mapping ([`domain::exchange`], docs/EXCHANGE.md), with the facts it needs
//! loaded here — the case and its events as this transaction just wrote them, the item's
//! name, the window, the named clerk, the centre's division — and the hall's local time.

use diesel::prelude::*;
use domain::exchange::{Clerk, Report, ReportFacts, named_clerk};
use domain::outbox::News;
use domain::repository::{CaseRepository, RepositoryError, RepositoryResult};

use super::news::Facts;
use crate::AnyConnection;
use crate::error::db;
use crate::local_time;
use crate::schema::{centers, service_items, users, windows};

/// The report `news` makes; `None` when the exchange is not told of its event.
pub(super) fn body(
    conn: &mut AnyConnection,
    news: &News,
    facts: &Facts,
) -> RepositoryResult<Option<String>> {
    let case = conn
        .case(news.case_id)?
        .ok_or_else(|| RepositoryError::Internal(format!("no case {} to report", news.case_id)))?;
    let events = conn.case_events(news.case_id)?;
    let Some(event) = events.iter().find(|e| e.id == news.event_id) else {
        return Err(RepositoryError::Internal(format!(
            "no event {} to report",
            news.event_id
        )));
    };
    let item_name: String = service_items::table
        .find(news.item_id.to_string())
        .select(service_items::name)
        .first(conn)
        .optional()
        .map_err(db)?
        .unwrap_or_default();
    let window_name: Option<String> = windows::table
        .find(news.window_id.to_string())
        .select(windows::name)
        .first(conn)
        .optional()
        .map_err(db)?;
    let clerk = match named_clerk(&case, event, &events) {
        Some(id) => users::table
            .find(id.to_string())
            .select(users::display_name)
            .first::<String>(conn)
            .optional()
            .map_err(db)?
            .map(|name| Clerk { id, name }),
        None => None,
    };
    let (center_code, division_code) = division(conn, &case.center_id.to_string())?;
    let facts = ReportFacts {
        division_code: division_code.unwrap_or_else(|| case.region.clone()),
        center_code,
        item_code: facts.item_code.clone(),
        item_name,
        window_number: facts.window_number,
        window_name,
        clerk,
        offset: local_time::offset(),
    };
    Ok(Report::of(&case, event, &facts).map(|report| report.to_json()))
}

/// The centre's code and its division (行政区划): its own, else its nearest ancestor's.
fn division(conn: &mut AnyConnection, center: &str) -> RepositoryResult<(String, Option<String>)> {
    let mut code = None;
    let mut current = Some(center.to_owned());
    // A loop in the tree is refused on write; the bound only keeps a bad row harmless.
    for _ in 0..32 {
        let Some(id) = current.take() else { break };
        let row: Option<(String, Option<String>, Option<String>)> = centers::table
            .find(&id)
            .select((centers::code, centers::parent_id, centers::division))
            .first(conn)
            .optional()
            .map_err(db)?;
        let Some((own_code, parent, division)) = row else {
            break;
        };
        let code = code.get_or_insert(own_code);
        if division.is_some() {
            return Ok((code.clone(), division));
        }
        current = parent;
    }
    Ok((code.unwrap_or_default(), None))
}
