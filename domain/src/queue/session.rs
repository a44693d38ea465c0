//! A window's session (窗口状态): open, paused with a reason, or closed; only an open window
//! is called to, and the time each clerk spent open and paused is kept as spans.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ValidationErrors;
use crate::ids::{UserId, WindowId};

/// Whether a window takes people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SessionState {
    /// A clerk is behind it and calls.
    Open,
    /// A clerk holds it but calls no one (a break, a meeting): the reason is shown.
    Paused,
    /// Nobody is behind it.
    Closed,
}

impl SessionState {
    /// Every state.
    pub const ALL: [SessionState; 3] = [Self::Open, Self::Paused, Self::Closed];

    /// The stored and serialized name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Paused => "paused",
            Self::Closed => "closed",
        }
    }

    /// The state with this stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

/// A window's session now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WindowSession {
    /// The window.
    pub window_id: WindowId,
    /// The clerk holding it while open or paused.
    pub clerk_id: Option<UserId>,
    /// Whether it takes people.
    pub state: SessionState,
    /// Why it is paused.
    pub reason: Option<String>,
    /// Since when it is in this state.
    pub since: DateTime<Utc>,
    /// Bumped by every change.
    pub version: i64,
}

/// What a clerk sends to open, pause or close their window.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WindowSessionInput {
    /// The state wanted.
    pub state: SessionState,
    /// Why, when pausing (required then, refused otherwise).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub reason: Option<String>,
}

/// A stretch of time a clerk held a window open or paused: the figures add these up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSpan {
    /// The window.
    pub window_id: WindowId,
    /// The clerk.
    pub clerk_id: UserId,
    /// Open or paused.
    pub state: SessionState,
    /// Why, when paused.
    pub reason: Option<String>,
    /// When it began.
    pub from: DateTime<Utc>,
    /// When it ended.
    pub to: DateTime<Utc>,
}

/// Why a session change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// Another clerk holds the window.
    #[error("another clerk holds this window: they or a supervisor must close it first")]
    HeldByAnother,
    /// A closed window is opened before it is paused.
    #[error("a closed window must be opened before it is paused")]
    NotOpen,
    /// Invalid values.
    #[error(transparent)]
    Invalid(#[from] ValidationErrors),
}

impl WindowSession {
    /// A window nobody has opened yet.
    pub fn never_opened(window_id: WindowId, since: DateTime<Utc>) -> Self {
        Self {
            window_id,
            clerk_id: None,
            state: SessionState::Closed,
            reason: None,
            since,
            version: 0,
        }
    }

    /// Whether the window is called to.
    pub fn is_open(&self) -> bool {
        self.state == SessionState::Open
    }

