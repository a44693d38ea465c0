//! How the queue's refusals read as problems.

use domain::queue::workflow::QueueWorkflowError;
use domain::queue::{IssueError, SessionError, TicketError};

use super::ApiError;

impl From<QueueWorkflowError> for ApiError {
    fn from(error: QueueWorkflowError) -> Self {
        match error {
            QueueWorkflowError::NotFound => {
                Self::NotFound("no such queue, ticket or window".into())
            }
            QueueWorkflowError::Forbidden(why) => Self::Forbidden(why),
            stale @ QueueWorkflowError::Stale { .. } => Self::StaleVersion(stale.to_string()),
            QueueWorkflowError::Issue(IssueError::AlreadyHolding) => Self::TicketHeld,
            QueueWorkflowError::Issue(refused) => Self::TicketsUnavailable(refused.to_string()),
            QueueWorkflowError::Ticket(TicketError::Invalid(errors)) => Self::Invalid(errors),
            QueueWorkflowError::Ticket(
                bad @ (TicketError::BadRedirect | TicketError::InactiveQueue),
            ) => Self::Unprocessable(bad.to_string()),
            QueueWorkflowError::Ticket(refused) => Self::TransitionNotAllowed(refused.to_string()),
            QueueWorkflowError::Session(SessionError::Invalid(errors)) => Self::Invalid(errors),
            QueueWorkflowError::Session(refused) => Self::WindowNotOpen(refused.to_string()),
            QueueWorkflowError::WindowNotOpen => Self::WindowNotOpen(error.to_string()),
            QueueWorkflowError::NobodyWaiting => Self::NobodyWaiting,
            QueueWorkflowError::Invalid(errors) => Self::Invalid(errors),
            QueueWorkflowError::Calendar(error) => error.into(),
            QueueWorkflowError::Repository(error) => error.into(),
        }
    }
}
