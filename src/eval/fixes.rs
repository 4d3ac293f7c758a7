//! Turns a rule's declared fix into text edits of the manifest.
//!
//! Replacing a value or renaming a key replaces exactly its bytes (the rest of the line, its
//! comment included, is untouched); adding a key or an array element is done by `toml_edit`,
//! and the edit is the one region where its output differs from the file, so every comment,
//! blank line and quote style outside that region stays as written.
//!
//! `toml_edit` works on the section of an `[[entry]]` when the change lies inside one (from
//! its header to the next header that is not its own), otherwise on the whole document. What
//! the fixes of one file parse together is capped ([`FixWork`]): many fixes in one file cost
//! time linear in its size, and a finding past the cap is reported without a fix.
//!
//! Dates before `--today` are facts: an alternative that would move one, or move a date to
//! before `--today`, is not offered; the next alternative is tried.

use chrono::{NaiveDate, Timelike};

use crate::model::fix_decl::{EditDecl, EditOp, FixDecl};
use crate::text::fix::{Edit, Fix};
use crate::tree::{self, DocPath, Node, NodeValue, Segment};
use cel::{Context, Value};

/// What a fix is computed against.
pub(crate) struct Target<'a> {
    /// The manifest's text.
    pub text: &'a str,
    /// Its parsed tree.
    pub doc: &'a Node,
    /// The path of the item the finding is about (relative fix paths start there).
    pub item: &'a DocPath,
    /// Dates before this are never moved, nor moved to.
    pub today: NaiveDate,
    /// The language of the fix's message.
    pub lang: crate::Lang,
    /// The file's headers and what its fixes have parsed so far.
    pub work: &'a FixWork,
}

/// The fixes of one file together parse at most this many times the file's length (plus
/// [`FIX_WORK_FLOOR`] bytes); past it a finding carries no fix, and `hegui fix`, which checks
/// again after each round, offers it in a later round.
pub(crate) const FIX_WORK_FACTOR: usize = 8;

/// What the fixes of any file may parse, however short the file.
pub(crate) const FIX_WORK_FLOOR: usize = 1 << 20;

/// A fix's edits as (start, end, new text): what [`Target::still_toml`] remembers.
type EditsKey = Vec<(usize, usize, String)>;

/// Per file: where its `[headers]` start (found on first need) and how many bytes its fixes
/// have handed to a parser.
#[derive(Default)]
pub(crate) struct FixWork {
    headers: std::cell::OnceCell<Vec<usize>>,
    parsed: std::cell::Cell<usize>,
    /// The edits computed so far, by what they change.
    made: std::cell::RefCell<std::collections::HashMap<String, Option<Edit>>>,
    /// Whether the file is still TOML with these edits made, for the edits checked so far.
    checked: std::cell::RefCell<std::collections::HashMap<EditsKey, bool>>,
}

impl FixWork {
    /// Counts `len` bytes about to be parsed; `None` when that would pass the file's cap.
    fn charge(&self, len: usize, file_len: usize) -> Option<()> {
        let limit = FIX_WORK_FACTOR
            .saturating_mul(file_len)
            .saturating_add(FIX_WORK_FLOOR);
        let after = self.parsed.get().saturating_add(len);
        if after > limit {
            return None;
        }
        self.parsed.set(after);
        Some(())
    }

    fn header_starts(&self, text: &str, doc: &Node) -> &[usize] {
        self.headers.get_or_init(|| {
            let mut starts = Vec::new();
            collect_headers(text, doc, &mut starts);
            starts.sort_unstable();
            starts.dedup();
            starts
        })
    }
}

