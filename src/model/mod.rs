//! Model layer: rules and families, the manifest vocabulary, the law table, the calendar, the
//! embedded fixtures.

pub mod calendar;
pub(crate) mod estimate;
pub mod fixtures;
pub mod law;
pub mod marks;
pub mod rules;
pub mod shape;
