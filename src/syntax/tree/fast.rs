//! The fast path of [`super::parse`]: hegui's tree built straight from `toml_parser`'s events.
//!
//! It runs the same lexer, parser, decoders and limits as `toml::de::DeTable::parse` and applies
//! the same document rules as `toml`'s builder (`toml/src/de/parser/document.rs`,
//! `inline_table.rs`, `key.rs`, `value.rs` of toml 1.2.1): dotted keys create implicit tables,
//! a `[table]` may take over an implicit table not made by dotted keys, `[[array]]` appends,
//! dotted keys and headers descend into the last table of an array of tables, inline tables
//! and arrays are closed once written, a key is defined once. Those functions are named
//! after their counterparts in `toml` so the two can be read side by side.
//!
//! Most invalid texts are refused here too, worded as `toml` words them: `toml` first runs the
//! parser through `ValidateWhitespace` and `RecursionGuard` into a list of events, and only then
//! decodes keys and scalars and builds the document, keeping the first error reported. So when
//! the parser or those two receivers report an error (this builder does what they do, at the
//! same events, and answers the parser as they do), that first one is `toml`'s error, whatever
//! the later steps would find; it is worded as `toml::de::Error::new` words it. Errors of the
//! later steps (a key or scalar that does not decode, a key defined twice), any event it does
//! not expect, or a table too big for its linear key lookup make it answer
//! [`Fast::Unsure`], and the caller takes the reference path, which words the error.

use std::borrow::Cow;
use std::mem;

use toml::value::Datetime;
use toml_parser::decoder::{Encoding, ScalarKind};
use toml_parser::parser::EventReceiver;
use toml_parser::{ErrorSink, Expected, ParseError, Raw, Source};

use super::{Entry, Node, NodeValue, ParseFailure, Span};

mod plain;
use plain::{plain_key, plain_scalar};

/// `toml`'s limit on the nesting of arrays and inline tables and on the parts of a dotted key
/// before the last (its `LIMIT`, and `toml_parser`'s `RecursionGuard` given it).
const LIMIT: usize = 80;

/// Tables with more keys go to the reference path: lookups here are linear scans.
const MAX_KEYS: usize = 256;

/// What the fast path made of a text.
pub(super) enum Fast {
    /// The text is valid: its tree.
    Tree(Node),
    /// The text is invalid, and this is the error the reference path reports.
    Invalid(ParseFailure),
    /// Only the reference path can tell (or word) it.
    Unsure,
}

/// The tree of a valid TOML text, the reference path's error for most invalid ones, or
/// [`Fast::Unsure`].
pub(super) fn parse(text: &str) -> Fast {
    let tokens = Source::new(text).lex().into_vec();
    let mut builder = Builder::new(text);
    let mut errors = FirstError::default();
    toml_parser::parser::parse_document(&tokens, &mut builder, &mut errors);
    // `toml` decodes and builds only after parsing: the parser's errors come first.
    if let Some(error) = errors.first.or(builder.decode_error.take()) {
        return Fast::Invalid(toml_failure(&error));
    }
    match builder.finish() {
        Some(tree) => Fast::Tree(tree),
        None => Fast::Unsure,
    }
}

/// Keeps the first error reported, as `toml`'s `TomlSink<Option<_>>` does: the parser's (or a
/// receiver's on its behalf), or one key's or scalar's decoding.
#[derive(Default)]
struct FirstError {
    first: Option<ParseError>,
}

impl ErrorSink for FirstError {
    fn report_error(&mut self, error: ParseError) {
        if self.first.is_none() {
            self.first = Some(error);
        }
    }
}

/// `toml::de::Error::new` (toml 1.2.1, `src/de/error.rs`): the message and span of the error
/// `toml::de::DeTable::parse` returns for this parser error.
fn toml_failure(error: &ParseError) -> ParseFailure {
    let mut message = error.description().to_owned();
    if let Some(expected) = error.expected() {
        message.push_str(", expected ");
        if expected.is_empty() {
            message.push_str("nothing");
        }
        for (i, expected) in expected.iter().enumerate() {
            if i != 0 {
                message.push_str(", ");
            }
            match expected {
                Expected::Literal(literal) => message.push_str(&render_literal(literal)),
                Expected::Description(description) => message.push_str(description),
                _ => message.push_str("etc"),
            }
        }
    }
    let span = error.unexpected().map_or(0..0, |s| s.start()..s.end());
    ParseFailure { message, span }
}

