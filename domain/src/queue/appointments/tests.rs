//! The appointment rules, each at its edges: booking until the slot starts, cancelling until
//! the cut-off, checking in from the early opening to the grace's end, no-show after it.

use chrono::{NaiveDateTime, TimeDelta, Utc};

use super::*;
use crate::ids::{CenterId, QueueId, ServiceItemId, TicketId};

/// A slot on Wednesday 2 December 2026 from 10:00 to 10:30 with two places.
fn slot() -> Slot {
    serde_json::from_value::<SlotInput>(serde_json::json!({
        "item_id": ServiceItemId::new(), "queue_id": QueueId::new(), "day": "2026-12-02",
        "starts_at": "10:00:00", "ends_at": "10:30:00", "capacity": 2
    }))
    .expect("input")
    .into_slots(CenterId::new(), Utc::now())
    .remove(0)
}

fn at(local: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(&format!("2026-12-02 {local}"), "%Y-%m-%d %H:%M:%S")
        .expect("local time")
}

#[test]
fn a_slot_takes_bookings_until_it_starts_and_while_places_are_free() {
    let rules = AppointmentRules::default();
    let mut slot = slot();
    assert_eq!(rules.can_book(&slot, at("09:59:59")), Ok(()));
    assert_eq!(
        rules.can_book(&slot, at("10:00:00")),
        Err(AppointmentError::SlotStarted)
    );
    slot.booked = 2;
    assert_eq!(
        rules.can_book(&slot, at("09:00:00")),
        Err(AppointmentError::SlotFull)
    );
    let (appointment, event) = Appointment::book(&slot, Utc::now());
    assert_eq!(appointment.status, AppointmentStatus::Booked);
    assert_eq!((appointment.version, appointment.day), (1, slot.day));
    assert_eq!(event.action, AppointmentAction::Book);
}

#[test]
fn cancelling_closes_at_the_cut_off_before_the_slot() {
    let rules = AppointmentRules::default();
    let slot = slot();
    let (booked, _) = Appointment::book(&slot, Utc::now());
    let (cancelled, event) = booked
        .cancel(&slot, &rules, Utc::now(), at("08:00:00"))
        .expect("two hours before");
    assert_eq!(cancelled.status, AppointmentStatus::Cancelled);
    assert_eq!(cancelled.version, 2);
    assert_eq!(event.action, AppointmentAction::Cancel);
    assert_eq!(
        booked.cancel(&slot, &rules, Utc::now(), at("08:00:01")),
        Err(AppointmentError::CancellationClosed {
            until: at("08:00:00")
        })
    );
    // A cut-off of 0 lets a citizen cancel up to the start.
    let any_time = AppointmentRules {
        cancel_before: TimeDelta::zero(),
        ..rules
    };
    assert!(
        booked
            .cancel(&slot, &any_time, Utc::now(), at("10:00:00"))
            .is_ok()
    );
    // Cancelled once is cancelled: a second is refused by the lifecycle.
    assert!(matches!(
        cancelled.cancel(&slot, &rules, Utc::now(), at("07:00:00")),
        Err(AppointmentError::NotAllowed {
            status: AppointmentStatus::Cancelled,
            ..
        })
    ));
}

#[test]
fn check_in_is_open_from_half_an_hour_before_to_the_grace_after_then_it_is_a_no_show() {
    let rules = AppointmentRules::default();
    let slot = slot();
    let (booked, _) = Appointment::book(&slot, Utc::now());
    let closed = Err(AppointmentError::CheckInClosed {
        opens: at("09:30:00"),
        closes: at("10:45:00"),
    });
    assert_eq!(booked.check_in_open(&slot, &rules, at("09:29:59")), closed);
    assert_eq!(booked.check_in_open(&slot, &rules, at("09:30:00")), Ok(()));
    assert_eq!(booked.check_in_open(&slot, &rules, at("10:45:00")), Ok(()));
    assert_eq!(booked.check_in_open(&slot, &rules, at("10:45:01")), closed);
    let ticket = TicketId::new();
    let (checked_in, event) = booked
        .check_in(&slot, &rules, Utc::now(), at("10:10:00"), ticket)
        .expect("in time");
    assert_eq!(checked_in.status, AppointmentStatus::CheckedIn);
    assert_eq!(checked_in.ticket_id, Some(ticket));
    assert_eq!(
        (event.action, event.ticket_id),
        (AppointmentAction::CheckIn, Some(ticket))
    );
    // Checked in once: neither a second check-in nor a cancellation.
    assert!(matches!(
        checked_in.check_in_open(&slot, &rules, at("10:10:00")),
        Err(AppointmentError::NotAllowed { .. })
    ));
    assert!(matches!(
        checked_in.cancel(&slot, &rules, Utc::now(), at("07:00:00")),
        Err(AppointmentError::NotAllowed { .. })
    ));
    // Never checked in: a no-show from the moment check-in closed, never before.
    assert_eq!(
        booked.standing(&slot, &rules, at("10:45:00")),
        AppointmentStatus::Booked
    );
    assert_eq!(
        booked.standing(&slot, &rules, at("10:45:01")),
        AppointmentStatus::NoShow
    );
    assert_eq!(
        checked_in.standing(&slot, &rules, at("18:00:00")),
        AppointmentStatus::CheckedIn
    );
}
