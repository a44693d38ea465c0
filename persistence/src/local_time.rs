//! The hall's offset from UTC in scope for one unit of work, as [`crate::personal`] keeps the
//! data keys: what storage writes in local time (the exchange's reports, fixed in the
//! event's transaction) reads it here, since the repositories' traits carry no settings.

use std::cell::Cell;

use chrono::FixedOffset;

thread_local! {
    /// The offset of the unit of work running on this thread, set by [`in_scope`].
    static IN_SCOPE: Cell<Option<FixedOffset>> = const { Cell::new(None) };
}

/// Runs `work` with `offset` in scope on this thread, restoring what was in scope before.
pub(crate) fn in_scope<T>(offset: FixedOffset, work: impl FnOnce() -> T) -> T {
    struct Restore(Option<FixedOffset>);
    impl Drop for Restore {
        fn drop(&mut self) {
            IN_SCOPE.with(|slot| slot.set(self.0));
        }
    }
    let _restore = Restore(IN_SCOPE.with(|slot| slot.replace(Some(offset))));
    work()
}

/// The offset in scope on this thread; UTC outside any unit of work.
pub(crate) fn offset() -> FixedOffset {
    IN_SCOPE
        .with(Cell::get)
        .unwrap_or_else(|| chrono::Offset::fix(&chrono::Utc))
}