/// `toml`'s `render_literal`, for the expected tokens of a message.
fn render_literal(literal: &str) -> String {
    match literal {
        "\n" => "newline".to_owned(),
        "`" => "'`'".to_owned(),
        s if s.chars().all(|c| c.is_ascii_control()) => format!("`{}`", s.escape_debug()),
        s => format!("`{s}`"),
    }
}

/// A table while the document is read, with `toml`'s flags for it.
#[derive(Default)]
struct Table {
    /// The entries as they will be returned, in insertion order; an open entry's value is a
    /// placeholder until [`Table::into_entries`].
    entries: Vec<Entry>,
    /// The entries (by index) that later lines may still extend.
    open: Vec<(usize, Open)>,
    /// Made by a dotted key or a header's path, not (yet) by its own header.
    implicit: bool,
    /// Made or extended by a dotted key.
    dotted: bool,
}

/// The builder of an entry that is not closed yet. Scalars, arrays and inline tables are
/// closed as soon as they are read: nothing may extend them (`toml` checks `is_inline`).
enum Open {
    /// A table made by a header, a header's path or a dotted key.
    Table(Table),
    /// The tables of `[[key]]`, one per node of the entry's array (which has the header spans).
    Tables(Vec<Table>),
}

/// The value of an open entry until its table is finished.
fn placeholder() -> NodeValue {
    NodeValue::Table(Vec::new())
}

impl Table {
    fn implicit(dotted: bool) -> Table {
        Table {
            implicit: true,
            dotted,
            ..Table::default()
        }
    }

    fn find(&self, key: &str) -> Option<usize> {
        self.entries.iter().position(|e| e.key == key)
    }

    /// The builder of an entry, or `None` if the entry is closed.
    fn open_at(&mut self, index: usize) -> Option<&mut Open> {
        let (_, open) = self.open.iter_mut().find(|(i, _)| *i == index)?;
        Some(open)
    }

    /// Adds a closed entry, refusing tables too big for linear lookups; returns its index.
    fn push(&mut self, entry: Entry) -> Option<usize> {
        if self.entries.len() >= MAX_KEYS {
            return None;
        }
        self.entries.push(entry);
        Some(self.entries.len() - 1)
    }

    fn push_open(&mut self, entry: Entry, open: Open) -> Option<usize> {
        let index = self.push(entry)?;
        self.open.push((index, open));
        Some(index)
    }

    /// Removes an entry; returns its builder if it was open.
    fn remove(&mut self, index: usize) -> Option<Open> {
        if index >= self.entries.len() {
            return None;
        }
        self.entries.remove(index);
        let position = self.open.iter().position(|(i, _)| *i == index);
        let open = position.map(|p| self.open.remove(p).1);
        for (i, _) in &mut self.open {
            if *i > index {
                *i -= 1;
            }
        }
        open
    }

    /// The finished entries, sorted by key position as the reference path sorts them.
    fn into_entries(self) -> Vec<Entry> {
        let Table {
            mut entries, open, ..
        } = self;
        for (index, open) in open {
            let Some(entry) = entries.get_mut(index) else {
                continue;
            };
            match open {
                Open::Table(table) => entry.node.value = NodeValue::Table(table.into_entries()),
                Open::Tables(tables) => {
                    if let NodeValue::Array(items) = &mut entry.node.value {
                        for (item, table) in items.iter_mut().zip(tables) {
                            item.value = NodeValue::Table(table.into_entries());
                        }
                    }
                }
            }
        }
        // Insertion order is document order already (a table `[a]` takes over is removed and
        // added again at its header); the check is cheap and keeps the order right regardless.
        if !entries.is_sorted_by_key(|e| e.key_span.start) {
            entries.sort_by_key(|e| e.key_span.start);
        }
        entries
    }
}

