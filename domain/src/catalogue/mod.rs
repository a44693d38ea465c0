//! The catalogue an administrator keeps: centres, departments, windows and service items.

mod center;
mod department;
mod item;
mod window;

pub use center::{Center, CenterInput, subtree, would_cycle};
pub use department::{Department, DepartmentInput};
pub use item::{Category, Handling, MAX_DAYS, ServiceItem, ServiceItemInput};
pub use window::{Window, WindowInput, WindowKind};
