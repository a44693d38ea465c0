//! The body of a message to the SMS gateway: the facts of the applicant's text, fixed when
//! the event happens ([`TextFacts`]), never the phone itself nor the query code; and the one
//! read of the phone, sealed, when the dispatcher sends.

use diesel::prelude::*;
use domain::case::EventDetails;
use domain::ids::{CaseId, TicketId};
use domain::outbox::{News, TicketNews};
use domain::repository::{CaseRepository, RepositoryResult};
use domain::sms::{CaseContext, Recipient, SmsRecipients, TEXTED, TextFacts};

use super::news::Facts;
use crate::AnyConnection;
use crate::error::db;
use crate::personal;
use crate::repositories::{appointments, cases as case_rows};
use crate::schema::{appointments as appointment_table, cases, centers, queues, service_items};

/// The text `news` makes for its applicant; `None` when the kind is not texted, the
/// applicant declined texts or has no phone any more.
pub(super) fn body(
    conn: &mut AnyConnection,
    news: &News,
    facts: &Facts,
) -> RepositoryResult<Option<String>> {
    if !TEXTED.contains(&news.kind) {
        return Ok(None);
    }
    let Some(case) = conn.case(news.case_id)? else {
        return Ok(None);
    };
    if case.applicant.sms_opt_out || case.applicant.phone.is_empty() {
        return Ok(None);
    }
    let center_name = center_name(conn, &case.center_id.to_string())?;
    let item_name: String = service_items::table
        .find(case.item_id.to_string())
        .select(service_items::name)
        .first(conn)
        .optional()
        .map_err(db)?
        .unwrap_or_default();
    let pause_note = match news.kind {
        domain::outbox::EventKind::CasePaused => conn
            .case_events(case.id)?
            .into_iter()
            .find(|e| e.id == news.event_id)
            .and_then(|e| match e.payload {
                EventDetails::Pause { note, .. } => Some(note),
                _ => None,
            }),
        _ => None,
    };
    let context = CaseContext {
        center_name: &center_name,
        item_name: &item_name,
        window_number: facts.window_number,
        pause_note: pause_note.as_deref(),
    };
    TextFacts::of_case(news.kind, &case, context)
        .map(|text| serde_json::to_string(&text).map_err(internal))
        .transpose()
}

/// The text a ticket's news makes for its holder: only a ticket checked in from a booking
/// has a phone; a kiosk ticket has none and gets nothing.
pub(super) fn ticket_body(
    conn: &mut AnyConnection,
    news: &TicketNews,
) -> RepositoryResult<Option<String>> {
    let booked: i64 = appointment_table::table
        .filter(appointment_table::ticket_id.eq(news.ticket_id.to_string()))
        .filter(appointment_table::phone_sealed.ne(""))
        .filter(appointment_table::sms_opt_out.eq(false))
        .count()
        .get_result(conn)
        .map_err(db)?;
    if booked == 0 {
        return Ok(None);
    }
    let center_name = center_name(conn, &news.center_id.to_string())?;
    let queue_name: String = queues::table
        .find(news.queue_id.to_string())
        .select(queues::name)
        .first(conn)
        .optional()
        .map_err(db)?
        .unwrap_or_default();
    TextFacts::of_ticket(news, &center_name, &queue_name)
        .map(|text| serde_json::to_string(&text).map_err(internal))
        .transpose()
}

fn center_name(conn: &mut AnyConnection, id: &str) -> RepositoryResult<String> {
    Ok(centers::table
        .find(id)
        .select(centers::name)
        .first(conn)
        .optional()
        .map_err(db)?
        .unwrap_or_default())
}

fn internal(error: serde_json::Error) -> domain::repository::RepositoryError {
    domain::repository::RepositoryError::Internal(format!("an SMS body: {error}"))
}

impl SmsRecipients for AnyConnection {
    fn sms_recipient(
        &mut self,
        case: Option<CaseId>,
        ticket: Option<TicketId>,
    ) -> RepositoryResult<Recipient> {
        if let Some(case) = case {
            let row = case.to_string();
            let found: Option<(bool, Option<String>)> = cases::table
                .find(&row)
                .select((cases::sms_opt_out, cases::applicant_phone_sealed))
                .first(self)
                .optional()
                .map_err(db)?;
            return Ok(match found {
                None | Some((false, None)) => Recipient::Unknown,
                Some((true, _)) => Recipient::OptedOut,
                Some((false, Some(sealed))) => {
                    Recipient::Phone(personal::keys()?.open(&row, case_rows::PHONE, &sealed)?)
                }
            });
        }
        let Some(ticket) = ticket else {
            return Ok(Recipient::Unknown);
        };
        let found: Option<(String, String, bool)> = appointment_table::table
            .filter(appointment_table::ticket_id.eq(ticket.to_string()))
            .select((
                appointment_table::id,
                appointment_table::phone_sealed,
                appointment_table::sms_opt_out,
            ))
            .first(self)
            .optional()
            .map_err(db)?;
        Ok(match found {
            Some((_, _, true)) => Recipient::OptedOut,
            Some((row, sealed, false)) if !sealed.is_empty() => {
                Recipient::Phone(personal::keys()?.open(&row, appointments::PHONE, &sealed)?)
            }
            _ => Recipient::Unknown,
        })
    }

    fn set_sms_opt_out(&mut self, case: CaseId, opt_out: bool) -> RepositoryResult<bool> {
        let updated = diesel::update(cases::table.find(case.to_string()))
            .set(cases::sms_opt_out.eq(opt_out))
            .execute(self)
            .map_err(db)?;
        Ok(updated == 1)
    }
}
