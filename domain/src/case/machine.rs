//! The lifecycle as one pure function: which action moves which state where.

use super::{ActionKind, CaseStatus};
use crate::catalogue::Handling;

/// The state after `action`, or `None` when the current state does not allow it.
/// `resume_to` is the state a paused case was paused from.
pub fn next_status(
    status: CaseStatus,
    handling: Handling,
    action: ActionKind,
    resume_to: Option<CaseStatus>,
) -> Option<CaseStatus> {
    use ActionKind as A;
    use CaseStatus as S;
    match (status, action) {
        (S::Accepted, A::Start) => Some(S::InProgress),
        (S::Accepted | S::InProgress, A::Pause) => Some(S::Paused),
        (S::Paused, A::Resume) => resume_to.filter(|s| s.clock_runs()),
        // An immediate case is decided at the window without a separate handling step.
        (S::Accepted, A::Complete) if handling == Handling::Immediate => Some(S::Completed),
        (S::InProgress, A::Complete) => Some(S::Completed),
        (S::Completed, A::Deliver) => Some(S::Delivered),
        (open, A::Withdraw | A::Extend | A::Transfer | A::ReceiveMaterials) if open.is_open() => {
            Some(if action == A::Withdraw {
                S::Withdrawn
            } else {
                open
            })
        }
        (finished, A::Rate) if finished.is_finished() => Some(finished),
        (open, A::Recompute) if open.is_open() => Some(open),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ActionKind as A;
    use CaseStatus as S;

    /// Every state × every action × both handlings, against the lifecycle in `docs/DESIGN.md`.
    #[test]
    fn every_state_and_action_is_decided_as_the_design_says() {
        for handling in Handling::ALL {
            for status in S::ALL {
                for action in A::ALL {
                    let resume_to = (status == S::Paused).then_some(S::InProgress);
                    let expected = match (status, action) {
                        (_, A::Accept | A::Refuse) => None,
                        (S::Accepted, A::Start) => Some(S::InProgress),
                        (S::Accepted | S::InProgress, A::Pause) => Some(S::Paused),
                        (S::Paused, A::Resume) => Some(S::InProgress),
                        (S::Accepted, A::Complete) => {
                            (handling == Handling::Immediate).then_some(S::Completed)
                        }
                        (S::InProgress, A::Complete) => Some(S::Completed),
                        (S::Completed, A::Deliver) => Some(S::Delivered),
                        (S::Accepted | S::InProgress | S::Paused, A::Withdraw) => {
                            Some(S::Withdrawn)
                        }
                        (
                            S::Accepted | S::InProgress | S::Paused,
                            A::Extend | A::Transfer | A::Recompute | A::ReceiveMaterials,
                        ) => Some(status),
                        (S::Completed | S::Delivered, A::Rate) => Some(status),
                        _ => None,
                    };
                    assert_eq!(
                        next_status(status, handling, action, resume_to),
                        expected,
                        "{handling:?} {status:?} {action:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_paused_case_resumes_where_it_was_paused() {
        let h = Handling::Committed;
        assert_eq!(
            next_status(S::Paused, h, A::Resume, Some(S::Accepted)),
            Some(S::Accepted)
        );
        assert_eq!(
            next_status(S::Paused, h, A::Resume, Some(S::InProgress)),
            Some(S::InProgress)
        );
        assert_eq!(next_status(S::Paused, h, A::Resume, None), None);
    }

    #[test]
    fn terminal_states_allow_nothing_but_delivery_and_rating() {
        for status in [S::NotAccepted, S::Withdrawn, S::Delivered] {
            for action in A::ALL {
                let allowed = next_status(status, Handling::Committed, action, None);
                assert!(
                    allowed.is_none() || (status == S::Delivered && action == A::Rate),
                    "{status:?} {action:?}"
                );
            }
        }
    }
}
