//! CEL layer: values over the tree, programs compiled on first use, extension functions, the
//! evaluation budget.

pub mod budget;
pub mod celval;
pub mod functions;
pub mod lazy;
pub(crate) mod meter;
