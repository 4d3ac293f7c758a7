//! A manifest's CEL values, built once per file straight from the spanned tree, and a borrowed
//! view of a value so that every rule binds `item`, `plan`, `params` … without copying them.
//!
//! `cel` 0.15 stores variables as `Box<dyn Val>`; binding a [`cel::Value`] converts (deep
//! copies) it on every bind. Binding a [`Shared`] view of a value built once costs nothing.

use std::fmt;

use cel::Value;
use cel::common::traits::{
    Adder, Comparer, Container, Divider, Indexer, Iterable, Modder, Multiplier, Negator, Sizer,
    Subtractor, Zeroer,
};
use cel::common::types::{self, CelList, CelMap, CelMapKey, CelString, Type};
use cel::common::value::{Builtin, BuiltinRef, Val};

use crate::functions;
use crate::tree::{DocPath, Node, NodeValue, Segment};

/// A borrowed CEL value that behaves exactly as the value it points to: every method of
/// [`Val`] delegates to it (so type checks, downcasts and operators see the original).
pub(crate) struct Shared<'a>(pub(crate) &'a (dyn Val + 'a));

/// Implements [`Val`] (and `Debug`) for a view type by delegating every method to the viewed
/// value, which the type's `inner()` gives.
macro_rules! delegate_val {
    ($ty:ty) => {
        impl<'a> fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(self.inner(), f)
            }
        }

        impl<'a> Val for $ty {
            fn get_type(&self) -> &Type {
                self.inner().get_type()
            }

            fn cel_type() -> &'static Type {
                // Only asked of types named in overload declarations, which this one never is.
                &types::DYN_TYPE
            }

            fn as_adder<'b, 'v>(&'b self) -> Option<&'b (dyn Adder + 'v)>
            where
                Self: 'v,
            {
                self.inner().as_adder()
            }

            fn as_comparer(&self) -> Option<&dyn Comparer> {
                self.inner().as_comparer()
            }

            fn as_container(&self) -> Option<&dyn Container> {
                self.inner().as_container()
            }

            fn as_divider<'b, 'v>(&'b self) -> Option<&'b (dyn Divider + 'v)>
            where
                Self: 'v,
            {
                self.inner().as_divider()
            }

            fn as_indexer<'b, 'v>(&'b self) -> Option<&'b (dyn Indexer + 'v)>
            where
                Self: 'v,
            {
                self.inner().as_indexer()
            }

            fn into_indexer<'v>(self: Box<Self>) -> Option<Box<dyn Indexer + 'v>>
            where
                Self: 'v,
            {
                // Consuming a borrowed value means owning a copy of it.
                self.inner().clone_as_boxed().into_indexer()
            }

            fn as_iterable<'b, 'v>(&'b self) -> Option<&'b (dyn Iterable + 'v)>
            where
                Self: 'v,
            {
                self.inner().as_iterable()
            }

            fn as_modder<'b, 'v>(&'b self) -> Option<&'b (dyn Modder + 'v)>
            where
                Self: 'v,
            {
                self.inner().as_modder()
            }

            fn as_multiplier<'b, 'v>(&'b self) -> Option<&'b (dyn Multiplier + 'v)>
            where
                Self: 'v,
            {
                self.inner().as_multiplier()
            }

            fn as_negator<'b, 'v>(&'b self) -> Option<&'b (dyn Negator + 'v)>
            where
                Self: 'v,
            {
                self.inner().as_negator()
            }

            fn as_sizer(&self) -> Option<&dyn Sizer> {
                self.inner().as_sizer()
            }

            fn as_subtractor<'b, 'v>(&'b self) -> Option<&'b (dyn Subtractor + 'v)>
            where
                Self: 'v,
            {
                self.inner().as_subtractor()
            }

            fn as_zeroer(&self) -> Option<&dyn Zeroer> {
                self.inner().as_zeroer()
            }

            fn equals(&self, other: &dyn Val) -> bool {
                self.inner().equals(other)
            }

            fn clone_as_boxed<'v>(&self) -> Box<dyn Val + 'v>
            where
                Self: 'v,
            {
                Box::new(self.share())
            }

            fn as_any(&self) -> Option<&dyn std::any::Any> {
                self.inner().as_any()
            }

            fn as_builtin<'b, 'v>(&'b self) -> BuiltinRef<'b, 'v>
            where
                Self: 'v,
            {
                self.inner().as_builtin()
            }

            fn into_builtin<'v>(self: Box<Self>) -> Option<Builtin<'v>>
            where
                Self: 'v,
            {
                // `as_builtin` answers for the original, so this must too: with an owned copy.
                self.inner().clone_as_boxed().into_builtin()
            }
        }
    };
}

impl<'a> Shared<'a> {
    fn inner(&self) -> &(dyn Val + 'a) {
        self.0
    }

    fn share(&self) -> Self {
        Shared(self.0)
    }
}

delegate_val!(Shared<'a>);

/// A CEL value shared by reference count: copying it (`clone_as_boxed`, which `cel` does when
/// binding a value or reading it into a list) copies a pointer instead of the whole value.
/// The engine keeps a `let` value that is the same for every item of a file this way.
#[derive(Clone)]
pub(crate) struct Counted<'a>(pub(crate) std::sync::Arc<dyn Val + 'a>);

impl<'a> Counted<'a> {
    fn inner(&self) -> &(dyn Val + 'a) {
        &*self.0
    }

    pub(crate) fn share(&self) -> Self {
        Counted(std::sync::Arc::clone(&self.0))
    }
}

impl<'a> From<Box<dyn Val + 'a>> for Counted<'a> {
    fn from(value: Box<dyn Val + 'a>) -> Self {
        Counted(std::sync::Arc::from(value))
    }
}

delegate_val!(Counted<'a>);

/// A value converted for binding (scalars, and rule parameters once per rule).
fn scalar(value: Value) -> Box<dyn Val> {
    // Every scalar the tree holds converts; `null` stands in should that ever change.
    match Box::<dyn Val>::try_from(value) {
        Ok(v) => v,
        Err(_) => Box::new(types::CelNull),
    }
}

/// Builds the CEL value of a node: the value `convert::to_cel` copies out, built
/// without the intermediate [`Value`] and its copies. Tables get `_path` and `_order`, and
/// invalid values are left out.
pub(crate) fn node_val<'d>(
    node: &'d Node,
    invalid: &[DocPath],
    path: &DocPath,
) -> Box<dyn Val + 'd> {
    let mut walk = Walk {
        invalid,
        path: path.clone(),
        text: path.to_string(),
    };
    walk.val(node)
}

/// One step down the tree (a [`Segment`] that borrows its key).
#[derive(Clone, Copy)]
enum Step<'k> {
    Key(&'k str),
    Index(usize),
}

struct Walk<'i> {
    invalid: &'i [DocPath],
    /// Kept only when there are invalid values to leave out.
    path: DocPath,
    /// The path as `DocPath`'s `Display` writes it.
    text: String,
}

impl Walk<'_> {
    fn enter(&mut self, step: Step<'_>) -> (usize, bool) {
        let len = self.text.len();
        match step {
            Step::Key(k) if self.text.is_empty() => self.text.push_str(k),
            Step::Key(k) => {
                self.text.push('.');
                self.text.push_str(k);
            }
            Step::Index(i) => {
                use std::fmt::Write;
                let _ = write!(self.text, "[{i}]");
            }
        }
        if self.invalid.is_empty() {
            return (len, false);
        }
        self.path.0.push(match step {
            Step::Key(k) => Segment::Key(k.to_owned()),
            Step::Index(i) => Segment::Index(i),
        });
        (len, self.invalid.contains(&self.path))
    }

    fn leave(&mut self, len: usize) {
        self.text.truncate(len);
        if !self.invalid.is_empty() {
            self.path.0.pop();
        }
    }

    /// Strings and keys borrow from the tree: converting a value copies no text.
    fn val<'d>(&mut self, node: &'d Node) -> Box<dyn Val + 'd> {
        match &node.value {
            NodeValue::String(s) => Box::new(CelString::from(s.as_str())),
            NodeValue::Integer(i) => scalar(Value::Int(*i)),
            NodeValue::Float(f) => scalar(Value::Float(*f)),
            NodeValue::Bool(b) => scalar(Value::Bool(*b)),
            NodeValue::Date(d) => scalar(functions::date_value(*d)),
            NodeValue::DateTime(dt) => scalar(functions::datetime_value(*dt)),
            NodeValue::OffsetDateTime(s) => Box::new(CelString::from(s.as_str())),
            NodeValue::Time(t) => Box::new(CelString::from(t.to_string())),
            NodeValue::Array(items) => {
                let mut list: Vec<Box<dyn Val + 'd>> = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let (len, skip) = self.enter(Step::Index(i));
                    if !skip {
                        list.push(self.val(item));
                    }
                    self.leave(len);
                }
                Box::new(CelList::from(list))
            }
            NodeValue::Table(entries) => {
                let mut map = std::collections::HashMap::with_capacity(entries.len() + 2);
                for entry in entries {
                    let (len, skip) = self.enter(Step::Key(&entry.key));
                    if !skip {
                        map.insert(CelMapKey::from(entry.key.as_str()), self.val(&entry.node));
                    }
                    self.leave(len);
                }
                map.insert(
                    CelMapKey::from("_path"),
                    Box::new(CelString::from(format!("/{}", self.text))),
                );
                // Document order, for rules that compare an entry with the ones before it.
                map.insert(
                    CelMapKey::from("_order"),
                    scalar(Value::Int(node.span.start as i64)),
                );
                Box::new(CelMap::from(map))
            }
        }
    }
}

/// A top-level value of a manifest, converted once.
enum Top<'d> {
    /// A `[table]`: one item of its scope.
    Table(Box<dyn Val + 'd>),
    /// An array (`[[entry]]`s): its elements that are not invalid, in order.
    Array(Vec<Box<dyn Val + 'd>>),
    /// Anything else (`schema = "…"`).
    Other(Box<dyn Val + 'd>),
}

/// The CEL values of one manifest: every top-level value converted once. `plan`, `entries` and
/// every scope's items are views of these, so no rule converts or copies them again.
pub(crate) struct FileVals<'d> {
    /// Per top-level key that is not invalid, in document order.
    top: Vec<(&'d str, Top<'d>)>,
    /// The span start of the document (its `_order`).
    order: usize,
}

impl<'d> FileVals<'d> {
    /// Converts a document, leaving out invalid values.
    pub(crate) fn new(doc: &'d Node, invalid: &[DocPath]) -> FileVals<'d> {
        let root = DocPath::default();
        let mut top = Vec::new();
        for entry in doc.entries() {
            let path = root.key(&entry.key);
            if invalid.contains(&path) {
                continue;
            }
            let value = match &entry.node.value {
                NodeValue::Table(_) => Top::Table(node_val(&entry.node, invalid, &path)),
                NodeValue::Array(items) => Top::Array(
                    items
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| !invalid.contains(&path.index(*i)))
                        .map(|(i, n)| node_val(n, invalid, &path.index(i)))
                        .collect(),
                ),
                _ => Top::Other(node_val(&entry.node, invalid, &path)),
            };
            top.push((entry.key.as_str(), value));
        }
        FileVals {
            top,
            order: doc.span.start,
        }
    }

    /// A [`Value`] as a CEL value, converted once (rule parameters).
    pub(crate) fn value(value: Value) -> Box<dyn Val> {
        scalar(value)
    }

    /// `plan`: the whole document (as `engine::to_cel` writes it).
    pub(crate) fn plan(&self) -> Box<dyn Val + '_> {
        let mut map = std::collections::HashMap::with_capacity(self.top.len() + 2);
        for (key, value) in &self.top {
            let val: Box<dyn Val + '_> = match value {
                Top::Table(v) | Top::Other(v) => Box::new(Shared(&**v)),
                Top::Array(items) => Box::new(CelList::from(
                    items
                        .iter()
                        .map(|v| Box::new(Shared(&**v)) as Box<dyn Val + '_>)
                        .collect::<Vec<_>>(),
                )),
            };
            map.insert(CelMapKey::from(*key), val);
        }
        map.insert(CelMapKey::from("_path"), Box::new(CelString::from("/")));
        map.insert(
            CelMapKey::from("_order"),
            scalar(Value::Int(self.order as i64)),
        );
        Box::new(CelMap::from(map))
    }

    /// `entries`: every entry of every array of tables, in document order (arrays may
    /// interleave: `[[account]]`, `[[data]]`, `[[account]]`).
    pub(crate) fn entries(&self, doc: &Node, invalid: &[DocPath]) -> Box<dyn Val + '_> {
        let mut placed: Vec<(usize, &dyn Val)> = Vec::new();
        for (key, value) in &self.top {
            let Top::Array(items) = value else { continue };
            let Some(NodeValue::Array(nodes)) = doc.get(key).map(|n| &n.value) else {
                continue;
            };
            if !nodes.iter().all(|i| matches!(i.value, NodeValue::Table(_))) {
                continue;
            }
            let path = DocPath::default().key(key);
            // `items` holds the entries that are not invalid, in order.
            let kept = nodes
                .iter()
                .enumerate()
                .filter(|(i, _)| !invalid.contains(&path.index(*i)));
            placed.extend(kept.zip(items).map(|((_, n), v)| (n.span.start, &**v)));
        }
        placed.sort_by_key(|(start, _)| *start);
        let list: Vec<Box<dyn Val + '_>> = placed
            .into_iter()
            .map(|(_, v)| Box::new(Shared(v)) as Box<dyn Val>)
            .collect();
        Box::new(CelList::from(list))
    }

    /// The items of a top-level table: the `[table]` itself, or each table of its array, with
    /// their paths and nodes.
    pub(crate) fn table_items<'a>(
        &'a self,
        doc: &'a Node,
        invalid: &[DocPath],
        table: &str,
    ) -> Vec<(DocPath, &'a Node, &'a (dyn Val + 'a))> {
        let Some(node) = doc.get(table) else {
            return Vec::new();
        };
        let path = DocPath::default().key(table);
        if invalid.iter().any(|p| path.starts_with(p)) {
            return Vec::new();
        }
        let Some((_, value)) = self.top.iter().find(|(k, _)| *k == table) else {
            return Vec::new();
        };
        match (&node.value, value) {
            (NodeValue::Table(_), Top::Table(v)) => vec![(path, node, &**v)],
            (NodeValue::Array(nodes), Top::Array(values)) => nodes
                .iter()
                .enumerate()
                .filter(|(_, n)| matches!(n.value, NodeValue::Table(_)))
                .zip(values.iter())
                .map(|((i, n), v)| (path.index(i), n, &**v))
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// A CEL value written with map keys sorted and strings quoted, so equal values write (and
/// hash) equally: the report's rule-set hash. Other values as [`crate::cel::convert::display_value`]
/// writes them.
pub(crate) fn canonical_text(value: &Value) -> String {
    match value {
        Value::Map(m) => {
            let mut entries: Vec<(String, String)> = m
                .map
                .iter()
                .map(|(k, v)| {
                    let key = match k {
                        cel::objects::Key::String(s) => format!("{:?}", s.as_str()),
                        cel::objects::Key::Int(i) => i.to_string(),
                        cel::objects::Key::Uint(u) => format!("{u}u"),
                        cel::objects::Key::Bool(b) => b.to_string(),
                    };
                    (key, canonical_text(v))
                })
                .collect();
            entries.sort();
            let inner: Vec<String> = entries
                .into_iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect();
            format!("{{{}}}", inner.join(", "))
        }
        Value::List(items) => format!(
            "[{}]",
            items
                .iter()
                .map(canonical_text)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::String(s) => format!("{s:?}"),
        other => crate::cel::convert::display_value(other),
    }
}

#[cfg(test)]
mod canonical_tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn canonical_text_sorts_map_keys() {
        let a = crate::functions::date_value(chrono::NaiveDate::from_ymd_opt(2026, 1, 2).unwrap());
        assert_eq!(canonical_text(&a), "2026-01-02");
        let map = |pairs: &[(&str, i64)]| {
            let m: HashMap<cel::objects::Key, cel::Value> = pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned().into(), cel::Value::Int(*v)))
                .collect();
            cel::Value::Map(cel::objects::Map {
                map: std::sync::Arc::new(m),
            })
        };
        let one = map(&[("work", 30), ("service", 15), ("subscription", 7)]);
        let two = map(&[("subscription", 7), ("work", 30), ("service", 15)]);
        assert_eq!(canonical_text(&one), canonical_text(&two));
        assert_eq!(
            canonical_text(&one),
            r#"{"service": 15, "subscription": 7, "work": 30}"#
        );
    }
}