    /// The session after `input` from `clerk` at `at`, and the span it ends, if any. A
    /// supervisor closing someone's window passes `clerk` as themself: the span still goes to
    /// the clerk who held it. Asking for the state the window is in changes nothing.
    pub fn change(
        &self,
        input: &WindowSessionInput,
        clerk: UserId,
        supervising: bool,
        at: DateTime<Utc>,
    ) -> Result<(WindowSession, Option<SessionSpan>), SessionError> {
        let mut errors = ValidationErrors::default();
        match (input.state, &input.reason) {
            (SessionState::Paused, Some(reason)) => errors.name("reason", reason, 200),
            (SessionState::Paused, None) => errors.add("reason", "a paused window says why"),
            (_, Some(_)) => errors.add("reason", "only a paused window has a reason"),
            (_, None) => {}
        }
        errors.into_result()?;
        let reason = input.reason.as_deref().map(|r| r.trim().to_owned());
        let holder = self.clerk_id.filter(|_| self.state != SessionState::Closed);
        if holder.is_some_and(|h| h != clerk)
            && !(supervising && input.state == SessionState::Closed)
        {
            return Err(SessionError::HeldByAnother);
        }
        if self.state == SessionState::Closed && input.state == SessionState::Paused {
            return Err(SessionError::NotOpen);
        }
        if self.state == input.state && self.reason == reason {
            return Ok((self.clone(), None));
        }
        let span = holder.map(|clerk_id| SessionSpan {
            window_id: self.window_id,
            clerk_id,
            state: self.state,
            reason: self.reason.clone(),
            from: self.since,
            to: at,
        });
        let next = WindowSession {
            window_id: self.window_id,
            clerk_id: (input.state != SessionState::Closed).then_some(holder.unwrap_or(clerk)),
            state: input.state,
            reason,
            since: at,
            version: self.version + 1,
        };
        Ok((next, span))
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    fn to(state: SessionState, reason: Option<&str>) -> WindowSessionInput {
        WindowSessionInput {
            state,
            reason: reason.map(str::to_owned),
        }
    }

    #[test]
    fn a_clerk_opens_pauses_and_closes_their_window_and_each_stretch_is_kept() {
        let start = Utc::now();
        let clerk = UserId::new();
        let closed = WindowSession::never_opened(WindowId::new(), start);
        assert!(!closed.is_open());
        let (open, none) = closed
            .change(&to(SessionState::Open, None), clerk, false, start)
            .expect("open");
        assert!(open.is_open() && none.is_none());
        assert_eq!(open.clerk_id, Some(clerk));
        let later = start + Duration::minutes(50);
        let (paused, span) = open
            .change(&to(SessionState::Paused, Some("午休")), clerk, false, later)
            .expect("pause");
        assert_eq!(paused.reason.as_deref(), Some("午休"));
        let span = span.expect("the open stretch");
        assert_eq!(
            (span.state, span.from, span.to),
            (SessionState::Open, start, later)
        );
        let end = later + Duration::minutes(10);
        let (shut, span) = paused
            .change(&to(SessionState::Closed, None), clerk, false, end)
            .expect("close");
        assert_eq!((shut.state, shut.clerk_id), (SessionState::Closed, None));
        assert_eq!(
            span.expect("paused stretch").reason.as_deref(),
            Some("午休")
        );
        // Asking again for the same state changes nothing.
        let (same, none) = shut
            .change(&to(SessionState::Closed, None), clerk, false, end)
            .expect("no-op");
        assert_eq!((same, none), (shut, None));
    }

    #[test]
    fn a_window_held_by_one_clerk_is_not_taken_by_another_but_a_supervisor_may_close_it() {
        let start = Utc::now();
        let holder = UserId::new();
        let (open, _) = WindowSession::never_opened(WindowId::new(), start)
            .change(&to(SessionState::Open, None), holder, false, start)
            .expect("open");
        let other = UserId::new();
        assert_eq!(
            open.change(&to(SessionState::Open, None), other, false, start),
            Err(SessionError::HeldByAnother)
        );
        assert_eq!(
            open.change(&to(SessionState::Paused, Some("x")), other, true, start),
            Err(SessionError::HeldByAnother)
        );
        let (shut, span) = open
            .change(&to(SessionState::Closed, None), other, true, start)
            .expect("a supervisor closes");
        assert_eq!(shut.state, SessionState::Closed);
        assert_eq!(span.expect("span").clerk_id, holder);
    }

    #[test]
    fn a_pause_needs_a_reason_and_an_open_window() {
        let start = Utc::now();
        let clerk = UserId::new();
        let closed = WindowSession::never_opened(WindowId::new(), start);
        assert!(matches!(
            closed.change(&to(SessionState::Paused, None), clerk, false, start),
            Err(SessionError::Invalid(_))
        ));
        assert!(matches!(
            closed.change(&to(SessionState::Open, Some("why")), clerk, false, start),
            Err(SessionError::Invalid(_))
        ));
        assert_eq!(
            closed.change(&to(SessionState::Paused, Some("午休")), clerk, false, start),
            Err(SessionError::NotOpen)
        );
    }
}