/// A simple key as read, decoded.
struct Key<'i> {
    name: Cow<'i, str>,
    span: Span,
}

impl Key<'_> {
    /// An entry for this key, its name copied (a header's path is walked twice).
    fn entry(&self, span: Span, value: NodeValue) -> Entry {
        Entry {
            key: self.name.as_ref().to_owned(),
            key_span: self.span.clone(),
            node: Node { span, value },
        }
    }

    /// An entry for this key, its name moved out.
    fn take_entry(&mut self, node: Node) -> Entry {
        Entry {
            key: mem::take(&mut self.name).into_owned(),
            key_span: self.span.clone(),
            node,
        }
    }
}

/// A `[table]` or `[[table]]` header (its keys are `Builder::header_keys`).
struct Header {
    span: Span,
    is_array: bool,
}

/// An array or inline table still open.
enum Frame {
    Array {
        start: usize,
        items: Vec<Node>,
    },
    Inline {
        start: usize,
        table: Table,
        /// Where this table's keys start in `Builder::keys`.
        key_base: usize,
    },
}

/// Receives the parser's events and builds the tree; `toml`'s `document::State` plus the
/// nesting the push parser leaves to its receiver.
struct Builder<'i> {
    text: &'i str,
    failed: bool,
    /// Everything before the current header's table, once the first header is seen.
    root: Table,
    /// The table key-values go into: the root's own keys, then each header's table.
    current: Table,
    /// The header of `current`; `None` while `current` is the root.
    header: Option<Header>,
    /// The keys of `header`.
    header_keys: Vec<Key<'i>>,
    /// A header opened and not yet closed: whether it is `[[`, and where it starts.
    opening: Option<(bool, usize)>,
    /// The keys read and not yet used, of the document's key-value, header, or open inline
    /// tables (each from its frame's `key_base`).
    keys: Vec<Key<'i>>,
    frames: Vec<Frame>,
    /// A key or scalar that did not decode, when that was the builder's first failure: the
    /// first error `toml`'s document builder, which decodes in the same order, reports.
    decode_error: Option<ParseError>,
    /// `RecursionGuard`'s count of open arrays and inline tables, kept even after a failure so
    /// the parser is answered as `toml` answers it.
    depth: usize,
    /// The allocation `current` collects its entries in, kept from table to table: each table
    /// gets one exact copy instead of a vector grown entry by entry.
    scratch: Vec<Entry>,
}

impl<'i> Builder<'i> {
    fn new(text: &'i str) -> Builder<'i> {
        Builder {
            text,
            failed: false,
            root: Table::default(),
            current: Table::default(),
            header: None,
            header_keys: Vec::new(),
            opening: None,
            keys: Vec::new(),
            frames: Vec::new(),
            decode_error: None,
            depth: 0,
            scratch: Vec::new(),
        }
    }

    fn raw(&self, span: toml_parser::Span, encoding: Option<Encoding>) -> Option<Raw<'i>> {
        let text = self.text.get(span.start()..span.end())?;
        Some(Raw::new_unchecked(text, encoding, span))
    }

    fn finish(mut self) -> Option<Node> {
        if self.failed || self.opening.is_some() || !self.frames.is_empty() || !self.keys.is_empty()
        {
            return None;
        }
        self.finish_table();
        if self.failed {
            return None;
        }
        Some(Node {
            span: 0..0,
            value: NodeValue::Table(self.root.into_entries()),
        })
    }

    fn open_header(&mut self, is_array: bool, span: toml_parser::Span) {
        if self.failed {
            return;
        }
        if self.opening.is_some() || !self.frames.is_empty() || !self.keys.is_empty() {
            self.failed = true;
            return;
        }
        self.finish_table();
        self.opening = Some((is_array, span.start()));
    }