/// Where the `[header]`s and `[[header]]`s of the tables under `node` start.
fn collect_headers(text: &str, node: &Node, out: &mut Vec<usize>) {
    match &node.value {
        NodeValue::Table(entries) => {
            // A table made by a header has the header's span; inline tables start with `{`.
            if text.as_bytes().get(node.span.start) == Some(&b'[') {
                out.push(node.span.start);
            }
            for entry in entries {
                collect_headers(text, &entry.node, out);
            }
        }
        NodeValue::Array(items) => {
            for item in items {
                collect_headers(text, item, out);
            }
        }
        _ => {}
    }
}

/// A part of the manifest that `toml_edit` can work on alone: its start in the file, its text,
/// and the path of the change inside it.
struct Section<'t> {
    start: usize,
    text: &'t str,
    path: Vec<Segment>,
}

impl<'a> Target<'a> {
    /// The section of the `[[table]]` entry that `path` lies in: from the entry's header to the
    /// first header after its own sub-tables' headers. `None` when `path` is not inside such
    /// an entry (the whole document is the section then).
    fn section(&self, path: &[Segment]) -> Option<Section<'a>> {
        let [Segment::Key(table), Segment::Index(i), rest @ ..] = path else {
            return None;
        };
        let NodeValue::Array(items) = &self.doc.get(table)?.value else {
            return None;
        };
        let entry = items.get(*i)?;
        if !matches!(entry.value, NodeValue::Table(_))
            || !self.text.get(entry.span.start..)?.starts_with("[[")
        {
            return None;
        }
        let mut own = Vec::new();
        collect_headers(self.text, entry, &mut own);
        let last_own = own.into_iter().max().unwrap_or(entry.span.start);
        let starts = self.work.header_starts(self.text, self.doc);
        let end = starts
            .get(starts.partition_point(|&s| s <= last_own))
            .copied()
            .unwrap_or(self.text.len());
        let mut local = vec![Segment::Key(table.clone()), Segment::Index(0)];
        local.extend_from_slice(rest);
        Some(Section {
            start: entry.span.start,
            text: self.text.get(entry.span.start..end)?,
            path: local,
        })
    }

    /// Whether the file with `fix` made is still TOML. When the changes at `paths` all lie in
    /// one entry's section, that section alone is parsed (it holds every key they could clash
    /// with); otherwise the whole file is.
    fn still_toml(&self, fix: &Fix, paths: &[DocPath]) -> Option<()> {
        let memo: EditsKey = (fix.edits.iter())
            .map(|e| (e.range.start, e.range.end, e.content.clone()))
            .collect();
        if let Some(known) = self.work.checked.borrow().get(&memo) {
            return known.then_some(());
        }
        let valid = self.still_toml_once(fix, paths).is_some();
        self.work.checked.borrow_mut().insert(memo, valid);
        valid.then_some(())
    }

    fn still_toml_once(&self, fix: &Fix, paths: &[DocPath]) -> Option<()> {
        let mut bounds = paths.iter().map(|p| {
            self.section(&p.0)
                .map(|s| (s.start, s.start + s.text.len()))
        });
        let first = bounds.next().flatten();
        let (start, end) = match first {
            Some(b) if bounds.all(|other| other == Some(b)) => b,
            _ => (0, self.text.len()),
        };
        let text = self.text.get(start..end)?;
        self.work.charge(text.len(), self.text.len())?;
        let mut edits = Vec::with_capacity(fix.edits.len());
        for e in &fix.edits {
            if e.range.start < start || e.range.end > end {
                return None;
            }
            edits.push(Edit {
                range: e.range.start - start..e.range.end - start,
                content: e.content.clone(),
            });
        }
        let local = Fix {
            applicability: fix.applicability,
            message: String::new(),
            edits,
        };
        let (fixed, _) = crate::text::fix::apply_fixes(text, &[&local]);
        tree::parse(&fixed).ok().map(|_| ())
    }
}

/// The first alternative whose `when` holds and whose edits can all be made.
pub(crate) fn evaluate(
    decls: &[FixDecl],
    ctx: &Context<'_, '_>,
    target: &Target<'_>,
) -> Option<Fix> {
    decls.iter().find_map(|decl| alternative(decl, ctx, target))
}

