//! The service guide (办事指南) at the kiosk.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use actix_web::{HttpRequest, HttpResponse, get, web};
use domain::catalogue::{Category, Handling, Material, ServiceItem};
use domain::ids::DepartmentId;
use domain::page::Page;
use domain::repository::{
    CenterRepository, DepartmentRepository, ItemSearch, ServiceItemRepository, WindowRepository,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::with_etag;
use crate::parameters::Query;
use crate::problem::{ApiError, ApiResult, Problem};
use crate::routes::{PageQuery, found};
use crate::state::AppState;

/// What to look for in the guide.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct GuideQuery {
    /// A part of the item's name or code, e.g. 婚姻.
    pub q: Option<String>,
    /// Only of this department.
    pub department: Option<DepartmentId>,
    /// Only of this category.
    pub category: Option<Category>,
    /// How many, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    #[param(pattern = "^[A-Za-z0-9_-]{1,32}$")]
    pub after: Option<String>,
}

/// An item in the guide's list.
#[derive(Debug, Serialize, ToSchema)]
pub struct GuideEntry {
    /// The item's code; open `/public/items/{code}` for the whole guide.
    pub code: String,
    /// Its name.
    pub name: String,
    /// The department's name.
    pub department: String,
    /// Its legal nature.
    pub category: Category,
    /// Immediate or committed.
    pub handling: Handling,
    /// 法定时限, working days.
    pub statutory_days: u32,
    /// 承诺时限, working days.
    pub promised_days: u32,
}

/// A window that handles an item.
#[derive(Debug, Serialize, ToSchema)]
pub struct HandlingWindow {
    /// The centre's name.
    pub center: String,
    /// The number above the counter.
    pub number: u32,
    /// The counter's name.
    pub name: String,
}

/// The whole guide of one item.
#[derive(Debug, Serialize, ToSchema)]
pub struct Guide {
    /// The item with every guide field: conditions, materials, procedure, time limits, fee
    /// and its basis, legal basis, rights and remedies, contact and complaint channel.
    #[serde(flatten)]
    pub item: ServiceItem,
    /// The department's name.
    pub department: String,
    /// 法定时限 − 承诺时限: the working days the hall's promise cuts.
    pub days_cut: u32,
    /// The open windows that handle it.
    pub windows: Vec<HandlingWindow>,
    /// Each material as the printed guide lists it, e.g.
    /// `申请人有效身份证件（原件及复印件，1份；必交）` or `相关资质证明材料（复印件，1份；必交，可容缺后补）`.
    pub material_lines: Vec<String>,
}

/// Searches the service guide by name or code (Chinese substrings too), department and
/// category.
#[utoipa::path(
    tag = "public", operation_id = "list_public_items", params(GuideQuery),
    responses((status = 200, body = Page<GuideEntry>), (status = 429, body = Problem, content_type = "application/problem+json"))
)]
#[get("/public/items")]
pub async fn list_public_items(
    state: web::Data<AppState>,
    request: HttpRequest,
    query: Query<GuideQuery>,
) -> ApiResult<web::Json<Page<GuideEntry>>> {
    state.limits.check_public(&request)?;
    let query = query.into_inner();
    let page = PageQuery {
        limit: query.limit,
        after: query.after,
    }
    .request()?;
    let search = ItemSearch {
        q: query.q,
        department_id: query.department,
        category: query.category,
    };
    let entries = state
        .read_replica(move |conn| {
            let items = conn.search_items(&search, &page)?;
            let mut departments: HashMap<_, String> = HashMap::new();
            let mut entries = Vec::with_capacity(items.items.len());
            for item in items.items {
                let department = match departments.entry(item.department_id) {
                    Entry::Occupied(known) => known.get().clone(),
                    Entry::Vacant(slot) => {
                        let name = conn.department(item.department_id)?.map(|d| d.name);
                        slot.insert(name.unwrap_or_default()).clone()
                    }
                };
                entries.push(GuideEntry {
                    department,
                    code: item.code,
                    name: item.name,
                    category: item.category,
                    handling: item.handling,
                    statutory_days: item.statutory_days,
                    promised_days: item.promised_days,
                });
            }
            Ok(Page {
                items: entries,
                next_cursor: items.next_cursor,
            })
        })
        .await?;
    Ok(web::Json(entries))
}

/// The whole guide of one item, with the windows that handle it. Answers with an `ETag`;
/// `If-None-Match` with the current one gets `304`.
#[utoipa::path(
    tag = "public", operation_id = "get_public_item", params(("code" = String, Path)),
    responses(
        (status = 200, body = Guide, headers(("ETag" = String))),
        (status = 304, description = "Unchanged since the ETag in If-None-Match"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/public/items/{code}")]
pub async fn get_public_item(
    state: web::Data<AppState>,
    request: HttpRequest,
    code: web::Path<String>,
) -> ApiResult<HttpResponse> {
    state.limits.check_public(&request)?;
    let code = code.into_inner();
    let guide = state
        .read_replica(move |conn| {
            let item = found(
                conn.item_by_code(&code)?.filter(|i| i.active),
                "service item",
            )?;
            let department = conn
                .department(item.department_id)?
                .map(|d| d.name)
                .unwrap_or_default();
            let centers: HashMap<_, _> = conn
                .all_centers()?
                .into_iter()
                .map(|c| (c.id, c.name))
                .collect();
            let windows = conn
                .all_windows()?
                .into_iter()
                .filter(|w| w.active && w.serves(item.id))
                .map(|w| HandlingWindow {
                    center: centers.get(&w.center_id).cloned().unwrap_or_default(),
                    number: w.number,
                    name: w.name,
                })
                .collect();
            Ok::<_, ApiError>(Guide {
                days_cut: item.days_cut(),
                material_lines: item.materials.iter().map(Material::describe).collect(),
                item,
                department,
                windows,
            })
        })
        .await?;
    with_etag(&request, &guide)
}