    fn close_header(&mut self, is_array: bool, span: toml_parser::Span) {
        if self.failed {
            return;
        }
        let Some((opened_array, start)) = self.opening.take() else {
            self.failed = true;
            return;
        };
        if opened_array != is_array || self.keys.is_empty() || self.keys.len() > LIMIT {
            self.failed = true;
            return;
        }
        // The two key buffers swap roles, so neither is allocated again.
        self.header_keys.clear();
        mem::swap(&mut self.keys, &mut self.header_keys);
        self.start_table(Header {
            span: start..span.end(),
            is_array,
        });
    }

    /// `State::start_table`: a `[table]` may take over an implicit table that no dotted key made.
    fn start_table(&mut self, header: Header) {
        if !header.is_array {
            let Some((key, path)) = self.header_keys.split_last() else {
                self.failed = true;
                return;
            };
            let Some(parent) = descend_path(&mut self.root, path, false) else {
                self.failed = true;
                return;
            };
            if let Some(index) = parent.find(&key.name) {
                match parent.remove(index) {
                    Some(Open::Table(table)) if table.implicit && !table.dotted => {
                        self.current = table;
                    }
                    _ => {
                        self.failed = true;
                        return;
                    }
                }
            }
        }
        // The body's entries go after those of a table taken over, in the scratch allocation.
        let mut entries = mem::take(&mut self.scratch);
        entries.append(&mut self.current.entries);
        self.current.entries = entries;
        self.current.implicit = false;
        self.current.dotted = false;
        self.header = Some(header);
    }

    /// `State::finish_table`: puts the current table where its header says.
    fn finish_table(&mut self) {
        let mut table = mem::take(&mut self.current);
        let exact = table.entries.drain(..).collect();
        self.scratch = mem::replace(&mut table.entries, exact);
        let Some(header) = self.header.take() else {
            self.root = table;
            return;
        };
        let Header { span, is_array } = header;
        if attach_table(&mut self.root, &self.header_keys, span, is_array, table).is_none() {
            self.failed = true;
        }
    }

    /// A finished value goes into the open array or inline table, or is the document's
    /// key-value.
    fn deliver(&mut self, node: Node) {
        let done = match self.frames.last_mut() {
            Some(Frame::Array { items, .. }) => {
                items.push(node);
                Some(())
            }
            Some(Frame::Inline {
                table, key_base, ..
            }) => {
                let base = *key_base;
                let done = self
                    .keys
                    .get_mut(base..)
                    .and_then(|keys| insert_inline(table, keys, node));
                self.keys.truncate(base);
                done
            }
            None if self.opening.is_some() => None,
            None => {
                let done = capture_key_value(&mut self.current, &mut self.keys, node);
                self.keys.clear();
                done
            }
        };
        if done.is_none() {
            self.failed = true;
        }
    }

    /// `RecursionGuard` on an opening bracket: refused, with its error, past `LIMIT` levels.
    fn open_frame(
        &mut self,
        frame: Frame,
        span: toml_parser::Span,
        error: &mut dyn ErrorSink,
    ) -> bool {
        self.depth += 1;
        if self.depth > LIMIT {
            error.report_error(
                ParseError::new("cannot recurse further; max recursion depth met")
                    .with_unexpected(span),
            );
            self.failed = true;
            return false;
        }
        if !self.failed {
            self.frames.push(frame);
        }
        true
    }

    /// `RecursionGuard` on a closing bracket; whether the builder may go on with it.
    fn close_frame(&mut self) -> bool {
        self.depth = self.depth.saturating_sub(1);
        !self.failed
    }

    fn scalar_value(
        &mut self,
        span: toml_parser::Span,
        encoding: Option<Encoding>,
    ) -> Option<NodeValue> {
        let raw = self.raw(span, encoding)?;
        if let Some(value) = plain_scalar(raw.as_str(), encoding) {
            return Some(value);
        }
        let mut decoded = Cow::Borrowed("");
        let mut decode_errors = FirstError::default();
        let kind = raw.decode_scalar(&mut decoded, &mut decode_errors);
        if let Some(error) = decode_errors.first {
            self.decode_error = Some(error);
            return None;
        }
        let value = match kind {
            ScalarKind::String => NodeValue::String(decoded.into_owned()),
            ScalarKind::Boolean(b) => NodeValue::Bool(b),
            ScalarKind::DateTime => super::datetime_value(&decoded.parse::<Datetime>().ok()?)?,
            ScalarKind::Float => NodeValue::Float(super::float_value(&decoded)?),
            ScalarKind::Integer(radix) => {
                NodeValue::Integer(super::integer_value(&decoded, radix.value())?)
            }
        };
        Some(value)
    }
}