fn alternative(decl: &FixDecl, ctx: &Context<'_, '_>, target: &Target<'_>) -> Option<Fix> {
    if let Some(when) = &decl.when
        && !matches!(when.program.execute(ctx), Ok(Value::Bool(true)))
    {
        return None;
    }
    let mut edits = Vec::with_capacity(decl.edits.len());
    let mut paths = Vec::with_capacity(decl.edits.len());
    let mut replaces_only = true;
    for edit in &decl.edits {
        let (made, replaced, path) = one_edit(edit, ctx, target)?;
        // A value replaced by a rendered TOML value is valid TOML by construction, and so is a
        // key renamed to one toml_edit writes and no sibling in the parsed table has.
        replaces_only &= replaced;
        edits.push(made);
        paths.push(path);
    }
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    if edits
        .windows(2)
        .any(|w| w[0].range.end > w[1].range.start || w[0].range.start == w[1].range.start)
    {
        return None;
    }
    let fix = Fix {
        applicability: decl.applicability,
        message: crate::eval::data::render(decl.message.get(target.lang), ctx),
        edits,
    };
    // A fix whose result is not a TOML file (a renamed key that now collides) is no fix.
    if !replaces_only || fix.edits.len() > 1 {
        target.still_toml(&fix, &paths)?;
    }
    Some(fix)
}

/// One edit, whether it leaves a valid TOML file by construction (it replaces an existing
/// value, or renames a key to a free name), and the path it changes.
fn one_edit(
    edit: &EditDecl,
    ctx: &Context<'_, '_>,
    target: &Target<'_>,
) -> Option<(Edit, bool, DocPath)> {
    let path = crate::eval::run::resolve_path(&edit.path, target.item, ctx)?;
    let value = edit.value.program.execute(ctx).ok()?;
    let (made, replaced) = match edit.op {
        EditOp::Rename => (rename(&path, &value, target)?, true),
        EditOp::Set => {
            let replaced = target.doc.at(&path.0).is_some();
            (set(&path, &value, target)?, replaced)
        }
        EditOp::Append => (append(&path, &value, target)?, false),
    };
    Some((made, replaced, path))
}

fn rename(path: &DocPath, value: &Value, target: &Target<'_>) -> Option<Edit> {
    let Value::String(new) = value else {
        return None;
    };
    let (Segment::Key(old), parent) = path.0.split_last()? else {
        return None;
    };
    let parent = target.doc.at(parent)?;
    if new.is_empty() || new.as_str() == old || parent.get(new).is_some() {
        return None;
    }
    let entry = parent.entry(old)?;
    Some(Edit {
        range: entry.key_span.clone(),
        content: toml_edit::Key::new(new.as_str())
            .display_repr()
            .into_owned(),
    })
}

fn set(path: &DocPath, value: &Value, target: &Target<'_>) -> Option<Edit> {
    if let Value::Map(map) = value {
        return add_table(path, map, target);
    }
    let new = toml_value(value)?;
    let days = dates_in(value);
    match target.doc.at(&path.0) {
        Some(old) => {
            if matches!(old.value, NodeValue::Table(_)) {
                return None;
            }
            // Writing the same day differently (a date written as a string) moves nothing.
            let old_day = node_date(old);
            let moved = days.iter().any(|d| Some(*d) != old_day);
            if moved
                && (old_day.is_some_and(|d| d < target.today)
                    || days.iter().any(|d| *d < target.today))
            {
                return None;
            }
            let written = &target.text[old.span.clone()];
            let content = render_value(&new, written);
            if content == written {
                return None;
            }
            Some(Edit {
                range: old.span.clone(),
                content,
            })
        }
        None => {
            let (Segment::Key(key), parent) = path.0.split_last()? else {
                return None;
            };
            if days.iter().any(|d| *d < target.today)
                || !matches!(target.doc.at(parent)?.value, NodeValue::Table(_))
            {
                return None;
            }
            let memo = format!("set {} {key} {new}", DocPath(parent.to_vec()));
            with_toml_edit(target, memo, parent, |place| {
                place.table()?.insert(key, toml_edit::Item::Value(new));
                Some(())
            })
        }
    }
}

