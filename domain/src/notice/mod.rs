//! Notices (文书): the numbered documents the law requires a hall to hand the applicant at
//! each step — the receipt, the refusal at intake, the 补正 request, the extension, the
//! decision and the proof of delivery. The domain says which kind a case may have now, what
//! each shows ([`NoticeFacts`], read from the case in one place, [`facts_of`]) and how it is
//! numbered; rendering them to HTML is the `api` crate's.

mod facts;
mod kind;
mod number;
mod record;
pub mod workflow;

pub use facts::{
    Certificate, DecisionFacts, DeliveryFacts, ExtensionFacts, Fee, MissingMaterial, NoticeFacts,
    facts_of,
};
pub use kind::NoticeKind;
pub use number::{notice_number, short_name};
pub use record::{Notice, NoticeDocument, NoticeError, TemplateOverride, VoidMark};
