//! The public notice board (公示): recently finished cases.

use std::collections::HashMap;

use actix_web::{HttpRequest, get, web};
use chrono::NaiveDate;
use domain::case::{CaseStatus, Outcome};
use domain::ids::CenterId;
use domain::page::Page;
use domain::repository::{CaseRepository, ServiceItemRepository};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::parameters::Query;
use crate::problem::{ApiResult, Problem};
use crate::routes::PageQuery;
use crate::state::AppState;

/// A finished case on the board.
#[derive(Debug, Serialize, ToSchema)]
pub struct BoardEntry {
    /// The case number.
    pub case_no: String,
    /// The applicant's name, masked.
    pub applicant: String,
    /// The service item's name.
    pub item: String,
    /// Completed or delivered.
    pub status: CaseStatus,
    /// The local date of completion.
    pub completed_on: Option<NaiveDate>,
    /// The decision.
    pub outcome: Option<Outcome>,
    /// The decision in Chinese.
    pub outcome_label: Option<&'static str>,
}

/// Which centre's board, and which page of it.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct BoardQuery {
    /// Only the cases this centre handled, as its hall's screen shows them; every centre's
    /// when absent. A centre with none (or no such centre) has an empty board.
    pub center: Option<CenterId>,
    /// How many, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    #[param(
        pattern = "^[0-9]{4}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3])[0-5][0-9][0-5][0-9]\\.[0-9]{6}_[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
    )]
    pub after: Option<String>,
}

/// Recently completed cases, most recent first, with masked names; of one centre's hall
/// with `center`.
#[utoipa::path(
    tag = "public", operation_id = "get_public_board", params(BoardQuery),
    responses((status = 200, body = Page<BoardEntry>), (status = 429, body = Problem, content_type = "application/problem+json"))
)]
#[get("/public/board")]
pub async fn get_public_board(
    state: web::Data<AppState>,
    request: HttpRequest,
    query: Query<BoardQuery>,
) -> ApiResult<web::Json<Page<BoardEntry>>> {
    state.limits.check_public(&request)?;
    let BoardQuery {
        center,
        limit,
        after,
    } = query.into_inner();
    let page = PageQuery { limit, after }.request()?;
    let board = state
        .read_replica(move |conn| {
            let cases = conn.recently_completed(center, &page)?;
            let item_ids: Vec<_> = cases.items.iter().map(|c| c.item_id).collect();
            let items: HashMap<_, _> = conn
                .items_by_ids(&item_ids)?
                .into_iter()
                .map(|i| (i.id, i.name))
                .collect();
            let entries = cases
                .items
                .into_iter()
                .map(|case| BoardEntry {
                    applicant: case.applicant.masked_name(),
                    item: items.get(&case.item_id).cloned().unwrap_or_default(),
                    outcome_label: case.outcome.map(Outcome::label),
                    case_no: case.case_no,
                    status: case.status,
                    completed_on: case.completed_on,
                    outcome: case.outcome,
                })
                .collect();
            Ok(Page {
                items: entries,
                next_cursor: cases.next_cursor,
            })
        })
        .await?;
    Ok(web::Json(board))
}
