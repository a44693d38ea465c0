//! How the refusals of notices read as problems.

use domain::notice::NoticeError;
use domain::notice::workflow::NoticeWorkflowError;

use super::ApiError;

impl From<NoticeWorkflowError> for ApiError {
    fn from(error: NoticeWorkflowError) -> Self {
        match error {
            NoticeWorkflowError::NotFound(what) => Self::NotFound(what.into()),
            NoticeWorkflowError::Forbidden(why) => Self::Forbidden(why),
            stale @ NoticeWorkflowError::Stale => Self::StaleVersion(stale.to_string()),
            NoticeWorkflowError::Notice(refused @ NoticeError::NotApplicable { .. }) => {
                Self::NoticeNotApplicable(refused.to_string())
            }
            NoticeWorkflowError::Notice(void @ NoticeError::AlreadyVoid(_)) => {
                Self::NoticeVoided(void.to_string())
            }
            // The template was checked when it was kept: failing now is a fault of ours.
            NoticeWorkflowError::Notice(NoticeError::Template(why)) => Self::Internal(why),
            NoticeWorkflowError::Invalid(errors) => Self::Invalid(errors),
            NoticeWorkflowError::Repository(error) => error.into(),
        }
    }
}
