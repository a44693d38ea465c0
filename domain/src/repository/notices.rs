//! Storage of notices, their registers and the centres' templates.

use super::RepositoryResult;
use crate::ids::{CaseId, CenterId, NoticeId};
use crate::notice::{Notice, NoticeKind, TemplateOverride, VoidMark};

/// Storage of notices (文书).
pub trait NoticeRepository {
    /// Draws the next number of the register of a centre, kind and year; a rolled-back
    /// transaction gives it back, so the register has no gaps, and concurrent drawers wait
    /// for each other, so it has no repeats.
    fn next_notice_seq(
        &mut self,
        center: CenterId,
        kind: NoticeKind,
        year: i32,
    ) -> RepositoryResult<u32>;
    /// Stores a new notice on a case of `region`.
    fn insert_notice(&mut self, region: &str, notice: &Notice) -> RepositoryResult<()>;
    /// The notice with this id.
    fn notice(&mut self, id: NoticeId) -> RepositoryResult<Option<Notice>>;
    /// A case's notices, oldest first.
    fn notices_of_case(&mut self, case: CaseId) -> RepositoryResult<Vec<Notice>>;
    /// Marks a notice void unless it is already; `false` when it was.
    fn void_notice(&mut self, id: NoticeId, mark: &VoidMark) -> RepositoryResult<bool>;
    /// A centre's own template of a kind, if it has one.
    fn notice_template(
        &mut self,
        center: CenterId,
        kind: NoticeKind,
    ) -> RepositoryResult<Option<TemplateOverride>>;
    /// Stores or replaces a centre's own template of a kind.
    fn put_notice_template(&mut self, template: &TemplateOverride) -> RepositoryResult<()>;
    /// Drops a centre's own template of a kind; `false` when it had none.
    fn delete_notice_template(
        &mut self,
        center: CenterId,
        kind: NoticeKind,
    ) -> RepositoryResult<bool>;
}
