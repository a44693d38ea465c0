//! The rows of the statistics tables: a fine row to insert, and a group's sums read back.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use domain::repository::StatsKey;
use domain::stats::{Counters, StatDelta};

use crate::schema::case_stats;

#[derive(Insertable)]
#[diesel(table_name = case_stats)]
pub(crate) struct StatsRow {
    pub(super) received_on: chrono::NaiveDate,
    pub(super) effective_on: chrono::NaiveDate,
    pub(super) center_id: String,
    pub(super) window_id: String,
    pub(super) item_id: String,
    pub(super) department_id: String,
    pub(super) clerk_id: String,
    pub(super) received: i64,
    pub(super) immediate: i64,
    pub(super) committed: i64,
    pub(super) not_accepted: i64,
    pub(super) completed: i64,
    pub(super) completed_on_time: i64,
    pub(super) withdrawn: i64,
    pub(super) overdue_open: i64,
    pub(super) rated: i64,
    pub(super) rating_sum: i64,
    pub(super) rated_poor: i64,
    pub(super) region: String,
    pub(super) rated_1: i64,
    pub(super) rated_2: i64,
    pub(super) rated_3: i64,
    pub(super) rated_4: i64,
    pub(super) rated_5: i64,
}

impl StatsRow {
    pub(crate) fn new(key: &StatsKey, delta: &StatDelta) -> Self {
        let c = delta.counters;
        Self {
            region: key.region.clone(),
            received_on: key.received_on,
            effective_on: delta.effective_on,
            center_id: key.center_id.to_string(),
            window_id: key.window_id.to_string(),
            item_id: key.item_id.to_string(),
            department_id: key.department_id.to_string(),
            clerk_id: key.clerk_id.to_string(),
            received: c.received,
            immediate: c.immediate,
            committed: c.committed,
            not_accepted: c.not_accepted,
            completed: c.completed,
            completed_on_time: c.completed_on_time,
            withdrawn: c.withdrawn,
            overdue_open: c.overdue_open,
            rated: c.rated,
            rating_sum: c.rating_sum,
            rated_poor: c.rated_poor,
            rated_1: c.rated_levels[0],
            rated_2: c.rated_levels[1],
            rated_3: c.rated_levels[2],
            rated_4: c.rated_levels[3],
            rated_5: c.rated_levels[4],
        }
    }
}

#[derive(QueryableByName)]
pub(super) struct GroupRow {
    #[diesel(sql_type = Text)]
    grp: String,
    #[diesel(sql_type = BigInt)]
    received: i64,
    #[diesel(sql_type = BigInt)]
    immediate: i64,
    #[diesel(sql_type = BigInt)]
    committed: i64,
    #[diesel(sql_type = BigInt)]
    not_accepted: i64,
    #[diesel(sql_type = BigInt)]
    completed: i64,
    #[diesel(sql_type = BigInt)]
    completed_on_time: i64,
    #[diesel(sql_type = BigInt)]
    withdrawn: i64,
    #[diesel(sql_type = BigInt)]
    overdue_open: i64,
    #[diesel(sql_type = BigInt)]
    rated: i64,
    #[diesel(sql_type = BigInt)]
    rating_sum: i64,
    #[diesel(sql_type = BigInt)]
    rated_poor: i64,
    #[diesel(sql_type = BigInt)]
    rated_1: i64,
    #[diesel(sql_type = BigInt)]
    rated_2: i64,
    #[diesel(sql_type = BigInt)]
    rated_3: i64,
    #[diesel(sql_type = BigInt)]
    rated_4: i64,
    #[diesel(sql_type = BigInt)]
    rated_5: i64,
}

impl GroupRow {
    pub(super) fn into_pair(self) -> (String, Counters) {
        let counters = Counters {
            received: self.received,
            immediate: self.immediate,
            committed: self.committed,
            not_accepted: self.not_accepted,
            completed: self.completed,
            completed_on_time: self.completed_on_time,
            withdrawn: self.withdrawn,
            overdue_open: self.overdue_open,
            rated: self.rated,
            rating_sum: self.rating_sum,
            rated_poor: self.rated_poor,
            rated_levels: [
                self.rated_1,
                self.rated_2,
                self.rated_3,
                self.rated_4,
                self.rated_5,
            ],
        };
        (self.grp, counters)
    }
}
