//! CEL layer: the environment and programs compiled on first use, values over the tree and
//! their conversion, extension functions and the working-day calendar they use, the
//! evaluation budget.

pub mod budget;
pub mod calendar;
pub mod celval;
pub mod convert;
pub(crate) mod estimate;
pub mod functions;
pub mod lazy;
pub(crate) mod meter;
