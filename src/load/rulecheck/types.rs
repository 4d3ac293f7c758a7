//! The types the checker infers, and the manifest vocabulary and parameters as types.

use std::sync::Arc;

use cel::Value;

use crate::Lang;
use crate::shape::{KeySpec, KeyType, Shape};

/// A type of a CEL value, as far as the vocabulary knows it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Ty {
    /// Not known statically: anything goes.
    Dyn,
    /// The element of an empty list (joins with anything).
    Never,
    /// `null`.
    Null,
    /// A boolean.
    Bool,
    /// A signed integer.
    Int,
    /// An unsigned integer.
    Uint,
    /// A float.
    Double,
    /// An integer or a float (the vocabulary's `number` and `ratio`).
    Number,
    /// A string.
    String,
    /// Bytes.
    Bytes,
    /// A string that is one of these values.
    Enum(Arc<[String]>),
    /// A date or date-time (a CEL timestamp).
    Timestamp,
    /// A duration.
    Duration,
    /// A list of values of one type.
    List(Box<Ty>),
    /// A map from keys to values.
    Map(Box<Ty>, Box<Ty>),
    /// A table of the vocabulary (or the rule's parameters): known keys.
    Record(Arc<Record>),
    /// An optional value (`x.?key`).
    Optional(Box<Ty>),
    /// A type value (`type(x)`, `int`).
    Type,
}

/// A table whose keys are known.
#[derive(Debug, PartialEq)]
pub(crate) struct Record {
    /// How messages name it: `[[account]]`, `[plan]`, `params`.
    pub(crate) name: String,
    /// Its keys, in vocabulary order.
    pub(crate) fields: Vec<(String, Ty)>,
}

impl Record {
    /// The type of a key.
    pub(crate) fn field(&self, name: &str) -> Option<&Ty> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, t)| t)
    }
}

/// The broad kind of a type: what operators care about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    Bool,
    Num,
    Str,
    Bytes,
    Time,
    Dur,
    List,
    Map,
    Opt,
    Type,
}

impl Class {
    /// The kind in a message.
    pub(crate) fn describe(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Class::Bool, Lang::En) => "a boolean",
            (Class::Bool, Lang::Zh) => "布尔值",
            (Class::Num, Lang::En) => "a number",
            (Class::Num, Lang::Zh) => "数",
            (Class::Str, Lang::En) => "a string",
            (Class::Str, Lang::Zh) => "字符串",
            (Class::Bytes, Lang::En) => "bytes",
            (Class::Bytes, Lang::Zh) => "字节串",
            (Class::Time, Lang::En) => "a date",
            (Class::Time, Lang::Zh) => "日期",
            (Class::Dur, Lang::En) => "a duration",
            (Class::Dur, Lang::Zh) => "时长",
            (Class::List, Lang::En) => "a list",
            (Class::List, Lang::Zh) => "列表",
            (Class::Map, Lang::En) => "a map",
            (Class::Map, Lang::Zh) => "映射",
            (Class::Opt, Lang::En) => "an optional value",
            (Class::Opt, Lang::Zh) => "可选值",
            (Class::Type, Lang::En) => "a type",
            (Class::Type, Lang::Zh) => "类型",
        }
    }
}

impl Ty {
    /// The kind, or `None` when anything goes (`dyn`, `null`, an empty list's element).
    pub(crate) fn class(&self) -> Option<Class> {
        Some(match self {
            Ty::Dyn | Ty::Never | Ty::Null => return None,
            Ty::Bool => Class::Bool,
            Ty::Int | Ty::Uint | Ty::Double | Ty::Number => Class::Num,
            Ty::String | Ty::Enum(_) => Class::Str,
            Ty::Bytes => Class::Bytes,
            Ty::Timestamp => Class::Time,
            Ty::Duration => Class::Dur,
            Ty::List(_) => Class::List,
            Ty::Map(..) | Ty::Record(_) => Class::Map,
            Ty::Optional(_) => Class::Opt,
            Ty::Type => Class::Type,
        })
    }

    /// Whether the type is known to be of this kind (or may be: `dyn`).
    pub(crate) fn may_be(&self, class: Class) -> bool {
        self.class().is_none_or(|c| c == class)
    }

