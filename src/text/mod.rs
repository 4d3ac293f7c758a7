//! Text layer: sources and positions, severity and language, the diagnostic type and its
//! fixes, escaping for display.

pub mod escape;
pub mod finding;
pub mod fix;
pub(crate) mod io_error;
pub mod severity;
pub mod source;