/// Adds the table at `path`, which must be absent, from a CEL map with string keys: a `[table]`
/// section (inline inside an inline table), its keys in sorted order so the edit is the same on
/// every run.
fn add_table(path: &DocPath, map: &cel::objects::Map, target: &Target<'_>) -> Option<Edit> {
    let (Segment::Key(key), parent) = path.0.split_last()? else {
        return None;
    };
    if target.doc.at(&path.0).is_some()
        || !matches!(target.doc.at(parent)?.value, NodeValue::Table(_))
    {
        return None;
    }
    let mut entries = Vec::with_capacity(map.map.len());
    for (k, v) in map.map.iter() {
        let cel::objects::Key::String(k) = k else {
            return None;
        };
        if dates_in(v).iter().any(|d| *d < target.today) {
            return None;
        }
        entries.push((k.to_string(), toml_value(v)?));
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let mut table = toml_edit::Table::new();
    for (k, v) in entries {
        table.insert(&k, toml_edit::Item::Value(v));
    }
    let memo = format!("table {} {key} {table}", DocPath(parent.to_vec()));
    with_toml_edit(target, memo, parent, |place| {
        place.table()?.insert(key, toml_edit::Item::Table(table));
        Some(())
    })
}

fn append(path: &DocPath, value: &Value, target: &Target<'_>) -> Option<Edit> {
    let new = toml_value(value)?;
    if dates_in(value).iter().any(|d| *d < target.today) {
        return None;
    }
    match target.doc.at(&path.0) {
        Some(Node {
            value: NodeValue::Array(_),
            ..
        }) => with_toml_edit(target, format!("push {path} {new}"), &path.0, |place| {
            place.array()?.push_formatted(new.decorated(" ", ""));
            Some(())
        }),
        Some(_) => None,
        None => {
            let (Segment::Key(key), parent) = path.0.split_last()? else {
                return None;
            };
            let mut array = toml_edit::Array::new();
            array.push(new);
            let memo = format!("array {} {key} {array}", DocPath(parent.to_vec()));
            with_toml_edit(target, memo, parent, |place| {
                place
                    .table()?
                    .insert(key, toml_edit::Item::Value(array.into()));
                Some(())
            })
        }
    }
}

/// A CEL value as a TOML value: strings, integers, finite floats, booleans, dates (a timestamp
/// at midnight China Standard Time) and local date-times, and arrays of those.
fn toml_value(value: &Value) -> Option<toml_edit::Value> {
    Some(match value {
        Value::String(s) => toml_edit::Value::from(s.as_str()),
        Value::Int(i) => toml_edit::Value::from(*i),
        Value::UInt(u) => toml_edit::Value::from(i64::try_from(*u).ok()?),
        Value::Float(f) if f.is_finite() => toml_edit::Value::from(*f),
        Value::Bool(b) => toml_edit::Value::from(*b),
        Value::Timestamp(t) => {
            let local = t.with_timezone(&crate::functions::cst()).naive_local();
            let text = if local.time() == chrono::NaiveTime::MIN {
                local.format("%Y-%m-%d").to_string()
            } else if local.time().nanosecond() == 0 {
                local.format("%Y-%m-%dT%H:%M:%S").to_string()
            } else {
                return None;
            };
            text.parse().ok()?
        }
        Value::List(items) => {
            let mut array = toml_edit::Array::new();
            for item in items.iter() {
                array.push(toml_value(item)?);
            }
            toml_edit::Value::Array(array)
        }
        _ => return None,
    })
}

/// The dates a value sets (a date-time counts by its date).
fn dates_in(value: &Value) -> Vec<NaiveDate> {
    match value {
        Value::Timestamp(t) => vec![t.with_timezone(&crate::functions::cst()).date_naive()],
        Value::List(items) => items.iter().flat_map(dates_in).collect(),
        _ => Vec::new(),
    }
}

/// The day a value stands for: a date, a date-time's date, or a string that is a date.
fn node_date(node: &Node) -> Option<NaiveDate> {
    match &node.value {
        NodeValue::Date(d) => Some(*d),
        NodeValue::DateTime(dt) => Some(dt.date()),
        NodeValue::String(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").ok(),
        _ => None,
    }
}

/// A value as it is written in place of `written`: a string keeps single quotes when it can.
fn render_value(new: &toml_edit::Value, written: &str) -> String {
    if let toml_edit::Value::String(s) = new {
        let s = s.value();
        if written.starts_with('\'')
            && !written.starts_with("'''")
            && !s.contains(['\'', '\n', '\r'])
        {
            return format!("'{s}'");
        }
    }
    new.clone().decorated("", "").to_string()
}

/// Where `toml_edit` changes the document: a table (of any kind) or an array.
enum Place<'a> {
    Item(&'a mut toml_edit::Item),
    Table(&'a mut toml_edit::Table),
    Value(&'a mut toml_edit::Value),
}

impl<'a> Place<'a> {
    fn step(self, segment: &Segment) -> Option<Place<'a>> {
        Some(match (self, segment) {
            (Place::Item(toml_edit::Item::Table(t)), Segment::Key(k)) => Place::Item(t.get_mut(k)?),
            (Place::Item(toml_edit::Item::ArrayOfTables(a)), Segment::Index(i)) => {
                Place::Table(a.get_mut(*i)?)
            }
            (Place::Item(toml_edit::Item::Value(v)), s) => Place::Value(v).step(s)?,
            (Place::Table(t), Segment::Key(k)) => Place::Item(t.get_mut(k)?),
            (Place::Value(toml_edit::Value::InlineTable(t)), Segment::Key(k)) => {
                Place::Value(t.get_mut(k)?)
            }
            (Place::Value(toml_edit::Value::Array(a)), Segment::Index(i)) => {
                Place::Value(a.get_mut(*i)?)
            }
            _ => return None,
        })
    }

    fn table(self) -> Option<&'a mut dyn toml_edit::TableLike> {
        match self {
            Place::Item(item) => item.as_table_like_mut(),
            Place::Table(t) => Some(t),
            Place::Value(toml_edit::Value::InlineTable(t)) => Some(t),
            Place::Value(_) => None,
        }
    }

    fn array(self) -> Option<&'a mut toml_edit::Array> {
        match self {
            Place::Item(item) => item.as_array_mut(),
            Place::Value(toml_edit::Value::Array(a)) => Some(a),
            _ => None,
        }
    }
}

/// Changes the value at `path` in place with `toml_edit` (its decor, the whitespace and comment
/// around it, kept) and returns the one region where the document changes as an edit. `None`
/// when `path` holds no value, `change` declines, or `toml_edit` would not write the file back
/// unchanged.
pub(crate) fn edit_value(
    text: &str,
    path: &DocPath,
    change: impl FnOnce(&mut toml_edit::Value) -> Option<()>,
) -> Option<Edit> {
    edit_text(text, &path.0, |place| match place {
        Place::Item(toml_edit::Item::Value(v)) | Place::Value(v) => change(v),
        _ => None,
    })
}

/// [`edit_text`] on the section of the manifest `path` lies in (the whole text outside an
/// `[[entry]]`), within the file's [`FixWork`]. `memo` names the change: the same change asked
/// for again (one finding per batch that all add the same `[table]`) is computed once.
fn with_toml_edit(
    target: &Target<'_>,
    memo: String,
    path: &[Segment],
    change: impl FnOnce(Place<'_>) -> Option<()>,
) -> Option<Edit> {
    if let Some(known) = target.work.made.borrow().get(&memo) {
        return known.clone();
    }
    let edit = with_toml_edit_once(target, path, change);
    target.work.made.borrow_mut().insert(memo, edit.clone());
    edit
}

fn with_toml_edit_once(
    target: &Target<'_>,
    path: &[Segment],
    change: impl FnOnce(Place<'_>) -> Option<()>,
) -> Option<Edit> {
    let section = target.section(path).unwrap_or_else(|| Section {
        start: 0,
        text: target.text,
        path: path.to_vec(),
    });
    target.work.charge(section.text.len(), target.text.len())?;
    let edit = edit_text(section.text, &section.path, change)?;
    Some(Edit {
        range: edit.range.start + section.start..edit.range.end + section.start,
        content: edit.content,
    })
}

/// Changes the document with `toml_edit` at `path` and returns the one region that differs as
/// an edit. `None` when `toml_edit` would not write the file back byte for byte unchanged (its
/// edit could then touch more than the change), or the change cannot be made.
fn edit_text(
    text: &str,
    path: &[Segment],
    change: impl FnOnce(Place<'_>) -> Option<()>,
) -> Option<Edit> {
    let mut doc: toml_edit::DocumentMut = text.parse().ok()?;
    if doc.to_string() != text {
        return None;
    }
    let mut place = Place::Item(doc.as_item_mut());
    for segment in path {
        place = place.step(segment)?;
    }
    change(place)?;
    let new = doc.to_string();
    Some(difference(text, &new))
}

/// The smallest single edit that turns `old` into `new`.
fn difference(old: &str, new: &str) -> Edit {
    let mut prefix = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(prefix) || !new.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let max_suffix = old.len().min(new.len()) - prefix;
    let mut suffix = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(max_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(old.len() - suffix) || !new.is_char_boundary(new.len() - suffix) {
        suffix -= 1;
    }
    Edit {
        range: prefix..old.len() - suffix,
        content: new[prefix..new.len() - suffix].to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_difference_is_one_minimal_region() {
        let e = difference("a = 1\nb = 2\n", "a = 1\nc = 3\nb = 2\n");
        assert_eq!(e.content.len(), 6);
        let (out, _) = crate::text::fix::apply_fixes(
            "a = 1\nb = 2\n",
            &[&Fix {
                applicability: crate::text::fix::Applicability::Safe,
                message: String::new(),
                edits: vec![e],
            }],
        );
        assert_eq!(out, "a = 1\nc = 3\nb = 2\n");
    }

    #[test]
    fn adding_a_key_keeps_comments_and_goes_into_its_table() {
        let text = "# head\n[[a]]\nx = 1 # one\n\n# next\n[[a]]\nx = 2\n";
        let path = DocPath::parse("a[0]").unwrap();
        let edit = edit_text(text, &path.0, |p| {
            p.table()?
                .insert("y", toml_edit::Item::Value(toml_edit::Value::from(true)));
            Some(())
        })
        .unwrap();
        let fix = Fix {
            applicability: crate::text::fix::Applicability::Unsafe,
            message: String::new(),
            edits: vec![edit],
        };
        let (out, _) = crate::text::fix::apply_fixes(text, &[&fix]);
        assert_eq!(
            out,
            "# head\n[[a]]\nx = 1 # one\ny = true\n\n# next\n[[a]]\nx = 2\n"
        );
    }

    fn target<'a>(
        text: &'a str,
        doc: &'a Node,
        item: &'a DocPath,
        work: &'a FixWork,
    ) -> Target<'a> {
        Target {
            text,
            doc,
            item,
            today: NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
            lang: crate::Lang::En,
            work,
        }
    }

    const ENTRIES: &str = "top = 1\n\n[[a]]\nx = 1 # one\n[a.sub]\ny = [1, 2]\n\n# the second\n[[a]]\nx = 2\n[a.sub]\ny = [3]  # three\n\n# between\n[b]\nz = 1\n\n[[a]]\nx = 3\n";

    #[test]
    fn an_entrys_section_gives_the_whole_documents_edit() {
        let doc = tree::parse(ENTRIES).unwrap();
        let item = DocPath::default();
        for (path, key) in [
            ("a[1]", "w"),
            ("a[1].sub", "v"),
            ("a[0]", "w"),
            ("a[2]", "w"),
        ] {
            let path = DocPath::parse(path).unwrap();
            let insert = |p: Place<'_>| {
                p.table()?
                    .insert(key, toml_edit::Item::Value(toml_edit::Value::from(true)));
                Some(())
            };
            let work = FixWork::default();
            let t = target(ENTRIES, &doc, &item, &work);
            let section = t.section(&path.0).expect("inside an [[a]] entry");
            assert!(
                section.text.starts_with("[[a]]"),
                "{path}: {:?}",
                section.text
            );
            let local = with_toml_edit(&t, format!("{path}"), &path.0, insert).unwrap();
            let whole = edit_text(ENTRIES, &path.0, insert).unwrap();
            assert_eq!(
                (&local.range, &local.content),
                (&whole.range, &whole.content),
                "{path}"
            );
        }
        // Appending to an array inside a sub-table of an entry.
        let path = DocPath::parse("a[1].sub.y").unwrap();
        let push = |p: Place<'_>| {
            p.array()?
                .push_formatted(toml_edit::Value::from(4).decorated(" ", ""));
            Some(())
        };
        let work = FixWork::default();
        let t = target(ENTRIES, &doc, &item, &work);
        let local = with_toml_edit(&t, "push".into(), &path.0, push).unwrap();
        let whole = edit_text(ENTRIES, &path.0, push).unwrap();
        assert_eq!(
            (&local.range, &local.content),
            (&whole.range, &whole.content)
        );
        // The second entry's section stops at `[b]`, not at its own `[a.sub]`.
        let section = t.section(&DocPath::parse("a[1]").unwrap().0).unwrap();
        assert!(
            section.text.ends_with("# three\n\n# between\n"),
            "{:?}",
            section.text
        );
        // Outside an entry there is no section: the whole document is edited.
        assert!(t.section(&DocPath::parse("b").unwrap().0).is_none());
    }

    #[test]
    fn the_fixes_of_a_file_parse_a_bounded_amount() {
        let doc = tree::parse(ENTRIES).unwrap();
        let item = DocPath::default();
        let work = FixWork::default();
        let t = target(ENTRIES, &doc, &item, &work);
        let limit = FIX_WORK_FACTOR * ENTRIES.len() + FIX_WORK_FLOOR;
        work.charge(limit - 1, ENTRIES.len()).unwrap();
        // Whole-document edits now exceed the budget: no edit, and no panic.
        let add = |key: &'static str| {
            move |p: Place<'_>| {
                p.table()?
                    .insert(key, toml_edit::Item::Value(toml_edit::Value::from(1)));
                Some(())
            }
        };
        assert!(with_toml_edit(&t, "root-k".into(), &[], add("k")).is_none());
        // The same change asked for again is answered from what was computed, not re-parsed.
        let work = FixWork::default();
        let t = target(ENTRIES, &doc, &item, &work);
        let first = with_toml_edit(&t, "root-k".into(), &[], add("k")).unwrap();
        let after_first = work.parsed.get();
        let again = with_toml_edit(&t, "root-k".into(), &[], add("k")).unwrap();
        assert_eq!(work.parsed.get(), after_first);
        assert_eq!(first.content, again.content);
    }

    #[test]
    fn strings_keep_their_quotes() {
        let v = toml_edit::Value::from("service");
        assert_eq!(render_value(&v, "'servise'"), "'service'");
        assert_eq!(render_value(&v, "\"servise\""), "\"service\"");
    }
}
