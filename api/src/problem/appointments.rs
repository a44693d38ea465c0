//! How the appointments' refusals read as problems. An appointment the kiosk cannot find
//! answers the same 404 whichever part — code, ID number, centre, day — was wrong.

use domain::queue::AppointmentError;
use domain::queue::appointments::workflow::AppointmentWorkflowError;

use super::ApiError;

/// The one answer for an appointment not found, whatever was wrong.
pub const NO_SUCH_APPOINTMENT: &str = "no appointment matches what was given";

impl From<AppointmentWorkflowError> for ApiError {
    fn from(error: AppointmentWorkflowError) -> Self {
        match error {
            AppointmentWorkflowError::NotFound => Self::NotFound(NO_SUCH_APPOINTMENT.into()),
            AppointmentWorkflowError::Refused(refused) => refused.into(),
            stale @ AppointmentWorkflowError::Stale => Self::StaleVersion(stale.to_string()),
            AppointmentWorkflowError::Invalid(errors) => Self::Invalid(errors),
            AppointmentWorkflowError::Calendar(error) => error.into(),
            AppointmentWorkflowError::Queue(error) => error.into(),
            AppointmentWorkflowError::Repository(error) => error.into(),
        }
    }
}

impl From<AppointmentError> for ApiError {
    fn from(refused: AppointmentError) -> Self {
        let detail = refused.to_string();
        match refused {
            AppointmentError::SlotFull
            | AppointmentError::SlotStarted
            | AppointmentError::ClosedDay => Self::SlotUnavailable(detail),
            AppointmentError::AlreadyBooked => Self::AlreadyBooked,
            AppointmentError::CancellationClosed { .. } => Self::CancellationClosed(detail),
            AppointmentError::CheckInClosed { .. } => Self::CheckInClosed(detail),
            AppointmentError::NotAllowed { .. } => Self::TransitionNotAllowed(detail),
        }
    }
}