/// `State::capture_key_value`: a document key-value into the current table.
fn capture_key_value(table: &mut Table, keys: &mut [Key<'_>], node: Node) -> Option<()> {
    let (key, path) = keys.split_last_mut()?;
    if path.len() >= LIMIT {
        return None;
    }
    let dotted = !path.is_empty();
    let parent = descend_path(table, path, dotted)?;
    // Dotted keys may not add to a table defined by a header.
    if dotted && !parent.implicit {
        return None;
    }
    if parent.find(&key.name).is_some() {
        return None;
    }
    parent.push(key.take_entry(node))?;
    Some(())
}

/// The table a header names goes into its parent (the rest of `State::finish_table`).
fn attach_table(
    root: &mut Table,
    keys: &[Key<'_>],
    span: Span,
    is_array: bool,
    table: Table,
) -> Option<()> {
    let (key, path) = keys.split_last()?;
    let parent = descend_path(root, path, false)?;
    match (parent.find(&key.name), is_array) {
        (None, true) => {
            let items = vec![Node {
                span: span.clone(),
                value: placeholder(),
            }];
            let entry = key.entry(span, NodeValue::Array(items));
            parent.push_open(entry, Open::Tables(vec![table]))?;
        }
        (Some(index), true) => {
            let Table { entries, open, .. } = parent;
            let Some((_, Open::Tables(tables))) = open.iter_mut().find(|(i, _)| *i == index) else {
                return None;
            };
            let NodeValue::Array(items) = &mut entries.get_mut(index)?.node.value else {
                return None;
            };
            items.push(Node {
                span,
                value: placeholder(),
            });
            tables.push(table);
        }
        (None, false) => {
            parent.push_open(key.entry(span, placeholder()), Open::Table(table))?;
        }
        // `start_table` removed any table of this name; `toml` asserts the same.
        (Some(_), false) => return None,
    }
    Some(())
}

/// `document::descend_path`: the table at `path`, implicit tables made on the way.
fn descend_path<'t>(
    mut table: &'t mut Table,
    path: &[Key<'_>],
    dotted: bool,
) -> Option<&'t mut Table> {
    for key in path {
        let index = find_or_open(table, key, dotted)?;
        // A closed entry (scalar, array, inline table) cannot be extended.
        table = match table.open_at(index)? {
            // An array of tables: its last table.
            Open::Tables(tables) => tables.last_mut()?,
            Open::Table(child) => {
                if dotted && child.implicit {
                    child.dotted = true;
                }
                if dotted && !child.implicit {
                    return None;
                }
                child
            }
        };
    }
    Some(table)
}

/// The index of `key` in `table`, adding an implicit table there first if it is absent.
fn find_or_open(table: &mut Table, key: &Key<'_>, dotted: bool) -> Option<usize> {
    match table.find(&key.name) {
        Some(index) => Some(index),
        None => table.push_open(
            key.entry(key.span.clone(), placeholder()),
            Open::Table(Table::implicit(dotted)),
        ),
    }
}

/// `inline_table::State::finish_value`: a key-value into an inline table being read.
fn insert_inline(table: &mut Table, keys: &mut [Key<'_>], node: Node) -> Option<()> {
    let (key, path) = keys.split_last_mut()?;
    if path.len() >= LIMIT {
        return None;
    }
    let parent = inline_descend_path(table, path)?;
    if parent.dotted == path.is_empty() {
        return None;
    }
    if parent.find(&key.name).is_some() {
        return None;
    }
    parent.push(key.take_entry(node))?;
    Some(())
}

/// `inline_table::descend_path`: only tables made by dotted keys of the same inline table.
fn inline_descend_path<'t>(mut table: &'t mut Table, path: &[Key<'_>]) -> Option<&'t mut Table> {
    for key in path {
        let index = find_or_open(table, key, true)?;
        table = match table.open_at(index)? {
            Open::Table(child) if child.implicit => child,
            _ => return None,
        };
    }
    Some(table)
}

impl EventReceiver for Builder<'_> {
    fn std_table_open(&mut self, span: toml_parser::Span, _error: &mut dyn ErrorSink) {
        self.open_header(false, span);
    }

    fn std_table_close(&mut self, span: toml_parser::Span, _error: &mut dyn ErrorSink) {
        self.close_header(false, span);
    }

    fn array_table_open(&mut self, span: toml_parser::Span, _error: &mut dyn ErrorSink) {
        self.open_header(true, span);
    }

    fn array_table_close(&mut self, span: toml_parser::Span, _error: &mut dyn ErrorSink) {
        self.close_header(true, span);
    }

    fn inline_table_open(&mut self, span: toml_parser::Span, error: &mut dyn ErrorSink) -> bool {
        let frame = Frame::Inline {
            start: span.start(),
            table: Table::default(),
            key_base: self.keys.len(),
        };
        self.open_frame(frame, span, error)
    }

    fn inline_table_close(&mut self, span: toml_parser::Span, _error: &mut dyn ErrorSink) {
        if !self.close_frame() {
            return;
        }
        let Some(Frame::Inline { start, table, .. }) = self.frames.pop() else {
            self.failed = true;
            return;
        };
        self.deliver(Node {
            span: start..span.end(),
            value: NodeValue::Table(table.into_entries()),
        });
    }

    fn array_open(&mut self, span: toml_parser::Span, error: &mut dyn ErrorSink) -> bool {
        let frame = Frame::Array {
            start: span.start(),
            items: Vec::new(),
        };
        self.open_frame(frame, span, error)
    }

    fn array_close(&mut self, span: toml_parser::Span, _error: &mut dyn ErrorSink) {
        if !self.close_frame() {
            return;
        }
        let Some(Frame::Array { start, items }) = self.frames.pop() else {
            self.failed = true;
            return;
        };
        self.deliver(Node {
            span: start..span.end(),
            value: NodeValue::Array(items),
        });
    }

    fn simple_key(
        &mut self,
        span: toml_parser::Span,
        encoding: Option<Encoding>,
        _error: &mut dyn ErrorSink,
    ) {
        if self.failed {
            return;
        }
        let Some(raw) = self.raw(span, encoding) else {
            self.failed = true;
            return;
        };
        let name = match plain_key(raw.as_str(), encoding) {
            Some(name) => Cow::Borrowed(name),
            None => {
                let mut name = Cow::Borrowed("");
                let mut decode_errors = FirstError::default();
                raw.decode_key(&mut name, &mut decode_errors);
                if let Some(error) = decode_errors.first {
                    self.decode_error = Some(error);
                    self.failed = true;
                    return;
                }
                name
            }
        };
        self.keys.push(Key {
            name,
            span: span.start()..span.end(),
        });
    }

    fn scalar(
        &mut self,
        span: toml_parser::Span,
        encoding: Option<Encoding>,
        _error: &mut dyn ErrorSink,
    ) {
        if self.failed {
            return;
        }
        let Some(value) = self.scalar_value(span, encoding) else {
            self.failed = true;
            return;
        };
        self.deliver(Node {
            span: span.start()..span.end(),
            value,
        });
    }

    fn comment(&mut self, span: toml_parser::Span, error: &mut dyn ErrorSink) {
        // `ValidateWhitespace`: comments may hold no control characters.
        match self.raw(span, None) {
            Some(raw) => raw.decode_comment(error),
            None => self.failed = true,
        }
    }

    fn newline(&mut self, span: toml_parser::Span, error: &mut dyn ErrorSink) {
        // `ValidateWhitespace`: a lone carriage return is an error.
        match self.raw(span, None) {
            Some(raw) => raw.decode_newline(error),
            None => self.failed = true,
        }
    }

    fn error(&mut self, _span: toml_parser::Span, _error: &mut dyn ErrorSink) {
        self.failed = true;
    }
}
