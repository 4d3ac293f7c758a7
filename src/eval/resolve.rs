//! How the core gets the files a manifest refers to, without reading anything itself.

use crate::text::source::Source;

/// Reads the files one manifest refers to (its `file` values). The CLI reads them from disk
/// (relative to the manifest, inside its repository: `disk::DiskFiles`); a language server
/// can serve open buffers; a resolver may refuse everything ([`NoFiles`]).
pub trait FileResolver {
    /// The file `value` (as written in the manifest) names, as a source named for users, or
    /// why it cannot be used (`no such file`, `is not UTF-8 text`, …): the reason is shown in
    /// the finding.
    fn read(&self, value: &str) -> Result<Source, String>;
}

/// A resolver with no files: every `file` value is reported as unreadable.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoFiles;

impl FileResolver for NoFiles {
    fn read(&self, _value: &str) -> Result<Source, String> {
        Err("cannot be read: no files are available".into())
    }
}
