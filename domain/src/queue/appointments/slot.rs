//! Appointment slots (预约时段): so many places for one service item in a centre on one day
//! between two local times, and the queue whose ticket a checked-in booking becomes.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::ValidationErrors;
use crate::ids::{CenterId, QueueId, ServiceItemId, SlotId};

/// The most places one slot offers.
pub const MAX_CAPACITY: u32 = 999;

/// The most slots one request creates: a day cut into ten-minute slots from 08:00 to 18:00.
pub const MAX_SERIES: u32 = 60;

/// A slot (预约时段) of a centre: `capacity` places for one item between two local times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Slot {
    /// Its identifier.
    pub id: SlotId,
    /// The centre.
    pub center_id: CenterId,
    /// The service item booked.
    pub item_id: ServiceItemId,
    /// The queue a checked-in booking's ticket waits in.
    pub queue_id: QueueId,
    /// The centre's local day.
    pub day: NaiveDate,
    /// Local time it starts.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "09:00:00"))]
    pub starts_at: NaiveTime,
    /// Local time it ends.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "09:30:00"))]
    pub ends_at: NaiveTime,
    /// Places it offers.
    pub capacity: u32,
    /// Places taken by live bookings (booked or checked in).
    pub booked: u32,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

impl Slot {
    /// Places still free.
    pub fn free(&self) -> u32 {
        self.capacity.saturating_sub(self.booked)
    }

    /// Its start on the centre's clock.
    pub fn start(&self) -> NaiveDateTime {
        self.day.and_time(self.starts_at)
    }

    /// Its end on the centre's clock.
    pub fn end(&self) -> NaiveDateTime {
        self.day.and_time(self.ends_at)
    }

    /// Its end as a moment, for a hall `offset` hours from UTC.
    pub fn end_utc(&self, offset: FixedOffset) -> DateTime<Utc> {
        (self.end() - TimeDelta::seconds(i64::from(offset.local_minus_utc()))).and_utc()
    }
}

/// What a supervisor sends to offer slots: one, or a series of `repeat` back to back, each
/// as long as the first.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SlotInput {
    /// The service item booked; an active item of the catalogue.
    pub item_id: ServiceItemId,
    /// The centre's queue a checked-in booking's ticket waits in.
    pub queue_id: QueueId,
    /// The centre's local day: a working day of its calendar.
    pub day: NaiveDate,
    /// Local start of the (first) slot, `HH:MM:SS`.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "09:00:00"))]
    pub starts_at: NaiveTime,
    /// Local end of the (first) slot, after its start.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "09:30:00"))]
    pub ends_at: NaiveTime,
    /// Places each slot offers, 1 to 999.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 999))]
    pub capacity: u32,
    /// How many slots back to back, 1 (the default) to 60; the last must end the same day.
    #[serde(default = "one")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 60, default = 1))]
    pub repeat: u32,
}

fn one() -> u32 {
    1
}

impl SlotInput {
    /// Checks every field that needs no storage: capacity, times, the series.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        errors.date("day", Some(self.day));
        if !(1..=MAX_CAPACITY).contains(&self.capacity) {
            errors.add("capacity", format!("must be 1 to {MAX_CAPACITY}"));
        }
        if self.ends_at <= self.starts_at {
            errors.add("ends_at", "must be after starts_at");
        } else if !(1..=MAX_SERIES).contains(&self.repeat) {
            errors.add("repeat", format!("must be 1 to {MAX_SERIES}"));
        } else if self.series_end().is_none() {
            errors.add("repeat", "the last slot must end on the same day");
        }
        errors.into_result()
    }

    /// The end of the last slot of the series, when it falls on the same day.
    fn series_end(&self) -> Option<NaiveTime> {
        let length = self.ends_at - self.starts_at;
        let start = self.day.and_time(self.starts_at);
        let end = start + length * i32::try_from(self.repeat).ok()?;
        // A slot ending at midnight would end before it starts on the clock of its day.
        (end.date() == self.day).then(|| end.time())
    }

    /// The slots, back to back, none booked; call after [`Self::validate`].
    pub fn into_slots(self, center: CenterId, now: DateTime<Utc>) -> Vec<Slot> {
        let length = self.ends_at - self.starts_at;
        (0..self.repeat)
            .map(|i| {
                let starts_at = self.starts_at + length * i32::try_from(i).unwrap_or(0);
                Slot {
                    id: SlotId::new(),
                    center_id: center,
                    item_id: self.item_id,
                    queue_id: self.queue_id,
                    day: self.day,
                    starts_at,
                    ends_at: starts_at + length,
                    capacity: self.capacity,
                    booked: 0,
                    created_at: now,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(starts: &str, ends: &str, capacity: u32, repeat: u32) -> SlotInput {
        serde_json::from_value(serde_json::json!({
            "item_id": ServiceItemId::new(), "queue_id": QueueId::new(), "day": "2026-12-02",
            "starts_at": starts, "ends_at": ends, "capacity": capacity, "repeat": repeat
        }))
        .expect("slot input")
    }

    fn fields(input: &SlotInput) -> Vec<String> {
        input
            .validate()
            .err()
            .map(|e| e.errors.into_iter().map(|f| f.field).collect())
            .unwrap_or_default()
    }

    #[test]
    fn a_series_is_cut_back_to_back_from_the_first_slot() {
        let series = input("09:00:00", "09:30:00", 4, 3);
        assert_eq!(fields(&series), Vec::<String>::new());
        let slots = series.into_slots(CenterId::new(), Utc::now());
        let times: Vec<String> = slots
            .iter()
            .map(|s| {
                format!(
                    "{}-{}",
                    s.starts_at.format("%H:%M"),
                    s.ends_at.format("%H:%M")
                )
            })
            .collect();
        assert_eq!(times, ["09:00-09:30", "09:30-10:00", "10:00-10:30"]);
        assert!(slots.iter().all(|s| s.capacity == 4 && s.booked == 0));
        assert_eq!(slots[0].free(), 4);
        let plus8 = FixedOffset::east_opt(8 * 3600).expect("offset");
        assert_eq!(
            slots[0].end_utc(plus8).to_rfc3339(),
            "2026-12-02T01:30:00+00:00"
        );
    }

    #[test]
    fn capacity_times_and_series_are_checked() {
        assert_eq!(fields(&input("09:00:00", "09:30:00", 0, 1)), ["capacity"]);
        assert_eq!(
            fields(&input("09:00:00", "09:30:00", 1000, 1)),
            ["capacity"]
        );
        assert_eq!(fields(&input("09:00:00", "09:00:00", 1, 1)), ["ends_at"]);
        assert_eq!(fields(&input("10:00:00", "09:00:00", 1, 1)), ["ends_at"]);
        assert_eq!(fields(&input("09:00:00", "09:10:00", 1, 0)), ["repeat"]);
        assert_eq!(fields(&input("09:00:00", "09:10:00", 1, 61)), ["repeat"]);
        assert_eq!(fields(&input("20:00:00", "22:00:00", 1, 3)), ["repeat"]);
        assert_eq!(fields(&input("20:00:00", "22:00:00", 1, 2)), ["repeat"]);
        assert_eq!(
            fields(&input("20:00:00", "21:00:00", 1, 3)),
            Vec::<String>::new()
        );
    }
}
