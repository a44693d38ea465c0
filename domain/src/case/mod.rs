//! Cases (办件): intake at a window, the lifecycle's state machine, the deadline clock that
//! explains itself, and supervision warnings.

mod action;
mod applicant;
mod clock;
mod details;
mod event;
#[cfg(test)]
pub(crate) mod fixtures;
mod intake;
mod machine;
mod materials;
mod model;
mod number;
pub mod recompute;
mod result;
mod status;
mod warning;
pub mod workflow;

pub use action::{
    Action, ActionKind, MAX_EXTENSION_DAYS_EACH, Outcome, PauseReason, extension_allowance,
};
pub use applicant::{Applicant, ApplicantKind, IdType, PHONE_PATTERN, is_phone, is_resident_id};
pub use clock::{DeadlineClock, DeadlineExplanation, ExplainedPause, Extension, Pause};
pub use details::EventDetails;
pub use event::CaseEvent;
pub use intake::{Intake, IntakeDecision, IntakeMaterials, Unnumbered};
pub use machine::next_status;
pub use materials::{
    CaseMaterial, CaseMaterials, DeferredMaterial, MaterialState, MaterialsAtIntake, validate_names,
};
pub use model::{Case, CaseError, Performed};
pub use number::{CaseNumberError, case_number, normalise_typed};
pub use result::{Certificate, Fee, MAX_FEE_FEN, MAX_FEES, ResultCode, validate_result};
pub use status::CaseStatus;
pub use warning::{
    Carded, Wanted, Warning, WarningsError, due_windows, warning_for, warnings, yellow_horizon,
};
