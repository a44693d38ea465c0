//! `/api/v1/supervision`: electronic supervision (电子监察) of open cases.

use actix_web::{get, post, web};
use chrono::NaiveDate;
use domain::ValidationErrors;
use domain::case::{Carded, CaseStatus, Wanted, Warning, warnings};
use domain::ids::{CaseId, CenterId, RatingId, ServiceItemId, WindowId};
use domain::permission::Permission;
use domain::rating::Rating;
use domain::repository::{CaseFilter, CaseRepository, RatingRepository};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Allowed, Identity, Supervise, window_in_reach};
use crate::json::Json;
use crate::parameters::Query;
use crate::problem::{ApiError, ApiResult, Problem};
use crate::routes::cases::center_and_beneath;
use crate::routes::{PageQuery, found};
use crate::state::AppState;

/// Which warnings to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct WarningQuery {
    /// Only this level.
    pub level: Option<Warning>,
    /// `true`: only the cases with a missing material whose promised date (容缺) has
    /// passed, whatever their card; not together with `level`.
    pub overdue_materials: Option<bool>,
    /// Only at this centre and the centres beneath it.
    pub center: Option<CenterId>,
    /// Only at this window.
    pub window: Option<WindowId>,
    /// How many cards, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    #[param(
        pattern = "^[0-9]{4}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])_[0-9]{4}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3])[0-5][0-9][0-5][0-9]\\.[0-9]{6}_[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
    )]
    pub after: Option<String>,
}

/// A missing material whose promised date (容缺) has passed.
#[derive(Debug, Serialize, ToSchema)]
pub struct OverdueMaterial {
    /// The material's name in the guide.
    pub name: String,
    /// The date it was promised by.
    pub due_on: NaiveDate,
}

/// An open case with a yellow or red card, or with a missing material whose promised date
/// has passed (容缺 overdue), or both. No personal data: analysts read this too.
#[derive(Debug, Serialize, ToSchema)]
pub struct WarningView {
    /// The card; `null` for a case listed only for an overdue material.
    pub warning: Option<Warning>,
    /// The missing materials whose promised date has passed (容缺逾期); empty when the case
    /// is listed for its card only.
    pub overdue_materials: Vec<OverdueMaterial>,
    /// Working days left (0 = due today); for yellow cards.
    pub days_left: Option<i64>,
    /// Working days past the deadline; for red cards.
    pub days_overdue: Option<i64>,
    /// The case.
    pub case_id: CaseId,
    /// Its number.
    pub case_no: String,
    /// Where it stands.
    pub status: CaseStatus,
    /// The service item.
    pub item_id: ServiceItemId,
    /// The window handling it.
    pub window_id: WindowId,
    /// That window's centre.
    pub center_id: CenterId,
    /// The local date of receipt.
    pub received_on: NaiveDate,
    /// The deadline.
    pub deadline: NaiveDate,
}

/// The warnings, most urgent first.
#[derive(Debug, Serialize, ToSchema)]
pub struct Warnings {
    /// The local date the cards were judged on.
    pub today: NaiveDate,
    /// Working days left at which a card turns yellow.
    pub yellow_days: u32,
    /// The cards, earliest deadline first (then by receipt).
    pub items: Vec<WarningView>,
    /// Pass as `after` to read the next page; `null` on the last one.
    pub next_cursor: Option<String>,
}

