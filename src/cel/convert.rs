//! The tree's values as CEL values, and CEL values as text for people.

use std::collections::HashMap;
use std::sync::Arc;

use cel::Value;
use cel::objects::{Key, Map};

use crate::cel::functions;
use crate::syntax::tree::{DocPath, Node, NodeValue};

/// Converts a node to a CEL value; tables get a `_path` key (`/account[0]`) so rules can point
/// at other entries and an `_order` key (document position), and invalid values are left out.
pub(crate) fn to_cel(node: &Node, invalid: Option<&[DocPath]>) -> Value {
    to_cel_at(node, invalid.unwrap_or(&[]), &DocPath::default())
}

fn to_cel_at(node: &Node, invalid: &[DocPath], path: &DocPath) -> Value {
    match &node.value {
        NodeValue::String(s) => Value::String(Arc::new(s.clone())),
        NodeValue::Integer(i) => Value::Int(*i),
        NodeValue::Float(f) => Value::Float(*f),
        NodeValue::Bool(b) => Value::Bool(*b),
        NodeValue::Date(d) => functions::date_value(*d),
        NodeValue::DateTime(dt) => functions::datetime_value(*dt),
        NodeValue::OffsetDateTime(s) => Value::String(Arc::new(s.clone())),
        NodeValue::Time(t) => Value::String(Arc::new(t.to_string())),
        NodeValue::Array(items) => Value::List(Arc::new(
            items
                .iter()
                .enumerate()
                .filter(|(i, _)| !invalid.contains(&path.index(*i)))
                .map(|(i, n)| to_cel_at(n, invalid, &path.index(i)))
                .collect(),
        )),
        NodeValue::Table(entries) => {
            let mut map: HashMap<Key, Value> = HashMap::with_capacity(entries.len() + 1);
            for entry in entries {
                let child = path.key(&entry.key);
                if invalid.contains(&child) {
                    continue;
                }
                map.insert(
                    Key::String(Arc::new(entry.key.clone())),
                    to_cel_at(&entry.node, invalid, &child),
                );
            }
            map.insert(
                Key::String(Arc::new("_path".into())),
                Value::String(Arc::new(format!("/{path}"))),
            );
            // Document order, for rules that compare an entry with the ones before it.
            map.insert(
                Key::String(Arc::new("_order".into())),
                Value::Int(node.span.start as i64),
            );
            Value::Map(Map { map: Arc::new(map) })
        }
    }
}

/// Writes a CEL value for people: dates as `2026-12-20`, lists comma-separated.
pub fn display_value(value: &Value) -> String {
    match value {
        Value::String(s) => s.to_string(),
        Value::Int(i) => i.to_string(),
        Value::UInt(u) => u.to_string(),
        Value::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{f:.0}")
            } else {
                format!("{f}")
            }
        }
        Value::Bool(b) => b.to_string(),
        Value::Timestamp(t) => {
            let local = t.with_timezone(&functions::cst());
            if local.time() == chrono::NaiveTime::MIN {
                local.format("%Y-%m-%d").to_string()
            } else {
                local.format("%Y-%m-%dT%H:%M:%S").to_string()
            }
        }
        Value::Duration(d) => format!("{}d", d.num_days()),
        Value::List(items) => items
            .iter()
            .map(display_value)
            .collect::<Vec<_>>()
            .join(", "),
        Value::Map(m) => m
            .map
            .get(&Key::String(Arc::new("_path".into())))
            .map_or_else(|| "{…}".to_owned(), display_value),
        Value::Null => "null".into(),
        other => format!("{other:?}"),
    }
}
