//! Text layer: sources and positions, the diagnostic type, escaping for display.

pub mod escape;
pub mod finding;
pub mod source;
