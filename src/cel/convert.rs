//! The tree's values as CEL values, and CEL values as text for people.

use std::sync::Arc;

use cel::Value;
use cel::objects::Key;

use crate::cel::{celval, functions};
use crate::syntax::tree::{DocPath, Node};

/// Converts a node to a CEL value (rule parameters, configuration values): the value
/// [`celval::node_val`] views, copied out of the tree. Tables get a `_path` key
/// (`/account[0]`) and an `_order` key (document position).
pub(crate) fn to_cel(node: &Node) -> Value {
    let val = celval::node_val(node, &[], &DocPath::default());
    // Every value the tree holds has a `Value` form; `null` stands in should that ever change.
    Value::try_from(val.as_ref()).unwrap_or(Value::Null)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_converts_with_its_path_and_order_and_displays_for_people() {
        let doc = crate::syntax::tree::parse("[t]\nd = 2026-12-20\nxs = [1, 2.5]\n").unwrap();
        let Value::Map(root) = to_cel(&doc) else {
            panic!("a table converts to a map");
        };
        let get =
            |m: &cel::objects::Map, k: &str| m.map.get(&Key::String(Arc::new(k.into()))).cloned();
        assert_eq!(
            get(&root, "_path"),
            Some(Value::String(Arc::new("/".into())))
        );
        let Some(Value::Map(t)) = get(&root, "t") else {
            panic!("the inner table converts to a map");
        };
        assert_eq!(get(&t, "_path"), Some(Value::String(Arc::new("/t".into()))));
        assert_eq!(get(&t, "_order"), Some(Value::Int(0)));
        assert_eq!(display_value(&get(&t, "d").unwrap()), "2026-12-20");
        assert_eq!(display_value(&get(&t, "xs").unwrap()), "1, 2.5");
        assert_eq!(display_value(&Value::Map(t)), "/t");
    }
}