    /// The type both `a` and `b` fit in.
    pub(crate) fn join(a: &Ty, b: &Ty) -> Ty {
        match (a, b) {
            _ if a == b => a.clone(),
            (Ty::Never | Ty::Null, t) | (t, Ty::Never | Ty::Null) => t.clone(),
            (Ty::Enum(_), Ty::Enum(_) | Ty::String) | (Ty::String, Ty::Enum(_)) => Ty::String,
            (x, y) if x.class() == Some(Class::Num) && y.class() == Some(Class::Num) => Ty::Number,
            (Ty::List(x), Ty::List(y)) => Ty::List(Box::new(Ty::join(x, y))),
            (Ty::Map(k1, v1), Ty::Map(k2, v2)) => {
                Ty::Map(Box::new(Ty::join(k1, k2)), Box::new(Ty::join(v1, v2)))
            }
            (Ty::Optional(x), Ty::Optional(y)) => Ty::Optional(Box::new(Ty::join(x, y))),
            _ => Ty::Dyn,
        }
    }

    /// The element type when iterating (a list's elements, a map's keys).
    pub(crate) fn element(&self) -> Option<Ty> {
        match self {
            Ty::List(t) => Some((**t).clone()),
            Ty::Map(k, _) => Some((**k).clone()),
            Ty::Record(_) => Some(Ty::String),
            Ty::Dyn | Ty::Never | Ty::Null => Some(Ty::Dyn),
            _ => None,
        }
    }

    /// The type in a message: "a date", "an integer", "`[[account]]`".
    pub(crate) fn describe(&self, lang: Lang) -> String {
        let en = lang == Lang::En;
        match self {
            Ty::Dyn | Ty::Never => if en {
                "a value of any type"
            } else {
                "任意类型的值"
            }
            .into(),
            Ty::Null => "null".into(),
            Ty::Int | Ty::Uint => if en { "an integer" } else { "整数" }.into(),
            Ty::Double => if en { "a float" } else { "浮点数" }.into(),
            Ty::Enum(values) => {
                let list = values.join("`, `");
                if en {
                    format!("an enum (`{list}`)")
                } else {
                    format!("枚举（`{list}`）")
                }
            }
            Ty::List(t) if t.class().is_some() => {
                if en {
                    format!("a list of {}", plural(&t.describe(lang)))
                } else {
                    format!("{}列表", t.describe(lang))
                }
            }
            Ty::Record(r) => {
                if en {
                    format!("the table `{}`", r.name)
                } else {
                    format!("表 `{}`", r.name)
                }
            }
            other => other.class().map_or("?", |c| c.describe(lang)).to_owned(),
        }
    }

    /// The type of a CEL value (a parameter's default).
    pub(crate) fn of_value(value: &Value) -> Ty {
        match value {
            Value::Bool(_) => Ty::Bool,
            Value::Int(_) => Ty::Int,
            Value::UInt(_) => Ty::Uint,
            Value::Float(_) => Ty::Double,
            Value::String(_) => Ty::String,
            Value::Bytes(_) => Ty::Bytes,
            Value::Timestamp(_) => Ty::Timestamp,
            Value::Duration(_) => Ty::Duration,
            Value::Null => Ty::Null,
            Value::List(items) => Ty::List(Box::new(
                items
                    .iter()
                    .map(Ty::of_value)
                    .reduce(|a, b| Ty::join(&a, &b))
                    .unwrap_or(Ty::Never),
            )),
            Value::Map(m) => Ty::Map(
                Box::new(Ty::Dyn),
                Box::new(
                    m.map
                        .values()
                        .map(Ty::of_value)
                        .reduce(|a, b| Ty::join(&a, &b))
                        .unwrap_or(Ty::Never),
                ),
            ),
            _ => Ty::Dyn,
        }
    }
}

fn plural(s: &str) -> String {
    let bare = s
        .strip_prefix("an ")
        .or_else(|| s.strip_prefix("a "))
        .unwrap_or(s);
    match bare {
        "bytes" | "a value of any type" => bare.to_owned(),
        _ => format!("{bare}s"),
    }
}

