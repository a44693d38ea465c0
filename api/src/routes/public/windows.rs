//! Which window handles what, at the kiosk.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, get, web};
use domain::catalogue::WindowKind;
use domain::repository::{CenterRepository, ServiceItemRepository, WindowRepository};
use serde::Serialize;
use utoipa::ToSchema;

use super::with_etag;
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;

/// An item a window handles.
#[derive(Debug, Serialize, ToSchema)]
pub struct WindowItem {
    /// The item's code.
    pub code: String,
    /// Its name.
    pub name: String,
}

/// A window as the kiosk lists it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicWindow {
    /// The number above the counter.
    pub number: u32,
    /// Its name.
    pub name: String,
    /// Permanent, proxy or comprehensive.
    pub kind: WindowKind,
    /// Whether it is open.
    pub open: bool,
    /// The items it handles.
    pub items: Vec<WindowItem>,
}

/// A centre with its windows.
#[derive(Debug, Serialize, ToSchema)]
pub struct CenterWindows {
    /// The centre's code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its windows, by number.
    pub windows: Vec<PublicWindow>,
}

/// Every centre's windows.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicWindows {
    /// The centres that have windows, by code.
    pub centers: Vec<CenterWindows>,
}

/// The windows, grouped by centre, with kind, number, name, whether open, and the items
/// each handles. Answers with an `ETag`; `If-None-Match` with the current one gets `304`.
#[utoipa::path(
    tag = "public", operation_id = "list_public_windows",
    responses(
        (status = 200, body = PublicWindows, headers(("ETag" = String))),
        (status = 304, description = "Unchanged since the ETag in If-None-Match"),
        (status = 429, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/public/windows")]
pub async fn list_public_windows(
    state: web::Data<AppState>,
    request: HttpRequest,
) -> ApiResult<HttpResponse> {
    state.limits.check_public(&request)?;
    let listing = state
        .read_replica(|conn| {
            let windows = conn.all_windows()?;
            let item_ids: Vec<_> = windows
                .iter()
                .flat_map(|w| w.item_ids.iter().copied())
                .collect();
            let items: HashMap<_, _> = conn
                .items_by_ids(&item_ids)?
                .into_iter()
                .map(|i| (i.id, i))
                .collect();
            let mut by_center: HashMap<_, Vec<PublicWindow>> = HashMap::new();
            for window in windows {
                let listed = window
                    .item_ids
                    .iter()
                    .filter_map(|id| items.get(id))
                    .filter(|item| item.active)
                    .map(|item| WindowItem {
                        code: item.code.clone(),
                        name: item.name.clone(),
                    })
                    .collect();
                by_center
                    .entry(window.center_id)
                    .or_default()
                    .push(PublicWindow {
                        number: window.number,
                        name: window.name,
                        kind: window.kind,
                        open: window.active,
                        items: listed,
                    });
            }
            let centers = conn
                .all_centers()?
                .into_iter()
                .filter_map(|center| {
                    let mut windows = by_center.remove(&center.id)?;
                    windows.sort_by_key(|w| w.number);
                    Some(CenterWindows {
                        code: center.code,
                        name: center.name,
                        windows,
                    })
                })
                .collect();
            Ok(PublicWindows { centers })
        })
        .await?;
    with_etag(&request, &listing)
}
