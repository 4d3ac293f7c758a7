//! Text layer: sources and positions, severity and language, the diagnostic type and its
//! fixes, escaping for display, why a file cannot be read.

pub mod escape;
pub mod finding;
pub mod fix;
pub mod reason;
pub mod severity;
pub mod source;
