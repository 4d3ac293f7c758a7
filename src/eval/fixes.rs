//! Turns a rule's declared fix into text edits of the manifest.
//!
//! Replacing a value or renaming a key replaces exactly its bytes (the rest of the line, its
//! comment included, is untouched); adding a key or an array element is done by `toml_edit` on
//! the whole document, and the edit is the one region where its output differs from the file,
//! so every comment, blank line and quote style outside that region stays as written.
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
    let mut replaces_only = true;
    for edit in &decl.edits {
        let (made, replaced) = one_edit(edit, ctx, target)?;
        // A value replaced by a rendered TOML value is valid TOML by construction, and so is a
        // key renamed to one toml_edit writes and no sibling in the parsed table has.
        replaces_only &= replaced;
        edits.push(made);
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
        let (fixed, _) = crate::text::fix::apply_fixes(target.text, &[&fix]);
        tree::parse(&fixed).ok()?;
    }
    Some(fix)
}

/// One edit, and whether it leaves a valid TOML file by construction (it replaces an existing
/// value, or renames a key to a free name).
fn one_edit(edit: &EditDecl, ctx: &Context<'_, '_>, target: &Target<'_>) -> Option<(Edit, bool)> {
    let path = crate::eval::run::resolve_path(&edit.path, target.item, ctx)?;
    let value = edit.value.program.execute(ctx).ok()?;
    match edit.op {
        EditOp::Rename => rename(&path, &value, target).map(|e| (e, true)),
        EditOp::Set => {
            let replaced = target.doc.at(&path.0).is_some();
            set(&path, &value, target).map(|e| (e, replaced))
        }
        EditOp::Append => append(&path, &value, target).map(|e| (e, false)),
    }
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
            with_toml_edit(target.text, parent, |place| {
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
    with_toml_edit(target.text, parent, |place| {
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
        }) => with_toml_edit(target.text, &path.0, |place| {
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
            with_toml_edit(target.text, parent, |place| {
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
    with_toml_edit(text, &path.0, |place| match place {
        Place::Item(toml_edit::Item::Value(v)) | Place::Value(v) => change(v),
        _ => None,
    })
}

/// Changes the document with `toml_edit` at `path` and returns the one region that differs as
/// an edit. `None` when `toml_edit` would not write the file back byte for byte unchanged (its
/// edit could then touch more than the change), or the change cannot be made.
fn with_toml_edit(
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
        let edit = with_toml_edit(text, &path.0, |p| {
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

    #[test]
    fn strings_keep_their_quotes() {
        let v = toml_edit::Value::from("service");
        assert_eq!(render_value(&v, "'servise'"), "'service'");
        assert_eq!(render_value(&v, "\"servise\""), "\"service\"");
    }
}
