//! The catalogue an administrator keeps: centres, departments, windows and service items.

mod center;
mod department;
mod item;
mod material;
mod window;

pub use center::{Center, CenterInput, subtree, would_cycle};
pub use department::{Department, DepartmentInput};
pub use item::{Category, Handling, MAX_DAYS, ServiceItem, ServiceItemInput};
pub use material::{
    MATERIAL_NAME_MAX, MAX_COPIES, MAX_MATERIALS, Material, MaterialForm, deserialize_stored,
    read_stored, validate_materials,
};
pub use window::{Window, WindowInput, WindowKind};
