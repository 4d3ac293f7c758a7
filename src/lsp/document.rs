//! The open documents: the current text of each buffer (no history is kept, so memory does
//! not grow with the number of edits), its line index and what its last check found.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use lsp_types::{TextDocumentContentChangeEvent, Url};

use super::encoding::{Encoding, LineIndex};
use crate::engine::Engine;
use crate::finding::Finding;

/// One open buffer.
pub(crate) struct Document {
    /// The buffer's text as the client last sent it.
    pub(crate) text: String,
    /// The client's version of it.
    pub(crate) version: i32,
    /// Line starts of `text`.
    pub(crate) index: LineIndex,
    /// The file's path (canonical when it exists on disk), for `file` URIs.
    pub(crate) path: Option<PathBuf>,
    /// What the last check found, sorted, and the engine that found it.
    pub(crate) checked: Option<Checked>,
}

/// The outcome of a document's last check.
pub(crate) struct Checked {
    /// The findings, in output order.
    pub(crate) findings: Vec<Finding>,
    /// The engine they came from (rule titles, parameters, law for hover).
    pub(crate) engine: Arc<Engine>,
}

impl Document {
    /// A newly opened buffer.
    pub(crate) fn new(uri: &Url, text: String, version: i32) -> Document {
        let path = uri
            .to_file_path()
            .ok()
            .map(|p| p.canonicalize().unwrap_or(p));
        Document {
            index: LineIndex::new(&text),
            text,
            version,
            path,
            checked: None,
        }
    }

    /// Applies the client's changes in order (ranged ones are incremental, others replace the
    /// whole text).
    pub(crate) fn apply(
        &mut self,
        changes: Vec<TextDocumentContentChangeEvent>,
        version: i32,
        encoding: Encoding,
    ) {
        for change in changes {
            match change.range {
                Some(range) => {
                    let start = self.index.offset(&self.text, range.start, encoding);
                    let end = self.index.offset(&self.text, range.end, encoding);
                    self.text.replace_range(start..end.max(start), &change.text);
                }
                None => self.text = change.text,
            }
            self.index = LineIndex::new(&self.text);
        }
        self.version = version;
    }
}

/// Every open buffer, by URI.
#[derive(Default)]
pub(crate) struct Documents {
    docs: BTreeMap<Url, Document>,
}

impl Documents {
    /// Opens (or reopens) a buffer.
    pub(crate) fn open(&mut self, uri: Url, text: String, version: i32) {
        let doc = Document::new(&uri, text, version);
        self.docs.insert(uri, doc);
    }

    /// Closes a buffer.
    pub(crate) fn close(&mut self, uri: &Url) -> Option<Document> {
        self.docs.remove(uri)
    }

    /// A buffer.
    pub(crate) fn get(&self, uri: &Url) -> Option<&Document> {
        self.docs.get(uri)
    }

    /// A buffer, to change it.
    pub(crate) fn get_mut(&mut self, uri: &Url) -> Option<&mut Document> {
        self.docs.get_mut(uri)
    }

    /// The text of the open buffer of a (canonical) path.
    pub(crate) fn text_at(&self, path: &Path) -> Option<String> {
        self.docs
            .values()
            .find(|d| d.path.as_deref() == Some(path))
            .map(|d| d.text.clone())
    }

    /// The URIs of every open buffer, in order.
    pub(crate) fn uris(&self) -> Vec<Url> {
        self.docs.keys().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::{Position, Range};

    fn change(
        range: Option<((u32, u32), (u32, u32))>,
        text: &str,
    ) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: range.map(|(s, e)| Range::new(Position::new(s.0, s.1), Position::new(e.0, e.1))),
            range_length: None,
            text: text.into(),
        }
    }

    #[test]
    fn incremental_changes_use_the_negotiated_encoding() {
        let uri = Url::parse("file:///tmp/x.plan.toml").unwrap();
        let mut doc = Document::new(&uri, "t = \"😀a\"\nb = 1\n".into(), 1);
        // After the emoji: UTF-16 column 7, UTF-8 column 9.
        doc.apply(
            vec![change(Some(((0, 7), (0, 8))), "名")],
            2,
            Encoding::Utf16,
        );
        assert_eq!(doc.text, "t = \"😀名\"\nb = 1\n");
        doc.apply(
            vec![change(Some(((0, 9), (0, 12))), "z")],
            3,
            Encoding::Utf8,
        );
        assert_eq!(doc.text, "t = \"😀z\"\nb = 1\n");
        doc.apply(
            vec![
                change(Some(((1, 4), (1, 5))), "22"),
                change(None, "c = 3\n"),
            ],
            4,
            Encoding::Utf8,
        );
        assert_eq!(doc.text, "c = 3\n");
        assert_eq!(doc.version, 4);
    }
}