/// The manifest vocabulary as types.
#[derive(Debug)]
pub(crate) struct Vocabulary {
    /// The whole document (`plan`, and `item` of a file check).
    pub(crate) root: Ty,
    /// Every entry of every `[[table]]` (`entries`).
    pub(crate) entries: Ty,
}

impl Vocabulary {
    /// Types from the vocabulary; without one, everything is `dyn`.
    pub(crate) fn new(shape: Option<&Shape>) -> Vocabulary {
        let Some(shape) = shape else {
            return Vocabulary {
                root: Ty::Dyn,
                entries: Ty::List(Box::new(Ty::Dyn)),
            };
        };
        let root = record_of("the manifest", shape.root.keys());
        let mut entry_tables = Vec::new();
        for (key, spec) in shape.root.keys() {
            if let KeyType::Entries(keys) = &spec.ty {
                entry_tables.push(record_of(&format!("[[{key}]]"), keys));
            }
        }
        let entry = union(&entry_tables);
        Vocabulary {
            root,
            entries: Ty::List(Box::new(entry)),
        }
    }

    /// The type of one item of a scope over these top-level tables.
    pub(crate) fn item_of(&self, tables: &[String]) -> Ty {
        let Ty::Record(root) = &self.root else {
            return Ty::Dyn;
        };
        let items: Vec<Ty> = tables
            .iter()
            .map(|t| match root.field(t) {
                Some(Ty::List(e)) => (**e).clone(),
                Some(t) => t.clone(),
                None => Ty::Dyn,
            })
            .collect();
        union(&items)
    }
}

/// One type for several tables: a record of every key any of them has.
fn union(tables: &[Ty]) -> Ty {
    match tables {
        [] => Ty::Dyn,
        [one] => one.clone(),
        many => {
            let mut names = Vec::new();
            let mut fields: Vec<(String, Ty)> = Vec::new();
            for t in many {
                let Ty::Record(r) = t else { return Ty::Dyn };
                names.push(r.name.clone());
                for (name, ty) in &r.fields {
                    match fields.iter_mut().find(|(n, _)| n == name) {
                        Some((_, known)) => *known = Ty::join(known, ty),
                        None => fields.push((name.clone(), ty.clone())),
                    }
                }
            }
            Ty::Record(Arc::new(Record {
                name: names.join(" / "),
                fields,
            }))
        }
    }
}

fn record_of(name: &str, keys: &[(String, KeySpec)]) -> Ty {
    let mut fields: Vec<(String, Ty)> = keys
        .iter()
        .map(|(key, spec)| (key.clone(), type_of(key, spec, name)))
        .collect();
    // Every table value has these (see `cel::celval::node_val`).
    fields.push(("_path".into(), Ty::String));
    fields.push(("_order".into(), Ty::Int));
    Ty::Record(Arc::new(Record {
        name: name.to_owned(),
        fields,
    }))
}

fn type_of(key: &str, spec: &KeySpec, parent: &str) -> Ty {
    match &spec.ty {
        KeyType::String(_) | KeyType::File => Ty::String,
        KeyType::Integer => Ty::Int,
        KeyType::Number | KeyType::Ratio => Ty::Number,
        KeyType::Bool => Ty::Bool,
        KeyType::Date | KeyType::DateTime => Ty::Timestamp,
        KeyType::Enum(values) => Ty::Enum(values.clone().into()),
        KeyType::Array(items) => Ty::List(Box::new(type_of(key, items, parent))),
        KeyType::Table(keys) => {
            let name = if parent == "the manifest" {
                format!("[{key}]")
            } else {
                format!("{}.{key}", parent.trim_matches(['[', ']']))
            };
            record_of(&name, keys)
        }
        KeyType::Entries(keys) => Ty::List(Box::new(record_of(&format!("[[{key}]]"), keys))),
    }
}

/// The rule's parameters as a record.
pub(crate) fn params_record(params: &[crate::rules::Param]) -> Ty {
    Ty::Record(Arc::new(Record {
        name: "params".into(),
        fields: params
            .iter()
            .map(|p| (p.name.clone(), Ty::of_value(&p.value)))
            .collect(),
    }))
}