/// Open cases at yellow (at most `HALL_YELLOW_DAYS` working days left) or red (past the
/// deadline), and open cases missing a material whose promised date (容缺) has passed, most
/// urgent deadline first, a page at a time. A paused case's clock does not run: it gets no
/// card, but an overdue material lists it all the same.
#[utoipa::path(
    tag = "supervision", operation_id = "list_warnings", security(("bearer" = [])), params(WarningQuery),
    responses(
        (status = 200, body = Warnings),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "`invalid-cursor`: an `after` this list did not hand out", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation`: a `limit` out of 1–500; `level` together with `overdue_materials=true`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/supervision/warnings")]
pub async fn list_warnings(
    state: web::Data<AppState>,
    identity: Identity,
    query: Query<WarningQuery>,
) -> ApiResult<web::Json<Warnings>> {
    let own_window = identity.case_scope(Permission::ReadStatistics)?;
    let query = query.into_inner();
    let window_id = window_in_reach(
        own_window,
        query.window,
        "a clerk sees the warnings of their own window only",
    )?;
    let wanted = match (query.level, query.overdue_materials) {
        (Some(_), Some(true)) => {
            return Err(ValidationErrors::single(
                "overdue_materials",
                "ask for a level or for overdue materials, not both",
            )
            .into());
        }
        (None, Some(true)) => Some(Wanted::OverdueMaterials),
        (level, _) => level.map(Wanted::Level),
    };
    let page = PageQuery {
        limit: query.limit,
        after: query.after,
    }
    .request()?;
    let today = state.now().today;
    let yellow_days = state.settings.yellow_days;
    let calendars = state.calendars.clone();
    let page = state
        .read(move |conn| {
            let calendars = calendars.get(conn)?;
            let filter = CaseFilter {
                center_ids: center_and_beneath(conn, query.center)?,
                window_id,
                ..CaseFilter::default()
            };
            Ok(warnings(
                conn,
                &calendars,
                today,
                yellow_days,
                wanted,
                &filter,
                &page,
            )?)
        })
        .await?;
    Ok(web::Json(Warnings {
        today,
        yellow_days,
        items: page.items.into_iter().map(WarningView::new).collect(),
        next_cursor: page.next_cursor,
    }))
}

impl WarningView {
    fn new(carded: Carded) -> Self {
        let Carded {
            case,
            deadline,
            warning,
            days,
            overdue_materials,
        } = carded;
        Self {
            warning,
            overdue_materials: overdue_materials
                .into_iter()
                .filter_map(|m| {
                    m.due_on.map(|due_on| OverdueMaterial {
                        name: m.material.name,
                        due_on,
                    })
                })
                .collect(),
            days_left: (warning == Some(Warning::Yellow)).then_some(days),
            days_overdue: (warning == Some(Warning::Red)).then_some(days),
            case_id: case.id,
            case_no: case.case_no,
            status: case.status,
            item_id: case.item_id,
            window_id: case.window_id,
            center_id: case.center_id,
            received_on: case.received_on,
            deadline,
        }
    }
}

/// Which rectifications to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RectificationQuery {
    /// Only those still open (default true).
    pub open: Option<bool>,
}

/// A poor rating and its rectification.
#[derive(Debug, Serialize, ToSchema)]
pub struct RectificationView {
    /// The rating and its rectification (deadline, and once closed who, when and how).
    #[serde(flatten)]
    pub rating: Rating,
    /// The rated case's number.
    pub case_no: String,
    /// The window that handled it.
    pub window_id: WindowId,
    /// Whether the rectification is past its deadline and still open.
    pub overdue: bool,
}

/// The rectifications list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Rectifications {
    /// Earliest deadline first.
    pub items: Vec<RectificationView>,
}

/// Poor ratings (差评, 1–2) with their rectifications (整改), earliest deadline first.
///
/// For those who read cases (a clerk, their own window's); analysts get 403.
#[utoipa::path(
    tag = "supervision", operation_id = "list_rectifications", security(("bearer" = [])), params(RectificationQuery),
    responses((status = 200, body = Rectifications), (status = 403, body = Problem, content_type = "application/problem+json"))
)]
#[get("/supervision/ratings")]
pub async fn list_rectifications(
    state: web::Data<AppState>,
    identity: Identity,
    query: Query<RectificationQuery>,
) -> ApiResult<web::Json<Rectifications>> {
    // Each entry is one case's number and the citizen's own words about it: reading them is
    // reading a case (staff of the window and their supervisors), not statistics, which
    // analysts read as counts and shares in `/stats/summary`.
    let own_window = identity.case_scope(Permission::ReadCases)?;
    let open_only = query.open.unwrap_or(true);
    let today = state.now().today;
    let items = state
        .read(move |conn| {
            let windows = own_window.map(|w| vec![w]);
            let mut items = Vec::new();
            for rating in conn.rectifications(open_only, windows.as_deref())? {
                let case = found(conn.case(rating.case_id)?, "case")?;
                let overdue = rating
                    .rectification
                    .as_ref()
                    .is_some_and(|r| r.closed_at.is_none() && r.deadline < today);
                items.push(RectificationView {
                    rating,
                    case_no: case.case_no,
                    window_id: case.window_id,
                    overdue,
                });
            }
            Ok(items)
        })
        .await?;
    Ok(web::Json(Rectifications { items }))
}

/// How a rectification was done.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseBody {
    /// What was done about the complaint.
    pub note: String,
}

/// Closes a rectification with a note (supervisors and admins).
#[utoipa::path(
    tag = "supervision", operation_id = "close_rectification", security(("bearer" = [])), params(("id" = RatingId, Path)), request_body = CloseBody,
    responses(
        (status = 200, body = RectificationView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already closed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/supervision/ratings/{id}/close")]
pub async fn close_rectification(
    state: web::Data<AppState>,
    id: web::Path<RatingId>,
    allowed: Allowed<Supervise, Json<CloseBody>>,
) -> ApiResult<web::Json<RectificationView>> {
    let (identity, body) = (allowed.identity, allowed.inner);
    let note = body.into_inner().note;
    let mut errors = ValidationErrors::default();
    errors.text("note", &note, 2000);
    errors.into_result()?;
    let id = id.into_inner();
    let now = state.now();
    let view = state
        .write(move |conn| {
            let mut rating = found(conn.rating(id)?, "rating")?;
            let Some(fix) = rating.rectification.as_mut() else {
                return Err(ApiError::NotFound(
                    "this rating needs no rectification".into(),
                ));
            };
            if fix.closed_at.is_some() {
                return Err(ApiError::Conflict(
                    "this rectification is already closed".into(),
                ));
            }
            fix.closed_at = Some(now.at);
            fix.closed_by = Some(identity.user_id);
            fix.note = Some(note);
            conn.close_rectification(&rating)?;
            let case = found(conn.case(rating.case_id)?, "case")?;
            Ok(RectificationView {
                rating,
                case_no: case.case_no,
                window_id: case.window_id,
                overdue: false,
            })
        })
        .await?;
    Ok(web::Json(view))
}
