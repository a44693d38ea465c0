//! Who is calling: password hashes, signed tokens, and the extractor that checks them.

mod identity;
pub mod password;
pub mod token;

pub use identity::{
    Allowed, HandleCases, Identity, ManageCatalogue, Need, Supervise, window_in_reach,
};
pub use token::TokenKeys;
