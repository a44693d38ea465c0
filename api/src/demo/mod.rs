//! `hall demo`: the demo hall of the 2012 report, loaded into an empty database in one
//! transaction — the catalogue through the repositories, the cases and a synthetic queue
//! history around them in bulk.

mod cases;
mod catalogue;
mod queue;

use chrono::Utc;
use domain::clock::stored_moment;
use domain::ids::UserId;
use domain::page::PageRequest;
use domain::repository::{
    CenterRepository, DepartmentRepository, QueueRepository, ServiceItemRepository, UserRepository,
    WindowRepository,
};
use domain::user::{Role, UserInput};
use serde::Serialize;

pub use cases::{COMMITTED, COMPLETED_BY_SEPTEMBER, IMMEDIATE, RECEIVED};
pub use catalogue::{DAYS_CUT, REGION, STEPS_REMOVED};

use crate::auth::password;
use crate::problem::ApiError;
use crate::state::{AppState, calendars};

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "demo password 2012";

/// What the demo loaded.
#[derive(Debug, Serialize)]
pub struct DemoReport {
    /// Centres.
    pub centers: usize,
    /// Departments.
    pub departments: usize,
    /// Service items.
    pub items: usize,
    /// Windows.
    pub windows: usize,
    /// Accounts: a clerk per window (`clerk01` …), `supervisor` and `analyst`.
    pub users: Vec<String>,
    /// Their shared password.
    pub password: &'static str,
    /// Cases.
    pub cases: usize,
    /// Queue tickets (synthetic: see `demo::queue`).
    pub tickets: usize,
}

/// Loads the demo hall. Refused when the database already holds a catalogue.
pub fn load(state: &AppState, seed: u64) -> Result<DemoReport, ApiError> {
    let hash = password::hash(DEMO_PASSWORD).map_err(ApiError::Internal)?;
    let now = stored_moment(Utc::now());
    let catalogue = catalogue::catalogue(now);
    state.store.transaction(|conn| {
        if !conn
            .centers(&PageRequest {
                limit: 1,
                after: None,
            })?
            .items
            .is_empty()
        {
            return Err(ApiError::Conflict(
                "the database already holds a catalogue; the demo loads into an empty one".into(),
            ));
        }
        for center in &catalogue.centers {
            conn.insert_center(center)?;
        }
        for department in &catalogue.departments {
            conn.insert_department(department)?;
        }
        for item in &catalogue.items {
            conn.insert_item(item)?;
        }
        for window in &catalogue.windows {
            conn.insert_window(window)?;
        }
        let mut users = Vec::new();
        let mut account = |conn: &mut persistence::AnyConnection,
                           username: String,
                           display: String,
                           role: Role,
                           window_id| {
            let user = UserInput {
                username: username.clone(),
                display_name: display,
                role,
                window_id,
            }
            .into_user(UserId::new(), now);
            conn.insert_user(&user, &hash)?;
            users.push(username);
            Ok::<_, ApiError>(user.id)
        };
        let mut clerks = Vec::new();
        for window in &catalogue.windows {
            let id = account(
                conn,
                format!("clerk{:02}", window.number),
                format!("{}号窗口工作人员", window.number),
                Role::Clerk,
                Some(window.id),
            )?;
            clerks.push(id);
        }
        let supervisor = account(
            conn,
            "supervisor".into(),
            "监察室负责人".into(),
            Role::Supervisor,
            None,
        )?;
        account(
            conn,
            "analyst".into(),
            "统计分析员".into(),
            Role::Analyst,
            None,
        )?;
        let staff = cases::Staff { clerks, supervisor };
        let calendars = calendars(conn)?;
        let calendar = calendars.for_division(catalogue.centers[0].division.as_ref());
        let (batch, visits) = cases::generate(
            seed,
            &catalogue,
            &staff,
            calendar,
            &state.query_codes,
            state.settings.utc_offset,
        )
        .map_err(ApiError::Internal)?;
        batch.write(conn)?;
        let history = queue::history(
            seed,
            &catalogue,
            &staff,
            &visits,
            state.settings.utc_offset,
            now,
        )
        .map_err(ApiError::Internal)?;
        for queue in &history.queues {
            conn.insert_queue(queue)?;
        }
        let tickets = history.batch.tickets();
        history.batch.write(conn)?;
        let report = DemoReport {
            centers: catalogue.centers.len(),
            departments: catalogue.departments.len(),
            items: catalogue.items.len(),
            windows: catalogue.windows.len(),
            users,
            password: DEMO_PASSWORD,
            cases: RECEIVED,
            tickets,
        };
        crate::audit::audit(
            conn,
            now,
            None,
            domain::audit::AuditAction::DemoLoad,
            seed,
            None::<&DemoReport>,
            Some(&report),
        )?;
        Ok(report)
    })
}
