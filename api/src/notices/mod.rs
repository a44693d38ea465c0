//! Printing notices (文书): the shipped templates, the template engine and the receipt's QR
//! code. The domain decides what a notice says ([`domain::notice`]); this turns it into the
//! HTML handed to a browser's print dialog.

mod print;

pub(crate) use print::cn_date;

pub use print::{Printer, check_template, shipped_template};
